/* SPDX-License-Identifier: ISC */
/*
 * People and groups: who nudged asks in their own direct messages, with
 * their id on each platform and, optionally, their time zone. A schedule's
 * "to" names people and "group:NAME"s; with "timezone": "person" its cron
 * is read on each person's own wall clock.
 *
 *   "people": { "ada": { PLATFORM: ID, "timezone": "Europe/Berlin" } },
 *   "groups": { "leaders": ["ada", "ben"] }
 */
#include <stdlib.h>
#include <string.h>

#include "chat/chat.h"
#include "config.h"
#include "config_int.h"
#include "jsonc.h"
#include "xmalloc.h"

static void	config_people_parse_one(struct config_reader *, const cJSON *,
		    struct config_person *);
static void	config_people_parse_group(struct config_reader *,
		    const cJSON *, struct config_group *);
static void	config_people_add(size_t **, size_t *, size_t);
static int	config_people_index_cmp(const void *, const void *);

/* A person's keys: "timezone" and the name of each platform that sends DMs. */
static void
config_people_parse_one(struct config_reader *L, const cJSON *p,
    struct config_person *cp)
{
	const struct chat_platform *row;
	const char **keys;
	const cJSON *m;
	size_t n = 0;
	char *v;

	/* "timezone" and each platform that sends direct messages. */
	keys = xcalloc(2, sizeof *keys);
	keys[n++] = "timezone";
	for (size_t i = 0; (row = chat_platform_at(i)) != NULL; i++) {
		if (row->direct == NULL)
			continue;
		keys = xreallocarray(keys, n + 2, sizeof *keys);
		keys[n++] = row->name;
	}
	keys[n] = NULL;
	jsonc_check_keys(L->doc, p, keys);
	free(keys);
	cp->ids = xcalloc((size_t)cJSON_GetArraySize(p) + 1, sizeof *cp->ids);
	cJSON_ArrayForEach(m, p) {
		if (strcmp(m->string, "timezone") == 0) {
			if ((v = config_read_string(L, p, "timezone", 1)) != NULL)
				cp->tz = config_zone(L, m, v);
			free(v);
			continue;
		}
		row = chat_find(m->string);
		if (row == NULL || row->direct == NULL)
			continue;	/* reported by the key check */
		if ((v = config_read_string(L, p, m->string, 1)) == NULL)
			continue;
		if (row->direct->check_user != NULL &&
		    !row->direct->check_user(v))
			config_read_error(L, m, "\"%s\" is not a %s user id (%s)",
			    v, row->title, row->direct->user_hint);
		cp->ids[cp->nids].platform = row;
		cp->ids[cp->nids++].id = v;
	}
}

/* Add i to a sorted set of indexes. */
static void
config_people_add(size_t **set, size_t *n, size_t i)
{
	size_t k;

	for (k = 0; k < *n; k++)
		if ((*set)[k] == i)
			return;
	*set = xreallocarray(*set, *n + 1, sizeof **set);
	(*set)[(*n)++] = i;
}

/* qsort order of person indexes. */
static int
config_people_index_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

/* A group: a list of people's names. */
static void
config_people_parse_group(struct config_reader *L, const cJSON *g,
    struct config_group *cg)
{
	const struct config_person *p;
	const cJSON *m;

	if (!cJSON_IsArray(g)) {
		config_read_error(L, g, "a group is a list of people's names, "
		    "not %s", jsonc_type_name(g));
		return;
	}
	if (cJSON_GetArraySize(g) == 0)
		config_read_error(L, g, "group \"%s\" is empty", cg->name);
	cJSON_ArrayForEach(m, g) {
		if (!cJSON_IsString(m)) {
			config_read_error(L, m, "a group member is a person's "
			    "name, not %s", jsonc_type_name(m));
			continue;
		}
		if ((p = config_find_person(L->cfg, m->valuestring)) == NULL) {
			config_read_error(L, m, "no person called \"%s\" under "
			    "\"people\"", m->valuestring);
			continue;
		}
		config_people_add(&cg->members, &cg->nmembers,
		    (size_t)(p - L->cfg->people));
	}
	if (cg->nmembers > 1)
		qsort(cg->members, cg->nmembers, sizeof *cg->members,
		    config_people_index_cmp);
}

