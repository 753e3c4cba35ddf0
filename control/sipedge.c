/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipedge: the daemon. Loads and checks its config (the embedded default
 * or --config FILE), brings up the dataplane (DPDK workers on the two
 * ports) and runs the control plane on the main thread: SIP that the
 * workers hand over for the appliance itself goes through the transaction
 * layer (control/txn: retransmissions absorbed, responses and ACKs
 * matched) to the TU of ctl_sip (OPTIONS 200, other requests 501 until
 * their services exist). SIP over TCP arrives on kernel sockets (the
 * exception path: the dataplane's TAPs hold the appliance's addresses)
 * and takes the same way, with the domain permit applied here to what
 * comes from outside; ctl_srv is that wiring. The admin socket serves
 * `sipedgectl stats`.
 * SIGTERM or SIGINT stop it cleanly.
 *
 * usage: sipedge [--config FILE] [--check-config] [-- EAL-ARGS...]
 */
#include <errno.h>
#include <pthread.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/signalfd.h>
#include <unistd.h>

#include "control/admin/admin.h"
#include "control/admin/loop.h"
#include "control/ctl_reload.h"
#include "control/ctl_srv.h"
#include "control/edge_config.h"
#include "control/tcp/ctl_tcp.h"
#include "platform/stats/stats.h"
#if SIPEDGE_HAVE_DATAPLANE
#include "dataplane/dp.h"
#endif

/* Counters the registry can hold, and hand-off burst. */
#define SIPEDGE_MAX_STATS 1024
#define SIPEDGE_BURST 32
/* Longest shard name: "worker63". */
#define SIPEDGE_SHARD_NAME 16

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: sipedge [--config FILE] [--check-config] "
		"[-- EAL-ARGS...]\n"
		"       sipedge --print-default-config\n\n"
		"  --config FILE          load FILE instead of the embedded "
		"default\n"
		"  --check-config         check the config, print 'ok' or "
		"FILE:LINE:COL: error,\n"
		"                         and exit (0 valid, 1 invalid)\n"
		"  --print-default-config print the embedded default config\n"
		"  -- EAL-ARGS            further DPDK EAL arguments\n");
}

#if SIPEDGE_HAVE_DATAPLANE
/*
 * The UDP transport keeps the dataplane's way back in the transaction's
 * own struct txn_transport (route: the port and next hop; local: our
 * address the request came to), by value: retransmissions on timers find
 * it there and nothing outlives the transaction.
 */
_Static_assert(sizeof(struct dp_route) <=
		sizeof(((struct txn_transport *)0)->route),
		"struct dp_route must fit txn_transport.route");

/* The control thread's state. */
struct sipedge_ctl {
	struct dp *dp;             /**< the dataplane */
	struct ctl_srv *srv;       /**< transactions, TU, TCP (ctl_srv.h) */
	const char *cfg_path;      /**< the config file; NULL: embedded */
	const struct edge_cfg *cfg; /**< the config in force */
	struct edge_cfg *owned;    /**< cfg when a reload loaded it */
	uint64_t reloads;          /**< reloads applied */
};

/* The transaction layer's transport for SIP over UDP: the dataplane. */
static int
sipedge_udp_send(void *ctx, const struct netaddr *to,
		const struct txn_transport *tp, const char *buf, uint32_t len)
{
	struct sipedge_ctl *c = ctx;
	struct dp_route route;

	if (tp->proto != TXN_TP_UDP)
		return -EPROTONOSUPPORT;
	memcpy(&route, tp->route, sizeof(route));
	/* -ENOBUFS (ring full) is a lost datagram to the layer;
	 * -EINVAL ends the transaction. */
	return dp_send_udp(c->dp, &route, &tp->local, to, buf, len);
}

/*
 * Poll function of the loop: take what the workers handed over. Reports
 * more work while a full burst came, so the loop does not sleep under load.
 * The transaction layer's timers run from the loop's wheel.
 */
