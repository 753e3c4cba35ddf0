/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builders: responses to parsed requests, new requests, and the copy with
 * edits that the SIP ALG uses to rewrite headers and SDP.
 */
#include <errno.h>
#include <string.h>

#include "platform/sip/sip_priv.h"

/* Standard reason phrases (RFC 3261 §21 and the event/publication RFCs). */
#define SIP_REASON_LIST(_)                                                 \
	_(100, "Trying")                                                   \
	_(180, "Ringing")                                                  \
	_(181, "Call Is Being Forwarded")                                  \
	_(182, "Queued")                                                   \
	_(183, "Session Progress")                                         \
	_(200, "OK")                                                       \
	_(202, "Accepted")                                                 \
	_(204, "No Notification")                                          \
	_(300, "Multiple Choices")                                         \
	_(301, "Moved Permanently")                                        \
	_(302, "Moved Temporarily")                                        \
	_(305, "Use Proxy")                                                \
	_(380, "Alternative Service")                                      \
	_(400, "Bad Request")                                              \
	_(401, "Unauthorized")                                             \
	_(402, "Payment Required")                                         \
	_(403, "Forbidden")                                                \
	_(404, "Not Found")                                                \
	_(405, "Method Not Allowed")                                       \
	_(406, "Not Acceptable")                                           \
	_(407, "Proxy Authentication Required")                            \
	_(408, "Request Timeout")                                          \
	_(410, "Gone")                                                     \
	_(412, "Conditional Request Failed")                               \
	_(413, "Request Entity Too Large")                                 \
	_(414, "Request-URI Too Long")                                     \
	_(415, "Unsupported Media Type")                                   \
	_(416, "Unsupported URI Scheme")                                   \
	_(420, "Bad Extension")                                            \
	_(421, "Extension Required")                                       \
	_(423, "Interval Too Brief")                                       \
	_(480, "Temporarily Unavailable")                                  \
	_(481, "Call/Transaction Does Not Exist")                          \
	_(482, "Loop Detected")                                            \
	_(483, "Too Many Hops")                                            \
	_(484, "Address Incomplete")                                       \
	_(485, "Ambiguous")                                                \
	_(486, "Busy Here")                                                \
	_(487, "Request Terminated")                                       \
	_(488, "Not Acceptable Here")                                      \
	_(489, "Bad Event")                                                \
	_(491, "Request Pending")                                          \
	_(493, "Undecipherable")                                           \
	_(500, "Server Internal Error")                                    \
	_(501, "Not Implemented")                                          \
	_(502, "Bad Gateway")                                              \
	_(503, "Service Unavailable")                                      \
	_(504, "Server Time-out")                                          \
	_(505, "Version Not Supported")                                    \
	_(513, "Message Too Large")                                        \
	_(600, "Busy Everywhere")                                          \
	_(603, "Decline")                                                  \
	_(604, "Does Not Exist Anywhere")                                  \
	_(606, "Not Acceptable")

const char *
sip_reason_str(uint16_t code)
{
	switch (code) {
#define SIP_REASON_CASE_(c, text)                                          \
	case c:                                                            \
		return text;
		SIP_REASON_LIST(SIP_REASON_CASE_)
#undef SIP_REASON_CASE_
	default:
		return "";
	}
}

void
sip_buf_init(struct sip_buf *b, char *mem, uint32_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->overflow = false;
}

void
sip_buf_put(struct sip_buf *b, const char *s, uint32_t len)
{
	if (b->overflow || len > b->cap - b->len) {
		b->overflow = true;
		return;
	}
	if (len)
		memcpy(b->p + b->len, s, len);
	b->len += len;
}

void
sip_buf_putc(struct sip_buf *b, const char *s)
{
	sip_buf_put(b, s, (uint32_t)strlen(s));
}

