/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-frame pipeline, first stages: Ethernet (and one 802.1Q tag), ARP
 * and neighbour discovery for the appliance's addresses, IPv4 / IPv6 header
 * checks, the ACL (a burst's datagrams for the appliance are collected and
 * classified together), ICMP and ICMPv6 echo, UDP checks and the SIP
 * parse. The session table (policy step 0, return traffic of flows the
 * appliance opened: dp_xflow.c) sits just before the ACL; TCP, UDP other
 * than SIP and ICMP errors the ACL permits go to the kernel through the
 * exception path (dp_tap.c). Replies are
 * built in the received mbuf and buffered for TX on the same port and
 * queue. Every frame ends in exactly one outcome, counted.
 */
#include <string.h>

#include <rte_arp.h>
#include <rte_icmp.h>
#include <rte_ring.h>
#include <rte_ip.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane/dp_priv.h"
#include "platform/sip/sip.h"

/* ICMPv6 types (RFC 4443, RFC 4861). */
#define DP_ICMP6_ECHO_REQUEST 128
#define DP_ICMP6_ECHO_REPLY 129
#define DP_ICMP6_NS 135
#define DP_ICMP6_NA 136
#define DP_ND_OPT_SRC_LLADDR 1
#define DP_ND_OPT_TGT_LLADDR 2

/* Where a frame's layers are. */
struct dp_frame {
	struct rte_ether_hdr *eth;
	uint16_t l3_off;     /* after Ethernet and the VLAN tag, if any */
	uint16_t ethertype;  /* host order, after the VLAN tag */
	uint32_t len;        /* frame length (one segment) */
};

static inline void
dp_drop(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		enum dp_ctr why)
{
	dp_count(w, p, why, 1);
	rte_pktmbuf_free(m);
}

/* Send a reply built in m back out of the port it came in on. */
static inline void
dp_reply(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		enum dp_ctr what)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
	rte_ether_addr_copy(&p->mac, &eth->src_addr);
	dp_count(w, p, what, 1);
	/* An echo reply is as large as the (reassembled) request. */
	dp_tx_ip(w, p, m, true);
}

/* ARP: answer a request for our IPv4 address (RFC 826). */
static void
dp_arp(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const struct dp_frame *f)
{
	struct rte_arp_hdr *arp;

	if (f->len < f->l3_off + sizeof(*arp))
		return dp_drop(w, p, m, DP_DROP_L2_SHORT);
	arp = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, f->l3_off);
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    !p->has_ip4 || arp->arp_data.arp_tip != p->ip4)
		return dp_drop(w, p, m, DP_DROP_ARP_OTHER);
	/* Whoever asks for us or answers us is a neighbour we may need
	 * (RFC 826's merge: learn the sender before answering). */
	dp_neigh_learn(w, p, AF_INET,
			(const uint8_t *)&arp->arp_data.arp_sip,
			arp->arp_data.arp_sha.addr_bytes);
	if (arp->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REPLY))
		return dp_drop(w, p, m, DP_ARP_LEARNED);
	if (arp->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST))
		return dp_drop(w, p, m, DP_DROP_ARP_OTHER);
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_tha = arp->arp_data.arp_sha;
	arp->arp_data.arp_tip = arp->arp_data.arp_sip;
	rte_ether_addr_copy(&p->mac, &arp->arp_data.arp_sha);
	arp->arp_data.arp_sip = p->ip4;
	dp_reply(w, p, m, DP_ARP_REPLIES);
}

/* The addresses of a datagram, for the hand-off. */
struct dp_l4ctx {
	struct netaddr src;
	struct netaddr dst;
};

/*
 * Where a response to a request over UDP goes (RFC 3261 §18.2.2, RFC
 * 3581): the source address, and the source port when the top Via asks
 * for rport, else the Via's sent-by port (5060 when it has none).
 */
