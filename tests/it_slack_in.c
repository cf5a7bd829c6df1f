/* SPDX-License-Identifier: ISC */
/*
 * Slack conversations, inbound, through the real daemon: signed requests on
 * its HTTP port, tests/support/slack_fake.c as the Web API. Ada clicks the
 * Answer button of the nudge in her DM: the click is answered 200 and
 * views.open reaches the API with her trigger; she saves the modal: the
 * answer is stored and chat.update marks her message answered; Ben's click
 * on her nudge is refused and opens nothing. The bot token never reaches
 * the log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "slack_fake.h"
#include "slack_serve.h"
#include "store.h"

#define SECRET	"8f742231b10e8888abcd99yyyzzz85a5"
#define TOKEN	"xoxb-9-9-integration"
#define ADA_TS	"1780293600.000100"

struct fixture {
	struct slack_serve	 s;
	long long		 ada;	/* her nudge's delivery id */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct slack_fake_opts opts = { .token = TOKEN, .record = 1 };
	struct store_delivery d = { .schedule = "daily", .channel = "acme",
	    .prompt_id = "coaching-001", .state = STORE_SENT, .cycle = 1,
	    .person = "ada" };
	struct store *st;
	char *cwd = getcwd(NULL, 0), *cause = NULL, *text;
	int64_t id = 0;

	slack_serve_open(&f->s, &opts);
	/* A schedule that is not due while the test runs: nothing is sent. */
	text = harness_format("{\"state_dir\": \"%s\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", \"people\": "
	    "{\"ada\": {\"slack\": \"U01ADA\"}, \"ben\": {\"slack\": "
	    "\"U01BEN\"}}, \"channels\": {\"acme\": {\"platform\": \"slack\", "
	    "\"signing_secret\": \"" SECRET "\", \"bot_token\": \"" TOKEN "\", "
	    "\"api_url\": \"http://127.0.0.1:%d/api/\"}}, \"schedules\": "
	    "[{\"name\": \"daily\", \"cron\": \"0 6 29 2 *\", \"catch_up\": "
	    "\"1m\", \"channel\": \"acme\", \"to\": [\"ada\", \"ben\"]}]}",
	    f->s.state, f->s.port, cwd, f->s.fake.port);
	harness_write(f->s.config, text);
	if ((st = store_open(f->s.state, &cause)) == NULL)
		fail_msg("%s", cause);
	d.due_at = (int64_t)time(NULL) - 60;
	assert_int_equal(store_enqueue(st, &d, &id), 1);
	assert_int_equal(store_set_message(st, id, "DADA", ADA_TS), 0);
	store_close(st);
	f->ada = id;
	harness_serve_start(&f->s.serve, f->s.config);
	free(text);
	free(cwd);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	slack_serve_close(&f->s);
	free(f);
	return 0;
}

/* A click by user on Ada's Answer button. */
static int
click(struct fixture *f, const char *user, char **out)
{
	char *p = harness_format("{\"type\": \"block_actions\", \"user\": "
	    "{\"id\": \"%s\"}, \"trigger_id\": \"TRIG-%s\", \"container\": "
	    "{\"channel_id\": \"DADA\", \"message_ts\": \"" ADA_TS "\"}, "
	    "\"actions\": [{\"action_id\": \"nudged_answer\", \"value\": "
	    "\"%lld\"}]}", user, user, f->ada);
	int status = slack_serve_interact(&f->s, SECRET, p, out);

	free(p);
	return status;
}

/* Button, modal, submission: the whole round through the daemon. */
static void
test_button_modal_submission(void **state)
{
	struct fixture *f = *state;
	cJSON *calls;
	char *out = NULL, *p, *json;

	assert_int_equal(click(f, "U01BEN", &out), 403);
	free(out);
	assert_int_equal(click(f, "U01ADA", &out), 200);
	free(out);
	assert_int_equal(slack_fake_await(&f->s.fake, "views.open", 1,
	    5000), 1);
	calls = slack_fake_calls(&f->s.fake, "views.open");
	json = cJSON_PrintUnformatted(calls);
	assert_non_null(strstr(json, "\"trigger_id\":\"TRIG-U01ADA\""));
	assert_null(strstr(json, "TRIG-U01BEN"));
	free(json);
	cJSON_Delete(calls);

	p = harness_format("{\"type\": \"view_submission\", \"user\": {\"id\": "
	    "\"U01ADA\"}, \"view\": {\"id\": \"V42\", \"callback_id\": "
	    "\"nudged_answer\", \"private_metadata\": \"%lld\", \"state\": "
	    "{\"values\": {\"answer\": {\"text\": {\"value\": \"Slept on "
	    "it, decided better\"}}}}}}", f->ada);
	assert_int_equal(slack_serve_interact(&f->s, SECRET, p, &out), 200);
	assert_string_equal(out, "");
	free(out);
	free(p);
	assert_int_equal(harness_db_int(f->s.state, "SELECT delivery_id FROM "
	    "replies WHERE user_id = 'U01ADA' AND text = 'Slept on it, decided "
	    "better'"), f->ada);
	assert_int_equal(slack_fake_await(&f->s.fake, "chat.update", 1,
	    5000), 1);
	calls = slack_fake_calls(&f->s.fake, "chat.update");
	json = cJSON_PrintUnformatted(calls);
	assert_non_null(strstr(json, "Answered — streak 1"));
	assert_non_null(strstr(json, "\"ts\":\"" ADA_TS "\""));
	free(json);
	cJSON_Delete(calls);
	/* The bot token went to the API only, never to the log. */
	assert_int_equal(harness_count(&f->s.serve, TOKEN), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_button_modal_submission,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
