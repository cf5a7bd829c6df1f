/* SPDX-License-Identifier: ISC */
/*
 * The store's one door to SQL, over either engine: SQLite (the embedded
 * default, db_sqlite.c) or PostgreSQL shared by several instances
 * (db_pg.c). SQL is written once, in the dialect both accept: parameters
 * are ?, ?N or a mix (a plain ? numbers one past the highest before it, as
 * in SQLite), temporary tables are named temp.NAME; PostgreSQL's side
 * rewrites both. Only store*.c use this.
 */
#ifndef NUDGED_DB_H
#define NUDGED_DB_H

#include <stdint.h>

struct db;
struct db_stmt;

enum db_dialect {
	DB_SQLITE,
	DB_POSTGRESQL,
};

/* What db_step returns. */
#define DB_ROW		1
#define DB_DONE		0
#define DB_ERROR	(-1)

/* db_sqlite.c: a file, created 0600 by the caller; readonly for previews. */
struct db	*db_open_sqlite(const char *path, int readonly, char **cause);
/* db_pg.c: a libpq connection string or URI. */
struct db	*db_open_postgresql(const char *conninfo, char **cause);
void		 db_close(struct db *);
enum db_dialect	 db_dialect(const struct db *);
/* The last failure in words, never with a password in it. */
const char	*db_error(struct db *);

/* Statements without parameters or results, ;-separated; -1 on failure. */
int		 db_exec(struct db *, const char *sql);
/* A statement for this call only; NULL on failure (db_error says why). */
struct db_stmt	*db_prepare(struct db *, const char *sql);
/*
 * A statement for a SQL literal run often, prepared once and kept until the
 * database is closed (found again by the literal's address); a one-off one
 * when the cache is full. NULL on failure.
 */
struct db_stmt	*db_cached(struct db *, const char *sql);
/* Done with a statement: a kept one is reset (holding no read open), a one-off one freed. */
void		 db_done(struct db_stmt *);

/* Parameters count from 1; one the statement does not use is ignored. */
void		 db_bind_int(struct db_stmt *, int i, int64_t);
/* NULL binds SQL NULL; the text must live until the statement is done. */
void		 db_bind_text(struct db_stmt *, int i, const char *);
void		 db_bind_null(struct db_stmt *, int i);

/* Run or go on: DB_ROW with a row to read, DB_DONE, or DB_ERROR. */
int		 db_step(struct db_stmt *);
/* Columns of the current row count from 0; a boolean reads as 0 or 1. */
int64_t		 db_int(struct db_stmt *, int col);
const char	*db_text(struct db_stmt *, int col);	/* NULL for NULL */
int		 db_is_null(struct db_stmt *, int col);
/* Rows the last finished INSERT, UPDATE or DELETE changed. */
int64_t		 db_changes(struct db *);

/* A write transaction taken at once (SQLite: BEGIN IMMEDIATE). */
int		 db_begin(struct db *);
int		 db_commit(struct db *);
void		 db_rollback(struct db *);
int		 db_in_transaction(struct db *);

#endif
