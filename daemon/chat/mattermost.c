/* SPDX-License-Identifier: ISC */
/*
 * Mattermost incoming webhooks (Slack-compatible): a lead line as "text" and
 * one attachment with fallback, pretext (the theme), text (the question and
 * follow-up, Markdown) and footer (the answer hint). Markdown specials are
 * backslash-escaped. Mattermost turns "<!channel>", "<!here>", "<!all>" and
 * "<@id>" into mentions and notifies on "@channel" and friends, so a zero
 * width space goes after every '<' and '@' in every field: shown the same,
 * never a mention.
 *
 * Answers come by an outgoing webhook (a trigger word opens a post; form or
 * JSON) or a custom slash command (a form). Both carry the integration's
 * token, the slash command also as "Authorization: Token ...": no signature.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "chat/mattermost_int.h"
#include "config.h"
#include "xmalloc.h"

/* Posts hold up to 16,383 characters (servers 5.0 and later). */
#define MATTERMOST_TEXT_MAX	16383

static int	mattermost_format(const struct chat_nudge *,
		    const struct config_channel *, int64_t,
		    struct chat_request *, char **);
static enum chat_outcome mattermost_classify(long, const char *, size_t,
		    char **, int64_t *);
static int	mattermost_parse(const struct chat_inbound *,
		    struct chat_answer *, char **);
static int	mattermost_fields(const struct chat_in_body *,
		    struct chat_answer *, char **);
static const char *mattermost_untrigger(const char *, const char *);
static void	*mattermost_config_parse(struct config_reader *, const cJSON *);
static void	 mattermost_config_free(void *);
static int	mattermost_has_secret(const struct config_channel *);
static enum sig_result mattermost_verify(const struct config_channel *,
		    const struct chat_inbound *, int64_t);
static const char *mattermost_credentials(const char *);
static int	mattermost_token_equal(const char *, const char *, size_t);
static char	*mattermost_respond(const struct chat_receipt *,
		    const char **);

/*
 * Self-hosted: rate limiting is off by default and 10/s with bursts of 100
 * when on; 1/s is polite to small servers and ample for nudges.
 */
/*
 * The outgoing webhook's or slash command's token checks answers; a bot
 * account's token and id, the server's URL and nudged's own URL as the
 * server reaches it send DMs with an Answer button.
 */
static const char *const mattermost_config_keys[] = { "token", "bot_token",
	"bot_user_id", "server_url", "callback_url", NULL };

/* Where Mattermost posts answers, button clicks and dialogs. */
static const struct chat_route mattermost_routes[] = {
	{ "/mattermost", "application/x-www-form-urlencoded,application/json", &chat_mattermost },
	{ MATTERMOST_ACTIONS, "application/json", &chat_mattermost },
	{ MATTERMOST_DIALOGS, "application/json", &chat_mattermost },
	{ NULL, NULL, NULL },
};

const struct chat_platform chat_mattermost = {
	.name = "mattermost",
	.title = "Mattermost",
	.direct = &mattermost_direct,
	.posts_http = 1,
	.default_rate = 1.0,
	.format_prompt = mattermost_format,
	.classify = mattermost_classify,
	.config_keys = mattermost_config_keys,
	.config_parse = mattermost_config_parse,
	.config_free = mattermost_config_free,
	.routes = mattermost_routes,
	.token_secret = 1,
	.parse = mattermost_parse,
	.has_secret = mattermost_has_secret,
	.verify = mattermost_verify,
	.forms = &mattermost_forms,
	.proves_callbacks = 1,
	.respond = mattermost_respond,
};

/* Escape a field: Markdown (when it renders) and mention triggers. */
char *
mattermost_escape(const char *s, int markdown)
{
	struct strbuf	 b = { NULL, 0, 0 };
	char		*md = NULL;
	const char	*p;

	if (markdown)
		s = md = chat_escape_markdown(s, MATTERMOST_SPECIALS);
	for (p = s; *p != '\0'; p++) {
		strbuf_addc(&b, *p);
		if (*p == '<' || *p == '@')
			strbuf_add(&b, MATTERMOST_ZWSP);
	}
	free(md);
	return strbuf_take(&b);
}

