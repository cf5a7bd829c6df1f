/* SPDX-License-Identifier: ISC */
/*
 * People asked directly, in the store: their direct conversation, the zone
 * of their profile and whether they can be reached, per channel (a channel
 * is one workspace or server); their pause and absence, per person; and
 * where each nudge landed, so a thread reply or a plain DM reply finds it.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store_int.h"
#include "xmalloc.h"

static int	store_people_put(struct store *, const char *, const char *,
		    const char *, const char *, int64_t, const char *);

/* What the store knows of person on channel (all NULL when nothing). */
int
store_person_channel(struct store *st, const char *channel, const char *person,
    struct store_person_channel *pc)
{
	int rc;
	struct db_stmt *stmt = store_cached(st, "SELECT dm_id, tz, tz_checked_at, "
	    "inactive FROM person_channels WHERE channel = ?1 AND person = ?2");

	memset(pc, 0, sizeof *pc);
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, channel);
	db_bind_text(stmt, 2, person);
	if ((rc = db_step(stmt)) == DB_ROW) {
		pc->dm_id = store_column_strdup(stmt, 0);
		pc->tz = store_column_strdup(stmt, 1);
		pc->tz_checked_at = db_int(stmt, 2);
		pc->inactive = store_column_strdup(stmt, 3);
	} else if (rc != DB_DONE)
		log_warnx("store: person %s: %s", person, db_error(st->db));
	db_done(stmt);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

/* Free what store_person_channel filled in. */
void
store_person_channel_clear(struct store_person_channel *pc)
{
	free(pc->dm_id);
	free(pc->tz);
	free(pc->inactive);
	memset(pc, 0, sizeof *pc);
}

/*
 * Insert or update one column of person's row on channel: sql binds the
 * channel (?1), the person (?2), text (?3) and, where it uses one, n (?4).
 */
static int
store_people_put(struct store *st, const char *sql, const char *channel,
    const char *person, const char *text, int64_t n, const char *what)
{
	struct db_stmt *stmt = store_cached(st, sql);

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, channel);
	db_bind_text(stmt, 2, person);
	db_bind_text(stmt, 3, text);
	db_bind_int(stmt, 4, n);
	return store_write(st, stmt, what);
}

/* Keep the id of person's direct conversation on channel. */
int
store_set_person_dm(struct store *st, const char *channel, const char *person,
    const char *dm_id)
{
	return store_people_put(st, "INSERT INTO person_channels (channel, "
	    "person, dm_id) VALUES (?1, ?2, ?3) ON CONFLICT (channel, person) DO "
	    "UPDATE SET dm_id = excluded.dm_id", channel, person, dm_id, 0,
	    "person's conversation");
}

/* Keep the zone person's profile gives (NULL: none), as checked at now. */
int
store_set_person_tz(struct store *st, const char *channel, const char *person,
    const char *tz, int64_t now)
{
	return store_people_put(st, "INSERT INTO person_channels (channel, "
	    "person, tz, tz_checked_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
	    "(channel, person) DO UPDATE SET tz = excluded.tz, tz_checked_at = "
	    "excluded.tz_checked_at", channel, person, tz, now, "person's zone");
}

/* Mark person unreachable on channel, with the platform's reason (NULL: reachable). */
int
store_set_person_inactive(struct store *st, const char *channel,
    const char *person, const char *why)
{
	return store_people_put(st, "INSERT INTO person_channels (channel, "
	    "person, inactive) VALUES (?1, ?2, ?3) ON CONFLICT (channel, person) "
	    "DO UPDATE SET inactive = excluded.inactive", channel, person, why,
	    0, "person's reachability");
}

/* A person's pause and absence; not paused and not away when none is kept. */
int
store_person_state(struct store *st, const char *person,
    struct store_person_state *ps)
{
	int rc;
	struct db_stmt *stmt = store_cached(st, "SELECT paused_at, away_from, "
	    "away_until FROM person_state WHERE person = ?1");

	ps->paused_at = 0;
	ps->away_from = ps->away_until = -1;
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, person);
	if ((rc = db_step(stmt)) == DB_ROW) {
		ps->paused_at = db_int(stmt, 0);
		if (!db_is_null(stmt, 1)) {
			ps->away_from = db_int(stmt, 1);
			ps->away_until = db_int(stmt, 2);
		}
	} else if (rc != DB_DONE)
		log_warnx("store: person %s: %s", person, db_error(st->db));
	db_done(stmt);
	return rc == DB_ROW || rc == DB_DONE ? 0 : -1;
}

