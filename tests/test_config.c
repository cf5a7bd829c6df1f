/* SPDX-License-Identifier: ISC */
/* Config loading: valid files, comments, ${NAME} secrets, and every kind of error with its place. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bank.h"
#include "chat/chat_int.h"
#include "config.h"
#include "harness.h"
#include "suggest.h"
#include "tz.h"

static char config_dir[] = "/tmp/nudged-test-XXXXXX";

/* Write text to a file in the test folder and return its path. */
static char *
write_config(const char *name, const char *text)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", config_dir, name) < 0)
		abort();
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load text as a config; return the errors (NULL when it loaded). */
static char *
load_errors(const char *text)
{
	char *path = write_config("bad.json", text), *cause = NULL;
	struct config *cfg = config_load(path, &cause);

	config_free(cfg);
	free(path);
	return cause;
}

/* Assert that loading text fails with exactly this message among its errors. */
static void
assert_error(const char *text, const char *expected)
{
	char *cause = load_errors(text), *want;

	if (asprintf(&want, "%s/bad.json:%s", config_dir, expected) < 0)
		abort();
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("expected \"%s\" in:\n%s", want, cause);
	free(want);
	free(cause);
}

#define MINIMAL_CHANNELS \
	"\"channels\": {\"c\": {\"platform\": \"console\"}}"

static void
test_valid_with_comments_and_env(void **state)
{
	char *cause = NULL, *path;
	struct config *cfg;

	(void)state;
	setenv("NUDGED_TEST_HOOK", "https://hooks.example.test/abc", 1);
	setenv("NUDGED_TEST_SECRET", "s3cret", 1);
	path = write_config("good.json",
	    "// a reference deployment\n"
	    "{\n"
	    "  \"state_dir\": \"var\", /* relative to this file */\n"
	    "  \"listen\": \"127.0.0.1:9999\",\n"
	    "  \"timezone\": \"Europe/Berlin\",\n"
	    "  \"calendars\": {\"de\": [\"2026-12-25\", \"2026-12-26\"]},\n"
	    "  \"channels\": {\n"
	    "    \"leaders\": {\"platform\": \"slack\", \"webhook\": "
	    "\"${NUDGED_TEST_HOOK}\", \"signing_secret\": \"${NUDGED_TEST_SECRET}\"},\n"
	    "    \"demo\": {\"platform\": \"console\"}\n"
	    "  },\n"
	    "  \"schedules\": [\n"
	    "    {\"name\": \"daily\", \"cron\": \"0 9 * * MON-FRI\", \"channel\": "
	    "\"leaders\", \"themes\": [\"coaching\"], \"audience\": \"leader\",\n"
	    "     \"skip_dates\": [\"2026-12-24\"], \"skip_calendars\": [\"de\"], "
	    "\"catch_up\": \"2h\"},\n"
	    "    {\"name\": \"weekly\", \"cron\": \"0 15 * * FRI\", \"timezone\": "
	    "\"America/New_York\", \"channel\": \"demo\"}\n"
	    "  ]\n"
	    "}\n");
	cfg = config_load(path, &cause);
	if (cfg == NULL)
		fail_msg("%s", cause);
	assert_string_equal(cfg->listen_host, "127.0.0.1");
	assert_int_equal(cfg->listen_port, 9999);
	assert_int_equal(strncmp(cfg->state_dir, config_dir,
	    strlen(config_dir)), 0);
	assert_string_equal(cfg->state_dir + strlen(cfg->state_dir) - 4, "/var");
	assert_int_equal(cfg->nchannels, 2);
	assert_string_equal(cfg->channels[0].webhook,
	    "https://hooks.example.test/abc");
	assert_string_equal(((struct slack_settings *)
	    cfg->channels[0].settings)->signing_secret, "s3cret");
	assert_int_equal(cfg->nschedules, 2);
	assert_string_equal(tz_name(cfg->schedules[0].tz), "Europe/Berlin");
	assert_string_equal(tz_name(cfg->schedules[1].tz), "America/New_York");
	assert_int_equal(cfg->schedules[0].catch_up, 7200);
	assert_int_equal(cfg->schedules[1].catch_up, 3600);
	assert_int_equal(cfg->schedules[0].audience, CONFIG_AUDIENCE_LEADER);
	assert_int_equal(cfg->schedules[0].nskip_days, 3);
	/* 2026-12-24 is day 20811 since 1970-01-01. */
	assert_true(config_schedule_skips(&cfg->schedules[0], 20811));
	assert_true(config_schedule_skips(&cfg->schedules[0], 20812));
	assert_false(config_schedule_skips(&cfg->schedules[0], 20810));
	assert_ptr_equal(cfg->schedules[1].channel, &cfg->channels[1]);
	config_free(cfg);
	free(path);
}

