/* SPDX-License-Identifier: ISC */
/*
 * Nudges opened by an event (POST /api/v1/nudges) against the real daemon
 * and a local webhook sink, or the fake Slack Web API for people asked
 * directly: the nudge is posted at once with its context line above the
 * question; the same id again answers 200 with the same delivery and posts
 * nothing; every refusal (unknown schedule, wrong or missing token,
 * malformed, oversized or ambiguous bodies) has its status and enqueues
 * nothing; a schedule with "to" opens one nudge per person.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "sink.h"
#include "sink_fixture.h"
#include "slack_fake.h"
#include "slack_serve.h"

#define SLACK_TOKEN	"xoxb-events-test"

/* A sink world with a daemon serving it. */
struct world {
	struct sink_fixture	*f;
	struct harness_proc	 serve;
};

/*
 * Two webhook channels on the sink, each with its api_token, and three
 * schedules that never fire by themselves: "review" and "incidents" (which
 * names the incident-review track) on "team", "elsewhere" on "other".
 */
static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof *w);
	char *cwd = getcwd(NULL, 0), *text;

	if (sink_fixture_setup((void **)&w->f) != 0)
		return -1;
	text = harness_format("{\"state_dir\": \"%s\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", \"channels\": {"
	    "\"team\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/team\", \"api_token\": \"tok-team\"}, "
	    "\"other\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/other\", \"api_token\": \"tok-other\"}}, "
	    "\"schedules\": [{\"name\": \"review\", \"cron\": \"0 6 29 2 *\", "
	    "\"channel\": \"team\", \"themes\": [\"reflection\"]}, {\"name\": "
	    "\"incidents\", \"cron\": \"0 6 29 2 *\", \"channel\": \"team\", "
	    "\"track\": \"incident-review\", \"audience\": \"team\"}, "
	    "{\"name\": \"elsewhere\", \"cron\": \"0 6 29 2 *\", \"channel\": "
	    "\"other\", \"themes\": [\"coaching\"]}]}", w->f->state, w->f->port,
	    cwd, w->f->sink.port, w->f->sink.port);
	harness_write(w->f->config, text);
	free(text);
	free(cwd);
	harness_serve_start(&w->serve, w->f->config);
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;

	harness_serve_stop(&w->serve);
	sink_fixture_teardown((void **)&w->f);
	free(w);
	return 0;
}

/* POST body to /api/v1/nudges on port with a bearer token (NULL: none); the status. */
static int
post_nudge(int port, const char *token, const char *body, char **out)
{
	char *auth = token ? harness_format("Authorization: Bearer %s", token) :
	    NULL;
	const char *headers[] = { "Content-Type: application/json", auth, NULL };
	int status = harness_http_post(port, "/api/v1/nudges", headers, body,
	    strlen(body), out);

	free(auth);
	return status;
}

/* The delivery id of the i-th delivery in an answer's body. */
static long long
delivery_id(const char *out, int i)
{
	cJSON *o = cJSON_Parse(out);
	const cJSON *d;
	long long id;

	assert_non_null(o);
	d = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "deliveries"), i);
	assert_non_null(d);
	id = (long long)cJSON_GetObjectItem(d, "delivery_id")->valuedouble;
	cJSON_Delete(o);
	return id;
}

/* Wait until a count reaches want (at most 10 s); the last count. */
static int
wait_sink(struct world *w, const char *prefix, int want)
{
	int n = 0;

	for (int waited = 0; waited < 10000; waited += 50) {
		if ((n = sink_count(&w->f->sink, prefix)) >= want)
			break;
		usleep(50000);
	}
	return n;
}

static void
test_event_posts_once_with_its_context(void **state)
{
	struct world *w = *state;
	const char *body = "{\"id\": \"release-4.2\", \"schedule\": \"review\", "
	    "\"context\": \"release 4.2 shipped\"}";
	char *out;
	cJSON *sent;
	long long id;

	assert_int_equal(post_nudge(w->f->port, "tok-team", body, &out), 201);
	assert_non_null(strstr(out, "\"status\":\"enqueued\""));
	assert_non_null(strstr(out, "\"schedule\":\"review\""));
	id = delivery_id(out, 0);
	assert_true(id > 0);
	free(out);
	/* Committed before the 201, and posted at once with the context. */
	assert_int_equal(harness_db_int(w->f->state, "SELECT count(*) FROM "
	    "deliveries WHERE id = %lld AND event_id = 'release-4.2' AND "
	    "context = 'release 4.2 shipped'", id), 1);
	assert_int_equal(wait_sink(w, "/ok/team", 1), 1);
	sent = sink_requests(&w->f->sink, "/ok/team");
	assert_non_null(strstr(cJSON_GetObjectItem(cJSON_GetArrayItem(sent, 0),
	    "body")->valuestring, "\"context\":\"release 4.2 shipped\""));
	cJSON_Delete(sent);

	/* The same id again: 200, the same delivery, nothing new posted. */
	assert_int_equal(post_nudge(w->f->port, "tok-team", body, &out), 200);
	assert_non_null(strstr(out, "\"status\":\"duplicate\""));
	assert_int_equal(delivery_id(out, 0), id);
	free(out);
	/* The id is taken on the channel, for another schedule too. */
	assert_int_equal(post_nudge(w->f->port, "tok-team", "{\"id\": "
	    "\"release-4.2\", \"track\": \"incident-review\"}", &out), 409);
	assert_non_null(strstr(out, "already opened a nudge of schedule"));
	free(out);
	usleep(500000);
	assert_int_equal(sink_count(&w->f->sink, "/ok/team"), 1);
	assert_int_equal(harness_db_int(w->f->state, "SELECT count(*) FROM "
	    "deliveries"), 1);
	assert_int_equal(harness_db_int(w->f->state, "SELECT count(*) FROM "
	    "deliveries WHERE state = 'sent'"), 1);
}

