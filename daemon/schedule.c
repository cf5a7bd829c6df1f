/* SPDX-License-Identifier: ISC */
/*
 * Turning schedules into deliveries. The scheduler sleeps on one timerfd set
 * to the earliest due instant (CLOCK_REALTIME, absolute), so it wakes exactly
 * then and is told when the wall clock jumps (TFD_TIMER_CANCEL_ON_SET): after
 * settimeofday, an NTP step or a resume it recomputes from the clock.
 *
 * Each wake handles every instant that came due since a schedule's last
 * processed instant: the newest is enqueued if it is no later than the
 * schedule's catch_up allows, every other one is recorded as skipped with its
 * reason. Enqueuing is idempotent on (schedule, due instant). A burst (many
 * schedules or people due at once) is committed in batches: the first
 * max_in_flight entries, so the outbox starts posting at the instant, then
 * the rest a batch per loop turn while those posts are in flight.
 */
#include "schedule.h"

#include <errno.h>
#include <event2/event.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "bank.h"
#include "chat/chat.h"
#include "clock.h"
#include "config.h"
#include "cron.h"
#include "followup.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

/* Missed instants recorded one by one before the rest are summarised. */
#define SCHEDULE_MAX_RECORDED_MISSES	1000
/* How long to wait before retrying after the store refused a write. */
#define SCHEDULE_RETRY_SECONDS		5
/* Due entries committed per loop turn after a burst's first batch. */
#define SCHEDULE_BURST_BATCH		256
/* Due entries beyond which each enqueue is logged at debug level only. */
#define SCHEDULE_LOG_EACH		16

struct scheduler_entry {
	const struct config_schedule	*sc;
	const struct config_person	*person; /* asked directly, or NULL */
	const struct tz			*tz;	/* whose wall clock the cron reads */
	char				*name;	/* its state's: sc's, "<sc>/digest"
						   or "<sc>@<person>" */
	const struct cron		*cron;	/* sc's, or its digest's */
	int				 digest;
	int64_t				 last;	/* processed up to here */
	int64_t				 next;	/* next due, INT64_MAX: none */
	int64_t				 pending_last; /* last, once committed */
	int64_t				 pending_enqueued; /* for metrics, */
	int64_t				 pending_skipped;  /* once committed */
};

struct scheduler {
	struct event_base	*base;
	const struct clock	*clock;
	struct store		*store;
	const struct config	*cfg;
	const struct bank	*bank;
	struct scheduler_entry	*entries;
	size_t			 n;
	int			 tfd;
	struct event		*ev;
	struct tz		**zones;	/* people's profile zones, loaded */
	size_t			 nzones;
	void			(*enqueued)(void *);
	void			*enqueued_arg;
	struct event		*more;		/* the rest of a burst, next turn */
	int64_t			 burst_now;	/* the wake a burst belongs to */
	size_t			 burst_due;	/* entries due in it, 0: none */
	int64_t			 burst_enqueued;
	int			 quiet;		/* per-enqueue lines at debug */
};

static int	 scheduler_load(struct scheduler *, const struct config *,
		    int64_t);
static size_t	 scheduler_add_entries(struct scheduler *, const struct config *,
		    const struct config_schedule *, struct scheduler_entry *);
static const struct tz *scheduler_person_tz(struct scheduler *,
		    const struct config *, const struct config_schedule *,
		    const struct config_person *);
static int	 scheduler_person_skips(struct scheduler *,
		    const struct scheduler_entry *, int64_t, const char **);
static void	 scheduler_timer_cb(evutil_socket_t, short, void *);
static void	 scheduler_run_due(struct scheduler *, int64_t);
static int	 scheduler_run_batch(struct scheduler *, int64_t, size_t,
		    int *);
static void	 scheduler_more_cb(evutil_socket_t, short, void *);
static void	 scheduler_burst_end(struct scheduler *);
static int	 scheduler_advance(struct scheduler *, struct scheduler_entry *,
		    int64_t, int *);
static int	 scheduler_record(struct scheduler *,
		    struct scheduler_entry *, int64_t, enum store_state,
		    const char *);
static int	 scheduler_enqueue(struct scheduler *,
		    struct scheduler_entry *, int64_t);
