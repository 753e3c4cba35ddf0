/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loop: epoll + eventfd + timer wheel + poll functions (see loop.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "control/admin/loop.h"
#include "platform/log/log.h"
#include "platform/timer/time.h"
#include "platform/timer/timer.h"

/*
 * One registration. epoll hands back a pointer to it, not the fd: a fd
 * closed and reused within one batch of events must not reach the new
 * owner's handler with the old one's events. A deleted registration is
 * therefore only marked (cb NULL) while the loop runs and freed at the end
 * of the iteration, once no event of the batch can point at it.
 */
struct loop_fd {
	loop_fd_cb cb;		   /**< NULL once deleted */
	void *arg;		   /**< passed to cb */
	int fd;			   /**< the watched fd */
	struct loop_fd *next_dead; /**< on loop->dead while awaiting free */
};

/* A poll function slot; cb NULL = free. */
struct loop_poll {
	loop_poll_cb cb;
	void *arg;
	uint64_t added_iter; /**< iteration it was added in */
};

struct loop {
	int epfd;		   /**< the epoll instance */
	int evfd;		   /**< eventfd loop_stop() writes */
	struct timer_wheel *wheel; /**< the loop's timers */
	struct loop_fd **fds;	   /**< registrations indexed by fd */
	unsigned n_fds;		   /**< length of fds[] */
	struct loop_fd *dead;	   /**< deleted during this iteration */
	struct loop_poll polls[LOOP_POLL_MAX]; /**< poll functions */
	unsigned n_polls;		       /**< slots in use */
	int idle_cap_ms;	       /**< longest sleep with idle polls */
	int is_running;		       /**< inside loop_run() */
	atomic_int stop;	       /**< loop_stop() requested */
	uint64_t now_ns;	       /**< time after the latest wait */
	struct loop_counters counters; /**< see loop_counters_get() */
};

static void
loop_evfd_cb(struct loop *loop, int fd, uint32_t revents, void *arg)
{
	uint64_t v;

	(void)loop;
	(void)revents;
	(void)arg;
	/* The stop flag is the request; the eventfd only wakes the wait. */
	while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

struct loop *
loop_create(uint64_t tick_ns, unsigned idle_cap_ms)
{
	struct loop *loop = calloc(1, sizeof(*loop));
	int err;

	if (loop == NULL)
		return NULL;
	loop->epfd = -1;
	loop->evfd = -1;
	loop->idle_cap_ms = idle_cap_ms > INT_MAX ? INT_MAX : (int)idle_cap_ms;
	atomic_init(&loop->stop, 0);
	loop->now_ns = time_now_ns();
	loop->wheel = timer_wheel_create(
		loop->now_ns, tick_ns != 0 ? tick_ns : LOOP_TICK_NS_DEFAULT);
	if (loop->wheel == NULL)
		goto fail;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		goto fail;
	loop->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->evfd < 0)
		goto fail;
	err = loop_fd_add(loop, loop->evfd, EPOLLIN, loop_evfd_cb, NULL);
	if (err < 0) {
		errno = -err;
		goto fail;
	}
	return loop;
fail:
	err = errno;
	loop_destroy(loop);
	errno = err;
	return NULL;
}

static void
loop_dead_free(struct loop *loop)
{
	while (loop->dead != NULL) {
		struct loop_fd *rec = loop->dead;

		loop->dead = rec->next_dead;
		free(rec);
	}
}

void
loop_destroy(struct loop *loop)
{
	if (loop == NULL)
		return;
	for (unsigned i = 0; i < loop->n_fds; i++)
		free(loop->fds[i]);
	free(loop->fds);
	loop_dead_free(loop);
	timer_wheel_destroy(loop->wheel);
	if (loop->evfd >= 0)
		close(loop->evfd);
	if (loop->epfd >= 0)
		close(loop->epfd);
	free(loop);
}

static int
loop_events_check(uint32_t events)
{
	return (events & ~(uint32_t)LOOP_FD_EVENTS_ALLOWED) != 0 ? -EINVAL : 0;
}

static struct loop_fd *
loop_fd_get(const struct loop *loop, int fd)
{
	if (fd < 0 || (unsigned)fd >= loop->n_fds)
		return NULL;
	return loop->fds[fd];
}

/* Make fds[] long enough to index fd. */
static int
loop_fds_reserve(struct loop *loop, int fd)
{
	unsigned need = (unsigned)fd + 1, n = loop->n_fds;
	struct loop_fd **fds;

	if (need <= n)
		return 0;
	n = n < 64 ? 64 : n;
	while (n < need)
		n *= 2;
	fds = realloc(loop->fds, n * sizeof(*fds));
	if (fds == NULL)
		return -ENOMEM;
	memset(fds + loop->n_fds, 0, (n - loop->n_fds) * sizeof(*fds));
	loop->fds = fds;
	loop->n_fds = n;
	return 0;
}

int
loop_fd_add(
	struct loop *loop, int fd, uint32_t events, loop_fd_cb cb, void *arg)
{
	struct epoll_event ev = {.events = events};
	struct loop_fd *rec;
	int err;

	if (fd < 0 || cb == NULL || loop_events_check(events) < 0)
		return -EINVAL;
	if (loop_fd_get(loop, fd) != NULL)
		return -EEXIST;
	err = loop_fds_reserve(loop, fd);
	if (err < 0)
		return err;
	rec = calloc(1, sizeof(*rec));
	if (rec == NULL)
		return -ENOMEM;
	rec->cb = cb;
	rec->arg = arg;
	rec->fd = fd;
	ev.data.ptr = rec;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		err = -errno;
		free(rec);
		return err;
	}
	loop->fds[fd] = rec;
	return 0;
}

