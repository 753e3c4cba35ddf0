/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_tcp internals: connections, listeners, the transport. Not for other
 * modules.
 */
#ifndef SIPEDGE_CONTROL_TCP_CTL_TCP_PRIV_H
#define SIPEDGE_CONTROL_TCP_CTL_TCP_PRIV_H

#include <stdint.h>

#include "control/tcp/ctl_tcp.h"
#include "platform/sip/sip_types.h"
#include "platform/timer/timer.h"

/* Read buffer of a new connection, and the most one keeps when empty. */
#define CTL_TCP_RBUF_MIN 4096u
/* Smallest output queue allocated. */
#define CTL_TCP_OBUF_MIN 4096u
/* Id hash buckets: a power of two between these. */
#define CTL_TCP_HASH_MIN 64u
#define CTL_TCP_HASH_MAX 65536u
/* Descriptors kept free beyond max_connections (listeners, loop, ...). */
#define CTL_TCP_FD_SPARE 64u
/* Discarding reads per wake-up of a lingering connection. */
#define CTL_TCP_LINGER_READS 16u

/* struct ctl_tcp_conn.flags */
#define CTL_TCP_F_EOF (1u << 0)	    /* the peer shut its side */
#define CTL_TCP_F_LINGER (1u << 1)  /* framing error: flush, shut, drain */
#define CTL_TCP_F_WR_SHUT (1u << 2) /* shutdown(SHUT_WR) done */
#define CTL_TCP_F_BUSY (1u << 3)    /* its input is being processed */
#define CTL_TCP_F_DEAD (1u << 4)    /* closed while busy: freed after */

/* One connection. */
struct ctl_tcp_conn {
	struct ctl_tcp_conn *hnext; /* id hash chain */
	struct ctl_tcp_conn *prev;  /* list of all connections */
	struct ctl_tcp_conn *next;
	struct ctl_tcp *tcp;
	struct ctl_tcp_origin o; /* id, zone, both ends */
	struct timer timer;	 /* idle, or the end of lingering */
	uint64_t last_ns;	 /* last bytes in or out */
	struct ctl_tcp_framer fr;
	char *rbuf;	/* bytes received, not yet consumed */
	uint32_t rlen;
	uint32_t rcap;
	char *obuf;	/* output waiting for the socket; NULL: none */
	uint32_t ooff;	/* first byte not yet written */
	uint32_t olen;	/* bytes waiting */
	uint32_t ocap;
	uint32_t events; /* what the loop watches */
	int fd;		 /* -1 once closed */
	uint8_t flags;	 /* CTL_TCP_F_* */
	uint8_t reason;	 /* closed_* counter once decided (lingering) */
};

/* One listening socket. */
struct ctl_tcp_lsn {
	struct ctl_tcp *tcp;
	struct ctl_tcp_listener l; /* the port the kernel chose included */
	int fd;
};

/* The transport. */
struct ctl_tcp {
	struct ctl_tcp_conf conf; /* defaults resolved; listeners not kept */
	struct timer_wheel *wheel;
	uint64_t (*now_ns)(void);
	struct ctl_tcp_lsn *lsn;
	unsigned n_lsn;
	struct ctl_tcp_conn **buckets; /* by id */
	uint32_t mask;
	struct ctl_tcp_conn *conns; /* every open connection */
	unsigned n_conns;
	uint64_t next_id;
	int spare_fd; /* given up to shed a connection at EMFILE */
	uint64_t *shard;
	uint64_t *own;
	unsigned ctr_base;
	unsigned gauge_base;
	struct sip_msg msg; /* framing scratch */
};

#endif
