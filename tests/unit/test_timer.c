/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: platform/timer/timer.h, one behaviour per test. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "platform/timer/time.h"
#include "platform/timer/timer.h"

/* An arbitrary CLOCK_MONOTONIC-like epoch, far from 0 and not tick-aligned. */
#define EPOCH (UINT64_C(123456789) * TIME_NS_PER_SEC + 777)
#define MS TIME_NS_PER_MS
#define SEC TIME_NS_PER_SEC
#define HOUR (UINT64_C(3600) * SEC)
#define DAY (UINT64_C(24) * HOUR)
#define YEAR (UINT64_C(365) * DAY)
#define MAX_RECORD 64

/* What callbacks saw: the order they ran in. */
struct record {
	unsigned n;
	int ids[MAX_RECORD];
};

struct ttimer {
	struct timer t;
	int id;
	struct record *rec;
	struct ttimer *victim; /* cancelled by this timer's callback */
	uint64_t readd_ns;     /* re-added at this deadline when non-zero */
	unsigned readd_left;   /* how many more re-adds */
};

static void
record_cb(struct timer_wheel *w, struct timer *t, void *arg)
{
	struct ttimer *tt = arg;

	assert_ptr_equal(&tt->t, t);
	assert_false(timer_is_pending(t));
	assert_true(tt->rec->n < MAX_RECORD);
	tt->rec->ids[tt->rec->n++] = tt->id;
	if (tt->victim != NULL)
		timer_cancel(w, &tt->victim->t);
	if (tt->readd_left > 0) {
		tt->readd_left--;
		timer_add(w, t, tt->readd_ns);
		tt->readd_ns += 10 * MS;
	}
}

static void
ttimer_init(struct ttimer *tt, int id, struct record *rec)
{
	*tt = (struct ttimer){.id = id, .rec = rec};
	timer_init(&tt->t, record_cb, tt);
}

static struct timer_wheel *
wheel_1ms(void)
{
	struct timer_wheel *w = timer_wheel_create(EPOCH, MS);

	assert_non_null(w);
	return w;
}

static void
test_create_with_zero_tick_fails_einval(void **state)
{
	(void)state;
	errno = 0;
	assert_null(timer_wheel_create(EPOCH, 0));
	assert_int_equal(errno, EINVAL);
}

static void
test_timer_fires_at_its_tick_not_before(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer a;

	(void)state;
	ttimer_init(&a, 1, &rec);
	/* 5.5 ms rounds up to tick 6 */
	timer_add(w, &a.t, EPOCH + 5 * MS + MS / 2);
	assert_true(timer_is_pending(&a.t));
	assert_int_equal(timer_expire_ns(w, &a.t), EPOCH + 6 * MS);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 5 * MS + MS / 2), 0);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 6 * MS - 1), 0);
	assert_int_equal(rec.n, 0);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 6 * MS), 1);
	assert_int_equal(rec.n, 1);
	assert_false(timer_is_pending(&a.t));
	assert_int_equal(timer_wheel_count(w), 0);
	timer_wheel_destroy(w);
}

static void
test_deadline_on_a_tick_fires_at_that_tick(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer a;

	(void)state;
	ttimer_init(&a, 1, &rec);
	timer_add(w, &a.t, EPOCH + 3 * MS);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 3 * MS - 1), 0);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 3 * MS), 1);
	timer_wheel_destroy(w);
}

static void
test_timers_fire_in_deadline_order_across_levels(void **state)
{
	/* one per level (distances in ticks), added out of order */
	static const uint64_t ticks[] = {
		70000000, 3, 20000, 300, 2000000, 255, 256, 16384, 1};
	const unsigned n = sizeof(ticks) / sizeof(ticks[0]);
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer tt[sizeof(ticks) / sizeof(ticks[0])];
	uint64_t prev = 0;

	(void)state;
	for (unsigned i = 0; i < n; i++) {
		ttimer_init(&tt[i], (int)i, &rec);
		timer_add(w, &tt[i].t, EPOCH + ticks[i] * MS);
	}
	/* steps of 7 ms up to 2e6 ticks, then one jump */
	for (uint64_t now = EPOCH; now < EPOCH + 2100000 * MS; now += 7 * MS)
		timer_wheel_advance(w, now);
	timer_wheel_advance(w, EPOCH + 70000000 * MS);
	assert_int_equal(rec.n, n);
	for (unsigned i = 0; i < n; i++) {
		uint64_t t = ticks[rec.ids[i]];

		assert_true(t > prev);
		prev = t;
	}
	timer_wheel_destroy(w);
}

