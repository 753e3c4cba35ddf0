/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exception path with real TAPs and the real kernel, in process.
 *
 * Needs CAP_NET_ADMIN (root): the test first moves itself into a network
 * namespace of its own (unshare(CLONE_NEWNET)), so that its TAPs, their
 * addresses and routes clash with nothing and vanish with it, then builds
 * the dataplane on net_ring ports (frames injected on the outside RX
 * ring, taken from its TX ring) with TAPs sx-out / sx-in, and talks to
 * the kernel through ordinary sockets. Without the privilege it exits 77
 * (meson: skipped).
 *
 * The kernel works asynchronously: the helpers poll the dataplane until
 * the expected frame or datagram shows up, giving up after a few seconds
 * (a bound against hanging, not a timing assertion).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_packet.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>
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

/* Polls of the dataplane (1 ms apart) before a wait gives up. */
#define WAIT_POLLS 3000

static struct dp *dp;
static struct stats_reg *reg;
static struct rte_mempool *pool;
static struct rte_ring *rx[2], *tx[2];

/*
 * The ACL: UDP 9999 (a test service), SIP's TCP ports, ICMP and ICMPv6
 * (ND). Nothing permits UDP from a DNS server: only the session table
 * lets its answers in.
 */
static struct dp_acl_rule_cfg acl[] = {
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_UDP, .dport = "9999" },
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_TCP, .dport = "5060-5061" },
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_ICMP },
	{ .port = DP_PORT_OUTSIDE, .action = DP_ACL_PERMIT,
	  .proto = DP_ACL_PROTO_ICMP6 },
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
nap(void)
{
	struct timespec ts = { 0, 1000000 };

	nanosleep(&ts, NULL);
}

static int
link_up(const char *ifname)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), rc;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	rc = ioctl(fd, SIOCGIFFLAGS, &ifr);
	ifr.ifr_flags |= IFF_UP;
	if (rc == 0)
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	close(fd);
	return rc;
}

/* Put a frame on the outside port's RX ring and run one poll. */
static void
inject(const void *frame, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), frame, len);
	assert_int_equal(rte_ring_enqueue(rx[0], m), 0);
	dp_poll(dp, 0);
}

