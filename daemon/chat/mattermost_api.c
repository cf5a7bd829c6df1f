/* SPDX-License-Identifier: ISC */
/*
 * Mattermost's REST API (v4), called as a bot account ("Authorization:
 * Bearer TOKEN", developers.mattermost.com/integrate/reference/
 * bot-accounts): a person named by username has their id looked up first
 * (GET /api/v4/users/username/{username}, api/v4 users.yaml); their DM is
 * opened once with POST /api/v4/channels/direct and the two user ids, the
 * bot's and theirs (api/v4 channels.yaml), and kept, so neither call is
 * made again; each
 * nudge posted into it with POST /api/v4/posts, the attachment of a webhook
 * post holding an interactive button whose integration.url is nudged's
 * /mattermost/actions (plugins/interactive-messages). Mattermost does not
 * sign what it sends there; its documentation advises a secret in the
 * context, which clients never see: the context carries the delivery, the
 * person and the proof nudged made of both (chat.h). The button opens a
 * dialog (POST /api/v4/actions/dialogs/open, plugins/interactive-dialogs:
 * a textarea of at most 3,000 characters) whose state carries the same.
 * Once answered, the post is patched (PUT /api/v4/posts/{id}/patch).
 *
 * Rate limiting, when a server turns it on, answers 429 with
 * X-Ratelimit-Reset, the seconds until the limit resets (api/v4
 * introduction.yaml): every call waits that long. 403 or 404 on a person's
 * call means the bot may not reach them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/mattermost_int.h"
#include "config.h"
#include "xmalloc.h"

/* A dialog's title holds at most 24 characters. */
#define MATTERMOST_TITLE_MAX	24
/* A Mattermost user id: 26 lowercase letters and digits. */
#define MATTERMOST_ID_LEN	26

static int	 mattermost_api_ready(const struct config_channel *, char **);
static int	 mattermost_api_user(const char *);
static int	 mattermost_api_id(const char *);
static void	 mattermost_api_find(const struct config_channel *,
		    const char *, struct chat_request *);
static int	 mattermost_api_never(const struct config_channel *);
static char	*mattermost_api_url(const struct config_channel *,
		    enum chat_direct_call, const char *);
static void	 mattermost_api_open(const struct config_channel *,
		    const char *, struct chat_request *);
static int	 mattermost_api_post(const struct chat_nudge *,
		    const struct config_channel *, const char *, const char *,
		    struct chat_request *, char **);
static void	 mattermost_api_read(enum chat_direct_call, long,
		    const char *, size_t, int64_t, const char *,
		    struct chat_direct_answer *);
static int	 mattermost_api_dialog(const struct config_channel *,
		    const struct chat_nudge *, const char *, const char *,
		    char **, struct chat_request *, char **);
static int	 mattermost_api_patch(const struct config_channel *,
		    const struct chat_nudge *, const char *, const char *,
		    const char *, char **, struct chat_request *, char **);
static char	*mattermost_api_failed(long, const char *, size_t);
static char	*mattermost_api_path(const struct config_channel *,
		    const char *);
static void	 mattermost_api_auth(const struct config_channel *,
		    struct chat_request *);
static char	*mattermost_api_state(const struct chat_nudge *);

/* The bot's calls to reach people, for the Mattermost row. */
const struct chat_direct mattermost_direct = {
	.ready = mattermost_api_ready,
	.check_user = mattermost_api_user,
	.user_hint = "a user id (26 lowercase letters and digits) or a "
	    "username (letters, digits, '.', '-', '_'; 3 to 22)",
	.is_id = mattermost_api_id,
	.find = mattermost_api_find,
	.channel_api = mattermost_api_never,
	.url = mattermost_api_url,
	.open = mattermost_api_open,
	.post = mattermost_api_post,
	.read = mattermost_api_read,
};

/* The Answer button's dialog and the post marked answered. */
const struct chat_forms mattermost_forms = {
	.open = mattermost_api_dialog,
	.answered = mattermost_api_patch,
	.failed = mattermost_api_failed,
};

