/* nudged's entry point: parse the command line and run one sub-command. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "config.h"
#include "cron.h"
#include "log.h"
#include "schedule.h"
#include "server.h"
#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

#define EXIT_INVALID	1
#define EXIT_USAGE	2

static int	main_check(const struct cli *);
static int	main_cron(const struct cli *);
static int	main_next(const struct cli *);
static struct config *main_load_config(const struct cli *, const char **);

/* Load the config named by -c or the default, printing errors; NULL on failure. */
static struct config *
main_load_config(const struct cli *cli, const char **path)
{
	struct config *cfg;
	char *cause = NULL;

	*path = cli->config != NULL ? cli->config : config_default_path();
	if ((cfg = config_load(*path, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
	}
	return cfg;
}

/* nudged check: every error with its position, or "ok". */
static int
main_check(const struct cli *cli)
{
	struct config *cfg;
	const char *path;

	if ((cfg = main_load_config(cli, &path)) == NULL)
		return EXIT_INVALID;
	config_free(cfg);
	printf("ok\n");
	return 0;
}

/* nudged cron EXPR: the next instants, one ISO 8601 UTC instant a line. */
static int
main_cron(const struct cli *cli)
{
	struct cron *cron;
	struct tz *tz;
	char *cause = NULL, buf[32];
	int64_t t = cli->has_from ? cli->from : (int64_t)time(NULL);
	long count = cli->count > 0 ? cli->count : 5;
	int column;

	if ((cron = cron_parse(cli->expr, &cause, &column)) == NULL) {
		fprintf(stderr, "nudged: %s\n", cause);
		free(cause);
		return EXIT_INVALID;
	}
	if ((tz = tz_load(cli->tz != NULL ? cli->tz : "UTC", &cause)) == NULL) {
		fprintf(stderr, "nudged: --tz: %s\n", cause);
		free(cause);
		cron_free(cron);
		return EXIT_INVALID;
	}
	for (long i = 0; i < count && cron_next(cron, tz, t, &t) == 0; i++) {
		timefmt_utc(t, buf, sizeof buf);
		printf("%s\n", buf);
	}
	tz_free(tz);
	cron_free(cron);
	return 0;
}

/* nudged next: upcoming nudges of every schedule, merged in time order. */
static int
main_next(const struct cli *cli)
{
	struct schedule_instant *list;
	struct tz_local l;
	struct config *cfg;
	const char *path;
	int64_t from = cli->has_from ? cli->from : (int64_t)time(NULL);
	int64_t until = cli->days > 0 ? from + cli->days * 86400 : INT64_MAX;
	size_t max, n;
	char utc[32];

	if ((cfg = main_load_config(cli, &path)) == NULL)
		return EXIT_INVALID;
	max = cli->count > 0 ? (size_t)cli->count : cli->days > 0 ? 100000 : 10;
	list = xcalloc(max, sizeof *list);
	n = schedule_preview(cfg, from, until, max, list);
	for (size_t i = 0; i < n; i++) {
		const struct config_schedule *sc = list[i].schedule;

		timefmt_utc(list[i].at, utc, sizeof utc);
		tz_to_local(sc->tz, list[i].at, &l);
		printf("%s  %04d-%02d-%02d %02d:%02d %-6s %-20s %-16s%s\n", utc,
		    l.year, l.month, l.day, l.hour, l.min, l.abbr, sc->name,
		    sc->channel->name, list[i].skipped ? "  (skip date: not "
		    "sent)" : "");
	}
	if (n == 0)
		printf("no nudges due%s\n", cli->days > 0 ? " in that span" : "");
	free(list);
	config_free(cfg);
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli cli;
	char *cause = NULL;

	if (cli_parse(argc, argv, &cli, &cause) == -1) {
		fprintf(stderr, "nudged: %s\n%s", cause, cli_usage(CLI_NONE));
		free(cause);
		return EXIT_USAGE;
	}
	if (cli.help || cli.command == CLI_HELP) {
		fputs(cli_usage(cli.command), stdout);
		return 0;
	}
	log_init(cli.verbose);
	switch (cli.command) {
	case CLI_VERSION:
		printf("nudged %s\n", NUDGED_VERSION);
		return 0;
	case CLI_SERVE:
		return server_run(cli.config != NULL ? cli.config :
		    config_default_path());
	case CLI_CHECK:
		return main_check(&cli);
	case CLI_CRON:
		return main_cron(&cli);
	case CLI_NEXT:
		return main_next(&cli);
	default:
		fputs(cli_usage(CLI_NONE), stderr);
		return EXIT_USAGE;
	}
}
