/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's answers to SIP for the appliance: ctl_sip's
 * classification and TU, driven as the daemon drives them (classify, then
 * the transaction layer or the stateless 400), on a real transaction layer
 * with a transport that records what it was given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "control/ctl_sip.h"
#include "control/txn/txn.h"
#include "platform/sip/sip.h"
#include "platform/timer/time.h"
#include "platform/timer/timer.h"

#define MAX_SENT 8
#define EPOCH (UINT64_C(1000) * TIME_NS_PER_SEC)

/* What the transport was given. */
struct sent {
	struct netaddr to;
	struct txn_transport tp;
	char buf[2048];
	uint32_t len;
};

static struct sip_msg scratch, resp;
static uint64_t ctr[CTL_SIP_CTR__COUNT];
static struct ctl_sip_tu tu = { .ctr = ctr, .base = 0 };
static struct sent sent[MAX_SENT];
static unsigned n_sent;
static uint64_t clock_ns;
static struct timer_wheel *wheel;
static struct txn_layer *layer;

/* The peer, the appliance's address it wrote to, and the way back. */
static const uint8_t peer_ip[4] = { 198, 51, 100, 10 };
static const uint8_t local_ip[4] = { 198, 51, 100, 1 };
static const uint8_t route[TXN_TP_ROUTE_MAX] = { 1, 2, 0xaa, 0xbb, 0xcc,
						 0xdd, 0xee, 0 };

static uint64_t
now(void)
{
	return clock_ns;
}

static int
record_send(void *ctx, const struct netaddr *to,
		const struct txn_transport *tp, const char *buf, uint32_t len)
{
	struct sent *s = &sent[n_sent];

	(void)ctx;
	assert_true(n_sent < MAX_SENT && len <= sizeof(s->buf));
	s->to = *to;
	s->tp = *tp;
	memcpy(s->buf, buf, len);
	s->len = len;
	n_sent++;
	return 0;
}

static int
setup(void **state)
{
	(void)state;
	clock_ns = EPOCH;
	memset(ctr, 0, sizeof(ctr));
	n_sent = 0;
	wheel = timer_wheel_create(clock_ns, TIME_NS_PER_MS);
	assert_non_null(wheel);
	layer = txn_layer_create(&(struct txn_layer_conf){
			.wheel = wheel,
			.now_ns = now,
			.send = record_send,
			.on_request = ctl_sip_on_request,
			.tu_ctx = &tu,
		});
	assert_non_null(layer);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	txn_layer_destroy(layer);
	timer_wheel_destroy(wheel);
	return 0;
}

/*
 * Feed one datagram as the daemon does. @return where it went; the last
 * message sent, if any, is parsed into resp.
 */
static enum ctl_sip_in
feed(const char *req)
{
	struct netaddr src = netaddr_make4(peer_ip, 5060);
	struct txn_transport tp = {
		.proto = TXN_TP_UDP,
		.local = netaddr_make4(local_ip, 5060),
	};
	unsigned before = n_sent;
	enum ctl_sip_in in;
	int n;

	memcpy(tp.route, route, sizeof(route));
	in = ctl_sip_classify(req, (uint32_t)strlen(req), NULL, &scratch);
	switch (in) {
	case CTL_SIP_IN_REQUEST:
		(void)txn_input_request(layer, &scratch, &src, &tp);
		break;
	case CTL_SIP_IN_RESPONSE:
		(void)txn_input_response(layer, &scratch, &src);
		break;
	case CTL_SIP_IN_BAD_REQUEST:
		n = ctl_sip_reject(&scratch, sent[n_sent].buf,
				sizeof(sent[n_sent].buf));
		assert_true(n > 0);
		sent[n_sent].len = (uint32_t)n;
		n_sent++;
		break;
	case CTL_SIP_IN_DROP:
		break;
	}
	if (n_sent > before)
		assert_true(sip_msg_parse(&resp, sent[n_sent - 1].buf,
				sent[n_sent - 1].buf + sent[n_sent - 1].len,
				0, NULL) > 0);
	return in;
}

