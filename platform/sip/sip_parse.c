/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The message parser: one pass over the head that finds every line, checks
 * the head's bytes (no NUL, no bare CR) sixteen at a time, recognises each
 * header name and records its boundaries. Values are left for the lazy
 * sub-parsers.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "platform/sip/sip_priv.h"

const struct sip_limits sip_limits_default = {
	.max_msg_size = 65535,
	.max_hdrs = 128,
	.max_hdr_len = 8192,
};

/* ---- Names ---------------------------------------------------------- */

static const char *const sip_hdr_names[SIP_HDR__COUNT] = {
	[SIP_HDR_OTHER] = "",
#define SIP_HDR_NAME_(id, name, compact) [SIP_HDR_##id] = name,
	SIP_HDR_LIST(SIP_HDR_NAME_)
#undef SIP_HDR_NAME_
};

static const char sip_hdr_compact[SIP_HDR__COUNT] = {
#define SIP_HDR_COMPACT_(id, name, compact) [SIP_HDR_##id] = compact,
	SIP_HDR_LIST(SIP_HDR_COMPACT_)
#undef SIP_HDR_COMPACT_
};

static const char *const sip_method_names[SIP_METHOD__COUNT] = {
	[SIP_METHOD_OTHER] = "",
#define SIP_METHOD_NAME_(id) [SIP_METHOD_##id] = #id,
	SIP_METHOD_LIST(SIP_METHOD_NAME_)
#undef SIP_METHOD_NAME_
};

static const char *const sip_err_texts[SIP_ERR__COUNT] = {
#define SIP_ERR_TEXT_(id, text) [SIP_ERR_##id] = text,
	SIP_ERR_LIST(SIP_ERR_TEXT_)
#undef SIP_ERR_TEXT_
};

static const char *const sip_err_ids[SIP_ERR__COUNT] = {
#define SIP_ERR_ID_(id, text) [SIP_ERR_##id] = #id,
	SIP_ERR_LIST(SIP_ERR_ID_)
#undef SIP_ERR_ID_
};

const char *
sip_hdr_type_str(enum sip_hdr_type t)
{
	return (unsigned)t < SIP_HDR__COUNT ? sip_hdr_names[t] : "";
}

const char *
sip_method_str(enum sip_method m)
{
	return (unsigned)m < SIP_METHOD__COUNT ? sip_method_names[m] : "";
}

const char *
sip_err_str(enum sip_err e)
{
	return (unsigned)e < SIP_ERR__COUNT ? sip_err_texts[e] : "?";
}

const char *
sip_err_id_str(enum sip_err e)
{
	return (unsigned)e < SIP_ERR__COUNT ? sip_err_ids[e] : "?";
}

/* Methods by first letter: at most SIP_METHOD_PER_LETTER share one. */
#define SIP_METHOD_PER_LETTER 3
static uint8_t sip_method_by_letter[26][SIP_METHOD_PER_LETTER];
static uint8_t sip_method_len[SIP_METHOD__COUNT];

__attribute__((constructor)) static void
sip_method_tab_build(void)
{
	for (unsigned m = 1; m < SIP_METHOD__COUNT; m++) {
		uint8_t *slot = sip_method_by_letter[sip_method_names[m][0] - 'A'];

		sip_method_len[m] = (uint8_t)strlen(sip_method_names[m]);
		while (*slot)
			slot++;
		*slot = (uint8_t)m;
	}
}

enum sip_method
sip_method_of(struct sstr tok)
{
	/* Methods are case-sensitive (RFC 3261 §7.1). */
	if (tok.len == 0 || tok.p[0] < 'A' || tok.p[0] > 'Z')
		return SIP_METHOD_OTHER;
	const uint8_t *c = sip_method_by_letter[tok.p[0] - 'A'];

	for (unsigned i = 0; i < SIP_METHOD_PER_LETTER && c[i]; i++)
		if (sip_method_len[c[i]] == tok.len &&
		    memcmp(sip_method_names[c[i]], tok.p, tok.len) == 0)
			return c[i];
	return SIP_METHOD_OTHER;
}

