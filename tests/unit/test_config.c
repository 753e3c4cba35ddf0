/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of platform/config: the schema walk, ranges and defaults,
 * positions of errors, and the document kept for semantic checks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "platform/config/config.h"

/* ---- A small schema with one of everything ---------------------------- */

enum t_mode {
	T_MODE_BUSY = 1,
	T_MODE_ADAPTIVE = 2,
	T_MODE_OFF = 3,
};

struct t_port {
	uint16_t port;
	char *addr;
};

struct t_net {
	struct t_port outside;
	struct t_port inside;
};

struct t_peer {
	char *domain;
	uint32_t max_depth;
	bool tls;
};

struct t_limits {
	uint32_t min_expires;
	int32_t skew;
};

struct t_top {
	int32_t level;
	uint32_t expires;
	bool enabled;
	enum t_mode mode;
	char *name;
	struct t_net net;
	struct t_peer *peers;
	unsigned peers_count;
	uint32_t window;
	struct t_limits limits;
	uint8_t small;
	char label[8];
	uint16_t *ports;
	unsigned ports_count;
};

static const cyaml_strval_t t_mode_strings[] = {
	{"busy", T_MODE_BUSY},
	{"adaptive", T_MODE_ADAPTIVE},
	{"off", T_MODE_OFF},
};

static const cyaml_schema_field_t t_port_fields[] = {
	CYAML_FIELD_UINT("port", CYAML_FLAG_OPTIONAL, struct t_port, port),
	CYAML_FIELD_STRING_PTR(
		"addr", CYAML_FLAG_OPTIONAL, struct t_port, addr, 1, 64),
	CYAML_FIELD_END};

/* outside needs its port; inside is optional and its port defaults. */
static const cyaml_schema_field_t t_outside_fields[] = {
	CYAML_FIELD_UINT("port", CYAML_FLAG_DEFAULT, struct t_port, port),
	CYAML_FIELD_STRING_PTR(
		"addr", CYAML_FLAG_OPTIONAL, struct t_port, addr, 1, 64),
	CYAML_FIELD_END};

static const cyaml_schema_field_t t_net_fields[] = {
	CYAML_FIELD_MAPPING("outside", CYAML_FLAG_DEFAULT, struct t_net,
		outside, t_outside_fields),
	CYAML_FIELD_MAPPING("inside", CYAML_FLAG_OPTIONAL, struct t_net, inside,
		t_port_fields),
	CYAML_FIELD_END};

static const cyaml_schema_field_t t_peer_fields[] = {
	CYAML_FIELD_STRING_PTR(
		"domain", CYAML_FLAG_DEFAULT, struct t_peer, domain, 1, 253),
	CYAML_FIELD_UINT(
		"max_depth", CYAML_FLAG_DEFAULT, struct t_peer, max_depth),
	CYAML_FIELD_BOOL("tls", CYAML_FLAG_OPTIONAL, struct t_peer, tls),
	CYAML_FIELD_END};

static const cyaml_schema_value_t t_peer_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct t_peer, t_peer_fields),
};

static const cyaml_schema_field_t t_limits_fields[] = {
	CYAML_FIELD_UINT("min_expires", CYAML_FLAG_OPTIONAL, struct t_limits,
		min_expires),
	CYAML_FIELD_INT("skew", CYAML_FLAG_OPTIONAL, struct t_limits, skew),
	CYAML_FIELD_END};

static const cyaml_schema_value_t t_port_entry = {
	CYAML_VALUE_UINT(CYAML_FLAG_DEFAULT, uint16_t),
};

static const cyaml_schema_field_t t_top_fields[] = {
	CYAML_FIELD_INT("level", CYAML_FLAG_DEFAULT, struct t_top, level),
	CYAML_FIELD_UINT("expires", CYAML_FLAG_DEFAULT, struct t_top, expires),
	CYAML_FIELD_BOOL("enabled", CYAML_FLAG_DEFAULT, struct t_top, enabled),
	CYAML_FIELD_ENUM("mode", CYAML_FLAG_STRICT, struct t_top, mode,
		t_mode_strings, CYAML_ARRAY_LEN(t_mode_strings)),
	CYAML_FIELD_STRING_PTR(
		"name", CYAML_FLAG_DEFAULT, struct t_top, name, 1, 32),
	CYAML_FIELD_MAPPING(
		"net", CYAML_FLAG_DEFAULT, struct t_top, net, t_net_fields),
	CYAML_FIELD_SEQUENCE("peers", CYAML_FLAG_POINTER, struct t_top, peers,
		&t_peer_entry, 1, 4),
	CYAML_FIELD_UINT("window", CYAML_FLAG_OPTIONAL, struct t_top, window),
	CYAML_FIELD_MAPPING("limits", CYAML_FLAG_OPTIONAL, struct t_top, limits,
		t_limits_fields),
	CYAML_FIELD_UINT("small", CYAML_FLAG_OPTIONAL, struct t_top, small),
	CYAML_FIELD_STRING(
		"label", CYAML_FLAG_OPTIONAL, struct t_top, label, 0),
	CYAML_FIELD_SEQUENCE("ports", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
		struct t_top, ports, &t_port_entry, 0, CYAML_UNLIMITED),
	CYAML_FIELD_END};