/* Free whatever the outside port sent. */
static void
drain(void)
{
	struct rte_mbuf *m;

	while (rte_ring_dequeue(tx[0], (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

/* What a frame on the wire must be to end a wait. */
struct want {
	uint8_t family;   /* AF_INET, AF_INET6 */
	uint8_t proto;    /* IPPROTO_UDP, IPPROTO_TCP */
	uint16_t sport;   /* 0: any */
	uint16_t dport;   /* 0: any */
};

static uint8_t *
l4_of(struct rte_mbuf *m, const struct want *wt)
{
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	if (wt->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);

		if (e->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
		    ip->next_proto_id != wt->proto)
			return NULL;
		return (uint8_t *)ip + (ip->version_ihl & 0x0f) * 4;
	}
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(e + 1);

	if (e->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6) ||
	    ip6->proto != wt->proto)
		return NULL;
	return (uint8_t *)(ip6 + 1);
}

/* Poll until the outside port sends a frame as wanted (others freed). */
static struct rte_mbuf *
wait_wire(const struct want *wt)
{
	for (int i = 0; i < WAIT_POLLS; i++) {
		struct rte_mbuf *m;

		dp_poll(dp, 0);
		while (rte_ring_dequeue(tx[0], (void **)&m) == 0) {
			uint8_t *l4 = l4_of(m, wt);

			if (l4 != NULL &&
			    (wt->sport == 0 || (l4[0] << 8 | l4[1]) ==
			     wt->sport) &&
			    (wt->dport == 0 || (l4[2] << 8 | l4[3]) ==
			     wt->dport))
				return m;
			rte_pktmbuf_free(m);
		}
		nap();
	}
	return NULL;
}

/* Poll until fd has a datagram; receive it. @return its length or -1. */
static ssize_t
wait_sock(int fd, void *buf, size_t len, struct sockaddr_storage *from)
{
	socklen_t fl = sizeof(*from);

	for (int i = 0; i < WAIT_POLLS; i++) {
		ssize_t n;

		dp_poll(dp, 0);
		n = recvfrom(fd, buf, len, MSG_DONTWAIT,
				(struct sockaddr *)from, &fl);
		if (n >= 0)
			return n;
		nap();
	}
	return -1;
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

/*
 * A UDP datagram or TCP segment from the peer (IPv4 or IPv6) to us, with
 * right checksums. @return the frame's length.
 */
static size_t
datagram(uint8_t *f, uint8_t family, uint8_t proto, uint16_t sport,
		uint16_t dport, uint8_t tcp_flags, const char *payload)
{
	size_t plen = payload ? strlen(payload) : 0;
	size_t l4len = (proto == IPPROTO_TCP ? sizeof(struct rte_tcp_hdr) :
					       sizeof(struct rte_udp_hdr)) +
		       plen;
	size_t n = eth(f, out_mac, family == AF_INET ? RTE_ETHER_TYPE_IPV4 :
						       RTE_ETHER_TYPE_IPV6);
	void *ip = f + n;
	uint8_t *l4;

	if (family == AF_INET) {
		struct rte_ipv4_hdr *h = ip;

		memset(h, 0, sizeof(*h));
		h->version_ihl = 0x45;
		h->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*h) +
				l4len));
		h->time_to_live = 64;
		h->next_proto_id = proto;
		memcpy(&h->src_addr, peer_ip, 4);
		memcpy(&h->dst_addr, our_ip, 4);
		h->hdr_checksum = rte_ipv4_cksum(h);
		l4 = (uint8_t *)(h + 1);
	} else {
		struct rte_ipv6_hdr *h = ip;

		memset(h, 0, sizeof(*h));
		h->vtc_flow = rte_cpu_to_be_32(6u << 28);
		h->payload_len = rte_cpu_to_be_16((uint16_t)l4len);
		h->proto = proto;
		h->hop_limits = 64;
		memcpy(h->src_addr, peer_ip6, 16);
		memcpy(h->dst_addr, our_ip6, 16);
		l4 = (uint8_t *)(h + 1);
	}
	memset(l4, 0, l4len);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)l4;

		t->src_port = rte_cpu_to_be_16(sport);
		t->dst_port = rte_cpu_to_be_16(dport);
		t->sent_seq = rte_cpu_to_be_32(1000);
		t->data_off = 5 << 4;
		t->tcp_flags = tcp_flags;
		t->rx_win = rte_cpu_to_be_16(65535);
		memcpy(t + 1, payload ? payload : "", plen);
		t->cksum = family == AF_INET ? rte_ipv4_udptcp_cksum(ip, t) :
					       rte_ipv6_udptcp_cksum(ip, t);
	} else {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)l4;

		u->src_port = rte_cpu_to_be_16(sport);
		u->dst_port = rte_cpu_to_be_16(dport);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)l4len);
		memcpy(u + 1, payload ? payload : "", plen);
		u->dgram_cksum = family == AF_INET ?
			rte_ipv4_udptcp_cksum(ip, u) :
			rte_ipv6_udptcp_cksum(ip, u);
	}
	return n + (family == AF_INET ? sizeof(struct rte_ipv4_hdr) :
					sizeof(struct rte_ipv6_hdr)) + l4len;
}