#define HDRS_B(method, branch)                                             \
	"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=" branch "\r\n"         \
	"Max-Forwards: 70\r\n"                                             \
	"From: <sip:ping@partner.example>;tag=1\r\n"                       \
	"To: <sip:198.51.100.1>\r\n"                                       \
	"Call-ID: c1@198.51.100.10\r\n"                                    \
	"CSeq: 7 " method "\r\n"                                           \
	"Content-Length: 0\r\n\r\n"
#define HDRS(method) HDRS_B(method, "z9hG4bKx1")

#define OPTIONS_REQ "OPTIONS sip:198.51.100.1 SIP/2.0\r\n" HDRS("OPTIONS")

/* ---- ctl_sip_decide(): the TU's choice, alone ----------------------- */

static void
decide(const char *req, struct ctl_sip_verdict *v)
{
	assert_int_equal(ctl_sip_classify(req, (uint32_t)strlen(req), NULL,
			&scratch), CTL_SIP_IN_REQUEST);
	ctl_sip_decide(&scratch, v);
}

static void
test_decide_options_to_the_appliance_is_200_with_allow(void **state)
{
	struct ctl_sip_verdict v;

	(void)state;
	decide(OPTIONS_REQ, &v);
	assert_int_equal(v.code, 200);
	assert_int_equal(v.outcome, CTL_SIP_OPTIONS_200);
	assert_true(v.extra.len > 0);
	assert_non_null(memmem(v.extra.p, v.extra.len, "Allow: OPTIONS\r\n",
			16));
}

static void
test_decide_options_to_a_user_is_501(void **state)
{
	struct ctl_sip_verdict v;

	(void)state;
	decide("OPTIONS sip:alice@example.com SIP/2.0\r\n" HDRS("OPTIONS"),
			&v);
	assert_int_equal(v.code, 501);
	assert_int_equal(v.outcome, CTL_SIP_REPLIED_501);
}

static void
test_decide_max_forwards_zero_is_483(void **state)
{
	struct ctl_sip_verdict v;

	(void)state;
	decide("MESSAGE sip:bob@example.com SIP/2.0\r\n"
	       "Via: SIP/2.0/UDP 198.51.100.10;branch=z9hG4bKm\r\n"
	       "Max-Forwards: 0\r\n"
	       "From: <sip:p@partner.example>;tag=1\r\n"
	       "To: <sip:bob@example.com>\r\n"
	       "Call-ID: m1\r\nCSeq: 1 MESSAGE\r\n\r\n", &v);
	assert_int_equal(v.code, 483);
	assert_int_equal(v.outcome, CTL_SIP_REPLIED_483);
	assert_int_equal(v.extra.len, 0);
}

/* ---- through the transaction layer ---------------------------------- */

static void
test_options_to_the_appliance_gets_200(void **state)
{
	(void)state;
	assert_int_equal(feed(OPTIONS_REQ), CTL_SIP_IN_REQUEST);
	assert_int_equal(n_sent, 1);
	assert_int_equal(ctr[CTL_SIP_OPTIONS_200], 1);
	assert_int_equal(resp.status, 200);
	assert_true(sstr_eq(sip_msg_hdr_value(&resp, SIP_HDR_CSEQ),
			SSTR_LIT("7 OPTIONS")));
	assert_non_null(strstr(sip_msg_hdr_value(&resp, SIP_HDR_TO).p,
			";tag="));
	assert_int_equal(sip_msg_validate(&resp), 0);
}

static void
test_options_to_an_ipv6_appliance_address_gets_200(void **state)
{
	(void)state;
	feed("OPTIONS sip:[2001:db8:0:1::1]:5060 SIP/2.0\r\n"
	     HDRS("OPTIONS"));
	assert_int_equal(n_sent, 1);
	assert_int_equal(resp.status, 200);
}

static void
test_response_goes_back_with_the_request_route_and_local_address(
		void **state)
{
	struct netaddr local = netaddr_make4(local_ip, 5060);
	struct netaddr peer = netaddr_make4(peer_ip, 5060);

	(void)state;
	feed(OPTIONS_REQ);
	assert_int_equal(n_sent, 1);
	assert_int_equal(sent[0].tp.proto, TXN_TP_UDP);
	assert_true(netaddr_eq(&sent[0].tp.local, &local));
	assert_memory_equal(sent[0].tp.route, route, sizeof(route));
	assert_true(netaddr_eq(&sent[0].to, &peer));
}

