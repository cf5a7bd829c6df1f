/*
 * The store: SQLite in WAL mode with synchronous=FULL, so a committed row
 * survives kill -9 and power loss alike. The schema moves forward through
 * numbered migrations, each in its own transaction. Every write that matters
 * goes through BEGIN IMMEDIATE so a second process (nudged send) waits its
 * turn instead of failing half-way.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bank.h"
#include "log.h"
#include "replycode.h"
#include "xmalloc.h"

/* Bounded so a busy database never stalls the event loop for long. */
#define STORE_BUSY_TIMEOUT_MS	2000

struct store {
	sqlite3	*db;
	char	*path;
};

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
};
#define STORE_NMIGRATIONS \
	((int)(sizeof store_migrations / sizeof store_migrations[0]))

static int	 store_exec(struct store *, const char *);
static int	 store_pragma_check(struct store *, const char *, const char *,
		    char **);
static int	 store_migrate(struct store *, char **);
static int	 store_create_file(const char *, char **);
static sqlite3_stmt *store_prepare(struct store *, const char *);
static int	 store_each_id(struct store *, const char *, const char *,
		    int64_t, void (*)(struct bank_history *, const char *,
		    int64_t), struct bank_history *);
static void	 store_add_track(struct bank_history *, const char *, int64_t);
static int	 store_set_reply_code(struct store *, int64_t);
static char	*store_column_strdup(sqlite3_stmt *, int);
static int	 store_update(struct store *, const char *, int64_t, int64_t,
		    const char *);

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
	    store_pragma_check(st, "foreign_keys=ON", NULL, cause) == -1 ||
	    store_migrate(st, cause) == -1)
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
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(st->db));
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
static int
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
static sqlite3_stmt *
store_prepare(struct store *st, const char *sql)
{
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		return NULL;
	}
	return stmt;
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
	return store_exec(st, "COMMIT");
}

/* Roll back the open transaction, if any. */
void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* The word the store uses for a state. */
const char *
store_state_name(enum store_state s)
{
	static const char *const names[] = { "pending", "sending", "sent",
	    "failed", "skipped" };

	return names[s];
}

/*
 * Add a delivery unless (schedule, due_at) is already there: 1 when added, 0
 * when it existed (a restart at the wrong moment), -1 on error.
 */
int
store_enqueue(struct store *st, const struct store_delivery *d, int64_t *id)
{
	sqlite3_stmt *stmt = store_prepare(st, "INSERT INTO deliveries "
	    "(schedule, channel, prompt_id, due_at, state, reason, "
	    "next_attempt_at, cycle, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
	    "CAST(strftime('%s', 'now') AS INTEGER)) "
	    "ON CONFLICT (schedule, due_at) DO NOTHING");
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, d->schedule, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, d->channel, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, d->prompt_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 4, d->due_at);
	sqlite3_bind_text(stmt, 5, store_state_name(d->state), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, d->reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 7, d->due_at);
	if (d->prompt_id != NULL)
		sqlite3_bind_int64(stmt, 8, d->cycle);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		log_warnx("store: enqueue %s: %s", d->schedule,
		    sqlite3_errmsg(st->db));
		return -1;
	}
	if (sqlite3_changes(st->db) == 0)
		return 0;
	if (store_set_reply_code(st, sqlite3_last_insert_rowid(st->db)) == -1)
		return -1;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(st->db);
	return 1;
}

