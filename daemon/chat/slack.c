/* SPDX-License-Identifier: ISC */
/*
 * Slack incoming webhooks: a Block Kit message (the question in a section,
 * the follow-up and the answer hint in context blocks) with a plain "text"
 * fallback for notifications. Slack's mrkdwn has no escape for * _ ~, only
 * &amp; &lt; &gt; for & < >, which also keeps <!channel> and links inert.
 *
 * Answers come two ways, both signed with the app's signing secret: the
 * /reflect slash command (a form) and Events API thread replies (JSON). The
 * text of both arrives with & < > as entities, decoded here.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/chat_int.h"
#include "chat/slack_api.h"
#include "config.h"
#include "xmalloc.h"

/* Block Kit: a section's text and a text object hold 1-3000 characters. */
#define SLACK_SECTION_MAX	3000
/* The "text" field is truncated beyond 40,000 characters. */
#define SLACK_TEXT_MAX		40000

static int	slack_format(const struct chat_nudge *,
		    const struct config_channel *, int64_t,
		    struct chat_request *, char **);
static enum chat_outcome slack_classify(long, const char *, size_t, char **,
		    int64_t *);
static int	slack_can_bold(const char *);
static int	slack_check(const char *, const char *, size_t, char **);
static void	slack_context(cJSON *, const char *);
static const char *slack_error(const char *, size_t, const char **);
static void	*slack_config_parse(struct config_reader *, const cJSON *);
static void	 slack_config_free(void *);

/* The app's signing secret checks answers; the channel id routes them. */
static const char *const slack_config_keys[] = { "signing_secret",
	"slack_channel_id", "bot_token", "api_url", NULL };

static int	slack_direct_ready(const struct config_channel *, char **);
static int	slack_user_id(const char *);
static int	slack_channel_api(const struct config_channel *);
static const char *slack_channel_conversation(const struct config_channel *);
static char	*slack_direct_url(const struct config_channel *,
		    enum chat_direct_call, const char *);
static const char *slack_direct_base(const struct config_channel *);
static void	 slack_direct_open(const struct config_channel *, const char *,
		    struct chat_request *);
static int	 slack_direct_post(const struct chat_nudge *,
		    const struct config_channel *, const char *, const char *,
		    struct chat_request *, char **);
static void	 slack_direct_read(enum chat_direct_call, long, const char *,
		    size_t, int64_t, const char *, struct chat_direct_answer *);
static void	 slack_direct_answer(const char *, long, const char *, size_t,
		    int64_t, struct chat_direct_answer *);
static char	*slack_direct_profile(const struct config_channel *,
		    const char *, struct chat_request *);
static void	 slack_direct_profile_read(long, const char *, size_t,
		    struct chat_direct_answer *);

/* The Web API method of each call. */
static const char *const slack_direct_methods[CHAT_DIRECT_NCALLS] = {
	[CHAT_DIRECT_OPEN] = "conversations.open",
	[CHAT_DIRECT_POST] = "chat.postMessage",
};

/* Direct messages go through the Web API with the app's bot token. */
static const struct chat_direct slack_direct = {
	.ready = slack_direct_ready,
	.check_user = slack_user_id,
	.channel_api = slack_channel_api,
	.channel_conversation = slack_channel_conversation,
	.url = slack_direct_url,
	.open = slack_direct_open,
	.post = slack_direct_post,
	.read = slack_direct_read,
	.profile = slack_direct_profile,
	.profile_read = slack_direct_profile_read,
	.user_hint = "U or W and capital letters and digits, as in U01ADA; "
	    "a member's profile menu has \"Copy member ID\"",
};

/* Incoming webhooks allow one message per second, with short bursts. */
const struct chat_platform chat_slack = {
	.name = "slack",
	.title = "Slack",
	.direct = &slack_direct,
	.posts_http = 1,
	.default_rate = 1.0,
	.format_prompt = slack_format,
	.classify = slack_classify,
	.config_keys = slack_config_keys,
	.config_parse = slack_config_parse,
	.config_free = slack_config_free,
	.routes = slack_in_routes,
	.probe = slack_in_probe,
	.parse = slack_in_parse,
	.has_secret = slack_in_has_secret,
	.verify = slack_in_verify,
	.names_channel = slack_in_names_channel,
	/* Threads hold talk too: under a root nudged did not post, a code decides. */
	.thread_needs_code = 1,
	.forms = &slack_in_forms,
	.respond = slack_in_respond,
};


