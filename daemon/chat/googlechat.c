/* SPDX-License-Identifier: ISC */
/*
 * Google Chat space webhooks: a lead line as "text" and a cardsV2 card
 * (header the theme, paragraphs for question, follow-up and answer hint),
 * with fallbackText for notifications. Card paragraphs use an HTML subset,
 * so & < > are escaped there (which also keeps <users/all> inert); the
 * header is plain text. Each schedule keeps one thread: thread.threadKey is
 * the schedule name and the URL gets chat_googlechat_url_suffix().
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/chat_int.h"
#include "config.h"
#include "xmalloc.h"

/* "At most 32,000 bytes per message including contents." */
#define GOOGLECHAT_BODY_MAX	32000

static int	googlechat_format(const struct chat_nudge *,
		    const struct config_channel *, int64_t,
		    struct chat_request *, char **);
static char	*googlechat_post_url(const struct config_channel *);
static enum chat_outcome googlechat_classify(long, const char *, size_t,
		    char **, int64_t *);
static void	googlechat_paragraph(cJSON *, const char *, const char *,
		    const char *);

/*
 * 60 writes a minute per space, shared by every app and webhook in it (and
 * webhooks have further limits): 0.5/s leaves half for the others. No
 * inbound side: webhooks are one-way; answering needs a Chat app.
 */
const struct chat_platform chat_googlechat = {
	.name = "googlechat",
	.title = "Google Chat",
	.no_direct =
	    "Google Chat direct messages need a Chat app with a "
	    "service account, which nudged does not take on; ask in "
	    "the space instead (no \"to\")",
	.posts_http = 1,
	.default_rate = 0.5,
	.format_prompt = googlechat_format,
	.post_url = googlechat_post_url,
	.classify = googlechat_classify,
};

/* The query parameter that makes a threadKey reply in (or start) a thread. */
const char *
chat_googlechat_url_suffix(void)
{
	return "messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD";
}

/* The space's webhook with the parameter that keeps a schedule in one thread. */
static char *
googlechat_post_url(const struct config_channel *cc)
{
	char	*url;

	xasprintf(&url, "%s%c%s", cc->webhook, strchr(cc->webhook, '?') ?
	    '&' : '?', chat_googlechat_url_suffix());
	return url;
}

/* Append a textParagraph widget: open + escaped text + close. */
static void
googlechat_paragraph(cJSON *widgets, const char *open, const char *text,
    const char *close)
{
	struct strbuf	 b = { NULL, 0, 0 };
	cJSON		*w, *tp;
	char		*esc, *s;

	strbuf_add(&b, open);
	esc = chat_escape_html(text);
	for (s = esc; *s != '\0'; s++) {
		if (*s == '\n')
			strbuf_add(&b, "<br>");
		else
			strbuf_addc(&b, *s);
	}
	free(esc);
	strbuf_add(&b, close);
	s = strbuf_take(&b);
	w = chat_json_object(widgets, NULL);
	tp = chat_json_object(w, "textParagraph");
	chat_json_string(tp, "text", s);
	free(s);
}

/* Build the card message for a nudge. */
static int
googlechat_format(const struct chat_nudge *n,
    const struct config_channel *cc, int64_t now, struct chat_request *req,
    char **cause)
{
	cJSON	*root, *cards, *entry, *card, *header, *sections, *section;
	cJSON	*widgets, *thread;
	char	*line, *command;

	(void)now;
	memset(req, 0, sizeof *req);
	if (chat_check_nudge(n, cause) == -1)
		return -1;

	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "text", chat_lead(n));
	line = chat_one_line(n);
	chat_json_string(root, "fallbackText", line);
	free(line);
	cards = chat_json_array(root, "cardsV2");
	entry = chat_json_object(cards, NULL);
	xasprintf(&line, "nudge-%" PRId64, n->delivery_id);
	chat_json_string(entry, "cardId", line);
	free(line);
	card = chat_json_object(entry, "card");
	header = chat_json_object(card, "header");
	chat_json_string(header, "title", chat_title(n));
	sections = chat_json_array(card, "sections");
	section = chat_json_object(sections, NULL);
	widgets = chat_json_array(section, "widgets");
	if (n->context != NULL && n->context[0] != '\0')
		googlechat_paragraph(widgets, "<i>", n->context, "</i>");
	googlechat_paragraph(widgets, "<b>", n->text, "</b>");
	if (n->follow_up != NULL && n->follow_up[0] != '\0')
		googlechat_paragraph(widgets, "<i>", n->follow_up, "</i>");
	/* Incoming webhooks are one-way: the row has no answer route, no hint. */
	if ((command = chat_reply_command(n, cc)) != NULL) {
		xasprintf(&line, "Reply with %s", command);
		free(command);
		googlechat_paragraph(widgets, "<font color=\"#5f6368\">", line,
		    "</font>");
		free(line);
	}
	if (n->schedule != NULL && n->schedule[0] != '\0') {
		thread = chat_json_object(root, "thread");
		chat_json_string(thread, "threadKey", n->schedule);
	}

	chat_json_finish(root, req, "application/json; charset=UTF-8");
	if (req->body_len > GOOGLECHAT_BODY_MAX) {
		xasprintf(cause, "the message is %zu bytes with this question; "
		    "Google Chat allows at most %d bytes", req->body_len,
		    GOOGLECHAT_BODY_MAX);
		chat_request_free(req);
		return -1;
	}
	return 0;
}

/* Read Google's answer: 200 sent; 429 and 5xx retry; other 4xx fail. */
static enum chat_outcome
googlechat_classify(long status, const char *body, size_t len, char **reason,
    int64_t *retry_ms)
{
	enum chat_outcome	 outcome = chat_http_outcome(status);
	const char		*gstatus, *message;
	cJSON			*json;
	char			*detail;

	if (retry_ms != NULL)
		*retry_ms = -1;
	if (reason == NULL)
		return outcome;
	/* Google APIs: {"error":{"code":400,"message":...,"status":...}}. */
	json = body != NULL ? cJSON_ParseWithLength(body, len) : NULL;
	gstatus = chat_json_find(json, "error", "status");
	message = chat_json_find(json, "error", "message");
	if (outcome != CHAT_SENT && message != NULL) {
		xasprintf(&detail, "%s%s%s", gstatus != NULL ? gstatus : "",
		    gstatus != NULL ? ": " : "", message);
		*reason = chat_reason(detail, strlen(detail));
		free(detail);
	} else if (outcome == CHAT_SENT)
		*reason = NULL;	/* the body is the posted message */
	else
		*reason = chat_reason(body, len);
	cJSON_Delete(json);
	return outcome;
}
