/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the SIP fuzz targets. */
#ifndef SIPEDGE_FUZZ_SIP_H
#define SIPEDGE_FUZZ_SIP_H

#include <stddef.h>
#include <stdint.h>

#include "platform/sip/sip.h"

/** The libFuzzer entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/** Room for the output of any one sub-parser. */
union fuzz_sip_out {
	struct sip_nameaddr na;
	struct sip_via via;
	struct sip_cseq cs;
	struct sip_contact c;
	struct sip_event ev;
	struct sip_substate ss;
	struct sip_mtype mt;
	struct sstr tok;
	uint64_t u;
	uint32_t ex;
	uint8_t mf;
};

#endif
