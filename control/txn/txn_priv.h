/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * txn internals, shared by txn.c (layer, table, timers), txn_server.c and
 * txn_client.c. Not for other modules.
 */
#ifndef SIPEDGE_CONTROL_TXN_TXN_PRIV_H
#define SIPEDGE_CONTROL_TXN_TXN_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "control/txn/txn.h"
#include "platform/sip/sip.h"
#include "platform/timer/time.h"
#include "platform/timer/timer.h"

/* Largest message the layer builds or keeps (a UDP datagram's limit). */
#define TXN_MSG_MAX 65535u
/* Longest branch and sent-by host in a key (longer: malformed). */
#define TXN_KEY_PART_MAX 255u
/* Key header: side, method class, port (2 bytes), branch length. */
#define TXN_KEY_HDR 5u
#define TXN_KEY_MAX (TXN_KEY_HDR + 2 * TXN_KEY_PART_MAX)
/* Side byte of a key: a server and a client transaction never match. */
#define TXN_KEY_SERVER 'S'
#define TXN_KEY_CLIENT 'C'
/* Hex digits of a generated tag or branch suffix. */
#define TXN_RAND_HEX 16u

/* txn.flags */
#define TXN_F_RSP_SENT (1u << 0)  /* server: a response went out */
#define TXN_F_TO_TAGGED (1u << 1) /* server: the request's To had a tag */

/*
 * One transaction, in one allocation with its variable part:
 *
 *	data[0 .. key_len)                 the key (txn_key_*)
 *	data[key_len .. + skel_len)        server: the request's Via, RR,
 *	                                   From, To, Call-ID, CSeq lines
 *	data[slot_off .. + slot_cap)       the slot: client: the request,
 *	                                   then the ACK; server: the last
 *	                                   response
 *
 * `out` points at the slot, or at `spill` when the message outgrew it.
 */
struct txn {
	struct txn *next;   /* hash chain */
	struct txn **pprev; /* the pointer that points here */
	struct timer timer; /* the one timer: min(retx_ns, end_ns) */
	struct txn_layer *layer;
	uint64_t retx_ns; /* next retransmission (or 100 Trying); MAX: none */
	uint64_t end_ns;  /* end of the current state; MAX: none */
	uint64_t retx_iv; /* interval that produced retx_ns */
	struct netaddr peer;
	struct txn_transport tp;
	txn_response_fn cb; /* client: the TU's callback */
	void *arg;	    /* the TU's context */
	char *out;	    /* what a retransmission sends */
	char *spill;	    /* second buffer, or NULL */
	uint32_t hash;
	uint32_t out_len;
	uint32_t slot_cap;
	uint32_t spill_cap;
	uint32_t skel_len;
	uint16_t key_len;
	uint16_t last_code;
	uint16_t hold;	/* > 0 while a callback or the layer uses it */
	uint8_t kind;	/* enum txn_kind */
	uint8_t state;	/* enum txn_state */
	uint8_t method; /* enum sip_method (ACK never: it joins INVITE) */
	uint8_t reliable;
	uint8_t flags; /* TXN_F_* */
	uint8_t tag_len;
	char tag[TXN_TAG_MAX];
	char data[]; /* key, skeleton, slot */
};

/* The layer: one per control thread. */
struct txn_layer {
	struct txn_layer_conf conf; /* timers resolved */
	uint64_t (*now_ns)(void);
	struct txn **buckets;
	uint32_t mask;
	size_t count;
	uint64_t hkey[2]; /* SipHash key of the table */
	uint64_t rkey[2]; /* SipHash key of tags and branches */
	uint64_t rseq;	  /* counter the tags and branches hash */
	uint64_t *shard;  /* counters: registry shard or own array */
	uint64_t *own;	  /* own counters when there is no registry */
	unsigned stat_base;
	unsigned gauge_base;
	struct sip_msg scratch; /* parses the layer makes itself */
	char buf[TXN_MSG_MAX];	/* responses and ACKs are built here */
};

/* ---- txn.c ---------------------------------------------------------- */

static inline void
txn_stat_inc(struct txn_layer *l, enum txn_stat id)
{
	stats_inc(l->shard, l->stat_base + (unsigned)id);
}

static inline uint64_t
txn_now(const struct txn_layer *l)
{
	return l->now_ns();
}

static inline char *
txn_slot(struct txn *t)
{
	return t->data + t->key_len + t->skel_len;
}

static inline const char *
txn_skel(const struct txn *t)
{
	return t->data + t->key_len;
}

/* The top Via of a message: its first via-parm, parsed. */
int txn_via_top(
	const struct sip_msg *msg, struct sip_via *via, struct sstr *value);
/* True when a branch carries the RFC 3261 cookie. */
bool txn_branch_has_cookie(struct sstr branch);
/* Write a key; return its length, or 0 when a part is too long. */
uint16_t txn_key_make(char *key, char side, enum sip_method cls, uint16_t port,
	struct sstr branch, struct sstr host);
struct txn *txn_lookup(
	struct txn_layer *l, const char *key, uint16_t len, uint32_t *hash);
/* One allocation: the struct, key copied, extra bytes for skel + slot. */
struct txn *txn_alloc(struct txn_layer *l, const char *key, uint16_t key_len,
	uint32_t hash, uint32_t skel_len, uint32_t slot_cap);
/* Free an allocation that never went into the table. */
void txn_free_unlinked(struct txn *t);
/* Record the transport (and whether it is reliable). */
void txn_transport_set(struct txn *t, const struct txn_transport *tp);
/* True for TCP and TLS. */
bool txn_tp_is_reliable(const struct txn_transport *tp);
/* Put a transaction in the table and count it. */
void txn_link(struct txn *t);
/* Replace what retransmissions send; -ENOMEM leaves it as it was. */
int txn_out_store(struct txn *t, const char *buf, uint32_t len);
/* Send buf the transaction's way. 0, or a transport failure (-errno). */
int txn_send(struct txn *t, const char *buf, uint32_t len);
/* Arm the timer at min(retx_ns, end_ns), or disarm. */
void txn_arm(struct txn *t);
/* The next retransmission deadline iv after the last, never in the past. */
uint64_t txn_retx_next(const struct txn *t, uint64_t now, uint64_t iv);
/* Tell the TU (server: conf.on_event; client: cb), holding t meanwhile. */
void txn_notify(struct txn *t, enum txn_event ev, const struct sip_msg *rsp);
/* Leave the table, report TERMINATED, free unless held. Idempotent. */
void txn_terminate(struct txn *t);
/* TRANSPORT_ERROR then terminate. */
void txn_fail_transport(struct txn *t);
/* Free a terminated transaction nobody holds any more. */
void txn_release(struct txn *t);
/* Write TXN_RAND_HEX unpredictable hex digits. */
void txn_rand_hex(struct txn_layer *l, char *out);

/* ---- txn_server.c / txn_client.c: timer expiries ------------------- */

void txn_server_on_timer(struct txn *t, bool is_end, uint64_t now);
void txn_client_on_timer(struct txn *t, bool is_end, uint64_t now);

#endif