/*
 * Header-name lookup. Names are hashed on (length, first and last letter,
 * case folded) into a small open-addressed table built before main(); the
 * candidate is then confirmed by comparing eight bytes at a time with the
 * case bit forced (see sip_name_eq for why that is exact for these names).
 */
#define SIP_NAME_SLOTS 256
#define SIP_NAME_WORDS 3 /* longest name: 24 bytes */

struct sip_name_ent {
	uint8_t type;
	uint8_t len;
	uint64_t w[SIP_NAME_WORDS]; /* lower-case name, zero padded */
};

static struct sip_name_ent sip_name_tab[SIP_NAME_SLOTS];
static uint8_t sip_compact_tab[256];
/* First letters (both cases) of the names and compact forms that
 * SIP_PARSE_FAST records: any other line is skipped without a lookup. */
static uint8_t sip_fast_first[256];

static inline unsigned
sip_name_hash(unsigned len, unsigned char first, unsigned char last)
{
	return ((first | 0x20u) * 7u + (last | 0x20u) * 31u + len * 13u) &
	       (SIP_NAME_SLOTS - 1);
}

__attribute__((constructor)) static void
sip_name_tab_build(void)
{
	for (unsigned t = 1; t < SIP_HDR__COUNT; t++) {
		const char *n = sip_hdr_names[t];
		size_t len = strlen(n);
		unsigned h = sip_name_hash(len, n[0], n[len - 1]);

		while (sip_name_tab[h].type != 0)
			h = (h + 1) & (SIP_NAME_SLOTS - 1);
		sip_name_tab[h].type = t;
		sip_name_tab[h].len = len;
		for (size_t i = 0; i < len; i++)
			((unsigned char *)sip_name_tab[h].w)[i] =
				(unsigned char)sstr_lower(n[i]);
		if (SIP_PARSE_FAST_MASK & SIP_HDR_BIT(t)) {
			unsigned char c = (unsigned char)sstr_lower(n[0]);

			sip_fast_first[c] = sip_fast_first[c & ~0x20u] = 1;
			c = (unsigned char)sip_hdr_compact[t];
			if (c)
				sip_fast_first[c] = sip_fast_first[c & ~0x20u] = 1;
		}
		if (sip_hdr_compact[t]) {
			sip_compact_tab[(unsigned char)sip_hdr_compact[t]] = t;
			sip_compact_tab[(unsigned char)sip_hdr_compact[t] &
					~0x20u] = t;
		}
	}
}

/*
 * Compare a name with a table entry. OR-ing 0x20 into each input byte maps
 * only 'A'-'Z' onto the letters and 0x0D onto '-'; a CR cannot occur inside
 * a name (bare CRs are refused), so equality is exact.
 */
static inline bool
sip_name_eq(const char *p, const char *end, const struct sip_name_ent *e)
{
	unsigned len = e->len;

	if (p + SIP_NAME_WORDS * 8 <= end) {
		for (unsigned i = 0; i * 8 < len; i++) {
			uint64_t w;
			unsigned rem = len - i * 8;
			uint64_t mask = rem >= 8 ? ~UINT64_C(0) :
					(UINT64_C(1) << (rem * 8)) - 1;

			memcpy(&w, p + i * 8, 8);
			if (((w | UINT64_C(0x2020202020202020)) & mask) !=
			    e->w[i])
				return false;
		}
		return true;
	}
	for (unsigned i = 0; i < len; i++)
		if ((unsigned char)(p[i] | 0x20) !=
		    ((const unsigned char *)e->w)[i])
			return false;
	return true;
}

