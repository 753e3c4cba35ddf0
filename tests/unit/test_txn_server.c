/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests: control/txn server transactions, one behaviour per test. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_txn.h"

#define INVITE_REQ (&(struct h_req){.method = "INVITE"})

static void
test_server_new_request_reaches_tu_once(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_int_equal(h->n_req, 1);
	assert_non_null(h->txn);
	assert_int_equal(txn_kind_get(h->txn), TXN_KIND_SERVER_NON_INVITE);
	assert_int_equal(txn_state_get(h->txn), TXN_STATE_TRYING);
	assert_int_equal(txn_method_get(h->txn), SIP_METHOD_OPTIONS);
	assert_int_equal(txn_layer_count(h->layer), 1);
	assert_int_equal(h_stat(h, TXN_STAT_REQ_TO_TU), 1);
}

static void
test_server_non_invite_retransmission_in_trying_is_absorbed_silently(
	void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_int_equal(h->n_req, 1);
	assert_int_equal(h->n_sent, 0);
	assert_int_equal(h_stat(h, TXN_STAT_REQ_ABSORBED), 1);
}

static void
test_server_non_invite_final_is_resent_on_request_retransmission(void **state)
{
	struct h *h = *state;

	h->auto_code = 200;
	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(h_sent_status(h, 0), 200);
	assert_int_equal(txn_state_get(h->txn), TXN_STATE_COMPLETED);
	h_at(h, 1000);
	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_int_equal(h->n_req, 1);
	assert_int_equal(h->n_sent, 2);
	assert_int_equal(h->sent[1].len, h->sent[0].len);
	assert_memory_equal(h->sent[1].buf, h->sent[0].buf, h->sent[0].len);
	assert_int_equal(h_stat(h, TXN_STAT_RSP_RETX_SENT), 1);
}

static void
test_server_non_invite_after_timer_j_retransmission_is_new(void **state)
{
	struct h *h = *state;

	h->auto_code = 200;
	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	h_at(h, 31999);
	assert_int_equal(txn_layer_count(h->layer), 1);
	h_at(h, 32000); /* J = 64*T1 */
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h->n_sterm, 1);
	assert_null(h->txn);
	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_int_equal(h->n_req, 2);
	assert_int_equal(h_stat(h, TXN_STAT_TERMINATED_SERVER_NON_INVITE), 1);
}

static void
test_server_non_invite_provisional_then_final(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, &(struct h_req){.method = "MESSAGE"}), 0);
	assert_int_equal(txn_respond(h->txn, 100, NULL), 0);
	assert_int_equal(txn_state_get(h->txn), TXN_STATE_PROCEEDING);
	assert_int_equal(h_request(h, &(struct h_req){.method = "MESSAGE"}), 0);
	assert_int_equal(txn_respond(h->txn, 202, NULL), 0);
	assert_int_equal(txn_state_get(h->txn), TXN_STATE_COMPLETED);
	assert_int_equal(h_request(h, &(struct h_req){.method = "MESSAGE"}), 0);
	assert_int_equal(h->n_sent, 4);
	assert_int_equal(h_sent_status(h, 0), 100);
	assert_int_equal(h_sent_status(h, 1), 100);
	assert_int_equal(h_sent_status(h, 2), 202);
	assert_int_equal(h_sent_status(h, 3), 202);
	assert_int_equal(h->n_req, 1);
}

static void
test_server_responses_share_one_generated_to_tag(void **state)
{
	struct h *h = *state;
	char first[128];
	struct sstr tag;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(txn_respond(h->txn, 100, NULL), 0);
	assert_int_equal(txn_respond(h->txn, 180, NULL), 0);
	assert_int_equal(txn_respond(h->txn, 486, NULL), 0);
	assert_string_equal(
		h_sent_hdr(h, 0, SIP_HDR_TO), "<sip:alice@example.com>");
	(void)snprintf(
		first, sizeof(first), "%s", h_sent_hdr(h, 1, SIP_HDR_TO));
	assert_string_equal(first, h_sent_hdr(h, 2, SIP_HDR_TO));
	tag = txn_to_tag_get(h->txn);
	assert_int_equal(tag.len, 16);
	assert_non_null(strstr(first, ";tag="));
	assert_memory_equal(strstr(first, ";tag=") + 5, tag.p, tag.len);
}

