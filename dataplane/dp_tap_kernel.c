/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel side of the exception path's TAPs: addresses, MTU, link and
 * default routes, set with ioctl(2), /proc/sys and rtnetlink (no shell,
 * no ip(8): the appliance must not depend on what is installed, and the
 * errors must say which interface and which step failed).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "dataplane/dp_priv.h"

/*
 * struct in6_ifreq of <linux/ipv6.h>, which cannot be included next to
 * glibc's <netinet/in.h> (both define struct in6_addr): the layout is
 * the kernel's ABI.
 */
struct dp_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

/* Write "0" or "1" to /proc/sys/net/ipv6/conf/IF/KEY. */
static int
dp_tap_sysctl6(const char *ifname, const char *key, const char *val,
		char *err, size_t errlen)
{
	char path[128];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname,
			key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		rc = -errno;
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		snprintf(err, errlen, "TAP %s: cannot set %s=%s (%s)%s", ifname,
				path, val, strerror(-rc), rc == -ENOENT ?
				": is IPv6 disabled in this kernel?" : "");
	return rc;
}

int
dp_tap_kernel_prepare(const char *ifname, bool has_ip6, char *err,
		size_t errlen)
{
	/*
	 * The dataplane answers every neighbour solicitation on the TAP, a
	 * DAD probe's too, which would make the kernel give its addresses
	 * up; and nothing on a TAP is a router to solicit or learn from.
	 */
	static const char *const keys[][2] = {
		{ "accept_dad", "0" },
		{ "dad_transmits", "0" },
		{ "accept_ra", "0" },
		{ "autoconf", "0" },
		{ "router_solicitations", "0" },
	};
	int rc;

	if (!has_ip6)
		return 0;
	for (unsigned i = 0; i < RTE_DIM(keys); i++)
		if ((rc = dp_tap_sysctl6(ifname, keys[i][0], keys[i][1], err,
				errlen)) < 0)
			return rc;
	return 0;
}

static void
dp_tap_ifr(struct ifreq *ifr, const char *ifname)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
}

/* An ioctl that names what failed. */
static int
dp_tap_ioctl(int fd, unsigned long req, void *arg, const char *ifname,
		const char *what, char *err, size_t errlen)
{
	if (ioctl(fd, req, arg) == 0)
		return 0;
	int rc = -errno;

	snprintf(err, errlen, "TAP %s: %s: %s", ifname, what, strerror(-rc));
	return rc;
}

static int
dp_tap_ipv4(int fd, const char *ifname, const struct dp_port *p, char *err,
		size_t errlen)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	char a[INET_ADDRSTRLEN], what[96];
	int rc;

	inet_ntop(AF_INET, &p->ip4, a, sizeof(a));
	dp_tap_ifr(&ifr, ifname);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = p->ip4;
	snprintf(what, sizeof(what), "cannot add %s (SIOCSIFADDR)", a);
	if ((rc = dp_tap_ioctl(fd, SIOCSIFADDR, &ifr, ifname, what, err,
			errlen)) < 0)
		return rc;
	dp_tap_ifr(&ifr, ifname);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = p->prefix4 ? htonl(~0u << (32 - p->prefix4)) :
					    0;
	snprintf(what, sizeof(what), "cannot set the prefix /%u of %s "
			"(SIOCSIFNETMASK)", p->prefix4, a);
	return dp_tap_ioctl(fd, SIOCSIFNETMASK, &ifr, ifname, what, err,
			errlen);
}

static int
dp_tap_ipv6(const char *ifname, unsigned ifindex, const struct dp_port *p,
		char *err, size_t errlen)
{
	struct dp_in6_ifreq r;
	char a[INET6_ADDRSTRLEN], what[128];
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	inet_ntop(AF_INET6, p->ip6, a, sizeof(a));
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "TAP %s: no IPv6 socket for %s: %s",
				ifname, a, strerror(-rc));
		return rc;
	}
	memset(&r, 0, sizeof(r));
	memcpy(&r.addr, p->ip6, 16);
	r.prefixlen = p->prefix6;
	r.ifindex = (int)ifindex;
	snprintf(what, sizeof(what), "cannot add %s/%u (SIOCSIFADDR)", a,
			p->prefix6);
	rc = dp_tap_ioctl(fd, SIOCSIFADDR, &r, ifname, what, err, errlen);
	close(fd);
	return rc;
}

