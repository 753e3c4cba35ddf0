/* SPDX-License-Identifier: BSD-3-Clause */
/* config: internals shared by config.c and config_walk.c. */
#ifndef SIPEDGE_CONFIG_PRIV_H
#define SIPEDGE_CONFIG_PRIV_H

#include <stdbool.h>

#include <yaml.h>

#include "platform/config/config.h"

/** Most nodes one walk visits (aliases can multiply a small text). */
#define CFG_WALK_MAX_VISITS 100000u
/** Deepest nesting of mappings and sequences the walk follows. */
#define CFG_WALK_MAX_DEPTH 64u

struct cfg_doc {
	yaml_document_t ydoc;	     /**< libyaml's tree, marks per node */
	bool has_ydoc;		     /**< ydoc needs yaml_document_delete */
	char name[CFG_ERR_FILE_MAX]; /**< file name used in messages */
};

/** Node idx of d (libyaml's 1-based ids), or NULL when out of bounds. */
const yaml_node_t *cfg_yaml_node(const yaml_document_t *d, int idx);

/** The document's root when it is not empty, else NULL. */
const yaml_node_t *cfg_yaml_root(const yaml_document_t *d);

/** True when key matches name, ASCII case folded if fold. */
bool cfg_key_is_eq(const char *key, const char *name, bool fold);

/**
 * Fill err: file, position of mark (0-based in libyaml, 1-based here; NULL
 * for none) and the formatted message.
 */
void cfg_err_set(struct cfg_err *err, const char *file, const yaml_mark_t *mark,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/**
 * Check the range tables of schema against its cyaml schema: every path
 * must name a key of a fitting type, limits and defaults must be coherent.
 * Returns 0 or -EINVAL with err filled (file name, no position).
 */
int cfg_ranges_check(
	const struct cfg_schema *schema, const char *name, struct cfg_err *err);

/**
 * Walk ydoc alongside schema. Returns 0 when libcyaml can load it and every
 * range holds, else -EINVAL with err filled at the offending node.
 */
int cfg_walk_check(const struct cfg_schema *schema, const yaml_document_t *ydoc,
	const char *name, struct cfg_err *err);

/** Store the declared defaults of the keys absent from ydoc into data. */
void cfg_walk_defaults(const struct cfg_schema *schema,
	const yaml_document_t *ydoc, void *data);

#endif
