/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: the URI parser of platform/sip/sip.h (sip_uri_parse,
 * sip_unescape) and its host check, one behaviour per test.
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
#include "platform/sip/sip_priv.h"
#include "tests/unit/sip_test_pool.h"

/* ---- Helpers -------------------------------------------------------- */

/* Parse text as a URI; returns what sip_uri_parse returned. */
static int
uri_parse(void **state, const char *text, struct sip_uri *uri)
{
	struct sstr s = exact(state, text);

	return sip_uri_parse(s.p, sstr_end(s), uri);
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

/* ---- sip: and sips: ------------------------------------------------- */

static void
test_uri_sip_user_at_host_parses(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice@example.com", &u), 0);
	assert_int_equal(u.scheme, SIP_URI_SIP);
	assert_sstr(u.scheme_s, "sip");
	assert_sstr(u.user, "alice");
	assert_sstr(u.host, "example.com");
	assert_int_equal(u.port, 0);
	assert_int_equal(u.params.len, 0);
	assert_int_equal(u.headers.len, 0);
	assert_false(u.host_is_ipv4);
	assert_false(u.host_is_ipv6);
}

static void
test_uri_sips_scheme_is_sips(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sips:bob@example.com", &u), 0);
	assert_int_equal(u.scheme, SIP_URI_SIPS);
	assert_sstr(u.scheme_s, "sips");
}

static void
test_uri_scheme_is_case_insensitive(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "SiP:alice@example.com", &u), 0);
	assert_int_equal(u.scheme, SIP_URI_SIP);
	assert_sstr(u.scheme_s, "SiP");
}

static void
test_uri_without_user_has_empty_user(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:example.com", &u), 0);
	assert_int_equal(u.user.len, 0);
	assert_sstr(u.host, "example.com");
}

static void
test_uri_rest_is_everything_after_the_scheme(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice@example.com;lr", &u), 0);
	assert_sstr(u.rest, "alice@example.com;lr");
}

static void
test_uri_slices_point_into_the_input(void **state)
{
	struct sstr s = exact(state, "sip:alice@example.com");
	struct sip_uri u;

	assert_int_equal(sip_uri_parse(s.p, sstr_end(s), &u), 0);
	assert_ptr_equal(u.user.p, s.p + 4);
	assert_ptr_equal(u.host.p, s.p + 10);
}

static void
test_uri_password_is_split_from_user(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice:se%20cret@example.com",
				   &u), 0);
	assert_sstr(u.user, "alice");
	assert_sstr(u.password, "se%20cret");
	assert_sstr(u.host, "example.com");
}

static void
test_uri_empty_password_is_valid(void **state)
{
	struct sip_uri u;

	/* password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
	assert_int_equal(uri_parse(state, "sip:alice:@example.com", &u), 0);
	assert_sstr(u.user, "alice");
	assert_int_equal(u.password.len, 0);
}

static void
test_uri_password_with_colon_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice:a:b@example.com", &u),
			 -EINVAL);
}

static void
test_uri_empty_user_before_at_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:@example.com", &u), -EINVAL);
}

static void
test_uri_second_at_sign_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:a@b@example.com", &u),
			 -EINVAL);
}

/* ---- Hosts and ports ------------------------------------------------ */

static void
test_uri_ipv4_host_is_flagged(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice@192.0.2.1", &u), 0);
	assert_sstr(u.host, "192.0.2.1");
	assert_true(u.host_is_ipv4);
	assert_false(u.host_is_ipv6);
}

static void
test_uri_ipv4_octet_256_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice@192.0.2.256", &u),
			 -EINVAL);
}

static void
test_uri_ipv6_reference_host_drops_brackets(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice@[2001:db8::1]", &u), 0);
	assert_sstr(u.host, "2001:db8::1");
	assert_true(u.host_is_ipv6);
	assert_false(u.host_is_ipv4);
	assert_int_equal(u.port, 0);
}

static void
test_uri_ipv6_reference_with_port(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sips:[2001:db8::1]:5061", &u), 0);
	assert_sstr(u.host, "2001:db8::1");
	assert_int_equal(u.port, 5061);
}

