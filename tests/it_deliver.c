/* SPDX-License-Identifier: ISC */
/*
 * Delivery against a local webhook sink (127.0.0.1): every outcome ends in
 * the right state, with the right number of attempts and timing; `nudged
 * send`; expiry; rate limits; a slow channel never holds back another; a
 * stop with a request in flight leaves it pending; kill -9 during a fan-out
 * loses no nudge.
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
#include "sink.h"
#include "sink_fixture.h"
#include "store.h"

/*
 * Write a config: channels is the inside of "channels": {...}, with SINK
 * standing for http://127.0.0.1:PORT; one schedule "s" on channel "a" that
 * never fires by itself; extra delivery settings.
 */
static void
write_config(struct sink_fixture *f, const char *channels, const char *delivery)
{
	char *cwd = getcwd(NULL, 0), *sink = harness_format("http://127.0.0.1:%d",
	    f->sink.port), *ch = strdup(channels), *at, *text;

	while ((at = strstr(ch, "SINK")) != NULL) {
		char *next = harness_format("%.*s%s%s", (int)(at - ch), ch, sink,
		    at + 4);

		free(ch);
		ch = next;
	}
	text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", \"channels\": {%s}, "
	    "\"delivery\": {\"timeout\": \"1s\", \"connect_timeout\": \"1s\", "
	    "\"retry_initial\": \"1s\", \"retry_max\": \"2s\", \"stop_grace\": "
	    "\"1s\"%s}, \"schedules\": [{\"name\": \"s\", \"cron\": "
	    "\"0 0 1 1 *\", \"channel\": \"a\", \"themes\": [\"coaching\"]}]}",
	    f->port, cwd, ch, delivery);
	harness_write(f->config, text);
	free(text);
	free(ch);
	free(sink);
	free(cwd);
}


/* Add n pending deliveries due at due_at on a channel, as the scheduler would. */
static void
seed(struct sink_fixture *f, const char *channel, int n, int64_t due_at)
{
	char *cause = NULL;
	struct store *st = store_open(f->state, &cause);
	struct store_delivery d = { .schedule = "seeded", .channel = channel,
	    .prompt_id = "coaching-001", .state = STORE_PENDING, .cycle = 1 };
	char schedule[64];

	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_begin(st), 0);
	for (int i = 0; i < n; i++) {
		snprintf(schedule, sizeof schedule, "seeded-%s-%d", channel, i);
		d.schedule = schedule;
		d.due_at = due_at;
		assert_int_equal(store_enqueue(st, &d, NULL), 1);
	}
	assert_int_equal(store_commit(st), 0);
	store_close(st);
}

/* Run `nudged send s`; its exit code, output in *out. */
static int
send_once(struct sink_fixture *f, char **out)
{
	return harness_run((const char *[]){ harness_bin(), "send", "-c",
	    f->config, "s", NULL }, out);
}

/* Wait until a query returns want, at most ms; the last value. */
static int64_t
wait_for(struct sink_fixture *f, int64_t want, int ms, const char *sql)
{
	int64_t v = -1;

	for (int waited = 0; waited <= ms; waited += 100) {
		if ((v = harness_db_int(f->state, "%s", sql)) == want)
			break;
		usleep(100000);
	}
	return v;
}


/* The milliseconds field of the i-th recorded request with that prefix. */
static double
request_ms(struct sink_fixture *f, const char *prefix, int i)
{
	cJSON *all = sink_requests(&f->sink, prefix);
	double ms = cJSON_GetObjectItem(cJSON_GetArrayItem(all, i),
	    "ms")->valuedouble;

	cJSON_Delete(all);
	return ms;
}

static void
test_send_ok_posts_block_kit(void **state)
{
	struct sink_fixture *f = *state;
	cJSON *reqs, *body;
	char *out;

	write_config(f, "\"a\": {\"platform\": \"slack\", \"webhook\": "
	    "\"SINK/ok/slack\"}", "");
	assert_int_equal(send_once(f, &out), 0);
	assert_non_null(strstr(out, "delivery 1 (reply code "));
	assert_non_null(strstr(out, "delivery 1: sent"));
	/* Logs show the webhook's host, never its path. */
	assert_null(strstr(out, "/ok/slack"));
	free(out);
	reqs = sink_requests(&f->sink, "/ok/slack");
	assert_int_equal(cJSON_GetArraySize(reqs), 1);
	body = cJSON_Parse(cJSON_GetObjectItem(cJSON_GetArrayItem(reqs, 0),
	    "body")->valuestring);
	assert_non_null(body);
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(body, "blocks")));
	assert_true(cJSON_IsString(cJSON_GetObjectItem(body, "text")));
	cJSON_Delete(body);
	cJSON_Delete(reqs);
	assert_int_equal(harness_db_int(f->state,
	    "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent' AND attempts = 1 AND sent_at IS NOT NULL"), 1);
}

