/* SPDX-License-Identifier: ISC */
/*
 * Discord interactions on a nudge's message (interactions/
 * receiving-and-responding): a click on the Answer button is a
 * MESSAGE_COMPONENT (type 3) whose data.custom_id is the button's; the
 * modal it opens comes back as a MODAL_SUBMIT (type 5) with the modal's
 * custom_id and, per Label, data.components[].component.{custom_id, value}
 * (an action row's components[] on clients of the older form). Both are
 * signed like every interaction. The click is answered with the modal
 * (discord_api.c), the submission with the message updated in place
 * (UPDATE_MESSAGE, type 7) or an ephemeral refusal (type 4, flag 64).
 * A modal opened by /reflect edit (an APPLICATION_COMMAND may be answered
 * with a MODAL too) comes back without the interaction's "message", which
 * Discord sends only "for components or modals triggered by components"
 * (interaction object); having no message to update, it is answered with
 * an ephemeral message.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/discord_int.h"
#include "xmalloc.h"

#define DISCORD_UPDATE		7	/* UPDATE_MESSAGE */
#define DISCORD_REPLY		4	/* CHANNEL_MESSAGE_WITH_SOURCE */
#define DISCORD_EPHEMERAL	64
#define DISCORD_ACTION_ROW	1
#define DISCORD_BUTTON		2
#define DISCORD_SECONDARY	2

static int	discord_interact_id(const cJSON *, int64_t *, char **);
static int	discord_interact_value(const cJSON *, const char **, char **);
static const cJSON *discord_interact_input(const cJSON *);

/* The delivery a custom_id names ("nudged_answer:42"); -1 when it is not ours. */
static int
discord_interact_id(const cJSON *data, int64_t *id, char **cause)
{
	const char *custom, *digits;
	char *end;
	long long v;

	if (chat_in_string(data, "data", "custom_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &custom, cause) == -1)
		return -1;
	digits = custom + strlen(DISCORD_ANSWER_ID ":");
	if (strncmp(custom, DISCORD_ANSWER_ID ":", strlen(DISCORD_ANSWER_ID
	    ":")) != 0 || digits[0] < '1' || digits[0] > '9') {
		*cause = xstrdup("the component is not nudged's Answer button");
		return -1;
	}
	errno = 0;
	v = strtoll(digits, &end, 10);
	if (*end != '\0' || errno != 0) {
		*cause = xstrdup("the component does not name a nudge");
		return -1;
	}
	*id = v;
	return 0;
}

/* user (in a DM) or member.user (in a server): who clicked or typed. */
int
discord_interact_user(const cJSON *root, struct chat_answer *a, char **cause)
{
	const cJSON *member, *user;
	const char *uid, *name, *global, *where = "user";

	if (chat_in_object(root, NULL, "member", CHAT_IN_OPTIONAL, &member,
	    cause) == -1)
		return -1;
	if (member != NULL) {
		where = "member.user";
		if (chat_in_object(member, "member", "user", CHAT_IN_REQUIRED,
		    &user, cause) == -1)
			return -1;
	} else if (chat_in_object(root, NULL, "user", CHAT_IN_REQUIRED, &user,
	    cause) == -1)
		return -1;
	if (chat_in_string(user, where, "id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &uid, cause) == -1 ||
	    chat_in_string(user, where, "username", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &name, cause) == -1 ||
	    chat_in_string(user, where, "global_name", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &global, cause) == -1)
		return -1;
	if (global != NULL && *global != '\0')
		name = global;
	a->user_id = xstrdup(uid);
	a->user_name = name != NULL && *name != '\0' ? xstrdup(name) : NULL;
	/* Not in a server: the bot's DM with the person. */
	a->direct = member == NULL;
	return 0;
}

/* The Answer button: open its modal (the answer to the click). */
int
discord_interact_component(const cJSON *root, struct chat_answer *a,
    char **cause)
{
	const cJSON *data;
	const char *id, *channel;

	a->via = CHAT_VIA_FORM;
	if (chat_in_object(root, NULL, "data", CHAT_IN_REQUIRED, &data,
	    cause) == -1 ||
	    discord_interact_id(data, &a->delivery_id, cause) == -1 ||
	    chat_in_string(root, NULL, "id", CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX,
	    &id, cause) == -1 ||
	    chat_in_string(root, NULL, "channel_id", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &channel, cause) == -1 ||
	    discord_interact_user(root, a, cause) == -1)
		return -1;
	a->kind = CHAT_IN_OPEN;
	a->trigger = xstrdup(id);
	a->route_key = xstrdup(channel);
	return 0;
}

/* The text input among a component: a Label's component, or a row's. */
static const cJSON *
discord_interact_input(const cJSON *c)
{
	const cJSON *inner = cJSON_GetObjectItemCaseSensitive(c, "component");
	const cJSON *row = cJSON_GetObjectItemCaseSensitive(c, "components");

	if (cJSON_IsObject(inner))
		return inner;
	if (cJSON_IsArray(row) && cJSON_GetArraySize(row) == 1)
		return cJSON_GetArrayItem(row, 0);
	return NULL;
}

/* The value of the modal's answer input. */
static int
discord_interact_value(const cJSON *data, const char **value, char **cause)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(data,
	    "components"), *c, *input;
	const char *custom;

	*value = NULL;
	cJSON_ArrayForEach(c, list) {
		if ((input = discord_interact_input(c)) == NULL)
			continue;
		if (chat_in_string(input, "data.components[]", "custom_id",
		    CHAT_IN_OPTIONAL, CHAT_IN_ID_MAX, &custom, cause) == -1)
			return -1;
		if (custom == NULL || strcmp(custom, DISCORD_INPUT_ID) != 0)
			continue;
		return chat_in_string(input, "data.components[answer]",
		    "value", CHAT_IN_REQUIRED, CHAT_IN_RAW_MAX, value, cause);
	}
	*cause = xstrdup("the modal's answer field is missing");
	return -1;
}

/*
 * The modal's submission: an answer by form naming its nudge; the
 * interaction's id is the message id (a replay of it is the same answer).
 * What cannot be an answer is told to the person, nothing stored.
 */
int
discord_interact_submit(const cJSON *root, struct chat_answer *a,
    char **cause)
{
	const cJSON *data;
	const char *id, *text, *type;
	char *why = NULL;

	a->via = CHAT_VIA_FORM;
	if (chat_in_object(root, NULL, "data", CHAT_IN_REQUIRED, &data,
	    cause) == -1 ||
	    discord_interact_id(data, &a->delivery_id, cause) == -1 ||
	    discord_interact_value(data, &text, cause) == -1 ||
	    chat_in_string(root, NULL, "id", CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX,
	    &id, cause) == -1 ||
	    discord_interact_user(root, a, cause) == -1)
		return -1;
	if (chat_in_answer_text(a, text, 0, &why) == -1) {
		a->kind = CHAT_IN_HANDSHAKE;
		a->handshake = discord_interact_ephemeral(why, &type);
		a->handshake_type = xstrdup(type);
		free(why);
		return 0;
	}
	a->kind = CHAT_IN_ANSWER;
	a->message_id = xstrdup(id);
	a->no_message = !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root,
	    "message"));
	return 0;
}

