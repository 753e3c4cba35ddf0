/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: control/admin/admin.h. A server on a socket in a temporary
 * directory, run by its loop in a thread; the test is the client.
 */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/admin/admin.h"
#include "control/admin/loop.h"
#include "platform/stats/stats.h"

#define DP_STATS(_)                                                            \
	_(DP_STAT_RX, "rx", "packets received")                                \
	_(DP_STAT_DROP_ACL, "drop_acl", "dropped: ACL deny")

#define PRES_GAUGES(_)                                                         \
	_(PRES_GAUGE_SUBS, "subscriptions", "active subscriptions")

enum { SHARD_W0, SHARD_W1, SHARD_CTL0, N_SHARDS };

static const char *const shard_names[N_SHARDS] = {"worker0", "worker1", "ctl0"};

#define BIG_LEN (1u << 20)

struct fx {
	char dir[64];	/**< temporary directory */
	char path[100]; /**< socket path in it */
	struct stats_reg *reg;
	struct loop *loop;
	struct admin_srv *srv;
	pthread_t th;
	int is_running;			/**< th runs the loop */
	int run_rc;			/**< what loop_run() returned */
	struct admin_counters counters; /**< after fx_halt() */
};

/* ---- commands the tests register ------------------------------------ */

/* echo: "argc:argv[0]|argv[1]|..." */
static int
echo_cmd(struct admin_reply *r, unsigned argc, const char *const argv[],
	void *arg)
{
	int err;

	(void)arg;
	err = admin_reply_printf(r, "%u:", argc);
	for (unsigned i = 0; err == 0 && i < argc; i++)
		err = admin_reply_printf(r, "%s%s", i > 0 ? "|" : "", argv[i]);
	if (err == 0)
		err = admin_reply_write(r, "\n", 1);
	assert_null(argv[argc]);
	return err;
}

/* fail: output first, then an error with a two-line message. */
static int
fail_cmd(struct admin_reply *r, unsigned argc, const char *const argv[],
	void *arg)
{
	(void)arg;
	(void)argv;
	assert_int_equal(admin_reply_printf(r, "junk\n"), 0);
	if (argc > 1)
		return -ENOENT; /* no message: strerror() */
	return admin_reply_error(r, -EPERM, "not\nallowed");
}

/* big: BIG_LEN bytes, more than a socket buffer takes at once. */
static int
big_cmd(struct admin_reply *r, unsigned argc, const char *const argv[],
	void *arg)
{
	char chunk[4096];

	(void)argc;
	(void)argv;
	(void)arg;
	for (unsigned i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('a' + i % 26);
	for (unsigned n = 0; n < BIG_LEN; n += sizeof(chunk)) {
		int err = admin_reply_write(r, chunk, sizeof(chunk));

		if (err < 0)
			return err;
	}
	return 0;
}

/* ---- fixture -------------------------------------------------------- */

static int
fx_setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	uint64_t *sh;
	int dp, pres;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/test_admin_XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->path, sizeof(fx->path), "%s/admin.sock", fx->dir);
	fx->reg = stats_reg_create(N_SHARDS, 16);
	assert_non_null(fx->reg);
	dp = STATS_BLOCK_REGISTER(fx->reg, "dp", DP_STATS, STATS_KIND_COUNTER);
	pres = STATS_BLOCK_REGISTER(
		fx->reg, "pres", PRES_GAUGES, STATS_KIND_GAUGE);
	assert_true(dp >= 0 && pres >= 0);
	sh = stats_shard(fx->reg, SHARD_W0);
	stats_add(sh, (unsigned)dp, 5);
	stats_add(sh, (unsigned)pres, 2);
	sh = stats_shard(fx->reg, SHARD_W1);
	stats_add(sh, (unsigned)dp, 7);
	stats_add(sh, (unsigned)dp + 1, 3);
	sh = stats_shard(fx->reg, SHARD_CTL0);
	stats_sub(sh, (unsigned)pres, 5);
	fx->loop = loop_create(0, 1);
	assert_non_null(fx->loop);
	*state = fx;
	return 0;
}

static void *
fx_thread(void *arg)
{
	struct fx *fx = arg;

	fx->run_rc = loop_run(fx->loop);
	return NULL;
}

