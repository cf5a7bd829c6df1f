/* SPDX-License-Identifier: ISC */
/*
 * Loading and validating nudged's configuration. Every problem is reported as
 * FILE:LINE:COL: what, and all of them are collected before giving up, so an
 * admin fixes a file in one pass. Secrets are expanded from ${NAME} (systemd
 * credentials first, then the environment) and never appear in a message.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat/chat.h"
#include "config_int.h"
#include "cron.h"
#include "db_pg.h"
#include "jsonc.h"
#include "suggest.h"
#include "timefmt.h"
#include "tz.h"
#include "url.h"
#include "xmalloc.h"

static const char *const config_top_keys[] = { "state_dir", "listen",
	"timezone", "prompts", "channels", "schedules", "calendars", "delivery",
	"away", "retention", "dashboard_token", "people", "groups", "http",
	"store", NULL };
static const char *const config_store_keys[] = { "postgresql", NULL };
static const char *const config_delivery_keys[] = { "max_in_flight",
	"timeout", "connect_timeout", "retry_initial", "retry_max", "stop_grace",
	NULL };
static const char *const config_http_keys[] = { "header_timeout",
	"body_timeout", "max_connections", "max_connections_per_address", NULL };
/* Every channel's keys; each platform adds its own (chat_platform.config_keys). */
static const char *const config_channel_keys[] = { "platform", "webhook",
	"api_token", "rate", "anonymous", "share_answers", NULL };

static struct config *config_load_with(const char *, int, char **);
static char	*config_path(struct config_reader *, const char *);
static void	 config_parse_listen(struct config_reader *, const cJSON *);
static void	 config_parse_delivery(struct config_reader *, const cJSON *);
static void	 config_parse_http(struct config_reader *, const cJSON *);
static void	 config_parse_store(struct config_reader *, const cJSON *);
static void	 config_parse_channels(struct config_reader *, const cJSON *);
static void	 config_parse_channel(struct config_reader *, const cJSON *,
		    struct config_channel *);
static void	 config_check_channel_keys(struct config_reader *,
		    const cJSON *, const struct chat_platform *);
static void	 config_add_key(const char ***, size_t *, const char *);
static void	 config_check_webhook(struct config_reader *, const cJSON *,
		    struct config_channel *);
static const char *config_name_at(const void *, size_t, size_t);
static int	 config_index_cmp(const void *, const void *, void *);
static const cJSON *config_index_node(const cJSON *, size_t);

/* The config path used when -c is not given. */
const char *
config_default_path(void)
{
	const char *env = getenv("NUDGED_CONFIG");

	if (env != NULL && *env != '\0')
		return env;
	if (access(NUDGED_SYSCONFDIR "/nudged/nudged.json", F_OK) == 0)
		return NUDGED_SYSCONFDIR "/nudged/nudged.json";
	return "config/nudged.json";
}

/* Load and validate a config file; NULL and every error in cause on failure. */
struct config *
config_load(const char *path, char **cause)
{
	return config_load_with(path, 0, cause);
}

/*
 * The same for commands that never post or verify (stats, export, next,
 * prompts, check --offline): a channel secret or the dashboard token whose
 * ${NAME} is set nowhere is left unset, and nothing is said about it.
 */
struct config *
config_load_offline(const char *path, char **cause)
{
	return config_load_with(path, 1, cause);
}

