/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Lazy header sub-parsers (RFC 3261 §20, §25; RFC 6665; RFC 3325; RFC 3903).
 * Each runs on one value when somebody asks for it. Values may hold folded
 * lines: every scanner here treats CRLF + WSP as white space.
 */
#include <errno.h>
#include <string.h>

#include "platform/sip/sip_priv.h"

const char *
sip_skip_quoted(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\') {
			/* quoted-pair: any char but CR and LF */
			if (++p >= end || *p == '\r' || *p == '\n')
				return NULL;
		} else if (*p == '"') {
			return p + 1;
		}
	}
	return NULL;
}

bool
sip_is_unbalanced(struct sstr s)
{
	const char *p = s.p, *end = sstr_end(s);
	int angle = 0;

	while (p < end) {
		if (*p == '"') {
			p = sip_skip_quoted(p, end);
			if (p == NULL)
				return true;
			continue;
		}
		if (*p == '<')
			angle++;
		else if (*p == '>' && --angle < 0)
			return true;
		p++;
	}
	return angle != 0;
}

bool
sip_value_next(struct sstr *rest, struct sstr *val)
{
	const char *p = sip_skip_lws(rest->p, sstr_end(*rest));
	const char *end = sstr_end(*rest);

	/* Empty elements between commas are skipped (RFC 7230-style lists). */
	while (p < end && *p == ',')
		p = sip_skip_lws(p + 1, end);
	if (p >= end) {
		*rest = (struct sstr){ end, 0 };
		return false;
	}
	const char *s = p;
	bool angle = false;

	while (p < end) {
		if (*p == '"') {
			const char *q = sip_skip_quoted(p, end);

			p = q ? q : end;
			continue;
		}
		if (*p == '<')
			angle = true;
		else if (*p == '>')
			angle = false;
		else if (*p == ',' && !angle)
			break;
		p++;
	}
	*val = sstr_make(s, sip_rtrim(s, p));
	*rest = sstr_make(p < end ? p + 1 : p, end);
	return true;
}

void
sip_hdr_iter_init(struct sip_hdr_iter *it, const struct sip_msg *msg,
		enum sip_hdr_type t)
{
	it->msg = msg;
	it->idx = msg->first[t];
	if (it->idx) {
		const struct sip_hdr *h = &msg->hdrs[it->idx - 1];

		it->p = msg->buf + h->val_off;
		it->end = it->p + h->val_len;
	} else {
		it->p = it->end = NULL;
	}
}

bool
sip_hdr_iter_next(struct sip_hdr_iter *it, struct sstr *val)
{
	while (it->idx) {
		struct sstr rest = sstr_make(it->p, it->end);

		if (sip_value_next(&rest, val)) {
			it->p = rest.p;
			return true;
		}
		const struct sip_hdr *h = &it->msg->hdrs[it->idx - 1];

		it->idx = h->next;
		if (it->idx) {
			h = &it->msg->hdrs[it->idx - 1];
			it->p = it->msg->buf + h->val_off;
			it->end = it->p + h->val_len;
		}
	}
	return false;
}

/*
 * gen-value = token / host / quoted-string; returns its end or NULL. With
 * ip6 set a bare IPv6address is taken too: via-received = "received" EQUAL
 * (IPv4address / IPv6address) (§25.1), and no token holds its ':'.
 */
static const char *
sip_gen_value_end(const char *p, const char *end, bool ip6)
{
	if (p < end && *p == '"')
		return sip_skip_quoted(p, end);
	if (p < end && *p == '[') {
		const char *q = memchr(p, ']', (size_t)(end - p));

		return q ? q + 1 : NULL;
	}
	const char *q = sip_span_class(p, end, SIP_C_TOKEN);

	/* host also allows ':' only inside IPv6 references, handled above */
	if (ip6 && q < end && *q == ':')
		while (q < end && (sip_is(*q, SIP_C_HEX) || *q == ':' ||
				   *q == '.'))
			q++;
	return q == p ? NULL : q;
}

