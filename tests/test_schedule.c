/* SPDX-License-Identifier: ISC */
/*
 * The scheduler on a hand-held clock: the real scheduler (store, bank,
 * event_base) is started and woken by the test, which moves the clock, so
 * days of schedule run in milliseconds. Due instants fire at their instant
 * and not before; after downtime only the newest missed instant within
 * catch_up is enqueued and the others are recorded as skipped; skip dates
 * are recorded, not sent; a daylight-saving day in Europe/Berlin fires once
 * (a wall time in the gap at the gap's end, a repeated one at its first);
 * a restart never enqueues an instant twice.
 *
 * People asked directly follow their own zones on Slack, Discord and
 * Mattermost alike.
 *
 * One test runs the real timer path: the scheduler's timerfd, on a clock a
 * little before a minute boundary, fires through the event loop.
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
#include <time.h>
#include <unistd.h>

#include "bank.h"
#include "clock.h"
#include "config.h"
#include "harness.h"
#include "metrics.h"
#include "schedule.h"
#include "slack_fake.h"
#include "store.h"
#include "zones.h"

/* 2026-06-01 06:00:00Z, a Monday: 08:00 in Berlin (CEST). */
#define JUNE_1_0600	1780293600LL
/* 2026-03-28 12:00Z, the day before Berlin's clocks go forward. */
#define MARCH_28_1200	1774699200LL
/* 2026-03-29 01:00Z: 03:00 CEST, the end of the gap (02:00-03:00). */
#define MARCH_29_0100	1774746000LL
/* 2026-03-30 00:30Z: 02:30 CEST. */
#define MARCH_30_0030	1774830600LL
/* 2026-10-24 12:00Z, the day before Berlin's clocks go back. */
#define OCTOBER_24_1200	1792843200LL
/* 2026-10-25 00:30Z: 02:30 CEST, the first of the two 02:30s. */
#define OCTOBER_25_0030	1792888200LL
/* 2026-10-26 01:30Z: 02:30 CET. */
#define OCTOBER_26_0130	1792978200LL

struct fixture;
static void	load_text(struct fixture *, const char *);

struct fixture {
	char			*dir;
	char			*state;
	struct clock_fake	 clock;
	struct event_base	*base;
	struct config		*cfg;
	struct bank		*bank;
	struct store		*st;
	struct scheduler	*s;
};

/* Load a config of one console schedule "s" with extra schedule keys. */
static void
load_config(struct fixture *f, const char *cron, const char *extra)
{
	char *cwd = getcwd(NULL, 0);
	char *text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:1\", \"prompts\": \"%s/prompts\", \"channels\": "
	    "{\"demo\": {\"platform\": \"console\"}}, \"schedules\": "
	    "[{\"name\": \"s\", \"cron\": \"%s\", \"channel\": \"demo\", "
	    "\"timezone\": \"Europe/Berlin\"%s}]}", cwd, cron, extra);

	load_text(f, text);
	free(text);
	free(cwd);
}

/* Load a config from its text, with the bank and the store it names. */
static void
load_text(struct fixture *f, const char *text)
{
	char *cause = NULL, *path = harness_format("%s/nudged.json", f->dir);

	harness_write(path, text);
	if ((f->cfg = config_load(path, &cause)) == NULL ||
	    (f->bank = bank_load_for(f->cfg, &cause)) == NULL)
		fail_msg("%s", cause);
	if ((f->st = store_open(f->cfg->state_dir, &cause)) == NULL)
		fail_msg("%s", cause);
	free(path);
}

/* Start the scheduler on the fixture's clock, as nudged serve does. */
static void
start(struct fixture *f)
{
	char *cause = NULL;

	f->s = scheduler_start(f->base, &f->clock.clock, f->st, f->cfg, f->bank,
	    &cause);
	if (f->s == NULL)
		fail_msg("%s", cause);
}

/* Stop the scheduler, as when nudged goes down. */
static void
stop(struct fixture *f)
{
	scheduler_stop(f->s);
	f->s = NULL;
}