static void
test_uri_ipv6_unclosed_bracket_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:[2001:db8::1", &u), -EINVAL);
}

static void
test_uri_ipv6_without_brackets_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:2001:db8::10", &u), -EINVAL);
}

static void
test_uri_bad_ipv6_in_brackets_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:[2001:db8::g]", &u), -EINVAL);
}

static void
test_uri_junk_after_ipv6_reference_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:[2001:db8::1]x", &u), -EINVAL);
}

static void
test_uri_port_is_read(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice@example.com:5060", &u),
			 0);
	assert_sstr(u.host, "example.com");
	assert_int_equal(u.port, 5060);
}

static void
test_uri_port_65535_is_valid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:example.com:65535", &u), 0);
	assert_int_equal(u.port, 65535);
}

static void
test_uri_port_65536_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:example.com:65536", &u),
			 -EINVAL);
}

static void
test_uri_port_in_letters_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:example.com:abc", &u),
			 -EINVAL);
}

static void
test_uri_empty_port_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:example.com:", &u), -EINVAL);
}

static void
test_uri_empty_host_after_at_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice@", &u), -EINVAL);
}

static void
test_uri_host_with_trailing_dot_is_valid(void **state)
{
	struct sip_uri u;

	/* hostname = *( domainlabel "." ) toplabel [ "." ] */
	assert_int_equal(uri_parse(state, "sip:example.com.", &u), 0);
	assert_sstr(u.host, "example.com.");
}

static void
test_uri_host_with_empty_label_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:example..com", &u), -EINVAL);
}

static void
test_uri_host_label_starting_with_hyphen_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:-example.com", &u), -EINVAL);
}

static void
test_uri_host_of_a_lone_dot_is_invalid(void **state)
{
	struct sip_uri u;

	/* A hostname needs a toplabel; "." has none. */
	assert_int_equal(uri_parse(state, "sip:alice@.", &u), -EINVAL);
}

static void
test_uri_host_toplabel_starting_with_digit_is_invalid(void **state)
{
	struct sip_uri u;

	/* toplabel = ALPHA / ALPHA *( alphanum / "-" ) alphanum */
	assert_int_equal(uri_parse(state, "sip:alice@192.0.2.1a", &u),
			 -EINVAL);
}

static void
test_uri_host_digit_led_domainlabel_is_valid(void **state)
{
	struct sip_uri u;

	/* domainlabel = alphanum / alphanum *( alphanum / "-" ) alphanum */
	assert_int_equal(uri_parse(state, "sip:alice@3com.example", &u), 0);
	assert_sstr(u.host, "3com.example");
	assert_false(u.host_is_ipv4);
}

/* ---- Parameters and headers ----------------------------------------- */

static void
test_uri_params_keep_their_leading_semicolon(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state,
				   "sip:alice@example.com;transport=tcp;lr",
				   &u), 0);
	assert_sstr(u.host, "example.com");
	assert_sstr(u.params, ";transport=tcp;lr");
	assert_int_equal(u.headers.len, 0);
}

static void
test_uri_params_follow_the_port(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:example.com:5060;lr", &u), 0);
	assert_int_equal(u.port, 5060);
	assert_sstr(u.params, ";lr");
}

static void
test_uri_empty_param_name_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:example.com;", &u), -EINVAL);
}

static void
test_uri_param_with_empty_value_is_invalid(void **state)
{
	struct sip_uri u;

	/* pvalue = 1*paramchar */
	assert_int_equal(uri_parse(state, "sip:example.com;transport=", &u),
			 -EINVAL);
}

static void
test_uri_headers_follow_the_question_mark(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state,
			"sip:alice@example.com;lr?subject=hi&priority=urgent",
			&u), 0);
	assert_sstr(u.params, ";lr");
	assert_sstr(u.headers, "subject=hi&priority=urgent");
}

static void
test_uri_header_with_empty_value_is_valid(void **state)
{
	struct sip_uri u;

	/* hvalue = *( hnv-unreserved / unreserved / escaped ) */
	assert_int_equal(uri_parse(state, "sip:alice@example.com?body=", &u),
			 0);
	assert_sstr(u.headers, "body=");
}

