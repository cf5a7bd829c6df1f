/* SPDX-License-Identifier: ISC */
/*
 * Slack conversations end to end, through the real binary and the fake Web
 * API: the config (three people in three zones, one of them on his
 * Slack profile's zone, a group, a direct schedule on each person's clock,
 * a channel with a bot token and a signing secret). `nudged send` posts a
 * DM to each of them; `nudged next` shows one line per person on their
 * own clock (ben's from his profile, which the daemon looked up); ada's
 * Answer button opens the modal (views.open) and her submission is
 * stored; ben's plain DM reply is stored; `nudged export` and `nudged
 * stats` show both.
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

#define SECRET	"5c1e7e3a0d6b4f4e9a8b7c6d5e4f3a2b"
#define TOKEN	"xoxb-11-11-end-to-end"

/* Run the binary with args and -c the config; its exit code and output. */
static int
run(struct slack_serve *f, const char *cmd, const char *arg, char **out)
{
	return harness_run((const char *[]){ harness_bin(), cmd, "-c",
	    f->config, arg, NULL }, out);
}

/* Wait up to 5 s for a query of the store to give want. */
static long long
await_db(struct slack_serve *f, long long want, const char *sql)
{
	long long got = -1;

	for (int i = 0; i < 500; i++) {
		if ((got = harness_db_int(f->state, "%s", sql)) == want)
			break;
		usleep(10000);
	}
	return got;
}

static int
setup(void **state)
{
	struct slack_serve *f = calloc(1, sizeof *f);
	struct slack_fake_opts opts = { .token = TOKEN, .record = 1 };
	char *cwd = getcwd(NULL, 0), *text;

	slack_serve_open(f, &opts);
	text = harness_format("{\n"
	    "  \"state_dir\": \"%s\", \"listen\": \"127.0.0.1:%d\",\n"
	    "  \"prompts\": \"%s/prompts\", \"timezone\": \"UTC\",\n"
	    "  \"people\": {\n"
	    "    \"ada\": {\"slack\": \"U01ADA\", \"timezone\": \"Europe/Berlin\"},\n"
	    "    \"ben\": {\"slack\": \"U01BENXNY\"},\n"
	    "    \"cy\": {\"slack\": \"U01CY\", \"timezone\": \"Asia/Tokyo\"}\n"
	    "  },\n"
	    "  \"groups\": {\"leaders\": [\"ada\", \"ben\", \"cy\"]},\n"
	    "  \"channels\": {\n"
	    "    \"acme\": {\"platform\": \"slack\", \"bot_token\": \"" TOKEN "\",\n"
	    "      \"signing_secret\": \"" SECRET "\",\n"
	    "      \"api_url\": \"http://127.0.0.1:%d/api/\"}\n"
	    "  },\n"
	    "  \"schedules\": [\n"
	    "    {\"name\": \"daily-coaching\", \"cron\": \"0 9 * * MON-FRI\",\n"
	    "     \"timezone\": \"person\", \"channel\": \"acme\",\n"
	    "     \"to\": [\"group:leaders\"], \"audience\": \"leader\"}\n"
	    "  ]\n"
	    "}\n", f->state, f->port, cwd, f->fake.port);
	slack_serve_run(f, text);
	free(text);
	free(cwd);
	*state = f;
	return 0;
}

/* The DM a person's nudge went to, its delivery id, or -1. */
static long long
delivery_of(struct slack_serve *f, const char *person)
{
	return harness_db_int(f->state, "SELECT id FROM deliveries WHERE "
	    "person = '%s' AND state = 'sent' AND message_id IS NOT NULL "
	    "ORDER BY id DESC LIMIT 1", person);
}

