/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * txn: the SIP transaction layer of the control plane (RFC 3261 §17).
 *
 * Server transactions absorb request retransmissions and re-send the last
 * response; client transactions retransmit requests, match responses and
 * ACK non-2xx finals. The TU (registrar, presence engine, IM, dialogs)
 * sees each request once and each response it must see once.
 *
 * Choices:
 * - Matching is RFC 3261's only: a request whose top Via branch lacks the
 *   "z9hG4bK" cookie is answered 400 (statelessly, through conf.send
 *   with the request's own struct txn_transport; an ACK without it is
 *   dropped). The RFC 2543 rules of §17.2.3 would key on Request-URI,
 *   tags, Call-ID, CSeq and Via as a whole; a federation edge talks to
 *   RFC 3261 peers, and refusing is cheaper and safer than half-matching.
 * - RFC 6026 is implemented: a 2xx to an INVITE moves both sides to
 *   Accepted (timers L and M, 64*T1) rather than terminating. In Accepted
 *   the server absorbs INVITE retransmissions, sends further 2xx from the
 *   TU and passes ACKs to the TU; the client passes every 2xx (forks,
 *   retransmissions) to the TU. Retransmitting the 2xx and ACKing it stay
 *   the TU's job (§13.3.1.4, §13.2.2.4).
 * - Keys (§17.2.3, §17.1.3): server: top Via branch, sent-by (host case-
 *   insensitive, port as written) and method, ACK counting as INVITE and
 *   CANCEL keeping its own; client: branch and CSeq method. Branches
 *   compare byte for byte. Extension methods share one method class (the
 *   branch alone separates them).
 * - The transport: every send of a transaction (retransmissions on
 *   timers too) gets the struct txn_transport the transaction started
 *   with. Its conn_id, local address and route are opaque to the layer:
 *   a transport without sockets keeps there, by value, what it needs to
 *   answer (txn_types.h).
 * - Responses over UDP go to the request's source address with the Via's
 *   sent-by port, or the source port when the Via has rport (§18.2.2,
 *   RFC 3581); maddr is ignored. Over TCP/TLS they go back on the
 *   request's connection.
 * - Memory: one allocation per transaction holds the transaction, its key
 *   and the bytes it may have to send again: for a client transaction the
 *   request (later replaced by the ACK of a non-2xx final), for a server
 *   one the request's Via, Record-Route, From, To, Call-ID and CSeq lines
 *   (to build responses from) plus a response slot of those lines' size
 *   plus conf.rsp_reserve. A message bigger than its slot goes to a second
 *   buffer, allocated once for the transaction and grown only for a yet
 *   bigger message (counted: txn_spill). Retransmissions never allocate.
 *   A server transaction for a typical request takes about 1 KiB (264
 *   bytes of struct, the rest key, copied lines and slot): 100,000 live
 *   ones are about 110 MB.
 * - Timers: one wheel timer per transaction, armed at the earlier of two
 *   absolute deadlines (the next retransmission, the end of the state).
 *   A zero §17 timer (D, I, J, K over TCP/TLS) terminates at once, inside
 *   the call that caused it.
 * - Scale: a chained hash table keyed with SipHash (random key: branches
 *   are chosen by peers), doubled as it fills; O(1) lookup, no fd and no
 *   timer wheel slot beyond one timer per transaction.
 *
 * Thread-safety: none. One layer per control-plane thread, used only from
 * the thread that owns its timer wheel; callbacks run on that thread.
 *
 * Re-entrancy: TU callbacks may call txn_respond(), txn_respond_buf(),
 * txn_send_request() and the getters; they must not destroy the layer.
 * The send callback must not call into the layer.
 */
#ifndef SIPEDGE_CONTROL_TXN_TXN_H
#define SIPEDGE_CONTROL_TXN_TXN_H

#include <stddef.h>
#include <stdint.h>

#include "control/txn/txn_types.h"

/* ---- Names ---------------------------------------------------------- */

/** Name of a kind ("server_invite"); "unknown" when out of range. */
const char *txn_kind_str(enum txn_kind kind);
/** Name of a state ("proceeding"); "unknown" when out of range. */
const char *txn_state_str(enum txn_state state);
/** Name of an event ("timeout"); "unknown" when out of range. */
const char *txn_event_str(enum txn_event ev);
/** Name of a transport ("udp"); "unknown" when out of range. */
const char *txn_tp_str(enum txn_tp tp);

