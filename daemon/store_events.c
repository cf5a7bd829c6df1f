/* SPDX-License-Identifier: ISC */
/*
 * Nudges opened by an event (POST /api/v1/nudges): each delivery keeps the
 * caller's id, unique per channel and person (the deliveries_by_event
 * index), so a retried request finds what the first one enqueued instead of
 * enqueueing again, and the context line compose shows above the question.
 */
#include "store.h"

#include <stdlib.h>

#include "log.h"
#include "store_int.h"
#include "xmalloc.h"

/* Mark a delivery as opened by the event event_id, with its context line (or NULL). */
int
store_set_event(struct store *st, int64_t id, const char *event_id,
    const char *context)
{
	struct db_stmt *stmt = store_prepare(st, "UPDATE deliveries SET "
	    "event_id = ?2, context = ?3 WHERE id = ?1");
	int rc;

	if (stmt == NULL)
		return -1;
	db_bind_int(stmt, 1, id);
	db_bind_text(stmt, 2, event_id);
	db_bind_text(stmt, 3, context);
	rc = db_step(stmt);
	db_done(stmt);
	if (rc != DB_DONE) {
		log_warnx("store: event delivery %lld: %s", (long long)id,
		    db_error(st->db));
		return -1;
	}
	return 0;
}

/* The deliveries the event event_id opened on channel, oldest first; -1 on error. */
int
store_event_deliveries(struct store *st, const char *channel,
    const char *event_id, struct store_event_row **rows, size_t *n)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT id, schedule, person, "
	    "reply_code FROM deliveries WHERE channel = ?1 AND event_id = ?2 "
	    "ORDER BY id");
	struct store_event_row *r;
	int rc;

	*rows = NULL;
	*n = 0;
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, channel);
	db_bind_text(stmt, 2, event_id);
	while ((rc = db_step(stmt)) == DB_ROW) {
		*rows = xreallocarray(*rows, *n + 1, sizeof **rows);
		r = &(*rows)[(*n)++];
		r->id = db_int(stmt, 0);
		r->schedule = store_column_strdup(stmt, 1);
		r->person = xstrdup(store_text_or_empty(stmt, 2));
		r->reply_code = xstrdup(store_text_or_empty(stmt, 3));
	}
	db_done(stmt);
	if (rc != DB_DONE) {
		log_warnx("store: event deliveries: %s", db_error(st->db));
		store_event_rows_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* Free rows from store_event_deliveries. */
void
store_event_rows_free(struct store_event_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].schedule);
		free(rows[i].person);
		free(rows[i].reply_code);
	}
	free(rows);
}
