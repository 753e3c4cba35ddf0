/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP fragments: reassembly of datagrams that arrive in pieces, and
 * fragmentation of datagrams that leave larger than the port's MTU.
 *
 * Reassembly is rte_ip_frag's, a table per worker and port (a datagram's
 * fragments can then never mix with look-alikes from the other side), fed
 * from dp_ipv4() / dp_ipv6() before the destination check and the ACL, so
 * that a datagram made whole goes through every check after them exactly
 * as one received whole. Before a fragment reaches the table it is judged
 * here, because rte_ip_frag 22.11 trusts what it is given:
 *   - no data, or not the last and not a multiple of 8 bytes: malformed
 *     (a zero-length fragment can even make its reassembly chain a
 *     fragment to itself);
 *   - ending past 65,535: the total length would wrap;
 *   - a first fragment too short for its whole L4 header, or a later one
 *     starting inside that header (RFC 1858 §3, RFC 7112): tiny.
 * What rte_ip_frag does with the rest, read from its 22.11 source: it
 * sums the fragments' lengths and, once the last has come, rejects a set
 * whose sum exceeds the total or whose pieces do not chain end to end, a
 * second first or last fragment, or a ninth fragment, discarding every
 * fragment of the datagram. Overlapping fragments (RFC 5722 for IPv6, and
 * the teardrop family for IPv4) and exact duplicates are therefore never
 * reassembled, and no check of our own is needed for them; a duplicate
 * costs its whole datagram, as RFC 5722 allows.
 *
 * rte_ip_frag tells only "datagram" or "nothing", so the outcome is read
 * from its death row, emptied after every call: nothing freed and nothing
 * returned is a fragment held; only this fragment freed, a table with no
 * room for its datagram; more, a datagram discarded for its fragments.
 * The same count keeps the mbufs each table holds exact (one in; the
 * fragments of a datagram returned, and what the death row got, out). It
 * is right only if no datagram in the table is stale when a fragment
 * comes (rte_ip_frag would recycle it in passing): dp_poll() therefore
 * expires the tables with the same timestamp the burst's fragments carry,
 * before the burst.
 *
 * Held fragments come from the pool RX needs, so each table has a cap on
 * the mbufs it holds. At the cap, the datagrams that began longest ago
 * are dropped first (rte_ip_frag's expiry with an earlier deadline, in
 * halving steps), so that a flood of incomplete datagrams does not keep a
 * legitimate one, whose fragments come back to back, from completing;
 * when every datagram held is younger than timeout / 256, the new
 * fragment is dropped instead.
 *
 * Output: an IP datagram larger than the port's MTU is copied into
 * fragments in fresh mbufs, each with the frame's L2 header, IPv4 with
 * the options RFC 791 copies, IPv6 with a fragment header after the fixed
 * header (the appliance originates no extension header that would have
 * to stay in front of it).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_malloc.h>
#include <rte_random.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane/dp_priv.h"

/* Entries per bucket: rte_ip_frag looks for a datagram's entry in two
 * buckets of this many. */
#define DP_FRAG_BUCKET 16
/* Halvings of the timeout tried when evicting for the mbuf cap. */
#define DP_FRAG_EVICT_STEPS 8
/* Most fragments one datagram leaves in: 65,515 bytes of data in pieces
 * of at least 512 (mtu 576 less a 60-byte IPv4 header). */
#define DP_FRAG_OUT_MAX 128
/* dp_frag_judge(): the fragment may go to the table. */
#define DP_FRAG_OK DP_CTR__COUNT
/* For configs built in code, which leave `fragments:` zero (a loaded
 * config has dp_config.c's defaults). */
#define DP_FRAG_DEF_MBUFS 256u
#define DP_FRAG_DEF_FLOWS 1024u
#define DP_FRAG_DEF_TIMEOUT_MS 1000u

/* One port's reassembly table on one worker. */
struct dp_frag_tbl {
	struct rte_ip_frag_tbl *tbl;
	uint32_t held;          /* mbufs it holds */
	unsigned gauge;         /* stats id of dp_PORT_frag_mbufs_held */
};

/* A worker's fragment state (one writer: the worker). */
struct dp_frag {
	struct dp_frag_tbl port[DP_PORT__COUNT];
	uint64_t timeout;       /* TSC ticks a datagram may take */
	uint32_t cap;           /* mbufs a table may hold */
	uint16_t ip4_id;        /* next identification of our own */
	struct rte_ip_frag_death_row dr; /* what a table gave up */
};