/* The dataplane learns the peer's MAC: an ARP reply, an NS from it. */
static void
seed_neighbours(void)
{
	uint8_t f[128];
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_ARP);
	struct rte_arp_hdr *a = (struct rte_arp_hdr *)(f + n);

	a->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	a->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	a->arp_hlen = 6;
	a->arp_plen = 4;
	a->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	memcpy(a->arp_data.arp_sha.addr_bytes, peer_mac, 6);
	memcpy(&a->arp_data.arp_sip, peer_ip, 4);
	memcpy(a->arp_data.arp_tha.addr_bytes, out_mac, 6);
	memcpy(&a->arp_data.arp_tip, our_ip, 4);
	inject(f, n + sizeof(*a));

	/* A neighbour solicitation for us with its link-layer address. */
	n = eth(f, out_mac, RTE_ETHER_TYPE_IPV6);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(f + n);

	memset(ip6, 0, sizeof(*ip6));
	ip6->vtc_flow = rte_cpu_to_be_32(6u << 28);
	ip6->payload_len = rte_cpu_to_be_16(32);
	ip6->proto = IPPROTO_ICMPV6;
	ip6->hop_limits = 255;
	memcpy(ip6->src_addr, peer_ip6, 16);
	memcpy(ip6->dst_addr, our_ip6, 16);
	uint8_t *ic = (uint8_t *)(ip6 + 1);

	memset(ic, 0, 32);
	ic[0] = 135;
	memcpy(ic + 8, our_ip6, 16);
	ic[24] = 1;
	ic[25] = 1;
	memcpy(ic + 26, peer_mac, 6);
	uint16_t ck = rte_ipv6_udptcp_cksum(ip6, ic);

	memcpy(ic + 2, &ck, 2);
	inject(f, n + sizeof(*ip6) + 32);
	drain();
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
		.mbuf_data_room = 2048,
		.sip_port = 5060,
		.acl = acl,
		.acl_count = sizeof(acl) / sizeof(acl[0]),
		.exception = { .enabled = true },
		.ports = {
			.outside = { .device = "net_ring_tap_out",
				     .mac = OUT_MAC, .tap = "sx-out",
				     .ipv4 = "198.51.100.1/24",
				     .ipv6 = "2001:db8:0:1::1/64",
				     .gateway4 = "198.51.100.254" },
			.inside = { .device = "net_ring_tap_in",
				    .mac = "02:5e:00:00:02:01",
				    .tap = "sx-in",
				    .ipv4 = "192.0.2.1/24" },
		},
	};

	if (link_up("lo") < 0)
		return -1;
	snprintf(prefix, sizeof(prefix), "test_dp_tap_%d", (int)getpid());
	if (dp_eal_init(&cfg, "test_dp_tap", NULL, 0, err, sizeof(err)) < 0) {
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
		if (rte_eth_from_rings(i ? "tap_in" : "tap_out", &rx[i], 1,
				&tx[i], 1, SOCKET_ID_ANY) < 0)
			return -1;
	}
	pool = rte_pktmbuf_pool_create("test_pool", 511, 0, 64,
			2048 + RTE_PKTMBUF_HEADROOM, SOCKET_ID_ANY);
	reg = stats_reg_create(4, 512);
	dp = dp_create(&cfg, "test_dp_tap", NULL, 0, reg, err, sizeof(err));
	if (dp == NULL) {
		fprintf(stderr, "dp_create: %s\n", err);
		return -1;
	}
	seed_neighbours();
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

static int
udp_socket(int family, const void *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = socket(family, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, addr, 4);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		memcpy(&s->sin6_addr, addr, 16);
		len = sizeof(*s);
	}
	assert_int_equal(bind(fd, (struct sockaddr *)&ss, len), 0);
	return fd;
}

static void
send_to(int fd, int family, const void *addr, uint16_t port, const char *s)
{
	struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port =
					  htons(port) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port =
					   htons(port) };

	if (family == AF_INET) {
		memcpy(&a4.sin_addr, addr, 4);
		assert_int_equal(sendto(fd, s, strlen(s), 0,
				(struct sockaddr *)&a4, sizeof(a4)),
				(ssize_t)strlen(s));
	} else {
		memcpy(&a6.sin6_addr, addr, 16);
		assert_int_equal(sendto(fd, s, strlen(s), 0,
				(struct sockaddr *)&a6, sizeof(a6)),
				(ssize_t)strlen(s));
	}
}

