/* SPDX-License-Identifier: ISC */
/*
 * Slack interactivity: what a person did with a nudge's Answer button and
 * the modal it opens, read from the signed POST to /slack/interactions
 * (a form with one field, "payload", holding JSON).
 */
#ifndef NUDGED_CHAT_SLACK_INTERACT_H
#define NUDGED_CHAT_SLACK_INTERACT_H

#include <stdint.h>

#include "chat/chat_int.h"

enum slack_interaction_kind {
	SLACK_INTERACT_IGNORE,	/* another app's action, a close: 200, nothing */
	SLACK_INTERACT_OPEN,	/* the Answer button: open the modal */
	SLACK_INTERACT_SUBMIT,	/* the modal's Save: store the answer */
};

struct slack_interaction {
	enum slack_interaction_kind kind;
	int64_t	 delivery_id;	/* from the button's value or the modal's metadata */
	char	*user_id;
	char	*user_name;	/* may be NULL */
	char	*trigger_id;	/* OPEN: valid for 3 seconds */
	char	*channel_id;	/* OPEN: where the button's message is */
	char	*message_ts;	/* OPEN: the button's message */
	char	*view_id;	/* SUBMIT: unique per modal, the answer's message id */
	char	*text;		/* SUBMIT: what was typed, as typed */
};

/* Read an interaction request; -1 and a cause when it is malformed (400). */
int	 slack_interaction_parse(const struct chat_inbound *,
	    struct slack_interaction *, char **cause);
void	 slack_interaction_free(struct slack_interaction *);
/*
 * An interaction as the answer pipeline reads it: the button is
 * CHAT_IN_OPEN, a submission an answer by CHAT_VIA_FORM naming its nudge
 * (or, when what was typed cannot be an answer, a handshake whose body
 * keeps the modal open with the reason), anything else ignored.
 */
int	 slack_interaction_answer(const struct chat_inbound *,
	    struct chat_answer *, char **cause);
/*
 * The body that answers a view_submission: NULL error closes the modal
 * (an empty 200); an error shows under the answer field and keeps it open.
 */
char	*slack_interaction_reply(const char *error, const char **content_type);

#endif
