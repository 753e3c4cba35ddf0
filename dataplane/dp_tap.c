/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path (DESIGN.md, "Threads and data paths"): one TAP per
 * port, through which the kernel's sockets serve what the dataplane does
 * not (TCP: SIP over TCP and TLS; UDP other than SIP; the appliance's own
 * DNS and TLS connections).
 *
 * The TAP is a separate link between the dataplane and the kernel, and
 * the kernel never learns the wire's neighbours: the dataplane answers
 * every ARP request and neighbour solicitation the kernel sends on it
 * with the port's MAC, so the kernel hands it everything, and resolves
 * the real next hop itself (dp_output()). Frames to the kernel get the
 * kernel's MAC on the TAP as destination and the port's MAC as source,
 * VLAN tag stripped.
 *
 * Queues: the TAP has one queue pair per worker (net_tap wants as many RX
 * as TX queues). Each worker writes its own TX queue. The kernel spreads
 * what it sends over all the queues by flow hash, so every RX queue must
 * be read: worker 0 reads them all, which also makes it the one writer of
 * the session table (dp_xflow.c).
 *
 * Cost: net_tap reads and writes with a system call per frame. Writes are
 * per frame for the kernel, which is what the exception path is for;
 * reads of an idle TAP are throttled (DP_TAP_POLL_US) so that worker 0's
 * wire loop does not pay a failing read() per TAP queue on every poll.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane/dp_priv.h"
#include "platform/log/log.h"

/* TX descriptors per TAP queue (net_tap writes at once; unused). */
#define DP_TAP_TX_DESC 512
/* net_tap reads one frame into up to this many chained mbufs: a frame up
 * to the MTU fits in one mbuf of the pool, two leave room for a kernel
 * that sends more (such a frame is then dropped as malformed). */
#define DP_TAP_RX_SEGS 2
/* A TAP that gave nothing is read again after this long. */
#define DP_TAP_POLL_US 20
/* Default routes' metrics: 100 + the port role (outside first). */
#define DP_TAP_METRIC 100
/* The PAT's default port range (its own config holds the real one): the
 * kernel's ephemeral ports must stay clear of it. */
#define DP_TAP_PAT_LO 20000
#define DP_TAP_PAT_HI 29999

#define DP_ICMP6_RS 133
#define DP_ICMP6_NS 135
#define DP_ICMP6_NA 136
#define DP_ND_OPT_TGT_LLADDR 2

/* One worker's frames waiting for its TAP queue. */
struct dp_tap_txq {
	uint16_t n;
	struct rte_mbuf *m[DP_BURST];
} __rte_cache_aligned;

struct dp_tap {
	uint16_t port_id;            /* the TAP's ethdev */
	uint16_t nq;                 /* queue pairs (workers) */
	uint16_t rxq;                /* the RX queue worker 0 reads first */
	bool vdev;                   /* created: remove at destroy */
	bool started;                /* rte_eth_dev_start() done */
	uint8_t kmac[6];             /* the kernel's MAC on the TAP */
	uint64_t next_poll;          /* TSC: read an idle TAP again */
	char vdev_name[32];          /* net_tap_<role> */
	char ifname[DP_TAP_NAME_MAX + 1];
	struct dp_tap_txq txq[];     /* per worker */
};

static const char *const dp_tap_roles[DP_PORT__COUNT] = { "outside",
							  "inside" };

static inline void
dp_tap_drop(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		enum dp_ctr why)
{
	dp_count(w, p, why, 1);
	rte_pktmbuf_free(m);
}

/* Queue a frame whose L2 is set for the TAP on w's queue. */
static inline void
dp_tap_queue(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m)
{
	struct dp_tap_txq *q = &p->tap->txq[w->id];

	if (unlikely(q->n == DP_BURST)) {
		uint16_t sent = rte_eth_tx_burst(p->tap->port_id,
				(uint16_t)w->id, q->m, q->n);

		if (sent < q->n) {
			rte_pktmbuf_free_bulk(q->m + sent, q->n - sent);
			dp_count(w, p, DP_DROP_TAP_FULL, q->n - sent);
		}
		q->n = 0;
	}
	q->m[q->n++] = m;
}

