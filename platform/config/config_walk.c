/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config: the walk of a libyaml document alongside a libcyaml schema.
 *
 * libcyaml 1.3 reports a bad key or value with the line of the enclosing
 * mapping and only through its log, and is lax in places (it reads "12abc"
 * as 12, and any word but a false one as true). The walk therefore accepts
 * no more than libcyaml does, reports what it rejects at the node's own
 * mark, and only a clean document goes on to libcyaml.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "platform/config/config_priv.h"

/** Longest excerpt of a scalar quoted in a message. */
#define CFG_EXCERPT_MAX 40

struct cfg_walk {
	const struct cfg_schema *schema;
	const yaml_document_t *ydoc;
	struct cfg_err *err;	  /**< NULL in the defaults walk */
	const char *name;	  /**< file name for messages */
	char disp[CFG_PATH_MAX];  /**< "peers[1].depth", for messages */
	char canon[CFG_PATH_MAX]; /**< "peers[].depth", for range tables */
	size_t dlen;		  /**< strlen(disp) */
	size_t clen;		  /**< strlen(canon) */
	unsigned visits;	  /**< nodes walked so far */
	unsigned depth;		  /**< current nesting */
};

/** Path lengths to restore when leaving a key or an element. */
struct cfg_path_save {
	size_t dlen;
	size_t clen;
};

/** A growing message; output past its end is dropped. */
struct cfg_buf {
	char *p;
	size_t size;
	size_t len;
};

/* The position of an empty document: its missing keys are at 1:1. */
static const yaml_mark_t cfg_mark_start;