/* Move the clock to t, waking the scheduler every minute on the way. */
static void
run_until(struct fixture *f, int64_t t)
{
	while (clock_now(&f->clock.clock) < t) {
		int64_t step = t - clock_now(&f->clock.clock);

		clock_fake_advance(&f->clock, (step < 60 ? step : 60) * 1000);
		scheduler_wake(f->s);
	}
}

/* A count from the store. */
static long long __attribute__((format(printf, 2, 3)))
count(struct fixture *f, const char *fmt, ...)
{
	char *sql;
	long long n;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&sql, fmt, ap) == -1)
		fail_msg("out of memory");
	va_end(ap);
	n = harness_db_int(f->state, "%s", sql);
	free(sql);
	return n;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->dir = harness_tmpdir();
	f->state = harness_format("%s/state", f->dir);
	f->base = event_base_new();
	clock_fake_init(&f->clock, JUNE_1_0600 * 1000);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	scheduler_stop(f->s);
	store_close(f->st);
	bank_free(f->bank);
	config_free(f->cfg);
	event_base_free(f->base);
	harness_rmdir(f->dir);
	free(f->state);
	free(f->dir);
	free(f);
	return 0;
}

/* 09:00 Berlin is 07:00Z in June: nothing a second before, one row at it. */
static void
test_due_instant_fires_at_its_instant(void **state)
{
	struct fixture *f = *state;
	const long long due = JUNE_1_0600 + 3600;

	load_config(f, "0 9 * * *", "");
	start(f);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 0);
	run_until(f, due - 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 0);
	run_until(f, due);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "schedule = 's' AND due_at = %lld AND state = 'pending' AND "
	    "prompt_id IS NOT NULL AND cycle = 1 AND length(reply_code) = 4",
	    due), 1);
	/* Woken again in the same minute and the next day: one row a day. */
	scheduler_wake(f->s);
	run_until(f, due + 86400);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'pending' AND due_at IN (%lld, %lld)", due, due + 86400), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 2);
}

/* A restart, at the instant or later, never enqueues it a second time. */
static void
test_restart_is_idempotent(void **state)
{
	struct fixture *f = *state;
	const long long due = JUNE_1_0600 + 60;

	load_config(f, "* * * * *", "");
	start(f);
	run_until(f, due);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld", due), 1);
	stop(f);
	start(f);
	clock_fake_advance(&f->clock, 30 * 1000);
	stop(f);
	start(f);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld", due), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 1);
	assert_int_equal(count(f, "SELECT last_instant FROM schedule_state "
	    "WHERE schedule = 's'"), due);
}

/* Ten minutes down: the newest instant is caught up, nine recorded skipped. */
static void
test_only_the_newest_miss_is_caught_up(void **state)
{
	struct fixture *f = *state;
	const long long newest = JUNE_1_0600 + 600;

	load_config(f, "* * * * *", ", \"catch_up\": \"1h\"");
	start(f);
	stop(f);
	clock_fake_set(&f->clock, (newest + 30) * 1000);
	start(f);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld AND state = 'pending'", newest), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at > %lld AND due_at < %lld + 600 AND state = 'skipped' AND "
	    "reason LIKE 'missed:%%'", JUNE_1_0600, JUNE_1_0600), 9);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 10);
}

/* Metrics count what was committed, once, whatever a restart does. */
static void
test_metrics_count_committed_rows_once(void **state)
{
	struct fixture *f = *state;
	const long long newest = JUNE_1_0600 + 600;
	const struct config_schedule *sc;
	struct metrics_gauges g = { 0 };
	const char *name;
	int64_t at;
	char *text;

	metrics_reset();
	load_config(f, "* * * * *", ", \"catch_up\": \"1h\"");
	start(f);
	stop(f);
	clock_fake_set(&f->clock, (newest + 30) * 1000);
	start(f);
	stop(f);
	start(f);	/* finds every row there already */
	text = metrics_render(&g);
	assert_non_null(strstr(text, "nudged_nudges_enqueued_total{schedule="
	    "\"s\",platform=\"console\"} 1\n"));
	assert_non_null(strstr(text, "nudged_nudges_skipped_total{schedule="
	    "\"s\",platform=\"console\"} 9\n"));
	free(text);
	assert_int_equal(scheduler_next_due(f->s, &name, &sc, &at), 1);
	assert_string_equal(name, "s");
	assert_int_equal(at, newest + 60);
	metrics_reset();
}

