/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helper for the SIP parsers: inputs copied into heap buffers of
 * exactly their length (no NUL after them), so that a parser reading past
 * `end` trips AddressSanitizer; freed by the test's teardown. Use
 * pool_setup / pool_teardown as the cmocka setup and teardown.
 */
#ifndef SIPEDGE_SIP_TEST_POOL_H
#define SIPEDGE_SIP_TEST_POOL_H

#include <stdlib.h>
#include <string.h>

#include "platform/sstr.h"

#define POOL_MAX 8

/* Heap copies and messages a test made; freed by its teardown. */
struct pool {
	unsigned n;
	void *bufs[POOL_MAX];
};

static inline int
pool_setup(void **state)
{
	struct pool *pl = calloc(1, sizeof(*pl));

	if (pl == NULL)
		return -1;
	*state = pl;
	return 0;
}

static inline int
pool_teardown(void **state)
{
	struct pool *pl = *state;

	for (unsigned i = 0; i < pl->n; i++)
		free(pl->bufs[i]);
	free(pl);
	return 0;
}

static inline void *
pool_alloc(void **state, size_t n)
{
	struct pool *pl = *state;
	/* malloc(0) may return NULL: keep one byte so that p is valid. */
	void *b = malloc(n ? n : 1);

	assert_non_null(b);
	assert_true(pl->n < POOL_MAX);
	pl->bufs[pl->n++] = b;
	return b;
}

/* A copy of text in a buffer of exactly its length (no NUL after it). */
static inline struct sstr
exact(void **state, const char *text)
{
	size_t n = strlen(text);
	char *b = pool_alloc(state, n);

	memcpy(b, text, n);
	return (struct sstr){ b, (uint32_t)n };
}

#endif