/* Pause person's nudges from paused_at on; 0 resumes them. */
int
store_set_paused(struct store *st, const char *person, int64_t paused_at)
{
	struct db_stmt *stmt = store_cached(st, "INSERT INTO person_state (person, "
	    "paused_at) VALUES (?1, ?2) ON CONFLICT (person) DO UPDATE SET "
	    "paused_at = excluded.paused_at");

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, person);
	if (paused_at != 0)
		db_bind_int(stmt, 2, paused_at);
	else
		db_bind_null(stmt, 2);
	return store_write(st, stmt, "pause");
}

/* Record person away from one local day to another, both included. */
int
store_set_away(struct store *st, const char *person, int64_t from_day,
    int64_t until_day)
{
	struct db_stmt *stmt = store_cached(st, "INSERT INTO person_state (person, "
	    "away_from, away_until) VALUES (?1, ?2, ?3) ON CONFLICT (person) DO "
	    "UPDATE SET away_from = excluded.away_from, away_until = "
	    "excluded.away_until");

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, person);
	db_bind_int(stmt, 2, from_day);
	db_bind_int(stmt, 3, until_day);
	return store_write(st, stmt, "absence");
}

/* Keep where the platform put a delivery: its conversation and message id. */
int
store_set_message(struct store *st, int64_t id, const char *message_channel,
    const char *message_id)
{
	struct db_stmt *stmt = store_cached(st, "UPDATE deliveries SET "
	    "message_channel = ?2, message_id = ?3 WHERE id = ?1");

	if (stmt == NULL)
		return -1;
	db_bind_int(stmt, 1, id);
	db_bind_text(stmt, 2, message_channel);
	db_bind_text(stmt, 3, message_id);
	return store_write(st, stmt, "message of a delivery");
}

/* Where delivery id landed: 1 with its conversation and message id, 0 unknown, -1 error. */
int
store_message_of(struct store *st, int64_t id, char **message_channel,
    char **message_id)
{
	int rc;
	struct db_stmt *stmt = store_cached(st, "SELECT message_channel, message_id "
	    "FROM deliveries WHERE id = ?1 AND message_channel IS NOT NULL AND "
	    "message_id IS NOT NULL");

	*message_channel = *message_id = NULL;
	if (stmt == NULL)
		return -1;
	db_bind_int(stmt, 1, id);
	if ((rc = db_step(stmt)) == DB_ROW) {
		*message_channel = store_column_strdup(stmt, 0);
		*message_id = store_column_strdup(stmt, 1);
	} else if (rc != DB_DONE)
		log_warnx("store: delivery %lld: %s", (long long)id,
		    db_error(st->db));
	db_done(stmt);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* The prompt a message is (a thread's root): 1 found, 0 none, -1 error. */
int
store_find_by_message(struct store *st, const char *channel,
    const char *message_channel, const char *message_id,
    struct store_target *t)
{
	struct db_stmt *stmt = store_cached(st, "SELECT COALESCE(p.id, d.id), "
	    "COALESCE(p.schedule, d.schedule), COALESCE(p.prompt_id, "
	    "d.prompt_id), COALESCE(p.due_at, d.due_at), COALESCE(p.person, "
	    "d.person) FROM deliveries d LEFT JOIN deliveries p ON p.id = "
	    "d.parent_id AND d.kind != 'digest' WHERE d.channel = ?1 AND "
	    "d.message_channel = ?2 AND d.message_id = ?3 AND d.kind != 'digest' "
	    "LIMIT 1");

	memset(t, 0, sizeof *t);
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, channel);
	db_bind_text(stmt, 2, message_channel);
	db_bind_text(stmt, 3, message_id);
	return store_step_target(st, stmt, t);
}

/* person's newest prompt on channel sent at or after since: 1, 0 none, -1. */
int
store_find_for_person(struct store *st, const char *channel,
    const char *person, int64_t since, struct store_target *t)
{
	struct db_stmt *stmt = store_cached(st, "SELECT id, schedule, prompt_id, "
	    "due_at, person FROM deliveries WHERE channel = ?1 AND person = ?2 "
	    "AND kind = 'prompt' AND state = 'sent' AND due_at >= ?3 ORDER BY "
	    "due_at DESC, id DESC LIMIT 1");

	memset(t, 0, sizeof *t);
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, channel);
	db_bind_text(stmt, 2, person);
	db_bind_int(stmt, 3, since);
	return store_step_target(st, stmt, t);
}

