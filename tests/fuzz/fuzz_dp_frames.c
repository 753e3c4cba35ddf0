/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Raw frames into the dataplane pipeline, in process: the EAL, two net_ring
 * ports and a dp with one worker come up once (as in test_dp_input.c); each
 * input becomes one frame on a port's RX ring, one dp_poll() runs, and
 * everything it produced (hand-off messages, replies on both TX rings) is
 * read and freed. After every input every mbuf must be back in the pool: a
 * frame that ends in no outcome (or two) aborts the run.
 *
 * The input: byte 0 is a set of FUZZ_F_* flags, the rest a raw Ethernet
 * frame (at most FUZZ_FRAME_MAX bytes) or, with FUZZ_F_UDP, a UDP payload
 * that is wrapped in a valid Ethernet/IP/UDP frame to the port's address,
 * port 5060, so that the SIP parse, the domain permit and the worker's 403
 * are fuzzed and not only the header checks. With FUZZ_F_FRAGS the rest
 * describes fragments cut from such a wrapped datagram, each with a valid
 * IP header, all put on the ring before the poll (fuzz_frags()): random
 * bytes would rarely pass the IPv4 checksum, and reassembly needs several
 * frames. Fragments still held after the poll are expired before the
 * mbufs are counted (being held is their outcome).
 *
 * The frame is put in an external buffer that ends exactly where the frame
 * does, so ASan catches any read past its end (the pool's own buffers are
 * DPDK memory ASan does not watch); FUZZ_F_TAILROOM uses a pool buffer
 * instead, which leaves the room the neighbour advertisement grows into.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eth_ring.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_udp.h>

#include "dataplane/dp_priv.h"

/** Largest frame: a jumbo frame, as the mbufs' data room allows. */
#define FUZZ_FRAME_MAX 9000
/** Byte 0: the frame arrives on the inside port (else the outside). */
#define FUZZ_F_INSIDE 0x01
/** Byte 0, with FUZZ_F_UDP: wrap in IPv6 (else IPv4). */
#define FUZZ_F_IPV6 0x02
/** Byte 0: a pool buffer with tailroom (else an exact-size one). */
#define FUZZ_F_TAILROOM 0x40
/** Byte 0: the rest is a UDP payload to wrap (else a raw frame). */
#define FUZZ_F_UDP 0x80
/** Byte 0: the rest describes fragments of a wrapped UDP payload. */
#define FUZZ_F_FRAGS 0x10
/** Most fragments one input makes. */
#define FUZZ_FRAGS_MAX 16
/** FUZZ_F_FRAGS, a fragment's flags: more fragments follow (IPv4 MF,
 * IPv6 M). */
#define FUZZ_FR_MORE 0x01
/** A fragment's flags: it belongs to a second datagram (another
 * identification, same addresses). */
#define FUZZ_FR_OTHER 0x02
/** Bytes that describe one fragment: offset in 8-byte units (2, big
 * endian), length in bytes (2, big endian), FUZZ_FR_* flags. */
#define FUZZ_FR_DESC 5

/** The dp's mbuf pool (dp.c names it): input mbufs must come from it, for
 * the private area the hand-off metadata lives in. */
#define FUZZ_DP_POOL "sipedge_mbufs"
/** Ring slots per net_ring queue. */
#define FUZZ_RING 256
/** Messages or frames drained at a time. */
#define FUZZ_BURST 32

/* The appliance and its peer on each port (index: 0 outside, 1 inside). */
static const uint8_t fuzz_our_mac[2][6] = {
	{ 0x02, 0x5e, 0, 0, 1, 1 }, { 0x02, 0x5e, 0, 0, 2, 1 },
};
static const uint8_t fuzz_peer_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t fuzz_our_ip[2][4] = {
	{ 198, 51, 100, 1 }, { 192, 0, 2, 1 },
};
static const uint8_t fuzz_peer_ip[2][4] = {
	{ 198, 51, 100, 10 }, { 192, 0, 2, 10 },
};
/* Only the outside port has IPv6: on the inside such frames are dropped. */
static const uint8_t fuzz_our_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
					  0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t fuzz_peer_ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1,
					   0, 0, 0, 0, 0, 0, 0, 0x10 };

/* The policy of test_dp_input.c: SIP and ICMP/ICMPv6 from outside, SIP
 * from inside; the rest meets the default deny. */
static struct dp_acl_rule_cfg fuzz_acl[] = {
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .dport = "5060", .name = "sip" },
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_ICMP },
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_ICMP6 },
	{ .port = DP_PORT_INSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .dport = "5060" },
};

