/* SPDX-License-Identifier: ISC */
/*
 * Deliveries through a platform's API: a nudge to a person in their direct
 * conversation, or a channel's own post where the channel has no webhook.
 * The platform's row (chat_direct) builds each call and reads its answer;
 * nothing here names a platform. A person's conversation is opened once and
 * kept in the store; a nudge's message is kept too, so a reminder lands in
 * its thread and a reply finds its nudge.
 *
 * The answers fall in classes. A person who cannot be reached fails their
 * delivery and is marked so, and their next deliveries fail at once without
 * a call. Refused credentials fail the delivery and are told loudly once per
 * channel (deliver_channel_refused says so for health). A rate limit with a
 * delay pauses that call for the whole channel (one token): platforms count
 * their limits per call and per token (each row's file cites its own), so
 * no other delivery of the channel makes that call before the pause ends;
 * where the answer names the route's bucket, only that bucket's calls wait
 * (deliver_pause.c).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "chat/chat.h"
#include "clock.h"
#include "compose.h"
#include "config.h"
#include "deliver_http.h"
#include "deliver_int.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "xmalloc.h"

/* How soon a question held behind its follow-up is looked at again. */
#define DELIVER_DIRECT_FOLLOW_UP_MS	50

/* Where a row goes: the conversation (NULL: open it first) and the thread. */
struct deliver_direct_target {
	const char	*user;		/* the person's id on the platform */
	char		*conversation;
	char		*thread;
};

static enum deliver_take_result deliver_direct_person(struct deliver *,
		    const struct store_outbox_row *, struct deliver_channel *,
		    struct deliver_direct_target *);
static enum deliver_take_result deliver_direct_after_follow_up(
		    struct deliver *, const struct store_outbox_row *,
		    int64_t *);
static int	 deliver_direct_thread(struct deliver *,
		    const struct store_outbox_row *,
		    struct deliver_direct_target *);
static int64_t	 deliver_direct_paused(struct deliver *,
		    const struct deliver_channel *, const char *);
static void	 deliver_direct_pause(struct deliver_transfer *,
		    struct deliver_channel *, int64_t);
static enum deliver_take_result deliver_direct_start(struct deliver *,
		    const struct store_outbox_row *, struct deliver_channel *,
		    int64_t, int64_t, struct deliver_direct_target *,
		    struct deliver_transfer **);
static int	 deliver_direct_next(struct deliver_transfer *,
		    struct deliver_channel *, enum chat_outcome *, char **,
		    int64_t *);
static void	 deliver_direct_heed(struct deliver_transfer *,
		    struct deliver_channel *);
static int	 deliver_direct_found(struct deliver_transfer *,
		    struct deliver_channel *, enum chat_outcome *, char **);
static struct store_outbox_row *deliver_direct_row_copy(
		    const struct store_outbox_row *);

/* Whether a row goes through its platform's API rather than a webhook. */
int
deliver_direct_wants(const struct config_channel *cc,
    const struct store_outbox_row *row)
{
	return row->person[0] != '\0' || (cc->webhook == NULL &&
	    chat_channel_api(cc));
}

/* Free what a channel's entry holds: its name and its pauses. */
void
deliver_channel_clear(struct deliver_channel *c)
{
	free(c->name);
	deliver_pause_free(&c->pause);
}

/* Whether a channel's credentials were refused by its platform (for health). */
int
deliver_channel_refused(struct deliver *d, const char *channel)
{
	const struct deliver_channel *c = deliver_channel_for(d, channel);

	return c != NULL && c->refused;
}

/*
 * Prepare a row that goes through the API: find its person and their
 * conversation, respect the channel's pauses (and, for the channel's own
 * post, its rate), build the first call and claim the row.
 */
enum deliver_take_result
deliver_direct_take(struct deliver *d, const struct store_outbox_row *row,
    struct deliver_channel *c, int64_t expiry, int64_t now,
    struct deliver_transfer **out, int64_t *ready_ms)
{
	const struct chat_direct *dir = c->cc->platform->direct;
	struct deliver_direct_target tg = { NULL, NULL, NULL };
	enum deliver_take_result r = DELIVER_TAKE_STARTED;
	int64_t wait;
	int bucket = row->person[0] == '\0';
	char *reason;