static void
test_server_tu_to_tag_is_used_and_kept(void **state)
{
	struct h *h = *state;
	struct txn_rsp rsp = {.to_tag = SSTR_LIT("tu-tag")};

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(txn_respond(h->txn, 180, &rsp), 0);
	assert_int_equal(txn_respond(h->txn, 603, NULL), 0);
	assert_string_equal(h_sent_hdr(h, 0, SIP_HDR_TO),
		"<sip:alice@example.com>;tag=tu-tag");
	assert_string_equal(h_sent_hdr(h, 1, SIP_HDR_TO),
		"<sip:alice@example.com>;tag=tu-tag");
}

static void
test_server_in_dialog_request_keeps_its_to_tag(void **state)
{
	struct h *h = *state;
	struct sstr tag;

	assert_int_equal(h_request(h, &(struct h_req){.method = "NOTIFY",
					      .to_tag = "dlg1"}),
		0);
	assert_int_equal(txn_respond(h->txn, 200, NULL), 0);
	assert_string_equal(h_sent_hdr(h, 0, SIP_HDR_TO),
		"<sip:alice@example.com>;tag=dlg1");
	tag = txn_to_tag_get(h->txn);
	assert_true(sstr_eq(tag, SSTR_LIT("dlg1")));
}

static void
test_server_response_copies_vias_and_dialog_headers(void **state)
{
	struct h *h = *state;
	struct txn_rsp rsp = {
		.extra = SSTR_LIT("Expires: 600\r\n"),
		.flags = SIP_BUILD_COPY_RR,
	};
	const struct sip_msg *m;
	const struct sip_hdr *v;

	assert_int_equal(
		h_request(h, &(struct h_req){.method = "SUBSCRIBE"}), 0);
	assert_int_equal(txn_respond(h->txn, 202, &rsp), 0);
	m = h_sent_msg(h, 0);
	v = sip_hdr_find(m, SIP_HDR_VIA);
	assert_non_null(v);
	assert_non_null(sip_hdr_find_next(m, v));
	assert_string_equal(h_sent_hdr(h, 0, SIP_HDR_CSEQ), "1 SUBSCRIBE");
	assert_string_equal(
		h_sent_hdr(h, 0, SIP_HDR_CALL_ID), "call-1@partner.example");
	assert_string_equal(h_sent_hdr(h, 0, SIP_HDR_RECORD_ROUTE),
		"<sip:rr.partner.example;lr>");
	assert_string_equal(h_sent_hdr(h, 0, SIP_HDR_EXPIRES), "600");
}

static void
test_server_respond_after_final_is_refused(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_int_equal(txn_respond(h->txn, 200, NULL), 0);
	assert_int_equal(txn_respond(h->txn, 500, NULL), -EALREADY);
	assert_int_equal(txn_respond(h->txn, 99, NULL), -EINVAL);
	assert_int_equal(h->n_sent, 1);
}

