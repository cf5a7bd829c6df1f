/* SPDX-License-Identifier: ISC */
/*
 * Answers of people asked directly. A form's submission names its nudge; a
 * reply in a thread whose root is a nudge nudged posted belongs to that
 * nudge; a plain message in a person's direct conversation with nudged
 * answers their newest open nudge. A nudge asked of a person takes answers
 * from that person only. The Answer button opens the form through the
 * platform's API, and after an answer is committed the nudge's message says
 * so: both calls go out on the loop (apicall.c) after the request was
 * answered, best effort, their failures logged.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "apicall.h"
#include "bank.h"
#include "chat/chat.h"
#include "config.h"
#include "log.h"
#include "reply_int.h"
#include "sig.h"
#include "xmalloc.h"

/* A form's trigger lasts seconds: a slower call to open it is useless. */
#define REPLY_PEOPLE_OPEN_MS	2500L
/* Marking a message answered may take its time. */
#define REPLY_PEOPLE_UPDATE_MS	10000L

/* What a call in flight is, for its log line. */
struct reply_people_call {
	const struct chat_platform	*platform;
	char				*what;
};

static const struct config_person *reply_people_of(struct replies *,
		    const struct store_target *);
static void	reply_people_nudge(struct replies *, const struct store_target *,
		    const char *, struct chat_nudge *);
static void	reply_people_call(struct replies *, const struct chat_platform *,
		    char *, struct chat_request *, long, char *);
static void	reply_people_done_cb(void *, const struct apicall_result *);
static int	reply_people_delivery(struct replies *,
		    const struct chat_platform *, const struct config_channel **,
		    const struct chat_answer *, struct store_target *, char **,
		    int *);
static int	reply_people_proved(struct replies *,
		    const struct chat_platform *, const struct chat_answer *,
		    const struct store_target *);

/* The configured person whose id on platform p is user_id, or NULL. */
const struct config_person *
reply_people_find(struct replies *r, const struct chat_platform *p,
    const char *user_id)
{
	const char *id;

	for (size_t i = 0; user_id != NULL && i < r->cfg->npeople; i++) {
		id = config_person_id(&r->cfg->people[i], p);
		if (id != NULL && strcmp(id, user_id) == 0)
			return &r->cfg->people[i];
	}
	return NULL;
}

/* The person a nudge was asked of, or NULL (a channel's, or gone from the config). */
static const struct config_person *
reply_people_of(struct replies *r, const struct store_target *t)
{
	if (t->person == NULL || t->person[0] == '\0')
		return NULL;
	return config_find_person(r->cfg, t->person);
}

/*
 * Whether user_id may answer t: anyone may answer a channel's nudge, only
 * its person a nudge asked of a person. -1 with the reason (403).
 */
int
reply_people_check(struct replies *r, const struct chat_platform *p,
    const struct store_target *t, const char *user_id, char **why)
{
	const struct config_person *who;
	const char *id;

	if (t->person == NULL || t->person[0] == '\0')
		return 0;
	who = reply_people_of(r, t);
	id = who != NULL ? config_person_id(who, p) : NULL;
	if (id != NULL && user_id != NULL && strcmp(id, user_id) == 0)
		return 0;
	*why = xstrdup("this question was asked of someone else; only they "
	    "can answer it");
	return -1;
}

/*
 * Whether a platform that does not sign its callbacks sent the proof nudged
 * made for t and its person; platforms that sign need none.
 */
static int
reply_people_proved(struct replies *r, const struct chat_platform *p,
    const struct chat_answer *a, const struct store_target *t)
{
	char *want;
	int ok;

	if (!p->proves_callbacks)
		return 1;
	if (a->proof == NULL || t->person == NULL || t->person[0] == '\0' ||
	    (want = store_callback_proof(r->store, t->id, t->person)) == NULL)
		return 0;
	ok = strlen(want) == strlen(a->proof) && sig_equal(want, a->proof,
	    strlen(want));
	free(want);
	return ok;
}

/*
 * The sent nudge a button or form names, on a channel of platform p (which
 * replaces *c). 1, or -1 with a reason and status.
 */
static int
reply_people_delivery(struct replies *r, const struct chat_platform *p,
    const struct config_channel **c, const struct chat_answer *a,
    struct store_target *t, char **why, int *status)
{
	const struct config_channel *cc = NULL;
	struct store_where where;
	int found = store_find_delivery(r->store, a->delivery_id, t, &where);

	if (found == 1)
		cc = config_find_channel(r->cfg, where.channel);
	store_where_clear(&where);
	if (found == -1) {
		*why = xstrdup("could not look up the question; try again");
		*status = 503;
		return -1;
	}
	if (cc == NULL || cc->platform != p) {
		store_target_clear(t);
		*why = xstrdup("that question is no longer known to nudged");
		*status = 422;
		return -1;
	}
	if (!reply_people_proved(r, p, a, t)) {
		store_target_clear(t);
		*why = xstrdup("the button or form was not made by nudged for "
		    "this question and person");
		*status = 403;
		return -1;
	}
	*c = cc;
	return 1;
}

