/* SPDX-License-Identifier: BSD-3-Clause */
/* The message parser: framing, header recognition, limits, bad bytes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "platform/sip/sip.h"

static struct sip_msg msg;

#define SUB_HEAD                                                           \
	"SUBSCRIBE sip:alice@example.com SIP/2.0\r\n"                      \
	"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK776\r\n"        \
	"Max-Forwards: 70\r\n"                                             \
	"From: <sip:pat@partner.example>;tag=1928\r\n"                     \
	"To: <sip:alice@example.com>\r\n"                                  \
	"Call-ID: a84b4c76e66710@198.51.100.10\r\n"                        \
	"CSeq: 314159 SUBSCRIBE\r\n"                                       \
	"Event: presence\r\n"

/*
 * Parse from an exactly-sized heap copy, so that AddressSanitizer catches
 * any read past the end.
 */
static int
parse(const char *text, size_t len, unsigned flags)
{
	static char *copy;

	free(copy);
	copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	return sip_msg_parse(&msg, copy, copy + len, flags, NULL);
}

static int
parse_str(const char *text)
{
	return parse(text, strlen(text), 0);
}

static void
test_request_line_is_split(void **state)
{
	(void)state;
	const char *m = SUB_HEAD "Content-Length: 0\r\n\r\n";

	assert_int_equal(parse_str(m), (int)strlen(m));
	assert_int_equal(msg.kind, SIP_MSG_REQUEST);
	assert_int_equal(msg.method, SIP_METHOD_SUBSCRIBE);
	assert_true(sstr_eq(sip_msg_slice(&msg, msg.ruri),
			SSTR_LIT("sip:alice@example.com")));
	assert_true(sstr_eq(sip_msg_slice(&msg, msg.version),
			SSTR_LIT("SIP/2.0")));
}

static void
test_status_line_is_split(void **state)
{
	(void)state;
	assert_true(parse_str("SIP/2.0 403 Forbidden Here\r\nVia: x\r\n\r\n") >
		    0);
	assert_int_equal(msg.kind, SIP_MSG_RESPONSE);
	assert_int_equal(msg.status, 403);
	assert_true(sstr_eq(sip_msg_slice(&msg, msg.reason),
			SSTR_LIT("Forbidden Here")));
}

static void
test_empty_reason_phrase_is_accepted(void **state)
{
	(void)state;
	assert_true(parse_str("SIP/2.0 100 \r\nVia: x\r\n\r\n") > 0);
	assert_int_equal(msg.reason.len, 0);
	assert_true(parse_str("SIP/2.0 180\r\nVia: x\r\n\r\n") > 0);
	assert_int_equal(msg.status, 180);
}

static void
test_status_code_out_of_range_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_str("SIP/2.0 700 Nope\r\n\r\n"), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_BAD_STATUS);
	assert_int_equal(parse_str("SIP/2.0 4294967301 x\r\n\r\n"), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_BAD_STATUS);
	assert_int_equal(parse_str("SIP/2.0 099 x\r\n\r\n"), -EBADMSG);
}

static void
test_unknown_method_is_an_extension(void **state)
{
	(void)state;
	assert_true(parse_str("FOO sip:a@b SIP/2.0\r\n\r\n") > 0);
	assert_int_equal(msg.method, SIP_METHOD_OTHER);
	assert_true(sstr_eq(sip_msg_slice(&msg, msg.method_s),
			SSTR_LIT("FOO")));
}

static void
test_methods_are_case_sensitive(void **state)
{
	(void)state;
	assert_true(parse_str("invite sip:a@b SIP/2.0\r\n\r\n") > 0);
	assert_int_equal(msg.method, SIP_METHOD_OTHER);
}

static void
test_bad_version_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_str("OPTIONS sip:a@b SIP/7.0\r\n\r\n"),
			-EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_BAD_VERSION);
}

