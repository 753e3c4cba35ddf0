/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transaction layer's common part: the layer, the table, the timer,
 * the one-shot memory, counters, tags and branches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "control/txn/txn_priv.h"
#include "platform/stats/stats.h"

#define TXN_HASH_SIZE_DEFAULT 1024u
#define TXN_HASH_SIZE_MAX (1u << 30)
#define TXN_RSP_RESERVE_DEFAULT 256u

/* ---- Names ---------------------------------------------------------- */

#define TXN_NAME_(sym, num, name) [num] = name,
static const char *const txn_kind_names[] = {TXN_KIND_LIST(TXN_NAME_)};
static const char *const txn_state_names[] = {TXN_STATE_LIST(TXN_NAME_)};
static const char *const txn_event_names[] = {TXN_EVENT_LIST(TXN_NAME_)};
#undef TXN_NAME_
#define TXN_TP_NAME_(sym, num, name, rel) [num] = name,
static const char *const txn_tp_names[] = {TXN_TP_LIST(TXN_TP_NAME_)};
#undef TXN_TP_NAME_
#define TXN_TP_REL_(sym, num, name, rel) [num] = rel,
static const uint8_t txn_tp_reliable[] = {TXN_TP_LIST(TXN_TP_REL_)};
#undef TXN_TP_REL_

_Static_assert(TXN_STAT_CREATED_SERVER_INVITE + TXN_KIND_CLIENT_NON_INVITE ==
			       TXN_STAT_CREATED_CLIENT_NON_INVITE &&
		       TXN_STAT_TERMINATED_SERVER_INVITE +
				       TXN_KIND_CLIENT_NON_INVITE ==
			       TXN_STAT_TERMINATED_CLIENT_NON_INVITE,
	"per-kind counters follow enum txn_kind");

const char *
txn_kind_str(enum txn_kind kind)
{
	return (unsigned)kind < TXN_KIND_COUNT ? txn_kind_names[kind]
					       : "unknown";
}

const char *
txn_state_str(enum txn_state state)
{
	return (unsigned)state < TXN_STATE_COUNT ? txn_state_names[state]
						 : "unknown";
}

const char *
txn_event_str(enum txn_event ev)
{
	return (unsigned)ev < TXN_EVENT_COUNT ? txn_event_names[ev] : "unknown";
}

const char *
txn_tp_str(enum txn_tp tp)
{
	return (unsigned)tp < TXN_TP_COUNT ? txn_tp_names[tp] : "unknown";
}

/* ---- SipHash-1-3 (Aumasson, Bernstein): keyed, flood-resistant ------ */

#define TXN_ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static inline void
txn_sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = TXN_ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = TXN_ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = TXN_ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = TXN_ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = TXN_ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = TXN_ROTL(v[2], 32);
}

