/* SPDX-License-Identifier: ISC */
/*
 * The store: SQLite in WAL mode with synchronous=FULL, so a committed row
 * survives kill -9 and power loss alike. The schema moves forward through
 * numbered migrations, each in its own transaction. Every write that matters
 * goes through BEGIN IMMEDIATE so a second process (nudged send) waits its
 * turn instead of failing half-way. This file holds opening, migrations,
 * transactions and schedule state; store_outbox.c, store_replies.c and
 * store_stats.c hold the queries of their concerns.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"
#include "xmalloc.h"

/* Bounded so a busy database never stalls the event loop for long. */
#define STORE_BUSY_TIMEOUT_MS	2000
/*
 * The stats grid of a large store is big: it lives in memory. Set once at
 * open: SQLite refuses to change it inside a transaction once the temporary
 * database exists, which the outbox's digest would run into.
 */
#define STORE_TEMP_STORE	"temp_store=MEMORY"
/*
 * The WAL stays near 1 MiB: a checkpoint runs once it holds 256 pages (4 KiB
 * each, SQLite's default page size; the default is 1,000), and the file is
 * cut back to 1 MiB whenever a checkpoint restarts it
 * (sqlite.org/pragma.html#pragma_journal_size_limit). A store that filled
 * its disk then fits again on the space it had.
 */
#define STORE_WAL_PAGES		"wal_autocheckpoint=256"
#define STORE_WAL_LIMIT		"journal_size_limit=1048576"

