/* SPDX-License-Identifier: ISC */
/*
 * Deliveries through Discord's bot API, on a hand-held clock, against the
 * fake API (tests/support/discord_fake.c): a person's DM is opened once and
 * kept, the nudge posted into it with its Answer button, no mentions and
 * the bot's token; a reminder replies to its nudge; Unknown User and 50007
 * mark the person; a refused token is told once; a spent rate-limit bucket
 * holds the next post into its DM until it refills while other DMs' posts
 * go on, and a global 429 holds every call;
 * at most 25 deliveries a second; a restart sends nobody twice.
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
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "deliver_fixture.h"
#include "discord_fake.h"
#include "harness.h"
#include "store.h"

#define TOKEN	"MTA1.discord-bot-token.test"
#define ADA	"30351110224678912"
#define BEN	"31351110224678912"
#define CY	"32351110224678912"
#define ADA_DM	"70351110224678912"
#define BEN_DM	"71351110224678912"
#define CY_DM	"72351110224678912"

struct world {
	struct deliver_fixture	 fx;
	struct api_fake		 fake;
};

static void	world_open(struct world *, const struct discord_fake_opts *,
		    const char *);
static void	world_close(struct world *);
static int64_t	world_seed(struct world *, const char *, int64_t,
		    enum store_kind, int64_t);
static int	world_posts_to(struct world *, const char *);
static int	world_opens_of(struct world *, const char *);
static int	world_limited(struct world *);

/*
 * Start the fake and load a config: ada, ben, cy (ids the fake takes),
 * lost (Unknown User), closed (DMs closed: 50007); channel "d" with the
 * bot token token; schedule "s" to everyone.
 */
static void
world_open(struct world *w, const struct discord_fake_opts *opts,
    const char *token)
{
	char *cwd = getcwd(NULL, 0), *log, *text;

	memset(w, 0, sizeof *w);
	deliver_fixture_init(&w->fx);
	w->fx.drift = 10;
	log = harness_format("%s/discord.log", w->fx.dir);
	if (discord_fake_start(&w->fake, log, opts) != 0)
		fail_msg("the fake Discord API did not start");
	text = harness_format("{\"state_dir\": \"state\", \"prompts\": "
	    "\"%s/prompts\", \"people\": {\"ada\": {\"discord\": \"" ADA "\"}, "
	    "\"ben\": {\"discord\": \"" BEN "\"}, \"cy\": {\"discord\": \"" CY
	    "\"}, \"lost\": {\"discord\": \"55351110224678912\"}, \"closed\": "
	    "{\"discord\": \"66351110224678912\"}}, \"channels\": {\"d\": "
	    "{\"platform\": \"discord\", \"bot_token\": \"%s\", \"public_key\": "
	    "\"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a\", "
	    "\"api_url\": \"http://127.0.0.1:%d/api/v10\"}}, \"delivery\": "
	    "{\"timeout\": \"2s\", \"connect_timeout\": \"2s\", "
	    "\"retry_initial\": \"10s\", \"retry_max\": \"1m\", \"stop_grace\": "
	    "\"1s\"}, \"schedules\": [{\"name\": \"s\", \"cron\": \"0 0 1 1 *\", "
	    "\"channel\": \"d\", \"to\": [\"ada\", \"ben\", \"cy\", \"lost\", "
	    "\"closed\"], \"themes\": [\"coaching\"]}]}", cwd, token,
	    w->fake.port);
	deliver_fixture_load(&w->fx, text, clock_now(clock_system()));
	free(text);
	free(log);
	free(cwd);
}

/* Stop the fake by PID, free the world, remove the folder. */
static void
world_close(struct world *w)
{
	api_fake_stop(&w->fake);
	deliver_fixture_close(&w->fx);
}

/* Add one pending row for person as the scheduler would. */
static int64_t
world_seed(struct world *w, const char *person, int64_t due_at,
    enum store_kind kind, int64_t parent)
{
	struct store_delivery d = { .schedule = "s", .channel = "d",
	    .prompt_id = "coaching-001", .cycle = 1, .due_at = due_at,
	    .state = STORE_PENDING, .kind = kind, .person = person,
	    .parent_id = parent };

	return deliver_fixture_seed(&w->fx, &d);
}

/* How many Create Message calls went to one DM. */
static int
world_posts_to(struct world *w, const char *dm)
{
	char *path = harness_format("/api/v10/channels/%s/messages", dm);
	int n = api_fake_count(&w->fake, path);

	free(path);
	return n;
}

