/* SPDX-License-Identifier: ISC */
/*
 * People's zones from their profiles. A person on a schedule with
 * "timezone": "person" and no "timezone" of their own follows the zone of
 * their profile on the schedule's platform (the row's profile call). At
 * start, after a reload and once a day, each such person whose zone was
 * not checked within the day is looked up, one call a second, well under
 * the platforms' limits (the row's file cites its own). What is found is
 * kept in the store
 * (store_set_person_tz), and the scheduler re-reads its entries once the
 * round's changes are in (scheduler_refresh). A lookup that fails leaves
 * the zone the store had: the config's zone until one is known.
 */
#include "zones.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "apicall.h"
#include "chat/chat.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "schedule.h"
#include "store.h"
#include "xmalloc.h"

/* A zone is looked up again after a day. */
#define ZONES_INTERVAL_SECONDS	86400
/* One lookup a second: 60 a minute, under Tier 4's 100. */
#define ZONES_SPACING_MS	1000
/* After a rate limit or a server error, the same lookup a minute later. */
#define ZONES_RETRY_MS		60000
#define ZONES_RETRIES		3
#define ZONES_TIMEOUT_MS	10000L

/* One person to look up on one channel. */
struct zones_ask {
	char	*channel;
	char	*person;
	char	*user;		/* their id on the channel's platform */
	int	 tries;
};

struct zones {
	const struct clock	*clock;
	struct store		*store;
	const struct config	*cfg;
	struct scheduler	*scheduler;
	struct apicall		*api;
	struct event		*ev;
	struct zones_ask	*asks;
	size_t			 nasks, next;
	int			 in_flight;
	int			 changed;	/* a zone changed this round */
	char			**refused;	/* channels told refused, this round */
	size_t			 nrefused;
};

static void	 zones_round(struct zones *);
static int	 zones_wanted(struct zones *, const struct config_schedule *,
		    const struct config_person *, int64_t);
static int	 zones_ask_cmp(const void *, const void *);
static void	 zones_clear(struct zones *);
static void	 zones_arm(struct zones *, int64_t);
static void	 zones_tick_cb(evutil_socket_t, short, void *);
static void	 zones_done_cb(void *, const struct apicall_result *);
static void	 zones_heard(struct zones *, struct zones_ask *,
		    const struct chat_direct_answer *);
static int	 zones_told_refused(struct zones *, const char *);

/* Start looking people's zones up, the first round at once. */
struct zones *
zones_start(struct event_base *base, const struct clock *clock,
    struct store *store, const struct config *cfg, struct scheduler *sched)
{
	struct zones *z = xcalloc(1, sizeof *z);

	z->clock = clock;
	z->store = store;
	z->cfg = cfg;
	z->scheduler = sched;
	z->api = apicall_new(base);
	z->ev = event_new(base, -1, 0, zones_tick_cb, z);
	zones_round(z);
	return z;
}

/* A new configuration: a new round at once (people may have come). */
void
zones_reload(struct zones *z, const struct config *cfg)
{
	if (z == NULL)
		return;
	z->cfg = cfg;
	if (!z->in_flight)
		zones_round(z);
	else {
		zones_clear(z);
		z->next = z->nasks = 0;	/* the call in flight starts the round */
	}
}

/* Stop: end the call in flight, free everything. */
void
zones_free(struct zones *z)
{
	if (z == NULL)
		return;
	event_free(z->ev);
	apicall_free(z->api);
	zones_clear(z);
	free(z);
}

/* Forget the round's lookups and what it told. */
static void
zones_clear(struct zones *z)
{
	for (size_t i = 0; i < z->nasks; i++) {
		free(z->asks[i].channel);
		free(z->asks[i].person);
		free(z->asks[i].user);
	}
	free(z->asks);
	z->asks = NULL;
	for (size_t i = 0; i < z->nrefused; i++)
		free(z->refused[i]);
	free(z->refused);
	z->refused = NULL;
	z->nrefused = 0;
}