/* Migration N (1-based) brings the schema from version N-1 to N. Never edit one that shipped. */
static const char *const store_migrations[] = {
	/* 1: the outbox and each schedule's last processed instant. */
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	");"
	"CREATE TABLE deliveries ("
	"  id INTEGER PRIMARY KEY,"
	"  schedule TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  prompt_id TEXT,"
	"  due_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN"
	"    ('pending', 'sending', 'sent', 'failed', 'skipped')),"
	"  reason TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER,"
	"  last_error TEXT,"
	"  sent_at INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (schedule, due_at)"
	");"
	"CREATE INDEX deliveries_by_state ON deliveries (state, next_attempt_at);"
	"CREATE INDEX deliveries_by_channel ON deliveries (channel, due_at);"
	"CREATE TABLE schedule_state ("
	"  schedule TEXT PRIMARY KEY,"
	"  last_instant INTEGER NOT NULL"
	");",
	/* 2: the prompt bank's cycle per channel, for no-repeat rotation. */
	"ALTER TABLE deliveries ADD COLUMN cycle INTEGER;"
	"CREATE INDEX deliveries_by_cycle ON deliveries (channel, cycle);"
	"CREATE INDEX deliveries_by_schedule ON deliveries (schedule, due_at);",
	/* 3: the short code shown with each nudge, which answers quote. */
	"ALTER TABLE deliveries ADD COLUMN reply_code TEXT;"
	"CREATE INDEX deliveries_by_code ON deliveries (reply_code, due_at);",
	/* 4: people's answers, each stored once per platform message. */
	"CREATE TABLE replies ("
	"  id INTEGER PRIMARY KEY,"
	"  delivery_id INTEGER NOT NULL REFERENCES deliveries (id),"
	"  channel TEXT NOT NULL,"
	"  user_id TEXT NOT NULL,"
	"  user_name TEXT,"
	"  text TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  source TEXT NOT NULL,"
	"  message_id TEXT NOT NULL,"
	"  UNIQUE (source, message_id)"
	");"
	"CREATE INDEX replies_by_delivery ON replies (delivery_id, user_id);"
	"CREATE INDEX replies_by_user ON replies (channel, user_id, received_at);",
	/* 5: reminders and digests travel through the outbox too. */
	"ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'prompt' "
	"  CHECK (kind IN ('prompt', 'reminder', 'digest'));"
	"ALTER TABLE deliveries ADD COLUMN parent_id INTEGER REFERENCES "
	"  deliveries (id);",
	/* 6: habit measures read an answer's first time from the index alone. */
	"DROP INDEX replies_by_delivery;"
	"CREATE INDEX replies_by_delivery ON replies (delivery_id, user_id, "
	"  received_at);",
	/*
	 * 7: a reminder or digest is named by its schedule and told apart by
	 * its kind ("daily", not "daily/reminder"); a reminder finds its prompt
	 * by parent_id. One row per (schedule, kind, instant), as before per
	 * name. SQLite changes a UNIQUE only by rebuilding the table
	 * (sqlite.org/lang_altertable.html, "other kinds of changes"): foreign
	 * keys are off while migrations run, ids are kept.
	 */
	"CREATE TABLE deliveries_7 ("
	"  id INTEGER PRIMARY KEY,"
	"  schedule TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  prompt_id TEXT,"
	"  due_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN"
	"    ('pending', 'sending', 'sent', 'failed', 'skipped')),"
	"  reason TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER,"
	"  last_error TEXT,"
	"  sent_at INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  cycle INTEGER,"
	"  reply_code TEXT,"
	"  kind TEXT NOT NULL DEFAULT 'prompt'"
	"    CHECK (kind IN ('prompt', 'reminder', 'digest')),"
	"  parent_id INTEGER REFERENCES deliveries (id),"
	"  UNIQUE (schedule, kind, due_at)"
	");"
	"INSERT INTO deliveries_7 SELECT id, CASE WHEN kind != 'prompt' AND "
	"  substr(schedule, -length(kind) - 1) = '/' || kind THEN "
	"  substr(schedule, 1, length(schedule) - length(kind) - 1) ELSE "
	"  schedule END, channel, prompt_id, due_at, state, reason, attempts, "
	"  next_attempt_at, last_error, sent_at, created_at, cycle, reply_code, "
	"  kind, parent_id FROM deliveries;"
	"DROP TABLE deliveries;"
	"ALTER TABLE deliveries_7 RENAME TO deliveries;"
	"CREATE INDEX deliveries_by_state ON deliveries (state, next_attempt_at);"
	"CREATE INDEX deliveries_by_channel ON deliveries (channel, due_at);"
	"CREATE INDEX deliveries_by_cycle ON deliveries (channel, cycle);"
	"CREATE INDEX deliveries_by_schedule ON deliveries (schedule, due_at);"
	"CREATE INDEX deliveries_by_code ON deliveries (reply_code, due_at);"
	"CREATE INDEX deliveries_by_parent ON deliveries (parent_id);",
	/*
	 * 8: people asked directly. A delivery names its person ("" for the
	 * channel itself) and is one per (schedule, person, kind, instant); it
	 * keeps where the platform put the message (a DM or channel id and the
	 * message's id or ts) for thread replies and updates. A follow-up is a
	 * kind of its own. People's DM ids, profile zones and reachability are
	 * kept per channel (one per workspace), pauses and absences per person.
	 */
	"CREATE TABLE deliveries_8 ("
	"  id INTEGER PRIMARY KEY,"
	"  schedule TEXT NOT NULL,"
	"  channel TEXT NOT NULL,"
	"  person TEXT NOT NULL DEFAULT '',"
	"  prompt_id TEXT,"
	"  due_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN"
	"    ('pending', 'sending', 'sent', 'failed', 'skipped')),"
	"  reason TEXT,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_attempt_at INTEGER,"
	"  last_error TEXT,"
	"  sent_at INTEGER,"
	"  created_at INTEGER NOT NULL,"
	"  cycle INTEGER,"
	"  reply_code TEXT,"
	"  kind TEXT NOT NULL DEFAULT 'prompt'"
	"    CHECK (kind IN ('prompt', 'reminder', 'digest', 'follow_up')),"
	"  parent_id INTEGER REFERENCES deliveries (id),"
	"  message_channel TEXT,"
	"  message_id TEXT,"
	"  UNIQUE (schedule, person, kind, due_at)"
	");"
	"INSERT INTO deliveries_8 (id, schedule, channel, prompt_id, due_at, "
	"  state, reason, attempts, next_attempt_at, last_error, sent_at, "
	"  created_at, cycle, reply_code, kind, parent_id) SELECT id, schedule, "
	"  channel, prompt_id, due_at, state, reason, attempts, "
	"  next_attempt_at, last_error, sent_at, created_at, cycle, reply_code, "
	"  kind, parent_id FROM deliveries;"
	"DROP TABLE deliveries;"
	"ALTER TABLE deliveries_8 RENAME TO deliveries;"
	"CREATE INDEX deliveries_by_state ON deliveries (state, next_attempt_at);"
	"CREATE INDEX deliveries_by_channel ON deliveries (channel, due_at);"
	"CREATE INDEX deliveries_by_cycle ON deliveries (channel, person, cycle);"
	"CREATE INDEX deliveries_by_schedule ON deliveries (schedule, due_at);"
	"CREATE INDEX deliveries_by_code ON deliveries (reply_code, due_at);"
	"CREATE INDEX deliveries_by_parent ON deliveries (parent_id);"
	"CREATE INDEX deliveries_by_person ON deliveries (channel, person, due_at);"
	"CREATE INDEX deliveries_by_message ON deliveries (message_channel, "
	"  message_id);"
	"CREATE TABLE person_channels ("
	"  channel TEXT NOT NULL,"
	"  person TEXT NOT NULL,"
	"  dm_id TEXT,"
	"  tz TEXT,"
	"  tz_checked_at INTEGER,"
	"  inactive TEXT,"
	"  PRIMARY KEY (channel, person)"
	");"
	"CREATE TABLE person_state ("
	"  person TEXT PRIMARY KEY,"
	"  paused_at INTEGER,"
	"  away_from INTEGER,"
	"  away_until INTEGER"
	");",
	/*
	 * 9: nudges opened by an event (POST /api/v1/nudges) keep the caller's
	 * id, unique per channel and person so a retried request enqueues
	 * nothing, and the context line shown above the question.
	 */
	"ALTER TABLE deliveries ADD COLUMN event_id TEXT;"
	"ALTER TABLE deliveries ADD COLUMN context TEXT;"
	"CREATE UNIQUE INDEX deliveries_by_event ON deliveries (channel, "
	"  event_id, person) WHERE event_id IS NOT NULL;",
	/* 10 (11 once the delivery leases land): the kept habit measures. */
	store_habits_schema,
};
#define STORE_NMIGRATIONS \
	((int)(sizeof store_migrations / sizeof store_migrations[0]))

