/*
 * The habit measures, in SQL. store_stats_begin fills three TEMP tables for
 * the queries: people's away ranges, each schedule's answer window, and the
 * configured zone's UTC offsets over time, so that local days and weeks
 * (Monday to Sunday) are computed in SQL with the right daylight-saving
 * boundaries: a local day is (t + offset) / 86400, its week (day + 3) / 7
 * (1970-01-01 was a Thursday).
 *
 * A person is someone who answered on a channel. Their deliveries are the
 * channel's sent nudges from their first answered one on; a nudge they did
 * not answer does not count while it is still open (inside its answer
 * window) or while they were away. Streaks run over one schedule's counted
 * nudges: consecutive answered ones (gaps and islands over row numbers).
 * Skipped and failed deliveries are never sent, so they neither count nor
 * break a streak. An answer is a (delivery, person) pair: answering twice
 * counts once.
 *
 * Query parameters: ?1 channel or NULL, ?2 user or NULL, ?3 since, ?4 now,
 * ?5 the first week or day wanted (where a query takes one).
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "tz.h"
#include "xmalloc.h"

struct store_row {
	sqlite3_stmt	*stmt;
};

/* The local day of an instant column x, and its Monday-based week. */
#define STATS_DAY(x) "((" x " + (SELECT o.off FROM temp.stats_tz o WHERE " \
	"o.from_at <= " x " ORDER BY o.from_at DESC LIMIT 1)) / 86400)"
#define STATS_WEEK(x) "((" STATS_DAY(x) " + 3) / 7)"

/* Replies of people in scope, on deliveries due in scope. */
#define STATS_REPLY_FILTER \
	"(?1 IS NULL OR r.channel = ?1) AND (?2 IS NULL OR r.user_id = ?2) " \
	"AND d.due_at >= ?3"

/* People with their counted deliveries (see the top of this file). */
#define STATS_COUNTED \
	"people AS (SELECT r.channel, r.user_id, min(d.due_at) AS first_due " \
	"  FROM replies r JOIN deliveries d ON d.id = r.delivery_id " \
	"  WHERE " STATS_REPLY_FILTER " GROUP BY r.channel, r.user_id), " \
	"grid AS (SELECT p.channel, p.user_id, d.id, d.schedule, d.due_at, " \
	"  EXISTS (SELECT 1 FROM replies r WHERE r.delivery_id = d.id AND " \
	"  r.user_id = p.user_id) AS answered FROM people p JOIN deliveries d " \
	"  ON d.channel = p.channel AND d.state = 'sent' AND d.kind = 'prompt' AND " \
	"  d.due_at >= p.first_due), " \
	"counted AS (SELECT * FROM grid g WHERE g.answered OR (g.due_at <= ?4 - " \
	"  coalesce((SELECT w.seconds FROM temp.stats_windows w WHERE " \
	"  w.schedule = g.schedule), (SELECT w.seconds FROM temp.stats_windows " \
	"  w WHERE w.schedule IS NULL)) AND NOT EXISTS (SELECT 1 FROM " \
	"  temp.stats_away a WHERE a.user_id = g.user_id AND (a.channel IS NULL " \
	"  OR a.channel = g.channel) AND g.due_at >= a.from_at AND " \
	"  g.due_at < a.until_at)))"