/* Create the server with the test commands, listen, run the loop. */
static void
fx_serve(struct fx *fx, unsigned max_clients, unsigned idle_ms)
{
	struct admin_params p = {
		.path = fx->path,
		.stats = fx->reg,
		.shard_names = shard_names,
		.max_clients = max_clients,
		.idle_timeout_ms = idle_ms,
	};

	fx->srv = admin_srv_create(fx->loop, &p);
	assert_non_null(fx->srv);
	assert_int_equal(admin_cmd_register(fx->srv, "echo", echo_cmd, NULL,
				 "echo the words"),
		0);
	assert_int_equal(
		admin_cmd_register(fx->srv, "fail", fail_cmd, NULL, NULL), 0);
	assert_int_equal(
		admin_cmd_register(fx->srv, "big", big_cmd, NULL, "1 MiB"), 0);
	assert_int_equal(admin_srv_listen(fx->srv), 0);
	assert_int_equal(pthread_create(&fx->th, NULL, fx_thread, fx), 0);
	fx->is_running = 1;
}

/* Stop the loop thread; the server's state is then safe to read. */
static void
fx_halt(struct fx *fx)
{
	if (!fx->is_running)
		return;
	loop_stop(fx->loop);
	assert_int_equal(pthread_join(fx->th, NULL), 0);
	fx->is_running = 0;
	assert_int_equal(fx->run_rc, 0);
	admin_srv_counters_get(fx->srv, &fx->counters);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
fx_teardown(void **state)
{
	struct fx *fx = *state;

	fx_halt(fx);
	admin_srv_destroy(fx->srv);
	loop_destroy(fx->loop);
	stats_reg_destroy(fx->reg);
	nftw(fx->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(fx);
	return 0;
}

/* ---- client --------------------------------------------------------- */

static int
client_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = 10}; /* a hang fails, not blocks */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void
client_send(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

/*
 * Everything until the server closes. ECONNRESET is the server closing
 * with request bytes unread (see admin.h): the end as well.
 */
static char *
client_read_all(int fd, size_t *len_out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap + 1);

	assert_non_null(buf);
	for (;;) {
		ssize_t n;

		if (len == cap) {
			cap *= 2;
			buf = realloc(buf, cap + 1);
			assert_non_null(buf);
		}
		n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && errno == ECONNRESET)
			break;
		assert_true(n >= 0); /* EAGAIN here: the server hung */
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (len_out != NULL)
		*len_out = len;
	return buf;
}

/* One request (given with its newline), the whole response. */
static char *
request(const struct fx *fx, const char *req)
{
	int fd = client_connect(fx->path);
	char *rsp;

	client_send(fd, req, strlen(req));
	rsp = client_read_all(fd, NULL);
	close(fd);
	return rsp;
}

static void
assert_response(const struct fx *fx, const char *req, const char *want)
{
	char *rsp = request(fx, req);

	assert_string_equal(rsp, want);
	free(rsp);
}

/* ---- a JSON checker: is [p, end) exactly one valid JSON value? ------- */

static const char *json_value(const char *p);

static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

static const char *
json_string(const char *p)
{
	if (*p++ != '"')
		return NULL;
	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (strchr("0123456789abcdefABCDEF",
						    p[i]) == NULL ||
						p[i] == '\0')
						return NULL;
				p += 4;
			} else if (strchr("\"\\/bfnrt", *p) == NULL ||
				   *p == '\0') {
				return NULL;
			}
		}
		p++;
	}
	return p + 1;
}

static const char *
json_number(const char *p)
{
	const char *start;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (*p == '.') {
		start = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		start = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == start)
			return NULL;
	}
	return p;
}

static const char *
json_container(const char *p, char close, int is_object)
{
	p = json_ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (is_object) {
			p = json_string(p);
			if (p == NULL)
				return NULL;
			p = json_ws(p);
			if (*p++ != ':')
				return NULL;
		}
		p = json_value(p);
		if (p == NULL)
			return NULL;
		p = json_ws(p);
		if (*p == close)
			return p + 1;
		if (*p++ != ',')
			return NULL;
		p = json_ws(p);
	}
}

static const char *
json_value(const char *p)
{
	p = json_ws(p);
	switch (*p) {
	case '{':
		return json_container(p, '}', 1);
	case '[':
		return json_container(p, ']', 0);
	case '"':
		return json_string(p);
	case 't':
		return strncmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f':
		return strncmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n':
		return strncmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default:
		return json_number(p);
	}
}

static int
json_is_valid(const char *s)
{
	const char *end = json_value(s);

	return end != NULL && *json_ws(end) == '\0';
}

static void
test_json_checker_rejects_broken_json(void **state)
{
	(void)state;
	assert_true(json_is_valid("{\"a\":1,\"b\":{\"c\":-2}}\n"));
	assert_false(json_is_valid("{\"a\":1,}"));
	assert_false(json_is_valid("{\"a\" 1}"));
	assert_false(json_is_valid("{\"a\":1}}"));
	assert_false(json_is_valid("{a:1}"));
}

