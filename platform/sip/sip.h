/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP wire format: a zero-copy parser shared by the dataplane and the control
 * plane, lazy sub-parsers for header values, validation as a proxy sees it,
 * and builders.
 *
 * Nothing here allocates, writes into the message or reads past the `end`
 * it is given. Every function is thread-safe on distinct arguments (no
 * global state beyond constant tables).
 */
#ifndef SIPEDGE_SIP_H
#define SIPEDGE_SIP_H

#include <stddef.h>

#include "platform/sip/sip_types.h"

/* ---- Names ---------------------------------------------------------- */

/** Canonical name of a header type ("Via"); "" for SIP_HDR_OTHER. */
const char *sip_hdr_type_str(enum sip_hdr_type t);
/** Name of a method ("INVITE"); "" for SIP_METHOD_OTHER. */
const char *sip_method_str(enum sip_method m);
/** Text of a failure reason. */
const char *sip_err_str(enum sip_err e);
/** Short identifier of a failure reason ("BARE_CR"), for counters. */
const char *sip_err_id_str(enum sip_err e);
/** Header type of a header name (full or compact form, any case). */
enum sip_hdr_type sip_hdr_type_of(struct sstr name);
/** Method of a method token (case-sensitive, as RFC 3261 says). */
enum sip_method sip_method_of(struct sstr tok);

/* ---- Message parser ------------------------------------------------- */

/** Parse flags. */
enum {
	/**
	 * The bytes come from a stream (TCP/TLS): the message ends after
	 * Content-Length bytes of body, which is mandatory; an incomplete
	 * message asks for more. Without it the buffer is one datagram
	 * (RFC 3261 §18.3): octets past the body are ignored and a missing
	 * Content-Length means "the rest of the datagram".
	 */
	SIP_PARSE_STREAM = 1u << 0,
	/**
	 * The dataplane's fast path: record only the headers in
	 * SIP_PARSE_FAST_MASK (the rest are delimited, counted against the
	 * limits and skipped unnamed). sip_msg_validate() needs a full parse.
	 */
	SIP_PARSE_FAST = 1u << 1,
};

/** The headers a SIP_PARSE_FAST parse records. */
#define SIP_PARSE_FAST_MASK                                                \
	(SIP_HDR_BIT(SIP_HDR_VIA) | SIP_HDR_BIT(SIP_HDR_FROM) |             \
	 SIP_HDR_BIT(SIP_HDR_TO) | SIP_HDR_BIT(SIP_HDR_CALL_ID) |           \
	 SIP_HDR_BIT(SIP_HDR_CSEQ) | SIP_HDR_BIT(SIP_HDR_MAX_FORWARDS) |    \
	 SIP_HDR_BIT(SIP_HDR_CONTENT_LENGTH) |                              \
	 SIP_HDR_BIT(SIP_HDR_P_ASSERTED_IDENTITY) |                         \
	 SIP_HDR_BIT(SIP_HDR_REMOTE_PARTY_ID))

/** Limits used when the caller passes NULL. */
extern const struct sip_limits sip_limits_default;

/**
 * Parse the start line and find every header line of a message: one pass
 * that records each header's boundaries and type in msg->hdrs plus the mask
 * of types seen. Header values are not parsed (see the sub-parsers).
 * Content-Length is read, since it decides where the message ends.
 *
 * @param msg    scratch output; fully overwritten
 * @param p      first byte of the message (leading CRLFs, which RFC 3261
 *               §7.5 lets a receiver ignore, are skipped and counted)
 * @param end    one past the last byte available
 * @param flags  SIP_PARSE_*
 * @param lim    limits, or NULL for sip_limits_default
 * @return bytes the message takes (> 0); 0 when a stream needs more bytes;
 *         -EBADMSG when malformed (msg->err, msg->err_off say why and where)
 *         or over a limit.
 */
int sip_msg_parse(struct sip_msg *msg, const char *p, const char *end,
		unsigned flags, const struct sip_limits *lim);

/**
 * Check a parsed message as a proxy would (RFC 3261 §8.1.1, §16.3):
 * mandatory headers present, headers that must appear once appear once,
 * CSeq well-formed, below 2^31 and matching the method, Max-Forwards 0-255,
 * Expires in range, From/To/Via/Contact/Request-URI well-formed, quotes and
 * angle brackets balanced, header names tokens.
 *
 * @return 0, or -EBADMSG with msg->err, msg->err_off, msg->err_hdr set.
 */
int sip_msg_validate(struct sip_msg *msg);

/**
 * Describe msg->err in words ("duplicate header: Call-ID at offset 120").
 * @return the number of characters written (snprintf semantics).
 */
int sip_msg_err_describe(const struct sip_msg *msg, char *out, size_t cap);

/** A slice of the message for a span. */
static inline struct sstr
sip_msg_slice(const struct sip_msg *msg, struct sip_span s)
{
	return (struct sstr){ msg->buf + s.off, s.len };
}

