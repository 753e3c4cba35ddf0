/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipedge: the daemon. This build carries the platform layer, the SIP wire
 * format and the configuration; the dataplane and the control-plane
 * services are not built yet, so the daemon checks its configuration and
 * says plainly that there is nothing else to run.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/edge_config.h"

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: sipedge [--config FILE] [--check-config]\n"
		"       sipedge --print-default-config\n\n"
		"  --config FILE          load FILE instead of the embedded "
		"default\n"
		"  --check-config         check the config, print 'ok' or "
		"FILE:LINE:COL: error,\n"
		"                         and exit (0 valid, 1 invalid)\n"
		"  --print-default-config print the embedded default config\n");
}

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
	if (optind < argc) {
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
	fprintf(stderr, "sipedge: config %s ok; this build has no dataplane "
			"or control-plane services yet, so there is nothing to "
			"run (see README.md, Status)\n",
			path ? path : "<embedded>");
	edge_cfg_free(cfg);
	return 1;
}
