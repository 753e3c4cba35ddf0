/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: control/txn, the harness and the layer-wide behaviours; the
 * server and client machines are in test_txn_server.c and
 * test_txn_client.c, the 100,000-transaction runs in test_txn_scale.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_txn.h"

static uint64_t h_clock_ns = H_EPOCH;

static uint64_t
h_clock(void)
{
	return h_clock_ns;
}

uint64_t
h_now_ms(void)
{
	return (h_clock_ns - H_EPOCH) / H_MS;
}

void
h_at(struct h *h, uint64_t ms)
{
	h_clock_ns = H_EPOCH + ms * H_MS;
	timer_wheel_advance(h->wheel, h_clock_ns);
}

/* ---- transport and TU ---------------------------------------------- */

static int
h_send(void *ctx, const struct netaddr *to, const struct txn_transport *tp,
	const char *buf, uint32_t len)
{
	struct h *h = ctx;

	if (h->send_rc != 0)
		return h->send_rc;
	if (h->record) {
		struct h_sent *s;

		assert_true(h->n_sent < H_MAX_SENT);
		s = &h->sent[h->n_sent];
		s->to = *to;
		s->tp = *tp;
		s->buf = malloc(len);
		assert_non_null(s->buf);
		memcpy(s->buf, buf, len);
		s->len = len;
	}
	h->n_sent++;
	return 0;
}

static void
h_on_request(void *ctx, struct txn *txn, const struct sip_msg *msg,
	const struct netaddr *src)
{
	struct h *h = ctx;

	assert_non_null(msg);
	assert_non_null(src);
	h->n_req++;
	h->txn = txn;
	if (h->auto_code != 0)
		assert_int_equal(txn_respond(txn, h->auto_code, NULL), 0);
}

static void
h_on_ack(void *ctx, const struct sip_msg *msg, const struct netaddr *src,
	const struct txn_transport *tp)
{
	struct h *h = ctx;

	(void)src;
	(void)tp;
	assert_int_equal(msg->method, SIP_METHOD_ACK);
	h->n_ack++;
}

static void
h_on_event(void *ctx, struct txn *txn, enum txn_event ev)
{
	struct h *h = ctx;

	if (h->n_sev < H_MAX_EV)
		h->sev[h->n_sev++] = ev;
	if (ev == TXN_EVENT_TERMINATED) {
		h->n_sterm++;
		if (h->txn == txn)
			h->txn = NULL;
	}
}

void
h_client_cb(struct txn *txn, enum txn_event ev, const struct sip_msg *rsp,
	void *arg)
{
	struct h *h = arg;

	if (h->n_cev < H_MAX_EV) {
		h->cev[h->n_cev] = ev;
		h->ccode[h->n_cev] = rsp != NULL ? rsp->status : 0;
		h->n_cev++;
	}
	if (ev == TXN_EVENT_RESPONSE)
		assert_non_null(rsp);
	if (ev == TXN_EVENT_TERMINATED) {
		h->n_cterm++;
		if (h->ctxn == txn)
			h->ctxn = NULL;
	}
}

/* ---- setup ---------------------------------------------------------- */

static int
h_setup_n(void **state, uint32_t hash_size)
{
	struct h *h = calloc(1, sizeof(*h));
	struct txn_layer_conf conf = {0};

	assert_non_null(h);
	h_clock_ns = H_EPOCH;
	h->record = true;
	h->msg = malloc(sizeof(*h->msg));
	h->smsg = malloc(sizeof(*h->smsg));
	h->text = malloc(4096);
	h->reg = stats_reg_create(1, 256);
	h->wheel = timer_wheel_create(H_EPOCH, H_MS);
	assert_non_null(h->msg);
	assert_non_null(h->smsg);
	assert_non_null(h->text);
	assert_non_null(h->reg);
	assert_non_null(h->wheel);
	conf.wheel = h->wheel;
	conf.now_ns = h_clock;
	conf.send = h_send;
	conf.send_ctx = h;
	conf.on_request = h_on_request;
	conf.on_ack = h_on_ack;
	conf.on_event = h_on_event;
	conf.tu_ctx = h;
	conf.stats = h->reg;
	conf.hash_size = hash_size;
	h->layer = txn_layer_create(&conf);
	assert_non_null(h->layer);
	*state = h;
	return 0;
}

