/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The PAT with two workers (dataplane/dp_pat.c): each owns half of the
 * range; a frame that reaches the worker not owning its mapping is passed
 * to the owner's ring and leaves when the owner polls. Both workers are
 * polled on the test's thread, in process on net_ring (two queues per
 * port, both sending into one ring).
 * Next hops are seeded by ARP replies, as in test_dp_pat.c.
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
static const uint8_t node_ip[4] = { 192, 0, 2, 11 };

static struct dp *dp;
static struct stats_reg *reg;
static struct rte_ring *rx[2][2], *tx[2];
static uint64_t hz;

/* As control/default.yaml: the enterprise nodes may send SIP out. */
static struct dp_acl_rule_cfg acl[] = {
	{ .port = DP_PORT_INSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .src = "192.0.2.0/24", .dport = "5060",
	  .name = "enterprise-udp4" },
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

/* Put a frame on port's RX queue of worker 0 (RSS knows no mapping). */
static void
push(unsigned port, const void *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), frame, len);
	assert_int_equal(rte_ring_enqueue(rx[port][0], m), 0);
}

static void
run(void)
{
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

static int
setup(void **state)
{
	(void)state;
	/* Three lcores (main + 2 workers) on whatever CPU there is. */
	static char *eal_args[] = { "--no-huge", "-m", "256", "--no-pci",
				    "--no-telemetry", "--log-level=error",
				    "--lcores=0@0,1@0,2@0" };
	char prefix[64], err[256];
	struct dp_cfg cfg = {
		.eal_args = eal_args,
		.eal_args_count = 7,
		.file_prefix = prefix,
		.workers = 2,
		.poll = DP_POLL_ADAPTIVE,
		.mbufs = 1023,
		.mbuf_data_room = FRAME_MAX,
		.sip_port = 5060,
		.acl = acl,
		.acl_count = sizeof(acl) / sizeof(acl[0]),
		.pat = { .ports = "20000-29999", .table_size = 64 },
		.ports = {
			.outside = { .device = "net_ring_patw_out",
				     .mac = "02:5e:00:00:01:01",
				     .ipv4 = "198.51.100.1/24" },
			.inside = { .device = "net_ring_patw_in",
				    .mac = "02:5e:00:00:02:01",
				    .ipv4 = "192.0.2.1/24" },
		},
	};

	snprintf(prefix, sizeof(prefix), "test_dp_pat_w_%d", (int)getpid());
	if (dp_eal_init(&cfg, "test_dp_pat_workers", NULL, 0, err,
			sizeof(err)) < 0) {
		fprintf(stderr, "EAL: %s\n", err);
		return -1;
	}
	hz = rte_get_tsc_hz();
	for (int i = 0; i < 2; i++) {
		char n[32];
		struct rte_ring *txq[2];

		for (int q = 0; q < 2; q++) {
			snprintf(n, sizeof(n), "patw_rx%d_%d", i, q);
			rx[i][q] = rte_ring_create(n, 256, SOCKET_ID_ANY, 0);
			if (rx[i][q] == NULL)
				return -1;
		}
		snprintf(n, sizeof(n), "patw_tx%d", i);
		tx[i] = rte_ring_create(n, 256, SOCKET_ID_ANY, 0);
		txq[0] = txq[1] = tx[i];
		if (tx[i] == NULL ||
		    rte_eth_from_rings(i ? "patw_in" : "patw_out", rx[i], 2,
				txq, 2, SOCKET_ID_ANY) < 0)
			return -1;
	}
	reg = stats_reg_create(4, 512);
	dp = dp_create(&cfg, "test_dp_pat_workers", NULL, 0, reg, err,
			sizeof(err));
	if (dp == NULL) {
		fprintf(stderr, "dp_create: %s\n", err);
		return -1;
	}
	if (dp_set_rate_limit(dp, 0, 0) < 0)
		return -1;
	arp_reply(OUT, remote_ip, remote_mac);
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
test_a_flow_reaching_the_wrong_worker_leaves_from_its_owner(void **state)
{
	(void)state;
	uint8_t f[FRAME_MAX];
	struct seen s;
	size_t len = 0;

	/* Find a flow worker 1 owns: worker 0 passes it on. */
	for (uint16_t sport = 5060; sport < 5160 && len == 0; sport++) {
		uint64_t before = ctr("dp_inside_pat_handoff");

		push(IN, f, udp_frame(f, IN, node_ip, sport, remote_ip, 5060,
				64, hello));
		dp_poll(dp, 0);
		if (ctr("dp_inside_pat_handoff") == before) {
			discard_tx();
			continue;
		}
		/* Nothing left yet: the owner has not polled. */
		assert_int_equal(sent(OUT, f), 0);
		assert_int_equal(dp_pat_count(&dp->workers[1]), 0);
		dp_poll(dp, 1);
		assert_int_equal(dp_pat_count(&dp->workers[1]), 1);
		len = sent(OUT, f);
		assert_true(len > 0);
	}
	assert_true(len > 0);
	parse_sent(f, len, &s);
	/* Worker 1's slice: the upper half of the range. */
	assert_in_range(rte_be_to_cpu_16(s.u->src_port), 25000, PAT_HI);
	assert_memory_equal(&s.ip->src_addr, our_ip[OUT], 4);

	/* The answer reaches worker 0 too, and goes to the owner. */
	uint16_t p = rte_be_to_cpu_16(s.u->src_port);
	uint64_t before = ctr("dp_outside_pat_handoff");

	push(OUT, f, udp_frame(f, OUT, remote_ip, 5060, our_ip[OUT], p, 64,
			hello));
	dp_poll(dp, 0);
	assert_int_equal(ctr("dp_outside_pat_handoff"), before + 1);
	assert_int_equal(sent(IN, f), 0);
	dp_poll(dp, 1);
	len = sent(IN, f);
	assert_true(len > 0);
	parse_sent(f, len, &s);
	assert_memory_equal(&s.ip->dst_addr, node_ip, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_a_flow_reaching_the_wrong_worker_leaves_from_its_owner),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
