/* SPDX-License-Identifier: ISC */
/*
 * Composing: an outbox row becomes the message its channel's platform posts.
 * Each kind of row has one function here: a prompt and its reminder carry a
 * question from the bank; a follow-up asks a prompt's follow-up of the
 * person who answered it, quoting them (followup.c); a digest is written
 * when it goes out, from the channel's figures of the week up to now. The worker (deliver.c) only posts
 * what comes out, and decides what to do when nothing can come out: a digest
 * whose figures cannot be read now is retried later, never sent saying there
 * were no answers.
 */
#include "compose.h"

#include <stdlib.h>

#include "bank.h"
#include "chat/chat.h"
#include "config.h"
#include "followup.h"
#include "habits.h"
#include "store.h"
#include "xmalloc.h"

/* One kind's part: fill the nudge, keeping what it allocates in *owned. */
typedef enum compose_result (*compose_kind_fn)(const struct compose_source *,
    const struct store_outbox_row *, int64_t, struct chat_nudge *, char **,
    char **);

static enum compose_result compose_question(const struct compose_source *,
		    const struct store_outbox_row *, int64_t,
		    struct chat_nudge *, char **, char **);
static enum compose_result compose_follow_up(const struct compose_source *,
		    const struct store_outbox_row *, int64_t,
		    struct chat_nudge *, char **, char **);
static enum compose_result compose_digest(const struct compose_source *,
		    const struct store_outbox_row *, int64_t,
		    struct chat_nudge *, char **, char **);

/* What each kind of row becomes, by enum store_kind. */
static const struct {
	enum chat_kind	 chat;
	compose_kind_fn	 fill;
} compose_kinds[] = {
	[STORE_KIND_PROMPT] = { CHAT_PROMPT, compose_question },
	[STORE_KIND_REMINDER] = { CHAT_REMINDER, compose_question },
	[STORE_KIND_DIGEST] = { CHAT_DIGEST, compose_digest },
	[STORE_KIND_FOLLOW_UP] = { CHAT_FOLLOW_UP, compose_follow_up },
};

/*
 * A prompt, or the reminder of one: the question the row names, from the
 * bank. A follow-up for later is not asked with it; a channel's prompt
 * carries the previous question's instead ("Last time: ...").
 */
static enum compose_result
compose_question(const struct compose_source *src,
    const struct store_outbox_row *row, int64_t now, struct chat_nudge *n,
    char **owned, char **cause)
{
	const struct bank_prompt *p = row->prompt_id != NULL ?
	    bank_find(src->bank, row->prompt_id) : NULL;
	char *last = NULL;

	(void)now;
	if (p == NULL) {
		xasprintf(cause, "prompt \"%s\" is no longer in the prompt bank",
		    row->prompt_id ? row->prompt_id : "(none)");
		return COMPOSE_NEVER;
	}
	n->prompt_id = p->id;
	n->theme = bank_theme_of(src->bank, p)->slug;
	n->theme_title = bank_theme_of(src->bank, p)->title;
	n->text = p->text;
	n->follow_up = p->follow_up_later ? NULL : p->follow_up;
	if (row->kind != STORE_KIND_PROMPT || row->person[0] != '\0')
		return COMPOSE_OK;
	if (followup_last_time(src->store, src->bank, row->schedule,
	    row->due_at, &last) == -1) {
		*cause = xstrdup("the previous question could not be read");
		return COMPOSE_LATER;
	}
	if (last != NULL && n->follow_up != NULL) {
		xasprintf(owned, "%s\n%s", n->follow_up, last);
		free(last);
	} else if (last != NULL)
		*owned = last;
	if (*owned != NULL)
		n->follow_up = *owned;
	return COMPOSE_OK;
}

/*
 * A follow-up: the follow-up of the prompt its parent asked, under a line
 * quoting the start of the person's answer to it.
 */
