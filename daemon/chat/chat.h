/* SPDX-License-Identifier: ISC */
/*
 * The table of chat platforms, as the rest of nudged sees it. Each platform
 * is one row (struct chat_platform) and its own file(s) under daemon/chat/:
 * its title, its config keys and their checks, the payload of a nudge, the
 * URL it posts to, how it reads a failure, its inbound routes and how it
 * parses, verifies and answers them. The daemon asks the row and never
 * reads a platform's settings or compares its name. What the platform
 * files share among themselves is in chat_int.h.
 */
#ifndef NUDGED_CHAT_H
#define NUDGED_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "sig.h"

struct cJSON;
struct config_channel;
struct config_reader;

/* What a nudge is, the same for every platform. */
enum chat_kind {
	CHAT_PROMPT,		/* the question itself */
	CHAT_REMINDER,		/* a gentle reminder of an unanswered prompt */
	CHAT_DIGEST,		/* the weekly summary: text is the summary */
	CHAT_FOLLOW_UP,		/* a prompt's follow-up, asked later in its
				   thread: answered by a reply there */
};

struct chat_nudge {
	enum chat_kind	 kind;
	int64_t		 delivery_id;
	const char	*schedule;
	const char	*channel;
	const char	*prompt_id;
	const char	*theme;		/* slug, "coaching" */
	const char	*theme_title;	/* "Coaching" */
	const char	*text;		/* the question */
	const char	*follow_up;	/* may be NULL */
	const char	*context;	/* a line shown above the question, or NULL */
	int64_t		 due_at;	/* UTC seconds */
	const char	*reply_code;	/* short code that ties an answer to it, "K7QX" */
	const char	*person;	/* asked of this person, or NULL */
	/*
	 * With person: the proof that nudged made a callback naming this
	 * delivery and person (hex HMAC-SHA256 under the installation's
	 * key), for platforms that do not sign their callbacks; or NULL.
	 */
	const char	*proof;
};

/* One outbound HTTP POST (or, for console, the text to print). */
struct chat_request {
	char	*body;
	size_t	 body_len;
	char	*content_type;		/* "application/json" */
	char	**headers;		/* extra "Name: value" lines */
	size_t	 nheaders;
	const char *method;		/* "PUT" for an API call; NULL: POST */
};

/* How a platform's answer to a post is to be treated. */
enum chat_outcome {
	CHAT_SENT,		/* delivered */
	CHAT_RETRY,		/* transient: try again later */
	CHAT_PERMANENT,		/* will never work as configured: fail now */
};

/* An inbound request, as the HTTP server received it (already size-limited). */
struct chat_inbound {
	const char	*body;		/* raw bytes, NUL-terminated */
	size_t		 len;
	const char	*content_type;	/* without parameters, lowercase */
	/* A request header by name (case-insensitive), or NULL. */
	const char	*(*header)(void *ctx, const char *name);
	void		*ctx;
};

/* What an inbound request says, once parsed. */
enum chat_in_kind {
	CHAT_IN_ANSWER,		/* someone answered: store it */
	CHAT_IN_HANDSHAKE,	/* url_verification, PING, or a form's refusal
				   worded by the platform: answer, store nothing */
	CHAT_IN_IGNORE,		/* a bot's message, not an answer: 200, store nothing */
	CHAT_IN_OPEN,		/* a nudge's Answer button: open its answer form */
};

/*
 * Which of a platform's inbound forms a request came by; respond() answers
 * in kind. Set by parse, copied by the server into the receipt.
 */
enum chat_via {
	CHAT_VIA_COMMAND,	/* a slash command or Discord interaction */
	CHAT_VIA_MESSAGE,	/* a message: Slack event, Teams mention,
				   Mattermost outgoing webhook */
	CHAT_VIA_FORM,		/* an answer form (a modal) was submitted */
};

