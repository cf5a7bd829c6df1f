/* SPDX-License-Identifier: ISC */
/*
 * The habit measures, in SQL. store_stats_begin fills TEMP tables for the
 * queries: people's away ranges, each schedule's answer window, and the grid
 * of every person's counted deliveries (built once, sorted by channel,
 * person, schedule and instant, with each answer's first time), from which
 * one ordered pass each derives streaks and median times to answer. Local
 * days and weeks (Monday to Sunday) come from the SQL functions
 * nudged_local_day() and nudged_local_week(), which read the configured
 * zone's offset at each instant, so daylight-saving boundaries are right.
 *
 * A person is someone who answered on a channel. Their deliveries are the
 * channel's sent nudges from their first answered one on, each answered,
 * missed (its answer window closed unanswered) or open (still inside its
 * window, unanswered): an open nudge is neither missed nor answered, so it
 * counts for no one until it closes; nor does one missed while away. A
 * channel's answers and misses are the sums of its people's, so its rate
 * and theirs agree. Streaks run over one schedule's counted
 * nudges: consecutive answered ones.
 * Skipped and failed deliveries are never sent, so they neither count nor
 * break a streak. An answer is a (delivery, person) pair: answering twice
 * counts once.
 *
 * Query parameters: ?1 channel or NULL, ?2 user or NULL, ?3 since, ?4 now,
 * ?5 the first week or day wanted (where a query takes one).
 */
#include "store.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db_sqlite.h"
#include "log.h"
#include "store_int.h"
#include "tz.h"
#include "xmalloc.h"

struct store_row {
	struct db_stmt	*stmt;
};

/* Replies of people in scope, on deliveries due in scope. */
#define STATS_REPLY_FILTER \
	"(" STATS_ALL("?1") " OR r.channel = ?1) AND (" STATS_ALL("?2") " OR " \
	"r.user_id = ?2) AND d.due_at >= ?3"

/* People with their counted deliveries (see the top of this file). */
#define STATS_COUNTED \
	"people AS (SELECT r.channel, r.user_id, min(d.due_at) AS first_due " \
	"  FROM replies r JOIN deliveries d ON d.id = r.delivery_id " \
	"  WHERE " STATS_REPLY_FILTER " GROUP BY r.channel, r.user_id), " \
	"grid AS (SELECT p.channel, p.user_id, d.id, d.schedule, d.due_at, " \
	"  (SELECT min(r.received_at) FROM replies r WHERE r.delivery_id = d.id " \
	"  AND r.user_id = p.user_id) AS first_at FROM people p JOIN deliveries d " \
	"  ON d.channel = p.channel AND d.state = 'sent' AND d.kind = 'prompt' AND " \
	"  d.due_at >= p.first_due), " \
	"counted AS (SELECT * FROM grid g WHERE g.first_at IS NOT NULL OR " \
	"  (g.due_at <= ?4 - " STATS_WINDOW("g") " AND NOT " \
	STATS_AWAY("g.user_id", "g") "))"

