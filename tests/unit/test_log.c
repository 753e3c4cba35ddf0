/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: platform/log/log.h. Output goes to a memory stream. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "platform/log/log.h"
#include "platform/timer/time.h"

/* 2023-11-14T22:13:20.123456789Z */
#define TEST_REALTIME (UINT64_C(1700000000) * TIME_NS_PER_SEC + 123456789)
#define RL_THREADS 4
#define RL_CALLS_PER_THREAD 20000

/* The captured output and the test clocks. */
struct cap {
	FILE *f;
	char *buf;
	size_t size;
};

static struct cap cap;
static _Atomic uint64_t test_mono_ns;

static uint64_t
test_realtime(void)
{
	return TEST_REALTIME;
}

static uint64_t
test_monotonic(void)
{
	return atomic_load(&test_mono_ns);
}

static int
setup(void **state)
{
	(void)state;
	cap.f = open_memstream(&cap.buf, &cap.size);
	if (cap.f == NULL)
		return -1;
	log_output_set(cap.f);
	log_clock_set(test_realtime, test_monotonic);
	atomic_store(&test_mono_ns, 1000 * TIME_NS_PER_SEC);
	return log_module_set_level("*", LOG_LEVEL_DEFAULT);
}

static int
teardown(void **state)
{
	(void)state;
	log_output_set(NULL);
	log_clock_set(NULL, NULL);
	fclose(cap.f);
	free(cap.buf);
	cap = (struct cap){0};
	return 0;
}

/* The output so far, NUL-terminated (open_memstream keeps it so). */
static const char *
out(void)
{
	fflush(cap.f);
	return cap.buf;
}

static unsigned
out_lines(void)
{
	unsigned n = 0;

	for (const char *p = out(); *p != '\0'; p++)
		n += *p == '\n';
	return n;
}

static void
test_level_names_round_trip(void **state)
{
	enum log_level lvl;

	(void)state;
	for (unsigned i = 0; i < LOG_LEVEL_COUNT; i++) {
		assert_int_equal(log_level_parse(log_level_str(i), &lvl), 0);
		assert_int_equal(lvl, i);
	}
	assert_string_equal(log_level_str(LOG_LEVEL_WARN), "warn");
	assert_string_equal(log_level_str(LOG_LEVEL_COUNT), "unknown");
}

static void
test_level_parse_accepts_case_and_aliases(void **state)
{
	enum log_level lvl = LOG_LEVEL_DEBUG;

	(void)state;
	assert_int_equal(log_level_parse("NOTICE", &lvl), 0);
	assert_int_equal(lvl, LOG_LEVEL_NOTICE);
	assert_int_equal(log_level_parse("warning", &lvl), 0);
	assert_int_equal(lvl, LOG_LEVEL_WARN);
	assert_int_equal(log_level_parse("err", &lvl), 0);
	assert_int_equal(lvl, LOG_LEVEL_ERROR);
}

static void
test_level_parse_rejects_unknown_einval(void **state)
{
	enum log_level lvl = LOG_LEVEL_INFO;

	(void)state;
	assert_int_equal(log_level_parse("verbose", &lvl), -EINVAL);
	assert_int_equal(log_level_parse("", &lvl), -EINVAL);
	assert_int_equal(log_level_parse(NULL, &lvl), -EINVAL);
	assert_int_equal(lvl, LOG_LEVEL_INFO);
}

static void
test_module_names_find_and_unknown_enoent(void **state)
{
	(void)state;
	assert_int_equal(log_module_find("sip"), LOG_MOD_SIP);
	assert_int_equal(log_module_find("admin"), LOG_MOD_ADMIN);
	assert_string_equal(log_module_str(LOG_MOD_PIDF), "pidf");
	assert_int_equal(log_module_find("nope"), -ENOENT);
	assert_int_equal(log_module_set_level("nope", LOG_LEVEL_INFO), -ENOENT);
	assert_int_equal(log_module_set_level("sip", LOG_LEVEL_COUNT), -EINVAL);
}

