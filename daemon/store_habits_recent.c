/* SPDX-License-Identifier: ISC */
/*
 * The recent weeks and days of the stats document, kept too (see
 * store_habits.c): everyone's trend and heatmap would otherwise read every
 * answer of the last 12 and 26 weeks at each read. Kept like the rest for
 * deliveries due at or before the horizon H, and read as the kept rows
 * plus the answers to deliveries due after H:
 *
 *   habits_user_weeks	per person and local week an answer was received
 *			in: the nudges they answered that week (any kind);
 *   habits_channel_weeks	per channel, local week a nudge came due in, and
 *			person: the sent nudges of that week they answered;
 *   habits_days		per channel and local day an answer was received
 *			on: the (nudge, person) pairs answered that day.
 *
 * The first two are per person, built again with them; a day mixes
 * people, so a day an answer was added to or deleted from is counted
 * again whole. One person's document reads their own answers instead.
 */
#include "store.h"

#include <stdint.h>

#include "store_int.h"

/*
 * Answers to deliveries due in (?1, ?2] as rows (channel, user, nudge,
 * received), nudges first (a short range after the horizon), or people
 * first for those in temp.habits_redo (all their answers, by
 * replies_by_user: joined from the temp table instead, SQLite built an
 * automatic index of every answer, a second at a million).
 */
#define RECENT_BY_NUDGE(cols) \
	"SELECT DISTINCT " cols " FROM deliveries d CROSS JOIN replies r " \
	"WHERE r.delivery_id = d.id AND d.due_at > ?1 AND d.due_at <= ?2"
#define RECENT_BY_PERSON(cols) \
	"SELECT DISTINCT " cols " FROM replies r CROSS JOIN deliveries d " \
	"WHERE (r.channel, r.user_id) IN (SELECT channel, user_id FROM " \
	"temp.habits_redo) AND d.id = r.delivery_id AND d.due_at > ?1 AND " \
	"d.due_at <= ?2"

#define RECENT_USER_WEEK_COLS \
	"r.channel, r.user_id, r.delivery_id, " STATS_WEEK("r.received_at") \
	" AS w"
#define RECENT_DAY_COLS \
	"r.channel, r.delivery_id, r.user_id, " STATS_DAY("r.received_at") \
	" AS day"

#define RECENT_ADD_USER_WEEKS(src) \
	"INSERT INTO habits_user_weeks (channel, user_id, week, n) SELECT " \
	"channel, user_id, w, count(*) FROM (" src ") x WHERE true GROUP BY " \
	"channel, user_id, w ON CONFLICT (week, channel, user_id) DO UPDATE " \
	"SET n = habits_user_weeks.n + excluded.n"
#define RECENT_ADD_DAYS(src) \
	"INSERT INTO habits_days (channel, day, n) SELECT channel, day, " \
	"count(*) FROM (" src ") x WHERE true GROUP BY channel, day ON " \
	"CONFLICT (day, channel) DO UPDATE SET n = habits_days.n + excluded.n"

/* The grid's answered rows (kept or fresh) per channel, week due, person. */
static const char recent_channel_weeks_sql[] =
	"INSERT INTO habits_channel_weeks (channel, week, user_id, n) SELECT "
	"channel, " STATS_WEEK("due_at") ", user_id, count(*) FROM "
	"temp.stats_grid WHERE first_at IS NOT NULL GROUP BY channel, "
	STATS_WEEK("due_at") ", user_id ON CONFLICT (week, channel, user_id) "
	"DO UPDATE SET n = habits_channel_weeks.n + excluded.n";

/*
 * The recent weeks and days: kept rows, then the answers to deliveries
 * due after the horizon (?6). Days are everyone's only.
 */
