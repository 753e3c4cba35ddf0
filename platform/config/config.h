/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config: the generic schema-checked YAML config loader.
 *
 * Every module declares its section as an ordinary libcyaml schema
 * (cyaml_schema_field_t arrays built with the CYAML_FIELD_* macros) plus a
 * table of struct cfg_range for what libcyaml cannot say (numeric ranges,
 * defaults); the daemon composes the sections into one top-level mapping.
 *
 * A load parses the text with libyaml into a document that keeps the
 * position of every node and walks it alongside the schema, so that every
 * error names the file, the line and column of the offending key or value,
 * and the dotted key path (libcyaml itself reports only the line of the
 * enclosing mapping). Only a clean document is handed to libcyaml to fill
 * the C structures. What the walk rejects:
 *   - unknown keys (at the key), listing the keys the mapping accepts;
 *   - duplicate keys in one mapping (at the second one);
 *   - missing required keys (no CYAML_FLAG_OPTIONAL; at the mapping);
 *   - wrong types: a mapping or sequence where a scalar belongs and the
 *     reverse, a non-integer for CYAML_INT / CYAML_UINT (decimal, 0x hex or
 *     0-prefixed octal, as libcyaml reads them), an integer that does not
 *     fit the C field, a boolean other than true/false, yes/no, on/off,
 *     enable/disable, 1/0 (any case), a CYAML_ENUM or CYAML_FLAGS word not
 *     in the list (listing the allowed ones; enums are always strict, the
 *     numeric fallback of non-strict libcyaml enums is not offered), a
 *     string shorter or longer than the schema allows or holding a NUL,
 *     a sequence with too few or too many entries;
 *   - values outside the cfg_range limits (at the value);
 *   - YAML syntax errors (at libyaml's problem mark) and a stream with more
 *     than one document.
 * An empty document (empty file, only comments, a lone "---" or "~") is an
 * empty top-level mapping: its missing required keys are reported at 1:1.
 *
 * Anchors and aliases are accepted: libyaml resolves an alias to the node
 * of its anchor, so a value reached through an alias is checked like any
 * other and an error in it is reported at the anchored text. The walk
 * visits at most 100000 nodes, which stops alias bombs. YAML merge keys
 * ("<<") are not part of libyaml's model and are rejected as unknown keys.
 *
 * Thread safety: no global state; functions may run concurrently on
 * different objects. A struct cfg_doc is read-only after the load and may
 * be read from several threads at once.
 */
#ifndef SIPEDGE_CONFIG_H
#define SIPEDGE_CONFIG_H

#include <stddef.h>

#include "platform/config/config_types.h"

/**
 * Load, check and convert a YAML config file.
 *
 * @param path    file to read (at most CFG_FILE_MAX bytes); also the name
 *                used in messages.
 * @param schema  the document's schema and range tables; borrowed, must
 *                outlive *out and *doc (normally static const).
 * @param out     on success, the loaded top-level structure, allocated by
 *                libcyaml; owned by the caller, freed with cfg_free().
 *                Untouched on failure.
 * @param doc     optional (may be NULL): on success, the parsed document
 *                for the module's own checks; owned by the caller, freed
 *                with cfg_doc_free(). Untouched on failure.
 * @param err     optional (may be NULL): on failure, file, line, column
 *                and message. Cleared on success.
 * @return 0 on success, or a negative errno:
 *         -ENOENT, -EACCES, ... (from open/read) the file cannot be read;
 *         -EFBIG the file is larger than CFG_FILE_MAX;
 *         -EINVAL the document, the schema or a range table is invalid;
 *         -ENOMEM out of memory.
 */
int cfg_load_file(const char *path, const struct cfg_schema *schema, void **out,
	struct cfg_doc **doc, struct cfg_err *err);

/**
 * Load, check and convert YAML text held in memory (the embedded default
 * config, tests). Same as cfg_load_file() otherwise.
 *
 * @param name    what messages call the text instead of a file name
 *                (e.g. "<embedded>"); copied. NULL means "<string>".
 * @param yaml    the text; need not be NUL-terminated; borrowed for the
 *                duration of the call only.
 * @param len     length of yaml in bytes.
 * @param schema, out, doc, err  as for cfg_load_file().
 * @return 0, -EINVAL or -ENOMEM as for cfg_load_file().
 */
int cfg_load_string(const char *name, const char *yaml, size_t len,
	const struct cfg_schema *schema, void **out, struct cfg_doc **doc,
	struct cfg_err *err);

/**
 * Free what a successful load stored in *out.
 *
 * @param schema  the schema it was loaded with.
 * @param data    the loaded structure; NULL is a no-op.
 */
void cfg_free(const struct cfg_schema *schema, void *data);

/**
 * Free a document returned by a load.
 *
 * @param doc  the document; NULL is a no-op.
 */
void cfg_doc_free(struct cfg_doc *doc);

/**
 * Where a key path is in the document, for a module's own checks.
 *
 * A path is the dotted key path with sequence indexes, as messages print
 * it: "" (the document), "presence.min_expires",
 * "domains.permitted[2].name". Keys match exactly, else ignoring ASCII
 * case. A key holding a scalar gives the position of the value, one holding
 * a mapping or sequence the position of the key; an index gives the
 * position of the element.
 *
 * @param doc   the document.
 * @param path  the key path.
 * @param line  out: 1-based line. Untouched on error.
 * @param col   out: 1-based column. Untouched on error.
 * @return 0; -ENOENT when the path is not in the document (an absent
 *         optional key); -EINVAL when path is malformed.
 */
int cfg_doc_line(const struct cfg_doc *doc, const char *path, unsigned *line,
	unsigned *col);

/**
 * Fill an error the way the loader does, for a module's own checks:
 * err->file is the document's name, line and column those of path (of
 * the nearest enclosing key present when path itself is absent, e.g. for
 * a default value), and err->msg "PATH: " followed by the formatted text.
 *
 * @param err   filled in; must not be NULL.
 * @param doc   the document; NULL leaves file empty and line 0.
 * @param path  key path as for cfg_doc_line(); NULL or "" for no prefix
 *              and the document's own position.
 * @param fmt   printf format of the message, then its arguments.
 */
void cfg_errorf(struct cfg_err *err, const struct cfg_doc *doc,
	const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/**
 * Format an error as "FILE:LINE:COL: message" ("FILE: message" when it has
 * no position, "message" when it has no file either).
 *
 * @param err   the error.
 * @param buf   where to write; always NUL-terminated when size > 0.
 * @param size  size of buf in bytes.
 * @return 0, or -ENOSPC when the text was truncated.
 */
int cfg_err_format(const struct cfg_err *err, char *buf, size_t size);

#endif
