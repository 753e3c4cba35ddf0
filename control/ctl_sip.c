/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "control/ctl_sip.h"
#include "platform/sip/sip.h"

/* Allow and Supported as the appliance states them today. */
#define CTL_SIP_CAPS                                                       \
	"Allow: OPTIONS\r\n"                                               \
	"Accept: application/sdp\r\n"

/* A To-tag for stateless answers: constant is fine for one-shot
 * responses; dialogs get real tags from the transaction layer. */
#define CTL_SIP_TAG "se0"

/* Enough headers to address a response (RFC 3261 §8.2.6.2). */
static bool
ctl_sip_can_answer(const struct sip_msg *m)
{
	const uint64_t need = SIP_HDR_BIT(SIP_HDR_VIA) |
			      SIP_HDR_BIT(SIP_HDR_FROM) |
			      SIP_HDR_BIT(SIP_HDR_TO) |
			      SIP_HDR_BIT(SIP_HDR_CALL_ID) |
			      SIP_HDR_BIT(SIP_HDR_CSEQ);

	return m->kind == SIP_MSG_REQUEST && (m->seen & need) == need &&
	       m->method != SIP_METHOD_ACK;
}

int
ctl_sip_answer(const char *data, uint32_t len, const struct sip_limits *lim,
		struct sip_msg *m, char *out, uint32_t cap,
		enum ctl_sip_ctr *outcome)
{
	char why[160];
	struct sip_uri ru;
	uint8_t mf;

	if (sip_msg_parse(m, data, data + len, 0, lim) <= 0) {
		*outcome = CTL_SIP_DROP_MALFORMED;
		return 0;
	}
	if (m->kind == SIP_MSG_RESPONSE) {
		*outcome = CTL_SIP_DROP_RESPONSE;
		return 0;
	}
	if (m->method == SIP_METHOD_ACK) {
		*outcome = CTL_SIP_DROP_ACK;
		return 0;
	}
	if (sip_msg_validate(m) < 0) {
		if (!ctl_sip_can_answer(m) || m->err == SIP_ERR_DUPLICATE_HEADER) {
			*outcome = CTL_SIP_DROP_MALFORMED;
			return 0;
		}
		sip_msg_err_describe(m, why, sizeof(why));
		*outcome = CTL_SIP_REPLIED_400;
		/* The reason phrase says what is wrong (RFC 3261 §21.4.1). */
		int n = sip_build_response(m, 400, sstr_cstr(why),
				SSTR_LIT(CTL_SIP_TAG), SSTR_NULL, SSTR_NULL,
				SSTR_NULL, 0, out, cap);

		return n > 0 ? n : 0;
	}
	struct sstr rs = sip_msg_slice(m, m->ruri);
	struct sstr mfv = sip_msg_hdr_value(m, SIP_HDR_MAX_FORWARDS);
	bool to_appliance = sip_uri_parse(rs.p, sstr_end(rs), &ru) == 0 &&
			    ru.user.len == 0;

	if (m->method == SIP_METHOD_OPTIONS && to_appliance) {
		*outcome = CTL_SIP_OPTIONS_200;
		return sip_build_response(m, 200, SSTR_NULL,
				SSTR_LIT(CTL_SIP_TAG), SSTR_LIT(CTL_SIP_CAPS),
				SSTR_NULL, SSTR_NULL, 0, out, cap);
	}
	if (mfv.len && sip_maxfwd_parse(mfv.p, sstr_end(mfv), &mf) == 0 &&
	    mf == 0) {
		*outcome = CTL_SIP_REPLIED_483;
		return sip_build_response(m, 483, SSTR_NULL,
				SSTR_LIT(CTL_SIP_TAG), SSTR_NULL, SSTR_NULL,
				SSTR_NULL, 0, out, cap);
	}
	*outcome = CTL_SIP_REPLIED_501;
	return sip_build_response(m, 501, SSTR_NULL, SSTR_LIT(CTL_SIP_TAG),
			SSTR_LIT(CTL_SIP_CAPS), SSTR_NULL, SSTR_NULL, 0, out,
			cap);
}
