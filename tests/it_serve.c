/* SPDX-License-Identifier: ISC */
/*
 * The real binary: `check` on good and bad configs, usage errors, and a
 * `serve` lifecycle: ready, lock, SIGHUP with an invalid then a valid config,
 * SIGTERM, and a database that is intact afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "store.h"

struct fixture {
	char	*dir;
	char	*config;
	int	 port;
};

static const char good_config[] =
    "// written by it_serve\n"
    "{\n"
    "  \"state_dir\": \"state\",\n"
    "  \"listen\": \"127.0.0.1:%d\",\n"
    "  \"prompts\": \"%s/prompts\",\n"
    "  \"channels\": {\"demo\": {\"platform\": \"console\"}},\n"
    "  \"schedules\": [\n"
    "    {\"name\": \"yearly\", \"cron\": \"0 0 1 1 *\", \"channel\": \"demo\"}%s\n"
    "  ]\n"
    "}\n";

/* Write the good config with an optional extra schedule. */
static void
write_good(struct fixture *f, const char *extra)
{
	char *cwd = getcwd(NULL, 0);
	char *text = harness_format(good_config, f->port, cwd, extra);

	harness_write(f->config, text);
	free(text);
	free(cwd);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->dir = harness_tmpdir();
	f->config = harness_format("%s/nudged.json", f->dir);
	f->port = harness_free_port();
	write_good(f, "");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	harness_rmdir(f->dir);
	free(f->config);
	free(f->dir);
	free(f);
	return 0;
}

static void
test_version_help_and_usage(void **state)
{
	char *out;

	(void)state;
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "--version", NULL }, &out), 0);
	assert_non_null(strstr(out, "nudged "));
	free(out);
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "version", NULL }, &out), 0);
	assert_int_equal(strncmp(out, "nudged " NUDGED_VERSION "\n", 8 +
	    strlen(NUDGED_VERSION)), 0);
	free(out);
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "--help", NULL }, &out), 0);
	assert_non_null(strstr(out, "usage: nudged COMMAND"));
	free(out);
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "serve", "--help", NULL }, &out), 0);
	assert_non_null(strstr(out, "usage: nudged serve"));
	free(out);
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "frobnicate", NULL }, &out), 2);
	assert_non_null(strstr(out, "unknown command \"frobnicate\""));
	free(out);
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "check", "--nope", NULL }, &out), 2);
	free(out);
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "cron", "@daily", "--tz", "America/New_Yrok", NULL }, &out), 1);
	assert_non_null(strstr(out, "unknown time zone \"America/New_Yrok\" "
	    "(did you mean \"America/New_York\"?)"));
	free(out);
}

