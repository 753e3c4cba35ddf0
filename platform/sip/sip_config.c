/* SPDX-License-Identifier: BSD-3-Clause */
#include "platform/sip/sip_config.h"
#include "platform/sip/sip.h"

const cyaml_schema_field_t sip_cfg_fields[] = {
	CYAML_FIELD_UINT("max_message_size", CYAML_FLAG_OPTIONAL,
			struct sip_cfg, max_message_size),
	CYAML_FIELD_UINT("max_headers", CYAML_FLAG_OPTIONAL, struct sip_cfg,
			max_headers),
	CYAML_FIELD_UINT("max_header_size", CYAML_FLAG_OPTIONAL,
			struct sip_cfg, max_header_size),
	CYAML_FIELD_END
};


/*
 * A UDP datagram holds at most 65,507 bytes of IPv4 payload; a stream
 * message may be larger (a big MESSAGE over TLS), up to 1 MiB. Header
 * counts are capped by the parser's fixed array.
 */
const struct cfg_range sip_cfg_ranges[] = {
	CFG_RANGE_DEFAULT("sip.max_message_size", 512, 1 << 20, 65535),
	CFG_RANGE_DEFAULT("sip.max_headers", 8, SIP_MSG_MAX_HDRS, 128),
	CFG_RANGE_DEFAULT("sip.max_header_size", 64, 65535, 8192),
	CFG_RANGE_END,
};

void
sip_cfg_limits(const struct sip_cfg *cfg, struct sip_limits *lim)
{
	lim->max_msg_size = cfg->max_message_size;
	lim->max_hdrs = (uint16_t)cfg->max_headers;
	lim->max_hdr_len = (uint16_t)cfg->max_header_size;
}
