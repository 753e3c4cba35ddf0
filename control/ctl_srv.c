/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_srv: the transports, the permit, the transaction layer and the TU
 * of the control thread, wired (see ctl_srv.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/admin/loop.h"
#include "control/ctl_permit.h"
#include "control/ctl_sip.h"
#include "control/ctl_srv.h"
#include "control/tcp/ctl_tcp.h"
#include "control/txn/txn.h"
#include "platform/sip/sip.h"
#include "platform/timer/time.h"

/* A To-tag for the stateless 403 (as the dataplane's "dp403"). */
#define CTL_SRV_TAG_403 "ctl403"
/* Largest stateless answer built here (a UDP datagram's limit). */
#define CTL_SRV_OUT_MAX 65535u

struct ctl_srv {
	struct txn_layer *txn;
	struct ctl_tcp *tcp;
	struct ctl_permit *permit;
	struct netaddr own[CTL_SRV_OWN_MAX]; /* for a rebuilt permit */
	unsigned n_own;
	struct ctl_sip_tu tu;  /* the TU's counters */
	uint64_t *ctr;	       /* this thread's shard */
	unsigned permit_base;  /* "ctl_permit" block */
	struct sip_limits lim;
	txn_send_fn udp_send;
	void *udp_ctx;
	struct sip_msg scratch;	    /* parses of datagrams */
	char out[CTL_SRV_OUT_MAX];  /* stateless 400, 403, 513 */
};

/* ---- Sending -------------------------------------------------------- */

/*
 * The transaction layer's transport: back the way the message came. Over
 * TCP the connection id is all that is needed (§18.2.2: the response goes
 * on the request's connection); when that connection is gone the send
 * fails (-ENOTCONN, counted by the transport): an edge does not dial back
 * to the sent-by address a foreign request names.
 */
static int
ctl_srv_send(void *ctx, const struct netaddr *to,
		const struct txn_transport *tp, const char *buf, uint32_t len)
{
	struct ctl_srv *s = ctx;

	switch (tp->proto) {
	case TXN_TP_UDP:
		if (s->udp_send == NULL)
			return -EPROTONOSUPPORT;
		return s->udp_send(s->udp_ctx, to, tp, buf, len);
	case TXN_TP_TCP:
		return ctl_tcp_send(s->tcp, tp->conn_id, buf, len);
	default:
		/* TLS lives in control/tls, which brings its own. */
		return -EPROTONOSUPPORT;
	}
}

/* ---- Policy --------------------------------------------------------- */

/*
 * The domain permit for TCP from outside (DESIGN.md policy order, step
 * 4, which the dataplane applies to UDP only). A denied request gets the
 * dataplane's answer, 403 without a transaction: like there, a
 * retransmission (none over TCP) would only get another 403.
 *
 * @return true when the request may go on.
 */
static bool
ctl_srv_permit(struct ctl_srv *s, const struct sip_msg *m,
		const struct netaddr *src, const struct txn_transport *tp)
{
	enum ctl_permit_verdict v = ctl_permit_check(s->permit, m, &tp->local);
	int n;

	if (v == CTL_PERMIT_PASS) {
		stats_inc(s->ctr, s->permit_base + CTL_PERMIT_CTR_PASS);
		return true;
	}
	if (m->method == SIP_METHOD_ACK) {
		stats_inc(s->ctr, s->permit_base + CTL_PERMIT_CTR_DROP_ACK);
		return false;
	}
	stats_inc(s->ctr, s->permit_base + (v == CTL_PERMIT_DENY_IDENTITY ?
					 CTL_PERMIT_CTR_403_IDENTITY :
					 CTL_PERMIT_CTR_403_RURI));
	n = sip_build_response(m, 403, SSTR_NULL, SSTR_LIT(CTL_SRV_TAG_403),
			SSTR_NULL, SSTR_NULL, SSTR_NULL, 0, s->out,
			sizeof(s->out));
	if (n > 0)
		(void)ctl_srv_send(s, src, tp, s->out, (uint32_t)n);
	return false;
}

/* ---- Input ---------------------------------------------------------- */

/* A classified message, from either transport: one outcome each. */
static void
ctl_srv_dispatch(struct ctl_srv *s, struct sip_msg *m, enum ctl_sip_in in,
		const struct netaddr *src, const struct txn_transport *tp,
		bool is_outside)
{
	int len;

	switch (in) {
	case CTL_SIP_IN_REQUEST:
		if (is_outside && !ctl_srv_permit(s, m, src, tp))
			break;
		/* Each outcome is counted by the layer (txn_*). */
		(void)txn_input_request(s->txn, m, src, tp);
		break;
	case CTL_SIP_IN_RESPONSE:
		(void)txn_input_response(s->txn, m, src);
		break;
	case CTL_SIP_IN_BAD_REQUEST:
		stats_inc(s->ctr, s->tu.base + CTL_SIP_REPLIED_400);
		/* RFC 3261 §18.2.2: to the source address and port, or on
		 * the request's connection. */
		len = ctl_sip_reject(m, s->out, sizeof(s->out));
		if (len > 0)
			(void)ctl_srv_send(s, src, tp, s->out, (uint32_t)len);
		break;
	case CTL_SIP_IN_DROP:
		stats_inc(s->ctr, s->tu.base + CTL_SIP_DROP_MALFORMED);
		break;
	}
}

void
ctl_srv_input_udp(struct ctl_srv *s, const char *data, uint32_t len,
		const struct netaddr *src, const struct txn_transport *tp)
{
	enum ctl_sip_in in = ctl_sip_classify(data, len, &s->lim, &s->scratch);

	ctl_srv_dispatch(s, &s->scratch, in, src, tp, false);
}

/* A message framed on a TCP connection. */
static void
ctl_srv_on_tcp(void *ctx, const struct ctl_tcp_origin *o, struct sip_msg *m)
{
	struct ctl_srv *s = ctx;
	struct txn_transport tp = {
		.proto = TXN_TP_TCP,
		.conn_id = o->conn_id,
		.local = o->local,
	};

	ctl_srv_dispatch(s, m, ctl_sip_classify_parsed(m), &o->peer, &tp,
			o->zone == CTL_TCP_ZONE_OUTSIDE);
}

/*
 * A TCP stream that cannot be framed: answer what can be answered before
 * the transport closes the connection. The head was read: 513 for a
 * message over the size limit (RFC 3261 §21.5.14), 400 with the reason
 * for the rest (no Content-Length, a malformed head).
 */
static void
ctl_srv_on_tcp_bad(void *ctx, const struct ctl_tcp_origin *o,
		struct sip_msg *m)
{
	struct ctl_srv *s = ctx;
	int len;

	if (m == NULL || m->kind != SIP_MSG_REQUEST ||
	    !ctl_sip_is_answerable(m))
		return;
	if (m->err == SIP_ERR_TOO_BIG) {
		stats_inc(s->ctr, s->tu.base + CTL_SIP_REPLIED_513);
		len = ctl_sip_reject_too_big(m, s->out, sizeof(s->out));
	} else {
		stats_inc(s->ctr, s->tu.base + CTL_SIP_REPLIED_400);
		len = ctl_sip_reject(m, s->out, sizeof(s->out));
	}
	if (len > 0)
		(void)ctl_tcp_send(s->tcp, o->conn_id, s->out, (size_t)len);
}

/* ---- Set-up --------------------------------------------------------- */

/* Find a block by its first name (another service registered it) or
 * register it. */
static int
ctl_srv_block(struct stats_reg *reg, const char *prefix,
		const char *const *names, const char *const *helps,
		unsigned n)
{
	char full[STATS_NAME_MAX + 1];
	int base;

	snprintf(full, sizeof(full), "%s_%s", prefix, names[0]);
	base = stats_find(reg, full);
	if (base >= 0)
		return base;
	return stats_block_register(reg, prefix, names, helps, n,
			STATS_KIND_COUNTER);
}

static int
ctl_srv_stats(struct ctl_srv *s, const struct ctl_srv_conf *conf)
{
	static const char *const sip_names[] = {
		STATS_NAMES(CTL_SIP_CTR_LIST)
	};
	static const char *const sip_helps[] = {
		STATS_HELPS(CTL_SIP_CTR_LIST)
	};
	static const char *const permit_names[] = {
		STATS_NAMES(CTL_PERMIT_CTR_LIST)
	};
	static const char *const permit_helps[] = {
		STATS_HELPS(CTL_PERMIT_CTR_LIST)
	};
	int sip = ctl_srv_block(conf->stats, "ctl_sip", sip_names, sip_helps,
			CTL_SIP_CTR__COUNT);
	int permit = ctl_srv_block(conf->stats, "ctl_permit", permit_names,
			permit_helps, CTL_PERMIT_CTR__COUNT);

	if (sip < 0 || permit < 0)
		return sip < 0 ? sip : permit;
	s->ctr = stats_shard(conf->stats, conf->stats_shard);
	if (s->ctr == NULL)
		return -EINVAL;
	s->tu = (struct ctl_sip_tu){ .ctr = s->ctr, .base = (unsigned)sip };
	s->permit_base = (unsigned)permit;
	return 0;
}

static void
ctl_srv_err(char *err, size_t errlen, const char *what, int rc)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", what, strerror(-rc));
}