static void
test_double_space_in_request_line_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_str("OPTIONS  sip:a@b SIP/2.0\r\n\r\n"),
			-EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_BAD_START_LINE);
}

static void
test_every_header_is_recorded_in_order(void **state)
{
	(void)state;
	assert_true(parse_str(SUB_HEAD "Content-Length: 0\r\n\r\n") > 0);
	assert_int_equal(msg.n_hdrs, 8);
	assert_int_equal(msg.hdrs[0].type, SIP_HDR_VIA);
	assert_int_equal(msg.hdrs[1].type, SIP_HDR_MAX_FORWARDS);
	assert_int_equal(msg.hdrs[6].type, SIP_HDR_EVENT);
	assert_int_equal(msg.hdrs[7].type, SIP_HDR_CONTENT_LENGTH);
	assert_true(sstr_eq(sip_msg_hdr_value(&msg, SIP_HDR_CALL_ID),
			SSTR_LIT("a84b4c76e66710@198.51.100.10")));
}

static void
test_header_names_are_case_insensitive(void **state)
{
	(void)state;
	assert_true(parse_str("OPTIONS sip:a@b SIP/2.0\r\ncall-id: x\r\n"
			      "CSEQ: 1 OPTIONS\r\nmAx-FoRwArDs: 7\r\n"
			      "p-asserted-IDENTITY: <sip:a@b>\r\n\r\n") > 0);
	assert_true(sip_msg_has(&msg, SIP_HDR_CALL_ID));
	assert_true(sip_msg_has(&msg, SIP_HDR_CSEQ));
	assert_true(sip_msg_has(&msg, SIP_HDR_MAX_FORWARDS));
	assert_true(sip_msg_has(&msg, SIP_HDR_P_ASSERTED_IDENTITY));
}

static void
test_compact_forms_are_recognised(void **state)
{
	(void)state;
	assert_true(parse_str("OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h\r\n"
			      "f: <sip:a@b>\r\nT: <sip:c@d>\r\ni: x\r\n"
			      "m: <sip:e@f>\r\nl: 0\r\nc: text/plain\r\n"
			      "o: presence\r\nk: eventlist\r\nu: x\r\n\r\n") > 0);
	static const uint8_t want[] = {
		SIP_HDR_VIA, SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_CALL_ID,
		SIP_HDR_CONTACT, SIP_HDR_CONTENT_LENGTH, SIP_HDR_CONTENT_TYPE,
		SIP_HDR_EVENT, SIP_HDR_SUPPORTED, SIP_HDR_ALLOW_EVENTS,
	};
	for (unsigned i = 0; i < sizeof(want); i++) {
		assert_int_equal(msg.hdrs[i].type, want[i]);
		assert_int_equal(msg.hdrs[i].compact, 1);
	}
}

static void
test_unknown_header_is_other_and_found_by_name(void **state)
{
	(void)state;
	assert_true(parse_str("OPTIONS sip:a@b SIP/2.0\r\n"
			      "X-Custom-Thing: yes\r\n\r\n") > 0);
	assert_int_equal(msg.hdrs[0].type, SIP_HDR_OTHER);
	const struct sip_hdr *h =
		sip_hdr_find_name(&msg, SSTR_LIT("x-custom-THING"));

	assert_non_null(h);
	assert_true(sstr_eq(sip_hdr_value(&msg, h), SSTR_LIT("yes")));
}

static void
test_whitespace_before_colon_is_allowed(void **state)
{
	(void)state;
	assert_true(parse_str("OPTIONS sip:a@b SIP/2.0\r\nTo   :  <sip:a@b>  "
			      "\r\n\r\n") > 0);
	assert_int_equal(msg.hdrs[0].type, SIP_HDR_TO);
	assert_true(sstr_eq(sip_msg_hdr_value(&msg, SIP_HDR_TO),
			SSTR_LIT("<sip:a@b>")));
}

