/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ctl_tcp: listeners, connections, reads and framing, the output queue and
 * the idle timer (see ctl_tcp.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "control/admin/loop.h"
#include "control/tcp/ctl_tcp_priv.h"
#include "platform/log/log.h"
#include "platform/sip/sip.h"
#include "platform/timer/time.h"

static void ctl_tcp_conn_events(struct ctl_tcp_conn *c);

/* ---- Counters ------------------------------------------------------- */

static inline void
ctl_tcp_inc(struct ctl_tcp *tcp, enum ctl_tcp_ctr id)
{
	stats_inc(tcp->shard, tcp->ctr_base + (unsigned)id);
}

static inline void
ctl_tcp_add(struct ctl_tcp *tcp, enum ctl_tcp_ctr id, uint64_t n)
{
	stats_add(tcp->shard, tcp->ctr_base + (unsigned)id, n);
}

/* Find the blocks (a second transport on the registry) or register. */
static int
ctl_tcp_stats_attach(struct ctl_tcp *tcp)
{
	struct stats_reg *reg = tcp->conf.stats;
	int base;

	if (reg == NULL) {
		tcp->own = calloc(CTL_TCP_CTR__COUNT + CTL_TCP_GAUGE__COUNT,
				sizeof(*tcp->own));
		if (tcp->own == NULL)
			return -ENOMEM;
		tcp->shard = tcp->own;
		tcp->ctr_base = 0;
		tcp->gauge_base = CTL_TCP_CTR__COUNT;
		return 0;
	}
	base = stats_find(reg, "ctl_tcp_accepted");
	if (base < 0)
		base = STATS_BLOCK_REGISTER(reg, "ctl_tcp", CTL_TCP_CTR_LIST,
				STATS_KIND_COUNTER);
	if (base < 0)
		return base;
	tcp->ctr_base = (unsigned)base;
	base = stats_find(reg, "ctl_tcp_open");
	if (base < 0)
		base = STATS_BLOCK_REGISTER(reg, "ctl_tcp", CTL_TCP_GAUGE_LIST,
				STATS_KIND_GAUGE);
	if (base < 0)
		return base;
	tcp->gauge_base = (unsigned)base;
	tcp->shard = stats_shard(reg, tcp->conf.stats_shard);
	return tcp->shard == NULL ? -EINVAL : 0;
}

uint64_t
ctl_tcp_stat_get(const struct ctl_tcp *tcp, enum ctl_tcp_ctr id)
{
	if ((unsigned)id >= CTL_TCP_CTR__COUNT)
		return 0;
	return __atomic_load_n(&tcp->shard[tcp->ctr_base + id],
			__ATOMIC_RELAXED);
}

/* ---- Addresses ------------------------------------------------------ */

static socklen_t
ctl_tcp_sockaddr(const struct netaddr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->ip, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(a->port);
	memcpy(&s4->sin_addr, a->ip, 4);
	return sizeof(*s4);
}

static void
ctl_tcp_netaddr(const struct sockaddr_storage *ss, struct netaddr *a)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 =
			(const struct sockaddr_in6 *)ss;

		*a = netaddr_make6(s6->sin6_addr.s6_addr,
				ntohs(s6->sin6_port));
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;

		*a = netaddr_make4((const uint8_t *)&s4->sin_addr,
				ntohs(s4->sin_port));
	} else {
		memset(a, 0, sizeof(*a));
	}
}

/* ---- The id table --------------------------------------------------- */

static struct ctl_tcp_conn *
ctl_tcp_conn_find(const struct ctl_tcp *tcp, uint64_t id)
{
	/* Ids are consecutive: their low bits spread evenly already. */
	struct ctl_tcp_conn *c = tcp->buckets[id & tcp->mask];

	while (c != NULL && c->o.conn_id != id)
		c = c->hnext;
	return c;
}

