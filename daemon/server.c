/* SPDX-License-Identifier: ISC */
/*
 * The daemon: one event_base, one thread. It loads the config, takes the
 * state folder's lock, opens the store, binds the HTTP listener, arms the
 * schedules, tells systemd it is ready, and then only reacts: to timers, to
 * HTTP, to signals (TERM/INT stop, HUP reloads, PIPE ignored).
 */
#include "server.h"

#include <event2/event.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "announce.h"
#include "api_nudges.h"
#include "bank.h"
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "exitcode.h"
#include "habits.h"
#include "health.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "reply.h"
#include "schedule.h"
#include "store.h"
#include "xmalloc.h"
#include "zones.h"

struct server {
	struct event_base	*base;
	const struct clock	*clock;
	struct config		*cfg;
	struct bank		*bank;
	struct store		*store;
	struct httpd		*httpd;
	struct health		*health;
	struct replies		*replies;
	struct api_nudges	*nudges;
	struct scheduler	*scheduler;
	struct zones		*zones;		/* people's profile zones */
	struct deliver		*deliver;
	int			 stopping;
	int			 lock_fd;
	struct event		*ev_term;
	struct event		*ev_int;
	struct event		*ev_hup;
	struct event		*ev_watchdog;
	struct event		*ev_daily;
};

/* Retention and the kept habit measures: at start, on reload, once a day. */
#define SERVER_DAILY_INTERVAL	86400

static void	server_signal_cb(evutil_socket_t, short, void *);
static void	server_watchdog_cb(evutil_socket_t, short, void *);
static void	server_reload(struct server *);
static void	server_keep_habits(struct server *);
static void	server_busy_cb(void *);
static int	server_anonymous(struct server *, const struct config *);
static int	server_start(struct server *, const char *);
static void	server_shutdown(struct server *);
static void	server_log_errors(const char *, const char *);
static void	server_stopped_cb(void *);
static void	server_kick_cb(void *);
static void	server_retention(struct server *);
static void	server_daily_cb(evutil_socket_t, short, void *);
static void	server_announce(struct server *, const char *);

/* Log a multi-line error list one line per error. */
static void
server_log_errors(const char *prefix, const char *errors)
{
	char *copy = xstrdup(errors), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_warnx("%s%s", prefix, line);
	free(copy);
}

/* Run the daemon on a clock until SIGTERM or SIGINT; returns the process exit code. */
int
server_run(const char *config_path, const struct clock *clock)
{
	struct server s = { .lock_fd = -1, .clock = clock };
	char *cause = NULL;
	int rc;

	if ((s.cfg = config_load(config_path, &cause)) == NULL ||
	    (s.bank = bank_load_for(s.cfg, &cause)) == NULL) {
		config_free(s.cfg);
		fprintf(stderr, "%s\n", cause);
		fprintf(stderr, "nudged: %s is not valid; not starting\n",
		    config_path);
		free(cause);
		return EXIT_INVALID;
	}
	rc = server_start(&s, config_path);
	if (rc == EXIT_OK) {
		event_base_dispatch(s.base);
		log_info("nudged stopping");
	}
	server_shutdown(&s);
	if (rc == EXIT_OK)
		log_info("nudged stopped");
	return rc;
}