static const char *const store_stats_sql[] = {
	[STORE_STATS_PEOPLE] =
	"WITH p AS (SELECT channel, user_id, min(due_at) AS first_due, "
	"  count(first_at) AS answers, count(*) AS n FROM "
	"  temp.stats_grid GROUP BY channel, user_id) "
	"SELECT p.channel, p.user_id, (SELECT r.user_name FROM replies r WHERE "
	"r.channel = p.channel AND r.user_id = p.user_id AND r.user_name IS NOT "
	"NULL ORDER BY r.received_at DESC LIMIT 1), p.answers, p.n, (SELECT "
	"count(*) FROM deliveries d WHERE d.channel = p.channel AND d.state = "
	"'sent' AND d.kind = 'prompt' AND d.due_at >= p.first_due AND d.due_at > "
	"?4 - " STATS_WINDOW("d") " AND NOT EXISTS (SELECT 1 FROM replies r "
	"WHERE r.delivery_id = d.id AND r.user_id = p.user_id) AND NOT "
	STATS_AWAY("p.user_id", "d") ") FROM p ORDER BY 1, 2",

	[STORE_STATS_STREAKS] =
	"SELECT channel, user_id, schedule, longest, current FROM "
	"temp.stats_streaks ORDER BY 1, 2, 3",

	[STORE_STATS_LATENCY] =
	"SELECT channel, user_id, median FROM temp.stats_latency ORDER BY 1, 2",

	[STORE_STATS_ACTIVE_WEEKS] =
	"SELECT channel, user_id, count(DISTINCT " STATS_WEEK("first_at") ") "
	"FROM temp.stats_grid WHERE first_at IS NOT NULL GROUP BY channel, "
	"user_id ORDER BY 1, 2",

	[STORE_STATS_USER_WEEKS] =
	"SELECT channel, user_id, w, count(*) FROM (SELECT DISTINCT r.channel, "
	"r.user_id, r.delivery_id, " STATS_WEEK("r.received_at") " AS w FROM "
	"replies r JOIN deliveries d ON d.id = r.delivery_id WHERE "
	STATS_REPLY_FILTER " AND r.received_at >= (?5 * 7 - 3) * 86400 - 172800) "
	"AS uw WHERE w >= ?5 GROUP BY channel, user_id, w ORDER BY 1, 2, 3",

	[STORE_STATS_USER_PROMPTS] =
	"SELECT g.channel, g.user_id, d.prompt_id, count(*) FROM "
	"temp.stats_grid g JOIN deliveries d ON d.id = g.id WHERE g.first_at IS "
	"NOT NULL GROUP BY g.channel, g.user_id, d.prompt_id ORDER BY 1, 2, 3 "
	"NULLS FIRST",

	[STORE_STATS_CHANNELS] =
	"WITH a AS (SELECT channel, count(first_at) AS answers, "
	"  count(*) - count(first_at) AS missed, count(DISTINCT user_id) AS people "
	"  FROM temp.stats_grid GROUP BY channel) "
	"SELECT d.channel, count(*), coalesce(a.answers, 0), coalesce(a.people, "
	"0), coalesce(a.missed, 0), sum(CASE WHEN d.due_at > ?4 - (SELECT "
	"max(seconds) FROM temp.stats_windows) AND d.due_at > ?4 - "
	STATS_WINDOW("d") " THEN 1 ELSE 0 END) "
	"FROM deliveries d LEFT JOIN a ON a.channel = d.channel WHERE "
	"d.state = 'sent' AND d.kind = 'prompt' AND d.due_at >= ?3 AND ("
	STATS_ALL("?1") " OR d.channel = ?1) GROUP BY d.channel, a.answers, "
	"a.people, a.missed ORDER BY 1",

	[STORE_STATS_PARTICIPATION] =
	"WITH ranked AS (SELECT d.id, d.channel, d.due_at, d.schedule, "
	"  d.prompt_id, row_number() OVER (PARTITION BY d.channel ORDER BY "
	"  d.due_at DESC, d.id DESC) AS rk FROM deliveries d WHERE d.state = "
	"  'sent' AND d.kind = 'prompt' AND d.due_at >= ?3 AND ("
	STATS_ALL("?1") " OR d.channel = ?1)) "
	"SELECT channel, id, due_at, schedule, prompt_id, (SELECT count(DISTINCT "
	"r.user_id) FROM replies r WHERE r.delivery_id = ranked.id AND ("
	STATS_ALL("?2") " OR r.user_id = ?2)), rk FROM ranked WHERE rk <= ?5 "
	"ORDER BY "
	"channel, rk",

	[STORE_STATS_CHANNEL_WEEKS] =
	"WITH dw AS (SELECT * FROM (SELECT d.id, d.channel, "
	"  " STATS_WEEK("d.due_at") " AS w FROM deliveries d WHERE d.state = "
	"  'sent' AND d.kind = 'prompt' AND d.due_at >= ?3 AND d.due_at >= (?5 * 7 - 3) * 86400 - "
	"  172800 AND (" STATS_ALL("?1") " OR d.channel = ?1)) AS dd WHERE w >= "
	"  ?5), "
	"ans AS (SELECT DISTINCT dw.channel, dw.w, r.delivery_id, r.user_id "
	"  FROM dw JOIN replies r ON r.delivery_id = dw.id WHERE ("
	STATS_ALL("?2") " OR r.user_id = ?2)) "
	"SELECT dw.channel, dw.w, count(DISTINCT dw.id), (SELECT count(*) FROM "
	"ans a WHERE a.channel = dw.channel AND a.w = dw.w), (SELECT "
	"count(DISTINCT a.user_id) FROM ans a WHERE a.channel = dw.channel AND "
	"a.w = dw.w) FROM dw GROUP BY dw.channel, dw.w ORDER BY 1, 2",

	[STORE_STATS_CHANNEL_DAYS] =
	"SELECT channel, day, count(*) FROM (SELECT DISTINCT r.channel, "
	"r.delivery_id, r.user_id, " STATS_DAY("r.received_at") " AS day FROM "
	"replies r JOIN deliveries d ON d.id = r.delivery_id WHERE "
	STATS_REPLY_FILTER " AND r.received_at >= ?5 * 86400 - 172800) AS cd "
	"WHERE day >= ?5 GROUP BY channel, day ORDER BY 1, 2",

	[STORE_STATS_TOP_PROMPTS] =
	"WITH pc AS (SELECT g.channel, d.prompt_id, count(*) AS n FROM "
	"  temp.stats_grid g JOIN deliveries d ON d.id = g.id WHERE g.first_at "
	"  IS NOT NULL GROUP BY g.channel, d.prompt_id), "
	"ranked AS (SELECT channel, prompt_id, n, row_number() OVER (PARTITION "
	"  BY channel ORDER BY n DESC, prompt_id NULLS FIRST) AS rk FROM pc) "
	"SELECT channel, prompt_id, n, rk FROM ranked WHERE rk <= ?5 ORDER BY "
	"channel, rk",
};

