/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipedgectl subcommands. Each takes the arguments after its name and
 * returns the process exit status.
 */
#ifndef SIPEDGE_CTL_H
#define SIPEDGE_CTL_H

/**
 * `lint [--json] FILE...`: judge each file as one UDP datagram.
 * @return 0 all valid, 1 any invalid, 2 usage or I/O error.
 */
int ctl_lint(int argc, char **argv);

/**
 * Environment variable naming the admin socket of the daemon-facing
 * subcommands: main() sets it from `--socket PATH`, and a user may set it
 * instead; unset, they use ADMIN_SOCKET_PATH_DEFAULT
 * (/run/sipedge/sipedge.sock).
 */
#define CTL_SOCKET_ENV "SIPEDGE_SOCKET"

/**
 * `stats [PREFIX] [--json] [--per-shard]`: the daemon's counters.
 * @return 0 ok, 1 the daemon answered an error (on stderr), 2 usage error
 *         or the daemon cannot be reached.
 */
int ctl_stats(int argc, char **argv);

/**
 * `call COMMAND [ARG...]`: send one raw admin request, print the answer.
 * @return as ctl_stats().
 */
int ctl_call(int argc, char **argv);

/**
 * `sipedgectl reload`: the daemon re-reads its config file and applies
 * its tables (control/ctl_reload.h says which parts).
 * @return 0 applied, 1 refused (the reason printed), 2 no daemon.
 */
int ctl_reload(int argc, char **argv);

#endif