static uint16_t
dp_response_port(const struct sip_msg *msg, uint16_t src_port)
{
	struct sip_hdr_iter it;
	struct sip_via via;
	struct sstr v;

	sip_hdr_iter_init(&it, msg, SIP_HDR_VIA);
	if (!sip_hdr_iter_next(&it, &v) ||
	    sip_via_parse(v.p, sstr_end(v), &via) < 0 || via.has_rport)
		return src_port;
	return via.port ? via.port : 5060;
}

/*
 * Answer a request from here (the domain permit's 403, a malformed
 * request's 400: Via, From, To with a tag, Call-ID and CSeq from the
 * request) and drop it; it never reaches the control plane.
 */
static void
dp_respond(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const struct dp_l4ctx *l4, uint16_t code, struct sstr reason,
		enum dp_ctr why)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	struct dp_route route = { .port = p->role };
	struct netaddr dst = l4->src;
	int n = sip_build_response(w->sip, code, reason, SSTR_LIT("dp403"),
			SSTR_NULL, SSTR_NULL, SSTR_NULL, 0, w->rsp, DP_RSP_MAX);

	memcpy(route.mac, eth->src_addr.addr_bytes, 6);
	dst.port = dp_response_port(w->sip, l4->src.port);
	struct rte_mbuf *r = n > 0 ? dp_build_udp(w->dp, p, &route, &l4->dst,
			&dst, w->rsp, (uint32_t)n) : NULL;

	rte_pktmbuf_free(m);
	if (r == NULL) {
		dp_count(w, p, DP_DROP_TX_FULL, 1);
		return;
	}
	dp_count(w, p, why, 1);
	dp_tx_ip(w, p, r, true);
}

/* What a 400 needs from the request (RFC 3261 §8.2.6.2). */
#define DP_400_NEEDS (SIP_HDR_BIT(SIP_HDR_VIA) | SIP_HDR_BIT(SIP_HDR_FROM) | \
		      SIP_HDR_BIT(SIP_HDR_TO) | SIP_HDR_BIT(SIP_HDR_CALL_ID) | \
		      SIP_HDR_BIT(SIP_HDR_CSEQ))

/*
 * The fast-path parse failed: count the reason; a request whose
 * response-forming headers were read before the fault gets a 400 naming
 * it (RFC 3261 §18.3: a request shorter than its Content-Length SHOULD),
 * anything else is dropped.
 */
static void
dp_malformed(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const struct dp_l4ctx *l4)
{
	const struct sip_msg *msg = w->sip;

	stats_add(w->ctr, (unsigned)(w->dp->sip_err_ctr + (int)msg->err), 1);
	if (msg->kind != SIP_MSG_REQUEST || msg->method == SIP_METHOD_ACK ||
	    (msg->seen & DP_400_NEEDS) != DP_400_NEEDS ||
	    (msg->dup & DP_400_NEEDS & ~SIP_HDR_BIT(SIP_HDR_VIA)))
		return dp_drop(w, p, m, DP_DROP_SIP_MALFORMED);
	dp_respond(w, p, m, l4, 400, sstr_cstr(sip_err_str(msg->err)),
			DP_REJECT_MALFORMED);
}

/*
 * SIP over UDP addressed to the appliance: the fast-path parse, then the
 * domain permit for requests from outside, then the hand-off to the
 * control plane with where it came from and how to answer.
 */
