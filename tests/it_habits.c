/* SPDX-License-Identifier: ISC */
/*
 * Reminders and weekly digests through the real daemon and a local sink:
 * one gentle reminder for a nudge nobody answered (never two, not even after
 * a restart), answers to it counted on the nudge; a digest with the people
 * who reflected, the streaks worth celebrating and, where the channel shares
 * them, a few answers; an anonymous channel's digest with no names, and
 * no id or name of anyone in its database.
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
#include "sink.h"
#include "sink_fixture.h"
#include "store.h"

/* A config with channel "team" (extra channel keys) and schedule "s" (extra keys). */
static void
write_config(struct sink_fixture *f, const char *channel_extra,
    const char *schedule_extra)
{
	char *cwd = getcwd(NULL, 0), *text = harness_format("{\"state_dir\": "
	    "\"state\", \"listen\": \"127.0.0.1:%d\", \"prompts\": "
	    "\"%s/prompts\", \"channels\": {\"team\": {\"platform\": "
	    "\"webhook\", \"webhook\": \"http://127.0.0.1:%d/ok/team\", "
	    "\"api_token\": \"tok\"%s}}, \"schedules\": [{\"name\": \"s\", "
	    "\"cron\": \"0 0 1 1 *\", \"channel\": \"team\", \"answer_window\": "
	    "\"1d\"%s}]}", f->port, cwd, f->sink.port, channel_extra,
	    schedule_extra);

	harness_write(f->config, text);
	free(text);
	free(cwd);
}

/* A sent nudge of "s" due at; its id. */
static int64_t
seed_nudge(struct store *st, int64_t at, const char *prompt)
{
	struct store_delivery d = { .schedule = "s", .channel = "team",
	    .prompt_id = prompt, .due_at = at, .state = STORE_SENT, .cycle = 1 };
	int64_t id = 0;

	assert_int_equal(store_enqueue(st, &d, &id), 1);
	return id;
}

/* Add an answer. */
static void
seed_answer(struct store *st, int64_t delivery, const char *user,
    const char *name, const char *text, int64_t at)
{
	static int n;
	char mid[16];
	struct store_reply r = { .delivery_id = delivery, .channel = "team",
	    .user_id = user, .user_name = name, .text = text, .received_at = at,
	    .source = "api", .message_id = mid };

	snprintf(mid, sizeof mid, "h%d", ++n);
	assert_int_equal(store_add_reply(st, &r, NULL), 1);
}



/* Bodies the sink received of a given type, as parsed JSON (caller frees). */
static cJSON *
bodies_of_type(struct sink_fixture *f, const char *type)
{
	cJSON *all = sink_requests(&f->sink, "/ok/team"), *r, *out =
	    cJSON_CreateArray(), *b;

	cJSON_ArrayForEach(r, all) {
		b = cJSON_Parse(cJSON_GetObjectItem(r, "body")->valuestring);
		if (b != NULL && strcmp(cJSON_GetObjectItem(b, "type")->valuestring,
		    type) == 0)
			cJSON_AddItemToArray(out, b);
		else
			cJSON_Delete(b);
	}
	cJSON_Delete(all);
	return out;
}

/* Wait until the sink has n bodies of a type. */
static void
wait_bodies(struct sink_fixture *f, const char *type, int n)
{
	cJSON *b = NULL;

	for (int i = 0; i < 100; i++) {
		cJSON_Delete(b);
		b = bodies_of_type(f, type);
		if (cJSON_GetArraySize(b) >= n)
			break;
		usleep(100000);
	}
	if (cJSON_GetArraySize(b) < n)
		fail_msg("the sink has %d %s, wanted %d", cJSON_GetArraySize(b),
		    type, n);
	cJSON_Delete(b);
}

static void
test_one_reminder_for_the_unanswered_nudge(void **state)
{
	struct sink_fixture *f = *state;
	int64_t now = time(NULL), unanswered, answered;
	struct harness_proc p;
	char *cause = NULL, *out, *body;
	struct store *st;
	cJSON *reminders, *r0, *o;
	const char *code;

	write_config(f, "", ", \"remind_after\": \"1m\"");
	st = store_open(f->state, &cause);
	assert_non_null(st);
	unanswered = seed_nudge(st, now - 120, "coaching-001");
	answered = seed_nudge(st, now - 100, "coaching-002");
	seed_nudge(st, now - 10, "coaching-003");	/* not due for one yet */
	seed_answer(st, answered, "U1", "Ada", "yes", now - 90);
	store_close(st);
	harness_serve_start(&p, f->config);
	wait_bodies(f, "nudge.reminder", 1);
	harness_serve_stop(&p);
	/* A restart never sends a second one. */
	harness_serve_start(&p, f->config);
	usleep(500000);
	reminders = bodies_of_type(f, "nudge.reminder");
	assert_int_equal(cJSON_GetArraySize(reminders), 1);
	r0 = cJSON_GetArrayItem(reminders, 0);
	assert_string_equal(cJSON_GetObjectItem(r0, "prompt_id")->valuestring,
	    "coaching-001");
	/* Answering with the reminder's code counts on the nudge itself. */
	code = cJSON_GetObjectItem(r0, "reply_code")->valuestring;
	body = harness_format("{\"channel\": \"team\", \"user\": \"U2\", "
	    "\"text\": \"late but here\", \"code\": \"%s\"}", code);
	assert_int_equal(harness_http_post(f->port, "/api/v1/replies",
	    (const char *[]){ "Content-Type: application/json",
	    "Authorization: Bearer tok", NULL }, body, strlen(body), &out), 200);
	o = cJSON_Parse(out);
	assert_int_equal(cJSON_GetObjectItem(o, "delivery_id")->valueint,
	    unanswered);
	cJSON_Delete(o);
	free(out);
	free(body);
	cJSON_Delete(reminders);
	harness_serve_stop(&p);
}

