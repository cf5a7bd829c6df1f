/* SPDX-License-Identifier: ISC */
/*
 * Habits: the stats document behind `nudged stats`, GET /api/v1/stats and the
 * dashboard. Every figure comes from SQL in the store (store_stats.c); this
 * file only shapes the rows into one JSON document, maps prompts to themes,
 * and keeps anonymous channels anonymous: no names at all, and no figure for
 * a delivery, week or day with fewer than three answers.
 */
#include "habits.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bank.h"
#include "chat/chat.h"
#include "config.h"
#include "store.h"
#include "strbuf.h"
#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

/* One person on one channel, while the document is built. */
struct habits_person {
	char	*channel;
	char	*user;
	cJSON	*json;
	int64_t	 weeks[HABITS_WEEKS];
	int64_t	*theme_answers;		/* per bank theme */
};

/* What the row callbacks share. */
struct habits_build {
	const struct config	*cfg;
	const struct bank	*bank;
	struct habits_person	*people;
	size_t			 npeople;
	cJSON			*channels;	/* object: name -> channel document */
	int64_t			 first_week;	/* of the trend */
	int64_t			 first_day;	/* of the heatmap */
};

static int	 habits_anonymous(const struct habits_build *, const char *);
static struct habits_person *habits_person(struct habits_build *,
		    const char *, const char *);
static cJSON	*habits_channel(struct habits_build *, const char *);
static void	 habits_people_cb(void *, const struct store_row *);
static void	 habits_streaks_cb(void *, const struct store_row *);
static void	 habits_latency_cb(void *, const struct store_row *);
static void	 habits_active_cb(void *, const struct store_row *);
static void	 habits_user_weeks_cb(void *, const struct store_row *);
static void	 habits_prompts_cb(void *, const struct store_row *);
static void	 habits_channels_cb(void *, const struct store_row *);
static void	 habits_participation_cb(void *, const struct store_row *);
static void	 habits_weeks_cb(void *, const struct store_row *);
static void	 habits_days_cb(void *, const struct store_row *);
static void	 habits_top_cb(void *, const struct store_row *);
static void	 habits_add_count(cJSON *, const char *, int64_t, int);
static double	 habits_rate(int64_t, int64_t);
static void	 habits_add_iso(cJSON *, const char *, int64_t);
static void	 habits_add_date(cJSON *, const char *, int64_t);
static void	 habits_finish_person(struct habits_build *,
		    struct habits_person *);
static void	 habits_fill_calendar(struct habits_build *, cJSON *);
static void	 habits_scope(struct store *, const struct config *,
		    const struct habits_filter *, int64_t,
		    struct store_stats_scope *);
static void	 habits_sparkline(FILE *, const cJSON *, const char *);
static double	 habits_num(const cJSON *, const char *);
static void	 habits_digest_quote(void *, const char *, const char *);
static const cJSON *habits_first_channel(const cJSON *);

/* Whether a channel is anonymous (unknown channels are treated as such). */
static int
habits_anonymous(const struct habits_build *b, const char *channel)
{
	const struct config_channel *c = config_find_channel(b->cfg, channel);

	return c == NULL || c->anonymous;
}

/* A count, or null on an anonymous channel when it could single someone out. */
static void
habits_add_count(cJSON *o, const char *key, int64_t n, int anonymous)
{
	if (anonymous && n < HABITS_MIN_GROUP)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddNumberToObject(o, key, (double)n);
}

/* An instant as ISO 8601 UTC. */
static void
habits_add_iso(cJSON *o, const char *key, int64_t t)
{
	char buf[32];

	timefmt_utc(t, buf, sizeof buf);
	cJSON_AddStringToObject(o, key, buf);
}

/* A local day number as YYYY-MM-DD. */
static void
habits_add_date(cJSON *o, const char *key, int64_t day)
{
	char buf[16];
	int y, m, d;

	timefmt_civil_from_days(day, &y, &m, &d);
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
	cJSON_AddStringToObject(o, key, buf);
}

