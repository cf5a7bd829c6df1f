/* SPDX-License-Identifier: ISC */
/*
 * Habit measures on a constructed history, each figure computed by hand.
 *
 * Channel "team" (Europe/Berlin), now = Tue 2026-11-24 12:00Z.
 *   daily (answer_window 1d): sent at 08:00Z on Nov 10-13 and 16-24; Nov 14
 *     skipped, Nov 15 failed (neither counts nor breaks a streak).
 *   weekly (answer_window 7d): sent Fri Nov 13 and Fri Nov 20 at 14:00Z.
 *   U1 Ada: daily 10-13, 16, 17, 19-23 (misses 18; 24 still open), both
 *     weeklies. Counted 12 daily + 2 weekly = 14, answered 13: rate 0.929.
 *     Daily runs 6 (10..17) and 5 (19..23): current 5, longest 6; weekly 2.
 *     Latencies 7200, 1800, then 3600 x 11: median 3600.
 *   U2 Bo: away Nov 21; daily 20, 22, 23 (21 missed while away; 24 open);
 *     the weekly of Nov 20 unanswered but still open. Counted 3, answered
 *     3: rate 1, streak 3. The answer to Nov 22 arrives at 23:30Z, which is
 *     already Monday Nov 23 in Berlin. Latencies 600, 55800, 1200: 1200.
 *   U3 Cy: only the weekly of Nov 20. Counted: it and daily 21-23 (closed,
 *     unanswered): 4, answered 1: 0.25; streaks 1.
 *   Heatmap (Berlin days): Nov 22 has 1 answer (U1), Nov 23 has 3.
 * Channel "team": 15 sent, 2 open (daily Nov 24, weekly Nov 20), answers
 *   17 and missed 1 + 0 + 3 = 4, the people's combined: rate 17/21 = 0.81.
 * Channel "anon" (anonymous): Mondays Nov 16 (A1, A2, A3 answer) and Nov 23
 *   (A1 only, still open for the others): participation 3 and null, 1
 *   open, none missed; no names anywhere.
 * Every figure holds on SQLite and again on PostgreSQL (a schema of its own
 * on the tests' server).
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

#include "bank.h"
#include "config.h"
#include "habits.h"
#include "harness.h"
#include "store.h"
#include "store_engine.h"
#include "timefmt.h"

#define DIR_TEMPLATE	"/tmp/nudged-test-XXXXXX"

static char dir[] = DIR_TEMPLATE;
static int on_pg;	/* the second round: the store on PostgreSQL */
static struct config *cfg;
static struct bank *bank;
static struct store *st;

#define NOW	(day(24) + 12 * 3600)

/* The UTC instant of 00:00Z on 2026-11-dd. */
static int64_t
day(int dd)
{
	return timefmt_days_from_civil(2026, 11, dd) * 86400;
}

/* Add one delivery; its id. */
static int64_t
deliver(const char *schedule, const char *channel, int64_t due,
    enum store_state state, const char *prompt)
{
	struct store_delivery d = { .schedule = schedule, .channel = channel,
	    .prompt_id = prompt, .due_at = due, .state = state, .cycle = 1 };
	int64_t id = 0;

	assert_int_equal(store_enqueue(st, &d, &id), 1);
	return id;
}

/* Add one answer. */
static void
answer(int64_t delivery, const char *channel, const char *user,
    const char *name, int64_t at)
{
	static int n;
	char mid[32];
	struct store_reply r = { .delivery_id = delivery, .channel = channel,
	    .user_id = user, .user_name = name, .text = "an answer",
	    .received_at = at, .source = "api", .message_id = mid };

	snprintf(mid, sizeof mid, "m%d", ++n);
	assert_int_equal(store_add_reply(st, &r, NULL), 1);
}

