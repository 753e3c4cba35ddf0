/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SIP ALG of the PAT (DESIGN.md pipeline steps 3 and 8), SIP over UDP.
 *
 * Outbound, the addresses an inside node writes where the remote end will
 * answer or call back are moved to the mapping's outside address and
 * port: the top Via sent-by, every Contact and Record-Route, and the SDP
 * c= and o= lines (address only: media is not translated). Inbound, what
 * we advertised is moved back: the top Via of a response, the
 * Request-URI of a request (an in-dialog request to our Contact).
 *
 * An address is rewritten only where it stands alone (not a piece of a
 * longer address or name) and where its port is the mapping's: outbound
 * the node's port, or no port when that port is 5060 (the SIP default);
 * inbound exactly the PAT port we wrote. A Contact with another port is
 * left alone: the PAT could not route requests to it anyway.
 *
 * The message is checked by a full parse and rewritten with
 * sip_msg_rewrite() (Content-Length follows the body) into the worker's
 * scratch, then copied back over the datagram's payload, whose mbuf
 * grows or shrinks in place.
 */
#include <string.h>

#include <rte_udp.h>

#include "dataplane/dp_priv.h"
#include "dataplane/dp_pat.h"
#include "platform/sip/sip.h"

/* Most edits in one message. */
#define DP_ALG_MAX_EDITS 32

struct dp_alg_ctx {
	const char *buf;        /* the message */
	const char *ip;         /* address text to find */
	size_t ip_len;
	uint16_t port;          /* the port that goes with it */
	bool port_optional;     /* no port written matches too */
	struct sstr repl;       /* "a.b.c.d:port" */
	struct sstr repl_ip;    /* "a.b.c.d" (SDP) */
	struct sip_edit e[DP_ALG_MAX_EDITS];
	unsigned n;
};

static inline bool
dp_alg_addr_char(char c)
{
	return (c >= '0' && c <= '9') || c == '.' || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '-';
}

/* Edits for the address in [off, off + len); ip_only: SDP. */
static int
dp_alg_scan(struct dp_alg_ctx *c, uint32_t off, uint32_t len, bool ip_only)
{
	const char *b = c->buf;
	uint32_t end = off + len;

	for (uint32_t i = off; i + c->ip_len <= end; i++) {
		if (memcmp(b + i, c->ip, c->ip_len) != 0 ||
		    (i > off && dp_alg_addr_char(b[i - 1])))
			continue;
		uint32_t j = i + (uint32_t)c->ip_len;

		if (j < end && dp_alg_addr_char(b[j]))
			continue;
		if (c->n == DP_ALG_MAX_EDITS)
			return -1;
		if (ip_only) {
			c->e[c->n++] = (struct sip_edit){ .off = i,
				.len = (uint32_t)c->ip_len, .repl = c->repl_ip };
			i = j - 1;
			continue;
		}
		if (j < end && b[j] == ':') {
			uint32_t k = j + 1, port = 0;

			while (k < end && k < j + 6 && b[k] >= '0' &&
			       b[k] <= '9')
				port = port * 10 + (uint32_t)(b[k++] - '0');
			if (k == j + 1 || port != c->port)
				continue;
			j = k;
		} else if (!c->port_optional) {
			continue;
		}
		c->e[c->n++] = (struct sip_edit){ .off = i, .len = j - i,
						  .repl = c->repl };
		i = j - 1;
	}
	return 0;
}

/* Only CR and LF: a keep-alive (RFC 5626), nothing to parse. */
static bool
dp_alg_keepalive(const char *p, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return false;
	return true;
}

/* Decimal digits of v at out; returns the end (no NUL). */
static char *
dp_alg_put_u(char *out, unsigned v)
{
	char tmp[5];
	unsigned n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < sizeof(tmp));
	while (n)
		*out++ = tmp[--n];
	return out;
}

/*
 * "a.b.c.d" into out (at least 16 bytes), NUL-terminated; returns the
 * NUL. By hand: snprintf() cost the ALG ~3,700 instructions a message.
 */
static char *
dp_alg_ip_text(char *out, uint32_t ip_be)
{
	const uint8_t *a = (const uint8_t *)&ip_be;

	for (unsigned i = 0; i < 4; i++) {
		out = dp_alg_put_u(out, a[i]);
		if (i < 3)
			*out++ = '.';
	}
	*out = '\0';
	return out;
}

