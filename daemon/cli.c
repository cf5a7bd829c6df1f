/* SPDX-License-Identifier: ISC */
/*
 * Parsing nudged's command line into a struct cli. Nothing here touches files
 * or the network, so every usage rule can be tested directly; main acts on
 * the result. Usage errors come back as a message and end in exit code 2.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "xmalloc.h"

struct cli_spec {
	enum cli_command command;
	const char	*name;
	const char	*usage;
	const char	*options;	/* which long options apply: letters */
};

static const struct cli_spec cli_specs[] = {
	{ CLI_SERVE, "serve",
	    "usage: nudged serve [-c FILE] [-v]\n"
	    "Run the daemon in the foreground: post nudges when they are due,\n"
	    "take replies over HTTP. SIGHUP reloads the config, SIGTERM stops.\n",
	    "cv" },
	{ CLI_CHECK, "check",
	    "usage: nudged check [-c FILE] [--offline]\n"
	    "Validate the config (and the prompt bank). Prints \"ok\" and exits 0,\n"
	    "or prints every error as FILE:LINE:COL: what, and exits 1.\n"
	    "--offline: secrets that are not set here are not checked.\n",
	    "co" },
	{ CLI_CRON, "cron",
	    "usage: nudged cron EXPR [--tz ZONE] [--from TIME] [--count N]\n"
	    "Print the next N (default 5) instants EXPR fires strictly after TIME\n"
	    "(default now) in ZONE (default UTC), one ISO 8601 UTC instant a line.\n"
	    "TIME is ISO 8601 with an offset or Z, e.g. 2026-03-29T00:30:00Z.\n",
	    "tfn" },
	{ CLI_NEXT, "next",
	    "usage: nudged next [-c FILE] [--from TIME] [--count N] [--days D]\n"
	    "Preview upcoming nudges of every schedule, in time order: UTC instant,\n"
	    "local time and zone, schedule, channel. Default: the next 10.\n",
	    "cfnd" },
	{ CLI_PROMPTS, "prompts",
	    "usage: nudged prompts [-c FILE] [--theme T] [--audience A] "
	    "[--format table|json]\n"
	    "List the prompt bank the config names, optionally one theme or\n"
	    "audience (leader, team, any), as a table or as JSON.\n",
	    "cTaF" },
	{ CLI_SEND, "send",
	    "usage: nudged send [-c FILE] [--to NAME] SCHEDULE\n"
	    "Enqueue one nudge of SCHEDULE now and deliver it (with retries,\n"
	    "within the nudge's expiry); print the delivery id, reply code and\n"
	    "outcome. A schedule with \"to\" sends to everyone in it, or with\n"
	    "--to to that one person. Exits 0 when all were sent, 3 when one\n"
	    "failed. Safe to run while nudged serve runs on the same state\n"
	    "folder.\n",
	    "cP" },
	{ CLI_EXPORT, "export",
	    "usage: nudged export [-c FILE] [--format json|csv]\n"
	    "Write every delivery and every answer to stdout: JSON (default),\n"
	    "deliveries each with their replies, or CSV, one line per answer.\n",
	    "cF" },
	{ CLI_STATS, "stats",
	    "usage: nudged stats [-c FILE] [--channel C] [--user U] [--since DATE]\n"
	    "                    [--format table|json|csv]\n"
	    "       nudged stats [-c FILE] --rebuild\n"
	    "How the reflection habit grows: per channel the nudges, answers,\n"
	    "people and a 12-week trend; per person answers, response rate,\n"
	    "streaks, median time to answer, active weeks. DATE is a local date\n"
	    "(YYYY-MM-DD) in the config's time zone. --rebuild builds the\n"
	    "measures the store keeps per person and week again from every\n"
	    "answer, and says how long it took.\n",
	    "cFHusR" },
	{ CLI_FORGET, "forget",
	    "usage: nudged forget [-c FILE] USER [--channel C]\n"
	    "Delete every answer of USER (a platform user id), on channel C or\n"
	    "on all channels, and with them their stats; says how many. The\n"
	    "deleted text is overwritten in the database file.\n",
	    "cH" },
	{ CLI_STORE, "store",
	    "usage: nudged store copy --from STATE_DIR [-c FILE]\n"
	    "Copy the SQLite store in STATE_DIR (nudged stopped) into the empty\n"
	    "PostgreSQL store the config names, keeping ids; a store that\n"
	    "already holds rows is refused.\n",
	    "cf" },
};
#define CLI_NSPECS ((int)(sizeof cli_specs / sizeof cli_specs[0]))

