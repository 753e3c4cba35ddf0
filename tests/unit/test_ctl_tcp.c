/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP over TCP as the daemon serves it: ctl_srv (the TCP transport, the
 * domain permit, the transaction layer and the ctl_sip TU, wired as
 * sipedge wires them) on a real loop with loopback kernel sockets. Two
 * listeners on 127.0.0.1, one "outside" (the permit applies) and one
 * "inside". Timers run on a wheel the test advances with its own clock,
 * so the idle timeout is an event, not a wait.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tcp_test_client.h"

#include "control/ctl_srv.h"
#include "control/tcp/ctl_tcp.h"
#include "control/txn/txn.h"
#include "platform/stats/stats.h"

#define EPOCH (UINT64_C(1000) * TIME_NS_PER_SEC)
#define IDLE_NS (UINT64_C(30) * TIME_NS_PER_SEC)
#define MAX_MSG 4096u
#define MAX_CONNS 2u

enum { LSN_OUTSIDE = 0, LSN_INSIDE = 1 };

static uint64_t clock_ns;
static struct loop *loop;
static struct timer_wheel *wheel;
static struct stats_reg *reg;
static struct ctl_srv *srv;
static struct netaddr lsn_addr[2];
static struct tcp_test_client cli, cli2, cli3;
static struct sip_msg rsp;
static char rsp_text[8192];

/* What the UDP side was given (the dataplane's place). */
static char udp_out[4096];
static uint32_t udp_len;
static unsigned udp_sent;

static char *local_domains[] = { "example.com" };
static struct policy_domain_cfg permitted[] = {
	{ .domain = "partner.example", .subdomains = true },
};
static const struct policy_domains_cfg domains = {
	.local = local_domains,
	.local_count = 1,
	.permitted = permitted,
	.permitted_count = 1,
};

static uint64_t
now(void)
{
	return clock_ns;
}

static int
udp_record(void *ctx, const struct netaddr *to,
		const struct txn_transport *tp, const char *buf, uint32_t len)
{
	(void)ctx;
	(void)to;
	(void)tp;
	assert_true(len <= sizeof(udp_out));
	memcpy(udp_out, buf, len);
	udp_len = len;
	udp_sent++;
	return 0;
}