static void
test_default_level_is_notice(void **state)
{
	(void)state;
	assert_true(LOG_ENABLED(SIP, NOTICE));
	assert_false(LOG_ENABLED(SIP, INFO));
	assert_int_equal(log_module_get_level(LOG_MOD_DNS), LOG_LEVEL_NOTICE);
}

static void
test_levels_filter_per_module(void **state)
{
	(void)state;
	assert_int_equal(log_module_set_level("sip", LOG_LEVEL_DEBUG), 0);
	assert_int_equal(log_module_set_level("dns", LOG_LEVEL_ERROR), 0);
	LOG(SIP, DEBUG, "sip debug");
	LOG(DNS, WARN, "dns warn");
	LOG(DNS, ERROR, "dns error");
	LOG(PRES, INFO, "pres info");
	LOG(PRES, NOTICE, "pres notice");
	assert_non_null(strstr(out(), "sip debug"));
	assert_null(strstr(out(), "dns warn"));
	assert_non_null(strstr(out(), "dns error"));
	assert_null(strstr(out(), "pres info"));
	assert_non_null(strstr(out(), "pres notice"));
	assert_int_equal(out_lines(), 3);
}

static void
test_star_sets_every_module(void **state)
{
	(void)state;
	assert_int_equal(log_module_set_level("*", LOG_LEVEL_ERROR), 0);
	for (unsigned i = 0; i < LOG_MOD_COUNT; i++)
		assert_int_equal(log_module_get_level(i), LOG_LEVEL_ERROR);
}

static int
count_call(int *calls)
{
	return ++*calls;
}

static void
test_disabled_level_does_not_evaluate_arguments(void **state)
{
	int calls = 0;

	(void)state;
	LOG(SIP, DEBUG, "%d", count_call(&calls));
	assert_int_equal(calls, 0);
	LOG(SIP, ERROR, "%d", count_call(&calls));
	assert_int_equal(calls, 1);
}

static void
test_line_has_utc_ms_timestamp_level_and_module(void **state)
{
	(void)state;
	LOG(SIP, WARN, "hello %d", 42);
	assert_string_equal(
		out(), "2023-11-14T22:13:20.123Z warn sip: hello 42\n");
}

static void
test_trailing_newline_is_not_doubled(void **state)
{
	(void)state;
	LOG(CFG, ERROR, "bad key\n");
	assert_string_equal(
		out(), "2023-11-14T22:13:20.123Z error cfg: bad key\n");
}

static void
test_long_message_is_truncated_with_ellipsis(void **state)
{
	char big[4 * LOG_LINE_MAX];
	const char *o;
	size_t len;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	LOG(TLS, ERROR, "%s", big);
	o = out();
	len = strlen(o);
	assert_true(len <= LOG_LINE_MAX);
	assert_int_equal(out_lines(), 1);
	assert_memory_equal(o + len - 4, "...\n", 4);
}

static void
test_logging_preserves_errno(void **state)
{
	(void)state;
	errno = EPIPE;
	LOG(CTL, ERROR, "write failed");
	assert_int_equal(errno, EPIPE);
}

/* Each rate-limit test has its own call site (its own static state). */
static void
rl_site_three(int i)
{
	LOG_RL_N(SIP, WARN, 3, "flood %d", i);
}

static void
test_rate_limit_suppresses_and_reports_count(void **state)
{
	const char *last;

	(void)state;
	for (int i = 0; i < 25; i++)
		rl_site_three(i);
	assert_int_equal(out_lines(), 3);
	assert_null(strstr(out(), "suppressed"));
	/* the next second: one line carrying the count */
	atomic_fetch_add(&test_mono_ns, TIME_NS_PER_SEC);
	rl_site_three(99);
	assert_int_equal(out_lines(), 4);
	last = strstr(out(), "flood 99");
	assert_non_null(last);
	assert_string_equal(last, "flood 99 (suppressed 22 similar)\n");
	/* nothing dropped since: no suffix */
	rl_site_three(100);
	assert_non_null(strstr(out(), "flood 100\n"));
}

