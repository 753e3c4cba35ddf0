/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-source rate limit (DESIGN.md policy order, step 2): a token bucket
 * per source address in each worker, without locks. The table is a fixed
 * array indexed by a hash of the address: a source that lands on a slot
 * held by another takes it over with a full bucket, so the table needs no
 * eviction and its memory is bounded; with table_size well above the
 * sources active at once such takeovers are rare. Since the PMD may spread
 * one source over all workers, each enforces 1/N of the configured rate
 * and burst (the config documents this).
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_jhash.h>
#include <rte_malloc.h>

#include "dataplane/dp_priv.h"

void
dp_rl_set(struct dp_worker *w, uint32_t rps, uint32_t burst,
		unsigned n_workers, bool reset)
{
	uint64_t hz = rte_get_tsc_hz();

	/* Tokens are kept in units of 1/hz token: one per TSC tick at a
	 * rate of one request per second, so refills need no division. */
	w->rl_rate = rps / n_workers;
	if (rps && w->rl_rate == 0)
		w->rl_rate = 1;
	w->rl_burst = (uint64_t)RTE_MAX(burst / n_workers, 1u) * hz;
	/* After this long idle a bucket is full whatever it held (and the
	 * refill product cannot overflow). */
	w->rl_fill = w->rl_rate ? w->rl_burst / w->rl_rate + 1 : 0;
	/* New settings: every source starts again with a full bucket. */
	if (reset && w->rl)
		memset(w->rl, 0, sizeof(*w->rl) * w->rl_size);
}

int
dp_rl_init(struct dp_worker *w, const struct dp_ratelimit_cfg *cfg,
		unsigned n_workers)
{
	w->rl_size = cfg->table_size ? cfg->table_size : 1024;
	w->rl = rte_zmalloc("dp_rl", sizeof(*w->rl) * w->rl_size,
			RTE_CACHE_LINE_SIZE);
	if (w->rl == NULL)
		return -1;
	dp_rl_set(w, cfg->requests_per_second, cfg->burst, n_workers, true);
	return 0;
}

void
dp_rl_free(struct dp_worker *w)
{
	rte_free(w->rl);
	w->rl = NULL;
}

bool
dp_rl_allow(struct dp_worker *w, const struct netaddr *src, uint64_t now)
{
	if (w->rl_rate == 0)
		return true;
	uint32_t h = rte_jhash(src->ip, src->family == AF_INET ? 4 : 16,
			src->family);
	struct dp_rl_bucket *b = &w->rl[h & (w->rl_size - 1)];
	uint64_t hz = rte_get_tsc_hz();

	if (b->family != src->family ||
	    memcmp(b->ip, src->ip, src->family == AF_INET ? 4 : 16) != 0) {
		/* A new source, or another one taking the slot over. */
		b->family = src->family;
		memcpy(b->ip, src->ip, 16);
		b->tokens = w->rl_burst;
		b->last = now;
	} else {
		uint64_t el = now - b->last;

		b->tokens = el >= w->rl_fill ? w->rl_burst :
			RTE_MIN(b->tokens + el * w->rl_rate, w->rl_burst);
		b->last = now;
	}
	if (b->tokens < hz)
		return false;
	b->tokens -= hz;
	return true;
}

/*
 * New settings are published as a snapshot; each worker applies them to
 * its own buckets at its next poll (dp_rl_refresh()), so nothing is
 * written under a running worker and no bucket is reset: a reload does
 * not hand every source a fresh burst.
 */
int
dp_set_rate_limit(struct dp *dp, uint32_t requests_per_second, uint32_t burst)
{
	struct dp_rl_settings *s = rte_zmalloc("dp_rl_set", sizeof(*s), 0);

	if (s == NULL)
		return -ENOMEM;
	s->gen = ++dp->rl_gen;
	s->rps = requests_per_second;
	s->burst = burst;
	if (!dp->running)
		for (unsigned i = 0; i < dp->n_workers; i++) {
			dp_rl_set(&dp->workers[i], requests_per_second, burst,
					dp->n_workers, true);
			dp->workers[i].rl_gen = s->gen;
		}
	dp_snapshot_swap((void **)&dp->rl_set, s, rte_free);
	return 0;
}

void
dp_rl_refresh(struct dp_worker *w)
{
	const struct dp_rl_settings *s = rcu_dereference(w->dp->rl_set);

	if (s != NULL && s->gen != w->rl_gen) {
		dp_rl_set(w, s->rps, s->burst, w->dp->n_workers, false);
		w->rl_gen = s->gen;
	}
}
