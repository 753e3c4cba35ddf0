/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP parse benchmark: parses a corpus of realistic messages (SUBSCRIBE,
 * NOTIFY with PIDF, PUBLISH, REGISTER, MESSAGE, INVITE with SDP, 200 OK,
 * 403) over and over and prints bytes/s and messages/s for each mode:
 *
 *   full      sip_msg_parse: every header line found, named and recorded
 *   fast      sip_msg_parse with SIP_PARSE_FAST: the dataplane's subset
 *             (request line, Via, From, To, Call-ID, CSeq, Max-Forwards,
 *             Content-Length, P-Asserted-Identity) recorded, the rest
 *             only delimited
 *   validate  full parse plus sip_msg_validate (every sub-parser a proxy
 *             relies on)
 *
 * usage: sip_parse [--seconds S] [--iterations N] [--mode M] CORPUS_DIR
 * With --iterations the run is a fixed amount of work, for callgrind:
 *   valgrind --tool=callgrind build/tests/bench/sip_parse \
 *       --iterations 20000 --mode fast tests/sip/valid
 * gives instructions; divide by the bytes it prints.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform/sip/sip.h"

/* The mix: the realistic messages of the corpus, by file name. */
static const char *const bench_files[] = {
	"subscribe.sip", "notify_pidf.sip", "publish.sip", "register.sip",
	"message.sip",   "invite_sdp.sip",  "ok_200.sip",  "forbidden_403.sip",
};
#define BENCH_NFILES (sizeof(bench_files) / sizeof(bench_files[0]))

struct bench_msg {
	char *p;
	size_t len;
};

static struct bench_msg msgs[BENCH_NFILES];
static struct sip_msg scratch;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read a corpus file, LF line ends made CRLF as on the wire. */
static int
load(const char *dir, const char *name, struct bench_msg *m)
{
	char path[4096];
	FILE *f;
	char raw[65536];
	size_t n, o = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return -1;
	}
	n = fread(raw, 1, sizeof(raw), f);
	fclose(f);
	m->p = malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
			m->p[o++] = '\r';
		m->p[o++] = raw[i];
	}
	m->len = o;
	return 0;
}

enum bench_mode { MODE_FULL, MODE_FAST, MODE_VALIDATE };
static const char *const mode_names[] = { "full", "fast", "validate" };

/* One pass over the corpus; returns the bytes parsed (0 on a failure). */
static size_t
pass(enum bench_mode mode)
{
	size_t bytes = 0;
	unsigned flags = mode == MODE_FAST ? SIP_PARSE_FAST : 0;

	for (unsigned i = 0; i < BENCH_NFILES; i++) {
		const char *p = msgs[i].p;

		if (sip_msg_parse(&scratch, p, p + msgs[i].len, flags, NULL) <= 0)
			return 0;
		if (mode == MODE_VALIDATE && sip_msg_validate(&scratch) < 0)
			return 0;
		bytes += msgs[i].len;
	}
	return bytes;
}

static int
run(enum bench_mode mode, double seconds, unsigned long iterations)
{
	size_t per_pass = pass(mode);
	unsigned long passes = 0;
	double t0 = now_s(), t = t0;

	if (per_pass == 0) {
		fprintf(stderr, "sip_parse: a corpus message failed to parse "
				"(%s)\n", mode_names[mode]);
		return -1;
	}
	if (iterations) {
		for (; passes < iterations; passes++)
			pass(mode);
		t = now_s();
	} else {
		while (t - t0 < seconds) {
			for (int k = 0; k < 1000; k++)
				pass(mode);
			passes += 1000;
			t = now_s();
		}
	}
	double el = t - t0;
	double bytes = (double)per_pass * (double)passes;
	double n = (double)passes * BENCH_NFILES;

	printf("%-9s %10.0f MB/s %12.0f msg/s %8.1f ns/msg  (%lu passes, "
	       "%zu bytes/pass, %.0f bytes total)\n",
			mode_names[mode], bytes / el / 1e6, n / el, el / n * 1e9,
			passes, per_pass, bytes);
	return 0;
}

int
main(int argc, char **argv)
{
	double seconds = 3;
	unsigned long iterations = 0;
	const char *dir = NULL, *mode = "all";

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc)
			iterations = strtoul(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--mode") == 0 && i + 1 < argc)
			mode = argv[++i];
		else if (argv[i][0] != '-')
			dir = argv[i];
		else {
			fprintf(stderr, "usage: sip_parse [--seconds S] "
					"[--iterations N] [--mode full|fast|"
					"validate|all] CORPUS_DIR\n");
			return 2;
		}
	}
	if (dir == NULL) {
		fprintf(stderr, "sip_parse: give the corpus directory "
				"(tests/sip/valid)\n");
		return 2;
	}
	for (unsigned i = 0; i < BENCH_NFILES; i++)
		if (load(dir, bench_files[i], &msgs[i]) < 0)
			return 1;
	for (int m = MODE_FULL; m <= MODE_VALIDATE; m++)
		if ((strcmp(mode, "all") == 0 ||
		     strcmp(mode, mode_names[m]) == 0) &&
		    run(m, seconds, iterations) < 0)
			return 1;
	return 0;
}