static void
test_uri_header_without_equals_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice@example.com?subject",
				   &u), -EINVAL);
}

static void
test_uri_empty_headers_are_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice@example.com?", &u),
			 -EINVAL);
}

/* ---- Escapes -------------------------------------------------------- */

static void
test_uri_escaped_user_is_kept_as_written(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:%61lice@example.com", &u), 0);
	assert_sstr(u.user, "%61lice");
}

static void
test_uri_user_with_semicolon_and_escaped_at(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state,
			"sip:user;par=u%40example.net@example.com", &u), 0);
	assert_sstr(u.user, "user;par=u%40example.net");
	assert_sstr(u.host, "example.com");
	assert_int_equal(u.params.len, 0);
}

static void
test_uri_bad_hex_escape_in_user_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:%Z1@example.com", &u),
			 -EINVAL);
}

static void
test_uri_short_escape_before_at_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:ali%4@example.com", &u),
			 -EINVAL);
}

static void
test_uri_trailing_percent_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:example.com;x=%", &u),
			 -EINVAL);
}

static void
test_uri_escaped_param_value_is_valid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:example.com;x=a%3Bb", &u), 0);
	assert_sstr(u.params, ";x=a%3Bb");
}

/* ---- Malformed ------------------------------------------------------ */

static void
test_uri_empty_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "", &u), -EINVAL);
}

static void
test_uri_without_scheme_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "alice@example.com", &u), -EINVAL);
}

static void
test_uri_scheme_with_nothing_after_it_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:", &u), -EINVAL);
}

static void
test_uri_scheme_starting_with_digit_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "5ip:alice@example.com", &u),
			 -EINVAL);
}

static void
test_uri_space_in_user_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:al ice@example.com", &u),
			 -EINVAL);
}

static void
test_uri_trailing_space_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:alice@example.com ", &u),
			 -EINVAL);
}

static void
test_uri_angle_bracket_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "sip:al<ice@example.com", &u),
			 -EINVAL);
}

static void
test_uri_bracketed_whole_uri_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "<sip:alice@example.com>", &u),
			 -EINVAL);
}

/* ---- tel: ----------------------------------------------------------- */

static void
test_uri_tel_global_number(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "tel:+1-201-555-0123", &u), 0);
	assert_int_equal(u.scheme, SIP_URI_TEL);
	assert_sstr(u.user, "+1-201-555-0123");
	assert_int_equal(u.host.len, 0);
}

static void
test_uri_tel_local_number_with_phone_context(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state,
				   "tel:7042;phone-context=example.com", &u),
			 0);
	assert_sstr(u.user, "7042");
	assert_sstr(u.params, ";phone-context=example.com");
}

static void
test_uri_tel_plus_alone_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "tel:+", &u), -EINVAL);
}

static void
test_uri_tel_with_name_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "tel:alice", &u), -EINVAL);
}

static void
test_uri_tel_with_space_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "tel:+1 555 0123", &u), -EINVAL);
}

/* ---- Other schemes (absoluteURI) ------------------------------------ */

static void
test_uri_unknown_scheme_is_absolute_uri(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "soap.beep://192.0.2.103:3002", &u),
			 0);
	assert_int_equal(u.scheme, SIP_URI_OTHER);
	assert_sstr(u.scheme_s, "soap.beep");
	assert_sstr(u.rest, "//192.0.2.103:3002");
	assert_int_equal(u.host.len, 0);
}

static void
test_uri_urn_is_absolute_uri(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "urn:service:sos", &u), 0);
	assert_int_equal(u.scheme, SIP_URI_OTHER);
	assert_sstr(u.rest, "service:sos");
}

static void
test_uri_absolute_uri_with_space_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "http://example.com/a b", &u),
			 -EINVAL);
}

static void
test_uri_absolute_uri_with_bad_escape_is_invalid(void **state)
{
	struct sip_uri u;

	assert_int_equal(uri_parse(state, "http://example.com/%zz", &u),
			 -EINVAL);
}

