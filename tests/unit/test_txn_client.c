/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: control/txn client transactions, one behaviour per test. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_txn.h"

#define BR "z9hG4bKc1"

/* Advance to each time in at[] and check one more send at each. */
static void
expect_sends_at(struct h *h, const uint64_t *at, unsigned n)
{
	unsigned base = h->n_sent;

	for (unsigned i = 0; i < n; i++) {
		h_at(h, at[i] - 1);
		assert_int_equal(h->n_sent, base + i);
		h_at(h, at[i]);
		assert_int_equal(h->n_sent, base + i + 1);
	}
}

static void
test_client_request_is_sent_once_to_its_destination(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "OPTIONS", BR, false));
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(h->sent[0].to.port, 5060);
	assert_string_equal(h_sent_line(h, 0),
		"OPTIONS sip:bob@partner.example;transport=udp SIP/2.0");
	assert_int_equal(txn_kind_get(h->ctxn), TXN_KIND_CLIENT_NON_INVITE);
	assert_int_equal(txn_state_get(h->ctxn), TXN_STATE_TRYING);
	assert_int_equal(h_stat(h, TXN_STAT_CREATED_CLIENT_NON_INVITE), 1);
}

static void
test_client_non_invite_retransmits_at_t1_doubling_capped_at_t2(void **state)
{
	struct h *h = *state;
	/* intervals 0.5 1 2 4 4 4 s */
	static const uint64_t at[] = {500, 1500, 3500, 7500, 11500, 15500};

	assert_non_null(h_client_send(h, "OPTIONS", BR, false));
	expect_sends_at(h, at, sizeof(at) / sizeof(at[0]));
	for (unsigned i = 1; i < h->n_sent; i++) {
		assert_int_equal(h->sent[i].len, h->sent[0].len);
		assert_memory_equal(
			h->sent[i].buf, h->sent[0].buf, h->sent[0].len);
	}
	assert_int_equal(h_stat(h, TXN_STAT_REQ_RETX_SENT), 6);
}

static void
test_client_non_invite_provisional_keeps_retransmitting_at_t2(void **state)
{
	struct h *h = *state;
	/*
	 * §17.1.2.2: E keeps running in Proceeding; when it fires there it
	 * is reset to T2. The one armed in Trying (1.5 s) still fires.
	 */
	static const uint64_t at[] = {1500, 5500, 9500, 13500};

	assert_non_null(h_client_send(h, "OPTIONS", BR, false));
	h_at(h, 500);
	assert_int_equal(h->n_sent, 2);
	h_at(h, 600);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 100}), 0);
	assert_int_equal(txn_state_get(h->ctxn), TXN_STATE_PROCEEDING);
	assert_int_equal(h->n_cev, 1);
	assert_int_equal(h->ccode[0], 100);
	expect_sends_at(h, at, sizeof(at) / sizeof(at[0]));
}

static void
test_client_every_provisional_is_delivered(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "SUBSCRIBE", BR, false));
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 100,
					       .cseq_method = "SUBSCRIBE"}),
		0);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 183,
					       .cseq_method = "SUBSCRIBE"}),
		0);
	assert_int_equal(h->n_cev, 2);
	assert_int_equal(h->ccode[0], 100);
	assert_int_equal(h->ccode[1], 183);
}

static void
test_client_non_invite_final_is_delivered_once_and_duplicates_absorbed(
	void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "OPTIONS", BR, false));
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200}), 0);
	assert_int_equal(txn_state_get(h->ctxn), TXN_STATE_COMPLETED);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200}), 0);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 180}), 0);
	assert_int_equal(h->n_cev, 1);
	assert_int_equal(h->cev[0], TXN_EVENT_RESPONSE);
	assert_int_equal(h->ccode[0], 200);
	assert_int_equal(h_stat(h, TXN_STAT_RSP_ABSORBED), 2);
	assert_int_equal(h_stat(h, TXN_STAT_RSP_TO_TU), 1);
	h_at(h, 4000);
	assert_int_equal(h->n_sent, 1); /* no retransmission after a final */
}