/* Build the history described at the top. */
static int
setup(void **state)
{
	char *path, *cause = NULL, *cwd = getcwd(NULL, 0);
	int64_t daily[25] = { 0 }, weekly13, weekly20, a16, a23;
	FILE *f;

	(void)state;
	memcpy(dir, DIR_TEMPLATE, sizeof dir);
	if (mkdtemp(dir) == NULL || asprintf(&path, "%s/nudged.json", dir) < 0)
		return -1;
	f = fopen(path, "w");
	fprintf(f, "{\"state_dir\": \"state\", \"timezone\": \"Europe/Berlin\", "
	    "\"prompts\": \"%s/prompts\", \"channels\": {"
	    "\"team\": {\"platform\": \"console\"}, \"anon\": {\"platform\": "
	    "\"console\", \"anonymous\": true}}, \"away\": [{\"user\": \"U2\", "
	    "\"from\": \"2026-11-21\", \"to\": \"2026-11-21\"}], \"schedules\": ["
	    "{\"name\": \"daily\", \"cron\": \"0 9 * * *\", \"channel\": \"team\", "
	    "\"answer_window\": \"1d\"},"
	    "{\"name\": \"weekly\", \"cron\": \"0 15 * * FRI\", \"channel\": "
	    "\"team\"},"
	    "{\"name\": \"w-anon\", \"cron\": \"0 10 * * MON\", \"channel\": "
	    "\"anon\"}]}", cwd);
	fclose(f);
	free(cwd);
	if ((cfg = config_load(path, &cause)) == NULL ||
	    (bank = bank_load_for(cfg, &cause)) == NULL ||
	    (on_pg && store_engine_use_pg(cfg->state_dir) == -1) ||
	    (st = store_engine_open(cfg->state_dir, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return -1;
	}
	free(path);
	for (int dd = 10; dd <= 24; dd++) {
		char prompt[32];

		snprintf(prompt, sizeof prompt, "coaching-%03d", dd - 9);
		daily[dd] = deliver("daily", "team", day(dd) + 8 * 3600,
		    dd == 14 ? STORE_SKIPPED : dd == 15 ? STORE_FAILED :
		    STORE_SENT, prompt);
	}
	weekly13 = deliver("weekly", "team", day(13) + 14 * 3600, STORE_SENT,
	    "reflection-001");
	weekly20 = deliver("weekly", "team", day(20) + 14 * 3600, STORE_SENT,
	    "reflection-002");
	for (int dd = 10; dd <= 23; dd++) {
		if (dd == 14 || dd == 15 || dd == 18)
			continue;
		answer(daily[dd], "team", "U1", "Ada", day(dd) + 8 * 3600 +
		    (dd == 10 ? 7200 : dd == 11 ? 1800 : 3600));
	}
	answer(weekly13, "team", "U1", "Ada", day(13) + 15 * 3600);
	answer(weekly20, "team", "U1", "Ada", day(20) + 15 * 3600);
	answer(daily[20], "team", "U2", "Bo", day(20) + 8 * 3600 + 600);
	answer(daily[22], "team", "U2", "Bo", day(22) + 23 * 3600 + 1800);
	answer(daily[23], "team", "U2", "Bo", day(23) + 8 * 3600 + 1200);
	answer(weekly20, "team", "U3", "Cy", day(20) + 16 * 3600);
	/* U1 answers twice to one nudge: still one answer. */
	answer(daily[23], "team", "U1", "Ada", day(23) + 10 * 3600);
	a16 = deliver("w-anon", "anon", day(16) + 9 * 3600, STORE_SENT,
	    "purpose-001");
	a23 = deliver("w-anon", "anon", day(23) + 9 * 3600, STORE_SENT,
	    "purpose-002");
	answer(a16, "anon", "A1", "Ann", day(16) + 10 * 3600);
	answer(a16, "anon", "A2", "Ben", day(16) + 11 * 3600);
	answer(a16, "anon", "A3", "Cat", day(16) + 12 * 3600);
	answer(a23, "anon", "A1", "Ann", day(23) + 10 * 3600);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_close(st);
	store_engine_forget(cfg->state_dir);
	bank_free(bank);
	config_free(cfg);
	return harness_rmdir(dir);
}

/* The stats document for a filter. */
static cJSON *
stats(const char *channel, const char *user, int64_t since)
{
	struct habits_filter f = { .channel = channel, .user = user,
	    .since = since };
	char *cause = NULL;
	cJSON *doc = habits_stats(st, cfg, bank, &f, NOW, &cause);

	if (doc == NULL)
		fail_msg("%s", cause);
	return doc;
}

/* The person's object, or NULL. */
static const cJSON *
person(const cJSON *doc, const char *user)
{
	const cJSON *p;

	cJSON_ArrayForEach(p, cJSON_GetObjectItem(doc, "people")) {
		if (strcmp(cJSON_GetObjectItem(p, "user")->valuestring, user) == 0)
			return p;
	}
	return NULL;
}

/* The channel's object. */
static const cJSON *
channel(const cJSON *doc, const char *name)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "channels")) {
		if (strcmp(cJSON_GetObjectItem(c, "channel")->valuestring,
		    name) == 0)
			return c;
	}
	fail_msg("no channel %s", name);
	return NULL;
}

