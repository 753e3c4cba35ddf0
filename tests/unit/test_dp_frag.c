/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP fragments in the dataplane, in process on net_ring (as in
 * test_dp_input.c): fragments put on a port's RX ring are reassembled and
 * handed off, the fragment attacks are dropped and counted with every
 * mbuf back in the pool, and output larger than the MTU leaves in
 * fragments. The pool's data room holds a 9 KB frame. Where a real clock
 * would be needed the tests reach into the worker (dp_priv.h): expiry at
 * a later TSC, frames processed at a chosen one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dataplane/dp_priv.h"

/* Mbufs a port's reassembly table may hold, and its timeout. */
#define CAP 32
#define TIMEOUT_MS 1000
/* Largest frame a test builds (the pool's data room). */
#define FRAME_MAX 9216
/* L4 bytes of the largest datagram a test builds, with room past 65,535
 * for the fragment that ends there. */
#define L4_MAX 66000
/* Fragment data per piece: what a 1500-byte MTU carries. */
#define PIECE 1480

static const uint8_t our_mac[2][6] = {
	{ 0x02, 0x5e, 0, 0, 1, 1 }, { 0x02, 0x5e, 0, 0, 2, 1 },
};
static const uint8_t peer_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t our_ip[4] = { 198, 51, 100, 1 };
static const uint8_t peer_ip[4] = { 198, 51, 100, 10 };
static const uint8_t our_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
				     0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t peer_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
				      0, 0, 0, 0, 0, 0, 0, 0x10 };

static struct dp *dp;
static struct stats_reg *reg;
static struct rte_mempool *pool;   /* the dp's: input frames come from it */
static struct rte_ring *rx[2], *tx[2];
static uint8_t l4a[L4_MAX], l4b[L4_MAX], got[L4_MAX];
static char sip[L4_MAX];

/* SIP over UDP and ICMP on the outside port, SIP on the inside. */
static struct dp_acl_rule_cfg acl[] = {
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .dport = "5060" },
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_ICMP },
	{ .port = DP_PORT_INSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .dport = "5060" },
};

static int
setup(void **state)
{
	(void)state;
	static char *eal_args[] = { "--no-huge", "-m", "256", "--no-pci",
				    "--no-telemetry", "--log-level=error" };
	static const char *const local[] = { "example.com" };
	static const struct dp_domain permitted[] = {
		{ "partner.example", true },
	};
	char prefix[64], err[256];
	struct dp_cfg cfg = {
		.eal_args = eal_args,
		.eal_args_count = 6,
		.file_prefix = prefix,
		.workers = 1,
		.poll = DP_POLL_ADAPTIVE,
		.mbufs = 2047,
		.mbuf_data_room = FRAME_MAX,
		.sip_port = 5060,
		.acl = acl,
		.acl_count = sizeof(acl) / sizeof(acl[0]),
		.fragments = { .flows = 64, .timeout_ms = TIMEOUT_MS,
			       .max_mbufs = CAP },
		.ports = {
			.outside = { .device = "net_ring_fr_out",
				     .mac = "02:5e:00:00:01:01",
				     .ipv4 = "198.51.100.1/24",
				     .ipv6 = "2001:db8:0:1::1/64" },
			.inside = { .device = "net_ring_fr_in",
				    .mac = "02:5e:00:00:02:01",
				    .ipv4 = "192.0.2.1/24" },
		},
	};

	snprintf(prefix, sizeof(prefix), "test_dp_frag_%d", (int)getpid());
	if (dp_eal_init(&cfg, "test_dp_frag", NULL, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "EAL: %s\n", err);
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		char n[32];

		snprintf(n, sizeof(n), "fr_rx%d", i);
		rx[i] = rte_ring_create(n, 256, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(n, sizeof(n), "fr_tx%d", i);
		tx[i] = rte_ring_create(n, 256, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rx[i] == NULL || tx[i] == NULL ||
		    rte_eth_from_rings(i ? "fr_in" : "fr_out", &rx[i], 1,
				&tx[i], 1, SOCKET_ID_ANY) < 0)
			return -1;
	}
	reg = stats_reg_create(4, 512);
	dp = dp_create(&cfg, "test_dp_frag", NULL, 0, reg, err, sizeof(err));
	if (dp == NULL) {
		fprintf(stderr, "dp_create: %s\n", err);
		return -1;
	}
	if (dp_set_domains(dp, local, 1, permitted, 1) < 0 ||
	    dp_set_rate_limit(dp, 0, 0) < 0)
		return -1;
	pool = dp->pool;
	return 0;
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

static struct rte_mbuf *
mbuf_of(const void *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), frame, len);
	return m;
}

/* Put a frame on port's RX ring. */
static void
push(unsigned port, const void *frame, size_t len)
{
	assert_int_equal(rte_ring_enqueue(rx[port], mbuf_of(frame, len)), 0);
}

/* Poll until both RX rings are empty. */
static void
run(void)
{
	do
		dp_poll(dp, 0);
	while (rte_ring_count(rx[0]) + rte_ring_count(rx[1]) > 0);
}