/** True when the message holds a header of type t. */
static inline bool
sip_msg_has(const struct sip_msg *msg, enum sip_hdr_type t)
{
	return (msg->seen & SIP_HDR_BIT(t)) != 0;
}

/** First header of type t, or NULL. */
static inline const struct sip_hdr *
sip_hdr_find(const struct sip_msg *msg, enum sip_hdr_type t)
{
	uint16_t i = msg->first[t];

	return i ? &msg->hdrs[i - 1] : NULL;
}

/** Next header of the same type after h, or NULL. */
static inline const struct sip_hdr *
sip_hdr_find_next(const struct sip_msg *msg, const struct sip_hdr *h)
{
	return h->next ? &msg->hdrs[h->next - 1] : NULL;
}

/** The value of a header (continuation lines included, as written). */
static inline struct sstr
sip_hdr_value(const struct sip_msg *msg, const struct sip_hdr *h)
{
	return (struct sstr){ msg->buf + h->val_off, h->val_len };
}

/** The name of a header as written. */
static inline struct sstr
sip_hdr_name(const struct sip_msg *msg, const struct sip_hdr *h)
{
	return (struct sstr){ msg->buf + h->off, h->name_len };
}

/** The value of the first header of type t, or an empty slice. */
static inline struct sstr
sip_msg_hdr_value(const struct sip_msg *msg, enum sip_hdr_type t)
{
	const struct sip_hdr *h = sip_hdr_find(msg, t);

	return h ? sip_hdr_value(msg, h) : SSTR_NULL;
}

/** Find a header by name (any case, compact forms too); NULL if absent. */
const struct sip_hdr *sip_hdr_find_name(const struct sip_msg *msg,
		struct sstr name);

/* ---- Values and parameters ------------------------------------------ */

/**
 * Split the next comma-separated value off *rest (commas inside quotes and
 * angle brackets do not split). LWS around the value is dropped.
 * @return true and the value in *val, false when *rest holds no more.
 */
bool sip_value_next(struct sstr *rest, struct sstr *val);

/** Start iterating the values of every header of type t, in order. */
void sip_hdr_iter_init(struct sip_hdr_iter *it, const struct sip_msg *msg,
		enum sip_hdr_type t);
/** Next value; false when there are no more. */
bool sip_hdr_iter_next(struct sip_hdr_iter *it, struct sstr *val);

/**
 * Find parameter `name` (case-insensitive) in ";a=b;c;d=\"x\"" text.
 * @param val  the value (quotes kept), empty for a flag parameter
 * @return true when present.
 */
bool sip_param_find(struct sstr params, struct sstr name, struct sstr *val);

/**
 * Iterate parameters: *rest starts at a ';' (or LWS before it).
 * @return true with name and value (empty when none), false at the end;
 *         -1 via *bad set to true when the text is not a parameter list.
 */
bool sip_param_next(struct sstr *rest, struct sstr *name, struct sstr *val,
		bool *bad);

/**
 * Check a host as RFC 3261 §25.1 writes it: a hostname, an IPv4 address or
 * (when v6 is set) an IPv6 address without its brackets.
 * @param is_v4  set when the host is an IPv4 address
 * @return 0, or -EINVAL.
 */
int sip_host_check(struct sstr host, bool v6, bool *is_v4);

/**
 * Unescape %HH sequences into out (at most cap bytes).
 * @return the unescaped length, or -EINVAL on a bad escape, -ENOSPC.
 */
int sip_unescape(struct sstr s, char *out, size_t cap);

/* ---- Sub-parsers: run on demand on one header value ----------------- */
/*
 * Each takes [p, end) holding exactly one value (continuation line breaks
 * count as white space) and fills its output with slices into [p, end).
 * Return 0, or -EINVAL when malformed. Nothing is allocated.
 */

/** SIP, SIPS, tel or other absolute URI (RFC 3261 §19.1, §25; RFC 3966). */
int sip_uri_parse(const char *p, const char *end, struct sip_uri *uri);
/** name-addr or addr-spec followed by header params (§20.10, §20.20). */
int sip_nameaddr_parse(const char *p, const char *end,
		struct sip_nameaddr *na);
/** One Via value (via-parm). */
int sip_via_parse(const char *p, const char *end, struct sip_via *via);
/** CSeq: number < 2^31 and method. */
int sip_cseq_parse(const char *p, const char *end, struct sip_cseq *cseq);
/** A decimal value 0..max (Content-Length, Expires, Max-Forwards, ...). */
int sip_uint_parse(const char *p, const char *end, uint64_t max,
		uint64_t *out);
/** Max-Forwards: 0..255. */
int sip_maxfwd_parse(const char *p, const char *end, uint8_t *out);
/** Expires / Min-Expires: delta-seconds 0..2^32-1. */
int sip_expires_parse(const char *p, const char *end, uint32_t *out);
/** One Contact value ('*' only as the whole value). */
int sip_contact_parse(const char *p, const char *end,
		struct sip_contact *c);
