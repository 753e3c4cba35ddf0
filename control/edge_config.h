/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's configuration: the modules' sections composed into one
 * document, the embedded default (control/default.yaml) and the checks
 * that need more than the schema.
 */
#ifndef SIPEDGE_EDGE_CONFIG_H
#define SIPEDGE_EDGE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "platform/config/config.h"
#include "platform/log/log_config.h"
#include "platform/sip/sip_config.h"
#include "control/policy_config.h"
#include "control/tcp/ctl_tcp_config.h"
#include "dataplane/dp_config.h"

/** `admin:` section. */
struct admin_cfg {
	char *socket; /**< admin socket path (absolute) */
};

/** The whole document. */
struct edge_cfg {
	struct log_cfg log;              /**< log: */
	struct sip_cfg sip;              /**< sip: */
	struct admin_cfg admin;          /**< admin: */
	struct dp_cfg dataplane;         /**< dataplane: */
	char *state_dir;                 /**< state_dir: */
	struct policy_domains_cfg domains; /**< domains: */
	struct pres_limits_cfg presence; /**< presence: */
	struct policy_user_cfg *users;   /**< users: */
	unsigned users_count;            /**< entries in users */
	struct ctl_tcp_cfg tcp;          /**< tcp: */
};

/** The embedded default config (control/default.yaml). */
extern const char edge_cfg_default_yaml[];
/** Its length in bytes. */
extern const size_t edge_cfg_default_yaml_len;

/**
 * Load and check a config: the file at path, or the embedded default when
 * path is NULL. Checks the schema, the ranges and the cross-references
 * (domain names, users in local domains, duplicates).
 *
 * @param cfg  on success, the loaded config; free with edge_cfg_free().
 * @param err  on failure, FILE:LINE:COL and the message.
 * @return 0, or a negative errno (-EINVAL for a bad document, -ENOENT and
 *         the like when the file cannot be read).
 */
int edge_cfg_load(const char *path, struct edge_cfg **cfg,
		struct cfg_err *err);

/** Free a loaded config; NULL is a no-op. */
void edge_cfg_free(struct edge_cfg *cfg);

#endif