/* Free what the ports sent. @return how many frames. */
static unsigned
discard_tx(void)
{
	struct rte_mbuf *m;
	unsigned n = 0;

	for (int i = 0; i < 2; i++)
		while (rte_ring_dequeue(tx[i], (void **)&m) == 0) {
			rte_pktmbuf_free(m);
			n++;
		}
	return n;
}

/* Take the next hand-off: it must be exactly payload. */
static void
expect_handoff(const void *payload, size_t len)
{
	struct dp_msg msg;

	assert_int_equal(dp_handoff_rx(dp, &msg, 1), 1);
	assert_int_equal(msg.len, len);
	assert_memory_equal(msg.data, payload, len);
	dp_msg_release(dp, &msg);
}

static void
expect_no_handoff(void)
{
	struct dp_msg msg;

	assert_int_equal(dp_handoff_rx(dp, &msg, 1), 0);
}

static size_t
eth(uint8_t *f, unsigned port, uint16_t type)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)f;

	memcpy(e->dst_addr.addr_bytes, our_mac[port], 6);
	memcpy(e->src_addr.addr_bytes, peer_mac, 6);
	e->ether_type = rte_cpu_to_be_16(type);
	return sizeof(*e);
}

/* The IPv4 header the peer sends to our outside address. */
static void
ip4_hdr(struct rte_ipv4_hdr *ip, uint8_t proto, uint16_t id, size_t l4_len)
{
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4_len));
	ip->packet_id = rte_cpu_to_be_16(id);
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	memcpy(&ip->src_addr, peer_ip, 4);
	memcpy(&ip->dst_addr, our_ip, 4);
}

static void
ip6_hdr(struct rte_ipv6_hdr *ip6, uint8_t proto, size_t plen)
{
	memset(ip6, 0, sizeof(*ip6));
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16((uint16_t)plen);
	ip6->proto = proto;
	ip6->hop_limits = 64;
	memcpy(ip6->src_addr, peer_ip6, 16);
	memcpy(ip6->dst_addr, our_ip6, 16);
}

/* UDP from the peer's 5060 to dport around payload, checksummed over
 * IPv4 or IPv6, in l4. @return its length. */
static size_t
udp(uint8_t *l4, bool v6, uint16_t dport, const void *payload, size_t len)
{
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;
	size_t n = sizeof(*u) + len;

	u->src_port = rte_cpu_to_be_16(5060);
	u->dst_port = rte_cpu_to_be_16(dport);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)n);
	u->dgram_cksum = 0;
	memcpy(u + 1, payload, len);
	if (v6) {
		struct rte_ipv6_hdr ip6;

		ip6_hdr(&ip6, IPPROTO_UDP, n);
		u->dgram_cksum = rte_ipv6_udptcp_cksum(&ip6, u);
	} else {
		struct rte_ipv4_hdr ip;

		ip4_hdr(&ip, IPPROTO_UDP, 0, n);
		u->dgram_cksum = rte_ipv4_udptcp_cksum(&ip, u);
	}
	return n;
}

/* The frame of the IPv4 fragment [ofs, ofs + len) of the L4 bytes l4, to
 * our outside address, arriving on port. @return its length. */
static size_t
frag4(uint8_t *f, unsigned port, uint16_t id, uint8_t proto,
		const uint8_t *l4, size_t ofs, size_t len, bool more)
{
	size_t n = eth(f, port, RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + n);

	ip4_hdr(ip, proto, id, len);
	ip->fragment_offset = rte_cpu_to_be_16((uint16_t)(ofs / 8 |
			(more ? RTE_IPV4_HDR_MF_FLAG : 0)));
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memcpy(ip + 1, l4 + ofs, len);
	return n + sizeof(*ip) + len;
}

/* The same for IPv6: a fragment header right after the fixed header. */
static size_t
frag6(uint8_t *f, uint32_t id, const uint8_t *l4, size_t ofs, size_t len,
		bool more)
{
	size_t n = eth(f, 0, RTE_ETHER_TYPE_IPV6);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(f + n);
	struct rte_ipv6_fragment_ext *fh =
		(struct rte_ipv6_fragment_ext *)(ip6 + 1);

	ip6_hdr(ip6, IPPROTO_FRAGMENT, sizeof(*fh) + len);
	fh->next_header = IPPROTO_UDP;
	fh->reserved = 0;
	fh->frag_data = rte_cpu_to_be_16((uint16_t)(ofs | (more ? 1 : 0)));
	fh->id = rte_cpu_to_be_32(id);
	memcpy(fh + 1, l4 + ofs, len);
	return n + sizeof(*ip6) + sizeof(*fh) + len;
}

/* Put piece i (PIECE bytes each) of the IPv4 datagram l4 on port. */
static void
push4(unsigned port, uint16_t id, uint8_t proto, const uint8_t *l4,
		size_t total, unsigned i)
{
	static uint8_t f[FRAME_MAX];
	size_t ofs = (size_t)i * PIECE, len = RTE_MIN((size_t)PIECE,
			total - ofs);

	push(port, f, frag4(f, port, id, proto, l4, ofs, len,
			ofs + len < total));
}

