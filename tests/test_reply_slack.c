/* SPDX-License-Identifier: ISC */
/*
 * Slack conversations, inbound, in-process on a hand-held clock: signed
 * requests are handed to reply.c as the HTTP server would, and the Web API
 * nudged calls back is tests/support/slack_fake.c on loopback. Ada and Ben
 * are asked directly on channel "acme" (their DMs DADA and DBEN); a weekly
 * question went to the team channel C0TEAM through the Web API. The Answer
 * button opens the modal (views.open with the click's trigger and the
 * question); a submission is stored on its nudge and the message updated
 * (chat.update); someone else's click or submission is refused and nothing
 * stored; a plain DM reply answers the person's newest nudge; a thread
 * reply under a nudge nudged posted needs no code; /reflect sub-commands
 * change the store and answer their caller.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bank.h"
#include "chat/chat.h"
#include "clock.h"
#include "config.h"
#include "habits.h"
#include "harness.h"
#include "reply.h"
#include "reply_world.h"
#include "slack_fake.h"
#include "store.h"

/* 2026-06-01 06:00:00Z: the newest nudges are due then, the older at 18:00 before. */
#define NEWER_DUE	1780293600LL
#define OLDER_DUE	(NEWER_DUE - 43200)	/* still open an hour after NEWER_DUE */
#define SECRET		"8f742231b10e8888abcd99yyyzzz85a5"
#define TOKEN		"xoxb-1-2-test"
#define ADA_TS		"1780293600.000100"
#define TEAM_TS		"1780293600.000900"

struct fixture {
	struct reply_world	 w;
	struct slack_fake	 fake;
	int64_t			 ada_old, ada, ben, team;	/* delivery ids */
	struct reply_answer	 a;
	char			**headers;
};

/* POST body to path, signed with the app's secret now. */
static void
post(struct fixture *f, const char *path, const char *type, const char *body)
{
	struct chat_route route = { path, NULL, chat_find("slack") };
	struct reply_request req = { .path = path, .content_type = type,
	    .body = body, .len = strlen(body), .header = reply_world_header };
	const struct chat_route *rt;

	for (rt = route.platform->routes; rt->path != NULL; rt++)
		if (strcmp(rt->path, path) == 0)
			route = *rt;
	assert_non_null(route.accepts);
	if (f->headers != NULL)
		harness_headers_free(f->headers);
	f->headers = harness_slack_headers(SECRET, clock_now(&f->w.clock.clock),
	    type, body);
	req.ctx = f->headers;
	f->a.calls = 0;
	replies_handle_chat(f->w.r, &req, &route,
	    reply_world_waiter(&f->a));
}

/* An interaction: the payload JSON as Slack's form. */
static void
interact(struct fixture *f, const char *payload)
{
	char *enc = harness_form_encode(payload), *body;

	body = harness_format("payload=%s", enc);
	post(f, "/slack/interactions", "application/x-www-form-urlencoded",
	    body);
	free(body);
	free(enc);
}

/* A click on the Answer button of delivery id by user. */
static void
click(struct fixture *f, const char *user, int64_t id)
{
	char *p = harness_format("{\"type\": \"block_actions\", \"user\": "
	    "{\"id\": \"%s\", \"username\": \"x\"}, \"trigger_id\": "
	    "\"13345224609.738474920.8088930838d88f008e0\", \"container\": "
	    "{\"type\": \"message\", \"channel_id\": \"DADA\", \"message_ts\": "
	    "\"" ADA_TS "\"}, \"actions\": [{\"action_id\": \"nudged_answer\", "
	    "\"value\": \"%lld\", \"type\": \"button\"}]}", user, (long long)id);

	interact(f, p);
	free(p);
}

