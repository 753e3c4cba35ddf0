/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `sipedgectl lint FILE...`: judge each file as one UDP datagram would be
 * judged (RFC 3261 §18.3), offline. Files written with bare LF line ends
 * (no CR anywhere) are read as CRLF, since that is how they go on the wire.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl.h"
#include "platform/sip/sip.h"

/* Largest file lint reads: a datagram cannot be larger. */
#define LINT_MAX_FILE (1u << 20)

static void
json_str(FILE *out, struct sstr s)
{
	fputc('"', out);
	for (uint32_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out); /* UTF-8 passes through */
	}
	fputc('"', out);
}

static void
json_uri(FILE *out, const struct sip_uri *u)
{
	static const char *const schemes[] = { "", "sip", "sips", "tel",
					       "other" };

	fprintf(out, "{\"scheme\":\"%s\",\"user\":", schemes[u->scheme]);
	json_str(out, u->user);
	fputs(",\"host\":", out);
	json_str(out, u->host);
	fprintf(out, ",\"port\":%u,\"params\":", u->port);
	json_str(out, u->params);
	fputs("}", out);
}

static void
json_nameaddr(FILE *out, const struct sip_nameaddr *na)
{
	fputs("{\"display\":", out);
	json_str(out, na->display);
	fputs(",\"uri\":", out);
	json_uri(out, &na->uri);
	fputs(",\"tag\":", out);
	json_str(out, na->tag);
	fputs(",\"params\":", out);
	json_str(out, na->params);
	fputs("}", out);
}

/* The parsed form of the headers the sub-parsers know, by type. */
static void
json_hdr_parsed(FILE *out, enum sip_hdr_type t, struct sstr v)
{
	const char *e = sstr_end(v);

	switch (t) {
	case SIP_HDR_FROM:
	case SIP_HDR_TO:
	case SIP_HDR_P_ASSERTED_IDENTITY:
	case SIP_HDR_REMOTE_PARTY_ID: {
		struct sip_nameaddr na;

		if (sip_nameaddr_parse(v.p, e, &na) == 0) {
			fputs(",\"parsed\":", out);
			json_nameaddr(out, &na);
		}
		break;
	}
	case SIP_HDR_VIA: {
		struct sip_via via;

		if (sip_via_parse(v.p, e, &via) == 0) {
			fputs(",\"parsed\":{\"transport\":", out);
			json_str(out, via.transport);
			fputs(",\"host\":", out);
			json_str(out, via.host);
			fprintf(out, ",\"port\":%u,\"branch\":", via.port);
			json_str(out, via.branch);
			fprintf(out, ",\"rport\":%s}",
					via.has_rport ? "true" : "false");
		}
		break;
	}
	case SIP_HDR_CSEQ: {
		struct sip_cseq cs;

		if (sip_cseq_parse(v.p, e, &cs) == 0) {
			fprintf(out, ",\"parsed\":{\"seq\":%u,\"method\":",
					cs.seq);
			json_str(out, cs.method_s);
			fputs("}", out);
		}
		break;
	}
	case SIP_HDR_CONTACT: {
		struct sip_contact c;

		if (sip_contact_parse(v.p, e, &c) == 0 && !c.star) {
			fputs(",\"parsed\":", out);
			json_nameaddr(out, &c.na);
		}
		break;
	}
	case SIP_HDR_EVENT: {
		struct sip_event ev;

		if (sip_event_parse(v.p, e, &ev) == 0) {
			fputs(",\"parsed\":{\"event\":", out);
			json_str(out, ev.type);
			fputs(",\"id\":", out);
			json_str(out, ev.id);
			fputs("}", out);
		}
		break;
	}
	default:
		break;
	}
}

