/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's domain permit (ctl_permit), the rule the dataplane
 * applies to UDP: requester's domain from P-Asserted-Identity, else
 * Remote-Party-ID, else From, permitted with the subdomain rule; the
 * Request-URI a local domain or one of our addresses unless in a dialog.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "control/ctl_permit.h"
#include "platform/sip/sip.h"

static struct sip_msg msg;
static struct ctl_permit *permit;
static char text[2048];

static char *local_domains[] = { "example.com" };
static struct policy_domain_cfg permitted[] = {
	{ .domain = "partner.example", .subdomains = true },
	{ .domain = "Exact.Example.", .subdomains = false },
};
static const struct policy_domains_cfg domains = {
	.local = local_domains,
	.local_count = 1,
	.permitted = permitted,
	.permitted_count = 2,
};

static int
setup(void **state)
{
	uint8_t v4[4] = { 198, 51, 100, 1 }, v6[16];
	struct netaddr own[2];

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:0:1::1", v6), 1);
	own[0] = netaddr_make4(v4, 0);
	own[1] = netaddr_make6(v6, 0);
	permit = ctl_permit_create(&domains, own, 2);
	assert_non_null(permit);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	ctl_permit_destroy(permit);
	return 0;
}

/* A request to ruri with the given identity headers (each "Name: v"). */
static enum ctl_permit_verdict
judge(const char *ruri, const char *from, const char *to, const char *extra,
		const struct netaddr *local)
{
	int n = snprintf(text, sizeof(text),
			"OPTIONS %s SIP/2.0\r\n"
			"Via: SIP/2.0/TCP 198.51.100.10;branch=z9hG4bKp\r\n"
			"Max-Forwards: 70\r\n"
			"From: %s;tag=f\r\n"
			"To: %s\r\n"
			"%s"
			"Call-ID: p1\r\nCSeq: 1 OPTIONS\r\n"
			"Content-Length: 0\r\n\r\n",
			ruri, from, to, extra);

	assert_true(n > 0 && (size_t)n < sizeof(text));
	assert_true(sip_msg_parse(&msg, text, text + n, SIP_PARSE_STREAM,
			NULL) > 0);
	assert_int_equal(sip_msg_validate(&msg), 0);
	return ctl_permit_check(permit, &msg, local);
}

static void
test_permitted_from_to_a_local_domain_passes(void **state)
{
	(void)state;
	assert_int_equal(judge("sip:bob@example.com",
			"<sip:w@partner.example>", "<sip:bob@example.com>", "",
			NULL), CTL_PERMIT_PASS);
}

static void
test_from_a_domain_not_permitted_is_denied_identity(void **state)
{
	(void)state;
	assert_int_equal(judge("sip:bob@example.com", "<sip:w@evil.example>",
			"<sip:bob@example.com>", "", NULL),
			CTL_PERMIT_DENY_IDENTITY);
}

static void
test_a_subdomain_passes_where_subdomains_are_allowed(void **state)
{
	(void)state;
	assert_int_equal(judge("sip:bob@example.com",
			"<sip:w@a.b.Partner.Example>", "<sip:bob@example.com>",
			"", NULL), CTL_PERMIT_PASS);
}

static void
test_a_subdomain_is_denied_where_the_entry_is_exact(void **state)
{
	(void)state;
	assert_int_equal(judge("sip:bob@example.com",
			"<sip:w@a.exact.example>", "<sip:bob@example.com>", "",
			NULL), CTL_PERMIT_DENY_IDENTITY);
	assert_int_equal(judge("sip:bob@example.com",
			"<sip:w@EXACT.example.>", "<sip:bob@example.com>", "",
			NULL), CTL_PERMIT_PASS);
}

static void
test_a_name_ending_like_the_domain_without_a_dot_is_denied(void **state)
{
	(void)state;
	assert_int_equal(judge("sip:bob@example.com",
			"<sip:w@evilpartner.example>", "<sip:bob@example.com>",
			"", NULL), CTL_PERMIT_DENY_IDENTITY);
}

static void
test_p_asserted_identity_wins_over_from(void **state)
{
	(void)state;
	assert_int_equal(judge("sip:bob@example.com",
			"<sip:w@partner.example>", "<sip:bob@example.com>",
			"P-Asserted-Identity: <sip:x@evil.example>\r\n", NULL),
			CTL_PERMIT_DENY_IDENTITY);
	assert_int_equal(judge("sip:bob@example.com", "<sip:w@evil.example>",
			"<sip:bob@example.com>",
			"P-Asserted-Identity: <sip:x@partner.example>\r\n",
			NULL), CTL_PERMIT_PASS);
}

