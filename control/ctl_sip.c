/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "control/ctl_sip.h"
#include "control/txn/txn.h"
#include "platform/sip/sip.h"

/* Allow and Supported as the appliance states them today. */
#define CTL_SIP_CAPS                                                       \
	"Allow: OPTIONS\r\n"                                               \
	"Accept: application/sdp\r\n"

/* A To-tag for the stateless 400: constant is fine for a one-shot
 * response; transactions get their own random tags. */
#define CTL_SIP_TAG "se0"

const char *
ctl_sip_in_str(enum ctl_sip_in in)
{
	static const char *const names[] = {
		[CTL_SIP_IN_REQUEST] = "request",
		[CTL_SIP_IN_RESPONSE] = "response",
		[CTL_SIP_IN_BAD_REQUEST] = "bad_request",
		[CTL_SIP_IN_DROP] = "drop",
	};

	return (unsigned)in < sizeof(names) / sizeof(names[0]) ?
		       names[in] : "unknown";
}

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

bool
ctl_sip_is_answerable(const struct sip_msg *m)
{
	const uint64_t once = SIP_HDR_BIT(SIP_HDR_FROM) |
			      SIP_HDR_BIT(SIP_HDR_TO) |
			      SIP_HDR_BIT(SIP_HDR_CALL_ID) |
			      SIP_HDR_BIT(SIP_HDR_CSEQ);

	return ctl_sip_can_answer(m) && (m->dup & once) == 0;
}

enum ctl_sip_in
ctl_sip_classify(const char *data, uint32_t len,
		const struct sip_limits *lim, struct sip_msg *m)
{
	if (sip_msg_parse(m, data, data + len, 0, lim) <= 0)
		return CTL_SIP_IN_DROP;
	return ctl_sip_classify_parsed(m);
}

enum ctl_sip_in
ctl_sip_classify_parsed(struct sip_msg *m)
{
	if (sip_msg_validate(m) == 0)
		return m->kind == SIP_MSG_RESPONSE ? CTL_SIP_IN_RESPONSE :
						     CTL_SIP_IN_REQUEST;
	/* A duplicated Call-ID or CSeq makes any answer a guess. */
	if (!ctl_sip_can_answer(m) || m->err == SIP_ERR_DUPLICATE_HEADER)
		return CTL_SIP_IN_DROP;
	return CTL_SIP_IN_BAD_REQUEST;
}

int
ctl_sip_reject(const struct sip_msg *m, char *out, uint32_t cap)
{
	char why[160];
	int n;

	sip_msg_err_describe(m, why, sizeof(why));
	n = sip_build_response(m, 400, sstr_cstr(why), SSTR_LIT(CTL_SIP_TAG),
			SSTR_NULL, SSTR_NULL, SSTR_NULL, 0, out, cap);
	return n > 0 ? n : 0;
}

int
ctl_sip_reject_too_big(const struct sip_msg *m, char *out, uint32_t cap)
{
	int n = sip_build_response(m, 513, SSTR_NULL, SSTR_LIT(CTL_SIP_TAG),
			SSTR_NULL, SSTR_NULL, SSTR_NULL, 0, out, cap);

	return n > 0 ? n : 0;
}

void
ctl_sip_decide(const struct sip_msg *m, struct ctl_sip_verdict *v)
{
	struct sstr rs = sip_msg_slice(m, m->ruri);
	struct sstr mfv = sip_msg_hdr_value(m, SIP_HDR_MAX_FORWARDS);
	struct sip_uri ru;
	uint8_t mf;
	bool to_appliance = sip_uri_parse(rs.p, sstr_end(rs), &ru) == 0 &&
			    ru.user.len == 0;

	if (m->method == SIP_METHOD_OPTIONS && to_appliance) {
		*v = (struct ctl_sip_verdict){ 200, CTL_SIP_OPTIONS_200,
			SSTR_LIT(CTL_SIP_CAPS) };
	} else if (mfv.len &&
		   sip_maxfwd_parse(mfv.p, sstr_end(mfv), &mf) == 0 &&
		   mf == 0) {
		*v = (struct ctl_sip_verdict){ 483, CTL_SIP_REPLIED_483,
			SSTR_NULL };
	} else {
		*v = (struct ctl_sip_verdict){ 501, CTL_SIP_REPLIED_501,
			SSTR_LIT(CTL_SIP_CAPS) };
	}
}

void
ctl_sip_on_request(void *tu_ctx, struct txn *txn, const struct sip_msg *msg,
		const struct netaddr *src)
{
	struct ctl_sip_tu *tu = tu_ctx;
	struct ctl_sip_verdict v;

	(void)src;
	ctl_sip_decide(msg, &v);
	if (txn_respond(txn, v.code, &(struct txn_rsp){ .extra = v.extra })
			== 0) {
		stats_inc(tu->ctr, tu->base + v.outcome);
		return;
	}
	/* Every request gets an answer (txn.h): a short one, then. A bare
	 * 500 fits the slot the transaction reserved (its request's lines
	 * plus rsp_reserve), so it needs no allocation. */
	stats_inc(tu->ctr, tu->base + CTL_SIP_RESPOND_FAILED);
	(void)txn_respond(txn, 500, NULL);
}
