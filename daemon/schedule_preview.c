/* SPDX-License-Identifier: ISC */
/*
 * Looking ahead at the schedules without running them: the upcoming
 * instants of each schedule and person (`nudged next`), and the
 * daylight-saving days a schedule meets (`nudged check`).
 */
#include "schedule.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cron.h"
#include "tz.h"
#include "xmalloc.h"

static int64_t	 schedule_preview_next(const struct schedule_instant *,
		    int64_t);
static void	 schedule_note(char ***, size_t *, char *);
static void	 schedule_dst_note(const struct config_schedule *,
		    const struct tz *, int64_t, char ***, size_t *);

/*
 * The upcoming instants of the pairs slots (schedule_preview_slots, their
 * zones as the caller knows them) in (from, until], merged in time order,
 * at most max of them. Used by `nudged next`.
 */
size_t
schedule_preview(const struct schedule_instant *slots, size_t nslots,
    int64_t from, int64_t until, size_t max, struct schedule_instant *out)
{
	size_t n = 0, best;
	struct schedule_instant *slot = xcalloc(nslots + 1, sizeof *slot);

	memcpy(slot, slots, nslots * sizeof *slot);
	for (size_t i = 0; i < nslots; i++)
		slot[i].at = schedule_preview_next(&slot[i], from);
	while (n < max) {
		best = nslots;
		for (size_t i = 0; i < nslots; i++) {
			if (slot[i].at <= until && (best == nslots ||
			    slot[i].at < slot[best].at))
				best = i;
		}
		if (best == nslots)
			break;
		out[n] = slot[best];
		out[n++].skipped = schedule_skips_in(slot[best].schedule,
		    slot[best].tz, slot[best].at);
		slot[best].at = schedule_preview_next(&slot[best], slot[best].at);
	}
	free(slot);
	return n;
}

/*
 * The (schedule, person) pairs a preview walks: a schedule's channel, or
 * each person it asks directly, on their zone as far as the config tells
 * it (a zone from a person's profile is in the store: the caller may set
 * it).
 * Fills out when not NULL; the number of pairs.
 */
size_t
schedule_preview_slots(const struct config *cfg, struct schedule_instant *out)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->nschedules; i++) {
		const struct config_schedule *sc = &cfg->schedules[i];

		for (size_t k = 0; k < (sc->nto > 0 ? sc->nto : 1); k++, n++) {
			const struct config_person *p = sc->nto > 0 ?
			    &cfg->people[sc->to[k]] : NULL;

			if (out == NULL)
				continue;
			out[n].schedule = sc;
			out[n].person = p;
			out[n].slot = n;
			out[n].tz = !sc->tz_person ? sc->tz : p->tz != NULL ?
			    p->tz : cfg->tz;
		}
	}
	return n;
}

/* A preview pair's next instant strictly after t, or INT64_MAX. */
static int64_t
schedule_preview_next(const struct schedule_instant *si, int64_t t)
{
	int64_t next;

	if (cron_next(si->schedule->cron, si->tz, t, &next) == -1)
		return INT64_MAX;
	return next;
}

/* Add one note to a growing list. */
static void
schedule_note(char ***notes, size_t *n, char *note)
{
	*notes = xreallocarray(*notes, *n + 1, sizeof **notes);
	(*notes)[(*n)++] = note;
}

/*
 * One schedule's notes for a transition at t: whether it wants a wall time
 * in the gap (clocks forward) or in the repeated hour (clocks back), and
 * what nudged does then. Wall times are matched with cron in UTC, where the
 * wall clock and UTC agree.
 */
static void
schedule_dst_note(const struct config_schedule *sc, const struct tz *utc,
    int64_t t, char ***notes, size_t *n)
{
	int32_t before = tz_offset(sc->tz, t - 1, NULL);
	int32_t after = tz_offset(sc->tz, t, NULL);
	int64_t start = t + (before < after ? before : after);
	int64_t end = t + (before < after ? after : before), wall, fire;
	struct tz_local l;
	char *note;

	if (cron_next(sc->cron, utc, start - 1, &wall) == -1 || wall >= end)
		return;
	tz_to_local(utc, wall, &l);
	if (after > before) {
		if (cron_is_frequent(sc->cron))
			xasprintf(&note, "schedule \"%s\": %02d:%02d on %04d-%02d-%02d "
			    "does not exist in %s (clocks go forward); it runs on "
			    "real time, so no run is lost", sc->name, l.hour, l.min,
			    l.year, l.month, l.day, tz_name(sc->tz));
		else {
			struct tz_local f;

			fire = tz_from_local(sc->tz, l.year, l.month, l.day, l.hour,
			    l.min, 0);
			tz_to_local(sc->tz, fire, &f);
			xasprintf(&note, "schedule \"%s\": %02d:%02d on "
			    "%04d-%02d-%02d does not exist in %s (clocks go forward); "
			    "it fires once, at %02d:%02d %s", sc->name, l.hour, l.min,
			    l.year, l.month, l.day, tz_name(sc->tz), f.hour, f.min,
			    f.abbr);
		}
	} else
		xasprintf(&note, "schedule \"%s\": %02d:%02d on %04d-%02d-%02d "
		    "happens twice in %s (clocks go back); %s", sc->name, l.hour,
		    l.min, l.year, l.month, l.day, tz_name(sc->tz),
		    cron_is_frequent(sc->cron) ? "it runs on real time, in both "
		    "hours" : "it fires once, at the first");
	schedule_note(notes, n, note);
}

/*
 * Notes on schedules that meet a daylight-saving change in (from, until]:
 * a wall time that does not exist, or that happens twice. For `nudged check`.
 */
size_t
schedule_dst_notes(const struct config *cfg, int64_t from, int64_t until,
    char ***notes)
{
	char *cause = NULL;
	struct tz *utc = tz_load("UTC", &cause);
	size_t n = 0;
	int64_t t;

	*notes = NULL;
	if (utc == NULL) {
		schedule_note(notes, &n, cause);
		return n;
	}
	for (size_t i = 0; i < cfg->nschedules; i++) {
		const struct config_schedule *sc = &cfg->schedules[i];

		for (t = from; tz_next_transition(sc->tz, t, &t) == 0 &&
		    t <= until;)
			schedule_dst_note(sc, utc, t, notes, &n);
	}
	tz_free(utc);
	return n;
}
