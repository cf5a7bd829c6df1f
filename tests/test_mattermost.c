/* SPDX-License-Identifier: ISC */
/*
 * Mattermost conversations against the fake server API
 * (tests/support/mattermost_fake.c), on a hand-held clock. Outbound: a
 * person's DM is opened once with the bot's and their ids and kept; the
 * nudge is posted with an Answer button whose context carries the
 * delivery, the person and nudged's proof; a username is looked up once;
 * 404 and 403 mark the person; a 429 with X-Ratelimit-Reset pauses every call; a restart sends nobody
 * twice. Inbound (reply.c in-process): the button with a good proof opens
 * the dialog; its submission is stored and the post patched with the
 * streak; a forged proof, another person's click or submission store
 * nothing; the slash command takes the self-service sub-commands.
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
#include <unistd.h>

#include "bank.h"
#include "chat/chat.h"
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "deliver_fixture.h"
#include "harness.h"
#include "mattermost_fake.h"
#include "reply.h"
#include "reply_world.h"
#include "store.h"

#define TOKEN	"mm-bot-token-1"
#define BOT	"botbotbotbotbotbotbotbot12"
#define ADA	"ada1234567890abcdefghijklm"
#define BEN	"ben1234567890abcdefghijklm"
#define ADA_DM	"dmada1234567890abcdefghijk"
#define BEN_DM	"dmben1234567890abcdefghijk"
#define SLASH	"slash-command-token"
#define DUE	1780293600LL

struct world {
	struct deliver_fixture	 fx;
	struct api_fake		 fake;
	struct replies		*r;
	int			 status;	/* of the last inbound request */
	char			*body;
};

static void	world_open(struct world *, const struct mattermost_fake_opts *);
static void	world_close(struct world *);
static int64_t	world_seed(struct world *, const char *, int64_t);
static int	world_posts_to(struct world *, const char *);
static void	world_post(struct world *, const char *, const char *,
		    const char *);
static int	world_await(struct world *, const char *, int);

/*
 * Start the fake and load a config: ada, ben, gone1… and deny1… (ids the
 * fake refuses); channel "mm" with the bot, its server and nudged's URL,
 * and a slash command's token; schedule "s" to them all.
 */
static void
world_open(struct world *w, const struct mattermost_fake_opts *opts)
{
	char *cwd = getcwd(NULL, 0), *log, *text;

	memset(w, 0, sizeof *w);
	deliver_fixture_init(&w->fx);
	log = harness_format("%s/mm.log", w->fx.dir);
	if (mattermost_fake_start(&w->fake, log, opts) != 0)
		fail_msg("the fake Mattermost API did not start");
	text = harness_format("{\"state_dir\": \"state\", \"prompts\": "
	    "\"%s/prompts\", \"timezone\": \"UTC\", \"people\": {\"ada\": "
	    "{\"mattermost\": \"" ADA "\"}, \"ben\": {\"mattermost\": \"" BEN
	    "\"}, \"gone\": {\"mattermost\": \"gone234567890abcdefghijklm\"}, "
	    "\"deny\": {\"mattermost\": \"deny34567890abcdefghijklmn\"}, "
	    "\"cy\": {\"mattermost\": \"cyrus.b\"}, \"nemo\": {\"mattermost\": "
	    "\"nobody.here\"}}, "
	    "\"channels\": {\"mm\": {\"platform\": \"mattermost\", \"token\": \""
	    SLASH "\", \"bot_token\": \"" TOKEN "\", \"bot_user_id\": \"" BOT
	    "\", \"server_url\": \"http://127.0.0.1:%d\", \"callback_url\": "
	    "\"https://nudged.example.test\"}}, \"delivery\": {\"timeout\": "
	    "\"2s\", \"connect_timeout\": \"2s\", \"retry_initial\": \"10s\", "
	    "\"retry_max\": \"1m\", \"stop_grace\": \"1s\"}, \"schedules\": "
	    "[{\"name\": \"s\", \"cron\": \"0 6 * * *\", \"channel\": \"mm\", "
	    "\"to\": [\"ada\", \"ben\", \"gone\", \"deny\", \"cy\", \"nemo\"], "
	    "\"answer_window\": "
	    "\"1d\", \"themes\": [\"coaching\"]}]}", cwd, w->fake.port);
	deliver_fixture_load(&w->fx, text, DUE + 3600);
	w->r = replies_new(w->fx.base, &w->fx.clock.clock, w->fx.st, w->fx.cfg,
	    w->fx.bank);
	free(text);
	free(log);
	free(cwd);
}

