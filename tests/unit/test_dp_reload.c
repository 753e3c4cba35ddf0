/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Table reloads under traffic: the dataplane's worker runs on its own
 * lcore (dp_start()) while this thread feeds SIP OPTIONS into the outside
 * port's RX ring and swaps the ACL, the domain tables and the rate limit
 * hundreds of times (RCU snapshots). Every frame must reach exactly one
 * outcome, none may be lost, and a swap that changes the policy must
 * decide the frames that follow it.
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

#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dataplane/dp.h"

static const uint8_t out_mac[6] = { 0x02, 0x5e, 0, 0, 1, 1 };
static const uint8_t peer_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t our_ip[4] = { 198, 51, 100, 1 };
static const uint8_t peer_ip[4] = { 198, 51, 100, 10 };

static struct dp *dp;
static struct stats_reg *reg;
static struct rte_mempool *pool;
static struct rte_ring *rx[2], *tx[2];
static uint8_t frame[1024];
static size_t frame_len;

#define OPTIONS_MSG                                                        \
	"OPTIONS sip:198.51.100.1 SIP/2.0\r\n"                             \
	"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bKr1\r\n"         \
	"Max-Forwards: 70\r\n"                                             \
	"From: <sip:ping@partner.example>;tag=1\r\n"                       \
	"To: <sip:198.51.100.1>\r\n"                                       \
	"Call-ID: r1@198.51.100.10\r\n"                                    \
	"CSeq: 1 OPTIONS\r\n"                                              \
	"Content-Length: 0\r\n\r\n"

static struct dp_acl_rule_cfg permit_sip[] = {
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .dport = "5060", .name = "sip" },
};
/* The same policy with an unrelated rule first: a different table. */
static struct dp_acl_rule_cfg permit_sip_too[] = {
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_DENY,
	  .proto = DP_ACL_PROTO_TCP, .dport = "23" },
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .dport = "5060", .name = "sip" },
};
static struct dp_acl_rule_cfg deny_sip[] = {
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_DENY,
	  .proto = DP_ACL_PROTO_UDP, .dport = "5060", .name = "no-sip" },
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
build_frame(void)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);
	size_t tl = strlen(OPTIONS_MSG), l4 = sizeof(*u) + tl;

	memcpy(e->dst_addr.addr_bytes, out_mac, 6);
	memcpy(e->src_addr.addr_bytes, peer_mac, 6);
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	memcpy(&ip->src_addr, peer_ip, 4);
	memcpy(&ip->dst_addr, our_ip, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u->src_port = rte_cpu_to_be_16(5060);
	u->dst_port = rte_cpu_to_be_16(5060);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)l4);
	u->dgram_cksum = 0;
	memcpy(u + 1, OPTIONS_MSG, tl);
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	frame_len = sizeof(*e) + sizeof(*ip) + l4;
}

static void
set_acl(const struct dp_acl_rule_cfg *c, unsigned n)
{
	struct dp_acl_rule r[4];
	const char *key;
	char why[160];

	for (unsigned i = 0; i < n; i++)
		assert_int_equal(dp_acl_rule_parse(&c[i], i, &r[i], &key, why,
				sizeof(why)), 0);
	assert_int_equal(dp_set_acl(dp, r, n), 0);
}

/* Release what the worker handed off; return how many. */
static uint64_t
drain(void)
{
	struct dp_msg msgs[32];
	uint64_t got = 0;
	unsigned k;

	while ((k = dp_handoff_rx(dp, msgs, 32)) > 0) {
		for (unsigned i = 0; i < k; i++)
			dp_msg_release(dp, &msgs[i]);
		got += k;
	}
	return got;
}

/* Feed n frames (waiting when the RX ring is full); returns handed off. */
static uint64_t
feed(unsigned n)
{
	uint64_t got = 0;

	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

		while (m == NULL) {
			got += drain();
			m = rte_pktmbuf_alloc(pool);
		}
		memcpy(rte_pktmbuf_append(m, (uint16_t)frame_len), frame,
				frame_len);
		while (rte_ring_enqueue(rx[0], m) < 0)
			got += drain();
	}
	return got + drain();
}

