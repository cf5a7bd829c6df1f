/* SPDX-License-Identifier: ISC */
/*
 * /reflect sub-commands (selfserve.c reads them): a person pauses, resumes,
 * says when they are away, asks for their streak, reopens their last answer
 * to edit it, or asks for help. Each answers its caller alone (a slash
 * command's reply is ephemeral); pause and absence live in the store, where
 * the scheduler reads them.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"
#include "config.h"
#include "log.h"
#include "reply_int.h"
#include "selfserve.h"
#include "strbuf.h"
#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

/* How much of an answer "streak" quotes. */
#define REPLY_SELF_QUOTE	80

/* The last answers "streak" lists, as the store hands them over. */
struct reply_self_answers {
	struct replies	*r;
	struct strbuf	 out;
	int		 n;
	struct store_target last;	/* the newest, for edit */
	char		*last_text;
};

static char	*reply_self_away(struct replies *, const struct config_person *,
		    struct selfserve *, int64_t);
static char	*reply_self_streak(struct replies *,
		    const struct config_channel *, const struct config_person *,
		    const char *);
static void	 reply_self_answer_cb(void *, const struct store_target *,
		    const char *);
static char	*reply_self_edit(struct replies *, const struct chat_platform *,
		    const struct config_person *, const struct chat_answer *,
		    int64_t, struct reply_waiter, int *);
static char	*reply_self_do(struct replies *, const struct chat_platform *,
		    const struct config_channel *, const struct config_person *,
		    struct selfserve *, const struct chat_answer *, int64_t,
		    struct reply_waiter, int *);
static char	*reply_self_typed(const struct chat_answer *);

/* What the person typed after /reflect, a split-off code given back. */
static char *
reply_self_typed(const struct chat_answer *a)
{
	char *s;

	if (a->code == NULL)
		return xstrdup(a->text);
	xasprintf(&s, "%s %s", a->code, a->text);
	return s;
}

/*
 * When the command's text is a sub-command, do it and answer; 1 then, 0
 * when the text is an answer.
 */
int
reply_self_handle(struct replies *r, const struct chat_platform *p,
    const struct config_channel *c,
    const struct chat_answer *a, int64_t now, struct reply_waiter w)
{
	const struct config_person *who;
	struct selfserve ss;
	char *typed = reply_self_typed(a), *cause = NULL, *msg;
	int rc = selfserve_parse(typed, &ss, &cause), answered = 0;

	free(typed);
	if (rc == 0 && ss.kind == SELFSERVE_NONE)
		return 0;
	who = reply_people_find(r, p, a->user_id);
	if (rc == -1)
		msg = cause;
	else if (ss.kind == SELFSERVE_HELP)
		msg = xstrdup(selfserve_help());
	else if (who == NULL)
		xasprintf(&msg, "nudged does not ask you questions directly, so "
		    "there is nothing to %s; an admin can add your id (%s) "
		    "under \"people\" in its config.", ss.kind ==
		    SELFSERVE_STREAK ? "show" : "change", a->user_id);
	else
		msg = reply_self_do(r, p, c, who, &ss, a, now, w, &answered);
	log_info("reply: %s self-service from %s%s%s", p->name, a->user_id,
	    who != NULL ? " as " : "", who != NULL ? who->name : "");
	if (!answered)
		reply_respond(w, p, a->via, 0, msg);
	free(msg);
	return 1;
}

/*
 * Do a sub-command for a configured person; the reply (NULL: say nothing),
 * or *answered set when it answered the request itself (an edit's form).
 */
static char *
reply_self_do(struct replies *r, const struct chat_platform *p,
    const struct config_channel *c, const struct config_person *who,
    struct selfserve *ss, const struct chat_answer *a, int64_t now,
    struct reply_waiter w, int *answered)
{
	switch (ss->kind) {
	case SELFSERVE_PAUSE:
		if (store_set_paused(r->store, who->name, now) == -1)
			break;
		return xstrdup("Paused: no questions until you type "
		    "\"/reflect resume\".");
	case SELFSERVE_RESUME:
		if (store_set_paused(r->store, who->name, 0) == -1)
			break;
		return xstrdup("Resumed: your questions come again at their "
		    "usual times.");
	case SELFSERVE_AWAY:
		return reply_self_away(r, who, ss, now);
	case SELFSERVE_STREAK:
		return reply_self_streak(r, c, who, a->user_id);
	case SELFSERVE_EDIT:
		return reply_self_edit(r, p, who, a, now, w, answered);
	default:
		break;
	}
	return xstrdup("Could not save that now; please try again.");
}

/* away: resolve "until" from today on the person's own calendar, and keep it. */
static char *
reply_self_away(struct replies *r, const struct config_person *who,
    struct selfserve *ss, int64_t now)
{
	const struct tz *zone = who->tz != NULL ? who->tz : r->cfg->tz;
	int64_t local = now + (zone != NULL ? tz_offset(zone, now, NULL) : 0);
	int64_t today = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	char from[16], until[16], *msg;
	int y, m, d;

