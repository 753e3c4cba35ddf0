/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: the lazy header sub-parsers of platform/sip/sip.h, one
 * behaviour per test.
 *
 * Every input is copied into a heap buffer of exactly its length, without a
 * terminating NUL, so that a parser reading past `end` trips AddressSanitizer.
 */
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
#include "tests/unit/sip_test_pool.h"

/* ---- Helpers -------------------------------------------------------- */

/* Parse a whole message (a datagram); fails the test when it is refused. */
static const struct sip_msg *
msg_parse(void **state, const char *text)
{
	struct sstr s = exact(state, text);
	struct sip_msg *msg = pool_alloc(state, sizeof(*msg));

	assert_int_equal(sip_msg_parse(msg, s.p, sstr_end(s), 0, NULL),
			 (int)s.len);
	return msg;
}

static void
check_sstr(struct sstr got, const char *want, const char *file, int line)
{
	if (!sstr_eq(got, sstr_cstr(want))) {
		print_error("got \"%.*s\" (%u bytes), want \"%s\"\n",
			    (int)got.len, got.p ? got.p : "", got.len, want);
		_fail(file, line);
	}
}

/* The slice holds exactly the bytes of the C string want. */
#define assert_sstr(got, want) check_sstr((got), (want), __FILE__, __LINE__)

/*
 * Run a sub-parser `fn(p, end, out)` on an exact copy of text. A macro so
 * that one line serves every sub-parser's output type.
 */
#define PARSE(fn, text, out)                                               \
	({                                                                 \
		struct sstr s_ = exact(state, (text));                     \
		fn(s_.p, sstr_end(s_), (out));                             \
	})

/* A request carrying `hdrs` (CRLF-terminated lines) between fixed ones. */
#define REQ(hdrs)                                                          \
	"OPTIONS sip:bob@example.com SIP/2.0\r\n"                          \
	"Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776\r\n"          \
	"Call-ID: a84b4c76e66710@pc33.example.com\r\n"                     \
	"CSeq: 1 OPTIONS\r\n"                                              \
	hdrs                                                               \
	"Content-Length: 0\r\n"                                            \
	"\r\n"

/* ---- sip_value_next ------------------------------------------------- */

static void
test_value_next_splits_on_commas_and_trims_lws(void **state)
{
	struct sstr rest = exact(state, " a , b,c "), v;

	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "a");
	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "b");
	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "c");
	assert_false(sip_value_next(&rest, &v));
}

static void
test_value_next_comma_inside_quotes_does_not_split(void **state)
{
	struct sstr rest = exact(state,
			"\"Doe, John\" <sip:j@example.com>, <sip:k@example.com>");
	struct sstr v;

	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "\"Doe, John\" <sip:j@example.com>");
	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "<sip:k@example.com>");
	assert_false(sip_value_next(&rest, &v));
}

static void
test_value_next_escaped_quote_does_not_end_the_string(void **state)
{
	struct sstr rest = exact(state, "\"a\\\", b\" <sip:x@example.com>, c");
	struct sstr v;

	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "\"a\\\", b\" <sip:x@example.com>");
	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "c");
}

static void
test_value_next_comma_inside_angle_brackets_does_not_split(void **state)
{
	struct sstr rest = exact(state,
			"<sip:a,b@example.com>;q=1, <sip:c@example.com>");
	struct sstr v;

	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "<sip:a,b@example.com>;q=1");
	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "<sip:c@example.com>");
}

static void
test_value_next_skips_empty_elements(void **state)
{
	struct sstr rest = exact(state, ", ,a,,  ,b,"), v;

	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "a");
	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "b");
	assert_false(sip_value_next(&rest, &v));
}

static void
test_value_next_blank_text_has_no_value(void **state)
{
	struct sstr rest = exact(state, " \t "), v;

	assert_false(sip_value_next(&rest, &v));
	assert_int_equal(rest.len, 0);
}

static void
test_value_next_folded_line_is_white_space(void **state)
{
	struct sstr rest = exact(state, "a,\r\n b\r\n\t,c"), v;

	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "a");
	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "b");
	assert_true(sip_value_next(&rest, &v));
	assert_sstr(v, "c");
}

/* ---- sip_hdr_iter --------------------------------------------------- */

static void
test_hdr_iter_walks_values_of_every_line_in_order(void **state)
{
	const struct sip_msg *msg = msg_parse(state,
		"OPTIONS sip:bob@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, "
		"SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\n"
		"Max-Forwards: 70\r\n"
		"Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3\r\n"
		"Content-Length: 0\r\n\r\n");
	struct sip_hdr_iter it;
	struct sstr v;

	sip_hdr_iter_init(&it, msg, SIP_HDR_VIA);
	assert_true(sip_hdr_iter_next(&it, &v));
	assert_sstr(v, "SIP/2.0/UDP a.example.com;branch=z9hG4bK1");
	assert_true(sip_hdr_iter_next(&it, &v));
	assert_sstr(v, "SIP/2.0/TCP b.example.com;branch=z9hG4bK2");
	assert_true(sip_hdr_iter_next(&it, &v));
	assert_sstr(v, "SIP/2.0/UDP c.example.com;branch=z9hG4bK3");
	assert_false(sip_hdr_iter_next(&it, &v));
}

static void
test_hdr_iter_includes_compact_form_lines(void **state)
{
	const struct sip_msg *msg = msg_parse(state,
		REQ("Supported: 100rel\r\n"
		    "k: eventlist, timer\r\n"));
	struct sip_hdr_iter it;
	struct sstr v;

	sip_hdr_iter_init(&it, msg, SIP_HDR_SUPPORTED);
	assert_true(sip_hdr_iter_next(&it, &v));
	assert_sstr(v, "100rel");
	assert_true(sip_hdr_iter_next(&it, &v));
	assert_sstr(v, "eventlist");
	assert_true(sip_hdr_iter_next(&it, &v));
	assert_sstr(v, "timer");
	assert_false(sip_hdr_iter_next(&it, &v));
}

static void
test_hdr_iter_absent_type_yields_nothing(void **state)
{
	const struct sip_msg *msg = msg_parse(state, REQ(""));
	struct sip_hdr_iter it;
	struct sstr v;

	sip_hdr_iter_init(&it, msg, SIP_HDR_CONTACT);
	assert_false(sip_hdr_iter_next(&it, &v));
}