/* Whether a person on sc needs their profile's zone looked up now. */
static int
zones_wanted(struct zones *z, const struct config_schedule *sc,
    const struct config_person *p, int64_t now)
{
	const struct chat_direct *dir = sc->channel->platform->direct;
	struct store_person_channel pc;
	char *why = NULL;
	int fresh;

	if (!sc->tz_person || p->tz != NULL || dir == NULL ||
	    dir->profile == NULL || config_person_id(p,
	    sc->channel->platform) == NULL)
		return 0;
	if (!dir->ready(sc->channel, &why)) {
		free(why);
		return 0;
	}
	if (store_person_channel(z->store, sc->channel->name, p->name,
	    &pc) == -1)
		return 0;
	fresh = pc.tz_checked_at > 0 &&
	    now - pc.tz_checked_at < ZONES_INTERVAL_SECONDS;
	store_person_channel_clear(&pc);
	return !fresh;
}

/* Order lookups by channel and person, so one person is asked once. */
static int
zones_ask_cmp(const void *a, const void *b)
{
	const struct zones_ask *x = a, *y = b;
	int c = strcmp(x->channel, y->channel);

	return c != 0 ? c : strcmp(x->person, y->person);
}

/* Start a round: everyone whose zone is due for a lookup, once each. */
static void
zones_round(struct zones *z)
{
	const struct config *cfg = z->cfg;
	int64_t now = clock_now(z->clock);
	size_t n = 0, max = 0, kept = 0;

	zones_clear(z);
	z->next = 0;
	z->changed = 0;
	for (size_t i = 0; i < cfg->nschedules; i++)
		max += cfg->schedules[i].nto;
	z->asks = xcalloc(max + 1, sizeof *z->asks);
	for (size_t i = 0; i < cfg->nschedules; i++) {
		const struct config_schedule *sc = &cfg->schedules[i];

		for (size_t k = 0; k < sc->nto; k++) {
			const struct config_person *p = &cfg->people[sc->to[k]];

			if (!zones_wanted(z, sc, p, now))
				continue;
			z->asks[n].channel = xstrdup(sc->channel->name);
			z->asks[n].person = xstrdup(p->name);
			z->asks[n++].user = xstrdup(config_person_id(p,
			    sc->channel->platform));
		}
	}
	qsort(z->asks, n, sizeof *z->asks, zones_ask_cmp);
	for (size_t i = 0; i < n; i++) {
		if (kept > 0 && zones_ask_cmp(&z->asks[kept - 1],
		    &z->asks[i]) == 0) {
			free(z->asks[i].channel);
			free(z->asks[i].person);
			free(z->asks[i].user);
			continue;
		}
		z->asks[kept++] = z->asks[i];
	}
	z->nasks = kept;
	if (kept > 0)
		log_info("zones: looking up %zu %s profile zone%s", kept,
		    kept == 1 ? "person's" : "people's", kept == 1 ? "" : "s");
	zones_arm(z, 0);
}

/* Wake in ms milliseconds. */
static void
zones_arm(struct zones *z, int64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000 };

	event_add(z->ev, &tv);
}

/* The next lookup, or the round's end: refresh the scheduler, sleep a day. */
static void
zones_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct zones *z = arg;
	struct zones_ask *ask;
	const struct config_channel *cc;
	struct chat_request req;
	char *url;

	(void)fd;
	(void)what;
	if (z->in_flight)
		return;
	while (z->next < z->nasks) {
		ask = &z->asks[z->next];
		cc = config_find_channel(z->cfg, ask->channel);
		if (cc == NULL || cc->platform->direct == NULL ||
		    cc->platform->direct->profile == NULL) {
			z->next++;
			continue;
		}
		url = cc->platform->direct->profile(cc, ask->user, &req);
		if (apicall_post(z->api, url, &req, ZONES_TIMEOUT_MS,
		    zones_done_cb, z) == -1) {
			log_warnx("zones: %s's profile: could not start the call",
			    ask->person);
			chat_request_free(&req);
			z->next++;
		} else
			z->in_flight = 1;
		free(url);
		if (z->in_flight)
			return;
	}
	if (z->changed && scheduler_refresh(z->scheduler) == -1)
		log_warnx("zones: the schedules could not re-read people's "
		    "zones; they will at the next reload");
	z->changed = 0;
	zones_clear(z);
	z->nasks = z->next = 0;
	zones_arm(z, (int64_t)ZONES_INTERVAL_SECONDS * 1000);
}