/* The gauges sit with the port's counters (dp.c's "dp_outside_*"). */
static const char *const dp_frag_prefix[DP_PORT__COUNT] = {
	[DP_PORT_OUTSIDE] = "dp_outside",
	[DP_PORT_INSIDE] = "dp_inside",
};

int
dp_frag_setup(struct dp *dp, const struct dp_cfg *cfg, char *err,
		size_t errlen)
{
	const struct dp_frag_cfg *fc = &cfg->fragments;
	uint32_t flows = fc->flows ? fc->flows : DP_FRAG_DEF_FLOWS;
	uint32_t ms = fc->timeout_ms ? fc->timeout_ms : DP_FRAG_DEF_TIMEOUT_MS;
	uint32_t cap = fc->max_mbufs;
	uint32_t buckets = (flows + DP_FRAG_BUCKET - 1) / DP_FRAG_BUCKET;
	uint64_t timeout = rte_get_tsc_hz() * ms / 1000;
	static const char *const name[] = { "frag_mbufs_held" };
	static const char *const help[] = {
		"fragments held for reassembly now (mbufs, all workers)",
	};
	int gauge[DP_PORT__COUNT];

	/* Configs built in code: a quarter of the pool at most. */
	if (cap == 0) {
		cap = cfg->mbufs / (2u * DP_PORT__COUNT * dp->n_workers);
		cap = RTE_MIN(cap, DP_FRAG_DEF_MBUFS);
		cap = RTE_MAX(cap, 1u);
	}
	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		gauge[r] = stats_block_register(dp->reg, dp_frag_prefix[r],
				name, help, 1, STATS_KIND_GAUGE);
		if (gauge[r] < 0) {
			snprintf(err, errlen, "cannot register counters: %s",
					strerror(-gauge[r]));
			return gauge[r];
		}
	}
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct dp_worker *w = &dp->workers[i];
		struct dp_frag *fr = rte_zmalloc("dp_frag", sizeof(*fr),
				RTE_CACHE_LINE_SIZE);

		if (fr == NULL)
			goto nomem;
		w->frag = fr;
		fr->timeout = timeout;
		fr->cap = cap;
		fr->ip4_id = (uint16_t)rte_rand();
		for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
			fr->port[r].gauge = (unsigned)gauge[r];
			fr->port[r].tbl = rte_ip_frag_table_create(buckets,
					DP_FRAG_BUCKET, flows, timeout,
					(int)rte_socket_id());
			if (fr->port[r].tbl == NULL)
				goto nomem;
		}
	}
	return 0;
nomem:
	snprintf(err, errlen, "reassembly tables of %u datagrams: out of "
			"memory", flows);
	return -ENOMEM;
}

void
dp_frag_teardown(struct dp *dp)
{
	for (unsigned i = 0; i < dp->n_workers; i++) {
		struct dp_frag *fr = dp->workers[i].frag;

		if (fr == NULL)
			continue;
		/* Frees the fragments the tables hold. */
		for (unsigned r = 0; r < DP_PORT__COUNT; r++)
			if (fr->port[r].tbl != NULL)
				rte_ip_frag_table_destroy(fr->port[r].tbl);
		rte_ip_frag_free_death_row(&fr->dr, 0);
		rte_free(fr);
		dp->workers[i].frag = NULL;
	}
}

/* Free what the death row holds. @return the mbufs that were (a datagram
 * half chained when it was given up is one entry of several segments). */
static uint32_t
dp_frag_reap(struct dp_frag *fr)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < fr->dr.cnt; i++)
		n += fr->dr.row[i]->nb_segs;
	rte_ip_frag_free_death_row(&fr->dr, 0);
	return n;
}

static inline void
dp_frag_gauge(struct dp_worker *w, const struct dp_frag_tbl *t)
{
	stats_set(w->ctr, t->gauge, t->held);
}

static inline void
dp_frag_drop(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		enum dp_ctr why)
{
	dp_count(w, p, why, m->nb_segs);
	rte_pktmbuf_free(m);
}

/*
 * Give up the datagrams of t that began before TSC `before`, counting
 * their fragments in why. rte_ip_frag drops what began more than its
 * timeout before the time it is given, oldest first, and stops when the
 * death row has no room for a whole datagram more: hence the rounds, the
 * row emptied after each.
 */
