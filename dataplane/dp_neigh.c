/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next hops: the appliance's own ARP (RFC 826) and IPv6 neighbour
 * discovery (RFC 4861) cache, one table per port, and the output step
 * that fills a frame's MAC addresses from it.
 *
 * The table is shared by every worker and read on every forwarded or
 * originated frame, so it takes no lock: an open-addressed array whose
 * slots are never emptied (an entry is replaced in place, so probe chains
 * stay intact), each slot guarded by a sequence count that is odd while a
 * writer holds it. Readers retry a slot once if it changed under them and
 * otherwise treat it as a miss; a writer that finds the slot held skips
 * (the next answer teaches the same thing). Answers come rarely next to
 * lookups, and a learned entry is rewritten only when it changes or is
 * half-way to its timeout, so the cache line stays shared in the common
 * case.
 *
 * An unresolved next hop gets a request (at most one a second per entry,
 * claimed with a compare-and-swap so that workers do not all ask) and its
 * latest frame is held in the entry until the answer: the first datagram
 * to a new peer is not lost to resolution. A held frame whose next hop
 * stays silent is dropped by the sweep after DP_NEIGH_HOLD_S.
 */
#include <errno.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "dataplane/dp_priv.h"

/* Slots probed from an address's home slot. */
#define DP_NEIGH_PROBES 8
/* Seconds between requests for one next hop. */
#define DP_NEIGH_ASK_S 1
/* Seconds a stale entry is still used while being asked again. */
#define DP_NEIGH_GRACE_S 10
/* Seconds a frame waits for its next hop to answer. */
#define DP_NEIGH_HOLD_S 3
/* Slots the sweep looks at per call. */
#define DP_NEIGH_SWEEP 16

struct dp_neigh_entry {
	atomic_uint seq;              /* odd while a writer holds the slot */
	uint8_t family;               /* 0: never used */
	uint8_t mac[6];               /* valid when updated != 0 */
	uint8_t ip[16];               /* the next hop */
	uint64_t updated;             /* TSC of the last answer; 0: none */
	atomic_uint_fast64_t asked;   /* TSC of the last request sent */
	_Atomic(struct rte_mbuf *) held; /* a frame waiting for the answer */
} __rte_cache_aligned;

struct dp_neigh_table {
	uint32_t mask;            /* slots - 1 */
	uint64_t timeout;         /* TSC ticks an answer is fresh */
	uint64_t grace;           /* further ticks a stale one is used */
	uint32_t sweep;           /* next slot the sweep looks at */
	struct dp_neigh_entry e[]; /* the slots */
};

static inline uint32_t
dp_neigh_alen(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static inline uint32_t
dp_neigh_hash(uint8_t family, const uint8_t *ip)
{
	/* Addresses come straight from packet headers, where an IPv6
	 * address need not be 4-byte aligned; rte_jhash reads words. */
	uint32_t w[4];

	memcpy(w, ip, dp_neigh_alen(family));
	return rte_jhash(w, dp_neigh_alen(family), family);
}

int
dp_neigh_init(struct dp *dp, struct dp_port *p, uint32_t size,
		uint32_t timeout_s)
{
	struct dp_neigh_table *t;
	uint64_t hz = rte_get_tsc_hz();

	(void)dp;
	t = rte_zmalloc("dp_neigh", sizeof(*t) + size * sizeof(t->e[0]),
			RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return -ENOMEM;
	t->mask = size - 1;
	t->timeout = timeout_s * hz;
	t->grace = DP_NEIGH_GRACE_S * hz;
	p->neigh = t;
	return 0;
}

void
dp_neigh_free(struct dp_port *p)
{
	struct dp_neigh_table *t = p->neigh;

	if (t == NULL)
		return;
	for (uint32_t i = 0; i <= t->mask; i++)
		rte_pktmbuf_free(atomic_exchange(&t->e[i].held, NULL));
	rte_free(t);
	p->neigh = NULL;
}

/* A consistent copy of slot e, or false when a writer holds or moved it. */
static bool
dp_neigh_read(const struct dp_neigh_entry *e, struct dp_neigh_entry *out)
{
	for (int tries = 0; tries < 2; tries++) {
		unsigned s1 = atomic_load_explicit(&e->seq,
				memory_order_acquire);

		if (s1 & 1)
			continue;
		out->family = e->family;
		memcpy(out->ip, e->ip, 16);
		memcpy(out->mac, e->mac, 6);
		out->updated = e->updated;
		/* The copies above must complete before seq is read again. */
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&e->seq, memory_order_relaxed) == s1)
			return true;
	}
	return false;
}

/* The slot of family/ip, or NULL. */
static struct dp_neigh_entry *
dp_neigh_find(struct dp_neigh_table *t, uint8_t family, const uint8_t *ip,
		struct dp_neigh_entry *copy)
{
	uint32_t h = dp_neigh_hash(family, ip), alen = dp_neigh_alen(family);

