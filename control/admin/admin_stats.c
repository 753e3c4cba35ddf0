/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin: the `stats` command, over the platform stats registry.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/admin/admin.h"
#include "control/admin/admin_priv.h"
#include "platform/stats/stats.h"

/* Widest decimal of a uint64_t or int64_t, sign included, plus NUL. */
#define ADMIN_NUM_MAX 22

struct admin_stats_opts {
	const char *prefix; /**< only names starting with it; NULL: all */
	size_t prefix_len;  /**< strlen(prefix) */
	int is_json;	    /**< --json */
	int is_per_shard;   /**< --per-shard */
};

/* A stat as --per-shard shows it: name and one value per shard. */
struct admin_stats_row {
	char name[STATS_NAME_MAX + 1]; /**< copied from the registry */
	enum stats_kind kind;	       /**< counter or gauge */
	uint64_t *vals;		       /**< n_shards values, then the sum */
};

struct admin_stats_walk {
	const struct admin_stats_view *view;
	const struct admin_stats_opts *opts;
	struct admin_reply *reply;    /**< summed views print directly */
	unsigned n;		      /**< stats shown so far */
	struct admin_stats_row *rows; /**< --per-shard: collected rows */
	unsigned cap_rows;	      /**< rows allocated */
};

/* A value as text: gauges are signed. */
static void
admin_stats_fmt(char *buf, enum stats_kind kind, uint64_t v)
{
	if (kind == STATS_KIND_GAUGE)
		snprintf(buf, ADMIN_NUM_MAX, "%" PRId64, (int64_t)v);
	else
		snprintf(buf, ADMIN_NUM_MAX, "%" PRIu64, v);
}

static int
admin_stats_is_shown(const struct admin_stats_opts *opts, const char *name)
{
	return opts->prefix == NULL ||
	       strncmp(name, opts->prefix, opts->prefix_len) == 0;
}

/* Summed view: "name value" lines, or one JSON object. */
static int
admin_stats_sum_cb(const struct stats_info *info, void *arg)
{
	struct admin_stats_walk *w = arg;
	char num[ADMIN_NUM_MAX];

	if (!admin_stats_is_shown(w->opts, info->name))
		return 0;
	admin_stats_fmt(num, info->kind, info->value);
	/* Names are [a-zA-Z0-9_] (stats.h): no JSON escaping needed. */
	if (w->opts->is_json)
		return admin_reply_printf(w->reply, "%s\"%s\":%s",
			w->n++ == 0 ? "" : ",", info->name, num);
	return admin_reply_printf(w->reply, "%s %s\n", info->name, num);
}

/* Per-shard view, first pass: collect rows (their widths set columns). */
static int
admin_stats_row_cb(const struct stats_info *info, void *arg)
{
	struct admin_stats_walk *w = arg;
	unsigned n_shards = w->view->n_shards;
	struct admin_stats_row *row;
	uint64_t sum = 0;

	if (!admin_stats_is_shown(w->opts, info->name))
		return 0;
	if (w->n == w->cap_rows) {
		unsigned cap = w->cap_rows != 0 ? w->cap_rows * 2 : 32;
		struct admin_stats_row *rows =
			realloc(w->rows, cap * sizeof(*rows));

		if (rows == NULL)
			return -ENOMEM;
		w->rows = rows;
		w->cap_rows = cap;
	}
	row = &w->rows[w->n];
	row->vals = calloc((size_t)n_shards + 1, sizeof(*row->vals));
	if (row->vals == NULL)
		return -ENOMEM;
	w->n++;
	snprintf(row->name, sizeof(row->name), "%s", info->name);
	row->kind = info->kind;
	for (unsigned s = 0; s < n_shards; s++) {
		/* Cannot fail: id and shard come from the registry. */
		(void)stats_read_shard(
			w->view->reg, s, info->id, &row->vals[s]);
		sum += row->vals[s];
	}
	/* The sum of the shards shown, not info->value read a moment ago. */
	row->vals[n_shards] = sum;
	return 0;
}

static int
admin_json_str(struct admin_reply *reply, const char *s)
{
	/* Shard names exclude '"', '\\' and controls (admin_srv_create()). */
	return admin_reply_printf(reply, "\"%s\"", s);
}

