/* SPDX-License-Identifier: ISC */
/*
 * db.h over SQLite: one file in WAL mode with synchronous=FULL, so a
 * committed row survives kill -9 and power loss alike. A write transaction
 * is BEGIN IMMEDIATE, so a second process (nudged send) waits its turn
 * instead of failing half-way. After a failed write the WAL is cut back to
 * zero bytes once writes work again.
 */
#include "db_sqlite.h"

#include <stdlib.h>
#include <string.h>

#include "db_int.h"
#include "log.h"
#include "xmalloc.h"

/* Bounded so a busy database never stalls the event loop for long. */
#define DB_SQLITE_BUSY_TIMEOUT_MS	2000
/*
 * The stats grid of a large store is big: it lives in memory. Set once at
 * open: SQLite refuses to change it inside a transaction once the temporary
 * database exists, which the outbox's digest would run into.
 */
#define DB_SQLITE_TEMP_STORE	"temp_store=MEMORY"
/*
 * The WAL stays near 1 MiB: a checkpoint runs once it holds 256 pages (4 KiB
 * each, SQLite's default page size; the default is 1,000), and the file is
 * cut back to 1 MiB whenever a checkpoint restarts it
 * (sqlite.org/pragma.html#pragma_journal_size_limit). A store that filled
 * its disk then fits again on the space it had.
 */
#define DB_SQLITE_WAL_PAGES	"wal_autocheckpoint=256"
#define DB_SQLITE_WAL_LIMIT	"journal_size_limit=1048576"

struct db_sqlite {
	struct db	 base;
	sqlite3		*h;
	char		*path;
	int		 wal_trim;	/* a write failed: truncate the WAL
					 * once one works */
};

struct db_sqlite_stmt {
	struct db_stmt	 base;
	sqlite3_stmt	*s;
	int		 nparams;	/* binding past these is ignored */
};

static const struct db_ops db_sqlite_ops;

static sqlite3 *
db_sqlite_h(struct db *db)
{
	return ((struct db_sqlite *)db)->h;
}

static sqlite3_stmt *
db_sqlite_s(struct db_stmt *s)
{
	return ((struct db_sqlite_stmt *)s)->s;
}

sqlite3 *
db_sqlite_handle(struct db *db)
{
	return db->ops == &db_sqlite_ops ? db_sqlite_h(db) : NULL;
}

/* Run a PRAGMA and, when want is given, check the value it reports back. */
static int
db_sqlite_pragma(struct db_sqlite *d, const char *pragma, const char *want,
    char **cause)
{
	sqlite3_stmt *stmt;
	char *sql;
	int rc;

	xasprintf(&sql, "PRAGMA %s", pragma);
	rc = sqlite3_prepare_v2(d->h, sql, -1, &stmt, NULL);
	free(sql);
	if (rc != SQLITE_OK) {
		xasprintf(cause, "%s: PRAGMA %s: %s", d->path, pragma,
		    sqlite3_errmsg(d->h));
		return -1;
	}
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		xasprintf(cause, "%s: PRAGMA %s: %s", d->path, pragma,
		    sqlite3_errmsg(d->h));
		sqlite3_finalize(stmt);
		return -1;
	}
	if (want != NULL && (rc != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(stmt, 0), want) != 0)) {
		xasprintf(cause, "%s: PRAGMA %s did not take effect", d->path,
		    pragma);
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	return 0;
}

/* The settings a writer needs: WAL, FULL sync, a bounded WAL. */
static int
db_sqlite_setup_writer(struct db_sqlite *d, char **cause)
{
	if (db_sqlite_pragma(d, "journal_mode=WAL", "wal", cause) == -1 ||
	    db_sqlite_pragma(d, "synchronous=FULL", NULL, cause) == -1 ||
	    db_sqlite_pragma(d, DB_SQLITE_TEMP_STORE, NULL, cause) == -1 ||
	    db_sqlite_pragma(d, DB_SQLITE_WAL_PAGES, NULL, cause) == -1 ||
	    db_sqlite_pragma(d, DB_SQLITE_WAL_LIMIT, NULL, cause) == -1)
		return -1;
	return 0;
}

/* Open an existing file (the caller creates it 0600); readonly for previews. */
struct db *
db_open_sqlite(const char *path, int readonly, char **cause)
{
	struct db_sqlite *d = xcalloc(1, sizeof *d);
	int flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	d->base.ops = &db_sqlite_ops;
	d->path = xstrdup(path);
	if (sqlite3_open_v2(path, &d->h, flags, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, d->h ? sqlite3_errmsg(d->h) :
		    "cannot open");
		goto fail;
	}
	sqlite3_busy_timeout(d->h, DB_SQLITE_BUSY_TIMEOUT_MS);
	if (readonly ? db_sqlite_pragma(d, DB_SQLITE_TEMP_STORE, NULL,
	    cause) == -1 : db_sqlite_setup_writer(d, cause) == -1)
		goto fail;
	return &d->base;
fail:
	db_close(&d->base);
	return NULL;
}

/* SQLite checkpoints and removes the WAL on the last close. */
static void
db_sqlite_close(struct db *db)
{
	struct db_sqlite *d = (struct db_sqlite *)db;

	if (d->h != NULL && sqlite3_close(d->h) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(d->h));
	free(d->path);
	free(d);
}

static const char *
db_sqlite_error(struct db *db)
{
	return sqlite3_errmsg(db_sqlite_h(db));
}