static int
setup(void **state)
{
	static const uint8_t lo[4] = { 127, 0, 0, 1 };
	struct ctl_tcp_listener l[2] = {
		{ netaddr_make4(lo, 0), CTL_TCP_ZONE_OUTSIDE },
		{ netaddr_make4(lo, 0), CTL_TCP_ZONE_INSIDE },
	};
	char err[256];

	(void)state;
	clock_ns = EPOCH;
	udp_sent = 0;
	cli.fd = cli2.fd = cli3.fd = -1;
	loop = loop_create(0, LOOP_IDLE_CAP_MS_DEFAULT);
	wheel = timer_wheel_create(clock_ns, TIME_NS_PER_MS);
	reg = stats_reg_create(1, 512);
	assert_non_null(loop);
	assert_non_null(wheel);
	assert_non_null(reg);
	srv = ctl_srv_create(&(struct ctl_srv_conf){
			.loop = loop,
			.wheel = wheel,
			.now_ns = now,
			.stats = reg,
			.lim = { .max_msg_size = MAX_MSG },
			.domains = &domains,
			.listeners = l,
			.n_listeners = 2,
			.max_connections = MAX_CONNS,
			.idle_ns = IDLE_NS,
			.udp_send = udp_record,
		}, err, sizeof(err));
	if (srv == NULL)
		fail_msg("ctl_srv_create: %s", err);
	for (unsigned i = 0; i < 2; i++) {
		struct ctl_tcp_listener got;

		assert_int_equal(ctl_tcp_listener_get(ctl_srv_tcp(srv), i,
				&got), 0);
		assert_int_equal(got.zone, l[i].zone);
		assert_int_not_equal(got.addr.port, 0);
		lsn_addr[i] = got.addr;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tcp_test_close(&cli);
	tcp_test_close(&cli2);
	tcp_test_close(&cli3);
	ctl_srv_destroy(srv);
	timer_wheel_destroy(wheel);
	loop_destroy(loop);
	stats_reg_destroy(reg);
	return 0;
}

/* A counter by its full name. */
static uint64_t
stat(const char *name)
{
	int id = stats_find(reg, name);
	uint64_t v = 0;

	if (id < 0)
		fail_msg("no counter %s", name);
	assert_int_equal(stats_read(reg, (unsigned)id, &v), 0);
	return v;
}

/* Pump until the transport has n connections open. */
static void
wait_conns(unsigned n)
{
	for (int i = 0; i < TCP_TEST_PUMPS &&
			ctl_tcp_conn_count(ctl_srv_tcp(srv)) != n; i++)
		tcp_test_pump(loop);
	assert_int_equal(ctl_tcp_conn_count(ctl_srv_tcp(srv)), n);
}

/* Move the test's clock and run the timers due. */
static void
advance(uint64_t ns)
{
	clock_ns += ns;
	(void)timer_wheel_advance(wheel, clock_ns);
}

static void
read_rsp(struct tcp_test_client *c)
{
	if (tcp_test_read_msg(loop, c, &rsp, rsp_text, sizeof(rsp_text)) < 0)
		fail_msg("no response");
	assert_int_equal(rsp.kind, SIP_MSG_RESPONSE);
}

static struct sstr
hdr(enum sip_hdr_type t)
{
	return sip_msg_hdr_value(&rsp, t);
}

static void
assert_hdr(enum sip_hdr_type t, const char *want)
{
	struct sstr v = hdr(t);

	if (!sstr_eq(v, sstr_cstr(want)))
		fail_msg("%s: got '%.*s', want '%s'", sip_hdr_type_str(t),
				SSTR_FMT(v), want);
}

/* A request; ruri, from domain, method, branch and CSeq number vary. */
static const char *
req(const char *method, const char *ruri, const char *from_domain,
		const char *branch, unsigned cseq)
{
	static char buf[1024];
	int n = snprintf(buf, sizeof(buf),
			"%s %s SIP/2.0\r\n"
			"Via: SIP/2.0/TCP 127.0.0.1:5999;branch=%s\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:ping@%s>;tag=abc\r\n"
			"To: <sip:127.0.0.1>\r\n"
			"Call-ID: t1@127.0.0.1\r\n"
			"CSeq: %u %s\r\n"
			"Contact: <sip:ping@127.0.0.1:5999;transport=tcp>\r\n"
			"Content-Length: 0\r\n\r\n",
			method, ruri, branch, from_domain, cseq, method);

	assert_true(n > 0 && (size_t)n < sizeof(buf));
	return buf;
}

#define OPTIONS(branch, cseq)                                              \
	req("OPTIONS", "sip:127.0.0.1", "example.com", (branch), (cseq))

static void
send_str(struct tcp_test_client *c, const char *s)
{
	tcp_test_send(c, s, strlen(s));
}

/* ---- Answers on the connection --------------------------------------- */

static void
test_options_over_tcp_gets_200_on_the_same_connection(void **state)
{
	struct sip_nameaddr to;
	struct sstr tov;

	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	send_str(&cli, OPTIONS("z9hG4bKo1", 7));
	read_rsp(&cli);
	assert_int_equal(rsp.status, 200);
	assert_hdr(SIP_HDR_VIA, "SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKo1");
	assert_hdr(SIP_HDR_FROM, "<sip:ping@example.com>;tag=abc");
	assert_hdr(SIP_HDR_CALL_ID, "t1@127.0.0.1");
	assert_hdr(SIP_HDR_CSEQ, "7 OPTIONS");
	tov = hdr(SIP_HDR_TO);
	assert_int_equal(sip_nameaddr_parse(tov.p, sstr_end(tov), &to), 0);
	assert_true(sstr_eq(to.uri_s, SSTR_LIT("sip:127.0.0.1")));
	assert_true(to.tag.len > 0);
	assert_int_equal(stat("ctl_sip_options_200"), 1);
	assert_int_equal(stat("ctl_tcp_msg_in"), 1);
	assert_int_equal(stat("ctl_tcp_msg_out"), 1);
	/* A non-INVITE over TCP ends with its final (timer J is zero). */
	assert_int_equal(stat("txn_created_server_non_invite"), 1);
	assert_int_equal(txn_layer_count(ctl_srv_txn(srv)), 0);
}

static void
test_another_method_over_tcp_gets_501(void **state)
{
	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	send_str(&cli, req("MESSAGE", "sip:bob@example.com", "example.com",
			"z9hG4bKm1", 1));
	read_rsp(&cli);
	assert_int_equal(rsp.status, 501);
	assert_hdr(SIP_HDR_CSEQ, "1 MESSAGE");
	assert_int_equal(stat("ctl_sip_replied_501"), 1);
}

static void
test_two_messages_in_one_write_are_answered_in_order(void **state)
{
	char both[2048];

	(void)state;
	snprintf(both, sizeof(both), "%s", OPTIONS("z9hG4bKp1", 1));
	strcat(both, req("MESSAGE", "sip:bob@example.com", "example.com",
			"z9hG4bKp2", 2));
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	send_str(&cli, both);
	read_rsp(&cli);
	assert_int_equal(rsp.status, 200);
	assert_hdr(SIP_HDR_CSEQ, "1 OPTIONS");
	read_rsp(&cli);
	assert_int_equal(rsp.status, 501);
	assert_hdr(SIP_HDR_CSEQ, "2 MESSAGE");
	assert_int_equal(stat("ctl_tcp_msg_in"), 2);
}

static void
test_a_message_in_one_byte_writes_is_answered_once(void **state)
{
	const char *r = OPTIONS("z9hG4bKb1", 3);
	size_t n = strlen(r);

	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	for (size_t i = 0; i < n; i++) {
		tcp_test_send(&cli, r + i, 1);
		tcp_test_pump(loop);
		/* Nothing is answered before the last byte. */
		if (i + 1 < n)
			assert_int_equal(stat("ctl_tcp_msg_in"), 0);
	}
	read_rsp(&cli);
	assert_int_equal(rsp.status, 200);
	assert_true(tcp_test_quiet(loop, &cli, 20));
	assert_int_equal(stat("ctl_tcp_msg_in"), 1);
	assert_int_equal(stat("ctl_sip_options_200"), 1);
}

static void
test_a_framed_but_invalid_request_gets_400_and_the_stream_goes_on(
		void **state)
{
	const char *bad = "OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
			  "Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKv1\r\n"
			  "From: <sip:ping@example.com>;tag=abc\r\n"
			  "To: <sip:127.0.0.1>\r\n"
			  "Call-ID: v1\r\n"
			  "CSeq: 1 REGISTER\r\n"
			  "Content-Length: 0\r\n\r\n";

	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	send_str(&cli, bad);
	read_rsp(&cli);
	assert_int_equal(rsp.status, 400);
	send_str(&cli, OPTIONS("z9hG4bKv2", 2));
	read_rsp(&cli);
	assert_int_equal(rsp.status, 200);
	assert_int_equal(stat("ctl_tcp_closed_framing"), 0);
}

/* ---- Framing errors close the connection ------------------------------ */

static void
test_missing_content_length_gets_400_and_the_connection_closes(
		void **state)
{
	const char *r = "OPTIONS sip:127.0.0.1 SIP/2.0\r\n"
			"Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKn1\r\n"
			"From: <sip:ping@example.com>;tag=abc\r\n"
			"To: <sip:127.0.0.1>\r\n"
			"Call-ID: n1\r\n"
			"CSeq: 1 OPTIONS\r\n\r\n";

	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	send_str(&cli, r);
	read_rsp(&cli);
	assert_int_equal(rsp.status, 400);
	assert_non_null(memmem(rsp_text, 80, "Content-Length", 14));
	assert_hdr(SIP_HDR_CALL_ID, "n1");
	assert_true(tcp_test_sees_eof(loop, &cli));
	assert_int_equal(stat("ctl_tcp_drop_no_content_length"), 1);
	assert_int_equal(stat("ctl_sip_replied_400"), 1);
	tcp_test_close(&cli);
	wait_conns(0);
	assert_int_equal(stat("ctl_tcp_closed_framing"), 1);
}

static void
test_an_oversized_message_gets_513_and_the_connection_closes(
		void **state)
{
	const char *r = "MESSAGE sip:bob@example.com SIP/2.0\r\n"
			"Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bKs1\r\n"
			"From: <sip:ping@example.com>;tag=abc\r\n"
			"To: <sip:bob@example.com>\r\n"
			"Call-ID: s1\r\n"
			"CSeq: 1 MESSAGE\r\n"
			"Content-Length: 100000\r\n\r\nxxxx";

	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	send_str(&cli, r);
	read_rsp(&cli);
	assert_int_equal(rsp.status, 513);
	assert_hdr(SIP_HDR_CALL_ID, "s1");
	assert_true(tcp_test_sees_eof(loop, &cli));
	assert_int_equal(stat("ctl_tcp_drop_too_big"), 1);
	assert_int_equal(stat("ctl_sip_replied_513"), 1);
}

static void
test_a_head_longer_than_the_limit_closes_without_an_answer(void **state)
{
	char junk[MAX_MSG + 512];

	(void)state;
	memcpy(junk, "OPTIONS sip:127.0.0.1 SIP/2.0\r\nX-Long: ", 40);
	memset(junk + 40, 'a', sizeof(junk) - 40);
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	tcp_test_send(&cli, junk, sizeof(junk));
	assert_true(tcp_test_sees_eof(loop, &cli));
	assert_int_equal(cli.len, 0);
	assert_int_equal(stat("ctl_tcp_drop_too_big"), 1);
	assert_int_equal(stat("ctl_sip_replied_513"), 0);
}

/* ---- Keepalives ------------------------------------------------------ */

static void
test_crlfcrlf_ping_gets_a_crlf_pong(void **state)
{
	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_OUTSIDE]);
	tcp_test_send(&cli, "\r\n\r\n", 4);
	assert_int_equal(tcp_test_read_n(loop, &cli, 2), 0);
	assert_int_equal(cli.len, 2);
	assert_memory_equal(cli.buf, "\r\n", 2);
	assert_int_equal(stat("ctl_tcp_keepalive_ping"), 1);
	assert_true(tcp_test_quiet(loop, &cli, 10));
}

