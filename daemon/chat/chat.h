/*
 * The table of chat platforms. Each platform is one file under daemon/chat/
 * and one row here: it builds the outbound payload for a nudge and reads the
 * platform's answer to a post. Platforms never touch the store or the loop.
 */
#ifndef NUDGED_CHAT_H
#define NUDGED_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "sig.h"
#include "strbuf.h"

struct config_channel;

/* What a nudge is, the same for every platform. */
enum chat_kind {
	CHAT_PROMPT,		/* the question itself */
	CHAT_REMINDER,		/* a gentle reminder of an unanswered prompt */
	CHAT_DIGEST,		/* the weekly summary: text is the summary */
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
	CHAT_IN_HANDSHAKE,	/* url_verification, PING: answer, store nothing */
	CHAT_IN_IGNORE,		/* a bot's message, not an answer: 200, store nothing */
};

/*
 * Which of a platform's inbound forms a request came by; respond() answers
 * in kind. Set by parse, copied by the server into the receipt.
 */
enum chat_via {
	CHAT_VIA_COMMAND,	/* a slash command or Discord interaction */
	CHAT_VIA_MESSAGE,	/* a message: Slack event, Teams mention,
				   Mattermost outgoing webhook */
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
	char	*handshake;	/* CHAT_IN_HANDSHAKE: the body to answer with */
	char	*handshake_type; /* its content type */
};

/* What nudged tells the person who answered (rendered natively by respond). */
struct chat_receipt {
	int		 stored;	/* 1 stored, 0 refused */
	int		 duplicate;	/* already stored earlier (a platform retry) */
	const char	*message;	/* one or two sentences for the person */
	enum chat_via	 via;		/* the answer's via: how to reply */
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
	/*
	 * Inbound (NULL for platforms that cannot send answers to nudged).
	 * The content types the route accepts, comma-separated.
	 */
	const char	*accepts;
	/* Parse a request body; -1 and a short cause when it is malformed (400). */
	int		(*parse)(const struct chat_inbound *, struct chat_answer *,
			    char **cause);
	/* Whether the channel has the secret this platform's answers are checked with. */
	int		(*has_secret)(const struct config_channel *);
	/* Check the request's signature or token against the channel's secret. */
	enum sig_result	(*verify)(const struct config_channel *,
			    const struct chat_inbound *, int64_t now);
	/* The response body the platform shows the person; sets the content type. */
	char		*(*respond)(const struct chat_receipt *,
			    const char **content_type);
};

const struct chat_platform *chat_find(const char *name);
const char	*chat_platform_names(void);
void		 chat_request_free(struct chat_request *);
void		 chat_answer_free(struct chat_answer *);
/*
 * Put a code that matched no delivery back in front of the text: the first
 * word of an answer is taken for a code whenever it could be one, and "Team"
 * or "What" can be.
 */
void		 chat_answer_restore_code(struct chat_answer *);
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

/* Inbound, shared by the platforms that receive answers (chat_in.c). */

/* Bytes in an id, a name, a code or a channel key. */
#define CHAT_IN_ID_MAX		1024
/* Bytes in a raw text field, before markup and the code are removed. */
#define CHAT_IN_RAW_MAX		65536
/* Characters in an answer once cleaned. */
#define CHAT_IN_TEXT_MAX	4000

/* How much a field getter asks of a field. */
#define CHAT_IN_OPTIONAL	0	/* may be absent or JSON null */
#define CHAT_IN_REQUIRED	1	/* present, may be empty */
#define CHAT_IN_NONEMPTY	2	/* present and not empty */

/* A parsed request body: a form (evhttp query parsing) or a JSON object. */
struct chat_in_body;

/* Parse by the content type; NULL and a cause when malformed. */
struct chat_in_body *chat_in_body_parse(const struct chat_inbound *,
		    char **cause);
void		 chat_in_body_free(struct chat_in_body *);
/* The JSON root object, or NULL when the body is a form. */
const struct cJSON *chat_in_body_json(const struct chat_in_body *);
int		 chat_in_parse_json(const struct chat_inbound *,
		    struct chat_answer *, char **,
		    int (*)(const struct cJSON *, struct chat_answer *, char **));
/*
 * A top-level string field of either kind of body. Every getter returns 0
 * with *out set (NULL when optional and absent) or -1 with a cause naming
 * the field: missing, duplicated, wrong type, over max bytes, not UTF-8.
 * Strings point into the body or the JSON: copy them before freeing it.
 */
int		 chat_in_field(const struct chat_in_body *, const char *key,
		    int need, size_t max, const char **out, char **cause);
/* obj[key]; where is obj's path for messages ("event"), NULL at the root. */
int		 chat_in_string(const struct cJSON *obj, const char *where,
		    const char *key, int need, size_t max, const char **out,
		    char **cause);
int		 chat_in_object(const struct cJSON *obj, const char *where,
		    const char *key, int need, const struct cJSON **out,
		    char **cause);
int		 chat_in_int(const struct cJSON *obj, const char *where,
		    const char *key, int need, long min, long max, long *out,
		    char **cause);
/* A request header, or NULL. */
const char	*chat_in_header(const struct chat_inbound *, const char *name);
/* Decode &amp; &lt; &gt; &quot; &#39; &apos; &nbsp; (a space), &#N; &#xH;. */
char		*chat_in_unescape_html(const char *);
/*
 * Set an answer's text (and, with find_code, its code) from what the person
 * typed: trimmed, the leading reply code split off, never empty, at most
 * CHAT_IN_TEXT_MAX characters.
 */
int		 chat_in_answer_text(struct chat_answer *, const char *typed,
		    int find_code, char **cause);
/* Print root unformatted and free it. */
char		*chat_in_print(struct cJSON *root);
/* The body of a reply that says nothing: "" as text/plain. */
char		*chat_in_empty(const char **content_type);

#endif
