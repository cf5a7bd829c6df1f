/* SPDX-License-Identifier: ISC */
/*
 * Deliveries through Slack's Web API, on a hand-held clock: a person's DM is
 * opened once and kept, the nudge is posted into it with its Answer button
 * and its ts kept; a reminder goes in the nudge's thread; a channel without
 * a webhook posts with chat.postMessage; a person who cannot be reached is
 * marked and not asked again; refused credentials are told once per
 * channel; a rate limit pauses the method for every delivery of the
 * channel; a restart sends nobody twice but what was in flight. deliver
 * runs in this process against the fake Web API (tests/support/slack_fake.c,
 * a child on 127.0.0.1) through the real libcurl path.
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
#include "metrics.h"
#include "schedule.h"
#include "slack_fake.h"
#include "store.h"

#define TOKEN	"xoxb-nudged-test-1"

/* A worker, the fake Web API it talks to, and a private folder. */
struct world {
	struct deliver_fixture	 fx;
	struct slack_fake	 fake;
};

static void	world_open(struct world *, const struct slack_fake_opts *,
		    const char *);
static void	world_close(struct world *);
static int64_t	world_seed(struct world *, const char *, const char *,
		    const char *, int64_t, enum store_kind, int64_t);
static int	world_posts_to(struct world *, const char *);
static int	world_opens_of(struct world *, const char *);
static char	*world_message_id(struct world *, int64_t);

/*
 * Start the fake with opts and load a config: people ada, ben, cy (real
 * looking ids) and gone, bot, idle (ids the fake refuses); channel "a" with
 * the bot token token (DMs only), channel "t" also with a channel id (the
 * team's own posts); schedule "s" on "a" to everyone, "team" on "t".
 */
static void
world_open(struct world *w, const struct slack_fake_opts *opts,
    const char *token)
{
	char *cwd = getcwd(NULL, 0), *log, *text;

	memset(w, 0, sizeof *w);
	deliver_fixture_init(&w->fx);
	log = harness_format("%s/slack.log", w->fx.dir);
	if (slack_fake_start(&w->fake, log, opts) != 0)
		fail_msg("the fake Slack API did not start");
	text = harness_format("{\"state_dir\": \"state\", \"prompts\": "
	    "\"%s/prompts\", \"people\": {\"ada\": {\"slack\": \"U01ADA\"}, "
	    "\"ben\": {\"slack\": \"U01BEN\"}, \"cy\": {\"slack\": \"U01CY\"}, "
	    "\"gone\": {\"slack\": \"UGONE1\"}, \"bot\": {\"slack\": \"UBOT1\"}, "
	    "\"idle\": {\"slack\": \"UINACTIVE1\"}}, \"channels\": {"
	    "\"a\": {\"platform\": \"slack\", \"bot_token\": \"%s\", "
	    "\"api_url\": \"http://127.0.0.1:%d/api/\"}, "
	    "\"t\": {\"platform\": \"slack\", \"bot_token\": \"%s\", "
	    "\"slack_channel_id\": \"C0TEAM\", \"api_url\": "
	    "\"http://127.0.0.1:%d/api\"}}, \"delivery\": {\"timeout\": \"2s\", "
	    "\"connect_timeout\": \"2s\", \"retry_initial\": \"10s\", "
	    "\"retry_max\": \"1m\", \"stop_grace\": \"1s\"}, \"schedules\": ["
	    "{\"name\": \"s\", \"cron\": \"0 0 1 1 *\", \"channel\": \"a\", "
	    "\"to\": [\"ada\", \"ben\", \"cy\", \"gone\", \"bot\", \"idle\"], "
	    "\"themes\": [\"coaching\"]}, {\"name\": \"team\", \"cron\": "
	    "\"0 0 1 1 *\", \"channel\": \"t\", \"themes\": [\"coaching\"]}]}",
	    cwd, token, w->fake.port, token, w->fake.port);
	deliver_fixture_load(&w->fx, text, clock_now(clock_system()));
	free(text);
	free(log);
	free(cwd);
}

/* Stop the fake by PID, free the world, remove the folder. */
static void
world_close(struct world *w)
{
	slack_fake_stop(&w->fake);
	deliver_fixture_close(&w->fx);
}