static void
test_a_stray_crlf_between_messages_is_ignored(void **state)
{
	char s[2048];

	(void)state;
	snprintf(s, sizeof(s), "%s\r\n", OPTIONS("z9hG4bKc1", 1));
	strcat(s, OPTIONS("z9hG4bKc2", 2));
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	send_str(&cli, s);
	read_rsp(&cli);
	assert_hdr(SIP_HDR_CSEQ, "1 OPTIONS");
	read_rsp(&cli);
	assert_hdr(SIP_HDR_CSEQ, "2 OPTIONS");
	assert_int_equal(cli.len, 0);
	assert_int_equal(stat("ctl_tcp_stray_crlf"), 1);
	assert_int_equal(stat("ctl_tcp_keepalive_ping"), 0);
}

/* ---- Idle timeout ---------------------------------------------------- */

static void
test_an_idle_connection_is_closed_at_the_timeout(void **state)
{
	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_OUTSIDE]);
	wait_conns(1);
	advance(IDLE_NS - TIME_NS_PER_SEC);
	assert_int_equal(ctl_tcp_conn_count(ctl_srv_tcp(srv)), 1);
	advance(2 * TIME_NS_PER_SEC);
	assert_int_equal(ctl_tcp_conn_count(ctl_srv_tcp(srv)), 0);
	assert_true(tcp_test_sees_eof(loop, &cli));
	assert_int_equal(stat("ctl_tcp_closed_idle"), 1);
}