static void
test_send_gone_fails_at_once(void **state)
{
	struct sink_fixture *f = *state;
	char *out;

	write_config(f, "\"a\": {\"platform\": \"slack\", \"webhook\": "
	    "\"SINK/status/410/no_service\"}", "");
	assert_int_equal(send_once(f, &out), 3);
	assert_non_null(strstr(out, "failed"));
	assert_non_null(strstr(out, "HTTP 410"));
	free(out);
	assert_int_equal(sink_count(&f->sink, "/status/410"), 1);
	assert_int_equal(harness_db_int(f->state,
	    "SELECT count(*) FROM deliveries WHERE state = "
	    "'failed' AND attempts = 1 AND reason LIKE '%%HTTP 410%%'"), 1);
}

static void
test_send_retries_5xx_with_backoff(void **state)
{
	struct sink_fixture *f = *state;
	double gap1, gap2;
	char *out;

	write_config(f, "\"a\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"SINK/flaky/2/x\"}", "");
	assert_int_equal(send_once(f, &out), 0);
	free(out);
	assert_int_equal(sink_count(&f->sink, "/flaky/2/x"), 3);
	assert_int_equal(harness_db_int(f->state,
	    "SELECT attempts FROM deliveries"), 3);
	/* Full jitter within 1 s, then within 2 s, in whole seconds rounded up. */
	gap1 = request_ms(f, "/flaky", 1) - request_ms(f, "/flaky", 0);
	gap2 = request_ms(f, "/flaky", 2) - request_ms(f, "/flaky", 1);
	assert_true(gap1 > 0 && gap1 < 2500);
	assert_true(gap2 > 0 && gap2 < 3500);
}

static void
test_send_honours_retry_after(void **state)
{
	struct sink_fixture *f = *state;
	char *out;

	write_config(f, "\"a\": {\"platform\": \"discord\", \"webhook\": "
	    "\"SINK/retry-after/2/1\"}", "");
	assert_int_equal(send_once(f, &out), 0);
	free(out);
	assert_int_equal(sink_count(&f->sink, "/retry-after"), 2);
	/* Never sooner than the platform asked. */
	assert_true(request_ms(f, "/retry-after", 1) -
	    request_ms(f, "/retry-after", 0) >= 2000);
}

static void
test_hang_times_out_and_stop_leaves_it_pending(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;

	write_config(f, "\"a\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"SINK/hang/x\"}", "");
	seed(f, "a", 1, (int64_t)time(NULL));
	harness_serve_start(&p, f->config);
	/* 1 s timeout, then a backoff of at most 1 s: a second try within 4 s. */
	if (harness_wait_output(&p, "attempt 2:", 6000) != 0)
		fail_msg("no second attempt:\n%s", p.out);
	assert_non_null(strstr(p.out, "Timeout was reached"));
	assert_true(sink_count(&f->sink, "/hang") >= 2);
	/* Stop while a request hangs: after the grace it goes back to pending. */
	harness_wait_output(&p, "attempt 3", 3000);
	kill(p.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&p, 8000), 0);
	harness_kill(&p);
	assert_int_equal(harness_db_int(f->state,
	    "SELECT count(*) FROM deliveries WHERE state = "
	    "'pending' AND last_error LIKE '%%Timeout%%'"), 1);
}

static void
test_reset_is_retried(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;

	write_config(f, "\"a\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"SINK/reset/x\"}", "");
	seed(f, "a", 1, (int64_t)time(NULL));
	harness_serve_start(&p, f->config);
	if (harness_wait_output(&p, "attempt 2:", 6000) != 0)
		fail_msg("no second attempt:\n%s", p.out);
	kill(p.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&p, 8000), 0);
	harness_kill(&p);
	assert_int_equal(harness_db_int(f->state,
	    "SELECT count(*) FROM deliveries WHERE state = "
	    "'pending' AND attempts >= 2"), 1);
}