static uint16_t
local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	return ntohs(ss.ss_family == AF_INET ?
			((struct sockaddr_in *)&ss)->sin_port :
			((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void
test_udp_to_a_kernel_socket_arrives_and_its_reply_leaves_by_the_wire(
		void **state)
{
	(void)state;
	uint8_t f[256];
	char buf[64];
	struct sockaddr_storage from;
	int fd = udp_socket(AF_INET, our_ip, 9999);
	uint64_t tap_tx = ctr("dp_outside_tap_tx");
	uint64_t tap_out = ctr("dp_outside_tap_out");

	inject(f, datagram(f, AF_INET, IPPROTO_UDP, 7777, 9999, 0, "ping"));
	assert_int_equal(ctr("dp_outside_tap_tx"), tap_tx + 1);
	assert_int_equal(wait_sock(fd, buf, sizeof(buf), &from), 4);
	assert_memory_equal(buf, "ping", 4);
	assert_memory_equal(&((struct sockaddr_in *)&from)->sin_addr, peer_ip,
			4);
	assert_int_equal(ntohs(((struct sockaddr_in *)&from)->sin_port), 7777);

	send_to(fd, AF_INET, peer_ip, 7777, "pong");
	struct rte_mbuf *m = wait_wire(&(struct want){ AF_INET, IPPROTO_UDP,
						       9999, 7777 });

	assert_non_null(m);
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(ip + 1);

	assert_memory_equal(e->src_addr.addr_bytes, out_mac, 6);
	assert_memory_equal(e->dst_addr.addr_bytes, peer_mac, 6);
	assert_memory_equal(&ip->src_addr, our_ip, 4);
	assert_memory_equal(&ip->dst_addr, peer_ip, 4);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, u), 0);
	assert_memory_equal(u + 1, "pong", 4);
	assert_true(ctr("dp_outside_tap_out") > tap_out);
	rte_pktmbuf_free(m);
	close(fd);
}

static void
test_kernel_arp_on_the_tap_is_answered_with_the_port_mac(void **state)
{
	(void)state;
	const uint8_t other[4] = { 198, 51, 100, 20 };
	struct arpreq r;
	int fd = udp_socket(AF_INET, our_ip, 0);
	uint64_t before = ctr("dp_outside_tap_arp_replies");

	/* A first datagram to a new neighbour makes the kernel ask. */
	send_to(fd, AF_INET, other, 9, "x");
	for (int i = 0; i < WAIT_POLLS &&
	     ctr("dp_outside_tap_arp_replies") == before; i++) {
		dp_poll(dp, 0);
		nap();
	}
	assert_int_equal(ctr("dp_outside_tap_arp_replies"), before + 1);
	memset(&r, 0, sizeof(r));
	((struct sockaddr_in *)&r.arp_pa)->sin_family = AF_INET;
	memcpy(&((struct sockaddr_in *)&r.arp_pa)->sin_addr, other, 4);
	snprintf(r.arp_dev, sizeof(r.arp_dev), "sx-out");
	for (int i = 0; i < WAIT_POLLS; i++) {
		dp_poll(dp, 0);
		if (ioctl(fd, SIOCGARP, &r) == 0 && (r.arp_flags & ATF_COM))
			break;
		nap();
	}
	assert_true(r.arp_flags & ATF_COM);
	assert_memory_equal(r.arp_ha.sa_data, out_mac, 6);
	drain();
	close(fd);
}

static void
test_kernel_neighbour_solicitation_is_answered_and_udp6_flows(void **state)
{
	(void)state;
	uint8_t f[256];
	char buf[64];
	struct sockaddr_storage from;
	int fd = udp_socket(AF_INET6, our_ip6, 9999);
	uint64_t nd = ctr("dp_outside_tap_nd_replies");

	inject(f, datagram(f, AF_INET6, IPPROTO_UDP, 7777, 9999, 0, "ping6"));
	assert_int_equal(wait_sock(fd, buf, sizeof(buf), &from), 5);
	assert_memory_equal(buf, "ping6", 5);
	send_to(fd, AF_INET6, peer_ip6, 7777, "pong6");
	struct rte_mbuf *m = wait_wire(&(struct want){ AF_INET6, IPPROTO_UDP,
						       9999, 7777 });

	assert_non_null(m);
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(e + 1);

	assert_memory_equal(e->src_addr.addr_bytes, out_mac, 6);
	assert_memory_equal(e->dst_addr.addr_bytes, peer_mac, 6);
	assert_memory_equal(ip6->src_addr, our_ip6, 16);
	assert_int_equal(rte_ipv6_udptcp_cksum_verify(ip6, ip6 + 1), 0);
	/* The kernel had to resolve ::10 on the TAP first. */
	assert_true(ctr("dp_outside_tap_nd_replies") > nd);
	rte_pktmbuf_free(m);
	close(fd);
}

static void
test_answer_to_a_kernel_flow_passes_without_an_acl_rule(void **state)
{
	(void)state;
	uint8_t f[256];
	char buf[64];
	struct sockaddr_storage from;
	int fd = udp_socket(AF_INET, our_ip, 0);
	uint16_t port = local_port(fd);
	uint64_t fresh = ctr("dp_outside_xflow_new");
	uint64_t hit = ctr("dp_outside_xflow_hit");
	uint64_t deny = ctr("dp_outside_drop_acl_default");

	send_to(fd, AF_INET, peer_ip, 53, "query");
	struct rte_mbuf *m = wait_wire(&(struct want){ AF_INET, IPPROTO_UDP,
						       port, 53 });

	assert_non_null(m);
	rte_pktmbuf_free(m);
	assert_int_equal(ctr("dp_outside_xflow_new"), fresh + 1);

	inject(f, datagram(f, AF_INET, IPPROTO_UDP, 53, port, 0, "answer"));
	assert_int_equal(ctr("dp_outside_xflow_hit"), hit + 1);
	assert_int_equal(wait_sock(fd, buf, sizeof(buf), &from), 6);
	assert_memory_equal(buf, "answer", 6);
	assert_int_equal(ctr("dp_outside_drop_acl_default"), deny);
	close(fd);
}

static void
test_same_datagram_from_another_port_meets_the_default_deny(void **state)
{
	(void)state;
	uint8_t f[256];
	int fd = udp_socket(AF_INET, our_ip, 0);
	uint16_t port = local_port(fd);
	uint64_t hit, deny;

	send_to(fd, AF_INET, peer_ip, 53, "query");
	struct rte_mbuf *m = wait_wire(&(struct want){ AF_INET, IPPROTO_UDP,
						       port, 53 });

	assert_non_null(m);
	rte_pktmbuf_free(m);
	hit = ctr("dp_outside_xflow_hit");
	deny = ctr("dp_outside_drop_acl_default");
	inject(f, datagram(f, AF_INET, IPPROTO_UDP, 54, port, 0, "answer"));
	assert_int_equal(ctr("dp_outside_drop_acl_default"), deny + 1);
	assert_int_equal(ctr("dp_outside_xflow_hit"), hit);
	close(fd);
}

static void
test_icmp_error_about_a_kernel_flow_reaches_its_socket(void **state)
{
	(void)state;
	uint8_t f[256], q[64];
	char buf[16];
	struct sockaddr_in peer = { .sin_family = AF_INET,
				    .sin_port = htons(53) };
	int fd = udp_socket(AF_INET, our_ip, 0);
	uint16_t port = local_port(fd);
	uint64_t hit;

	memcpy(&peer.sin_addr, peer_ip, 4);
	assert_int_equal(connect(fd, (struct sockaddr *)&peer, sizeof(peer)),
			0);
	assert_int_equal(send(fd, "query", 5, 0), 5);
	struct rte_mbuf *m = wait_wire(&(struct want){ AF_INET, IPPROTO_UDP,
						       port, 53 });

	assert_non_null(m);
	/* Port unreachable from .10, quoting the query as it left. */
	size_t qlen = rte_pktmbuf_data_len(m) - sizeof(struct rte_ether_hdr);

	if (qlen > sizeof(q))
		qlen = sizeof(q);
	memcpy(q, rte_pktmbuf_mtod_offset(m, void *,
			sizeof(struct rte_ether_hdr)), qlen);
	rte_pktmbuf_free(m);
	size_t n = eth(f, out_mac, RTE_ETHER_TYPE_IPV4);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + n);
	uint8_t *ic = (uint8_t *)(ip + 1);
	size_t l4 = 8 + qlen;

	memset(ip, 0, sizeof(*ip));
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + l4));
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_ICMP;
	memcpy(&ip->src_addr, peer_ip, 4);
	memcpy(&ip->dst_addr, our_ip, 4);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	memset(ic, 0, 8);
	ic[0] = 3; /* destination unreachable */
	ic[1] = 3; /* port unreachable */
	memcpy(ic + 8, q, qlen);
	uint16_t ck = (uint16_t)~rte_raw_cksum(ic, l4);

	memcpy(ic + 2, &ck, 2);
	hit = ctr("dp_outside_xflow_hit");
	inject(f, n + sizeof(*ip) + l4);
	assert_int_equal(ctr("dp_outside_xflow_hit"), hit + 1);
	/* The kernel reports it on the connected socket. */
	ssize_t r = -1;

	for (int i = 0; i < WAIT_POLLS; i++) {
		dp_poll(dp, 0);
		r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (r >= 0 || errno != EAGAIN)
			break;
		nap();
	}
	assert_int_equal(r, -1);
	assert_int_equal(errno, ECONNREFUSED);
	close(fd);
}