static void
test_folded_lines_extend_the_value(void **state)
{
	(void)state;
	assert_true(parse_str("OPTIONS sip:a@b SIP/2.0\r\nSubject: one\r\n"
			      "  two\r\n\tthree\r\nTo: <sip:a@b>\r\n\r\n") > 0);
	assert_int_equal(msg.n_hdrs, 2);
	assert_true(sstr_eq(sip_msg_hdr_value(&msg, SIP_HDR_SUBJECT),
			SSTR_LIT("one\r\n  two\r\n\tthree")));
}

static void
test_folded_value_after_empty_first_line(void **state)
{
	(void)state;
	assert_true(parse_str("OPTIONS sip:a@b SIP/2.0\r\nTo:\r\n"
			      " <sip:a@b>\r\n\r\n") > 0);
	assert_true(sstr_eq(sip_msg_hdr_value(&msg, SIP_HDR_TO),
			SSTR_LIT("<sip:a@b>")));
}

static void
test_repeated_headers_are_linked(void **state)
{
	(void)state;
	assert_true(parse_str("OPTIONS sip:a@b SIP/2.0\r\nVia: a\r\nTo: x\r\n"
			      "Via: b\r\nv: c\r\n\r\n") > 0);
	const struct sip_hdr *h = sip_hdr_find(&msg, SIP_HDR_VIA);

	assert_true(sstr_eq(sip_hdr_value(&msg, h), SSTR_LIT("a")));
	h = sip_hdr_find_next(&msg, h);
	assert_true(sstr_eq(sip_hdr_value(&msg, h), SSTR_LIT("b")));
	h = sip_hdr_find_next(&msg, h);
	assert_true(sstr_eq(sip_hdr_value(&msg, h), SSTR_LIT("c")));
	assert_null(sip_hdr_find_next(&msg, h));
	assert_true(msg.dup & SIP_HDR_BIT(SIP_HDR_VIA));
	assert_false(msg.dup & SIP_HDR_BIT(SIP_HDR_TO));
}

static void
test_leading_crlfs_are_skipped(void **state)
{
	(void)state;
	const char *m = "\r\n\r\nOPTIONS sip:a@b SIP/2.0\r\n\r\n";

	assert_int_equal(parse_str(m), (int)strlen(m));
	assert_int_equal(msg.skipped, 4);
	assert_int_equal(msg.kind, SIP_MSG_REQUEST);
}

static void
test_bare_lf_line_ends_are_accepted(void **state)
{
	(void)state;
	assert_true(parse_str("OPTIONS sip:a@b SIP/2.0\nTo: <sip:a@b>\n\nxy") >
		    0);
	assert_int_equal(msg.n_hdrs, 1);
	assert_int_equal(msg.body.len, 2);
}

static void
test_datagram_without_content_length_takes_the_rest(void **state)
{
	(void)state;
	assert_true(parse_str("OPTIONS sip:a@b SIP/2.0\r\n\r\nhello") > 0);
	assert_int_equal(msg.body.len, 5);
	assert_int_equal(msg.content_length, -1);
}

static void
test_datagram_octets_past_content_length_are_ignored(void **state)
{
	(void)state;
	const char *m = "OPTIONS sip:a@b SIP/2.0\r\nl: 2\r\n\r\nhello";

	assert_int_equal(parse_str(m), (int)strlen(m));
	assert_int_equal(msg.body.len, 2);
	assert_int_equal(msg.len, strlen(m) - 3);
}

static void
test_datagram_body_shorter_than_content_length_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_str("OPTIONS sip:a@b SIP/2.0\r\n"
				   "Content-Length: 10\r\n\r\nhello"),
			-EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_BODY_SHORT);
}

static void
test_head_without_empty_line_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_str("OPTIONS sip:a@b SIP/2.0\r\nTo: x\r\n"),
			-EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_NO_END_OF_HEADERS);
}

static void
test_stream_waits_for_the_whole_head(void **state)
{
	(void)state;
	const char *m = "OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n";

	assert_int_equal(parse(m, strlen(m), SIP_PARSE_STREAM), 0);
}