/* Type of the name [p, p + len); `end` bounds how far words may be read. */
static inline enum sip_hdr_type
sip_name_classify(const char *p, uint32_t len, const char *end)
{
	if (len == 1)
		return sip_compact_tab[(unsigned char)p[0]];
	if (len > SIP_NAME_WORDS * 8)
		return SIP_HDR_OTHER;
	unsigned h = sip_name_hash(len, p[0], p[len - 1]);

	for (;;) {
		const struct sip_name_ent *e = &sip_name_tab[h];

		if (e->type == 0)
			return SIP_HDR_OTHER;
		if (e->len == len && sip_name_eq(p, end, e))
			return e->type;
		h = (h + 1) & (SIP_NAME_SLOTS - 1);
	}
}

enum sip_hdr_type
sip_hdr_type_of(struct sstr name)
{
	if (name.len == 0)
		return SIP_HDR_OTHER;
	return sip_name_classify(name.p, name.len, name.p + name.len);
}

const struct sip_hdr *
sip_hdr_find_name(const struct sip_msg *msg, struct sstr name)
{
	enum sip_hdr_type t = sip_hdr_type_of(name);

	if (t != SIP_HDR_OTHER)
		return sip_hdr_find(msg, t);
	for (unsigned i = 0; i < msg->n_hdrs; i++)
		if (msg->hdrs[i].type == SIP_HDR_OTHER &&
		    sstr_eq_nocase(sip_hdr_name(msg, &msg->hdrs[i]), name))
			return &msg->hdrs[i];
	return NULL;
}

/* ---- The line scanner ----------------------------------------------- */

/*
 * The head is read 64 bytes at a time (four 16-byte compares each): one
 * mask of line feeds and one of CR-or-NUL bytes. A CR-or-NUL right before
 * an LF is the ordinary line end (a NUL there is caught when the line is
 * handled); any other is a bare CR or a NUL, an error only if it lies in
 * the head, so it is checked against each LF handed out and when the
 * scanner leaves a chunk. The common chunk has none and pays one test.
 */
#define SIP_CHUNK 64

struct sip_blk {
	uint64_t lf;   /* LF bits */
	uint64_t bad;  /* CR / NUL bits not followed by LF in this chunk */
	bool prev_bad; /* the byte before the chunk was CR / NUL, no LF after */
	bool sp_last;  /* the last byte is CR / NUL: its follower is next */
};

static inline void
sip_blk_scan(const char *src, unsigned n, struct sip_blk *b)
{
	uint64_t lf = 0, sp = 0;
#if defined(__SSE2__)
	for (unsigned k = 0; k < SIP_CHUNK / 16; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(src + 16 * k));
		__m128i crnul = _mm_or_si128(
				_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
				_mm_cmpeq_epi8(v, _mm_setzero_si128()));

		lf |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
				_mm_set1_epi8('\n'))) << (16 * k);
		sp |= (uint64_t)(uint32_t)_mm_movemask_epi8(crnul) << (16 * k);
	}
#else
	for (unsigned i = 0; i < SIP_CHUNK; i++) {
		lf |= (uint64_t)(src[i] == '\n') << i;
		sp |= (uint64_t)(src[i] == '\r' || src[i] == '\0') << i;
	}
#endif
	if (n < SIP_CHUNK) {
		/* The last byte's follower is unknown: not judged here. */
		uint64_t valid = (UINT64_C(1) << n) - 1;

		b->lf = lf & valid;
		b->bad = sp & ~(lf >> 1) & (valid >> 1);
		b->sp_last = false;
	} else {
		b->lf = lf;
		b->bad = sp & ~(lf >> 1) & (~UINT64_C(0) >> 1);
		b->sp_last = sp >> 63;
	}
}

/*
 * RFC 3261's quoted-pair admits %x00: a NUL right after a backslash inside
 * a quoted string (RFC 4475 §3.1.1.3) is text, not an illegal byte. Only
 * checked when a NUL turns up, so the common path pays nothing.
 */
static bool
sip_nul_is_quoted_pair(const char *line, const char *at)
{
	bool quoted = false;

	for (const char *q = line; q < at; q++) {
		if (quoted && *q == '\\') {
			if (q + 1 == at)
				return true;
			q++;
		} else if (*q == '"') {
			quoted = !quoted;
		}
	}
	return false;
}