	for (uint32_t i = 0; i < DP_NEIGH_PROBES; i++) {
		struct dp_neigh_entry *e = &t->e[(h + i) & t->mask];

		if (!dp_neigh_read(e, copy))
			continue;
		if (copy->family == 0)
			return NULL; /* slots are never emptied: chain ends */
		if (copy->family == family && memcmp(copy->ip, ip, alen) == 0)
			return e;
	}
	return NULL;
}

enum dp_neigh_state
dp_neigh_lookup(const struct dp_port *p, uint8_t family, const uint8_t *ip,
		uint64_t now, uint8_t mac[6])
{
	struct dp_neigh_entry c;

	if (p->neigh == NULL ||
	    dp_neigh_find(p->neigh, family, ip, &c) == NULL || c.updated == 0)
		return DP_NEIGH_MISS;
	uint64_t age = now - c.updated;

	if (now >= c.updated && age >= p->neigh->timeout + p->neigh->grace)
		return DP_NEIGH_MISS;
	memcpy(mac, c.mac, 6);
	return now >= c.updated && age >= p->neigh->timeout ? DP_NEIGH_STALE :
							       DP_NEIGH_FRESH;
}

/*
 * Claim the slot for family/ip (existing, else free, else the one
 * answered longest ago) and write it: mac NULL makes an unanswered entry
 * (keeping a known MAC of the same address). @return the slot, or NULL
 * when every candidate is held by another writer.
 */
static struct dp_neigh_entry *
dp_neigh_write(struct dp_neigh_table *t, uint8_t family, const uint8_t *ip,
		const uint8_t *mac, uint64_t now)
{
	uint32_t h = dp_neigh_hash(family, ip), alen = dp_neigh_alen(family);
	struct dp_neigh_entry *pick = NULL, *oldest = NULL, c;
	uint64_t oldest_t = UINT64_MAX;

	for (uint32_t i = 0; i < DP_NEIGH_PROBES; i++) {
		struct dp_neigh_entry *e = &t->e[(h + i) & t->mask];

		if (!dp_neigh_read(e, &c))
			continue;
		if (c.family == 0 || (c.family == family &&
				      memcmp(c.ip, ip, alen) == 0)) {
			pick = e;
			break;
		}
		if (c.updated < oldest_t) {
			oldest_t = c.updated;
			oldest = e;
		}
	}
	if (pick == NULL)
		pick = oldest;
	if (pick == NULL)
		return NULL;
	unsigned s = atomic_load_explicit(&pick->seq, memory_order_relaxed);

	if ((s & 1) || !atomic_compare_exchange_strong_explicit(&pick->seq,
			&s, s + 1, memory_order_acquire, memory_order_relaxed))
		return NULL;
	bool same = pick->family == family && memcmp(pick->ip, ip, alen) == 0;

	if (!same) {
		/* Evicted: what it held was for another next hop. */
		rte_pktmbuf_free(atomic_exchange(&pick->held, NULL));
		memset(pick->ip, 0, 16);
		memcpy(pick->ip, ip, alen);
		pick->family = family;
		pick->updated = 0;
		atomic_store_explicit(&pick->asked, 0, memory_order_relaxed);
	}
	if (mac != NULL) {
		memcpy(pick->mac, mac, 6);
		pick->updated = now ? now : 1;
	}
	/* The fields above are visible before the slot is released. */
	atomic_store_explicit(&pick->seq, s + 2, memory_order_release);
	return pick;
}

/* Is ip inside the port's prefix of its family? */
static bool
dp_neigh_onlink(const struct dp_port *p, uint8_t family, const uint8_t *ip)
{
	const uint8_t *mine = family == AF_INET ? (const uint8_t *)&p->ip4 :
						  p->ip6;
	unsigned bits = family == AF_INET ? p->prefix4 : p->prefix6;

	if (family == AF_INET ? !p->has_ip4 : !p->has_ip6)
		return false;
	if (memcmp(ip, mine, bits / 8) != 0)
		return false;
	if (bits % 8 == 0)
		return true;
	uint8_t m = (uint8_t)(0xff << (8 - bits % 8));

	return (ip[bits / 8] & m) == (mine[bits / 8] & m);
}

/* A frame that cannot leave: freed and counted. */
static void
dp_neigh_drop(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		enum dp_ctr why)
{
	rte_pktmbuf_free(m);
	dp_count(w, p, why, 1);
}

/* Fill m's Ethernet addresses for next hop mac and send it. */
static void
dp_neigh_send(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const uint8_t mac[6])
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	memcpy(eth->dst_addr.addr_bytes, mac, 6);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	dp_tx_ip(w, p, m, dp_meta(m)->self);
}