static void
test_client_non_invite_timer_k_ends_completed(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "OPTIONS", BR, false));
	h_at(h, 100);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 404}), 0);
	h_at(h, 5099);
	assert_non_null(h->ctxn);
	h_at(h, 5100); /* K = T4 */
	assert_null(h->ctxn);
	assert_int_equal(h->n_cev, 2);
	assert_int_equal(h->cev[1], TXN_EVENT_TERMINATED);
	assert_int_equal(txn_layer_count(h->layer), 0);
}

static void
test_client_non_invite_timer_f_reports_timeout(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "OPTIONS", BR, false));
	h_at(h, 31999);
	assert_int_equal(h->n_cev, 0);
	h_at(h, 32000); /* F = 64*T1 */
	assert_int_equal(h->n_cev, 2);
	assert_int_equal(h->cev[0], TXN_EVENT_TIMEOUT);
	assert_int_equal(h->cev[1], TXN_EVENT_TERMINATED);
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h_stat(h, TXN_STAT_TIMEOUT_F), 1);
}

static void
test_client_over_tcp_never_retransmits_and_final_ends_at_once(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "OPTIONS", BR, true));
	assert_int_equal(h->sent[0].tp.proto, TXN_TP_TCP);
	assert_int_equal(h->sent[0].tp.conn_id, 7);
	h_at(h, 31000);
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200}), 0);
	/* Timer K is zero over TCP. */
	assert_int_equal(h->n_cev, 2);
	assert_int_equal(h->cev[0], TXN_EVENT_RESPONSE);
	assert_int_equal(h->cev[1], TXN_EVENT_TERMINATED);
	assert_int_equal(txn_layer_count(h->layer), 0);
}

static void
test_client_over_tcp_timer_f_still_times_out(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "OPTIONS", BR, true));
	h_at(h, 32000);
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(h->cev[0], TXN_EVENT_TIMEOUT);
	assert_null(h->ctxn);
}

/* ---- INVITE -------------------------------------------------------- */

static void
test_client_invite_timer_a_doubles(void **state)
{
	struct h *h = *state;
	/* intervals 0.5 1 2 4 8 16 s: no cap for INVITE requests */
	static const uint64_t at[] = {500, 1500, 3500, 7500, 15500, 31500};

	assert_non_null(h_client_send(h, "INVITE", BR, false));
	assert_int_equal(txn_state_get(h->ctxn), TXN_STATE_CALLING);
	expect_sends_at(h, at, sizeof(at) / sizeof(at[0]));
}

static void
test_client_invite_timer_b_reports_timeout(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "INVITE", BR, false));
	h_at(h, 31999);
	assert_int_equal(h->n_cev, 0);
	h_at(h, 32000);
	assert_int_equal(h->n_cev, 2);
	assert_int_equal(h->cev[0], TXN_EVENT_TIMEOUT);
	assert_int_equal(h->cev[1], TXN_EVENT_TERMINATED);
	assert_int_equal(h_stat(h, TXN_STAT_TIMEOUT_B), 1);
}

static void
test_client_invite_provisional_stops_retransmission(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "INVITE", BR, false));
	h_at(h, 100);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 180,
					       .cseq_method = "INVITE"}),
		0);
	assert_int_equal(txn_state_get(h->ctxn), TXN_STATE_PROCEEDING);
	h_at(h, 60000);
	assert_int_equal(h->n_sent, 1);
	/* Timer B only runs in Calling. */
	assert_int_equal(h->n_cev, 1);
	assert_non_null(h->ctxn);
}

static void
test_client_invite_proceeding_guard_times_out(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "INVITE", BR, false));
	h_at(h, 100);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 180,
					       .cseq_method = "INVITE"}),
		0);
	h_at(h, 180099);
	assert_non_null(h->ctxn);
	h_at(h, 180100);
	assert_null(h->ctxn);
	assert_int_equal(h->cev[1], TXN_EVENT_TIMEOUT);
	assert_int_equal(h_stat(h, TXN_STAT_TIMEOUT_C), 1);
}