static void
test_track_names_its_schedule(void **state)
{
	struct world *w = *state;
	char *out;

	assert_int_equal(post_nudge(w->f->port, "tok-team", "{\"id\": "
	    "\"incident-311\", \"track\": \"incident-review\", \"context\": "
	    "\"incident 311 closed\"}", &out), 201);
	assert_non_null(strstr(out, "\"schedule\":\"incidents\""));
	free(out);
	/* The track's first step. */
	assert_int_equal(harness_db_int(w->f->state, "SELECT count(*) FROM "
	    "deliveries WHERE schedule = 'incidents' AND prompt_id = "
	    "'reflection-025'"), 1);
	assert_int_equal(wait_sink(w, "/ok/team", 1), 1);
	/* The same id on another channel is another event. */
	assert_int_equal(post_nudge(w->f->port, "tok-other", "{\"id\": "
	    "\"incident-311\", \"schedule\": \"elsewhere\"}", &out), 201);
	free(out);
	assert_int_equal(wait_sink(w, "/ok/other", 1), 1);
}

/* A refused request: its status, a JSON reason holding why (NULL: any). */
static void
refused(struct world *w, const char *token, const char *body, int status,
    const char *why)
{
	char *out;

	assert_int_equal(post_nudge(w->f->port, token, body, &out), status);
	assert_non_null(strstr(out, "{\"error\":"));
	if (why != NULL && strstr(out, why) == NULL)
		fail_msg("%d: \"%s\" lacks \"%s\"", status, out, why);
	free(out);
}

static void
test_refusals_enqueue_nothing(void **state)
{
	struct world *w = *state;
	const char *ok = "{\"id\": \"e-1\", \"schedule\": \"review\"}";
	const char *plain[] = { "Content-Type: text/plain",
	    "Authorization: Bearer tok-team", NULL };
	char *out, *big, *long_context;

	refused(w, NULL, ok, 401, "Authorization: Bearer");
	refused(w, "tok-wrong", ok, 403, "no channel's api_token");
	/* Another channel's token does not open this channel's schedules. */
	refused(w, "tok-other", ok, 403, "not the api_token of the schedule's "
	    "channel");
	refused(w, "tok-other", "{\"id\": \"e-1\", \"track\": "
	    "\"incident-review\"}", 403, NULL);
	refused(w, "tok-team", "{\"id\": \"e-1\", \"schedule\": \"nope\"}", 404,
	    "no schedule called \\\"nope\\\"");
	refused(w, "tok-team", "{\"id\": \"e-1\", \"track\": \"grow\"}", 404,
	    "no schedule names the track");
	refused(w, "tok-team", "{\"id\": \"e-1\", \"schedule\": \"review\", "
	    "\"to\": \"ada\"}", 422, "posts to its channel");
	/* Malformed: bad JSON, duplicate and unknown keys, bad fields. */
	refused(w, "tok-team", "{\"id\": \"e-1\", ", 400, "not valid JSON");
	refused(w, "tok-team", "{\"id\": \"e-1\", \"schedule\": \"review\", "
	    "\"schedule\": \"review\"}", 400, "duplicate key");
	refused(w, "tok-team", "{\"id\": \"e-1\", \"schedule\": \"review\", "
	    "\"contxt\": \"x\"}", 400, "unknown key");
	refused(w, "tok-team", "{\"schedule\": \"review\"}", 400,
	    "missing \\\"id\\\"");
	refused(w, "tok-team", "{\"id\": \"e 1\", \"schedule\": \"review\"}",
	    400, "printable ASCII");
	refused(w, "tok-team", "{\"id\": \"e-1\"}", 400, "either a");
	refused(w, "tok-team", "{\"id\": \"e-1\", \"schedule\": \"review\", "
	    "\"track\": \"incident-review\"}", 400, "either a");
	refused(w, "tok-team", "{\"id\": \"e-1\", \"schedule\": \"review\", "
	    "\"context\": \"two\\nlines\"}", 400, "one line");
	refused(w, "tok-team", "{\"id\": \"e-1\", \"schedule\": \"review\", "
	    "\"context\": \"\\u0000\"}", 400, "\\\\u0000");
	refused(w, "tok-team", "{\"id\": \"e-1\", \"schedule\": \"review\", "
	    "\"context\": \"\xff\"}", 400, "UTF-8");
	long_context = calloc(1, 202);
	memset(long_context, 'c', 201);
	big = harness_format("{\"id\": \"e-1\", \"schedule\": \"review\", "
	    "\"context\": \"%s\"}", long_context);
	refused(w, "tok-team", big, 400, "201 characters long");
	free(big);
	free(long_context);
	assert_int_equal(harness_http_post(w->f->port, "/api/v1/nudges", plain,
	    ok, strlen(ok), &out), 415);
	free(out);
	assert_int_equal(harness_http_get(w->f->port, "/api/v1/nudges", &out),
	    405);
	free(out);
	big = calloc(1, 70 * 1024 + 1);
	memset(big, 'a', 70 * 1024);
	assert_int_equal(post_nudge(w->f->port, "tok-team", big, &out), 413);
	free(out);
	free(big);
	usleep(300000);
	assert_int_equal(harness_db_int(w->f->state, "SELECT count(*) FROM "
	    "deliveries"), 0);
	assert_int_equal(sink_count(&w->f->sink, "/"), 0);
}