void
dp_tap_to_kernel(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		enum dp_ctr none)
{
	if (p->tap == NULL)
		return dp_tap_drop(w, p, m, none);
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	uint16_t type = eth->ether_type;

	/* dp_input() checked the tag is there; the kernel gets none. */
	if (type == rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN)) {
		type = ((struct rte_vlan_hdr *)(eth + 1))->eth_proto;
		eth = (struct rte_ether_hdr *)rte_pktmbuf_adj(m,
				sizeof(struct rte_vlan_hdr));
		eth->ether_type = type;
	}
	memcpy(eth->dst_addr.addr_bytes, p->tap->kmac, 6);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	dp_count(w, p, DP_TAP_TX, 1);
	dp_tap_queue(w, p, m);
}

void
dp_tap_flush(struct dp_worker *w)
{
	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		struct dp_port *p = &w->dp->ports[r];
		struct dp_tap_txq *q;

		if (p->tap == NULL || (q = &p->tap->txq[w->id])->n == 0)
			continue;
		uint16_t sent = rte_eth_tx_burst(p->tap->port_id,
				(uint16_t)w->id, q->m, q->n);

		if (sent < q->n) {
			rte_pktmbuf_free_bulk(q->m + sent, q->n - sent);
			dp_count(w, p, DP_DROP_TAP_FULL, q->n - sent);
		}
		q->n = 0;
	}
}

/* Is ip (network order) inside prefix bits of mine? */
static bool
dp_tap_in_prefix(const uint8_t *ip, const uint8_t *mine, unsigned bits)
{
	if (memcmp(ip, mine, bits / 8) != 0)
		return false;
	if (bits % 8 == 0)
		return true;
	uint8_t msk = (uint8_t)(0xff << (8 - bits % 8));

	return (ip[bits / 8] & msk) == (mine[bits / 8] & msk);
}

/* Send a reply built in m back to the kernel (L2: to whoever asked). */
static void
dp_tap_reply(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		enum dp_ctr what)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	dp_count(w, p, what, 1);
	dp_tap_queue(w, p, m);
}

/* The kernel asks who has an address of the TAP's subnet: we do. */
static void
dp_tap_arp(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		uint32_t len)
{
	struct rte_arp_hdr *arp;

	if (len < sizeof(struct rte_ether_hdr) + sizeof(*arp))
		return dp_tap_drop(w, p, m, DP_DROP_TAP_MALFORMED);
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *,
			sizeof(struct rte_ether_hdr));
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4)
		return dp_tap_drop(w, p, m, DP_DROP_TAP_MALFORMED);
	uint32_t tip = arp->arp_data.arp_tip;

	/* Its own address (a probe, or gratuitous ARP) is the kernel's to
	 * keep; anything off the subnet it has no business asking for. */
	if (arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) ||
	    !p->has_ip4 || tip == p->ip4 || tip == arp->arp_data.arp_sip ||
	    !dp_tap_in_prefix((const uint8_t *)&tip,
			(const uint8_t *)&p->ip4, p->prefix4))
		return dp_tap_drop(w, p, m, DP_DROP_TAP_LOCAL);
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_tha = arp->arp_data.arp_sha;
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	rte_ether_addr_copy(&p->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = tip;
	dp_tap_reply(w, p, m, DP_TAP_ARP_REPLIES);
}

/* The kernel solicits a neighbour: advertise the port's MAC for it, as
 * if the neighbour answered (RFC 4861 §7.2.4). */
