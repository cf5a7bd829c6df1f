/* SPDX-License-Identifier: ISC */
/*
 * POST /api/v1/nudges: an event (a release shipped, an incident closed)
 * opens a schedule's nudge now. The request names a schedule, or a track
 * that one schedule names (the schedule says where and to whom it goes),
 * carries the caller's id and may carry one context line and one person of
 * the schedule's "to". It is allowed by the schedule's channel's api_token,
 * the bearer POST /api/v1/replies takes on that channel: a token opens
 * nudges only where it may answer them.
 *
 * Each nudge is committed (schedule_enqueue_now, one transaction per
 * person) before the caller hears 201; the outbox is kicked so it goes out
 * at once. The id is unique per channel and person: a repeat finds the
 * deliveries the first request made and answers 200 with them, enqueueing
 * only what a failed first attempt left out. Every refusal is a 4xx with a
 * JSON reason and a log line, and enqueues nothing. Time is the injected
 * clock's.
 */
#include "api_nudges.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/chat.h"
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "log.h"
#include "metrics.h"
#include "schedule.h"
#include "sig.h"
#include "store.h"
#include "xmalloc.h"

#define API_NUDGES_JSON	"application/json"

struct api_nudges {
	const struct clock	*clock;
	struct store		*store;
	const struct config	*cfg;
	const struct bank	*bank;
	struct deliver		*deliver;
};

/* The deliveries of one request, found or made. */
struct api_nudges_result {
	struct store_event_row	*rows;
	size_t			 nrows;
	size_t			 added;
};

static void	 api_nudges_refuse(struct reply_waiter, const char *, int,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static int	 api_nudges_token_known(const struct config *, const char *);
static const struct config_schedule *api_nudges_schedule(struct api_nudges *,
		    const struct chat_event *, const char *, int *, char **);
static int	 api_nudges_people(const struct api_nudges *,
		    const struct config_schedule *, const struct chat_event *,
		    const char ***, size_t *, char **);
static int	 api_nudges_enqueue(struct api_nudges *,
		    const struct config_schedule *, const struct chat_event *,
		    const char **, size_t, struct api_nudges_result *, int *,
		    char **);
static const struct store_event_row *api_nudges_row_of(
		    const struct api_nudges_result *, const char *);
static void	 api_nudges_answer(struct reply_waiter,
		    const struct chat_event *, const struct config_schedule *,
		    const struct api_nudges_result *);

/* Start the route's handler; it enqueues nothing until a request comes. */
struct api_nudges *
api_nudges_new(const struct clock *clock, struct store *store,
    const struct config *cfg, const struct bank *bank, struct deliver *deliver)
{
	struct api_nudges *n = xcalloc(1, sizeof *n);

	n->clock = clock;
	n->store = store;
	n->cfg = cfg;
	n->bank = bank;
	n->deliver = deliver;
	return n;
}

/* Use a new configuration and bank from now on. */
void
api_nudges_reload(struct api_nudges *n, const struct config *cfg,
    const struct bank *bank)
{
	n->cfg = cfg;
	n->bank = bank;
}

/* Free the handler (it holds no request between loop turns). */
void
api_nudges_free(struct api_nudges *n)
{
	free(n);
}

/* Refuse with a status and a JSON reason, and log it. */
static void
api_nudges_refuse(struct reply_waiter w, const char *path, int code,
    const char *fmt, ...)
{
	struct reply_response resp = { code, API_NUDGES_JSON, NULL };
	char *reason, *body;
	cJSON *o = cJSON_CreateObject();
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&reason, fmt, ap);
	va_end(ap);
	/* Logged only: nudged_answers_refused_total counts answers. */
	log_warnx("nudges: %s: %d %s", path, code, reason);
	cJSON_AddStringToObject(o, "error", reason);
	body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	resp.body = body;
	w.done(w.arg, &resp);
	free(body);
	free(reason);
}

/* Whether token is some channel's api_token. */
static int
api_nudges_token_known(const struct config *cfg, const char *token)
{
	int known = 0;

	/* Every channel is compared, so the time says nothing of which. */
	for (size_t i = 0; i < cfg->nchannels; i++)
		known |= cfg->channels[i].api_token != NULL &&
		    sig_token_equal(token, cfg->channels[i].api_token);
	return known;
}

/*
 * The schedule a request names, by its name or by the track it names (the
 * one whose channel the token opens, when several do); NULL with a status
 * and a reason when there is none, or the token is not its channel's.
 */
