/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * netaddr: an IPv4 or IPv6 address with a port, as the dataplane hands it
 * to the control plane and the control plane hands it back (no sockaddr:
 * the dataplane has no sockets). Plain data, compared with memcmp after
 * netaddr_make*(), which zero the unused bytes.
 */
#ifndef SIPEDGE_NETADDR_H
#define SIPEDGE_NETADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

/** An address and port. */
struct netaddr {
	uint8_t family;  /**< AF_INET or AF_INET6 (0: none) */
	uint8_t rsvd;    /**< zero */
	uint16_t port;   /**< host byte order */
	uint8_t ip[16];  /**< IPv4 in ip[0..3], network byte order */
};

/** An IPv4 address (network byte order bytes) and port. */
static inline struct netaddr
netaddr_make4(const uint8_t ip[4], uint16_t port)
{
	struct netaddr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET;
	a.port = port;
	memcpy(a.ip, ip, 4);
	return a;
}

/** An IPv6 address and port. */
static inline struct netaddr
netaddr_make6(const uint8_t ip[16], uint16_t port)
{
	struct netaddr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	a.port = port;
	memcpy(a.ip, ip, 16);
	return a;
}

/** True when both hold the same family, address and port. */
static inline bool
netaddr_eq(const struct netaddr *a, const struct netaddr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/**
 * Write "192.0.2.1:5060" or "[2001:db8::1]:5060" into buf.
 * @return the length written (snprintf semantics).
 */
int netaddr_fmt(const struct netaddr *a, char *buf, size_t cap);

/**
 * Parse "192.0.2.1", "2001:db8::1" (port 0) or "192.0.2.1:5060",
 * "[2001:db8::1]:5060".
 * @return 0, or -EINVAL.
 */
int netaddr_parse(const char *s, struct netaddr *a);

#endif