/* ---- Start line ----------------------------------------------------- */

static int
sip_fail(struct sip_msg *msg, enum sip_err e, const char *at)
{
	if (msg->err == SIP_ERR_NONE) {
		msg->err = e;
		msg->err_off = (uint32_t)(at - msg->buf);
	}
	return -EBADMSG;
}

static inline struct sip_span
sip_span_of(const struct sip_msg *msg, const char *p, const char *end)
{
	return (struct sip_span){ (uint32_t)(p - msg->buf),
				  (uint32_t)(end - p) };
}

static bool
sip_is_version(const char *p, const char *end)
{
	static const char v[] = "sip/2.0";

	if (end - p != 7)
		return false;
	for (unsigned i = 0; i < 7; i++)
		if (sstr_lower(p[i]) != v[i])
			return false;
	return true;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF */
static int
sip_parse_status_line(struct sip_msg *msg, const char *p, const char *le)
{
	const char *sp = memchr(p, ' ', (size_t)(le - p));

	if (sp == NULL)
		return sip_fail(msg, SIP_ERR_BAD_START_LINE, p);
	msg->version = sip_span_of(msg, p, sp);
	if (!sip_is_version(p, sp))
		return sip_fail(msg, SIP_ERR_BAD_VERSION, p);
	const char *c = sp + 1;
	const char *ce = c;

	while (ce < le && sip_is(*ce, SIP_C_DIGIT))
		ce++;
	if (ce - c != 3 || (ce < le && *ce != ' ') || c[0] < '1' ||
	    c[0] > '6')
		return sip_fail(msg, SIP_ERR_BAD_STATUS, c);
	msg->status = (uint16_t)((c[0] - '0') * 100 + (c[1] - '0') * 10 +
				 (c[2] - '0'));
	/* An empty reason phrase, with or without its SP, is accepted. */
	const char *r = ce < le ? ce + 1 : le;

	for (const char *q = r; q < le; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t')
			return sip_fail(msg, SIP_ERR_BAD_REASON, q);
	msg->reason = sip_span_of(msg, r, le);
	msg->kind = SIP_MSG_RESPONSE;
	return 0;
}

/* Request-Line = Method SP Request-URI SP SIP-Version CRLF */
static int
sip_parse_request_line(struct sip_msg *msg, const char *p, const char *le)
{
	const char *q = sip_span_class(p, le, SIP_C_TOKEN);

	if (q == p || q == le || *q != ' ')
		return sip_fail(msg, q == p ? SIP_ERR_BAD_METHOD :
				(q < le && *q != ' ') ? SIP_ERR_BAD_METHOD :
				SIP_ERR_BAD_START_LINE, q);
	msg->method_s = sip_span_of(msg, p, q);
	msg->method = (uint8_t)sip_method_of(sstr_make(p, q));
	const char *u = q + 1;
	const char *ue = u;

	/* Exactly one SP between the elements (RFC 4475 §3.1.2.5). */
	while (ue < le && (unsigned char)*ue > 0x20 && *ue != 0x7f)
		ue++;
	if (ue == u)
		return sip_fail(msg, u < le && *u == ' ' ?
				SIP_ERR_BAD_START_LINE :
				SIP_ERR_BAD_REQUEST_URI, u);
	if (ue == le || *ue != ' ')
		return sip_fail(msg, ue == le ? SIP_ERR_BAD_START_LINE :
				SIP_ERR_BAD_REQUEST_URI, ue);
	msg->ruri = sip_span_of(msg, u, ue);
	const char *v = ue + 1;

	if (!sip_is_version(v, le))
		return sip_fail(msg, v < le && (*v == ' ' || le[-1] == ' ') ?
				SIP_ERR_BAD_START_LINE : SIP_ERR_BAD_VERSION,
				v);
	msg->version = sip_span_of(msg, v, le);
	msg->kind = SIP_MSG_REQUEST;
	return 0;
}

static int
sip_parse_start_line(struct sip_msg *msg, const char *p, const char *le)
{
	if (le - p >= 4 && sstr_lower(p[0]) == 's' && sstr_lower(p[1]) == 'i' &&
	    sstr_lower(p[2]) == 'p' && p[3] == '/')
		return sip_parse_status_line(msg, p, le);
	return sip_parse_request_line(msg, p, le);
}

/* ---- Headers -------------------------------------------------------- */

static inline bool
sip_is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* Content-Length: read as soon as it is seen, since it frames the body. */
static int
sip_read_content_length(struct sip_msg *msg, const char *v, const char *ve)
{
	uint64_t n = 0;

	if (v == ve)
		return sip_fail(msg, SIP_ERR_BAD_CONTENT_LENGTH, v);
	for (const char *q = v; q < ve; q++) {
		unsigned d = (unsigned char)*q - '0';

		if (d > 9 || n > UINT32_MAX / 10)
			return sip_fail(msg, SIP_ERR_BAD_CONTENT_LENGTH, q);
		n = n * 10 + d;
	}
	if (n > UINT32_MAX)
		return sip_fail(msg, SIP_ERR_BAD_CONTENT_LENGTH, v);
	if (msg->content_length >= 0) {
		/* Two lengths frame the body two ways: refuse, whatever they say. */
		msg->err_hdr = SIP_HDR_CONTENT_LENGTH;
		return sip_fail(msg, SIP_ERR_DUPLICATE_HEADER, v);
	}
	msg->content_length = (int64_t)n;
	return 0;
}

/*
 * A header line [p, le) (CRLF excluded); returns 0, 1 when a fast parse
 * skipped it, or -EBADMSG.
 */
static inline int
sip_parse_header(struct sip_msg *restrict msg, const char *p, const char *le,
		const char *end, uint16_t *last, unsigned flags)
{
	if ((flags & SIP_PARSE_FAST) && !sip_fast_first[(unsigned char)*p])
		return 1;
	const char *colon;
#if defined(__SSE2__)
	/* Names are short: one load usually finds the colon. */
	if (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)p);
		uint32_t cm = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v,
				_mm_set1_epi8(':')));

		if (le - p < 16)
			cm &= (1u << (le - p)) - 1;
		if (cm)
			colon = p + __builtin_ctz(cm);
		else
			colon = le - p > 16 ? memchr(p + 16, ':',
					(size_t)(le - p - 16)) : NULL;
	} else