int
h_setup(void **state)
{
	return h_setup_n(state, 0);
}

int
h_setup_small(void **state)
{
	return h_setup_n(state, 16);
}

int
h_teardown(void **state)
{
	struct h *h = *state;

	txn_layer_destroy(h->layer);
	timer_wheel_destroy(h->wheel);
	stats_reg_destroy(h->reg);
	for (unsigned i = 0; i < h->n_sent && i < H_MAX_SENT; i++)
		free(h->sent[i].buf);
	free(h->msg);
	free(h->smsg);
	free(h->text);
	free(h);
	return 0;
}

/* ---- inputs --------------------------------------------------------- */

static const uint8_t h_peer_ip[4] = {198, 51, 100, 10};

/* Parse h->text[0..n) into h->msg, in a buffer of exactly n bytes. */
static const struct sip_msg *
h_parse_input(struct h *h, int n)
{
	assert_true(n > 0 && n < 4096);
	assert_true(sip_msg_parse(h->msg, h->text, h->text + n, 0, NULL) > 0);
	return h->msg;
}

int
h_request(struct h *h, const struct h_req *r)
{
	const char *method = r->method ? r->method : "OPTIONS";
	struct netaddr src = netaddr_make4(h_peer_ip, 5070);
	struct txn_transport tp = {.proto = TXN_TP_UDP};
	char to_tag[64] = "";
	int n;

	if (r->to_tag != NULL)
		(void)snprintf(to_tag, sizeof(to_tag), ";tag=%s", r->to_tag);
	if (r->tcp) {
		tp.proto = TXN_TP_TCP;
		tp.conn_id = 42;
	}
	if (r->tp != NULL)
		tp = *r->tp;
	n = snprintf(h->text, 4096,
		"%s sip:alice@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/%s %s;branch=%s%s\r\n"
		"Via: SIP/2.0/UDP 192.0.2.99;branch=z9hG4bKupstream\r\n"
		"Record-Route: <sip:rr.partner.example;lr>\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:bob@partner.example>;tag=from1\r\n"
		"To: <sip:alice@example.com>%s\r\n"
		"Call-ID: call-1@partner.example\r\n"
		"CSeq: %u %s\r\n"
		"%s"
		"Content-Length: 0\r\n\r\n",
		method, r->tcp ? "TCP" : "UDP",
		r->sent_by ? r->sent_by : "198.51.100.10:5070",
		r->branch ? r->branch : "z9hG4bKaaaa",
		r->via_params ? r->via_params : "", to_tag,
		r->cseq ? r->cseq : 1, r->cseq_method ? r->cseq_method : method,
		r->extra ? r->extra : "");
	return txn_input_request(h->layer, h_parse_input(h, n), &src, &tp);
}

int
h_response(struct h *h, const struct h_rsp *r)
{
	struct netaddr src = netaddr_make4(h_peer_ip, 5060);
	int n;

	n = snprintf(h->text, 4096,
		"SIP/2.0 %u %s\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=%s\r\n"
		"From: <sip:alice@example.com>;tag=a1\r\n"
		"To: <sip:bob@partner.example>;tag=%s\r\n"
		"Call-ID: out-1@example.com\r\n"
		"CSeq: %u %s\r\n"
		"Content-Length: 0\r\n\r\n",
		r->code,
		sip_reason_str(r->code)[0] ? sip_reason_str(r->code) : "X",
		r->branch ? r->branch : "z9hG4bKc1",
		r->to_tag ? r->to_tag : "t1", r->cseq ? r->cseq : 1,
		r->cseq_method ? r->cseq_method : "OPTIONS");
	return txn_input_response(h->layer, h_parse_input(h, n), &src);
}

