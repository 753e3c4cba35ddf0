/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SIP wire format: types only (RFC 3261 §7, §20, §25).
 *
 * A parsed message is the caller's buffer plus offsets into it. Offsets (not
 * pointers) make a parse result relocatable: the dataplane hands a message to
 * the control plane with its parse so that it is not parsed twice.
 */
#ifndef SIPEDGE_SIP_TYPES_H
#define SIPEDGE_SIP_TYPES_H

#include <stdbool.h>
#include <stdint.h>

#include "platform/sstr.h"

/*
 * Known headers: identifier, canonical name, compact form (0 = none).
 * One list makes the enum, the name table and the compact-form table.
 * At most 63 entries: a message keeps a 64-bit mask of the types it holds.
 */
#define SIP_HDR_LIST(_)                                                    \
	_(VIA, "Via", 'v')                                                 \
	_(FROM, "From", 'f')                                               \
	_(TO, "To", 't')                                                   \
	_(CALL_ID, "Call-ID", 'i')                                         \
	_(CSEQ, "CSeq", 0)                                                 \
	_(MAX_FORWARDS, "Max-Forwards", 0)                                 \
	_(CONTENT_LENGTH, "Content-Length", 'l')                           \
	_(CONTENT_TYPE, "Content-Type", 'c')                               \
	_(CONTACT, "Contact", 'm')                                         \
	_(P_ASSERTED_IDENTITY, "P-Asserted-Identity", 0)                   \
	_(REMOTE_PARTY_ID, "Remote-Party-ID", 0)                           \
	_(ROUTE, "Route", 0)                                               \
	_(RECORD_ROUTE, "Record-Route", 0)                                 \
	_(EXPIRES, "Expires", 0)                                           \
	_(MIN_EXPIRES, "Min-Expires", 0)                                   \
	_(EVENT, "Event", 'o')                                             \
	_(ALLOW_EVENTS, "Allow-Events", 'u')                               \
	_(SUBSCRIPTION_STATE, "Subscription-State", 0)                     \
	_(ACCEPT, "Accept", 0)                                             \
	_(ACCEPT_ENCODING, "Accept-Encoding", 0)                           \
	_(ACCEPT_LANGUAGE, "Accept-Language", 0)                           \
	_(SUPPORTED, "Supported", 'k')                                     \
	_(REQUIRE, "Require", 0)                                           \
	_(PROXY_REQUIRE, "Proxy-Require", 0)                               \
	_(UNSUPPORTED, "Unsupported", 0)                                   \
	_(ALLOW, "Allow", 0)                                               \
	_(SIP_ETAG, "SIP-ETag", 0)                                         \
	_(SIP_IF_MATCH, "SIP-If-Match", 0)                                 \
	_(CONTENT_ENCODING, "Content-Encoding", 'e')                       \
	_(CONTENT_DISPOSITION, "Content-Disposition", 0)                   \
	_(MIME_VERSION, "MIME-Version", 0)                                 \
	_(SUBJECT, "Subject", 's')                                         \
	_(USER_AGENT, "User-Agent", 0)                                     \
	_(SERVER, "Server", 0)                                             \
	_(AUTHORIZATION, "Authorization", 0)                               \
	_(PROXY_AUTHORIZATION, "Proxy-Authorization", 0)                   \
	_(WWW_AUTHENTICATE, "WWW-Authenticate", 0)                         \
	_(PROXY_AUTHENTICATE, "Proxy-Authenticate", 0)                     \
	_(REFER_TO, "Refer-To", 'r')                                       \
	_(REFERRED_BY, "Referred-By", 'b')                                 \
	_(SESSION_EXPIRES, "Session-Expires", 'x')                         \
	_(DATE, "Date", 0)                                                 \
	_(TIMESTAMP, "Timestamp", 0)                                       \
	_(WARNING, "Warning", 0)                                           \
	_(RETRY_AFTER, "Retry-After", 0)                                   \
	_(ORGANIZATION, "Organization", 0)                                 \
	_(PRIORITY, "Priority", 0)                                         \
	_(IDENTITY, "Identity", 'y')                                       \
	_(ACCEPT_CONTACT, "Accept-Contact", 'a')                           \
	_(REJECT_CONTACT, "Reject-Contact", 'j')                           \
	_(REQUEST_DISPOSITION, "Request-Disposition", 'd')                 \
	_(REASON, "Reason", 0)                                             \
	_(PATH, "Path", 0)                                                 \
	_(SERVICE_ROUTE, "Service-Route", 0)                               \
	_(P_PREFERRED_IDENTITY, "P-Preferred-Identity", 0)                 \
	_(PRIVACY, "Privacy", 0)