/* The config, end to end. */
static void
test_direct_conversations(void **state)
{
	struct slack_serve *f = *state;
	cJSON *calls;
	char *out = NULL, *p, *json, *body;
	long long ada;

	/* Ben's zone comes from his profile, looked up by the daemon. */
	assert_int_equal(await_db(f, 1, "SELECT count(*) FROM person_channels "
	    "WHERE person = 'ben' AND tz = 'America/New_York'"), 1);
	assert_int_equal(harness_wait_output(&f->serve, "ben's profile zone "
	    "is America/New_York", 5000), 0);

	/* nudged send: one DM to each of them, now. */
	assert_int_equal(run(f, "send", "daily-coaching", &out), 0);
	free(out);
	assert_int_equal(harness_db_int(f->state, "SELECT count(DISTINCT "
	    "person) FROM deliveries WHERE state = 'sent' AND message_channel "
	    "IN ('D01ADA', 'D01BENXNY', 'D01CY')"), 3);
	calls = slack_fake_calls(&f->fake, "chat.postMessage");
	json = cJSON_PrintUnformatted(calls);
	assert_non_null(strstr(json, "\"channel\":\"D01ADA\""));
	assert_non_null(strstr(json, "\"channel\":\"D01BENXNY\""));
	assert_non_null(strstr(json, "\"channel\":\"D01CY\""));
	assert_non_null(strstr(json, "\"action_id\":\"nudged_answer\""));
	free(json);
	cJSON_Delete(calls);

	/* nudged next: one line per person, their local 09:00 and zone. */
	assert_int_equal(run(f, "next", NULL, &out), 0);
	assert_non_null(strstr(out, " 09:00 "));
	assert_non_null(strstr(out, "Europe/Berlin"));
	assert_non_null(strstr(out, "America/New_York"));
	assert_non_null(strstr(out, "Asia/Tokyo"));
	assert_non_null(strstr(out, " ada "));
	assert_non_null(strstr(out, " ben "));
	assert_non_null(strstr(out, " cy "));
	free(out);

	/* ada: the Answer button opens the modal; she saves her answer. */
	ada = delivery_of(f, "ada");
	p = harness_format("{\"type\": \"block_actions\", \"user\": {\"id\": "
	    "\"U01ADA\"}, \"trigger_id\": \"TRIG-ADA\", \"container\": "
	    "{\"channel_id\": \"D01ADA\", \"message_ts\": \"%s\"}, "
	    "\"actions\": [{\"action_id\": \"nudged_answer\", \"value\": "
	    "\"%lld\"}]}", "1700000000.000001", ada);
	assert_int_equal(slack_serve_interact(f, SECRET, p, NULL), 200);
	free(p);
	slack_fake_await(&f->fake, "views.open", 1, 5000);
	calls = slack_fake_calls(&f->fake, "views.open");
	json = cJSON_PrintUnformatted(calls);
	assert_non_null(strstr(json, "\"trigger_id\":\"TRIG-ADA\""));
	free(json);
	cJSON_Delete(calls);
	p = harness_format("{\"type\": \"view_submission\", \"user\": {\"id\": "
	    "\"U01ADA\"}, \"view\": {\"id\": \"V1\", \"callback_id\": "
	    "\"nudged_answer\", \"private_metadata\": \"%lld\", \"state\": "
	    "{\"values\": {\"answer\": {\"text\": {\"value\": \"I will ask "
	    "Mo what she would try first\"}}}}}}", ada);
	assert_int_equal(slack_serve_interact(f, SECRET, p, NULL), 200);
	free(p);
	assert_int_equal(harness_db_int(f->state, "SELECT delivery_id FROM "
	    "replies WHERE user_id = 'U01ADA' AND text = 'I will ask Mo what "
	    "she would try first'"), ada);

	/* ben: a plain reply in his DM answers his newest nudge. */
	body = harness_format("{\"type\": \"event_callback\", \"event_id\": "
	    "\"Ev1\", \"event\": {\"type\": \"message\", \"user\": "
	    "\"U01BENXNY\", \"channel\": \"D01BENXNY\", \"channel_type\": "
	    "\"im\", \"ts\": \"%lld.000100\", \"text\": \"Two one-to-ones, "
	    "questions first\"}}", (long long)time(NULL));
	assert_int_equal(slack_serve_post(f, SECRET, "/slack/events",
	    "application/json", body, &out), 200);
	free(out);
	free(body);
	assert_int_equal(harness_db_int(f->state, "SELECT delivery_id FROM "
	    "replies WHERE user_id = 'U01BENXNY' AND text = 'Two one-to-ones, "
	    "questions first'"), delivery_of(f, "ben"));

	/* What the admin sees. */
	assert_int_equal(run(f, "export", NULL, &out), 0);
	assert_non_null(strstr(out, "I will ask Mo what she would try first"));
	assert_non_null(strstr(out, "Two one-to-ones, questions first"));
	free(out);
	assert_int_equal(run(f, "stats", NULL, &out), 0);
	assert_non_null(strstr(out, "U01ADA"));
	assert_non_null(strstr(out, "U01BENXNY"));
	free(out);
	/* The bot token and the signing secret never reach the log. */
	assert_int_equal(harness_count(&f->serve, TOKEN), 0);
	assert_int_equal(harness_count(&f->serve, SECRET), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_direct_conversations,
		    setup, slack_serve_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
