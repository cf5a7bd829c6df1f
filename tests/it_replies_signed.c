/* SPDX-License-Identifier: ISC */
/*
 * Signed answers from every platform to the real daemon: each is accepted
 * when genuine and stored exactly once (a retry of the same message too),
 * and refused with the right status and no change when forged, stale,
 * malformed, misaddressed or from a channel without a secret.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "replies_fixture.h"
#include "signed.h"

/* POST a Slack request signed with secret at ts; the status. */
static int
slack_post(struct replies_fixture *f, const char *path, const char *type,
    const char *body, const char *secret, int64_t ts, char **out)
{
	return signed_slack_post(f->port, secret, ts, path, type, body, out);
}

/* A slash command body. */
static char *
slack_command(const char *text, const char *trigger)
{
	return harness_format("token=legacy&team_id=T1&channel_id=C0LEADERS&"
	    "channel_name=leaders&user_id=U5&user_name=eve&command=%%2Freflect&"
	    "text=%s&response_url=https%%3A%%2F%%2Fhooks.example.test%%2Fx&"
	    "trigger_id=%s", text, trigger);
}

static void
test_slack_command(void **state)
{
	struct replies_fixture *f = *state;
	int64_t now = time(NULL);
	char *body, *text, *out;
	const char *form = "application/x-www-form-urlencoded";

	text = harness_format("%s+We+asked+what+we+learned+first", f->slack_code);
	body = slack_command(text, "trig-1");
	assert_int_equal(slack_post(f, "/slack/commands", form, body,
	    FIXTURE_SLACK_SECRET, now, &out), 200);
	assert_non_null(strstr(out, "\"response_type\":\"ephemeral\""));
	assert_non_null(strstr(out, "Streak: 1 in a row"));
	free(out);
	/* The same trigger again: answered, stored once. */
	assert_int_equal(slack_post(f, "/slack/commands", form, body,
	    FIXTURE_SLACK_SECRET, now, &out), 200);
	assert_non_null(strstr(out, "Already saved"));
	free(out);
	assert_int_equal(slack_post(f, "/slack/commands", form, body,
	    "not-the-secret", now, &out), 401);
	free(out);
	assert_int_equal(slack_post(f, "/slack/commands", form, body,
	    FIXTURE_SLACK_SECRET, now - 301, &out), 409);
	free(out);
	assert_int_equal(slack_post(f, "/slack/commands", "text/plain", body,
	    FIXTURE_SLACK_SECRET, now, &out), 415);
	free(out);
	assert_int_equal(harness_http_post(f->port, "/slack/commands",
	    (const char *[]){ "Content-Type: application/x-www-form-urlencoded",
	    NULL }, body, strlen(body), &out), 401);
	free(out);
	free(body);
	body = harness_format("user_name=eve&text=hi&trigger_id=t9");
	assert_int_equal(slack_post(f, "/slack/commands", form, body,
	    FIXTURE_SLACK_SECRET, now, &out), 400);
	free(out);
	free(body);
	/* A first word that is no nudge's code stays part of the answer. */
	body = slack_command("What+a+week", "trig-2");
	if (slack_post(f, "/slack/commands", form, body, FIXTURE_SLACK_SECRET,
	    now, &out) != 200)
		fail_msg("not stored: %s", out);
	free(out);
	free(body);
	free(text);
	replies_fixture_stop(f);
	assert_int_equal(replies_fixture_count(f), 2);
}

/*
 * Slack checks a slash command URL's certificate with ssl_check=1, as a POST
 * form (with a legacy token, unsigned) or a GET: both get 200, nothing is
 * stored, and only Slack's routes take it.
 */
static void
test_slack_ssl_check(void **state)
{
	struct replies_fixture *f = *state;
	const char *form[] = { "Content-Type: application/x-www-form-urlencoded",
	    NULL };
	const char *probe = "ssl_check=1&token=legacy", *other = "ssl_check=0";
	char *out;

	assert_int_equal(harness_http_post(f->port, "/slack/commands", form,
	    probe, strlen(probe), &out), 200);
	free(out);
	assert_int_equal(harness_http_get(f->port,
	    "/slack/commands?ssl_check=1", &out), 200);
	free(out);
	/* Not a check: read as a slash command, which it is not. */
	assert_int_equal(harness_http_post(f->port, "/slack/commands", form,
	    other, strlen(other), &out), 400);
	free(out);
	/* Other platforms read it as an (incomplete) answer of their own. */
	assert_int_equal(harness_http_post(f->port, "/mattermost", form,
	    probe, strlen(probe), &out), 400);
	free(out);
	assert_int_equal(harness_http_get(f->port, "/teams?ssl_check=1", &out),
	    405);
	free(out);
	replies_fixture_stop(f);
	assert_int_equal(replies_fixture_count(f), 0);
}

