/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in daemon for test_admin_ctl.sh: serves the admin socket with
 * known stats until `quit` (or 60 s), so that sipedgectl can be tested
 * end to end before the real daemon serves the socket.
 *
 *	test_admin_daemon SOCKET READY_FILE
 *
 * Creates READY_FILE once the socket accepts connections. Stats: dp_rx 12
 * (worker0 5, worker1 7), dp_drop_acl 3, pres_subscriptions -3 (a gauge).
 * Extra commands: `quit` (exit 0), `fail` (an error).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/admin/admin.h"
#include "control/admin/loop.h"
#include "platform/stats/stats.h"
#include "platform/timer/time.h"
#include "platform/timer/timer.h"

#define DAEMON_STATS(_)                                                        \
	_(DAEMON_STAT_RX, "rx", "packets received")                            \
	_(DAEMON_STAT_DROP_ACL, "drop_acl", "dropped: ACL deny")

enum daemon_stat { STATS_ENUM(DAEMON_STATS) DAEMON_STAT_COUNT };

#define DAEMON_GAUGES(_)                                                       \
	_(DAEMON_GAUGE_SUBS, "subscriptions", "active subscriptions")

/* Give up after this long: a failed test script must not leave us. */
#define DAEMON_LIFETIME_NS (60 * TIME_NS_PER_SEC)

static int
quit_cmd(struct admin_reply *r, unsigned argc, const char *const argv[],
	void *arg)
{
	(void)argc;
	(void)argv;
	loop_stop(arg);
	return admin_reply_printf(r, "bye\n");
}

static int
fail_cmd(struct admin_reply *r, unsigned argc, const char *const argv[],
	void *arg)
{
	(void)argc;
	(void)argv;
	(void)arg;
	return admin_reply_error(r, -EPERM, "fail: as asked");
}

static void
lifetime_cb(struct timer_wheel *w, struct timer *t, void *arg)
{
	(void)w;
	(void)t;
	fprintf(stderr, "test_admin_daemon: lifetime over\n");
	loop_stop(arg);
}

static int
stats_fill(struct stats_reg *reg)
{
	int dp = STATS_BLOCK_REGISTER(
		reg, "dp", DAEMON_STATS, STATS_KIND_COUNTER);
	int pres = STATS_BLOCK_REGISTER(
		reg, "pres", DAEMON_GAUGES, STATS_KIND_GAUGE);

	if (dp < 0 || pres < 0)
		return -1;
	stats_add(stats_shard(reg, 0), (unsigned)dp + DAEMON_STAT_RX, 5);
	stats_add(stats_shard(reg, 1), (unsigned)dp + DAEMON_STAT_RX, 7);
	stats_add(stats_shard(reg, 1), (unsigned)dp + DAEMON_STAT_DROP_ACL, 3);
	stats_add(stats_shard(reg, 0), (unsigned)pres, 2);
	stats_sub(stats_shard(reg, 2), (unsigned)pres, 5);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const shards[] = {"worker0", "worker1", "ctl0"};
	struct stats_reg *reg;
	struct loop *loop;
	struct admin_srv *srv;
	struct timer lifetime;
	FILE *ready;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: test_admin_daemon SOCKET READY_FILE\n");
		return 2;
	}
	reg = stats_reg_create(3, 8);
	loop = loop_create(0, 1);
	if (reg == NULL || loop == NULL || stats_fill(reg) < 0)
		return 1;
	srv = admin_srv_create(loop,
		&(struct admin_params){
			.path = argv[1], .stats = reg, .shard_names = shards});
	if (srv == NULL ||
		admin_cmd_register(srv, "quit", quit_cmd, loop, "exit") < 0 ||
		admin_cmd_register(srv, "fail", fail_cmd, NULL, "an error") < 0)
		return 1;
	rc = admin_srv_listen(srv);
	if (rc < 0) {
		fprintf(stderr, "test_admin_daemon: %s: %s\n", argv[1],
			strerror(-rc));
		return 1;
	}
	ready = fopen(argv[2], "w");
	if (ready == NULL || fclose(ready) != 0)
		return 1;
	timer_init(&lifetime, lifetime_cb, loop);
	timer_add(loop_timers(loop), &lifetime,
		time_now_ns() + DAEMON_LIFETIME_NS);
	rc = loop_run(loop);
	admin_srv_destroy(srv);
	loop_destroy(loop);
	stats_reg_destroy(reg);
	return rc < 0 ? 1 : 0;
}
