/* SPDX-License-Identifier: ISC */
/*
 * The store: the database behind db.h (SQLite by default, or PostgreSQL
 * shared by several instances), whose schema moves forward through numbered
 * migrations, each in its own transaction. Every write that matters goes
 * through db_begin, a write transaction taken at once, so a second process
 * (nudged send) waits its turn instead of failing half-way. This file holds
 * opening, migrations, transactions and schedule state; store_outbox.c,
 * store_replies.c and store_stats.c hold the queries of their concerns.
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

#include "db.h"
#include "db_pg.h"
#include "db_sqlite.h"
#include "log.h"
#include "store_int.h"
#include "store_schema.h"
#include "xmalloc.h"

/* Migration N (1-based) brings the schema from version N-1 to N. Never edit one that shipped. */
static const char *const store_migrations_sqlite[] = {
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
	/*
	 * 10: several instances on one store: which instance holds a delivery
	 * in `sending` and until when (its lease); past it, another takes it.
	 */
	"ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;"
	"ALTER TABLE deliveries ADD COLUMN lease_until INTEGER;",
	/* 11: the habit measures kept up to date (store_habits.c). */
	store_habits_schema,
};
static int	 store_migrate(struct store *, char **);
static int	 store_create_file(const char *, char **);
static struct store *store_wrap(struct db *, const char *);
static struct db_stmt *store_logged(struct store *, struct db_stmt *);
static struct store *store_check_latest(struct store *, char **);
static int	 store_schema_version_of(struct db *);

/* How messages name a PostgreSQL store (its connection string may hold a password). */
#define STORE_PG_WHERE		"PostgreSQL store"
/* The session lock one instance holds while it migrates the shared schema. */
#define STORE_PG_MIGRATE_LOCK	"7236251848541040999"

/*
 * The migrations of an engine's schema, oldest first, and how many; NULL
 * when this nudged has none built in for it.
 */
const char *const *
store_migrations(enum db_dialect dialect, int *n)
{
	if (dialect == DB_POSTGRESQL) {
		*n = store_pg_nmigrations;
		return store_pg_migrations;
	}
	*n = (int)(sizeof store_migrations_sqlite /
	    sizeof store_migrations_sqlite[0]);
	return store_migrations_sqlite;
}

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

/* A store around an open database, which it now owns. */
static struct store *
store_wrap(struct db *db, const char *where)
{
	struct store *st = xcalloc(1, sizeof *st);

	st->db = db;
	st->where = xstrdup(where);
	return st;
}

/*
 * A store on an open database (owned from now on, closed on failure):
 * migrated to this version's schema, with foreign keys enforced. where
 * names it in messages and must hold no secret.
 */
struct store *
store_open_db(struct db *db, const char *where, char **cause)
{
	struct store *st = store_wrap(db, where);

	if (store_migrate(st, cause) == -1)
		goto fail;
	/* SQLite enforces foreign keys only when asked, after migrations. */
	if (db_dialect(db) == DB_SQLITE &&
	    db_exec(db, "PRAGMA foreign_keys=ON") == -1) {
		xasprintf(cause, "%s: PRAGMA foreign_keys=ON: %s", where,
		    db_error(db));
		goto fail;
	}
	return st;
fail:
	store_close(st);
	return NULL;
}

/* Open (creating if needed) and migrate the SQLite store under state_dir. */
struct store *
store_open(const char *state_dir, char **cause)
{
	struct db *db;
	char *path;
	struct store *st = NULL;

	if (mkdir(state_dir, 0700) == -1 && errno != EEXIST) {
		xasprintf(cause, "state folder %s: %s", state_dir, strerror(errno));
		return NULL;
	}
	xasprintf(&path, "%s/%s", state_dir, STORE_FILE);
	if (store_create_file(path, cause) == 0 &&
	    (db = db_open_sqlite(path, 0, cause)) != NULL)
		st = store_open_db(db, path, cause);
	free(path);
	return st;
}

/*
 * Open an existing SQLite store read-only, for previews: NULL without a
 * cause when there is none yet, NULL with a cause when it cannot be read
 * as this version's schema.
 */
