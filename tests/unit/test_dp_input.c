/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's first stages, in process: two ports on DPDK's net_ring
 * PMD (rte_eth_from_rings() names them net_ring_NAME), frames put on
 * their RX rings, one dp_poll(), replies taken from the TX rings and
 * counters read from the stats registry.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dataplane/dp.h"

#define OUT_MAC "02:5e:00:00:01:01"
static const uint8_t out_mac[6] = { 0x02, 0x5e, 0, 0, 1, 1 };
static const uint8_t peer_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t our_ip[4] = { 198, 51, 100, 1 };
static const uint8_t peer_ip[4] = { 198, 51, 100, 10 };
static const uint8_t our_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
				     0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t peer_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
				      0, 0, 0, 0, 0, 0, 0, 0x10 };

static struct dp *dp;
static struct stats_reg *reg;
static struct rte_mempool *pool;
static struct rte_ring *rx[2], *tx[2];

/*
 * The tests' ACL, installed by the config at dp_create(): SIP over UDP
 * and ICMP / ICMPv6 (echo, ND) on the outside port, SIP on the inside;
 * everything else meets the default deny. ACL tests install their own
 * rules with set_acl() and put these back with restore_acl().
 */
static struct dp_acl_rule_cfg base_acl[] = {
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .dport = "5060", .name = "sip" },
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_ICMP },
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_ICMP6 },
	{ .port = DP_PORT_INSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .dport = "5060" },
};
#define BASE_ACL_N (sizeof(base_acl) / sizeof(base_acl[0]))

static int
setup(void **state)
{
	(void)state;
	static char *eal_args[] = { "--no-huge", "-m", "256", "--no-pci",
				    "--no-telemetry", "--log-level=error" };
	char prefix[64], err[256];
	struct dp_cfg cfg = {
		.eal_args = eal_args,
		.eal_args_count = 6,
		.file_prefix = prefix,
		.workers = 1,
		.poll = DP_POLL_ADAPTIVE,
		.mbufs = 1023,
		.mbuf_data_room = 2048,
		.sip_port = 5060,
		.acl = base_acl,
		.acl_count = BASE_ACL_N,
		.ports = {
			.outside = { .device = "net_ring_ring_out", .mac = OUT_MAC,
				     .ipv4 = "198.51.100.1/24",
				     .ipv6 = "2001:db8:0:1::1/64",
				     .gateway4 = "198.51.100.254" },
			.inside = { .device = "net_ring_ring_in",
				    .mac = "02:5e:00:00:02:01",
				    .ipv4 = "192.0.2.1/24" },
		},
	};

	/* Every DPDK process needs its own prefix (tests run in parallel). */
	snprintf(prefix, sizeof(prefix), "test_dp_input_%d", (int)getpid());
	if (dp_eal_init(&cfg, "test_dp_input", NULL, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "EAL: %s\n", err);
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		char n[32];

		snprintf(n, sizeof(n), "rx%d", i);
		rx[i] = rte_ring_create(n, 256, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(n, sizeof(n), "tx%d", i);
		tx[i] = rte_ring_create(n, 256, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rte_eth_from_rings(i ? "ring_in" : "ring_out", &rx[i], 1,
				&tx[i], 1, SOCKET_ID_ANY) < 0)
			return -1;
	}
	/* Frames handed off carry metadata in the mbuf's private area, as
	 * the dataplane's own pool provides: give the test's pool one. */
	pool = rte_pktmbuf_pool_create("test_pool", 511, 0, 64,
			2048 + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	reg = stats_reg_create(4, 512);
	dp = dp_create(&cfg, "test_dp_input", NULL, 0, reg, err, sizeof(err));
	if (dp == NULL) {
		fprintf(stderr, "dp_create: %s\n", err);
		return -1;
	}
	/* The lab's policy: example.com is local, partner.example and its
	 * subdomains may federate. */
	static const char *const local[] = { "example.com" };
	static const struct dp_domain permitted[] = {
		{ "Partner.Example.", true },
	};

	if (dp_set_domains(dp, local, 1, permitted, 1) < 0)
		return -1;
	return pool && reg ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	dp_destroy(dp);
	stats_reg_destroy(reg);
	return 0;
}

static uint64_t
ctr(const char *name)
{
	uint64_t v = 0;
	int id = stats_find(reg, name);

	assert_true(id >= 0);
	assert_int_equal(stats_read(reg, (unsigned)id, &v), 0);
	return v;
}

/* Put a frame on the outside port, poll, return the reply or NULL. */
static struct rte_mbuf *
exchange(const void *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool), *out = NULL;

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), frame, len);
	assert_int_equal(rte_ring_enqueue(rx[0], m), 0);
	assert_int_equal(dp_poll(dp, 0), 1);
	if (rte_ring_dequeue(tx[0], (void **)&out) < 0)
		return NULL;
	return out;
}

static size_t
eth(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)f;

	memcpy(e->dst_addr.addr_bytes, dst, 6);
	memcpy(e->src_addr.addr_bytes, peer_mac, 6);
	e->ether_type = rte_cpu_to_be_16(type);
	return sizeof(*e);
}

static size_t
ipv4(uint8_t *f, uint8_t proto, size_t l4_len)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)f;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4_len));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	memcpy(&ip->src_addr, peer_ip, 4);
	memcpy(&ip->dst_addr, our_ip, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	return sizeof(*ip);
}

static size_t
ipv6(uint8_t *f, const uint8_t *dst, uint8_t proto, size_t plen,
		uint8_t hops)
{
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)f;

	memset(ip, 0, sizeof(*ip));
	ip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip->payload_len = rte_cpu_to_be_16((uint16_t)plen);
	ip->proto = proto;
	ip->hop_limits = hops;
	memcpy(ip->src_addr, peer_ip6, 16);
	memcpy(ip->dst_addr, dst, 16);
	return sizeof(*ip);
}

static size_t
arp_request(uint8_t *f, const uint8_t tip[4])
{
	size_t n = eth(f, (const uint8_t[6]){ 0xff, 0xff, 0xff, 0xff, 0xff,
					      0xff }, RTE_ETHER_TYPE_ARP);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(f + n);

	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	memcpy(a->arp_data.arp_sha.addr_bytes, peer_mac, 6);
	memcpy(&a->arp_data.arp_sip, peer_ip, 4);
	memset(a->arp_data.arp_tha.addr_bytes, 0, 6);
	memcpy(&a->arp_data.arp_tip, tip, 4);
	return n + sizeof(*a);
}

static void
test_arp_request_for_our_address_is_answered(void **state)
{
	(void)state;
	uint8_t f[128];
	size_t n = arp_request(f, our_ip);
	uint64_t before = ctr("dp_outside_arp_replies");
	struct rte_mbuf *r = exchange(f, n);

	assert_non_null(r);
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(r, struct rte_ether_hdr *);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(e + 1);

	assert_memory_equal(e->dst_addr.addr_bytes, peer_mac, 6);
	assert_memory_equal(e->src_addr.addr_bytes, out_mac, 6);
	assert_int_equal(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REPLY);
	assert_memory_equal(a->arp_data.arp_sha.addr_bytes, out_mac, 6);
	assert_memory_equal(&a->arp_data.arp_sip, our_ip, 4);
	assert_memory_equal(&a->arp_data.arp_tip, peer_ip, 4);
	assert_int_equal(ctr("dp_outside_arp_replies"), before + 1);
	rte_pktmbuf_free(r);
}