static enum compose_result
compose_follow_up(const struct compose_source *src,
    const struct store_outbox_row *row, int64_t now, struct chat_nudge *n,
    char **owned, char **cause)
{
	const struct bank_prompt *p = row->prompt_id != NULL ?
	    bank_find(src->bank, row->prompt_id) : NULL;
	char *answer;
	int64_t answered_due = 0;
	int found;

	(void)now;
	if (p == NULL || p->follow_up == NULL) {
		xasprintf(cause, "prompt \"%s\" and its follow-up are no "
		    "longer in the prompt bank", row->prompt_id ?
		    row->prompt_id : "(none)");
		return COMPOSE_NEVER;
	}
	if ((found = store_first_answer(src->store, row->parent_id, &answer,
	    &answered_due)) != 1) {
		*cause = xstrdup(found == 0 ? "the answer it follows up is "
		    "no longer stored" : "the answer it follows up could not "
		    "be read");
		return found == 0 ? COMPOSE_NEVER : COMPOSE_LATER;
	}
	*owned = followup_quote_line(answer, answered_due, row->due_at);
	free(answer);
	n->prompt_id = p->id;
	n->theme = bank_theme_of(src->bank, p)->slug;
	n->theme_title = bank_theme_of(src->bank, p)->title;
	n->context = *owned;
	n->text = p->follow_up;
	return COMPOSE_OK;
}

/* The weekly digest, written now so it covers the week up to now. */
static enum compose_result
compose_digest(const struct compose_source *src,
    const struct store_outbox_row *row, int64_t now, struct chat_nudge *n,
    char **owned, char **cause)
{
	char *why = NULL;

	if ((*owned = habits_digest(src->store, src->cfg, src->bank,
	    row->channel, now, &why)) == NULL) {
		xasprintf(cause, "the digest's figures could not be read: %s",
		    why);
		free(why);
		return COMPOSE_LATER;
	}
	n->theme = "digest";
	n->theme_title = "Weekly digest";
	n->text = *owned;
	return COMPOSE_OK;
}

/*
 * The request that posts row to channel at now: COMPOSE_OK and *req, or
 * COMPOSE_LATER or COMPOSE_NEVER and a cause saying why not. With a
 * conversation, the request goes through the platform's API into it (in
 * the thread of message thread when not NULL); without, to the webhook.
 */
enum compose_result
compose_request(const struct compose_source *src,
    const struct store_outbox_row *row, const struct config_channel *channel,
    int64_t now, const char *conversation, const char *thread,
    struct chat_request *req, char **cause)
{
	struct chat_nudge n = {
		.delivery_id = row->id,
		.schedule = row->schedule,
		.channel = row->channel,
		.due_at = row->due_at,
		.reply_code = row->reply_code,
		.context = row->context,
	};
	char *owned = NULL, *proof = NULL;
	enum compose_result rc;
	int made;

	if ((size_t)row->kind >= sizeof compose_kinds / sizeof compose_kinds[0] ||
	    compose_kinds[row->kind].fill == NULL) {
		xasprintf(cause, "delivery %lld is of a kind nudged cannot post",
		    (long long)row->id);
		return COMPOSE_NEVER;
	}
	/* A follow-up quotes an answer: only in its person's own conversation. */
	if (row->kind == STORE_KIND_FOLLOW_UP && (conversation == NULL ||
	    row->person[0] == '\0')) {
		xasprintf(cause, "a follow-up quotes its person's answer and goes "
		    "only to their direct conversation");
		return COMPOSE_NEVER;
	}
	n.kind = compose_kinds[row->kind].chat;
	if (row->person[0] != '\0' && channel->platform->proves_callbacks) {
		n.person = row->person;
		n.proof = proof = store_callback_proof(src->store, row->id,
		    row->person);
		if (proof == NULL) {
			*cause = xstrdup("the store cannot sign the answer "
			    "button now");
			return COMPOSE_LATER;
		}
	}
	rc = compose_kinds[row->kind].fill(src, row, now, &n, &owned, cause);
	if (rc == COMPOSE_OK) {
		made = conversation != NULL ?
		    channel->platform->direct->post(&n, channel, conversation,
		    thread, req, cause) :
		    channel->platform->format_prompt(&n, channel, now, req,
		    cause);
		if (made == -1)
			rc = COMPOSE_NEVER;
	}
	free(owned);
	free(proof);
	return rc;
}
