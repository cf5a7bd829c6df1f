/* SPDX-License-Identifier: ISC */
/* The outbox worker: posts due nudges to their channels without blocking the loop. */
#ifndef NUDGED_DELIVER_H
#define NUDGED_DELIVER_H

#include <stdint.h>

struct bank;
struct clock;
struct config;
struct deliver;
struct event_base;
struct store;

/* How one delivery ended, for `nudged send`. */
enum deliver_result {
	DELIVER_SENT,
	DELIVER_FAILED,
};

struct deliver	*deliver_start(struct event_base *, struct store *,
		    const struct config *, const struct bank *,
		    const struct clock *, char **cause);
struct deliver	*deliver_start_one(struct event_base *, struct store *,
		    const struct config *, const struct bank *,
		    const struct clock *, int64_t id,
		    void (*done)(void *, enum deliver_result, const char *),
		    void *arg, char **cause);
void		 deliver_reload(struct deliver *, const struct config *,
		    const struct bank *);
void		 deliver_kick(struct deliver *);
void		 deliver_shutdown(struct deliver *, void (*done)(void *),
		    void *arg);
void		 deliver_free(struct deliver *);
/* Whether a channel's platform refused its credentials (health reads it). */
int		 deliver_channel_refused(struct deliver *, const char *channel);

#endif
