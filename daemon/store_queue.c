/* SPDX-License-Identifier: ISC */
/*
 * How full the outbox is, for /healthz and /metrics: read at each request
 * through the deliveries_by_state index, never counted in memory, so the
 * figures are right after a restart or a `nudged send` from another process.
 */
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
	int rc = -1;
	struct db_stmt *stmt = store_cached(st, "SELECT count(*), min(CASE WHEN "
	    "state = 'pending' THEN due_at END) FROM deliveries WHERE state IN "
	    "('pending', 'sending')");

	if (stmt == NULL)
		return -1;
	if (db_step(stmt) == DB_ROW) {
		*depth = db_int(stmt, 0);
		*oldest_due = db_is_null(stmt, 1) ? 0 : db_int(stmt, 1);
		rc = 0;
	}
	db_done(stmt);
	return rc;
}