static int	 store_pragma_check(struct store *, const char *, const char *,
		    char **);
static int	 store_migrate(struct store *, char **);
static int	 store_create_file(const char *, char **);
static sqlite3_stmt *store_cached(struct store *, sqlite3_stmt **,
		    const char *);
static void	 store_wal_truncate(struct store *);

/* Take the serve lock on the state folder; -1 with a clear cause if held. */
int
store_lock(const char *state_dir, int *fd, char **cause)
{
	char *path;

	if (mkdir(state_dir, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "state folder %s: %s", state_dir, strerror(errno));
		return -1;
	}
	xasprintf(&path, "%s/%s", state_dir, STORE_LOCK_FILE);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			xasprintf(cause, "another nudged serve is already running "
			    "on %s (lock %s is held)", state_dir, path);
		else
			xasprintf(cause, "%s: %s", path, strerror(errno));
		close(*fd);
		*fd = -1;
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

/* Create the database file 0600 ourselves, so SQLite never makes it wider. */
static int
store_create_file(const char *path, char **cause)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Open (creating if needed) and migrate the store under state_dir. */
struct store *
store_open(const char *state_dir, char **cause)
{
	struct store *st;

	if (mkdir(state_dir, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "state folder %s: %s", state_dir, strerror(errno));
		return NULL;
	}
	st = xcalloc(1, sizeof *st);
	xasprintf(&st->path, "%s/%s", state_dir, STORE_FILE);
	if (store_create_file(st->path, cause) == -1)
		goto fail;
	if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", st->path, st->db ?
		    sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	if (store_pragma_check(st, "journal_mode=WAL", "wal", cause) == -1 ||
	    store_pragma_check(st, "synchronous=FULL", NULL, cause) == -1 ||
	    store_pragma_check(st, STORE_TEMP_STORE, NULL, cause) == -1 ||
	    store_pragma_check(st, STORE_WAL_PAGES, NULL, cause) == -1 ||
	    store_pragma_check(st, STORE_WAL_LIMIT, NULL, cause) == -1 ||
	    store_migrate(st, cause) == -1 ||
	    store_pragma_check(st, "foreign_keys=ON", NULL, cause) == -1)
		goto fail;
	return st;
fail:
	store_close(st);
	return NULL;
}

/*
 * Open an existing store read-only, for previews: NULL without a cause when
 * there is none yet, NULL with a cause when it cannot be read as this
 * version's schema.
 */
struct store *
store_open_readonly(const char *state_dir, char **cause)
{
	struct store *st = xcalloc(1, sizeof *st);

	*cause = NULL;
	xasprintf(&st->path, "%s/%s", state_dir, STORE_FILE);
	if (access(st->path, F_OK) == -1) {
		store_close(st);
		return NULL;
	}
	if (sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		xasprintf(cause, "%s: %s", st->path, st->db ?
		    sqlite3_errmsg(st->db) : "cannot open");
		store_close(st);
		return NULL;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_TIMEOUT_MS);
	st->readonly = 1;
	if (store_pragma_check(st, STORE_TEMP_STORE, NULL, cause) == -1) {
		store_close(st);
		return NULL;
	}
	if (store_schema_version(st) != STORE_NMIGRATIONS) {
		xasprintf(cause, "%s has schema version %d, not %d; nudged serve "
		    "migrates it", st->path, store_schema_version(st),
		    STORE_NMIGRATIONS);
		store_close(st);
		return NULL;
	}
	return st;
}

/* Close the database; SQLite checkpoints and removes the WAL on the last close. */
void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	sqlite3_finalize(st->last_instant);
	sqlite3_finalize(st->set_last_instant);
	for (size_t i = 0; i < sizeof st->cache / sizeof st->cache[0]; i++)
		sqlite3_finalize(st->cache[i].stmt);
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(st->db));
	for (size_t i = 0; i < st->nanon; i++)
		free(st->anon[i]);
	free(st->anon);
	explicit_bzero(st->anon_key, sizeof st->anon_key);
	free(st->path);
	free(st);
}

