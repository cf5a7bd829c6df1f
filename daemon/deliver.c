/*
 * The outbox worker. Due rows are claimed (pending -> sending) and that claim
 * is committed before anything is posted, so a crash can only ever lead to a
 * post being repeated, never lost. Posts go through libcurl's multi_socket
 * interface on the libevent loop: many in flight, connections reused, no
 * blocking call. Outcomes are collected and committed together once per loop
 * turn, so a fan-out costs a few fsyncs, not one per nudge.
 *
 * Transient failures (connection errors, timeouts, 429, 5xx) are retried
 * with exponential backoff and full jitter, or after the delay the platform
 * asked for (Retry-After, Discord's retry_after); a nudge that is still not
 * sent when its schedule's expiry has passed is marked failed. Permanent
 * failures fail at once with the platform's reason. Each channel has a token
 * bucket (its rate) and a cap on requests in flight, so a slow or limited
 * channel never holds back the others. Webhook URLs are secrets: only their
 * scheme and host are ever logged.
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
#include <strings.h>
#include <time.h>

#include "bank.h"
#include "chat/chat.h"
#include "config.h"
#include "curlev.h"
#include "habits.h"
#include "log.h"
#include "metrics.h"
#include "store.h"
#include "xmalloc.h"

#define DELIVER_MAX_RESPONSE	(64 * 1024)
#define DELIVER_SCAN_PAGE	512
#define DELIVER_SCAN_MAX	8192
#define DELIVER_FLUSH_RETRY_MS	1000

/* One channel's token bucket and load. */
struct deliver_rate {
	char	*channel;
	const struct config_channel *cc;	/* this channel in d->cfg */
	double	 rate;		/* tokens per second; 0: no limit */
	double	 tokens;
	int64_t	 refilled_ms;
	int	 in_flight;
	int	 max_in_flight;
};

/* One post in flight. */
struct deliver_transfer {
	struct deliver		*d;
	CURL			*easy;
	struct curl_slist	*headers;
	struct chat_request	 req;
	const struct chat_platform *platform;
	int64_t			 id;
	char			*schedule;	/* for metrics */
	int64_t			 due_at;
	int64_t			 expiry;
	int64_t			 attempts;
	char			*channel;
	char			*host;		/* scheme://host, safe to log */
	char			*resp;
	size_t			 resp_len;
	int64_t			 retry_after_ms;	/* from the header, or -1 */
	struct deliver_transfer	*next;
};

/* What became of a due row in a pump. */
enum deliver_take_result {
	DELIVER_TAKE_ERROR = -1,
	DELIVER_TAKE_STARTED,	/* claimed, about to be posted */
	DELIVER_TAKE_DONE,	/* failed at once: it left the pending rows */
	DELIVER_TAKE_HELD,	/* its channel's limits hold it back for now */
};

enum deliver_kind {
	DELIVER_OUT_SENT,
	DELIVER_OUT_RETRY,
	DELIVER_OUT_FAILED,
	DELIVER_OUT_RELEASE,
};

/* A result waiting for the once-per-turn commit. */
struct deliver_outcome {
	int64_t			 id;
	enum deliver_kind	 kind;
	int64_t			 at;	/* sent at, or next attempt */
	char			*text;	/* the error or reason */
};

struct deliver {
	struct event_base	*base;
	struct store		*store;
	const struct config	*cfg;
	const struct bank	*bank;
	struct curlev		*curl;
	struct event		*wake;
	struct event		*flush;
	struct event		*grace;
	struct deliver_transfer	*transfers;
	int			 in_flight;
	struct deliver_outcome	*outcomes;
	size_t			 noutcomes;
	struct deliver_rate	*rates;
	size_t			 nrates;
	int			 stopping;
	void			(*stopped)(void *);
	void			*stopped_arg;
	int64_t			 only;		/* `nudged send`: this row alone */
	void			(*one_done)(void *, enum deliver_result,
				    const char *);
	void			*one_arg;
};

static struct deliver *deliver_new(struct event_base *, struct store *,
		    const struct config *, const struct bank *, char **);