int
loop_fd_mod(struct loop *loop, int fd, uint32_t events)
{
	struct loop_fd *rec = loop_fd_get(loop, fd);
	struct epoll_event ev = {.events = events};

	if (loop_events_check(events) < 0)
		return -EINVAL;
	if (rec == NULL)
		return -ENOENT;
	ev.data.ptr = rec;
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
		return -errno;
	return 0;
}

int
loop_fd_del(struct loop *loop, int fd)
{
	struct loop_fd *rec = loop_fd_get(loop, fd);

	if (rec == NULL)
		return -ENOENT;
	/*
	 * Failure means the fd is already gone from the epoll set (closed
	 * early, against the contract): the registration goes all the same.
	 */
	(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop->fds[fd] = NULL;
	rec->cb = NULL;
	if (loop->is_running) {
		rec->next_dead = loop->dead;
		loop->dead = rec;
	} else {
		free(rec);
	}
	return 0;
}

int
loop_poll_add(struct loop *loop, loop_poll_cb cb, void *arg)
{
	struct loop_poll *free_slot = NULL;

	if (cb == NULL)
		return -EINVAL;
	for (unsigned i = 0; i < LOOP_POLL_MAX; i++) {
		struct loop_poll *p = &loop->polls[i];

		if (p->cb == cb && p->arg == arg)
			return -EEXIST;
		if (p->cb == NULL && free_slot == NULL)
			free_slot = p;
	}
	if (free_slot == NULL)
		return -ENOSPC;
	free_slot->cb = cb;
	free_slot->arg = arg;
	free_slot->added_iter = loop->counters.iterations;
	loop->n_polls++;
	return 0;
}

int
loop_poll_del(struct loop *loop, loop_poll_cb cb, void *arg)
{
	for (unsigned i = 0; i < LOOP_POLL_MAX; i++) {
		struct loop_poll *p = &loop->polls[i];

		if (p->cb != NULL && p->cb == cb && p->arg == arg) {
			p->cb = NULL;
			p->arg = NULL;
			loop->n_polls--;
			return 0;
		}
	}
	return -ENOENT;
}

struct timer_wheel *
loop_timers(struct loop *loop)
{
	return loop->wheel;
}

uint64_t
loop_now_ns(const struct loop *loop)
{
	return loop->now_ns;
}

/* Call every poll function; whether any left work behind. */
static int
loop_polls_run(struct loop *loop)
{
	uint64_t iter = loop->counters.iterations;
	int has_more = 0;

	if (loop->n_polls == 0)
		return 0;
	for (unsigned i = 0; i < LOOP_POLL_MAX; i++) {
		struct loop_poll *p = &loop->polls[i];

		/* Slots added by a poll function of this pass wait a turn. */
		if (p->cb == NULL || p->added_iter == iter)
			continue;
		if (p->cb(loop, p->arg) != LOOP_POLL_IDLE) {
			loop->counters.polls_more++;
			has_more = 1;
		}
	}
	return has_more;
}

static int
loop_timeout_ms(const struct loop *loop, int has_more)
{
	int ms;

	if (has_more)
		return 0;
	ms = timer_wheel_timeout_ms(loop->wheel, time_now_ns());
	/* A ring has no fd to wake us: look again within the idle cap. */
	if (loop->n_polls > 0 && (ms < 0 || ms > loop->idle_cap_ms))
		ms = loop->idle_cap_ms;
	return ms;
}

static int
loop_is_stopping(struct loop *loop)
{
	/* Pairs with the release store in loop_stop(). */
	return atomic_load_explicit(&loop->stop, memory_order_acquire);
}

int
loop_run(struct loop *loop)
{
	struct epoll_event evs[LOOP_EVENTS_MAX];
	int rc = 0;

	if (loop->is_running)
		return -EBUSY;
	loop->is_running = 1;
	while (!loop_is_stopping(loop)) {
		int has_more, timeout, n;

		loop->counters.iterations++;
		has_more = loop_polls_run(loop);
		if (loop_is_stopping(loop))
			break;
		timeout = loop_timeout_ms(loop, has_more);
		if (timeout == 0)
			loop->counters.waits_nosleep++;
		else
			loop->counters.waits_sleep++;
		n = epoll_wait(loop->epfd, evs, LOOP_EVENTS_MAX, timeout);
		if (n < 0) {
			if (errno != EINTR) {
				rc = -errno;
				LOG(CTL, ERROR, "epoll_wait: %s",
					strerror(errno));
				break;
			}
			n = 0;
		}
		loop->now_ns = time_now_ns();
		for (int i = 0; i < n; i++) {
			struct loop_fd *rec = evs[i].data.ptr;

			if (rec->cb == NULL)
				continue; /* deleted earlier in this batch */
			loop->counters.fd_events++;
			rec->cb(loop, rec->fd, evs[i].events, rec->arg);
		}
		loop->counters.timers_run +=
			timer_wheel_advance(loop->wheel, loop->now_ns);
		loop_dead_free(loop);
	}
	loop_dead_free(loop);
	loop->is_running = 0;
	/*
	 * Consume the request this run obeyed. A loop_stop() racing with
	 * this either lands before the exchange (consumed: it asked for
	 * what just happened) or after it (kept for the next run); a stale
	 * eventfd count only costs one spurious wake-up.
	 */
	atomic_exchange_explicit(&loop->stop, 0, memory_order_acq_rel);
	loop_evfd_cb(loop, loop->evfd, 0, NULL);
	return rc;
}

void
loop_stop(struct loop *loop)
{
	uint64_t one = 1;
	ssize_t r;

	atomic_store_explicit(&loop->stop, 1, memory_order_release);
	/* Cannot fail but for a full counter, which wakes the loop anyway. */
	r = write(loop->evfd, &one, sizeof(one));
	(void)r;
}

void
loop_counters_get(const struct loop *loop, struct loop_counters *out)
{
	*out = loop->counters;
}