#endif
	{
		colon = memchr(p, ':', (size_t)(le - p));
	}

	if (colon == NULL)
		return sip_fail(msg, SIP_ERR_MISSING_COLON, p);
	const char *ne = colon;

	/* HCOLON = *( SP / HTAB ) ":" SWS */
	while (ne > p && sip_is_wsp(ne[-1]))
		ne--;
	if (ne == p)
		return sip_fail(msg, SIP_ERR_BAD_HEADER_NAME, p);
	uint32_t nlen = (uint32_t)(ne - p);
	enum sip_hdr_type t = sip_name_classify(p, nlen, end);

	if ((flags & SIP_PARSE_FAST) && !(SIP_PARSE_FAST_MASK & SIP_HDR_BIT(t)))
		return 1;
	if (t == SIP_HDR_OTHER &&
	    sip_span_class(p, ne, SIP_C_TOKEN) != ne)
		return sip_fail(msg, SIP_ERR_BAD_HEADER_NAME, p);

	const char *v = sip_skip_ws(colon + 1, le);
	const char *ve = le;

	while (ve > v && sip_is_wsp(ve[-1]))
		ve--;

	uint16_t idx = msg->n_hdrs++;
	struct sip_hdr *h = &msg->hdrs[idx];

	h->type = (uint8_t)t;
	h->compact = nlen == 1;
	h->next = 0;
	h->name_len = (uint16_t)nlen;
	h->rsvd = 0;
	h->off = (uint32_t)(p - msg->buf);
	h->val_off = (uint32_t)(v - msg->buf);
	h->val_len = (uint32_t)(ve - v);
	h->line_len = (uint32_t)(le - p);

	uint64_t bit = SIP_HDR_BIT(t);

	if (t != SIP_HDR_OTHER) {
		msg->dup |= msg->seen & bit;
		if (last[t])
			msg->hdrs[last[t] - 1].next = idx + 1;
		else
			msg->first[t] = idx + 1;
		last[t] = idx + 1;
	}
	msg->seen |= bit;
	if (t == SIP_HDR_CONTENT_LENGTH)
		return sip_read_content_length(msg, v, ve);
	return 0;
}