static void
test_arp_request_for_another_address_is_dropped(void **state)
{
	(void)state;
	uint8_t f[128];
	size_t n = arp_request(f, (const uint8_t[4]){ 198, 51, 100, 77 });
	uint64_t before = ctr("dp_outside_drop_arp_other");

	assert_null(exchange(f, n));
	assert_int_equal(ctr("dp_outside_drop_arp_other"), before + 1);
}

static void
test_icmp_echo_is_answered(void **state)
{
	(void)state;
	uint8_t f[256];
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_IPV4);
	size_t l4 = sizeof(struct rte_icmp_hdr) + 8;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + n);

	n += ipv4(f + n, IPPROTO_ICMP, l4);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(f + n);

	memset(ic, 0, l4);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_ident = rte_cpu_to_be_16(7);
	memcpy(ic + 1, "pingdata", 8);
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, l4);
	(void)ip;
	struct rte_mbuf *r = exchange(f, n + l4);

	assert_non_null(r);
	struct rte_ipv4_hdr *rip = rte_pktmbuf_mtod_offset(r,
			struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	struct rte_icmp_hdr *ric = (struct rte_icmp_hdr *)(rip + 1);

	assert_int_equal(ric->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(rte_raw_cksum(ric, l4), 0xffff);
	assert_int_equal(rte_ipv4_cksum(rip), 0);
	assert_memory_equal(&rip->dst_addr, peer_ip, 4);
	assert_memory_equal(&rip->src_addr, our_ip, 4);
	assert_memory_equal(ric + 1, "pingdata", 8);
	rte_pktmbuf_free(r);
}

static void
test_bad_ipv4_checksum_is_dropped(void **state)
{
	(void)state;
	uint8_t f[256];
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + n);

	n += ipv4(f + n, IPPROTO_UDP, 8);
	memset(f + n, 0, 8);
	ip->hdr_checksum ^= 0x0101;
	uint64_t before = ctr("dp_outside_drop_ip_cksum");

	assert_null(exchange(f, n + 8));
	assert_int_equal(ctr("dp_outside_drop_ip_cksum"), before + 1);
}

static void
test_frame_shorter_than_ip_length_is_dropped(void **state)
{
	(void)state;
	uint8_t f[256];
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_IPV4);

	n += ipv4(f + n, IPPROTO_UDP, 100);
	memset(f + n, 0, 20);
	uint64_t before = ctr("dp_outside_drop_ip_truncated");

	assert_null(exchange(f, n + 20));
	assert_int_equal(ctr("dp_outside_drop_ip_truncated"), before + 1);
}

static void
test_bogus_ihl_is_dropped(void **state)
{
	(void)state;
	uint8_t f[256];
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + n);

	n += ipv4(f + n, IPPROTO_UDP, 8);
	ip->version_ihl = 0x43;
	uint64_t before = ctr("dp_outside_drop_ip_header");

	assert_null(exchange(f, n + 8));
	assert_int_equal(ctr("dp_outside_drop_ip_header"), before + 1);
}

static void
test_unicast_to_another_mac_is_dropped(void **state)
{
	(void)state;
	uint8_t f[256];
	size_t n = eth(f, peer_mac, RTE_ETHER_TYPE_IPV4);

	n += ipv4(f + n, IPPROTO_UDP, 8);
	uint64_t before = ctr("dp_outside_drop_l2_other_mac");

	assert_null(exchange(f, n + 8));
	assert_int_equal(ctr("dp_outside_drop_l2_other_mac"), before + 1);
}

static void
test_runt_frame_is_dropped(void **state)
{
	(void)state;
	uint8_t f[8] = { 0 };
	uint64_t before = ctr("dp_outside_drop_l2_short");

	assert_null(exchange(f, sizeof(f)));
	assert_int_equal(ctr("dp_outside_drop_l2_short"), before + 1);
}

/* A UDP datagram to us on port dport carrying text; checksum filled. */
static size_t
udp4(uint8_t *f, uint16_t dport, const char *text, bool good_cksum)
{
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_IPV4);
	size_t tl = strlen(text), l4 = sizeof(struct rte_udp_hdr) + tl;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + n);

	n += ipv4(f + n, IPPROTO_UDP, l4);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(f + n);

	u->src_port = rte_cpu_to_be_16(5060);
	u->dst_port = rte_cpu_to_be_16(dport);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)l4);
	u->dgram_cksum = 0;
	memcpy(u + 1, text, tl);
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	if (!good_cksum)
		u->dgram_cksum ^= 0x00ff;
	return n + l4;
}

#define OPTIONS_MSG                                                        \
	"OPTIONS sip:198.51.100.1 SIP/2.0\r\n"                             \
	"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bKo1\r\n"         \
	"Max-Forwards: 70\r\n"                                             \
	"From: <sip:ping@partner.example>;tag=1\r\n"                       \
	"To: <sip:198.51.100.1>\r\n"                                       \
	"Call-ID: o1@198.51.100.10\r\n"                                    \
	"CSeq: 1 OPTIONS\r\n"                                              \
	"Content-Length: 0\r\n\r\n"

static void
test_sip_is_handed_off_with_its_addresses(void **state)
{
	(void)state;
	uint8_t f[1024];
	size_t n = udp4(f, 5060, OPTIONS_MSG, true);
	uint64_t before = ctr("dp_outside_handoff");
	struct dp_msg msg;

	assert_null(exchange(f, n));
	assert_int_equal(ctr("dp_outside_handoff"), before + 1);
	assert_int_equal(dp_handoff_rx(dp, &msg, 1), 1);
	assert_int_equal(msg.len, strlen(OPTIONS_MSG));
	assert_memory_equal(msg.data, OPTIONS_MSG, msg.len);
	assert_int_equal(msg.src.family, AF_INET);
	assert_memory_equal(msg.src.ip, peer_ip, 4);
	assert_int_equal(msg.src.port, 5060);
	assert_memory_equal(msg.dst.ip, our_ip, 4);
	assert_int_equal(msg.dst.port, 5060);
	assert_int_equal(msg.route.port, DP_PORT_OUTSIDE);
	assert_memory_equal(msg.route.mac, peer_mac, 6);
	dp_msg_release(dp, &msg);
	assert_int_equal(dp_handoff_rx(dp, &msg, 1), 0);
}

