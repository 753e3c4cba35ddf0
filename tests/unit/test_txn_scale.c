/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: control/txn at 100,000 concurrent transactions. Memory is
 * checked by the sanitizer build (ASAN_OPTIONS=detect_leaks=1): every
 * transaction must be freed by its own expiry, before the layer goes.
 */
#include <stdio.h>

#include "test_txn.h"

#define SCALE_N 100000u

static void
test_scale_100k_server_transactions_expire_cleanly(void **state)
{
	struct h *h = *state;
	char branch[32];

	h->record = false;
	h->auto_code = 200;
	for (unsigned i = 0; i < SCALE_N; i++) {
		(void)snprintf(branch, sizeof(branch), "z9hG4bK%08u", i);
		assert_int_equal(
			h_request(h, &(struct h_req){.branch = branch}), 0);
	}
	assert_int_equal(txn_layer_count(h->layer), SCALE_N);
	assert_int_equal(h->n_req, SCALE_N);
	/* Lookups still find each one: retransmissions are absorbed. */
	for (unsigned i = 0; i < SCALE_N; i += 997) {
		(void)snprintf(branch, sizeof(branch), "z9hG4bK%08u", i);
		assert_int_equal(
			h_request(h, &(struct h_req){.branch = branch}), 0);
	}
	assert_int_equal(h->n_req, SCALE_N);
	h_at(h, 31999);
	assert_int_equal(txn_layer_count(h->layer), SCALE_N);
	h_at(h, 32000); /* timer J of all of them */
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h->n_sterm, SCALE_N);
	assert_int_equal(timer_wheel_count(h->wheel), 0);
	assert_int_equal(
		h_stat(h, TXN_STAT_TERMINATED_SERVER_NON_INVITE), SCALE_N);
}

static void
test_scale_100k_client_transactions_time_out_cleanly(void **state)
{
	struct h *h = *state;
	char branch[32];

	h->record = false;
	for (unsigned i = 0; i < SCALE_N; i++) {
		(void)snprintf(branch, sizeof(branch), "z9hG4bK%08u", i);
		assert_non_null(h_client_send(h, "OPTIONS", branch, false));
	}
	assert_int_equal(txn_layer_count(h->layer), SCALE_N);
	/* Walk time as an event loop would, so that E retransmits. */
	for (uint64_t ms = 500; ms <= 32000; ms += 500)
		h_at(h, ms);
	assert_int_equal(txn_layer_count(h->layer), 0);
	assert_int_equal(h_stat(h, TXN_STAT_TIMEOUT_F), SCALE_N);
	assert_int_equal(h_stat(h, TXN_STAT_REQ_RETX_SENT), 10 * SCALE_N);
	assert_int_equal(h->n_cterm, SCALE_N);
	assert_int_equal(timer_wheel_count(h->wheel), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, h_setup_small, h_teardown)

int
test_txn_scale_run(void)
{
	const struct CMUnitTest tests[] = {
		T(test_scale_100k_server_transactions_expire_cleanly),
		T(test_scale_100k_client_transactions_time_out_cleanly),
	};

	return cmocka_run_group_tests_name("txn_scale", tests, NULL, NULL);
}