/* How many Create DM calls asked for one user. */
static int
world_opens_of(struct world *w, const char *user)
{
	return deliver_fixture_count(api_fake_calls(&w->fake, DISCORD_FAKE_DM),
	    "recipient_id", user);
}

/* How many calls the fake answered 429. */
static int
world_limited(struct world *w)
{
	cJSON *calls = api_fake_calls(&w->fake, "/"), *c;
	int n = 0;

	cJSON_ArrayForEach(c, calls)
		n += cJSON_GetObjectItem(c, "status")->valueint == 429;
	cJSON_Delete(calls);
	return n;
}

/*
 * ada's DM is opened once with "Bot TOKEN" and kept; her nudge goes into it
 * with the embed, no mentions and the Answer button naming the delivery;
 * the message id is kept. Her second nudge opens nothing; a reminder
 * replies to the first nudge's message.
 */
static void
test_dm_opened_once_and_kept(void **state)
{
	struct discord_fake_opts opts = { .token = TOKEN, .record = 1 };
	struct world w;
	cJSON *calls, *call, *post, *button, *parse;
	char *want;
	int64_t first;

	(void)state;
	world_open(&w, &opts, TOKEN);
	first = world_seed(&w, "ada", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "id = %lld AND state = 'sent' AND message_channel = '" ADA_DM "' "
	    "AND message_id = '1300000000000000001'", (long long)first);
	assert_int_equal(harness_db_int(w.fx.state, "SELECT count(*) FROM "
	    "person_channels WHERE channel = 'd' AND person = 'ada' AND dm_id = "
	    "'" ADA_DM "' AND inactive IS NULL"), 1);
	assert_int_equal(world_opens_of(&w, ADA), 1);
	calls = api_fake_calls(&w.fake, "/api/v10/channels/");
	assert_int_equal(cJSON_GetArraySize(calls), 1);
	call = cJSON_GetArrayItem(calls, 0);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(call,
	    "auth")), "Bot " TOKEN);
	assert_int_equal(strncmp(cJSON_GetStringValue(cJSON_GetObjectItem(call,
	    "agent")), "DiscordBot (", 12), 0);
	post = cJSON_GetObjectItem(call, "body");
	assert_non_null(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(post, "embeds"), 0), "description"));
	parse = cJSON_GetObjectItem(cJSON_GetObjectItem(post,
	    "allowed_mentions"), "parse");
	assert_true(cJSON_IsArray(parse));
	assert_int_equal(cJSON_GetArraySize(parse), 0);
	assert_null(cJSON_GetObjectItem(post, "message_reference"));
	button = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(post, "components"), 0), "components"), 0);
	assert_int_equal(cJSON_GetObjectItem(button, "type")->valueint, 2);
	want = harness_format("nudged_answer:%lld", (long long)first);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(button,
	    "custom_id")), want);
	free(want);
	cJSON_Delete(calls);

	world_seed(&w, "ada", w.fx.now + 60, STORE_KIND_PROMPT, 0);
	deliver_fixture_advance(&w.fx, 60000);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "person = 'ada' AND state = 'sent'");
	assert_int_equal(api_fake_count(&w.fake, DISCORD_FAKE_DM), 1);
	assert_int_equal(world_posts_to(&w, ADA_DM), 2);

	world_seed(&w, "ada", w.fx.now + 120, STORE_KIND_REMINDER, first);
	deliver_fixture_advance(&w.fx, 60000);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "kind = 'reminder' AND state = 'sent'");
	calls = api_fake_calls(&w.fake, "/api/v10/channels/");
	post = cJSON_GetObjectItem(cJSON_GetArrayItem(calls, 2), "body");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(post, "message_reference"), "message_id")),
	    "1300000000000000001");
	cJSON_Delete(calls);
	assert_int_equal(api_fake_count(&w.fake, DISCORD_FAKE_DM), 1);
	world_close(&w);
}

/*
 * Unknown User on Create DM and 50007 on Create Message fail the delivery
 * and mark the person; their next delivery fails at once, with no call.
 */
