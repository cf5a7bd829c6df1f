/*
 * The table of chat platforms. Each platform is one file under daemon/chat/
 * and one row here: it builds the outbound payload for a nudge and reads the
 * platform's answer to a post. Platforms never touch the store or the loop.
 */
#ifndef NUDGED_CHAT_H
#define NUDGED_CHAT_H

#include <stddef.h>
#include <stdint.h>

struct config_channel;

/* What a nudge is, the same for every platform. */
enum chat_kind {
	CHAT_PROMPT,		/* the question itself */
	CHAT_REMINDER,		/* a gentle reminder of an unanswered prompt */
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
	int64_t		 due_at;	/* UTC seconds */
	const char	*reply_code;	/* short code that ties an answer to it, "K7QX" */
};

/* One outbound HTTP POST (or, for console, the text to print). */
struct chat_request {
	char	*body;
	size_t	 body_len;
	char	*content_type;		/* "application/json" */
	char	**headers;		/* extra "Name: value" lines */
	size_t	 nheaders;
};

/* How a platform's answer to a post is to be treated. */
enum chat_outcome {
	CHAT_SENT,		/* delivered */
	CHAT_RETRY,		/* transient: try again later */
	CHAT_PERMANENT,		/* will never work as configured: fail now */
};

struct chat_platform {
	const char	*name;
	int		 posts_http;	/* 0 for console, which prints */
	double		 default_rate;	/* messages per second per webhook */
	/* Build the request; -1 and cause on failure (e.g. text too long). */
	int		(*format_prompt)(const struct chat_nudge *,
			    const struct config_channel *, int64_t now,
			    struct chat_request *, char **cause);
	/*
	 * Read the HTTP status and body of a post: the outcome, a short
	 * reason (allocated, never containing the webhook URL), and for
	 * CHAT_RETRY an optional platform-specified delay in milliseconds
	 * (from the body, e.g. Discord's retry_after), else -1.
	 */
	enum chat_outcome (*classify)(long status, const char *body,
			    size_t len, char **reason, int64_t *retry_ms);
};

const struct chat_platform *chat_find(const char *name);
const char	*chat_platform_names(void);
void		 chat_request_free(struct chat_request *);
void		 chat_request_add_header(struct chat_request *, const char *fmt,
		    ...) __attribute__((format(printf, 2, 3)));

#endif