/* A channel sends DMs with a bot's token and id, the server's URL and nudged's. */
static int
mattermost_api_ready(const struct config_channel *c, char **why)
{
	const struct mattermost_settings *s = c->settings;

	if (s != NULL && s->bot_token != NULL && s->bot_user_id != NULL &&
	    s->server_url != NULL && s->callback_url != NULL)
		return 1;
	*why = xstrdup("it needs a bot account's \"bot_token\" and "
	    "\"bot_user_id\", the \"server_url\", and the \"callback_url\" "
	    "Mattermost reaches nudged at (for the Answer button)");
	return 0;
}

/* A user id: 26 lowercase letters and digits. */
static int
mattermost_api_id(const char *s)
{
	return strlen(s) == MATTERMOST_ID_LEN &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") ==
	    MATTERMOST_ID_LEN;
}

/*
 * A user id, or a username: 3 to 22 lowercase letters, digits, '.', '-'
 * and '_', starting with a letter (model/user.go, IsValidUsername).
 */
static int
mattermost_api_user(const char *s)
{
	size_t n = strlen(s);

	return mattermost_api_id(s) || (n >= 3 && n <= 22 && s[0] >= 'a' &&
	    s[0] <= 'z' && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789.-_")
	    == n);
}

/* Get a user by username (api/v4 users.yaml), once: their DM is kept. */
static void
mattermost_api_find(const struct config_channel *c, const char *name,
    struct chat_request *req)
{
	memset(req, 0, sizeof *req);
	req->body = xstrdup("");
	req->content_type = xstrdup("application/json");
	req->method = "GET";
	mattermost_api_auth(c, req);
	(void)name;	/* the URL names it */
}

/* A channel's own posts go through its webhook. */
static int
mattermost_api_never(const struct config_channel *c)
{
	(void)c;
	return 0;
}

/* base + path, base without its trailing slashes. */
static char *
mattermost_api_path(const struct config_channel *c, const char *path)
{
	const struct mattermost_settings *s = c->settings;
	size_t n = strlen(s->server_url);
	char *url;

	while (n != 0 && s->server_url[n - 1] == '/')
		n--;
	xasprintf(&url, "%.*s%s", (int)n, s->server_url, path);
	return url;
}

/* The bot's token. */
static void
mattermost_api_auth(const struct config_channel *c, struct chat_request *req)
{
	const struct mattermost_settings *s = c->settings;

	chat_request_add_header(req, "Authorization: Bearer %s", s->bot_token);
}

/* The call's URL on the channel's server; FIND's names the username. */
static char *
mattermost_api_url(const struct config_channel *c, enum chat_direct_call call,
    const char *conversation)
{
	char *path, *url;

	if (call != CHAT_DIRECT_FIND)	/* the body names the conversation */
		return mattermost_api_path(c, call == CHAT_DIRECT_OPEN ?
		    "/api/v4/channels/direct" : "/api/v4/posts");
	xasprintf(&path, "/api/v4/users/username/%s", conversation);
	url = mattermost_api_path(c, path);
	free(path);
	return url;
}

/* Create a direct channel: ["BOT_ID", "USER_ID"]. */
static void
mattermost_api_open(const struct config_channel *c, const char *user,
    struct chat_request *req)
{
	const struct mattermost_settings *s = c->settings;
	cJSON *ids = cJSON_CreateArray();

	memset(req, 0, sizeof *req);
	if (ids == NULL)
		abort();
	cJSON_AddItemToArray(ids, cJSON_CreateString(s->bot_user_id));
	cJSON_AddItemToArray(ids, cJSON_CreateString(user));
	req->body = chat_in_print(ids);
	req->body_len = strlen(req->body);
	req->content_type = xstrdup("application/json");
	mattermost_api_auth(c, req);
}

/*
 * Create a post: the lead as its message, the question's attachment with
 * the Answer button; a reminder goes in its nudge's thread (root_id).
 */
