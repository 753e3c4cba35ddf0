/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stream framing of SIP (ctl_tcp_frame()): keepalives, the end of the
 * head, then Content-Length. Kept apart from the sockets so that TLS can
 * frame its decrypted bytes with it too.
 */
#include <errno.h>
#include <string.h>

#include "control/tcp/ctl_tcp.h"
#include "platform/sip/sip.h"

const char *
ctl_tcp_zone_str(enum ctl_tcp_zone zone)
{
	static const char *const names[] = {
		[CTL_TCP_ZONE_OUTSIDE] = "outside",
		[CTL_TCP_ZONE_INSIDE] = "inside",
	};

	return (unsigned)zone < CTL_TCP_ZONE__COUNT ? names[zone] : "unknown";
}

const char *
ctl_tcp_unit_str(enum ctl_tcp_unit unit)
{
	static const char *const names[] = {
		[CTL_TCP_UNIT_MSG] = "msg",
		[CTL_TCP_UNIT_PING] = "ping",
		[CTL_TCP_UNIT_CRLF] = "crlf",
	};

	return (unsigned)unit < sizeof(names) / sizeof(names[0]) ?
		       names[unit] : "unknown";
}

/*
 * Line ends where a message would start. RFC 5626 §3.5.1: CRLFCRLF is a
 * ping. RFC 3261 §7.5: other CRLFs before a start line are ignored. A
 * lone CRLF may be the first half of a ping whose second half is still on
 * the way, so it is only taken as stray once the byte after it is known.
 * A CR not followed by LF starts no line end: the parser will judge it.
 */
static int
ctl_tcp_frame_eol(const char *p, size_t avail, enum ctl_tcp_unit *unit)
{
	if (p[0] == '\n') {
		*unit = CTL_TCP_UNIT_CRLF;
		return 1;
	}
	if (avail < 2)
		return 0;
	if (p[1] != '\n')
		return -1;
	if (avail == 2 || (avail == 3 && p[2] == '\r'))
		return 0;
	if (avail >= 4 && p[2] == '\r' && p[3] == '\n') {
		*unit = CTL_TCP_UNIT_PING;
		return 4;
	}
	*unit = CTL_TCP_UNIT_CRLF;
	return 2;
}

/*
 * Find the empty line that ends the head (LF LF or LF CR LF, as the
 * parser splits lines), from f->scan on. Each byte is looked at about
 * once however the message is cut into reads: an LF whose followers have
 * not arrived yet is where the next search starts.
 *
 * @return 1 when found, 0 when not (yet).
 */
static int
ctl_tcp_frame_head_end(struct ctl_tcp_framer *f, const char *p, size_t n)
{
	size_t i = f->scan;
	const char *nl;

	while (i < n && (nl = memchr(p + i, '\n', n - i)) != NULL) {
		size_t k = (size_t)(nl - p);

		if (k + 1 >= n || (p[k + 1] == '\r' && k + 2 >= n)) {
			f->scan = (uint32_t)k;
			return 0;
		}
		if (p[k + 1] == '\n' || (p[k + 1] == '\r' && p[k + 2] == '\n'))
			return 1;
		i = k + 1;
	}
	f->scan = (uint32_t)n;
	return 0;
}

/* The whole head is there: parse it, and the body when it is there. */
static int
ctl_tcp_frame_parse(struct ctl_tcp_framer *f, const char *p, const char *end,
		const struct sip_limits *lim, struct sip_msg *m,
		enum ctl_tcp_unit *unit)
{
	int rc = sip_msg_parse(m, p, end, SIP_PARSE_STREAM, lim);

	if (rc > 0) {
		*f = (struct ctl_tcp_framer){ 0, 0 };
		*unit = CTL_TCP_UNIT_MSG;
		return rc;
	}
	if (rc < 0) {
		*f = (struct ctl_tcp_framer){ 0, 0 };
		return -EBADMSG;
	}
	/*
	 * The body is still on the way: its length is known (the parser
	 * checked it against the limit), so the next parse waits for all
	 * of it. Should the parser not have seen the head end where the
	 * search did (it cannot: both split lines at LF), searching on is
	 * safe: the size limit still ends it.
	 */
	if (m->head_len > 0 && m->content_length >= 0)
		f->need = m->skipped + m->head_len +
			  (uint32_t)m->content_length;
	else
		f->scan = (uint32_t)(end - p);
	return 0;
}

int
ctl_tcp_frame(struct ctl_tcp_framer *f, const char *p, const char *end,
		const struct sip_limits *lim, struct sip_msg *m,
		enum ctl_tcp_unit *unit)
{
	size_t avail = (size_t)(end - p), n;
	int rc;

	if (lim == NULL)
		lim = &sip_limits_default;
	if (avail == 0)
		return 0;
	if (f->need > 0)
		return avail < f->need ? 0 :
					 ctl_tcp_frame_parse(f, p, end, lim, m,
							 unit);
	if (f->scan == 0 && (p[0] == '\r' || p[0] == '\n')) {
		rc = ctl_tcp_frame_eol(p, avail, unit);
		if (rc >= 0)
			return rc;
	}
	/* A head that ends past the size limit is too big anyway. */
	n = avail < lim->max_msg_size ? avail : lim->max_msg_size;
	if (ctl_tcp_frame_head_end(f, p, n))
		return ctl_tcp_frame_parse(f, p, end, lim, m, unit);
	if (avail < lim->max_msg_size)
		return 0;
	*f = (struct ctl_tcp_framer){ 0, 0 };
	return -EMSGSIZE;
}