static void
test_server_prebuilt_response_is_sent_and_resent(void **state)
{
	struct h *h = *state;
	char buf[1024];
	int n;

	assert_int_equal(h_request(h, &(struct h_req){.method = "PUBLISH"}), 0);
	/* h->msg still holds the request the TU was given. */
	n = sip_build_response(h->msg, 200, SSTR_NULL, SSTR_LIT("pub"),
		SSTR_LIT("SIP-ETag: e1\r\nExpires: 60\r\n"), SSTR_NULL,
		SSTR_NULL, 0, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(txn_respond_buf(h->txn, buf, (uint32_t)n), 0);
	assert_int_equal(txn_last_code_get(h->txn), 200);
	assert_int_equal(h_request(h, &(struct h_req){.method = "PUBLISH"}), 0);
	assert_int_equal(h->n_sent, 2);
	assert_int_equal(h->sent[0].len, (uint32_t)n);
	assert_memory_equal(h->sent[0].buf, buf, (size_t)n);
	assert_memory_equal(h->sent[1].buf, buf, (size_t)n);
}

static void
test_server_prebuilt_request_instead_of_response_is_refused(void **state)
{
	struct h *h = *state;
	char buf[1024];
	uint32_t n = h_client_text(buf, sizeof(buf), "OPTIONS", "z9hG4bKx");

	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_int_equal(txn_respond_buf(h->txn, buf, n), -EINVAL);
	assert_int_equal(h->n_sent, 0);
}

static void
test_server_udp_response_goes_to_sent_by_port_without_rport(void **state)
{
	struct h *h = *state;

	h->auto_code = 200;
	assert_int_equal(
		h_request(h, &(struct h_req){.sent_by = "198.51.100.10:5080"}),
		0);
	assert_int_equal(h->sent[0].to.port, 5080);
	assert_int_equal(h->sent[0].tp.proto, TXN_TP_UDP);
}

static void
test_server_udp_response_goes_to_source_port_with_rport(void **state)
{
	struct h *h = *state;

	h->auto_code = 200;
	assert_int_equal(
		h_request(h, &(struct h_req){.sent_by = "198.51.100.10:5080",
				     .via_params = ";rport"}),
		0);
	assert_int_equal(h->sent[0].to.port, 5070);
}

static void
test_server_udp_response_defaults_to_port_5060(void **state)
{
	struct h *h = *state;

	h->auto_code = 200;
	assert_int_equal(
		h_request(h, &(struct h_req){.sent_by = "partner.example"}), 0);
	assert_int_equal(h->sent[0].to.port, 5060);
}

static void
test_server_sent_by_host_matches_case_insensitively(void **state)
{
	struct h *h = *state;

	assert_int_equal(
		h_request(
			h, &(struct h_req){.sent_by = "Edge.Partner.Example"}),
		0);
	assert_int_equal(
		h_request(
			h, &(struct h_req){.sent_by = "edge.partner.example"}),
		0);
	assert_int_equal(h->n_req, 1);
	assert_int_equal(
		h_request(
			h, &(struct h_req){.sent_by = "other.partner.example"}),
		0);
	assert_int_equal(h->n_req, 2);
}

static void
test_server_tcp_final_terminates_at_once_on_same_connection(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, &(struct h_req){.tcp = true}), 0);
	assert_true(txn_is_reliable(h->txn));
	assert_int_equal(txn_respond(h->txn, 200, NULL), 0);
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(h->sent[0].tp.proto, TXN_TP_TCP);
	assert_int_equal(h->sent[0].tp.conn_id, 42);
	assert_int_equal(h->sent[0].to.port, 5070);
	/* Timer J is zero over TCP: gone before respond returned. */
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h->n_sterm, 1);
	assert_null(h->txn);
}

static void
test_server_final_from_inside_on_request_over_tcp_is_safe(void **state)
{
	struct h *h = *state;

	h->auto_code = 200;
	assert_int_equal(h_request(h, &(struct h_req){.tcp = true}), 0);
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h->n_sterm, 1);
}

static void
test_server_cancel_gets_own_transaction_and_finds_its_invite(void **state)
{
	struct h *h = *state;
	struct txn *inv, *cancel;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	inv = h->txn;
	assert_int_equal(h_request(h, &(struct h_req){.method = "CANCEL"}), 0);
	cancel = h->txn;
	assert_int_equal(h->n_req, 2);
	assert_ptr_not_equal(inv, cancel);
	assert_int_equal(txn_kind_get(cancel), TXN_KIND_SERVER_NON_INVITE);
	assert_ptr_equal(txn_server_find_cancelled(cancel), inv);
	assert_null(txn_server_find_cancelled(inv));
	assert_int_equal(txn_layer_count(h->layer), 2);
}

