/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * txn: the SIP transaction layer (RFC 3261 §17, RFC 6026). Types only; the
 * API is in txn.h.
 */
#ifndef SIPEDGE_CONTROL_TXN_TXN_TYPES_H
#define SIPEDGE_CONTROL_TXN_TXN_TYPES_H

#include <stdint.h>

#include "platform/netaddr.h"
#include "platform/sstr.h"
#include "platform/sip/sip_types.h"
#include "platform/stats/stats.h"

struct txn;
struct txn_layer;
struct timer_wheel;

/* ---- Enumerations: one list each makes the enum and its names ------- */

/** Transaction kinds: _(SYMBOL, number, name). */
#define TXN_KIND_LIST(_)                                                       \
	_(SERVER_INVITE, 0, "server_invite")                                   \
	_(SERVER_NON_INVITE, 1, "server_non_invite")                           \
	_(CLIENT_INVITE, 2, "client_invite")                                   \
	_(CLIENT_NON_INVITE, 3, "client_non_invite")

#define TXN_KIND_ENUM_(sym, num, name) TXN_KIND_##sym = num,
/** Which of the four §17 state machines a transaction runs. */
enum txn_kind { TXN_KIND_LIST(TXN_KIND_ENUM_) TXN_KIND_COUNT };
#undef TXN_KIND_ENUM_

/**
 * States of the four machines: _(SYMBOL, number, name). Each kind uses a
 * subset (RFC 3261 figures 5 to 8, with RFC 6026's Accepted for INVITE):
 *
 *	server INVITE      PROCEEDING COMPLETED CONFIRMED ACCEPTED TERMINATED
 *	server non-INVITE  TRYING PROCEEDING COMPLETED TERMINATED
 *	client INVITE      CALLING PROCEEDING COMPLETED ACCEPTED TERMINATED
 *	client non-INVITE  TRYING PROCEEDING COMPLETED TERMINATED
 */
#define TXN_STATE_LIST(_)                                                      \
	_(CALLING, 0, "calling")                                               \
	_(TRYING, 1, "trying")                                                 \
	_(PROCEEDING, 2, "proceeding")                                         \
	_(COMPLETED, 3, "completed")                                           \
	_(CONFIRMED, 4, "confirmed")                                           \
	_(ACCEPTED, 5, "accepted")                                             \
	_(TERMINATED, 6, "terminated")

#define TXN_STATE_ENUM_(sym, num, name) TXN_STATE_##sym = num,
/** A transaction's state. */
enum txn_state { TXN_STATE_LIST(TXN_STATE_ENUM_) TXN_STATE_COUNT };
#undef TXN_STATE_ENUM_

/** What the layer tells the TU about a transaction: _(SYMBOL, num, name). */
#define TXN_EVENT_LIST(_)                                                      \
	_(RESPONSE, 0, "response")                                             \
	_(TIMEOUT, 1, "timeout")                                               \
	_(TRANSPORT_ERROR, 2, "transport_error")                               \
	_(TERMINATED, 3, "terminated")

#define TXN_EVENT_ENUM_(sym, num, name) TXN_EVENT_##sym = num,
/**
 * Transaction events.
 *
 * - RESPONSE (client only): a response for the TU (any 1xx, the final,
 *   and on INVITE every 2xx received in Accepted); the message is given.
 * - TIMEOUT: client: timer B or F fired (treat as 408, §8.1.3.1), or the
 *   Proceeding guard of an INVITE (txn_timers.c_ns); server: timer H
 *   fired, the ACK to a non-2xx final never came (§17.2.1).
 * - TRANSPORT_ERROR: the transport refused a send (§17.1.4, §17.2.4).
 * - TERMINATED: the last event of every transaction; the handle is freed
 *   when the callback returns.
 */
enum txn_event { TXN_EVENT_LIST(TXN_EVENT_ENUM_) TXN_EVENT_COUNT };
#undef TXN_EVENT_ENUM_

/** Transports: _(SYMBOL, number, name, reliable). */
#define TXN_TP_LIST(_)                                                         \
	_(UDP, 0, "udp", 0)                                                    \
	_(TCP, 1, "tcp", 1)                                                    \
	_(TLS, 2, "tls", 1)