static void
dp_tap_ns(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		struct rte_ipv6_hdr *ip6, uint8_t *icmp, uint32_t l4_len)
{
	static const uint8_t unspec[16];
	const uint32_t na_len = 32;
	const uint8_t *tgt = icmp + 8;

	if (l4_len < 24 || ip6->hop_limits != 255 || icmp[1] != 0)
		return dp_tap_drop(w, p, m, DP_DROP_TAP_MALFORMED);
	bool ll = tgt[0] == 0xfe && (tgt[1] & 0xc0) == 0x80;

	/* DAD (unspecified source) and the kernel's own address are not
	 * ours to answer; nor is an address off the subnet, but a
	 * link-local one may be the gateway. */
	if (memcmp(ip6->src_addr, unspec, 16) == 0 ||
	    memcmp(tgt, p->ip6, 16) == 0 || tgt[0] == 0xff ||
	    (!ll && !dp_tap_in_prefix(tgt, p->ip6, p->prefix6)))
		return dp_tap_drop(w, p, m, DP_DROP_TAP_LOCAL);
	uint32_t want = (uint32_t)((icmp - rte_pktmbuf_mtod(m, uint8_t *)) +
				   na_len);

	if (rte_pktmbuf_data_len(m) < want &&
	    rte_pktmbuf_append(m, (uint16_t)(want -
			rte_pktmbuf_data_len(m))) == NULL)
		return dp_tap_drop(w, p, m, DP_DROP_TAP_MALFORMED);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) - want));
	icmp[0] = DP_ICMP6_NA;
	icmp[1] = 0;
	/* Solicited, override; router when it is the port's gateway. */
	icmp[4] = (uint8_t)(0x60 | (p->has_gw6 && memcmp(tgt, p->gw6, 16) ==
					0 ? 0x80 : 0));
	icmp[5] = icmp[6] = icmp[7] = 0;
	icmp[24] = DP_ND_OPT_TGT_LLADDR;
	icmp[25] = 1;
	memcpy(icmp + 26, p->mac.addr_bytes, 6);
	memcpy(ip6->dst_addr, ip6->src_addr, 16);
	memcpy(ip6->src_addr, tgt, 16);
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)na_len);
	icmp[2] = icmp[3] = 0;
	uint16_t ck = rte_ipv6_udptcp_cksum(ip6, icmp);

	memcpy(icmp + 2, &ck, 2);
	dp_tap_reply(w, p, m, DP_TAP_ND_REPLIES);
}

/* Note a datagram the kernel sends in the session table. */
static void
dp_tap_note(struct dp_worker *w, struct dp_port *p, uint8_t family,
		uint8_t proto, const uint8_t *dst, const uint8_t *l4,
		uint32_t l4_len)
{
	struct dp_xflow_key k;
	uint8_t flags = 0;

	if (p->xflow == NULL ||
	    (proto == IPPROTO_TCP && l4_len < sizeof(struct rte_tcp_hdr)) ||
	    (proto == IPPROTO_UDP && l4_len < sizeof(struct rte_udp_hdr)) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return;
	memset(&k, 0, sizeof(k));
	k.family = family;
	k.proto = proto;
	k.lport = (uint16_t)(l4[0] << 8 | l4[1]);
	k.rport = (uint16_t)(l4[2] << 8 | l4[3]);
	memcpy(k.raddr, dst, family == AF_INET ? 4 : 16);
	if (proto == IPPROTO_TCP)
		flags = ((const struct rte_tcp_hdr *)l4)->tcp_flags;
	else if (k.lport == w->dp->sip_port)
		return; /* SIP over UDP is the dataplane's, never a session */
	switch (dp_xflow_note(p->xflow, &k, flags, w->now)) {
	case DP_XFLOW_NOTE_NEW:
		dp_count(w, p, DP_XFLOW_NEW, 1);
		break;
	case DP_XFLOW_NOTE_FULL:
		dp_count(w, p, DP_XFLOW_FULL, 1);
		break;
	default:
		break;
	}
}

static void
dp_tap_ipv4(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		uint32_t len)
{
	const uint32_t l3 = sizeof(struct rte_ether_hdr);
	struct rte_ipv4_hdr *ip;
	uint32_t ihl, tot;

	if (len < l3 + sizeof(*ip))
		return dp_tap_drop(w, p, m, DP_DROP_TAP_MALFORMED);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, l3);
	ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || tot < ihl ||
	    len < l3 + tot)
		return dp_tap_drop(w, p, m, DP_DROP_TAP_MALFORMED);
	const uint8_t *dst = (const uint8_t *)&ip->dst_addr;

	uint32_t host = p->prefix4 < 32 ?
		rte_cpu_to_be_32(UINT32_MAX >> p->prefix4) : 0;

	/* Multicast (IGMP...) and broadcast, limited or the subnet's, stay
	 * on the TAP. */
	if ((dst[0] & 0xf0) == 0xe0 || ip->dst_addr == UINT32_MAX ||
	    (host != 0 && p->has_ip4 && (ip->dst_addr & host) == host &&
	     dp_tap_in_prefix(dst, (const uint8_t *)&p->ip4, p->prefix4)))
		return dp_tap_drop(w, p, m, DP_DROP_TAP_LOCAL);
	if (!p->has_ip4 || ip->src_addr != p->ip4)
		return dp_tap_drop(w, p, m, DP_DROP_TAP_NOT_OURS);
	rte_pktmbuf_trim(m, (uint16_t)(len - l3 - tot));
	if (!(ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)))
		dp_tap_note(w, p, AF_INET, ip->next_proto_id, dst,
				(const uint8_t *)ip + ihl, tot - ihl);
	dp_count(w, p, DP_TAP_OUT, 1);
	dp_output(w, p, m, AF_INET, dst, true);
}

