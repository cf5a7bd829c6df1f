/* SPDX-License-Identifier: ISC */
/*
 * `nudged store copy`: every table of an SQLite store into an empty
 * PostgreSQL store of the same schema version, in one transaction, keeping
 * ids (reply codes are made from them, threads and follow-ups point at
 * them), then PostgreSQL's id sequences moved past the highest id copied so
 * the next insert does not collide. The tables and their columns are read
 * from the source, so a table a later migration adds is copied too.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store_int.h"
#include "strbuf.h"
#include "xmalloc.h"

/* What is derived from the rest and not copied: the kept habit measures. */
#define STORE_COPY_DERIVED	"'habits\\_%'"
/* The one table the target has rows in before a copy: its schema version, its keys. */
#define STORE_COPY_META		"meta"
/* Rows a statement inserts: far fewer round trips, far under 65,535 parameters. */
#define STORE_COPY_BATCH	200

static int	 store_copy_tables(struct db *, char ***, size_t *, char **);
static int	 store_copy_columns(struct db *, const char *, char ***,
		    size_t *, char **);
static int	 store_copy_empty(struct db *, char **, size_t, char **);
static int	 store_copy_table(struct db *, struct db *, const char *,
		    int64_t *, char **);
static int	 store_copy_put(struct db *, const char *, char **, size_t,
		    size_t);
static int	 store_copy_rows(struct db_stmt *, struct db *, const char *,
		    size_t, int64_t *);
static int	 store_copy_sequence(struct db *, const char *, char **);
static void	 store_copy_free(char **, size_t);

/* Free a list of names. */
static void
store_copy_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The source's tables, deliveries first (replies and deliveries' own
 * parent ids point at it), the rest in the order they were made. The kept
 * habit measures (habits_*) are not copied: they are derived, and the
 * target builds them from the copied answers at its first stats read.
 */
static int
store_copy_tables(struct db *from, char ***names, size_t *n, char **cause)
{
	struct db_stmt *s = db_prepare(from, "SELECT name FROM sqlite_master "
	    "WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT "
	    "LIKE " STORE_COPY_DERIVED " ESCAPE '\\' ORDER BY name <> "
	    "'deliveries', rowid");
	int rc;

	*names = NULL;
	*n = 0;
	if (s == NULL) {
		xasprintf(cause, "cannot list the source's tables: %s",
		    db_error(from));
		return -1;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		*names = xreallocarray(*names, *n + 1, sizeof **names);
		(*names)[(*n)++] = xstrdup(db_text(s, 0));
	}
	db_done(s);
	if (rc != DB_DONE) {
		xasprintf(cause, "cannot list the source's tables: %s",
		    db_error(from));
		return -1;
	}
	return 0;
}

/* A source table's columns, in order. */
static int
store_copy_columns(struct db *from, const char *table, char ***names,
    size_t *n, char **cause)
{
	struct db_stmt *s = db_prepare(from, "SELECT name FROM "
	    "pragma_table_info(?) ORDER BY cid");
	int rc = DB_ERROR;

	*names = NULL;
	*n = 0;
	if (s != NULL) {
		db_bind_text(s, 1, table);
		while ((rc = db_step(s)) == DB_ROW) {
			*names = xreallocarray(*names, *n + 1, sizeof **names);
			(*names)[(*n)++] = xstrdup(db_text(s, 0));
		}
		db_done(s);
	}
	if (rc != DB_DONE || *n == 0) {
		xasprintf(cause, "cannot read the columns of table %s: %s", table,
		    db_error(from));
		return -1;
	}
	return 0;
}

/* Refuse a target that holds any row outside its meta table: 1 refused, 0 empty, -1 error. */
static int
store_copy_empty(struct db *to, char **tables, size_t n, char **cause)
{
	for (size_t i = 0; i < n; i++) {
		char *sql;
		struct db_stmt *s;
		int rc;

		if (strcmp(tables[i], STORE_COPY_META) == 0)
			continue;
		xasprintf(&sql, "SELECT 1 FROM %s LIMIT 1", tables[i]);
		s = db_prepare(to, sql);
		free(sql);
		rc = s != NULL ? db_step(s) : DB_ERROR;
		db_done(s);
		if (rc == DB_ERROR) {
			xasprintf(cause, "the target has no table %s like the "
			    "source's: %s", tables[i], db_error(to));
			return -1;
		}
		if (rc == DB_ROW) {
			xasprintf(cause, "the target store is not empty (table %s "
			    "has rows): store copy only fills a new, empty store",
			    tables[i]);
			return 1;
		}
	}
	return 0;
}

/*
 * Insert the rows held in vals (nrows of ncols, NULL for SQL NULL) with one
 * statement; the values are freed.
 */
static int
store_copy_put(struct db *to, const char *insert, char **vals, size_t nrows,
    size_t ncols)
{
	struct strbuf sql = { 0 };
	struct db_stmt *s;
	int rc = DB_ERROR;

	strbuf_add(&sql, insert);
	for (size_t r = 0; r < nrows; r++) {
		strbuf_add(&sql, r ? ", (" : " (");
		for (size_t c = 0; c < ncols; c++)
			strbuf_add(&sql, c ? ", ?" : "?");
		strbuf_addc(&sql, ')');
	}
	if ((s = db_prepare(to, sql.s)) != NULL) {
		for (size_t i = 0; i < nrows * ncols; i++)
			db_bind_text(s, (int)i + 1, vals[i]);
		rc = db_step(s);
		db_done(s);
	}
	for (size_t i = 0; i < nrows * ncols; i++)
		free(vals[i]);
	free(sql.s);
	return rc == DB_DONE ? 0 : -1;
}