static const struct config_schedule *
api_nudges_schedule(struct api_nudges *n, const struct chat_event *ev,
    const char *token, int *status, char **why)
{
	const struct config_schedule *sc = NULL, *c;
	size_t named = 0, opened = 0;

	if (ev->schedule != NULL && (sc = config_find_schedule(n->cfg,
	    ev->schedule)) == NULL) {
		*status = 404;
		xasprintf(why, "no schedule called \"%s\"", ev->schedule);
		return NULL;
	}
	for (size_t i = 0; sc == NULL && ev->track != NULL &&
	    i < n->cfg->nschedules; i++) {
		c = &n->cfg->schedules[i];
		if (c->track_name == NULL || strcmp(c->track_name,
		    ev->track) != 0)
			continue;
		named++;
		if (c->channel->api_token != NULL && sig_token_equal(token,
		    c->channel->api_token) && opened++ == 0)
			sc = c;
	}
	if (ev->track != NULL && named == 0) {
		*status = 404;
		xasprintf(why, "no schedule names the track \"%s\"", ev->track);
		return NULL;
	}
	if (opened > 1) {
		*status = 422;
		xasprintf(why, "%zu schedules on this token's channels name the "
		    "track \"%s\": name the \"schedule\" instead", opened,
		    ev->track);
		return NULL;
	}
	if (sc == NULL || sc->channel->api_token == NULL ||
	    !sig_token_equal(token, sc->channel->api_token)) {
		*status = 403;
		xasprintf(why, "the token is not the api_token of the "
		    "schedule's channel");
		return NULL;
	}
	return sc;
}

/*
 * Who the request asks: the one person it names, which must be one of the
 * schedule's "to", else every person of "to", else the channel itself
 * (a NULL name). -1 and a reason (422) when it names someone else.
 */
static int
api_nudges_people(const struct api_nudges *n, const struct config_schedule *sc,
    const struct chat_event *ev, const char ***names, size_t *count,
    char **why)
{
	const char *name;

	*names = xcalloc(sc->nto > 0 ? sc->nto : 1, sizeof **names);
	*count = 0;
	for (size_t i = 0; i < sc->nto; i++) {
		name = n->cfg->people[sc->to[i]].name;
		if (ev->to == NULL || strcmp(ev->to, name) == 0)
			(*names)[(*count)++] = name;
	}
	if (ev->to != NULL && *count == 0) {
		if (sc->nto == 0)
			xasprintf(why, "schedule \"%s\" posts to its channel; it "
			    "has no \"to\" to name \"%s\" from", sc->name, ev->to);
		else
			xasprintf(why, "\"%s\" is not one of the people schedule "
			    "\"%s\" asks", ev->to, sc->name);
		free(*names);
		*names = NULL;
		return -1;
	}
	if (sc->nto == 0)
		(*names)[(*count)++] = NULL;
	return 0;
}

/* The delivery of res that asks person (NULL: the channel), or NULL. */
static const struct store_event_row *
api_nudges_row_of(const struct api_nudges_result *res, const char *person)
{
	for (size_t i = 0; i < res->nrows; i++)
		if (strcmp(res->rows[i].person, person != NULL ? person :
		    "") == 0)
			return &res->rows[i];
	return NULL;
}

/*
 * Find what the event's id already opened and enqueue, for each person
 * asked, what is not there yet, each committed; 0 and res, or -1 with a
 * status and a reason (nothing more is enqueued then).
 */
static int
api_nudges_enqueue(struct api_nudges *n, const struct config_schedule *sc,
    const struct chat_event *ev, const char **people, size_t npeople,
    struct api_nudges_result *res, int *status, char **why)
{
	struct schedule_event se = { ev->id, ev->context };
	int64_t id, now = clock_now(n->clock);
	int rc;

	*status = 503;
	if (store_event_deliveries(n->store, sc->channel->name, ev->id,
	    &res->rows, &res->nrows) == -1) {
		*why = xstrdup("could not read the store now; please try again");
		return -1;
	}
	if (res->nrows > 0 && strcmp(res->rows[0].schedule, sc->name) != 0) {
		*status = 409;
		xasprintf(why, "the id \"%s\" already opened a nudge of schedule "
		    "\"%s\" on this channel", ev->id, res->rows[0].schedule);
		return -1;
	}
	for (size_t i = 0; i < npeople; i++) {
		if (api_nudges_row_of(res, people[i]) != NULL)
			continue;
		rc = schedule_enqueue_now(n->store, n->bank, sc, people[i], now,
		    &se, &id, why);
		if (rc == 2) {
			*status = 422;
			return -1;
		}
		if (rc != 1) {
			free(*why);
			*why = xstrdup(rc == 0 ? "the schedule took a nudge every "
			    "second of the next minute; try again" : "could not "
			    "store the nudge now; please try again");
			return -1;
		}
		res->added++;
		log_info("nudges: event %s enqueued delivery %" PRId64 " of "
		    "schedule %s for %s %s", ev->id, id, sc->name, people[i] !=
		    NULL ? "person" : "channel", people[i] != NULL ? people[i] :
		    sc->channel->name);
	}
	store_event_rows_free(res->rows, res->nrows);
	if (store_event_deliveries(n->store, sc->channel->name, ev->id,
	    &res->rows, &res->nrows) == -1) {
		*why = xstrdup("could not read the store now; please try again");
		return -1;
	}
	return 0;
}