static void cfg_buf_add(struct cfg_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
cfg_buf_add(struct cfg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		b->p[b->len] = '\0';
	else if ((size_t)n >= b->size - b->len)
		b->len = b->size - 1;
	else
		b->len += (size_t)n;
}

static size_t
cfg_path_add(char *path, size_t len, const char *sep, const char *part)
{
	struct cfg_buf b = {path, CFG_PATH_MAX, len};

	cfg_buf_add(&b, "%s%s", len > 0 ? sep : "", part);
	return b.len;
}

static struct cfg_path_save
cfg_path_push_key(struct cfg_walk *w, const char *key)
{
	struct cfg_path_save s = {w->dlen, w->clen};

	w->dlen = cfg_path_add(w->disp, w->dlen, ".", key);
	w->clen = cfg_path_add(w->canon, w->clen, ".", key);
	return s;
}

static struct cfg_path_save
cfg_path_push_idx(struct cfg_walk *w, size_t idx)
{
	struct cfg_path_save s = {w->dlen, w->clen};
	char part[32];

	snprintf(part, sizeof(part), "[%zu]", idx);
	w->dlen = cfg_path_add(w->disp, w->dlen, "", part);
	w->clen = cfg_path_add(w->canon, w->clen, "", "[]");
	return s;
}

static void
cfg_path_pop(struct cfg_walk *w, struct cfg_path_save s)
{
	w->dlen = s.dlen;
	w->disp[s.dlen] = '\0';
	w->clen = s.clen;
	w->canon[s.clen] = '\0';
}

/** The current path for messages. */
static const char *
cfg_walk_where(const struct cfg_walk *w)
{
	return w->dlen > 0 ? w->disp : "top level";
}

static int cfg_walk_fail(struct cfg_walk *w, const yaml_mark_t *mark,
	const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
cfg_walk_fail(struct cfg_walk *w, const yaml_mark_t *mark, const char *fmt, ...)
{
	char msg[CFG_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cfg_err_set(w->err, w->name, mark, "%s", msg);
	return -EINVAL;
}

/* A schema the walk cannot vouch for would let libcyaml misbehave (write
 * past a field, loop): refuse it at the node that needed it. */
static int
cfg_walk_schema_fail(struct cfg_walk *w, const yaml_node_t *n, const char *what)
{
	return cfg_walk_fail(w, n != NULL ? &n->start_mark : &cfg_mark_start,
		"%s: schema error: %s", cfg_walk_where(w), what);
}

static const char *
cfg_scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/** Quoted, shortened, control characters masked: safe in one line. */
static const char *
cfg_excerpt(const char *s, size_t len, char *buf, size_t size)
{
	struct cfg_buf b = {buf, size, 0};
	size_t i;

	cfg_buf_add(&b, "'");
	for (i = 0; i < len && i < CFG_EXCERPT_MAX; i++) {
		unsigned char c = (unsigned char)s[i];

		cfg_buf_add(&b, "%c", (c < 0x20 || c == 0x7f) ? '?' : c);
	}
	cfg_buf_add(&b, "%s'", i < len ? "..." : "");
	return buf;
}

/** "a mapping", "an empty value", "'text'". */
static const char *
cfg_node_desc(const yaml_node_t *n, char *buf, size_t size)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_SCALAR_NODE:
		if (n->data.scalar.length == 0)
			return "an empty value";
		return cfg_excerpt(
			cfg_scalar(n), n->data.scalar.length, buf, size);
	default:
		return "nothing";
	}
}

static int
cfg_walk_want(struct cfg_walk *w, const yaml_node_t *n, yaml_node_type_t t,
	const char *what)
{
	char desc[CFG_EXCERPT_MAX + 8];

	if (n->type == t)
		return 0;
	return cfg_walk_fail(w, &n->start_mark, "%s: expected %s, got %s",
		cfg_walk_where(w), what, cfg_node_desc(n, desc, sizeof(desc)));
}

/* Mirrors libcyaml's own test of a NULL value for pointer fields. */
static bool
cfg_scalar_is_null(const cyaml_schema_value_t *sv, const yaml_node_t *n)
{
	const unsigned ptr_null = CYAML_FLAG_POINTER_NULL;
	const unsigned ptr_null_str = CYAML_FLAG_POINTER_NULL_STR;
	const unsigned flags = sv->flags;
	const char *s;

	if (n->type != YAML_SCALAR_NODE)
		return false;
	s = cfg_scalar(n);
	if ((flags & ptr_null) == ptr_null && s[0] == '\0')
		return true;
	if ((flags & ptr_null_str) != ptr_null_str)
		return false;
	return strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	       strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* libcyaml reads integers with strtoll/strtoull, base 0, and ignores what
 * follows the digits; take the same numbers but the whole text only. */
static int
cfg_parse_i64(const char *s, int64_t *v)
{
	const char *d = s + (s[0] == '-' || s[0] == '+');
	char *end;
	long long x;

	if (*d < '0' || *d > '9')
		return -EINVAL;
	errno = 0;
	x = strtoll(s, &end, 0);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*v = x;
	return 0;
}

static int
cfg_parse_u64(const char *s, uint64_t *v)
{
	const char *d = s + (s[0] == '+');
	char *end;
	unsigned long long x;

	if (*d < '0' || *d > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	*v = x;
	return 0;
}

static int
cfg_int_limits(uint32_t size, int64_t *lo, int64_t *hi)
{
	if (size == 0 || size > sizeof(int64_t))
		return -EINVAL;
	*hi = size == sizeof(int64_t)
		      ? INT64_MAX
		      : (int64_t)((UINT64_C(1) << (size * 8 - 1)) - 1);
	*lo = -*hi - 1;
	return 0;
}

static int
cfg_uint_limit(uint32_t size, uint64_t *hi)
{
	if (size == 0 || size > sizeof(uint64_t))
		return -EINVAL;
	*hi = size == sizeof(uint64_t) ? UINT64_MAX
				       : (UINT64_C(1) << (size * 8)) - 1;
	return 0;
}

/** The default declared for the key at canon, or NULL. */
static const struct cfg_range *
cfg_default_find(const struct cfg_schema *s, const char *canon)
{
	const struct cfg_range *const *t;
	const struct cfg_range *r;

	for (t = s->ranges; t != NULL && *t != NULL; t++)
		for (r = *t; r->path != NULL; r++)
			if ((r->flags & CFG_RANGE_F_DEFAULT) &&
				strcmp(r->path, canon) == 0)
				return r;
	return NULL;
}

/* Every table may hold limits for the same key; all of them apply. big:
 * an unsigned value above INT64_MAX, beyond any limit. */
static int
cfg_walk_limits(struct cfg_walk *w, const yaml_node_t *n, bool big, int64_t v)
{
	const struct cfg_range *const *t;
	const struct cfg_range *r;

	for (t = w->schema->ranges; t != NULL && *t != NULL; t++) {
		for (r = *t; r->path != NULL; r++) {
			if (!(r->flags & CFG_RANGE_F_LIMITS) ||
				strcmp(r->path, w->canon) != 0)
				continue;
			if (big || v < r->min || v > r->max)
				return cfg_walk_fail(w, &n->start_mark,
					"%s: %s is out of range [%" PRId64
					", %" PRId64 "]",
					cfg_walk_where(w), cfg_scalar(n),
					r->min, r->max);
		}
	}
	return 0;
}

static int
cfg_walk_int(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n)
{
	char desc[CFG_EXCERPT_MAX + 8];
	int64_t lo, hi, v = 0;
	int rc;

	if (cfg_int_limits(sv->data_size, &lo, &hi) < 0)
		return cfg_walk_schema_fail(w, n, "integer size not 1 to 8");
	rc = cfg_walk_want(w, n, YAML_SCALAR_NODE, "an integer");
	if (rc < 0)
		return rc;
	rc = cfg_parse_i64(cfg_scalar(n), &v);
	if (rc == -EINVAL)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: expected an integer, got %s", cfg_walk_where(w),
			cfg_node_desc(n, desc, sizeof(desc)));
	if (rc == -ERANGE || v < lo || v > hi)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: %s is out of range [%" PRId64 ", %" PRId64 "]",
			cfg_walk_where(w), cfg_scalar(n), lo, hi);
	return cfg_walk_limits(w, n, false, v);
}

static int
cfg_walk_uint(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n)
{
	char desc[CFG_EXCERPT_MAX + 8];
	uint64_t hi, v = 0;
	int64_t neg;
	int rc;

	if (cfg_uint_limit(sv->data_size, &hi) < 0)
		return cfg_walk_schema_fail(w, n, "integer size not 1 to 8");
	rc = cfg_walk_want(w, n, YAML_SCALAR_NODE, "an unsigned integer");
	if (rc < 0)
		return rc;
	rc = cfg_parse_u64(cfg_scalar(n), &v);
	if (rc == -EINVAL && cfg_parse_i64(cfg_scalar(n), &neg) != -EINVAL)
		rc = -ERANGE; /* a negative number */
	if (rc == -EINVAL)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: expected an unsigned integer, got %s",
			cfg_walk_where(w),
			cfg_node_desc(n, desc, sizeof(desc)));
	if (rc == -ERANGE || v > hi)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: %s is out of range [0, %" PRIu64 "]",
			cfg_walk_where(w), cfg_scalar(n), hi);
	return cfg_walk_limits(
		w, n, v > INT64_MAX, v > INT64_MAX ? 0 : (int64_t)v);
}

