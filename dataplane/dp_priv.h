/* SPDX-License-Identifier: BSD-3-Clause */
/* Dataplane internals: DPDK types. Only dataplane/ includes this. */
#ifndef SIPEDGE_DP_PRIV_H
#define SIPEDGE_DP_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dataplane/dp.h"
#include "dataplane/dp_counters.h"
#include "platform/sip/sip_types.h"

/** Frames per RX burst and per TX buffer. */
#define DP_BURST 32
/** Most workers. */
#define DP_MAX_WORKERS DP_CFG_MAX_WORKERS

/** One port: its ethdev and the appliance's identity on it. */
struct dp_port {
	uint16_t port_id;         /**< ethdev port id */
	uint8_t role;             /**< enum dp_port_role */
	bool has_ip4;             /**< ipv4 configured */
	bool has_ip6;             /**< ipv6 configured */
	bool started;             /**< rte_eth_dev_start() succeeded */
	struct rte_ether_addr mac; /**< the appliance's MAC here */
	uint32_t ip4;             /**< network byte order */
	uint8_t ip6[16];          /**< the appliance's IPv6 address */
	uint8_t ip6_sn_mac[6];    /**< solicited-node multicast MAC of ip6 */
	int ctr_base;             /**< stats id of this port's DP_RX_FRAMES */
};

/** Hand-off ring size per worker, and the control plane's TX ring. */
#define DP_HANDOFF_RING 1024

/** What a hand-off mbuf carries in its private area. */
struct dp_meta {
	struct netaddr src;     /**< sender */
	struct netaddr dst;     /**< our address it was sent to */
	struct dp_route route;  /**< port and next hop */
	uint32_t payload_off;   /**< UDP payload offset in the frame */
	uint32_t payload_len;   /**< UDP payload length */
};

/** A domain as the workers compare it: lower case, no trailing dot. */
struct dp_dom {
	struct sstr name;  /**< points into dp_domains.strings */
	bool subdomains;   /**< subdomains match too */
};

/** The domain tables the workers read (immutable once published). */
struct dp_domains {
	unsigned n_local;           /**< local domains */
	unsigned n_permitted;       /**< permitted federated domains */
	struct dp_dom *local;       /**< n_local entries */
	struct dp_dom *permitted;   /**< n_permitted entries */
	char *strings;              /**< the names, one allocation */
};

/** One source's token bucket (tokens in 1/tsc_hz units). */
struct dp_rl_bucket {
	uint8_t ip[16];   /**< the source address */
	uint8_t family;   /**< AF_INET / AF_INET6; 0 = free */
	uint64_t tokens;  /**< tokens x tsc_hz */
	uint64_t last;    /**< TSC of the last refill */
};

/** Per-worker state: one writer, cache aligned. */
struct dp_worker {
	struct dp *dp;                 /**< back pointer */
	unsigned id;                   /**< worker index = queue index */
	unsigned lcore;                /**< EAL lcore it runs on */
	uint64_t *ctr;                 /**< its stats shard */
	unsigned idle;                 /**< consecutive empty polls */
	struct rte_eth_dev_tx_buffer *txb[DP_PORT__COUNT]; /**< per port */
	struct sip_msg *sip;           /**< SIP parse scratch */
	struct rte_ring *handoff;      /**< to the control plane (SP/SC) */
	char *rsp;                     /**< response scratch (DP_RSP_MAX) */
	struct dp_rl_bucket *rl;       /**< rate-limit table (rl_size) */
	uint32_t rl_size;              /**< a power of two */
	uint64_t rl_rate;              /**< requests per second, this worker */
	uint64_t rl_burst;             /**< bucket depth x tsc_hz */
	uint64_t rl_fill;              /**< TSC ticks that refill a bucket */
	uint64_t now;                  /**< TSC read once per poll */
} __rte_cache_aligned;

/** The dataplane. */
struct dp {
	struct rte_mempool *pool;        /**< mbufs */
	struct dp_port ports[DP_PORT__COUNT]; /**< outside, inside */
	unsigned n_workers;              /**< workers */
	enum dp_poll poll;               /**< polling mode */
	uint16_t sip_port;               /**< UDP port of SIP */
	struct dp_ratelimit_cfg rl_cfg;  /**< rate limit settings */
	struct stats_reg *reg;           /**< counters */
	atomic_bool stop;                /**< workers leave their loop */
	bool running;                    /**< dp_start() launched them */
	struct rte_ring *ctl_tx;         /**< control plane to wire (MP/SC) */
	struct dp_domains *domains;      /**< domain permit tables */
	uint64_t *ctl_ctr;               /**< shard the control plane counts on */
	struct dp_worker workers[DP_MAX_WORKERS]; /**< per worker */
};

/** Count n on the worker's shard for a port-relative counter. */
static inline void
dp_count(struct dp_worker *w, const struct dp_port *p, enum dp_ctr c,
		uint64_t n)
{
	stats_add(w->ctr, (unsigned)(p->ctr_base + (int)c), n);
}

/**
 * Process one received frame: reply, forward, hand off or drop it, and
 * count why. Takes ownership of m.
 */
void dp_input(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m);

/** Largest response a worker builds itself (a 403 to a request). */
#define DP_RSP_MAX 4096

/** Outcome of the domain permit (policy step 4). */
enum dp_permit {
	DP_PERMIT_PASS = 0,     /**< on to the control plane */
	DP_PERMIT_DENY_IDENTITY, /**< the requester's domain is not permitted */
	DP_PERMIT_DENY_RURI,    /**< the Request-URI is not ours */
};

/**
 * Judge a request that came in on the outside port (DESIGN.md, policy
 * order step 4). msg is a SIP_PARSE_FAST parse.
 */
enum dp_permit dp_permit_check(const struct dp *dp, const struct sip_msg *msg);

/** Set up a worker's rate limiter. @return 0, -1 without memory. */
int dp_rl_init(struct dp_worker *w, const struct dp_ratelimit_cfg *cfg,
		unsigned n_workers);
/** Set a worker's share of a rate and burst; every bucket starts full. */
void dp_rl_set(struct dp_worker *w, uint32_t rps, uint32_t burst,
		unsigned n_workers);
/** Free a worker's rate limiter. */
void dp_rl_free(struct dp_worker *w);
/** Take a token for src at TSC now; false when over its limit. */
bool dp_rl_allow(struct dp_worker *w, const struct netaddr *src,
		uint64_t now);

/** Free domain tables (NULL is a no-op). */
void dp_domains_free(struct dp_domains *t);

/**
 * Ethernet + IPv4/IPv6 + UDP around data, in a new mbuf whose private
 * area's route is set. @return the mbuf, or NULL (no mbuf, too large).
 */
struct rte_mbuf *dp_build_udp(struct dp *dp, const struct dp_port *p,
		const struct dp_route *route, const struct netaddr *src,
		const struct netaddr *dst, const void *data, uint32_t len);

/** The private area of an mbuf of the pool. */
static inline struct dp_meta *
dp_meta(struct rte_mbuf *m)
{
	return rte_mbuf_to_priv(m);
}

#endif