static const cyaml_schema_value_t t_top_value = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct t_top, t_top_fields),
};

/* Declared next to the schema, as a module would. */
static const struct cfg_range t_ranges[] = {
	CFG_RANGE("expires", 10, 86400),
	CFG_RANGE("peers[].max_depth", 0, 10),
	CFG_DEFAULT("peers[].tls", 1),
	CFG_RANGE_DEFAULT("window", 1, 60, 5),
	CFG_RANGE_DEFAULT("limits.min_expires", 10, 3600, 60),
	CFG_RANGE_DEFAULT("net.inside.port", 1, 65535, 5060),
	CFG_RANGE("ports[]", 1024, 65535),
	CFG_RANGE_END,
};

static const struct cfg_range *const t_range_tables[] = {t_ranges, NULL};

static const struct cfg_schema t_schema = {
	.top = &t_top_value,
	.ranges = t_range_tables,
};

/* Lines 1-5, 6-9 and 10-12 of most documents below. */
#define T_HEAD                                                                 \
	"level: -3\n"                                                          \
	"expires: 3600\n"                                                      \
	"enabled: yes\n"                                                       \
	"mode: adaptive\n"                                                     \
	"name: edge-1\n"
#define T_NET                                                                  \
	"net:\n"                                                               \
	"  outside:\n"                                                         \
	"    port: 5061\n"                                                     \
	"    addr: 198.51.100.1\n"
#define T_PEER0                                                                \
	"peers:\n"                                                             \
	"  - domain: partner.example\n"                                        \
	"    max_depth: 2\n"

static const char t_valid[] =
	T_HEAD T_NET T_PEER0 "  - domain: other.example\n" /* 13 */
			     "    max_depth: 0\n"	   /* 14 */
			     "    tls: false\n";	   /* 15 */

/* ---- Helpers ------------------------------------------------------------ */

static int
t_load(const char *yaml, struct t_top **top, struct cfg_doc **doc,
	struct cfg_err *err)
{
	void *out = NULL;
	int rc;

	rc = cfg_load_string(
		"<test>", yaml, strlen(yaml), &t_schema, &out, doc, err);
	*top = out;
	return rc;
}

/* Load text that must fail; return its formatted error. */
static const char *
t_fail(const char *yaml, struct cfg_err *err)
{
	static char buf[1024];
	struct t_top *top = NULL;
	int rc;

	rc = t_load(yaml, &top, NULL, err);
	assert_int_equal(rc, -EINVAL);
	assert_null(top);
	assert_int_equal(cfg_err_format(err, buf, sizeof(buf)), 0);
	return buf;
}

