/* SPDX-License-Identifier: ISC */
/*
 * What the platform files under daemon/chat/ share and nothing outside uses:
 * each platform's own settings, the wording every platform uses, escaping,
 * cJSON builders, and the inbound field getters. Modules outside chat/
 * include chat.h only.
 */
#ifndef NUDGED_CHAT_INT_H
#define NUDGED_CHAT_INT_H

#include "chat/chat.h"
#include "strbuf.h"

struct cJSON;

/* The rows of the table, one per file (or prefix) under daemon/chat/. */
extern const struct chat_platform chat_slack;
extern const struct chat_platform chat_teams;
extern const struct chat_platform chat_discord;
extern const struct chat_platform chat_mattermost;
extern const struct chat_platform chat_googlechat;
extern const struct chat_platform chat_webhook;
extern const struct chat_platform chat_console;

void		 chat_request_add_header(struct chat_request *, const char *fmt,
		    ...) __attribute__((format(printf, 2, 3)));

/* Each platform's own settings, parsed from its channel's keys. */
struct slack_settings {
	char	*signing_secret;	/* secret */
	char	*channel_id;		/* "slack_channel_id": routes answers */
	char	*bot_token;		/* secret: the Web API's bearer */
	char	*api_url;		/* the Web API's base; tests only */
};
struct teams_settings {
	char	*hmac_secret;		/* secret */
};
struct discord_settings {
	char	*public_key;		/* hex Ed25519 key */
	char	*bot_token;		/* secret: the API's "Bot" token */
	char	*api_url;		/* the API's base; tests only */
};
struct mattermost_settings {
	char	*token;			/* secret */
	char	*bot_token;		/* secret: the bot account's token */
	char	*bot_user_id;		/* the bot's user id, for its DMs */
	char	*server_url;		/* "https://chat.example.com" */
	char	*callback_url;		/* nudged as the server reaches it */
};
struct webhook_settings {
	char	*signing_secret;	/* secret, "whsec_" + base64 */
};

/* slack_in.c: Slack's answers, for the row in slack.c. */
extern const struct chat_route slack_in_routes[];
extern const struct chat_forms slack_in_forms;
int		 slack_in_probe(int, const char *, const struct chat_inbound *);
int		 slack_in_parse(const struct chat_inbound *, struct chat_answer *,
		    char **);
int		 slack_in_has_secret(const struct config_channel *);
enum sig_result	 slack_in_verify(const struct config_channel *,
		    const struct chat_inbound *, int64_t);
int		 slack_in_names_channel(const struct config_channel *,
		    const struct chat_answer *);
char		*slack_in_respond(const struct chat_receipt *, const char **);

/*
 * Each platform's signature scheme, on sig.c's primitives. Like sig.c's
 * verifiers they check the signature before the clock and fail closed
 * (SIG_BAD) on a NULL or unusable secret or key.
 */
/* Slack v0: X-Slack-Signature "v0=<hex>" over "v0:" TIMESTAMP ":" BODY. */
enum sig_result	 slack_in_signature(const char *secret, const char *timestamp,
		    const char *signature, const void *body, size_t len,
		    int64_t now);
/* Teams outgoing webhook: "HMAC <base64>" of BODY, key base64-decoded. */
enum sig_result	 teams_signature(const char *b64_secret,
		    const char *authorization, const void *body, size_t len);
/* Discord: Ed25519 over TIMESTAMP BODY, key and signature in hex. */
enum sig_result	 discord_signature(const char *public_key_hex,
		    const char *timestamp, const char *signature_hex,
		    const void *body, size_t len, int64_t now);

/*
 * Google Chat: the query parameter to append to a space webhook URL (after
 * '&', or '?' when the URL has no query) so that each schedule's nudges
 * share one thread; the body names the thread by the schedule.
 */
const char	*chat_googlechat_url_suffix(void);

/* A header's value in lines "Name: value\r\n" (allocated), or NULL. */
char		*chat_header_value(const char *headers, const char *name);
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
/*
 * "/reflect K7QX your answer", or NULL when the channel cannot take answers
 * as configured (chat_answer_gap): then a message names no way to answer.
 */
char		*chat_reply_command(const struct chat_nudge *,
		    const struct config_channel *);
/* &, <, > as &amp; &lt; &gt; (Slack mrkdwn, Google Chat card HTML). */
char		*chat_escape_html(const char *);
/*
 * Backslash before each of specials, before #, - or + opening a line, and
 * before the . or ) of a number opening one (an ordered list).
 */
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
/* Whether a form (key=value&...) sets key to value. */
int		 chat_in_form_has(const char *form, const char *key,
		    const char *value);
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
