/* SPDX-License-Identifier: ISC */
/*
 * Answers over HTTP to the real daemon: each route with genuine requests and
 * with forged, stale, malformed, oversized and misaddressed ones; every
 * refusal has its status and changes nothing; every answer is stored once,
 * checked through `nudged export`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "replies_fixture.h"
#include "sink.h"
#include "store.h"

/* POST JSON to the API with a bearer token (NULL: none); the status. */
static int
post_api(struct replies_fixture *f, const char *token, const char *body,
    char **out)
{
	char *auth = token ? harness_format("Authorization: Bearer %s", token) :
	    NULL;
	const char *headers[] = { "Content-Type: application/json", auth, NULL };
	int status = harness_http_post(f->port, "/api/v1/replies", headers, body,
	    strlen(body), out);

	free(auth);
	return status;
}

static void
test_api_stores_once_and_answers_with_the_streak(void **state)
{
	struct replies_fixture *f = *state;
	char *out, *body;
	cJSON *o;

	body = harness_format("{\"channel\": \"team\", \"user\": \"U1\", "
	    "\"user_name\": \"Ada\", \"text\": \"We paired on the incident\", "
	    "\"code\": \"%s\", \"id\": \"m-1\"}", f->code[0]);
	assert_int_equal(post_api(f, "tok-team", body, &out), 200);
	o = cJSON_Parse(out);
	assert_string_equal(cJSON_GetObjectItem(o, "status")->valuestring,
	    "stored");
	assert_int_equal(cJSON_GetObjectItem(o, "streak")->valueint, 1);
	assert_int_equal(cJSON_GetObjectItem(o, "delivery_id")->valueint, 1);
	cJSON_Delete(o);
	free(out);
	/* The same message again (a retry): 200, still one answer. */
	assert_int_equal(post_api(f, "tok-team", body, &out), 200);
	assert_non_null(strstr(out, "\"duplicate\""));
	free(out);
	free(body);
	/* No code: the newest nudge on the channel; the streak grows. */
	assert_int_equal(post_api(f, "tok-team", "{\"channel\": \"team\", "
	    "\"user\": \"U1\", \"text\": \"lower-case code next\"}", &out), 200);
	o = cJSON_Parse(out);
	assert_int_equal(cJSON_GetObjectItem(o, "delivery_id")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(o, "streak")->valueint, 2);
	cJSON_Delete(o);
	free(out);
	replies_fixture_stop(f);
	assert_int_equal(replies_fixture_count(f), 2);
}

static void
test_api_refusals_change_nothing(void **state)
{
	struct replies_fixture *f = *state;
	const char *ok = "{\"channel\": \"team\", \"user\": \"U1\", \"text\": "
	    "\"x\"}";
	char *out, *big;
	const char *headers[] = { "Content-Type: text/plain",
	    "Authorization: Bearer tok-team", NULL };

	assert_int_equal(post_api(f, NULL, ok, &out), 401);
	free(out);
	assert_int_equal(post_api(f, "tok-other", ok, &out), 403);
	assert_non_null(strstr(out, "\"error\""));
	free(out);
	assert_int_equal(post_api(f, "tok-team", "{\"channel\": \"nope\", "
	    "\"user\": \"U1\", \"text\": \"x\"}", &out), 403);
	free(out);
	assert_int_equal(harness_http_post(f->port, "/api/v1/replies", headers,
	    ok, strlen(ok), &out), 415);
	free(out);
	assert_int_equal(post_api(f, "tok-team", "{\"channel\": \"team\", ",
	    &out), 400);
	free(out);
	assert_int_equal(post_api(f, "tok-team", "{\"channel\": \"team\", "
	    "\"user\": \"U1\", \"text\": 5}", &out), 400);
	free(out);
	assert_int_equal(post_api(f, "tok-team", "{\"channel\": \"team\", "
	    "\"user\": \"U1\", \"text\": \"   \"}", &out), 400);
	free(out);
	/* A well-formed code no nudge has, and something that is no code. */
	assert_int_equal(post_api(f, "tok-team", "{\"channel\": \"team\", "
	    "\"user\": \"U1\", \"text\": \"x\", \"code\": \"ZZZZ\"}", &out), 422);
	assert_non_null(strstr(out, "no question with code ZZZZ"));
	free(out);
	assert_int_equal(post_api(f, "tok-team", "{\"channel\": \"team\", "
	    "\"user\": \"U1\", \"text\": \"x\", \"code\": \"0O1I\"}", &out), 422);
	free(out);
	/* A channel with nothing sent on it. */
	assert_int_equal(post_api(f, "tok-other", "{\"channel\": \"other\", "
	    "\"user\": \"U1\", \"text\": \"x\"}", &out), 422);
	free(out);
	assert_int_equal(harness_http_get(f->port, "/api/v1/replies", &out), 405);
	free(out);
	big = calloc(1, 70 * 1024 + 1);
	memset(big, 'a', 70 * 1024);
	assert_int_equal(post_api(f, "tok-team", big, &out), 413);
	free(out);
	free(big);
	replies_fixture_stop(f);
	assert_int_equal(replies_fixture_count(f), 0);
}