static void
dp_sip(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const char *data, uint32_t len, const struct dp_l4ctx *l4)
{
	if (sip_msg_parse(w->sip, data, data + len, SIP_PARSE_FAST, NULL) <= 0)
		return dp_malformed(w, p, m, l4);
	dp_count(w, p, DP_SIP_RX, 1);
	if (p->role == DP_PORT_OUTSIDE && w->sip->kind == SIP_MSG_REQUEST &&
	    w->sip->method != SIP_METHOD_ACK) {
		enum dp_permit v = dp_permit_check(w->dp, w->sip);

		if (v != DP_PERMIT_PASS)
			return dp_respond(w, p, m, l4, 403, SSTR_NULL,
					v == DP_PERMIT_DENY_IDENTITY ?
					DP_DENY_IDENTITY : DP_DENY_RURI);
	}

	struct dp_meta *meta = dp_meta(m);
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	meta->src = l4->src;
	meta->dst = l4->dst;
	meta->route.port = p->role;
	memcpy(meta->route.mac, eth->src_addr.addr_bytes, 6);
	meta->route.rsvd = 0;
	meta->payload_off = (uint32_t)(data - rte_pktmbuf_mtod(m, char *));
	meta->payload_len = len;
	if (rte_ring_sp_enqueue(w->handoff, m) < 0)
		return dp_drop(w, p, m, DP_DROP_HANDOFF_FULL);
	dp_count(w, p, DP_HANDOFF, 1);
}

static void
dp_udp(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		struct rte_udp_hdr *udp, uint32_t l4_len, bool cksum_ok,
		struct dp_l4ctx *l4)
{
	if (l4_len < sizeof(*udp) ||
	    rte_be_to_cpu_16(udp->dgram_len) != l4_len)
		return dp_drop(w, p, m, DP_DROP_UDP_HEADER);
	if (!cksum_ok)
		return dp_drop(w, p, m, DP_DROP_UDP_CKSUM);
	/* Not SIP: the kernel's sockets, through the exception path. */
	if (rte_be_to_cpu_16(udp->dst_port) != w->dp->sip_port)
		return dp_tap_to_kernel(w, p, m, DP_DROP_UDP_PORT);
	l4->src.port = rte_be_to_cpu_16(udp->src_port);
	l4->dst.port = rte_be_to_cpu_16(udp->dst_port);
	/* Policy step 2, before any parsing: a flood costs a hash and a
	 * bucket. The TSC was read once for the burst. */
	if (!dp_rl_allow(w, &l4->src, w->now))
		return dp_drop(w, p, m, DP_DROP_RATE_LIMIT);
	dp_sip(w, p, m, (const char *)(udp + 1),
			l4_len - (uint32_t)sizeof(*udp), l4);
}

/*
 * The ports of the ACL key: UDP and TCP carry theirs (a datagram too
 * short to hold its header is dropped here, it has no 5-tuple), other
 * protocols 0. Stored in network order, as rte_acl reads its input.
 * @return 0, or -1 when m was dropped.
 */
static int
dp_acl_ports(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		uint8_t proto, const uint8_t *l4, uint32_t l4_len,
		uint16_t *sport, uint16_t *dport)
{
	if (proto == IPPROTO_UDP && l4_len < sizeof(struct rte_udp_hdr)) {
		dp_drop(w, p, m, DP_DROP_UDP_HEADER);
		return -1;
	}
	if (proto == IPPROTO_TCP && l4_len < sizeof(struct rte_tcp_hdr)) {
		dp_drop(w, p, m, DP_DROP_TCP_HEADER);
		return -1;
	}
	if (proto == IPPROTO_UDP || proto == IPPROTO_TCP) {
		memcpy(sport, l4, 2);
		memcpy(dport, l4 + 2, 2);
	} else {
		*sport = *dport = 0;
	}
	return 0;
}

