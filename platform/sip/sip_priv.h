/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP wire format internals: the character-class table and the small
 * scanners the parsers share. Not for use outside platform/sip.
 */
#ifndef SIPEDGE_SIP_PRIV_H
#define SIPEDGE_SIP_PRIV_H

#include <stdint.h>

#include "platform/sip/sip.h"

/* Character classes of RFC 3261 §25.1 (one byte may be in several). */
enum {
	SIP_C_TOKEN = 1u << 0,    /**< token */
	SIP_C_ALNUM = 1u << 1,    /**< alphanum */
	SIP_C_DIGIT = 1u << 2,    /**< DIGIT */
	SIP_C_HEX = 1u << 3,      /**< HEXDIG */
	SIP_C_UNRES = 1u << 4,    /**< unreserved (alphanum / mark) */
	SIP_C_USER = 1u << 5,     /**< user-unreserved */
	SIP_C_PASS = 1u << 6,     /**< password extras: & = + $ , */
	SIP_C_PARAM = 1u << 7,    /**< param-unreserved */
	SIP_C_HNV = 1u << 8,      /**< hnv-unreserved */
	SIP_C_WORD = 1u << 9,     /**< word (Call-ID) */
	SIP_C_HOST = 1u << 10,    /**< hostname: alphanum - . */
	SIP_C_URIC = 1u << 11,    /**< uric (absoluteURI) */
	SIP_C_TEL = 1u << 12,     /**< tel number: digits, hex, * # + - . ( ) */
	SIP_C_SCHEME = 1u << 13,  /**< scheme after the first: alnum + - . */
};

/** The table: built once before main() from the class strings in sip_chars.c, read-only after. */
extern uint16_t sip_ctab[256];

/** True when c is in every class of mask. */
static inline bool
sip_is(char c, unsigned mask)
{
	return (sip_ctab[(unsigned char)c] & mask) == mask;
}

/** Skip SP and HT. */
static inline const char *
sip_skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/**
 * Skip LWS: SP, HT and line breaks followed by white space (a continuation
 * inside a header value). A line break not followed by SP/HT is not LWS.
 */
static inline const char *
sip_skip_lws(const char *p, const char *end)
{
	for (;;) {
		p = sip_skip_ws(p, end);
		const char *q = p;

		if (q < end && *q == '\r')
			q++;
		if (q < end && *q == '\n' && q + 1 < end &&
		    (q[1] == ' ' || q[1] == '\t')) {
			p = q + 1;
			continue;
		}
		return p;
	}
}

/** Drop trailing LWS (SP, HT, CR, LF) from [p, end). */
static inline const char *
sip_rtrim(const char *p, const char *end)
{
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\r' || end[-1] == '\n'))
		end--;
	return end;
}

/** Scan a run of bytes of class mask; returns the first byte not in it. */
static inline const char *
sip_span_class(const char *p, const char *end, unsigned mask)
{
	while (p < end && sip_is(*p, mask))
		p++;
	return p;
}

/**
 * Skip a quoted string starting at the opening '"'.
 * @return one past the closing quote, or NULL when unterminated.
 */
const char *sip_skip_quoted(const char *p, const char *end);

/**
 * Parse generic params ";name[=value]" up to end; every name a token,
 * every value a token, a host, an IPv6 reference or a quoted string.
 * @return 0, or -EINVAL.
 */
int sip_params_check(const char *p, const char *end);

/** True when the text has unbalanced quotes or angle brackets. */
bool sip_is_unbalanced(struct sstr s);

/** Parse a q-value (0, 1, 0.xyz, 1.000) into thousandths. */
int sip_qvalue_parse(struct sstr s, uint16_t *q);


#endif
