/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * multipart bodies (RFC 2046 §5.1) as RLMI NOTIFYs carry them (RFC 4662):
 * split into parts, each with its header block and body, no copies.
 */
#include <errno.h>
#include <string.h>

#include "platform/sip/sip_priv.h"

/* RFC 2046: boundary := 0*69<bchars> bcharsnospace */
#define SIP_MPART_BOUNDARY_MAX 70

int
sip_mpart_init(struct sip_mpart_iter *it, struct sstr body,
		struct sstr boundary)
{
	if (boundary.len >= 2 && boundary.p[0] == '"' &&
	    boundary.p[boundary.len - 1] == '"')
		boundary = (struct sstr){ boundary.p + 1, boundary.len - 2 };
	if (boundary.len == 0 || boundary.len > SIP_MPART_BOUNDARY_MAX)
		return -EINVAL;
	it->p = body.p;
	it->end = sstr_end(body);
	it->boundary = boundary;
	it->done = false;
	return 0;
}

/*
 * Find the next delimiter line "--boundary" at the start of the body or
 * after a line break. Returns its first '-' or NULL; *lb is where the
 * line break before it starts (the end of the previous part).
 */
static const char *
sip_mpart_find(const struct sip_mpart_iter *it, const char *p,
		const char **lb)
{
	const char *end = it->end;
	uint32_t bl = it->boundary.len;

	while (p + 2 + bl <= end) {
		const char *d = memchr(p, '-', (size_t)(end - p));

		if (d == NULL || d + 2 + bl > end)
			return NULL;
		bool at_line = d == it->p || d[-1] == '\n';

		if (at_line && d[1] == '-' &&
		    memcmp(d + 2, it->boundary.p, bl) == 0) {
			const char *b = d;

			if (b > it->p && b[-1] == '\n')
				b--;
			if (b > it->p && b[-1] == '\r')
				b--;
			*lb = b;
			return d;
		}
		p = d + 1;
	}
	return NULL;
}

/* Skip the rest of a delimiter line (transport padding) and its break. */
static const char *
sip_mpart_line_end(const char *p, const char *end)
{
	p = sip_skip_ws(p, end);
	if (p < end && *p == '\r')
		p++;
	if (p < end && *p == '\n')
		return p + 1;
	return p == end ? p : NULL;
}

/* The value of header `name` in a part's header block. */
static struct sstr
sip_mpart_hdr(struct sstr hdrs, const char *name, char compact)
{
	const char *p = hdrs.p, *end = sstr_end(hdrs);
	size_t nl = strlen(name);

	while (p < end) {
		const char *le = memchr(p, '\n', (size_t)(end - p));
		const char *colon;

		if (le == NULL)
			le = end;
		colon = memchr(p, ':', (size_t)(le - p));
		if (colon) {
			struct sstr n = sstr_make(p, sip_rtrim(p, colon));

			if (sstr_eq_nocase(n, (struct sstr){ name, (uint32_t)nl }) ||
			    (compact && n.len == 1 &&
			     sstr_lower(n.p[0]) == compact)) {
				const char *v = sip_skip_ws(colon + 1, le);

				return sstr_make(v, sip_rtrim(v, le));
			}
		}
		p = le + 1;
	}
	return SSTR_NULL;
}

int
sip_mpart_next(struct sip_mpart_iter *it, struct sip_mpart *part)
{
	const char *lb, *d;

	if (it->done)
		return 0;
	d = sip_mpart_find(it, it->p, &lb);
	if (d == NULL)
		return -EINVAL;
	/* The first call skips the preamble; later ones start at a delimiter. */
	const char *q = d + 2 + it->boundary.len;

	if (q + 2 <= it->end && q[0] == '-' && q[1] == '-') {
		it->done = true;
		return 0;
	}
	const char *s = sip_mpart_line_end(q, it->end);

	if (s == NULL)
		return -EINVAL;
	const char *next = sip_mpart_find(it, s, &lb);

	if (next == NULL)
		return -EINVAL;
	/* Headers end at the first empty line; none when it comes first. */
	const char *he = s, *bs;

	if (s < lb && (*s == '\n' || (*s == '\r' && s + 1 < lb && s[1] == '\n'))) {
		bs = s + (*s == '\r' ? 2 : 1);
	} else {
		const char *e = NULL;

		for (const char *x = s; x < lb; x++) {
			if (*x != '\n')
				continue;
			const char *y = x + 1;

			if (y < lb && *y == '\r')
				y++;
			if (y < lb && *y == '\n') {
				e = y + 1;
				he = x + 1;
				break;
			}
		}
		if (e == NULL)
			return -EINVAL;
		bs = e;
	}
	part->headers = sstr_make(s, he);
	part->ctype = sip_mpart_hdr(part->headers, "Content-Type", 'c');
	part->cid = sip_mpart_hdr(part->headers, "Content-ID", 0);
	part->body = sstr_make(bs, lb > bs ? lb : bs);
	it->p = next;
	return 1;
}
