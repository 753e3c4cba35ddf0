/* SPDX-License-Identifier: BSD-3-Clause */
/* The daemon's config: the embedded default and the cross-checks. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "control/edge_config.h"

/* A config file in a temporary directory; removed by the caller. */
static char *
write_cfg(const char *text)
{
	static char path[64];
	int fd;

	strcpy(path, "/tmp/sipedge-cfg-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Load text; return the formatted error ("" when it loaded). */
static const char *
load(const char *text)
{
	static char msg[1024];
	struct edge_cfg *cfg = NULL;
	struct cfg_err err;
	char *path = write_cfg(text);
	int rc = edge_cfg_load(path, &cfg, &err);

	msg[0] = '\0';
	if (rc < 0) {
		cfg_err_format(&err, msg, sizeof(msg));
		/* Drop the temporary file name: keep ":LINE:COL: message". */
		memmove(msg, msg + strlen(path), strlen(msg + strlen(path)) + 1);
	} else {
		edge_cfg_free(cfg);
	}
	unlink(path);
	return msg;
}

/* A one-line dataplane section that the policy tests do not look at. */
#define DP_LINE                                                            \
	"dataplane: { file_prefix: t, ports: { outside: { device: net_null0, mac: \"02:00:00:00:00:01\", ipv4: 198.51.100.1/24 }, inside: { device: net_null1, mac: \"02:00:00:00:00:02\", ipv4: 192.0.2.1/24 } } }\n"

#define BASE                                                               \
	DP_LINE                                                            \
	"admin: { socket: /run/sipedge/sipedge.sock }\n"                  \
	"state_dir: /var/lib/sipedge\n"                                    \
	"domains:\n"                                                       \
	"  local: [example.com]\n"                                         \
	"  permitted:\n"                                                   \
	"    - { domain: partner.example, subdomains: true }\n"

static void
test_embedded_default_loads_the_lab(void **state)
{
	(void)state;
	struct edge_cfg *cfg;
	struct cfg_err err;

	assert_int_equal(edge_cfg_load(NULL, &cfg, &err), 0);
	assert_int_equal(cfg->domains.local_count, 1);
	assert_string_equal(cfg->domains.local[0], "example.com");
	assert_int_equal(cfg->domains.permitted_count, 1);
	assert_string_equal(cfg->domains.permitted[0].domain, "partner.example");
	assert_true(cfg->domains.permitted[0].subdomains);
	assert_int_equal(cfg->users_count, 3);
	assert_string_equal(cfg->users[0].aor, "alice@example.com");
	assert_int_equal(cfg->users[0].allow_domains_count, 1);
	assert_int_equal(cfg->users[1].allow_domains_count, 0);
	assert_int_equal(cfg->users[1].block_domains_count, 0);
	assert_string_equal(cfg->users[2].block_domains[0], "partner.example");
	assert_int_equal(cfg->presence.min_expires, 60);
	assert_int_equal(cfg->presence.coalesce_ms, 5000);
	assert_int_equal(cfg->presence.early_refreshes_per_minute, 10);
	assert_int_equal(cfg->presence.max_subscriptions_per_watcher, 100);
	assert_string_equal(cfg->admin.socket, "/run/sipedge/sipedge.sock");
	assert_int_equal(cfg->dataplane.workers, 1);
	assert_int_equal(cfg->dataplane.poll, DP_POLL_ADAPTIVE);
	assert_non_null(strstr(cfg->dataplane.ports.outside.device,
			"iface=dp-out"));
	assert_string_equal(cfg->dataplane.ports.inside.ipv4, "192.0.2.1/24");
	edge_cfg_free(cfg);
}

static void
test_absent_sections_take_defaults(void **state)
{
	(void)state;
	struct edge_cfg *cfg;
	struct cfg_err err;
	char *path = write_cfg(BASE);

	assert_int_equal(edge_cfg_load(path, &cfg, &err), 0);
	unlink(path);
	assert_int_equal(cfg->sip.max_message_size, 65535);
	assert_int_equal(cfg->sip.max_headers, 128);
	assert_int_equal(cfg->presence.default_expires, 3600);
	assert_int_equal(cfg->log.level, LOG_LEVEL_NOTICE);
	edge_cfg_free(cfg);
}

static void
test_unknown_key_is_reported_at_its_line(void **state)
{
	(void)state;
	const char *m = load(BASE "presence:\n  min_expires: 60\n  bogus: 1\n");

	assert_non_null(strstr(m, ":10:"));
	assert_non_null(strstr(m, "bogus"));
}

static void
test_out_of_range_value_is_reported_at_its_line(void **state)
{
	(void)state;
	const char *m = load(BASE "sip:\n  max_headers: 100000\n");

	assert_non_null(strstr(m, ":9:"));
	assert_non_null(strstr(m, "sip.max_headers"));
}

static void
test_wrong_type_is_reported(void **state)
{
	(void)state;
	const char *m = load(BASE "presence:\n  min_expires: soon\n");

	assert_non_null(strstr(m, ":9:"));
	assert_non_null(strstr(m, "min_expires"));
}

static void
test_bad_log_level_lists_the_levels(void **state)
{
	(void)state;
	const char *m = load(BASE "log: { level: chatty }\n");

	assert_non_null(strstr(m, ":8:"));
	assert_non_null(strstr(m, "debug"));
}

static void
test_unknown_log_module_is_refused(void **state)
{
	(void)state;
	const char *m = load(BASE "log:\n  modules:\n"
				  "    - { module: nosuch, level: debug }\n");

	assert_non_null(strstr(m, ":10:"));
	assert_non_null(strstr(m, "nosuch"));
}

static void
test_bad_domain_name_is_refused(void **state)
{
	(void)state;
	const char *m = load("admin: { socket: /run/s.sock }\n"
			     "state_dir: /var/lib/sipedge\n"
			     "domains:\n  local: [example..com]\n" DP_LINE);

	assert_non_null(strstr(m, ":4:"));
	assert_non_null(strstr(m, "not a domain name"));
}

static void
test_domain_both_local_and_permitted_is_refused(void **state)
{
	(void)state;
	const char *m = load("admin: { socket: /run/s.sock }\n"
			     "state_dir: /var/lib/sipedge\n"
			     "domains:\n  local: [example.com]\n"
			     "  permitted:\n    - domain: example.com\n" DP_LINE);

	assert_non_null(strstr(m, ":6:"));
	assert_non_null(strstr(m, "both local and permitted"));
}

static void
test_user_outside_local_domains_is_refused(void **state)
{
	(void)state;
	const char *m = load(BASE "users:\n  - aor: dave@elsewhere.example\n");

	assert_non_null(strstr(m, ":9:"));
	assert_non_null(strstr(m, "not in a local domain"));
}

static void
test_domain_both_allowed_and_blocked_is_refused(void **state)
{
	(void)state;
	const char *m = load(BASE "users:\n  - aor: alice@example.com\n"
				  "    allow_domains: [partner.example]\n"
				  "    block_domains: [partner.example]\n");

	assert_non_null(strstr(m, "both allowed and blocked"));
}

static void
test_duplicate_user_is_refused(void **state)
{
	(void)state;
	const char *m = load(BASE "users:\n  - aor: bob@example.com\n"
				  "  - aor: Bob@example.com\n");

	assert_non_null(strstr(m, ":10:"));
	assert_non_null(strstr(m, "duplicate user"));
}

static void
test_relative_state_dir_is_refused(void **state)
{
	(void)state;
	const char *m = load("admin: { socket: /run/s.sock }\n"
			     "state_dir: var/lib\n"
			     "domains:\n  local: [example.com]\n" DP_LINE);

	assert_non_null(strstr(m, ":2:"));
	assert_non_null(strstr(m, "absolute"));
}

static void
test_default_expires_outside_bounds_is_refused(void **state)
{
	(void)state;
	const char *m = load(BASE "presence:\n  min_expires: 600\n"
				  "  default_expires: 300\n");

	assert_non_null(strstr(m, "default_expires"));
}

static void
test_missing_required_section_is_refused(void **state)
{
	(void)state;
	const char *m = load("state_dir: /var/lib/x\n"
			     "domains:\n  local: [example.com]\n" DP_LINE);

	assert_non_null(strstr(m, "admin"));
}

/* The BASE document with one port line replaced. */
static const char *
load_dp(const char *outside)
{
	char text[1024];

	snprintf(text, sizeof(text),
			"dataplane:\n"
			"  file_prefix: t\n"
			"  ports:\n"
			"    outside: %s\n"
			"    inside: { device: n1, mac: \"02:00:00:00:00:02\", "
			"ipv4: 192.0.2.1/24 }\n"
			"admin: { socket: /run/s.sock }\n"
			"state_dir: /var/lib/x\n"
			"domains:\n  local: [example.com]\n", outside);
	return load(text);
}

static void
test_dp_bad_mac_is_refused(void **state)
{
	(void)state;
	const char *m = load_dp("{ device: n0, mac: \"02:00:00:00:00:zz\", "
				"ipv4: 198.51.100.1/24 }");

	assert_non_null(strstr(m, ":4:"));
	assert_non_null(strstr(m, "not a MAC address"));
}

static void
test_dp_multicast_mac_is_refused(void **state)
{
	(void)state;
	const char *m = load_dp("{ device: n0, mac: \"01:00:5e:00:00:01\", "
				"ipv4: 198.51.100.1/24 }");

	assert_non_null(strstr(m, "multicast"));
}

static void
test_dp_port_without_address_is_refused(void **state)
{
	(void)state;
	const char *m = load_dp("{ device: n0, mac: \"02:00:00:00:00:01\" }");

	assert_non_null(strstr(m, ":4:"));
	assert_non_null(strstr(m, "no address"));
}

static void
test_dp_bad_prefix_is_refused(void **state)
{
	(void)state;
	const char *m = load_dp("{ device: n0, mac: \"02:00:00:00:00:01\", "
				"ipv4: 198.51.100.1/33 }");

	assert_non_null(strstr(m, "dataplane.ports.outside.ipv4"));
}

static void
test_dp_ipv6_in_ipv4_key_is_refused(void **state)
{
	(void)state;
	const char *m = load_dp("{ device: n0, mac: \"02:00:00:00:00:01\", "
				"ipv4: \"2001:db8::1/64\" }");

	assert_non_null(strstr(m, "not an IPv4"));
}

static void
test_dp_gateway_with_prefix_is_refused(void **state)
{
	(void)state;
	const char *m = load_dp("{ device: n0, mac: \"02:00:00:00:00:01\", "
				"ipv4: 198.51.100.1/24, gateway4: 198.51.100.9/24 }");

	assert_non_null(strstr(m, "gateway4"));
}

static void
test_dp_defaults_apply(void **state)
{
	(void)state;
	struct dp_cidr c;
	uint8_t mac[6];

	assert_string_equal(load_dp("{ device: n0, mac: \"02:00:00:00:00:01\", "
				    "ipv6: \"2001:db8:0:1::1/64\" }"), "");
	assert_int_equal(dp_cidr_parse("2001:db8:0:1::1/64", &c), 0);
	assert_int_equal(c.prefix, 64);
	assert_int_equal(dp_cidr_parse("192.0.2.1", &c), 0);
	assert_int_equal(c.prefix, 32);
	assert_int_equal(dp_mac_parse("02:5E:00:00:01:01", mac), 0);
	assert_int_equal(mac[1], 0x5e);
}

static void
test_exception_path_is_on_by_default_with_a_tap_per_role(void **state)
{
	(void)state;
	struct edge_cfg *cfg = NULL;
	struct cfg_err err;
	char *path = write_cfg(DP_LINE "admin: { socket: /run/s.sock }\n"
			"state_dir: /var/lib/x\n"
			"domains:\n  local: [example.com]\n");

	assert_int_equal(edge_cfg_load(path, &cfg, &err), 0);
	unlink(path);
	assert_true(cfg->dataplane.exception.enabled);
	assert_int_equal(cfg->dataplane.exception.sessions, 4096);
	assert_int_equal(cfg->dataplane.exception.udp_timeout_s, 180);
	assert_int_equal(cfg->dataplane.exception.tcp_timeout_s, 7200);
	assert_int_equal(cfg->dataplane.exception.tcp_closing_timeout_s, 10);
	assert_string_equal(dp_cfg_tap_name(&cfg->dataplane.ports.outside,
			DP_PORT_OUTSIDE), "sx-out");
	assert_string_equal(dp_cfg_tap_name(&cfg->dataplane.ports.inside,
			DP_PORT_INSIDE), "sx-in");
	edge_cfg_free(cfg);
}

static void
test_bad_or_shared_tap_name_is_refused(void **state)
{
	(void)state;
	const char *m = load_dp("{ device: n0, mac: \"02:00:00:00:00:01\", "
				"ipv4: 198.51.100.1/24, tap: \"a/b\" }");

	assert_non_null(strstr(m, "dataplane.ports.outside.tap"));
	assert_non_null(strstr(m, "not an interface name"));
	/* 16 characters: one more than the kernel takes. */
	assert_non_null(strstr(load_dp("{ device: n0, mac: "
			"\"02:00:00:00:00:01\", ipv4: 198.51.100.1/24, "
			"tap: abcdefghijklmnop }"), "dataplane.ports.outside"));
	/* The inside port's default name, taken by the outside port. */
	assert_non_null(strstr(load_dp("{ device: n0, mac: "
			"\"02:00:00:00:00:01\", ipv4: 198.51.100.1/24, "
			"tap: sx-in }"), "TAP too"));
}

static void
test_session_table_size_must_be_a_power_of_two(void **state)
{
	(void)state;
	const char *m = load("dataplane:\n"
			"  file_prefix: t\n"
			"  exception: { sessions: 1000 }\n"
			"  ports:\n"
			"    outside: { device: n0, mac: \"02:00:00:00:00:01\", "
			"ipv4: 198.51.100.1/24 }\n"
			"    inside: { device: n1, mac: \"02:00:00:00:00:02\", "
			"ipv4: 192.0.2.1/24 }\n"
			"admin: { socket: /run/s.sock }\n"
			"state_dir: /var/lib/x\n"
			"domains:\n  local: [example.com]\n");

	assert_non_null(strstr(m, ":3:"));
	assert_non_null(strstr(m, "dataplane.exception.sessions"));
	assert_non_null(strstr(m, "not a power of two"));
}

/* The BASE dataplane with one `acl:` rule. */
static const char *
load_acl(const char *rule)
{
	char text[1024];

	snprintf(text, sizeof(text),
			"dataplane:\n"
			"  file_prefix: t\n"
			"  ports:\n"
			"    outside: { device: n0, mac: \"02:00:00:00:00:01\", "
			"ipv4: 198.51.100.1/24 }\n"
			"    inside: { device: n1, mac: \"02:00:00:00:00:02\", "
			"ipv4: 192.0.2.1/24 }\n"
			"  acl:\n"
			"    - { port: inside, action: permit, proto: icmp }\n"
			"    - %s\n"
			"admin: { socket: /run/s.sock }\n"
			"state_dir: /var/lib/x\n"
			"domains:\n  local: [example.com]\n", rule);
	return load(text);
}

static void
test_acl_rules_load(void **state)
{
	(void)state;
	struct edge_cfg *cfg;
	struct cfg_err err;
	struct dp_acl_rule r;
	const char *key;
	char why[160];

	assert_string_equal(load_acl("{ port: outside, action: deny, proto: "
			"udp, src: 203.0.113.0/24, sport: 1-1023, dport: 5060, "
			"name: low-ports }"), "");
	assert_string_equal(load_acl("{ port: outside, action: permit, "
			"proto: any, dst: \"2001:db8::/32\" }"), "");
	/* The embedded default: the lab's rules, every one well formed. */
	assert_int_equal(edge_cfg_load(NULL, &cfg, &err), 0);
	assert_true(cfg->dataplane.acl_count > 0);
	for (unsigned i = 0; i < cfg->dataplane.acl_count; i++)
		assert_int_equal(dp_acl_rule_parse(&cfg->dataplane.acl[i], i,
				&r, &key, why, sizeof(why)), 0);
	assert_int_equal(dp_acl_rule_parse(&cfg->dataplane.acl[0], 0, &r,
			&key, why, sizeof(why)), 0);
	assert_int_equal(r.port, DP_PORT_OUTSIDE);
	assert_int_equal(r.action, DP_ACL_PERMIT);
	assert_int_equal(r.proto, 17);
	assert_int_equal(r.family, AF_INET);
	assert_int_equal(r.dport_lo, 5060);
	assert_int_equal(r.dport_hi, 5060);
	assert_int_equal(r.sport_lo, 0);
	assert_int_equal(r.sport_hi, 65535);
	edge_cfg_free(cfg);
}

static void
test_acl_bad_cidr_is_refused(void **state)
{
	(void)state;
	const char *m = load_acl("{ port: outside, action: permit, proto: udp, "
				 "src: 198.51.100.0/33 }");

	assert_non_null(strstr(m, ":8:"));
	assert_non_null(strstr(m, "dataplane.acl[1].src"));
	assert_non_null(strstr(m, "not an address/prefix"));
	m = load_acl("{ port: outside, action: permit, proto: udp, "
		     "dst: example.com }");
	assert_non_null(strstr(m, "dataplane.acl[1].dst"));
}

static void
test_acl_bad_port_range_is_refused(void **state)
{
	(void)state;
	const char *m = load_acl("{ port: outside, action: permit, proto: udp, "
				 "dport: 5061-5060 }");

	assert_non_null(strstr(m, ":8:"));
	assert_non_null(strstr(m, "dataplane.acl[1].dport"));
	assert_non_null(strstr(m, "not a port or a range"));
	assert_non_null(strstr(load_acl("{ port: outside, action: permit, "
			"proto: tcp, sport: 70000 }"), "dataplane.acl[1].sport"));
	assert_non_null(strstr(load_acl("{ port: outside, action: permit, "
			"proto: tcp, sport: 5- }"), "not a port or a range"));
	/* Ports belong to UDP and TCP. */
	assert_non_null(strstr(load_acl("{ port: outside, action: permit, "
			"proto: icmp, dport: 7 }"), "need proto udp or tcp"));
}

static void
test_acl_unknown_proto_is_refused(void **state)
{
	(void)state;
	const char *m = load_acl("{ port: outside, action: permit, "
				 "proto: sctp }");

	assert_non_null(strstr(m, ":8:"));
	assert_non_null(strstr(m, "sctp"));
	assert_non_null(strstr(m, "icmp6"));
	assert_non_null(strstr(load_acl("{ port: dmz, action: permit, "
			"proto: udp }"), "dmz"));
}

static void
test_acl_mixed_families_are_refused(void **state)
{
	(void)state;
	assert_non_null(strstr(load_acl("{ port: outside, action: permit, "
			"proto: udp, src: 198.51.100.0/24, dst: \"2001:db8::1\" }"),
			"not IPv4"));
	assert_non_null(strstr(load_acl("{ port: outside, action: permit, "
			"proto: icmp6, src: 198.51.100.0/24 }"), "not IPv6"));
}

static void
test_dp_mtu_out_of_range_is_refused(void **state)
{
	(void)state;
	const char *m = load_dp("{ device: n0, mac: \"02:00:00:00:00:01\", "
				"ipv4: 198.51.100.1/24, mtu: 500 }");

	assert_non_null(strstr(m, ":4:"));
	assert_non_null(strstr(m, "mtu"));
}

static void
test_dp_ipv6_port_with_an_mtu_under_1280_is_refused(void **state)
{
	(void)state;
	const char *m = load_dp("{ device: n0, mac: \"02:00:00:00:00:01\", "
				"ipv6: \"2001:db8::1/64\", mtu: 1000 }");

	assert_non_null(strstr(m, "dataplane.ports.outside.mtu"));
	assert_non_null(strstr(m, "1280"));
	/* Without IPv6, 1000 is a fine MTU. */
	assert_string_equal(load_dp("{ device: n0, mac: \"02:00:00:00:00:01\""
				    ", ipv4: 198.51.100.1/24, mtu: 1000 }"),
			"");
}

static void
test_dp_mtu_larger_than_the_data_room_is_refused(void **state)
{
	(void)state;
	const char *m = load("dataplane:\n"
			     "  file_prefix: t\n"
			     "  mbuf_data_room: 2048\n"
			     "  ports:\n"
			     "    outside: { device: n0, mac: \"02:00:00:00:00:01\", "
			     "ipv4: 198.51.100.1/24, mtu: 9000 }\n"
			     "    inside: { device: n1, mac: \"02:00:00:00:00:02\", "
			     "ipv4: 192.0.2.1/24 }\n"
			     "admin: { socket: /run/s.sock }\n"
			     "state_dir: /var/lib/x\n"
			     "domains:\n  local: [example.com]\n");

	assert_non_null(strstr(m, ":5:"));
	assert_non_null(strstr(m, "mbuf_data_room"));
}

static void
test_dp_fragments_holding_over_half_the_pool_are_refused(void **state)
{
	(void)state;
	const char *m = load("dataplane:\n"
			     "  file_prefix: t\n"
			     "  mbufs: 4095\n"
			     "  fragments: { max_mbufs: 1025 }\n"
			     "  ports:\n"
			     "    outside: { device: n0, mac: \"02:00:00:00:00:01\", "
			     "ipv4: 198.51.100.1/24 }\n"
			     "    inside: { device: n1, mac: \"02:00:00:00:00:02\", "
			     "ipv4: 192.0.2.1/24 }\n"
			     "admin: { socket: /run/s.sock }\n"
			     "state_dir: /var/lib/x\n"
			     "domains:\n  local: [example.com]\n");
	assert_non_null(strstr(m, ":4:"));
	assert_non_null(strstr(m, "dataplane.fragments.max_mbufs"));
	assert_non_null(strstr(m, "at most half"));
}

static void
test_dp_mtu_and_fragments_take_defaults(void **state)
{
	(void)state;
	struct edge_cfg *cfg;
	struct cfg_err err;
	char *path = write_cfg(BASE);

	assert_int_equal(edge_cfg_load(path, &cfg, &err), 0);
	unlink(path);
	assert_int_equal(cfg->dataplane.ports.outside.mtu, 1500);
	assert_int_equal(cfg->dataplane.ports.inside.mtu, 1500);
	assert_int_equal(cfg->dataplane.fragments.flows, 1024);
	assert_int_equal(cfg->dataplane.fragments.timeout_ms, 1000);
	assert_int_equal(cfg->dataplane.fragments.max_mbufs, 256);
	edge_cfg_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedded_default_loads_the_lab),
		cmocka_unit_test(test_absent_sections_take_defaults),
		cmocka_unit_test(test_unknown_key_is_reported_at_its_line),
		cmocka_unit_test(test_out_of_range_value_is_reported_at_its_line),
		cmocka_unit_test(test_wrong_type_is_reported),
		cmocka_unit_test(test_bad_log_level_lists_the_levels),
		cmocka_unit_test(test_unknown_log_module_is_refused),
		cmocka_unit_test(test_bad_domain_name_is_refused),
		cmocka_unit_test(test_domain_both_local_and_permitted_is_refused),
		cmocka_unit_test(test_user_outside_local_domains_is_refused),
		cmocka_unit_test(test_domain_both_allowed_and_blocked_is_refused),
		cmocka_unit_test(test_duplicate_user_is_refused),
		cmocka_unit_test(test_relative_state_dir_is_refused),
		cmocka_unit_test(test_default_expires_outside_bounds_is_refused),
		cmocka_unit_test(test_missing_required_section_is_refused),
		cmocka_unit_test(test_dp_bad_mac_is_refused),
		cmocka_unit_test(test_dp_multicast_mac_is_refused),
		cmocka_unit_test(test_dp_port_without_address_is_refused),
		cmocka_unit_test(test_dp_bad_prefix_is_refused),
		cmocka_unit_test(test_dp_ipv6_in_ipv4_key_is_refused),
		cmocka_unit_test(test_dp_gateway_with_prefix_is_refused),
		cmocka_unit_test(test_dp_defaults_apply),
		cmocka_unit_test(test_exception_path_is_on_by_default_with_a_tap_per_role),
		cmocka_unit_test(test_bad_or_shared_tap_name_is_refused),
		cmocka_unit_test(test_session_table_size_must_be_a_power_of_two),
		cmocka_unit_test(test_acl_rules_load),
		cmocka_unit_test(test_acl_bad_cidr_is_refused),
		cmocka_unit_test(test_acl_bad_port_range_is_refused),
		cmocka_unit_test(test_acl_unknown_proto_is_refused),
		cmocka_unit_test(test_acl_mixed_families_are_refused),
		cmocka_unit_test(test_dp_mtu_out_of_range_is_refused),
		cmocka_unit_test(test_dp_ipv6_port_with_an_mtu_under_1280_is_refused),
		cmocka_unit_test(test_dp_mtu_larger_than_the_data_room_is_refused),
		cmocka_unit_test(test_dp_fragments_holding_over_half_the_pool_are_refused),
		cmocka_unit_test(test_dp_mtu_and_fragments_take_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
