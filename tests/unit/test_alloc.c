/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: platform/alloc/alloc.h with whichever allocator this test
 * executable got: glibc in a release build (the platform library links no
 * jemalloc), ASan's in a sanitizer build. test_alloc_jemalloc covers
 * jemalloc.
 */
#include <errno.h>
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
/* Allocator bookkeeping may round; the growth must still be most of it. */
#define BIG_SEEN (60 * MIB)

#ifndef __has_feature
#define __has_feature(x) 0
#endif
#if defined(__SANITIZE_ADDRESS__) || __has_feature(address_sanitizer)
#define TEST_EXPECT_KIND ALLOC_KIND_SANITIZER
#else
#define TEST_EXPECT_KIND ALLOC_KIND_GLIBC
#endif

/* Keeps the compiler from eliding the malloc/memset/free of the test. */
static void *volatile sink;

static void
test_stats_get_names_the_allocator(void **state)
{
	struct alloc_stats st;

	(void)state;
	assert_int_equal(alloc_stats_get(&st), 0);
	assert_int_equal(st.kind, TEST_EXPECT_KIND);
	assert_int_equal(alloc_kind_get(), TEST_EXPECT_KIND);
	assert_string_equal(st.allocator, alloc_kind_str(st.kind));
	assert_false(alloc_is_jemalloc());
	assert_true(st.allocated > 0);
	assert_true(st.allocated <= st.mapped);
	assert_true(st.resident > 0);
}

static void
test_allocated_grows_after_touched_64mib(void **state)
{
	struct alloc_stats before, after;

	(void)state;
	assert_int_equal(alloc_stats_get(&before), 0);
	sink = malloc(BIG);
	assert_non_null(sink);
	memset(sink, 0x5a, BIG);
	assert_int_equal(alloc_stats_get(&after), 0);
	free(sink);
	sink = NULL;
	assert_true(after.allocated >= before.allocated + BIG_SEEN);
	assert_true(after.resident >= before.resident + BIG_SEEN);
}

static void
test_stats_get_null_is_einval(void **state)
{
	(void)state;
	assert_int_equal(alloc_stats_get(NULL), -EINVAL);
	assert_string_equal(alloc_kind_str(ALLOC_KIND_COUNT), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_get_names_the_allocator),
		cmocka_unit_test(test_allocated_grows_after_touched_64mib),
		cmocka_unit_test(test_stats_get_null_is_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
