/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The session table of the appliance's own flows (dataplane/dp_xflow.c),
 * on its own: flows noted as the kernel sends them, matched as their
 * return traffic would be, aged by passing a later TSC value (no sleep).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_tcp.h>

#include "dataplane/dp_priv.h"

static uint64_t hz;
static struct dp_xflow_timeouts to;

/* An arbitrary start, far from 0. */
#define T0 (1000 * hz)
#define S(n) ((uint64_t)(n) * hz)

static int
setup(void **state)
{
	(void)state;
	static char *eal_args[] = { "--no-huge", "-m", "64", "--no-pci",
				    "--no-telemetry", "--log-level=error" };
	char prefix[64], err[256];
	struct dp_cfg cfg = {
		.eal_args = eal_args,
		.eal_args_count = 6,
		.file_prefix = prefix,
		.workers = 1,
	};

	snprintf(prefix, sizeof(prefix), "test_dp_xflow_%d", (int)getpid());
	if (dp_eal_init(&cfg, "test_dp_xflow", NULL, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "EAL: %s\n", err);
		return -1;
	}
	hz = rte_get_tsc_hz();
	to.udp = S(180);
	to.tcp = S(7200);
	to.closing = S(10);
	return 0;
}

static struct dp_xflow_key
key(uint8_t proto, uint16_t lport, uint16_t rport, uint8_t host)
{
	struct dp_xflow_key k;

	memset(&k, 0, sizeof(k));
	k.family = AF_INET;
	k.proto = proto;
	k.lport = lport;
	k.rport = rport;
	k.raddr[0] = 198;
	k.raddr[1] = 51;
	k.raddr[2] = 100;
	k.raddr[3] = host;
	return k;
}

static void
test_udp_the_kernel_sends_opens_a_session_for_its_remote_end(void **state)
{
	(void)state;
	struct dp_xflow *t = dp_xflow_create(64, &to);
	struct dp_xflow_key k = key(IPPROTO_UDP, 40000, 53, 10);

	assert_non_null(t);
	assert_false(dp_xflow_match(t, &k, T0));
	assert_int_equal(dp_xflow_note(t, &k, 0, T0), DP_XFLOW_NOTE_NEW);
	assert_true(dp_xflow_match(t, &k, T0 + S(1)));
	dp_xflow_free(t);
}

static void
test_another_remote_port_address_or_protocol_does_not_match(void **state)
{
	(void)state;
	struct dp_xflow *t = dp_xflow_create(64, &to);
	struct dp_xflow_key k = key(IPPROTO_UDP, 40000, 53, 10);
	struct dp_xflow_key port = key(IPPROTO_UDP, 40000, 54, 10);
	struct dp_xflow_key host = key(IPPROTO_UDP, 40000, 53, 11);
	struct dp_xflow_key ours = key(IPPROTO_UDP, 40001, 53, 10);
	struct dp_xflow_key tcp = key(IPPROTO_TCP, 40000, 53, 10);

	assert_int_equal(dp_xflow_note(t, &k, 0, T0), DP_XFLOW_NOTE_NEW);
	assert_false(dp_xflow_match(t, &port, T0));
	assert_false(dp_xflow_match(t, &host, T0));
	assert_false(dp_xflow_match(t, &ours, T0));
	assert_false(dp_xflow_match(t, &tcp, T0));
	dp_xflow_free(t);
}

static void
test_udp_session_ages_out_after_its_timeout(void **state)
{
	(void)state;
	struct dp_xflow *t = dp_xflow_create(64, &to);
	struct dp_xflow_key k = key(IPPROTO_UDP, 40000, 53, 10);

	dp_xflow_note(t, &k, 0, T0);
	assert_true(dp_xflow_match(t, &k, T0 + S(179)));
	assert_false(dp_xflow_match(t, &k, T0 + S(181)));
	dp_xflow_free(t);
}

