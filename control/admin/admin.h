/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin: the daemon's admin socket, which sipedgectl talks to.
 *
 * A UNIX stream socket at a filesystem path (so that it works from any
 * network namespace), mode 0660, served from a control-plane event loop
 * (loop.h). One request per connection:
 *
 *	client:  COMMAND [ARG...]\n          (one line, at most ADMIN_REQ_MAX
 *	                                      bytes with its newline; args are
 *	                                      split on spaces and tabs; a
 *	                                      trailing \r is dropped)
 *	server:  ok\n                         then the command's output, or
 *	         error: MESSAGE\n             (one line; no output follows)
 *	server closes the connection: the client reads to EOF.
 *
 * A request may also end with the client's half-close (EOF) instead of a
 * newline. Bytes after the newline are not read; the kernel then reports
 * ECONNRESET to the client after the response instead of EOF, which
 * clients treat as the end of the response. Limits: at most max_clients
 * connections at once (more get "error: too many admin clients" and are
 * closed at once), and a connection that makes no progress for
 * idle_timeout_ms is closed without a response.
 *
 * Built-in commands: `help` (the commands and their help lines) and, when
 * a stats registry is given, `stats [PREFIX] [--json] [--per-shard]`:
 *
 *	stats                 one line per stat, "name value", in
 *	                      registration order; gauges signed
 *	stats PREFIX          only the stats whose name starts with PREFIX
 *	stats --json          {"name":value,...} on one line
 *	stats --per-shard     a table: name, one column per shard (named at
 *	                      creation, e.g. worker0 worker1 ctl0), total
 *	stats --per-shard --json
 *	                      {"name":{"worker0":v,...},...}
 *
 * Thread-safety: none. A server belongs to the thread running its loop;
 * create, register, listen and destroy from that thread (before loop_run()
 * or from the loop's own handlers and timers). Commands run on that thread
 * and must not block.
 */
#ifndef SIPEDGE_CONTROL_ADMIN_ADMIN_H
#define SIPEDGE_CONTROL_ADMIN_ADMIN_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct stats_reg;

/** Where the daemon listens and sipedgectl connects by default. */
#define ADMIN_SOCKET_PATH_DEFAULT "/run/sipedge/sipedge.sock"
/** Longest request line, newline included. */
#define ADMIN_REQ_MAX 4096u
/** Most words in a request (the command name included). */
#define ADMIN_ARGS_MAX 64u
/** Longest command name. */
#define ADMIN_CMD_NAME_MAX 32u
/** Longest response, status line included. */
#define ADMIN_RSP_MAX (64u << 20)
/** Longest error message (longer ones are cut). */
#define ADMIN_ERR_MAX 256u
/** Default of admin_params.max_clients. */
#define ADMIN_CLIENTS_MAX_DEFAULT 16u
/** Default of admin_params.idle_timeout_ms. */
#define ADMIN_IDLE_TIMEOUT_MS_DEFAULT 5000u

struct admin_srv;
/** A command's response being built; opaque, lent to the handler. */
struct admin_reply;

/**
 * A command handler.
 *
 * @param reply  where to write the output (admin_reply_printf(),
 *               admin_reply_write()) or the error (admin_reply_error());
 *               lent for the call.
 * @param argc   number of words, >= 1.
 * @param argv   the words: argv[0] is the command name, argv[argc] is
 *               NULL; lent for the call.
 * @param arg    the arg given to admin_cmd_register().
 * @return 0 (response "ok" and the output), or a negative errno (response
 *         "error: " and the message given to admin_reply_error(), else
 *         strerror(); the output is dropped).
 * Runs on the loop thread; must not block.
 */
typedef int (*admin_cmd_fn)(struct admin_reply *reply, unsigned argc,
	const char *const argv[], void *arg);

/** How to build a server; see admin_srv_create(). */
struct admin_params {
	/** socket path; NULL for ADMIN_SOCKET_PATH_DEFAULT. Copied. */
	const char *path;
	/** registry `stats` reads; NULL: no `stats` command. Borrowed: it
	 *  must outlive the server. */
	const struct stats_reg *stats;
	/** names of the registry's shards, stats_shard_count() of them
	 *  (non-empty, no spaces, at most 31 bytes); NULL for "shard0",
	 *  "shard1", ... Copied. */
	const char *const *shard_names;
	/** connections served at once; 0 for ADMIN_CLIENTS_MAX_DEFAULT */
	unsigned max_clients;
	/** close a connection idle this long; 0 for the default */
	unsigned idle_timeout_ms;
};

/** What a server has done; read with admin_srv_counters_get(). */
struct admin_counters {
	uint64_t accepted;    /**< connections accepted and served */
	uint64_t refused;     /**< closed at once: max_clients reached */
	uint64_t requests;    /**< requests dispatched (any outcome) */
	uint64_t errors;      /**< responses "error: ..." */
	uint64_t idle_closed; /**< closed by the idle timeout */
	uint64_t io_errors;   /**< closed on a read or write error */
	uint64_t current;     /**< connections open now */
};

/**
 * Create a server (not yet listening) with its built-in commands.
 *
 * @param loop    the loop that will serve it (borrowed; must outlive it).
 * @param params  settings (read during the call only).
 * @return the server, or NULL with errno EINVAL (a path longer than a
 *         sockaddr_un holds, a bad shard name) or ENOMEM. The caller owns
 *         it; free with admin_srv_destroy().
 */
struct admin_srv *admin_srv_create(
	struct loop *loop, const struct admin_params *params);

/**
 * Bind the socket and start serving it from the loop.
 *
 * Creates the parent directory (mode 0755) when it is missing. A socket
 * file left by a dead daemon (connect() refused) is removed and replaced;
 * the socket is made mode 0660 before it accepts anything.
 *
 * @return 0; -EADDRINUSE when a live server answers on the path; -EEXIST
 *         when something other than a socket is there; -EALREADY when
 *         already listening; or the -errno of mkdir, socket, bind, listen
 *         or epoll registration.
 */
int admin_srv_listen(struct admin_srv *srv);

/**
 * Close every connection and the listening socket, remove the socket file
 * (when it is still the one this server bound) and free the server. NULL
 * is a no-op. Not from one of the server's own commands.
 */
void admin_srv_destroy(struct admin_srv *srv);

/**
 * Register a command.
 *
 * @param srv   the server.
 * @param name  command name: 1 to ADMIN_CMD_NAME_MAX of [a-z0-9_-].
 *              Copied.
 * @param fn    handler, not NULL.
 * @param arg   passed to fn (borrowed).
 * @param help  one line for `help` (usage and what it does), or NULL.
 *              Copied.
 * @return 0, -EINVAL (bad name or fn), -EEXIST (name taken) or -ENOMEM.
 */
int admin_cmd_register(struct admin_srv *srv, const char *name, admin_cmd_fn fn,
	void *arg, const char *help);

/**
 * Append formatted text to the output.
 *
 * @return 0, -ENOMEM, or -ENOBUFS when the response would pass
 *         ADMIN_RSP_MAX (the output is then left as it was).
 */
int admin_reply_printf(struct admin_reply *reply, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * Append bytes to the output.
 *
 * @param p    len bytes (read during the call).
 * @return 0, -ENOMEM or -ENOBUFS (see admin_reply_printf()).
 */
int admin_reply_write(struct admin_reply *reply, const void *p, size_t len);

/**
 * Set the error message of the response (the last call wins). Newlines
 * become spaces; longer than ADMIN_ERR_MAX is cut.
 *
 * @param err  a negative errno, returned as is (for
 *             `return admin_reply_error(r, -EINVAL, "...");`); a value
 *             >= 0 is taken as -EINVAL.
 * @return err (negative).
 */
int admin_reply_error(struct admin_reply *reply, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * Copy the server's counters.
 * @param out  written whole. Loop thread only.
 */
void admin_srv_counters_get(
	const struct admin_srv *srv, struct admin_counters *out);

/**
 * The socket path (the server's copy, valid until admin_srv_destroy()).
 */
const char *admin_srv_path(const struct admin_srv *srv);

#endif
