/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stream framing of SIP (ctl_tcp_frame()), alone: no sockets. Bytes are
 * fed as a connection's buffer would hold them: everything received and
 * not yet consumed, from the first unconsumed byte.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/tcp/ctl_tcp.h"
#include "platform/sip/sip.h"

static struct sip_msg msg;

#define OPTIONS_REQ                                                        \
	"OPTIONS sip:192.0.2.1 SIP/2.0\r\n"                                 \
	"Via: SIP/2.0/TCP 192.0.2.11:40000;branch=z9hG4bKf1\r\n"           \
	"Max-Forwards: 70\r\n"                                             \
	"From: <sip:ping@example.com>;tag=1\r\n"                           \
	"To: <sip:192.0.2.1>\r\n"                                          \
	"Call-ID: f1@192.0.2.11\r\n"                                       \
	"CSeq: 1 OPTIONS\r\n"                                              \
	"Content-Length: 0\r\n\r\n"

#define MESSAGE_REQ                                                        \
	"MESSAGE sip:bob@example.com SIP/2.0\r\n"                           \
	"Via: SIP/2.0/TCP 192.0.2.11:40000;branch=z9hG4bKf2\r\n"           \
	"Max-Forwards: 70\r\n"                                             \
	"From: <sip:alice@example.com>;tag=2\r\n"                          \
	"To: <sip:bob@example.com>\r\n"                                    \
	"Call-ID: f2@192.0.2.11\r\n"                                       \
	"CSeq: 1 MESSAGE\r\n"                                              \
	"Content-Type: text/plain\r\n"                                     \
	"Content-Length: 5\r\n\r\n"                                        \
	"hello"

/* Frame s[0..n) from a fresh state. */
static int
frame(struct ctl_tcp_framer *f, const char *s, size_t n,
		const struct sip_limits *lim, enum ctl_tcp_unit *unit)
{
	return ctl_tcp_frame(f, s, s + n, lim, &msg, unit);
}

static void
test_a_whole_message_is_one_unit_of_its_length(void **state)
{
	struct ctl_tcp_framer f = { 0, 0 };
	enum ctl_tcp_unit unit = CTL_TCP_UNIT_CRLF;
	int rc;

	(void)state;
	rc = frame(&f, OPTIONS_REQ, strlen(OPTIONS_REQ), NULL, &unit);
	assert_int_equal(rc, (int)strlen(OPTIONS_REQ));
	assert_int_equal(unit, CTL_TCP_UNIT_MSG);
	assert_int_equal(msg.method, SIP_METHOD_OPTIONS);
}

static void
test_pipelined_messages_are_framed_one_after_the_other(void **state)
{
	const char both[] = OPTIONS_REQ MESSAGE_REQ;
	struct ctl_tcp_framer f = { 0, 0 };
	enum ctl_tcp_unit unit;
	int rc;

	(void)state;
	rc = frame(&f, both, sizeof(both) - 1, NULL, &unit);
	assert_int_equal(rc, (int)strlen(OPTIONS_REQ));
	assert_int_equal(msg.method, SIP_METHOD_OPTIONS);
	rc = frame(&f, both + rc, sizeof(both) - 1 - (size_t)rc, NULL, &unit);
	assert_int_equal(rc, (int)strlen(MESSAGE_REQ));
	assert_int_equal(unit, CTL_TCP_UNIT_MSG);
	assert_int_equal(msg.method, SIP_METHOD_MESSAGE);
	assert_int_equal(msg.body.len, 5);
	assert_memory_equal(msg.buf + msg.body.off, "hello", 5);
}

/*
 * Every prefix of a message asks for more, and the whole message is
 * framed once: the state carried between calls (where the head search
 * resumes, the length once known) is right for every cut.
 */
static void
test_every_prefix_asks_for_more_until_the_last_byte(void **state)
{
	const char *s = MESSAGE_REQ;
	size_t len = strlen(s);
	struct ctl_tcp_framer f = { 0, 0 };
	enum ctl_tcp_unit unit;

	(void)state;
	for (size_t n = 1; n < len; n++)
		assert_int_equal(frame(&f, s, n, NULL, &unit), 0);
	assert_int_equal(frame(&f, s, len, NULL, &unit), (int)len);
	assert_int_equal(unit, CTL_TCP_UNIT_MSG);
	assert_int_equal(msg.body.len, 5);
}

static void
test_a_body_still_on_the_way_waits_for_content_length(void **state)
{
	const char *s = MESSAGE_REQ;
	size_t head = strlen(s) - 5;
	struct ctl_tcp_framer f = { 0, 0 };
	enum ctl_tcp_unit unit;

	(void)state;
	assert_int_equal(frame(&f, s, head + 2, NULL, &unit), 0);
	assert_int_equal(f.need, strlen(s));
	assert_int_equal(frame(&f, s, strlen(s), NULL, &unit),
			(int)strlen(s));
}