static void
test_hdr_iter_skips_an_empty_header_line(void **state)
{
	const struct sip_msg *msg = msg_parse(state,
		REQ("Require: \r\n"
		    "Require: foo\r\n"));
	struct sip_hdr_iter it;
	struct sstr v;

	sip_hdr_iter_init(&it, msg, SIP_HDR_REQUIRE);
	assert_true(sip_hdr_iter_next(&it, &v));
	assert_sstr(v, "foo");
	assert_false(sip_hdr_iter_next(&it, &v));
}

static void
test_hdr_iter_splits_values_across_a_continuation_line(void **state)
{
	const struct sip_msg *msg = msg_parse(state,
		REQ("Accept: application/sdp,\r\n"
		    "        message/sipfrag\r\n"));
	struct sip_hdr_iter it;
	struct sstr v;

	sip_hdr_iter_init(&it, msg, SIP_HDR_ACCEPT);
	assert_true(sip_hdr_iter_next(&it, &v));
	assert_sstr(v, "application/sdp");
	assert_true(sip_hdr_iter_next(&it, &v));
	assert_sstr(v, "message/sipfrag");
	assert_false(sip_hdr_iter_next(&it, &v));
}

/* ---- sip_param_find / sip_param_next -------------------------------- */

static void
test_param_find_name_is_case_insensitive(void **state)
{
	struct sstr v;

	assert_true(sip_param_find(exact(state, ";TAG=abc"), SSTR_LIT("tag"),
				   &v));
	assert_sstr(v, "abc");
}

static void
test_param_find_flag_param_has_empty_value(void **state)
{
	struct sstr v = SSTR_LIT("unchanged");

	assert_true(sip_param_find(exact(state, ";lr;transport=tcp"),
				   SSTR_LIT("lr"), &v));
	assert_int_equal(v.len, 0);
}

static void
test_param_find_quoted_value_keeps_its_quotes(void **state)
{
	struct sstr v;

	assert_true(sip_param_find(exact(state,
			";type=\"application/rlmi+xml\";boundary=xyz"),
			SSTR_LIT("type"), &v));
	assert_sstr(v, "\"application/rlmi+xml\"");
}

static void
test_param_find_value_after_quoted_semicolon(void **state)
{
	struct sstr v;

	assert_true(sip_param_find(exact(state, ";a=\"x;b=1\";b=2"),
				   SSTR_LIT("b"), &v));
	assert_sstr(v, "2");
}

static void
test_param_find_lws_around_equals_is_skipped(void **state)
{
	struct sstr v;

	assert_true(sip_param_find(exact(state, " ; id = 7"), SSTR_LIT("id"),
				   &v));
	assert_sstr(v, "7");
}

static void
test_param_find_absent_name_is_false(void **state)
{
	struct sstr v;

	assert_false(sip_param_find(exact(state, ";a=1;b"), SSTR_LIT("c"),
				    &v));
}

static void
test_param_find_does_not_match_a_longer_name(void **state)
{
	struct sstr v;

	assert_false(sip_param_find(exact(state, ";tagx=1"), SSTR_LIT("tag"),
				    &v));
}

static void
test_param_find_stops_at_a_malformed_list(void **state)
{
	struct sstr v;

	assert_false(sip_param_find(exact(state, ";a=1;;b=2"), SSTR_LIT("b"),
				    &v));
}

static void
test_param_next_iterates_in_order(void **state)
{
	struct sstr rest = exact(state, ";a=1;b;c=\"x;y\""), n, v;
	bool bad = true;

	assert_true(sip_param_next(&rest, &n, &v, &bad));
	assert_sstr(n, "a");
	assert_sstr(v, "1");
	assert_true(sip_param_next(&rest, &n, &v, &bad));
	assert_sstr(n, "b");
	assert_int_equal(v.len, 0);
	assert_true(sip_param_next(&rest, &n, &v, &bad));
	assert_sstr(n, "c");
	assert_sstr(v, "\"x;y\"");
	assert_false(sip_param_next(&rest, &n, &v, &bad));
	assert_false(bad);
}

static void
test_param_next_ipv6_reference_value(void **state)
{
	struct sstr rest = exact(state, ";maddr=[2001:db8::1]"), n, v;
	bool bad;

	assert_true(sip_param_next(&rest, &n, &v, &bad));
	assert_sstr(v, "[2001:db8::1]");
}

static void
test_param_next_empty_text_ends_without_error(void **state)
{
	struct sstr rest = exact(state, ""), n, v;
	bool bad = true;

	assert_false(sip_param_next(&rest, &n, &v, &bad));
	assert_false(bad);
}

static void
test_param_next_without_semicolon_is_bad(void **state)
{
	struct sstr rest = exact(state, "a=1"), n, v;
	bool bad = false;

	assert_false(sip_param_next(&rest, &n, &v, &bad));
	assert_true(bad);
}

static void
test_param_next_empty_name_is_bad(void **state)
{
	struct sstr rest = exact(state, ";=1"), n, v;
	bool bad = false;

	assert_false(sip_param_next(&rest, &n, &v, &bad));
	assert_true(bad);
}

static void
test_param_next_equals_without_value_is_bad(void **state)
{
	struct sstr rest = exact(state, ";a="), n, v;
	bool bad = false;

	assert_false(sip_param_next(&rest, &n, &v, &bad));
	assert_true(bad);
}

static void
test_param_next_unterminated_quote_is_bad(void **state)
{
	struct sstr rest = exact(state, ";a=\"x"), n, v;
	bool bad = false;

	assert_false(sip_param_next(&rest, &n, &v, &bad));
	assert_true(bad);
}

static void
test_param_next_unclosed_bracket_is_bad(void **state)
{
	struct sstr rest = exact(state, ";maddr=[2001:db8::1"), n, v;
	bool bad = false;

	assert_false(sip_param_next(&rest, &n, &v, &bad));
	assert_true(bad);
}

/* ---- sip_nameaddr_parse --------------------------------------------- */

static void
test_nameaddr_quoted_display_keeps_escaped_quotes(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"\"A \\\"B\\\" C\" <sip:a@example.com>", &na), 0);
	assert_sstr(na.display, "A \\\"B\\\" C");
	assert_sstr(na.uri_s, "sip:a@example.com");
	assert_true(na.has_angle);
}