/* A Slack workspace whose schedule asks Ada and Ben directly. */
static int
setup_people(void **state)
{
	struct slack_serve *f = calloc(1, sizeof *f);
	struct slack_fake_opts opts = { .token = SLACK_TOKEN, .record = 1 };
	char *cwd = getcwd(NULL, 0), *text;

	slack_serve_open(f, &opts);
	text = harness_format("{\"state_dir\": \"%s\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", \"people\": "
	    "{\"ada\": {\"slack\": \"U01ADA\"}, \"ben\": {\"slack\": "
	    "\"U01BEN\"}}, \"channels\": {\"acme\": {\"platform\": \"slack\", "
	    "\"signing_secret\": \"s3cret\", \"bot_token\": \"" SLACK_TOKEN "\", "
	    "\"api_url\": \"http://127.0.0.1:%d/api/\", \"api_token\": "
	    "\"tok-acme\"}}, \"schedules\": [{\"name\": \"after-action\", "
	    "\"cron\": \"0 6 29 2 *\", \"channel\": \"acme\", \"themes\": "
	    "[\"reflection\"], \"to\": [\"ada\", \"ben\"]}]}", f->state, f->port,
	    cwd, f->fake.port);
	slack_serve_run(f, text);
	free(text);
	free(cwd);
	*state = f;
	return 0;
}

static void
test_to_opens_one_nudge_per_person(void **state)
{
	struct slack_serve *f = *state;
	const char *body = "{\"id\": \"release-5\", \"schedule\": "
	    "\"after-action\", \"context\": \"release 5 shipped\"}";
	cJSON *calls;
	char *out, *text;

	assert_int_equal(post_nudge(f->port, "tok-acme", body, &out), 201);
	assert_non_null(strstr(out, "\"person\":\"ada\""));
	assert_non_null(strstr(out, "\"person\":\"ben\""));
	free(out);
	assert_int_equal(slack_fake_await(&f->fake, "chat.postMessage", 2,
	    10000), 2);
	calls = slack_fake_calls(&f->fake, "chat.postMessage");
	for (int i = 0; i < 2; i++) {
		text = cJSON_PrintUnformatted(cJSON_GetObjectItem(
		    cJSON_GetArrayItem(calls, i), "body"));
		assert_non_null(strstr(text, "_release 5 shipped_"));
		free(text);
	}
	cJSON_Delete(calls);
	/* Again: both found, nothing more. */
	assert_int_equal(post_nudge(f->port, "tok-acme", body, &out), 200);
	free(out);
	/* One person by name; someone else is refused. */
	assert_int_equal(post_nudge(f->port, "tok-acme", "{\"id\": \"pr-7\", "
	    "\"schedule\": \"after-action\", \"to\": \"ben\"}", &out), 201);
	assert_null(strstr(out, "\"person\":\"ada\""));
	assert_non_null(strstr(out, "\"person\":\"ben\""));
	free(out);
	assert_int_equal(post_nudge(f->port, "tok-acme", "{\"id\": \"pr-8\", "
	    "\"schedule\": \"after-action\", \"to\": \"carl\"}", &out), 422);
	assert_non_null(strstr(out, "not one of the people"));
	free(out);
	assert_int_equal(slack_fake_await(&f->fake, "chat.postMessage", 3,
	    10000), 3);
	usleep(300000);
	assert_int_equal(slack_fake_count(&f->fake, "chat.postMessage"), 3);
	assert_int_equal(harness_db_int(f->state, "SELECT count(*) FROM "
	    "deliveries"), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_event_posts_once_with_its_context, setup, teardown),
		cmocka_unit_test_setup_teardown(test_track_names_its_schedule,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_enqueue_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_to_opens_one_nudge_per_person, setup_people,
		    slack_serve_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
