/* SPDX-License-Identifier: BSD-3-Clause */
/* URI, name-addr and unescaping on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_sip.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct sip_uri uri;
	struct sip_nameaddr na;
	char tmp[256];

	memcpy(buf, data, size);
	if (sip_uri_parse(buf, buf + size, &uri) == 0) {
		struct sstr v;

		sip_unescape(uri.user, tmp, sizeof(tmp));
		sip_param_find(uri.params, SSTR_LIT("transport"), &v);
	}
	if (sip_nameaddr_parse(buf, buf + size, &na) == 0)
		sip_unescape(na.uri.user, tmp, sizeof(tmp));
	sip_unescape((struct sstr){ buf, (uint32_t)size }, tmp, sizeof(tmp));
	free(buf);
	return 0;
}
