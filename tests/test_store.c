/* SPDX-License-Identifier: ISC */
/*
 * The store: schema and migrations, file mode, WAL, idempotent enqueue, the
 * serve lock, pseudonyms on anonymous channels; what is not SQLite's own
 * also on PostgreSQL (the tests' server: $NUDGED_TEST_PG, or one started).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "store.h"
#include "store_engine.h"

/* The schema as version 1 of nudged left it. */
#define STORE_V1_SCHEMA \
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);" \
	"CREATE TABLE deliveries (id INTEGER PRIMARY KEY, schedule TEXT NOT " \
	"NULL, channel TEXT NOT NULL, prompt_id TEXT, due_at INTEGER NOT NULL, " \
	"state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', " \
	"'failed', 'skipped')), reason TEXT, attempts INTEGER NOT NULL DEFAULT " \
	"0, next_attempt_at INTEGER, last_error TEXT, sent_at INTEGER, " \
	"created_at INTEGER NOT NULL, UNIQUE (schedule, due_at));" \
	"CREATE INDEX deliveries_by_state ON deliveries (state, " \
	"next_attempt_at);" \
	"CREATE INDEX deliveries_by_channel ON deliveries (channel, due_at);" \
	"CREATE TABLE schedule_state (schedule TEXT PRIMARY KEY, last_instant " \
	"INTEGER NOT NULL);"

/* What versions 2 to 6 added to it (cycles, reply codes, replies, kinds). */
#define STORE_V6_CHANGES \
	"ALTER TABLE deliveries ADD COLUMN cycle INTEGER;" \
	"CREATE INDEX deliveries_by_cycle ON deliveries (channel, cycle);" \
	"CREATE INDEX deliveries_by_schedule ON deliveries (schedule, due_at);" \
	"ALTER TABLE deliveries ADD COLUMN reply_code TEXT;" \
	"CREATE INDEX deliveries_by_code ON deliveries (reply_code, due_at);" \
	"CREATE TABLE replies (id INTEGER PRIMARY KEY, delivery_id INTEGER NOT " \
	"NULL REFERENCES deliveries (id), channel TEXT NOT NULL, user_id TEXT " \
	"NOT NULL, user_name TEXT, text TEXT NOT NULL, received_at INTEGER NOT " \
	"NULL, source TEXT NOT NULL, message_id TEXT NOT NULL, UNIQUE (source, " \
	"message_id));" \
	"CREATE INDEX replies_by_delivery ON replies (delivery_id, user_id, " \
	"received_at);" \
	"CREATE INDEX replies_by_user ON replies (channel, user_id, " \
	"received_at);" \
	"ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT 'prompt' " \
	"CHECK (kind IN ('prompt', 'reminder', 'digest'));" \
	"ALTER TABLE deliveries ADD COLUMN parent_id INTEGER REFERENCES " \
	"deliveries (id);"

/* A fresh state folder for one test. */
static int
setup(void **state)
{
	*state = harness_tmpdir();
	return 0;
}

/* A fresh folder whose store is a fresh PostgreSQL schema. */
static int
setup_pg(void **state)
{
	*state = harness_tmpdir();
	return store_engine_use_pg(*state);
}

static int
teardown(void **state)
{
	int rc = harness_rmdir(*state);

	store_engine_forget(*state);
	free(*state);
	return rc;
}

/* A test on PostgreSQL, named so. */
#define PG_TEST(f)	{ "postgresql: " #f, f, setup_pg, teardown, NULL }

/* Run one SQL statement on the database file directly and return its first integer. */
static long
sql_int(const char *dir, const char *sql)
{
	char *path;
	sqlite3 *db;
	sqlite3_stmt *stmt;
	long v = -1;

	if (asprintf(&path, "%s/%s", dir, STORE_FILE) < 0)
		abort();
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(path);
	return v;
}

static void
test_new_store_is_migrated_private_and_wal(void **state)
{
	const char *dir = *state;
	char *cause = NULL, *path;
	struct store *st;
	struct stat sb;

	st = store_open(dir, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_schema_version(st), store_latest_version());
	assert_true(store_latest_version() >= 1);
	if (asprintf(&path, "%s/%s", dir, STORE_FILE) < 0)
		abort();
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_null(store_integrity_check(st, &cause) == 0 ? NULL : cause);
	store_close(st);
	assert_int_equal(sql_int(dir, "SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('deliveries', 'schedule_state', 'meta')"), 3);
	/* journal_mode=WAL is persistent in the file itself. */
	assert_int_equal(sql_int(dir, "SELECT journal_mode = 'wal' FROM "
	    "pragma_journal_mode"), 1);
	free(path);
}

static void
test_reopen_keeps_version_and_rows(void **state)
{
	const char *dir = *state;
	char *cause = NULL;
	struct store *st = store_engine_open(dir, &cause);
	struct store_delivery d = { .schedule = "daily", .channel = "leaders",
	    .due_at = 1774746000, .state = STORE_PENDING };
	int64_t id = 0, n = 0, last = 0;

	assert_non_null(st);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_enqueue(st, &d, &id), 1);
	assert_true(id > 0);
	assert_int_equal(store_set_last_instant(st, "daily", 1774746000), 0);
	assert_int_equal(store_commit(st), 0);
	store_close(st);

	st = store_engine_open(dir, &cause);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), store_latest_version());
	assert_int_equal(store_count_deliveries(st, "daily", STORE_PENDING, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_last_instant(st, "daily", &last), 1);
	assert_int_equal(last, 1774746000);
	assert_int_equal(store_last_instant(st, "weekly", &last), 0);
	store_close(st);
}