/* Wait until the worker has taken every frame and counted it. */
static uint64_t
settle(uint64_t rx_target)
{
	uint64_t got = 0;

	while (!rte_ring_empty(rx[0]) || ctr("dp_outside_rx_frames") <
						 rx_target)
		got += drain();
	/* The last burst's outcomes follow its rx count: poll them out. */
	for (int i = 0; i < 1000; i++) {
		got += drain();
		usleep(100);
	}
	return got + drain();
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
		.mbufs = 2047,
		.mbuf_data_room = 2048,
		.sip_port = 5060,
		.acl = permit_sip,
		.acl_count = 1,
		.ports = {
			.outside = { .device = "net_ring_rl_out",
				     .mac = "02:5e:00:00:01:01",
				     .ipv4 = "198.51.100.1/24" },
			.inside = { .device = "net_ring_rl_in",
				    .mac = "02:5e:00:00:02:01",
				    .ipv4 = "192.0.2.1/24" },
		},
	};

	snprintf(prefix, sizeof(prefix), "test_dp_reload_%d", (int)getpid());
	if (dp_eal_init(&cfg, "test_dp_reload", NULL, 0, err, sizeof(err)) <
	    0) {
		fprintf(stderr, "EAL: %s\n", err);
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		char n[32];

		snprintf(n, sizeof(n), "rrx%d", i);
		rx[i] = rte_ring_create(n, 512, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(n, sizeof(n), "rtx%d", i);
		tx[i] = rte_ring_create(n, 512, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rte_eth_from_rings(i ? "rl_in" : "rl_out", &rx[i], 1,
				&tx[i], 1, SOCKET_ID_ANY) < 0)
			return -1;
	}
	pool = rte_pktmbuf_pool_create("reload_pool", 1023, 0, 64,
			2048 + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	reg = stats_reg_create(4, 512);
	dp = dp_create(&cfg, "test_dp_reload", NULL, 0, reg, err, sizeof(err));
	if (dp == NULL || pool == NULL) {
		fprintf(stderr, "dp_create: %s\n", dp ? "" : err);
		return -1;
	}
	static const char *const local[] = { "example.com" };
	static const struct dp_domain permitted[] = {
		{ "partner.example", true },
	};

	if (dp_set_domains(dp, local, 1, permitted, 1) < 0 ||
	    dp_set_rate_limit(dp, 0, 1) < 0)
		return -1;
	build_frame();
	return dp_start(dp) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	dp_stop(dp);
	drain();
	dp_destroy(dp);
	stats_reg_destroy(reg);
	return 0;
}

static void
test_swapping_tables_under_traffic_loses_no_frame(void **state)
{
	(void)state;
	static const char *const local[] = { "example.com" };
	static const struct dp_domain permitted[] = {
		{ "partner.example", true }, { "other.example", false },
	};
	uint64_t rx0 = ctr("dp_outside_rx_frames");
	uint64_t ho0 = ctr("dp_outside_handoff");
	uint64_t got = 0, sent = 0;

	for (unsigned round = 0; round < 300; round++) {
		got += feed(8);
		sent += 8;
		if (round & 1)
			set_acl(permit_sip_too, 2);
		else
			set_acl(permit_sip, 1);
		assert_int_equal(dp_set_domains(dp, local, 1, permitted,
				1 + (round & 1)), 0);
		if (round % 50 == 0)
			assert_int_equal(dp_set_rate_limit(dp, 0, 1), 0);
	}
	got += settle(rx0 + sent);
	assert_int_equal(ctr("dp_outside_rx_frames") - rx0, sent);
	assert_int_equal(ctr("dp_outside_handoff") - ho0, sent);
	assert_int_equal(got, sent);
}

static void
test_a_swapped_deny_decides_the_frames_after_it(void **state)
{
	(void)state;
	uint64_t rx0 = ctr("dp_outside_rx_frames");
	uint64_t ho0 = ctr("dp_outside_handoff");
	uint64_t got;

	set_acl(deny_sip, 1);
	got = feed(20);
	got += settle(rx0 + 20);
	assert_int_equal(got, 0);
	assert_int_equal(ctr("dp_outside_acl_rule0_deny") >= 20, true);
	assert_int_equal(ctr("dp_outside_handoff"), ho0);

	set_acl(permit_sip, 1);
	got = feed(20);
	got += settle(rx0 + 40);
	assert_int_equal(got, 20);
	assert_int_equal(ctr("dp_outside_handoff"), ho0 + 20);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swapping_tables_under_traffic_loses_no_frame),
		cmocka_unit_test(test_a_swapped_deny_decides_the_frames_after_it),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