/* ---- stats ---------------------------------------------------------- */

static void
test_stats_lists_counters_summed_over_shards(void **state)
{
	struct fx *fx = *state;

	fx_serve(fx, 0, 0);
	assert_response(fx, "stats\n",
		"ok\n"
		"dp_rx 12\n"
		"dp_drop_acl 3\n"
		"pres_subscriptions -3\n");
}

static void
test_stats_prefix_shows_only_matching_stats(void **state)
{
	struct fx *fx = *state;

	fx_serve(fx, 0, 0);
	assert_response(fx, "stats dp_\n", "ok\ndp_rx 12\ndp_drop_acl 3\n");
	assert_response(fx, "stats pres\n", "ok\npres_subscriptions -3\n");
	assert_response(fx, "stats nomatch\n", "ok\n");
}

static void
test_stats_json_is_an_object_of_values(void **state)
{
	struct fx *fx = *state;
	char *rsp;

	fx_serve(fx, 0, 0);
	rsp = request(fx, "stats --json\n");
	assert_string_equal(rsp, "ok\n{\"dp_rx\":12,\"dp_drop_acl\":3,"
				 "\"pres_subscriptions\":-3}\n");
	assert_true(json_is_valid(rsp + 3));
	free(rsp);
	rsp = request(fx, "stats nomatch --json\n");
	assert_string_equal(rsp, "ok\n{}\n");
	assert_true(json_is_valid(rsp + 3));
	free(rsp);
}

static void
test_stats_per_shard_has_a_column_per_shard(void **state)
{
	struct fx *fx = *state;

	fx_serve(fx, 0, 0);
	assert_response(fx, "stats --per-shard\n",
		"ok\n"
		"name                worker0  worker1  ctl0  total\n"
		"dp_rx                     5        7     0     12\n"
		"dp_drop_acl               0        3     0      3\n"
		"pres_subscriptions        2        0    -5     -3\n");
}

static void
test_stats_per_shard_json_is_valid(void **state)
{
	struct fx *fx = *state;
	char *rsp;

	fx_serve(fx, 0, 0);
	rsp = request(fx, "stats dp_rx --per-shard --json\n");
	assert_string_equal(rsp,
		"ok\n{\"dp_rx\":{\"worker0\":5,\"worker1\":7,\"ctl0\":0}}\n");
	assert_true(json_is_valid(rsp + 3));
	free(rsp);
	rsp = request(fx, "stats --json --per-shard\n");
	assert_true(json_is_valid(rsp + 3));
	assert_non_null(strstr(rsp, "\"ctl0\":-5"));
	free(rsp);
}

static void
test_stats_bad_arguments_are_errors(void **state)
{
	struct fx *fx = *state;

	fx_serve(fx, 0, 0);
	assert_response(fx, "stats --bogus\n",
		"error: stats: unknown option '--bogus'\n");
	assert_response(
		fx, "stats a b\n", "error: stats: more than one prefix\n");
}

/* ---- requests ------------------------------------------------------- */

static void
test_help_lists_the_commands(void **state)
{
	struct fx *fx = *state;
	char *rsp;

	fx_serve(fx, 0, 0);
	rsp = request(fx, "help\n");
	assert_int_equal(strncmp(rsp, "ok\nhelp   list the commands\n",
				 strlen("ok\nhelp   list the commands\n")),
		0);
	assert_non_null(strstr(rsp, "\nstats  [PREFIX] [--json]"));
	assert_non_null(strstr(rsp, "\necho   echo the words\n"));
	assert_non_null(strstr(rsp, "\nfail\n"));
	free(rsp);
}

static void
test_unknown_command_gets_error(void **state)
{
	struct fx *fx = *state;

	fx_serve(fx, 0, 0);
	assert_response(fx, "frobnicate now\n",
		"error: unknown command 'frobnicate' (try help)\n");
}

static void
test_empty_request_gets_error(void **state)
{
	struct fx *fx = *state;

	fx_serve(fx, 0, 0);
	assert_response(fx, "  \r\n", "error: empty request (try help)\n");
}

static void
test_words_split_on_spaces_and_tabs(void **state)
{
	struct fx *fx = *state;

	fx_serve(fx, 0, 0);
	assert_response(fx, " echo  a\tb   c \r\n", "ok\n4:echo|a|b|c\n");
}

static void
test_request_ended_by_half_close_is_served(void **state)
{
	struct fx *fx = *state;
	int fd;
	char *rsp;

	fx_serve(fx, 0, 0);
	fd = client_connect(fx->path);
	client_send(fd, "echo x", 6);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	rsp = client_read_all(fd, NULL);
	assert_string_equal(rsp, "ok\n2:echo|x\n");
	free(rsp);
	close(fd);
}