/* The person (channel, user), created on first sight. */
static struct habits_person *
habits_person(struct habits_build *b, const char *channel, const char *user)
{
	struct habits_person *p;

	for (size_t i = 0; i < b->npeople; i++) {
		p = &b->people[i];
		if (strcmp(p->channel, channel) == 0 && strcmp(p->user, user) == 0)
			return p;
	}
	b->people = xreallocarray(b->people, b->npeople + 1, sizeof *b->people);
	p = &b->people[b->npeople++];
	memset(p, 0, sizeof *p);
	p->channel = xstrdup(channel);
	p->user = xstrdup(user);
	p->theme_answers = xcalloc(b->bank->nthemes + 1, sizeof *p->theme_answers);
	p->json = cJSON_CreateObject();
	cJSON_AddStringToObject(p->json, "channel", channel);
	cJSON_AddStringToObject(p->json, "user", user);
	return p;
}

/* The channel's document, created on first sight. */
static cJSON *
habits_channel(struct habits_build *b, const char *channel)
{
	const struct config_channel *c = config_find_channel(b->cfg, channel);
	cJSON *o = cJSON_GetObjectItemCaseSensitive(b->channels, channel);

	if (o != NULL)
		return o;
	o = cJSON_AddObjectToObject(b->channels, channel);
	cJSON_AddStringToObject(o, "channel", channel);
	cJSON_AddStringToObject(o, "platform", c ? c->platform->name :
	    "unknown");
	cJSON_AddBoolToObject(o, "anonymous", habits_anonymous(b, channel));
	cJSON_AddNumberToObject(o, "deliveries", 0);
	cJSON_AddNumberToObject(o, "open", 0);
	cJSON_AddNumberToObject(o, "answers", 0);
	cJSON_AddNumberToObject(o, "missed", 0);
	cJSON_AddNullToObject(o, "response_rate");
	cJSON_AddNumberToObject(o, "people", 0);
	cJSON_AddArrayToObject(o, "participation");
	cJSON_AddArrayToObject(o, "weeks");
	cJSON_AddArrayToObject(o, "heatmap");
	cJSON_AddArrayToObject(o, "top_prompts");
	return o;
}

/*
 * channel, user, user_name, answers, deliveries, open: deliveries are the
 * answered and the missed ones; open ones (unanswered, window still open)
 * are neither, and are shown apart.
 */
static void
habits_people_cb(void *arg, const struct store_row *row)
{
	struct habits_build *b = arg;
	struct habits_person *p = habits_person(b, store_row_text(row, 0),
	    store_row_text(row, 1));
	int64_t answers = store_row_int(row, 3), deliveries = store_row_int(row, 4);

	if (store_row_is_null(row, 2))
		cJSON_AddNullToObject(p->json, "user_name");
	else
		cJSON_AddStringToObject(p->json, "user_name",
		    store_row_text(row, 2));
	cJSON_AddNumberToObject(p->json, "deliveries", (double)deliveries);
	cJSON_AddNumberToObject(p->json, "answers", (double)answers);
	cJSON_AddNumberToObject(p->json, "missed", (double)(deliveries -
	    answers));
	cJSON_AddNumberToObject(p->json, "open", (double)store_row_int(row, 5));
	cJSON_AddNumberToObject(p->json, "response_rate", habits_rate(answers,
	    deliveries));
	cJSON_AddNumberToObject(p->json, "current_streak", 0);
	cJSON_AddNumberToObject(p->json, "longest_streak", 0);
	cJSON_AddNullToObject(p->json, "median_answer_seconds");
	cJSON_AddNumberToObject(p->json, "active_weeks", 0);
	cJSON_AddArrayToObject(p->json, "schedules");
}

/* channel, user, schedule, longest, current: per schedule, and the best of them. */
static void
habits_streaks_cb(void *arg, const struct store_row *row)
{
	struct habits_person *p = habits_person(arg, store_row_text(row, 0),
	    store_row_text(row, 1));
	cJSON *s = cJSON_CreateObject(), *cur, *lon;
	int64_t longest = store_row_int(row, 3), current = store_row_int(row, 4);

	cJSON_AddStringToObject(s, "schedule", store_row_text(row, 2));
	cJSON_AddNumberToObject(s, "current_streak", (double)current);
	cJSON_AddNumberToObject(s, "longest_streak", (double)longest);
	cJSON_AddItemToArray(cJSON_GetObjectItem(p->json, "schedules"), s);
	cur = cJSON_GetObjectItem(p->json, "current_streak");
	lon = cJSON_GetObjectItem(p->json, "longest_streak");
	if (cur != NULL && current > cur->valueint)
		cJSON_SetNumberValue(cur, (double)current);
	if (lon != NULL && longest > lon->valueint)
		cJSON_SetNumberValue(lon, (double)longest);
}

