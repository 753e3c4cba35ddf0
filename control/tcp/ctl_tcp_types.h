/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_tcp: SIP over TCP on kernel sockets (RFC 3261 §18). Types only; the
 * API is in ctl_tcp.h, the `tcp:` config section in ctl_tcp_config.h.
 */
#ifndef SIPEDGE_CONTROL_TCP_CTL_TCP_TYPES_H
#define SIPEDGE_CONTROL_TCP_CTL_TCP_TYPES_H

#include <stdint.h>

#include "platform/netaddr.h"
#include "platform/sip/sip_types.h"
#include "platform/stats/stats.h"

struct ctl_tcp;
struct loop;
struct timer_wheel;

/**
 * Which side of the appliance a listener faces. A connection inherits the
 * zone of the listener it arrived on: that is how the control plane tells
 * a foreign peer (policy applies) from an enterprise node.
 */
enum ctl_tcp_zone {
	CTL_TCP_ZONE_OUTSIDE = 0, /**< foreign domains: the domain permit
				       applies (the safe default) */
	CTL_TCP_ZONE_INSIDE = 1,  /**< the enterprise network (trusted) */
	CTL_TCP_ZONE__COUNT
};

/*
 * Counters, registered under "ctl_tcp": _(ID, name, help). Every
 * connection ends with exactly one closed_* counter (a refused one with
 * refused_limit); every message that goes nowhere bumps exactly one
 * drop_* counter here (framing, a gone connection, a truncated end) or,
 * once framed, a counter of whoever it was handed to (ctl_sip, txn,
 * ctl_permit).
 */
#define CTL_TCP_CTR_LIST(_)                                                \
	_(CTL_TCP_ACCEPTED, "accepted", "connections accepted")             \
	_(CTL_TCP_REFUSED_LIMIT, "refused_limit",                           \
		"connections closed at once: tcp.max_connections open")     \
	_(CTL_TCP_ACCEPT_FAILED, "accept_failed",                           \
		"accept() failures (descriptors or memory exhausted)")      \
	_(CTL_TCP_CLOSED_PEER, "closed_peer",                               \
		"connections closed by the peer (or reset)")                \
	_(CTL_TCP_CLOSED_IDLE, "closed_idle",                               \
		"connections closed: silent for tcp.idle_timeout_s")        \
	_(CTL_TCP_CLOSED_ERROR, "closed_error",                             \
		"connections closed: socket error")                         \
	_(CTL_TCP_CLOSED_FRAMING, "closed_framing",                         \
		"connections closed after a framing error")                 \
	_(CTL_TCP_CLOSED_OUTPUT_FULL, "closed_output_full",                 \
		"connections closed: output over tcp.max_output_kb")        \
	_(CTL_TCP_CLOSED_SHUTDOWN, "closed_shutdown",                       \
		"connections closed when the daemon stopped")               \
	_(CTL_TCP_MSG_IN, "msg_in", "SIP messages received")                \
	_(CTL_TCP_MSG_OUT, "msg_out", "SIP messages sent or queued")        \
	_(CTL_TCP_BYTES_IN, "bytes_in", "bytes received")                   \
	_(CTL_TCP_BYTES_OUT, "bytes_out", "bytes written to sockets")       \
	_(CTL_TCP_PING, "keepalive_ping",                                   \
		"RFC 5626 CRLFCRLF pings answered with a CRLF pong")        \
	_(CTL_TCP_STRAY_CRLF, "stray_crlf",                                 \
		"CRLFs between messages ignored (RFC 3261 §7.5)")           \
	_(CTL_TCP_OUT_QUEUED, "out_queued",                                 \
		"sends that waited for the socket (kernel buffer full)")    \
	_(CTL_TCP_DROP_TOO_BIG, "drop_too_big",                             \
		"messages over sip.max_message_size: connection closed")    \
	_(CTL_TCP_DROP_NO_CONTENT_LENGTH, "drop_no_content_length",         \
		"messages without Content-Length: connection closed")       \
	_(CTL_TCP_DROP_MALFORMED, "drop_malformed",                         \
		"messages that cannot be framed: connection closed")        \
	_(CTL_TCP_DROP_CONN_GONE, "drop_conn_gone",                         \
		"messages for a connection already closed: dropped")        \
	_(CTL_TCP_DROP_TRUNCATED, "drop_truncated",                         \
		"partial messages the peer closed on: dropped")

/** Counter ids, relative to the "ctl_tcp" counter block. */
enum ctl_tcp_ctr { STATS_ENUM(CTL_TCP_CTR_LIST) CTL_TCP_CTR__COUNT };

