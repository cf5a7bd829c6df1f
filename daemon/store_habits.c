/* SPDX-License-Identifier: ISC */
/*
 * The habit measures kept up to date, so a stats read does not walk every
 * answer. Deliveries due at or before the horizon H (the newest instant
 * whose every answer window has closed) are summed per person and schedule
 * into habits_runs (counted, answered, and the runs of answers a streak is
 * made of, which compose one after another), and per person into
 * habits_latency (times to answer), habits_active (local weeks with an
 * answer) and habits_prompts (answers per prompt). Deliveries after H,
 * still open or just closed, are read from scratch at each read, with the
 * same SQL, and composed onto the kept part.
 *
 * Triggers (store_habits_schema.c) write whom each change touches into
 * habits_dirty, in the change's own transaction: an answer added or
 * deleted (forget, retention) names its person and its nudge's instant, a
 * nudge sent (or unsent) its channel. A read first builds again, from
 * scratch, each person touched at or before H (everyone on the channel for
 * a nudge), then moves H on to now less the longest answer window, adding
 * the deliveries that closed meanwhile after what is kept. The people whose
 * away ranges changed (the config's, or their own absence) are noted as
 * touched first (store_habits_away.c). What else the kept part depends on
 * (the zone, the answer windows) is hashed into a fingerprint: a read
 * under another fingerprint, or `nudged stats --rebuild`, builds it all
 * again, a week of deliveries at a time (the busy callback in between).
 *
 * store_stats.c's from-scratch path stays the reference the kept one is
 * tested against, and serves --since and read-only stores.
 */
#include "store.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "tz.h"
#include "xmalloc.h"

/* Bumped when what the kept tables mean changes: they are built again. */
#define HABITS_FORMAT	"2"
/* How far the horizon moves at least (the rest is read fresh). */
#define HABITS_STEP	3600
/* How much history a build keeps between calls of the busy callback. */
#define HABITS_CHUNK	(7 * 86400)

/* A run of counted deliveries, in order: how a streak composes. */
struct habits_run {
	int64_t	n, answers;
	int64_t	head;		/* answered ones it starts with */
	int64_t	tail;		/* answered ones it ends with */
	int64_t	longest;	/* longest answered run inside */
	int64_t	first_due;
};

/* The key a pass groups rows by (channel, user and maybe schedule). */
struct habits_key {
	char	*channel, *user, *schedule;
};

/* 1 if grid row x was answered, else 0. */
#define HABITS_ANSWERED(x) \
	"CASE WHEN " x ".first_at IS NOT NULL THEN 1 ELSE 0 END"

/*
 * The counted deliveries of the kept people due in (?3, ?5], into
 * temp.stats_grid in order: ?1 channel, ?2 user (NULL: all), ?4 now, ?6 1
 * for only the people in temp.habits_redo. Counted as in store_stats.c.
 * CROSS JOIN keeps SQLite walking people first, each one's nudges by
 * deliveries_by_channel from where they start.
 */
#define HABITS_GRID(SEQ, NUMBER) \
	"INSERT INTO temp.stats_grid (" SEQ "channel, user_id, schedule, " \
	"due_at, id, first_at) SELECT " NUMBER "channel, user_id, schedule, " \
	"due_at, id, first_at FROM (SELECT p.channel, p.user_id, d.schedule, " \
	"  d.due_at, d.id, (SELECT min(r.received_at) FROM replies r WHERE " \
	"  r.delivery_id = d.id AND r.user_id = p.user_id) AS first_at FROM " \
	"  habits_people p CROSS JOIN deliveries d WHERE d.channel = " \
	"  p.channel AND d.state = 'sent' AND d.kind = 'prompt' AND d.due_at " \
	"  > CASE WHEN p.first_due - 1 > ?3 THEN p.first_due - 1 ELSE ?3 END " \
	"  AND d.due_at <= ?5 AND " HABITS_WHO("p") " AND (?6 = 0 OR EXISTS " \
	"  (SELECT 1 FROM temp.habits_redo x WHERE x.channel = p.channel AND " \
	"  x.user_id = p.user_id))) g " \
	"WHERE g.first_at IS NOT NULL OR (g.due_at <= ?4 - " \
	STATS_WINDOW("g") " AND NOT " STATS_AWAY("g.user_id", "g") ") " \
	"ORDER BY channel, user_id, schedule, due_at, id"