/* Load a config, offline or with every secret resolved. */
static struct config *
config_load_with(const char *path, int offline, char **cause)
{
	struct config_reader L = { 0 };
	struct config *cfg;
	const cJSON *root;
	char *copy, *tzname;

	if ((L.doc = jsonc_load_file(path, cause)) == NULL)
		return NULL;
	cfg = L.cfg = xcalloc(1, sizeof *cfg);
	cfg->path = xstrdup(path);
	copy = xstrdup(path);
	L.dir = xstrdup(dirname(copy));
	free(copy);
	root = L.doc->root;
	if (!cJSON_IsObject(root))
		jsonc_error(L.doc, root, "the configuration must be an object, "
		    "not %s", jsonc_type_name(root));
	else {
		jsonc_check_keys(L.doc, root, config_top_keys);
		if (getenv("STATE_DIRECTORY") != NULL &&
		    *getenv("STATE_DIRECTORY") != '\0')
			cfg->state_dir = xstrdup(getenv("STATE_DIRECTORY"));
		else if ((copy = config_read_string(&L, root, "state_dir", 1)) != NULL) {
			cfg->state_dir = config_path(&L, copy);
			free(copy);
		}
		config_parse_listen(&L, root);
		config_parse_delivery(&L, jsonc_get_object(L.doc, root, "delivery",
		    0));
		config_parse_http(&L, jsonc_get_object(L.doc, root, "http", 0));
		config_parse_store(&L, jsonc_get_object(L.doc, root, "store", 0));
		tzname = config_read_string(&L, root, "timezone", 0);
		cfg->tz = config_zone(&L, jsonc_get(L.doc, root, "timezone", 0),
		    tzname != NULL ? tzname : "UTC");
		free(tzname);
		cfg->prompts_at = config_where(&L, jsonc_get(L.doc, root,
		    "prompts", 0));
		if ((copy = config_read_string(&L, root, "prompts", 0)) == NULL)
			copy = xstrdup("prompts");
		cfg->prompts_dir = config_path(&L, copy);
		free(copy);
		L.calendars = jsonc_get_object(L.doc, root, "calendars", 0);
		config_schedule_parse_calendars(&L, L.calendars);
		L.leave_secrets = offline;
		config_parse_channels(&L, jsonc_get_object(L.doc, root,
		    "channels", 1));
		config_people_parse(&L, jsonc_get_object(L.doc, root, "people",
		    0), jsonc_get_object(L.doc, root, "groups", 0));
		L.leave_secrets = 0;
		config_schedule_parse_list(&L, jsonc_get_array(L.doc, root,
		    "schedules", 1));
		config_schedule_parse_away(&L, jsonc_get_array(L.doc, root, "away", 0));
		config_duration(&L, root, "retention", 86400, 100 * 366 * 86400LL,
		    &cfg->retention);
		L.leave_secrets = offline;
		cfg->dashboard_token = config_read_string(&L, root, "dashboard_token", 0);
	}
	free(L.dir);
	if ((*cause = jsonc_errors_join(L.doc)) != NULL) {
		jsonc_free(L.doc);
		config_free(cfg);
		return NULL;
	}
	jsonc_free(L.doc);
	return cfg;
}

/* Free a configuration and everything it owns. */
void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->nchannels; i++) {
		struct config_channel *c = &cfg->channels[i];

		free(c->name);
		if (c->platform != NULL && c->platform->config_free != NULL)
			c->platform->config_free(c->settings);
		free(c->webhook);
		free(c->api_token);
	}
	for (size_t i = 0; i < cfg->naway; i++) {
		free(cfg->away[i].user);
		free(cfg->away[i].channel);
	}
	free(cfg->away);
	free(cfg->dashboard_token);
	free(cfg->prompts_at);
	for (size_t i = 0; i < cfg->nschedules; i++) {
		struct config_schedule *s = &cfg->schedules[i];

		free(s->name);
		free(s->cron_expr);
		if (s->cron != NULL)
			cron_free(s->cron);
		for (size_t j = 0; j < s->nthemes; j++) {
			free(s->themes[j]);
			free(s->themes_at[j]);
		}
		free(s->themes);
		free(s->themes_at);
		for (size_t j = 0; j < s->ntrack; j++) {
			free(s->track[j]);
			free(s->track_at[j]);
		}
		free(s->track);
		free(s->track_at);
		free(s->track_name);
		free(s->track_name_at);
		free(s->skip_days);
		free(s->digest_expr);
		if (s->digest != NULL)
			cron_free(s->digest);
		free(s->to);
	}
	config_people_free(cfg);
	for (size_t i = 0; i < cfg->nzones; i++)
		tz_free(cfg->zones[i]);
	free(cfg->zones);
	free(cfg->channels);
	free(cfg->schedules);
	free(cfg->channel_index);
	free(cfg->schedule_index);
	free(cfg->path);
	free(cfg->state_dir);
	if (cfg->store_postgresql != NULL)
		explicit_bzero(cfg->store_postgresql,
		    strlen(cfg->store_postgresql));
	free(cfg->store_postgresql);
	free(cfg->listen_host);
	free(cfg->prompts_dir);
	free(cfg);
}