static void
ctl_tcp_conn_link(struct ctl_tcp *tcp, struct ctl_tcp_conn *c)
{
	struct ctl_tcp_conn **b = &tcp->buckets[c->o.conn_id & tcp->mask];

	c->hnext = *b;
	*b = c;
	c->prev = NULL;
	c->next = tcp->conns;
	if (tcp->conns != NULL)
		tcp->conns->prev = c;
	tcp->conns = c;
	tcp->n_conns++;
}

static void
ctl_tcp_conn_unlink(struct ctl_tcp *tcp, struct ctl_tcp_conn *c)
{
	struct ctl_tcp_conn **pp = &tcp->buckets[c->o.conn_id & tcp->mask];

	while (*pp != NULL && *pp != c)
		pp = &(*pp)->hnext;
	if (*pp == c)
		*pp = c->hnext;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		tcp->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	tcp->n_conns--;
}

/* ---- Closing -------------------------------------------------------- */

static void
ctl_tcp_conn_free(struct ctl_tcp_conn *c)
{
	free(c->rbuf);
	free(c->obuf);
	free(c);
}

/*
 * The one way a connection ends: counted once by reason, out of the
 * table (its id then finds nothing), its descriptor closed. Its memory
 * waits while its own input is being processed: the message handed to
 * on_msg points into its read buffer.
 */
static void
ctl_tcp_conn_close(struct ctl_tcp_conn *c, enum ctl_tcp_ctr reason)
{
	struct ctl_tcp *tcp = c->tcp;

	if (c->fd < 0)
		return;
	ctl_tcp_inc(tcp, reason);
	stats_sub(tcp->shard, tcp->gauge_base + CTL_TCP_GAUGE_OPEN, 1);
	ctl_tcp_conn_unlink(tcp, c);
	timer_cancel(tcp->wheel, &c->timer);
	(void)loop_fd_del(tcp->conf.loop, c->fd);
	close(c->fd);
	c->fd = -1;
	if (c->flags & CTL_TCP_F_BUSY) {
		c->flags |= CTL_TCP_F_DEAD;
		return;
	}
	ctl_tcp_conn_free(c);
}

int
ctl_tcp_close(struct ctl_tcp *tcp, uint64_t conn_id, enum ctl_tcp_ctr reason)
{
	struct ctl_tcp_conn *c = ctl_tcp_conn_find(tcp, conn_id);

	if (c == NULL)
		return -ENOTCONN;
	ctl_tcp_conn_close(c, reason);
	return 0;
}

/* A socket error: a reset is the peer's doing, the rest ours to count. */
static enum ctl_tcp_ctr
ctl_tcp_err_reason(int err)
{
	return err == ECONNRESET || err == EPIPE ? CTL_TCP_CLOSED_PEER :
						   CTL_TCP_CLOSED_ERROR;
}

/* ---- Writing -------------------------------------------------------- */

static void
ctl_tcp_obuf_release(struct ctl_tcp_conn *c)
{
	free(c->obuf);
	c->obuf = NULL;
	c->ooff = c->olen = c->ocap = 0;
}

/* Append to the output queue; the loop's EPOLLOUT drains it. */
static int
ctl_tcp_conn_queue(struct ctl_tcp_conn *c, const char *buf, size_t len)
{
	struct ctl_tcp *tcp = c->tcp;
	uint64_t need = (uint64_t)c->olen + len;

	/* One message is always taken, however big: the limit is on a
	 * backlog, not on what a single response may be. */
	if (c->olen > 0 && need > tcp->conf.max_output) {
		ctl_tcp_conn_close(c, CTL_TCP_CLOSED_OUTPUT_FULL);
		return -ENOBUFS;
	}
	if (need > UINT32_MAX)
		return -EMSGSIZE;
	if (c->ooff + need > c->ocap) {
		if (c->ooff > 0) {
			memmove(c->obuf, c->obuf + c->ooff, c->olen);
			c->ooff = 0;
		}
		if (need > c->ocap) {
			uint64_t cap = c->ocap ? 2 * (uint64_t)c->ocap :
						 CTL_TCP_OBUF_MIN;
			char *p;

			while (cap < need)
				cap *= 2;
			if (cap > UINT32_MAX)
				cap = need;
			p = realloc(c->obuf, cap);
			if (p == NULL) {
				/* Out of memory: the peer's answers are lost
				 * anyway, the connection with them. */
				ctl_tcp_conn_close(c, CTL_TCP_CLOSED_ERROR);
				return -ENOMEM;
			}
			c->obuf = p;
			c->ocap = (uint32_t)cap;
		}
	}
	memcpy(c->obuf + c->ooff + c->olen, buf, len);
	c->olen += (uint32_t)len;
	ctl_tcp_conn_events(c);
	return 0;
}