static int	store_stats_insert(struct store *, const char *, const char *,
		    const char *, const char *, int64_t, int64_t);
static void	store_stats_local_day(sqlite3_context *, int, sqlite3_value **);
static void	store_stats_local_week(sqlite3_context *, int, sqlite3_value **);
static int	store_stats_zone(struct store *, const struct tz *);
static int	store_stats_tables(struct store *);
static int	store_stats_grid(struct store *);
static int	store_stats_streaks(struct store *);
static int64_t	store_stats_floor_div(int64_t, int64_t);
static int	store_stats_cmp(const void *, const void *);
static int	store_stats_median(struct store *, const char *, const char *,
		    int64_t *, size_t);
static int	store_stats_latency(struct store *);

/* An integer column of a row. */
int64_t
store_row_int(const struct store_row *row, int col)
{
	return db_int(row->stmt, col);
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
	return db_is_null(row->stmt, col);
}

/* Insert one row into a temp table: texts ?1 to ?3, integers ?4 and ?5. */
static int
store_stats_insert(struct store *st, const char *sql, const char *a,
    const char *b, const char *c, int64_t x, int64_t y)
{
	struct db_stmt *stmt = store_cached(st, sql);
	int rc;

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, a);
	db_bind_text(stmt, 2, b);
	db_bind_text(stmt, 3, c);
	db_bind_int(stmt, 4, x);
	db_bind_int(stmt, 5, y);
	rc = db_step(stmt);
	db_done(stmt);
	return rc == DB_DONE ? 0 : -1;
}

/* a / b rounded down (instants before 1970 give negative days). */
static int64_t
store_stats_floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* SQL nudged_local_day(t) on SQLite: the day number of instant t in the scope's zone. */
static void
store_stats_local_day(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct store_stats_scope *scope = sqlite3_user_data(ctx);
	int64_t t = sqlite3_value_int64(argv[0]);

	(void)argc;
	sqlite3_result_int64(ctx, store_stats_floor_div(t +
	    tz_offset(scope->tz, t, NULL), 86400));
}