static void
test_export_formats(void **state)
{
	struct replies_fixture *f = *state;
	char *out, *csv;

	assert_int_equal(post_api(f, "tok-team", "{\"channel\": \"team\", "
	    "\"user\": \"U2\", \"text\": \"a \\\"quoted\\\", comma\"}", &out),
	    200);
	free(out);
	replies_fixture_stop(f);
	assert_int_equal(harness_run((const char *[]){ harness_bin(), "export",
	    "-c", f->config, "--format", "csv", NULL }, &csv), 0);
	assert_non_null(strstr(csv, "delivery_id,schedule,channel,prompt_id,"));
	/* RFC 4180: the field is quoted and its quotes doubled. */
	assert_non_null(strstr(csv, ",\"a \"\"quoted\"\", comma\"\n"));
	free(csv);
}

/* Edit the running daemon's config (first occurrence of from -> to) and reload. */
static void
reconfigure(struct replies_fixture *f, const char *from, const char *to)
{
	char *text = harness_replace(harness_read(f->config), from, to);
	int before = harness_count(&f->serve, "applied,");

	harness_write(f->config, text);
	free(text);
	kill(f->serve.pid, SIGHUP);
	if (harness_wait_count(&f->serve, "applied,", before + 1, 10000) != 0)
		fail_msg("reload not applied:\n%s", f->serve.out);
}

/* Answer on "team" through the API as user. */
static void
answer_as(struct replies_fixture *f, const char *user, const char *id)
{
	char *body = harness_format("{\"channel\": \"team\", \"user\": "
	    "\"%s\", \"user_name\": \"%s name\", \"text\": \"an answer\", "
	    "\"id\": \"%s\"}", user, user, id), *out;

	assert_int_equal(post_api(f, "tok-team", body, &out), 200);
	free(out);
	free(body);
}

static void
test_forget_deletes_one_person(void **state)
{
	struct replies_fixture *f = *state;
	char *out;

	answer_as(f, "U1", "a");
	answer_as(f, "U1", "b");
	answer_as(f, "U2", "c");
	replies_fixture_stop(f);
	assert_int_equal(harness_run((const char *[]){ harness_bin(), "forget",
	    "-c", f->config, "U1", NULL }, &out), 0);
	assert_string_equal(out, "forgot 2 answers of U1\n");
	free(out);
	assert_int_equal(replies_fixture_count(f), 1);
	assert_int_equal(harness_run((const char *[]){ harness_bin(), "stats",
	    "-c", f->config, "--format", "csv", NULL }, &out), 0);
	assert_null(strstr(out, "U1"));
	/* U2 answered only the newest nudge: counted from there, 1 of 1. */
	assert_non_null(strstr(out, "team,U2,\"U2 name\",1,1,1.000,"));
	free(out);
	assert_int_equal(harness_run((const char *[]){ harness_bin(), "forget",
	    "-c", f->config, "U1", "--channel", "nope", NULL }, &out), 1);
	free(out);
}