static void
test_credentials_directory_wins(void **state)
{
	char *cause = NULL, *path, *creds;
	struct config *cfg;

	(void)state;
	if (asprintf(&creds, "%s/creds", config_dir) < 0)
		abort();
	mkdir(creds, 0700);
	free(write_config("creds/slack-hook", "https://hooks.example.test/"
	    "from-credential\n"));
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	setenv("slack-hook", "https://hooks.example.test/from-env", 1);
	setenv("SLACK_HOOK", "https://hooks.example.test/from-env", 1);
	path = write_config("creds.json", "{\"state_dir\": \"/tmp\", "
	    "\"channels\": {\"s\": {\"platform\": \"slack\", \"webhook\": "
	    "\"${SLACK_HOOK}\"}, \"t\": {\"platform\": \"teams\", \"webhook\": "
	    "\"https://x.example.test/$${literal}\"}}, \"schedules\": []}");
	free(write_config("creds/SLACK_HOOK", "https://hooks.example.test/"
	    "from-credential\n"));
	cfg = config_load(path, &cause);
	unsetenv("CREDENTIALS_DIRECTORY");
	if (cfg == NULL)
		fail_msg("%s", cause);
	assert_string_equal(cfg->channels[0].webhook,
	    "https://hooks.example.test/from-credential");
	assert_string_equal(cfg->channels[1].webhook,
	    "https://x.example.test/${literal}");
	config_free(cfg);
	free(path);
	free(creds);
}

/* Outside the unit, a secret comes from systemd's credential store, as the unit's. */
static void
test_credential_store_without_unit(void **state)
{
	char *cause = NULL, *path, *name, *file, *json;
	int made_dir;
	struct config *cfg;
	FILE *f;

	(void)state;
	if (geteuid() != 0)
		skip();	/* /run/credstore is root's */
	made_dir = mkdir("/run/credstore", 0700) == 0;
	if (asprintf(&name, "NUDGED_TEST_%ld", (long)getpid()) < 0 ||
	    asprintf(&file, "/run/credstore/%s", name) < 0)
		abort();
	assert_non_null(f = fopen(file, "w"));
	fputs("https://hooks.example.test/from-store\n", f);
	fclose(f);
	unsetenv("CREDENTIALS_DIRECTORY");
	setenv(name, "https://hooks.example.test/from-env", 1);
	if (asprintf(&json, "{\"state_dir\": \"/tmp\", \"channels\": {\"s\": "
	    "{\"platform\": \"slack\", \"webhook\": \"${%s}\"}}, "
	    "\"schedules\": []}", name) < 0)
		abort();
	path = write_config("store.json", json);
	cfg = config_load(path, &cause);
	unlink(file);
	if (made_dir)
		rmdir("/run/credstore");
	unsetenv(name);
	if (cfg == NULL)
		fail_msg("%s", cause);
	assert_string_equal(cfg->channels[0].webhook,
	    "https://hooks.example.test/from-store");
	config_free(cfg);
	free(path);
	free(json);
	free(file);
	free(name);
}

static void
test_syntax_errors(void **state)
{
	(void)state;
	assert_error("{\n  \"state_dir\": \"var\",\n  \"listen\": 12 34\n}\n",
	    "3:16: JSON syntax error near '3'");
	assert_error("{\n  \"state_dir\": \"var\"\n", "3:1: JSON syntax error: "
	    "unexpected end of file");
	assert_error("{ /* never closed\n", "1:3: unterminated /* comment");
	assert_error("{\"a\": 1,}", "1:9: JSON syntax error near '}'");
}

