/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: control/admin/loop.h, one behaviour per test. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/admin/loop.h"
#include "platform/timer/time.h"
#include "platform/timer/timer.h"

/* What fd handlers saw. */
struct seen {
	struct loop *loop;
	int id;		   /**< which handler this is */
	unsigned calls;	   /**< how many times it ran */
	uint32_t revents;  /**< the last revents */
	unsigned stop_at;  /**< loop_stop() on this call (0: never) */
	int read_one;	   /**< read one byte per call */
	int victim_fd;	   /**< loop_fd_del() this fd on the first call */
	unsigned *n_total; /**< shared count of all handlers' calls */
};

static void
seen_cb(struct loop *loop, int fd, uint32_t revents, void *arg)
{
	struct seen *s = arg;
	char c;

	s->calls++;
	s->revents = revents;
	if (s->n_total != NULL)
		(*s->n_total)++;
	if (s->read_one)
		assert_int_equal(read(fd, &c, 1), 1);
	if (s->victim_fd >= 0) {
		assert_int_equal(loop_fd_del(loop, s->victim_fd), 0);
		s->victim_fd = -1;
	}
	if (s->stop_at != 0 && s->calls == s->stop_at)
		loop_stop(loop);
}

static struct seen
seen_make(struct loop *loop, int id)
{
	struct seen s = {.loop = loop, .id = id, .victim_fd = -1};

	return s;
}