/* SQL nudged_local_week(t) on SQLite: its Monday-based week (1970-01-01 was a Thursday). */
static void
store_stats_local_week(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct store_stats_scope *scope = sqlite3_user_data(ctx);
	int64_t t = sqlite3_value_int64(argv[0]);

	(void)argc;
	sqlite3_result_int64(ctx, store_stats_floor_div(store_stats_floor_div(t +
	    tz_offset(scope->tz, t, NULL), 86400) + 3, 7));
}

/*
 * The zone nudged_local_day() and nudged_local_week() count in: on SQLite
 * C functions reading the scope's zone; on PostgreSQL SQL functions (made
 * with the schema) reading the setting nudged.tz of this session.
 */
static int
store_stats_zone(struct store *st, const struct tz *zone)
{
	sqlite3 *h = db_sqlite_handle(st->db);
	void *scope = (void *)(uintptr_t)st->stats;
	struct db_stmt *stmt;
	int rc;

	if (db_dialect(st->db) == DB_SQLITE)
		return sqlite3_create_function(h, "nudged_local_day", 1,
		    SQLITE_UTF8 | SQLITE_DETERMINISTIC, scope,
		    store_stats_local_day, NULL, NULL) != SQLITE_OK ||
		    sqlite3_create_function(h, "nudged_local_week", 1,
		    SQLITE_UTF8 | SQLITE_DETERMINISTIC, scope,
		    store_stats_local_week, NULL, NULL) != SQLITE_OK ? -1 : 0;
	if ((stmt = store_prepare(st, "SELECT set_config('nudged.tz', ?1, "
	    "false)")) == NULL)
		return -1;
	db_bind_text(stmt, 1, tz_name(zone));
	rc = db_step(stmt);
	db_done(stmt);
	return rc == DB_ROW ? 0 : -1;
}

/*
 * The temp tables, emptied. PostgreSQL compares their text bytewise, as
 * the store's own tables do; SQLite always does.
 */
#define STATS_TABLES(TEXT) \
	"CREATE TEMP TABLE IF NOT EXISTS stats_away (user_id " TEXT ", " \
	"channel " TEXT ", from_at BIGINT, until_at BIGINT);" \
	"CREATE TEMP TABLE IF NOT EXISTS stats_windows (schedule " TEXT ", " \
	"seconds BIGINT);" \
	"CREATE TEMP TABLE IF NOT EXISTS stats_grid (seq INTEGER PRIMARY " \
	"KEY, channel " TEXT ", user_id " TEXT ", schedule " TEXT ", due_at " \
	"BIGINT, id BIGINT, first_at BIGINT);" \
	"CREATE TEMP TABLE IF NOT EXISTS stats_streaks (channel " TEXT ", " \
	"user_id " TEXT ", schedule " TEXT ", longest BIGINT, current " \
	"BIGINT);" \
	"CREATE TEMP TABLE IF NOT EXISTS stats_latency (channel " TEXT ", " \
	"user_id " TEXT ", median BIGINT);" \
	"DELETE FROM temp.stats_away; DELETE FROM temp.stats_windows; " \
	"DELETE FROM temp.stats_grid; DELETE FROM temp.stats_streaks; " \
	"DELETE FROM temp.stats_latency;"

static int
store_stats_tables(struct store *st)
{
	return store_exec(st, db_dialect(st->db) == DB_SQLITE ?
	    STATS_TABLES("TEXT") : STATS_TABLES("TEXT COLLATE \"C\""));
}

/*
 * The counted deliveries of every person in scope (see the top of this
 * file), built once per stats call and numbered (seq) in the order of
 * channel, person, schedule and instant: most measures read it instead of
 * all answers. SQLite numbers rows as they are inserted (seq is its rowid),
 * cheaper than a window function; PostgreSQL numbers them with one.
 */
#define STATS_GRID_INSERT(SEQ, NUMBER, ORDER) \
	"INSERT INTO temp.stats_grid (" SEQ "channel, user_id, schedule, " \
	"due_at, id, first_at) WITH " STATS_COUNTED " SELECT " NUMBER \
	"channel, user_id, schedule, due_at, id, first_at FROM counted" ORDER