static void	 scheduler_arm(struct scheduler *, int64_t);
static int64_t	 scheduler_entry_next(const struct scheduler_entry *, int64_t);
static void	 scheduler_free_entries(struct scheduler_entry *, size_t);
static int64_t	 scheduler_now(const struct scheduler *);

/* The scheduler's clock, in whole UTC seconds. */
static int64_t
scheduler_now(const struct scheduler *s)
{
	return clock_now(s->clock);
}

/* An entry's next instant strictly after t (its schedule's or its digest's cron). */
static int64_t
scheduler_entry_next(const struct scheduler_entry *e, int64_t t)
{
	int64_t next;

	if (cron_next(e->cron, e->tz, t, &next) == -1)
		return INT64_MAX;
	return next;
}

/* Free a set of entries. */
static void
scheduler_free_entries(struct scheduler_entry *entries, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(entries[i].name);
	free(entries);
}

/* Whether an instant falls on a local date the schedule skips. */
int
schedule_skips_instant(const struct config_schedule *sc, int64_t at)
{
	return schedule_skips_in(sc, sc->tz, at);
}

/* Whether an instant falls on a skip date, the date read in zone tz. */
int
schedule_skips_in(const struct config_schedule *sc, const struct tz *tz,
    int64_t at)
{
	if (sc->nskip_days == 0)
		return 0;
	return config_schedule_skips(sc, schedule_local_day(tz, at));
}

/* The local day (since 1970-01-01) an instant falls on in zone tz. */
int64_t
schedule_local_day(const struct tz *tz, int64_t at)
{
	struct tz_local l;

	tz_to_local(tz, at, &l);
	return timefmt_days_from_civil(l.year, l.month, l.day);
}

/* Start scheduling: load state, catch up on what was missed, arm the timer. */
struct scheduler *
scheduler_start(struct event_base *base, const struct clock *clock,
    struct store *store, const struct config *cfg, const struct bank *bank,
    char **cause)
{
	struct scheduler *s = xcalloc(1, sizeof *s);
	int64_t now = clock_now(clock);

	s->base = base;
	s->clock = clock;
	s->store = store;
	s->bank = bank;
	s->tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (s->tfd == -1) {
		xasprintf(cause, "timerfd_create: %s", strerror(errno));
		free(s);
		return NULL;
	}
	s->ev = event_new(base, s->tfd, EV_READ | EV_PERSIST, scheduler_timer_cb,
	    s);
	event_add(s->ev, NULL);
	s->more = evtimer_new(base, scheduler_more_cb, s);
	if (scheduler_load(s, cfg, now) == -1) {
		xasprintf(cause, "cannot read or record schedule state in the "
		    "store");
		scheduler_stop(s);
		return NULL;
	}
	scheduler_run_due(s, now);
	return s;
}

/* Called after each wake that enqueued at least one nudge. */
void
scheduler_on_enqueue(struct scheduler *s, void (*cb)(void *), void *arg)
{
	s->enqueued = cb;
	s->enqueued_arg = arg;
}

/*
 * Build the entries for cfg. A schedule seen for the first time starts now
 * (nothing before its creation is owed) and that start is stored, so a miss
 * after it is caught up even if nudged restarts before the first fire.
 */
static int
scheduler_load(struct scheduler *s, const struct config *cfg, int64_t now)
{
	struct scheduler_entry *entries, *e;
	size_t n = 0, max = 1;
	int found;

	for (size_t i = 0; i < cfg->nschedules; i++)
		max += cfg->schedules[i].nto + 2;
	entries = xcalloc(max, sizeof *entries);
	if (store_begin(s->store) == -1)
		goto fail;
	for (size_t i = 0; i < cfg->nschedules; i++)
		n += scheduler_add_entries(s, cfg, &cfg->schedules[i],
		    entries + n);
	for (size_t i = 0; i < n; i++) {
		e = &entries[i];
		found = store_last_instant(s->store, e->name, &e->last);
		if (found == -1)
			goto fail;
		if (found == 0) {
			e->last = now;
			if (store_set_last_instant(s->store, e->name, now) == -1)
				goto fail;
		}
		e->next = scheduler_entry_next(e, e->last);
	}
	if (store_commit(s->store) == -1)
		goto fail;
	scheduler_free_entries(s->entries, s->n);
	s->entries = entries;
	s->n = n;
	s->cfg = cfg;
	return 0;
fail:
	store_rollback(s->store);
	scheduler_free_entries(entries, n);
	return -1;
}