static void
test_enqueue_is_idempotent_per_schedule_and_instant(void **state)
{
	char *cause = NULL;
	struct store *st = store_engine_open(*state, &cause);
	struct store_delivery d = { .schedule = "daily", .channel = "leaders",
	    .due_at = 1774746000, .state = STORE_PENDING };
	int64_t n = 0;

	assert_non_null(st);
	assert_int_equal(store_enqueue(st, &d, NULL), 1);
	assert_int_equal(store_enqueue(st, &d, NULL), 0);
	d.state = STORE_SKIPPED;
	d.reason = "skip date";
	assert_int_equal(store_enqueue(st, &d, NULL), 0);
	d.schedule = "weekly";
	assert_int_equal(store_enqueue(st, &d, NULL), 1);
	assert_int_equal(store_count_deliveries(st, NULL, STORE_PENDING, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_count_deliveries(st, NULL, STORE_SKIPPED, &n), 0);
	assert_int_equal(n, 1);
	store_close(st);
}

static void
test_last_instant_never_moves_back(void **state)
{
	char *cause = NULL;
	struct store *st = store_engine_open(*state, &cause);
	int64_t last = 0;

	assert_non_null(st);
	assert_int_equal(store_set_last_instant(st, "s", 2000), 0);
	assert_int_equal(store_set_last_instant(st, "s", 1000), 0);
	assert_int_equal(store_last_instant(st, "s", &last), 1);
	assert_int_equal(last, 2000);
	store_close(st);
}

static void
test_rollback_discards(void **state)
{
	char *cause = NULL;
	struct store *st = store_engine_open(*state, &cause);
	struct store_delivery d = { .schedule = "daily", .channel = "c",
	    .due_at = 60, .state = STORE_PENDING };
	int64_t n = -1;

	assert_non_null(st);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_enqueue(st, &d, NULL), 1);
	store_rollback(st);
	assert_int_equal(store_count_deliveries(st, NULL, STORE_PENDING, &n), 0);
	assert_int_equal(n, 0);
	store_close(st);
}

/* The reply code of a delivery, read from the database file directly. */
static char *
sql_code(const char *dir, int64_t id)
{
	char *path, *code;
	sqlite3 *db;
	sqlite3_stmt *stmt;

	if (asprintf(&path, "%s/%s", dir, STORE_FILE) < 0)
		abort();
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT reply_code FROM "
	    "deliveries WHERE id = ?", -1, &stmt, NULL), SQLITE_OK);
	sqlite3_bind_int64(stmt, 1, id);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	code = strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(path);
	return code;
}

/*
 * An answer's code finds its nudge by index, not by reading every nudge on
 * the channel: 300 look-ups of the oldest of 20,000 took seconds of CPU
 * that way (all due at once, the newest read first), and take milliseconds.
 */