	if (dir == NULL) {
		xasprintf(&reason, "channel \"%s\": %s sends no direct messages",
		    row->channel, c->cc->platform->title);
		return deliver_fail_now(d, row, reason);
	}
	if (bucket)
		tg.conversation = xstrdup(dir->channel_conversation(c->cc));
	else if ((r = deliver_direct_person(d, row, c, &tg)) !=
	    DELIVER_TAKE_STARTED ||
	    (r = deliver_direct_after_follow_up(d, row, ready_ms)) !=
	    DELIVER_TAKE_STARTED)
		goto out;
	if (deliver_direct_thread(d, row, &tg) == -1) {
		r = DELIVER_TAKE_ERROR;
		goto out;
	}
	if ((wait = deliver_direct_paused(d, c, tg.conversation)) > 0) {
		*ready_ms = wait;
		r = DELIVER_TAKE_HELD;
	} else if (bucket && (c->in_flight >= c->max_in_flight ||
	    !deliver_bucket_take(&c->bucket, clock_mono_ms(d->clock),
	    ready_ms)))
		r = DELIVER_TAKE_HELD;	/* one conversation: the channel's rate */
	else if (!deliver_bucket_take(&c->api, clock_mono_ms(d->clock),
	    ready_ms)) {
		if (bucket)
			deliver_bucket_give_back(&c->bucket);
		r = DELIVER_TAKE_HELD;	/* the platform's cap on all calls */
	} else
		r = deliver_direct_start(d, row, bucket ? c : NULL, expiry, now,
		    &tg, out);
out:
	free(tg.conversation);
	free(tg.thread);
	return r;
}

/*
 * The person a row is for: their id on the platform and, when the store
 * has it, their conversation. STARTED to go on; a person who is not
 * configured, has no id or cannot be reached fails the row at once.
 */
static enum deliver_take_result
deliver_direct_person(struct deliver *d, const struct store_outbox_row *row,
    struct deliver_channel *c, struct deliver_direct_target *tg)
{
	const struct config_person *p = config_find_person(d->cfg, row->person);
	struct store_person_channel pc;
	char *reason = NULL;

	if (p == NULL)
		xasprintf(&reason, "person \"%s\" is no longer configured",
		    row->person);
	else if ((tg->user = config_person_id(p, c->cc->platform)) == NULL)
		xasprintf(&reason, "person \"%s\" has no %s id", row->person,
		    c->cc->platform->title);
	if (reason != NULL)
		return deliver_fail_now(d, row, reason);
	if (store_person_channel(d->store, row->channel, row->person, &pc) == -1)
		return DELIVER_TAKE_ERROR;
	if (pc.inactive != NULL) {
		xasprintf(&reason, "person \"%s\" cannot be reached on channel "
		    "\"%s\": %s", row->person, row->channel, pc.inactive);
		store_person_channel_clear(&pc);
		return deliver_fail_now(d, row, reason);
	}
	tg->conversation = pc.dm_id;
	pc.dm_id = NULL;
	store_person_channel_clear(&pc);
	return DELIVER_TAKE_STARTED;
}

/*
 * A person's question waits while the follow-up of their last answer, due
 * at the same instant, is not posted yet: they read the follow-up first.
 */
static enum deliver_take_result
deliver_direct_after_follow_up(struct deliver *d,
    const struct store_outbox_row *row, int64_t *ready_ms)
{
	int waiting;

	if (row->kind != STORE_KIND_PROMPT)
		return DELIVER_TAKE_STARTED;
	waiting = store_follow_up_waiting(d->store, row->schedule, row->person,
	    row->due_at);
	if (waiting == -1)
		return DELIVER_TAKE_ERROR;
	if (waiting == 1) {
		*ready_ms = DELIVER_DIRECT_FOLLOW_UP_MS;
		return DELIVER_TAKE_HELD;
	}
	return DELIVER_TAKE_STARTED;
}

/*
 * A reminder or a follow-up goes in its nudge's thread when the nudge's
 * message is known: the same conversation, the nudge's message as the
 * thread. 0 or -1.
 */
