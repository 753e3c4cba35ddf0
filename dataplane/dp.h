/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dp: the dataplane as the rest of sipedge sees it (no DPDK types here).
 *
 * dp_create() initialises the DPDK EAL from the `dataplane:` config, opens
 * the outside and inside ports on whatever PMD their device arguments name
 * and sets up one RX and one TX queue per worker on each. dp_start()
 * launches the workers on their lcores; dp_stop() stops them. For tests
 * and benchmarks, dp_poll() runs one iteration of a worker's loop on the
 * calling thread instead.
 *
 * The EAL can be initialised once per process: one struct dp per process.
 */
#ifndef SIPEDGE_DP_H
#define SIPEDGE_DP_H

#include <stddef.h>

#include "dataplane/dp_config.h"
#include "platform/netaddr.h"
#include "platform/stats/stats.h"

struct dp;

/**
 * How to reach a peer again: the port a message came in on and the
 * link-layer next hop it came from. The control plane keeps it with a
 * transaction and hands it back to reply; it is plain data.
 */
struct dp_route {
	uint8_t port;     /**< enum dp_port_role */
	uint8_t mac[6];   /**< next hop's MAC */
	uint8_t rsvd;     /**< zero */
};

/**
 * A SIP message handed to the control plane (DESIGN.md, the hand-off).
 * data points into an mbuf that stays the dataplane's: release it with
 * dp_msg_release() once done (the bytes are valid until then).
 */
struct dp_msg {
	const char *data;      /**< the UDP payload: one SIP message */
	uint32_t len;          /**< its length */
	struct netaddr src;    /**< who sent it */
	struct netaddr dst;    /**< the appliance's address it was sent to */
	struct dp_route route; /**< how to answer */
	void *handle;          /**< the dataplane's; do not touch */
};

/**
 * Initialise the EAL and the ports.
 *
 * @param cfg      the `dataplane:` section (borrowed for the call; what is
 *                 needed later is copied)
 * @param argv0    program name for the EAL
 * @param extra    further EAL arguments (after `--` on the command line),
 *                 may be NULL when n_extra is 0
 * @param n_extra  count of extra
 * @param reg      stats registry: the dataplane registers its counters
 *                 (one block per port) and uses shards 0..workers-1
 * @param err      on failure, a message; errlen its size
 * @return the dataplane, or NULL (see err).
 *
 * A port whose device names an ethdev that already exists (e.g. one a test
 * made with rte_eth_from_rings() after dp_eal_init()) is used as it is.
 */
struct dp *dp_create(const struct dp_cfg *cfg, const char *argv0,
		char *const *extra, unsigned n_extra, struct stats_reg *reg,
		char *err, size_t errlen);

/**
 * Initialise only the EAL, for tests that make their own ports before
 * dp_create() (which then skips the EAL). Same arguments as dp_create().
 * @return 0, or a negative errno with err set.
 */
int dp_eal_init(const struct dp_cfg *cfg, const char *argv0,
		char *const *extra, unsigned n_extra, char *err, size_t errlen);

/** A permitted federated domain (DESIGN.md policy order, step 4). */
struct dp_domain {
	const char *name;  /**< the domain */
	bool subdomains;   /**< its subdomains are permitted too */
};

/**
 * Set the domains the workers judge requests from outside by: a request
 * from the outside port must come from a permitted domain (identity from
 * P-Asserted-Identity, else Remote-Party-ID, else From) and, unless it
 * carries a To-tag, address a local domain or one of the appliance's
 * addresses; otherwise the worker answers 403 itself. The tables are
 * copied into a new snapshot and published with RCU: callable while the
 * workers run (from one control thread; returns once no worker can still
 * read the old tables). @return 0, -ENOMEM (the old tables stay).
 */
int dp_set_domains(struct dp *dp, const char *const *local, unsigned n_local,
		const struct dp_domain *permitted, unsigned n_permitted);