static void
dp_ipv4(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const struct dp_frame *f)
{
	struct rte_ipv4_hdr *ip;
	uint32_t ihl, tot;

	if (f->len < f->l3_off + sizeof(*ip))
		return dp_drop(w, p, m, DP_DROP_L2_SHORT);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, f->l3_off);
	ihl = (uint32_t)(ip->version_ihl & 0x0f) * 4;
	tot = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || ihl < sizeof(*ip) || tot < ihl)
		return dp_drop(w, p, m, DP_DROP_IP_HEADER);
	if (f->len < f->l3_off + tot)
		return dp_drop(w, p, m, DP_DROP_IP_TRUNCATED);
	if (f->len < f->l3_off + ihl)
		return dp_drop(w, p, m, DP_DROP_IP_HEADER);
	/* Summed with its own checksum field, a good header gives 0. */
	if (rte_ipv4_cksum(ip) != 0)
		return dp_drop(w, p, m, DP_DROP_IP_CKSUM);
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
			RTE_IPV4_HDR_OFFSET_MASK)) {
		/* Held or dropped; or whole, and then checked again from the
		 * top as a frame received. */
		m = dp_frag_ipv4(w, p, m, f->l3_off);
		if (m != NULL)
			dp_ipv4(w, p, m, &(struct dp_frame){
				.eth = rte_pktmbuf_mtod(m,
						struct rte_ether_hdr *),
				.l3_off = (uint16_t)m->l2_len,
				.ethertype = RTE_ETHER_TYPE_IPV4,
				.len = rte_pktmbuf_data_len(m) });
		return;
	}
	if (ip->time_to_live == 0)
		return dp_drop(w, p, m, DP_DROP_IP_TTL);
	/* Not ours: from the inside, the ACL may permit it to be
	 * forwarded (PAT, dp_pat.c). */
	bool fwd = p->role == DP_PORT_INSIDE && w->pat != NULL &&
		   p->has_ip4 && ip->dst_addr != p->ip4;

	if (!fwd && (!p->has_ip4 || ip->dst_addr != p->ip4))
		return dp_drop(w, p, m, DP_DROP_IP_NOT_OURS);
	/* Trailing Ethernet padding is not part of the datagram. */
	rte_pktmbuf_trim(m, (uint16_t)(f->len - f->l3_off - tot));
	/* Policy step 0 inside: a static node's replies (dp_pat.c). */
	if (fwd && dp_pat_static_out(w, p, m, ip, (uint8_t *)ip + ihl,
			tot - ihl))
		return;
	/* Policy step 0: return traffic of PAT mappings, then of the
	 * appliance's own flows. */
	if (!fwd && dp_pat_in(w, p, m, ip, (uint8_t *)ip + ihl, tot - ihl))
		return;
	if (!fwd && dp_xflow_input(w, p, m, AF_INET, ip, (uint8_t *)ip + ihl,
			tot - ihl))
		return;
	/* dp_poll() classifies after every burst of at most DP_BURST; a
	 * caller feeding more frames gets the batch classified early. */
	if (unlikely(w->acl.n == DP_BURST))
		dp_input_acl(w, p);

	struct dp_acl_pending *pk = &w->acl.pkt[w->acl.n];
	struct dp_acl_key4 *k = &pk->key.k4;

	pk->l4 = (uint8_t *)ip + ihl;
	pk->l4_len = tot - ihl;
	if (dp_acl_ports(w, p, m, ip->next_proto_id, pk->l4, pk->l4_len,
			&k->sport, &k->dport) < 0)
		return;
	pk->m = m;
	pk->l3 = ip;
	pk->family = AF_INET;
	pk->to_us = !fwd;
	pk->fwd = fwd;
	k->proto = ip->next_proto_id;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	k->src = ip->src_addr;
	k->dst = ip->dst_addr;
	w->acl.n++;
}

/* IPv4 after the ACL permitted it: UDP, ICMP echo, or nothing we serve
 * (TCP waits for the exception path). */