void
dp_neigh_learn(struct dp_worker *w, struct dp_port *p, uint8_t family,
		const uint8_t *ip, const uint8_t mac[6])
{
	struct dp_neigh_table *t = p->neigh;
	struct dp_neigh_entry c, *e;

	if (t == NULL || !dp_neigh_onlink(p, family, ip) ||
	    (mac[0] & 1) != 0)
		return;
	e = dp_neigh_find(t, family, ip, &c);
	/* Unchanged and fresh enough: leave the cache line shared. */
	if (e != NULL && c.updated != 0 && memcmp(c.mac, mac, 6) == 0 &&
	    w->now >= c.updated && w->now - c.updated < t->timeout / 2 &&
	    atomic_load_explicit(&e->held, memory_order_relaxed) == NULL)
		return;
	e = dp_neigh_write(t, family, ip, mac, w->now);
	if (e == NULL)
		return;
	struct rte_mbuf *m = atomic_exchange(&e->held, NULL);

	if (m == NULL)
		return;
	/* A frame held before the slot was reused would be another's. */
	if (memcmp(dp_meta(m)->nexthop, ip, dp_neigh_alen(family)) != 0)
		dp_neigh_drop(w, p, m, DP_DROP_NEIGH_UNRESOLVED);
	else
		dp_neigh_send(w, p, m, mac);
}

/* ARP request for ip4 (RFC 826), broadcast. */
static struct rte_mbuf *
dp_neigh_arp_request(struct dp *dp, const struct dp_port *p,
		const uint8_t *ip)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
	struct rte_ether_hdr *eth;
	struct rte_arp_hdr *arp;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eth) + sizeof(*arp));
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp = (struct rte_arp_hdr *)(eth + 1);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	rte_ether_addr_copy(&p->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = p->ip4;
	memset(&arp->arp_data.arp_tha, 0, sizeof(arp->arp_data.arp_tha));
	memcpy(&arp->arp_data.arp_tip, ip, 4);
	return m;
}

/* Neighbour solicitation for ip6 to its solicited-node group (RFC 4861
 * §7.2.2), with our link-layer address. */
static struct rte_mbuf *
dp_neigh_ns(struct dp *dp, const struct dp_port *p, const uint8_t *ip)
{
	const uint32_t icmp_len = 32;
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
	struct rte_ether_hdr *eth;
	struct rte_ipv6_hdr *ip6;
	uint8_t *icmp;

	if (m == NULL)
		return NULL;
	eth = (struct rte_ether_hdr *)rte_pktmbuf_append(m,
			sizeof(*eth) + sizeof(*ip6) + icmp_len);
	if (eth == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	eth->dst_addr.addr_bytes[0] = 0x33;
	eth->dst_addr.addr_bytes[1] = 0x33;
	eth->dst_addr.addr_bytes[2] = 0xff;
	memcpy(&eth->dst_addr.addr_bytes[3], ip + 13, 3);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
	ip6 = (struct rte_ipv6_hdr *)(eth + 1);
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)icmp_len);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, p->ip6, 16);
	memset(ip6->dst_addr, 0, 16);
	ip6->dst_addr[0] = 0xff;
	ip6->dst_addr[1] = 0x02;
	ip6->dst_addr[11] = 0x01;
	ip6->dst_addr[12] = 0xff;
	memcpy(ip6->dst_addr + 13, ip + 13, 3);
	icmp = (uint8_t *)(ip6 + 1);
	memset(icmp, 0, icmp_len);
	icmp[0] = 135; /* neighbour solicitation */
	memcpy(icmp + 8, ip, 16);
	icmp[24] = 1; /* source link-layer address, 8 bytes */
	icmp[25] = 1;
	memcpy(icmp + 26, p->mac.addr_bytes, 6);
	uint16_t ck = rte_ipv6_udptcp_cksum(ip6, icmp);

	memcpy(icmp + 2, &ck, 2);
	return m;
}

/* Ask for next hop ip unless someone did within DP_NEIGH_ASK_S. */
static void
dp_neigh_ask(struct dp_worker *w, struct dp_port *p,
		struct dp_neigh_entry *e, uint8_t family, const uint8_t *ip)
{
	uint64_t gap = DP_NEIGH_ASK_S * rte_get_tsc_hz();
	uint_fast64_t last = atomic_load_explicit(&e->asked,
			memory_order_relaxed);

	if (last != 0 && w->now - last < gap)
		return;
	if (!atomic_compare_exchange_strong_explicit(&e->asked, &last,
			w->now ? w->now : 1, memory_order_relaxed,
			memory_order_relaxed))
		return; /* another worker is asking */
	struct rte_mbuf *r = family == AF_INET ?
		(p->has_ip4 ? dp_neigh_arp_request(w->dp, p, ip) : NULL) :
		(p->has_ip6 ? dp_neigh_ns(w->dp, p, ip) : NULL);