struct store *
store_open_readonly(const char *state_dir, char **cause)
{
	struct store *st = NULL;
	struct db *db;
	char *path;

	*cause = NULL;
	xasprintf(&path, "%s/%s", state_dir, STORE_FILE);
	if (access(path, F_OK) == -1 ||
	    (db = db_open_sqlite(path, 1, cause)) == NULL) {
		free(path);
		return NULL;
	}
	st = store_wrap(db, path);
	free(path);
	st->readonly = 1;
	return store_check_latest(st, cause);
}

/* Whether the store's database answers (a shared one can be away a while). */
int
store_connected(struct store *st)
{
	return db_pg_connected(st->db);
}

/* The store, if its schema is this version's; else closed, NULL and why. */
static struct store *
store_check_latest(struct store *st, char **cause)
{
	int version = store_schema_version(st), latest = store_latest_version();

	if (version == latest)
		return st;
	xasprintf(cause, "%s has schema version %d, not %d; nudged serve "
	    "migrates it", st->where, version, latest);
	store_close(st);
	return NULL;
}

/*
 * The store a configuration names: in the PostgreSQL database postgresql
 * names when set, else SQLite under state_dir; read-only as
 * store_open_readonly (NULL without a cause when there is none yet).
 */
struct store *
store_open_for(const char *state_dir, const char *postgresql, int readonly,
    char **cause)
{
	if (postgresql != NULL)
		return readonly ? store_open_postgresql_readonly(postgresql,
		    cause) : store_open_postgresql(postgresql, cause);
	return readonly ? store_open_readonly(state_dir, cause) :
	    store_open(state_dir, cause);
}

/*
 * Open and migrate the store in the PostgreSQL database conninfo names,
 * which several instances may share: one migrates at a time (a session
 * lock held meanwhile), the others find the schema done.
 */
struct store *
store_open_postgresql(const char *conninfo, char **cause)
{
	struct db *db = db_open_postgresql(conninfo, cause);
	struct store *st;

	if (db == NULL)
		return NULL;
	if (db_pg_wait_long(db, 1) == -1 || db_exec(db, "SELECT "
	    "pg_advisory_lock(" STORE_PG_MIGRATE_LOCK ")") == -1) {
		xasprintf(cause, "%s: waiting for another instance's migration: "
		    "%s", STORE_PG_WHERE, db_error(db));
		db_close(db);
		return NULL;
	}
	if ((st = store_open_db(db, STORE_PG_WHERE, cause)) != NULL &&
	    (db_exec(db, "SELECT pg_advisory_unlock(" STORE_PG_MIGRATE_LOCK
	    ")") == -1 || db_pg_wait_long(db, 0) == -1)) {
		xasprintf(cause, "%s: %s", STORE_PG_WHERE, db_error(db));
		store_close(st);
		return NULL;
	}
	return st;
}

/*
 * The PostgreSQL store for previews and reports, never migrated (the
 * session stays writable: stats build temporary tables): NULL without a
 * cause when no instance made it yet, NULL with a cause when it cannot be
 * read as this version's schema.
 */
struct store *
store_open_postgresql_readonly(const char *conninfo, char **cause)
{
	struct store *st;
	struct db *db;

	*cause = NULL;
	if ((db = db_open_postgresql(conninfo, cause)) == NULL)
		return NULL;
	if (store_schema_version_of(db) == 0) {
		db_close(db);
		return NULL;
	}
	st = store_wrap(db, STORE_PG_WHERE);
	st->readonly = 1;
	return store_check_latest(st, cause);
}

/* Close the database (SQLite checkpoints and removes the WAL on the last close). */
void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	db_close(st->db);
	for (size_t i = 0; i < st->nanon; i++)
		free(st->anon[i]);
	free(st->anon);
	explicit_bzero(st->anon_key, sizeof st->anon_key);
	explicit_bzero(st->callback_key, sizeof st->callback_key);
	free(st->where);
	free(st);
}

/* Execute SQL without results; logs and returns -1 on failure. */
int
store_exec(struct store *st, const char *sql)
{
	if (db_exec(st->db, sql) == -1) {
		log_warnx("store: %s", db_error(st->db));
		return -1;
	}
	return 0;
}