static void	 deliver_wake_cb(evutil_socket_t, short, void *);
static void	 deliver_flush_cb(evutil_socket_t, short, void *);
static void	 deliver_grace_cb(evutil_socket_t, short, void *);
static void	 deliver_pump(struct deliver *);
static enum deliver_take_result deliver_take(struct deliver *,
		    const struct store_outbox_row *, int64_t,
		    struct deliver_transfer **, int64_t *);
static void	 deliver_post(struct deliver *, struct deliver_transfer *);
static void	 deliver_finish(struct deliver_transfer *, CURLcode);
static void	 deliver_outcome(struct deliver *, int64_t, enum deliver_kind,
		    int64_t, char *);
static void	 deliver_transfer_free(struct deliver_transfer *);
static enum deliver_take_result deliver_fail_now(struct deliver *,
		    const struct store_outbox_row *, char *);
static void	 deliver_unlink(struct deliver *, struct deliver_transfer *);
static int	 deliver_apply(struct deliver *, const struct deliver_outcome *);
static void	 deliver_rates_build(struct deliver *);
static struct deliver_rate *deliver_rate_for(struct deliver *, const char *);
static int	 deliver_rate_cmp(const void *, const void *);
static int	 deliver_rate_take(struct deliver_rate *, int64_t, int64_t *);
static int64_t	 deliver_backoff_ms(const struct config *, int64_t);
static char	*deliver_host(const char *);
static void	 deliver_done_cb(void *, CURL *, CURLcode);
static size_t	 deliver_write_cb(char *, size_t, size_t, void *);
static size_t	 deliver_header_cb(char *, size_t, size_t, void *);
static int64_t	 deliver_now_ms(void);
static int64_t	 deliver_realtime_ms(void);
static void	 deliver_arm_wake(struct deliver *, int64_t);

/* Milliseconds of wall-clock time, for instants stored in the outbox. */
static int64_t
deliver_realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds on the monotonic clock, for token buckets. */
static int64_t
deliver_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The parts every worker has: curl multi on this loop and its events. */
static struct deliver *
deliver_new(struct event_base *base, struct store *store,
    const struct config *cfg, const struct bank *bank, char **cause)
{
	struct deliver *d = xcalloc(1, sizeof *d);

	d->base = base;
	d->store = store;
	d->cfg = cfg;
	d->bank = bank;
	if ((d->curl = curlev_new(base, deliver_done_cb, d)) == NULL) {
		xasprintf(cause, "cannot start libcurl");
		free(d);
		return NULL;
	}
	curlev_set_max_connections(d->curl, cfg->delivery.max_in_flight);
	d->wake = evtimer_new(base, deliver_wake_cb, d);
	d->flush = evtimer_new(base, deliver_flush_cb, d);
	d->grace = evtimer_new(base, deliver_grace_cb, d);
	deliver_rates_build(d);
	return d;
}

/* Start the worker for the daemon: recover interrupted sends, then send what is due. */
struct deliver *
deliver_start(struct event_base *base, struct store *store,
    const struct config *cfg, const struct bank *bank, char **cause)
{
	struct deliver *d = deliver_new(base, store, cfg, bank, cause);
	int64_t recovered = 0;

	if (d == NULL)
		return NULL;
	if (store_recover_sending(store, (int64_t)time(NULL), &recovered) == -1) {
		xasprintf(cause, "cannot recover interrupted deliveries");
		deliver_free(d);
		return NULL;
	}
	if (recovered > 0)
		log_notice("deliver: %" PRId64 " deliver%s interrupted by a stop "
		    "or crash will be sent again", recovered,
		    recovered == 1 ? "y" : "ies");
	deliver_kick(d);
	return d;
}

/* A worker for one delivery already held in `sending` (nudged send). */
struct deliver *
deliver_start_one(struct event_base *base, struct store *store,
    const struct config *cfg, const struct bank *bank, int64_t id,
    void (*done)(void *, enum deliver_result, const char *), void *arg,
    char **cause)
{
	struct deliver *d = deliver_new(base, store, cfg, bank, cause);

	if (d == NULL)
		return NULL;
	d->only = id;
	d->one_done = done;
	d->one_arg = arg;
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
	deliver_rates_build(d);
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
		deliver_transfer_free(t);
	}
	curlev_free(d->curl);
	for (size_t i = 0; i < d->noutcomes; i++)
		free(d->outcomes[i].text);
	free(d->outcomes);
	for (size_t i = 0; i < d->nrates; i++)
		free(d->rates[i].channel);
	free(d->rates);
	event_free(d->wake);
	event_free(d->flush);
	event_free(d->grace);
	free(d);
}