/* Report a problem at a node of the file being read. */
void
config_read_error(struct config_reader *L, const cJSON *node,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	jsonc_error(L->doc, node, "%s", msg);
	free(msg);
}

/* An absolute path, or one relative to the config file's folder. */
static char *
config_path(struct config_reader *L, const char *value)
{
	char *out;

	if (value[0] == '/')
		return xstrdup(value);
	xasprintf(&out, "%s/%s", L->dir, value);
	return out;
}

/* Names of channels, schedules and calendars: 1-64 of [A-Za-z0-9._-]. */
int
config_valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL &&
		    !(*s == '_'))
			return 0;
	}
	return 1;
}

/* The loaded zone called name, loading it once per config; NULL on error. */
const struct tz *
config_zone(struct config_reader *L, const cJSON *node, const char *name)
{
	struct config *cfg = L->cfg;
	struct tz *tz;
	char *cause = NULL;

	for (size_t i = 0; i < cfg->nzones; i++) {
		if (strcmp(tz_name(cfg->zones[i]), name) == 0)
			return cfg->zones[i];
	}
	if ((tz = tz_load(name, &cause)) == NULL) {
		struct suggest sg;

		jsonc_error(L->doc, node, "%s%s", cause, suggest_zone(&sg, name));
		suggest_clear(&sg);
		free(cause);
		return NULL;
	}
	cfg->zones = xreallocarray(cfg->zones, cfg->nzones + 1,
	    sizeof *cfg->zones);
	cfg->zones[cfg->nzones++] = tz;
	return tz;
}

/* "FILE:LINE:COL" of a node (the file's start for NULL), for errors found later. */
char *
config_where(struct config_reader *L, const cJSON *node)
{
	char *out;
	int line, col;

	jsonc_where(L->doc, node, &line, &col);
	xasprintf(&out, "%s:%d:%d", L->doc->path, line, col);
	return out;
}

/* "HOST:PORT" or "[V6]:PORT"; the default when absent. */
static void
config_parse_listen(struct config_reader *L, const cJSON *root)
{
	char *s = config_read_string(L, root, "listen", 0), *colon, *end, *host;
	const cJSON *node = jsonc_get(L->doc, root, "listen", 0);
	long port;

	if (s == NULL)
		s = xstrdup(CONFIG_DEFAULT_LISTEN);
	colon = strrchr(s, ':');
	if (colon == NULL || colon == s) {
		jsonc_error(L->doc, node, "\"listen\" must be HOST:PORT, such as "
		    "\"%s\"", CONFIG_DEFAULT_LISTEN);
		free(s);
		return;
	}
	*colon = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == colon + 1 || port < 1 ||
	    port > 65535) {
		jsonc_error(L->doc, node, "\"listen\": port must be 1-65535");
		free(s);
		return;
	}
	host = s;
	if (host[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		host++;
	}
	L->cfg->listen_host = xstrdup(host);
	L->cfg->listen_port = (int)port;
	free(s);
}

/* A duration member ("90s", "2h") within [min, max] seconds; *out keeps its default when absent. */
void
config_duration(struct config_reader *L, const cJSON *object, const char *key,
    int64_t min, int64_t max, int64_t *out)
{
	const cJSON *node = jsonc_get(L->doc, object, key, 0);
	char *v = config_read_string(L, object, key, 0), *cause = NULL;
	int64_t d;

	if (v == NULL)
		return;
	if (timefmt_parse_duration(v, &d, &cause) == -1) {
		jsonc_error(L->doc, node, "%s: %s", key, cause);
		free(cause);
	} else if (d < min || d > max)
		jsonc_error(L->doc, node, "%s: %s is outside %llds-%llds", key, v,
		    (long long)min, (long long)max);
	else
		*out = d;
	free(v);
}