static const char cli_main_usage[] =
    "usage: nudged COMMAND [OPTIONS]\n"
    "nudged posts coaching and reflection questions to team chat on a\n"
    "schedule, takes the answers, and shows how the habit grows.\n"
    "\n"
    "commands:\n"
    "  serve   [-c FILE]                          run the daemon in the foreground\n"
    "  check   [-c FILE] [--offline]              validate config and prompt bank\n"
    "  next    [-c FILE] [--from TIME] [--count N] [--days D]\n"
    "                                             preview upcoming nudges\n"
    "  cron    EXPR [--tz ZONE] [--from TIME] [--count N]\n"
    "                                             print the next fire instants\n"
    "  prompts [-c FILE] [--theme T] [--audience A] [--format table|json]\n"
    "                                             list the prompt bank\n"
    "  send    [-c FILE] [--to NAME] SCHEDULE     send one nudge of SCHEDULE now\n"
    "  export  [-c FILE] [--format json|csv]      every delivery and answer\n"
    "  stats   [-c FILE] [--channel C] [--user U] [--since DATE]\n"
    "          [--format table|json|csv]          streaks, response rates, trends\n"
    "  stats   [-c FILE] --rebuild                build the kept measures again\n"
    "  forget  [-c FILE] USER [--channel C]       delete a person's answers\n"
    "  store   copy --from STATE_DIR [-c FILE]    SQLite store into PostgreSQL\n"
    "\n"
    "  nudged version | --version | --help | COMMAND --help\n"
    "\n"
    "The config defaults to $NUDGED_CONFIG, else /etc/nudged/nudged.json,\n"
    "else config/nudged.json. Exit codes: 0 ok, 1 invalid input or config,\n"
    "2 usage, 3 runtime failure.\n";

static const struct cli_spec *cli_find(const char *);
static int	 cli_number(const char *, const char *, long, long, long *,
		    char **);
static int	 cli_apply(const struct cli_spec *, struct cli *, int,
		    const char *, char **);
static const char *cli_long_name(int);
static int	 cli_format(struct cli *, const char *, char **);

/* The help text of a sub-command, or the main help for CLI_NONE/CLI_HELP. */
const char *
cli_usage(enum cli_command command)
{
	for (int i = 0; i < CLI_NSPECS; i++) {
		if (cli_specs[i].command == command)
			return cli_specs[i].usage;
	}
	return cli_main_usage;
}

/* The word a sub-command is typed as. */
const char *
cli_command_name(enum cli_command command)
{
	for (int i = 0; i < CLI_NSPECS; i++) {
		if (cli_specs[i].command == command)
			return cli_specs[i].name;
	}
	return "nudged";
}

/* The spec of a sub-command word, or NULL. */
static const struct cli_spec *
cli_find(const char *name)
{
	for (int i = 0; i < CLI_NSPECS; i++) {
		if (strcmp(cli_specs[i].name, name) == 0)
			return &cli_specs[i];
	}
	return NULL;
}

/* A whole decimal number for an option, within [min, max]. */
static int
cli_number(const char *option, const char *s, long min, long max, long *out,
    char **cause)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		xasprintf(cause, "%s: \"%s\" is not a number from %ld to %ld",
		    option, s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/* Parse argv; 0 on success, -1 with a usage message in cause. */
int
cli_parse(int argc, char **argv, struct cli *cli, char **cause)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "tz", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "days", required_argument, NULL, 'd' },
		{ "theme", required_argument, NULL, 'T' },
		{ "audience", required_argument, NULL, 'a' },
		{ "format", required_argument, NULL, 'F' },
		{ "channel", required_argument, NULL, 'H' },
		{ "user", required_argument, NULL, 'u' },
		{ "since", required_argument, NULL, 's' },
		{ "to", required_argument, NULL, 'P' },
		{ "rebuild", no_argument, NULL, 'R' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "offline", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_spec *spec;
	int ch;

	memset(cli, 0, sizeof *cli);
	cli->count = -1;
	if (argc < 2) {
		xasprintf(cause, "no command given");
		return -1;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		cli->command = CLI_HELP;
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		cli->command = CLI_VERSION;
		return 0;
	}
	if ((spec = cli_find(argv[1])) == NULL) {
		xasprintf(cause, "unknown command \"%s\"", argv[1]);
		return -1;
	}
	cli->command = spec->command;
	optind = 0;	/* 0, not 1: glibc re-initialises for each parse */
	opterr = 0;
	/* "-" hands operands back in order (as 1), so options may follow EXPR. */
	while ((ch = getopt_long(argc - 1, argv + 1, "-:c:vh", longopts,
	    NULL)) != -1) {
		if (ch == 'h') {
			cli->help = 1;
			return 0;
		}
		if (cli_apply(spec, cli, ch, argv[optind], cause) == -1)
			return -1;
	}
	if (cli->command == CLI_CRON && cli->expr == NULL) {
		xasprintf(cause, "cron: missing EXPR");
		return -1;
	}
	if (cli->command == CLI_SEND && cli->schedule == NULL) {
		xasprintf(cause, "send: missing SCHEDULE");
		return -1;
	}
	if (cli->command == CLI_FORGET && (cli->forget_user == NULL ||
	    *cli->forget_user == '\0')) {
		xasprintf(cause, "forget: missing USER");
		return -1;
	}
	if (cli->command == CLI_STORE && (cli->store_action == NULL ||
	    cli->from_dir == NULL)) {
		xasprintf(cause, "store: %s", cli->store_action == NULL ?
		    "missing ACTION (copy)" : "copy: missing --from STATE_DIR");
		return -1;
	}
	return 0;
}