static void
test_nameaddr_token_display_is_trimmed(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"Alice Smith  <sip:alice@example.com>", &na), 0);
	assert_sstr(na.display, "Alice Smith");
	assert_sstr(na.uri.user, "alice");
	assert_sstr(na.uri.host, "example.com");
}

static void
test_nameaddr_token_display_without_space_before_angle(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"caller<sip:caller@example.com>;tag=323", &na), 0);
	assert_sstr(na.display, "caller");
	assert_sstr(na.tag, "323");
}

static void
test_nameaddr_without_display_has_empty_display(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"<sip:alice@example.com>;tag=88", &na), 0);
	assert_int_equal(na.display.len, 0);
	assert_sstr(na.uri_s, "sip:alice@example.com");
	assert_sstr(na.params, ";tag=88");
	assert_sstr(na.tag, "88");
}

static void
test_nameaddr_addrspec_semicolon_starts_header_params(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"sip:alice@example.com;tag=1928;transport=tcp", &na),
			0);
	assert_false(na.has_angle);
	assert_sstr(na.uri_s, "sip:alice@example.com");
	assert_int_equal(na.uri.params.len, 0);
	assert_sstr(na.params, ";tag=1928;transport=tcp");
	assert_sstr(na.tag, "1928");
}

static void
test_nameaddr_addrspec_user_with_semicolon_stays_in_uri(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"sip:user;par=u%40example.net@example.com;tag=9", &na),
			0);
	assert_sstr(na.uri_s, "sip:user;par=u%40example.net@example.com");
	assert_sstr(na.tag, "9");
}

static void
test_nameaddr_uri_params_inside_brackets_stay_in_uri(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"<sip:a@example.com;transport=tcp>;tag=9", &na), 0);
	assert_sstr(na.uri.params, ";transport=tcp");
	assert_sstr(na.params, ";tag=9");
	assert_sstr(na.tag, "9");
}

static void
test_nameaddr_tag_name_is_case_insensitive(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"<sip:a@example.com>;x=1;TAG=abc", &na), 0);
	assert_sstr(na.tag, "abc");
}

static void
test_nameaddr_without_tag_has_empty_tag(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"<sip:a@example.com>;x=1", &na), 0);
	assert_int_equal(na.tag.len, 0);
}

static void
test_nameaddr_folded_lws_is_white_space(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"\"Alice\"\r\n <sip:alice@example.com>\r\n\t;tag=5",
			&na), 0);
	assert_sstr(na.display, "Alice");
	assert_sstr(na.uri_s, "sip:alice@example.com");
	assert_sstr(na.tag, "5");
}

static void
test_nameaddr_tel_addrspec(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse, "tel:+12015550123;tag=z",
			       &na), 0);
	assert_int_equal(na.uri.scheme, SIP_URI_TEL);
	assert_sstr(na.uri_s, "tel:+12015550123");
	assert_sstr(na.tag, "z");
}

static void
test_nameaddr_unbalanced_quote_is_invalid(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"\"Alice <sip:a@example.com>", &na), -EINVAL);
}

static void
test_nameaddr_missing_closing_angle_is_invalid(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"<sip:a@example.com;tag=1", &na), -EINVAL);
}

static void
test_nameaddr_comma_in_unbracketed_addrspec_is_invalid(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"sip:a@example.com,sip:b@example.com", &na), -EINVAL);
}

static void
test_nameaddr_unquoted_display_with_comma_is_invalid(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"Doe, John <sip:j@example.com>", &na), -EINVAL);
}

static void
test_nameaddr_quoted_display_without_angle_is_invalid(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"\"Alice\" sip:a@example.com", &na), -EINVAL);
}

static void
test_nameaddr_headers_in_unbracketed_uri_are_invalid(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"sip:a@example.com?subject=x", &na), -EINVAL);
}

static void
test_nameaddr_space_inside_angle_brackets_is_invalid(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"< sip:a@example.com>", &na), -EINVAL);
}

static void
test_nameaddr_junk_after_angle_is_invalid(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"<sip:a@example.com> x", &na), -EINVAL);
}

static void
test_nameaddr_bad_uri_inside_angle_is_invalid(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse,
			"<sip:a@[2001:db8::1>", &na), -EINVAL);
}

static void
test_nameaddr_blank_is_invalid(void **state)
{
	struct sip_nameaddr na;

	assert_int_equal(PARSE(sip_nameaddr_parse, " \t", &na), -EINVAL);
}

/* ---- sip_via_parse -------------------------------------------------- */

static void
test_via_parses_protocol_sent_by_and_branch(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
			"SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK776",
			&via), 0);
	assert_sstr(via.proto, "SIP");
	assert_sstr(via.version, "2.0");
	assert_sstr(via.transport, "UDP");
	assert_sstr(via.host, "pc33.example.com");
	assert_int_equal(via.port, 5060);
	assert_false(via.host_is_ipv6);
	assert_sstr(via.branch, "z9hG4bK776");
	assert_sstr(via.params, ";branch=z9hG4bK776");
}

static void
test_via_without_port_has_port_0(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
			"SIP/2.0/TLS example.com;branch=z9hG4bK1", &via), 0);
	assert_sstr(via.transport, "TLS");
	assert_int_equal(via.port, 0);
}

static void
test_via_lws_around_slashes_is_allowed(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
			"SIP / 2.0 / TCP host.example.com;branch=z9hG4bK1",
			&via), 0);
	assert_sstr(via.version, "2.0");
	assert_sstr(via.transport, "TCP");
	assert_sstr(via.host, "host.example.com");
}

static void
test_via_folded_lines_are_white_space(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
			"SIP/2.0/UDP\r\n host.example.com\r\n\t;branch=z9hG4bK1",
			&via), 0);
	assert_sstr(via.host, "host.example.com");
	assert_sstr(via.branch, "z9hG4bK1");
}

static void
test_via_lws_around_port_colon_is_allowed(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
			"SIP/2.0/UDP host.example.com : 5062;branch=z9hG4bK1",
			&via), 0);
	assert_int_equal(via.port, 5062);
}

static void
test_via_ipv6_sent_by_with_port(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
			"SIP/2.0/UDP [2001:db8::9:1]:6050;branch=z9hG4bKas3",
			&via), 0);
	assert_sstr(via.host, "2001:db8::9:1");
	assert_true(via.host_is_ipv6);
	assert_int_equal(via.port, 6050);
}

