/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/dp_config.h"

static const cyaml_strval_t dp_poll_strings[] = {
	{ "adaptive", DP_POLL_ADAPTIVE },
	{ "busy", DP_POLL_BUSY },
};

static const cyaml_schema_value_t dp_arg_schema = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 1024),
};

static const cyaml_strval_t dp_role_strings[] = {
	{ "outside", DP_PORT_OUTSIDE },
	{ "inside", DP_PORT_INSIDE },
};

static const cyaml_strval_t dp_acl_action_strings[] = {
	{ "deny", DP_ACL_DENY },
	{ "permit", DP_ACL_PERMIT },
};

static const cyaml_strval_t dp_acl_proto_strings[] = {
	{ "any", DP_ACL_PROTO_ANY },
	{ "udp", DP_ACL_PROTO_UDP },
	{ "tcp", DP_ACL_PROTO_TCP },
	{ "icmp", DP_ACL_PROTO_ICMP },
	{ "icmp6", DP_ACL_PROTO_ICMP6 },
};

#define DP_ACL_STR_OPT(key, member, max)                                   \
	CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, \
			struct dp_acl_rule_cfg, member, 1, max)

static const cyaml_schema_field_t dp_acl_rule_cfg_fields[] = {
	CYAML_FIELD_ENUM("port", CYAML_FLAG_STRICT, struct dp_acl_rule_cfg,
			port, dp_role_strings, CYAML_ARRAY_LEN(dp_role_strings)),
	CYAML_FIELD_ENUM("action", CYAML_FLAG_STRICT, struct dp_acl_rule_cfg,
			action, dp_acl_action_strings,
			CYAML_ARRAY_LEN(dp_acl_action_strings)),
	CYAML_FIELD_ENUM("proto", CYAML_FLAG_STRICT, struct dp_acl_rule_cfg,
			proto, dp_acl_proto_strings,
			CYAML_ARRAY_LEN(dp_acl_proto_strings)),
	DP_ACL_STR_OPT("src", src, 43),
	DP_ACL_STR_OPT("dst", dst, 43),
	DP_ACL_STR_OPT("sport", sport, 11),
	DP_ACL_STR_OPT("dport", dport, 11),
	DP_ACL_STR_OPT("name", name, 64),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t dp_acl_rule_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct dp_acl_rule_cfg,
			dp_acl_rule_cfg_fields),
};

#define DP_STR_OPT(key, member, max)                                       \
	CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL, \
			struct dp_port_cfg, member, 1, max)

