/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP stream framer (ctl_tcp_frame()), differentially: a stream framed
 * as it arrives in pieces must give the same units (kind and length, in
 * order) and the same end (an error, or bytes left waiting) as the same
 * stream framed whole. The first input byte is the piece size (0: one
 * byte at a time), the rest the stream, capped at 64 KiB; the limits are
 * small so that the size checks are reached.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/tcp/ctl_tcp.h"
#include "platform/sip/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_INPUT 65536u
#define FUZZ_MAX_UNITS 4096u

/* What framing a stream gave. */
struct fuzz_run {
	uint32_t len[FUZZ_MAX_UNITS];
	uint8_t kind[FUZZ_MAX_UNITS];
	unsigned n;
	int end;	/* 0: waiting for more, else the error */
	size_t left;	/* bytes not consumed */
};

static const struct sip_limits fuzz_lim = { 2048, 32, 512 };
static struct sip_msg msg;

/* Frame what [p, p + avail) holds from *off on; 1 to go on, 0 to stop. */
static int
fuzz_frame_all(struct ctl_tcp_framer *f, const char *p, size_t avail,
		size_t *off, struct fuzz_run *r)
{
	while (*off < avail) {
		enum ctl_tcp_unit unit;
		int rc = ctl_tcp_frame(f, p + *off, p + avail, &fuzz_lim, &msg,
				&unit);

		if (rc == 0)
			return 1;
		if (rc < 0) {
			r->end = rc;
			return 0;
		}
		if ((size_t)rc > avail - *off)
			abort();
		if (unit == CTL_TCP_UNIT_MSG &&
		    (msg.len + msg.skipped != (uint32_t)rc ||
		     msg.len > fuzz_lim.max_msg_size))
			abort();
		if (r->n < FUZZ_MAX_UNITS) {
			r->len[r->n] = (uint32_t)rc;
			r->kind[r->n] = (uint8_t)unit;
		}
		r->n++;
		*off += (size_t)rc;
	}
	return 1;
}

static void
fuzz_run(const char *s, size_t len, size_t step, struct fuzz_run *r)
{
	struct ctl_tcp_framer f = { 0, 0 };
	size_t off = 0, avail = 0;
	/* Exactly what has arrived, so that a read past it is caught. */
	char *buf = malloc(len ? len : 1);

	if (buf == NULL)
		abort();
	memset(r, 0, sizeof(*r));
	while (avail < len) {
		size_t n = len - avail < step ? len - avail : step;

		memcpy(buf + avail, s + avail, n);
		avail += n;
		if (!fuzz_frame_all(&f, buf, avail, &off, r))
			break;
	}
	r->left = avail - off;
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_run whole, pieces;
	size_t step;

	if (size < 1)
		return 0;
	step = data[0] ? data[0] : 1;
	data++;
	size--;
	if (size > FUZZ_MAX_INPUT)
		size = FUZZ_MAX_INPUT;
	fuzz_run((const char *)data, size, size ? size : 1, &whole);
	fuzz_run((const char *)data, size, step, &pieces);
	if (whole.n != pieces.n || whole.end != pieces.end)
		abort();
	for (unsigned i = 0; i < whole.n && i < FUZZ_MAX_UNITS; i++)
		if (whole.len[i] != pieces.len[i] ||
		    whole.kind[i] != pieces.kind[i])
			abort();
	/* An error ends both at the same unit; else both wait alike. */
	if (whole.end == 0 && whole.left != pieces.left)
		abort();
	return 0;
}