static enum loop_poll_rc
sipedge_serve(struct loop *loop, void *arg)
{
	struct sipedge_ctl *c = arg;
	struct dp_msg msgs[SIPEDGE_BURST];
	unsigned n = dp_handoff_rx(c->dp, msgs, SIPEDGE_BURST);

	(void)loop;
	for (unsigned i = 0; i < n; i++) {
		struct txn_transport tp = {
			.proto = TXN_TP_UDP,
			.local = msgs[i].dst,
		};

		memcpy(tp.route, &msgs[i].route, sizeof(msgs[i].route));
		ctl_srv_input_udp(c->srv, msgs[i].data, msgs[i].len,
				&msgs[i].src, &tp);
		/* The layer copied what it keeps: the mbuf can go. */
		dp_msg_release(c->dp, &msgs[i]);
	}
	return n == SIPEDGE_BURST ? LOOP_POLL_MORE : LOOP_POLL_IDLE;
}

/*
 * Transactions, TU and TCP on the loop, counting on the control thread's
 * shard (after the workers' ones); UDP goes out through the dataplane.
 */
static struct ctl_srv *
sipedge_srv_create(struct sipedge_ctl *c, const struct edge_cfg *cfg,
		struct loop *loop, struct stats_reg *reg, char *err,
		size_t errlen)
{
	struct ctl_srv_conf conf = {
		.loop = loop,
		.stats = reg,
		.stats_shard = dp_workers(c->dp),
		.udp_send = sipedge_udp_send,
		.udp_ctx = c,
	};
	struct ctl_srv_cfg_store st;

	if (ctl_srv_conf_from_cfg(cfg, &conf, &st) < 0) {
		snprintf(err, errlen, "bad tcp listen address");
		return NULL;
	}
	return ctl_srv_create(&conf, err, errlen);
}

/* Where SIP over TCP is served, for the operator. */
static void
sipedge_log_listeners(const struct ctl_tcp *tcp)
{
	for (unsigned i = 0; i < ctl_tcp_listener_count(tcp); i++) {
		struct ctl_tcp_listener l;
		char addr[64];

		if (ctl_tcp_listener_get(tcp, i, &l) < 0)
			continue;
		netaddr_fmt(&l.addr, addr, sizeof(addr));
		fprintf(stderr, "sipedge: SIP over TCP on %s (%s)\n", addr,
				ctl_tcp_zone_str(l.zone));
	}
}

static int sipedge_domains(struct dp *dp,
		const struct policy_domains_cfg *d);

/*
 * Reload (ctl_reload.h): re-read and check the config, refuse it whole
 * when a restart-only key changed, else publish the new tables (the
 * dataplane's as RCU snapshots: no frame is dropped or stalled) and keep
 * the new config. The ACL goes first: it is the one part that can be
 * refused while building (rte_acl), and nothing has changed yet then.
 * @return 0 applied, -1 refused; msg says what happened.
 */
static int
sipedge_reload(struct sipedge_ctl *c, char *msg, size_t len)
{
	const char *name = c->cfg_path ? c->cfg_path : "<embedded>";
	struct edge_cfg *ncfg;
	struct cfg_err cerr;
	char keys[256], why[512];

	if (edge_cfg_load(c->cfg_path, &ncfg, &cerr) < 0) {
		cfg_err_format(&cerr, why, sizeof(why));
		snprintf(msg, len, "reload refused, nothing changed: %s", why);
		return -1;
	}
	if (ctl_reload_restart_keys(c->cfg, ncfg, keys, sizeof(keys))) {
		snprintf(msg, len, "reload refused, nothing changed: %s: "
				"changing %s needs a restart", name, keys);
		edge_cfg_free(ncfg);
		return -1;
	}
	if (dp_set_acl_cfg(c->dp, &ncfg->dataplane, why, sizeof(why)) < 0) {
		snprintf(msg, len, "reload refused, nothing changed: %s: %s",
				name, why);
		edge_cfg_free(ncfg);
		return -1;
	}
	if (dp_set_pat_statics_cfg(c->dp, &ncfg->dataplane, why,
			sizeof(why)) < 0 ||
	    dp_set_rate_limit(c->dp,
			ncfg->dataplane.rate_limit.requests_per_second,
			ncfg->dataplane.rate_limit.burst) < 0 ||
	    sipedge_domains(c->dp, &ncfg->domains) < 0 ||
	    ctl_srv_set_domains(c->srv, &ncfg->domains) < 0) {
		/* Out of memory half-way: the old config stays the
		 * reference; the tables already published are the new
		 * ones. Say so plainly. */
		snprintf(msg, len, "reload failed half-way (out of memory): "
				"the ACL is new, other tables may be old; "
				"reload again");
		edge_cfg_free(ncfg);
		return -1;
	}
	log_cfg_apply(&ncfg->log);
	edge_cfg_free(c->owned);
	c->owned = ncfg;
	c->cfg = ncfg;
	c->reloads++;
	snprintf(msg, len, "reloaded %s (reload %llu): acl, static PAT, rate "
			"limit, domains, log, presence and users applied", name,
			(unsigned long long)c->reloads);
	return 0;
}