static const cyaml_schema_field_t dp_port_cfg_fields[] = {
	CYAML_FIELD_STRING_PTR("device", CYAML_FLAG_POINTER,
			struct dp_port_cfg, device, 1, 1024),
	CYAML_FIELD_STRING_PTR("mac", CYAML_FLAG_POINTER, struct dp_port_cfg,
			mac, 17, 17),
	DP_STR_OPT("ipv4", ipv4, 18),
	DP_STR_OPT("ipv6", ipv6, 43),
	DP_STR_OPT("gateway4", gateway4, 15),
	DP_STR_OPT("gateway6", gateway6, 39),
	CYAML_FIELD_UINT("mtu", CYAML_FLAG_OPTIONAL, struct dp_port_cfg, mtu),
	DP_STR_OPT("tap", tap, DP_TAP_NAME_MAX),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t dp_ports_cfg_fields[] = {
	CYAML_FIELD_MAPPING("outside", CYAML_FLAG_DEFAULT, struct dp_ports_cfg,
			outside, dp_port_cfg_fields),
	CYAML_FIELD_MAPPING("inside", CYAML_FLAG_DEFAULT, struct dp_ports_cfg,
			inside, dp_port_cfg_fields),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t dp_ratelimit_cfg_fields[] = {
	CYAML_FIELD_UINT("requests_per_second", CYAML_FLAG_OPTIONAL,
			struct dp_ratelimit_cfg, requests_per_second),
	CYAML_FIELD_UINT("burst", CYAML_FLAG_OPTIONAL, struct dp_ratelimit_cfg,
			burst),
	CYAML_FIELD_UINT("table_size", CYAML_FLAG_OPTIONAL,
			struct dp_ratelimit_cfg, table_size),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t dp_neigh_cfg_fields[] = {
	CYAML_FIELD_UINT("timeout_s", CYAML_FLAG_OPTIONAL, struct dp_neigh_cfg,
			timeout_s),
	CYAML_FIELD_UINT("table_size", CYAML_FLAG_OPTIONAL,
			struct dp_neigh_cfg, table_size),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t dp_frag_cfg_fields[] = {
	CYAML_FIELD_UINT("flows", CYAML_FLAG_OPTIONAL, struct dp_frag_cfg,
			flows),
	CYAML_FIELD_UINT("timeout_ms", CYAML_FLAG_OPTIONAL, struct dp_frag_cfg,
			timeout_ms),
	CYAML_FIELD_UINT("max_mbufs", CYAML_FLAG_OPTIONAL, struct dp_frag_cfg,
			max_mbufs),
	CYAML_FIELD_END
};

static const cyaml_schema_field_t dp_exception_cfg_fields[] = {
	CYAML_FIELD_BOOL("enabled", CYAML_FLAG_OPTIONAL,
			struct dp_exception_cfg, enabled),
	CYAML_FIELD_UINT("sessions", CYAML_FLAG_OPTIONAL,
			struct dp_exception_cfg, sessions),
	CYAML_FIELD_UINT("udp_timeout_s", CYAML_FLAG_OPTIONAL,
			struct dp_exception_cfg, udp_timeout_s),
	CYAML_FIELD_UINT("tcp_timeout_s", CYAML_FLAG_OPTIONAL,
			struct dp_exception_cfg, tcp_timeout_s),
	CYAML_FIELD_UINT("tcp_closing_timeout_s", CYAML_FLAG_OPTIONAL,
			struct dp_exception_cfg, tcp_closing_timeout_s),
	CYAML_FIELD_END
};

static const cyaml_strval_t dp_pat_proto_strings[] = {
	{ "udp", DP_ACL_PROTO_UDP },
	{ "tcp", DP_ACL_PROTO_TCP },
};

static const cyaml_schema_value_t dp_pat_node_schema = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 1, 21),
};

static const cyaml_schema_field_t dp_pat_static_cfg_fields[] = {
	CYAML_FIELD_ENUM("proto", CYAML_FLAG_STRICT, struct dp_pat_static_cfg,
			proto, dp_pat_proto_strings,
			CYAML_ARRAY_LEN(dp_pat_proto_strings)),
	CYAML_FIELD_UINT("port", CYAML_FLAG_DEFAULT, struct dp_pat_static_cfg,
			port),
	CYAML_FIELD_SEQUENCE("to", CYAML_FLAG_POINTER,
			struct dp_pat_static_cfg, to, &dp_pat_node_schema, 1,
			DP_PAT_MAX_NODES),
	CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct dp_pat_static_cfg, name, 1, 64),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t dp_pat_static_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct dp_pat_static_cfg,
			dp_pat_static_cfg_fields),
};

static const cyaml_schema_field_t dp_pat_cfg_fields[] = {
	CYAML_FIELD_SEQUENCE("statics", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct dp_pat_cfg, statics, &dp_pat_static_schema, 0,
			DP_PAT_MAX_STATICS),
	CYAML_FIELD_STRING_PTR("ports", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct dp_pat_cfg, ports, 1, 16),
	CYAML_FIELD_UINT("udp_timeout_s", CYAML_FLAG_OPTIONAL,
			struct dp_pat_cfg, udp_timeout_s),
	CYAML_FIELD_UINT("tcp_timeout_s", CYAML_FLAG_OPTIONAL,
			struct dp_pat_cfg, tcp_timeout_s),
	CYAML_FIELD_UINT("table_size", CYAML_FLAG_OPTIONAL,
			struct dp_pat_cfg, table_size),
	CYAML_FIELD_END
};