static void
test_via_rport_without_value_is_flagged(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
			"SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1;rport", &via),
			0);
	assert_true(via.has_rport);
	assert_int_equal(via.rport, 0);
}

static void
test_via_rport_value_is_read(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
			"SIP/2.0/UDP 192.0.2.1;rport=5062;branch=z9hG4bK1",
			&via), 0);
	assert_true(via.has_rport);
	assert_int_equal(via.rport, 5062);
}

static void
test_via_without_rport_is_not_flagged(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
			"SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1", &via), 0);
	assert_false(via.has_rport);
}

static void
test_via_received_ipv4_is_read(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP host.example.com;branch=z9hG4bK1;received=192.0.2.7",
		&via), 0);
	assert_sstr(via.received, "192.0.2.7");
}

static void
test_via_received_ipv6_reference_is_read(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255]",
		&via), 0);
	assert_sstr(via.received, "[2001:db8::9:255]");
}

static void
test_via_received_ipv6_address_without_brackets_is_read(void **state)
{
	struct sip_via via;

	/* via-received = "received" EQUAL (IPv4address / IPv6address) */
	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;rport=1",
		&via), 0);
	assert_sstr(via.received, "2001:db8::9:255");
	assert_int_equal(via.rport, 1);
}

static void
test_via_received_not_an_ip_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1;received=host.example.com", &via),
		-EINVAL);
}

static void
test_via_received_bad_ipv6_without_brackets_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1;received=2001:db8:::1", &via),
		-EINVAL);
}

static void
test_via_received_without_value_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1;received;branch=z9hG4bK1", &via),
		-EINVAL);
}

static void
test_via_maddr_is_read(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1;maddr=224.2.0.1;ttl=16;branch=z9hG4bK1",
		&via), 0);
	assert_sstr(via.maddr, "224.2.0.1");
}

static void
test_via_ttl_is_read(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1;maddr=224.2.0.1;ttl=16;branch=z9hG4bK1",
		&via), 0);
	assert_int_equal(via.ttl, 16);
}

static void
test_via_ttl_255_is_valid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1;ttl=255", &via), 0);
	assert_int_equal(via.ttl, 255);
}

static void
test_via_ttl_256_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1;ttl=256", &via), -EINVAL);
}

static void
test_via_ttl_without_value_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1;ttl", &via), -EINVAL);
}

static void
test_via_rport_70000_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1;rport=70000", &via), -EINVAL);
}

static void
test_via_branch_without_value_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1;branch", &via), -EINVAL);
}

static void
test_via_branch_with_empty_value_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1;branch=", &via), -EINVAL);
}

static void
test_via_missing_transport_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0 192.0.2.1;branch=z9hG4bK1", &via), -EINVAL);
}

static void
test_via_missing_sent_by_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse, "SIP/2.0/UDP", &via), -EINVAL);
}

static void
test_via_port_65536_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1:65536;branch=z9hG4bK1", &via),
		-EINVAL);
}

static void
test_via_unclosed_ipv6_sent_by_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP [2001:db8::1;branch=z9hG4bK1", &via), -EINVAL);
}

static void
test_via_junk_after_sent_by_is_invalid(void **state)
{
	struct sip_via via;

	assert_int_equal(PARSE(sip_via_parse,
		"SIP/2.0/UDP 192.0.2.1 junk;branch=z9hG4bK1", &via), -EINVAL);
}

/* ---- sip_cseq_parse ------------------------------------------------- */

static void
test_cseq_number_and_method_are_read(void **state)
{
	struct sip_cseq c;

	assert_int_equal(PARSE(sip_cseq_parse, "4711 INVITE", &c), 0);
	assert_int_equal(c.seq, 4711);
	assert_int_equal(c.method, SIP_METHOD_INVITE);
	assert_sstr(c.method_s, "INVITE");
}

static void
test_cseq_2147483647_is_valid(void **state)
{
	struct sip_cseq c;

	assert_int_equal(PARSE(sip_cseq_parse, "2147483647 REGISTER", &c), 0);
	assert_int_equal(c.seq, 2147483647u);
	assert_int_equal(c.method, SIP_METHOD_REGISTER);
}

static void
test_cseq_2147483648_is_invalid(void **state)
{
	struct sip_cseq c;

	assert_int_equal(PARSE(sip_cseq_parse, "2147483648 INVITE", &c),
			 -EINVAL);
}

static void
test_cseq_missing_method_is_invalid(void **state)
{
	struct sip_cseq c;

	assert_int_equal(PARSE(sip_cseq_parse, "4711 ", &c), -EINVAL);
}

static void
test_cseq_letters_in_number_are_invalid(void **state)
{
	struct sip_cseq c;

	assert_int_equal(PARSE(sip_cseq_parse, "47a1 INVITE", &c), -EINVAL);
}

static void
test_cseq_without_space_before_method_is_invalid(void **state)
{
	struct sip_cseq c;

	assert_int_equal(PARSE(sip_cseq_parse, "1INVITE", &c), -EINVAL);
}

static void
test_cseq_two_words_after_number_are_invalid(void **state)
{
	struct sip_cseq c;

	assert_int_equal(PARSE(sip_cseq_parse, "1 INVITE ACK", &c), -EINVAL);
}

static void
test_cseq_lower_case_method_is_an_extension(void **state)
{
	struct sip_cseq c;

	/* Methods are case-sensitive (RFC 3261 §7.1). */
	assert_int_equal(PARSE(sip_cseq_parse, "1 invite", &c), 0);
	assert_int_equal(c.method, SIP_METHOD_OTHER);
	assert_sstr(c.method_s, "invite");
}

/* ---- sip_uint_parse / sip_maxfwd_parse / sip_expires_parse ---------- */

static void
test_uint_at_max_is_valid(void **state)
{
	struct sstr s = exact(state, " 10 ");
	uint64_t v = 0;

	assert_int_equal(sip_uint_parse(s.p, sstr_end(s), 10, &v), 0);
	assert_int_equal(v, 10);
}

static void
test_uint_above_max_is_invalid(void **state)
{
	struct sstr s = exact(state, "11");
	uint64_t v;

	assert_int_equal(sip_uint_parse(s.p, sstr_end(s), 10, &v), -EINVAL);
}