static void
dp_frag_drop_older(struct dp_worker *w, struct dp_port *p,
		struct dp_frag_tbl *t, uint64_t before, enum dp_ctr why)
{
	struct dp_frag *fr = w->frag;

	while (t->held > 0) {
		rte_ip_frag_table_del_expired_entries(t->tbl, &fr->dr,
				before + fr->timeout);
		uint32_t n = fr->dr.cnt;

		if (n == 0)
			break;
		uint32_t freed = dp_frag_reap(fr);

		t->held -= RTE_MIN(freed, t->held);
		dp_count(w, p, why, freed);
		if (n + RTE_LIBRTE_IP_FRAG_MAX_FRAG <=
		    RTE_IP_FRAG_DEATH_ROW_MBUF_LEN)
			break;
	}
	dp_frag_gauge(w, t);
}

void
dp_frag_expire(struct dp_worker *w, uint64_t now)
{
	struct dp_frag *fr = w->frag;

	if (fr == NULL)
		return;
	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		struct dp_frag_tbl *t = &fr->port[r];

		if (t->held > 0)
			dp_frag_drop_older(w, &w->dp->ports[r], t,
					now > fr->timeout ? now - fr->timeout :
							    0,
					DP_DROP_FRAG_TIMEOUT);
	}
}

/* Room under the cap for one fragment more: the oldest datagrams go. */
static bool
dp_frag_evict(struct dp_worker *w, struct dp_port *p, struct dp_frag_tbl *t)
{
	struct dp_frag *fr = w->frag;
	uint64_t age = fr->timeout;

	for (unsigned i = 0; i < DP_FRAG_EVICT_STEPS && t->held >= fr->cap;
	     i++) {
		age /= 2;
		dp_frag_drop_older(w, p, t, w->now > age ? w->now - age : 0,
				DP_DROP_FRAG_MBUF_CAP);
	}
	return t->held < fr->cap;
}

/* The bytes of L4 header a datagram's first fragment must hold (RFC 1858,
 * RFC 7112): TCP's with its options when the fragment reaches its data
 * offset, UDP's, ICMP's first 8; other protocols are not looked into. */
static uint32_t
dp_frag_l4_need(uint8_t proto, const uint8_t *l4, uint32_t len)
{
	uint32_t doff;

	switch (proto) {
	case IPPROTO_UDP:
		return sizeof(struct rte_udp_hdr);
	case IPPROTO_TCP:
		doff = l4 != NULL && len > 12 ? (uint32_t)(l4[12] >> 4) * 4 : 0;
		return RTE_MAX(doff, (uint32_t)sizeof(struct rte_tcp_hdr));
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return 8;
	default:
		return 0;
	}
}

/*
 * The checks rte_ip_frag does not make. ofs and len: the fragment's
 * place and size in the datagram's data; unfrag: the bytes in front of
 * that data in the whole datagram's length field (IPv4: its header).
 */
static enum dp_ctr
dp_frag_judge(uint8_t proto, const uint8_t *l4, uint32_t ofs, uint32_t len,
		bool more, uint32_t unfrag)
{
	uint32_t need;

	if (len == 0)
		return DP_DROP_FRAG_MALFORMED;
	if (unfrag + ofs + len > UINT16_MAX)
		return DP_DROP_FRAG_PAST_MAX;
	/* Before the multiple of 8: a first fragment of 4 bytes is the
	 * attack RFC 1858 names, not a clumsy sender. */
	need = dp_frag_l4_need(proto, ofs == 0 ? l4 : NULL, len);
	if (ofs == 0 ? len < need : ofs < need)
		return DP_DROP_FRAG_TINY;
	if (more && (len & 7) != 0)
		return DP_DROP_FRAG_MALFORMED;
	return DP_FRAG_OK;
}

/*
 * The datagram rte_ip_frag made, a chain of its fragments, in one
 * segment: in place when its first fragment's buffer has the room,
 * else copied into a fresh mbuf (a first fragment in a smaller or an
 * external buffer). @return it, or NULL (dropped, counted).
 */