const cyaml_schema_field_t dp_cfg_fields[] = {
	CYAML_FIELD_SEQUENCE("eal_args", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct dp_cfg, eal_args, &dp_arg_schema, 0, 64),
	CYAML_FIELD_STRING_PTR("file_prefix", CYAML_FLAG_POINTER,
			struct dp_cfg, file_prefix, 1, 64),
	CYAML_FIELD_UINT("workers", CYAML_FLAG_OPTIONAL, struct dp_cfg,
			workers),
	CYAML_FIELD_ENUM("poll", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
			struct dp_cfg, poll, dp_poll_strings,
			CYAML_ARRAY_LEN(dp_poll_strings)),
	CYAML_FIELD_UINT("mbufs", CYAML_FLAG_OPTIONAL, struct dp_cfg, mbufs),
	CYAML_FIELD_UINT("mbuf_data_room", CYAML_FLAG_OPTIONAL, struct dp_cfg,
			mbuf_data_room),
	CYAML_FIELD_UINT("sip_port", CYAML_FLAG_OPTIONAL, struct dp_cfg,
			sip_port),
	CYAML_FIELD_MAPPING("ports", CYAML_FLAG_DEFAULT, struct dp_cfg, ports,
			dp_ports_cfg_fields),
	CYAML_FIELD_MAPPING("rate_limit", CYAML_FLAG_OPTIONAL, struct dp_cfg,
			rate_limit, dp_ratelimit_cfg_fields),
	CYAML_FIELD_MAPPING("neighbour", CYAML_FLAG_OPTIONAL, struct dp_cfg,
			neighbour, dp_neigh_cfg_fields),
	CYAML_FIELD_MAPPING("fragments", CYAML_FLAG_OPTIONAL, struct dp_cfg,
			fragments, dp_frag_cfg_fields),
	CYAML_FIELD_MAPPING("exception", CYAML_FLAG_OPTIONAL, struct dp_cfg,
			exception, dp_exception_cfg_fields),
	CYAML_FIELD_MAPPING("pat", CYAML_FLAG_OPTIONAL, struct dp_cfg, pat,
			dp_pat_cfg_fields),
	CYAML_FIELD_SEQUENCE("acl", CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct dp_cfg, acl, &dp_acl_rule_schema, 0,
			DP_ACL_MAX_RULES),
	CYAML_FIELD_END
};

/*
 * Without hugepages a pool of a few thousand mbufs is what initialises;
 * 9216 bytes of data room carries a jumbo frame (the lab's af_packet
 * framesz), 2048 an ordinary one.
 */
