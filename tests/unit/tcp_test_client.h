/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the TCP tests share: a loop pumped from the test's own thread, and
 * a non-blocking loopback client that reads SIP messages back. The test
 * and the server run on one thread: a client call never blocks on the
 * server; it pumps the loop between attempts, a bounded number of times
 * (a failing test ends, it does not hang). No assertion is on time.
 */
#ifndef SIPEDGE_TESTS_UNIT_TCP_TEST_CLIENT_H
#define SIPEDGE_TESTS_UNIT_TCP_TEST_CLIENT_H

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control/admin/loop.h"
#include "platform/netaddr.h"
#include "platform/sip/sip.h"
#include "platform/timer/time.h"
#include "platform/timer/timer.h"

/* Pumps before a wait gives up (each at most ~1 ms of sleep). */
#define TCP_TEST_PUMPS 5000

/* A client connection and what it has received, not yet consumed. */
struct tcp_test_client {
	int fd;
	size_t len;
	char buf[1 << 17];
};

static void
tcp_test_stop(struct timer_wheel *w, struct timer *t, void *arg)
{
	(void)w;
	(void)t;
	loop_stop(arg);
}

/* Stops the loop once a handler has run since the pump began. */
static enum loop_poll_rc
tcp_test_pump_poll(struct loop *loop, void *arg)
{
	struct loop_counters lc;

	loop_counters_get(loop, &lc);
	if (lc.fd_events != *(const uint64_t *)arg)
		loop_stop(loop);
	return LOOP_POLL_IDLE;
}

/*
 * Run the loop until it has handled a batch of ready descriptors, or for
 * about a millisecond when none is ready.
 */
static inline void
tcp_test_pump(struct loop *loop)
{
	struct loop_counters lc;
	struct timer t;
	uint64_t events0;

	loop_counters_get(loop, &lc);
	events0 = lc.fd_events;
	assert_int_equal(loop_poll_add(loop, tcp_test_pump_poll, &events0), 0);
	timer_init(&t, tcp_test_stop, loop);
	timer_add(loop_timers(loop), &t, time_now_ns() + TIME_NS_PER_MS);
	assert_int_equal(loop_run(loop), 0);
	timer_cancel(loop_timers(loop), &t);
	assert_int_equal(loop_poll_del(loop, tcp_test_pump_poll, &events0), 0);
}

/* A blocking connect (the kernel completes it from the backlog), then
 * non-blocking reads. */
static inline void
tcp_test_connect(struct tcp_test_client *c, const struct netaddr *to)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	assert_int_equal(to->family, AF_INET);
	sa.sin_port = htons(to->port);
	memcpy(&sa.sin_addr, to->ip, 4);
	c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(c->fd >= 0);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)),
			0);
	assert_int_equal(fcntl(c->fd, F_SETFL, O_NONBLOCK), 0);
}

static inline void
tcp_test_close(struct tcp_test_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static inline void
tcp_test_send(struct tcp_test_client *c, const char *s, size_t n)
{
	assert_int_equal(send(c->fd, s, n, MSG_NOSIGNAL), (ssize_t)n);
}

/*
 * Read what is there without waiting.
 * @return bytes read, 0 at EOF, -1 when nothing is there (or an error
 *         other than a reset; a reset reads as EOF).
 */
static inline ssize_t
tcp_test_recv(struct tcp_test_client *c)
{
	ssize_t n;

	/* A full buffer is not an EOF: the caller consumes first. */
	if (c->len == sizeof(c->buf))
		return -1;
	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len,
			MSG_DONTWAIT);

	if (n > 0)
		c->len += (size_t)n;
	if (n < 0 && errno == ECONNRESET)
		return 0;
	return n;
}

/*
 * The next SIP message the client received, parsed into m and copied to
 * out (m points into out). Pumps until it is whole.
 * @return its length, or -1 at EOF or when none came.
 */
static inline int
tcp_test_read_msg(struct loop *loop, struct tcp_test_client *c,
		struct sip_msg *m, char *out, size_t cap)
{
	for (int i = 0; i < TCP_TEST_PUMPS; i++) {
		int rc = sip_msg_parse(m, c->buf, c->buf + c->len,
				SIP_PARSE_STREAM, NULL);

		assert_true(rc >= 0);
		if (rc > 0) {
			assert_true((size_t)rc <= cap);
			memcpy(out, c->buf, (size_t)rc);
			memmove(c->buf, c->buf + rc, c->len - (size_t)rc);
			c->len -= (size_t)rc;
			assert_true(sip_msg_parse(m, out, out + rc,
					SIP_PARSE_STREAM, NULL) == rc);
			return rc;
		}
		if (tcp_test_recv(c) == 0)
			return -1;
		tcp_test_pump(loop);
	}
	return -1;
}

/* Exactly n bytes, pumping until they are there. @return 0 or -1. */
static inline int
tcp_test_read_n(struct loop *loop, struct tcp_test_client *c, size_t n)
{
	for (int i = 0; i < TCP_TEST_PUMPS && c->len < n; i++) {
		if (tcp_test_recv(c) == 0)
			break;
		tcp_test_pump(loop);
	}
	return c->len >= n ? 0 : -1;
}

/* Whether the server closed the connection (EOF or reset) in time; what
 * came before is kept in buf. */
static inline bool
tcp_test_sees_eof(struct loop *loop, struct tcp_test_client *c)
{
	for (int i = 0; i < TCP_TEST_PUMPS; i++) {
		if (c->len == sizeof(c->buf))
			c->len = 0;
		if (tcp_test_recv(c) == 0)
			return true;
		tcp_test_pump(loop);
	}
	return false;
}

/* Pump a little and report whether anything arrived meanwhile. */
static inline bool
tcp_test_quiet(struct loop *loop, struct tcp_test_client *c, int pumps)
{
	size_t before = c->len;

	for (int i = 0; i < pumps; i++) {
		tcp_test_pump(loop);
		(void)tcp_test_recv(c);
	}
	return c->len == before;
}

#endif