static void
dp_ipv4_l4(struct dp_worker *w, struct dp_port *p,
		const struct dp_acl_pending *pk)
{
	struct rte_mbuf *m = pk->m;
	struct rte_ipv4_hdr *ip = pk->l3;
	void *l4 = pk->l4;
	uint32_t l4_len = pk->l4_len;

	if (ip->next_proto_id == IPPROTO_UDP) {
		struct rte_udp_hdr *udp = l4;
		bool ok = l4_len >= sizeof(*udp) && (udp->dgram_cksum == 0 ||
			rte_ipv4_udptcp_cksum_verify(ip, udp) == 0);
		struct dp_l4ctx ctx = {
			.src = netaddr_make4((const uint8_t *)&ip->src_addr, 0),
			.dst = netaddr_make4((const uint8_t *)&ip->dst_addr, 0),
		};

		return dp_udp(w, p, m, udp, l4_len, ok, &ctx);
	}
	if (ip->next_proto_id == IPPROTO_ICMP) {
		struct rte_icmp_hdr *icmp = l4;

		if (l4_len < sizeof(*icmp) || rte_raw_cksum(icmp, l4_len) !=
						       0xffff)
			return dp_drop(w, p, m, DP_DROP_IP_HEADER);
		if (dp_tap_is_icmp_error(AF_INET, icmp->icmp_type))
			return dp_tap_to_kernel(w, p, m, DP_DROP_ICMP_OTHER);
		if (icmp->icmp_type != RTE_IP_ICMP_ECHO_REQUEST ||
		    icmp->icmp_code != 0)
			return dp_drop(w, p, m, DP_DROP_ICMP_OTHER);
		/* RFC 1624 incremental update: only the type changes. */
		icmp->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
		uint32_t sum = (uint32_t)(~rte_be_to_cpu_16(icmp->icmp_cksum) &
					  0xffff) + 0xffff - 0x0800;

		sum = (sum & 0xffff) + (sum >> 16);
		sum = (sum & 0xffff) + (sum >> 16);
		icmp->icmp_cksum = rte_cpu_to_be_16((uint16_t)~sum);
		ip->dst_addr = ip->src_addr;
		ip->src_addr = p->ip4;
		ip->time_to_live = 64;
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		return dp_reply(w, p, m, DP_ICMP_ECHO_REPLIES);
	}
	if (ip->next_proto_id == IPPROTO_TCP)
		return dp_tap_to_kernel(w, p, m, DP_DROP_IP_PROTO);
	dp_drop(w, p, m, DP_DROP_IP_PROTO);
}

/* ICMPv6 checksum over the pseudo-header and the message (RFC 4443). */
static uint16_t
dp_icmp6_cksum(const struct rte_ipv6_hdr *ip6, const void *l4)
{
	return rte_ipv6_udptcp_cksum(ip6, l4);
}

/* The link-layer address option of type `type` in an NS or NA (RFC 4861
 * §4.6.1: options follow the 24-byte message; length in units of 8). */
static const uint8_t *
dp_nd_option(const uint8_t *icmp, uint32_t len, uint8_t type)
{
	for (uint32_t off = 24; off + 8 <= len;) {
		uint32_t olen = (uint32_t)icmp[off + 1] * 8;

		if (olen == 0 || off + olen > len)
			return NULL;
		if (icmp[off] == type)
			return icmp + off + 2;
		off += olen;
	}
	return NULL;
}

/* A neighbour advertisement to us: learn its target (RFC 4861 §7.2.5). */
static void
dp_na(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const struct rte_ipv6_hdr *ip6, const uint8_t *icmp,
		uint32_t l4_len)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

	if (l4_len < 24 || ip6->hop_limits != 255 || icmp[1] != 0)
		return dp_drop(w, p, m, DP_DROP_ICMP_OTHER);
	const uint8_t *tll = dp_nd_option(icmp, l4_len, DP_ND_OPT_TGT_LLADDR);

	/* Without the option the answer came from the target itself. */
	dp_neigh_learn(w, p, AF_INET6, icmp + 8,
			tll ? tll : eth->src_addr.addr_bytes);
	dp_drop(w, p, m, DP_ND_LEARNED);
}