#define STATS_GRID_ORDER	"channel, user_id, schedule, due_at, id"

static const char *const store_stats_grid_sql[] = {
	[DB_SQLITE] = STATS_GRID_INSERT("", "", " ORDER BY " STATS_GRID_ORDER),
	[DB_POSTGRESQL] = STATS_GRID_INSERT("seq, ", "row_number() OVER "
	    "(ORDER BY " STATS_GRID_ORDER "), ", ""),
};

static int
store_stats_grid(struct store *st)
{
	struct db_stmt *stmt = store_prepare(st,
	    store_stats_grid_sql[db_dialect(st->db)]);
	int rc;

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, st->stats->channel);
	db_bind_text(stmt, 2, st->stats->user);
	db_bind_int(stmt, 3, st->stats->since);
	db_bind_int(stmt, 4, st->stats->now);
	rc = db_step(stmt);
	db_done(stmt);
	return rc == DB_DONE ? 0 : -1;
}

/*
 * Streaks in one ordered pass over the grid: per person and schedule the
 * longest run of answered deliveries, and the run the latest one ends.
 */
static int
store_stats_streaks(struct store *st)
{
	struct db_stmt *in = store_prepare(st, "SELECT channel, user_id, "
	    "schedule, first_at IS NOT NULL FROM temp.stats_grid ORDER BY seq");
	char *channel = NULL, *user = NULL, *schedule = NULL;
	int64_t run = 0, longest = 0;
	int rc = DB_ERROR, failed = 0;

	while (in != NULL) {
		rc = db_step(in);
		if (rc != DB_ROW || channel == NULL ||
		    strcmp(channel, store_text_or_empty(in, 0)) != 0 ||
		    strcmp(user, store_text_or_empty(in, 1)) != 0 ||
		    strcmp(schedule, store_text_or_empty(in, 2)) != 0) {
			/* A group ended: record it, start the next. */
			if (channel != NULL)
				failed |= store_stats_insert(st, "INSERT INTO "
				    "temp.stats_streaks VALUES (?1, ?2, ?3, ?4, "
				    "?5)", channel, user, schedule, longest,
				    run) == -1;
			free(channel);
			free(user);
			free(schedule);
			channel = user = schedule = NULL;
			if (rc != DB_ROW)
				break;
			channel = xstrdup(store_text_or_empty(in, 0));
			user = xstrdup(store_text_or_empty(in, 1));
			schedule = xstrdup(store_text_or_empty(in, 2));
			run = longest = 0;
		}
		run = db_int(in, 3) ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	db_done(in);
	return failed || rc != DB_DONE ? -1 : 0;
}

/* qsort order for latencies. */
static int
store_stats_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Record one person's median time to answer (the mean of the middle two). */
static int
store_stats_median(struct store *st, const char *channel, const char *user,
    int64_t *v, size_t n)
{
	int64_t m;

	qsort(v, n, sizeof *v, store_stats_cmp);
	m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2] + 1) / 2;
	return store_stats_insert(st, "INSERT INTO temp.stats_latency VALUES "
	    "(?1, ?2, ?4)", channel, user, NULL, m, 0);
}

/*
 * Median time to answer per person, in one pass over the grid (grouped by
 * channel and person already): the first answer to each nudge after its
 * instant.
 */