/* The modal of delivery id saved by user with text. */
static void
submit(struct fixture *f, const char *user, int64_t id, const char *text)
{
	cJSON *o = cJSON_Parse("{\"type\": \"view_submission\", \"user\": "
	    "{\"id\": \"\"}, \"view\": {\"id\": \"V0001\", \"callback_id\": "
	    "\"nudged_answer\", \"private_metadata\": \"\", \"state\": "
	    "{\"values\": {\"answer\": {\"text\": {\"type\": "
	    "\"plain_text_input\", \"value\": \"\"}}}}}}");
	cJSON *view = cJSON_GetObjectItem(o, "view");
	cJSON *input = cJSON_GetObjectItem(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(view, "state"), "values"),
	    "answer"), "text");
	char id_s[24], *json;

	snprintf(id_s, sizeof id_s, "%lld", (long long)id);
	cJSON_ReplaceItemInObject(cJSON_GetObjectItem(o, "user"), "id",
	    cJSON_CreateString(user));
	cJSON_ReplaceItemInObject(view, "private_metadata",
	    cJSON_CreateString(id_s));
	cJSON_ReplaceItemInObject(input, "value", cJSON_CreateString(text));
	json = cJSON_PrintUnformatted(o);
	interact(f, json);
	free(json);
	cJSON_Delete(o);
}

/* A message event: in a DM (im) or a channel, thread may be NULL. */
static void
message(struct fixture *f, const char *user, const char *channel,
    const char *type, const char *thread, const char *text)
{
	static int seq;
	int n = ++seq;
	char *body = harness_format("{\"type\": \"event_callback\", "
	    "\"event_id\": \"Ev%d\", \"event\": {\"type\": \"message\", "
	    "\"user\": \"%s\", \"channel\": \"%s\", \"channel_type\": \"%s\", "
	    "\"ts\": \"1780297200.00%04d\"%s%s%s, \"text\": \"%s\"}}", n, user,
	    channel, type, n, thread ? ", \"thread_ts\": \"" : "",
	    thread ? thread : "", thread ? "\"" : "", text);

	post(f, "/slack/events", "application/json", body);
	free(body);
}

/* /reflect TEXT by user, typed in channel. */
static void
command(struct fixture *f, const char *user, const char *channel,
    const char *text)
{
	char *enc = harness_form_encode(text), *body;

	body = harness_format("token=x&team_id=T1&channel_id=%s&user_id=%s&"
	    "user_name=someone&command=%%2Freflect&text=%s&trigger_id="
	    "TRIG-%s", channel, user, enc, user);
	post(f, "/slack/commands", "application/x-www-form-urlencoded", body);
	free(body);
	free(enc);
}

/* Let the loop turn until the fake has seen n calls of method (or 5 s). */
static void
await_calls(struct fixture *f, const char *method, int n)
{
	for (int i = 0; i < 500 && slack_fake_count(&f->fake, method) < n; i++) {
		reply_world_turn(&f->w);
		usleep(10000);
	}
	assert_int_equal(slack_fake_count(&f->fake, method), n);
}

/* A sent nudge (person "" for the team channel) and where it landed. */
static int64_t
sent(struct fixture *f, const char *schedule, const char *person,
    int64_t due, const char *conv, const char *ts)
{
	struct store_delivery d = { .schedule = schedule, .channel = "acme",
	    .prompt_id = f->w.bank->prompts[0].id, .due_at = due,
	    .state = STORE_SENT, .cycle = 1, .person = person };

	return reply_world_sent(&f->w, &d, conv, ts);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct slack_fake_opts opts = { .token = TOKEN, .record = 1 };
	char *cwd = getcwd(NULL, 0), *text, *log;

	reply_world_init(&f->w);
	log = harness_format("%s/slack.log", f->w.dir);
	assert_int_equal(slack_fake_start(&f->fake, log, &opts), 0);
	text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:1\", \"prompts\": \"%s/prompts\", \"timezone\": "
	    "\"UTC\", \"people\": {\"ada\": {\"slack\": \"U01ADA\"}, \"ben\": "
	    "{\"slack\": \"U01BEN\"}}, \"channels\": {\"acme\": {\"platform\": "
	    "\"slack\", \"signing_secret\": \"" SECRET "\", \"bot_token\": \""
	    TOKEN "\", \"slack_channel_id\": \"C0TEAM\", \"api_url\": "
	    "\"http://127.0.0.1:%d/api/\"}}, \"schedules\": [{\"name\": "
	    "\"daily\", \"cron\": \"0 6 * * *\", \"channel\": \"acme\", \"to\": "
	    "[\"ada\", \"ben\"], \"answer_window\": \"1d\"}, {\"name\": "
	    "\"weekly\", \"cron\": \"0 6 * * 1\", \"channel\": \"acme\", "
	    "\"answer_window\": \"1d\"}]}", cwd, f->fake.port);
	reply_world_load(&f->w, text, NEWER_DUE + 3600);
	f->ada_old = sent(f, "daily", "ada", OLDER_DUE, "DADA",
	    "1780207200.000100");
	f->ada = sent(f, "daily", "ada", NEWER_DUE, "DADA", ADA_TS);
	f->ben = sent(f, "daily", "ben", NEWER_DUE + 60, "DBEN",
	    "1780293660.000100");
	f->team = sent(f, "weekly", "", NEWER_DUE - 60, "C0TEAM", TEAM_TS);
	free(log);
	free(text);
	free(cwd);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	slack_fake_stop(&f->fake);
	reply_world_close(&f->w);
	if (f->headers != NULL)
		harness_headers_free(f->headers);
	reply_answer_free(&f->a);
	free(f);
	return 0;
}