/* Neighbour solicitation for our address: advertise (RFC 4861 §7.2.4). */
static void
dp_nd(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		struct rte_ipv6_hdr *ip6, uint8_t *icmp, uint32_t l4_len)
{
	/* type, code, cksum, reserved(4), target(16) [, options] */
	if (l4_len < 24 || ip6->hop_limits != 255 || icmp[1] != 0)
		return dp_drop(w, p, m, DP_DROP_ICMP_OTHER);
	if (memcmp(icmp + 8, p->ip6, 16) != 0)
		return dp_drop(w, p, m, DP_DROP_IP_NOT_OURS);
	/* A solicitation from the unspecified address (DAD) gets no reply
	 * to it: we run no DAD of our own and stay silent. */
	static const uint8_t unspec[16];

	if (memcmp(ip6->src_addr, unspec, 16) == 0)
		return dp_drop(w, p, m, DP_DROP_ICMP_OTHER);
	/* The asker's link-layer address, when it says it (§7.2.3). */
	const uint8_t *sll = dp_nd_option(icmp, l4_len, DP_ND_OPT_SRC_LLADDR);

	if (sll != NULL)
		dp_neigh_learn(w, p, AF_INET6, ip6->src_addr, sll);
	/* Reply: NA, solicited + override, target link-layer option. */
	uint32_t na_len = 32;

	if (rte_pktmbuf_data_len(m) <
	    (uint32_t)((uint8_t *)icmp - rte_pktmbuf_mtod(m, uint8_t *)) +
		    na_len &&
	    rte_pktmbuf_append(m, (uint16_t)(na_len - l4_len)) == NULL)
		return dp_drop(w, p, m, DP_DROP_L2_SHORT);
	icmp[0] = DP_ICMP6_NA;
	icmp[1] = 0;
	icmp[4] = 0x60; /* S and O flags */
	icmp[5] = icmp[6] = icmp[7] = 0;
	icmp[24] = DP_ND_OPT_TGT_LLADDR;
	icmp[25] = 1; /* 8 bytes */
	memcpy(icmp + 26, p->mac.addr_bytes, 6);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_data_len(m) -
			((icmp - rte_pktmbuf_mtod(m, uint8_t *)) + na_len)));
	memcpy(ip6->dst_addr, ip6->src_addr, 16);
	memcpy(ip6->src_addr, p->ip6, 16);
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)na_len);
	ip6->hop_limits = 255;
	icmp[2] = icmp[3] = 0;
	uint16_t ck = dp_icmp6_cksum(ip6, icmp);

	memcpy(icmp + 2, &ck, 2);
	dp_reply(w, p, m, DP_ND_REPLIES);
}

static void
dp_ipv6(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		const struct dp_frame *f)
{
	struct rte_ipv6_hdr *ip6;
	uint32_t plen;

	if (f->len < f->l3_off + sizeof(*ip6))
		return dp_drop(w, p, m, DP_DROP_L2_SHORT);
	ip6 = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, f->l3_off);
	if ((rte_be_to_cpu_32(ip6->vtc_flow) >> 28) != 6)
		return dp_drop(w, p, m, DP_DROP_IP_HEADER);
	plen = rte_be_to_cpu_16(ip6->payload_len);
	if (f->len < f->l3_off + sizeof(*ip6) + plen)
		return dp_drop(w, p, m, DP_DROP_IP_TRUNCATED);
	if (ip6->hop_limits == 0)
		return dp_drop(w, p, m, DP_DROP_IP_TTL);
	if (!p->has_ip6)
		return dp_drop(w, p, m, DP_DROP_IP_NOT_OURS);
	if (ip6->proto == IPPROTO_FRAGMENT) {
		/* As for IPv4: whole datagrams start over. */
		m = dp_frag_ipv6(w, p, m, f->l3_off);
		if (m != NULL)
			dp_ipv6(w, p, m, &(struct dp_frame){
				.eth = rte_pktmbuf_mtod(m,
						struct rte_ether_hdr *),
				.l3_off = (uint16_t)m->l2_len,
				.ethertype = RTE_ETHER_TYPE_IPV6,
				.len = rte_pktmbuf_data_len(m) });
		return;
	}

	/* Ours: our address, or our solicited-node group (where neighbour
	 * solicitations come; the ACL judges them like the rest). */
	bool to_us = memcmp(ip6->dst_addr, p->ip6, 16) == 0;

	if (!to_us && memcmp(ip6->dst_addr, p->ip6_sn, 16) != 0)
		return dp_drop(w, p, m, DP_DROP_IP_NOT_OURS);
	rte_pktmbuf_trim(m, (uint16_t)(f->len - f->l3_off - sizeof(*ip6) -
				       plen));
	/* Policy step 0: return traffic of the appliance's own flows. */
	if (to_us && dp_xflow_input(w, p, m, AF_INET6, ip6,
			(uint8_t *)(ip6 + 1), plen))
		return;
	/* dp_poll() classifies after every burst of at most DP_BURST; a
	 * caller feeding more frames gets the batch classified early. */
	if (unlikely(w->acl.n == DP_BURST))
		dp_input_acl(w, p);

	struct dp_acl_pending *pk = &w->acl.pkt[w->acl.n];
	struct dp_acl_key6 *k = &pk->key.k6;

	pk->l4 = (uint8_t *)(ip6 + 1);
	pk->l4_len = plen;
	if (dp_acl_ports(w, p, m, ip6->proto, pk->l4, plen, &k->sport,
			&k->dport) < 0)
		return;
	pk->m = m;
	pk->l3 = ip6;
	pk->family = AF_INET6;
	pk->to_us = to_us;
	pk->fwd = false;
	k->proto = ip6->proto;
	k->pad[0] = k->pad[1] = k->pad[2] = 0;
	memcpy(k->src, ip6->src_addr, 16);
	memcpy(k->dst, ip6->dst_addr, 16);
	w->acl.n++;
}