/* Seed three answered nudges of U1 this week, and the digest due just now. */
static void
seed_week(struct sink_fixture *f)
{
	int64_t now = time(NULL), id;
	char *cause = NULL;
	struct store *st = store_open(f->state, &cause);

	assert_non_null(st);
	for (int i = 3; i >= 1; i--) {
		id = seed_nudge(st, now - i * 86400, i == 1 ? "coaching-004" :
		    i == 2 ? "coaching-005" : "coaching-006");
		seed_answer(st, id, "U1", "Ada", i == 1 ? "We asked first" :
		    "noted", now - i * 86400 + 600);
	}
	/* As if the digest last ran 90 s ago: the next minute's is due at start. */
	assert_int_equal(store_set_last_instant(st, "s/digest", now - 90), 0);
	assert_int_equal(store_set_last_instant(st, "s", now), 0);
	store_close(st);
}

static void
test_digest_celebrates_and_shares(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;
	cJSON *digests;
	const char *text;

	write_config(f, ", \"share_answers\": true", ", \"digest\": "
	    "\"* * * * *\"");
	seed_week(f);
	harness_serve_start(&p, f->config);
	wait_bodies(f, "nudge.digest", 1);
	harness_serve_stop(&p);
	digests = bodies_of_type(f, "nudge.digest");
	text = cJSON_GetObjectItem(cJSON_GetArrayItem(digests, 0),
	    "text")->valuestring;
	assert_non_null(strstr(text, "1 of 1 people reflected this week, with "
	    "3 answers."));
	assert_non_null(strstr(text, "Streaks worth celebrating: Ada 3 in a "
	    "row."));
	assert_non_null(strstr(text, "The question that drew most answers:"));
	assert_non_null(strstr(text, "We asked first"));
	cJSON_Delete(digests);
}

static void
test_anonymous_digest_has_no_names(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;
	cJSON *digests;
	const char *text;

	write_config(f, ", \"anonymous\": true", ", \"digest\": \"* * * * *\"");
	seed_week(f);
	harness_serve_start(&p, f->config);
	wait_bodies(f, "nudge.digest", 1);
	harness_serve_stop(&p);
	digests = bodies_of_type(f, "nudge.digest");
	text = cJSON_GetObjectItem(cJSON_GetArrayItem(digests, 0),
	    "text")->valuestring;
	assert_non_null(strstr(text, "A few of you reflected this week."));
	assert_null(strstr(text, "Ada"));
	assert_null(strstr(text, "We asked first"));
	cJSON_Delete(digests);
}

/* POST an answer to the API as user (name); the streak it reports. */
static int
post_answer(struct sink_fixture *f, const char *user, const char *name)
{
	char *body = harness_format("{\"channel\": \"team\", \"user\": \"%s\", "
	    "\"user_name\": \"%s\", \"text\": \"a thought\"}", user, name), *out;
	cJSON *o;
	int streak;

	assert_int_equal(harness_http_post(f->port, "/api/v1/replies",
	    (const char *[]){ "Content-Type: application/json",
	    "Authorization: Bearer tok", NULL }, body, strlen(body), &out), 200);
	o = cJSON_Parse(out);
	assert_non_null(o);
	streak = cJSON_GetObjectItem(o, "streak")->valueint;
	cJSON_Delete(o);
	free(out);
	free(body);
	return streak;
}

/* Whether the database file holds a string anywhere. */
static int
db_contains(struct sink_fixture *f, const char *needle)
{
	char *path = harness_format("%s/nudged.db", f->state);
	int found = harness_file_contains(path, needle);

	free(path);
	return found;
}

/*
 * An anonymous channel keeps no one's id or name in the database (answers
 * stored before it turned anonymous included), streaks count as before,
 * and forget still finds a person's answers.
 */
static void
test_anonymous_answers_keep_no_id_or_name(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;
	char *cause = NULL, *out;
	struct store *st;

	write_config(f, ", \"anonymous\": true", "");
	seed_week(f);		/* Ada (U1) answered the last three days */
	st = store_open(f->state, &cause);
	assert_non_null(st);
	seed_nudge(st, time(NULL) - 60, "coaching-007");
	store_close(st);
	harness_serve_start(&p, f->config);
	/* Her fourth in a row, as on any channel; a first for Quinn. */
	assert_int_equal(post_answer(f, "U1", "Ada"), 4);
	assert_int_equal(post_answer(f, "U9SECRETID", "Quinn Secretname"), 1);
	harness_serve_stop(&p);
	assert_true(db_contains(f, "coaching-007"));	/* the search works */
	assert_false(db_contains(f, "U9SECRETID"));
	assert_false(db_contains(f, "Secretname"));
	assert_false(db_contains(f, "Ada"));
	assert_int_equal(harness_db_int(f->state, "SELECT count(*) FROM replies "
	    "WHERE user_id LIKE 'anon-%%' AND user_name IS NULL"), 5);
	assert_int_equal(harness_run((const char *[]){ harness_bin(), "forget",
	    "-c", f->config, "U1", NULL }, &out), 0);
	assert_non_null(strstr(out, "forgot 4 answers of U1"));
	free(out);
	assert_int_equal(harness_db_int(f->state, "SELECT count(*) FROM "
	    "replies"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_one_reminder_for_the_unanswered_nudge, sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_digest_celebrates_and_shares,
		    sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_anonymous_digest_has_no_names,
		    sink_fixture_setup,
		    sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_anonymous_answers_keep_no_id_or_name, sink_fixture_setup,
		    sink_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