static void
test_control_plane_send_leaves_by_the_route(void **state)
{
	(void)state;
	uint8_t f[1024];
	size_t n = udp4(f, 5060, OPTIONS_MSG, true);
	struct dp_msg msg;
	struct rte_mbuf *out = NULL;
	const char reply[] = "SIP/2.0 200 OK\r\n\r\n";

	assert_null(exchange(f, n));
	assert_int_equal(dp_handoff_rx(dp, &msg, 1), 1);
	assert_int_equal(dp_send_udp(dp, &msg.route, &msg.dst, &msg.src,
			reply, sizeof(reply) - 1), 0);
	dp_msg_release(dp, &msg);
	assert_int_equal(dp_poll(dp, 0), 0);
	assert_int_equal(rte_ring_dequeue(tx[0], (void **)&out), 0);
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(out, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

	assert_memory_equal(e->dst_addr.addr_bytes, peer_mac, 6);
	assert_memory_equal(e->src_addr.addr_bytes, out_mac, 6);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, u), 0);
	assert_memory_equal(&ip->dst_addr, peer_ip, 4);
	assert_int_equal(rte_be_to_cpu_16(u->dst_port), 5060);
	assert_memory_equal(u + 1, reply, sizeof(reply) - 1);
	rte_pktmbuf_free(out);
}

static void
test_sip_over_ipv6_is_handed_off(void **state)
{
	(void)state;
	uint8_t f[1024];
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_IPV6);
	size_t tl = strlen(OPTIONS_MSG), l4 = sizeof(struct rte_udp_hdr) + tl;
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f + n);

	n += ipv6(f + n, our_ip6, IPPROTO_UDP, l4, 64);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(f + n);

	u->src_port = rte_cpu_to_be_16(5062);
	u->dst_port = rte_cpu_to_be_16(5060);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)l4);
	u->dgram_cksum = 0;
	memcpy(u + 1, OPTIONS_MSG, tl);
	u->dgram_cksum = rte_ipv6_udptcp_cksum(ip, u);
	struct dp_msg msg;

	assert_null(exchange(f, n + l4));
	assert_int_equal(dp_handoff_rx(dp, &msg, 1), 1);
	assert_int_equal(msg.src.family, AF_INET6);
	assert_int_equal(msg.src.port, 5062);
	assert_memory_equal(msg.dst.ip, our_ip6, 16);
	dp_msg_release(dp, &msg);
}

static void
test_malformed_sip_is_counted_and_dropped(void **state)
{
	(void)state;
	uint8_t f[1024];
	size_t n = udp4(f, 5060, "OPTIONS sip:x SIP/2.0\r\nTo: a\rb\r\n\r\n",
			true);
	uint64_t before = ctr("dp_outside_drop_sip_malformed");

	assert_null(exchange(f, n));
	assert_int_equal(ctr("dp_outside_drop_sip_malformed"), before + 1);
}

/* From partner.example, so that only the malformation is at stake. */
#define SHORT_BODY_MSG(start)                                              \
	start "\r\n"                                                        \
	"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bKsb;rport\r\n"   \
	"From: <sip:p@partner.example>;tag=f1\r\n"                         \
	"To: <sip:alice@example.com>\r\n"                                  \
	"Call-ID: short-body@198.51.100.10\r\n"                            \
	"CSeq: 1 MESSAGE\r\n"                                              \
	"Content-Length: 400\r\n\r\nhello"

static void
test_request_shorter_than_its_content_length_gets_400(void **state)
{
	(void)state;
	uint8_t f[1024];
	size_t n = udp4(f, 5060,
			SHORT_BODY_MSG("MESSAGE sip:alice@example.com SIP/2.0"),
			true);
	uint64_t rej = ctr("dp_outside_reject_malformed");
	uint64_t why = ctr("dp_sip_malformed_body_short");
	struct rte_mbuf *r = exchange(f, n);

	assert_non_null(r);
	const char *text = rte_pktmbuf_mtod_offset(r, const char *,
			sizeof(struct rte_ether_hdr) +
			sizeof(struct rte_ipv4_hdr) +
			sizeof(struct rte_udp_hdr));
	size_t tl = rte_pktmbuf_data_len(r) - (size_t)(text -
			rte_pktmbuf_mtod(r, const char *));

	assert_true(tl > 12);
	assert_memory_equal(text, "SIP/2.0 400 ", 12);
	assert_non_null(memmem(text, tl, "Call-ID: short-body@198.51.100.10",
			33));
	assert_non_null(memmem(text, tl, "CSeq: 1 MESSAGE", 15));
	assert_non_null(memmem(text, tl, ";tag=", 5));
	rte_pktmbuf_free(r);
	assert_int_equal(ctr("dp_outside_reject_malformed"), rej + 1);
	assert_int_equal(ctr("dp_sip_malformed_body_short"), why + 1);
}

static void
test_response_shorter_than_its_content_length_is_dropped(void **state)
{
	(void)state;
	uint8_t f[1024];
	size_t n = udp4(f, 5060, SHORT_BODY_MSG("SIP/2.0 200 OK"), true);
	uint64_t drop = ctr("dp_outside_drop_sip_malformed");
	uint64_t why = ctr("dp_sip_malformed_body_short");

	assert_null(exchange(f, n));
	assert_int_equal(ctr("dp_outside_drop_sip_malformed"), drop + 1);
	assert_int_equal(ctr("dp_sip_malformed_body_short"), why + 1);
}

static void
test_bad_udp_checksum_is_dropped(void **state)
{
	(void)state;
	uint8_t f[1024];
	size_t n = udp4(f, 5060, OPTIONS_MSG, false);
	uint64_t before = ctr("dp_outside_drop_udp_cksum");

	assert_null(exchange(f, n));
	assert_int_equal(ctr("dp_outside_drop_udp_cksum"), before + 1);
}

/* Install n rules as the config would give them. */
static void
set_acl(const struct dp_acl_rule_cfg *c, unsigned n)
{
	struct dp_acl_rule r[16];
	const char *key;
	char why[160];

	assert_true(n <= 16);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(dp_acl_rule_parse(&c[i], i, &r[i], &key, why,
				sizeof(why)), 0);
	assert_int_equal(dp_set_acl(dp, r, n), 0);
}

static void
restore_acl(void)
{
	set_acl(base_acl, BASE_ACL_N);
}

static void
test_udp_to_a_closed_port_is_dropped(void **state)
{
	(void)state;
	uint8_t f[1024];
	size_t n = udp4(f, 9999, "hello", true);
	/* The ACL lets it by; no service listens there. */
	const struct dp_acl_rule_cfg any_udp[] = {
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_UDP },
	};
	uint64_t before = ctr("dp_outside_drop_udp_port");

	set_acl(any_udp, 1);
	assert_null(exchange(f, n));
	assert_int_equal(ctr("dp_outside_drop_udp_port"), before + 1);
	restore_acl();
}

