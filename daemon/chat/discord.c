/* SPDX-License-Identifier: ISC */
/*
 * Discord Execute Webhook: a short content line and one embed (title the
 * theme, description the question and follow-up, footer the answer hint).
 * allowed_mentions {"parse": []} is always sent, so no text can ping
 * @everyone, @here, a role or a user. Markdown that would render in content,
 * title and description (\ * _ ~ ` | > anywhere, # - + opening a line) is
 * backslash-escaped; Discord drops a backslash before any punctuation. The
 * footer is plain text in Discord and is not escaped. A retryable answer's
 * JSON retry_after (seconds, float) becomes the retry delay, rounded up
 * (the outbox waits no longer than retry_max, whatever it says).
 *
 * Answers come as interactions of a Discord application, signed with
 * Ed25519: the /reflect slash command, registered by the admin once with
 *	POST https://discord.com/api/v10/applications/{application id}/commands
 *	Authorization: Bot {bot token}
 * and the body in tests/data/chat/inbound/discord-register.json:
 *	{"name": "reflect", "type": 1, "contexts": [0, 1],
 *	 "description": "Answer a question from nudged",
 *	 "options": [
 *	  {"type": 3, "name": "answer", "description": "Your answer",
 *	   "required": true, "max_length": 4000},
 *	  {"type": 3, "name": "code", "description": "The reply code shown
 *	   with the question, like K7QX", "min_length": 4, "max_length": 4}]}
 * (type 3 is STRING; contexts 0 and 1 are servers and DMs with the bot).
 *
 * With the bot's token ("bot_token"), people are asked in their DMs with
 * the bot, each nudge with an Answer button (discord_api.c) whose modal
 * stores the answer (discord_interact.c).
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/discord_int.h"
#include "config.h"
#include "deliver_rate.h"
#include "xmalloc.h"

/* Limits from Discord's message resource documentation (characters). */
#define DISCORD_CONTENT_MAX	2000
#define DISCORD_TITLE_MAX	256
#define DISCORD_DESC_MAX	4096
#define DISCORD_FOOTER_MAX	2048
#define DISCORD_EMBED_MAX	6000

static int	discord_format(const struct chat_nudge *,
		    const struct config_channel *, int64_t,
		    struct chat_request *, char **);
static enum chat_outcome discord_classify(long, const char *, size_t, char **,
		    int64_t *);
static int	discord_check(const char *, size_t, size_t, const char *,
		    char **);
static int64_t	discord_retry_ms(const cJSON *);
static int	discord_parse(const struct chat_inbound *, struct chat_answer *,
		    char **);
static int	discord_interaction(const cJSON *, struct chat_answer *,
		    char **);
static int	discord_options(const cJSON *, const char **, const char **,
		    char **);
static int	discord_command(const cJSON *, struct chat_answer *, char **);
static void	*discord_config_parse(struct config_reader *, const cJSON *);
static void	 discord_config_free(void *);
static int	discord_has_secret(const struct config_channel *);
static enum sig_result discord_verify(const struct config_channel *,
		    const struct chat_inbound *, int64_t);
static char	*discord_respond(const struct chat_receipt *, const char **);

/* The command and its options, as registered (above). */
#define DISCORD_COMMAND		"reflect"
#define DISCORD_OPT_ANSWER	"answer"
#define DISCORD_OPT_CODE	"code"
/* Interaction types and callback types used. */
#define DISCORD_PING		1
#define DISCORD_APP_COMMAND	2
#define DISCORD_COMPONENT	3	/* MESSAGE_COMPONENT: a button */
#define DISCORD_MODAL_SUBMIT	5
#define DISCORD_PONG		1

/*
 * Per-webhook limits are unpublished (read from headers); about 30 messages
 * a minute per webhook is the commonly observed bucket, so 0.5/s.
 */
/*
 * The application's public key checks interactions; its bot token sends
 * DMs through the API, whose base is api_url in tests.
 */
static const char *const discord_config_keys[] = { "public_key", "bot_token",
	"api_url", NULL };

/* Where Discord posts answers. */
static const struct chat_route discord_routes[] = {
	{ "/discord/interactions", "application/json", &chat_discord },
	{ NULL, NULL, NULL },
};

const struct chat_platform chat_discord = {
	.name = "discord",
	.title = "Discord",
	.direct = &discord_direct,
	.posts_http = 1,
	.default_rate = 0.5,
	.format_prompt = discord_format,
	.classify = discord_classify,
	.config_keys = discord_config_keys,
	.config_parse = discord_config_parse,
	.config_free = discord_config_free,
	.routes = discord_routes,
	.parse = discord_parse,
	.has_secret = discord_has_secret,
	.verify = discord_verify,
	.forms = &discord_forms,
	.respond = discord_respond,
};

