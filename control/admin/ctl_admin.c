/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sipedgectl's daemon-facing subcommands: `stats` and `call`. Each sends
 * one request line to the admin socket (admin.h) and prints the answer:
 * the output to stdout and exit 0 on "ok", the "error: ..." line to stderr
 * and exit 1 on an error, exit 2 when the daemon cannot be reached (or
 * breaks the protocol) and on usage errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "control/admin/admin.h"
#include "control/ctl.h"

/* How long to wait for the daemon to take the request or answer. */
#define CTL_ADMIN_TIMEOUT_S 10
/* Longest status line read ("error: " and a message). */
#define CTL_ADMIN_STATUS_MAX (ADMIN_ERR_MAX + 64u)

enum ctl_admin_exit {
	CTL_EXIT_OK = 0,	  /**< the daemon said ok */
	CTL_EXIT_ERROR = 1,	  /**< the daemon said error */
	CTL_EXIT_UNREACHABLE = 2, /**< no daemon, no answer, or usage */
};

static const char *
ctl_socket_path(void)
{
	const char *path = getenv(CTL_SOCKET_ENV);

	return path != NULL ? path : ADMIN_SOCKET_PATH_DEFAULT;
}

static int
ctl_admin_unreachable(const char *path, int err)
{
	fprintf(stderr, "sipedgectl: cannot reach sipedge at %s: %s\n", path,
		strerror(err));
	return CTL_EXIT_UNREACHABLE;
}

/* The request line: words joined by spaces, newline-terminated. */
static int
ctl_admin_line(unsigned n, const char *const words[], char *line, size_t *len)
{
	size_t off = 0;

	for (unsigned i = 0; i < n; i++) {
		size_t wlen = strlen(words[i]);

		if (wlen == 0 || strpbrk(words[i], " \t\r\n") != NULL) {
			fprintf(stderr,
				"sipedgectl: an argument cannot be empty or "
				"contain white space: '%s'\n",
				words[i]);
			return -EINVAL;
		}
		if (wlen + 2 > ADMIN_REQ_MAX - off) {
			fprintf(stderr,
				"sipedgectl: request longer than %u bytes\n",
				ADMIN_REQ_MAX);
			return -E2BIG;
		}
		if (i > 0)
			line[off++] = ' ';
		memcpy(line + off, words[i], wlen);
		off += wlen;
	}
	line[off++] = '\n';
	*len = off;
	return 0;
}

static int
ctl_admin_connect(const char *path)
{
	struct timeval tv = {.tv_sec = CTL_ADMIN_TIMEOUT_S};
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A wedged daemon must not hang the shell that called us. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/*
 * Read the status line, then copy the rest to stdout (ok) or stderr
 * (error). ECONNRESET after the status line is the server closing with
 * bytes of ours unread: the answer is complete.
 */
static int
ctl_admin_answer(int fd, const char *path)
{
	char status[CTL_ADMIN_STATUS_MAX + 1], buf[16384];
	size_t slen = 0;
	FILE *out = NULL;
	int rc = CTL_EXIT_UNREACHABLE;

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && out != NULL && errno == ECONNRESET)
			n = 0;
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				fprintf(stderr,
					"sipedgectl: no answer from sipedge "
					"at %s\n",
					path);
			else
				ctl_admin_unreachable(path, errno);
			return CTL_EXIT_UNREACHABLE;
		}
		if (n == 0)
			break;
		while (out == NULL && off < (size_t)n) {
			char c = buf[off++];

			if (c != '\n') {
				if (slen == CTL_ADMIN_STATUS_MAX)
					goto bad_status;
				status[slen++] = c;
				continue;
			}
			status[slen] = '\0';
			if (strcmp(status, "ok") == 0) {
				out = stdout;
				rc = CTL_EXIT_OK;
			} else if (strncmp(status, "error: ", 7) == 0) {
				fprintf(stderr, "%s\n", status);
				out = stderr;
				rc = CTL_EXIT_ERROR;
			} else {
				goto bad_status;
			}
		}
		if (out != NULL && off < (size_t)n)
			fwrite(buf + off, 1, (size_t)n - off, out);
	}
	if (out == NULL) {
		fprintf(stderr,
			"sipedgectl: sipedge at %s closed the connection "
			"without an answer\n",
			path);
		return CTL_EXIT_UNREACHABLE;
	}
	if (fflush(out) != 0)
		return CTL_EXIT_UNREACHABLE;
	return rc;
bad_status:
	fprintf(stderr, "sipedgectl: unexpected answer from sipedge at %s\n",
		path);
	return CTL_EXIT_UNREACHABLE;
}

/* Send words as one request; print the answer; the exit status. */
static int
ctl_admin_request(unsigned n, const char *const words[])
{
	const char *path = ctl_socket_path();
	char line[ADMIN_REQ_MAX];
	size_t len, off = 0;
	int fd, rc;

	if (ctl_admin_line(n, words, line, &len) < 0)
		return CTL_EXIT_UNREACHABLE;
	fd = ctl_admin_connect(path);
	if (fd < 0)
		return ctl_admin_unreachable(path, -fd);
	while (off < len) {
		ssize_t w = send(fd, line + off, len - off, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			/* The server may have answered before closing. */
			if (errno == EPIPE || errno == ECONNRESET)
				break;
			rc = ctl_admin_unreachable(path, errno);
			close(fd);
			return rc;
		}
		off += (size_t)w;
	}
	(void)shutdown(fd, SHUT_WR);
	rc = ctl_admin_answer(fd, path);
	close(fd);
	return rc;
}

static int
ctl_stats_usage(FILE *out, int rc)
{
	fprintf(out, "usage: sipedgectl [--socket PATH] stats [PREFIX] "
		     "[--json] [--per-shard]\n");
	return rc;
}

int
ctl_stats(int argc, char **argv)
{
	const char *words[4] = {"stats"};
	const char *prefix = NULL, *json = NULL, *per_shard = NULL;
	unsigned n = 1;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = argv[i];
		else if (strcmp(argv[i], "--per-shard") == 0)
			per_shard = argv[i];
		else if (strcmp(argv[i], "-h") == 0 ||
			 strcmp(argv[i], "--help") == 0)
			return ctl_stats_usage(stdout, 0);
		else if (argv[i][0] == '-' || prefix != NULL)
			return ctl_stats_usage(stderr, CTL_EXIT_UNREACHABLE);
		else
			prefix = argv[i];
	}
	if (prefix != NULL)
		words[n++] = prefix;
	if (json != NULL)
		words[n++] = json;
	if (per_shard != NULL)
		words[n++] = per_shard;
	return ctl_admin_request(n, words);
}

int
ctl_reload(int argc, char **argv)
{
	const char *words[1] = {"reload"};

	(void)argv;
	if (argc != 0) {
		fprintf(stderr, "usage: sipedgectl [--socket PATH] reload\n");
		return CTL_EXIT_UNREACHABLE;
	}
	return ctl_admin_request(1, words);
}

int
ctl_call(int argc, char **argv)
{
	if (argc < 1) {
		fprintf(stderr, "usage: sipedgectl [--socket PATH] call "
				"COMMAND [ARG...]\n");
		return CTL_EXIT_UNREACHABLE;
	}
	return ctl_admin_request((unsigned)argc, (const char *const *)argv);
}