/* Write what can be written now, queue the rest (in order). */
static int
ctl_tcp_conn_write(struct ctl_tcp_conn *c, const char *buf, size_t len)
{
	struct ctl_tcp *tcp = c->tcp;
	size_t done = 0;

	if (c->olen == 0) {
		ssize_t n;

		do {
			n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		} while (n < 0 && errno == EINTR);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			int err = errno;

			ctl_tcp_conn_close(c, ctl_tcp_err_reason(err));
			return -err;
		}
		if (n > 0) {
			done = (size_t)n;
			ctl_tcp_add(tcp, CTL_TCP_BYTES_OUT, done);
			c->last_ns = tcp->now_ns();
		}
		if (done == len)
			return 0;
	}
	ctl_tcp_inc(tcp, CTL_TCP_OUT_QUEUED);
	return ctl_tcp_conn_queue(c, buf + done, len - done);
}

/* The socket can take more: drain the queue, then see what is next. */
static void
ctl_tcp_conn_flush(struct ctl_tcp_conn *c)
{
	struct ctl_tcp *tcp = c->tcp;

	while (c->olen > 0) {
		ssize_t n = send(c->fd, c->obuf + c->ooff, c->olen,
				MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			ctl_tcp_conn_close(c, c->flags & CTL_TCP_F_LINGER ?
					(enum ctl_tcp_ctr)c->reason :
					ctl_tcp_err_reason(errno));
			return;
		}
		c->ooff += (uint32_t)n;
		c->olen -= (uint32_t)n;
		ctl_tcp_add(tcp, CTL_TCP_BYTES_OUT, (uint64_t)n);
		c->last_ns = tcp->now_ns();
	}
	if (c->olen == 0) {
		ctl_tcp_obuf_release(c);
		if (c->flags & CTL_TCP_F_LINGER) {
			if (!(c->flags & CTL_TCP_F_WR_SHUT)) {
				(void)shutdown(c->fd, SHUT_WR);
				c->flags |= CTL_TCP_F_WR_SHUT;
			}
		} else if (c->flags & CTL_TCP_F_EOF) {
			/* The peer sent all it will, and has its answers. */
			ctl_tcp_conn_close(c, CTL_TCP_CLOSED_PEER);
			return;
		}
	}
	ctl_tcp_conn_events(c);
}

int
ctl_tcp_send(struct ctl_tcp *tcp, uint64_t conn_id, const char *buf,
		size_t len)
{
	struct ctl_tcp_conn *c = ctl_tcp_conn_find(tcp, conn_id);
	int rc;

	if (c == NULL || (c->flags & CTL_TCP_F_LINGER)) {
		ctl_tcp_inc(tcp, CTL_TCP_DROP_CONN_GONE);
		return -ENOTCONN;
	}
	if (len > UINT32_MAX)
		return -EMSGSIZE;
	rc = ctl_tcp_conn_write(c, buf, len);
	if (rc == 0)
		ctl_tcp_inc(tcp, CTL_TCP_MSG_OUT);
	return rc;
}

/*
 * What the loop watches: output first (while it waits, the peer is not
 * read: backpressure), else input; a lingering connection that has shut
 * its side only reads (and discards) until the peer closes.
 */
static void
ctl_tcp_conn_events(struct ctl_tcp_conn *c)
{
	uint32_t ev = c->olen > 0 ? EPOLLOUT : EPOLLIN;

	if (c->fd < 0 || ev == c->events)
		return;
	if (loop_fd_mod(c->tcp->conf.loop, c->fd, ev) == 0)
		c->events = ev;
}

