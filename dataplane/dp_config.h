/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `dataplane:` config section (DPDK-free: the control plane loads and
 * checks it without DPDK headers).
 *
 *   dataplane:
 *     eal_args: [--no-huge, -m, "512", --no-pci]  # more after `--` on
 *                                                 # the daemon's command line
 *     file_prefix: sipedge     # unique per instance on one machine
 *     workers: 1               # worker lcores, each with one RX and TX
 *                              # queue on every port
 *     poll: adaptive           # adaptive: idle workers pause, then sleep;
 *                              # busy: spin (dedicated cores only)
 *     mbufs: 4095              # mbufs in the pool (a few thousand without
 *                              # hugepages)
 *     mbuf_data_room: 9216     # bytes; at least the largest frame
 *     rate_limit:              # per source address, SIP over UDP:
 *       requests_per_second: 2000  # each of N workers enforces 1/N of
 *       burst: 4000                # both (the PMD may spread one source
 *       table_size: 65536          # over all of them); sources per worker
 *     neighbour:               # next hops (ARP, IPv6 ND), per port:
 *       timeout_s: 300         #   an answer is used this long, then
 *                              #   asked again while still used (10 s
 *                              #   of grace before it is dropped)
 *       table_size: 1024       #   entries per port (a power of two)
 *     fragments:               # IP reassembly, a table per worker and
 *                              # port (see below):
 *       flows: 1024            #   datagrams being reassembled at once
 *       timeout_ms: 1000       #   an incomplete datagram is dropped this
 *                              #   long after its first fragment came
 *       max_mbufs: 256         #   fragments held at once; past it the
 *                              #   oldest datagrams go first
 *     acl:                     # policy step 1, per port, first match
 *                              # wins, default deny (see below)
 *       - { port: outside, action: permit, proto: udp,
 *           dst: 198.51.100.1/32, dport: 5060, name: sip-udp }
 *     exception:               # the exception path (see below)
 *       enabled: true          #   false: no TAPs
 *       sessions: 4096         #   the kernel's own flows per port (2^n)
 *       udp_timeout_s: 180     #   a UDP session idle this long ends
 *       tcp_timeout_s: 7200    #   an established TCP session, idle
 *       tcp_closing_timeout_s: 10 # after FIN or RST; also a SYN not
 *                              #   yet answered (each retry renews it)
 *     ports:
 *       outside: { device: "net_af_packet0,iface=dp-out,qpairs=1",
 *                  mac: "02:5e:00:00:01:01", mtu: 1500, tap: sx-out,
 *                  ipv4: 198.51.100.1/24, ipv6: "2001:db8:0:1::1/64" }
 *       inside:  { ... }
 *
 * Next hops: a destination inside a port's prefix is on-link; any other
 * leaves through the port with a gateway of its family (gateway4 /
 * gateway6, outside first). The dataplane resolves next hops itself (ARP,
 * neighbour solicitation), holds the latest frame for a next hop being
 * resolved (one per entry) and sends it when the answer comes.
 *
 * A port's mtu (576..9000, default 1500; 1280 or more on a port with
 * IPv6, IPv6's minimum link MTU; mtu + 18 bytes of Ethernet header and
 * VLAN tag must fit mbuf_data_room) is the largest IP datagram the
 * appliance sends there. Larger IPv4 datagrams leave in fragments, unless
 * they carry DF: those are dropped (dp_PORT_drop_frag_df; no ICMP
 * "fragmentation needed" is sent). Larger IPv6 datagrams leave in
 * fragments when the appliance originated them and are dropped when
 * forwarded (dp_PORT_drop_frag_ipv6_forward: IPv6 routers do not
 * fragment). The MTU governs output only: frames received may be larger
 * (the lab's af_packet passes up to 9216 bytes). Above 1500 the device's
 * own MTU is raised to match, where the PMD can set one.
 *
 * Fragments received (IPv4, and IPv6 with the fragment header right after
 * the fixed header) are reassembled before the destination check, the ACL
 * and everything after them, which then judge the whole datagram as if it
 * had come in one frame; an IPv6 fragment with offset 0 and no more
 * fragments (RFC 6946) is taken as the datagram it holds. Each worker has
 * a table per port (rte_ip_frag): a datagram may come in at most 8
 * fragments and, whole, must fit one mbuf (mbuf_data_room with its
 * Ethernet header). Dropped and counted, dp_PORT_...:
 *   drop_frag_malformed     a fragment with no data, or not the last and
 *                           not a multiple of 8 bytes, or (IPv6) with a
 *                           second fragment header behind its own
 *   drop_frag_tiny          a first fragment too short for its whole UDP,
 *                           TCP or ICMP header, or a later one starting
 *                           inside that header (RFC 1858, RFC 7112)
 *   drop_frag_past_max      a fragment ending past 65,535 bytes
 *   drop_frag_overlap       every fragment of a datagram whose fragments
 *                           overlap, repeat, or number more than 8: the
 *                           datagram is discarded whole (RFC 5722)
 *   drop_frag_too_big       every fragment of a datagram that does not fit
 *                           an mbuf once whole
 *   drop_frag_table_full    a fragment of a new datagram while all `flows`
 *                           entries (or its hash buckets) are taken
 *   drop_frag_mbuf_cap      fragments over max_mbufs: the datagrams that
 *                           began longest ago are dropped first (those
 *                           younger than timeout_ms / 256 are not: then
 *                           the new fragment is)
 *   drop_frag_timeout       fragments of a datagram still incomplete after
 *                           timeout_ms
 * A fragment held is counted in frag_held, a datagram made whole in
 * frag_reassembled, and dp_PORT_frag_mbufs_held is what the port's tables
 * hold now. Held fragments count against the pool that RX needs: workers
 * x 2 ports x max_mbufs may be at most half of mbufs. Keep max_mbufs at
 * or under flows: the cap, which evicts, then binds before the table
 * fills, which refuses.
 *
 * A port's device is DPDK device arguments: a PCI address, or a virtual
 * device (net_af_packet, net_af_xdp, net_tap, net_pcap, net_ring...). The
 * appliance answers ARP and neighbour discovery for its addresses with its
 * own MAC, which should differ from the kernel's MAC of an af_packet
 * interface (DESIGN.md: the kernel then drops those frames as not its own).
 *
 * The ACL (DESIGN.md policy order, step 1) judges every IPv4 and IPv6
 * datagram addressed to the appliance (its address on the port, or for
 * IPv6 also its solicited-node group: neighbour solicitations are ICMPv6
 * and need a rule) after the IP header checks. A rule:
 *   port: outside | inside          the port it applies to (required)
 *   action: permit | deny           (required)
 *   proto: udp | tcp | icmp | icmp6 | any   (required; icmp is IPv4 only,
 *                                   icmp6 IPv6 only)
 *   src, dst: address/prefix        optional, any when absent; an IPv4
 *                                   prefix makes the rule IPv4 only, an
 *                                   IPv6 one IPv6 only
 *   sport, dport: N or N-M          optional, any when absent; udp and
 *                                   tcp rules only
 *   name: label                     optional, for the operator
 * Rules are tried in config order, the first that matches decides; no
 * match is a deny. Without an `acl:` key, every datagram to the appliance
 * is denied (ARP is not IP and is never subject to the ACL). Each rule
 * counts its permits and denies as dp_PORT_acl_ruleN_permit / _deny, N
 * its index in the sequence; the default deny counts as
 * dp_PORT_drop_acl_default.
 *
 * The exception path (DESIGN.md, "Threads and data paths"): TCP, and UDP
 * to a port other than sip_port, addressed to the appliance, are served
 * by the kernel's sockets. Each port gets a TAP interface (net_tap PMD)
 * named by the port's `tap:` key (default sx-out / sx-in; 1 to 15
 * characters of [A-Za-z0-9_.-], different per port), created by the
 * dataplane at start-up and gone when it exits. The kernel side of the
 * TAP holds the port's IPv4 and IPv6 address with its prefix (IPv6
 * without DAD, no router solicitations, no SLAAC), the port's MTU, and a
 * default route via the port's gateway4 / gateway6 (metric 100 for the
 * outside port, 101 for the inside one: outside first, as the dataplane
 * routes; a default route of the host's own with a lower metric wins,
 * and one with the same metric is an error at start-up). The kernel
 * never sees the wire: the dataplane answers its ARP and neighbour
 * solicitations on the TAP with the port's own MAC and resolves the real
 * next hop itself, so the kernel's neighbour table shows every neighbour
 * at that MAC.
 *
 * What reaches the kernel: after the ACL permitted it, TCP, UDP other than
 * SIP, and ICMP / ICMPv6 errors (destination unreachable, packet too big,
 * time exceeded: the kernel's connections need them); the dataplane
 * itself still answers ARP, neighbour discovery and echo. Without the
 * exception path (enabled: false) those datagrams are dropped and counted
 * (drop_ip_proto, drop_udp_port, drop_icmp_other).
 *
 * What the kernel sends on a TAP leaves through the port: datagrams from
 * the port's own address go out through the next-hop layer; anything else
 * (another source, multicast, router solicitations, MLD) is dropped and
 * counted. The ACL judges what comes in, not what the appliance sends.
 *
 * Sessions (policy step 0): a TCP SYN the kernel sends, or UDP it sends
 * from a port other than sip_port, opens a session (protocol, our port,
 * remote address and port) that every further frame of the kernel's on it
 * renews; until it ages out (udp_timeout_s; tcp_timeout_s once the kernel
 * acknowledged, tcp_closing_timeout_s after FIN or RST), datagrams from
 * that remote address and port to that port of ours, and ICMP errors
 * about the flow, go to the kernel before the ACL. A full table (8 slots
 * probed per flow) leaves a new flow without a session: its return
 * traffic meets the ACL (counted as xflow_full).
 *
 * PAT (DESIGN.md pipeline steps 3 and 8):
 *   pat:
 *     ports: "20000-29999"   # outside source ports of translations; at
 *                            # least 64 per worker, never inside the
 *                            # kernel's ephemeral range 32768-60999 nor
 *                            # holding sip_port
 *     udp_timeout_s: 300     # a UDP mapping idle this long ends (1..86400)
 *     tcp_timeout_s: 7200    # a TCP mapping idle this long ends (10..7d)
 *     table_size: 16384      # mappings per worker (2^n, 64..2^20)
 *     statics:               # outside port -> inside node(s)
 *       - { proto: tcp, port: 5269, to: ["192.0.2.11:5269"], name: xmpp }
 * UDP and TCP that an inside node sends to a destination reached through
 * the outside port, and that the inside port's ACL permits, leave with
 * the outside address and a port of the range. Each worker owns an equal
 * slice of the range (the remainder is unused) and a table of its own;
 * a datagram reaching another worker is passed to the owner on a ring.
 * Return traffic from the same remote address and port to a live
 * mapping's port is translated back before the ACL (policy step 0); any
 * other datagram to the range meets the ACL. A mapping's idle time is
 * renewed by traffic both ways. The inside port's ACL judges the
 * datagrams to forward as it judges those to the appliance (their
 * destination is the foreign address); not permitted: drop_acl_default.
 * A datagram to forward that is neither UDP nor TCP, or whose destination
 * is not reached through the outside port, is dropped (drop_pat_proto).
 * IPv6 is not forwarded (drop_ip_not_ours). SIP over UDP (either end at
 * sip_port) goes through the ALG: outbound the top Via, Contact and
 * Record-Route (and SDP c=/o= addresses) carrying the node's address and
 * port are given the outside address and PAT port; inbound a response's
 * top Via and a request's Request-URI are restored. Unparsable SIP is
 * dropped (drop_pat_alg). Media (RTP) is not translated. The range, the
 * timeouts and table_size need a restart; statics reload.
 *
 * Static PAT (issue: XMPP federation, TCP 5269, passes as firewalled
 * traffic to inside nodes): a UDP or TCP datagram to the appliance's
 * outside IPv4 address at a static's port that the outside ACL permits
 * (the static opens nothing by itself: give it an ACL rule) goes to one
 * of its nodes, chosen by a hash of the source address and port so that
 * a connection sticks to one node, with a mapping (the table above, idle
 * timeouts alike) through which the node's replies leave translated back
 * from the outside address and the static's port, before the inside ACL.
 * A datagram from a node's static address and port with no mapping is
 * dropped (drop_pat_no_session). At most 16 statics of 1..8 nodes; the
 * port may be neither in the PAT range nor sip_port; no SIP ALG on
 * statics. Counted as pat_static_in / pat_static_out.
 *
 * The kernel's ephemeral ports (net.ipv4.ip_local_port_range, also used
 * for IPv6; Linux's default 32768-60999) must stay outside the PAT's port
 * range (default 20000-29999), or a kernel flow and a translation could
 * claim the same port: the dataplane warns at start-up when they overlap.
 */
#ifndef SIPEDGE_DP_CONFIG_H
#define SIPEDGE_DP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "platform/config/config.h"

/** Most workers a config may ask for. */
#define DP_CFG_MAX_WORKERS 64

/** Port roles. */
enum dp_port_role {
	DP_PORT_OUTSIDE = 0, /**< towards foreign domains */
	DP_PORT_INSIDE = 1,  /**< towards the enterprise */
	DP_PORT__COUNT
};

/** Worker polling. */
enum dp_poll {
	DP_POLL_ADAPTIVE = 0, /**< pause, then short sleeps when idle */
	DP_POLL_BUSY = 1,     /**< spin */
};

/** Smallest port MTU (RFC 791: every IPv4 host takes 576). */
#define DP_MTU_MIN 576
/** Smallest port MTU with IPv6 (RFC 8200). */
#define DP_MTU_MIN_IPV6 1280
/** Largest port MTU (jumbo frames). */
#define DP_MTU_MAX 9000
/** Port MTU when the config says none (Ethernet). */
#define DP_MTU_DEFAULT 1500

/** One port as written in the config. */
struct dp_port_cfg {
	char *device;   /**< DPDK device arguments */
	char *mac;      /**< the appliance's MAC on this port */
	char *ipv4;     /**< address/prefix, optional */
	char *ipv6;     /**< address/prefix, optional */
	char *gateway4; /**< next hop for off-link IPv4, optional */
	char *gateway6; /**< next hop for off-link IPv6, optional */
	uint32_t mtu;   /**< largest IP datagram sent (576..9000) */
	char *tap;      /**< exception-path TAP name; NULL: sx-out / sx-in */
};

/** `ports:` */
struct dp_ports_cfg {
	struct dp_port_cfg outside; /**< outside: */
	struct dp_port_cfg inside;  /**< inside: */
};

/** `rate_limit:` per source address, token bucket (policy step 2). */
struct dp_ratelimit_cfg {
	uint32_t requests_per_second; /**< sustained rate per source; 0 off */
	uint32_t burst;               /**< bucket depth per source */
	uint32_t table_size;          /**< sources tracked per worker (2^n) */
};

/** `neighbour:` the ARP / ND cache of each port. */
struct dp_neigh_cfg {
	uint32_t timeout_s;  /**< an answer is trusted this long */
	uint32_t table_size; /**< entries per port (2^n) */
};

/** `fragments:` the reassembly tables, one per worker and port. */
struct dp_frag_cfg {
	uint32_t flows;      /**< datagrams being reassembled at once */
	uint32_t timeout_ms; /**< an incomplete datagram is dropped after */
	uint32_t max_mbufs;  /**< fragments held at once */
};

/** `exception:` the TAPs and the kernel's own flows (sessions). */
struct dp_exception_cfg {
	bool enabled;                   /**< TAPs; false: TCP etc. dropped */
	uint32_t sessions;              /**< per port (2^n); 0: 4096 */
	uint32_t udp_timeout_s;         /**< 0: 180 */
	uint32_t tcp_timeout_s;         /**< established; 0: 7200 */
	uint32_t tcp_closing_timeout_s; /**< FIN/RST, unanswered SYN; 0: 10 */
};

/** Most static PAT entries, and inside nodes behind one. */
#define DP_PAT_MAX_STATICS 16
/** Most nodes behind one static. */
#define DP_PAT_MAX_NODES 8

/** One `pat.statics:` entry: an outside port to inside node(s). */
struct dp_pat_static_cfg {
	int proto;               /**< enum dp_acl_proto: udp or tcp */
	uint32_t port;           /**< the appliance's outside port */
	char **to;               /**< "a.b.c.d:port" of each node */
	unsigned to_count;       /**< entries in to (1..DP_PAT_MAX_NODES) */
	char *name;              /**< label, optional */
};

/** `pat:` dynamic port address translation of the inside nodes. */
struct dp_pat_cfg {
	char *ports;            /**< "lo-hi"; NULL: 20000-29999 */
	uint32_t udp_timeout_s; /**< idle UDP mapping ends; 0: 300 */
	uint32_t tcp_timeout_s; /**< idle TCP mapping ends; 0: 7200 */
	uint32_t table_size;    /**< mappings per worker (2^n); 0: 16384 */
	struct dp_pat_static_cfg *statics; /**< statics:, in order */
	unsigned statics_count; /**< entries in statics */
};

/**
 * Parse a static PAT node "a.b.c.d:port".
 * @return 0, or -EINVAL.
 */
int dp_pat_node_parse(const char *s, uint8_t ip[4], uint16_t *port);

/** The PAT range when the config names none. */
#define DP_PAT_PORTS_DEFAULT "20000-29999"
/** Linux's default ephemeral ports, which the PAT range must avoid. */
#define DP_PAT_EPHEMERAL_LO 32768
/** Last of them. */
#define DP_PAT_EPHEMERAL_HI 60999

/**
 * Parse a PAT range "lo-hi" (NULL: the default).
 * @return 0, or -EINVAL (malformed, empty, port 0).
 */
int dp_pat_range_parse(const char *s, uint16_t *lo, uint16_t *hi);

/** A TAP name's longest length (IFNAMSIZ less the NUL). */
#define DP_TAP_NAME_MAX 15

/** Most ACL rules (each registers two counters on its port). */
#define DP_ACL_MAX_RULES 128

/** What an ACL rule does with a datagram it matches. */
enum dp_acl_action {
	DP_ACL_DENY = 0,   /**< drop it, counted against the rule */
	DP_ACL_PERMIT = 1, /**< on to the next stage */
};

/** The protocol an ACL rule matches. */
enum dp_acl_proto {
	DP_ACL_PROTO_ANY = 0, /**< any IP protocol */
	DP_ACL_PROTO_UDP,     /**< UDP */
	DP_ACL_PROTO_TCP,     /**< TCP */
	DP_ACL_PROTO_ICMP,    /**< ICMP (IPv4) */
	DP_ACL_PROTO_ICMP6,   /**< ICMPv6 */
};

/** One `acl:` rule as written in the config. */
struct dp_acl_rule_cfg {
	enum dp_port_role port;    /**< port: */
	enum dp_acl_action action; /**< action: */
	enum dp_acl_proto proto;   /**< proto: */
	char *src;                 /**< address/prefix, NULL for any */
	char *dst;                 /**< address/prefix, NULL for any */
	char *sport;               /**< "N" or "N-M", NULL for any */
	char *dport;               /**< "N" or "N-M", NULL for any */
	char *name;                /**< label, optional */
};

/** The section. */
struct dp_cfg {
	char **eal_args;          /**< extra EAL arguments */
	unsigned eal_args_count;  /**< entries in eal_args */
	char *file_prefix;        /**< EAL --file-prefix */
	uint32_t workers;         /**< worker lcores */
	enum dp_poll poll;        /**< polling mode */
	uint32_t mbufs;           /**< mbufs in the pool */
	uint32_t mbuf_data_room;  /**< bytes of data per mbuf */
	uint32_t sip_port;        /**< UDP port of SIP (5060) */
	struct dp_ports_cfg ports; /**< ports: */
	struct dp_ratelimit_cfg rate_limit; /**< rate_limit: */
	struct dp_neigh_cfg neighbour; /**< neighbour: */
	struct dp_frag_cfg fragments; /**< fragments: */
	struct dp_exception_cfg exception; /**< exception: */
	struct dp_pat_cfg pat;     /**< pat: */
	struct dp_acl_rule_cfg *acl; /**< acl:, in order */
	unsigned acl_count;        /**< entries in acl */
};

/** Fields of the section. */
extern const cyaml_schema_field_t dp_cfg_fields[];
/** Ranges and defaults (paths under "dataplane."). */
extern const struct cfg_range dp_cfg_ranges[];

/** A parsed port address. */
struct dp_cidr {
	uint8_t family;  /**< AF_INET, AF_INET6; 0 when not configured */
	uint8_t prefix;  /**< prefix length */
	uint8_t ip[16];  /**< address, network byte order */
};

/**
 * Parse "a.b.c.d/n" or "x::y/n" (a missing prefix means a host route).
 * @return 0, or -EINVAL.
 */
int dp_cidr_parse(const char *s, struct dp_cidr *out);

/** An ACL rule as the dataplane takes it (dp_set_acl()). */
struct dp_acl_rule {
	uint8_t port;       /**< enum dp_port_role */
	uint8_t action;     /**< enum dp_acl_action */
	uint8_t proto;      /**< IP protocol number when !any_proto */
	bool any_proto;     /**< any IP protocol */
	uint8_t family;     /**< AF_INET or AF_INET6 only; 0 both */
	struct dp_cidr src; /**< family 0: any source */
	struct dp_cidr dst; /**< family 0: any destination */
	uint16_t sport_lo;  /**< source port range, inclusive */
	uint16_t sport_hi;  /**< (0-65535: any) */
	uint16_t dport_lo;  /**< destination port range, inclusive */
	uint16_t dport_hi;  /**< (0-65535: any) */
	uint16_t index;     /**< position in `acl:` (names its counters) */
};

/**
 * Parse one `acl:` rule.
 * @param c      the rule as written
 * @param index  its position in the sequence
 * @param out    filled in
 * @param key    on error, the offending key ("src", "dport", ...)
 * @param why    on error, what is wrong with it; whylen its size
 * @return 0, or -EINVAL.
 */
int dp_acl_rule_parse(const struct dp_acl_rule_cfg *c, unsigned index,
		struct dp_acl_rule *out, const char **key, char *why,
		size_t whylen);

/** Parse "aa:bb:cc:dd:ee:ff". @return 0, or -EINVAL. */
int dp_mac_parse(const char *s, uint8_t mac[6]);

/**
 * The TAP name of a port: its `tap:` key, else the role's default
 * ("sx-out", "sx-in"). @return a string that lives as long as pc.
 */
const char *dp_cfg_tap_name(const struct dp_port_cfg *pc,
		enum dp_port_role role);

/**
 * Check what the schema cannot: MACs, addresses, prefixes, a port with no
 * address at all, unicast MACs, the ACL rules' addresses, port ranges and
 * their agreement with the protocol, MTUs against IPv6 and the mbufs'
 * data room, the reassembly tables' share of the pool, TAP names (valid,
 * distinct) and the session table's size.
 * @return 0, or -EINVAL with err at the offending key.
 */
int dp_cfg_check(const struct dp_cfg *cfg, const struct cfg_doc *doc,
		struct cfg_err *err);

#endif
