/* SPDX-License-Identifier: ISC */
/*
 * Slack's Web API with a bot token. Every call is an HTTPS POST with
 * "Authorization: Bearer xoxb-…"; JSON bodies for the methods that take
 * them, a form for users.info, which reads no JSON
 * (docs.slack.dev/apis/web-api: "Some methods … do not support JSON").
 * Slack answers HTTP 200 with {"ok": false, "error": "…"} for most
 * failures, 429 with Retry-After when a method's rate tier is spent
 * (api.slack.com/docs/rate-limits).
 */
#include "chat/slack_api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <event2/http.h>

#include "xmalloc.h"

/* A section's text holds 1-3,000 characters (Block Kit). */
#define SLACK_API_SECTION_MAX	3000

static void	 slack_api_bearer(struct chat_request *, const char *);
static cJSON	*slack_api_section(cJSON *, const char *);
static void	 slack_api_context(cJSON *, const char *);
static cJSON	*slack_api_plain(cJSON *, const char *, const char *);
static char	*slack_api_question(const struct chat_nudge *);
static int	 slack_api_fits(const char *, const char *, char **);
static enum slack_api_class slack_api_error_class(const char *, const char *);
static char	*slack_api_member(const cJSON *, const char *, const char *);

/* Errors that name this person, from the methods that open a DM. */
static const char *const slack_api_person_errors[] = {
	"user_not_found", "user_disabled", "account_inactive", "cannot_dm_bot",
	NULL
};

/* Errors that say the token itself is refused, whatever the call. */
static const char *const slack_api_auth_errors[] = {
	"not_authed", "invalid_auth", "token_revoked", "token_expired",
	"missing_scope", "no_permission", "not_allowed_token_type",
	"team_access_not_granted", "ekm_access_denied", NULL
};

/* Errors Slack lists as transient: the same call may work later. */
static const char *const slack_api_retry_errors[] = {
	"ratelimited", "rate_limited", "internal_error", "fatal_error",
	"service_unavailable", "request_timeout", NULL
};

/* base + method. */
char *
slack_api_url(const char *base, const char *method)
{
	size_t n = strlen(base);
	char *url;

	xasprintf(&url, "%s%s%s", base, n != 0 && base[n - 1] == '/' ? "" : "/",
	    method);
	return url;
}

/* The bot token as a bearer credential. */
static void
slack_api_bearer(struct chat_request *req, const char *token)
{
	chat_request_add_header(req, "Authorization: Bearer %s", token);
}

/* A plain_text object under key. */
static cJSON *
slack_api_plain(cJSON *parent, const char *key, const char *text)
{
	cJSON *o = chat_json_object(parent, key);

	chat_json_string(o, "type", "plain_text");
	chat_json_string(o, "text", text);
	return o;
}

/* Append a section block with mrkdwn text. */
static cJSON *
slack_api_section(cJSON *blocks, const char *mrkdwn)
{
	cJSON *block = chat_json_object(blocks, NULL), *text;

	chat_json_string(block, "type", "section");
	text = chat_json_object(block, "text");
	chat_json_string(text, "type", "mrkdwn");
	chat_json_string(text, "text", mrkdwn);
	return block;
}

/* Append a context block with one mrkdwn element. */
static void
slack_api_context(cJSON *blocks, const char *mrkdwn)
{
	cJSON *block = chat_json_object(blocks, NULL), *elements, *el;

	chat_json_string(block, "type", "context");
	elements = chat_json_array(block, "elements");
	el = chat_json_object(elements, NULL);
	chat_json_string(el, "type", "mrkdwn");
	chat_json_string(el, "text", mrkdwn);
}

/* The question as mrkdwn: escaped, led by the context line above it. */
static char *
slack_api_question(const struct chat_nudge *n)
{
	char *q = chat_escape_html(n->text), *s;

	if (n->context != NULL && n->context[0] != '\0') {
		char *c = chat_escape_html(n->context);

		xasprintf(&s, "_%s_\n%s", c, q);
		free(c);
	} else if (n->kind != CHAT_PROMPT)
		xasprintf(&s, "%s\n%s", chat_lead(n), q);
	else
		s = xstrdup(q);
	free(q);
	return s;
}

/* Refuse a text over Block Kit's section limit rather than let Slack cut it. */
static int
slack_api_fits(const char *what, const char *s, char **cause)
{
	size_t n = chat_utf8_chars(s);

	if (n <= SLACK_API_SECTION_MAX)
		return 0;
	xasprintf(cause, "the %s is %zu characters once formatted; Slack "
	    "allows at most %d in a Block Kit section", what, n,
	    SLACK_API_SECTION_MAX);
	return -1;
}

