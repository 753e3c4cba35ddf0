/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every header sub-parser: the first byte picks the parser, the rest is
 * the value. One harness so that each parser gets the whole fuzzing budget
 * of the corpus, not a slice of it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz_sip.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned which = data[0];
	size_t n = size - 1;
	char *buf = malloc(n ? n : 1);
	const char *p = buf, *e = buf + n;
	union fuzz_sip_out o;
	struct sstr rest = { buf, (uint32_t)n }, v, name;
	bool bad;

	memcpy(buf, data + 1, n);
	switch (which % 14) {
	case 0: sip_nameaddr_parse(p, e, &o.na); break;
	case 1: sip_via_parse(p, e, &o.via); break;
	case 2: sip_cseq_parse(p, e, &o.cs); break;
	case 3: sip_contact_parse(p, e, &o.c); break;
	case 4: sip_event_parse(p, e, &o.ev); break;
	case 5: sip_substate_parse(p, e, &o.ss); break;
	case 6: sip_mtype_parse(p, e, &o.mt); break;
	case 7: sip_maxfwd_parse(p, e, &o.mf); break;
	case 8: sip_expires_parse(p, e, &o.ex); break;
	case 9: sip_uint_parse(p, e, UINT32_MAX, &o.u); break;
	case 10: sip_token_parse(p, e, &o.tok); break;
	case 11: sip_callid_parse(p, e, &o.tok); break;
	case 12:
		while (sip_value_next(&rest, &v))
			sip_nameaddr_parse(v.p, sstr_end(v), &o.na);
		break;
	case 13:
		while (sip_param_next(&rest, &name, &v, &bad))
			;
		break;
	}
	free(buf);
	return 0;
}