static void
t_assert_has(const char *s, const char *part)
{
	if (strstr(s, part) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", s, part);
}

static void
t_assert_at(const struct cfg_err *err, unsigned line, unsigned col)
{
	if (err->line != line || err->col != col)
		fail_msg("error at %u:%u, expected %u:%u: %s", err->line,
			err->col, line, col, err->msg);
}

/* Write text to a fresh temporary file; the caller unlinks path. */
static void
t_write_file(char *path, size_t size, const char *text)
{
	const char *dir = getenv("TMPDIR");
	size_t len = strlen(text);
	int fd;

	snprintf(path, size, "%s/test_config_XXXXXX",
		dir != NULL ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* ---- Valid documents ---------------------------------------------------- */

static void
test_valid_document_loads_values(void **state)
{
	struct cfg_err err;
	struct t_top *t = NULL;

	(void)state;
	assert_int_equal(t_load(t_valid, &t, NULL, &err), 0);
	assert_non_null(t);
	assert_int_equal(t->level, -3);
	assert_int_equal(t->expires, 3600);
	assert_true(t->enabled);
	assert_int_equal(t->mode, T_MODE_ADAPTIVE);
	assert_string_equal(t->name, "edge-1");
	assert_int_equal(t->net.outside.port, 5061);
	assert_string_equal(t->net.outside.addr, "198.51.100.1");
	assert_int_equal(t->peers_count, 2);
	assert_string_equal(t->peers[0].domain, "partner.example");
	assert_int_equal(t->peers[0].max_depth, 2);
	assert_string_equal(t->peers[1].domain, "other.example");
	assert_false(t->peers[1].tls);
	assert_string_equal(err.msg, "");
	cfg_free(&t_schema, t);
}

static void
test_absent_optional_keys_get_their_defaults(void **state)
{
	struct cfg_err err;
	struct t_top *t = NULL;

	(void)state;
	assert_int_equal(t_load(t_valid, &t, NULL, &err), 0);
	assert_int_equal(t->window, 5);
	/* Inside mappings that are absent altogether, too. */
	assert_int_equal(t->limits.min_expires, 60);
	assert_int_equal(t->net.inside.port, 5060);
	assert_null(t->net.inside.addr);
	/* And in every element of a sequence, unless given. */
	assert_true(t->peers[0].tls);
	assert_false(t->peers[1].tls);
	/* No default declared: zero. */
	assert_int_equal(t->small, 0);
	assert_int_equal(t->limits.skew, 0);
	cfg_free(&t_schema, t);
}

static void
test_present_optional_key_overrides_default(void **state)
{
	struct cfg_err err;
	struct t_top *t = NULL;

	(void)state;
	assert_int_equal(t_load(T_HEAD T_NET T_PEER0 "window: 30\n"
						     "limits:\n"
						     "  skew: -2\n"
						     "label: abc\n",
				 &t, NULL, &err),
		0);
	assert_int_equal(t->window, 30);
	assert_int_equal(t->limits.skew, -2);
	assert_int_equal(t->limits.min_expires, 60);
	assert_string_equal(t->label, "abc");
	cfg_free(&t_schema, t);
}

static void
test_alias_is_followed(void **state)
{
	struct cfg_err err;
	struct t_top *t = NULL;

	(void)state;
	assert_int_equal(t_load(T_HEAD "net:\n"
				       "  outside: &side\n"
				       "    port: 5061\n"
				       "    addr: 198.51.100.1\n"
				       "  inside: *side\n" T_PEER0,
				 &t, NULL, &err),
		0);
	assert_int_equal(t->net.inside.port, 5061);
	assert_string_equal(t->net.inside.addr, "198.51.100.1");
	cfg_free(&t_schema, t);
}

static void
test_hex_integer_is_read_as_libcyaml_reads_it(void **state)
{
	struct cfg_err err;
	struct t_top *t = NULL;

	(void)state;
	assert_int_equal(
		t_load(T_HEAD T_NET T_PEER0 "small: 0x1f\n", &t, NULL, &err),
		0);
	assert_int_equal(t->small, 31);
	cfg_free(&t_schema, t);
}

/* ---- Unknown keys ------------------------------------------------------- */

static void
test_unknown_key_reports_its_own_line(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD "net:\n"
			  "  outside:\n"
			  "    port: 5061\n"
			  "    prot: 1\n" /* line 9 */
		T_PEER0,
		&err);
	/* libcyaml alone would name line 8, the mapping. */
	t_assert_at(&err, 9, 5);
	t_assert_has(s, "<test>:9:5: unknown key 'prot' in 'net.outside'");
	t_assert_has(s, "expected one of: port, addr");
}

static void
test_unknown_top_level_key_is_named(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET T_PEER0 "colour: red\n", &err);
	t_assert_at(&err, 13, 1);
	t_assert_has(s,
		"unknown key 'colour' at top level; expected one of: "
		"level, expires, enabled, mode, name, net, peers, window, "
		"limits, small, label, ports");
}

static void
test_unknown_key_in_sequence_element_names_index(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET T_PEER0 "  - domain: b.example\n" /* 13 */
					"    max_depth: 1\n"
					"    tsl: true\n", /* 15 */
		&err);
	t_assert_at(&err, 15, 5);
	t_assert_has(s, "unknown key 'tsl' in 'peers[1]'");
}

static void
test_merge_key_is_rejected_with_a_hint(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD "net:\n"
			  "  outside: &o\n"
			  "    port: 5061\n"
			  "  inside:\n"
			  "    <<: *o\n" /* line 10 */
		T_PEER0,
		&err);
	t_assert_at(&err, 10, 5);
	t_assert_has(s, "merge keys are not supported");
}

/* ---- Wrong types -------------------------------------------------------- */

static void
test_mapping_where_integer_expected_is_wrong_type(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("level:\n"
		   "  a: 1\n" /* the mapping starts here */
		   "expires: 3600\n",
		&err);
	t_assert_at(&err, 2, 3);
	t_assert_has(s, "level: expected an integer, got a mapping");
}

static void
test_trailing_garbage_is_not_an_integer(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	/* libcyaml itself would read 12. */
	s = t_fail("level: 1\nexpires: 12abc\n", &err);
	t_assert_at(&err, 2, 10);
	t_assert_has(s, "expires: expected an unsigned integer, got '12abc'");
}

static void
test_bad_bool_is_rejected(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	/* libcyaml itself would read true. */
	s = t_fail("level: 1\nexpires: 60\nenabled: maybe\n", &err);
	t_assert_at(&err, 3, 10);
	t_assert_has(s, "enabled: expected a boolean");
	t_assert_has(s, "got 'maybe'");
}

static void
test_bad_enum_lists_allowed_values(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("level: 1\nexpires: 60\nenabled: on\nmode: fast\n", &err);
	t_assert_at(&err, 4, 7);
	t_assert_has(s, "mode: unknown value 'fast'; expected one of: busy, "
			"adaptive, off");
}

static void
test_integer_too_large_for_its_field(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET T_PEER0 "small: 300\n", &err);
	t_assert_at(&err, 13, 8);
	t_assert_has(s, "small: 300 is out of range [0, 255]");
}

