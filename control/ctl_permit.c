/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The domain permit for the control plane (see ctl_permit.h). Same
 * semantics as dataplane/dp_permit.c, whose tables live in DPDK memory;
 * this one is plain heap, used on the control thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_permit.h"
#include "platform/sip/sip.h"

/* One domain: a slice into the table's string block, lower case. */
struct ctl_permit_dom {
	struct sstr name;
	bool subdomains;
};

struct ctl_permit {
	struct ctl_permit_dom *local;
	unsigned n_local;
	struct ctl_permit_dom *permitted;
	unsigned n_permitted;
	struct netaddr *own;
	unsigned n_own;
	char *strings;
};

const char *
ctl_permit_verdict_str(enum ctl_permit_verdict v)
{
#define CTL_PERMIT_NAME_(sym, num, name) [num] = name,
	static const char *const names[] = {
		CTL_PERMIT_LIST(CTL_PERMIT_NAME_)
	};
#undef CTL_PERMIT_NAME_

	return (unsigned)v < CTL_PERMIT__COUNT ? names[v] : "unknown";
}

/* A host without its trailing dot (an absolute name). */
static inline struct sstr
ctl_permit_host_norm(struct sstr h)
{
	if (h.len > 1 && h.p[h.len - 1] == '.')
		h.len--;
	return h;
}

static bool
ctl_permit_dom_match(const struct ctl_permit_dom *d, unsigned n,
		struct sstr host)
{
	host = ctl_permit_host_norm(host);
	for (unsigned i = 0; i < n; i++) {
		struct sstr name = d[i].name;

		if (sstr_eq_nocase(host, name))
			return true;
		/* a.b.partner.example: the name, preceded by a dot. */
		if (d[i].subdomains && host.len > name.len + 1 &&
		    host.p[host.len - name.len - 1] == '.' &&
		    sstr_has_suffix_nocase(host, name))
			return true;
	}
	return false;
}

/* The Request-URI's host is one of the appliance's addresses. */
static bool
ctl_permit_is_ours(const struct ctl_permit *p, const struct sip_uri *u,
		const struct netaddr *local)
{
	char tmp[INET6_ADDRSTRLEN];
	uint8_t a[16];
	int family = u->host_is_ipv6 ? AF_INET6 : AF_INET;
	unsigned alen = family == AF_INET6 ? 16 : 4;

	if (!u->host_is_ipv4 && !u->host_is_ipv6)
		return false;
	if (u->host.len >= sizeof(tmp))
		return false;
	memcpy(tmp, u->host.p, u->host.len);
	tmp[u->host.len] = '\0';
	if (inet_pton(family, tmp, a) != 1)
		return false;
	if (local != NULL && local->family == family &&
	    memcmp(local->ip, a, alen) == 0)
		return true;
	for (unsigned i = 0; i < p->n_own; i++)
		if (p->own[i].family == family &&
		    memcmp(p->own[i].ip, a, alen) == 0)
			return true;
	return false;
}

enum ctl_permit_verdict
ctl_permit_check(const struct ctl_permit *p, const struct sip_msg *m,
		const struct netaddr *local)
{
	struct sip_nameaddr id, to;
	enum sip_hdr_type which;
	struct sstr tov, rs;
	struct sip_uri ru;

	if (sip_msg_identity(m, &id, &which) < 0 ||
	    (id.uri.scheme != SIP_URI_SIP && id.uri.scheme != SIP_URI_SIPS) ||
	    !ctl_permit_dom_match(p->permitted, p->n_permitted, id.uri.host))
		return CTL_PERMIT_DENY_IDENTITY;
	/* In a dialog: the dialog layer matches it (481 when none). */
	tov = sip_msg_hdr_value(m, SIP_HDR_TO);
	if (sip_nameaddr_parse(tov.p, sstr_end(tov), &to) == 0 && to.tag.len)
		return CTL_PERMIT_PASS;
	rs = sip_msg_slice(m, m->ruri);
	if (sip_uri_parse(rs.p, sstr_end(rs), &ru) < 0 ||
	    (ru.scheme != SIP_URI_SIP && ru.scheme != SIP_URI_SIPS))
		return CTL_PERMIT_DENY_RURI;
	if (ctl_permit_is_ours(p, &ru, local) ||
	    ctl_permit_dom_match(p->local, p->n_local, ru.host))
		return CTL_PERMIT_PASS;
	return CTL_PERMIT_DENY_RURI;
}

/* Copy a name lower-cased, without a trailing dot; returns its slice. */
static struct sstr
ctl_permit_copy(char **at, const char *name)
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

struct ctl_permit *
ctl_permit_create(const struct policy_domains_cfg *dom,
		const struct netaddr *own, unsigned n_own)
{
	static const struct policy_domains_cfg none;
	struct ctl_permit *p = calloc(1, sizeof(*p));
	size_t bytes = 1;
	char *at;

	if (p == NULL)
		return NULL;
	if (dom == NULL)
		dom = &none;
	for (unsigned i = 0; i < dom->local_count; i++)
		bytes += strlen(dom->local[i]);
	for (unsigned i = 0; i < dom->permitted_count; i++)
		bytes += strlen(dom->permitted[i].domain);
	p->local = calloc(dom->local_count + 1, sizeof(*p->local));
	p->permitted = calloc(dom->permitted_count + 1, sizeof(*p->permitted));
	p->own = calloc(n_own + 1, sizeof(*p->own));
	p->strings = malloc(bytes);
	if (p->local == NULL || p->permitted == NULL || p->own == NULL ||
	    p->strings == NULL) {
		ctl_permit_destroy(p);
		errno = ENOMEM;
		return NULL;
	}
	at = p->strings;
	for (unsigned i = 0; i < dom->local_count; i++)
		p->local[i].name = ctl_permit_copy(&at, dom->local[i]);
	for (unsigned i = 0; i < dom->permitted_count; i++) {
		p->permitted[i].name = ctl_permit_copy(&at,
				dom->permitted[i].domain);
		p->permitted[i].subdomains = dom->permitted[i].subdomains;
	}
	p->n_local = dom->local_count;
	p->n_permitted = dom->permitted_count;
	if (n_own > 0)
		memcpy(p->own, own, n_own * sizeof(*own));
	p->n_own = n_own;
	return p;
}

void
ctl_permit_destroy(struct ctl_permit *p)
{
	if (p == NULL)
		return;
	free(p->local);
	free(p->permitted);
	free(p->own);
	free(p->strings);
	free(p);
}