/* Stop the fake by PID, free the world, remove the folder. */
static void
world_close(struct world *w)
{
	api_fake_stop(&w->fake);
	replies_free(w->r);
	deliver_fixture_close(&w->fx);
	free(w->body);
}

/* A pending nudge for person, due at due. */
static int64_t
world_seed(struct world *w, const char *person, int64_t due)
{
	struct store_delivery d = { .schedule = "s", .channel = "mm",
	    .prompt_id = "coaching-001", .cycle = 1, .due_at = due,
	    .state = STORE_PENDING, .kind = STORE_KIND_PROMPT,
	    .person = person };

	return deliver_fixture_seed(&w->fx, &d);
}

/* How many posts went to one DM. */
static int
world_posts_to(struct world *w, const char *dm)
{
	return deliver_fixture_count(api_fake_calls(&w->fake,
	    MATTERMOST_FAKE_POSTS), "channel_id", dm);
}

/* Let the loop turn until the fake saw n calls under prefix (5 s at most). */
static int
world_await(struct world *w, const char *prefix, int n)
{
	for (int i = 0; i < 500 && api_fake_count(&w->fake, prefix) < n; i++)
		deliver_fixture_tick(&w->fx, 10);
	return api_fake_count(&w->fake, prefix);
}

/* Collect the answer. */
static void
world_answer_cb(void *arg, const struct reply_response *resp)
{
	struct world *w = arg;

	w->status = resp->status;
	free(w->body);
	w->body = strdup(resp->body);
}

/* POST body of type to path as Mattermost would, and let the turn end. */
static void
world_post(struct world *w, const char *path, const char *type,
    const char *body)
{
	const struct chat_platform *p = chat_find("mattermost");
	const struct chat_route *rt;
	struct reply_request req = { .path = path, .content_type = type,
	    .body = body, .len = strlen(body), .header = reply_world_header };

	for (rt = p->routes; rt->path != NULL && strcmp(rt->path, path) != 0;
	    rt++)
		;
	assert_non_null(rt->path);
	w->status = 0;
	replies_handle_chat(w->r, &req, rt,
	    (struct reply_waiter){ world_answer_cb, w });
	event_base_loop(w->fx.base, EVLOOP_NONBLOCK);
	assert_int_not_equal(w->status, 0);
}

/* The action Mattermost posts for a click by user on a button with context. */
static void
click(struct world *w, const char *user, int64_t id, const char *person,
    const char *proof)
{
	char *body = harness_format("{\"user_id\": \"%s\", \"user_name\": "
	    "\"x\", \"channel_id\": \"" ADA_DM "\", \"team_id\": \"\", "
	    "\"post_id\": \"post0000000000000000000001\", \"trigger_id\": "
	    "\"trig-%s\", \"type\": \"\", \"context\": {\"delivery\": "
	    "\"%lld\", \"person\": \"%s\", \"proof\": \"%s\"}}", user, user,
	    (long long)id, person, proof);

	world_post(w, "/mattermost/actions", "application/json", body);
	free(body);
}

/* The dialog's submission by user with state and text. */
static void
dialog(struct world *w, const char *user, const char *state, const char *text)
{
	char *body = harness_format("{\"type\": \"dialog_submission\", "
	    "\"callback_id\": \"nudgedanswer\", \"state\": \"%s\", "
	    "\"user_id\": \"%s\", \"channel_id\": \"" ADA_DM "\", \"team_id\": "
	    "\"\", \"submission\": {\"answer\": \"%s\"}, \"cancelled\": false}",
	    state, user, text);

	world_post(w, "/mattermost/dialogs", "application/json", body);
	free(body);
}

/*
 * Ada's DM is opened once with the bot's id and hers, kept, and her nudge
 * posted into it with the Answer button: integration.url is nudged's
 * actions route, the context names the delivery and ada with the proof
 * nudged made of both. Her second nudge opens nothing.
 */
