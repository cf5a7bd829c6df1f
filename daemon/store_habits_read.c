/* SPDX-License-Identifier: ISC */
/*
 * The queries a stats read runs on the kept measures (store_habits.c):
 * the kept part and the fresh one (temp.habits_now, temp.stats_grid)
 * together, giving the rows store_stats.c's from-scratch queries give.
 * Queries not listed here are store_stats.c's, or store_habits_recent.c's.
 */
#include "store.h"

#include <stddef.h>

#include "store_int.h"

/* Per person, kept and fresh: where their counted deliveries start, how many, answered. */
#define HABITS_TOTALS \
	"totals AS (SELECT channel, user_id, min(first_due) AS first_due, " \
	"  sum(n) AS n, sum(answers) AS answers FROM temp.habits_now GROUP BY " \
	"  channel, user_id)"

/* Answers per prompt, kept and fresh (columns channel, user_id, prompt_id, n). */
#define HABITS_PROMPTS \
	"(SELECT h.channel, h.user_id, h.prompt_id, h.n FROM habits_prompts h " \
	"  WHERE " HABITS_WHO("h") " UNION ALL SELECT g.channel, g.user_id, " \
	"  coalesce(d.prompt_id, ''), 1 FROM temp.stats_grid g JOIN " \
	"  deliveries d ON d.id = g.id WHERE g.first_at IS NOT NULL) x"

/*
 * One person's heatmap from their own answers, as store_stats.c reads
 * them but walking only theirs (replies_by_person); everyone's is kept
 * (store_habits_recent.c).
 */
#define HABITS_ONE_DAYS \
	"SELECT channel, day, count(*) FROM (SELECT DISTINCT r.channel, " \
	"r.delivery_id, r.user_id, " STATS_DAY("r.received_at") " AS day " \
	"FROM replies r CROSS JOIN deliveries d WHERE d.id = r.delivery_id " \
	"AND (" STATS_ALL("?1") " OR r.channel = ?1) AND r.user_id = ?2 " \
	"AND d.due_at " \
	">= ?3 AND r.received_at >= ?5 * 86400 - 172800) x WHERE day >= ?5 " \
	"GROUP BY channel, day ORDER BY 1, 2"

/*
 * The kept weeks with an answer, and the fresh ones not among them; the
 * people in scope found in habits_active directly (everyone) or through
 * habits_people (one person: their rows by key).
 */
#define HABITS_ACTIVE_WEEKS(from, who) \
	"SELECT channel, user_id, sum(n) FROM (SELECT h.channel, h.user_id, " \
	"count(*) AS n FROM " from " WHERE " who " GROUP BY h.channel, " \
	"h.user_id UNION ALL SELECT t.channel, t.user_id, count(*) FROM " \
	"(SELECT DISTINCT g.channel, g.user_id, " STATS_WEEK("g.first_at") \
	" AS w FROM temp.stats_grid g WHERE g.first_at IS NOT NULL) t WHERE " \
	"NOT EXISTS (SELECT 1 FROM habits_active h WHERE h.channel = " \
	"t.channel AND h.user_id = t.user_id AND h.week = t.w) GROUP BY " \
	"t.channel, t.user_id) x GROUP BY channel, user_id"

/* One person's, where they differ from everyone's. */
static const char *const habits_sql_one[] = {
	[STORE_STATS_ACTIVE_WEEKS] = HABITS_ACTIVE_WEEKS("habits_people p "
	    "CROSS JOIN habits_active h", "h.channel = p.channel AND h.user_id "
	    "= p.user_id AND " HABITS_WHO("p")),
	[STORE_STATS_CHANNEL_DAYS] = HABITS_ONE_DAYS,
};

/* The queries that read the kept part; the others are store_stats.c's. */
static const char *const habits_sql[] = {
	[STORE_STATS_PEOPLE] =
	"WITH " HABITS_TOTALS " "
	"SELECT x.channel, x.user_id, (SELECT r.user_name FROM replies r WHERE "
	"r.channel = x.channel AND r.user_id = x.user_id AND r.user_name IS NOT "
	"NULL ORDER BY r.received_at DESC LIMIT 1), x.answers, x.n, (SELECT "
	"count(*) FROM deliveries d WHERE d.channel = x.channel AND d.state = "
	"'sent' AND d.kind = 'prompt' AND d.due_at > CASE WHEN x.first_due - 1 "
	"> ?4 - " HABITS_LONGEST " THEN x.first_due - 1 ELSE ?4 - "
	HABITS_LONGEST " END AND d.due_at > ?4 - " STATS_WINDOW("d") " AND NOT "
	"EXISTS (SELECT 1 FROM replies r WHERE r.delivery_id = d.id AND "
	"r.user_id = x.user_id) AND NOT " STATS_AWAY("x.user_id", "d") ") FROM "
	"totals x ORDER BY 1, 2",

	[STORE_STATS_STREAKS] =
	"SELECT channel, user_id, schedule, longest, tail FROM temp.habits_now "
	"ORDER BY 1, 2, 3",

	/* The kept weeks, and the fresh ones not among them. */
	[STORE_STATS_ACTIVE_WEEKS] = HABITS_ACTIVE_WEEKS("habits_active h",
	    HABITS_WHO("h")),

	[STORE_STATS_USER_PROMPTS] =
	"SELECT channel, user_id, prompt_id, sum(n) FROM " HABITS_PROMPTS
	" GROUP BY channel, user_id, prompt_id",

	[STORE_STATS_CHANNELS] =
	"WITH " HABITS_TOTALS ", "
	"ca AS (SELECT channel, sum(answers) AS answers, sum(n - answers) AS "
	"  missed, count(*) AS people FROM totals GROUP BY channel) "
	"SELECT d.channel, count(*), coalesce(ca.answers, 0), coalesce("
	"ca.people, 0), coalesce(ca.missed, 0), sum(CASE WHEN d.due_at > ?4 - "
	HABITS_LONGEST " AND d.due_at > ?4 - " STATS_WINDOW("d") " THEN 1 ELSE "
	"0 END) FROM deliveries d LEFT JOIN ca ON ca.channel = d.channel WHERE "
	"d.state = 'sent' AND d.kind = 'prompt' AND d.due_at >= ?3 AND ("
	STATS_ALL("?1") " OR d.channel = ?1) GROUP BY d.channel, ca.answers, ca.people, "
	"ca.missed ORDER BY 1",

	[STORE_STATS_TOP_PROMPTS] =
	"WITH pc AS (SELECT channel, prompt_id, sum(n) AS n FROM "
	HABITS_PROMPTS " GROUP BY channel, prompt_id), "
	"ranked AS (SELECT channel, prompt_id, n, row_number() OVER (PARTITION "
	"  BY channel ORDER BY n DESC, prompt_id) AS rk FROM pc) "
	"SELECT channel, prompt_id, n, rk FROM ranked WHERE rk <= ?5 ORDER BY "
	"channel, rk",
};

/* The kept part's SQL for a query, or NULL where store_stats.c's serves. */
const char *
store_habits_sql(struct store *st, enum store_stats_query q)
{
	if (st->stats->user != NULL && (size_t)q < sizeof habits_sql_one /
	    sizeof habits_sql_one[0] && habits_sql_one[q] != NULL)
		return habits_sql_one[q];
	if (store_habits_recent_sql(st, q) != NULL)
		return store_habits_recent_sql(st, q);
	return (size_t)q < sizeof habits_sql / sizeof habits_sql[0] ?
	    habits_sql[q] : NULL;
}