static const char *const store_stats_sql[] = {
	[STORE_STATS_PEOPLE] =
	"WITH " STATS_COUNTED " "
	"SELECT c.channel, c.user_id, (SELECT r.user_name FROM replies r WHERE "
	"r.channel = c.channel AND r.user_id = c.user_id AND r.user_name IS NOT "
	"NULL ORDER BY r.received_at DESC LIMIT 1), sum(c.answered), count(*) "
	"FROM counted c GROUP BY c.channel, c.user_id ORDER BY 1, 2",

	[STORE_STATS_STREAKS] =
	"WITH " STATS_COUNTED ", "
	"seq AS (SELECT channel, user_id, schedule, due_at, answered, "
	"  row_number() OVER (PARTITION BY channel, user_id, schedule ORDER BY "
	"  due_at, id) - row_number() OVER (PARTITION BY channel, user_id, "
	"  schedule, answered ORDER BY due_at, id) AS grp FROM counted), "
	"runs AS (SELECT channel, user_id, schedule, count(*) AS len, "
	"  max(due_at) AS last_due FROM seq WHERE answered GROUP BY channel, "
	"  user_id, schedule, grp), "
	"lasts AS (SELECT channel, user_id, schedule, max(due_at) AS last_due "
	"  FROM counted GROUP BY channel, user_id, schedule) "
	"SELECT l.channel, l.user_id, l.schedule, coalesce(max(r.len), 0), "
	"coalesce(max(CASE WHEN r.last_due = l.last_due THEN r.len END), 0) "
	"FROM lasts l LEFT JOIN runs r ON r.channel = l.channel AND r.user_id = "
	"l.user_id AND r.schedule = l.schedule GROUP BY l.channel, l.user_id, "
	"l.schedule ORDER BY 1, 2, 3",

	[STORE_STATS_LATENCY] =
	"WITH lat AS (SELECT r.channel, r.user_id, min(r.received_at) - "
	"  d.due_at AS s FROM replies r JOIN deliveries d ON d.id = "
	"  r.delivery_id WHERE " STATS_REPLY_FILTER " GROUP BY r.delivery_id, "
	"  r.user_id), "
	"ranked AS (SELECT channel, user_id, s, row_number() OVER (PARTITION BY "
	"  channel, user_id ORDER BY s) AS rn, count(*) OVER (PARTITION BY "
	"  channel, user_id) AS n FROM lat) "
	"SELECT channel, user_id, CAST(round(avg(s)) AS INTEGER) FROM ranked "
	"WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY channel, user_id",

	[STORE_STATS_ACTIVE_WEEKS] =
	"SELECT r.channel, r.user_id, count(DISTINCT " STATS_WEEK("r.received_at")
	") FROM replies r JOIN deliveries d ON d.id = r.delivery_id WHERE "
	STATS_REPLY_FILTER " GROUP BY r.channel, r.user_id",

	[STORE_STATS_USER_WEEKS] =
	"SELECT channel, user_id, w, count(*) FROM (SELECT DISTINCT r.channel, "
	"r.user_id, r.delivery_id, " STATS_WEEK("r.received_at") " AS w FROM "
	"replies r JOIN deliveries d ON d.id = r.delivery_id WHERE "
	STATS_REPLY_FILTER " AND r.received_at >= (?5 * 7 - 3) * 86400 - 172800) "
	"WHERE w >= ?5 GROUP BY channel, user_id, w ORDER BY 1, 2, 3",

	[STORE_STATS_USER_PROMPTS] =
	"SELECT r.channel, r.user_id, d.prompt_id, count(DISTINCT r.delivery_id) "
	"FROM replies r JOIN deliveries d ON d.id = r.delivery_id WHERE "
	STATS_REPLY_FILTER " GROUP BY r.channel, r.user_id, d.prompt_id",

	[STORE_STATS_CHANNELS] =
	"WITH ans AS (SELECT DISTINCT r.channel, r.delivery_id, r.user_id FROM "
	"  replies r JOIN deliveries d ON d.id = r.delivery_id WHERE "
	"  " STATS_REPLY_FILTER ") "
	"SELECT d.channel, count(*), (SELECT count(*) FROM ans a WHERE "
	"a.channel = d.channel), (SELECT count(DISTINCT a.user_id) FROM ans a "
	"WHERE a.channel = d.channel) FROM deliveries d WHERE d.state = 'sent' "
	"AND d.kind = 'prompt' AND d.due_at >= ?3 AND (?1 IS NULL OR d.channel = ?1) GROUP BY "
	"d.channel ORDER BY 1",

	[STORE_STATS_PARTICIPATION] =
	"WITH ranked AS (SELECT d.id, d.channel, d.due_at, d.schedule, "
	"  d.prompt_id, row_number() OVER (PARTITION BY d.channel ORDER BY "
	"  d.due_at DESC, d.id DESC) AS rk FROM deliveries d WHERE d.state = "
	"  'sent' AND d.kind = 'prompt' AND d.due_at >= ?3 AND (?1 IS NULL OR d.channel = ?1)) "
	"SELECT channel, id, due_at, schedule, prompt_id, (SELECT count(DISTINCT "
	"r.user_id) FROM replies r WHERE r.delivery_id = ranked.id AND (?2 IS "
	"NULL OR r.user_id = ?2)), rk FROM ranked WHERE rk <= ?5 ORDER BY "
	"channel, rk",

	[STORE_STATS_CHANNEL_WEEKS] =
	"WITH dw AS (SELECT * FROM (SELECT d.id, d.channel, "
	"  " STATS_WEEK("d.due_at") " AS w FROM deliveries d WHERE d.state = "
	"  'sent' AND d.kind = 'prompt' AND d.due_at >= ?3 AND d.due_at >= (?5 * 7 - 3) * 86400 - "
	"  172800 AND (?1 IS NULL OR d.channel = ?1)) WHERE w >= ?5), "
	"ans AS (SELECT DISTINCT dw.channel, dw.w, r.delivery_id, r.user_id "
	"  FROM dw JOIN replies r ON r.delivery_id = dw.id WHERE (?2 IS NULL OR "
	"  r.user_id = ?2)) "
	"SELECT dw.channel, dw.w, count(DISTINCT dw.id), (SELECT count(*) FROM "
	"ans a WHERE a.channel = dw.channel AND a.w = dw.w), (SELECT "
	"count(DISTINCT a.user_id) FROM ans a WHERE a.channel = dw.channel AND "
	"a.w = dw.w) FROM dw GROUP BY dw.channel, dw.w ORDER BY 1, 2",

	[STORE_STATS_CHANNEL_DAYS] =
	"SELECT channel, day, count(*) FROM (SELECT DISTINCT r.channel, "
	"r.delivery_id, r.user_id, " STATS_DAY("r.received_at") " AS day FROM "
	"replies r JOIN deliveries d ON d.id = r.delivery_id WHERE "
	STATS_REPLY_FILTER " AND r.received_at >= ?5 * 86400 - 172800) WHERE "
	"day >= ?5 GROUP BY channel, day ORDER BY 1, 2",

	[STORE_STATS_TOP_PROMPTS] =
	"WITH pc AS (SELECT r.channel, d.prompt_id, count(DISTINCT "
	"  r.delivery_id || ':' || r.user_id) AS n FROM replies r JOIN "
	"  deliveries d ON d.id = r.delivery_id WHERE " STATS_REPLY_FILTER " "
	"  GROUP BY r.channel, d.prompt_id), "
	"ranked AS (SELECT channel, prompt_id, n, row_number() OVER (PARTITION "
	"  BY channel ORDER BY n DESC, prompt_id) AS rk FROM pc) "
	"SELECT channel, prompt_id, n, rk FROM ranked WHERE rk <= ?5 ORDER BY "
	"channel, rk",
};

