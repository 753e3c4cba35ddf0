/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP transport alone (ctl_tcp), with a recording message callback:
 * connection ids, the origin it reports, sends to a connection that is
 * gone, the output queue (EAGAIN, EPOLLOUT, order, the limit) and the
 * backpressure it applies to input, a peer's half-close.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tcp_test_client.h"

#include "control/tcp/ctl_tcp.h"

#define EPOCH (UINT64_C(1000) * TIME_NS_PER_SEC)
#define CHUNK 32768u

#define OPTIONS_REQ                                                        \
	"OPTIONS sip:127.0.0.1 SIP/2.0\r\n"                                 \
	"Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKio\r\n"             \
	"From: <sip:a@example.com>;tag=1\r\n"                              \
	"To: <sip:127.0.0.1>\r\n"                                          \
	"Call-ID: io1\r\nCSeq: 1 OPTIONS\r\n"                              \
	"Content-Length: 0\r\n\r\n"

static uint64_t clock_ns;
static struct loop *loop;
static struct timer_wheel *wheel;
static struct ctl_tcp *tcp;
static struct netaddr lsn;
static struct tcp_test_client cli, cli2;

/* What on_msg saw; with echo set, it answers each message with "ok". */
static struct ctl_tcp_origin seen[8];
static unsigned n_seen;
static bool echo;

static uint64_t
now(void)
{
	return clock_ns;
}

static void
on_msg(void *ctx, const struct ctl_tcp_origin *o, struct sip_msg *m)
{
	(void)ctx;
	assert_int_equal(m->kind, SIP_MSG_REQUEST);
	if (n_seen < 8)
		seen[n_seen] = *o;
	n_seen++;
	if (echo)
		assert_int_equal(ctl_tcp_send(tcp, o->conn_id, "ok", 2), 0);
}

/* A transport listening on 127.0.0.1 (port chosen by the kernel). */
static void
start(uint32_t max_output)
{
	static const uint8_t lo[4] = { 127, 0, 0, 1 };
	struct ctl_tcp_listener l = { netaddr_make4(lo, 0),
				      CTL_TCP_ZONE_INSIDE };
	struct ctl_tcp_listener got;
	char err[256];

	tcp = ctl_tcp_create(&(struct ctl_tcp_conf){
			.loop = loop,
			.wheel = wheel,
			.now_ns = now,
			.listeners = &l,
			.n_listeners = 1,
			.max_output = max_output,
			.on_msg = on_msg,
		}, err, sizeof(err));
	if (tcp == NULL)
		fail_msg("ctl_tcp_create: %s", err);
	assert_int_equal(ctl_tcp_listener_get(tcp, 0, &got), 0);
	lsn = got.addr;
}

static int
setup(void **state)
{
	(void)state;
	clock_ns = EPOCH;
	n_seen = 0;
	echo = false;
	tcp = NULL;
	cli.fd = cli2.fd = -1;
	loop = loop_create(0, LOOP_IDLE_CAP_MS_DEFAULT);
	wheel = timer_wheel_create(clock_ns, TIME_NS_PER_MS);
	assert_non_null(loop);
	assert_non_null(wheel);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tcp_test_close(&cli);
	tcp_test_close(&cli2);
	ctl_tcp_destroy(tcp);
	timer_wheel_destroy(wheel);
	loop_destroy(loop);
	return 0;
}

static void
wait_seen(unsigned n)
{
	for (int i = 0; i < TCP_TEST_PUMPS && n_seen < n; i++)
		tcp_test_pump(loop);
	assert_int_equal(n_seen, n);
}

static void
wait_conns(unsigned n)
{
	for (int i = 0; i < TCP_TEST_PUMPS && ctl_tcp_conn_count(tcp) != n;
			i++)
		tcp_test_pump(loop);
	assert_int_equal(ctl_tcp_conn_count(tcp), n);
}

/* A chunk whose bytes say which chunk it is (for order checks). */
static void
chunk_fill(char *buf, unsigned k)
{
	for (unsigned i = 0; i < CHUNK; i++)
		buf[i] = (char)('a' + (k + i / 4096) % 26);
}

/* Send chunks until the kernel's buffers are full and one waits. */
static unsigned
fill_until_queued(uint64_t id, char *buf)
{
	unsigned k = 0;

	while (ctl_tcp_stat_get(tcp, CTL_TCP_OUT_QUEUED) == 0) {
		chunk_fill(buf, k);
		assert_int_equal(ctl_tcp_send(tcp, id, buf, CHUNK), 0);
		k++;
		assert_true(k < 4096);
	}
	return k;
}

