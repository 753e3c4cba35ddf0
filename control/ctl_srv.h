/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_srv: the control thread's SIP service. It wires together what
 * answers SIP addressed to the appliance itself:
 *
 *   UDP (the dataplane's hand-off) ─┐
 *                                    ├─► ctl_sip_classify ─► txn ─► TU
 *   TCP (control/tcp, kernel sockets)┘   (+ the domain permit for TCP
 *                                          from outside)
 *
 * and sends back the way each message came: UDP through the daemon's
 * callback (the dataplane), TCP on the request's connection (RFC 3261
 * §18.2.2). The daemon calls it; tests drive it on loopback sockets.
 *
 * The same path for both transports, in the policy order of DESIGN.md:
 * well-formed SIP first (a malformed but answerable request gets a
 * stateless 400, the rest is counted and dropped; on a stream, a framing
 * error also closes the connection, after a 400 or, for a message over
 * sip.max_message_size, a 513), then for TCP arriving on an outside
 * listener the domain permit (ctl_permit: 403, stateless like the
 * dataplane's, since the requester is not one we talk to), then the
 * transaction layer (retransmissions and duplicates absorbed; over TCP a
 * non-INVITE transaction ends with its final response, an INVITE one
 * waits for its ACK), then the TU (OPTIONS 200, 501, 483).
 *
 * A response whose connection has closed is dropped and counted
 * (ctl_tcp_drop_conn_gone); the transaction sees a transport error.
 *
 * Thread-safety: none; one service per control thread, used from the
 * thread that runs its loop.
 */
#ifndef SIPEDGE_CONTROL_CTL_SRV_H
#define SIPEDGE_CONTROL_CTL_SRV_H

#include <stddef.h>
#include <stdint.h>

#include "control/edge_config.h"
#include "control/tcp/ctl_tcp_config.h"
#include "control/tcp/ctl_tcp_types.h"
#include "control/txn/txn_types.h"

struct ctl_srv;

/** Most appliance addresses the permit knows (the ports' IPv4 and IPv6,
 * and the listeners'). */
#define CTL_SRV_OWN_MAX 16
struct loop;
struct timer_wheel;

/** What ctl_srv_create() needs. */
struct ctl_srv_conf {
	struct loop *loop;	   /**< the control thread's loop
				        (borrowed) */
	struct timer_wheel *wheel; /**< transaction and connection timers;
				        NULL for the loop's */
	uint64_t (*now_ns)(void);  /**< the wheel's clock; NULL for
				        time_now_ns */
	struct stats_reg *stats;   /**< the registry (required) */
	unsigned stats_shard;	   /**< this thread's shard in it */
	struct sip_limits lim;	   /**< parser limits; zero fields take
				        sip_limits_default's */
	struct txn_timers timers;  /**< §17 timers; zero fields default */
	const struct policy_domains_cfg *domains; /**< the permit's domains
				        (copied); NULL: nothing is
				        permitted from outside */
	const struct netaddr *own; /**< the appliance's addresses, for the
				        Request-URI check (copied) */
	unsigned n_own;		   /**< entries in own */
	const struct ctl_tcp_listener *listeners; /**< TCP (copied) */
	unsigned n_listeners;	   /**< 0: no TCP */
	uint32_t max_connections;  /**< 0: the transport's default */
	uint64_t idle_ns;	   /**< 0: the transport's default */
	uint32_t max_output;	   /**< 0: the transport's default */
	txn_send_fn udp_send;	   /**< sends a UDP datagram (the
				        dataplane); NULL: UDP sends fail
				        with -EPROTONOSUPPORT */
	void *udp_ctx;		   /**< passed to udp_send */
};

/** Storage that ctl_srv_conf_from_cfg() points conf into. */
struct ctl_srv_cfg_store {
	struct ctl_tcp_listener listeners[CTL_TCP_CFG_LISTENERS_MAX];
	/**< from tcp: and the dataplane's ports */
	struct netaddr own[4]; /**< the ports' IPv4 and IPv6 addresses */
};

/**
 * Fill the config-derived part of conf from a loaded config: parser
 * limits (sip:), the permit's domains (domains:) and the appliance's
 * addresses (dataplane.ports), TCP listeners and limits (tcp:). The rest
 * (loop, stats, udp_send, ...) is left as it was.
 *
 * @param cfg   a loaded and checked config (borrowed: conf points into it
 *              and into st, which must outlive ctl_srv_create()).
 * @return 0, or -EINVAL when an address does not parse (not after
 *         edge_cfg_load() succeeded).
 */
int ctl_srv_conf_from_cfg(const struct edge_cfg *cfg,
		struct ctl_srv_conf *conf, struct ctl_srv_cfg_store *st);

/**
 * Create the service: counters ("ctl_sip", "ctl_permit", "ctl_tcp",
 * "txn"), the permit table, the transaction layer and the TCP transport
 * with its listeners (nothing is left open on failure).
 *
 * @param conf         copied; what it points to is borrowed for the call
 *                     only, except loop, wheel and stats, which must
 *                     outlive the service.
 * @param err, errlen  on failure, what failed in words; may be NULL.
 * @return the service, or NULL with errno set. Free with
 *         ctl_srv_destroy().
 */
struct ctl_srv *ctl_srv_create(const struct ctl_srv_conf *conf, char *err,
		size_t errlen);

/**
 * Replace the permit's domains (a config reload); the old table stays on
 * failure. Loop thread only. @return 0 or -ENOMEM.
 */
int ctl_srv_set_domains(struct ctl_srv *s, const struct policy_domains_cfg *d);

/**
 * Terminate the live transactions, close every connection and listener,
 * free the service. NULL is a no-op. Call before destroying the loop.
 */
void ctl_srv_destroy(struct ctl_srv *srv);

/**
 * A datagram for the appliance from the dataplane (which applied the
 * domain permit already): to the transaction layer, or a stateless 400,
 * or counted and dropped.
 *
 * @param data, len  the datagram; borrowed for the call (the layer copies
 *                   what it keeps).
 * @param src        where it came from; borrowed.
 * @param tp         its transport (proto TXN_TP_UDP, the local address,
 *                   the dataplane's route); copied by the layer.
 */
void ctl_srv_input_udp(struct ctl_srv *srv, const char *data, uint32_t len,
		const struct netaddr *src, const struct txn_transport *tp);

/** The service's TCP transport (borrowed; it exists with no listener
 * too). */
struct ctl_tcp *ctl_srv_tcp(struct ctl_srv *srv);

/** The service's transaction layer (borrowed). */
struct txn_layer *ctl_srv_txn(struct ctl_srv *srv);

#endif
