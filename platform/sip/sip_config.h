/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The `sip:` config section: the limits every SIP parse enforces.
 *
 *   sip:
 *     max_message_size: 65535   # bytes, head and body
 *     max_headers: 128          # header lines
 *     max_header_size: 8192     # bytes of one header with its folds
 */
#ifndef SIPEDGE_SIP_CONFIG_H
#define SIPEDGE_SIP_CONFIG_H

#include "platform/config/config.h"
#include "platform/sip/sip_types.h"

/** The section. */
struct sip_cfg {
	uint32_t max_message_size; /**< bytes */
	uint32_t max_headers;      /**< header lines */
	uint32_t max_header_size;  /**< bytes of one header */
};

/** Fields of the section, for the daemon's top-level mapping. */
extern const cyaml_schema_field_t sip_cfg_fields[];
/** Ranges and defaults (paths under "sip."). */
extern const struct cfg_range sip_cfg_ranges[];

/** The parser limits the section sets. */
void sip_cfg_limits(const struct sip_cfg *cfg, struct sip_limits *lim);

#endif