/* channel, user, median seconds. */
static void
habits_latency_cb(void *arg, const struct store_row *row)
{
	struct habits_person *p = habits_person(arg, store_row_text(row, 0),
	    store_row_text(row, 1));

	cJSON_ReplaceItemInObject(p->json, "median_answer_seconds",
	    cJSON_CreateNumber((double)store_row_int(row, 2)));
}

/* channel, user, active weeks. */
static void
habits_active_cb(void *arg, const struct store_row *row)
{
	struct habits_person *p = habits_person(arg, store_row_text(row, 0),
	    store_row_text(row, 1));

	cJSON_ReplaceItemInObject(p->json, "active_weeks",
	    cJSON_CreateNumber((double)store_row_int(row, 2)));
}

/* channel, user, week, answers: the person's trend. */
static void
habits_user_weeks_cb(void *arg, const struct store_row *row)
{
	struct habits_build *b = arg;
	struct habits_person *p = habits_person(b, store_row_text(row, 0),
	    store_row_text(row, 1));
	int64_t i = store_row_int(row, 2) - b->first_week;

	if (i >= 0 && i < HABITS_WEEKS)
		p->weeks[i] = store_row_int(row, 3);
}

/* channel, user, prompt, answers: counted per theme. */
static void
habits_prompts_cb(void *arg, const struct store_row *row)
{
	struct habits_build *b = arg;
	struct habits_person *p = habits_person(b, store_row_text(row, 0),
	    store_row_text(row, 1));
	const struct bank_prompt *bp = bank_find(b->bank, store_row_text(row, 2));

	if (bp != NULL)
		p->theme_answers[bp->theme] += store_row_int(row, 3);
}

/* Themes most and least answered, and the weekly trend, into the person's document. */
static void
habits_finish_person(struct habits_build *b, struct habits_person *p)
{
	cJSON *most = cJSON_AddArrayToObject(p->json, "themes_most");
	cJSON *least = cJSON_AddArrayToObject(p->json, "themes_least");
	cJSON *weeks = cJSON_AddArrayToObject(p->json, "weeks");
	int64_t hi = 0, lo = INT64_MAX;

	for (size_t t = 0; t < b->bank->nthemes; t++) {
		if (p->theme_answers[t] > hi)
			hi = p->theme_answers[t];
		if (p->theme_answers[t] > 0 && p->theme_answers[t] < lo)
			lo = p->theme_answers[t];
	}
	for (size_t t = 0; t < b->bank->nthemes && hi > 0; t++) {
		if (p->theme_answers[t] == hi)
			cJSON_AddItemToArray(most,
			    cJSON_CreateString(b->bank->themes[t].slug));
		if (p->theme_answers[t] == lo)
			cJSON_AddItemToArray(least,
			    cJSON_CreateString(b->bank->themes[t].slug));
	}
	for (int i = 0; i < HABITS_WEEKS; i++)
		cJSON_AddItemToArray(weeks, cJSON_CreateNumber((double)p->weeks[i]));
}

/*
 * channel, deliveries, answers, people, missed, open: answers and misses
 * are the sums of the people's, so the channel's rate is theirs combined.
 */
