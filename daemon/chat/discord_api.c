/* SPDX-License-Identifier: ISC */
/*
 * Discord's bot API, called with the application's bot token
 * ("Authorization: Bot …", discord.com/developers/docs/reference): a
 * person's DM channel opened once with POST /users/@me/channels
 * {"recipient_id"} (resources/user, "Create DM"; an existing one is
 * returned), and each nudge posted into it with POST
 * /channels/{id}/messages: the embed of a webhook post plus an action row
 * holding the Answer button (components/reference: a button is type 2,
 * style 1-4 with a custom_id of 1-100 characters). The button's modal is
 * the answer to the click itself, built here too.
 *
 * Rate limits (discord.com/developers/docs/topics/rate-limits): each
 * answer names its route's bucket (X-RateLimit-Bucket), how much of it is
 * left (X-RateLimit-Remaining) and when it refills (X-RateLimit-Reset-After,
 * seconds); nudged waits when it is spent rather than hit a 429, on that
 * bucket only: a post to one DM channel does not hold posts to others
 * (deliver_pause.c). A 429 carries retry_after (seconds, float) and
 * "global"; a global one pauses every call. Every call of a bot counts
 * against the global 50 requests a second (max_rate counts deliveries). Error 50007, "Cannot send messages to this
 * user" (topics/opcodes-and-status-codes), fails the person.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "chat/discord_int.h"
#include "config.h"
#include "deliver_rate.h"
#include "xmalloc.h"

/* JSON error codes (topics/opcodes-and-status-codes). */
#define DISCORD_UNKNOWN_USER	10013
#define DISCORD_CANNOT_DM	50007
/* A modal's title and a Label's description (components/reference). */
#define DISCORD_MODAL_TITLE_MAX	45
#define DISCORD_LABEL_DESC_MAX	100
/* Component and callback types. */
#define DISCORD_ACTION_ROW	1
#define DISCORD_BUTTON		2
#define DISCORD_TEXT_INPUT	4
#define DISCORD_LABEL		18
#define DISCORD_MODAL		9
#define DISCORD_PRIMARY		1
#define DISCORD_PARAGRAPH	2

static int	 discord_api_ready(const struct config_channel *, char **);
static int	 discord_api_user(const char *);
static int	 discord_api_never(const struct config_channel *);
static char	*discord_api_url(const struct config_channel *,
		    enum chat_direct_call, const char *);
static void	 discord_api_open(const struct config_channel *, const char *,
		    struct chat_request *);
static int	 discord_api_post(const struct chat_nudge *,
		    const struct config_channel *, const char *, const char *,
		    struct chat_request *, char **);
static void	 discord_api_read(enum chat_direct_call, long, const char *,
		    size_t, int64_t, const char *, struct chat_direct_answer *);
static void	 discord_api_headers(const struct config_channel *,
		    struct chat_request *);
static void	 discord_api_bucket(const char *, struct chat_direct_answer *);
static char	*discord_api_modal(const struct chat_nudge *, const char *,
		    const char **);

/* The bot's calls to reach people, for the Discord row. */
const struct chat_direct discord_direct = {
	.ready = discord_api_ready,
	.check_user = discord_api_user,
	.user_hint = "a user id (a snowflake: 17 to 20 digits); with "
	    "Developer Mode on, a member's menu has \"Copy User ID\"",
	.channel_api = discord_api_never,
	.url = discord_api_url,
	.open = discord_api_open,
	.post = discord_api_post,
	.read = discord_api_read,
	/*
	 * "All bots can make up to 50 requests per second" (rate-limits):
	 * a delivery makes two calls at most (open, post), so 25 a second.
	 */
	.max_rate = 25,
};

/*
 * The modal opens as the answer to the click (interactions/
 * receiving-and-responding: MODAL, type 9); a submission is answered with
 * the updated message (UPDATE_MESSAGE, type 7).
 */
const struct chat_forms discord_forms = {
	.open_reply = discord_api_modal,
	.updates_in_reply = 1,
};

/* A channel sends DMs when it has the bot's token. */
static int
discord_api_ready(const struct config_channel *c, char **why)
{
	const struct discord_settings *s = c->settings;

	if (s != NULL && s->bot_token != NULL && s->bot_token[0] != '\0')
		return 1;
	*why = xstrdup("it needs the application's \"bot_token\" to open "
	    "direct messages through Discord's API");
	return 0;
}