static struct rte_mbuf *
dp_frag_whole(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m)
{
	struct rte_mempool *mp = w->dp->pool;
	uint32_t room = rte_pktmbuf_data_room_size(mp) - RTE_PKTMBUF_HEADROOM;
	struct rte_mbuf *c;
	const void *s;
	char *d;

	if (rte_pktmbuf_pkt_len(m) > room) {
		dp_frag_drop(w, p, m, DP_DROP_FRAG_TOO_BIG);
		return NULL;
	}
	if (rte_pktmbuf_linearize(m) == 0)
		goto done;
	c = rte_pktmbuf_alloc(mp);
	if (c == NULL) {
		dp_frag_drop(w, p, m, DP_DROP_FRAG_NO_MBUF);
		return NULL;
	}
	d = rte_pktmbuf_append(c, (uint16_t)rte_pktmbuf_pkt_len(m));
	s = rte_pktmbuf_read(m, 0, rte_pktmbuf_pkt_len(m), d);
	if (s != d)
		memcpy(d, s, rte_pktmbuf_pkt_len(m));
	c->port = m->port;
	c->l2_len = m->l2_len;
	c->l3_len = m->l3_len;
	rte_pktmbuf_free(m);
	m = c;
done:
	dp_count(w, p, DP_FRAG_REASSEMBLED, 1);
	return m;
}

/* Give a fragment that passed the checks to p's table (l3: its IPv4 or
 * IPv6 header; fh: its IPv6 fragment header, NULL for IPv4). */
static struct rte_mbuf *
dp_frag_hold(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		void *l3, struct rte_ipv6_fragment_ext *fh)
{
	struct dp_frag *fr = w->frag;
	struct dp_frag_tbl *t = &fr->port[p->role];
	struct rte_mbuf *r;
	uint32_t freed, out;

	if (t->held >= fr->cap && !dp_frag_evict(w, p, t)) {
		dp_frag_drop(w, p, m, DP_DROP_FRAG_MBUF_CAP);
		return NULL;
	}
	if (fh != NULL)
		r = rte_ipv6_frag_reassemble_packet(t->tbl, &fr->dr, m, w->now,
				l3, fh);
	else
		r = rte_ipv4_frag_reassemble_packet(t->tbl, &fr->dr, m, w->now,
				l3);
	/* One mbuf in; a datagram's fragments and the death row's out. */
	freed = dp_frag_reap(fr);
	out = r != NULL ? r->nb_segs : 0;
	t->held = t->held + 1 - RTE_MIN(t->held + 1, freed + out);
	dp_frag_gauge(w, t);
	if (r != NULL)
		return dp_frag_whole(w, p, r);
	if (freed == 0)
		dp_count(w, p, DP_FRAG_HELD, 1);
	else if (freed == 1)
		dp_count(w, p, DP_DROP_FRAG_TABLE_FULL, 1);
	else
		dp_count(w, p, DP_DROP_FRAG_OVERLAP, freed);
	return NULL;
}

struct rte_mbuf *
dp_frag_ipv4(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		uint16_t l3_off)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, l3_off);
	uint32_t ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
	uint32_t ofs = (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) *
		       RTE_IPV4_HDR_OFFSET_UNITS;
	uint32_t len = rte_be_to_cpu_16(ip->total_length) - ihl;
	enum dp_ctr why = dp_frag_judge(ip->next_proto_id, (uint8_t *)ip + ihl,
			ofs, len, (fo & RTE_IPV4_HDR_MF_FLAG) != 0, ihl);

	if (why != DP_FRAG_OK || m->nb_segs != 1) {
		dp_frag_drop(w, p, m, why != DP_FRAG_OK ? why :
				DP_DROP_FRAG_MALFORMED);
		return NULL;
	}
	m->l2_len = l3_off;
	m->l3_len = ihl;
	m = dp_frag_hold(w, p, m, ip, NULL);
	if (m == NULL)
		return NULL;
	/* rte_ip_frag left the checksum to us. */
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return m;
}