/* libcyaml takes these as false and anything else as true; a typo must
 * not turn a feature on, so only these and their true twins pass. */
static const char *const cfg_bool_words[] = {
	"true",
	"false",
	"yes",
	"no",
	"on",
	"off",
	"enable",
	"disable",
	"1",
	"0",
};

static int
cfg_walk_bool(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n)
{
	char desc[CFG_EXCERPT_MAX + 8];
	size_t i;
	int rc;

	if (sv->data_size == 0 || sv->data_size > sizeof(uint64_t))
		return cfg_walk_schema_fail(w, n, "boolean size not 1 to 8");
	rc = cfg_walk_want(w, n, YAML_SCALAR_NODE, "a boolean");
	if (rc < 0)
		return rc;
	for (i = 0; i < sizeof(cfg_bool_words) / sizeof(cfg_bool_words[0]); i++)
		if (strcasecmp(cfg_scalar(n), cfg_bool_words[i]) == 0)
			return 0;
	return cfg_walk_fail(w, &n->start_mark,
		"%s: expected a boolean (true/false, yes/no, on/off, "
		"enable/disable, 1/0), got %s",
		cfg_walk_where(w), cfg_node_desc(n, desc, sizeof(desc)));
}

static bool
cfg_value_is_folded(const cyaml_schema_value_t *sv)
{
	return (sv->flags & CYAML_FLAG_CASE_INSENSITIVE) != 0;
}

static void
cfg_list_strvals(struct cfg_buf *b, const cyaml_schema_value_t *sv)
{
	uint32_t i;

	for (i = 0; i < sv->enumeration.count; i++)
		cfg_buf_add(b, "%s%s", i > 0 ? ", " : "",
			sv->enumeration.strings[i].str);
}

static bool
cfg_strval_has(const cyaml_schema_value_t *sv, const char *s)
{
	uint32_t i;

	for (i = 0; i < sv->enumeration.count; i++)
		if (cfg_key_is_eq(s, sv->enumeration.strings[i].str,
			    cfg_value_is_folded(sv)))
			return true;
	return false;
}

/* Enums are strict whatever the schema flags say: libcyaml's numeric
 * fallback would let "3" select a value nobody can read in the config. */
static int
cfg_walk_enum(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n)
{
	char desc[CFG_EXCERPT_MAX + 8];
	char list[CFG_ERR_MSG_MAX];
	struct cfg_buf b = {list, sizeof(list), 0};

	if (sv->enumeration.strings == NULL)
		return cfg_walk_schema_fail(w, n, "enum without strings");
	list[0] = '\0';
	cfg_list_strvals(&b, sv);
	if (n->type != YAML_SCALAR_NODE)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: expected one of: %s; got %s", cfg_walk_where(w),
			list, cfg_node_desc(n, desc, sizeof(desc)));
	if (cfg_strval_has(sv, cfg_scalar(n)))
		return 0;
	return cfg_walk_fail(w, &n->start_mark,
		"%s: unknown value %s; expected one of: %s", cfg_walk_where(w),
		cfg_node_desc(n, desc, sizeof(desc)), list);
}

static int
cfg_walk_flags(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n)
{
	char desc[CFG_EXCERPT_MAX + 8];
	char list[CFG_ERR_MSG_MAX];
	struct cfg_buf b = {list, sizeof(list), 0};
	const yaml_node_item_t *it;
	int rc = 0;

	if (sv->enumeration.strings == NULL)
		return cfg_walk_schema_fail(w, n, "flags without strings");
	rc = cfg_walk_want(w, n, YAML_SEQUENCE_NODE, "a sequence of flags");
	if (rc < 0)
		return rc;
	list[0] = '\0';
	cfg_list_strvals(&b, sv);
	for (it = n->data.sequence.items.start;
		rc == 0 && it < n->data.sequence.items.top; it++) {
		const yaml_node_t *e = cfg_yaml_node(w->ydoc, *it);
		struct cfg_path_save s = cfg_path_push_idx(
			w, (size_t)(it - n->data.sequence.items.start));

		if (e == NULL || e->type != YAML_SCALAR_NODE ||
			!cfg_strval_has(sv, cfg_scalar(e)))
			rc = cfg_walk_fail(w,
				e != NULL ? &e->start_mark : &n->start_mark,
				"%s: unknown flag %s; expected any of: %s",
				cfg_walk_where(w),
				e != NULL ? cfg_node_desc(e, desc, sizeof(desc))
					  : "nothing",
				list);
		cfg_path_pop(w, s);
	}
	return rc;
}