static int
mattermost_api_post(const struct chat_nudge *n, const struct config_channel *c,
    const char *conversation, const char *thread, struct chat_request *req,
    char **cause)
{
	const struct mattermost_settings *s = c->settings;
	cJSON *msg, *root, *props, *att, *actions, *button, *integ, *ctx;
	char *url, id[24];

	memset(req, 0, sizeof *req);
	if (n->person == NULL || n->proof == NULL) {
		*cause = xstrdup("a Mattermost DM's Answer button needs the "
		    "person and the proof nudged made for them");
		return -1;
	}
	if ((msg = mattermost_message(n, c, cause)) == NULL)
		return -1;
	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "channel_id", conversation);
	chat_json_string(root, "message", chat_json_find(msg, "text", NULL));
	if (thread != NULL)
		chat_json_string(root, "root_id", thread);
	props = chat_json_object(root, "props");
	cJSON_AddItemToObject(props, "attachments",
	    cJSON_DetachItemFromObject(msg, "attachments"));
	cJSON_Delete(msg);
	att = cJSON_GetArrayItem(cJSON_GetObjectItem(props, "attachments"), 0);
	actions = chat_json_array(att, "actions");
	button = chat_json_object(actions, NULL);
	chat_json_string(button, "id", MATTERMOST_ANSWER_ID);
	chat_json_string(button, "name", "Answer");
	chat_json_string(button, "type", "button");
	chat_json_string(button, "style", "primary");
	integ = chat_json_object(button, "integration");
	url = NULL;
	xasprintf(&url, "%s%s", s->callback_url, MATTERMOST_ACTIONS);
	chat_json_string(integ, "url", url);
	free(url);
	ctx = chat_json_object(integ, "context");
	snprintf(id, sizeof id, "%lld", (long long)n->delivery_id);
	chat_json_string(ctx, "delivery", id);
	chat_json_string(ctx, "person", n->person);
	chat_json_string(ctx, "proof", n->proof);
	chat_json_finish(root, req, "application/json");
	mattermost_api_auth(c, req);
	return 0;
}

/* The API's answer, in the classes every platform's answers fall in. */
static void
mattermost_api_read(enum chat_direct_call call, long status, const char *body,
    size_t len, int64_t retry_after_ms, const char *headers,
    struct chat_direct_answer *a)
{
	cJSON *json = cJSON_ParseWithLength(body, len);
	const char *id = chat_json_find(json, "id", NULL);
	const char *where = chat_json_find(json, "channel_id", NULL);
	const char *message = chat_json_find(json, "message", NULL);
	char *reset, *end;
	double secs;

	memset(a, 0, sizeof *a);
	a->retry_ms = -1;
	if (status >= 200 && status < 300 && id != NULL &&
	    call == CHAT_DIRECT_FIND) {
		a->cls = CHAT_DIRECT_OK;
		a->user = xstrdup(id);
		cJSON_Delete(json);
		return;
	}
	if (status >= 200 && status < 300 && id != NULL) {
		a->cls = CHAT_DIRECT_OK;
		a->conversation = xstrdup(call == CHAT_DIRECT_OPEN ||
		    where == NULL ? id : where);
		a->message_id = call == CHAT_DIRECT_POST ? xstrdup(id) : NULL;
		cJSON_Delete(json);
		return;
	}
	if (status == 429) {
		a->retry_ms = retry_after_ms;
		if ((reset = chat_header_value(headers,
		    "X-Ratelimit-Reset")) != NULL) {
			secs = strtod(reset, &end);
			if (end != reset && secs > 0)
				a->retry_ms = (int64_t)(secs * 1000);
			free(reset);
		}
		a->wait_ms = a->retry_ms > 0 ? a->retry_ms : 0;
		a->every_call = 1;
	}
	if (status == 401)
		a->cls = CHAT_DIRECT_AUTH;
	else if (status == 403 || status == 404)
		a->cls = CHAT_DIRECT_PERSON;
	else if (status == 429 || status == 408 || status >= 500 ||
	    (status >= 200 && status < 300))
		a->cls = CHAT_DIRECT_RETRY;
	else
		a->cls = CHAT_DIRECT_FAIL;
	a->error = message != NULL ? chat_reason(message, strlen(message)) :
	    NULL;
	cJSON_Delete(json);
}

/* "ID:PERSON:PROOF": what the dialog's state carries back. */
static char *
mattermost_api_state(const struct chat_nudge *n)
{
	char *state;

	xasprintf(&state, "%lld:%s:%s", (long long)n->delivery_id, n->person,
	    n->proof);
	return state;
}