uint32_t
h_client_text(char *out, size_t cap, const char *method, const char *branch)
{
	int n = snprintf(out, cap,
		"%s sip:bob@partner.example;transport=udp SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=%s;rport\r\n"
		"Route: <sip:edge1.partner.example;lr>\r\n"
		"Route: <sip:edge2.partner.example;lr>\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:alice@example.com>;tag=a1\r\n"
		"To: <sip:bob@partner.example>\r\n"
		"Call-ID: out-1@example.com\r\n"
		"CSeq: 1 %s\r\n"
		"Contact: <sip:alice@192.0.2.1:5060>\r\n"
		"Content-Length: 0\r\n\r\n",
		method, branch, method);

	assert_true(n > 0 && (size_t)n < cap);
	return (uint32_t)n;
}

struct txn *
h_client_send(struct h *h, const char *method, const char *branch, bool tcp)
{
	struct netaddr to = netaddr_make4(h_peer_ip, 5060);
	struct txn_transport tp = {
		.proto = tcp ? TXN_TP_TCP : TXN_TP_UDP, .conn_id = tcp ? 7 : 0};
	char buf[1024];
	uint32_t n = h_client_text(buf, sizeof(buf), method, branch);

	h->ctxn = txn_send_request(h->layer, buf, n, &to, &tp, h_client_cb, h);
	return h->ctxn;
}

/* ---- what was sent -------------------------------------------------- */

const struct sip_msg *
h_sent_msg(struct h *h, unsigned i)
{
	assert_true(i < h->n_sent && i < H_MAX_SENT);
	assert_true(sip_msg_parse(h->smsg, h->sent[i].buf,
			    h->sent[i].buf + h->sent[i].len, 0, NULL) > 0);
	return h->smsg;
}

uint16_t
h_sent_status(struct h *h, unsigned i)
{
	const struct sip_msg *m = h_sent_msg(h, i);

	assert_int_equal(m->kind, SIP_MSG_RESPONSE);
	return m->status;
}

/* A few static strings so that one assert may compare two. */
static char *
h_str(struct sstr s)
{
	static char ring[4][1024];
	static unsigned next;
	char *out = ring[next++ % 4];

	assert_true(s.len < sizeof(ring[0]));
	if (s.len)
		memcpy(out, s.p, s.len);
	out[s.len] = '\0';
	return out;
}

const char *
h_sent_hdr(struct h *h, unsigned i, enum sip_hdr_type t)
{
	return h_str(sip_msg_hdr_value(h_sent_msg(h, i), t));
}

const char *
h_sent_line(struct h *h, unsigned i)
{
	const char *p, *e;

	assert_true(i < h->n_sent && i < H_MAX_SENT);
	p = h->sent[i].buf;
	e = memchr(p, '\r', h->sent[i].len);
	assert_non_null(e);
	return h_str(sstr_make(p, e));
}

uint64_t
h_stat(struct h *h, enum txn_stat id)
{
	return txn_layer_stat_get(h->layer, id);
}

/* ---- layer-wide tests ----------------------------------------------- */

static void
test_state_kind_event_names_come_from_their_lists(void **state)
{
	(void)state;
	assert_string_equal(txn_state_str(TXN_STATE_CALLING), "calling");
	assert_string_equal(txn_state_str(TXN_STATE_CONFIRMED), "confirmed");
	assert_string_equal(txn_state_str(TXN_STATE_ACCEPTED), "accepted");
	assert_string_equal(txn_state_str(TXN_STATE_COUNT), "unknown");
	assert_string_equal(
		txn_kind_str(TXN_KIND_SERVER_INVITE), "server_invite");
	assert_string_equal(
		txn_kind_str(TXN_KIND_CLIENT_NON_INVITE), "client_non_invite");
	assert_string_equal(txn_event_str(TXN_EVENT_TIMEOUT), "timeout");
	assert_string_equal(txn_tp_str(TXN_TP_TLS), "tls");
	assert_string_equal(txn_tp_str(TXN_TP_COUNT), "unknown");
}