static void
test_stream_waits_for_the_whole_body(void **state)
{
	(void)state;
	const char *m = "OPTIONS sip:a@b SIP/2.0\r\nl: 10\r\n\r\nhello";

	assert_int_equal(parse(m, strlen(m), SIP_PARSE_STREAM), 0);
}

static void
test_stream_frames_back_to_back_messages(void **state)
{
	(void)state;
	const char *m = "MESSAGE sip:a@b SIP/2.0\r\nl: 5\r\n\r\nhello"
			"OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n\r\n";
	size_t first = strlen("MESSAGE sip:a@b SIP/2.0\r\nl: 5\r\n\r\nhello");

	assert_int_equal(parse(m, strlen(m), SIP_PARSE_STREAM), (int)first);
	assert_int_equal(msg.method, SIP_METHOD_MESSAGE);
	assert_int_equal(parse(m + first, strlen(m) - first, SIP_PARSE_STREAM),
			(int)(strlen(m) - first));
	assert_int_equal(msg.method, SIP_METHOD_OPTIONS);
}

static void
test_stream_requires_content_length(void **state)
{
	(void)state;
	const char *m = "OPTIONS sip:a@b SIP/2.0\r\nTo: x\r\n\r\n";

	assert_int_equal(parse(m, strlen(m), SIP_PARSE_STREAM), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_NO_CONTENT_LENGTH);
}

static void
test_stream_of_only_crlf_needs_more(void **state)
{
	(void)state;
	assert_int_equal(parse("\r\n\r\n", 4, SIP_PARSE_STREAM), 0);
	assert_int_equal(msg.skipped, 4);
}

static void
test_second_content_length_is_refused_at_parse(void **state)
{
	(void)state;
	assert_int_equal(parse_str("OPTIONS sip:a@b SIP/2.0\r\nl: 0\r\n"
				   "Content-Length: 5\r\n\r\nhello"),
			-EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_DUPLICATE_HEADER);
	assert_int_equal(msg.err_hdr, SIP_HDR_CONTENT_LENGTH);
}

static void
test_content_length_with_letters_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_str("OPTIONS sip:a@b SIP/2.0\r\nl: 1x\r\n\r\n"),
			-EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_BAD_CONTENT_LENGTH);
	assert_int_equal(parse_str("OPTIONS sip:a@b SIP/2.0\r\n"
				   "l: 99999999999999999999\r\n\r\n"),
			-EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_BAD_CONTENT_LENGTH);
}

static void
test_nul_in_head_is_refused(void **state)
{
	(void)state;
	static const char m[] = "OPTIONS sip:a@b SIP/2.0\r\nTo: a\0b\r\n\r\n";

	assert_int_equal(parse(m, sizeof(m) - 1, 0), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_NUL_IN_HEAD);
	assert_int_equal(msg.err_off, 30);
}

static void
test_nul_in_quoted_pair_is_text(void **state)
{
	(void)state;
	static const char m[] = "OPTIONS sip:a@b SIP/2.0\r\n"
				"To: \"x\\\0y\" <sip:a@b>\r\n\r\n";

	assert_true(parse(m, sizeof(m) - 1, 0) > 0);
}

static void
test_nul_in_body_is_fine(void **state)
{
	(void)state;
	static const char m[] = "OPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\na\0b";

	assert_true(parse(m, sizeof(m) - 1, 0) > 0);
	assert_int_equal(msg.body.len, 3);
}

static void
test_bare_cr_in_head_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_str("OPTIONS sip:a@b SIP/2.0\r\nTo: a\rb\r\n\r\n"),
			-EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_BARE_CR);
}

