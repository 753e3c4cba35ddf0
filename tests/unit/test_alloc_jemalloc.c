/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: platform/alloc/alloc.h in an executable linked with jemalloc
 * the way the daemon is (jemalloc_dep). Built only when the build uses
 * jemalloc (not in sanitizer or fuzz builds).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "platform/alloc/alloc.h"

#define MIB (UINT64_C(1) << 20)
#define BIG (64 * MIB)
#define BIG_SEEN (60 * MIB)

static void *volatile sink;

static void
test_jemalloc_is_the_process_malloc(void **state)
{
	struct alloc_stats st;

	(void)state;
	assert_true(alloc_is_jemalloc());
	assert_int_equal(alloc_stats_get(&st), 0);
	assert_int_equal(st.kind, ALLOC_KIND_JEMALLOC);
	assert_string_equal(st.allocator, "jemalloc");
	/* jemalloc's documented ordering of its figures */
	assert_true(st.allocated > 0);
	assert_true(st.allocated <= st.active);
	assert_true(st.active <= st.resident);
	assert_true(st.active <= st.mapped);
}

static void
test_jemalloc_allocated_grows_after_touched_64mib(void **state)
{
	struct alloc_stats before, after;

	(void)state;
	assert_int_equal(alloc_stats_get(&before), 0);
	sink = malloc(BIG);
	assert_non_null(sink);
	memset(sink, 0x5a, BIG);
	/* the epoch refresh makes the new block visible at once */
	assert_int_equal(alloc_stats_get(&after), 0);
	free(sink);
	sink = NULL;
	assert_true(after.allocated >= before.allocated + BIG_SEEN);
	assert_true(after.resident >= before.resident + BIG_SEEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jemalloc_is_the_process_malloc),
		cmocka_unit_test(
			test_jemalloc_allocated_grows_after_touched_64mib),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
