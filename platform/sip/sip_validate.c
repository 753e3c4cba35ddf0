/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Validation as a proxy sees a message: the headers it relies on must be
 * there once and well-formed. Headers it only forwards are left alone
 * beyond the balance of their quotes and brackets when they hold addresses.
 */
#include <errno.h>

#include "platform/sip/sip_priv.h"

/* Headers that may appear on one line only (§7.3.1: not comma lists). */
#define SIP_ONCE_MASK                                                      \
	(SIP_HDR_BIT(SIP_HDR_CALL_ID) | SIP_HDR_BIT(SIP_HDR_CSEQ) |         \
	 SIP_HDR_BIT(SIP_HDR_FROM) | SIP_HDR_BIT(SIP_HDR_TO) |              \
	 SIP_HDR_BIT(SIP_HDR_MAX_FORWARDS) |                                \
	 SIP_HDR_BIT(SIP_HDR_CONTENT_LENGTH) |                              \
	 SIP_HDR_BIT(SIP_HDR_CONTENT_TYPE))

/* Mandatory in every request and response (§8.1.1, §8.2.6.2). Max-Forwards
 * is not: a proxy adds it when missing (§16.6 step 3). */
#define SIP_MANDATORY_MASK                                                 \
	(SIP_HDR_BIT(SIP_HDR_CALL_ID) | SIP_HDR_BIT(SIP_HDR_CSEQ) |         \
	 SIP_HDR_BIT(SIP_HDR_FROM) | SIP_HDR_BIT(SIP_HDR_TO) |              \
	 SIP_HDR_BIT(SIP_HDR_VIA))

/* Headers holding name-addrs, parsed value by value. */
#define SIP_ADDR_LIST_MASK                                                 \
	(SIP_HDR_BIT(SIP_HDR_ROUTE) | SIP_HDR_BIT(SIP_HDR_RECORD_ROUTE) |   \
	 SIP_HDR_BIT(SIP_HDR_P_ASSERTED_IDENTITY) |                         \
	 SIP_HDR_BIT(SIP_HDR_REMOTE_PARTY_ID) | SIP_HDR_BIT(SIP_HDR_PATH) | \
	 SIP_HDR_BIT(SIP_HDR_SERVICE_ROUTE))

static int
sip_vfail(struct sip_msg *msg, enum sip_err e, const struct sip_hdr *h)
{
	msg->err = e;
	msg->err_hdr = h ? h->type : SIP_HDR_OTHER;
	msg->err_off = h ? h->val_off : 0;
	return -EBADMSG;
}

/* The reason to give for a value that did not parse. */
static enum sip_err
sip_bad_value_reason(const struct sip_msg *msg, const struct sip_hdr *h)
{
	return sip_is_unbalanced(sip_hdr_value(msg, h)) ? SIP_ERR_UNBALANCED :
							  SIP_ERR_BAD_HEADER;
}

static int
sip_validate_cseq(struct sip_msg *msg)
{
	const struct sip_hdr *h = sip_hdr_find(msg, SIP_HDR_CSEQ);
	struct sstr v = sip_hdr_value(msg, h);
	struct sip_cseq cs;

	if (sip_cseq_parse(v.p, sstr_end(v), &cs) < 0) {
		const char *d = v.p;
		uint64_t n;

		while (d < sstr_end(v) && *d >= '0' && *d <= '9')
			d++;
		/* Digits that overflow are a range error, not a syntax one. */
		if (d > v.p && sstr_to_u64(sstr_make(v.p, d), INT32_MAX, &n) ==
				       -ERANGE)
			return sip_vfail(msg, SIP_ERR_CSEQ_RANGE, h);
		return sip_vfail(msg, SIP_ERR_BAD_CSEQ, h);
	}
	if (msg->kind == SIP_MSG_REQUEST &&
	    !sstr_eq(cs.method_s, sip_msg_slice(msg, msg->method_s)))
		return sip_vfail(msg, SIP_ERR_CSEQ_METHOD, h);
	return 0;
}

/* Every value of every header of type t must parse as a name-addr. */
static int
sip_validate_addrs(struct sip_msg *msg, enum sip_hdr_type t, bool single)
{
	for (const struct sip_hdr *h = sip_hdr_find(msg, t); h;
			h = sip_hdr_find_next(msg, h)) {
		struct sstr rest = sip_hdr_value(msg, h), v;
		unsigned n = 0;

		if (sip_is_unbalanced(rest))
			return sip_vfail(msg, SIP_ERR_UNBALANCED, h);
		while (sip_value_next(&rest, &v)) {
			struct sip_contact c;
			struct sip_nameaddr na;
			int rc;

			if (t == SIP_HDR_CONTACT)
				rc = sip_contact_parse(v.p, sstr_end(v), &c);
			else
				rc = sip_nameaddr_parse(v.p, sstr_end(v), &na);
			if (rc < 0 || (single && ++n > 1))
				return sip_vfail(msg,
						sip_bad_value_reason(msg, h), h);
		}
		if (single && n == 0)
			return sip_vfail(msg, SIP_ERR_BAD_HEADER, h);
	}
	return 0;
}