static void
test_reply_code_lookup_reads_one_nudge(void **state)
{
	char *cause = NULL, schedule[16], *code;
	struct store *st = store_open(*state, &cause);
	struct store_delivery d = { .channel = "fan", .prompt_id = "p",
	    .due_at = 1774700000, .state = STORE_PENDING, .cycle = 1 };
	struct store_target t;
	int64_t id, first = 0;
	clock_t cpu;

	assert_non_null(st);
	assert_int_equal(store_begin(st), 0);
	for (int i = 0; i < 20000; i++) {
		snprintf(schedule, sizeof schedule, "s%d", i);
		d.schedule = schedule;
		assert_int_equal(store_enqueue(st, &d, &id), 1);
		assert_int_equal(store_mark_sent(st, id, d.due_at), 0);
		first = first != 0 ? first : id;
	}
	assert_int_equal(store_commit(st), 0);
	code = sql_code(*state, first);
	cpu = clock();
	for (int i = 0; i < 300; i++) {
		assert_int_equal(store_find_target(st, "fan", code, 0, &t), 1);
		assert_int_equal(t.id, first);
		store_target_clear(&t);
	}
	/* Generous for a loaded machine and the sanitizers. */
	assert_true(clock() - cpu < CLOCKS_PER_SEC);
	free(code);
	store_close(st);
}

static void
test_old_database_is_migrated_with_its_rows(void **state)
{
	const char *dir = *state;
	char *cause = NULL, *path;
	struct store *st;
	sqlite3 *db;

	/* A database as schema version 1 left it, with a delivery in it. */
	if (asprintf(&path, "%s/%s", dir, STORE_FILE) < 0)
		abort();
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, STORE_V1_SCHEMA
	    "INSERT INTO meta VALUES ('schema_version', '1');"
	    "INSERT INTO deliveries (schedule, channel, prompt_id, due_at, state, "
	    "attempts, sent_at, created_at) VALUES ('daily', 'leaders', "
	    "'coaching-001', 1774746000, 'sent', 1, 1774746001, 1774746000);"
	    "INSERT INTO schedule_state VALUES ('daily', 1774746000);",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = store_open(dir, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_schema_version(st), store_latest_version());
	store_close(st);
	/* The row is there, with the columns later versions added. */
	assert_int_equal(sql_int(dir, "SELECT count(*) FROM deliveries WHERE "
	    "schedule = 'daily' AND state = 'sent' AND kind = 'prompt' AND "
	    "cycle IS NULL"), 1);
	assert_int_equal(sql_int(dir, "SELECT count(*) FROM replies"), 0);
	assert_int_equal(sql_int(dir, "SELECT last_instant FROM schedule_state"),
	    1774746000);
	free(path);
}

/*
 * A version 6 database named reminders and digests "NAME/reminder" and
 * "NAME/digest": they become rows of their schedule told apart by kind, the
 * reminder still pointing at its prompt, its answers still on the prompt,
 * and the unique key still refuses a second reminder for the same nudge.
 */