static void
test_traffic_defers_the_idle_timeout(void **state)
{
	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_OUTSIDE]);
	wait_conns(1);
	advance(IDLE_NS / 2);
	tcp_test_send(&cli, "\r\n\r\n", 4);
	assert_int_equal(tcp_test_read_n(loop, &cli, 2), 0);
	/* Past the first deadline, within the one the ping set. */
	advance(IDLE_NS / 2 + IDLE_NS / 4);
	assert_int_equal(ctl_tcp_conn_count(ctl_srv_tcp(srv)), 1);
	advance(IDLE_NS / 2);
	assert_int_equal(ctl_tcp_conn_count(ctl_srv_tcp(srv)), 0);
	assert_int_equal(stat("ctl_tcp_closed_idle"), 1);
}

/* ---- The domain permit by listener ----------------------------------- */

static void
test_a_domain_not_permitted_gets_403_on_the_outside_listener(void **state)
{
	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_OUTSIDE]);
	send_str(&cli, req("OPTIONS", "sip:127.0.0.1", "evil.example",
			"z9hG4bKd1", 1));
	read_rsp(&cli);
	assert_int_equal(rsp.status, 403);
	assert_hdr(SIP_HDR_CSEQ, "1 OPTIONS");
	assert_int_equal(stat("ctl_permit_replied_403_identity"), 1);
	assert_int_equal(stat("txn_req_to_tu"), 0);
}