static void
habits_channels_cb(void *arg, const struct store_row *row)
{
	cJSON *c = habits_channel(arg, store_row_text(row, 0));
	int64_t answers = store_row_int(row, 2), missed = store_row_int(row, 4);

	cJSON_SetNumberValue(cJSON_GetObjectItem(c, "deliveries"),
	    (double)store_row_int(row, 1));
	cJSON_SetNumberValue(cJSON_GetObjectItem(c, "open"),
	    (double)store_row_int(row, 5));
	cJSON_SetNumberValue(cJSON_GetObjectItem(c, "answers"),
	    (double)answers);
	cJSON_SetNumberValue(cJSON_GetObjectItem(c, "missed"), (double)missed);
	cJSON_SetNumberValue(cJSON_GetObjectItem(c, "people"),
	    (double)store_row_int(row, 3));
	if (answers + missed > 0)
		cJSON_ReplaceItemInObject(c, "response_rate", cJSON_CreateNumber(
		    habits_rate(answers, answers + missed)));
}

/* answers of counted, to three decimals (0 when nothing counts yet). */
static double
habits_rate(int64_t answers, int64_t counted)
{
	return counted > 0 ? round((double)answers / (double)counted * 1000) /
	    1000 : 0;
}

/* channel, delivery, due_at, schedule, prompt, answered_by, rank. */
static void
habits_participation_cb(void *arg, const struct store_row *row)
{
	struct habits_build *b = arg;
	const char *channel = store_row_text(row, 0);
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "delivery_id", (double)store_row_int(row, 1));
	habits_add_iso(o, "due_at", store_row_int(row, 2));
	cJSON_AddStringToObject(o, "schedule", store_row_text(row, 3));
	cJSON_AddStringToObject(o, "prompt_id", store_row_text(row, 4));
	habits_add_count(o, "answered_by", store_row_int(row, 5),
	    habits_anonymous(b, channel));
	cJSON_AddItemToArray(cJSON_GetObjectItem(habits_channel(b, channel),
	    "participation"), o);
}

/* channel, week, deliveries, answers, people: into the prepared trend. */
static void
habits_weeks_cb(void *arg, const struct store_row *row)
{
	struct habits_build *b = arg;
	const char *channel = store_row_text(row, 0);
	int64_t i = store_row_int(row, 1) - b->first_week;
	int anon = habits_anonymous(b, channel);
	cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(habits_channel(b,
	    channel), "weeks"), (int)i);

	if (w == NULL)
		return;
	cJSON_ReplaceItemInObject(w, "deliveries",
	    cJSON_CreateNumber((double)store_row_int(row, 2)));
	cJSON_DeleteItemFromObject(w, "answers");
	cJSON_DeleteItemFromObject(w, "people");
	habits_add_count(w, "answers", store_row_int(row, 3), anon);
	habits_add_count(w, "people", store_row_int(row, 4), anon);
}

/* channel, day, answers: into the prepared heatmap. */
static void
habits_days_cb(void *arg, const struct store_row *row)
{
	struct habits_build *b = arg;
	const char *channel = store_row_text(row, 0);
	int64_t i = store_row_int(row, 1) - b->first_day;
	cJSON *d = cJSON_GetArrayItem(cJSON_GetObjectItem(habits_channel(b,
	    channel), "heatmap"), (int)i);

	if (d == NULL)
		return;
	cJSON_DeleteItemFromObject(d, "answers");
	habits_add_count(d, "answers", store_row_int(row, 2),
	    habits_anonymous(b, channel));
}

/* channel, prompt, answers, rank: the prompts that drew most answers. */
static void
habits_top_cb(void *arg, const struct store_row *row)
{
	struct habits_build *b = arg;
	const char *channel = store_row_text(row, 0);
	const struct bank_prompt *p = bank_find(b->bank, store_row_text(row, 1));
	int64_t n = store_row_int(row, 2);
	cJSON *o;

	if (habits_anonymous(b, channel) && n < HABITS_MIN_GROUP)
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "prompt_id", store_row_text(row, 1));
	cJSON_AddStringToObject(o, "text", p ? p->text : "");
	cJSON_AddNumberToObject(o, "answers", (double)n);
	cJSON_AddItemToArray(cJSON_GetObjectItem(habits_channel(b, channel),
	    "top_prompts"), o);
}

/*
 * Empty weeks and days for a channel, so the trend and heatmap have every
 * slot (an anonymous channel shows null, not 0, for "fewer than three").
 */
