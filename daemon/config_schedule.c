/* SPDX-License-Identifier: ISC */
/*
 * The schedules of nudged's configuration and the calendar they keep: cron
 * expressions, skip dates, named holiday calendars and people's away
 * periods. Errors are placed at FILE:LINE:COL like the rest of the file.
 */
#include <stdlib.h>
#include <string.h>

#include "chat/chat.h"
#include "config.h"
#include "config_int.h"
#include "cron.h"
#include "jsonc.h"
#include "suggest.h"
#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

static const char *const config_away_keys[] = { "user", "channel", "from",
	"to", NULL };
static const char *const config_schedule_keys[] = { "name", "cron",
	"timezone", "channel", "themes", "track", "audience", "skip_dates",
	"skip_calendars", "catch_up", "expiry", "answer_window", "digest",
	"remind_after", "to", NULL };


static int64_t	 config_schedule_day_start(const struct tz *, int, int, int);
static void	 config_schedule_parse_one(struct config_reader *, const cJSON *,
		    struct config_schedule *);
static void	 config_schedule_parse_cron(struct config_reader *, const cJSON *,
		    struct config_schedule *);
static void	 config_schedule_parse_skips(struct config_reader *, const cJSON *,
		    struct config_schedule *);
static void	 config_schedule_add_dates(struct config_reader *, const cJSON *,
		    struct config_schedule *);
static int	 config_schedule_day_cmp(const void *, const void *);
static void	 config_schedule_no_channel(struct config_reader *,
		    const cJSON *, const char *);

/* A channel name that is not under "channels": say so, and which one was meant. */
static void
config_schedule_no_channel(struct config_reader *L, const cJSON *node,
    const char *name)
{
	struct suggest sg;

	suggest_init(&sg, name);
	for (size_t i = 0; i < L->cfg->nchannels; i++)
		suggest_offer(&sg, L->cfg->channels[i].name);
	jsonc_error(L->doc, node, "no channel called \"%s\" under \"channels\"%s",
	    name, suggest_hint(&sg));
	suggest_clear(&sg);
}

/* The UTC instant a local day starts in zone tz. */
static int64_t
config_schedule_day_start(const struct tz *tz, int y, int m, int d)
{
	return tz_from_local(tz, y, m, d, 0, 0, 0);
}

/*
 * "away": [{"user", "channel"?, "from", "to"}], dates local to the config's
 * time zone, both included.
 */