static void
test_same_tick_timers_run_in_add_order(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer tt[4];

	(void)state;
	for (int i = 0; i < 4; i++) {
		ttimer_init(&tt[i], i, &rec);
		timer_add(w, &tt[i].t, EPOCH + 1000 * MS + (uint64_t)i);
	}
	assert_int_equal(timer_wheel_advance(w, EPOCH + 1001 * MS), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(rec.ids[i], i);
	timer_wheel_destroy(w);
}

static void
test_cancel_before_fire_prevents_callback(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer a, b;

	(void)state;
	ttimer_init(&a, 1, &rec);
	ttimer_init(&b, 2, &rec);
	timer_add(w, &a.t, EPOCH + 10 * MS);
	timer_add(w, &b.t, EPOCH + 100000 * MS); /* level 2 */
	assert_int_equal(timer_wheel_count(w), 2);
	timer_cancel(w, &a.t);
	timer_cancel(w, &b.t);
	assert_false(timer_is_pending(&a.t));
	assert_int_equal(timer_wheel_count(w), 0);
	assert_int_equal(timer_wheel_next_deadline(w), UINT64_MAX);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 200000 * MS), 0);
	assert_int_equal(rec.n, 0);
	timer_wheel_destroy(w);
}

static void
test_cancel_of_non_pending_timer_is_harmless(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer a;

	(void)state;
	ttimer_init(&a, 1, &rec);
	timer_cancel(w, &a.t); /* never added */
	timer_add(w, &a.t, EPOCH + MS);
	timer_cancel(w, &a.t);
	timer_cancel(w, &a.t); /* twice */
	timer_add(w, &a.t, EPOCH + MS);
	assert_int_equal(timer_wheel_advance(w, EPOCH + MS), 1);
	timer_cancel(w, &a.t); /* after firing */
	assert_int_equal(timer_wheel_count(w), 0);
	timer_wheel_destroy(w);
}

static void
test_cancel_from_callback_of_other_timer_in_same_tick(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer a, b, c;

	(void)state;
	ttimer_init(&a, 1, &rec);
	ttimer_init(&b, 2, &rec);
	ttimer_init(&c, 3, &rec);
	a.victim = &b;
	timer_add(w, &a.t, EPOCH + 5 * MS);
	timer_add(w, &b.t, EPOCH + 5 * MS);
	timer_add(w, &c.t, EPOCH + 5 * MS);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 5 * MS), 2);
	assert_int_equal(rec.n, 2);
	assert_int_equal(rec.ids[0], 1);
	assert_int_equal(rec.ids[1], 3);
	assert_false(timer_is_pending(&b.t));
	assert_int_equal(timer_wheel_count(w), 0);
	timer_wheel_destroy(w);
}

static void
test_cancel_from_callback_of_timer_in_later_tick(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer a, b;

	(void)state;
	ttimer_init(&a, 1, &rec);
	ttimer_init(&b, 2, &rec);
	a.victim = &b;
	timer_add(w, &a.t, EPOCH + 5 * MS);
	timer_add(w, &b.t, EPOCH + 6 * MS);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 10 * MS), 1);
	assert_int_equal(rec.ids[0], 1);
	timer_wheel_destroy(w);
}