/* A year down: New Year's instant is long past catch_up, so it is not sent. */
static void
test_a_miss_beyond_catch_up_is_skipped(void **state)
{
	struct fixture *f = *state;

	load_config(f, "0 0 1 1 *", ", \"catch_up\": \"1h\"");
	assert_int_equal(store_set_last_instant(f->st, "s",
	    JUNE_1_0600 - 366 * 86400), 0);
	start(f);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE state "
	    "IN ('pending', 'sending', 'sent')"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE state "
	    "= 'skipped' AND reason LIKE '%%more than catch_up%%'"), 1);
}

/* A skip date is recorded as skipped with its reason; the next day is sent. */
static void
test_skip_date_is_recorded_not_sent(void **state)
{
	struct fixture *f = *state;
	const long long june_2 = JUNE_1_0600 + 86400 + 3600;

	load_config(f, "0 9 * * *", ", \"skip_dates\": [\"2026-06-01\"]");
	start(f);
	run_until(f, june_2);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld AND state = 'skipped' AND reason = 'skip date'",
	    JUNE_1_0600 + 3600), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld AND state = 'pending'", june_2), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 2);
}

/* 02:30 does not exist on 2026-03-29 in Berlin: it fires once, at 03:00 CEST. */
static void
test_spring_forward_fires_once_at_the_gap_end(void **state)
{
	struct fixture *f = *state;

	clock_fake_set(&f->clock, MARCH_28_1200 * 1000);
	load_config(f, "30 2 * * *", "");
	start(f);
	run_until(f, MARCH_30_0030);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld AND state = 'pending'", MARCH_29_0100), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld AND state = 'pending'", MARCH_30_0030), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 2);
}

/* 02:30 happens twice on 2026-10-25 in Berlin: it fires once, at the first. */
static void
test_fall_back_fires_once_at_the_first(void **state)
{
	struct fixture *f = *state;

	clock_fake_set(&f->clock, OCTOBER_24_1200 * 1000);
	load_config(f, "30 2 * * *", "");
	start(f);
	run_until(f, OCTOBER_26_0130);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld AND state = 'pending'", OCTOBER_25_0030), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld AND state = 'pending'", OCTOBER_26_0130), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 2);
}

/* A clock that runs with the system's, shifted to a chosen instant. */
struct shifted_clock {
	struct clock	clock;
	int64_t		offset_ms;
};

static int64_t
shifted_real_cb(void *arg)
{
	const struct shifted_clock *c = arg;

	return clock_now_ms(clock_system()) + c->offset_ms;
}

static int64_t
shifted_mono_cb(void *arg)
{
	(void)arg;
	return clock_mono_ms(clock_system());
}

/* The enqueue callback: leave the loop. */
static void
enqueued_cb(void *arg)
{
	event_base_loopexit(arg, NULL);
}

/*
 * The timer path: on a clock 1.5 s before a minute boundary, the
 * scheduler's own timerfd wakes it through the loop and the instant is
 * enqueued, with no one calling scheduler_wake.
 */