/* ---- Reading -------------------------------------------------------- */

/* Start the graceful close that follows a framing error. */
static void
ctl_tcp_conn_linger(struct ctl_tcp_conn *c)
{
	struct ctl_tcp *tcp = c->tcp;

	c->flags |= CTL_TCP_F_LINGER;
	c->reason = CTL_TCP_CLOSED_FRAMING;
	timer_add(tcp->wheel, &c->timer,
			time_add_ns(tcp->now_ns(), CTL_TCP_LINGER_NS));
	if (c->olen == 0) {
		(void)shutdown(c->fd, SHUT_WR);
		c->flags |= CTL_TCP_F_WR_SHUT;
	}
	ctl_tcp_conn_events(c);
}

/* The stream cannot be framed: count why, let on_bad answer, close. */
static void
ctl_tcp_conn_bad(struct ctl_tcp_conn *c, int rc)
{
	struct ctl_tcp *tcp = c->tcp;
	struct sip_msg *m = rc == -EBADMSG ? &tcp->msg : NULL;
	enum ctl_tcp_ctr why = CTL_TCP_DROP_MALFORMED;

	if (m == NULL || m->err == SIP_ERR_TOO_BIG)
		why = CTL_TCP_DROP_TOO_BIG;
	else if (m->err == SIP_ERR_NO_CONTENT_LENGTH)
		why = CTL_TCP_DROP_NO_CONTENT_LENGTH;
	ctl_tcp_inc(tcp, why);
	if (tcp->conf.on_bad != NULL)
		tcp->conf.on_bad(tcp->conf.ctx, &c->o, m);
	if (c->fd >= 0)
		ctl_tcp_conn_linger(c);
}

/*
 * Frame and hand over what the buffer holds. The message given to on_msg
 * points into rbuf, which nothing moves or frees until the loop is over
 * (a close meanwhile only marks the connection dead).
 *
 * @return 1 while the connection lives, 0 when it was closed and freed.
 */
static int
ctl_tcp_conn_input(struct ctl_tcp_conn *c)
{
	struct ctl_tcp *tcp = c->tcp;
	uint32_t off = 0;

	c->flags |= CTL_TCP_F_BUSY;
	while (off < c->rlen &&
	       !(c->flags & (CTL_TCP_F_DEAD | CTL_TCP_F_LINGER))) {
		enum ctl_tcp_unit unit;
		int rc = ctl_tcp_frame(&c->fr, c->rbuf + off, c->rbuf + c->rlen,
				&tcp->conf.lim, &tcp->msg, &unit);

		if (rc == 0)
			break;
		if (rc < 0) {
			ctl_tcp_conn_bad(c, rc);
			break;
		}
		off += (uint32_t)rc;
		switch (unit) {
		case CTL_TCP_UNIT_MSG:
			ctl_tcp_inc(tcp, CTL_TCP_MSG_IN);
			tcp->conf.on_msg(tcp->conf.ctx, &c->o, &tcp->msg);
			break;
		case CTL_TCP_UNIT_PING:
			ctl_tcp_inc(tcp, CTL_TCP_PING);
			(void)ctl_tcp_conn_write(c, "\r\n", 2);
			break;
		case CTL_TCP_UNIT_CRLF:
			ctl_tcp_inc(tcp, CTL_TCP_STRAY_CRLF);
			break;
		}
	}
	c->flags &= (uint8_t)~CTL_TCP_F_BUSY;
	if (c->flags & CTL_TCP_F_DEAD) {
		ctl_tcp_conn_free(c);
		return 0;
	}
	if (c->flags & CTL_TCP_F_LINGER) {
		c->rlen = 0;
	} else if (off > 0) {
		memmove(c->rbuf, c->rbuf + off, c->rlen - off);
		c->rlen -= off;
	}
	/* A big message's buffer goes back once it is consumed. */
	if (c->rlen == 0 && c->rcap > CTL_TCP_RBUF_MIN) {
		char *p = realloc(c->rbuf, CTL_TCP_RBUF_MIN);

		if (p != NULL) {
			c->rbuf = p;
			c->rcap = CTL_TCP_RBUF_MIN;
		}
	}
	return 1;
}