/* ---- sip_unescape --------------------------------------------------- */

static void
test_unescape_decodes_hex_pairs_of_either_case(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(sip_unescape(SSTR_LIT("a%41%2fb%2F"), out,
				      sizeof(out)), 5);
	assert_memory_equal(out, "aA/b/", 5);
}

static void
test_unescape_empty_is_zero(void **state)
{
	char out[1];

	(void)state;
	assert_int_equal(sip_unescape(SSTR_LIT(""), out, sizeof(out)), 0);
}

static void
test_unescape_bad_hex_is_einval(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(sip_unescape(SSTR_LIT("%Z1"), out, sizeof(out)),
			 -EINVAL);
}

static void
test_unescape_trailing_percent_is_einval(void **state)
{
	struct sstr s = exact(state, "abc%");
	char out[16];

	assert_int_equal(sip_unescape(s, out, sizeof(out)), -EINVAL);
}

static void
test_unescape_truncated_escape_is_einval(void **state)
{
	struct sstr s = exact(state, "abc%4");
	char out[16];

	assert_int_equal(sip_unescape(s, out, sizeof(out)), -EINVAL);
}

static void
test_unescape_exact_fit_succeeds(void **state)
{
	char out[3];

	(void)state;
	assert_int_equal(sip_unescape(SSTR_LIT("ab%40"), out, sizeof(out)),
			 3);
	assert_memory_equal(out, "ab@", 3);
}

static void
test_unescape_output_too_small_is_enospc(void **state)
{
	char out[3];

	(void)state;
	assert_int_equal(sip_unescape(SSTR_LIT("abcd"), out, sizeof(out)),
			 -ENOSPC);
}

/* ---- sip_host_check ------------------------------------------------- */

static void
test_host_check_ipv6_needs_the_v6_flag(void **state)
{
	bool v4 = true;

	(void)state;
	assert_int_equal(sip_host_check(SSTR_LIT("2001:db8::1"), false, &v4),
			 -EINVAL);
	assert_int_equal(sip_host_check(SSTR_LIT("2001:db8::1"), true, &v4),
			 0);
	assert_false(v4);
}

static void
test_host_check_dotted_quad_sets_is_v4(void **state)
{
	bool v4 = false;

	(void)state;
	assert_int_equal(sip_host_check(SSTR_LIT("198.51.100.7"), false, &v4),
			 0);
	assert_true(v4);
}

static void
test_host_check_hostname_clears_is_v4(void **state)
{
	bool v4 = true;

	(void)state;
	assert_int_equal(sip_host_check(SSTR_LIT("pc33.example.com"), false,
					&v4), 0);
	assert_false(v4);
}

static void
test_host_check_three_octets_is_invalid(void **state)
{
	bool v4;

	(void)state;
	assert_int_equal(sip_host_check(SSTR_LIT("192.0.2"), false, &v4),
			 -EINVAL);
}

static void
test_host_check_label_ending_in_hyphen_is_invalid(void **state)
{
	bool v4;

	(void)state;
	assert_int_equal(sip_host_check(SSTR_LIT("example-.com"), false, &v4),
			 -EINVAL);
}

static void
test_host_check_underscore_is_invalid(void **state)
{
	bool v4;

	(void)state;
	assert_int_equal(sip_host_check(SSTR_LIT("my_host.example.com"),
					false, &v4), -EINVAL);
}