/* Add one pending row as the scheduler would; person NULL: the channel's own. */
static int64_t
world_seed(struct world *w, const char *schedule, const char *channel,
    const char *person, int64_t due_at, enum store_kind kind, int64_t parent)
{
	struct store_delivery d = { .schedule = schedule, .channel = channel,
	    .prompt_id = kind == STORE_KIND_DIGEST ? NULL : "coaching-001",
	    .cycle = 1, .due_at = due_at, .state = STORE_PENDING, .kind = kind,
	    .person = person, .parent_id = parent };

	return deliver_fixture_seed(&w->fx, &d);
}

/* How many chat.postMessage calls went to one conversation. */
static int
world_posts_to(struct world *w, const char *conversation)
{
	return deliver_fixture_count(slack_fake_calls(&w->fake,
	    "chat.postMessage"), "channel", conversation);
}

/* How many conversations.open calls asked for one user. */
static int
world_opens_of(struct world *w, const char *user)
{
	return deliver_fixture_count(slack_fake_calls(&w->fake,
	    "conversations.open"), "users", user);
}

/* The message id the store keeps for a delivery, or NULL. */
static char *
world_message_id(struct world *w, int64_t id)
{
	char *path = harness_format("%s/%s", w->fx.state, STORE_FILE);
	char *out = NULL;
	sqlite3_stmt *stmt;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT message_id FROM "
	    "deliveries WHERE id = ?1", -1, &stmt, NULL), SQLITE_OK);
	sqlite3_bind_int64(stmt, 1, id);
	if (sqlite3_step(stmt) == SQLITE_ROW &&
	    sqlite3_column_text(stmt, 0) != NULL)
		out = strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(path);
	return out;
}

/*
 * ada's DM is opened once with the bot token and kept; her nudge goes into
 * it with the Answer button naming the delivery, and its ts is kept. Her
 * second nudge opens nothing; a reminder goes in the first nudge's thread.
 */
static void
test_dm_opened_once_and_kept(void **state)
{
	struct slack_fake_opts opts = { .token = TOKEN, .record = 1 };
	struct world w;
	cJSON *calls, *post, *button;
	char *ts, *want;
	int64_t first;

	(void)state;
	world_open(&w, &opts, TOKEN);
	first = world_seed(&w, "s", "a", "ada", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "id = %lld AND state = 'sent' AND message_channel = 'D01ADA' AND "
	    "message_id LIKE '1700000000.%%'", (long long)first);
	assert_int_equal(harness_db_int(w.fx.state, "SELECT count(*) FROM "
	    "person_channels WHERE channel = 'a' AND person = 'ada' AND dm_id = "
	    "'D01ADA' AND inactive IS NULL"), 1);
	assert_int_equal(world_opens_of(&w, "U01ADA"), 1);
	calls = slack_fake_calls(&w.fake, "conversations.open");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(calls, 0), "auth")), "Bearer " TOKEN);
	cJSON_Delete(calls);
	calls = slack_fake_calls(&w.fake, "chat.postMessage");
	assert_int_equal(cJSON_GetArraySize(calls), 1);
	post = cJSON_GetObjectItem(cJSON_GetArrayItem(calls, 0), "body");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(post,
	    "channel")), "D01ADA");
	assert_null(cJSON_GetObjectItem(post, "thread_ts"));
	/* coaching-001's follow-up is for later: question, button, theme. */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(post,
	    "blocks")), 3);
	button = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(post, "blocks"), 1), "elements"), 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(button,
	    "action_id")), "nudged_answer");
	want = harness_format("%lld", (long long)first);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(button,
	    "value")), want);
	free(want);
	cJSON_Delete(calls);

	/* The second nudge: no conversations.open. */
	world_seed(&w, "s", "a", "ada", w.fx.now + 60, STORE_KIND_PROMPT, 0);
	deliver_fixture_advance(&w.fx, 60000);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "person = 'ada' AND state = 'sent' AND message_channel = 'D01ADA'");
	assert_int_equal(slack_fake_count(&w.fake, "conversations.open"), 1);
	assert_int_equal(world_posts_to(&w, "D01ADA"), 2);

	/* The reminder of the first: in its thread. */
	world_seed(&w, "s", "a", "ada", w.fx.now + 120, STORE_KIND_REMINDER,
	    first);
	deliver_fixture_advance(&w.fx, 60000);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "kind = 'reminder' AND state = 'sent'");
	calls = slack_fake_calls(&w.fake, "chat.postMessage");
	post = cJSON_GetObjectItem(cJSON_GetArrayItem(calls, 2), "body");
	ts = world_message_id(&w, first);
	assert_non_null(ts);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(post,
	    "thread_ts")), ts);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(post,
	    "channel")), "D01ADA");
	free(ts);
	cJSON_Delete(calls);
	assert_int_equal(slack_fake_count(&w.fake, "conversations.open"), 1);
	world_close(&w);
}