static int	store_stats_fill_tz(struct store *, const struct tz *, int64_t);
static int	store_stats_insert(struct store *, const char *, const char *,
		    const char *, int64_t, int64_t);

/* An integer column of a row. */
int64_t
store_row_int(const struct store_row *row, int col)
{
	return sqlite3_column_int64(row->stmt, col);
}

/* A text column of a row ("" for NULL). */
const char *
store_row_text(const struct store_row *row, int col)
{
	return store_text_or_empty(row->stmt, col);
}

/* Whether a column of a row is NULL. */
int
store_row_is_null(const struct store_row *row, int col)
{
	return sqlite3_column_type(row->stmt, col) == SQLITE_NULL;
}

/* Insert one row into a temp table: up to two texts and two integers. */
static int
store_stats_insert(struct store *st, const char *sql, const char *a,
    const char *b, int64_t x, int64_t y)
{
	sqlite3_stmt *stmt = store_prepare(st, sql);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, b, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, x);
	sqlite3_bind_int64(stmt, 4, y);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The zone's UTC offset from the first delivery until tomorrow, one row per change. */
static int
store_stats_fill_tz(struct store *st, const struct tz *tz, int64_t now)
{
	const char *sql = "INSERT OR REPLACE INTO temp.stats_tz (from_at, off) "
	    "VALUES (?3, ?4)";
	sqlite3_stmt *stmt = store_prepare(st, "SELECT coalesce(min(due_at), ?1) "
	    "FROM deliveries");
	int64_t t = now;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		t = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	/* Replies come after their delivery; everything before t reads t's offset. */
	if (store_stats_insert(st, sql, NULL, NULL, INT64_MIN / 2,
	    tz_offset(tz, t, NULL)) == -1)
		return -1;
	while (tz_next_transition(tz, t, &t) == 0 && t <= now + 86400) {
		if (store_stats_insert(st, sql, NULL, NULL, t,
		    tz_offset(tz, t, NULL)) == -1)
			return -1;
	}
	return 0;
}