static void
test_negative_unsigned_is_out_of_range(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET T_PEER0 "window: -1\n", &err);
	t_assert_at(&err, 13, 9);
	t_assert_has(s, "window: -1 is out of range [0, 4294967295]");
}

static void
test_scalar_where_sequence_expected_is_wrong_type(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET "peers: partner.example\n", &err);
	t_assert_at(&err, 10, 8);
	t_assert_has(s, "peers: expected a sequence, got 'partner.example'");
}

static void
test_empty_value_for_mapping_is_wrong_type(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD "net:\n" T_PEER0, &err);
	t_assert_at(&err, 6, 5);
	t_assert_has(s, "net: expected a mapping, got an empty value");
}

static void
test_string_longer_than_schema_allows(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET T_PEER0 "label: abcdefghij\n", &err);
	t_assert_at(&err, 13, 8);
	t_assert_has(s, "label: 10 bytes long, at most 7 allowed");
}

static void
test_empty_string_where_one_is_required(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("level: 1\nexpires: 60\nenabled: on\nmode: off\n"
		   "name: ''\n",
		&err);
	t_assert_at(&err, 5, 7);
	t_assert_has(s, "name: must not be empty");
}

static void
test_too_few_sequence_entries(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET "peers: []\n", &err);
	t_assert_at(&err, 10, 8);
	t_assert_has(s, "peers: 0 entries, at least 1 required");
}

static void
test_too_many_sequence_entries_points_at_first_extra(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET
		"peers:\n"				  /* 10 */
		"  - {domain: a.example, max_depth: 1}\n" /* 11 */
		"  - {domain: b.example, max_depth: 1}\n"
		"  - {domain: c.example, max_depth: 1}\n"
		"  - {domain: d.example, max_depth: 1}\n"
		"  - {domain: e.example, max_depth: 1}\n", /* 15 */
		&err);
	t_assert_at(&err, 15, 5);
	t_assert_has(s, "peers: 5 entries, at most 4 allowed");
}

/* ---- Ranges ------------------------------------------------------------- */

static void
test_out_of_range_value_reports_value_line(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("level: -3\n"
		   "expires: 5\n"
		   "enabled: yes\n",
		&err);
	t_assert_at(&err, 2, 10);
	t_assert_has(s, "<test>:2:10: expires: 5 is out of range [10, 86400]");
}

static void
test_range_applies_to_every_sequence_element(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET T_PEER0 "  - domain: other.example\n" /* 13 */
					"    max_depth: 11\n",	      /* 14 */
		&err);
	t_assert_at(&err, 14, 16);
	t_assert_has(s, "peers[1].max_depth: 11 is out of range [0, 10]");
}

static void
test_range_applies_to_sequence_of_integers(void **state)
{
	struct cfg_err err;
	struct t_top *t = NULL;
	const char *s;

	(void)state;
	assert_int_equal(t_load(T_HEAD T_NET T_PEER0 "ports: [5060, 5061]\n",
				 &t, NULL, &err),
		0);
	assert_int_equal(t->ports_count, 2);
	assert_int_equal(t->ports[1], 5061);
	cfg_free(&t_schema, t);
	s = t_fail(T_HEAD T_NET T_PEER0 "ports: [5060, 80]\n", &err);
	t_assert_at(&err, 13, 15);
	t_assert_has(s, "ports[1]: 80 is out of range [1024, 65535]");
}

static void
test_range_applies_inside_optional_mapping(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET T_PEER0 "limits:\n"	      /* 13 */
					"  min_expires: 5\n", /* 14 */
		&err);
	t_assert_at(&err, 14, 16);
	t_assert_has(s, "limits.min_expires: 5 is out of range [10, 3600]");
}

static void
test_range_table_naming_no_key_fails_every_load(void **state)
{
	static const struct cfg_range bad[] = {
		CFG_RANGE("expirse", 1, 2),
		CFG_RANGE_END,
	};
	static const struct cfg_range *const tables[] = {t_ranges, bad, NULL};
	static const struct cfg_schema schema = {
		.top = &t_top_value,
		.ranges = tables,
	};
	struct cfg_err err;
	void *out = NULL;

	(void)state;
	assert_int_equal(cfg_load_string("<test>", t_valid, strlen(t_valid),
				 &schema, &out, NULL, &err),
		-EINVAL);
	assert_null(out);
	t_assert_has(err.msg, "range table: 'expirse' names no key");
}

static void
test_default_on_required_key_is_a_table_error(void **state)
{
	static const struct cfg_range bad[] = {
		CFG_RANGE_DEFAULT("expires", 10, 86400, 60),
		CFG_RANGE_END,
	};
	static const struct cfg_range *const tables[] = {bad, NULL};
	static const struct cfg_schema schema = {
		.top = &t_top_value,
		.ranges = tables,
	};
	struct cfg_err err;
	void *out = NULL;

	(void)state;
	assert_int_equal(cfg_load_string("<test>", t_valid, strlen(t_valid),
				 &schema, &out, NULL, &err),
		-EINVAL);
	t_assert_has(err.msg, "'expires': a default needs a key marked "
			      "CYAML_FLAG_OPTIONAL");
}

