/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/stats/stats.h"

#define STATS_WORDS_PER_LINE (STATS_CACHE_LINE / sizeof(uint64_t))
#define STATS_NAME_SEP '_'

struct stats_desc {
	char *name;   /* "prefix_name" */
	char *prefix; /* "" when none */
	char *help;   /* "" when none */
	enum stats_kind kind;
};

struct stats_reg {
	unsigned max_shards;
	unsigned max_stats;
	size_t stride; /* uint64_t per shard: whole cache lines */
	/* Registered stats. Stored with release after their descriptors are
	 * complete, loaded with acquire, so a reader never sees a half-made
	 * descriptor even while start-up registration is still going on. */
	_Atomic unsigned n;
	struct stats_desc *desc; /* max_stats */
	uint64_t *values;	 /* max_shards * stride, cache-aligned */
};

#define STATS_KIND_NAME_(sym, name) name,
static const char *const stats_kind_names[STATS_KIND_COUNT] = {
	STATS_KINDS(STATS_KIND_NAME_)};
#undef STATS_KIND_NAME_

const char *
stats_kind_str(enum stats_kind kind)
{
	if ((unsigned)kind >= STATS_KIND_COUNT)
		return "unknown";
	return stats_kind_names[kind];
}

struct stats_reg *
stats_reg_create(unsigned max_shards, unsigned max_stats)
{
	struct stats_reg *reg;
	size_t stride, bytes;

	if (max_shards == 0 || max_stats == 0) {
		errno = EINVAL;
		return NULL;
	}
	/* Round each shard up to whole lines: no two writers share one. */
	stride = ((size_t)max_stats + STATS_WORDS_PER_LINE - 1) /
		 STATS_WORDS_PER_LINE * STATS_WORDS_PER_LINE;
	if (__builtin_mul_overflow(stride, (size_t)max_shards, &bytes) ||
		__builtin_mul_overflow(bytes, sizeof(uint64_t), &bytes)) {
		errno = EINVAL;
		return NULL;
	}
	reg = calloc(1, sizeof(*reg));
	if (reg == NULL)
		return NULL;
	reg->max_shards = max_shards;
	reg->max_stats = max_stats;
	reg->stride = stride;
	reg->desc = calloc(max_stats, sizeof(*reg->desc));
	reg->values = aligned_alloc(STATS_CACHE_LINE, bytes);
	if (reg->desc == NULL || reg->values == NULL) {
		stats_reg_destroy(reg);
		errno = ENOMEM;
		return NULL;
	}
	memset(reg->values, 0, bytes);
	return reg;
}

static void
stats_desc_free(struct stats_desc *d)
{
	free(d->name);
	free(d->prefix);
	free(d->help);
	*d = (struct stats_desc){0};
}

void
stats_reg_destroy(struct stats_reg *reg)
{
	unsigned n;

	if (reg == NULL)
		return;
	n = atomic_load_explicit(&reg->n, memory_order_relaxed);
	for (unsigned i = 0; reg->desc != NULL && i < n; i++)
		stats_desc_free(&reg->desc[i]);
	free(reg->desc);
	free(reg->values);
	free(reg);
}

/* Names end up as metric names and in `sipedgectl stats` columns. */
static bool
stats_name_is_valid(const char *s, bool may_be_empty)
{
	if (s == NULL || (*s == '\0' && !may_be_empty))
		return false;
	for (; *s != '\0'; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == STATS_NAME_SEP))
			return false;
	}
	return true;
}

/* "prefix_name" (or "name") into buf; -EINVAL when it does not fit. */
static int
stats_name_join(char *buf, size_t size, const char *prefix, const char *name)
{
	int n;

	if (*prefix == '\0')
		n = snprintf(buf, size, "%s", name);
	else
		n = snprintf(buf, size, "%s%c%s", prefix, STATS_NAME_SEP, name);
	return n < 0 || (size_t)n >= size ? -EINVAL : 0;
}

static bool
stats_name_is_taken(const struct stats_reg *reg, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(reg->desc[i].name, name) == 0)
			return true;
	return false;
}

/* Check the whole block before touching the registry: all or nothing. */
static int
stats_block_check(const struct stats_reg *reg, unsigned base,
	const char *prefix, const char *const names[], unsigned n)
{
	char full[STATS_NAME_MAX + 1], other[STATS_NAME_MAX + 1];

	if (!stats_name_is_valid(prefix, true))
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (!stats_name_is_valid(names[i], false) ||
			stats_name_join(full, sizeof(full), prefix, names[i]) <
				0)
			return -EINVAL;
		if (stats_name_is_taken(reg, base, full))
			return -EEXIST;
		for (unsigned j = 0; j < i; j++) {
			(void)stats_name_join(
				other, sizeof(other), prefix, names[j]);
			if (strcmp(full, other) == 0)
				return -EEXIST;
		}
	}
	return 0;
}