/* conversations.open {"users": "U…"}: one id opens (or finds) the 1:1 DM. */
void
slack_api_open_dm(const char *user, const char *token, struct chat_request *req)
{
	cJSON *root = chat_json_object(NULL, NULL);

	memset(req, 0, sizeof *req);
	chat_json_string(root, "users", user);
	chat_json_finish(root, req, "application/json; charset=utf-8");
	slack_api_bearer(req, token);
}

/*
 * chat.postMessage: the question, its follow-up, an Answer button whose
 * value names the delivery (not on a follow-up asked later), and the theme. "text" is the notification's
 * fallback. Links are not unfurled: a question needs no preview.
 */
int
slack_api_post_nudge(const struct chat_nudge *n, const char *channel,
    const char *thread_ts, const char *token, struct chat_request *req,
    char **cause)
{
	cJSON *root, *blocks, *actions, *elements, *button;
	char *question, *follow = NULL, *title, *fallback, *line, id[24];
	int rv = -1;

	memset(req, 0, sizeof *req);
	if (chat_check_nudge(n, cause) == -1)
		return -1;
	question = slack_api_question(n);
	if (n->follow_up != NULL && n->follow_up[0] != '\0')
		follow = chat_escape_html(n->follow_up);
	title = chat_escape_html(chat_title(n));
	line = chat_one_line(n);
	fallback = chat_escape_html(line);
	free(line);
	if (slack_api_fits("question", question, cause) == -1 ||
	    (follow != NULL && slack_api_fits("follow-up", follow, cause) == -1) ||
	    slack_api_fits("theme title", title, cause) == -1)
		goto out;

	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "channel", channel);
	if (thread_ts != NULL)
		chat_json_string(root, "thread_ts", thread_ts);
	chat_json_string(root, "text", fallback);
	chat_json_bool(root, "unfurl_links", 0);
	chat_json_bool(root, "unfurl_media", 0);
	blocks = chat_json_array(root, "blocks");
	slack_api_section(blocks, question);
	if (follow != NULL)
		slack_api_context(blocks, follow);
	/*
	 * A follow-up is answered by a reply in its thread, stored beside the
	 * answer it follows: the modal would replace that answer.
	 */
	if (n->kind != CHAT_FOLLOW_UP) {
		actions = chat_json_object(blocks, NULL);
		chat_json_string(actions, "type", "actions");
		chat_json_string(actions, "block_id", "nudged");
		elements = chat_json_array(actions, "elements");
		button = chat_json_object(elements, NULL);
		chat_json_string(button, "type", "button");
		chat_json_string(button, "action_id", SLACK_ACTION_ANSWER);
		chat_json_string(button, "style", "primary");
		slack_api_plain(button, "text", "Answer");
		snprintf(id, sizeof id, "%lld", (long long)n->delivery_id);
		chat_json_string(button, "value", id);
	}
	slack_api_context(blocks, title);
	chat_json_finish(root, req, "application/json; charset=utf-8");
	slack_api_bearer(req, token);
	rv = 0;
out:
	free(question);
	free(follow);
	free(title);
	free(fallback);
	return rv;
}

/* chat.update: the question stays, the button gives way to a status line. */
int
slack_api_update_answered(const struct chat_nudge *n, const char *channel,
    const char *ts, const char *status, const char *token,
    struct chat_request *req, char **cause)
{
	cJSON *root, *blocks;
	char *question, *line, *fallback, *st;

	memset(req, 0, sizeof *req);
	question = slack_api_question(n);
	if (slack_api_fits("question", question, cause) == -1) {
		free(question);
		return -1;
	}
	line = chat_one_line(n);
	fallback = chat_escape_html(line);
	st = chat_escape_html(status);
	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "channel", channel);
	chat_json_string(root, "ts", ts);
	chat_json_string(root, "text", fallback);
	blocks = chat_json_array(root, "blocks");
	slack_api_section(blocks, question);
	slack_api_context(blocks, st);
	chat_json_finish(root, req, "application/json; charset=utf-8");
	slack_api_bearer(req, token);
	free(question);
	free(line);
	free(fallback);
	free(st);
	return 0;
}

/*
 * views.open: a modal with the question above a multi-line input. A modal's
 * title is at most 24 characters; private_metadata (the delivery id) comes
 * back with the submission (docs.slack.dev/reference/views/modal-views).
 */
