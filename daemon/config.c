/*
 * Loading and validating nudged's configuration. Every problem is reported as
 * FILE:LINE:COL: what, and all of them are collected before giving up, so an
 * admin fixes a file in one pass. Secrets are expanded from ${NAME} (systemd
 * credentials first, then the environment) and never appear in a message.
 */
#include "config.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cron.h"
#include "jsonc.h"
#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

struct config_load {
	struct jsonc_doc	*doc;
	struct config		*cfg;
	char			*dir;	/* the config file's folder */
	const cJSON		*calendars;
};

static const char *const config_top_keys[] = { "state_dir", "listen",
	"timezone", "prompts", "channels", "schedules", "calendars", "delivery",
	"away", "retention", "dashboard_token", NULL };
static const char *const config_away_keys[] = { "user", "channel", "from",
	"to", NULL };
static const char *const config_delivery_keys[] = { "max_in_flight",
	"timeout", "connect_timeout", "retry_initial", "retry_max", "stop_grace",
	NULL };
static const char *const config_channel_keys[] = { "platform", "webhook",
	"signing_secret", "hmac_secret", "token", "public_key", "api_token",
	"slack_channel_id", "rate", "anonymous", "share_answers", NULL };
static const char *const config_schedule_keys[] = { "name", "cron",
	"timezone", "channel", "themes", "track", "audience", "skip_dates",
	"skip_calendars", "catch_up", "expiry", "answer_window", "digest",
	"remind_after", NULL };
/*
 * Where systemd's LoadCredential=NAME looks for NAME when no path is given
 * (systemd.exec(5), "LoadCredential="); `nudged check` outside the unit
 * reads the same files, so it sees what the service will see.
 */
static const char *const config_credstores[] = { "/etc/credstore",
	"/run/credstore", "/usr/lib/credstore", NULL };
static const char *const config_platforms[] = { "slack", "teams", "discord",
	"mattermost", "googlechat", "webhook", "console", NULL };

static char	*config_expand(struct config_load *, const cJSON *, const char *);
static char	*config_find_secret(const char *, char **);
static char	*config_read_credential(const char *, const char *, char **);
static char	*config_string(struct config_load *, const cJSON *, const char *,
		    int);
static char	*config_path(struct config_load *, const char *);
static int	 config_valid_name(const char *);
static const struct tz *config_zone(struct config_load *, const cJSON *,
		    const char *);
static void	 config_parse_listen(struct config_load *, const cJSON *);
static void	 config_parse_delivery(struct config_load *, const cJSON *);
static void	 config_parse_away(struct config_load *, const cJSON *);
static int64_t	 config_local_day_start(const struct tz *, int, int, int);
static void	 config_duration(struct config_load *, const cJSON *,
		    const char *, int64_t, int64_t, int64_t *);
static void	 config_parse_channels(struct config_load *, const cJSON *);
static void	 config_parse_channel(struct config_load *, const cJSON *,
		    struct config_channel *);
static int	 config_webhook_allowed(const char *);
static void	 config_check_webhook(struct config_load *, const cJSON *,
		    const struct config_channel *);
static void	 config_parse_schedules(struct config_load *, const cJSON *);
static void	 config_parse_schedule(struct config_load *, const cJSON *,
		    struct config_schedule *);
static void	 config_parse_cron(struct config_load *, const cJSON *,
		    struct config_schedule *);
static void	 config_parse_skips(struct config_load *, const cJSON *,
		    struct config_schedule *);
static void	 config_add_dates(struct config_load *, const cJSON *,
		    struct config_schedule *);
static void	 config_parse_calendars(struct config_load *, const cJSON *);
static int	 config_day_cmp(const void *, const void *);
static const char *config_name_at(const void *, size_t, size_t);
static int	 config_index_cmp(const void *, const void *, void *);
static size_t	*config_index(struct config_load *, const void *, size_t, size_t,
		    const cJSON *, const char *);