/* Prepare the temp tables the stats queries read; -1 on error. */
int
store_stats_begin(struct store *st, const struct store_stats_scope *scope)
{
	st->stats = scope;
	if (store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS stats_away (user_id "
	    "TEXT, channel TEXT, from_at INTEGER, until_at INTEGER);"
	    "CREATE TEMP TABLE IF NOT EXISTS stats_windows (schedule TEXT, "
	    "seconds INTEGER);"
	    "CREATE TEMP TABLE IF NOT EXISTS stats_tz (from_at INTEGER PRIMARY "
	    "KEY, off INTEGER);"
	    "DELETE FROM temp.stats_away; DELETE FROM temp.stats_windows; "
	    "DELETE FROM temp.stats_tz;") == -1)
		return -1;
	for (size_t i = 0; i < scope->naway; i++) {
		if (store_stats_insert(st, "INSERT INTO temp.stats_away VALUES "
		    "(?1, ?2, ?3, ?4)", scope->away[i].user,
		    scope->away[i].channel, scope->away[i].from,
		    scope->away[i].until) == -1)
			return -1;
	}
	for (size_t i = 0; i < scope->nwindows; i++) {
		if (store_stats_insert(st, "INSERT INTO temp.stats_windows VALUES "
		    "(?1, ?3)", scope->windows[i].schedule, NULL,
		    scope->windows[i].seconds, 0) == -1)
			return -1;
	}
	if (store_stats_insert(st, "INSERT INTO temp.stats_windows VALUES (NULL, "
	    "?3)", NULL, NULL, scope->default_window, 0) == -1)
		return -1;
	return store_stats_fill_tz(st, scope->tz, scope->now);
}

/* Run one stats query in the current scope, calling cb per row. */
int
store_stats_run(struct store *st, enum store_stats_query q, int64_t from,
    store_row_cb cb, void *arg)
{
	sqlite3_stmt *stmt = store_prepare(st, store_stats_sql[q]);
	struct store_row row = { stmt };
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, st->stats->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, st->stats->user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, st->stats->since);
	sqlite3_bind_int64(stmt, 4, st->stats->now);
	if (sqlite3_bind_parameter_count(stmt) >= 5)
		sqlite3_bind_int64(stmt, 5, from);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		cb(arg, &row);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		log_warnx("store: stats: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/* Leave the stats scope. */
void
store_stats_end(struct store *st)
{
	st->stats = NULL;
}
