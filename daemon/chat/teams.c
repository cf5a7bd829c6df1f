/*
 * Microsoft Teams through a Workflows (Power Automate) webhook: one Adaptive
 * Card 1.4 in the documented message envelope. TextBlocks render a small
 * Markdown subset with no escape for it, so text goes in as it is; cards
 * posted by a webhook cannot mention anyone, so nothing can ping a channel.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/chat.h"
#include "xmalloc.h"

/* "About 28 KB per message including all markup"; 28,000 bytes to be safe. */
#define TEAMS_BODY_MAX	28000

static int	teams_format(const struct chat_nudge *,
		    const struct config_channel *, int64_t,
		    struct chat_request *, char **);
static enum chat_outcome teams_classify(long, const char *, size_t, char **,
		    int64_t *);
static cJSON	*teams_text(cJSON *, const char *);
static int	teams_contains(const char *, size_t, const char *);

/*
 * Connector limits are 4 per second and 60 per 30 s per channel (and 100 an
 * hour); Workflows publish none. 0.5/s keeps well inside the short windows;
 * the hourly cap only matters for bursts a nudge daemon does not make, and
 * a 429 is retried anyway.
 */
const struct chat_platform chat_teams = {
	"teams", 1, 0.5, teams_format, teams_classify
};

/* Append a wrapping TextBlock to a card body. */
static cJSON *
teams_text(cJSON *body, const char *text)
{
	cJSON	*tb;

	tb = chat_json_object(body, NULL);
	chat_json_string(tb, "type", "TextBlock");
	chat_json_string(tb, "text", text);
	chat_json_bool(tb, "wrap", 1);
	return tb;
}

/* Build the Adaptive Card message for a nudge. */
static int
teams_format(const struct chat_nudge *n, const struct config_channel *cc,
    int64_t now, struct chat_request *req, char **cause)
{
	cJSON	*root, *attachments, *att, *card, *body, *tb;
	char	*command, *hint;

	(void)cc;
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
	if (n->kind == CHAT_REMINDER)
		teams_text(body, chat_lead(n));
	tb = teams_text(body, n->text);
	chat_json_string(tb, "size", "Large");
	chat_json_string(tb, "weight", "Bolder");
	if (n->follow_up != NULL && n->follow_up[0] != '\0')
		teams_text(body, n->follow_up);
	command = chat_reply_command(n);
	xasprintf(&hint, "Reply with %s", command);
	free(command);
	tb = teams_text(body, hint);
	free(hint);
	chat_json_string(tb, "size", "Small");
	chat_json_bool(tb, "isSubtle", 1);

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