/*
 * A schedule's entries: one for the channel, or one per person asked
 * directly (each on their own clock with "timezone": "person"), and one for
 * its digest. The number added.
 */
static size_t
scheduler_add_entries(struct scheduler *s, const struct config *cfg,
    const struct config_schedule *sc, struct scheduler_entry *out)
{
	size_t n = 0;

	if (sc->nto == 0) {
		out[n].sc = sc;
		out[n].tz = sc->tz;
		out[n].cron = sc->cron;
		out[n++].name = xstrdup(sc->name);
	}
	for (size_t k = 0; k < sc->nto; k++) {
		const struct config_person *p = &cfg->people[sc->to[k]];

		out[n].sc = sc;
		out[n].person = p;
		out[n].tz = scheduler_person_tz(s, cfg, sc, p);
		out[n].cron = sc->cron;
		xasprintf(&out[n++].name, "%s@%s", sc->name, p->name);
	}
	if (sc->digest != NULL) {
		out[n].sc = sc;
		out[n].tz = sc->tz;
		out[n].cron = sc->digest;
		out[n].digest = 1;
		xasprintf(&out[n++].name, "%s/digest", sc->name);
	}
	return n;
}

/*
 * Whose clock a person's nudges follow: the schedule's zone, or with
 * "timezone": "person" theirs from the config, else their profile's (kept
 * in the store), else the config's.
 */
static const struct tz *
scheduler_person_tz(struct scheduler *s, const struct config *cfg,
    const struct config_schedule *sc, const struct config_person *p)
{
	struct store_person_channel pc;
	const struct tz *tz = cfg->tz;
	struct tz *loaded;
	char *cause = NULL;

	if (!sc->tz_person)
		return sc->tz;
	if (p->tz != NULL)
		return p->tz;
	if (store_person_channel(s->store, sc->channel->name, p->name,
	    &pc) == -1 || pc.tz == NULL) {
		store_person_channel_clear(&pc);
		return tz;
	}
	for (size_t i = 0; i < s->nzones; i++)
		if (strcmp(tz_name(s->zones[i]), pc.tz) == 0)
			tz = s->zones[i];
	if (tz == cfg->tz) {
		if ((loaded = tz_load(pc.tz, &cause)) == NULL) {
			log_warnx("schedule %s: %s's profile zone: %s; using %s",
			    sc->name, p->name, cause, tz_name(tz));
			free(cause);
		} else {
			s->zones = xreallocarray(s->zones, s->nzones + 1,
			    sizeof *s->zones);
			tz = s->zones[s->nzones++] = loaded;
		}
	}
	store_person_channel_clear(&pc);
	return tz;
}

/* Swap in a new configuration; schedules keep their progress by name. -1: keep the old. */
int
scheduler_reload(struct scheduler *s, const struct config *cfg,
    const struct bank *bank)
{
	int64_t now = scheduler_now(s);

	if (scheduler_load(s, cfg, now) == -1)
		return -1;
	s->bank = bank;
	scheduler_run_due(s, now);
	return 0;
}

/* Re-read people's profile zones from the store; -1: keep the old entries. */
int
scheduler_refresh(struct scheduler *s)
{
	return scheduler_reload(s, s->cfg, s->bank);
}

/*
 * The next nudge due: its entry's name (a schedule's, or "<name>/digest"),
 * its schedule and instant; 0 when no schedule will fire again.
 */
int
scheduler_next_due(const struct scheduler *s, const char **name,
    const struct config_schedule **sc, int64_t *at)
{
	const struct scheduler_entry *best = NULL;

	for (size_t i = 0; i < s->n; i++) {
		if (s->entries[i].next != INT64_MAX && (best == NULL ||
		    s->entries[i].next < best->next))
			best = &s->entries[i];
	}
	if (best == NULL)
		return 0;
	*name = best->name;
	*sc = best->sc;
	*at = best->next;
	return 1;
}

/* Stop the timer and free the scheduler. */
void
scheduler_stop(struct scheduler *s)
{
	if (s == NULL)
		return;
	if (s->ev != NULL)
		event_free(s->ev);
	if (s->more != NULL)
		event_free(s->more);
	if (s->tfd != -1)
		close(s->tfd);
	scheduler_free_entries(s->entries, s->n);
	for (size_t i = 0; i < s->nzones; i++)
		tz_free(s->zones[i]);
	free(s->zones);
	free(s);
}