static void
test_request_of_max_length_is_served(void **state)
{
	struct fx *fx = *state;
	char req[ADMIN_REQ_MAX + 1], want[ADMIN_REQ_MAX + 16];
	size_t n = ADMIN_REQ_MAX - 1 - strlen("echo "); /* arg length */

	fx_serve(fx, 0, 0);
	memcpy(req, "echo ", 5);
	memset(req + 5, 'z', n);
	req[5 + n] = '\n';
	req[6 + n] = '\0';
	assert_int_equal(strlen(req), ADMIN_REQ_MAX);
	snprintf(want, sizeof(want), "ok\n2:echo|%.*s\n", (int)n, req + 5);
	assert_response(fx, req, want);
}

static void
test_overlong_request_gets_error_and_close(void **state)
{
	struct fx *fx = *state;
	char req[ADMIN_REQ_MAX + 1000];

	fx_serve(fx, 0, 0);
	memset(req, 'a', sizeof(req) - 1);
	req[sizeof(req) - 1] = '\0';
	assert_response(fx, req, "error: request longer than 4096 bytes\n");
	fx_halt(fx);
	assert_int_equal(fx->counters.errors, 1);
	assert_int_equal(fx->counters.current, 0);
}

static void
test_command_error_replaces_its_output(void **state)
{
	struct fx *fx = *state;

	fx_serve(fx, 0, 0);
	assert_response(fx, "fail\n", "error: not allowed\n");
	assert_response(fx, "fail x\n", "error: No such file or directory\n");
}

static void
test_large_response_is_sent_whole(void **state)
{
	struct fx *fx = *state;
	size_t len;
	char *rsp;
	int fd;

	fx_serve(fx, 0, 0);
	fd = client_connect(fx->path);
	client_send(fd, "big\n", 4);
	rsp = client_read_all(fd, &len);
	close(fd);
	assert_int_equal(len, 3 + BIG_LEN);
	assert_memory_equal(rsp, "ok\nabc", 6);
	for (size_t i = 0; i < BIG_LEN; i++)
		if (rsp[3 + i] != (char)('a' + i % 4096 % 26))
			fail_msg("byte %zu of the output differs", i);
	free(rsp);
}

static void
test_register_rejects_bad_and_duplicate_names(void **state)
{
	struct fx *fx = *state;
	struct admin_params p = {.path = fx->path};
	struct admin_srv *srv = admin_srv_create(fx->loop, &p);

	assert_non_null(srv);
	assert_int_equal(
		admin_cmd_register(srv, "help", echo_cmd, NULL, NULL), -EEXIST);
	assert_int_equal(
		admin_cmd_register(srv, "", echo_cmd, NULL, NULL), -EINVAL);
	assert_int_equal(
		admin_cmd_register(srv, "Echo", echo_cmd, NULL, NULL), -EINVAL);
	assert_int_equal(
		admin_cmd_register(srv, "a b", echo_cmd, NULL, NULL), -EINVAL);
	assert_int_equal(
		admin_cmd_register(srv, "echo", NULL, NULL, NULL), -EINVAL);
	assert_int_equal(
		admin_cmd_register(srv, "show-x_1", echo_cmd, NULL, NULL), 0);
	admin_srv_destroy(srv);
}

static void
test_bad_shard_name_is_einval(void **state)
{
	struct fx *fx = *state;
	static const char *const names[N_SHARDS] = {"worker 0", "w1", "c"};
	struct admin_params p = {
		.path = fx->path, .stats = fx->reg, .shard_names = names};

	errno = 0;
	assert_null(admin_srv_create(fx->loop, &p));
	assert_int_equal(errno, EINVAL);
}

/* ---- the socket file ------------------------------------------------ */

