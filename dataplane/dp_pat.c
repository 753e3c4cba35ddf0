/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dynamic PAT of the inside nodes (DESIGN.md pipeline steps 3 and 8),
 * IPv4, UDP and TCP.
 *
 * Each worker owns an equal slice of the PAT port range and a table of
 * the mappings on it, which it alone reads and writes: no locks. A
 * mapping is the inside node's 5-tuple (protocol, inside address and
 * port, remote address and port) and the outside port it was given.
 * Outbound, the owner of a flow is a hash of its inside tuple; inbound,
 * the slice its destination port falls in. A frame that reached another
 * worker (the NIC's RSS knows nothing of either) is passed to the owner
 * on the owner's MP/SC ring and finished there, in its dp_poll().
 *
 * The table is an rte_hash (inside tuple -> slot, preallocated, single
 * writer) and an array of slots indexed by port - slice base, so that
 * return traffic is one array read. Free ports wait on a stack. Filtering
 * is endpoint dependent: only the remote address and port the mapping
 * was opened towards get back in (RFC 4787 "address and port-dependent
 * filtering"), anything else to the range meets the ACL.
 *
 * Aging: a mapping's deadline moves with every datagram either way; a
 * bounded sweep per poll frees those past it. Times are TSC values the
 * caller passes, so that tests age mappings without sleeping.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane/dp_pat.h"
#include "dataplane/dp_priv.h"

/* What identifies a flow on the inside (network byte order). */
struct dp_pat_key {
	uint32_t in_ip;
	uint32_t r_ip;
	uint16_t in_port;
	uint16_t r_port;
	uint8_t proto;
	uint8_t pad[3];
};

struct dp_pat_slot {
	struct dp_pat_key key;
	uint64_t expires;  /* TSC deadline; 0: free */
	uint16_t ext_port; /* a static's outside port; 0: base + index */
};

struct dp_pat {
	struct rte_hash *h;        /* key -> slot index */
	struct dp_pat_slot *slot;  /* n entries, port = base + index */
	uint32_t *free_stk;        /* free slot indexes */
	uint32_t n_free;           /* on free_stk */
	uint32_t n;                /* ports in the slice */
	uint16_t base;             /* first port of the slice */
	uint32_t sweep;            /* next slot the sweep looks at */
	uint32_t live;             /* mappings in use */
	uint64_t to_udp;           /* idle timeouts, TSC ticks */
	uint64_t to_tcp;
	char *scratch;             /* the ALG's output (DP_PAT_ALG_MAX) */
};

/* Range of the whole PAT and each worker's share, for ownership. */
static uint16_t dp_pat_lo, dp_pat_hi;
static uint32_t dp_pat_share;

/* Why a handed-over frame came: which stage finishes it (m->hash.usr). */
enum {
	DP_PAT_DIR_OUT = 1,        /* dynamic, outbound */
	DP_PAT_DIR_IN = 2,         /* dynamic, return */
	DP_PAT_DIR_STATIC_IN = 3,  /* to a static's port, ACL passed */
	DP_PAT_DIR_STATIC_OUT = 4, /* a static node's reply */
};

/* The statics as the workers read them (an RCU snapshot). */
struct dp_pat_statics {
	unsigned n;
	struct {
		uint8_t proto;
		uint16_t port;                        /* network order */
		unsigned n_to;
		uint32_t to_ip[DP_PAT_MAX_NODES];     /* network order */
		uint16_t to_port[DP_PAT_MAX_NODES];   /* network order */
	} e[DP_PAT_MAX_STATICS];
};

int
dp_pat_setup(struct dp *dp, const struct dp_cfg *cfg, char *err,
		size_t errlen)
{
	const struct dp_pat_cfg *pc = &cfg->pat;
	uint32_t size = pc->table_size ? pc->table_size : 16384;
	uint64_t hz = rte_get_tsc_hz();
	uint16_t lo, hi;

	if (dp_pat_range_parse(pc->ports, &lo, &hi) < 0 ||
	    (uint32_t)(hi - lo + 1) < dp->n_workers) {
		snprintf(err, errlen, "pat.ports: bad range");
		return -EINVAL;
	}
	dp_pat_lo = lo;
	dp_pat_hi = hi;
	dp_pat_share = (uint32_t)(hi - lo + 1) / dp->n_workers;
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = &dp->workers[i];
		struct dp_pat *t;
		char name[RTE_HASH_NAMESIZE];
		uint32_t n = RTE_MIN(dp_pat_share, size);

		t = rte_zmalloc("dp_pat", sizeof(*t), RTE_CACHE_LINE_SIZE);
		if (t == NULL)
			goto nomem;
		w->pat = t;
		t->n = n;
		t->base = (uint16_t)(lo + i * dp_pat_share);
		t->to_udp = (uint64_t)(pc->udp_timeout_s ?
				pc->udp_timeout_s : 300) * hz;
		t->to_tcp = (uint64_t)(pc->tcp_timeout_s ?
				pc->tcp_timeout_s : 7200) * hz;
		t->slot = rte_zmalloc("dp_pat_slot", n * sizeof(t->slot[0]),
				RTE_CACHE_LINE_SIZE);
		t->free_stk = rte_malloc("dp_pat_free", n * sizeof(uint32_t),
				0);
		t->scratch = rte_malloc("dp_pat_alg", DP_PAT_ALG_MAX, 0);
		if (t->slot == NULL || t->free_stk == NULL ||
		    t->scratch == NULL)
			goto nomem;
		/* Lowest ports first: they pop off the top. */
		for (uint32_t k = 0; k < n; k++)
			t->free_stk[k] = n - 1 - k;
		t->n_free = n;
		snprintf(name, sizeof(name), "dp_pat_%u", i);
		struct rte_hash_parameters hp = {
			.name = name,
			.entries = RTE_MAX(n, 8u),
			.key_len = sizeof(struct dp_pat_key),
			.hash_func = rte_jhash,
			.socket_id = (int)rte_socket_id(),
		};

		t->h = rte_hash_create(&hp);
		snprintf(name, sizeof(name), "dp_pat_ring_%u", i);
		w->pat_ring = rte_ring_create(name, DP_HANDOFF_RING,
				(int)rte_socket_id(), RING_F_SC_DEQ);
		if (t->h == NULL || w->pat_ring == NULL)
			goto nomem;
	}
	return 0;
nomem:
	snprintf(err, errlen, "PAT table: out of memory");
	return -ENOMEM;
}

static void
dp_pat_statics_free(void *s)
{
	rte_free(s);
}

int
dp_set_pat_statics_cfg(struct dp *dp, const struct dp_cfg *cfg, char *err,
		size_t errlen)
{
	const struct dp_pat_cfg *pc = &cfg->pat;
	struct dp_pat_statics *s;

	if (pc->statics_count > DP_PAT_MAX_STATICS) {
		snprintf(err, errlen, "pat.statics: more than %u",
				DP_PAT_MAX_STATICS);
		return -EINVAL;
	}
	s = rte_zmalloc("dp_pat_statics", sizeof(*s), 0);
	if (s == NULL) {
		snprintf(err, errlen, "pat.statics: out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < pc->statics_count; i++) {
		const struct dp_pat_static_cfg *c = &pc->statics[i];

		if (c->to_count == 0 || c->to_count > DP_PAT_MAX_NODES ||
		    c->port == 0 || c->port > 65535) {
			snprintf(err, errlen, "pat.statics[%u]: bad port or "
					"nodes", i);
			rte_free(s);
			return -EINVAL;
		}
		s->e[i].proto = c->proto == DP_ACL_PROTO_TCP ? IPPROTO_TCP :
							       IPPROTO_UDP;
		s->e[i].port = rte_cpu_to_be_16((uint16_t)c->port);
		s->e[i].n_to = c->to_count;
		for (unsigned j = 0; j < c->to_count; j++) {
			uint16_t port;

			if (dp_pat_node_parse(c->to[j],
					(uint8_t *)&s->e[i].to_ip[j],
					&port) < 0) {
				snprintf(err, errlen, "pat.statics[%u].to: "
						"'%s'", i, c->to[j]);
				rte_free(s);
				return -EINVAL;
			}
			s->e[i].to_port[j] = rte_cpu_to_be_16(port);
		}
	}
	s->n = pc->statics_count;
	dp_snapshot_swap((void **)&dp->pat_statics, s, dp_pat_statics_free);
	return 0;
}

void
dp_pat_teardown(struct dp *dp)
{
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = &dp->workers[i];
		struct rte_mbuf *m;

		while (w->pat_ring != NULL &&
		       rte_ring_dequeue(w->pat_ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(w->pat_ring);
		w->pat_ring = NULL;
		if (w->pat == NULL)
			continue;
		rte_hash_free(w->pat->h);
		rte_free(w->pat->slot);
		rte_free(w->pat->free_stk);
		rte_free(w->pat->scratch);
		rte_free(w->pat);
		w->pat = NULL;
	}
	rte_free(dp->pat_statics);
	dp->pat_statics = NULL;
}

unsigned
dp_pat_count(const struct dp_worker *w)
{
	return w->pat ? w->pat->live : 0;
}

/* SIP over UDP: the ALG's business (either end at sip_port). */
static inline bool
dp_pat_is_sip(const struct dp_worker *w, const struct dp_pat_key *k)
{
	return k->proto == IPPROTO_UDP &&
	       (rte_be_to_cpu_16(k->in_port) == w->dp->sip_port ||
		rte_be_to_cpu_16(k->r_port) == w->dp->sip_port);
}

/* Run the ALG on m; false when it was dropped (counted on p). */
static bool
dp_pat_alg_run(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		struct rte_ipv4_hdr *ip, bool outbound, uint32_t from_ip,
		uint16_t from_port, uint32_t to_ip, uint16_t to_port)
{
	int r = dp_pat_alg(w, w->pat->scratch, DP_PAT_ALG_MAX, m, ip,
			outbound, from_ip, from_port, to_ip, to_port);

	if (r < 0) {
		dp_count(w, p, DP_DROP_PAT_ALG, 1);
		rte_pktmbuf_free(m);
		return false;
	}
	if (r > 0)
		dp_count(w, p, DP_PAT_ALG, 1);
	return true;
}

static inline uint64_t
dp_pat_timeout(const struct dp_pat *t, uint8_t proto)
{
	return proto == IPPROTO_TCP ? t->to_tcp : t->to_udp;
}

static void
dp_pat_release(struct dp_worker *w, struct dp_pat *t, uint32_t idx)
{
	rte_hash_del_key(t->h, &t->slot[idx].key);
	t->slot[idx].expires = 0;
	t->free_stk[t->n_free++] = idx;
	t->live--;
	dp_count(w, &w->dp->ports[DP_PORT_OUTSIDE], DP_PAT_EXPIRED, 1);
}

/* Hand m to worker `owner`'s PAT (direction dir), or drop it. */
static void
dp_pat_handover(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		unsigned owner, uint32_t dir)
{
	m->hash.usr = dir;
	if (rte_ring_mp_enqueue(w->dp->workers[owner].pat_ring, m) < 0) {
		dp_count(w, p, DP_DROP_PAT_RING_FULL, 1);
		rte_pktmbuf_free(m);
		return;
	}
	dp_count(w, p, DP_PAT_HANDOFF, 1);
}

/*
 * The frame's IPv4 header, with Ethernet right before it (a VLAN tag is
 * dropped: dp_output() wants none). m holds a header dp_input checked.
 */
static struct rte_ipv4_hdr *
dp_pat_l3(struct rte_mbuf *m)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		/* Slide the MACs over the tag. */
		memmove((uint8_t *)eth + 4, eth, 12);
		eth = (struct rte_ether_hdr *)rte_pktmbuf_adj(m, 4);
		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	}
	return (struct rte_ipv4_hdr *)(eth + 1);
}

/* TTL down one, then both checksums over the rewritten datagram. */
static bool
dp_pat_finish(struct rte_ipv4_hdr *ip, uint8_t *l4)
{
	if (ip->time_to_live <= 1)
		return false;
	ip->time_to_live--;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (ip->next_proto_id == IPPROTO_UDP) {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;

		/* A sender that skipped the checksum keeps it skipped. */
		if (udp->dgram_cksum != 0) {
			udp->dgram_cksum = 0;
			udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
		}
	} else {
		struct rte_tcp_hdr *tcp = (struct rte_tcp_hdr *)l4;

		tcp->cksum = 0;
		tcp->cksum = rte_ipv4_udptcp_cksum(ip, tcp);
	}
	return true;
}

/* The outbound stage on the owning worker. */
static void
dp_pat_out_owned(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const struct dp_pat_key *k)
{
	struct dp_pat *t = w->pat;
	struct dp_port *out = &w->dp->ports[DP_PORT_OUTSIDE];
	struct rte_ipv4_hdr *ip = dp_pat_l3(m);
	uint8_t *l4 = (uint8_t *)ip + (ip->version_ihl & 0x0f) * 4;
	uint32_t idx;
	void *data;

	if (rte_hash_lookup_data(t->h, k, &data) >= 0) {
		idx = (uint32_t)(uintptr_t)data;
	} else {
		if (t->n_free == 0 ||
		    rte_hash_add_key_data(t->h, k, (void *)(uintptr_t)
				t->free_stk[t->n_free - 1]) < 0) {
			dp_count(w, p, DP_DROP_PAT_FULL, 1);
			rte_pktmbuf_free(m);
			return;
		}
		idx = t->free_stk[--t->n_free];
		t->slot[idx].key = *k;
		t->slot[idx].ext_port = 0;
		t->live++;
		dp_count(w, p, DP_PAT_NEW, 1);
	}
	/* Expired but not swept yet: the flow simply lives on. */
	t->slot[idx].expires = w->now + dp_pat_timeout(t, k->proto);
	if (ip->time_to_live <= 1) {
		dp_count(w, p, DP_DROP_IP_TTL, 1);
		rte_pktmbuf_free(m);
		return;
	}
	/* A static's mapping (its port) if the static was reloaded away
	 * while the mapping lives on. */
	uint16_t ext = t->slot[idx].ext_port ? t->slot[idx].ext_port :
					       (uint16_t)(t->base + idx);

	if (dp_pat_is_sip(w, k) && !dp_pat_alg_run(w, p, m, ip, true,
			k->in_ip, rte_be_to_cpu_16(k->in_port), out->ip4, ext))
		return;
	ip->src_addr = out->ip4;
	uint16_t port = rte_cpu_to_be_16(ext);

	memcpy(l4, &port, 2);
	dp_pat_finish(ip, l4);
	dp_count(w, p, DP_PAT_OUT, 1);
	dp_output(w, out, m, AF_INET, (const uint8_t *)&ip->dst_addr, false);
}

static bool
dp_pat_key_out(struct rte_mbuf *m, struct dp_pat_key *k)
{
	struct rte_ipv4_hdr *ip = dp_pat_l3(m);
	uint32_t ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	uint32_t l4_len = rte_be_to_cpu_16(ip->total_length) - ihl;
	const uint8_t *l4 = (const uint8_t *)ip + ihl;

	if ((ip->next_proto_id == IPPROTO_UDP &&
	     l4_len < sizeof(struct rte_udp_hdr)) ||
	    (ip->next_proto_id == IPPROTO_TCP &&
	     l4_len < sizeof(struct rte_tcp_hdr)) ||
	    (ip->next_proto_id != IPPROTO_UDP &&
	     ip->next_proto_id != IPPROTO_TCP))
		return false;
	memset(k, 0, sizeof(*k));
	k->proto = ip->next_proto_id;
	k->in_ip = ip->src_addr;
	k->r_ip = ip->dst_addr;
	memcpy(&k->in_port, l4, 2);
	memcpy(&k->r_port, l4 + 2, 2);
	return true;
}

void
dp_pat_out(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m)
{
	struct dp *dp = w->dp;
	struct dp_pat_key k;
	uint8_t nh[16];

	if (w->pat == NULL || !dp_pat_key_out(m, &k) ||
	    !dp->ports[DP_PORT_OUTSIDE].has_ip4) {
		dp_count(w, p, DP_DROP_PAT_PROTO, 1);
		rte_pktmbuf_free(m);
		return;
	}
	struct dp_port *rp = dp_route_port(dp, AF_INET,
			(const uint8_t *)&k.r_ip, nh);

	if (rp == NULL) {
		dp_count(w, p, DP_DROP_NO_ROUTE, 1);
		rte_pktmbuf_free(m);
		return;
	}
	if (rp->role != DP_PORT_OUTSIDE) {
		dp_count(w, p, DP_DROP_PAT_PROTO, 1);
		rte_pktmbuf_free(m);
		return;
	}
	unsigned owner = rte_jhash(&k, sizeof(k), 0) % dp->n_workers;

	if (owner != w->id)
		return dp_pat_handover(w, p, m, owner, DP_PAT_DIR_OUT);
	dp_pat_out_owned(w, p, m, &k);
}

/* The inbound stage on the owning worker: false when no mapping. */
static bool
dp_pat_in_owned(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m)
{
	struct dp_pat *t = w->pat;
	struct rte_ipv4_hdr *ip = dp_pat_l3(m);
	uint8_t *l4 = (uint8_t *)ip + (ip->version_ihl & 0x0f) * 4;
	uint16_t dport = (uint16_t)(l4[2] << 8 | l4[3]);
	uint32_t idx = (uint32_t)(dport - t->base);
	uint16_t sport;

	memcpy(&sport, l4, 2);
	if (dport < t->base || idx >= t->n)
		return false;
	struct dp_pat_slot *s = &t->slot[idx];

	if (s->expires == 0 || w->now >= s->expires || s->ext_port != 0 ||
	    s->key.proto != ip->next_proto_id || s->key.r_ip != ip->src_addr ||
	    s->key.r_port != sport)
		return false;
	s->expires = w->now + dp_pat_timeout(t, s->key.proto);
	if (ip->time_to_live <= 1) {
		dp_count(w, p, DP_DROP_IP_TTL, 1);
		rte_pktmbuf_free(m);
		return true;
	}
	if (dp_pat_is_sip(w, &s->key) && !dp_pat_alg_run(w, p, m, ip, false,
			ip->dst_addr, dport, s->key.in_ip,
			rte_be_to_cpu_16(s->key.in_port)))
		return true;
	ip->dst_addr = s->key.in_ip;
	memcpy(l4 + 2, &s->key.in_port, 2);
	dp_pat_finish(ip, l4);
	dp_count(w, p, DP_PAT_IN, 1);
	dp_output(w, &w->dp->ports[DP_PORT_INSIDE], m, AF_INET,
			(const uint8_t *)&ip->dst_addr, false);
	return true;
}

bool
dp_pat_in(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		struct rte_ipv4_hdr *ip, uint8_t *l4, uint32_t l4_len)
{
	uint8_t proto = ip->next_proto_id;

	if (w->pat == NULL || p->role != DP_PORT_OUTSIDE ||
	    (proto != IPPROTO_UDP && proto != IPPROTO_TCP) ||
	    l4_len < (proto == IPPROTO_UDP ? sizeof(struct rte_udp_hdr) :
					     sizeof(struct rte_tcp_hdr)))
		return false;
	uint16_t dport = (uint16_t)(l4[2] << 8 | l4[3]);

	if (dport < dp_pat_lo || dport > dp_pat_hi)
		return false;
	unsigned owner = (unsigned)(dport - dp_pat_lo) / dp_pat_share;

	if (owner >= w->dp->n_workers) {
		dp_count(w, p, DP_PAT_IN_MISS, 1);
		return false; /* the unused remainder of the range */
	}
	if (owner != w->id) {
		dp_pat_handover(w, p, m, owner, DP_PAT_DIR_IN);
		return true;
	}
	if (dp_pat_in_owned(w, p, m))
		return true;
	dp_count(w, p, DP_PAT_IN_MISS, 1);
	return false;
}

/*
 * Static PAT. The key of a static's mapping is the node's tuple, as for
 * a dynamic one; its slot carries the static's port instead of base +
 * index (the index's own port is left unused while it lives).
 */

/* The static of proto/port (network order) in s, or -1. */
static int
dp_pat_static_find(const struct dp_pat_statics *s, uint8_t proto,
		uint16_t port)
{
	for (unsigned i = 0; s != NULL && i < s->n; i++)
		if (s->e[i].proto == proto && s->e[i].port == port)
			return (int)i;
	return -1;
}

/* Is addr:port (network order) a node of some static for proto? Sets
 * *ext to that static's port. */
static bool
dp_pat_static_node(const struct dp_pat_statics *s, uint8_t proto,
		uint32_t addr, uint16_t port, uint16_t *ext)
{
	for (unsigned i = 0; s != NULL && i < s->n; i++) {
		if (s->e[i].proto != proto)
			continue;
		for (unsigned j = 0; j < s->e[i].n_to; j++)
			if (s->e[i].to_ip[j] == addr &&
			    s->e[i].to_port[j] == port) {
				*ext = s->e[i].port;
				return true;
			}
	}
	return false;
}

/* The mapping key of a datagram to static e from ip/l4 (its node by a
 * hash of the source, so that a connection sticks to one node). */
static void
dp_pat_static_key(const struct dp_pat_statics *s, int e,
		const struct rte_ipv4_hdr *ip, const uint8_t *l4,
		struct dp_pat_key *k)
{
	uint32_t src[2] = { ip->src_addr, 0 };
	unsigned node;

	memcpy(&src[1], l4, 2);
	node = rte_jhash(src, sizeof(src), 0) % s->e[e].n_to;
	memset(k, 0, sizeof(*k));
	k->proto = ip->next_proto_id;
	k->in_ip = s->e[e].to_ip[node];
	k->in_port = s->e[e].to_port[node];
	k->r_ip = ip->src_addr;
	memcpy(&k->r_port, l4, 2);
}

/* A datagram to a static on its owner: map, translate, send inside. */
static void
dp_pat_static_in_owned(struct dp_worker *w, struct dp_port *p,
		struct rte_mbuf *m)
{
	const struct dp_pat_statics *s = rcu_dereference(w->dp->pat_statics);
	struct rte_ipv4_hdr *ip = dp_pat_l3(m);
	uint8_t *l4 = (uint8_t *)ip + (ip->version_ihl & 0x0f) * 4;
	struct dp_pat *t = w->pat;
	struct dp_pat_key k;
	uint16_t dport;
	uint32_t idx;
	void *data;
	int e;

	memcpy(&dport, l4 + 2, 2);
	e = dp_pat_static_find(s, ip->next_proto_id, dport);
	if (e < 0) {
		/* Reloaded away in between. */
		dp_count(w, p, DP_DROP_PAT_NO_SESSION, 1);
		rte_pktmbuf_free(m);
		return;
	}
	dp_pat_static_key(s, e, ip, l4, &k);
	if (rte_hash_lookup_data(t->h, &k, &data) >= 0) {
		idx = (uint32_t)(uintptr_t)data;
	} else {
		if (t->n_free == 0 ||
		    rte_hash_add_key_data(t->h, &k, (void *)(uintptr_t)
				t->free_stk[t->n_free - 1]) < 0) {
			dp_count(w, p, DP_DROP_PAT_FULL, 1);
			rte_pktmbuf_free(m);
			return;
		}
		idx = t->free_stk[--t->n_free];
		t->slot[idx].key = k;
		t->slot[idx].ext_port = rte_be_to_cpu_16(dport);
		t->live++;
		dp_count(w, p, DP_PAT_NEW, 1);
	}
	t->slot[idx].expires = w->now + dp_pat_timeout(t, k.proto);
	ip->dst_addr = k.in_ip;
	memcpy(l4 + 2, &k.in_port, 2);
	if (!dp_pat_finish(ip, l4)) {
		dp_count(w, p, DP_DROP_IP_TTL, 1);
		rte_pktmbuf_free(m);
		return;
	}
	dp_count(w, p, DP_PAT_STATIC_IN, 1);
	dp_output(w, &w->dp->ports[DP_PORT_INSIDE], m, AF_INET,
			(const uint8_t *)&ip->dst_addr, false);
}

bool
dp_pat_static_in(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const struct rte_ipv4_hdr *ip, const uint8_t *l4,
		uint32_t l4_len)
{
	const struct dp_pat_statics *s = rcu_dereference(w->dp->pat_statics);
	uint8_t proto = ip->next_proto_id;
	struct dp_pat_key k;
	uint16_t dport;
	int e;

	if (w->pat == NULL || s == NULL || s->n == 0 ||
	    p->role != DP_PORT_OUTSIDE ||
	    (proto != IPPROTO_UDP && proto != IPPROTO_TCP) ||
	    l4_len < (proto == IPPROTO_UDP ? sizeof(struct rte_udp_hdr) :
					     sizeof(struct rte_tcp_hdr)))
		return false;
	memcpy(&dport, l4 + 2, 2);
	e = dp_pat_static_find(s, proto, dport);
	if (e < 0)
		return false;
	dp_pat_static_key(s, e, ip, l4, &k);
	unsigned owner = rte_jhash(&k, sizeof(k), 0) % w->dp->n_workers;

	if (owner != w->id)
		dp_pat_handover(w, p, m, owner, DP_PAT_DIR_STATIC_IN);
	else
		dp_pat_static_in_owned(w, p, m);
	return true;
}

/* A static node's reply on its owner: only through a live mapping. */
static void
dp_pat_static_out_owned(struct dp_worker *w, struct dp_port *p,
		struct rte_mbuf *m)
{
	struct dp_pat *t = w->pat;
	struct dp_port *out = &w->dp->ports[DP_PORT_OUTSIDE];
	struct dp_pat_key k;
	void *data;

	dp_pat_key_out(m, &k);
	struct rte_ipv4_hdr *ip = dp_pat_l3(m);
	uint8_t *l4 = (uint8_t *)ip + (ip->version_ihl & 0x0f) * 4;

	if (rte_hash_lookup_data(t->h, &k, &data) < 0) {
		dp_count(w, p, DP_DROP_PAT_NO_SESSION, 1);
		rte_pktmbuf_free(m);
		return;
	}
	struct dp_pat_slot *sl = &t->slot[(uint32_t)(uintptr_t)data];

	if (sl->ext_port == 0 || w->now >= sl->expires) {
		dp_count(w, p, DP_DROP_PAT_NO_SESSION, 1);
		rte_pktmbuf_free(m);
		return;
	}
	sl->expires = w->now + dp_pat_timeout(t, k.proto);
	uint16_t port = rte_cpu_to_be_16(sl->ext_port);

	ip->src_addr = out->ip4;
	memcpy(l4, &port, 2);
	if (!dp_pat_finish(ip, l4)) {
		dp_count(w, p, DP_DROP_IP_TTL, 1);
		rte_pktmbuf_free(m);
		return;
	}
	dp_count(w, p, DP_PAT_STATIC_OUT, 1);
	dp_output(w, out, m, AF_INET, (const uint8_t *)&ip->dst_addr, false);
}

bool
dp_pat_static_out(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const struct rte_ipv4_hdr *ip, const uint8_t *l4,
		uint32_t l4_len)
{
	const struct dp_pat_statics *s = rcu_dereference(w->dp->pat_statics);
	uint8_t proto = ip->next_proto_id;
	struct dp_pat_key k;
	uint16_t sport, ext;

	if (w->pat == NULL || s == NULL || s->n == 0 ||
	    (proto != IPPROTO_UDP && proto != IPPROTO_TCP) ||
	    l4_len < (proto == IPPROTO_UDP ? sizeof(struct rte_udp_hdr) :
					     sizeof(struct rte_tcp_hdr)))
		return false;
	memcpy(&sport, l4, 2);
	if (!dp_pat_static_node(s, proto, ip->src_addr, sport, &ext))
		return false;
	memset(&k, 0, sizeof(k));
	k.proto = proto;
	k.in_ip = ip->src_addr;
	k.r_ip = ip->dst_addr;
	k.in_port = sport;
	memcpy(&k.r_port, l4 + 2, 2);
	unsigned owner = rte_jhash(&k, sizeof(k), 0) % w->dp->n_workers;

	if (owner != w->id)
		dp_pat_handover(w, p, m, owner, DP_PAT_DIR_STATIC_OUT);
	else
		dp_pat_static_out_owned(w, p, m);
	return true;
}

unsigned
dp_pat_poll(struct dp_worker *w, uint64_t now, unsigned budget)
{
	struct dp_pat *t = w->pat;
	struct rte_mbuf *pkts[DP_BURST];
	unsigned n;

	if (t == NULL)
		return 0;
	w->now = now;
	n = rte_ring_sc_dequeue_burst(w->pat_ring, (void **)pkts, DP_BURST,
			NULL);
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct dp_pat_key k;

		if (m->hash.usr == DP_PAT_DIR_STATIC_IN) {
			dp_pat_static_in_owned(w,
					&w->dp->ports[DP_PORT_OUTSIDE], m);
			continue;
		}
		if (m->hash.usr == DP_PAT_DIR_STATIC_OUT) {
			dp_pat_static_out_owned(w,
					&w->dp->ports[DP_PORT_INSIDE], m);
			continue;
		}
		if (m->hash.usr == DP_PAT_DIR_OUT) {
			struct dp_port *in = &w->dp->ports[DP_PORT_INSIDE];

			/* The sender checked it: the key is there. */
			dp_pat_key_out(m, &k);
			dp_pat_out_owned(w, in, m, &k);
			continue;
		}
		struct dp_port *out = &w->dp->ports[DP_PORT_OUTSIDE];

		/* No mapping here: the ACL was the other worker's; its
		 * default deny is what the datagram would have met. */
		if (!dp_pat_in_owned(w, out, m)) {
			dp_count(w, out, DP_PAT_IN_MISS, 1);
			dp_count(w, out, DP_DROP_ACL_DEFAULT, 1);
			rte_pktmbuf_free(m);
		}
	}
	for (unsigned i = 0; i < budget && t->n > 0; i++) {
		uint32_t idx = t->sweep;

		t->sweep = idx + 1 == t->n ? 0 : idx + 1;
		if (t->slot[idx].expires != 0 && now >= t->slot[idx].expires)
			dp_pat_release(w, t, idx);
	}
	return n;
}
