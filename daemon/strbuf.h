/* SPDX-License-Identifier: ISC */
/* A growing string, for the text nudged builds: messages, pages, tables. */
#ifndef NUDGED_STRBUF_H
#define NUDGED_STRBUF_H

#include <stddef.h>

/* Start with all zeroes; s is NUL-terminated once anything was added. */
struct strbuf {
	char	*s;
	size_t	 len;
	size_t	 size;
};

void	 strbuf_addn(struct strbuf *, const char *, size_t);
void	 strbuf_add(struct strbuf *, const char *);
void	 strbuf_addc(struct strbuf *, char);
void	 strbuf_addf(struct strbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Hand the string to the caller (never NULL) and reset the buffer. */
char	*strbuf_take(struct strbuf *);

#endif