static void
test_expired_nudge_fails_without_posting(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;

	write_config(f, "\"a\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"SINK/ok/x\"}", "");
	seed(f, "a", 1, (int64_t)time(NULL) - 13 * 3600);
	harness_serve_start(&p, f->config);
	assert_int_equal(wait_for(f, 1, 5000, "SELECT count(*) FROM deliveries "
	    "WHERE state = 'failed' AND reason LIKE 'expired%'"), 1);
	kill(p.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&p, 8000), 0);
	harness_kill(&p);
	assert_int_equal(sink_count(&f->sink, "/ok"), 0);
}

static void
test_rate_limit_spaces_posts(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;
	double first, last;

	write_config(f, "\"a\": {\"platform\": \"webhook\", \"rate\": 4, "
	    "\"webhook\": \"SINK/ok/rated\"}", "");
	seed(f, "a", 6, (int64_t)time(NULL));
	harness_serve_start(&p, f->config);
	assert_int_equal(wait_for(f, 6, 8000, "SELECT count(*) FROM deliveries "
	    "WHERE state = 'sent'"), 6);
	kill(p.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&p, 8000), 0);
	harness_kill(&p);
	/* 4 a second with a bucket of one: six posts span at least 1.25 s. */
	first = request_ms(f, "/ok/rated", 0);
	last = request_ms(f, "/ok/rated", 5);
	assert_true(last - first >= 1200);
}

static void
test_slow_channel_does_not_hold_back_others(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;

	write_config(f, "\"a\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"SINK/hang/a\"}, \"b\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"SINK/ok/b\"}", ", \"max_in_flight\": 4");
	seed(f, "a", 8, (int64_t)time(NULL) - 5);
	seed(f, "b", 3, (int64_t)time(NULL));
	harness_serve_start(&p, f->config);
	assert_int_equal(wait_for(f, 3, 3000, "SELECT count(*) FROM deliveries "
	    "WHERE channel = 'b' AND state = 'sent'"), 3);
	kill(p.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&p, 8000), 0);
	harness_kill(&p);
}

static void
test_kill9_during_fanout_loses_nothing(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;
	cJSON *reqs, *r;
	char seen[301] = { 0 };
	int distinct = 0, total;

	write_config(f, "\"a\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"SINK/slow/30/fan\"}", ", \"max_in_flight\": 8");
	seed(f, "a", 300, (int64_t)time(NULL));
	harness_serve_start(&p, f->config);
	while (sink_count(&f->sink, "/slow") < 60)
		usleep(20000);
	kill(p.pid, SIGKILL);
	assert_int_equal(harness_wait_exit(&p, 5000), 128 + SIGKILL);
	harness_kill(&p);
	assert_true(harness_db_int(f->state,
	    "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent'") < 300);
	harness_serve_start(&p, f->config);
	assert_int_equal(wait_for(f, 300, 30000, "SELECT count(*) FROM "
	    "deliveries WHERE state = 'sent'"), 300);
	kill(p.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&p, 8000), 0);
	harness_kill(&p);
	/* Every delivery id reached the sink; only those in flight at the kill twice. */
	reqs = sink_requests(&f->sink, "/slow");
	total = cJSON_GetArraySize(reqs);
	cJSON_ArrayForEach(r, reqs) {
		cJSON *body = cJSON_Parse(cJSON_GetObjectItem(r,
		    "body")->valuestring);
		int id = (int)cJSON_GetObjectItem(body, "delivery_id")->valuedouble;

		assert_true(id >= 1 && id <= 300);
		distinct += !seen[id];
		seen[id] = 1;
		cJSON_Delete(body);
	}
	cJSON_Delete(reqs);
	assert_int_equal(distinct, 300);
	assert_true(total - distinct <= 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_send_ok_posts_block_kit,
		    sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_send_gone_fails_at_once,
		    sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_send_retries_5xx_with_backoff,
		    sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_send_honours_retry_after,
		    sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_hang_times_out_and_stop_leaves_it_pending, sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_reset_is_retried, sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_expired_nudge_fails_without_posting, sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit_spaces_posts,
		    sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_slow_channel_does_not_hold_back_others, sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_kill9_during_fanout_loses_nothing, sink_fixture_setup,
		    sink_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