/* A continuation line [p, le) extends the previous header. */
static int
sip_parse_continuation(struct sip_msg *msg, const char *p, const char *le)
{
	if (msg->n_hdrs == 0)
		return sip_fail(msg, SIP_ERR_CONTINUATION_FIRST, p);
	struct sip_hdr *h = &msg->hdrs[msg->n_hdrs - 1];
	const char *ve = le;

	while (ve > p && sip_is_wsp(ve[-1]))
		ve--;
	if (ve > p) {
		if (h->val_len == 0)
			h->val_off = (uint32_t)(sip_skip_ws(p, le) - msg->buf);
		h->val_len = (uint32_t)(ve - msg->buf) - h->val_off;
	}
	h->line_len = (uint32_t)(le - msg->buf) - h->off;
	if (h->type == SIP_HDR_CONTENT_LENGTH) {
		/* Re-read the folded value: rare, and framing depends on it. */
		const char *v = msg->buf + h->val_off;
		const char *q = v, *e = v + h->val_len;

		while (q < e && sip_is(*q, SIP_C_DIGIT))
			q++;
		if (sip_skip_lws(q, e) != e)
			return sip_fail(msg, SIP_ERR_BAD_CONTENT_LENGTH, q);
		msg->content_length = -1;
		return sip_read_content_length(msg, v, q);
	}
	return 0;
}

static void
sip_msg_reset(struct sip_msg *msg, const char *buf, uint16_t max_hdrs)
{
	msg->buf = buf;
	msg->len = 0;
	msg->skipped = 0;
	msg->head_len = 0;
	msg->body = (struct sip_span){ 0, 0 };
	msg->kind = 0;
	msg->method = 0;
	msg->status = 0;
	msg->method_s = msg->ruri = msg->version = msg->reason =
		(struct sip_span){ 0, 0 };
	msg->content_length = -1;
	msg->seen = 0;
	msg->dup = 0;
	msg->n_hdrs = 0;
	msg->max_hdrs = max_hdrs;
	msg->err = SIP_ERR_NONE;
	msg->err_hdr = 0;
	msg->rsvd = 0;
	msg->err_off = 0;
	memset(msg->first, 0, sizeof(msg->first));
}

/* The end of the head: frame the body. */
static int
sip_parse_body(struct sip_msg *msg, const char *start, const char *body,
		const char *end, bool stream, const struct sip_limits *lim)
{
	uint64_t avail = (uint64_t)(end - body);

	msg->head_len = (uint32_t)(body - msg->buf);
	if (stream) {
		if (msg->content_length < 0)
			return sip_fail(msg, SIP_ERR_NO_CONTENT_LENGTH, body);
		uint64_t total = msg->head_len + (uint64_t)msg->content_length;

		if (total > lim->max_msg_size)
			return sip_fail(msg, SIP_ERR_TOO_BIG, body);
		if ((uint64_t)msg->content_length > avail)
			return 0;
		msg->body = (struct sip_span){ msg->head_len,
					       (uint32_t)msg->content_length };
		msg->len = (uint32_t)total;
		return (int)(msg->skipped + msg->len);
	}
	if (msg->content_length < 0) {
		msg->body = (struct sip_span){ msg->head_len, (uint32_t)avail };
	} else {
		if ((uint64_t)msg->content_length > avail)
			return sip_fail(msg, SIP_ERR_BODY_SHORT, end);
		msg->body = (struct sip_span){ msg->head_len,
					       (uint32_t)msg->content_length };
	}
	/* RFC 3261 §18.3: octets past Content-Length are discarded. */
	msg->len = msg->head_len + msg->body.len;
	return (int)(end - start);
}

