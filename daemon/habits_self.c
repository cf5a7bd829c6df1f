/* SPDX-License-Identifier: ISC */
/*
 * People's own choices in the stats: an absence a person gave with
 * "/reflect away" counts like the config's "away" (their unanswered nudges
 * then do not count), and each person's row says whether they paused or
 * are away.
 */
#include "habits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "store.h"
#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

static const struct config_person *habits_self_person(const struct config *,
		    const char *, const char *);
static int64_t	habits_self_day_start(const struct tz *, int64_t);
static void	habits_self_date(cJSON *, const char *, int64_t);

/* The configured person with user's id on channel's platform, or NULL. */
static const struct config_person *
habits_self_person(const struct config *cfg, const char *channel,
    const char *user)
{
	const struct config_channel *c = config_find_channel(cfg, channel);
	const char *id;

	for (size_t i = 0; c != NULL && i < cfg->npeople; i++) {
		id = config_person_id(&cfg->people[i], c->platform);
		if (id != NULL && strcmp(id, user) == 0)
			return &cfg->people[i];
	}
	return NULL;
}

/* The UTC instant a local day (days since 1970-01-01) starts in zone. */
static int64_t
habits_self_day_start(const struct tz *zone, int64_t day)
{
	int y, m, d;

	timefmt_civil_from_days(day, &y, &m, &d);
	return tz_from_local(zone, y, m, d, 0, 0, 0);
}

/* A local day as "YYYY-MM-DD" under key. */
static void
habits_self_date(cJSON *o, const char *key, int64_t day)
{
	char buf[16];
	int y, m, d;

	timefmt_civil_from_days(day, &y, &m, &d);
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
	cJSON_AddStringToObject(o, key, buf);
}

/*
 * Append each configured person's own absence to *away (n entries, grown
 * as needed): one entry per id they have, every channel, their own days.
 */
void
habits_self_away(struct store *st, const struct config *cfg,
    struct store_away **away, size_t *n)
{
	const struct config_person *p;
	struct store_person_state ps;

	for (size_t i = 0; st != NULL && i < cfg->npeople; i++) {
		p = &cfg->people[i];
		if (store_person_state(st, p->name, &ps) == -1 ||
		    ps.away_from < 0)
			continue;
		for (size_t j = 0; j < p->nids; j++) {
			*away = xreallocarray(*away, *n + 1, sizeof **away);
			(*away)[(*n)++] = (struct store_away){ p->ids[j].id,
			    NULL, habits_self_day_start(p->tz ? p->tz : cfg->tz,
			    ps.away_from), habits_self_day_start(p->tz ? p->tz :
			    cfg->tz, ps.away_until + 1) };
		}
	}
}

/* Mark each person's row with their pause ("paused_since") and absence. */
void
habits_self_mark(struct store *st, const struct config *cfg, cJSON *people)
{
	const struct config_person *who;
	struct store_person_state ps;
	cJSON *row;
	char when[32];

	cJSON_ArrayForEach(row, people) {
		who = habits_self_person(cfg, cJSON_GetObjectItem(row,
		    "channel")->valuestring, cJSON_GetObjectItem(row,
		    "user")->valuestring);
		if (st == NULL || who == NULL ||
		    store_person_state(st, who->name, &ps) == -1)
			continue;
		cJSON_AddStringToObject(row, "person", who->name);
		if (ps.paused_at != 0) {
			timefmt_utc(ps.paused_at, when, sizeof when);
			cJSON_AddStringToObject(row, "paused_since", when);
		}
		if (ps.away_from >= 0) {
			habits_self_date(row, "away_from", ps.away_from);
			habits_self_date(row, "away_until", ps.away_until);
		}
	}
}

/* After a person's line in the table: "paused", "away FROM to UNTIL". */
void
habits_self_print(FILE *out, const cJSON *row)
{
	const cJSON *from = cJSON_GetObjectItem(row, "away_from");
	const cJSON *until = cJSON_GetObjectItem(row, "away_until");

	if (cJSON_IsString(cJSON_GetObjectItem(row, "paused_since")))
		fputs("  paused", out);
	if (cJSON_IsString(from) && cJSON_IsString(until))
		fprintf(out, "  away %s to %s", from->valuestring,
		    until->valuestring);
}
