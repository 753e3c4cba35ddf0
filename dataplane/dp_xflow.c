/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sessions of the appliance's own flows (DESIGN.md policy order, step 0):
 * the TCP connections and UDP exchanges its kernel opens through a TAP
 * (DNS, TLS to federation peers...), so that their return traffic passes
 * before the ACL.
 *
 * One table per port. Worker 0 alone reads the TAPs, so it alone writes;
 * every worker reads, without locks. The table is open-addressed with a
 * fixed probe window, and its slots are never emptied: a session that
 * aged out stays where it is, matching nothing, until a new flow of the
 * same window takes its place. Deletion therefore never breaks a probe
 * chain, and a lookup ends at the first slot that was never used (or
 * after the window). A slot's key is guarded by a sequence count, odd
 * while the writer rewrites it; its deadline is a single 64-bit word the
 * writer renews in place (readers see the old or the new one, both
 * coherent).
 *
 * Times are TSC values: the caller passes `now`, so that tests age
 * sessions by passing a later one instead of sleeping.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane/dp_priv.h"

/* Slots probed from a flow's home slot. */
#define DP_XFLOW_PROBES 8

/* Writer-side state of a slot. */
enum dp_xflow_state {
	DP_XFLOW_UDP = 0,
	DP_XFLOW_TCP_OPENING,   /* SYN sent, not acknowledged yet */
	DP_XFLOW_TCP_OPEN,      /* the kernel acknowledged */
	DP_XFLOW_TCP_CLOSING,   /* FIN or RST seen */
};

struct dp_xflow_slot {
	atomic_uint seq;              /* odd while the key is rewritten */
	uint8_t state;                /* enum dp_xflow_state (writer only) */
	struct dp_xflow_key key;      /* family 0: never used */
	atomic_uint_fast64_t expires; /* TSC deadline; 0: none */
} __rte_aligned(64);

struct dp_xflow {
	uint32_t mask;                   /* slots - 1 */
	struct dp_xflow_timeouts to;     /* in TSC ticks */
	uint64_t renew_gap;              /* ticks a deadline may lag */
	struct dp_xflow_slot s[];        /* the slots */
};

struct dp_xflow *
dp_xflow_create(uint32_t size, const struct dp_xflow_timeouts *to)
{
	struct dp_xflow *t;

	if (size == 0 || (size & (size - 1)))
		return NULL;
	t = rte_zmalloc("dp_xflow", sizeof(*t) + size * sizeof(t->s[0]),
			RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return NULL;
	t->mask = size - 1;
	t->to = *to;
	/* Renewing on every frame would bounce the slot's cache line to
	 * every reading worker: a deadline up to a second short is fine. */
	t->renew_gap = rte_get_tsc_hz();
	return t;
}

void
dp_xflow_free(struct dp_xflow *t)
{
	rte_free(t);
}

static inline uint32_t
dp_xflow_hash(const struct dp_xflow_key *k)
{
	return rte_jhash(k, sizeof(*k), 0);
}

static inline bool
dp_xflow_key_eq(const struct dp_xflow_key *a, const struct dp_xflow_key *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* A consistent copy of a slot's key, or false when the writer has it. */
static inline bool
dp_xflow_read(const struct dp_xflow_slot *s, struct dp_xflow_key *out)
{
	for (int tries = 0; tries < 2; tries++) {
		unsigned s1 = atomic_load_explicit(&s->seq,
				memory_order_acquire);

		if (s1 & 1)
			continue;
		memcpy(out, &s->key, sizeof(*out));
		/* The copy must complete before seq is read again. */
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&s->seq, memory_order_relaxed) == s1)
			return true;
	}
	return false;
}

bool
dp_xflow_match(const struct dp_xflow *t, const struct dp_xflow_key *k,
		uint64_t now)
{
	uint32_t h = dp_xflow_hash(k);

	for (uint32_t i = 0; i < DP_XFLOW_PROBES; i++) {
		const struct dp_xflow_slot *s = &t->s[(h + i) & t->mask];
		struct dp_xflow_key c;

		if (!dp_xflow_read(s, &c))
			continue; /* being rewritten: not this flow's yet */
		if (c.family == 0)
			return false; /* never used: the chain ends here */
		if (!dp_xflow_key_eq(&c, k))
			continue;
		return now < atomic_load_explicit(&s->expires,
				memory_order_relaxed);
	}
	return false;
}