/* A snowflake: 17 to 20 decimal digits. */
static int
discord_api_user(const char *s)
{
	size_t n = strlen(s);

	return n >= 17 && n <= 20 && strspn(s, "0123456789") == n;
}

/* A channel's own posts go through its webhook. */
static int
discord_api_never(const struct config_channel *c)
{
	(void)c;
	return 0;
}

/* The call's URL under api_url (tests) or Discord's. */
static char *
discord_api_url(const struct config_channel *c, enum chat_direct_call call,
    const char *conversation)
{
	const struct discord_settings *s = c->settings;
	const char *base = s->api_url != NULL ? s->api_url : DISCORD_API_BASE;
	size_t n = strlen(base);
	char *url;

	while (n != 0 && base[n - 1] == '/')
		n--;
	if (call == CHAT_DIRECT_OPEN)
		xasprintf(&url, "%.*s/users/@me/channels", (int)n, base);
	else
		xasprintf(&url, "%.*s/channels/%s/messages", (int)n, base,
		    conversation);
	return url;
}

/* The bot's token and the User-Agent Discord asks of bots (reference). */
static void
discord_api_headers(const struct config_channel *c, struct chat_request *req)
{
	const struct discord_settings *s = c->settings;

	chat_request_add_header(req, "Authorization: Bot %s", s->bot_token);
	chat_request_add_header(req, "User-Agent: DiscordBot "
	    "(https://nudged.invalid, " NUDGED_VERSION ")");
}

/* Create DM: {"recipient_id": user}. */
static void
discord_api_open(const struct config_channel *c, const char *user,
    struct chat_request *req)
{
	cJSON *root = chat_json_object(NULL, NULL);

	memset(req, 0, sizeof *req);
	chat_json_string(root, "recipient_id", user);
	chat_json_finish(root, req, "application/json");
	discord_api_headers(c, req);
}

/*
 * Create Message: the nudge's embed, no mentions, the Answer button naming
 * the delivery; a reminder replies to its nudge's message.
 */
static int
discord_api_post(const struct chat_nudge *n, const struct config_channel *c,
    const char *conversation, const char *thread, struct chat_request *req,
    char **cause)
{
	cJSON *root, *rows, *row, *buttons, *button, *ref;
	char *id;

	(void)conversation;	/* the URL names it */
	memset(req, 0, sizeof *req);
	if ((root = discord_message(n, c, cause)) == NULL)
		return -1;
	rows = chat_json_array(root, "components");
	row = chat_json_object(rows, NULL);
	chat_json_number(row, "type", DISCORD_ACTION_ROW);
	buttons = chat_json_array(row, "components");
	button = chat_json_object(buttons, NULL);
	chat_json_number(button, "type", DISCORD_BUTTON);
	chat_json_number(button, "style", DISCORD_PRIMARY);
	chat_json_string(button, "label", "Answer");
	xasprintf(&id, DISCORD_ANSWER_ID ":%lld", (long long)n->delivery_id);
	chat_json_string(button, "custom_id", id);
	free(id);
	if (thread != NULL) {
		ref = chat_json_object(root, "message_reference");
		chat_json_string(ref, "message_id", thread);
		chat_json_bool(ref, "fail_if_not_exists", 0);
	}
	chat_json_finish(root, req, "application/json");
	discord_api_headers(c, req);
	return 0;
}

/*
 * The route's bucket, and when it is spent, X-RateLimit-Reset-After to wait
 * before a call on it again.
 */
static void
discord_api_bucket(const char *headers, struct chat_direct_answer *a)
{
	char *left = chat_header_value(headers, "X-RateLimit-Remaining");
	char *after = chat_header_value(headers, "X-RateLimit-Reset-After");
	char *end;
	double secs;

	a->bucket = chat_header_value(headers, "X-RateLimit-Bucket");
	if (left != NULL && after != NULL && strtol(left, &end, 10) == 0 &&
	    end != left) {
		secs = strtod(after, &end);
		if (end != after && secs > 0)
			a->wait_ms = deliver_rate_seconds_ms(secs);
	}
	free(left);
	free(after);
}

/* Discord's answer, in the classes every platform's answers fall in. */
static void
discord_api_read(enum chat_direct_call call, long status, const char *body,
    size_t len, int64_t retry_after_ms, const char *headers,
    struct chat_direct_answer *a)
{
	cJSON *json = cJSON_ParseWithLength(body, len);
	const cJSON *code = cJSON_IsObject(json) ?
	    cJSON_GetObjectItemCaseSensitive(json, "code") : NULL;
	const char *id = chat_json_find(json, "id", NULL);
	const char *where = chat_json_find(json, "channel_id", NULL);
	const char *message = chat_json_find(json, "message", NULL);
	double c = cJSON_IsNumber(code) ? code->valuedouble : 0;
	int64_t retry_ms = -1;

