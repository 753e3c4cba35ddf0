/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * timer: a hierarchical (cascading) timer wheel for the control plane.
 *
 * Millions of timers (subscription, publication and registration expiries,
 * SIP transaction timers) with O(1) add and cancel. A timer is a struct timer
 * embedded in its owner; adding one never allocates.
 *
 * Deadlines are absolute CLOCK_MONOTONIC nanoseconds (see time.h). The wheel
 * counts ticks of tick_ns from the now_ns it was created with (its epoch); a
 * deadline is rounded UP to a tick, so a timer never fires early, and fires
 * in the first timer_wheel_advance() whose now has reached that tick, i.e.
 * less than one tick after its deadline when the wheel is advanced on time.
 *
 * Levels (like Linux's classic cascading wheel): level 0 has 256 slots of one
 * tick, levels 1 to 4 have 64 slots each, 64 times coarser at each level. The
 * wheel spans 2^32 ticks: about 497 days at 10 ms ticks, 49 days at 1 ms.
 * A deadline further away is parked in the top level and re-cascaded until it
 * comes within range, so any deadline (up to UINT64_MAX, "never") works.
 *
 * Thread-safety: none. A wheel and its timers belong to one thread (one wheel
 * per control-plane event loop); every call, including from callbacks, must
 * come from that thread.
 *
 * Typical event loop:
 *
 *	for (;;) {
 *		int ms = timer_wheel_timeout_ms(w, time_now_ns());
 *		n = epoll_wait(ep, evs, MAX_EVENTS, ms);
 *		...
 *		timer_wheel_advance(w, time_now_ns());
 *	}
 */
#ifndef SIPEDGE_PLATFORM_TIMER_TIMER_H
#define SIPEDGE_PLATFORM_TIMER_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timer_wheel;
struct timer;

/**
 * Called once when a timer is due, from timer_wheel_advance().
 *
 * The timer is no longer pending when the callback runs. The callback may
 * add or cancel any timer of the same wheel, itself included, and may free
 * the memory holding t (the wheel does not touch t after the call). It must
 * not destroy the wheel.
 *
 * @param wheel  the wheel running the timer.
 * @param t      the timer that expired.
 * @param arg    the arg given to timer_init().
 */
typedef void (*timer_cb)(struct timer_wheel *wheel, struct timer *t, void *arg);

/** Intrusive doubly linked list links (private to the wheel). */
struct timer_link {
	struct timer_link *next; /**< next in slot; NULL when not pending */
	struct timer_link *prev; /**< previous in slot */
};

/**
 * A timer, embedded in its owner. Initialise with timer_init(); the fields
 * are the wheel's while the timer is pending: read them only through the
 * functions below.
 */
struct timer {
	struct timer_link link; /**< slot list links; next NULL = not pending */
	uint64_t expire_tick; /**< deadline in ticks since the epoch, rounded up
			       */
	timer_cb cb;	      /**< called when due */
	void *arg;	      /**< passed to cb */
	uint32_t slot;	      /**< slot holding the timer while pending */
};

/**
 * Create a wheel.
 *
 * @param now_ns   current CLOCK_MONOTONIC time (time_now_ns()); the epoch:
 *                 tick 0 starts here.
 * @param tick_ns  the tick, the wheel's resolution (e.g. 1 ms or 10 ms).
 * @return the wheel, or NULL with errno EINVAL (tick_ns is 0) or ENOMEM.
 * The caller owns the wheel and frees it with timer_wheel_destroy().
 */
struct timer_wheel *timer_wheel_create(uint64_t now_ns, uint64_t tick_ns);

/**
 * Free a wheel. Pending timers are dropped without being called; their
 * memory stays their owners' (it was never the wheel's). NULL is a no-op.
 */
void timer_wheel_destroy(struct timer_wheel *wheel);

/**
 * Initialise a timer: not pending, with its callback.
 *
 * @param t    the timer (owned by the caller; must outlive its pending time).
 * @param cb   called when the timer is due; not NULL.
 * @param arg  passed to cb (borrowed, may be NULL).
 * Must not be called on a pending timer. Cannot fail.
 */
void timer_init(struct timer *t, timer_cb cb, void *arg);

/**
 * Arm a timer to fire at an absolute deadline. O(1), never allocates.
 *
 * A pending timer is moved to the new deadline. A deadline the wheel has
 * already advanced past runs at the next timer_wheel_advance() call, whatever
 * its now (from inside a callback: the next call, not the running one, so a
 * callback re-arming itself in the past cannot loop forever).
 *
 * @param wheel        the wheel (a timer belongs to one wheel at a time).
 * @param t            an initialised timer; the wheel links it but does not
 *                     own it: it must stay valid until it fires or is
 *                     cancelled.
 * @param deadline_ns  absolute CLOCK_MONOTONIC deadline; UINT64_MAX = never
 *                     in practice (it stays pending).
 * Cannot fail. Not thread-safe (see the file comment).
 */
void timer_add(
	struct timer_wheel *wheel, struct timer *t, uint64_t deadline_ns);

/**
 * Disarm a timer. O(1). A timer that is not pending (never added, already
 * fired or cancelled) is left alone, so this is always safe on an
 * initialised timer. After it returns the callback will not run.
 */
void timer_cancel(struct timer_wheel *wheel, struct timer *t);

/**
 * Whether the timer is armed: added and neither fired nor cancelled.
 * @param t an initialised timer.
 */
static inline bool
timer_is_pending(const struct timer *t)
{
	return t->link.next != NULL;
}

/**
 * The tick-rounded time at which a pending timer will fire: its deadline
 * rounded up to the wheel's tick. Meaningless for a timer that is not pending.
 *
 * @return absolute CLOCK_MONOTONIC ns, saturated at UINT64_MAX.
 */
uint64_t timer_expire_ns(
	const struct timer_wheel *wheel, const struct timer *t);

/**
 * Run every timer due at now_ns: first those whose tick the wheel had already
 * passed when they were added, then tick by tick, in deadline order at tick
 * granularity (timers of the same tick in the order they were added or
 * cascaded). Empty stretches are skipped with bitmaps, so jumping hours at
 * once costs only the slots that hold timers.
 *
 * Callbacks may add and cancel timers: a timer added for a later tick still
 * within now_ns runs in this same call; a cancelled one does not run. A now_ns
 * earlier than a previous call's runs nothing but already-due timers.
 *
 * @param wheel   the wheel.
 * @param now_ns  current CLOCK_MONOTONIC time.
 * @return how many callbacks ran.
 */
unsigned timer_wheel_advance(struct timer_wheel *wheel, uint64_t now_ns);

/**
 * When the wheel next has work: a lower bound, at tick granularity, on the
 * time at which timer_wheel_advance() will run a callback.
 *
 * Never later than the earliest pending deadline rounded up to the tick; it
 * is that exactly when the earliest timer sits in level 0 (within 256 ticks).
 * It may be earlier: the time a coarser slot must cascade toward level 0; an
 * advance to it then runs nothing, and the next call returns a later time
 * (at most one such early wake-up per cascade). When timers are already due
 * it returns a time no later than the now of the latest advance. Cost: a scan
 * of eight bitmap words at most.
 *
 * @return absolute CLOCK_MONOTONIC ns, or UINT64_MAX when nothing is pending.
 */
uint64_t timer_wheel_next_deadline(const struct timer_wheel *wheel);

/**
 * An epoll_wait()/poll() timeout for timer_wheel_next_deadline().
 *
 * @param now_ns current CLOCK_MONOTONIC time.
 * @return -1 when nothing is pending (wait forever), 0 when something is
 *         due, else milliseconds rounded up (so the wait never ends before
 *         the deadline), capped at INT_MAX.
 */
int timer_wheel_timeout_ms(const struct timer_wheel *wheel, uint64_t now_ns);

/** How many timers are pending. */
size_t timer_wheel_count(const struct timer_wheel *wheel);

/** The tick the wheel was created with, in nanoseconds. */
uint64_t timer_wheel_tick_ns(const struct timer_wheel *wheel);

#endif
