/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * config: loading (file, text), libyaml parsing, the hand-over to libcyaml,
 * and the document kept for the modules' own checks. The schema walk is in
 * config_walk.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "platform/config/config_priv.h"

/** What libcyaml said through its log while it failed. */
struct cfg_cyaml_log {
	char first[CFG_ERR_MSG_MAX]; /**< its first error line */
	unsigned line;		     /**< innermost backtrace line, 1-based */
	unsigned col;		     /**< and column; 0 when none */
};

const yaml_node_t *
cfg_yaml_node(const yaml_document_t *d, int idx)
{
	if (idx < 1 || d->nodes.start == NULL ||
		idx > d->nodes.top - d->nodes.start)
		return NULL;
	return d->nodes.start + idx - 1;
}

/* An empty text, a lone "---" or a plain null scalar is an empty config:
 * an empty mapping to the walk, "{}" to libcyaml. */
const yaml_node_t *
cfg_yaml_root(const yaml_document_t *d)
{
	const yaml_node_t *n = cfg_yaml_node(d, 1);
	const char *s;

	if (n == NULL || n->type != YAML_SCALAR_NODE ||
		n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return n;
	s = (const char *)n->data.scalar.value;
	if (s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
		strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0)
		return NULL;
	return n;
}

bool
cfg_key_is_eq(const char *key, const char *name, bool fold)
{
	return (fold ? strcasecmp(key, name) : strcmp(key, name)) == 0;
}

static void cfg_err_vset(struct cfg_err *err, const char *file,
	const yaml_mark_t *mark, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

static void
cfg_err_vset(struct cfg_err *err, const char *file, const yaml_mark_t *mark,
	const char *fmt, va_list ap)
{
	snprintf(err->file, sizeof(err->file), "%s", file != NULL ? file : "");
	err->line = mark != NULL ? (unsigned)mark->line + 1 : 0;
	err->col = mark != NULL ? (unsigned)mark->column + 1 : 0;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

void
cfg_err_set(struct cfg_err *err, const char *file, const yaml_mark_t *mark,
	const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_err_vset(err, file, mark, fmt, ap);
	va_end(ap);
}

/* Reader errors carry a byte offset, not a mark: count lines ourselves. */
static yaml_mark_t
cfg_mark_at(const char *text, size_t len, size_t offset)
{
	yaml_mark_t m = {.index = offset, .line = 0, .column = 0};
	size_t i;

	for (i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			m.line++;
			m.column = 0;
		} else {
			m.column++;
		}
	}
	return m;
}

static int
cfg_yaml_error(const yaml_parser_t *p, const char *name, const char *text,
	size_t len, struct cfg_err *err)
{
	const char *problem = p->problem != NULL ? p->problem : "error";
	yaml_mark_t m;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		cfg_err_set(err, name, NULL, "out of memory");
		return -ENOMEM;
	case YAML_READER_ERROR:
		m = cfg_mark_at(text, len, p->problem_offset);
		cfg_err_set(err, name, &m, "invalid text: %s", problem);
		return -EINVAL;
	default:
		if (p->context != NULL)
			cfg_err_set(err, name, &p->problem_mark,
				"YAML syntax error: %s (%s at line %zu)",
				problem, p->context, p->context_mark.line + 1);
		else
			cfg_err_set(err, name, &p->problem_mark,
				"YAML syntax error: %s", problem);
		return -EINVAL;
	}
}

/* Parse into d->ydoc; sets d->has_ydoc once there is one to delete. */
static int
cfg_yaml_parse(
	struct cfg_doc *d, const char *text, size_t len, struct cfg_err *err)
{
	yaml_document_t extra;
	yaml_parser_t p;
	int rc = 0;

	if (!yaml_parser_initialize(&p)) {
		cfg_err_set(err, d->name, NULL, "out of memory");
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &d->ydoc)) {
		rc = cfg_yaml_error(&p, d->name, text, len, err);
		goto out;
	}
	d->has_ydoc = true;
	/* libcyaml would silently ignore a second document. */
	if (!yaml_parser_load(&p, &extra)) {
		rc = cfg_yaml_error(&p, d->name, text, len, err);
		goto out;
	}
	if (cfg_yaml_node(&extra, 1) != NULL) {
		cfg_err_set(err, d->name, &extra.start_mark,
			"a second YAML document starts here; a config is one "
			"document");
		rc = -EINVAL;
	}
	yaml_document_delete(&extra);
out:
	yaml_parser_delete(&p);
	return rc;
}