static void
test_neighbour_solicitation_is_advertised(void **state)
{
	(void)state;
	uint8_t f[256];
	const uint8_t snm[6] = { 0x33, 0x33, 0xff, 0, 0, 1 };
	uint8_t sn_ip[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0,
			      0, 0, 0, 1, 0xff, 0, 0, 1 };
	size_t n = eth(f, snm, RTE_ETHER_TYPE_IPV6);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f + n);

	n += ipv6(f + n, sn_ip, IPPROTO_ICMPV6, 32, 255);
	uint8_t *ic = f + n;

	memset(ic, 0, 32);
	ic[0] = 135;
	memcpy(ic + 8, our_ip6, 16);
	ic[24] = 1;
	ic[25] = 1;
	memcpy(ic + 26, peer_mac, 6);
	uint16_t ck = rte_ipv6_udptcp_cksum(ip, ic);

	memcpy(ic + 2, &ck, 2);
	struct rte_mbuf *r = exchange(f, n + 32);

	assert_non_null(r);
	struct rte_ipv6_hdr *rip = rte_pktmbuf_mtod_offset(r,
			struct rte_ipv6_hdr *, sizeof(struct rte_ether_hdr));
	uint8_t *ric = (uint8_t *)(rip + 1);

	assert_int_equal(ric[0], 136);
	assert_memory_equal(ric + 8, our_ip6, 16);
	assert_memory_equal(ric + 26, out_mac, 6);
	assert_memory_equal(rip->dst_addr, peer_ip6, 16);
	assert_int_equal(rte_ipv6_udptcp_cksum_verify(rip, ric), 0);
	rte_pktmbuf_free(r);
}

static void
test_icmpv6_echo_is_answered(void **state)
{
	(void)state;
	uint8_t f[256];
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_IPV6);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f + n);

	n += ipv6(f + n, our_ip6, IPPROTO_ICMPV6, 16, 64);
	uint8_t *ic = f + n;

	memset(ic, 0, 16);
	ic[0] = 128;
	memcpy(ic + 8, "v6 ping!", 8);
	uint16_t ck = rte_ipv6_udptcp_cksum(ip, ic);

	memcpy(ic + 2, &ck, 2);
	struct rte_mbuf *r = exchange(f, n + 16);

	assert_non_null(r);
	struct rte_ipv6_hdr *rip = rte_pktmbuf_mtod_offset(r,
			struct rte_ipv6_hdr *, sizeof(struct rte_ether_hdr));
	uint8_t *ric = (uint8_t *)(rip + 1);

	assert_int_equal(ric[0], 129);
	assert_memory_equal(rip->src_addr, our_ip6, 16);
	assert_int_equal(rte_ipv6_udptcp_cksum_verify(rip, ric), 0);
	rte_pktmbuf_free(r);
}

static void
test_every_frame_is_counted_once(void **state)
{
	(void)state;
	uint8_t f[128];
	size_t n = arp_request(f, our_ip);
	uint64_t rx_before = ctr("dp_outside_rx_frames");
	uint64_t tx_before = ctr("dp_outside_tx_frames");
	struct rte_mbuf *r = exchange(f, n);

	assert_non_null(r);
	rte_pktmbuf_free(r);
	assert_int_equal(ctr("dp_outside_rx_frames"), rx_before + 1);
	assert_int_equal(ctr("dp_outside_tx_frames"), tx_before + 1);
}

/* Send a request from outside; return the 403 the worker sent, or NULL. */
static struct rte_mbuf *
request_from_outside(const char *msg)
{
	uint8_t f[2048];
	size_t n = udp4(f, 5060, msg, true);

	return exchange(f, n);
}

/* The SIP payload of a reply frame (IPv4, UDP). */
static const char *
reply_sip(struct rte_mbuf *r, uint16_t *dport)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(r,
			struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, u), 0);
	*dport = rte_be_to_cpu_16(u->dst_port);
	return (const char *)(u + 1);
}

#define SUBSCRIBE_FROM(from, ruri, extra)                                  \
	"SUBSCRIBE " ruri " SIP/2.0\r\n"                                   \
	"Via: SIP/2.0/UDP 198.51.100.10:5070;branch=z9hG4bKs1\r\n"         \
	"Max-Forwards: 70\r\n"                                             \
	"From: <sip:w@" from ">;tag=99\r\n"                                \
	"To: <sip:alice@example.com>\r\n"                                  \
	"Call-ID: s1@198.51.100.10\r\n"                                    \
	"CSeq: 1 SUBSCRIBE\r\n"                                            \
	extra                                                              \
	"Event: presence\r\n"                                              \
	"Content-Length: 0\r\n\r\n"

static void
test_request_from_a_non_permitted_domain_gets_403_from_the_worker(void **state)
{
	(void)state;
	uint64_t before = ctr("dp_outside_deny_identity");
	uint64_t ho = ctr("dp_outside_handoff");
	struct rte_mbuf *r = request_from_outside(SUBSCRIBE_FROM("evil.example",
			"sip:alice@example.com", ""));
	uint16_t dport;
	struct dp_msg msg;

	assert_non_null(r);
	const char *sip = reply_sip(r, &dport);

	assert_memory_equal(sip, "SIP/2.0 403 Forbidden\r\n", 23);
	assert_non_null(strstr(sip, "Call-ID: s1@198.51.100.10\r\n"));
	assert_non_null(strstr(sip, "CSeq: 1 SUBSCRIBE\r\n"));
	assert_non_null(strstr(sip, "To: <sip:alice@example.com>;tag="));
	assert_non_null(strstr(sip, "branch=z9hG4bKs1"));
	/* No rport: to the Via's sent-by port. */
	assert_int_equal(dport, 5070);
	assert_int_equal(ctr("dp_outside_deny_identity"), before + 1);
	assert_int_equal(ctr("dp_outside_handoff"), ho);
	assert_int_equal(dp_handoff_rx(dp, &msg, 1), 0);
	rte_pktmbuf_free(r);
}

static void
test_request_for_a_foreign_request_uri_gets_403(void **state)
{
	(void)state;
	uint64_t before = ctr("dp_outside_deny_ruri");
	struct rte_mbuf *r = request_from_outside(SUBSCRIBE_FROM(
			"partner.example", "sip:bob@elsewhere.example", ""));
	uint16_t dport;

	assert_non_null(r);
	assert_memory_equal(reply_sip(r, &dport), "SIP/2.0 403", 11);
	assert_int_equal(ctr("dp_outside_deny_ruri"), before + 1);
	rte_pktmbuf_free(r);
}

static void
test_subdomain_of_a_permitted_domain_passes(void **state)
{
	(void)state;
	struct dp_msg msg;

	assert_null(request_from_outside(SUBSCRIBE_FROM("sip.PARTNER.example",
			"sip:alice@example.com", "")));
	assert_int_equal(dp_handoff_rx(dp, &msg, 1), 1);
	dp_msg_release(dp, &msg);
}

static void
test_lookalike_of_a_permitted_domain_is_denied(void **state)
{
	(void)state;
	struct rte_mbuf *r = request_from_outside(SUBSCRIBE_FROM(
			"evilpartner.example", "sip:alice@example.com", ""));

	assert_non_null(r);
	rte_pktmbuf_free(r);
}

static void
test_asserted_identity_outranks_from(void **state)
{
	(void)state;
	struct dp_msg msg;
	struct rte_mbuf *r;

	/* From is permitted, the asserted identity is not: denied. */
	r = request_from_outside(SUBSCRIBE_FROM("partner.example",
			"sip:alice@example.com",
			"P-Asserted-Identity: <sip:x@evil.example>\r\n"));
	assert_non_null(r);
	rte_pktmbuf_free(r);
	/* And the other way round: permitted. */
	assert_null(request_from_outside(SUBSCRIBE_FROM("evil.example",
			"sip:alice@example.com",
			"P-Asserted-Identity: <sip:x@partner.example>\r\n")));
	assert_int_equal(dp_handoff_rx(dp, &msg, 1), 1);
	dp_msg_release(dp, &msg);
}

