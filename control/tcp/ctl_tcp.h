/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_tcp: SIP over TCP (RFC 3261 §18) for the control plane, on kernel
 * sockets watched by the thread's event loop (control/admin/loop.h). In
 * the appliance these sockets sit on the exception path: the dataplane
 * gives the kernel one TAP per port holding the appliance's address of
 * that port, and TCP to those addresses reaches the listeners here.
 *
 * What it does:
 * - Listeners: non-blocking, SO_REUSEADDR, IP_FREEBIND / IPV6_FREEBIND
 *   (they bind before the TAP addresses exist), IPV6_V6ONLY. Each has a
 *   zone (outside / inside) that its connections inherit.
 * - Connections: accept4() up to a burst per wake-up; TCP_NODELAY (a
 *   response is written whole: Nagle would only delay the next one);
 *   ids are a 64-bit counter from 1, never reused, so a transaction that
 *   keeps txn_transport.conn_id can never reach a newer connection that
 *   took the old one's descriptor. At tcp.max_connections open, a new
 *   connection is accepted and closed at once (counted), so that the
 *   backlog does not fill with peers that will never be served.
 * - Framing (ctl_tcp_frame()): SIP_PARSE_STREAM; Content-Length required;
 *   pipelined messages (several in one read) and messages split across
 *   reads both handled, in O(bytes): the head's end is searched once, the
 *   head is parsed when complete and once more when its body is. RFC 5626
 *   keepalive: a CRLFCRLF ping is answered with a CRLF pong; a stray CRLF
 *   between messages is ignored.
 * - Errors of framing (no Content-Length, over sip.max_message_size, a
 *   head that does not parse): the stream cannot be trusted any more.
 *   conf.on_bad may answer (400, 513) through ctl_tcp_send(); then the
 *   connection is closed gracefully: its output is flushed, the write side
 *   shut down, and what the peer still sends is read and discarded for up
 *   to CTL_TCP_LINGER_NS (a close() with unread input would reset the
 *   connection and could destroy the answer before the peer reads it).
 * - Writes: straight to the socket while nothing is queued; what the
 *   kernel does not take waits in a per-connection output queue (EPOLLOUT
 *   drains it). While output waits, the connection is not read
 *   (backpressure: a peer that pipelines requests without reading the
 *   answers is held back by TCP flow control rather than by our memory).
 *   A connection whose queue would exceed tcp.max_output_kb is closed.
 * - Idle timeout: a connection with no bytes in or out for the timeout is
 *   closed (RFC 5626 pings count); one timer per connection, re-armed
 *   lazily when it fires (traffic costs no timer operation).
 * - Memory: a connection starts with a 4 KiB read buffer, grown by
 *   doubling to sip.max_message_size for a big message and given back when
 *   empty again; the output queue exists only while output waits.
 *
 * Thread-safety: none. A transport belongs to its loop's thread; every
 * call, callbacks included, runs there.
 */
#ifndef SIPEDGE_CONTROL_TCP_CTL_TCP_H
#define SIPEDGE_CONTROL_TCP_CTL_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "control/tcp/ctl_tcp_types.h"

/** How long a connection closed for a framing error is drained. */
#define CTL_TCP_LINGER_NS (UINT64_C(2) * 1000000000)
/** Connections accepted per wake-up of a listener (fairness). */
#define CTL_TCP_ACCEPT_BURST 64u
/** Defaults of struct ctl_tcp_conf. */
#define CTL_TCP_MAX_CONNECTIONS_DEFAULT 15000u
#define CTL_TCP_IDLE_NS_DEFAULT (UINT64_C(600) * 1000000000)
#define CTL_TCP_MAX_OUTPUT_DEFAULT (256u * 1024)

/** Name of a zone ("outside"); "unknown" when out of range. */
const char *ctl_tcp_zone_str(enum ctl_tcp_zone zone);
/** Name of a framing unit ("msg"); "unknown" when out of range. */
const char *ctl_tcp_unit_str(enum ctl_tcp_unit unit);