static void
test_client_invite_non2xx_final_is_acked_with_the_right_headers(void **state)
{
	struct h *h = *state;
	const struct sip_msg *ack;
	const struct sip_hdr *r;

	assert_non_null(h_client_send(h, "INVITE", BR, false));
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 486,
					       .cseq_method = "INVITE",
					       .to_tag = "t9"}),
		0);
	assert_int_equal(txn_state_get(h->ctxn), TXN_STATE_COMPLETED);
	assert_int_equal(h->n_cev, 1);
	assert_int_equal(h->ccode[0], 486);
	assert_int_equal(h->n_sent, 2);
	/* §17.1.1.3 */
	assert_string_equal(h_sent_line(h, 1),
		"ACK sip:bob@partner.example;transport=udp SIP/2.0");
	ack = h_sent_msg(h, 1);
	assert_int_equal(ack->method, SIP_METHOD_ACK);
	r = sip_hdr_find(ack, SIP_HDR_VIA);
	assert_null(sip_hdr_find_next(ack, r));
	assert_string_equal(h_sent_hdr(h, 1, SIP_HDR_VIA),
		"SIP/2.0/UDP 192.0.2.1:5060;branch=" BR ";rport");
	assert_string_equal(h_sent_hdr(h, 1, SIP_HDR_FROM),
		"<sip:alice@example.com>;tag=a1");
	assert_string_equal(h_sent_hdr(h, 1, SIP_HDR_TO),
		"<sip:bob@partner.example>;tag=t9");
	assert_string_equal(
		h_sent_hdr(h, 1, SIP_HDR_CALL_ID), "out-1@example.com");
	assert_string_equal(h_sent_hdr(h, 1, SIP_HDR_CSEQ), "1 ACK");
	ack = h_sent_msg(h, 1);
	r = sip_hdr_find(ack, SIP_HDR_ROUTE);
	assert_non_null(r);
	assert_true(sstr_eq(sip_hdr_value(ack, r),
		SSTR_LIT("<sip:edge1.partner.example;lr>")));
	r = sip_hdr_find_next(ack, r);
	assert_non_null(r);
	assert_true(sstr_eq(sip_hdr_value(ack, r),
		SSTR_LIT("<sip:edge2.partner.example;lr>")));
	assert_false(sip_msg_has(ack, SIP_HDR_CONTACT));
	assert_int_equal(ack->body.len, 0);
	assert_true(netaddr_eq(&h->sent[1].to, &h->sent[0].to));
	assert_int_equal(h_stat(h, TXN_STAT_ACK_SENT), 1);
}

static void
test_client_invite_retransmitted_final_resends_ack(void **state)
{
	struct h *h = *state;
	const struct h_rsp busy = {.code = 486, .cseq_method = "INVITE"};

	assert_non_null(h_client_send(h, "INVITE", BR, false));
	assert_int_equal(h_response(h, &busy), 0);
	h_at(h, 600);
	assert_int_equal(h_response(h, &busy), 0);
	assert_int_equal(h->n_sent, 3);
	assert_int_equal(h->sent[2].len, h->sent[1].len);
	assert_memory_equal(h->sent[2].buf, h->sent[1].buf, h->sent[1].len);
	assert_int_equal(h->n_cev, 1); /* the TU saw the final once */
	assert_int_equal(h_stat(h, TXN_STAT_ACK_SENT), 2);
}

static void
test_client_invite_timer_d_ends_completed(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "INVITE", BR, false));
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 603,
					       .cseq_method = "INVITE"}),
		0);
	h_at(h, 31999);
	assert_non_null(h->ctxn);
	h_at(h, 32000); /* D = 32 s */
	assert_null(h->ctxn);
	assert_int_equal(h->n_sent, 2);
}

static void
test_client_invite_over_tcp_non2xx_is_acked_and_ends_at_once(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "INVITE", BR, true));
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 480,
					       .cseq_method = "INVITE"}),
		0);
	assert_int_equal(h->n_sent, 2);
	assert_string_equal(h_sent_hdr(h, 1, SIP_HDR_CSEQ), "1 ACK");
	assert_int_equal(h->sent[1].tp.conn_id, 7);
	/* Timer D is zero over TCP. */
	assert_null(h->ctxn);
	assert_int_equal(txn_layer_count(h->layer), 0);
}