bool
sip_param_next(struct sstr *rest, struct sstr *name, struct sstr *val,
		bool *bad)
{
	const char *end = sstr_end(*rest);
	const char *p = sip_skip_lws(rest->p, end);

	*bad = false;
	if (p >= end)
		return false;
	if (*p != ';') {
		*bad = true;
		return false;
	}
	p = sip_skip_lws(p + 1, end);
	const char *n = p;

	p = sip_span_class(p, end, SIP_C_TOKEN);
	if (p == n) {
		*bad = true;
		return false;
	}
	*name = sstr_make(n, p);
	*val = (struct sstr){ p, 0 };
	const char *q = sip_skip_lws(p, end);

	if (q < end && *q == '=') {
		const char *v = sip_skip_lws(q + 1, end);
		const char *ve = sip_gen_value_end(v, end,
				sstr_eq_cstr_nocase(*name, "received"));

		if (ve == NULL) {
			*bad = true;
			return false;
		}
		*val = sstr_make(v, ve);
		p = ve;
	}
	*rest = sstr_make(p, end);
	return true;
}

int
sip_params_check(const char *p, const char *end)
{
	struct sstr rest = sstr_make(p, end), n, v;
	bool bad = false;

	while (sip_param_next(&rest, &n, &v, &bad))
		;
	return bad ? -EINVAL : 0;
}

bool
sip_param_find(struct sstr params, struct sstr name, struct sstr *val)
{
	struct sstr n, v;
	bool bad;

	while (sip_param_next(&params, &n, &v, &bad))
		if (sstr_eq_nocase(n, name)) {
			*val = v;
			return true;
		}
	return false;
}

int
sip_qvalue_parse(struct sstr s, uint16_t *q)
{
	/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
	if (s.len == 0 || (s.p[0] != '0' && s.p[0] != '1') || s.len > 5)
		return -EINVAL;
	unsigned v = (unsigned)(s.p[0] - '0') * 1000, scale = 100;

	if (s.len > 1) {
		if (s.p[1] != '.')
			return -EINVAL;
		for (uint32_t i = 2; i < s.len; i++, scale /= 10) {
			if (!sip_is(s.p[i], SIP_C_DIGIT))
				return -EINVAL;
			v += (unsigned)(s.p[i] - '0') * scale;
		}
	}
	if (v > 1000)
		return -EINVAL;
	*q = (uint16_t)v;
	return 0;
}

int
sip_uint_parse(const char *p, const char *end, uint64_t max, uint64_t *out)
{
	p = sip_skip_lws(p, end);
	end = sip_rtrim(p, end);
	return sstr_to_u64(sstr_make(p, end), max, out) < 0 ? -EINVAL : 0;
}

