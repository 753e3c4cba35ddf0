/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The domain permit for the control plane (see ctl_permit.h): the rule
 * of platform/sip/sip_domset, as the dataplane applies it to UDP, with
 * the appliance's addresses (and the one a request arrived on) for the
 * Request-URI check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_permit.h"
#include "platform/sip/sip_domset.h"

struct ctl_permit {
	struct sip_domset *set;
	struct netaddr *own;
	unsigned n_own;
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

/* What sip_domset_judge() asks: the permit and the arrival address. */
struct ctl_permit_ctx {
	const struct ctl_permit *p;
	const struct netaddr *local;
};

/* The Request-URI's host is one of the appliance's addresses. */
static bool
ctl_permit_is_ours(const struct sip_uri *u, void *arg)
{
	const struct ctl_permit_ctx *c = arg;
	const struct ctl_permit *p = c->p;
	const struct netaddr *local = c->local;
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
	struct ctl_permit_ctx c = { p, local };

	switch (sip_domset_judge(p->set, m, ctl_permit_is_ours, &c)) {
	case SIP_DOMSET_PASS:
		return CTL_PERMIT_PASS;
	case SIP_DOMSET_DENY_RURI:
		return CTL_PERMIT_DENY_RURI;
	default:
		return CTL_PERMIT_DENY_IDENTITY;
	}
}

struct ctl_permit *
ctl_permit_create(const struct policy_domains_cfg *dom,
		const struct netaddr *own, unsigned n_own)
{
	static const struct policy_domains_cfg none;
	struct ctl_permit *p = calloc(1, sizeof(*p));
	const char **names = NULL;
	bool *subs = NULL;

	if (p == NULL)
		return NULL;
	if (dom == NULL)
		dom = &none;
	names = calloc(dom->permitted_count + 1, sizeof(*names));
	subs = calloc(dom->permitted_count + 1, sizeof(*subs));
	p->own = calloc(n_own + 1, sizeof(*p->own));
	if (names != NULL && subs != NULL) {
		for (unsigned i = 0; i < dom->permitted_count; i++) {
			names[i] = dom->permitted[i].domain;
			subs[i] = dom->permitted[i].subdomains;
		}
		p->set = sip_domset_create((const char *const *)dom->local,
				dom->local_count, names, subs,
				dom->permitted_count);
	}
	free(names);
	free(subs);
	if (p->set == NULL || p->own == NULL) {
		ctl_permit_destroy(p);
		errno = ENOMEM;
		return NULL;
	}
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
	sip_domset_free(p->set);
	free(p->own);
	free(p);
}