/* Build the webhook body for a nudge. */
static int
mattermost_format(const struct chat_nudge *n,
    const struct config_channel *cc, int64_t now, struct chat_request *req,
    char **cause)
{
	cJSON *root;

	(void)now;
	memset(req, 0, sizeof *req);
	if ((root = mattermost_message(n, cc, cause)) == NULL)
		return -1;
	chat_json_finish(root, req, "application/json");
	return 0;
}

/* The message of a nudge: the lead as text, one attachment. */
cJSON *
mattermost_message(const struct chat_nudge *n, const struct config_channel *cc,
    char **cause)
{
	struct strbuf	 b = { NULL, 0, 0 };
	cJSON		*root, *attachments, *att;
	char		*question, *follow, *text, *title, *line, *fallback;
	char		*command, *hint;
	size_t		 len;

	if (chat_check_nudge(n, cause) == -1)
		return NULL;

	question = mattermost_escape(n->text, 1);
	if (n->context != NULL && n->context[0] != '\0') {
		follow = mattermost_escape(n->context, 1);
		strbuf_addf(&b, "*%s*\n", follow);
		free(follow);
	}
	strbuf_addf(&b, "**%s**", question);
	free(question);
	if (n->follow_up != NULL && n->follow_up[0] != '\0') {
		follow = mattermost_escape(n->follow_up, 1);
		strbuf_addf(&b, "\n\n*%s*", follow);
		free(follow);
	}
	text = strbuf_take(&b);
	if ((len = chat_utf8_chars(text)) > MATTERMOST_TEXT_MAX) {
		xasprintf(cause, "the question is %zu characters once "
		    "formatted; a Mattermost post holds at most %d", len,
		    MATTERMOST_TEXT_MAX);
		free(text);
		return NULL;
	}
	title = mattermost_escape(chat_title(n), 1);
	line = chat_one_line(n);
	fallback = mattermost_escape(line, 0);
	free(line);
	hint = NULL;
	if ((command = chat_reply_command(n, cc)) != NULL) {
		xasprintf(&line, "Reply with %s", command);
		hint = mattermost_escape(line, 0);
		free(line);
		free(command);
	}

	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "text", chat_lead(n));
	attachments = chat_json_array(root, "attachments");
	att = chat_json_object(attachments, NULL);
	chat_json_string(att, "fallback", fallback);
	chat_json_string(att, "pretext", title);
	chat_json_string(att, "text", text);
	if (hint != NULL)
		chat_json_string(att, "footer", hint);

	free(text);
	free(title);
	free(fallback);
	free(hint);
	return root;
}

/* Read Mattermost's answer: 200 "ok" sent; 429 and 5xx retry; rest fail. */
static enum chat_outcome
mattermost_classify(long status, const char *body, size_t len, char **reason,
    int64_t *retry_ms)
{
	enum chat_outcome	 outcome = chat_http_outcome(status);
	const char		*message;
	cJSON			*json;

	if (retry_ms != NULL)
		*retry_ms = -1;
	if (reason == NULL)
		return outcome;
	/* Errors are JSON {"id", "message", ...}; older servers send text. */
	json = body != NULL ? cJSON_ParseWithLength(body, len) : NULL;
	message = chat_json_find(json, "message", NULL);
	if (outcome != CHAT_SENT && message != NULL)
		*reason = chat_reason(message, strlen(message));
	else
		*reason = chat_reason(body, len);
	cJSON_Delete(json);
	return outcome;
}