/*
 * Room to read into: double up to the size limit, or straight to the
 * length of a message whose head said how long it is.
 * @return 0, -EMSGSIZE at the limit, -ENOMEM.
 */
static int
ctl_tcp_conn_room(struct ctl_tcp_conn *c)
{
	uint32_t max = c->tcp->conf.lim.max_msg_size, cap;
	char *p;

	if (c->rlen < c->rcap && c->fr.need <= c->rcap)
		return 0;
	if (c->rcap >= max)
		return -EMSGSIZE;
	cap = c->rcap * 2 > c->fr.need ? c->rcap * 2 : c->fr.need;
	if (cap > max)
		cap = max;
	p = realloc(c->rbuf, cap);
	if (p == NULL)
		return -ENOMEM;
	c->rbuf = p;
	c->rcap = cap;
	return 0;
}

/*
 * After a framing error: read and drop until the peer closes.
 * @return 1 while the connection lives, 0 when it was closed.
 */
static int
ctl_tcp_conn_drain(struct ctl_tcp_conn *c)
{
	char junk[4096];

	for (unsigned i = 0; i < CTL_TCP_LINGER_READS; i++) {
		ssize_t n = recv(c->fd, junk, sizeof(junk), MSG_DONTWAIT);

		if (n > 0)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
				     errno == EINTR))
			return 1;
		ctl_tcp_conn_close(c, (enum ctl_tcp_ctr)c->reason);
		return 0;
	}
	return 1;
}

/* @return 1 while the connection lives, 0 when it was closed. */
static int
ctl_tcp_conn_read(struct ctl_tcp_conn *c)
{
	struct ctl_tcp *tcp = c->tcp;
	ssize_t n;
	int rc;

	if (c->flags & CTL_TCP_F_LINGER)
		return ctl_tcp_conn_drain(c);
	rc = ctl_tcp_conn_room(c);
	if (rc < 0) {
		/* Cannot happen at the limit (the framer stops first). */
		ctl_tcp_inc(tcp, CTL_TCP_DROP_TOO_BIG);
		ctl_tcp_conn_close(c, rc == -ENOMEM ? CTL_TCP_CLOSED_ERROR :
						      CTL_TCP_CLOSED_FRAMING);
		return 0;
	}
	do {
		n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen,
				MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 1;
		ctl_tcp_conn_close(c, ctl_tcp_err_reason(errno));
		return 0;
	}
	if (n == 0) {
		/* Half a message at EOF is nothing anyone can answer (a
		 * line end waiting to be told from a ping is no message). */
		if (c->rlen > 0 && c->rbuf[0] != '\r' && c->rbuf[0] != '\n')
			ctl_tcp_inc(tcp, CTL_TCP_DROP_TRUNCATED);
		c->flags |= CTL_TCP_F_EOF;
		if (c->olen > 0)
			return 1;
		ctl_tcp_conn_close(c, CTL_TCP_CLOSED_PEER);
		return 0;
	}
	ctl_tcp_add(tcp, CTL_TCP_BYTES_IN, (uint64_t)n);
	c->last_ns = tcp->now_ns();
	c->rlen += (uint32_t)n;
	return ctl_tcp_conn_input(c);
}

static void
ctl_tcp_on_io(struct loop *loop, int fd, uint32_t revents, void *arg)
{
	struct ctl_tcp_conn *c = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)loop;
	if (revents & EPOLLERR) {
		(void)getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		ctl_tcp_conn_close(c, c->flags & CTL_TCP_F_LINGER ?
				(enum ctl_tcp_ctr)c->reason :
				ctl_tcp_err_reason(err));
		return;
	}
	if (revents & EPOLLOUT) {
		ctl_tcp_conn_flush(c);
		return;
	}
	if (revents & EPOLLIN) {
		if (ctl_tcp_conn_read(c))
			ctl_tcp_conn_events(c);
		return;
	}
	if (revents & EPOLLHUP)
		ctl_tcp_conn_close(c, c->flags & CTL_TCP_F_LINGER ?
				(enum ctl_tcp_ctr)c->reason :
				CTL_TCP_CLOSED_PEER);
}