static void
rl_site_default(void)
{
	LOG_RL(PRES, ERROR, "default");
}

static void
test_rate_limit_default_is_ten_per_second(void **state)
{
	(void)state;
	for (int i = 0; i < 100; i++)
		rl_site_default();
	assert_int_equal(out_lines(), LOG_RL_DEFAULT);
}

static void
rl_site_disabled(void)
{
	LOG_RL_N(LB, DEBUG, 1, "never");
}

static void
test_rate_limit_of_disabled_level_counts_nothing(void **state)
{
	(void)state;
	for (int i = 0; i < 10; i++)
		rl_site_disabled();
	assert_int_equal(log_module_set_level("lb", LOG_LEVEL_DEBUG), 0);
	rl_site_disabled();
	assert_string_equal(strstr(out(), "lb: "), "lb: never\n");
}

static void
rl_site_threads(void)
{
	LOG_RL_N(DP, WARN, 5, "threaded");
}

static void *
rl_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < RL_CALLS_PER_THREAD; i++)
		rl_site_threads();
	return NULL;
}

static void
test_rate_limit_is_exact_across_threads(void **state)
{
	pthread_t th[RL_THREADS];
	char expect[64];

	(void)state;
	for (int i = 0; i < RL_THREADS; i++)
		assert_int_equal(
			pthread_create(&th[i], NULL, rl_thread, NULL), 0);
	for (int i = 0; i < RL_THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(out_lines(), 5);
	atomic_fetch_add(&test_mono_ns, TIME_NS_PER_SEC);
	rl_site_threads();
	snprintf(expect, sizeof(expect), "threaded (suppressed %d similar)\n",
		RL_THREADS * RL_CALLS_PER_THREAD - 5);
	assert_non_null(strstr(out(), expect));
}

static void
test_rl_acquire_budget_renews_each_second(void **state)
{
	struct log_rl rl = {0};
	uint64_t supp = 7;

	(void)state;
	assert_int_equal(log_rl_acquire(&rl, 2, &supp), 0);
	assert_int_equal(supp, 0);
	assert_int_equal(log_rl_acquire(&rl, 2, &supp), 0);
	assert_int_equal(log_rl_acquire(&rl, 2, &supp), -EAGAIN);
	assert_int_equal(log_rl_acquire(&rl, 2, &supp), -EAGAIN);
	atomic_fetch_add(&test_mono_ns, TIME_NS_PER_SEC / 2);
	assert_int_equal(log_rl_acquire(&rl, 2, &supp), -EAGAIN);
	atomic_fetch_add(&test_mono_ns, TIME_NS_PER_SEC / 2);
	assert_int_equal(log_rl_acquire(&rl, 2, &supp), 0);
	assert_int_equal(supp, 3);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_level_names_round_trip),
		T(test_level_parse_accepts_case_and_aliases),
		T(test_level_parse_rejects_unknown_einval),
		T(test_module_names_find_and_unknown_enoent),
		T(test_default_level_is_notice),
		T(test_levels_filter_per_module),
		T(test_star_sets_every_module),
		T(test_disabled_level_does_not_evaluate_arguments),
		T(test_line_has_utc_ms_timestamp_level_and_module),
		T(test_trailing_newline_is_not_doubled),
		T(test_long_message_is_truncated_with_ellipsis),
		T(test_logging_preserves_errno),
		T(test_rate_limit_suppresses_and_reports_count),
		T(test_rate_limit_default_is_ten_per_second),
		T(test_rate_limit_of_disabled_level_counts_nothing),
		T(test_rate_limit_is_exact_across_threads),
		T(test_rl_acquire_budget_renews_each_second),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
