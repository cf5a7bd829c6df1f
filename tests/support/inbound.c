/* SPDX-License-Identifier: ISC */
/* Inbound test support: requests as the HTTP server hands them to a platform. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "inbound.h"

/* The server's header callback: case-insensitive, like evhttp's. */
const char *
inbound_header(void *ctx, const char *name)
{
	const struct inbound_request	*r = ctx;
	size_t			 i;

	for (i = 0; i < 4 && r->names[i] != NULL; i++) {
		if (strcasecmp(r->names[i], name) == 0)
			return r->values[i];
	}
	return NULL;
}

/* The inbound view of a request. */
struct chat_inbound
inbound_of(const struct inbound_request *r)
{
	struct chat_inbound	 in;

	memset(&in, 0, sizeof in);
	in.body = r->body;
	in.len = r->len != 0 ? r->len : strlen(r->body);
	in.content_type = r->type;
	in.header = inbound_header;
	in.ctx = (void *)(uintptr_t)r;
	return in;
}

/* A file under tests/data/chat/inbound/ (tests run from the source tree). */
char *
inbound_data_file(const char *file)
{
	char		*path, *text;
	size_t		 len;
	FILE		*f;

	assert_true(asprintf(&path, "tests/data/chat/inbound/%s", file) > 0);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open (run from the source tree)", path);
	text = calloc(1, 65536);
	assert_non_null(text);
	len = fread(text, 1, 65535, f);
	assert_true(len < 65535);
	fclose(f);
	free(path);
	return text;
}

/* Parse body on platform name; it must succeed. */
void
inbound_parse_ok(const char *name, const char *type, const char *body,
    struct chat_answer *a)
{
	const struct chat_platform	*p = chat_find(name);
	struct inbound_request			 r = { .body = body, .type = type };
	struct chat_inbound		 in = inbound_of(&r);
	char				*cause = NULL;

	assert_non_null(p);
	if (p->parse(&in, a, &cause) != 0)
		fail_msg("%s: %s", name, cause);
	assert_null(cause);
}
