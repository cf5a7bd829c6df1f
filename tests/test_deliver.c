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
#include "harness.h"
#include "schedule.h"
#include "sink.h"
#include "sink_fixture.h"
#include "store.h"

/* A worker under test and everything it runs on. */
struct world {
	struct sink_fixture	*f;
	struct config		*cfg;
	struct bank		*bank;
	struct store		*st;
	struct event_base	*base;
	struct clock_fake	 clock;
	int64_t			 now;	/* the fake clock's start, in seconds */
	struct deliver		*d;
	int			 done;	/* `nudged send`'s completions */
	enum deliver_result	 result;
};

static void	world_open(struct world *, struct sink_fixture *, const char *,
		    const char *, const char *);
static void	world_start(struct world *);
static void	world_close(struct world *);
static int64_t	world_seed(struct world *, const char *, const char *,
		    int64_t, enum store_kind);
static void	world_tick(struct world *, int);
static void	world_wait(struct world *, long long, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	world_advance(struct world *, int64_t);
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
	char *text, *cause = NULL;

	memset(w, 0, sizeof *w);
	w->f = f;
	while (strstr(ch, "SINK") != NULL)
		ch = harness_replace(ch, "SINK", sink);
	text = harness_format("{\"state_dir\": \"state\", \"prompts\": "
	    "\"%s/prompts\", \"channels\": {%s}, \"delivery\": {\"timeout\": "
	    "\"2s\", \"connect_timeout\": \"2s\", \"retry_initial\": \"10s\", "
	    "\"stop_grace\": \"1s\"%s}, \"schedules\": [{\"name\": \"s\", "
	    "\"cron\": \"0 0 1 1 *\", \"channel\": \"a\", \"themes\": "
	    "[\"coaching\"]%s}]}", cwd, ch, delivery[0] != '\0' ? delivery :
	    ", \"retry_max\": \"1m\"", schedule);
	harness_write(f->config, text);
	if ((w->cfg = config_load(f->config, &cause)) == NULL ||
	    (w->bank = bank_load_for(w->cfg, &cause)) == NULL ||
	    (w->st = store_open(f->state, &cause)) == NULL)
		fail_msg("%s", cause);
	w->now = clock_now(clock_system());
	clock_fake_init(&w->clock, w->now * 1000);
	w->base = event_base_new();
	free(text);
	free(ch);
	free(sink);
	free(cwd);
}

/* Start the daemon's worker on the fake clock. */
static void
world_start(struct world *w)
{
	char *cause = NULL;

	if ((w->d = deliver_start(w->base, w->st, w->cfg, w->bank,
	    &w->clock.clock, &cause)) == NULL)
		fail_msg("%s", cause);
}

/* Free the world (the fixture removes its folder). */
static void
world_close(struct world *w)
{
	deliver_free(w->d);
	event_base_free(w->base);
	store_close(w->st);
	bank_free(w->bank);
	config_free(w->cfg);
}

/* Add one pending row of schedule s due at an instant, as the scheduler would. */
static int64_t
world_seed(struct world *w, const char *schedule, const char *channel,
    int64_t due_at, enum store_kind kind)
{
	struct store_delivery d = { .schedule = schedule, .channel = channel,
	    .prompt_id = kind == STORE_KIND_DIGEST ? NULL : "coaching-001",
	    .cycle = 1, .due_at = due_at, .state = STORE_PENDING, .kind = kind };
	int64_t id = 0;

	assert_int_equal(store_begin(w->st), 0);
	assert_int_equal(store_enqueue(w->st, &d, &id), 1);
	assert_int_equal(store_commit(w->st), 0);
	return id;
}

/* Run the loop for about ms of real time (the fake clock stands still). */
static void
world_tick(struct world *w, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(w->base, &tv);
	event_base_dispatch(w->base);
}

/* Run the loop until a query of the store gives want (5 s at most). */
static void
world_wait(struct world *w, long long want, const char *fmt, ...)
{
	char *sql;
	va_list ap;
	long long got = -1;

	va_start(ap, fmt);
	if (vasprintf(&sql, fmt, ap) < 0)
		abort();
	va_end(ap);
	for (int i = 0; i < 500; i++) {
		if ((got = harness_db_int(w->f->state, "%s", sql)) == want)
			break;
		world_tick(w, 10);
	}
	if (got != want)
		fail_msg("%s gives %lld, not %lld", sql, got, want);
	free(sql);
}

/* Move the fake clock on and tell the worker to look. */
static void
world_advance(struct world *w, int64_t ms)
{
	clock_fake_advance(&w->clock, ms);
	deliver_kick(w->d);
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
		world_seed(&w, "s", "a", w.now - i, STORE_KIND_PROMPT);
	world_start(&w);
	world_wait(&w, 3, "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent' AND attempts = 1 AND sent_at = %lld", (long long)w.now);
	world_tick(&w, 50);
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 3);
	world_close(&w);
}