/* Everything between a valid config and the first loop turn; EXIT_RUNTIME on failure. */
static int
server_start(struct server *s, const char *config_path)
{
	char *cause = NULL;
	int64_t wd;

	if (store_lock(s->cfg->state_dir, &s->lock_fd, &cause) == -1 ||
	    (s->store = store_open_for(s->cfg->state_dir,
	    s->cfg->store_postgresql, 0, &cause)) == NULL) {
		log_warnx("nudged: %s", cause);
		free(cause);
		return EXIT_RUNTIME;
	}
	if (server_anonymous(s, s->cfg) == -1) {
		log_warnx("nudged: the store cannot keep anonymous channels' "
		    "answers under pseudonyms");
		return EXIT_RUNTIME;
	}
	store_on_busy(s->store, server_busy_cb, s);
	if ((s->base = event_base_new()) == NULL) {
		log_warnx("nudged: cannot create the event loop");
		return EXIT_RUNTIME;
	}
	s->replies = replies_new(s->base, s->clock, s->store, s->cfg, s->bank);
	if ((s->httpd = httpd_start(s->base, s->clock, s->cfg, s->bank, s->store,
	    s->replies, &cause)) == NULL) {
		log_warnx("nudged: %s", cause);
		free(cause);
		return EXIT_RUNTIME;
	}
	signal(SIGPIPE, SIG_IGN);
	s->ev_term = evsignal_new(s->base, SIGTERM, server_signal_cb, s);
	s->ev_int = evsignal_new(s->base, SIGINT, server_signal_cb, s);
	s->ev_hup = evsignal_new(s->base, SIGHUP, server_signal_cb, s);
	event_add(s->ev_term, NULL);
	event_add(s->ev_int, NULL);
	event_add(s->ev_hup, NULL);
	if ((wd = notify_watchdog_usec()) > 0) {
		struct timeval tv = { wd / 2000000, (wd / 2) % 1000000 };

		s->ev_watchdog = event_new(s->base, -1, EV_PERSIST,
		    server_watchdog_cb, s);
		event_add(s->ev_watchdog, &tv);
	}
	if ((s->deliver = deliver_start(s->base, s->store, s->cfg, s->bank,
	    s->clock, &cause)) == NULL ||
	    (s->scheduler = scheduler_start(s->base, s->clock, s->store, s->cfg,
	    s->bank, &cause)) == NULL) {
		log_warnx("nudged: %s", cause);
		free(cause);
		return EXIT_RUNTIME;
	}
	scheduler_on_enqueue(s->scheduler, server_kick_cb, s);
	s->nudges = api_nudges_new(s->clock, s->store, s->cfg, s->bank,
	    s->deliver);
	httpd_set_nudges(s->httpd, s->nudges);
	s->zones = zones_start(s->base, s->clock, s->store, s->cfg,
	    s->scheduler);
	s->health = health_new(s->base, s->clock, s->store, s->cfg->state_dir);
	health_watch(s->health, s->scheduler);
	httpd_set_health(s->httpd, s->health);
	{
		struct timeval day = { SERVER_DAILY_INTERVAL, 0 };

		s->ev_daily = event_new(s->base, -1, EV_PERSIST,
		    server_daily_cb, s);
		event_add(s->ev_daily, &day);
		/*
		 * The first pass on the loop's first turn, after READY: the
		 * habit measures' scope alone takes about 100 ms at 10,000
		 * schedules, which start-up need not wait for.
		 */
		event_active(s->ev_daily, EV_TIMEOUT, 0);
	}
	log_info("nudged %s started: config %s, listening on %s:%d, "
	    "%zu schedule%s, %zu prompts, state %s", NUDGED_VERSION, config_path,
	    s->cfg->listen_host, s->cfg->listen_port, s->cfg->nschedules,
	    s->cfg->nschedules == 1 ? "" : "s", s->bank->nprompts,
	    s->cfg->state_dir);
	server_announce(s, NULL);
	return EXIT_OK;
}

/* Free everything in the reverse order of start; safe on a partial start. */
static void
server_shutdown(struct server *s)
{
	notify_stopping();
	zones_free(s->zones);
	scheduler_stop(s->scheduler);
	deliver_free(s->deliver);
	/* Answers accepted this turn are committed before connections close. */
	replies_free(s->replies);
	httpd_stop(s->httpd);
	api_nudges_free(s->nudges);
	health_free(s->health);
	if (s->ev_watchdog != NULL)
		event_free(s->ev_watchdog);
	if (s->ev_daily != NULL)
		event_free(s->ev_daily);
	if (s->ev_term != NULL) {
		event_free(s->ev_term);
		event_free(s->ev_int);
		event_free(s->ev_hup);
	}
	store_close(s->store);
	if (s->base != NULL)
		event_base_free(s->base);
	bank_free(s->bank);
	config_free(s->cfg);
	if (s->lock_fd != -1)
		close(s->lock_fd);
}

/* TERM and INT stop the loop after this turn; HUP reloads. */
static void
server_signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct server *s = arg;

	(void)what;
	if (sig == SIGHUP) {
		if (!s->stopping)
			server_reload(s);
		return;
	}
	if (s->stopping) {
		log_info("second stop signal: leaving now; unfinished deliveries "
		    "are sent again at the next start");
		event_base_loopexit(s->base, NULL);
		return;
	}
	s->stopping = 1;
	log_info("received %s, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	notify_stopping();
	/* No new work; requests in flight get a bounded time to finish. */
	zones_free(s->zones);
	s->zones = NULL;
	scheduler_stop(s->scheduler);
	s->scheduler = NULL;
	httpd_set_nudges(s->httpd, NULL);
	health_watch(s->health, NULL);
	deliver_shutdown(s->deliver, server_stopped_cb, s);
}

/* The outbox has finished or put back what was in flight: leave the loop. */
static void
server_stopped_cb(void *arg)
{
	struct server *s = arg;

	event_base_loopexit(s->base, NULL);
}

/*
 * The habit measures the store keeps, brought up to date (built again if
 * the zone or answer windows changed since, the people whose away ranges
 * changed caught up): now rather than at the first stats read. Stats work
 * without them, from scratch.
 */
static void
server_keep_habits(struct server *s)
{
	if (habits_keep(s->store, s->cfg, clock_now(s->clock), 0) == -1)
		log_warnx("habits: the kept measures could not be brought up to "
		    "date; stats are computed from scratch until they can");
}

/*
 * A long build of the kept measures (thousands of answers) is in progress
 * on the loop's thread: tell systemd the daemon is alive (its watchdog) and
 * not stuck starting or reloading.
 */
static void
server_busy_cb(void *arg)
{
	(void)arg;
	notify_busy();
}

/*
 * At start, on reload and once a day: old answers deleted, then the kept
 * habit measures brought up to date. Each answer and sent nudge leaves a
 * row in habits_dirty until they are; with no one reading stats those
 * would pile up without end, so they catch up daily at least (and this
 * timer wakes the daemon no more often than that).
 */