static void
test_uint_empty_is_invalid(void **state)
{
	struct sstr s = exact(state, "  ");
	uint64_t v;

	assert_int_equal(sip_uint_parse(s.p, sstr_end(s), 10, &v), -EINVAL);
}

static void
test_uint_sign_is_invalid(void **state)
{
	struct sstr s = exact(state, "+1");
	uint64_t v;

	assert_int_equal(sip_uint_parse(s.p, sstr_end(s), 10, &v), -EINVAL);
}

static void
test_maxfwd_0_is_valid(void **state)
{
	uint8_t v = 99;

	assert_int_equal(PARSE(sip_maxfwd_parse, "0", &v), 0);
	assert_int_equal(v, 0);
}

static void
test_maxfwd_255_is_valid(void **state)
{
	uint8_t v = 0;

	assert_int_equal(PARSE(sip_maxfwd_parse, "255", &v), 0);
	assert_int_equal(v, 255);
}

static void
test_maxfwd_256_is_invalid(void **state)
{
	uint8_t v;

	assert_int_equal(PARSE(sip_maxfwd_parse, "256", &v), -EINVAL);
}

static void
test_maxfwd_leading_zero_070_is_70(void **state)
{
	uint8_t v = 0;

	assert_int_equal(PARSE(sip_maxfwd_parse, "070", &v), 0);
	assert_int_equal(v, 70);
}

static void
test_maxfwd_negative_is_invalid(void **state)
{
	uint8_t v;

	assert_int_equal(PARSE(sip_maxfwd_parse, "-1", &v), -EINVAL);
}

static void
test_expires_4294967295_is_valid(void **state)
{
	uint32_t v = 0;

	assert_int_equal(PARSE(sip_expires_parse, "4294967295", &v), 0);
	assert_int_equal(v, UINT32_MAX);
}

static void
test_expires_4294967296_is_invalid(void **state)
{
	uint32_t v;

	assert_int_equal(PARSE(sip_expires_parse, "4294967296", &v), -EINVAL);
}

static void
test_expires_with_letters_is_invalid(void **state)
{
	uint32_t v;

	assert_int_equal(PARSE(sip_expires_parse, "3600s", &v), -EINVAL);
}

/* ---- sip_contact_parse ---------------------------------------------- */

static void
test_contact_star_is_flagged(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse, " * ", &c), 0);
	assert_true(c.star);
}

static void
test_contact_star_with_params_is_invalid(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse, "*;expires=0", &c), -EINVAL);
}

static void
test_contact_address_is_parsed(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse,
			"\"Bob\" <sip:bob@192.0.2.4:5060>", &c), 0);
	assert_false(c.star);
	assert_sstr(c.na.display, "Bob");
	assert_true(c.na.uri.host_is_ipv4);
	assert_int_equal(c.na.uri.port, 5060);
}

static void
test_contact_without_q_defaults_to_1000(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse, "<sip:b@example.com>", &c),
			 0);
	assert_false(c.has_q);
	assert_int_equal(c.q, 1000);
	assert_false(c.has_expires);
}

static void
test_contact_q_half_is_500(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse,
			"<sip:b@example.com>;q=0.5", &c), 0);
	assert_true(c.has_q);
	assert_int_equal(c.q, 500);
}

static void
test_contact_q_1_is_1000(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse, "<sip:b@example.com>;q=1",
			       &c), 0);
	assert_true(c.has_q);
	assert_int_equal(c.q, 1000);
}

static void
test_contact_q_0_is_0(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse, "<sip:b@example.com>;q=0",
			       &c), 0);
	assert_true(c.has_q);
	assert_int_equal(c.q, 0);
}

static void
test_contact_q_1_5_is_invalid(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse,
			"<sip:b@example.com>;q=1.5", &c), -EINVAL);
}

static void
test_contact_q_with_four_decimals_is_invalid(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse,
			"<sip:b@example.com>;q=0.1234", &c), -EINVAL);
}

static void
test_contact_q_without_value_is_invalid(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse, "<sip:b@example.com>;q",
			       &c), -EINVAL);
}

static void
test_contact_expires_param_is_read(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse,
			"<sip:b@example.com>;expires=3600", &c), 0);
	assert_true(c.has_expires);
	assert_int_equal(c.expires, 3600);
}

static void
test_contact_expires_too_large_is_invalid(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse,
			"<sip:b@example.com>;expires=4294967296", &c),
			-EINVAL);
}

static void
test_contact_reads_q_and_expires_among_other_params(void **state)
{
	struct sip_contact c;

	assert_int_equal(PARSE(sip_contact_parse,
			"<sip:b@example.com;transport=tcp>;+sip.instance="
			"\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\""
			";q=0.7;expires=60;reg-id=1", &c), 0);
	assert_int_equal(c.q, 700);
	assert_int_equal(c.expires, 60);
	assert_sstr(c.na.uri.params, ";transport=tcp");
}

/* ---- sip_event_parse ------------------------------------------------ */

static void
test_event_package_alone(void **state)
{
	struct sip_event ev;

	assert_int_equal(PARSE(sip_event_parse, "presence", &ev), 0);
	assert_sstr(ev.type, "presence");
	assert_int_equal(ev.id.len, 0);
	assert_int_equal(ev.params.len, 0);
}

static void
test_event_template_and_id(void **state)
{
	struct sip_event ev;

	assert_int_equal(PARSE(sip_event_parse, "presence.winfo;id=7", &ev),
			 0);
	assert_sstr(ev.type, "presence.winfo");
	assert_sstr(ev.id, "7");
	assert_sstr(ev.params, ";id=7");
}

static void
test_event_lws_around_params_is_allowed(void **state)
{
	struct sip_event ev;

	assert_int_equal(PARSE(sip_event_parse, "Presence ; id = abc", &ev),
			 0);
	assert_sstr(ev.type, "Presence");
	assert_sstr(ev.id, "abc");
}

static void
test_event_leading_dot_is_invalid(void **state)
{
	struct sip_event ev;

	assert_int_equal(PARSE(sip_event_parse, ".x", &ev), -EINVAL);
}

static void
test_event_trailing_dot_is_invalid(void **state)
{
	struct sip_event ev;

	assert_int_equal(PARSE(sip_event_parse, "presence.", &ev), -EINVAL);
}

