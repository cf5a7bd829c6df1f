/* SPDX-License-Identifier: ISC */
/*
 * One team on three platforms, end to end through the nudged binary: ada
 * and ben have Slack, Discord and Mattermost ids, the group "team" holds
 * them, and three schedules ask it directly, one per platform's channel.
 * `nudged send` of each reaches every person in their DM on that platform
 * (the fake APIs: tests/support/slack_fake.c, discord_fake.c,
 * mattermost_fake.c), once: each message with its Answer button; sending
 * again opens no DM twice.
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

#include "discord_fake.h"
#include "harness.h"
#include "mattermost_fake.h"
#include "slack_fake.h"

#define SLACK_TOKEN	"xoxb-mixed-1"
#define DISCORD_TOKEN	"discord-mixed-1"
#define MM_TOKEN	"mm-mixed-1"
#define MM_BOT		"botbotbotbotbotbotbotbot12"

/* `nudged send SCHEDULE` with config; its exit code. */
static int
send_once(const char *config, const char *schedule)
{
	char *out = NULL;
	int rc = harness_run((const char *[]){ harness_bin(), "send", "-c",
	    config, schedule, NULL }, &out);

	if (rc != 0)
		print_message("%s\n", out != NULL ? out : "");
	free(out);
	return rc;
}

/* Every person gets the nudge of each platform's schedule in their DM there. */
static void
test_one_group_three_platforms(void **state)
{
	struct slack_fake_opts so = { .token = SLACK_TOKEN, .record = 1 };
	struct discord_fake_opts dopt = { .token = DISCORD_TOKEN, .record = 1 };
	struct mattermost_fake_opts mo = { .token = MM_TOKEN, .bot_id = MM_BOT,
	    .record = 1 };
	struct slack_fake slack;
	struct api_fake discord, mm;
	char *dir = harness_tmpdir(), *cwd = getcwd(NULL, 0), *config, *text;
	char *log, *state_dir;

	(void)state;
	state_dir = harness_format("%s/state", dir);
	log = harness_format("%s/slack.log", dir);
	assert_int_equal(slack_fake_start(&slack, log, &so), 0);
	free(log);
	log = harness_format("%s/discord.log", dir);
	assert_int_equal(discord_fake_start(&discord, log, &dopt), 0);
	free(log);
	log = harness_format("%s/mm.log", dir);
	assert_int_equal(mattermost_fake_start(&mm, log, &mo), 0);
	free(log);
	config = harness_format("%s/nudged.json", dir);
	text = harness_format("{\"state_dir\": \"%s/state\", \"prompts\": "
	    "\"%s/prompts\", \"timezone\": \"UTC\", \"people\": {"
	    "\"ada\": {\"slack\": \"U01ADA\", \"discord\": \"30351110224678912\", "
	    "\"mattermost\": \"ada1234567890abcdefghijklm\"}, "
	    "\"ben\": {\"slack\": \"U01BEN\", \"discord\": \"31351110224678912\", "
	    "\"mattermost\": \"ben1234567890abcdefghijklm\", \"timezone\": "
	    "\"Asia/Tokyo\"}}, \"groups\": {\"team\": [\"ada\", \"ben\"]}, "
	    "\"channels\": {"
	    "\"sl\": {\"platform\": \"slack\", \"bot_token\": \"" SLACK_TOKEN
	    "\", \"api_url\": \"http://127.0.0.1:%d/api/\"}, "
	    "\"dc\": {\"platform\": \"discord\", \"bot_token\": \"" DISCORD_TOKEN
	    "\", \"api_url\": \"http://127.0.0.1:%d/api/v10\"}, "
	    "\"mm\": {\"platform\": \"mattermost\", \"bot_token\": \"" MM_TOKEN
	    "\", \"bot_user_id\": \"" MM_BOT "\", \"server_url\": "
	    "\"http://127.0.0.1:%d\", \"callback_url\": "
	    "\"https://nudged.example.test\"}}, \"schedules\": ["
	    "{\"name\": \"on-slack\", \"cron\": \"0 9 * * *\", \"channel\": "
	    "\"sl\", \"to\": [\"group:team\"], \"timezone\": \"person\"}, "
	    "{\"name\": \"on-discord\", \"cron\": \"0 9 * * *\", \"channel\": "
	    "\"dc\", \"to\": [\"group:team\"], \"timezone\": \"person\"}, "
	    "{\"name\": \"on-mm\", \"cron\": \"0 9 * * *\", \"channel\": \"mm\", "
	    "\"to\": [\"group:team\"], \"timezone\": \"person\"}]}", dir, cwd,
	    slack.port, discord.port, mm.port);
	harness_write(config, text);

	assert_int_equal(send_once(config, "on-slack"), 0);
	assert_int_equal(send_once(config, "on-discord"), 0);
	assert_int_equal(send_once(config, "on-mm"), 0);
	assert_int_equal(slack_fake_count(&slack, "conversations.open"), 2);
	assert_int_equal(slack_fake_count(&slack, "chat.postMessage"), 2);
	assert_int_equal(api_fake_count(&discord, DISCORD_FAKE_DM), 2);
	assert_int_equal(api_fake_count(&discord,
	    "/api/v10/channels/70351110224678912/messages"), 1);
	assert_int_equal(api_fake_count(&discord,
	    "/api/v10/channels/71351110224678912/messages"), 1);
	assert_int_equal(api_fake_count(&mm, MATTERMOST_FAKE_DM), 2);
	assert_int_equal(api_fake_count(&mm, MATTERMOST_FAKE_POSTS), 2);
	assert_int_equal(harness_db_int(state_dir,
	    "SELECT count(*) FROM deliveries WHERE state = 'sent' AND "
	    "message_id IS NOT NULL"), 6);

	/* Again: the DMs are kept, none opened twice. */
	assert_int_equal(send_once(config, "on-discord"), 0);
	assert_int_equal(send_once(config, "on-mm"), 0);
	assert_int_equal(api_fake_count(&discord, DISCORD_FAKE_DM), 2);
	assert_int_equal(api_fake_count(&mm, MATTERMOST_FAKE_DM), 2);
	assert_int_equal(api_fake_count(&discord, "/api/v10/channels/"), 4);
	assert_int_equal(api_fake_count(&mm, MATTERMOST_FAKE_POSTS), 4);

	slack_fake_stop(&slack);
	api_fake_stop(&discord);
	api_fake_stop(&mm);
	harness_rmdir(dir);
	free(text);
	free(config);
	free(state_dir);
	free(cwd);
	free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_group_three_platforms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