static int
stats_desc_make(struct stats_desc *d, const char *prefix, const char *name,
	const char *help, enum stats_kind kind)
{
	char full[STATS_NAME_MAX + 1];

	(void)stats_name_join(full, sizeof(full), prefix, name);
	d->name = strdup(full);
	d->prefix = strdup(prefix);
	d->help = strdup(help != NULL ? help : "");
	d->kind = kind;
	if (d->name == NULL || d->prefix == NULL || d->help == NULL) {
		stats_desc_free(d);
		return -ENOMEM;
	}
	return 0;
}

int
stats_block_register(struct stats_reg *reg, const char *prefix,
	const char *const names[], const char *const help[], unsigned n,
	enum stats_kind kind)
{
	unsigned base;
	int rc;

	if (reg == NULL || names == NULL || n == 0 ||
		(unsigned)kind >= STATS_KIND_COUNT)
		return -EINVAL;
	if (prefix == NULL)
		prefix = "";
	/* Registrations are serialised by contract: only we write n. */
	base = atomic_load_explicit(&reg->n, memory_order_relaxed);
	if (n > reg->max_stats - base)
		return -ENOSPC;
	rc = stats_block_check(reg, base, prefix, names, n);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < n; i++) {
		rc = stats_desc_make(&reg->desc[base + i], prefix, names[i],
			help != NULL ? help[i] : NULL, kind);
		if (rc < 0) {
			while (i-- > 0)
				stats_desc_free(&reg->desc[base + i]);
			return rc;
		}
	}
	atomic_store_explicit(&reg->n, base + n, memory_order_release);
	return (int)base;
}

uint64_t *
stats_shard(struct stats_reg *reg, unsigned shard)
{
	if (shard >= reg->max_shards)
		return NULL;
	return &reg->values[shard * reg->stride];
}

static bool
stats_id_is_registered(const struct stats_reg *reg, unsigned id)
{
	return id < atomic_load_explicit(&reg->n, memory_order_acquire);
}

/* Relaxed: each shard's word has one writer; a sum needs no ordering. */
static uint64_t
stats_sum(const struct stats_reg *reg, unsigned id)
{
	uint64_t sum = 0;

	for (unsigned s = 0; s < reg->max_shards; s++)
		sum += __atomic_load_n(
			&reg->values[s * reg->stride + id], __ATOMIC_RELAXED);
	return sum;
}

int
stats_read(const struct stats_reg *reg, unsigned id, uint64_t *sum)
{
	if (!stats_id_is_registered(reg, id))
		return -ENOENT;
	*sum = stats_sum(reg, id);
	return 0;
}

int
stats_read_gauge(const struct stats_reg *reg, unsigned id, int64_t *v)
{
	uint64_t sum;
	int rc = stats_read(reg, id, &sum);

	if (rc == 0)
		*v = (int64_t)sum; /* two's complement: GCC/Clang wrap */
	return rc;
}

int
stats_read_shard(
	const struct stats_reg *reg, unsigned shard, unsigned id, uint64_t *val)
{
	if (!stats_id_is_registered(reg, id))
		return -ENOENT;
	if (shard >= reg->max_shards)
		return -EINVAL;
	*val = __atomic_load_n(
		&reg->values[shard * reg->stride + id], __ATOMIC_RELAXED);
	return 0;
}

int
stats_find(const struct stats_reg *reg, const char *name)
{
	unsigned n = atomic_load_explicit(&reg->n, memory_order_acquire);

	if (name == NULL)
		return -ENOENT;
	for (unsigned i = 0; i < n; i++)
		if (strcmp(reg->desc[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

unsigned
stats_count(const struct stats_reg *reg)
{
	return atomic_load_explicit(&reg->n, memory_order_acquire);
}

unsigned
stats_shard_count(const struct stats_reg *reg)
{
	return reg->max_shards;
}

int
stats_foreach(const struct stats_reg *reg, stats_foreach_cb cb, void *arg)
{
	unsigned n = atomic_load_explicit(&reg->n, memory_order_acquire);

	for (unsigned i = 0; i < n; i++) {
		const struct stats_desc *d = &reg->desc[i];
		struct stats_info info = {
			.id = i,
			.name = d->name,
			.prefix = d->prefix,
			.help = d->help,
			.kind = d->kind,
			.value = stats_sum(reg, i),
		};
		int rc = cb(&info, arg);

		if (rc != 0)
			return rc;
	}
	return 0;
}