static void
test_socket_and_missing_parent_dir_get_their_modes(void **state)
{
	struct fx *fx = *state;
	struct stat st;
	char dir[80];

	snprintf(dir, sizeof(dir), "%s/run", fx->dir);
	snprintf(fx->path, sizeof(fx->path), "%s/sipedge.sock", dir);
	fx_serve(fx, 0, 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(stat(fx->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_response(fx, "echo\n", "ok\n1:echo\n");
}

static void
test_stale_socket_file_is_replaced(void **state)
{
	struct fx *fx = *state;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct stat st;

	/* A dead daemon's socket: bound, never listened on, closed. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", fx->path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(stat(fx->path, &st), 0);
	fx_serve(fx, 0, 0);
	assert_response(fx, "echo\n", "ok\n1:echo\n");
}

static void
test_live_socket_path_is_eaddrinuse(void **state)
{
	struct fx *fx = *state;
	struct admin_params p = {.path = fx->path};
	struct loop *loop2 = loop_create(0, 1);
	struct admin_srv *srv2;
	struct stat st;

	fx_serve(fx, 0, 0);
	srv2 = admin_srv_create(loop2, &p);
	assert_non_null(srv2);
	assert_int_equal(admin_srv_listen(srv2), -EADDRINUSE);
	admin_srv_destroy(srv2);
	loop_destroy(loop2);
	/* The first server keeps its socket, and serves. */
	assert_int_equal(stat(fx->path, &st), 0);
	assert_response(fx, "echo\n", "ok\n1:echo\n");
}

static void
test_non_socket_in_the_way_is_eexist(void **state)
{
	struct fx *fx = *state;
	struct admin_params p = {.path = fx->path};
	struct admin_srv *srv = admin_srv_create(fx->loop, &p);
	FILE *f = fopen(fx->path, "w");
	struct stat st;

	assert_non_null(f);
	fclose(f);
	assert_int_equal(admin_srv_listen(srv), -EEXIST);
	assert_int_equal(stat(fx->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	admin_srv_destroy(srv);
	assert_int_equal(stat(fx->path, &st), 0);
}

static void
test_destroy_removes_the_socket_file(void **state)
{
	struct fx *fx = *state;
	struct stat st;

	fx_serve(fx, 0, 0);
	fx_halt(fx);
	assert_int_equal(admin_srv_listen(fx->srv), -EALREADY);
	admin_srv_destroy(fx->srv);
	fx->srv = NULL;
	assert_int_equal(stat(fx->path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

/* ---- limits --------------------------------------------------------- */

static void
test_more_than_max_clients_are_refused(void **state)
{
	struct fx *fx = *state;
	int c1, c2, c3;
	char *rsp;

	fx_serve(fx, 2, 0);
	c1 = client_connect(fx->path);
	c2 = client_connect(fx->path);
	c3 = client_connect(fx->path);
	/* Accepted in order: the third is one too many. */
	rsp = client_read_all(c3, NULL);
	assert_string_equal(rsp, "error: too many admin clients\n");
	free(rsp);
	close(c3);
	/* The first two are still served. */
	client_send(c1, "echo 1\n", 7);
	rsp = client_read_all(c1, NULL);
	assert_string_equal(rsp, "ok\n2:echo|1\n");
	free(rsp);
	close(c1);
	fx_halt(fx);
	assert_int_equal(fx->counters.refused, 1);
	assert_int_equal(fx->counters.accepted, 2);
	/* c2 is still open: destroying the server closes it. */
	assert_int_equal(fx->counters.current, 1);
	close(c2);
}

static void
test_silent_client_is_closed_after_idle_timeout(void **state)
{
	struct fx *fx = *state;
	char buf[16];
	int fd;

	fx_serve(fx, 0, 30);
	fd = client_connect(fx->path);
	client_send(fd, "ech", 3); /* a start, then silence */
	/* Blocks until the server's timer closes the connection. */
	assert_int_equal(recv(fd, buf, sizeof(buf), 0), 0);
	close(fd);
	fx_halt(fx);
	assert_int_equal(fx->counters.idle_closed, 1);
	assert_int_equal(fx->counters.requests, 0);
	assert_int_equal(fx->counters.current, 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_checker_rejects_broken_json),
		T(test_stats_lists_counters_summed_over_shards),
		T(test_stats_prefix_shows_only_matching_stats),
		T(test_stats_json_is_an_object_of_values),
		T(test_stats_per_shard_has_a_column_per_shard),
		T(test_stats_per_shard_json_is_valid),
		T(test_stats_bad_arguments_are_errors),
		T(test_help_lists_the_commands),
		T(test_unknown_command_gets_error),
		T(test_empty_request_gets_error),
		T(test_words_split_on_spaces_and_tabs),
		T(test_request_ended_by_half_close_is_served),
		T(test_request_of_max_length_is_served),
		T(test_overlong_request_gets_error_and_close),
		T(test_command_error_replaces_its_output),
		T(test_large_response_is_sent_whole),
		T(test_register_rejects_bad_and_duplicate_names),
		T(test_bad_shard_name_is_einval),
		T(test_socket_and_missing_parent_dir_get_their_modes),
		T(test_stale_socket_file_is_replaced),
		T(test_live_socket_path_is_eaddrinuse),
		T(test_non_socket_in_the_way_is_eexist),
		T(test_destroy_removes_the_socket_file),
		T(test_more_than_max_clients_are_refused),
		T(test_silent_client_is_closed_after_idle_timeout),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