static void
test_in_dialog_request_skips_the_request_uri_check(void **state)
{
	(void)state;
	struct dp_msg msg;
	const char *m = "NOTIFY sip:w@198.51.100.99 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 198.51.100.10;branch=z9hG4bKn1;rport\r\n"
			"From: <sip:p@partner.example>;tag=1\r\n"
			"To: <sip:alice@example.com>;tag=2\r\n"
			"Call-ID: n1\r\nCSeq: 2 NOTIFY\r\n"
			"Event: presence\r\nContent-Length: 0\r\n\r\n";

	assert_null(request_from_outside(m));
	assert_int_equal(dp_handoff_rx(dp, &msg, 1), 1);
	dp_msg_release(dp, &msg);
}

/* An OPTIONS from peer address .src of the outside network. */
static size_t
options_from(uint8_t *f, uint8_t src)
{
	size_t n = udp4(f, 5060, OPTIONS_MSG, true);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f +
			sizeof(struct rte_ether_hdr));
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

	((uint8_t *)&ip->src_addr)[3] = src;
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	return n;
}

static void
test_a_source_over_its_rate_is_dropped_while_another_is_served(void **state)
{
	(void)state;
	uint8_t f[1024];
	struct dp_msg msgs[16];
	uint64_t before = ctr("dp_outside_drop_rate_limit");
	unsigned got = 0;

	/* 1 request/s with a burst of 5: a sixth request within the same
	 * moment is over the limit (a refill needs a whole second). */
	assert_int_equal(dp_set_rate_limit(dp, 1, 5), 0);
	for (int i = 0; i < 8; i++)
		assert_null(exchange(f, options_from(f, 30)));
	assert_null(exchange(f, options_from(f, 31)));
	for (unsigned k; (k = dp_handoff_rx(dp, msgs, 16)) > 0; got += k)
		for (unsigned j = 0; j < k; j++)
			dp_msg_release(dp, &msgs[j]);
	assert_int_equal(ctr("dp_outside_drop_rate_limit"), before + 3);
	assert_int_equal(got, 6); /* five from .30, one from .31 */
	assert_int_equal(dp_set_rate_limit(dp, 0, 1), 0);
}

static void
test_403_goes_to_the_source_port_with_rport(void **state)
{
	(void)state;
	const char *m = "OPTIONS sip:198.51.100.1 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 198.51.100.10:5999;branch=z9hG4bKr;rport\r\n"
			"From: <sip:p@evil.example>;tag=1\r\n"
			"To: <sip:198.51.100.1>\r\n"
			"Call-ID: r1\r\nCSeq: 1 OPTIONS\r\n\r\n";
	uint16_t dport;
	struct rte_mbuf *r = request_from_outside(m);

	assert_non_null(r);
	reply_sip(r, &dport);
	assert_int_equal(dport, 5060); /* udp4() sends from 5060 */
	rte_pktmbuf_free(r);
}

/* --- ACL (policy step 1) ---------------------------------------------- */

/* One OPTIONS from outside; true when it reached the control plane. */
static bool
handed_off(const uint8_t *f, size_t n)
{
	struct dp_msg msg;

	assert_null(exchange(f, n));
	if (dp_handoff_rx(dp, &msg, 1) == 0)
		return false;
	dp_msg_release(dp, &msg);
	return true;
}

static void
test_acl_rule_permitting_udp_5060_lets_sip_through(void **state)
{
	(void)state;
	const struct dp_acl_rule_cfg rules[] = {
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_UDP, .dport = "5060" },
	};
	uint8_t f[1024];
	size_t n = udp4(f, 5060, OPTIONS_MSG, true);

	set_acl(rules, 1);
	uint64_t permit = ctr("dp_outside_acl_rule0_permit");

	assert_true(handed_off(f, n));
	assert_int_equal(ctr("dp_outside_acl_rule0_permit"), permit + 1);
	restore_acl();
}

static void
test_acl_udp_to_another_port_is_denied_by_default(void **state)
{
	(void)state;
	uint8_t f[1024];
	size_t n = udp4(f, 9999, "hello", true);
	uint64_t deny = ctr("dp_outside_drop_acl_default");
	uint64_t port = ctr("dp_outside_drop_udp_port");
	uint64_t frames = ctr("dp_outside_rx_frames");

	assert_null(exchange(f, n));
	assert_int_equal(ctr("dp_outside_drop_acl_default"), deny + 1);
	assert_int_equal(ctr("dp_outside_drop_udp_port"), port);
	assert_int_equal(ctr("dp_outside_rx_frames"), frames + 1);
}

static void
test_acl_deny_before_permit_wins(void **state)
{
	(void)state;
	struct dp_acl_rule_cfg rules[] = {
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_DENY,
		  .proto = DP_ACL_PROTO_UDP, .src = "198.51.100.10/32",
		  .dport = "5060" },
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_UDP, .dport = "5060" },
	};
	uint8_t f[1024];
	size_t n = udp4(f, 5060, OPTIONS_MSG, true);

	set_acl(rules, 2);
	uint64_t deny = ctr("dp_outside_acl_rule0_deny");
	uint64_t permit = ctr("dp_outside_acl_rule1_permit");

	assert_false(handed_off(f, n));
	assert_int_equal(ctr("dp_outside_acl_rule0_deny"), deny + 1);
	assert_int_equal(ctr("dp_outside_acl_rule1_permit"), permit);
	/* The other way round, the permit comes first and wins. */
	struct dp_acl_rule_cfg swapped[] = { rules[1], rules[0] };

	set_acl(swapped, 2);
	permit = ctr("dp_outside_acl_rule0_permit");
	assert_true(handed_off(f, n));
	assert_int_equal(ctr("dp_outside_acl_rule0_permit"), permit + 1);
	restore_acl();
}

static void
test_acl_src_cidr_matches_its_prefix_only(void **state)
{
	(void)state;
	const struct dp_acl_rule_cfg rules[] = {
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_UDP, .src = "198.51.100.0/28",
		  .dport = "5060" },
	};
	uint8_t f[1024];
	uint64_t deny = ctr("dp_outside_drop_acl_default");

	set_acl(rules, 1);
	assert_true(handed_off(f, options_from(f, 10)));  /* in /28 */
	assert_true(handed_off(f, options_from(f, 15)));  /* last of it */
	assert_false(handed_off(f, options_from(f, 16))); /* next /28 */
	assert_int_equal(ctr("dp_outside_drop_acl_default"), deny + 1);
	restore_acl();
}

/* udp4() with another source port (checksum redone). */
static size_t
udp4_from(uint8_t *f, uint16_t sport, uint16_t dport, const char *text)
{
	size_t n = udp4(f, dport, text, true);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f +
			sizeof(struct rte_ether_hdr));
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

	u->src_port = rte_cpu_to_be_16(sport);
	u->dgram_cksum = 0;
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	return n;
}

