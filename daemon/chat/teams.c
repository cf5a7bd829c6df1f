/* SPDX-License-Identifier: ISC */
/*
 * Microsoft Teams through a Workflows (Power Automate) webhook: one Adaptive
 * Card 1.4 in the documented message envelope. TextBlocks render a small
 * Markdown subset with no escape for it, so text goes in as it is; cards
 * posted by a webhook cannot mention anyone, so nothing can ping a channel.
 *
 * Answers come through a Teams outgoing webhook: someone @mentions it in a
 * channel, Teams posts the Bot Framework activity signed with HMAC-SHA256
 * under the webhook's security token, and the reply (a message activity)
 * must go back on the same request within 5 seconds.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "chat/chat_int.h"
#include "config.h"
#include "xmalloc.h"

/* "About 28 KB per message including all markup"; 28,000 bytes to be safe. */
#define TEAMS_BODY_MAX	28000
/* What a TextBlock reads as Markdown anywhere in a line: **, _, [text](url). */
#define TEAMS_SPECIALS	"\\*_[]"

static int	teams_format(const struct chat_nudge *,
		    const struct config_channel *, int64_t,
		    struct chat_request *, char **);
static enum chat_outcome teams_classify(long, const char *, size_t, char **,
		    int64_t *);
static cJSON	*teams_text(cJSON *, const char *);
static int	teams_contains(const char *, size_t, const char *);
static int	teams_parse(const struct chat_inbound *, struct chat_answer *,
		    char **);
static int	teams_activity(const cJSON *, struct chat_answer *, char **);
static int	teams_breaks(const char *);
static char	*teams_clean(const char *);
static void	*teams_config_parse(struct config_reader *, const cJSON *);
static void	 teams_config_free(void *);
static int	teams_has_secret(const struct config_channel *);
static enum sig_result teams_verify(const struct config_channel *,
		    const struct chat_inbound *, int64_t);
static char	*teams_respond(const struct chat_receipt *, const char **);

/*
 * Connector limits are 4 per second and 60 per 30 s per channel (and 100 an
 * hour); Workflows publish none. 0.5/s keeps well inside the short windows;
 * the hourly cap only matters for bursts a nudge daemon does not make, and
 * a 429 is retried anyway.
 */
/* The outgoing webhook's security token (base64) checks answers. */
static const char *const teams_config_keys[] = { "hmac_secret", NULL };

/* Where Microsoft Teams posts answers. */
static const struct chat_route teams_routes[] = {
	{ "/teams", "application/json", &chat_teams },
	{ NULL, NULL, NULL },
};

const struct chat_platform chat_teams = {
	.name = "teams",
	.title = "Microsoft Teams",
	.no_direct =
	    "Teams direct messages need a bot registered with Azure "
	    "Bot Service, which nudged does not take on; ask in the "
	    "Teams channel instead (no \"to\")",
	.posts_http = 1,
	.default_rate = 0.5,
	.format_prompt = teams_format,
	.classify = teams_classify,
	.config_keys = teams_config_keys,
	.config_parse = teams_config_parse,
	.config_free = teams_config_free,
	.routes = teams_routes,
	.parse = teams_parse,
	.has_secret = teams_has_secret,
	.verify = teams_verify,
	.respond = teams_respond,
};

/*
 * Append a wrapping TextBlock to a card body, its text literal: a TextBlock
 * renders Markdown's bold, italic, lists and links ("Format cards in
 * Teams", learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/
 * cards/cards-format), so their characters are escaped.
 */
static cJSON *
teams_text(cJSON *body, const char *text)
{
	cJSON	*tb;
	char	*literal = chat_escape_markdown(text, TEAMS_SPECIALS);

	tb = chat_json_object(body, NULL);
	chat_json_string(tb, "type", "TextBlock");
	chat_json_string(tb, "text", literal);
	chat_json_bool(tb, "wrap", 1);
	free(literal);
	return tb;
}