static uint64_t
dp_xflow_timeout(const struct dp_xflow *t, uint8_t state)
{
	switch (state) {
	case DP_XFLOW_TCP_OPEN:
		return t->to.tcp;
	case DP_XFLOW_TCP_OPENING:
	case DP_XFLOW_TCP_CLOSING:
		return t->to.closing;
	default:
		return t->to.udp;
	}
}

/* The state a TCP segment the kernel sent moves a session to. */
static uint8_t
dp_xflow_tcp_next(uint8_t state, uint8_t flags)
{
	if ((flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
	    RTE_TCP_SYN_FLAG)
		return DP_XFLOW_TCP_OPENING;
	if (flags & (RTE_TCP_FIN_FLAG | RTE_TCP_RST_FLAG))
		return DP_XFLOW_TCP_CLOSING;
	if (state == DP_XFLOW_TCP_CLOSING)
		return state; /* the last ACKs of a close */
	return (flags & RTE_TCP_ACK_FLAG) ? DP_XFLOW_TCP_OPEN : state;
}

/* Renew slot s in state st: the deadline moves on (throttled). */
static void
dp_xflow_renew(struct dp_xflow *t, struct dp_xflow_slot *s, uint8_t st,
		uint64_t now)
{
	uint64_t exp = now + dp_xflow_timeout(t, st);
	uint64_t old = atomic_load_explicit(&s->expires, memory_order_relaxed);

	if (st != s->state || exp > old + t->renew_gap || exp < old)
		atomic_store_explicit(&s->expires, exp, memory_order_relaxed);
	s->state = st;
}

enum dp_xflow_note
dp_xflow_note(struct dp_xflow *t, const struct dp_xflow_key *k,
		uint8_t tcp_flags, uint64_t now)
{
	uint32_t h = dp_xflow_hash(k);
	struct dp_xflow_slot *free_slot = NULL;
	bool opens = k->proto == IPPROTO_UDP ||
		     (tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG)) ==
			     RTE_TCP_SYN_FLAG;

	/* The single writer reads its own slots without the sequence. */
	for (uint32_t i = 0; i < DP_XFLOW_PROBES; i++) {
		struct dp_xflow_slot *s = &t->s[(h + i) & t->mask];
		uint64_t exp = atomic_load_explicit(&s->expires,
				memory_order_relaxed);

		if (s->key.family != 0 && dp_xflow_key_eq(&s->key, k)) {
			if (now >= exp && !opens)
				return DP_XFLOW_NOTE_NONE; /* over; stays so */
			bool reopened = now >= exp;
			uint8_t st = k->proto == IPPROTO_UDP ? DP_XFLOW_UDP :
				dp_xflow_tcp_next(reopened ?
					DP_XFLOW_TCP_OPENING : s->state,
					tcp_flags);

			dp_xflow_renew(t, s, st, now);
			return reopened ? DP_XFLOW_NOTE_NEW :
					  DP_XFLOW_NOTE_RENEWED;
		}
		if (free_slot == NULL && (s->key.family == 0 || now >= exp))
			free_slot = s;
		if (s->key.family == 0)
			break; /* nothing further along was ever written */
	}
	if (!opens)
		return DP_XFLOW_NOTE_NONE;
	if (free_slot == NULL)
		return DP_XFLOW_NOTE_FULL;

	struct dp_xflow_slot *s = free_slot;
	unsigned seq = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, seq + 1, memory_order_relaxed);
	/* Readers must see the odd count before any byte of the new key. */
	atomic_thread_fence(memory_order_release);
	s->key = *k;
	s->state = k->proto == IPPROTO_UDP ? DP_XFLOW_UDP :
					     DP_XFLOW_TCP_OPENING;
	atomic_store_explicit(&s->expires, now + dp_xflow_timeout(t,
			s->state), memory_order_relaxed);
	/* The key is complete before the slot is released. */
	atomic_store_explicit(&s->seq, seq + 2, memory_order_release);
	return DP_XFLOW_NOTE_NEW;
}

/* The key of the flow an IPv4 datagram to us belongs to (a TCP/UDP
 * datagram from the remote end, or an ICMP error quoting one of ours). */