static void
test_version_6_kinds_become_rows_of_their_schedule(void **state)
{
	const char *dir = *state;
	struct store_delivery again = { .schedule = "daily", .channel =
	    "leaders", .prompt_id = "coaching-001", .due_at = 1774746000,
	    .state = STORE_PENDING, .kind = STORE_KIND_REMINDER };
	char *cause = NULL, *path;
	struct store *st;
	sqlite3 *db;
	int64_t n = -1;

	if (asprintf(&path, "%s/%s", dir, STORE_FILE) < 0)
		abort();
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, STORE_V1_SCHEMA STORE_V6_CHANGES
	    "INSERT INTO meta VALUES ('schema_version', '6');"
	    "INSERT INTO deliveries (id, schedule, channel, prompt_id, due_at, "
	    "state, created_at, reply_code, kind) VALUES (1, 'daily', 'leaders', "
	    "'coaching-001', 1774746000, 'sent', 1774746000, 'K7QX', 'prompt');"
	    "INSERT INTO deliveries (id, schedule, channel, prompt_id, due_at, "
	    "state, created_at, reply_code, kind, parent_id) VALUES (2, "
	    "'daily/reminder', 'leaders', 'coaching-001', 1774746000, 'sent', "
	    "1774749600, 'K7QX', 'reminder', 1);"
	    "INSERT INTO deliveries (id, schedule, channel, due_at, state, "
	    "created_at, kind) VALUES (3, 'daily/digest', 'leaders', 1774800000, "
	    "'pending', 1774800000, 'digest');"
	    "INSERT INTO deliveries (id, schedule, channel, due_at, state, "
	    "created_at) VALUES (4, 'a/b', 'leaders', 1774746000, 'skipped', "
	    "1774746000);"
	    "INSERT INTO replies VALUES (1, 1, 'leaders', 'U1', 'Ann', 'yes', "
	    "1774750000, 'slack', 'm1');"
	    "INSERT INTO schedule_state VALUES ('daily/digest', 1774800000);",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = store_open(dir, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_schema_version(st), store_latest_version());
	/* The same nudge's reminder again, by hand: no. */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_enqueue(st, &again, NULL), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_integrity_check(st, &cause), 0);
	store_close(st);
	assert_int_equal(sql_int(dir, "SELECT count(*) FROM deliveries WHERE "
	    "schedule = 'daily'"), 3);
	assert_int_equal(sql_int(dir, "SELECT parent_id FROM deliveries WHERE "
	    "id = 2 AND kind = 'reminder' AND reply_code = 'K7QX'"), 1);
	assert_int_equal(sql_int(dir, "SELECT id FROM deliveries WHERE kind = "
	    "'digest' AND state = 'pending' AND due_at = 1774800000"), 3);
	/* Only a kind's own suffix goes: a prompt's schedule keeps its name. */
	assert_int_equal(sql_int(dir, "SELECT count(*) FROM deliveries WHERE "
	    "schedule = 'a/b' AND kind = 'prompt'"), 1);
	assert_int_equal(sql_int(dir, "SELECT delivery_id FROM replies WHERE "
	    "message_id = 'm1'"), 1);
	assert_int_equal(sql_int(dir, "SELECT count(*) FROM "
	    "pragma_foreign_key_check"), 0);
	assert_int_equal(sql_int(dir, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'index' AND tbl_name = 'deliveries' AND name LIKE "
	    "'deliveries_by_%'"), 9);
	/* Every row of an older store is a channel's own: no person. */
	assert_int_equal(sql_int(dir, "SELECT count(*) FROM deliveries WHERE "
	    "person != ''"), 0);
	/* Unanswered, the nudge is due a reminder, but it has had its one. */
	sql_int(dir, "DELETE FROM replies");
	st = store_open(dir, &cause);
	assert_non_null(st);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_enqueue_reminders(st, "daily", 60, 86400 * 365,
	    1774746000 + 7200, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(store_commit(st), 0);
	store_close(st);
	free(path);
}

static void
test_newer_schema_is_refused(void **state)
{
	const char *dir = *state;
	char *cause = NULL, *path, *sql;
	struct store *st = store_open(dir, &cause);
	sqlite3 *db;

	assert_non_null(st);
	store_close(st);
	if (asprintf(&path, "%s/%s", dir, STORE_FILE) < 0 ||
	    asprintf(&sql, "UPDATE meta SET value = '%d' WHERE key = "
	    "'schema_version'", store_latest_version() + 1) < 0)
		abort();
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(dir, &cause));
	assert_non_null(strstr(cause, "is newer than this nudged understands"));
	free(cause);
	free(sql);
	free(path);
}

static void
test_second_lock_is_refused(void **state)
{
	char *cause = NULL;
	int fd1 = -1, fd2 = -1;

	assert_int_equal(store_lock(*state, &fd1, &cause), 0);
	assert_int_equal(store_lock(*state, &fd2, &cause), -1);
	assert_non_null(strstr(cause, "another nudged serve is already running"));
	free(cause);
	close(fd1);
	cause = NULL;
	assert_int_equal(store_lock(*state, &fd2, &cause), 0);
	close(fd2);
}