/* One bucket per configured channel, keeping tokens and load of known ones. */
static void
deliver_rates_build(struct deliver *d)
{
	struct deliver_rate *old = d->rates, *r, *o;
	size_t nold = d->nrates;
	const struct chat_platform *p;

	d->nrates = d->cfg->nchannels;
	d->rates = xcalloc(d->nrates, sizeof *d->rates);
	for (size_t i = 0; i < d->nrates; i++) {
		const struct config_channel *c = &d->cfg->channels[i];

		r = &d->rates[i];
		p = c->platform;
		r->channel = xstrdup(c->name);
		r->cc = c;
		r->rate = c->rate >= 0 ? c->rate : p->default_rate;
		r->tokens = 1;
		r->refilled_ms = deliver_now_ms();
		/* A limited channel posts in order, one or a few at a time. */
		r->max_in_flight = r->rate > 0 ? (int)fmax(1, ceil(r->rate)) :
		    (int)d->cfg->delivery.max_in_flight;
		o = nold == 0 ? NULL : bsearch(r, old, nold, sizeof *old,
		    deliver_rate_cmp);
		if (o != NULL) {
			r->tokens = fmin(o->tokens, 1);
			r->refilled_ms = o->refilled_ms;
			r->in_flight = o->in_flight;
		}
	}
	for (size_t j = 0; j < nold; j++)
		free(old[j].channel);
	free(old);
	/* Sorted, so each due row finds its channel's bucket by binary search. */
	qsort(d->rates, d->nrates, sizeof *d->rates, deliver_rate_cmp);
}

/* bsearch/qsort order of buckets by channel name. */
static int
deliver_rate_cmp(const void *a, const void *b)
{
	return strcmp(((const struct deliver_rate *)a)->channel,
	    ((const struct deliver_rate *)b)->channel);
}

/* The bucket of a channel, or NULL when the channel is no longer configured. */
static struct deliver_rate *
deliver_rate_for(struct deliver *d, const char *channel)
{
	struct deliver_rate key = { .channel = (char *)(uintptr_t)channel };

	return bsearch(&key, d->rates, d->nrates, sizeof *d->rates,
	    deliver_rate_cmp);
}

/* Take a token: 1 when taken, else 0 and *ready_ms until the next one (-1: a completion frees it). */
static int
deliver_rate_take(struct deliver_rate *r, int64_t now_ms, int64_t *ready_ms)
{
	if (r->in_flight >= r->max_in_flight) {
		*ready_ms = -1;	/* a completion will wake us */
		return 0;
	}
	if (r->rate <= 0)
		return 1;
	r->tokens = fmin(1, r->tokens + (double)(now_ms - r->refilled_ms) *
	    r->rate / 1000.0);
	r->refilled_ms = now_ms;
	if (r->tokens >= 1) {
		r->tokens -= 1;
		return 1;
	}
	*ready_ms = (int64_t)ceil((1 - r->tokens) * 1000.0 / r->rate);
	return 0;
}

/* Full-jitter backoff for the given attempt: random in [0, min(max, initial * 2^(n-1))]. */
static int64_t
deliver_backoff_ms(const struct config *cfg, int64_t attempts)
{
	int64_t cap = cfg->delivery.retry_initial * 1000;

	for (int64_t i = 1; i < attempts && cap < cfg->delivery.retry_max * 1000;
	    i++)
		cap *= 2;
	if (cap > cfg->delivery.retry_max * 1000)
		cap = cfg->delivery.retry_max * 1000;
	return (int64_t)arc4random_uniform((uint32_t)cap + 1);
}

