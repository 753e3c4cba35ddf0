/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ALG's rewrite: parse a message, derive up to four edits from a
 * trailer of the input, apply them. A rewrite that succeeds must give a
 * message whose Content-Length matches its body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_sip.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_msg msg, out_msg;
	static char out[80000];
	struct sip_edit edits[4];
	unsigned n = 0;

	/* Trailer: 16 bytes = 4 edits of (off16, len8, repl_len8). */
	if (size < 16)
		return 0;
	size_t mlen = size - 16;
	const uint8_t *tr = data + mlen;
	char *buf = malloc(mlen ? mlen : 1);

	memcpy(buf, data, mlen);
	if (sip_msg_parse(&msg, buf, buf + mlen, 0, NULL) > 0) {
		uint32_t pos = 0;

		for (unsigned i = 0; i < 4; i++) {
			uint32_t off = pos + ((uint32_t)tr[i * 4] << 8 |
					      tr[i * 4 + 1]) % 512;
			uint32_t len = tr[i * 4 + 2] % 16;

			edits[n].off = off;
			edits[n].len = len;
			edits[n].repl = (struct sstr){ "198.51.100.1:40000",
						       tr[i * 4 + 3] % 19u };
			pos = off + len;
			n++;
		}
		int r = sip_msg_rewrite(&msg, edits, n, out, sizeof(out));

		if (r > 0 && sip_msg_parse(&out_msg, out, out + r, 0, NULL) > 0 &&
		    msg.content_length >= 0 && out_msg.content_length >= 0 &&
		    (uint64_t)out_msg.content_length != out_msg.body.len)
			abort();
	}
	free(buf);
	return 0;
}
