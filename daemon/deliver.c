/* SPDX-License-Identifier: ISC */
/*
 * The outbox worker. Due rows are claimed (pending -> sending) and that claim
 * is committed before anything is posted, so a crash can only ever lead to a
 * post being repeated, never lost. Posts go through libcurl's multi_socket
 * interface on the libevent loop: many in flight, connections reused, no
 * blocking call. Outcomes are collected and committed together once per loop
 * turn, so a fan-out costs a few fsyncs, not one per nudge.
 *
 * What a row says is compose.c's, how fast a channel posts and how long a
 * retry waits deliver_rate.c's, one post deliver_http.c's, the calls that
 * reach a person (or a channel without a webhook) through a platform's API
 * deliver_direct.c's. Transient failures are retried until the schedule's
 * expiry, permanent ones fail at once. Each channel has a token bucket and a
 * cap on requests in flight, so a slow or limited channel never holds back
 * the others. The time comes from the clock given at start, so tests hold it.
 */
#include "deliver.h"

#include <curl/curl.h>
#include <event2/event.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/chat.h"
#include "clock.h"
#include "compose.h"
#include "config.h"
#include "curlev.h"
#include "deliver_claim.h"
#include "deliver_http.h"
#include "deliver_int.h"
#include "deliver_rate.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "xmalloc.h"

#define DELIVER_SCAN_PAGE	512
#define DELIVER_SCAN_MAX	8192
#define DELIVER_FLUSH_RETRY_MS	1000

static struct deliver *deliver_new(struct event_base *, struct store *,
		    const struct config *, const struct bank *,
		    const struct clock *, const struct deliver_mode *, char **);
static void	 deliver_wake_cb(evutil_socket_t, short, void *);
static void	 deliver_flush_cb(evutil_socket_t, short, void *);
static void	 deliver_grace_cb(evutil_socket_t, short, void *);
static void	 deliver_pump(struct deliver *);
static int	 deliver_pump_page(struct deliver *, int64_t, size_t, size_t *,
		    size_t *, struct deliver_transfer **, int *, int64_t *);
static enum deliver_take_result deliver_take(struct deliver *,
		    const struct store_outbox_row *, int64_t,
		    struct deliver_transfer **, int64_t *);
static enum deliver_take_result deliver_compose(struct deliver *,
		    const struct store_outbox_row *, struct deliver_channel *,
		    int64_t, int64_t, struct deliver_transfer **);
static char	*deliver_gave_up(int64_t, int64_t, char *);
static enum deliver_take_result deliver_put_off(struct deliver *,
		    const struct store_outbox_row *, int64_t, char *);
static void	 deliver_finish(struct deliver_transfer *, CURLcode);
static struct deliver_outcome *deliver_conclude(struct deliver *,
		    struct deliver_transfer *, enum chat_outcome, char *,
		    int64_t);
static void	 deliver_unlink(struct deliver *, struct deliver_transfer *);
static int	 deliver_apply(struct deliver *, const struct deliver_outcome *);
static void	 deliver_channels_build(struct deliver *);
static int	 deliver_channel_cmp(const void *, const void *);
static void	 deliver_done_cb(void *, CURL *, CURLcode);
static void	 deliver_arm_wake(struct deliver *, int64_t);

/* The daemon: pending rows are claimed into `sending` and put back to wait. */
static const struct deliver_mode deliver_outbox_mode = {
	.claim = store_mark_sending,
	.retry = store_mark_retry,
};

/* `nudged send`: its row stays `sending` from enqueue to the end. */
static const struct deliver_mode deliver_one_mode = {
	.claim = store_mark_attempt,
	.retry = store_mark_retry_held,
};

/* The parts every worker has: curl multi on this loop and its events. */
static struct deliver *
deliver_new(struct event_base *base, struct store *store,
    const struct config *cfg, const struct bank *bank,
    const struct clock *clock, const struct deliver_mode *mode, char **cause)
{
	struct deliver *d = xcalloc(1, sizeof *d);

	d->base = base;
	d->store = store;
	d->cfg = cfg;
	d->bank = bank;
	d->clock = clock;
	d->mode = mode;
	if ((d->curl = curlev_new(base, deliver_done_cb, d)) == NULL) {
		xasprintf(cause, "cannot start libcurl");
		free(d);
		return NULL;
	}
	curlev_set_max_connections(d->curl, cfg->delivery.max_in_flight);
	d->instance = deliver_claim_instance();
	d->wake = evtimer_new(base, deliver_wake_cb, d);
	d->flush = evtimer_new(base, deliver_flush_cb, d);
	d->grace = evtimer_new(base, deliver_grace_cb, d);
	d->retry.uniform = arc4random_uniform;
	deliver_channels_build(d);
	return d;
}

