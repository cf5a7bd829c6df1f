/* SPDX-License-Identifier: ISC */
/* What only PostgreSQL has beyond db.h: whether its connection is up. */
#ifndef NUDGED_DB_PG_H
#define NUDGED_DB_PG_H

struct db;

/*
 * 1 while the database answers, 0 while its connection is lost (a reconnect
 * is tried when the backoff allows); always 1 for an embedded engine.
 */
int	db_pg_connected(struct db *);

#endif