static void
test_remote_party_id_wins_over_from(void **state)
{
	(void)state;
	assert_int_equal(judge("sip:bob@example.com",
			"<sip:w@partner.example>", "<sip:bob@example.com>",
			"Remote-Party-ID: <sip:x@evil.example>\r\n", NULL),
			CTL_PERMIT_DENY_IDENTITY);
}

static void
test_a_tel_identity_is_denied(void **state)
{
	(void)state;
	assert_int_equal(judge("sip:bob@example.com", "<tel:+15551234>",
			"<sip:bob@example.com>", "", NULL),
			CTL_PERMIT_DENY_IDENTITY);
}

static void
test_a_foreign_request_uri_is_denied_ruri(void **state)
{
	(void)state;
	assert_int_equal(judge("sip:someone@elsewhere.example",
			"<sip:w@partner.example>",
			"<sip:someone@elsewhere.example>", "", NULL),
			CTL_PERMIT_DENY_RURI);
}

static void
test_our_addresses_in_the_request_uri_pass(void **state)
{
	(void)state;
	assert_int_equal(judge("sip:198.51.100.1:5060",
			"<sip:w@partner.example>", "<sip:198.51.100.1>", "",
			NULL), CTL_PERMIT_PASS);
	assert_int_equal(judge("sip:[2001:db8:0:1::1]",
			"<sip:w@partner.example>", "<sip:x@example.com>", "",
			NULL), CTL_PERMIT_PASS);
	assert_int_equal(judge("sip:198.51.100.2", "<sip:w@partner.example>",
			"<sip:x@example.com>", "", NULL),
			CTL_PERMIT_DENY_RURI);
}

static void
test_the_address_the_request_came_to_counts_as_ours(void **state)
{
	uint8_t lo[4] = { 127, 0, 0, 1 };
	struct netaddr local = netaddr_make4(lo, 40123);

	(void)state;
	assert_int_equal(judge("sip:127.0.0.1:5060", "<sip:w@partner.example>",
			"<sip:127.0.0.1>", "", &local), CTL_PERMIT_PASS);
	assert_int_equal(judge("sip:127.0.0.1:5060", "<sip:w@partner.example>",
			"<sip:127.0.0.1>", "", NULL), CTL_PERMIT_DENY_RURI);
}

static void
test_in_dialog_skips_the_request_uri_check(void **state)
{
	(void)state;
	assert_int_equal(judge("sip:w@198.51.100.10:5070",
			"<sip:w@partner.example>",
			"<sip:bob@example.com>;tag=dlg", "", NULL),
			CTL_PERMIT_PASS);
	/* ... but not the identity check. */
	assert_int_equal(judge("sip:w@198.51.100.10:5070",
			"<sip:w@evil.example>", "<sip:bob@example.com>;tag=dlg",
			"", NULL), CTL_PERMIT_DENY_IDENTITY);
}

static void
test_no_domains_denies_everything(void **state)
{
	struct ctl_permit *none = ctl_permit_create(NULL, NULL, 0);

	(void)state;
	assert_non_null(none);
	judge("sip:bob@example.com", "<sip:w@partner.example>",
			"<sip:bob@example.com>", "", NULL);
	assert_int_equal(ctl_permit_check(none, &msg, NULL),
			CTL_PERMIT_DENY_IDENTITY);
	ctl_permit_destroy(none);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_permitted_from_to_a_local_domain_passes),
		cmocka_unit_test(
			test_from_a_domain_not_permitted_is_denied_identity),
		cmocka_unit_test(
			test_a_subdomain_passes_where_subdomains_are_allowed),
		cmocka_unit_test(
			test_a_subdomain_is_denied_where_the_entry_is_exact),
		cmocka_unit_test(
			test_a_name_ending_like_the_domain_without_a_dot_is_denied),
		cmocka_unit_test(test_p_asserted_identity_wins_over_from),
		cmocka_unit_test(test_remote_party_id_wins_over_from),
		cmocka_unit_test(test_a_tel_identity_is_denied),
		cmocka_unit_test(test_a_foreign_request_uri_is_denied_ruri),
		cmocka_unit_test(test_our_addresses_in_the_request_uri_pass),
		cmocka_unit_test(
			test_the_address_the_request_came_to_counts_as_ours),
		cmocka_unit_test(test_in_dialog_skips_the_request_uri_check),
		cmocka_unit_test(test_no_domains_denies_everything),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