struct rte_mbuf *
dp_frag_ipv6(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		uint16_t l3_off)
{
	struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv6_hdr *, l3_off);
	struct rte_ipv6_fragment_ext *fh = (struct rte_ipv6_fragment_ext *)
					   (ip6 + 1);
	uint32_t plen = rte_be_to_cpu_16(ip6->payload_len);

	/* A fragment header behind another is no datagram anyone sends,
	 * and taking them off one by one would recurse as deep as the
	 * frame is long. */
	if (plen < sizeof(*fh) || m->nb_segs != 1 ||
	    fh->next_header == IPPROTO_FRAGMENT) {
		dp_frag_drop(w, p, m, DP_DROP_FRAG_MALFORMED);
		return NULL;
	}
	uint16_t fd = rte_be_to_cpu_16(fh->frag_data);
	uint32_t ofs = fd & RTE_IPV6_EHDR_FO_MASK;
	bool more = RTE_IPV6_GET_MF(fd) != 0;
	uint32_t len = plen - (uint32_t)sizeof(*fh);

	if (ofs == 0 && !more) {
		/* An atomic fragment is a datagram of its own (RFC 6946):
		 * take the fragment header out, the L2 and IPv6 headers
		 * moving up over it. */
		uint8_t *b = rte_pktmbuf_mtod(m, uint8_t *);

		ip6->proto = fh->next_header;
		ip6->payload_len = rte_cpu_to_be_16((uint16_t)len);
		memmove(b + sizeof(*fh), b, l3_off + sizeof(*ip6));
		rte_pktmbuf_adj(m, sizeof(*fh));
		m->l2_len = l3_off;
		return m;
	}
	enum dp_ctr why = dp_frag_judge(fh->next_header, (uint8_t *)(fh + 1),
			ofs, len, more, 0);

	if (why != DP_FRAG_OK) {
		dp_frag_drop(w, p, m, why);
		return NULL;
	}
	m->l2_len = l3_off;
	m->l3_len = sizeof(*ip6) + sizeof(*fh);
	return dp_frag_hold(w, p, m, ip6, fh);
}

/* Buffer m for TX on w's queue of p; what a full buffer sends counts. */
static inline void
dp_frag_tx(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m)
{
	uint16_t sent = rte_eth_tx_buffer(p->port_id, (uint16_t)w->id,
			w->txb[p->role], m);

	if (sent)
		dp_count(w, p, DP_TX_FRAMES, sent);
}

/* A frame larger than the MTU only by what follows its datagram (the
 * Ethernet padding of a frame received): sent without it. */
static void
dp_frag_pad_tx(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		uint32_t len)
{
	if (rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - len)) < 0)
		return dp_frag_drop(w, p, m, DP_DROP_FRAG_OUT_INVALID);
	dp_frag_tx(w, p, m);
}

/* Copy len bytes at off in m (any segments) to d. */
static inline void
dp_frag_copy(const struct rte_mbuf *m, uint32_t off, uint32_t len, void *d)
{
	const void *s = rte_pktmbuf_read(m, off, len, d);

	if (s != d)
		memcpy(d, s, len);
}

/*
 * The options of an IPv4 header (n bytes at opt) that RFC 791 copies into
 * every fragment after the first (the copied flag of their type), padded
 * with end-of-list to a multiple of 4. A malformed list ends where it
 * breaks. @return their length (at most n).
 */
static uint32_t
dp_frag_ip4_opts(const uint8_t *opt, uint32_t n, uint8_t *out)
{
	uint32_t i = 0, k = 0;

	while (i < n && opt[i] != 0) {
		if (opt[i] == 1) {          /* no-operation, not copied */
			i++;
			continue;
		}
		if (i + 1 >= n || opt[i + 1] < 2 || i + opt[i + 1] > n)
			break;
		if (opt[i] & 0x80) {
			memcpy(out + k, opt + i, opt[i + 1]);
			k += opt[i + 1];
		}
		i += opt[i + 1];
	}
	while (k & 3)
		out[k++] = 0;
	return k;
}

/* Buffer the n fragments made of m (freed) and count them. */
static void
dp_frag_send(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		struct rte_mbuf **frags, unsigned n)
{
	rte_pktmbuf_free(m);
	dp_count(w, p, DP_FRAG_TX_DATAGRAMS, 1);
	dp_count(w, p, DP_FRAG_TX_FRAGMENTS, n);
	for (unsigned i = 0; i < n; i++)
		dp_frag_tx(w, p, frags[i]);
}

/* n fresh mbufs, or none (the datagram is dropped, counted). */
static int
dp_frag_alloc(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		struct rte_mbuf **frags, unsigned n)
{
	if (n <= DP_FRAG_OUT_MAX &&
	    rte_pktmbuf_alloc_bulk(w->dp->pool, frags, n) == 0)
		return 0;
	dp_frag_drop(w, p, m, DP_DROP_FRAG_NO_MBUF);
	return -1;
}

/* Room for one fragment of hlen header bytes and len data in f (the
 * config makes the data room take mtu + 18; a pool built otherwise may
 * not). @return where it starts, or NULL. */