struct chat_answer {
	enum chat_in_kind kind;
	enum chat_via	 via;	/* set for every kind */
	char	*user_id;	/* platform user id */
	char	*user_name;	/* display or login name, may be NULL */
	char	*text;		/* the answer, reply code removed, trimmed */
	char	*code;		/* reply code as typed (not yet normalised), or NULL */
	char	*message_id;	/* unique per platform message: retries share it */
	char	*route_key;	/* the platform's channel id, for choosing our channel */
	char	*thread;	/* root post of the thread answered in (Slack
				   thread_ts, Teams ;messageid=), or NULL */
	int64_t	 delivery_id;	/* the nudge a button or form names, or 0 */
	char	*trigger;	/* lets an answer form open (a few seconds), or NULL */
	int	 direct;	/* written in a direct conversation with nudged */
	char	*handshake;	/* CHAT_IN_HANDSHAKE: the body to answer with */
	char	*handshake_type; /* its content type */
	char	*proof;		/* a button's or form's proof (chat_nudge), or NULL */
	int	 no_message;	/* a form opened by a command: no nudge's
				   message to update in the reply */
};

/* What nudged tells the person who answered (rendered natively by respond). */
struct chat_receipt {
	int		 stored;	/* 1 stored, 0 refused */
	int		 duplicate;	/* already stored earlier (a platform retry) */
	const char	*message;	/* one or two sentences for the person */
	enum chat_via	 via;		/* the answer's via: how to reply */
	int64_t		 streak;	/* stored: the answerer's streak */
	int		 no_message;	/* the answer's no_message */
};

/* A path a platform posts answers to, and the content types it takes there. */
struct chat_route {
	const char			*path;		/* "/slack/events" */
	const char			*accepts;	/* comma-separated */
	const struct chat_platform	*platform;	/* the row it belongs to */
};

/* The calls nudged makes to a platform's API to reach a person or a channel. */
enum chat_direct_call {
	CHAT_DIRECT_OPEN,	/* open (or find) a person's direct conversation */
	CHAT_DIRECT_POST,	/* post a nudge into a conversation */
	CHAT_DIRECT_FIND,	/* find a person's id from their name */
	CHAT_DIRECT_NCALLS,
};

/* What an answer of the platform's API means. */
enum chat_direct_class {
	CHAT_DIRECT_OK,
	CHAT_DIRECT_RETRY,	/* transient (a rate limit, a server error) */
	CHAT_DIRECT_PERSON,	/* this person cannot be reached: fail, mark them */
	CHAT_DIRECT_AUTH,	/* the channel's credentials are refused */
	CHAT_DIRECT_FAIL,	/* this call will never work as made */
};

/* An answer of the platform's API, read. */
struct chat_direct_answer {
	enum chat_direct_class cls;
	char		*error;		/* the platform's reason, or NULL */
	char		*conversation;	/* OPEN: the person's conversation;
					   POST: where the message landed */
	char		*message_id;	/* POST: the message's id (Slack's ts) */
	char		*tz;		/* a profile's zone ("Europe/Berlin") */
	char		*user;		/* FIND: the person's id */
	int64_t		 retry_ms;	/* RETRY: the platform's delay, or -1 */
	/*
	 * Any class: the platform's budget for this call is spent; the next
	 * one waits this long (ms), or 0. With every_call, all calls wait.
	 */
	int64_t		 wait_ms;
	int		 every_call;
	/* The rate-limit bucket the call's route is in, or NULL: the call's. */
	char		*bucket;
};