/** Header type. SIP_HDR_OTHER is any header not in the list. */
enum sip_hdr_type {
	SIP_HDR_OTHER = 0,
#define SIP_HDR_ENUM_(id, name, compact) SIP_HDR_##id,
	SIP_HDR_LIST(SIP_HDR_ENUM_)
#undef SIP_HDR_ENUM_
	SIP_HDR__COUNT
};

_Static_assert(SIP_HDR__COUNT <= 64, "header mask is 64 bits");

/** Bit of a header type in sip_msg.seen / sip_msg.dup. */
#define SIP_HDR_BIT(t) (UINT64_C(1) << (t))

/* Request methods: identifier and name. */
#define SIP_METHOD_LIST(_)                                                 \
	_(INVITE)                                                          \
	_(ACK)                                                             \
	_(BYE)                                                             \
	_(CANCEL)                                                          \
	_(OPTIONS)                                                         \
	_(REGISTER)                                                        \
	_(PRACK)                                                           \
	_(SUBSCRIBE)                                                       \
	_(NOTIFY)                                                          \
	_(PUBLISH)                                                         \
	_(INFO)                                                            \
	_(REFER)                                                           \
	_(MESSAGE)                                                         \
	_(UPDATE)

/** Request method. SIP_METHOD_OTHER is an extension method (a token). */
enum sip_method {
	SIP_METHOD_OTHER = 0,
#define SIP_METHOD_ENUM_(id) SIP_METHOD_##id,
	SIP_METHOD_LIST(SIP_METHOD_ENUM_)
#undef SIP_METHOD_ENUM_
	SIP_METHOD__COUNT
};

/*
 * Why a message failed to parse or validate: identifier and text. The text
 * is what `sipedgectl lint` prints and what the counters are named after.
 */
#define SIP_ERR_LIST(_)                                                    \
	_(NONE, "ok")                                                      \
	_(EMPTY, "empty message")                                          \
	_(TOO_BIG, "message larger than the size limit")                   \
	_(NO_END_OF_HEADERS, "head without its terminating empty line")    \
	_(NUL_IN_HEAD, "NUL byte in the message head")                     \
	_(BARE_CR, "bare CR in the message head")                          \
	_(BAD_START_LINE, "malformed start line")                          \
	_(BAD_METHOD, "malformed method")                                  \
	_(BAD_REQUEST_URI, "malformed Request-URI")                        \
	_(BAD_VERSION, "unsupported SIP version")                          \
	_(BAD_STATUS, "malformed status code")                             \
	_(BAD_REASON, "malformed reason phrase")                           \
	_(TOO_MANY_HEADERS, "more headers than the limit")                 \
	_(HEADER_TOO_LONG, "header longer than the limit")                 \
	_(BAD_HEADER_NAME, "malformed header name")                        \
	_(MISSING_COLON, "header line without a colon")                    \
	_(CONTINUATION_FIRST, "continuation line before any header")       \
	_(BAD_CONTENT_LENGTH, "malformed Content-Length")                  \
	_(BODY_SHORT, "body shorter than Content-Length")                  \
	_(NO_CONTENT_LENGTH, "Content-Length missing on a stream")         \
	_(MISSING_HEADER, "mandatory header missing")                      \
	_(DUPLICATE_HEADER, "header that must appear once appears twice")  \
	_(BAD_HEADER, "malformed header value")                            \
	_(BAD_CSEQ, "malformed CSeq")                                      \
	_(CSEQ_RANGE, "CSeq number out of range")                          \
	_(CSEQ_METHOD, "CSeq method does not match the request method")    \
	_(BAD_MAX_FORWARDS, "Max-Forwards out of range")                   \
	_(BAD_EXPIRES, "Expires out of range")                             \
	_(UNBALANCED, "unbalanced quotes or angle brackets")

/** Parse or validation failure reason. */
enum sip_err {
#define SIP_ERR_ENUM_(id, text) SIP_ERR_##id,
	SIP_ERR_LIST(SIP_ERR_ENUM_)
#undef SIP_ERR_ENUM_
	SIP_ERR__COUNT
};

