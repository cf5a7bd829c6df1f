/* SPDX-License-Identifier: ISC */
/*
 * Slack's Web API, called with the app's bot token: the requests nudged
 * makes to talk to people in their direct messages, and how it reads
 * Slack's answers. Pure functions: building a request and reading an answer
 * never touch the network, the store or the loop.
 */
#ifndef NUDGED_CHAT_SLACK_API_H
#define NUDGED_CHAT_SLACK_API_H

#include <stdint.h>

#include "chat/chat_int.h"

/* Where the Web API lives; a channel's "api_url" replaces it in tests. */
#define SLACK_API_BASE		"https://slack.com/api/"

/* The Answer button and the modal it opens. */
#define SLACK_ACTION_ANSWER	"nudged_answer"
#define SLACK_VIEW_ANSWER	"nudged_answer"
/* A plain_text_input holds at most 3,000 characters. */
#define SLACK_INPUT_MAX		3000

/* What an answer from the Web API means for the call that got it. */
enum slack_api_class {
	SLACK_API_OK,
	SLACK_API_RETRY,	/* 429, 5xx, a transient error: try again later */
	SLACK_API_PERSON,	/* this person can't be reached: fail, mark inactive */
	SLACK_API_AUTH,		/* the token is refused: fail loudly for the channel */
	SLACK_API_FAIL,		/* this call will never work as made */
};

struct slack_api_answer {
	enum slack_api_class	 cls;
	char			*error;		/* Slack's error code, or NULL */
	char			*channel;	/* the DM's id, or the posted channel */
	char			*ts;		/* a posted message's ts */
	char			*tz;		/* users.info: the person's zone */
	int64_t			 retry_ms;	/* RETRY: how long to wait, or -1 */
};

/* base + method, base ending in '/': "https://slack.com/api/chat.update". */
char	*slack_api_url(const char *base, const char *method);
/* conversations.open for a 1:1 DM with one user. */
void	 slack_api_open_dm(const char *user, const char *token,
	    struct chat_request *);
/* chat.postMessage: the nudge with an Answer button; thread_ts may be NULL. */
int	 slack_api_post_nudge(const struct chat_nudge *, const char *channel,
	    const char *thread_ts, const char *token, struct chat_request *,
	    char **cause);
/* chat.update: the nudge's message once answered, the button gone. */
int	 slack_api_update_answered(const struct chat_nudge *, const char *channel,
	    const char *ts, const char *status, const char *token,
	    struct chat_request *, char **cause);
/* views.open: the answer modal for a nudge, prefill may be NULL. */
int	 slack_api_open_modal(const struct chat_nudge *, const char *trigger_id,
	    const char *prefill, const char *token, struct chat_request *,
	    char **cause);
/* users.info for one user (a form: the method takes no JSON). */
void	 slack_api_users_info(const char *user, const char *token,
	    struct chat_request *);
/*
 * Read the Web API's answer to a call of method: the HTTP status, the body,
 * and the Retry-After header's delay in milliseconds (-1 when absent).
 */
void	 slack_api_read(const char *method, long status, const char *body,
	    size_t len, int64_t retry_after_ms, struct slack_api_answer *);
void	 slack_api_answer_free(struct slack_api_answer *);

#endif
