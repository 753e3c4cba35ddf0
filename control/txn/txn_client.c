/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Client transactions (RFC 3261 §17.1, RFC 6026 §7.2): sending and
 * retransmitting requests (timers A, E), matching responses (§17.1.3),
 * the ACK to a non-2xx final (§17.1.1.3), timers B, D, F, K, M.
 */
#include <errno.h>
#include <string.h>

#include "control/txn/txn_priv.h"
#include "platform/log/log.h"

static inline uint64_t
txn_64t1(const struct txn_layer *l)
{
	return 64 * l->conf.timers.t1_ns;
}

/* The CSeq method of a message, and whether CSeq parsed. */
static int
txn_cseq_of(const struct sip_msg *msg, struct sip_cseq *cseq)
{
	struct sstr v = sip_msg_hdr_value(msg, SIP_HDR_CSEQ);

	if (v.len == 0)
		return -EBADMSG;
	return sip_cseq_parse(v.p, sstr_end(v), cseq) < 0 ? -EBADMSG : 0;
}

struct txn *
txn_send_request(struct txn_layer *layer, const char *buf, uint32_t len,
	const struct netaddr *to, const struct txn_transport *tp,
	txn_response_fn cb, void *arg)
{
	struct txn_layer *l = layer;
	struct sip_msg *msg = &l->scratch;
	char key[TXN_KEY_MAX];
	struct sip_cseq cseq;
	struct sip_via via;
	uint16_t key_len;
	uint32_t hash;
	uint64_t now;
	struct txn *t;
	int rc;

	if (buf == NULL || to == NULL || tp == NULL || cb == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (len > TXN_MSG_MAX) {
		errno = EMSGSIZE;
		return NULL;
	}
	if (sip_msg_parse(msg, buf, buf + len, 0, NULL) <= 0 ||
		msg->kind != SIP_MSG_REQUEST || msg->method == SIP_METHOD_ACK ||
		txn_via_top(msg, &via, NULL) < 0 ||
		!txn_branch_has_cookie(via.branch) ||
		txn_cseq_of(msg, &cseq) < 0 ||
		!sstr_eq(cseq.method_s, sip_msg_slice(msg, msg->method_s))) {
		errno = EINVAL;
		return NULL;
	}
	/* §17.1.3: branch and CSeq method; sent-by is ours, not needed. */
	key_len = txn_key_make(key, TXN_KEY_CLIENT,
		(enum sip_method)msg->method, 0, via.branch, SSTR_NULL);
	if (key_len == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (txn_lookup(l, key, key_len, &hash) != NULL) {
		errno = EEXIST;
		return NULL;
	}
	t = txn_alloc(l, key, key_len, hash, 0, len);
	if (t == NULL)
		return NULL;
	memcpy(txn_slot(t), buf, len);
	t->out_len = len;
	t->method = msg->method;
	t->kind = msg->method == SIP_METHOD_INVITE ? TXN_KIND_CLIENT_INVITE
						   : TXN_KIND_CLIENT_NON_INVITE;
	t->state = t->kind == TXN_KIND_CLIENT_INVITE ? TXN_STATE_CALLING
						     : TXN_STATE_TRYING;
	t->peer = *to;
	txn_transport_set(t, tp);
	t->cb = cb;
	t->arg = arg;
	/* Sent before it is linked: a failure leaves nothing behind. */
	rc = txn_send(t, t->out, t->out_len);
	if (rc < 0) {
		txn_free_unlinked(t);
		errno = -rc;
		return NULL;
	}
	txn_link(t);
	txn_stat_inc(l, TXN_STAT_REQ_SENT);
	now = txn_now(l);
	/* B or F: 64*T1 whatever the transport; A or E over UDP only. */
	t->end_ns = time_add_ns(now, txn_64t1(l));
	if (!t->reliable) {
		t->retx_iv = l->conf.timers.t1_ns;
		t->retx_ns = time_add_ns(now, t->retx_iv);
	}
	txn_arm(t);
	return t;
}

/*
 * The ACK to a non-2xx final (§17.1.1.3): Request-URI, Call-ID, From and
 * the top Via of the INVITE, the To of the response (its tag), CSeq
 * number with method ACK, the INVITE's Route headers. Built from the kept
 * INVITE, then kept in its place for retransmitted finals.
 */
static int
txn_client_ack_build(struct txn *t, const struct sip_msg *rsp)
{
	struct txn_layer *l = t->layer;
	struct sip_msg *req = &l->scratch;
	struct sip_cseq cseq;
	struct sstr top;
	struct sip_via via;
	struct sip_buf b;
	int n;

	if (sip_msg_parse(req, t->out, t->out + t->out_len, 0, NULL) <= 0 ||
		txn_via_top(req, &via, &top) < 0 || txn_cseq_of(req, &cseq) < 0)
		return -EINVAL;
	sip_buf_init(&b, l->buf, sizeof(l->buf));
	sip_build_request_line(
		&b, SSTR_LIT("ACK"), sip_msg_slice(req, req->ruri));
	sip_buf_hdr(&b, "Via", top);
	for (const struct sip_hdr *h = sip_hdr_find(req, SIP_HDR_ROUTE);
		h != NULL; h = sip_hdr_find_next(req, h))
		sip_buf_hdr(&b, "Route", sip_hdr_value(req, h));
	sip_buf_hdr(&b, "Max-Forwards", SSTR_LIT("70"));
	sip_buf_hdr(&b, "From", sip_msg_hdr_value(req, SIP_HDR_FROM));
	sip_buf_hdr(&b, "To", sip_msg_hdr_value(rsp, SIP_HDR_TO));
	sip_buf_hdr(&b, "Call-ID", sip_msg_hdr_value(req, SIP_HDR_CALL_ID));
	sip_buf_putc(&b, "CSeq: ");
	sip_buf_putu(&b, cseq.seq);
	sip_buf_putc(&b, " ACK\r\n");
	n = sip_build_finish(&b, SSTR_NULL, SSTR_NULL);
	if (n < 0)
		return -EMSGSIZE;
	return txn_out_store(t, l->buf, (uint32_t)n);
}

/* Pass a response to the TU (txn_input_response() counts it). */
static void
txn_client_deliver(struct txn *t, const struct sip_msg *rsp)
{
	txn_notify(t, TXN_EVENT_RESPONSE, rsp);
}

/* A final ends Trying/Proceeding (non-INVITE): Completed, timer K. */
static void
txn_client_ni_final(struct txn *t, const struct sip_msg *rsp, uint64_t now)
{
	t->state = TXN_STATE_COMPLETED;
	t->retx_ns = UINT64_MAX;
	t->end_ns = time_add_ns(now, t->layer->conf.timers.t4_ns);
	txn_client_deliver(t, rsp);
	/* K is zero over TCP/TLS (§17.1.2.2). */
	if (t->reliable)
		txn_terminate(t);
	else
		txn_arm(t);
}

/* 300-699 to an INVITE: ACK it, tell the TU, Completed with timer D. */
static void
txn_client_inv_reject(struct txn *t, const struct sip_msg *rsp, uint64_t now)
{
	struct txn_layer *l = t->layer;
	int rc = 0;

	t->state = TXN_STATE_COMPLETED;
	t->retx_ns = UINT64_MAX;
	t->end_ns = time_add_ns(now, l->conf.timers.d_ns);
	if (txn_client_ack_build(t, rsp) == 0) {
		txn_stat_inc(l, TXN_STAT_ACK_SENT);
		rc = txn_send(t, t->out, t->out_len);
	} else {
		/*
		 * No ACK could be built (no memory, over 64 KiB): keep
		 * nothing to re-send rather than the INVITE; the peer's
		 * timer H ends its side.
		 */
		t->out_len = 0;
	}
	txn_client_deliver(t, rsp);
	if (rc < 0) {
		txn_fail_transport(t);
		return;
	}
	/* D is zero over TCP/TLS (§17.1.1.2). */
	if (t->reliable)
		txn_terminate(t);
	else
		txn_arm(t);
}

/* One response for a matched transaction. Returns the counter it bumps. */
static enum txn_stat
txn_client_input(struct txn *t, const struct sip_msg *rsp, uint64_t now)
{
	struct txn_layer *l = t->layer;
	uint16_t code = rsp->status;

	if (t->kind == TXN_KIND_CLIENT_NON_INVITE) {
		if (t->state == TXN_STATE_COMPLETED)
			return TXN_STAT_RSP_ABSORBED;
		t->last_code = code;
		if (code < 200) {
			/*
			 * Proceeding: E keeps running, at T2 from its next
			 * firing on (§17.1.2.2); F keeps running.
			 */
			t->state = TXN_STATE_PROCEEDING;
			txn_client_deliver(t, rsp);
		} else {
			txn_client_ni_final(t, rsp, now);
		}
		return TXN_STAT_RSP_TO_TU;
	}
	switch (t->state) {
	case TXN_STATE_CALLING:
	case TXN_STATE_PROCEEDING:
		t->last_code = code;
		if (code < 200) {
			/* Proceeding: no more retransmissions, B stops. */
			if (t->state == TXN_STATE_CALLING) {
				t->state = TXN_STATE_PROCEEDING;
				t->retx_ns = UINT64_MAX;
				t->end_ns =
					time_add_ns(now, l->conf.timers.c_ns);
				txn_arm(t);
			}
			txn_client_deliver(t, rsp);
		} else if (code < 300) {
			/* RFC 6026 §7.2: Accepted, timer M. */
			t->state = TXN_STATE_ACCEPTED;
			t->retx_ns = UINT64_MAX;
			t->end_ns = time_add_ns(now, txn_64t1(l));
			txn_arm(t);
			txn_client_deliver(t, rsp);
		} else {
			txn_client_inv_reject(t, rsp, now);
		}
		return TXN_STAT_RSP_TO_TU;
	case TXN_STATE_COMPLETED:
		/* A retransmitted final: ACK it again (§17.1.1.2). */
		if (code >= 300 && t->out_len > 0) {
			txn_stat_inc(l, TXN_STAT_ACK_SENT);
			if (txn_send(t, t->out, t->out_len) < 0)
				txn_fail_transport(t);
		}
		return TXN_STAT_RSP_ABSORBED;
	case TXN_STATE_ACCEPTED:
		/* Forked or retransmitted 2xx: the TU ACKs each. */
		if (code >= 200 && code < 300) {
			txn_client_deliver(t, rsp);
			return TXN_STAT_RSP_TO_TU;
		}
		return TXN_STAT_RSP_ABSORBED;
	default:
		return TXN_STAT_RSP_ABSORBED;
	}
}

int
txn_input_response(struct txn_layer *layer, const struct sip_msg *msg,
	const struct netaddr *src)
{
	struct txn_layer *l = layer;
	char key[TXN_KEY_MAX];
	struct sip_cseq cseq;
	struct sip_via via;
	enum txn_stat what;
	uint16_t key_len;
	uint32_t hash;
	struct txn *t;

	if (msg->kind != SIP_MSG_RESPONSE || txn_via_top(msg, &via, NULL) < 0 ||
		txn_cseq_of(msg, &cseq) < 0) {
		txn_stat_inc(l, TXN_STAT_BAD_MSG);
		return -EBADMSG;
	}
	key_len = txn_key_make(key, TXN_KEY_CLIENT,
		(enum sip_method)cseq.method, 0, via.branch, SSTR_NULL);
	t = key_len ? txn_lookup(l, key, key_len, &hash) : NULL;
	if (t == NULL) {
		txn_stat_inc(l, TXN_STAT_RSP_STRAY);
		if (LOG_ENABLED(SIP, DEBUG)) {
			char a[64];

			(void)netaddr_fmt(src, a, sizeof(a));
			LOG_RL(SIP, DEBUG, "txn: stray %u from %s", msg->status,
				a);
		}
		return -ENOENT;
	}
	t->hold++;
	what = txn_client_input(t, msg, txn_now(l));
	txn_stat_inc(l, what);
	t->hold--;
	txn_release(t);
	return 0;
}

void
txn_client_on_timer(struct txn *t, bool is_end, uint64_t now)
{
	struct txn_layer *l = t->layer;
	const struct txn_timers *tm = &l->conf.timers;
	uint64_t iv;

	if (is_end) {
		/* B, F, and the Proceeding guard: the TU hears of it. */
		enum txn_stat why = TXN_STAT_COUNT;

		if (t->state == TXN_STATE_CALLING)
			why = TXN_STAT_TIMEOUT_B;
		else if (t->state == TXN_STATE_PROCEEDING &&
			 t->kind == TXN_KIND_CLIENT_INVITE)
			why = TXN_STAT_TIMEOUT_C;
		else if (t->state == TXN_STATE_TRYING ||
			 t->state == TXN_STATE_PROCEEDING)
			why = TXN_STAT_TIMEOUT_F;
		if (why != TXN_STAT_COUNT) {
			txn_stat_inc(l, why);
			txn_notify(t, TXN_EVENT_TIMEOUT, NULL);
		}
		/* D, K, M end quietly. */
		txn_terminate(t);
		return;
	}
	if (t->state != TXN_STATE_CALLING && t->state != TXN_STATE_TRYING &&
		!(t->state == TXN_STATE_PROCEEDING &&
			t->kind == TXN_KIND_CLIENT_NON_INVITE)) {
		t->retx_ns = UINT64_MAX;
		txn_arm(t);
		return;
	}
	/* A or E. */
	txn_stat_inc(l, TXN_STAT_REQ_RETX_SENT);
	if (txn_send(t, t->out, t->out_len) < 0) {
		txn_fail_transport(t);
		return;
	}
	if (t->kind == TXN_KIND_CLIENT_INVITE)
		iv = 2 * t->retx_iv; /* A doubles without a cap (§17.1.1.2) */
	else if (t->state == TXN_STATE_PROCEEDING)
		iv = tm->t2_ns; /* §17.1.2.2 */
	else
		iv = 2 * t->retx_iv < tm->t2_ns ? 2 * t->retx_iv : tm->t2_ns;
	t->retx_ns = txn_retx_next(t, now, iv);
	t->retx_iv = iv;
	txn_arm(t);
}
