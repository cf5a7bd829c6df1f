/* SPDX-License-Identifier: ISC */
/*
 * Answers from Slack, all signed with the app's signing secret: the
 * /reflect slash command (a form), Events API messages (JSON: thread
 * replies, and plain messages in a person's DM with the app), and
 * interactions (a form whose "payload" is JSON: the Answer button and its
 * modal, read by slack_interact.c). The text of commands and messages
 * arrives with & < > as entities, decoded here.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/chat_int.h"
#include "chat/slack_interact.h"
#include "config.h"
#include "xmalloc.h"

#define SLACK_IN_TYPES	"application/x-www-form-urlencoded,application/json"

static int	slack_in_command(const struct chat_in_body *,
		    struct chat_answer *, char **);
static int	slack_in_event(const cJSON *, struct chat_answer *, char **);
static int	slack_in_message(const cJSON *, const cJSON *,
		    struct chat_answer *, char **);
static int	slack_in_text(struct chat_answer *, const char *, char **);

/* The slash command posts a form, the Events API JSON; each takes both. */
const struct chat_route slack_in_routes[] = {
	{ "/slack/commands", SLACK_IN_TYPES, &chat_slack },
	{ "/slack/events", SLACK_IN_TYPES, &chat_slack },
	{ "/slack/interactions", "application/x-www-form-urlencoded",
	    &chat_slack },
	{ NULL, NULL, NULL },
};

/*
 * Slack checks a slash command's certificate with ssl_check=1: a GET with
 * it in the query, or a POST form with it (and a token, no signature) in
 * the body. It expects a 200 (api.slack.com/interactivity/slash-commands;
 * Bolt answers it before any signature check, too).
 */
int
slack_in_probe(int get, const char *query, const struct chat_inbound *in)
{
	const char *form = get ? query : in->body;
	const char *type = in->content_type != NULL ? in->content_type : "";

	if (form == NULL || (!get &&
	    strcmp(type, "application/x-www-form-urlencoded") != 0))
		return 0;
	return chat_in_form_has(form, "ssl_check", "1");
}

/* Read a slash command (a form) or an Events API request (JSON). */
int
slack_in_parse(const struct chat_inbound *in, struct chat_answer *a,
    char **cause)
{
	struct chat_in_body	*body;
	const cJSON		*json;
	const char		*payload = NULL;
	int			 rv;

	memset(a, 0, sizeof *a);
	if ((body = chat_in_body_parse(in, cause)) == NULL)
		return -1;
	json = chat_in_body_json(body);
	if (json == NULL && chat_in_field(body, "payload", CHAT_IN_OPTIONAL,
	    CHAT_IN_RAW_MAX, &payload, cause) == -1) {
		chat_in_body_free(body);
		return -1;
	}
	if (payload != NULL)
		rv = slack_interaction_answer(in, a, cause);
	else if (json == NULL)
		rv = slack_in_command(body, a, cause);
	else
		rv = slack_in_event(json, a, cause);
	chat_in_body_free(body);
	if (rv == -1)
		chat_answer_free(a);
	return rv;
}

/* Decode Slack's &amp; &lt; &gt; and take the answer, a code first. */
static int
slack_in_text(struct chat_answer *a, const char *text, char **cause)
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
slack_in_command(const struct chat_in_body *body, struct chat_answer *a,
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
	if (slack_in_text(a, text, cause) == -1)
		return -1;
	a->user_id = xstrdup(user);
	a->user_name = name != NULL && *name != '\0' ? xstrdup(name) : NULL;
	a->message_id = xstrdup(trigger);
	a->trigger = xstrdup(trigger);
	a->route_key = xstrdup(channel);
	return 0;
}

/*
 * An Events API request: the url_verification handshake (answered with
 * {"challenge": ...} as JSON), a message event, or anything else, ignored
 * with a 200 so Slack neither retries nor counts a failure.
 */
static int
slack_in_event(const cJSON *root, struct chat_answer *a, char **cause)
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
	return slack_in_message(root, event, a, cause);
}