static void
test_acl_port_ranges_are_inclusive(void **state)
{
	(void)state;
	const struct dp_acl_rule_cfg rules[] = {
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_UDP, .sport = "1024-65535",
		  .dport = "5000-5060" },
	};
	uint8_t f[1024];
	uint64_t deny = ctr("dp_outside_drop_acl_default");
	uint64_t port = ctr("dp_outside_drop_udp_port");

	set_acl(rules, 1);
	/* Upper end of the dport range, a source port inside its range. */
	assert_true(handed_off(f, udp4_from(f, 1024, 5060, OPTIONS_MSG)));
	/* Lower end: permitted, then no service there. */
	assert_false(handed_off(f, udp4_from(f, 40000, 5000, "x")));
	assert_int_equal(ctr("dp_outside_drop_udp_port"), port + 1);
	/* Just past either end of the ranges: default deny. */
	assert_false(handed_off(f, udp4_from(f, 40000, 5061, OPTIONS_MSG)));
	assert_false(handed_off(f, udp4_from(f, 4999, 4999, OPTIONS_MSG)));
	assert_false(handed_off(f, udp4_from(f, 1023, 5060, OPTIONS_MSG)));
	assert_int_equal(ctr("dp_outside_drop_acl_default"), deny + 3);
	restore_acl();
}

/* An OPTIONS over IPv6 from the peer to us. */
static size_t
options6(uint8_t *f)
{
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_IPV6);
	size_t tl = strlen(OPTIONS_MSG), l4 = sizeof(struct rte_udp_hdr) + tl;
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(f + n);

	n += ipv6(f + n, our_ip6, IPPROTO_UDP, l4, 64);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(f + n);

	u->src_port = rte_cpu_to_be_16(5060);
	u->dst_port = rte_cpu_to_be_16(5060);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)l4);
	u->dgram_cksum = 0;
	memcpy(u + 1, OPTIONS_MSG, tl);
	u->dgram_cksum = rte_ipv6_udptcp_cksum(ip, u);
	return n + l4;
}

static void
test_acl_ipv6_rule_matches_ipv6_only(void **state)
{
	(void)state;
	const struct dp_acl_rule_cfg rules[] = {
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_UDP, .src = "2001:db8:0:1::/64",
		  .dst = "2001:db8:0:1::1/128", .dport = "5060" },
	};
	uint8_t f[1024];
	uint64_t deny = ctr("dp_outside_drop_acl_default");

	set_acl(rules, 1);
	uint64_t permit = ctr("dp_outside_acl_rule0_permit");

	assert_true(handed_off(f, options6(f)));
	assert_int_equal(ctr("dp_outside_acl_rule0_permit"), permit + 1);
	/* The same OPTIONS over IPv4 meets no rule. */
	assert_false(handed_off(f, udp4(f, 5060, OPTIONS_MSG, true)));
	assert_int_equal(ctr("dp_outside_drop_acl_default"), deny + 1);
	restore_acl();
}

/* An ICMP echo request from the peer to us. */
static size_t
echo4(uint8_t *f)
{
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_IPV4);
	size_t l4 = sizeof(struct rte_icmp_hdr) + 8;

	n += ipv4(f + n, IPPROTO_ICMP, l4);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(f + n);

	memset(ic, 0, l4);
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	memcpy(ic + 1, "pingdata", 8);
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, l4);
	return n + l4;
}

static void
test_acl_icmp_echo_is_answered_only_when_a_rule_permits_it(void **state)
{
	(void)state;
	const struct dp_acl_rule_cfg rules[] = {
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_UDP, .dport = "5060" },
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_ICMP, .dst = "198.51.100.1" },
	};
	uint8_t f[256];
	struct rte_mbuf *r;
	uint64_t deny = ctr("dp_outside_drop_acl_default");

	/* Without an ICMP rule: no answer. */
	set_acl(rules, 1);
	assert_null(exchange(f, echo4(f)));
	assert_int_equal(ctr("dp_outside_drop_acl_default"), deny + 1);
	set_acl(rules, 2);
	uint64_t permit = ctr("dp_outside_acl_rule1_permit");
	uint64_t replies = ctr("dp_outside_icmp_echo_replies");

	r = exchange(f, echo4(f));
	assert_non_null(r);
	rte_pktmbuf_free(r);
	assert_int_equal(ctr("dp_outside_acl_rule1_permit"), permit + 1);
	assert_int_equal(ctr("dp_outside_icmp_echo_replies"), replies + 1);
	restore_acl();
}

static void
test_acl_classifies_a_whole_burst(void **state)
{
	(void)state;
	struct dp_acl_rule_cfg rules[] = {
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_DENY,
		  .proto = DP_ACL_PROTO_UDP, .src = "198.51.100.20/32" },
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_UDP, .dport = "5060" },
	};
	struct dp_msg msgs[16];
	unsigned got = 0;
	uint64_t deny = ctr("dp_outside_drop_acl_default");

	set_acl(rules, 2);
	uint64_t denied = ctr("dp_outside_acl_rule0_deny");

	/* Eleven frames in one burst, IPv4 and IPv6 interleaved: from .20
	 * denied by rule 0 (IPv4 only), from .21-.24 permitted by rule 1,
	 * five over IPv6 permitted by rule 1 (no address: both families),
	 * one to port 9999 (default deny). */
	for (uint8_t i = 0; i < 5; i++) {
		uint8_t f[1024];
		size_t n = options_from(f, (uint8_t)(20 + i));
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

		memcpy(rte_pktmbuf_append(m, (uint16_t)n), f, n);
		assert_int_equal(rte_ring_enqueue(rx[0], m), 0);
		n = options6(f);
		m = rte_pktmbuf_alloc(pool);
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), f, n);
		assert_int_equal(rte_ring_enqueue(rx[0], m), 0);
	}
	uint8_t f[1024];
	size_t n = udp4(f, 9999, "x", true);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	memcpy(rte_pktmbuf_append(m, (uint16_t)n), f, n);
	assert_int_equal(rte_ring_enqueue(rx[0], m), 0);
	assert_int_equal(dp_poll(dp, 0), 11);
	for (unsigned k; (k = dp_handoff_rx(dp, msgs, 16)) > 0; got += k)
		for (unsigned j = 0; j < k; j++)
			dp_msg_release(dp, &msgs[j]);
	assert_int_equal(got, 9);
	assert_int_equal(ctr("dp_outside_acl_rule0_deny"), denied + 1);
	assert_int_equal(ctr("dp_outside_drop_acl_default"), deny + 1);
	restore_acl();
}

static void
test_acl_rule_with_a_bad_index_is_refused(void **state)
{
	(void)state;
	struct dp_acl_rule r = { .port = DP_PORT_OUTSIDE,
				 .index = DP_ACL_MAX_RULES };

	assert_int_equal(dp_set_acl(dp, &r, 1), -EINVAL);
}

/* --- next hops (ARP, neighbour discovery) --------------------------------- */

/* Take one frame from the outside TX ring after a poll, or NULL. */
static struct rte_mbuf *
sent(void)
{
	struct rte_mbuf *out = NULL;

	if (rte_ring_dequeue(tx[0], (void **)&out) < 0)
		return NULL;
	return out;
}