/* SQLite numbers the grid's rows (seq) itself; PostgreSQL is told to. */
static const char *const habits_grid_sql[] = {
	[DB_SQLITE] = HABITS_GRID("", ""),
	[DB_POSTGRESQL] = HABITS_GRID("seq, ", "row_number() OVER (ORDER BY "
	    "channel, user_id, schedule, due_at, id), "),
};

/* Compose a run (the excluded row) after the one table t holds. */
#define HABITS_COMPOSE(t) \
	"n = " t ".n + excluded.n, answers = " t ".answers + " \
	"excluded.answers, head = CASE WHEN " t ".head = " t ".n THEN " t ".n " \
	"+ excluded.head ELSE " t ".head END, tail = CASE WHEN excluded.tail = " \
	"excluded.n THEN excluded.n + " t ".tail ELSE excluded.tail END, " \
	"longest = CASE WHEN " t ".tail + excluded.head >= " t ".longest AND " \
	t ".tail + excluded.head >= excluded.longest THEN " t ".tail + " \
	"excluded.head WHEN " t ".longest >= excluded.longest THEN " t \
	".longest ELSE excluded.longest END"

/* Each counted grid row as a run of one (key, then n, answered, head, tail, longest, due). */
#define HABITS_UNITS \
	"SELECT channel, user_id, schedule, 1, " HABITS_ANSWERED("g") ", " \
	HABITS_ANSWERED("g") ", " HABITS_ANSWERED("g") ", " \
	HABITS_ANSWERED("g") ", due_at FROM temp.stats_grid g ORDER BY " \
	"channel, user_id, schedule, due_at, id"

static int	habits_bind_run(struct store *, struct db_stmt *, int);
static int	habits_meta(struct store *, const char *, char *, size_t);
static int	habits_set_meta(struct store *, const char *, const char *);
static int	habits_int(struct store *, const char *, int64_t *);
static void	habits_fingerprint(struct store *, char *, size_t);
static int	habits_grid(struct store *, int64_t, int64_t, int, int);
static int	habits_key_same(const struct habits_key *, struct db_stmt *,
		    int);
static void	habits_key_set(struct habits_key *, struct db_stmt *, int);
static void	habits_key_free(struct habits_key *);
static void	habits_compose(struct habits_run *, const struct habits_run *);
static int	habits_fold(struct store *, const char *, const char *);
static int	habits_build(struct store *, int64_t, int64_t, int);
static int	habits_build_chunked(struct store *, int64_t, int64_t);
static int	habits_rebuild(struct store *, int64_t);
static int	habits_seen(struct store *, int *);
static int	habits_seen_done(struct store *);
static int	habits_catch_up(struct store *, int64_t);
static int	habits_state(struct store *, char *, size_t, int64_t *,
		    int *);
static int	habits_refresh(struct store *);
static int	habits_read_runs(struct store *);
static int	habits_median(struct store *, const struct habits_key *,
		    const int64_t *, const int64_t *, size_t, int64_t);
static int	habits_read_latency(struct store *);

/*
 * Run a statement once with ?4 now and, if scoped, the scope's channel and
 * user as ?1 and ?2 (else NULL: everyone).
 */
static int
habits_bind_run(struct store *st, struct db_stmt *stmt, int scoped)
{
	if (scoped) {
		db_bind_text(stmt, 1, st->stats->channel);
		db_bind_text(stmt, 2, st->stats->user);
	}
	db_bind_int(stmt, 4, st->stats->now);
	return store_write(st, stmt, NULL);
}

