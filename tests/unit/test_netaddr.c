/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "platform/netaddr.h"

static void
test_ipv4_with_port_round_trips(void **state)
{
	(void)state;
	struct netaddr a;
	char buf[64];

	assert_int_equal(netaddr_parse("198.51.100.1:5060", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.port, 5060);
	netaddr_fmt(&a, buf, sizeof(buf));
	assert_string_equal(buf, "198.51.100.1:5060");
}

static void
test_ipv6_with_port_round_trips(void **state)
{
	(void)state;
	struct netaddr a;
	char buf[64];

	assert_int_equal(netaddr_parse("[2001:db8:0:1::1]:5061", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.port, 5061);
	netaddr_fmt(&a, buf, sizeof(buf));
	assert_string_equal(buf, "[2001:db8:0:1::1]:5061");
}

static void
test_bare_addresses_have_port_zero(void **state)
{
	(void)state;
	struct netaddr a;

	assert_int_equal(netaddr_parse("192.0.2.1", &a), 0);
	assert_int_equal(a.port, 0);
	assert_int_equal(netaddr_parse("2001:db8::11", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.port, 0);
}

static void
test_bad_addresses_are_refused(void **state)
{
	(void)state;
	struct netaddr a;

	assert_int_equal(netaddr_parse("", &a), -EINVAL);
	assert_int_equal(netaddr_parse("192.0.2.256", &a), -EINVAL);
	assert_int_equal(netaddr_parse("192.0.2.1:70000", &a), -EINVAL);
	assert_int_equal(netaddr_parse("192.0.2.1:", &a), -EINVAL);
	assert_int_equal(netaddr_parse("[2001:db8::1", &a), -EINVAL);
	assert_int_equal(netaddr_parse("example.com:5060", &a), -EINVAL);
}

static void
test_equal_addresses_compare_equal(void **state)
{
	(void)state;
	struct netaddr a, b;

	assert_int_equal(netaddr_parse("192.0.2.1:5060", &a), 0);
	assert_int_equal(netaddr_parse("192.0.2.1:5060", &b), 0);
	assert_true(netaddr_eq(&a, &b));
	b.port = 5061;
	assert_false(netaddr_eq(&a, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_with_port_round_trips),
		cmocka_unit_test(test_ipv6_with_port_round_trips),
		cmocka_unit_test(test_bare_addresses_have_port_zero),
		cmocka_unit_test(test_bad_addresses_are_refused),
		cmocka_unit_test(test_equal_addresses_compare_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
