/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Server transactions (RFC 3261 §17.2, RFC 6026 §7.1): matching requests,
 * absorbing retransmissions, sending the TU's responses and keeping the
 * last one for retransmission, the 100 Trying of §17.2.1, timers G H I J L.
 */
#include <errno.h>
#include <string.h>

#include "control/txn/txn_priv.h"

/* Start line of a skeleton (the method keeps the parse honest). */
#define TXN_SKEL_RURI " sip:t SIP/2.0\r\n"
/* Default sent-by port when the Via gives none (§18.2.2, §19.1.2). */
#define TXN_SIP_PORT 5060

/* Headers a response copies from its request (sip_build_response()). */
static inline bool
txn_hdr_is_kept(uint8_t type)
{
	return type == SIP_HDR_VIA || type == SIP_HDR_RECORD_ROUTE ||
	       type == SIP_HDR_FROM || type == SIP_HDR_TO ||
	       type == SIP_HDR_CALL_ID || type == SIP_HDR_CSEQ;
}

static inline uint64_t
txn_64t1(const struct txn_layer *l)
{
	return 64 * l->conf.timers.t1_ns;
}

/*
 * Whether a header's line_len takes in its line end. sip_types.h says it
 * does; the parser (sip_parse_header) stops before the CRLF. Judge by the
 * bytes, so that the skeleton is right either way.
 */
static inline bool
txn_line_has_eol(const struct sip_msg *msg, const struct sip_hdr *h)
{
	return h->line_len > 0 && msg->buf[h->off + h->line_len - 1] == '\n';
}

/* Bytes a header line takes in a skeleton, CRLF included. */
static inline uint32_t
txn_line_len(const struct sip_msg *msg, const struct sip_hdr *h)
{
	return h->line_len + (txn_line_has_eol(msg, h) ? 0 : 2);
}

/*
 * Where responses go (§18.2.2): back on the connection for TCP/TLS; for
 * UDP to the source address (the "received" the Via would get) and the
 * sent-by port, or the source port when the client asked for rport
 * (RFC 3581). maddr is not honoured: a federation edge answers where the
 * request came from.
 */
static void
txn_peer_of(const struct sip_via *via, const struct netaddr *src,
	const struct txn_transport *tp, struct netaddr *peer)
{
	*peer = *src;
	if (!txn_tp_is_reliable(tp) && !via->has_rport)
		peer->port = via->port ? via->port : TXN_SIP_PORT;
}

/* §17.2.3 chosen: RFC 2543 requests are refused, statelessly. */
static int
txn_reject_no_cookie(struct txn_layer *l, const struct sip_msg *msg,
	const struct sip_via *via, const struct netaddr *src,
	const struct txn_transport *tp)
{
	char tag[TXN_RAND_HEX];
	struct netaddr peer;
	int n;

	if (msg->method == SIP_METHOD_ACK) {
		/* Nothing answers an ACK (§17.1.1.3). */
		txn_stat_inc(l, TXN_STAT_NO_COOKIE_ACK_DROPPED);
		return -EPROTONOSUPPORT;
	}
	txn_stat_inc(l, TXN_STAT_NO_COOKIE_REJECTED);
	txn_rand_hex(l, tag);
	n = sip_build_response(msg, 400, SSTR_NULL,
		(struct sstr){tag, sizeof(tag)}, SSTR_NULL, SSTR_NULL,
		SSTR_NULL, 0, l->buf, sizeof(l->buf));
	if (n > 0) {
		txn_peer_of(via, src, tp, &peer);
		/* Stateless: a lost 400 is answered again on retransmission. */
		(void)l->conf.send(
			l->conf.send_ctx, &peer, tp, l->buf, (uint32_t)n);
	}
	return -EPROTONOSUPPORT;
}

/*
 * A new server transaction: the one allocation holds the key, the
 * skeleton (a request made of the lines a response copies: parsed again
 * when the TU answers, since struct sip_msg is too big to keep per
 * transaction) and a response slot.
 */