const struct cfg_range dp_cfg_ranges[] = {
	CFG_RANGE_DEFAULT("dataplane.workers", 1, DP_CFG_MAX_WORKERS, 1),
	CFG_DEFAULT("dataplane.poll", DP_POLL_ADAPTIVE),
	CFG_RANGE_DEFAULT("dataplane.mbufs", 511, 1 << 20, 4095),
	CFG_RANGE_DEFAULT("dataplane.mbuf_data_room", 2048, 65535, 9216),
	CFG_RANGE_DEFAULT("dataplane.sip_port", 1, 65535, 5060),
	/* The lab's figures (DESIGN.md): 2,000/s with a burst of 4,000. */
	CFG_RANGE_DEFAULT("dataplane.rate_limit.requests_per_second", 0,
			10000000, 2000),
	CFG_RANGE_DEFAULT("dataplane.rate_limit.burst", 1, 10000000, 4000),
	CFG_RANGE_DEFAULT("dataplane.rate_limit.table_size", 1024, 1 << 22,
			65536),
	CFG_RANGE_DEFAULT("dataplane.neighbour.timeout_s", 10, 86400, 300),
	CFG_RANGE_DEFAULT("dataplane.neighbour.table_size", 64, 1 << 16,
			1024),
	/* 576: every IPv4 host must take it (RFC 791); 9000: jumbo frames.
	 * IPv6's 1280 is checked by dp_cfg_check() on ports with IPv6. */
	CFG_RANGE_DEFAULT("dataplane.ports.outside.mtu", DP_MTU_MIN, DP_MTU_MAX,
			DP_MTU_DEFAULT),
	CFG_RANGE_DEFAULT("dataplane.ports.inside.mtu", DP_MTU_MIN, DP_MTU_MAX,
			DP_MTU_DEFAULT),
	/* Fragments of one datagram travel together; one still incomplete
	 * after a second has lost a piece (SIP over UDP retransmits whole
	 * from 500 ms on). 256 mbufs hold ~85 datagrams of three fragments
	 * in flight per port and worker. */
	CFG_RANGE_DEFAULT("dataplane.fragments.flows", 16, 1 << 16, 1024),
	CFG_RANGE_DEFAULT("dataplane.fragments.timeout_ms", 10, 60000, 1000),
	CFG_RANGE_DEFAULT("dataplane.fragments.max_mbufs", 8, 1 << 20, 256),
	/* The exception path is on unless the config turns it off; configs
	 * built in code (tests, benchmarks) leave it off. */
	CFG_DEFAULT("dataplane.exception.enabled", 1),
	CFG_RANGE_DEFAULT("dataplane.exception.sessions", 64, 1 << 20, 4096),
	CFG_RANGE_DEFAULT("dataplane.exception.udp_timeout_s", 1, 86400, 180),
	CFG_RANGE_DEFAULT("dataplane.exception.tcp_timeout_s", 10, 7 * 86400,
			7200),
	CFG_RANGE_DEFAULT("dataplane.exception.tcp_closing_timeout_s", 1, 3600,
			10),
	/* RFC 4787 REQ-5 asks at least 2 minutes of UDP idle; SIP's
	 * registrations refresh within 300 s. RFC 5382: 2 h 4 min for TCP. */
	CFG_RANGE_DEFAULT("dataplane.pat.udp_timeout_s", 1, 86400, 300),
	CFG_RANGE_DEFAULT("dataplane.pat.tcp_timeout_s", 10, 7 * 86400, 7200),
	CFG_RANGE_DEFAULT("dataplane.pat.table_size", 64, 1 << 20, 16384),
	CFG_RANGE_END,
};

int
dp_pat_range_parse(const char *s, uint16_t *lo, uint16_t *hi)
{
	unsigned long a, b;
	char *e;

	if (s == NULL)
		s = DP_PAT_PORTS_DEFAULT;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	a = strtoul(s, &e, 10);
	if (*e != '-' || e[1] < '0' || e[1] > '9')
		return -EINVAL;
	b = strtoul(e + 1, &e, 10);
	if (*e != '\0' || a == 0 || a > b || b > 65535)
		return -EINVAL;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

int
dp_cidr_parse(const char *s, struct dp_cidr *out)
{
	char tmp[INET6_ADDRSTRLEN + 4];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long pfx;
	char *e;

	if (n == 0 || n >= INET6_ADDRSTRLEN)
		return -EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, tmp, out->ip) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, tmp, out->ip) == 1)
		out->family = AF_INET6;
	else
		return -EINVAL;
	unsigned max = out->family == AF_INET ? 32 : 128;

	if (slash == NULL) {
		out->prefix = (uint8_t)max;
		return 0;
	}
	pfx = strtoul(slash + 1, &e, 10);
	if (slash[1] == '\0' || *e != '\0' || pfx > max || pfx == 0)
		return -EINVAL;
	out->prefix = (uint8_t)pfx;
	return 0;
}

