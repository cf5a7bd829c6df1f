/* SPDX-License-Identifier: ISC */
/*
 * How full the outbox is, for /healthz and /metrics: read at each request
 * through the deliveries_by_state index, never counted in memory, so the
 * figures are right after a restart or a `nudged send` from another process.
 */
#include <sqlite3.h>

#include "store.h"
#include "store_int.h"

/*
 * Nudges waiting or in flight (*depth), and the due instant of the oldest
 * pending one (*oldest_due, 0 when none waits); -1 when the store cannot be
 * read.
 */
int
store_queue(struct store *st, int64_t *depth, int64_t *oldest_due)
{
	int cached, rc = -1;
	sqlite3_stmt *stmt = store_stmt(st, "SELECT count(*), min(CASE WHEN "
	    "state = 'pending' THEN due_at END) FROM deliveries WHERE state IN "
	    "('pending', 'sending')", &cached);

	if (stmt == NULL)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		*depth = sqlite3_column_int64(stmt, 0);
		*oldest_due = sqlite3_column_type(stmt, 1) == SQLITE_NULL ? 0 :
		    sqlite3_column_int64(stmt, 1);
		rc = 0;
	}
	store_stmt_done(stmt, cached);
	return rc;
}