/* What the webhook error strings mean (Slack's changelog and webhook page). */
static const struct {
	const char	*code;
	const char	*hint;
} slack_errors[] = {
	{ "invalid_payload", "Slack could not read the message" },
	{ "user_not_found", "the webhook's user no longer exists" },
	{ "channel_not_found",
	    "the webhook's channel is gone or out of reach" },
	{ "channel_is_archived", "the webhook's channel is archived" },
	{ "action_prohibited", "a workspace admin restricted posting" },
	{ "posting_to_general_channel_denied",
	    "only admins may post in this channel" },
	{ "too_many_attachments", "the message has too many attachments" },
	{ "invalid_token", "the webhook was revoked; create a new one" },
	{ "no_service",
	    "the webhook was disabled or removed; create a new one" },
	{ "no_service_id", "the webhook is not valid; create a new one" },
	{ "no_team", "the webhook's workspace is gone" },
	{ "team_disabled", "the webhook's workspace is disabled" },
};

/*
 * True when the question can be wrapped in *...*: Slack bolds a span only
 * between non-blank ends on one line, and an inner * would end it early.
 */
static int
slack_can_bold(const char *s)
{
	size_t	 n = strlen(s);

	return n != 0 && strpbrk(s, "*\n") == NULL && s[0] != ' ' &&
	    s[n - 1] != ' ';
}

/* Refuse text over a Slack limit rather than let Slack cut it. */
static int
slack_check(const char *what, const char *s, size_t max, char **cause)
{
	size_t	 n = chat_utf8_chars(s);

	if (n <= max)
		return 0;
	xasprintf(cause, "the %s is %zu characters once formatted; Slack "
	    "allows at most %zu in a %s", what, n, max,
	    max == SLACK_TEXT_MAX ? "message's text" : "Block Kit text");
	return -1;
}

/* Append a context block with one mrkdwn element. */
static void
slack_context(cJSON *blocks, const char *mrkdwn)
{
	cJSON	*block, *elements, *el;

	block = chat_json_object(blocks, NULL);
	chat_json_string(block, "type", "context");
	elements = chat_json_array(block, "elements");
	el = chat_json_object(elements, NULL);
	chat_json_string(el, "type", "mrkdwn");
	chat_json_string(el, "text", mrkdwn);
}

/* Build the Block Kit message for a nudge. */
static int
slack_format(const struct chat_nudge *n, const struct config_channel *cc,
    int64_t now, struct chat_request *req, char **cause)
{
	struct strbuf	 b = { NULL, 0, 0 };
	cJSON		*root, *blocks, *block, *text;
	char		*question, *section, *follow = NULL, *footer, *line;
	char		*fallback, *title, *command;
	int		 rv = -1;

	(void)now;
	memset(req, 0, sizeof *req);
	if (chat_check_nudge(n, cause) == -1)
		return -1;

	question = chat_escape_html(n->text);
	if (n->context != NULL && n->context[0] != '\0') {
		line = chat_escape_html(n->context);
		strbuf_addf(&b, "_%s_\n", line);
		free(line);
	}
	if (n->kind != CHAT_PROMPT) {
		strbuf_add(&b, chat_lead(n));
		strbuf_addc(&b, '\n');
	}
	if (slack_can_bold(n->text))
		strbuf_addf(&b, "*%s*", question);
	else
		strbuf_add(&b, question);
	section = strbuf_take(&b);

	if (n->follow_up != NULL && n->follow_up[0] != '\0')
		follow = chat_escape_html(n->follow_up);
	title = chat_escape_html(chat_title(n));
	command = chat_reply_command(n, cc);
	line = command != NULL ? chat_escape_html(command) : NULL;
	/* A thread reply is matched by its code: webhooks do not tell us the ts. */
	if (line == NULL)
		footer = xstrdup(title);
	else if (n->reply_code != NULL && n->reply_code[0] != '\0')
		xasprintf(&footer, "%s \xc2\xb7 Answer with `%s`, or reply in the "
		    "thread starting with %s", title, line, n->reply_code);
	else
		xasprintf(&footer, "%s \xc2\xb7 Answer with `%s`", title, line);
	free(line);
	line = chat_one_line(n);
	fallback = chat_escape_html(line);
	free(line);

	if (slack_check("question", section, SLACK_SECTION_MAX, cause) == -1 ||
	    (follow != NULL && slack_check("follow-up", follow,
	    SLACK_SECTION_MAX, cause) == -1) ||
	    slack_check("theme title", footer, SLACK_SECTION_MAX,
	    cause) == -1 ||
	    slack_check("question", fallback, SLACK_TEXT_MAX, cause) == -1)
		goto out;

	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "text", fallback);
	blocks = chat_json_array(root, "blocks");
	block = chat_json_object(blocks, NULL);
	chat_json_string(block, "type", "section");
	text = chat_json_object(block, "text");
	chat_json_string(text, "type", "mrkdwn");
	chat_json_string(text, "text", section);
	if (follow != NULL)
		slack_context(blocks, follow);
	slack_context(blocks, footer);
	chat_json_finish(root, req, "application/json");
	rv = 0;