/* Apply one option or operand of the parse; -1 with cause on a usage error. */
static int
cli_apply(const struct cli_spec *spec, struct cli *cli, int ch,
    const char *current, char **cause)
{
	char *why = NULL;

	if (ch == '?' || ch == ':') {
		xasprintf(cause, "%s: %s %s", spec->name, ch == ':' ?
		    "missing value for option" : "unknown option", current);
		return -1;
	}
	if (ch == 1) {
		if (cli->command == CLI_CRON && cli->expr == NULL)
			cli->expr = optarg;
		else if (cli->command == CLI_SEND && cli->schedule == NULL)
			cli->schedule = optarg;
		else if (cli->command == CLI_FORGET && cli->forget_user == NULL)
			cli->forget_user = optarg;
		else if (cli->command == CLI_STORE && cli->store_action == NULL &&
		    strcmp(optarg, "copy") == 0)
			cli->store_action = optarg;
		else {
			xasprintf(cause, "%s: unexpected argument \"%s\"",
			    spec->name, optarg);
			return -1;
		}
		return 0;
	}
	if (strchr(spec->options, ch) == NULL) {
		xasprintf(cause, "%s: option -%c/--%s does not apply", spec->name,
		    ch, cli_long_name(ch));
		return -1;
	}
	switch (ch) {
	case 'c':
		cli->config = optarg;
		return 0;
	case 'v':
		cli->verbose = 1;
		return 0;
	case 'o':
		cli->offline = 1;
		return 0;
	case 't':
		cli->tz = optarg;
		return 0;
	case 'f':
		if (cli->command == CLI_STORE) {
			cli->from_dir = optarg;
			return 0;
		}
		if (timefmt_parse_iso8601(optarg, &cli->from, &why) == -1) {
			xasprintf(cause, "--from: %s", why);
			free(why);
			return -1;
		}
		cli->has_from = 1;
		return 0;
	case 'n':
		return cli_number("--count", optarg, 1, 100000, &cli->count, cause);
	case 'd':
		return cli_number("--days", optarg, 1, 3660, &cli->days, cause);
	case 'T':
		cli->theme = optarg;
		return 0;
	case 'a':
		if (strcmp(optarg, "leader") != 0 && strcmp(optarg, "team") != 0 &&
		    strcmp(optarg, "any") != 0) {
			xasprintf(cause, "--audience: \"%s\" is not leader, team or "
			    "any", optarg);
			return -1;
		}
		cli->audience = optarg;
		return 0;
	case 'F':
		return cli_format(cli, optarg, cause);
	case 'H':
		cli->channel = optarg;
		return 0;
	case 'u':
		cli->user = optarg;
		return 0;
	case 's':
		cli->since = optarg;
		return 0;
	case 'P':
		cli->to = optarg;
		return 0;
	case 'R':
		cli->rebuild = 1;
		return 0;
	default:
		xasprintf(cause, "%s: unknown option", spec->name);
		return -1;
	}
}

/* --format: the formats each command writes. */
static int
cli_format(struct cli *cli, const char *value, char **cause)
{
	const char *allowed = cli->command == CLI_EXPORT ? "json csv" :
	    cli->command == CLI_STATS ? "table json csv" : "table json";
	const char *p = strstr(allowed, value);
	size_t n = strlen(value);

	if (n == 0 || p == NULL || (p != allowed && p[-1] != ' ') ||
	    (p[n] != ' ' && p[n] != '\0')) {
		xasprintf(cause, "--format: \"%s\" is not one of: %s", value,
		    allowed);
		return -1;
	}
	cli->format = value;
	return 0;
}

/* The long name of an option letter, for messages. */
static const char *
cli_long_name(int ch)
{
	switch (ch) {
	case 'c':
		return "config";
	case 't':
		return "tz";
	case 'f':
		return "from";
	case 'n':
		return "count";
	case 'd':
		return "days";
	case 'T':
		return "theme";
	case 'a':
		return "audience";
	case 'F':
		return "format";
	case 'H':
		return "channel";
	case 'u':
		return "user";
	case 's':
		return "since";
	case 'o':
		return "offline";
	case 'P':
		return "to";
	case 'R':
		return "rebuild";
	default:
		return "verbose";
	}
}