static void
habits_fill_calendar(struct habits_build *b, cJSON *c)
{
	cJSON *weeks = cJSON_GetObjectItem(c, "weeks");
	cJSON *days = cJSON_GetObjectItem(c, "heatmap"), *o;
	int anon = cJSON_IsTrue(cJSON_GetObjectItem(c, "anonymous"));

	for (int i = 0; i < HABITS_WEEKS; i++) {
		o = cJSON_CreateObject();
		habits_add_date(o, "start", (b->first_week + i) * 7 - 3);
		cJSON_AddNumberToObject(o, "deliveries", 0);
		habits_add_count(o, "answers", 0, anon);
		habits_add_count(o, "people", 0, anon);
		cJSON_AddItemToArray(weeks, o);
	}
	for (int i = 0; i < HABITS_HEATMAP_WEEKS * 7; i++) {
		o = cJSON_CreateObject();
		habits_add_date(o, "date", b->first_day + i);
		habits_add_count(o, "answers", 0, anon);
		cJSON_AddItemToArray(days, o);
	}
}

/*
 * What the store's measures look at for a filter at now: the config's and
 * people's own away ranges, each schedule's answer window, the zone; the
 * kept measures unless the filter asks for the computation from scratch.
 * Free with habits_scope_free.
 */
static void
habits_scope(struct store *st, const struct config *cfg,
    const struct habits_filter *f, int64_t now, struct store_stats_scope *scope)
{
	*scope = (struct store_stats_scope){ .channel = f->channel,
	    .user = f->user, .since = f->since, .now = now, .tz = cfg->tz,
	    .default_window = CONFIG_DEFAULT_ANSWER_WINDOW,
	    .kept = !f->from_scratch, .rebuild = f->rebuild };
	scope->away = xcalloc(cfg->naway + 1, sizeof *scope->away);
	for (size_t i = 0; i < cfg->naway; i++)
		scope->away[scope->naway++] = (struct store_away){
		    cfg->away[i].user, cfg->away[i].channel, cfg->away[i].from,
		    cfg->away[i].until };
	habits_self_away(st, cfg, &scope->away, &scope->naway);
	scope->windows = xcalloc(cfg->nschedules + 1, sizeof *scope->windows);
	for (size_t i = 0; i < cfg->nschedules; i++)
		scope->windows[scope->nwindows++] = (struct store_window){
		    cfg->schedules[i].name, cfg->schedules[i].answer_window };
}

/*
 * Bring the kept measures up to now (built again from scratch if rebuild,
 * or if the zone, windows or away ranges changed since they were built):
 * at start-up, on reload and for `nudged stats --rebuild`. -1 on failure.
 */
int
habits_keep(struct store *st, const struct config *cfg, int64_t now,
    int rebuild)
{
	struct habits_filter f = { .rebuild = rebuild };
	struct store_stats_scope scope;
	int rc;

	if (st == NULL)
		return -1;
	habits_scope(st, cfg, &f, now, &scope);
	rc = store_stats_begin(st, &scope) == 0 && store_stats_kept(st) ? 0 :
	    -1;
	store_stats_end(st);
	free(scope.away);
	free(scope.windows);
	return rc;
}

/*
 * The stats document for a filter at now (st NULL: no database yet, every
 * figure zero); NULL with a cause when the store fails.
 */