static const void *config_lookup(const void *, size_t, size_t, const size_t *,
		    const char *);

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
	struct config_load L = { 0 };
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
		else if ((copy = config_string(&L, root, "state_dir", 1)) != NULL) {
			cfg->state_dir = config_path(&L, copy);
			free(copy);
		}
		config_parse_listen(&L, root);
		config_parse_delivery(&L, jsonc_get_object(L.doc, root, "delivery",
		    0));
		tzname = config_string(&L, root, "timezone", 0);
		cfg->tz = config_zone(&L, jsonc_get(L.doc, root, "timezone", 0),
		    tzname != NULL ? tzname : "UTC");
		free(tzname);
		if ((copy = config_string(&L, root, "prompts", 0)) == NULL)
			copy = xstrdup("prompts");
		cfg->prompts_dir = config_path(&L, copy);
		free(copy);
		L.calendars = jsonc_get_object(L.doc, root, "calendars", 0);
		config_parse_calendars(&L, L.calendars);
		config_parse_channels(&L, jsonc_get_object(L.doc, root,
		    "channels", 1));
		config_parse_schedules(&L, jsonc_get_array(L.doc, root,
		    "schedules", 1));
		config_parse_away(&L, jsonc_get_array(L.doc, root, "away", 0));
		config_duration(&L, root, "retention", 86400, 100 * 366 * 86400LL,
		    &cfg->retention);
		cfg->dashboard_token = config_string(&L, root, "dashboard_token", 0);
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
		free(c->platform);
		free(c->webhook);
		free(c->signing_secret);
		free(c->hmac_secret);
		free(c->token);
		free(c->public_key);
		free(c->api_token);
		free(c->slack_channel_id);
	}
	for (size_t i = 0; i < cfg->naway; i++) {
		free(cfg->away[i].user);
		free(cfg->away[i].channel);
	}
	free(cfg->away);
	free(cfg->dashboard_token);
	for (size_t i = 0; i < cfg->nschedules; i++) {
		struct config_schedule *s = &cfg->schedules[i];

		free(s->name);
		free(s->cron_expr);
		if (s->cron != NULL)
			cron_free(s->cron);
		for (size_t j = 0; j < s->nthemes; j++)
			free(s->themes[j]);
		free(s->themes);
		for (size_t j = 0; j < s->ntrack; j++)
			free(s->track[j]);
		free(s->track);
		free(s->skip_days);
		free(s->digest_expr);
		if (s->digest != NULL)
			cron_free(s->digest);
	}
	for (size_t i = 0; i < cfg->nzones; i++)
		tz_free(cfg->zones[i]);
	free(cfg->zones);
	free(cfg->channels);
	free(cfg->schedules);
	free(cfg->channel_index);
	free(cfg->schedule_index);
	free(cfg->path);
	free(cfg->state_dir);
	free(cfg->listen_host);
	free(cfg->prompts_dir);
	free(cfg);
}

/* A string member with ${NAME} expanded; NULL when absent or invalid. */
static char *
config_string(struct config_load *L, const cJSON *object, const char *key,
    int required)
{
	const char *raw = jsonc_get_string(L->doc, object, key, required);

	if (raw == NULL)
		return NULL;
	return config_expand(L, cJSON_GetObjectItemCaseSensitive(object, key),
	    raw);
}

/*
 * Replace each ${NAME} in s with the secret NAME (config_find_secret); "$${"
 * is a literal "${". A name found nowhere is an error naming where to put it.
 */