static void
test_event_empty_template_is_invalid(void **state)
{
	struct sip_event ev;

	/* event-type = event-package *( "." event-template ), both
	 * token-nodot: two dots in a row leave an empty template. */
	assert_int_equal(PARSE(sip_event_parse, "presence..winfo", &ev),
			 -EINVAL);
}

static void
test_event_empty_is_invalid(void **state)
{
	struct sip_event ev;

	assert_int_equal(PARSE(sip_event_parse, "", &ev), -EINVAL);
}

static void
test_event_second_word_is_invalid(void **state)
{
	struct sip_event ev;

	assert_int_equal(PARSE(sip_event_parse, "presence winfo", &ev),
			 -EINVAL);
}

/* ---- sip_substate_parse --------------------------------------------- */

static void
test_substate_active_with_expires(void **state)
{
	struct sip_substate ss;

	assert_int_equal(PARSE(sip_substate_parse, "active;expires=3599",
			       &ss), 0);
	assert_sstr(ss.state, "active");
	assert_true(ss.has_expires);
	assert_int_equal(ss.expires, 3599);
	assert_false(ss.has_retry_after);
}

static void
test_substate_terminated_with_reason(void **state)
{
	struct sip_substate ss;

	assert_int_equal(PARSE(sip_substate_parse,
			       "terminated;reason=timeout", &ss), 0);
	assert_sstr(ss.state, "terminated");
	assert_sstr(ss.reason, "timeout");
	assert_false(ss.has_expires);
}

static void
test_substate_retry_after_is_read(void **state)
{
	struct sip_substate ss;

	assert_int_equal(PARSE(sip_substate_parse,
			"terminated;reason=probation;retry-after=30", &ss), 0);
	assert_true(ss.has_retry_after);
	assert_int_equal(ss.retry_after, 30);
}

static void
test_substate_pending_alone(void **state)
{
	struct sip_substate ss;

	assert_int_equal(PARSE(sip_substate_parse, "pending", &ss), 0);
	assert_sstr(ss.state, "pending");
	assert_false(ss.has_expires);
	assert_int_equal(ss.reason.len, 0);
}

static void
test_substate_non_numeric_expires_is_invalid(void **state)
{
	struct sip_substate ss;

	assert_int_equal(PARSE(sip_substate_parse, "active;expires=soon",
			       &ss), -EINVAL);
}

static void
test_substate_expires_without_value_is_invalid(void **state)
{
	struct sip_substate ss;

	assert_int_equal(PARSE(sip_substate_parse, "active;expires", &ss),
			 -EINVAL);
}

static void
test_substate_empty_is_invalid(void **state)
{
	struct sip_substate ss;

	assert_int_equal(PARSE(sip_substate_parse, " ", &ss), -EINVAL);
}

/* ---- sip_mtype_parse ------------------------------------------------ */

static void
test_mtype_type_and_subtype(void **state)
{
	struct sip_mtype mt;

	assert_int_equal(PARSE(sip_mtype_parse, "application/pidf+xml", &mt),
			 0);
	assert_sstr(mt.type, "application");
	assert_sstr(mt.subtype, "pidf+xml");
	assert_int_equal(mt.params.len, 0);
	assert_int_equal(mt.q, 1000);
}

static void
test_mtype_params_with_quoted_value(void **state)
{
	struct sip_mtype mt;
	struct sstr b;

	assert_int_equal(PARSE(sip_mtype_parse,
		"multipart/related;type=\"application/rlmi+xml\";boundary=xyz",
		&mt), 0);
	assert_sstr(mt.subtype, "related");
	assert_sstr(mt.params,
		    ";type=\"application/rlmi+xml\";boundary=xyz");
	assert_true(sip_param_find(mt.params, SSTR_LIT("boundary"), &b));
	assert_sstr(b, "xyz");
}

static void
test_mtype_q_is_read(void **state)
{
	struct sip_mtype mt;

	assert_int_equal(PARSE(sip_mtype_parse,
			       "application/pidf+xml;q=0.8", &mt), 0);
	assert_int_equal(mt.q, 800);
}

static void
test_mtype_wildcard_range_is_valid(void **state)
{
	struct sip_mtype mt;

	assert_int_equal(PARSE(sip_mtype_parse, "*/*", &mt), 0);
	assert_sstr(mt.type, "*");
	assert_sstr(mt.subtype, "*");
}

static void
test_mtype_without_slash_is_invalid(void **state)
{
	struct sip_mtype mt;

	assert_int_equal(PARSE(sip_mtype_parse, "application", &mt), -EINVAL);
}

static void
test_mtype_empty_subtype_is_invalid(void **state)
{
	struct sip_mtype mt;

	assert_int_equal(PARSE(sip_mtype_parse, "application/;a=b", &mt),
			 -EINVAL);
}

static void
test_mtype_q_above_1_is_invalid(void **state)
{
	struct sip_mtype mt;

	assert_int_equal(PARSE(sip_mtype_parse, "text/plain;q=2", &mt),
			 -EINVAL);
}

static void
test_mtype_malformed_params_are_invalid(void **state)
{
	struct sip_mtype mt;

	assert_int_equal(PARSE(sip_mtype_parse, "text/plain;charset=", &mt),
			 -EINVAL);
}

/* ---- sip_token_parse ------------------------------------------------ */

static void
test_token_is_trimmed(void **state)
{
	struct sstr t;

	assert_int_equal(PARSE(sip_token_parse, " dx200xyz-1.a ", &t), 0);
	assert_sstr(t, "dx200xyz-1.a");
}

static void
test_token_with_space_inside_is_invalid(void **state)
{
	struct sstr t;

	assert_int_equal(PARSE(sip_token_parse, "dx200 xyz", &t), -EINVAL);
}

static void
test_token_quoted_string_is_invalid(void **state)
{
	struct sstr t;

	assert_int_equal(PARSE(sip_token_parse, "\"etag\"", &t), -EINVAL);
}

static void
test_token_empty_is_invalid(void **state)
{
	struct sstr t;

	assert_int_equal(PARSE(sip_token_parse, "", &t), -EINVAL);
}

/* ---- sip_callid_parse ----------------------------------------------- */

static void
test_callid_word_at_word(void **state)
{
	struct sstr id;

	assert_int_equal(PARSE(sip_callid_parse,
			       " a84b4c76e66710@pc33.example.com ", &id), 0);
	assert_sstr(id, "a84b4c76e66710@pc33.example.com");
}

