/* SPDX-License-Identifier: ISC */
/* nudged's entry point: parse the command line and run one sub-command. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <event2/event.h>

#include "bank.h"
#include "chat/chat.h"
#include "cli.h"
#include "clock.h"
#include "config.h"
#include "cron.h"
#include "deliver.h"
#include "exitcode.h"
#include "export.h"
#include "habits.h"
#include "log.h"
#include "replycode.h"
#include "schedule.h"
#include "server.h"
#include "store.h"
#include "suggest.h"
#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

static int	main_check(const struct cli *);
static void	main_check_answers(const struct config *, const char *);
static int	main_cron(const struct cli *);
static int	main_next(const struct cli *);
static int	main_prompts(const struct cli *);
static cJSON	*main_prompt_json(const struct bank *, const struct bank_prompt *);
static cJSON	*main_track_json(const struct bank_track *);
static int	main_send(const struct cli *);
static int	main_export(const struct cli *);
static int	main_stats(const struct cli *);
static struct store *main_stats_store(const struct config *, char **);
static int	main_stats_rebuild(struct store *, const struct config *,
		    char **);
static int	main_forget(const struct cli *);
static int	main_store_copy(const struct cli *);
static void	main_send_done(void *, enum deliver_result, const char *);
static int	main_send_one(const struct config *, const struct bank *,
		    struct store *, const struct config_schedule *,
		    const struct config_person *);
static int	main_schedule_asks(const struct config_schedule *, size_t);
static void	main_next_store(const struct config *,
		    struct schedule_instant *, size_t, struct bank_history *,
		    struct tz **);
static struct store *main_store(const struct config *, int, char **);
static struct config *main_load_config(const struct cli *, const char **,
		    struct bank **);

/*
 * Load the config named by -c or the default, and its prompt bank unless
 * bank is NULL, printing errors. Every sub-command that reads a config
 * comes here.
 */
static struct config *
main_load_config(const struct cli *cli, const char **path,
    struct bank **bank)
{
	struct config *cfg;
	char *cause = NULL;
	/* Commands that never post or verify need no delivery secrets. */
	int offline = cli->command == CLI_STATS || cli->command == CLI_EXPORT ||
	    cli->command == CLI_NEXT || cli->command == CLI_PROMPTS ||
	    (cli->command == CLI_CHECK && cli->offline);

