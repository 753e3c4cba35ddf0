/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipedgectl: the command-line tool. Offline subcommands (lint, ...) need
 * no daemon; the others talk to the admin socket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl.h"

struct ctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct ctl_cmd ctl_cmds[] = {
	{ "lint", ctl_lint,
	  "lint [--json] FILE...   judge SIP messages as UDP datagrams" },
	{ "stats", ctl_stats, "stats [PREFIX] [--json] [--per-shard]   counters" },
	{ "reload", ctl_reload, "reload   re-read the daemon's config and apply "
	  "its tables; exit 0 applied, 1 refused (restart-only keys "
	  "changed, or an invalid file: nothing changes)" },
	{ "call", ctl_call, "call COMMAND [ARG...]   raw admin socket request" },
};

static int
ctl_usage(FILE *out, int rc)
{
	fprintf(out, "usage: sipedgectl [--socket PATH] COMMAND [ARGS]\n\n"
		     "commands:\n");
	for (size_t i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++)
		fprintf(out, "  %s\n", ctl_cmds[i].usage);
	return rc;
}

int
main(int argc, char **argv)
{
	int i = 1;

	/* The daemon-facing commands read it from the environment. */
	if (i + 1 < argc && strcmp(argv[i], "--socket") == 0) {
		if (setenv(CTL_SOCKET_ENV, argv[i + 1], 1) < 0) {
			perror("sipedgectl: setenv");
			return 2;
		}
		i += 2;
	}
	if (i >= argc)
		return ctl_usage(stderr, 2);
	if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 ||
	    strcmp(argv[i], "help") == 0)
		return ctl_usage(stdout, 0);
	for (size_t c = 0; c < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); c++)
		if (strcmp(argv[i], ctl_cmds[c].name) == 0)
			return ctl_cmds[c].run(argc - i - 1, argv + i + 1);
	fprintf(stderr, "sipedgectl: unknown command '%s'\n", argv[i]);
	return ctl_usage(stderr, 2);
}