static void
dp_tap_ipv6(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		uint32_t len)
{
	const uint32_t l3 = sizeof(struct rte_ether_hdr);
	struct rte_ipv6_hdr *ip6;
	uint32_t plen;

	if (len < l3 + sizeof(*ip6))
		return dp_tap_drop(w, p, m, DP_DROP_TAP_MALFORMED);
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, l3);
	plen = rte_be_to_cpu_16(ip6->payload_len);
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6 ||
	    len < l3 + sizeof(*ip6) + plen)
		return dp_tap_drop(w, p, m, DP_DROP_TAP_MALFORMED);
	rte_pktmbuf_trim(m, (uint16_t)(len - l3 - sizeof(*ip6) - plen));
	uint8_t *l4 = (uint8_t *)(ip6 + 1);

	if (ip6->proto == IPPROTO_ICMPV6 && plen >= 4 &&
	    l4[0] >= DP_ICMP6_RS && l4[0] <= 137) {
		if (l4[0] == DP_ICMP6_NS && p->has_ip6)
			return dp_tap_ns(w, p, m, ip6, l4, plen);
		/* Router solicitations, its own advertisements, redirects */
		return dp_tap_drop(w, p, m, DP_DROP_TAP_LOCAL);
	}
	/* Multicast (MLD reports...) stays on the TAP. */
	if (ip6->dst_addr[0] == 0xff)
		return dp_tap_drop(w, p, m, DP_DROP_TAP_LOCAL);
	if (!p->has_ip6 || memcmp(ip6->src_addr, p->ip6, 16) != 0)
		return dp_tap_drop(w, p, m, DP_DROP_TAP_NOT_OURS);
	dp_tap_note(w, p, AF_INET6, ip6->proto, ip6->dst_addr, l4, plen);
	dp_count(w, p, DP_TAP_OUT, 1);
	dp_output(w, p, m, AF_INET6, ip6->dst_addr, true);
}

/* One frame the kernel sent on p's TAP: exactly one outcome, counted. */
static void
dp_tap_from_kernel(struct dp_worker *w, struct dp_port *p,
		struct rte_mbuf *m)
{
	uint32_t len = rte_pktmbuf_data_len(m);