static void
test_schema_errors(void **state)
{
	(void)state;
	assert_error("{\n  \"state_dir\": \"var\",\n  \"chanels\": {},\n"
	    "  " MINIMAL_CHANNELS ", \"schedules\": []}",
	    "3:3: unknown key \"chanels\"");
	assert_error("{\"state_dir\": 5, " MINIMAL_CHANNELS ", \"schedules\": []}",
	    "1:15: \"state_dir\" must be a string, not a number");
	assert_error("{" MINIMAL_CHANNELS ", \"schedules\": []}",
	    "1:1: missing required key \"state_dir\"");
	assert_error("{\"state_dir\": \"v\", \"listen\": \"127.0.0.1:70000\", "
	    MINIMAL_CHANNELS ", \"schedules\": []}",
	    "1:30: \"listen\": port must be 1-65535");
	assert_error("{\"state_dir\": \"v\", \"timezone\": \"Europe/Berln\", "
	    MINIMAL_CHANNELS ", \"schedules\": []}",
	    "1:32: unknown time zone \"Europe/Berln\"");
	assert_error("{\"state_dir\": \"v\", \"state_dir\": \"w\", "
	    MINIMAL_CHANNELS ", \"schedules\": []}",
	    "1:20: duplicate key \"state_dir\"");
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"skype\"}}, \"schedules\": []}",
	    "1:51: unknown platform \"skype\"");
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"slack\"}}, \"schedules\": []}",
	    "1:38: channel \"c\" (slack) needs a \"webhook\"");
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"slack\", \"webhook\": \"http://example.test/x\"}}, "
	    "\"schedules\": []}",
	    "1:71: channel \"c\": webhook must be an https:// URL");
	/* Plain http to a host that only starts like this machine's name. */
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"slack\", \"webhook\": \"http://127.0.0.1.example."
	    "test/x\"}}, \"schedules\": []}",
	    "1:71: channel \"c\": webhook must be an https:// URL");
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"slack\", \"webhook\": \"http://localhost@"
	    "example.test/x\"}}, \"schedules\": []}",
	    "1:71: channel \"c\": webhook must be an https:// URL");
	/* A Standard Webhooks secret is "whsec_" + base64 of 24+ bytes. */
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"webhook\", \"webhook\": \"https://h.test/x\", "
	    "\"signing_secret\": \"a raw passphrase\"}}, \"schedules\": []}",
	    "1:111: signing_secret must be \"whsec_\" and the base64 of at "
	    "least 24 random bytes, as Standard Webhooks receivers expect; "
	    "make one with: echo whsec_$(head -c 32 /dev/urandom | base64)");
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"webhook\", \"webhook\": \"https://h.test/x\", "
	    "\"signing_secret\": \"whsec_c2hvcnQ=\"}}, \"schedules\": []}",
	    "1:111: signing_secret must be \"whsec_\"");
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"webhook\", \"webhook\": \"https://h.test/x\", "
	    "\"signing_secret\": \"whsec_not*base64\"}}, \"schedules\": []}",
	    "1:111: signing_secret must be \"whsec_\"");
	/* A key is its platform's: Slack's secret means nothing to Teams. */
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"teams\", \"webhook\": \"https://h.test/x\", "
	    "\"slack_channel_id\": \"C1\"}}, \"schedules\": []}",
	    "1:91: unknown key \"slack_channel_id\"");
}

/* A config with these extra top-level members loads with these http limits. */
static void
assert_http(const char *extra, const struct config_http *want)
{
	char *path, *text, *cause = NULL;
	struct config *cfg;

	if (asprintf(&text, "{\"state_dir\": \"v\", " MINIMAL_CHANNELS ", "
	    "\"schedules\": []%s}", extra) < 0)
		abort();
	path = write_config("http.json", text);
	if ((cfg = config_load(path, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(cfg->http.header_timeout, want->header_timeout);
	assert_int_equal(cfg->http.body_timeout, want->body_timeout);
	assert_int_equal(cfg->http.max_connections, want->max_connections);
	assert_int_equal(cfg->http.max_per_address, want->max_per_address);
	config_free(cfg);
	free(path);
	free(text);
}

/* The http section: defaults, values, and errors at their position. */
static void
test_http_limits(void **state)
{
	const struct config_http defaults = { 10, 30, 1024, 64 };
	const struct config_http set = { 5, 60, 100, 10 };

	(void)state;
	assert_http("", &defaults);
	assert_http(", \"http\": {\"header_timeout\": \"5s\", \"body_timeout\": "
	    "\"1m\", \"max_connections\": 100, "
	    "\"max_connections_per_address\": 10}", &set);
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ", \"schedules\": "
	    "[],\n\"http\": {\"header_timeout\": \"0s\"}}",
	    "2:28: header_timeout: 0s is outside 1s-300s");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ", \"schedules\": "
	    "[],\n\"http\": {\"max_conections\": 5}}",
	    "2:10: unknown key \"max_conections\"");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ", \"schedules\": "
	    "[],\n\"http\": {\"max_connections\": 0}}",
	    "2:29: \"max_connections\" is 0, outside 1-1000000");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ", \"schedules\": "
	    "[],\n\"http\": {\"max_connections\": 2, "
	    "\"max_connections_per_address\": 3}}",
	    "2:9: max_connections_per_address is larger than max_connections");
}