static void
test_dm_opened_once_with_button(void **state)
{
	struct mattermost_fake_opts opts = { .token = TOKEN, .bot_id = BOT,
	    .record = 1 };
	struct world w;
	cJSON *calls, *call, *button, *ctx;
	char *proof, *id;
	int64_t first;

	(void)state;
	world_open(&w, &opts);
	first = world_seed(&w, "ada", w.fx.now);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "id = %lld AND state = 'sent' AND message_channel = '" ADA_DM "' "
	    "AND message_id LIKE 'post%%'", (long long)first);
	calls = api_fake_calls(&w.fake, MATTERMOST_FAKE_DM);
	assert_int_equal(cJSON_GetArraySize(calls), 1);
	call = cJSON_GetArrayItem(calls, 0);
	assert_string_equal(cJSON_GetObjectItem(call, "auth")->valuestring,
	    "Bearer " TOKEN);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(call,
	    "body"), 0)->valuestring, BOT);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(call,
	    "body"), 1)->valuestring, ADA);
	cJSON_Delete(calls);
	calls = api_fake_calls(&w.fake, MATTERMOST_FAKE_POSTS);
	call = cJSON_GetObjectItem(cJSON_GetArrayItem(calls, 0), "body");
	button = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(call, "props"),
	    "attachments"), 0), "actions"), 0);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(button,
	    "integration"), "url")->valuestring,
	    "https://nudged.example.test/mattermost/actions");
	ctx = cJSON_GetObjectItem(cJSON_GetObjectItem(button, "integration"),
	    "context");
	id = harness_format("%lld", (long long)first);
	assert_string_equal(cJSON_GetObjectItem(ctx, "delivery")->valuestring,
	    id);
	assert_string_equal(cJSON_GetObjectItem(ctx, "person")->valuestring,
	    "ada");
	proof = store_callback_proof(w.fx.st, first, "ada");
	assert_string_equal(cJSON_GetObjectItem(ctx, "proof")->valuestring,
	    proof);
	free(proof);
	free(id);
	cJSON_Delete(calls);

	world_seed(&w, "ada", w.fx.now + 60);
	deliver_fixture_advance(&w.fx, 60000);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	assert_int_equal(api_fake_count(&w.fake, MATTERMOST_FAKE_DM), 1);
	assert_int_equal(world_posts_to(&w, ADA_DM), 2);
	world_close(&w);
}

/*
 * Cy is named by username: his id is looked up once, his DM opened with
 * it and kept; his second nudge makes neither call.
 */
static void
test_username_found_once(void **state)
{
	struct mattermost_fake_opts opts = { .token = TOKEN, .bot_id = BOT,
	    .record = 1 };
	struct world w;
	cJSON *calls;

	(void)state;
	world_open(&w, &opts);
	world_seed(&w, "cy", w.fx.now);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "person = 'cy' AND state = 'sent' AND message_channel = "
	    "'dmcyrus0b00000000000000000'");
	calls = api_fake_calls(&w.fake, MATTERMOST_FAKE_DM);
	assert_int_equal(cJSON_GetArraySize(calls), 1);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(calls, 0), "body"), 1)->valuestring,
	    "cyrus0b0000000000000000000");
	cJSON_Delete(calls);
	assert_int_equal(api_fake_count(&w.fake, MATTERMOST_FAKE_USERS), 1);
	world_seed(&w, "cy", w.fx.now + 60);
	deliver_fixture_advance(&w.fx, 60000);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "person = 'cy' AND state = 'sent'");
	assert_int_equal(api_fake_count(&w.fake, MATTERMOST_FAKE_USERS), 1);
	assert_int_equal(api_fake_count(&w.fake, MATTERMOST_FAKE_DM), 1);
	world_close(&w);
}

/*
 * 404 and 403 on a person's DM, and a username nobody has, fail the
 * delivery and mark the person.
 */
static void
test_person_unreachable(void **state)
{
	struct mattermost_fake_opts opts = { .token = TOKEN, .bot_id = BOT,
	    .record = 1 };
	struct world w;

	(void)state;
	world_open(&w, &opts);
	world_seed(&w, "gone", w.fx.now);
	world_seed(&w, "deny", w.fx.now);
	world_seed(&w, "nemo", w.fx.now);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 3, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'failed'");
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM person_channels "
	    "WHERE person = 'nemo' AND inactive LIKE '%%HTTP 404%%'");
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM person_channels "
	    "WHERE person = 'gone' AND inactive LIKE '%%HTTP 404%%Unable to "
	    "find the user%%'");
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM person_channels "
	    "WHERE person = 'deny' AND inactive LIKE '%%HTTP 403%%'");
	assert_int_equal(api_fake_count(&w.fake, MATTERMOST_FAKE_POSTS), 0);
	world_close(&w);
}

/*
 * A 429 with X-Ratelimit-Reset: 30 on ada's post pauses every call: ben's
 * DM is not opened meanwhile; both go out after 30 s.
 */