/* The harness's state: libFuzzer gives no context pointer. */
struct fuzz_dp {
	struct dp *dp;
	struct stats_reg *reg;
	struct rte_mempool *pool;       /* the dp's */
	struct rte_ring *rx[2], *tx[2]; /* net_ring queues, per port */
	unsigned pool_avail;            /* free mbufs when idle */
	unsigned ext_live;              /* external buffers not yet freed */
	/* One per frame in flight: an input puts up to FUZZ_FRAGS_MAX. */
	struct rte_mbuf_ext_shared_info shinfo[FUZZ_FRAGS_MAX];
	uint8_t frame[FUZZ_FRAME_MAX];  /* a wrapped frame is built here */
	uint8_t frag[FUZZ_FRAME_MAX];   /* and a fragment of it here */
};

static struct fuzz_dp fz;

static void
fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_dp_frames: %s\n", what);
	abort();
}

/* Called by DPDK when the last reference to an external buffer goes. */
static void
fuzz_ext_free(void *addr, void *opaque)
{
	(void)opaque;
	free(addr);
	fz.ext_live--;
}

/* Tear down at exit so that LeakSanitizer sees nothing of ours left. */
static void
fuzz_cleanup(void)
{
	dp_destroy(fz.dp);
	stats_reg_destroy(fz.reg);
	fz.dp = NULL;
	fz.reg = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char *eal_args[] = { "--no-huge", "-m", "256", "--no-pci",
				    "--no-telemetry", "--log-level=error" };
	static const char *const local[] = { "example.com" };
	static const struct dp_domain permitted[] = {
		{ "partner.example", true },
	};
	char prefix[64], err[256];
	struct dp_cfg cfg = {
		.eal_args = eal_args,
		.eal_args_count = sizeof(eal_args) / sizeof(eal_args[0]),
		.file_prefix = prefix,
		.workers = 1,
		.poll = DP_POLL_ADAPTIVE,
		.mbufs = 511,
		.mbuf_data_room = 9216,
		.sip_port = 5060,
		.acl = fuzz_acl,
		.acl_count = sizeof(fuzz_acl) / sizeof(fuzz_acl[0]),
		.ports = {
			.outside = { .device = "net_ring_fz_out",
				     .mac = "02:5e:00:00:01:01",
				     .ipv4 = "198.51.100.1/24",
				     .ipv6 = "2001:db8:0:1::1/64" },
			.inside = { .device = "net_ring_fz_in",
				    .mac = "02:5e:00:00:02:01",
				    .ipv4 = "192.0.2.1/24" },
		},
	};

	(void)argc;
	(void)argv;
	/* Every DPDK process needs its own prefix (fuzzers run in parallel). */
	snprintf(prefix, sizeof(prefix), "fuzz_dp_frames_%d", (int)getpid());
	if (dp_eal_init(&cfg, "fuzz_dp_frames", NULL, 0, err, sizeof(err)) < 0)
		fuzz_die(err);
	for (int i = 0; i < 2; i++) {
		char n[32];

		snprintf(n, sizeof(n), "fz_rx%d", i);
		fz.rx[i] = rte_ring_create(n, FUZZ_RING, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(n, sizeof(n), "fz_tx%d", i);
		fz.tx[i] = rte_ring_create(n, FUZZ_RING, SOCKET_ID_ANY,
				RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (fz.rx[i] == NULL || fz.tx[i] == NULL ||
		    rte_eth_from_rings(i ? "fz_in" : "fz_out", &fz.rx[i], 1,
				&fz.tx[i], 1, SOCKET_ID_ANY) < 0)
			fuzz_die("net_ring ports");
	}
	fz.reg = stats_reg_create(4, 512);
	if (fz.reg == NULL)
		fuzz_die("stats registry");
	fz.dp = dp_create(&cfg, "fuzz_dp_frames", NULL, 0, fz.reg, err,
			sizeof(err));
	if (fz.dp == NULL)
		fuzz_die(err);
	if (dp_set_domains(fz.dp, local, 1, permitted, 1) < 0 ||
	    dp_set_rate_limit(fz.dp, 0, 0) < 0)
		fuzz_die("domains or rate limit");
	fz.pool = rte_mempool_lookup(FUZZ_DP_POOL);
	if (fz.pool == NULL)
		fuzz_die("no mempool " FUZZ_DP_POOL " (renamed in dp.c?)");
	fz.pool_avail = rte_mempool_avail_count(fz.pool);
	for (int i = 0; i < FUZZ_FRAGS_MAX; i++)
		fz.shinfo[i].free_cb = fuzz_ext_free;
	atexit(fuzz_cleanup);
	return 0;
}

/* Ethernet + IPv4 or IPv6 + UDP to port's address:5060 around payload,
 * checksums right. @return the frame's length. */
static uint32_t
fuzz_wrap_udp(uint8_t *f, unsigned port, bool v6, const uint8_t *payload,
		uint32_t len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f;
	uint32_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) :
			   sizeof(struct rte_ipv4_hdr);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(f + sizeof(*eth) + l3);
	uint32_t max = FUZZ_FRAME_MAX - (uint32_t)(sizeof(*eth) + l3 +
						   sizeof(*udp));

	if (len > max)
		len = max;
	memcpy(eth->dst_addr.addr_bytes, fuzz_our_mac[port], 6);
	memcpy(eth->src_addr.addr_bytes, fuzz_peer_mac, 6);
	udp->src_port = rte_cpu_to_be_16(5060);
	udp->dst_port = rte_cpu_to_be_16(5060);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(sizeof(*udp) + len));
	udp->dgram_cksum = 0;
	memcpy(udp + 1, payload, len);
	if (v6) {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		memset(ip6, 0, sizeof(*ip6));
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
		ip6->payload_len = udp->dgram_len;
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = 64;
		memcpy(ip6->src_addr, fuzz_peer_ip6, 16);
		memcpy(ip6->dst_addr, fuzz_our_ip6, 16);
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(ip6, udp);
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 +
				sizeof(*udp) + len));
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, fuzz_peer_ip[port], 4);
		memcpy(&ip->dst_addr, fuzz_our_ip[port], 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
	}
	return (uint32_t)(sizeof(*eth) + l3 + sizeof(*udp)) + len;
}