/* ---- The layer ------------------------------------------------------ */

/**
 * Fill t with the RFC 3261 defaults (T1 500 ms, T2 4 s, T4 5 s, D 32 s,
 * 100 Trying after 200 ms, INVITE Proceeding guard 180 s). Cannot fail.
 */
void txn_timers_default(struct txn_timers *t);

/**
 * Create a layer: its table, its random keys (one getrandom() call: tags
 * and branches are then derived without a syscall each) and its counters.
 *
 * @param conf  configuration, copied (the wheel and registry it points to
 *              are borrowed and must outlive the layer).
 * @return the layer, or NULL with errno EINVAL (no send or on_request,
 *         no wheel, T1 or T2 zero after defaults, T2 < T1), ENOMEM, the
 *         errno of getrandom(), or the -errno of stats registration
 *         (made positive). The counters are registered once per registry
 *         (a second layer on the same registry finds them): create layers
 *         one at a time, at start-up.
 * The caller owns the layer; free it with txn_layer_destroy().
 */
struct txn_layer *txn_layer_create(const struct txn_layer_conf *conf);

/**
 * Terminate every live transaction (each gets its TERMINATED event, with
 * no other event and nothing sent) and free the layer. NULL is a no-op.
 * Must not be called from a layer callback.
 */
void txn_layer_destroy(struct txn_layer *layer);

/** How many transactions are live. */
size_t txn_layer_count(const struct txn_layer *layer);

/**
 * This layer's value of a counter (its own shard, or its private array
 * when created without a registry).
 * @return the value; 0 for an id out of range.
 */
uint64_t txn_layer_stat_get(const struct txn_layer *layer, enum txn_stat id);

/**
 * Write a new branch for a request the TU builds: "z9hG4bK" and 16 hex
 * digits, unique for this layer's life and unpredictable to peers.
 *
 * @param out  at least 24 bytes; NUL-terminated on success.
 * @return the length (23), or -ENOSPC when cap is too small.
 */
int txn_branch_make(struct txn_layer *layer, char *out, size_t cap);

/* ---- Server side ---------------------------------------------------- */

/**
 * A request from the network. It is either absorbed by a live transaction
 * (a retransmission: the last response is re-sent where §17.2 says so; an
 * ACK to a non-2xx final moves the INVITE transaction to Confirmed), passed
 * to conf.on_ack (an ACK no transaction absorbs), or starts a transaction
 * and reaches the TU through conf.on_request. Each call bumps exactly one
 * of the counters req_to_tu, req_absorbed, ack_absorbed, ack_to_tu,
 * no_cookie_rejected, no_cookie_ack_dropped, bad_msg, no_mem.
 *
 * @param msg  a full parse (not SIP_PARSE_FAST: Record-Route is needed) of
 *             a request the caller has validated; borrowed for the call
 *             (the layer copies what it keeps).
 * @param src  where it came from; borrowed.
 * @param tp   the transport it came on; copied.
 * @return 0 when absorbed or delivered; -EBADMSG when dropped (no usable
 *         top Via or CSeq, a key part over 255 bytes, a response);
 *         -EPROTONOSUPPORT when refused for lacking the branch cookie
 *         (400 sent unless it was an ACK); -ENOMEM when no transaction
 *         could be allocated (dropped: the peer will retransmit).
 */
int txn_input_request(struct txn_layer *layer, const struct sip_msg *msg,
	const struct netaddr *src, const struct txn_transport *tp);

/**
 * Answer a server transaction's request with a response the layer builds
 * (sip_build_response(): Vias, From, To, Call-ID and CSeq of the request).
 * A response above 100 gets a To tag when the request had none: rsp->to_tag
 * if given, else the transaction's, generated on first use; the tag stays
 * the transaction's for later responses (txn_to_tag_get()).
 *
 * Allowed: provisional and final responses until a final was sent; then,
 * for an INVITE answered 2xx (Accepted), further 2xx (the TU's 2xx
 * retransmissions). A send failure is not an error here: it is reported as
 * TRANSPORT_ERROR, then TERMINATED, before this returns. A final over
 * TCP/TLS to a non-INVITE terminates at once (timer J is zero).
 *
 * @param rsp  extras, or NULL for none; borrowed for the call.
 * @return 0 when the transaction took the response; -EINVAL (code outside
 *         100-699, tag too long), -EALREADY (a final was already sent, or
 *         the transaction is terminated), -EMSGSIZE (over 64 KiB),
 *         -ENOMEM: then nothing changed.
 */
