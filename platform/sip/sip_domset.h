/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sip_domset: the domain permit's rule (DESIGN.md policy order, step 4),
 * shared by the dataplane's workers (UDP) and the control plane (TCP).
 *
 * A request from a foreign domain passes when the requester's domain
 * (P-Asserted-Identity, else Remote-Party-ID, else From; a sip or sips
 * URI) is a permitted federated domain, with its subdomains where the
 * entry says so, and, unless the request is in a dialog (a To-tag: the
 * dialog layer matches it), the Request-URI's host is a local domain or
 * one of the appliance's own addresses. Domains compare without case and
 * without a trailing dot.
 *
 * A set is immutable once built: readers on any thread need no lock (the
 * dataplane publishes sets with RCU).
 */
#ifndef SIPEDGE_SIP_DOMSET_H
#define SIPEDGE_SIP_DOMSET_H

#include <stdbool.h>

#include "platform/sip/sip.h"

struct sip_domset;

/** Verdicts of sip_domset_judge(). */
enum sip_domset_verdict {
	SIP_DOMSET_PASS = 0,          /**< on to the service */
	SIP_DOMSET_DENY_IDENTITY = 1, /**< the requester's domain may not
				       *   federate */
	SIP_DOMSET_DENY_RURI = 2,     /**< the Request-URI is not ours */
};

/**
 * Build a set (names copied: lower-cased, a trailing dot dropped).
 * @param local        local domains, n_local of them
 * @param permitted    permitted federated domains, n_permitted of them
 * @param subdomains   per permitted domain: its subdomains pass too
 * @return the set, or NULL with errno ENOMEM. Free with
 *         sip_domset_free().
 */
struct sip_domset *sip_domset_create(const char *const *local,
		unsigned n_local, const char *const *permitted,
		const bool *subdomains, unsigned n_permitted);

/** Free a set; NULL is a no-op. */
void sip_domset_free(struct sip_domset *s);

/** Is host (a parsed URI's) a local domain? */
bool sip_domset_is_local(const struct sip_domset *s, struct sstr host);

/** Is host a permitted federated domain (or a permitted subdomain)? */
bool sip_domset_is_permitted(const struct sip_domset *s, struct sstr host);

/**
 * Judge a parsed request (SIP_PARSE_FAST is enough) by the rule above.
 * is_ours says whether a Request-URI naming an IP address names the
 * appliance (called only for IPv4 / IPv6 hosts); arg is passed to it.
 * A NULL set denies every request (default deny).
 */
enum sip_domset_verdict sip_domset_judge(const struct sip_domset *s,
		const struct sip_msg *msg,
		bool (*is_ours)(const struct sip_uri *uri, void *arg),
		void *arg);

#endif
