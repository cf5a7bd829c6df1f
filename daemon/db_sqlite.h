/* SPDX-License-Identifier: ISC */
/* What only SQLite has, for the store's SQLite-only features (SQL functions, integrity_check). */
#ifndef NUDGED_DB_SQLITE_H
#define NUDGED_DB_SQLITE_H

#include <sqlite3.h>
#include <stdint.h>

#include "db.h"

/* The SQLite handle under a database opened with db_open_sqlite. */
sqlite3		*db_sqlite_handle(struct db *);
/* The id of the row the last INSERT added (RETURNING id costs SQLite more). */
int64_t		 db_sqlite_last_id(struct db *);

#endif
