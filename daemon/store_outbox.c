/* SPDX-License-Identifier: ISC */
/*
 * The outbox in the store: deliveries enqueued (idempotent on schedule and
 * instant, with a reply code), claimed, marked sent, retried or failed, the
 * bank's history per channel, and the export of everything.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "bank.h"
#include "clock.h"
#include "log.h"
#include "replycode.h"
#include "store_int.h"
#include "xmalloc.h"

static int	 store_set_reply_code(struct store *, int64_t);
static int	 store_each_id(struct store *, const char *, const char *,
		    const char *, int64_t,
		    void (*)(struct bank_history *, const char *, int64_t),
		    struct bank_history *);
static void	 store_add_track(struct bank_history *, const char *, int64_t);
static void	 store_track_start(struct bank_history *, const char *, int64_t);

/*
 * Add a delivery unless (schedule, kind, due_at) is already there: 1 when added, 0
 * when it existed (a restart at the wrong moment), -1 on error. Its first
 * attempt is due at its instant, or now if that is earlier (`nudged send`
 * takes the next free second as its instant).
 */
int
store_enqueue(struct store *st, const struct store_delivery *d, int64_t *id)
{
	struct db_stmt *stmt = store_cached(st, "INSERT INTO deliveries "
	    "(schedule, channel, prompt_id, due_at, state, reason, "
	    "next_attempt_at, cycle, created_at, kind, person, parent_id) VALUES "
	    "(?, ?, ?, ?, ?, ?, CASE WHEN ?7 < ?12 THEN ?7 ELSE ?12 END, ?8, ?12, "
	    "?9, ?10, ?11) ON CONFLICT (schedule, person, kind, due_at) DO "
	    "NOTHING RETURNING id");
	int64_t added = 0;
	int rc;

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, d->schedule);
	db_bind_text(stmt, 2, d->channel);
	db_bind_text(stmt, 3, d->prompt_id);
	db_bind_int(stmt, 4, d->due_at);
	db_bind_text(stmt, 5, store_state_name(d->state));
	db_bind_text(stmt, 6, d->reason);
	db_bind_int(stmt, 7, d->due_at);
	if (d->prompt_id != NULL)
		db_bind_int(stmt, 8, d->cycle);
	else
		db_bind_null(stmt, 8);
	db_bind_text(stmt, 9, store_kind_name(d->kind));
	db_bind_text(stmt, 10, d->person != NULL ? d->person : "");
	if (d->parent_id > 0)
		db_bind_int(stmt, 11, d->parent_id);
	else
		db_bind_null(stmt, 11);
	db_bind_int(stmt, 12, clock_now(clock_system()));
	if ((rc = db_step(stmt)) == DB_ROW)
		added = db_int(stmt, 0);
	db_done(stmt);
	if (rc != DB_ROW && rc != DB_DONE) {
		log_warnx("store: enqueue %s: %s", d->schedule,
		    db_error(st->db));
		return -1;
	}
	if (added == 0)
		return 0;
	if (d->kind == STORE_KIND_PROMPT &&
	    store_set_reply_code(st, added) == -1)
		return -1;
	if (id != NULL)
		*id = added;
	return 1;
}

/* Give a new delivery the reply code its id maps to. */
static int
store_set_reply_code(struct store *st, int64_t id)
{
	int rc;
	struct db_stmt *stmt = store_cached(st, "UPDATE deliveries SET "
	    "reply_code = ? WHERE id = ?");
	char code[REPLYCODE_LEN + 1];

	if (stmt == NULL)
		return -1;
	replycode_for(id, code);
	db_bind_text(stmt, 1, code);
	db_bind_int(stmt, 2, id);
	rc = db_step(stmt);
	db_done(stmt);
	return rc == DB_DONE ? 0 : -1;
}

/* How many deliveries of a schedule (any schedule when NULL) are in a state. */
int
store_count_deliveries(struct store *st, const char *schedule,
    enum store_state state, int64_t *count)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT count(*) FROM deliveries "
	    "WHERE state = ?1 AND (?2 IS NULL OR schedule = ?2)");
	int rc;

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, store_state_name(state));
	db_bind_text(stmt, 2, schedule);
	rc = db_step(stmt);
	if (rc == DB_ROW)
		*count = db_int(stmt, 0);
	db_done(stmt);
	return rc == DB_ROW ? 0 : -1;
}

/*
 * Run a query taking ?1 (text) and, where it uses them, ?2 (integer) and ?3
 * (a person), and give each row's prompt id and cycle to add.
 */
