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

#endif
