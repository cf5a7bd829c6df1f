/* SPDX-License-Identifier: ISC */
/*
 * Answers in the store: finding the nudge an answer belongs to, storing it
 * once per platform message (under a pseudonym on an anonymous channel, see
 * store_anon.c), and the streak it extends.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "xmalloc.h"

static int	 store_delete_replies(struct store *, const char *,
		    const char *, const char *, const char *, int64_t,
		    int64_t *);

/* Read a target row (id, schedule, prompt_id, due_at, person) from a statement's current row. */
void
store_read_target(struct db_stmt *stmt, struct store_target *t)
{
	t->id = db_int(stmt, 0);
	t->schedule = store_column_strdup(stmt, 1);
	t->prompt_id = store_column_strdup(stmt, 2);
	t->due_at = db_int(stmt, 3);
	t->person = xstrdup(store_text_or_empty(stmt, 4));
}

/* Step a query of a target's columns and keep its row: 1 found, 0 none, -1 error. */
int
store_step_target(struct store *st, struct db_stmt *stmt,
    struct store_target *t)
{
	int rc = db_step(stmt), found = 0;

	if (rc == DB_ROW) {
		store_read_target(stmt, t);
		found = 1;
	} else if (rc != DB_DONE) {
		log_warnx("store: %s", db_error(st->db));
		found = -1;
	}
	db_done(stmt);
	return found;
}

/*
 * The delivery an answer belongs to: the sent one on channel with this reply
 * code (code non-NULL) or else the newest sent one, due at or after since.
 * 1 found, 0 none, -1 error.
 */
int
store_find_target(struct store *st, const char *channel, const char *code,
    int64_t since, struct store_target *t)
{
	/*
	 * Two statements, so each reads its own index (deliveries_by_code,
	 * deliveries_by_person): one with an OR between them walked every
	 * nudge on the channel for each answer. Without a code, only the
	 * channel's own nudges: never someone's DM.
	 */
	struct db_stmt *stmt = store_cached(st, code != NULL ?
	    "SELECT id, schedule, prompt_id, due_at, person FROM deliveries "
	    "WHERE channel = ?1 AND due_at >= ?2 AND reply_code = ?3 AND "
	    "state = 'sent' AND kind = 'prompt' ORDER BY due_at DESC, id DESC "
	    "LIMIT 1" :
	    "SELECT id, schedule, prompt_id, due_at, person FROM deliveries "
	    "WHERE channel = ?1 AND due_at >= ?2 AND person = '' AND "
	    "state = 'sent' AND kind = 'prompt' ORDER BY due_at DESC, id DESC "
	    "LIMIT 1");

	memset(t, 0, sizeof *t);
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, channel);
	db_bind_int(stmt, 2, since);
	if (code != NULL)
		db_bind_text(stmt, 3, code);
	return store_step_target(st, stmt, t);
}

/* Free what store_find_target filled in. */
void
store_target_clear(struct store_target *t)
{
	free(t->schedule);
	free(t->prompt_id);
	free(t->person);
	memset(t, 0, sizeof *t);
}

/* A new answer, its id handed back the way each engine does it cheapest. */
#define STORE_REPLY_SQL \
	"INSERT INTO replies (delivery_id, channel, user_id, user_name, text, " \
	"received_at, source, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON " \
	"CONFLICT (source, message_id) DO NOTHING"
static const char *const store_reply_sql[] =
    STORE_INSERT_SQL(STORE_REPLY_SQL);

/*
 * Store an answer unless this platform message is stored already: 1 added,
 * 0 a duplicate (a platform's retry), -1 error.
 */
int
store_add_reply(struct store *st, const struct store_reply *r, int64_t *id)
{
	struct db_stmt *stmt = store_cached(st,
	    store_reply_sql[db_dialect(st->db)]);
	int64_t added;
	char *pseudonym;
	const char *user = store_anon_user(st, r->channel, r->user_id,
	    &pseudonym);
	int rc;

	if (stmt == NULL) {
		free(pseudonym);
		return -1;
	}
	db_bind_int(stmt, 1, r->delivery_id);
	db_bind_text(stmt, 2, r->channel);
	db_bind_text(stmt, 3, user);
	/* An anonymous channel keeps no name at all. */
	db_bind_text(stmt, 4, pseudonym != NULL ? NULL : r->user_name);
	db_bind_text(stmt, 5, r->text);
	db_bind_int(stmt, 6, r->received_at);
	db_bind_text(stmt, 7, r->source);
	db_bind_text(stmt, 8, r->message_id);
	rc = store_insert(st, stmt, &added);
	free(pseudonym);
	if (rc == -1) {
		log_warnx("store: reply: %s", db_error(st->db));
		return -1;
	}
	if (added == 0)
		return 0;
	if (id != NULL)
		*id = added;
	return 1;
}