/* Build the Adaptive Card message for a nudge. */
static int
teams_format(const struct chat_nudge *n, const struct config_channel *cc,
    int64_t now, struct chat_request *req, char **cause)
{
	cJSON	*root, *attachments, *att, *card, *body, *tb;
	char	*command, *hint;

	(void)now;
	memset(req, 0, sizeof *req);
	if (chat_check_nudge(n, cause) == -1)
		return -1;

	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "type", "message");
	attachments = chat_json_array(root, "attachments");
	att = chat_json_object(attachments, NULL);
	chat_json_string(att, "contentType",
	    "application/vnd.microsoft.card.adaptive");
	chat_json_string(att, "contentUrl", NULL);
	card = chat_json_object(att, "content");
	chat_json_string(card, "$schema",
	    "http://adaptivecards.io/schemas/adaptive-card.json");
	chat_json_string(card, "type", "AdaptiveCard");
	chat_json_string(card, "version", "1.4");
	body = chat_json_array(card, "body");

	tb = teams_text(body, chat_title(n));
	chat_json_string(tb, "size", "Small");
	chat_json_string(tb, "weight", "Bolder");
	chat_json_bool(tb, "isSubtle", 1);
	if (n->kind != CHAT_PROMPT)
		teams_text(body, chat_lead(n));
	if (n->context != NULL && n->context[0] != '\0') {
		tb = teams_text(body, n->context);
		chat_json_string(tb, "weight", "Bolder");
	}
	tb = teams_text(body, n->text);
	chat_json_string(tb, "size", "Large");
	chat_json_string(tb, "weight", "Bolder");
	if (n->follow_up != NULL && n->follow_up[0] != '\0')
		teams_text(body, n->follow_up);
	if ((command = chat_reply_command(n, cc)) != NULL) {
		xasprintf(&hint, "Reply with %s", command);
		free(command);
		tb = teams_text(body, hint);
		free(hint);
		chat_json_string(tb, "size", "Small");
		chat_json_bool(tb, "isSubtle", 1);
	}

	chat_json_finish(root, req, "application/json");
	if (req->body_len > TEAMS_BODY_MAX) {
		xasprintf(cause, "the card is %zu bytes with this question; a "
		    "Teams webhook message holds about 28 KB (%d bytes)",
		    req->body_len, TEAMS_BODY_MAX);
		chat_request_free(req);
		return -1;
	}
	return 0;
}

/* True when the len bytes at body contain needle. */
static int
teams_contains(const char *body, size_t len, const char *needle)
{
	size_t	 n = strlen(needle), i;

	for (i = 0; body != NULL && i + n <= len; i++) {
		if (memcmp(body + i, needle, n) == 0)
			return 1;
	}
	return 0;
}

/* Read the webhook's answer: 2xx sent; 429 and 5xx retry; the rest fail. */
static enum chat_outcome
teams_classify(long status, const char *body, size_t len, char **reason,
    int64_t *retry_ms)
{
	enum chat_outcome	 outcome = chat_http_outcome(status);
	const char		*code, *message;
	cJSON			*json;
	char			*detail;

	if (retry_ms != NULL)
		*retry_ms = -1;
	/* Legacy connectors report throttling in a 200 (Microsoft's sample). */
	if (outcome == CHAT_SENT && teams_contains(body, len,
	    "Microsoft Teams endpoint returned HTTP error 429"))
		outcome = CHAT_RETRY;
	if (reason == NULL)
		return outcome;
	json = body != NULL ? cJSON_ParseWithLength(body, len) : NULL;
	/* Logic Apps errors: {"error":{"code":...,"message":...}}. */
	code = chat_json_find(json, "error", "code");
	message = chat_json_find(json, "error", "message");
	if (outcome != CHAT_SENT && (code != NULL || message != NULL)) {
		xasprintf(&detail, "%s%s%s", code != NULL ? code : "",
		    code != NULL && message != NULL ? ": " : "",
		    message != NULL ? message : "");
		*reason = chat_reason(detail, strlen(detail));
		free(detail);
	} else if (outcome == CHAT_RETRY && status >= 200 && status <= 299) {
		detail = xstrdup("throttled (HTTP error 429 in the body)");
		*reason = chat_reason(detail, strlen(detail));
		free(detail);
	} else
		*reason = chat_reason(body, len);
	cJSON_Delete(json);
	return outcome;
}