void
config_schedule_parse_away(struct config_reader *L, const cJSON *away)
{
	const cJSON *a, *node;
	const char *user, *from, *to, *channel;
	int y1, m1, d1, y2, m2, d2;
	char *cause = NULL;
	struct config_away *ca;

	if (away == NULL || L->cfg->tz == NULL)
		return;
	L->cfg->away = xcalloc((size_t)cJSON_GetArraySize(away) + 1,
	    sizeof *L->cfg->away);
	cJSON_ArrayForEach(a, away) {
		if (!cJSON_IsObject(a)) {
			jsonc_error(L->doc, a, "an away entry must be an object "
			    "{\"user\", \"from\", \"to\"}");
			continue;
		}
		jsonc_check_keys(L->doc, a, config_away_keys);
		user = jsonc_get_string(L->doc, a, "user", 1);
		channel = jsonc_get_string(L->doc, a, "channel", 0);
		from = jsonc_get_string(L->doc, a, "from", 1);
		to = jsonc_get_string(L->doc, a, "to", 1);
		if (channel != NULL && config_find_channel(L->cfg, channel) == NULL)
			config_schedule_no_channel(L, jsonc_get(L->doc, a,
			    "channel", 0), channel);
		if (user == NULL || from == NULL || to == NULL)
			continue;
		node = jsonc_get(L->doc, a, "from", 0);
		if (timefmt_parse_date(from, &y1, &m1, &d1, &cause) == -1 ||
		    (node = jsonc_get(L->doc, a, "to", 0),
		    timefmt_parse_date(to, &y2, &m2, &d2, &cause) == -1)) {
			jsonc_error(L->doc, node, "%s", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		if (timefmt_days_from_civil(y2, m2, d2) <
		    timefmt_days_from_civil(y1, m1, d1)) {
			jsonc_error(L->doc, node, "\"to\" is before \"from\"");
			continue;
		}
		ca = &L->cfg->away[L->cfg->naway++];
		ca->user = xstrdup(user);
		ca->channel = channel != NULL ? xstrdup(channel) : NULL;
		ca->from = config_schedule_day_start(L->cfg->tz, y1, m1, d1);
		timefmt_civil_from_days(timefmt_days_from_civil(y2, m2, d2) + 1,
		    &y2, &m2, &d2);
		ca->until = config_schedule_day_start(L->cfg->tz, y2, m2, d2);
	}
}

/* Named holiday lists, each an array of local dates. */
void
config_schedule_parse_calendars(struct config_reader *L, const cJSON *calendars)
{
	const cJSON *cal, *d;
	int y, m, dd;
	char *cause;

	if (calendars == NULL)
		return;
	for (cal = calendars->child; cal != NULL; cal = cal->next) {
		if (!config_valid_name(cal->string))
			jsonc_error(L->doc, cal, "calendar name \"%s\" must be 1-64 "
			    "letters, digits, '.', '_' or '-'", cal->string);
		if (!cJSON_IsArray(cal)) {
			jsonc_error(L->doc, cal, "calendar \"%s\" must be an array "
			    "of dates, not %s", cal->string, jsonc_type_name(cal));
			continue;
		}
		cJSON_ArrayForEach(d, cal) {
			cause = NULL;
			if (!cJSON_IsString(d))
				jsonc_error(L->doc, d, "a date must be a string "
				    "\"YYYY-MM-DD\", not %s", jsonc_type_name(d));
			else if (timefmt_parse_date(d->valuestring, &y, &m, &dd,
			    &cause) == -1) {
				jsonc_error(L->doc, d, "%s", cause);
				free(cause);
			}
		}
	}
}

/* The schedules array. */
void
config_schedule_parse_list(struct config_reader *L, const cJSON *schedules)
{
	const cJSON *s;
	size_t n;

	if (schedules == NULL)
		return;
	n = (size_t)cJSON_GetArraySize(schedules);
	L->cfg->schedules = xcalloc(n, sizeof *L->cfg->schedules);
	cJSON_ArrayForEach(s, schedules) {
		struct config_schedule *sc =
		    &L->cfg->schedules[L->cfg->nschedules++];

		sc->catch_up = CONFIG_DEFAULT_CATCH_UP;
		sc->expiry = CONFIG_DEFAULT_EXPIRY;
		sc->answer_window = CONFIG_DEFAULT_ANSWER_WINDOW;
		if (!cJSON_IsObject(s)) {
			jsonc_error(L->doc, s, "a schedule must be an object, not "
			    "%s", jsonc_type_name(s));
			continue;
		}
		config_schedule_parse_one(L, s, sc);
	}
	L->cfg->schedule_index = config_index(L, L->cfg->schedules,
	    L->cfg->nschedules, sizeof *L->cfg->schedules, schedules, "schedule");
}

/* One schedule: name, cron, zone, channel, prompt choice, skips, catch-up. */
static void
config_schedule_parse_one(struct config_reader *L, const cJSON *s,
    struct config_schedule *sc)
{
	const cJSON *node, *t;
	char *v;

	jsonc_check_keys(L->doc, s, config_schedule_keys);
	sc->name = config_read_string(L, s, "name", 1);
	node = jsonc_get(L->doc, s, "name", 0);
	if (sc->name != NULL && !config_valid_name(sc->name))
		jsonc_error(L->doc, node, "schedule name \"%s\" must be 1-64 "
		    "letters, digits, '.', '_' or '-'", sc->name);
	sc->tz = L->cfg->tz;
	if ((v = config_read_string(L, s, "timezone", 0)) != NULL &&
	    strcmp(v, "person") == 0)
		sc->tz_person = 1;
	else if (v != NULL)
		sc->tz = config_zone(L, jsonc_get(L->doc, s, "timezone", 0), v);
	free(v);
	config_schedule_parse_cron(L, s, sc);
	if ((v = config_read_string(L, s, "channel", 1)) != NULL) {
		sc->channel = config_find_channel(L->cfg, v);
		if (sc->channel == NULL)
			config_schedule_no_channel(L, jsonc_get(L->doc, s,
			    "channel", 0), v);
		free(v);
	}
	config_people_parse_to(L, s, sc);
	if (sc->nto == 0 && sc->channel != NULL &&
	    sc->channel->no_webhook && sc->channel->platform != NULL &&
	    sc->channel->platform->posts_http && !chat_channel_api(sc->channel))
		jsonc_error(L->doc, s, "channel \"%s\" has no \"webhook\": the "
		    "schedule needs \"to\" (direct messages), or the channel "
		    "a webhook", sc->channel->name);
	if (sc->tz_person && sc->nto == 0)
		jsonc_error(L->doc, jsonc_get(L->doc, s, "timezone", 0),
		    "\"timezone\": \"person\" reads the cron on each person's "
		    "clock: the schedule needs \"to\"");
	if ((node = jsonc_get_array(L->doc, s, "themes", 0)) != NULL) {
		sc->themes = xcalloc((size_t)cJSON_GetArraySize(node) + 1,
		    sizeof *sc->themes);
		sc->themes_at = xcalloc((size_t)cJSON_GetArraySize(node) + 1,
		    sizeof *sc->themes_at);
		cJSON_ArrayForEach(t, node) {
			if (!cJSON_IsString(t) || !config_valid_name(t->valuestring))
				jsonc_error(L->doc, t, "a theme must be a name such "
				    "as \"coaching\"");
			else {
				sc->themes_at[sc->nthemes] = config_where(L, t);
				sc->themes[sc->nthemes++] = xstrdup(t->valuestring);
			}
		}
	}
	node = jsonc_get(L->doc, s, "track", 0);
	if (cJSON_IsString(node)) {
		if (sc->nthemes > 0 || *node->valuestring == '\0')
			jsonc_error(L->doc, node, "\"track\" names a track of the "
			    "prompt bank such as \"new-manager\", without \"themes\"");
		else {
			sc->track_name = xstrdup(node->valuestring);
			sc->track_name_at = config_where(L, node);
		}
	} else if ((node = jsonc_get_array(L->doc, s, "track", 0)) != NULL) {
		if (sc->nthemes > 0)
			jsonc_error(L->doc, node, "a schedule has either \"themes\" "
			    "or a \"track\", not both");
		if (cJSON_GetArraySize(node) == 0)
			jsonc_error(L->doc, node, "\"track\" is empty");
		sc->track = xcalloc((size_t)cJSON_GetArraySize(node) + 1,
		    sizeof *sc->track);
		sc->track_at = xcalloc((size_t)cJSON_GetArraySize(node) + 1,
		    sizeof *sc->track_at);
		cJSON_ArrayForEach(t, node) {
			if (!cJSON_IsString(t) || *t->valuestring == '\0')
				jsonc_error(L->doc, t, "a track entry must be a "
				    "prompt id such as \"coaching-001\"");
			else {
				sc->track_at[sc->ntrack] = config_where(L, t);
				sc->track[sc->ntrack++] = xstrdup(t->valuestring);
			}
		}
	}
	if ((v = config_read_string(L, s, "audience", 0)) != NULL) {
		if (strcmp(v, "leader") == 0)
			sc->audience = CONFIG_AUDIENCE_LEADER;
		else if (strcmp(v, "team") == 0)
			sc->audience = CONFIG_AUDIENCE_TEAM;
		else if (strcmp(v, "any") != 0)
			jsonc_error(L->doc, jsonc_get(L->doc, s, "audience", 0),
			    "audience must be \"leader\", \"team\" or \"any\"");
		free(v);
	}
	config_duration(L, s, "catch_up", 0, 366 * 86400, &sc->catch_up);
	config_duration(L, s, "expiry", 60, 30 * 86400, &sc->expiry);
	config_duration(L, s, "answer_window", 60, CONFIG_MAX_ANSWER_WINDOW,
	    &sc->answer_window);
	config_duration(L, s, "remind_after", 60, CONFIG_MAX_ANSWER_WINDOW,
	    &sc->remind_after);
	if (sc->remind_after > 0 && sc->remind_after >= sc->answer_window)
		jsonc_error(L->doc, jsonc_get(L->doc, s, "remind_after", 0),
		    "remind_after must be shorter than answer_window");
	if ((sc->digest_expr = config_read_string(L, s, "digest", 0)) != NULL) {
		char *cause = NULL;
		int column = 0;

		if ((sc->digest = cron_parse(sc->digest_expr, &cause,
		    &column)) == NULL) {
			jsonc_error_at(L->doc, jsonc_get(L->doc, s, "digest", 0),
			    column, "digest: %s", cause);
			free(cause);
		}
		/* A digest is the channel's post: a DM-only channel has none. */
		if (sc->channel != NULL && sc->channel->webhook == NULL &&
		    sc->channel->platform->posts_http &&
		    !chat_channel_api(sc->channel))
			jsonc_error(L->doc, jsonc_get(L->doc, s, "digest", 0),
			    "the digest is posted in channel \"%s\", which "
			    "only sends direct messages: give it a \"webhook\" "
			    "or its own channel id", sc->channel->name);
	}
	config_schedule_parse_skips(L, s, sc);
}

/* The cron expression, with a parse error placed at its very character. */
static void
config_schedule_parse_cron(struct config_reader *L, const cJSON *s,
    struct config_schedule *sc)
{
	const cJSON *node = jsonc_get(L->doc, s, "cron", 0);
	char *cause = NULL;
	int column = 0;

	if ((sc->cron_expr = config_read_string(L, s, "cron", 1)) == NULL)
		return;
	sc->cron = cron_parse(sc->cron_expr, &cause, &column);
	if (sc->cron == NULL) {
		jsonc_error_at(L->doc, node, column, "%s", cause);
		free(cause);
	}
}

/* skip_dates and skip_calendars, merged into one sorted list of local days. */
static void
config_schedule_parse_skips(struct config_reader *L, const cJSON *s,
    struct config_schedule *sc)
{
	const cJSON *node, *name, *cal;

	if ((node = jsonc_get_array(L->doc, s, "skip_dates", 0)) != NULL)
		config_schedule_add_dates(L, node, sc);
	if ((node = jsonc_get_array(L->doc, s, "skip_calendars", 0)) != NULL) {
		cJSON_ArrayForEach(name, node) {
			if (!cJSON_IsString(name)) {
				jsonc_error(L->doc, name, "a calendar name must be "
				    "a string, not %s", jsonc_type_name(name));
				continue;
			}
			cal = L->calendars == NULL ? NULL :
			    cJSON_GetObjectItemCaseSensitive(L->calendars,
			    name->valuestring);
			if (cal == NULL)
				jsonc_error(L->doc, name, "no calendar called "
				    "\"%s\" under \"calendars\"", name->valuestring);
			else if (cJSON_IsArray(cal))
				config_schedule_add_dates(L, cal, sc);
		}
	}
	if (sc->nskip_days > 1)
		qsort(sc->skip_days, sc->nskip_days, sizeof *sc->skip_days,
		    config_schedule_day_cmp);
}

/* Append the valid dates of an array to the schedule's skip list. */
static void
config_schedule_add_dates(struct config_reader *L, const cJSON *arr,
    struct config_schedule *sc)
{
	const cJSON *d;
	char *cause = NULL;
	int y, m, dd;

	cJSON_ArrayForEach(d, arr) {
		if (!cJSON_IsString(d)) {
			jsonc_error(L->doc, d, "a date must be a string "
			    "\"YYYY-MM-DD\", not %s", jsonc_type_name(d));
			continue;
		}
		if (timefmt_parse_date(d->valuestring, &y, &m, &dd, &cause) == -1) {
			/* Calendar dates were already reported where defined. */
			if (arr->string == NULL ||
			    strcmp(arr->string, "skip_dates") == 0)
				jsonc_error(L->doc, d, "%s", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		sc->skip_days = xreallocarray(sc->skip_days, sc->nskip_days + 1,
		    sizeof *sc->skip_days);
		sc->skip_days[sc->nskip_days++] = timefmt_days_from_civil(y, m, dd);
	}
}

/* qsort order for day numbers. */
static int
config_schedule_day_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Whether the schedule does not fire on this local day (skip_dates, calendars). */
int
config_schedule_skips(const struct config_schedule *sc, int64_t local_day)
{
	return bsearch(&local_day, sc->skip_days, sc->nskip_days,
	    sizeof *sc->skip_days, config_schedule_day_cmp) != NULL;
}
