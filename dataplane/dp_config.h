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
 *     ports:
 *       outside: { device: "net_af_packet0,iface=dp-out,qpairs=1",
 *                  mac: "02:5e:00:00:01:01",
 *                  ipv4: 198.51.100.1/24, ipv6: "2001:db8:0:1::1/64" }
 *       inside:  { ... }
 *
 * A port's device is DPDK device arguments: a PCI address, or a virtual
 * device (net_af_packet, net_af_xdp, net_tap, net_pcap, net_ring...). The
 * appliance answers ARP and neighbour discovery for its addresses with its
 * own MAC, which should differ from the kernel's MAC of an af_packet
 * interface (DESIGN.md: the kernel then drops those frames as not its own).
 */
#ifndef SIPEDGE_DP_CONFIG_H
#define SIPEDGE_DP_CONFIG_H

#include <stdbool.h>
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

/** One port as written in the config. */
struct dp_port_cfg {
	char *device;   /**< DPDK device arguments */
	char *mac;      /**< the appliance's MAC on this port */
	char *ipv4;     /**< address/prefix, optional */
	char *ipv6;     /**< address/prefix, optional */
	char *gateway4; /**< next hop for off-link IPv4, optional */
	char *gateway6; /**< next hop for off-link IPv6, optional */
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

/** Parse "aa:bb:cc:dd:ee:ff". @return 0, or -EINVAL. */
int dp_mac_parse(const char *s, uint8_t mac[6]);

/**
 * Check what the schema cannot: MACs, addresses, prefixes, a port with no
 * address at all, unicast MACs.
 * @return 0, or -EINVAL with err at the offending key.
 */
int dp_cfg_check(const struct dp_cfg *cfg, const struct cfg_doc *doc,
		struct cfg_err *err);

#endif