/* A 500 is retried after a full-jitter backoff within retry_initial, not before. */
static void
test_retry_with_backoff(void **state)
{
	struct world w;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/flaky/1/x\"}", "", "");
	world_seed(&w, "s", "a", w.now, STORE_KIND_PROMPT);
	world_start(&w);
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE state = "
	    "'pending' AND attempts = 1 AND last_error LIKE '%%HTTP 500%%' AND "
	    "next_attempt_at BETWEEN %lld AND %lld", (long long)w.now,
	    (long long)w.now + 10);
	/* However long the real wait, the fake clock has not moved. */
	world_tick(&w, 100);
	if (harness_db_int(w.f->state, "SELECT next_attempt_at FROM "
	    "deliveries") > w.now)
		assert_int_equal(sink_count(&w.f->sink, "/flaky"), 1);
	world_advance(&w, 10000);
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent' AND attempts = 2");
	assert_int_equal(sink_count(&w.f->sink, "/flaky"), 2);
	world_close(&w);
}

/* Retry-After: 7 waits exactly 7 s of the clock. */
static void
test_retry_after_honoured(void **state)
{
	struct world w;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/retry-header/1/7\"}", "", "");
	world_seed(&w, "s", "a", w.now, STORE_KIND_PROMPT);
	world_start(&w);
	world_wait(&w, w.now + 7, "SELECT next_attempt_at FROM deliveries "
	    "WHERE state = 'pending' AND attempts = 1");
	world_advance(&w, 6999);
	world_tick(&w, 100);
	assert_int_equal(sink_count(&w.f->sink, "/retry-header"), 1);
	world_advance(&w, 1);
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent' AND attempts = 2");
	world_close(&w);
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
	world_seed(&w, "s", "a", w.now, STORE_KIND_PROMPT);
	world_seed(&w, "s", "b", w.now - 1, STORE_KIND_PROMPT);
	world_seed(&w, "s", "c", w.now - 2, STORE_KIND_PROMPT);
	world_start(&w);
	world_wait(&w, 2, "SELECT count(*) FROM deliveries WHERE state = "
	    "'pending' AND attempts = 1 AND next_attempt_at = %lld",
	    (long long)w.now + 30);
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE channel = "
	    "'c' AND attempts = 1 AND next_attempt_at <= %lld",
	    (long long)w.now + 10);
	world_advance(&w, 30000);
	world_wait(&w, 3, "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent' AND attempts = 2");
	world_close(&w);
}

/* Past its expiry a row fails unposted; a wait that would pass it gives up. */
static void
test_expiry(void **state)
{
	struct world w;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/retry-header/5/600\"}", "", ", \"expiry\": "
	    "\"1m\"");
	world_seed(&w, "s", "a", w.now - 61, STORE_KIND_PROMPT);
	world_seed(&w, "s", "a", w.now, STORE_KIND_PROMPT);
	world_start(&w);
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE state = "
	    "'failed' AND attempts = 0 AND reason LIKE 'expired: not sent "
	    "within 60 s%%'");
	/* Retry-After 600 is clamped to retry_max (60 s): past the expiry too. */
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE state = "
	    "'failed' AND attempts = 1 AND reason LIKE 'gave up after 1 "
	    "attempt: the nudge expires 60 s after its time; last error: %%429%%'");
	assert_int_equal(sink_count(&w.f->sink, "/retry-header"), 1);
	world_close(&w);
}