/* dp_send_udp() to dst by the route dp_route_lookup() gives. */
static void
send_new(const struct netaddr *dst, const char *body)
{
	struct dp_route route;
	struct netaddr src;

	assert_int_equal(dp_route_lookup(dp, dst, &route, &src), 0);
	assert_int_equal(route.port, DP_PORT_OUTSIDE);
	src.port = 5060;
	assert_int_equal(dp_send_udp(dp, &route, &src, dst, body,
			(uint32_t)strlen(body)), 0);
}

/* The ARP reply a neighbour at ip with mac sends to us. */
static size_t
arp_reply(uint8_t *f, const uint8_t ip[4], const uint8_t mac[6])
{
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_ARP);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(f + n);

	memcpy(f + 6, mac, 6);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	memcpy(a->arp_data.arp_sha.addr_bytes, mac, 6);
	memcpy(&a->arp_data.arp_sip, ip, 4);
	memcpy(a->arp_data.arp_tha.addr_bytes, out_mac, 6);
	memcpy(&a->arp_data.arp_tip, our_ip, 4);
	return n + sizeof(*a);
}

static void
test_datagram_to_an_unknown_neighbour_waits_for_its_arp_reply(void **state)
{
	(void)state;
	const uint8_t nb_ip[4] = { 198, 51, 100, 20 };
	const uint8_t nb_mac[6] = { 0x02, 0xaa, 0, 0, 0, 0x20 };
	struct netaddr dst = netaddr_make4(nb_ip, 5070);
	uint64_t asked = ctr("dp_outside_neigh_asked");
	uint64_t held = ctr("dp_outside_neigh_held");
	uint64_t learned = ctr("dp_outside_arp_learned");
	uint8_t f[128];

	send_new(&dst, "NOTIFY sip:x SIP/2.0\r\n\r\n");
	dp_poll(dp, 0);
	/* First the question, broadcast, and nothing else. */
	struct rte_mbuf *q = sent();

	assert_non_null(q);
	assert_null(sent());
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(q, struct rte_ether_hdr *);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(e + 1);

	assert_int_equal(rte_be_to_cpu_16(e->ether_type), RTE_ETHER_TYPE_ARP);
	assert_true(rte_is_broadcast_ether_addr(&e->dst_addr));
	assert_int_equal(rte_be_to_cpu_16(a->arp_opcode), RTE_ARP_OP_REQUEST);
	assert_memory_equal(&a->arp_data.arp_tip, nb_ip, 4);
	assert_memory_equal(&a->arp_data.arp_sip, our_ip, 4);
	assert_memory_equal(a->arp_data.arp_sha.addr_bytes, out_mac, 6);
	rte_pktmbuf_free(q);
	assert_int_equal(ctr("dp_outside_neigh_asked"), asked + 1);
	assert_int_equal(ctr("dp_outside_neigh_held"), held + 1);

	/* The answer releases the held datagram to the neighbour's MAC. */
	struct rte_mbuf *d = exchange(f, arp_reply(f, nb_ip, nb_mac));

	assert_non_null(d);
	e = rte_pktmbuf_mtod(d, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

	assert_memory_equal(e->dst_addr.addr_bytes, nb_mac, 6);
	assert_memory_equal(e->src_addr.addr_bytes, out_mac, 6);
	assert_memory_equal(&ip->dst_addr, nb_ip, 4);
	assert_int_equal(rte_be_to_cpu_16(u->dst_port), 5070);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, u), 0);
	rte_pktmbuf_free(d);
	assert_int_equal(ctr("dp_outside_arp_learned"), learned + 1);

	/* Learned: the next one leaves at once. */
	send_new(&dst, "NOTIFY sip:y SIP/2.0\r\n\r\n");
	dp_poll(dp, 0);
	d = sent();
	assert_non_null(d);
	e = rte_pktmbuf_mtod(d, struct rte_ether_hdr *);
	assert_int_equal(rte_be_to_cpu_16(e->ether_type),
			RTE_ETHER_TYPE_IPV4);
	assert_memory_equal(e->dst_addr.addr_bytes, nb_mac, 6);
	rte_pktmbuf_free(d);
	assert_int_equal(ctr("dp_outside_neigh_asked"), asked + 1);
}

static void
test_a_neighbour_asking_for_us_is_learned(void **state)
{
	(void)state;
	uint8_t f[128];
	struct netaddr dst = netaddr_make4(peer_ip, 5060);
	uint64_t asked = ctr("dp_outside_neigh_asked");

	rte_pktmbuf_free(exchange(f, arp_request(f, our_ip)));
	send_new(&dst, "OPTIONS sip:x SIP/2.0\r\n\r\n");
	dp_poll(dp, 0);
	struct rte_mbuf *d = sent();

	assert_non_null(d);
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(d, struct rte_ether_hdr *);

	assert_int_equal(rte_be_to_cpu_16(e->ether_type),
			RTE_ETHER_TYPE_IPV4);
	assert_memory_equal(e->dst_addr.addr_bytes, peer_mac, 6);
	rte_pktmbuf_free(d);
	assert_int_equal(ctr("dp_outside_neigh_asked"), asked);
}

static void
test_off_link_destination_goes_by_the_gateway(void **state)
{
	(void)state;
	const uint8_t far[4] = { 203, 0, 113, 5 };
	const uint8_t gw[4] = { 198, 51, 100, 254 };
	const uint8_t gw_mac[6] = { 0x02, 0xaa, 0, 0, 0, 0xfe };
	struct netaddr dst = netaddr_make4(far, 5060);
	uint8_t f[128];

	send_new(&dst, "OPTIONS sip:far SIP/2.0\r\n\r\n");
	dp_poll(dp, 0);
	struct rte_mbuf *q = sent();

	assert_non_null(q);
	struct rte_arp_hdr *a = rte_pktmbuf_mtod_offset(q, struct rte_arp_hdr *,
			sizeof(struct rte_ether_hdr));

	assert_memory_equal(&a->arp_data.arp_tip, gw, 4);
	rte_pktmbuf_free(q);
	struct rte_mbuf *d = exchange(f, arp_reply(f, gw, gw_mac));

	assert_non_null(d);
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(d, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);

	assert_memory_equal(e->dst_addr.addr_bytes, gw_mac, 6);
	assert_memory_equal(&ip->dst_addr, far, 4);
	rte_pktmbuf_free(d);
}

static void
test_off_link_ipv6_without_a_gateway_has_no_route(void **state)
{
	(void)state;
	const uint8_t far6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff };
	struct netaddr dst = netaddr_make6(far6, 5060), src;
	struct dp_route route;

	assert_int_equal(dp_route_lookup(dp, &dst, &route, &src),
			-ENETUNREACH);
}

