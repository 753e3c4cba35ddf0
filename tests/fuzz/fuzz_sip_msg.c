/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The message parser, as a datagram and as a stream, then validation and
 * every sub-parser on every value of every header it knows, the identity
 * lookup, the multipart splitter on a multipart body, and a response built
 * from what parsed. Whatever the input, nothing may read out of bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_sip.h"

static void
fuzz_value(enum sip_hdr_type t, struct sstr v)
{
	const char *p = v.p, *e = sstr_end(v);
	union fuzz_sip_out o;

	switch (t) {
	case SIP_HDR_FROM:
	case SIP_HDR_TO:
	case SIP_HDR_ROUTE:
	case SIP_HDR_RECORD_ROUTE:
	case SIP_HDR_P_ASSERTED_IDENTITY:
	case SIP_HDR_REMOTE_PARTY_ID:
	case SIP_HDR_REFER_TO:
		if (sip_nameaddr_parse(p, e, &o.na) == 0) {
			struct sstr pv;

			sip_param_find(o.na.params, SSTR_LIT("tag"), &pv);
		}
		break;
	case SIP_HDR_VIA:
		sip_via_parse(p, e, &o.via);
		break;
	case SIP_HDR_CSEQ:
		sip_cseq_parse(p, e, &o.cs);
		break;
	case SIP_HDR_CONTACT:
		sip_contact_parse(p, e, &o.c);
		break;
	case SIP_HDR_EVENT:
		sip_event_parse(p, e, &o.ev);
		break;
	case SIP_HDR_SUBSCRIPTION_STATE:
		sip_substate_parse(p, e, &o.ss);
		break;
	case SIP_HDR_CONTENT_TYPE:
	case SIP_HDR_ACCEPT:
		sip_mtype_parse(p, e, &o.mt);
		break;
	case SIP_HDR_MAX_FORWARDS:
		sip_maxfwd_parse(p, e, &o.mf);
		break;
	case SIP_HDR_EXPIRES:
	case SIP_HDR_MIN_EXPIRES:
		sip_expires_parse(p, e, &o.ex);
		break;
	case SIP_HDR_CONTENT_LENGTH:
		sip_uint_parse(p, e, UINT32_MAX, &o.u);
		break;
	case SIP_HDR_SIP_ETAG:
	case SIP_HDR_SIP_IF_MATCH:
	case SIP_HDR_SUPPORTED:
	case SIP_HDR_REQUIRE:
		sip_token_parse(p, e, &o.tok);
		break;
	case SIP_HDR_CALL_ID:
		sip_callid_parse(p, e, &o.tok);
		break;
	default:
		break;
	}
}

static void
fuzz_parsed(struct sip_msg *msg)
{
	for (unsigned t = 1; t < SIP_HDR__COUNT; t++) {
		struct sip_hdr_iter it;
		struct sstr v;

		sip_hdr_iter_init(&it, msg, t);
		while (sip_hdr_iter_next(&it, &v))
			fuzz_value(t, v);
	}
	struct sip_nameaddr na;
	enum sip_hdr_type which;

	sip_msg_identity(msg, &na, &which);

	struct sstr ct = sip_msg_hdr_value(msg, SIP_HDR_CONTENT_TYPE);
	struct sip_mtype mt;
	struct sstr boundary;

	if (ct.len && sip_mtype_parse(ct.p, sstr_end(ct), &mt) == 0 &&
	    sip_param_find(mt.params, SSTR_LIT("boundary"), &boundary)) {
		struct sip_mpart_iter mi;
		struct sip_mpart part;

		if (sip_mpart_init(&mi, sip_msg_slice(msg, msg->body),
				boundary) == 0)
			for (int i = 0; i < 64 && sip_mpart_next(&mi, &part) > 0;
					i++)
				;
	}
	if (sip_msg_validate(msg) == 0 && msg->kind == SIP_MSG_REQUEST) {
		static char out[70000];

		sip_build_response(msg, 481, SSTR_NULL, SSTR_LIT("fz"),
				SSTR_NULL, SSTR_NULL, SSTR_NULL,
				SIP_BUILD_COPY_RR, out, sizeof(out));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_msg msg;
	/* An exact-size copy: any read past the end trips ASan. */
	char *buf = malloc(size ? size : 1);
	const char *end;

	memcpy(buf, data, size);
	end = buf + size;
	if (sip_msg_parse(&msg, buf, end, 0, NULL) > 0)
		fuzz_parsed(&msg);
	for (const char *p = buf; p < end;) {
		int n = sip_msg_parse(&msg, p, end, SIP_PARSE_STREAM, NULL);

		if (n <= 0)
			break;
		fuzz_parsed(&msg);
		p += n;
	}
	free(buf);
	return 0;
}