static void
test_every_frame_the_kernel_sends_renews_its_session(void **state)
{
	(void)state;
	struct dp_xflow *t = dp_xflow_create(64, &to);
	struct dp_xflow_key k = key(IPPROTO_UDP, 40000, 53, 10);

	dp_xflow_note(t, &k, 0, T0);
	assert_int_equal(dp_xflow_note(t, &k, 0, T0 + S(100)),
			DP_XFLOW_NOTE_RENEWED);
	assert_true(dp_xflow_match(t, &k, T0 + S(270)));
	assert_false(dp_xflow_match(t, &k, T0 + S(281)));
	dp_xflow_free(t);
}

static void
test_unanswered_syn_lives_only_the_closing_timeout(void **state)
{
	(void)state;
	struct dp_xflow *t = dp_xflow_create(64, &to);
	struct dp_xflow_key k = key(IPPROTO_TCP, 40000, 5061, 10);

	assert_int_equal(dp_xflow_note(t, &k, RTE_TCP_SYN_FLAG, T0),
			DP_XFLOW_NOTE_NEW);
	assert_true(dp_xflow_match(t, &k, T0 + S(9)));
	assert_false(dp_xflow_match(t, &k, T0 + S(11)));
	dp_xflow_free(t);
}

static void
test_acknowledged_tcp_session_lasts_the_tcp_timeout(void **state)
{
	(void)state;
	struct dp_xflow *t = dp_xflow_create(64, &to);
	struct dp_xflow_key k = key(IPPROTO_TCP, 40000, 5061, 10);

	dp_xflow_note(t, &k, RTE_TCP_SYN_FLAG, T0);
	assert_int_equal(dp_xflow_note(t, &k, RTE_TCP_ACK_FLAG, T0 + S(1)),
			DP_XFLOW_NOTE_RENEWED);
	assert_true(dp_xflow_match(t, &k, T0 + S(7000)));
	assert_false(dp_xflow_match(t, &k, T0 + S(7202)));
	dp_xflow_free(t);
}

static void
test_fin_or_rst_shortens_a_tcp_session_to_the_closing_timeout(void **state)
{
	(void)state;
	struct dp_xflow *t = dp_xflow_create(64, &to);
	struct dp_xflow_key a = key(IPPROTO_TCP, 40000, 5061, 10);
	struct dp_xflow_key b = key(IPPROTO_TCP, 40001, 5061, 10);

	dp_xflow_note(t, &a, RTE_TCP_SYN_FLAG, T0);
	dp_xflow_note(t, &b, RTE_TCP_SYN_FLAG, T0);
	dp_xflow_note(t, &a, RTE_TCP_ACK_FLAG, T0 + S(1));
	dp_xflow_note(t, &b, RTE_TCP_ACK_FLAG, T0 + S(1));
	dp_xflow_note(t, &a, RTE_TCP_ACK_FLAG | RTE_TCP_FIN_FLAG, T0 + S(60));
	dp_xflow_note(t, &b, RTE_TCP_RST_FLAG, T0 + S(60));
	/* The last ACK of the close does not make it last longer. */
	dp_xflow_note(t, &a, RTE_TCP_ACK_FLAG, T0 + S(61));
	assert_true(dp_xflow_match(t, &a, T0 + S(69)));
	assert_false(dp_xflow_match(t, &a, T0 + S(72)));
	assert_false(dp_xflow_match(t, &b, T0 + S(71)));
	dp_xflow_free(t);
}

static void
test_tcp_without_a_syn_opens_nothing(void **state)
{
	(void)state;
	struct dp_xflow *t = dp_xflow_create(64, &to);
	/* The kernel's side of a connection a peer opened to us. */
	struct dp_xflow_key k = key(IPPROTO_TCP, 5061, 40000, 10);

	assert_int_equal(dp_xflow_note(t, &k, RTE_TCP_SYN_FLAG |
			RTE_TCP_ACK_FLAG, T0), DP_XFLOW_NOTE_NONE);
	assert_int_equal(dp_xflow_note(t, &k, RTE_TCP_ACK_FLAG, T0),
			DP_XFLOW_NOTE_NONE);
	assert_false(dp_xflow_match(t, &k, T0));
	dp_xflow_free(t);
}