static void
pipe_make(int p[2])
{
	assert_int_equal(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
}

static void
pipe_close(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* Stops the loop from the wheel after ms: the test's guard rail. */
struct stopper {
	struct timer t;
	struct loop *loop;
	unsigned fired;
};

static void
stopper_cb(struct timer_wheel *w, struct timer *t, void *arg)
{
	struct stopper *s = arg;

	(void)w;
	(void)t;
	s->fired++;
	loop_stop(s->loop);
}

static void
stopper_arm(struct stopper *s, struct loop *loop, unsigned ms)
{
	s->loop = loop;
	s->fired = 0;
	timer_init(&s->t, stopper_cb, s);
	timer_add(loop_timers(loop), &s->t, time_now_ns() + time_ms_to_ns(ms));
}

static void
test_fd_readiness_calls_that_fds_handler(void **state)
{
	struct loop *loop = loop_create(0, 1);
	int a[2], b[2];
	struct seen sa, sb;

	(void)state;
	assert_non_null(loop);
	pipe_make(a);
	pipe_make(b);
	sa = seen_make(loop, 1);
	sb = seen_make(loop, 2);
	sb.stop_at = 1;
	sb.read_one = 1;
	assert_int_equal(loop_fd_add(loop, a[0], EPOLLIN, seen_cb, &sa), 0);
	assert_int_equal(loop_fd_add(loop, b[0], EPOLLIN, seen_cb, &sb), 0);
	assert_int_equal(write(b[1], "x", 1), 1);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(sa.calls, 0);
	assert_int_equal(sb.calls, 1);
	assert_true(sb.revents & EPOLLIN);
	assert_int_equal(loop_fd_del(loop, a[0]), 0);
	assert_int_equal(loop_fd_del(loop, b[0]), 0);
	pipe_close(a);
	pipe_close(b);
	loop_destroy(loop);
}

static void
test_level_triggered_handler_runs_until_drained(void **state)
{
	struct loop *loop = loop_create(0, 1);
	struct seen s = seen_make(loop, 1);
	int p[2];

	(void)state;
	pipe_make(p);
	s.read_one = 1;
	s.stop_at = 3;
	assert_int_equal(loop_fd_add(loop, p[0], EPOLLIN, seen_cb, &s), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(s.calls, 3);
	pipe_close(p);
	loop_destroy(loop);
}

static void
test_edge_triggered_handler_runs_once_per_arrival(void **state)
{
	struct loop *loop = loop_create(0, 1);
	struct seen s = seen_make(loop, 1);
	struct stopper stop;
	int p[2];

	(void)state;
	pipe_make(p);
	s.read_one = 1; /* leaves two bytes unread */
	assert_int_equal(
		loop_fd_add(loop, p[0], EPOLLIN | EPOLLET, seen_cb, &s), 0);
	assert_int_equal(write(p[1], "abc", 3), 3);
	stopper_arm(&stop, loop, 20);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(stop.fired, 1);
	assert_int_equal(s.calls, 1);
	pipe_close(p);
	loop_destroy(loop);
}

static void
test_fd_mod_switches_to_writable(void **state)
{
	struct loop *loop = loop_create(0, 1);
	struct seen s = seen_make(loop, 1);
	struct stopper stop;
	int p[2];

	(void)state;
	pipe_make(p);
	s.stop_at = 1;
	assert_int_equal(loop_fd_add(loop, p[1], 0, seen_cb, &s), 0);
	assert_int_equal(loop_fd_mod(loop, p[1], EPOLLOUT), 0);
	stopper_arm(&stop, loop, 5000); /* only if the mod did not work */
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(s.calls, 1);
	assert_true(s.revents & EPOLLOUT);
	assert_int_equal(stop.fired, 0);
	timer_cancel(loop_timers(loop), &stop.t);
	pipe_close(p);
	loop_destroy(loop);
}

static void
test_handler_deleted_earlier_in_batch_is_not_called(void **state)
{
	struct loop *loop = loop_create(0, 1);
	struct seen sa = seen_make(loop, 1), sb = seen_make(loop, 2);
	unsigned total = 0;
	int a[2], b[2];

	(void)state;
	pipe_make(a);
	pipe_make(b);
	/* Both ready in one batch; whichever runs first deletes the other. */
	sa.victim_fd = b[0];
	sb.victim_fd = a[0];
	sa.stop_at = sb.stop_at = 1;
	sa.n_total = sb.n_total = &total;
	assert_int_equal(loop_fd_add(loop, a[0], EPOLLIN, seen_cb, &sa), 0);
	assert_int_equal(loop_fd_add(loop, b[0], EPOLLIN, seen_cb, &sb), 0);
	assert_int_equal(write(a[1], "x", 1), 1);
	assert_int_equal(write(b[1], "x", 1), 1);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(total, 1);
	pipe_close(a);
	pipe_close(b);
	loop_destroy(loop);
}

static void
test_fd_registration_errors(void **state)
{
	struct loop *loop = loop_create(0, 1);
	struct seen s = seen_make(loop, 1);
	char path[] = "/tmp/test_loop_XXXXXX";
	int p[2], file;

	(void)state;
	pipe_make(p);
	assert_int_equal(loop_fd_add(loop, -1, EPOLLIN, seen_cb, &s), -EINVAL);
	assert_int_equal(loop_fd_add(loop, p[0], EPOLLIN, NULL, &s), -EINVAL);
	assert_int_equal(
		loop_fd_add(loop, p[0], EPOLLONESHOT, seen_cb, &s), -EINVAL);
	assert_int_equal(loop_fd_add(loop, p[0], EPOLLIN, seen_cb, &s), 0);
	assert_int_equal(
		loop_fd_add(loop, p[0], EPOLLIN, seen_cb, &s), -EEXIST);
	assert_int_equal(loop_fd_mod(loop, p[1], EPOLLOUT), -ENOENT);
	assert_int_equal(loop_fd_del(loop, p[1]), -ENOENT);
	assert_int_equal(loop_fd_del(loop, p[0]), 0);
	assert_int_equal(loop_fd_del(loop, p[0]), -ENOENT);
	file = mkstemp(path);
	assert_true(file >= 0);
	unlink(path);
	assert_int_equal(loop_fd_add(loop, file, EPOLLIN, seen_cb, &s), -EPERM);
	close(file);
	pipe_close(p);
	loop_destroy(loop);
}

/* Timers that record the order they ran in. */
struct order {
	struct timer t[3];
	int ids[3];
	unsigned n;
	struct loop *loop;
};

struct order_timer {
	struct order *o;
	int id;
};

static void
order_cb(struct timer_wheel *w, struct timer *t, void *arg)
{
	struct order_timer *ot = arg;

	(void)w;
	(void)t;
	ot->o->ids[ot->o->n++] = ot->id;
	if (ot->o->n == 3)
		loop_stop(ot->o->loop);
}

static void
test_timers_fire_from_run_in_deadline_order(void **state)
{
	struct loop *loop = loop_create(TIME_NS_PER_MS, 1);
	struct order o = {.loop = loop};
	struct order_timer ot[3];
	static const int ms[3] = {30, 10, 20};
	struct loop_counters c;
	uint64_t now = time_now_ns();

	(void)state;
	for (int i = 0; i < 3; i++) {
		ot[i].o = &o;
		ot[i].id = ms[i];
		timer_init(&o.t[i], order_cb, &ot[i]);
		timer_add(loop_timers(loop), &o.t[i],
			now + time_ms_to_ns((uint64_t)ms[i]));
	}
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(o.n, 3);
	assert_int_equal(o.ids[0], 10);
	assert_int_equal(o.ids[1], 20);
	assert_int_equal(o.ids[2], 30);
	loop_counters_get(loop, &c);
	assert_int_equal(c.timers_run, 3);
	/* With no poll function, the loop slept until the deadlines. */
	assert_true(c.waits_sleep >= 1);
	loop_destroy(loop);
}

static void
test_stop_is_consumed_by_the_run_it_stops(void **state)
{
	struct loop *loop = loop_create(0, 1);
	struct stopper s1, s2;

	(void)state;
	stopper_arm(&s1, loop, 1);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(s1.fired, 1);
	/* A second run goes on until its own stop. */
	stopper_arm(&s2, loop, 5);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(s2.fired, 1);
	loop_destroy(loop);
}

static void
test_stop_before_run_returns_at_once(void **state)
{
	struct loop *loop = loop_create(0, 1);
	struct loop_counters c;

	(void)state;
	loop_stop(loop);
	assert_int_equal(loop_run(loop), 0);
	loop_counters_get(loop, &c);
	assert_int_equal(c.iterations, 0);
	loop_destroy(loop);
}

/* Another thread stops the loop once the loop has told it it runs. */
struct stop_thread {
	struct loop *loop;
	int ready_fd; /* blocking read end: the loop is running */
};

static void *
stop_thread_main(void *arg)
{
	struct stop_thread *st = arg;
	char c;

	assert_int_equal(read(st->ready_fd, &c, 1), 1);
	loop_stop(st->loop);
	return NULL;
}

static void
tell_cb(struct loop *loop, int fd, uint32_t revents, void *arg)
{
	int *tell_fd = arg;
	char c;

	(void)revents;
	assert_int_equal(read(fd, &c, 1), 1);
	assert_int_equal(write(*tell_fd, "r", 1), 1);
	/* Nothing else will wake the loop: only the other thread's stop. */
	assert_int_equal(loop_fd_del(loop, fd), 0);
}

static void
test_stop_from_another_thread_wakes_the_loop(void **state)
{
	struct loop *loop = loop_create(0, 1);
	struct stop_thread st = {.loop = loop};
	int kick[2], ready[2];
	pthread_t th;

	(void)state;
	pipe_make(kick);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	st.ready_fd = ready[0];
	assert_int_equal(pthread_create(&th, NULL, stop_thread_main, &st), 0);
	assert_int_equal(
		loop_fd_add(loop, kick[0], EPOLLIN, tell_cb, &ready[1]), 0);
	assert_int_equal(write(kick[1], "k", 1), 1);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	pipe_close(kick);
	pipe_close(ready);
	loop_destroy(loop);
}

static void
run_cb(struct loop *loop, int fd, uint32_t revents, void *arg)
{
	int *rc = arg;
	char c;

	(void)revents;
	assert_int_equal(read(fd, &c, 1), 1);
	*rc = loop_run(loop);
	loop_stop(loop);
}

static void
test_run_inside_run_is_ebusy(void **state)
{
	struct loop *loop = loop_create(0, 1);
	int p[2], rc = 0;

	(void)state;
	pipe_make(p);
	assert_int_equal(loop_fd_add(loop, p[0], EPOLLIN, run_cb, &rc), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(rc, -EBUSY);
	pipe_close(p);
	loop_destroy(loop);
}

/* A poll function: MORE for n_more calls, then IDLE; stops at stop_at. */
struct poller {
	unsigned calls;
	unsigned n_more;
	unsigned stop_at;
};

static enum loop_poll_rc
poller_cb(struct loop *loop, void *arg)
{
	struct poller *p = arg;

	p->calls++;
	if (p->calls == p->stop_at) {
		loop_stop(loop);
		return LOOP_POLL_IDLE;
	}
	return p->calls <= p->n_more ? LOOP_POLL_MORE : LOOP_POLL_IDLE;
}

static void
test_poll_reporting_more_keeps_the_loop_awake(void **state)
{
	/* An hour of idle cap: any sleep would hang the test. */
	struct loop *loop = loop_create(0, 3600u * 1000u);
	struct poller p = {.n_more = 1000, .stop_at = 100};
	struct loop_counters c;

	(void)state;
	assert_int_equal(loop_poll_add(loop, poller_cb, &p), 0);
	assert_int_equal(loop_run(loop), 0);
	loop_counters_get(loop, &c);
	assert_int_equal(p.calls, 100);
	assert_int_equal(c.polls_more, 99);
	assert_int_equal(c.waits_nosleep, 99);
	assert_int_equal(c.waits_sleep, 0);
	loop_destroy(loop);
}

static void
test_idle_poll_lets_the_loop_sleep_up_to_the_cap(void **state)
{
	struct loop *loop = loop_create(0, 1);
	struct poller p = {.n_more = 0, .stop_at = 5};
	struct loop_counters c;

	(void)state;
	assert_int_equal(loop_poll_add(loop, poller_cb, &p), 0);
	/* No fd, no timer: only the idle cap brings the loop back. */
	assert_int_equal(loop_run(loop), 0);
	loop_counters_get(loop, &c);
	assert_int_equal(p.calls, 5);
	assert_int_equal(c.polls_more, 0);
	assert_int_equal(c.waits_sleep, 4);
	assert_int_equal(c.waits_nosleep, 0);
	loop_destroy(loop);
}

static void
test_poll_del_stops_the_calls(void **state)
{
	struct loop *loop = loop_create(0, 1);
	struct poller p = {.n_more = 0}, q = {.n_more = 0, .stop_at = 3};
	struct stopper stop;

	(void)state;
	assert_int_equal(loop_poll_add(loop, poller_cb, &p), 0);
	assert_int_equal(loop_poll_add(loop, poller_cb, &q), 0);
	assert_int_equal(loop_poll_add(loop, poller_cb, &p), -EEXIST);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(p.calls, 3);
	assert_int_equal(loop_poll_del(loop, poller_cb, &p), 0);
	assert_int_equal(loop_poll_del(loop, poller_cb, &p), -ENOENT);
	q.stop_at = 0;
	stopper_arm(&stop, loop, 3);
	assert_int_equal(loop_run(loop), 0);
	assert_int_equal(p.calls, 3);
	assert_true(q.calls > 3);
	loop_destroy(loop);
}

static void
test_poll_table_full_is_enospc(void **state)
{
	struct loop *loop = loop_create(0, 1);
	struct poller p[LOOP_POLL_MAX + 1];

	(void)state;
	for (unsigned i = 0; i < LOOP_POLL_MAX; i++)
		assert_int_equal(loop_poll_add(loop, poller_cb, &p[i]), 0);
	assert_int_equal(
		loop_poll_add(loop, poller_cb, &p[LOOP_POLL_MAX]), -ENOSPC);
	assert_int_equal(loop_poll_add(loop, NULL, NULL), -EINVAL);
	loop_destroy(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_readiness_calls_that_fds_handler),
		cmocka_unit_test(
			test_level_triggered_handler_runs_until_drained),
		cmocka_unit_test(
			test_edge_triggered_handler_runs_once_per_arrival),
		cmocka_unit_test(test_fd_mod_switches_to_writable),
		cmocka_unit_test(
			test_handler_deleted_earlier_in_batch_is_not_called),
		cmocka_unit_test(test_fd_registration_errors),
		cmocka_unit_test(test_timers_fire_from_run_in_deadline_order),
		cmocka_unit_test(test_stop_is_consumed_by_the_run_it_stops),
		cmocka_unit_test(test_stop_before_run_returns_at_once),
		cmocka_unit_test(test_stop_from_another_thread_wakes_the_loop),
		cmocka_unit_test(test_run_inside_run_is_ebusy),
		cmocka_unit_test(test_poll_reporting_more_keeps_the_loop_awake),
		cmocka_unit_test(
			test_idle_poll_lets_the_loop_sleep_up_to_the_cap),
		cmocka_unit_test(test_poll_del_stops_the_calls),
		cmocka_unit_test(test_poll_table_full_is_enospc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