static void
test_bare_cr_across_a_16_byte_block_is_refused(void **state)
{
	(void)state;
	char m[128];

	/* Put the CR on every offset 10..40 so that some land on bit 15. */
	for (unsigned pad = 0; pad < 32; pad++) {
		int n = snprintf(m, sizeof(m),
				"OPTIONS sip:a@b SIP/2.0\r\nX: %.*s\rz\r\n\r\n",
				(int)pad, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

		assert_int_equal(parse(m, (size_t)n, 0), -EBADMSG);
		assert_int_equal(msg.err, SIP_ERR_BARE_CR);
	}
}

static void
test_bare_cr_in_body_is_fine(void **state)
{
	(void)state;
	assert_true(parse_str("OPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\na\rb") >
		    0);
}

static void
test_continuation_before_any_header_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_str("OPTIONS sip:a@b SIP/2.0\r\n To: x\r\n\r\n"),
			-EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_CONTINUATION_FIRST);
}

static void
test_header_without_colon_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_str("OPTIONS sip:a@b SIP/2.0\r\nTo x\r\n\r\n"),
			-EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_MISSING_COLON);
}

static void
test_header_name_with_space_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse_str("OPTIONS sip:a@b SIP/2.0\r\nMax Fwd: 1\r\n"
				   "\r\n"),
			-EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_BAD_HEADER_NAME);
}

static void
test_ten_thousand_headers_are_refused(void **state)
{
	(void)state;
	size_t cap = 10000 * 8 + 64, n = 0;
	char *m = malloc(cap);

	n += (size_t)sprintf(m, "OPTIONS sip:a@b SIP/2.0\r\n");
	for (int i = 0; i < 10000; i++)
		n += (size_t)sprintf(m + n, "X: %d\r\n", i % 10);
	n += (size_t)sprintf(m + n, "\r\n");
	struct sip_limits lim = sip_limits_default;

	lim.max_msg_size = (uint32_t)cap;
	assert_int_equal(sip_msg_parse(&msg, m, m + n, 0, &lim), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_TOO_MANY_HEADERS);
	free(m);
}

static void
test_header_over_the_length_limit_is_refused(void **state)
{
	(void)state;
	char m[400];
	struct sip_limits lim = sip_limits_default;

	lim.max_hdr_len = 100;
	int n = snprintf(m, sizeof(m), "OPTIONS sip:a@b SIP/2.0\r\nX: %0200d\r\n"
				       "\r\n", 0);

	assert_int_equal(sip_msg_parse(&msg, m, m + n, 0, &lim), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_HEADER_TOO_LONG);
}

static void
test_message_over_the_size_limit_is_refused(void **state)
{
	(void)state;
	char m[300];
	struct sip_limits lim = sip_limits_default;

	lim.max_msg_size = 100;
	int n = snprintf(m, sizeof(m), "OPTIONS sip:a@b SIP/2.0\r\n\r\n%0200d",
			0);

	assert_int_equal(sip_msg_parse(&msg, m, m + n, 0, &lim), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_TOO_BIG);
}

static void
test_empty_datagram_is_refused(void **state)
{
	(void)state;
	assert_int_equal(parse("", 0, 0), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_EMPTY);
}

static void
test_every_prefix_of_a_message_is_handled(void **state)
{
	(void)state;
	const char *m = SUB_HEAD "Content-Length: 5\r\n\r\nhello";
	size_t len = strlen(m);

	/* Datagram: every truncation is an error, never a crash. Stream:
	 * every truncation asks for more. */
	for (size_t i = 1; i < len; i++) {
		assert_int_equal(parse(m, i, 0), -EBADMSG);
		assert_int_equal(parse(m, i, SIP_PARSE_STREAM), 0);
	}
	assert_int_equal(parse(m, len, SIP_PARSE_STREAM), (int)len);
}

static void
test_err_describe_names_the_header(void **state)
{
	(void)state;
	char buf[128];

	assert_true(parse_str("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
			      "From: <sip:a@b>;tag=1\r\nTo: <sip:a@b>\r\n"
			      "Call-ID: 1\r\nCall-ID: 2\r\nCSeq: 1 OPTIONS\r\n"
			      "\r\n") > 0);
	assert_int_equal(sip_msg_validate(&msg), -EBADMSG);
	sip_msg_err_describe(&msg, buf, sizeof(buf));
	assert_non_null(strstr(buf, "Call-ID"));
	assert_string_equal(sip_err_id_str(msg.err), "DUPLICATE_HEADER");
}