/* The store section: PostgreSQL's connection string from a secret, errors at their place. */
static void
test_store_postgresql(void **state)
{
	char *path, *cause = NULL;
	struct config *cfg;

	(void)state;
	setenv("NUDGED_TEST_PG_SECRET", "host=/run/postgresql password=hunter2", 1);
	path = write_config("pg.json", "{\"state_dir\": \"v\", " MINIMAL_CHANNELS
	    ", \"schedules\": [], \"store\": {\"postgresql\": "
	    "\"${NUDGED_TEST_PG_SECRET} dbname=nudged\"}}");
	cfg = config_load(path, &cause);
	assert_non_null(cfg);
	assert_string_equal(cfg->store_postgresql, "host=/run/postgresql "
	    "password=hunter2 dbname=nudged");
	config_free(cfg);
	/* Offline commands read the store: its secret is resolved for them too. */
	cfg = config_load_offline(path, &cause);
	assert_non_null(cfg);
	assert_non_null(cfg->store_postgresql);
	config_free(cfg);
	free(path);
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ", \"schedules\": "
	    "[],\n\"store\": \"postgresql\"}", "2:10: \"store\" must be an object");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ", \"schedules\": "
	    "[],\n\"store\": {\"postgresql\": 5}}",
	    "2:25: \"postgresql\" must be a string");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ", \"schedules\": "
	    "[],\n\"store\": {\"postgres\": \"x\"}}",
	    "2:11: unknown key \"postgres\" (did you mean \"postgresql\"?)");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ", \"schedules\": "
	    "[],\n\"store\": {\"postgresql\": \"\"}}",
	    "2:25: PostgreSQL connection string is empty");
	/* A string libpq cannot read is refused without being quoted. */
	cause = load_errors("{\"state_dir\": \"v\", " MINIMAL_CHANNELS
	    ", \"schedules\": [],\n\"store\": {\"postgresql\": \"host=x "
	    "hunter2\"}}");
	assert_non_null(cause);
	assert_non_null(strstr(cause, "bad.json:2:25: PostgreSQL connection "
	    "string: "));
	assert_null(strstr(cause, "hunter2"));
	free(cause);
}

static void
test_schedule_errors(void **state)
{
	(void)state;
	/* The cron error points at the offending character inside the string. */
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ",\n"
	    "\"schedules\": [\n"
	    "  {\"name\": \"s\", \"cron\": \"0 24 * * *\", \"channel\": \"c\"}]}",
	    "3:28: cron: field 2 (hour): 24 is out of range 0-23 at column 3");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ",\n"
	    "\"schedules\": [\n"
	    "  {\"name\": \"s\", \"cron\": \"@daily\", \"channel\": \"nope\"}]}",
	    "3:46: no channel called \"nope\" under \"channels\"");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ",\n"
	    "\"schedules\": [\n"
	    "  {\"name\": \"s\", \"cron\": \"@daily\", \"channel\": \"c\", "
	    "\"skip_dates\": [\"2026-02-30\"]}]}",
	    "3:66: bad date \"2026-02-30\": day 30 is out of range 1-28");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ",\n"
	    "\"schedules\": [\n"
	    "  {\"name\": \"s\", \"cron\": \"@daily\", \"channel\": \"c\", "
	    "\"skip_calendars\": [\"fr\"]}]}",
	    "3:70: no calendar called \"fr\" under \"calendars\"");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ",\n"
	    "\"schedules\": [\n"
	    "  {\"name\": \"s\", \"cron\": \"@daily\", \"channel\": \"c\"},\n"
	    "  {\"name\": \"s\", \"cron\": \"@daily\", \"channel\": \"c\"}]}",
	    "4:12: schedule \"s\" is defined twice");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ",\n"
	    "\"schedules\": [\n"
	    "  {\"name\": \"s\", \"cron\": \"@daily\", \"channel\": \"c\", "
	    "\"catch_up\": \"soon\"}]}",
	    "3:63: catch_up: ");
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ",\n"
	    "\"schedules\": [\n"
	    "  {\"name\": \"s\", \"cron\": \"@daily\", \"channel\": \"c\", "
	    "\"audience\": \"managers\"}]}",
	    "3:63: audience must be \"leader\", \"team\" or \"any\"");
}

