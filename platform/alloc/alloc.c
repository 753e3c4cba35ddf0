/* SPDX-License-Identifier: BSD-3-Clause */
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include "platform/alloc/alloc.h"

/* jemalloc's control interface; Debian's build exports it unprefixed. */
typedef int (*alloc_mallctl_fn)(const char *name, void *oldp, size_t *oldlenp,
	void *newp, size_t newlen);
/* The sanitizers' <sanitizer/allocator_interface.h> statistics. */
typedef size_t (*alloc_san_fn)(void);

/* What was found, once per process: the allocator cannot change. */
struct alloc_probe {
	enum alloc_kind kind;
	alloc_mallctl_fn mallctl;
	alloc_san_fn san_allocated;
	alloc_san_fn san_heap;
};

static struct alloc_probe alloc_probe;
static pthread_once_t alloc_probe_once = PTHREAD_ONCE_INIT;

#define ALLOC_KIND_NAME_(sym, name) name,
static const char *const alloc_kind_names[ALLOC_KIND_COUNT] = {
	ALLOC_KINDS(ALLOC_KIND_NAME_)};
#undef ALLOC_KIND_NAME_

/*
 * jemalloc may be loaded without owning malloc (a plugin dlopen()ed with
 * RTLD_GLOBAL): trust it only when the malloc everyone calls lives in the
 * same object as mallctl.
 */
static bool
alloc_jemalloc_owns_malloc(void *mallctl_sym)
{
	void *malloc_sym = dlsym(RTLD_DEFAULT, "malloc");
	Dl_info a, b;

	if (malloc_sym == NULL || dladdr(mallctl_sym, &a) == 0 ||
		dladdr(malloc_sym, &b) == 0)
		return false;
	return a.dli_fbase == b.dli_fbase;
}

static void
alloc_probe_run(void)
{
	void *mallctl_sym = dlsym(RTLD_DEFAULT, "mallctl");
	void *san_alloc =
		dlsym(RTLD_DEFAULT, "__sanitizer_get_current_allocated_bytes");
	void *san_heap = dlsym(RTLD_DEFAULT, "__sanitizer_get_heap_size");

	alloc_probe.kind = ALLOC_KIND_GLIBC;
	if (mallctl_sym != NULL && alloc_jemalloc_owns_malloc(mallctl_sym)) {
		alloc_probe.kind = ALLOC_KIND_JEMALLOC;
		alloc_probe.mallctl = (alloc_mallctl_fn)mallctl_sym;
	} else if (san_alloc != NULL && san_heap != NULL) {
		/* ASan intercepts mallinfo2() and reports zeros: ask it. */
		alloc_probe.kind = ALLOC_KIND_SANITIZER;
		alloc_probe.san_allocated = (alloc_san_fn)san_alloc;
		alloc_probe.san_heap = (alloc_san_fn)san_heap;
	}
}

static const struct alloc_probe *
alloc_probe_get(void)
{
	(void)pthread_once(&alloc_probe_once, alloc_probe_run);
	return &alloc_probe;
}

bool
alloc_is_jemalloc(void)
{
	return alloc_probe_get()->kind == ALLOC_KIND_JEMALLOC;
}

enum alloc_kind
alloc_kind_get(void)
{
	return alloc_probe_get()->kind;
}

const char *
alloc_kind_str(enum alloc_kind kind)
{
	if ((unsigned)kind >= ALLOC_KIND_COUNT)
		return "unknown";
	return alloc_kind_names[kind];
}

/* The process's resident set in bytes, or 0 when /proc cannot say. */
static uint64_t
alloc_rss_bytes(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	unsigned long long size, resident;
	long page = sysconf(_SC_PAGESIZE);
	int n;

	if (f == NULL)
		return 0;
	n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	if (n != 2 || page <= 0)
		return 0;
	return (uint64_t)resident * (uint64_t)page;
}

static int
alloc_mallctl_size(alloc_mallctl_fn ctl, const char *name, uint64_t *out)
{
	size_t v, len = sizeof(v);
	int rc = ctl(name, &v, &len, NULL, 0);

	if (rc != 0)
		return -rc; /* mallctl returns a positive errno */
	*out = v;
	return 0;
}

static int
alloc_stats_jemalloc(alloc_mallctl_fn ctl, struct alloc_stats *st)
{
	uint64_t epoch = 1;
	size_t len = sizeof(epoch);
	int rc;

	/* Statistics are snapshots taken per epoch: bump it to refresh. */
	rc = ctl("epoch", &epoch, &len, &epoch, len);
	if (rc != 0)
		return -rc;
	if ((rc = alloc_mallctl_size(ctl, "stats.allocated", &st->allocated)) <
			0 ||
		(rc = alloc_mallctl_size(ctl, "stats.active", &st->active)) <
			0 ||
		(rc = alloc_mallctl_size(
			 ctl, "stats.resident", &st->resident)) < 0 ||
		(rc = alloc_mallctl_size(ctl, "stats.mapped", &st->mapped)) < 0)
		return rc;
	return 0;
}

static void
alloc_stats_sanitizer(const struct alloc_probe *p, struct alloc_stats *st)
{
	st->allocated = p->san_allocated();
	st->active = st->allocated;
	st->mapped = p->san_heap();
	st->resident = alloc_rss_bytes();
}

static void
alloc_stats_glibc(struct alloc_stats *st)
{
	struct mallinfo2 mi = mallinfo2();

	/* Large blocks are mmapped apart from the arena (hblkhd). */
	st->allocated = mi.uordblks + mi.hblkhd;
	st->active = st->allocated;
	st->mapped = mi.arena + mi.hblkhd;
	st->resident = alloc_rss_bytes();
}

int
alloc_stats_get(struct alloc_stats *st)
{
	const struct alloc_probe *p = alloc_probe_get();
	int rc = 0;

	if (st == NULL)
		return -EINVAL;
	*st = (struct alloc_stats){
		.kind = p->kind,
		.allocator = alloc_kind_str(p->kind),
	};
	switch (p->kind) {
	case ALLOC_KIND_JEMALLOC:
		rc = alloc_stats_jemalloc(p->mallctl, st);
		break;
	case ALLOC_KIND_SANITIZER:
		alloc_stats_sanitizer(p, st);
		break;
	default:
		alloc_stats_glibc(st);
		break;
	}
	return rc;
}