/* Start the worker for the daemon: recover interrupted sends, then send what is due. */
struct deliver *
deliver_start(struct event_base *base, struct store *store,
    const struct config *cfg, const struct bank *bank,
    const struct clock *clock, char **cause)
{
	struct deliver *d = deliver_new(base, store, cfg, bank, clock,
	    &deliver_outbox_mode, cause);

	if (d == NULL)
		return NULL;
	if (deliver_claim_recover(store, clock_now(clock)) == -1) {
		xasprintf(cause, "cannot recover interrupted deliveries");
		deliver_free(d);
		return NULL;
	}
	deliver_kick(d);
	return d;
}

/* A worker for one delivery already held in `sending` (nudged send): done says how it ended. */
struct deliver *
deliver_start_one(struct event_base *base, struct store *store,
    const struct config *cfg, const struct bank *bank,
    const struct clock *clock, int64_t id,
    void (*done)(void *, enum deliver_result, const char *), void *arg,
    char **cause)
{
	struct deliver *d = deliver_new(base, store, cfg, bank, clock,
	    &deliver_one_mode, cause);

	if (d == NULL)
		return NULL;
	d->only = id;
	d->done = done;
	d->done_arg = arg;
	deliver_kick(d);
	return d;
}

/* New config and bank: rebuild the channels' buckets, keep what is in flight. */
void
deliver_reload(struct deliver *d, const struct config *cfg,
    const struct bank *bank)
{
	d->cfg = cfg;
	d->bank = bank;
	deliver_channels_build(d);
	deliver_kick(d);
}

/* Something may be due now: look on the next loop turn. */
void
deliver_kick(struct deliver *d)
{
	struct timeval tv = { 0, 0 };

	evtimer_add(d->wake, &tv);
}

/* Stop taking new work; finish or put back what is in flight, then call done. */
void
deliver_shutdown(struct deliver *d, void (*done)(void *), void *arg)
{
	struct timeval tv = { d->cfg->delivery.stop_grace, 0 };
	struct timeval now = { 0, 0 };

	d->stopping = 1;
	d->stopped = done;
	d->stopped_arg = arg;
	evtimer_del(d->wake);
	if (d->in_flight > 0) {
		log_info("deliver: waiting up to %" PRId64 " s for %d request%s in "
		    "flight", d->cfg->delivery.stop_grace, d->in_flight,
		    d->in_flight == 1 ? "" : "s");
		evtimer_add(d->grace, &tv);
	} else
		evtimer_add(d->flush, &now);
}

/* Free the worker; anything still in flight is abandoned (its row stays sending). */
void
deliver_free(struct deliver *d)
{
	struct deliver_transfer *t, *next;

	if (d == NULL)
		return;
	for (t = d->transfers; t != NULL; t = next) {
		next = t->next;
		curlev_remove(d->curl, t->easy);
		deliver_http_free(t);
	}
	curlev_free(d->curl);
	for (size_t i = 0; i < d->noutcomes; i++)
		deliver_direct_outcome_free(&d->outcomes[i]);
	free(d->outcomes);
	for (size_t i = 0; i < d->nchannels; i++)
		deliver_channel_clear(&d->channels[i]);
	free(d->channels);
	event_free(d->wake);
	event_free(d->flush);
	event_free(d->grace);
	free(d->instance);
	free(d);
}

