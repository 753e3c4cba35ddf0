/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: platform/stats/stats.h. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "platform/stats/stats.h"

#define N_THREADS 4
#define ADDS_PER_THREAD 1000000u

/* A module's list, as modules will write them. */
#define TEST_STATS(_)                                                          \
	_(TEST_STAT_RX, "rx", "packets received")                              \
	_(TEST_STAT_DROP_ACL, "drop_acl", "dropped: ACL deny")                 \
	_(TEST_STAT_DROP_RATE, "drop_rate", "dropped: rate limit")

enum test_stat { STATS_ENUM(TEST_STATS) TEST_STAT_COUNT };

#define TEST_GAUGES(_)                                                         \
	_(TEST_GAUGE_SUBS, "subscriptions", "active subscriptions")

enum test_gauge { STATS_ENUM(TEST_GAUGES) TEST_GAUGE_COUNT };

static void
test_create_rejects_zero_sizes(void **state)
{
	(void)state;
	errno = 0;
	assert_null(stats_reg_create(0, 10));
	assert_int_equal(errno, EINVAL);
	assert_null(stats_reg_create(4, 0));
}

static void
test_xmacro_block_registers_names_and_help(void **state)
{
	struct stats_reg *reg = stats_reg_create(2, 16);
	static const char *const names[] = {STATS_NAMES(TEST_STATS)};
	static const char *const help[] = {STATS_HELPS(TEST_STATS)};
	int base;

	(void)state;
	assert_non_null(reg);
	assert_int_equal(STATS_COUNT(TEST_STATS), TEST_STAT_COUNT);
	assert_string_equal(names[TEST_STAT_DROP_ACL], "drop_acl");
	assert_string_equal(help[TEST_STAT_DROP_RATE], "dropped: rate limit");
	base = STATS_BLOCK_REGISTER(reg, "dp", TEST_STATS, STATS_KIND_COUNTER);
	assert_int_equal(base, 0);
	assert_int_equal(stats_count(reg), TEST_STAT_COUNT);
	assert_int_equal(
		stats_find(reg, "dp_drop_acl"), base + TEST_STAT_DROP_ACL);
	assert_int_equal(stats_find(reg, "drop_acl"), -ENOENT);
	stats_reg_destroy(reg);
}

static void
test_blocks_get_consecutive_bases(void **state)
{
	struct stats_reg *reg = stats_reg_create(1, 16);
	int a, b;

	(void)state;
	a = STATS_BLOCK_REGISTER(reg, "dp", TEST_STATS, STATS_KIND_COUNTER);
	b = STATS_BLOCK_REGISTER(reg, "pres", TEST_GAUGES, STATS_KIND_GAUGE);
	assert_int_equal(a, 0);
	assert_int_equal(b, TEST_STAT_COUNT);
	assert_int_equal(stats_find(reg, "pres_subscriptions"), b);
	stats_reg_destroy(reg);
}

static void
test_overflow_of_max_stats_is_enospc(void **state)
{
	struct stats_reg *reg = stats_reg_create(1, 4);
	uint64_t v;

	(void)state;
	assert_int_equal(
		STATS_BLOCK_REGISTER(reg, "a", TEST_STATS, STATS_KIND_COUNTER),
		0);
	assert_int_equal(
		STATS_BLOCK_REGISTER(reg, "b", TEST_STATS, STATS_KIND_COUNTER),
		-ENOSPC);
	assert_int_equal(stats_count(reg), 3);
	assert_int_equal(stats_read(reg, 3, &v), -ENOENT);
	/* exactly filling it still works */
	assert_int_equal(
		STATS_BLOCK_REGISTER(reg, "c", TEST_GAUGES, STATS_KIND_GAUGE),
		3);
	stats_reg_destroy(reg);
}

static void
test_duplicate_full_name_is_eexist(void **state)
{
	struct stats_reg *reg = stats_reg_create(1, 16);
	static const char *const dup[] = {"x", "x"};
	static const char *const clash[] = {"dp_rx"};

	(void)state;
	assert_int_equal(
		STATS_BLOCK_REGISTER(reg, "dp", TEST_STATS, STATS_KIND_COUNTER),
		0);
	assert_int_equal(
		STATS_BLOCK_REGISTER(reg, "dp", TEST_STATS, STATS_KIND_COUNTER),
		-EEXIST);
	assert_int_equal(stats_block_register(
				 reg, NULL, clash, NULL, 1, STATS_KIND_COUNTER),
		-EEXIST);
	assert_int_equal(stats_block_register(
				 reg, "q", dup, NULL, 2, STATS_KIND_COUNTER),
		-EEXIST);
	assert_int_equal(stats_count(reg), TEST_STAT_COUNT);
	stats_reg_destroy(reg);
}