/** Offset slice into sip_msg.buf. */
struct sip_span {
	uint32_t off; /**< offset from the start of the message */
	uint32_t len; /**< length in bytes */
};

/** One header line (with its continuation lines). */
struct sip_hdr {
	uint8_t type;      /**< enum sip_hdr_type */
	uint8_t compact;   /**< 1 when written in compact form */
	uint16_t next;     /**< index of the next header of this type, 0 = none */
	uint16_t name_len; /**< length of the name as written */
	uint16_t rsvd;     /**< reserved, zero */
	uint32_t off;      /**< offset of the name (start of the line) */
	uint32_t val_off;  /**< offset of the value, leading LWS skipped */
	uint32_t val_len;  /**< value length, trailing LWS and CRLF dropped */
	uint32_t line_len; /**< line and continuations, no final CRLF */
};

/** Most headers a parse records (a message with more is refused). */
#define SIP_MSG_MAX_HDRS 256

/** Request or response. */
enum sip_msg_kind {
	SIP_MSG_REQUEST = 1,
	SIP_MSG_RESPONSE = 2,
};

/**
 * A parsed message. Lives in per-worker scratch memory; nothing in it is
 * allocated. `buf` is borrowed from the caller for as long as the slices
 * are used.
 */
struct sip_msg {
	const char *buf;          /**< the message (borrowed) */
	uint32_t len;             /**< bytes the message takes (head + body) */
	uint32_t skipped;         /**< leading CRLFs skipped before buf */
	uint32_t head_len;        /**< start line, headers and the empty line */
	struct sip_span body;     /**< body (Content-Length bytes when given) */
	uint8_t kind;             /**< enum sip_msg_kind */
	uint8_t method;           /**< enum sip_method (requests) */
	uint16_t status;          /**< status code (responses) */
	struct sip_span method_s; /**< method token (requests) */
	struct sip_span ruri;     /**< Request-URI (requests) */
	struct sip_span version;  /**< SIP-Version as written */
	struct sip_span reason;   /**< reason phrase (responses, may be empty) */
	int64_t content_length;   /**< Content-Length value, -1 when absent */
	uint64_t seen;            /**< SIP_HDR_BIT of every type present */
	uint64_t dup;             /**< types that appear on more than one line */
	uint16_t n_hdrs;          /**< headers recorded */
	uint16_t max_hdrs;        /**< limit applied by this parse */
	uint16_t err;             /**< enum sip_err of the first failure */
	uint8_t err_hdr;          /**< header type the failure concerns */
	uint8_t rsvd;             /**< reserved, zero */
	uint32_t err_off;         /**< offset where the first failure was */
	uint16_t first[SIP_HDR__COUNT]; /**< index + 1 of the first header of
					   each type, 0 = absent */
	struct sip_hdr hdrs[SIP_MSG_MAX_HDRS]; /**< in message order */
};

/** Limits a parse enforces (the config's `sip:` section fills them). */
struct sip_limits {
	uint32_t max_msg_size; /**< bytes, head and body */
	uint16_t max_hdrs;     /**< header lines, at most SIP_MSG_MAX_HDRS */
	uint16_t max_hdr_len;  /**< bytes of one header with continuations */
};

/** URI scheme. */
enum sip_uri_scheme {
	SIP_URI_SIP = 1,
	SIP_URI_SIPS,
	SIP_URI_TEL,
	SIP_URI_OTHER, /**< any other absoluteURI (RFC 3261 §25.1) */
};

/** A parsed URI; slices point into the parsed text. */
struct sip_uri {
	uint8_t scheme;        /**< enum sip_uri_scheme */
	bool host_is_ipv6;     /**< host was an IPv6 reference */
	bool host_is_ipv4;     /**< host is an IPv4 address */
	uint16_t port;         /**< port, 0 when absent */
	struct sstr scheme_s;  /**< scheme as written */
	struct sstr user;      /**< user (or tel number), escaped as written */
	struct sstr password;  /**< password, escaped as written */
	struct sstr host;      /**< host; IPv6 without its brackets */
	struct sstr params;    /**< ";a=b;c" as written, leading ';' included */
	struct sstr headers;   /**< after '?', as written */
	struct sstr rest;      /**< absoluteURI: everything after "scheme:" */
};