static void cfg_cyaml_log_fn(cyaml_log_t level, void *ctx, const char *fmt,
	va_list args) __attribute__((format(printf, 3, 0)));

static void
cfg_cyaml_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct cfg_cyaml_log *log = ctx;
	char line[CFG_ERR_MSG_MAX];
	const char *s, *at;
	unsigned l, c;
	size_t n;

	if (log == NULL || level < CYAML_LOG_ERROR)
		return;
	vsnprintf(line, sizeof(line), fmt, args);
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	s = strncmp(line, "Load: ", 6) == 0 ? line + 6 : line;
	if (log->first[0] == '\0') {
		snprintf(log->first, sizeof(log->first), "%s", s);
		return;
	}
	/* Backtrace lines, innermost first: "in mapping field 'a' (line: 3,
	 * column: 6)". */
	at = strstr(s, "(line: ");
	if (at != NULL && log->line == 0 &&
		sscanf(at, "(line: %u, column: %u)", &l, &c) == 2) {
		log->line = l;
		log->col = c;
	}
}

static void
cfg_cyaml_config(cyaml_config_t *cc, struct cfg_cyaml_log *log)
{
	memset(cc, 0, sizeof(*cc));
	cc->log_fn = cfg_cyaml_log_fn;
	cc->log_ctx = log;
	cc->mem_fn = cyaml_mem;
	cc->log_level = CYAML_LOG_ERROR;
	cc->flags = CYAML_CFG_DEFAULT;
}

/* The walk should have caught everything; if libcyaml still refuses, say
 * what it said rather than hide it. */
static int
cfg_cyaml_load(const struct cfg_doc *d, const char *text, size_t len,
	const struct cfg_schema *schema, void **out, struct cfg_err *err)
{
	static const char empty[] = "{}";
	struct cfg_cyaml_log log = {.first = "", .line = 0, .col = 0};
	const yaml_node_t *root = cfg_yaml_root(&d->ydoc);
	cyaml_config_t cc;
	cyaml_data_t *data = NULL;
	cyaml_err_t ce;
	yaml_mark_t m = {0, 0, 0};

	if (root == NULL) {
		/* libcyaml returns no data at all for an empty stream. */
		text = empty;
		len = sizeof(empty) - 1;
	}
	cfg_cyaml_config(&cc, &log);
	ce = cyaml_load_data(
		(const uint8_t *)text, len, &cc, schema->top, &data, NULL);
	if (ce == CYAML_OK && data != NULL) {
		*out = data;
		return 0;
	}
	if (log.line > 0) {
		m.line = log.line - 1;
		m.column = log.col > 0 ? log.col - 1 : 0;
	} else if (root != NULL) {
		m = root->start_mark;
	}
	cfg_err_set(err, d->name, &m, "libcyaml: %s%s%s",
		log.first[0] != '\0' ? log.first : "",
		log.first[0] != '\0' ? ": " : "",
		ce == CYAML_OK ? "no data" : cyaml_strerror(ce));
	return ce == CYAML_ERR_OOM ? -ENOMEM : -EINVAL;
}

static int
cfg_schema_check(
	const struct cfg_schema *schema, const char *name, struct cfg_err *err)
{
	if (schema == NULL || schema->top == NULL ||
		schema->top->type != CYAML_MAPPING ||
		!(schema->top->flags & CYAML_FLAG_POINTER) ||
		schema->top->mapping.fields == NULL) {
		cfg_err_set(err, name, NULL,
			"schema: the top level must be a "
			"CYAML_MAPPING with CYAML_FLAG_POINTER");
		return -EINVAL;
	}
	return cfg_ranges_check(schema, name, err);
}

static int
cfg_load_text(const char *name, const char *text, size_t len,
	const struct cfg_schema *schema, void **out, struct cfg_doc **doc,
	struct cfg_err *err)
{
	struct cfg_doc *d;
	void *data = NULL;
	int rc;

