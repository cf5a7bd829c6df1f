/* SPDX-License-Identifier: ISC */
/*
 * db.h's calls, handed to the engine a database was opened with, and the
 * cache of statements run often (one per SQL literal, kept until close).
 */
#include "db.h"

#include <stddef.h>

#include "db_int.h"

/* Close the database and every statement it kept. */
void
db_close(struct db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < DB_CACHE_SIZE && db->cache[i].sql != NULL; i++)
		db->ops->finalize(db->cache[i].stmt);
	db->ops->close(db);
}

enum db_dialect
db_dialect(const struct db *db)
{
	return db->ops->dialect;
}

const char *
db_error(struct db *db)
{
	return db->ops->error(db);
}

int
db_exec(struct db *db, const char *sql)
{
	return db->ops->exec(db, sql);
}

struct db_stmt *
db_prepare(struct db *db, const char *sql)
{
	return db->ops->prepare(db, sql, 0);
}

struct db_stmt *
db_cached(struct db *db, const char *sql)
{
	size_t i;

	for (i = 0; i < DB_CACHE_SIZE && db->cache[i].sql != NULL; i++)
		if (db->cache[i].sql == sql)
			return db->cache[i].stmt;
	if (i == DB_CACHE_SIZE)
		return db_prepare(db, sql);
	if ((db->cache[i].stmt = db->ops->prepare(db, sql, 1)) == NULL)
		return NULL;
	db->cache[i].stmt->kept = 1;
	db->cache[i].sql = sql;
	return db->cache[i].stmt;
}

void
db_done(struct db_stmt *s)
{
	if (s == NULL)
		return;
	if (s->kept)
		s->db->ops->reset(s);
	else
		s->db->ops->finalize(s);
}

void
db_bind_int(struct db_stmt *s, int i, int64_t v)
{
	s->db->ops->bind_int(s, i, v);
}

void
db_bind_text(struct db_stmt *s, int i, const char *v)
{
	if (v == NULL)
		s->db->ops->bind_null(s, i);
	else
		s->db->ops->bind_text(s, i, v);
}

void
db_bind_null(struct db_stmt *s, int i)
{
	s->db->ops->bind_null(s, i);
}

int
db_step(struct db_stmt *s)
{
	return s->db->ops->step(s);
}

int64_t
db_int(struct db_stmt *s, int col)
{
	return s->db->ops->column_int(s, col);
}

const char *
db_text(struct db_stmt *s, int col)
{
	return s->db->ops->column_text(s, col);
}

int
db_is_null(struct db_stmt *s, int col)
{
	return s->db->ops->column_is_null(s, col);
}

int64_t
db_changes(struct db *db)
{
	return db->ops->changes(db);
}

int
db_begin(struct db *db)
{
	return db->ops->begin(db);
}

int
db_commit(struct db *db)
{
	return db->ops->commit(db);
}

void
db_rollback(struct db *db)
{
	db->ops->rollback(db);
}

int
db_in_transaction(struct db *db)
{
	return db->ops->in_transaction(db);
}