static void
test_missing_env_is_named_and_secret_is_not_shown(void **state)
{
	char *cause;

	(void)state;
	unsetenv("NUDGED_NOT_SET");
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"slack\", \"webhook\": \"${NUDGED_NOT_SET}\"}}, "
	    "\"schedules\": []}",
	    "1:72: ${NUDGED_NOT_SET}: not set: put the secret in "
	    "/etc/credstore/NUDGED_NOT_SET (mode 0600; the unit loads it with "
	    "LoadCredential=NUDGED_NOT_SET) or in the environment variable "
	    "NUDGED_NOT_SET");
	setenv("NUDGED_TEST_BAD_HOOK", "http://secret-host.example.test/T000/B000/"
	    "xyz", 1);
	cause = load_errors("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"slack\", \"webhook\": \"${NUDGED_TEST_BAD_HOOK}\"}}, "
	    "\"schedules\": []}");
	assert_non_null(cause);
	assert_null(strstr(cause, "secret-host"));
	free(cause);
}

static void
test_every_error_is_reported(void **state)
{
	char *cause;
	int lines = 1;

	(void)state;
	cause = load_errors("{\"state_dir\": 1, \"listen\": \"x\", \"bogus\": 2, "
	    "\"channels\": {\"c\": {\"platform\": \"nope\"}}, \"schedules\": "
	    "[{\"name\": \"s\", \"cron\": \"61 * * * *\", \"channel\": \"d\"}]}");
	assert_non_null(cause);
	for (const char *p = cause; *p != '\0'; p++)
		lines += *p == '\n';
	assert_int_equal(lines, 6);
	free(cause);
}

/* People, groups and a schedule's "to": each mistake at its position. */
static void
test_people_errors(void **state)
{
	static const char text[] =
	    "{\"state_dir\": \"v\", \"timezone\": \"Europe/Berlin\",\n"
	    "\"channels\": {\"acme\": {\"platform\": \"slack\", \"bot_token\": \"xoxb-1\",\n"
	    "  \"signing_secret\": \"s\"},\n"
	    "  \"nobot\": {\"platform\": \"slack\", \"webhook\": \"https://hooks.example.test/x\"},\n"
	    "  \"t\": {\"platform\": \"teams\", \"webhook\": \"https://hooks.example.test/t\"}},\n"
	    "\"people\": {\"ada\": {\"slack\": \"U01ADA\", \"timezone\": \"Asia/Tokyo\"},\n"
	    "  \"ben\": {\"slack\": \"u-lower\"}, \"cy\": {\"console\": \"1\", \"teems\": 2},\n"
	    "  \"dee\": {\"timezone\": \"Mars/Base\"}},\n"
	    "\"groups\": {\"leaders\": [\"ada\", \"zed\"], \"empty\": []},\n"
	    "\"schedules\": [\n"
	    "  {\"name\": \"a\", \"cron\": \"@daily\", \"channel\": \"acme\", \"to\": [\"group:nope\", \"eve\", \"dee\"]},\n"
	    "  {\"name\": \"b\", \"cron\": \"@daily\", \"channel\": \"t\", \"to\": [\"ada\"]},\n"
	    "  {\"name\": \"c\", \"cron\": \"@daily\", \"channel\": \"nobot\", \"to\": [\"ada\"]},\n"
	    "  {\"name\": \"d\", \"cron\": \"@daily\", \"channel\": \"acme\", \"timezone\": \"person\"},\n"
	    "  {\"name\": \"e\", \"cron\": \"@daily\", \"channel\": \"acme\"},\n"
	    "  {\"name\": \"f\", \"cron\": \"@daily\", \"channel\": \"acme\", \"to\": []}\n"
	    "]}\n";
	static const char *const errors[] = {
		"7:20: \"u-lower\" is not a Slack user id",
		"7:39: unknown key \"console\"",
		"7:55: unknown key \"teems\"",
		"8:23: unknown time zone \"Mars/Base\"",
		"9:31: no person called \"zed\" under \"people\"",
		"9:48: group \"empty\" is empty",
		"11:61: no group called \"nope\" under \"groups\"",
		"11:75: no person called \"eve\" under \"people\"",
		"11:60: dee has no Slack id: add \"slack\"",
		"12:57: channel \"t\" cannot send direct messages: Teams direct "
		    "messages need a bot registered with Azure Bot Service",
		"13:61: channel \"nobot\" cannot send direct messages: it needs "
		    "the app's \"bot_token\"",
		"14:66: \"timezone\": \"person\" reads the cron on each person's "
		    "clock: the schedule needs \"to\"",
		"15:3: channel \"acme\" has no \"webhook\": the schedule needs "
		    "\"to\"",
		"16:60: \"to\" is empty",
	};

	(void)state;
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
		assert_error(text, errors[i]);
}