/* Open the dialog with the click's trigger: a textarea, the question as help. */
static int
mattermost_api_dialog(const struct config_channel *c,
    const struct chat_nudge *n, const char *trigger, const char *prefill,
    char **url, struct chat_request *req, char **cause)
{
	const struct mattermost_settings *s = c->settings;
	cJSON *root, *dialog, *elements, *el;
	char *title, *state, *to;

	memset(req, 0, sizeof *req);
	if (s->bot_token == NULL || s->server_url == NULL ||
	    s->callback_url == NULL || n->person == NULL || n->proof == NULL) {
		*cause = xstrdup("the channel cannot open Mattermost dialogs: "
		    "it needs \"bot_token\", \"server_url\" and \"callback_url\"");
		return -1;
	}
	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "trigger_id", trigger);
	xasprintf(&to, "%s%s", s->callback_url, MATTERMOST_DIALOGS);
	chat_json_string(root, "url", to);
	free(to);
	dialog = chat_json_object(root, "dialog");
	chat_json_string(dialog, "callback_id", MATTERMOST_ANSWER_ID);
	title = chat_utf8_chars(chat_title(n)) <= MATTERMOST_TITLE_MAX ?
	    xstrdup(chat_title(n)) : xstrdup("Your answer");
	chat_json_string(dialog, "title", title);
	free(title);
	chat_json_string(dialog, "submit_label", "Save");
	state = mattermost_api_state(n);
	chat_json_string(dialog, "state", state);
	free(state);
	elements = chat_json_array(dialog, "elements");
	el = chat_json_object(elements, NULL);
	chat_json_string(el, "display_name", "Your answer");
	chat_json_string(el, "name", MATTERMOST_INPUT);
	chat_json_string(el, "type", "textarea");
	chat_json_number(el, "max_length", MATTERMOST_INPUT_MAX);
	chat_json_string(el, "help_text", n->text);
	if (prefill != NULL && chat_utf8_chars(prefill) <= MATTERMOST_INPUT_MAX)
		chat_json_string(el, "default", prefill);
	chat_json_finish(root, req, "application/json");
	mattermost_api_auth(c, req);
	*url = mattermost_api_path(c, "/api/v4/actions/dialogs/open");
	return 0;
}

/* Patch the nudge's post: the attachment again, the button gone, the status below. */
static int
mattermost_api_patch(const struct config_channel *c,
    const struct chat_nudge *n, const char *conversation,
    const char *message_id, const char *status, char **url,
    struct chat_request *req, char **cause)
{
	cJSON *msg, *root, *props, *att;
	char *path, *footer;

	(void)conversation;
	memset(req, 0, sizeof *req);
	if ((msg = mattermost_message(n, c, cause)) == NULL)
		return -1;
	root = chat_json_object(NULL, NULL);
	props = chat_json_object(root, "props");
	cJSON_AddItemToObject(props, "attachments",
	    cJSON_DetachItemFromObject(msg, "attachments"));
	cJSON_Delete(msg);
	att = cJSON_GetArrayItem(cJSON_GetObjectItem(props, "attachments"), 0);
	footer = mattermost_escape(status, 0);
	cJSON_DeleteItemFromObject(att, "footer");
	chat_json_string(att, "footer", footer);
	free(footer);
	chat_json_finish(root, req, "application/json");
	req->method = "PUT";
	mattermost_api_auth(c, req);
	xasprintf(&path, "/api/v4/posts/%s/patch", message_id);
	*url = mattermost_api_path(c, path);
	free(path);
	return 0;
}

/* NULL when a call worked, else Mattermost's message. */
static char *
mattermost_api_failed(long status, const char *body, size_t len)
{
	cJSON *json;
	const char *message;
	char *why;

	if (status >= 200 && status < 300)
		return NULL;
	json = cJSON_ParseWithLength(body, len);
	message = chat_json_find(json, "message", NULL);
	why = message != NULL ? chat_reason(message, strlen(message)) : NULL;
	cJSON_Delete(json);
	return why != NULL ? why : xstrdup("the server refused the call");
}