/**
 * Frame the next unit of a SIP stream (RFC 3261 §18.3 for streams,
 * RFC 5626 §3.5.1 keepalives). Resumable: call again with the same
 * message start and more bytes after a 0.
 *
 * @param f    the stream's state (see struct ctl_tcp_framer).
 * @param p    first unconsumed byte of the stream.
 * @param end  one past the last byte received.
 * @param lim  limits (max_msg_size bounds a message, head and body).
 * @param m    parse scratch; after CTL_TCP_UNIT_MSG the message, after
 *             -EBADMSG the partial parse with m->err set.
 * @param unit what was framed, when the return is > 0.
 * @return bytes the unit takes (> 0); 0 when more bytes are needed (a
 *         lone CRLF too: it may be half a ping); -EBADMSG when the head
 *         is complete but the message is malformed, has no
 *         Content-Length (SIP_ERR_NO_CONTENT_LENGTH) or is over the size
 *         limit (SIP_ERR_TOO_BIG); -EMSGSIZE when max_msg_size bytes
 *         hold no end of head (m is not filled).
 * Pure: reads [p, end) only, writes f, m and unit.
 */
int ctl_tcp_frame(struct ctl_tcp_framer *f, const char *p, const char *end,
		const struct sip_limits *lim, struct sip_msg *m,
		enum ctl_tcp_unit *unit);

/**
 * Create a transport: open, bind and listen on every listener (nothing
 * is left open on failure), register the counters.
 *
 * @param conf  copied (the loop, wheel and registry it names are borrowed
 *              and must outlive the transport).
 * @param err, errlen  on failure, what failed in words (e.g. "listen
 *              198.51.100.1:5060: Address already in use"); may be NULL.
 * @return the transport, or NULL with errno set (EINVAL: bad conf;
 *         EADDRINUSE and the like from socket calls; ENOMEM). The caller
 *         owns it; free it with ctl_tcp_destroy().
 */
struct ctl_tcp *ctl_tcp_create(const struct ctl_tcp_conf *conf, char *err,
		size_t errlen);

/**
 * Close every connection (counted closed_shutdown) and listener, and free
 * the transport. NULL is a no-op. Must not be called from a callback of
 * the transport.
 */
void ctl_tcp_destroy(struct ctl_tcp *tcp);

/**
 * Send one SIP message (or any bytes) on a connection, in order after
 * what was sent on it before.
 *
 * @param conn_id  the connection (struct ctl_tcp_origin.conn_id).
 * @param buf      the bytes; borrowed for the call (what the socket does
 *                 not take at once is copied into the output queue).
 * @return 0 when written or queued; -ENOTCONN when the connection is gone
 *         or closing (counted drop_conn_gone: RFC 3261 §18.2.2 would have
 *         a server open a new connection to the Via's sent-by; an edge
 *         does not dial back arbitrary addresses a request names); -ENOBUFS
 *         when the output queue would exceed its limit (the connection is
 *         closed, closed_output_full); -ENOMEM (closed, closed_error);
 *         -EPIPE and the like when the socket
 *         failed (the connection is closed, closed_error or closed_peer);
 *         -EMSGSIZE when len is over 4 GiB.
 */
int ctl_tcp_send(struct ctl_tcp *tcp, uint64_t conn_id, const char *buf,
		size_t len);

/**
 * Close a connection now; its queued output is dropped.
 * @param reason  the closed_* counter to bump.
 * @return 0, or -ENOTCONN when it is already gone.
 */
int ctl_tcp_close(struct ctl_tcp *tcp, uint64_t conn_id,
		enum ctl_tcp_ctr reason);

/** How many listeners the transport has (conf.n_listeners). */
unsigned ctl_tcp_listener_count(const struct ctl_tcp *tcp);

/**
 * Listener i: the address it is bound to (with the port the kernel chose
 * when conf asked for port 0) and its zone.
 * @return 0, or -ENOENT when i is out of range.
 */
int ctl_tcp_listener_get(const struct ctl_tcp *tcp, unsigned i,
		struct ctl_tcp_listener *l);

/** How many connections are open (closing ones included). */
unsigned ctl_tcp_conn_count(const struct ctl_tcp *tcp);

/**
 * This transport's value of a counter (its shard, or its private array).
 * @return the value; 0 for an id out of range.
 */
uint64_t ctl_tcp_stat_get(const struct ctl_tcp *tcp, enum ctl_tcp_ctr id);

#endif