/* Read an outgoing webhook or a slash command, form or JSON. */
static int
mattermost_parse(const struct chat_inbound *in, struct chat_answer *a,
    char **cause)
{
	struct chat_in_body	*body;
	int			 rv;

	memset(a, 0, sizeof *a);
	if ((body = chat_in_body_parse(in, cause)) == NULL)
		return -1;
	if (mattermost_interact_is(chat_in_body_json(body)))
		rv = mattermost_interact_parse(chat_in_body_json(body), a,
		    cause);
	else
		rv = mattermost_fields(body, a, cause);
	chat_in_body_free(body);
	if (rv == -1)
		chat_answer_free(a);
	return rv;
}

/*
 * A request with a "command" field is a slash command: its text is what
 * followed the command, and its trigger_id stands for the message id it
 * lacks. Otherwise it is an outgoing webhook: post_id is the message id,
 * and the text still opens with the trigger word, which goes.
 */
static int
mattermost_fields(const struct chat_in_body *body, struct chat_answer *a,
    char **cause)
{
	const char	*command, *user, *name, *channel, *text, *id, *trigger;

	if (chat_in_field(body, "command", CHAT_IN_OPTIONAL, CHAT_IN_ID_MAX,
	    &command, cause) == -1 ||
	    chat_in_field(body, "user_id", CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX,
	    &user, cause) == -1 ||
	    chat_in_field(body, "user_name", CHAT_IN_OPTIONAL, CHAT_IN_ID_MAX,
	    &name, cause) == -1 ||
	    chat_in_field(body, "channel_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &channel, cause) == -1 ||
	    chat_in_field(body, "text", CHAT_IN_REQUIRED, CHAT_IN_RAW_MAX,
	    &text, cause) == -1)
		return -1;
	if (command != NULL) {
		a->via = CHAT_VIA_COMMAND;
		if (chat_in_field(body, "trigger_id", CHAT_IN_NONEMPTY,
		    CHAT_IN_ID_MAX, &id, cause) == -1)
			return -1;
	} else {
		a->via = CHAT_VIA_MESSAGE;
		if (chat_in_field(body, "post_id", CHAT_IN_NONEMPTY,
		    CHAT_IN_ID_MAX, &id, cause) == -1 ||
		    chat_in_field(body, "trigger_word", CHAT_IN_OPTIONAL,
		    CHAT_IN_ID_MAX, &trigger, cause) == -1)
			return -1;
		text = mattermost_untrigger(text, trigger);
	}
	a->kind = CHAT_IN_ANSWER;
	if (chat_in_answer_text(a, text, 1, cause) == -1)
		return -1;
	a->user_id = xstrdup(user);
	a->user_name = name != NULL && *name != '\0' ? xstrdup(name) : NULL;
	a->message_id = xstrdup(id);
	a->route_key = xstrdup(channel);
	return 0;
}

/*
 * The text after its first word when that word begins with the trigger
 * word: the whole word for "first word matches exactly" hooks, and for
 * "starts with" hooks too, whose trigger may be only the word's start.
 */
static const char *
mattermost_untrigger(const char *text, const char *trigger)
{
	const char	*word = text + strspn(text, " \t\n");

	if (trigger == NULL || *trigger == '\0' ||
	    strncmp(word, trigger, strlen(trigger)) != 0)
		return text;
	return word + strcspn(word, " \t\n");
}

/*
 * Whether the channel has the integration's token, or a bot whose buttons
 * and dialogs carry their own proof.
 */
static int
mattermost_has_secret(const struct config_channel *cc)
{
	const struct mattermost_settings *s = cc->settings;

	return s != NULL && ((s->token != NULL && s->token[0] != '\0') ||
	    (s->bot_token != NULL && s->bot_token[0] != '\0'));
}

/* The credentials of "Token t" or "Bearer t", any case; NULL for others. */
static const char *
mattermost_credentials(const char *auth)
{
	size_t	 n = strcspn(auth, " \t");

	if ((n == 5 && strncasecmp(auth, "Token", 5) == 0) ||
	    (n == 6 && strncasecmp(auth, "Bearer", 6) == 0))
		return auth + n + strspn(auth + n, " \t");
	return NULL;
}

/* Compare tokens in time that tells neither their bytes nor their lengths. */
static int
mattermost_token_equal(const char *want, const char *got, size_t len)
{
	static const char	 key[] = "nudged mattermost token";
	unsigned char		 a[32], b[32];

	if (want == NULL || *want == '\0')
		return 0;
	sig_hmac_sha256(key, sizeof key - 1, want, strlen(want), a);
	sig_hmac_sha256(key, sizeof key - 1, got, len, b);
	return sig_equal(a, b, sizeof a);
}

/*
 * Check the token: from an Authorization header of the Token (or Bearer)
 * scheme when there is one, else the body's token field, read again here
 * since parse keeps no state. Another scheme (say a proxy's Basic) is not
 * ours and leaves the body to decide.
 */
static enum sig_result
mattermost_verify(const struct config_channel *cc,
    const struct chat_inbound *in, int64_t now)
{
	const struct mattermost_settings *s = cc->settings;
	struct chat_in_body	*body = NULL;
	const char		*auth, *token = NULL;
	char			*cause = NULL;
	size_t			 len;
	enum sig_result		 rv;

	(void)now;
	/* Not signed: the reply checks the proof they carry (chat.h). */
	if ((body = chat_in_body_parse(in, &cause)) != NULL &&
	    mattermost_interact_is(chat_in_body_json(body))) {
		chat_in_body_free(body);
		return SIG_OK;
	}
	chat_in_body_free(body);
	body = NULL;
	free(cause);
	cause = NULL;
	auth = chat_in_header(in, "Authorization");
	if (auth != NULL && (token = mattermost_credentials(auth)) != NULL) {
		len = strcspn(token, " \t");
		if (len == 0 || token[len + strspn(token + len, " \t")] != '\0')
			return SIG_MALFORMED;
		return mattermost_token_equal(s->token, token, len) ?
		    SIG_OK : SIG_BAD;
	}
	if ((body = chat_in_body_parse(in, &cause)) == NULL ||
	    chat_in_field(body, "token", CHAT_IN_OPTIONAL, CHAT_IN_ID_MAX,
	    &token, &cause) == -1)
		rv = SIG_MALFORMED;
	else if (token == NULL || *token == '\0')
		rv = SIG_MISSING;
	else
		rv = mattermost_token_equal(s->token, token, strlen(token)) ?
		    SIG_OK : SIG_BAD;
	free(cause);
	chat_in_body_free(body);
	return rv;
}

/* Ephemeral for a slash command; a comment in the thread for a webhook. */
static char *
mattermost_respond(const struct chat_receipt *r, const char **content_type)
{
	cJSON	*root;
	char	*text;

	if (r->via == CHAT_VIA_FORM)
		return mattermost_interact_reply(r->stored ? NULL : r->message,
		    content_type);
	if (r->message == NULL)
		return chat_in_empty(content_type);
	text = mattermost_escape(r->message, 1);
	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "text", text);
	chat_json_string(root, "response_type", r->via == CHAT_VIA_COMMAND ?
	    "ephemeral" : "comment");
	free(text);
	*content_type = "application/json";
	return chat_in_print(root);
}

/* The channel's token and its bot's settings. */
static void *
mattermost_config_parse(struct config_reader *r, const cJSON *channel)
{
	struct mattermost_settings *s = xcalloc(1, sizeof *s);

	s->token = config_read_string(r, channel, "token", 0);
	s->bot_token = config_read_string(r, channel, "bot_token", 0);
	s->bot_user_id = config_read_string(r, channel, "bot_user_id", 0);
	s->server_url = config_read_string(r, channel, "server_url", 0);
	s->callback_url = config_read_string(r, channel, "callback_url", 0);
	return s;
}

/* Free what mattermost_config_parse made. */
static void
mattermost_config_free(void *settings)
{
	struct mattermost_settings *s = settings;

	if (s == NULL)
		return;
	free(s->token);
	free(s->bot_token);
	free(s->bot_user_id);
	free(s->server_url);
	free(s->callback_url);
	free(s);
}