/* A value from meta into buf ("" when there is none); -1 on error. */
static int
habits_meta(struct store *st, const char *key, char *buf, size_t len)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT value FROM meta WHERE "
	    "key = ?1");
	int rc;

	buf[0] = '\0';
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, key);
	if ((rc = db_step(stmt)) == DB_ROW)
		snprintf(buf, len, "%s", store_text_or_empty(stmt, 0));
	db_done(stmt);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

/* Set a value in meta. */
static int
habits_set_meta(struct store *st, const char *key, const char *value)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO meta (key, value) "
	    "VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = "
	    "excluded.value");

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, key);
	db_bind_text(stmt, 2, value);
	return store_write(st, stmt, NULL);
}

/* The integer a one-row query answers, into v. */
static int
habits_int(struct store *st, const char *sql, int64_t *v)
{
	struct db_stmt *stmt = store_prepare(st, sql);
	int rc = stmt != NULL ? db_step(stmt) : DB_ERROR;

	*v = rc == DB_ROW ? db_int(stmt, 0) : 0;
	db_done(stmt);
	return rc == DB_ROW ? 0 : -1;
}

/*
 * What the kept part depends on besides the answers and the away ranges
 * (store_habits_away.c), hashed (FNV-1a): the format, the zone and every
 * answer window, as store_stats_begin put them in temp.stats_windows. A
 * change (an admin's, rare) builds it all again.
 */
