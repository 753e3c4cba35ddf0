/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/netaddr.h"

int
netaddr_fmt(const struct netaddr *a, char *buf, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];

	if (a->family != AF_INET && a->family != AF_INET6)
		return snprintf(buf, cap, "-");
	inet_ntop(a->family, a->ip, ip, sizeof(ip));
	if (a->family == AF_INET6)
		return snprintf(buf, cap, "[%s]:%u", ip, a->port);
	return snprintf(buf, cap, "%s:%u", ip, a->port);
}

int
netaddr_parse(const char *s, struct netaddr *a)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	const char *port = NULL;
	uint8_t ip[16];
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, s, n + 1);
	if (tmp[0] == '[') {
		char *rb = strchr(tmp, ']');

		if (rb == NULL || (rb[1] != '\0' && rb[1] != ':'))
			return -EINVAL;
		*rb = '\0';
		if (rb[1] == ':')
			port = rb + 2;
		memmove(tmp, tmp + 1, strlen(tmp + 1) + 1);
	} else if (strchr(tmp, ':') == strrchr(tmp, ':') && strchr(tmp, ':')) {
		char *c = strchr(tmp, ':');

		*c = '\0';
		port = c + 1;
	}
	unsigned long p = 0;

	if (port) {
		char *e;

		if (*port == '\0')
			return -EINVAL;
		p = strtoul(port, &e, 10);
		if (*e != '\0' || p > 65535)
			return -EINVAL;
	}
	if (inet_pton(AF_INET, tmp, ip) == 1)
		*a = netaddr_make4(ip, (uint16_t)p);
	else if (inet_pton(AF_INET6, tmp, ip) == 1)
		*a = netaddr_make6(ip, (uint16_t)p);
	else
		return -EINVAL;
	return 0;
}