static void
test_readd_from_callback_fires_again(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer a;

	(void)state;
	ttimer_init(&a, 1, &rec);
	a.readd_left = 2;
	a.readd_ns = EPOCH + 20 * MS; /* then 30 ms */
	timer_add(w, &a.t, EPOCH + 10 * MS);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 10 * MS), 1);
	assert_true(timer_is_pending(&a.t));
	assert_int_equal(timer_wheel_advance(w, EPOCH + 19 * MS), 0);
	/* 20 and 30 both within one advance: the re-add runs in it */
	assert_int_equal(timer_wheel_advance(w, EPOCH + 40 * MS), 2);
	assert_int_equal(rec.n, 3);
	assert_false(timer_is_pending(&a.t));
	timer_wheel_destroy(w);
}

static void
test_readd_of_pending_timer_moves_it(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer a;

	(void)state;
	ttimer_init(&a, 1, &rec);
	timer_add(w, &a.t, EPOCH + 100000 * MS);
	timer_add(w, &a.t, EPOCH + 50 * MS);
	assert_int_equal(timer_wheel_count(w), 1);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 50 * MS), 1);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 200000 * MS), 0);
	assert_int_equal(rec.n, 1);
	timer_wheel_destroy(w);
}

static void
test_deadline_in_past_fires_at_next_advance(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer a, b;

	(void)state;
	ttimer_init(&a, 1, &rec);
	ttimer_init(&b, 2, &rec);
	timer_wheel_advance(w, EPOCH + 100 * MS);
	timer_add(w, &a.t, EPOCH + 10 * MS);
	timer_add(w, &b.t, 0); /* before the epoch */
	assert_true(timer_wheel_next_deadline(w) <= EPOCH + 100 * MS);
	assert_int_equal(timer_wheel_timeout_ms(w, EPOCH + 100 * MS), 0);
	/* same now as the last advance: still runs */
	assert_int_equal(timer_wheel_advance(w, EPOCH + 100 * MS), 2);
	assert_int_equal(timer_wheel_count(w), 0);
	timer_wheel_destroy(w);
}

static void
rearm_in_past_cb(struct timer_wheel *w, struct timer *t, void *arg)
{
	unsigned *calls = arg;

	(*calls)++;
	timer_add(w, t, EPOCH);
}

static void
test_callback_rearming_in_past_runs_once_per_advance(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct timer t;
	unsigned calls = 0;

	(void)state;
	timer_init(&t, rearm_in_past_cb, &calls);
	timer_add(w, &t, EPOCH + 2 * MS);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 5 * MS), 1);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 5 * MS), 1);
	assert_int_equal(calls, 2);
	assert_true(timer_is_pending(&t));
	timer_cancel(w, &t);
	timer_wheel_destroy(w);
}

static void
rearm_same_tick_cb(struct timer_wheel *w, struct timer *t, void *arg)
{
	unsigned *calls = arg;

	if ((*calls)++ == 0)
		timer_add(w, t, EPOCH + 5 * MS - 1); /* the tick being run */
}

static void
test_readd_for_the_running_tick_runs_at_next_advance(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct timer t;
	unsigned calls = 0;

	(void)state;
	timer_init(&t, rearm_same_tick_cb, &calls);
	timer_add(w, &t, EPOCH + 5 * MS);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 5 * MS), 1);
	assert_true(timer_is_pending(&t));
	assert_int_equal(timer_wheel_timeout_ms(w, EPOCH + 5 * MS), 0);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 5 * MS), 1);
	assert_int_equal(calls, 2);
	timer_wheel_destroy(w);
}

static void
add_next_tick_cb(struct timer_wheel *w, struct timer *t, void *arg)
{
	struct ttimer *other = arg;

	(void)t;
	timer_add(w, &other->t, EPOCH + 6 * MS);
}

static void
test_add_from_callback_for_later_tick_runs_now(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer b;
	struct timer a;

	(void)state;
	ttimer_init(&b, 2, &rec);
	timer_init(&a, add_next_tick_cb, &b);
	timer_add(w, &a, EPOCH + 5 * MS);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 6 * MS), 2);
	assert_int_equal(rec.n, 1);
	timer_wheel_destroy(w);
}

static void
free_self_cb(struct timer_wheel *w, struct timer *t, void *arg)
{
	unsigned *calls = arg;

	(void)w;
	(*calls)++;
	free(t);
}