	rc = cfg_schema_check(schema, name, err);
	if (rc < 0)
		return rc;
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		cfg_err_set(err, name, NULL, "out of memory");
		return -ENOMEM;
	}
	snprintf(d->name, sizeof(d->name), "%s", name);
	rc = cfg_yaml_parse(d, text, len, err);
	if (rc == 0)
		rc = cfg_walk_check(schema, &d->ydoc, d->name, err);
	if (rc == 0)
		rc = cfg_cyaml_load(d, text, len, schema, &data, err);
	if (rc < 0) {
		cfg_doc_free(d);
		return rc;
	}
	cfg_walk_defaults(schema, &d->ydoc, data);
	*out = data;
	if (doc != NULL)
		*doc = d;
	else
		cfg_doc_free(d);
	return 0;
}

int
cfg_load_string(const char *name, const char *yaml, size_t len,
	const struct cfg_schema *schema, void **out, struct cfg_doc **doc,
	struct cfg_err *err)
{
	struct cfg_err scratch;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (name == NULL)
		name = "<string>";
	if (out == NULL || (yaml == NULL && len > 0)) {
		cfg_err_set(err, name, NULL, "invalid arguments");
		return -EINVAL;
	}
	return cfg_load_text(
		name, yaml != NULL ? yaml : "", len, schema, out, doc, err);
}