static int
store_each_id(struct store *st, const char *sql, const char *text,
    const char *person, int64_t n,
    void (*add)(struct bank_history *, const char *, int64_t),
    struct bank_history *h)
{
	int rc;
	struct db_stmt *stmt = store_cached(st, sql);

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, text);
	db_bind_int(stmt, 2, n);
	db_bind_text(stmt, 3, person);
	while ((rc = db_step(stmt)) == DB_ROW)
		add(h, db_text(stmt, 0), db_int(stmt, 1));
	db_done(stmt);
	if (rc != DB_DONE) {
		log_warnx("store: %s", db_error(st->db));
		return -1;
	}
	return 0;
}

/* bank_history_add_track in the shape store_each_id calls. */
static void
store_add_track(struct bank_history *h, const char *id, int64_t unused)
{
	(void)unused;
	bank_history_add_track(h, id);
}

/* The instant a schedule sent its first prompt, in the shape store_each_id calls. */
static void
store_track_start(struct bank_history *h, const char *unused, int64_t at)
{
	(void)unused;
	h->track_start = at;
}

/*
 * What the bank needs to choose the next prompt for a schedule: the
 * channel's current cycle and the prompts used in it, the channel's newest
 * prompt (added last, so it ends up as h->last), and for tracks what the
 * schedule has sent and when it started.
 */
int
store_load_history(struct store *st, const char *channel, const char *person,
    const char *schedule, struct bank_history *h)
{
	struct db_stmt *stmt = store_cached(st, "SELECT coalesce(max(cycle), 0) "
	    "FROM deliveries WHERE channel = ? AND person = ? AND prompt_id IS "
	    "NOT NULL AND kind = 'prompt'");
	int64_t cycle = 0;

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, channel);
	db_bind_text(stmt, 2, person);
	if (db_step(stmt) == DB_ROW)
		cycle = db_int(stmt, 0);
	db_done(stmt);
	if (store_each_id(st, "SELECT prompt_id, cycle FROM deliveries WHERE "
	    "schedule = ?1 AND person = ?3 AND prompt_id IS NOT NULL AND kind = "
	    "'prompt'", schedule, person, 0, store_add_track, h) == -1 ||
	    store_each_id(st, "SELECT '', min(due_at) FROM deliveries WHERE "
	    "schedule = ?1 AND person = ?3 AND prompt_id IS NOT NULL AND kind = "
	    "'prompt' HAVING count(*) > 0", schedule, person, 0,
	    store_track_start, h) == -1)
		return -1;
	if (cycle > 0 && store_each_id(st, "SELECT prompt_id, cycle FROM "
	    "deliveries WHERE channel = ?1 AND person = ?3 AND cycle = ?2 AND "
	    "prompt_id IS NOT NULL AND kind = 'prompt' ORDER BY due_at, id",
	    channel, person, cycle, bank_history_add, h) == -1)
		return -1;
	return store_each_id(st, "SELECT prompt_id, cycle FROM deliveries "
	    "WHERE channel = ?1 AND person = ?3 AND prompt_id IS NOT NULL AND "
	    "kind = 'prompt' ORDER BY due_at DESC, id DESC LIMIT 1", channel,
	    person, 0, bank_history_add, h);
}

/* Rows left in `sending` by a crash or kill: back to pending, to be sent again. */
int
store_recover_sending(struct store *st, int64_t now, int64_t *count)
{
	*count = 0;
	if (store_update(st, "UPDATE deliveries SET state = 'pending', "
	    "next_attempt_at = ?2 WHERE state = 'sending'", 0,
	    now, NULL) == -1)
		return -1;
	*count = db_changes(st->db);
	return 0;
}

/*
 * The earliest next attempt of any pending delivery, or with only > 0 of that
 * one while `nudged send` holds it: 1 and *at, 0 when none.
 */
int
store_next_attempt(struct store *st, int64_t only, int64_t *at)
{
	struct db_stmt *stmt = store_prepare(st, only > 0 ? "SELECT "
	    "min(next_attempt_at) FROM deliveries WHERE id = ?1 AND state = "
	    "'sending'" : "SELECT min(next_attempt_at) FROM deliveries WHERE "
	    "?1 = 0 AND state = 'pending'");
	int found = 0;

	if (stmt == NULL)
		return -1;
	db_bind_int(stmt, 1, only);
	if (db_step(stmt) == DB_ROW && !db_is_null(stmt, 0)) {
		*at = db_int(stmt, 0);
		found = 1;
	}
	db_done(stmt);
	return found;
}

