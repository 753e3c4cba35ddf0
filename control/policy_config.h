/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy sections: which domains are local and which may federate
 * (`domains:`), the local users and their own allow/block lists
 * (`users:`), and the presence engine's abuse limits (`presence:`).
 *
 * Users' lists are the second step of presence authorization (DESIGN.md
 * policy order, step 5): after the administrator's per-domain policy, a
 * watcher is allowed or politely blocked by user or by domain; a watcher
 * on neither list goes pending.
 */
#ifndef SIPEDGE_POLICY_CONFIG_H
#define SIPEDGE_POLICY_CONFIG_H

#include <stdbool.h>

#include "platform/config/config.h"

/** A permitted federated domain. */
struct policy_domain_cfg {
	char *domain;     /**< the domain, lower case */
	bool subdomains;  /**< its subdomains are permitted too */
};

/** `domains:` */
struct policy_domains_cfg {
	char **local;                       /**< domains homed here */
	unsigned local_count;               /**< entries in local */
	struct policy_domain_cfg *permitted; /**< federated domains */
	unsigned permitted_count;           /**< entries in permitted */
};

/** One `users:` entry. */
struct policy_user_cfg {
	char *aor;              /**< user@domain, the domain local */
	char **allow_domains;   /**< watcher domains allowed */
	unsigned allow_domains_count;
	char **block_domains;   /**< watcher domains politely blocked */
	unsigned block_domains_count;
	char **allow_users;     /**< watcher AORs allowed */
	unsigned allow_users_count;
	char **block_users;     /**< watcher AORs politely blocked */
	unsigned block_users_count;
};

/** `presence:` limits. */
struct pres_limits_cfg {
	uint32_t min_expires;      /**< s; shorter gets 423 */
	uint32_t default_expires;  /**< s; absent Expires, clamp of long ones */
	uint32_t max_expires;      /**< s */
	uint32_t coalesce_ms;      /**< NOTIFY coalescing window */
	uint32_t early_refreshes_per_minute; /**< per subscription */
	uint32_t max_subscriptions_per_watcher; /**< cap per watcher */
};

/** Fields of `domains:`. */
extern const cyaml_schema_field_t policy_domains_cfg_fields[];
/** Schema of one `users:` entry. */
extern const cyaml_schema_value_t policy_user_cfg_schema;
/** Fields of `presence:`. */
extern const cyaml_schema_field_t pres_limits_cfg_fields[];
/** Ranges and defaults of `presence:`. */
extern const struct cfg_range pres_limits_cfg_ranges[];

/**
 * Cross-checks: domain names well-formed and not both local and
 * permitted, no duplicates, every user's AOR in a local domain, no domain
 * or user both allowed and blocked, default_expires within the bounds.
 * @return 0, or -EINVAL with err at the offending key.
 */
int policy_cfg_check(const struct policy_domains_cfg *dom,
		const struct policy_user_cfg *users, unsigned n_users,
		const struct pres_limits_cfg *pres, const struct cfg_doc *doc,
		struct cfg_err *err);

#endif
