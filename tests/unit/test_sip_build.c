/* SPDX-License-Identifier: BSD-3-Clause */
/* Builders, the ALG's rewrite, multipart bodies and validation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "platform/sip/sip.h"

static struct sip_msg msg, out_msg;
static char out[4096];

#define REQ                                                                \
	"SUBSCRIBE sip:alice@example.com SIP/2.0\r\n"                      \
	"Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bK776\r\n"        \
	"Via: SIP/2.0/UDP 198.51.100.20;branch=z9hG4bK999\r\n"             \
	"Max-Forwards: 70\r\n"                                             \
	"From: <sip:pat@partner.example>;tag=1928\r\n"                     \
	"To: <sip:alice@example.com>\r\n"                                  \
	"Call-ID: a84b4c76e66710@198.51.100.10\r\n"                        \
	"CSeq: 314159 SUBSCRIBE\r\n"                                       \
	"Record-Route: <sip:rr.partner.example;lr>\r\n"                    \
	"Contact: <sip:pat@198.51.100.10:5060>\r\n"                        \
	"Event: presence\r\n"

static void
parse_req(const char *m)
{
	assert_true(sip_msg_parse(&msg, m, m + strlen(m), 0, NULL) > 0);
	assert_int_equal(sip_msg_validate(&msg), 0);
}

static void
parse_out(int len)
{
	assert_true(len > 0);
	assert_true(sip_msg_parse(&out_msg, out, out + len, 0, NULL) > 0);
	assert_int_equal(sip_msg_validate(&out_msg), 0);
}

static void
test_response_copies_vias_in_order(void **state)
{
	(void)state;
	parse_req(REQ "Content-Length: 0\r\n\r\n");
	int n = sip_build_response(&msg, 403, SSTR_NULL, SSTR_LIT("x1"),
			SSTR_NULL, SSTR_NULL, SSTR_NULL, 0, out, sizeof(out));

	parse_out(n);
	assert_int_equal(out_msg.status, 403);
	assert_true(sstr_eq(sip_msg_slice(&out_msg, out_msg.reason),
			SSTR_LIT("Forbidden")));
	const struct sip_hdr *v = sip_hdr_find(&out_msg, SIP_HDR_VIA);

	assert_non_null(strstr(sip_hdr_value(&out_msg, v).p, "z9hG4bK776"));
	v = sip_hdr_find_next(&out_msg, v);
	assert_non_null(v);
	assert_true(sstr_eq(sip_hdr_value(&out_msg, v),
			SSTR_LIT("SIP/2.0/UDP 198.51.100.20;branch=z9hG4bK999")));
}

static void
test_response_adds_to_tag_when_absent(void **state)
{
	(void)state;
	struct sip_nameaddr na;
	struct sstr to;

	parse_req(REQ "Content-Length: 0\r\n\r\n");
	parse_out(sip_build_response(&msg, 200, SSTR_NULL, SSTR_LIT("abc"),
			SSTR_NULL, SSTR_NULL, SSTR_NULL, 0, out, sizeof(out)));
	to = sip_msg_hdr_value(&out_msg, SIP_HDR_TO);
	assert_int_equal(sip_nameaddr_parse(to.p, sstr_end(to), &na), 0);
	assert_true(sstr_eq(na.tag, SSTR_LIT("abc")));
}

static void
test_response_keeps_an_existing_to_tag(void **state)
{
	(void)state;
	parse_req("BYE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
		  "From: <sip:c@d>;tag=1\r\nTo: <sip:a@b>;tag=old\r\n"
		  "Call-ID: x\r\nCSeq: 2 BYE\r\n\r\n");
	parse_out(sip_build_response(&msg, 200, SSTR_NULL, SSTR_LIT("new"),
			SSTR_NULL, SSTR_NULL, SSTR_NULL, 0, out, sizeof(out)));
	assert_true(sstr_eq(sip_msg_hdr_value(&out_msg, SIP_HDR_TO),
			SSTR_LIT("<sip:a@b>;tag=old")));
}

static void
test_100_trying_gets_no_to_tag(void **state)
{
	(void)state;
	parse_req(REQ "Content-Length: 0\r\n\r\n");
	parse_out(sip_build_response(&msg, 100, SSTR_NULL, SSTR_LIT("t"),
			SSTR_NULL, SSTR_NULL, SSTR_NULL, 0, out, sizeof(out)));
	assert_true(sstr_eq(sip_msg_hdr_value(&out_msg, SIP_HDR_TO),
			SSTR_LIT("<sip:alice@example.com>")));
}

static void
test_response_copies_record_route_when_asked(void **state)
{
	(void)state;
	parse_req(REQ "Content-Length: 0\r\n\r\n");
	parse_out(sip_build_response(&msg, 200, SSTR_NULL, SSTR_LIT("t"),
			SSTR_NULL, SSTR_NULL, SSTR_NULL, 0, out, sizeof(out)));
	assert_false(sip_msg_has(&out_msg, SIP_HDR_RECORD_ROUTE));
	parse_out(sip_build_response(&msg, 200, SSTR_NULL, SSTR_LIT("t"),
			SSTR_NULL, SSTR_NULL, SSTR_NULL, SIP_BUILD_COPY_RR, out,
			sizeof(out)));
	assert_true(sip_msg_has(&out_msg, SIP_HDR_RECORD_ROUTE));
}

static void
test_response_carries_extra_headers_and_body(void **state)
{
	(void)state;
	parse_req(REQ "Content-Length: 0\r\n\r\n");
	parse_out(sip_build_response(&msg, 423, SSTR_NULL, SSTR_LIT("t"),
			SSTR_LIT("Min-Expires: 60\r\n"), SSTR_LIT("text/plain"),
			SSTR_LIT("too brief"), 0, out, sizeof(out)));
	assert_true(sstr_eq(sip_msg_hdr_value(&out_msg, SIP_HDR_MIN_EXPIRES),
			SSTR_LIT("60")));
	assert_int_equal(out_msg.content_length, 9);
	assert_true(sstr_eq(sip_msg_slice(&out_msg, out_msg.body),
			SSTR_LIT("too brief")));
}

static void
test_response_too_big_for_the_buffer_is_enospc(void **state)
{
	(void)state;
	parse_req(REQ "Content-Length: 0\r\n\r\n");
	assert_int_equal(sip_build_response(&msg, 200, SSTR_NULL, SSTR_NULL,
			SSTR_NULL, SSTR_NULL, SSTR_NULL, 0, out, 50), -ENOSPC);
}

static void
test_request_builder_makes_a_valid_request(void **state)
{
	(void)state;
	struct sip_buf b;

	sip_buf_init(&b, out, sizeof(out));
	sip_build_request_line(&b, SSTR_LIT("NOTIFY"),
			SSTR_LIT("sip:pat@198.51.100.10"));
	sip_buf_hdr(&b, "Via", SSTR_LIT("SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKn"));
	sip_buf_hdr(&b, "Max-Forwards", SSTR_LIT("70"));
	sip_buf_hdr(&b, "From", SSTR_LIT("<sip:alice@example.com>;tag=a"));
	sip_buf_hdr(&b, "To", SSTR_LIT("<sip:pat@partner.example>;tag=p"));
	sip_buf_hdr(&b, "Call-ID", SSTR_LIT("c1"));
	sip_buf_putc(&b, "CSeq: ");
	sip_buf_putu(&b, 42);
	sip_buf_putc(&b, " NOTIFY\r\n");
	int n = sip_build_finish(&b, SSTR_LIT("application/pidf+xml"),
			SSTR_LIT("<presence/>"));

	parse_out(n);
	assert_int_equal(out_msg.method, SIP_METHOD_NOTIFY);
	assert_int_equal(out_msg.content_length, 11);
	assert_true(sstr_eq(sip_msg_hdr_value(&out_msg, SIP_HDR_CSEQ),
			SSTR_LIT("42 NOTIFY")));
}

static void
test_rewrite_replaces_a_header_slice(void **state)
{
	(void)state;
	parse_req(REQ "Content-Length: 0\r\n\r\n");
	const struct sip_hdr *c = sip_hdr_find(&msg, SIP_HDR_CONTACT);
	struct sip_edit e = { c->val_off, c->val_len,
			      SSTR_LIT("<sip:pat@203.0.113.1:40000>") };
	int n = sip_msg_rewrite(&msg, &e, 1, out, sizeof(out));

	parse_out(n);
	assert_true(sstr_eq(sip_msg_hdr_value(&out_msg, SIP_HDR_CONTACT),
			SSTR_LIT("<sip:pat@203.0.113.1:40000>")));
	assert_int_equal(out_msg.content_length, 0);
}

static void
test_rewrite_in_body_fixes_content_length(void **state)
{
	(void)state;
	const char *m = REQ "Content-Type: application/sdp\r\n"
			    "Content-Length: 26\r\n\r\n"
			    "v=0\r\nc=IN IP4 192.0.2.22\r\n";

	parse_req(m);
	const char *ip = strstr(m, "192.0.2.22");
	struct sip_edit e = { (uint32_t)(ip - m), 10,
			      SSTR_LIT("198.51.100.1") };
	int n = sip_msg_rewrite(&msg, &e, 1, out, sizeof(out));

	parse_out(n);
	assert_int_equal(out_msg.content_length, 28);
	assert_true(sstr_eq(sip_msg_slice(&out_msg, out_msg.body),
			SSTR_LIT("v=0\r\nc=IN IP4 198.51.100.1\r\n")));
}

static void
test_rewrite_adds_content_length_when_absent(void **state)
{
	(void)state;
	const char *m = REQ "\r\nabc";

	parse_req(m);
	struct sip_edit e = { (uint32_t)(strlen(m) - 3), 3,
			      SSTR_LIT("abcdef") };
	int n = sip_msg_rewrite(&msg, &e, 1, out, sizeof(out));

	parse_out(n);
	assert_int_equal(out_msg.content_length, 6);
	assert_true(sstr_eq(sip_msg_slice(&out_msg, out_msg.body),
			SSTR_LIT("abcdef")));
}

static void
test_rewrite_several_edits_in_order(void **state)
{
	(void)state;
	const char *m = REQ "Content-Length: 0\r\n\r\n";

	parse_req(m);
	const struct sip_hdr *v = sip_hdr_find(&msg, SIP_HDR_VIA);
	const struct sip_hdr *c = sip_hdr_find(&msg, SIP_HDR_CONTACT);
	struct sip_edit e[2] = {
		{ v->val_off, v->val_len,
		  SSTR_LIT("SIP/2.0/UDP 203.0.113.1:1024;branch=z9hG4bK776") },
		{ c->val_off, c->val_len, SSTR_LIT("<sip:pat@203.0.113.1:1024>") },
	};

	parse_out(sip_msg_rewrite(&msg, e, 2, out, sizeof(out)));
	assert_true(sstr_eq(sip_msg_hdr_value(&out_msg, SIP_HDR_VIA), e[0].repl));
	assert_true(sstr_eq(sip_msg_hdr_value(&out_msg, SIP_HDR_CONTACT),
			e[1].repl));
}

static void
test_rewrite_refuses_unsorted_edits(void **state)
{
	(void)state;
	parse_req(REQ "Content-Length: 0\r\n\r\n");
	struct sip_edit e[2] = { { 100, 2, SSTR_LIT("x") },
				 { 50, 2, SSTR_LIT("y") } };

	assert_int_equal(sip_msg_rewrite(&msg, e, 2, out, sizeof(out)), -EINVAL);
}

static void
test_rewrite_refuses_edits_past_the_end(void **state)
{
	(void)state;
	parse_req(REQ "Content-Length: 0\r\n\r\n");
	struct sip_edit e = { msg.len - 1, 5, SSTR_LIT("x") };

	assert_int_equal(sip_msg_rewrite(&msg, &e, 1, out, sizeof(out)),
			-EINVAL);
}

static void
test_rewrite_refuses_touching_content_length(void **state)
{
	(void)state;
	parse_req(REQ "Content-Length: 0\r\n\r\n");
	const struct sip_hdr *cl = sip_hdr_find(&msg, SIP_HDR_CONTENT_LENGTH);
	struct sip_edit e = { cl->val_off, 1, SSTR_LIT("9") };

	assert_int_equal(sip_msg_rewrite(&msg, &e, 1, out, sizeof(out)),
			-EINVAL);
}

static void
test_rewrite_overflow_is_enospc(void **state)
{
	(void)state;
	parse_req(REQ "Content-Length: 0\r\n\r\n");
	assert_int_equal(sip_msg_rewrite(&msg, NULL, 0, out, 20), -ENOSPC);
}

#define MPART_BODY                                                         \
	"preamble\r\n"                                                     \
	"--b1\r\n"                                                         \
	"Content-ID: <r1@x>\r\n"                                           \
	"Content-Type: application/rlmi+xml\r\n"                           \
	"\r\n"                                                             \
	"<list/>\r\n"                                                      \
	"--b1\r\n"                                                         \
	"Content-Type: application/pidf+xml\r\n"                           \
	"\r\n"                                                             \
	"<presence/>\r\n"                                                  \
	"--b1--\r\n"

static void
test_multipart_splits_parts(void **state)
{
	(void)state;
	struct sip_mpart_iter it;
	struct sip_mpart p;

	assert_int_equal(sip_mpart_init(&it, SSTR_LIT(MPART_BODY),
			SSTR_LIT("\"b1\"")), 0);
	assert_int_equal(sip_mpart_next(&it, &p), 1);
	assert_true(sstr_eq(p.ctype, SSTR_LIT("application/rlmi+xml")));
	assert_true(sstr_eq(p.cid, SSTR_LIT("<r1@x>")));
	assert_true(sstr_eq(p.body, SSTR_LIT("<list/>")));
	assert_int_equal(sip_mpart_next(&it, &p), 1);
	assert_true(sstr_eq(p.ctype, SSTR_LIT("application/pidf+xml")));
	assert_true(sstr_eq(p.body, SSTR_LIT("<presence/>")));
	assert_int_equal(sip_mpart_next(&it, &p), 0);
	assert_int_equal(sip_mpart_next(&it, &p), 0);
}

static void
test_multipart_part_without_headers(void **state)
{
	(void)state;
	struct sip_mpart_iter it;
	struct sip_mpart p;

	assert_int_equal(sip_mpart_init(&it,
			SSTR_LIT("--b\r\n\r\nplain\r\n--b--"), SSTR_LIT("b")), 0);
	assert_int_equal(sip_mpart_next(&it, &p), 1);
	assert_int_equal(p.headers.len, 0);
	assert_true(sstr_eq(p.body, SSTR_LIT("plain")));
	assert_int_equal(sip_mpart_next(&it, &p), 0);
}

static void
test_multipart_without_close_delimiter_is_invalid(void **state)
{
	(void)state;
	struct sip_mpart_iter it;
	struct sip_mpart p;

	assert_int_equal(sip_mpart_init(&it,
			SSTR_LIT("--b\r\nContent-Type: a/b\r\n\r\nx\r\n"),
			SSTR_LIT("b")), 0);
	assert_int_equal(sip_mpart_next(&it, &p), -EINVAL);
}

static void
test_multipart_boundary_must_not_be_empty(void **state)
{
	(void)state;
	struct sip_mpart_iter it;

	assert_int_equal(sip_mpart_init(&it, SSTR_LIT("x"), SSTR_LIT("")),
			-EINVAL);
	assert_int_equal(sip_mpart_init(&it, SSTR_LIT("x"), SSTR_LIT("\"\"")),
			-EINVAL);
}

static void
test_multipart_boundary_inside_a_line_does_not_split(void **state)
{
	(void)state;
	struct sip_mpart_iter it;
	struct sip_mpart p;

	assert_int_equal(sip_mpart_init(&it,
			SSTR_LIT("--b\r\n\r\nx--b y\r\n--b--"), SSTR_LIT("b")), 0);
	assert_int_equal(sip_mpart_next(&it, &p), 1);
	assert_true(sstr_eq(p.body, SSTR_LIT("x--b y")));
}

static void
test_validate_accepts_a_request_without_max_forwards(void **state)
{
	(void)state;
	const char *m = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
			"From: <sip:c@d>;tag=1\r\nTo: <sip:a@b>\r\n"
			"Call-ID: x\r\nCSeq: 2 OPTIONS\r\n\r\n";

	assert_true(sip_msg_parse(&msg, m, m + strlen(m), 0, NULL) > 0);
	assert_int_equal(sip_msg_validate(&msg), 0);
}

static void
test_validate_reports_the_missing_header(void **state)
{
	(void)state;
	const char *m = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
			"From: <sip:c@d>;tag=1\r\nCall-ID: x\r\n"
			"CSeq: 2 OPTIONS\r\n\r\n";

	assert_true(sip_msg_parse(&msg, m, m + strlen(m), 0, NULL) > 0);
	assert_int_equal(sip_msg_validate(&msg), -EBADMSG);
	assert_int_equal(msg.err, SIP_ERR_MISSING_HEADER);
	assert_int_equal(msg.err_hdr, SIP_HDR_TO);
}

static void
test_validate_refuses_a_bad_contact(void **state)
{
	(void)state;
	const char *m = "REGISTER sip:b SIP/2.0\r\nVia: SIP/2.0/UDP h\r\n"
			"From: <sip:c@b>;tag=1\r\nTo: <sip:c@b>\r\n"
			"Call-ID: x\r\nCSeq: 2 REGISTER\r\n"
			"Contact: <sip:c@h>;q=7\r\n\r\n";

	assert_true(sip_msg_parse(&msg, m, m + strlen(m), 0, NULL) > 0);
	assert_int_equal(sip_msg_validate(&msg), -EBADMSG);
	assert_int_equal(msg.err_hdr, SIP_HDR_CONTACT);
}

static void
test_reason_phrases_are_standard(void **state)
{
	(void)state;
	assert_string_equal(sip_reason_str(200), "OK");
	assert_string_equal(sip_reason_str(412), "Conditional Request Failed");
	assert_string_equal(sip_reason_str(489), "Bad Event");
	assert_string_equal(sip_reason_str(299), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_response_copies_vias_in_order),
		cmocka_unit_test(test_response_adds_to_tag_when_absent),
		cmocka_unit_test(test_response_keeps_an_existing_to_tag),
		cmocka_unit_test(test_100_trying_gets_no_to_tag),
		cmocka_unit_test(test_response_copies_record_route_when_asked),
		cmocka_unit_test(test_response_carries_extra_headers_and_body),
		cmocka_unit_test(test_response_too_big_for_the_buffer_is_enospc),
		cmocka_unit_test(test_request_builder_makes_a_valid_request),
		cmocka_unit_test(test_rewrite_replaces_a_header_slice),
		cmocka_unit_test(test_rewrite_in_body_fixes_content_length),
		cmocka_unit_test(test_rewrite_adds_content_length_when_absent),
		cmocka_unit_test(test_rewrite_several_edits_in_order),
		cmocka_unit_test(test_rewrite_refuses_unsorted_edits),
		cmocka_unit_test(test_rewrite_refuses_edits_past_the_end),
		cmocka_unit_test(test_rewrite_refuses_touching_content_length),
		cmocka_unit_test(test_rewrite_overflow_is_enospc),
		cmocka_unit_test(test_multipart_splits_parts),
		cmocka_unit_test(test_multipart_part_without_headers),
		cmocka_unit_test(test_multipart_without_close_delimiter_is_invalid),
		cmocka_unit_test(test_multipart_boundary_must_not_be_empty),
		cmocka_unit_test(test_multipart_boundary_inside_a_line_does_not_split),
		cmocka_unit_test(test_validate_accepts_a_request_without_max_forwards),
		cmocka_unit_test(test_validate_reports_the_missing_header),
		cmocka_unit_test(test_validate_refuses_a_bad_contact),
		cmocka_unit_test(test_reason_phrases_are_standard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