static void
habits_fingerprint(struct store *st, char *buf, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	char part[64];
	const char *s;
	struct db_stmt *stmt = store_prepare(st, "SELECT coalesce(schedule, "
	    "''), CASE WHEN schedule IS NULL THEN 1 ELSE 0 END, seconds FROM "
	    "temp.stats_windows ORDER BY 1, 2, 3");

	for (s = HABITS_FORMAT " "; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	for (s = tz_name(st->stats->tz); *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	while (stmt != NULL && db_step(stmt) == DB_ROW) {
		for (s = store_text_or_empty(stmt, 0); *s != '\0'; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
		snprintf(part, sizeof part, "|%" PRId64 "|%" PRId64 ";",
		    db_int(stmt, 1), db_int(stmt, 2));
		for (s = part; *s != '\0'; s++)
			h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	}
	db_done(stmt);
	snprintf(buf, len, "%016" PRIx64, h);
}

/*
 * Fill temp.stats_grid with the counted deliveries due in (lo, hi] of the
 * people in scope (scoped) or of everyone.
 */
static int
habits_grid(struct store *st, int64_t lo, int64_t hi, int only_redo,
    int scoped)
{
	struct db_stmt *stmt = store_prepare(st,
	    habits_grid_sql[db_dialect(st->db)]);

	if (stmt == NULL || store_exec(st, "DELETE FROM temp.stats_grid") == -1) {
		db_done(stmt);
		return -1;
	}
	db_bind_int(stmt, 3, lo);
	db_bind_int(stmt, 5, hi);
	db_bind_int(stmt, 6, only_redo);
	return habits_bind_run(st, stmt, scoped);
}

/* Whether the row stmt is on has key k in its first ncols columns. */
static int
habits_key_same(const struct habits_key *k, struct db_stmt *stmt, int ncols)
{
	return k->channel != NULL &&
	    strcmp(k->channel, store_text_or_empty(stmt, 0)) == 0 &&
	    strcmp(k->user, store_text_or_empty(stmt, 1)) == 0 &&
	    (ncols < 3 || strcmp(k->schedule, store_text_or_empty(stmt, 2)) ==
	    0);
}

/* Take the key (channel, user, maybe schedule) of the row stmt is on. */
static void
habits_key_set(struct habits_key *k, struct db_stmt *stmt, int ncols)
{
	habits_key_free(k);
	k->channel = xstrdup(store_text_or_empty(stmt, 0));
	k->user = xstrdup(store_text_or_empty(stmt, 1));
	k->schedule = xstrdup(ncols > 2 ? store_text_or_empty(stmt, 2) : "");
}

static void
habits_key_free(struct habits_key *k)
{
	free(k->channel);
	free(k->user);
	free(k->schedule);
	memset(k, 0, sizeof *k);
}

/* Run a, then b: a becomes the run of both. */
static void
habits_compose(struct habits_run *a, const struct habits_run *b)
{
	int64_t across = a->tail + b->head;

	if (a->n == 0)
		a->first_due = b->first_due;
	a->longest = across > a->longest ? across : a->longest;
	a->longest = b->longest > a->longest ? b->longest : a->longest;
	a->head = a->head == a->n ? a->n + b->head : a->head;
	a->tail = b->tail == b->n ? b->n + a->tail : b->tail;
	a->n += b->n;
	a->answers += b->answers;
}

/*
 * Runs in order (rows of in_sql: channel, user, schedule, then n,
 * answered, head, tail, longest, first due), composed per person and
 * schedule and each added after what table holds for them: habits_runs
 * (the kept part) or temp.habits_now (the kept part and the fresh one).
 */
static int
habits_fold(struct store *st, const char *in_sql, const char *out_sql)
{
	struct db_stmt *in = store_prepare(st, in_sql), *out;
	struct habits_key k = { 0 };
	struct habits_run run = { 0 }, seg;
	int rc = DB_ERROR, failed = 0, row, same;

	while (in != NULL) {
		rc = db_step(in);
		row = rc == DB_ROW;
		same = row && habits_key_same(&k, in, 3);
		if (k.channel != NULL && !same) {
			if ((out = store_cached(st, out_sql)) == NULL) {
				failed = 1;
				break;
			}
			db_bind_text(out, 1, k.channel);
			db_bind_text(out, 2, k.user);
			db_bind_text(out, 3, k.schedule);
			db_bind_int(out, 4, run.first_due);
			db_bind_int(out, 5, run.n);
			db_bind_int(out, 6, run.answers);
			db_bind_int(out, 7, run.head);
			db_bind_int(out, 8, run.tail);
			db_bind_int(out, 9, run.longest);
			failed |= db_step(out) != DB_DONE;
			db_done(out);
			memset(&run, 0, sizeof run);
		}
		if (!row)
			break;
		if (!same)
			habits_key_set(&k, in, 3);
		seg.n = db_int(in, 3);
		seg.answers = db_int(in, 4);
		seg.head = db_int(in, 5);
		seg.tail = db_int(in, 6);
		seg.longest = db_int(in, 7);
		seg.first_due = db_int(in, 8);
		habits_compose(&run, &seg);
	}
	habits_key_free(&k);
	db_done(in);
	return failed || rc != DB_DONE ? -1 : 0;
}

/*
 * Keep the deliveries due in (lo, hi] of the kept people (only those in
 * temp.habits_redo if only_redo): their weeks, times to answer, weeks with
 * an answer and answers per prompt, added to what is kept.
 */
static int
habits_build(struct store *st, int64_t lo, int64_t hi, int only_redo)
{
	if (habits_grid(st, lo, hi, only_redo, 0) == -1 ||
	    habits_fold(st, HABITS_UNITS, "INSERT INTO habits_runs (channel, "
	    "user_id, schedule, first_due, n, answers, head, tail, longest) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (channel, "
	    "user_id, schedule) DO UPDATE SET " HABITS_COMPOSE("habits_runs")) == -1)
		return -1;
	return store_exec(st, "INSERT INTO habits_latency (channel, user_id, "
	    "seconds, n) SELECT channel, user_id, first_at - due_at, count(*) "
	    "FROM temp.stats_grid WHERE first_at IS NOT NULL GROUP BY channel, "
	    "user_id, first_at - due_at ON CONFLICT (channel, user_id, seconds) "
	    "DO UPDATE SET n = habits_latency.n + excluded.n;"
	    "INSERT INTO habits_active (channel, user_id, week) SELECT DISTINCT "
	    "channel, user_id, " STATS_WEEK("first_at") " FROM temp.stats_grid "
	    "WHERE first_at IS NOT NULL ON CONFLICT (channel, user_id, week) DO "
	    "NOTHING;"
	    "INSERT INTO habits_prompts (channel, user_id, prompt_id, n) SELECT "
	    "g.channel, g.user_id, coalesce(d.prompt_id, ''), count(*) FROM "
	    "temp.stats_grid g JOIN deliveries d ON d.id = g.id WHERE g.first_at "
	    "IS NOT NULL GROUP BY g.channel, g.user_id, coalesce(d.prompt_id, "
	    "'') ON CONFLICT (channel, user_id, prompt_id) DO UPDATE SET n = "
	    "habits_prompts.n + excluded.n") == -1 ? -1 :
	    store_habits_recent_build(st, lo, hi, only_redo);
}

/*
 * Keep everyone's deliveries due in (lo, hi] a week of them at a time
 * (runs compose, as when the horizon moves on), calling the store's busy
 * callback after each week: built from scratch at a million answers this
 * takes longer than systemd waits to hear from the daemon (server.c).
 */
static int
habits_build_chunked(struct store *st, int64_t lo, int64_t hi)
{
	struct db_stmt *stmt;
	int64_t first, next;
	int rc;

	while (lo < hi) {
		if ((stmt = store_prepare(st, "SELECT min(due_at) FROM deliveries "
		    "WHERE state = 'sent' AND kind = 'prompt' AND due_at > ?1 AND "
		    "due_at <= ?2")) == NULL)
			return -1;
		db_bind_int(stmt, 1, lo);
		db_bind_int(stmt, 2, hi);
		rc = db_step(stmt);
		first = rc == DB_ROW && !db_is_null(stmt, 0) ? db_int(stmt, 0) :
		    hi;
		db_done(stmt);
		if (rc != DB_ROW)
			return -1;
		next = hi - first < HABITS_CHUNK ? hi : first - 1 + HABITS_CHUNK;
		if (habits_build(st, lo, next, 0) == -1)
			return -1;
		if (st->busy != NULL)
			st->busy(st->busy_arg);
		lo = next;
	}
	return 0;
}

/* Build every kept figure again from the answers, up to horizon h. */
static int
habits_rebuild(struct store *st, int64_t h)
{
	if (store_exec(st, "DELETE FROM habits_people; "
	    "DELETE FROM habits_runs; DELETE FROM habits_latency; "
	    "DELETE FROM habits_active; DELETE FROM habits_prompts; "
	    "DELETE FROM habits_user_weeks; DELETE FROM habits_channel_weeks; "
	    "DELETE FROM habits_days; "
	    "INSERT INTO habits_people (channel, user_id, first_due) SELECT "
	    "r.channel, r.user_id, min(d.due_at) FROM replies r JOIN deliveries "
	    "d ON d.id = r.delivery_id GROUP BY r.channel, r.user_id") == -1)
		return -1;
	return habits_build_chunked(st, INT64_MIN, h) == -1 ||
	    habits_seen_done(st) == -1 ? -1 : 0;
}

/*
 * The changes the refresh handles: habits_dirty's rows as it starts, into
 * temp.habits_seen. Only those are deleted when done, so a change that
 * commits meanwhile (another instance's, on a shared database) waits for
 * the next refresh instead of being lost.
 */
static int
habits_seen(struct store *st, int *any)
{
	int64_t n;

	if (store_exec(st, "DELETE FROM temp.habits_seen; INSERT INTO "
	    "temp.habits_seen SELECT id, channel, user_id, due_at, received_at "
	    "FROM habits_dirty") == -1 || habits_int(st, "SELECT EXISTS "
	    "(SELECT 1 FROM temp.habits_seen)", &n) == -1)
		return -1;
	*any = n != 0;
	return 0;
}

/* The changes in temp.habits_seen are handled. */
static int
habits_seen_done(struct store *st)
{
	return store_exec(st, "DELETE FROM habits_dirty WHERE id IN (SELECT id "
	    "FROM temp.habits_seen)");
}

/*
 * Bring the people temp.habits_seen names up to date under horizon h: each
 * touched at or before h (all on a channel whose nudge was) is built again
 * from the start; everyone named gets their first answered nudge again.
 */
static int
habits_catch_up(struct store *st, int64_t h)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO temp.habits_redo "
	    "(channel, user_id) SELECT channel, user_id FROM temp.habits_seen "
	    "WHERE user_id IS NOT NULL GROUP BY channel, user_id HAVING "
	    "min(due_at) <= ?1 UNION SELECT p.channel, p.user_id FROM "
	    "habits_people p WHERE EXISTS (SELECT 1 FROM temp.habits_seen x "
	    "WHERE x.channel = p.channel AND x.user_id IS NULL AND x.due_at <= "
	    "?1)");

	if (stmt == NULL)
		return -1;
	db_bind_int(stmt, 1, h);
	if (store_write(st, stmt, NULL) == -1 || store_exec(st,
	    "DELETE FROM habits_runs WHERE (channel, user_id) IN (SELECT "
	    "channel, user_id FROM temp.habits_redo);"
	    "DELETE FROM habits_latency WHERE (channel, user_id) IN (SELECT "
	    "channel, user_id FROM temp.habits_redo);"
	    "DELETE FROM habits_active WHERE (channel, user_id) IN (SELECT "
	    "channel, user_id FROM temp.habits_redo);"
	    "DELETE FROM habits_prompts WHERE (channel, user_id) IN (SELECT "
	    "channel, user_id FROM temp.habits_redo);"
	    "DELETE FROM habits_people WHERE (channel, user_id) IN (SELECT "
	    "channel, user_id FROM temp.habits_seen);"
	    "INSERT INTO habits_people (channel, user_id, first_due) SELECT "
	    "channel, user_id, first_due FROM (SELECT x.channel, x.user_id, "
	    "(SELECT min(d.due_at) FROM replies r JOIN deliveries d ON d.id = "
	    "r.delivery_id WHERE r.channel = x.channel AND r.user_id = "
	    "x.user_id) AS first_due FROM (SELECT DISTINCT channel, user_id FROM "
	    "temp.habits_seen WHERE user_id IS NOT NULL) x) y WHERE y.first_due "
	    "IS NOT NULL") == -1 || store_habits_recent_catch_up(st, h) == -1 ||
	    habits_build(st, INT64_MIN, h, 1) == -1)
		return -1;
	return habits_seen_done(st);
}

/*
 * The state the kept part was left in: its fingerprint into have, its
 * horizon (INT64_MAX: none yet), and whether changes wait (in habits_dirty,
 * or away ranges other than those it was built under).
 */
static int
habits_state(struct store *st, char *have, size_t len, int64_t *h, int *dirty)
{
	char horizon[32];
	int64_t n;
	int away;

	if (habits_meta(st, "habits_fingerprint", have, len) == -1 ||
	    habits_meta(st, "habits_horizon", horizon, sizeof horizon) == -1 ||
	    habits_int(st, "SELECT EXISTS (SELECT 1 FROM habits_dirty)", &n) ==
	    -1 || store_habits_away_changed(st, &away) == -1)
		return -1;
	*h = horizon[0] != '\0' ? strtoll(horizon, NULL, 10) : INT64_MAX;
	*dirty = n != 0 || away;
	return 0;
}

/*
 * Bring the kept part up to now in one write transaction of its own (inside
 * the caller's, only when there is nothing to write):
 * built again under another fingerprint or when asked, else the touched
 * people caught up and the horizon moved on (by the hour at least, so most
 * reads write nothing). -1 leaves it as it was.
 */
static int
habits_refresh(struct store *st)
{
	const struct store_stats_scope *scope = st->stats;
	char want[32], have[32], horizon[32];
	int64_t h, target, redone = 0;
	int own = !db_in_transaction(st->db), any, redo;

	if (own && store_begin(st) == -1)
		return -1;
	if (habits_int(st, "SELECT " HABITS_LONGEST, &target) == -1)
		goto fail;
	target = scope->now - target;
	habits_fingerprint(st, want, sizeof want);
	if (habits_state(st, have, sizeof have, &h, &any) == -1)
		goto fail;
	redo = scope->rebuild || strcmp(want, have) != 0 || h > target;
	/* Inside the caller's transaction nothing is written: a failure
	 * half-way could not be undone without undoing theirs. */
	if (!own && (redo || any || target - h >= HABITS_STEP))
		return -1;
	if (redo || any || target - h >= HABITS_STEP) {
		/*
		 * Something to write. The horizon's row first: on a shared
		 * database one refresh at a time, and the state read again
		 * under it.
		 */
		if (store_exec(st, "INSERT INTO meta (key, value) VALUES "
		    "('habits_horizon', '') ON CONFLICT (key) DO UPDATE SET "
		    "value = meta.value") == -1 || habits_state(st, have,
		    sizeof have, &h, &any) == -1 ||
		    store_habits_away_note(st) == -1 || habits_seen(st, &any) == -1)
			goto fail;
		redo = scope->rebuild || strcmp(want, have) != 0 || h > target;
		if (redo && habits_rebuild(st, target) == -1)
			goto fail;
		if (!redo && ((any && habits_catch_up(st, h) == -1) ||
		    habits_int(st, "SELECT count(*) FROM temp.habits_redo",
		    &redone) == -1 || habits_build_chunked(st, h, target) == -1))
			goto fail;
		if (redo)
			log_info("habits: kept measures built from scratch up to "
			    "%" PRId64, target);
		snprintf(horizon, sizeof horizon, "%" PRId64, target);
		if (habits_set_meta(st, "habits_fingerprint", want) == -1 ||
		    habits_set_meta(st, "habits_horizon", horizon) == -1)
			goto fail;
		h = target;
	}
	if (own && store_commit(st) == -1)
		goto fail;
	st->habits_horizon = h;
	st->habits_redone = redo ? -1 : redone;
	return 0;
fail:
	log_warnx("store: habits: %s", db_error(st->db));
	if (own)
		store_rollback(st);
	return -1;
}

/*
 * The runs of the people in scope into temp.habits_now: the kept ones,
 * then the fresh grid's composed after them. Streaks and totals read it.
 */
static int
habits_read_runs(struct store *st)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO temp.habits_now "
	    "SELECT channel, user_id, schedule, first_due, n, answers, head, "
	    "tail, longest FROM habits_runs h WHERE " HABITS_WHO("h"));

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, st->stats->channel);
	db_bind_text(stmt, 2, st->stats->user);
	if (db_step(stmt) != DB_DONE) {
		db_done(stmt);
		return -1;
	}
	db_done(stmt);
	return habits_fold(st, HABITS_UNITS, "INSERT INTO temp.habits_now "
	    "(channel, user_id, schedule, first_due, n, answers, head, tail, "
	    "longest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT "
	    "(channel, user_id, schedule) DO UPDATE SET "
	    HABITS_COMPOSE("habits_now"));
}