out:
	free(question);
	free(section);
	free(follow);
	free(title);
	free(command);
	free(footer);
	free(fallback);
	return rv;
}

/* The Slack error string a body holds, with its explanation, or NULL. */
static const char *
slack_error(const char *body, size_t len, const char **hint)
{
	size_t	 i, n;

	/* Bodies are a bare string, sometimes with a trailing newline. */
	while (len != 0 && (body[len - 1] == '\n' || body[len - 1] == '\r' ||
	    body[len - 1] == ' '))
		len--;
	for (i = 0; i < sizeof slack_errors / sizeof slack_errors[0]; i++) {
		n = strlen(slack_errors[i].code);
		if (n == len && memcmp(body, slack_errors[i].code, n) == 0) {
			*hint = slack_errors[i].hint;
			return slack_errors[i].code;
		}
	}
	return NULL;
}

/* Read Slack's answer: 200 "ok" is sent; 429 and 5xx retry; the rest fail. */
static enum chat_outcome
slack_classify(long status, const char *body, size_t len, char **reason,
    int64_t *retry_ms)
{
	enum chat_outcome	 outcome = chat_http_outcome(status);
	const char		*code, *hint;
	char			*detail;

	if (retry_ms != NULL)
		*retry_ms = -1;	/* Slack says Retry-After in a header only */
	if (reason == NULL)
		return outcome;
	if (body == NULL)
		len = 0;
	if (outcome != CHAT_SENT &&
	    (code = slack_error(body, len, &hint)) != NULL) {
		xasprintf(&detail, "%s (%s)", code, hint);
		*reason = chat_reason(detail, strlen(detail));
		free(detail);
	} else
		*reason = chat_reason(body, len);
	return outcome;
}

/* The channel's signing_secret and slack_channel_id. */
static void *
slack_config_parse(struct config_reader *r, const cJSON *channel)
{
	struct slack_settings *s = xcalloc(1, sizeof *s);

	s->signing_secret = config_read_string(r, channel, "signing_secret", 0);
	s->channel_id = config_read_string(r, channel, "slack_channel_id", 0);
	s->bot_token = config_read_string(r, channel, "bot_token", 0);
	s->api_url = config_read_string(r, channel, "api_url", 0);
	return s;
}

/* A channel sends DMs when it has the app's bot token. */
static int
slack_direct_ready(const struct config_channel *c, char **why)
{
	const struct slack_settings *s = c->settings;

	if (s != NULL && s->bot_token != NULL && s->bot_token[0] != '\0')
		return 1;
	*why = xstrdup("it needs the app's \"bot_token\" (xoxb-…) to open "
	    "direct messages through Slack's Web API");
	return 0;
}

/*
 * With a bot token and a channel id, the team's question goes through
 * chat.postMessage too, which returns the message's ts: a plain reply in
 * its thread is then an answer, no code needed.
 */
static int
slack_channel_api(const struct config_channel *c)
{
	const struct slack_settings *s = c->settings;

	return s != NULL && s->bot_token != NULL && s->channel_id != NULL;
}