static void
test_bad_names_and_arguments_are_einval(void **state)
{
	struct stats_reg *reg = stats_reg_create(1, 16);
	static const char *const space[] = {"has space"};
	static const char *const empty[] = {""};
	static const char *const ok[] = {"ok"};

	(void)state;
	assert_int_equal(stats_block_register(
				 reg, "p", space, NULL, 1, STATS_KIND_COUNTER),
		-EINVAL);
	assert_int_equal(stats_block_register(
				 reg, "p", empty, NULL, 1, STATS_KIND_COUNTER),
		-EINVAL);
	assert_int_equal(stats_block_register(
				 reg, "p.q", ok, NULL, 1, STATS_KIND_COUNTER),
		-EINVAL);
	assert_int_equal(
		stats_block_register(reg, "p", ok, NULL, 0, STATS_KIND_COUNTER),
		-EINVAL);
	assert_int_equal(
		stats_block_register(reg, "p", ok, NULL, 1, STATS_KIND_COUNT),
		-EINVAL);
	assert_int_equal(stats_count(reg), 0);
	stats_reg_destroy(reg);
}

static void
test_shard_out_of_range_is_null(void **state)
{
	struct stats_reg *reg = stats_reg_create(3, 8);
	uint64_t v;

	(void)state;
	assert_non_null(stats_shard(reg, 2));
	assert_null(stats_shard(reg, 3));
	assert_int_equal(stats_shard_count(reg), 3);
	assert_int_equal(
		STATS_BLOCK_REGISTER(reg, "a", TEST_GAUGES, STATS_KIND_GAUGE),
		0);
	assert_int_equal(stats_read_shard(reg, 3, 0, &v), -EINVAL);
	stats_reg_destroy(reg);
}

static void
test_shards_are_cache_line_aligned_and_disjoint(void **state)
{
	struct stats_reg *reg = stats_reg_create(4, 3);

	(void)state;
	for (unsigned s = 0; s < 4; s++) {
		uintptr_t p = (uintptr_t)stats_shard(reg, s);

		assert_int_equal(p % STATS_CACHE_LINE, 0);
		if (s > 0)
			assert_true(p - (uintptr_t)stats_shard(reg, s - 1) >=
				    STATS_CACHE_LINE);
	}
	stats_reg_destroy(reg);
}

struct writer {
	uint64_t *shard;
	unsigned id;
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;

	for (unsigned i = 0; i < ADDS_PER_THREAD; i++)
		stats_inc(w->shard, w->id);
	return NULL;
}