static void
test_create_without_send_fails_einval(void **state)
{
	struct h *h = *state;
	struct txn_layer_conf conf = {.wheel = h->wheel};

	errno = 0;
	assert_null(txn_layer_create(&conf));
	assert_int_equal(errno, EINVAL);
}

static void
test_create_with_t2_below_t1_fails_einval(void **state)
{
	struct h *h = *state;
	struct txn_layer_conf conf = {
		.wheel = h->wheel,
		.send = h_send,
		.on_request = h_on_request,
	};

	conf.timers.t1_ns = 5 * TIME_NS_PER_SEC;
	conf.timers.t2_ns = 1 * TIME_NS_PER_SEC;
	errno = 0;
	assert_null(txn_layer_create(&conf));
	assert_int_equal(errno, EINVAL);
}

static void
test_branch_make_has_cookie_and_differs_each_time(void **state)
{
	struct h *h = *state;
	char a[32], b[32];

	assert_int_equal(txn_branch_make(h->layer, a, sizeof(a)), 23);
	assert_int_equal(txn_branch_make(h->layer, b, sizeof(b)), 23);
	assert_memory_equal(a, TXN_BRANCH_COOKIE, 7);
	assert_string_not_equal(a, b);
	assert_int_equal(txn_branch_make(h->layer, a, 23), -ENOSPC);
}

static void
test_counters_are_registered_in_the_registry(void **state)
{
	struct h *h = *state;
	int id = stats_find(h->reg, "txn_created_server_non_invite");
	int gauge = stats_find(h->reg, "txn_active");
	uint64_t v;
	int64_t g;

	assert_true(id >= 0);
	assert_true(gauge >= 0);
	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_int_equal(stats_read(h->reg, (unsigned)id, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(stats_read_gauge(h->reg, (unsigned)gauge, &g), 0);
	assert_int_equal(g, 1);
	assert_int_equal(h_stat(h, TXN_STAT_CREATED_SERVER_NON_INVITE), 1);
}

static void
test_second_layer_on_same_registry_shares_the_counters(void **state)
{
	struct h *h = *state;
	struct txn_layer_conf conf = {
		.wheel = h->wheel,
		.send = h_send,
		.send_ctx = h,
		.on_request = h_on_request,
		.tu_ctx = h,
		.stats = h->reg,
	};
	struct txn_layer *l2 = txn_layer_create(&conf);

	assert_non_null(l2);
	assert_true(stats_find(h->reg, "txn_req_to_tu") >= 0);
	txn_layer_destroy(l2);
}

static void
test_destroy_reports_terminated_to_every_live_transaction(void **state)
{
	struct h *h = *state;

	assert_int_equal(h_request(h, &(struct h_req){0}), 0);
	assert_non_null(h_client_send(h, "OPTIONS", "z9hG4bKc1", false));
	assert_int_equal(txn_layer_count(h->layer), 2);
	txn_layer_destroy(h->layer);
	h->layer = NULL;
	assert_int_equal(h->n_sterm, 1);
	assert_int_equal(h->n_cterm, 1);
	assert_null(h->txn);
	assert_null(h->ctxn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_state_kind_event_names_come_from_their_lists),
		cmocka_unit_test_setup_teardown(
			test_create_without_send_fails_einval, h_setup,
			h_teardown),
		cmocka_unit_test_setup_teardown(
			test_create_with_t2_below_t1_fails_einval, h_setup,
			h_teardown),
		cmocka_unit_test_setup_teardown(
			test_branch_make_has_cookie_and_differs_each_time,
			h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(
			test_counters_are_registered_in_the_registry, h_setup,
			h_teardown),
		cmocka_unit_test_setup_teardown(
			test_second_layer_on_same_registry_shares_the_counters,
			h_setup, h_teardown),
		cmocka_unit_test_setup_teardown(
			test_destroy_reports_terminated_to_every_live_transaction,
			h_setup, h_teardown),
	};
	int failed =
		cmocka_run_group_tests_name("txn_layer", tests, NULL, NULL);

	failed += test_txn_server_run();
	failed += test_txn_client_run();
	failed += test_txn_scale_run();
	return failed ? 1 : 0;
}
