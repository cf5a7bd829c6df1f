/* SPDX-License-Identifier: ISC */
/* The command line: sub-commands, options in any order, and usage errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Parse a NULL-terminated list of words as argv. */
static int
parse(struct cli *cli, char **cause, ...)
{
	char *argv[16];
	va_list ap;
	int argc = 0;

	va_start(ap, cause);
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	*cause = NULL;
	return cli_parse(argc, argv, cli, cause);
}

/* Assert a usage error containing want. */
static void
assert_usage_error(const char *want, int rc, char *cause)
{
	assert_int_equal(rc, -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", want, cause);
	free(cause);
}

static void
test_commands(void **state)
{
	struct cli cli;
	char *cause;

	(void)state;
	assert_int_equal(parse(&cli, &cause, "nudged", "--version", NULL), 0);
	assert_int_equal(cli.command, CLI_VERSION);
	assert_int_equal(parse(&cli, &cause, "nudged", "version", NULL), 0);
	assert_int_equal(cli.command, CLI_VERSION);
	assert_int_equal(parse(&cli, &cause, "nudged", "--help", NULL), 0);
	assert_int_equal(cli.command, CLI_HELP);
	assert_int_equal(parse(&cli, &cause, "nudged", "serve", "-c", "x.json",
	    "-v", NULL), 0);
	assert_int_equal(cli.command, CLI_SERVE);
	assert_string_equal(cli.config, "x.json");
	assert_true(cli.verbose);
	assert_int_equal(parse(&cli, &cause, "nudged", "check", NULL), 0);
	assert_int_equal(cli.command, CLI_CHECK);
	assert_null(cli.config);
	assert_int_equal(parse(&cli, &cause, "nudged", "check", "--help", NULL),
	    0);
	assert_true(cli.help);
	assert_int_equal(cli.command, CLI_CHECK);
	assert_non_null(strstr(cli_usage(CLI_CHECK), "nudged check"));
}

static void
test_cron_options_around_the_expression(void **state)
{
	struct cli cli;
	char *cause;

	(void)state;
	assert_int_equal(parse(&cli, &cause, "nudged", "cron", "30 2 * * *",
	    "--tz", "Europe/Berlin", "--from", "2026-03-28T12:00:00Z", "--count",
	    "3", NULL), 0);
	assert_string_equal(cli.expr, "30 2 * * *");
	assert_string_equal(cli.tz, "Europe/Berlin");
	assert_true(cli.has_from);
	assert_int_equal(cli.from, 1774699200);
	assert_int_equal(cli.count, 3);
	assert_int_equal(parse(&cli, &cause, "nudged", "cron", "--count=2",
	    "@daily", NULL), 0);
	assert_string_equal(cli.expr, "@daily");
	assert_int_equal(cli.count, 2);
	assert_int_equal(parse(&cli, &cause, "nudged", "next", "--from",
	    "2026-03-29T02:30:00+02:00", "--days", "7", NULL), 0);
	assert_int_equal(cli.from, 1774744200);
	assert_int_equal(cli.days, 7);
}

static void
test_usage_errors(void **state)
{
	struct cli cli;
	char *cause;
	int rc;

	(void)state;
	rc = parse(&cli, &cause, "nudged", NULL);
	assert_usage_error("no command given", rc, cause);
	rc = parse(&cli, &cause, "nudged", "serv", NULL);
	assert_usage_error("unknown command \"serv\"", rc, cause);
	rc = parse(&cli, &cause, "nudged", "serve", "--bogus", NULL);
	assert_usage_error("serve: unknown option --bogus", rc, cause);
	rc = parse(&cli, &cause, "nudged", "serve", "-c", NULL);
	assert_usage_error("serve: missing value for option -c", rc, cause);
	rc = parse(&cli, &cause, "nudged", "serve", "--tz", "UTC", NULL);
	assert_usage_error("serve: option -t/--tz does not apply", rc, cause);
	/* Only check has an --offline; the read-only commands are offline anyway. */
	rc = parse(&cli, &cause, "nudged", "serve", "--offline", NULL);
	assert_usage_error("serve: option -o/--offline does not apply", rc, cause);
	assert_int_equal(parse(&cli, &cause, "nudged", "check", "--offline",
	    NULL), 0);
	assert_true(cli.offline);
	rc = parse(&cli, &cause, "nudged", "check", "extra", NULL);
	assert_usage_error("check: unexpected argument \"extra\"", rc, cause);
	rc = parse(&cli, &cause, "nudged", "cron", NULL);
	assert_usage_error("cron: missing EXPR", rc, cause);
	rc = parse(&cli, &cause, "nudged", "cron", "@daily", "@hourly", NULL);
	assert_usage_error("cron: unexpected argument \"@hourly\"", rc, cause);
	rc = parse(&cli, &cause, "nudged", "cron", "@daily", "--count", "0",
	    NULL);
	assert_usage_error("--count: \"0\" is not a number from 1 to 100000", rc,
	    cause);
	rc = parse(&cli, &cause, "nudged", "cron", "@daily", "--from",
	    "yesterday", NULL);
	assert_usage_error("--from: ", rc, cause);
	rc = parse(&cli, &cause, "nudged", "next", "--days", "7x", NULL);
	assert_usage_error("--days: \"7x\" is not a number", rc, cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_cron_options_around_the_expression),
		cmocka_unit_test(test_usage_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
