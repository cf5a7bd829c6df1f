/* SPDX-License-Identifier: ISC */
/*
 * What the outbox worker's files share and nothing else uses: the worker,
 * its channels and its queue of outcomes. deliver.c runs the outbox and
 * posts to webhooks; deliver_direct.c makes the calls that reach a person
 * or a channel through its platform's API.
 */
#ifndef NUDGED_DELIVER_INT_H
#define NUDGED_DELIVER_INT_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/chat.h"
#include "deliver.h"
#include "deliver_pause.h"
#include "deliver_rate.h"

struct config_channel;
struct deliver_transfer;
struct store_outbox_row;

/* One channel's limits and load. */
struct deliver_channel {
	char			*name;
	const struct config_channel *cc;	/* this channel in d->cfg */
	struct deliver_bucket	 bucket;
	struct deliver_bucket	 api;	/* every API call: the platform's cap */
	int			 in_flight;
	int			 max_in_flight;
	/* Its API calls' waits after rate limits. */
	struct deliver_pause	 pause;
	int			 refused;	/* its credentials were refused */
};

/* What became of a due row in a pump. */
enum deliver_take_result {
	DELIVER_TAKE_ERROR = -1,
	DELIVER_TAKE_STARTED,	/* claimed, about to be posted */
	DELIVER_TAKE_DONE,	/* failed or put off at once: not posted now */
	DELIVER_TAKE_HELD,	/* its channel's limits hold it back for now */
};

enum deliver_outcome_kind {
	DELIVER_OUT_SENT,
	DELIVER_OUT_RETRY,
	DELIVER_OUT_FAILED,
	DELIVER_OUT_RELEASE,
	DELIVER_OUT_NOTE,	/* no change of state: only what it keeps */
};

/* A result waiting for the once-per-turn commit. */
struct deliver_outcome {
	int64_t			 id;
	enum deliver_outcome_kind kind;
	int64_t			 at;	/* sent at, or next attempt */
	char			*text;	/* the error or reason */
	/* What an API call learnt, kept with the outcome (all may be NULL). */
	char			*channel;	/* with person: whose it is */
	char			*person;
	char			*dm;		/* the person's conversation */
	int			 inactive;	/* the person cannot be reached */
	char			*conversation;	/* SENT: where it landed */
	char			*message_id;
};

/*
 * Whom the worker delivers for: the daemon's whole outbox, or the one row
 * `nudged send` holds in `sending` (so a running daemon leaves it alone).
 */
struct deliver_mode {
	/* Claim a due row for an attempt: 1 claimed, 0 taken by another, -1 error. */
	int	(*claim)(struct store *, int64_t id, int64_t now);
	/* Put a row off to a later attempt. */
	int	(*retry)(struct store *, int64_t id, int64_t at,
		    const char *error);
};

struct deliver {
	struct event_base	*base;
	struct store		*store;
	const struct config	*cfg;
	const struct bank	*bank;
	const struct clock	*clock;
	const struct deliver_mode *mode;
	char			*instance;	/* who claims, in a shared store */
	int64_t			 only;	/* the row of `nudged send`; 0: all */
	void			(*done)(void *, enum deliver_result,
				    const char *);
	void			*done_arg;
	struct curlev		*curl;
	struct event		*wake;
	struct event		*flush;
	struct event		*grace;
	struct deliver_transfer	*transfers;
	int			 in_flight;
	struct deliver_outcome	*outcomes;
	size_t			 noutcomes;
	struct deliver_channel	*channels;
	size_t			 nchannels;
	struct deliver_retry	 retry;
	int			 stopping;
	void			(*stopped)(void *);
	void			*stopped_arg;
};

/* deliver.c */
struct deliver_channel *deliver_channel_for(struct deliver *, const char *);
enum deliver_take_result deliver_fail_now(struct deliver *,
		    const struct store_outbox_row *, char *);
enum deliver_take_result deliver_unmade(struct deliver *,
		    const struct store_outbox_row *, struct deliver_channel *,
		    int64_t, int, char *);
enum deliver_take_result deliver_claim(struct deliver *,
		    const struct store_outbox_row *, struct deliver_channel *,
		    int64_t, int64_t, struct deliver_transfer *,
		    struct deliver_transfer **);
void		 deliver_post(struct deliver *, struct deliver_transfer *);
struct deliver_outcome *deliver_outcome(struct deliver *, int64_t,
		    enum deliver_outcome_kind, int64_t, char *);

/* deliver_direct.c */
void		 deliver_channel_clear(struct deliver_channel *);
int		 deliver_direct_wants(const struct config_channel *,
		    const struct store_outbox_row *);
enum deliver_take_result deliver_direct_take(struct deliver *,
		    const struct store_outbox_row *, struct deliver_channel *,
		    int64_t, int64_t, struct deliver_transfer **, int64_t *);
int		 deliver_direct_verdict(struct deliver_transfer *, CURLcode,
		    enum chat_outcome *, char **, int64_t *);
void		 deliver_direct_note(struct deliver_transfer *,
		    struct deliver_outcome *);
int		 deliver_direct_apply(struct deliver *,
		    const struct deliver_outcome *);
void		 deliver_direct_outcome_free(struct deliver_outcome *);

#endif