static void
test_callback_may_free_its_timer(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	unsigned calls = 0;

	(void)state;
	for (int i = 0; i < 3; i++) {
		struct timer *t = malloc(sizeof(*t));

		assert_non_null(t);
		timer_init(t, free_self_cb, &calls);
		timer_add(w, t, EPOCH + MS);
	}
	assert_int_equal(timer_wheel_advance(w, EPOCH + MS), 3);
	assert_int_equal(calls, 3);
	timer_wheel_destroy(w);
}

/* Advance by steps to just before deadline, then check the exact tick. */
static void
check_far_deadline(uint64_t tick_ns, uint64_t distance_ns, uint64_t step_ns)
{
	struct timer_wheel *w = timer_wheel_create(EPOCH, tick_ns);
	struct record rec = {0};
	struct ttimer a;
	uint64_t deadline = EPOCH + distance_ns;
	uint64_t now;

	assert_non_null(w);
	ttimer_init(&a, 1, &rec);
	timer_add(w, &a.t, deadline);
	for (now = EPOCH; now + step_ns < deadline; now += step_ns) {
		assert_int_equal(timer_wheel_advance(w, now), 0);
		assert_true(timer_wheel_next_deadline(w) <= deadline);
	}
	assert_int_equal(timer_wheel_advance(w, deadline - 1), 0);
	assert_int_equal(timer_wheel_next_deadline(w), deadline);
	assert_int_equal(timer_wheel_advance(w, deadline), 1);
	assert_int_equal(rec.n, 1);
	timer_wheel_destroy(w);
}

static void
test_one_year_deadline_fires_on_time_10ms_tick(void **state)
{
	(void)state;
	/* within the wheel's span (497 days at 10 ms): cascades only */
	check_far_deadline(10 * MS, YEAR + 1234 * 10 * MS, HOUR);
}

static void
test_deadline_beyond_span_fires_on_time_1ms_tick(void **state)
{
	(void)state;
	/* 1 ms ticks span 49.7 days: a year is parked and re-cascaded */
	check_far_deadline(MS, YEAR + 77 * MS, 6 * HOUR);
	check_far_deadline(MS, 3 * YEAR + 5 * MS, 30 * DAY);
}

static void
test_far_deadline_fires_when_jumped_over(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer a;

	(void)state;
	ttimer_init(&a, 1, &rec);
	timer_add(w, &a.t, EPOCH + 2 * YEAR);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 2 * YEAR - 1), 0);
	assert_int_equal(timer_wheel_advance(w, EPOCH + 3 * YEAR), 1);
	timer_wheel_destroy(w);
}

struct gap_ctx {
	unsigned fired;
	uint64_t last_expire;
	bool ordered;
};

static void
gap_cb(struct timer_wheel *w, struct timer *t, void *arg)
{
	struct gap_ctx *g = arg;
	uint64_t e = timer_expire_ns(w, t);

	g->fired++;
	if (e < g->last_expire)
		g->ordered = false;
	g->last_expire = e;
}

static void
test_large_gap_advance_runs_all_due_in_order(void **state)
{
	enum { N = 10000 };
	struct timer_wheel *w = wheel_1ms();
	struct timer *t = calloc(N, sizeof(*t));
	struct gap_ctx g = {.ordered = true};
	uint64_t x = 88172645463325252ull;

	(void)state;
	assert_non_null(t);
	for (unsigned i = 0; i < N; i++) {
		/* xorshift64: deadlines spread over five hours */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		timer_init(&t[i], gap_cb, &g);
		/* the first one lies beyond the jump and must stay */
		timer_add(
			w, &t[i], EPOCH + (i == 0 ? 6 * HOUR : x % (5 * HOUR)));
	}
	assert_int_equal(timer_wheel_advance(w, EPOCH + 5 * HOUR), N - 1);
	assert_int_equal(g.fired, N - 1);
	assert_true(g.ordered);
	assert_int_equal(timer_wheel_count(w), 1);
	free(t);
	timer_wheel_destroy(w);
}

