/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_reload: what a config reload may change while sipedge runs.
 *
 * `sipedgectl reload` (and SIGHUP) re-read the file the daemon started on
 * (or the embedded default), check it like start-up does, and apply the
 * parts that are published as RCU snapshots or kept by the control
 * thread: dataplane.acl, dataplane.pat.statics,
 * dataplane.rate_limit.requests_per_second and
 * .burst, domains (the dataplane's permit and the TCP permit), log,
 * presence and users. Everything else sizes or binds something at
 * start-up; if any of it changed the whole reload is refused, naming the
 * keys, and nothing changes (an operator gets all of a reload or none of
 * it).
 */
#ifndef SIPEDGE_CTL_RELOAD_H
#define SIPEDGE_CTL_RELOAD_H

#include <stddef.h>

#include "control/edge_config.h"

/**
 * Compare the restart-only parts of two configs.
 *
 * @param old   the running config
 * @param new   the candidate
 * @param keys  filled with the changed keys, comma separated
 *              ("dataplane.workers, tcp"); empty when none
 * @param len   size of keys
 * @return how many restart-only keys differ (0: the reload may proceed).
 */
unsigned ctl_reload_restart_keys(const struct edge_cfg *old,
		const struct edge_cfg *new, char *keys, size_t len);

#endif