/*
 * Record one person's median time to answer from sorted values v, each
 * seen n[i] times, total times in all: as store_stats.c computes it.
 */
static int
habits_median(struct store *st, const struct habits_key *k, const int64_t *v,
    const int64_t *n, size_t len, int64_t total)
{
	static const char sql[] = "INSERT INTO temp.stats_latency VALUES (?1, "
	    "?2, ?3)";
	struct db_stmt *out = store_cached(st, sql);
	int64_t want[2] = { (total - 1) / 2, total / 2 }, at[2] = { 0, 0 }, seen;
	int rc;

	if (out == NULL)
		return -1;
	for (int j = 0; j < 2; j++) {
		seen = 0;
		for (size_t i = 0; i < len; i++) {
			seen += n[i];
			if (seen > want[j]) {
				at[j] = v[i];
				break;
			}
		}
	}
	db_bind_text(out, 1, k->channel);
	db_bind_text(out, 2, k->user);
	db_bind_int(out, 3, total % 2 ? at[1] : (at[0] + at[1] + 1) / 2);
	rc = db_step(out);
	db_done(out);
	return rc == DB_DONE ? 0 : -1;
}

/* Median times to answer from the kept ones and the fresh grid's. */
static int
habits_read_latency(struct store *st)
{
	struct db_stmt *in = store_prepare(st, "SELECT channel, user_id, seconds, "
	    "n FROM (SELECT l.channel, l.user_id, l.seconds, l.n FROM "
	    "habits_latency l WHERE " HABITS_WHO("l") " UNION ALL SELECT "
	    "g.channel, g.user_id, g.first_at - g.due_at, 1 FROM temp.stats_grid "
	    "g WHERE g.first_at IS NOT NULL) x ORDER BY channel, user_id, "
	    "seconds");
	struct habits_key k = { 0 };
	int64_t *v = NULL, *n = NULL, total = 0;
	size_t len = 0, cap = 0;
	int rc = DB_ERROR, failed = 0, row, same;

	if (in != NULL) {
		db_bind_text(in, 1, st->stats->channel);
		db_bind_text(in, 2, st->stats->user);
	}
	while (in != NULL) {
		rc = db_step(in);
		row = rc == DB_ROW;
		same = row && habits_key_same(&k, in, 2);
		if (k.channel != NULL && !same) {
			failed |= habits_median(st, &k, v, n, len, total) == -1;
			len = 0;
			total = 0;
		}
		if (!row)
			break;
		if (!same)
			habits_key_set(&k, in, 2);
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			v = xreallocarray(v, cap, sizeof *v);
			n = xreallocarray(n, cap, sizeof *n);
		}
		v[len] = db_int(in, 2);
		n[len] = db_int(in, 3);
		total += n[len++];
	}
	free(v);
	free(n);
	habits_key_free(&k);
	db_done(in);
	return failed || rc != DB_DONE ? -1 : 0;
}

