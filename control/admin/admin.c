/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * admin: the admin socket server (see admin.h for the protocol).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/admin/admin.h"
#include "control/admin/admin_priv.h"
#include "control/admin/loop.h"
#include "platform/log/log.h"
#include "platform/stats/stats.h"
#include "platform/timer/time.h"
#include "platform/timer/timer.h"

/* Connections accepted per readiness event: others wait a turn. */
#define ADMIN_ACCEPT_BURST 16u
/* Pause after accept() ran out of fds or memory. */
#define ADMIN_ACCEPT_RETRY_NS (100 * TIME_NS_PER_MS)
/* Mode of the socket file: the daemon's user and group. */
#define ADMIN_SOCK_MODE 0660
/* Mode of a parent directory we create. */
#define ADMIN_DIR_MODE 0755

struct admin_conn {
	struct admin_srv *srv;	     /**< owner */
	struct admin_conn *next;     /**< in srv->conns */
	struct admin_conn *prev;     /**< in srv->conns */
	struct timer idle;	     /**< closes a connection that stalls */
	int fd;			     /**< the client's socket */
	int is_writing;		     /**< request read, response going out */
	const char *rsp;	     /**< response: reply.out or a static */
	size_t rsp_len;		     /**< its length */
	size_t rsp_off;		     /**< bytes sent so far */
	struct admin_reply reply;    /**< response being built */
	size_t req_len;		     /**< bytes of req received */
	char req[ADMIN_REQ_MAX + 1]; /**< request (+1 for a NUL) */
};

static const char admin_rsp_nomem[] = "error: out of memory\n";
static const char admin_rsp_busy[] = "error: too many admin clients\n";

/* ---- reply buffer ---------------------------------------------------- */

/* Room for extra more bytes and a NUL, within ADMIN_RSP_MAX. */
static int
admin_buf_reserve(struct admin_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > ADMIN_RSP_MAX - b->len)
		return -ENOBUFS;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap != 0 ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int
