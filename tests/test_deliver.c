/* SPDX-License-Identifier: ISC */
/*
 * The outbox state machine on a hand-held clock: claims, success, retries
 * with backoff, Retry-After honoured and clamped, expiry, permanent failure,
 * rows that can never be sent, per-channel rate spacing, recovery of `sending` at start, a digest whose
 * figures cannot be read, and `nudged send`'s completion. deliver runs in
 * this process on its own loop, posting to the local sink (a child process
 * on 127.0.0.1) through the real libcurl path; the fake clock decides what
 * is due and when a token is back, and the test moves it and kicks the
 * worker instead of waiting, so every test takes milliseconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/event.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bank.h"
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "deliver_fixture.h"
#include "harness.h"
#include "schedule.h"
#include "sink.h"
#include "sink_fixture.h"
#include "store.h"

/* A worker under test and everything it runs on. */
struct world {
	struct deliver_fixture	 fx;
	struct sink_fixture	*f;
	int			 done;	/* `nudged send`'s completions */
	enum deliver_result	 result;
};

static void	world_open(struct world *, struct sink_fixture *, const char *,
		    const char *, const char *);
static int64_t	world_seed(struct world *, const char *, const char *,
		    int64_t, enum store_kind);
static void	world_sql(struct world *, const char *);
static void	world_done_cb(void *, enum deliver_result, const char *);

/*
 * Write and load a config: channels is the inside of "channels", with SINK
 * standing for the sink's URL; one schedule "s" on channel "a" that never
 * fires by itself, with extra schedule keys; delivery settings beyond the
 * timeouts and retry_initial (10 s), or retry_max 1 min when "". The
 * clock starts at the current whole second (the store stamps rows with the
 * real time, so the fake one must not be behind it).
 */
static void
world_open(struct world *w, struct sink_fixture *f, const char *channels,
    const char *delivery, const char *schedule)
{
	char *cwd = getcwd(NULL, 0), *sink = harness_format("http://127.0.0.1:%d",
	    f->sink.port), *ch = strdup(channels);
	char *text;

	memset(w, 0, sizeof *w);
	w->f = f;
	w->fx.config = strdup(f->config);
	w->fx.state = strdup(f->state);
	while (strstr(ch, "SINK") != NULL)
		ch = harness_replace(ch, "SINK", sink);
	text = harness_format("{\"state_dir\": \"state\", \"prompts\": "
	    "\"%s/prompts\", \"channels\": {%s}, \"delivery\": {\"timeout\": "
	    "\"2s\", \"connect_timeout\": \"2s\", \"retry_initial\": \"10s\", "
	    "\"stop_grace\": \"1s\"%s}, \"schedules\": [{\"name\": \"s\", "
	    "\"cron\": \"0 0 1 1 *\", \"channel\": \"a\", \"themes\": "
	    "[\"coaching\"]%s}]}", cwd, ch, delivery[0] != '\0' ? delivery :
	    ", \"retry_max\": \"1m\"", schedule);
	deliver_fixture_load(&w->fx, text, clock_now(clock_system()));
	free(text);
	free(ch);
	free(sink);
	free(cwd);
}

/* Add one pending row of schedule s due at an instant, as the scheduler would. */
static int64_t
world_seed(struct world *w, const char *schedule, const char *channel,
    int64_t due_at, enum store_kind kind)
{
	struct store_delivery d = { .schedule = schedule, .channel = channel,
	    .prompt_id = kind == STORE_KIND_DIGEST ? NULL : "coaching-001",
	    .cycle = 1, .due_at = due_at, .state = STORE_PENDING, .kind = kind };

	return deliver_fixture_seed(&w->fx, &d);
}

/* Change the database behind the worker's back. */
static void
world_sql(struct world *w, const char *sql)
{
	char *path = harness_format("%s/%s", w->f->state, STORE_FILE);
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
	free(path);
}