static void
test_the_timer_wakes_the_scheduler(void **state)
{
	struct fixture *f = *state;
	struct shifted_clock c = { { shifted_real_cb, shifted_mono_cb, &c }, 0 };
	struct timeval limit = { 5, 0 };
	const long long due = JUNE_1_0600 + 60;
	char *cause = NULL;
	struct timespec t0, t1;

	load_config(f, "* * * * *", "");
	c.offset_ms = (due * 1000 - 1500) - clock_now_ms(clock_system());
	if ((f->s = scheduler_start(f->base, &c.clock, f->st, f->cfg, f->bank,
	    &cause)) == NULL)
		fail_msg("%s", cause);
	scheduler_on_enqueue(f->s, enqueued_cb, f->base);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	event_base_loopexit(f->base, &limit);
	event_base_dispatch(f->base);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld AND state = 'pending'", due), 1);
	/* Woken at the instant, not by the 5 s limit. */
	assert_true(t1.tv_sec - t0.tv_sec < 4);
	assert_true(clock_now(&c.clock) >= due);
}

/*
 * Three people in three zones, one 9:00 schedule on each one's own clock,
 * across Berlin's spring-forward day: each gets theirs at 9:00 where they
 * are, once; a paused person's is recorded, not sent; a restart sends no
 * one twice.
 */
static void
test_people_at_their_own_nine(void **state)
{
	struct fixture *f = *state;
	char *cwd = getcwd(NULL, 0);
	char *text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:1\", \"prompts\": \"%s/prompts\", \"timezone\": "
	    "\"Europe/Berlin\", \"channels\": {\"acme\": {\"platform\": "
	    "\"slack\", \"bot_token\": \"xoxb-1\", \"signing_secret\": "
	    "\"s\"}}, \"people\": {\"ada\": {\"slack\": \"U01ADA\"}, "
	    "\"ben\": {\"slack\": \"U01BEN\", \"timezone\": "
	    "\"America/New_York\"}, \"cy\": {\"slack\": \"U01CY\", "
	    "\"timezone\": \"Asia/Tokyo\"}}, \"schedules\": [{\"name\": "
	    "\"d\", \"cron\": \"0 9 * * *\", \"timezone\": \"person\", "
	    "\"channel\": \"acme\", \"to\": [\"ada\", \"ben\", \"cy\"], "
	    "\"audience\": \"leader\"}]}", cwd);

	clock_fake_set(&f->clock, MARCH_28_1200 * 1000);
	load_text(f, text);
	start(f);
	run_until(f, MARCH_30_0030);
	/* ada: 09:00 CEST on the 29th is 07:00Z (the 28th's passed before start). */
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE person "
	    "= 'ada' AND state = 'pending'"), 1);
	assert_int_equal(count(f, "SELECT due_at FROM deliveries WHERE person = "
	    "'ada'"), MARCH_29_0100 + 6 * 3600);
	/* ben: 09:00 EDT is 13:00Z, on the 28th and the 29th. */
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE person "
	    "= 'ben' AND due_at IN (%lld, %lld)", MARCH_28_1200 + 3600,
	    MARCH_28_1200 + 3600 + 86400), 2);
	/* cy: 09:00 JST is 00:00Z, on the 29th and the 30th. */
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE person "
	    "= 'cy' AND due_at IN (%lld, %lld)", MARCH_28_1200 + 12 * 3600,
	    MARCH_28_1200 + 36 * 3600), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 5);
	/* Each person's own rotation: ben's two questions differ. */
	assert_int_equal(count(f, "SELECT count(DISTINCT prompt_id) FROM "
	    "deliveries WHERE person = 'ben'"), 2);

	/* ben pauses; his next 9:00 is recorded as skipped, the others sent. */
	assert_int_equal(store_set_paused(f->st, "ben", MARCH_30_0030), 0);
	run_until(f, MARCH_30_0030 + 86400);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE person "
	    "= 'ben' AND state = 'skipped' AND reason LIKE 'paused%%'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE person "
	    "= 'ada' AND state = 'pending'"), 2);

	/* A restart sends nobody twice. */
	stop(f);
	start(f);
	scheduler_wake(f->s);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries"), 8);
	free(text);
	free(cwd);
}