#define TXN_TP_ENUM_(sym, num, name, rel) TXN_TP_##sym = num,
/** Transport protocol of a transaction. */
enum txn_tp { TXN_TP_LIST(TXN_TP_ENUM_) TXN_TP_COUNT };
#undef TXN_TP_ENUM_

/** Bytes of struct txn_transport's opaque route. */
#define TXN_TP_ROUTE_MAX 8

/**
 * How a message travels, recorded per transaction. Responses and
 * retransmissions go back the way the transaction came: for TCP and TLS
 * over the same connection (RFC 3261 §18.2.2).
 *
 * The layer never reads conn_id, local or route: it copies the transport
 * of the request into its server transaction (of txn_send_request() into
 * its client transaction) and hands that copy to conf.send for every
 * message of the transaction, retransmissions on timers included. So a
 * transport with no sockets (sipedge's UDP over the dataplane, where a
 * reply needs the appliance's own address and the link-layer next hop)
 * keeps what it needs to answer here, by value, and nothing has to
 * outlive the transaction.
 */
struct txn_transport {
	uint8_t proto;	      /**< enum txn_tp */
	uint8_t rsvd[7];      /**< zero */
	uint64_t conn_id;     /**< opaque connection id (TCP/TLS); 0 for UDP */
	struct netaddr local; /**< the local address the request came to (the
				   source of what goes back, §18.2.2); for a
				   client transaction, the source to use;
				   family 0: the transport's choice */
	uint8_t route[TXN_TP_ROUTE_MAX]; /**< opaque to the layer: how the
					      transport reaches the peer
					      again (sipedge: the dataplane's
					      struct dp_route); zero when
					      unused */
};

/* ---- Counters ------------------------------------------------------- */

/*
 * Counters, registered as one block under the prefix "txn". The first
 * eight are indexed by kind: keep them in enum txn_kind order.
 */
#define TXN_STATS(_)                                                           \
	_(TXN_STAT_CREATED_SERVER_INVITE, "created_server_invite",             \
		"server INVITE transactions created")                          \
	_(TXN_STAT_CREATED_SERVER_NON_INVITE, "created_server_non_invite",     \
		"server non-INVITE transactions created")                      \
	_(TXN_STAT_CREATED_CLIENT_INVITE, "created_client_invite",             \
		"client INVITE transactions created")                          \
	_(TXN_STAT_CREATED_CLIENT_NON_INVITE, "created_client_non_invite",     \
		"client non-INVITE transactions created")                      \
	_(TXN_STAT_TERMINATED_SERVER_INVITE, "terminated_server_invite",       \
		"server INVITE transactions terminated")                       \
	_(TXN_STAT_TERMINATED_SERVER_NON_INVITE,                               \
		"terminated_server_non_invite",                                \
		"server non-INVITE transactions terminated")                   \
	_(TXN_STAT_TERMINATED_CLIENT_INVITE, "terminated_client_invite",       \
		"client INVITE transactions terminated")                       \
	_(TXN_STAT_TERMINATED_CLIENT_NON_INVITE,                               \
		"terminated_client_non_invite",                                \
		"client non-INVITE transactions terminated")                   \
	_(TXN_STAT_REQ_TO_TU, "req_to_tu",                                     \
		"requests that started a server transaction (to the TU)")      \
	_(TXN_STAT_REQ_ABSORBED, "req_absorbed",                               \
		"request retransmissions absorbed by a server transaction")    \
	_(TXN_STAT_ACK_ABSORBED, "ack_absorbed",                               \
		"ACKs absorbed by a server INVITE transaction (non-2xx)")      \
	_(TXN_STAT_ACK_TO_TU, "ack_to_tu",                                     \
		"ACKs passed to the TU (ACK to a 2xx)")                        \
	_(TXN_STAT_NO_COOKIE_REJECTED, "no_cookie_rejected",                   \
		"requests without the z9hG4bK branch cookie answered 400")     \
	_(TXN_STAT_NO_COOKIE_ACK_DROPPED, "no_cookie_ack_dropped",             \
		"ACKs without the z9hG4bK branch cookie dropped")              \
	_(TXN_STAT_BAD_MSG, "bad_msg",                                         \
		"messages dropped: Via, CSeq or dialog headers unusable")      \
	_(TXN_STAT_NO_MEM, "no_mem",                                           \
		"requests dropped: no memory for a transaction")               \
	_(TXN_STAT_RSP_SENT, "rsp_sent",                                       \
		"responses sent for the TU (first sending)")                   \
	_(TXN_STAT_RSP_RETX_SENT, "rsp_retx_sent",                             \
		"responses re-sent (request retransmission, timer G)")         \
	_(TXN_STAT_TRYING_SENT, "trying_sent",                                 \
		"100 Trying sent by the layer (TU silent for 200 ms)")         \
	_(TXN_STAT_REQ_SENT, "req_sent",                                       \
		"requests sent for the TU (first sending)")                    \
	_(TXN_STAT_REQ_RETX_SENT, "req_retx_sent",                             \
		"requests retransmitted (timers A and E)")                     \
	_(TXN_STAT_ACK_SENT, "ack_sent",                                       \
		"ACKs to non-2xx finals sent by client transactions")          \
	_(TXN_STAT_RSP_TO_TU, "rsp_to_tu", "responses passed to the TU")       \
	_(TXN_STAT_RSP_ABSORBED, "rsp_absorbed",                               \
		"responses absorbed by a client transaction")                  \
	_(TXN_STAT_RSP_STRAY, "rsp_stray",                                     \
		"responses matching no client transaction")                    \
	_(TXN_STAT_TIMEOUT_B, "timeout_b",                                     \
		"client INVITE timed out in Calling (timer B)")                \
	_(TXN_STAT_TIMEOUT_C, "timeout_c",                                     \
		"client INVITE timed out in Proceeding (guard)")               \
	_(TXN_STAT_TIMEOUT_F, "timeout_f",                                     \
		"client non-INVITE timed out (timer F)")                       \
	_(TXN_STAT_TIMEOUT_H, "timeout_h",                                     \
		"server INVITE got no ACK to its final (timer H)")             \
	_(TXN_STAT_TRANSPORT_ERROR, "transport_error",                         \
		"sends refused by the transport: transaction terminated")      \
	_(TXN_STAT_SEND_LOST, "send_lost",                                     \
		"UDP sends refused as transient, left to retransmission")      \
	_(TXN_STAT_SPILL, "spill",                                             \
		"messages larger than their slot, kept in a second buffer")