static int
cfg_walk_float(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n)
{
	char desc[CFG_EXCERPT_MAX + 8];
	const char *s;
	char *end;
	int rc;

	if (sv->data_size != sizeof(float) && sv->data_size != sizeof(double))
		return cfg_walk_schema_fail(w, n,
			"float neither float nor "
			"double");
	rc = cfg_walk_want(w, n, YAML_SCALAR_NODE, "a number");
	if (rc < 0)
		return rc;
	s = cfg_scalar(n);
	errno = 0;
	if (sv->data_size == sizeof(float))
		(void)strtof(s, &end);
	else
		(void)strtod(s, &end);
	if (end == s || *end != '\0' || s[0] == ' ' || s[0] == '\t')
		return cfg_walk_fail(w, &n->start_mark,
			"%s: expected a number, got %s", cfg_walk_where(w),
			cfg_node_desc(n, desc, sizeof(desc)));
	if (errno == ERANGE && (sv->flags & CYAML_FLAG_STRICT))
		return cfg_walk_fail(w, &n->start_mark,
			"%s: %s is out of range", cfg_walk_where(w),
			cfg_node_desc(n, desc, sizeof(desc)));
	return 0;
}

static int
cfg_walk_string(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n)
{
	size_t len;
	int rc;

	if (sv->string.min > sv->string.max)
		return cfg_walk_schema_fail(w, n, "string min above max");
	/* libcyaml copies max + 1 bytes into an array field. */
	if (!(sv->flags & CYAML_FLAG_POINTER) &&
		sv->string.max >= sv->data_size)
		return cfg_walk_schema_fail(w, n, "string max does not fit");
	rc = cfg_walk_want(w, n, YAML_SCALAR_NODE, "a string");
	if (rc < 0)
		return rc;
	len = n->data.scalar.length;
	if (strlen(cfg_scalar(n)) != len)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: a NUL character is not allowed",
			cfg_walk_where(w));
	if (len < sv->string.min && len == 0)
		return cfg_walk_fail(w, &n->start_mark, "%s: must not be empty",
			cfg_walk_where(w));
	if (len < sv->string.min)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: %zu bytes long, at least %" PRIu32 " required",
			cfg_walk_where(w), len, sv->string.min);
	if (len > sv->string.max)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: %zu bytes long, at most %" PRIu32 " allowed",
			cfg_walk_where(w), len, sv->string.max);
	return 0;
}

static int cfg_walk_value(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n);

static const cyaml_schema_field_t *
cfg_field_find(const cyaml_schema_value_t *sv, const char *key)
{
	const cyaml_schema_field_t *f;

	for (f = sv->mapping.fields; f->key != NULL; f++)
		if (cfg_key_is_eq(key, f->key, cfg_value_is_folded(sv)))
			return f;
	return NULL;
}

/* The key and value nodes of pair pr; false when either is missing. */
static bool
cfg_pair_nodes(const struct cfg_walk *w, const yaml_node_pair_t *pr,
	const yaml_node_t **k, const yaml_node_t **v)
{
	*k = cfg_yaml_node(w->ydoc, pr->key);
	*v = cfg_yaml_node(w->ydoc, pr->value);
	return *k != NULL && *v != NULL;
}

/** The key of pair pr as a string, or NULL when it is not a scalar. */
static const char *
cfg_pair_key(const struct cfg_walk *w, const yaml_node_pair_t *pr)
{
	const yaml_node_t *k = cfg_yaml_node(w->ydoc, pr->key);

	if (k == NULL || k->type != YAML_SCALAR_NODE)
		return NULL;
	return cfg_scalar(k);
}

static int
cfg_walk_unknown_key(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *k)
{
	char msg[CFG_ERR_MSG_MAX];
	char key[CFG_EXCERPT_MAX + 8];
	struct cfg_buf b = {msg, sizeof(msg), 0};
	const cyaml_schema_field_t *f;

	cfg_excerpt(cfg_scalar(k), k->data.scalar.length, key, sizeof(key));
	if (w->dlen > 0)
		cfg_buf_add(&b, "unknown key %s in '%s'", key, w->disp);
	else
		cfg_buf_add(&b, "unknown key %s at top level", key);
	if (strcmp(cfg_scalar(k), "<<") == 0)
		cfg_buf_add(&b, " (YAML merge keys are not supported)");
	if (sv->mapping.fields[0].key == NULL) {
		cfg_buf_add(&b, "; it takes no keys");
	} else {
		cfg_buf_add(&b, "; expected one of: ");
		for (f = sv->mapping.fields; f->key != NULL; f++)
			cfg_buf_add(&b, "%s%s",
				f == sv->mapping.fields ? "" : ", ", f->key);
	}
	return cfg_walk_fail(w, &k->start_mark, "%s", msg);
}

/*
 * Checks of one pair common to mappings and bit fields: a string key,
 * known (find returns its index, or < 0), not seen before in the mapping.
 */