/* An mbuf of the dp's pool holding exactly the frame (slot: which of
 * the frames in flight it is). */
static struct rte_mbuf *
fuzz_mbuf(const uint8_t *frame, uint32_t len, bool tailroom, unsigned slot)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(fz.pool);
	char *d;

	if (m == NULL)
		fuzz_die("mbuf pool empty while idle");
	if (!tailroom) {
		uint16_t buf_len = (uint16_t)(RTE_PKTMBUF_HEADROOM + len);
		void *buf = malloc(buf_len);

		if (buf == NULL)
			fuzz_die("out of memory");
		rte_mbuf_ext_refcnt_set(&fz.shinfo[slot], 1);
		/* Not for DMA: net_ring only passes pointers. */
		rte_pktmbuf_attach_extbuf(m, buf, RTE_BAD_IOVA, buf_len,
				&fz.shinfo[slot]);
		fz.ext_live++;
	}
	d = rte_pktmbuf_append(m, (uint16_t)len);
	if (d == NULL && len > 0)
		fuzz_die("frame does not fit an mbuf");
	if (len > 0)
		memcpy(d, frame, len);
	return m;
}

/* Read every byte of [p, p + len): ASan checks the bounds, the sum keeps
 * the reads. */
static void
fuzz_touch(const void *p, uint32_t len)
{
	const volatile uint8_t *b = p;
	uint8_t sum = 0;

	for (uint32_t i = 0; i < len; i++)
		sum ^= b[i];
	(void)sum;
}

/* Take everything the poll produced and free it. */
static void
fuzz_drain(void)
{
	struct dp_msg msgs[FUZZ_BURST];
	struct rte_mbuf *pkts[FUZZ_BURST];
	unsigned n;

	while ((n = dp_handoff_rx(fz.dp, msgs, FUZZ_BURST)) > 0)
		for (unsigned i = 0; i < n; i++) {
			fuzz_touch(msgs[i].data, msgs[i].len);
			dp_msg_release(fz.dp, &msgs[i]);
		}
	for (int r = 0; r < 2; r++)
		while ((n = rte_ring_dequeue_burst(fz.tx[r], (void **)pkts,
				FUZZ_BURST, NULL)) > 0)
			for (unsigned i = 0; i < n; i++) {
				fuzz_touch(rte_pktmbuf_mtod(pkts[i], void *),
						rte_pktmbuf_data_len(pkts[i]));
				rte_pktmbuf_free(pkts[i]);
			}
}

/*
 * FUZZ_F_FRAGS: d[0] & 15 is the count of fragments less one, then
 * FUZZ_FR_DESC bytes per fragment, then the UDP payload, wrapped as for
 * FUZZ_F_UDP. A fragment carries the wrapped datagram's L4 bytes from its
 * offset (zeros past their end) behind a copy of its IP header with the
 * fragment's fields and a right checksum; IPv6 gets a fragment header.
 * Each goes on port's RX ring. @return how many.
 */