static int
tcp_listener(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	assert_true(fd >= 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memcpy(&a.sin_addr, our_ip, 4);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void
test_syn_to_a_kernel_listener_gets_a_syn_ack(void **state)
{
	(void)state;
	uint8_t f[256];
	int fd = tcp_listener(5060);

	inject(f, datagram(f, AF_INET, IPPROTO_TCP, 40000, 5060,
			RTE_TCP_SYN_FLAG, NULL));
	struct rte_mbuf *m = wait_wire(&(struct want){ AF_INET, IPPROTO_TCP,
						       5060, 40000 });

	assert_non_null(m);
	struct rte_ether_hdr *e = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(e + 1);
	struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + 1);

	assert_int_equal(t->tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG),
			RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG);
	assert_int_equal(rte_be_to_cpu_32(t->recv_ack), 1001);
	assert_memory_equal(e->dst_addr.addr_bytes, peer_mac, 6);
	assert_memory_equal(e->src_addr.addr_bytes, out_mac, 6);
	assert_int_equal(rte_ipv4_cksum(ip), 0);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, t), 0);
	rte_pktmbuf_free(m);
	close(fd);
}

static void
test_syn_to_a_closed_port_gets_a_rst(void **state)
{
	(void)state;
	uint8_t f[256];

	inject(f, datagram(f, AF_INET, IPPROTO_TCP, 40001, 5061,
			RTE_TCP_SYN_FLAG, NULL));
	struct rte_mbuf *m = wait_wire(&(struct want){ AF_INET, IPPROTO_TCP,
						       5061, 40001 });

	assert_non_null(m);
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
			struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(ip + 1);

	assert_true(t->tcp_flags & RTE_TCP_RST_FLAG);
	assert_int_equal(rte_ipv4_udptcp_cksum_verify(ip, t), 0);
	rte_pktmbuf_free(m);
}