int
dp_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0],
			&v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		if (!((s[3 * i] >= '0' && s[3 * i] <= '9') ||
		      ((s[3 * i] | 0x20) >= 'a' && (s[3 * i] | 0x20) <= 'f')))
			return -EINVAL;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

/* "N" or "N-M", decimal, 0..65535, N <= M. */
static int
dp_port_range_parse(const char *s, uint16_t *lo, uint16_t *hi)
{
	unsigned long a, b;
	char *e;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	a = strtoul(s, &e, 10);
	b = a;
	if (*e == '-') {
		if (e[1] < '0' || e[1] > '9')
			return -EINVAL;
		b = strtoul(e + 1, &e, 10);
	}
	if (*e != '\0' || a > 65535 || b > 65535 || a > b)
		return -EINVAL;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

int
dp_acl_rule_parse(const struct dp_acl_rule_cfg *c, unsigned index,
		struct dp_acl_rule *out, const char **key, char *why,
		size_t whylen)
{
	static const uint8_t ipproto[] = {
		[DP_ACL_PROTO_ANY] = 0,
		[DP_ACL_PROTO_UDP] = IPPROTO_UDP,
		[DP_ACL_PROTO_TCP] = IPPROTO_TCP,
		[DP_ACL_PROTO_ICMP] = IPPROTO_ICMP,
		[DP_ACL_PROTO_ICMP6] = IPPROTO_ICMPV6,
	};
	struct {
		const char *key, *val;
		struct dp_cidr *cidr;
	} addrs[] = {
		{ "src", c->src, &out->src },
		{ "dst", c->dst, &out->dst },
	};
	struct {
		const char *key, *val;
		uint16_t *lo, *hi;
	} ports[] = {
		{ "sport", c->sport, &out->sport_lo, &out->sport_hi },
		{ "dport", c->dport, &out->dport_lo, &out->dport_hi },
	};

	memset(out, 0, sizeof(*out));
	if ((unsigned)c->port >= DP_PORT__COUNT ||
	    (unsigned)c->proto > DP_ACL_PROTO_ICMP6 ||
	    (c->action != DP_ACL_DENY && c->action != DP_ACL_PERMIT)) {
		*key = "port";
		snprintf(why, whylen, "bad port, action or proto");
		return -EINVAL;
	}
	out->port = (uint8_t)c->port;
	out->action = (uint8_t)c->action;
	out->any_proto = c->proto == DP_ACL_PROTO_ANY;
	out->proto = ipproto[c->proto];
	out->index = (uint16_t)index;
	if (c->proto == DP_ACL_PROTO_ICMP)
		out->family = AF_INET;
	else if (c->proto == DP_ACL_PROTO_ICMP6)
		out->family = AF_INET6;
	for (unsigned i = 0; i < 2; i++) {
		if (addrs[i].val == NULL)
			continue;
		*key = addrs[i].key;
		if (dp_cidr_parse(addrs[i].val, addrs[i].cidr) < 0) {
			snprintf(why, whylen, "'%s' is not an address/prefix",
					addrs[i].val);
			return -EINVAL;
		}
		if (out->family && addrs[i].cidr->family != out->family) {
			snprintf(why, whylen, "'%s' is not %s like the rest of "
					"the rule", addrs[i].val,
					out->family == AF_INET ? "IPv4" :
								 "IPv6");
			return -EINVAL;
		}
		out->family = addrs[i].cidr->family;
	}
	for (unsigned i = 0; i < 2; i++) {
		*ports[i].lo = 0;
		*ports[i].hi = 65535;
		if (ports[i].val == NULL)
			continue;
		*key = ports[i].key;
		if (dp_port_range_parse(ports[i].val, ports[i].lo,
				ports[i].hi) < 0) {
			snprintf(why, whylen, "'%s' is not a port or a range "
					"N-M (0..65535, N <= M)", ports[i].val);
			return -EINVAL;
		}
		if (c->proto != DP_ACL_PROTO_UDP &&
		    c->proto != DP_ACL_PROTO_TCP) {
			snprintf(why, whylen, "ports need proto udp or tcp");
			return -EINVAL;
		}
	}
	*key = NULL;
	return 0;
}

static int
dp_acl_check(const struct dp_cfg *cfg, const struct cfg_doc *doc,
		struct cfg_err *err)
{
	struct dp_acl_rule r;
	const char *key;
	char why[160], path[64];

	for (unsigned i = 0; i < cfg->acl_count; i++) {
		if (dp_acl_rule_parse(&cfg->acl[i], i, &r, &key, why,
				sizeof(why)) == 0)
			continue;
		snprintf(path, sizeof(path), "dataplane.acl[%u].%s", i, key);
		cfg_errorf(err, doc, path, "%s", why);
		return -EINVAL;
	}
	return 0;
}

const char *
dp_cfg_tap_name(const struct dp_port_cfg *pc, enum dp_port_role role)
{
	if (pc->tap != NULL)
		return pc->tap;
	return role == DP_PORT_OUTSIDE ? "sx-out" : "sx-in";
}

/*
 * An interface name the kernel takes and that the TAP PMD's devargs can
 * carry: no '/', ':' (alias syntax), ',' or '=' (devargs), no spaces,
 * not "." or "..".
 */
static bool
dp_tap_name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > DP_TAP_NAME_MAX || strcmp(n, ".") == 0 ||
	    strcmp(n, "..") == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = n[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
	}
	return true;
}

