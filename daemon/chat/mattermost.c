/*
 * Mattermost incoming webhooks (Slack-compatible): a lead line as "text" and
 * one attachment with fallback, pretext (the theme), text (the question and
 * follow-up, Markdown) and footer (the answer hint). Markdown specials are
 * backslash-escaped. Mattermost turns "<!channel>", "<!here>", "<!all>" and
 * "<@id>" into mentions and notifies on "@channel" and friends, so a zero
 * width space goes after every '<' and '@' in every field: shown the same,
 * never a mention.
 */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/chat.h"
#include "xmalloc.h"

/* Posts hold up to 16,383 characters (servers 5.0 and later). */
#define MATTERMOST_TEXT_MAX	16383
/* Markdown characters escaped wherever they are. */
#define MATTERMOST_SPECIALS	"\\*_~`|>[]"
/* U+200B ZERO WIDTH SPACE. */
#define MATTERMOST_ZWSP		"\xe2\x80\x8b"

static int	mattermost_format(const struct chat_nudge *,
		    const struct config_channel *, int64_t,
		    struct chat_request *, char **);
static enum chat_outcome mattermost_classify(long, const char *, size_t,
		    char **, int64_t *);
static char	*mattermost_escape(const char *, int);

/*
 * Self-hosted: rate limiting is off by default and 10/s with bursts of 100
 * when on; 1/s is polite to small servers and ample for nudges.
 */
const struct chat_platform chat_mattermost = {
	"mattermost", 1, 1.0, mattermost_format, mattermost_classify
};

/* Escape a field: Markdown (when it renders) and mention triggers. */
static char *
mattermost_escape(const char *s, int markdown)
{
	struct chat_buf	 b = { NULL, 0, 0 };
	char		*md = NULL;
	const char	*p;

	if (markdown)
		s = md = chat_escape_markdown(s, MATTERMOST_SPECIALS);
	for (p = s; *p != '\0'; p++) {
		chat_buf_addc(&b, *p);
		if (*p == '<' || *p == '@')
			chat_buf_add(&b, MATTERMOST_ZWSP);
	}
	free(md);
	return chat_buf_take(&b);
}

/* Build the webhook body for a nudge. */
static int
mattermost_format(const struct chat_nudge *n,
    const struct config_channel *cc, int64_t now, struct chat_request *req,
    char **cause)
{
	struct chat_buf	 b = { NULL, 0, 0 };
	cJSON		*root, *attachments, *att;
	char		*question, *follow, *text, *title, *line, *fallback;
	char		*command, *hint;
	size_t		 len;

	(void)cc;
	(void)now;
	memset(req, 0, sizeof *req);
	if (chat_check_nudge(n, cause) == -1)
		return -1;

	question = mattermost_escape(n->text, 1);
	chat_buf_addf(&b, "**%s**", question);
	free(question);
	if (n->follow_up != NULL && n->follow_up[0] != '\0') {
		follow = mattermost_escape(n->follow_up, 1);
		chat_buf_addf(&b, "\n\n*%s*", follow);
		free(follow);
	}
	text = chat_buf_take(&b);
	if ((len = chat_utf8_chars(text)) > MATTERMOST_TEXT_MAX) {
		xasprintf(cause, "the question is %zu characters once "
		    "formatted; a Mattermost post holds at most %d", len,
		    MATTERMOST_TEXT_MAX);
		free(text);
		return -1;
	}
	title = mattermost_escape(chat_title(n), 1);
	line = chat_one_line(n);
	fallback = mattermost_escape(line, 0);
	free(line);
	command = chat_reply_command(n);
	xasprintf(&line, "Reply with %s", command);
	hint = mattermost_escape(line, 0);
	free(line);
	free(command);

	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "text", chat_lead(n));
	attachments = chat_json_array(root, "attachments");
	att = chat_json_object(attachments, NULL);
	chat_json_string(att, "fallback", fallback);
	chat_json_string(att, "pretext", title);
	chat_json_string(att, "text", text);
	chat_json_string(att, "footer", hint);
	chat_json_finish(root, req, "application/json");

	free(text);
	free(title);
	free(fallback);
	free(hint);
	return 0;
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
