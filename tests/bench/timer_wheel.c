/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Benchmark: platform/timer wheel. Adds a few million timers with random
 * deadlines over a minute (1 ms tick), moves some, cancels some, then
 * advances 1 ms at a time until all have fired, and prints nanoseconds per
 * operation. No assertions on time: the numbers are for people.
 *
 * Usage: timer_wheel [TIMERS]   (default 4,000,000)
 */
#include <stdio.h>
#include <stdlib.h>

#include "platform/timer/time.h"
#include "platform/timer/timer.h"

#define BENCH_DEFAULT_TIMERS 4000000u
#define BENCH_TICK TIME_NS_PER_MS
#define BENCH_SPREAD (60 * TIME_NS_PER_SEC) /* deadlines within a minute */

static uint64_t bench_rng = 0x9e3779b97f4a7c15ull;

static uint64_t
bench_rnd(void)
{
	bench_rng ^= bench_rng >> 12;
	bench_rng ^= bench_rng << 25;
	bench_rng ^= bench_rng >> 27;
	return bench_rng * UINT64_C(2685821657736338717);
}

static void
bench_cb(struct timer_wheel *w, struct timer *t, void *arg)
{
	unsigned *fired = arg;

	(void)w;
	(void)t;
	(*fired)++;
}

static void
bench_print(const char *what, uint64_t ns, unsigned n)
{
	printf("%-8s %9u ops %8.1f ns/op\n", what, n,
		n ? (double)ns / (double)n : 0.0);
}

int
main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10)
			      : BENCH_DEFAULT_TIMERS;
	uint64_t epoch = time_now_ns();
	struct timer_wheel *w = timer_wheel_create(epoch, BENCH_TICK);
	struct timer *t = calloc(n, sizeof(*t));
	uint64_t *deadline = malloc(n * sizeof(*deadline));
	unsigned fired = 0, ran = 0;
	uint64_t t0, now;

	if (w == NULL || t == NULL || deadline == NULL || n == 0) {
		fprintf(stderr, "timer_wheel: cannot set up %u timers\n", n);
		return 1;
	}
	for (unsigned i = 0; i < n; i++) {
		timer_init(&t[i], bench_cb, &fired);
		deadline[i] = epoch + bench_rnd() % BENCH_SPREAD;
	}

	t0 = time_now_ns();
	for (unsigned i = 0; i < n; i++)
		timer_add(w, &t[i], deadline[i]);
	bench_print("add", time_now_ns() - t0, n);

	/* move every fourth timer: a cancel and an add in one call */
	for (unsigned i = 0; i < n; i += 4)
		deadline[i] = epoch + bench_rnd() % BENCH_SPREAD;
	t0 = time_now_ns();
	for (unsigned i = 0; i < n; i += 4)
		timer_add(w, &t[i], deadline[i]);
	bench_print("move", time_now_ns() - t0, (n + 3) / 4);

	t0 = time_now_ns();
	for (unsigned i = 1; i < n; i += 2)
		timer_cancel(w, &t[i]);
	bench_print("cancel", time_now_ns() - t0, n / 2);

	t0 = time_now_ns();
	for (now = epoch; timer_wheel_count(w) > 0; now += BENCH_TICK)
		ran += timer_wheel_advance(w, now);
	bench_print("fire", time_now_ns() - t0, ran);
	printf("fired %u of %u (%u cancelled)\n", fired, n, n / 2);

	free(deadline);
	free(t);
	timer_wheel_destroy(w);
	return fired == n - n / 2 ? 0 : 1;
}