int
sip_maxfwd_parse(const char *p, const char *end, uint8_t *out)
{
	uint64_t v;

	if (sip_uint_parse(p, end, 255, &v) < 0)
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

int
sip_expires_parse(const char *p, const char *end, uint32_t *out)
{
	uint64_t v;

	if (sip_uint_parse(p, end, UINT32_MAX, &v) < 0)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int
sip_token_parse(const char *p, const char *end, struct sstr *tok)
{
	p = sip_skip_lws(p, end);
	end = sip_rtrim(p, end);
	if (p == end || sip_span_class(p, end, SIP_C_TOKEN) != end)
		return -EINVAL;
	*tok = sstr_make(p, end);
	return 0;
}

int
sip_callid_parse(const char *p, const char *end, struct sstr *id)
{
	p = sip_skip_lws(p, end);
	end = sip_rtrim(p, end);
	const char *q = sip_span_class(p, end, SIP_C_WORD);

	if (q == p)
		return -EINVAL;
	if (q < end && *q == '@') {
		const char *h = q + 1;

		q = sip_span_class(h, end, SIP_C_WORD);
		if (q == h)
			return -EINVAL;
	}
	if (q != end)
		return -EINVAL;
	*id = sstr_make(p, end);
	return 0;
}

int
sip_cseq_parse(const char *p, const char *end, struct sip_cseq *cseq)
{
	uint64_t n;

	p = sip_skip_lws(p, end);
	end = sip_rtrim(p, end);
	const char *d = sip_span_class(p, end, SIP_C_DIGIT);

	/* RFC 3261 §8.1.1.5: less than 2^31. */
	if (sstr_to_u64(sstr_make(p, d), INT32_MAX, &n) < 0)
		return -EINVAL;
	const char *m = sip_skip_lws(d, end);

	if (m == d || m == end || sip_span_class(m, end, SIP_C_TOKEN) != end)
		return -EINVAL;
	cseq->seq = (uint32_t)n;
	cseq->method_s = sstr_make(m, end);
	cseq->method = (uint8_t)sip_method_of(cseq->method_s);
	return 0;
}

/*
 * The addr-spec form (no angle brackets): the URI runs to the first LWS or
 * comma; a ';' after the host starts the header params (§20.10).
 */
static const char *
sip_addrspec_end(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && *q != ' ' && *q != '\t' && *q != '\r' &&
	       *q != '\n' && *q != ',')
		q++;
	const char *at = memchr(p, '@', (size_t)(q - p));
	const char *from = at ? at : p;
	const char *semi = memchr(from, ';', (size_t)(q - from));

	return semi ? semi : q;
}

int
sip_nameaddr_parse(const char *p, const char *end, struct sip_nameaddr *na)
{
	memset(na, 0, sizeof(*na));
	p = sip_skip_lws(p, end);
	end = sip_rtrim(p, end);
	if (p == end)
		return -EINVAL;

	const char *lt = NULL;

	if (*p == '"') {
		const char *q = sip_skip_quoted(p, end);

		if (q == NULL)
			return -EINVAL;
		na->display = sstr_make(p + 1, q - 1);
		lt = sip_skip_lws(q, end);
		if (lt == end || *lt != '<')
			return -EINVAL;
	} else if (*p == '<') {
		lt = p;
	} else {
		/* Either `*(token LWS) <uri>` or an addr-spec. */
		const char *q = p;

		while (q < end && (sip_is(*q, SIP_C_TOKEN) || *q == ' ' ||
				   *q == '\t' || *q == '\r' || *q == '\n'))
			q++;
		if (q < end && *q == '<') {
			lt = q;
			na->display = sstr_make(p, sip_rtrim(p, q));
		}
	}

	if (lt != NULL) {
		const char *u = lt + 1;
		const char *gt = memchr(u, '>', (size_t)(end - u));

		if (gt == NULL)
			return -EINVAL;
		na->has_angle = true;
		na->uri_s = sstr_make(u, gt);
		p = gt + 1;
	} else {
		const char *ue = sip_addrspec_end(p, end);

		na->uri_s = sstr_make(p, ue);
		p = ue;
	}
	if (sip_uri_parse(na->uri_s.p, sstr_end(na->uri_s), &na->uri) < 0)
		return -EINVAL;
	/* Without brackets the URI may carry neither params nor headers. */
	if (!na->has_angle && (na->uri.headers.len || memchr(na->uri_s.p, ',',
			na->uri_s.len)))
		return -EINVAL;
	na->params = sstr_make(p, end);
	if (sip_params_check(p, end) < 0)
		return -EINVAL;
	struct sstr tag;

	if (sip_param_find(na->params, SSTR_LIT("tag"), &tag))
		na->tag = tag;
	return 0;
}

int
sip_contact_parse(const char *p, const char *end, struct sip_contact *c)
{
	struct sstr v;

	memset(c, 0, sizeof(*c));
	c->q = 1000;
	p = sip_skip_lws(p, end);
	end = sip_rtrim(p, end);
	if (end - p == 1 && *p == '*') {
		c->star = true;
		return 0;
	}
	if (sip_nameaddr_parse(p, end, &c->na) < 0)
		return -EINVAL;
	if (sip_param_find(c->na.params, SSTR_LIT("q"), &v)) {
		if (sip_qvalue_parse(v, &c->q) < 0)
			return -EINVAL;
		c->has_q = true;
	}
	if (sip_param_find(c->na.params, SSTR_LIT("expires"), &v)) {
		if (sip_expires_parse(v.p, sstr_end(v), &c->expires) < 0)
			return -EINVAL;
		c->has_expires = true;
	}
	return 0;
}

int
sip_via_parse(const char *p, const char *end, struct sip_via *via)
{
	struct sstr n, v;
	bool bad = false, v4;
	uint64_t num;

	memset(via, 0, sizeof(*via));
	p = sip_skip_lws(p, end);
	end = sip_rtrim(p, end);
	/* sent-protocol = name SLASH version SLASH transport; SLASH = SWS / SWS */
	struct sstr *parts[3] = { &via->proto, &via->version, &via->transport };

	for (int i = 0; i < 3; i++) {
		if (i) {
			p = sip_skip_lws(p, end);
			if (p == end || *p != '/')
				return -EINVAL;
			p = sip_skip_lws(p + 1, end);
		}
		const char *t = p;

		p = sip_span_class(p, end, SIP_C_TOKEN);
		if (p == t)
			return -EINVAL;
		*parts[i] = sstr_make(t, p);
	}
	const char *h = sip_skip_lws(p, end);

	if (h == p)
		return -EINVAL;
	/* sent-by = host [ COLON port ]; COLON may carry LWS. */
	const char *he;

	if (h < end && *h == '[') {
		he = memchr(h, ']', (size_t)(end - h));
		if (he == NULL)
			return -EINVAL;
		via->host = sstr_make(h + 1, he);
		via->host_is_ipv6 = true;
		he++;
	} else {
		he = sip_span_class(h, end, SIP_C_HOST);
		via->host = sstr_make(h, he);
	}
	if (sip_host_check(via->host, via->host_is_ipv6, &v4) < 0)
		return -EINVAL;
	p = sip_skip_lws(he, end);
	if (p < end && *p == ':') {
		const char *d = sip_skip_lws(p + 1, end);
		const char *de = sip_span_class(d, end, SIP_C_DIGIT);

		if (sstr_to_u64(sstr_make(d, de), 65535, &num) < 0)
			return -EINVAL;
		via->port = (uint16_t)num;
		p = de;
	}
	via->params = sstr_make(p, end);
	struct sstr rest = via->params;

	while (sip_param_next(&rest, &n, &v, &bad)) {
		if (sstr_eq_cstr_nocase(n, "branch")) {
			if (v.len == 0)
				return -EINVAL;
			via->branch = v;
		} else if (sstr_eq_cstr_nocase(n, "received")) {
			struct sstr a = v;
			bool v6 = a.len && a.p[0] == '[';

			if (v6)
				a = (struct sstr){ a.p + 1, a.len - 2 };
			if (!v6 && a.len && memchr(a.p, ':', a.len))
				v6 = true;
			/* An address, not a name (§18.2.1). */
			if (a.len == 0 || sip_host_check(a, v6, &v4) < 0 ||
			    (!v6 && !v4))
				return -EINVAL;
			via->received = v;
		} else if (sstr_eq_cstr_nocase(n, "maddr")) {
			via->maddr = v;
		} else if (sstr_eq_cstr_nocase(n, "ttl")) {
			if (sstr_to_u64(v, 255, &num) < 0)
				return -EINVAL;
			via->ttl = (uint8_t)num;
		} else if (sstr_eq_cstr_nocase(n, "rport")) {
			via->has_rport = true;
			if (v.len) {
				if (sstr_to_u64(v, 65535, &num) < 0)
					return -EINVAL;
				via->rport = (uint16_t)num;
			}
		}
	}
	return bad ? -EINVAL : 0;
}

int
sip_event_parse(const char *p, const char *end, struct sip_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	p = sip_skip_lws(p, end);
	end = sip_rtrim(p, end);
	const char *t = p;

	/* event-type = event-package *( "." event-template ): token chars. */
	p = sip_span_class(p, end, SIP_C_TOKEN);
	if (p == t || *t == '.' || p[-1] == '.' ||
	    memmem(t, (size_t)(p - t), "..", 2) != NULL)
		return -EINVAL;
	ev->type = sstr_make(t, p);
	ev->params = sstr_make(p, end);
	if (sip_params_check(p, end) < 0)
		return -EINVAL;
	struct sstr id;

	if (sip_param_find(ev->params, SSTR_LIT("id"), &id))
		ev->id = id;
	return 0;
}

int
sip_substate_parse(const char *p, const char *end, struct sip_substate *ss)
{
	struct sstr n, v;
	bool bad = false;

	memset(ss, 0, sizeof(*ss));
	p = sip_skip_lws(p, end);
	end = sip_rtrim(p, end);
	const char *t = p;

	p = sip_span_class(p, end, SIP_C_TOKEN);
	if (p == t)
		return -EINVAL;
	ss->state = sstr_make(t, p);
	struct sstr rest = sstr_make(p, end);

	while (sip_param_next(&rest, &n, &v, &bad)) {
		if (sstr_eq_cstr_nocase(n, "reason")) {
			ss->reason = v;
		} else if (sstr_eq_cstr_nocase(n, "expires")) {
			if (sip_expires_parse(v.p, sstr_end(v), &ss->expires) <
			    0)
				return -EINVAL;
			ss->has_expires = true;
		} else if (sstr_eq_cstr_nocase(n, "retry-after")) {
			if (sip_expires_parse(v.p, sstr_end(v),
					&ss->retry_after) < 0)
				return -EINVAL;
			ss->has_retry_after = true;
		}
	}
	return bad ? -EINVAL : 0;
}

int
sip_mtype_parse(const char *p, const char *end, struct sip_mtype *mt)
{
	struct sstr q;

	memset(mt, 0, sizeof(*mt));
	mt->q = 1000;
	p = sip_skip_lws(p, end);
	end = sip_rtrim(p, end);
	const char *t = p;

	p = sip_span_class(p, end, SIP_C_TOKEN);
	if (p == t)
		return -EINVAL;
	mt->type = sstr_make(t, p);
	p = sip_skip_lws(p, end);
	if (p == end || *p != '/')
		return -EINVAL;
	p = sip_skip_lws(p + 1, end);
	t = p;
	p = sip_span_class(p, end, SIP_C_TOKEN);
	if (p == t)
		return -EINVAL;
	mt->subtype = sstr_make(t, p);
	mt->params = sstr_make(p, end);
	if (sip_params_check(p, end) < 0)
		return -EINVAL;
	if (sip_param_find(mt->params, SSTR_LIT("q"), &q) &&
	    sip_qvalue_parse(q, &mt->q) < 0)
		return -EINVAL;
	return 0;
}

int
sip_msg_identity(const struct sip_msg *msg, struct sip_nameaddr *na,
		enum sip_hdr_type *which)
{
	static const uint8_t order[] = { SIP_HDR_P_ASSERTED_IDENTITY,
					 SIP_HDR_REMOTE_PARTY_ID,
					 SIP_HDR_FROM };

	for (unsigned i = 0; i < sizeof(order); i++) {
		struct sip_hdr_iter it;
		struct sstr v;

		sip_hdr_iter_init(&it, msg, order[i]);
		if (!sip_hdr_iter_next(&it, &v))
			continue;
		*which = order[i];
		return sip_nameaddr_parse(v.p, sstr_end(v), na) < 0 ? -EINVAL :
								      0;
	}
	return -ENOENT;
}