static void
test_callid_single_word_with_word_chars(void **state)
{
	struct sstr id;

	assert_int_equal(PARSE(sip_callid_parse, "f81d{4fae}<7dec>:11d0",
			       &id), 0);
	assert_sstr(id, "f81d{4fae}<7dec>:11d0");
}

static void
test_callid_space_inside_is_invalid(void **state)
{
	struct sstr id;

	assert_int_equal(PARSE(sip_callid_parse, "a84b 4c76@example.com",
			       &id), -EINVAL);
}

static void
test_callid_empty_is_invalid(void **state)
{
	struct sstr id;

	assert_int_equal(PARSE(sip_callid_parse, "", &id), -EINVAL);
}

static void
test_callid_two_at_signs_are_invalid(void **state)
{
	struct sstr id;

	assert_int_equal(PARSE(sip_callid_parse, "a@b@c", &id), -EINVAL);
}

static void
test_callid_empty_word_after_at_is_invalid(void **state)
{
	struct sstr id;

	assert_int_equal(PARSE(sip_callid_parse, "a84b@", &id), -EINVAL);
}

/* ---- sip_msg_identity ----------------------------------------------- */

static void
test_identity_prefers_pai_over_rpid_and_from(void **state)
{
	const struct sip_msg *msg = msg_parse(state,
		REQ("From: <sip:from@example.com>;tag=1\r\n"
		    "Remote-Party-ID: <sip:rpid@example.com>\r\n"
		    "P-Asserted-Identity: \"PAI\" <sip:pai@example.com>\r\n"));
	struct sip_nameaddr na;
	enum sip_hdr_type which = SIP_HDR_OTHER;

	assert_int_equal(sip_msg_identity(msg, &na, &which), 0);
	assert_int_equal(which, SIP_HDR_P_ASSERTED_IDENTITY);
	assert_sstr(na.uri_s, "sip:pai@example.com");
	assert_sstr(na.display, "PAI");
}

static void
test_identity_prefers_rpid_over_from(void **state)
{
	const struct sip_msg *msg = msg_parse(state,
		REQ("From: <sip:from@example.com>;tag=1\r\n"
		    "Remote-Party-ID: <sip:rpid@example.com>;party=calling\r\n"));
	struct sip_nameaddr na;
	enum sip_hdr_type which = SIP_HDR_OTHER;

	assert_int_equal(sip_msg_identity(msg, &na, &which), 0);
	assert_int_equal(which, SIP_HDR_REMOTE_PARTY_ID);
	assert_sstr(na.uri_s, "sip:rpid@example.com");
}

static void
test_identity_falls_back_to_from(void **state)
{
	const struct sip_msg *msg = msg_parse(state,
		REQ("f: Alice <sip:alice@example.com>;tag=77\r\n"));
	struct sip_nameaddr na;
	enum sip_hdr_type which = SIP_HDR_OTHER;

	assert_int_equal(sip_msg_identity(msg, &na, &which), 0);
	assert_int_equal(which, SIP_HDR_FROM);
	assert_sstr(na.uri_s, "sip:alice@example.com");
	assert_sstr(na.tag, "77");
}

static void
test_identity_uses_the_first_pai_value(void **state)
{
	const struct sip_msg *msg = msg_parse(state,
		REQ("P-Asserted-Identity: <sip:pai@example.com>, "
		    "<tel:+12015550123>\r\n"));
	struct sip_nameaddr na;
	enum sip_hdr_type which;

	assert_int_equal(sip_msg_identity(msg, &na, &which), 0);
	assert_int_equal(na.uri.scheme, SIP_URI_SIP);
	assert_sstr(na.uri_s, "sip:pai@example.com");
}

static void
test_identity_without_any_identity_header_is_enoent(void **state)
{
	const struct sip_msg *msg = msg_parse(state, REQ(""));
	struct sip_nameaddr na;
	enum sip_hdr_type which;

	assert_int_equal(sip_msg_identity(msg, &na, &which), -ENOENT);
}