static struct txn *
txn_server_new(struct txn_layer *l, const struct sip_msg *msg,
	const struct sip_via *via, const char *key, uint16_t key_len,
	uint32_t hash, const struct netaddr *src,
	const struct txn_transport *tp, int *err)
{
	struct sstr method = sip_msg_slice(msg, msg->method_s);
	uint32_t skel = method.len + sizeof(TXN_SKEL_RURI) - 1 + 2;
	struct sip_nameaddr to;
	struct sstr tov;
	struct txn *t;
	char *p;

	for (uint16_t i = 0; i < msg->n_hdrs; i++)
		if (txn_hdr_is_kept(msg->hdrs[i].type))
			skel += txn_line_len(msg, &msg->hdrs[i]);
	if (skel > TXN_MSG_MAX) {
		*err = -EBADMSG;
		return NULL;
	}
	t = txn_alloc(l, key, key_len, hash, skel, skel + l->conf.rsp_reserve);
	if (t == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	p = t->data + key_len;
	memcpy(p, method.p, method.len);
	p += method.len;
	memcpy(p, TXN_SKEL_RURI, sizeof(TXN_SKEL_RURI) - 1);
	p += sizeof(TXN_SKEL_RURI) - 1;
	for (uint16_t i = 0; i < msg->n_hdrs; i++) {
		const struct sip_hdr *h = &msg->hdrs[i];

		if (!txn_hdr_is_kept(h->type))
			continue;
		memcpy(p, msg->buf + h->off, h->line_len);
		p += h->line_len;
		if (!txn_line_has_eol(msg, h)) {
			memcpy(p, "\r\n", 2);
			p += 2;
		}
	}
	memcpy(p, "\r\n", 2);

	t->kind = msg->method == SIP_METHOD_INVITE ? TXN_KIND_SERVER_INVITE
						   : TXN_KIND_SERVER_NON_INVITE;
	t->state = t->kind == TXN_KIND_SERVER_INVITE ? TXN_STATE_PROCEEDING
						     : TXN_STATE_TRYING;
	t->method = msg->method;
	txn_transport_set(t, tp);
	txn_peer_of(via, src, tp, &t->peer);
	/* In-dialog: the To tag is the dialog's and every response keeps it. */
	tov = sip_msg_hdr_value(msg, SIP_HDR_TO);
	if (sip_nameaddr_parse(tov.p, sstr_end(tov), &to) == 0 &&
		to.tag.len > 0) {
		t->flags |= TXN_F_TO_TAGGED;
		if (to.tag.len <= TXN_TAG_MAX) {
			memcpy(t->tag, to.tag.p, to.tag.len);
			t->tag_len = (uint8_t)to.tag.len;
		}
	}
	return t;
}

/* A request that matched a live server transaction (§17.2.1, §17.2.2). */
static int
txn_server_absorb(struct txn *t, const struct sip_msg *msg,
	const struct netaddr *src, const struct txn_transport *tp)
{
	struct txn_layer *l = t->layer;
	bool resend = false;

	if (msg->method == SIP_METHOD_ACK) {
		if (t->state == TXN_STATE_ACCEPTED) {
			/* RFC 6026 §8.6: the ACK to a 2xx is the TU's. */
			txn_stat_inc(l, TXN_STAT_ACK_TO_TU);
			if (l->conf.on_ack != NULL)
				l->conf.on_ack(l->conf.tu_ctx, msg, src, tp);
			return 0;
		}
		txn_stat_inc(l, TXN_STAT_ACK_ABSORBED);
		if (t->state != TXN_STATE_COMPLETED)
			return 0;
		/* Confirmed: G and H stop; I soaks up ACK retransmissions. */
		t->state = TXN_STATE_CONFIRMED;
		t->retx_ns = UINT64_MAX;
		if (t->reliable) {
			txn_terminate(t);
			return 0;
		}
		t->end_ns = time_add_ns(txn_now(l), l->conf.timers.t4_ns);
		txn_arm(t);
		return 0;
	}
	txn_stat_inc(l, TXN_STAT_REQ_ABSORBED);
	switch (t->state) {
	case TXN_STATE_PROCEEDING:
		/* The last provisional (the TU's or our 100), if any. */
		resend = t->out_len > 0;
		break;
	case TXN_STATE_COMPLETED:
		resend = true;
		break;
	default:
		/* Trying, Confirmed, Accepted: absorbed silently. */
		break;
	}
	if (resend) {
		txn_stat_inc(l, TXN_STAT_RSP_RETX_SENT);
		if (txn_send(t, t->out, t->out_len) < 0)
			txn_fail_transport(t);
	}
	return 0;
}

int
txn_input_request(struct txn_layer *layer, const struct sip_msg *msg,
	const struct netaddr *src, const struct txn_transport *tp)
{
	struct txn_layer *l = layer;
	char key[TXN_KEY_MAX];
	struct sip_via via;
	enum sip_method cls;
	uint16_t key_len;
	uint32_t hash;
	struct txn *t;
	int err = 0;

	if (msg->kind != SIP_MSG_REQUEST || txn_via_top(msg, &via, NULL) < 0)
		goto bad;
	if (!txn_branch_has_cookie(via.branch))
		return txn_reject_no_cookie(l, msg, &via, src, tp);
	if (!sip_msg_has(msg, SIP_HDR_FROM) || !sip_msg_has(msg, SIP_HDR_TO) ||
		!sip_msg_has(msg, SIP_HDR_CALL_ID) ||
		!sip_msg_has(msg, SIP_HDR_CSEQ))
		goto bad;
	/* §17.2.3: the ACK of a non-2xx final matches its INVITE. */
	cls = msg->method == SIP_METHOD_ACK ? SIP_METHOD_INVITE
					    : (enum sip_method)msg->method;
	key_len = txn_key_make(
		key, TXN_KEY_SERVER, cls, via.port, via.branch, via.host);
	if (key_len == 0)
		goto bad;
	t = txn_lookup(l, key, key_len, &hash);
	if (t != NULL) {
		int rc;

		t->hold++;
		rc = txn_server_absorb(t, msg, src, tp);
		t->hold--;
		txn_release(t);
		return rc;
	}
	if (msg->method == SIP_METHOD_ACK) {
		/* No transaction: the ACK to a 2xx, for the dialog. */
		txn_stat_inc(l, TXN_STAT_ACK_TO_TU);
		if (l->conf.on_ack != NULL)
			l->conf.on_ack(l->conf.tu_ctx, msg, src, tp);
		return 0;
	}
	t = txn_server_new(l, msg, &via, key, key_len, hash, src, tp, &err);
	if (t == NULL) {
		if (err == -ENOMEM) {
			txn_stat_inc(l, TXN_STAT_NO_MEM);
			return -ENOMEM;
		}
		goto bad;
	}
	txn_link(t);
	txn_stat_inc(l, TXN_STAT_REQ_TO_TU);
	if (t->kind == TXN_KIND_SERVER_INVITE) {
		/* §17.2.1: 100 Trying unless the TU answers in time. */
		t->retx_ns = time_add_ns(txn_now(l), l->conf.timers.trying_ns);
		txn_arm(t);
	}
	t->hold++;
	l->conf.on_request(l->conf.tu_ctx, t, msg, src);
	t->hold--;
	txn_release(t);
	return 0;
bad:
	txn_stat_inc(l, TXN_STAT_BAD_MSG);
	return -EBADMSG;
}

static bool
txn_rsp_is_allowed(const struct txn *t, uint16_t code)
{
	switch (t->state) {
	case TXN_STATE_TRYING:
	case TXN_STATE_PROCEEDING:
		return true;
	case TXN_STATE_ACCEPTED:
		/* RFC 6026 §8.5: the TU's 2xx retransmissions. */
		return code >= 200 && code < 300;
	default:
		return false;
	}
}

static inline bool
txn_is_server(const struct txn *t)
{
	return t->kind == TXN_KIND_SERVER_INVITE ||
	       t->kind == TXN_KIND_SERVER_NON_INVITE;
}

/* Keep a response, move the state, send it, arm what follows. */
static int
txn_server_send_rsp(struct txn *t, uint16_t code, const char *buf, uint32_t len)
{
	struct txn_layer *l = t->layer;
	const struct txn_timers *tm = &l->conf.timers;
	uint64_t now = txn_now(l);
	int rc = txn_out_store(t, buf, len);

	if (rc < 0)
		return rc;
	t->last_code = code;
	t->flags |= TXN_F_RSP_SENT;
	/* Whatever the TU sends, the 100 Trying of §17.2.1 is not needed. */
	t->retx_ns = UINT64_MAX;
	if (code < 200) {
		if (t->kind == TXN_KIND_SERVER_NON_INVITE)
			t->state = TXN_STATE_PROCEEDING;
	} else if (t->kind == TXN_KIND_SERVER_INVITE) {
		if (code < 300) {
			/* RFC 6026 §8.5: Accepted, timer L. */
			if (t->state != TXN_STATE_ACCEPTED) {
				t->state = TXN_STATE_ACCEPTED;
				t->end_ns = time_add_ns(now, txn_64t1(l));
			}
		} else {
			/* §17.2.1: Completed, timer H; G over UDP only. */
			t->state = TXN_STATE_COMPLETED;
			t->end_ns = time_add_ns(now, txn_64t1(l));
			if (!t->reliable) {
				t->retx_iv = tm->t1_ns;
				t->retx_ns = time_add_ns(now, tm->t1_ns);
			}
		}
	} else {
		/* §17.2.2: Completed, timer J (zero over TCP/TLS). */
		t->state = TXN_STATE_COMPLETED;
		t->end_ns = t->reliable ? now : time_add_ns(now, txn_64t1(l));
	}
	txn_stat_inc(l, TXN_STAT_RSP_SENT);
	t->hold++;
	if (txn_send(t, t->out, t->out_len) < 0)
		txn_fail_transport(t);
	else if (t->kind == TXN_KIND_SERVER_NON_INVITE &&
		 t->state == TXN_STATE_COMPLETED && t->reliable)
		txn_terminate(t);
	else
		txn_arm(t);
	t->hold--;
	txn_release(t);
	return 0;
}

int
txn_respond(struct txn *txn, uint16_t code, const struct txn_rsp *rsp)
{
	static const struct txn_rsp none;
	struct txn *t = txn;
	struct txn_layer *l = t->layer;
	struct sstr tag = SSTR_NULL;
	const char *skel = txn_skel(t);
	int n;

	if (rsp == NULL)
		rsp = &none;
	if (!txn_is_server(t) || code < 100 || code > 699 ||
		rsp->to_tag.len > TXN_TAG_MAX)
		return -EINVAL;
	if (!txn_rsp_is_allowed(t, code))
		return -EALREADY;
	if (code > 100 && !(t->flags & TXN_F_TO_TAGGED)) {
		if (rsp->to_tag.len > 0) {
			tag = rsp->to_tag;
		} else {
			/* Generated once: every response carries the same. */
			if (t->tag_len == 0) {
				txn_rand_hex(l, t->tag);
				t->tag_len = TXN_RAND_HEX;
			}
			tag = (struct sstr){t->tag, t->tag_len};
		}
	}
	if (sip_msg_parse(&l->scratch, skel, skel + t->skel_len, 0, NULL) <= 0)
		return -EINVAL;
	n = sip_build_response(&l->scratch, code, rsp->reason, tag, rsp->extra,
		rsp->ctype, rsp->body, rsp->flags, l->buf, sizeof(l->buf));
	if (n < 0)
		return -EMSGSIZE;
	if (rsp->to_tag.len > 0 && !(t->flags & TXN_F_TO_TAGGED)) {
		memcpy(t->tag, rsp->to_tag.p, rsp->to_tag.len);
		t->tag_len = (uint8_t)rsp->to_tag.len;
	}
	return txn_server_send_rsp(t, code, l->buf, (uint32_t)n);
}

int
txn_respond_buf(struct txn *txn, const char *buf, uint32_t len)
{
	struct txn_layer *l = txn->layer;
	uint16_t code;

	if (!txn_is_server(txn))
		return -EINVAL;
	if (len > TXN_MSG_MAX)
		return -EMSGSIZE;
	if (sip_msg_parse(&l->scratch, buf, buf + len, 0, NULL) <= 0 ||
		l->scratch.kind != SIP_MSG_RESPONSE)
		return -EINVAL;
	code = l->scratch.status;
	if (code < 100 || code > 699)
		return -EINVAL;
	if (!txn_rsp_is_allowed(txn, code))
		return -EALREADY;
	return txn_server_send_rsp(txn, code, buf, len);
}

/* §17.2.1: the TU said nothing for 200 ms. */
static void
txn_server_trying(struct txn *t)
{
	struct txn_layer *l = t->layer;
	const char *skel = txn_skel(t);
	int n;

	if (sip_msg_parse(&l->scratch, skel, skel + t->skel_len, 0, NULL) <= 0)
		return;
	n = sip_build_response(&l->scratch, 100, SSTR_NULL, SSTR_NULL,
		SSTR_NULL, SSTR_NULL, SSTR_NULL, 0, l->buf, sizeof(l->buf));
	if (n < 0 || txn_out_store(t, l->buf, (uint32_t)n) < 0)
		return;
	t->last_code = 100;
	txn_stat_inc(l, TXN_STAT_TRYING_SENT);
	if (txn_send(t, t->out, t->out_len) < 0)
		txn_fail_transport(t);
}

void
txn_server_on_timer(struct txn *t, bool is_end, uint64_t now)
{
	struct txn_layer *l = t->layer;
	uint64_t iv;

	if (is_end) {
		/* H: the ACK never came; J, I, L: the state's time is up. */
		if (t->kind == TXN_KIND_SERVER_INVITE &&
			t->state == TXN_STATE_COMPLETED) {
			txn_stat_inc(l, TXN_STAT_TIMEOUT_H);
			txn_notify(t, TXN_EVENT_TIMEOUT, NULL);
		}
		txn_terminate(t);
		return;
	}
	if (t->kind == TXN_KIND_SERVER_INVITE &&
		t->state == TXN_STATE_PROCEEDING) {
		t->retx_ns = UINT64_MAX;
		if (!(t->flags & TXN_F_RSP_SENT))
			txn_server_trying(t);
		txn_arm(t);
		return;
	}
	if (t->kind == TXN_KIND_SERVER_INVITE &&
		t->state == TXN_STATE_COMPLETED) {
		/* G: re-send, interval doubling up to T2. */
		txn_stat_inc(l, TXN_STAT_RSP_RETX_SENT);
		if (txn_send(t, t->out, t->out_len) < 0) {
			txn_fail_transport(t);
			return;
		}
		iv = 2 * t->retx_iv;
		if (iv > l->conf.timers.t2_ns)
			iv = l->conf.timers.t2_ns;
		t->retx_ns = txn_retx_next(t, now, iv);
		t->retx_iv = iv;
	} else {
		t->retx_ns = UINT64_MAX;
	}
	txn_arm(t);
}

struct txn *
txn_server_find_cancelled(const struct txn *cancel)
{
	char key[TXN_KEY_MAX];
	uint32_t hash;
	struct txn *t;

	if (cancel->kind != TXN_KIND_SERVER_NON_INVITE ||
		cancel->method != SIP_METHOD_CANCEL)
		return NULL;
	memcpy(key, cancel->data, cancel->key_len);
	key[1] = (char)SIP_METHOD_INVITE;
	t = txn_lookup(cancel->layer, key, cancel->key_len, &hash);
	return t != NULL && t->kind == TXN_KIND_SERVER_INVITE ? t : NULL;
}