/* The timerfd fired, or the wall clock jumped (ECANCELED): recompute from now. */
static void
scheduler_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct scheduler *s = arg;
	uint64_t expirations;

	(void)what;
	if (read(fd, &expirations, sizeof expirations) == -1) {
		if (errno == ECANCELED)
			log_notice("schedule: the wall clock jumped; recomputing "
			    "due instants");
		else if (errno == EAGAIN)
			return;
		else
			log_warn("schedule: timerfd read");
	}
	scheduler_wake(s);
}

/* Handle everything due by the scheduler's clock now, as when its timer fires. */
void
scheduler_wake(struct scheduler *s)
{
	scheduler_run_due(s, scheduler_now(s));
}

/*
 * Handle everything due by now, then sleep until the next. The first batch
 * (max_in_flight entries) is committed and handed to the outbox at once; a
 * burst beyond it goes on from scheduler_more_cb, a batch per loop turn.
 */
static void
scheduler_run_due(struct scheduler *s, int64_t now)
{
	int64_t earliest = INT64_MAX;
	size_t limit = SCHEDULE_BURST_BATCH;
	struct timeval zero = { 0, 0 };
	int enqueued = 0, more = 0;

	if (s->burst_due == 0) {
		for (size_t i = 0; i < s->n; i++)
			s->burst_due += s->entries[i].next <= now;
		s->burst_now = now;
		s->burst_enqueued = 0;
		s->quiet = s->burst_due > SCHEDULE_LOG_EACH;
		limit = (size_t)s->cfg->delivery.max_in_flight;
	}
	if (s->burst_due > 0 &&
	    (more = scheduler_run_batch(s, now, limit, &enqueued)) == -1)
		goto retry;
	s->burst_enqueued += enqueued;
	if (more) {
		if (enqueued > 0 && s->enqueued != NULL)
			s->enqueued(s->enqueued_arg);
		evtimer_add(s->more, &zero);
		return;
	}
	scheduler_burst_end(s);
	if (schedule_remind(s->store, s->cfg, now, &enqueued) == -1)
		goto retry;
	for (size_t i = 0; i < s->n; i++) {
		if (s->entries[i].next < earliest)
			earliest = s->entries[i].next;
	}
	if (schedule_next_reminder(s->cfg, now) < earliest)
		earliest = schedule_next_reminder(s->cfg, now);
	scheduler_arm(s, earliest);
	if (enqueued > 0 && s->enqueued != NULL)
		s->enqueued(s->enqueued_arg);
	return;
retry:
	/* Nothing more was committed: those instants come due again, never lost. */
	store_rollback(s->store);
	scheduler_burst_end(s);
	log_warnx("schedule: the store refused the write; retrying in %d s",
	    SCHEDULE_RETRY_SECONDS);
	scheduler_arm(s, now + SCHEDULE_RETRY_SECONDS);
}

/*
 * Process up to limit of the entries due by now in one transaction and move
 * their progress on once it is committed: 1 when more are due, 0 when none
 * are left, -1 when the store refused (the caller rolls back).
 */
static int
scheduler_run_batch(struct scheduler *s, int64_t now, size_t limit,
    int *enqueued)
{
	size_t taken = 0, i;

	for (i = 0; i < s->n; i++) {
		s->entries[i].pending_last = s->entries[i].last;
		s->entries[i].pending_enqueued = s->entries[i].pending_skipped = 0;
	}
	if (store_begin(s->store) == -1)
		return -1;
	for (i = 0; i < s->n && taken < limit; i++) {
		if (s->entries[i].next > now)
			continue;
		taken++;
		if (scheduler_advance(s, &s->entries[i], now, enqueued) == -1)
			return -1;
	}
	if (taken == 0)
		store_rollback(s->store);
	else if (store_commit(s->store) == -1)
		return -1;
	/* Committed: only now does progress move on. */
	for (i = 0; i < s->n; i++) {
		struct scheduler_entry *e = &s->entries[i];

		if (e->pending_last != e->last) {
			e->last = e->pending_last;
			e->next = scheduler_entry_next(e, e->last);
		}
		metrics_count_enqueued(e->name, e->sc->channel->platform->name,
		    e->pending_enqueued);
		metrics_count_skipped(e->name, e->sc->channel->platform->name,
		    e->pending_skipped);
	}
	for (i = 0; i < s->n; i++) {
		if (s->entries[i].next <= now)
			return 1;
	}
	return 0;
}