static void
test_unwritable_state_dir_is_a_clear_error(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_null(store_open("/proc/nudged-cannot-be-here", &cause));
	assert_non_null(strstr(cause, "/proc/nudged-cannot-be-here"));
	free(cause);
}

/* People asked directly: one nudge each per instant, their DM, pause, away. */
static void
test_people_rows(void **state)
{
	const char *dir = *state;
	struct store_delivery d = { .schedule = "daily", .channel = "acme",
	    .prompt_id = "coaching-001", .due_at = 1774746000,
	    .state = STORE_SENT, .kind = STORE_KIND_PROMPT };
	struct store_person_channel pc;
	struct store_person_state ps;
	struct store_target t;
	char *cause = NULL;
	struct store *st = store_engine_open(dir, &cause);
	int64_t ada = 0, ben = 0, id = 0;

	assert_non_null(st);
	assert_int_equal(store_begin(st), 0);
	d.person = "ada";
	assert_int_equal(store_enqueue(st, &d, &ada), 1);
	d.person = "ben";
	assert_int_equal(store_enqueue(st, &d, &ben), 1);
	/* The same person's nudge at the same instant: never twice. */
	assert_int_equal(store_enqueue(st, &d, &id), 0);
	d.person = NULL;
	assert_int_equal(store_enqueue(st, &d, &id), 1);
	assert_int_equal(store_set_message(st, ada, "D01ADA",
	    "1700000000.000100"), 0);
	assert_int_equal(store_set_person_dm(st, "acme", "ada", "D01ADA"), 0);
	assert_int_equal(store_set_person_tz(st, "acme", "ada", "Asia/Tokyo",
	    1774700000), 0);
	assert_int_equal(store_set_person_inactive(st, "acme", "ben",
	    "user_not_found"), 0);
	assert_int_equal(store_set_paused(st, "ada", 1774700000), 0);
	assert_int_equal(store_set_away(st, "ben", 20000, 20010), 0);
	assert_int_equal(store_commit(st), 0);

	assert_int_equal(store_person_channel(st, "acme", "ada", &pc), 0);
	assert_string_equal(pc.dm_id, "D01ADA");
	assert_string_equal(pc.tz, "Asia/Tokyo");
	assert_int_equal(pc.tz_checked_at, 1774700000);
	assert_null(pc.inactive);
	store_person_channel_clear(&pc);
	assert_int_equal(store_person_channel(st, "acme", "ben", &pc), 0);
	assert_null(pc.dm_id);
	assert_string_equal(pc.inactive, "user_not_found");
	store_person_channel_clear(&pc);
	assert_int_equal(store_person_state(st, "ada", &ps), 0);
	assert_int_equal(ps.paused_at, 1774700000);
	assert_int_equal(ps.away_from, -1);
	assert_int_equal(store_set_paused(st, "ada", 0), 0);
	assert_int_equal(store_person_state(st, "ada", &ps), 0);
	assert_int_equal(ps.paused_at, 0);
	assert_int_equal(store_person_state(st, "ben", &ps), 0);
	assert_int_equal(ps.away_from, 20000);
	assert_int_equal(ps.away_until, 20010);

	/* A thread's root finds its nudge; a DM reply finds the person's. */
	assert_int_equal(store_find_by_message(st, "acme", "D01ADA",
	    "1700000000.000100", &t), 1);
	assert_int_equal(t.id, ada);
	assert_string_equal(t.person, "ada");
	store_target_clear(&t);
	assert_int_equal(store_find_by_message(st, "acme", "D01ADA", "1.2", &t),
	    0);
	assert_int_equal(store_find_for_person(st, "acme", "ben", 0, &t), 1);
	assert_int_equal(t.id, ben);
	store_target_clear(&t);
	assert_int_equal(store_find_for_person(st, "acme", "ben", 1774746001,
	    &t), 0);
	/* Without a code, a channel answer never lands on someone's DM nudge. */
	assert_int_equal(store_find_target(st, "acme", NULL, 0, &t), 1);
	assert_int_equal(t.id, id);
	assert_string_equal(t.person, "");
	store_target_clear(&t);
	store_close(st);
}