/* One bucket per configured channel, keeping tokens and load of known ones. */
static void
deliver_channels_build(struct deliver *d)
{
	struct deliver_channel *old = d->channels, *r, *o;
	size_t nold = d->nchannels;
	int64_t now_ms = clock_mono_ms(d->clock);
	double rate;

	d->retry.initial_ms = d->cfg->delivery.retry_initial * 1000;
	d->retry.max_ms = d->cfg->delivery.retry_max * 1000;
	store_set_claimant(d->store, d->instance,
	    deliver_claim_lease(&d->cfg->delivery));
	d->nchannels = d->cfg->nchannels;
	d->channels = xcalloc(d->nchannels, sizeof *d->channels);
	for (size_t i = 0; i < d->nchannels; i++) {
		const struct config_channel *c = &d->cfg->channels[i];

		r = &d->channels[i];
		r->name = xstrdup(c->name);
		r->cc = c;
		rate = c->rate >= 0 ? c->rate : c->platform->default_rate;
		deliver_bucket_init(&r->bucket, rate, now_ms);
		deliver_bucket_init(&r->api, c->platform->direct != NULL ?
		    c->platform->direct->max_rate : 0, now_ms);
		/* A limited channel posts in order, one or a few at a time. */
		r->max_in_flight = rate > 0 ? (int)fmax(1, ceil(rate)) :
		    (int)d->cfg->delivery.max_in_flight;
		o = nold == 0 ? NULL : bsearch(r, old, nold, sizeof *old,
		    deliver_channel_cmp);
		if (o != NULL) {
			deliver_bucket_keep(&r->bucket, &o->bucket);
			deliver_bucket_keep(&r->api, &o->api);
			r->in_flight = o->in_flight;
			deliver_pause_keep(&r->pause, &o->pause);
		}
	}
	for (size_t j = 0; j < nold; j++)
		deliver_channel_clear(&old[j]);
	free(old);
	/* Sorted, so each due row finds its channel by binary search. */
	qsort(d->channels, d->nchannels, sizeof *d->channels,
	    deliver_channel_cmp);
}

/* bsearch/qsort order of channels by name. */
static int
deliver_channel_cmp(const void *a, const void *b)
{
	return strcmp(((const struct deliver_channel *)a)->name,
	    ((const struct deliver_channel *)b)->name);
}

/* A channel's limits, or NULL when the channel is no longer configured. */
struct deliver_channel *
deliver_channel_for(struct deliver *d, const char *channel)
{
	struct deliver_channel key = { .name = (char *)(uintptr_t)channel };

	return bsearch(&key, d->channels, d->nchannels, sizeof *d->channels,
	    deliver_channel_cmp);
}

/* libcurl finished a post. */
static void
deliver_done_cb(void *arg, CURL *easy, CURLcode res)
{
	struct deliver_transfer *t;

	(void)arg;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&t);
	deliver_finish(t, res);
}

/*
 * Claim and start as many due deliveries as the limits allow. Claims and
 * immediate failures are committed first; only then does anything go out.
 * Rows a channel's limits hold back stay pending and are paged past, so one
 * rate-limited channel's backlog never starves the others.
 */
static void
deliver_pump(struct deliver *d)
{
	struct deliver_transfer *started = NULL, *t, *next;
	int64_t now_ms = clock_now_ms(d->clock), now = now_ms / 1000;
	int64_t wake_ms = -1, at;
	size_t n, skipped = 0, scanned = 0, page;
	int room = (int)d->cfg->delivery.max_in_flight - d->in_flight;

	/* `nudged send` has one row: none to take while it is in flight. */
	if (d->stopping || room <= 0 || (d->only != 0 && d->in_flight > 0))
		return;
	if (store_begin(d->store) == -1)
		goto retry;
	do {
		/* Fetch no more rows than can start, unless some are held. */
		page = skipped == 0 && (size_t)room < DELIVER_SCAN_PAGE ?
		    (size_t)room : DELIVER_SCAN_PAGE;
		if (deliver_pump_page(d, now, page, &skipped, &n, &started,
		    &room, &wake_ms) == -1)
			goto rollback;
		scanned += n;
	} while (room > 0 && n == page && scanned < DELIVER_SCAN_MAX);
	if (store_commit(d->store) == -1)
		goto rollback;
	for (t = started; t != NULL; t = next) {
		next = t->next;
		deliver_post(d, t);
	}
	/* Sleep until the next retry comes due, or the next token. */
	if (store_next_attempt(d->store, d->only, &at) == 1 && at > now &&
	    (wake_ms == -1 || at * 1000 - now_ms < wake_ms))
		wake_ms = at * 1000 - now_ms;
	deliver_arm_wake(d, deliver_claim_poll(d->store, wake_ms));
	return;
rollback:
	store_rollback(d->store);
	for (t = started; t != NULL; t = next) {
		struct deliver_channel *c = deliver_channel_for(d, t->channel);

		next = t->next;
		if (c != NULL && t->counted)
			c->in_flight--;
		deliver_http_free(t);
	}
retry:
	log_warnx("deliver: the store refused the claim; retrying in 1 s");
	deliver_arm_wake(d, 1000);
}

