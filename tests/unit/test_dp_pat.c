/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding with dynamic PAT (dataplane/dp_pat.c), in process on
 * net_ring as in test_dp_frag.c: an inside node's UDP to a foreign
 * address leaves from the outside address and a PAT port, its return
 * traffic reaches the node, anything else to that port meets the ACL,
 * and mappings age out at a later TSC passed explicitly (no sleep). Next
 * hops are seeded by ARP replies put on the ports' RX rings. The SIP ALG:
 * a SUBSCRIBE's Via and Contact leave rewritten, the 200 comes back with
 * its Via restored, the NOTIFY to the Contact with its Request-URI.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dataplane/dp_priv.h"

#define FRAME_MAX 2048
#define PAT_LO 20000
#define PAT_HI 29999

enum { OUT = 0, IN = 1 };

static const uint8_t our_mac[2][6] = {
	{ 0x02, 0x5e, 0, 0, 1, 1 }, { 0x02, 0x5e, 0, 0, 2, 1 },
};
static const uint8_t remote_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t node_mac[6] = { 0x02, 0x66, 0x77, 0x88, 0x99, 0xaa };
static const uint8_t our_ip[2][4] = { { 198, 51, 100, 1 }, { 192, 0, 2, 1 } };
static const uint8_t remote_ip[4] = { 198, 51, 100, 10 };
static const uint8_t other_ip[4] = { 198, 51, 100, 20 };
static const uint8_t node_ip[4] = { 192, 0, 2, 11 };

static struct dp *dp;
static struct stats_reg *reg;
static struct rte_ring *rx[2], *tx[2];
static uint64_t hz;

/* As control/default.yaml: the enterprise nodes may send SIP out. */
static struct dp_acl_rule_cfg acl[] = {
	{ .port = DP_PORT_INSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .src = "192.0.2.0/24", .dport = "5060",
	  .name = "enterprise-udp4" },
	/* The static below opens nothing by itself: it needs this. */
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .dport = "7000", .name = "static" },
};

/* A static: outside UDP 7000 to the node's 7001. */
static char *static_to[] = { "192.0.2.11:7001" };
static struct dp_pat_static_cfg statics[] = {
	{ .proto = DP_ACL_PROTO_UDP, .port = 7000, .to = static_to,
	  .to_count = 1, .name = "test" },
};

static uint64_t
ctr(const char *name)
{
	uint64_t v = 0;
	int id = stats_find(reg, name);

	assert_true(id >= 0);
	assert_int_equal(stats_read(reg, (unsigned)id, &v), 0);
	return v;
}

static void
push(unsigned port, const void *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), frame, len);
	assert_int_equal(rte_ring_enqueue(rx[port], m), 0);
}

static void
run(void)
{
	do
		dp_poll(dp, 0);
	while (rte_ring_count(rx[0]) + rte_ring_count(rx[1]) > 0);
	dp_poll(dp, 0);
}

/* The next frame sent on port into f. @return its length, 0: none. */
static size_t
sent(unsigned port, uint8_t *f)
{
	struct rte_mbuf *m;
	size_t len;

	if (rte_ring_dequeue(tx[port], (void **)&m) != 0)
		return 0;
	len = rte_pktmbuf_data_len(m);
	assert_true(len <= FRAME_MAX);
	memcpy(f, rte_pktmbuf_mtod(m, void *), len);
	rte_pktmbuf_free(m);
	return len;
}

static void
discard_tx(void)
{
	uint8_t f[FRAME_MAX];

	for (unsigned p = 0; p < 2; p++)
		while (sent(p, f) > 0)
			;
}

/* An ARP reply from ip/mac to the appliance on port: seeds its next hop. */
static void
arp_reply(unsigned port, const uint8_t ip[4], const uint8_t mac[6])
{
	uint8_t f[64] = { 0 };
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(e + 1);

	memcpy(e->dst_addr.addr_bytes, our_mac[port], 6);
	memcpy(e->src_addr.addr_bytes, mac, 6);
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	memcpy(a->arp_data.arp_sha.addr_bytes, mac, 6);
	memcpy(&a->arp_data.arp_sip, ip, 4);
	memcpy(a->arp_data.arp_tha.addr_bytes, our_mac[port], 6);
	memcpy(&a->arp_data.arp_tip, our_ip[port], 4);
	push(port, f, 60);
}

