/* SPDX-License-Identifier: ISC */
/*
 * What Mattermost's files share: the message of a nudge and the escaping
 * (mattermost.c), the bot account's API calls (mattermost_api.c), and the
 * Answer button's action and dialog (mattermost_interact.c).
 */
#ifndef NUDGED_CHAT_MATTERMOST_INT_H
#define NUDGED_CHAT_MATTERMOST_INT_H

#include "chat/chat_int.h"

/* nudged's routes for the button's action and the dialog's submission. */
#define MATTERMOST_ACTIONS	"/mattermost/actions"
#define MATTERMOST_DIALOGS	"/mattermost/dialogs"
/* The button's id (letters and digits only) and the dialog's callback_id. */
#define MATTERMOST_ANSWER_ID	"nudgedanswer"
/* The dialog's textarea: its name, and at most 3,000 characters. */
#define MATTERMOST_INPUT	"answer"
#define MATTERMOST_INPUT_MAX	3000
/* Markdown characters escaped wherever they are. */
#define MATTERMOST_SPECIALS	"\\*_~`|>[]"
/* U+200B ZERO WIDTH SPACE. */
#define MATTERMOST_ZWSP		"\xe2\x80\x8b"

extern const struct chat_direct mattermost_direct;
extern const struct chat_forms mattermost_forms;

/* Escape a field: Markdown (when it renders) and mention triggers. */
char		*mattermost_escape(const char *, int markdown);
/* {"text": lead, "attachments": [the question]}; NULL and a cause when too long. */
struct cJSON	*mattermost_message(const struct chat_nudge *,
		    const struct config_channel *, char **cause);
/* Whether a JSON body is a button's action or a dialog's submission. */
int		 mattermost_interact_is(const struct cJSON *);
/* Read one: the button opens the dialog, the dialog is an answer. */
int		 mattermost_interact_parse(const struct cJSON *,
		    struct chat_answer *, char **cause);
/* The answer to either: "{}", or the error under the dialog's field. */
char		*mattermost_interact_reply(const char *error,
		    const char **content_type);

#endif
