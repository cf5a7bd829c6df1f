/* SPDX-License-Identifier: ISC */
/*
 * The answer pipeline under test in-process on a hand-held clock: requests
 * are handed to reply.c as the HTTP server would, and a waiter keeps what
 * was answered.
 */
#ifndef NUDGED_TEST_REPLY_WORLD_H
#define NUDGED_TEST_REPLY_WORLD_H

#include <stdint.h>

#include "clock.h"
#include "reply.h"
#include "store.h"

/* What the pipeline answered one request. */
struct reply_answer {
	int	 calls;
	int	 status;
	char	*type;
	char	*body;
};

struct reply_world {
	char			*dir;
	char			*config;	/* dir/nudged.json */
	char			*state;		/* dir/state */
	struct clock_fake	 clock;
	struct event_base	*base;
	struct config		*cfg;
	struct bank		*bank;
	struct store		*st;
	struct replies		*r;
};

void	reply_world_init(struct reply_world *);
void	reply_world_load(struct reply_world *, const char *, int64_t);
void	reply_world_close(struct reply_world *);
void	reply_world_turn(struct reply_world *);
long long reply_world_count(struct reply_world *, const char *);
int64_t	reply_world_sent(struct reply_world *,
	    const struct store_delivery *, const char *, const char *);
struct reply_waiter reply_world_waiter(struct reply_answer *);
const char *reply_world_header(void *, const char *);
void	reply_answer_free(struct reply_answer *);

#endif