/** A name-addr or addr-spec with the header parameters after it. */
struct sip_nameaddr {
	struct sstr display; /**< display name, quotes removed, escapes kept */
	struct sstr uri_s;   /**< the URI text */
	struct sip_uri uri;  /**< the parsed URI */
	struct sstr params;  /**< header params as written, ';' included */
	struct sstr tag;     /**< value of the tag parameter, if any */
	bool has_angle;      /**< written as <uri> */
};

/** One Via value (a via-parm). */
struct sip_via {
	struct sstr proto;     /**< "SIP" */
	struct sstr version;   /**< "2.0" */
	struct sstr transport; /**< UDP, TCP, TLS, SCTP or another token */
	struct sstr host;      /**< sent-by host; IPv6 without brackets */
	uint16_t port;         /**< sent-by port, 0 when absent */
	bool host_is_ipv6;     /**< the host was an IPv6 reference */
	bool has_rport;        /**< rport present (with or without value) */
	uint8_t ttl;           /**< ttl param value, 0 when absent */
	uint16_t rport;        /**< rport value, 0 when absent or empty */
	struct sstr branch;    /**< branch param value */
	struct sstr received;  /**< received param value */
	struct sstr maddr;     /**< maddr param value */
	struct sstr params;    /**< all params as written */
};

/** CSeq. */
struct sip_cseq {
	uint32_t seq;      /**< sequence number, < 2^31 */
	uint8_t method;    /**< enum sip_method */
	struct sstr method_s; /**< method as written */
};

/** A Contact value: '*' or a name-addr with q and expires. */
struct sip_contact {
	bool star;             /**< Contact: * */
	struct sip_nameaddr na; /**< the address (when not star) */
	uint16_t q;            /**< q-value in thousandths, 1000 when absent */
	bool has_q;            /**< q given */
	bool has_expires;      /**< expires param given */
	uint32_t expires;      /**< expires param value */
};

/** Event (RFC 6665). */
struct sip_event {
	struct sstr type;   /**< event package, with template (e.g. "presence.winfo") */
	struct sstr id;     /**< id param */
	struct sstr params; /**< all params as written */
};

/** Subscription-State (RFC 6665). */
struct sip_substate {
	struct sstr state;     /**< active, pending, terminated or extension */
	struct sstr reason;    /**< reason param */
	bool has_expires;      /**< expires param given */
	uint32_t expires;      /**< expires param */
	bool has_retry_after;  /**< retry-after param given */
	uint32_t retry_after;  /**< retry-after param */
};

/** A media type: Content-Type value or one Accept media-range. */
struct sip_mtype {
	struct sstr type;    /**< e.g. "application" or "*" */
	struct sstr subtype; /**< e.g. "pidf+xml" or "*" */
	struct sstr params;  /**< params as written, ';' included */
	uint16_t q;          /**< q-value in thousandths (Accept), 1000 absent */
};

/** One part of a multipart body. */
struct sip_mpart {
	struct sstr headers; /**< the part's header block (may be empty) */
	struct sstr ctype;   /**< the part's Content-Type value, if any */
	struct sstr cid;     /**< the part's Content-ID value, if any */
	struct sstr body;    /**< the part's body */
};

/** Iterator over a multipart body. */
struct sip_mpart_iter {
	const char *p;       /**< where the next delimiter search starts */
	const char *end;     /**< end of the body */
	struct sstr boundary; /**< boundary, without the leading "--" */
	bool done;           /**< close delimiter seen */
};

/** Iterator over the comma-separated values of every header of one type. */
struct sip_hdr_iter {
	const struct sip_msg *msg; /**< the message */
	uint16_t idx;              /**< index + 1 of the current header */
	const char *p;             /**< rest of the current header's value */
	const char *end;           /**< end of the current header's value */
};

/** One edit for sip_msg_rewrite(): replace [off, off + len) by repl. */
struct sip_edit {
	uint32_t off;     /**< offset into the message */
	uint32_t len;     /**< bytes replaced (0 inserts) */
	struct sstr repl; /**< replacement text */
};

/** An output buffer for the builders. */
struct sip_buf {
	char *p;       /**< start of the caller's memory */
	uint32_t len;  /**< bytes written */
	uint32_t cap;  /**< capacity */
	bool overflow; /**< set when a write did not fit */
};

#endif