/* Refuse a field over its Discord limit, naming both. */
static int
discord_check(const char *what, size_t len, size_t max, const char *limit,
    char **cause)
{
	if (len <= max)
		return 0;
	xasprintf(cause, "the %s is %zu characters once formatted; Discord "
	    "allows at most %zu in %s", what, len, max, limit);
	return -1;
}

/* Build the Execute Webhook body for a nudge. */
static int
discord_format(const struct chat_nudge *n, const struct config_channel *cc,
    int64_t now, struct chat_request *req, char **cause)
{
	cJSON *root;

	(void)now;
	memset(req, 0, sizeof *req);
	if ((root = discord_message(n, cc, cause)) == NULL)
		return -1;
	chat_json_finish(root, req, "application/json");
	return 0;
}

/* The message of a nudge: content, one embed, no mentions. */
cJSON *
discord_message(const struct chat_nudge *n, const struct config_channel *cc,
    char **cause)
{
	struct strbuf	 b = { NULL, 0, 0 };
	cJSON		*root = NULL, *embeds, *embed, *footer, *mentions;
	char		*question, *follow, *title, *desc, *command, *hint;
	char		*content;
	size_t		 ntitle, ndesc, nhint;

	if (chat_check_nudge(n, cause) == -1)
		return NULL;

	content = chat_escape_markdown(chat_lead(n), DISCORD_SPECIALS);
	title = chat_escape_markdown(chat_title(n), DISCORD_SPECIALS);
	question = chat_escape_markdown(n->text, DISCORD_SPECIALS);
	if (n->context != NULL && n->context[0] != '\0') {
		follow = chat_escape_markdown(n->context, DISCORD_SPECIALS);
		strbuf_addf(&b, "*%s*\n", follow);
		free(follow);
	}
	strbuf_addf(&b, "**%s**", question);
	if (n->follow_up != NULL && n->follow_up[0] != '\0') {
		follow = chat_escape_markdown(n->follow_up, DISCORD_SPECIALS);
		strbuf_addf(&b, "\n\n*%s*", follow);
		free(follow);
	}
	desc = strbuf_take(&b);
	command = chat_reply_command(n, cc);
	if (command != NULL)
		xasprintf(&hint, "Reply with %s", command);
	else
		hint = xstrdup("");

	ntitle = chat_utf8_chars(title);
	ndesc = chat_utf8_chars(desc);
	nhint = chat_utf8_chars(hint);
	if (discord_check("content", chat_utf8_chars(content),
	    DISCORD_CONTENT_MAX, "a message's content", cause) == -1 ||
	    discord_check("theme title", ntitle, DISCORD_TITLE_MAX,
	    "an embed title", cause) == -1 ||
	    discord_check("question", ndesc, DISCORD_DESC_MAX,
	    "an embed description", cause) == -1 ||
	    discord_check("answer hint", nhint, DISCORD_FOOTER_MAX,
	    "an embed footer", cause) == -1 ||
	    discord_check("question", ntitle + ndesc + nhint, DISCORD_EMBED_MAX,
	    "all of an embed's text", cause) == -1)
		goto out;

	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "content", content);
	embeds = chat_json_array(root, "embeds");
	embed = chat_json_object(embeds, NULL);
	chat_json_string(embed, "title", title);
	chat_json_string(embed, "description", desc);
	if (*hint != '\0') {
		footer = chat_json_object(embed, "footer");
		chat_json_string(footer, "text", hint);
	}
	mentions = chat_json_object(root, "allowed_mentions");
	chat_json_array(mentions, "parse");

out:
	free(content);
	free(title);
	free(question);
	free(desc);
	free(command);
	free(hint);
	return root;
}

/* Milliseconds from a 429 body's retry_after (seconds, float), or -1. */
static int64_t
discord_retry_ms(const cJSON *json)
{
	const cJSON *ra = cJSON_IsObject(json) ?
	    cJSON_GetObjectItemCaseSensitive(json, "retry_after") : NULL;

	return cJSON_IsNumber(ra) ? deliver_rate_seconds_ms(ra->valuedouble) :
	    -1;
}