/* The channel's own conversation: its slack_channel_id. */
static const char *
slack_channel_conversation(const struct config_channel *c)
{
	const struct slack_settings *s = c->settings;

	return s->channel_id;
}

/* The Web API method's URL. */
static char *
slack_direct_url(const struct config_channel *c, enum chat_direct_call call,
    const char *conversation)
{
	(void)conversation;	/* the body names it */
	return slack_api_url(slack_direct_base(c), slack_direct_methods[call]);
}

/* Where the channel's Web API lives: api_url when it sets one. */
static const char *
slack_direct_base(const struct config_channel *c)
{
	const struct slack_settings *s = c->settings;

	return s->api_url != NULL ? s->api_url : SLACK_API_BASE;
}

/* conversations.open with the bot token. */
static void
slack_direct_open(const struct config_channel *c, const char *user,
    struct chat_request *req)
{
	const struct slack_settings *s = c->settings;

	slack_api_open_dm(user, s->bot_token, req);
}

/* chat.postMessage with the Answer button, with the bot token. */
static int
slack_direct_post(const struct chat_nudge *n, const struct config_channel *c,
    const char *conversation, const char *thread, struct chat_request *req,
    char **cause)
{
	const struct slack_settings *s = c->settings;

	return slack_api_post_nudge(n, conversation, thread, s->bot_token, req,
	    cause);
}

/* The Web API's answer, in the classes every platform's answers fall in. */
static void
slack_direct_read(enum chat_direct_call call, long status, const char *body,
    size_t len, int64_t retry_after_ms, const char *headers,
    struct chat_direct_answer *out)
{
	(void)headers;	/* Slack says all in Retry-After */
	slack_direct_answer(slack_direct_methods[call], status, body, len,
	    retry_after_ms, out);
}

/* The answer to a call of method, read into the platform-neutral classes. */
static void
slack_direct_answer(const char *method, long status, const char *body,
    size_t len, int64_t retry_after_ms, struct chat_direct_answer *out)
{
	static const enum chat_direct_class classes[] = {
		[SLACK_API_OK] = CHAT_DIRECT_OK,
		[SLACK_API_RETRY] = CHAT_DIRECT_RETRY,
		[SLACK_API_PERSON] = CHAT_DIRECT_PERSON,
		[SLACK_API_AUTH] = CHAT_DIRECT_AUTH,
		[SLACK_API_FAIL] = CHAT_DIRECT_FAIL,
	};
	struct slack_api_answer a;

	slack_api_read(method, status, body, len, retry_after_ms, &a);
	memset(out, 0, sizeof *out);
	out->cls = classes[a.cls];
	out->retry_ms = a.retry_ms;
	out->error = a.error != NULL ? chat_reason(a.error,
	    strlen(a.error)) : NULL;
	out->conversation = a.channel;
	out->message_id = a.ts;
	out->tz = a.tz;
	a.channel = a.ts = a.tz = NULL;
	slack_api_answer_free(&a);
}

/*
 * users.info with the bot token (scope users:read): the user's "tz" is
 * their profile's zone (docs.slack.dev/reference/methods/users.info). The
 * method is Tier 4, 100+ calls a minute (api.slack.com/docs/rate-limits):
 * zones.c's one call a second stays well under it.
 */
static char *
slack_direct_profile(const struct config_channel *c, const char *user,
    struct chat_request *req)
{
	const struct slack_settings *s = c->settings;

	slack_api_users_info(user, s->bot_token, req);
	return slack_api_url(slack_direct_base(c), "users.info");
}

/* users.info's answer: the zone in user.tz. */
static void
slack_direct_profile_read(long status, const char *body, size_t len,
    struct chat_direct_answer *out)
{
	slack_direct_answer("users.info", status, body, len, -1, out);
}

/* A Slack user id: U or W, then capital letters and digits. */
static int
slack_user_id(const char *s)
{
	size_t n = strlen(s);

	return n >= 3 && n <= 32 && (s[0] == 'U' || s[0] == 'W') &&
	    strspn(s + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n - 1;
}

/* Free what slack_config_parse made. */
static void
slack_config_free(void *settings)
{
	struct slack_settings *s = settings;

	if (s == NULL)
		return;
	free(s->signing_secret);
	free(s->channel_id);
	free(s->bot_token);
	free(s->api_url);
	free(s);
}