static void
test_retention_deletes_old_answers(void **state)
{
	struct replies_fixture *f = *state;
	char *cause = NULL, *dir = harness_format("%s/state", f->dir);
	struct store *st = store_open(dir, &cause);
	struct store_reply old = { .delivery_id = 1, .channel = "team",
	    .user_id = "U9", .text = "long ago", .received_at = time(NULL) -
	    40 * 86400, .source = "api", .message_id = "old-1" };

	assert_non_null(st);
	assert_int_equal(store_add_reply(st, &old, NULL), 1);
	store_close(st);
	free(dir);
	answer_as(f, "U1", "recent");
	reconfigure(f, "\"state_dir\": \"state\",",
	    "\"state_dir\": \"state\", \"retention\": \"30d\",");
	if (harness_wait_output(&f->serve, "retention: deleted 1 answer older "
	    "than 30 days", 5000) != 0)
		fail_msg("no retention:\n%s", f->serve.out);
	replies_fixture_stop(f);
	assert_int_equal(replies_fixture_count(f), 1);
}

static void
test_stats_api_dashboard_and_token(void **state)
{
	struct replies_fixture *f = *state;
	const char *bearer[] = { "Authorization: Bearer dash-tok", NULL };
	char *out;
	cJSON *doc;

	answer_as(f, "U1", "a");
	assert_int_equal(harness_http_get(f->port, "/api/v1/stats", &out), 200);
	doc = cJSON_Parse(out);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "people")),
	    1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(doc, "people"), 0), "user")->valuestring, "U1");
	cJSON_Delete(doc);
	free(out);
	/* The CLI and the API give the same document (but for when it was made). */
	{
		char *cli;
		cJSON *a, *b;

		assert_int_equal(harness_http_get(f->port, "/api/v1/stats", &out),
		    200);
		assert_int_equal(harness_run((const char *[]){ harness_bin(),
		    "stats", "-c", f->config, "--format", "json", NULL }, &cli), 0);
		a = cJSON_Parse(out);
		b = cJSON_Parse(cli);
		cJSON_DeleteItemFromObject(a, "generated_at");
		cJSON_DeleteItemFromObject(b, "generated_at");
		assert_true(cJSON_Compare(a, b, 1));
		cJSON_Delete(a);
		cJSON_Delete(b);
		free(cli);
		free(out);
	}
	assert_int_equal(harness_http_get(f->port, "/api/v1/stats?channel=nope",
	    &out), 404);
	free(out);
	assert_int_equal(harness_http_get(f->port, "/", &out), 200);
	assert_non_null(strstr(out, "<html"));
	assert_non_null(strstr(out, "U1 name"));
	free(out);
	assert_int_equal(harness_http_get(f->port, "/nope", &out), 404);
	free(out);
	reconfigure(f, "\"state_dir\": \"state\",",
	    "\"state_dir\": \"state\", \"dashboard_token\": \"dash-tok\",");
	assert_int_equal(harness_http_get(f->port, "/api/v1/stats", &out), 401);
	free(out);
	assert_int_equal(harness_http_get(f->port, "/?token=wrong", &out), 403);
	free(out);
	assert_int_equal(harness_http_get(f->port, "/?token=dash-tok", &out),
	    200);
	free(out);
	assert_int_equal(harness_http_get_headers(f->port, "/api/v1/stats",
	    bearer, &out), 200);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_api_stores_once_and_answers_with_the_streak,
		    replies_fixture_setup, replies_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_api_refusals_change_nothing,
		    replies_fixture_setup, replies_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_export_formats,
		    replies_fixture_setup, replies_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_forget_deletes_one_person,
		    replies_fixture_setup, replies_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_retention_deletes_old_answers,
		    replies_fixture_setup, replies_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_stats_api_dashboard_and_token,
		    replies_fixture_setup, replies_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
