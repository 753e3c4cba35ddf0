/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * loop: the control plane's event loop, one per control thread.
 *
 * Three kinds of work, in this order on every iteration:
 *
 *  1. poll functions (loop_poll_add()): called every iteration, for work
 *     that has no file descriptor (the dataplane hand-off ring). Each says
 *     whether it left work behind; if any did, the loop does not sleep.
 *  2. file descriptors (loop_fd_add()): one epoll_wait(), then each ready
 *     fd's handler. Level-triggered by default: a handler that leaves data
 *     unread is called again on the next iteration, so a handler may do a
 *     bounded amount of work per call (fairness) without losing events.
 *     Add EPOLLET to a registration's events for edge-triggered delivery;
 *     the handler must then drain the fd until EAGAIN.
 *  3. timers: the loop owns a timer wheel (loop_timers()) and advances it
 *     to the current CLOCK_MONOTONIC time after each wait.
 *
 * How long epoll_wait() sleeps: 0 when a poll function reported more work
 * (or a timer is already due); otherwise until the wheel's next deadline,
 * capped by the idle cap when at least one poll function is registered (so
 * that a ring without an fd is still drained promptly when it was empty at
 * the last look); with neither timers nor poll functions, until an fd is
 * ready or loop_stop() is called.
 *
 * Thread-safety: none, except loop_stop(). A loop, its registrations and
 * its timer wheel belong to the thread that runs loop_run(); every other
 * call, including from handlers, must come from that thread (or, before
 * loop_run() starts and after it returns, from whichever single thread
 * owns the loop then).
 *
 * Handlers must not block (no blocking I/O, no sleeping, no waiting on
 * locks held for long): everything else on the thread waits for them.
 */
#ifndef SIPEDGE_CONTROL_ADMIN_LOOP_H
#define SIPEDGE_CONTROL_ADMIN_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>

struct loop;
struct timer_wheel;

/** Default timer wheel tick: 1 ms (SIP timers are in milliseconds). */
#define LOOP_TICK_NS_DEFAULT UINT64_C(1000000)
/** Default idle cap: the longest sleep while poll functions are idle. */
#define LOOP_IDLE_CAP_MS_DEFAULT 1u
/** Poll functions a loop can hold at once. */
#define LOOP_POLL_MAX 8u
/** Events taken from epoll per iteration. */
#define LOOP_EVENTS_MAX 64u
/** Event flags a registration may ask for (others are -EINVAL). */
#define LOOP_FD_EVENTS_ALLOWED                                                 \
	(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLPRI | EPOLLET)

/**
 * Called when a registered fd is ready.
 *
 * @param loop     the loop.
 * @param fd       the registered fd.
 * @param revents  what epoll reported (EPOLLIN, EPOLLOUT, EPOLLERR,
 *                 EPOLLHUP, ...); EPOLLERR and EPOLLHUP come whatever the
 *                 registration asked for.
 * @param arg      the arg given to loop_fd_add().
 * The handler may add, modify and delete any registration, its own
 * included, and close the fd after deleting it; a registration deleted
 * earlier in the same iteration is not called for events already taken
 * from epoll.
 */
typedef void (*loop_fd_cb)(
	struct loop *loop, int fd, uint32_t revents, void *arg);

/** What a poll function says about the work it left behind. */
enum loop_poll_rc {
	LOOP_POLL_IDLE = 0, /**< nothing left: the loop may sleep */
	LOOP_POLL_MORE = 1, /**< more work now: do not sleep before next call */
};

/**
 * A poll function: called once per iteration, before the wait. Must do a
 * bounded amount of work (a burst) and return.
 *
 * @param loop  the loop.
 * @param arg   the arg given to loop_poll_add().
 * @return LOOP_POLL_MORE when work remains (e.g. it drained a full burst),
 *         else LOOP_POLL_IDLE.
 * It may add and delete poll functions (a function added during an
 * iteration is first called on the next one) and register fds and timers.
 */
typedef enum loop_poll_rc (*loop_poll_cb)(struct loop *loop, void *arg);

/**
 * What a loop has done since it was created; for tests and stats.
 * Read with loop_counters_get().
 */
struct loop_counters {
	uint64_t iterations;	/**< passes through the loop */
	uint64_t waits_nosleep; /**< epoll_wait() calls with timeout 0 */
	uint64_t waits_sleep;	/**< epoll_wait() calls allowed to sleep */
	uint64_t fd_events;	/**< handler calls for ready fds */
	uint64_t timers_run;	/**< timer callbacks run */
	uint64_t polls_more;	/**< poll calls that reported more work */
};