	memset(a, 0, sizeof *a);
	discord_api_bucket(headers, a);
	if (status >= 200 && status < 300 && id != NULL) {
		a->cls = CHAT_DIRECT_OK;
		a->conversation = xstrdup(call == CHAT_DIRECT_OPEN || where ==
		    NULL ? id : where);
		a->message_id = call == CHAT_DIRECT_POST ? xstrdup(id) : NULL;
		a->retry_ms = -1;
		cJSON_Delete(json);
		return;
	}
	if (status == 429) {
		const cJSON *ra = cJSON_GetObjectItemCaseSensitive(json,
		    "retry_after");

		retry_ms = cJSON_IsNumber(ra) ?
		    deliver_rate_seconds_ms(ra->valuedouble) : retry_after_ms;
		a->wait_ms = retry_ms > 0 ? retry_ms : a->wait_ms;
		a->every_call = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		    json, "global"));
	}
	a->retry_ms = retry_ms;
	if (c == DISCORD_CANNOT_DM || (c == DISCORD_UNKNOWN_USER &&
	    call == CHAT_DIRECT_OPEN))
		a->cls = CHAT_DIRECT_PERSON;
	else if (status == 401)
		a->cls = CHAT_DIRECT_AUTH;
	else if (status == 429 || status >= 500 || status == 408 ||
	    (status >= 200 && status < 300))
		a->cls = CHAT_DIRECT_RETRY;	/* a 2xx without an id, too */
	else
		a->cls = CHAT_DIRECT_FAIL;
	if (message != NULL) {
		struct strbuf b = { NULL, 0, 0 };
		char *detail;

		strbuf_add(&b, message);
		if (cJSON_IsNumber(code))
			strbuf_addf(&b, " (code %.0f)", c);
		if (a->every_call)
			strbuf_add(&b, " (global limit)");
		detail = strbuf_take(&b);
		a->error = chat_reason(detail, strlen(detail));
		free(detail);
	}
	cJSON_Delete(json);
}

/* s cut to max characters (an ellipsis last when cut); never splits UTF-8. */
char *
discord_cut(const char *s, size_t max)
{
	size_t i, chars = 0;
	char *cut;

	if (chat_utf8_chars(s) <= max)
		return xstrdup(s);
	for (i = 0; s[i] != '\0'; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == max - 1)
			break;
	xasprintf(&cut, "%.*s\xe2\x80\xa6", (int)i, s);
	return cut;
}

/*
 * The MODAL answering the Answer button: the theme as its title, the
 * question above a paragraph input (a Label, type 18, holding a text
 * input, type 4; components/reference), prefilled when editing.
 */
static char *
discord_api_modal(const struct chat_nudge *n, const char *prefill,
    const char **type)
{
	cJSON *root, *data, *rows, *label, *input;
	char *id, *title, *desc;

	root = chat_json_object(NULL, NULL);
	chat_json_number(root, "type", DISCORD_MODAL);
	data = chat_json_object(root, "data");
	xasprintf(&id, DISCORD_ANSWER_ID ":%lld", (long long)n->delivery_id);
	chat_json_string(data, "custom_id", id);
	title = discord_cut(chat_title(n), DISCORD_MODAL_TITLE_MAX);
	chat_json_string(data, "title", title);
	rows = chat_json_array(data, "components");
	label = chat_json_object(rows, NULL);
	chat_json_number(label, "type", DISCORD_LABEL);
	chat_json_string(label, "label", "Your answer");
	desc = discord_cut(n->text, DISCORD_LABEL_DESC_MAX);
	chat_json_string(label, "description", desc);
	input = chat_json_object(label, "component");
	chat_json_number(input, "type", DISCORD_TEXT_INPUT);
	chat_json_string(input, "custom_id", DISCORD_INPUT_ID);
	chat_json_number(input, "style", DISCORD_PARAGRAPH);
	chat_json_number(input, "max_length", DISCORD_INPUT_MAX);
	chat_json_bool(input, "required", 1);
	if (prefill != NULL && chat_utf8_chars(prefill) <= DISCORD_INPUT_MAX)
		chat_json_string(input, "value", prefill);
	free(id);
	free(title);
	free(desc);
	*type = "application/json";
	return chat_in_print(root);
}