/* A direct schedule: its people, once each, on their own clocks. */
static void
test_people_and_groups(void **state)
{
	char *path = write_config("people.json", "{\"state_dir\": \"v\", "
	    "\"timezone\": \"Europe/Berlin\", \"channels\": {\"acme\": "
	    "{\"platform\": \"slack\", \"bot_token\": \"xoxb-1\", "
	    "\"signing_secret\": \"s\"}}, \"people\": {\"ben\": {\"slack\": "
	    "\"U01BEN\"}, \"ada\": {\"slack\": \"U01ADA\", \"timezone\": "
	    "\"Asia/Tokyo\"}}, \"groups\": {\"leaders\": [\"ben\", \"ada\"]}, "
	    "\"schedules\": [{\"name\": \"d\", \"cron\": \"0 9 * * *\", "
	    "\"timezone\": \"person\", \"channel\": \"acme\", \"to\": "
	    "[\"group:leaders\", \"ada\"]}]}"), *cause = NULL;
	struct config *cfg = config_load(path, &cause);
	const struct config_person *ada, *ben;
	const struct config_schedule *sc;

	(void)state;
	if (cfg == NULL)
		fail_msg("%s", cause);
	assert_int_equal(cfg->npeople, 2);
	ada = config_find_person(cfg, "ada");
	ben = config_find_person(cfg, "ben");
	assert_non_null(ada);
	assert_non_null(ben);
	assert_null(config_find_person(cfg, "cy"));
	assert_string_equal(config_person_id(ada, chat_find("slack")),
	    "U01ADA");
	assert_null(config_person_id(ada, chat_find("teams")));
	assert_string_equal(tz_name(ada->tz), "Asia/Tokyo");
	assert_null(ben->tz);
	assert_int_equal(config_find_group(cfg, "leaders")->nmembers, 2);
	sc = config_find_schedule(cfg, "d");
	assert_true(sc->tz_person);
	/* ada is in the group and named again: asked once. */
	assert_int_equal(sc->nto, 2);
	assert_ptr_equal(&cfg->people[sc->to[0]], ben);
	assert_ptr_equal(&cfg->people[sc->to[1]], ada);
	config_free(cfg);
	free(path);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(config_dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return harness_rmdir(config_dir);
}

/* Load text as a config with its prompt bank; the errors of the bank check. */
static char *
bank_errors(const char *text)
{
	char *path = write_config("bank.json", text), *cause = NULL;
	struct config *cfg = config_load(path, &cause);
	struct bank *b;

	if (cfg == NULL)
		fail_msg("%s", cause);
	b = bank_load_for(cfg, &cause);
	assert_null(b);
	config_free(cfg);
	free(path);
	return cause;
}

static void
test_errors_that_help(void **state)
{
	char *cwd = getcwd(NULL, 0), *text, *cause, *want;

	(void)state;
	/* Swapped letters, a letter missing, the wrong case: one or two edits. */
	assert_int_equal(suggest_distance("chanenls", "channels"), 1);
	assert_int_equal(suggest_distance("chanels", "channels"), 1);
	assert_int_equal(suggest_distance("europe/berlin", "Europe/Berlin"), 0);
	assert_int_equal(suggest_distance("abc", "xyz"), 3);
	assert_error("{\n  \"state_dir\": \"var\",\n  \"chanels\": {},\n"
	    "  " MINIMAL_CHANNELS ", \"schedules\": []}",
	    "3:3: unknown key \"chanels\" (did you mean \"channels\"?)");
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"c\": "
	    "{\"platform\": \"console\", \"rtae\": 1}}, \"schedules\": []}",
	    "1:62: unknown key \"rtae\" (did you mean \"rate\"?)");
	/* Nothing close: no guess. */
	cause = load_errors("{\"state_dir\": \"v\", \"frobnicate\": 1, "
	    MINIMAL_CHANNELS ", \"schedules\": []}");
	assert_non_null(strstr(cause, "unknown key \"frobnicate\""));
	assert_null(strstr(cause, "did you mean"));
	free(cause);
	assert_error("{\"state_dir\": \"v\", \"timezone\": \"Europe/Berln\", "
	    MINIMAL_CHANNELS ", \"schedules\": []}",
	    "1:32: unknown time zone \"Europe/Berln\" (did you mean "
	    "\"Europe/Berlin\"?)");
	assert_error("{\"state_dir\": \"v\", \"channels\": {\"leaders\": "
	    "{\"platform\": \"console\"}},\n\"schedules\": [\n"
	    "  {\"name\": \"s\", \"cron\": \"@daily\", \"channel\": \"leader\"}]}",
	    "3:46: no channel called \"leader\" under \"channels\" (did you "
	    "mean \"leaders\"?)");
	/* The duplicate says where the first one is. */
	if (asprintf(&want, "4:12: schedule \"s\" is defined twice (first at "
	    "%s/bad.json:3:12)", config_dir) < 0)
		abort();
	assert_error("{\"state_dir\": \"v\", " MINIMAL_CHANNELS ",\n"
	    "\"schedules\": [\n"
	    "  {\"name\": \"s\", \"cron\": \"@daily\", \"channel\": \"c\"},\n"
	    "  {\"name\": \"s\", \"cron\": \"@daily\", \"channel\": \"c\"}]}",
	    want);
	free(want);
	/* Prompt-bank errors carry the place of the config key they are about. */
	text = harness_format("{\"state_dir\": \"v\", \"prompts\": \"%s/prompts\", "
	    MINIMAL_CHANNELS ",\n\"schedules\": [\n  {\"name\": \"s\", \"cron\": "
	    "\"@daily\", \"channel\": \"c\", \"themes\": [\"coaching\", "
	    "\"nope\"]},\n  {\"name\": \"t\", \"cron\": \"@daily\", \"channel\": "
	    "\"c\", \"track\": [\"coaching-001\", \"no-such-id\"]}]}", cwd);
	cause = bank_errors(text);
	free(text);
	if (asprintf(&want, "%s/bank.json:3:74: schedule \"s\": no theme "
	    "\"nope\"", config_dir) < 0)
		abort();
	if (strstr(cause, want) == NULL)
		fail_msg("expected \"%s\" in:\n%s", want, cause);
	free(want);
	if (asprintf(&want, "%s/bank.json:4:77: schedule \"t\": track prompt "
	    "\"no-such-id\" is not in the prompt bank", config_dir) < 0)
		abort();
	if (strstr(cause, want) == NULL)
		fail_msg("expected \"%s\" in:\n%s", want, cause);
	free(want);
	free(cause);
	cause = bank_errors("{\"state_dir\": \"v\",\n  \"prompts\": \"gone\", "
	    MINIMAL_CHANNELS ", \"schedules\": []}");
	if (asprintf(&want, "%s/bank.json:2:14: \"prompts\": there is no prompt "
	    "bank folder %s/gone", config_dir, config_dir) < 0)
		abort();
	if (strstr(cause, want) == NULL)
		fail_msg("expected \"%s\" in:\n%s", want, cause);
	free(want);
	free(cause);
	free(cwd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_with_comments_and_env),
		cmocka_unit_test(test_credentials_directory_wins),
		cmocka_unit_test(test_credential_store_without_unit),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_schema_errors),
		cmocka_unit_test(test_http_limits),
		cmocka_unit_test(test_schedule_errors),
		cmocka_unit_test(test_people_errors),
		cmocka_unit_test(test_people_and_groups),
		cmocka_unit_test(test_missing_env_is_named_and_secret_is_not_shown),
		cmocka_unit_test(test_every_error_is_reported),
		cmocka_unit_test(test_errors_that_help),
		cmocka_unit_test(test_store_postgresql),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