admin_buf_append(struct admin_buf *b, const void *p, size_t len)
{
	int err = admin_buf_reserve(b, len);

	if (err < 0)
		return err;
	memcpy(b->p + b->len, p, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

__attribute__((format(printf, 2, 0))) static int
admin_buf_vprintf(struct admin_buf *b, const char *fmt, va_list ap)
{
	size_t room = b->cap > b->len ? b->cap - b->len : 0;
	va_list ap2;
	int n, err;

	va_copy(ap2, ap);
	n = vsnprintf(room != 0 ? b->p + b->len : NULL, room, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= room) {
		err = admin_buf_reserve(b, (size_t)n);
		if (err < 0) {
			if (b->cap > b->len)
				b->p[b->len] = '\0'; /* undo the partial */
			return err;
		}
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
	return 0;
}

int
admin_reply_printf(struct admin_reply *reply, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = admin_buf_vprintf(&reply->out, fmt, ap);
	va_end(ap);
	return err;
}

int
admin_reply_write(struct admin_reply *reply, const void *p, size_t len)
{
	return admin_buf_append(&reply->out, p, len);
}

int
admin_reply_error(struct admin_reply *reply, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reply->err, sizeof(reply->err), fmt, ap);
	va_end(ap);
	/* The message is the status line: keep it one line. */
	for (char *s = reply->err; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
	reply->has_err = 1;
	return err < 0 ? err : -EINVAL;
}

/* ---- commands -------------------------------------------------------- */

static const struct admin_cmd *
admin_cmd_find(const struct admin_srv *srv, const char *name)
{
	for (unsigned i = 0; i < srv->n_cmds; i++)
		if (strcmp(srv->cmds[i].name, name) == 0)
			return &srv->cmds[i];
	return NULL;
}

static int
admin_cmd_name_is_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > ADMIN_CMD_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			    c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int
admin_cmd_register(struct admin_srv *srv, const char *name, admin_cmd_fn fn,
	void *arg, const char *help)
{
	struct admin_cmd *cmd;

	if (name == NULL || fn == NULL || !admin_cmd_name_is_valid(name))
		return -EINVAL;
	if (admin_cmd_find(srv, name) != NULL)
		return -EEXIST;
	if (srv->n_cmds == srv->cap_cmds) {
		unsigned cap = srv->cap_cmds != 0 ? srv->cap_cmds * 2 : 8;
		struct admin_cmd *cmds =
			realloc(srv->cmds, cap * sizeof(*cmds));

		if (cmds == NULL)
			return -ENOMEM;
		srv->cmds = cmds;
		srv->cap_cmds = cap;
	}
	cmd = &srv->cmds[srv->n_cmds];
	memset(cmd, 0, sizeof(*cmd));
	if (help != NULL) {
		cmd->help = strdup(help);
		if (cmd->help == NULL)
			return -ENOMEM;
	}
	memcpy(cmd->name, name, strlen(name) + 1);
	cmd->fn = fn;
	cmd->arg = arg;
	srv->n_cmds++;
	return 0;
}

static int
admin_help_cmd(struct admin_reply *reply, unsigned argc,
	const char *const argv[], void *arg)
{
	const struct admin_srv *srv = arg;
	int width = 0, err;

	(void)argv;
	if (argc > 1)
		return admin_reply_error(reply, -EINVAL, "usage: help");
	for (unsigned i = 0; i < srv->n_cmds; i++) {
		int len = (int)strlen(srv->cmds[i].name);

		width = len > width ? len : width;
	}
	for (unsigned i = 0; i < srv->n_cmds; i++) {
		const struct admin_cmd *cmd = &srv->cmds[i];

		if (cmd->help != NULL)
			err = admin_reply_printf(reply, "%-*s  %s\n", width,
				cmd->name, cmd->help);
		else
			err = admin_reply_printf(reply, "%s\n", cmd->name);
		if (err < 0)
			return err;
	}
	return 0;
}

/* ---- connections ----------------------------------------------------- */

static void
admin_conn_close(struct admin_conn *c)
{
	struct admin_srv *srv = c->srv;

	(void)loop_fd_del(srv->loop, c->fd);
	timer_cancel(loop_timers(srv->loop), &c->idle);
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	srv->counters.current--;
	free(c->reply.out.p);
	free(c);
}

/* The connection made progress: it has idle_timeout from now. */
static void
admin_conn_touch(struct admin_conn *c)
{
	timer_add(loop_timers(c->srv->loop), &c->idle,
		time_add_ns(time_now_ns(), c->srv->idle_timeout_ns));
}

static void
admin_conn_idle_cb(struct timer_wheel *wheel, struct timer *t, void *arg)
{
	struct admin_conn *c = arg;

	(void)wheel;
	(void)t;
	c->srv->counters.idle_closed++;
	admin_conn_close(c);
}

/* Send what the socket takes; close once all is sent or on error. */
static void
admin_conn_flush(struct admin_conn *c)
{
	int has_progress = 0;

	while (c->rsp_off < c->rsp_len) {
		ssize_t n = send(c->fd, c->rsp + c->rsp_off,
			c->rsp_len - c->rsp_off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			c->rsp_off += (size_t)n;
			has_progress = 1;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* The rest goes out as the client reads. */
			if (loop_fd_mod(c->srv->loop, c->fd, EPOLLOUT) < 0)
				break;
			if (has_progress)
				admin_conn_touch(c);
			return;
		}
		break; /* EPIPE, ECONNRESET: the client went away */
	}
	if (c->rsp_off < c->rsp_len)
		c->srv->counters.io_errors++;
	admin_conn_close(c);
}

static void
admin_conn_respond_error(struct admin_conn *c, const char *msg)
{
	struct admin_buf *b = &c->reply.out;

	c->srv->counters.errors++;
	b->len = 0;
	if (admin_reply_printf(&c->reply, "error: %s\n", msg) == 0) {
		c->rsp = b->p;
		c->rsp_len = b->len;
	} else {
		c->rsp = admin_rsp_nomem;
		c->rsp_len = sizeof(admin_rsp_nomem) - 1;
	}
}

/* Split the request line into words and run the command. */
static void
admin_conn_dispatch(struct admin_conn *c, char *line, size_t len)
{
	const char *argv[ADMIN_ARGS_MAX + 1];
	const struct admin_cmd *cmd;
	unsigned argc = 0;
	char *p = line, *end = line + len;
	char msg[ADMIN_ERR_MAX];
	int rc;

	c->is_writing = 1;
	c->srv->counters.requests++;
	if (len > 0 && line[len - 1] == '\r')
		end--;
	if (memchr(line, '\0', (size_t)(end - line)) != NULL) {
		admin_conn_respond_error(c, "request contains a NUL byte");
		return;
	}
	*end = '\0';
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		if (argc == ADMIN_ARGS_MAX) {
			snprintf(msg, sizeof(msg),
				"too many arguments (at most %u words)",
				ADMIN_ARGS_MAX);
			admin_conn_respond_error(c, msg);
			return;
		}
		argv[argc++] = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		*p++ = '\0';
	}
	argv[argc] = NULL;
	if (argc == 0) {
		admin_conn_respond_error(c, "empty request (try help)");
		return;
	}
	cmd = admin_cmd_find(c->srv, argv[0]);
	if (cmd == NULL) {
		snprintf(msg, sizeof(msg), "unknown command '%.64s' (try help)",
			argv[0]);
		admin_conn_respond_error(c, msg);
		return;
	}
	c->reply.out.len = 0;
	c->reply.has_err = 0;
	rc = admin_reply_write(&c->reply, "ok\n", 3);
	if (rc == 0)
		rc = cmd->fn(&c->reply, argc, argv, cmd->arg);
	if (rc < 0) {
		if (c->reply.has_err)
			snprintf(msg, sizeof(msg), "%s", c->reply.err);
		else
			snprintf(msg, sizeof(msg), "%s", strerror(-rc));
		admin_conn_respond_error(c, msg);
		return;
	}
	c->rsp = c->reply.out.p;
	c->rsp_len = c->reply.out.len;
}

static void
admin_conn_read(struct admin_conn *c)
{
	size_t room = ADMIN_REQ_MAX - c->req_len;
	char *nl;
	ssize_t n;

	n = recv(c->fd, c->req + c->req_len, room, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		c->srv->counters.io_errors++;
		admin_conn_close(c);
		return;
	}
	if (n == 0) {
		/* Half-closed: what came is the request, if anything. */
		if (c->req_len == 0) {
			admin_conn_close(c);
			return;
		}
		admin_conn_dispatch(c, c->req, c->req_len);
		admin_conn_flush(c);
		return;
	}
	nl = memchr(c->req + c->req_len, '\n', (size_t)n);
	c->req_len += (size_t)n;
	if (nl != NULL) {
		admin_conn_dispatch(c, c->req, (size_t)(nl - c->req));
		admin_conn_flush(c);
	} else if (c->req_len == ADMIN_REQ_MAX) {
		char msg[64];

		c->is_writing = 1;
		c->srv->counters.requests++;
		snprintf(msg, sizeof(msg), "request longer than %u bytes",
			ADMIN_REQ_MAX);
		admin_conn_respond_error(c, msg);
		admin_conn_flush(c);
	} else {
		admin_conn_touch(c);
	}
}

static void
admin_conn_cb(struct loop *loop, int fd, uint32_t revents, void *arg)
{
	struct admin_conn *c = arg;

	(void)loop;
	(void)fd;
	(void)revents;
	/* recv()/send() report what EPOLLERR and EPOLLHUP mean. */
	if (c->is_writing)
		admin_conn_flush(c);
	else
		admin_conn_read(c);
}

static void
admin_conn_open(struct admin_srv *srv, int fd)
{
	struct admin_conn *c = calloc(1, sizeof(*c));

	if (c == NULL) {
		(void)send(fd, admin_rsp_nomem, sizeof(admin_rsp_nomem) - 1,
			MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	c->srv = srv;
	c->fd = fd;
	timer_init(&c->idle, admin_conn_idle_cb, c);
	if (loop_fd_add(srv->loop, fd, EPOLLIN, admin_conn_cb, c) < 0) {
		close(fd);
		free(c);
		return;
	}
	c->next = srv->conns;
	if (c->next != NULL)
		c->next->prev = c;
	srv->conns = c;
	srv->counters.accepted++;
	srv->counters.current++;
	admin_conn_touch(c);
}

/* ---- listening socket ------------------------------------------------ */

static void
admin_accept_retry_cb(struct timer_wheel *wheel, struct timer *t, void *arg)
{
	struct admin_srv *srv = arg;

	(void)wheel;
	(void)t;
	(void)loop_fd_mod(srv->loop, srv->fd, EPOLLIN);
}

static void
admin_listen_cb(struct loop *loop, int fd, uint32_t revents, void *arg)
{
	struct admin_srv *srv = arg;

	(void)revents;
	for (unsigned i = 0; i < ADMIN_ACCEPT_BURST; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			/*
			 * Out of fds or memory: the listener would stay
			 * readable and spin the loop. Stop watching it a
			 * moment.
			 */
			LOG_RL(ADMIN, WARN, "accept on %s: %s", srv->path,
				strerror(errno));
			if (loop_fd_mod(loop, fd, 0) == 0)
				timer_add(loop_timers(loop), &srv->accept_retry,
					time_add_ns(time_now_ns(),
						ADMIN_ACCEPT_RETRY_NS));
			return;
		}
		if (srv->counters.current >= srv->max_clients) {
			/* Best effort: a fresh socket's buffer is empty. */
			(void)send(cfd, admin_rsp_busy,
				sizeof(admin_rsp_busy) - 1,
				MSG_NOSIGNAL | MSG_DONTWAIT);
			close(cfd);
			srv->counters.refused++;
			continue;
		}
		admin_conn_open(srv, cfd);
	}
}

static int
admin_sockaddr_make(const char *path, struct sockaddr_un *sa)
{
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(sa->sun_path))
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, len + 1);
	return 0;
}

/* mkdir the socket's directory when missing; only that one level. */
static int
admin_parent_dir_make(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	size_t len;

	if (slash == NULL || slash == path)
		return 0; /* the cwd or "/" */
	len = (size_t)(slash - path);
	memcpy(dir, path, len);
	dir[len] = '\0';
	if (mkdir(dir, ADMIN_DIR_MODE) == 0) {
		/* The umask may have narrowed it: clients need to enter. */
		if (chmod(dir, ADMIN_DIR_MODE) < 0)
			return -errno;
		return 0;
	}
	return errno == EEXIST ? 0 : -errno;
}

/*
 * Something is at the path. A live server makes it ours to leave alone; a
 * socket nobody listens on is a dead daemon's and goes.
 * @return 1 when a stale socket was removed, 0 when the path was free
 *         already, else a negative errno.
 */
static int
admin_stale_remove(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc;

	if (lstat(sa->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Non-blocking: a live server with a full backlog says EAGAIN. */
	if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		rc = -EADDRINUSE;
	else if (errno == EAGAIN || errno == EINPROGRESS)
		rc = -EADDRINUSE;
	else if (errno == ENOENT)
		rc = 0; /* gone meanwhile */
	else if (errno != ECONNREFUSED)
		rc = -errno;
	else if (unlink(sa->sun_path) == 0)
		rc = 1;
	else
		rc = errno == ENOENT ? 0 : -errno;
	close(fd);
	return rc;
}

int
admin_srv_listen(struct admin_srv *srv)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd, err;

	if (srv->fd >= 0)
		return -EALREADY;
	err = admin_sockaddr_make(srv->path, &sa);
	if (err < 0)
		return err;
	err = admin_parent_dir_make(srv->path);
	if (err < 0)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int removed =
			errno == EADDRINUSE ? admin_stale_remove(&sa) : -errno;

		err = removed;
		if (err >= 0 &&
			bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			err = -errno;
		if (err < 0)
			goto fail_close;
		if (removed > 0)
			LOG(ADMIN, NOTICE, "replaced stale socket %s",
				srv->path);
	}
	/* Before listen(): nobody can connect while the mode is wider. */
	if (chmod(srv->path, ADMIN_SOCK_MODE) < 0 || stat(srv->path, &st) < 0 ||
		listen(fd, SOMAXCONN) < 0) {
		err = -errno;
		goto fail_unlink;
	}
	err = loop_fd_add(srv->loop, fd, EPOLLIN, admin_listen_cb, srv);
	if (err < 0)
		goto fail_unlink;
	srv->fd = fd;
	srv->sock_dev = st.st_dev;
	srv->sock_ino = st.st_ino;
	LOG(ADMIN, INFO, "listening on %s", srv->path);
	return 0;
fail_unlink:
	unlink(srv->path);
fail_close:
	close(fd);
	return err;
}

/* ---- server ---------------------------------------------------------- */

static int
admin_shard_name_is_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > ADMIN_SHARD_NAME_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)name[i] <= ' ' || name[i] == '"' ||
			name[i] == '\\' || name[i] == 0x7f)
			return 0;
	return 1;
}