static void
test_next_deadline_is_exact_in_level_0_and_never_late(void **state)
{
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer a, b;

	(void)state;
	assert_int_equal(timer_wheel_next_deadline(w), UINT64_MAX);
	assert_int_equal(timer_wheel_timeout_ms(w, EPOCH), -1);
	ttimer_init(&a, 1, &rec);
	ttimer_init(&b, 2, &rec);
	timer_add(w, &a.t, EPOCH + 100 * MS + 1);
	assert_int_equal(timer_wheel_next_deadline(w), EPOCH + 101 * MS);
	assert_int_equal(timer_wheel_timeout_ms(w, EPOCH + MS / 2), 101);
	timer_add(w, &b.t, EPOCH + 50 * MS);
	assert_int_equal(timer_wheel_next_deadline(w), EPOCH + 50 * MS);
	timer_cancel(w, &b.t);
	timer_cancel(w, &a.t);
	/* level 2: a lower bound, never after the deadline */
	timer_add(w, &a.t, EPOCH + 300000 * MS);
	assert_true(timer_wheel_next_deadline(w) <= EPOCH + 300000 * MS);
	assert_true(timer_wheel_next_deadline(w) > EPOCH);
	timer_wheel_destroy(w);
}

static void
test_following_next_deadline_reaches_every_timer(void **state)
{
	static const uint64_t ticks[] = {7, 300, 70000, 5000000, 80000000000};
	const unsigned n = sizeof(ticks) / sizeof(ticks[0]);
	struct timer_wheel *w = wheel_1ms();
	struct record rec = {0};
	struct ttimer tt[sizeof(ticks) / sizeof(ticks[0])];
	unsigned wakeups = 0;
	uint64_t prev = 0;

	(void)state;
	for (unsigned i = 0; i < n; i++) {
		ttimer_init(&tt[i], (int)i, &rec);
		timer_add(w, &tt[i].t, EPOCH + ticks[i] * MS);
	}
	/* an event loop sleeping exactly until next_deadline each time */
	while (timer_wheel_count(w) > 0) {
		uint64_t next = timer_wheel_next_deadline(w);

		assert_true(next > prev);
		prev = next;
		timer_wheel_advance(w, next);
		wakeups++;
		assert_true(wakeups < 100);
	}
	assert_int_equal(rec.n, n);
	timer_wheel_destroy(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_with_zero_tick_fails_einval),
		cmocka_unit_test(test_timer_fires_at_its_tick_not_before),
		cmocka_unit_test(test_deadline_on_a_tick_fires_at_that_tick),
		cmocka_unit_test(
			test_timers_fire_in_deadline_order_across_levels),
		cmocka_unit_test(test_same_tick_timers_run_in_add_order),
		cmocka_unit_test(test_cancel_before_fire_prevents_callback),
		cmocka_unit_test(test_cancel_of_non_pending_timer_is_harmless),
		cmocka_unit_test(
			test_cancel_from_callback_of_other_timer_in_same_tick),
		cmocka_unit_test(
			test_cancel_from_callback_of_timer_in_later_tick),
		cmocka_unit_test(test_readd_from_callback_fires_again),
		cmocka_unit_test(test_readd_of_pending_timer_moves_it),
		cmocka_unit_test(test_deadline_in_past_fires_at_next_advance),
		cmocka_unit_test(
			test_callback_rearming_in_past_runs_once_per_advance),
		cmocka_unit_test(
			test_readd_for_the_running_tick_runs_at_next_advance),
		cmocka_unit_test(
			test_add_from_callback_for_later_tick_runs_now),
		cmocka_unit_test(test_callback_may_free_its_timer),
		cmocka_unit_test(
			test_one_year_deadline_fires_on_time_10ms_tick),
		cmocka_unit_test(
			test_deadline_beyond_span_fires_on_time_1ms_tick),
		cmocka_unit_test(test_far_deadline_fires_when_jumped_over),
		cmocka_unit_test(test_large_gap_advance_runs_all_due_in_order),
		cmocka_unit_test(
			test_next_deadline_is_exact_in_level_0_and_never_late),
		cmocka_unit_test(
			test_following_next_deadline_reaches_every_timer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
