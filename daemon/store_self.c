/* SPDX-License-Identifier: ISC */
/*
 * What a person asked directly can look up about themselves: a nudge by its
 * id (an Answer button names it) and where its message is, their own
 * streak on a schedule, how many of their nudges they answered, and their
 * newest answers.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "xmalloc.h"

/*
 * A sent prompt (or the prompt of a sent reminder or follow-up) by id, and
 * where the platform put the message with that id: 1, 0 none, -1 error.
 */
int
store_find_delivery(struct store *st, int64_t id, struct store_target *t,
    struct store_where *w)
{
	int rc, found = 0;
	struct db_stmt *stmt = store_cached(st, "SELECT COALESCE(p.id, d.id), "
	    "COALESCE(p.schedule, d.schedule), COALESCE(p.prompt_id, "
	    "d.prompt_id), COALESCE(p.due_at, d.due_at), COALESCE(p.person, "
	    "d.person), d.channel, d.message_channel, d.message_id FROM "
	    "deliveries d LEFT JOIN deliveries p ON p.id = d.parent_id WHERE "
	    "d.id = ?1 AND d.state = 'sent' AND d.kind != 'digest'");

	memset(t, 0, sizeof *t);
	memset(w, 0, sizeof *w);
	if (stmt == NULL)
		return -1;
	db_bind_int(stmt, 1, id);
	if ((rc = db_step(stmt)) == DB_ROW) {
		store_read_target(stmt, t);
		w->channel = store_column_strdup(stmt, 5);
		w->conversation = store_column_strdup(stmt, 6);
		w->message_id = store_column_strdup(stmt, 7);
		found = 1;
	} else if (rc != DB_DONE) {
		log_warnx("store: delivery %lld: %s", (long long)id,
		    db_error(st->db));
		found = -1;
	}
	db_done(stmt);
	return found;
}

/* Free what store_find_delivery filled in. */
void
store_where_clear(struct store_where *w)
{
	free(w->channel);
	free(w->conversation);
	free(w->message_id);
	memset(w, 0, sizeof *w);
}

/*
 * person's own streak up to a prompt of schedule due at due_at: how many of
 * their sent prompts, counting back from it, user_id answered without a
 * gap. Other people's nudges on the same schedule do not count.
 */
int
store_person_streak(struct store *st, const char *schedule, const char *person,
    const char *user_id, int64_t due_at, int64_t *streak)
{
	int rc;
	struct db_stmt *stmt = store_cached(st, "SELECT EXISTS (SELECT 1 FROM "
	    "replies r WHERE r.delivery_id = d.id AND r.user_id = ?3) FROM "
	    "deliveries d WHERE d.schedule = ?1 AND d.person = ?2 AND d.state = "
	    "'sent' AND d.kind = 'prompt' AND d.due_at <= ?4 ORDER BY d.due_at "
	    "DESC, d.id DESC");

	*streak = 0;
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, schedule);
	db_bind_text(stmt, 2, person);
	db_bind_text(stmt, 3, user_id);
	db_bind_int(stmt, 4, due_at);
	while ((rc = db_step(stmt)) == DB_ROW && db_int(stmt, 0) == 1)
		(*streak)++;
	db_done(stmt);
	if (rc != DB_ROW && rc != DB_DONE) {
		log_warnx("store: streak of %s: %s", person,
		    db_error(st->db));
		return -1;
	}
	return 0;
}

/* How many prompts person was sent, and how many of them user_id answered. */
int
store_person_rate(struct store *st, const char *person, const char *user_id,
    int64_t *sent, int64_t *answered)
{
	int rc;
	struct db_stmt *stmt = store_cached(st, "SELECT count(*), COALESCE(sum("
	    "CASE WHEN EXISTS (SELECT 1 FROM replies r WHERE r.delivery_id = "
	    "d.id AND r.user_id = ?2) THEN 1 ELSE 0 END), 0) FROM deliveries d "
	    "WHERE d.person = ?1 AND "
	    "d.state = 'sent' AND d.kind = 'prompt'");

	*sent = *answered = 0;
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, person);
	db_bind_text(stmt, 2, user_id);
	if ((rc = db_step(stmt)) == DB_ROW) {
		*sent = db_int(stmt, 0);
		*answered = db_int(stmt, 1);
	} else
		log_warnx("store: rate of %s: %s", person, db_error(st->db));
	db_done(stmt);
	return rc == DB_ROW ? 0 : -1;
}

/*
 * user_id's newest answers (at most limit) to person's nudges, newest
 * first: each one's delivery (as a target) and text to cb.
 */
int
store_person_answers(struct store *st, const char *person, const char *user_id,
    int limit, void (*cb)(void *, const struct store_target *, const char *),
    void *arg)
{
	struct store_target t;
	int rc;
	struct db_stmt *stmt = store_cached(st, "SELECT d.id, d.schedule, "
	    "d.prompt_id, d.due_at, d.person, r.text FROM replies r JOIN "
	    "deliveries d ON d.id = r.delivery_id WHERE d.person = ?1 AND "
	    "r.user_id = ?2 ORDER BY r.received_at DESC, r.id DESC LIMIT ?3");

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, person);
	db_bind_text(stmt, 2, user_id);
	db_bind_int(stmt, 3, limit);
	while ((rc = db_step(stmt)) == DB_ROW) {
		store_read_target(stmt, &t);
		cb(arg, &t, db_text(stmt, 5));
		store_target_clear(&t);
	}
	db_done(stmt);
	if (rc != DB_DONE) {
		log_warnx("store: answers of %s: %s", person,
		    db_error(st->db));
		return -1;
	}
	return 0;
}

/*
 * Keep r as the answerer's answer to its delivery: their newest earlier
 * answer to it takes r's text (an edit), else r is added. 1 stored, 0 the
 * same message stored already, -1 error.
 */
int
store_put_reply(struct store *st, const struct store_reply *r)
{
	int rc;
	struct db_stmt *stmt = store_cached(st, "UPDATE replies SET text = ?3, "
	    "user_name = COALESCE(?4, user_name), received_at = ?5, source = "
	    "?6, message_id = ?7 WHERE id = (SELECT id FROM replies WHERE "
	    "delivery_id = ?1 AND user_id = ?2 ORDER BY received_at DESC, id "
	    "DESC LIMIT 1) AND NOT EXISTS (SELECT 1 FROM replies WHERE source "
	    "= ?6 AND message_id = ?7)");

	if (stmt == NULL)
		return -1;
	db_bind_int(stmt, 1, r->delivery_id);
	db_bind_text(stmt, 2, r->user_id);
	db_bind_text(stmt, 3, r->text);
	db_bind_text(stmt, 4, r->user_name);
	db_bind_int(stmt, 5, r->received_at);
	db_bind_text(stmt, 6, r->source);
	db_bind_text(stmt, 7, r->message_id);
	rc = db_step(stmt);
	db_done(stmt);
	if (rc != DB_DONE) {
		log_warnx("store: edited reply: %s", db_error(st->db));
		return -1;
	}
	if (db_changes(st->db) == 1)
		return 1;
	return store_add_reply(st, r, NULL);
}