static void
test_tcp_to_a_port_no_rule_permits_is_denied(void **state)
{
	(void)state;
	uint8_t f[256];
	uint64_t deny = ctr("dp_outside_drop_acl_default");
	uint64_t tap_tx = ctr("dp_outside_tap_tx");

	inject(f, datagram(f, AF_INET, IPPROTO_TCP, 40002, 22,
			RTE_TCP_SYN_FLAG, NULL));
	assert_int_equal(ctr("dp_outside_drop_acl_default"), deny + 1);
	assert_int_equal(ctr("dp_outside_tap_tx"), tap_tx);
}

/* Frames "the kernel sends" on sx-out, written with a packet socket. */
static void
kernel_sends(const void *frame, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = (int)if_nametoindex("sx-out"),
		.sll_halen = 6,
	};
	int fd = socket(AF_PACKET, SOCK_RAW, 0);

	assert_true(fd >= 0);
	assert_true(sll.sll_ifindex > 0);
	assert_int_equal(sendto(fd, frame, len, 0, (struct sockaddr *)&sll,
			sizeof(sll)), (ssize_t)len);
	close(fd);
}

static void
test_datagram_the_kernel_sends_from_another_address_is_dropped(void **state)
{
	(void)state;
	uint8_t f[256];
	uint64_t before = ctr("dp_outside_drop_tap_not_ours");
	size_t n = datagram(f, AF_INET, IPPROTO_UDP, 1234, 5678, 0, "spoof");
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);

	/* From .77 to the peer, as if the kernel forwarded or spoofed. */
	memcpy(&ip->src_addr, (const uint8_t[4]){ 198, 51, 100, 77 }, 4);
	memcpy(&ip->dst_addr, peer_ip, 4);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	kernel_sends(f, n);
	for (int i = 0; i < WAIT_POLLS &&
	     ctr("dp_outside_drop_tap_not_ours") == before; i++) {
		dp_poll(dp, 0);
		nap();
	}
	assert_int_equal(ctr("dp_outside_drop_tap_not_ours"), before + 1);
	drain();
}