/*
 * The nudge an answer names without a code: its form's, its thread's root,
 * or the person's newest in a direct conversation. 1 with *t (and *c the
 * nudge's channel), 0 when the answer names none of these (the code or the
 * channel's newest decide), -1 with a reason and status when it is refused.
 */
int
reply_people_attach(struct replies *r, const struct chat_platform *p,
    const struct config_channel **c, const struct chat_answer *a, int64_t now,
    struct store_target *t, char **why, int *status)
{
	const struct config_person *who;
	int found = 0;

	*status = 422;
	if (a->delivery_id != 0) {
		if (reply_people_delivery(r, p, c, a, t, why, status) == -1)
			return -1;
		found = 1;
	} else if (a->code != NULL)
		return 0;
	if (!found && a->thread != NULL && a->route_key != NULL)
		found = store_find_by_message(r->store, (*c)->name, a->route_key,
		    a->thread, t);
	if (found == 0 && a->direct) {
		if ((who = reply_people_find(r, p, a->user_id)) == NULL) {
			*why = xstrdup("nudged does not ask you questions "
			    "directly; an admin can add your id under "
			    "\"people\" in its config");
			return -1;
		}
		found = store_find_for_person(r->store, (*c)->name, who->name,
		    now - CONFIG_MAX_ANSWER_WINDOW, t);
		if (found == 0) {
			*why = xstrdup("no question was sent to you recently");
			return -1;
		}
	}
	/* /reflect outside the team's channel: the person's own newest nudge. */
	if (found == 0 && a->via == CHAT_VIA_COMMAND && !a->direct &&
	    (p->names_channel == NULL || !p->names_channel(*c, a)) &&
	    (who = reply_people_find(r, p, a->user_id)) != NULL)
		found = store_find_for_person(r->store, (*c)->name, who->name,
		    now - CONFIG_MAX_ANSWER_WINDOW, t);
	if (found == -1) {
		*why = xstrdup("could not look up the question; try again");
		*status = 503;
		return -1;
	}
	if (found == 0)
		return 0;
	if (reply_people_check(r, p, t, a->user_id, why) == -1) {
		store_target_clear(t);
		*status = 403;
		return -1;
	}
	return reply_window_open(r, t, now, NULL, why) == -1 ? -1 : 1;
}

/* The nudge t as a platform builds its messages from it. */
static void
reply_people_nudge(struct replies *r, const struct store_target *t,
    const char *channel, struct chat_nudge *n)
{
	const struct bank_prompt *bp = bank_find(r->bank, t->prompt_id);
	const struct bank_theme *th = bp != NULL ? bank_theme_of(r->bank, bp) :
	    NULL;

	memset(n, 0, sizeof *n);
	n->kind = CHAT_PROMPT;
	n->delivery_id = t->id;
	n->schedule = t->schedule;
	n->channel = channel;
	n->prompt_id = t->prompt_id;
	n->text = bp != NULL ? bp->text : t->prompt_id;
	n->follow_up = bp != NULL && !bp->follow_up_later ? bp->follow_up : NULL;
	n->theme = th != NULL ? th->slug : NULL;
	n->theme_title = th != NULL ? th->title : NULL;
	n->due_at = t->due_at;
}

/* Start a call nobody waits for; what names it in the log. */
static void
reply_people_call(struct replies *r, const struct chat_platform *p, char *url,
    struct chat_request *req, long timeout_ms, char *what)
{
	struct reply_people_call *call = xcalloc(1, sizeof *call);

	call->platform = p;
	call->what = what;
	if (apicall_post(r->api, url, req, timeout_ms, reply_people_done_cb,
	    call) == -1) {
		log_warnx("reply: %s: could not start the call", what);
		chat_request_free(req);
		free(call->what);
		free(call);
	}
	free(url);
}

/* A call ended: log how, free its note. */
static void
reply_people_done_cb(void *arg, const struct apicall_result *res)
{
	struct reply_people_call *call = arg;
	char *why = NULL;

	if (res->error != NULL)
		log_warnx("reply: %s failed: %s", call->what, res->error);
	else if ((why = call->platform->forms->failed(res->status, res->body,
	    res->len)) != NULL)
		log_warnx("reply: %s failed: %s", call->what, why);
	else
		log_debug("reply: %s done", call->what);
	free(why);
	free(call->what);
	free(call);
}

/*
 * Open the answer form for t (on channel) with trigger, prefilled with
 * prefill (NULL: empty); 0 once the call is on its way, -1 with why.
 */