/* 201 with the deliveries enqueued, or 200 with those an earlier request made. */
static void
api_nudges_answer(struct reply_waiter w, const struct chat_event *ev,
    const struct config_schedule *sc, const struct api_nudges_result *res)
{
	struct reply_response resp = { res->added > 0 ? 201 : 200,
	    API_NUDGES_JSON, NULL };
	cJSON *o = cJSON_CreateObject(), *list, *d;
	char *body;

	cJSON_AddStringToObject(o, "status", res->added > 0 ? "enqueued" :
	    "duplicate");
	cJSON_AddStringToObject(o, "id", ev->id);
	cJSON_AddStringToObject(o, "schedule", sc->name);
	cJSON_AddStringToObject(o, "channel", sc->channel->name);
	list = cJSON_AddArrayToObject(o, "deliveries");
	for (size_t i = 0; i < res->nrows; i++) {
		d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "delivery_id",
		    (double)res->rows[i].id);
		cJSON_AddStringToObject(d, "reply_code", res->rows[i].reply_code);
		if (res->rows[i].person[0] != '\0')
			cJSON_AddStringToObject(d, "person", res->rows[i].person);
		cJSON_AddItemToArray(list, d);
	}
	if ((body = cJSON_PrintUnformatted(o)) == NULL)
		fatalx("cJSON: out of memory");
	cJSON_Delete(o);
	resp.body = body;
	w.done(w.arg, &resp);
	free(body);
}

/*
 * POST /api/v1/nudges: {"id", "schedule" | "track", "to"?, "context"?} with
 * "Authorization: Bearer <the schedule's channel's api_token>".
 */
void
api_nudges_handle(struct api_nudges *n, const struct reply_request *req,
    struct reply_waiter w)
{
	struct chat_inbound in = { .body = req->body, .len = req->len,
	    .content_type = req->content_type, .header = req->header,
	    .ctx = req->ctx };
	struct api_nudges_result res = { 0 };
	struct chat_event ev;
	const struct config_schedule *sc;
	const char **people = NULL;
	char *why = NULL;
	size_t npeople;
	int status;

	if (strcmp(req->content_type, API_NUDGES_JSON) != 0) {
		api_nudges_refuse(w, req->path, 415, "unsupported content type "
		    "\"%s\" (expected application/json)", req->content_type);
		return;
	}
	if (chat_in_event_parse(&in, &ev, &why) == -1) {
		api_nudges_refuse(w, req->path, 400, "%s", why);
		free(why);
		return;
	}
	if (req->bearer == NULL)
		api_nudges_refuse(w, req->path, 401, "missing \"Authorization: "
		    "Bearer <token>\"");
	else if (!api_nudges_token_known(n->cfg, req->bearer))
		api_nudges_refuse(w, req->path, 403, "the token is no "
		    "channel's api_token");
	else if ((sc = api_nudges_schedule(n, &ev, req->bearer, &status,
	    &why)) == NULL)
		api_nudges_refuse(w, req->path, status, "%s", why);
	else if (api_nudges_people(n, sc, &ev, &people, &npeople, &why) == -1)
		api_nudges_refuse(w, req->path, 422, "%s", why);
	else {
		if (api_nudges_enqueue(n, sc, &ev, people, npeople, &res,
		    &status, &why) == 0)
			status = 0;
		/* What was committed goes out, even when a later person failed. */
		if (res.added > 0) {
			metrics_count_enqueued(sc->name,
			    sc->channel->platform->name, (int64_t)res.added);
			deliver_kick(n->deliver);
		}
		if (status != 0)
			api_nudges_refuse(w, req->path, status, "%s", why);
		else
			api_nudges_answer(w, &ev, sc, &res);
	}
	store_event_rows_free(res.rows, res.nrows);
	free(people);
	free(why);
	chat_event_free(&ev);
}
