/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin internals shared by admin.c (server, connections, commands) and
 * admin_stats.c (the `stats` command). Not for other modules.
 */
#ifndef SIPEDGE_CONTROL_ADMIN_ADMIN_PRIV_H
#define SIPEDGE_CONTROL_ADMIN_ADMIN_PRIV_H

#include <stddef.h>
#include <sys/types.h>

#include "control/admin/admin.h"
#include "platform/timer/timer.h"

/** Longest shard name, NUL excluded. */
#define ADMIN_SHARD_NAME_MAX 31u

/** A growable byte buffer; p may be NULL while cap is 0. */
struct admin_buf {
	char *p;    /**< bytes, NUL-terminated when cap > 0 */
	size_t len; /**< bytes used, NUL excluded */
	size_t cap; /**< bytes allocated */
};

struct admin_reply {
	struct admin_buf out;	 /**< status line, then the output */
	char err[ADMIN_ERR_MAX]; /**< message of admin_reply_error() */
	int has_err;		 /**< err was set */
};

/** A registered command. */
struct admin_cmd {
	char name[ADMIN_CMD_NAME_MAX + 1]; /**< what the request names */
	admin_cmd_fn fn;		   /**< handler */
	void *arg;			   /**< handler's arg */
	char *help;			   /**< help line, or NULL */
};

/** What `stats` reads: the registry and its shards' names. */
struct admin_stats_view {
	const struct stats_reg *reg; /**< borrowed from the params */
	char **shard_names;	     /**< n_shards names, owned */
	unsigned n_shards;	     /**< stats_shard_count(reg) */
};

struct admin_conn;

struct admin_srv {
	struct loop *loop;		/**< serves the sockets (borrowed) */
	char *path;			/**< socket path (owned) */
	int fd;				/**< listening socket, -1 if none */
	dev_t sock_dev;			/**< the bound file: removed on */
	ino_t sock_ino;			/**< destroy only if still ours */
	struct timer accept_retry;	/**< re-enables accept after EMFILE */
	struct admin_cmd *cmds;		/**< registered commands */
	unsigned n_cmds;		/**< entries of cmds in use */
	unsigned cap_cmds;		/**< entries of cmds allocated */
	struct admin_conn *conns;	/**< open connections (a list) */
	unsigned max_clients;		/**< connections served at once */
	uint64_t idle_timeout_ns;	/**< idle connections closed after */
	struct admin_stats_view stats;	/**< for `stats` */
	struct admin_counters counters; /**< admin_srv_counters_get() */
};

/** Help line of `stats`. */
#define ADMIN_STATS_HELP                                                       \
	"[PREFIX] [--json] [--per-shard]  counters and gauges (summed, or "    \
	"per thread)"

/**
 * The `stats` command (admin_cmd_fn); arg is the server's
 * struct admin_stats_view.
 */
int admin_stats_cmd(struct admin_reply *reply, unsigned argc,
	const char *const argv[], void *arg);

#endif