/* IPv6 after the ACL permitted it: ND, echo, UDP. */
static void
dp_ipv6_l4(struct dp_worker *w, struct dp_port *p,
		const struct dp_acl_pending *pk)
{
	struct rte_mbuf *m = pk->m;
	struct rte_ipv6_hdr *ip6 = pk->l3;
	uint8_t *l4 = pk->l4;
	uint32_t plen = pk->l4_len;

	if (ip6->proto == IPPROTO_ICMPV6) {
		if (plen < 4 || rte_ipv6_udptcp_cksum_verify(ip6, l4) != 0)
			return dp_drop(w, p, m, DP_DROP_IP_HEADER);
		if (l4[0] == DP_ICMP6_NS)
			return dp_nd(w, p, m, ip6, l4, plen);
		if (!pk->to_us)
			return dp_drop(w, p, m, DP_DROP_IP_NOT_OURS);
		if (l4[0] == DP_ICMP6_NA)
			return dp_na(w, p, m, ip6, l4, plen);
		if (dp_tap_is_icmp_error(AF_INET6, l4[0]))
			return dp_tap_to_kernel(w, p, m, DP_DROP_ICMP_OTHER);
		if (l4[0] != DP_ICMP6_ECHO_REQUEST || l4[1] != 0)
			return dp_drop(w, p, m, DP_DROP_ICMP_OTHER);
		l4[0] = DP_ICMP6_ECHO_REPLY;
		memcpy(ip6->dst_addr, ip6->src_addr, 16);
		memcpy(ip6->src_addr, p->ip6, 16);
		ip6->hop_limits = 64;
		l4[2] = l4[3] = 0;
		uint16_t ck = dp_icmp6_cksum(ip6, l4);

		memcpy(l4 + 2, &ck, 2);
		return dp_reply(w, p, m, DP_ICMP6_ECHO_REPLIES);
	}
	if (!pk->to_us)
		return dp_drop(w, p, m, DP_DROP_IP_NOT_OURS);
	if (ip6->proto == IPPROTO_UDP) {
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)l4;
		/* A zero UDP checksum is not allowed over IPv6 (RFC 8200). */
		bool ok = plen >= sizeof(*udp) &&
			  rte_ipv6_udptcp_cksum_verify(ip6, udp) == 0 &&
			  udp->dgram_cksum != 0;
		struct dp_l4ctx ctx = {
			.src = netaddr_make6(ip6->src_addr, 0),
			.dst = netaddr_make6(ip6->dst_addr, 0),
		};

		return dp_udp(w, p, m, udp, plen, ok, &ctx);
	}
	if (ip6->proto == IPPROTO_TCP)
		return dp_tap_to_kernel(w, p, m, DP_DROP_IP_PROTO);
	dp_drop(w, p, m, DP_DROP_IP_PROTO);
}

