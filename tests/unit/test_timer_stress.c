/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: platform/timer/timer.h under load. Many timers with random
 * deadlines, advanced in random steps: each fires exactly once, never before
 * its deadline, and in the first advance that reaches its tick.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "platform/timer/time.h"
#include "platform/timer/timer.h"

#define EPOCH (UINT64_C(987654321) * TIME_NS_PER_SEC + 4321)
#define TICK TIME_NS_PER_MS
#define SEC TIME_NS_PER_SEC
#define HOUR (UINT64_C(3600) * SEC)
#define DAY (UINT64_C(24) * HOUR)
#define N_TIMERS 1000000u
#define N_CHURN 200000u
/* The churn phase stops re-arming after this; then everything drains. */
#define CHURN_END (EPOCH + 2 * HOUR)

struct st {
	struct timer t;
	uint64_t deadline; /* absolute ns */
	uint64_t add_adv;  /* advance call in progress (or last) at add time */
	bool armed;	   /* model: added and not yet fired or cancelled */
};

/* The test's model of time and what went wrong (checked after the run). */
struct run {
	struct timer_wheel *w;
	struct st *st;
	unsigned n;
	uint64_t rng;
	uint64_t now;	   /* now of the advance in progress or last done */
	uint64_t prev_now; /* now of the advance before that */
	uint64_t adv;	   /* advance calls so far */
	bool churn;	   /* callbacks cancel and re-add at random */
	unsigned fired, twice, early, late;
};

static struct run R;

static uint64_t
rnd(void)
{
	/* xorshift64*: deterministic, good enough to scatter deadlines */
	R.rng ^= R.rng >> 12;
	R.rng ^= R.rng << 25;
	R.rng ^= R.rng >> 27;
	return R.rng * UINT64_C(2685821657736338717);
}

/* Deadline rounded up to the wheel's tick: when it must have fired by. */
static uint64_t
expire_ns(uint64_t deadline)
{
	uint64_t d = deadline <= EPOCH ? 0 : deadline - EPOCH;

	return EPOCH + (d + TICK - 1) / TICK * TICK;
}

static void
st_add(struct st *s, uint64_t deadline)
{
	s->deadline = deadline;
	s->add_adv = R.adv;
	s->armed = true;
	timer_add(R.w, &s->t, deadline);
}

static void
st_cancel(struct st *s)
{
	s->armed = false;
	timer_cancel(R.w, &s->t);
}

/* A random deadline around now: some past, most within 10 s, a few far. */
static uint64_t
churn_deadline(void)
{
	uint64_t r = rnd() % 100;

	if (r < 5)
		return R.now - rnd() % (100 * TIME_NS_PER_MS);
	if (r < 95)
		return R.now + rnd() % (10 * SEC);
	return R.now + rnd() % DAY;
}

static void
churn(struct st *self)
{
	struct st *other = &R.st[rnd() % R.n];

	switch (rnd() % 4) {
	case 0:
		st_cancel(other);
		break;
	case 1:
		st_add(other, churn_deadline());
		break;
	case 2:
		if (self != NULL)
			st_add(self, churn_deadline());
		break;
	default:
		break;
	}
}

static void
st_cb(struct timer_wheel *w, struct timer *t, void *arg)
{
	struct st *s = arg;

	(void)w;
	(void)t;
	R.fired++;
	if (!s->armed)
		R.twice++;
	s->armed = false;
	if (R.now < s->deadline)
		R.early++;
	/* an advance after the add's own one had reached the tick already */
	if (R.adv - 1 > s->add_adv && R.prev_now >= expire_ns(s->deadline))
		R.late++;
	if (R.churn)
		churn(s);
}

static void
run_advance(uint64_t now)
{
	R.prev_now = R.now;
	R.now = now;
	R.adv++;
	timer_wheel_advance(R.w, now);
}

static void
run_setup(unsigned n, uint64_t seed)
{
	R = (struct run){.n = n, .rng = seed, .now = EPOCH};
	R.w = timer_wheel_create(EPOCH, TICK);
	assert_non_null(R.w);
	R.st = calloc(n, sizeof(*R.st));
	assert_non_null(R.st);
	for (unsigned i = 0; i < n; i++)
		timer_init(&R.st[i].t, st_cb, &R.st[i]);
}

static void
run_check_and_free(void)
{
	unsigned armed = 0;

	for (unsigned i = 0; i < R.n; i++)
		armed += R.st[i].armed;
	assert_int_equal(armed, 0);
	assert_int_equal(timer_wheel_count(R.w), 0);
	assert_int_equal(R.twice, 0);
	assert_int_equal(R.early, 0);
	assert_int_equal(R.late, 0);
	free(R.st);
	timer_wheel_destroy(R.w);
}

/* 70% within 10 s, 20% within 3 h, 10% within 100 days (past the span). */
static uint64_t
spread_deadline(void)
{
	uint64_t r = rnd() % 10;

	if (r < 7)
		return EPOCH + rnd() % (10 * SEC);
	if (r < 9)
		return EPOCH + rnd() % (3 * HOUR);
	return EPOCH + rnd() % (100 * DAY);
}

static void
test_million_random_timers_fire_once_on_time(void **state)
{
	uint64_t now = EPOCH;

	(void)state;
	run_setup(N_TIMERS, 0x9e3779b97f4a7c15ull);
	for (unsigned i = 0; i < N_TIMERS; i++)
		st_add(&R.st[i], spread_deadline());
	assert_int_equal(timer_wheel_count(R.w), N_TIMERS);
	/* steps up to 2 ticks, then up to 1 s, then up to 1 h */
	while (now < EPOCH + 10 * SEC + SEC) {
		now += rnd() % (2 * TICK + 1);
		run_advance(now);
	}
	while (now < EPOCH + 3 * HOUR + SEC) {
		now += rnd() % SEC;
		run_advance(now);
	}
	while (now < EPOCH + 100 * DAY + HOUR) {
		now += rnd() % HOUR;
		run_advance(now);
	}
	assert_int_equal(R.fired, N_TIMERS);
	run_check_and_free();
}

static void
test_churn_from_callbacks_fires_each_once(void **state)
{
	uint64_t now = EPOCH;

	(void)state;
	run_setup(N_CHURN, 0x2545f4914f6cdd1dull);
	for (unsigned i = 0; i < N_CHURN; i++)
		st_add(&R.st[i], EPOCH + rnd() % (10 * SEC));
	R.churn = true;
	while (now < CHURN_END) {
		now += rnd() % (3 * TICK);
		if (now > EPOCH + 20 * SEC)
			now += rnd() % SEC;
		/* outside callbacks too */
		churn(NULL);
		run_advance(now);
	}
	R.churn = false;
	/* drain: far deadlines are within a day; the due list needs one more */
	run_advance(now + 2 * DAY);
	run_advance(now + 2 * DAY);
	run_check_and_free();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_million_random_timers_fire_once_on_time),
		cmocka_unit_test(test_churn_from_callbacks_fires_each_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