static int
db_sqlite_exec(struct db *db, const char *sql)
{
	return sqlite3_exec(db_sqlite_h(db), sql, NULL, NULL, NULL) ==
	    SQLITE_OK ? 0 : -1;
}

static struct db_stmt *
db_sqlite_prepare(struct db *db, const char *sql, int keep)
{
	struct db_sqlite_stmt *s;
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v3(db_sqlite_h(db), sql, -1, keep ?
	    SQLITE_PREPARE_PERSISTENT : 0, &stmt, NULL) != SQLITE_OK)
		return NULL;
	s = xcalloc(1, sizeof *s);
	s->base.db = db;
	s->s = stmt;
	s->nparams = sqlite3_bind_parameter_count(stmt);
	return &s->base;
}

/* A kept statement back to unrun, holding no read open and no bound text. */
static void
db_sqlite_reset(struct db_stmt *s)
{
	sqlite3_reset(db_sqlite_s(s));
	sqlite3_clear_bindings(db_sqlite_s(s));
}

static void
db_sqlite_finalize(struct db_stmt *s)
{
	sqlite3_finalize(db_sqlite_s(s));
	free(s);
}

static int
db_sqlite_unused(struct db_stmt *s, int i)
{
	return i < 1 || i > ((struct db_sqlite_stmt *)s)->nparams;
}

static void
db_sqlite_bind_int(struct db_stmt *s, int i, int64_t v)
{
	if (!db_sqlite_unused(s, i))
		sqlite3_bind_int64(db_sqlite_s(s), i, v);
}

static void
db_sqlite_bind_text(struct db_stmt *s, int i, const char *v)
{
	if (!db_sqlite_unused(s, i))
		sqlite3_bind_text(db_sqlite_s(s), i, v, -1, SQLITE_STATIC);
}

static void
db_sqlite_bind_null(struct db_stmt *s, int i)
{
	if (!db_sqlite_unused(s, i))
		sqlite3_bind_null(db_sqlite_s(s), i);
}

static int
db_sqlite_step(struct db_stmt *s)
{
	switch (sqlite3_step(db_sqlite_s(s))) {
	case SQLITE_ROW:
		return DB_ROW;
	case SQLITE_DONE:
		return DB_DONE;
	default:
		return DB_ERROR;
	}
}

static int64_t
db_sqlite_column_int(struct db_stmt *s, int col)
{
	return sqlite3_column_int64(db_sqlite_s(s), col);
}

static const char *
db_sqlite_column_text(struct db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(db_sqlite_s(s), col);
}

static int
db_sqlite_column_is_null(struct db_stmt *s, int col)
{
	return sqlite3_column_type(db_sqlite_s(s), col) == SQLITE_NULL;
}

static int64_t
db_sqlite_changes(struct db *db)
{
	return sqlite3_changes64(db_sqlite_h(db));
}

/* Start a write transaction now (not on first write), so it cannot deadlock later. */
static int
db_sqlite_begin(struct db *db)
{
	return db_sqlite_exec(db, "BEGIN IMMEDIATE");
}

/*
 * Writes work again after a failure: fold the WAL into the database and cut
 * it to zero bytes (wal_checkpoint(TRUNCATE)), so what it grew to while the
 * disk was full is given back. Tried again after the next commit until the
 * checkpoint completes (its first column, "busy", is 0).
 */
static void
db_sqlite_wal_truncate(struct db_sqlite *d)
{
	sqlite3_stmt *stmt;

	if (sqlite3_prepare_v2(d->h, "PRAGMA wal_checkpoint(TRUNCATE)", -1,
	    &stmt, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0) ==
	    0) {
		d->wal_trim = 0;
		log_info("store: writes work again; the WAL is truncated");
	}
	sqlite3_finalize(stmt);
}

/* Only after this returns 0 is anything acknowledged. */
static int
db_sqlite_commit(struct db *db)
{
	struct db_sqlite *d = (struct db_sqlite *)db;

	if (db_sqlite_exec(db, "COMMIT") == -1) {
		d->wal_trim = 1;
		return -1;
	}
	if (d->wal_trim)
		db_sqlite_wal_truncate(d);
	return 0;
}

/* A write failed (a full disk, say): undo it and trim the WAL later. */
static void
db_sqlite_rollback(struct db *db)
{
	struct db_sqlite *d = (struct db_sqlite *)db;

	d->wal_trim = 1;
	if (!sqlite3_get_autocommit(d->h))
		sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
}

static int
db_sqlite_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(db_sqlite_h(db));
}

static const struct db_ops db_sqlite_ops = {
	.dialect = DB_SQLITE,
	.close = db_sqlite_close,
	.error = db_sqlite_error,
	.exec = db_sqlite_exec,
	.prepare = db_sqlite_prepare,
	.reset = db_sqlite_reset,
	.finalize = db_sqlite_finalize,
	.bind_int = db_sqlite_bind_int,
	.bind_text = db_sqlite_bind_text,
	.bind_null = db_sqlite_bind_null,
	.step = db_sqlite_step,
	.column_int = db_sqlite_column_int,
	.column_text = db_sqlite_column_text,
	.column_is_null = db_sqlite_column_is_null,
	.changes = db_sqlite_changes,
	.begin = db_sqlite_begin,
	.commit = db_sqlite_commit,
	.rollback = db_sqlite_rollback,
	.in_transaction = db_sqlite_in_transaction,
};
