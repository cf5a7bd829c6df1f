/* SPDX-License-Identifier: ISC */
/* Inbound test support: requests as the HTTP server hands them to a platform. */
#ifndef NUDGED_TEST_INBOUND_H
#define NUDGED_TEST_INBOUND_H

#include <stddef.h>

#include "chat/chat.h"

/* A request as the server would hand it over: body, type, headers. */
struct inbound_request {
	const char	*body;
	size_t		 len;
	const char	*type;
	const char	*names[4];
	const char	*values[4];
};

const char	*inbound_header(void *, const char *);
struct chat_inbound inbound_of(const struct inbound_request *);
char		*inbound_data_file(const char *);
void		 inbound_parse_ok(const char *, const char *, const char *,
		    struct chat_answer *);

#endif