/** Counter ids, relative to the layer's block. */
enum txn_stat { STATS_ENUM(TXN_STATS) TXN_STAT_COUNT };

/** Gauges, registered as a second block under the prefix "txn". */
#define TXN_GAUGES(_) _(TXN_GAUGE_ACTIVE, "active", "live transactions")

/** Gauge ids, relative to the layer's gauge block. */
enum txn_gauge { STATS_ENUM(TXN_GAUGES) TXN_GAUGE_COUNT };

/* ---- Configuration -------------------------------------------------- */

/**
 * Timer values (RFC 3261 §17, table 4), in nanoseconds. A zero field takes
 * its default. Timers that §17 derives are computed: A, E, G start at T1;
 * B, F, H, J, L, M are 64*T1; I and K are T4; over reliable transports the
 * retransmission timers are not armed and D, I, J, K are zero.
 */
struct txn_timers {
	uint64_t t1_ns;	    /**< round-trip estimate; default 500 ms */
	uint64_t t2_ns;	    /**< longest retransmit interval of non-INVITE
				 requests and INVITE responses; default 4 s */
	uint64_t t4_ns;	    /**< longest life of a message in the network;
				 default 5 s */
	uint64_t d_ns;	    /**< timer D over unreliable transports; default
				 32 s (§17.1.1.2: at least 32 s) */
	uint64_t trying_ns; /**< send 100 Trying for an INVITE the TU has not
				 answered within this; default 200 ms */
	uint64_t c_ns;	    /**< client INVITE: longest stay in Proceeding
				 before a TIMEOUT (a guard like a proxy's
				 timer C, §16.6); default 180 s; UINT64_MAX
				 for none */
};

/**
 * Send one message. The layer never sends by itself: every request,
 * response, retransmission and ACK goes through this.
 *
 * @param ctx  conf.send_ctx.
 * @param to   destination (for TCP/TLS: the peer of the connection).
 * @param tp   transport and connection (borrowed for the call).
 * @param buf  the message (borrowed for the call; copy it to keep it).
 * @param len  its length.
 * @return 0 when taken, or a negative errno. Over UDP, -EAGAIN and
 *         -ENOBUFS count as a lost datagram (retransmission covers it);
 *         any other error is a transport failure that terminates the
 *         transaction (§17.1.4, §17.2.4). Must not call into the layer.
 */