static void
test_host_check_empty_is_invalid(void **state)
{
	bool v4;

	(void)state;
	assert_int_equal(sip_host_check(SSTR_LIT(""), false, &v4), -EINVAL);
	assert_int_equal(sip_host_check(SSTR_LIT(""), true, &v4), -EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, pool_setup, pool_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_uri_sip_user_at_host_parses),
		T(test_uri_sips_scheme_is_sips),
		T(test_uri_scheme_is_case_insensitive),
		T(test_uri_without_user_has_empty_user),
		T(test_uri_rest_is_everything_after_the_scheme),
		T(test_uri_slices_point_into_the_input),
		T(test_uri_password_is_split_from_user),
		T(test_uri_empty_password_is_valid),
		T(test_uri_password_with_colon_is_invalid),
		T(test_uri_empty_user_before_at_is_invalid),
		T(test_uri_second_at_sign_is_invalid),
		T(test_uri_ipv4_host_is_flagged),
		T(test_uri_ipv4_octet_256_is_invalid),
		T(test_uri_ipv6_reference_host_drops_brackets),
		T(test_uri_ipv6_reference_with_port),
		T(test_uri_ipv6_unclosed_bracket_is_invalid),
		T(test_uri_ipv6_without_brackets_is_invalid),
		T(test_uri_bad_ipv6_in_brackets_is_invalid),
		T(test_uri_junk_after_ipv6_reference_is_invalid),
		T(test_uri_port_is_read),
		T(test_uri_port_65535_is_valid),
		T(test_uri_port_65536_is_invalid),
		T(test_uri_port_in_letters_is_invalid),
		T(test_uri_empty_port_is_invalid),
		T(test_uri_empty_host_after_at_is_invalid),
		T(test_uri_host_with_trailing_dot_is_valid),
		T(test_uri_host_with_empty_label_is_invalid),
		T(test_uri_host_label_starting_with_hyphen_is_invalid),
		T(test_uri_host_of_a_lone_dot_is_invalid),
		T(test_uri_host_toplabel_starting_with_digit_is_invalid),
		T(test_uri_host_digit_led_domainlabel_is_valid),
		T(test_uri_params_keep_their_leading_semicolon),
		T(test_uri_params_follow_the_port),
		T(test_uri_empty_param_name_is_invalid),
		T(test_uri_param_with_empty_value_is_invalid),
		T(test_uri_headers_follow_the_question_mark),
		T(test_uri_header_with_empty_value_is_valid),
		T(test_uri_header_without_equals_is_invalid),
		T(test_uri_empty_headers_are_invalid),
		T(test_uri_escaped_user_is_kept_as_written),
		T(test_uri_user_with_semicolon_and_escaped_at),
		T(test_uri_bad_hex_escape_in_user_is_invalid),
		T(test_uri_short_escape_before_at_is_invalid),
		T(test_uri_trailing_percent_is_invalid),
		T(test_uri_escaped_param_value_is_valid),
		T(test_uri_empty_is_invalid),
		T(test_uri_without_scheme_is_invalid),
		T(test_uri_scheme_with_nothing_after_it_is_invalid),
		T(test_uri_scheme_starting_with_digit_is_invalid),
		T(test_uri_space_in_user_is_invalid),
		T(test_uri_trailing_space_is_invalid),
		T(test_uri_angle_bracket_is_invalid),
		T(test_uri_bracketed_whole_uri_is_invalid),
		T(test_uri_tel_global_number),
		T(test_uri_tel_local_number_with_phone_context),
		T(test_uri_tel_plus_alone_is_invalid),
		T(test_uri_tel_with_name_is_invalid),
		T(test_uri_tel_with_space_is_invalid),
		T(test_uri_unknown_scheme_is_absolute_uri),
		T(test_uri_urn_is_absolute_uri),
		T(test_uri_absolute_uri_with_space_is_invalid),
		T(test_uri_absolute_uri_with_bad_escape_is_invalid),
		T(test_unescape_decodes_hex_pairs_of_either_case),
		T(test_unescape_empty_is_zero),
		T(test_unescape_bad_hex_is_einval),
		T(test_unescape_trailing_percent_is_einval),
		T(test_unescape_truncated_escape_is_einval),
		T(test_unescape_exact_fit_succeeds),
		T(test_unescape_output_too_small_is_enospc),
		T(test_host_check_ipv6_needs_the_v6_flag),
		T(test_host_check_dotted_quad_sets_is_v4),
		T(test_host_check_hostname_clears_is_v4),
		T(test_host_check_three_octets_is_invalid),
		T(test_host_check_label_ending_in_hyphen_is_invalid),
		T(test_host_check_underscore_is_invalid),
		T(test_host_check_empty_is_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
