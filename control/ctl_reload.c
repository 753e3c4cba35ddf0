/* SPDX-License-Identifier: BSD-3-Clause */
/* ctl_reload: the restart-only parts of the config (see ctl_reload.h). */
#include <stdio.h>
#include <string.h>

#include "control/ctl_reload.h"

static bool
ctl_str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
ctl_port_eq(const struct dp_port_cfg *a, const struct dp_port_cfg *b)
{
	return ctl_str_eq(a->device, b->device) && ctl_str_eq(a->mac, b->mac) &&
	       ctl_str_eq(a->ipv4, b->ipv4) && ctl_str_eq(a->ipv6, b->ipv6) &&
	       ctl_str_eq(a->gateway4, b->gateway4) &&
	       ctl_str_eq(a->gateway6, b->gateway6) && a->mtu == b->mtu &&
	       ctl_str_eq(a->tap, b->tap);
}

static bool
ctl_args_eq(const struct dp_cfg *a, const struct dp_cfg *b)
{
	if (a->eal_args_count != b->eal_args_count)
		return false;
	for (unsigned i = 0; i < a->eal_args_count; i++)
		if (!ctl_str_eq(a->eal_args[i], b->eal_args[i]))
			return false;
	return true;
}

static bool
ctl_tcp_eq(const struct ctl_tcp_cfg *a, const struct ctl_tcp_cfg *b)
{
	if (a->port != b->port || a->listen_count != b->listen_count ||
	    a->max_connections != b->max_connections ||
	    a->idle_timeout_s != b->idle_timeout_s ||
	    a->max_output_kb != b->max_output_kb)
		return false;
	for (unsigned i = 0; i < a->listen_count; i++)
		if (!ctl_str_eq(a->listen[i].address, b->listen[i].address) ||
		    a->listen[i].zone != b->listen[i].zone)
			return false;
	return true;
}

unsigned
ctl_reload_restart_keys(const struct edge_cfg *old, const struct edge_cfg *new,
		char *keys, size_t len)
{
	const struct dp_cfg *a = &old->dataplane, *b = &new->dataplane;
	const struct {
		const char *key;
		bool same;
	} parts[] = {
		{ "sip", memcmp(&old->sip, &new->sip, sizeof(old->sip)) == 0 },
		{ "admin.socket", ctl_str_eq(old->admin.socket,
					     new->admin.socket) },
		{ "state_dir", ctl_str_eq(old->state_dir, new->state_dir) },
		{ "tcp", ctl_tcp_eq(&old->tcp, &new->tcp) },
		{ "dataplane.eal_args", ctl_args_eq(a, b) },
		{ "dataplane.file_prefix", ctl_str_eq(a->file_prefix,
						      b->file_prefix) },
		{ "dataplane.workers", a->workers == b->workers },
		{ "dataplane.poll", a->poll == b->poll },
		{ "dataplane.mbufs", a->mbufs == b->mbufs },
		{ "dataplane.mbuf_data_room",
		  a->mbuf_data_room == b->mbuf_data_room },
		{ "dataplane.sip_port", a->sip_port == b->sip_port },
		{ "dataplane.ports.outside", ctl_port_eq(&a->ports.outside,
							 &b->ports.outside) },
		{ "dataplane.ports.inside", ctl_port_eq(&a->ports.inside,
							&b->ports.inside) },
		{ "dataplane.rate_limit.table_size",
		  a->rate_limit.table_size == b->rate_limit.table_size },
		{ "dataplane.neighbour", memcmp(&a->neighbour, &b->neighbour,
						sizeof(a->neighbour)) == 0 },
		{ "dataplane.fragments", memcmp(&a->fragments, &b->fragments,
						sizeof(a->fragments)) == 0 },
		{ "dataplane.exception", memcmp(&a->exception, &b->exception,
						sizeof(a->exception)) == 0 },
	};
	unsigned n = 0;
	size_t off = 0;

	if (len)
		keys[0] = '\0';
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (parts[i].same)
			continue;
		if (off < len) {
			int w = snprintf(keys + off, len - off, "%s%s",
					n ? ", " : "", parts[i].key);

			off += w > 0 ? (size_t)w : 0;
		}
		n++;
	}
	return n;
}