static bool
dp_xflow_key4(const struct dp_port *p, uint16_t sip_port,
		const struct rte_ipv4_hdr *ip, const uint8_t *l4,
		uint32_t l4_len, struct dp_xflow_key *k)
{
	uint8_t proto = ip->next_proto_id;

	memset(k, 0, sizeof(*k));
	k->family = AF_INET;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		/* dp_acl_ports() made sure the ports are there. */
		k->proto = proto;
		k->rport = (uint16_t)(l4[0] << 8 | l4[1]);
		k->lport = (uint16_t)(l4[2] << 8 | l4[3]);
		memcpy(k->raddr, &ip->src_addr, 4);
		/* SIP over UDP always meets the ACL and the rate limit. */
		return !(proto == IPPROTO_UDP && k->lport == sip_port);
	}
	/* ICMP error: type, code, checksum, 4 unused, then our datagram's
	 * IP header and at least 8 bytes of it (RFC 792). */
	if (proto != IPPROTO_ICMP || l4_len < 8 + 20 + 4 ||
	    !dp_tap_is_icmp_error(AF_INET, l4[0]))
		return false;
	const struct rte_ipv4_hdr *in = (const struct rte_ipv4_hdr *)(l4 + 8);
	uint32_t ihl = (uint32_t)(in->version_ihl & 0x0f) * 4;

	if ((in->version_ihl >> 4) != 4 || ihl < 20 || l4_len < 8 + ihl + 4 ||
	    in->src_addr != p->ip4 ||
	    (in->next_proto_id != IPPROTO_TCP &&
	     in->next_proto_id != IPPROTO_UDP))
		return false;
	const uint8_t *ports = l4 + 8 + ihl;

	k->proto = in->next_proto_id;
	k->lport = (uint16_t)(ports[0] << 8 | ports[1]);
	k->rport = (uint16_t)(ports[2] << 8 | ports[3]);
	memcpy(k->raddr, &in->dst_addr, 4);
	return true;
}

/* The same for IPv6 (no extension headers: the pipeline has none). */
static bool
dp_xflow_key6(const struct dp_port *p, uint16_t sip_port,
		const struct rte_ipv6_hdr *ip6, const uint8_t *l4,
		uint32_t l4_len, struct dp_xflow_key *k)
{
	uint8_t proto = ip6->proto;

	memset(k, 0, sizeof(*k));
	k->family = AF_INET6;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		k->proto = proto;
		k->rport = (uint16_t)(l4[0] << 8 | l4[1]);
		k->lport = (uint16_t)(l4[2] << 8 | l4[3]);
		memcpy(k->raddr, ip6->src_addr, 16);
		return !(proto == IPPROTO_UDP && k->lport == sip_port);
	}
	/* ICMPv6 error (RFC 4443): 8 bytes, then as much of our datagram as
	 * fits. */
	if (proto != IPPROTO_ICMPV6 || l4_len < 8 + 40 + 4 ||
	    !dp_tap_is_icmp_error(AF_INET6, l4[0]))
		return false;
	const struct rte_ipv6_hdr *in = (const struct rte_ipv6_hdr *)(l4 + 8);

	if ((rte_be_to_cpu_32(in->vtc_flow) >> 28) != 6 ||
	    memcmp(in->src_addr, p->ip6, 16) != 0 ||
	    (in->proto != IPPROTO_TCP && in->proto != IPPROTO_UDP))
		return false;
	const uint8_t *ports = l4 + 8 + 40;

	k->proto = in->proto;
	k->lport = (uint16_t)(ports[0] << 8 | ports[1]);
	k->rport = (uint16_t)(ports[2] << 8 | ports[3]);
	memcpy(k->raddr, in->dst_addr, 16);
	return true;
}

bool
dp_xflow_input_slow(struct dp_worker *w, struct dp_port *p,
		struct rte_mbuf *m, uint8_t family, const void *l3,
		const uint8_t *l4, uint32_t l4_len)
{
	struct dp_xflow_key k;
	bool ok;

	if (family == AF_INET)
		ok = dp_xflow_key4(p, w->dp->sip_port, l3, l4, l4_len, &k);
	else
		ok = dp_xflow_key6(p, w->dp->sip_port, l3, l4, l4_len, &k);
	if (!ok || !dp_xflow_match(p->xflow, &k, w->now))
		return false;
	dp_count(w, p, DP_XFLOW_HIT, 1);
	dp_tap_to_kernel(w, p, m, DP_DROP_IP_PROTO);
	return true;
}