static void
push6(uint32_t id, const uint8_t *l4, size_t total, unsigned i)
{
	static uint8_t f[FRAME_MAX];
	size_t ofs = (size_t)i * PIECE, len = RTE_MIN((size_t)PIECE,
			total - ofs);

	push(0, f, frag6(f, id, l4, ofs, len, ofs + len < total));
}

/* An OPTIONS from partner.example to the appliance, its body padding it
 * to about `size` bytes. @return its length. */
static size_t
options(char *buf, size_t size, const char *callid)
{
	size_t body = size - 320;
	int n = snprintf(buf, FRAME_MAX,
			"OPTIONS sip:198.51.100.1 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK%s\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:ping@partner.example>;tag=1\r\n"
			"To: <sip:198.51.100.1>\r\n"
			"Call-ID: %s@198.51.100.10\r\n"
			"CSeq: 1 OPTIONS\r\n"
			"Content-Type: text/plain\r\n"
			"Content-Length: %zu\r\n\r\n", callid, callid, body);

	assert_true(n > 0 && (size_t)n + body < FRAME_MAX);
	for (size_t i = 0; i < body; i++)
		buf[n + i] = (char)('a' + i % 26);
	return (size_t)n + body;
}

static unsigned
pieces(size_t total)
{
	return (unsigned)((total + PIECE - 1) / PIECE);
}

