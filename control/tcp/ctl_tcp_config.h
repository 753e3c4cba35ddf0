/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `tcp:` config section: SIP over TCP (RFC 3261 §18: mandatory for
 * every SIP element) on the control plane's kernel sockets.
 *
 *   tcp:
 *     port: 5060              # listen on this port at every address of
 *                             # dataplane.ports.outside / inside (ipv4 and
 *                             # ipv6, prefix dropped), each listener in
 *                             # the zone of its port; 0: none there
 *     listen:                 # more listeners (loopback health checks,
 *       - { address: "127.0.0.1:5060", zone: inside }  # tests, ...)
 *     max_connections: 15000  # open at once, all listeners together; a
 *                             # connection beyond is accepted and closed
 *                             # at once (ctl_tcp_refused_limit)
 *     idle_timeout_s: 600     # close a connection silent this long (no
 *                             # byte in or out; RFC 5626 pings count)
 *     max_output_kb: 256      # answers queued for a peer that does not
 *                             # read; beyond, the connection is closed
 *
 * A `listen:` entry: `address` is "IPv4[:port]", "IPv6" or
 * "[IPv6]:port" (port 5060 when absent); `zone` is outside (the default:
 * a listener nobody classified is treated as facing foreign domains, so
 * the domain permit applies) or inside (trusted: the enterprise side).
 * The zone decides the policy of every request on a connection: from
 * outside, the requester's domain must be permitted and the Request-URI
 * must name a local domain or the appliance (DESIGN.md policy order, step
 * 4, which the dataplane applies to UDP only); otherwise 403.
 *
 * The section lives at the top level beside `sip:` (the wire format's
 * limits, which TCP obeys too: sip.max_message_size is the largest
 * message a connection may carry, head and body) because platform/sip
 * knows nothing of sockets; TLS on 5061 gets a section of its own.
 *
 * Listeners bind with IP_FREEBIND, so the appliance's addresses need not
 * exist yet (the dataplane's TAPs bring them); a bind that fails for any
 * other reason (the port taken) stops the daemon at start-up.
 */
#ifndef SIPEDGE_CONTROL_TCP_CTL_TCP_CONFIG_H
#define SIPEDGE_CONTROL_TCP_CTL_TCP_CONFIG_H

#include <stdint.h>

#include "control/tcp/ctl_tcp_types.h"
#include "dataplane/dp_config.h"
#include "platform/config/config.h"

/** Most `listen:` entries. */
#define CTL_TCP_CFG_LISTEN_MAX 32u
/** Most listeners: the ports' four addresses and the `listen:` entries. */
#define CTL_TCP_CFG_LISTENERS_MAX (4u + CTL_TCP_CFG_LISTEN_MAX)
/** The port of a `listen:` address that names none. */
#define CTL_TCP_CFG_PORT_DEFAULT 5060u

/** One `listen:` entry. */
struct ctl_tcp_listen_cfg {
	char *address;	      /**< "addr[:port]", "[v6]:port" */
	enum ctl_tcp_zone zone; /**< outside (default) or inside */
};

/** The section. */
struct ctl_tcp_cfg {
	uint32_t port;			   /**< on the ports; 0: none there */
	struct ctl_tcp_listen_cfg *listen; /**< more listeners */
	unsigned listen_count;		   /**< entries in listen */
	uint32_t max_connections;	   /**< open at once */
	uint32_t idle_timeout_s;	   /**< seconds */
	uint32_t max_output_kb;		   /**< KiB queued per connection */
};

/** Fields of the section, for the daemon's top-level mapping. */
extern const cyaml_schema_field_t ctl_tcp_cfg_fields[];
/** Ranges and defaults (paths under "tcp."). */
extern const struct cfg_range ctl_tcp_cfg_ranges[];

/**
 * The listeners a config asks for: tcp.port on each address of the
 * dataplane's ports (outside first, IPv4 before IPv6), then `listen:` in
 * order.
 *
 * @param cfg  the section.
 * @param dp   the dataplane section (its ports' addresses), or NULL.
 * @param out  at least CTL_TCP_CFG_LISTENERS_MAX entries.
 * @param bad  on -EINVAL, the key path of the offending entry
 *             ("tcp.listen[2].address"), in a buffer of badlen bytes; may
 *             be NULL.
 * @return how many were written, or -EINVAL (an address that does not
 *         parse, the same address and port twice).
 */
int ctl_tcp_cfg_listeners(const struct ctl_tcp_cfg *cfg,
		const struct dp_cfg *dp, struct ctl_tcp_listener *out,
		char *bad, size_t badlen);

/**
 * Check what the schema cannot: every `listen:` address parses, no
 * address and port is listened on twice (a `listen:` entry repeating a
 * port's address included).
 * @return 0, or -EINVAL with err at the offending key.
 */
int ctl_tcp_cfg_check(const struct ctl_tcp_cfg *cfg, const struct dp_cfg *dp,
		const struct cfg_doc *doc, struct cfg_err *err);

#endif