/* Where the head runs out before its empty line. */
static int
sip_parse_unterminated(struct sip_msg *msg, const char *p, const char *end,
		bool stream, const struct sip_limits *lim)
{
	if (stream && (uint64_t)(end - p) <= lim->max_msg_size)
		return 0;
	return sip_fail(msg, stream ? SIP_ERR_TOO_BIG :
			SIP_ERR_NO_END_OF_HEADERS, end);
}

/* A CR or NUL at `at` not followed by LF: an error unless a quoted NUL. */
static bool
sip_is_bad_byte(const char *line, const char *at)
{
	return *at != '\0' || !sip_nul_is_quoted_pair(line, at);
}

/*
 * Judge the bad bytes of a chunk below bit `upto` (64: all), lowest first;
 * a quoted NUL is forgiven and cleared. Returns 0 or -EBADMSG.
 */
static int
sip_blk_judge(struct sip_msg *msg, struct sip_blk *b, const char *blk,
		const char *line, unsigned upto)
{
	uint64_t mask = upto >= 64 ? ~UINT64_C(0) : (UINT64_C(1) << upto) - 1;

	if (b->prev_bad) {
		if (sip_is_bad_byte(line, blk - 1))
			return sip_fail(msg, blk[-1] ? SIP_ERR_BARE_CR :
					SIP_ERR_NUL_IN_HEAD, blk - 1);
		b->prev_bad = false;
	}
	while (b->bad & mask) {
		uint64_t bit = b->bad & -b->bad;
		const char *at = blk + __builtin_ctzll(bit);

		if (sip_is_bad_byte(line, at))
			return sip_fail(msg, *at ? SIP_ERR_BARE_CR :
					SIP_ERR_NUL_IN_HEAD, at);
		b->bad &= ~bit;
	}
	return 0;
}

/* Per-parse line state, kept apart so the block loop stays small. */
struct sip_lines {
	const char *line;      /* start of the current line */
	const char *hdr_start; /* start of the current header, NULL before */
	uint32_t nlines;       /* header lines, recorded or not */
	bool first;            /* the next line is the start line */
	bool skipping;         /* the current header was skipped (FAST) */
	uint16_t last[SIP_HDR__COUNT]; /* last header of each type + 1 */
};

/*
 * One line [ls->line, nl) ending in the LF at nl. Returns 1 at the empty
 * line that ends the head, 0 to go on, -EBADMSG.
 */
static inline int
sip_parse_line(struct sip_msg *restrict msg, struct sip_lines *restrict ls,
		const char *nl, const char *end, unsigned flags,
		const struct sip_limits *lim)
{
	const char *line = ls->line;
	const char *le = nl;
	int rc;

	if (nl > line) {
		if (nl[-1] == '\r')
			le = nl - 1;
		else if (nl[-1] == '\0' && sip_is_bad_byte(line, nl - 1))
			return sip_fail(msg, SIP_ERR_NUL_IN_HEAD, nl - 1);
	}
	ls->line = nl + 1;
	if (le == line) {
		if (ls->first)
			return sip_fail(msg, SIP_ERR_BAD_START_LINE, line);
		return 1;
	}
	if (__builtin_expect(ls->first, 0)) {
		ls->first = false;
		return sip_parse_start_line(msg, line, le);
	}
	if (line[0] == ' ' || line[0] == '\t') {
		if (ls->hdr_start == NULL)
			return sip_fail(msg, SIP_ERR_CONTINUATION_FIRST, line);
		rc = ls->skipping ? 0 : sip_parse_continuation(msg, line, le);
	} else {
		if (++ls->nlines > msg->max_hdrs)
			return sip_fail(msg, SIP_ERR_TOO_MANY_HEADERS, line);
		ls->hdr_start = line;
		rc = sip_parse_header(msg, line, le, end, ls->last, flags);
		ls->skipping = rc == 1;
		rc = rc < 0 ? rc : 0;
	}
	if (rc == 0 && (uint64_t)(le - ls->hdr_start) > lim->max_hdr_len)
		return sip_fail(msg, SIP_ERR_HEADER_TOO_LONG, ls->hdr_start);
	return rc;
}