static int
deliver_direct_thread(struct deliver *d, const struct store_outbox_row *row,
    struct deliver_direct_target *tg)
{
	char *conversation, *message;
	int rc;

	if (row->parent_id <= 0)
		return 0;
	rc = store_message_of(d->store, row->parent_id, &conversation, &message);
	if (rc != 1)
		return rc;
	free(tg->conversation);
	tg->conversation = conversation;
	tg->thread = message;
	return 0;
}

/*
 * How long the next call of a row is paused on its channel (ms), or 0: the
 * post into its conversation, else the opening and the posts of any route.
 */
static int64_t
deliver_direct_paused(struct deliver *d, const struct deliver_channel *c,
    const char *conversation)
{
	int64_t now = clock_mono_ms(d->clock), wait, post;

	if (conversation != NULL)
		return deliver_pause_wait(&c->pause, CHAT_DIRECT_POST,
		    conversation, now);
	wait = deliver_pause_wait(&c->pause, CHAT_DIRECT_OPEN, NULL, now);
	post = c->pause.call_ms[CHAT_DIRECT_POST] - now;
	return post > wait ? post : wait;
}

/*
 * Build the row's first call, the post when its conversation is known, else
 * the opening of the person's conversation, and claim the row. bucket is
 * the channel when the row took one of its tokens.
 */
static enum deliver_take_result
deliver_direct_start(struct deliver *d, const struct store_outbox_row *row,
    struct deliver_channel *bucket, int64_t expiry, int64_t now,
    struct deliver_direct_target *tg, struct deliver_transfer **out)
{
	struct deliver_channel *c = deliver_channel_for(d, row->channel);
	const struct chat_direct *dir = c->cc->platform->direct;
	struct compose_source src = { d->store, d->cfg, d->bank };
	struct deliver_transfer *t = xcalloc(1, sizeof *t);
	enum compose_result composed;
	char *cause = NULL;

	t->api = 1;
	t->counted = bucket != NULL;
	t->person = xstrdup(row->person);
	t->thread = tg->thread != NULL ? xstrdup(tg->thread) : NULL;
	if (tg->conversation != NULL) {
		t->call = CHAT_DIRECT_POST;
		t->major = xstrdup(tg->conversation);
		composed = compose_request(&src, row, c->cc, now,
		    tg->conversation, tg->thread, &t->req, &cause);
		if (composed != COMPOSE_OK) {
			deliver_http_free(t);
			return deliver_unmade(d, row, bucket, expiry,
			    composed == COMPOSE_LATER, cause);
		}
	} else {
		/* A person named, not by id: find the id first (once). */
		t->call = dir->find != NULL && !dir->is_id(tg->user) ?
		    CHAT_DIRECT_FIND : CHAT_DIRECT_OPEN;
		if (t->call == CHAT_DIRECT_FIND)
			dir->find(c->cc, tg->user, &t->req);
		else
			dir->open(c->cc, tg->user, &t->req);
		t->row = deliver_direct_row_copy(row);
	}
	t->url = dir->url(c->cc, t->call, t->call == CHAT_DIRECT_FIND ?
	    tg->user : tg->conversation);
	return deliver_claim(d, row, c, expiry, now, t, out);
}

/* A copy of a row, to compose its post once the conversation is open. */
static struct store_outbox_row *
deliver_direct_row_copy(const struct store_outbox_row *row)
{
	struct store_outbox_row *r = xcalloc(1, sizeof *r);

	*r = *row;
	r->schedule = xstrdup(row->schedule);
	r->channel = xstrdup(row->channel);
	r->prompt_id = row->prompt_id != NULL ? xstrdup(row->prompt_id) : NULL;
	r->reply_code = row->reply_code != NULL ? xstrdup(row->reply_code) :
	    NULL;
	r->person = xstrdup(row->person);
	r->context = row->context != NULL ? xstrdup(row->context) : NULL;
	return r;
}

/*
 * Read what an API call came to: 1 when the delivery went on to its next
 * call (the conversation is open, the post is on its way), else 0 with the
 * outcome, the text to log and store, and a delay hint.
 */