static void
test_crlfcrlf_is_a_ping(void **state)
{
	struct ctl_tcp_framer f = { 0, 0 };
	enum ctl_tcp_unit unit;

	(void)state;
	assert_int_equal(frame(&f, "\r\n\r\n", 4, NULL, &unit), 4);
	assert_int_equal(unit, CTL_TCP_UNIT_PING);
}

static void
test_a_lone_crlf_waits_for_the_next_byte(void **state)
{
	struct ctl_tcp_framer f = { 0, 0 };
	enum ctl_tcp_unit unit;

	(void)state;
	assert_int_equal(frame(&f, "\r\n", 2, NULL, &unit), 0);
	assert_int_equal(frame(&f, "\r\n\r", 3, NULL, &unit), 0);
}

static void
test_a_crlf_before_a_message_is_stray(void **state)
{
	const char s[] = "\r\n" OPTIONS_REQ;
	struct ctl_tcp_framer f = { 0, 0 };
	enum ctl_tcp_unit unit;
	int rc;

	(void)state;
	rc = frame(&f, s, sizeof(s) - 1, NULL, &unit);
	assert_int_equal(rc, 2);
	assert_int_equal(unit, CTL_TCP_UNIT_CRLF);
	rc = frame(&f, s + 2, sizeof(s) - 3, NULL, &unit);
	assert_int_equal(rc, (int)strlen(OPTIONS_REQ));
	assert_int_equal(unit, CTL_TCP_UNIT_MSG);
}

static void
test_missing_content_length_is_an_error_with_the_head_parsed(void **state)
{
	const char s[] = "OPTIONS sip:192.0.2.1 SIP/2.0\r\n"
			 "Via: SIP/2.0/TCP 192.0.2.11;branch=z9hG4bKn\r\n"
			 "From: <sip:a@example.com>;tag=1\r\n"
			 "To: <sip:192.0.2.1>\r\n"
			 "Call-ID: n1\r\nCSeq: 1 OPTIONS\r\n\r\n";
	struct ctl_tcp_framer f = { 0, 0 };
	enum ctl_tcp_unit unit;

	(void)state;
	assert_int_equal(frame(&f, s, sizeof(s) - 1, NULL, &unit), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_NO_CONTENT_LENGTH);
	assert_true(sip_msg_has(&msg, SIP_HDR_CALL_ID));
}

static void
test_content_length_over_the_limit_is_too_big(void **state)
{
	const char s[] = "MESSAGE sip:b@example.com SIP/2.0\r\n"
			 "Via: SIP/2.0/TCP 192.0.2.11;branch=z9hG4bKb\r\n"
			 "From: <sip:a@example.com>;tag=1\r\n"
			 "To: <sip:b@example.com>\r\n"
			 "Call-ID: b1\r\nCSeq: 1 MESSAGE\r\n"
			 "Content-Length: 5000\r\n\r\nxx";
	struct sip_limits lim = { 1024, 64, 1024 };
	struct ctl_tcp_framer f = { 0, 0 };
	enum ctl_tcp_unit unit;

	(void)state;
	assert_int_equal(frame(&f, s, sizeof(s) - 1, &lim, &unit), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_TOO_BIG);
}

static void
test_a_head_without_end_at_the_limit_is_too_big(void **state)
{
	struct sip_limits lim = { 1024, 64, 4096 };
	struct ctl_tcp_framer f = { 0, 0 };
	enum ctl_tcp_unit unit;
	char *s = malloc(2048);

	(void)state;
	assert_non_null(s);
	memcpy(s, "OPTIONS sip:x SIP/2.0\r\nX: ", 26);
	memset(s + 26, 'a', 2048 - 26);
	assert_int_equal(frame(&f, s, 1023, &lim, &unit), 0);
	assert_int_equal(frame(&f, s, 1024, &lim, &unit), -EMSGSIZE);
	free(s);
}

static void
test_a_malformed_start_line_is_an_error(void **state)
{
	const char s[] = "HELLO THERE\r\nContent-Length: 0\r\n\r\n";
	struct ctl_tcp_framer f = { 0, 0 };
	enum ctl_tcp_unit unit;

	(void)state;
	assert_int_equal(frame(&f, s, sizeof(s) - 1, NULL, &unit), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_BAD_START_LINE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_whole_message_is_one_unit_of_its_length),
		cmocka_unit_test(
			test_pipelined_messages_are_framed_one_after_the_other),
		cmocka_unit_test(
			test_every_prefix_asks_for_more_until_the_last_byte),
		cmocka_unit_test(
			test_a_body_still_on_the_way_waits_for_content_length),
		cmocka_unit_test(test_crlfcrlf_is_a_ping),
		cmocka_unit_test(test_a_lone_crlf_waits_for_the_next_byte),
		cmocka_unit_test(test_a_crlf_before_a_message_is_stray),
		cmocka_unit_test(
			test_missing_content_length_is_an_error_with_the_head_parsed),
		cmocka_unit_test(test_content_length_over_the_limit_is_too_big),
		cmocka_unit_test(test_a_head_without_end_at_the_limit_is_too_big),
		cmocka_unit_test(test_a_malformed_start_line_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