static int
dp_exception_check(const struct dp_cfg *cfg, const struct cfg_doc *doc,
		struct cfg_err *err)
{
	const char *out = dp_cfg_tap_name(&cfg->ports.outside,
			DP_PORT_OUTSIDE);
	const char *in = dp_cfg_tap_name(&cfg->ports.inside, DP_PORT_INSIDE);
	uint32_t n = cfg->exception.sessions;

	if (!dp_tap_name_ok(out) || !dp_tap_name_ok(in)) {
		bool bad_out = !dp_tap_name_ok(out);

		cfg_errorf(err, doc, bad_out ? "dataplane.ports.outside.tap" :
				"dataplane.ports.inside.tap", "'%s' is not an "
				"interface name (1 to %u of A-Z a-z 0-9 - _ .)",
				bad_out ? out : in, DP_TAP_NAME_MAX);
		return -EINVAL;
	}
	if (strcmp(out, in) == 0) {
		cfg_errorf(err, doc, "dataplane.ports.inside.tap", "'%s' is "
				"the outside port's TAP too", in);
		return -EINVAL;
	}
	if (n & (n - 1)) {
		cfg_errorf(err, doc, "dataplane.exception.sessions",
				"%u is not a power of two", n);
		return -EINVAL;
	}
	return 0;
}

static int
dp_pat_check(const struct dp_cfg *cfg, const struct cfg_doc *doc,
		struct cfg_err *err)
{
	const char *key = "dataplane.pat.ports";
	uint32_t n = cfg->pat.table_size;
	uint16_t lo, hi;

