/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dataplane counters: one list, registered once per port ("dp_outside_*",
 * "dp_inside_*"), one shard per worker. Every frame received is counted
 * once in RX_FRAMES and ends in exactly one of: a reply or forward sent,
 * a hand-off, or one drop reason. An ACL rule's deny is counted in the
 * rule's own block (dp_acl.c: "dp_outside_acl_ruleN_deny"), not here.
 * A fragment held for reassembly ends in FRAG_HELD (queued); the one that
 * completes its datagram carries it on to the datagram's outcome; held
 * fragments that never make a datagram are counted again by the reason
 * they were freed for (drop_frag_timeout...), as held frames of
 * NEIGH_HELD are. Fragment drops count frames, not datagrams.
 */
#ifndef SIPEDGE_DP_COUNTERS_H
#define SIPEDGE_DP_COUNTERS_H

#include "platform/stats/stats.h"

#define DP_CTR_LIST(_)                                                     \
	_(DP_RX_FRAMES, "rx_frames", "frames received")                       \
	_(DP_TX_FRAMES, "tx_frames", "frames sent")                           \
	_(DP_ARP_REPLIES, "arp_replies", "ARP requests for our address answered") \
	_(DP_ND_REPLIES, "nd_replies", "neighbour solicitations answered")    \
	_(DP_ICMP_ECHO_REPLIES, "icmp_echo_replies", "ICMP echo requests answered") \
	_(DP_ICMP6_ECHO_REPLIES, "icmp6_echo_replies", "ICMPv6 echo requests answered") \
	_(DP_SIP_RX, "sip_rx", "SIP over UDP received (well-formed)")         \
	_(DP_HANDOFF, "handoff", "SIP handed to the control plane")           \
	_(DP_DENY_IDENTITY, "deny_identity", "403 sent: the requester's domain is not permitted") \
	_(DP_DENY_RURI, "deny_ruri", "403 sent: the Request-URI is not a local domain") \
	_(DP_CTL_TX, "ctl_tx", "datagrams the control plane sent")             \
	_(DP_DROP_HANDOFF_FULL, "drop_handoff_full", "dropped: hand-off ring to the control plane full") \
	_(DP_DROP_TX_FULL, "drop_tx_full", "dropped: TX queue full")          \
	_(DP_DROP_L2_SHORT, "drop_l2_short", "dropped: frame shorter than its headers") \
	_(DP_DROP_L2_OTHER_MAC, "drop_l2_other_mac", "dropped: unicast to another MAC") \
	_(DP_DROP_L2_ETHERTYPE, "drop_l2_ethertype", "dropped: EtherType not handled") \
	_(DP_DROP_ARP_OTHER, "drop_arp_other", "dropped: ARP not asking for our address") \
	_(DP_DROP_IP_HEADER, "drop_ip_header", "dropped: malformed IP header") \
	_(DP_DROP_IP_CKSUM, "drop_ip_cksum", "dropped: bad IPv4 header checksum") \
	_(DP_DROP_IP_TRUNCATED, "drop_ip_truncated", "dropped: frame shorter than its IP length") \
	_(DP_DROP_IP_TTL, "drop_ip_ttl", "dropped: TTL or hop limit exhausted") \
	_(DP_DROP_FRAG_MALFORMED, "drop_frag_malformed", "dropped: IP fragment with no data, not the last and not a multiple of 8 bytes, or an IPv6 fragment header behind another") \
	_(DP_DROP_IP_NOT_OURS, "drop_ip_not_ours", "dropped: not for the appliance and not to be forwarded (only IPv4 from the inside is, PAT)") \
	_(DP_DROP_IP_PROTO, "drop_ip_proto", "dropped: IP protocol not handled") \
	_(DP_DROP_TCP_HEADER, "drop_tcp_header", "dropped: TCP shorter than its header") \
	_(DP_DROP_ACL_DEFAULT, "drop_acl_default", "dropped: no ACL rule matched (default deny)") \
	_(DP_DROP_ICMP_OTHER, "drop_icmp_other", "dropped: ICMP other than echo or ND") \
	_(DP_DROP_UDP_HEADER, "drop_udp_header", "dropped: malformed UDP header") \
	_(DP_DROP_UDP_CKSUM, "drop_udp_cksum", "dropped: bad UDP checksum")   \
	_(DP_DROP_UDP_PORT, "drop_udp_port", "dropped: UDP to a port with no service") \
	_(DP_DROP_RATE_LIMIT, "drop_rate_limit", "dropped: source over its rate limit") \
	_(DP_DROP_SIP_MALFORMED, "drop_sip_malformed", "dropped: malformed SIP, no response formable (reason in dp_sip_malformed_*)") \
	_(DP_DROP_CTL_TX, "drop_ctl_tx", "control-plane sends refused: no mbuf or TX ring full") \
	_(DP_ARP_LEARNED, "arp_learned", "ARP replies to the appliance (their sender learned)") \
	_(DP_ND_LEARNED, "nd_learned", "neighbour advertisements to the appliance (their target learned)") \
	_(DP_NEIGH_ASKED, "neigh_asked", "ARP requests and neighbour solicitations sent") \
	_(DP_NEIGH_HELD, "neigh_held", "frames held for a next hop being resolved") \
	_(DP_DROP_NEIGH_REPLACED, "drop_neigh_replaced", "dropped: a held frame replaced by a newer one") \
	_(DP_DROP_NEIGH_UNRESOLVED, "drop_neigh_unresolved", "dropped: the next hop did not answer") \
	_(DP_DROP_NO_ROUTE, "drop_no_route", "dropped: no port reaches the destination") \
	_(DP_REJECT_MALFORMED, "reject_malformed", "400 sent: a malformed request (reason in dp_sip_malformed_*)") \
	_(DP_FRAG_HELD, "frag_held", "IP fragments held for reassembly") \
	_(DP_FRAG_REASSEMBLED, "frag_reassembled", "IP datagrams reassembled (they go on as if received whole)") \
	_(DP_DROP_FRAG_TINY, "drop_frag_tiny", "dropped: first fragment without its whole L4 header, or a later one inside it (RFC 1858)") \
	_(DP_DROP_FRAG_PAST_MAX, "drop_frag_past_max", "dropped: fragment ending past 65,535 bytes") \
	_(DP_DROP_FRAG_OVERLAP, "drop_frag_overlap", "dropped: fragments of a datagram that overlap, repeat or number more than 8 (all of them)") \
	_(DP_DROP_FRAG_TOO_BIG, "drop_frag_too_big", "dropped: fragments of a datagram larger than an mbuf once whole") \
	_(DP_DROP_FRAG_TABLE_FULL, "drop_frag_table_full", "dropped: fragment of a new datagram, reassembly table full") \
	_(DP_DROP_FRAG_MBUF_CAP, "drop_frag_mbuf_cap", "dropped: fragments over the reassembly mbuf cap (oldest datagrams first)") \
	_(DP_DROP_FRAG_TIMEOUT, "drop_frag_timeout", "dropped: fragments of a datagram not complete in time") \
	_(DP_FRAG_TX_DATAGRAMS, "frag_tx_datagrams", "IP datagrams larger than the MTU sent in fragments") \
	_(DP_FRAG_TX_FRAGMENTS, "frag_tx_fragments", "fragments sent (each also in tx_frames)") \
	_(DP_DROP_FRAG_DF, "drop_frag_df", "dropped: IPv4 larger than the MTU with DF set") \
	_(DP_DROP_FRAG_IPV6_FORWARD, "drop_frag_ipv6_forward", "dropped: forwarded IPv6 larger than the MTU (IPv6 routers do not fragment)") \
	_(DP_DROP_FRAG_NO_MBUF, "drop_frag_no_mbuf", "dropped: no mbufs to fragment a datagram or copy a reassembled one into") \
	_(DP_DROP_FRAG_OUT_INVALID, "drop_frag_out_invalid", "dropped: a datagram to fragment with a bad IP header") \
	_(DP_TAP_TX, "tap_tx", "datagrams for the appliance's kernel sockets written to its TAP") \
	_(DP_TAP_RX, "tap_rx", "frames the kernel sent on the TAP (each ends in one tap_* or drop_tap_* below)") \
	_(DP_TAP_OUT, "tap_out", "datagrams from the kernel sent on to the wire") \
	_(DP_TAP_ARP_REPLIES, "tap_arp_replies", "the kernel's ARP requests on the TAP answered") \
	_(DP_TAP_ND_REPLIES, "tap_nd_replies", "the kernel's neighbour solicitations on the TAP answered") \
	_(DP_XFLOW_NEW, "xflow_new", "sessions opened: the kernel's own TCP and UDP flows") \
	_(DP_XFLOW_HIT, "xflow_hit", "datagrams admitted before the ACL as return traffic of a session") \
	_(DP_XFLOW_FULL, "xflow_full", "kernel flows left without a session: no free slot") \
	_(DP_DROP_TAP_FULL, "drop_tap_full", "dropped: the TAP did not take the frame") \
	_(DP_DROP_TAP_NOT_OURS, "drop_tap_not_ours", "dropped: the kernel sent a datagram not from the port's address") \
	_(DP_DROP_TAP_LOCAL, "drop_tap_local", "dropped: the kernel's link-local traffic (router solicitations, MLD, gratuitous ARP, multicast, broadcast)") \
	_(DP_DROP_TAP_MALFORMED, "drop_tap_malformed", "dropped: a frame from the kernel shorter than its headers, or neither IP nor ARP") \
	_(DP_PAT_OUT, "pat_out", "datagrams of inside nodes translated and sent on outside") \
	_(DP_PAT_IN, "pat_in", "return datagrams translated back and sent on inside") \
	_(DP_PAT_NEW, "pat_new", "PAT mappings opened") \
	_(DP_PAT_EXPIRED, "pat_expired", "PAT mappings aged out") \
	_(DP_PAT_HANDOFF, "pat_handoff", "datagrams passed to the worker owning their mapping") \
	_(DP_PAT_IN_MISS, "pat_in_miss", "datagrams to the PAT range matching no live mapping (on to the ACL)") \
	_(DP_DROP_PAT_FULL, "drop_pat_full", "dropped: no free PAT port or table slot") \
	_(DP_DROP_PAT_RING_FULL, "drop_pat_ring_full", "dropped: the owning worker's PAT ring full") \
	_(DP_DROP_PAT_PROTO, "drop_pat_proto", "dropped: forwarding permitted for a datagram neither UDP nor TCP, or not leaving by the outside port") \
	_(DP_PAT_ALG, "pat_alg", "SIP messages the PAT's ALG rewrote") \
	_(DP_DROP_PAT_ALG, "drop_pat_alg", "dropped: SIP through the PAT that could not be parsed or rewritten") \
	_(DP_PAT_STATIC_IN, "pat_static_in", "datagrams to a static PAT port sent on to an inside node") \
	_(DP_PAT_STATIC_OUT, "pat_static_out", "a static node's datagrams sent out from the static's port") \
	_(DP_DROP_PAT_NO_SESSION, "drop_pat_no_session", "dropped: from a static node's port with no mapping")

/** Counter ids within a port's block. */
enum dp_ctr { STATS_ENUM(DP_CTR_LIST) DP_CTR__COUNT };

#endif