static void
test_ratelimit_pauses_every_call(void **state)
{
	struct mattermost_fake_opts opts = { .token = TOKEN, .bot_id = BOT,
	    .record = 1, .limit_count = 1, .reset = 30 };
	struct world w;

	(void)state;
	world_open(&w, &opts);
	world_seed(&w, "ada", w.fx.now);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "person = 'ada' AND state = 'pending' AND attempts = 1 AND "
	    "last_error LIKE '%%HTTP 429%%'");
	world_seed(&w, "ben", w.fx.now);
	deliver_fixture_advance(&w.fx, 29000);
	deliver_fixture_tick(&w.fx, 100);
	assert_int_equal(api_fake_count(&w.fake, MATTERMOST_FAKE_DM), 1);
	deliver_fixture_advance(&w.fx, 1500);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	assert_int_equal(world_posts_to(&w, BEN_DM), 1);
	world_close(&w);
}

/*
 * A restart mid-fan-out: ben's DM call was in flight when the worker was
 * freed; the new worker repeats it; everyone gets one post.
 */
static void
test_restart_sends_nobody_twice(void **state)
{
	struct mattermost_fake_opts opts = { .token = TOKEN, .bot_id = BOT,
	    .record = 1, .slow_ms = 300 };
	struct world w;

	(void)state;
	world_open(&w, &opts);
	world_seed(&w, "ada", w.fx.now);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	world_seed(&w, "ben", w.fx.now);
	deliver_fixture_advance(&w.fx, 1000);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sending'");
	assert_int_equal(world_await(&w, MATTERMOST_FAKE_DM, 2), 2);
	deliver_free(w.fx.d);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent' AND message_id IS NOT NULL");
	deliver_fixture_tick(&w.fx, 400);
	assert_int_equal(world_posts_to(&w, ADA_DM), 1);
	assert_int_equal(world_posts_to(&w, BEN_DM), 1);
	world_close(&w);
}

/* A sent nudge to person, kept in their DM as post. */
static int64_t
world_sent(struct world *w, const char *person, const char *post)
{
	struct store_delivery d = { .schedule = "s", .channel = "mm",
	    .prompt_id = w->fx.bank->prompts[0].id, .due_at = DUE,
	    .state = STORE_SENT, .cycle = 1, .person = person };
	int64_t id = 0;

	assert_int_equal(store_enqueue(w->fx.st, &d, &id), 1);
	assert_int_equal(store_set_message(w->fx.st, id, ADA_DM, post), 0);
	return id;
}

/*
 * Ada's click with the proof opens the dialog (her trigger, nudged's
 * dialogs route, the state with the proof); her submission is stored and
 * closes it, and the post is patched "Answered — streak 1".
 */
static void
test_button_dialog_stored(void **state)
{
	struct mattermost_fake_opts opts = { .token = TOKEN, .bot_id = BOT,
	    .record = 1 };
	struct world w;
	cJSON *calls, *body, *att;
	char *proof, *st, *sql;
	int64_t id;

	(void)state;
	world_open(&w, &opts);
	id = world_sent(&w, "ada", "post0000000000000000000001");
	proof = store_callback_proof(w.fx.st, id, "ada");
	click(&w, ADA, id, "ada", proof);
	assert_int_equal(w.status, 200);
	assert_int_equal(world_await(&w, MATTERMOST_FAKE_DIALOG, 1), 1);
	calls = api_fake_calls(&w.fake, MATTERMOST_FAKE_DIALOG);
	body = cJSON_GetObjectItem(cJSON_GetArrayItem(calls, 0), "body");
	assert_string_equal(cJSON_GetObjectItem(body, "trigger_id")->valuestring,
	    "trig-" ADA);
	assert_string_equal(cJSON_GetObjectItem(body, "url")->valuestring,
	    "https://nudged.example.test/mattermost/dialogs");
	st = harness_format("%lld:ada:%s", (long long)id, proof);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(body,
	    "dialog"), "state")->valuestring, st);
	cJSON_Delete(calls);

	dialog(&w, ADA, st, "Shipped the importer");
	assert_int_equal(w.status, 200);
	assert_string_equal(w.body, "{}");
	sql = harness_format("SELECT count(*) FROM replies WHERE delivery_id = "
	    "%lld AND user_id = '" ADA "' AND text = 'Shipped the importer'",
	    (long long)id);
	assert_int_equal(harness_db_int(w.fx.state, "%s", sql), 1);
	assert_int_equal(world_await(&w, "/api/v4/posts/post0000000000000000000001"
	    "/patch", 1), 1);
	calls = api_fake_calls(&w.fake, "/api/v4/posts/post");
	body = cJSON_GetObjectItem(cJSON_GetArrayItem(calls, 0), "body");
	att = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(body,
	    "props"), "attachments"), 0);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(calls, 0),
	    "method")->valuestring, "PUT");
	assert_string_equal(cJSON_GetObjectItem(att, "footer")->valuestring,
	    "Answered \xe2\x80\x94 streak 1");
	assert_null(cJSON_GetObjectItem(att, "actions"));
	cJSON_Delete(calls);
	free(sql);
	free(st);
	free(proof);
	world_close(&w);
}