int
dp_pat_alg(struct dp_worker *w, char *scratch, uint32_t cap,
		struct rte_mbuf *m, struct rte_ipv4_hdr *ip, bool outbound,
		uint32_t from_ip, uint16_t from_port, uint32_t to_ip,
		uint16_t to_port)
{
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)((uint8_t *)ip +
			(ip->version_ihl & 0x0f) * 4);
	char *pl = (char *)(udp + 1);
	uint32_t len = rte_be_to_cpu_16(udp->dgram_len) - sizeof(*udp);
	struct sip_msg *msg = w->sip;
	char from[16], to[24], to_ip_s[16];
	struct dp_alg_ctx c;

	if (dp_alg_keepalive(pl, len))
		return 0;
	if (sip_msg_parse(msg, pl, pl + len, 0, NULL) <= 0)
		return -1;
	char *at = dp_alg_ip_text(from, from_ip);

	c.ip_len = (size_t)(at - from);
	at = dp_alg_ip_text(to, to_ip);
	*at++ = ':';
	*dp_alg_put_u(at, to_port) = '\0';
	dp_alg_ip_text(to_ip_s, to_ip);
	/* Offsets of the parse are from msg->buf, past skipped CRLFs. */
	c.buf = msg->buf;
	c.ip = from;
	c.port = from_port;
	c.port_optional = outbound && from_port == 5060;
	c.repl = (struct sstr){ to, (uint32_t)strlen(to) };
	c.repl_ip = (struct sstr){ to_ip_s, (uint32_t)strlen(to_ip_s) };
	c.n = 0;
	if (!outbound && msg->kind == SIP_MSG_REQUEST &&
	    dp_alg_scan(&c, msg->ruri.off, msg->ruri.len, false) < 0)
		return -1;
	bool via_done = false;

	for (unsigned i = 0; i < msg->n_hdrs; i++) {
		const struct sip_hdr *h = &msg->hdrs[i];
		bool top_via = h->type == SIP_HDR_VIA && !via_done;

		if (h->type == SIP_HDR_VIA)
			via_done = true;
		/* Inbound only a response's top Via is ours to restore. */
		if (!outbound && !(top_via && msg->kind == SIP_MSG_RESPONSE))
			continue;
		if (outbound && !top_via && h->type != SIP_HDR_CONTACT &&
		    h->type != SIP_HDR_RECORD_ROUTE)
			continue;
		/* The top Via's value holds more via-parms after a comma:
		 * only the first is the top one. */
		uint32_t vlen = h->val_len;

		if (top_via) {
			const char *comma = memchr(c.buf + h->val_off, ',',
					h->val_len);

			if (comma != NULL)
				vlen = (uint32_t)(comma - (c.buf + h->val_off));
		}
		if (dp_alg_scan(&c, h->val_off, vlen, false) < 0)
			return -1;
	}
	/* SDP: c= and o= lines of the body. */
	for (uint32_t o = msg->body.off; outbound && o < msg->body.off +
			msg->body.len;) {
		uint32_t bend = msg->body.off + msg->body.len;
		const char *nl = memchr(c.buf + o, '\n', bend - o);
		uint32_t e = nl ? (uint32_t)(nl - c.buf) : bend;

		if (e - o > 2 && (c.buf[o] == 'c' || c.buf[o] == 'o') &&
		    c.buf[o + 1] == '=' &&
		    dp_alg_scan(&c, o + 2, e - o - 2, true) < 0)
			return -1;
		o = e + 1;
	}
	if (c.n == 0)
		return 0;
	int n = sip_msg_rewrite(msg, c.e, c.n, scratch, cap);

	if (n < 0)
		return -1;
	/* The message may have sat behind CRLFs; they go, as do trailing
	 * bytes past its length. */
	uint32_t nlen = (uint32_t)n;

	if (nlen > len) {
		if (rte_pktmbuf_append(m, (uint16_t)(nlen - len)) == NULL)
			return -1;
	} else if (nlen < len) {
		rte_pktmbuf_trim(m, (uint16_t)(len - nlen));
	}
	memcpy(pl, scratch, nlen);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + nlen));
	ip->total_length = rte_cpu_to_be_16((uint16_t)(
			(ip->version_ihl & 0x0f) * 4 + sizeof(*udp) + nlen));
	return 1;
}