/*
 * One page of due rows, past the *skipped ones held back: take each while
 * there is room, adding what starts to *started, counting what is held into
 * *skipped and the earliest token of a held channel into *wake_ms. *n rows
 * were read; 0, or -1 on error.
 */
static int
deliver_pump_page(struct deliver *d, int64_t now, size_t page,
    size_t *skipped, size_t *n, struct deliver_transfer **started, int *room,
    int64_t *wake_ms)
{
	struct store_outbox_row *rows;
	struct deliver_transfer *t;
	int64_t ready_ms;
	int rc = 0;

	if (store_due(d->store, now, d->only, *skipped, page, &rows, n) == -1)
		return -1;
	for (size_t i = 0; i < *n && *room > 0 && rc == 0; i++) {
		t = NULL;
		ready_ms = -1;
		switch (deliver_take(d, &rows[i], now, &t, &ready_ms)) {
		case DELIVER_TAKE_ERROR:
			rc = -1;
			break;
		case DELIVER_TAKE_STARTED:
			if (t != NULL) {
				t->next = *started;
				*started = t;
				(*room)--;
			}
			break;
		case DELIVER_TAKE_HELD:
			(*skipped)++;
			if (ready_ms >= 0 && (*wake_ms == -1 ||
			    ready_ms < *wake_ms))
				*wake_ms = ready_ms;
			break;
		case DELIVER_TAKE_DONE:
			break;
		}
	}
	store_outbox_free(rows, *n);
	return rc;
}

/* The wake timer: something may be due, or a token may be ready. */
static void
deliver_wake_cb(evutil_socket_t fd, short kind, void *arg)
{
	(void)fd;
	(void)kind;
	deliver_pump(arg);
}

/* Wake within delay_ms at the latest (an earlier wake is kept); -1: no wake needed. */
static void
deliver_arm_wake(struct deliver *d, int64_t delay_ms)
{
	struct timeval tv;

	if (d->stopping || delay_ms < 0)
		return;
	tv.tv_sec = delay_ms / 1000;
	tv.tv_usec = (delay_ms % 1000) * 1000;
	if (evtimer_pending(d->wake, NULL)) {
		struct timeval at, now, want;

		evtimer_pending(d->wake, &at);
		event_base_gettimeofday_cached(d->base, &now);
		timeradd(&now, &tv, &want);
		if (timercmp(&at, &want, <=))
			return;
	}
	evtimer_add(d->wake, &tv);
}

/* Why a delivery that still failed when its expiry came was given up (frees last). */
static char *
deliver_gave_up(int64_t attempts, int64_t expiry, char *last)
{
	char *why;

	xasprintf(&why, "gave up after %" PRId64 " attempt%s: the nudge expires "
	    "%" PRId64 " s after its time; last error: %s", attempts,
	    attempts == 1 ? "" : "s", expiry, last);
	free(last);
	return why;
}

/* Give up on a due row at once, before posting: it can never be sent as it stands. */
enum deliver_take_result
deliver_fail_now(struct deliver *d, const struct store_outbox_row *row,
    char *reason)
{
	const struct config_channel *c = config_find_channel(d->cfg,
	    row->channel);

	metrics_count_delivery(row->schedule, c != NULL ? c->platform->name :
	    NULL, METRICS_FAILED, 0);
	log_warnx("deliver: delivery %" PRId64 " (schedule %s, channel %s) "
	    "failed: %s", row->id, row->schedule, row->channel, reason);
	if (store_mark_failed(d->store, row->id, reason) == -1) {
		free(reason);
		return DELIVER_TAKE_ERROR;
	}
	/* Committed with the pump; the outcome tells whoever waits for it. */
	deliver_outcome(d, row->id, DELIVER_OUT_FAILED, 0, reason);
	return DELIVER_TAKE_DONE;
}

/*
 * A row that cannot be written now (its figures could not be read): it counts
 * as an attempt and waits like a failed post, or fails once past its expiry.
 */