/* Run a PRAGMA and, when want is given, check the value it reports back. */
static int
store_pragma_check(struct store *st, const char *pragma, const char *want,
    char **cause)
{
	sqlite3_stmt *stmt;
	char *sql;
	int rc;

	xasprintf(&sql, "PRAGMA %s", pragma);
	rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		xasprintf(cause, "%s: PRAGMA %s: %s", st->path, pragma,
		    sqlite3_errmsg(st->db));
		return -1;
	}
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		xasprintf(cause, "%s: PRAGMA %s: %s", st->path, pragma,
		    sqlite3_errmsg(st->db));
		sqlite3_finalize(stmt);
		return -1;
	}
	if (want != NULL && (rc != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(stmt, 0), want) != 0)) {
		xasprintf(cause, "%s: PRAGMA %s did not take effect", st->path,
		    pragma);
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	return 0;
}

/* Execute SQL without results; logs and returns -1 on failure. */
int
store_exec(struct store *st, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("store: %s", err ? err : sqlite3_errmsg(st->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* Prepare a statement; logs and returns NULL on failure. */
sqlite3_stmt *
store_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		return NULL;
	}
	return stmt;
}

/*
 * A statement for a SQL literal, prepared once and kept until the store is
 * closed: for the statements the outbox runs for every delivery. NULL when
 * the cache is full (or the prepare failed): the caller prepares its own.
 */
sqlite3_stmt *
store_prepare_cached(struct store *st, const char *sql)
{
	size_t i, n = sizeof st->cache / sizeof st->cache[0];

	for (i = 0; i < n && st->cache[i].sql != NULL; i++) {
		if (st->cache[i].sql == sql) {
			sqlite3_reset(st->cache[i].stmt);
			sqlite3_clear_bindings(st->cache[i].stmt);
			return st->cache[i].stmt;
		}
	}
	if (i == n)
		return NULL;
	if ((st->cache[i].stmt = store_prepare(st, sql)) != NULL)
		st->cache[i].sql = sql;
	return st->cache[i].stmt;
}

/*
 * A statement for a SQL literal run often: the cached one when there is room
 * (*cached set), else a fresh one. Hand it back with store_stmt_done.
 */
sqlite3_stmt *
store_stmt(struct store *st, const char *sql, int *cached)
{
	sqlite3_stmt *stmt = store_prepare_cached(st, sql);

	*cached = stmt != NULL;
	return stmt != NULL ? stmt : store_prepare(st, sql);
}

/*
 * Done with a statement from store_stmt: a cached one is reset at once, so a
 * SELECT that stopped on a row holds no read transaction open.
 */
void
store_stmt_done(sqlite3_stmt *stmt, int cached)
{
	if (cached)
		sqlite3_reset(stmt);
	else
		sqlite3_finalize(stmt);
}

/* The newest schema version this binary knows. */
int
store_latest_version(void)
{
	return STORE_NMIGRATIONS;
}

/* The schema version recorded in the database (0 for a new file). */
int
store_schema_version(struct store *st)
{
	sqlite3_stmt *stmt;
	int version = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = "
	    "'schema_version'", -1, &stmt, NULL) != SQLITE_OK)
		return 0;	/* no meta table yet */
	if (sqlite3_step(stmt) == SQLITE_ROW)
		version = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return version;
}