/*
 * user_not_found, cannot_dm_bot and account_inactive from conversations.open
 * fail the delivery and mark the person; their next delivery fails at once,
 * without a call, and nothing was ever posted.
 */
static void
test_person_unreachable(void **state)
{
	struct slack_fake_opts opts = { .token = TOKEN, .record = 1 };
	struct world w;
	int64_t again;

	(void)state;
	world_open(&w, &opts, TOKEN);
	world_seed(&w, "s", "a", "gone", w.fx.now, STORE_KIND_PROMPT, 0);
	world_seed(&w, "s", "a", "bot", w.fx.now, STORE_KIND_PROMPT, 0);
	world_seed(&w, "s", "a", "idle", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 3, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'failed' AND attempts = 1");
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM person_channels "
	    "WHERE person = 'gone' AND inactive LIKE '%%user_not_found%%'");
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM person_channels "
	    "WHERE person = 'bot' AND inactive LIKE '%%cannot_dm_bot%%'");
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM person_channels "
	    "WHERE person = 'idle' AND inactive LIKE '%%account_inactive%%'");
	assert_int_equal(slack_fake_count(&w.fake, "conversations.open"), 3);
	assert_int_equal(slack_fake_count(&w.fake, "chat.postMessage"), 0);

	again = world_seed(&w, "s", "a", "gone", w.fx.now + 60,
	    STORE_KIND_PROMPT,
	    0);
	deliver_fixture_advance(&w.fx, 60000);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "id = %lld AND state = 'failed' AND attempts = 0 AND reason LIKE "
	    "'%%cannot be reached%%user_not_found%%'", (long long)again);
	deliver_fixture_tick(&w.fx, 50);
	assert_int_equal(world_opens_of(&w, "UGONE1"), 1);
	assert_int_equal(slack_fake_count(&w.fake, "chat.postMessage"), 0);
	world_close(&w);
}

/*
 * A token Slack refuses fails each delivery, says so loudly once for the
 * channel (not per delivery), never prints the token, and shows in
 * deliver_channel_refused.
 */