/* The only recorded call of method: its parsed body. */
static const cJSON *
only_call(struct fixture *f, const char *method, cJSON **calls)
{
	const cJSON *call;

	*calls = slack_fake_calls(&f->fake, method);
	assert_int_equal(cJSON_GetArraySize(*calls), 1);
	call = cJSON_GetArrayItem(*calls, 0);
	assert_string_equal(cJSON_GetObjectItem(call, "auth")->valuestring,
	    "Bearer " TOKEN);
	return cJSON_GetObjectItem(call, "body");
}

/*
 * Ada clicks Answer: the click is answered 200 at once, before the loop
 * turns, and views.open goes out with her trigger, the nudge's id and its
 * question.
 */
static void
test_button_opens_modal(void **state)
{
	struct fixture *f = *state;
	const cJSON *body, *view;
	cJSON *calls;
	char *json, id[24];

	click(f, "U01ADA", f->ada);
	assert_int_equal(f->a.calls, 1);
	assert_int_equal(f->a.status, 200);
	await_calls(f, "views.open", 1);
	body = only_call(f, "views.open", &calls);
	assert_string_equal(cJSON_GetObjectItem(body, "trigger_id")->valuestring,
	    "13345224609.738474920.8088930838d88f008e0");
	view = cJSON_GetObjectItem(body, "view");
	snprintf(id, sizeof id, "%lld", (long long)f->ada);
	assert_string_equal(cJSON_GetObjectItem(view,
	    "private_metadata")->valuestring, id);
	json = cJSON_PrintUnformatted(view);
	assert_non_null(strstr(json, f->w.bank->prompts[0].text));
	free(json);
	cJSON_Delete(calls);
}

/* Ben clicks Ada's button: 403, no modal. */
static void
test_button_of_someone_else(void **state)
{
	struct fixture *f = *state;

	click(f, "U01BEN", f->ada);
	assert_int_equal(f->a.status, 403);
	assert_non_null(strstr(f->a.body, "someone else"));
	for (int i = 0; i < 20; i++) {
		reply_world_turn(&f->w);
		usleep(5000);
	}
	assert_int_equal(slack_fake_count(&f->fake, "views.open"), 0);
}

/*
 * Ada saves the modal: stored on her nudge once the turn commits, an empty
 * 200 closes the modal, and her message loses its button for "Answered —
 * streak 1".
 */
static void
test_submission_stored_and_message_updated(void **state)
{
	struct fixture *f = *state;
	const cJSON *body;
	cJSON *calls;
	char *json;

	submit(f, "U01ADA", f->ada, "I listened more than I talked");
	assert_int_equal(f->a.calls, 0);
	reply_world_turn(&f->w);
	assert_int_equal(f->a.status, 200);
	assert_string_equal(f->a.body, "");
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies WHERE user_id = 'U01ADA' AND message_id = 'V0001' AND "
	    "text = 'I listened more than I talked'"), 1);
	assert_int_equal(harness_db_int(f->w.state, "SELECT delivery_id FROM "
	    "replies"), f->ada);
	await_calls(f, "chat.update", 1);
	body = only_call(f, "chat.update", &calls);
	assert_string_equal(cJSON_GetObjectItem(body, "channel")->valuestring,
	    "DADA");
	assert_string_equal(cJSON_GetObjectItem(body, "ts")->valuestring,
	    ADA_TS);
	json = cJSON_PrintUnformatted(cJSON_GetObjectItem(body, "blocks"));
	assert_non_null(strstr(json, "Answered — streak 1"));
	assert_null(strstr(json, "nudged_answer"));
	free(json);
	cJSON_Delete(calls);
}

