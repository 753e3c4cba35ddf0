/* SPDX-License-Identifier: BSD-3-Clause */
/* The multipart splitter: first byte = boundary length, then boundary,
 * then the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_sip.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t bl = data[0] % 80;

	if (bl > size - 1)
		bl = size - 1;
	size_t n = size - 1;
	char *buf = malloc(n ? n : 1);
	struct sip_mpart_iter it;
	struct sip_mpart part;

	memcpy(buf, data + 1, n);
	if (sip_mpart_init(&it, (struct sstr){ buf + bl, (uint32_t)(n - bl) },
			(struct sstr){ buf, (uint32_t)bl }) == 0)
		while (sip_mpart_next(&it, &part) > 0)
			;
	free(buf);
	return 0;
}