/* "scheme://host" of a URL, the only part of a webhook that may be logged. */
static char *
deliver_host(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *out;

	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
		xasprintf(&out, "%s://%s", scheme, host);
	else
		out = xstrdup("(unparsable URL)");
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return out;
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

/* Collect the response body, up to a limit (it only ever holds a reason). */
static size_t
deliver_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct deliver_transfer *t = arg;
	size_t len = size * n, keep = len;

	if (t->resp_len + keep > DELIVER_MAX_RESPONSE)
		keep = DELIVER_MAX_RESPONSE - t->resp_len;
	t->resp = xreallocarray(t->resp, t->resp_len + keep + 1, 1);
	memcpy(t->resp + t->resp_len, data, keep);
	t->resp_len += keep;
	t->resp[t->resp_len] = '\0';
	return len;
}

/* Catch Retry-After, in seconds or as an HTTP date. */
static size_t
deliver_header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct deliver_transfer *t = arg;
	size_t len = size * n;
	char *value, *end;
	time_t when;

	if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
		value = xstrndup(data + 12, len - 12);
		value[strcspn(value, "\r\n")] = '\0';
		for (end = value; *end == ' ' || *end == '\t'; end++)
			;
		if (*end >= '0' && *end <= '9' && strspn(end, "0123456789") ==
		    strlen(end))
			t->retry_after_ms = strtoll(end, NULL, 10) * 1000;
		else if ((when = curl_getdate(end, NULL)) != -1)
			t->retry_after_ms = ((int64_t)when - (int64_t)time(NULL)) *
			    1000;
		free(value);
	}
	return len;
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
	struct store_outbox_row *rows;
	int64_t now_ms = deliver_realtime_ms(), now = now_ms / 1000;
	int64_t wake_ms = -1, ready_ms, at;
	size_t n, skipped = 0, scanned = 0, page;
	int room = (int)d->cfg->delivery.max_in_flight - d->in_flight;

	if (d->stopping || room <= 0)
		return;
	if (store_begin(d->store) == -1)
		goto retry;
	do {
		/* Fetch no more rows than can start, unless some are held. */
		page = skipped == 0 && (size_t)room < DELIVER_SCAN_PAGE ?
		    (size_t)room : DELIVER_SCAN_PAGE;
		if (store_due(d->store, now, d->only, skipped, page,
		    &rows, &n) == -1)
			goto rollback;
		scanned += n;
		for (size_t i = 0; i < n && room > 0; i++) {
			t = NULL;
			ready_ms = -1;
			switch (deliver_take(d, &rows[i], now, &t, &ready_ms)) {
			case DELIVER_TAKE_ERROR:
				store_outbox_free(rows, n);
				goto rollback;
			case DELIVER_TAKE_STARTED:
				if (t != NULL) {
					t->next = started;
					started = t;
					room--;
				}
				break;
			case DELIVER_TAKE_HELD:
				skipped++;
				if (ready_ms >= 0 && (wake_ms == -1 ||
				    ready_ms < wake_ms))
					wake_ms = ready_ms;
				break;
			case DELIVER_TAKE_DONE:
				break;
			}
		}
		store_outbox_free(rows, n);
	} while (room > 0 && n == page && d->only == 0 &&
	    scanned < DELIVER_SCAN_MAX);
	if (store_commit(d->store) == -1)
		goto rollback;
	for (t = started; t != NULL; t = next) {
		next = t->next;
		deliver_post(d, t);
	}
	/* Sleep until the next retry comes due, or the next token. */
	if (d->only == 0 && store_next_attempt(d->store, &at) == 1 && at > now &&
	    (wake_ms == -1 || at * 1000 - now_ms < wake_ms))
		wake_ms = at * 1000 - now_ms;
	deliver_arm_wake(d, wake_ms);
	return;
rollback:
	store_rollback(d->store);
	for (t = started; t != NULL; t = next) {
		struct deliver_rate *r = deliver_rate_for(d, t->channel);

		next = t->next;
		if (r != NULL)
			r->in_flight--;
		deliver_transfer_free(t);
	}
retry:
	log_warnx("deliver: the store refused the claim; retrying in 1 s");
	deliver_arm_wake(d, 1000);
}