/* The delivery section: limits and the retry schedule, with defaults. */
static void
config_parse_delivery(struct config_reader *L, const cJSON *d)
{
	struct config_delivery *cd = &L->cfg->delivery;
	long v;

	cd->max_in_flight = 64;
	cd->timeout = 30;
	cd->connect_timeout = 10;
	cd->retry_initial = 1;
	cd->retry_max = 600;
	cd->stop_grace = 10;
	if (d == NULL)
		return;
	jsonc_check_keys(L->doc, d, config_delivery_keys);
	if (jsonc_get_int(L->doc, d, "max_in_flight", 0, 1, 4096, &v) == 1)
		cd->max_in_flight = v;
	config_duration(L, d, "timeout", 1, 600, &cd->timeout);
	config_duration(L, d, "connect_timeout", 1, 600, &cd->connect_timeout);
	config_duration(L, d, "retry_initial", 1, 3600, &cd->retry_initial);
	config_duration(L, d, "retry_max", 1, 86400, &cd->retry_max);
	config_duration(L, d, "stop_grace", 0, 300, &cd->stop_grace);
	if (cd->retry_max < cd->retry_initial)
		jsonc_error(L->doc, d, "retry_max is shorter than retry_initial");
}

/* The http section: how long a request may take, how many connections. */
static void
config_parse_http(struct config_reader *L, const cJSON *o)
{
	struct config_http *h = &L->cfg->http;
	long v;

	h->header_timeout = 10;
	h->body_timeout = 30;
	h->max_connections = 1024;
	h->max_per_address = 64;
	if (o == NULL)
		return;
	jsonc_check_keys(L->doc, o, config_http_keys);
	config_duration(L, o, "header_timeout", 1, 300, &h->header_timeout);
	config_duration(L, o, "body_timeout", 1, 600, &h->body_timeout);
	if (jsonc_get_int(L->doc, o, "max_connections", 0, 1, 1000000, &v) == 1)
		h->max_connections = v;
	if (jsonc_get_int(L->doc, o, "max_connections_per_address", 0, 1,
	    1000000, &v) == 1)
		h->max_per_address = v;
	if (h->max_per_address > h->max_connections)
		jsonc_error(L->doc, o, "max_connections_per_address is larger "
		    "than max_connections");
}

/*
 * The store section: PostgreSQL shared by several instances when
 * "postgresql" names a connection string (a secret: ${NAME} expands, and
 * messages never quote it); else SQLite in state_dir. Offline commands read
 * the store too, so its ${NAME} is always resolved.
 */
static void
config_parse_store(struct config_reader *L, const cJSON *o)
{
	char *cause = NULL;
	int leave = L->leave_secrets;

	if (o == NULL)
		return;
	jsonc_check_keys(L->doc, o, config_store_keys);
	L->leave_secrets = 0;
	L->cfg->store_postgresql = config_read_string(L, o, "postgresql", 0);
	L->leave_secrets = leave;
	if (L->cfg->store_postgresql == NULL)
		return;
	if (*L->cfg->store_postgresql == '\0')
		xasprintf(&cause, "PostgreSQL connection string is empty");
	else
		db_pg_check_conninfo(L->cfg->store_postgresql, &cause);
	if (cause != NULL) {
		jsonc_error(L->doc, jsonc_get(L->doc, o, "postgresql", 0), "%s",
		    cause);
		free(cause);
	}
}

/* The channels object: name -> channel. */
static void
config_parse_channels(struct config_reader *L, const cJSON *channels)
{
	const cJSON *ch;
	size_t n = 0;

	if (channels == NULL)
		return;
	n = (size_t)cJSON_GetArraySize(channels);
	L->cfg->channels = xcalloc(n, sizeof *L->cfg->channels);
	for (ch = channels->child; ch != NULL; ch = ch->next) {
		struct config_channel *c = &L->cfg->channels[L->cfg->nchannels];

		c->name = xstrdup(ch->string);
		L->cfg->nchannels++;
		if (!config_valid_name(ch->string))
			jsonc_error(L->doc, ch, "channel name \"%s\" must be 1-64 "
			    "letters, digits, '.', '_' or '-'", ch->string);
		if (!cJSON_IsObject(ch)) {
			jsonc_error(L->doc, ch, "channel \"%s\" must be an object, "
			    "not %s", ch->string, jsonc_type_name(ch));
			continue;
		}
		config_parse_channel(L, ch, c);
	}
	if (n == 0)
		jsonc_error(L->doc, channels, "\"channels\" is empty: define at "
		    "least one channel");
	L->cfg->channel_index = config_index(L, L->cfg->channels, L->cfg->nchannels,
	    sizeof *L->cfg->channels, channels, "channel");
}

