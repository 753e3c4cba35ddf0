/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's answer to SIP addressed to the appliance itself,
 * before the services exist: OPTIONS to the appliance gets 200 (health
 * checks and keepalives rely on it), a request with Max-Forwards 0 gets
 * 483, any other request 501 until a handler exists, a malformed request
 * 400 with the reason when a response can be formed; what cannot be
 * answered is dropped.
 *
 * Two halves, so that the transaction layer (control/txn) sits between:
 *
 * - ctl_sip_classify() parses and checks a datagram and says where it
 *   goes: a well-formed request (ACK included) to txn_input_request(), a
 *   response to txn_input_response(), a malformed but answerable request
 *   to ctl_sip_reject() (a stateless 400: its headers cannot be trusted
 *   to key a transaction, so each copy of it gets its own 400), the rest
 *   nowhere (counted CTL_SIP_DROP_MALFORMED).
 * - The TU: ctl_sip_decide() picks the response to a well-formed request,
 *   ctl_sip_on_request() is the layer's on_request callback that applies
 *   it with txn_respond() and counts it. A retransmission never reaches
 *   it: its server transaction re-sends the same response.
 *
 * Thread-safety: none needed; scratch and counters are the caller's
 * thread's.
 */
#ifndef SIPEDGE_CTL_SIP_H
#define SIPEDGE_CTL_SIP_H

#include <stdbool.h>
#include <stdint.h>

#include "control/txn/txn_types.h"
#include "platform/sip/sip_types.h"
#include "platform/sstr.h"
#include "platform/stats/stats.h"

/* Outcomes, counted under "ctl_sip": _(ID, name, help). */
#define CTL_SIP_CTR_LIST(_)                                                \
	_(CTL_SIP_OPTIONS_200, "options_200", "OPTIONS to the appliance answered 200") \
	_(CTL_SIP_REPLIED_501, "replied_501", "requests answered 501 (no handler yet)") \
	_(CTL_SIP_REPLIED_400, "replied_400", "malformed requests answered 400 (statelessly)") \
	_(CTL_SIP_REPLIED_483, "replied_483", "requests with Max-Forwards 0 answered 483") \
	_(CTL_SIP_DROP_MALFORMED, "drop_malformed", "dropped: malformed, no response possible") \
	_(CTL_SIP_RESPOND_FAILED, "respond_failed", "answers the transaction layer refused (500 tried instead)") \
	_(CTL_SIP_REPLIED_513, "replied_513", "messages over sip.max_message_size on a stream answered 513")

/** Counter ids, relative to the "ctl_sip" block. */
enum ctl_sip_ctr { STATS_ENUM(CTL_SIP_CTR_LIST) CTL_SIP_CTR__COUNT };

/** Where a datagram for the appliance goes (ctl_sip_classify()). */
enum ctl_sip_in {
	CTL_SIP_IN_REQUEST = 0,     /**< well-formed request, ACK included:
					 txn_input_request() */
	CTL_SIP_IN_RESPONSE = 1,    /**< well-formed response:
					 txn_input_response() */
	CTL_SIP_IN_BAD_REQUEST = 2, /**< malformed, answerable:
					 ctl_sip_reject() */
	CTL_SIP_IN_DROP = 3,	    /**< nothing can answer it: count
					 CTL_SIP_DROP_MALFORMED */
};

/** Name of a classification ("request"); "unknown" when out of range. */
const char *ctl_sip_in_str(enum ctl_sip_in in);

/**
 * Parse (a full parse: the transaction layer needs Record-Route) and check
 * one datagram.
 *
 * @param data, len  the datagram; borrowed: m points into it, so it must
 *                   live as long as m is used
 * @param lim        parser limits, or NULL for the defaults
 * @param m          parse scratch (per thread); holds the message after
 * @return where the message goes.
 */
enum ctl_sip_in ctl_sip_classify(const char *data, uint32_t len,
		const struct sip_limits *lim, struct sip_msg *m);

/**
 * ctl_sip_classify() for a message already parsed in full (a stream's
 * framing parses each message: control/tcp): the checks alone.
 *
 * @param m  the parsed message; sip_msg_validate() runs on it.
 * @return where the message goes.
 */
enum ctl_sip_in ctl_sip_classify_parsed(struct sip_msg *m);

/**
 * Whether a request whose parse or validation failed still names enough
 * to be answered (RFC 3261 §8.2.6.2): Via, From, To, Call-ID and CSeq
 * present, none of the last four twice, and not an ACK.
 */
bool ctl_sip_is_answerable(const struct sip_msg *m);

/**
 * Build the stateless 513 (RFC 3261 §21.5.14) for a message over the size
 * limit whose head was read (ctl_sip_is_answerable() true).
 *
 * @return its length, or 0 when it does not fit.
 */
int ctl_sip_reject_too_big(const struct sip_msg *m, char *out, uint32_t cap);

/**
 * Build the stateless 400 for a message ctl_sip_classify() found
 * CTL_SIP_IN_BAD_REQUEST: the reason phrase says what is wrong
 * (RFC 3261 §21.4.1).
 *
 * @param m         the classified message
 * @param out, cap  where the response goes
 * @return its length, or 0 when it does not fit.
 */
int ctl_sip_reject(const struct sip_msg *m, char *out, uint32_t cap);

/** The TU's answer to a well-formed request (ctl_sip_decide()). */
struct ctl_sip_verdict {
	uint16_t code;		  /**< 200, 483 or 501 */
	enum ctl_sip_ctr outcome; /**< the counter it bumps */
	struct sstr extra;	  /**< header lines for the response, each
				       ending in CRLF (static storage) */
};

/**
 * Decide the response to a well-formed request that is not an ACK:
 * OPTIONS whose Request-URI has no user part (the appliance itself) 200
 * with Allow and Accept, Max-Forwards 0 483, anything else 501 with Allow.
 * Pure: reads m only.
 */
void ctl_sip_decide(const struct sip_msg *m, struct ctl_sip_verdict *v);

/** The TU's context for ctl_sip_on_request(). */
struct ctl_sip_tu {
	uint64_t *ctr; /**< the thread's stats shard (or any array) */
	unsigned base; /**< id of the first "ctl_sip" counter in it */
};

/**
 * The transaction layer's on_request callback (txn_request_fn): answers
 * the new server transaction at once with ctl_sip_decide()'s response
 * through txn_respond() (the layer adds the transaction's To tag) and
 * counts the outcome. Should the layer refuse it (no memory), a plain 500
 * is tried and CTL_SIP_RESPOND_FAILED counted.
 *
 * @param tu_ctx  a struct ctl_sip_tu (borrowed for the layer's life).
 */
void ctl_sip_on_request(void *tu_ctx, struct txn *txn,
		const struct sip_msg *msg, const struct netaddr *src);

#endif