	if (m->nb_segs != 1 || len < sizeof(struct rte_ether_hdr))
		return dp_tap_drop(w, p, m, DP_DROP_TAP_MALFORMED);
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	switch (rte_be_to_cpu_16(eth->ether_type)) {
	case RTE_ETHER_TYPE_ARP:
		return dp_tap_arp(w, p, m, len);
	case RTE_ETHER_TYPE_IPV4:
		return dp_tap_ipv4(w, p, m, len);
	case RTE_ETHER_TYPE_IPV6:
		return dp_tap_ipv6(w, p, m, len);
	default:
		return dp_tap_drop(w, p, m, DP_DROP_TAP_MALFORMED);
	}
}

unsigned
dp_tap_poll(struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_BURST];
	unsigned total = 0;

	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		struct dp_port *p = &w->dp->ports[r];
		struct dp_tap *t = p->tap;
		unsigned got = 0;

		if (t == NULL || w->now < t->next_poll)
			continue;
		/* One burst per TAP per poll, the queues in turn. */
		for (uint16_t i = 0; i < t->nq && got < DP_BURST; i++) {
			uint16_t q = (uint16_t)((t->rxq + i) % t->nq);
			uint16_t n = rte_eth_rx_burst(t->port_id, q, pkts,
					(uint16_t)(DP_BURST - got));

			for (uint16_t j = 0; j < n; j++)
				dp_tap_from_kernel(w, p, pkts[j]);
			got += n;
		}
		t->rxq = (uint16_t)((t->rxq + 1) % t->nq);
		if (got) {
			dp_count(w, p, DP_TAP_RX, got);
			t->next_poll = 0;
		} else {
			t->next_poll = w->now + rte_get_tsc_hz() /
					1000000 * DP_TAP_POLL_US;
		}
		total += got;
	}
	return total;
}

/* Warn when the kernel's ephemeral ports overlap the PAT's range. */
static void
dp_tap_check_ephemeral(void)
{
	uint16_t lo, hi;

	if (dp_tap_kernel_ephemeral(&lo, &hi) < 0 || hi < DP_TAP_PAT_LO ||
	    lo > DP_TAP_PAT_HI)
		return;
	LOG(DP, WARN, "the kernel's ephemeral ports %u-%u "
			"(net.ipv4.ip_local_port_range) overlap the PAT range "
			"%u-%u: the appliance's own connections may collide "
			"with translations", lo, hi, DP_TAP_PAT_LO,
			DP_TAP_PAT_HI);
}

/* Create port p's TAP named ifname and bring its kernel side up. */
static int
dp_tap_port(struct dp *dp, struct dp_port *p, const char *ifname,
		char *err, size_t errlen)
{
	const char *role = dp_tap_roles[p->role];
	struct rte_eth_conf conf;
	struct dp_tap *t;
	char devargs[80];
	uint16_t mtu = RTE_ETHER_MTU;
	int rc;

	t = rte_zmalloc("dp_tap", sizeof(*t) + dp->n_workers *
			sizeof(t->txq[0]), RTE_CACHE_LINE_SIZE);
	if (t == NULL) {
		snprintf(err, errlen, "%s: TAP %s: out of memory", role,
				ifname);
		return -ENOMEM;
	}
	p->tap = t;
	t->nq = (uint16_t)dp->n_workers;
	snprintf(t->ifname, sizeof(t->ifname), "%s", ifname);
	snprintf(t->vdev_name, sizeof(t->vdev_name), "net_tap_%s", role);
	snprintf(devargs, sizeof(devargs), "%s,iface=%s", t->vdev_name,
			ifname);
	rc = rte_dev_probe(devargs);
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot create TAP %s (%s; it needs "
				"CAP_NET_ADMIN and /dev/net/tun, and no other "
				"interface of that name)", role, ifname,
				rte_strerror(-rc));
		return rc;
	}
	if (rte_eth_dev_get_port_by_name(t->vdev_name, &t->port_id) != 0) {
		rte_eal_hotplug_remove("vdev", t->vdev_name);
		snprintf(err, errlen, "%s: TAP %s: no ethdev", role, ifname);
		return -ENODEV;
	}
	t->vdev = true;
	/* The kernel side matches the wire: the port's MTU. */
	if (rte_eth_dev_get_mtu(p->port_id, &mtu) != 0)
		mtu = RTE_ETHER_MTU;
	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_configure(t->port_id, t->nq, t->nq, &conf);
	for (uint16_t q = 0; rc == 0 && q < t->nq; q++) {
		rc = rte_eth_rx_queue_setup(t->port_id, q, DP_TAP_RX_SEGS,
				rte_eth_dev_socket_id(t->port_id), NULL,
				dp->pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(t->port_id, q,
					DP_TAP_TX_DESC,
					rte_eth_dev_socket_id(t->port_id),
					NULL);
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: TAP %s: queue set-up failed: %s",
				role, ifname, rte_strerror(-rc));
		return rc;
	}
	if ((rc = dp_tap_kernel_prepare(ifname, p->has_ip6, err, errlen)) < 0)
		return rc;
	rc = rte_eth_dev_start(t->port_id);
	if (rc < 0) {
		snprintf(err, errlen, "%s: TAP %s: cannot start: %s", role,
				ifname, rte_strerror(-rc));
		return rc;
	}
	t->started = true;
	return dp_tap_kernel_configure(ifname, p, mtu,
			DP_TAP_METRIC + p->role, t->kmac, err, errlen);
}

