/* SPDX-License-Identifier: ISC */
/*
 * The scheduler in the real daemon: an instant due while it was down is
 * enqueued once at start, delivered, and a restart does not enqueue it
 * again; after downtime only the newest missed instant is caught up and the
 * others are recorded as skipped; a miss older than catch_up is not sent.
 *
 * No test here waits for a minute boundary: that the scheduler's timer wakes
 * it at the instant itself, and the schedule rules on every kind of day, are
 * tested on an injected clock in test_schedule.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "store.h"

struct fixture {
	char	*dir;
	char	*config;
	char	*state;
	int	 port;
};

/* Write a config with one console schedule. */
static void
write_config(struct fixture *f, const char *cron, const char *catch_up)
{
	char *cwd = getcwd(NULL, 0);
	char *text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", \"channels\": "
	    "{\"demo\": {\"platform\": \"console\"}}, \"schedules\": "
	    "[{\"name\": \"s\", \"cron\": \"%s\", \"channel\": \"demo\", "
	    "\"catch_up\": \"%s\"}]}", f->port, cwd, cron, catch_up);

	harness_write(f->config, text);
	free(text);
	free(cwd);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->dir = harness_tmpdir();
	f->config = harness_format("%s/nudged.json", f->dir);
	f->state = harness_format("%s/state", f->dir);
	f->port = harness_free_port();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	harness_rmdir(f->dir);
	free(f->config);
	free(f->state);
	free(f->dir);
	free(f);
	return 0;
}




/* Keep clear of the last seconds of a minute, so a start does not straddle two. */
static void
avoid_minute_end(int last_seconds)
{
	while (time(NULL) % 60 >= 60 - last_seconds)
		sleep(1);
}

/* Seed a schedule's last processed instant, as if nudged ran until then. */
static void
seed_last_instant(struct fixture *f, int64_t at)
{
	char *cause = NULL;
	struct store *st = store_open(f->state, &cause);

	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_set_last_instant(st, "s", at), 0);
	store_close(st);
}

static void
test_due_instant_is_enqueued_once(void **state)
{
	struct fixture *f = *state;
	struct harness_proc p;
	int64_t due;
	char *sql;

	write_config(f, "* * * * *", "1h");
	avoid_minute_end(5);
	/* Last processed the minute before: this minute's instant is due. */
	due = time(NULL) / 60 * 60;
	seed_last_instant(f, due - 60);
	harness_serve_start(&p, f->config);
	if (harness_wait_output(&p, "enqueued delivery", 10000) != 0)
		fail_msg("nothing enqueued at start:\n%s", p.out);
	assert_int_equal(harness_count(&p, "enqueued delivery"), 1);
	/* The console channel prints the nudge at once: the row ends up sent. */
	if (harness_wait_output(&p, "sent to channel demo (stdout)",
	    10000) != 0)
		fail_msg("not delivered:\n%s", p.out);
	assert_non_null(strstr(p.out, "answer: POST /api/v1/replies "
	    "{\"channel\": \"demo\", \"code\": \""));
	harness_serve_stop(&p);

	sql = harness_format("SELECT count(*) FROM deliveries WHERE schedule = "
	    "'s' AND due_at = %lld AND state = 'sent' AND attempts = 1 AND "
	    "prompt_id IS NOT NULL AND cycle = 1 AND length(reply_code) = 4",
	    (long long)due);
	assert_int_equal(harness_db_int(f->state, "%s", sql), 1);
	assert_int_equal(harness_db_int(f->state,
	    "SELECT count(*) FROM deliveries"), 1);

	/* A restart within the same minute never enqueues it a second time. */
	harness_serve_start(&p, f->config);
	harness_serve_stop(&p);
	assert_int_equal(harness_db_int(f->state, "%s", sql), 1);
	assert_int_equal(harness_db_int(f->state,
	    "SELECT last_instant FROM schedule_state WHERE "
	    "schedule = 's'"), due);
	free(sql);
}

static void
test_only_the_newest_miss_is_caught_up(void **state)
{
	struct fixture *f = *state;
	struct harness_proc p;
	int64_t now, newest, ten_ago;
	char *sql;

	write_config(f, "* * * * *", "1h");
	/*
	 * Stay clear of both edges of a minute: near the end the daemon may
	 * start in the next one; in the first seconds the newest instant is
	 * barely late and rightly counts as on time, not as caught up.
	 */
	avoid_minute_end(5);
	while (time(NULL) % 60 < 3)
		sleep(1);
	now = time(NULL);
	newest = now / 60 * 60;
	ten_ago = newest - 600;
	seed_last_instant(f, ten_ago);
	harness_serve_start(&p, f->config);
	assert_non_null(strstr(p.out, "caught up"));
	assert_non_null(strstr(p.out, "9 instants"));
	harness_serve_stop(&p);
	sql = harness_format("SELECT count(*) FROM deliveries WHERE due_at = %lld "
	    "AND state = 'sent'", (long long)newest);
	assert_int_equal(harness_db_int(f->state, "%s", sql), 1);
	free(sql);
	sql = harness_format("SELECT count(*) FROM deliveries WHERE due_at > %lld "
	    "AND due_at < %lld AND state = 'skipped' AND reason LIKE 'missed:%%'",
	    (long long)ten_ago, (long long)newest);
	assert_int_equal(harness_db_int(f->state, "%s", sql), 9);
	free(sql);
}

static void
test_a_miss_beyond_catch_up_is_skipped(void **state)
{
	struct fixture *f = *state;
	struct harness_proc p;
	int64_t now;

	write_config(f, "0 0 1 1 *", "1h");
	now = time(NULL);
	/* Last processed a year ago: New Year's instant is long past catch_up. */
	seed_last_instant(f, now - 366 * 86400);
	harness_serve_start(&p, f->config);
	harness_serve_stop(&p);
	assert_int_equal(harness_db_int(f->state,
	    "SELECT count(*) FROM deliveries WHERE state "
	    "IN ('pending', 'sending', 'sent')"), 0);
	assert_int_equal(harness_db_int(f->state,
	    "SELECT count(*) FROM deliveries WHERE state = "
	    "'skipped' AND reason LIKE '%%more than catch_up%%'"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_only_the_newest_miss_is_caught_up,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_miss_beyond_catch_up_is_skipped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_due_instant_is_enqueued_once,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