int
slack_api_open_modal(const struct chat_nudge *n, const char *trigger_id,
    const char *prefill, const char *token, struct chat_request *req,
    char **cause)
{
	cJSON *root, *view, *blocks, *input, *el;
	char *question, id[24];

	memset(req, 0, sizeof *req);
	question = slack_api_question(n);
	if (slack_api_fits("question", question, cause) == -1) {
		free(question);
		return -1;
	}
	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "trigger_id", trigger_id);
	view = chat_json_object(root, "view");
	chat_json_string(view, "type", "modal");
	chat_json_string(view, "callback_id", SLACK_VIEW_ANSWER);
	snprintf(id, sizeof id, "%lld", (long long)n->delivery_id);
	chat_json_string(view, "private_metadata", id);
	slack_api_plain(view, "title", "Your answer");
	slack_api_plain(view, "submit", "Save");
	slack_api_plain(view, "close", "Cancel");
	blocks = chat_json_array(view, "blocks");
	slack_api_section(blocks, question);
	input = chat_json_object(blocks, NULL);
	chat_json_string(input, "type", "input");
	chat_json_string(input, "block_id", "answer");
	slack_api_plain(input, "label", "Answer");
	el = chat_json_object(input, "element");
	chat_json_string(el, "type", "plain_text_input");
	chat_json_string(el, "action_id", "text");
	chat_json_bool(el, "multiline", 1);
	chat_json_number(el, "max_length", SLACK_INPUT_MAX);
	if (prefill != NULL && prefill[0] != '\0')
		chat_json_string(el, "initial_value", prefill);
	chat_json_finish(root, req, "application/json; charset=utf-8");
	slack_api_bearer(req, token);
	free(question);
	return 0;
}

/* users.info?user=U…, as a form body. */
void
slack_api_users_info(const char *user, const char *token,
    struct chat_request *req)
{
	char *q = evhttp_uriencode(user, -1, 0);

	memset(req, 0, sizeof *req);
	xasprintf(&req->body, "user=%s", q);
	req->body_len = strlen(req->body);
	req->content_type = xstrdup("application/x-www-form-urlencoded");
	slack_api_bearer(req, token);
	free(q);
}

/* Which class an ok:false error of a method falls in. */
static enum slack_api_class
slack_api_error_class(const char *method, const char *error)
{
	size_t i;

	for (i = 0; slack_api_auth_errors[i] != NULL; i++)
		if (strcmp(error, slack_api_auth_errors[i]) == 0)
			return SLACK_API_AUTH;
	for (i = 0; slack_api_retry_errors[i] != NULL; i++)
		if (strcmp(error, slack_api_retry_errors[i]) == 0)
			return SLACK_API_RETRY;
	/*
	 * account_inactive also says a token's own user was deactivated; from
	 * conversations.open and users.info it is the person asked about.
	 */
	if (strcmp(method, "conversations.open") == 0 ||
	    strcmp(method, "users.info") == 0) {
		for (i = 0; slack_api_person_errors[i] != NULL; i++)
			if (strcmp(error, slack_api_person_errors[i]) == 0)
				return SLACK_API_PERSON;
	}
	if (strcmp(error, "account_inactive") == 0)
		return SLACK_API_AUTH;
	return SLACK_API_FAIL;
}

/* A string at obj[key] (or obj[key][sub]), copied; NULL when absent. */
static char *
slack_api_member(const cJSON *obj, const char *key, const char *sub)
{
	const char *s = chat_json_find(obj, key, sub);

	return s != NULL ? xstrdup(s) : NULL;
}

/* Read the Web API's answer to method. */
void
slack_api_read(const char *method, long status, const char *body, size_t len,
    int64_t retry_after_ms, struct slack_api_answer *a)
{
	cJSON *root = NULL;
	const cJSON *ok;

	memset(a, 0, sizeof *a);
	a->retry_ms = -1;
	if (status == 429 || status >= 500 || status == 408) {
		a->cls = SLACK_API_RETRY;
		a->retry_ms = retry_after_ms;
		a->error = xstrdup(status == 429 ? "ratelimited" :
		    "Slack answered with a server error");
		return;
	}
	if (body != NULL)
		root = cJSON_ParseWithLength(body, len);
	ok = cJSON_GetObjectItemCaseSensitive(root, "ok");
	if (status != 200 || !cJSON_IsBool(ok)) {
		/* A proxy's page or a cut answer: the call may work later. */
		a->cls = status >= 400 ? SLACK_API_FAIL : SLACK_API_RETRY;
		a->error = xstrdup("Slack's answer was not a Web API answer");
	} else if (cJSON_IsTrue(ok)) {
		a->cls = SLACK_API_OK;
		a->channel = slack_api_member(root, "channel", "id");
		if (a->channel == NULL)
			a->channel = slack_api_member(root, "channel", NULL);
		a->ts = slack_api_member(root, "ts", NULL);
		a->tz = slack_api_member(root, "user", "tz");
	} else {
		a->error = slack_api_member(root, "error", NULL);
		if (a->error == NULL)
			a->error = xstrdup("unknown_error");
		a->cls = slack_api_error_class(method, a->error);
		if (a->cls == SLACK_API_RETRY)
			a->retry_ms = retry_after_ms;
	}
	cJSON_Delete(root);
}

/* Free what slack_api_read allocated. */
void
slack_api_answer_free(struct slack_api_answer *a)
{
	free(a->error);
	free(a->channel);
	free(a->ts);
	free(a->tz);
	memset(a, 0, sizeof *a);
}
