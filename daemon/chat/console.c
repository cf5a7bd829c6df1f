/* SPDX-License-Identifier: ISC */
/*
 * The console "platform": no HTTP, a few lines of text for a terminal (the
 * demo and `nudged send` without a chat account). Decorations are plain
 * ASCII so any terminal and any log viewer shows them; the question itself
 * stays UTF-8, with anything a terminal would act on (ESC, other controls)
 * replaced by '?'.
 *
 *   -- nudge 12 | demo-every-minute | Reflection -------------------------
 *   What did we learn this week?
 *     follow-up: What would we try next time?
 *   answer: POST /api/v1/replies {"channel": "demo", "code": "K7QX", ...}
 *
 * A console channel is answered through the JSON API (see README.md).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "chat/chat_int.h"
#include "xmalloc.h"

/* The header rule is padded with '-' to this many bytes. */
#define CONSOLE_WIDTH	72

static int	console_format(const struct chat_nudge *,
		    const struct config_channel *, int64_t,
		    struct chat_request *, char **);
static enum chat_outcome console_classify(long, const char *, size_t,
		    char **, int64_t *);
static void	console_add(struct strbuf *, const char *);

/* Printing has no rate limit; answers come through the JSON API. */
const struct chat_platform chat_console = {
	.name = "console",
	.title = "Console",
	.no_direct =
	    "the console prints for the admin; drop \"to\"",
	.posts_http = 0,
	.default_rate = 0,
	.format_prompt = console_format,
	.classify = console_classify,
};

/* Append text made safe for a terminal. */
static void
console_add(struct strbuf *b, const char *s)
{
	char	*safe = chat_escape_terminal(s);

	strbuf_add(b, safe);
	free(safe);
}

/* Build the text block for a nudge. */
static int
console_format(const struct chat_nudge *n, const struct config_channel *cc,
    int64_t now, struct chat_request *req, char **cause)
{
	struct strbuf	 b = { NULL, 0, 0 };

	(void)cc;
	(void)now;
	memset(req, 0, sizeof *req);
	if (chat_check_nudge(n, cause) == -1)
		return -1;

	strbuf_addf(&b, "-- %s %" PRId64 " | ", n->kind == CHAT_REMINDER ?
	    "reminder" : n->kind == CHAT_DIGEST ? "digest" : "nudge",
	    n->delivery_id);
	console_add(&b, n->schedule != NULL && n->schedule[0] != '\0' ?
	    n->schedule : "-");
	strbuf_add(&b, " | ");
	console_add(&b, chat_title(n));
	strbuf_addc(&b, ' ');
	while (b.len < CONSOLE_WIDTH)
		strbuf_addc(&b, '-');
	strbuf_addc(&b, '\n');
	if (n->kind != CHAT_PROMPT) {
		strbuf_add(&b, chat_lead(n));
		strbuf_addc(&b, '\n');
	}
	if (n->context != NULL && n->context[0] != '\0') {
		strbuf_add(&b, "context: ");
		console_add(&b, n->context);
		strbuf_addc(&b, '\n');
	}
	console_add(&b, n->text);
	strbuf_addc(&b, '\n');
	if (n->follow_up != NULL && n->follow_up[0] != '\0') {
		strbuf_add(&b, "  follow-up: ");
		console_add(&b, n->follow_up);
		strbuf_addc(&b, '\n');
	}
	strbuf_add(&b, "answer: POST /api/v1/replies {\"channel\": \"");
	console_add(&b, n->channel != NULL ? n->channel : "-");
	if (n->reply_code != NULL && n->reply_code[0] != '\0') {
		strbuf_add(&b, "\", \"code\": \"");
		console_add(&b, n->reply_code);
	}
	strbuf_add(&b, "\", \"user\": ..., \"text\": ...}\n");

	req->body = strbuf_take(&b);
	req->body_len = strlen(req->body);
	req->content_type = xstrdup("text/plain");
	return 0;
}

/* Printing cannot fail in a way worth retrying. */
static enum chat_outcome
console_classify(long status, const char *body, size_t len, char **reason,
    int64_t *retry_ms)
{
	(void)status;
	(void)body;
	(void)len;
	if (retry_ms != NULL)
		*retry_ms = -1;
	if (reason != NULL)
		*reason = xstrdup("printed");
	return CHAT_SENT;
}
