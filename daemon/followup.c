/* SPDX-License-Identifier: ISC */
/*
 * Follow-through. A prompt whose follow-up is marked "later" is asked
 * without it; at the person's next instant of the schedule, before the new
 * question, the follow-up goes in the thread of the nudge they answered,
 * quoting the start of their answer. Only a person asked directly gets the
 * quote (their answer stays in their own conversation); a channel's nudge
 * carries the follow-up of its previous question as a line of its own,
 * quoting nobody. A nudge nobody answered has no follow-up.
 */
#include "followup.h"

#include <stdlib.h>
#include <string.h>

#include "bank.h"
#include "config.h"
#include "store.h"
#include "strbuf.h"
#include "xmalloc.h"

/* A follow-up a day or so after its question says "Yesterday". */
#define FOLLOWUP_YESTERDAY_SECONDS	(36 * 3600)

static const struct bank_prompt *followup_later_of(const struct bank *,
		    const char *);
static char	*followup_quote(const char *);

/* The prompt id's prompt when its follow-up waits for the next instant. */
static const struct bank_prompt *
followup_later_of(const struct bank *bank, const char *prompt_id)
{
	const struct bank_prompt *p = prompt_id != NULL ?
	    bank_find(bank, prompt_id) : NULL;

	if (p == NULL || !p->follow_up_later || p->follow_up == NULL)
		return NULL;
	return p;
}

/*
 * Inside the caller's transaction, before person's nudge of sc at at:
 * enqueue the follow-up of their previous nudge when it was answered and
 * its prompt's follow-up is for later. Its parent is that nudge (its
 * thread, and where its answer is stored). 0, or -1 on a store error.
 */
int
followup_enqueue(struct store *st, const struct bank *bank,
    const struct config_schedule *sc, const char *person, int64_t at)
{
	struct store_previous prev;
	struct store_delivery d = {
		.schedule = sc->name,
		.channel = sc->channel->name,
		.due_at = at,
		.state = STORE_PENDING,
		.kind = STORE_KIND_FOLLOW_UP,
		.person = person,
	};
	int found, rc = 0;

	if ((found = store_previous_prompt(st, sc->name, person, at,
	    &prev)) == -1)
		return -1;
	if (found == 1 && prev.answered && !prev.followed &&
	    followup_later_of(bank, prev.prompt_id) != NULL) {
		d.prompt_id = prev.prompt_id;
		d.parent_id = prev.id;
		rc = store_enqueue(st, &d, NULL) == -1 ? -1 : 0;
	}
	store_previous_clear(&prev);
	return rc;
}

/*
 * The start of an answer on one line: at most FOLLOWUP_QUOTE_CHARS
 * characters, cut after a whole word with an ellipsis when longer.
 */
static char *
followup_quote(const char *answer)
{
	struct strbuf b = { 0 };
	const char *s;
	size_t chars = 0, cut = 0, space = 0;

	for (s = answer; *s != '\0'; s++) {
		if (strchr(" \t\r\n", *s) == NULL)
			strbuf_addc(&b, *s);
		else if (b.len > 0 && b.s[b.len - 1] != ' ')
			strbuf_addc(&b, ' ');
	}
	while (b.len > 0 && b.s[b.len - 1] == ' ')
		b.s[--b.len] = '\0';
	if (b.len == 0)
		return strbuf_take(&b);
	/* Walk whole UTF-8 characters; remember the last space before the cut. */
	for (cut = 0; cut < b.len && chars < FOLLOWUP_QUOTE_CHARS; chars++) {
		if (b.s[cut] == ' ')
			space = cut;
		do
			cut++;
		while (cut < b.len && ((unsigned char)b.s[cut] & 0xc0) == 0x80);
	}
	if (cut == b.len)
		return strbuf_take(&b);
	if (b.s[cut] != ' ' && space > 0)
		cut = space;
	b.len = cut;
	b.s[b.len] = '\0';
	while (b.len > 0 && b.s[b.len - 1] == ' ')
		b.s[--b.len] = '\0';
	strbuf_add(&b, "\xe2\x80\xa6");
	return strbuf_take(&b);
}

/*
 * The line above a follow-up: "Yesterday you planned: “…”" quoting the
 * answer given to the nudge due at answered_due ("Last time" when that
 * was more than a day or so before at).
 */
char *
followup_quote_line(const char *answer, int64_t answered_due, int64_t at)
{
	char *quote = followup_quote(answer), *line;

	xasprintf(&line, "%s you planned: \xe2\x80\x9c%s\xe2\x80\x9d",
	    at - answered_due <= FOLLOWUP_YESTERDAY_SECONDS ? "Yesterday" :
	    "Last time", quote);
	free(quote);
	return line;
}

/*
 * A channel's nudge at at: "Last time: <follow-up>" when the schedule's
 * previous nudge there was sent and its follow-up is for later; *line NULL
 * when there is none. 0, or -1 on a store error.
 */
int
followup_last_time(struct store *st, const struct bank *bank,
    const char *schedule, int64_t at, char **line)
{
	struct store_previous prev;
	const struct bank_prompt *p;
	int found;

	*line = NULL;
	if ((found = store_previous_prompt(st, schedule, "", at, &prev)) == -1)
		return -1;
	if (found == 1 && (p = followup_later_of(bank, prev.prompt_id)) != NULL)
		xasprintf(line, "Last time: %s", p->follow_up);
	store_previous_clear(&prev);
	return 0;
}