static void
test_server_request_without_cookie_is_answered_400(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, &(struct h_req){.branch = "1234abcd"}),
		-EPROTONOSUPPORT);
	assert_int_equal(h->n_req, 0);
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(h_sent_status(h, 0), 400);
	assert_non_null(strstr(h_sent_hdr(h, 0, SIP_HDR_TO), ";tag="));
	assert_int_equal(h->sent[0].to.port, 5070);
	assert_int_equal(h_stat(h, TXN_STAT_NO_COOKIE_REJECTED), 1);
}

static void
test_server_ack_without_cookie_is_dropped(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, &(struct h_req){.method = "ACK",
					      .branch = "1234abcd"}),
		-EPROTONOSUPPORT);
	assert_int_equal(h->n_sent, 0);
	assert_int_equal(h->n_ack, 0);
	assert_int_equal(h_stat(h, TXN_STAT_NO_COOKIE_ACK_DROPPED), 1);
}

static void
test_server_request_without_via_is_dropped_as_bad(void **state)
{
	struct h *h = *state;
	static const char text[] = "OPTIONS sip:alice@example.com SIP/2.0\r\n"
				   "From: <sip:b@partner.example>;tag=1\r\n"
				   "To: <sip:alice@example.com>\r\n"
				   "Call-ID: x\r\n"
				   "CSeq: 1 OPTIONS\r\n"
				   "Content-Length: 0\r\n\r\n";
	struct netaddr src = {.family = AF_INET, .port = 5060};
	struct txn_transport tp = {.proto = TXN_TP_UDP};
	char *buf = malloc(sizeof(text) - 1);

	assert_non_null(buf);
	memcpy(buf, text, sizeof(text) - 1);
	assert_true(sip_msg_parse(
			    h->msg, buf, buf + sizeof(text) - 1, 0, NULL) > 0);
	assert_int_equal(
		txn_input_request(h->layer, h->msg, &src, &tp), -EBADMSG);
	free(buf);
	assert_int_equal(h->n_req, 0);
	assert_int_equal(h->n_sent, 0);
	assert_int_equal(h_stat(h, TXN_STAT_BAD_MSG), 1);
}

/* ---- INVITE -------------------------------------------------------- */

static void
test_server_invite_sends_100_trying_after_200ms(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(txn_kind_get(h->txn), TXN_KIND_SERVER_INVITE);
	assert_int_equal(txn_state_get(h->txn), TXN_STATE_PROCEEDING);
	h_at(h, 199);
	assert_int_equal(h->n_sent, 0);
	h_at(h, 200);
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(h_sent_status(h, 0), 100);
	assert_string_equal(
		h_sent_hdr(h, 0, SIP_HDR_TO), "<sip:alice@example.com>");
	assert_int_equal(h_stat(h, TXN_STAT_TRYING_SENT), 1);
	/* An INVITE retransmission now gets the 100 again. */
	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(h->n_sent, 2);
	assert_int_equal(h_sent_status(h, 1), 100);
}

static void
test_server_invite_no_100_when_tu_answers_within_200ms(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	h_at(h, 150);
	assert_int_equal(txn_respond(h->txn, 180, NULL), 0);
	h_at(h, 1000);
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(h_sent_status(h, 0), 180);
	assert_int_equal(h_stat(h, TXN_STAT_TRYING_SENT), 0);
}

static void
test_server_invite_retransmission_before_any_response_is_absorbed(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(h->n_sent, 0);
	assert_int_equal(h->n_req, 1);
}

static void
test_server_invite_non2xx_final_retransmitted_on_timer_g_doubling_to_t2(
	void **state)
{
	struct h *h = *state;
	/* T1 0.5 s, T2 4 s: intervals 0.5 1 2 4 4 4 ... */
	static const uint64_t at[] = {
		500, 1500, 3500, 7500, 11500, 15500, 19500};

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(txn_respond(h->txn, 486, NULL), 0);
	assert_int_equal(txn_state_get(h->txn), TXN_STATE_COMPLETED);
	assert_int_equal(h->n_sent, 1);
	for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		h_at(h, at[i] - 1);
		assert_int_equal(h->n_sent, 1 + i);
		h_at(h, at[i]);
		assert_int_equal(h->n_sent, 2 + i);
		assert_int_equal(h_sent_status(h, 1 + i), 486);
	}
	assert_int_equal(h_stat(h, TXN_STAT_RSP_RETX_SENT), 7);
}

