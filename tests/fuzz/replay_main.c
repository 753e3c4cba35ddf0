/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * replay_main: a main() for libFuzzer targets in builds without libFuzzer.
 *
 * Every argument is a file or a directory; each file (directories are walked
 * recursively, in name order) is read into a buffer of exactly its size and
 * handed to LLVMFuzzerTestOneInput() once, as libFuzzer would. A seed corpus
 * thus becomes a regression test in every build, and a crash reproducer can
 * be replayed under gdb or valgrind without clang:
 *
 *	build/tests/fuzz/NAME crash-1234abcd
 *
 * A path that does not exist is reported and skipped, so a target whose
 * corpus has not been written yet replays nothing and passes. Arguments
 * starting with '-' (libFuzzer flags) are ignored. Exit status: 0 when every
 * input was handled (a crash ends the process before that), 1 when a file
 * could not be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional in a target; weak so that targets without it still link. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* What a replay did. */
struct replay_ctx {
	unsigned long n_run; /**< inputs handed to the target */
	unsigned long n_err; /**< files that could not be read */
};

static void replay_path(struct replay_ctx *ctx, const char *path);

static void
replay_file(struct replay_ctx *ctx, const char *path, const struct stat *st)
{
	size_t size = (size_t)st->st_size;
	FILE *f;
	uint8_t *buf;

	/*
	 * Exactly `size` bytes (at least one so that malloc returns a
	 * distinct pointer): ASan then catches a read one past the end.
	 */
	buf = malloc(size > 0 ? size : 1);
	if (buf == NULL) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		ctx->n_err++;
		return;
	}
	f = fopen(path, "rb");
	if (f == NULL || fread(buf, 1, size, f) != size) {
		fprintf(stderr, "replay: %s: %s\n", path,
			f == NULL ? strerror(errno) : "short read");
		if (f != NULL)
			fclose(f);
		free(buf);
		ctx->n_err++;
		return;
	}
	fclose(f);

	/* Say which input runs before running it: a crash ends the process. */
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
	LLVMFuzzerTestOneInput(buf, size);
	free(buf);
	ctx->n_run++;
}

static int
replay_name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static void
replay_dir(struct replay_ctx *ctx, const char *dir)
{
	struct dirent **ents;
	int n, i;

	n = scandir(dir, &ents, NULL, replay_name_cmp);
	if (n < 0) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		ctx->n_err++;
		return;
	}
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(dir) + 1 + strlen(name) + 1;
		char *sub;

		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			sub = malloc(len);
			if (sub == NULL) {
				ctx->n_err++;
			} else {
				snprintf(sub, len, "%s/%s", dir, name);
				replay_path(ctx, sub);
				free(sub);
			}
		}
		free(ents[i]);
	}
	free(ents);
}

static void
replay_path(struct replay_ctx *ctx, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT) {
			fprintf(stderr, "replay: %s: does not exist, skipped\n",
				path);
			return;
		}
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		ctx->n_err++;
		return;
	}
	if (S_ISDIR(st.st_mode))
		replay_dir(ctx, path);
	else if (S_ISREG(st.st_mode))
		replay_file(ctx, path, &st);
}

int
main(int argc, char **argv)
{
	struct replay_ctx ctx = {0, 0};
	int i;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		replay_path(&ctx, argv[i]);
	}

	printf("replay: %lu inputs run, %lu unreadable\n", ctx.n_run,
		ctx.n_err);
	return ctx.n_err == 0 ? 0 : 1;
}