static void
test_person_unreachable(void **state)
{
	struct discord_fake_opts opts = { .token = TOKEN, .record = 1 };
	struct world w;
	int64_t again;

	(void)state;
	world_open(&w, &opts, TOKEN);
	world_seed(&w, "lost", w.fx.now, STORE_KIND_PROMPT, 0);
	world_seed(&w, "closed", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'failed' AND attempts = 1");
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM person_channels "
	    "WHERE person = 'lost' AND inactive LIKE '%%Unknown User%%'");
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM person_channels "
	    "WHERE person = 'closed' AND inactive LIKE '%%Cannot send "
	    "messages to this user (code 50007)%%'");
	again = world_seed(&w, "closed", w.fx.now + 60, STORE_KIND_PROMPT, 0);
	deliver_fixture_advance(&w.fx, 60000);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "id = %lld AND state = 'failed' AND attempts = 0 AND reason LIKE "
	    "'%%cannot be reached%%50007%%'", (long long)again);
	deliver_fixture_tick(&w.fx, 50);
	assert_int_equal(api_fake_count(&w.fake, "/api/v10/channels/"), 1);
	assert_int_equal(api_fake_count(&w.fake, DISCORD_FAKE_DM), 2);
	world_close(&w);
}

/* A 401 fails each delivery, is told once for the channel, never shows the token. */
static void
test_auth_refused_told_once(void **state)
{
	struct discord_fake_opts opts = { .token = TOKEN, .record = 1 };
	struct world w;
	char *logged;
	int saved;

	(void)state;
	world_open(&w, &opts, "refused-bot-token-9");
	saved = deliver_fixture_capture(&w.fx);
	world_seed(&w, "ada", w.fx.now, STORE_KIND_PROMPT, 0);
	world_seed(&w, "ben", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'failed' AND reason LIKE '%%HTTP 401%%'");
	logged = deliver_fixture_release(&w.fx, saved);
	assert_int_equal(deliver_channel_refused(w.fx.d, "d"), 1);
	/* Once per channel, never the token, nobody marked for it. */
	deliver_fixture_refused_once(&w.fx, logged, "refused-bot-token-9");
	free(logged);
	world_close(&w);
}

/*
 * Create Message's bucket of a DM holds one call per 5 s: ada's nudge
 * spends hers (Remaining 0, Reset-After 5). Her reminder, due at once into
 * the same DM, waits for that bucket, though the fake would refill sooner;
 * it goes out once 5 s passed on nudged's clock, and nothing hit a 429.
 */
static void
test_bucket_honoured(void **state)
{
	struct discord_fake_opts opts = { .token = TOKEN, .record = 1,
	    .bucket_size = 1, .reset_after = 5, .refill_ms = 50 };
	struct world w;
	int64_t first;

	(void)state;
	world_open(&w, &opts, TOKEN);
	first = world_seed(&w, "ada", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	world_seed(&w, "ada", w.fx.now, STORE_KIND_REMINDER, first);
	for (int i = 0; i < 20; i++) {
		deliver_fixture_advance(&w.fx, 100);
		deliver_fixture_tick(&w.fx, 15);
	}
	assert_int_equal(world_posts_to(&w, ADA_DM), 1);
	assert_int_equal(harness_db_int(w.fx.state, "SELECT attempts FROM "
	    "deliveries WHERE kind = 'reminder'"), 0);
	deliver_fixture_advance(&w.fx, 3100);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	assert_int_equal(world_posts_to(&w, ADA_DM), 2);
	assert_int_equal(world_limited(&w), 0);
	world_close(&w);
}

/*
 * Discord counts Create Message per channel: ada's DM spends its bucket,
 * and ben's and cy's DMs, each in its own, take their nudges at once while
 * ada's reminder waits out her bucket's 5 s.
 */
static void
test_bucket_per_route(void **state)
{
	struct discord_fake_opts opts = { .token = TOKEN, .record = 1,
	    .bucket_size = 1, .reset_after = 5, .refill_ms = 50 };
	struct world w;
	int64_t first;

	(void)state;
	world_open(&w, &opts, TOKEN);
	assert_int_equal(store_set_person_dm(w.fx.st, "d", "ben", BEN_DM), 0);
	assert_int_equal(store_set_person_dm(w.fx.st, "d", "cy", CY_DM), 0);
	first = world_seed(&w, "ada", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	world_seed(&w, "ada", w.fx.now, STORE_KIND_REMINDER, first);
	world_seed(&w, "ben", w.fx.now, STORE_KIND_PROMPT, 0);
	world_seed(&w, "cy", w.fx.now, STORE_KIND_PROMPT, 0);
	for (int i = 0; i < 10; i++) {
		deliver_fixture_advance(&w.fx, 100);
		deliver_fixture_tick(&w.fx, 15);
	}
	deliver_fixture_wait(&w.fx, 3, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	assert_int_equal(world_posts_to(&w, BEN_DM), 1);
	assert_int_equal(world_posts_to(&w, CY_DM), 1);
	assert_int_equal(world_posts_to(&w, ADA_DM), 1);
	deliver_fixture_advance(&w.fx, 4100);
	deliver_fixture_wait(&w.fx, 4, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	assert_int_equal(world_posts_to(&w, ADA_DM), 2);
	assert_int_equal(world_limited(&w), 0);
	world_close(&w);
}

/*
 * A global 429 (retry_after 2.5 s) on ada's post pauses every call: ben's
 * DM is not even opened meanwhile; both go out after the pause.
 */
static void
test_global_limit_pauses_every_call(void **state)
{
	struct discord_fake_opts opts = { .token = TOKEN, .record = 1,
	    .global_429 = 1, .retry_after = 2.5 };
	struct world w;

	(void)state;
	world_open(&w, &opts, TOKEN);
	w.fx.drift = 0;
	world_seed(&w, "ada", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "person = 'ada' AND state = 'pending' AND attempts = 1 AND "
	    "last_error LIKE '%%HTTP 429%%global limit%%'");
	world_seed(&w, "ben", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_advance(&w.fx, 1000);
	deliver_fixture_tick(&w.fx, 100);
	assert_int_equal(world_opens_of(&w, BEN), 0);
	deliver_fixture_advance(&w.fx, 1500);
	w.fx.drift = 10;
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	assert_int_equal(world_opens_of(&w, BEN), 1);
	assert_int_equal(world_posts_to(&w, ADA_DM), 2);
	world_close(&w);
}

/* Three people due at once on a still clock: one delivery per 40 ms. */
static void
test_global_cap(void **state)
{
	struct discord_fake_opts opts = { .token = TOKEN, .record = 1 };
	struct world w;

	(void)state;
	world_open(&w, &opts, TOKEN);
	world_seed(&w, "ada", w.fx.now, STORE_KIND_PROMPT, 0);
	world_seed(&w, "ben", w.fx.now, STORE_KIND_PROMPT, 0);
	world_seed(&w, "cy", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_tick(&w.fx, 300);
	assert_int_equal(api_fake_count(&w.fake, DISCORD_FAKE_DM), 1);
	deliver_fixture_advance(&w.fx, 40);
	deliver_fixture_tick(&w.fx, 300);
	assert_int_equal(api_fake_count(&w.fake, DISCORD_FAKE_DM), 2);
	deliver_fixture_wait(&w.fx, 3, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	world_close(&w);
}

/*
 * A restart mid-fan-out: ada's nudge went out; ben's and cy's Create DM
 * were in flight when the worker was freed. The new worker repeats only
 * those: each person gets exactly one message.
 */
static void
test_restart_sends_nobody_twice(void **state)
{
	struct discord_fake_opts opts = { .token = TOKEN, .record = 1,
	    .slow_ms = 300 };
	struct world w;

	(void)state;
	world_open(&w, &opts, TOKEN);
	world_seed(&w, "ada", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 1, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	world_seed(&w, "ben", w.fx.now, STORE_KIND_PROMPT, 0);
	world_seed(&w, "cy", w.fx.now, STORE_KIND_PROMPT, 0);
	deliver_fixture_wait(&w.fx, 2, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sending'");
	for (int i = 0; i < 100 && api_fake_count(&w.fake,
	    DISCORD_FAKE_DM) < 3; i++)
		deliver_fixture_tick(&w.fx, 10);
	assert_int_equal(api_fake_count(&w.fake, DISCORD_FAKE_DM), 3);
	deliver_free(w.fx.d);
	deliver_fixture_start(&w.fx);
	deliver_fixture_wait(&w.fx, 3, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent' AND message_id IS NOT NULL");
	deliver_fixture_tick(&w.fx, 400);
	assert_int_equal(world_posts_to(&w, ADA_DM), 1);
	assert_int_equal(world_posts_to(&w, BEN_DM), 1);
	assert_int_equal(world_posts_to(&w, CY_DM), 1);
	assert_int_equal(world_opens_of(&w, ADA), 1);
	assert_int_equal(world_opens_of(&w, BEN), 2);
	world_close(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dm_opened_once_and_kept),
		cmocka_unit_test(test_person_unreachable),
		cmocka_unit_test(test_auth_refused_told_once),
		cmocka_unit_test(test_bucket_honoured),
		cmocka_unit_test(test_bucket_per_route),
		cmocka_unit_test(test_global_limit_pauses_every_call),
		cmocka_unit_test(test_global_cap),
		cmocka_unit_test(test_restart_sends_nobody_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