/*
 * Up to limit deliveries to send now, past the first offset: pending ones
 * whose time has come, or, with only > 0, just that one while `nudged send`
 * holds it (sending) once its next attempt has come.
 */
int
store_due(struct store *st, int64_t now, int64_t only, size_t offset,
    size_t limit, struct store_outbox_row **rows, size_t *n)
{
	/* Two statements, not one with OR: so the index gives the order. */
	struct db_stmt *stmt = only > 0 ? store_prepare(st, "SELECT id, "
	    "schedule, channel, prompt_id, due_at, attempts, reply_code, kind, "
	    "person, parent_id, context "
	    "FROM deliveries WHERE ?3 > 0 AND id = ?3 AND state = 'sending' AND "
	    "next_attempt_at <= ?1 "
	    "LIMIT ?2 OFFSET ?4") : store_prepare(st, "SELECT id, "
	    "schedule, channel, prompt_id, due_at, attempts, reply_code, kind, "
	    "person, parent_id, context "
	    "FROM deliveries WHERE ?3 = 0 AND state = 'pending' AND "
	    "next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT ?2 "
	    "OFFSET ?4");
	int rc;

	*rows = NULL;
	*n = 0;
	if (stmt == NULL)
		return -1;
	db_bind_int(stmt, 1, now);
	db_bind_int(stmt, 2, (int64_t)limit);
	db_bind_int(stmt, 3, only);
	db_bind_int(stmt, 4, (int64_t)offset);
	while ((rc = db_step(stmt)) == DB_ROW) {
		struct store_outbox_row *r;

		*rows = xreallocarray(*rows, *n + 1, sizeof **rows);
		r = &(*rows)[(*n)++];
		r->id = db_int(stmt, 0);
		r->schedule = store_column_strdup(stmt, 1);
		r->channel = store_column_strdup(stmt, 2);
		r->prompt_id = store_column_strdup(stmt, 3);
		r->due_at = db_int(stmt, 4);
		r->attempts = db_int(stmt, 5);
		r->reply_code = store_column_strdup(stmt, 6);
		r->kind = store_kind_of(db_text(stmt, 7));
		r->person = xstrdup(store_text_or_empty(stmt, 8));
		r->parent_id = db_int(stmt, 9);
		r->context = store_column_strdup(stmt, 10);
	}
	db_done(stmt);
	if (rc != DB_DONE) {
		log_warnx("store: %s", db_error(st->db));
		store_outbox_free(*rows, *n);
		*rows = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* Free rows from store_due. */
void
store_outbox_free(struct store_outbox_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rows[i].schedule);
		free(rows[i].channel);
		free(rows[i].prompt_id);
		free(rows[i].reply_code);
		free(rows[i].person);
		free(rows[i].context);
	}
	free(rows);
}

/* Claim a pending delivery for sending now: 1 claimed, 0 taken already, -1 error. */
int
store_mark_sending(struct store *st, int64_t id, int64_t now)
{
	if (store_update(st, "UPDATE deliveries SET state = 'sending', attempts "
	    "= attempts + 1, next_attempt_at = ?2 WHERE id = ?1 AND state = "
	    "'pending'", id, now, NULL) == -1)
		return -1;
	return db_changes(st->db) == 1;
}

/* Count one more attempt of a delivery `nudged send` holds in `sending`: 1, or -1 on error. */
int
store_mark_attempt(struct store *st, int64_t id, int64_t now)
{
	return store_update(st, "UPDATE deliveries SET attempts = attempts + 1, "
	    "next_attempt_at = ?2 WHERE id = ?1", id, now, NULL) == -1 ? -1 : 1;
}

/* The platform took it. */
int
store_mark_sent(struct store *st, int64_t id, int64_t now)
{
	return store_update(st, "UPDATE deliveries SET state = 'sent', sent_at = "
	    "?2, last_error = NULL WHERE id = ?1", id, now, NULL);
}

/* A transient failure: back to pending, to try again at next_at. */
int
store_mark_retry(struct store *st, int64_t id, int64_t next_at,
    const char *error)
{
	return store_update(st, "UPDATE deliveries SET state = 'pending', "
	    "next_attempt_at = ?2, last_error = ?3 WHERE id = ?1", id, next_at,
	    error);
}

/* A transient failure of `nudged send`'s delivery: still held, tried again at next_at. */
int
store_mark_retry_held(struct store *st, int64_t id, int64_t next_at,
    const char *error)
{
	return store_update(st, "UPDATE deliveries SET next_attempt_at = ?2, "
	    "last_error = ?3 WHERE id = ?1", id, next_at, error);
}

