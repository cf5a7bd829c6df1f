/* SPDX-License-Identifier: ISC */
/*
 * The daemon's health, read when asked: whether the state folder takes a
 * write (a small file written and removed, so a full disk or a read-only
 * mount shows even when SQLite has nothing to write yet), how late the loop
 * runs (each reading arms a zero-delay timer and the next reading reports
 * how long the loop took to reach it: no timer runs between readings, so an
 * idle daemon sleeps), the outbox's depth
 * and oldest pending nudge (from the store), the next nudge due (from the
 * scheduler), the channels whose credentials a platform refused
 * (counted by the outbox, see metrics.c), and whether a shared store's
 * database answers.
 */
#include "health.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "config.h"
#include "metrics.h"
#include "schedule.h"
#include "store.h"
#include "timefmt.h"
#include "xmalloc.h"

#define HEALTH_PROBE_FILE	".nudged-healthz"
#define HEALTH_PROBE_BYTES	4096

struct health {
	const struct clock	*clock;
	struct store		*store;
	char			*state_dir;
	const struct scheduler	*scheduler;	/* NULL once stopping */
	struct event		*tick;
	int64_t			 expected_ms;	/* when the tick should fire */
	int64_t			 lag_ms;
};

static void	 health_tick_cb(evutil_socket_t, short, void *);
static void	 health_arm(struct health *);
static char	*health_probe_write(const struct health *);
static void	 health_add_next(const struct health *, cJSON *);

/* Start measuring the loop; nothing else runs until asked. */
struct health *
health_new(struct event_base *base, const struct clock *clock,
    struct store *store, const char *state_dir)
{
	struct health *h = xcalloc(1, sizeof *h);

	h->clock = clock;
	h->store = store;
	h->state_dir = xstrdup(state_dir);
	h->tick = evtimer_new(base, health_tick_cb, h);
	health_arm(h);
	return h;
}

/* The scheduler to ask for the next nudge due; NULL when it stopped. */
void
health_watch(struct health *h, const struct scheduler *s)
{
	h->scheduler = s;
}

/* Stop measuring and free. */
void
health_free(struct health *h)
{
	if (h == NULL)
		return;
	event_free(h->tick);
	free(h->state_dir);
	free(h);
}

/* Ask the loop for a turn now, unless a measurement is under way. */
static void
health_arm(struct health *h)
{
	struct timeval tv = { 0, 0 };

	if (evtimer_pending(h->tick, NULL))
		return;
	h->expected_ms = clock_mono_ms(h->clock);
	evtimer_add(h->tick, &tv);
}

/* The tick: how much later than asked it came is the loop's lag. */
static void
health_tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct health *h = arg;
	int64_t late = clock_mono_ms(h->clock) - h->expected_ms;

	(void)fd;
	(void)what;
	h->lag_ms = late > 0 ? late : 0;
}

/* NULL when a small file can be written to the state folder, else why not. */
static char *
health_probe_write(const struct health *h)
{
	char *path, *why = NULL, page[HEALTH_PROBE_BYTES];
	int fd, saved;

	memset(page, 0, sizeof page);
	xasprintf(&path, "%s/%s", h->state_dir, HEALTH_PROBE_FILE);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	/*
	 * Out of descriptors says nothing of the disk: the store's own are
	 * open, and the connection layer sheds clients until some are free.
	 */
	if (fd == -1 && (errno == EMFILE || errno == ENFILE)) {
		free(path);
		return NULL;
	}
	if (fd == -1 || write(fd, page, sizeof page) != (ssize_t)sizeof page) {
		saved = errno;
		xasprintf(&why, "the state folder %s cannot be written: %s",
		    h->state_dir, strerror(saved));
	}
	if (fd != -1) {
		close(fd);
		unlink(path);
	}
	free(path);
	return why;
}

/* "next_due": {schedule, channel, at} of the next nudge, or null. */
static void
health_add_next(const struct health *h, cJSON *o)
{
	const struct config_schedule *sc;
	const char *name;
	char when[32];
	int64_t at;
	cJSON *next;

	if (h->scheduler == NULL || !scheduler_next_due(h->scheduler, &name, &sc,
	    &at)) {
		cJSON_AddNullToObject(o, "next_due");
		return;
	}
	timefmt_utc(at, when, sizeof when);
	next = cJSON_AddObjectToObject(o, "next_due");
	cJSON_AddStringToObject(next, "schedule", name);
	cJSON_AddStringToObject(next, "channel", sc->channel->name);
	cJSON_AddStringToObject(next, "at", when);
}

/*
 * The /healthz document and its status: 200 when the store takes writes
 * and no channel's credentials stand refused, else 503 with the reasons.
 */
char *
health_json(struct health *h, int *status)
{
	cJSON *o = cJSON_CreateObject(), *reasons = cJSON_CreateArray(), *refused;
	int64_t depth = 0, oldest = 0, now = clock_now(h->clock);
	char *why = health_probe_write(h), *out;
	const char *channel;
	/* Read first: a query is what finds a connection the server closed. */
	int queue_ok = store_queue(h->store, &depth, &oldest) == 0;
	int connected = store_connected(h->store);
	int writable = why == NULL && queue_ok && connected;

	if (why != NULL) {
		cJSON_AddItemToArray(reasons, cJSON_CreateString(why));
		free(why);
	}
	if (!connected)
		cJSON_AddItemToArray(reasons, cJSON_CreateString("the store's "
		    "database cannot be reached; nudged reconnects"));
	else if (!queue_ok)
		cJSON_AddItemToArray(reasons, cJSON_CreateString("the store cannot "
		    "be read"));
	refused = cJSON_CreateArray();
	for (size_t i = 0; (channel = metrics_credentials_refused(i)) != NULL;
	    i++) {
		char *msg;

		cJSON_AddItemToArray(refused, cJSON_CreateString(channel));
		xasprintf(&msg, "channel \"%s\": the platform refused its "
		    "credentials (HTTP 401/403)", channel);
		cJSON_AddItemToArray(reasons, cJSON_CreateString(msg));
		free(msg);
	}
	*status = cJSON_GetArraySize(reasons) == 0 ? 200 : 503;
	cJSON_AddStringToObject(o, "status", *status == 200 ? "ok" :
	    "unavailable");
	cJSON_AddBoolToObject(o, "store_writable", writable);
	cJSON_AddBoolToObject(o, "store_connected", connected);
	cJSON_AddNumberToObject(o, "loop_lag_ms", (double)h->lag_ms);
	health_arm(h);
	if (queue_ok && connected) {
		cJSON_AddNumberToObject(o, "queue_depth", (double)depth);
		if (oldest > 0)
			cJSON_AddNumberToObject(o, "oldest_pending_seconds",
			    (double)(now > oldest ? now - oldest : 0));
		else
			cJSON_AddNullToObject(o, "oldest_pending_seconds");
	}
	health_add_next(h, o);
	cJSON_AddItemToObject(o, "credentials_refused", refused);
	cJSON_AddItemToObject(o, "reasons", reasons);
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

/* The /metrics exposition, with the gauges read now. */
char *
health_metrics(struct health *h)
{
	struct metrics_gauges g = { 0 };
	int64_t oldest = 0, now = clock_now(h->clock);

	g.have_queue = store_queue(h->store, &g.queue_depth, &oldest) == 0;
	g.oldest_pending_age = oldest > 0 && now > oldest ? now - oldest : 0;
	g.loop_lag_seconds = (double)h->lag_ms / 1000.0;
	health_arm(h);
	return metrics_render(&g);
}