/* ---- Missing and duplicate keys ------------------------------------------ */

static void
test_missing_required_key_is_named(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("level: -3\n"
		   "expires: 3600\n"
		   "mode: adaptive\n"
		   "name: edge-1\n" T_NET T_PEER0,
		&err);
	t_assert_at(&err, 1, 1);
	t_assert_has(s, "missing required key 'enabled' at top level");
}

static void
test_missing_required_key_in_nested_mapping(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD "net:\n"
			  "  outside:\n"
			  "    addr: 198.51.100.1\n" /* 8: the mapping */
		T_PEER0,
		&err);
	t_assert_at(&err, 8, 5);
	t_assert_has(s, "missing required key 'port' in 'net.outside'");
}

static void
test_duplicate_key_reports_second_occurrence(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET T_PEER0 "window: 10\n" /* 13 */
					"small: 1\n"
					"window: 20\n", /* 15 */
		&err);
	t_assert_at(&err, 15, 1);
	t_assert_has(
		s, "duplicate key 'window' at top level (first at line 13)");
}

static void
test_duplicate_key_in_nested_mapping(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD "net:\n"
			  "  outside:\n"
			  "    port: 5061\n"
			  "    port: 5062\n" /* 9 */
		T_PEER0,
		&err);
	t_assert_at(&err, 9, 5);
	t_assert_has(s, "duplicate key 'port' in 'net.outside' (first at "
			"line 8)");
}

/* ---- Syntax and stream ----------------------------------------------------
 */

static void
test_syntax_error_reports_its_line(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("level: 1\n"
		   "expires: 60\n"
		   "enabled: [yes\n"
		   "mode: off\n",
		&err);
	assert_true(err.line >= 3);
	t_assert_has(s, "YAML syntax error: ");
}

static void
test_bad_indentation_reports_its_line(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("level: 1\n"
		   "expires: 60\n"
		   "  enabled: yes\n",
		&err);
	t_assert_at(&err, 3, 10);
	t_assert_has(s, "<test>:3:10: YAML syntax error: mapping values are "
			"not allowed");
}

static void
test_invalid_utf8_reports_its_line(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("level: 1\nname: \xff\xfe\n", &err);
	assert_int_equal(err.line, 2);
	t_assert_has(s, "invalid text: ");
}

static void
test_second_document_is_rejected(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail(T_HEAD T_NET T_PEER0 "---\nlevel: 2\n", &err);
	assert_int_equal(err.line, 13);
	t_assert_has(s, "second YAML document");
}

static void
test_undefined_alias_is_a_syntax_error(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("level: *nowhere\n", &err);
	assert_int_equal(err.line, 1);
	t_assert_has(s, "YAML syntax error: ");
}

static void
test_error_through_alias_is_reported_at_anchor(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("name: &n edge\n"
		   "level: *n\n",
		&err);
	t_assert_at(&err, 1, 7);
	t_assert_has(s, "level: expected an integer, got 'edge'");
}

/* A recursive schema lets aliases multiply: ten to the ninth nodes. */
struct t_node {
	struct t_node *kids;
	unsigned kids_count;
};

extern const cyaml_schema_field_t t_node_fields[];

static const cyaml_schema_value_t t_node_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct t_node, t_node_fields),
};

const cyaml_schema_field_t t_node_fields[] = {
	CYAML_FIELD_SEQUENCE("kids", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
		struct t_node, kids, &t_node_entry, 0, CYAML_UNLIMITED),
	CYAML_FIELD_END};

struct t_tree {
	struct t_node tree;
};

static const cyaml_schema_field_t t_tree_fields[] = {
	CYAML_FIELD_IGNORE("defs", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_MAPPING(
		"tree", CYAML_FLAG_DEFAULT, struct t_tree, tree, t_node_fields),
	CYAML_FIELD_END};

static const cyaml_schema_value_t t_tree_value = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct t_tree, t_tree_fields),
};

static void
test_alias_bomb_is_refused(void **state)
{
	static const struct cfg_schema schema = {.top = &t_tree_value};
	char yaml[2048];
	struct cfg_err err;
	void *out = NULL;
	size_t len = 0;
	int i;

	(void)state;
	len += (size_t)snprintf(
		yaml + len, sizeof(yaml) - len, "defs:\n  - &l0 {kids: []}\n");
	for (i = 1; i < 10; i++)
		len += (size_t)snprintf(yaml + len, sizeof(yaml) - len,
			"  - &l%d {kids: [*l%d, *l%d, *l%d, *l%d, *l%d, *l%d, "
			"*l%d, *l%d, *l%d, *l%d]}\n",
			i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
			i - 1, i - 1, i - 1);
	len += (size_t)snprintf(yaml + len, sizeof(yaml) - len, "tree: *l9\n");
	assert_true(len < sizeof(yaml));
	assert_int_equal(
		cfg_load_string("<bomb>", yaml, len, &schema, &out, NULL, &err),
		-EINVAL);
	assert_null(out);
	t_assert_has(err.msg, "document too large");
}