/* A statement as prepared, with the failure logged when there is none. */
static struct db_stmt *
store_logged(struct store *st, struct db_stmt *stmt)
{
	if (stmt == NULL)
		log_warnx("store: %s", db_error(st->db));
	return stmt;
}

/* A statement for this call only; logs and returns NULL on failure. */
struct db_stmt *
store_prepare(struct store *st, const char *sql)
{
	return store_logged(st, db_prepare(st->db, sql));
}

/*
 * A statement for a SQL literal run often (per delivery, per answer), kept
 * prepared by db.c; logs and returns NULL on failure. Hand it back with
 * db_done.
 */
struct db_stmt *
store_cached(struct store *st, const char *sql)
{
	return store_logged(st, db_cached(st->db, sql));
}

/* The newest schema version this binary knows (of its SQLite schema). */
int
store_latest_version(void)
{
	int n;

	store_migrations(DB_SQLITE, &n);
	return n;
}

/* The schema version recorded in the store (0 for a new one). */
int
store_schema_version(struct store *st)
{
	return store_schema_version_of(st->db);
}

/* The schema version recorded in a database (0 for a new one). */
static int
store_schema_version_of(struct db *db)
{
	struct db_stmt *stmt;
	int version = 0;

	if ((stmt = db_prepare(db, "SELECT value FROM meta WHERE key = "
	    "'schema_version'")) == NULL)
		return 0;	/* no meta table yet */
	if (db_step(stmt) == DB_ROW)
		version = atoi(store_text_or_empty(stmt, 0));
	db_done(stmt);
	return version;
}

/* Apply every migration the database lacks, each in its own transaction. */
static int
store_migrate(struct store *st, char **cause)
{
	int version = store_schema_version(st), n;
	const char *const *migrations;
	char *sql;

	migrations = store_migrations(db_dialect(st->db), &n);
	if (migrations == NULL) {
		xasprintf(cause, "%s: the PostgreSQL schema is not built into this "
		    "nudged", st->where);
		return -1;
	}
	if (version > n) {
		xasprintf(cause, "%s: schema version %d is newer than this nudged "
		    "understands (%d); run the newer nudged", st->where, version,
		    n);
		return -1;
	}
	for (int v = version + 1; v <= n; v++) {
		xasprintf(&sql, "%s INSERT INTO meta (key, value) VALUES "
		    "('schema_version', '%d') ON CONFLICT (key) DO UPDATE SET "
		    "value = excluded.value;", migrations[v - 1], v);
		if (db_begin(st->db) == -1 || db_exec(st->db, sql) == -1 ||
		    db_commit(st->db) == -1) {
			xasprintf(cause, "%s: migration to schema version %d failed: "
			    "%s", st->where, v, db_error(st->db));
			db_rollback(st->db);
			free(sql);
			return -1;
		}
		free(sql);
		if (version != 0)
			log_notice("store: migrated %s to schema version %d",
			    st->where, v);
	}
	return 0;
}

/* Start a write transaction now (not on first write), so it cannot deadlock later. */
int
store_begin(struct store *st)
{
	if (db_begin(st->db) == -1) {
		log_warnx("store: %s", db_error(st->db));
		return -1;
	}
	return 0;
}

/* Commit; only after this returns 0 is anything acknowledged. */
int
store_commit(struct store *st)
{
	if (db_commit(st->db) == -1) {
		log_warnx("store: %s", db_error(st->db));
		return -1;
	}
	return 0;
}

/* Roll back the open transaction, if any: a write failed (a full disk, say). */
void
store_rollback(struct store *st)
{
	db_rollback(st->db);
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

/* The word the store uses for a state. */
const char *
store_state_name(enum store_state s)
{
	static const char *const names[] = { "pending", "sending", "sent",
	    "failed", "skipped" };

	return names[s];
}

/* A schedule's last processed instant: 1 and *out when known, 0 when never, -1 on error. */
int
store_last_instant(struct store *st, const char *schedule, int64_t *out)
{
	struct db_stmt *stmt = store_cached(st, "SELECT last_instant FROM "
	    "schedule_state WHERE schedule = ?");
	int rc, found = 0;

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, schedule);
	rc = db_step(stmt);
	if (rc == DB_ROW) {
		*out = db_int(stmt, 0);
		found = 1;
	} else if (rc != DB_DONE) {
		log_warnx("store: %s", db_error(st->db));
		found = -1;
	}
	db_done(stmt);
	return found;
}

