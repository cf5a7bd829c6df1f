/* SPDX-License-Identifier: ISC */
/* What the outbox posts: one outbox row turned into a platform's request. */
#ifndef NUDGED_COMPOSE_H
#define NUDGED_COMPOSE_H

#include <stdint.h>

struct bank;
struct chat_request;
struct config;
struct config_channel;
struct store;
struct store_outbox_row;

/* How composing a row went. */
enum compose_result {
	COMPOSE_OK,
	COMPOSE_LATER,	/* not now (its figures could not be read): retry */
	COMPOSE_NEVER,	/* never as it stands (its prompt is gone): fail it */
};

/* What a message is made from. */
struct compose_source {
	struct store		*store;
	const struct config	*cfg;
	const struct bank	*bank;
};

enum compose_result compose_request(const struct compose_source *,
		    const struct store_outbox_row *,
		    const struct config_channel *, int64_t now,
		    const char *conversation, const char *thread,
		    struct chat_request *, char **cause);

#endif