static void
test_threads_on_own_shards_sum_exactly(void **state)
{
	struct stats_reg *reg = stats_reg_create(N_THREADS, 8);
	struct writer w[N_THREADS];
	pthread_t th[N_THREADS];
	uint64_t sum, one;
	int base;

	(void)state;
	base = STATS_BLOCK_REGISTER(reg, "dp", TEST_STATS, STATS_KIND_COUNTER);
	assert_true(base >= 0);
	for (unsigned i = 0; i < N_THREADS; i++) {
		w[i] = (struct writer){stats_shard(reg, i),
			(unsigned)base + TEST_STAT_DROP_ACL};
		assert_int_equal(
			pthread_create(&th[i], NULL, writer_main, &w[i]), 0);
	}
	/* read while they write: never more than the final total */
	assert_int_equal(
		stats_read(reg, (unsigned)base + TEST_STAT_DROP_ACL, &sum), 0);
	assert_true(sum <= (uint64_t)N_THREADS * ADDS_PER_THREAD);
	for (unsigned i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(
		stats_read(reg, (unsigned)base + TEST_STAT_DROP_ACL, &sum), 0);
	assert_int_equal(sum, (uint64_t)N_THREADS * ADDS_PER_THREAD);
	assert_int_equal(stats_read_shard(reg, 2,
				 (unsigned)base + TEST_STAT_DROP_ACL, &one),
		0);
	assert_int_equal(one, ADDS_PER_THREAD);
	/* neighbours untouched */
	assert_int_equal(
		stats_read(reg, (unsigned)base + TEST_STAT_RX, &sum), 0);
	assert_int_equal(sum, 0);
	stats_reg_destroy(reg);
}

static void
test_gauge_can_go_negative(void **state)
{
	struct stats_reg *reg = stats_reg_create(2, 4);
	int64_t v;
	uint64_t raw;
	int id;

	(void)state;
	id = STATS_BLOCK_REGISTER(reg, "pres", TEST_GAUGES, STATS_KIND_GAUGE);
	assert_true(id >= 0);
	/* added on one worker, removed on another */
	stats_add(stats_shard(reg, 0), (unsigned)id, 5);
	stats_sub(stats_shard(reg, 1), (unsigned)id, 3);
	assert_int_equal(stats_read_gauge(reg, (unsigned)id, &v), 0);
	assert_int_equal(v, 2);
	stats_sub(stats_shard(reg, 1), (unsigned)id, 10);
	assert_int_equal(stats_read_gauge(reg, (unsigned)id, &v), 0);
	assert_int_equal(v, -8);
	assert_int_equal(stats_read_shard(reg, 1, (unsigned)id, &raw), 0);
	assert_int_equal((int64_t)raw, -13);
	stats_set(stats_shard(reg, 1), (unsigned)id, 0);
	assert_int_equal(stats_read_gauge(reg, (unsigned)id, &v), 0);
	assert_int_equal(v, 5);
	stats_reg_destroy(reg);
}

struct seen {
	unsigned n;
	char names[8][64];
	uint64_t values[8];
	enum stats_kind kinds[8];
	const char *help1;
	const char *prefix1;
};

static int
collect_cb(const struct stats_info *info, void *arg)
{
	struct seen *s = arg;

	assert_int_equal(info->id, s->n);
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", info->name);
	s->values[s->n] = info->value;
	s->kinds[s->n] = info->kind;
	if (s->n == 1) {
		s->help1 = info->help;
		s->prefix1 = info->prefix;
	}
	s->n++;
	return 0;
}

static void
test_foreach_gives_names_help_kind_and_sums_in_order(void **state)
{
	struct stats_reg *reg = stats_reg_create(2, 8);
	struct seen s = {0};
	int dp, pres;

	(void)state;
	dp = STATS_BLOCK_REGISTER(reg, "dp", TEST_STATS, STATS_KIND_COUNTER);
	pres = STATS_BLOCK_REGISTER(reg, "pres", TEST_GAUGES, STATS_KIND_GAUGE);
	stats_add(stats_shard(reg, 0), (unsigned)dp + TEST_STAT_DROP_ACL, 4);
	stats_add(stats_shard(reg, 1), (unsigned)dp + TEST_STAT_DROP_ACL, 6);
	stats_inc(stats_shard(reg, 1), (unsigned)pres);
	assert_int_equal(stats_foreach(reg, collect_cb, &s), 0);
	assert_int_equal(s.n, 4);
	assert_string_equal(s.names[0], "dp_rx");
	assert_string_equal(s.names[1], "dp_drop_acl");
	assert_string_equal(s.names[2], "dp_drop_rate");
	assert_string_equal(s.names[3], "pres_subscriptions");
	assert_int_equal(s.values[1], 10);
	assert_int_equal(s.values[3], 1);
	assert_int_equal(s.kinds[0], STATS_KIND_COUNTER);
	assert_int_equal(s.kinds[3], STATS_KIND_GAUGE);
	assert_string_equal(s.help1, "dropped: ACL deny");
	assert_string_equal(s.prefix1, "dp");
	assert_string_equal(stats_kind_str(STATS_KIND_GAUGE), "gauge");
	stats_reg_destroy(reg);
}

static int
stop_at_second_cb(const struct stats_info *info, void *arg)
{
	unsigned *calls = arg;

	(*calls)++;
	return info->id == 1 ? 42 : 0;
}

static void
test_foreach_stops_on_nonzero_and_returns_it(void **state)
{
	struct stats_reg *reg = stats_reg_create(1, 8);
	unsigned calls = 0;

	(void)state;
	STATS_BLOCK_REGISTER(reg, "dp", TEST_STATS, STATS_KIND_COUNTER);
	assert_int_equal(stats_foreach(reg, stop_at_second_cb, &calls), 42);
	assert_int_equal(calls, 2);
	stats_reg_destroy(reg);
}

static void
test_no_prefix_and_no_help_read_as_empty(void **state)
{
	struct stats_reg *reg = stats_reg_create(1, 8);
	static const char *const names[] = {"uptime"};
	struct seen s = {0};

	(void)state;
	assert_int_equal(stats_block_register(
				 reg, NULL, names, NULL, 1, STATS_KIND_GAUGE),
		0);
	assert_int_equal(stats_block_register(reg, "", (const char *[]){"u2"},
				 (const char *[]){NULL}, 1, STATS_KIND_GAUGE),
		1);
	assert_int_equal(stats_foreach(reg, collect_cb, &s), 0);
	assert_string_equal(s.names[0], "uptime");
	assert_string_equal(s.help1, "");
	assert_string_equal(s.prefix1, "");
	stats_reg_destroy(reg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rejects_zero_sizes),
		cmocka_unit_test(test_xmacro_block_registers_names_and_help),
		cmocka_unit_test(test_blocks_get_consecutive_bases),
		cmocka_unit_test(test_overflow_of_max_stats_is_enospc),
		cmocka_unit_test(test_duplicate_full_name_is_eexist),
		cmocka_unit_test(test_bad_names_and_arguments_are_einval),
		cmocka_unit_test(test_shard_out_of_range_is_null),
		cmocka_unit_test(
			test_shards_are_cache_line_aligned_and_disjoint),
		cmocka_unit_test(test_threads_on_own_shards_sum_exactly),
		cmocka_unit_test(test_gauge_can_go_negative),
		cmocka_unit_test(
			test_foreach_gives_names_help_kind_and_sums_in_order),
		cmocka_unit_test(test_foreach_stops_on_nonzero_and_returns_it),
		cmocka_unit_test(test_no_prefix_and_no_help_read_as_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