static void
test_the_same_request_passes_on_the_inside_listener(void **state)
{
	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	send_str(&cli, req("OPTIONS", "sip:127.0.0.1", "evil.example",
			"z9hG4bKd2", 1));
	read_rsp(&cli);
	assert_int_equal(rsp.status, 200);
	assert_int_equal(stat("ctl_permit_replied_403_identity"), 0);
	assert_int_equal(stat("ctl_permit_pass"), 0);
}

static void
test_a_permitted_domain_passes_on_the_outside_listener(void **state)
{
	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_OUTSIDE]);
	send_str(&cli, req("OPTIONS", "sip:127.0.0.1", "sub.partner.example",
			"z9hG4bKd3", 1));
	read_rsp(&cli);
	assert_int_equal(rsp.status, 200);
	assert_int_equal(stat("ctl_permit_pass"), 1);
}

static void
test_a_foreign_request_uri_gets_403_on_the_outside_listener(void **state)
{
	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_OUTSIDE]);
	send_str(&cli, req("MESSAGE", "sip:x@elsewhere.example",
			"partner.example", "z9hG4bKd4", 1));
	read_rsp(&cli);
	assert_int_equal(rsp.status, 403);
	assert_int_equal(stat("ctl_permit_replied_403_ruri"), 1);
}

/* ---- Transactions over TCP ------------------------------------------- */

static void
test_a_duplicate_invite_on_the_connection_is_absorbed(void **state)
{
	char first[1024];
	const char *inv = req("INVITE", "sip:bob@example.com", "example.com",
			"z9hG4bKi1", 1);

	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	send_str(&cli, inv);
	read_rsp(&cli);
	assert_int_equal(rsp.status, 501);
	memcpy(first, rsp_text, rsp.len);
	send_str(&cli, inv);
	read_rsp(&cli);
	assert_int_equal(rsp.status, 501);
	assert_memory_equal(rsp_text, first, rsp.len);
	assert_int_equal(stat("txn_created_server_invite"), 1);
	assert_int_equal(stat("txn_req_absorbed"), 1);
	assert_int_equal(stat("ctl_sip_replied_501"), 1);
}

/*
 * RFC 3261 §18.2.2: a response goes on the request's connection. The
 * INVITE's transaction waits for its ACK; the connection goes; the INVITE
 * comes again on a new one and matches the transaction, whose response
 * has nowhere to go: dropped and counted, nothing sent on the new one.
 */