static const char *const recent_sql[] = {
	[STORE_STATS_USER_WEEKS] =
	"SELECT channel, user_id, w, sum(n) FROM (SELECT h.channel, h.user_id, "
	"h.week AS w, h.n FROM habits_user_weeks h WHERE h.week >= ?5 AND "
	HABITS_WHO("h") " UNION ALL SELECT channel, user_id, w, "
	"count(*) FROM (SELECT DISTINCT " RECENT_USER_WEEK_COLS " FROM "
	"deliveries d CROSS JOIN replies r WHERE r.delivery_id = d.id AND "
	"d.due_at > ?6 AND d.due_at >= ?3 AND " HABITS_WHO("r") " AND "
	"r.received_at >= (?5 * 7 - 3) * 86400 - 172800) y WHERE w >= ?5 "
	"GROUP BY channel, user_id, w) x GROUP BY channel, user_id, w ORDER BY "
	"1, 2, 3",

	[STORE_STATS_CHANNEL_WEEKS] =
	"WITH n AS (SELECT channel, w, count(*) AS deliveries FROM (SELECT "
	"  d.channel, " STATS_WEEK("d.due_at") " AS w FROM deliveries d WHERE "
	"  d.state = 'sent' AND d.kind = 'prompt' AND d.due_at >= ?3 AND "
	"  d.due_at >= (?5 * 7 - 3) * 86400 - 172800 AND ("
	STATS_ALL("?1") " OR "
	"  d.channel = ?1)) x WHERE w >= ?5 GROUP BY channel, w), "
	"a AS (SELECT channel, w, sum(n) AS answers, count(DISTINCT user_id) AS "
	"  people FROM (SELECT h.channel, h.week AS w, h.user_id, h.n FROM "
	"  habits_channel_weeks h WHERE h.week >= ?5 AND " HABITS_WHO("h")
	" UNION ALL SELECT g.channel, " STATS_WEEK("g.due_at")
	", g.user_id, 1 FROM temp.stats_grid g WHERE g.first_at IS NOT NULL) "
	"  y WHERE w >= ?5 GROUP BY channel, w) "
	"SELECT n.channel, n.w, n.deliveries, coalesce(a.answers, 0), "
	"coalesce(a.people, 0) FROM n LEFT JOIN a ON a.channel = n.channel AND "
	"a.w = n.w ORDER BY 1, 2",

	[STORE_STATS_CHANNEL_DAYS] =
	"SELECT channel, day, sum(n) FROM (SELECT h.channel, h.day, h.n FROM "
	"habits_days h WHERE h.day >= ?5 AND (" STATS_ALL("?1") " OR "
	"h.channel = ?1) "
	"UNION ALL SELECT channel, day, count(*) FROM (SELECT DISTINCT "
	RECENT_DAY_COLS " FROM deliveries d CROSS JOIN replies r WHERE "
	"r.delivery_id = d.id AND d.due_at > ?6 AND d.due_at >= ?3 AND ("
	STATS_ALL("?1") " OR r.channel = ?1) AND r.received_at >= ?5 * 86400 - 172800) y "
	"WHERE day >= ?5 GROUP BY channel, day) x GROUP BY channel, day ORDER "
	"BY 1, 2",
};

static int	recent_run(struct store *, const char *, int64_t, int64_t);

/* The kept SQL for a recent query in the scope, or NULL. */
const char *
store_habits_recent_sql(struct store *st, enum store_stats_query q)
{
	if (q == STORE_STATS_CHANNEL_DAYS && st->stats->user != NULL)
		return NULL;
	return (size_t)q < sizeof recent_sql / sizeof recent_sql[0] ?
	    recent_sql[q] : NULL;
}

/* Run a statement with ?1 lo and ?2 hi. */
static int
recent_run(struct store *st, const char *sql, int64_t lo, int64_t hi)
{
	struct db_stmt *stmt = store_prepare(st, sql);

	if (stmt == NULL)
		return -1;
	db_bind_int(stmt, 1, lo);
	db_bind_int(stmt, 2, hi);
	return store_write(st, stmt, NULL);
}

/*
 * Keep the deliveries due in (lo, hi], after the grid of the same range
 * was built (of only the people in temp.habits_redo if only_redo).
 */
int
store_habits_recent_build(struct store *st, int64_t lo, int64_t hi,
    int only_redo)
{
	if (store_exec(st, recent_channel_weeks_sql) == -1)
		return -1;
	if (only_redo)
		return recent_run(st, RECENT_ADD_USER_WEEKS(
		    RECENT_BY_PERSON(RECENT_USER_WEEK_COLS)), lo, hi);
	if (recent_run(st, RECENT_ADD_USER_WEEKS(
	    RECENT_BY_NUDGE(RECENT_USER_WEEK_COLS)), lo, hi) == -1)
		return -1;
	return recent_run(st, RECENT_ADD_DAYS(RECENT_BY_NUDGE(RECENT_DAY_COLS)),
	    lo, hi);
}

/*
 * Before the people in temp.habits_redo are built again up to h: drop
 * their weeks, and count again every day an answer in temp.habits_seen was
 * received on (to a delivery due at or before h) from every answer that day.
 */
int
store_habits_recent_catch_up(struct store *st, int64_t h)
{
	if (store_exec(st, "DELETE FROM habits_user_weeks WHERE (channel, "
	    "user_id) IN (SELECT channel, user_id FROM temp.habits_redo);"
	    "DELETE FROM habits_channel_weeks WHERE (channel, user_id) IN "
	    "(SELECT channel, user_id FROM temp.habits_redo);"
	    "DELETE FROM temp.habits_redo_days;"
	    "INSERT INTO temp.habits_redo_days (channel, day) SELECT DISTINCT "
	    "channel, " STATS_DAY("received_at") " FROM temp.habits_seen WHERE "
	    "received_at IS NOT NULL;"
	    "DELETE FROM habits_days WHERE (channel, day) IN (SELECT channel, "
	    "day FROM temp.habits_redo_days)") == -1)
		return -1;
	/* The answers due up to h (?1), received within those days. */
	return recent_run(st, RECENT_ADD_DAYS("SELECT DISTINCT " RECENT_DAY_COLS
	    " FROM replies r CROSS JOIN deliveries d WHERE d.id = "
	    "r.delivery_id AND d.due_at <= ?1 AND r.received_at >= (SELECT "
	    "min(day) FROM temp.habits_redo_days) * 86400 - 172800 AND "
	    "r.received_at < (SELECT max(day) FROM temp.habits_redo_days) * "
	    "86400 + 259200 AND (r.channel, " STATS_DAY("r.received_at") ") IN "
	    "(SELECT channel, day FROM temp.habits_redo_days)"), h, h);
}
