/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Harness of the transaction-layer tests (test_txn*.c): a layer on a timer
 * wheel advanced by hand with explicit times, a transport that records
 * what was sent, a TU that records what it was told.
 */
#ifndef SIPEDGE_TEST_TXN_H
#define SIPEDGE_TEST_TXN_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "control/txn/txn.h"
#include "platform/sip/sip.h"
#include "platform/stats/stats.h"
#include "platform/timer/time.h"
#include "platform/timer/timer.h"

/* A CLOCK_MONOTONIC-like start, far from 0; the wheel's epoch. */
#define H_EPOCH (UINT64_C(1000) * TIME_NS_PER_SEC)
#define H_MS TIME_NS_PER_MS
#define H_MAX_SENT 256
#define H_MAX_EV 64

/* One message the transport was given. */
struct h_sent {
	struct netaddr to;
	struct txn_transport tp;
	char *buf;
	uint32_t len;
};

/* A request to feed the server side; NULL / 0 fields take defaults. */
struct h_req {
	const char *method;	 /* "OPTIONS" */
	const char *branch;	 /* "z9hG4bKaaaa" */
	const char *via_params;	 /* appended after the branch: ";rport" */
	const char *sent_by;	 /* "198.51.100.10:5070" */
	const char *to_tag;	 /* To tag, none by default */
	const char *cseq_method; /* the method (ACK for ACK...) */
	const char *extra;	 /* more header lines, CRLF-terminated */
	unsigned cseq;		 /* 1 */
	bool tcp;		 /* over TCP, connection 42 */
	const struct txn_transport *tp; /* the transport, overriding tcp */
};

/* A response to feed the client side. */
struct h_rsp {
	uint16_t code;
	const char *branch;	 /* "z9hG4bKc1" */
	const char *cseq_method; /* "OPTIONS" */
	const char *to_tag;	 /* "t1" */
	unsigned cseq;		 /* 1 */
};

struct h {
	struct timer_wheel *wheel;
	struct txn_layer *layer;
	struct stats_reg *reg;
	struct sip_msg *msg;  /* parses of inputs */
	struct sip_msg *smsg; /* parses of what was sent */
	char *text;	      /* the text of the last input */
	/* transport */
	bool record; /* keep copies of what is sent */
	int send_rc; /* what send returns */
	unsigned n_sent;
	struct h_sent sent[H_MAX_SENT];
	/* server TU */
	uint16_t auto_code; /* answer in on_request with this */
	unsigned n_req;
	unsigned n_ack;
	struct txn *txn; /* last server transaction; NULL once terminated */
	unsigned n_sev;
	enum txn_event sev[H_MAX_EV];
	unsigned n_sterm; /* server TERMINATED events */
	/* client TU */
	struct txn *ctxn; /* last client transaction; NULL once terminated */
	unsigned n_cev;
	enum txn_event cev[H_MAX_EV];
	uint16_t ccode[H_MAX_EV];
	unsigned n_cterm; /* client TERMINATED events */
};

/* cmocka setup and teardown: a fresh harness per test in *state. */
int h_setup(void **state);
int h_teardown(void **state);
/* Same with the layer over hash_size 16 (so that the table grows). */
int h_setup_small(void **state);

/* The time now, milliseconds after H_EPOCH. */
uint64_t h_now_ms(void);
/* Set the clock to ms after H_EPOCH and advance the wheel to it. */
void h_at(struct h *h, uint64_t ms);

/* Feed a request (server side); returns txn_input_request()'s value. */
int h_request(struct h *h, const struct h_req *r);
/* Feed a response (client side); returns txn_input_response()'s value. */
int h_response(struct h *h, const struct h_rsp *r);
/* Write a client request into out; returns its length. */
uint32_t h_client_text(
	char *out, size_t cap, const char *method, const char *branch);
/* Start a client transaction on UDP (or TCP). NULL on failure. */
struct txn *h_client_send(
	struct h *h, const char *method, const char *branch, bool tcp);
/* The client callback the harness uses. */
void h_client_cb(struct txn *txn, enum txn_event ev, const struct sip_msg *rsp,
	void *arg);

/* Parse sent message i (asserting it parses); valid until the next call. */
const struct sip_msg *h_sent_msg(struct h *h, unsigned i);
/* Status of sent response i. */
uint16_t h_sent_status(struct h *h, unsigned i);
/* Value of the first header t of sent message i, as a C string. */
const char *h_sent_hdr(struct h *h, unsigned i, enum sip_hdr_type t);
/* The sent message i's start line, as a C string. */
const char *h_sent_line(struct h *h, unsigned i);
/* This layer's counter. */
uint64_t h_stat(struct h *h, enum txn_stat id);

/* The groups, run by test_txn.c's main. */
int test_txn_server_run(void);
int test_txn_client_run(void);
int test_txn_scale_run(void);

#endif