static void
test_server_invite_ack_stops_retransmissions_and_confirms(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(txn_respond(h->txn, 486, NULL), 0);
	h_at(h, 600); /* one retransmission at 500 */
	assert_int_equal(h->n_sent, 2);
	assert_int_equal(h_request(h, &(struct h_req){.method = "ACK",
					      .cseq_method = "ACK"}),
		0);
	assert_int_equal(txn_state_get(h->txn), TXN_STATE_CONFIRMED);
	assert_int_equal(h->n_ack, 0);
	assert_int_equal(h_stat(h, TXN_STAT_ACK_ABSORBED), 1);
	/* A retransmitted ACK is absorbed in Confirmed. */
	assert_int_equal(h_request(h, &(struct h_req){.method = "ACK",
					      .cseq_method = "ACK"}),
		0);
	assert_int_equal(h_stat(h, TXN_STAT_ACK_ABSORBED), 2);
	h_at(h, 5599);
	assert_int_equal(h->n_sent, 2);
	assert_int_equal(txn_layer_count(h->layer), 1);
	h_at(h, 5600); /* timer I = T4 after the ACK */
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h->n_sev, 1);
	assert_int_equal(h->sev[0], TXN_EVENT_TERMINATED);
}

static void
test_server_invite_timer_h_without_ack_reports_timeout(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(txn_respond(h->txn, 486, NULL), 0);
	h_at(h, 31999);
	assert_int_equal(h->n_sev, 0);
	h_at(h, 32000); /* H = 64*T1 */
	assert_int_equal(h->n_sev, 2);
	assert_int_equal(h->sev[0], TXN_EVENT_TIMEOUT);
	assert_int_equal(h->sev[1], TXN_EVENT_TERMINATED);
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h_stat(h, TXN_STAT_TIMEOUT_H), 1);
}

static void
test_server_invite_retransmission_in_completed_resends_final(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(txn_respond(h->txn, 404, NULL), 0);
	h_at(h, 100);
	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(h->n_sent, 2);
	assert_int_equal(h_sent_status(h, 1), 404);
	assert_int_equal(h->n_req, 1);
}

static void
test_server_invite_2xx_moves_to_accepted_and_absorbs_retransmissions(
	void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(txn_respond(h->txn, 200, NULL), 0);
	assert_int_equal(txn_state_get(h->txn), TXN_STATE_ACCEPTED);
	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(h->n_req, 1);
	assert_int_equal(h->n_sent, 1); /* 2xx retransmission is the TU's */
	h_at(h, 10000);
	assert_int_equal(h->n_sent, 1); /* no timer G for a 2xx */
}

static void
test_server_tu_may_resend_2xx_in_accepted_but_nothing_else(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(txn_respond(h->txn, 200, NULL), 0);
	assert_int_equal(txn_respond(h->txn, 200, NULL), 0);
	assert_int_equal(txn_respond(h->txn, 486, NULL), -EALREADY);
	assert_int_equal(txn_respond(h->txn, 180, NULL), -EALREADY);
	assert_int_equal(h->n_sent, 2);
	assert_string_equal(
		h_sent_hdr(h, 0, SIP_HDR_TO), h_sent_hdr(h, 1, SIP_HDR_TO));
}