/* `reload`: the admin socket's way to sipedge_reload(). */
static int
sipedge_reload_cmd(struct admin_reply *reply, unsigned argc,
		const char *const argv[], void *arg)
{
	char msg[1024];
	int rc;

	(void)argv;
	if (argc != 1) {
		return admin_reply_error(reply, -EINVAL, "usage: reload");
	}
	rc = sipedge_reload(arg, msg, sizeof(msg));
	fprintf(stderr, "sipedge: %s\n", msg);
	if (rc < 0)
		return admin_reply_error(reply, -EINVAL, "%s", msg);
	return admin_reply_printf(reply, "%s\n", msg);
}

/* SIGTERM / SIGINT stop the loop cleanly; SIGHUP reloads. */
static void
sipedge_on_signal(struct loop *loop, int fd, uint32_t revents, void *arg)
{
	struct signalfd_siginfo si;
	char msg[1024];

	(void)revents;
	if (read(fd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	if (si.ssi_signo == SIGHUP) {
		(void)sipedge_reload(arg, msg, sizeof(msg));
		fprintf(stderr, "sipedge: SIGHUP: %s\n", msg);
		return;
	}
	loop_stop(loop);
}

/* At exit, the counters that moved: what a run did, in its log. */
static int
sipedge_log_counter(const struct stats_info *info, void *arg)
{
	(void)arg;
	if (info->value)
		fprintf(stderr, "sipedge: %s %llu\n", info->name,
				(unsigned long long)info->value);
	return 0;
}

static int
sipedge_signals(struct loop *loop, struct sipedge_ctl *c)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked before the workers start, so that they inherit the mask
	 * and the signals reach the signalfd. */
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	return loop_fd_add(loop, fd, EPOLLIN, sipedge_on_signal, c) < 0 ?
		       -EINVAL : fd;
}

/* The domain permit's tables from the `domains:` section. */
static int
sipedge_domains(struct dp *dp, const struct policy_domains_cfg *d)
{
	struct dp_domain *perm = calloc(d->permitted_count + 1, sizeof(*perm));
	int rc;

	if (perm == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < d->permitted_count; i++) {
		perm[i].name = d->permitted[i].domain;
		perm[i].subdomains = d->permitted[i].subdomains;
	}
	rc = dp_set_domains(dp, (const char *const *)d->local, d->local_count,
			perm, d->permitted_count);
	free(perm);
	return rc;
}

static int
sipedge_run(const struct edge_cfg *cfg, const char *cfg_path,
		const char *argv0, char **extra, unsigned n_extra)
{
	unsigned nw = cfg->dataplane.workers;
	char names[DP_CFG_MAX_WORKERS + 1][SIPEDGE_SHARD_NAME];
	const char *name_ptrs[DP_CFG_MAX_WORKERS + 1];
	struct sipedge_ctl *c = calloc(1, sizeof(*c));
	struct stats_reg *reg = stats_reg_create(nw + 1, SIPEDGE_MAX_STATS);
	struct loop *loop = loop_create(0, LOOP_IDLE_CAP_MS_DEFAULT);
	struct admin_srv *admin = NULL;
	char err[512];
	int rc = 1, sfd = -1;

	if (c == NULL || reg == NULL || loop == NULL) {
		fprintf(stderr, "sipedge: out of memory\n");
		goto out;
	}
	for (unsigned i = 0; i <= nw; i++) {
		snprintf(names[i], sizeof(names[i]), i < nw ? "worker%u" :
				"ctl0", i);
		name_ptrs[i] = names[i];
	}
	admin = admin_srv_create(loop, &(struct admin_params){
			.path = cfg->admin.socket,
			.stats = reg,
			.shard_names = name_ptrs,
		});
	if (admin == NULL || (rc = admin_srv_listen(admin)) < 0) {
		fprintf(stderr, "sipedge: admin socket %s: %s\n",
				cfg->admin.socket, rc == -EADDRINUSE ?
				"another sipedge is running there" :
				strerror(admin ? -rc : errno));
		rc = 1;
		goto out;
	}
	rc = 1;
	c->cfg_path = cfg_path;
	c->cfg = cfg;
	if ((sfd = sipedge_signals(loop, c)) < 0) {
		fprintf(stderr, "sipedge: signalfd: %s\n", strerror(-sfd));
		goto out;
	}
	c->dp = dp_create(&cfg->dataplane, argv0, extra, n_extra, reg, err,
			sizeof(err));
	if (c->dp == NULL) {
		fprintf(stderr, "sipedge: dataplane: %s\n", err);
		goto out;
	}
	c->srv = sipedge_srv_create(c, cfg, loop, reg, err, sizeof(err));
	if (c->srv == NULL) {
		fprintf(stderr, "sipedge: %s\n", err);
		goto out;
	}
	if (sipedge_domains(c->dp, &cfg->domains) < 0) {
		fprintf(stderr, "sipedge: cannot set the domain tables\n");
		goto out;
	}
	if (admin_cmd_register(admin, "reload", sipedge_reload_cmd, c,
			"reload   re-read the config file and apply its "
			"tables (ACL, rate limit, domains, log, users)") < 0 ||
	    loop_poll_add(loop, sipedge_serve, c) < 0 ||
	    dp_start(c->dp) < 0) {
		fprintf(stderr, "sipedge: cannot start the workers\n");
		goto out;
	}
	sipedge_log_listeners(ctl_srv_tcp(c->srv));
	fprintf(stderr, "sipedge: running: %u worker(s), admin socket %s; "
			"SIGTERM stops\n", dp_workers(c->dp),
			cfg->admin.socket);
	loop_run(loop);
	fprintf(stderr, "sipedge: stopping\n");
	dp_stop(c->dp);
	stats_foreach(reg, sipedge_log_counter, NULL);
	rc = 0;
out:
	/* Before the loop: its wheel holds the transactions' timers. */
	if (c)
		ctl_srv_destroy(c->srv);
	if (c && c->dp)
		dp_destroy(c->dp);
	admin_srv_destroy(admin);
	if (sfd >= 0) {
		loop_fd_del(loop, sfd);
		close(sfd);
	}
	loop_destroy(loop);
	stats_reg_destroy(reg);
	if (c)
		edge_cfg_free(c->owned);
	free(c);
	return rc;
}
#endif

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "print-default-config", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL;
	bool check = false;
	struct edge_cfg *cfg;
	struct cfg_err err;
	char msg[1024];
	int c;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			check = true;
			break;
		case 'p':
			fwrite(edge_cfg_default_yaml, 1,
					edge_cfg_default_yaml_len, stdout);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	/* getopt stops at "--": what follows is for the EAL. */
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0) {
		usage(stderr);
		return 2;
	}
	if (edge_cfg_load(path, &cfg, &err) < 0) {
		cfg_err_format(&err, msg, sizeof(msg));
		fprintf(stderr, "sipedge: %s\n", msg);
		return 1;
	}
	log_cfg_apply(&cfg->log);
	if (check) {
		printf("%s: ok\n", path ? path : "<embedded>");
		edge_cfg_free(cfg);
		return 0;
	}
#if SIPEDGE_HAVE_DATAPLANE
	int rc = sipedge_run(cfg, path, argv[0], argv + optind,
			(unsigned)(argc - optind));

	edge_cfg_free(cfg);
	return rc;
#else
	fprintf(stderr, "sipedge: config %s ok; this build has no dataplane "
			"(DPDK was not found), so there is nothing to run\n",
			path ? path : "<embedded>");
	edge_cfg_free(cfg);
	return 1;
#endif
}