/* Read an outgoing webhook's activity. */
static int
teams_parse(const struct chat_inbound *in, struct chat_answer *a,
    char **cause)
{
	return chat_in_parse_json(in, a, cause, teams_activity);
}

/*
 * A message activity is an answer; any other activity type is ignored. The
 * channel to route by is channelData.teamsChannelId, else conversation.id
 * up to its ";messageid=", which names the thread's root post.
 */
static int
teams_activity(const cJSON *root, struct chat_answer *a, char **cause)
{
	const cJSON	*from, *data, *conv;
	const char	*type, *id, *user, *name, *text, *channel, *conv_id;
	const char	*mark;
	char		*plain;
	int		 rv;

	a->via = CHAT_VIA_MESSAGE;
	if (chat_in_string(root, NULL, "type", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &type, cause) == -1)
		return -1;
	if (strcmp(type, "message") != 0) {
		a->kind = CHAT_IN_IGNORE;
		return 0;
	}
	if (chat_in_string(root, NULL, "id", CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX,
	    &id, cause) == -1 ||
	    chat_in_object(root, NULL, "from", CHAT_IN_REQUIRED, &from,
	    cause) == -1 ||
	    chat_in_string(from, "from", "id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &user, cause) == -1 ||
	    chat_in_string(from, "from", "name", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &name, cause) == -1 ||
	    chat_in_string(root, NULL, "text", CHAT_IN_REQUIRED,
	    CHAT_IN_RAW_MAX, &text, cause) == -1 ||
	    chat_in_object(root, NULL, "channelData", CHAT_IN_OPTIONAL, &data,
	    cause) == -1 ||
	    chat_in_string(data, "channelData", "teamsChannelId",
	    CHAT_IN_OPTIONAL, CHAT_IN_ID_MAX, &channel, cause) == -1 ||
	    chat_in_object(root, NULL, "conversation", CHAT_IN_OPTIONAL, &conv,
	    cause) == -1 ||
	    chat_in_string(conv, "conversation", "id", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &conv_id, cause) == -1)
		return -1;
	a->kind = CHAT_IN_ANSWER;
	plain = teams_clean(text);
	rv = chat_in_answer_text(a, plain, 1, cause);
	free(plain);
	if (rv == -1)
		return -1;
	a->user_id = xstrdup(user);
	a->user_name = name != NULL && *name != '\0' ? xstrdup(name) : NULL;
	a->message_id = xstrdup(id);
	if (channel != NULL && *channel != '\0')
		a->route_key = xstrdup(channel);
	else if (conv_id != NULL && *conv_id != '\0' && *conv_id != ';')
		a->route_key = xstrndup(conv_id, strcspn(conv_id, ";"));
	if (conv_id != NULL && (mark = strstr(conv_id, ";messageid=")) != NULL &&
	    mark[11] != '\0')
		a->thread = xstrdup(mark + 11);
	return 0;
}

/* Whether the tag at s ('<' first) ends a line: <br>, </p>, </div>. */
static int
teams_breaks(const char *s)
{
	const char	*name = s + 1;
	int		 closing = *name == '/';
	size_t		 n;

	name += closing;
	n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789");
	if (n == 2 && strncasecmp(name, "br", 2) == 0)
		return 1;
	return closing && ((n == 1 && strncasecmp(name, "p", 1) == 0) ||
	    (n == 3 && strncasecmp(name, "div", 3) == 0));
}

/*
 * The words of a message: the first <at>...</at> (the webhook's own
 * mention, which is what sent the message here) goes with its name; other
 * tags go but leave their text, so a person mentioned in the answer stays
 * as "Larry Brown"; <br>, </p> and </div> become line breaks. Entities are
 * decoded last, because a '<' the person typed arrives as &lt;.
 */
static char *
teams_clean(const char *text)
{
	struct strbuf	 b = { NULL, 0, 0 };
	const char	*p, *at, *end = NULL, *gt;
	char		*markup, *plain;

	if ((at = strcasestr(text, "<at>")) != NULL &&
	    (end = strcasestr(at, "</at>")) == NULL)
		at = NULL;
	for (p = text; *p != '\0'; ) {
		if (p == at) {
			p = end + 5;
			continue;
		}
		if (*p == '<' && (isalpha((unsigned char)p[1]) ||
		    (p[1] == '/' && isalpha((unsigned char)p[2]))) &&
		    (gt = strchr(p, '>')) != NULL) {
			if (teams_breaks(p))
				strbuf_addc(&b, '\n');
			p = gt + 1;
			continue;
		}
		strbuf_addc(&b, *p++);
	}
	markup = strbuf_take(&b);
	plain = chat_in_unescape_html(markup);
	free(markup);
	return plain;
}

/* Whether the channel has the outgoing webhook's security token. */
static int
teams_has_secret(const struct config_channel *cc)
{
	const struct teams_settings *s = cc->settings;

	return s != NULL && s->hmac_secret != NULL && s->hmac_secret[0] != '\0';
}

/* Check "Authorization: HMAC <base64>" over the raw body (no timestamp). */
static enum sig_result
teams_verify(const struct config_channel *cc, const struct chat_inbound *in,
    int64_t now)
{
	const struct teams_settings *s = cc->settings;

	(void)now;
	return teams_signature(s->hmac_secret,
	    chat_in_header(in, "Authorization"), in->body, in->len);
}

/* A message activity, shown in the reply chain of the mention. */
static char *
teams_respond(const struct chat_receipt *r, const char **content_type)
{
	cJSON	*root;
	char	*text;

	if (r->message == NULL)
		return chat_in_empty(content_type);
	text = chat_escape_html(r->message);
	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "type", "message");
	chat_json_string(root, "text", text);
	free(text);
	*content_type = "application/json";
	return chat_in_print(root);
}

