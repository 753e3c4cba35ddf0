/* SPDX-License-Identifier: BSD-3-Clause */
/* The PAT's SIP ALG, between dp_pat.c and dp_pat_alg.c. */
#ifndef SIPEDGE_DP_PAT_H
#define SIPEDGE_DP_PAT_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/dp_priv.h"

/** Largest SIP message the ALG rewrites into (its scratch size). */
#define DP_PAT_ALG_MAX 65535

/**
 * Rewrite the SIP over UDP payload of the datagram ip (in m, one segment
 * ending with the datagram): outbound, from_ip[:from_port] becomes
 * to_ip:to_port in the top Via, Contact, Record-Route (and from_ip
 * becomes to_ip on SDP c=/o= lines); inbound, the top Via of a response
 * and the Request-URI of a request. IP total length and UDP length
 * follow; checksums are the caller's. Addresses in network byte order.
 * @return 1 rewritten, 0 nothing to rewrite (or a keep-alive), -1 the
 *         message cannot be parsed or rewritten (drop it).
 */
int dp_pat_alg(struct dp_worker *w, char *scratch, uint32_t cap,
		struct rte_mbuf *m, struct rte_ipv4_hdr *ip, bool outbound,
		uint32_t from_ip, uint16_t from_port, uint32_t to_ip,
		uint16_t to_port);

#endif