/* Read Discord's answer; on 429 take the delay from retry_after. */
static enum chat_outcome
discord_classify(long status, const char *body, size_t len, char **reason,
    int64_t *retry_ms)
{
	enum chat_outcome	 outcome = chat_http_outcome(status);
	const cJSON		*code, *global;
	const char		*message;
	struct strbuf		 b = { NULL, 0, 0 };
	cJSON			*json;
	char			*detail;

	json = body != NULL ? cJSON_ParseWithLength(body, len) : NULL;
	if (retry_ms != NULL)
		*retry_ms = outcome == CHAT_RETRY ? discord_retry_ms(json) : -1;
	if (reason != NULL) {
		/* Errors: {"message": "Unknown Webhook", "code": 10015}. */
		message = chat_json_find(json, "message", NULL);
		code = cJSON_IsObject(json) ?
		    cJSON_GetObjectItemCaseSensitive(json, "code") : NULL;
		global = cJSON_IsObject(json) ?
		    cJSON_GetObjectItemCaseSensitive(json, "global") : NULL;
		if (outcome != CHAT_SENT && message != NULL) {
			strbuf_add(&b, message);
			if (cJSON_IsNumber(code))
				strbuf_addf(&b, " (code %.0f)",
				    code->valuedouble);
			if (cJSON_IsTrue(global))
				strbuf_add(&b, " (global limit)");
			detail = strbuf_take(&b);
			*reason = chat_reason(detail, strlen(detail));
			free(detail);
		} else
			*reason = chat_reason(body, len);
	}
	cJSON_Delete(json);
	return outcome;
}

/* Read an interaction. */
static int
discord_parse(const struct chat_inbound *in, struct chat_answer *a,
    char **cause)
{
	return chat_in_parse_json(in, a, cause, discord_interaction);
}

/*
 * PING is the handshake, answered {"type":1}. /reflect is an answer or a
 * self-service sub-command; the Answer button and its modal are read by
 * discord_interact.c. Every other interaction (autocomplete, other
 * commands, others' components) is an error: Discord needs an answer to
 * each, so a 400 says plainly it was not ours.
 */
static int
discord_interaction(const cJSON *root, struct chat_answer *a, char **cause)
{
	long	 type;

	a->via = CHAT_VIA_COMMAND;
	if (chat_in_int(root, NULL, "type", CHAT_IN_REQUIRED, 1, 255, &type,
	    cause) == -1)
		return -1;
	switch (type) {
	case DISCORD_PING:
		a->kind = CHAT_IN_HANDSHAKE;
		xasprintf(&a->handshake, "{\"type\":%d}", DISCORD_PONG);
		a->handshake_type = xstrdup("application/json");
		return 0;
	case DISCORD_APP_COMMAND:
		return discord_command(root, a, cause);
	case DISCORD_COMPONENT:
		return discord_interact_component(root, a, cause);
	case DISCORD_MODAL_SUBMIT:
		return discord_interact_submit(root, a, cause);
	default:
		xasprintf(cause, "interaction type %ld is not one nudged "
		    "answers", type);
		return -1;
	}
}

/*
 * /reflect: the person is member.user in a server, user in a DM (where
 * it is a direct answer); the name shown is global_name, else username.
 */
