/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a reload may change: the embedded default against copies of it
 * with one key edited, loaded from files as the daemon would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/ctl_reload.h"

/* The default with `from` replaced by `to`, loaded from a file. */
static struct edge_cfg *
load_edited(const char *from, const char *to)
{
	char path[] = "/tmp/test_ctl_reload_XXXXXX";
	int fd = mkstemp(path);
	const char *d = edge_cfg_default_yaml;
	const char *at = strstr(d, from);
	struct edge_cfg *cfg = NULL;
	struct cfg_err err;
	FILE *f;

	assert_true(fd >= 0);
	assert_non_null(at);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fwrite(d, 1, (size_t)(at - d), f);
	fputs(to, f);
	fwrite(at + strlen(from), 1, edge_cfg_default_yaml_len -
			(size_t)(at - d) - strlen(from), f);
	fclose(f);
	int rc = edge_cfg_load(path, &cfg, &err);

	unlink(path);
	if (rc < 0) {
		char msg[512];

		cfg_err_format(&err, msg, sizeof(msg));
		fail_msg("%s", msg);
	}
	return cfg;
}

static struct edge_cfg *
load_default(void)
{
	struct edge_cfg *cfg = NULL;
	struct cfg_err err;

	assert_int_equal(edge_cfg_load(NULL, &cfg, &err), 0);
	return cfg;
}

static void
check(const char *from, const char *to, unsigned want, const char *key)
{
	struct edge_cfg *a = load_default(), *b = load_edited(from, to);
	char keys[256];

	assert_int_equal(ctl_reload_restart_keys(a, b, keys, sizeof(keys)),
			want);
	if (key)
		assert_non_null(strstr(keys, key));
	else
		assert_string_equal(keys, "");
	edge_cfg_free(a);
	edge_cfg_free(b);
}

static void
test_the_same_file_may_reload(void **state)
{
	(void)state;
	check("workers: 1", "workers: 1", 0, NULL);
}

static void
test_acl_domains_rate_and_users_may_reload(void **state)
{
	(void)state;
	check("name: icmp }", "name: icmp }\n    - { port: outside, action: "
	      "deny, proto: tcp, dport: 23 }", 0, NULL);
	check("    - domain: partner.example",
	      "    - domain: other.example\n    - domain: partner.example", 0,
	      NULL);
	check("requests_per_second: 2000", "requests_per_second: 500", 0,
	      NULL);
	check("level: notice", "level: info", 0, NULL);
}

static void
test_workers_need_a_restart(void **state)
{
	(void)state;
	check("workers: 1", "workers: 2", 1, "dataplane.workers");
}

static void
test_a_port_address_needs_a_restart(void **state)
{
	(void)state;
	check("ipv4: 198.51.100.1/24", "ipv4: 198.51.100.2/24", 1,
	      "dataplane.ports.outside");
}

static void
test_table_size_and_admin_socket_are_both_named(void **state)
{
	(void)state;
	struct edge_cfg *a = load_default();
	struct edge_cfg *b = load_edited("table_size: 65536",
			"table_size: 1024");
	char keys[256];

	free(b->admin.socket);
	b->admin.socket = strdup("/run/sipedge/other.sock");
	assert_int_equal(ctl_reload_restart_keys(a, b, keys, sizeof(keys)), 2);
	assert_non_null(strstr(keys, "admin.socket"));
	assert_non_null(strstr(keys, "dataplane.rate_limit.table_size"));
	edge_cfg_free(a);
	edge_cfg_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_same_file_may_reload),
		cmocka_unit_test(test_acl_domains_rate_and_users_may_reload),
		cmocka_unit_test(test_workers_need_a_restart),
		cmocka_unit_test(test_a_port_address_needs_a_restart),
		cmocka_unit_test(test_table_size_and_admin_socket_are_both_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
