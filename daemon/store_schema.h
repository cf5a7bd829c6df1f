/* SPDX-License-Identifier: ISC */
/*
 * The store's schema on PostgreSQL: the same numbered migrations as the
 * SQLite list in store.c, each ending in the same tables, keys and indexes.
 */
#ifndef NUDGED_STORE_SCHEMA_H
#define NUDGED_STORE_SCHEMA_H

/* Migration N (1-based) brings the schema from version N-1 to N. */
extern const char *const	store_pg_migrations[];
extern const int		store_pg_nmigrations;

#endif
