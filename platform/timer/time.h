/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * time: the clocks and unit conversions the control plane uses.
 *
 * Deadlines are absolute CLOCK_MONOTONIC nanoseconds (DESIGN.md: "timers as
 * absolute deadlines"): they survive being stored, compared and handed to the
 * timer wheel without drifting. Wall-clock time (CLOCK_REALTIME) is only for
 * what humans or peers read: log timestamps, Date headers.
 *
 * Every function here is thread-safe and cannot fail. Conversions to
 * nanoseconds saturate at UINT64_MAX (which reads as "never") instead of
 * wrapping.
 *
 * Include as "platform/timer/time.h"; platform/timer/ is never put on the
 * include path, so this file does not shadow the C library's <time.h>.
 */
#ifndef SIPEDGE_PLATFORM_TIMER_TIME_H
#define SIPEDGE_PLATFORM_TIMER_TIME_H

#include <stdint.h>
#include <time.h>

#define TIME_NS_PER_US UINT64_C(1000)	 /**< nanoseconds in a microsecond */
#define TIME_NS_PER_MS UINT64_C(1000000) /**< nanoseconds in a millisecond */
#define TIME_NS_PER_SEC UINT64_C(1000000000) /**< nanoseconds in a second */

/**
 * Nanoseconds in a timespec.
 *
 * @param ts  a non-negative time (tv_nsec in [0, 1e9)).
 * @return ts in nanoseconds, saturated at UINT64_MAX.
 * Thread-safe; borrows ts for the call.
 */
static inline uint64_t
time_timespec_to_ns(const struct timespec *ts)
{
	uint64_t s = (uint64_t)ts->tv_sec;

	if (s > (UINT64_MAX - (uint64_t)ts->tv_nsec) / TIME_NS_PER_SEC)
		return UINT64_MAX;
	return s * TIME_NS_PER_SEC + (uint64_t)ts->tv_nsec;
}

/**
 * A timespec holding ns nanoseconds (for clock_nanosleep, timerfd...).
 *
 * @param ns  duration or absolute time in nanoseconds.
 * @return the timespec. Thread-safe.
 */
static inline struct timespec
time_ns_to_timespec(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / TIME_NS_PER_SEC),
		.tv_nsec = (long)(ns % TIME_NS_PER_SEC),
	};

	return ts;
}

/**
 * Now on CLOCK_MONOTONIC, in nanoseconds: the clock of every deadline.
 *
 * @return nanoseconds since an unspecified start (boot). Never goes back.
 * Thread-safe (vDSO call, no syscall on Linux x86-64).
 */
static inline uint64_t
time_now_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC always exists on Linux: the call cannot fail. */
	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return time_timespec_to_ns(&ts);
}

/**
 * Now on CLOCK_REALTIME (wall clock), in nanoseconds since the Unix epoch.
 * Steps when the clock is set: never use it for deadlines.
 *
 * @return nanoseconds since 1970-01-01T00:00:00Z. Thread-safe.
 */
static inline uint64_t
time_realtime_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return time_timespec_to_ns(&ts);
}

/** Whole microseconds in ns nanoseconds (rounded down). Thread-safe. */
static inline uint64_t
time_ns_to_us(uint64_t ns)
{
	return ns / TIME_NS_PER_US;
}

/** Whole milliseconds in ns nanoseconds (rounded down). Thread-safe. */
static inline uint64_t
time_ns_to_ms(uint64_t ns)
{
	return ns / TIME_NS_PER_MS;
}

/**
 * Milliseconds in ns nanoseconds rounded up: a poll/epoll timeout computed
 * with it never wakes before the deadline. Thread-safe.
 */
static inline uint64_t
time_ns_to_ms_ceil(uint64_t ns)
{
	return ns / TIME_NS_PER_MS + (ns % TIME_NS_PER_MS != 0);
}

/** Whole seconds in ns nanoseconds (rounded down). Thread-safe. */
static inline uint64_t
time_ns_to_s(uint64_t ns)
{
	return ns / TIME_NS_PER_SEC;
}

/** us microseconds in nanoseconds, saturated at UINT64_MAX. Thread-safe. */
static inline uint64_t
time_us_to_ns(uint64_t us)
{
	return us > UINT64_MAX / TIME_NS_PER_US ? UINT64_MAX
						: us * TIME_NS_PER_US;
}

/** ms milliseconds in nanoseconds, saturated at UINT64_MAX. Thread-safe. */
static inline uint64_t
time_ms_to_ns(uint64_t ms)
{
	return ms > UINT64_MAX / TIME_NS_PER_MS ? UINT64_MAX
						: ms * TIME_NS_PER_MS;
}

/** s seconds in nanoseconds, saturated at UINT64_MAX. Thread-safe. */
static inline uint64_t
time_s_to_ns(uint64_t s)
{
	return s > UINT64_MAX / TIME_NS_PER_SEC ? UINT64_MAX
						: s * TIME_NS_PER_SEC;
}

/**
 * base + delta nanoseconds, saturated at UINT64_MAX: "in delta from now"
 * as an absolute deadline that cannot wrap into the past. Thread-safe.
 */
static inline uint64_t
time_add_ns(uint64_t base, uint64_t delta)
{
	return delta > UINT64_MAX - base ? UINT64_MAX : base + delta;
}

#endif