/* UPDATE_MESSAGE: the embed stays, the button says the answer was saved. */
char *
discord_interact_answered(int64_t streak, const char **content_type)
{
	cJSON *root, *data, *rows, *row, *buttons, *button;
	char *label;

	root = chat_json_object(NULL, NULL);
	chat_json_number(root, "type", DISCORD_UPDATE);
	data = chat_json_object(root, "data");
	rows = chat_json_array(data, "components");
	row = chat_json_object(rows, NULL);
	chat_json_number(row, "type", DISCORD_ACTION_ROW);
	buttons = chat_json_array(row, "components");
	button = chat_json_object(buttons, NULL);
	chat_json_number(button, "type", DISCORD_BUTTON);
	chat_json_number(button, "style", DISCORD_SECONDARY);
	xasprintf(&label, "Answered \xe2\x80\x94 streak %" PRId64, streak);
	chat_json_string(button, "label", label);
	free(label);
	chat_json_string(button, "custom_id", DISCORD_ANSWER_ID ":done");
	chat_json_bool(button, "disabled", 1);
	*content_type = "application/json";
	return chat_in_print(root);
}

/* An ephemeral reply that can mention no one. */
char *
discord_interact_ephemeral(const char *message, const char **content_type)
{
	cJSON *root, *data, *allowed;
	char *escaped, *content;

	escaped = chat_escape_markdown(message, DISCORD_SPECIALS);
	content = discord_cut(escaped, 2000);
	free(escaped);
	root = chat_json_object(NULL, NULL);
	chat_json_number(root, "type", DISCORD_REPLY);
	data = chat_json_object(root, "data");
	chat_json_string(data, "content", content);
	chat_json_number(data, "flags", DISCORD_EPHEMERAL);
	allowed = chat_json_object(data, "allowed_mentions");
	chat_json_array(allowed, "parse");
	free(content);
	*content_type = "application/json";
	return chat_in_print(root);
}
