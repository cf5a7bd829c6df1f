/* SPDX-License-Identifier: ISC */
/*
 * Which engine a test's store is on: SQLite in the test's folder, or a
 * PostgreSQL schema of the test's own on the tests' server (pg_cluster.h),
 * so one test body runs on both. With NUDGED_TEST_STORE=postgresql every
 * folder's store is on PostgreSQL (for running a whole suite there by hand:
 * what a test reads from the SQLite file itself then fails).
 */
#ifndef NUDGED_TEST_STORE_ENGINE_H
#define NUDGED_TEST_STORE_ENGINE_H

struct store;

/*
 * From now on the store of dir is a fresh PostgreSQL schema (the same one
 * at every open); 0, or -1 when no server can start.
 */
int		 store_engine_use_pg(const char *dir);
/* Forget dir's schema (the throw-away server goes with it). */
void		 store_engine_forget(const char *dir);
/* The connection string of dir's store on PostgreSQL, or NULL for SQLite. */
const char	*store_engine_pg(const char *dir);
/* Open (migrating) dir's store on its engine; harness_db_int reads it there too. */
struct store	*store_engine_open(const char *dir, char **cause);

#endif
