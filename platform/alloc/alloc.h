/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * alloc: which allocator backs malloc, and how much memory it holds.
 *
 * The daemon links jemalloc as the process malloc (jemalloc_dep in the top
 * meson.build); sanitizer and fuzz builds keep the sanitizer's allocator;
 * anything else gets glibc's. The platform library links with none of them:
 * it finds jemalloc's mallctl() (or the sanitizer's statistics interface)
 * at run time with dlsym(), so one libplatform serves every build.
 *
 * These figures back `sipedgectl stats` and the metrics endpoint (memory
 * held by the control plane). Dataplane mbufs and mempools are DPDK's
 * hugepage memory and are not counted here.
 */
#ifndef SIPEDGE_PLATFORM_ALLOC_ALLOC_H
#define SIPEDGE_PLATFORM_ALLOC_ALLOC_H

#include <stdbool.h>
#include <stdint.h>

/** Allocators this module recognises: _(SYMBOL, name). */
#define ALLOC_KINDS(_)                                                         \
	_(GLIBC, "glibc")	  /**< glibc ptmalloc (mallinfo2) */           \
	_(JEMALLOC, "jemalloc")	  /**< jemalloc (mallctl) */                   \
	_(SANITIZER, "sanitizer") /**< ASan's allocator */

#define ALLOC_KIND_ENUM_(sym, name) ALLOC_KIND_##sym,
/** The allocator behind malloc. */
enum alloc_kind { ALLOC_KINDS(ALLOC_KIND_ENUM_) ALLOC_KIND_COUNT };
#undef ALLOC_KIND_ENUM_

/**
 * Memory held by the allocator, in bytes. What each allocator can tell
 * differs; where it cannot, the field says what was used instead.
 */
struct alloc_stats {
	enum alloc_kind kind;  /**< the allocator measured */
	const char *allocator; /**< its name: alloc_kind_str(kind) */
	/** bytes in live allocations (jemalloc stats.allocated; glibc
	 *  in-use arena chunks plus mmapped chunks; ASan current bytes) */
	uint64_t allocated;
	/** bytes in pages with live allocations (jemalloc stats.active;
	 *  glibc and ASan cannot tell: same as allocated) */
	uint64_t active;
	/** bytes resident (jemalloc stats.resident; glibc and ASan: the
	 *  process's resident set, from /proc/self/statm) */
	uint64_t resident;
	/** bytes mapped (jemalloc stats.mapped; glibc arena plus mmapped
	 *  chunks; ASan heap size) */
	uint64_t mapped;
};

/**
 * Whether jemalloc is the process's malloc (linked and owning the malloc
 * symbol, not merely loaded).
 *
 * @return true for jemalloc. Thread-safe (resolved once).
 */
bool alloc_is_jemalloc(void);

/**
 * The allocator behind malloc. Thread-safe (resolved once).
 */
enum alloc_kind alloc_kind_get(void);

/** Name of an allocator kind; "unknown" when out of range. */
const char *alloc_kind_str(enum alloc_kind kind);

/**
 * Read the allocator's statistics. With jemalloc, refreshes its "epoch"
 * first so that the figures are current (they are cached per epoch).
 *
 * @param st  out: filled on success (owned by the caller).
 * @return 0, or a negative errno: -EINVAL (st is NULL), or the error
 *         mallctl() returned (e.g. -ENOENT when jemalloc was built without
 *         statistics).
 * Thread-safe. Costs a mallctl round (microseconds) or a /proc read: for
 * admin and metrics requests, not for hot paths.
 */
int alloc_stats_get(struct alloc_stats *st);

#endif
