/* SPDX-License-Identifier: ISC */
/*
 * What the libFuzzer harnesses share: the entry points libFuzzer calls, a
 * NUL-terminated copy of an input, splitting an input into fields, and a
 * failed check that aborts with a message (libFuzzer then saves the input).
 */
#ifndef NUDGED_FUZZ_H
#define NUDGED_FUZZ_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A NUL-terminated copy of size bytes of data (free it). */
static inline char *
fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size != 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * The next field of an input whose fields are separated by NUL bytes: a
 * NUL-terminated copy (free it), advancing *data and *size past it and its
 * separator; the last field runs to the end.
 */
static inline char *
fuzz_field(const uint8_t **data, size_t *size)
{
	const uint8_t *nul = *size ? memchr(*data, '\0', *size) : NULL;
	size_t n = nul != NULL ? (size_t)(nul - *data) : *size;
	char *s = fuzz_string(*data, n);

	*data += n + (nul != NULL);
	*size -= n + (nul != NULL);
	return s;
}

/* A check failed: say what, and abort so libFuzzer keeps the input. */
static inline void __attribute__((format(printf, 1, 2), noreturn))
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz: check failed: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

#endif