static void
test_slack_events(void **state)
{
	struct replies_fixture *f = *state;
	int64_t now = time(NULL);
	char *body, *out;
	const char *json = "application/json", *lit;

	lit = "{\"token\":\"x\",\"challenge\":\"c-123\",\"type\":"
	    "\"url_verification\"}";
	assert_int_equal(slack_post(f, "/slack/events", json, lit,
	    FIXTURE_SLACK_SECRET, now, &out), 200);
	assert_non_null(strstr(out, "c-123"));
	free(out);
	assert_int_equal(slack_post(f, "/slack/events", json, lit, "wrong", now,
	    &out), 401);
	free(out);
	body = harness_format("{\"type\":\"event_callback\",\"team_id\":\"T1\","
	    "\"event_id\":\"Ev1\",\"event_time\":1,\"event\":{\"type\":\"message\","
	    "\"channel\":\"C0LEADERS\",\"user\":\"U6\",\"text\":\"%s trust came "
	    "first\",\"ts\":\"2.0\",\"thread_ts\":\"1.0\"}}", f->slack_code);
	assert_int_equal(slack_post(f, "/slack/events", json, body,
	    FIXTURE_SLACK_SECRET, now, &out), 200);
	free(out);
	/* Slack's retry of the same event id. */
	assert_int_equal(slack_post(f, "/slack/events", json, body,
	    FIXTURE_SLACK_SECRET, now, &out), 200);
	free(out);
	free(body);
	/* A thread reply without a code, and a bot's message: not answers. */
	lit = "{\"type\":\"event_callback\",\"event_id\":\"Ev2\",\"event\":{"
	    "\"type\":\"message\",\"channel\":\"C0LEADERS\",\"user\":\"U7\","
	    "\"text\":\"nice\",\"ts\":\"3.0\",\"thread_ts\":\"1.0\"}}";
	assert_int_equal(slack_post(f, "/slack/events", json, lit,
	    FIXTURE_SLACK_SECRET, now, &out), 200);
	free(out);
	lit = "{\"type\":\"event_callback\",\"event_id\":\"Ev3\",\"event\":{"
	    "\"type\":\"message\",\"bot_id\":\"B1\",\"channel\":\"C0LEADERS\","
	    "\"text\":\"K7QX hello\",\"ts\":\"4.0\",\"thread_ts\":\"1.0\"}}";
	assert_int_equal(slack_post(f, "/slack/events", json, lit,
	    FIXTURE_SLACK_SECRET, now, &out), 200);
	free(out);
	replies_fixture_stop(f);
	assert_int_equal(replies_fixture_count(f), 1);
}

/* POST a Teams activity with its HMAC computed with secret (base64). */
static int
teams_post(struct replies_fixture *f, const char *body, const char *secret,
    char **out)
{
	char *auth = signed_teams(secret, body);
	int status;

	status = harness_http_post(f->port, "/teams", (const char *[]){
	    "Content-Type: application/json", auth, NULL }, body, strlen(body),
	    out);
	free(auth);
	return status;
}

static void
test_teams(void **state)
{
	struct replies_fixture *f = *state;
	char *body, *out;

	body = harness_format("{\"type\":\"message\",\"id\":\"1700000000001\","
	    "\"timestamp\":\"2026-11-24T10:00:00Z\",\"channelId\":\"msteams\","
	    "\"from\":{\"id\":\"29:abc\",\"name\":\"Dana\"},\"conversation\":"
	    "{\"id\":\"19:xyz@thread.tacv2;messageid=1\"},\"text\":\"<at>nudged"
	    "</at> %s we asked &amp; listened\",\"channelData\":{"
	    "\"teamsChannelId\":\"19:xyz@thread.tacv2\"}}", f->teams_code);
	assert_int_equal(teams_post(f, body, FIXTURE_TEAMS_SECRET, &out), 200);
	assert_non_null(strstr(out, "\"type\":\"message\""));
	free(out);
	assert_int_equal(teams_post(f, body, "d3JvbmctLXNlY3JldC0tLS0tLS0tLS0t"
	    "LS0tLS0tLTMyISE=", &out), 401);
	free(out);
	free(body);
	assert_int_equal(teams_post(f, "{\"type\":\"message\",",
	    FIXTURE_TEAMS_SECRET, &out), 400);
	free(out);
	replies_fixture_stop(f);
	assert_int_equal(replies_fixture_count(f), 1);
}