	if (dp_pat_range_parse(cfg->pat.ports, &lo, &hi) < 0) {
		cfg_errorf(err, doc, key, "'%s' is not a port range lo-hi "
				"(1..65535)", cfg->pat.ports);
		return -EINVAL;
	}
	/* A kernel flow and a translation must never claim one port. */
	if (hi >= DP_PAT_EPHEMERAL_LO && lo <= DP_PAT_EPHEMERAL_HI) {
		cfg_errorf(err, doc, key, "%u-%u overlaps the kernel's "
				"ephemeral ports %u-%u", lo, hi,
				DP_PAT_EPHEMERAL_LO, DP_PAT_EPHEMERAL_HI);
		return -EINVAL;
	}
	if (cfg->sip_port >= lo && cfg->sip_port <= hi) {
		cfg_errorf(err, doc, key, "%u-%u holds sip_port %u", lo, hi,
				cfg->sip_port);
		return -EINVAL;
	}
	if ((uint32_t)(hi - lo + 1) < 64u * (cfg->workers ? cfg->workers : 1)) {
		cfg_errorf(err, doc, key, "%u-%u gives fewer than 64 ports "
				"to each of %u workers", lo, hi, cfg->workers);
		return -EINVAL;
	}
	if (n & (n - 1)) {
		cfg_errorf(err, doc, "dataplane.pat.table_size",
				"%u is not a power of two", n);
		return -EINVAL;
	}
	for (unsigned i = 0; i < cfg->pat.statics_count; i++) {
		const struct dp_pat_static_cfg *s = &cfg->pat.statics[i];
		char path[64];
		uint8_t ip[4];
		uint16_t port;

		snprintf(path, sizeof(path), "dataplane.pat.statics[%u].port",
				i);
		if (s->port == 0 || s->port > 65535 ||
		    (s->port >= lo && s->port <= hi) ||
		    s->port == cfg->sip_port) {
			cfg_errorf(err, doc, path, "%u: must be 1..65535, "
					"outside the PAT range %u-%u and not "
					"sip_port", s->port, lo, hi);
			return -EINVAL;
		}
		for (unsigned j = 0; j < i; j++)
			if (cfg->pat.statics[j].port == s->port &&
			    cfg->pat.statics[j].proto == s->proto) {
				cfg_errorf(err, doc, path, "%u: statics[%u] "
						"has it already", s->port, j);
				return -EINVAL;
			}
		for (unsigned j = 0; j < s->to_count; j++)
			if (dp_pat_node_parse(s->to[j], ip, &port) < 0) {
				snprintf(path, sizeof(path),
						"dataplane.pat.statics[%u].to",
						i);
				cfg_errorf(err, doc, path, "'%s' is not an "
						"IPv4 address:port", s->to[j]);
				return -EINVAL;
			}
	}
	return 0;
}

