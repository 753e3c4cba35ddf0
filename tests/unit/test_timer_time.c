/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: platform/timer/time.h (clocks and conversions). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "platform/timer/time.h"

static void
test_monotonic_clock_never_goes_back(void **state)
{
	uint64_t prev = time_now_ns();

	(void)state;
	for (int i = 0; i < 100000; i++) {
		uint64_t now = time_now_ns();

		assert_true(now >= prev);
		prev = now;
	}
}

static void
test_realtime_clock_is_after_2020(void **state)
{
	/* 2020-01-01T00:00:00Z */
	const uint64_t y2020 = UINT64_C(1577836800) * TIME_NS_PER_SEC;

	(void)state;
	assert_true(time_realtime_ns() > y2020);
}

static void
test_conversions_round_down_except_ms_ceil(void **state)
{
	(void)state;
	assert_int_equal(time_ns_to_us(1999), 1);
	assert_int_equal(time_ns_to_ms(1999999), 1);
	assert_int_equal(time_ns_to_s(1999999999), 1);
	assert_int_equal(time_ns_to_ms_ceil(0), 0);
	assert_int_equal(time_ns_to_ms_ceil(1), 1);
	assert_int_equal(time_ns_to_ms_ceil(TIME_NS_PER_MS), 1);
	assert_int_equal(time_ns_to_ms_ceil(TIME_NS_PER_MS + 1), 2);
	assert_int_equal(time_us_to_ns(3), 3000);
	assert_int_equal(time_ms_to_ns(500), 500 * TIME_NS_PER_MS);
	assert_int_equal(time_s_to_ns(32), 32 * TIME_NS_PER_SEC);
}

static void
test_conversions_to_ns_saturate(void **state)
{
	(void)state;
	assert_int_equal(time_us_to_ns(UINT64_MAX / 10), UINT64_MAX);
	assert_int_equal(time_ms_to_ns(UINT64_MAX / 1000), UINT64_MAX);
	assert_int_equal(time_s_to_ns(UINT64_MAX / 1000), UINT64_MAX);
	assert_int_equal(time_add_ns(UINT64_MAX - 5, 10), UINT64_MAX);
	assert_int_equal(time_add_ns(5, 10), 15);
}

static void
test_timespec_round_trip(void **state)
{
	const uint64_t ns = UINT64_C(1234567890123456789);
	struct timespec ts = time_ns_to_timespec(ns);

	(void)state;
	assert_int_equal(ts.tv_sec, 1234567890);
	assert_int_equal(ts.tv_nsec, 123456789);
	assert_int_equal(time_timespec_to_ns(&ts), ns);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monotonic_clock_never_goes_back),
		cmocka_unit_test(test_realtime_clock_is_after_2020),
		cmocka_unit_test(test_conversions_round_down_except_ms_ceil),
		cmocka_unit_test(test_conversions_to_ns_saturate),
		cmocka_unit_test(test_timespec_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