static void
test_check_good_and_bad(void **state)
{
	struct fixture *f = *state;
	char *out, *want, *cwd, *text, *reference;

	/* A console channel without an api_token cannot take answers. */
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "check", "-c", f->config, NULL }, &out), 0);
	assert_non_null(strstr(out, ": warning: schedule \"yearly\": channel "
	    "\"demo\" cannot take answers: "));
	assert_non_null(strstr(out, "one-way"));
	assert_string_equal(strchr(out, '\n'), "\nok\n");
	free(out);
	/* The shipped configs are valid as they stand (secrets from the environment). */
	setenv("SLACK_LEADERS_WEBHOOK", "https://hooks.example.test/x", 1);
	setenv("SLACK_SIGNING_SECRET", "x", 1);
	setenv("TEAMS_TEAM_A_WEBHOOK", "https://teams.example.test/x", 1);
	setenv("TEAMS_TEAM_A_HMAC", "eA==", 1);
	/* The reference names the installed bank; point a copy at the source tree's. */
	reference = harness_read("config/nudged.json");
	cwd = getcwd(NULL, 0);
	text = harness_format("%s/prompts", cwd);
	reference = harness_replace(reference, "/usr/local/share/nudged/prompts",
	    text);
	harness_write(f->config, reference);
	free(reference);
	free(text);
	free(cwd);
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "check", "-c", f->config, NULL }, &out), 0);
	free(out);
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "check", "-c", "config/demo.json", NULL }, &out), 0);
	free(out);

	harness_write(f->config, "{\n  \"state_dir\": \"s\",\n  \"channels\": "
	    "{\"demo\": {\"platform\": \"console\"}},\n  \"schedules\": [{\"name\": "
	    "\"x\", \"cron\": \"0 9 * * MON-FRY\", \"channel\": \"demo\"}],\n"
	    "  \"colour\": \"blue\"\n}\n");
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "check", "-c", f->config, NULL }, &out), 1);
	want = harness_format("%s:4:52: cron: field 5 (day-of-week): unknown name \"FRY\" at column 13", f->config);
	if (strstr(out, want) == NULL)
		fail_msg("expected \"%s\" in:\n%s", want, out);
	free(want);
	want = harness_format("%s:5:3: unknown key \"colour\"", f->config);
	assert_non_null(strstr(out, want));
	free(want);
	free(out);

	/* Schedules that meet a clock change within a year get a note, still ok. */
	cwd = getcwd(NULL, 0);
	text = harness_format("{\"state_dir\": \"s\", \"timezone\": "
	    "\"Europe/Berlin\", \"prompts\": \"%s/prompts\", \"channels\": "
	    "{\"c\": {\"platform\": \"console\", \"api_token\": \"t\"}}, "
	    "\"schedules\": [{\"name\": \"night\", \"cron\": \"30 2 * * *\", \"channel\": \"c\"}, "
	    "{\"name\": \"noon\", \"cron\": \"0 12 * * *\", \"channel\": "
	    "\"c\"}]}", cwd);
	harness_write(f->config, text);
	free(text);
	free(cwd);
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "check", "-c", f->config, NULL }, &out), 0);
	assert_non_null(strstr(out, "schedule \"night\": 02:30 on "));
	assert_non_null(strstr(out, "does not exist in Europe/Berlin (clocks go "
	    "forward); it fires once, at 03:00 CEST"));
	assert_non_null(strstr(out, "happens twice in Europe/Berlin (clocks go "
	    "back); it fires once, at the first"));
	assert_null(strstr(out, "\"noon\""));
	assert_non_null(strstr(out, "ok\n"));
	free(out);

	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "check", "-c", "/nonexistent/nudged.json", NULL }, &out), 1);
	assert_non_null(strstr(out, "/nonexistent/nudged.json: No such file"));
	free(out);
}

static void
test_serve_lifecycle(void **state)
{
	struct fixture *f = *state;
	struct harness_proc p, second;
	char *body = NULL, *state_dir, *cause = NULL;
	struct store *st;
	int64_t last = 0;

	assert_int_equal(harness_spawn(&p, (const char *[]){ harness_bin(),
	    "serve", "-c", f->config, NULL }), 0);
	if (harness_wait_output(&p, "started: config", 10000) != 0)
		fail_msg("no start line:\n%s", p.out);
	assert_non_null(strstr(p.out, "1 schedule"));
	assert_int_equal(harness_http_get(f->port, "/healthz", &body), 200);
	assert_non_null(strstr(body, "\"ok\""));
	free(body);

	/* A second daemon on the same state folder refuses to start. */
	assert_int_equal(harness_spawn(&second, (const char *[]){
	    harness_bin(), "serve", "-c", f->config, NULL }), 0);
	assert_int_equal(harness_wait_exit(&second, 10000), 3);
	assert_non_null(strstr(second.out, "another nudged serve is already "
	    "running"));
	harness_kill(&second);

	/* An invalid config on SIGHUP is logged; the old one keeps running. */
	harness_write(f->config, "{ \"state_dir\": 12 }");
	kill(p.pid, SIGHUP);
	if (harness_wait_output(&p, "is not valid; keeping the running "
	    "configuration", 10000) != 0)
		fail_msg("no reload refusal:\n%s", p.out);
	assert_non_null(strstr(p.out, "\"state_dir\" must be a string"));
	assert_int_equal(harness_http_get(f->port, "/healthz", &body), 200);
	free(body);

	/* A valid one replaces it. */
	write_good(f, ",\n    {\"name\": \"monthly\", \"cron\": \"0 9 1 * *\", "
	    "\"channel\": \"demo\"}");
	kill(p.pid, SIGHUP);
	if (harness_wait_output(&p, "applied, 2 schedules", 10000) != 0)
		fail_msg("no reload:\n%s", p.out);

	kill(p.pid, SIGTERM);
	assert_int_equal(harness_wait_exit(&p, 10000), 0);
	assert_non_null(strstr(p.out, "nudged stopped"));
	harness_kill(&p);

	/* The database is intact and remembers both schedules. */
	state_dir = harness_format("%s/state", f->dir);
	st = store_open(state_dir, &cause);
	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_integrity_check(st, &cause), 0);
	assert_int_equal(store_last_instant(st, "yearly", &last), 1);
	assert_int_equal(store_last_instant(st, "monthly", &last), 1);
	store_close(st);
	free(state_dir);
}