/* Apply every migration the database lacks, each in its own transaction. */
static int
store_migrate(struct store *st, char **cause)
{
	int version = store_schema_version(st);
	char *sql;

	if (version > STORE_NMIGRATIONS) {
		xasprintf(cause, "%s: schema version %d is newer than this nudged "
		    "understands (%d); run the newer nudged", st->path, version,
		    STORE_NMIGRATIONS);
		return -1;
	}
	for (int v = version + 1; v <= STORE_NMIGRATIONS; v++) {
		xasprintf(&sql, "%s INSERT INTO meta (key, value) VALUES "
		    "('schema_version', '%d') ON CONFLICT (key) DO UPDATE SET "
		    "value = excluded.value;", store_migrations[v - 1], v);
		if (store_begin(st) == -1 || store_exec(st, sql) == -1 ||
		    store_commit(st) == -1) {
			store_rollback(st);
			xasprintf(cause, "%s: migration to schema version %d failed: "
			    "%s", st->path, v, sqlite3_errmsg(st->db));
			free(sql);
			return -1;
		}
		free(sql);
		if (version != 0)
			log_notice("store: migrated %s to schema version %d",
			    st->path, v);
	}
	return 0;
}

/* Start a write transaction now (not on first write), so it cannot deadlock later. */
int
store_begin(struct store *st)
{
	return store_exec(st, "BEGIN IMMEDIATE");
}

/* Commit; only after this returns 0 is anything acknowledged. */
int
store_commit(struct store *st)
{
	if (store_exec(st, "COMMIT") == -1) {
		st->wal_trim = 1;
		return -1;
	}
	if (st->wal_trim)
		store_wal_truncate(st);
	return 0;
}

