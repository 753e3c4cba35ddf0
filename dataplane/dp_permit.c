/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The domain permit (DESIGN.md policy order, step 4), judged by the
 * workers on requests from the outside port: the requester's domain (from
 * P-Asserted-Identity, else Remote-Party-ID, else From) must be a
 * permitted federated domain, with its subdomains where configured, and
 * the Request-URI must name a local domain or one of the appliance's
 * addresses, unless the request is in a dialog (To-tag), which the control
 * plane matches. Domains compare without case and without a trailing dot.
 * The rule itself is platform/sip/sip_domset (the control plane applies
 * it to TCP); the set is an RCU snapshot here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/dp_priv.h"
#include "platform/sip/sip_domset.h"

/* The Request-URI's host is one of the appliance's addresses. */
static bool
dp_is_our_address(const struct sip_uri *u, void *arg)
{
	const struct dp *dp = arg;
	char tmp[INET6_ADDRSTRLEN];
	uint8_t a[16];

	if (u->host.len >= sizeof(tmp))
		return false;
	memcpy(tmp, u->host.p, u->host.len);
	tmp[u->host.len] = '\0';
	for (unsigned r = 0; r < DP_PORT__COUNT; r++) {
		const struct dp_port *p = &dp->ports[r];

		if (u->host_is_ipv4 && p->has_ip4 &&
		    inet_pton(AF_INET, tmp, a) == 1 && memcmp(a, &p->ip4, 4) == 0)
			return true;
		if (u->host_is_ipv6 && p->has_ip6 &&
		    inet_pton(AF_INET6, tmp, a) == 1 &&
		    memcmp(a, p->ip6, 16) == 0)
			return true;
	}
	return false;
}

enum dp_permit
dp_permit_check(const struct dp *dp, const struct sip_msg *msg)
{
	/* No tables: nothing is permitted from outside (default deny). */
	switch (sip_domset_judge(rcu_dereference(dp->domains), msg,
			dp_is_our_address, (void *)(uintptr_t)dp)) {
	case SIP_DOMSET_PASS:
		return DP_PERMIT_PASS;
	case SIP_DOMSET_DENY_RURI:
		return DP_PERMIT_DENY_RURI;
	default:
		return DP_PERMIT_DENY_IDENTITY;
	}
}

int
dp_set_domains(struct dp *dp, const char *const *local, unsigned n_local,
		const struct dp_domain *permitted, unsigned n_permitted)
{
	const char **names = calloc(n_permitted + 1, sizeof(*names));
	bool *subs = calloc(n_permitted + 1, sizeof(*subs));
	struct sip_domset *t = NULL;

	if (names != NULL && subs != NULL) {
		for (unsigned i = 0; i < n_permitted; i++) {
			names[i] = permitted[i].name;
			subs[i] = permitted[i].subdomains;
		}
		t = sip_domset_create(local, n_local, names, subs,
				n_permitted);
	}
	free(names);
	free(subs);
	if (t == NULL)
		return -ENOMEM;
	dp_snapshot_swap((void **)&dp->domains, t, dp_domains_free_any);
	return 0;
}

void
dp_domains_free_any(void *t)
{
	sip_domset_free(t);
}