static void
test_a_response_for_a_closed_connection_is_dropped_and_counted(
		void **state)
{
	const char *inv = req("INVITE", "sip:bob@example.com", "example.com",
			"z9hG4bKg1", 1);

	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	send_str(&cli, inv);
	read_rsp(&cli);
	assert_int_equal(rsp.status, 501);
	tcp_test_close(&cli);
	wait_conns(0);
	tcp_test_connect(&cli2, &lsn_addr[LSN_INSIDE]);
	send_str(&cli2, inv);
	for (int i = 0; i < TCP_TEST_PUMPS && stat("txn_req_absorbed") == 0;
			i++)
		tcp_test_pump(loop);
	assert_int_equal(stat("txn_req_absorbed"), 1);
	assert_int_equal(stat("ctl_tcp_drop_conn_gone"), 1);
	assert_int_equal(stat("txn_transport_error"), 1);
	assert_true(tcp_test_quiet(loop, &cli2, 10));
}

/* ---- Limits ---------------------------------------------------------- */

static void
test_a_connection_over_max_connections_is_closed_at_once(void **state)
{
	(void)state;
	tcp_test_connect(&cli, &lsn_addr[LSN_INSIDE]);
	tcp_test_connect(&cli2, &lsn_addr[LSN_OUTSIDE]);
	wait_conns(MAX_CONNS);
	tcp_test_connect(&cli3, &lsn_addr[LSN_INSIDE]);
	assert_true(tcp_test_sees_eof(loop, &cli3));
	assert_int_equal(stat("ctl_tcp_refused_limit"), 1);
	/* The first ones are served still. */
	send_str(&cli, OPTIONS("z9hG4bKl1", 1));
	read_rsp(&cli);
	assert_int_equal(rsp.status, 200);
}

/* ---- UDP takes the same path ----------------------------------------- */

static void
test_options_over_udp_is_answered_through_the_udp_send(void **state)
{
	static const uint8_t peer[4] = { 198, 51, 100, 10 };
	struct netaddr src = netaddr_make4(peer, 5060);
	struct txn_transport tp = { .proto = TXN_TP_UDP };
	const char *r = req("OPTIONS", "sip:198.51.100.1", "evil.example",
			"z9hG4bKu1", 1);

	(void)state;
	ctl_srv_input_udp(srv, r, (uint32_t)strlen(r), &src, &tp);
	assert_int_equal(udp_sent, 1);
	assert_true(sip_msg_parse(&rsp, udp_out, udp_out + udp_len, 0, NULL)
			> 0);
	/* The dataplane applies the permit to UDP: not done again here. */
	assert_int_equal(rsp.status, 200);
	assert_int_equal(stat("ctl_permit_replied_403_identity"), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_options_over_tcp_gets_200_on_the_same_connection),
		T(test_another_method_over_tcp_gets_501),
		T(test_two_messages_in_one_write_are_answered_in_order),
		T(test_a_message_in_one_byte_writes_is_answered_once),
		T(test_a_framed_but_invalid_request_gets_400_and_the_stream_goes_on),
		T(test_missing_content_length_gets_400_and_the_connection_closes),
		T(test_an_oversized_message_gets_513_and_the_connection_closes),
		T(test_a_head_longer_than_the_limit_closes_without_an_answer),
		T(test_crlfcrlf_ping_gets_a_crlf_pong),
		T(test_a_stray_crlf_between_messages_is_ignored),
		T(test_an_idle_connection_is_closed_at_the_timeout),
		T(test_traffic_defers_the_idle_timeout),
		T(test_a_domain_not_permitted_gets_403_on_the_outside_listener),
		T(test_the_same_request_passes_on_the_inside_listener),
		T(test_a_permitted_domain_passes_on_the_outside_listener),
		T(test_a_foreign_request_uri_gets_403_on_the_outside_listener),
		T(test_a_duplicate_invite_on_the_connection_is_absorbed),
		T(test_a_response_for_a_closed_connection_is_dropped_and_counted),
		T(test_a_connection_over_max_connections_is_closed_at_once),
		T(test_options_over_udp_is_answered_through_the_udp_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
