/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dataplane pipeline benchmark, in process on net_ring: one worker polls
 * the outside port, whose RX ring is refilled with a mix of SIP frames
 * (permitted SUBSCRIBEs handed to the control plane, SUBSCRIBEs from a
 * non-permitted domain answered 403 by the worker, malformed datagrams),
 * and the inside port, whose RX ring gets an inside node's SUBSCRIBEs to
 * a foreign peer (PAT'd: the inside ACL, translation, the SIP ALG);
 * the hand-off ring and the TX ring are drained as the run goes. Prints
 * frames per second on the one worker core and, per kind, the share.
 *
 * usage: dp_pipeline [--seconds S] [--iterations N]
 *                    [--mix permit|deny|bad|pat|all]
 * Under callgrind, a fixed number of iterations gives instructions per
 * frame: run N and 1 iterations and divide the difference.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dataplane/dp.h"

#define BURST 32
static const uint8_t our_mac[6] = { 0x02, 0x5e, 0, 0, 1, 1 };
static const uint8_t peer_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

/* A ~600-byte SUBSCRIBE, as a federated watcher sends it. */
#define SUBSCRIBE(dom)                                                     \
	"SUBSCRIBE sip:alice@example.com SIP/2.0\r\n"                      \
	"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK776asdhds;rport\r\n" \
	"Max-Forwards: 70\r\n"                                             \
	"From: \"Pat Partner\" <sip:pat@" dom ">;tag=1928301774\r\n"       \
	"To: <sip:alice@example.com>\r\n"                                  \
	"Call-ID: a84b4c76e66710@198.51.100.10\r\n"                        \
	"CSeq: 314159 SUBSCRIBE\r\n"                                       \
	"Contact: <sip:pat@198.51.100.10:5060;transport=udp>\r\n"          \
	"P-Asserted-Identity: \"Pat Partner\" <sip:pat@" dom ">\r\n"       \
	"Event: presence\r\n"                                              \
	"Accept: application/pidf+xml, multipart/related\r\n"              \
	"Supported: eventlist\r\n"                                         \
	"Expires: 3600\r\n"                                                \
	"User-Agent: partner-client/4.2\r\n"                               \
	"Content-Length: 0\r\n\r\n"

/* The same from an inside node to a foreign peer, through the PAT. */
#define SUBSCRIBE_OUT                                                      \
	"SUBSCRIBE sip:pat@partner.example SIP/2.0\r\n"                    \
	"Via: SIP/2.0/UDP 192.0.2.11:5060;branch=z9hG4bK776asdhds;rport\r\n" \
	"Max-Forwards: 70\r\n"                                             \
	"From: \"Alice\" <sip:alice@example.com>;tag=1928301774\r\n"       \
	"To: <sip:pat@partner.example>\r\n"                                \
	"Call-ID: a84b4c76e66710@192.0.2.11\r\n"                           \
	"CSeq: 314159 SUBSCRIBE\r\n"                                       \
	"Contact: <sip:alice@192.0.2.11:5060;transport=udp>\r\n"           \
	"P-Asserted-Identity: \"Alice\" <sip:alice@example.com>\r\n"       \
	"Event: presence\r\n"                                              \
	"Accept: application/pidf+xml, multipart/related\r\n"              \
	"Supported: eventlist\r\n"                                         \
	"Expires: 3600\r\n"                                                \
	"User-Agent: example-client/4.2\r\n"                               \
	"Content-Length: 0\r\n\r\n"

#define KINDS 4
#define KIND_PAT 3
static const char *const kinds[KINDS] = { "permit", "deny", "bad", "pat" };
static const char *const payloads[KINDS] = {
	SUBSCRIBE("partner.example"),
	SUBSCRIBE("evil.example"),
	"SUBSCRIBE sip:alice@example.com SIP/2.0\r\nTo: a\rb\r\n\r\n",
	SUBSCRIBE_OUT,
};

static struct rte_mempool *pool;
static struct rte_ring *rx, *tx, *rx_in, *tx_in;
static uint8_t frames[KINDS][1024];
static size_t frame_len[KINDS];
static const uint8_t in_mac[6] = { 0x02, 0x5e, 0, 0, 2, 1 };
static const uint8_t node_mac[6] = { 0x02, 0x66, 0x77, 0x88, 0x99, 0xaa };

static size_t
build(uint8_t *f, const char *text, bool inside)
{
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)f;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);
	size_t tl = strlen(text), l4 = sizeof(*u) + tl;

	memcpy(e->dst_addr.addr_bytes, inside ? in_mac : our_mac, 6);
	memcpy(e->src_addr.addr_bytes, inside ? node_mac : peer_mac, 6);
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	/* 192.0.2.11 -> 198.51.100.10, or 198.51.100.10 -> .1 */
	ip->src_addr = rte_cpu_to_be_32(inside ? 0xc000020b : 0xc633640a);
	ip->dst_addr = rte_cpu_to_be_32(inside ? 0xc633640a : 0xc6336401);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	u->src_port = rte_cpu_to_be_16(5060);
	u->dst_port = rte_cpu_to_be_16(5060);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)l4);
	u->dgram_cksum = 0;
	memcpy(u + 1, text, tl);
	u->dgram_cksum = rte_ipv4_udptcp_cksum(ip, u);
	return sizeof(*e) + sizeof(*ip) + l4;
}