static void
test_hdr_type_of_knows_every_listed_name(void **state)
{
	(void)state;
	for (unsigned t = 1; t < SIP_HDR__COUNT; t++)
		assert_int_equal(sip_hdr_type_of(sstr_cstr(sip_hdr_type_str(t))),
				t);
	assert_int_equal(sip_hdr_type_of(SSTR_LIT("X-Nope")), SIP_HDR_OTHER);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_line_is_split),
		cmocka_unit_test(test_status_line_is_split),
		cmocka_unit_test(test_empty_reason_phrase_is_accepted),
		cmocka_unit_test(test_status_code_out_of_range_is_refused),
		cmocka_unit_test(test_unknown_method_is_an_extension),
		cmocka_unit_test(test_methods_are_case_sensitive),
		cmocka_unit_test(test_bad_version_is_refused),
		cmocka_unit_test(test_double_space_in_request_line_is_refused),
		cmocka_unit_test(test_every_header_is_recorded_in_order),
		cmocka_unit_test(test_header_names_are_case_insensitive),
		cmocka_unit_test(test_compact_forms_are_recognised),
		cmocka_unit_test(test_unknown_header_is_other_and_found_by_name),
		cmocka_unit_test(test_whitespace_before_colon_is_allowed),
		cmocka_unit_test(test_folded_lines_extend_the_value),
		cmocka_unit_test(test_folded_value_after_empty_first_line),
		cmocka_unit_test(test_repeated_headers_are_linked),
		cmocka_unit_test(test_leading_crlfs_are_skipped),
		cmocka_unit_test(test_bare_lf_line_ends_are_accepted),
		cmocka_unit_test(test_datagram_without_content_length_takes_the_rest),
		cmocka_unit_test(test_datagram_octets_past_content_length_are_ignored),
		cmocka_unit_test(test_datagram_body_shorter_than_content_length_is_refused),
		cmocka_unit_test(test_head_without_empty_line_is_refused),
		cmocka_unit_test(test_stream_waits_for_the_whole_head),
		cmocka_unit_test(test_stream_waits_for_the_whole_body),
		cmocka_unit_test(test_stream_frames_back_to_back_messages),
		cmocka_unit_test(test_stream_requires_content_length),
		cmocka_unit_test(test_stream_of_only_crlf_needs_more),
		cmocka_unit_test(test_second_content_length_is_refused_at_parse),
		cmocka_unit_test(test_content_length_with_letters_is_refused),
		cmocka_unit_test(test_nul_in_head_is_refused),
		cmocka_unit_test(test_nul_in_quoted_pair_is_text),
		cmocka_unit_test(test_nul_in_body_is_fine),
		cmocka_unit_test(test_bare_cr_in_head_is_refused),
		cmocka_unit_test(test_bare_cr_across_a_16_byte_block_is_refused),
		cmocka_unit_test(test_bare_cr_in_body_is_fine),
		cmocka_unit_test(test_continuation_before_any_header_is_refused),
		cmocka_unit_test(test_header_without_colon_is_refused),
		cmocka_unit_test(test_header_name_with_space_is_refused),
		cmocka_unit_test(test_ten_thousand_headers_are_refused),
		cmocka_unit_test(test_header_over_the_length_limit_is_refused),
		cmocka_unit_test(test_message_over_the_size_limit_is_refused),
		cmocka_unit_test(test_empty_datagram_is_refused),
		cmocka_unit_test(test_every_prefix_of_a_message_is_handled),
		cmocka_unit_test(test_err_describe_names_the_header),
		cmocka_unit_test(test_hdr_type_of_knows_every_listed_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