/* The next batch of a burst, one loop turn after the last one. */
static void
scheduler_more_cb(evutil_socket_t fd, short what, void *arg)
{
	struct scheduler *s = arg;

	(void)fd;
	(void)what;
	scheduler_run_due(s, s->burst_now);
}

/* A burst is over (or failed): one summary line instead of a line each. */
static void
scheduler_burst_end(struct scheduler *s)
{
	if (s->quiet && s->burst_enqueued > 0)
		log_info("schedule: %" PRId64 " nudge%s enqueued from %zu due "
		    "schedule entr%s", s->burst_enqueued,
		    s->burst_enqueued == 1 ? "" : "s", s->burst_due,
		    s->burst_due == 1 ? "y" : "ies");
	evtimer_del(s->more);
	s->burst_due = 0;
	s->quiet = 0;
}

/*
 * Process one schedule's instants in (last, now]. All but the newest were
 * missed (nudged down, machine asleep, clock jumped) and are recorded as
 * skipped; the newest is enqueued, unless it falls on a skip date or is later
 * than catch_up allows. Only the newest is ever caught up: no late burst.
 */
static int
scheduler_advance(struct scheduler *s, struct scheduler_entry *e, int64_t now,
    int *enqueued)
{
	const struct config_schedule *sc = e->sc;
	const char *name = e->name, *why = NULL;
	int64_t t = e->next, next, missed = 0, first_missed = 0;
	char at[32], *reason;
	int rc;

	for (; (next = scheduler_entry_next(e, t)) <= now; t = next) {
		if (missed++ == 0)
			first_missed = t;
		if (missed > SCHEDULE_MAX_RECORDED_MISSES)
			continue;
		rc = scheduler_record(s, e, t, STORE_SKIPPED,
		    schedule_skips_in(sc, e->tz, t) ? "skip date" :
		    "missed: nudged was not running at this instant (or the "
		    "clock jumped past it); only the newest miss is caught up");
		if (rc == -1)
			return -1;
	}
	if (missed > 0) {
		char from[32];

		timefmt_utc(first_missed, from, sizeof from);
		timefmt_utc(t, at, sizeof at);
		log_notice("schedule %s: %" PRId64 " instant%s from %s missed "
		    "before %s; recorded as skipped%s", name, missed,
		    missed == 1 ? "" : "s", from, at,
		    missed > SCHEDULE_MAX_RECORDED_MISSES ?
		    " (the oldest beyond 1000 are counted here only)" : "");
	}
	timefmt_utc(t, at, sizeof at);
	if (schedule_skips_in(sc, e->tz, t)) {
		rc = scheduler_record(s, e, t, STORE_SKIPPED, "skip date");
		log_notice("schedule %s: %s is a skip date; not sent", name, at);
	} else if (scheduler_person_skips(s, e, t, &why)) {
		rc = scheduler_record(s, e, t, STORE_SKIPPED, why);
		log_info("schedule %s: %s not sent: %s", name, at, why);
	} else if (now - t > sc->catch_up) {
		xasprintf(&reason, "missed by %" PRId64 " s, more than catch_up "
		    "(%" PRId64 " s) allows", now - t, sc->catch_up);
		rc = scheduler_record(s, e, t, STORE_SKIPPED, reason);
		log_notice("schedule %s: %s %s; not sent", sc->name, at, reason);
		free(reason);
	} else {
		rc = e->digest ? scheduler_record(s, e, t, STORE_PENDING, NULL) :
		    scheduler_enqueue(s, e, t);
		if (rc == 1) {
			(*enqueued)++;
			if (now - t > 1)
				log_notice("schedule %s: caught up %s, %" PRId64
				    " s late", name, at, now - t);
		}
	}
	if (rc == -1 || store_set_last_instant(s->store, name, t) == -1)
		return -1;
	e->pending_last = t;
	return 0;
}