/* ---- Idle timer ----------------------------------------------------- */

static void
ctl_tcp_conn_timer(struct timer_wheel *w, struct timer *t, void *arg)
{
	struct ctl_tcp_conn *c = arg;
	struct ctl_tcp *tcp = c->tcp;
	uint64_t deadline;

	(void)t;
	if (c->flags & CTL_TCP_F_LINGER) {
		ctl_tcp_conn_close(c, (enum ctl_tcp_ctr)c->reason);
		return;
	}
	/* Traffic moved last_ns on without touching the timer. */
	deadline = time_add_ns(c->last_ns, tcp->conf.idle_ns);
	if (tcp->now_ns() >= deadline)
		ctl_tcp_conn_close(c, CTL_TCP_CLOSED_IDLE);
	else
		timer_add(w, &c->timer, deadline);
}

/* ---- Accepting ------------------------------------------------------ */

static int
ctl_tcp_conn_new(struct ctl_tcp *tcp, const struct ctl_tcp_lsn *lsn, int fd,
		const struct sockaddr_storage *peer)
{
	struct ctl_tcp_conn *c = calloc(1, sizeof(*c));
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	int one = 1;

	if (c == NULL || (c->rbuf = malloc(CTL_TCP_RBUF_MIN)) == NULL) {
		free(c);
		return -ENOMEM;
	}
	c->rcap = CTL_TCP_RBUF_MIN;
	c->tcp = tcp;
	c->fd = fd;
	c->events = EPOLLIN;
	c->o.zone = lsn->l.zone;
	ctl_tcp_netaddr(peer, &c->o.peer);
	if (getsockname(fd, (struct sockaddr *)&local, &len) == 0)
		ctl_tcp_netaddr(&local, &c->o.local);
	else
		c->o.local = lsn->l.addr;
	/* Responses are written whole: Nagle would only hold the next. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (loop_fd_add(tcp->conf.loop, fd, EPOLLIN, ctl_tcp_on_io, c) < 0) {
		ctl_tcp_conn_free(c);
		return -ENOMEM;
	}
	c->o.conn_id = tcp->next_id++;
	c->last_ns = tcp->now_ns();
	timer_init(&c->timer, ctl_tcp_conn_timer, c);
	timer_add(tcp->wheel, &c->timer,
			time_add_ns(c->last_ns, tcp->conf.idle_ns));
	ctl_tcp_conn_link(tcp, c);
	ctl_tcp_inc(tcp, CTL_TCP_ACCEPTED);
	stats_inc(tcp->shard, tcp->gauge_base + CTL_TCP_GAUGE_OPEN);
	return 0;
}

/*
 * Out of descriptors: the pending connection would wake the listener for
 * ever (level-triggered). Give up the spare descriptor, take the
 * connection and close it, keep the spare again.
 */
static void
ctl_tcp_shed(struct ctl_tcp *tcp, int lfd)
{
	int fd;

	if (tcp->spare_fd < 0)
		return;
	close(tcp->spare_fd);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	tcp->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void
ctl_tcp_on_accept(struct loop *loop, int fd, uint32_t revents, void *arg)
{
	struct ctl_tcp_lsn *lsn = arg;
	struct ctl_tcp *tcp = lsn->tcp;

	(void)loop;
	(void)revents;
	for (unsigned i = 0; i < CTL_TCP_ACCEPT_BURST; i++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int cfd = accept4(fd, (struct sockaddr *)&peer, &len,
				SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			ctl_tcp_inc(tcp, CTL_TCP_ACCEPT_FAILED);
			if (errno == EMFILE || errno == ENFILE)
				ctl_tcp_shed(tcp, fd);
			return;
		}
		if (tcp->n_conns >= tcp->conf.max_connections) {
			ctl_tcp_inc(tcp, CTL_TCP_REFUSED_LIMIT);
			close(cfd);
			continue;
		}
		if (ctl_tcp_conn_new(tcp, lsn, cfd, &peer) < 0) {
			ctl_tcp_inc(tcp, CTL_TCP_ACCEPT_FAILED);
			close(cfd);
		}
	}
}

/* ---- Listeners ------------------------------------------------------ */

static int
ctl_tcp_lsn_fail(int fd, const char *what, const struct netaddr *a,
		char *err, size_t errlen)
{
	int e = errno;
	char addr[64];

	netaddr_fmt(a, addr, sizeof(addr));
	if (err != NULL)
		snprintf(err, errlen, "%s %s: %s", what, addr, strerror(e));
	if (fd >= 0)
		close(fd);
	return -e;
}

/*
 * A listening socket. FREEBIND: the appliance's addresses live on the
 * TAPs the dataplane creates, maybe after us. V6ONLY: an IPv6 listener
 * never takes IPv4 (the zones would blur).
 */
static int
ctl_tcp_lsn_open(struct ctl_tcp_lsn *lsn, char *err, size_t errlen)
{
	struct netaddr *a = &lsn->l.addr;
	struct sockaddr_storage ss;
	socklen_t len = ctl_tcp_sockaddr(a, &ss);
	int one = 1;
	int fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_TCP);

	if (fd < 0)
		return ctl_tcp_lsn_fail(-1, "socket", a, err, errlen);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return ctl_tcp_lsn_fail(fd, "SO_REUSEADDR", a, err, errlen);
	if (a->family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
				sizeof(one)) < 0)
			return ctl_tcp_lsn_fail(fd, "IPV6_V6ONLY", a, err,
					errlen);
		/* Older kernels know only IP_FREEBIND, which v6 obeys. */
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one,
				sizeof(one)) < 0 &&
		    setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one,
				sizeof(one)) < 0)
			return ctl_tcp_lsn_fail(fd, "IPV6_FREEBIND", a, err,
					errlen);
	} else if (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one,
			   sizeof(one)) < 0) {
		return ctl_tcp_lsn_fail(fd, "IP_FREEBIND", a, err, errlen);
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		return ctl_tcp_lsn_fail(fd, "bind", a, err, errlen);
	if (listen(fd, SOMAXCONN) < 0)
		return ctl_tcp_lsn_fail(fd, "listen", a, err, errlen);
	/* Port 0 asked the kernel for one: remember which. */
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		ctl_tcp_netaddr(&ss, a);
	lsn->fd = fd;
	return 0;
}