static void
test_retransmitted_options_gets_the_same_200_and_reaches_the_tu_once(
		void **state)
{
	(void)state;
	feed(OPTIONS_REQ);
	feed(OPTIONS_REQ);
	assert_int_equal(n_sent, 2);
	assert_int_equal(sent[0].len, sent[1].len);
	assert_memory_equal(sent[0].buf, sent[1].buf, sent[0].len);
	assert_int_equal(ctr[CTL_SIP_OPTIONS_200], 1);
	assert_int_equal(txn_layer_stat_get(layer,
			TXN_STAT_CREATED_SERVER_NON_INVITE), 1);
	assert_int_equal(txn_layer_stat_get(layer, TXN_STAT_REQ_ABSORBED), 1);
	assert_int_equal(txn_layer_stat_get(layer, TXN_STAT_RSP_RETX_SENT), 1);
}

static void
test_new_branch_is_a_new_transaction(void **state)
{
	(void)state;
	feed(OPTIONS_REQ);
	feed("OPTIONS sip:198.51.100.1 SIP/2.0\r\n"
	     HDRS_B("OPTIONS", "z9hG4bKx2"));
	assert_int_equal(n_sent, 2);
	assert_int_equal(ctr[CTL_SIP_OPTIONS_200], 2);
	assert_int_equal(txn_layer_count(layer), 2);
}

static void
test_other_requests_get_501(void **state)
{
	(void)state;
	feed("SUBSCRIBE sip:alice@example.com SIP/2.0\r\n" HDRS("SUBSCRIBE"));
	assert_int_equal(ctr[CTL_SIP_REPLIED_501], 1);
	assert_int_equal(resp.status, 501);
}

static void
test_invite_501_is_retransmitted_on_timer_g_over_the_same_route(
		void **state)
{
	(void)state;
	feed("INVITE sip:alice@example.com SIP/2.0\r\n" HDRS("INVITE"));
	assert_int_equal(n_sent, 1);
	assert_int_equal(resp.status, 501);
	clock_ns += 500 * TIME_NS_PER_MS;
	timer_wheel_advance(wheel, clock_ns);
	assert_int_equal(n_sent, 2);
	assert_memory_equal(sent[1].buf, sent[0].buf, sent[0].len);
	assert_memory_equal(sent[1].tp.route, route, sizeof(route));
	assert_int_equal(ctr[CTL_SIP_REPLIED_501], 1);
}

static void
test_max_forwards_zero_gets_483(void **state)
{
	(void)state;
	feed("MESSAGE sip:bob@example.com SIP/2.0\r\n"
	     "Via: SIP/2.0/UDP 198.51.100.10;branch=z9hG4bKm\r\n"
	     "Max-Forwards: 0\r\n"
	     "From: <sip:p@partner.example>;tag=1\r\n"
	     "To: <sip:bob@example.com>\r\n"
	     "Call-ID: m1\r\nCSeq: 1 MESSAGE\r\n\r\n");
	assert_int_equal(ctr[CTL_SIP_REPLIED_483], 1);
	assert_int_equal(resp.status, 483);
}

static void
test_malformed_request_gets_400_with_the_reason(void **state)
{
	(void)state;
	assert_int_equal(feed("OPTIONS sip:198.51.100.1 SIP/2.0\r\n"
			HDRS("INVITE")), CTL_SIP_IN_BAD_REQUEST);
	assert_int_equal(resp.status, 400);
	assert_non_null(strstr(sip_msg_slice(&resp, resp.reason).p, "CSeq"));
	assert_int_equal(txn_layer_count(layer), 0);
}

