/* SPDX-License-Identifier: ISC */
/*
 * How long a channel's API calls wait after its platform said a budget is
 * spent: per kind of call (every route of it), and per rate-limit bucket a
 * platform names for one route (Discord's X-RateLimit-Bucket).
 */
#ifndef NUDGED_DELIVER_PAUSE_H
#define NUDGED_DELIVER_PAUSE_H

#include <stddef.h>
#include <stdint.h>

#include "chat/chat.h"

/* One spent bucket of one major parameter (a DM's channel id, or ""). */
struct deliver_pause_bucket {
	char		*bucket;
	char		*major;
	int64_t		 until;		/* monotonic ms */
};

/* A channel's pauses. */
struct deliver_pause {
	/* Each call waits until then (monotonic ms), on every route. */
	int64_t		 call_ms[CHAT_DIRECT_NCALLS];
	/* The bucket each call's route was last said to be in, or NULL. */
	char		*route[CHAT_DIRECT_NCALLS];
	struct deliver_pause_bucket *spent;
	size_t		 nspent;
};

int64_t	 deliver_pause_wait(const struct deliver_pause *,
	    enum chat_direct_call, const char *, int64_t);
void	 deliver_pause_bucket(struct deliver_pause *, enum chat_direct_call,
	    const char *, const char *, int64_t, int64_t);
void	 deliver_pause_keep(struct deliver_pause *, struct deliver_pause *);
void	 deliver_pause_free(struct deliver_pause *);

#endif