static char *
config_expand(struct config_load *L, const cJSON *node, const char *s)
{
	char *out = xmalloc(1), *name, *value, *cause;
	size_t len = 0, n;
	const char *p = s, *end;
	int failed = 0;

	out[0] = '\0';
	while (*p != '\0') {
		value = NULL;
		if (p[0] == '$' && p[1] == '$' && p[2] == '{') {
			value = xstrdup("${");
			p += 3;
		} else if (p[0] == '$' && p[1] == '{') {
			end = strchr(p + 2, '}');
			n = end != NULL ? (size_t)(end - p - 2) : 0;
			name = xstrndup(p + 2, n);
			if (end == NULL || !config_valid_name(name) ||
			    isdigit((unsigned char)name[0]) ||
			    strchr(name, '.') != NULL || strchr(name, '-') != NULL) {
				jsonc_error_at(L->doc, node, (int)(p - s) + 1,
				    "\"${\" must be followed by a variable name "
				    "and \"}\"");
				free(name);
				free(out);
				return NULL;
			}
			cause = NULL;
			if ((value = config_find_secret(name, &cause)) == NULL) {
				if (cause != NULL)
					jsonc_error_at(L->doc, node, (int)(p - s) + 1,
					    "%s", cause);
				else
					jsonc_error_at(L->doc, node, (int)(p - s) + 1,
					    "${%s}: not set: put the secret in "
					    "/etc/credstore/%s (mode 0600; the unit "
					    "loads it with LoadCredential=%s) or in "
					    "the environment variable %s", name, name,
					    name, name);
				free(cause);
				failed = 1;
				value = xstrdup("");
			}
			free(name);
			p = end + 1;
		} else {
			value = xstrndup(p, 1);
			p++;
		}
		n = strlen(value);
		out = xreallocarray(out, len + n + 1, 1);
		memcpy(out + len, value, n + 1);
		len += n;
		free(value);
	}
	if (failed) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * The secret NAME: the credential in $CREDENTIALS_DIRECTORY under systemd,
 * else in the first credential store that has it, else the environment
 * variable. NULL when absent (cause stays NULL) or unreadable (cause set).
 */
static char *
config_find_secret(const char *name, char **cause)
{
	const char *creds = getenv("CREDENTIALS_DIRECTORY");
	char *value = NULL;

	if (creds != NULL && *creds != '\0')
		value = config_read_credential(creds, name, cause);
	else {
		for (size_t i = 0; value == NULL && *cause == NULL &&
		    config_credstores[i] != NULL; i++)
			value = config_read_credential(config_credstores[i],
			    name, cause);
	}
	if (value == NULL && *cause == NULL && getenv(name) != NULL)
		value = xstrdup(getenv(name));
	return value;
}

/* The contents of credential file dir/name without a trailing newline; NULL if absent. */
static char *
config_read_credential(const char *dir, const char *name, char **cause)
{
	char *path, *buf;
	size_t len;
	FILE *f;

	xasprintf(&path, "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno != ENOENT)
			xasprintf(cause, "credential %s: %s: %s", name, path,
			    strerror(errno));
		free(path);
		return NULL;
	}
	free(path);
	buf = xmalloc(65537);
	len = fread(buf, 1, 65536, f);
	if (ferror(f) || !feof(f)) {
		xasprintf(cause, "credential %s: unreadable or larger than 64 KiB",
		    name);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return buf;
}

/* An absolute path, or one relative to the config file's folder. */
static char *
config_path(struct config_load *L, const char *value)
{
	char *out;

	if (value[0] == '/')
		return xstrdup(value);
	xasprintf(&out, "%s/%s", L->dir, value);
	return out;
}

/* Names of channels, schedules and calendars: 1-64 of [A-Za-z0-9._-]. */
static int
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
static const struct tz *
config_zone(struct config_load *L, const cJSON *node, const char *name)
{
	struct config *cfg = L->cfg;
	struct tz *tz;
	char *cause = NULL;

	for (size_t i = 0; i < cfg->nzones; i++) {
		if (strcmp(tz_name(cfg->zones[i]), name) == 0)
			return cfg->zones[i];
	}
	if ((tz = tz_load(name, &cause)) == NULL) {
		jsonc_error(L->doc, node, "%s", cause);
		free(cause);
		return NULL;
	}
	cfg->zones = xreallocarray(cfg->zones, cfg->nzones + 1,
	    sizeof *cfg->zones);
	cfg->zones[cfg->nzones++] = tz;
	return tz;
}

/* "HOST:PORT" or "[V6]:PORT"; the default when absent. */
static void
config_parse_listen(struct config_load *L, const cJSON *root)
{
	char *s = config_string(L, root, "listen", 0), *colon, *end, *host;
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
static void
config_duration(struct config_load *L, const cJSON *object, const char *key,
    int64_t min, int64_t max, int64_t *out)
{
	const cJSON *node = jsonc_get(L->doc, object, key, 0);
	char *v = config_string(L, object, key, 0), *cause = NULL;
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
config_parse_delivery(struct config_load *L, const cJSON *d)
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

/* The UTC instant a local day starts in zone tz. */
static int64_t
config_local_day_start(const struct tz *tz, int y, int m, int d)
{
	return tz_from_local(tz, y, m, d, 0, 0, 0);
}

/*
 * "away": [{"user", "channel"?, "from", "to"}], dates local to the config's
 * time zone, both included.
 */
static void
config_parse_away(struct config_load *L, const cJSON *away)
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
			jsonc_error(L->doc, jsonc_get(L->doc, a, "channel", 0),
			    "no channel called \"%s\" under \"channels\"", channel);
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
		ca->from = config_local_day_start(L->cfg->tz, y1, m1, d1);
		timefmt_civil_from_days(timefmt_days_from_civil(y2, m2, d2) + 1,
		    &y2, &m2, &d2);
		ca->until = config_local_day_start(L->cfg->tz, y2, m2, d2);
	}
}

/* Named holiday lists, each an array of local dates. */
static void
config_parse_calendars(struct config_load *L, const cJSON *calendars)
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

/* The channels object: name -> channel. */
static void
config_parse_channels(struct config_load *L, const cJSON *channels)
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

/* One channel: its platform, its webhook and the secrets for replies. */
static void
config_parse_channel(struct config_load *L, const cJSON *ch,
    struct config_channel *c)
{
	const cJSON *node;
	int known = 0;

	jsonc_check_keys(L->doc, ch, config_channel_keys);
	c->platform = config_string(L, ch, "platform", 1);
	node = jsonc_get(L->doc, ch, "platform", 0);
	for (size_t i = 0; c->platform != NULL && config_platforms[i]; i++) {
		if (strcmp(config_platforms[i], c->platform) == 0)
			known = 1;
	}
	if (c->platform != NULL && !known)
		jsonc_error(L->doc, node, "unknown platform \"%s\" (one of slack, "
		    "teams, discord, mattermost, googlechat, webhook, console)",
		    c->platform);
	c->webhook = config_string(L, ch, "webhook", 0);
	c->signing_secret = config_string(L, ch, "signing_secret", 0);
	c->hmac_secret = config_string(L, ch, "hmac_secret", 0);
	c->token = config_string(L, ch, "token", 0);
	c->public_key = config_string(L, ch, "public_key", 0);
	c->api_token = config_string(L, ch, "api_token", 0);
	c->slack_channel_id = config_string(L, ch, "slack_channel_id", 0);
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
	if (c->platform != NULL && known)
		config_check_webhook(L, ch, c);
}

/*
 * Whether a webhook URL may be used: https to any host, or plain http only
 * to this machine, the host compared exactly as libcurl parses it (so
 * "http://127.0.0.1.example.com" and "http://localhost@example.com" fail).
 */
static int
config_webhook_allowed(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ok = 0;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    *host != '\0') {
		if (strcmp(scheme, "https") == 0)
			ok = 1;
		else if (strcmp(scheme, "http") == 0)
			ok = strcmp(host, "127.0.0.1") == 0 ||
			    strcmp(host, "localhost") == 0 ||
			    strcmp(host, "[::1]") == 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/*
 * Every platform but console posts to a webhook: https, or plain http only to
 * this machine (a local relay, or the tests' sink). The URL is a secret, so
 * messages never quote it.
 */
static void
config_check_webhook(struct config_load *L, const cJSON *ch,
    const struct config_channel *c)
{
	const cJSON *node = jsonc_get(L->doc, ch, "webhook", 0);
	const char *u = c->webhook;

	if (strcmp(c->platform, "console") == 0) {
		if (node != NULL)
			jsonc_error(L->doc, node, "a console channel has no "
			    "webhook");
		return;
	}
	if (node == NULL) {
		jsonc_error(L->doc, ch, "channel \"%s\" (%s) needs a \"webhook\"",
		    c->name, c->platform);
		return;
	}
	if (u == NULL)
		return;
	if (config_webhook_allowed(u))
		return;
	jsonc_error(L->doc, node, "channel \"%s\": webhook must be an https:// "
	    "URL (plain http only to 127.0.0.1, localhost or [::1])", c->name);
}

/* The schedules array. */
static void
config_parse_schedules(struct config_load *L, const cJSON *schedules)
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
		config_parse_schedule(L, s, sc);
	}
	L->cfg->schedule_index = config_index(L, L->cfg->schedules,
	    L->cfg->nschedules, sizeof *L->cfg->schedules, schedules, "schedule");
}

/* One schedule: name, cron, zone, channel, prompt choice, skips, catch-up. */
static void
config_parse_schedule(struct config_load *L, const cJSON *s,
    struct config_schedule *sc)
{
	const cJSON *node, *t;
	char *v;

	jsonc_check_keys(L->doc, s, config_schedule_keys);
	sc->name = config_string(L, s, "name", 1);
	node = jsonc_get(L->doc, s, "name", 0);
	if (sc->name != NULL && !config_valid_name(sc->name))
		jsonc_error(L->doc, node, "schedule name \"%s\" must be 1-64 "
		    "letters, digits, '.', '_' or '-'", sc->name);
	if ((v = config_string(L, s, "timezone", 0)) != NULL) {
		sc->tz = config_zone(L, jsonc_get(L->doc, s, "timezone", 0), v);
		free(v);
	} else
		sc->tz = L->cfg->tz;
	config_parse_cron(L, s, sc);
	if ((v = config_string(L, s, "channel", 1)) != NULL) {
		sc->channel = config_find_channel(L->cfg, v);
		if (sc->channel == NULL)
			jsonc_error(L->doc, jsonc_get(L->doc, s, "channel", 0),
			    "no channel called \"%s\" under \"channels\"", v);
		free(v);
	}
	if ((node = jsonc_get_array(L->doc, s, "themes", 0)) != NULL) {
		sc->themes = xcalloc((size_t)cJSON_GetArraySize(node) + 1,
		    sizeof *sc->themes);
		cJSON_ArrayForEach(t, node) {
			if (!cJSON_IsString(t) || !config_valid_name(t->valuestring))
				jsonc_error(L->doc, t, "a theme must be a name such "
				    "as \"coaching\"");
			else
				sc->themes[sc->nthemes++] = xstrdup(t->valuestring);
		}
	}
	if ((node = jsonc_get_array(L->doc, s, "track", 0)) != NULL) {
		if (sc->nthemes > 0)
			jsonc_error(L->doc, node, "a schedule has either \"themes\" "
			    "or a \"track\", not both");
		if (cJSON_GetArraySize(node) == 0)
			jsonc_error(L->doc, node, "\"track\" is empty");
		sc->track = xcalloc((size_t)cJSON_GetArraySize(node) + 1,
		    sizeof *sc->track);
		cJSON_ArrayForEach(t, node) {
			if (!cJSON_IsString(t) || *t->valuestring == '\0')
				jsonc_error(L->doc, t, "a track entry must be a "
				    "prompt id such as \"coaching-001\"");
			else
				sc->track[sc->ntrack++] = xstrdup(t->valuestring);
		}
	}
	if ((v = config_string(L, s, "audience", 0)) != NULL) {
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
	if ((sc->digest_expr = config_string(L, s, "digest", 0)) != NULL) {
		char *cause = NULL;
		int column = 0;

		if ((sc->digest = cron_parse(sc->digest_expr, &cause,
		    &column)) == NULL) {
			jsonc_error_at(L->doc, jsonc_get(L->doc, s, "digest", 0),
			    column, "digest: %s", cause);
			free(cause);
		}
	}
	config_parse_skips(L, s, sc);
}

/* The cron expression, with a parse error placed at its very character. */
static void
config_parse_cron(struct config_load *L, const cJSON *s,
    struct config_schedule *sc)
{
	const cJSON *node = jsonc_get(L->doc, s, "cron", 0);
	char *cause = NULL;
	int column = 0;

	if ((sc->cron_expr = config_string(L, s, "cron", 1)) == NULL)
		return;
	sc->cron = cron_parse(sc->cron_expr, &cause, &column);
	if (sc->cron == NULL) {
		jsonc_error_at(L->doc, node, column, "%s", cause);
		free(cause);
	}
}

/* skip_dates and skip_calendars, merged into one sorted list of local days. */
static void
config_parse_skips(struct config_load *L, const cJSON *s,
    struct config_schedule *sc)
{
	const cJSON *node, *name, *cal;

	if ((node = jsonc_get_array(L->doc, s, "skip_dates", 0)) != NULL)
		config_add_dates(L, node, sc);
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
				config_add_dates(L, cal, sc);
		}
	}
	if (sc->nskip_days > 1)
		qsort(sc->skip_days, sc->nskip_days, sizeof *sc->skip_days,
		    config_day_cmp);
}