/* Read k chunks, each checked against chunk_fill() when want is given. */
static void
read_chunks(unsigned k, char *want)
{
	for (unsigned i = 0; i < k; i++) {
		assert_int_equal(tcp_test_read_n(loop, &cli, CHUNK), 0);
		if (want != NULL) {
			chunk_fill(want, i);
			assert_memory_equal(cli.buf, want, CHUNK);
		}
		memmove(cli.buf, cli.buf + CHUNK, cli.len - CHUNK);
		cli.len -= CHUNK;
	}
}

/* ---- Tests ----------------------------------------------------------- */

static void
test_connection_ids_are_new_for_every_connection(void **state)
{
	(void)state;
	start(0);
	tcp_test_connect(&cli, &lsn);
	tcp_test_send(&cli, OPTIONS_REQ, strlen(OPTIONS_REQ));
	wait_seen(1);
	tcp_test_close(&cli);
	wait_conns(0);
	/* The new connection may well get the old one's descriptor. */
	tcp_test_connect(&cli, &lsn);
	tcp_test_send(&cli, OPTIONS_REQ, strlen(OPTIONS_REQ));
	wait_seen(2);
	assert_true(seen[0].conn_id != 0);
	assert_true(seen[1].conn_id > seen[0].conn_id);
}

static void
test_the_origin_names_both_ends_and_the_zone(void **state)
{
	struct sockaddr_in me;
	socklen_t len = sizeof(me);

	(void)state;
	start(0);
	tcp_test_connect(&cli, &lsn);
	assert_int_equal(getsockname(cli.fd, (struct sockaddr *)&me, &len), 0);
	tcp_test_send(&cli, OPTIONS_REQ, strlen(OPTIONS_REQ));
	wait_seen(1);
	assert_int_equal(seen[0].zone, CTL_TCP_ZONE_INSIDE);
	assert_true(netaddr_eq(&seen[0].local, &lsn));
	assert_int_equal(seen[0].peer.family, AF_INET);
	assert_int_equal(seen[0].peer.port, ntohs(me.sin_port));
}

static void
test_a_send_to_a_closed_connection_is_dropped_and_counted(void **state)
{
	(void)state;
	start(0);
	tcp_test_connect(&cli, &lsn);
	tcp_test_send(&cli, OPTIONS_REQ, strlen(OPTIONS_REQ));
	wait_seen(1);
	tcp_test_close(&cli);
	wait_conns(0);
	assert_int_equal(ctl_tcp_stat_get(tcp, CTL_TCP_CLOSED_PEER), 1);
	assert_int_equal(ctl_tcp_send(tcp, seen[0].conn_id, "x", 1),
			-ENOTCONN);
	assert_int_equal(ctl_tcp_stat_get(tcp, CTL_TCP_DROP_CONN_GONE), 1);
}

static void
test_queued_output_reaches_a_slow_reader_whole_and_in_order(void **state)
{
	char *buf = malloc(CHUNK), *want = malloc(CHUNK);
	unsigned k;

	(void)state;
	assert_non_null(buf);
	assert_non_null(want);
	start(64u << 20);
	tcp_test_connect(&cli, &lsn);
	tcp_test_send(&cli, OPTIONS_REQ, strlen(OPTIONS_REQ));
	wait_seen(1);
	k = fill_until_queued(seen[0].conn_id, buf);
	read_chunks(k, want);
	assert_int_equal(cli.len, 0);
	assert_int_equal(ctl_tcp_stat_get(tcp, CTL_TCP_MSG_OUT), k);
	assert_int_equal(ctl_tcp_conn_count(tcp), 1);
	free(buf);
	free(want);
}

static void
test_output_over_the_limit_closes_the_connection(void **state)
{
	char *buf = malloc(CHUNK);
	int rc = 0;

	(void)state;
	assert_non_null(buf);
	start(2 * CHUNK);
	tcp_test_connect(&cli, &lsn);
	tcp_test_send(&cli, OPTIONS_REQ, strlen(OPTIONS_REQ));
	wait_seen(1);
	memset(buf, 'z', CHUNK);
	for (unsigned k = 0; k < 4096 && rc == 0; k++)
		rc = ctl_tcp_send(tcp, seen[0].conn_id, buf, CHUNK);
	assert_int_equal(rc, -ENOBUFS);
	assert_int_equal(ctl_tcp_stat_get(tcp, CTL_TCP_CLOSED_OUTPUT_FULL), 1);
	assert_int_equal(ctl_tcp_conn_count(tcp), 0);
	free(buf);
}

/*
 * While answers wait for the peer, its further requests stay in the
 * kernel: they are read once the peer has taken its answers.
 */
