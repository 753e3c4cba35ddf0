/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's answer to SIP addressed to the appliance itself,
 * before the services exist: OPTIONS to the appliance gets 200 (health
 * checks and keepalives rely on it), any other request 501 until a
 * handler exists, a malformed request 400 with the reason when a response
 * can be formed. Stateless; the transaction layer takes it over.
 */
#ifndef SIPEDGE_CTL_SIP_H
#define SIPEDGE_CTL_SIP_H

#include <stdint.h>

#include "platform/sip/sip_types.h"
#include "platform/stats/stats.h"

/* Outcomes, counted by the caller: _(ID, name, help). */
#define CTL_SIP_CTR_LIST(_)                                                \
	_(CTL_SIP_OPTIONS_200, "options_200", "OPTIONS to the appliance answered 200") \
	_(CTL_SIP_REPLIED_501, "replied_501", "requests answered 501 (no handler yet)") \
	_(CTL_SIP_REPLIED_400, "replied_400", "malformed requests answered 400") \
	_(CTL_SIP_REPLIED_483, "replied_483", "requests with Max-Forwards 0 answered 483") \
	_(CTL_SIP_DROP_MALFORMED, "drop_malformed", "dropped: malformed, no response possible") \
	_(CTL_SIP_DROP_RESPONSE, "drop_response", "dropped: responses with no transaction") \
	_(CTL_SIP_DROP_ACK, "drop_ack", "ACKs absorbed")

/** Outcome of ctl_sip_answer(). */
enum ctl_sip_ctr { STATS_ENUM(CTL_SIP_CTR_LIST) CTL_SIP_CTR__COUNT };

/**
 * Parse and judge one datagram and build the answer.
 *
 * @param data, len  the datagram (borrowed for the call)
 * @param lim        parser limits
 * @param scratch    parse scratch (per thread)
 * @param out, cap   where the response goes
 * @param outcome    set to what happened
 * @return the response length, 0 when nothing is to be sent.
 */
int ctl_sip_answer(const char *data, uint32_t len,
		const struct sip_limits *lim, struct sip_msg *scratch,
		char *out, uint32_t cap, enum ctl_sip_ctr *outcome);

#endif