static void
test_client_invite_2xx_goes_to_tu_without_ack(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "INVITE", BR, false));
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200,
					       .cseq_method = "INVITE"}),
		0);
	assert_int_equal(h->n_cev, 1);
	assert_int_equal(h->ccode[0], 200);
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(txn_state_get(h->ctxn), TXN_STATE_ACCEPTED);
	h_at(h, 20000);
	assert_int_equal(h->n_sent, 1);
}

static void
test_client_invite_accepted_passes_every_2xx_and_absorbs_the_rest(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "INVITE", BR, false));
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200,
					       .cseq_method = "INVITE",
					       .to_tag = "fork1"}),
		0);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200,
					       .cseq_method = "INVITE",
					       .to_tag = "fork2"}),
		0);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 486,
					       .cseq_method = "INVITE"}),
		0);
	assert_int_equal(h->n_cev, 2);
	assert_int_equal(h->ccode[1], 200);
	assert_int_equal(h_stat(h, TXN_STAT_RSP_ABSORBED), 1);
	assert_int_equal(h->n_sent, 1);
}

static void
test_client_invite_accepted_ends_on_timer_m(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "INVITE", BR, false));
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200,
					       .cseq_method = "INVITE"}),
		0);
	h_at(h, 31999);
	assert_non_null(h->ctxn);
	h_at(h, 32000); /* M = 64*T1 */
	assert_null(h->ctxn);
	assert_int_equal(h->n_cev, 2);
	assert_int_equal(h->cev[1], TXN_EVENT_TERMINATED);
	/* A late 2xx is now a stray, for the core to handle. */
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200,
					       .cseq_method = "INVITE"}),
		-ENOENT);
}

static void
test_client_cancel_response_matches_cancel_not_invite(void **state)
{
	struct h *h = *state;
	struct txn *inv = h_client_send(h, "INVITE", BR, false);
	struct txn *can = h_client_send(h, "CANCEL", BR, false);

	assert_non_null(inv);
	assert_non_null(can);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200,
					       .cseq_method = "CANCEL"}),
		0);
	assert_int_equal(txn_state_get(can), TXN_STATE_COMPLETED);
	assert_int_equal(txn_state_get(inv), TXN_STATE_CALLING);
}

static void
test_client_stray_response_is_counted(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "OPTIONS", BR, false));
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200,
					       .branch = "z9hG4bKother"}),
		-ENOENT);
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200,
					       .cseq_method = "INFO"}),
		-ENOENT);
	assert_int_equal(h_stat(h, TXN_STAT_RSP_STRAY), 2);
	assert_int_equal(h->n_cev, 0);
}

static void
test_client_same_key_twice_is_refused(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "OPTIONS", BR, false));
	errno = 0;
	assert_null(h_client_send(h, "OPTIONS", BR, false));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(h->n_sent, 1);
}

static void
test_client_ack_is_refused(void **state)
{
	struct h *h = *state;

	errno = 0;
	assert_null(h_client_send(h, "ACK", BR, false));
	assert_int_equal(errno, EINVAL);
	assert_int_equal(h->n_sent, 0);
}

static void
test_client_request_without_cookie_is_refused(void **state)
{
	struct h *h = *state;

	errno = 0;
	assert_null(h_client_send(h, "OPTIONS", "abc123", false));
	assert_int_equal(errno, EINVAL);
}

static void
test_client_first_send_failure_creates_nothing(void **state)
{
	struct h *h = *state;

	h->send_rc = -ECONNREFUSED;
	errno = 0;
	assert_null(h_client_send(h, "OPTIONS", BR, true));
	assert_int_equal(errno, ECONNREFUSED);
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h->n_cev, 0);
}

static void
test_client_retransmission_failure_reports_transport_error(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "OPTIONS", BR, false));
	h->send_rc = -EHOSTUNREACH;
	h_at(h, 500);
	assert_int_equal(h->n_cev, 2);
	assert_int_equal(h->cev[0], TXN_EVENT_TRANSPORT_ERROR);
	assert_int_equal(h->cev[1], TXN_EVENT_TERMINATED);
	assert_int_equal(txn_layer_count(h->layer), 0);
}