/* Ben saves a modal of Ada's nudge: the modal shows why, nothing stored. */
static void
test_submission_of_someone_else(void **state)
{
	struct fixture *f = *state;

	submit(f, "U01BEN", f->ada, "not mine to answer");
	reply_world_turn(&f->w);
	assert_int_equal(f->a.status, 200);
	assert_non_null(strstr(f->a.body, "\"response_action\":\"errors\""));
	assert_non_null(strstr(f->a.body, "someone else"));
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 0);
}

/* Over 4,000 characters, or after the window: the modal says so, nothing stored. */
static void
test_submission_refused_in_the_modal(void **state)
{
	struct fixture *f = *state;
	char *text = malloc(4002);

	memset(text, 'a', 4001);
	text[4001] = '\0';
	submit(f, "U01ADA", f->ada, text);
	reply_world_turn(&f->w);
	assert_int_equal(f->a.status, 200);
	assert_non_null(strstr(f->a.body, "\"response_action\":\"errors\""));
	assert_non_null(strstr(f->a.body, "4000"));
	free(text);

	clock_fake_set(&f->w.clock, (NEWER_DUE + 86400 + 1) * 1000);
	submit(f, "U01ADA", f->ada, "late");
	reply_world_turn(&f->w);
	assert_int_equal(f->a.status, 200);
	assert_non_null(strstr(f->a.body, "closed for answers"));
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 0);
}

/* A plain message in Ada's DM answers her newest nudge, not Ben's newer one. */
static void
test_dm_reply_answers_newest(void **state)
{
	struct fixture *f = *state;

	message(f, "U01ADA", "DADA", "im", NULL, "A calm week");
	reply_world_turn(&f->w);
	assert_int_equal(f->a.status, 200);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 1);
	assert_int_equal(harness_db_int(f->w.state, "SELECT delivery_id FROM "
	    "replies WHERE text = 'A calm week'"), f->ada);
	await_calls(f, "chat.update", 1);

	/* In the older nudge's thread: that one. */
	message(f, "U01ADA", "DADA", "im", "1780207200.000100", "Yesterday's");
	reply_world_turn(&f->w);
	assert_int_equal(harness_db_int(f->w.state, "SELECT delivery_id FROM "
	    "replies WHERE text = 'Yesterday''s'"), f->ada_old);

	/* Someone nudged does not ask: refused, nothing stored. */
	message(f, "U0STRANGER", "DSTR", "im", NULL, "hello");
	assert_int_equal(f->a.status, 422);
	reply_world_turn(&f->w);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 2);
}

/*
 * A thread reply in the team channel under the weekly question (posted
 * through the Web API) is its answer without a code; under an unknown root
 * a code is still needed.
 */
static void
test_thread_reply_known_root(void **state)
{
	struct fixture *f = *state;

	message(f, "U0CAROL", "C0TEAM", "channel", TEAM_TS, "Shipped it");
	reply_world_turn(&f->w);
	assert_int_equal(f->a.status, 200);
	assert_int_equal(harness_db_int(f->w.state, "SELECT delivery_id FROM "
	    "replies WHERE text = 'Shipped it'"), f->team);

	message(f, "U0CAROL", "C0TEAM", "channel", "1780000000.000001",
	    "just chatting");
	reply_world_turn(&f->w);
	assert_int_equal(f->a.status, 200);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 1);
}