/* Append the valid dates of an array to the schedule's skip list. */
static void
config_add_dates(struct config_load *L, const cJSON *arr,
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
config_day_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Whether the schedule does not fire on this local day (skip_dates, calendars). */
int
config_schedule_skips(const struct config_schedule *sc, int64_t local_day)
{
	return bsearch(&local_day, sc->skip_days, sc->nskip_days,
	    sizeof *sc->skip_days, config_day_cmp) != NULL;
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
static size_t *
config_index(struct config_load *L, const void *base, size_t n, size_t size,
    const cJSON *container, const char *what)
{
	struct config_sort cs = { base, size };
	size_t *index = xcalloc(n + 1, sizeof *index);
	const cJSON *item, *at;
	const char *a, *b;

	for (size_t i = 0; i < n; i++)
		index[i] = i;
	qsort_r(index, n, sizeof *index, config_index_cmp, &cs);
	for (size_t i = 1; i < n; i++) {
		a = config_name_at(base, size, index[i - 1]);
		b = config_name_at(base, size, index[i]);
		if (a == NULL || b == NULL || strcmp(a, b) != 0)
			continue;
		/* Point at the later one's name (a schedule's "name" member). */
		item = cJSON_GetArrayItem(container, (int)index[i]);
		at = cJSON_IsArray(container) ?
		    cJSON_GetObjectItemCaseSensitive(item, "name") : item;
		jsonc_error(L->doc, at, "%s \"%s\" is defined twice", what, b);
	}
	return index;
}

/* Binary search for name among n named elements through their sorted index. */
static const void *
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