/* Give up on a due row at once, before posting: it can never be sent as it stands. */
static enum deliver_take_result
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
	if (d->only > 0)
		deliver_outcome(d, row->id, DELIVER_OUT_FAILED, 0, reason);
	else
		free(reason);
	return DELIVER_TAKE_DONE;
}

/*
 * Prepare one due row: check it can still be sent, respect its channel's
 * limits, build the platform's request and claim the row in the store.
 */
static enum deliver_take_result
deliver_take(struct deliver *d, const struct store_outbox_row *row,
    int64_t now, struct deliver_transfer **out, int64_t *ready_ms)
{
	struct deliver_rate *rate = deliver_rate_for(d, row->channel);
	const struct config_channel *channel;
	const struct config_schedule *sc;
	const struct bank_prompt *p;
	struct deliver_transfer *t;
	struct chat_nudge nudge;
	char *reason, *cause = NULL, *summary = NULL;
	int64_t expiry = CONFIG_DEFAULT_EXPIRY;
	int claimed, digest, rc;

	if (rate == NULL) {
		xasprintf(&reason, "channel \"%s\" is no longer configured",
		    row->channel);
		return deliver_fail_now(d, row, reason);
	}
	channel = rate->cc;
	{
		/* Reminders and digests ("name/reminder") expire like their schedule. */
		char *base = xstrndup(row->schedule, strcspn(row->schedule, "/"));

		if ((sc = config_find_schedule(d->cfg, base)) != NULL)
			expiry = sc->expiry;
		free(base);
	}
	if (row->due_at + expiry <= now) {
		xasprintf(&reason, "expired: not sent within %" PRId64 " s of its "
		    "time", expiry);
		return deliver_fail_now(d, row, reason);
	}
	digest = row->kind != NULL && strcmp(row->kind, "digest") == 0;
	p = row->prompt_id != NULL ? bank_find(d->bank, row->prompt_id) : NULL;
	if (p == NULL && !digest) {
		xasprintf(&reason, "prompt \"%s\" is no longer in the prompt bank",
		    row->prompt_id ? row->prompt_id : "(none)");
		return deliver_fail_now(d, row, reason);
	}
	if (!deliver_rate_take(rate, deliver_now_ms(), ready_ms))
		return DELIVER_TAKE_HELD;
	nudge = (struct chat_nudge){
		.kind = CHAT_PROMPT,
		.delivery_id = row->id,
		.schedule = row->schedule,
		.channel = row->channel,
		.due_at = row->due_at,
		.reply_code = row->reply_code,
	};
	if (digest) {
		/* Written when it goes out, so it covers the week up to now. */
		summary = habits_digest(d->store, d->cfg, d->bank, row->channel,
		    now);
		nudge.kind = CHAT_DIGEST;
		nudge.theme = "digest";
		nudge.theme_title = "Weekly digest";
		nudge.text = summary;
	} else {
		if (strcmp(row->kind, "reminder") == 0)
			nudge.kind = CHAT_REMINDER;
		nudge.prompt_id = p->id;
		nudge.theme = bank_theme_of(d->bank, p)->slug;
		nudge.theme_title = bank_theme_of(d->bank, p)->title;
		nudge.text = p->text;
		nudge.follow_up = p->follow_up;
	}
	t = xcalloc(1, sizeof *t);
	t->platform = channel->platform;
	rc = t->platform->format_prompt(&nudge, channel, now, &t->req, &cause);
	free(summary);
	if (rc == -1) {
		deliver_transfer_free(t);
		return deliver_fail_now(d, row, cause);
	}
	claimed = d->only > 0 ? store_mark_attempt(d->store, row->id, now) + 1 :
	    store_mark_sending(d->store, row->id, now);
	if (claimed != 1) {
		deliver_transfer_free(t);
		/* Another process took it; it left the pending rows. */
		return claimed == -1 ? DELIVER_TAKE_ERROR : DELIVER_TAKE_DONE;
	}
	t->d = d;
	t->id = row->id;
	t->schedule = xstrdup(row->schedule);
	t->due_at = row->due_at;
	t->expiry = expiry;
	t->attempts = row->attempts + 1;
	t->channel = xstrdup(row->channel);
	t->retry_after_ms = -1;
	rate->in_flight++;
	*out = t;
	return DELIVER_TAKE_STARTED;
}