/* Ethernet + IPv4 + UDP around payload, received on port. */
static size_t
udp_frame(uint8_t *f, unsigned port, const uint8_t src[4], uint16_t sport,
		const uint8_t dst[4], uint16_t dport, uint8_t ttl,
		const char *payload)
{
	size_t plen = strlen(payload);
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

	memcpy(e->dst_addr.addr_bytes, our_mac[port], 6);
	memcpy(e->src_addr.addr_bytes, port == IN ? node_mac : remote_mac, 6);
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + 8 + plen));
	ip->time_to_live = ttl;
	ip->next_proto_id = IPPROTO_UDP;
	memcpy(&ip->src_addr, src, 4);
	memcpy(&ip->dst_addr, dst, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u->src_port = rte_cpu_to_be_16(sport);
	u->dst_port = rte_cpu_to_be_16(dport);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + plen));
	u->dgram_cksum = 0;
	memcpy(u + 1, payload, plen);
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	return sizeof(*e) + 20 + 8 + plen;
}

/* What a sent frame carries, its checksums checked. */
struct seen {
	struct rte_ether_hdr *e;
	struct rte_ipv4_hdr *ip;
	struct rte_udp_hdr *u;
	const char *payload;
	size_t plen;
};

static void
parse_sent(uint8_t *f, size_t len, struct seen *s)
{
	assert_true(len >= 14 + 20 + 8);
	s->e = (struct rte_ether_hdr *)f;
	assert_int_equal(rte_be_to_cpu_16(s->e->ether_type),
			RTE_ETHER_TYPE_IPV4);
	s->ip = (struct rte_ipv4_hdr *)(s->e + 1);
	assert_int_equal(rte_ipv4_cksum(s->ip), 0);
	s->u = (struct rte_udp_hdr *)(s->ip + 1);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(s->ip, s->u), 0);
	s->payload = (const char *)(s->u + 1);
	s->plen = rte_be_to_cpu_16(s->u->dgram_len) - 8;
}

static const char hello[] = "OPTIONS sip:x SIP/2.0\r\n\r\n";

