/* SPDX-License-Identifier: ISC */
/*
 * The generic JSON webhook: the nudge's fields as they are, for any
 * receiver to render. Headers follow Standard Webhooks: webhook-id
 * "msg_<delivery id>" (stable across retries: the idempotency key, also sent
 * as Idempotency-Key for receivers that know that header), webhook-timestamp
 * of this attempt, and, when the channel sets signing_secret,
 * webhook-signature "v1,<base64>". Rebuild the request for every attempt so
 * the timestamp stays fresh.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/chat_int.h"
#include "config.h"
#include "sig.h"
#include "timefmt.h"
#include "xmalloc.h"

static int	webhook_format(const struct chat_nudge *,
		    const struct config_channel *, int64_t,
		    struct chat_request *, char **);
static enum chat_outcome webhook_classify(long, const char *, size_t, char **,
		    int64_t *);
static void	*webhook_config_parse(struct config_reader *, const cJSON *);
static void	 webhook_config_free(void *);

/*
 * The Standard Webhooks spec's secrets: "whsec_" and the base64 of the key,
 * which it recommends be 24 to 64 random bytes; the official libraries
 * base64-decode whatever they are given, so nothing else verifies there.
 */
#define WEBHOOK_KEY_MIN		24

/* signing_secret: the receiver checks webhook-signature with it. */
static const char *const webhook_config_keys[] = { "signing_secret", NULL };

/*
 * A receiver we do not know: 10/s, limited by what it answers (429). No
 * inbound side: answers from scripts use the JSON API.
 */
const struct chat_platform chat_webhook = {
	.name = "webhook",
	.title = "Webhook",
	.no_direct =
	    "a webhook reaches a program, not people; drop \"to\"",
	.posts_http = 1,
	.default_rate = 10.0,
	.config_keys = webhook_config_keys,
	.config_parse = webhook_config_parse,
	.config_free = webhook_config_free,
	.format_prompt = webhook_format,
	.classify = webhook_classify,
};

/* Build the JSON body and Standard Webhooks headers for a nudge. */
static int
webhook_format(const struct chat_nudge *n, const struct config_channel *cc,
    int64_t now, struct chat_request *req, char **cause)
{
	const struct webhook_settings *ws = cc != NULL ? cc->settings : NULL;
	cJSON	*root;
	char	 due[TIMEFMT_ISO_LEN], *msg_id, *sig;

	memset(req, 0, sizeof *req);
	if (chat_check_nudge(n, cause) == -1)
		return -1;

	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "type", n->kind == CHAT_REMINDER ?
	    "nudge.reminder" : n->kind == CHAT_DIGEST ? "nudge.digest" :
	    "nudge.prompt");
	chat_json_number(root, "delivery_id", (double)n->delivery_id);
	chat_json_string(root, "schedule", n->schedule);
	chat_json_string(root, "channel", n->channel);
	chat_json_string(root, "prompt_id", n->prompt_id);
	chat_json_string(root, "theme", n->theme);
	chat_json_string(root, "theme_title", chat_title(n));
	if (n->context != NULL && n->context[0] != '\0')
		chat_json_string(root, "context", n->context);
	chat_json_string(root, "text", n->text);
	chat_json_string(root, "follow_up", n->follow_up != NULL &&
	    n->follow_up[0] != '\0' ? n->follow_up : NULL);
	timefmt_utc(n->due_at, due, sizeof due);
	chat_json_string(root, "due_at", due);
	chat_json_string(root, "reply_code", n->reply_code);
	chat_json_finish(root, req, "application/json");

	xasprintf(&msg_id, "msg_%" PRId64, n->delivery_id);
	chat_request_add_header(req, "webhook-id: %s", msg_id);
	chat_request_add_header(req, "webhook-timestamp: %" PRId64, now);
	if (ws != NULL && ws->signing_secret != NULL &&
	    ws->signing_secret[0] != '\0') {
		sig = sig_standard_webhooks_sign(ws->signing_secret, msg_id,
		    now, req->body, req->body_len);
		if (sig == NULL) {
			*cause = xstrdup("the channel's signing_secret starts "
			    "with whsec_ but the rest is not base64");
			chat_request_free(req);
			free(msg_id);
			return -1;
		}
		chat_request_add_header(req, "webhook-signature: %s", sig);
		free(sig);
	}
	chat_request_add_header(req, "Idempotency-Key: %s", msg_id);
	free(msg_id);
	return 0;
}

/* Read the receiver's answer: 2xx sent; 408, 425, 429, 5xx retry. */
static enum chat_outcome
webhook_classify(long status, const char *body, size_t len, char **reason,
    int64_t *retry_ms)
{
	if (retry_ms != NULL)
		*retry_ms = -1;
	if (reason != NULL)
		*reason = chat_reason(body, len);
	return chat_http_outcome(status);
}

/*
 * The channel's signing_secret, in the "whsec_" form receivers' libraries
 * take (the spec's secrets, www.standardwebhooks.com), with the way to make
 * one when it is not.
 */
static void *
webhook_config_parse(struct config_reader *r, const cJSON *channel)
{
	struct webhook_settings *s = xcalloc(1, sizeof *s);
	long bytes;

	s->signing_secret = config_read_string(r, channel, "signing_secret", 0);
	if (s->signing_secret == NULL)
		return s;
	bytes = sig_standard_webhooks_key_bytes(s->signing_secret);
	if (bytes < WEBHOOK_KEY_MIN)
		config_read_error(r, cJSON_GetObjectItemCaseSensitive(channel,
		    "signing_secret"), "signing_secret must be \"whsec_\" and "
		    "the base64 of at least %d random bytes, as Standard "
		    "Webhooks receivers expect; make one with: echo "
		    "whsec_$(head -c 32 /dev/urandom | base64)", WEBHOOK_KEY_MIN);
	return s;
}

/* Free what webhook_config_parse made. */
static void
webhook_config_free(void *settings)
{
	struct webhook_settings *s = settings;

	if (s == NULL)
		return;
	free(s->signing_secret);
	free(s);
}