cJSON *
habits_stats(struct store *st, const struct config *cfg,
    const struct bank *bank, const struct habits_filter *f, int64_t now,
    char **cause)
{
	struct habits_build b = { .cfg = cfg, .bank = bank };
	struct store_stats_scope scope;
	int64_t today = (now + tz_offset(cfg->tz, now, NULL)) / 86400;
	int64_t week = (today + 3) / 7;
	cJSON *root = cJSON_CreateObject(), *people, *channels, *c;
	int failed = 0;

	b.first_week = week - (HABITS_WEEKS - 1);
	b.first_day = (week - (HABITS_HEATMAP_WEEKS - 1)) * 7 - 3;
	b.channels = cJSON_CreateObject();
	habits_scope(st, cfg, f, now, &scope);
	for (size_t i = 0; i < cfg->nchannels; i++) {
		if (f->channel == NULL ||
		    strcmp(f->channel, cfg->channels[i].name) == 0)
			habits_fill_calendar(&b, habits_channel(&b,
			    cfg->channels[i].name));
	}
	if (st == NULL)
		;	/* no database yet: nothing was sent */
	else if (store_stats_begin(st, &scope) == -1)
		failed = 1;
	else {
		failed |= store_stats_run(st, STORE_STATS_PEOPLE, 0,
		    habits_people_cb, &b);
		failed |= store_stats_run(st, STORE_STATS_STREAKS, 0,
		    habits_streaks_cb, &b);
		failed |= store_stats_run(st, STORE_STATS_LATENCY, 0,
		    habits_latency_cb, &b);
		failed |= store_stats_run(st, STORE_STATS_ACTIVE_WEEKS, 0,
		    habits_active_cb, &b);
		failed |= store_stats_run(st, STORE_STATS_USER_WEEKS, b.first_week,
		    habits_user_weeks_cb, &b);
		failed |= store_stats_run(st, STORE_STATS_USER_PROMPTS, 0,
		    habits_prompts_cb, &b);
		failed |= store_stats_run(st, STORE_STATS_CHANNELS, 0,
		    habits_channels_cb, &b);
		failed |= store_stats_run(st, STORE_STATS_PARTICIPATION,
		    HABITS_PARTICIPATION, habits_participation_cb, &b);
		failed |= store_stats_run(st, STORE_STATS_CHANNEL_WEEKS,
		    b.first_week, habits_weeks_cb, &b);
		failed |= store_stats_run(st, STORE_STATS_CHANNEL_DAYS, b.first_day,
		    habits_days_cb, &b);
		failed |= store_stats_run(st, STORE_STATS_TOP_PROMPTS,
		    HABITS_TOP_PROMPTS, habits_top_cb, &b);
	}
	if (st != NULL)
		store_stats_end(st);
	free(scope.away);
	free(scope.windows);
	habits_add_iso(root, "generated_at", now);
	if (f->since_date != NULL)
		cJSON_AddStringToObject(root, "since", f->since_date);
	else
		cJSON_AddNullToObject(root, "since");
	cJSON_AddStringToObject(root, "timezone", tz_name(cfg->tz));
	people = cJSON_AddArrayToObject(root, "people");
	for (size_t i = 0; i < b.npeople; i++) {
		struct habits_person *p = &b.people[i];

		habits_finish_person(&b, p);
		/* Anonymous channels show counts only: nobody's row at all. */
		if (habits_anonymous(&b, p->channel))
			cJSON_Delete(p->json);
		else
			cJSON_AddItemToArray(people, p->json);
		free(p->channel);
		free(p->user);
		free(p->theme_answers);
	}
	free(b.people);
	habits_self_mark(st, cfg, people);
	channels = cJSON_AddArrayToObject(root, "channels");
	while ((c = b.channels->child) != NULL)
		cJSON_AddItemToArray(channels, cJSON_DetachItemViaPointer(b.channels,
		    c));
	cJSON_Delete(b.channels);
	if (failed) {
		xasprintf(cause, "reading the store for stats failed");
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* A small text sparkline of counts, one block per value. */
static void
habits_sparkline(FILE *out, const cJSON *values, const char *key)
{
	static const char *const blocks[] = { " ", "\u2581", "\u2582", "\u2583",
	    "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	const cJSON *v, *n;
	double hi = 0, x;

	cJSON_ArrayForEach(v, values) {
		n = key ? cJSON_GetObjectItem(v, key) : v;
		if (cJSON_IsNumber(n) && n->valuedouble > hi)
			hi = n->valuedouble;
	}
	cJSON_ArrayForEach(v, values) {
		n = key ? cJSON_GetObjectItem(v, key) : v;
		if (!cJSON_IsNumber(n)) {
			fputs("\u00b7", out);	/* an anonymous "fewer than three" */
			continue;
		}
		x = hi > 0 ? n->valuedouble / hi : 0;
		fputs(blocks[x > 0 ? 1 + (int)(x * 7.999) : 0], out);
	}
}

/* A number member, or 0. */
static double
habits_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* The readable table of `nudged stats`: per channel a summary, then its people. */
void
habits_print_table(FILE *out, const cJSON *doc)
{
	const cJSON *c, *p, *name, *median;
	const char *channel;
	char who[64], med[16];

	cJSON_ArrayForEach(c, cJSON_GetObjectItem(doc, "channels")) {
		channel = cJSON_GetObjectItem(c, "channel")->valuestring;
		fprintf(out, "%s (%s%s): %.0f nudges (%.0f open), %.0f answers, "
		    "%.0f missed, %.0f people\n", channel,
		    cJSON_GetObjectItem(c, "platform")->valuestring,
		    cJSON_IsTrue(cJSON_GetObjectItem(c, "anonymous")) ?
		    ", anonymous: counts only" : "", habits_num(c, "deliveries"),
		    habits_num(c, "open"), habits_num(c, "answers"),
		    habits_num(c, "missed"), habits_num(c, "people"));
		fputs("  people answering, last 12 weeks: ", out);
		habits_sparkline(out, cJSON_GetObjectItem(c, "weeks"), "people");
		fputc('\n', out);
		fprintf(out, "  %-24s %9s %4s %5s %7s %5s %7s %6s  %s\n",
		    "person", "answers", "open", "rate", "streak", "best",
		    "median", "weeks", "last 12 weeks");
		cJSON_ArrayForEach(p, cJSON_GetObjectItem(doc, "people")) {
			if (strcmp(cJSON_GetObjectItem(p, "channel")->valuestring,
			    channel) != 0)
				continue;
			name = cJSON_GetObjectItem(p, "user_name");
			snprintf(who, sizeof who, "%s", cJSON_IsString(name) ?
			    name->valuestring : cJSON_GetObjectItem(p,
			    "user")->valuestring);
			median = cJSON_GetObjectItem(p, "median_answer_seconds");
			if (cJSON_IsNumber(median))
				snprintf(med, sizeof med, "%dh%02dm",
				    median->valueint / 3600,
				    median->valueint % 3600 / 60);
			else
				snprintf(med, sizeof med, "-");
			fprintf(out, "  %-24s %4.0f/%-4.0f %4.0f %4.0f%% %7.0f "
			    "%5.0f %7s %6.0f  ", who, habits_num(p, "answers"),
			    habits_num(p, "deliveries"), habits_num(p, "open"),
			    habits_num(p, "response_rate") * 100,
			    habits_num(p, "current_streak"),
			    habits_num(p, "longest_streak"), med,
			    habits_num(p, "active_weeks"));
			habits_sparkline(out, cJSON_GetObjectItem(p, "weeks"), NULL);
			habits_self_print(out, p);
			fputc('\n', out);
		}
		fputc('\n', out);
	}
}

/* One CSV line per person. */
void
habits_print_csv(FILE *out, const cJSON *doc)
{
	const cJSON *p, *name, *median;

	fputs("channel,user,user_name,deliveries,answers,response_rate,"
	    "current_streak,longest_streak,median_answer_seconds,active_weeks\n",
	    out);
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(doc, "people")) {
		name = cJSON_GetObjectItem(p, "user_name");
		median = cJSON_GetObjectItem(p, "median_answer_seconds");
		fprintf(out, "%s,%s,", cJSON_GetObjectItem(p,
		    "channel")->valuestring, cJSON_GetObjectItem(p,
		    "user")->valuestring);
		/* Names are people's own: quote them per RFC 4180. */
		if (cJSON_IsString(name)) {
			fputc('"', out);
			for (const char *s = name->valuestring; *s != '\0'; s++) {
				if (*s == '"')
					fputc('"', out);
				fputc(*s, out);
			}
			fputc('"', out);
		}
		fprintf(out, ",%.0f,%.0f,%.3f,%.0f,%.0f,", habits_num(p,
		    "deliveries"), habits_num(p, "answers"), habits_num(p,
		    "response_rate"), habits_num(p, "current_streak"),
		    habits_num(p, "longest_streak"));
		if (cJSON_IsNumber(median))
			fprintf(out, "%.0f", median->valuedouble);
		fprintf(out, ",%.0f\n", habits_num(p, "active_weeks"));
	}
}

/* One shared answer, quoted in the digest. */
static void
habits_digest_quote(void *arg, const char *text, const char *who)
{
	strbuf_addf(arg, "\n\u201c%.200s%s\u201d \u2014 %s", text,
	    strlen(text) > 200 ? "\u2026" : "", who);
}

/* The first channel object of a document. */
static const cJSON *
habits_first_channel(const cJSON *doc)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "channels"), 0);
}