/*
 * A message event is an answer when a person wrote it as a thread reply, or
 * anywhere in their direct conversation with the app (channel_type "im").
 * Ignored: bots (bot_id, subtype bot_message), edits, deletions, joins and
 * every other subtype but thread_broadcast ("also send to channel") and
 * file_share (a reply with a file), which people write; messages outside a
 * thread (thread_ts absent or equal to ts); replies with no text. Slack
 * retries a delivery with the same event_id (and X-Slack-Retry-Num), so
 * event_id as the message id makes retries duplicates.
 */
static int
slack_in_message(const cJSON *root, const cJSON *event, struct chat_answer *a,
    char **cause)
{
	const cJSON	*bot;
	const char	*id, *subtype, *ts, *thread, *user, *text, *channel;
	const char	*type;
	char		*plain;
	int		 rv, direct;

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
	    CHAT_IN_ID_MAX, &thread, cause) == -1 ||
	    chat_in_string(event, "event", "channel_type", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &type, cause) == -1)
		return -1;
	if (thread != NULL && strcmp(thread, ts) == 0)
		thread = NULL;
	direct = type != NULL && strcmp(type, "im") == 0;
	if (thread == NULL && !direct)
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
	a->thread = thread != NULL ? xstrdup(thread) : NULL;
	a->direct = direct;
	return 0;
}

/* Whether the channel has the app's signing secret. */
int
slack_in_has_secret(const struct config_channel *cc)
{
	const struct slack_settings *s = cc->settings;

	return s != NULL && s->signing_secret != NULL &&
	    s->signing_secret[0] != '\0';
}

/* Check the v0 signature over the timestamp and the raw body. */
enum sig_result
slack_in_verify(const struct config_channel *cc, const struct chat_inbound *in,
    int64_t now)
{
	const struct slack_settings *s = cc->settings;

	return slack_in_signature(s->signing_secret,
	    chat_in_header(in, "X-Slack-Request-Timestamp"),
	    chat_in_header(in, "X-Slack-Signature"), in->body, in->len, now);
}

/* Whether the answer came from the Slack channel this channel is bound to. */
int
slack_in_names_channel(const struct config_channel *cc,
    const struct chat_answer *a)
{
	const struct slack_settings *s = cc->settings;

	return a->route_key != NULL && s->channel_id != NULL &&
	    strcmp(a->route_key, s->channel_id) == 0;
}

/*
 * A slash command's reply is an ephemeral message only its caller sees. A
 * modal's submission is closed by an empty 200, or kept open with why it
 * was refused. Slack ignores the body of an answer to an event: it gets an
 * empty 200.
 */
char *
slack_in_respond(const struct chat_receipt *r, const char **content_type)
{
	cJSON	*root;
	char	*text;

	if (r->via == CHAT_VIA_FORM)
		return slack_interaction_reply(r->stored || r->message == NULL ?
		    NULL : r->message, content_type);
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

/*
 * Slack's v0 scheme: X-Slack-Signature "v0=<hex>", the HMAC-SHA256 of
 * "v0:" TIMESTAMP ":" BODY under the signing secret
 * (api.slack.com/authentication/verifying-requests-from-slack).
 */
enum sig_result
slack_in_signature(const char *secret, const char *timestamp,
    const char *signature, const void *body, size_t len, int64_t now)
{
	unsigned char	 want[32], got[32];
	char		*msg;
	size_t		 head;
	int64_t		 ts;

	if (timestamp == NULL || *timestamp == '\0' || signature == NULL ||
	    *signature == '\0')
		return SIG_MISSING;
	if (sig_parse_timestamp(timestamp, &ts) == -1 ||
	    strncmp(signature, "v0=", 3) != 0 ||
	    sig_hex_decode(signature + 3, got, sizeof got) == -1)
		return SIG_MALFORMED;
	if (secret == NULL || *secret == '\0')
		return SIG_BAD;
	xasprintf(&msg, "v0:%s:", timestamp);
	head = strlen(msg);
	msg = xreallocarray(msg, head + len + 1, 1);
	if (len != 0)
		memcpy(msg + head, body, len);
	sig_hmac_sha256(secret, strlen(secret), msg, head + len, want);
	free(msg);
	if (!sig_equal(want, got, sizeof want))
		return SIG_BAD;
	return sig_fresh(ts, now) ? SIG_OK : SIG_STALE;
}