static void
test_deep_nesting_is_refused(void **state)
{
	static const struct cfg_schema schema = {.top = &t_tree_value};
	char yaml[4096];
	struct cfg_err err;
	void *out = NULL;
	size_t len = 0;
	int i;

	(void)state;
	len += (size_t)snprintf(yaml + len, sizeof(yaml) - len, "tree: ");
	for (i = 0; i < 100; i++)
		len += (size_t)snprintf(
			yaml + len, sizeof(yaml) - len, "{kids: [");
	for (i = 0; i < 100; i++)
		len += (size_t)snprintf(yaml + len, sizeof(yaml) - len, "]}");
	assert_true(len < sizeof(yaml));
	assert_int_equal(
		cfg_load_string("<deep>", yaml, len, &schema, &out, NULL, &err),
		-EINVAL);
	t_assert_has(err.msg, "nested deeper than");
}

/* ---- Empty documents ---------------------------------------------------- */

static void
test_empty_document_reports_missing_keys(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("", &err);
	t_assert_at(&err, 1, 1);
	t_assert_has(s, "<test>:1:1: missing required key 'level' at top "
			"level");
}

struct t_opt {
	uint32_t a;
	bool b;
	enum t_mode mode;
};

static const cyaml_schema_field_t t_opt_fields[] = {
	CYAML_FIELD_UINT("a", CYAML_FLAG_OPTIONAL, struct t_opt, a),
	CYAML_FIELD_BOOL("b", CYAML_FLAG_OPTIONAL, struct t_opt, b),
	CYAML_FIELD_ENUM("mode", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
		struct t_opt, mode, t_mode_strings,
		CYAML_ARRAY_LEN(t_mode_strings)),
	CYAML_FIELD_END};

static const cyaml_schema_value_t t_opt_value = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct t_opt, t_opt_fields),
};

static const struct cfg_range t_opt_ranges[] = {
	CFG_RANGE_DEFAULT("a", 1, 100, 42),
	CFG_DEFAULT("b", 1),
	CFG_DEFAULT("mode", T_MODE_BUSY),
	CFG_RANGE_END,
};

static const struct cfg_range *const t_opt_tables[] = {t_opt_ranges, NULL};

static const struct cfg_schema t_opt_schema = {
	.top = &t_opt_value,
	.ranges = t_opt_tables,
};

static void
test_empty_document_loads_defaults_when_all_optional(void **state)
{
	static const char *const texts[] = {
		"", "# only a comment\n", "---\n", "~\n"};
	struct cfg_err err;
	struct cfg_doc *doc = NULL;
	struct t_opt *o;
	void *out;
	unsigned line = 0, col = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		out = NULL;
		assert_int_equal(
			cfg_load_string("<opt>", texts[i], strlen(texts[i]),
				&t_opt_schema, &out, &doc, &err),
			0);
		o = out;
		assert_non_null(o);
		assert_int_equal(o->a, 42);
		assert_true(o->b);
		assert_int_equal(o->mode, T_MODE_BUSY);
		assert_int_equal(cfg_doc_line(doc, "", &line, &col), 0);
		assert_int_equal(line, 1);
		assert_int_equal(cfg_doc_line(doc, "a", &line, &col), -ENOENT);
		cfg_doc_free(doc);
		cfg_free(&t_opt_schema, o);
	}
}

static void
test_top_level_sequence_is_wrong_type(void **state)
{
	struct cfg_err err;
	const char *s;

	(void)state;
	s = t_fail("- 1\n- 2\n", &err);
	t_assert_at(&err, 1, 1);
	t_assert_has(s, "top level: expected a mapping, got a sequence");
}

/* ---- Files -------------------------------------------------------------- */