/* What a platform that sends direct messages to people offers. */
struct chat_direct {
	/* Whether a channel can send them (a bot token, say); 0 and why not. */
	int		 (*ready)(const struct config_channel *, char **why);
	/* Whether a string can name a user there (an id, or a name find takes); NULL: any. */
	int		 (*check_user)(const char *);
	/*
	 * When people may be named by something other than their id: whether
	 * a string is an id, and the request that finds the id of a name
	 * (once: the conversation it opens is kept). NULL: ids only.
	 */
	int		 (*is_id)(const char *);
	void		 (*find)(const struct config_channel *, const char *name,
			    struct chat_request *);
	const char	*user_hint;	/* what an id looks like: "U01ADA" */
	/* Whether a channel's own posts (no "to") go through the API too. */
	int		 (*channel_api)(const struct config_channel *);
	/* The conversation a channel's own posts go to (channel_api true). */
	const char	*(*channel_conversation)(const struct config_channel *);
	/*
	 * The URL a call goes to (allocated; never logged whole); conversation
	 * is the one a POST goes to, the name to FIND, NULL for OPEN.
	 */
	char		*(*url)(const struct config_channel *,
			    enum chat_direct_call, const char *conversation);
	/* The request that opens the direct conversation with user. */
	void		 (*open)(const struct config_channel *, const char *user,
			    struct chat_request *);
	/*
	 * The request that posts a nudge to conversation, in the thread of
	 * message thread when not NULL; -1 and cause when it cannot be made.
	 */
	int		 (*post)(const struct chat_nudge *,
			    const struct config_channel *,
			    const char *conversation, const char *thread,
			    struct chat_request *, char **cause);
	/*
	 * Read the answer to a call: its HTTP status, body, Retry-After
	 * delay in milliseconds (-1 when absent) and header lines ("Name:
	 * value\r\n" each, never NULL).
	 */
	void		 (*read)(enum chat_direct_call, long status,
			    const char *body, size_t len,
			    int64_t retry_after_ms, const char *headers,
			    struct chat_direct_answer *);
	/* Deliveries a second one token may make at most, all calls; 0: no cap. */
	double		 max_rate;
	/*
	 * The call that reads user's profile for their zone: its URL
	 * (allocated; never logged whole) and req. NULL when the platform's
	 * profiles keep no zone.
	 */
	char		*(*profile)(const struct config_channel *,
			    const char *user, struct chat_request *);
	/* Read a profile call's answer; OK with tz (NULL when it has none). */
	void		 (*profile_read)(long status, const char *body,
			    size_t len, struct chat_direct_answer *);
};

/*
 * What a platform whose nudges carry an Answer button offers: the calls to
 * its API that open the answer form and mark a nudge's message answered,
 * each built into a URL and a request (with its token: never logged), and
 * how to read their answers.
 */
struct chat_forms {
	/* The call that opens the answer form; prefill may be NULL. */
	int		 (*open)(const struct config_channel *,
			    const struct chat_nudge *, const char *trigger,
			    const char *prefill, char **url,
			    struct chat_request *, char **cause);
	/* The call that replaces the button of a nudge's message by status. */
	int		 (*answered)(const struct config_channel *,
			    const struct chat_nudge *, const char *conversation,
			    const char *message_id, const char *status,
			    char **url, struct chat_request *, char **cause);
	/* NULL when a call worked, else why not (allocated, no secrets). */
	char		*(*failed)(long status, const char *body, size_t len);
	/*
	 * When set, the form opens as the answer to the click itself (no
	 * call; open is then NULL): the body, its content type in *type.
	 */
	char		*(*open_reply)(const struct chat_nudge *,
			    const char *prefill, const char **type);
	/* 1 when a form's submission is answered with the updated message. */
	int		 updates_in_reply;
};

/*
 * One platform: everything nudged knows about it. The daemon asks the row;
 * it never reads a platform's settings or compares its name.
 */
struct chat_platform {
	const char	*name;		/* as "platform" in the config */
	const char	*title;		/* as people know it: "Microsoft Teams" */
	/* Direct messages to people ("to" in a schedule); NULL: none. */
	const struct chat_direct *direct;
	const char	*no_direct;	/* why not, for the config error */
	int		 posts_http;	/* 0 for console, which prints */
	double		 default_rate;	/* messages per second per webhook */

	/* Its own channel keys (NULL-terminated), besides the generic ones. */
	const char *const *config_keys;
	/*
	 * Read those keys from the channel's object through config's reader
	 * (errors go there, with their position); the settings, or NULL.
	 */
	void		*(*config_parse)(struct config_reader *,
			    const struct cJSON *channel);
	void		 (*config_free)(void *settings);

	/* Build the request; -1 and cause on failure (e.g. text too long). */
	int		(*format_prompt)(const struct chat_nudge *,
			    const struct config_channel *, int64_t now,
			    struct chat_request *, char **cause);
	/* The URL to post to (allocated); NULL: the channel's webhook as is. */
	char		*(*post_url)(const struct config_channel *);
	/*
	 * Read the HTTP status and body of a post: the outcome, a short
	 * reason (allocated, or NULL when the platform gave none; never the
	 * webhook URL), and for
	 * CHAT_RETRY an optional platform-specified delay in milliseconds
	 * (from the body, e.g. Discord's retry_after), else -1.
	 */
	enum chat_outcome (*classify)(long status, const char *body,
			    size_t len, char **reason, int64_t *retry_ms);