static void
test_ipv4_fragments_in_order_are_handed_off_once(void **state)
{
	(void)state;
	unsigned avail = rte_mempool_avail_count(pool);
	size_t len = options(sip, 4000, "inorder");
	size_t total = udp(l4a, false, 5060, sip, len);
	uint64_t held = ctr("dp_outside_frag_held");
	uint64_t whole = ctr("dp_outside_frag_reassembled");

	assert_int_equal(pieces(total), 3);
	for (unsigned i = 0; i < 3; i++)
		push4(0, 100, IPPROTO_UDP, l4a, total, i);
	run();
	expect_handoff(sip, len);
	expect_no_handoff();
	assert_int_equal(ctr("dp_outside_frag_held"), held + 2);
	assert_int_equal(ctr("dp_outside_frag_reassembled"), whole + 1);
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_ipv4_fragments_in_reverse_are_handed_off_once(void **state)
{
	(void)state;
	unsigned avail = rte_mempool_avail_count(pool);
	size_t len = options(sip, 4000, "reverse");
	size_t total = udp(l4a, false, 5060, sip, len);
	uint64_t handoff = ctr("dp_outside_handoff");

	for (unsigned i = 3; i-- > 0;)
		push4(0, 101, IPPROTO_UDP, l4a, total, i);
	run();
	expect_handoff(sip, len);
	expect_no_handoff();
	assert_int_equal(ctr("dp_outside_handoff"), handoff + 1);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_interleaved_datagrams_are_each_handed_off(void **state)
{
	(void)state;
	static char sip_b[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	size_t len_a = options(sip, 4000, "first");
	size_t len_b = options(sip_b, 3900, "second");
	size_t ta = udp(l4a, false, 5060, sip, len_a);
	size_t tb = udp(l4b, false, 5060, sip_b, len_b);

	/* b's last piece comes first, a's pieces in order among b's. */
	push4(0, 200, IPPROTO_UDP, l4b, tb, 2);
	for (unsigned i = 0; i < 3; i++) {
		push4(0, 201, IPPROTO_UDP, l4a, ta, i);
		if (i < 2)
			push4(0, 200, IPPROTO_UDP, l4b, tb, i);
	}
	run();
	expect_handoff(sip_b, len_b);   /* complete at b's second piece */
	expect_handoff(sip, len_a);
	expect_no_handoff();
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_ipv6_fragments_are_handed_off_once(void **state)
{
	(void)state;
	unsigned avail = rte_mempool_avail_count(pool);
	size_t len = options(sip, 4000, "six");
	size_t total = udp(l4a, true, 5060, sip, len);
	uint64_t whole = ctr("dp_outside_frag_reassembled");

	push6(0xabcdef01, l4a, total, 1);
	push6(0xabcdef01, l4a, total, 2);
	push6(0xabcdef01, l4a, total, 0);
	run();
	expect_handoff(sip, len);
	expect_no_handoff();
	assert_int_equal(ctr("dp_outside_frag_reassembled"), whole + 1);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_ipv6_atomic_fragment_is_taken_as_it_is(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	size_t len = options(sip, 1000, "atomic");
	size_t total = udp(l4a, true, 5060, sip, len);
	uint64_t held = ctr("dp_outside_frag_held");

	push(0, f, frag6(f, 7, l4a, 0, total, false));
	run();
	expect_handoff(sip, len);
	assert_int_equal(ctr("dp_outside_frag_held"), held);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_ipv6_fragment_header_behind_another_is_dropped(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	uint64_t bad = ctr("dp_outside_drop_frag_malformed");
	size_t n = frag6(f, 8, l4a, 0, 64, false);

	/* An atomic fragment whose next header is a fragment header. */
	f[sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv6_hdr)] =
		IPPROTO_FRAGMENT;
	push(0, f, n);
	run();
	expect_no_handoff();
	assert_int_equal(ctr("dp_outside_drop_frag_malformed"), bad + 1);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_reassembled_datagram_meets_the_acl(void **state)
{
	(void)state;
	unsigned avail = rte_mempool_avail_count(pool);
	size_t len = options(sip, 4000, "acl");
	size_t total = udp(l4a, false, 9999, sip, len);
	uint64_t denied = ctr("dp_outside_drop_acl_default");

	for (unsigned i = 0; i < 3; i++)
		push4(0, 102, IPPROTO_UDP, l4a, total, i);
	run();
	expect_no_handoff();
	assert_int_equal(ctr("dp_outside_drop_acl_default"), denied + 1);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_fragments_from_the_other_port_never_complete_a_datagram(void **state)
{
	(void)state;
	unsigned avail = rte_mempool_avail_count(pool);
	size_t len = options(sip, 4000, "ports");
	size_t total = udp(l4a, false, 5060, sip, len);

	/* The same datagram: its first piece outside, the rest inside. */
	push4(0, 103, IPPROTO_UDP, l4a, total, 0);
	push4(1, 103, IPPROTO_UDP, l4a, total, 1);
	push4(1, 103, IPPROTO_UDP, l4a, total, 2);
	run();
	expect_no_handoff();
	assert_int_equal(ctr("dp_inside_frag_mbufs_held"), 2);
	/* The outside's own pieces complete it there. */
	push4(0, 103, IPPROTO_UDP, l4a, total, 1);
	push4(0, 103, IPPROTO_UDP, l4a, total, 2);
	run();
	expect_handoff(sip, len);
	dp_frag_expire(&dp->workers[0], rte_rdtsc() +
			2 * rte_get_tsc_hz() * TIMEOUT_MS / 1000);
	assert_int_equal(ctr("dp_inside_frag_mbufs_held"), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

/* Send 3 pieces whose middle one is the second piece moved back by 8
 * bytes: their lengths add up, their ends do not meet. */
static void
test_overlapping_fragments_discard_the_datagram(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	size_t len = options(sip, 4000, "overlap");
	size_t total = udp(l4a, false, 5060, sip, len);
	uint64_t overlap = ctr("dp_outside_drop_frag_overlap");

	push4(0, 104, IPPROTO_UDP, l4a, total, 0);
	push(0, f, frag4(f, 0, 104, IPPROTO_UDP, l4a, PIECE - 8, PIECE, true));
	push4(0, 104, IPPROTO_UDP, l4a, total, 2);
	run();
	expect_no_handoff();
	assert_int_equal(ctr("dp_outside_drop_frag_overlap"), overlap + 3);
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_duplicate_fragment_discards_the_datagram(void **state)
{
	(void)state;
	unsigned avail = rte_mempool_avail_count(pool);
	size_t len = options(sip, 4000, "duplicate");
	size_t total = udp(l4a, false, 5060, sip, len);
	uint64_t overlap = ctr("dp_outside_drop_frag_overlap");

	push4(0, 105, IPPROTO_UDP, l4a, total, 0);
	push4(0, 105, IPPROTO_UDP, l4a, total, 1);
	push4(0, 105, IPPROTO_UDP, l4a, total, 1);
	push4(0, 105, IPPROTO_UDP, l4a, total, 2);
	run();
	expect_no_handoff();
	assert_int_equal(ctr("dp_outside_drop_frag_overlap"), overlap + 4);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_a_ninth_fragment_discards_the_datagram(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	size_t total = udp(l4a, false, 5060, sip, 9 * 512 - 8);
	uint64_t overlap = ctr("dp_outside_drop_frag_overlap");

	for (size_t ofs = 0; ofs < total; ofs += 512)
		push(0, f, frag4(f, 0, 106, IPPROTO_UDP, l4a, ofs, 512,
				ofs + 512 < total));
	run();
	expect_no_handoff();
	/* The eighth went with the seven before it; the ninth waits. */
	assert_int_equal(ctr("dp_outside_drop_frag_overlap"), overlap + 8);
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), 1);
	dp_frag_expire(&dp->workers[0], rte_rdtsc() +
			2 * rte_get_tsc_hz() * TIMEOUT_MS / 1000);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_tiny_first_fragment_is_dropped(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	uint64_t tiny = ctr("dp_outside_drop_frag_tiny");

	/* 16 bytes of a 20-byte TCP header (RFC 1858 §3.1). */
	memset(l4a, 0, 64);
	l4a[12] = 5 << 4;
	push(0, f, frag4(f, 0, 107, IPPROTO_TCP, l4a, 0, 16, true));
	run();
	assert_int_equal(ctr("dp_outside_drop_frag_tiny"), tiny + 1);
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_fragment_inside_the_tcp_header_is_dropped(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	uint64_t tiny = ctr("dp_outside_drop_frag_tiny");

	/* Offset 8 rewrites the TCP flags (RFC 1858 §3.2). */
	memset(l4a, 0, 64);
	push(0, f, frag4(f, 0, 108, IPPROTO_TCP, l4a, 8, 32, false));
	run();
	assert_int_equal(ctr("dp_outside_drop_frag_tiny"), tiny + 1);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_fragment_ending_past_65535_is_dropped(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	uint64_t past = ctr("dp_outside_drop_frag_past_max");

	/* 20 + 65,512 + 32 bytes: the ping of death. */
	push(0, f, frag4(f, 0, 109, IPPROTO_UDP, l4a, 65512, 32, false));
	run();
	assert_int_equal(ctr("dp_outside_drop_frag_past_max"), past + 1);
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_fragment_not_a_multiple_of_8_is_dropped(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	uint64_t bad = ctr("dp_outside_drop_frag_malformed");

	push(0, f, frag4(f, 0, 110, IPPROTO_UDP, l4a, 0, 100, true));
	run();
	assert_int_equal(ctr("dp_outside_drop_frag_malformed"), bad + 1);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_reassembled_datagram_too_big_for_an_mbuf_is_dropped(void **state)
{
	(void)state;
	unsigned avail = rte_mempool_avail_count(pool);
	/* 7 pieces, 9,608 bytes of UDP: more than the 9,216 of data room. */
	size_t total = udp(l4a, false, 5060, sip, 9600);
	uint64_t big = ctr("dp_outside_drop_frag_too_big");

	assert_int_equal(pieces(total), 7);
	for (unsigned i = 0; i < 7; i++)
		push4(0, 111, IPPROTO_UDP, l4a, total, i);
	run();
	expect_no_handoff();
	assert_int_equal(ctr("dp_outside_drop_frag_too_big"), big + 7);
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_incomplete_datagram_times_out(void **state)
{
	(void)state;
	unsigned avail = rte_mempool_avail_count(pool);
	size_t len = options(sip, 4000, "timeout");
	size_t total = udp(l4a, false, 5060, sip, len);
	uint64_t timeout = ctr("dp_outside_drop_frag_timeout");
	uint64_t hz = rte_get_tsc_hz();

	push4(0, 112, IPPROTO_UDP, l4a, total, 0);
	push4(0, 112, IPPROTO_UDP, l4a, total, 2);
	run();
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), 2);
	/* Not yet. */
	dp_frag_expire(&dp->workers[0], rte_rdtsc());
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), 2);
	dp_frag_expire(&dp->workers[0], rte_rdtsc() +
			2 * hz * TIMEOUT_MS / 1000);
	assert_int_equal(ctr("dp_outside_drop_frag_timeout"), timeout + 2);
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_a_flood_of_incomplete_datagrams_stays_under_the_cap(void **state)
{
	(void)state;
	unsigned avail = rte_mempool_avail_count(pool);
	size_t total = udp(l4a, false, 5060, sip, 4000);
	uint64_t cap = ctr("dp_outside_drop_frag_mbuf_cap");
	uint64_t held = ctr("dp_outside_frag_held");
	uint64_t timeout = ctr("dp_outside_drop_frag_timeout");
	const unsigned flood = 200;

	for (unsigned i = 0; i < flood; i++) {
		push4(0, (uint16_t)(1000 + i), IPPROTO_UDP, l4a, total, 0);
		if (i % 32 == 31)
			run();
	}
	run();
	uint64_t now_held = ctr("dp_outside_frag_mbufs_held");

	uint64_t capped = ctr("dp_outside_drop_frag_mbuf_cap") - cap;

	assert_true(now_held > 0);
	assert_true(now_held <= CAP);
	/* Every fragment is held now or was dropped for the cap: refused,
	 * or held and then evicted when old enough to go first. */
	assert_int_equal(now_held + capped, flood);
	assert_true(ctr("dp_outside_frag_held") - held >= now_held);
	assert_int_equal(rte_mempool_avail_count(pool), avail - now_held);
	dp_frag_expire(&dp->workers[0], rte_rdtsc() +
			2 * rte_get_tsc_hz() * TIMEOUT_MS / 1000);
	assert_int_equal(ctr("dp_outside_drop_frag_timeout"), timeout +
			now_held);
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

/* Frames processed by the worker at TSC now, as dp_poll() would. */
static void
input_at(uint64_t now, const void *frame, size_t len)
{
	struct dp_worker *w = &dp->workers[0];
	struct dp_port *p = &dp->ports[DP_PORT_OUTSIDE];

	w->now = now;
	dp_input(w, p, mbuf_of(frame, len));
	dp_input_acl(w, p);
}

static void
test_at_the_cap_the_oldest_datagrams_go_first(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	size_t len = options(sip, 4000, "survivor");
	size_t total = udp(l4a, false, 5060, sip, len);
	uint64_t cap = ctr("dp_outside_drop_frag_mbuf_cap");
	uint64_t t0 = rte_rdtsc();
	uint64_t later = t0 + rte_get_tsc_hz() * TIMEOUT_MS / 1000 * 3 / 4;

	for (unsigned i = 0; i < CAP; i++)
		input_at(t0, f, frag4(f, 0, (uint16_t)(3000 + i), IPPROTO_UDP,
				l4b, 0, PIECE, true));
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), CAP);
	/* Three quarters of the timeout on, a datagram comes whole. */
	for (unsigned i = 0; i < 3; i++) {
		size_t ofs = (size_t)i * PIECE;

		input_at(later, f, frag4(f, 0, 113, IPPROTO_UDP, l4a, ofs,
				RTE_MIN((size_t)PIECE, total - ofs),
				ofs + PIECE < total));
	}
	expect_handoff(sip, len);
	assert_int_equal(ctr("dp_outside_drop_frag_mbuf_cap"), cap + CAP);
	assert_int_equal(ctr("dp_outside_frag_mbufs_held"), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

/* Take one IPv4 datagram's fragments off port 0's TX ring: each within
 * the MTU, with its checksum, the datagram's identification and MF on all
 * but the last, in order. Their data goes back together in got; hdr gets
 * the first one's header with the whole datagram's length.
 * @return the L4 bytes. */
static size_t
collect4(unsigned *n, struct rte_ipv4_hdr *hdr)
{
	struct rte_mbuf *m;
	size_t off = 0;
	bool last = false;

	*n = 0;
	while (!last && rte_ring_dequeue(tx[0], (void **)&m) == 0) {
		struct rte_ether_hdr *e = rte_pktmbuf_mtod(m,
				struct rte_ether_hdr *);
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
		uint16_t fo = rte_be_to_cpu_16(ip->fragment_offset);
		size_t tot = rte_be_to_cpu_16(ip->total_length);
		size_t dlen = tot - sizeof(*ip);

		assert_int_equal(rte_pktmbuf_data_len(m),
				sizeof(*e) + tot);
		assert_true(tot <= 1500);
		assert_memory_equal(e->dst_addr.addr_bytes, peer_mac, 6);
		assert_memory_equal(e->src_addr.addr_bytes, our_mac[0], 6);
		assert_int_equal(rte_ipv4_cksum(ip), 0);
		assert_int_equal((size_t)(fo & RTE_IPV4_HDR_OFFSET_MASK) * 8,
				off);
		last = (fo & RTE_IPV4_HDR_MF_FLAG) == 0;
		if (!last)
			assert_int_equal(dlen % 8, 0);
		if (*n == 0)
			*hdr = *ip;
		else
			assert_int_equal(ip->packet_id, hdr->packet_id);
		memcpy(got + off, ip + 1, dlen);
		off += dlen;
		(*n)++;
		rte_pktmbuf_free(m);
	}
	assert_true(last);
	hdr->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*hdr) + off));
	hdr->fragment_offset = 0;
	return off;
}

static void
test_large_send_leaves_in_fragments_within_the_mtu(void **state)
{
	(void)state;
	static char payload[5000];
	unsigned avail = rte_mempool_avail_count(pool);
	struct dp_route route = { .port = DP_PORT_OUTSIDE };
	struct netaddr src = netaddr_make4(our_ip, 5060);
	struct netaddr dst = netaddr_make4(peer_ip, 5070);
	uint64_t tx_frames = ctr("dp_outside_tx_frames");
	uint64_t frags = ctr("dp_outside_frag_tx_fragments");
	struct rte_ipv4_hdr hdr;
	unsigned n;

	memcpy(route.mac, peer_mac, 6);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (char)(' ' + i % 90);
	assert_int_equal(dp_send_udp(dp, &route, &src, &dst, payload,
			sizeof(payload)), 0);
	dp_poll(dp, 0);
	size_t l4 = collect4(&n, &hdr);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)got;

	/* 5,008 bytes of UDP: 1,480 + 1,480 + 1,480 + 568. */
	assert_int_equal(n, 4);
	assert_int_equal(l4, sizeof(*u) + sizeof(payload));
	assert_int_not_equal(hdr.packet_id, 0);
	assert_int_equal(rte_be_to_cpu_16(u->dst_port), 5070);
	assert_memory_equal(u + 1, payload, sizeof(payload));
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(&hdr, u), 0);
	assert_int_equal(ctr("dp_outside_tx_frames"), tx_frames + 4);
	assert_int_equal(ctr("dp_outside_frag_tx_fragments"), frags + 4);
	assert_int_equal(discard_tx(), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_each_large_send_has_its_own_identification(void **state)
{
	(void)state;
	static char payload[3000];
	struct dp_route route = { .port = DP_PORT_OUTSIDE };
	struct netaddr src = netaddr_make4(our_ip, 5060);
	struct netaddr dst = netaddr_make4(peer_ip, 5060);
	struct rte_ipv4_hdr a, b;
	unsigned n;

	memcpy(route.mac, peer_mac, 6);
	memset(payload, 'x', sizeof(payload));
	for (int i = 0; i < 2; i++)
		assert_int_equal(dp_send_udp(dp, &route, &src, &dst, payload,
				sizeof(payload)), 0);
	dp_poll(dp, 0);
	collect4(&n, &a);
	collect4(&n, &b);
	assert_int_not_equal(a.packet_id, b.packet_id);
	assert_int_equal(discard_tx(), 0);
}

static void
test_ipv6_large_send_leaves_in_fragments_within_the_mtu(void **state)
{
	(void)state;
	static char payload[5000];
	unsigned avail = rte_mempool_avail_count(pool);
	struct dp_route route = { .port = DP_PORT_OUTSIDE };
	struct netaddr src = netaddr_make6(our_ip6, 5060);
	struct netaddr dst = netaddr_make6(peer_ip6, 5060);
	struct rte_ipv6_hdr hdr = { 0 };
	struct rte_mbuf *m;
	size_t off = 0;
	unsigned n = 0;
	bool last = false;
	rte_be32_t id = 0;

	memcpy(route.mac, peer_mac, 6);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (char)('0' + i % 10);
	assert_int_equal(dp_send_udp(dp, &route, &src, &dst, payload,
			sizeof(payload)), 0);
	dp_poll(dp, 0);
	while (!last && rte_ring_dequeue(tx[0], (void **)&m) == 0) {
		struct rte_ipv6_hdr *ip6 = rte_pktmbuf_mtod_offset(m,
				struct rte_ipv6_hdr *,
				sizeof(struct rte_ether_hdr));
		struct rte_ipv6_fragment_ext *fh =
			(struct rte_ipv6_fragment_ext *)(ip6 + 1);
		size_t plen = rte_be_to_cpu_16(ip6->payload_len);
		uint16_t fd = rte_be_to_cpu_16(fh->frag_data);
		size_t dlen = plen - sizeof(*fh);

		assert_true(sizeof(*ip6) + plen <= 1500);
		assert_int_equal(ip6->proto, IPPROTO_FRAGMENT);
		assert_int_equal(fh->next_header, IPPROTO_UDP);
		assert_int_equal(fd & ~7u, off);
		if (n == 0) {
			hdr = *ip6;
			id = fh->id;
		}
		assert_int_equal(fh->id, id);
		last = (fd & 1) == 0;
		if (!last)
			assert_int_equal(dlen % 8, 0);
		memcpy(got + off, fh + 1, dlen);
		off += dlen;
		n++;
		rte_pktmbuf_free(m);
	}
	assert_true(last);
	assert_int_equal(n, 4);
	assert_int_equal(off, sizeof(struct rte_udp_hdr) + sizeof(payload));
	hdr.proto = IPPROTO_UDP;
	hdr.payload_len = rte_cpu_to_be_16((uint16_t)off);
	assert_int_equal(rte_ipv6_udptcp_cksum_verify(&hdr, got), 0);
	assert_memory_equal(got + sizeof(struct rte_udp_hdr), payload,
			sizeof(payload));
	assert_int_equal(discard_tx(), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_forwarded_ipv6_larger_than_the_mtu_is_dropped(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	uint64_t fwd = ctr("dp_outside_drop_frag_ipv6_forward");
	size_t n = eth(f, 0, RTE_ETHER_TYPE_IPV6);

	ip6_hdr((struct rte_ipv6_hdr *)(f + n), IPPROTO_UDP, 2000);
	memset(f + n + sizeof(struct rte_ipv6_hdr), 0, 2000);
	dp_tx_ip(&dp->workers[0], &dp->ports[DP_PORT_OUTSIDE],
			mbuf_of(f, n + sizeof(struct rte_ipv6_hdr) + 2000),
			false);
	dp_poll(dp, 0);
	assert_int_equal(discard_tx(), 0);
	assert_int_equal(ctr("dp_outside_drop_frag_ipv6_forward"), fwd + 1);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

/* An ICMP echo request of len bytes in one (jumbo) frame. */
static size_t
echo_request(uint8_t *f, size_t len, bool df)
{
	size_t n = eth(f, 0, RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + n);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)(ip + 1);

	ip4_hdr(ip, IPPROTO_ICMP, 114, len);
	if (df)
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memset(ic, 0, sizeof(*ic));
	ic->icmp_type = RTE_IP_ICMP_ECHO_REQUEST;
	ic->icmp_ident = rte_cpu_to_be_16(9);
	for (size_t i = sizeof(*ic); i < len; i++)
		((uint8_t *)ic)[i] = (uint8_t)i;
	ic->icmp_cksum = (uint16_t)~rte_raw_cksum(ic, len);
	return n + sizeof(*ip) + len;
}

static void
test_large_echo_request_is_answered_in_fragments(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	size_t n = echo_request(f, 3000, false);
	struct rte_ipv4_hdr hdr;
	unsigned k;

	push(0, f, n);
	run();
	size_t l4 = collect4(&k, &hdr);

	assert_int_equal(k, 3);
	assert_int_equal(l4, 3000);
	assert_int_equal(got[0], RTE_IP_ICMP_ECHO_REPLY);
	assert_int_equal(rte_raw_cksum(got, l4), 0xffff);
	assert_memory_equal(got + 8, f + n - 3000 + 8, 3000 - 8);
	assert_int_equal(discard_tx(), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_fragments_of_a_tagged_frame_keep_its_tag(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX], t[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	size_t n = echo_request(f, 3000, false);
	const uint8_t tag[4] = { 0x81, 0x00, 0x00, 0x2a }; /* VLAN 42 */
	struct rte_mbuf *m;
	size_t off = 0;
	unsigned k = 0;

	/* The same request with an 802.1Q tag after the MAC addresses. */
	memcpy(t, f, 12);
	memcpy(t + 12, tag, 4);
	memcpy(t + 16, f + 12, n - 12);
	push(0, t, n + 4);
	run();
	while (rte_ring_dequeue(tx[0], (void **)&m) == 0) {
		uint8_t *e = rte_pktmbuf_mtod(m, uint8_t *);
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 18);
		size_t tot = rte_be_to_cpu_16(ip->total_length);

		assert_memory_equal(e + 12, tag, 4);
		assert_int_equal(e[16], 0x08);
		assert_int_equal(rte_pktmbuf_data_len(m), 18 + tot);
		assert_true(tot <= 1500);
		assert_int_equal(rte_ipv4_cksum(ip), 0);
		assert_int_equal((rte_be_to_cpu_16(ip->fragment_offset) &
				RTE_IPV4_HDR_OFFSET_MASK) * 8, off);
		off += tot - sizeof(*ip);
		k++;
		rte_pktmbuf_free(m);
	}
	assert_int_equal(k, 3);
	assert_int_equal(off, 3000);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_ipv4_larger_than_the_mtu_with_df_is_dropped(void **state)
{
	(void)state;
	static uint8_t f[FRAME_MAX];
	unsigned avail = rte_mempool_avail_count(pool);
	uint64_t df = ctr("dp_outside_drop_frag_df");

	/* The reply keeps the request's DF; 3,000 bytes do not fit. */
	push(0, f, echo_request(f, 3000, true));
	run();
	assert_int_equal(discard_tx(), 0);
	assert_int_equal(ctr("dp_outside_drop_frag_df"), df + 1);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

static void
test_large_403_to_a_fragmented_request_leaves_in_fragments(void **state)
{
	(void)state;
	static char branch[2001];
	unsigned avail = rte_mempool_avail_count(pool);
	uint64_t denied = ctr("dp_outside_deny_identity");
	struct rte_ipv4_hdr hdr;
	unsigned k;

	memset(branch, 'b', sizeof(branch) - 1);
	int len = snprintf(sip, sizeof(sip),
			"SUBSCRIBE sip:alice@example.com SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 198.51.100.10:5060;rport;"
			"branch=z9hG4bK%s\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:w@evil.example>;tag=9\r\n"
			"To: <sip:alice@example.com>\r\n"
			"Call-ID: big403@198.51.100.10\r\n"
			"CSeq: 1 SUBSCRIBE\r\n"
			"Event: presence\r\n"
			"Content-Length: 0\r\n\r\n", branch);
	size_t total = udp(l4a, false, 5060, sip, (size_t)len);

	assert_int_equal(pieces(total), 2);
	push4(0, 115, IPPROTO_UDP, l4a, total, 0);
	push4(0, 115, IPPROTO_UDP, l4a, total, 1);
	run();
	size_t l4 = collect4(&k, &hdr);

	assert_int_equal(k, 2);
	assert_true(l4 > 2000);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(&hdr, got), 0);
	assert_memory_equal(got + sizeof(struct rte_udp_hdr),
			"SIP/2.0 403 ", 12);
	assert_non_null(memmem(got, l4, branch, sizeof(branch) - 1));
	assert_int_equal(ctr("dp_outside_deny_identity"), denied + 1);
	assert_int_equal(discard_tx(), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_fragments_in_order_are_handed_off_once),
		cmocka_unit_test(test_ipv4_fragments_in_reverse_are_handed_off_once),
		cmocka_unit_test(test_interleaved_datagrams_are_each_handed_off),
		cmocka_unit_test(test_ipv6_fragments_are_handed_off_once),
		cmocka_unit_test(test_ipv6_atomic_fragment_is_taken_as_it_is),
		cmocka_unit_test(test_ipv6_fragment_header_behind_another_is_dropped),
		cmocka_unit_test(test_reassembled_datagram_meets_the_acl),
		cmocka_unit_test(test_fragments_from_the_other_port_never_complete_a_datagram),
		cmocka_unit_test(test_overlapping_fragments_discard_the_datagram),
		cmocka_unit_test(test_duplicate_fragment_discards_the_datagram),
		cmocka_unit_test(test_a_ninth_fragment_discards_the_datagram),
		cmocka_unit_test(test_tiny_first_fragment_is_dropped),
		cmocka_unit_test(test_fragment_inside_the_tcp_header_is_dropped),
		cmocka_unit_test(test_fragment_ending_past_65535_is_dropped),
		cmocka_unit_test(test_fragment_not_a_multiple_of_8_is_dropped),
		cmocka_unit_test(test_reassembled_datagram_too_big_for_an_mbuf_is_dropped),
		cmocka_unit_test(test_incomplete_datagram_times_out),
		cmocka_unit_test(test_a_flood_of_incomplete_datagrams_stays_under_the_cap),
		cmocka_unit_test(test_at_the_cap_the_oldest_datagrams_go_first),
		cmocka_unit_test(test_large_send_leaves_in_fragments_within_the_mtu),
		cmocka_unit_test(test_each_large_send_has_its_own_identification),
		cmocka_unit_test(test_ipv6_large_send_leaves_in_fragments_within_the_mtu),
		cmocka_unit_test(test_forwarded_ipv6_larger_than_the_mtu_is_dropped),
		cmocka_unit_test(test_large_echo_request_is_answered_in_fragments),
		cmocka_unit_test(test_fragments_of_a_tagged_frame_keep_its_tag),
		cmocka_unit_test(test_ipv4_larger_than_the_mtu_with_df_is_dropped),
		cmocka_unit_test(test_large_403_to_a_fragmented_request_leaves_in_fragments),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