/* Give a new delivery the reply code its id maps to. */
static int
store_set_reply_code(struct store *st, int64_t id)
{
	sqlite3_stmt *stmt = store_prepare(st, "UPDATE deliveries SET "
	    "reply_code = ? WHERE id = ?");
	char code[REPLYCODE_LEN + 1];
	int rc;

	if (stmt == NULL)
		return -1;
	replycode_for(id, code);
	sqlite3_bind_text(stmt, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, id);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A schedule's last processed instant: 1 and *out when known, 0 when never, -1 on error. */
int
store_last_instant(struct store *st, const char *schedule, int64_t *out)
{
	sqlite3_stmt *stmt = store_prepare(st, "SELECT last_instant FROM "
	    "schedule_state WHERE schedule = ?");
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
	sqlite3_finalize(stmt);
	return found;
}

/* Record that a schedule has processed every instant up to and including instant. */
int
store_set_last_instant(struct store *st, const char *schedule, int64_t instant)
{
	sqlite3_stmt *stmt = store_prepare(st, "INSERT INTO schedule_state "
	    "(schedule, last_instant) VALUES (?, ?) ON CONFLICT (schedule) DO "
	    "UPDATE SET last_instant = max(last_instant, excluded.last_instant)");
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, schedule, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, instant);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/* How many deliveries of a schedule (any schedule when NULL) are in a state. */
int
store_count_deliveries(struct store *st, const char *schedule,
    enum store_state state, int64_t *count)
{
	sqlite3_stmt *stmt = store_prepare(st, "SELECT count(*) FROM deliveries "
	    "WHERE state = ?1 AND (?2 IS NULL OR schedule = ?2)");
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, store_state_name(state), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, schedule, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		*count = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return rc == SQLITE_ROW ? 0 : -1;
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

/*
 * Run a query taking ?1 (text) and, where it uses one, ?2 (integer), and give
 * each row's prompt id and cycle to add.
 */
static int
store_each_id(struct store *st, const char *sql, const char *text, int64_t n,
    void (*add)(struct bank_history *, const char *, int64_t),
    struct bank_history *h)
{
	sqlite3_stmt *stmt = store_prepare(st, sql);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, text, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(stmt) > 1)
		sqlite3_bind_int64(stmt, 2, n);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		add(h, (const char *)sqlite3_column_text(stmt, 0),
		    sqlite3_column_int64(stmt, 1));
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/* bank_history_add_track in the shape store_each_id calls. */
static void
store_add_track(struct bank_history *h, const char *id, int64_t unused)
{
	(void)unused;
	bank_history_add_track(h, id);
}

/*
 * What the bank needs to choose the next prompt for a schedule: the
 * channel's current cycle and the prompts used in it, the channel's newest
 * prompt (added last, so it ends up as h->last), and for tracks what the
 * schedule has sent.
 */
int
store_load_history(struct store *st, const char *channel, const char *schedule,
    struct bank_history *h)
{
	sqlite3_stmt *stmt = store_prepare(st, "SELECT coalesce(max(cycle), 0) "
	    "FROM deliveries WHERE channel = ? AND prompt_id IS NOT NULL");
	int64_t cycle = 0;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_text(stmt, 1, channel, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		cycle = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	if (store_each_id(st, "SELECT prompt_id, cycle FROM deliveries WHERE "
	    "schedule = ?1 AND prompt_id IS NOT NULL", schedule, 0,
	    store_add_track, h) == -1)
		return -1;
	if (cycle > 0 && store_each_id(st, "SELECT prompt_id, cycle FROM "
	    "deliveries WHERE channel = ?1 AND cycle = ?2 AND prompt_id IS NOT "
	    "NULL ORDER BY due_at, id", channel, cycle, bank_history_add,
	    h) == -1)
		return -1;
	return store_each_id(st, "SELECT prompt_id, cycle FROM deliveries "
	    "WHERE channel = ?1 AND prompt_id IS NOT NULL ORDER BY due_at DESC, "
	    "id DESC LIMIT 1", channel, 0, bank_history_add, h);
}

/* Rows left in `sending` by a crash or kill: back to pending, to be sent again. */
int
store_recover_sending(struct store *st, int64_t now, int64_t *count)
{
	*count = 0;
	if (store_update(st, "UPDATE deliveries SET state = 'pending', "
	    "next_attempt_at = ?2 WHERE state = 'sending'", 0,
	    now, NULL) == -1)
		return -1;
	*count = sqlite3_changes(st->db);
	return 0;
}

/* The earliest next attempt of any pending delivery: 1 and *at, 0 when none. */
int
store_next_attempt(struct store *st, int64_t *at)
{
	sqlite3_stmt *stmt = store_prepare(st, "SELECT min(next_attempt_at) FROM "
	    "deliveries WHERE state = 'pending'");
	int found = 0;

	if (stmt == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
		*at = sqlite3_column_int64(stmt, 0);
		found = 1;
	}
	sqlite3_finalize(stmt);
	return found;
}

/* A copy of a text column, or NULL. */
static char *
store_column_strdup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *t = sqlite3_column_text(stmt, col);

	return t != NULL ? xstrdup((const char *)t) : NULL;
}

/*
 * Up to limit deliveries to send now, past the first offset: pending ones
 * whose time has come, or, with only > 0, just that one (whatever its state)
 * once its next attempt has come.
 */
int
store_due(struct store *st, int64_t now, int64_t only, size_t offset,
    size_t limit, struct store_outbox_row **rows, size_t *n)
{
	sqlite3_stmt *stmt = store_prepare(st, "SELECT id, schedule, channel, "
	    "prompt_id, due_at, attempts, reply_code FROM deliveries WHERE "
	    "(?3 > 0 AND id = ?3 AND next_attempt_at <= ?1) OR (?3 = 0 AND "
	    "state = 'pending' AND next_attempt_at <= ?1) "
	    "ORDER BY next_attempt_at, id LIMIT ?2 "
	    "OFFSET ?4");
	int rc;

	*rows = NULL;
	*n = 0;
	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_int64(stmt, 2, (int64_t)limit);
	sqlite3_bind_int64(stmt, 3, only);
	sqlite3_bind_int64(stmt, 4, (int64_t)offset);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct store_outbox_row *r;

		*rows = xreallocarray(*rows, *n + 1, sizeof **rows);
		r = &(*rows)[(*n)++];
		r->id = sqlite3_column_int64(stmt, 0);
		r->schedule = store_column_strdup(stmt, 1);
		r->channel = store_column_strdup(stmt, 2);
		r->prompt_id = store_column_strdup(stmt, 3);
		r->due_at = sqlite3_column_int64(stmt, 4);
		r->attempts = sqlite3_column_int64(stmt, 5);
		r->reply_code = store_column_strdup(stmt, 6);
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		store_outbox_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* Free rows from store_due. */
void
store_outbox_free(struct store_outbox_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].schedule);
		free(rows[i].channel);
		free(rows[i].prompt_id);
		free(rows[i].reply_code);
	}
	free(rows);
}

