/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/tcp/ctl_tcp_config.h"

static const cyaml_strval_t ctl_tcp_zone_strings[] = {
	{ "outside", CTL_TCP_ZONE_OUTSIDE },
	{ "inside", CTL_TCP_ZONE_INSIDE },
};

static const cyaml_schema_field_t ctl_tcp_listen_cfg_fields[] = {
	/* "[" + 39 + "]:" + 5 */
	CYAML_FIELD_STRING_PTR("address", CYAML_FLAG_POINTER,
			struct ctl_tcp_listen_cfg, address, 2, 47),
	CYAML_FIELD_ENUM("zone", CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT,
			struct ctl_tcp_listen_cfg, zone, ctl_tcp_zone_strings,
			CYAML_ARRAY_LEN(ctl_tcp_zone_strings)),
	CYAML_FIELD_END
};

static const cyaml_schema_value_t ctl_tcp_listen_cfg_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct ctl_tcp_listen_cfg,
			ctl_tcp_listen_cfg_fields),
};

const cyaml_schema_field_t ctl_tcp_cfg_fields[] = {
	CYAML_FIELD_UINT("port", CYAML_FLAG_OPTIONAL, struct ctl_tcp_cfg,
			port),
	CYAML_FIELD_SEQUENCE("listen",
			CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL,
			struct ctl_tcp_cfg, listen, &ctl_tcp_listen_cfg_schema,
			0, CTL_TCP_CFG_LISTEN_MAX),
	CYAML_FIELD_UINT("max_connections", CYAML_FLAG_OPTIONAL,
			struct ctl_tcp_cfg, max_connections),
	CYAML_FIELD_UINT("idle_timeout_s", CYAML_FLAG_OPTIONAL,
			struct ctl_tcp_cfg, idle_timeout_s),
	CYAML_FIELD_UINT("max_output_kb", CYAML_FLAG_OPTIONAL,
			struct ctl_tcp_cfg, max_output_kb),
	CYAML_FIELD_END
};

/*
 * 15,000 connections: a federation edge's peers are servers that keep a
 * few connections each, plus the enterprise's own nodes; each costs a
 * descriptor and 4 KiB while quiet. Ten minutes of silence: RFC 5626
 * clients ping every 95-120 s, RFC 3261 peers reuse connections for
 * minutes. The output cap is a few hundred answers' worth.
 */
const struct cfg_range ctl_tcp_cfg_ranges[] = {
	CFG_RANGE_DEFAULT("tcp.port", 0, 65535, 5060),
	CFG_RANGE_DEFAULT("tcp.max_connections", 1, 1000000, 15000),
	CFG_RANGE_DEFAULT("tcp.idle_timeout_s", 1, 86400, 600),
	CFG_RANGE_DEFAULT("tcp.max_output_kb", 16, 65536, 256),
	CFG_RANGE_END,
};

/* A port's address (prefix dropped) as a listener; 0 when it has none. */
static int
ctl_tcp_cfg_port_addr(const char *cidr, uint16_t port, uint8_t zone,
		struct ctl_tcp_listener *out)
{
	struct dp_cidr c;

	if (cidr == NULL || port == 0)
		return 0;
	if (dp_cidr_parse(cidr, &c) < 0)
		return -EINVAL;
	out->addr = c.family == AF_INET6 ? netaddr_make6(c.ip, port) :
					   netaddr_make4(c.ip, port);
	out->zone = zone;
	return 1;
}

int
ctl_tcp_cfg_listeners(const struct ctl_tcp_cfg *cfg,
		const struct dp_cfg *dp, struct ctl_tcp_listener *out,
		char *bad, size_t badlen)
{
	unsigned n = 0;
	int rc;

	if (dp != NULL) {
		const struct dp_port_cfg *ports[] = { &dp->ports.outside,
						      &dp->ports.inside };
		const uint8_t zones[] = { CTL_TCP_ZONE_OUTSIDE,
					  CTL_TCP_ZONE_INSIDE };
		const char *const names[] = { "outside", "inside" };

		for (unsigned p = 0; p < 2; p++) {
			const char *addrs[] = { ports[p]->ipv4,
						ports[p]->ipv6 };

			for (unsigned a = 0; a < 2; a++) {
				rc = ctl_tcp_cfg_port_addr(addrs[a],
						(uint16_t)cfg->port, zones[p],
						&out[n]);
				if (rc < 0) {
					if (bad != NULL)
						snprintf(bad, badlen,
							"dataplane.ports.%s."
							"%s", names[p],
							a ? "ipv6" : "ipv4");
					return -EINVAL;
				}
				n += (unsigned)rc;
			}
		}
	}
	for (unsigned i = 0; i < cfg->listen_count &&
			     i < CTL_TCP_CFG_LISTEN_MAX; i++) {
		struct ctl_tcp_listener *l = &out[n];
		bool dup = false;

		if (netaddr_parse(cfg->listen[i].address, &l->addr) < 0) {
			if (bad != NULL)
				snprintf(bad, badlen,
						"tcp.listen[%u].address", i);
			return -EINVAL;
		}
		if (l->addr.port == 0)
			l->addr.port = CTL_TCP_CFG_PORT_DEFAULT;
		l->zone = (uint8_t)cfg->listen[i].zone;
		for (unsigned j = 0; j < n; j++)
			dup |= netaddr_eq(&out[j].addr, &l->addr);
		if (dup) {
			if (bad != NULL)
				snprintf(bad, badlen,
						"tcp.listen[%u].address", i);
			return -EINVAL;
		}
		n++;
	}
	return (int)n;
}

int
ctl_tcp_cfg_check(const struct ctl_tcp_cfg *cfg, const struct dp_cfg *dp,
		const struct cfg_doc *doc, struct cfg_err *err)
{
	struct ctl_tcp_listener l[CTL_TCP_CFG_LISTENERS_MAX];
	char bad[64];

	if (ctl_tcp_cfg_listeners(cfg, dp, l, bad, sizeof(bad)) >= 0)
		return 0;
	/* The dataplane's own check reports its bad addresses first. */
	cfg_errorf(err, doc, bad, "not an address to listen on, or one "
			"listened on already (tcp.port on a port's address "
			"counts)");
	return -EINVAL;
}