int
dp_pat_node_parse(const char *s, uint8_t ip[4], uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	char tmp[INET_ADDRSTRLEN];
	unsigned long v;
	char *e;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, (size_t)(colon - s));
	tmp[colon - s] = '\0';
	if (inet_pton(AF_INET, tmp, ip) != 1)
		return -EINVAL;
	v = strtoul(colon + 1, &e, 10);
	if (colon[1] == '\0' || *e != '\0' || v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

static int
dp_port_check(const struct dp_port_cfg *p, const char *role,
		const struct cfg_doc *doc, struct cfg_err *err)
{
	char path[64];
	uint8_t mac[6];
	struct dp_cidr c;
	struct {
		const char *key, *val;
		int family;
		bool host;
	} addrs[] = {
		{ "ipv4", p->ipv4, AF_INET, false },
		{ "ipv6", p->ipv6, AF_INET6, false },
		{ "gateway4", p->gateway4, AF_INET, true },
		{ "gateway6", p->gateway6, AF_INET6, true },
	};

	snprintf(path, sizeof(path), "dataplane.ports.%s.mac", role);
	if (dp_mac_parse(p->mac, mac) < 0) {
		cfg_errorf(err, doc, path, "'%s' is not a MAC address", p->mac);
		return -EINVAL;
	}
	if (mac[0] & 1) {
		cfg_errorf(err, doc, path, "'%s' is a multicast MAC", p->mac);
		return -EINVAL;
	}
	for (unsigned i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		if (addrs[i].val == NULL)
			continue;
		snprintf(path, sizeof(path), "dataplane.ports.%s.%s", role,
				addrs[i].key);
		if (dp_cidr_parse(addrs[i].val, &c) < 0 ||
		    c.family != addrs[i].family ||
		    (addrs[i].host && strchr(addrs[i].val, '/'))) {
			cfg_errorf(err, doc, path, "'%s' is not an %s %s",
					addrs[i].val,
					addrs[i].family == AF_INET ? "IPv4" :
								     "IPv6",
					addrs[i].host ? "address" :
							"address/prefix");
			return -EINVAL;
		}
	}
	if (p->ipv4 == NULL && p->ipv6 == NULL) {
		snprintf(path, sizeof(path), "dataplane.ports.%s", role);
		cfg_errorf(err, doc, path, "the port has no address (give "
				"ipv4, ipv6 or both)");
		return -EINVAL;
	}
	return 0;
}

/* Ethernet header and one VLAN tag: what a frame adds to its MTU. */
#define DP_L2_MAX 18

static int
dp_mtu_check(const struct dp_port_cfg *p, const char *role,
		uint32_t data_room, const struct cfg_doc *doc,
		struct cfg_err *err)
{
	char path[64];

	snprintf(path, sizeof(path), "dataplane.ports.%s.mtu", role);
	if (p->ipv6 != NULL && p->mtu < DP_MTU_MIN_IPV6) {
		cfg_errorf(err, doc, path, "%u is under %u, the least IPv6 "
				"allows (RFC 8200), and the port has ipv6",
				p->mtu, DP_MTU_MIN_IPV6);
		return -EINVAL;
	}
	if (p->mtu + DP_L2_MAX > data_room) {
		cfg_errorf(err, doc, path, "frames of %u bytes (mtu + Ethernet "
				"header + VLAN tag) do not fit mbuf_data_room "
				"(%u)", p->mtu + DP_L2_MAX, data_room);
		return -EINVAL;
	}
	return 0;
}

/* Fragments held wait in the pool RX fills: at most half of it. */
static int
dp_frag_check(const struct dp_cfg *cfg, const struct cfg_doc *doc,
		struct cfg_err *err)
{
	uint64_t held = (uint64_t)cfg->workers * DP_PORT__COUNT *
			cfg->fragments.max_mbufs;

	if (held * 2 > (uint64_t)cfg->mbufs + 1) {
		cfg_errorf(err, doc, "dataplane.fragments.max_mbufs",
				"%u workers x %u ports x %u fragments would hold "
				"%llu of the %u mbufs; at most half (lower "
				"max_mbufs or raise mbufs)", cfg->workers,
				(unsigned)DP_PORT__COUNT, cfg->fragments.max_mbufs,
				(unsigned long long)held, cfg->mbufs);
		return -EINVAL;
	}
	return 0;
}

int
dp_cfg_check(const struct dp_cfg *cfg, const struct cfg_doc *doc,
		struct cfg_err *err)
{
	int rc = dp_port_check(&cfg->ports.outside, "outside", doc, err);

	if (rc == 0)
		rc = dp_port_check(&cfg->ports.inside, "inside", doc, err);
	if (rc == 0 && (cfg->neighbour.table_size &
			(cfg->neighbour.table_size - 1))) {
		cfg_errorf(err, doc, "dataplane.neighbour.table_size",
				"must be a power of two, not %u",
				cfg->neighbour.table_size);
		rc = -EINVAL;
	}
	if (rc == 0 && (cfg->rate_limit.table_size &
			(cfg->rate_limit.table_size - 1))) {
		cfg_errorf(err, doc, "dataplane.rate_limit.table_size",
				"%u is not a power of two",
				cfg->rate_limit.table_size);
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = dp_mtu_check(&cfg->ports.outside, "outside",
				cfg->mbuf_data_room, doc, err);
	if (rc == 0)
		rc = dp_mtu_check(&cfg->ports.inside, "inside",
				cfg->mbuf_data_room, doc, err);
	if (rc == 0)
		rc = dp_frag_check(cfg, doc, err);
	if (rc == 0)
		rc = dp_acl_check(cfg, doc, err);
	if (rc == 0)
		rc = dp_exception_check(cfg, doc, err);
	if (rc == 0)
		rc = dp_pat_check(cfg, doc, err);
	return rc;
}
