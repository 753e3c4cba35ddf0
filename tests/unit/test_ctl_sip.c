/* SPDX-License-Identifier: BSD-3-Clause */
/* The control plane's stateless answers to SIP for the appliance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "control/ctl_sip.h"
#include "platform/sip/sip.h"

static struct sip_msg scratch, resp;
static char out[4096];

#define HDRS(method)                                                       \
	"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bKx1\r\n"          \
	"Max-Forwards: 70\r\n"                                             \
	"From: <sip:ping@partner.example>;tag=1\r\n"                       \
	"To: <sip:198.51.100.1>\r\n"                                       \
	"Call-ID: c1@198.51.100.10\r\n"                                    \
	"CSeq: 7 " method "\r\n"                                           \
	"Content-Length: 0\r\n\r\n"

static int
answer(const char *req, enum ctl_sip_ctr *outcome)
{
	int n = ctl_sip_answer(req, (uint32_t)strlen(req), NULL, &scratch,
			out, sizeof(out), outcome);

	if (n > 0)
		assert_true(sip_msg_parse(&resp, out, out + n, 0, NULL) > 0);
	return n;
}

static void
test_options_to_the_appliance_gets_200(void **state)
{
	(void)state;
	enum ctl_sip_ctr o;

	assert_true(answer("OPTIONS sip:198.51.100.1 SIP/2.0\r\n"
			   HDRS("OPTIONS"), &o) > 0);
	assert_int_equal(o, CTL_SIP_OPTIONS_200);
	assert_int_equal(resp.status, 200);
	assert_true(sstr_eq(sip_msg_hdr_value(&resp, SIP_HDR_CSEQ),
			SSTR_LIT("7 OPTIONS")));
	assert_non_null(strstr(sip_msg_hdr_value(&resp, SIP_HDR_TO).p,
			";tag="));
	assert_int_equal(sip_msg_validate(&resp), 0);
}

static void
test_options_to_an_ipv6_appliance_address_gets_200(void **state)
{
	(void)state;
	enum ctl_sip_ctr o;

	assert_true(answer("OPTIONS sip:[2001:db8:0:1::1]:5060 SIP/2.0\r\n"
			   HDRS("OPTIONS"), &o) > 0);
	assert_int_equal(resp.status, 200);
}

static void
test_other_requests_get_501(void **state)
{
	(void)state;
	enum ctl_sip_ctr o;

	assert_true(answer("SUBSCRIBE sip:alice@example.com SIP/2.0\r\n"
			   HDRS("SUBSCRIBE"), &o) > 0);
	assert_int_equal(o, CTL_SIP_REPLIED_501);
	assert_int_equal(resp.status, 501);
}

static void
test_max_forwards_zero_gets_483(void **state)
{
	(void)state;
	enum ctl_sip_ctr o;
	const char *req = "MESSAGE sip:bob@example.com SIP/2.0\r\n"
			  "Via: SIP/2.0/UDP 198.51.100.10;branch=z9hG4bKm\r\n"
			  "Max-Forwards: 0\r\n"
			  "From: <sip:p@partner.example>;tag=1\r\n"
			  "To: <sip:bob@example.com>\r\n"
			  "Call-ID: m1\r\nCSeq: 1 MESSAGE\r\n\r\n";

	assert_true(answer(req, &o) > 0);
	assert_int_equal(o, CTL_SIP_REPLIED_483);
	assert_int_equal(resp.status, 483);
}

static void
test_malformed_request_gets_400_with_the_reason(void **state)
{
	(void)state;
	enum ctl_sip_ctr o;

	assert_true(answer("OPTIONS sip:198.51.100.1 SIP/2.0\r\n"
			   HDRS("INVITE"), &o) > 0);
	assert_int_equal(o, CTL_SIP_REPLIED_400);
	assert_int_equal(resp.status, 400);
	assert_non_null(strstr(sip_msg_slice(&resp, resp.reason).p, "CSeq"));
}

static void
test_unparseable_datagram_is_dropped(void **state)
{
	(void)state;
	enum ctl_sip_ctr o;

	assert_int_equal(answer("hello\r\n", &o), 0);
	assert_int_equal(o, CTL_SIP_DROP_MALFORMED);
}

static void
test_responses_and_acks_get_no_answer(void **state)
{
	(void)state;
	enum ctl_sip_ctr o;

	assert_int_equal(answer("SIP/2.0 200 OK\r\n" HDRS("OPTIONS"), &o), 0);
	assert_int_equal(o, CTL_SIP_DROP_RESPONSE);
	assert_int_equal(answer("ACK sip:198.51.100.1 SIP/2.0\r\n" HDRS("ACK"),
			&o), 0);
	assert_int_equal(o, CTL_SIP_DROP_ACK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_to_the_appliance_gets_200),
		cmocka_unit_test(test_options_to_an_ipv6_appliance_address_gets_200),
		cmocka_unit_test(test_other_requests_get_501),
		cmocka_unit_test(test_max_forwards_zero_gets_483),
		cmocka_unit_test(test_malformed_request_gets_400_with_the_reason),
		cmocka_unit_test(test_unparseable_datagram_is_dropped),
		cmocka_unit_test(test_responses_and_acks_get_no_answer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