/*
 * A person's streak up to and including a delivery: how many of the
 * schedule's sent deliveries on the channel, counting back from it, the
 * person answered without a gap. Skipped and failed deliveries are not
 * counted and do not break it.
 */
int
store_streak_at(struct store *st, const char *schedule, const char *channel,
    const char *user_id, int64_t due_at, int64_t *streak)
{
	struct db_stmt *stmt = store_cached(st, "SELECT EXISTS (SELECT 1 FROM "
	    "replies r WHERE r.delivery_id = d.id AND r.user_id = ?3) FROM "
	    "deliveries d WHERE d.schedule = ?1 AND d.channel = ?2 AND d.state = "
	    "'sent' AND d.kind = 'prompt' AND d.due_at <= ?4 ORDER BY d.due_at "
	    "DESC, d.id DESC");
	char *pseudonym;
	int rc;

	*streak = 0;
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, schedule);
	db_bind_text(stmt, 2, channel);
	db_bind_text(stmt, 3, store_anon_user(st, channel, user_id,
	    &pseudonym));
	db_bind_int(stmt, 4, due_at);
	while ((rc = db_step(stmt)) == DB_ROW && db_int(stmt, 0) == 1)
		(*streak)++;
	db_done(stmt);
	free(pseudonym);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

/*
 * Delete answers for good: on SQLite secure_delete overwrites their bytes
 * and the checkpoint moves that into the database file, so a forgotten answer does
 * not linger in free pages or the WAL. *count is how many were deleted.
 */
static int
store_delete_replies(struct store *st, const char *sql, const char *a,
    const char *b, const char *c, int64_t before, int64_t *count)
{
	int sqlite = db_dialect(st->db) == DB_SQLITE;
	struct db_stmt *stmt;
	int64_t changed;
	int rc;

	*count = 0;
	if ((sqlite && store_exec(st, "PRAGMA secure_delete = ON") == -1) ||
	    store_begin(st) == -1)
		return -1;
	if ((stmt = store_prepare(st, sql)) == NULL) {
		store_rollback(st);
		return -1;
	}
	/*
	 * Statements take ?1 user, ?2 channel, ?3 an instant, ?4 the user's
	 * pseudonym, or some of them.
	 */
	db_bind_text(stmt, 1, a);
	db_bind_text(stmt, 2, b);
	db_bind_int(stmt, 3, before);
	db_bind_text(stmt, 4, c);
	rc = db_step(stmt);
	db_done(stmt);
	changed = db_changes(st->db);
	if (rc != DB_DONE || store_commit(st) == -1) {
		log_warnx("store: delete answers: %s", db_error(st->db));
		store_rollback(st);
		return -1;
	}
	*count = changed;
	if (*count > 0 && sqlite)
		store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)");
	return 0;
}

/*
 * `nudged forget`: every answer of a person, on one channel or all, those
 * kept under their pseudonym on anonymous channels included.
 */
int
store_forget(struct store *st, const char *user, const char *channel,
    int64_t *count)
{
	char	*pseudonym = store_anon_lookup(st, user);
	int	 rc;

	rc = store_delete_replies(st, "DELETE FROM replies WHERE (user_id = ?1 "
	    "OR user_id = ?4) AND (CAST(?2 AS TEXT) IS NULL OR channel = ?2)",
	    user, channel, pseudonym, 0, count);
	if (rc == 0)
		rc = store_habits_forget_person(st, user, pseudonym, channel);
	free(pseudonym);
	return rc;
}

/* Retention: every answer received before an instant. */
int
store_expire_replies(struct store *st, int64_t before, int64_t *count)
{
	return store_delete_replies(st, "DELETE FROM replies WHERE received_at "
	    "< ?3", NULL, NULL, NULL, before, count);
}

/* The newest answers on a channel since an instant (text, user name), at most limit. */
int
store_each_recent_reply(struct store *st, const char *channel, int64_t since,
    int limit, void (*cb)(void *, const char *, const char *), void *arg)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT r.text, coalesce("
	    "r.user_name, r.user_id) FROM replies r WHERE r.channel = ?1 AND "
	    "r.received_at >= ?2 ORDER BY r.received_at DESC, r.id DESC LIMIT ?3");
	int rc;

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, channel);
	db_bind_int(stmt, 2, since);
	db_bind_int(stmt, 3, limit);
	while ((rc = db_step(stmt)) == DB_ROW)
		cb(arg, store_text_or_empty(stmt, 0), store_text_or_empty(stmt, 1));
	db_done(stmt);
	return rc == DB_DONE ? 0 : -1;
}