static enum deliver_take_result
deliver_put_off(struct deliver *d, const struct store_outbox_row *row,
    int64_t expiry, char *cause)
{
	int64_t now = clock_now(d->clock), at, attempts = row->attempts + 1;
	int claimed;

	at = deliver_rate_retry_at(&d->retry, clock_now_ms(d->clock), -1,
	    attempts, row->due_at + expiry);
	if (at == -1)
		return deliver_fail_now(d, row, deliver_gave_up(attempts, expiry,
		    cause));
	log_warnx("deliver: delivery %" PRId64 " (schedule %s, channel %s), "
	    "attempt %" PRId64 ": %s; retrying in %" PRId64 " s", row->id,
	    row->schedule, row->channel, attempts, cause, at - now);
	claimed = d->mode->claim(d->store, row->id, now);
	if (claimed == 1 && d->mode->retry(d->store, row->id, at, cause) == -1)
		claimed = -1;
	free(cause);
	return claimed == -1 ? DELIVER_TAKE_ERROR : DELIVER_TAKE_DONE;
}

/*
 * Prepare one due row: check it can still be sent, respect its channel's
 * limits, compose the platform's request and claim the row in the store.
 */
static enum deliver_take_result
deliver_take(struct deliver *d, const struct store_outbox_row *row,
    int64_t now, struct deliver_transfer **out, int64_t *ready_ms)
{
	struct deliver_channel *c = deliver_channel_for(d, row->channel);
	const struct config_schedule *sc = config_find_schedule(d->cfg,
	    row->schedule);
	int64_t expiry = sc != NULL ? sc->expiry : CONFIG_DEFAULT_EXPIRY;
	char *reason;

	if (c == NULL) {
		xasprintf(&reason, "channel \"%s\" is no longer configured",
		    row->channel);
		return deliver_fail_now(d, row, reason);
	}
	if (row->due_at + expiry <= now) {
		xasprintf(&reason, "expired: not sent within %" PRId64 " s of its "
		    "time", expiry);
		return deliver_fail_now(d, row, reason);
	}
	if (deliver_direct_wants(c->cc, row))
		return deliver_direct_take(d, row, c, expiry, now, out, ready_ms);
	if (c->cc->webhook == NULL && c->cc->platform->posts_http) {
		xasprintf(&reason, "channel \"%s\" has no webhook and its own "
		    "conversation is not configured: nothing can post to it",
		    row->channel);
		return deliver_fail_now(d, row, reason);
	}
	/* Held by its cap (a completion wakes it) or until its next token. */
	if (c->in_flight >= c->max_in_flight || !deliver_bucket_take(&c->bucket,
	    clock_mono_ms(d->clock), ready_ms))
		return DELIVER_TAKE_HELD;
	return deliver_compose(d, row, c, expiry, now, out);
}

/* Compose a row that has its channel's go-ahead, and claim it. */
static enum deliver_take_result
deliver_compose(struct deliver *d, const struct store_outbox_row *row,
    struct deliver_channel *c, int64_t expiry, int64_t now,
    struct deliver_transfer **out)
{
	struct compose_source src = { d->store, d->cfg, d->bank };
	struct deliver_transfer *t = xcalloc(1, sizeof *t);
	enum compose_result composed;
	char *cause = NULL;

	composed = compose_request(&src, row, c->cc, now, NULL, NULL, &t->req,
	    &cause);
	if (composed != COMPOSE_OK) {
		deliver_http_free(t);
		return deliver_unmade(d, row, c, expiry,
		    composed == COMPOSE_LATER, cause);
	}
	t->counted = 1;
	return deliver_claim(d, row, c, expiry, now, t, out);
}

/*
 * A row whose request could not be made: put off when later, else failed.
 * Nothing goes out, so its channel (c, when it took a token) keeps the token.
 */
enum deliver_take_result
deliver_unmade(struct deliver *d, const struct store_outbox_row *row,
    struct deliver_channel *c, int64_t expiry, int later, char *cause)
{
	if (c != NULL)
		deliver_bucket_give_back(&c->bucket);
	return later ? deliver_put_off(d, row, expiry, cause) :
	    deliver_fail_now(d, row, cause);
}

/* Claim a row whose request t holds; t is freed when another took it. */
enum deliver_take_result
deliver_claim(struct deliver *d, const struct store_outbox_row *row,
    struct deliver_channel *c, int64_t expiry, int64_t now,
    struct deliver_transfer *t, struct deliver_transfer **out)
{
	int claimed;