/*
 * Whether a person's nudge at t is not sent, by their own choice (a pause,
 * an absence from /reflect away) or the config's away for their id: 1 and
 * why. A store that cannot be read sends (a question too many beats none).
 */
static int
scheduler_person_skips(struct scheduler *s, const struct scheduler_entry *e,
    int64_t t, const char **why)
{
	struct store_person_state ps;
	const char *id;
	int64_t day;

	if (e->person == NULL)
		return 0;
	if (store_person_state(s->store, e->person->name, &ps) == 0) {
		day = schedule_local_day(e->tz, t);
		if (ps.paused_at != 0 && ps.paused_at <= t) {
			*why = "paused (/reflect pause; /reflect resume ends it)";
			return 1;
		}
		if (ps.away_from != -1 && day >= ps.away_from &&
		    day <= ps.away_until) {
			*why = "away (/reflect away)";
			return 1;
		}
	}
	id = config_person_id(e->person, e->sc->channel->platform);
	for (size_t i = 0; id != NULL && i < s->cfg->naway; i++) {
		const struct config_away *a = &s->cfg->away[i];

		if (strcmp(a->user, id) == 0 && (a->channel == NULL ||
		    strcmp(a->channel, e->sc->channel->name) == 0) &&
		    t >= a->from && t < a->until) {
			*why = "away (the config's \"away\")";
			return 1;
		}
	}
	return 0;
}

/* Insert one delivery row of an entry for an instant; 1 added, 0 already there, -1 error. */
static int
scheduler_record(struct scheduler *s, struct scheduler_entry *e,
    int64_t at, enum store_state state, const char *reason)
{
	struct store_delivery d = {
		.schedule = e->sc->name,
		.channel = e->sc->channel->name,
		.due_at = at,
		.state = state,
		.reason = reason,
		.kind = e->digest ? STORE_KIND_DIGEST : STORE_KIND_PROMPT,
		.person = e->person != NULL ? e->person->name : NULL,
	};
	int rc = store_enqueue(s->store, &d, NULL);

	if (rc == 1)
		(*(state == STORE_SKIPPED ? &e->pending_skipped :
		    &e->pending_enqueued))++;
	if (rc == 1 && state == STORE_PENDING && e->digest)
		log_info("schedule %s: weekly digest enqueued for channel %s",
		    e->name, e->sc->channel->name);
	return rc;
}

/* Enqueue a due instant of an entry for the outbox, logging what happened. */
static int
scheduler_enqueue(struct scheduler *s, struct scheduler_entry *e, int64_t at)
{
	const struct config_schedule *sc = e->sc;
	char when[32], *cause = NULL;
	int64_t id = 0;
	int rc;

	timefmt_utc(at, when, sizeof when);
	rc = schedule_enqueue(s->store, s->bank, sc, e->person != NULL ?
	    e->person->name : NULL, at, STORE_PENDING, &id, &cause);
	if (rc == 2) {
		e->pending_skipped++;
		log_notice("schedule %s: %s not sent: %s", e->name, when, cause);
	} else if (rc == 1) {
		e->pending_enqueued++;
		/* In a burst, scheduler_burst_end logs one line for all. */
		(s->quiet ? log_debug : log_info)("schedule %s: due %s, "
		    "enqueued delivery %" PRId64 " for %s %s", sc->name, when,
		    id, e->person != NULL ?
		    "person" : "channel", e->person != NULL ? e->person->name :
		    sc->channel->name);
	}
	free(cause);
	return rc == 2 ? 0 : rc;
}

/*
 * Set the timerfd to wake at an absolute instant of the scheduler's clock
 * (disarm for none). The timerfd counts on the system's wall clock, so the
 * instant moves by however far the scheduler's clock is from it.
 */
static void
scheduler_arm(struct scheduler *s, int64_t at)
{
	struct itimerspec its = { 0 };
	int64_t ms;

	if (at != INT64_MAX) {
		ms = at * 1000 - clock_offset_ms(s->clock);
		if (ms < 1000)
			ms = 1000;
		its.it_value.tv_sec = (time_t)(ms / 1000);
		its.it_value.tv_nsec = (long)(ms % 1000) * 1000000;
	}
	if (timerfd_settime(s->tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
	    &its, NULL) == -1)
		log_warn("schedule: timerfd_settime");
}