static int
cfg_walk_pair_key(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n, const yaml_node_pair_t *pr,
	int (*find)(const cyaml_schema_value_t *, const char *))
{
	char desc[CFG_EXCERPT_MAX + 8];
	const yaml_node_pair_t *prev;
	const yaml_node_t *k, *v;
	int idx;

	if (!cfg_pair_nodes(w, pr, &k, &v))
		return cfg_walk_fail(w, &n->start_mark, "%s: malformed mapping",
			cfg_walk_where(w));
	if (k->type != YAML_SCALAR_NODE)
		return cfg_walk_fail(w, &k->start_mark,
			"%s: keys must be strings, got %s", cfg_walk_where(w),
			cfg_node_desc(k, desc, sizeof(desc)));
	idx = find(sv, cfg_scalar(k));
	if (idx < 0)
		return -ENOENT;
	for (prev = n->data.mapping.pairs.start; prev < pr; prev++) {
		const char *pk = cfg_pair_key(w, prev);
		const yaml_node_t *pkn;

		if (pk == NULL || find(sv, pk) != idx)
			continue;
		pkn = cfg_yaml_node(w->ydoc, prev->key);
		cfg_excerpt(cfg_scalar(k), k->data.scalar.length, desc,
			sizeof(desc));
		if (w->dlen > 0)
			return cfg_walk_fail(w, &k->start_mark,
				"duplicate key %s in '%s' (first at line %zu)",
				desc, w->disp, pkn->start_mark.line + 1);
		return cfg_walk_fail(w, &k->start_mark,
			"duplicate key %s at top level (first at line %zu)",
			desc, pkn->start_mark.line + 1);
	}
	return idx;
}

static int
cfg_field_idx(const cyaml_schema_value_t *sv, const char *key)
{
	const cyaml_schema_field_t *f = cfg_field_find(sv, key);

	return f != NULL ? (int)(f - sv->mapping.fields) : -1;
}

static bool
cfg_mapping_has(const struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n, const cyaml_schema_field_t *f)
{
	const yaml_node_pair_t *pr;

	if (n == NULL)
		return false;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
		pr++) {
		const char *k = cfg_pair_key(w, pr);

		if (k != NULL && cfg_field_find(sv, k) == f)
			return true;
	}
	return false;
}

/* n is NULL for an empty document: a mapping with no pairs. */
static int
cfg_walk_mapping(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n)
{
	const yaml_mark_t *mark = n != NULL ? &n->start_mark : &cfg_mark_start;
	const cyaml_schema_field_t *f;
	const yaml_node_pair_t *pr;
	int rc;

	if (sv->mapping.fields == NULL)
		return cfg_walk_schema_fail(w, n, "mapping without fields");
	if (n != NULL) {
		rc = cfg_walk_want(w, n, YAML_MAPPING_NODE, "a mapping");
		if (rc < 0)
			return rc;
		for (pr = n->data.mapping.pairs.start;
			pr < n->data.mapping.pairs.top; pr++) {
			const yaml_node_t *k, *v;
			struct cfg_path_save s;
			int idx;

			idx = cfg_walk_pair_key(w, sv, n, pr, cfg_field_idx);
			(void)cfg_pair_nodes(w, pr, &k, &v);
			if (idx == -ENOENT)
				return cfg_walk_unknown_key(w, sv, k);
			if (idx < 0)
				return idx;
			f = &sv->mapping.fields[idx];
			s = cfg_path_push_key(w, f->key);
			rc = cfg_walk_value(w, &f->value, v);
			cfg_path_pop(w, s);
			if (rc < 0)
				return rc;
		}
	}
	for (f = sv->mapping.fields; f->key != NULL; f++) {
		if ((f->value.flags & CYAML_FLAG_OPTIONAL) ||
			cfg_mapping_has(w, sv, n, f))
			continue;
		if (w->dlen > 0)
			return cfg_walk_fail(w, mark,
				"missing required key '%s' in '%s'", f->key,
				w->disp);
		return cfg_walk_fail(w, mark,
			"missing required key '%s' at top level", f->key);
	}
	return 0;
}

static int
cfg_bitdef_idx(const cyaml_schema_value_t *sv, const char *key)
{
	uint32_t i;

	for (i = 0; i < sv->bitfield.count; i++)
		if (cfg_key_is_eq(key, sv->bitfield.bitdefs[i].name,
			    cfg_value_is_folded(sv)))
			return (int)i;
	return -1;
}