unsigned
ctl_tcp_listener_count(const struct ctl_tcp *tcp)
{
	return tcp->n_lsn;
}

int
ctl_tcp_listener_get(const struct ctl_tcp *tcp, unsigned i,
		struct ctl_tcp_listener *l)
{
	if (i >= tcp->n_lsn)
		return -ENOENT;
	*l = tcp->lsn[i].l;
	return 0;
}

unsigned
ctl_tcp_conn_count(const struct ctl_tcp *tcp)
{
	return tcp->n_conns;
}

/* ---- The transport -------------------------------------------------- */

/*
 * Each connection is a descriptor: raise the soft limit towards the hard
 * one when max_connections needs it, and say so when it cannot.
 */
static void
ctl_tcp_fd_budget(uint32_t max_conns)
{
	rlim_t want = (rlim_t)max_conns + CTL_TCP_FD_SPARE;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ?
			      want : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < want)
		LOG(CTL, WARN, "tcp: %u connections need %llu descriptors; "
				"the limit is %llu", max_conns,
				(unsigned long long)want,
				(unsigned long long)rl.rlim_cur);
}

static void
ctl_tcp_conf_resolve(struct ctl_tcp_conf *c)
{
	if (c->max_connections == 0)
		c->max_connections = CTL_TCP_MAX_CONNECTIONS_DEFAULT;
	if (c->idle_ns == 0)
		c->idle_ns = CTL_TCP_IDLE_NS_DEFAULT;
	if (c->max_output == 0)
		c->max_output = CTL_TCP_MAX_OUTPUT_DEFAULT;
	if (c->lim.max_msg_size == 0)
		c->lim.max_msg_size = sip_limits_default.max_msg_size;
	if (c->lim.max_hdrs == 0)
		c->lim.max_hdrs = sip_limits_default.max_hdrs;
	if (c->lim.max_hdr_len == 0)
		c->lim.max_hdr_len = sip_limits_default.max_hdr_len;
	/* Below this no SIP request fits; keeps the doubling sane. */
	if (c->lim.max_msg_size < CTL_TCP_RBUF_MIN)
		c->lim.max_msg_size = CTL_TCP_RBUF_MIN;
	c->listeners = NULL;
	c->n_listeners = 0;
}

