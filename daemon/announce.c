/* SPDX-License-Identifier: ISC */
/*
 * One sentence each for the log and systemd's STATUS=: "next nudge: schedule
 * daily (channel leaders) at 2026-12-04T08:00:00Z, 09:00 CET in
 * Europe/Berlin", and "schedules added: a; removed: b; changed: c". Secrets
 * are never part of a schedule, so nothing here can print one.
 */
#include "announce.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "schedule.h"
#include "strbuf.h"
#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

static int	 announce_same_strings(char *const *, size_t, char *const *,
		    size_t);
static int	 announce_same_text(const char *, const char *);
static int	 announce_same(const struct config_schedule *,
		    const struct config_schedule *);
static void	 announce_list(struct strbuf *, const char *,
		    const struct config *, const struct config *, int);

/* The next nudge due, with its schedule, channel, UTC instant and local time. */
char *
announce_next(const struct scheduler *s)
{
	const struct config_schedule *sc;
	struct tz_local l;
	const char *name;
	char when[32], *out;
	int64_t at;

	if (s == NULL || !scheduler_next_due(s, &name, &sc, &at))
		return xstrdup("next nudge: none (no schedule fires again)");
	timefmt_utc(at, when, sizeof when);
	tz_to_local(sc->tz, at, &l);
	xasprintf(&out, "next nudge: schedule %s (channel %s) at %s, "
	    "%04d-%02d-%02d %02d:%02d %s in %s", name, sc->channel->name, when,
	    l.year, l.month, l.day, l.hour, l.min, l.abbr, tz_name(sc->tz));
	return out;
}

/* Whether two string lists hold the same strings in the same order. */
static int
announce_same_strings(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++) {
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	}
	return 1;
}

/* Whether two optional strings are equal (both NULL counts). */
static int
announce_same_text(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/* Whether a schedule of the same name does the same in both configs. */
static int
announce_same(const struct config_schedule *a, const struct config_schedule *b)
{
	return strcmp(a->cron_expr, b->cron_expr) == 0 &&
	    strcmp(tz_name(a->tz), tz_name(b->tz)) == 0 &&
	    strcmp(a->channel->name, b->channel->name) == 0 &&
	    announce_same_strings(a->themes, a->nthemes, b->themes, b->nthemes) &&
	    announce_same_strings(a->track, a->ntrack, b->track, b->ntrack) &&
	    a->audience == b->audience && a->nskip_days == b->nskip_days &&
	    (a->nskip_days == 0 || memcmp(a->skip_days, b->skip_days,
	    a->nskip_days * sizeof *a->skip_days) == 0) &&
	    a->catch_up == b->catch_up && a->expiry == b->expiry &&
	    a->answer_window == b->answer_window &&
	    announce_same_text(a->digest_expr, b->digest_expr) &&
	    a->remind_after == b->remind_after;
}

/*
 * Append "; <what>: a, b" for the schedules of from that are missing from
 * other (changed = 0), or present there but different (changed = 1).
 */
static void
announce_list(struct strbuf *b, const char *what, const struct config *from,
    const struct config *other, int changed)
{
	const struct config_schedule *sc, *o;
	int n = 0;

	for (size_t i = 0; i < from->nschedules; i++) {
		sc = &from->schedules[i];
		o = config_find_schedule(other, sc->name);
		if (changed ? o == NULL || announce_same(sc, o) : o != NULL)
			continue;
		strbuf_addf(b, "%s%s", n++ == 0 ? what : ", ", sc->name);
	}
}

/* "schedules added: a; removed: b; changed: c", or "schedules unchanged". */
char *
announce_changes(const struct config *old, const struct config *new)
{
	struct strbuf b = { 0 };
	char *list, *out;

	announce_list(&b, "; added: ", new, old, 0);
	announce_list(&b, "; removed: ", old, new, 0);
	announce_list(&b, "; changed: ", new, old, 1);
	list = strbuf_take(&b);
	if (*list == '\0')
		out = xstrdup("schedules unchanged");
	else
		xasprintf(&out, "schedules%s", list + 1);
	free(list);
	return out;
}
