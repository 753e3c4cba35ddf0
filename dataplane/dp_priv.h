/* SPDX-License-Identifier: BSD-3-Clause */
/* Dataplane internals: DPDK types. Only dataplane/ includes this. */
#ifndef SIPEDGE_DP_PRIV_H
#define SIPEDGE_DP_PRIV_H

#include <stdatomic.h>
#include <stdbool.h>

/* The QSBR fast paths inline (liburcu's LGPL note allows it). */
#define _LGPL_SOURCE
#include <urcu-qsbr.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dataplane/dp.h"
#include "dataplane/dp_counters.h"
#include "platform/sip/sip_types.h"

/** Frames per RX burst and per TX buffer. */
#define DP_BURST 32
/** Most workers. */
#define DP_MAX_WORKERS DP_CFG_MAX_WORKERS

struct dp_neigh_table;
struct dp_pat_statics;
struct dp_frag;
struct dp_tap;
struct dp_xflow;
struct dp_pat;

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
	uint8_t ip6_sn[16];       /**< solicited-node multicast group of ip6 */
	int ctr_base;             /**< stats id of this port's DP_RX_FRAMES */
	uint8_t prefix4;          /**< on-link IPv4 prefix length */
	uint8_t prefix6;          /**< on-link IPv6 prefix length */
	bool has_gw4;             /**< gateway4 configured */
	bool has_gw6;             /**< gateway6 configured */
	uint8_t gw4[4];           /**< IPv4 next hop for off-link */
	uint8_t gw6[16];          /**< IPv6 next hop for off-link */
	struct dp_neigh_table *neigh; /**< next hops on this port */
	uint16_t mtu;             /**< largest IP datagram sent here */
	struct dp_tap *tap;       /**< exception path; NULL: none */
	struct dp_xflow *xflow;   /**< the kernel's own flows; NULL: none */
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
	bool self;              /**< output: the appliance originated it */
	uint8_t nexthop[16];    /**< output: held for this next hop */
};

struct sip_domset;

/** One source's token bucket (tokens in 1/tsc_hz units). */
struct dp_rl_bucket {
	uint8_t ip[16];   /**< the source address */
	uint8_t family;   /**< AF_INET / AF_INET6; 0 = free */
	uint64_t tokens;  /**< tokens x tsc_hz */
	uint64_t last;    /**< TSC of the last refill */
};

/*
 * The ACL (policy step 1) on rte_acl: per port, one context for IPv4 and
 * one for IPv6 (a rule without addresses goes into both). A rule's
 * priority is the reverse of its config index, so the first match wins;
 * its userdata is its slot + 1 (0 means no match: default deny).
 */

/** What rte_acl reads for IPv4 (network byte order, built per frame:
 * IP options and the L4 header's place do not matter then). */
struct dp_acl_key4 {
	uint8_t proto;     /**< IP protocol (rte_acl: the 1-byte first field) */
	uint8_t pad[3];    /**< zero */
	uint32_t src;      /**< source address */
	uint32_t dst;      /**< destination address */
	uint16_t sport;    /**< UDP/TCP source port, else 0 */
	uint16_t dport;    /**< UDP/TCP destination port, else 0 */
};

/** What rte_acl reads for IPv6. */
struct dp_acl_key6 {
	uint8_t proto;     /**< next header */
	uint8_t pad[3];    /**< zero */
	uint8_t src[16];   /**< source address */
	uint8_t dst[16];   /**< destination address */
	uint16_t sport;    /**< UDP/TCP source port, else 0 */
	uint16_t dport;    /**< UDP/TCP destination port, else 0 */
};

/** A rule as the workers apply it once rte_acl chose it. */
struct dp_acl_slot {
	uint8_t action;    /**< enum dp_acl_action */
	unsigned ctr;      /**< stats id of its permit counter; deny is +1 */
};

/** One port's ACL. */
struct dp_acl_port {
	struct rte_acl_ctx *ctx[2]; /**< IPv4, IPv6; NULL: no rule, deny all */
	unsigned n;                 /**< rules (slots) */
	struct dp_acl_slot *slot;   /**< indexed by userdata - 1 */
};

