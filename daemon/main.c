/* nudged's entry point: parse the command line and run one sub-command. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <string.h>

#include "bank.h"
#include "cli.h"
#include "config.h"
#include "cron.h"
#include "log.h"
#include "schedule.h"
#include "server.h"
#include "store.h"
#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

#define EXIT_INVALID	1
#define EXIT_USAGE	2

static int	main_check(const struct cli *);
static int	main_cron(const struct cli *);
static int	main_next(const struct cli *);
static int	main_prompts(const struct cli *);
static void	main_next_histories(const struct config *, struct bank_history *);
static struct config *main_load_config(const struct cli *, const char **,
		    struct bank **);

/* Load the config named by -c or the default and its prompt bank, printing errors. */
static struct config *
main_load_config(const struct cli *cli, const char **path,
    struct bank **bank)
{
	struct config *cfg;
	char *cause = NULL;

	*path = cli->config != NULL ? cli->config : config_default_path();
	if ((cfg = config_load(*path, &cause)) == NULL ||
	    (*bank = bank_load_for(cfg, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* nudged check: every error with its position, or "ok". */
static int
main_check(const struct cli *cli)
{
	struct config *cfg;
	struct bank *bank;
	const char *path;
	int64_t now = (int64_t)time(NULL);
	char **notes;
	size_t n;

	if ((cfg = main_load_config(cli, &path, &bank)) == NULL)
		return EXIT_INVALID;
	bank_free(bank);
	n = schedule_dst_notes(cfg, now, now + 366 * 86400, &notes);
	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, "%s: note: %s\n", path, notes[i]);
		free(notes[i]);
	}
	free(notes);
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

/* Each schedule's history from the store, if there is one yet, for previews. */
static void
main_next_histories(const struct config *cfg, struct bank_history *h)
{
	char *cause = NULL;
	struct store *st = store_open_readonly(cfg->state_dir, &cause);

	if (st == NULL) {
		if (cause != NULL)
			fprintf(stderr, "note: %s; prompts are shown as if none were "
			    "sent yet\n", cause);
		free(cause);
		return;
	}
	for (size_t i = 0; i < cfg->nschedules; i++) {
		if (store_load_history(st, cfg->schedules[i].channel->name,
		    cfg->schedules[i].name, &h[i]) == -1)
			fprintf(stderr, "note: could not read the history of "
			    "schedule %s\n", cfg->schedules[i].name);
	}
	store_close(st);
}

/* nudged next: upcoming nudges of every schedule, merged, with their prompts. */
static int
main_next(const struct cli *cli)
{
	struct schedule_instant *list;
	struct bank_history *hist;
	const struct bank_prompt *p;
	struct tz_local l;
	struct config *cfg;
	struct bank *bank;
	const char *path;
	int64_t from = cli->has_from ? cli->from : (int64_t)time(NULL);
	int64_t until = cli->days > 0 ? from + cli->days * 86400 : INT64_MAX;
	int64_t cycle;
	size_t max, n, k;
	char utc[32], *cause;

	if ((cfg = main_load_config(cli, &path, &bank)) == NULL)
		return EXIT_INVALID;
	max = cli->count > 0 ? (size_t)cli->count : cli->days > 0 ? 100000 : 10;
	list = xcalloc(max, sizeof *list);
	hist = xcalloc(cfg->nschedules, sizeof *hist);
	main_next_histories(cfg, hist);
	n = schedule_preview(cfg, from, until, max, list);
	for (size_t i = 0; i < n; i++) {
		const struct config_schedule *sc = list[i].schedule;

		k = (size_t)(sc - cfg->schedules);
		timefmt_utc(list[i].at, utc, sizeof utc);
		tz_to_local(sc->tz, list[i].at, &l);
		printf("%s  %04d-%02d-%02d %02d:%02d %-6s %-20s %s\n", utc, l.year,
		    l.month, l.day, l.hour, l.min, l.abbr, sc->name,
		    sc->channel->name);
		cause = NULL;
		if (list[i].skipped)
			printf("    (skip date: not sent)\n");
		else if ((p = bank_pick(bank, sc, &hist[k], &cycle, &cause)) ==
		    NULL)
			printf("    (not sent: %s)\n", cause);
		else {
			printf("    %s: %s\n", p->id, p->text);
			/* Schedules sharing the channel see this prompt as used. */
			for (size_t j = 0; j < cfg->nschedules; j++) {
				if (j != k && cfg->schedules[j].channel == sc->channel)
					bank_history_add(&hist[j], p->id, cycle);
			}
		}
		free(cause);
	}
	if (n == 0)
		printf("no nudges due%s\n", cli->days > 0 ? " in that span" : "");
	for (size_t i = 0; i < cfg->nschedules; i++)
		bank_history_clear(&hist[i]);
	free(hist);
	free(list);
	bank_free(bank);
	config_free(cfg);
	return 0;
}

/* nudged prompts: the bank, all of it or one theme or audience. */
static int
main_prompts(const struct cli *cli)
{
	const struct bank_theme *t;
	struct config *cfg;
	struct bank *bank;
	const char *path;
	cJSON *arr, *o;
	char *json;
	size_t shown = 0;

	if ((cfg = main_load_config(cli, &path, &bank)) == NULL)
		return EXIT_INVALID;
	arr = cJSON_CreateArray();
	for (size_t i = 0; i < bank->nprompts; i++) {
		const struct bank_prompt *p = &bank->prompts[i];
		const char *audience = config_audience_name(p->audience);

		t = bank_theme_of(bank, p);
		if ((cli->theme != NULL && strcmp(cli->theme, t->slug) != 0) ||
		    (cli->audience != NULL && strcmp(cli->audience, audience) != 0))
			continue;
		shown++;
		if (cli->format != NULL && strcmp(cli->format, "json") == 0) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "id", p->id);
			cJSON_AddStringToObject(o, "theme", t->slug);
			cJSON_AddStringToObject(o, "audience", audience);
			cJSON_AddStringToObject(o, "text", p->text);
			if (p->follow_up != NULL)
				cJSON_AddStringToObject(o, "follow_up", p->follow_up);
			if (p->source_model != NULL)
				cJSON_AddStringToObject(o, "source_model",
				    p->source_model);
			cJSON_AddItemToArray(arr, o);
		} else
			printf("%-26s %-7s %s\n", p->id, audience, p->text);
	}
	if (cli->format != NULL && strcmp(cli->format, "json") == 0) {
		json = cJSON_Print(arr);
		printf("%s\n", json);
		free(json);
	} else
		printf("%zu prompt%s\n", shown, shown == 1 ? "" : "s");
	cJSON_Delete(arr);
	bank_free(bank);
	config_free(cfg);
	if (shown == 0 && cli->theme != NULL) {
		fprintf(stderr, "nudged: no prompts with theme \"%s\"\n",
		    cli->theme);
		return EXIT_INVALID;
	}
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
	case CLI_PROMPTS:
		return main_prompts(&cli);
	default:
		fputs(cli_usage(CLI_NONE), stderr);
		return EXIT_USAGE;
	}
}