/** Event: package[.template] with id param. */
int sip_event_parse(const char *p, const char *end, struct sip_event *ev);
/** Subscription-State. */
int sip_substate_parse(const char *p, const char *end,
		struct sip_substate *ss);
/** Content-Type value or one Accept media-range (q read when given). */
int sip_mtype_parse(const char *p, const char *end, struct sip_mtype *mt);
/** A token value: SIP-ETag, SIP-If-Match, one option-tag, Call-ID word. */
int sip_token_parse(const char *p, const char *end, struct sstr *tok);
/** Call-ID: word [ "@" word ]. */
int sip_callid_parse(const char *p, const char *end, struct sstr *id);

/**
 * The identity a request asserts (DESIGN.md policy order): the first
 * P-Asserted-Identity, else Remote-Party-ID, else From.
 * @param which  set to the header type used
 * @return 0, -ENOENT when none is present, -EINVAL when malformed.
 */
int sip_msg_identity(const struct sip_msg *msg, struct sip_nameaddr *na,
		enum sip_hdr_type *which);

/* ---- Multipart bodies (RFC 2046 §5.1, RFC 4662) ---------------------- */

/**
 * Start splitting a multipart body.
 * @param boundary  the Content-Type boundary param (quotes allowed)
 * @return 0, or -EINVAL when the boundary is empty or too long (> 70).
 */
int sip_mpart_init(struct sip_mpart_iter *it, struct sstr body,
		struct sstr boundary);
/**
 * Next part. @return 1 with *part filled, 0 after the close delimiter,
 * -EINVAL when the body is malformed (no delimiter, no close).
 */
int sip_mpart_next(struct sip_mpart_iter *it, struct sip_mpart *part);

/* ---- Builders ------------------------------------------------------- */

/** Start writing into mem[0..cap). */
void sip_buf_init(struct sip_buf *b, char *mem, uint32_t cap);
/** Append bytes; sets overflow when they do not fit. */
void sip_buf_put(struct sip_buf *b, const char *s, uint32_t len);
/** Append a slice. */
static inline void
sip_buf_puts(struct sip_buf *b, struct sstr s)
{
	sip_buf_put(b, s.p, s.len);
}
/** Append a C string. */
void sip_buf_putc(struct sip_buf *b, const char *s);
/** Append an unsigned decimal. */
void sip_buf_putu(struct sip_buf *b, uint64_t v);
/** Append "Name: value\r\n". */
void sip_buf_hdr(struct sip_buf *b, const char *name, struct sstr value);

/** Flags of sip_build_response(). */
enum {
	/** Copy Record-Route (a 2xx to a dialog-creating request, §12.1.1). */
	SIP_BUILD_COPY_RR = 1u << 0,
};

/**
 * Build a response to a parsed request: status line, every Via in order,
 * From, To (with `to_tag` added when the request's To has none and the
 * code is above 100), Call-ID, CSeq, `extra` header lines (each ending in
 * CRLF, may be empty), Content-Type when a body is given, Content-Length.
 *
 * @param reason  the reason phrase; empty picks the standard one
 * @return the length written, or -ENOSPC when cap is too small.
 */
int sip_build_response(const struct sip_msg *req, uint16_t code,
		struct sstr reason, struct sstr to_tag, struct sstr extra,
		struct sstr ctype, struct sstr body, unsigned flags, char *out,
		uint32_t cap);

/** The standard reason phrase of a status code ("" if unknown). */
const char *sip_reason_str(uint16_t code);

/**
 * Start a request: "METHOD uri SIP/2.0\r\n". Then add headers with
 * sip_buf_hdr() and finish with sip_build_finish().
 */
void sip_build_request_line(struct sip_buf *b, struct sstr method,
		struct sstr uri);
/** Start a response: "SIP/2.0 code reason\r\n". */
void sip_build_status_line(struct sip_buf *b, uint16_t code,
		struct sstr reason);
/**
 * Finish a message: Content-Type (when ctype is not empty),
 * Content-Length, the empty line and the body.
 * @return the total length, or -ENOSPC when anything overflowed.
 */
int sip_build_finish(struct sip_buf *b, struct sstr ctype, struct sstr body);

/**
 * Copy a message into out with edits applied (the SIP ALG's header
 * rewriting). Edits must be sorted by offset and must not overlap. When an
 * edit falls in the body, Content-Length is fixed up to the new body
 * length (and added when absent).
 *
 * @return the new length, -EINVAL for unsorted/overlapping/out-of-range
 *         edits, -ENOSPC when it does not fit.
 */
int sip_msg_rewrite(const struct sip_msg *msg, const struct sip_edit *edits,
		unsigned n, char *out, uint32_t cap);

#endif