static void
test_server_ack_to_2xx_reaches_the_tu(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(txn_respond(h->txn, 200, NULL), 0);
	/* The ACK to a 2xx is a new transaction: new branch, no match. */
	assert_int_equal(h_request(h, &(struct h_req){.method = "ACK",
					      .branch = "z9hG4bKack2xx",
					      .cseq_method = "ACK"}),
		0);
	assert_int_equal(h->n_ack, 1);
	/* One reusing the INVITE's branch reaches the TU too (Accepted). */
	assert_int_equal(h_request(h, &(struct h_req){.method = "ACK",
					      .cseq_method = "ACK"}),
		0);
	assert_int_equal(h->n_ack, 2);
	assert_int_equal(h->n_req, 1);
	assert_int_equal(h_stat(h, TXN_STAT_ACK_TO_TU), 2);
}

static void
test_server_accepted_ends_on_timer_l(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	assert_int_equal(txn_respond(h->txn, 200, NULL), 0);
	h_at(h, 31999);
	assert_int_equal(txn_layer_count(h->layer), 1);
	h_at(h, 32000); /* L = 64*T1 */
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h->n_sev, 1);
	assert_int_equal(h->sev[0], TXN_EVENT_TERMINATED);
}

static void
test_server_invite_over_tcp_has_no_timer_g_and_ack_ends_it_at_once(void **state)
{
	struct h *h = *state;

	assert_int_equal(
		h_request(h, &(struct h_req){.method = "INVITE", .tcp = true}),
		0);
	assert_int_equal(txn_respond(h->txn, 486, NULL), 0);
	h_at(h, 20000);
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(h_request(h, &(struct h_req){.method = "ACK",
					      .cseq_method = "ACK",
					      .tcp = true}),
		0);
	/* Timer I is zero over TCP. */
	assert_int_equal(txn_layer_count(h->layer), 0);
}

static void
test_server_transport_failure_reports_error_and_terminates(void **state)
{
	struct h *h = *state;

	assert_int_equal(
		h_request(h, &(struct h_req){.method = "INVITE", .tcp = true}),
		0);
	h->send_rc = -EPIPE;
	assert_int_equal(txn_respond(h->txn, 486, NULL), 0);
	assert_int_equal(h->n_sev, 2);
	assert_int_equal(h->sev[0], TXN_EVENT_TRANSPORT_ERROR);
	assert_int_equal(h->sev[1], TXN_EVENT_TERMINATED);
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h_stat(h, TXN_STAT_TRANSPORT_ERROR), 1);
}

static void
test_server_udp_transient_send_error_is_left_to_retransmission(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, INVITE_REQ), 0);
	h->send_rc = -ENOBUFS;
	assert_int_equal(txn_respond(h->txn, 486, NULL), 0);
	assert_int_equal(txn_state_get(h->txn), TXN_STATE_COMPLETED);
	assert_int_equal(h_stat(h, TXN_STAT_SEND_LOST), 1);
	h->send_rc = 0;
	h_at(h, 500);
	assert_int_equal(h->n_sent, 1);
	assert_int_equal(h_sent_status(h, 0), 486);
}

static void
test_server_response_bigger_than_its_slot_spills_and_is_resent(void **state)
{
	struct h *h = *state;
	static char body[3000];
	struct txn_rsp rsp = {
		.ctype = SSTR_LIT("text/plain"),
		.body = {body, sizeof(body)},
	};

	memset(body, 'x', sizeof(body));
	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_int_equal(txn_respond(h->txn, 200, &rsp), 0);
	assert_int_equal(h_stat(h, TXN_STAT_SPILL), 1);
	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_int_equal(h->n_sent, 2);
	assert_true(h->sent[0].len > sizeof(body));
	assert_int_equal(h->sent[1].len, h->sent[0].len);
	assert_memory_equal(h->sent[1].buf, h->sent[0].buf, h->sent[0].len);
}

static void
test_server_tu_arg_is_kept(void **state)
{
	struct h *h = *state;
	int mine;

	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	txn_arg_set(h->txn, &mine);
	assert_ptr_equal(txn_arg_get(h->txn), &mine);
}

/*
 * The transport's own fields (local address, route) are opaque to the
 * layer and come back with every send of the transaction: the first
 * response, the retransmissions on timer G, and the stateless 400.
 */