/* One channel: the generic keys here, its platform's own keys in chat/. */
static void
config_parse_channel(struct config_reader *L, const cJSON *ch,
    struct config_channel *c)
{
	const cJSON *node;
	char *name;

	node = cJSON_GetObjectItemCaseSensitive(ch, "platform");
	config_check_channel_keys(L, ch, cJSON_IsString(node) ?
	    chat_find(node->valuestring) : NULL);
	name = config_read_string(L, ch, "platform", 1);
	if (name != NULL && (c->platform = chat_find(name)) == NULL)
		jsonc_error(L->doc, node, "unknown platform \"%s\" (one of %s)",
		    name, chat_platform_names());
	free(name);
	c->webhook = config_read_string(L, ch, "webhook", 0);
	if (c->platform != NULL && c->platform->config_parse != NULL)
		c->settings = c->platform->config_parse(L, ch);
	c->api_token = config_read_string(L, ch, "api_token", 0);
	if (jsonc_get_bool(L->doc, ch, "anonymous", 0, &c->anonymous) == 1 &&
	    c->anonymous && jsonc_get(L->doc, ch, "share_answers", 0) != NULL)
		jsonc_error(L->doc, jsonc_get(L->doc, ch, "share_answers", 0),
		    "an anonymous channel never shares answers");
	jsonc_get_bool(L->doc, ch, "share_answers", 0, &c->share_answers);
	c->rate = -1;
	if ((node = jsonc_get(L->doc, ch, "rate", 0)) != NULL) {
		if (!cJSON_IsNumber(node) || node->valuedouble < 0 ||
		    node->valuedouble > 1000)
			jsonc_error(L->doc, node, "\"rate\" must be messages per "
			    "second from 0 (no limit) to 1000");
		else
			c->rate = node->valuedouble;
	}
	if (c->platform != NULL)
		config_check_webhook(L, ch, c);
}

/*
 * The strict key check of a channel: the generic keys and its platform's
 * own; every platform's when the platform is not known (already reported).
 */
static void
config_check_channel_keys(struct config_reader *L, const cJSON *ch,
    const struct chat_platform *p)
{
	const char **keys = NULL;
	const struct chat_platform *q;
	size_t n = 0;

	for (size_t i = 0; config_channel_keys[i] != NULL; i++)
		config_add_key(&keys, &n, config_channel_keys[i]);
	for (size_t i = 0; (q = chat_platform_at(i)) != NULL; i++) {
		if ((p == NULL || p == q) && q->config_keys != NULL) {
			for (size_t j = 0; q->config_keys[j] != NULL; j++)
				config_add_key(&keys, &n, q->config_keys[j]);
		}
	}
	config_add_key(&keys, &n, NULL);
	jsonc_check_keys(L->doc, ch, keys);
	free(keys);
}

/* Append one key to a growing NULL-terminated list. */
static void
config_add_key(const char ***keys, size_t *n, const char *key)
{
	*keys = xreallocarray(*keys, *n + 1, sizeof **keys);
	(*keys)[(*n)++] = key;
}

/*
 * Every platform that posts over HTTP posts to a webhook: https, or plain http only to
 * this machine (a local relay, or the tests' sink). The URL is a secret, so
 * messages never quote it.
 */
static void
config_check_webhook(struct config_reader *L, const cJSON *ch,
    struct config_channel *c)
{
	const cJSON *node = jsonc_get(L->doc, ch, "webhook", 0);
	const char *u = c->webhook;