/* "people" and "groups", before the schedules that name them. */
void
config_people_parse(struct config_reader *L, const cJSON *people,
    const cJSON *groups)
{
	struct config *cfg = L->cfg;
	const cJSON *m;

	if (people != NULL) {
		cfg->people = xcalloc((size_t)cJSON_GetArraySize(people) + 1,
		    sizeof *cfg->people);
		cJSON_ArrayForEach(m, people) {
			struct config_person *cp = &cfg->people[cfg->npeople++];

			cp->name = xstrdup(m->string);
			if (!config_valid_name(m->string))
				config_read_error(L, m, "person name \"%s\" must be "
				    "1-64 letters, digits, '.', '_' or '-'",
				    m->string);
			if (!cJSON_IsObject(m))
				config_read_error(L, m, "a person is an object "
				    "of ids by platform name, not %s",
				    jsonc_type_name(m));
			else
				config_people_parse_one(L, m, cp);
		}
		cfg->people_index = config_index(L, cfg->people, cfg->npeople,
		    sizeof *cfg->people, people, "person");
	}
	if (groups == NULL)
		return;
	cfg->groups = xcalloc((size_t)cJSON_GetArraySize(groups) + 1,
	    sizeof *cfg->groups);
	cJSON_ArrayForEach(m, groups) {
		struct config_group *cg = &cfg->groups[cfg->ngroups++];

		cg->name = xstrdup(m->string);
		if (!config_valid_name(m->string))
			config_read_error(L, m, "group name \"%s\" must be 1-64 "
			    "letters, digits, '.', '_' or '-'", m->string);
		config_people_parse_group(L, m, cg);
	}
	cfg->group_index = config_index(L, cfg->groups, cfg->ngroups,
	    sizeof *cfg->groups, groups, "group");
}

/*
 * A schedule's "to": people and "group:NAME"s, each person once. Every one
 * needs an id on the channel's platform, which must send direct messages.
 */
void
config_people_parse_to(struct config_reader *L, const cJSON *s,
    struct config_schedule *sc)
{
	const cJSON *to = jsonc_get_array(L->doc, s, "to", 0), *m;
	const struct chat_platform *row;
	const struct config_person *p;
	const struct config_group *g;
	char *why = NULL;

	if (to == NULL)
		return;
	if (cJSON_GetArraySize(to) == 0)
		config_read_error(L, to, "\"to\" is empty");
	cJSON_ArrayForEach(m, to) {
		if (!cJSON_IsString(m)) {
			config_read_error(L, m, "\"to\" lists people's names and "
			    "\"group:NAME\"s, not %s", jsonc_type_name(m));
			continue;
		}
		if (strncmp(m->valuestring, "group:", 6) == 0) {
			if ((g = config_find_group(L->cfg, m->valuestring + 6)) ==
			    NULL)
				config_read_error(L, m, "no group called \"%s\" "
				    "under \"groups\"", m->valuestring + 6);
			else
				for (size_t k = 0; k < g->nmembers; k++)
					config_people_add(&sc->to, &sc->nto,
					    g->members[k]);
		} else if ((p = config_find_person(L->cfg, m->valuestring)) ==
		    NULL)
			config_read_error(L, m, "no person called \"%s\" under "
			    "\"people\"", m->valuestring);
		else
			config_people_add(&sc->to, &sc->nto,
			    (size_t)(p - L->cfg->people));
	}
	if (sc->nto > 1)
		qsort(sc->to, sc->nto, sizeof *sc->to, config_people_index_cmp);
	if (sc->channel == NULL)
		return;
	row = sc->channel->platform;
	if (row == NULL)
		return;
	if (row->direct == NULL) {
		config_read_error(L, to, "channel \"%s\" cannot send direct "
		    "messages: %s", sc->channel->name, row->no_direct != NULL ?
		    row->no_direct : "its platform has no bot API in nudged");
		return;
	}
	if (!row->direct->ready(sc->channel, &why)) {
		config_read_error(L, to, "channel \"%s\" cannot send direct "
		    "messages: %s", sc->channel->name, why);
		free(why);
		return;
	}
	for (size_t k = 0; k < sc->nto; k++) {
		p = &L->cfg->people[sc->to[k]];
		if (config_person_id(p, row) == NULL)
			config_read_error(L, to, "%s has no %s id: add \"%s\": "
			    "\"…\" under people.%s", p->name, row->title,
			    row->name, p->name);
	}
}

/* The person called name, or NULL. */
const struct config_person *
config_find_person(const struct config *cfg, const char *name)
{
	return config_lookup(cfg->people, cfg->npeople, sizeof *cfg->people,
	    cfg->people_index, name);
}

/* The group called name, or NULL. */
const struct config_group *
config_find_group(const struct config *cfg, const char *name)
{
	return config_lookup(cfg->groups, cfg->ngroups, sizeof *cfg->groups,
	    cfg->group_index, name);
}

/* A person's id on a platform, or NULL. */
const char *
config_person_id(const struct config_person *p,
    const struct chat_platform *row)
{
	for (size_t i = 0; i < p->nids; i++)
		if (p->ids[i].platform == row)
			return p->ids[i].id;
	return NULL;
}

/* Free the people and groups. */
void
config_people_free(struct config *cfg)
{
	for (size_t i = 0; i < cfg->npeople; i++) {
		for (size_t k = 0; k < cfg->people[i].nids; k++)
			free(cfg->people[i].ids[k].id);
		free(cfg->people[i].ids);
		free(cfg->people[i].name);
	}
	free(cfg->people);
	free(cfg->people_index);
	for (size_t i = 0; i < cfg->ngroups; i++) {
		free(cfg->groups[i].name);
		free(cfg->groups[i].members);
	}
	free(cfg->groups);
	free(cfg->group_index);
}