	/*
	 * Inbound (all NULL for platforms that cannot send answers to
	 * nudged): its routes, ending with a NULL path.
	 */
	const struct chat_route *routes;
	/*
	 * Whether a request is the platform checking that the URL answers
	 * (not an answer, not signed): the server then answers 200. get is
	 * set for GET, query is the URL's query string or NULL. May be NULL.
	 */
	int		(*probe)(int get, const char *query,
			    const struct chat_inbound *);
	/* Parse a request body; -1 and a short cause when it is malformed (400). */
	int		(*parse)(const struct chat_inbound *, struct chat_answer *,
			    char **cause);
	/* Whether the channel has the secret this platform's answers are checked with. */
	int		(*has_secret)(const struct config_channel *);
	/* Check the request's signature or token against the channel's secret. */
	enum sig_result	(*verify)(const struct config_channel *,
			    const struct chat_inbound *, int64_t now);
	/*
	 * Whether a channel whose secret verified is the one the answer names
	 * (its route_key, e.g. a Slack channel id); NULL: none is named.
	 */
	int		(*names_channel)(const struct config_channel *,
			    const struct chat_answer *);
	/* 1 when a message in a thread is an answer only with a reply code. */
	int		 thread_needs_code;
	/* Answer buttons and forms; NULL: none. */
	const struct chat_forms *forms;
	/*
	 * 1 when the platform does not sign its button and form callbacks:
	 * an answer naming a delivery counts only with that delivery's proof.
	 */
	int		 proves_callbacks;
	/* 1 when the secret is a shared token: a wrong one is 403, not 401. */
	int		 token_secret;
	/* The response body the platform shows the person; sets the content type. */
	char		*(*respond)(const struct chat_receipt *,
			    const char **content_type);
};

/*
 * An answer to the JSON API (POST /api/v1/replies), read with the same
 * getters and limits as the platforms' answers (chat_in.c): route_key is
 * "channel", message_id the optional "id". -1 and a cause when malformed.
 */
int		 chat_in_api_parse(const struct chat_inbound *,
		    struct chat_answer *, char **cause);

/* Characters in an event's context line; bytes in the caller's id. */
#define CHAT_EVENT_CONTEXT_MAX	200
#define CHAT_EVENT_ID_MAX	200

/* A request to open a nudge now (POST /api/v1/nudges), once read. */
struct chat_event {
	char	*id;		/* the caller's, for idempotency */
	char	*schedule;	/* exactly one of schedule and track */
	char	*track;
	char	*to;		/* one person of the schedule, or NULL */
	char	*context;	/* the line above the question, or NULL */
};

/*
 * Read {"id", "schedule" | "track", "to"?, "context"?} with the getters and
 * limits of the answers (chat_in.c); unknown keys are refused too, so a
 * misspelt "context" is not dropped unseen. -1 and a cause when malformed.
 */
int		 chat_in_event_parse(const struct chat_inbound *,
		    struct chat_event *, char **cause);
void		 chat_event_free(struct chat_event *);

/*
 * Why people cannot answer nudges on a channel as configured (a platform
 * without an answer route, or a channel without the secret its route
 * checks), or NULL when they can. `nudged check` warns with it.
 */
const char	*chat_answer_gap(const struct config_channel *);

/* The platform called name, or NULL. */
const struct chat_platform *chat_find(const char *name);
/* Every platform's name, comma-separated, in the table's order. */
const char	*chat_platform_names(void);
/* Whether a channel can send direct messages as configured. */
int		 chat_direct_ready(const struct config_channel *);
/* Whether a channel's own posts go through the platform's API, not a webhook. */
int		 chat_channel_api(const struct config_channel *);
/* Add a row to the table (a test's platform); a taken name is fatal. */
void		 chat_register(const struct chat_platform *);
/* The rows in order, i from 0 until NULL. */
const struct chat_platform *chat_platform_at(size_t i);
/* The URL a channel's posts go to (allocated; a secret, never logged). */
char		*chat_post_url(const struct config_channel *);
void		 chat_request_free(struct chat_request *);
void		 chat_answer_free(struct chat_answer *);
void		 chat_direct_answer_free(struct chat_direct_answer *);
/*
 * Put a code that matched no delivery back in front of the text: the first
 * word of an answer is taken for a code whenever it could be one, and "Team"
 * or "What" can be.
 */
void		 chat_answer_restore_code(struct chat_answer *);

#endif