static void
test_request_without_branch_cookie_gets_400_through_the_transport(
		void **state)
{
	(void)state;
	assert_int_equal(feed("OPTIONS sip:198.51.100.1 SIP/2.0\r\n"
			HDRS_B("OPTIONS", "rfc2543")), CTL_SIP_IN_REQUEST);
	assert_int_equal(n_sent, 1);
	assert_int_equal(resp.status, 400);
	assert_memory_equal(sent[0].tp.route, route, sizeof(route));
	assert_int_equal(ctr[CTL_SIP_OPTIONS_200], 0);
	assert_int_equal(txn_layer_stat_get(layer,
			TXN_STAT_NO_COOKIE_REJECTED), 1);
}

static void
test_unparseable_datagram_is_dropped(void **state)
{
	(void)state;
	assert_int_equal(feed("hello\r\n"), CTL_SIP_IN_DROP);
	assert_int_equal(n_sent, 0);
}

static void
test_duplicate_call_id_is_dropped(void **state)
{
	(void)state;
	assert_int_equal(feed("OPTIONS sip:198.51.100.1 SIP/2.0\r\n"
			"Call-ID: again\r\n" HDRS("OPTIONS")), CTL_SIP_IN_DROP);
	assert_int_equal(n_sent, 0);
}

static void
test_stray_response_goes_to_the_layer_and_is_counted(void **state)
{
	(void)state;
	assert_int_equal(feed("SIP/2.0 200 OK\r\n" HDRS("OPTIONS")),
			CTL_SIP_IN_RESPONSE);
	assert_int_equal(n_sent, 0);
	assert_int_equal(txn_layer_stat_get(layer, TXN_STAT_RSP_STRAY), 1);
}

static void
test_ack_gets_no_answer_and_goes_to_the_layer(void **state)
{
	(void)state;
	assert_int_equal(feed("ACK sip:198.51.100.1 SIP/2.0\r\n" HDRS("ACK")),
			CTL_SIP_IN_REQUEST);
	assert_int_equal(n_sent, 0);
	assert_int_equal(txn_layer_stat_get(layer, TXN_STAT_ACK_TO_TU), 1);
}

static void
test_ack_to_the_501_of_an_invite_is_absorbed(void **state)
{
	(void)state;
	feed("INVITE sip:alice@example.com SIP/2.0\r\n" HDRS("INVITE"));
	feed("ACK sip:alice@example.com SIP/2.0\r\n" HDRS("ACK"));
	assert_int_equal(n_sent, 1);
	assert_int_equal(txn_layer_stat_get(layer, TXN_STAT_ACK_ABSORBED), 1);
	/* Confirmed: timer G no longer re-sends the 501. */
	clock_ns += 4 * TIME_NS_PER_SEC;
	timer_wheel_advance(wheel, clock_ns);
	assert_int_equal(n_sent, 1);
}

static void
test_classification_names(void **state)
{
	(void)state;
	assert_string_equal(ctl_sip_in_str(CTL_SIP_IN_REQUEST), "request");
	assert_string_equal(ctl_sip_in_str(CTL_SIP_IN_DROP), "drop");
	assert_string_equal(ctl_sip_in_str((enum ctl_sip_in)99), "unknown");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_decide_options_to_the_appliance_is_200_with_allow),
		T(test_decide_options_to_a_user_is_501),
		T(test_decide_max_forwards_zero_is_483),
		T(test_options_to_the_appliance_gets_200),
		T(test_options_to_an_ipv6_appliance_address_gets_200),
		T(test_response_goes_back_with_the_request_route_and_local_address),
		T(test_retransmitted_options_gets_the_same_200_and_reaches_the_tu_once),
		T(test_new_branch_is_a_new_transaction),
		T(test_other_requests_get_501),
		T(test_invite_501_is_retransmitted_on_timer_g_over_the_same_route),
		T(test_max_forwards_zero_gets_483),
		T(test_malformed_request_gets_400_with_the_reason),
		T(test_request_without_branch_cookie_gets_400_through_the_transport),
		T(test_unparseable_datagram_is_dropped),
		T(test_duplicate_call_id_is_dropped),
		T(test_stray_response_goes_to_the_layer_and_is_counted),
		T(test_ack_gets_no_answer_and_goes_to_the_layer),
		T(test_ack_to_the_501_of_an_invite_is_absorbed),
		T(test_classification_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