static void
test_auth_refused_told_once(void **state)
{
	struct slack_fake_opts opts = { .token = TOKEN, .record = 1 };
	struct world w;
	char *logged;
	int saved;

	(void)state;
	world_open(&w, &opts, "xoxb-refused-token-9");
	saved = deliver_fixture_capture(&w.fx);
	world_seed(&w, "s", "a", "ada", w.fx.now, STORE_KIND_PROMPT, 0);
	world_seed(&w, "s", "a", "ben", w.fx.now, STORE_KIND_PROMPT, 0);
	world_seed(&w, "s", "a", "cy", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 3, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'failed' AND reason LIKE '%%invalid_auth%%'");
	logged = deliver_fixture_release(&w.fx, saved);
	assert_int_equal(deliver_channel_refused(w.fx.d, "a"), 1);
	assert_int_equal(deliver_channel_refused(w.fx.d, "t"), 0);
	/* /healthz and /metrics read the refusal from metrics. */
	assert_string_equal(metrics_credentials_refused(0), "a");
	assert_null(metrics_credentials_refused(1));
	/* Once per channel, never the token, nobody marked for it. */
	deliver_fixture_refused_once(&w.fx, logged, "xoxb-refused-token-9");
	free(logged);
	world_close(&w);
}

/*
 * A 429 with Retry-After on chat.postMessage pauses that method for the
 * channel: a delivery that comes due meanwhile waits (no call at all), and
 * both go out when the pause ends.
 */
static void
test_ratelimit_pauses_method(void **state)
{
	struct slack_fake_opts opts = { .token = TOKEN, .record = 1,
	    .limit_method = "chat.postMessage", .limit_count = 1,
	    .retry_after = 30 };
	struct world w;

	(void)state;
	world_open(&w, &opts, TOKEN);
	world_seed(&w, "s", "a", "ada", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, w.fx.now + 30, "SELECT next_attempt_at "
	    "FROM deliveries WHERE person = 'ada' AND state = 'pending' AND "
	    "attempts = 1 AND last_error LIKE '%%HTTP 429%%'");
	world_seed(&w, "s", "a", "ben", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_advance(&w.fx, 1000);
	deliver_fixture_tick(&w.fx, 100);
	deliver_fixture_advance(&w.fx, 28000);
	deliver_fixture_tick(&w.fx, 100);
	assert_int_equal(slack_fake_count(&w.fake, "chat.postMessage"), 1);
	assert_int_equal(world_opens_of(&w, "U01BEN"), 0);
	assert_int_equal(harness_db_int(w.fx.state, "SELECT attempts FROM "
	    "deliveries WHERE person = 'ben'"), 0);
	deliver_fixture_advance(&w.fx, 1000);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	assert_int_equal(world_posts_to(&w, "D01ADA"), 2);
	assert_int_equal(world_posts_to(&w, "D01BEN"), 1);
	world_close(&w);
}

/*
 * A channel with a bot token and a channel id but no webhook posts its own
 * nudge with chat.postMessage into that channel and keeps its ts; nobody's
 * DM is opened.
 */
static void
test_channel_post_keeps_ts(void **state)
{
	struct slack_fake_opts opts = { .token = TOKEN, .record = 1 };
	struct world w;
	int64_t id;

	(void)state;
	world_open(&w, &opts, TOKEN);
	id = world_seed(&w, "team", "t", NULL, w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "id = %lld AND state = 'sent' AND message_channel = 'C0TEAM' AND "
	    "message_id LIKE '1700000000.%%'", (long long)id);
	assert_int_equal(world_posts_to(&w, "C0TEAM"), 1);
	assert_int_equal(slack_fake_count(&w.fake, "conversations.open"), 0);
	world_close(&w);
}

/*
 * A digest of a channel that only sends DMs (no webhook, no channel id)
 * cannot go anywhere: it fails at once, saying why, without a call.
 */
static void
test_digest_without_channel_fails(void **state)
{
	struct slack_fake_opts opts = { .token = TOKEN, .record = 1 };
	struct world w;

	(void)state;
	world_open(&w, &opts, TOKEN);
	world_seed(&w, "s", "a", NULL, w.fx.now, STORE_KIND_DIGEST, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'failed' AND attempts = 0 AND reason LIKE '%%no "
	    "webhook%%'");
	assert_int_equal(slack_fake_count(&w.fake, "chat.postMessage"), 0);
	world_close(&w);
}

/* The same, caught earlier: a direct schedule's digest on such a channel is a config error. */
static void
test_digest_without_channel_config_error(void **state)
{
	char *dir = harness_tmpdir(), *path, *cause = NULL;
	struct config *cfg;

	(void)state;
	path = harness_format("%s/nudged.json", dir);
	harness_write(path, "{\"state_dir\": \"state\", \"people\": {\"ada\": "
	    "{\"slack\": \"U01ADA\"}},\n\"channels\": {\"a\": {\"platform\": "
	    "\"slack\", \"bot_token\": \"xoxb-1\"}},\n\"schedules\": [{\"name\": "
	    "\"s\", \"cron\": \"0 9 * * *\", \"channel\": \"a\", \"to\": "
	    "[\"ada\"],\n\"digest\": \"0 17 * * FRI\"}]}");
	cfg = config_load(path, &cause);
	assert_null(cfg);
	assert_non_null(strstr(cause, "nudged.json:4:"));
	assert_non_null(strstr(cause, "the digest is posted in channel \"a\", "
	    "which only sends direct messages"));
	free(cause);
	harness_rmdir(dir);
	free(path);
	free(dir);
}

/*
 * A restart mid-fan-out: ada's nudge went out before it; ben's and cy's
 * conversations.open were in flight when the worker was freed. The new
 * worker repeats only those calls: each person gets exactly one nudge.
 */
static void
test_restart_sends_nobody_twice(void **state)
{
	struct slack_fake_opts opts = { .token = TOKEN, .record = 1,
	    .slow_ms = 300 };
	struct world w;

	(void)state;
	world_open(&w, &opts, TOKEN);
	world_seed(&w, "s", "a", "ada", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	world_seed(&w, "s", "a", "ben", w.fx.now, STORE_KIND_PROMPT, 0);
	world_seed(&w, "s", "a", "cy", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_advance(&w.fx, 1000);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sending'");
	for (int i = 0; i < 100 && slack_fake_count(&w.fake,
	    "conversations.open") < 3; i++)
		deliver_fixture_tick(&w.fx, 10);
	assert_int_equal(slack_fake_count(&w.fake, "conversations.open"), 3);
	deliver_free(w.fx.d);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 3, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent' AND message_id IS NOT NULL");
	deliver_fixture_tick(&w.fx, 400);
	assert_int_equal(world_posts_to(&w, "D01ADA"), 1);
	assert_int_equal(world_posts_to(&w, "D01BEN"), 1);
	assert_int_equal(world_posts_to(&w, "D01CY"), 1);
	assert_int_equal(world_opens_of(&w, "U01ADA"), 1);
	assert_int_equal(world_opens_of(&w, "U01BEN"), 2);
	world_close(&w);
}

/* Seed a sent-to-be prompt of a given bank prompt, as the scheduler would. */
static int64_t
world_seed_prompt(struct world *w, const char *schedule, const char *channel,
    const char *person, int64_t due_at, const char *prompt_id)
{
	struct store_delivery d = { .schedule = schedule, .channel = channel,
	    .prompt_id = prompt_id, .cycle = 1, .due_at = due_at,
	    .state = STORE_PENDING, .kind = STORE_KIND_PROMPT,
	    .person = person };

	return deliver_fixture_seed(&w->fx, &d);
}

/* Enqueue a schedule's instant as the scheduler does (person NULL: the channel). */
static void
world_instant(struct world *w, const char *schedule, const char *person,
    int64_t at)
{
	const struct config_schedule *sc = config_find_schedule(w->fx.cfg,
	    schedule);
	char *cause = NULL;
	int64_t id;

	assert_int_equal(store_begin(w->fx.st), 0);
	assert_int_equal(schedule_enqueue(w->fx.st, w->fx.bank, sc, person, at,
	    STORE_PENDING, &id, &cause), 1);
	assert_int_equal(store_commit(w->fx.st), 0);
	free(cause);
}

/* The text of every block of a chat.postMessage body, joined. */
static char *
world_blocks_text(const cJSON *body)
{
	char *all = cJSON_PrintUnformatted(cJSON_GetObjectItem(body, "blocks"));

	assert_non_null(all);
	return all;
}

/*
 * Follow-through: customers-001's follow-up is for later, so ada's and
 * ben's nudges and the team's go without it. ada answered; at her next
 * instant the follow-up goes first, in her nudge's thread, quoting the
 * start of her answer cut on a word, then her new question at the top of
 * her DM. ben did not answer: no follow-up. The team's next nudge says
 * "Last time: <follow-up>" and quotes nobody. A reply in the thread, or to
 * the follow-up's own message, finds ada's nudge.
 */
static void
test_follow_up_later(void **state)
{
	struct slack_fake_opts opts = { .token = TOKEN, .record = 1,
	    .slow_ms = 100 };
	struct world w;
	struct store_reply r = { .channel = "a", .user_id = "U01ADA",
	    .received_at = 0, .source = "slack", .message_id = "m1" };
	struct store_target t;
	cJSON *calls, *body;
	char *parent_ts, *follow_ts, *text, *answer;
	const char *follow = "Which plan did you change, and what did you "
	    "tell the team?";
	int64_t ada, day = 86400;
	int follow_at = -1, question_at = -1, n;

	(void)state;
	world_open(&w, &opts, TOKEN);
	ada = world_seed_prompt(&w, "s", "a", "ada", w.fx.now, "customers-001");
	world_seed_prompt(&w, "s", "a", "ben", w.fx.now, "customers-001");
	world_seed_prompt(&w, "team", "t", NULL, w.fx.now, "customers-001");
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 3, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent' AND message_id IS NOT NULL");
	calls = slack_fake_calls(&w.fake, "chat.postMessage");
	for (int i = 0; i < 3; i++) {
		text = world_blocks_text(cJSON_GetObjectItem(cJSON_GetArrayItem(
		    calls, i), "body"));
		assert_null(strstr(text, "Which plan did you change"));
		free(text);
	}
	cJSON_Delete(calls);

	/* ada answers at length; ben does not. */
	answer = harness_format("I plan to call the three customers who "
	    "asked about exports and %s then decide.", "ask them how they "
	    "use the file today, which columns they open first, what they "
	    "paste it into, who reads it after them, how often, and whether "
	    "a scheduled export would save them the trip entirely before we");
	r.delivery_id = ada;
	r.text = answer;
	r.received_at = w.fx.now + 60;
	assert_int_equal(store_add_reply(w.fx.st, &r, NULL), 1);

	world_instant(&w, "s", "ada", w.fx.now + day);
	world_instant(&w, "s", "ben", w.fx.now + day);
	world_instant(&w, "team", NULL, w.fx.now + day);
	assert_int_equal(harness_db_int(w.fx.state, "SELECT count(*) FROM "
	    "deliveries WHERE kind = 'follow_up' AND person = 'ada' AND "
	    "parent_id = %lld AND due_at = %lld", (long long)ada,
	    (long long)(w.fx.now + day)), 1);
	assert_int_equal(harness_db_int(w.fx.state, "SELECT count(*) FROM "
	    "deliveries WHERE kind = 'follow_up' AND person != 'ada'"), 0);
	deliver_fixture_advance(&w.fx, 1000);
	deliver_fixture_wait(&w.fx, 7, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");

	calls = slack_fake_calls(&w.fake, "chat.postMessage");
	parent_ts = world_message_id(&w, ada);
	n = cJSON_GetArraySize(calls);
	for (int i = 3; i < n; i++) {
		body = cJSON_GetObjectItem(cJSON_GetArrayItem(calls, i), "body");
		text = world_blocks_text(body);
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(body,
		    "channel")), "D01ADA") == 0 && strstr(text, follow)) {
			follow_at = i;
			assert_string_equal(cJSON_GetStringValue(
			    cJSON_GetObjectItem(body, "thread_ts")), parent_ts);
			assert_non_null(strstr(text, "Yesterday you planned: "
			    "\xe2\x80\x9cI plan to call the three customers"));
			/* Cut on a word, within 200 characters, with an ellipsis. */
			assert_non_null(strstr(text, " how often, and"
			    "\xe2\x80\xa6\xe2\x80\x9d"));
			assert_null(strstr(text, "and whe"));
			/* Answered in the thread: no button, whose modal would
			 * replace the answer it follows. */
			assert_null(strstr(text, "nudged_answer"));
		} else if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(body,
		    "channel")), "D01ADA") == 0) {
			question_at = i;
			assert_null(cJSON_GetObjectItem(body, "thread_ts"));
		} else if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(body,
		    "channel")), "C0TEAM") == 0) {
			assert_non_null(strstr(text, "Last time: Which plan did "
			    "you change"));
			assert_null(strstr(text, "customers who asked"));
		} else
			assert_null(strstr(text, "Which plan did you change"));
		free(text);
	}
	cJSON_Delete(calls);
	assert_int_not_equal(follow_at, -1);
	assert_int_not_equal(question_at, -1);
	assert_true(follow_at < question_at);
	assert_int_equal(world_posts_to(&w, "D01BEN"), 2);

	/* A reply in the thread, or to the follow-up itself, is ada's nudge's. */
	assert_int_equal(store_find_by_message(w.fx.st, "a", "D01ADA",
	    parent_ts,
	    &t), 1);
	assert_int_equal(t.id, ada);
	store_target_clear(&t);
	follow_ts = world_message_id(&w, harness_db_int(w.fx.state, "SELECT id "
	    "FROM deliveries WHERE kind = 'follow_up'"));
	assert_non_null(follow_ts);
	assert_int_equal(store_find_by_message(w.fx.st, "a", "D01ADA",
	    follow_ts,
	    &t), 1);
	assert_int_equal(t.id, ada);
	store_target_clear(&t);

	/* The day after: her last nudge went unanswered, so nothing follows. */
	world_instant(&w, "s", "ada", w.fx.now + 2 * day);
	assert_int_equal(harness_db_int(w.fx.state, "SELECT count(*) FROM "
	    "deliveries WHERE kind = 'follow_up'"), 1);
	free(follow_ts);
	free(parent_ts);
	free(answer);
	world_close(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dm_opened_once_and_kept),
		cmocka_unit_test(test_person_unreachable),
		cmocka_unit_test(test_auth_refused_told_once),
		cmocka_unit_test(test_ratelimit_pauses_method),
		cmocka_unit_test(test_channel_post_keeps_ts),
		cmocka_unit_test(test_digest_without_channel_fails),
		cmocka_unit_test(test_digest_without_channel_config_error),
		cmocka_unit_test(test_restart_sends_nobody_twice),
		cmocka_unit_test(test_follow_up_later),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