struct ctl_srv *
ctl_srv_create(const struct ctl_srv_conf *conf, char *err, size_t errlen)
{
	struct ctl_srv *s;
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (conf == NULL || conf->loop == NULL || conf->stats == NULL) {
		errno = EINVAL;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->lim = conf->lim;
	if (s->lim.max_msg_size == 0)
		s->lim.max_msg_size = sip_limits_default.max_msg_size;
	if (s->lim.max_hdrs == 0)
		s->lim.max_hdrs = sip_limits_default.max_hdrs;
	if (s->lim.max_hdr_len == 0)
		s->lim.max_hdr_len = sip_limits_default.max_hdr_len;
	s->udp_send = conf->udp_send;
	s->udp_ctx = conf->udp_ctx;
	rc = ctl_srv_stats(s, conf);
	if (rc < 0) {
		ctl_srv_err(err, errlen, "counters", rc);
		goto fail;
	}
	s->n_own = conf->n_own < CTL_SRV_OWN_MAX ? conf->n_own :
						    CTL_SRV_OWN_MAX;
	if (s->n_own)
		memcpy(s->own, conf->own, s->n_own * sizeof(s->own[0]));
	s->permit = ctl_permit_create(conf->domains, conf->own, conf->n_own);
	if (s->permit == NULL) {
		rc = -ENOMEM;
		ctl_srv_err(err, errlen, "domain permit", rc);
		goto fail;
	}
	s->txn = txn_layer_create(&(struct txn_layer_conf){
			.wheel = conf->wheel ? conf->wheel :
					       loop_timers(conf->loop),
			.timers = conf->timers,
			.now_ns = conf->now_ns,
			.send = ctl_srv_send,
			.send_ctx = s,
			.on_request = ctl_sip_on_request,
			.tu_ctx = &s->tu,
			.stats = conf->stats,
			.stats_shard = conf->stats_shard,
		});
	if (s->txn == NULL) {
		rc = -errno;
		ctl_srv_err(err, errlen, "transaction layer", rc);
		goto fail;
	}
	s->tcp = ctl_tcp_create(&(struct ctl_tcp_conf){
			.loop = conf->loop,
			.wheel = conf->wheel,
			.now_ns = conf->now_ns,
			.listeners = conf->listeners,
			.n_listeners = conf->n_listeners,
			.max_connections = conf->max_connections,
			.idle_ns = conf->idle_ns,
			.max_output = conf->max_output,
			.lim = s->lim,
			.on_msg = ctl_srv_on_tcp,
			.on_bad = ctl_srv_on_tcp_bad,
			.ctx = s,
			.stats = conf->stats,
			.stats_shard = conf->stats_shard,
		}, err, errlen);
	if (s->tcp == NULL) {
		rc = -errno;
		if (err != NULL && errlen > 0 && err[0] == '\0')
			ctl_srv_err(err, errlen, "tcp", rc);
		goto fail;
	}
	return s;
fail:
	ctl_srv_destroy(s);
	errno = -rc;
	return NULL;
}

int
ctl_srv_set_domains(struct ctl_srv *s, const struct policy_domains_cfg *d)
{
	struct ctl_permit *p = ctl_permit_create(d, s->own, s->n_own);

	if (p == NULL)
		return -ENOMEM;
	/* One control thread: nothing else holds the old table. */
	ctl_permit_destroy(s->permit);
	s->permit = p;
	return 0;
}

void
ctl_srv_destroy(struct ctl_srv *s)
{
	if (s == NULL)
		return;
	/* Transactions first: terminating them sends nothing, and their
	 * connections are still there for anything that would. */
	txn_layer_destroy(s->txn);
	ctl_tcp_destroy(s->tcp);
	ctl_permit_destroy(s->permit);
	free(s);
}

struct ctl_tcp *
ctl_srv_tcp(struct ctl_srv *srv)
{
	return srv->tcp;
}

struct txn_layer *
ctl_srv_txn(struct ctl_srv *srv)
{
	return srv->txn;
}

/* ---- From the config ------------------------------------------------ */

static unsigned
ctl_srv_own_add(struct netaddr *own, unsigned n, const char *cidr)
{
	struct dp_cidr c;

	if (cidr == NULL || dp_cidr_parse(cidr, &c) < 0)
		return n;
	own[n] = c.family == AF_INET6 ? netaddr_make6(c.ip, 0) :
					netaddr_make4(c.ip, 0);
	return n + 1;
}

int
ctl_srv_conf_from_cfg(const struct edge_cfg *cfg, struct ctl_srv_conf *conf,
		struct ctl_srv_cfg_store *st)
{
	const struct dp_ports_cfg *ports = &cfg->dataplane.ports;
	int n = ctl_tcp_cfg_listeners(&cfg->tcp, &cfg->dataplane,
			st->listeners, NULL, 0);
	unsigned n_own = 0;

	if (n < 0)
		return n;
	n_own = ctl_srv_own_add(st->own, n_own, ports->outside.ipv4);
	n_own = ctl_srv_own_add(st->own, n_own, ports->outside.ipv6);
	n_own = ctl_srv_own_add(st->own, n_own, ports->inside.ipv4);
	n_own = ctl_srv_own_add(st->own, n_own, ports->inside.ipv6);
	sip_cfg_limits(&cfg->sip, &conf->lim);
	conf->domains = &cfg->domains;
	conf->own = st->own;
	conf->n_own = n_own;
	conf->listeners = st->listeners;
	conf->n_listeners = (unsigned)n;
	conf->max_connections = cfg->tcp.max_connections;
	conf->idle_ns = time_s_to_ns(cfg->tcp.idle_timeout_s);
	conf->max_output = cfg->tcp.max_output_kb * 1024u;
	return 0;
}
