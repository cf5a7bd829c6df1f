/* SPDX-License-Identifier: ISC */
/* Allocation wrappers that abort on out-of-memory, so call sites carry no checks. */
#include "xmalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void xmalloc_die(const char *what, size_t size) __attribute__((noreturn));

/* Print why and abort: there is no sane way to continue without memory. */
static void
xmalloc_die(const char *what, size_t size)
{
	fprintf(stderr, "nudged: %s: out of memory allocating %zu bytes\n", what,
	    size);
	abort();
}

/* malloc that never returns NULL; a zero size still yields a unique pointer. */
void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		xmalloc_die("xmalloc", size);
	return p;
}

/* calloc that never returns NULL and checks the multiplication. */
void *
xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	p = calloc(nmemb, size);
	if (p == NULL)
		xmalloc_die("xcalloc", nmemb * size);
	return p;
}

/* Grow an array of nmemb elements of size bytes, refusing overflow. */
void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (size != 0 && nmemb > SIZE_MAX / size)
		xmalloc_die("xreallocarray", SIZE_MAX);
	size *= nmemb;
	p = realloc(ptr, size != 0 ? size : 1);
	if (p == NULL)
		xmalloc_die("xreallocarray", size);
	return p;
}

/* strdup that never returns NULL. */
char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		xmalloc_die("xstrdup", strlen(s) + 1);
	return p;
}

/* strndup that never returns NULL. */
char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		xmalloc_die("xstrndup", n + 1);
	return p;
}

/* vasprintf that never fails; returns the length. */
int
xvasprintf(char **ret, const char *fmt, va_list ap)
{
	int n = vasprintf(ret, fmt, ap);

	if (n < 0)
		xmalloc_die("xvasprintf", 0);
	return n;
}

/* asprintf that never fails; returns the length. */
int
xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xvasprintf(ret, fmt, ap);
	va_end(ap);
	return n;
}