static void
test_input_waits_while_output_is_queued(void **state)
{
	char *buf = malloc(CHUNK);
	unsigned k;

	(void)state;
	assert_non_null(buf);
	start(64u << 20);
	tcp_test_connect(&cli, &lsn);
	tcp_test_send(&cli, OPTIONS_REQ, strlen(OPTIONS_REQ));
	wait_seen(1);
	k = fill_until_queued(seen[0].conn_id, buf);
	tcp_test_send(&cli, OPTIONS_REQ, strlen(OPTIONS_REQ));
	for (int i = 0; i < 20; i++)
		tcp_test_pump(loop);
	assert_int_equal(n_seen, 1);
	read_chunks(k, NULL);
	wait_seen(2);
	free(buf);
}

static void
test_a_half_closed_peer_gets_its_answer_then_the_close(void **state)
{
	(void)state;
	echo = true;
	start(0);
	tcp_test_connect(&cli, &lsn);
	tcp_test_send(&cli, OPTIONS_REQ, strlen(OPTIONS_REQ));
	assert_int_equal(shutdown(cli.fd, SHUT_WR), 0);
	assert_true(tcp_test_sees_eof(loop, &cli));
	assert_int_equal(cli.len, 2);
	assert_memory_equal(cli.buf, "ok", 2);
	wait_conns(0);
	assert_int_equal(ctl_tcp_stat_get(tcp, CTL_TCP_CLOSED_PEER), 1);
}

static void
test_a_partial_message_at_the_close_is_dropped_and_counted(void **state)
{
	(void)state;
	start(0);
	tcp_test_connect(&cli, &lsn);
	tcp_test_send(&cli, OPTIONS_REQ, 40);
	tcp_test_close(&cli);
	/* Accepted, read and closed: the connection came and went. */
	for (int i = 0; i < TCP_TEST_PUMPS &&
			ctl_tcp_stat_get(tcp, CTL_TCP_CLOSED_PEER) == 0; i++)
		tcp_test_pump(loop);
	assert_int_equal(ctl_tcp_stat_get(tcp, CTL_TCP_CLOSED_PEER), 1);
	assert_int_equal(ctl_tcp_conn_count(tcp), 0);
	assert_int_equal(n_seen, 0);
	assert_int_equal(ctl_tcp_stat_get(tcp, CTL_TCP_DROP_TRUNCATED), 1);
}

static void
test_a_listener_binds_an_address_not_yet_on_the_host(void **state)
{
	/* 192.0.2.0/24 is documentation: no host here holds it. */
	static const uint8_t doc[4] = { 192, 0, 2, 251 };
	struct ctl_tcp_listener l = { netaddr_make4(doc, 0),
				      CTL_TCP_ZONE_OUTSIDE };
	struct ctl_tcp *t;
	char err[256];

	(void)state;
	t = ctl_tcp_create(&(struct ctl_tcp_conf){
			.loop = loop,
			.wheel = wheel,
			.listeners = &l,
			.n_listeners = 1,
			.on_msg = on_msg,
		}, err, sizeof(err));
	if (t == NULL)
		fail_msg("ctl_tcp_create: %s", err);
	assert_int_equal(ctl_tcp_listener_count(t), 1);
	ctl_tcp_destroy(t);
}

static void
test_a_port_in_use_fails_with_the_address_in_the_message(void **state)
{
	struct ctl_tcp_listener l;
	char err[256], want[64];

	(void)state;
	start(0);
	l = (struct ctl_tcp_listener){ lsn, CTL_TCP_ZONE_INSIDE };
	netaddr_fmt(&lsn, want, sizeof(want));
	assert_null(ctl_tcp_create(&(struct ctl_tcp_conf){
			.loop = loop,
			.wheel = wheel,
			.listeners = &l,
			.n_listeners = 1,
			.on_msg = on_msg,
		}, err, sizeof(err)));
	assert_int_equal(errno, EADDRINUSE);
	assert_non_null(strstr(err, want));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_connection_ids_are_new_for_every_connection),
		T(test_the_origin_names_both_ends_and_the_zone),
		T(test_a_send_to_a_closed_connection_is_dropped_and_counted),
		T(test_queued_output_reaches_a_slow_reader_whole_and_in_order),
		T(test_output_over_the_limit_closes_the_connection),
		T(test_input_waits_while_output_is_queued),
		T(test_a_half_closed_peer_gets_its_answer_then_the_close),
		T(test_a_partial_message_at_the_close_is_dropped_and_counted),
		T(test_a_listener_binds_an_address_not_yet_on_the_host),
		T(test_a_port_in_use_fails_with_the_address_in_the_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
