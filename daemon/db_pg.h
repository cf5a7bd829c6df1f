/* SPDX-License-Identifier: ISC */
/*
 * What only PostgreSQL has beyond db.h: checking a connection string
 * without connecting, and whether the connection is up.
 */
#ifndef NUDGED_DB_PG_H
#define NUDGED_DB_PG_H

struct db;

/*
 * 0 when libpq can read conninfo, else -1 and why in *cause, quoting no
 * part of the string (it may hold a password).
 */
int	db_pg_check_conninfo(const char *conninfo, char **cause);

/*
 * 1 while the database answers, 0 while its connection is lost (a reconnect
 * is tried when the backoff allows); always 1 for an embedded engine.
 */
int	db_pg_connected(struct db *);
/*
 * Lift the bounds on statement and lock waits (on: for migrations at
 * start, which may rebuild a large table or wait for another instance's),
 * or put them back; 0 or -1.
 */
int	db_pg_wait_long(struct db *, int on);

#endif
