/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config: types of the schema-checked YAML config loader. Functions are in
 * config.h.
 */
#ifndef SIPEDGE_CONFIG_TYPES_H
#define SIPEDGE_CONFIG_TYPES_H

#include <stdint.h>

#include <cyaml/cyaml.h>

/** Size of cfg_err.file, NUL included. */
#define CFG_ERR_FILE_MAX 256
/** Size of cfg_err.msg, NUL included. */
#define CFG_ERR_MSG_MAX 512
/** Longest dotted key path the loader builds, NUL included. */
#define CFG_PATH_MAX 256
/** Largest config file cfg_load_file reads, in bytes. */
#define CFG_FILE_MAX (16u << 20)

/**
 * Where and why a load failed, or what a module's own check found.
 * Format it with cfg_err_format().
 */
struct cfg_err {
	char file[CFG_ERR_FILE_MAX]; /**< file, or the name given to
				      *   cfg_load_string(); may be empty */
	unsigned line;		     /**< 1-based; 0: no position */
	unsigned col;		     /**< 1-based; 0 when line is 0 */
	char msg[CFG_ERR_MSG_MAX];   /**< what is wrong, key path first */
};

/** cfg_range.flags */
enum cfg_range_flag {
	CFG_RANGE_F_LIMITS = 1u << 0,  /**< check min <= value <= max */
	CFG_RANGE_F_DEFAULT = 1u << 1, /**< store def when the key is absent */
};

/**
 * Numeric facts about one key that libcyaml cannot express: its range and
 * its default. The module that owns the key declares them next to its
 * cyaml schema; build entries with CFG_RANGE(), CFG_RANGE_DEFAULT() and
 * CFG_DEFAULT(), end a table with CFG_RANGE_END.
 *
 * path is the dotted key path from the top of the document, with "[]" for
 * every element of a sequence: "presence.min_expires",
 * "domains.permitted[].max_depth", "ports[]" (a sequence of integers).
 *
 * Limits apply to CYAML_INT and CYAML_UINT keys. A default applies to a
 * non-pointer CYAML_INT, CYAML_UINT, CYAML_BOOL (0 or 1) or CYAML_ENUM (one
 * of its values) key marked CYAML_FLAG_OPTIONAL; it is stored whenever the
 * key is absent, also when the whole (non-pointer) mapping around it is
 * absent. Strings have no declared default: an absent string is NULL (or
 * empty, for an array field) and the module substitutes its own.
 *
 * Every load checks the tables against the schema first, so a path that
 * names no such key, or a default that breaks its own limits, fails every
 * load with a message naming it.
 */
struct cfg_range {
	const char *path; /**< dotted key path; NULL ends a table */
	int64_t min;	  /**< smallest value allowed (CFG_RANGE_F_LIMITS) */
	int64_t max;	  /**< largest value allowed (CFG_RANGE_F_LIMITS) */
	int64_t def;	  /**< default (CFG_RANGE_F_DEFAULT) */
	unsigned flags;	  /**< enum cfg_range_flag, or-ed */
};

/** The value at _path must lie in [_min, _max]. */
#define CFG_RANGE(_path, _min, _max)                                           \
	{                                                                      \
		.path = (_path), .min = (_min), .max = (_max), .def = 0,       \
		.flags = CFG_RANGE_F_LIMITS,                                   \
	}

/** The value at _path must lie in [_min, _max]; absent, it is _def. */
#define CFG_RANGE_DEFAULT(_path, _min, _max, _def)                             \
	{                                                                      \
		.path = (_path), .min = (_min), .max = (_max), .def = (_def),  \
		.flags = CFG_RANGE_F_LIMITS | CFG_RANGE_F_DEFAULT,             \
	}

/** Absent, the value at _path is _def (no limits: bools and enums). */
#define CFG_DEFAULT(_path, _def)                                               \
	{                                                                      \
		.path = (_path), .min = INT64_MIN, .max = INT64_MAX,           \
		.def = (_def), .flags = CFG_RANGE_F_DEFAULT,                   \
	}

/** Ends a table of struct cfg_range. */
#define CFG_RANGE_END                                                          \
	{                                                                      \
		.path = NULL                                                   \
	}

/**
 * What a document must look like: the daemon composes the modules'
 * sections into one top-level mapping and lists their range tables.
 */
struct cfg_schema {
	/** Top-level value: a CYAML_MAPPING with CYAML_FLAG_POINTER. */
	const cyaml_schema_value_t *top;
	/**
	 * NULL-terminated list of range tables (each ended by
	 * CFG_RANGE_END), one per module; NULL when there are none.
	 */
	const struct cfg_range *const *ranges;
};

/**
 * A loaded document kept for the modules' own (semantic) checks: it maps
 * key paths to file:line:col. Opaque; see cfg_doc_line(), cfg_errorf().
 */
struct cfg_doc;

#endif