/** Gauges, a second block under "ctl_tcp". */
#define CTL_TCP_GAUGE_LIST(_)                                              \
	_(CTL_TCP_GAUGE_OPEN, "open", "TCP connections open")

/** Gauge ids, relative to the "ctl_tcp" gauge block. */
enum ctl_tcp_gauge { STATS_ENUM(CTL_TCP_GAUGE_LIST) CTL_TCP_GAUGE__COUNT };

/** One listening address. */
struct ctl_tcp_listener {
	struct netaddr addr; /**< address and port (port 0: the kernel
				  picks one, see ctl_tcp_listener_get()) */
	uint8_t zone;	     /**< enum ctl_tcp_zone */
};

/**
 * Where a message came from, for the one it is handed to: the connection
 * and its two ends. Borrowed for the callback only.
 */
struct ctl_tcp_origin {
	uint64_t conn_id;     /**< the connection (never reused) */
	uint8_t zone;	      /**< enum ctl_tcp_zone of its listener */
	struct netaddr peer;  /**< the peer's address and port */
	struct netaddr local; /**< the appliance's end (getsockname) */
};

/**
 * A framed message arrived.
 *
 * @param ctx  conf.ctx.
 * @param o    where from; borrowed for the call.
 * @param m    the message, parsed in full (SIP_PARSE_STREAM): it points
 *             into the connection's read buffer and is valid for the call
 *             only; the callee may run sip_msg_validate() on it. Copy what
 *             must live longer (the transaction layer does).
 * The callee may call ctl_tcp_send() for any connection, this one
 * included, but must not destroy the transport.
 */
typedef void (*ctl_tcp_msg_fn)(void *ctx, const struct ctl_tcp_origin *o,
		struct sip_msg *m);

/**
 * The stream cannot be framed any more: the connection is being closed
 * (after what the callee sends through ctl_tcp_send() for it has gone out).
 *
 * @param m  the partial parse, whose err says why (SIP_ERR_TOO_BIG,
 *           SIP_ERR_NO_CONTENT_LENGTH, ...), so that a response can be
 *           formed when the head allows one; NULL when nothing could be
 *           parsed (a head longer than sip.max_message_size).
 */
typedef void (*ctl_tcp_bad_fn)(void *ctx, const struct ctl_tcp_origin *o,
		struct sip_msg *m);

/** What ctl_tcp_create() needs. */
struct ctl_tcp_conf {
	struct loop *loop;	     /**< the thread's loop: sockets are
				          watched on it (borrowed) */
	struct timer_wheel *wheel;   /**< idle timers; NULL for the loop's
				          own (tests give one they drive) */
	uint64_t (*now_ns)(void);    /**< CLOCK_MONOTONIC clock of wheel;
				          NULL for time_now_ns */
	const struct ctl_tcp_listener *listeners; /**< copied */
	unsigned n_listeners;	     /**< entries in listeners; 0 allowed */
	uint32_t max_connections;    /**< open at once; 0 for 15000 */
	uint64_t idle_ns;	     /**< close after this silence; 0 for
				          600 s */
	uint32_t max_output;	     /**< bytes a connection may queue for a
				          slow reader; 0 for 256 KiB */
	struct sip_limits lim;	     /**< framing limits (max_msg_size:
				          the largest message); zero fields
				          take sip_limits_default's */
	ctl_tcp_msg_fn on_msg;	     /**< framed messages; required */
	ctl_tcp_bad_fn on_bad;	     /**< framing errors; NULL: close only */
	void *ctx;		     /**< passed to on_msg and on_bad */
	struct stats_reg *stats;     /**< registry, or NULL for private
				          counters (ctl_tcp_stat_get()) */
	unsigned stats_shard;	     /**< this thread's shard in stats */
};

/* ---- Stream framing (ctl_tcp_frame()) ------------------------------- */

/** What ctl_tcp_frame() found at the front of the bytes. */
enum ctl_tcp_unit {
	CTL_TCP_UNIT_MSG = 0,  /**< a whole SIP message, parsed */
	CTL_TCP_UNIT_PING = 1, /**< an RFC 5626 keepalive ping (CRLFCRLF) */
	CTL_TCP_UNIT_CRLF = 2, /**< a stray CRLF (or LF) between messages */
};

/**
 * Resumable framing state of one stream: where the search for the end of
 * the current message's head resumes, and how long the message is once
 * its head is known. Offsets are relative to the message's first byte, so
 * the caller may move its unconsumed bytes to the front of its buffer
 * between calls. Zero it for a new stream (and the framer resets it after
 * each unit).
 */
struct ctl_tcp_framer {
	uint32_t scan; /**< head-end search resumes here */
	uint32_t need; /**< bytes of the whole message; 0 while unknown */
};

#endif