/* Whether a file of the state folder holds a byte string anywhere. */
static int
file_contains(const char *dir, const char *name, const char *needle)
{
	char *path;
	int found;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	found = harness_file_contains(path, needle);
	free(path);
	return found;
}

/* One sent prompt on channel at due_at; its id. */
static int64_t
sent_prompt(struct store *st, const char *channel, int64_t due_at)
{
	struct store_delivery d = { .schedule = channel, .channel = channel,
	    .due_at = due_at, .state = STORE_PENDING };
	int64_t id = 0;

	assert_int_equal(store_enqueue(st, &d, &id), 1);
	assert_int_equal(store_mark_sent(st, id, due_at), 0);
	return id;
}

/* One answer from (user, name) to delivery id on channel. */
static void
answer(struct store *st, int64_t id, const char *channel, const char *user,
    const char *name, const char *message_id)
{
	struct store_reply r = { .delivery_id = id, .channel = channel,
	    .user_id = user, .user_name = name, .text = "a thought",
	    .received_at = 1774746600, .source = "api",
	    .message_id = message_id };

	assert_int_equal(store_add_reply(st, &r, NULL), 1);
}

/*
 * An anonymous channel's answers are kept under a keyed pseudonym: neither
 * the user id nor the name is in the file (an answer stored before the
 * channel turned anonymous included), streaks still count, the key survives
 * a restart, and forget still finds the rows.
 */
static void
test_anonymous_channel_keeps_no_id_or_name(void **state)
{
	const char *dir = *state;
	const char *anon[] = { "anon" };
	char *cause = NULL;
	struct store *st = store_open(dir, &cause);
	int64_t d1, d2, d3, streak = 0, n = 0;

	assert_non_null(st);
	d1 = sent_prompt(st, "anon", 1774742400);
	d2 = sent_prompt(st, "anon", 1774828800);
	/* Stored while the channel was not anonymous yet. */
	answer(st, d1, "anon", "U0SECRETID", "Zed Hiddenname", "m1");
	assert_int_equal(store_anon_set(st, anon, 1), 0);
	answer(st, d2, "anon", "U0SECRETID", "Zed Hiddenname", "m2");
	assert_int_equal(store_streak_at(st, "anon", "anon", "U0SECRETID",
	    1774828800, &streak), 0);
	assert_int_equal(streak, 2);
	store_close(st);

	/* Closing checkpoints the WAL away: the database file is all there is. */
	assert_true(file_contains(dir, STORE_FILE, "a thought"));
	assert_false(file_contains(dir, STORE_FILE, "U0SECRETID"));
	assert_false(file_contains(dir, STORE_FILE, "Hiddenname"));
	assert_int_equal(sql_int(dir, "SELECT count(*) FROM replies WHERE "
	    "user_id LIKE 'anon-%' AND length(user_id) = 69 AND user_name IS "
	    "NULL"), 2);
	assert_int_equal(sql_int(dir, "SELECT count(DISTINCT user_id) FROM "
	    "replies"), 1);

	/* After a restart the same key: the same person, the same streak. */
	st = store_open(dir, &cause);
	assert_non_null(st);
	assert_int_equal(store_anon_set(st, anon, 1), 0);
	d3 = sent_prompt(st, "anon", 1774915200);
	answer(st, d3, "anon", "U0SECRETID", NULL, "m3");
	assert_int_equal(store_streak_at(st, "anon", "anon", "U0SECRETID",
	    1774915200, &streak), 0);
	assert_int_equal(streak, 3);
	assert_int_equal(sql_int(dir, "SELECT count(DISTINCT user_id) FROM "
	    "replies"), 1);
	/* Someone else is someone else. */
	assert_int_equal(store_streak_at(st, "anon", "anon", "U0OTHER",
	    1774915200, &streak), 0);
	assert_int_equal(streak, 0);
	assert_int_equal(store_forget(st, "U0SECRETID", NULL, &n), 0);
	assert_int_equal(n, 3);
	store_close(st);
	assert_int_equal(sql_int(dir, "SELECT count(*) FROM replies"), 0);
}