/* How many people the last refresh built again (-1: everyone, from scratch). */
int64_t
store_habits_redone(struct store *st)
{
	return st->habits_redone;
}

/* Call busy(arg) between the parts of a long build of the kept measures. */
void
store_on_busy(struct store *st, void (*busy)(void *), void *arg)
{
	st->busy = busy;
	st->busy_arg = arg;
}

/*
 * Read the stats scope from the kept measures: bring them up to date, then
 * the fresh grid after the horizon and the streaks and medians of both.
 * -1 when they cannot be (a busy or read-only store): the caller computes
 * from scratch instead.
 */
int
store_habits_begin(struct store *st)
{
	if (st->readonly || st->stats->since != 0 || store_exec(st,
	    "CREATE TEMP TABLE IF NOT EXISTS habits_redo (channel TEXT, "
	    "user_id TEXT); CREATE TEMP TABLE IF NOT EXISTS habits_seen (id "
	    "INTEGER, channel TEXT, user_id TEXT, due_at INTEGER, received_at "
	    "INTEGER); CREATE TEMP TABLE IF NOT EXISTS habits_redo_days "
	    "(channel TEXT, day INTEGER); "
	    "CREATE TEMP TABLE IF NOT EXISTS habits_now (channel "
	    "TEXT, user_id TEXT, schedule TEXT, first_due INTEGER, n INTEGER, "
	    "answers INTEGER, head INTEGER, tail INTEGER, longest INTEGER, "
	    "PRIMARY KEY (channel, user_id, schedule)); DELETE FROM "
	    "temp.habits_redo; DELETE FROM temp.habits_now") == -1 ||
	    habits_refresh(st) == -1)
		return -1;
	if (habits_grid(st, st->habits_horizon, INT64_MAX, 0, 1) == -1 ||
	    habits_read_runs(st) == -1 || habits_read_latency(st) == -1) {
		log_warnx("store: habits: %s", db_error(st->db));
		return -1;
	}
	return 0;
}
