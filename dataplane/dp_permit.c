/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The domain permit (DESIGN.md policy order, step 4), judged by the
 * workers on requests from the outside port: the requester's domain (from
 * P-Asserted-Identity, else Remote-Party-ID, else From) must be a
 * permitted federated domain, with its subdomains where configured, and
 * the Request-URI must name a local domain or one of the appliance's
 * addresses, unless the request is in a dialog (To-tag), which the control
 * plane matches. Domains compare without case and without a trailing dot.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "dataplane/dp_priv.h"
#include "platform/sip/sip.h"

/* A host without its trailing dot (an absolute name). */
static inline struct sstr
dp_host_norm(struct sstr h)
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
dp_dom_eq(const char *a, const char *b, uint32_t n)
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
dp_dom_match(const struct dp_dom *d, unsigned n, struct sstr host)
{
	host = dp_host_norm(host);
	for (unsigned i = 0; i < n; i++) {
		struct sstr name = d[i].name;

		if (host.len == name.len && dp_dom_eq(host.p, name.p, name.len))
			return true;
		/* a.b.partner.example: the name, preceded by a dot. */
		if (d[i].subdomains && host.len > name.len + 1 &&
		    host.p[host.len - name.len - 1] == '.' &&
		    dp_dom_eq(host.p + host.len - name.len, name.p, name.len))
			return true;
	}
	return false;
}

/* The Request-URI's host is one of the appliance's addresses. */
static bool
dp_is_our_address(const struct dp *dp, const struct sip_uri *u)
{
	char tmp[INET6_ADDRSTRLEN];
	uint8_t a[16];

	if (!u->host_is_ipv4 && !u->host_is_ipv6)
		return false;
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
	const struct dp_domains *t = rcu_dereference(dp->domains);
	struct sip_nameaddr id;
	enum sip_hdr_type which;

	/* No tables: nothing is permitted from outside (default deny). */
	if (t == NULL)
		return DP_PERMIT_DENY_IDENTITY;
	if (sip_msg_identity(msg, &id, &which) < 0 ||
	    (id.uri.scheme != SIP_URI_SIP && id.uri.scheme != SIP_URI_SIPS) ||
	    !dp_dom_match(t->permitted, t->n_permitted, id.uri.host))
		return DP_PERMIT_DENY_IDENTITY;

	struct sstr to = sip_msg_hdr_value(msg, SIP_HDR_TO);
	struct sip_nameaddr tna;

	/* In a dialog: the control plane matches it (481 when none). */
	if (sip_nameaddr_parse(to.p, sstr_end(to), &tna) == 0 && tna.tag.len)
		return DP_PERMIT_PASS;

	struct sstr rs = sip_msg_slice(msg, msg->ruri);
	struct sip_uri ru;

	if (sip_uri_parse(rs.p, sstr_end(rs), &ru) < 0 ||
	    (ru.scheme != SIP_URI_SIP && ru.scheme != SIP_URI_SIPS))
		return DP_PERMIT_DENY_RURI;
	if (dp_is_our_address(dp, &ru) ||
	    dp_dom_match(t->local, t->n_local, ru.host))
		return DP_PERMIT_PASS;
	return DP_PERMIT_DENY_RURI;
}

/* Copy a name lower-cased, without a trailing dot; returns its slice. */
static struct sstr
dp_dom_copy(char **at, const char *name)
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

int
dp_set_domains(struct dp *dp, const char *const *local, unsigned n_local,
		const struct dp_domain *permitted, unsigned n_permitted)
{
	size_t bytes = 0;
	struct dp_domains *t;
	char *at;

	for (unsigned i = 0; i < n_local; i++)
		bytes += strlen(local[i]);
	for (unsigned i = 0; i < n_permitted; i++)
		bytes += strlen(permitted[i].name);
	t = rte_zmalloc("dp_domains", sizeof(*t), 0);
	if (t == NULL)
		return -ENOMEM;
	t->local = rte_zmalloc("dp_dom", (n_local + 1) * sizeof(*t->local), 0);
	t->permitted = rte_zmalloc("dp_dom",
			(n_permitted + 1) * sizeof(*t->permitted), 0);
	t->strings = rte_zmalloc("dp_dom_str", bytes + 1, 0);
	if (t->local == NULL || t->permitted == NULL || t->strings == NULL) {
		rte_free(t->local);
		rte_free(t->permitted);
		rte_free(t->strings);
		rte_free(t);
		return -ENOMEM;
	}
	at = t->strings;
	for (unsigned i = 0; i < n_local; i++)
		t->local[i].name = dp_dom_copy(&at, local[i]);
	for (unsigned i = 0; i < n_permitted; i++) {
		t->permitted[i].name = dp_dom_copy(&at, permitted[i].name);
		t->permitted[i].subdomains = permitted[i].subdomains;
	}
	t->n_local = n_local;
	t->n_permitted = n_permitted;
	dp_snapshot_swap((void **)&dp->domains, t, dp_domains_free_any);
	return 0;
}

void
dp_domains_free_any(void *t)
{
	dp_domains_free(t);
}

void
dp_domains_free(struct dp_domains *t)
{
	if (t == NULL)
		return;
	rte_free(t->local);
	rte_free(t->permitted);
	rte_free(t->strings);
	rte_free(t);
}