static struct dp *
setup(struct stats_reg *reg)
{
	static char *eal_args[] = { "--no-huge", "-m", "256", "--no-pci",
				    "--no-telemetry", "--log-level=error" };
	static char prefix[64];
	char err[256];
	/* The lab's ACL for SIP over UDP: the frames meet rte_acl. */
	static struct dp_acl_rule_cfg acl[] = {
		{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_UDP, .dst = "198.51.100.1/32",
		  .dport = "5060" },
		{ .port = DP_PORT_INSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_UDP, .dst = "192.0.2.1/32",
		  .dport = "5060" },
		/* As the default config: the enterprise may send SIP out. */
		{ .port = DP_PORT_INSIDE, .action = DP_ACL_PERMIT,
		  .proto = DP_ACL_PROTO_UDP, .src = "192.0.2.0/24",
		  .dport = "5060" },
	};
	struct dp_cfg cfg = {
		.eal_args = eal_args, .eal_args_count = 6,
		.acl = acl, .acl_count = 3,
		.file_prefix = prefix, .workers = 1,
		.poll = DP_POLL_BUSY, .mbufs = 2047, .mbuf_data_room = 2048,
		.sip_port = 5060,
		.ports = {
			.outside = { .device = "net_ring_bench_out",
				     .mac = "02:5e:00:00:01:01",
				     .ipv4 = "198.51.100.1/24" },
			.inside = { .device = "net_ring_bench_in",
				    .mac = "02:5e:00:00:02:01",
				    .ipv4 = "192.0.2.1/24" },
		},
	};
	static const char *const local[] = { "example.com" };
	static const struct dp_domain permitted[] = {
		{ "partner.example", true },
	};

	snprintf(prefix, sizeof(prefix), "bench_dp_%d", (int)getpid());
	if (dp_eal_init(&cfg, "dp_pipeline", NULL, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "EAL: %s\n", err);
		return NULL;
	}
	rx = rte_ring_create("b_rx", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ |
			RING_F_SC_DEQ);
	tx = rte_ring_create("b_tx", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ |
			RING_F_SC_DEQ);
	rx_in = rte_ring_create("b_rx_in", 1024, SOCKET_ID_ANY, 0);
	tx_in = rte_ring_create("b_tx_in", 1024, SOCKET_ID_ANY, 0);
	if (rte_eth_from_rings("bench_out", &rx, 1, &tx, 1, SOCKET_ID_ANY) < 0 ||
	    rte_eth_from_rings("bench_in", &rx_in, 1, &tx_in, 1,
			    SOCKET_ID_ANY) < 0)
		return NULL;
	pool = rte_pktmbuf_pool_create("bench_pool", 1023, 64, 0,
			2048 + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	struct dp *dp = dp_create(&cfg, "dp_pipeline", NULL, 0, reg, err,
			sizeof(err));

	if (dp == NULL) {
		fprintf(stderr, "dp_create: %s\n", err);
		return NULL;
	}
	if (dp_set_domains(dp, local, 1, permitted, 1) < 0 ||
	    dp_set_rate_limit(dp, 0, 1) < 0)
		return NULL;
	/* The foreign peer's MAC, as its ARP reply teaches it (the PAT'd
	 * frames leave towards it). */
	uint8_t f[64] = { 0 };
	struct rte_ether_hdr *e = (struct rte_ether_hdr *)f;
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(e + 1);
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	const uint8_t peer_ip[4] = { 198, 51, 100, 10 };
	const uint8_t out_ip[4] = { 198, 51, 100, 1 };

	memcpy(e->dst_addr.addr_bytes, our_mac, 6);
	memcpy(e->src_addr.addr_bytes, peer_mac, 6);
	e->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	memcpy(a->arp_data.arp_sha.addr_bytes, peer_mac, 6);
	memcpy(&a->arp_data.arp_sip, peer_ip, 4);
	memcpy(a->arp_data.arp_tha.addr_bytes, our_mac, 6);
	memcpy(&a->arp_data.arp_tip, out_ip, 4);
	if (m == NULL)
		return NULL;
	memcpy(rte_pktmbuf_append(m, 60), f, 60);
	rte_ring_enqueue(rx, m);
	dp_poll(dp, 0);
	return dp;
}

/* One burst: refill RX with the mix, poll, drain what came out. */
static unsigned
step(struct dp *dp, const unsigned *mix, unsigned nmix, unsigned *next)
{
	struct rte_mbuf *m[BURST];
	struct dp_msg msgs[BURST];
	void *out[BURST];
	unsigned n;

	struct rte_mbuf *in[BURST];
	unsigned n_out = 0, n_in = 0;

	if (rte_pktmbuf_alloc_bulk(pool, m, BURST) < 0)
		return 0;
	for (unsigned i = 0; i < BURST; i++) {
		unsigned k = mix[(*next)++ % nmix];

		rte_memcpy(rte_pktmbuf_append(m[i], (uint16_t)frame_len[k]),
				frames[k], frame_len[k]);
		if (k == KIND_PAT)
			in[n_in++] = m[i];
		else
			m[n_out++] = m[i];
	}
	rte_ring_enqueue_bulk(rx, (void **)m, n_out, NULL);
	rte_ring_enqueue_bulk(rx_in, (void **)in, n_in, NULL);
	n = dp_poll(dp, 0);
	for (unsigned k; (k = dp_handoff_rx(dp, msgs, BURST)) > 0;)
		for (unsigned j = 0; j < k; j++)
			dp_msg_release(dp, &msgs[j]);
	for (unsigned k; (k = rte_ring_dequeue_burst(tx, out, BURST, NULL)) >
			0;)
		rte_pktmbuf_free_bulk((struct rte_mbuf **)out, k);
	for (unsigned k; (k = rte_ring_dequeue_burst(tx_in, out, BURST,
			NULL)) > 0;)
		rte_pktmbuf_free_bulk((struct rte_mbuf **)out, k);
	return n;
}

int
main(int argc, char **argv)
{
	double seconds = 3;
	unsigned long iterations = 0;
	const char *mixname = "all";
	unsigned mix[KINDS], nmix = 0, next = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
			iterations = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--mix") == 0 && i + 1 < argc)
			mixname = argv[++i];
		else {
			fprintf(stderr, "usage: dp_pipeline [--seconds S] "
					"[--iterations N] "
					"[--mix permit|deny|bad|pat|all]\n");
			return 2;
		}
	}
	for (unsigned k = 0; k < KINDS; k++)
		if (strcmp(mixname, "all") == 0 ||
		    strcmp(mixname, kinds[k]) == 0)
			mix[nmix++] = k;
	if (nmix == 0) {
		fprintf(stderr, "dp_pipeline: unknown mix %s\n", mixname);
		return 2;
	}
	struct stats_reg *reg = stats_reg_create(4, 512);
	struct dp *dp = reg ? setup(reg) : NULL;

	if (dp == NULL)
		return 1;
	for (unsigned k = 0; k < KINDS; k++)
		frame_len[k] = build(frames[k], payloads[k], k == KIND_PAT);

	struct timespec t0, t1;
	unsigned long frames_done = 0, steps = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		frames_done += step(dp, mix, nmix, &next);
		steps++;
		if (iterations) {
			if (steps >= iterations)
				break;
		} else if ((steps & 1023) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((double)(t1.tv_sec - t0.tv_sec) +
			    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 >= seconds)
				break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double el = (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("mix %-6s %lu frames in %.2f s: %.2f Mpps on one worker "
	       "(%.0f ns/frame, including the benchmark's own refill and "
	       "drain)\n", mixname, frames_done, el,
			(double)frames_done / el / 1e6,
			el / (double)frames_done * 1e9);
	dp_destroy(dp);
	stats_reg_destroy(reg);
	return frames_done ? 0 : 1;
}