static uint64_t
txn_siphash(const uint64_t key[2], const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t v[4] = {
		key[0] ^ UINT64_C(0x736f6d6570736575),
		key[1] ^ UINT64_C(0x646f72616e646f6d),
		key[0] ^ UINT64_C(0x6c7967656e657261),
		key[1] ^ UINT64_C(0x7465646279746573),
	};
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, n = len & ~(size_t)7;

	for (i = 0; i < n; i += 8) {
		memcpy(&m, p + i, 8); /* little-endian hosts only (x86, arm) */
		v[3] ^= m;
		txn_sipround(v);
		v[0] ^= m;
	}
	for (unsigned k = 0; i + k < len; k++)
		b |= (uint64_t)p[i + k] << (8 * k);
	v[3] ^= b;
	txn_sipround(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	txn_sipround(v);
	txn_sipround(v);
	txn_sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/* ---- Tags and branches --------------------------------------------- */

void
txn_rand_hex(struct txn_layer *l, char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t seq = l->rseq++;
	/*
	 * A keyed hash of a counter: unique (a bijection would be too, but
	 * SipHash output does not reveal the counter) and unpredictable
	 * without the key, with one getrandom() for the layer's life.
	 */
	uint64_t v = txn_siphash(l->rkey, &seq, sizeof(seq));

	for (unsigned i = 0; i < TXN_RAND_HEX; i++, v >>= 4)
		out[i] = hex[v & 15];
}

int
txn_branch_make(struct txn_layer *layer, char *out, size_t cap)
{
	size_t n = sizeof(TXN_BRANCH_COOKIE) - 1;

	if (cap < n + TXN_RAND_HEX + 1)
		return -ENOSPC;
	memcpy(out, TXN_BRANCH_COOKIE, n);
	txn_rand_hex(layer, out + n);
	out[n + TXN_RAND_HEX] = '\0';
	return (int)(n + TXN_RAND_HEX);
}

/* ---- Keys and the table -------------------------------------------- */

int
txn_via_top(const struct sip_msg *msg, struct sip_via *via, struct sstr *value)
{
	const struct sip_hdr *h = sip_hdr_find(msg, SIP_HDR_VIA);
	struct sstr rest, v;

	if (h == NULL)
		return -EBADMSG;
	rest = sip_hdr_value(msg, h);
	if (!sip_value_next(&rest, &v))
		return -EBADMSG;
	if (sip_via_parse(v.p, sstr_end(v), via) < 0)
		return -EBADMSG;
	if (value != NULL)
		*value = v;
	return 0;
}

bool
txn_branch_has_cookie(struct sstr branch)
{
	return branch.len > sizeof(TXN_BRANCH_COOKIE) - 1 &&
	       memcmp(branch.p, TXN_BRANCH_COOKIE,
		       sizeof(TXN_BRANCH_COOKIE) - 1) == 0;
}

uint16_t
txn_key_make(char *key, char side, enum sip_method cls, uint16_t port,
	struct sstr branch, struct sstr host)
{
	if (branch.len > TXN_KEY_PART_MAX || host.len > TXN_KEY_PART_MAX)
		return 0;
	key[0] = side;
	key[1] = (char)cls;
	key[2] = (char)(port >> 8);
	key[3] = (char)(port & 0xff);
	/* The branch length keeps "ab"+"c" and "a"+"bc" apart. */
	key[4] = (char)branch.len;
	memcpy(key + TXN_KEY_HDR, branch.p, branch.len);
	/* sent-by hosts compare case-insensitively: fold them once here. */
	for (uint32_t i = 0; i < host.len; i++)
		key[TXN_KEY_HDR + branch.len + i] = sstr_lower(host.p[i]);
	return (uint16_t)(TXN_KEY_HDR + branch.len + host.len);
}

struct txn *
txn_lookup(struct txn_layer *l, const char *key, uint16_t len, uint32_t *hash)
{
	uint32_t h = (uint32_t)txn_siphash(l->hkey, key, len);

	*hash = h;
	for (struct txn *t = l->buckets[h & l->mask]; t != NULL; t = t->next)
		if (t->hash == h && t->key_len == len &&
			memcmp(t->data, key, len) == 0)
			return t;
	return NULL;
}

static void
txn_bucket_put(struct txn **b, struct txn *t)
{
	t->next = *b;
	if (*b != NULL)
		(*b)->pprev = &t->next;
	*b = t;
	t->pprev = b;
}

/*
 * Double the table when it holds as many transactions as buckets. When
 * the allocation fails the old table stays: chains get longer, nothing
 * breaks.
 */
static void
txn_table_grow(struct txn_layer *l)
{
	uint32_t n = (l->mask + 1) * 2;
	struct txn **nb;

	if (n > TXN_HASH_SIZE_MAX)
		return;
	nb = calloc(n, sizeof(*nb));
	if (nb == NULL)
		return;
	for (uint32_t i = 0; i <= l->mask; i++) {
		struct txn *t = l->buckets[i];

		while (t != NULL) {
			struct txn *next = t->next;

			txn_bucket_put(&nb[t->hash & (n - 1)], t);
			t = next;
		}
	}
	free(l->buckets);
	l->buckets = nb;
	l->mask = n - 1;
}

static void
txn_unlink(struct txn *t)
{
	if (t->pprev == NULL)
		return;
	*t->pprev = t->next;
	if (t->next != NULL)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
	t->layer->count--;
}

static void txn_timer_cb(struct timer_wheel *w, struct timer *tm, void *arg);

struct txn *
txn_alloc(struct txn_layer *l, const char *key, uint16_t key_len, uint32_t hash,
	uint32_t skel_len, uint32_t slot_cap)
{
	/* The one allocation of a transaction (STYLE.md: in one shot). */
	struct txn *t = malloc(sizeof(*t) + key_len + skel_len + slot_cap);

	if (t == NULL)
		return NULL;
	memset(t, 0, sizeof(*t));
	t->layer = l;
	t->hash = hash;
	t->key_len = key_len;
	t->skel_len = skel_len;
	t->slot_cap = slot_cap;
	t->retx_ns = UINT64_MAX;
	t->end_ns = UINT64_MAX;
	memcpy(t->data, key, key_len);
	t->out = txn_slot(t);
	timer_init(&t->timer, txn_timer_cb, t);
	return t;
}

void
txn_free_unlinked(struct txn *t)
{
	free(t->spill);
	free(t);
}

void
txn_transport_set(struct txn *t, const struct txn_transport *tp)
{
	t->tp = *tp;
	t->reliable = txn_tp_is_reliable(tp);
}

bool
txn_tp_is_reliable(const struct txn_transport *tp)
{
	return (unsigned)tp->proto < TXN_TP_COUNT && txn_tp_reliable[tp->proto];
}

void
txn_link(struct txn *t)
{
	struct txn_layer *l = t->layer;

	txn_bucket_put(&l->buckets[t->hash & l->mask], t);
	l->count++;
	txn_stat_inc(l, TXN_STAT_CREATED_SERVER_INVITE + t->kind);
	stats_inc(l->shard, l->gauge_base + TXN_GAUGE_ACTIVE);
	if (l->count > (size_t)l->mask + 1)
		txn_table_grow(l);
}

/* ---- Memory of what is re-sent -------------------------------------- */

int
txn_out_store(struct txn *t, const char *buf, uint32_t len)
{
	if (len <= t->slot_cap) {
		memmove(txn_slot(t), buf, len);
		t->out = txn_slot(t);
	} else {
		/*
		 * Outgrew the slot: a second buffer, allocated once and grown
		 * only for a bigger message still. The transaction itself
		 * never moves (the TU and the wheel hold pointers to it).
		 */
		if (len > t->spill_cap) {
			char *p = realloc(t->spill, len);

			if (p == NULL)
				return -ENOMEM;
			t->spill = p;
			t->spill_cap = len;
			txn_stat_inc(t->layer, TXN_STAT_SPILL);
		}
		memmove(t->spill, buf, len);
		t->out = t->spill;
	}
	t->out_len = len;
	return 0;
}

int
txn_send(struct txn *t, const char *buf, uint32_t len)
{
	struct txn_layer *l = t->layer;
	int rc = l->conf.send(l->conf.send_ctx, &t->peer, &t->tp, buf, len);

	if (rc >= 0)
		return 0;
	/* UDP may drop anyway: a full queue is a lost datagram, not death. */
	if (!t->reliable && (rc == -EAGAIN || rc == -ENOBUFS)) {
		txn_stat_inc(l, TXN_STAT_SEND_LOST);
		return 0;
	}
	txn_stat_inc(l, TXN_STAT_TRANSPORT_ERROR);
	return rc;
}

/* ---- Timer ---------------------------------------------------------- */

void
txn_arm(struct txn *t)
{
	struct timer_wheel *w = t->layer->conf.wheel;
	uint64_t d = t->retx_ns < t->end_ns ? t->retx_ns : t->end_ns;

	if (t->state == TXN_STATE_TERMINATED || d == UINT64_MAX)
		timer_cancel(w, &t->timer);
	else
		timer_add(w, &t->timer, d);
}

uint64_t
txn_retx_next(const struct txn *t, uint64_t now, uint64_t iv)
{
	uint64_t next = time_add_ns(t->retx_ns, iv);

	/*
	 * Deadlines follow the RFC schedule from the previous deadline, not
	 * from when the loop got round to it; a loop that stalled past the
	 * next one does not send a burst to catch up.
	 */
	return next > now ? next : time_add_ns(now, iv);
}

static void
txn_timer_cb(struct timer_wheel *w, struct timer *tm, void *arg)
{
	struct txn *t = arg;
	uint64_t now = txn_now(t->layer);
	/* The timer never fires early: the earlier deadline is the due one. */
	bool is_end = t->end_ns <= t->retx_ns;

	(void)w;
	(void)tm;
	t->hold++;
	if (is_end)
		t->end_ns = UINT64_MAX;
	if (t->kind == TXN_KIND_SERVER_INVITE ||
		t->kind == TXN_KIND_SERVER_NON_INVITE)
		txn_server_on_timer(t, is_end, now);
	else
		txn_client_on_timer(t, is_end, now);
	t->hold--;
	txn_release(t);
}

/* ---- Events and termination ---------------------------------------- */

void
txn_notify(struct txn *t, enum txn_event ev, const struct sip_msg *rsp)
{
	struct txn_layer *l = t->layer;

	t->hold++;
	if (t->cb != NULL)
		t->cb(t, ev, rsp, t->arg);
	else if (l->conf.on_event != NULL &&
		 (t->kind == TXN_KIND_SERVER_INVITE ||
			 t->kind == TXN_KIND_SERVER_NON_INVITE))
		l->conf.on_event(l->conf.tu_ctx, t, ev);
	t->hold--;
}

void
txn_release(struct txn *t)
{
	if (t->state == TXN_STATE_TERMINATED && t->hold == 0)
		txn_free_unlinked(t);
}

void
txn_terminate(struct txn *t)
{
	struct txn_layer *l = t->layer;

	if (t->state == TXN_STATE_TERMINATED)
		return;
	t->state = TXN_STATE_TERMINATED;
	timer_cancel(l->conf.wheel, &t->timer);
	txn_unlink(t);
	txn_stat_inc(l, TXN_STAT_TERMINATED_SERVER_INVITE + t->kind);
	stats_sub(l->shard, l->gauge_base + TXN_GAUGE_ACTIVE, 1);
	txn_notify(t, TXN_EVENT_TERMINATED, NULL);
	txn_release(t);
}

void
txn_fail_transport(struct txn *t)
{
	if (t->state == TXN_STATE_TERMINATED)
		return;
	t->hold++;
	txn_notify(t, TXN_EVENT_TRANSPORT_ERROR, NULL);
	t->hold--;
	txn_terminate(t);
}

/* ---- The layer ------------------------------------------------------ */

void
txn_timers_default(struct txn_timers *t)
{
	t->t1_ns = 500 * TIME_NS_PER_MS;
	t->t2_ns = 4 * TIME_NS_PER_SEC;
	t->t4_ns = 5 * TIME_NS_PER_SEC;
	t->d_ns = 32 * TIME_NS_PER_SEC;
	t->trying_ns = 200 * TIME_NS_PER_MS;
	t->c_ns = 180 * TIME_NS_PER_SEC;
}

static void
txn_timers_resolve(struct txn_timers *t)
{
	struct txn_timers d;

	txn_timers_default(&d);
	if (t->t1_ns == 0)
		t->t1_ns = d.t1_ns;
	if (t->t2_ns == 0)
		t->t2_ns = d.t2_ns;
	if (t->t4_ns == 0)
		t->t4_ns = d.t4_ns;
	if (t->d_ns == 0)
		t->d_ns = d.d_ns;
	if (t->trying_ns == 0)
		t->trying_ns = d.trying_ns;
	if (t->c_ns == 0)
		t->c_ns = d.c_ns;
}

/* Find the counter blocks (another layer registered them) or register. */
static int
txn_stats_attach(struct txn_layer *l)
{
	struct stats_reg *reg = l->conf.stats;
	char name[STATS_NAME_MAX + 1];
	int base;

	if (reg == NULL) {
		l->own = calloc(
			TXN_STAT_COUNT + TXN_GAUGE_COUNT, sizeof(*l->own));
		if (l->own == NULL)
			return -ENOMEM;
		l->shard = l->own;
		l->stat_base = 0;
		l->gauge_base = TXN_STAT_COUNT;
		return 0;
	}
	(void)snprintf(name, sizeof(name), "txn_%s",
		(const char *[]){STATS_NAMES(TXN_STATS)}[0]);
	base = stats_find(reg, name);
	if (base < 0)
		base = STATS_BLOCK_REGISTER(
			reg, "txn", TXN_STATS, STATS_KIND_COUNTER);
	if (base < 0)
		return base;
	l->stat_base = (unsigned)base;
	(void)snprintf(name, sizeof(name), "txn_%s",
		(const char *[]){STATS_NAMES(TXN_GAUGES)}[0]);
	base = stats_find(reg, name);
	if (base < 0)
		base = STATS_BLOCK_REGISTER(
			reg, "txn", TXN_GAUGES, STATS_KIND_GAUGE);
	if (base < 0)
		return base;
	l->gauge_base = (unsigned)base;
	l->shard = stats_shard(reg, l->conf.stats_shard);
	return l->shard == NULL ? -EINVAL : 0;
}

static uint32_t
txn_pow2(uint32_t n)
{
	uint32_t p = 1;

	while (p < n && p < TXN_HASH_SIZE_MAX)
		p <<= 1;
	return p;
}

struct txn_layer *
txn_layer_create(const struct txn_layer_conf *conf)
{
	struct txn_layer *l;
	uint64_t rnd[4];
	int rc;

	if (conf == NULL || conf->send == NULL || conf->on_request == NULL ||
		conf->wheel == NULL) {
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->conf = *conf;
	txn_timers_resolve(&l->conf.timers);
	if (l->conf.timers.t2_ns < l->conf.timers.t1_ns) {
		free(l);
		errno = EINVAL;
		return NULL;
	}
	l->now_ns = conf->now_ns != NULL ? conf->now_ns : time_now_ns;
	if (l->conf.rsp_reserve == 0)
		l->conf.rsp_reserve = TXN_RSP_RESERVE_DEFAULT;
	l->mask = txn_pow2(conf->hash_size ? conf->hash_size
					   : TXN_HASH_SIZE_DEFAULT) -
		  1;
	l->buckets = calloc((size_t)l->mask + 1, sizeof(*l->buckets));
	if (l->buckets == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	/* The only syscall for randomness in the layer's life. */
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		rc = errno ? -errno : -EIO;
		goto fail;
	}
	l->hkey[0] = rnd[0];
	l->hkey[1] = rnd[1];
	l->rkey[0] = rnd[2];
	l->rkey[1] = rnd[3];
	rc = txn_stats_attach(l);
	if (rc < 0)
		goto fail;
	return l;
fail:
	free(l->own);
	free(l->buckets);
	free(l);
	errno = -rc;
	return NULL;
}

void
txn_layer_destroy(struct txn_layer *layer)
{
	if (layer == NULL)
		return;
	for (uint32_t i = 0; i <= layer->mask; i++)
		while (layer->buckets[i] != NULL)
			txn_terminate(layer->buckets[i]);
	free(layer->buckets);
	free(layer->own);
	free(layer);
}

size_t
txn_layer_count(const struct txn_layer *layer)
{
	return layer->count;
}

uint64_t
txn_layer_stat_get(const struct txn_layer *layer, enum txn_stat id)
{
	if ((unsigned)id >= TXN_STAT_COUNT)
		return 0;
	return __atomic_load_n(
		&layer->shard[layer->stat_base + id], __ATOMIC_RELAXED);
}

/* ---- Getters -------------------------------------------------------- */

enum txn_kind
txn_kind_get(const struct txn *txn)
{
	return (enum txn_kind)txn->kind;
}

enum txn_state
txn_state_get(const struct txn *txn)
{
	return (enum txn_state)txn->state;
}

enum sip_method
txn_method_get(const struct txn *txn)
{
	return (enum sip_method)txn->method;
}

uint16_t
txn_last_code_get(const struct txn *txn)
{
	return txn->last_code;
}

const struct netaddr *
txn_peer_get(const struct txn *txn)
{
	return &txn->peer;
}

const struct txn_transport *
txn_transport_get(const struct txn *txn)
{
	return &txn->tp;
}

bool
txn_is_reliable(const struct txn *txn)
{
	return txn->reliable != 0;
}

struct sstr
txn_to_tag_get(const struct txn *txn)
{
	return (struct sstr){txn->tag, txn->tag_len};
}

void
txn_arg_set(struct txn *txn, void *arg)
{
	txn->arg = arg;
}

void *
txn_arg_get(const struct txn *txn)
{
	return txn->arg;
}