/* A permanent failure, or expiry: give up, saying why. */
int
store_mark_failed(struct store *st, int64_t id, const char *reason)
{
	return store_update(st, "UPDATE deliveries SET state = 'failed', reason "
	    "= ?3, last_error = ?3 WHERE id = ?1", id, 0,
	    reason);
}

/* Put back a claimed delivery untouched (shutdown before it finished). */
int
store_release(struct store *st, int64_t id, int64_t now)
{
	return store_update(st, "UPDATE deliveries SET state = 'pending', "
	    "next_attempt_at = ?2 WHERE id = ?1 AND state = 'sending'", id, now,
	    NULL);
}

/*
 * Every delivery, oldest first, joined with each of its replies (a delivery
 * without replies comes once, with reply_id 0): cb is called per row.
 */
int
store_each_export(struct store *st,
    void (*cb)(void *, const struct store_export_row *), void *arg)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT d.id, d.schedule, "
	    "d.channel, d.prompt_id, d.due_at, d.state, d.reason, d.attempts, "
	    "coalesce(d.sent_at, 0), d.reply_code, coalesce(r.id, 0), r.user_id, "
	    "r.user_name, r.text, coalesce(r.received_at, 0), r.source, "
	    "r.message_id FROM deliveries d LEFT JOIN replies r ON r.delivery_id "
	    "= d.id ORDER BY d.due_at, d.id, r.received_at, r.id");
	struct store_export_row row;
	int rc;

	if (stmt == NULL)
		return -1;
	while ((rc = db_step(stmt)) == DB_ROW) {
		row.delivery_id = db_int(stmt, 0);
		row.schedule = store_text_or_empty(stmt, 1);
		row.channel = store_text_or_empty(stmt, 2);
		row.prompt_id = store_text_or_empty(stmt, 3);
		row.due_at = db_int(stmt, 4);
		row.state = store_text_or_empty(stmt, 5);
		row.reason = store_text_or_empty(stmt, 6);
		row.attempts = db_int(stmt, 7);
		row.sent_at = db_int(stmt, 8);
		row.reply_code = store_text_or_empty(stmt, 9);
		row.reply_id = db_int(stmt, 10);
		row.user_id = store_text_or_empty(stmt, 11);
		row.user_name = store_text_or_empty(stmt, 12);
		row.text = store_text_or_empty(stmt, 13);
		row.received_at = db_int(stmt, 14);
		row.source = store_text_or_empty(stmt, 15);
		row.message_id = store_text_or_empty(stmt, 16);
		cb(arg, &row);
	}
	db_done(stmt);
	return rc == DB_DONE ? 0 : -1;
}

/*
 * One reminder for each sent nudge of schedule that nobody has answered
 * remind_after seconds after its instant, while it still takes answers. A
 * reminder is the row (schedule, "reminder", the nudge's instant) pointing
 * at the nudge (parent_id), so there is never more than one per nudge; it
 * carries the nudge's prompt and reply code, so answers to it land on the
 * nudge.
 */
int
store_enqueue_reminders(struct store *st, const char *schedule,
    int64_t remind_after, int64_t window, int64_t now, int64_t *count)
{
	struct db_stmt *stmt = store_prepare(st, "INSERT INTO deliveries "
	    "(schedule, channel, prompt_id, due_at, state, next_attempt_at, "
	    "created_at, kind, parent_id, reply_code, person) SELECT "
	    "d.schedule, d.channel, d.prompt_id, d.due_at, 'pending', ?4, ?4, "
	    "'reminder', d.id, d.reply_code, d.person FROM deliveries d WHERE "
	    "d.schedule = ?1 AND d.kind = 'prompt' AND d.state = 'sent' AND "
	    "d.due_at + ?2 <= ?4 AND d.due_at + ?3 > ?4 AND NOT EXISTS (SELECT 1 "
	    "FROM replies r WHERE r.delivery_id = d.id) ON CONFLICT (schedule, "
	    "person, kind, due_at) DO NOTHING");
	int rc;

	*count = 0;
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, schedule);
	db_bind_int(stmt, 2, remind_after);
	db_bind_int(stmt, 3, window);
	db_bind_int(stmt, 4, now);
	rc = db_step(stmt);
	db_done(stmt);
	if (rc != DB_DONE) {
		log_warnx("store: reminders: %s", db_error(st->db));
		return -1;
	}
	*count = db_changes(st->db);
	return 0;
}