static int
cfg_walk_bitfield(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n)
{
	char msg[CFG_ERR_MSG_MAX];
	char desc[CFG_EXCERPT_MAX + 8];
	struct cfg_buf b = {msg, sizeof(msg), 0};
	const yaml_node_pair_t *pr;
	uint32_t i;
	int rc;

	if (sv->bitfield.bitdefs == NULL)
		return cfg_walk_schema_fail(w, n, "bitfield without bits");
	for (i = 0; i < sv->bitfield.count; i++) {
		const cyaml_bitdef_t *d = &sv->bitfield.bitdefs[i];

		if (d->bits == 0 || d->bits > 64 ||
			(uint32_t)d->offset + d->bits > sv->data_size * 8)
			return cfg_walk_schema_fail(w, n, "bit out of field");
	}
	rc = cfg_walk_want(w, n, YAML_MAPPING_NODE, "a mapping");
	if (rc < 0)
		return rc;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
		pr++) {
		const cyaml_bitdef_t *d;
		const yaml_node_t *k, *v;
		struct cfg_path_save s;
		uint64_t x = 0;
		int idx;

		idx = cfg_walk_pair_key(w, sv, n, pr, cfg_bitdef_idx);
		(void)cfg_pair_nodes(w, pr, &k, &v);
		if (idx == -ENOENT) {
			b.len = 0;
			cfg_buf_add(&b,
				"unknown key %s in '%s'; expected one "
				"of: ",
				cfg_excerpt(cfg_scalar(k),
					k->data.scalar.length, desc,
					sizeof(desc)),
				cfg_walk_where(w));
			for (i = 0; i < sv->bitfield.count; i++)
				cfg_buf_add(&b, "%s%s", i > 0 ? ", " : "",
					sv->bitfield.bitdefs[i].name);
			return cfg_walk_fail(w, &k->start_mark, "%s", msg);
		}
		if (idx < 0)
			return idx;
		d = &sv->bitfield.bitdefs[idx];
		s = cfg_path_push_key(w, d->name);
		rc = cfg_walk_want(
			w, v, YAML_SCALAR_NODE, "an unsigned integer");
		if (rc == 0 && cfg_parse_u64(cfg_scalar(v), &x) < 0)
			rc = cfg_walk_fail(w, &v->start_mark,
				"%s: expected an unsigned integer, got %s",
				cfg_walk_where(w),
				cfg_node_desc(v, desc, sizeof(desc)));
		if (rc == 0 && d->bits < 64 && x >> d->bits != 0)
			rc = cfg_walk_fail(w, &v->start_mark,
				"%s: %s does not fit in %u bits",
				cfg_walk_where(w), cfg_scalar(v),
				(unsigned)d->bits);
		cfg_path_pop(w, s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
cfg_walk_sequence(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n)
{
	const yaml_node_item_t *items, *it;
	size_t count;
	int rc;

	if (sv->sequence.entry == NULL)
		return cfg_walk_schema_fail(w, n, "sequence without entry");
	if (sv->type == CYAML_SEQUENCE_FIXED &&
		sv->sequence.min != sv->sequence.max)
		return cfg_walk_schema_fail(w, n, "fixed sequence min != max");
	rc = cfg_walk_want(w, n, YAML_SEQUENCE_NODE, "a sequence");
	if (rc < 0)
		return rc;
	items = n->data.sequence.items.start;
	count = (size_t)(n->data.sequence.items.top - items);
	if (sv->type == CYAML_SEQUENCE_FIXED && count != sv->sequence.min)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: %zu entries, exactly %" PRIu32 " required",
			cfg_walk_where(w), count, sv->sequence.min);
	if (count < sv->sequence.min)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: %zu entries, at least %" PRIu32 " required",
			cfg_walk_where(w), count, sv->sequence.min);
	if (count > sv->sequence.max) {
		/* Point at the first entry too many. */
		const yaml_node_t *x =
			cfg_yaml_node(w->ydoc, items[sv->sequence.max]);

		return cfg_walk_fail(w,
			x != NULL ? &x->start_mark : &n->start_mark,
			"%s: %zu entries, at most %" PRIu32 " allowed",
			cfg_walk_where(w), count, sv->sequence.max);
	}
	for (it = items; it < n->data.sequence.items.top; it++) {
		const yaml_node_t *e = cfg_yaml_node(w->ydoc, *it);
		struct cfg_path_save s;

		if (e == NULL)
			return cfg_walk_fail(w, &n->start_mark,
				"%s: malformed sequence", cfg_walk_where(w));
		s = cfg_path_push_idx(w, (size_t)(it - items));
		rc = cfg_walk_value(w, sv->sequence.entry, e);
		cfg_path_pop(w, s);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int
cfg_walk_value(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n)
{
	int rc;

	/* Aliases can make a small text a huge tree: bound the work. */
	if (++w->visits > CFG_WALK_MAX_VISITS)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: document too large (more than %u nodes once "
			"aliases are expanded)",
			cfg_walk_where(w), CFG_WALK_MAX_VISITS);
	if (cfg_scalar_is_null(sv, n))
		return 0;
	switch (sv->type) {
	case CYAML_INT:
		return cfg_walk_int(w, sv, n);
	case CYAML_UINT:
		return cfg_walk_uint(w, sv, n);
	case CYAML_BOOL:
		return cfg_walk_bool(w, sv, n);
	case CYAML_ENUM:
		return cfg_walk_enum(w, sv, n);
	case CYAML_FLAGS:
		return cfg_walk_flags(w, sv, n);
	case CYAML_FLOAT:
		return cfg_walk_float(w, sv, n);
	case CYAML_STRING:
		return cfg_walk_string(w, sv, n);
	case CYAML_IGNORE:
		return 0;
	case CYAML_MAPPING:
	case CYAML_BITFIELD:
	case CYAML_SEQUENCE:
	case CYAML_SEQUENCE_FIXED:
		break;
	default:
		return cfg_walk_schema_fail(w, n, "unknown cyaml type");
	}
	if (w->depth >= CFG_WALK_MAX_DEPTH)
		return cfg_walk_fail(w, &n->start_mark,
			"%s: nested deeper than %u levels", cfg_walk_where(w),
			CFG_WALK_MAX_DEPTH);
	w->depth++;
	if (sv->type == CYAML_MAPPING)
		rc = cfg_walk_mapping(w, sv, n);
	else if (sv->type == CYAML_BITFIELD)
		rc = cfg_walk_bitfield(w, sv, n);
	else
		rc = cfg_walk_sequence(w, sv, n);
	w->depth--;
	return rc;
}

int
cfg_walk_check(const struct cfg_schema *schema, const yaml_document_t *ydoc,
	const char *name, struct cfg_err *err)
{
	struct cfg_walk w = {
		.schema = schema,
		.ydoc = ydoc,
		.err = err,
		.name = name,
		.visits = 1,
	};

	return cfg_walk_mapping(&w, schema->top, cfg_yaml_root(ydoc));
}

/* Host-order store of v in a field of size bytes (1, 2, 4 or 8: checked
 * by cfg_ranges_check). */
static void
cfg_data_write(uint8_t *p, uint32_t size, int64_t v)
{
	int8_t v8 = (int8_t)v;
	int16_t v16 = (int16_t)v;
	int32_t v32 = (int32_t)v;

	switch (size) {
	case 1:
		memcpy(p, &v8, 1);
		break;
	case 2:
		memcpy(p, &v16, 2);
		break;
	case 4:
		memcpy(p, &v32, 4);
		break;
	case 8:
		memcpy(p, &v, 8);
		break;
	default:
		break;
	}
}

static bool
cfg_data_read_count(const uint8_t *p, uint8_t size, size_t *out)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (size) {
	case 1:
		memcpy(&v8, p, 1);
		*out = v8;
		return true;
	case 2:
		memcpy(&v16, p, 2);
		*out = v16;
		return true;
	case 4:
		memcpy(&v32, p, 4);
		*out = v32;
		return true;
	case 8:
		memcpy(&v64, p, 8);
		*out = (size_t)v64;
		return true;
	default:
		return false;
	}
}

static uint8_t *
cfg_data_deref(uint8_t *p, const cyaml_schema_value_t *sv)
{
	uint8_t *q;

	if (!(sv->flags & CYAML_FLAG_POINTER))
		return p;
	memcpy(&q, p, sizeof(q));
	return q;
}

/** Value node of field f in mapping node n, or NULL when absent. */
static const yaml_node_t *
cfg_mapping_value(const struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n, const cyaml_schema_field_t *f)
{
	const yaml_node_pair_t *pr;

	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
		pr++) {
		const char *k = cfg_pair_key(w, pr);

		if (k != NULL && cfg_field_find(sv, k) == f)
			return cfg_yaml_node(w->ydoc, pr->value);
	}
	return NULL;
}