/* A number member. */
static double
num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);

	if (!cJSON_IsNumber(v))
		fail_msg("%s is not a number", key);
	return v->valuedouble;
}

static void
test_people(void **state)
{
	cJSON *doc = stats(NULL, NULL, 0);
	const cJSON *u1 = person(doc, "U1"), *u2 = person(doc, "U2");
	const cJSON *u3 = person(doc, "U3");

	(void)state;
	assert_non_null(u1);
	assert_string_equal(cJSON_GetObjectItem(u1, "user_name")->valuestring,
	    "Ada");
	assert_int_equal(num(u1, "deliveries"), 14);
	assert_int_equal(num(u1, "answers"), 13);
	/* Missed Nov 18; Nov 24 is open: neither missed nor answered. */
	assert_int_equal(num(u1, "missed"), 1);
	assert_int_equal(num(u1, "open"), 1);
	assert_true(num(u1, "response_rate") == 0.929);
	assert_int_equal(num(u1, "current_streak"), 5);
	assert_int_equal(num(u1, "longest_streak"), 6);
	assert_int_equal(num(u1, "median_answer_seconds"), 3600);
	assert_int_equal(num(u1, "active_weeks"), 3);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(u1,
	    "themes_most"), 0)->valuestring, "coaching");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(u1,
	    "themes_least"), 0)->valuestring, "reflection");

	assert_int_equal(num(u2, "deliveries"), 3);
	assert_int_equal(num(u2, "answers"), 3);
	/* Daily Nov 24 and the weekly of Nov 20 are open; Nov 21 was away. */
	assert_int_equal(num(u2, "missed"), 0);
	assert_int_equal(num(u2, "open"), 2);
	assert_true(num(u2, "response_rate") == 1.0);
	assert_int_equal(num(u2, "current_streak"), 3);
	assert_int_equal(num(u2, "longest_streak"), 3);
	assert_int_equal(num(u2, "median_answer_seconds"), 1200);
	/* Nov 20 (week of Nov 16) and Nov 23 in Berlin (week of Nov 23). */
	assert_int_equal(num(u2, "active_weeks"), 2);

	assert_int_equal(num(u3, "deliveries"), 4);
	assert_int_equal(num(u3, "answers"), 1);
	assert_int_equal(num(u3, "missed"), 3);
	assert_int_equal(num(u3, "open"), 1);
	assert_true(num(u3, "response_rate") == 0.25);
	assert_int_equal(num(u3, "current_streak"), 1);
	assert_int_equal(num(u3, "longest_streak"), 1);
	/* Nobody of the anonymous channel appears by name. */
	assert_null(person(doc, "A1"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "people")),
	    3);
	cJSON_Delete(doc);
}