/* Roll back the open transaction, if any: a write failed (a full disk, say). */
void
store_rollback(struct store *st)
{
	st->wal_trim = 1;
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* The words of the kind column, by enum store_kind. */
static const char *const store_kind_names[] = { "prompt", "reminder",
    "digest", "follow_up" };

/* The word the store uses for a kind of outbox row. */
const char *
store_kind_name(enum store_kind k)
{
	return store_kind_names[k];
}

/* The kind a word of the kind column stands for (its CHECK allows no other). */
enum store_kind
store_kind_of(const char *name)
{
	size_t n = sizeof store_kind_names / sizeof store_kind_names[0];

	for (size_t k = 0; k < n; k++)
		if (name != NULL && strcmp(store_kind_names[k], name) == 0)
			return (enum store_kind)k;
	return STORE_KIND_PROMPT;
}

/*
 * Writes work again after a failure: fold the WAL into the database and cut
 * it to zero bytes (wal_checkpoint(TRUNCATE)), so what it grew to while the
 * disk was full is given back. Tried again after the next commit until the
 * checkpoint completes (its first column, "busy", is 0).
 */
static void
store_wal_truncate(struct store *st)
{
	sqlite3_stmt	*stmt;

	if ((stmt = store_prepare(st, "PRAGMA wal_checkpoint(TRUNCATE)")) ==
	    NULL)
		return;
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0) ==
	    0) {
		st->wal_trim = 0;
		log_info("store: writes work again; the WAL is truncated");
	}
	sqlite3_finalize(stmt);
}

/* The word the store uses for a state. */
const char *
store_state_name(enum store_state s)
{
	static const char *const names[] = { "pending", "sending", "sent",
	    "failed", "skipped" };

	return names[s];
}

/* A statement prepared on first use and kept (reset) for the store's life. */
static sqlite3_stmt *
store_cached(struct store *st, sqlite3_stmt **slot, const char *sql)
{
	if (*slot == NULL)
		*slot = store_prepare(st, sql);
	else {
		sqlite3_reset(*slot);
		sqlite3_clear_bindings(*slot);
	}
	return *slot;
}

/* A schedule's last processed instant: 1 and *out when known, 0 when never, -1 on error. */
int
store_last_instant(struct store *st, const char *schedule, int64_t *out)
{
	sqlite3_stmt *stmt = store_cached(st, &st->last_instant, "SELECT "
	    "last_instant FROM schedule_state WHERE schedule = ?");
	int rc, found = 0;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, schedule, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(stmt, 0);
		found = 1;
	} else if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		found = -1;
	}
	sqlite3_reset(stmt);
	return found;
}

/* Record that a schedule has processed every instant up to and including instant. */
int
store_set_last_instant(struct store *st, const char *schedule, int64_t instant)
{
	sqlite3_stmt *stmt = store_cached(st, &st->set_last_instant, "INSERT "
	    "INTO schedule_state (schedule, last_instant) VALUES (?, ?) ON "
	    "CONFLICT (schedule) DO UPDATE SET last_instant = max(last_instant, "
	    "excluded.last_instant)");
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, schedule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, instant);
	rc = sqlite3_step(stmt);
	sqlite3_reset(stmt);
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/* PRAGMA integrity_check: 0 when the file is sound, else -1 and what is wrong. */
int
store_integrity_check(struct store *st, char **cause)
{
	sqlite3_stmt *stmt = store_prepare(st, "PRAGMA integrity_check");
	int ok = -1;

	if (stmt == NULL) {
		xasprintf(cause, "%s", sqlite3_errmsg(st->db));
		return -1;
	}
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(stmt, 0);

		if (r != NULL && strcmp(r, "ok") == 0)
			ok = 0;
		else
			xasprintf(cause, "%s", r ? r : "no answer");
	} else
		xasprintf(cause, "%s", sqlite3_errmsg(st->db));
	sqlite3_finalize(stmt);
	return ok;
}

/* A copy of a text column, or NULL. */
char *
store_column_strdup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

/* A text column or "" for NULL. */
const char *
store_text_or_empty(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return t != NULL ? (const char *)t : "";
}

/*
 * Run an UPDATE taking ?1 id, ?2 an instant and ?3 a text (SQLite allows
 * binding a number the statement does not use, below its highest); -1 on error.
 */
int
store_update(struct store *st, const char *sql, int64_t id, int64_t at,
    const char *text)
{
	int rc, cached;
	sqlite3_stmt *stmt = store_stmt(st, sql, &cached);

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, at);
	if (sqlite3_bind_parameter_count(stmt) >= 3)
		sqlite3_bind_text(stmt, 3, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	store_stmt_done(stmt, cached);
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}
