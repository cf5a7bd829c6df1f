/* SPDX-License-Identifier: ISC */
/* nudged's configuration: one strict JSON-with-comments file. */
#ifndef NUDGED_CONFIG_H
#define NUDGED_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct chat_platform;
struct config_reader;
struct cron;
struct tz;

enum config_audience {
	CONFIG_AUDIENCE_ANY,
	CONFIG_AUDIENCE_LEADER,
	CONFIG_AUDIENCE_TEAM,
};

struct config_channel {
	char	*name;
	const struct chat_platform *platform;	/* its row in the chat table */
	void	*settings;	/* the platform's own keys, secrets included:
				   only its file under chat/ reads them */
	char	*webhook;	/* secret: never logged; NULL when it prints */
	char	*api_token;	/* secret: the JSON API's bearer */
	int	 no_webhook;	/* posts only through its platform's API */
	double	 rate;		/* messages per second; < 0: the platform's */
	int	 anonymous;	/* counts only, never names; no figure under 3 */
	int	 share_answers;	/* digests may quote answers */
};

/* A person nudged asks directly: ids per platform, optionally a zone. */
struct config_person {
	char			*name;
	const struct tz		*tz;	/* NULL: the platform profile's, else
					   the config's */
	struct config_person_id {
		const struct chat_platform *platform;
		char			*id;	/* "U01ADA" */
	}			*ids;
	size_t			 nids;
};

/* A named set of people, for a schedule's "to". */
struct config_group {
	char			*name;
	size_t			*members;	/* indexes into config.people, sorted */
	size_t			 nmembers;
};

struct config_schedule {
	char			*name;
	char			*cron_expr;
	struct cron		*cron;
	const struct tz		*tz;		/* owned by config.zones */
	const struct config_channel *channel;
	char			**themes;
	size_t			 nthemes;
	char			**track;	/* ordered prompt ids, walked once */
	size_t			 ntrack;
	char			*track_name;	/* a shipped track's id, or NULL */
	char			*track_name_at;	/* FILE:LINE:COL of it */
	char			**themes_at;	/* FILE:LINE:COL of each theme */
	char			**track_at;	/* and of each track entry */
	enum config_audience	 audience;
	int64_t			*skip_days;	/* local days since 1970-01-01, sorted */
	size_t			 nskip_days;
	int64_t			 catch_up;	/* seconds */
	int64_t			 expiry;	/* seconds after due_at to stop retrying */
	int64_t			 answer_window;	/* seconds after due_at answers attach */
	char			*digest_expr;	/* weekly digest cron, or NULL */
	struct cron		*digest;
	int64_t			 remind_after;	/* seconds; 0: no reminder */
	size_t			*to;		/* people asked directly: indexes
						   into config.people, sorted */
	size_t			 nto;		/* 0: the channel itself */
	int			 tz_person;	/* cron on each person's own clock */
};

/* A person away (vacation, leave): their unanswered nudges then do not count. */
struct config_away {
	char		*user;		/* platform user id, as answers carry it */
	char		*channel;	/* NULL: every channel */
	int64_t		 from;		/* UTC instant the first local day starts */
	int64_t		 until;		/* UTC instant after the last local day */
};

/* How the outbox posts: limits, timeouts and the retry schedule. */
struct config_delivery {
	long	 max_in_flight;		/* requests in flight, all channels */
	int64_t	 timeout;		/* seconds, whole request */
	int64_t	 connect_timeout;	/* seconds */
	int64_t	 retry_initial;		/* seconds, first backoff cap */
	int64_t	 retry_max;		/* seconds, largest backoff */
	int64_t	 stop_grace;		/* seconds to finish requests on stop */
};

/* What the HTTP server lets a client take: time per request, connections. */
struct config_http {
	int64_t	 header_timeout;	/* seconds from a request's start to its headers' end */
	int64_t	 body_timeout;		/* seconds from the headers' end to the body's */
	long	 max_connections;	/* open at once, all clients */
	long	 max_per_address;	/* open at once from one address */
};

struct config {
	char			*path;
	char			*state_dir;
	char			*store_postgresql; /* secret: a libpq connection
						    * string; NULL: SQLite in
						    * state_dir */
	char			*listen_host;
	int			 listen_port;
	const struct tz		*tz;
	char			*prompts_dir;
	char			*prompts_at;	/* FILE:LINE:COL of "prompts" */
	struct config_delivery	 delivery;
	struct config_http	 http;
	struct config_channel	*channels;
	size_t			 nchannels;
	struct config_schedule	*schedules;
	size_t			 nschedules;
	size_t			*channel_index;	/* channels sorted by name */
	size_t			*schedule_index; /* schedules sorted by name */
	struct config_away	*away;
	size_t			 naway;
	int64_t			 retention;	/* seconds answers are kept; 0: forever */
	char			*dashboard_token; /* bearer for / and /api/v1/stats */
	struct tz		**zones;
	size_t			 nzones;
	struct config_person	*people;
	size_t			 npeople;
	size_t			*people_index;	/* people sorted by name */
	struct config_group	*groups;
	size_t			 ngroups;
	size_t			*group_index;
};

#define CONFIG_DEFAULT_LISTEN	"127.0.0.1:8470"
#define CONFIG_DEFAULT_CATCH_UP	3600
#define CONFIG_DEFAULT_EXPIRY	(12 * 3600)
#define CONFIG_DEFAULT_ANSWER_WINDOW	(7 * 86400)
#define CONFIG_MAX_ANSWER_WINDOW	(30 * 86400)

struct config	*config_load(const char *path, char **cause);
struct config	*config_load_offline(const char *path, char **cause);
void		 config_free(struct config *);
const char	*config_default_path(void);
const struct config_channel *config_find_channel(const struct config *,
		    const char *);
const struct config_schedule *config_find_schedule(const struct config *,
		    const char *);
const char	*config_audience_name(enum config_audience);
const struct config_person *config_find_person(const struct config *,
		    const char *);
const struct config_group *config_find_group(const struct config *,
		    const char *);
const char	*config_person_id(const struct config_person *,
		    const struct chat_platform *);
int		 config_schedule_skips(const struct config_schedule *,
		    int64_t local_day);

/*
 * What a platform's config_parse (daemon/chat/) reads its channel's own keys
 * with. A string member with ${NAME} expanded (systemd credentials, then the
 * environment); NULL when absent, or invalid (then reported).
 */
char		*config_read_string(struct config_reader *, const cJSON *object,
		    const char *key, int required);
/* Report a problem at node's FILE:LINE:COL (node: a member or the object). */
void		 config_read_error(struct config_reader *, const cJSON *node,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