typedef int (*txn_send_fn)(void *ctx, const struct netaddr *to,
	const struct txn_transport *tp, const char *buf, uint32_t len);

/**
 * A request that starts a server transaction, for the TU.
 *
 * @param tu_ctx  conf.tu_ctx.
 * @param txn     the new transaction (valid until its TERMINATED event).
 * @param msg     the request, borrowed for the call only.
 * @param src     where it came from, borrowed for the call only.
 * The TU must answer every request, now or later, with txn_respond() or
 * txn_respond_buf().
 */
typedef void (*txn_request_fn)(void *tu_ctx, struct txn *txn,
	const struct sip_msg *msg, const struct netaddr *src);

/**
 * An ACK that no server transaction absorbs: the ACK to a 2xx (§17.2.3,
 * §13.3.1.4), which belongs to the dialog. msg, src and tp are borrowed
 * for the call only.
 */
typedef void (*txn_ack_fn)(void *tu_ctx, const struct sip_msg *msg,
	const struct netaddr *src, const struct txn_transport *tp);

/**
 * An event of a server transaction (TIMEOUT, TRANSPORT_ERROR, TERMINATED).
 * txn stays valid until the TERMINATED call returns.
 */
typedef void (*txn_server_event_fn)(
	void *tu_ctx, struct txn *txn, enum txn_event ev);

/**
 * What a client transaction reports to the TU that started it.
 *
 * @param txn  the transaction, valid until the TERMINATED call returns.
 * @param ev   RESPONSE, TIMEOUT, TRANSPORT_ERROR or TERMINATED.
 * @param rsp  the response for RESPONSE (borrowed for the call), else NULL.
 * @param arg  the arg given to txn_send_request().
 */
typedef void (*txn_response_fn)(struct txn *txn, enum txn_event ev,
	const struct sip_msg *rsp, void *arg);

/** What txn_layer_create() needs. */
struct txn_layer_conf {
	struct timer_wheel *wheel;    /**< the thread's wheel (borrowed; must
					   outlive the layer) */
	struct txn_timers timers;     /**< timer values; zero fields default */
	uint64_t (*now_ns)(void);     /**< CLOCK_MONOTONIC clock; NULL for
					   time_now_ns (tests give their own) */
	txn_send_fn send;	      /**< the transport; required */
	void *send_ctx;		      /**< passed to send */
	txn_request_fn on_request;    /**< new server transactions; required */
	txn_ack_fn on_ack;	      /**< ACKs to 2xx; NULL drops them
					   (still counted as ack_to_tu) */
	txn_server_event_fn on_event; /**< server events; NULL for none */
	void *tu_ctx;		      /**< passed to the three TU callbacks */
	struct stats_reg *stats;      /**< registry, or NULL for private
					   counters (txn_layer_stat_get()) */
	unsigned stats_shard;	      /**< this thread's shard in stats */
	uint32_t hash_size;   /**< initial buckets (rounded up to a power
				   of two; the table doubles as it
				   fills); 0 for 1024 */
	uint32_t rsp_reserve; /**< bytes a server transaction reserves
				   for its response beyond the request's
				   Via/From/To/Call-ID/CSeq lines; 0 for
				   256 */
};

/**
 * What a TU's response carries besides its code (txn_respond()). Every
 * slice is borrowed for the call. A zeroed struct means "nothing extra".
 */
struct txn_rsp {
	struct sstr reason; /**< reason phrase; empty for the standard one */
	struct sstr to_tag; /**< To tag (at most TXN_TAG_MAX bytes); empty
				 for the transaction's own */
	struct sstr extra;  /**< more header lines, each ending in CRLF */
	struct sstr ctype;  /**< Content-Type of the body; empty for none */
	struct sstr body;   /**< body; empty for none */
	unsigned flags;	    /**< SIP_BUILD_* (SIP_BUILD_COPY_RR) */
};

/** Longest To tag a transaction remembers. */
#define TXN_TAG_MAX 32

/** The branch magic cookie of RFC 3261 §8.1.1.7. */
#define TXN_BRANCH_COOKIE "z9hG4bK"

#endif