int
reply_people_open_form(struct replies *r, const struct chat_platform *p,
    const struct store_target *t, const char *channel, const char *trigger,
    const char *prefill, char **why)
{
	const struct config_channel *cc = config_find_channel(r->cfg, channel);
	struct chat_request req;
	struct chat_nudge n;
	char *url = NULL, *what, *proof = NULL;
	int rc;

	if (p->forms == NULL || p->forms->open == NULL || cc == NULL) {
		*why = xstrdup("answer forms are not available here");
		return -1;
	}
	reply_people_nudge(r, t, channel, &n);
	if (p->proves_callbacks && t->person != NULL && t->person[0] != '\0') {
		n.person = t->person;
		n.proof = proof = store_callback_proof(r->store, t->id,
		    t->person);
	}
	rc = p->forms->open(cc, &n, trigger, prefill, &url, &req, why);
	free(proof);
	if (rc == -1)
		return -1;
	xasprintf(&what, "opening the answer form of delivery %" PRId64, t->id);
	reply_people_call(r, p, url, &req, REPLY_PEOPLE_OPEN_MS, what);
	return 0;
}

/* Answer the request with the form for t itself, prefilled with prefill. */
void
reply_people_open_reply(struct replies *r, const struct chat_platform *p,
    const struct store_target *t, const char *channel, const char *prefill,
    struct reply_waiter w)
{
	const char *type = "application/json";
	struct chat_nudge n;
	char *body;

	reply_people_nudge(r, t, channel, &n);
	body = p->forms->open_reply(&n, prefill, &type);
	reply_send(w, 200, type, body);
	free(body);
}

/*
 * The Answer button: open the form for its nudge and answer the click at
 * once (the platform's trigger is short-lived); refuse a click from anyone
 * but the nudge's person, or once its window closed.
 */
void
reply_people_open(struct replies *r, const struct reply_request *req,
    const struct chat_platform *p, const struct chat_answer *a, int64_t now,
    struct reply_waiter w)
{
	const struct config_channel *c = NULL;
	struct store_target t;
	char *why = NULL;
	int status = 422;

	if (reply_people_delivery(r, p, &c, a, &t, &why, &status) == -1)
		goto refuse;
	if (reply_people_check(r, p, &t, a->user_id, &why) == -1) {
		status = 403;
		store_target_clear(&t);
		goto refuse;
	}
	if (reply_window_open(r, &t, now, NULL, &why) == -1)
		goto refuse;
	status = 500;
	if (p->forms->open_reply != NULL) {
		reply_people_open_reply(r, p, &t, c->name, NULL, w);
		store_target_clear(&t);
		return;
	}
	if (reply_people_open_form(r, p, &t, c->name, a->trigger, NULL,
	    &why) == -1) {
		store_target_clear(&t);
		goto refuse;
	}
	store_target_clear(&t);
	reply_respond(w, p, a->via, 0, NULL);
	return;
refuse:
	reply_refuse(w, req->path, status, p->name, "text/plain; charset=utf-8",
	    "%s", why);
	free(why);
}

/* The answerer's streak: their own for a nudge asked of them, else the channel's. */
int64_t
reply_people_streak(struct replies *r, const struct reply_pending *pe)
{
	int64_t streak = 0;

	if (pe->target.person != NULL && pe->target.person[0] != '\0')
		store_person_streak(r->store, pe->target.schedule,
		    pe->target.person, pe->user_id, pe->target.due_at, &streak);
	else
		store_streak_at(r->store, pe->target.schedule, pe->channel,
		    pe->user_id, pe->target.due_at, &streak);
	return streak;
}

/*
 * After the commit: the nudge's message (when the platform keeps one and
 * has forms) says it was answered and the streak, in place of its button.
 */
void
reply_people_answered(struct replies *r, const struct reply_pending *pe,
    int64_t streak)
{
	const struct chat_platform *p = pe->platform;
	const struct config_channel *cc;
	struct store_target t;
	struct store_where where;
	struct chat_request req;
	struct chat_nudge n;
	char *url = NULL, *why = NULL, *status, *what;

	/* A form's submission was answered with the updated message already. */
	if (p->forms == NULL || p->forms->answered == NULL ||
	    (pe->via == CHAT_VIA_FORM && p->forms->updates_in_reply) ||
	    store_find_delivery(r->store, pe->target.id, &t, &where) != 1)
		return;
	cc = config_find_channel(r->cfg, where.channel);
	if (cc != NULL && where.conversation != NULL &&
	    where.message_id != NULL) {
		reply_people_nudge(r, &t, where.channel, &n);
		xasprintf(&status, "Answered — streak %" PRId64, streak);
		if (p->forms->answered(cc, &n, where.conversation,
		    where.message_id, status, &url, &req, &why) == -1)
			log_warnx("reply: marking delivery %" PRId64 " answered: "
			    "%s", t.id, why);
		else {
			xasprintf(&what, "marking delivery %" PRId64
			    " answered", t.id);
			reply_people_call(r, p, url, &req,
			    REPLY_PEOPLE_UPDATE_MS, what);
		}
		free(status);
		free(why);
	}
	store_where_clear(&where);
	store_target_clear(&t);
}