/* An event's id is kept once per channel and person, with its context line. */
static void
test_event_ids_are_unique_per_channel_and_person(void **state)
{
	const char *dir = *state;
	struct store_delivery d = { .schedule = "review", .channel = "team",
	    .prompt_id = "reflection-001", .due_at = 1774742400,
	    .state = STORE_PENDING, .cycle = 1, .person = "ada" };
	struct store_event_row *rows;
	struct store_outbox_row *due;
	char *cause = NULL;
	struct store *st = store_engine_open(dir, &cause);
	int64_t ada, ben, other;
	size_t n;

	assert_non_null(st);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_enqueue(st, &d, &ada), 1);
	assert_int_equal(store_set_event(st, ada, "rel-1", "release 1"), 0);
	d.person = "ben";
	assert_int_equal(store_enqueue(st, &d, &ben), 1);
	assert_int_equal(store_set_event(st, ben, "rel-1", "release 1"), 0);
	/* The same id on another channel is another event. */
	d.channel = "other";
	d.schedule = "elsewhere";
	assert_int_equal(store_enqueue(st, &d, &other), 1);
	assert_int_equal(store_set_event(st, other, "rel-1", NULL), 0);
	/* A second nudge of Ada's under the same id on the channel: no. */
	d.channel = "team";
	d.schedule = "review";
	d.person = "ada";
	d.due_at++;
	assert_int_equal(store_enqueue(st, &d, &other), 1);
	assert_int_equal(store_set_event(st, other, "rel-1", NULL), -1);
	store_rollback(st);

	assert_int_equal(store_begin(st), 0);
	d.due_at--;
	assert_int_equal(store_enqueue(st, &d, &ada), 1);
	assert_int_equal(store_set_event(st, ada, "rel-1", "release 1"), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_event_deliveries(st, "team", "rel-1", &rows, &n),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, ada);
	assert_string_equal(rows[0].schedule, "review");
	assert_string_equal(rows[0].person, "ada");
	assert_int_equal(strlen(rows[0].reply_code), 4);
	store_event_rows_free(rows, n);
	assert_int_equal(store_event_deliveries(st, "team", "rel-2", &rows, &n),
	    0);
	assert_int_equal(n, 0);
	store_event_rows_free(rows, n);
	/* The outbox hands compose the context line. */
	assert_int_equal(store_due(st, 1774742400, 0, 0, 10, &due, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(due[0].context, "release 1");
	store_outbox_free(due, n);
	store_close(st);
}

/*
 * Instances started together on a new PostgreSQL store: one migrates, the
 * others wait for it and find the schema done; none fails.
 */
static void
test_instances_migrate_one_at_a_time(void **state)
{
	const char *conninfo = store_engine_pg(*state);
	char *cause = NULL;
	struct store *st;
	pid_t pids[4];
	int status;

	assert_non_null(conninfo);
	for (size_t i = 0; i < 4; i++) {
		if ((pids[i] = fork()) == 0) {
			st = store_open_postgresql(conninfo, &cause);
			if (st == NULL)
				fprintf(stderr, "instance %zu: %s\n", i, cause);
			store_close(st);
			_exit(st != NULL ? 0 : 1);
		}
		assert_true(pids[i] > 0);
	}
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	st = store_open_postgresql(conninfo, &cause);
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), store_latest_version());
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_event_ids_are_unique_per_channel_and_person, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_new_store_is_migrated_private_and_wal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_version_and_rows,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_enqueue_is_idempotent_per_schedule_and_instant, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_last_instant_never_moves_back,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollback_discards, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_reply_code_lookup_reads_one_nudge, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_old_database_is_migrated_with_its_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_version_6_kinds_become_rows_of_their_schedule, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_people_rows, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_second_lock_is_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_unwritable_state_dir_is_a_clear_error, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_anonymous_channel_keeps_no_id_or_name, setup, teardown),
		/* The same on the PostgreSQL store several instances share. */
		PG_TEST(test_event_ids_are_unique_per_channel_and_person),
		PG_TEST(test_reopen_keeps_version_and_rows),
		PG_TEST(test_enqueue_is_idempotent_per_schedule_and_instant),
		PG_TEST(test_last_instant_never_moves_back),
		PG_TEST(test_rollback_discards),
		PG_TEST(test_people_rows),
		PG_TEST(test_instances_migrate_one_at_a_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
