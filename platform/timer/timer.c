/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cascading timer wheel, after Linux's classic (pre-4.8) kernel/timer.c.
 *
 * Invariant: cur_tick is the next tick to process; every tick before it has
 * run. A pending timer sits either on the due list (its tick is before
 * cur_tick: it runs at the next advance) or in exactly one slot, chosen from
 * its distance to cur_tick when it was placed:
 *
 *	level 0: distance < 2^8,  slot = expire & 255         (one tick each)
 *	level L: distance < 2^(8+6L), slot = (expire >> (8+6(L-1))) & 63
 *
 * A level-L slot is "processed" (cascaded: its timers are placed again,
 * nearer) at the first tick whose low 8+6(L-1) bits are zero and whose next
 * bits equal the slot; since the distance was below the level's span, that
 * is the next time the slot comes round, and no later than the timer's own
 * tick. Level 0 slot s is run at the tick whose low 8 bits are s.
 *
 * One bitmap bit per slot (set = list not empty) lets advance and
 * next_deadline jump straight to the next tick with work instead of walking
 * empty ticks one by one.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "platform/timer/time.h"
#include "platform/timer/timer.h"

#define TIMER_L0_BITS 8 /* level 0: 256 slots of one tick */
#define TIMER_LN_BITS 6 /* levels 1..4: 64 slots each */
#define TIMER_LEVELS 5
#define TIMER_L0_SLOTS (1u << TIMER_L0_BITS)
#define TIMER_LN_SLOTS (1u << TIMER_LN_BITS)
#define TIMER_NSLOTS (TIMER_L0_SLOTS + (TIMER_LEVELS - 1) * TIMER_LN_SLOTS)
/* Ticks the wheel spans; a deadline further away is parked at the far end. */
#define TIMER_SPAN_BITS (TIMER_L0_BITS + (TIMER_LEVELS - 1) * TIMER_LN_BITS)
#define TIMER_MAX_DISTANCE ((UINT64_C(1) << TIMER_SPAN_BITS) - 1)
/* slot value of a timer on the due list (not in any wheel slot) */
#define TIMER_SLOT_DUE TIMER_NSLOTS
#define TIMER_WORD_BITS 64u
#define TIMER_BITMAP_WORDS (TIMER_NSLOTS / TIMER_WORD_BITS)

_Static_assert(TIMER_NSLOTS % TIMER_WORD_BITS == 0 &&
		       TIMER_LN_SLOTS % TIMER_WORD_BITS == 0,
	"each level's bitmap must start on a word");

struct timer_wheel {
	uint64_t epoch_ns; /* now_ns at creation: the start of tick 0 */
	uint64_t tick_ns;  /* resolution */
	uint64_t cur_tick; /* next tick to process */
	size_t count;	   /* pending timers */
	uint64_t bitmap[TIMER_BITMAP_WORDS]; /* bit set = slot not empty */
	struct timer_link due;		     /* added behind cur_tick */
	struct timer_link slots[TIMER_NSLOTS];
};

/* --- list helpers: circular, with a sentinel head per slot --- */

