/* SPDX-License-Identifier: ISC */
/*
 * Tracks that ship with the prompt bank: prompts/tracks/<id>.json, an ordered
 * walk through prompts of one audience, each step on a day of the track: the
 * first step goes at the schedule's first instant, and a step on day D at
 * the first instant at least D - (first step's day) days later (a new
 * joiner's track starts on day 1). A schedule names one with
 * "track": "<id>".
 */
#include "bank_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

#define BANK_TRACK_DAY	86400
/* Half a day of slack, so a daylight-saving shift never delays a step a whole cycle. */
#define BANK_TRACK_SLACK 43200

static const char *const bank_track_keys[] = { "id", "title", "audience",
	"description", "steps", NULL };
static const char *const bank_track_step_keys[] = { "prompt", "day", NULL };

static void	bank_track_load(struct bank *, const char *, const char *,
		    struct bank_errors *);
static void	bank_track_load_steps(const struct bank *, struct jsonc_doc *,
		    const cJSON *, struct bank_track *);
static char	*bank_track_check_prompt(const struct bank *,
		    const char *, const struct config_schedule *,
		    const char *);

/* Load every track file under dir/tracks, if that folder exists. */
void
bank_track_load_all(struct bank *b, const char *dir, struct bank_errors *e)
{
	char *tracks, *cause = NULL, **names;
	size_t n;

	xasprintf(&tracks, "%s/tracks", dir);
	if (access(tracks, F_OK) == -1 && errno == ENOENT) {
		free(tracks);
		return;
	}
	if ((names = bank_list_json(tracks, &n, &cause)) == NULL) {
		bank_errors_add(e, cause);
		free(tracks);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		bank_track_load(b, tracks, names[i], e);
		free(names[i]);
	}
	free(names);
	free(tracks);
}

/* One track file, checked against the prompts already loaded. */
static void
bank_track_load(struct bank *b, const char *dir, const char *name,
    struct bank_errors *e)
{
	struct bank_track t = { 0 };
	struct jsonc_doc *doc;
	const cJSON *root, *steps;
	const char *id, *title, *audience;
	char *path, *cause = NULL, *stem = xstrndup(name, strlen(name) - 5);

	xasprintf(&path, "%s/%s", dir, name);
	if ((doc = jsonc_load_file(path, &cause)) == NULL) {
		bank_errors_add(e, cause);
		free(stem);
		free(path);
		return;
	}
	root = doc->root;
	if (!cJSON_IsObject(root)) {
		jsonc_error(doc, root, "a track must be an object, not %s",
		    jsonc_type_name(root));
		goto done;
	}
	jsonc_check_keys(doc, root, bank_track_keys);
	id = jsonc_get_string(doc, root, "id", 1);
	title = jsonc_get_string(doc, root, "title", 1);
	audience = jsonc_get_string(doc, root, "audience", 1);
	jsonc_get_string(doc, root, "description", 0);
	steps = jsonc_get_array(doc, root, "steps", 1);
	if (id != NULL && strcmp(id, stem) != 0)
		jsonc_error(doc, jsonc_get(doc, root, "id", 0), "the track id "
		    "must match the file name (\"%s\" in %s.json)", id, stem);
	else if (id != NULL && bank_find_track(b, id) != NULL)
		jsonc_error(doc, jsonc_get(doc, root, "id", 0), "duplicate track "
		    "id \"%s\"", id);
	if (title != NULL)
		bank_rules_title(doc, jsonc_get(doc, root, "title", 0));
	if (audience != NULL && bank_parse_audience(audience, &t.audience) == -1)
		jsonc_error(doc, jsonc_get(doc, root, "audience", 0), "unknown "
		    "audience \"%s\" (leader, team or any)", audience);
	if (steps != NULL && cJSON_GetArraySize(steps) == 0)
		jsonc_error(doc, steps, "a track needs at least one step");
	if (doc->nerrors > 0 || id == NULL || title == NULL || steps == NULL)
		goto done;
	t.id = xstrdup(id);
	t.title = xstrdup(title);
	bank_track_load_steps(b, doc, steps, &t);
	if (doc->nerrors > 0) {
		bank_track_free(&t);
		goto done;
	}
	b->tracks = xreallocarray(b->tracks, b->ntracks + 1, sizeof *b->tracks);
	b->tracks[b->ntracks++] = t;
done:
	for (size_t i = 0; i < doc->nerrors; i++)
		bank_errors_add(e, xstrdup(doc->errors[i]));
	jsonc_free(doc);
	free(stem);
	free(path);
}

/*
 * A track's steps: each prompt exists, is not retired, appears once, fits
 * the track's audience; days start at 0 and never go back.
 */