void
dp_input_acl(struct dp_worker *w, struct dp_port *p)
{
	struct dp_acl_batch *b = &w->acl;
	/* Read once per burst: the pointer RCU reloads will swap. */
	const struct dp_acl *acl = rcu_dereference(w->dp->acl);
	const struct dp_acl_port *ap = &acl->port[p->role];
	uint32_t res[DP_BURST];

	if (b->n == 0)
		return;
	dp_acl_classify(ap, b, res);
	for (unsigned i = 0; i < b->n; i++) {
		const struct dp_acl_pending *pk = &b->pkt[i];

		if (res[i] == 0) {
			dp_drop(w, p, pk->m, DP_DROP_ACL_DEFAULT);
			continue;
		}
		const struct dp_acl_slot *s = &ap->slot[res[i] - 1];

		if (s->action != DP_ACL_PERMIT) {
			stats_add(w->ctr, s->ctr + 1, 1);
			rte_pktmbuf_free(pk->m);
			continue;
		}
		stats_add(w->ctr, s->ctr, 1);
		/* Policy step 2 onwards. */
		if (pk->fwd)
			dp_pat_out(w, p, pk->m);
		else if (pk->family == AF_INET &&
			 dp_pat_static_in(w, p, pk->m, pk->l3, pk->l4,
				 pk->l4_len))
			continue;
		else if (pk->family == AF_INET)
			dp_ipv4_l4(w, p, pk);
		else
			dp_ipv6_l4(w, p, pk);
	}
	b->n = 0;
}

void
dp_input(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m)
{
	struct dp_frame f;

	f.len = rte_pktmbuf_data_len(m);
	if (f.len < sizeof(struct rte_ether_hdr))
		return dp_drop(w, p, m, DP_DROP_L2_SHORT);
	f.eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	f.l3_off = sizeof(struct rte_ether_hdr);
	f.ethertype = rte_be_to_cpu_16(f.eth->ether_type);
	if (f.ethertype == RTE_ETHER_TYPE_VLAN) {
		struct rte_vlan_hdr *vh;

		if (f.len < f.l3_off + sizeof(*vh))
			return dp_drop(w, p, m, DP_DROP_L2_SHORT);
		vh = rte_pktmbuf_mtod_offset(m, struct rte_vlan_hdr *,
				f.l3_off);
		f.ethertype = rte_be_to_cpu_16(vh->eth_proto);
		f.l3_off += sizeof(*vh);
	}
	/* Ours, broadcast, or the solicited-node group of our IPv6. */
	const uint8_t *dst = f.eth->dst_addr.addr_bytes;

	if (!rte_is_same_ether_addr(&f.eth->dst_addr, &p->mac) &&
	    !rte_is_broadcast_ether_addr(&f.eth->dst_addr) &&
	    !(p->has_ip6 && memcmp(dst, p->ip6_sn_mac, 6) == 0))
		return dp_drop(w, p, m, DP_DROP_L2_OTHER_MAC);
	switch (f.ethertype) {
	case RTE_ETHER_TYPE_ARP:
		return dp_arp(w, p, m, &f);
	case RTE_ETHER_TYPE_IPV4:
		return dp_ipv4(w, p, m, &f);
	case RTE_ETHER_TYPE_IPV6:
		return dp_ipv6(w, p, m, &f);
	default:
		return dp_drop(w, p, m, DP_DROP_L2_ETHERTYPE);
	}
}