static void
test_nonexistent_file_is_enoent_naming_the_file(void **state)
{
	const char *path = "/nonexistent/sipedge-test.yaml";
	struct cfg_err err;
	char buf[512];
	void *out = NULL;

	(void)state;
	assert_int_equal(
		cfg_load_file(path, &t_schema, &out, NULL, &err), -ENOENT);
	assert_null(out);
	assert_int_equal(cfg_err_format(&err, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/nonexistent/sipedge-test.yaml: cannot open: "
				 "No such file or directory");
}

static void
test_file_loads_and_errors_name_the_file(void **state)
{
	char path[256], want[512], buf[512];
	struct cfg_err err;
	struct cfg_doc *doc = NULL;
	void *out = NULL;
	struct t_top *t;

	(void)state;
	t_write_file(path, sizeof(path), t_valid);
	assert_int_equal(cfg_load_file(path, &t_schema, &out, &doc, &err), 0);
	t = out;
	assert_int_equal(t->peers_count, 2);
	cfg_errorf(&err, doc, "peers[1].domain", "no such domain");
	snprintf(want, sizeof(want),
		"%s:13:13: peers[1].domain: no such "
		"domain",
		path);
	assert_int_equal(cfg_err_format(&err, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	cfg_doc_free(doc);
	cfg_free(&t_schema, t);
	unlink(path);

	t_write_file(path, sizeof(path), "level: 1\nexpires: 5\n");
	out = NULL;
	assert_int_equal(
		cfg_load_file(path, &t_schema, &out, NULL, &err), -EINVAL);
	assert_null(out);
	snprintf(want, sizeof(want),
		"%s:2:10: expires: 5 is out of range [10, 86400]", path);
	assert_int_equal(cfg_err_format(&err, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
	unlink(path);
}

static void
test_directory_is_not_a_config_file(void **state)
{
	struct cfg_err err;
	void *out = NULL;

	(void)state;
	assert_int_equal(
		cfg_load_file("/", &t_schema, &out, NULL, &err), -EISDIR);
	t_assert_has(err.msg, "cannot read");
}

/* ---- The document, for the modules' own checks ------------------------- */

static void
test_doc_line_locates_keys_for_semantic_checks(void **state)
{
	struct cfg_err err;
	struct cfg_doc *doc = NULL;
	struct t_top *t = NULL;
	unsigned line = 0, col = 0;

	(void)state;
	assert_int_equal(t_load(t_valid, &t, &doc, &err), 0);
	assert_non_null(doc);
	/* A scalar: the value. */
	assert_int_equal(cfg_doc_line(doc, "net.outside.addr", &line, &col), 0);
	assert_int_equal(line, 9);
	assert_int_equal(col, 11);
	/* A mapping: its key. */
	assert_int_equal(cfg_doc_line(doc, "net.outside", &line, &col), 0);
	assert_int_equal(line, 7);
	assert_int_equal(col, 3);
	/* An element. */
	assert_int_equal(cfg_doc_line(doc, "peers[1]", &line, &col), 0);
	assert_int_equal(line, 13);
	assert_int_equal(col, 5);
	assert_int_equal(cfg_doc_line(doc, "peers[1].tls", &line, &col), 0);
	assert_int_equal(line, 15);
	/* Absent, and malformed. */
	assert_int_equal(cfg_doc_line(doc, "window", &line, &col), -ENOENT);
	assert_int_equal(cfg_doc_line(doc, "peers[2]", &line, &col), -ENOENT);
	assert_int_equal(cfg_doc_line(doc, "peers[x]", &line, &col), -EINVAL);
	assert_int_equal(
		cfg_doc_line(doc, "net..outside", &line, &col), -EINVAL);
	cfg_doc_free(doc);
	cfg_free(&t_schema, t);
}

static void
test_errorf_reports_at_the_key(void **state)
{
	struct cfg_err err;
	struct cfg_doc *doc = NULL;
	struct t_top *t = NULL;
	char buf[512];

	(void)state;
	assert_int_equal(t_load(T_HEAD "net:\n"
				       "  outside:\n"
				       "    port: 5061\n"
				       "    addr: 198.51.100.300\n" T_PEER0,
				 &t, &doc, &err),
		0);
	/* What a module does after the load. */
	cfg_errorf(&err, doc, "net.outside.addr", "'%s' is not an IP address",
		t->net.outside.addr);
	assert_int_equal(cfg_err_format(&err, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "<test>:9:11: net.outside.addr: "
				 "'198.51.100.300' is not an IP address");
	cfg_doc_free(doc);
	cfg_free(&t_schema, t);
}

static void
test_errorf_on_absent_key_uses_enclosing_key(void **state)
{
	struct cfg_err err;
	struct cfg_doc *doc = NULL;
	struct t_top *t = NULL;

	(void)state;
	assert_int_equal(t_load(t_valid, &t, &doc, &err), 0);
	/* net.inside is absent: report at "net". */
	cfg_errorf(&err, doc, "net.inside.port", "clashes with %u",
		(unsigned)t->net.outside.port);
	t_assert_at(&err, 6, 1);
	assert_string_equal(err.msg, "net.inside.port: clashes with 5061");
	cfg_doc_free(doc);
	cfg_free(&t_schema, t);
}

/* ---- Names and formatting ----------------------------------------------- */

static void
test_embedded_name_appears_in_messages(void **state)
{
	static const char text[] = "level: 1\nexpires: 5\n";
	struct cfg_err err;
	char buf[512];
	void *out = NULL;

	(void)state;
	assert_int_equal(cfg_load_string("<embedded>", text, sizeof(text) - 1,
				 &t_schema, &out, NULL, &err),
		-EINVAL);
	assert_string_equal(err.file, "<embedded>");
	assert_int_equal(cfg_err_format(&err, buf, sizeof(buf)), 0);
	assert_string_equal(
		buf, "<embedded>:2:10: expires: 5 is out of range [10, 86400]");
}

static void
test_text_need_not_be_nul_terminated(void **state)
{
	struct cfg_err err;
	char *copy;
	void *out = NULL;
	size_t len = strlen(t_valid);

	(void)state;
	copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, t_valid, len);
	assert_int_equal(
		cfg_load_string(NULL, copy, len, &t_schema, &out, NULL, &err),
		0);
	free(copy);
	cfg_free(&t_schema, out);
}

static void
test_err_format_truncates_and_says_so(void **state)
{
	struct cfg_err err = {
		.file = "f.yaml", .line = 3, .col = 4, .msg = "bad"};
	char buf[8];
	char big[64];

	(void)state;
	assert_int_equal(cfg_err_format(&err, big, sizeof(big)), 0);
	assert_string_equal(big, "f.yaml:3:4: bad");
	assert_int_equal(cfg_err_format(&err, buf, sizeof(buf)), -ENOSPC);
	assert_string_equal(buf, "f.yaml:");
	err.line = 0;
	assert_int_equal(cfg_err_format(&err, big, sizeof(big)), 0);
	assert_string_equal(big, "f.yaml: bad");
}

static void
test_load_without_err_or_doc_is_allowed(void **state)
{
	void *out = NULL;

	(void)state;
	assert_int_equal(cfg_load_string("<x>", "level: x\n", 9, &t_schema,
				 &out, NULL, NULL),
		-EINVAL);
	assert_int_equal(cfg_load_string("<x>", t_valid, strlen(t_valid),
				 &t_schema, &out, NULL, NULL),
		0);
	cfg_free(&t_schema, out);
	cfg_free(&t_schema, NULL);
	cfg_doc_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_document_loads_values),
		cmocka_unit_test(test_absent_optional_keys_get_their_defaults),
		cmocka_unit_test(test_present_optional_key_overrides_default),
		cmocka_unit_test(test_alias_is_followed),
		cmocka_unit_test(test_hex_integer_is_read_as_libcyaml_reads_it),
		cmocka_unit_test(test_unknown_key_reports_its_own_line),
		cmocka_unit_test(test_unknown_top_level_key_is_named),
		cmocka_unit_test(
			test_unknown_key_in_sequence_element_names_index),
		cmocka_unit_test(test_merge_key_is_rejected_with_a_hint),
		cmocka_unit_test(
			test_mapping_where_integer_expected_is_wrong_type),
		cmocka_unit_test(test_trailing_garbage_is_not_an_integer),
		cmocka_unit_test(test_bad_bool_is_rejected),
		cmocka_unit_test(test_bad_enum_lists_allowed_values),
		cmocka_unit_test(test_integer_too_large_for_its_field),
		cmocka_unit_test(test_negative_unsigned_is_out_of_range),
		cmocka_unit_test(
			test_scalar_where_sequence_expected_is_wrong_type),
		cmocka_unit_test(test_empty_value_for_mapping_is_wrong_type),
		cmocka_unit_test(test_string_longer_than_schema_allows),
		cmocka_unit_test(test_empty_string_where_one_is_required),
		cmocka_unit_test(test_too_few_sequence_entries),
		cmocka_unit_test(
			test_too_many_sequence_entries_points_at_first_extra),
		cmocka_unit_test(test_out_of_range_value_reports_value_line),
		cmocka_unit_test(test_range_applies_to_every_sequence_element),
		cmocka_unit_test(test_range_applies_to_sequence_of_integers),
		cmocka_unit_test(test_range_applies_inside_optional_mapping),
		cmocka_unit_test(
			test_range_table_naming_no_key_fails_every_load),
		cmocka_unit_test(test_default_on_required_key_is_a_table_error),
		cmocka_unit_test(test_missing_required_key_is_named),
		cmocka_unit_test(test_missing_required_key_in_nested_mapping),
		cmocka_unit_test(test_duplicate_key_reports_second_occurrence),
		cmocka_unit_test(test_duplicate_key_in_nested_mapping),
		cmocka_unit_test(test_syntax_error_reports_its_line),
		cmocka_unit_test(test_bad_indentation_reports_its_line),
		cmocka_unit_test(test_invalid_utf8_reports_its_line),
		cmocka_unit_test(test_second_document_is_rejected),
		cmocka_unit_test(test_undefined_alias_is_a_syntax_error),
		cmocka_unit_test(
			test_error_through_alias_is_reported_at_anchor),
		cmocka_unit_test(test_alias_bomb_is_refused),
		cmocka_unit_test(test_deep_nesting_is_refused),
		cmocka_unit_test(test_empty_document_reports_missing_keys),
		cmocka_unit_test(
			test_empty_document_loads_defaults_when_all_optional),
		cmocka_unit_test(test_top_level_sequence_is_wrong_type),
		cmocka_unit_test(
			test_nonexistent_file_is_enoent_naming_the_file),
		cmocka_unit_test(test_file_loads_and_errors_name_the_file),
		cmocka_unit_test(test_directory_is_not_a_config_file),
		cmocka_unit_test(
			test_doc_line_locates_keys_for_semantic_checks),
		cmocka_unit_test(test_errorf_reports_at_the_key),
		cmocka_unit_test(test_errorf_on_absent_key_uses_enclosing_key),
		cmocka_unit_test(test_embedded_name_appears_in_messages),
		cmocka_unit_test(test_text_need_not_be_nul_terminated),
		cmocka_unit_test(test_err_format_truncates_and_says_so),
		cmocka_unit_test(test_load_without_err_or_doc_is_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