	if ((claimed = d->mode->claim(d->store, row->id, now)) != 1) {
		deliver_http_free(t);
		/* Another process took it; it left the pending rows. */
		return claimed == -1 ? DELIVER_TAKE_ERROR : DELIVER_TAKE_DONE;
	}
	t->d = d;
	t->clock = d->clock;
	t->platform = c->cc->platform;
	t->id = row->id;
	t->schedule = xstrdup(row->schedule);
	t->due_at = row->due_at;
	t->expiry = expiry;
	t->attempts = row->attempts + 1;
	t->channel = xstrdup(row->channel);
	t->retry_after_ms = -1;
	if (t->counted)
		c->in_flight++;
	*out = t;
	return DELIVER_TAKE_STARTED;
}

/* Send one claimed delivery; a console post, or one libcurl refuses, ends at once. */
void
deliver_post(struct deliver *d, struct deliver_transfer *t)
{
	const struct deliver_channel *c = deliver_channel_for(d, t->channel);
	int rc;

	d->in_flight++;
	t->next = d->transfers;
	d->transfers = t;
	rc = c != NULL ? deliver_http_post(t, d->curl, c->cc,
	    &d->cfg->delivery) : -1;
	if (rc != 0)
		deliver_finish(t, rc == 1 ? CURLE_OK : CURLE_FAILED_INIT);
}

