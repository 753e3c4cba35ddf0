/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Character classes of RFC 3261 §25.1, written once as the grammar's
 * strings and turned into a 256-entry table before main() runs.
 */
#include "platform/sip/sip_priv.h"

uint16_t sip_ctab[256];

#define ALPHA "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
#define DIGIT "0123456789"
#define MARK "-_.!~*'()"

static const struct {
	unsigned cls;
	const char *chars;
} sip_classes[] = {
	{ SIP_C_TOKEN, ALPHA DIGIT "-.!%*_+`'~" },
	{ SIP_C_ALNUM, ALPHA DIGIT },
	{ SIP_C_DIGIT, DIGIT },
	{ SIP_C_HEX, DIGIT "abcdefABCDEF" },
	{ SIP_C_UNRES, ALPHA DIGIT MARK },
	{ SIP_C_USER, "&=+$,;?/" },
	{ SIP_C_PASS, "&=+$," },
	{ SIP_C_PARAM, "[]/:&+$" },
	{ SIP_C_HNV, "[]/?:+$" },
	{ SIP_C_WORD, ALPHA DIGIT "-.!%*_+`'~()<>:\\\"/[]?{}" },
	{ SIP_C_HOST, ALPHA DIGIT "-." },
	{ SIP_C_URIC, ALPHA DIGIT MARK ";/?:@&=+$,%[]" },
	{ SIP_C_TEL, DIGIT "abcdefABCDEF*#+-.()pPwW" },
	{ SIP_C_SCHEME, ALPHA DIGIT "+-." },
};

__attribute__((constructor)) static void
sip_ctab_build(void)
{
	for (unsigned i = 0; i < sizeof(sip_classes) / sizeof(sip_classes[0]);
			i++)
		for (const char *c = sip_classes[i].chars; *c; c++)
			sip_ctab[(unsigned char)*c] |= sip_classes[i].cls;
}