void
sip_buf_putu(struct sip_buf *b, uint64_t v)
{
	char tmp[20];
	unsigned n = sizeof(tmp);

	do {
		tmp[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	sip_buf_put(b, tmp + n, (uint32_t)(sizeof(tmp) - n));
}

void
sip_buf_hdr(struct sip_buf *b, const char *name, struct sstr value)
{
	sip_buf_putc(b, name);
	sip_buf_put(b, ": ", 2);
	sip_buf_puts(b, value);
	sip_buf_put(b, "\r\n", 2);
}

void
sip_build_request_line(struct sip_buf *b, struct sstr method, struct sstr uri)
{
	sip_buf_puts(b, method);
	sip_buf_put(b, " ", 1);
	sip_buf_puts(b, uri);
	sip_buf_putc(b, " SIP/2.0\r\n");
}

void
sip_build_status_line(struct sip_buf *b, uint16_t code, struct sstr reason)
{
	sip_buf_putc(b, "SIP/2.0 ");
	sip_buf_putu(b, code);
	sip_buf_put(b, " ", 1);
	if (reason.len == 0)
		reason = sstr_cstr(sip_reason_str(code));
	sip_buf_puts(b, reason);
	sip_buf_put(b, "\r\n", 2);
}

int
sip_build_finish(struct sip_buf *b, struct sstr ctype, struct sstr body)
{
	if (ctype.len)
		sip_buf_hdr(b, "Content-Type", ctype);
	sip_buf_putc(b, "Content-Length: ");
	sip_buf_putu(b, body.len);
	sip_buf_putc(b, "\r\n\r\n");
	sip_buf_puts(b, body);
	return b->overflow ? -ENOSPC : (int)b->len;
}

/* Copy every line of headers of type t, as written, under its full name. */
static void
sip_copy_hdrs(struct sip_buf *b, const struct sip_msg *req,
		enum sip_hdr_type t)
{
	for (const struct sip_hdr *h = sip_hdr_find(req, t); h;
			h = sip_hdr_find_next(req, h))
		sip_buf_hdr(b, sip_hdr_type_str(t), sip_hdr_value(req, h));
}

int
sip_build_response(const struct sip_msg *req, uint16_t code,
		struct sstr reason, struct sstr to_tag, struct sstr extra,
		struct sstr ctype, struct sstr body, unsigned flags, char *out,
		uint32_t cap)
{
	struct sip_buf b;
	struct sstr to = sip_msg_hdr_value(req, SIP_HDR_TO);
	struct sip_nameaddr na;

	sip_buf_init(&b, out, cap);
	sip_build_status_line(&b, code, reason);
	sip_copy_hdrs(&b, req, SIP_HDR_VIA);
	if (flags & SIP_BUILD_COPY_RR)
		sip_copy_hdrs(&b, req, SIP_HDR_RECORD_ROUTE);
	sip_buf_hdr(&b, "From", sip_msg_hdr_value(req, SIP_HDR_FROM));
	sip_buf_hdr(&b, "To", to);
	/* §8.2.6.2: a tag on the To of every response but 100, once. */
	if (code > 100 && to_tag.len &&
	    !(sip_nameaddr_parse(to.p, sstr_end(to), &na) == 0 &&
	      na.tag.len)) {
		b.len -= 2; /* reopen the To line before its CRLF */
		sip_buf_putc(&b, ";tag=");
		sip_buf_puts(&b, to_tag);
		sip_buf_put(&b, "\r\n", 2);
	}
	sip_buf_hdr(&b, "Call-ID", sip_msg_hdr_value(req, SIP_HDR_CALL_ID));
	sip_buf_hdr(&b, "CSeq", sip_msg_hdr_value(req, SIP_HDR_CSEQ));
	sip_buf_puts(&b, extra);
	return sip_build_finish(&b, ctype, body);
}

int
sip_msg_rewrite(const struct sip_msg *msg, const struct sip_edit *edits,
		unsigned n, char *out, uint32_t cap)
{
	const struct sip_hdr *cl = sip_hdr_find(msg, SIP_HDR_CONTENT_LENGTH);
	int64_t body_delta = 0;
	bool body_edit = false;
	uint32_t pos = 0;
	struct sip_buf b;
	char num[20];

	for (unsigned i = 0; i < n; i++) {
		if (edits[i].off < pos || edits[i].len > msg->len ||
		    edits[i].off > msg->len - edits[i].len)
			return -EINVAL;
		/* Content-Length itself is ours to rewrite. */
		if (cl && edits[i].off < cl->val_off + cl->val_len &&
		    edits[i].off + edits[i].len > cl->val_off)
			return -EINVAL;
		/* An insertion at the body's first byte belongs to the body. */
		if (edits[i].off >= msg->body.off) {
			body_edit = true;
			body_delta += (int64_t)edits[i].repl.len - edits[i].len;
		}
		pos = edits[i].off + edits[i].len;
	}
	sip_buf_init(&b, out, cap);
	uint64_t new_body = (uint64_t)((int64_t)msg->body.len + body_delta);
	unsigned nl = 0;

	do {
		num[sizeof(num) - ++nl] = (char)('0' + new_body % 10);
		new_body /= 10;
	} while (new_body);

	/* Where "Content-Length: N" goes when absent: before the empty line. */
	uint32_t head_end = msg->head_len -
			    (msg->buf[msg->head_len - 2] == '\r' ? 2 : 1);

	pos = 0;
	unsigned i = 0;
	bool cl_done = !body_edit;

	for (;;) {
		/* Next cut: an edit, the Content-Length value, or the end of
		 * the head when Content-Length must be added there. */
		uint32_t next = msg->len;
		int what = 0; /* 1 edit, 2 CL value, 3 CL insert */

		if (i < n && edits[i].off < next) {
			next = edits[i].off;
			what = 1;
		}
		if (!cl_done && cl && cl->val_off <= next) {
			next = cl->val_off;
			what = 2;
		}
		if (!cl_done && !cl && head_end <= next) {
			next = head_end;
			what = 3;
		}
		sip_buf_put(&b, msg->buf + pos, next - pos);
		pos = next;
		if (what == 0)
			break;
		if (what == 1) {
			sip_buf_puts(&b, edits[i].repl);
			pos += edits[i].len;
			i++;
		} else {
			if (what == 3)
				sip_buf_putc(&b, "Content-Length: ");
			sip_buf_put(&b, num + sizeof(num) - nl, nl);
			if (what == 3)
				sip_buf_put(&b, "\r\n", 2);
			else
				pos += cl->val_len;
			cl_done = true;
		}
	}
	return b.overflow ? -ENOSPC : (int)b.len;
}
