/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * URIs: SIP and SIPS (RFC 3261 §19.1, §25.1), tel (RFC 3966) and any other
 * absoluteURI. Slices only; escapes are checked, not decoded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "platform/sip/sip_priv.h"

/* Bytes of class mask or a valid %HH escape; returns the first other. */
static const char *
sip_span_escaped(const char *p, const char *end, unsigned mask, bool *bad)
{
	while (p < end) {
		if (*p == '%') {
			if (end - p < 3 || !sip_is(p[1], SIP_C_HEX) ||
			    !sip_is(p[2], SIP_C_HEX)) {
				*bad = true;
				return p;
			}
			p += 3;
		} else if (sip_ctab[(unsigned char)*p] & mask) {
			p++;
		} else {
			break;
		}
	}
	return p;
}

int
sip_unescape(struct sstr s, char *out, size_t cap)
{
	size_t n = 0;

	for (uint32_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (c == '%') {
			if (i + 2 >= s.len || !sip_is(s.p[i + 1], SIP_C_HEX) ||
			    !sip_is(s.p[i + 2], SIP_C_HEX))
				return -EINVAL;
			unsigned hi = (unsigned char)s.p[i + 1];
			unsigned lo = (unsigned char)s.p[i + 2];

			hi = hi <= '9' ? hi - '0' : (hi | 0x20) - 'a' + 10;
			lo = lo <= '9' ? lo - '0' : (lo | 0x20) - 'a' + 10;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (n >= cap)
			return -ENOSPC;
		out[n++] = c;
	}
	return (int)n;
}

int
sip_host_check(struct sstr host, bool v6, bool *is_v4)
{
	char tmp[INET6_ADDRSTRLEN + 1];
	unsigned char addr[16];

	*is_v4 = false;
	if (host.len == 0)
		return -EINVAL;
	if (v6) {
		if (host.len >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, host.p, host.len);
		tmp[host.len] = '\0';
		return inet_pton(AF_INET6, tmp, addr) == 1 ? 0 : -EINVAL;
	}
	/*
	 * One pass: every byte a hostname byte, the labels' shape (not
	 * empty, not starting or ending in '-'; an optional final dot), and
	 * whether it is all digits and dots (then a dotted quad). The
	 * toplabel starts with ALPHA (§25.1), which also keeps "192.0.2.1a"
	 * from passing as a name.
	 */
	const char *end = sstr_end(host), *label = host.p, *top = host.p;
	bool numeric = true;

	for (const char *q = host.p; q < end; q++) {
		unsigned cls = sip_ctab[(unsigned char)*q];

		if (!(cls & SIP_C_HOST))
			return -EINVAL;
		if (*q == '.') {
			if (q == label || *label == '-' || q[-1] == '-')
				return -EINVAL;
			top = label;
			label = q + 1;
		} else if (!(cls & SIP_C_DIGIT)) {
			numeric = false;
		}
	}
	if (numeric) {
		if (host.len >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, host.p, host.len);
		tmp[host.len] = '\0';
		if (inet_pton(AF_INET, tmp, addr) != 1)
			return -EINVAL;
		*is_v4 = true;
		return 0;
	}
	if (label < end) {
		if (*label == '-' || end[-1] == '-')
			return -EINVAL;
		top = label;
	}
	if (sip_is(*top, SIP_C_DIGIT))
		return -EINVAL;
	return 0;
}

/* Port: 1*DIGIT, 0..65535. */
static int
sip_port_parse(const char *p, const char *end, uint16_t *port)
{
	uint64_t v;

	if (sstr_to_u64(sstr_make(p, end), 65535, &v) < 0)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

/*
 * host [ ":" port ] at p; sets host (IPv6 without brackets) and port.
 * @return the first byte after, or NULL when malformed.
 */
static const char *
sip_hostport_parse(const char *p, const char *end, struct sstr *host,
		bool *v6, bool *v4, uint16_t *port)
{
	const char *h, *he;

	*v6 = false;
	*port = 0;
	if (p < end && *p == '[') {
		h = p + 1;
		he = memchr(h, ']', (size_t)(end - h));
		if (he == NULL)
			return NULL;
		p = he + 1;
		*v6 = true;
	} else {
		h = p;
		he = sip_span_class(p, end, SIP_C_HOST);
		p = he;
	}
	*host = sstr_make(h, he);
	if (sip_host_check(*host, *v6, v4) < 0)
		return NULL;
	if (p < end && *p == ':') {
		const char *pe = sip_span_class(p + 1, end, SIP_C_DIGIT);

		if (sip_port_parse(p + 1, pe, port) < 0)
			return NULL;
		p = pe;
	}
	return p;
}

/* uri-parameters: *( ";" pname [ "=" pvalue ] ), paramchars or escapes. */
static const char *
sip_uri_params_parse(const char *p, const char *end, bool *bad)
{
	while (p < end && *p == ';') {
		const char *n = p + 1;

		p = sip_span_escaped(n, end, SIP_C_UNRES | SIP_C_PARAM, bad);
		if (*bad || p == n)
			goto fail;
		if (p < end && *p == '=') {
			const char *v = p + 1;

			p = sip_span_escaped(v, end, SIP_C_UNRES | SIP_C_PARAM,
					bad);
			if (*bad || p == v)
				goto fail;
		}
	}
	return p;
fail:
	*bad = true;
	return p;
}

/* headers: "?" header *( "&" header ), header = hname "=" hvalue. */
static const char *
sip_uri_headers_parse(const char *p, const char *end, bool *bad)
{
	do {
		const char *n = ++p;

		p = sip_span_escaped(n, end, SIP_C_UNRES | SIP_C_HNV, bad);
		if (*bad || p == n || p >= end || *p != '=') {
			*bad = true;
			return p;
		}
		p = sip_span_escaped(p + 1, end, SIP_C_UNRES | SIP_C_HNV, bad);
		if (*bad)
			return p;
	} while (p < end && *p == '&');
	return p;
}

static int
sip_uri_parse_sip(const char *p, const char *end, struct sip_uri *uri)
{
	bool bad = false;
	/* '@' is never allowed unescaped after the userinfo. */
	const char *at = memchr(p, '@', (size_t)(end - p));

	if (at != NULL) {
		const char *u = p;
		const char *ue = sip_span_escaped(u, at, SIP_C_UNRES |
				SIP_C_USER, &bad);

		if (bad || ue == u)
			return -EINVAL;
		uri->user = sstr_make(u, ue);
		if (ue < at) {
			if (*ue != ':')
				return -EINVAL;
			const char *pw = ue + 1;
			const char *pwe = sip_span_escaped(pw, at,
					SIP_C_UNRES | SIP_C_PASS, &bad);

			if (bad || pwe != at)
				return -EINVAL;
			uri->password = sstr_make(pw, pwe);
		}
		p = at + 1;
	}
	p = sip_hostport_parse(p, end, &uri->host, &uri->host_is_ipv6,
			&uri->host_is_ipv4, &uri->port);
	if (p == NULL)
		return -EINVAL;
	const char *ps = p;

	p = sip_uri_params_parse(p, end, &bad);
	if (bad)
		return -EINVAL;
	uri->params = sstr_make(ps, p);
	if (p < end && *p == '?') {
		const char *hs = p + 1;

		p = sip_uri_headers_parse(p, end, &bad);
		if (bad)
			return -EINVAL;
		uri->headers = sstr_make(hs, p);
	}
	return p == end ? 0 : -EINVAL;
}

/* tel: global or local number, then params (RFC 3966 §3, loosely). */
static int
sip_uri_parse_tel(const char *p, const char *end, struct sip_uri *uri)
{
	bool bad = false;
	const char *n = p;

	p = sip_span_class(p, end, SIP_C_TEL);
	if (p == n || (p - n == 1 && *n == '+'))
		return -EINVAL;
	uri->user = sstr_make(n, p);
	const char *ps = p;

	p = sip_uri_params_parse(p, end, &bad);
	if (bad || p != end)
		return -EINVAL;
	uri->params = sstr_make(ps, p);
	return 0;
}

int
sip_uri_parse(const char *p, const char *end, struct sip_uri *uri)
{
	memset(uri, 0, sizeof(*uri));
	const char *s = p;

	if (p == end || !sip_is(*p, SIP_C_ALNUM) || sip_is(*p, SIP_C_DIGIT))
		return -EINVAL;
	p = sip_span_class(p + 1, end, SIP_C_SCHEME);
	if (p == end || *p != ':')
		return -EINVAL;
	uri->scheme_s = sstr_make(s, p);
	p++;
	uri->rest = sstr_make(p, end);
	if (p == end)
		return -EINVAL;
	if (sstr_eq_cstr_nocase(uri->scheme_s, "sip")) {
		uri->scheme = SIP_URI_SIP;
		return sip_uri_parse_sip(p, end, uri);
	}
	if (sstr_eq_cstr_nocase(uri->scheme_s, "sips")) {
		uri->scheme = SIP_URI_SIPS;
		return sip_uri_parse_sip(p, end, uri);
	}
	if (sstr_eq_cstr_nocase(uri->scheme_s, "tel")) {
		uri->scheme = SIP_URI_TEL;
		return sip_uri_parse_tel(p, end, uri);
	}
	/* absoluteURI: uric characters, escapes checked. */
	bool bad = false;

	uri->scheme = SIP_URI_OTHER;
	if (sip_span_escaped(p, end, SIP_C_URIC & ~0u, &bad) != end || bad)
		return -EINVAL;
	return 0;
}