/* Due rows are claimed and posted once each, and marked sent at the clock's time. */
static void
test_claims_and_success(void **state)
{
	struct world w;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/ok/a\", \"rate\": 0}", "", "");
	for (int i = 0; i < 3; i++)
		world_seed(&w, "s", "a", w.fx.now - i, STORE_KIND_PROMPT);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 3, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent' AND attempts = 1 AND sent_at = %lld",
	    (long long)w.fx.now);
	deliver_fixture_tick(&w.fx, 50);
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 3);
	deliver_fixture_close(&w.fx);
}

/* A 500 is retried after a full-jitter backoff within retry_initial, not before. */
static void
test_retry_with_backoff(void **state)
{
	struct world w;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/flaky/1/x\"}", "", "");
	world_seed(&w, "s", "a", w.fx.now, STORE_KIND_PROMPT);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'pending' AND attempts = 1 AND last_error LIKE '%%HTTP "
	    "500%%' AND next_attempt_at BETWEEN %lld AND %lld",
	    (long long)w.fx.now,
	    (long long)w.fx.now + 10);
	/* However long the real wait, the fake clock has not moved. */
	deliver_fixture_tick(&w.fx, 100);
	if (harness_db_int(w.f->state, "SELECT next_attempt_at FROM "
	    "deliveries") > w.fx.now)
		assert_int_equal(sink_count(&w.f->sink, "/flaky"), 1);
	deliver_fixture_advance(&w.fx, 10000);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent' AND attempts = 2");
	assert_int_equal(sink_count(&w.f->sink, "/flaky"), 2);
	deliver_fixture_close(&w.fx);
}

/* Retry-After: 7 waits exactly 7 s of the clock. */
static void
test_retry_after_honoured(void **state)
{
	struct world w;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/retry-header/1/7\"}", "", "");
	world_seed(&w, "s", "a", w.fx.now, STORE_KIND_PROMPT);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, w.fx.now + 7, "SELECT next_attempt_at "
	    "FROM deliveries WHERE state = 'pending' AND attempts = 1");
	deliver_fixture_advance(&w.fx, 6999);
	deliver_fixture_tick(&w.fx, 100);
	assert_int_equal(sink_count(&w.f->sink, "/retry-header"), 1);
	deliver_fixture_advance(&w.fx, 1);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent' AND attempts = 2");
	deliver_fixture_close(&w.fx);
}

/* Huge Retry-After values (issue 14) wait retry_max, never overflow; garbage is backoff. */
static void
test_retry_after_clamped(void **state)
{
	struct world w;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/retry-header/1/9223372036854775\"}, "
	    "\"b\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"SINK/retry-header/1/99999999999999999999\"}, \"c\": "
	    "{\"platform\": \"webhook\", \"webhook\": "
	    "\"SINK/retry-header/1/-5\"}", ", \"retry_max\": \"30s\"", "");
	world_seed(&w, "s", "a", w.fx.now, STORE_KIND_PROMPT);
	world_seed(&w, "s", "b", w.fx.now - 1, STORE_KIND_PROMPT);
	world_seed(&w, "s", "c", w.fx.now - 2, STORE_KIND_PROMPT);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'pending' AND attempts = 1 AND next_attempt_at = %lld",
	    (long long)w.fx.now + 30);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "channel = 'c' AND attempts = 1 AND next_attempt_at <= %lld",
	    (long long)w.fx.now + 10);
	deliver_fixture_advance(&w.fx, 30000);
	deliver_fixture_wait(&w.fx, 3, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent' AND attempts = 2");
	deliver_fixture_close(&w.fx);
}

/* Past its expiry a row fails unposted; a wait that would pass it gives up. */
static void
test_expiry(void **state)
{
	struct world w;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/retry-header/5/600\"}", "", ", \"expiry\": "
	    "\"1m\"");
	world_seed(&w, "s", "a", w.fx.now - 61, STORE_KIND_PROMPT);
	world_seed(&w, "s", "a", w.fx.now, STORE_KIND_PROMPT);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'failed' AND attempts = 0 AND reason LIKE 'expired: not "
	    "sent within 60 s%%'");
	/* Retry-After 600 is clamped to retry_max (60 s): past the expiry too. */
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'failed' AND attempts = 1 AND reason LIKE 'gave up after "
	    "1 attempt: the nudge expires 60 s after its time; last error: "
	    "%%429%%'");
	assert_int_equal(sink_count(&w.f->sink, "/retry-header"), 1);
	deliver_fixture_close(&w.fx);
}