/**
 * Create a loop: an epoll instance, an eventfd for loop_stop() and a timer
 * wheel whose epoch is now.
 *
 * @param tick_ns      timer wheel tick; 0 for LOOP_TICK_NS_DEFAULT.
 * @param idle_cap_ms  longest sleep while poll functions are registered
 *                     and idle (0 = never sleep then: busy polling).
 * @return the loop, or NULL with errno set (EMFILE, ENOMEM, ...). The
 *         caller owns it and frees it with loop_destroy().
 */
struct loop *loop_create(uint64_t tick_ns, unsigned idle_cap_ms);

/**
 * Free a loop: its epoll fd, eventfd, registrations and timer wheel.
 * Registered fds are not closed (their owners close them); pending timers
 * are dropped without being called. NULL is a no-op. Must not be called
 * from inside loop_run() or while another thread may call loop_stop().
 */
void loop_destroy(struct loop *loop);

/**
 * Watch a file descriptor.
 *
 * @param loop    the loop.
 * @param fd      the fd (the caller keeps owning it; delete the
 *                registration before closing it).
 * @param events  epoll flags within LOOP_FD_EVENTS_ALLOWED; EPOLLET for
 *                edge-triggered, level-triggered otherwise. 0 is allowed
 *                (only EPOLLERR and EPOLLHUP are then reported).
 * @param cb      handler, not NULL.
 * @param arg     passed to cb (borrowed).
 * @return 0, -EINVAL (bad fd, events or cb), -EEXIST (fd already
 *         registered), -ENOMEM, or epoll_ctl()'s -errno (e.g. -EPERM for
 *         a regular file). Loop thread only.
 */
int loop_fd_add(
	struct loop *loop, int fd, uint32_t events, loop_fd_cb cb, void *arg);

/**
 * Change what a registered fd is watched for (e.g. EPOLLIN to EPOLLOUT).
 *
 * @return 0, -EINVAL (bad events), -ENOENT (fd not registered) or
 *         epoll_ctl()'s -errno. Loop thread only.
 */
int loop_fd_mod(struct loop *loop, int fd, uint32_t events);

/**
 * Stop watching a fd. Its handler is not called again, even for events
 * already taken from epoll in the current iteration. Call before closing
 * the fd.
 *
 * @return 0, or -ENOENT when fd is not registered. Loop thread only.
 */
int loop_fd_del(struct loop *loop, int fd);

/**
 * Add a poll function (see loop_poll_cb).
 *
 * @return 0, -EINVAL (cb NULL), -EEXIST (same cb and arg already added)
 *         or -ENOSPC (LOOP_POLL_MAX reached). Loop thread only.
 */
int loop_poll_add(struct loop *loop, loop_poll_cb cb, void *arg);

/**
 * Remove a poll function added with the same cb and arg. It is not called
 * again, in this iteration either.
 *
 * @return 0, or -ENOENT. Loop thread only.
 */
int loop_poll_del(struct loop *loop, loop_poll_cb cb, void *arg);

/**
 * The loop's timer wheel: add timers to it from the loop thread; loop_run()
 * fires them.
 *
 * @return the wheel, owned by the loop (valid until loop_destroy()).
 */
struct timer_wheel *loop_timers(struct loop *loop);

/**
 * The CLOCK_MONOTONIC time the loop last read: after the latest wait (the
 * time handlers and timers of this iteration see), or creation time.
 * Handlers needing precision read time_now_ns() themselves.
 */
uint64_t loop_now_ns(const struct loop *loop);

/**
 * Run until loop_stop(): poll functions, wait, fd handlers, timers.
 *
 * @return 0 after loop_stop(); -EBUSY when called from inside loop_run();
 *         or epoll_wait()'s -errno (EINTR is retried, not returned).
 *         Loop thread only: the thread that calls it is the loop thread
 *         until it returns.
 */
int loop_run(struct loop *loop);

/**
 * Make loop_run() return. From a handler, a poll function or a timer: the
 * current iteration finishes (handlers already due in it still run), then
 * loop_run() returns. From another thread: wakes the loop through its
 * eventfd, and loop_run() returns within one iteration. A stop requested
 * while loop_run() is not running is kept: the next loop_run() returns at
 * once. Requests made before loop_run() returns count as one.
 *
 * Thread-safe and async-signal-safe (an atomic store and a write()).
 * Cannot fail.
 */
void loop_stop(struct loop *loop);

/**
 * Copy the loop's counters.
 *
 * @param out  written whole. Loop thread only (or after loop_run() has
 *             returned and the caller synchronised with that thread).
 */
void loop_counters_get(const struct loop *loop, struct loop_counters *out);

#endif
