/* SPDX-License-Identifier: ISC */
/* What only SQLite has, for the store's SQLite-only features (SQL functions, integrity_check). */
#ifndef NUDGED_DB_SQLITE_H
#define NUDGED_DB_SQLITE_H

#include <sqlite3.h>

#include "db.h"

/* The SQLite handle under a database opened with db_open_sqlite. */
sqlite3		*db_sqlite_handle(struct db *);

#endif
