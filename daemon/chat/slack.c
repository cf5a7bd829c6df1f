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

#include "chat/chat.h"
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
static int	slack_parse(const struct chat_inbound *, struct chat_answer *,
		    char **);
static int	slack_command(const struct chat_in_body *, struct chat_answer *,
		    char **);
static int	slack_event(const cJSON *, struct chat_answer *, char **);
static int	slack_message(const cJSON *, const cJSON *, struct chat_answer *,
		    char **);
static int	slack_text(struct chat_answer *, const char *, char **);
static int	slack_has_secret(const struct config_channel *);
static enum sig_result slack_verify(const struct config_channel *,
		    const struct chat_inbound *, int64_t);
static char	*slack_respond(const struct chat_receipt *, const char **);

/* Incoming webhooks allow one message per second, with short bursts. */
const struct chat_platform chat_slack = {
	.name = "slack",
	.posts_http = 1,
	.default_rate = 1.0,
	.format_prompt = slack_format,
	.classify = slack_classify,
	/* /slack/commands is a form, /slack/events is JSON. */
	.accepts = "application/x-www-form-urlencoded,application/json",
	.parse = slack_parse,
	.has_secret = slack_has_secret,
	.verify = slack_verify,
	.respond = slack_respond,
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

	(void)cc;
	(void)now;
	memset(req, 0, sizeof *req);
	if (chat_check_nudge(n, cause) == -1)
		return -1;

	question = chat_escape_html(n->text);
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
	command = chat_reply_command(n);
	line = chat_escape_html(command);
	/* A thread reply is matched by its code: webhooks do not tell us the ts. */
	if (n->reply_code != NULL && n->reply_code[0] != '\0')
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

/* Read a slash command (a form) or an Events API request (JSON). */
static int
slack_parse(const struct chat_inbound *in, struct chat_answer *a,
    char **cause)
{
	struct chat_in_body	*body;
	const cJSON		*json;
	int			 rv;

	memset(a, 0, sizeof *a);
	if ((body = chat_in_body_parse(in, cause)) == NULL)
		return -1;
	if ((json = chat_in_body_json(body)) == NULL)
		rv = slack_command(body, a, cause);
	else
		rv = slack_event(json, a, cause);
	chat_in_body_free(body);
	if (rv == -1)
		chat_answer_free(a);
	return rv;
}

/* Decode Slack's &amp; &lt; &gt; and take the answer, a code first. */
static int
slack_text(struct chat_answer *a, const char *text, char **cause)
{
	char	*plain;
	int	 rv;

	plain = chat_in_unescape_html(text);
	rv = chat_in_answer_text(a, plain, 1, cause);
	free(plain);
	return rv;
}

/*
 * "/reflect [CODE] answer". Slash commands have no message id: the
 * trigger_id, unique per invocation, stands in for one (Slack does not
 * retry slash commands, so it never repeats).
 */
static int
slack_command(const struct chat_in_body *body, struct chat_answer *a,
    char **cause)
{
	const char	*user, *name, *channel, *trigger, *text;

	if (chat_in_field(body, "user_id", CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX,
	    &user, cause) == -1 ||
	    chat_in_field(body, "user_name", CHAT_IN_OPTIONAL, CHAT_IN_ID_MAX,
	    &name, cause) == -1 ||
	    chat_in_field(body, "channel_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &channel, cause) == -1 ||
	    chat_in_field(body, "trigger_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &trigger, cause) == -1 ||
	    chat_in_field(body, "text", CHAT_IN_REQUIRED, CHAT_IN_RAW_MAX,
	    &text, cause) == -1)
		return -1;
	a->kind = CHAT_IN_ANSWER;
	a->via = CHAT_VIA_COMMAND;
	if (slack_text(a, text, cause) == -1)
		return -1;
	a->user_id = xstrdup(user);
	a->user_name = name != NULL && *name != '\0' ? xstrdup(name) : NULL;
	a->message_id = xstrdup(trigger);
	a->route_key = xstrdup(channel);
	return 0;
}

/*
 * An Events API request: the url_verification handshake (answered with
 * {"challenge": ...} as JSON), a message event, or anything else, ignored
 * with a 200 so Slack neither retries nor counts a failure.
 */
static int
slack_event(const cJSON *root, struct chat_answer *a, char **cause)
{
	const cJSON	*event;
	const char	*type, *challenge;
	cJSON		*reply;

	a->via = CHAT_VIA_MESSAGE;
	if (chat_in_string(root, NULL, "type", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &type, cause) == -1)
		return -1;
	if (strcmp(type, "url_verification") == 0) {
		if (chat_in_string(root, NULL, "challenge", CHAT_IN_NONEMPTY,
		    CHAT_IN_ID_MAX, &challenge, cause) == -1)
			return -1;
		reply = chat_json_object(NULL, NULL);
		chat_json_string(reply, "challenge", challenge);
		a->kind = CHAT_IN_HANDSHAKE;
		a->handshake = chat_in_print(reply);
		a->handshake_type = xstrdup("application/json");
		return 0;
	}
	a->kind = CHAT_IN_IGNORE;	/* app_rate_limited and the like */
	if (strcmp(type, "event_callback") != 0)
		return 0;
	if (chat_in_object(root, NULL, "event", CHAT_IN_REQUIRED, &event,
	    cause) == -1 ||
	    chat_in_string(event, "event", "type", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &type, cause) == -1)
		return -1;
	if (strcmp(type, "message") != 0)
		return 0;
	return slack_message(root, event, a, cause);
}

/*
 * A message event is an answer when a person wrote it as a thread reply.
 * Ignored: bots (bot_id, subtype bot_message), edits, deletions, joins and
 * every other subtype but thread_broadcast ("also send to channel") and
 * file_share (a reply with a file), which people write; messages outside a
 * thread (thread_ts absent or equal to ts); replies with no text. Slack
 * retries a delivery with the same event_id (and X-Slack-Retry-Num), so
 * event_id as the message id makes retries duplicates.
 */
static int
slack_message(const cJSON *root, const cJSON *event, struct chat_answer *a,
    char **cause)
{
	const cJSON	*bot;
	const char	*id, *subtype, *ts, *thread, *user, *text, *channel;
	char		*plain;
	int		 rv;

	bot = cJSON_GetObjectItemCaseSensitive(event, "bot_id");
	if (bot != NULL && !cJSON_IsNull(bot))
		return 0;
	if (chat_in_string(event, "event", "subtype", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &subtype, cause) == -1)
		return -1;
	if (subtype != NULL && strcmp(subtype, "thread_broadcast") != 0 &&
	    strcmp(subtype, "file_share") != 0)
		return 0;
	if (chat_in_string(event, "event", "ts", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &ts, cause) == -1 ||
	    chat_in_string(event, "event", "thread_ts", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &thread, cause) == -1)
		return -1;
	if (thread == NULL || strcmp(thread, ts) == 0)
		return 0;
	if (chat_in_string(root, NULL, "event_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &id, cause) == -1 ||
	    chat_in_string(event, "event", "user", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &user, cause) == -1 ||
	    chat_in_string(event, "event", "channel", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &channel, cause) == -1 ||
	    chat_in_string(event, "event", "text", CHAT_IN_OPTIONAL,
	    CHAT_IN_RAW_MAX, &text, cause) == -1)
		return -1;
	/* A file shared with no words is not an answer, nor an error. */
	plain = chat_in_unescape_html(text != NULL ? text : "");
	if (plain[strspn(plain, " \t\n\r\f\v")] == '\0') {
		free(plain);
		return 0;
	}
	a->kind = CHAT_IN_ANSWER;
	rv = chat_in_answer_text(a, plain, 1, cause);
	free(plain);
	if (rv == -1)
		return -1;
	a->user_id = xstrdup(user);
	a->message_id = xstrdup(id);
	a->route_key = xstrdup(channel);
	a->thread = xstrdup(thread);
	return 0;
}

/* Whether the channel has the app's signing secret. */
static int
slack_has_secret(const struct config_channel *cc)
{
	return cc->signing_secret != NULL && cc->signing_secret[0] != '\0';
}

/* Check the v0 signature over the timestamp and the raw body. */
static enum sig_result
slack_verify(const struct config_channel *cc, const struct chat_inbound *in,
    int64_t now)
{
	return sig_slack_verify(cc->signing_secret,
	    chat_in_header(in, "X-Slack-Request-Timestamp"),
	    chat_in_header(in, "X-Slack-Signature"), in->body, in->len, now);
}

/*
 * A slash command's reply is an ephemeral message only its caller sees.
 * Slack ignores the body of an answer to an event: it gets an empty 200.
 */
static char *
slack_respond(const struct chat_receipt *r, const char **content_type)
{
	cJSON	*root;
	char	*text;

	if (r->message == NULL || r->via != CHAT_VIA_COMMAND)
		return chat_in_empty(content_type);
	text = chat_escape_html(r->message);
	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "response_type", "ephemeral");
	chat_json_string(root, "text", text);
	free(text);
	*content_type = "application/json";
	return chat_in_print(root);
}