/*
 * The newest prompt of schedule sent to person ("" the channel) due before
 * before, whether anyone answered it and whether its follow-up is
 * enqueued: 1 and *prev, 0 none, -1 error.
 */
int
store_previous_prompt(struct store *st, const char *schedule,
    const char *person, int64_t before, struct store_previous *prev)
{
	int rc, found = 0;
	struct db_stmt *stmt = store_cached(st, "SELECT d.id, d.prompt_id, "
	    "d.due_at, EXISTS (SELECT 1 FROM replies r WHERE r.delivery_id = "
	    "d.id), EXISTS (SELECT 1 FROM deliveries f WHERE f.parent_id = "
	    "d.id AND f.kind = 'follow_up') FROM deliveries d WHERE "
	    "d.schedule = ?1 AND d.person = ?2 "
	    "AND d.kind = 'prompt' AND d.state = 'sent' AND d.due_at < ?3 AND "
	    "d.prompt_id IS NOT NULL ORDER BY d.due_at DESC, d.id DESC LIMIT 1");

	memset(prev, 0, sizeof *prev);
	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, schedule);
	db_bind_text(stmt, 2, person != NULL ? person : "");
	db_bind_int(stmt, 3, before);
	if ((rc = db_step(stmt)) == DB_ROW) {
		prev->id = db_int(stmt, 0);
		prev->prompt_id = store_column_strdup(stmt, 1);
		prev->due_at = db_int(stmt, 2);
		prev->answered = db_int(stmt, 3);
		prev->followed = db_int(stmt, 4);
		found = 1;
	} else if (rc != DB_DONE) {
		log_warnx("store: previous prompt of %s: %s", schedule,
		    db_error(st->db));
		found = -1;
	}
	db_done(stmt);
	return found;
}

/* Free what store_previous_prompt filled in. */
void
store_previous_clear(struct store_previous *prev)
{
	free(prev->prompt_id);
	memset(prev, 0, sizeof *prev);
}

/*
 * The first answer given to delivery id, and the delivery's instant: 1 and
 * *text (allocated) and *due_at, 0 when nobody answered it, -1 error.
 */
int
store_first_answer(struct store *st, int64_t id, char **text, int64_t *due_at)
{
	int rc, found = 0;
	struct db_stmt *stmt = store_cached(st, "SELECT r.text, d.due_at FROM "
	    "replies r JOIN deliveries d ON d.id = r.delivery_id WHERE "
	    "r.delivery_id = ?1 ORDER BY r.received_at, r.id LIMIT 1");

	*text = NULL;
	if (stmt == NULL)
		return -1;
	db_bind_int(stmt, 1, id);
	if ((rc = db_step(stmt)) == DB_ROW) {
		*text = store_column_strdup(stmt, 0);
		*due_at = db_int(stmt, 1);
		found = 1;
	} else if (rc != DB_DONE) {
		log_warnx("store: answer of delivery %lld: %s", (long long)id,
		    db_error(st->db));
		found = -1;
	}
	db_done(stmt);
	return found;
}

/*
 * Whether a follow-up of schedule to person due at at still waits to be
 * posted (its question goes after it): 1 yes, 0 no, -1 error.
 */
int
store_follow_up_waiting(struct store *st, const char *schedule,
    const char *person, int64_t at)
{
	int rc;
	struct db_stmt *stmt = store_cached(st, "SELECT 1 FROM deliveries WHERE "
	    "schedule = ?1 AND person = ?2 AND kind = 'follow_up' AND due_at = "
	    "?3 AND state IN ('pending', 'sending')");

	if (stmt == NULL)
		return -1;
	db_bind_text(stmt, 1, schedule);
	db_bind_text(stmt, 2, person);
	db_bind_int(stmt, 3, at);
	rc = db_step(stmt);
	db_done(stmt);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}