static int
store_stats_latency(struct store *st)
{
	struct db_stmt *in = store_prepare(st, "SELECT channel, user_id, "
	    "first_at - due_at FROM temp.stats_grid WHERE first_at IS NOT NULL "
	    "ORDER BY seq");
	char *channel = NULL, *user = NULL;
	int64_t *v = NULL;
	size_t n = 0, cap = 0;
	int rc = DB_ERROR, failed = 0;

	while (in != NULL) {
		rc = db_step(in);
		if (rc != DB_ROW || channel == NULL ||
		    strcmp(channel, store_text_or_empty(in, 0)) != 0 ||
		    strcmp(user, store_text_or_empty(in, 1)) != 0) {
			if (channel != NULL && n > 0)
				failed |= store_stats_median(st, channel, user, v,
				    n) == -1;
			free(channel);
			free(user);
			channel = user = NULL;
			n = 0;
			if (rc != DB_ROW)
				break;
			channel = xstrdup(store_text_or_empty(in, 0));
			user = xstrdup(store_text_or_empty(in, 1));
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[n++] = db_int(in, 2);
	}
	free(v);
	db_done(in);
	return failed || rc != DB_DONE ? -1 : 0;
}

/* Prepare the temp tables the stats queries read; -1 on error. */
int
store_stats_begin(struct store *st, const struct store_stats_scope *scope)
{
	st->stats = scope;
	if (store_stats_zone(st, scope->tz) == -1 ||
	    store_stats_tables(st) == -1)
		return -1;
	for (size_t i = 0; i < scope->naway; i++) {
		/* Away on an anonymous channel too, where answers carry the
		 * person's pseudonym. */
		char *pseudonym = store_anon_lookup(st, scope->away[i].user);
		int failed = 0;

		for (int k = 0; k < (pseudonym != NULL ? 2 : 1); k++)
			failed |= store_stats_insert(st, "INSERT INTO "
			    "temp.stats_away VALUES (?1, ?2, ?4, ?5)", k == 0 ?
			    scope->away[i].user : pseudonym,
			    scope->away[i].channel, NULL, scope->away[i].from,
			    scope->away[i].until) == -1;
		free(pseudonym);
		if (failed)
			return -1;
	}
	for (size_t i = 0; i < scope->nwindows; i++) {
		if (store_stats_insert(st, "INSERT INTO temp.stats_windows VALUES "
		    "(?1, ?4)", scope->windows[i].schedule, NULL, NULL,
		    scope->windows[i].seconds, 0) == -1)
			return -1;
	}
	if (store_stats_insert(st, "INSERT INTO temp.stats_windows VALUES (NULL, "
	    "?4)", NULL, NULL, NULL, scope->default_window, 0) == -1)
		return -1;
	if (scope->kept && store_habits_begin(st) == 0) {
		st->stats_kept = 1;
		return 0;
	}
	/* From scratch: the reference, and where nothing is kept. */
	if (store_exec(st, "DELETE FROM temp.stats_grid; DELETE FROM "
	    "temp.stats_streaks; DELETE FROM temp.stats_latency") == -1 ||
	    store_stats_grid(st) == -1 || store_stats_streaks(st) == -1 ||
	    store_stats_latency(st) == -1) {
		log_warnx("store: stats: %s", db_error(st->db));
		return -1;
	}
	return 0;
}

/* Run one stats query in the current scope, calling cb per row. */
int
store_stats_run(struct store *st, enum store_stats_query q, int64_t from,
    store_row_cb cb, void *arg)
{
	const char *kept = st->stats_kept ? store_habits_sql(st, q) : NULL;
	struct db_stmt *stmt = store_prepare(st, kept ? kept : store_stats_sql[q]);
	struct store_row row = { stmt };
	int rc;

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, st->stats->channel);
	db_bind_text(stmt, 2, st->stats->user);
	db_bind_int(stmt, 3, st->stats->since);
	db_bind_int(stmt, 4, st->stats->now);
	db_bind_int(stmt, 5, from);
	db_bind_int(stmt, 6, st->habits_horizon);	/* the kept ones' horizon */
	while ((rc = db_step(stmt)) == DB_ROW)
		cb(arg, &row);
	db_done(stmt);
	if (rc != DB_DONE) {
		log_warnx("store: stats: %s", db_error(st->db));
		return -1;
	}
	return 0;
}

/* Whether the scope is read from the kept measures (store_habits.c). */
int
store_stats_kept(struct store *st)
{
	return st->stats_kept;
}

/* Leave the stats scope. */
void
store_stats_end(struct store *st)
{
	store_exec(st, "DELETE FROM temp.stats_grid; DELETE FROM "
	    "temp.stats_streaks; DELETE FROM temp.stats_latency");
	st->stats = NULL;
	st->stats_kept = 0;
}
