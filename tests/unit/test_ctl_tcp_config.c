/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `tcp:` config section: defaults, the listeners it gives (tcp.port on
 * the dataplane ports' addresses, then `listen:`), what the daemon's
 * wiring takes from it (ctl_srv_conf_from_cfg()), and the errors, at
 * their file:line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/ctl_srv.h"
#include "control/edge_config.h"

/* The sections every document needs, on lines 1 to 4. */
#define BASE                                                               \
	"dataplane: { file_prefix: t, ports: { outside: { device: net_null0, mac: \"02:00:00:00:00:01\", ipv4: 198.51.100.1/24, ipv6: \"2001:db8:0:1::1/64\" }, inside: { device: net_null1, mac: \"02:00:00:00:00:02\", ipv4: 192.0.2.1/24 } } }\n" \
	"admin: { socket: /run/sipedge/sipedge.sock }\n"                  \
	"state_dir: /var/lib/sipedge\n"                                    \
	"domains: { local: [example.com] }\n"

static char msg[1024];

/* Load text from a file; NULL and the message in msg when it fails. */
static struct edge_cfg *
load(const char *text)
{
	char path[] = "/tmp/sipedge-tcpcfg-XXXXXX";
	struct edge_cfg *cfg = NULL;
	struct cfg_err err;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	msg[0] = '\0';
	if (edge_cfg_load(path, &cfg, &err) < 0) {
		cfg_err_format(&err, msg, sizeof(msg));
		cfg = NULL;
	}
	unlink(path);
	return cfg;
}

static void
assert_listener(const struct ctl_srv_conf *c, unsigned i, const char *addr,
		enum ctl_tcp_zone zone)
{
	char got[64];

	assert_true(i < c->n_listeners);
	netaddr_fmt(&c->listeners[i].addr, got, sizeof(got));
	assert_string_equal(got, addr);
	assert_int_equal(c->listeners[i].zone, zone);
}

static void
test_the_default_listens_on_every_port_address_by_zone(void **state)
{
	struct ctl_srv_conf conf = { 0 };
	struct ctl_srv_cfg_store st;
	struct edge_cfg *cfg;
	struct cfg_err err;

	(void)state;
	assert_int_equal(edge_cfg_load(NULL, &cfg, &err), 0);
	assert_int_equal(cfg->tcp.port, 5060);
	assert_int_equal(ctl_srv_conf_from_cfg(cfg, &conf, &st), 0);
	assert_int_equal(conf.n_listeners, 4);
	assert_listener(&conf, 0, "198.51.100.1:5060", CTL_TCP_ZONE_OUTSIDE);
	assert_listener(&conf, 1, "[2001:db8:0:1::1]:5060",
			CTL_TCP_ZONE_OUTSIDE);
	assert_listener(&conf, 2, "192.0.2.1:5060", CTL_TCP_ZONE_INSIDE);
	assert_listener(&conf, 3, "[2001:db8:0:2::1]:5060",
			CTL_TCP_ZONE_INSIDE);
	/* The ports' addresses are the appliance's for the permit. */
	assert_int_equal(conf.n_own, 4);
	assert_int_equal(conf.max_connections, 15000);
	assert_int_equal(conf.idle_ns, UINT64_C(600) * 1000000000);
	assert_int_equal(conf.max_output, 256 * 1024);
	assert_int_equal(conf.lim.max_msg_size, 65535);
	assert_ptr_equal(conf.domains, &cfg->domains);
	edge_cfg_free(cfg);
}

static void
test_an_absent_section_takes_the_defaults(void **state)
{
	struct edge_cfg *cfg = load(BASE);

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(cfg->tcp.port, 5060);
	assert_int_equal(cfg->tcp.listen_count, 0);
	assert_int_equal(cfg->tcp.max_connections, 15000);
	assert_int_equal(cfg->tcp.idle_timeout_s, 600);
	assert_int_equal(cfg->tcp.max_output_kb, 256);
	edge_cfg_free(cfg);
}

static void
test_listen_entries_follow_with_their_zone_and_port(void **state)
{
	struct ctl_srv_conf conf = { 0 };
	struct ctl_srv_cfg_store st;
	struct edge_cfg *cfg = load(BASE
			"tcp:\n"
			"  port: 5070\n"
			"  listen:\n"
			"    - { address: \"127.0.0.1\", zone: inside }\n"
			"    - { address: \"[::1]:5080\" }\n");

	(void)state;
	if (cfg == NULL)
		fail_msg("%s", msg);
	assert_int_equal(ctl_srv_conf_from_cfg(cfg, &conf, &st), 0);
	assert_int_equal(conf.n_listeners, 5);
	assert_listener(&conf, 0, "198.51.100.1:5070", CTL_TCP_ZONE_OUTSIDE);
	assert_listener(&conf, 2, "192.0.2.1:5070", CTL_TCP_ZONE_INSIDE);
	assert_listener(&conf, 3, "127.0.0.1:5060", CTL_TCP_ZONE_INSIDE);
	/* No zone given: outside, where the permit applies. */
	assert_listener(&conf, 4, "[::1]:5080", CTL_TCP_ZONE_OUTSIDE);
	edge_cfg_free(cfg);
}

static void
test_port_zero_listens_on_the_listen_entries_only(void **state)
{
	struct ctl_srv_conf conf = { 0 };
	struct ctl_srv_cfg_store st;
	struct edge_cfg *cfg = load(BASE
			"tcp: { port: 0, listen: [ { address: 127.0.0.1:5999 } ] }\n");

	(void)state;
	if (cfg == NULL)
		fail_msg("%s", msg);
	assert_int_equal(ctl_srv_conf_from_cfg(cfg, &conf, &st), 0);
	assert_int_equal(conf.n_listeners, 1);
	assert_listener(&conf, 0, "127.0.0.1:5999", CTL_TCP_ZONE_OUTSIDE);
	edge_cfg_free(cfg);
}

static void
test_a_bad_listen_address_is_reported_at_its_line(void **state)
{
	(void)state;
	assert_null(load(BASE
			"tcp:\n"
			"  listen:\n"
			"    - { address: 127.0.0.1, zone: inside }\n"
			"    - { address: \"not-an-address:5060\" }\n"));
	assert_non_null(strstr(msg, ":8:"));
	assert_non_null(strstr(msg, "tcp.listen[1].address"));
}

static void
test_listening_twice_on_one_address_is_refused(void **state)
{
	(void)state;
	assert_null(load(BASE
			"tcp:\n"
			"  listen: [ { address: \"198.51.100.1:5060\" } ]\n"));
	assert_non_null(strstr(msg, "tcp.listen[0].address"));
}

static void
test_an_unknown_zone_is_refused(void **state)
{
	(void)state;
	assert_null(load(BASE
			"tcp: { listen: [ { address: 127.0.0.1, zone: dmz } ] }\n"));
	assert_non_null(strstr(msg, "dmz"));
}

static void
test_limits_out_of_range_are_refused(void **state)
{
	(void)state;
	assert_null(load(BASE "tcp: { max_connections: 0 }\n"));
	assert_non_null(strstr(msg, "tcp.max_connections"));
	assert_null(load(BASE "tcp: { idle_timeout_s: 0 }\n"));
	assert_non_null(strstr(msg, "tcp.idle_timeout_s"));
	assert_null(load(BASE "tcp: { port: 70000 }\n"));
	assert_non_null(strstr(msg, "tcp.port"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_the_default_listens_on_every_port_address_by_zone),
		cmocka_unit_test(test_an_absent_section_takes_the_defaults),
		cmocka_unit_test(
			test_listen_entries_follow_with_their_zone_and_port),
		cmocka_unit_test(
			test_port_zero_listens_on_the_listen_entries_only),
		cmocka_unit_test(
			test_a_bad_listen_address_is_reported_at_its_line),
		cmocka_unit_test(
			test_listening_twice_on_one_address_is_refused),
		cmocka_unit_test(test_an_unknown_zone_is_refused),
		cmocka_unit_test(test_limits_out_of_range_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