static void cfg_defaults_mapping(struct cfg_walk *w,
	const cyaml_schema_value_t *sv, const yaml_node_t *n, uint8_t *data);

static void
cfg_defaults_sequence(struct cfg_walk *w, const cyaml_schema_field_t *f,
	const yaml_node_t *vn, uint8_t *mdata)
{
	const cyaml_schema_value_t *entry = f->value.sequence.entry;
	const yaml_node_item_t *items;
	uint8_t *arr;
	size_t count, stored, i;

	if (vn == NULL || vn->type != YAML_SEQUENCE_NODE ||
		entry->type != CYAML_MAPPING)
		return;
	arr = cfg_data_deref(mdata + f->data_offset, &f->value);
	if (arr == NULL)
		return;
	items = vn->data.sequence.items.start;
	count = (size_t)(vn->data.sequence.items.top - items);
	if (f->value.type == CYAML_SEQUENCE &&
		cfg_data_read_count(
			mdata + f->count_offset, f->count_size, &stored) &&
		stored < count)
		count = stored;
	for (i = 0; i < count; i++) {
		uint8_t *e =
			cfg_data_deref(arr + i * f->value.data_size, entry);
		struct cfg_path_save s;

		if (e == NULL)
			continue;
		s = cfg_path_push_idx(w, i);
		cfg_defaults_mapping(
			w, entry, cfg_yaml_node(w->ydoc, items[i]), e);
		cfg_path_pop(w, s);
	}
}

/* n is NULL when the mapping is absent (an inline struct libcyaml left
 * zeroed) or the document is empty: every default below it applies. */
static void
cfg_defaults_mapping(struct cfg_walk *w, const cyaml_schema_value_t *sv,
	const yaml_node_t *n, uint8_t *data)
{
	const cyaml_schema_field_t *f;

	for (f = sv->mapping.fields; f->key != NULL; f++) {
		const yaml_node_t *vn = cfg_mapping_value(w, sv, n, f);
		struct cfg_path_save s = cfg_path_push_key(w, f->key);
		const struct cfg_range *r;
		uint8_t *m;

		switch (f->value.type) {
		case CYAML_INT:
		case CYAML_UINT:
		case CYAML_BOOL:
		case CYAML_ENUM:
			r = cfg_default_find(w->schema, w->canon);
			if (vn == NULL && r != NULL &&
				!(f->value.flags & CYAML_FLAG_POINTER))
				cfg_data_write(data + f->data_offset,
					f->value.data_size, r->def);
			break;
		case CYAML_MAPPING:
			m = cfg_data_deref(data + f->data_offset, &f->value);
			if (m != NULL)
				cfg_defaults_mapping(w, &f->value, vn, m);
			break;
		case CYAML_SEQUENCE:
		case CYAML_SEQUENCE_FIXED:
			cfg_defaults_sequence(w, f, vn, data);
			break;
		default:
			break;
		}
		cfg_path_pop(w, s);
	}
}