static int
discord_command(const cJSON *root, struct chat_answer *a, char **cause)
{
	const cJSON	*data;
	const char	*id, *channel, *command, *answer, *code;
	size_t		 n;

	if (chat_in_object(root, NULL, "data", CHAT_IN_REQUIRED, &data,
	    cause) == -1 ||
	    chat_in_string(data, "data", "name", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &command, cause) == -1)
		return -1;
	if (strcmp(command, DISCORD_COMMAND) != 0) {
		*cause = xstrdup("the command is not /" DISCORD_COMMAND);
		return -1;
	}
	if (chat_in_string(root, NULL, "id", CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX,
	    &id, cause) == -1 ||
	    chat_in_string(root, NULL, "channel_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &channel, cause) == -1 ||
	    discord_interact_user(root, a, cause) == -1 ||
	    discord_options(data, &answer, &code, cause) == -1)
		return -1;

	/* A blank code option is none; then a code may open the answer. */
	n = 0;
	if (code != NULL) {
		code += strspn(code, " \t");
		for (n = strlen(code); n != 0 && (code[n - 1] == ' ' ||
		    code[n - 1] == '\t'); n--)
			;
	}
	a->kind = CHAT_IN_ANSWER;
	if (chat_in_answer_text(a, answer, n == 0, cause) == -1)
		return -1;
	if (n != 0)
		a->code = xstrndup(code, n);
	a->message_id = xstrdup(id);
	a->route_key = xstrdup(channel);
	return 0;
}

/* The answer and code options; unknown options are left alone. */
static int
discord_options(const cJSON *data, const char **answer, const char **code,
    char **cause)
{
	const cJSON	*options, *opt;
	const char	*name, *value, **slot;

	*answer = *code = NULL;
	options = cJSON_GetObjectItemCaseSensitive(data, "options");
	if (options != NULL && !cJSON_IsNull(options) &&
	    !cJSON_IsArray(options)) {
		*cause = xstrdup("\"data.options\" must be an array");
		return -1;
	}
	cJSON_ArrayForEach(opt, options) {
		if (!cJSON_IsObject(opt)) {
			*cause = xstrdup("\"data.options\" must hold objects");
			return -1;
		}
		if (chat_in_string(opt, "data.options[]", "name",
		    CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX, &name, cause) == -1)
			return -1;
		if (strcmp(name, DISCORD_OPT_ANSWER) == 0)
			slot = answer;
		else if (strcmp(name, DISCORD_OPT_CODE) == 0)
			slot = code;
		else
			continue;
		if (*slot != NULL) {
			xasprintf(cause, "option \"%s\" is given twice", name);
			return -1;
		}
		if (chat_in_string(opt, slot == answer ?
		    "data.options[answer]" : "data.options[code]", "value",
		    CHAT_IN_REQUIRED, slot == answer ? CHAT_IN_RAW_MAX :
		    CHAT_IN_ID_MAX, &value, cause) == -1)
			return -1;
		*slot = value;
	}
	if (*answer == NULL) {
		*cause = xstrdup("missing option \"" DISCORD_OPT_ANSWER "\"");
		return -1;
	}
	return 0;
}

/* Whether the channel has the application's public key. */
static int
discord_has_secret(const struct config_channel *cc)
{
	const struct discord_settings *s = cc->settings;

	return s != NULL && s->public_key != NULL && s->public_key[0] != '\0';
}

/* Check the Ed25519 signature over the timestamp and the raw body. */
static enum sig_result
discord_verify(const struct config_channel *cc,
    const struct chat_inbound *in, int64_t now)
{
	const struct discord_settings *s = cc->settings;

	return discord_signature(s->public_key,
	    chat_in_header(in, "X-Signature-Timestamp"),
	    chat_in_header(in, "X-Signature-Ed25519"), in->body, in->len, now);
}

/*
 * A stored answer from the Answer button's modal updates the nudge's
 * message in place; everything else said (an edit's modal, opened by
 * /reflect, has no message to update) is an ephemeral reply that can
 * mention no one.
 */
static char *
discord_respond(const struct chat_receipt *r, const char **content_type)
{
	if (r->via == CHAT_VIA_FORM && r->stored && !r->no_message)
		return discord_interact_answered(r->streak, content_type);
	if (r->message == NULL)
		return chat_in_empty(content_type);
	return discord_interact_ephemeral(r->message, content_type);
}

/* The channel's public_key, bot_token and api_url. */
static void *
discord_config_parse(struct config_reader *r, const cJSON *channel)
{
	struct discord_settings *s = xcalloc(1, sizeof *s);

	s->public_key = config_read_string(r, channel, "public_key", 0);
	s->bot_token = config_read_string(r, channel, "bot_token", 0);
	s->api_url = config_read_string(r, channel, "api_url", 0);
	return s;
}

/* Free what discord_config_parse made. */
static void
discord_config_free(void *settings)
{
	struct discord_settings *s = settings;

	if (s == NULL)
		return;
	free(s->public_key);
	free(s->bot_token);
	free(s->api_url);
	free(s);
}

/*
 * Discord's interactions: X-Signature-Ed25519 (hex) over TIMESTAMP BODY
 * under the application's public key (hex), X-Signature-Timestamp in Unix
 * seconds (discord.com/developers/docs/interactions/overview).
 */
enum sig_result
discord_signature(const char *public_key_hex, const char *timestamp,
    const char *signature_hex, const void *body, size_t len, int64_t now)
{
	unsigned char	 pub[32], sig[64], *msg;
	size_t		 tslen;
	int64_t		 ts;
	int		 ok;

	if (timestamp == NULL || *timestamp == '\0' || signature_hex == NULL ||
	    *signature_hex == '\0')
		return SIG_MISSING;
	if (sig_parse_timestamp(timestamp, &ts) == -1 ||
	    sig_hex_decode(signature_hex, sig, sizeof sig) == -1)
		return SIG_MALFORMED;
	if (public_key_hex == NULL ||
	    sig_hex_decode(public_key_hex, pub, sizeof pub) == -1)
		return SIG_BAD;
	tslen = strlen(timestamp);
	msg = xmalloc(tslen + len);
	memcpy(msg, timestamp, tslen);
	if (len != 0)
		memcpy(msg + tslen, body, len);
	ok = sig_ed25519_verify(pub, sig, msg, tslen + len);
	free(msg);
	if (!ok)
		return SIG_BAD;
	return sig_fresh(ts, now) ? SIG_OK : SIG_STALE;
}