/* A permanent failure fails at once with the platform's reason. */
static void
test_permanent_failure(void **state)
{
	struct world w;

	world_open(&w, *state, "\"a\": {\"platform\": \"slack\", "
	    "\"webhook\": \"SINK/status/410/no_service\"}", "", "");
	world_seed(&w, "s", "a", w.fx.now, STORE_KIND_PROMPT);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'failed' AND attempts = 1 AND reason LIKE '%%HTTP 410%%'");
	deliver_fixture_advance(&w.fx, 3600 * 1000);
	deliver_fixture_tick(&w.fx, 50);
	assert_int_equal(sink_count(&w.f->sink, "/status/410"), 1);
	deliver_fixture_close(&w.fx);
}

/* A channel of rate 1 posts once a second of the clock; another is not held back. */
static void
test_rate_limit_spacing(void **state)
{
	struct world w;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/ok/a\", \"rate\": 1}, \"b\": {\"platform\": "
	    "\"webhook\", \"webhook\": \"SINK/ok/b\", \"rate\": 0}", "", "");
	for (int i = 0; i < 3; i++) {
		world_seed(&w, "s", "a", w.fx.now - i, STORE_KIND_PROMPT);
		world_seed(&w, "t", "b", w.fx.now - i, STORE_KIND_PROMPT);
	}
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 4, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	assert_int_equal(sink_count(&w.f->sink, "/ok/b"), 3);
	/* Real time passing gives no token: only the clock does. */
	deliver_fixture_tick(&w.fx, 300);
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 1);
	deliver_fixture_advance(&w.fx, 999);
	deliver_fixture_tick(&w.fx, 50);
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 1);
	deliver_fixture_advance(&w.fx, 1);
	deliver_fixture_wait(&w.fx, 5, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	deliver_fixture_advance(&w.fx, 1000);
	deliver_fixture_wait(&w.fx, 6, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	deliver_fixture_close(&w.fx);
}

/*
 * A row that can never be composed (its prompt left the bank) or whose
 * channel is gone fails at once, unposted, and costs its channel no token.
 */
static void
test_unsendable_rows_fail_at_once(void **state)
{
	struct world w;
	struct store_delivery gone = { .schedule = "s", .channel = "a",
	    .prompt_id = "no-such-prompt", .cycle = 1, .state = STORE_PENDING };

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/ok/a\", \"rate\": 1}", "", "");
	gone.due_at = w.fx.now - 2;
	assert_int_equal(store_begin(w.fx.st), 0);
	assert_int_equal(store_enqueue(w.fx.st, &gone, NULL), 1);
	assert_int_equal(store_commit(w.fx.st), 0);
	world_seed(&w, "s", "nowhere", w.fx.now - 1, STORE_KIND_PROMPT);
	world_seed(&w, "s", "a", w.fx.now, STORE_KIND_PROMPT);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'failed' AND attempts = 0 AND reason = 'prompt "
	    "\"no-such-prompt\" "
	    "is no longer in the prompt bank'");
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'failed' AND attempts = 0 AND reason = 'channel "
	    "\"nowhere\" is no "
	    "longer configured'");
	/* The good row takes the one token the failed one gave back. */
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 1);
	deliver_fixture_close(&w.fx);
}

/* A row left in `sending` by a crash is sent again at start. */
static void
test_recovers_sending_at_start(void **state)
{
	struct world w;
	int64_t id;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/ok/a\"}", "", "");
	id = world_seed(&w, "s", "a", w.fx.now, STORE_KIND_PROMPT);
	assert_int_equal(store_begin(w.fx.st), 0);
	assert_int_equal(store_mark_sending(w.fx.st, id, w.fx.now), 1);
	assert_int_equal(store_commit(w.fx.st), 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent' AND attempts = 2");
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 1);
	deliver_fixture_close(&w.fx);
}