	if (ss->from_day == -1)
		ss->from_day = today;
	if (ss->until_day < today || ss->until_day < ss->from_day) {
			return xstrdup("That absence is over already: give a last "
		    "day from today on.");
	}
	if (store_set_away(r->store, who->name, ss->from_day,
	    ss->until_day) == -1)
		return xstrdup("Could not save that now; please try again.");
	timefmt_civil_from_days(ss->from_day, &y, &m, &d);
	snprintf(from, sizeof from, "%04d-%02d-%02d", y, m, d);
	timefmt_civil_from_days(ss->until_day, &y, &m, &d);
	snprintf(until, sizeof until, "%04d-%02d-%02d", y, m, d);
	xasprintf(&msg, "Away from %s until %s (both days included): no "
	    "questions then.", from, until);
	return msg;
}

/* One of the last answers: the question and the start of the answer. */
static void
reply_self_answer_cb(void *arg, const struct store_target *t,
    const char *text)
{
	struct reply_self_answers *ra = arg;
	const struct bank_prompt *bp = bank_find(ra->r->bank, t->prompt_id);
	size_t len = strlen(text), cut = len;

	/* Cut at a character's start, never inside one. */
	if (cut > REPLY_SELF_QUOTE) {
		cut = REPLY_SELF_QUOTE;
		while (cut > 0 && (text[cut] & 0xC0) == 0x80)
			cut--;
	}
	strbuf_addf(&ra->out, "\n• \"%s\": %.*s%s", bp != NULL ? bp->text :
	    t->prompt_id, (int)cut, text, cut < len ? "…" : "");
	if (ra->n++ == 0) {
		ra->last.id = t->id;
		ra->last.schedule = xstrdup(t->schedule);
		ra->last.prompt_id = xstrdup(t->prompt_id);
		ra->last.due_at = t->due_at;
		ra->last.person = xstrdup(t->person);
		ra->last_text = xstrdup(text);
	}
}

/* streak: their streak on their newest question, their rate, their last three answers. */
static char *
reply_self_streak(struct replies *r, const struct config_channel *c,
    const struct config_person *who, const char *user_id)
{
	struct reply_self_answers ra = { .r = r };
	struct store_target t;
	int64_t streak = 0, sent = 0, answered = 0;
	char *msg;

	if (store_find_for_person(r->store, c->name, who->name, 0, &t) == 1) {
		store_person_streak(r->store, t.schedule, who->name, user_id,
		    t.due_at, &streak);
		store_target_clear(&t);
	}
	if (store_person_rate(r->store, who->name, user_id, &sent,
	    &answered) == -1)
		return xstrdup("Could not read your streak now; please try "
		    "again.");
	strbuf_addf(&ra.out, "Your streak: %" PRId64 " in a row. You answered "
	    "%" PRId64 " of %" PRId64 " questions (%" PRId64 "%%).", streak,
	    answered, sent, sent > 0 ? answered * 100 / sent : 0);
	store_person_answers(r->store, who->name, user_id, 3,
	    reply_self_answer_cb, &ra);
	if (ra.n == 0)
		strbuf_add(&ra.out, " No answers yet.");
	store_target_clear(&ra.last);
	free(ra.last_text);
	msg = strbuf_take(&ra.out);
	return msg;
}

/*
 * edit: reopen the form with their last answer, while its window is open:
 * as the answer to the command itself where the platform opens forms so
 * (*answered set then), else through its API with the command's trigger.
 */
static char *
reply_self_edit(struct replies *r, const struct chat_platform *p,
    const struct config_person *who, const struct chat_answer *a, int64_t now,
    struct reply_waiter w, int *answered)
{
	struct reply_self_answers ra = { .r = r };
	struct store_target t;
	struct store_where where;
	char *why = NULL;

	if (p->forms == NULL || (p->forms->open_reply == NULL &&
	    a->trigger == NULL))
		return xstrdup("Editing an answer needs the answer form, which "
		    "cannot be opened from here.");
	if (store_person_answers(r->store, who->name, a->user_id, 1,
	    reply_self_answer_cb, &ra) == -1 || ra.n == 0) {
		why = xstrdup(ra.n == 0 ? "You have no answer to edit yet." :
		    "Could not read your answers now; please try again.");
		goto out;
	}
	if (store_find_delivery(r->store, ra.last.id, &t, &where) != 1) {
		why = xstrdup("Your last answer's question is no longer known.");
		goto out;
	}
	if (reply_window_open(r, &t, now, NULL, &why) == 0) {
		if (p->forms->open_reply != NULL) {
			reply_people_open_reply(r, p, &t, where.channel,
			    ra.last_text, w);
			*answered = 1;
		} else if (reply_people_open_form(r, p, &t, where.channel,
		    a->trigger, ra.last_text, &why) == -1)
			log_warnx("reply: edit of %s: %s", who->name, why);
		store_target_clear(&t);
	}
	store_where_clear(&where);
out:
	free(strbuf_take(&ra.out));
	store_target_clear(&ra.last);
	free(ra.last_text);
	return why;
}