static void
test_broadcast_the_kernel_sends_stays_on_the_tap(void **state)
{
	(void)state;
	int fd = udp_socket(AF_INET, our_ip, 0), one = 1;
	const uint8_t bcast[4] = { 198, 51, 100, 255 };
	uint64_t before = ctr("dp_outside_drop_tap_local");
	uint64_t out = ctr("dp_outside_tap_out");

	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one,
			sizeof(one)), 0);
	send_to(fd, AF_INET, bcast, 9, "everyone");
	for (int i = 0; i < WAIT_POLLS &&
	     ctr("dp_outside_drop_tap_local") == before; i++) {
		dp_poll(dp, 0);
		nap();
	}
	assert_true(ctr("dp_outside_drop_tap_local") > before);
	assert_int_equal(ctr("dp_outside_tap_out"), out);
	drain();
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_to_a_kernel_socket_arrives_and_its_reply_leaves_by_the_wire),
		cmocka_unit_test(test_kernel_arp_on_the_tap_is_answered_with_the_port_mac),
		cmocka_unit_test(test_kernel_neighbour_solicitation_is_answered_and_udp6_flows),
		cmocka_unit_test(test_answer_to_a_kernel_flow_passes_without_an_acl_rule),
		cmocka_unit_test(test_same_datagram_from_another_port_meets_the_default_deny),
		cmocka_unit_test(test_icmp_error_about_a_kernel_flow_reaches_its_socket),
		cmocka_unit_test(test_syn_to_a_kernel_listener_gets_a_syn_ack),
		cmocka_unit_test(test_syn_to_a_closed_port_gets_a_rst),
		cmocka_unit_test(test_tcp_to_a_port_no_rule_permits_is_denied),
		cmocka_unit_test(test_datagram_the_kernel_sends_from_another_address_is_dropped),
		cmocka_unit_test(test_broadcast_the_kernel_sends_stays_on_the_tap),
	};
	int fd;

	/* Root, a namespace of our own, and a TUN device: else skip. */
	if (geteuid() != 0 || unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr, "test_dp_tap: needs CAP_NET_ADMIN; skipped\n");
		return 77;
	}
	fd = open("/dev/net/tun", O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "test_dp_tap: no /dev/net/tun; skipped\n");
		return 77;
	}
	close(fd);
	return cmocka_run_group_tests(tests, setup, teardown);
}