static void
test_a_syn_reopens_an_expired_session(void **state)
{
	(void)state;
	struct dp_xflow *t = dp_xflow_create(64, &to);
	struct dp_xflow_key k = key(IPPROTO_TCP, 40000, 5061, 10);

	dp_xflow_note(t, &k, RTE_TCP_SYN_FLAG, T0);
	assert_int_equal(dp_xflow_note(t, &k, RTE_TCP_ACK_FLAG, T0 + S(20)),
			DP_XFLOW_NOTE_NONE);
	assert_false(dp_xflow_match(t, &k, T0 + S(20)));
	assert_int_equal(dp_xflow_note(t, &k, RTE_TCP_SYN_FLAG, T0 + S(30)),
			DP_XFLOW_NOTE_NEW);
	assert_true(dp_xflow_match(t, &k, T0 + S(31)));
	dp_xflow_free(t);
}

static void
test_a_full_window_leaves_a_new_flow_without_a_session(void **state)
{
	(void)state;
	/* Eight slots: every flow shares the one probe window. */
	struct dp_xflow *t = dp_xflow_create(8, &to);
	struct dp_xflow_key k;

	for (uint16_t i = 0; i < 8; i++) {
		k = key(IPPROTO_UDP, (uint16_t)(40000 + i), 53, 10);
		assert_int_equal(dp_xflow_note(t, &k, 0, T0),
				DP_XFLOW_NOTE_NEW);
	}
	k = key(IPPROTO_UDP, 40008, 53, 10);
	assert_int_equal(dp_xflow_note(t, &k, 0, T0), DP_XFLOW_NOTE_FULL);
	assert_false(dp_xflow_match(t, &k, T0));
	dp_xflow_free(t);
}

static void
test_an_expired_slot_is_reused_and_the_others_still_match(void **state)
{
	(void)state;
	struct dp_xflow *t = dp_xflow_create(8, &to);
	struct dp_xflow_key k[9];

	for (uint16_t i = 0; i < 9; i++)
		k[i] = key(IPPROTO_UDP, (uint16_t)(40000 + i), 53, 10);
	for (unsigned i = 0; i < 8; i++)
		dp_xflow_note(t, &k[i], 0, T0);
	/* All but the first are renewed; the first ages out. */
	for (unsigned i = 1; i < 8; i++)
		dp_xflow_note(t, &k[i], 0, T0 + S(100));
	assert_int_equal(dp_xflow_note(t, &k[8], 0, T0 + S(181)),
			DP_XFLOW_NOTE_NEW);
	assert_false(dp_xflow_match(t, &k[0], T0 + S(182)));
	for (unsigned i = 1; i < 9; i++)
		assert_true(dp_xflow_match(t, &k[i], T0 + S(182)));
	dp_xflow_free(t);
}

static void
test_size_must_be_a_power_of_two(void **state)
{
	(void)state;
	assert_null(dp_xflow_create(100, &to));
	assert_null(dp_xflow_create(0, &to));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_the_kernel_sends_opens_a_session_for_its_remote_end),
		cmocka_unit_test(test_another_remote_port_address_or_protocol_does_not_match),
		cmocka_unit_test(test_udp_session_ages_out_after_its_timeout),
		cmocka_unit_test(test_every_frame_the_kernel_sends_renews_its_session),
		cmocka_unit_test(test_unanswered_syn_lives_only_the_closing_timeout),
		cmocka_unit_test(test_acknowledged_tcp_session_lasts_the_tcp_timeout),
		cmocka_unit_test(test_fin_or_rst_shortens_a_tcp_session_to_the_closing_timeout),
		cmocka_unit_test(test_tcp_without_a_syn_opens_nothing),
		cmocka_unit_test(test_a_syn_reopens_an_expired_session),
		cmocka_unit_test(test_a_full_window_leaves_a_new_flow_without_a_session),
		cmocka_unit_test(test_an_expired_slot_is_reused_and_the_others_still_match),
		cmocka_unit_test(test_size_must_be_a_power_of_two),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