static void
test_identity_malformed_pai_is_einval(void **state)
{
	const struct sip_msg *msg = msg_parse(state,
		REQ("From: <sip:from@example.com>;tag=1\r\n"
		    "P-Asserted-Identity: \"PAI <sip:pai@example.com>\r\n"));
	struct sip_nameaddr na;
	enum sip_hdr_type which;

	assert_int_equal(sip_msg_identity(msg, &na, &which), -EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, pool_setup, pool_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_value_next_splits_on_commas_and_trims_lws),
		T(test_value_next_comma_inside_quotes_does_not_split),
		T(test_value_next_escaped_quote_does_not_end_the_string),
		T(test_value_next_comma_inside_angle_brackets_does_not_split),
		T(test_value_next_skips_empty_elements),
		T(test_value_next_blank_text_has_no_value),
		T(test_value_next_folded_line_is_white_space),
		T(test_hdr_iter_walks_values_of_every_line_in_order),
		T(test_hdr_iter_includes_compact_form_lines),
		T(test_hdr_iter_absent_type_yields_nothing),
		T(test_hdr_iter_skips_an_empty_header_line),
		T(test_hdr_iter_splits_values_across_a_continuation_line),
		T(test_param_find_name_is_case_insensitive),
		T(test_param_find_flag_param_has_empty_value),
		T(test_param_find_quoted_value_keeps_its_quotes),
		T(test_param_find_value_after_quoted_semicolon),
		T(test_param_find_lws_around_equals_is_skipped),
		T(test_param_find_absent_name_is_false),
		T(test_param_find_does_not_match_a_longer_name),
		T(test_param_find_stops_at_a_malformed_list),
		T(test_param_next_iterates_in_order),
		T(test_param_next_ipv6_reference_value),
		T(test_param_next_empty_text_ends_without_error),
		T(test_param_next_without_semicolon_is_bad),
		T(test_param_next_empty_name_is_bad),
		T(test_param_next_equals_without_value_is_bad),
		T(test_param_next_unterminated_quote_is_bad),
		T(test_param_next_unclosed_bracket_is_bad),
		T(test_nameaddr_quoted_display_keeps_escaped_quotes),
		T(test_nameaddr_token_display_is_trimmed),
		T(test_nameaddr_token_display_without_space_before_angle),
		T(test_nameaddr_without_display_has_empty_display),
		T(test_nameaddr_addrspec_semicolon_starts_header_params),
		T(test_nameaddr_addrspec_user_with_semicolon_stays_in_uri),
		T(test_nameaddr_uri_params_inside_brackets_stay_in_uri),
		T(test_nameaddr_tag_name_is_case_insensitive),
		T(test_nameaddr_without_tag_has_empty_tag),
		T(test_nameaddr_folded_lws_is_white_space),
		T(test_nameaddr_tel_addrspec),
		T(test_nameaddr_unbalanced_quote_is_invalid),
		T(test_nameaddr_missing_closing_angle_is_invalid),
		T(test_nameaddr_comma_in_unbracketed_addrspec_is_invalid),
		T(test_nameaddr_unquoted_display_with_comma_is_invalid),
		T(test_nameaddr_quoted_display_without_angle_is_invalid),
		T(test_nameaddr_headers_in_unbracketed_uri_are_invalid),
		T(test_nameaddr_space_inside_angle_brackets_is_invalid),
		T(test_nameaddr_junk_after_angle_is_invalid),
		T(test_nameaddr_bad_uri_inside_angle_is_invalid),
		T(test_nameaddr_blank_is_invalid),
		T(test_via_parses_protocol_sent_by_and_branch),
		T(test_via_without_port_has_port_0),
		T(test_via_lws_around_slashes_is_allowed),
		T(test_via_folded_lines_are_white_space),
		T(test_via_lws_around_port_colon_is_allowed),
		T(test_via_ipv6_sent_by_with_port),
		T(test_via_rport_without_value_is_flagged),
		T(test_via_rport_value_is_read),
		T(test_via_without_rport_is_not_flagged),
		T(test_via_received_ipv4_is_read),
		T(test_via_received_ipv6_reference_is_read),
		T(test_via_received_ipv6_address_without_brackets_is_read),
		T(test_via_received_not_an_ip_is_invalid),
		T(test_via_received_bad_ipv6_without_brackets_is_invalid),
		T(test_via_received_without_value_is_invalid),
		T(test_via_maddr_is_read),
		T(test_via_ttl_is_read),
		T(test_via_ttl_255_is_valid),
		T(test_via_ttl_256_is_invalid),
		T(test_via_ttl_without_value_is_invalid),
		T(test_via_rport_70000_is_invalid),
		T(test_via_branch_without_value_is_invalid),
		T(test_via_branch_with_empty_value_is_invalid),
		T(test_via_missing_transport_is_invalid),
		T(test_via_missing_sent_by_is_invalid),
		T(test_via_port_65536_is_invalid),
		T(test_via_unclosed_ipv6_sent_by_is_invalid),
		T(test_via_junk_after_sent_by_is_invalid),
		T(test_cseq_number_and_method_are_read),
		T(test_cseq_2147483647_is_valid),
		T(test_cseq_2147483648_is_invalid),
		T(test_cseq_missing_method_is_invalid),
		T(test_cseq_letters_in_number_are_invalid),
		T(test_cseq_without_space_before_method_is_invalid),
		T(test_cseq_two_words_after_number_are_invalid),
		T(test_cseq_lower_case_method_is_an_extension),
		T(test_uint_at_max_is_valid),
		T(test_uint_above_max_is_invalid),
		T(test_uint_empty_is_invalid),
		T(test_uint_sign_is_invalid),
		T(test_maxfwd_0_is_valid),
		T(test_maxfwd_255_is_valid),
		T(test_maxfwd_256_is_invalid),
		T(test_maxfwd_leading_zero_070_is_70),
		T(test_maxfwd_negative_is_invalid),
		T(test_expires_4294967295_is_valid),
		T(test_expires_4294967296_is_invalid),
		T(test_expires_with_letters_is_invalid),
		T(test_contact_star_is_flagged),
		T(test_contact_star_with_params_is_invalid),
		T(test_contact_address_is_parsed),
		T(test_contact_without_q_defaults_to_1000),
		T(test_contact_q_half_is_500),
		T(test_contact_q_1_is_1000),
		T(test_contact_q_0_is_0),
		T(test_contact_q_1_5_is_invalid),
		T(test_contact_q_with_four_decimals_is_invalid),
		T(test_contact_q_without_value_is_invalid),
		T(test_contact_expires_param_is_read),
		T(test_contact_expires_too_large_is_invalid),
		T(test_contact_reads_q_and_expires_among_other_params),
		T(test_event_package_alone),
		T(test_event_template_and_id),
		T(test_event_lws_around_params_is_allowed),
		T(test_event_leading_dot_is_invalid),
		T(test_event_trailing_dot_is_invalid),
		T(test_event_empty_template_is_invalid),
		T(test_event_empty_is_invalid),
		T(test_event_second_word_is_invalid),
		T(test_substate_active_with_expires),
		T(test_substate_terminated_with_reason),
		T(test_substate_retry_after_is_read),
		T(test_substate_pending_alone),
		T(test_substate_non_numeric_expires_is_invalid),
		T(test_substate_expires_without_value_is_invalid),
		T(test_substate_empty_is_invalid),
		T(test_mtype_type_and_subtype),
		T(test_mtype_params_with_quoted_value),
		T(test_mtype_q_is_read),
		T(test_mtype_wildcard_range_is_valid),
		T(test_mtype_without_slash_is_invalid),
		T(test_mtype_empty_subtype_is_invalid),
		T(test_mtype_q_above_1_is_invalid),
		T(test_mtype_malformed_params_are_invalid),
		T(test_token_is_trimmed),
		T(test_token_with_space_inside_is_invalid),
		T(test_token_quoted_string_is_invalid),
		T(test_token_empty_is_invalid),
		T(test_callid_word_at_word),
		T(test_callid_single_word_with_word_chars),
		T(test_callid_space_inside_is_invalid),
		T(test_callid_empty_is_invalid),
		T(test_callid_two_at_signs_are_invalid),
		T(test_callid_empty_word_after_at_is_invalid),
		T(test_identity_prefers_pai_over_rpid_and_from),
		T(test_identity_prefers_rpid_over_from),
		T(test_identity_falls_back_to_from),
		T(test_identity_uses_the_first_pai_value),
		T(test_identity_without_any_identity_header_is_enoent),
		T(test_identity_malformed_pai_is_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