static uint8_t *
dp_frag_room(struct rte_mbuf *f, uint32_t l2_len, uint32_t hlen,
		uint32_t len)
{
	return (uint8_t *)rte_pktmbuf_append(f, (uint16_t)(l2_len + hlen +
							   len));
}

static void
dp_frag_fail(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		struct rte_mbuf **frags, unsigned n)
{
	rte_pktmbuf_free_bulk(frags, n);
	dp_frag_drop(w, p, m, DP_DROP_FRAG_NO_MBUF);
}

static void
dp_frag_out4(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const uint8_t *l2, uint32_t l2_len, bool self)
{
	uint8_t hb[60], opt2[40];
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_read(m, l2_len,
			sizeof(*ip), hb);
	uint32_t ihl, tot, hl2, data, max1, max2;
	struct rte_mbuf *frags[DP_FRAG_OUT_MAX];
	unsigned n;

	ihl = ip != NULL ? (uint32_t)(ip->version_ihl & 0x0f) * 4 : 0;
	if (ip == NULL || (ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) ||
	    (ip = rte_pktmbuf_read(m, l2_len, ihl, hb)) == NULL)
		return dp_frag_drop(w, p, m, DP_DROP_FRAG_OUT_INVALID);
	tot = rte_be_to_cpu_16(ip->total_length);
	if (tot < ihl || l2_len + tot > rte_pktmbuf_pkt_len(m))
		return dp_frag_drop(w, p, m, DP_DROP_FRAG_OUT_INVALID);
	if (tot <= p->mtu)
		return dp_frag_pad_tx(w, p, m, l2_len + tot);
	uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);

	if (fo & RTE_IPV4_HDR_DF_FLAG)
		return dp_frag_drop(w, p, m, DP_DROP_FRAG_DF);
	hl2 = (uint32_t)sizeof(*ip) + dp_frag_ip4_opts((const uint8_t *)
			(ip + 1), ihl - (uint32_t)sizeof(*ip), opt2);
	data = tot - ihl;
	max1 = (p->mtu - ihl) & ~7u;
	max2 = (p->mtu - hl2) & ~7u;
	n = 1 + (data - max1 + max2 - 1) / max2;
	if (dp_frag_alloc(w, p, m, frags, n) < 0)
		return;
	/* Our own datagram gets an identification of its own: the one it
	 * was built with (0) would mix two in the peer's reassembly. */
	rte_be16_t id = self ? rte_cpu_to_be_16(w->frag->ip4_id++) :
			       ip->packet_id;
	uint32_t base = (uint32_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) *
			RTE_IPV4_HDR_OFFSET_UNITS;
	uint32_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t hl = i == 0 ? ihl : hl2;
		uint32_t chunk = RTE_MIN(i == 0 ? max1 : max2, data - off);
		bool last = off + chunk == data;
		uint8_t *d = dp_frag_room(frags[i], l2_len, hl, chunk);

		if (d == NULL)
			return dp_frag_fail(w, p, m, frags, n);
		memcpy(d, l2, l2_len);
		struct rte_ipv4_hdr *h = (struct rte_ipv4_hdr *)(d + l2_len);

		memcpy(h, ip, sizeof(*h));
		if (i == 0) {
			memcpy(h + 1, ip + 1, ihl - sizeof(*h));
		} else {
			memcpy(h + 1, opt2, hl2 - sizeof(*h));
			h->version_ihl = (uint8_t)(0x40 | (hl2 / 4));
		}
		h->total_length = rte_cpu_to_be_16((uint16_t)(hl + chunk));
		h->packet_id = id;
		/* The last piece keeps the datagram's own MF: it may be a
		 * fragment itself. */
		h->fragment_offset = rte_cpu_to_be_16((uint16_t)(((base + off) /
				RTE_IPV4_HDR_OFFSET_UNITS) |
				(last ? (fo & RTE_IPV4_HDR_MF_FLAG) :
					RTE_IPV4_HDR_MF_FLAG)));
		h->hdr_checksum = 0;
		h->hdr_checksum = rte_ipv4_cksum(h);
		dp_frag_copy(m, l2_len + ihl + off, chunk, d + l2_len + hl);
		off += chunk;
	}
	dp_frag_send(w, p, m, frags, n);
}