static void
bank_track_load_steps(const struct bank *b, struct jsonc_doc *doc,
    const cJSON *steps, struct bank_track *t)
{
	const struct bank_prompt *p;
	const cJSON *s, *node;
	const char *id;
	long day;

	t->steps = xcalloc((size_t)cJSON_GetArraySize(steps), sizeof *t->steps);
	cJSON_ArrayForEach(s, steps) {
		if (!cJSON_IsObject(s)) {
			jsonc_error(doc, s, "a step must be an object such as "
			    "{\"prompt\": \"coaching-001\", \"day\": 0}");
			continue;
		}
		jsonc_check_keys(doc, s, bank_track_step_keys);
		id = jsonc_get_string(doc, s, "prompt", 1);
		if (jsonc_get_int(doc, s, "day", 1, 0, BANK_MAX_DAY, &day) != 1 ||
		    id == NULL)
			continue;
		node = jsonc_get(doc, s, "prompt", 0);
		if ((p = bank_find(b, id)) == NULL)
			jsonc_error(doc, node, "no prompt \"%s\" in the prompt bank",
			    id);
		else if (bank_retired(p))
			jsonc_error(doc, node, "prompt \"%s\" is retired; use \"%s\"",
			    id, p->merged_into);
		else if (p->audience != t->audience &&
		    p->audience != CONFIG_AUDIENCE_ANY)
			jsonc_error(doc, node, "prompt \"%s\" is for the %s, but "
			    "this track is for the %s: a track shares one audience",
			    id, config_audience_name(p->audience),
			    config_audience_name(t->audience));
		for (size_t i = 0; i < t->nsteps; i++) {
			if (strcmp(t->steps[i].prompt, id) == 0)
				jsonc_error(doc, node, "prompt \"%s\" is already step "
				    "%zu of this track", id, i + 1);
		}
		if (t->nsteps > 0 && day < t->steps[t->nsteps - 1].day)
			jsonc_error(doc, jsonc_get(doc, s, "day", 0), "day %ld "
			    "comes before the step above it (day %d)", day,
			    t->steps[t->nsteps - 1].day);
		t->steps[t->nsteps].prompt = xstrdup(id);
		t->steps[t->nsteps++].day = (int)day;
	}
}

/* Free what a track holds. */
void
bank_track_free(struct bank_track *t)
{
	for (size_t i = 0; i < t->nsteps; i++)
		free(t->steps[i].prompt);
	free(t->steps);
	free(t->id);
	free(t->title);
}

/* The shipped track with this id, or NULL. */
const struct bank_track *
bank_find_track(const struct bank *b, const char *id)
{
	for (size_t i = 0; i < b->ntracks; i++) {
		if (strcmp(b->tracks[i].id, id) == 0)
			return &b->tracks[i];
	}
	return NULL;
}

/*
 * The track's next step, if its day has come at h->at (with no instant
 * given, steps simply follow in order); NULL with a cause when the next
 * step is for a later day or the track is finished.
 */
const struct bank_prompt *
bank_track_pick(const struct bank *b, const struct bank_track *t,
    struct bank_history *h, char **cause)
{
	const struct bank_step *s;
	int64_t due;

	for (size_t i = 0; i < t->nsteps; i++) {
		s = &t->steps[i];
		if (bank_in(h->track_done, h->ntrack_done, s->prompt))
			continue;
		due = h->track_start + (int64_t)(s->day - t->steps[0].day) *
		    BANK_TRACK_DAY - BANK_TRACK_SLACK;
		if (h->ntrack_done > 0 && h->at > 0 && h->track_start > 0 &&
		    h->at < due) {
			xasprintf(cause, "track \"%s\": step %zu (%s) comes on day "
			    "%d", t->id, i + 1, s->prompt, s->day);
			return NULL;
		}
		return bank_find(b, s->prompt);
	}
	xasprintf(cause, "track \"%s\" finished: all %zu steps were sent", t->id,
	    t->nsteps);
	return NULL;
}

/*
 * Whether a schedule's nudges reach people privately: on an anonymous
 * channel now; direct schedules join here when they arrive.
 */
int
bank_private_schedule(const struct config_schedule *sc)
{
	return sc->channel != NULL && sc->channel->anonymous;
}

/* A track prompt a schedule names: exists, not retired, private ones kept private. */
static char *
bank_track_check_prompt(const struct bank *b, const char *where,
    const struct config_schedule *sc, const char *id)
{
	const struct bank_prompt *p = bank_find(b, id);
	char *line = NULL;

	if (p == NULL)
		xasprintf(&line, "%s: schedule \"%s\": track prompt \"%s\" is not "
		    "in the prompt bank", where, sc->name, id);
	else if (bank_retired(p))
		xasprintf(&line, "%s: schedule \"%s\": track prompt \"%s\" is "
		    "retired; use \"%s\"", where, sc->name, id, p->merged_into);
	else if (!p->public_ok && !bank_private_schedule(sc))
		xasprintf(&line, "%s: schedule \"%s\": prompt \"%s\" has "
		    "\"public_ok\": false; it goes only to an anonymous channel",
		    where, sc->name, id);
	return line;
}

/* Check a track schedule against the bank: its message, or NULL when fine. */
char *
bank_track_check_schedule(const struct bank *b, const struct config *cfg,
    const struct config_schedule *sc)
{
	const struct bank_track *t;
	char *line = NULL;

	const char *where;

	for (size_t i = 0; i < sc->ntrack && line == NULL; i++)
		line = bank_track_check_prompt(b, sc->track_at != NULL &&
		    sc->track_at[i] != NULL ? sc->track_at[i] : cfg->path, sc,
		    sc->track[i]);
	if (sc->track_name == NULL || line != NULL)
		return line;
	where = sc->track_name_at != NULL ? sc->track_name_at : cfg->path;
	if ((t = bank_find_track(b, sc->track_name)) == NULL)
		xasprintf(&line, "%s: schedule \"%s\": no track \"%s\" in %s/tracks",
		    where, sc->name, sc->track_name, b->dir);
	else if (sc->audience != CONFIG_AUDIENCE_ANY &&
	    t->audience != CONFIG_AUDIENCE_ANY && sc->audience != t->audience)
		xasprintf(&line, "%s: schedule \"%s\": track \"%s\" is for the "
		    "%s, the schedule for the %s", where, sc->name, t->id,
		    config_audience_name(t->audience),
		    config_audience_name(sc->audience));
	for (size_t i = 0; t != NULL && i < t->nsteps && line == NULL; i++)
		line = bank_track_check_prompt(b, where, sc, t->steps[i].prompt);
	return line;
}