/*
 * A forged proof, ben clicking ada's button (with her real proof), a
 * dialog whose state was edited to another delivery, and ben submitting
 * ada's dialog: all refused, no dialog opened, nothing stored.
 */
static void
test_forged_and_foreign_refused(void **state)
{
	struct mattermost_fake_opts opts = { .token = TOKEN, .bot_id = BOT,
	    .record = 1 };
	struct world w;
	char *proof, *st, *moved;
	int64_t id, ben;

	(void)state;
	world_open(&w, &opts);
	id = world_sent(&w, "ada", "post0000000000000000000001");
	ben = world_sent(&w, "ben", "post0000000000000000000002");
	proof = store_callback_proof(w.fx.st, id, "ada");
	click(&w, ADA, id, "ada", "00112233445566778899aabbccddeeff00112233445566"
	    "778899aabbccddeeff");
	assert_int_equal(w.status, 403);
	click(&w, BEN, id, "ada", proof);
	assert_int_equal(w.status, 403);
	st = harness_format("%lld:ada:%s", (long long)id, proof);
	moved = harness_format("%lld:ada:%s", (long long)ben, proof);
	dialog(&w, ADA, moved, "moved to another question");
	assert_non_null(strstr(w.body, "\"errors\""));
	dialog(&w, BEN, st, "not mine");
	assert_non_null(strstr(w.body, "\"errors\""));
	deliver_fixture_tick(&w.fx, 100);
	assert_int_equal(api_fake_count(&w.fake, MATTERMOST_FAKE_DIALOG), 0);
	assert_int_equal(harness_db_int(w.fx.state, "SELECT count(*) FROM "
	    "replies"), 0);
	free(moved);
	free(st);
	free(proof);
	world_close(&w);
}

/* The slash command (its token) takes pause and streak. */
static void
test_slash_self_service(void **state)
{
	struct mattermost_fake_opts opts = { .token = TOKEN, .bot_id = BOT };
	struct world w;

	(void)state;
	world_open(&w, &opts);
	world_sent(&w, "ada", "post0000000000000000000001");
	world_post(&w, "/mattermost", "application/x-www-form-urlencoded",
	    "token=" SLASH "&command=%2Freflect&user_id=" ADA "&user_name=ada&"
	    "channel_id=" ADA_DM "&trigger_id=t1&text=pause");
	assert_int_equal(w.status, 200);
	assert_non_null(strstr(w.body, "Paused"));
	assert_int_equal(harness_db_int(w.fx.state, "SELECT count(*) FROM "
	    "person_state WHERE person = 'ada' AND paused_at IS NOT NULL"), 1);
	world_post(&w, "/mattermost", "application/x-www-form-urlencoded",
	    "token=" SLASH "&command=%2Freflect&user_id=" ADA "&user_name=ada&"
	    "channel_id=" ADA_DM "&trigger_id=t2&text=streak");
	assert_non_null(strstr(w.body, "Your streak"));
	world_post(&w, "/mattermost", "application/x-www-form-urlencoded",
	    "token=wrong&command=%2Freflect&user_id=" ADA "&user_name=ada&"
	    "channel_id=" ADA_DM "&trigger_id=t3&text=resume");
	assert_int_equal(w.status, 403);
	world_close(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dm_opened_once_with_button),
		cmocka_unit_test(test_username_found_once),
		cmocka_unit_test(test_person_unreachable),
		cmocka_unit_test(test_ratelimit_pauses_every_call),
		cmocka_unit_test(test_restart_sends_nobody_twice),
		cmocka_unit_test(test_button_dialog_stored),
		cmocka_unit_test(test_forged_and_foreign_refused),
		cmocka_unit_test(test_slash_self_service),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