static int
sip_validate_vias(struct sip_msg *msg)
{
	for (const struct sip_hdr *h = sip_hdr_find(msg, SIP_HDR_VIA); h;
			h = sip_hdr_find_next(msg, h)) {
		struct sstr rest = sip_hdr_value(msg, h), v;
		unsigned n = 0;

		while (sip_value_next(&rest, &v)) {
			struct sip_via via;

			if (sip_via_parse(v.p, sstr_end(v), &via) < 0)
				return sip_vfail(msg, SIP_ERR_BAD_HEADER, h);
			n++;
		}
		if (n == 0)
			return sip_vfail(msg, SIP_ERR_BAD_HEADER, h);
	}
	return 0;
}

static int
sip_validate_scalars(struct sip_msg *msg)
{
	const struct sip_hdr *h;
	struct sstr v;
	uint8_t mf;
	uint32_t ex;

	h = sip_hdr_find(msg, SIP_HDR_MAX_FORWARDS);
	if (h) {
		v = sip_hdr_value(msg, h);
		if (sip_maxfwd_parse(v.p, sstr_end(v), &mf) < 0)
			return sip_vfail(msg, SIP_ERR_BAD_MAX_FORWARDS, h);
	}
	for (h = sip_hdr_find(msg, SIP_HDR_EXPIRES); h;
			h = sip_hdr_find_next(msg, h)) {
		v = sip_hdr_value(msg, h);
		if (sip_expires_parse(v.p, sstr_end(v), &ex) < 0)
			return sip_vfail(msg, SIP_ERR_BAD_EXPIRES, h);
	}
	h = sip_hdr_find(msg, SIP_HDR_CALL_ID);
	v = sip_hdr_value(msg, h);
	if (sip_callid_parse(v.p, sstr_end(v), &v) < 0)
		return sip_vfail(msg, SIP_ERR_BAD_HEADER, h);
	h = sip_hdr_find(msg, SIP_HDR_CONTENT_TYPE);
	if (h) {
		struct sip_mtype mt;

		v = sip_hdr_value(msg, h);
		if (sip_mtype_parse(v.p, sstr_end(v), &mt) < 0)
			return sip_vfail(msg, SIP_ERR_BAD_HEADER, h);
	}
	h = sip_hdr_find(msg, SIP_HDR_EVENT);
	if (h) {
		struct sip_event ev;

		v = sip_hdr_value(msg, h);
		if (sip_event_parse(v.p, sstr_end(v), &ev) < 0)
			return sip_vfail(msg, SIP_ERR_BAD_HEADER, h);
	}
	return 0;
}

int
sip_msg_validate(struct sip_msg *msg)
{
	uint64_t dup = msg->dup & SIP_ONCE_MASK;
	uint64_t missing = SIP_MANDATORY_MASK & ~msg->seen;
	int rc;

	if (msg->err != SIP_ERR_NONE)
		return -EBADMSG;
	if (dup) {
		enum sip_hdr_type t = (enum sip_hdr_type)__builtin_ctzll(dup);
		const struct sip_hdr *h = sip_hdr_find(msg, t);

		return sip_vfail(msg, SIP_ERR_DUPLICATE_HEADER,
				sip_hdr_find_next(msg, h));
	}
	if (missing) {
		msg->err = SIP_ERR_MISSING_HEADER;
		msg->err_hdr = (uint8_t)__builtin_ctzll(missing);
		msg->err_off = 0;
		return -EBADMSG;
	}
	if (msg->kind == SIP_MSG_REQUEST) {
		struct sip_uri uri;
		struct sstr ru = sip_msg_slice(msg, msg->ruri);

		if (sip_uri_parse(ru.p, sstr_end(ru), &uri) < 0) {
			msg->err = SIP_ERR_BAD_REQUEST_URI;
			msg->err_hdr = SIP_HDR_OTHER;
			msg->err_off = msg->ruri.off;
			return -EBADMSG;
		}
	}
	for (uint16_t i = 0; i < msg->n_hdrs; i++) {
		const struct sip_hdr *h = &msg->hdrs[i];
		struct sstr n = sip_hdr_name(msg, h);

		/* Known names were matched letter by letter when parsed. */
		if (h->type == SIP_HDR_OTHER &&
		    sip_span_class(n.p, sstr_end(n), SIP_C_TOKEN) != sstr_end(n))
			return sip_vfail(msg, SIP_ERR_BAD_HEADER_NAME, h);
	}
	if ((rc = sip_validate_cseq(msg)) < 0 ||
	    (rc = sip_validate_vias(msg)) < 0 ||
	    (rc = sip_validate_addrs(msg, SIP_HDR_FROM, true)) < 0 ||
	    (rc = sip_validate_addrs(msg, SIP_HDR_TO, true)) < 0 ||
	    (rc = sip_validate_addrs(msg, SIP_HDR_CONTACT, false)) < 0 ||
	    (rc = sip_validate_scalars(msg)) < 0)
		return rc;
	for (unsigned t = 0; t < SIP_HDR__COUNT; t++)
		if ((SIP_ADDR_LIST_MASK & SIP_HDR_BIT(t)) &&
		    (rc = sip_validate_addrs(msg, t, false)) < 0)
			return rc;
	return 0;
}
