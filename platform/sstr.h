/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sstr: the one slice type. A pointer and a length into a buffer somebody else
 * owns; never NUL-terminated, passed by value.
 */
#ifndef SIPEDGE_SSTR_H
#define SIPEDGE_SSTR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct sstr {
	const char *p; /**< first byte (may be NULL when len is 0) */
	uint32_t len;  /**< length in bytes */
};

/** A slice of a string literal. */
#define SSTR_LIT(s) ((struct sstr){ (s), sizeof(s) - 1 })
/** The empty slice. */
#define SSTR_NULL ((struct sstr){ NULL, 0 })
/** printf("%.*s", SSTR_FMT(s)) */
#define SSTR_FMT(s) (int)(s).len, (s).p

/** Slice of [p, end). */
static inline struct sstr
sstr_make(const char *p, const char *end)
{
	return (struct sstr){ p, (uint32_t)(end - p) };
}

/** Slice of a NUL-terminated string. */
static inline struct sstr
sstr_cstr(const char *s)
{
	return (struct sstr){ s, (uint32_t)strlen(s) };
}

/** One past the last byte (NULL for an empty slice with no pointer). */
static inline const char *
sstr_end(struct sstr s)
{
	/* NULL + 0 is undefined in C: SSTR_NULL has no end to compute. */
	return s.len ? s.p + s.len : s.p;
}

/** True when both slices hold the same bytes. */
static inline bool
sstr_eq(struct sstr a, struct sstr b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/** ASCII lower-case of c. */
static inline char
sstr_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
}

/** True when both slices hold the same bytes, ASCII case folded. */
static inline bool
sstr_eq_nocase(struct sstr a, struct sstr b)
{
	if (a.len != b.len)
		return false;
	for (uint32_t i = 0; i < a.len; i++)
		if (sstr_lower(a.p[i]) != sstr_lower(b.p[i]))
			return false;
	return true;
}

/** Case-insensitive compare against a C string. */
static inline bool
sstr_eq_cstr_nocase(struct sstr a, const char *s)
{
	return sstr_eq_nocase(a, sstr_cstr(s));
}

/** True when a ends with b, ASCII case folded. */
static inline bool
sstr_has_suffix_nocase(struct sstr a, struct sstr b)
{
	if (b.len > a.len)
		return false;
	return sstr_eq_nocase((struct sstr){ a.p + a.len - b.len, b.len }, b);
}

/** Strip leading and trailing SP / HT / CR / LF. */
static inline struct sstr
sstr_trim(struct sstr s)
{
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\r' ||
			 s.p[0] == '\n')) {
		s.p++;
		s.len--;
	}
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' ||
			 s.p[s.len - 1] == '\r' || s.p[s.len - 1] == '\n'))
		s.len--;
	return s;
}

/**
 * Parse an unsigned decimal. Returns 0 and the value in *out, or -ERANGE when
 * it exceeds max, or -EINVAL when s is empty or holds a non-digit.
 */
int sstr_to_u64(struct sstr s, uint64_t max, uint64_t *out);

#endif