int txn_respond(struct txn *txn, uint16_t code, const struct txn_rsp *rsp);

/**
 * txn_respond() with a response the TU built itself (typically with
 * sip_build_response() on the request it was given). The layer reads the
 * status code from it and copies it; it does not add a tag.
 *
 * @param buf  the response; borrowed for the call.
 * @return as txn_respond(); -EINVAL also when buf is not a response.
 */
int txn_respond_buf(struct txn *txn, const char *buf, uint32_t len);

/**
 * The INVITE server transaction a CANCEL server transaction targets (same
 * branch and sent-by, §9.2), so that the TU can answer it 487.
 * @return the transaction, or NULL (none, or cancel is not a CANCEL).
 */
struct txn *txn_server_find_cancelled(const struct txn *cancel);

/** Attach the TU's context to a server transaction (borrowed). */
void txn_arg_set(struct txn *txn, void *arg);

/** The TU's context: txn_arg_set()'s, or txn_send_request()'s arg. */
void *txn_arg_get(const struct txn *txn);

/* ---- Client side ---------------------------------------------------- */

/**
 * Start a client transaction: parse the request to learn its key (top Via
 * branch, which must carry the cookie, and method), copy it, send it, and
 * retransmit it on timers A or E over UDP until a response or timer B or F.
 * Responses (txn_input_response()) and events go to cb.
 *
 * ACK is refused: the ACK to a 2xx is the TU's, sent through its transport
 * directly, and the ACK to a non-2xx final is the transaction's.
 *
 * @param buf  the whole request (borrowed for the call; copied).
 * @param to   where to send it (copied).
 * @param tp   transport and connection (copied).
 * @param cb   receives the events; not NULL.
 * @param arg  passed to cb (borrowed; free it on TERMINATED).
 * @return the transaction (valid until its TERMINATED event returns), or
 *         NULL with errno EINVAL (not a request, ACK, no cookie in the
 *         branch, CSeq missing or not the method), EEXIST (a live client
 *         transaction has that key), EMSGSIZE, ENOMEM, or the transport's
 *         error when the first send failed (nothing was created and cb is
 *         not called).
 */
struct txn *txn_send_request(struct txn_layer *layer, const char *buf,
	uint32_t len, const struct netaddr *to, const struct txn_transport *tp,
	txn_response_fn cb, void *arg);

/**
 * A response from the network, matched to a client transaction by top Via
 * branch and CSeq method (§17.1.3). Each call bumps exactly one of the
 * counters rsp_to_tu, rsp_absorbed, rsp_stray, bad_msg.
 *
 * @param msg  a parsed response; borrowed for the call.
 * @param src  where it came from (borrowed; used for diagnostics only).
 * @return 0 when delivered or absorbed; -ENOENT when no transaction
 *         matches (a stray: the core may still want it, e.g. a 2xx
 *         retransmission after timer M); -EBADMSG when it has no usable
 *         top Via or CSeq, or is a request.
 */
int txn_input_response(struct txn_layer *layer, const struct sip_msg *msg,
	const struct netaddr *src);

/* ---- Getters -------------------------------------------------------- */

/** The transaction's kind. */
enum txn_kind txn_kind_get(const struct txn *txn);
/** The transaction's state. */
enum txn_state txn_state_get(const struct txn *txn);
/** Its method (INVITE for an INVITE transaction, CANCEL, ...). */
enum sip_method txn_method_get(const struct txn *txn);
/** The last status code sent (server) or received (client); 0: none. */
uint16_t txn_last_code_get(const struct txn *txn);
/** Where responses (server) or requests (client) go; owned by txn. */
const struct netaddr *txn_peer_get(const struct txn *txn);
/** The transport it runs on; owned by txn. */
const struct txn_transport *txn_transport_get(const struct txn *txn);
/** True over TCP/TLS. */
bool txn_is_reliable(const struct txn *txn);
/**
 * The To tag a server transaction puts in its responses (empty until one
 * was chosen); a slice owned by txn, valid for its life.
 */
struct sstr txn_to_tag_get(const struct txn *txn);

#endif
