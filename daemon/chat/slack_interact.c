/* SPDX-License-Identifier: ISC */
/*
 * Slack interactivity payloads (docs.slack.dev/reference/interaction-payloads):
 * block_actions when the Answer button is clicked (user.id, trigger_id,
 * actions[].action_id and value, container.channel_id and message_ts), and
 * view_submission when the modal is saved (user.id, view.id,
 * view.callback_id, view.private_metadata, view.state.values). Slack sends
 * them as a form whose "payload" field is the JSON, signed like every other
 * request of the app.
 */
#include "chat/slack_interact.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/slack_api.h"
#include "config.h"
#include "xmalloc.h"

/* An interaction payload, however rich, stays well under this. */
#define SLACK_PAYLOAD_MAX	(48 * 1024)

static int	slack_interact_actions(const cJSON *, struct slack_interaction *,
		    char **);
static int	slack_interact_submit(const cJSON *, struct slack_interaction *,
		    char **);
static int	slack_interact_user(const cJSON *, struct slack_interaction *,
		    char **);
static int	slack_interact_id(const char *, const char *, int64_t *,
		    char **);
static int	slack_forms_open(const struct config_channel *,
		    const struct chat_nudge *, const char *, const char *,
		    char **, struct chat_request *, char **);
static int	slack_forms_answered(const struct config_channel *,
		    const struct chat_nudge *, const char *, const char *,
		    const char *, char **, struct chat_request *, char **);
static char	*slack_forms_failed(long, const char *, size_t);
static const char *slack_forms_base(const struct config_channel *);

/* The Answer button's modal and the answered message, for the Slack row. */
const struct chat_forms slack_in_forms = {
	.open = slack_forms_open,
	.answered = slack_forms_answered,
	.failed = slack_forms_failed,
};

/* A delivery id as nudged wrote it into a button or the modal. */
static int
slack_interact_id(const char *what, const char *s, int64_t *id, char **cause)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] < '1' || s[0] > '9' || *end != '\0' || errno != 0) {
		xasprintf(cause, "%s is not a nudge's id", what);
		return -1;
	}
	*id = v;
	return 0;
}