/* Send hello from the node's port sport out; @return the PAT port. */
static uint16_t
go_out(uint16_t sport)
{
	uint8_t f[FRAME_MAX];
	size_t len = udp_frame(f, IN, node_ip, sport, remote_ip, 5060, 64,
			hello);
	struct seen s;

	push(IN, f, len);
	run();
	len = sent(OUT, f);
	assert_true(len > 0);
	parse_sent(f, len, &s);
	return rte_be_to_cpu_16(s.u->src_port);
}

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
		.mbuf_data_room = FRAME_MAX,
		.sip_port = 5060,
		.acl = acl,
		.acl_count = sizeof(acl) / sizeof(acl[0]),
		.pat = { .ports = "20000-29999", .udp_timeout_s = 300,
			 .tcp_timeout_s = 7200, .table_size = 64,
			 .statics = statics, .statics_count = 1 },
		.ports = {
			.outside = { .device = "net_ring_pat_out",
				     .mac = "02:5e:00:00:01:01",
				     .ipv4 = "198.51.100.1/24" },
			.inside = { .device = "net_ring_pat_in",
				    .mac = "02:5e:00:00:02:01",
				    .ipv4 = "192.0.2.1/24" },
		},
	};

	snprintf(prefix, sizeof(prefix), "test_dp_pat_%d", (int)getpid());
	if (dp_eal_init(&cfg, "test_dp_pat", NULL, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "EAL: %s\n", err);
		return -1;
	}
	hz = rte_get_tsc_hz();
	for (int i = 0; i < 2; i++) {
		char n[32];

		snprintf(n, sizeof(n), "pat_rx%d", i);
		rx[i] = rte_ring_create(n, 256, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(n, sizeof(n), "pat_tx%d", i);
		tx[i] = rte_ring_create(n, 256, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rx[i] == NULL || tx[i] == NULL ||
		    rte_eth_from_rings(i ? "pat_in" : "pat_out", &rx[i], 1,
				&tx[i], 1, SOCKET_ID_ANY) < 0)
			return -1;
	}
	reg = stats_reg_create(4, 512);
	dp = dp_create(&cfg, "test_dp_pat", NULL, 0, reg, err, sizeof(err));
	if (dp == NULL) {
		fprintf(stderr, "dp_create: %s\n", err);
		return -1;
	}
	if (dp_set_rate_limit(dp, 0, 0) < 0)
		return -1;
	/* Both next hops known before any test sends. */
	arp_reply(OUT, remote_ip, remote_mac);
	arp_reply(OUT, other_ip, remote_mac);
	arp_reply(IN, node_ip, node_mac);
	run();
	discard_tx();
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

static void
test_inside_udp_leaves_from_the_outside_address_and_a_pat_port(void **state)
{
	(void)state;
	uint8_t f[FRAME_MAX];
	size_t len = udp_frame(f, IN, node_ip, 5060, remote_ip, 5060, 64,
			hello);
	uint64_t before = ctr("dp_inside_pat_out");
	struct seen s;

	push(IN, f, len);
	run();
	len = sent(OUT, f);
	assert_true(len > 0);
	parse_sent(f, len, &s);
	assert_memory_equal(&s.ip->src_addr, our_ip[OUT], 4);
	assert_memory_equal(&s.ip->dst_addr, remote_ip, 4);
	assert_int_equal(s.ip->time_to_live, 63);
	assert_in_range(rte_be_to_cpu_16(s.u->src_port), PAT_LO, PAT_HI);
	assert_int_equal(rte_be_to_cpu_16(s.u->dst_port), 5060);
	assert_memory_equal(s.e->dst_addr.addr_bytes, remote_mac, 6);
	assert_memory_equal(s.e->src_addr.addr_bytes, our_mac[OUT], 6);
	assert_int_equal(s.plen, strlen(hello));
	assert_memory_equal(s.payload, hello, s.plen);
	assert_int_equal(ctr("dp_inside_pat_out"), before + 1);
}

static void
test_the_same_flow_keeps_its_pat_port(void **state)
{
	(void)state;
	assert_int_equal(go_out(5070), go_out(5070));
}

static void
test_return_traffic_reaches_the_inside_node(void **state)
{
	(void)state;
	uint16_t p = go_out(5060);
	uint8_t f[FRAME_MAX];
	static const char ok[] = "SIP/2.0 200 OK\r\n\r\n";
	size_t len = udp_frame(f, OUT, remote_ip, 5060, our_ip[OUT], p, 64,
			ok);
	uint64_t before = ctr("dp_outside_pat_in");
	struct seen s;

	push(OUT, f, len);
	run();
	len = sent(IN, f);
	assert_true(len > 0);
	parse_sent(f, len, &s);
	assert_memory_equal(&s.ip->src_addr, remote_ip, 4);
	assert_memory_equal(&s.ip->dst_addr, node_ip, 4);
	assert_int_equal(rte_be_to_cpu_16(s.u->dst_port), 5060);
	assert_int_equal(s.ip->time_to_live, 63);
	assert_memory_equal(s.e->dst_addr.addr_bytes, node_mac, 6);
	assert_memory_equal(s.payload, ok, strlen(ok));
	assert_int_equal(ctr("dp_outside_pat_in"), before + 1);
}

static void
test_another_remote_to_the_pat_port_meets_the_default_deny(void **state)
{
	(void)state;
	uint16_t p = go_out(5060);
	uint8_t f[FRAME_MAX];
	size_t len = udp_frame(f, OUT, other_ip, 5060, our_ip[OUT], p, 64,
			hello);
	uint64_t deny = ctr("dp_outside_drop_acl_default");
	uint64_t miss = ctr("dp_outside_pat_in_miss");

	push(OUT, f, len);
	run();
	assert_int_equal(sent(IN, f), 0);
	assert_int_equal(ctr("dp_outside_drop_acl_default"), deny + 1);
	assert_int_equal(ctr("dp_outside_pat_in_miss"), miss + 1);
}

static void
test_forwarding_the_acl_does_not_permit_is_denied(void **state)
{
	(void)state;
	uint8_t f[FRAME_MAX];
	size_t len = udp_frame(f, IN, node_ip, 5060, remote_ip, 80, 64,
			hello);
	uint64_t deny = ctr("dp_inside_drop_acl_default");

	push(IN, f, len);
	run();
	assert_int_equal(sent(OUT, f), 0);
	assert_int_equal(ctr("dp_inside_drop_acl_default"), deny + 1);
}

static void
test_ttl_of_one_is_not_forwarded(void **state)
{
	(void)state;
	uint8_t f[FRAME_MAX];
	size_t len = udp_frame(f, IN, node_ip, 5060, remote_ip, 5060, 1,
			hello);
	uint64_t ttl = ctr("dp_inside_drop_ip_ttl");

	push(IN, f, len);
	run();
	assert_int_equal(sent(OUT, f), 0);
	assert_int_equal(ctr("dp_inside_drop_ip_ttl"), ttl + 1);
}

static void
test_an_idle_mapping_ages_out(void **state)
{
	(void)state;
	uint16_t p = go_out(5080);
	uint8_t f[FRAME_MAX];
	size_t len = udp_frame(f, OUT, remote_ip, 5060, our_ip[OUT], p, 64,
			hello);
	uint64_t expired = ctr("dp_outside_pat_expired");
	unsigned live = dp_pat_count(&dp->workers[0]);
	uint64_t deny = ctr("dp_outside_drop_acl_default");

	/* Still live just before its 300 s; gone after. */
	dp_pat_poll(&dp->workers[0], rte_rdtsc() + 290 * hz, 1u << 20);
	assert_int_equal(dp_pat_count(&dp->workers[0]), live);
	dp_pat_poll(&dp->workers[0], rte_rdtsc() + 301 * hz, 1u << 20);
	assert_true(dp_pat_count(&dp->workers[0]) < live);
	assert_true(ctr("dp_outside_pat_expired") > expired);
	push(OUT, f, len);
	run();
	assert_int_equal(sent(IN, f), 0);
	assert_int_equal(ctr("dp_outside_drop_acl_default"), deny + 1);
}

/* payload holds text. */
static bool
has(const struct seen *s, const char *text)
{
	return memmem(s->payload, s->plen, text, strlen(text)) != NULL;
}

/* Send msg from the node's 5060 out to the remote's; s: what left. */
static size_t
sip_out(uint8_t *f, const char *msg, struct seen *s)
{
	size_t len = udp_frame(f, IN, node_ip, 5060, remote_ip, 5060, 64,
			msg);

	push(IN, f, len);
	run();
	len = sent(OUT, f);
	if (len > 0)
		parse_sent(f, len, s);
	return len;
}

/* Send msg from the remote's 5060 to our port p; s: what reached in. */
static size_t
sip_in(uint8_t *f, uint16_t p, const char *msg, struct seen *s)
{
	size_t len = udp_frame(f, OUT, remote_ip, 5060, our_ip[OUT], p, 64,
			msg);

	push(OUT, f, len);
	run();
	len = sent(IN, f);
	if (len > 0)
		parse_sent(f, len, s);
	return len;
}

static const char subscribe[] =
	"SUBSCRIBE sip:bob@partner.example SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 192.0.2.11:5060;branch=z9hG4bKs1\r\n"
	"Max-Forwards: 70\r\n"
	"From: <sip:alice@example.com>;tag=a1\r\n"
	"To: <sip:bob@partner.example>\r\n"
	"Call-ID: c1@192.0.2.11\r\n"
	"CSeq: 1 SUBSCRIBE\r\n"
	"Contact: <sip:alice@192.0.2.11:5060>\r\n"
	"Event: presence\r\n"
	"Expires: 600\r\n"
	"Content-Length: 0\r\n\r\n";

static void
test_subscribe_leaves_with_via_and_contact_rewritten(void **state)
{
	(void)state;
	uint8_t f[FRAME_MAX];
	char want[64];
	struct seen s;
	uint64_t alg = ctr("dp_inside_pat_alg");

	assert_true(sip_out(f, subscribe, &s) > 0);
	uint16_t p = rte_be_to_cpu_16(s.u->src_port);

	snprintf(want, sizeof(want), "Via: SIP/2.0/UDP 198.51.100.1:%u;"
			"branch=z9hG4bKs1\r\n", p);
	assert_true(has(&s, want));
	snprintf(want, sizeof(want), "Contact: <sip:alice@198.51.100.1:%u>"
			"\r\n", p);
	assert_true(has(&s, want));
	assert_false(has(&s, "192.0.2.11:5060"));
	/* Call-ID is an opaque token: never touched. */
	assert_true(has(&s, "Call-ID: c1@192.0.2.11\r\n"));
	assert_true(has(&s, "Content-Length: 0\r\n\r\n"));
	/* "192.0.2.11:5060" twice became "198.51.100.1:2xxxx", 3 longer. */
	assert_int_equal(s.plen, strlen(subscribe) + 6);
	assert_int_equal(ctr("dp_inside_pat_alg"), alg + 1);
}

static void
test_the_200_reaches_the_node_with_its_via_restored(void **state)
{
	(void)state;
	uint8_t f[FRAME_MAX];
	char msg[1024];
	struct seen s;

	assert_true(sip_out(f, subscribe, &s) > 0);
	uint16_t p = rte_be_to_cpu_16(s.u->src_port);

	snprintf(msg, sizeof(msg), "SIP/2.0 200 OK\r\n"
			"Via: SIP/2.0/UDP 198.51.100.1:%u;branch=z9hG4bKs1;"
			"received=198.51.100.1\r\n"
			"From: <sip:alice@example.com>;tag=a1\r\n"
			"To: <sip:bob@partner.example>;tag=b1\r\n"
			"Call-ID: c1@192.0.2.11\r\n"
			"CSeq: 1 SUBSCRIBE\r\n"
			"Contact: <sip:bob@198.51.100.10:5060>\r\n"
			"Expires: 600\r\n"
			"Content-Length: 0\r\n\r\n", p);
	assert_true(sip_in(f, p, msg, &s) > 0);
	assert_memory_equal(&s.ip->dst_addr, node_ip, 4);
	assert_true(has(&s, "Via: SIP/2.0/UDP 192.0.2.11:5060;"
			"branch=z9hG4bKs1;received=198.51.100.1\r\n"));
	assert_true(has(&s, "Contact: <sip:bob@198.51.100.10:5060>\r\n"));
}

static void
test_a_notify_to_the_contact_reaches_the_node_with_its_ruri_restored(
		void **state)
{
	(void)state;
	uint8_t f[FRAME_MAX];
	char msg[1024];
	struct seen s;

	assert_true(sip_out(f, subscribe, &s) > 0);
	uint16_t p = rte_be_to_cpu_16(s.u->src_port);

	snprintf(msg, sizeof(msg), "NOTIFY sip:alice@198.51.100.1:%u SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bKn1\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:bob@partner.example>;tag=b1\r\n"
			"To: <sip:alice@example.com>;tag=a1\r\n"
			"Call-ID: c1@192.0.2.11\r\n"
			"CSeq: 1 NOTIFY\r\n"
			"Event: presence\r\n"
			"Subscription-State: active;expires=600\r\n"
			"Content-Length: 0\r\n\r\n", p);
	assert_true(sip_in(f, p, msg, &s) > 0);
	assert_memory_equal(&s.ip->dst_addr, node_ip, 4);
	assert_int_equal(rte_be_to_cpu_16(s.u->dst_port), 5060);
	assert_true(has(&s, "NOTIFY sip:alice@192.0.2.11:5060 SIP/2.0\r\n"));
	assert_true(has(&s, "Via: SIP/2.0/UDP 198.51.100.10:5060;"
			"branch=z9hG4bKn1\r\n"));
}

static void
test_sdp_addresses_are_rewritten_and_content_length_follows(void **state)
{
	(void)state;
	static const char sdp[] =
		"v=0\r\n"
		"o=alice 1 1 IN IP4 192.0.2.11\r\n"
		"s=-\r\n"
		"c=IN IP4 192.0.2.11\r\n"
		"t=0 0\r\n"
		"m=audio 40000 RTP/AVP 0\r\n";
	static const char sdp_out[] =
		"v=0\r\n"
		"o=alice 1 1 IN IP4 198.51.100.1\r\n"
		"s=-\r\n"
		"c=IN IP4 198.51.100.1\r\n"
		"t=0 0\r\n"
		"m=audio 40000 RTP/AVP 0\r\n";
	uint8_t f[FRAME_MAX];
	char msg[2048], want[64];
	struct seen s;

	snprintf(msg, sizeof(msg), "INVITE sip:bob@partner.example SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 192.0.2.11;branch=z9hG4bKi1\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:alice@example.com>;tag=a2\r\n"
			"To: <sip:bob@partner.example>\r\n"
			"Call-ID: c2@x\r\n"
			"CSeq: 1 INVITE\r\n"
			"Contact: <sip:alice@192.0.2.11>\r\n"
			"Content-Type: application/sdp\r\n"
			"Content-Length: %zu\r\n\r\n%s", strlen(sdp), sdp);
	assert_true(sip_out(f, msg, &s) > 0);
	uint16_t p = rte_be_to_cpu_16(s.u->src_port);

	/* No port written means 5060, the node's: the PAT port goes in. */
	snprintf(want, sizeof(want), "Contact: <sip:alice@198.51.100.1:%u>",
			p);
	assert_true(has(&s, want));
	snprintf(want, sizeof(want), "Content-Length: %zu\r\n\r\n",
			strlen(sdp_out));
	assert_true(has(&s, want));
	assert_int_equal(memcmp(s.payload + s.plen - strlen(sdp_out),
			sdp_out, strlen(sdp_out)), 0);
}

static void
test_unparsable_sip_through_the_pat_is_dropped(void **state)
{
	(void)state;
	uint8_t f[FRAME_MAX];
	struct seen s;
	uint64_t drop = ctr("dp_inside_drop_pat_alg");

	assert_int_equal(sip_out(f, "NOT SIP AT ALL\r\n\r\n", &s), 0);
	assert_int_equal(ctr("dp_inside_drop_pat_alg"), drop + 1);
}

static void
test_a_static_port_reaches_its_node_and_the_reply_leaves_from_it(void **state)
{
	(void)state;
	uint8_t f[FRAME_MAX];
	struct seen s;
	uint64_t in0 = ctr("dp_outside_pat_static_in");
	uint64_t out0 = ctr("dp_inside_pat_static_out");
	size_t len = udp_frame(f, OUT, remote_ip, 41000, our_ip[OUT], 7000, 64,
			"xmpp-ish");

	push(OUT, f, len);
	run();
	len = sent(IN, f);
	assert_true(len > 0);
	parse_sent(f, len, &s);
	assert_memory_equal(&s.ip->dst_addr, node_ip, 4);
	assert_int_equal(rte_be_to_cpu_16(s.u->dst_port), 7001);
	assert_memory_equal(&s.ip->src_addr, remote_ip, 4);
	assert_memory_equal(s.e->dst_addr.addr_bytes, node_mac, 6);
	assert_int_equal(ctr("dp_outside_pat_static_in"), in0 + 1);

	/* The node answers from 7001: no inside ACL rule is needed. */
	len = udp_frame(f, IN, node_ip, 7001, remote_ip, 41000, 64, "reply");
	push(IN, f, len);
	run();
	len = sent(OUT, f);
	assert_true(len > 0);
	parse_sent(f, len, &s);
	assert_memory_equal(&s.ip->src_addr, our_ip[OUT], 4);
	assert_int_equal(rte_be_to_cpu_16(s.u->src_port), 7000);
	assert_memory_equal(&s.ip->dst_addr, remote_ip, 4);
	assert_int_equal(rte_be_to_cpu_16(s.u->dst_port), 41000);
	assert_int_equal(ctr("dp_inside_pat_static_out"), out0 + 1);
}

static void
test_a_static_node_cannot_open_a_flow_from_its_static_port(void **state)
{
	(void)state;
	uint8_t f[FRAME_MAX];
	uint64_t drop0 = ctr("dp_inside_drop_pat_no_session");
	size_t len = udp_frame(f, IN, node_ip, 7001, other_ip, 41000, 64,
			"unsolicited");

	push(IN, f, len);
	run();
	assert_int_equal(sent(OUT, f), 0);
	assert_int_equal(ctr("dp_inside_drop_pat_no_session"), drop0 + 1);
}

static void
test_a_reloaded_static_table_takes_effect(void **state)
{
	(void)state;
	uint8_t f[FRAME_MAX];
	char err[128];
	struct dp_cfg none = { .pat = { .statics_count = 0 } };
	struct dp_cfg back = { .pat = { .statics = statics,
					.statics_count = 1 } };
	uint64_t permit0 = ctr("dp_outside_acl_rule1_permit");
	size_t len;

	assert_int_equal(dp_set_pat_statics_cfg(dp, &none, err, sizeof(err)),
			0);
	/* Permitted by the ACL, but no static: the kernel's business, and
	 * without a TAP here, dropped as a closed UDP port. */
	uint64_t closed0 = ctr("dp_outside_drop_udp_port");

	len = udp_frame(f, OUT, remote_ip, 41001, our_ip[OUT], 7000, 64, "x");
	push(OUT, f, len);
	run();
	assert_int_equal(sent(IN, f), 0);
	assert_int_equal(ctr("dp_outside_acl_rule1_permit"), permit0 + 1);
	assert_int_equal(ctr("dp_outside_drop_udp_port"), closed0 + 1);
	assert_int_equal(dp_set_pat_statics_cfg(dp, &back, err, sizeof(err)),
			0);
	push(OUT, f, len);
	run();
	assert_true(sent(IN, f) > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_inside_udp_leaves_from_the_outside_address_and_a_pat_port),
		cmocka_unit_test(test_the_same_flow_keeps_its_pat_port),
		cmocka_unit_test(test_return_traffic_reaches_the_inside_node),
		cmocka_unit_test(
			test_another_remote_to_the_pat_port_meets_the_default_deny),
		cmocka_unit_test(
			test_forwarding_the_acl_does_not_permit_is_denied),
		cmocka_unit_test(test_ttl_of_one_is_not_forwarded),
		cmocka_unit_test(test_an_idle_mapping_ages_out),
		cmocka_unit_test(
			test_subscribe_leaves_with_via_and_contact_rewritten),
		cmocka_unit_test(
			test_the_200_reaches_the_node_with_its_via_restored),
		cmocka_unit_test(
			test_a_notify_to_the_contact_reaches_the_node_with_its_ruri_restored),
		cmocka_unit_test(
			test_sdp_addresses_are_rewritten_and_content_length_follows),
		cmocka_unit_test(
			test_unparsable_sip_through_the_pat_is_dropped),
		cmocka_unit_test(
			test_a_static_port_reaches_its_node_and_the_reply_leaves_from_it),
		cmocka_unit_test(
			test_a_static_node_cannot_open_a_flow_from_its_static_port),
		cmocka_unit_test(test_a_reloaded_static_table_takes_effect),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