static void
test_channels_and_privacy(void **state)
{
	cJSON *doc = stats(NULL, NULL, 0);
	const cJSON *team = channel(doc, "team"), *anon = channel(doc, "anon");
	const cJSON *part, *days, *d;
	char *json;

	(void)state;
	assert_int_equal(num(team, "deliveries"), 15);
	assert_int_equal(num(team, "answers"), 17);
	assert_int_equal(num(team, "people"), 3);
	/*
	 * The people's figures combined: 1 + 0 + 3 missed, so the channel's
	 * rate is 17 of 21, not 17 of 15 x 3; two nudges (daily Nov 24,
	 * weekly Nov 20) are still open.
	 */
	assert_int_equal(num(team, "missed"), 4);
	assert_int_equal(num(team, "open"), 2);
	assert_true(num(team, "response_rate") == 0.81);
	/* The newest sent delivery first: daily Nov 24, nobody yet. */
	part = cJSON_GetObjectItem(team, "participation");
	assert_int_equal(num(cJSON_GetArrayItem(part, 0), "answered_by"), 0);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(part, 0),
	    "due_at")->valuestring, "2026-11-24T08:00:00Z");
	/* Daily Nov 23: U1 (twice) and U2. */
	assert_int_equal(num(cJSON_GetArrayItem(part, 1), "answered_by"), 2);
	/* Berlin days: Nov 22 has U1's answer, Nov 23 three (one at 00:30 local). */
	days = cJSON_GetObjectItem(team, "heatmap");
	assert_int_equal(cJSON_GetArraySize(days), 182);
	cJSON_ArrayForEach(d, days) {
		const char *date = cJSON_GetObjectItem(d, "date")->valuestring;

		if (strcmp(date, "2026-11-22") == 0)
			assert_int_equal(num(d, "answers"), 1);
		if (strcmp(date, "2026-11-23") == 0)
			assert_int_equal(num(d, "answers"), 3);
	}
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(days, 181),
	    "date")->valuestring, "2026-11-29");	/* the Sunday ending this week */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(team, "weeks")),
	    12);

	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(anon, "anonymous")));
	assert_int_equal(num(anon, "answers"), 4);
	assert_int_equal(num(anon, "people"), 3);
	/* Nov 23 is open for A2 and A3 (7-day window): not missed yet. */
	assert_int_equal(num(anon, "open"), 1);
	assert_int_equal(num(anon, "missed"), 0);
	assert_true(num(anon, "response_rate") == 1.0);
	part = cJSON_GetObjectItem(anon, "participation");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(part, 0),
	    "answered_by")));
	assert_int_equal(num(cJSON_GetArrayItem(part, 1), "answered_by"), 3);
	/* Under three answers a day or a week shows no figure. */
	cJSON_ArrayForEach(d, cJSON_GetObjectItem(anon, "heatmap")) {
		const cJSON *n = cJSON_GetObjectItem(d, "answers");

		assert_true(cJSON_IsNull(n) || n->valuedouble >= 3);
	}
	json = cJSON_PrintUnformatted(doc);
	assert_null(strstr(json, "Ann"));
	assert_null(strstr(json, "\"A1\""));
	free(json);
	cJSON_Delete(doc);
}

static void
test_filters(void **state)
{
	cJSON *doc = stats("team", "U2", 0);

	(void)state;
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "people")),
	    1);
	assert_non_null(person(doc, "U2"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc,
	    "channels")), 1);
	cJSON_Delete(doc);
	/* Since Nov 19: U1 counts daily 19-23 and the weekly of the 20th. */
	doc = stats(NULL, "U1", day(19));
	assert_int_equal(num(person(doc, "U1"), "deliveries"), 6);
	assert_int_equal(num(person(doc, "U1"), "answers"), 6);
	assert_int_equal(num(person(doc, "U1"), "longest_streak"), 5);
	cJSON_Delete(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_people),
		cmocka_unit_test(test_channels_and_privacy),
		cmocka_unit_test(test_filters),
	};

	int rc = cmocka_run_group_tests_name("sqlite", tests, setup, teardown);

	on_pg = 1;
	return rc | cmocka_run_group_tests_name("postgresql", tests, setup,
	    teardown);
}