static int
admin_stats_rows_json(const struct admin_stats_walk *w)
{
	const struct admin_stats_view *v = w->view;
	char num[ADMIN_NUM_MAX];
	int err = admin_reply_write(w->reply, "{", 1);

	for (unsigned r = 0; err == 0 && r < w->n; r++) {
		const struct admin_stats_row *row = &w->rows[r];

		err = admin_reply_printf(
			w->reply, "%s\"%s\":{", r == 0 ? "" : ",", row->name);
		for (unsigned s = 0; err == 0 && s < v->n_shards; s++) {
			admin_stats_fmt(num, row->kind, row->vals[s]);
			if (s > 0)
				err = admin_reply_write(w->reply, ",", 1);
			if (err == 0)
				err = admin_json_str(
					w->reply, v->shard_names[s]);
			if (err == 0)
				err = admin_reply_printf(w->reply, ":%s", num);
		}
		if (err == 0)
			err = admin_reply_write(w->reply, "}", 1);
	}
	if (err == 0)
		err = admin_reply_write(w->reply, "}\n", 2);
	return err;
}

/* A table: name, one right-aligned column per shard, then total. */
static int
admin_stats_rows_text(const struct admin_stats_walk *w)
{
	const struct admin_stats_view *v = w->view;
	unsigned n_cols = v->n_shards + 1;
	char num[ADMIN_NUM_MAX];
	int *width = calloc(n_cols, sizeof(*width));
	int name_w = (int)strlen("name"), err;

	if (width == NULL)
		return -ENOMEM;
	for (unsigned c = 0; c < n_cols; c++)
		width[c] = (int)strlen(
			c < v->n_shards ? v->shard_names[c] : "total");
	for (unsigned r = 0; r < w->n; r++) {
		const struct admin_stats_row *row = &w->rows[r];
		int len = (int)strlen(row->name);

		name_w = len > name_w ? len : name_w;
		for (unsigned c = 0; c < n_cols; c++) {
			admin_stats_fmt(num, row->kind, row->vals[c]);
			len = (int)strlen(num);
			width[c] = len > width[c] ? len : width[c];
		}
	}
	err = admin_reply_printf(w->reply, "%-*s", name_w, "name");
	for (unsigned c = 0; err == 0 && c < n_cols; c++)
		err = admin_reply_printf(w->reply, "  %*s", width[c],
			c < v->n_shards ? v->shard_names[c] : "total");
	if (err == 0)
		err = admin_reply_write(w->reply, "\n", 1);
	for (unsigned r = 0; err == 0 && r < w->n; r++) {
		const struct admin_stats_row *row = &w->rows[r];

		err = admin_reply_printf(w->reply, "%-*s", name_w, row->name);
		for (unsigned c = 0; err == 0 && c < n_cols; c++) {
			admin_stats_fmt(num, row->kind, row->vals[c]);
			err = admin_reply_printf(
				w->reply, "  %*s", width[c], num);
		}
		if (err == 0)
			err = admin_reply_write(w->reply, "\n", 1);
	}
	free(width);
	return err;
}

static int
admin_stats_opts_parse(struct admin_reply *reply, unsigned argc,
	const char *const argv[], struct admin_stats_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	for (unsigned i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0)
			opts->is_json = 1;
		else if (strcmp(a, "--per-shard") == 0)
			opts->is_per_shard = 1;
		else if (a[0] == '-')
			return admin_reply_error(reply, -EINVAL,
				"stats: unknown option '%.64s'", a);
		else if (opts->prefix != NULL)
			return admin_reply_error(
				reply, -EINVAL, "stats: more than one prefix");
		else
			opts->prefix = a;
	}
	opts->prefix_len = opts->prefix != NULL ? strlen(opts->prefix) : 0;
	return 0;
}

int
admin_stats_cmd(struct admin_reply *reply, unsigned argc,
	const char *const argv[], void *arg)
{
	struct admin_stats_walk w = {.view = arg, .reply = reply};
	struct admin_stats_opts opts;
	int err = admin_stats_opts_parse(reply, argc, argv, &opts);

	if (err < 0)
		return err;
	w.opts = &opts;
	if (!opts.is_per_shard) {
		if (opts.is_json)
			err = admin_reply_write(reply, "{", 1);
		if (err == 0)
			err = stats_foreach(
				w.view->reg, admin_stats_sum_cb, &w);
		if (err == 0 && opts.is_json)
			err = admin_reply_write(reply, "}\n", 2);
		return err;
	}
	err = stats_foreach(w.view->reg, admin_stats_row_cb, &w);
	if (err == 0)
		err = opts.is_json ? admin_stats_rows_json(&w)
				   : admin_stats_rows_text(&w);
	for (unsigned r = 0; r < w.n; r++)
		free(w.rows[r].vals);
	free(w.rows);
	return err;
}