/**
 * Set the per-source rate limit (requests per second and burst, both
 * split evenly among the workers; 0 turns it off). Published like
 * dp_set_domains(); running workers apply it at their next poll and keep
 * their sources' buckets. @return 0, -ENOMEM.
 */
int dp_set_rate_limit(struct dp *dp, uint32_t requests_per_second,
		uint32_t burst);

/**
 * Set the ACL (DESIGN.md policy order, step 1): rules in order, first
 * match wins, no match denies. dp_create() installs the config's `acl:`;
 * this replaces it, built whole and published like dp_set_domains() (a
 * reload). Each rule's counters, dp_PORT_acl_ruleN_permit and _deny
 * (N = rule->index), are registered on first use. The rules are copied.
 * @return 0; -EINVAL (a rule's index is
 *         DP_ACL_MAX_RULES or more, or rte_acl refused a rule); -ENOMEM,
 *         -ENOSPC (no room for the counters). On error the ACL in place
 *         stays.
 */
int dp_set_acl(struct dp *dp, const struct dp_acl_rule *rules, unsigned n);

/**
 * dp_set_acl() from a `dataplane:` section's `acl:` (a reload).
 * @return 0, or a negative errno with err naming the rule.
 */
int dp_set_acl_cfg(struct dp *dp, const struct dp_cfg *cfg, char *err,
		size_t errlen);

/**
 * Publish the static PAT of a `dataplane:` section's `pat.statics:`
 * (RCU, like dp_set_acl(); a reload). Mappings already made through a
 * static live on until idle.
 * @return 0, or a negative errno with err set (the old statics stay).
 */
int dp_set_pat_statics_cfg(struct dp *dp, const struct dp_cfg *cfg,
		char *err, size_t errlen);

/** Launch the workers on their lcores. @return 0 or a negative errno. */
int dp_start(struct dp *dp);

/** Ask the workers to stop and wait for them. */
void dp_stop(struct dp *dp);

/** Stop the ports and free the dataplane (the EAL stays up). */
void dp_destroy(struct dp *dp);

/**
 * One iteration of worker w's loop on the calling thread: a burst from
 * every port, processed, replies flushed.
 * @return frames received.
 */
unsigned dp_poll(struct dp *dp, unsigned w);

/** Number of workers. */
unsigned dp_workers(const struct dp *dp);

/**
 * Take up to n messages the workers handed to the control plane (SIP over
 * UDP addressed to the appliance itself). Called by one control thread.
 * @return how many were stored in out.
 */
unsigned dp_handoff_rx(struct dp *dp, struct dp_msg *out, unsigned n);

/** Give a message's buffer back to the dataplane. */
void dp_msg_release(struct dp *dp, struct dp_msg *m);

/**
 * The way to a destination the appliance has not heard from (a NOTIFY to
 * a Contact, a DNS server): the port whose prefix holds dst, else the
 * port with a gateway of its family (outside first). route->mac is left
 * zero: dp_send_udp() then resolves the next hop itself (ARP / ND) and
 * holds the datagram until it answers. src gets the appliance's address
 * of dst's family on that port (port 0: set it).
 * @return 0; -EINVAL (not IPv4/IPv6), -ENETUNREACH (no port reaches it).
 */
int dp_route_lookup(struct dp *dp, const struct netaddr *dst,
		struct dp_route *route, struct netaddr *src);

/**
 * Send a UDP datagram from the appliance: src is one of its addresses,
 * route says which port and next hop (from the message being answered,
 * or from dp_route_lookup(): a zero MAC is resolved before sending).
 * The frame is built here and transmitted by worker 0 at its next poll.
 * Thread-safe for several control threads.
 * @return 0; -EINVAL (no such address family on the port, too large),
 *         -ENOBUFS (no mbuf or the TX ring is full; counted).
 */
int dp_send_udp(struct dp *dp, const struct dp_route *route,
		const struct netaddr *src, const struct netaddr *dst,
		const void *data, uint32_t len);

#endif