static void
test_ipv6_datagram_waits_for_the_neighbour_advertisement(void **state)
{
	(void)state;
	uint8_t nb6[16];
	const uint8_t nb_mac[6] = { 0x02, 0xaa, 0, 0, 0, 0x66 };
	uint8_t f[256];

	memcpy(nb6, peer_ip6, 16);
	nb6[15] = 0x66;
	struct netaddr dst = netaddr_make6(nb6, 5060);

	send_new(&dst, "NOTIFY sip:v6 SIP/2.0\r\n\r\n");
	dp_poll(dp, 0);
	struct rte_mbuf *q = sent();

	assert_non_null(q);
	assert_null(sent());
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(q, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(e + 1);
	uint8_t *ic = (uint8_t *)(ip6 + 1);
	const uint8_t snm[6] = { 0x33, 0x33, 0xff, 0, 0, 0x66 };

	assert_memory_equal(e->dst_addr.addr_bytes, snm, 6);
	assert_int_equal(ip6->hop_limits, 255);
	assert_int_equal(ip6->dst_addr[0], 0xff);
	assert_int_equal(ip6->dst_addr[15], 0x66);
	assert_int_equal(ic[0], 135);
	assert_memory_equal(ic + 8, nb6, 16);
	assert_int_equal(ic[24], 1); /* source link-layer address */
	assert_memory_equal(ic + 26, out_mac, 6);
	assert_int_equal(rte_ipv6_udptcp_cksum_verify(ip6, ic), 0);
	rte_pktmbuf_free(q);

	/* The advertisement: solicited, to our address, target option. */
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_IPV6);
	struct rte_ipv6_hdr *na = (struct rte_ipv6_hdr *)(f + n);

	n += ipv6(f + n, our_ip6, IPPROTO_ICMPV6, 32, 255);
	memcpy(na->src_addr, nb6, 16);
	ic = f + n;
	memset(ic, 0, 32);
	ic[0] = 136;
	ic[4] = 0x60;
	memcpy(ic + 8, nb6, 16);
	ic[24] = 2;
	ic[25] = 1;
	memcpy(ic + 26, nb_mac, 6);
	uint16_t ck = rte_ipv6_udptcp_cksum(na, ic);

	memcpy(ic + 2, &ck, 2);
	uint64_t learned = ctr("dp_outside_nd_learned");
	struct rte_mbuf *d = exchange(f, n + 32);

	assert_non_null(d);
	e = rte_pktmbuf_mtod(d, struct rte_ether_hdr *);
	ip6 = (struct rte_ipv6_hdr *)(e + 1);
	assert_memory_equal(e->dst_addr.addr_bytes, nb_mac, 6);
	assert_memory_equal(ip6->dst_addr, nb6, 16);
	assert_int_equal(ip6->proto, IPPROTO_UDP);
	rte_pktmbuf_free(d);
	assert_int_equal(ctr("dp_outside_nd_learned"), learned + 1);
}

static void
test_a_newer_datagram_replaces_the_held_one(void **state)
{
	(void)state;
	const uint8_t nb_ip[4] = { 198, 51, 100, 30 };
	const uint8_t nb_mac[6] = { 0x02, 0xaa, 0, 0, 0, 0x30 };
	struct netaddr dst = netaddr_make4(nb_ip, 5060);
	uint64_t replaced = ctr("dp_outside_drop_neigh_replaced");
	uint8_t f[128];

	send_new(&dst, "NOTIFY sip:first SIP/2.0\r\n\r\n");
	send_new(&dst, "NOTIFY sip:second SIP/2.0\r\n\r\n");
	dp_poll(dp, 0);
	struct rte_mbuf *q = sent();

	assert_non_null(q); /* one question for both */
	assert_null(sent());
	rte_pktmbuf_free(q);
	assert_int_equal(ctr("dp_outside_drop_neigh_replaced"), replaced + 1);
	struct rte_mbuf *d = exchange(f, arp_reply(f, nb_ip, nb_mac));

	assert_non_null(d);
	const char *body = rte_pktmbuf_mtod_offset(d, const char *,
			sizeof(struct rte_ether_hdr) +
			sizeof(struct rte_ipv4_hdr) +
			sizeof(struct rte_udp_hdr));

	assert_memory_equal(body, "NOTIFY sip:second", 17);
	rte_pktmbuf_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_request_for_our_address_is_answered),
		cmocka_unit_test(test_arp_request_for_another_address_is_dropped),
		cmocka_unit_test(test_icmp_echo_is_answered),
		cmocka_unit_test(test_bad_ipv4_checksum_is_dropped),
		cmocka_unit_test(test_frame_shorter_than_ip_length_is_dropped),
		cmocka_unit_test(test_bogus_ihl_is_dropped),
		cmocka_unit_test(test_unicast_to_another_mac_is_dropped),
		cmocka_unit_test(test_runt_frame_is_dropped),
		cmocka_unit_test(test_sip_is_handed_off_with_its_addresses),
		cmocka_unit_test(test_control_plane_send_leaves_by_the_route),
		cmocka_unit_test(test_sip_over_ipv6_is_handed_off),
		cmocka_unit_test(test_malformed_sip_is_counted_and_dropped),
		cmocka_unit_test(test_bad_udp_checksum_is_dropped),
		cmocka_unit_test(test_udp_to_a_closed_port_is_dropped),
		cmocka_unit_test(test_neighbour_solicitation_is_advertised),
		cmocka_unit_test(test_icmpv6_echo_is_answered),
		cmocka_unit_test(test_every_frame_is_counted_once),
		cmocka_unit_test(test_request_from_a_non_permitted_domain_gets_403_from_the_worker),
		cmocka_unit_test(test_request_for_a_foreign_request_uri_gets_403),
		cmocka_unit_test(test_subdomain_of_a_permitted_domain_passes),
		cmocka_unit_test(test_lookalike_of_a_permitted_domain_is_denied),
		cmocka_unit_test(test_asserted_identity_outranks_from),
		cmocka_unit_test(test_in_dialog_request_skips_the_request_uri_check),
		cmocka_unit_test(test_403_goes_to_the_source_port_with_rport),
		cmocka_unit_test(test_a_source_over_its_rate_is_dropped_while_another_is_served),
		cmocka_unit_test(test_acl_rule_permitting_udp_5060_lets_sip_through),
		cmocka_unit_test(test_acl_udp_to_another_port_is_denied_by_default),
		cmocka_unit_test(test_acl_deny_before_permit_wins),
		cmocka_unit_test(test_acl_src_cidr_matches_its_prefix_only),
		cmocka_unit_test(test_acl_port_ranges_are_inclusive),
		cmocka_unit_test(test_acl_ipv6_rule_matches_ipv6_only),
		cmocka_unit_test(test_acl_icmp_echo_is_answered_only_when_a_rule_permits_it),
		cmocka_unit_test(test_acl_classifies_a_whole_burst),
		cmocka_unit_test(test_acl_rule_with_a_bad_index_is_refused),
		cmocka_unit_test(test_request_shorter_than_its_content_length_gets_400),
		cmocka_unit_test(test_response_shorter_than_its_content_length_is_dropped),
		cmocka_unit_test(test_datagram_to_an_unknown_neighbour_waits_for_its_arp_reply),
		cmocka_unit_test(test_a_neighbour_asking_for_us_is_learned),
		cmocka_unit_test(test_off_link_destination_goes_by_the_gateway),
		cmocka_unit_test(test_off_link_ipv6_without_a_gateway_has_no_route),
		cmocka_unit_test(test_ipv6_datagram_waits_for_the_neighbour_advertisement),
		cmocka_unit_test(test_a_newer_datagram_replaces_the_held_one),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