/* user.id and user.username (or name): who clicked or saved. */
static int
slack_interact_user(const cJSON *root, struct slack_interaction *si,
    char **cause)
{
	const cJSON *user;
	const char *id, *name;

	if (chat_in_object(root, NULL, "user", CHAT_IN_REQUIRED, &user,
	    cause) == -1 ||
	    chat_in_string(user, "user", "id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &id, cause) == -1 ||
	    chat_in_string(user, "user", "username", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &name, cause) == -1)
		return -1;
	if (name == NULL && chat_in_string(user, "user", "name",
	    CHAT_IN_OPTIONAL, CHAT_IN_ID_MAX, &name, cause) == -1)
		return -1;
	si->user_id = xstrdup(id);
	si->user_name = name != NULL && name[0] != '\0' ? xstrdup(name) : NULL;
	return 0;
}

/* block_actions: our Answer button opens the modal; other actions are ignored. */
static int
slack_interact_actions(const cJSON *root, struct slack_interaction *si,
    char **cause)
{
	const cJSON *actions, *action, *container;
	const char *action_id, *value, *trigger, *channel, *ts;

	actions = cJSON_GetObjectItemCaseSensitive(root, "actions");
	if (!cJSON_IsArray(actions) || cJSON_GetArraySize(actions) != 1) {
		*cause = xstrdup("\"actions\" is not a list of one action");
		return -1;
	}
	action = cJSON_GetArrayItem(actions, 0);
	if (chat_in_string(action, "actions[0]", "action_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &action_id, cause) == -1)
		return -1;
	if (strcmp(action_id, SLACK_ACTION_ANSWER) != 0)
		return 0;
	if (chat_in_string(action, "actions[0]", "value", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &value, cause) == -1 ||
	    slack_interact_id("the button's value", value, &si->delivery_id,
	    cause) == -1 ||
	    chat_in_string(root, NULL, "trigger_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &trigger, cause) == -1 ||
	    chat_in_object(root, NULL, "container", CHAT_IN_REQUIRED,
	    &container, cause) == -1 ||
	    chat_in_string(container, "container", "channel_id",
	    CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX, &channel, cause) == -1 ||
	    chat_in_string(container, "container", "message_ts",
	    CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX, &ts, cause) == -1 ||
	    slack_interact_user(root, si, cause) == -1)
		return -1;
	si->kind = SLACK_INTERACT_OPEN;
	si->trigger_id = xstrdup(trigger);
	si->channel_id = xstrdup(channel);
	si->message_ts = xstrdup(ts);
	return 0;
}

/* view_submission of our modal: view.state.values.answer.text.value. */
static int
slack_interact_submit(const cJSON *root, struct slack_interaction *si,
    char **cause)
{
	const cJSON *view, *state, *values, *block, *input;
	const char *callback, *meta, *view_id, *text;

	if (chat_in_object(root, NULL, "view", CHAT_IN_REQUIRED, &view,
	    cause) == -1 ||
	    chat_in_string(view, "view", "callback_id", CHAT_IN_REQUIRED,
	    CHAT_IN_ID_MAX, &callback, cause) == -1)
		return -1;
	if (strcmp(callback, SLACK_VIEW_ANSWER) != 0)
		return 0;
	if (chat_in_string(view, "view", "id", CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX,
	    &view_id, cause) == -1 ||
	    chat_in_string(view, "view", "private_metadata", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &meta, cause) == -1 ||
	    slack_interact_id("the modal's metadata", meta, &si->delivery_id,
	    cause) == -1 ||
	    chat_in_object(view, "view", "state", CHAT_IN_REQUIRED, &state,
	    cause) == -1 ||
	    chat_in_object(state, "view.state", "values", CHAT_IN_REQUIRED,
	    &values, cause) == -1 ||
	    chat_in_object(values, "view.state.values", "answer",
	    CHAT_IN_REQUIRED, &block, cause) == -1 ||
	    chat_in_object(block, "view.state.values.answer", "text",
	    CHAT_IN_REQUIRED, &input, cause) == -1 ||
	    chat_in_string(input, "view.state.values.answer.text", "value",
	    CHAT_IN_OPTIONAL, CHAT_IN_RAW_MAX, &text, cause) == -1 ||
	    slack_interact_user(root, si, cause) == -1)
		return -1;
	si->kind = SLACK_INTERACT_SUBMIT;
	si->view_id = xstrdup(view_id);
	si->text = xstrdup(text != NULL ? text : "");
	return 0;
}

/* Read the "payload" field's JSON and what it asks for. */
int
slack_interaction_parse(const struct chat_inbound *in,
    struct slack_interaction *si, char **cause)
{
	struct chat_in_body *body;
	const char *payload, *type;
	cJSON *root = NULL;
	int rv = -1;

	memset(si, 0, sizeof *si);
	if ((body = chat_in_body_parse(in, cause)) == NULL)
		return -1;
	if (chat_in_body_json(body) != NULL) {
		*cause = xstrdup("an interaction is a form with a \"payload\" "
		    "field, not JSON");
		goto out;
	}
	if (chat_in_field(body, "payload", CHAT_IN_NONEMPTY, SLACK_PAYLOAD_MAX,
	    &payload, cause) == -1)
		goto out;
	if ((root = cJSON_Parse(payload)) == NULL || !cJSON_IsObject(root)) {
		*cause = xstrdup("the \"payload\" field is not a JSON object");
		goto out;
	}
	if (chat_in_string(root, NULL, "type", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &type, cause) == -1)
		goto out;
	if (strcmp(type, "block_actions") == 0)
		rv = slack_interact_actions(root, si, cause);
	else if (strcmp(type, "view_submission") == 0)
		rv = slack_interact_submit(root, si, cause);
	else
		rv = 0;		/* view_closed, shortcuts: nothing to do */
out:
	cJSON_Delete(root);
	chat_in_body_free(body);
	if (rv == -1)
		slack_interaction_free(si);
	return rv;
}

/* Free what slack_interaction_parse allocated. */
void
slack_interaction_free(struct slack_interaction *si)
{
	free(si->user_id);
	free(si->user_name);
	free(si->trigger_id);
	free(si->channel_id);
	free(si->message_ts);
	free(si->view_id);
	free(si->text);
	memset(si, 0, sizeof *si);
}

/*
 * An empty 200 closes the modal; {"response_action": "errors"} with the
 * input block's id keeps it open with the message under the field
 * (docs.slack.dev/surfaces/modals: "Displaying errors in views").
 */
char *
slack_interaction_reply(const char *error, const char **content_type)
{
	cJSON *root, *errors;

	if (error == NULL)
		return chat_in_empty(content_type);
	root = chat_json_object(NULL, NULL);
	chat_json_string(root, "response_action", "errors");
	errors = chat_json_object(root, "errors");
	chat_json_string(errors, "answer", error);
	*content_type = "application/json";
	return chat_in_print(root);
}

/* Read an interaction into the answer pipeline's terms. */
int
slack_interaction_answer(const struct chat_inbound *in, struct chat_answer *a,
    char **cause)
{
	struct slack_interaction si;
	const char *type;
	char *why = NULL;

	memset(a, 0, sizeof *a);
	a->via = CHAT_VIA_FORM;
	a->kind = CHAT_IN_IGNORE;
	if (slack_interaction_parse(in, &si, cause) == -1)
		return -1;
	if (si.kind == SLACK_INTERACT_IGNORE) {
		slack_interaction_free(&si);
		return 0;
	}
	a->delivery_id = si.delivery_id;
	a->user_id = si.user_id;
	a->user_name = si.user_name;
	si.user_id = si.user_name = NULL;
	if (si.kind == SLACK_INTERACT_OPEN) {
		a->kind = CHAT_IN_OPEN;
		a->trigger = si.trigger_id;
		a->route_key = si.channel_id;
		si.trigger_id = si.channel_id = NULL;
	} else if (chat_in_answer_text(a, si.text, 0, &why) == -1) {
		/* Said under the field, the modal left open: nothing stored. */
		a->kind = CHAT_IN_HANDSHAKE;
		a->handshake = slack_interaction_reply(why, &type);
		a->handshake_type = xstrdup(type);
		free(why);
	} else {
		a->kind = CHAT_IN_ANSWER;
		a->message_id = si.view_id;
		si.view_id = NULL;
	}
	slack_interaction_free(&si);
	return 0;
}

/* The Web API's base for a channel: its "api_url" (tests), else Slack's. */
static const char *
slack_forms_base(const struct config_channel *cc)
{
	const struct slack_settings *s = cc->settings;

	return s->api_url != NULL ? s->api_url : SLACK_API_BASE;
}

/* views.open with the nudge's question; the trigger lasts 3 seconds. */
static int
slack_forms_open(const struct config_channel *cc, const struct chat_nudge *n,
    const char *trigger, const char *prefill, char **url,
    struct chat_request *req, char **cause)
{
	const struct slack_settings *s = cc->settings;

	if (s->bot_token == NULL) {
		*cause = xstrdup("the channel has no \"bot_token\" to open the "
		    "answer form with");
		return -1;
	}
	if (slack_api_open_modal(n, trigger, prefill, s->bot_token, req,
	    cause) == -1)
		return -1;
	*url = slack_api_url(slack_forms_base(cc), "views.open");
	return 0;
}

/* chat.update of the nudge's message: the button gives way to status. */
static int
slack_forms_answered(const struct config_channel *cc,
    const struct chat_nudge *n, const char *conversation,
    const char *message_id, const char *status, char **url,
    struct chat_request *req, char **cause)
{
	const struct slack_settings *s = cc->settings;

	if (s->bot_token == NULL) {
		*cause = xstrdup("the channel has no \"bot_token\" to update "
		    "the nudge with");
		return -1;
	}
	if (slack_api_update_answered(n, conversation, message_id, status,
	    s->bot_token, req, cause) == -1)
		return -1;
	*url = slack_api_url(slack_forms_base(cc), "chat.update");
	return 0;
}

/* Slack's error code from a 200's body, or the HTTP failure. */
static char *
slack_forms_failed(long status, const char *body, size_t len)
{
	struct slack_api_answer ans;
	char *why = NULL;

	slack_api_read("", status, body, len, -1, &ans);
	if (ans.cls != SLACK_API_OK)
		why = xstrdup(ans.error != NULL ? ans.error : "unknown_error");
	slack_api_answer_free(&ans);
	return why;
}
