/* SPDX-License-Identifier: ISC */
/* A growing string that aborts on out-of-memory like the xmalloc family. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Append len bytes to a buffer. */
void
strbuf_addn(struct strbuf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->size) {
		while (b->len + len + 1 > b->size)
			b->size = b->size != 0 ? b->size * 2 : 64;
		b->s = xreallocarray(b->s, b->size, 1);
	}
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

/* Append a string to a buffer. */
void
strbuf_add(struct strbuf *b, const char *s)
{
	strbuf_addn(b, s, strlen(s));
}

/* Append one byte to a buffer. */
void
strbuf_addc(struct strbuf *b, char c)
{
	strbuf_addn(b, &c, 1);
}

/* Append formatted text to a buffer. */
void
strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	strbuf_add(b, s);
	free(s);
}

/* Hand the buffer's string to the caller (never NULL) and reset it. */
char *
strbuf_take(struct strbuf *b)
{
	char	*s = b->s != NULL ? b->s : xstrdup("");

	memset(b, 0, sizeof *b);
	return s;
}