static void
dp_frag_out6(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const uint8_t *l2, uint32_t l2_len, bool self)
{
	struct rte_ipv6_hdr hb;
	const struct rte_ipv6_hdr *ip6 = rte_pktmbuf_read(m, l2_len,
			sizeof(hb), &hb);
	struct rte_mbuf *frags[DP_FRAG_OUT_MAX];
	uint32_t plen, max;
	unsigned n;

	if (ip6 == NULL)
		return dp_frag_drop(w, p, m, DP_DROP_FRAG_OUT_INVALID);
	plen = rte_be_to_cpu_16(ip6->payload_len);
	if (l2_len + sizeof(*ip6) + plen > rte_pktmbuf_pkt_len(m))
		return dp_frag_drop(w, p, m, DP_DROP_FRAG_OUT_INVALID);
	if (sizeof(*ip6) + plen <= p->mtu)
		return dp_frag_pad_tx(w, p, m, l2_len + sizeof(*ip6) + plen);
	if (!self)
		return dp_frag_drop(w, p, m, DP_DROP_FRAG_IPV6_FORWARD);
	/* Hop-by-hop options and routing headers would have to stay in
	 * front of the fragment header; a fragment is not cut again. */
	if (ip6->proto == IPPROTO_HOPOPTS || ip6->proto == IPPROTO_ROUTING ||
	    ip6->proto == IPPROTO_FRAGMENT)
		return dp_frag_drop(w, p, m, DP_DROP_FRAG_OUT_INVALID);
	max = (p->mtu - (uint32_t)(sizeof(*ip6) +
			sizeof(struct rte_ipv6_fragment_ext))) & ~7u;
	n = (plen + max - 1) / max;
	if (dp_frag_alloc(w, p, m, frags, n) < 0)
		return;
	/* Unpredictable, as RFC 7739 asks. */
	rte_be32_t id = (rte_be32_t)rte_rand();
	uint32_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		uint32_t chunk = RTE_MIN(max, plen - off);
		bool last = off + chunk == plen;
		struct rte_ipv6_fragment_ext *fh;
		uint8_t *d = dp_frag_room(frags[i], l2_len, sizeof(*ip6) +
				sizeof(*fh), chunk);

		if (d == NULL)
			return dp_frag_fail(w, p, m, frags, n);
		memcpy(d, l2, l2_len);
		struct rte_ipv6_hdr *h = (struct rte_ipv6_hdr *)(d + l2_len);

		*h = *ip6;
		h->payload_len = rte_cpu_to_be_16((uint16_t)(sizeof(*fh) +
				chunk));
		h->proto = IPPROTO_FRAGMENT;
		fh = (struct rte_ipv6_fragment_ext *)(h + 1);
		fh->next_header = ip6->proto;
		fh->reserved = 0;
		fh->frag_data = rte_cpu_to_be_16((uint16_t)(off |
				(last ? 0 : RTE_IPV6_EHDR_MF_MASK)));
		fh->id = id;
		dp_frag_copy(m, l2_len + (uint32_t)sizeof(*ip6) + off, chunk,
				fh + 1);
		off += chunk;
	}
	dp_frag_send(w, p, m, frags, n);
}

void
dp_tx_ip(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		bool self)
{
	uint8_t buf[RTE_ETHER_HDR_LEN + sizeof(struct rte_vlan_hdr)];
	const uint8_t *l2;
	uint32_t l2_len = RTE_ETHER_HDR_LEN;
	uint16_t type;

	if (likely(rte_pktmbuf_pkt_len(m) <= (uint32_t)p->mtu +
					     RTE_ETHER_HDR_LEN))
		return dp_frag_tx(w, p, m);
	/* Longer than any Ethernet and VLAN header: readable. */
	l2 = rte_pktmbuf_read(m, 0, sizeof(buf), buf);
	type = (uint16_t)(l2[12] << 8 | l2[13]);
	if (type == RTE_ETHER_TYPE_VLAN) {
		l2_len += sizeof(struct rte_vlan_hdr);
		type = (uint16_t)(l2[16] << 8 | l2[17]);
	}
	if (rte_pktmbuf_pkt_len(m) - l2_len <= p->mtu)
		return dp_frag_tx(w, p, m);
	if (type == RTE_ETHER_TYPE_IPV4)
		return dp_frag_out4(w, p, m, l2, l2_len, self);
	if (type == RTE_ETHER_TYPE_IPV6)
		return dp_frag_out6(w, p, m, l2, l2_len, self);
	dp_frag_tx(w, p, m);
}
