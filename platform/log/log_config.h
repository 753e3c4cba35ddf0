/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `log:` config section: the default level and per-module levels.
 *
 *   log:
 *     level: notice          # every module
 *     modules:               # exceptions
 *       - { module: sip, level: debug }
 */
#ifndef SIPEDGE_LOG_CONFIG_H
#define SIPEDGE_LOG_CONFIG_H

#include "platform/config/config.h"
#include "platform/log/log.h"

/** One per-module level. */
struct log_cfg_module {
	char *module;          /**< a name of LOG_MODULES */
	enum log_level level;  /**< its level */
};

/** The section. */
struct log_cfg {
	enum log_level level;          /**< default level of every module */
	struct log_cfg_module *modules; /**< per-module exceptions */
	unsigned modules_count;        /**< entries in modules */
};

/** Fields of the section, for the daemon's top-level mapping. */
extern const cyaml_schema_field_t log_cfg_fields[];
/** Defaults of the section (paths under "log."). */
extern const struct cfg_range log_cfg_ranges[];

/**
 * Check what the schema cannot: every module name is known.
 * @return 0, or -EINVAL with err filled (file:line of the bad name).
 */
int log_cfg_check(const struct log_cfg *cfg, const struct cfg_doc *doc,
		struct cfg_err *err);

/** Apply the levels (call after log_cfg_check() passed). */
void log_cfg_apply(const struct log_cfg *cfg);

#endif