int
deliver_direct_verdict(struct deliver_transfer *t, CURLcode res,
    enum chat_outcome *outcome, char **text, int64_t *hint_ms)
{
	struct deliver_channel *c = deliver_channel_for(t->d, t->channel);
	struct chat_direct_answer *a = &t->answer;
	long status = 0;

	*outcome = CHAT_RETRY;
	*hint_ms = -1;
	if (res != CURLE_OK || c == NULL) {
		xasprintf(text, "%s: %s", t->host, c == NULL ? "its channel is "
		    "no longer configured" : curl_easy_strerror(res));
		*outcome = c == NULL ? CHAT_PERMANENT : CHAT_RETRY;
		return 0;
	}
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	c->cc->platform->direct->read(t->call, status, t->resp ? t->resp : "",
	    t->resp_len, t->retry_after_ms, t->resp_headers.s != NULL ?
	    t->resp_headers.s : "", a);
	deliver_direct_heed(t, c);
	if (a->cls == CHAT_DIRECT_OK && t->call == CHAT_DIRECT_FIND)
		return deliver_direct_found(t, c, outcome, text);
	if (a->cls == CHAT_DIRECT_OK && t->call == CHAT_DIRECT_OPEN)
		return deliver_direct_next(t, c, outcome, text, hint_ms);
	*outcome = a->cls == CHAT_DIRECT_OK ? CHAT_SENT :
	    a->cls == CHAT_DIRECT_RETRY ? CHAT_RETRY : CHAT_PERMANENT;
	*hint_ms = a->retry_ms;
	xasprintf(text, "%s: HTTP %ld%s%s", t->host, status, a->error ? ": " :
	    "", a->error ? a->error : "");
	return 0;
}

/*
 * What an answer says about the channel: a delay pauses the call for all
 * its deliveries; refused credentials are told once, and an accepted call
 * clears them.
 */
static void
deliver_direct_heed(struct deliver_transfer *t, struct deliver_channel *c)
{
	const struct chat_direct_answer *a = &t->answer;
	int64_t now = clock_mono_ms(t->clock);

	/* The platform's budget for a call (or all of them) is spent. */
	for (int call = 0; a->every_call && a->wait_ms > 0 &&
	    call < CHAT_DIRECT_NCALLS; call++)
		if (c->pause.call_ms[call] < now + a->wait_ms)
			c->pause.call_ms[call] = now + a->wait_ms;
	if (!a->every_call)
		deliver_direct_pause(t, c, now + a->wait_ms);
	if (a->cls == CHAT_DIRECT_RETRY && a->retry_ms > 0) {
		deliver_direct_pause(t, c, now + a->retry_ms);
		log_notice("deliver: channel %s is rate-limited (%s); its %s "
		    "calls wait %" PRId64 " ms", t->channel, t->host,
		    t->call == CHAT_DIRECT_OPEN ? "conversation" : "post",
		    a->retry_ms);
	} else if (a->cls == CHAT_DIRECT_AUTH) {
		if (!c->refused)
			log_warnx("deliver: channel %s: %s refused its credentials "
			    "(%s); nothing reaches anyone through it until they "
			    "are fixed", t->channel, c->cc->platform->title,
			    a->error != NULL ? a->error : "no reason given");
		c->refused = 1;
		t->quiet = 1;
		/* Refused in a 200's body: health counts it as the 401 it means. */
		metrics_note_credentials(t->channel, 401, 0);
	} else if (a->cls == CHAT_DIRECT_OK && c->refused) {
		log_notice("deliver: channel %s: %s accepts its credentials again",
		    t->channel, c->cc->platform->title);
		c->refused = 0;
		metrics_note_credentials(t->channel, 200, 1);
	}
}

/*
 * Hold a call until then: its route's bucket when the answer names one,
 * else the call on every route.
 */
static void
deliver_direct_pause(struct deliver_transfer *t, struct deliver_channel *c,
    int64_t until)
{
	int64_t now = clock_mono_ms(t->clock);

	if (t->answer.bucket != NULL)
		deliver_pause_bucket(&c->pause, t->call, t->major,
		    t->answer.bucket, until, now);
	else if (c->pause.call_ms[t->call] < until)
		c->pause.call_ms[t->call] = until;
}