/* POST a Discord interaction signed with key at ts. */
static int
discord_post(struct replies_fixture *f, const char *body, EVP_PKEY *key,
    int64_t ts, char **out)
{
	char *h[2];
	int status;

	signed_discord(key, ts, body, h);
	status = harness_http_post(f->port, "/discord/interactions",
	    (const char *[]){ "Content-Type: application/json", h[0], h[1],
	    NULL }, body, strlen(body), out);
	free(h[0]);
	free(h[1]);
	return status;
}

static void
test_discord(void **state)
{
	struct replies_fixture *f = *state;
	EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *other = NULL;
	int64_t now = time(NULL);
	char *body, *out;

	assert_int_equal(discord_post(f, "{\"type\":1}", f->discord_key, now,
	    &out), 200);
	assert_non_null(strstr(out, "\"type\":1"));
	free(out);
	body = harness_format("{\"type\":2,\"id\":\"111\",\"application_id\":"
	    "\"9\",\"channel_id\":\"C9\",\"token\":\"tok\",\"member\":{\"user\":"
	    "{\"id\":\"42\",\"username\":\"kai\"}},\"data\":{\"name\":\"reflect\","
	    "\"options\":[{\"name\":\"code\",\"type\":3,\"value\":\"%s\"},"
	    "{\"name\":\"answer\",\"type\":3,\"value\":\"we slowed down\"}]}}",
	    f->discord_code);
	assert_int_equal(discord_post(f, body, f->discord_key, now, &out), 200);
	assert_non_null(strstr(out, "\"flags\":64"));
	free(out);
	assert_int_equal(discord_post(f, body, f->discord_key, now - 400, &out),
	    409);
	free(out);
	EVP_PKEY_keygen_init(kctx);
	EVP_PKEY_keygen(kctx, &other);
	assert_int_equal(discord_post(f, body, other, now, &out), 401);
	free(out);
	EVP_PKEY_free(other);
	EVP_PKEY_CTX_free(kctx);
	free(body);
	replies_fixture_stop(f);
	assert_int_equal(replies_fixture_count(f), 1);
}

static void
test_mattermost_and_missing_secret(void **state)
{
	struct replies_fixture *f = *state;
	const char *form[] = { "Content-Type: application/x-www-form-urlencoded",
	    NULL };
	char *body, *out, *cfg;
	const char *lit;

	body = harness_format("token=%s&team_id=t1&channel_id=ch1&user_id=u1&"
	    "user_name=lee&post_id=p-1&text=%s+pairing+helped&trigger_word=",
	    FIXTURE_MM_TOKEN, f->mm_code);
	assert_int_equal(harness_http_post(f->port, "/mattermost", form, body,
	    strlen(body), &out), 200);
	if (strstr(out, "\"response_type\":\"comment\"") == NULL)
		fail_msg("not a comment: %s", out);
	free(out);
	free(body);
	lit = "token=wrong-token&user_id=u1&post_id=p-2&text=hi&channel_id=c";
	assert_int_equal(harness_http_post(f->port, "/mattermost", form, lit,
	    strlen(lit), &out), 403);
	free(out);
	assert_int_equal(harness_http_get(f->port, "/mattermost", &out), 405);
	free(out);
	/* Without a secret the channel accepts no answers at all. */
	cfg = harness_replace(harness_read(f->config), ", \"hmac_secret\": \""
	    FIXTURE_TEAMS_SECRET "\"", "");
	harness_write(f->config, cfg);
	free(cfg);
	kill(f->serve.pid, SIGHUP);
	assert_int_equal(harness_wait_count(&f->serve, "applied,", 1, 10000), 0);
	assert_int_equal(teams_post(f, "{\"type\":\"message\",\"id\":\"9\","
	    "\"from\":{\"id\":\"a\"},\"text\":\"x\",\"conversation\":{\"id\":"
	    "\"c\"}}", FIXTURE_TEAMS_SECRET, &out), 403);
	free(out);
	replies_fixture_stop(f);
	assert_int_equal(replies_fixture_count(f), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_slack_command,
		    replies_fixture_setup, replies_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_slack_ssl_check,
		    replies_fixture_setup, replies_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_slack_events,
		    replies_fixture_setup, replies_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_teams,
		    replies_fixture_setup, replies_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_discord,
		    replies_fixture_setup, replies_fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_mattermost_and_missing_secret, replies_fixture_setup,
		    replies_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