int
dp_tap_create(struct dp *dp, const struct dp_cfg *cfg, char *err,
		size_t errlen)
{
	const struct dp_port_cfg *pcs[DP_PORT__COUNT] = {
		&cfg->ports.outside, &cfg->ports.inside,
	};
	const struct dp_exception_cfg *ec = &cfg->exception;
	uint64_t hz = rte_get_tsc_hz();
	/* Configs built in code may leave the section 0: the defaults. */
	struct dp_xflow_timeouts to = {
		.udp = (ec->udp_timeout_s ? ec->udp_timeout_s : 180) * hz,
		.tcp = (ec->tcp_timeout_s ? ec->tcp_timeout_s : 7200) * hz,
		.closing = (ec->tcp_closing_timeout_s ?
			    ec->tcp_closing_timeout_s : 10) * hz,
	};
	uint32_t sessions = ec->sessions ? ec->sessions : 4096;
	int rc;

	if (!ec->enabled)
		return 0;
	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		struct dp_port *p = &dp->ports[r];

		rc = dp_tap_port(dp, p, dp_cfg_tap_name(pcs[r],
				(enum dp_port_role)r), err, errlen);
		if (rc < 0)
			return rc;
		p->xflow = dp_xflow_create(sessions, &to);
		if (p->xflow == NULL) {
			snprintf(err, errlen, "%s: session table of %u: out "
					"of memory", dp_tap_roles[r], sessions);
			return -ENOMEM;
		}
		LOG(DP, INFO, "%s: exception path on TAP %s", dp_tap_roles[r],
				p->tap->ifname);
	}
	dp_tap_check_ephemeral();
	return 0;
}

void
dp_tap_destroy(struct dp *dp)
{
	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		struct dp_port *p = &dp->ports[r];
		struct dp_tap *t = p->tap;

		dp_xflow_free(p->xflow);
		p->xflow = NULL;
		if (t == NULL)
			continue;
		for (unsigned i = 0; i < t->nq; i++)
			rte_pktmbuf_free_bulk(t->txq[i].m, t->txq[i].n);
		if (t->started)
			rte_eth_dev_stop(t->port_id);
		/* Closing the device removes the kernel interface, with its
		 * addresses and routes. */
		if (t->vdev) {
			struct rte_eth_dev_info info;

			if (rte_eth_dev_info_get(t->port_id, &info) == 0 &&
			    info.device != NULL)
				rte_dev_remove(info.device);
		}
		rte_free(t);
		p->tap = NULL;
	}
}