static inline void
timer_link_init(struct timer_link *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool
timer_link_is_empty(const struct timer_link *head)
{
	return head->next == head;
}

static inline void
timer_link_append(struct timer_link *head, struct timer_link *n)
{
	n->prev = head->prev;
	n->next = head;
	head->prev->next = n;
	head->prev = n;
}

/* Unlink n; NULL links are what timer_is_pending() reads as "not pending". */
static inline void
timer_link_del(struct timer_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = NULL;
	n->prev = NULL;
}

/* Move every node of from (non-empty) onto the empty head to, in O(1). */
static inline void
timer_link_move(struct timer_link *from, struct timer_link *to)
{
	to->next = from->next;
	to->prev = from->prev;
	to->next->prev = to;
	to->prev->next = to;
	timer_link_init(from);
}

static inline struct timer *
timer_of_link(struct timer_link *l)
{
	return (struct timer *)((char *)l - offsetof(struct timer, link));
}

/* --- level geometry --- */

static inline unsigned
timer_level_shift(unsigned level)
{
	return level == 0 ? 0 : TIMER_L0_BITS + (level - 1) * TIMER_LN_BITS;
}

static inline unsigned
timer_level_slots(unsigned level)
{
	return level == 0 ? TIMER_L0_SLOTS : TIMER_LN_SLOTS;
}

/* Index in slots[] of the level's slot 0. */
static inline unsigned
timer_level_base(unsigned level)
{
	return level == 0 ? 0 : TIMER_L0_SLOTS + (level - 1) * TIMER_LN_SLOTS;
}

/* The level whose span holds a distance (<= TIMER_MAX_DISTANCE) in ticks. */
static inline unsigned
timer_level_of(uint64_t distance)
{
	unsigned msb;

	if (distance < TIMER_L0_SLOTS)
		return 0;
	msb = 63u - (unsigned)__builtin_clzll(distance);
	return 1 + (msb - TIMER_L0_BITS) / TIMER_LN_BITS;
}

/* --- bitmap --- */

static inline void
timer_bit_set(struct timer_wheel *w, unsigned slot)
{
	w->bitmap[slot / TIMER_WORD_BITS] |= UINT64_C(1)
					     << (slot % TIMER_WORD_BITS);
}

static inline void
timer_bit_clear(struct timer_wheel *w, unsigned slot)
{
	w->bitmap[slot / TIMER_WORD_BITS] &=
		~(UINT64_C(1) << (slot % TIMER_WORD_BITS));
}

static inline bool
timer_bit_is_set(const struct timer_wheel *w, unsigned slot)
{
	return (w->bitmap[slot / TIMER_WORD_BITS] >> (slot % TIMER_WORD_BITS)) &
	       1;
}

/*
 * How many slots after from (circularly, from itself = 0) the first
 * non-empty slot of a level is, or the level's slot count when all are
 * empty. Reads each of the level's words once, plus from's word again for
 * the bits below from.
 */
static unsigned
timer_level_distance(const struct timer_wheel *w, unsigned level, unsigned from)
{
	unsigned nslots = timer_level_slots(level);
	unsigned nwords = nslots / TIMER_WORD_BITS;
	const uint64_t *words =
		&w->bitmap[timer_level_base(level) / TIMER_WORD_BITS];
	unsigned wi = from / TIMER_WORD_BITS;
	uint64_t bits = words[wi] & (~UINT64_C(0) << (from % TIMER_WORD_BITS));

	for (unsigned i = 0; i <= nwords; i++) {
		if (bits != 0) {
			unsigned pos = wi * TIMER_WORD_BITS +
				       (unsigned)__builtin_ctzll(bits);

			return (pos - from) & (nslots - 1);
		}
		wi = (wi + 1) % nwords;
		bits = words[wi];
	}
	return nslots;
}

/*
 * The first tick >= cur_tick at which some slot has work (run or cascade),
 * or UINT64_MAX when the wheel holds nothing. A lower bound on every pending
 * timer's tick, by the invariant in the file comment.
 */
static uint64_t
timer_wheel_next_tick(const struct timer_wheel *w)
{
	uint64_t best = UINT64_MAX;

	/* The common busy case: the very next tick has timers. */
	if (timer_bit_is_set(w, (unsigned)(w->cur_tick & (TIMER_L0_SLOTS - 1))))
		return w->cur_tick;
	for (unsigned level = 0; level < TIMER_LEVELS; level++) {
		unsigned shift = timer_level_shift(level);
		uint64_t low = (UINT64_C(1) << shift) - 1;
		/* first block of this level processed at or after cur_tick */
		uint64_t first =
			(w->cur_tick >> shift) + ((w->cur_tick & low) != 0);
		unsigned nslots = timer_level_slots(level);
		unsigned k = timer_level_distance(
			w, level, (unsigned)(first & (nslots - 1)));
		uint64_t tick;

		if (k == nslots)
			continue;
		tick = (first + k) << shift;
		if (tick < best)
			best = tick;
	}
	return best;
}

/* Start of a tick in CLOCK_MONOTONIC ns, saturated at UINT64_MAX. */
static uint64_t
timer_wheel_tick_to_ns(const struct timer_wheel *w, uint64_t tick)
{
	if (tick > (UINT64_MAX - w->epoch_ns) / w->tick_ns)
		return UINT64_MAX;
	return w->epoch_ns + tick * w->tick_ns;
}

/* A deadline as a tick, rounded up so that the timer never fires early. */
static uint64_t
timer_wheel_ns_to_tick(const struct timer_wheel *w, uint64_t deadline_ns)
{
	uint64_t d;

	if (deadline_ns <= w->epoch_ns)
		return 0;
	d = deadline_ns - w->epoch_ns;
	return d / w->tick_ns + (d % w->tick_ns != 0);
}

/* Link a non-pending timer where its expire_tick belongs now. */
static void
timer_wheel_place(struct timer_wheel *w, struct timer *t)
{
	uint64_t expire = t->expire_tick;
	uint64_t distance;
	unsigned level, slot;

	if (expire < w->cur_tick) {
		t->slot = TIMER_SLOT_DUE;
		timer_link_append(&w->due, &t->link);
		return;
	}
	distance = expire - w->cur_tick;
	if (distance > TIMER_MAX_DISTANCE) {
		/* Park at the far end; its cascade places it again from the
		 * real expire_tick, which is kept. */
		distance = TIMER_MAX_DISTANCE;
		expire = w->cur_tick + distance;
	}
	level = timer_level_of(distance);
	slot = timer_level_base(level) +
	       (unsigned)((expire >> timer_level_shift(level)) &
			  (timer_level_slots(level) - 1));
	t->slot = slot;
	timer_link_append(&w->slots[slot], &t->link);
	timer_bit_set(w, slot);
}

struct timer_wheel *
timer_wheel_create(uint64_t now_ns, uint64_t tick_ns)
{
	struct timer_wheel *w;

	if (tick_ns == 0) {
		errno = EINVAL;
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->epoch_ns = now_ns;
	w->tick_ns = tick_ns;
	timer_link_init(&w->due);
	for (unsigned i = 0; i < TIMER_NSLOTS; i++)
		timer_link_init(&w->slots[i]);
	return w;
}

void
timer_wheel_destroy(struct timer_wheel *wheel)
{
	free(wheel);
}

void
timer_init(struct timer *t, timer_cb cb, void *arg)
{
	t->link.next = NULL;
	t->link.prev = NULL;
	t->expire_tick = 0;
	t->cb = cb;
	t->arg = arg;
	t->slot = TIMER_SLOT_DUE;
}

void
timer_add(struct timer_wheel *wheel, struct timer *t, uint64_t deadline_ns)
{
	timer_cancel(wheel, t);
	t->expire_tick = timer_wheel_ns_to_tick(wheel, deadline_ns);
	timer_wheel_place(wheel, t);
	wheel->count++;
}

void
timer_cancel(struct timer_wheel *wheel, struct timer *t)
{
	if (!timer_is_pending(t))
		return;
	timer_link_del(&t->link);
	wheel->count--;
	/*
	 * A timer being run sits on advance's private list but still names
	 * the slot it came from; testing that slot's list (not "was I last")
	 * keeps the bit right in both cases.
	 */
	if (t->slot < TIMER_NSLOTS &&
		timer_link_is_empty(&wheel->slots[t->slot]))
		timer_bit_clear(wheel, t->slot);
}

uint64_t
timer_expire_ns(const struct timer_wheel *wheel, const struct timer *t)
{
	return timer_wheel_tick_to_ns(wheel, t->expire_tick);
}

/*
 * Call every timer of a private list. Each is unlinked before its callback,
 * so the callback sees it not pending and may re-add or free it; timers that
 * a callback cancels are unlinked from this list and so never called.
 */
static unsigned
timer_wheel_run_list(struct timer_wheel *w, struct timer_link *work)
{
	unsigned ran = 0;

	while (!timer_link_is_empty(work)) {
		struct timer *t = timer_of_link(work->next);

		timer_link_del(&t->link);
		w->count--;
		t->cb(w, t, t->arg);
		ran++;
	}
	return ran;
}

/* Place again, nearer, every timer of one slot (no callbacks run here). */
static void
timer_wheel_cascade(struct timer_wheel *w, unsigned slot)
{
	struct timer_link list;

	if (timer_link_is_empty(&w->slots[slot]))
		return;
	timer_link_move(&w->slots[slot], &list);
	timer_bit_clear(w, slot);
	while (!timer_link_is_empty(&list)) {
		struct timer *t = timer_of_link(list.next);

		timer_link_del(&t->link);
		timer_wheel_place(w, t);
	}
}

/*
 * At a tick whose low bits are zero for levels 1..L, cascade each of those
 * levels' current slot. Lower levels first, as Linux does; the order does
 * not matter since a cascaded timer never lands in a slot processed at this
 * same tick above level 0.
 */
static void
timer_wheel_cascade_at(struct timer_wheel *w, uint64_t tick)
{
	for (unsigned level = 1; level < TIMER_LEVELS; level++) {
		unsigned shift = timer_level_shift(level);

		if ((tick & ((UINT64_C(1) << shift) - 1)) != 0)
			break;
		timer_wheel_cascade(
			w, timer_level_base(level) +
				   (unsigned)((tick >> shift) &
					      (TIMER_LN_SLOTS - 1)));
	}
}

/* Process one tick (cur_tick == tick): cascade into it, then run it. */
static unsigned
timer_wheel_run_tick(struct timer_wheel *w, uint64_t tick)
{
	unsigned slot = (unsigned)(tick & (TIMER_L0_SLOTS - 1));
	struct timer_link work;

	/* Cascades place timers relative to cur_tick: it must be this tick. */
	w->cur_tick = tick;
	timer_wheel_cascade_at(w, tick);
	if (timer_link_is_empty(&w->slots[slot])) {
		w->cur_tick = tick + 1;
		return 0;
	}
	timer_link_move(&w->slots[slot], &work);
	timer_bit_clear(w, slot);
	/*
	 * Move past the tick before the callbacks run: one re-adding a timer
	 * for this tick or earlier then puts it on the due list (next
	 * advance) instead of this slot, where it would wait a full
	 * rotation; one adding for the next tick gets it run in this call.
	 */
	w->cur_tick = tick + 1;
	return timer_wheel_run_list(w, &work);
}

unsigned
timer_wheel_advance(struct timer_wheel *wheel, uint64_t now_ns)
{
	struct timer_link work;
	unsigned ran = 0;
	uint64_t target;

	/* Take the due list whole: what callbacks add to it waits for the
	 * next call, so a timer re-armed in the past cannot spin here. */
	if (!timer_link_is_empty(&wheel->due)) {
		timer_link_move(&wheel->due, &work);
		ran += timer_wheel_run_list(wheel, &work);
	}
	if (now_ns < wheel->epoch_ns)
		return ran;
	target = (now_ns - wheel->epoch_ns) / wheel->tick_ns;
	/* keep target + 1 representable (now_ns near UINT64_MAX, 1 ns tick) */
	if (target == UINT64_MAX)
		target--;
	while (wheel->cur_tick <= target) {
		uint64_t tick = timer_wheel_next_tick(wheel);

		if (tick > target) {
			/* Nothing until past now: skip the empty stretch. */
			wheel->cur_tick = target + 1;
			break;
		}
		ran += timer_wheel_run_tick(wheel, tick);
	}
	return ran;
}

uint64_t
timer_wheel_next_deadline(const struct timer_wheel *wheel)
{
	uint64_t tick;

	/* Due timers exist only once cur_tick > 0; the start of the last
	 * processed tick is no later than the now that processed it. */
	if (!timer_link_is_empty(&wheel->due))
		return timer_wheel_tick_to_ns(wheel, wheel->cur_tick - 1);
	tick = timer_wheel_next_tick(wheel);
	if (tick == UINT64_MAX)
		return UINT64_MAX;
	return timer_wheel_tick_to_ns(wheel, tick);
}

int
timer_wheel_timeout_ms(const struct timer_wheel *wheel, uint64_t now_ns)
{
	uint64_t next = timer_wheel_next_deadline(wheel);
	uint64_t ms;

	if (next == UINT64_MAX)
		return -1;
	if (next <= now_ns)
		return 0;
	ms = time_ns_to_ms_ceil(next - now_ns);
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

size_t
timer_wheel_count(const struct timer_wheel *wheel)
{
	return wheel->count;
}

uint64_t
timer_wheel_tick_ns(const struct timer_wheel *wheel)
{
	return wheel->tick_ns;
}
