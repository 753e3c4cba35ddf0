/* SPDX-License-Identifier: BSD-3-Clause */
/* sip_domset: the domain permit's rule (see sip_domset.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "platform/sip/sip_domset.h"

/* One domain: a slice into the set's string block, lower case. */
struct sip_dom {
	struct sstr name;
	bool subdomains;
};

struct sip_domset {
	unsigned n_local;
	unsigned n_permitted;
	struct sip_dom *local;
	struct sip_dom *permitted;
	char *strings;
};

/* A host without its trailing dot (an absolute name). */
static inline struct sstr
sip_domset_norm(struct sstr h)
{
	if (h.len > 1 && h.p[h.len - 1] == '.')
		h.len--;
	return h;
}

/*
 * a (a host the URI parser accepted: letters, digits, '-', '.') equals
 * the lower-case name b, eight bytes at a time. OR-ing 0x20 folds only
 * 'A'-'Z' among the bytes a host may hold (digits, '-' and '.' have the
 * bit already), so the comparison is exact.
 */
static inline bool
sip_domset_eq(const char *a, const char *b, uint32_t n)
{
	uint64_t x, y;

	for (; n >= 8; a += 8, b += 8, n -= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if ((x | UINT64_C(0x2020202020202020)) != y)
			return false;
	}
	for (; n > 0; a++, b++, n--)
		if ((unsigned char)(*a | 0x20) != (unsigned char)*b)
			return false;
	return true;
}

static bool
sip_domset_match(const struct sip_dom *d, unsigned n, struct sstr host)
{
	host = sip_domset_norm(host);
	for (unsigned i = 0; i < n; i++) {
		struct sstr name = d[i].name;

		if (host.len == name.len &&
		    sip_domset_eq(host.p, name.p, name.len))
			return true;
		/* a.b.partner.example: the name, preceded by a dot. */
		if (d[i].subdomains && host.len > name.len + 1 &&
		    host.p[host.len - name.len - 1] == '.' &&
		    sip_domset_eq(host.p + host.len - name.len, name.p,
				  name.len))
			return true;
	}
	return false;
}

bool
sip_domset_is_local(const struct sip_domset *s, struct sstr host)
{
	return s != NULL && sip_domset_match(s->local, s->n_local, host);
}

bool
sip_domset_is_permitted(const struct sip_domset *s, struct sstr host)
{
	return s != NULL &&
	       sip_domset_match(s->permitted, s->n_permitted, host);
}

enum sip_domset_verdict
sip_domset_judge(const struct sip_domset *s, const struct sip_msg *msg,
		bool (*is_ours)(const struct sip_uri *uri, void *arg),
		void *arg)
{
	struct sip_nameaddr id, to;
	enum sip_hdr_type which;
	struct sip_uri ru;
	struct sstr tov, rs;

	if (s == NULL || sip_msg_identity(msg, &id, &which) < 0 ||
	    (id.uri.scheme != SIP_URI_SIP && id.uri.scheme != SIP_URI_SIPS) ||
	    !sip_domset_is_permitted(s, id.uri.host))
		return SIP_DOMSET_DENY_IDENTITY;
	/* In a dialog: the dialog layer matches it (481 when none). */
	tov = sip_msg_hdr_value(msg, SIP_HDR_TO);
	if (sip_nameaddr_parse(tov.p, sstr_end(tov), &to) == 0 && to.tag.len)
		return SIP_DOMSET_PASS;
	rs = sip_msg_slice(msg, msg->ruri);
	if (sip_uri_parse(rs.p, sstr_end(rs), &ru) < 0 ||
	    (ru.scheme != SIP_URI_SIP && ru.scheme != SIP_URI_SIPS))
		return SIP_DOMSET_DENY_RURI;
	if (((ru.host_is_ipv4 || ru.host_is_ipv6) && is_ours != NULL &&
	     is_ours(&ru, arg)) ||
	    sip_domset_is_local(s, ru.host))
		return SIP_DOMSET_PASS;
	return SIP_DOMSET_DENY_RURI;
}

/* Copy a name lower-cased, without a trailing dot; returns its slice. */
static struct sstr
sip_domset_copy(char **at, const char *name)
{
	size_t n = strlen(name);
	char *p = *at;

	if (n > 1 && name[n - 1] == '.')
		n--;
	for (size_t i = 0; i < n; i++)
		p[i] = sstr_lower(name[i]);
	*at = p + n;
	return (struct sstr){ p, (uint32_t)n };
}

struct sip_domset *
sip_domset_create(const char *const *local, unsigned n_local,
		const char *const *permitted, const bool *subdomains,
		unsigned n_permitted)
{
	struct sip_domset *s = calloc(1, sizeof(*s));
	size_t bytes = 1;
	char *at;

	if (s == NULL)
		return NULL;
	for (unsigned i = 0; i < n_local; i++)
		bytes += strlen(local[i]);
	for (unsigned i = 0; i < n_permitted; i++)
		bytes += strlen(permitted[i]);
	s->local = calloc(n_local + 1, sizeof(*s->local));
	s->permitted = calloc(n_permitted + 1, sizeof(*s->permitted));
	s->strings = malloc(bytes);
	if (s->local == NULL || s->permitted == NULL || s->strings == NULL) {
		sip_domset_free(s);
		errno = ENOMEM;
		return NULL;
	}
	at = s->strings;
	for (unsigned i = 0; i < n_local; i++)
		s->local[i].name = sip_domset_copy(&at, local[i]);
	for (unsigned i = 0; i < n_permitted; i++) {
		s->permitted[i].name = sip_domset_copy(&at, permitted[i]);
		s->permitted[i].subdomains = subdomains && subdomains[i];
	}
	s->n_local = n_local;
	s->n_permitted = n_permitted;
	return s;
}

void
sip_domset_free(struct sip_domset *s)
{
	if (s == NULL)
		return;
	free(s->local);
	free(s->permitted);
	free(s->strings);
	free(s);
}