/* A permanent failure fails at once with the platform's reason. */
static void
test_permanent_failure(void **state)
{
	struct world w;

	world_open(&w, *state, "\"a\": {\"platform\": \"slack\", "
	    "\"webhook\": \"SINK/status/410/no_service\"}", "", "");
	world_seed(&w, "s", "a", w.now, STORE_KIND_PROMPT);
	world_start(&w);
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE state = "
	    "'failed' AND attempts = 1 AND reason LIKE '%%HTTP 410%%'");
	world_advance(&w, 3600 * 1000);
	world_tick(&w, 50);
	assert_int_equal(sink_count(&w.f->sink, "/status/410"), 1);
	world_close(&w);
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
		world_seed(&w, "s", "a", w.now - i, STORE_KIND_PROMPT);
		world_seed(&w, "t", "b", w.now - i, STORE_KIND_PROMPT);
	}
	world_start(&w);
	world_wait(&w, 4, "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent'");
	assert_int_equal(sink_count(&w.f->sink, "/ok/b"), 3);
	/* Real time passing gives no token: only the clock does. */
	world_tick(&w, 300);
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 1);
	world_advance(&w, 999);
	world_tick(&w, 50);
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 1);
	world_advance(&w, 1);
	world_wait(&w, 5, "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent'");
	world_advance(&w, 1000);
	world_wait(&w, 6, "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent'");
	world_close(&w);
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
	gone.due_at = w.now - 2;
	assert_int_equal(store_begin(w.st), 0);
	assert_int_equal(store_enqueue(w.st, &gone, NULL), 1);
	assert_int_equal(store_commit(w.st), 0);
	world_seed(&w, "s", "nowhere", w.now - 1, STORE_KIND_PROMPT);
	world_seed(&w, "s", "a", w.now, STORE_KIND_PROMPT);
	world_start(&w);
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE state = "
	    "'failed' AND attempts = 0 AND reason = 'prompt \"no-such-prompt\" "
	    "is no longer in the prompt bank'");
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE state = "
	    "'failed' AND attempts = 0 AND reason = 'channel \"nowhere\" is no "
	    "longer configured'");
	/* The good row takes the one token the failed one gave back. */
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent'");
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 1);
	world_close(&w);
}

/* A row left in `sending` by a crash is sent again at start. */
static void
test_recovers_sending_at_start(void **state)
{
	struct world w;
	int64_t id;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/ok/a\"}", "", "");
	id = world_seed(&w, "s", "a", w.now, STORE_KIND_PROMPT);
	assert_int_equal(store_begin(w.st), 0);
	assert_int_equal(store_mark_sending(w.st, id, w.now), 1);
	assert_int_equal(store_commit(w.st), 0);
	world_start(&w);
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent' AND attempts = 2");
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 1);
	world_close(&w);
}

/* A digest whose figures cannot be read is retried, never posted as "no answers". */
static void
test_digest_failure_is_retried(void **state)
{
	struct world w;
	cJSON *reqs;

	world_open(&w, *state, "\"a\": {\"platform\": \"webhook\", "
	    "\"webhook\": \"SINK/ok/a\"}", "", "");
	world_seed(&w, "s", "a", w.now, STORE_KIND_DIGEST);
	world_sql(&w, "ALTER TABLE replies RENAME TO replies_away");
	world_start(&w);
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE kind = "
	    "'digest' AND state = 'pending' AND attempts = 1 AND last_error "
	    "LIKE 'the digest''s figures could not be read%%' AND "
	    "next_attempt_at <= %lld", (long long)w.now + 10);
	world_tick(&w, 100);
	assert_int_equal(sink_count(&w.f->sink, "/ok/a"), 0);
	/* Once the store reads again, the digest goes out. */
	world_sql(&w, "ALTER TABLE replies_away RENAME TO replies");
	world_advance(&w, 10000);
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent' AND attempts = 2");
	reqs = sink_requests(&w.f->sink, "/ok/a");
	assert_int_equal(cJSON_GetArraySize(reqs), 1);
	assert_non_null(strstr(cJSON_GetObjectItem(cJSON_GetArrayItem(reqs, 0),
	    "body")->valuestring, "nudge.digest"));
	cJSON_Delete(reqs);
	world_close(&w);
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
	world_seed(&w, "s", "a", w.now - 5, STORE_KIND_PROMPT);
	assert_int_equal(schedule_enqueue_now(w.st, w.bank,
	    config_find_schedule(w.cfg, "s"), NULL, w.now - 5, NULL, &id, &cause),
	    1);
	/* The instant taken was free: the next second. */
	assert_int_equal(harness_db_int(w.f->state, "SELECT due_at FROM "
	    "deliveries WHERE id = %lld", (long long)id), w.now - 4);
	if ((w.d = deliver_start_one(w.base, w.st, w.cfg, w.bank,
	    &w.clock.clock, id, world_done_cb, &w, &cause)) == NULL)
		fail_msg("%s", cause);
	world_wait(&w, w.now + 3, "SELECT next_attempt_at FROM deliveries "
	    "WHERE id = %lld AND state = 'sending' AND attempts = 1",
	    (long long)id);
	assert_int_equal(w.done, 0);
	world_advance(&w, 3000);
	world_wait(&w, 1, "SELECT count(*) FROM deliveries WHERE id = %lld AND "
	    "state = 'sent' AND attempts = 2", (long long)id);
	world_tick(&w, 50);
	assert_int_equal(w.done, 1);
	assert_int_equal(w.result, DELIVER_SENT);
	assert_int_equal(sink_count(&w.f->sink, "/retry-header"), 2);
	assert_int_equal(harness_db_int(w.f->state, "SELECT count(*) FROM "
	    "deliveries WHERE state = 'pending' AND attempts = 0"), 1);
	world_close(&w);
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