/* Record that a schedule has processed every instant up to and including instant. */
int
store_set_last_instant(struct store *st, const char *schedule, int64_t instant)
{
	struct db_stmt *stmt = store_cached(st, "INSERT INTO schedule_state "
	    "(schedule, last_instant) VALUES (?, ?) ON CONFLICT (schedule) DO "
	    "UPDATE SET last_instant = CASE WHEN excluded.last_instant > "
	    "schedule_state.last_instant THEN excluded.last_instant ELSE "
	    "schedule_state.last_instant END");

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, schedule);
	db_bind_int(stmt, 2, instant);
	return store_write(st, stmt, NULL);
}

/*
 * Whether the database is sound: SQLite's PRAGMA integrity_check (0, or -1
 * and what is wrong). PostgreSQL checks its pages itself; there a
 * round trip shows the server answers.
 */
int
store_integrity_check(struct store *st, char **cause)
{
	int sqlite = db_dialect(st->db) == DB_SQLITE;
	struct db_stmt *stmt = db_prepare(st->db, sqlite ?
	    "PRAGMA integrity_check" : "SELECT 'ok'");
	int ok = -1;

	if (stmt == NULL) {
		xasprintf(cause, "%s", db_error(st->db));
		return -1;
	}
	if (db_step(stmt) == DB_ROW) {
		const char *r = db_text(stmt, 0);

		if (r != NULL && strcmp(r, "ok") == 0)
			ok = 0;
		else
			xasprintf(cause, "%s", r ? r : "no answer");
	} else
		xasprintf(cause, "%s", db_error(st->db));
	db_done(stmt);
	return ok;
}

/* A copy of a text column, or NULL. */
char *
store_column_strdup(struct db_stmt *stmt, int col)
{
	const char *t = db_text(stmt, col);

	return t != NULL ? xstrdup(t) : NULL;
}

/* A text column or "" for NULL. */
const char *
store_text_or_empty(struct db_stmt *stmt, int col)
{
	const char *t = db_text(stmt, col);

	return t != NULL ? t : "";
}

/*
 * Run an UPDATE taking ?1 id, ?2 an instant and ?3 a text, and for claims
 * ?4 this instance and ?5 the end of its lease from ?2 (db.h ignores a
 * parameter the statement does not use); -1 on error.
 */
int
store_update(struct store *st, const char *sql, int64_t id, int64_t at,
    const char *text)
{
	struct db_stmt *stmt = store_cached(st, sql);

	if (stmt == NULL)
		return -1;
	db_bind_int(stmt, 1, id);
	db_bind_int(stmt, 2, at);
	db_bind_text(stmt, 3, text);
	db_bind_text(stmt, 4, st->claimant);
	db_bind_int(stmt, 5, at + st->lease);
	return store_write(st, stmt, NULL);
}

/*
 * Run a bound INSERT once and hand it back: *id is the new row's id, or 0
 * when it added none (a conflict). PostgreSQL's text ends in RETURNING id;
 * SQLite's does not, as RETURNING costs SQLite twice the work of the
 * INSERT itself (an answer's insert measured 27,500 instructions without,
 * 65,100 with), and its last rowid is free. -1 on error (db_error says).
 */
int
store_insert(struct store *st, struct db_stmt *stmt, int64_t *id)
{
	int rc = db_step(stmt);

	*id = 0;
	if (rc == DB_ROW)
		*id = db_int(stmt, 0);
	else if (rc == DB_DONE && db_dialect(st->db) == DB_SQLITE &&
	    db_changes(st->db) > 0)
		*id = db_sqlite_last_id(st->db);
	db_done(stmt);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

/* Run a bound write statement once and hand it back; -1 with the error (and what failed) logged. */
int
store_write(struct store *st, struct db_stmt *stmt, const char *what)
{
	int rc = db_step(stmt);

	if (rc != DB_DONE && what != NULL)
		log_warnx("store: %s: %s", what, db_error(st->db));
	else if (rc != DB_DONE)
		log_warnx("store: %s", db_error(st->db));
	db_done(stmt);
	return rc == DB_DONE ? 0 : -1;
}