static int
admin_stats_view_init(struct admin_stats_view *v, const struct stats_reg *reg,
	const char *const *names)
{
	char buf[ADMIN_SHARD_NAME_MAX + 1];

	v->reg = reg;
	v->n_shards = stats_shard_count(reg);
	v->shard_names = calloc(v->n_shards, sizeof(*v->shard_names));
	if (v->shard_names == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < v->n_shards; i++) {
		const char *name = names != NULL ? names[i] : NULL;

		if (name == NULL) {
			snprintf(buf, sizeof(buf), "shard%u", i);
			name = buf;
		} else if (!admin_shard_name_is_valid(name)) {
			return -EINVAL;
		}
		v->shard_names[i] = strdup(name);
		if (v->shard_names[i] == NULL)
			return -ENOMEM;
	}
	return 0;
}

struct admin_srv *
admin_srv_create(struct loop *loop, const struct admin_params *params)
{
	const char *path =
		params->path != NULL ? params->path : ADMIN_SOCKET_PATH_DEFAULT;
	struct admin_srv *srv;
	struct sockaddr_un sa;
	int err;

	if (loop == NULL || admin_sockaddr_make(path, &sa) < 0) {
		errno = EINVAL;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return NULL;
	srv->loop = loop;
	srv->fd = -1;
	srv->max_clients = params->max_clients != 0 ? params->max_clients
						    : ADMIN_CLIENTS_MAX_DEFAULT;
	srv->idle_timeout_ns = time_ms_to_ns(
		params->idle_timeout_ms != 0 ? params->idle_timeout_ms
					     : ADMIN_IDLE_TIMEOUT_MS_DEFAULT);
	timer_init(&srv->accept_retry, admin_accept_retry_cb, srv);
	srv->path = strdup(path);
	err = srv->path == NULL ? -ENOMEM : 0;
	if (err == 0)
		err = admin_cmd_register(
			srv, "help", admin_help_cmd, srv, "list the commands");
	if (err == 0 && params->stats != NULL) {
		err = admin_stats_view_init(
			&srv->stats, params->stats, params->shard_names);
		if (err == 0)
			err = admin_cmd_register(srv, "stats", admin_stats_cmd,
				&srv->stats, ADMIN_STATS_HELP);
	}
	if (err < 0) {
		admin_srv_destroy(srv);
		errno = -err;
		return NULL;
	}
	return srv;
}

void
admin_srv_destroy(struct admin_srv *srv)
{
	struct stat st;

	if (srv == NULL)
		return;
	while (srv->conns != NULL)
		admin_conn_close(srv->conns);
	timer_cancel(loop_timers(srv->loop), &srv->accept_retry);
	if (srv->fd >= 0) {
		(void)loop_fd_del(srv->loop, srv->fd);
		/* A successor may have replaced the file: leave its own. */
		if (stat(srv->path, &st) == 0 && st.st_dev == srv->sock_dev &&
			st.st_ino == srv->sock_ino)
			unlink(srv->path);
		close(srv->fd);
	}
	for (unsigned i = 0; i < srv->n_cmds; i++)
		free(srv->cmds[i].help);
	free(srv->cmds);
	if (srv->stats.shard_names != NULL)
		for (unsigned i = 0; i < srv->stats.n_shards; i++)
			free(srv->stats.shard_names[i]);
	free(srv->stats.shard_names);
	free(srv->path);
	free(srv);
}

void
admin_srv_counters_get(const struct admin_srv *srv, struct admin_counters *out)
{
	*out = srv->counters;
}

const char *
admin_srv_path(const struct admin_srv *srv)
{
	return srv->path;
}