	if (r == NULL) {
		dp_count(w, p, DP_DROP_TX_FULL, 1);
		return;
	}
	dp_count(w, p, DP_NEIGH_ASKED, 1);
	rte_eth_tx_buffer(p->port_id, (uint16_t)w->id, w->txb[p->role], r);
}

struct dp_port *
dp_route_port(struct dp *dp, uint8_t family, const uint8_t *dst,
		uint8_t nexthop[16])
{
	for (unsigned r = 0; r < DP_PORT__COUNT; r++)
		if (dp_neigh_onlink(&dp->ports[r], family, dst)) {
			memcpy(nexthop, dst, dp_neigh_alen(family));
			return &dp->ports[r];
		}
	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		struct dp_port *p = &dp->ports[r];

		if (family == AF_INET && p->has_gw4) {
			memcpy(nexthop, p->gw4, 4);
			return p;
		}
		if (family == AF_INET6 && p->has_gw6) {
			memcpy(nexthop, p->gw6, 16);
			return p;
		}
	}
	return NULL;
}

void
dp_output(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		uint8_t family, const uint8_t *dst, bool self)
{
	struct dp_neigh_table *t = p->neigh;
	const uint8_t *nh;
	uint8_t mac[6];

	if (dp_neigh_onlink(p, family, dst))
		nh = dst;
	else if (family == AF_INET && p->has_gw4)
		nh = p->gw4;
	else if (family == AF_INET6 && p->has_gw6)
		nh = p->gw6;
	else
		return dp_neigh_drop(w, p, m, DP_DROP_NO_ROUTE);
	enum dp_neigh_state st = dp_neigh_lookup(p, family, nh, w->now, mac);

	dp_meta(m)->self = self;
	if (st != DP_NEIGH_MISS) {
		if (st == DP_NEIGH_STALE) {
			struct dp_neigh_entry c, *e = dp_neigh_find(t, family,
					nh, &c);

			if (e != NULL)
				dp_neigh_ask(w, p, e, family, nh);
		}
		return dp_neigh_send(w, p, m, mac);
	}
	struct dp_neigh_entry c, *e = t ? dp_neigh_find(t, family, nh, &c) :
					  NULL;

	if (e == NULL && t != NULL)
		e = dp_neigh_write(t, family, nh, NULL, w->now);
	if (e == NULL)
		return dp_neigh_drop(w, p, m, DP_DROP_NEIGH_UNRESOLVED);
	memset(dp_meta(m)->nexthop, 0, 16);
	memcpy(dp_meta(m)->nexthop, nh, dp_neigh_alen(family));
	struct rte_mbuf *old = atomic_exchange(&e->held, m);

	dp_count(w, p, DP_NEIGH_HELD, 1);
	if (old != NULL) {
		rte_pktmbuf_free(old);
		dp_count(w, p, DP_DROP_NEIGH_REPLACED, 1);
	}
	dp_neigh_ask(w, p, e, family, nh);
}

void
dp_neigh_sweep(struct dp_worker *w)
{
	uint64_t hold = DP_NEIGH_HOLD_S * rte_get_tsc_hz();

	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		struct dp_port *p = &w->dp->ports[r];
		struct dp_neigh_table *t = p->neigh;

		if (t == NULL)
			continue;
		for (unsigned i = 0; i < DP_NEIGH_SWEEP; i++) {
			struct dp_neigh_entry *e = &t->e[t->sweep++ & t->mask];
			struct dp_neigh_entry c;
			uint8_t mac[6];

			if (atomic_load_explicit(&e->held,
					memory_order_relaxed) == NULL ||
			    !dp_neigh_read(e, &c) || c.family == 0)
				continue;
			/* Answered meanwhile (a learner raced the holder):
			 * send; silent too long: give up. */
			if (dp_neigh_lookup(p, c.family, c.ip, w->now, mac) !=
			    DP_NEIGH_MISS) {
				struct rte_mbuf *m = atomic_exchange(&e->held,
						NULL);

				if (m != NULL && memcmp(dp_meta(m)->nexthop,
						c.ip, 16) == 0)
					dp_neigh_send(w, p, m, mac);
				else if (m != NULL)
					dp_neigh_drop(w, p, m,
						DP_DROP_NEIGH_UNRESOLVED);
				continue;
			}
			uint_fast64_t asked = atomic_load_explicit(&e->asked,
					memory_order_relaxed);

			if (asked != 0 && w->now - asked > hold) {
				struct rte_mbuf *m = atomic_exchange(&e->held,
						NULL);

				if (m != NULL)
					dp_neigh_drop(w, p, m,
						DP_DROP_NEIGH_UNRESOLVED);
			}
		}
	}
}
