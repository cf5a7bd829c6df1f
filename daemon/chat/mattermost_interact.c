/* SPDX-License-Identifier: ISC */
/*
 * What Mattermost sends to nudged's integration URLs, as JSON, unsigned
 * (plugins/interactive-messages, plugins/interactive-dialogs): a click on
 * the Answer button (user_id, channel_id, post_id, trigger_id and the
 * button's context) and the dialog's submission (type
 * "dialog_submission", callback_id, state, user_id, submission, cancelled).
 * Both carry back the delivery, the person and nudged's proof of them,
 * which the reply checks before anything is opened or stored.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/mattermost_int.h"
#include "xmalloc.h"

static int	mattermost_interact_id(const char *, int64_t *, char **);
static int	mattermost_interact_action(const cJSON *, struct chat_answer *,
		    char **);
static int	mattermost_interact_dialog(const cJSON *, struct chat_answer *,
		    char **);

/* Whether a JSON body is a button's action or a dialog's submission. */
int
mattermost_interact_is(const cJSON *root)
{
	const char *type = chat_json_find(root, "type", NULL);

	return cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root,
	    "context")) || (type != NULL && strcmp(type,
	    "dialog_submission") == 0);
}

/* A delivery id as nudged wrote it. */
static int
mattermost_interact_id(const char *s, int64_t *id, char **cause)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] < '1' || s[0] > '9' || (*end != '\0' && *end != ':') ||
	    errno != 0) {
		*cause = xstrdup("the callback does not name a nudge");
		return -1;
	}
	*id = v;
	return 0;
}

/* The Answer button: open the dialog with the click's trigger. */
static int
mattermost_interact_action(const cJSON *root, struct chat_answer *a,
    char **cause)
{
	const cJSON *ctx;
	const char *user, *name, *channel, *trigger, *delivery, *proof;

	if (chat_in_object(root, NULL, "context", CHAT_IN_REQUIRED, &ctx,
	    cause) == -1 ||
	    chat_in_string(ctx, "context", "delivery", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &delivery, cause) == -1 ||
	    chat_in_string(ctx, "context", "proof", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &proof, cause) == -1 ||
	    mattermost_interact_id(delivery, &a->delivery_id, cause) == -1 ||
	    chat_in_string(root, NULL, "user_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &user, cause) == -1 ||
	    chat_in_string(root, NULL, "user_name", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &name, cause) == -1 ||
	    chat_in_string(root, NULL, "channel_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &channel, cause) == -1 ||
	    chat_in_string(root, NULL, "trigger_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &trigger, cause) == -1)
		return -1;
	a->kind = CHAT_IN_OPEN;
	a->user_id = xstrdup(user);
	a->user_name = name != NULL && *name != '\0' ? xstrdup(name) : NULL;
	a->route_key = xstrdup(channel);
	a->trigger = xstrdup(trigger);
	a->proof = xstrdup(proof);
	a->direct = 1;
	return 0;
}

/*
 * The dialog's submission: an answer by form naming its nudge (state
 * "ID:PERSON:PROOF"); one per person and nudge, so a later one replaces
 * it. Cancelled: nothing. What cannot be an answer stays in the dialog.
 */
static int
mattermost_interact_dialog(const cJSON *root, struct chat_answer *a,
    char **cause)
{
	const cJSON *sub, *cancelled;
	const char *callback, *state, *user, *channel, *text, *proof, *type;
	char *why = NULL;

	cancelled = cJSON_GetObjectItemCaseSensitive(root, "cancelled");
	if (cJSON_IsTrue(cancelled)) {
		a->kind = CHAT_IN_IGNORE;
		return 0;
	}
	if (chat_in_string(root, NULL, "callback_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &callback, cause) == -1)
		return -1;
	if (strcmp(callback, MATTERMOST_ANSWER_ID) != 0) {
		*cause = xstrdup("the dialog is not nudged's");
		return -1;
	}
	if (chat_in_string(root, NULL, "state", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &state, cause) == -1 ||
	    mattermost_interact_id(state, &a->delivery_id, cause) == -1 ||
	    chat_in_string(root, NULL, "user_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &user, cause) == -1 ||
	    chat_in_string(root, NULL, "channel_id", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &channel, cause) == -1 ||
	    chat_in_object(root, NULL, "submission", CHAT_IN_REQUIRED, &sub,
	    cause) == -1 ||
	    chat_in_string(sub, "submission", MATTERMOST_INPUT,
	    CHAT_IN_OPTIONAL, CHAT_IN_RAW_MAX, &text, cause) == -1)
		return -1;
	if ((proof = strrchr(state, ':')) == NULL || proof[1] == '\0') {
		*cause = xstrdup("the dialog's state carries no proof");
		return -1;
	}
	a->user_id = xstrdup(user);
	a->proof = xstrdup(proof + 1);
	a->direct = 1;
	if (chat_in_answer_text(a, text != NULL ? text : "", 0, &why) == -1) {
		a->kind = CHAT_IN_HANDSHAKE;
		a->handshake = mattermost_interact_reply(why, &type);
		a->handshake_type = xstrdup(type);
		free(why);
		return 0;
	}
	a->kind = CHAT_IN_ANSWER;
	xasprintf(&a->message_id, "dialog:%lld:%s", (long long)a->delivery_id,
	    user);
	a->route_key = channel != NULL ? xstrdup(channel) : NULL;
	return 0;
}

/* Read an action or a dialog's submission. */
int
mattermost_interact_parse(const cJSON *root, struct chat_answer *a,
    char **cause)
{
	a->via = CHAT_VIA_FORM;
	if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, "context")))
		return mattermost_interact_action(root, a, cause);
	return mattermost_interact_dialog(root, a, cause);
}

/*
 * "{}" closes a dialog and acknowledges a click; {"errors": {"answer":
 * why}} keeps the dialog open with the reason under its field.
 */
char *
mattermost_interact_reply(const char *error, const char **content_type)
{
	cJSON *root = chat_json_object(NULL, NULL), *errors;

	if (error != NULL) {
		errors = chat_json_object(root, "errors");
		chat_json_string(errors, MATTERMOST_INPUT, error);
	}
	*content_type = "application/json";
	return chat_in_print(root);
}