/* The channel's hmac_secret. */
static void *
teams_config_parse(struct config_reader *r, const cJSON *channel)
{
	struct teams_settings *s = xcalloc(1, sizeof *s);

	s->hmac_secret = config_read_string(r, channel, "hmac_secret", 0);
	return s;
}

/* Free what teams_config_parse made. */
static void
teams_config_free(void *settings)
{
	struct teams_settings *s = settings;

	if (s == NULL)
		return;
	free(s->hmac_secret);
	free(s);
}

/*
 * A Teams outgoing webhook's Authorization: "HMAC <base64>", the
 * HMAC-SHA256 of the body under the base64-decoded security token
 * (learn.microsoft.com, "Create Outgoing Webhooks"). The auth-scheme is
 * case-insensitive (RFC 9110 11.1).
 */
enum sig_result
teams_signature(const char *b64_secret, const char *authorization,
    const void *body, size_t len)
{
	unsigned char	 want[32], *key = NULL, *got = NULL;
	size_t		 keylen, gotlen, n;
	const char	*p;
	char		*token;
	enum sig_result	 rv;

	if (authorization == NULL || *authorization == '\0')
		return SIG_MISSING;
	if (strncasecmp(authorization, "HMAC", 4) != 0 ||
	    (authorization[4] != ' ' && authorization[4] != '\t'))
		return SIG_MALFORMED;
	p = authorization + 4;
	p += strspn(p, " \t");
	n = strcspn(p, " \t");
	if (p[n + strspn(p + n, " \t")] != '\0')
		return SIG_MALFORMED;
	token = xstrndup(p, n);
	rv = SIG_MALFORMED;
	if (sig_base64_decode(token, &got, &gotlen) == -1 || gotlen != 32)
		goto out;
	rv = SIG_BAD;
	if (b64_secret == NULL || *b64_secret == '\0' ||
	    sig_base64_decode(b64_secret, &key, &keylen) == -1 || keylen == 0)
		goto out;
	sig_hmac_sha256(key, keylen, body, len, want);
	if (sig_equal(want, got, sizeof want))
		rv = SIG_OK;

out:
	if (key != NULL)
		OPENSSL_cleanse(key, keylen);
	free(key);
	free(got);
	free(token);
	return rv;
}