/* Read it whole: libyaml and libcyaml then parse the same bytes. */
static int
cfg_file_read(const char *path, char **textp, size_t *lenp, struct cfg_err *err)
{
	char ebuf[128];
	char *text = NULL, *grown;
	size_t len = 0, cap = 0;
	ssize_t n;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		cfg_err_set(err, path, NULL, "cannot open: %s",
			strerror_r(-rc, ebuf, sizeof(ebuf)));
		return rc;
	}
	for (;;) {
		if (len == cap) {
			if (cap > CFG_FILE_MAX) {
				cfg_err_set(err, path, NULL,
					"larger than %u bytes", CFG_FILE_MAX);
				rc = -EFBIG;
				break;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			grown = realloc(text, cap);
			if (grown == NULL) {
				cfg_err_set(err, path, NULL, "out of memory");
				rc = -ENOMEM;
				break;
			}
			text = grown;
		}
		n = read(fd, text + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			cfg_err_set(err, path, NULL, "cannot read: %s",
				strerror_r(-rc, ebuf, sizeof(ebuf)));
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (rc == 0 && len > CFG_FILE_MAX) {
		cfg_err_set(
			err, path, NULL, "larger than %u bytes", CFG_FILE_MAX);
		rc = -EFBIG;
	}
	if (rc < 0) {
		free(text);
		return rc;
	}
	*textp = text;
	*lenp = len;
	return 0;
}

int
cfg_load_file(const char *path, const struct cfg_schema *schema, void **out,
	struct cfg_doc **doc, struct cfg_err *err)
{
	struct cfg_err scratch;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (err == NULL)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	if (path == NULL || out == NULL) {
		cfg_err_set(err, path, NULL, "invalid arguments");
		return -EINVAL;
	}
	rc = cfg_file_read(path, &text, &len, err);
	if (rc < 0)
		return rc;
	rc = cfg_load_text(
		path, text != NULL ? text : "", len, schema, out, doc, err);
	free(text);
	return rc;
}

void
cfg_free(const struct cfg_schema *schema, void *data)
{
	cyaml_config_t cc;

	if (schema == NULL || data == NULL)
		return;
	cfg_cyaml_config(&cc, NULL);
	cyaml_free(&cc, schema->top, data, 0);
}

void
cfg_doc_free(struct cfg_doc *doc)
{
	if (doc == NULL)
		return;
	if (doc->has_ydoc)
		yaml_document_delete(&doc->ydoc);
	free(doc);
}

/* Key k of mapping n named by the first len bytes of p: exact, else with
 * ASCII case folded. */
static const yaml_node_pair_t *
cfg_doc_pair(const yaml_document_t *yd, const yaml_node_t *n, const char *p,
	size_t len)
{
	const yaml_node_pair_t *pr;
	int fold;

	for (fold = 0; fold < 2; fold++) {
		for (pr = n->data.mapping.pairs.start;
			pr < n->data.mapping.pairs.top; pr++) {
			const yaml_node_t *k = cfg_yaml_node(yd, pr->key);
			const char *s;

			if (k == NULL || k->type != YAML_SCALAR_NODE ||
				k->data.scalar.length != len)
				continue;
			s = (const char *)k->data.scalar.value;
			if (fold ? strncasecmp(s, p, len) == 0
				 : memcmp(s, p, len) == 0)
				return pr;
		}
	}
	return NULL;
}

/*
 * Follow path in the document. *mark ends at the deepest part found, so
 * that an absent key can still be reported at its enclosing mapping.
 */
static int
cfg_doc_find(const struct cfg_doc *doc, const char *path, yaml_mark_t *mark)
{
	const yaml_document_t *yd = &doc->ydoc;
	const yaml_node_t *n = cfg_yaml_root(yd);
	const char *p = path != NULL ? path : "";

	memset(mark, 0, sizeof(*mark));
	if (n != NULL)
		*mark = n->start_mark;
	while (*p != '\0') {
		if (*p == '[') {
			unsigned long idx;
			char *end;

			if (p[1] < '0' || p[1] > '9')
				return -EINVAL;
			idx = strtoul(p + 1, &end, 10);
			if (*end != ']')
				return -EINVAL;
			p = end + 1;
			if (n == NULL || n->type != YAML_SEQUENCE_NODE ||
				idx >= (unsigned long)(n->data.sequence.items
							       .top -
						       n->data.sequence.items
							       .start))
				return -ENOENT;
			n = cfg_yaml_node(
				yd, n->data.sequence.items.start[idx]);
			if (n == NULL)
				return -ENOENT;
			*mark = n->start_mark;
		} else {
			size_t len = strcspn(p, ".[");
			const yaml_node_pair_t *pr;
			const yaml_node_t *k, *v;

			if (len == 0)
				return -EINVAL;
			if (n == NULL || n->type != YAML_MAPPING_NODE)
				return -ENOENT;
			pr = cfg_doc_pair(yd, n, p, len);
			if (pr == NULL)
				return -ENOENT;
			k = cfg_yaml_node(yd, pr->key);
			v = cfg_yaml_node(yd, pr->value);
			if (k == NULL || v == NULL)
				return -ENOENT;
			*mark = v->type == YAML_SCALAR_NODE ? v->start_mark
							    : k->start_mark;
			n = v;
			p += len;
		}
		if (*p == '.') {
			p++;
			if (*p == '\0' || *p == '.' || *p == '[')
				return -EINVAL;
		} else if (*p != '\0' && *p != '[') {
			return -EINVAL;
		}
	}
	return 0;
}

int
cfg_doc_line(const struct cfg_doc *doc, const char *path, unsigned *line,
	unsigned *col)
{
	yaml_mark_t m;
	int rc;

	if (doc == NULL || path == NULL)
		return -EINVAL;
	rc = cfg_doc_find(doc, path, &m);
	if (rc < 0)
		return rc;
	if (line != NULL)
		*line = (unsigned)m.line + 1;
	if (col != NULL)
		*col = (unsigned)m.column + 1;
	return 0;
}

void
cfg_errorf(struct cfg_err *err, const struct cfg_doc *doc, const char *path,
	const char *fmt, ...)
{
	char msg[CFG_ERR_MSG_MAX];
	yaml_mark_t m;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (doc != NULL)
		(void)cfg_doc_find(doc, path, &m);
	if (path != NULL && path[0] != '\0')
		cfg_err_set(err, doc != NULL ? doc->name : NULL,
			doc != NULL ? &m : NULL, "%s: %s", path, msg);
	else
		cfg_err_set(err, doc != NULL ? doc->name : NULL,
			doc != NULL ? &m : NULL, "%s", msg);
}

int
cfg_err_format(const struct cfg_err *err, char *buf, size_t size)
{
	int n;

	if (err->file[0] != '\0' && err->line > 0)
		n = snprintf(buf, size, "%s:%u:%u: %s", err->file, err->line,
			err->col, err->msg);
	else if (err->file[0] != '\0')
		n = snprintf(buf, size, "%s: %s", err->file, err->msg);
	else
		n = snprintf(buf, size, "%s", err->msg);
	if (n < 0) {
		if (size > 0)
			buf[0] = '\0';
		return -EINVAL;
	}
	return (size_t)n >= size ? -ENOSPC : 0;
}