/*
 * Direct messages on Discord and Mattermost follow each person's own clock
 * too: ada (Berlin), ben (New York) and cy (Tokyo) have a Discord and a
 * Mattermost id, and a 9:00 "timezone": "person" schedule on each
 * platform's channel asks them (the channels' APIs are not called by the
 * scheduler). Each gets both questions at 9:00 where they are: 07:00Z,
 * 13:00Z and the next day's 00:00Z, none at the config's 09:00Z.
 */
static void
test_discord_and_mattermost_people_at_their_own_nine(void **state)
{
	struct fixture *f = *state;
	const char *who[] = { "ada", "ben", "cy" };
	const long long due[] = { JUNE_1_0600 + 3600, JUNE_1_0600 + 7 * 3600,
	    JUNE_1_0600 + 18 * 3600 };
	char *cwd = getcwd(NULL, 0);
	char *text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:1\", \"prompts\": \"%s/prompts\", \"timezone\": "
	    "\"UTC\", \"channels\": {\"dc\": {\"platform\": \"discord\", "
	    "\"public_key\": \"%064d\", \"bot_token\": \"bot-token\", "
	    "\"api_url\": \"http://127.0.0.1:1/api/v10\"}, \"mm\": "
	    "{\"platform\": \"mattermost\", \"token\": \"slash-token\", "
	    "\"bot_token\": \"bot-token\", \"bot_user_id\": "
	    "\"bot4567890abcdefghijklmno\", \"server_url\": "
	    "\"http://127.0.0.1:1\", \"callback_url\": "
	    "\"http://127.0.0.1:1\"}}, \"people\": {\"ada\": {\"discord\": "
	    "\"30351110224678912\", \"mattermost\": \"ada.l\", \"timezone\": "
	    "\"Europe/Berlin\"}, \"ben\": {\"discord\": \"31351110224678912\", "
	    "\"mattermost\": \"ben.n\", \"timezone\": \"America/New_York\"}, "
	    "\"cy\": {\"discord\": \"32351110224678912\", \"mattermost\": "
	    "\"cy.t\", \"timezone\": \"Asia/Tokyo\"}}, \"schedules\": "
	    "[{\"name\": \"dc9\", \"cron\": \"0 9 * * *\", \"timezone\": "
	    "\"person\", \"channel\": \"dc\", \"to\": [\"ada\", \"ben\", "
	    "\"cy\"]}, {\"name\": \"mm9\", \"cron\": \"0 9 * * *\", "
	    "\"timezone\": \"person\", \"channel\": \"mm\", \"to\": [\"ada\", "
	    "\"ben\", \"cy\"]}]}", cwd, 0);

	load_text(f, text);
	start(f);
	run_until(f, JUNE_1_0600 + 18 * 3600 + 60);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(count(f, "SELECT count(*) FROM deliveries "
		    "WHERE person = '%s' AND state = 'pending' AND ((schedule "
		    "= 'dc9' AND channel = 'dc') OR (schedule = 'mm9' AND "
		    "channel = 'mm')) AND due_at = %lld", who[i], due[i]), 2);
		assert_int_equal(count(f, "SELECT count(*) FROM deliveries "
		    "WHERE person = '%s'", who[i]), 2);
	}
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld", JUNE_1_0600 + 3 * 3600), 0);
	free(text);
	free(cwd);
}

/* Run the loop for about ms of real time (the fake clock stands still). */
static void
turn(struct fixture *f, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(f->base, &tv);
	event_base_dispatch(f->base);
}

/*
 * Zones from profiles: ben and cy have no timezone of their own on a
 * "timezone": "person" schedule; their Slack profiles (the fake's
 * users.info, read with the bot token) say New York and Tokyo. The zones
 * are kept in the store and the scheduler re-reads them: ben's 9:00 is
 * 13:00Z, cy's the next day's 00:00Z, nobody's the config's 09:00Z. ada
 * has her own zone and is not looked up; a restart within the day looks
 * nobody up again.
 */