/* The person's id is found: open their conversation with it, or 0 and why. */
static int
deliver_direct_found(struct deliver_transfer *t, struct deliver_channel *c,
    enum chat_outcome *outcome, char **text)
{
	const struct chat_direct *dir = c->cc->platform->direct;
	char *user = t->answer.user;

	if (user == NULL) {
		xasprintf(text, "%s: the person was found without an id",
		    t->host);
		*outcome = CHAT_PERMANENT;
		return 0;
	}
	user = xstrdup(user);
	deliver_http_rewind(t);
	t->call = CHAT_DIRECT_OPEN;
	dir->open(c->cc, user, &t->req);
	t->url = dir->url(c->cc, t->call, NULL);
	free(user);
	deliver_post(t->d, t);
	return 1;
}

/*
 * The person's conversation is open: keep it, then post the nudge into it,
 * unless posts are paused or the nudge cannot be written (then 0 and why).
 */
static int
deliver_direct_next(struct deliver_transfer *t, struct deliver_channel *c,
    enum chat_outcome *outcome, char **text, int64_t *hint_ms)
{
	struct deliver *d = t->d;
	struct compose_source src = { d->store, d->cfg, d->bank };
	struct deliver_outcome *o;
	enum compose_result composed;
	char *dm = t->answer.conversation, *cause = NULL;
	int64_t wait;

	if (dm == NULL) {
		xasprintf(text, "%s: the conversation opened without an id",
		    t->host);
		*outcome = CHAT_PERMANENT;
		return 0;
	}
	o = deliver_outcome(d, t->id, DELIVER_OUT_NOTE, 0, NULL);
	o->channel = xstrdup(t->channel);
	o->person = xstrdup(t->person);
	o->dm = xstrdup(dm);
	if ((wait = deliver_direct_paused(d, c, dm)) > 0) {
		xasprintf(text, "%s: posts are paused by a rate limit", t->host);
		*hint_ms = wait;
		return 0;
	}
	dm = xstrdup(dm);
	deliver_http_rewind(t);
	t->call = CHAT_DIRECT_POST;
	free(t->major);
	t->major = xstrdup(dm);
	composed = compose_request(&src, t->row, c->cc, clock_now(d->clock), dm,
	    t->thread, &t->req, &cause);
	if (composed != COMPOSE_OK) {
		free(dm);
		*text = cause;
		*outcome = composed == COMPOSE_LATER ? CHAT_RETRY :
		    CHAT_PERMANENT;
		return 0;
	}
	t->url = c->cc->platform->direct->url(c->cc, t->call, dm);
	free(dm);
	deliver_post(d, t);
	return 1;
}

/* Add to a delivery's outcome what its answer says to keep. */
void
deliver_direct_note(struct deliver_transfer *t, struct deliver_outcome *o)
{
	struct chat_direct_answer *a = &t->answer;

	if (o->kind == DELIVER_OUT_SENT && a->conversation != NULL &&
	    a->message_id != NULL) {
		o->conversation = a->conversation;
		o->message_id = a->message_id;
		a->conversation = a->message_id = NULL;
	} else if (o->kind == DELIVER_OUT_FAILED &&
	    a->cls == CHAT_DIRECT_PERSON && t->person[0] != '\0') {
		o->channel = xstrdup(t->channel);
		o->person = xstrdup(t->person);
		o->inactive = 1;
	}
}

/* Keep what an outcome learnt, inside the open transaction. */
int
deliver_direct_apply(struct deliver *d, const struct deliver_outcome *o)
{
	if (o->dm != NULL && store_set_person_dm(d->store, o->channel,
	    o->person, o->dm) == -1)
		return -1;
	if (o->inactive && store_set_person_inactive(d->store, o->channel,
	    o->person, o->text) == -1)
		return -1;
	if (o->conversation != NULL && store_set_message(d->store, o->id,
	    o->conversation, o->message_id) == -1)
		return -1;
	return 0;
}

/* Free what an outcome holds. */
void
deliver_direct_outcome_free(struct deliver_outcome *o)
{
	free(o->text);
	free(o->channel);
	free(o->person);
	free(o->dm);
	free(o->conversation);
	free(o->message_id);
}