	*path = cli->config != NULL ? cli->config : config_default_path();
	if ((cfg = (offline ? config_load_offline : config_load)(*path,
	    &cause)) == NULL ||
	    (bank != NULL && (*bank = bank_load_for(cfg, &cause)) == NULL)) {
		fprintf(stderr, "%s\n", cause);
		free(cause);
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* The store the config names, read-only or opened to write (and migrated). */
static struct store *
main_store(const struct config *cfg, int readonly, char **cause)
{
	return store_open_for(cfg->state_dir, cfg->store_postgresql, readonly,
	    cause);
}

/*
 * Warn about each schedule whose channel cannot take answers as configured:
 * neither from chat (chat_answer_gap) nor from scripts (an api_token).
 */
static void
main_check_answers(const struct config *cfg, const char *path)
{
	const struct config_schedule *sc;
	const char *why;

	for (size_t i = 0; i < cfg->nschedules; i++) {
		sc = &cfg->schedules[i];
		if (sc->channel->api_token == NULL &&
		    (why = chat_answer_gap(sc->channel)) != NULL)
			fprintf(stderr, "%s: warning: schedule \"%s\": channel "
			    "\"%s\" cannot take answers: %s\n", path, sc->name,
			    sc->channel->name, why);
	}
}

/* nudged check: every error with its position, or "ok". */
static int
main_check(const struct cli *cli)
{
	struct config *cfg;
	struct bank *bank;
	const char *path;
	int64_t now = clock_now(clock_system());
	char **notes;
	size_t n;

	if ((cfg = main_load_config(cli, &path, &bank)) == NULL)
		return EXIT_INVALID;
	for (size_t i = 0; i < bank->nwarnings; i++)
		fprintf(stderr, "%s\n", bank->warnings[i]);
	bank_free(bank);
	n = schedule_dst_notes(cfg, now, now + 366 * 86400, &notes);
	for (size_t i = 0; i < n; i++) {
		fprintf(stderr, "%s: note: %s\n", path, notes[i]);
		free(notes[i]);
	}
	free(notes);
	main_check_answers(cfg, path);
	config_free(cfg);
	printf("ok\n");
	return EXIT_OK;
}

/* nudged cron EXPR: the next instants, one ISO 8601 UTC instant a line. */
static int
main_cron(const struct cli *cli)
{
	struct cron *cron;
	struct tz *tz;
	char *cause = NULL, buf[32];
	int64_t t = cli->has_from ? cli->from : clock_now(clock_system());
	long count = cli->count > 0 ? cli->count : 5;
	int column;

	if ((cron = cron_parse(cli->expr, &cause, &column)) == NULL) {
		fprintf(stderr, "nudged: %s\n", cause);
		free(cause);
		return EXIT_INVALID;
	}
	if ((tz = tz_load(cli->tz != NULL ? cli->tz : "UTC", &cause)) == NULL) {
		struct suggest sg;

		fprintf(stderr, "nudged: --tz: %s%s\n", cause, suggest_zone(&sg,
		    cli->tz));
		suggest_clear(&sg);
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
	return EXIT_OK;
}

/*
 * What the store tells previews, if there is one yet: each pair's history,
 * and the profile zone the daemon keeps for a person on their own clock
 * without a zone in the config (loaded into zones[i], freed by the caller).
 */
static void
main_next_store(const struct config *cfg, struct schedule_instant *slots,
    size_t n, struct bank_history *h, struct tz **zones)
{
	struct store_person_channel pc;
	char *cause = NULL;
	struct store *st = main_store(cfg, 1, &cause);

	if (st == NULL) {
		if (cause != NULL)
			fprintf(stderr, "note: %s; prompts are shown as if none were "
			    "sent yet\n", cause);
		free(cause);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct config_schedule *sc = slots[i].schedule;
		const struct config_person *p = slots[i].person;

		if (store_load_history(st, sc->channel->name, p != NULL ?
		    p->name : "", sc->name, &h[i]) == -1)
			fprintf(stderr, "note: could not read the history of "
			    "schedule %s\n", sc->name);
		if (p == NULL || !sc->tz_person || p->tz != NULL ||
		    store_person_channel(st, sc->channel->name, p->name,
		    &pc) == -1)
			continue;
		if (pc.tz != NULL && (zones[i] = tz_load(pc.tz,
		    &cause)) != NULL)
			slots[i].tz = zones[i];
		free(cause);
		cause = NULL;
		store_person_channel_clear(&pc);
	}
	store_close(st);
}

/* nudged next: upcoming nudges of every schedule, merged, with their prompts. */
static int
main_next(const struct cli *cli)
{
	struct schedule_instant *list, *slots;
	struct bank_history *hist;
	struct tz **zones;
	const struct bank_prompt *p;
	struct tz_local l;
	struct config *cfg;
	struct bank *bank;
	const char *path;
	int64_t from = cli->has_from ? cli->from : clock_now(clock_system());
	int64_t until = cli->days > 0 ? from + cli->days * 86400 : INT64_MAX;
	int64_t cycle;
	size_t max, n, k, nslots;
	char utc[32], *cause;

	if ((cfg = main_load_config(cli, &path, &bank)) == NULL)
		return EXIT_INVALID;
	max = cli->count > 0 ? (size_t)cli->count : cli->days > 0 ? 100000 : 10;
	list = xcalloc(max, sizeof *list);
	nslots = schedule_preview_slots(cfg, NULL);
	slots = xcalloc(nslots + 1, sizeof *slots);
	schedule_preview_slots(cfg, slots);
	hist = xcalloc(nslots + 1, sizeof *hist);
	zones = xcalloc(nslots + 1, sizeof *zones);
	main_next_store(cfg, slots, nslots, hist, zones);
	n = schedule_preview(slots, nslots, from, until, max, list);
	for (size_t i = 0; i < n; i++) {
		const struct config_schedule *sc = list[i].schedule;

		k = list[i].slot;
		hist[k].at = list[i].at;
		timefmt_utc(list[i].at, utc, sizeof utc);
		tz_to_local(list[i].tz, list[i].at, &l);
		if (list[i].person != NULL)
			printf("%s  %04d-%02d-%02d %02d:%02d %-6s %-20s %-20s "
			    "%s\n", utc, l.year, l.month, l.day, l.hour, l.min,
			    l.abbr, tz_name(list[i].tz), list[i].person->name,
			    sc->name);
		else
			printf("%s  %04d-%02d-%02d %02d:%02d %-6s %-20s %s\n", utc,
			    l.year, l.month, l.day, l.hour, l.min, l.abbr,
			    sc->name, sc->channel->name);
		cause = NULL;
		if (list[i].skipped)
			printf("    (skip date: not sent)\n");
		else if ((p = bank_pick(bank, sc, &hist[k], &cycle, &cause)) ==
		    NULL)
			printf("    (not sent: %s)\n", cause);
		else {
			printf("    %s: %s\n", p->id, p->text);
			/* Pairs sharing the channel and person see it as used. */
			for (size_t j = 0; j < nslots; j++) {
				if (j != k && slots[j].schedule->channel ==
				    sc->channel && slots[j].person ==
				    list[i].person)
					bank_history_add(&hist[j], p->id, cycle);
			}
		}
		free(cause);
	}
	if (n == 0)
		printf("no nudges due%s\n", cli->days > 0 ? " in that span" : "");
	for (size_t i = 0; i < nslots; i++) {
		bank_history_clear(&hist[i]);
		tz_free(zones[i]);
	}
	free(zones);
	free(hist);
	free(slots);
	free(list);
	bank_free(bank);
	config_free(cfg);
	return EXIT_OK;
}

/* A shipped track as JSON, for `nudged prompts --format json`. */
static cJSON *
main_track_json(const struct bank_track *t)
{
	cJSON *o = cJSON_CreateObject(), *steps = cJSON_CreateArray(), *s;

	cJSON_AddStringToObject(o, "id", t->id);
	cJSON_AddStringToObject(o, "title", t->title);
	cJSON_AddStringToObject(o, "audience", config_audience_name(t->audience));
	for (size_t i = 0; i < t->nsteps; i++) {
		s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "prompt", t->steps[i].prompt);
		cJSON_AddNumberToObject(s, "day", t->steps[i].day);
		cJSON_AddItemToArray(steps, s);
	}
	cJSON_AddItemToObject(o, "steps", steps);
	return o;
}

/* A prompt as JSON, for `nudged prompts --format json`. */
static cJSON *
main_prompt_json(const struct bank *bank, const struct bank_prompt *p)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", p->id);
	cJSON_AddStringToObject(o, "theme", bank_theme_of(bank, p)->slug);
	cJSON_AddStringToObject(o, "audience", config_audience_name(p->audience));
	cJSON_AddStringToObject(o, "text", p->text);
	if (p->follow_up != NULL) {
		cJSON_AddStringToObject(o, "follow_up", p->follow_up);
		cJSON_AddStringToObject(o, "follow_up_when",
		    p->follow_up_later ? "later" : "with");
	}
	if (p->source_model != NULL)
		cJSON_AddStringToObject(o, "source_model", p->source_model);
	cJSON_AddStringToObject(o, "intent", p->intent);
	cJSON_AddBoolToObject(o, "public_ok", p->public_ok);
	cJSON_AddBoolToObject(o, "track_only", p->track_only);
	if (p->merged_into != NULL)
		cJSON_AddStringToObject(o, "merged_into", p->merged_into);
	return o;
}

/*
 * nudged prompts: the bank, all of it or one theme or audience; as JSON,
 * {"prompts": [...], "tracks": [...]} with retired prompts marked
 * "merged_into", in the table only the prompts that may be sent.
 */
static int
main_prompts(const struct cli *cli)
{
	int json = cli->format != NULL && strcmp(cli->format, "json") == 0;
	struct config *cfg;
	struct bank *bank;
	const char *path, *audience;
	cJSON *root, *arr, *tracks;
	char *text;
	size_t shown = 0;

	if ((cfg = main_load_config(cli, &path, &bank)) == NULL)
		return EXIT_INVALID;
	root = cJSON_CreateObject();
	arr = cJSON_AddArrayToObject(root, "prompts");
	tracks = cJSON_AddArrayToObject(root, "tracks");
	for (size_t i = 0; i < bank->nprompts; i++) {
		const struct bank_prompt *p = &bank->prompts[i];

		audience = config_audience_name(p->audience);
		if ((cli->theme != NULL &&
		    strcmp(cli->theme, bank_theme_of(bank, p)->slug) != 0) ||
		    (cli->audience != NULL && strcmp(cli->audience, audience) != 0) ||
		    (!json && bank_retired(p)))
			continue;
		shown++;
		if (json)
			cJSON_AddItemToArray(arr, main_prompt_json(bank, p));
		else
			printf("%-26s %-7s %s\n", p->id, audience, p->text);
	}
	for (size_t i = 0; i < bank->ntracks; i++) {
		audience = config_audience_name(bank->tracks[i].audience);
		if (cli->theme == NULL && (cli->audience == NULL ||
		    strcmp(cli->audience, audience) == 0))
			cJSON_AddItemToArray(tracks,
			    main_track_json(&bank->tracks[i]));
	}
	if (json) {
		text = cJSON_Print(root);
		printf("%s\n", text);
		free(text);
	} else
		printf("%zu prompt%s\n", shown, shown == 1 ? "" : "s");
	cJSON_Delete(root);
	bank_free(bank);
	config_free(cfg);
	if (shown == 0 && cli->theme != NULL) {
		fprintf(stderr, "nudged: no prompts with theme \"%s\"\n",
		    cli->theme);
		return EXIT_INVALID;
	}
	return EXIT_OK;
}

/* What `nudged send` learnt from the outbox. */
struct main_send_result {
	struct event_base	*base;
	enum deliver_result	 result;
	char			*reason;
	int			 done;
};

/* The one delivery of `nudged send` ended: remember how, and leave the loop. */
static void
main_send_done(void *arg, enum deliver_result result, const char *reason)
{
	struct main_send_result *r = arg;

	r->result = result;
	r->reason = reason != NULL ? xstrdup(reason) : NULL;
	r->done = 1;
	event_base_loopexit(r->base, NULL);
}

/* nudged send SCHEDULE: one nudge now, delivered by this process. */
static int
main_send(const struct cli *cli)
{
	const struct config_schedule *sc;
	const struct config_person *p = NULL;
	struct store *st = NULL;
	struct config *cfg;
	struct bank *bank;
	const char *path;
	char *cause = NULL;
	int exit_code = EXIT_RUNTIME;

	if ((cfg = main_load_config(cli, &path, &bank)) == NULL)
		return EXIT_INVALID;
	exit_code = EXIT_INVALID;
	if ((sc = config_find_schedule(cfg, cli->schedule)) == NULL)
		xasprintf(&cause, "%s has no schedule called \"%s\"", path,
		    cli->schedule);
	else if (cli->to != NULL && ((p = config_find_person(cfg,
	    cli->to)) == NULL || !main_schedule_asks(sc,
	    (size_t)(p - cfg->people))))
		xasprintf(&cause, "schedule %s does not ask %s \"%s\"", sc->name,
		    p == NULL ? "anyone called" : "the person", cli->to);
	else if ((exit_code = EXIT_RUNTIME, st = main_store(cfg, 0,
	    &cause)) != NULL) {
		if (p != NULL || sc->nto == 0)
			exit_code = main_send_one(cfg, bank, st, sc, p);
		else {
			exit_code = EXIT_OK;
			for (size_t k = 0; k < sc->nto; k++) {
				int rc = main_send_one(cfg, bank, st, sc,
				    &cfg->people[sc->to[k]]);

				if (rc != EXIT_OK)
					exit_code = rc;
			}
		}
	}
	if (cause != NULL)
		fprintf(stderr, "nudged: %s\n", cause);
	free(cause);
	store_close(st);
	bank_free(bank);
	config_free(cfg);
	return exit_code;
}

/* Whether schedule sc asks person number k directly. */
static int
main_schedule_asks(const struct config_schedule *sc, size_t k)
{
	for (size_t i = 0; i < sc->nto; i++)
		if (sc->to[i] == k)
			return 1;
	return 0;
}

/* Enqueue and deliver one nudge of sc (to person p, or the channel); an exit code. */
static int
main_send_one(const struct config *cfg, const struct bank *bank,
    struct store *st, const struct config_schedule *sc,
    const struct config_person *p)
{
	struct main_send_result r = { 0 };
	struct deliver *d = NULL;
	char *cause = NULL, code[REPLYCODE_LEN + 1];
	int64_t id = 0;
	int rc, exit_code = EXIT_RUNTIME;

	rc = schedule_enqueue_now(st, bank, sc, p != NULL ? p->name : NULL,
	    clock_now(clock_system()), NULL, &id, &cause);
	if (rc != 1) {
		if (rc == 2)
			exit_code = EXIT_INVALID;
		if (cause == NULL)
			xasprintf(&cause, "could not enqueue a nudge of %s", sc->name);
		goto out;
	}
	replycode_for(id, code);
	printf("delivery %" PRId64 " (reply code %s) of schedule %s to %s %s\n",
	    id, code, sc->name, p != NULL ? "person" : "channel", p != NULL ?
	    p->name : sc->channel->name);
	fflush(stdout);
	r.base = event_base_new();
	if ((d = deliver_start_one(r.base, st, cfg, bank, clock_system(), id,
	    main_send_done, &r, &cause)) == NULL)
		goto out;
	event_base_dispatch(r.base);
	if (r.done && r.result == DELIVER_SENT) {
		printf("delivery %" PRId64 ": sent\n", id);
		exit_code = EXIT_OK;
	} else
		xasprintf(&cause, "delivery %" PRId64 ": failed: %s", id,
		    r.reason ? r.reason : "stopped before it finished");
out:
	if (cause != NULL)
		fprintf(stderr, "nudged: %s\n", cause);
	free(cause);
	free(r.reason);
	deliver_free(d);
	if (r.base != NULL)
		event_base_free(r.base);
	return exit_code;
}

/* nudged export: every delivery and answer on stdout. */
static int
main_export(const struct cli *cli)
{
	struct store *st;
	struct config *cfg;
	const char *path;
	char *cause = NULL;
	int rc;

	if ((cfg = main_load_config(cli, &path, NULL)) == NULL)
		return EXIT_INVALID;
	st = main_store(cfg, 1, &cause);
	if (st == NULL && cause != NULL) {
		fprintf(stderr, "nudged: %s\n", cause);
		free(cause);
		config_free(cfg);
		return EXIT_RUNTIME;
	}
	rc = export_write(st, stdout, cli->format ? cli->format : "json");
	if (rc == -1)
		fprintf(stderr, "nudged: reading the store failed\n");
	store_close(st);
	config_free(cfg);
	return rc == -1 ? EXIT_RUNTIME : EXIT_OK;
}

/*
 * The store for nudged stats: NULL without a cause when there is none yet.
 * Opened for writing where it can be, so the measures it keeps are brought
 * up to date; else read-only, and they are computed from scratch.
 */
static struct store *
main_stats_store(const struct config *cfg, char **cause)
{
	struct store *st = main_store(cfg, 1, cause);
	char *why = NULL;

	if (st == NULL)
		return NULL;
	store_close(st);
	if ((st = main_store(cfg, 0, &why)) != NULL)
		return st;
	free(why);
	return main_store(cfg, 1, cause);
}

/* nudged stats --rebuild: the kept measures built again from every answer. */
static int
main_stats_rebuild(struct store *st, const struct config *cfg, char **cause)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (st == NULL) {
		printf("nothing to rebuild: no answers are stored yet\n");
		return EXIT_OK;
	}
	if (habits_keep(st, cfg, clock_now(clock_system()), 1) == -1) {
		xasprintf(cause, "stats --rebuild: the store could not be written "
		    "(is it read-only, or busy?)");
		return EXIT_RUNTIME;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("rebuilt the kept habit measures in %.1f s\n", (double)(t1.tv_sec -
	    t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return EXIT_OK;
}

/* nudged stats: the habit measures as a table, JSON or CSV. */
static int
main_stats(const struct cli *cli)
{
	struct habits_filter f = { .channel = cli->channel, .user = cli->user,
	    .since_date = cli->since };
	struct store *st = NULL;
	struct config *cfg;
	struct bank *bank;
	const char *path;
	char *cause = NULL;
	cJSON *doc = NULL;
	int y, m, d, rc = EXIT_INVALID;

	if ((cfg = main_load_config(cli, &path, &bank)) == NULL)
		return EXIT_INVALID;
	if (cli->channel != NULL && config_find_channel(cfg, cli->channel) ==
	    NULL) {
		xasprintf(&cause, "--channel: %s has no channel called \"%s\"",
		    path, cli->channel);
		goto out;
	}
	if (cli->since != NULL) {
		if (timefmt_parse_date(cli->since, &y, &m, &d, &cause) == -1)
			goto out;
		f.since = tz_from_local(cfg->tz, y, m, d, 0, 0, 0);
	}
	rc = EXIT_RUNTIME;
	if ((st = main_stats_store(cfg, &cause)) == NULL && cause != NULL)
		goto out;
	if (cli->rebuild) {
		rc = main_stats_rebuild(st, cfg, &cause);
		goto out;
	}
	if ((doc = habits_stats(st, cfg, bank, &f, clock_now(clock_system()),
	    &cause)) == NULL)
		goto out;
	if (cli->format != NULL && strcmp(cli->format, "json") == 0) {
		char *json = cJSON_Print(doc);

		printf("%s\n", json);
		free(json);
	} else if (cli->format != NULL && strcmp(cli->format, "csv") == 0)
		habits_print_csv(stdout, doc);
	else {
		if (st == NULL && cfg->store_postgresql != NULL)
			printf("No nudges have been sent yet (no store in the "
			    "PostgreSQL database).\n");
		else if (st == NULL)
			printf("No nudges have been sent yet (no database in %s).\n",
			    cfg->state_dir);
		habits_print_table(stdout, doc);
	}
	rc = EXIT_OK;
out:
	if (cause != NULL)
		fprintf(stderr, "nudged: %s\n", cause);
	free(cause);
	cJSON_Delete(doc);
	store_close(st);
	bank_free(bank);
	config_free(cfg);
	return rc;
}

/* nudged forget USER: delete a person's answers, saying how many. */
static int
main_forget(const struct cli *cli)
{
	struct store *st;
	struct config *cfg;
	const char *path;
	char *cause = NULL;
	int64_t n = 0;

	if ((cfg = main_load_config(cli, &path, NULL)) == NULL)
		return EXIT_INVALID;
	if (cli->channel != NULL && config_find_channel(cfg, cli->channel) ==
	    NULL) {
		fprintf(stderr, "nudged: --channel: %s has no channel called "
		    "\"%s\"\n", path, cli->channel);
		config_free(cfg);
		return EXIT_INVALID;
	}
	/* Look before opening for writing: forget never creates a database. */
	if ((st = main_store(cfg, 1, &cause)) == NULL &&
	    cause == NULL) {
		printf("nothing to forget: no answers are stored yet\n");
		config_free(cfg);
		return EXIT_OK;
	}
	store_close(st);
	if (cause != NULL || (st = main_store(cfg, 0,
	    &cause)) == NULL ||
	    store_forget(st, cli->forget_user, cli->channel, &n) == -1) {
		fprintf(stderr, "nudged: forget failed: %s\n", cause ? cause :
		    "the store refused the deletion");
		free(cause);
		store_close(st);
		config_free(cfg);
		return EXIT_RUNTIME;
	}
	printf("forgot %" PRId64 " answer%s of %s%s%s\n", n, n == 1 ? "" : "s",
	    cli->forget_user, cli->channel ? " on channel " : "",
	    cli->channel ? cli->channel : "");
	store_close(st);
	config_free(cfg);
	return EXIT_OK;
}

/*
 * nudged store copy --from STATE_DIR: the SQLite store there into the empty
 * PostgreSQL store the config names. The source's serve lock is taken, so
 * it cannot change while it is copied.
 */
static int
main_store_copy(const struct cli *cli)
{
	struct store *from = NULL, *to = NULL;
	struct config *cfg;
	const char *path;
	char *cause = NULL, *file;
	int64_t rows = 0;
	int lock = -1, rc = -1;

	if ((cfg = main_load_config(cli, &path, NULL)) == NULL)
		return EXIT_INVALID;
	xasprintf(&file, "%s/%s", cli->from_dir, STORE_FILE);
	if (cfg->store_postgresql == NULL)
		xasprintf(&cause, "%s names no PostgreSQL store (\"store\": "
		    "{\"postgresql\": ...}) to copy into", path);
	else if (access(file, F_OK) == -1)
		xasprintf(&cause, "no SQLite store in %s (%s)", cli->from_dir,
		    strerror(errno));
	else if (store_lock(cli->from_dir, &lock, &cause) == 0 &&
	    (from = store_open(cli->from_dir, &cause)) != NULL &&
	    (to = store_open_postgresql(cfg->store_postgresql, &cause)) != NULL)
		rc = store_copy(from, to, &rows, &cause);
	if (rc == 0)
		printf("copied %" PRId64 " rows from %s into the PostgreSQL store "
		    "of %s\n", rows, file, path);
	else
		fprintf(stderr, "nudged: store copy: %s\n", cause);
	store_close(to);
	store_close(from);
	if (lock != -1)
		close(lock);
	free(cause);
	free(file);
	config_free(cfg);
	return rc == 0 ? EXIT_OK : rc == 1 || from == NULL ? EXIT_INVALID :
	    EXIT_RUNTIME;
}

/* Dispatch to the sub-command; its exit code is nudged's (see exitcode.h). */
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
		return EXIT_OK;
	}
	log_init(cli.verbose);
	switch (cli.command) {
	case CLI_VERSION:
		printf("nudged %s\n", NUDGED_VERSION);
		return EXIT_OK;
	case CLI_SERVE:
		return server_run(cli.config != NULL ? cli.config :
		    config_default_path(), clock_system());
	case CLI_CHECK:
		return main_check(&cli);
	case CLI_CRON:
		return main_cron(&cli);
	case CLI_NEXT:
		return main_next(&cli);
	case CLI_PROMPTS:
		return main_prompts(&cli);
	case CLI_SEND:
		return main_send(&cli);
	case CLI_EXPORT:
		return main_export(&cli);
	case CLI_STATS:
		return main_stats(&cli);
	case CLI_FORGET:
		return main_forget(&cli);
	case CLI_STORE:
		return main_store_copy(&cli);
	default:
		fputs(cli_usage(CLI_NONE), stderr);
		return EXIT_USAGE;
	}
}