static uint32_t
ctl_tcp_hash_size(uint32_t max_conns)
{
	uint32_t n = CTL_TCP_HASH_MIN;

	while (n < max_conns && n < CTL_TCP_HASH_MAX)
		n <<= 1;
	return n;
}

struct ctl_tcp *
ctl_tcp_create(const struct ctl_tcp_conf *conf, char *err, size_t errlen)
{
	struct ctl_tcp *tcp;
	int rc = -EINVAL;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (conf == NULL || conf->loop == NULL || conf->on_msg == NULL ||
	    (conf->n_listeners > 0 && conf->listeners == NULL)) {
		errno = EINVAL;
		return NULL;
	}
	tcp = calloc(1, sizeof(*tcp));
	if (tcp == NULL)
		return NULL;
	tcp->conf = *conf;
	ctl_tcp_conf_resolve(&tcp->conf);
	tcp->wheel = conf->wheel ? conf->wheel : loop_timers(conf->loop);
	tcp->now_ns = conf->now_ns ? conf->now_ns : time_now_ns;
	tcp->next_id = 1;
	tcp->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	tcp->mask = ctl_tcp_hash_size(tcp->conf.max_connections) - 1;
	tcp->buckets = calloc((size_t)tcp->mask + 1, sizeof(*tcp->buckets));
	tcp->lsn = calloc(conf->n_listeners + 1, sizeof(*tcp->lsn));
	if (tcp->buckets == NULL || tcp->lsn == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = ctl_tcp_stats_attach(tcp);
	if (rc < 0)
		goto fail;
	ctl_tcp_fd_budget(tcp->conf.max_connections);
	for (unsigned i = 0; i < conf->n_listeners; i++) {
		struct ctl_tcp_lsn *lsn = &tcp->lsn[i];

		lsn->tcp = tcp;
		lsn->l = conf->listeners[i];
		lsn->fd = -1;
		if (lsn->l.zone >= CTL_TCP_ZONE__COUNT ||
		    (lsn->l.addr.family != AF_INET &&
		     lsn->l.addr.family != AF_INET6)) {
			rc = -EINVAL;
			goto fail;
		}
		rc = ctl_tcp_lsn_open(lsn, err, errlen);
		if (rc < 0)
			goto fail;
		tcp->n_lsn++;
		rc = loop_fd_add(conf->loop, lsn->fd, EPOLLIN,
				ctl_tcp_on_accept, lsn);
		if (rc < 0)
			goto fail;
	}
	return tcp;
fail:
	ctl_tcp_destroy(tcp);
	errno = -rc;
	return NULL;
}

void
ctl_tcp_destroy(struct ctl_tcp *tcp)
{
	if (tcp == NULL)
		return;
	while (tcp->conns != NULL)
		ctl_tcp_conn_close(tcp->conns, CTL_TCP_CLOSED_SHUTDOWN);
	for (unsigned i = 0; i < tcp->n_lsn; i++) {
		(void)loop_fd_del(tcp->conf.loop, tcp->lsn[i].fd);
		close(tcp->lsn[i].fd);
	}
	if (tcp->spare_fd >= 0)
		close(tcp->spare_fd);
	free(tcp->lsn);
	free(tcp->buckets);
	free(tcp->own);
	free(tcp);
}