/** The ACL tables the workers read (immutable once installed). */
struct dp_acl {
	struct dp_acl_port port[DP_PORT__COUNT]; /**< per port role */
};

/** A frame addressed to us, waiting for the burst's classification. */
struct dp_acl_pending {
	struct rte_mbuf *m;   /**< the frame (owned by the batch) */
	void *l3;             /**< its IPv4 or IPv6 header */
	uint8_t *l4;          /**< its L4 header */
	uint32_t l4_len;      /**< L4 bytes */
	uint8_t family;       /**< AF_INET, AF_INET6 */
	bool to_us;           /**< IPv6: our address (not our SN group) */
	bool fwd;             /**< not for us: to forward (PAT) if permitted */
	union {
		struct dp_acl_key4 k4;
		struct dp_acl_key6 k6;
	} key;                /**< what rte_acl reads */
};

/** The frames of one port's burst that reached the ACL. */
struct dp_acl_batch {
	unsigned n;                              /**< pending */
	struct dp_acl_pending pkt[DP_BURST];     /**< in arrival order */
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
	uint64_t rl_gen;               /**< dp_rl_settings.gen applied */
	struct dp_acl_batch acl;       /**< frames waiting for the ACL */
	struct dp_frag *frag;          /**< reassembly tables (dp_frag.c) */
	struct dp_pat *pat;            /**< PAT slice and table (dp_pat.c) */
	struct rte_ring *pat_ring;     /**< frames for this worker's PAT
					*   slice from others (MP/SC) */
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
	struct sip_domset *domains;      /**< domain permit tables (RCU) */
	struct dp_acl *acl;              /**< ACL tables (RCU; never NULL
					  *   once created) */
	struct dp_rl_settings *rl_set;   /**< rate-limit settings (RCU) */
	struct dp_pat_statics *pat_statics; /**< static PAT (RCU) */
	uint64_t rl_gen;                 /**< last gen published */
	unsigned acl_gen;                /**< names rte_acl contexts uniquely */
	/** Stats id + 1 of each config rule's {permit, deny} pair per port;
	 * 0 until registered (the registry never forgets a name). */
	int acl_ctr[DP_PORT__COUNT][DP_ACL_MAX_RULES];
	uint64_t *ctl_ctr;               /**< shard the control plane counts on */
	int sip_err_ctr;                 /**< stats id of dp_sip_malformed_none;
					  *   + enum sip_err per reason */
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
 * count why; or, an IP datagram addressed to us, put it in w->acl for
 * dp_input_acl(), to be called once the burst (all from port p) is in.
 * Takes ownership of m.
 */
void dp_input(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m);

/**
 * Classify the frames dp_input() collected from port p's burst (one
 * rte_acl_classify() per address family) and carry each on: permitted
 * ones to their L4 stage, the others dropped and counted (the rule's deny
 * counter or DP_DROP_ACL_DEFAULT). Empties w->acl.
 */
void dp_input_acl(struct dp_worker *w, struct dp_port *p);

/**
 * The ACL verdicts of a batch: res[i] is the slot + 1 of the rule that
 * matched b->pkt[i], or 0.
 */
void dp_acl_classify(const struct dp_acl_port *ap,
		const struct dp_acl_batch *b, uint32_t *res);

/*
 * RCU (liburcu QSBR; DESIGN.md "Threads and data paths"): the tables the
 * workers read are immutable snapshots behind pointers in struct dp. A
 * worker reads each pointer with rcu_dereference() once per burst and
 * announces a quiescent state once per loop (offline while it sleeps);
 * the control thread publishes a new snapshot with dp_snapshot_swap().
 */

/**
 * Publish snap in *slot, wait until no worker can still hold the old
 * snapshot (a grace period), then free the old one with free_fn (NULL
 * old is not passed). Control thread only; never from a worker.
 */
void dp_snapshot_swap(void **slot, void *snap, void (*free_fn)(void *));

/** Rate-limit settings as published (policy step 2). */
struct dp_rl_settings {
	uint64_t gen;    /**< changes with every publication */
	uint32_t rps;    /**< requests per second per source, all workers */
	uint32_t burst;  /**< bucket depth per source, all workers */
};

/** Free ACL tables (NULL is a no-op). */
void dp_acl_free(struct dp_acl *acl);
/** dp_acl_free() for dp_snapshot_swap(). */
void dp_acl_free_any(void *acl);

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
/** Set a worker's share of a rate and burst; with reset every bucket
 * starts full (else buckets keep their tokens, capped at the new burst
 * on their next refill). */
void dp_rl_set(struct dp_worker *w, uint32_t rps, uint32_t burst,
		unsigned n_workers, bool reset);
/** Apply newly published rate-limit settings (the worker, per poll). */
void dp_rl_refresh(struct dp_worker *w);
/** Free a worker's rate limiter. */
void dp_rl_free(struct dp_worker *w);
/** Take a token for src at TSC now; false when over its limit. */
bool dp_rl_allow(struct dp_worker *w, const struct netaddr *src,
		uint64_t now);

/** Free domain tables (a struct sip_domset; NULL is a no-op), for
 * dp_snapshot_swap(). */
void dp_domains_free_any(void *t);

/**
 * Ethernet + IPv4/IPv6 + UDP around data, in a new mbuf whose private
 * area's route is set. @return the mbuf, or NULL (no mbuf, too large).
 */
struct rte_mbuf *dp_build_udp(struct dp *dp, const struct dp_port *p,
		const struct dp_route *route, const struct netaddr *src,
		const struct netaddr *dst, const void *data, uint32_t len);

/*
 * Next hops (dp_neigh.c): a cache per port of IP -> MAC learned from ARP
 * and neighbour advertisements, shared by the workers without locks (each
 * entry is a sequence lock; a writer that finds it held skips, learning
 * is retried by the next answer).
 */

/** Resolution outcomes of dp_neigh_lookup(). */
enum dp_neigh_state {
	DP_NEIGH_MISS = 0,   /**< no usable entry */
	DP_NEIGH_FRESH,      /**< usable, answered within the timeout */
	DP_NEIGH_STALE,      /**< usable, past the timeout: ask again */
};

/**
 * Create the neighbour table of port p (size entries, a power of two;
 * timeout_s before an entry is asked again). @return 0 or -ENOMEM.
 */
int dp_neigh_init(struct dp *dp, struct dp_port *p, uint32_t size,
		uint32_t timeout_s);
/** Free port p's table and the frames it holds. */
void dp_neigh_free(struct dp_port *p);

/**
 * Learn (or refresh) family/ip -> mac on port p at TSC now, and send the
 * frame held for it, if any, on worker w's queue. Lock-free.
 */
void dp_neigh_learn(struct dp_worker *w, struct dp_port *p, uint8_t family,
		const uint8_t *ip, const uint8_t mac[6]);

/**
 * What port p knows of family/ip at TSC now (mac filled unless MISS).
 * Lock-free, read-only.
 */
enum dp_neigh_state dp_neigh_lookup(const struct dp_port *p, uint8_t family,
		const uint8_t *ip, uint64_t now, uint8_t mac[6]);

/**
 * The port that reaches family/dst and its next hop there: the port whose
 * prefix holds dst (the next hop is dst), else the first port with a
 * gateway of that family (outside first). @return the port, or NULL.
 */
struct dp_port *dp_route_port(struct dp *dp, uint8_t family,
		const uint8_t *dst, uint8_t nexthop[16]);

/**
 * Send frame m out of port p towards family/dst (the final destination:
 * the next hop is dst on-link, else the port's gateway). m holds an
 * Ethernet header (no VLAN tag) followed by the IP datagram; its MAC
 * addresses are filled here from the neighbour cache. An unresolved next
 * hop is asked for (ARP request / neighbour solicitation, at most one a
 * second) and m is held until the answer (replacing an older held frame,
 * which is dropped and counted). Takes ownership of m. self: the
 * appliance originated the datagram (it may be fragmented, IPv6 too).
 */
void dp_output(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		uint8_t family, const uint8_t *dst, bool self);

/** Give up held frames whose next hop has not answered (worker 0, per
 * poll; bounded work). */
void dp_neigh_sweep(struct dp_worker *w);

/*
 * IP fragments (dp_frag.c): reassembly with rte_ip_frag, a table per
 * worker and port, and fragmentation of output larger than a port's MTU.
 */

/**
 * Create every worker's reassembly tables from cfg->fragments (zeros take
 * the defaults; max_mbufs 0: 256, or less so that the tables hold at most
 * a quarter of a small pool) and register the dp_PORT_frag_mbufs_held
 * gauges. Called by dp_create() once the workers are set up.
 * @return 0, or -ENOMEM with err set.
 */
int dp_frag_setup(struct dp *dp, const struct dp_cfg *cfg, char *err,
		size_t errlen);

/** Free every worker's tables and the fragments they hold. */
void dp_frag_teardown(struct dp *dp);

/**
 * Drop the datagrams of w's tables still incomplete at TSC now (their
 * fragments counted in drop_frag_timeout). dp_poll() calls it once per
 * poll with w->now, before the burst, so that the burst's fragments
 * never find a stale datagram; tests call it with a later TSC instead of
 * sleeping. Frees what the tables gave up at once.
 */
void dp_frag_expire(struct dp_worker *w, uint64_t now);

/**
 * An IPv4 fragment received on p whose header dp_input checked (version,
 * IHL, total length within the frame, checksum), at l3_off in m: checked
 * against the fragment attacks and held for reassembly, or dropped.
 * Counted either way. Takes ownership of m.
 * @return the whole datagram, one segment, its L2 header that of its
 *         first fragment (m->l2_len bytes), IP checksum valid and no
 *         fragment flags but DF, for the caller to process as a frame it
 *         received; NULL when m was held or dropped.
 */
struct rte_mbuf *dp_frag_ipv4(struct dp_worker *w, struct dp_port *p,
		struct rte_mbuf *m, uint16_t l3_off);

/**
 * The same for an IPv6 datagram whose next header is a fragment header,
 * at l3_off in m (payload length within the frame checked). A fragment
 * with offset 0 and M clear (RFC 6946) comes back at once without its
 * fragment header.
 */
struct rte_mbuf *dp_frag_ipv6(struct dp_worker *w, struct dp_port *p,
		struct rte_mbuf *m, uint16_t l3_off);

/**
 * Buffer a whole frame (Ethernet, an optional VLAN tag, IP, L2 filled)
 * for TX on w's queue of p (counting in tx_frames what the buffer sends
 * when it fills). An IP datagram larger than the port's MTU leaves in
 * fragments, each with the frame's L2 header: IPv4 unless DF is set
 * (dropped, drop_frag_df), IPv6 only when self (the appliance originated
 * it; a forwarded one is dropped, drop_frag_ipv6_forward). self also
 * gives an IPv4 datagram a fresh identification when it is fragmented.
 * Frames other than IPv4 and IPv6 go out as they are. Takes ownership
 * of m.
 */
void dp_tx_ip(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		bool self);

/*
 * The exception path (dp_tap.c): one TAP per port for the kernel's
 * sockets, and the sessions of the flows the kernel opens (dp_xflow.c).
 */

/**
 * Create the TAPs of every port and their kernel side (addresses, MTU,
 * default routes), unless cfg->exception.enabled is false. Called by
 * dp_create() once the workers are set up.
 * @return 0, or a negative errno with err naming the interface.
 */
int dp_tap_create(struct dp *dp, const struct dp_cfg *cfg, char *err,
		size_t errlen);

/** Remove the TAPs (the kernel drops their addresses and routes). */
void dp_tap_destroy(struct dp *dp);

/**
 * A datagram addressed to the appliance for its kernel: rewrite its L2
 * for the TAP of port p (VLAN tag stripped) and queue it on worker w's
 * TAP queue (DP_TAP_TX). A port without a TAP drops it, counted as
 * `none`. Takes ownership of m (an Ethernet frame as received).
 */
void dp_tap_to_kernel(struct dp_worker *w, struct dp_port *p,
		struct rte_mbuf *m, enum dp_ctr none);

/**
 * Worker 0: read what the kernel sent on the TAPs (a bounded burst per
 * TAP), answer its ARP / ND, send its datagrams on through dp_output()
 * and note its flows in the session table. @return frames read.
 */
unsigned dp_tap_poll(struct dp_worker *w);

/** Write worker w's queued frames to the TAPs (end of every poll). */
void dp_tap_flush(struct dp_worker *w);

/** Is an ICMP (family AF_INET) or ICMPv6 type an error the kernel's
 * connections need (unreachable, packet too big, time exceeded)? */
static inline bool
dp_tap_is_icmp_error(uint8_t family, uint8_t type)
{
	if (family == AF_INET)
		return type == 3 || type == 11;
	return type >= 1 && type <= 3;
}

/** What identifies one of the kernel's flows on a port. */
struct dp_xflow_key {
	uint8_t family;     /**< AF_INET, AF_INET6; 0: never used */
	uint8_t proto;      /**< IPPROTO_TCP, IPPROTO_UDP */
	uint16_t lport;     /**< our port, host order */
	uint16_t rport;     /**< the remote port, host order */
	uint16_t pad;       /**< zero */
	uint8_t raddr[16];  /**< the remote address (IPv4: 4 bytes, rest 0) */
};

/** Timeouts of the session table, in TSC ticks. */
struct dp_xflow_timeouts {
	uint64_t udp;       /**< UDP, idle */
	uint64_t tcp;       /**< TCP once acknowledged, idle */
	uint64_t closing;   /**< TCP after FIN/RST, or SYN unanswered */
};

/** What dp_xflow_note() did. */
enum dp_xflow_note {
	DP_XFLOW_NOTE_NONE = 0, /**< nothing to record (not a new flow) */
	DP_XFLOW_NOTE_NEW,      /**< a session opened */
	DP_XFLOW_NOTE_RENEWED,  /**< an existing session renewed */
	DP_XFLOW_NOTE_FULL,     /**< a new flow found no free slot */
};

/**
 * A session table of size slots (a power of two).
 * @return the table, or NULL without memory.
 */
struct dp_xflow *dp_xflow_create(uint32_t size,
		const struct dp_xflow_timeouts *to);

/** Free a session table (NULL is a no-op). */
void dp_xflow_free(struct dp_xflow *t);

/**
 * Record a frame the kernel sent (the single writer: worker 0): TCP with
 * SYN and no ACK, or UDP, opens or renews the session of k; any other TCP
 * segment renews an existing one (ACK: established; FIN or RST: closing).
 * tcp_flags is the TCP header's flags byte (ignored for UDP). now is a
 * TSC value.
 */
enum dp_xflow_note dp_xflow_note(struct dp_xflow *t,
		const struct dp_xflow_key *k, uint8_t tcp_flags, uint64_t now);

/** Does k have a live session at TSC now? Any worker, lock-free. */
bool dp_xflow_match(const struct dp_xflow *t, const struct dp_xflow_key *k,
		uint64_t now);

/** dp_xflow_input() past its inline gate. */
bool dp_xflow_input_slow(struct dp_worker *w, struct dp_port *p,
		struct rte_mbuf *m, uint8_t family, const void *l3,
		const uint8_t *l4, uint32_t l4_len);

/**
 * Policy step 0 for a datagram addressed to the appliance on port p (l3
 * its IPv4 / IPv6 header, l4 and l4_len what follows): TCP or UDP from
 * the far end of a session, or an ICMP error about one, goes straight to
 * the kernel (DP_XFLOW_HIT). SIP over UDP never does (it meets the ACL
 * and the rate limit), and costs only this inline gate.
 * @return true when m was taken.
 */
static inline bool
dp_xflow_input(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		uint8_t family, const void *l3, const uint8_t *l4,
		uint32_t l4_len)
{
	uint8_t proto = family == AF_INET ?
		((const struct rte_ipv4_hdr *)l3)->next_proto_id :
		((const struct rte_ipv6_hdr *)l3)->proto;

	if (p->xflow == NULL || l4_len < 4 || (proto == IPPROTO_UDP &&
	    (uint16_t)(l4[2] << 8 | l4[3]) == w->dp->sip_port))
		return false;
	return dp_xflow_input_slow(w, p, m, family, l3, l4, l4_len);
}

/*
 * The kernel side of a TAP (dp_tap_kernel.c): plain ioctl, /proc and
 * rtnetlink, no DPDK.
 */

/**
 * Before the TAP comes up: no DAD, no router solicitations and no
 * autoconfiguration on it (when has_ip6; the kernel must have IPv6).
 * @return 0, or a negative errno with err naming the interface.
 */
int dp_tap_kernel_prepare(const char *ifname, bool has_ip6, char *err,
		size_t errlen);

/**
 * Once it is up: its MTU, link up, the port's addresses with their
 * prefixes, the port's gateways as default routes with the given metric,
 * and the kernel's MAC on it read back into kmac.
 * @return 0, or a negative errno with err naming the interface.
 */
int dp_tap_kernel_configure(const char *ifname, const struct dp_port *p,
		uint32_t mtu, uint32_t metric, uint8_t kmac[6], char *err,
		size_t errlen);

/**
 * The kernel's ephemeral port range (net.ipv4.ip_local_port_range).
 * @return 0, or a negative errno.
 */
int dp_tap_kernel_ephemeral(uint16_t *lo, uint16_t *hi);

/** The private area of an mbuf of the pool. */
static inline struct dp_meta *
dp_meta(struct rte_mbuf *m)
{
	return rte_mbuf_to_priv(m);
}

/*
 * PAT (dp_pat.c, DESIGN.md pipeline steps 3 and 8): each worker owns a
 * slice of the PAT port range and the mappings on it, written by it alone.
 */

/**
 * Create every worker's PAT state from cfg->pat (zeros and NULL take the
 * defaults) and its hand-over ring. Called by dp_create() once the
 * workers are set up. @return 0, or a negative errno with err set.
 */
int dp_pat_setup(struct dp *dp, const struct dp_cfg *cfg, char *err,
		size_t errlen);

/** Free every worker's PAT state and the frames its ring holds. */
void dp_pat_teardown(struct dp *dp);

/**
 * An IPv4 datagram from the inside port that its ACL permitted for
 * forwarding: translated and sent out of the outside port, passed to
 * the worker owning its mapping, or dropped and counted. Takes ownership.
 */
void dp_pat_out(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m);

/**
 * Policy step 0 for the PAT: an IPv4 datagram to the outside address
 * (header checked, trimmed to its length) whose destination port is in
 * the PAT range. A live mapping's return traffic is translated back and
 * sent to the inside node (or passed to the owning worker).
 * @return true when m was taken; false: on to the ACL (pat_in_miss).
 */
bool dp_pat_in(struct dp_worker *w, struct dp_port *p, struct rte_mbuf *m,
		struct rte_ipv4_hdr *ip, uint8_t *l4, uint32_t l4_len);

/**
 * Process what other workers passed to w's slice, and age out up to
 * `budget` mappings of w's table at TSC now. dp_poll() calls it once per
 * poll; tests call it with a later now instead of sleeping.
 * @return frames processed from the ring.
 */
unsigned dp_pat_poll(struct dp_worker *w, uint64_t now, unsigned budget);

/** Live mappings of worker w (tests, stats). */
unsigned dp_pat_count(const struct dp_worker *w);

/**
 * Static PAT, after the outside ACL permitted an IPv4 datagram to the
 * appliance: one to a static's port goes to one of its nodes (or to the
 * worker owning the mapping). @return true when m was taken.
 */
bool dp_pat_static_in(struct dp_worker *w, struct dp_port *p,
		struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		const uint8_t *l4, uint32_t l4_len);

/**
 * Static PAT, before the inside ACL: a datagram from a static node's
 * address and port leaves through its mapping (translated from the
 * static's port), or is dropped (drop_pat_no_session).
 * @return true when m was taken; false: not from a static node.
 */
bool dp_pat_static_out(struct dp_worker *w, struct dp_port *p,
		struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
		const uint8_t *l4, uint32_t l4_len);

#endif