/* A lookup ended: keep what it found, go on to the next. */
static void
zones_done_cb(void *arg, const struct apicall_result *res)
{
	struct zones *z = arg;
	struct chat_direct_answer a = { 0 };
	const struct config_channel *cc;
	struct zones_ask *ask;

	z->in_flight = 0;
	if (z->next >= z->nasks) {	/* a reload dropped the round */
		zones_round(z);
		return;
	}
	ask = &z->asks[z->next];
	cc = config_find_channel(z->cfg, ask->channel);
	if (res->error != NULL) {
		a.cls = CHAT_DIRECT_RETRY;
		a.error = xstrdup(res->error);
	} else if (cc != NULL && cc->platform->direct != NULL &&
	    cc->platform->direct->profile_read != NULL)
		cc->platform->direct->profile_read(res->status, res->body,
		    res->len, &a);
	else
		a.cls = CHAT_DIRECT_FAIL;
	zones_heard(z, ask, &a);
	chat_direct_answer_free(&a);
}

/* What a lookup's answer means: keep the zone, retry later, or say why not. */
static void
zones_heard(struct zones *z, struct zones_ask *ask,
    const struct chat_direct_answer *a)
{
	struct store_person_channel pc;
	const char *why = a->error != NULL ? a->error : "no reason given";

	if (a->cls == CHAT_DIRECT_RETRY && ++ask->tries < ZONES_RETRIES) {
		log_info("zones: %s's profile: %s; again in a minute",
		    ask->person, why);
		zones_arm(z, ZONES_RETRY_MS);
		return;
	}
	z->next++;
	zones_arm(z, ZONES_SPACING_MS);
	if (a->cls == CHAT_DIRECT_AUTH) {
		if (!zones_told_refused(z, ask->channel))
			log_warnx("zones: channel %s: profiles cannot be read: "
			    "%s (the app needs the users:read scope)",
			    ask->channel, why);
		return;
	}
	if (a->cls != CHAT_DIRECT_OK) {
		log_notice("zones: %s's profile: %s; their zone stays as it "
		    "was", ask->person, why);
		return;
	}
	if (store_person_channel(z->store, ask->channel, ask->person,
	    &pc) == -1)
		return;
	if ((pc.tz == NULL) != (a->tz == NULL) || (a->tz != NULL &&
	    strcmp(pc.tz, a->tz) != 0)) {
		z->changed = 1;
		log_info("zones: %s's profile zone is %s", ask->person,
		    a->tz != NULL ? a->tz : "not set");
	}
	store_person_channel_clear(&pc);
	if (store_set_person_tz(z->store, ask->channel, ask->person, a->tz,
	    clock_now(z->clock)) == -1)
		log_warnx("zones: %s's profile zone could not be kept",
		    ask->person);
}

/* Whether a channel's refusal was told this round (and now it is). */
static int
zones_told_refused(struct zones *z, const char *channel)
{
	for (size_t i = 0; i < z->nrefused; i++)
		if (strcmp(z->refused[i], channel) == 0)
			return 1;
	z->refused = xreallocarray(z->refused, z->nrefused + 1,
	    sizeof *z->refused);
	z->refused[z->nrefused++] = xstrdup(channel);
	return 0;
}