/* pause, resume, away: in the store, each said back to its caller alone. */
static void
test_pause_resume_away(void **state)
{
	struct fixture *f = *state;
	int64_t now = NEWER_DUE + 3600;

	command(f, "U01ADA", "DADA", "pause");
	assert_int_equal(f->a.status, 200);
	assert_non_null(strstr(f->a.body, "\"response_type\":\"ephemeral\""));
	assert_non_null(strstr(f->a.body, "Paused"));
	assert_int_equal(reply_world_count(&f->w, "SELECT paused_at FROM "
	    "person_state WHERE person = 'ada'"), now);

	command(f, "U01ADA", "DADA", "resume");
	assert_non_null(strstr(f->a.body, "Resumed"));
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "person_state WHERE person = 'ada' AND paused_at IS NULL"), 1);

	command(f, "U01BEN", "DBEN", "away 2026-12-20 2027-01-06");
	assert_non_null(strstr(f->a.body, "Away from 2026-12-20 until "
	    "2027-01-06"));
	assert_int_equal(reply_world_count(&f->w, "SELECT away_from FROM "
	    "person_state WHERE person = 'ben'"), 20807);	/* 2026-12-20 */
	assert_int_equal(reply_world_count(&f->w, "SELECT away_until FROM "
	    "person_state WHERE person = 'ben'"), 20824);	/* 2027-01-06 */

	command(f, "U01BEN", "DBEN", "away until 2026-06-03");
	assert_int_equal(reply_world_count(&f->w, "SELECT away_from FROM "
	    "person_state WHERE person = 'ben'"), now / 86400);

	command(f, "U01BEN", "DBEN", "away 2026-13-01 2026-13-02");
	assert_non_null(strstr(f->a.body, "ephemeral"));
	assert_int_equal(reply_world_count(&f->w, "SELECT away_until FROM "
	    "person_state WHERE person = 'ben'"),
	    20607);	/* unchanged: 2026-06-03 */
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 0);
}

/* streak and help answer; a stranger hears nudged does not ask them. */
static void
test_streak_help_and_strangers(void **state)
{
	struct fixture *f = *state;

	message(f, "U01ADA", "DADA", "im", "1780207200.000100", "first one");
	reply_world_turn(&f->w);
	message(f, "U01ADA", "DADA", "im", NULL, "second one");
	reply_world_turn(&f->w);
	command(f, "U01ADA", "DADA", "streak");
	assert_int_equal(f->a.status, 200);
	assert_non_null(strstr(f->a.body, "Your streak: 2 in a row"));
	assert_non_null(strstr(f->a.body, "answered 2 of 2 questions (100%)"));
	assert_non_null(strstr(f->a.body, "second one"));
	assert_true(strstr(f->a.body, "second one") <
	    strstr(f->a.body, "first one"));

	command(f, "U01ADA", "DADA", "help");
	assert_non_null(strstr(f->a.body, "/reflect pause"));

	command(f, "U0STRANGER", "DSTR", "pause");
	assert_int_equal(f->a.status, 200);
	assert_non_null(strstr(f->a.body, "does not ask you questions "
	    "directly"));
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "person_state"), 0);
}

/*
 * edit opens the modal with the last answer while its window is open, and
 * what is saved there replaces that answer.
 */
static void
test_edit_opens_modal_with_last_answer(void **state)
{
	struct fixture *f = *state;
	const cJSON *body;
	cJSON *calls;
	char *json;

	command(f, "U01ADA", "DADA", "edit");
	assert_non_null(strstr(f->a.body, "no answer to edit"));

	message(f, "U01ADA", "DADA", "im", NULL, "draft answer");
	reply_world_turn(&f->w);
	command(f, "U01ADA", "DADA", "edit");
	assert_int_equal(f->a.status, 200);
	await_calls(f, "views.open", 1);
	body = only_call(f, "views.open", &calls);
	assert_string_equal(cJSON_GetObjectItem(body, "trigger_id")->valuestring,
	    "TRIG-U01ADA");
	json = cJSON_PrintUnformatted(body);
	assert_non_null(strstr(json, "\"initial_value\":\"draft answer\""));
	free(json);
	cJSON_Delete(calls);

	/* Saved, the modal's text replaces her answer: still one answer. */
	submit(f, "U01ADA", f->ada, "final answer");
	reply_world_turn(&f->w);
	assert_int_equal(f->a.status, 200);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 1);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies WHERE text = 'final answer' AND message_id = 'V0001'"), 1);

	clock_fake_set(&f->w.clock, (NEWER_DUE + 2 * 86400) * 1000);
	command(f, "U01ADA", "DADA", "edit");
	assert_non_null(strstr(f->a.body, "closed for answers"));
}