static void
server_daily_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *s = arg;

	(void)fd;
	(void)what;
	server_retention(s);
	server_keep_habits(s);
}

/* Delete answers older than the configured retention. */
static void
server_retention(struct server *s)
{
	int64_t n = 0, before;

	if (s->cfg->retention <= 0)
		return;
	before = clock_now(s->clock) - s->cfg->retention;
	if (store_expire_replies(s->store, before, &n) == -1)
		log_warnx("retention: could not delete old answers; trying again "
		    "tomorrow");
	else if (n > 0)
		log_notice("retention: deleted %" PRId64 " answer%s older than "
		    "%" PRId64 " days", n, n == 1 ? "" : "s",
		    s->cfg->retention / 86400);
}

/* The scheduler enqueued nudges: let the outbox look now. */
static void
server_kick_cb(void *arg)
{
	struct server *s = arg;

	deliver_kick(s->deliver);
}

/* Keep systemd's watchdog fed from the loop itself, so a stuck loop is noticed. */
static void
server_watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	notify_watchdog();
}

/*
 * Re-read the config. A valid one replaces the old (the listener and state
 * folder need a restart to change); an invalid one is logged and the old one
 * keeps running.
 */
static void
server_reload(struct server *s)
{
	struct config *next;
	struct bank *bank = NULL;
	char *cause = NULL, *changes = NULL;

	notify_reloading();
	log_info("received SIGHUP, reloading %s", s->cfg->path);
	if ((next = config_load(s->cfg->path, &cause)) == NULL ||
	    (bank = bank_load_for(next, &cause)) == NULL) {
		server_log_errors("reload: ", cause);
		log_warnx("reload: %s or its prompt bank is not valid; keeping the "
		    "running configuration", s->cfg->path);
		free(cause);
		config_free(next);
	} else if (strcmp(next->state_dir, s->cfg->state_dir) != 0 ||
	    strcmp(next->listen_host, s->cfg->listen_host) != 0 ||
	    next->listen_port != s->cfg->listen_port ||
	    (next->store_postgresql == NULL) != (s->cfg->store_postgresql ==
	    NULL) || (next->store_postgresql != NULL &&
	    strcmp(next->store_postgresql, s->cfg->store_postgresql) != 0)) {
		log_warnx("reload: state_dir, store and listen cannot change "
		    "while running; restart nudged to apply; keeping the running "
		    "configuration");
		bank_free(bank);
		config_free(next);
	} else if (server_anonymous(s, next) == -1) {
		log_warnx("reload: the store cannot keep anonymous channels' "
		    "answers under pseudonyms; keeping the running "
		    "configuration");
		server_anonymous(s, s->cfg);
		bank_free(bank);
		config_free(next);
	} else if (scheduler_reload(s->scheduler, next, bank) == -1) {
		log_warnx("reload: the store could not load schedule state; "
		    "keeping the running configuration");
		server_anonymous(s, s->cfg);
		bank_free(bank);
		config_free(next);
	} else {
		changes = announce_changes(s->cfg, next);
		metrics_forget_credentials();
		deliver_reload(s->deliver, next, bank);
		replies_reload(s->replies, next, bank);
		api_nudges_reload(s->nudges, next, bank);
		httpd_reload(s->httpd, next, bank);
		zones_reload(s->zones, next);
		bank_free(s->bank);
		config_free(s->cfg);
		s->cfg = next;
		s->bank = bank;
		log_info("reload: %s applied, %zu schedule%s, %zu prompts",
		    s->cfg->path, s->cfg->nschedules,
		    s->cfg->nschedules == 1 ? "" : "s", s->bank->nprompts);
		/* The retention may have just been set or shortened. */
		server_daily_cb(-1, 0, s);
	}
	server_announce(s, changes);
	free(changes);
}

/*
 * Say when the next nudge is due (and what a reload changed) in the log and
 * in systemd's STATUS=, and tell systemd nudged is ready.
 */
static void
server_announce(struct server *s, const char *changes)
{
	char *next = announce_next(s->scheduler), *status;

	xasprintf(&status, "%s%s%s", next, changes != NULL ? "; reload: " : "",
	    changes != NULL ? changes : "");
	log_info("%s", status);
	free(next);
	xasprintf(&next, "serving %zu schedules on %s:%d; %s", s->cfg->nschedules,
	    s->cfg->listen_host, s->cfg->listen_port, status);
	notify_ready(next);
	free(status);
	free(next);
}

/* Tell the store which channels keep answers under pseudonyms. */
static int
server_anonymous(struct server *s, const struct config *cfg)
{
	const char	**names = xcalloc(cfg->nchannels + 1, sizeof *names);
	size_t		  n = 0;
	int		  rc;

	for (size_t i = 0; i < cfg->nchannels; i++)
		if (cfg->channels[i].anonymous)
			names[n++] = cfg->channels[i].name;
	rc = store_anon_set(s->store, names, n);
	free(names);
	return rc;
}