/*
 * Run an UPDATE taking ?1 id, ?2 an instant and ?3 a text (SQLite allows
 * binding a number the statement does not use, below its highest); -1 on error.
 */
static int
store_update(struct store *st, const char *sql, int64_t id, int64_t at,
    const char *text)
{
	sqlite3_stmt *stmt = store_prepare(st, sql);
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_int64(stmt, 2, at);
	if (sqlite3_bind_parameter_count(stmt) >= 3)
		sqlite3_bind_text(stmt, 3, text, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		log_warnx("store: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	return 0;
}

/* Claim a pending delivery for sending now: 1 claimed, 0 taken already, -1 error. */
int
store_mark_sending(struct store *st, int64_t id, int64_t now)
{
	if (store_update(st, "UPDATE deliveries SET state = 'sending', attempts "
	    "= attempts + 1, next_attempt_at = ?2 WHERE id = ?1 AND state = "
	    "'pending'", id, now, NULL) == -1)
		return -1;
	return sqlite3_changes(st->db) == 1;
}

/* Count one more attempt of a delivery `nudged send` holds in `sending`. */
int
store_mark_attempt(struct store *st, int64_t id, int64_t now)
{
	return store_update(st, "UPDATE deliveries SET attempts = attempts + 1, "
	    "next_attempt_at = ?2 WHERE id = ?1", id, now, NULL);
}

/* The platform took it. */
int
store_mark_sent(struct store *st, int64_t id, int64_t now)
{
	return store_update(st, "UPDATE deliveries SET state = 'sent', sent_at = "
	    "?2, last_error = NULL WHERE id = ?1", id, now, NULL);
}

/* A transient failure: try again at next_at (state stays as given by keep). */
int
store_mark_retry(struct store *st, int64_t id, int64_t next_at,
    const char *error, int keep_sending)
{
	return store_update(st, keep_sending ? "UPDATE deliveries SET "
	    "next_attempt_at = ?2, last_error = ?3 WHERE id = ?1" :
	    "UPDATE deliveries SET state = 'pending', next_attempt_at = ?2, "
	    "last_error = ?3 WHERE id = ?1", id, next_at, error);
}

/* A permanent failure, or expiry: give up, saying why. */
int
store_mark_failed(struct store *st, int64_t id, const char *reason)
{
	return store_update(st, "UPDATE deliveries SET state = 'failed', reason "
	    "= ?3, last_error = ?3 WHERE id = ?1", id, 0,
	    reason);
}

/* Put back a claimed delivery untouched (shutdown before it finished). */
int
store_release(struct store *st, int64_t id, int64_t now)
{
	return store_update(st, "UPDATE deliveries SET state = 'pending', "
	    "next_attempt_at = ?2 WHERE id = ?1 AND state = 'sending'", id, now,
	    NULL);
}