static void
json_msg(FILE *out, const char *file, const struct sip_msg *msg, bool ok)
{
	char why[160];

	fputs("{\"file\":", out);
	json_str(out, sstr_cstr(file));
	fprintf(out, ",\"valid\":%s", ok ? "true" : "false");
	if (!ok) {
		sip_msg_err_describe(msg, why, sizeof(why));
		fputs(",\"error\":", out);
		json_str(out, sstr_cstr(why));
		fprintf(out, ",\"error_id\":\"%s\"", sip_err_id_str(msg->err));
	}
	if (msg->kind == SIP_MSG_REQUEST) {
		fputs(",\"kind\":\"request\",\"method\":", out);
		json_str(out, sip_msg_slice(msg, msg->method_s));
		fputs(",\"request_uri\":", out);
		json_str(out, sip_msg_slice(msg, msg->ruri));
	} else if (msg->kind == SIP_MSG_RESPONSE) {
		fprintf(out, ",\"kind\":\"response\",\"status\":%u,\"reason\":",
				msg->status);
		json_str(out, sip_msg_slice(msg, msg->reason));
	}
	fputs(",\"headers\":[", out);
	for (unsigned i = 0; i < msg->n_hdrs; i++) {
		const struct sip_hdr *h = &msg->hdrs[i];

		fputs(i ? ",{\"name\":" : "{\"name\":", out);
		json_str(out, sip_hdr_name(msg, h));
		fputs(",\"type\":", out);
		json_str(out, sstr_cstr(h->type ? sip_hdr_type_str(h->type) :
						  "other"));
		fputs(",\"value\":", out);
		json_str(out, sip_hdr_value(msg, h));
		if (ok)
			json_hdr_parsed(out, h->type, sip_hdr_value(msg, h));
		fputs("}", out);
	}
	fprintf(out, "],\"body_length\":%u}\n", msg->body.len);
}

/* Read a file; LF-only text becomes CRLF. Caller frees *buf. */
static int
lint_read(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *raw, *out;
	size_t n, lf = 0;
	bool has_cr;

	if (f == NULL)
		return -errno;
	raw = malloc(LINT_MAX_FILE + 1);
	if (raw == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(raw, 1, LINT_MAX_FILE + 1, f);
	if (ferror(f) || n > LINT_MAX_FILE) {
		int e = ferror(f) ? EIO : EFBIG;

		fclose(f);
		free(raw);
		return -e;
	}
	fclose(f);
	has_cr = memchr(raw, '\r', n) != NULL;
	if (has_cr) {
		*buf = raw;
		*len = n;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		lf += raw[i] == '\n';
	out = malloc(n + lf + 1);
	if (out == NULL) {
		free(raw);
		return -ENOMEM;
	}
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (raw[i] == '\n')
			out[o++] = '\r';
		out[o++] = raw[i];
	}
	free(raw);
	*buf = out;
	*len = o;
	return 0;
}

/* Judge one file; prints its line. Returns 0 valid, 1 invalid, 2 I/O. */
static int
lint_file(const char *path, bool json, struct sip_msg *msg)
{
	char *buf = NULL;
	size_t len = 0;
	int e = lint_read(path, &buf, &len);

	if (e < 0) {
		fprintf(stderr, "sipedgectl lint: %s: %s\n", path,
				strerror(-e));
		return 2;
	}
	/* One datagram: the parse, then a proxy's validation. */
	struct sip_limits lim = sip_limits_default;

	lim.max_msg_size = LINT_MAX_FILE;
	lim.max_hdrs = SIP_MSG_MAX_HDRS;
	bool ok = sip_msg_parse(msg, buf, buf + len, 0, &lim) > 0 &&
		  sip_msg_validate(msg) == 0;

	if (json) {
		json_msg(stdout, path, msg, ok);
	} else if (ok) {
		printf("%s: ok\n", path);
	} else {
		char why[160];

		sip_msg_err_describe(msg, why, sizeof(why));
		printf("%s: invalid: %s\n", path, why);
	}
	free(buf);
	return ok ? 0 : 1;
}

int
ctl_lint(int argc, char **argv)
{
	static struct sip_msg msg; /* large: not on the stack */
	bool json = false, opts = true;
	int nfiles = 0, rc = 0;
	char **files = calloc((size_t)argc + 1, sizeof(*files));

	if (files == NULL)
		return 2;
	for (int i = 0; i < argc; i++) {
		if (opts && strcmp(argv[i], "--") == 0) {
			opts = false;
		} else if (opts && strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (opts && argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "sipedgectl lint: unknown option %s\n",
					argv[i]);
			free(files);
			return 2;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (nfiles == 0) {
		fprintf(stderr, "usage: sipedgectl lint [--json] FILE...\n");
		free(files);
		return 2;
	}
	for (int i = 0; i < nfiles; i++) {
		int r = lint_file(files[i], json, &msg);

		/* I/O errors outrank invalid files in the exit status. */
		if (r > rc)
			rc = r;
	}
	free(files);
	return rc;
}