int
sip_msg_parse(struct sip_msg *msg, const char *p, const char *end,
		unsigned flags, const struct sip_limits *lim)
{
	const char *start = p;
	bool stream = flags & SIP_PARSE_STREAM;
	struct sip_lines ls;

	if (lim == NULL)
		lim = &sip_limits_default;
	/* RFC 3261 §7.5: CRLFs before the start line are ignored. */
	while (p < end && (*p == '\n' || (*p == '\r' && p + 1 < end &&
					  p[1] == '\n')))
		p++;
	sip_msg_reset(msg, p, lim->max_hdrs < SIP_MSG_MAX_HDRS ?
			lim->max_hdrs : SIP_MSG_MAX_HDRS);
	msg->skipped = (uint32_t)(p - start);
	if (p == end) {
		if (stream)
			return 0;
		return sip_fail(msg, SIP_ERR_EMPTY, p);
	}
	if (!stream && (uint64_t)(end - p) > lim->max_msg_size)
		return sip_fail(msg, SIP_ERR_TOO_BIG, p + lim->max_msg_size);
	memset(ls.last, 0, sizeof(ls.last));
	ls.line = p;
	ls.hdr_start = NULL;
	ls.nlines = 0;
	ls.first = true;
	ls.skipping = false;

	bool carry = false; /* the previous chunk ended in CR or NUL */

	for (const char *blk = p; blk < end; blk += SIP_CHUNK) {
		struct sip_blk b;
		char tail[SIP_CHUNK];
		unsigned n = end - blk >= SIP_CHUNK ? SIP_CHUNK :
			     (unsigned)(end - blk);

		if (__builtin_expect(n == SIP_CHUNK, 1)) {
			sip_blk_scan(blk, SIP_CHUNK, &b);
		} else {
			/* Pad with a byte of no interest: no mask bit set. */
			memset(tail, 'x', sizeof(tail));
			memcpy(tail, blk, n);
			sip_blk_scan(tail, n, &b);
		}
		b.prev_bad = carry && !(b.lf & 1);
		carry = b.sp_last;
		bool suspect = b.bad || b.prev_bad;

		while (b.lf) {
			unsigned i = (unsigned)__builtin_ctzll(b.lf);
			int rc;

			b.lf &= b.lf - 1;
			/* Bad bytes before this LF are in the head. */
			if (__builtin_expect(suspect, 0) &&
			    sip_blk_judge(msg, &b, blk, ls.line, i) < 0)
				return -EBADMSG;
			rc = sip_parse_line(msg, &ls, blk + i, end, flags, lim);
			if (__builtin_expect(rc != 0, 0)) {
				if (rc < 0)
					return rc;
				return sip_parse_body(msg, start, ls.line, end,
						stream, lim);
			}
		}
		/* Whatever is left in the chunk is in the head too. */
		if (__builtin_expect(suspect, 0) &&
		    sip_blk_judge(msg, &b, blk, ls.line, 64) < 0)
			return -EBADMSG;
	}
	return sip_parse_unterminated(msg, p, end, stream, lim);
}

int
sip_msg_err_describe(const struct sip_msg *msg, char *out, size_t cap)
{
	if (msg->err_hdr != SIP_HDR_OTHER)
		return snprintf(out, cap, "%s: %s (offset %u)",
				sip_err_str(msg->err),
				sip_hdr_type_str(msg->err_hdr), msg->err_off);
	return snprintf(out, cap, "%s (offset %u)", sip_err_str(msg->err),
			msg->err_off);
}
