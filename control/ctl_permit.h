/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_permit: the domain permit (DESIGN.md policy order, step 4) for what
 * reaches the control plane without passing the dataplane's permit: SIP
 * over TCP (and later TLS) arriving from outside. The same rule as
 * dataplane/dp_permit.c, DPDK-free:
 *
 * - the requester's domain, the host of the first P-Asserted-Identity,
 *   else Remote-Party-ID, else From (sip: or sips: URIs only), must be a
 *   permitted federated domain: the domain itself, or a subdomain of it
 *   ("a.b.partner.example") when the entry allows subdomains;
 * - unless the request is in a dialog (its To has a tag: the dialog layer
 *   matches it, 481 when none does), the Request-URI (sip: or sips:)
 *   must name a local domain or one of the appliance's own addresses
 *   (the configured ones, and the address the request was sent to).
 *
 * Domains compare without case and without a trailing dot. The table is
 * built once from the `domains:` section and is immutable: a reload
 * builds a new one. A failed check is answered 403 by the caller.
 *
 * Thread-safety: a built table is read-only; checks may run concurrently.
 */
#ifndef SIPEDGE_CONTROL_CTL_PERMIT_H
#define SIPEDGE_CONTROL_CTL_PERMIT_H

#include "control/policy_config.h"
#include "platform/netaddr.h"
#include "platform/sip/sip_types.h"
#include "platform/stats/stats.h"

struct ctl_permit;

/** Verdicts: _(SYMBOL, number, name). */
#define CTL_PERMIT_LIST(_)                                                 \
	_(PASS, 0, "pass")                                                 \
	_(DENY_IDENTITY, 1, "deny_identity")                               \
	_(DENY_RURI, 2, "deny_ruri")

#define CTL_PERMIT_ENUM_(sym, num, name) CTL_PERMIT_##sym = num,
/** What ctl_permit_check() decided. */
enum ctl_permit_verdict { CTL_PERMIT_LIST(CTL_PERMIT_ENUM_) CTL_PERMIT__COUNT };
#undef CTL_PERMIT_ENUM_

/*
 * Counters, registered under "ctl_permit" by the caller that applies the
 * verdicts (control/ctl_srv.c): _(ID, name, help).
 */
#define CTL_PERMIT_CTR_LIST(_)                                             \
	_(CTL_PERMIT_CTR_PASS, "pass",                                      \
		"requests from outside over TCP that passed the permit")    \
	_(CTL_PERMIT_CTR_403_IDENTITY, "replied_403_identity",              \
		"answered 403: the requester's domain is not permitted")   \
	_(CTL_PERMIT_CTR_403_RURI, "replied_403_ruri",                      \
		"answered 403: Request-URI not a local domain or ours")     \
	_(CTL_PERMIT_CTR_DROP_ACK, "drop_ack",                              \
		"ACKs failing the permit: dropped (nothing answers an ACK)")

/** Counter ids, relative to the "ctl_permit" block. */
enum ctl_permit_ctr { STATS_ENUM(CTL_PERMIT_CTR_LIST) CTL_PERMIT_CTR__COUNT };

/** Name of a verdict ("deny_ruri"); "unknown" when out of range. */
const char *ctl_permit_verdict_str(enum ctl_permit_verdict v);

/**
 * Build a table.
 *
 * @param dom    the `domains:` section (copied: names lower-cased, the
 *               trailing dot dropped); NULL for no domains at all (then
 *               nothing passes: default deny).
 * @param own    the appliance's addresses (ports ignored); copied.
 * @param n_own  entries in own.
 * @return the table, or NULL with errno ENOMEM. Free it with
 *         ctl_permit_destroy().
 */
struct ctl_permit *ctl_permit_create(const struct policy_domains_cfg *dom,
		const struct netaddr *own, unsigned n_own);

/** Free a table. NULL is a no-op. */
void ctl_permit_destroy(struct ctl_permit *p);

/**
 * Judge a request.
 *
 * @param p      the table.
 * @param m      a parsed and validated request; borrowed for the call.
 * @param local  the address the request came to (also the appliance's),
 *               or NULL.
 * @return CTL_PERMIT_PASS, or why it is denied. Pure.
 */
enum ctl_permit_verdict ctl_permit_check(const struct ctl_permit *p,
		const struct sip_msg *m, const struct netaddr *local);

#endif