static unsigned
fuzz_frags(const uint8_t *d, size_t size, unsigned port, bool v6,
		bool tailroom)
{
	unsigned n = size > 0 ? (d[0] & 15u) + 1 : 0;
	const uint8_t *desc = d + 1;
	size_t head = 1 + (size_t)n * FUZZ_FR_DESC;
	uint32_t l3 = v6 ? sizeof(struct rte_ipv6_hdr) :
			   sizeof(struct rte_ipv4_hdr);
	uint32_t hl = v6 ? l3 + sizeof(struct rte_ipv6_fragment_ext) : l3;
	uint32_t whole, l4_len;

	if (n == 0 || size < head)
		return 0;
	whole = fuzz_wrap_udp(fz.frame, port, v6, d + head,
			(uint32_t)RTE_MIN(size - head, (size_t)FUZZ_FRAME_MAX));
	l4_len = whole - (uint32_t)sizeof(struct rte_ether_hdr) - l3;
	for (unsigned i = 0; i < n; i++, desc += FUZZ_FR_DESC) {
		uint32_t units = ((uint32_t)desc[0] << 8 | desc[1]) & 0x1fff;
		uint32_t ofs = units * 8;
		uint32_t len = (uint32_t)desc[2] << 8 | desc[3];
		bool more = desc[4] & FUZZ_FR_MORE;
		uint16_t id = desc[4] & FUZZ_FR_OTHER ? 2 : 1;
		uint8_t *f = fz.frag;
		uint8_t *data;

		len = RTE_MIN(len, FUZZ_FRAME_MAX - (uint32_t)
				sizeof(struct rte_ether_hdr) - hl);
		memcpy(f, fz.frame, sizeof(struct rte_ether_hdr) + l3);
		data = f + sizeof(struct rte_ether_hdr) + hl;
		if (v6) {
			struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)
				(f + sizeof(struct rte_ether_hdr));
			struct rte_ipv6_fragment_ext *fh =
				(struct rte_ipv6_fragment_ext *)(ip6 + 1);

			ip6->payload_len = rte_cpu_to_be_16((uint16_t)
					(sizeof(*fh) + len));
			ip6->proto = IPPROTO_FRAGMENT;
			fh->next_header = IPPROTO_UDP;
			fh->reserved = 0;
			fh->frag_data = rte_cpu_to_be_16((uint16_t)(units << 3 |
					(more ? 1 : 0)));
			fh->id = rte_cpu_to_be_32(id);
		} else {
			struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)
				(f + sizeof(struct rte_ether_hdr));

			ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 +
					len));
			ip->packet_id = rte_cpu_to_be_16(id);
			ip->fragment_offset = rte_cpu_to_be_16((uint16_t)(units |
					(more ? RTE_IPV4_HDR_MF_FLAG : 0)));
			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
		for (uint32_t k = 0; k < len; k++)
			data[k] = ofs + k < l4_len ? fz.frame[sizeof(struct
					rte_ether_hdr) + l3 + ofs + k] : 0;
		if (rte_ring_enqueue(fz.rx[port], fuzz_mbuf(f, (uint32_t)
				(data - f) + len, tailroom, i)) < 0)
			fuzz_die("RX ring full");
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *frame = data + 1;
	uint32_t len;
	unsigned port;
	struct rte_mbuf *m;

	if (size == 0)
		return 0;
	port = data[0] & FUZZ_F_INSIDE;
	len = (uint32_t)RTE_MIN(size - 1, (size_t)FUZZ_FRAME_MAX);
	if (data[0] & FUZZ_F_FRAGS) {
		unsigned n = fuzz_frags(data + 1, size - 1, port,
				(data[0] & FUZZ_F_IPV6) != 0,
				(data[0] & FUZZ_F_TAILROOM) != 0);

		if (dp_poll(fz.dp, 0) != n)
			fuzz_die("dp_poll did not take the fragments");
		goto done;
	}
	if (data[0] & FUZZ_F_UDP) {
		len = fuzz_wrap_udp(fz.frame, port,
				(data[0] & FUZZ_F_IPV6) != 0, data + 1,
				(uint32_t)RTE_MIN(size - 1,
						(size_t)FUZZ_FRAME_MAX));
		frame = fz.frame;
	}
	m = fuzz_mbuf(frame, len, (data[0] & FUZZ_F_TAILROOM) != 0, 0);
	if (rte_ring_enqueue(fz.rx[port], m) < 0)
		fuzz_die("RX ring full");
	if (dp_poll(fz.dp, 0) != 1)
		fuzz_die("dp_poll did not take the frame");
done:
	fuzz_drain();
	/* Fragments held wait for the rest of their datagram: give them up
	 * as their timeout would. */
	dp_frag_expire(&fz.dp->workers[0], UINT64_MAX / 2);
	/* Every frame ends in exactly one outcome: all mbufs are back. */
	if (rte_mempool_avail_count(fz.pool) != fz.pool_avail ||
	    fz.ext_live != 0) {
		fprintf(stderr, "fuzz_dp_frames: %u of %u mbufs free, %u "
				"external buffers live\n",
				rte_mempool_avail_count(fz.pool),
				fz.pool_avail, fz.ext_live);
		abort();
	}
	return 0;
}
