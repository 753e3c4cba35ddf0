/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stats: the registry of named counters and gauges that `sipedgectl stats`
 * and the metrics endpoint read.
 *
 * Writers never share a cache line: each thread (dataplane worker, control
 * thread) owns one shard, a cache-aligned array of uint64_t indexed by stat
 * id, and bumps it with plain (relaxed atomic, lock-free) loads and stores.
 * Readers sum the shards with relaxed loads; a sum is therefore a snapshot
 * of each shard at slightly different instants, exact once writers stop.
 *
 * A module declares its stats once, as an X-macro list, and registers the
 * whole block in one call:
 *
 *	#define DP_STATS(_)                                              \
 *		_(DP_STAT_DROP_ACL, "drop_acl", "dropped: ACL deny")     \
 *		_(DP_STAT_DROP_RATE, "drop_rate", "dropped: rate limit")
 *	enum dp_stat { STATS_ENUM(DP_STATS) DP_STAT_COUNT };
 *
 *	int base = STATS_BLOCK_REGISTER(reg, "dp", DP_STATS,
 *					STATS_KIND_COUNTER);
 *	...
 *	uint64_t *sh = stats_shard(reg, worker_id);
 *	stats_add(sh, base + DP_STAT_DROP_ACL, n_dropped);
 *
 * Registration happens at start-up, before the shards are written: the
 * registry is sized once (max_shards x max_stats) and never grows, so shard
 * pointers stay valid for the registry's life. Registration calls must be
 * serialised (one thread); readers may run concurrently with them (the
 * count of stats is published with release/acquire).
 *
 * Counters only go up. Gauges go up and down: each shard holds its own
 * contribution as a uint64_t that wraps (two's complement), and the sum read
 * as int64_t is the gauge's value, negative included.
 */
#ifndef SIPEDGE_PLATFORM_STATS_STATS_H
#define SIPEDGE_PLATFORM_STATS_STATS_H

#include <stdint.h>

/** Cache line size assumed for shard alignment. */
#define STATS_CACHE_LINE 64
/** Longest full name ("prefix_name") in bytes, NUL excluded. */
#define STATS_NAME_MAX 127

/** Kinds of stat: _(SYMBOL, name). */
#define STATS_KINDS(_)                                                         \
	_(COUNTER, "counter") /**< monotonic; read as uint64_t */              \
	_(GAUGE, "gauge")     /**< goes up and down; read as int64_t */

#define STATS_KIND_ENUM_(sym, name) STATS_KIND_##sym,
/** What a stat measures. */
enum stats_kind { STATS_KINDS(STATS_KIND_ENUM_) STATS_KIND_COUNT };
#undef STATS_KIND_ENUM_

/* X-macro helpers: a list is `#define L(_) _(SYM, "name", "help") ...` */
#define STATS_ENUM_ENTRY_(sym, name, help) sym,
#define STATS_NAME_ENTRY_(sym, name, help) name,
#define STATS_HELP_ENTRY_(sym, name, help) help,
/** Enumerators of a list: `enum x { STATS_ENUM(L) X_COUNT };` */
#define STATS_ENUM(list) list(STATS_ENUM_ENTRY_)
/** Name initialisers: `static const char *const n[] = { STATS_NAMES(L) };` */
#define STATS_NAMES(list) list(STATS_NAME_ENTRY_)
/** Help initialisers, in the same order. */
#define STATS_HELPS(list) list(STATS_HELP_ENTRY_)
/** Number of entries of a list (sizeof of an array of its names). */
#define STATS_COUNT(list)                                                      \
	(sizeof((const char *const[]){STATS_NAMES(list)}) /                    \
		sizeof(const char *))
/**
 * Register a whole list as one block (see stats_block_register()).
 * @return the block's base id (>= 0), or a negative errno.
 */
#define STATS_BLOCK_REGISTER(reg, prefix, list, kind)                          \
	stats_block_register((reg), (prefix),                                  \
		(const char *const[]){STATS_NAMES(list)},                      \
		(const char *const[]){STATS_HELPS(list)},                      \
		(unsigned)STATS_COUNT(list), (kind))

struct stats_reg;

/** One stat as stats_foreach() shows it. Borrowed for the callback only. */
struct stats_info {
	unsigned id;	      /**< stat id (base + index in its block) */
	const char *name;     /**< full name: "prefix_name" */
	const char *prefix;   /**< the block's prefix ("" when none) */
	const char *help;     /**< one-line description ("" when none) */
	enum stats_kind kind; /**< counter or gauge */
	uint64_t value;	      /**< sum over shards; (int64_t) for a gauge */
};

/**
 * Visit one stat; return 0 to go on, anything else to stop (stats_foreach()
 * then returns that value).
 */
typedef int (*stats_foreach_cb)(const struct stats_info *info, void *arg);

/**
 * Create a registry with all its shards, zeroed.
 *
 * @param max_shards  writers (threads) that will each own a shard; >= 1.
 * @param max_stats   stats that can ever be registered; >= 1.
 * @return the registry, or NULL with errno EINVAL (a zero or absurd size)
 *         or ENOMEM. The caller owns it; free with stats_reg_destroy().
 */
struct stats_reg *stats_reg_create(unsigned max_shards, unsigned max_stats);

/**
 * Free a registry and its shards. NULL is a no-op. No reader or writer may
 * use it (or a shard pointer) afterwards.
 */
void stats_reg_destroy(struct stats_reg *reg);

/**
 * Register a block of stats of one kind, with consecutive ids.
 *
 * @param reg     the registry.
 * @param prefix  prepended to each name with '_' ("dp" + "drop_acl" =
 *                "dp_drop_acl"); NULL or "" for none. Copied.
 * @param names   n names; non-empty, [a-zA-Z0-9_] only (metric-safe).
 *                Copied.
 * @param help    n one-line descriptions, or NULL; entries may be NULL.
 *                Copied.
 * @param n       number of stats, >= 1.
 * @param kind    STATS_KIND_COUNTER or STATS_KIND_GAUGE.
 * @return the base id (>= 0): stat i of the block has id base + i; or
 *         -EINVAL (bad argument or name), -ENOSPC (more than max_stats in
 *         all), -EEXIST (a full name already registered), -ENOMEM. On error
 *         nothing is registered.
 * Not thread-safe against other registrations (start-up, one thread);
 * safe against concurrent readers.
 */
int stats_block_register(struct stats_reg *reg, const char *prefix,
	const char *const names[], const char *const help[], unsigned n,
	enum stats_kind kind);

/**
 * The shard a writer bumps: an array of max_stats uint64_t, indexed by id.
 *
 * @param shard  the writer's shard number, < max_shards.
 * @return the array (owned by the registry, valid until it is destroyed),
 *         or NULL when shard is out of range. Exactly one thread may write
 *         a given shard.
 */
uint64_t *stats_shard(struct stats_reg *reg, unsigned shard);

/**
 * Add n to a stat in the caller's own shard. Relaxed atomic load and store
 * (no lock prefix: one writer per shard), so concurrent readers see whole
 * values and the compiler cannot tear or elide the update. For a burst,
 * add once with the burst's total.
 *
 * @param shard  from stats_shard(), written by this thread only.
 * @param id     stat id.
 * @param n      amount; for a gauge, wraps (see stats_sub()).
 */
static inline void
stats_add(uint64_t *shard, unsigned id, uint64_t n)
{
	__atomic_store_n(&shard[id],
		__atomic_load_n(&shard[id], __ATOMIC_RELAXED) + n,
		__ATOMIC_RELAXED);
}

/** Add 1 to a stat in the caller's own shard (see stats_add()). */
static inline void
stats_inc(uint64_t *shard, unsigned id)
{
	stats_add(shard, id, 1);
}

/**
 * Take n from a gauge in the caller's own shard. The shard's contribution
 * may go below zero; the sum over shards, read as int64_t, stays right.
 */
static inline void
stats_sub(uint64_t *shard, unsigned id, uint64_t n)
{
	stats_add(shard, id, (uint64_t)0 - n);
}

/**
 * Set this shard's contribution to a gauge (e.g. a worker's ring fill).
 * The gauge's value is the sum of every shard's contribution.
 */
static inline void
stats_set(uint64_t *shard, unsigned id, uint64_t v)
{
	__atomic_store_n(&shard[id], v, __ATOMIC_RELAXED);
}

/**
 * Sum of a stat over all shards.
 *
 * @param id   stat id.
 * @param sum  out: the sum (cast to int64_t for a gauge).
 * @return 0, or -ENOENT when id is not registered.
 * Thread-safe (relaxed loads; see the file comment for what a sum means).
 */
int stats_read(const struct stats_reg *reg, unsigned id, uint64_t *sum);

/**
 * A gauge's value: stats_read() as a signed sum.
 * @return 0, or -ENOENT when id is not registered.
 */
int stats_read_gauge(const struct stats_reg *reg, unsigned id, int64_t *v);

/**
 * One shard's value of a stat, for per-worker views.
 *
 * @return 0, -ENOENT (id not registered) or -EINVAL (shard out of range).
 * Thread-safe.
 */
int stats_read_shard(const struct stats_reg *reg, unsigned shard, unsigned id,
	uint64_t *val);

/**
 * Find a stat by full name.
 * @return its id (>= 0), or -ENOENT. Thread-safe.
 */
int stats_find(const struct stats_reg *reg, const char *name);

/** How many stats are registered. Thread-safe. */
unsigned stats_count(const struct stats_reg *reg);

/** How many shards the registry has. */
unsigned stats_shard_count(const struct stats_reg *reg);

/**
 * Call cb for every registered stat in id (registration) order, with its
 * sum over shards.
 *
 * @return 0, or the first non-zero value cb returned (iteration stops).
 * Thread-safe against writers and registration; cb must not register.
 */
int stats_foreach(const struct stats_reg *reg, stats_foreach_cb cb, void *arg);

/** Name of a kind ("counter", "gauge"); "unknown" when out of range. */
const char *stats_kind_str(enum stats_kind kind);

#endif