/* Ada's row of the stats, from a fresh document (freed by the caller via *doc). */
static const cJSON *
ada_stats(struct fixture *f, cJSON **doc)
{
	struct habits_filter filter = { 0 };
	const cJSON *row;
	char *cause = NULL;

	*doc = habits_stats(f->w.st, f->w.cfg, f->w.bank, &filter,
	    clock_now(&f->w.clock.clock), &cause);
	if (*doc == NULL)
		fail_msg("%s", cause);
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(*doc, "people"))
		if (strcmp(cJSON_GetObjectItem(row, "user")->valuestring,
		    "U01ADA") == 0)
			return row;
	fail_msg("no row for U01ADA");
	return NULL;
}

/*
 * The stats show a pause and an absence on the person's row, and an
 * absence keeps the unanswered nudges of its days out of their figures, as
 * the config's "away" does. Ada answers her older nudge, not the newer one
 * (due 2026-06-01); two days on, its window closed, it counts as missed
 * until she says she is away that day.
 */
static void
test_stats_show_pause_and_away(void **state)
{
	struct fixture *f = *state;
	const cJSON *row;
	cJSON *doc;
	double before;
	FILE *table;
	char *text = NULL;
	size_t len = 0;

	message(f, "U01ADA", "DADA", "im", "1780207200.000100", "counted");
	reply_world_turn(&f->w);
	clock_fake_set(&f->w.clock, (NEWER_DUE + 2 * 86400) * 1000);
	row = ada_stats(f, &doc);
	assert_null(cJSON_GetObjectItem(row, "paused_since"));
	assert_null(cJSON_GetObjectItem(row, "away_from"));
	before = cJSON_GetObjectItem(row, "deliveries")->valuedouble;
	cJSON_Delete(doc);

	clock_fake_set(&f->w.clock, (NEWER_DUE + 3600) * 1000);
	command(f, "U01ADA", "DADA", "pause");
	command(f, "U01ADA", "DADA", "away 2026-06-01 2026-06-01");
	clock_fake_set(&f->w.clock, (NEWER_DUE + 2 * 86400) * 1000);
	row = ada_stats(f, &doc);
	assert_string_equal(cJSON_GetObjectItem(row, "person")->valuestring,
	    "ada");
	assert_string_equal(cJSON_GetObjectItem(row,
	    "paused_since")->valuestring, "2026-06-01T07:00:00Z");
	assert_string_equal(cJSON_GetObjectItem(row, "away_from")->valuestring,
	    "2026-06-01");
	assert_string_equal(cJSON_GetObjectItem(row,
	    "away_until")->valuestring, "2026-06-01");
	/* Only the answered nudge is left: the missed ones were on her day away. */
	assert_true(before > 1);
	assert_true(cJSON_GetObjectItem(row, "deliveries")->valuedouble == 1);
	/* `nudged stats` prints them after the person's figures. */
	table = open_memstream(&text, &len);
	habits_print_table(table, doc);
	fclose(table);
	assert_non_null(strstr(text, "  paused  away 2026-06-01 to 2026-06-01\n"));
	free(text);
	cJSON_Delete(doc);
}

/* /reflect with an answer outside the team channel: the person's newest nudge. */
static void
test_command_answer_goes_to_the_person(void **state)
{
	struct fixture *f = *state;

	command(f, "U01BEN", "DBEN", "Less firefighting");
	reply_world_turn(&f->w);
	assert_int_equal(f->a.status, 200);
	assert_int_equal(harness_db_int(f->w.state, "SELECT delivery_id FROM "
	    "replies"), f->ben);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_button_opens_modal, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_button_of_someone_else,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_submission_stored_and_message_updated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_submission_of_someone_else,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_submission_refused_in_the_modal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dm_reply_answers_newest,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_thread_reply_known_root,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_pause_resume_away, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_streak_help_and_strangers,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_edit_opens_modal_with_last_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_command_answer_goes_to_the_person, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_show_pause_and_away,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