static void
test_client_udp_transient_send_error_keeps_retransmitting(void **state)
{
	struct h *h = *state;

	assert_non_null(h_client_send(h, "OPTIONS", BR, false));
	h->send_rc = -EAGAIN;
	h_at(h, 500);
	assert_int_equal(h_stat(h, TXN_STAT_SEND_LOST), 1);
	h->send_rc = 0;
	h_at(h, 1500);
	assert_int_equal(h->n_sent, 2);
	assert_int_equal(h->n_cev, 0);
}

/* A TU that starts another transaction from inside its callback. */
static void
chain_cb(struct txn *txn, enum txn_event ev, const struct sip_msg *rsp,
	void *arg)
{
	struct h *h = arg;

	(void)txn;
	if (ev == TXN_EVENT_RESPONSE && rsp->status >= 200)
		assert_non_null(
			h_client_send(h, "OPTIONS", "z9hG4bKc2", false));
}

static void
test_client_callback_may_start_another_transaction(void **state)
{
	struct h *h = *state;
	struct netaddr to = {.family = AF_INET, .port = 5060};
	struct txn_transport tp = {.proto = TXN_TP_UDP};
	char buf[1024];
	uint32_t n = h_client_text(buf, sizeof(buf), "MESSAGE", BR);

	assert_non_null(
		txn_send_request(h->layer, buf, n, &to, &tp, chain_cb, h));
	assert_int_equal(h_response(h, &(struct h_rsp){.code = 200,
					       .cseq_method = "MESSAGE"}),
		0);
	assert_int_equal(txn_layer_count(h->layer), 2);
	assert_int_equal(h->n_sent, 2);
	assert_string_equal(h_sent_line(h, 1),
		"OPTIONS sip:bob@partner.example;transport=udp SIP/2.0");
}

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

int
test_txn_client_run(void)
{
	const struct CMUnitTest tests[] = {
		T(test_client_request_is_sent_once_to_its_destination),
		T(test_client_non_invite_retransmits_at_t1_doubling_capped_at_t2),
		T(test_client_non_invite_provisional_keeps_retransmitting_at_t2),
		T(test_client_every_provisional_is_delivered),
		T(test_client_non_invite_final_is_delivered_once_and_duplicates_absorbed),
		T(test_client_non_invite_timer_k_ends_completed),
		T(test_client_non_invite_timer_f_reports_timeout),
		T(test_client_over_tcp_never_retransmits_and_final_ends_at_once),
		T(test_client_over_tcp_timer_f_still_times_out),
		T(test_client_invite_timer_a_doubles),
		T(test_client_invite_timer_b_reports_timeout),
		T(test_client_invite_provisional_stops_retransmission),
		T(test_client_invite_proceeding_guard_times_out),
		T(test_client_invite_non2xx_final_is_acked_with_the_right_headers),
		T(test_client_invite_retransmitted_final_resends_ack),
		T(test_client_invite_timer_d_ends_completed),
		T(test_client_invite_over_tcp_non2xx_is_acked_and_ends_at_once),
		T(test_client_invite_2xx_goes_to_tu_without_ack),
		T(test_client_invite_accepted_passes_every_2xx_and_absorbs_the_rest),
		T(test_client_invite_accepted_ends_on_timer_m),
		T(test_client_cancel_response_matches_cancel_not_invite),
		T(test_client_stray_response_is_counted),
		T(test_client_same_key_twice_is_refused),
		T(test_client_ack_is_refused),
		T(test_client_request_without_cookie_is_refused),
		T(test_client_first_send_failure_creates_nothing),
		T(test_client_retransmission_failure_reports_transport_error),
		T(test_client_udp_transient_send_error_keeps_retransmitting),
		T(test_client_callback_may_start_another_transaction),
	};

	return cmocka_run_group_tests_name("txn_client", tests, NULL, NULL);
}