static void
test_server_transport_local_and_route_come_back_to_every_send(void **state)
{
	struct h *h = *state;
	static const uint8_t ip[4] = {198, 51, 100, 1};
	struct txn_transport tp = {
		.proto = TXN_TP_UDP,
		.local = netaddr_make4(ip, 5060),
		.route = {1, 0x02, 0x42, 0xc6, 0x33, 0x64, 0x0a, 0},
	};

	assert_int_equal(h_request(h, &(struct h_req){
				.method = "INVITE", .tp = &tp}), 0);
	assert_int_equal(txn_respond(h->txn, 486, NULL), 0);
	h_at(h, 500);
	assert_int_equal(
		h_request(h, &(struct h_req){.branch = "nocookie", .tp = &tp}),
		-EPROTONOSUPPORT);
	assert_int_equal(h->n_sent, 3);
	for (unsigned i = 0; i < h->n_sent; i++)
		assert_memory_equal(&h->sent[i].tp, &tp, sizeof(tp));
	assert_int_equal(h_sent_status(h, 1), 486);
	assert_int_equal(h_sent_status(h, 2), 400);
}

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup, h_teardown)

int
test_txn_server_run(void)
{
	const struct CMUnitTest tests[] = {
		T(test_server_new_request_reaches_tu_once),
		T(test_server_non_invite_retransmission_in_trying_is_absorbed_silently),
		T(test_server_non_invite_final_is_resent_on_request_retransmission),
		T(test_server_non_invite_after_timer_j_retransmission_is_new),
		T(test_server_non_invite_provisional_then_final),
		T(test_server_responses_share_one_generated_to_tag),
		T(test_server_tu_to_tag_is_used_and_kept),
		T(test_server_in_dialog_request_keeps_its_to_tag),
		T(test_server_response_copies_vias_and_dialog_headers),
		T(test_server_respond_after_final_is_refused),
		T(test_server_prebuilt_response_is_sent_and_resent),
		T(test_server_prebuilt_request_instead_of_response_is_refused),
		T(test_server_udp_response_goes_to_sent_by_port_without_rport),
		T(test_server_udp_response_goes_to_source_port_with_rport),
		T(test_server_udp_response_defaults_to_port_5060),
		T(test_server_sent_by_host_matches_case_insensitively),
		T(test_server_tcp_final_terminates_at_once_on_same_connection),
		T(test_server_final_from_inside_on_request_over_tcp_is_safe),
		T(test_server_cancel_gets_own_transaction_and_finds_its_invite),
		T(test_server_request_without_cookie_is_answered_400),
		T(test_server_ack_without_cookie_is_dropped),
		T(test_server_request_without_via_is_dropped_as_bad),
		T(test_server_invite_sends_100_trying_after_200ms),
		T(test_server_invite_no_100_when_tu_answers_within_200ms),
		T(test_server_invite_retransmission_before_any_response_is_absorbed),
		T(test_server_invite_non2xx_final_retransmitted_on_timer_g_doubling_to_t2),
		T(test_server_invite_ack_stops_retransmissions_and_confirms),
		T(test_server_invite_timer_h_without_ack_reports_timeout),
		T(test_server_invite_retransmission_in_completed_resends_final),
		T(test_server_invite_2xx_moves_to_accepted_and_absorbs_retransmissions),
		T(test_server_tu_may_resend_2xx_in_accepted_but_nothing_else),
		T(test_server_ack_to_2xx_reaches_the_tu),
		T(test_server_accepted_ends_on_timer_l),
		T(test_server_invite_over_tcp_has_no_timer_g_and_ack_ends_it_at_once),
		T(test_server_transport_failure_reports_error_and_terminates),
		T(test_server_udp_transient_send_error_is_left_to_retransmission),
		T(test_server_response_bigger_than_its_slot_spills_and_is_resent),
		T(test_server_tu_arg_is_kept),
		T(test_server_transport_local_and_route_come_back_to_every_send),
	};

	return cmocka_run_group_tests_name("txn_server", tests, NULL, NULL);
}