	if (!c->platform->posts_http) {
		if (node != NULL)
			jsonc_error(L->doc, node, "a %s channel has no webhook",
			    c->platform->name);
		return;
	}
	if (node == NULL) {
		c->no_webhook = 1;
		if (!chat_direct_ready(c))
			jsonc_error(L->doc, ch, "channel \"%s\" (%s) needs a "
			    "\"webhook\"", c->name, c->platform->name);
		return;
	}
	if (u == NULL)
		return;
	if (url_webhook_allowed(u))
		return;
	jsonc_error(L->doc, node, "channel \"%s\": webhook must be an https:// "
	    "URL (plain http only to 127.0.0.1, localhost or [::1])", c->name);
}

/* The name of element i of an array of channels or schedules (both start with it). */
static const char *
config_name_at(const void *base, size_t size, size_t i)
{
	return *(char *const *)(const void *)((const char *)base + i * size);
}

/* The array config_index sorts. */
struct config_sort {
	const void	*base;
	size_t		 size;
};

/* qsort_r order of indexes by name, then position (so the later one is the duplicate). */
static int
config_index_cmp(const void *a, const void *b, void *arg)
{
	const struct config_sort *cs = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const char *nx = config_name_at(cs->base, cs->size, x);
	const char *ny = config_name_at(cs->base, cs->size, y);
	int c = strcmp(nx ? nx : "", ny ? ny : "");

	return c != 0 ? c : (x > y) - (x < y);
}

/*
 * Indexes of n named elements sorted by name, for binary search; a name
 * defined twice is an error at the array's (or object's) member.
 */
size_t *
config_index(struct config_reader *L, const void *base, size_t n, size_t size,
    const cJSON *container, const char *what)
{
	struct config_sort cs = { base, size };
	size_t *index = xcalloc(n + 1, sizeof *index);
	const char *a, *b;
	size_t first = 0;
	char *where;

	for (size_t i = 0; i < n; i++)
		index[i] = i;
	qsort_r(index, n, sizeof *index, config_index_cmp, &cs);
	for (size_t i = 1; i < n; i++) {
		a = config_name_at(base, size, index[i - 1]);
		b = config_name_at(base, size, index[i]);
		if (a == NULL || b == NULL || strcmp(a, b) != 0) {
			first = i;
			continue;
		}
		/* Point at the later one's name, and say where the first is. */
		where = config_where(L, config_index_node(container, index[first]));
		jsonc_error(L->doc, config_index_node(container, index[i]), "%s "
		    "\"%s\" is defined twice (first at %s)", what, b, where);
		free(where);
	}
	return index;
}

/* The node naming element i of an array of schedules (its "name") or of an object. */
static const cJSON *
config_index_node(const cJSON *container, size_t i)
{
	const cJSON *item = cJSON_GetArrayItem(container, (int)i);

	return cJSON_IsArray(container) ?
	    cJSON_GetObjectItemCaseSensitive(item, "name") : item;
}

/* Binary search for name among n named elements through their sorted index. */
const void *
config_lookup(const void *base, size_t n, size_t size, const size_t *index,
    const char *name)
{
	size_t lo = 0, hi = n;

	while (index != NULL && lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *m = config_name_at(base, size, index[mid]);
		int c = strcmp(name, m ? m : "");

		if (c == 0)
			return (const char *)base + index[mid] * size;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* The channel called name, or NULL. */
const struct config_channel *
config_find_channel(const struct config *cfg, const char *name)
{
	return config_lookup(cfg->channels, cfg->nchannels,
	    sizeof *cfg->channels, cfg->channel_index, name);
}

/* The schedule called name, or NULL. */
const struct config_schedule *
config_find_schedule(const struct config *cfg, const char *name)
{
	return config_lookup(cfg->schedules, cfg->nschedules,
	    sizeof *cfg->schedules, cfg->schedule_index, name);
}

/* The config word for an audience. */
const char *
config_audience_name(enum config_audience a)
{
	switch (a) {
	case CONFIG_AUDIENCE_LEADER:
		return "leader";
	case CONFIG_AUDIENCE_TEAM:
		return "team";
	default:
		return "any";
	}
}
