/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "control/policy_config.h"
#include "platform/sip/sip.h"

/* Longest domain name (RFC 1035) and AOR accepted. */
#define POLICY_NAME_MAX 253
#define POLICY_AOR_MAX 320

static const cyaml_schema_value_t policy_name_schema = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, POLICY_NAME_MAX),
};

static const cyaml_schema_value_t policy_aor_schema = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 3, POLICY_AOR_MAX),
};

static const cyaml_schema_field_t policy_domain_cfg_fields[] = {
	CYAML_FIELD_STRING_PTR("domain", CYAML_FLAG_POINTER,
			struct policy_domain_cfg, domain, 1, POLICY_NAME_MAX),
	CYAML_FIELD_BOOL("subdomains", CYAML_FLAG_OPTIONAL,
			struct policy_domain_cfg, subdomains),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t policy_domain_cfg_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct policy_domain_cfg,
			policy_domain_cfg_fields),
};

const cyaml_schema_field_t policy_domains_cfg_fields[] = {
	CYAML_FIELD_SEQUENCE("local", CYAML_FLAG_POINTER,
			struct policy_domains_cfg, local, &policy_name_schema,
			1, CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("permitted",
			CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct policy_domains_cfg, permitted,
			&policy_domain_cfg_schema, 0, CYAML_UNLIMITED),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t policy_user_cfg_fields[] = {
	CYAML_FIELD_STRING_PTR("aor", CYAML_FLAG_POINTER,
			struct policy_user_cfg, aor, 3, POLICY_AOR_MAX),
	CYAML_FIELD_SEQUENCE("allow_domains",
			CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct policy_user_cfg, allow_domains,
			&policy_name_schema, 0, CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("block_domains",
			CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct policy_user_cfg, block_domains,
			&policy_name_schema, 0, CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("allow_users",
			CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct policy_user_cfg, allow_users, &policy_aor_schema,
			0, CYAML_UNLIMITED),
	CYAML_FIELD_SEQUENCE("block_users",
			CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct policy_user_cfg, block_users, &policy_aor_schema,
			0, CYAML_UNLIMITED),
	CYAML_FIELD_END
};

const cyaml_schema_value_t policy_user_cfg_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct policy_user_cfg,
			policy_user_cfg_fields),
};

const cyaml_schema_field_t pres_limits_cfg_fields[] = {
	CYAML_FIELD_UINT("min_expires", CYAML_FLAG_OPTIONAL,
			struct pres_limits_cfg, min_expires),
	CYAML_FIELD_UINT("default_expires", CYAML_FLAG_OPTIONAL,
			struct pres_limits_cfg, default_expires),
	CYAML_FIELD_UINT("max_expires", CYAML_FLAG_OPTIONAL,
			struct pres_limits_cfg, max_expires),
	CYAML_FIELD_UINT("coalesce_ms", CYAML_FLAG_OPTIONAL,
			struct pres_limits_cfg, coalesce_ms),
	CYAML_FIELD_UINT("early_refreshes_per_minute", CYAML_FLAG_OPTIONAL,
			struct pres_limits_cfg, early_refreshes_per_minute),
	CYAML_FIELD_UINT("max_subscriptions_per_watcher", CYAML_FLAG_OPTIONAL,
			struct pres_limits_cfg, max_subscriptions_per_watcher),
	CYAML_FIELD_END
};

/* The lab's figures (DESIGN.md) are the defaults. */
const struct cfg_range pres_limits_cfg_ranges[] = {
	CFG_RANGE_DEFAULT("presence.min_expires", 1, 86400, 60),
	CFG_RANGE_DEFAULT("presence.default_expires", 1, 604800, 3600),
	CFG_RANGE_DEFAULT("presence.max_expires", 1, 604800, 86400),
	CFG_RANGE_DEFAULT("presence.coalesce_ms", 0, 5000, 5000),
	CFG_RANGE_DEFAULT("presence.early_refreshes_per_minute", 1, 600, 10),
	CFG_RANGE_DEFAULT("presence.max_subscriptions_per_watcher", 1, 100000,
			100),
	CFG_RANGE_END,
};

/* A domain name as a SIP host: a hostname (an address is not a domain). */
static bool
policy_is_domain(const char *d)
{
	bool v4;

	return sip_host_check(sstr_cstr(d), false, &v4) == 0 && !v4;
}

static int
policy_fail(struct cfg_err *err, const struct cfg_doc *doc, const char *path,
		const char *what, const char *value)
{
	cfg_errorf(err, doc, path, "%s '%s'", what, value);
	return -EINVAL;
}

static bool
policy_in(char *const *list, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (strcasecmp(list[i], s) == 0)
			return true;
	return false;
}

static int
policy_check_domains(const struct policy_domains_cfg *dom,
		const struct cfg_doc *doc, struct cfg_err *err)
{
	char path[96];

	for (unsigned i = 0; i < dom->local_count; i++) {
		snprintf(path, sizeof(path), "domains.local[%u]", i);
		if (!policy_is_domain(dom->local[i]))
			return policy_fail(err, doc, path, "not a domain name",
					dom->local[i]);
		if (policy_in(dom->local, i, dom->local[i]))
			return policy_fail(err, doc, path, "duplicate domain",
					dom->local[i]);
	}
	for (unsigned i = 0; i < dom->permitted_count; i++) {
		const char *d = dom->permitted[i].domain;

		snprintf(path, sizeof(path), "domains.permitted[%u].domain", i);
		if (!policy_is_domain(d))
			return policy_fail(err, doc, path, "not a domain name",
					d);
		if (policy_in(dom->local, dom->local_count, d))
			return policy_fail(err, doc, path,
					"domain is both local and permitted", d);
		for (unsigned j = 0; j < i; j++)
			if (strcasecmp(dom->permitted[j].domain, d) == 0)
				return policy_fail(err, doc, path,
						"duplicate domain", d);
	}
	return 0;
}

/* One list of a user: every entry well-formed, none also in `other`. */
static int
policy_check_list(char *const *list, unsigned n, char *const *other,
		unsigned n_other, bool aors, unsigned user, const char *key,
		const struct cfg_doc *doc, struct cfg_err *err)
{
	char path[96];

	for (unsigned i = 0; i < n; i++) {
		const char *at = strchr(list[i], '@');

		snprintf(path, sizeof(path), "users[%u].%s[%u]", user, key, i);
		if (aors ? (at == NULL || at == list[i] ||
				   !policy_is_domain(at + 1)) :
			   !policy_is_domain(list[i]))
			return policy_fail(err, doc, path, aors ?
					"not an AOR (user@domain)" :
					"not a domain name", list[i]);
		if (policy_in(other, n_other, list[i]))
			return policy_fail(err, doc, path,
					"both allowed and blocked", list[i]);
	}
	return 0;
}

static int
policy_check_users(const struct policy_domains_cfg *dom,
		const struct policy_user_cfg *users, unsigned n_users,
		const struct cfg_doc *doc, struct cfg_err *err)
{
	char path[96];

	for (unsigned u = 0; u < n_users; u++) {
		const struct policy_user_cfg *usr = &users[u];
		const char *at = strchr(usr->aor, '@');

		snprintf(path, sizeof(path), "users[%u].aor", u);
		if (at == NULL || at == usr->aor || !policy_is_domain(at + 1))
			return policy_fail(err, doc, path,
					"not an AOR (user@domain)", usr->aor);
		if (!policy_in(dom->local, dom->local_count, at + 1))
			return policy_fail(err, doc, path,
					"user not in a local domain", usr->aor);
		for (unsigned v = 0; v < u; v++)
			if (strcasecmp(users[v].aor, usr->aor) == 0)
				return policy_fail(err, doc, path,
						"duplicate user", usr->aor);
		int rc = policy_check_list(usr->allow_domains,
				usr->allow_domains_count, usr->block_domains,
				usr->block_domains_count, false, u,
				"allow_domains", doc, err);

		if (rc == 0)
			rc = policy_check_list(usr->block_domains,
					usr->block_domains_count, NULL, 0, false,
					u, "block_domains", doc, err);
		if (rc == 0)
			rc = policy_check_list(usr->allow_users,
					usr->allow_users_count, usr->block_users,
					usr->block_users_count, true, u,
					"allow_users", doc, err);
		if (rc == 0)
			rc = policy_check_list(usr->block_users,
					usr->block_users_count, NULL, 0, true, u,
					"block_users", doc, err);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
policy_cfg_check(const struct policy_domains_cfg *dom,
		const struct policy_user_cfg *users, unsigned n_users,
		const struct pres_limits_cfg *pres, const struct cfg_doc *doc,
		struct cfg_err *err)
{
	int rc = policy_check_domains(dom, doc, err);

	if (rc == 0)
		rc = policy_check_users(dom, users, n_users, doc, err);
	if (rc < 0)
		return rc;
	if (pres->min_expires > pres->max_expires) {
		cfg_errorf(err, doc, "presence.min_expires",
				"%u is above max_expires (%u)",
				pres->min_expires, pres->max_expires);
		return -EINVAL;
	}
	if (pres->default_expires < pres->min_expires ||
	    pres->default_expires > pres->max_expires) {
		cfg_errorf(err, doc, "presence.default_expires",
				"%u is outside [min_expires, max_expires] = "
				"[%u, %u]", pres->default_expires,
				pres->min_expires, pres->max_expires);
		return -EINVAL;
	}
	return 0;
}