static void
test_serve_refuses_invalid_config(void **state)
{
	struct fixture *f = *state;
	char *out;

	harness_write(f->config, "{ \"state_dir\": \"s\", \"channels\": {}, "
	    "\"schedules\": [] }");
	assert_int_equal(harness_run((const char *[]){ harness_bin(),
	    "serve", "-c", f->config, NULL }, &out), 1);
	assert_non_null(strstr(out, "\"channels\" is empty"));
	assert_non_null(strstr(out, "is not valid; not starting"));
	free(out);
}

/* Run nudged with args on f's config; its exit code, output in *out. */
static int
run_on_config(struct fixture *f, const char *cmd, const char *opt, char **out)
{
	return harness_run((const char *[]){ harness_bin(), cmd, "-c", f->config,
	    opt, NULL }, out);
}

static void
test_read_only_commands_need_no_secrets(void **state)
{
	static const char *const read_only[][2] = { { "next", NULL },
	    { "prompts", NULL }, { "stats", NULL }, { "export", NULL },
	    { "check", "--offline" } };
	struct fixture *f = *state;
	char *cwd = getcwd(NULL, 0), *text, *out;

	unsetenv("NUDGED_TEST_UNSET_WEBHOOK");
	unsetenv("NUDGED_TEST_UNSET_SIGNING");
	unsetenv("NUDGED_TEST_UNSET_TOKEN");
	text = harness_format("{\"state_dir\": \"state\", \"prompts\": "
	    "\"%s/prompts\", \"dashboard_token\": \"${NUDGED_TEST_UNSET_TOKEN}\", "
	    "\"channels\": {\"leaders\": {\"platform\": \"slack\", "
	    "\"webhook\": \"${NUDGED_TEST_UNSET_WEBHOOK}\", \"signing_secret\": "
	    "\"${NUDGED_TEST_UNSET_SIGNING}\"}}, \"schedules\": [{\"name\": "
	    "\"daily\", \"cron\": \"0 9 * * *\", \"channel\": \"leaders\"}]}",
	    cwd);
	harness_write(f->config, text);
	free(text);
	free(cwd);
	for (size_t i = 0; i < sizeof read_only / sizeof read_only[0]; i++) {
		if (run_on_config(f, read_only[i][0], read_only[i][1], &out) != 0)
			fail_msg("nudged %s: %s", read_only[i][0], out);
		/* Says nothing about the secrets it did not need. */
		assert_null(strstr(out, "NUDGED_TEST_UNSET"));
		free(out);
	}
	/* check without --offline still wants every secret, and names them. */
	assert_int_equal(run_on_config(f, "check", NULL, &out), 1);
	assert_non_null(strstr(out, "${NUDGED_TEST_UNSET_WEBHOOK}"));
	assert_non_null(strstr(out, "${NUDGED_TEST_UNSET_SIGNING}"));
	assert_non_null(strstr(out, "${NUDGED_TEST_UNSET_TOKEN}"));
	free(out);
	assert_int_equal(run_on_config(f, "serve", NULL, &out), 1);
	assert_non_null(strstr(out, "${NUDGED_TEST_UNSET_WEBHOOK}"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_help_and_usage),
		cmocka_unit_test_setup_teardown(test_check_good_and_bad, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_serve_lifecycle, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_serve_refuses_invalid_config,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_read_only_commands_need_no_secrets, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
