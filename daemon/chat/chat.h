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
	 * reason (allocated, or NULL when the platform gave none; never the
	 * webhook URL), and for
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

/* The rows of the table, one per file under daemon/chat/. */
extern const struct chat_platform chat_slack;
extern const struct chat_platform chat_teams;
extern const struct chat_platform chat_discord;
extern const struct chat_platform chat_mattermost;
extern const struct chat_platform chat_googlechat;
extern const struct chat_platform chat_webhook;
extern const struct chat_platform chat_console;

/*
 * Google Chat: the query parameter to append to a space webhook URL (after
 * '&', or '?' when the URL has no query) so that each schedule's nudges
 * share one thread; the body names the thread by the schedule.
 */
const char	*chat_googlechat_url_suffix(void);

/* Shared by the platform files. */

/* A growing string; start with all zeroes. */
struct chat_buf {
	char	*s;
	size_t	 len;
	size_t	 size;
};

void		 chat_buf_addn(struct chat_buf *, const char *, size_t);
void		 chat_buf_add(struct chat_buf *, const char *);
void		 chat_buf_addc(struct chat_buf *, char);
void		 chat_buf_addf(struct chat_buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
char		*chat_buf_take(struct chat_buf *);

/* Unicode code points in a NUL-terminated string, SIZE_MAX if not UTF-8. */
size_t		 chat_utf8_chars(const char *);
/* A question to send: text present, every string valid UTF-8. */
int		 chat_check_nudge(const struct chat_nudge *, char **cause);
/* The theme's title, falling back to its slug. */
const char	*chat_title(const struct chat_nudge *);
/* The line that opens a message: a welcome, or the gentle reminder. */
const char	*chat_lead(const struct chat_nudge *);
/* One plain line for notifications: "Coaching: <question>" or reminder. */
char		*chat_one_line(const struct chat_nudge *);
/* "/reflect K7QX your answer". */
char		*chat_reply_command(const struct chat_nudge *);
/* &, <, > as &amp; &lt; &gt; (Slack mrkdwn, Google Chat card HTML). */
char		*chat_escape_html(const char *);
/* Backslash before each of specials, and before #, - or + opening a line. */
char		*chat_escape_markdown(const char *, const char *specials);
/* Characters a terminal would act on (escapes, C1 controls) become '?'. */
char		*chat_escape_terminal(const char *);

/* The usual reading of a status: 2xx sent; 408, 425, 429, 5xx retry. */
enum chat_outcome chat_http_outcome(long status);
/*
 * A platform's explanation for a reason: detail (len bytes, need not be
 * NUL-terminated) flattened to one printable line, cut at 200 bytes, every
 * http:// or https:// URL in it replaced by "[url]" so no webhook URL a
 * platform echoes back can reach a log; NULL when nothing is left. Reasons
 * leave the HTTP status out: the caller has it.
 */
char		*chat_reason(const char *detail, size_t len);

/*
 * cJSON builders that abort on out-of-memory. A NULL key appends to an
 * array; chat_json_object(NULL, NULL) makes a new root object.
 */
struct cJSON	*chat_json_object(struct cJSON *parent, const char *key);
struct cJSON	*chat_json_array(struct cJSON *parent, const char *key);
void		 chat_json_string(struct cJSON *, const char *key,
		    const char *value);
void		 chat_json_number(struct cJSON *, const char *key, double);
void		 chat_json_bool(struct cJSON *, const char *key, int);
/* Print root unformatted into the request as its JSON body; frees root. */
void		 chat_json_finish(struct cJSON *root, struct chat_request *,
		    const char *content_type);
/* A string member of a parsed JSON body, looked up by a path of keys. */
const char	*chat_json_find(const struct cJSON *, const char *key,
		    const char *subkey);

#endif
