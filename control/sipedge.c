/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipedge: the daemon. Loads and checks its config (the embedded default
 * or --config FILE), brings up the dataplane (DPDK workers on the two
 * ports) and runs the control plane on the main thread: SIP that the
 * workers hand over for the appliance itself is answered (OPTIONS 200,
 * other requests 501 until their services exist). SIGTERM or SIGINT stop
 * it cleanly.
 *
 * usage: sipedge [--config FILE] [--check-config] [-- EAL-ARGS...]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control/ctl_sip.h"
#include "control/edge_config.h"
#include "platform/sip/sip.h"
#include "platform/stats/stats.h"
#if SIPEDGE_HAVE_DATAPLANE
#include "dataplane/dp.h"
#endif

/* Counters the registry can hold, and hand-off burst. */
#define SIPEDGE_MAX_STATS 1024
#define SIPEDGE_BURST 32
/* The control loop's nap when the hand-off rings are empty. */
#define SIPEDGE_IDLE_NS 200000

static volatile sig_atomic_t sipedge_stop;

static void
on_signal(int sig)
{
	(void)sig;
	sipedge_stop = 1;
}

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
static const char *const ctl_sip_names[] = { STATS_NAMES(CTL_SIP_CTR_LIST) };
static const char *const ctl_sip_helps[] = { STATS_HELPS(CTL_SIP_CTR_LIST) };

/* Answer what the workers handed over; returns how many. */
static unsigned
sipedge_serve(struct dp *dp, const struct sip_limits *lim,
		struct sip_msg *scratch, uint64_t *ctr, int base)
{
	struct dp_msg msgs[SIPEDGE_BURST];
	static char out[65536];
	unsigned n = dp_handoff_rx(dp, msgs, SIPEDGE_BURST);

	for (unsigned i = 0; i < n; i++) {
		enum ctl_sip_ctr outcome;
		int len = ctl_sip_answer(msgs[i].data, msgs[i].len, lim,
				scratch, out, sizeof(out), &outcome);

		stats_add(ctr, (unsigned)(base + (int)outcome), 1);
		/* RFC 3261 §18.2.2: the response goes to the source address
		 * and port (rport / received are what the sender sees). */
		if (len > 0)
			dp_send_udp(dp, &msgs[i].route, &msgs[i].dst,
					&msgs[i].src, out, (uint32_t)len);
		dp_msg_release(dp, &msgs[i]);
	}
	return n;
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
sipedge_run(const struct edge_cfg *cfg, const char *argv0, char **extra,
		unsigned n_extra)
{
	struct stats_reg *reg;
	struct sip_limits lim;
	struct sip_msg *scratch;
	char err[512];
	struct dp *dp;
	int base;

	sip_cfg_limits(&cfg->sip, &lim);
	reg = stats_reg_create(cfg->dataplane.workers + 1, SIPEDGE_MAX_STATS);
	scratch = malloc(sizeof(*scratch));
	if (reg == NULL || scratch == NULL) {
		fprintf(stderr, "sipedge: out of memory\n");
		return 1;
	}
	base = stats_block_register(reg, "ctl_sip", ctl_sip_names,
			ctl_sip_helps, CTL_SIP_CTR__COUNT, STATS_KIND_COUNTER);
	dp = dp_create(&cfg->dataplane, argv0, extra, n_extra, reg, err,
			sizeof(err));
	if (dp == NULL || base < 0) {
		fprintf(stderr, "sipedge: dataplane: %s\n", err);
		return 1;
	}
	uint64_t *ctr = stats_shard(reg, dp_workers(dp));

	if (dp_start(dp) < 0) {
		fprintf(stderr, "sipedge: cannot start the workers\n");
		dp_destroy(dp);
		return 1;
	}
	fprintf(stderr, "sipedge: running: %u worker(s); SIGTERM stops\n",
			dp_workers(dp));
	while (!sipedge_stop) {
		if (sipedge_serve(dp, &lim, scratch, ctr, base) == 0) {
			struct timespec ts = { 0, SIPEDGE_IDLE_NS };

			nanosleep(&ts, NULL);
		}
	}
	fprintf(stderr, "sipedge: stopping\n");
	dp_stop(dp);
	stats_foreach(reg, sipedge_log_counter, NULL);
	dp_destroy(dp);
	stats_reg_destroy(reg);
	free(scratch);
	return 0;
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
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	int rc = sipedge_run(cfg, argv[0], argv + optind,
			(unsigned)(argc - optind));

	edge_cfg_free(cfg);
	return rc;
#else
	(void)on_signal;
	fprintf(stderr, "sipedge: config %s ok; this build has no dataplane "
			"(DPDK was not found), so there is nothing to run\n",
			path ? path : "<embedded>");
	edge_cfg_free(cfg);
	return 1;
#endif
}