/* Append attribute type to the netlink message at buf (room enough). */
static void
dp_nl_attr(char *buf, uint16_t type, const void *data, uint16_t len)
{
	struct nlmsghdr *n = (struct nlmsghdr *)buf;
	char *at = buf + NLMSG_ALIGN(n->nlmsg_len);
	struct rtattr a = {
		.rta_type = type,
		.rta_len = (uint16_t)RTA_LENGTH(len),
	};

	memcpy(at, &a, sizeof(a));
	memcpy(at + RTA_LENGTH(0), data, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(a.rta_len);
}

/* A default route via gw on ifindex, metric, over rtnetlink. */
static int
dp_tap_route(const char *ifname, unsigned ifindex, uint8_t family,
		const uint8_t *gw, uint32_t metric, char *err, size_t errlen)
{
	union {
		struct nlmsghdr n;
		char buf[256];
	} req;
	union {
		struct nlmsghdr n;
		char buf[1024];
	} ack;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct rtmsg *r = (struct rtmsg *)NLMSG_DATA(&req.n);
	char a[INET6_ADDRSTRLEN];
	uint32_t oif = ifindex;
	int fd, rc = 0;

	inet_ntop(family, gw, a, sizeof(a));
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.n.nlmsg_type = RTM_NEWROUTE;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			    NLM_F_EXCL;
	req.n.nlmsg_seq = 1;
	r->rtm_family = family;
	r->rtm_table = RT_TABLE_MAIN;
	r->rtm_protocol = RTPROT_STATIC;
	r->rtm_scope = RT_SCOPE_UNIVERSE;
	r->rtm_type = RTN_UNICAST;
	dp_nl_attr(req.buf, RTA_GATEWAY, gw, family == AF_INET ? 4 : 16);
	dp_nl_attr(req.buf, RTA_OIF, &oif, sizeof(oif));
	dp_nl_attr(req.buf, RTA_PRIORITY, &metric, sizeof(metric));
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || sendto(fd, &req, req.n.nlmsg_len, 0,
			(struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
	} else {
		/* The kernel answers an NLM_F_ACK request with one error
		 * message (0: done) before recv returns. */
		ssize_t n = recv(fd, &ack, sizeof(ack), 0);

		if (n < 0)
			rc = -errno;
		else if ((size_t)n < NLMSG_LENGTH(sizeof(struct nlmsgerr)) ||
			 ack.n.nlmsg_type != NLMSG_ERROR)
			rc = -EPROTO;
		else
			rc = ((struct nlmsgerr *)NLMSG_DATA(&ack.n))->error;
	}
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		snprintf(err, errlen, "TAP %s: cannot add the default route "
				"via %s (metric %u): %s%s", ifname, a, metric,
				strerror(-rc), rc == -EEXIST ?
				" (the host has one with that metric)" : "");
	return rc;
}

int
dp_tap_kernel_configure(const char *ifname, const struct dp_port *p,
		uint32_t mtu, uint32_t metric, uint8_t kmac[6], char *err,
		size_t errlen)
{
	unsigned ifindex = if_nametoindex(ifname);
	struct ifreq ifr;
	char what[64];
	int fd, rc;

	if (ifindex == 0) {
		snprintf(err, errlen, "TAP %s: no such interface", ifname);
		return -ENODEV;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "TAP %s: socket: %s", ifname,
				strerror(-rc));
		return rc;
	}
	dp_tap_ifr(&ifr, ifname);
	ifr.ifr_mtu = (int)mtu;
	snprintf(what, sizeof(what), "cannot set MTU %u (SIOCSIFMTU)", mtu);
	rc = dp_tap_ioctl(fd, SIOCSIFMTU, &ifr, ifname, what, err, errlen);
	if (rc == 0) {
		dp_tap_ifr(&ifr, ifname);
		rc = dp_tap_ioctl(fd, SIOCGIFFLAGS, &ifr, ifname,
				"SIOCGIFFLAGS", err, errlen);
	}
	if (rc == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = dp_tap_ioctl(fd, SIOCSIFFLAGS, &ifr, ifname,
				"cannot bring the link up (SIOCSIFFLAGS)", err,
				errlen);
	}
	if (rc == 0 && p->has_ip4)
		rc = dp_tap_ipv4(fd, ifname, p, err, errlen);
	if (rc == 0) {
		dp_tap_ifr(&ifr, ifname);
		rc = dp_tap_ioctl(fd, SIOCGIFHWADDR, &ifr, ifname,
				"cannot read its MAC (SIOCGIFHWADDR)", err,
				errlen);
		memcpy(kmac, ifr.ifr_hwaddr.sa_data, 6);
	}
	close(fd);
	if (rc == 0 && p->has_ip6)
		rc = dp_tap_ipv6(ifname, ifindex, p, err, errlen);
	/* Routes last: their gateways must already be on-link. */
	if (rc == 0 && p->has_ip4 && p->has_gw4)
		rc = dp_tap_route(ifname, ifindex, AF_INET, p->gw4, metric,
				err, errlen);
	if (rc == 0 && p->has_ip6 && p->has_gw6)
		rc = dp_tap_route(ifname, ifindex, AF_INET6, p->gw6, metric,
				err, errlen);
	return rc;
}

int
dp_tap_kernel_ephemeral(uint16_t *lo, uint16_t *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "re");
	unsigned a, b;
	int n;

	if (f == NULL)
		return -errno;
	n = fscanf(f, "%u %u", &a, &b);
	fclose(f);
	if (n != 2 || a > 65535 || b > 65535)
		return -EINVAL;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}