/*
 * The weekly digest for a channel: how many people reflected in the past
 * seven days, the streaks worth celebrating, the question that drew most
 * answers, and, only where the channel shares answers, a few of them. An
 * anonymous channel gets counts only, and none below three. NULL and a cause
 * when the figures cannot be read: no digest rather than a wrong one.
 */
char *
habits_digest(struct store *st, const struct config *cfg,
    const struct bank *bank, const char *channel, int64_t now, char **cause)
{
	const struct config_channel *c = config_find_channel(cfg, channel);
	struct habits_filter week = { .channel = channel, .since = now -
	    7 * 86400 }, all = { .channel = channel };
	char *cause_week = NULL, *cause_all = NULL;
	cJSON *w = habits_stats(st, cfg, bank, &week, now, &cause_week);
	cJSON *a = habits_stats(st, cfg, bank, &all, now, &cause_all);
	const cJSON *wc = w ? habits_first_channel(w) : NULL, *p, *top, *list;
	struct strbuf out = { NULL, 0, 0 };
	int anon = c == NULL || c->anonymous, shown = 0;
	double people, total, answers;
	char *text = NULL;

	if (w == NULL || a == NULL) {
		xasprintf(cause, "%s", cause_week != NULL ? cause_week :
		    cause_all != NULL ? cause_all : "reading the store failed");
		goto out;
	}
	people = wc ? habits_num(wc, "people") : 0;
	answers = wc ? habits_num(wc, "answers") : 0;
	total = a && habits_first_channel(a) ? habits_num(habits_first_channel(a),
	    "people") : 0;
	if (people == 0)
		strbuf_addf(&out, "No answers this week yet. There is still time: "
		    "reply to this week's question.");
	else if (anon && people < HABITS_MIN_GROUP)
		strbuf_addf(&out, "A few of you reflected this week. Thank you.");
	else
		strbuf_addf(&out, "%.0f of %.0f people reflected this week, with "
		    "%.0f answer%s.", people, total, answers, answers == 1 ? "" :
		    "s");
	/* Names only where the channel is not anonymous (people[] is empty then). */
	list = cJSON_GetObjectItem(a, "people");
	cJSON_ArrayForEach(p, list) {
		const cJSON *name = cJSON_GetObjectItem(p, "user_name");

		if (habits_num(p, "current_streak") < 3 || shown == 3)
			continue;
		strbuf_addf(&out, "%s%s %.0f in a row", shown++ == 0 ?
		    "\nStreaks worth celebrating: " : ", ", cJSON_IsString(name) ?
		    name->valuestring : cJSON_GetObjectItem(p, "user")->valuestring,
		    habits_num(p, "current_streak"));
	}
	if (shown > 0)
		strbuf_addc(&out, '.');
	top = wc ? cJSON_GetArrayItem(cJSON_GetObjectItem(wc, "top_prompts"), 0) :
	    NULL;
	if (top != NULL && habits_num(top, "answers") > 0)
		strbuf_addf(&out, "\nThe question that drew most answers: "
		    "\u201c%s\u201d (%.0f).", cJSON_GetObjectItem(top,
		    "text")->valuestring, habits_num(top, "answers"));
	if (c != NULL && c->share_answers && !c->anonymous && st != NULL &&
	    store_each_recent_reply(st, channel, now - 7 * 86400, 3,
	    habits_digest_quote, &out) == -1) {
		xasprintf(cause, "the store could not read this week's answers");
		goto out;
	}
	text = strbuf_take(&out);
out:
	free(out.s);
	cJSON_Delete(w);
	cJSON_Delete(a);
	free(cause_week);
	free(cause_all);
	return text;
}