static void
test_people_zones_from_profiles(void **state)
{
	struct fixture *f = *state;
	struct slack_fake_opts opts = { .token = "xoxb-zones-1", .record = 1 };
	struct slack_fake fake;
	struct zones *z;
	cJSON *calls;
	char *cwd = getcwd(NULL, 0), *log = harness_format("%s/slack.log",
	    f->dir), *text;

	if (slack_fake_start(&fake, log, &opts) != 0)
		fail_msg("the fake Slack API did not start");
	text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:1\", \"prompts\": \"%s/prompts\", \"timezone\": "
	    "\"UTC\", \"channels\": {\"acme\": {\"platform\": \"slack\", "
	    "\"bot_token\": \"xoxb-zones-1\", \"api_url\": "
	    "\"http://127.0.0.1:%d/api/\"}}, \"people\": {\"ada\": {\"slack\": "
	    "\"U01ADA\", \"timezone\": \"Europe/Berlin\"}, \"ben\": {\"slack\": "
	    "\"U01BENXNY\"}, \"cy\": {\"slack\": \"U01CYXTOKYO\"}}, "
	    "\"groups\": {\"leaders\": [\"ada\", \"ben\", \"cy\"]}, "
	    "\"schedules\": [{\"name\": \"d\", \"cron\": \"0 9 * * *\", "
	    "\"timezone\": \"person\", \"channel\": \"acme\", \"to\": "
	    "[\"group:leaders\"], \"audience\": \"leader\"}]}", cwd, fake.port);
	load_text(f, text);
	start(f);
	z = zones_start(f->base, &f->clock.clock, f->st, f->cfg, f->s);
	for (int i = 0; i < 500 && count(f, "SELECT count(*) FROM "
	    "person_channels WHERE tz IS NOT NULL") < 2; i++)
		turn(f, 10);
	assert_int_equal(count(f, "SELECT count(*) FROM person_channels WHERE "
	    "channel = 'acme' AND ((person = 'ben' AND tz = "
	    "'America/New_York') OR (person = 'cy' AND tz = 'Asia/Tokyo')) AND "
	    "tz_checked_at = %lld", JUNE_1_0600), 2);
	turn(f, 1500);		/* the round ends: the scheduler re-reads */
	calls = slack_fake_calls(&fake, "users.info");
	assert_int_equal(cJSON_GetArraySize(calls), 2);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetArrayItem(calls, 0), "auth")), "Bearer xoxb-zones-1");
	cJSON_Delete(calls);

	run_until(f, JUNE_1_0600 + 10 * 3600);
	assert_int_equal(count(f, "SELECT due_at FROM deliveries WHERE person = "
	    "'ada'"), JUNE_1_0600 + 3600);
	assert_int_equal(count(f, "SELECT due_at FROM deliveries WHERE person = "
	    "'ben'"), JUNE_1_0600 + 7 * 3600);
	assert_int_equal(count(f, "SELECT count(*) FROM deliveries WHERE person "
	    "= 'cy'"), 0);
	run_until(f, JUNE_1_0600 + 18 * 3600 + 60);
	assert_int_equal(count(f, "SELECT due_at FROM deliveries WHERE person = "
	    "'cy'"), JUNE_1_0600 + 18 * 3600);

	/* A restart within the day: the kept zones are fresh, no lookup. */
	zones_free(z);
	z = zones_start(f->base, &f->clock.clock, f->st, f->cfg, f->s);
	turn(f, 200);
	assert_int_equal(slack_fake_count(&fake, "users.info"), 2);
	zones_free(z);
	slack_fake_stop(&fake);
	free(text);
	free(log);
	free(cwd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_due_instant_fires_at_its_instant,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart_is_idempotent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_the_newest_miss_is_caught_up,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_metrics_count_committed_rows_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_miss_beyond_catch_up_is_skipped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_date_is_recorded_not_sent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_spring_forward_fires_once_at_the_gap_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fall_back_fires_once_at_the_first,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_people_at_their_own_nine,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_the_timer_wakes_the_scheduler,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_people_zones_from_profiles,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_discord_and_mattermost_people_at_their_own_nine, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
