/*
 * Discord Execute Webhook: a short content line and one embed (title the
 * theme, description the question and follow-up, footer the answer hint).
 * allowed_mentions {"parse": []} is always sent, so no text can ping
 * @everyone, @here, a role or a user. Markdown that would render in content,
 * title and description (\ * _ ~ ` | > anywhere, # - + opening a line) is
 * backslash-escaped; Discord drops a backslash before any punctuation. The
 * footer is plain text in Discord and is not escaped. A retryable answer's
 * JSON retry_after (seconds, float) becomes the retry delay, rounded up.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/chat.h"
#include "xmalloc.h"

/* Limits from Discord's message resource documentation (characters). */
#define DISCORD_CONTENT_MAX	2000
#define DISCORD_TITLE_MAX	256
#define DISCORD_DESC_MAX	4096
#define DISCORD_FOOTER_MAX	2048
#define DISCORD_EMBED_MAX	6000
/* The characters escaped wherever they are. */
#define DISCORD_SPECIALS	"\\*_~`|>"
/* Never wait longer than this on a retry_after, whatever it says. */
#define DISCORD_RETRY_MAX_MS	(24LL * 3600 * 1000)

static int	discord_format(const struct chat_nudge *,
		    const struct config_channel *, int64_t,
		    struct chat_request *, char **);
static enum chat_outcome discord_classify(long, const char *, size_t, char **,
		    int64_t *);
static int	discord_check(const char *, size_t, size_t, const char *,
		    char **);
static int64_t	discord_retry_ms(const cJSON *);

/*
 * Per-webhook limits are unpublished (read from headers); about 30 messages
 * a minute per webhook is the commonly observed bucket, so 0.5/s.
 */
const struct chat_platform chat_discord = {
	"discord", 1, 0.5, discord_format, discord_classify
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
	struct chat_buf	 b = { NULL, 0, 0 };
	cJSON		*root, *embeds, *embed, *footer, *mentions;
	char		*question, *follow, *title, *desc, *command, *hint;
	char		*content;
	size_t		 ntitle, ndesc, nhint;
	int		 rv = -1;

	(void)cc;
	(void)now;
	memset(req, 0, sizeof *req);
	if (chat_check_nudge(n, cause) == -1)
		return -1;

	content = chat_escape_markdown(chat_lead(n), DISCORD_SPECIALS);
	title = chat_escape_markdown(chat_title(n), DISCORD_SPECIALS);
	question = chat_escape_markdown(n->text, DISCORD_SPECIALS);
	chat_buf_addf(&b, "**%s**", question);
	if (n->follow_up != NULL && n->follow_up[0] != '\0') {
		follow = chat_escape_markdown(n->follow_up, DISCORD_SPECIALS);
		chat_buf_addf(&b, "\n\n*%s*", follow);
		free(follow);
	}
	desc = chat_buf_take(&b);
	command = chat_reply_command(n);
	xasprintf(&hint, "Reply with %s", command);

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
	footer = chat_json_object(embed, "footer");
	chat_json_string(footer, "text", hint);
	mentions = chat_json_object(root, "allowed_mentions");
	chat_json_array(mentions, "parse");
	chat_json_finish(root, req, "application/json");
	rv = 0;

out:
	free(content);
	free(title);
	free(question);
	free(desc);
	free(command);
	free(hint);
	return rv;
}

/* Milliseconds from a 429 body's retry_after (seconds, float), or -1. */
static int64_t
discord_retry_ms(const cJSON *json)
{
	const cJSON	*ra;
	double		 ms;
	int64_t		 v;

	ra = cJSON_IsObject(json) ?
	    cJSON_GetObjectItemCaseSensitive(json, "retry_after") : NULL;
	if (!cJSON_IsNumber(ra) || !isfinite(ra->valuedouble) ||
	    ra->valuedouble < 0)
		return -1;
	ms = ra->valuedouble * 1000.0;
	if (ms >= (double)DISCORD_RETRY_MAX_MS)
		return DISCORD_RETRY_MAX_MS;
	/* Round up: waiting a little long is fine, a little short is not. */
	v = (int64_t)ms;
	return (double)v < ms ? v + 1 : v;
}

/* Read Discord's answer; on 429 take the delay from retry_after. */
static enum chat_outcome
discord_classify(long status, const char *body, size_t len, char **reason,
    int64_t *retry_ms)
{
	enum chat_outcome	 outcome = chat_http_outcome(status);
	const cJSON		*code, *global;
	const char		*message;
	struct chat_buf		 b = { NULL, 0, 0 };
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
			chat_buf_add(&b, message);
			if (cJSON_IsNumber(code))
				chat_buf_addf(&b, " (code %.0f)",
				    code->valuedouble);
			if (cJSON_IsTrue(global))
				chat_buf_add(&b, " (global limit)");
			detail = chat_buf_take(&b);
			*reason = chat_reason(detail, strlen(detail));
			free(detail);
		} else
			*reason = chat_reason(body, len);
	}
	cJSON_Delete(json);
	return outcome;
}