/* A digest whose figures cannot be read is retried, never posted as "no answers". */
static void
test_digest_failure_is_retried(void **state)
{
	struct world w;
	cJSON *reqs;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/ok/a\"}", "", "");
	world_seed(&w, "s", "a", w.fx.now, STORE_KIND_DIGEST);
	world_sql(&w, "ALTER TABLE replies RENAME TO replies_away");
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "kind = 'digest' AND state = 'pending' AND attempts = 1 AND "
	    "last_error LIKE 'the digest''s figures could not be read%%' AND "
	    "next_attempt_at <= %lld", (long long)w.fx.now + 10);
	deliver_fixture_tick(&w.fx, 100);
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 0);
	/* Once the store reads again, the digest goes out. */
	world_sql(&w, "ALTER TABLE replies_away RENAME TO replies");
	deliver_fixture_advance(&w.fx, 10000);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent' AND attempts = 2");
	reqs = sink_requests(&w.f->sink, "/ok/a");
	assert_int_equal(cJSON_GetArraySize(reqs), 1);
	assert_non_null(strstr(cJSON_GetObjectItem(cJSON_GetArrayItem(reqs, 0),
	    "body")->valuestring, "nudge.digest"));
	cJSON_Delete(reqs);
	deliver_fixture_close(&w.fx);
}

/* `nudged send`'s completion. */
static void
world_done_cb(void *arg, enum deliver_result result, const char *reason)
{
	struct world *w = arg;

	(void)reason;
	w->done++;
	w->result = result;
}

/* `nudged send`: its own row only, held through a retry, one completion at the end. */
static void
test_send_one_completes_once(void **state)
{
	struct world w;
	char *cause = NULL;
	int64_t id = 0;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/retry-header/1/3\"}", "", "");
	/* Someone else's due row, which this worker leaves alone. */
	world_seed(&w, "s", "a", w.fx.now - 5, STORE_KIND_PROMPT);
	assert_int_equal(schedule_enqueue_now(w.fx.st, w.fx.bank,
	    config_find_schedule(w.fx.cfg, "s"), NULL, w.fx.now - 5, NULL,
	    &id, &cause),
	    1);
	/* The instant taken was free: the next second. */
	assert_int_equal(harness_db_int(w.f->state, "SELECT due_at FROM "
	    "deliveries WHERE id = %lld", (long long)id), w.fx.now - 4);
	if ((w.fx.d = deliver_start_one(w.fx.base, w.fx.st, w.fx.cfg, w.fx.bank,
	    &w.fx.clock.clock, id, world_done_cb, &w, &cause)) == NULL)
		fail_msg("%s", cause);
	deliver_fixture_wait(&w.fx, w.fx.now + 3, "SELECT next_attempt_at "
	    "FROM deliveries WHERE id = %lld AND state = 'sending' AND "
	    "attempts = 1",
	    (long long)id);
	assert_int_equal(w.done, 0);
	deliver_fixture_advance(&w.fx, 3000);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "id = %lld AND state = 'sent' AND attempts = 2", (long long)id);
	deliver_fixture_tick(&w.fx, 50);
	assert_int_equal(w.done, 1);
	assert_int_equal(w.result, DELIVER_SENT);
	assert_int_equal(sink_count(&w.f->sink, "/retry-header"), 2);
	assert_int_equal(harness_db_int(w.f->state, "SELECT count(*) FROM "
	    "deliveries WHERE state = 'pending' AND attempts = 0"), 1);
	deliver_fixture_close(&w.fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_claims_and_success,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_retry_with_backoff,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_retry_after_honoured,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_retry_after_clamped,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_expiry,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_permanent_failure,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit_spacing,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_unsendable_rows_fail_at_once,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_recovers_sending_at_start,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_digest_failure_is_retried,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_send_one_completes_once,
		    sink_fixture_setup, sink_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