/*
 * Every row the source statement reads into the target, STORE_COPY_BATCH
 * rows a statement, each column as read (text, integer or NULL).
 */
static int
store_copy_rows(struct db_stmt *get, struct db *to, const char *insert,
    size_t ncols, int64_t *rows)
{
	char **vals = xcalloc(STORE_COPY_BATCH * ncols, sizeof *vals);
	size_t held = 0;
	int rc, failed = 0;

	while (!failed && (rc = db_step(get)) == DB_ROW) {
		for (size_t c = 0; c < ncols; c++)
			vals[held * ncols + c] = db_is_null(get, (int)c) ? NULL :
			    xstrdup(db_text(get, (int)c));
		if (++held == STORE_COPY_BATCH) {
			failed = store_copy_put(to, insert, vals, held, ncols);
			*rows += (int64_t)held;
			held = 0;
		}
	}
	if (!failed && held > 0) {
		failed = store_copy_put(to, insert, vals, held, ncols);
		*rows += (int64_t)held;
	}
	free(vals);
	return failed || rc != DB_DONE ? -1 : 0;
}

/*
 * One table, column by column as the source has them, then its id sequence;
 * meta's rows replace the target's, but its schema version stays.
 */
static int
store_copy_table(struct db *from, struct db *to, const char *table,
    int64_t *rows, char **cause)
{
	int meta = strcmp(table, STORE_COPY_META) == 0, rc = -1;
	struct strbuf cols = { 0 };
	int has_id = 0;
	struct db_stmt *get;
	char **names, *sql;
	size_t n;

	if (store_copy_columns(from, table, &names, &n, cause) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		has_id |= strcmp(names[i], "id") == 0;
		strbuf_addf(&cols, "%s%s", i ? ", " : "", names[i]);
	}
	xasprintf(&sql, "SELECT %s FROM %s%s ORDER BY rowid", cols.s, table,
	    meta ? " WHERE key <> 'schema_version' AND key NOT LIKE "
	    STORE_COPY_DERIVED " ESCAPE '\\'" : "");
	get = db_prepare(from, sql);
	free(sql);
	xasprintf(&sql, "INSERT INTO %s (%s) VALUES", table, cols.s);
	/* The target's own keys, made at its opening, give way to the source's. */
	if (get != NULL && (!meta || db_exec(to, "DELETE FROM meta WHERE key "
	    "<> 'schema_version'") == 0))
		rc = store_copy_rows(get, to, sql, n, rows);
	free(sql);
	if (rc == -1)
		xasprintf(cause, "table %s: %s", table, get == NULL ?
		    db_error(from) : db_error(to));
	db_done(get);
	if (rc == 0 && has_id)
		rc = store_copy_sequence(to, table, cause);
	free(cols.s);
	store_copy_free(names, n);
	return rc;
}

/* Move a table's id sequence (when it has one) past its highest id. */
static int
store_copy_sequence(struct db *to, const char *table, char **cause)
{
	struct db_stmt *s;
	char *sql;
	int rc;

	/* setval is strict: no sequence or no row, nothing moves. */
	xasprintf(&sql, "SELECT setval(pg_get_serial_sequence('%s', 'id'), "
	    "max(id)) FROM %s", table, table);
	s = db_prepare(to, sql);
	free(sql);
	rc = s != NULL ? db_step(s) : DB_ERROR;
	db_done(s);
	if (rc == DB_ERROR) {
		xasprintf(cause, "cannot move the id sequence of table %s: %s",
		    table, db_error(to));
		return -1;
	}
	return 0;
}

/*
 * Copy every table of from (SQLite) into to (PostgreSQL, empty), in one
 * transaction; *rows says how many were copied. Otherwise the target is
 * untouched and *cause says why: 1 when refused (not empty, not the same
 * schema), -1 when it failed.
 */
int
store_copy(struct store *from, struct store *to, int64_t *rows, char **cause)
{
	char **tables = NULL;
	size_t n = 0;
	int rc = -1;

	*rows = 0;
	if (db_dialect(from->db) != DB_SQLITE ||
	    db_dialect(to->db) != DB_POSTGRESQL) {
		xasprintf(cause, "store copy copies an SQLite store into a "
		    "PostgreSQL one");
		return 1;
	}
	if (store_schema_version(from) != store_schema_version(to)) {
		xasprintf(cause, "the source has schema version %d, the target "
		    "%d", store_schema_version(from), store_schema_version(to));
		return 1;
	}
	if (store_copy_tables(from->db, &tables, &n, cause) == -1)
		return -1;
	if (db_begin(to->db) == -1) {
		xasprintf(cause, "cannot begin: %s", db_error(to->db));
		store_copy_free(tables, n);
		return -1;
	}
	rc = store_copy_empty(to->db, tables, n, cause);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = store_copy_table(from->db, to->db, tables[i], rows, cause);
	if (rc == 0 && (rc = db_commit(to->db)) == -1)
		xasprintf(cause, "cannot commit: %s", db_error(to->db));
	if (rc != 0) {
		db_rollback(to->db);
		*rows = 0;
	}
	store_copy_free(tables, n);
	return rc;
}