/* Send one claimed delivery: print it (console) or hand it to libcurl. */
static void
deliver_post(struct deliver *d, struct deliver_transfer *t)
{
	const struct deliver_rate *r = deliver_rate_for(d, t->channel);
	const struct config_channel *c = r != NULL ? r->cc : NULL;
	struct curl_slist *h;
	char *url, *line;

	d->in_flight++;
	t->next = d->transfers;
	d->transfers = t;
	if (!t->platform->posts_http) {
		fwrite(t->req.body, 1, t->req.body_len, stdout);
		fflush(stdout);
		t->host = xstrdup("stdout");
		deliver_finish(t, CURLE_OK);
		return;
	}
	url = chat_post_url(c);
	t->host = deliver_host(url);
	t->easy = curl_easy_init();
	xasprintf(&line, "Content-Type: %s", t->req.content_type);
	h = curl_slist_append(NULL, line);
	free(line);
	/* No "Expect: 100-continue" round trip for small bodies. */
	h = curl_slist_append(h, "Expect:");
	for (size_t i = 0; i < t->req.nheaders; i++)
		h = curl_slist_append(h, t->req.headers[i]);
	t->headers = h;
	curl_easy_setopt(t->easy, CURLOPT_URL, url);
	curl_easy_setopt(t->easy, CURLOPT_POST, 1L);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, t->req.body);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)t->req.body_len);
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "nudged/" NUDGED_VERSION);
	curl_easy_setopt(t->easy, CURLOPT_TIMEOUT,
	    (long)d->cfg->delivery.timeout);
	curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT,
	    (long)d->cfg->delivery.connect_timeout);
	curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, deliver_write_cb);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, deliver_header_cb);
	curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	free(url);	/* libcurl copied the URL string */
	if (curlev_add(d->curl, t->easy) == -1)
		deliver_finish(t, CURLE_FAILED_INIT);
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
	struct deliver_rate *rate = deliver_rate_for(d, t->channel);
	enum chat_outcome outcome = CHAT_RETRY;
	int64_t now_ms = deliver_realtime_ms(), now = now_ms / 1000;
	int64_t hint_ms = -1, delay_ms, next_at;
	char *reason = NULL, *text;
	long status = 0;

	deliver_unlink(d, t);
	if (rate != NULL)
		rate->in_flight--;
	if (res != CURLE_OK)
		xasprintf(&text, "%s: %s", t->host, curl_easy_strerror(res));
	else {
		if (t->easy != NULL)
			curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
		outcome = t->platform->classify(status, t->resp ? t->resp : "",
		    t->resp_len, &reason, &hint_ms);
		xasprintf(&text, "%s: HTTP %ld%s%s", t->host, status,
		    reason ? ": " : "", reason ? reason : "");
		free(reason);
	}
	metrics_note_credentials(t->channel, status, outcome == CHAT_SENT);
	if (outcome == CHAT_SENT) {
		metrics_count_delivery(t->schedule, t->platform->name,
		    METRICS_SENT, (double)now_ms / 1000.0 - (double)t->due_at);
		log_info("deliver: delivery %" PRId64 " sent to channel %s (%s)",
		    t->id, t->channel, t->host);
		free(text);
		deliver_outcome(d, t->id, DELIVER_OUT_SENT, now, NULL);
	} else if (outcome == CHAT_PERMANENT) {
		metrics_count_delivery(t->schedule, t->platform->name,
		    METRICS_FAILED, 0);
		log_warnx("deliver: delivery %" PRId64 " to channel %s failed: %s",
		    t->id, t->channel, text);
		deliver_outcome(d, t->id, DELIVER_OUT_FAILED, now, text);
	} else {
		if (hint_ms < 0)
			hint_ms = t->retry_after_ms;
		delay_ms = hint_ms >= 0 ? hint_ms :
		    deliver_backoff_ms(d->cfg, t->attempts);
		/* Whole seconds in the store, rounded up: never before the delay. */
		next_at = (now_ms + delay_ms + 999) / 1000;
		if (next_at >= t->due_at + t->expiry) {
			char *why;

			xasprintf(&why, "gave up after %" PRId64 " attempt%s: the "
			    "nudge expires %" PRId64 " s after its time; last "
			    "error: %s", t->attempts, t->attempts == 1 ? "" : "s",
			    t->expiry, text);
			free(text);
			metrics_count_delivery(t->schedule, t->platform->name,
			    METRICS_FAILED, 0);
			log_warnx("deliver: delivery %" PRId64 " to channel %s "
			    "failed: %s", t->id, t->channel, why);
			deliver_outcome(d, t->id, DELIVER_OUT_FAILED, now, why);
		} else {
			metrics_count_delivery(t->schedule, t->platform->name,
			    METRICS_RETRY, 0);
			log_warnx("deliver: delivery %" PRId64 " to channel %s, "
			    "attempt %" PRId64 ": %s; retrying in %" PRId64 " s",
			    t->id, t->channel, t->attempts, text, next_at - now);
			deliver_outcome(d, t->id, DELIVER_OUT_RETRY, next_at, text);
		}
	}
	deliver_transfer_free(t);
}

