/* SPDX-License-Identifier: ISC */
/*
 * The answer pipeline's private parts, shared by reply.c (the routes and
 * the per-turn commit), reply_people.c (answers of people asked directly:
 * forms, threads, direct messages) and reply_self.c (/reflect
 * sub-commands), and no one else.
 */
#ifndef NUDGED_REPLY_INT_H
#define NUDGED_REPLY_INT_H

#include <stdint.h>

#include "chat/chat.h"
#include "reply.h"
#include "store.h"

struct apicall;
struct config_channel;
struct config_person;

/* An accepted answer waiting for this turn's commit. */
struct reply_pending {
	struct reply_waiter	 waiter;
	const struct chat_platform *platform;	/* NULL for the JSON API */
	const char		*source;
	char			*path;
	char			*channel;
	char			*user_id;
	char			*user_name;
	char			*text;
	char			*message_id;
	struct store_target	 target;
	int64_t			 received_at;
	int			 result;	/* store_add_reply's */
	int			 replaces;	/* a form's: the answer replaces
						   the person's earlier one */
	enum chat_via		 via;		/* how the platform wants the receipt */
	int			 no_message;	/* the answer's (chat.h) */
	struct reply_pending	*next;
};

struct replies {
	struct event_base	*base;
	const struct clock	*clock;
	struct store		*store;
	const struct config	*cfg;
	const struct bank	*bank;
	struct event		*flush;
	struct reply_pending	*pending;	/* newest first */
	size_t			 npending;
	struct apicall		*api;		/* forms opened, messages updated */
};

/* reply.c */
void	 reply_send(struct reply_waiter, int, const char *, const char *);
void	 reply_refuse(struct reply_waiter, const char *, int, const char *,
	    const char *, const char *, ...)
	    __attribute__((format(printf, 6, 7)));
/* Refuse in the platform's own form when it has one (a form's errors). */
void	 reply_decline(struct reply_waiter, const char *path,
	    const struct chat_platform *, enum chat_via, int status,
	    const char *why);
/* Answer a platform's request with a receipt: stored or not, and a message. */
void	 reply_respond(struct reply_waiter, const struct chat_platform *,
	    enum chat_via, int stored, const char *message);
int	 reply_window_open(struct replies *, struct store_target *, int64_t,
	    const char *code, char **why);

/* reply_people.c */
const struct config_person *reply_people_find(struct replies *,
	    const struct chat_platform *, const char *user_id);
int	 reply_people_attach(struct replies *, const struct chat_platform *,
	    const struct config_channel **, const struct chat_answer *,
	    int64_t now, struct store_target *, char **why, int *status);
int	 reply_people_check(struct replies *, const struct chat_platform *,
	    const struct store_target *, const char *user_id, char **why);
void	 reply_people_open(struct replies *, const struct reply_request *,
	    const struct chat_platform *, const struct chat_answer *, int64_t,
	    struct reply_waiter);
int	 reply_people_open_form(struct replies *, const struct chat_platform *,
	    const struct store_target *, const char *channel,
	    const char *trigger, const char *prefill, char **why);
void	 reply_people_open_reply(struct replies *,
	    const struct chat_platform *, const struct store_target *,
	    const char *channel, const char *prefill, struct reply_waiter);
int64_t	 reply_people_streak(struct replies *, const struct reply_pending *);
void	 reply_people_answered(struct replies *, const struct reply_pending *,
	    int64_t streak);

/* reply_self.c */
int	 reply_self_handle(struct replies *, const struct chat_platform *,
	    const struct config_channel *,
	    const struct chat_answer *, int64_t, struct reply_waiter);

#endif