/* Take a transfer out of the in-flight list. */
static void
deliver_unlink(struct deliver *d, struct deliver_transfer *t)
{
	struct deliver_transfer **pp;

	for (pp = &d->transfers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	d->in_flight--;
}

/* A post ended: decide sent, retry (when) or failed, and queue that for the commit. */
static void
deliver_finish(struct deliver_transfer *t, CURLcode res)
{
	struct deliver *d = t->d;
	struct deliver_channel *c = deliver_channel_for(d, t->channel);
	struct deliver_outcome *o;
	enum chat_outcome outcome;
	int64_t hint_ms;
	char *text;

	deliver_unlink(d, t);
	if (c != NULL && t->counted)
		c->in_flight--;
	if (!t->api) {
		text = deliver_http_verdict(t, res, &outcome, &hint_ms);
		metrics_note_credentials(t->channel, t->status,
		    outcome == CHAT_SENT);
	} else if (deliver_direct_verdict(t, res, &outcome, &text, &hint_ms) == 1)
		return;	/* it went on to its next call */
	o = deliver_conclude(d, t, outcome, text, hint_ms);
	if (t->api)
		deliver_direct_note(t, o);
	deliver_http_free(t);
}

/* Log what became of a post and queue its outcome. */
static struct deliver_outcome *
deliver_conclude(struct deliver *d, struct deliver_transfer *t,
    enum chat_outcome outcome, char *text, int64_t hint_ms)
{
	int64_t now_ms = clock_now_ms(d->clock), now = now_ms / 1000, at;
	void (*warn)(const char *, ...) = t->quiet ? log_debug : log_warnx;
	char *why;

	if (outcome == CHAT_SENT) {
		metrics_count_delivery(t->schedule, t->platform->name,
		    METRICS_SENT, (double)now_ms / 1000.0 - (double)t->due_at);
		log_info("deliver: delivery %" PRId64 " sent to channel %s (%s)",
		    t->id, t->channel, t->host);
		free(text);
		return deliver_outcome(d, t->id, DELIVER_OUT_SENT, now, NULL);
	}
	if (outcome == CHAT_PERMANENT) {
		metrics_count_delivery(t->schedule, t->platform->name,
		    METRICS_FAILED, 0);
		warn("deliver: delivery %" PRId64 " to channel %s failed: %s",
		    t->id, t->channel, text);
		return deliver_outcome(d, t->id, DELIVER_OUT_FAILED, now, text);
	}
	if ((at = deliver_rate_retry_at(&d->retry, now_ms, hint_ms,
	    t->attempts, t->due_at + t->expiry)) == -1) {
		why = deliver_gave_up(t->attempts, t->expiry, text);
		metrics_count_delivery(t->schedule, t->platform->name,
		    METRICS_FAILED, 0);
		warn("deliver: delivery %" PRId64 " to channel %s failed: %s",
		    t->id, t->channel, why);
		return deliver_outcome(d, t->id, DELIVER_OUT_FAILED, now, why);
	}
	metrics_count_delivery(t->schedule, t->platform->name, METRICS_RETRY, 0);
	warn("deliver: delivery %" PRId64 " to channel %s, attempt %" PRId64
	    ": %s; retrying in %" PRId64 " s", t->id, t->channel, t->attempts,
	    text, at - now);
	return deliver_outcome(d, t->id, DELIVER_OUT_RETRY, at, text);
}

/* Queue an outcome for this turn's commit; the caller may add what it keeps. */
struct deliver_outcome *
deliver_outcome(struct deliver *d, int64_t id, enum deliver_outcome_kind kind,
    int64_t at, char *text)
{
	struct timeval soon = { 0, 0 };
	struct deliver_outcome *o;

	d->outcomes = xreallocarray(d->outcomes, d->noutcomes + 1,
	    sizeof *d->outcomes);
	o = &d->outcomes[d->noutcomes++];
	memset(o, 0, sizeof *o);
	o->id = id;
	o->kind = kind;
	o->at = at;
	o->text = text;
	if (!evtimer_pending(d->flush, NULL))
		evtimer_add(d->flush, &soon);
	return o;
}

/* Apply one outcome inside the open transaction. */
static int
deliver_apply(struct deliver *d, const struct deliver_outcome *o)
{
	if (deliver_direct_apply(d, o) == -1)
		return -1;
	switch (o->kind) {
	case DELIVER_OUT_NOTE:
		return 0;
	case DELIVER_OUT_SENT:
		return store_mark_sent(d->store, o->id, o->at);
	case DELIVER_OUT_RETRY:
		return d->mode->retry(d->store, o->id, o->at, o->text);
	case DELIVER_OUT_FAILED:
		return store_mark_failed(d->store, o->id, o->text);
	default:
		return store_release(d->store, o->id, o->at);
	}
}

/* Once per loop turn: commit every outcome together, tell who waits, then send more. */
static void
deliver_flush_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct deliver *d = arg;
	struct timeval later = { DELIVER_FLUSH_RETRY_MS / 1000, 0 };
	int failed = store_begin(d->store) == -1;

	(void)fd;
	(void)kind;
	for (size_t i = 0; i < d->noutcomes && !failed; i++)
		failed = deliver_apply(d, &d->outcomes[i]) == -1;
	if (failed || store_commit(d->store) == -1) {
		/* Nothing is lost: the outcomes stay queued and go in again. */
		store_rollback(d->store);
		log_warnx("deliver: the store refused %zu outcome%s; retrying",
		    d->noutcomes, d->noutcomes == 1 ? "" : "s");
		evtimer_add(d->flush, &later);
		return;
	}
	for (size_t i = 0; i < d->noutcomes; i++) {
		struct deliver_outcome *o = &d->outcomes[i];

		if (d->done != NULL && (o->kind == DELIVER_OUT_SENT ||
		    o->kind == DELIVER_OUT_FAILED))
			d->done(d->done_arg, o->kind == DELIVER_OUT_SENT ?
			    DELIVER_SENT : DELIVER_FAILED, o->text);
		deliver_direct_outcome_free(o);
	}
	d->noutcomes = 0;
	if (d->stopping) {
		if (d->in_flight == 0 && d->stopped != NULL) {
			void (*stopped)(void *) = d->stopped;

			evtimer_del(d->grace);
			d->stopped = NULL;
			stopped(d->stopped_arg);
		}
		return;
	}
	deliver_pump(d);
}

/* The stop grace ran out: put what is still in flight back, untouched. */
static void
deliver_grace_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct deliver *d = arg;
	struct deliver_transfer *t;
	int64_t now = clock_now(d->clock);

	(void)fd;
	(void)kind;
	while ((t = d->transfers) != NULL) {
		curlev_remove(d->curl, t->easy);
		deliver_unlink(d, t);
		log_notice("deliver: delivery %" PRId64 " to channel %s did not "
		    "finish before the stop; it stays pending", t->id, t->channel);
		deliver_outcome(d, t->id, DELIVER_OUT_RELEASE, now, NULL);
		deliver_http_free(t);
	}
	if (d->noutcomes == 0) {
		struct timeval soon = { 0, 0 };

		evtimer_add(d->flush, &soon);
	}
}

