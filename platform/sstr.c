/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include "platform/sstr.h"

int
sstr_to_u64(struct sstr s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (s.len == 0)
		return -EINVAL;
	for (uint32_t i = 0; i < s.len; i++) {
		unsigned d = (unsigned char)s.p[i] - '0';

		if (d > 9)
			return -EINVAL;
		/* Keep scanning after overflow so that junk still reads EINVAL. */
		if (v > (max - d) / 10) {
			for (i++; i < s.len; i++)
				if ((unsigned char)s.p[i] - '0' > 9)
					return -EINVAL;
			return -ERANGE;
		}
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}