void
cfg_walk_defaults(const struct cfg_schema *schema, const yaml_document_t *ydoc,
	void *data)
{
	struct cfg_walk w = {
		.schema = schema,
		.ydoc = ydoc,
	};

	if (schema->ranges != NULL && data != NULL)
		cfg_defaults_mapping(
			&w, schema->top, cfg_yaml_root(ydoc), data);
}

/* Resolve a range path ("a.b[].c") through the schema; exact key names,
 * as the walk builds canonical paths from the schema's spelling. */
static const cyaml_schema_value_t *
cfg_schema_find(const cyaml_schema_value_t *sv, const char *path)
{
	const cyaml_schema_field_t *f;
	const char *p = path;

	for (;;) {
		size_t n = strcspn(p, ".[");

		if (n == 0 || sv->type != CYAML_MAPPING ||
			sv->mapping.fields == NULL)
			return NULL;
		for (f = sv->mapping.fields; f->key != NULL; f++)
			if (strlen(f->key) == n && memcmp(f->key, p, n) == 0)
				break;
		if (f->key == NULL)
			return NULL;
		sv = &f->value;
		p += n;
		while (p[0] == '[') {
			if (p[1] != ']' ||
				(sv->type != CYAML_SEQUENCE &&
					sv->type != CYAML_SEQUENCE_FIXED) ||
				sv->sequence.entry == NULL)
				return NULL;
			sv = sv->sequence.entry;
			p += 2;
		}
		if (*p == '\0')
			return sv;
		if (*p != '.')
			return NULL;
		p++;
	}
}

static int
cfg_range_check(const struct cfg_schema *schema, const struct cfg_range *r,
	const char *name, struct cfg_err *err)
{
	const cyaml_schema_value_t *sv = cfg_schema_find(schema->top, r->path);
	const char *why = NULL;
	bool is_int;
	int64_t lo = 0, hi = 0;
	uint64_t uhi;
	uint32_t i;

	if (sv == NULL) {
		cfg_err_set(err, name, NULL,
			"range table: '%s' names no key of the schema",
			r->path);
		return -EINVAL;
	}
	is_int = sv->type == CYAML_INT || sv->type == CYAML_UINT;
	if ((r->flags & CFG_RANGE_F_LIMITS) && !is_int)
		why = "limits need an integer key";
	else if ((r->flags & CFG_RANGE_F_LIMITS) && r->min > r->max)
		why = "min is above max";
	if (why != NULL || !(r->flags & CFG_RANGE_F_DEFAULT))
		goto out;
	if (!is_int && sv->type != CYAML_BOOL && sv->type != CYAML_ENUM)
		why = "a default needs an integer, boolean or enum key";
	else if (sv->flags & CYAML_FLAG_POINTER)
		why = "a default needs a non-pointer key";
	else if (!(sv->flags & CYAML_FLAG_OPTIONAL))
		why = "a default needs a key marked CYAML_FLAG_OPTIONAL";
	else if (sv->data_size != 1 && sv->data_size != 2 &&
		 sv->data_size != 4 && sv->data_size != 8)
		why = "a default needs a key of 1, 2, 4 or 8 bytes";
	else if ((r->flags & CFG_RANGE_F_LIMITS) &&
		 (r->def < r->min || r->def > r->max))
		why = "the default is out of its range";
	else if (sv->type == CYAML_INT &&
		 (cfg_int_limits(sv->data_size, &lo, &hi) < 0 || r->def < lo ||
			 r->def > hi))
		why = "the default does not fit the key";
	else if (sv->type == CYAML_UINT &&
		 (cfg_uint_limit(sv->data_size, &uhi) < 0 || r->def < 0 ||
			 (uint64_t)r->def > uhi))
		why = "the default does not fit the key";
	else if (sv->type == CYAML_BOOL && r->def != 0 && r->def != 1)
		why = "a boolean default is 0 or 1";
	if (why != NULL || sv->type != CYAML_ENUM)
		goto out;
	why = "the default is not a value of the enum";
	for (i = 0;
		sv->enumeration.strings != NULL && i < sv->enumeration.count;
		i++)
		if (sv->enumeration.strings[i].val == r->def)
			why = NULL;
out:
	if (why == NULL)
		return 0;
	cfg_err_set(err, name, NULL, "range table: '%s': %s", r->path, why);
	return -EINVAL;
}

int
cfg_ranges_check(
	const struct cfg_schema *schema, const char *name, struct cfg_err *err)
{
	const struct cfg_range *const *t;
	const struct cfg_range *r;
	int rc;

	for (t = schema->ranges; t != NULL && *t != NULL; t++) {
		for (r = *t; r->path != NULL; r++) {
			rc = cfg_range_check(schema, r, name, err);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}