/* Queue an outcome for this turn's commit. */
static void
deliver_outcome(struct deliver *d, int64_t id, enum deliver_kind kind,
    int64_t at, char *text)
{
	struct timeval soon = { 0, 0 };
	struct deliver_outcome *o;

	d->outcomes = xreallocarray(d->outcomes, d->noutcomes + 1,
	    sizeof *d->outcomes);
	o = &d->outcomes[d->noutcomes++];
	o->id = id;
	o->kind = kind;
	o->at = at;
	o->text = text;
	if (!evtimer_pending(d->flush, NULL))
		evtimer_add(d->flush, &soon);
}

/* Apply one outcome inside the open transaction. */
static int
deliver_apply(struct deliver *d, const struct deliver_outcome *o)
{
	switch (o->kind) {
	case DELIVER_OUT_SENT:
		return store_mark_sent(d->store, o->id, o->at);
	case DELIVER_OUT_RETRY:
		return store_mark_retry(d->store, o->id, o->at, o->text,
		    d->only > 0);
	case DELIVER_OUT_FAILED:
		return store_mark_failed(d->store, o->id, o->text);
	default:
		return store_release(d->store, o->id, o->at);
	}
}

/* Once per loop turn: commit every outcome together, then send more. */
static void
deliver_flush_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct deliver *d = arg;
	struct timeval later = { DELIVER_FLUSH_RETRY_MS / 1000, 0 };
	int64_t now_ms = deliver_realtime_ms();
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

		if (d->only > 0 && o->kind == DELIVER_OUT_RETRY)
			deliver_arm_wake(d, o->at * 1000 - now_ms);
		else if (d->only > 0 && o->kind != DELIVER_OUT_RELEASE)
			d->one_done(d->one_arg, o->kind == DELIVER_OUT_SENT ?
			    DELIVER_SENT : DELIVER_FAILED, o->text);
		free(o->text);
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
	if (d->only == 0)
		deliver_pump(d);
}

/* The stop grace ran out: put what is still in flight back, untouched. */
static void
deliver_grace_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct deliver *d = arg;
	struct deliver_transfer *t;
	int64_t now = (int64_t)time(NULL);

	(void)fd;
	(void)kind;
	while ((t = d->transfers) != NULL) {
		curlev_remove(d->curl, t->easy);
		deliver_unlink(d, t);
		log_notice("deliver: delivery %" PRId64 " to channel %s did not "
		    "finish before the stop; it stays pending", t->id, t->channel);
		deliver_outcome(d, t->id, DELIVER_OUT_RELEASE, now, NULL);
		deliver_transfer_free(t);
	}
	if (d->noutcomes == 0) {
		struct timeval soon = { 0, 0 };

		evtimer_add(d->flush, &soon);
	}
}

/* Free a transfer and everything libcurl needed kept alive for it. */
static void
deliver_transfer_free(struct deliver_transfer *t)
{
	if (t->easy != NULL)
		curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	chat_request_free(&t->req);
	free(t->channel);
	free(t->schedule);
	free(t->host);
	free(t->resp);
	free(t);
}
