/* SPDX-License-Identifier: ISC */
/*
 * nudged's counters and the one histogram, kept in memory for the life of
 * the process and written out in the Prometheus text exposition format
 * 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/):
 * "# HELP" and "# TYPE" once per family, then one sample a line, label
 * values escaped (backslash, double quote, line feed). Series are few (one
 * per schedule and platform, route and reason), so they live in a plain
 * array searched in order.
 */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/chat.h"
#include "strbuf.h"
#include "xmalloc.h"

/* The route label of the JSON API, the one answer route outside chat/. */
#define METRICS_API_ROUTE	"/api/v1/replies"

/* The counter families, in the order they are written. */
enum metrics_family {
	METRICS_ENQUEUED,
	METRICS_SENT_TOTAL,
	METRICS_FAILED_TOTAL,
	METRICS_SKIPPED,
	METRICS_RETRIES,
	METRICS_ACCEPTED,
	METRICS_REFUSED,
	METRICS_NFAMILIES,
};

static const struct {
	const char	*name;
	const char	*help;
} metrics_families[METRICS_NFAMILIES] = {
	{ "nudged_nudges_enqueued_total",
	  "Nudges put in the outbox, by schedule and platform." },
	{ "nudged_nudges_sent_total",
	  "Nudges the platform accepted, by schedule and platform." },
	{ "nudged_nudges_failed_total",
	  "Nudges given up on, by schedule and platform." },
	{ "nudged_nudges_skipped_total",
	  "Due instants not sent (skip date, missed, finished track), by "
	  "schedule and platform." },
	{ "nudged_delivery_retries_total",
	  "Posts that failed for now and were scheduled again, by schedule and "
	  "platform." },
	{ "nudged_answers_accepted_total",
	  "Answers stored (or recognised as already stored), by route." },
	{ "nudged_answers_refused_total",
	  "Answers refused, by route and reason." },
};

/* Upper bounds of the delivery latency buckets, in seconds. */
static const double metrics_buckets[] = { 0.5, 1, 2, 5, 10, 30, 60, 300, 900,
	3600 };
#define METRICS_NBUCKETS	(sizeof metrics_buckets / sizeof metrics_buckets[0])

/* One counter series: a family and its rendered label set. */
struct metrics_series {
	enum metrics_family	 family;
	char			*labels;	/* {a="b",...}, escaped */
	double			 value;
};

/* A channel a platform refused the credentials of (or did, until a success). */
struct metrics_channel {
	char	*name;
	int	 refused;
};

static struct {
	struct metrics_series	*series;
	size_t			 nseries;
	size_t			*slots;		/* open addressing: series + 1 */
	size_t			 nslots;	/* a power of two, or 0 */
	uint64_t		 buckets[METRICS_NBUCKETS];
	uint64_t		 latency_count;
	double			 latency_sum;
	struct metrics_channel	*channels;
	size_t			 nchannels;
} metrics;

static void	 metrics_add(enum metrics_family, char *, double);
static size_t	 metrics_hash(enum metrics_family, const char *);
static size_t	*metrics_slot(enum metrics_family, const char *);
static void	 metrics_reindex(size_t);
static void	 metrics_escape(struct strbuf *, const char *);
static char	*metrics_labels(const char *, const char *, const char *,
		    const char *);
static char	*metrics_schedule_labels(const char *, const char *);
static const char *metrics_route(const char *, char *, size_t);
static const char *metrics_reason(int);
static int	 metrics_series_cmp(const void *, const void *);
static void	 metrics_family_head(struct strbuf *, const char *, const char *,
		    const char *);
static void	 metrics_render_counters(struct strbuf *);
static void	 metrics_render_latency(struct strbuf *);
static void	 metrics_render_gauges(struct strbuf *,
		    const struct metrics_gauges *);

/* Forget everything counted (tests start from zero). */
void
metrics_reset(void)
{
	for (size_t i = 0; i < metrics.nseries; i++)
		free(metrics.series[i].labels);
	free(metrics.series);
	free(metrics.slots);
	for (size_t i = 0; i < metrics.nchannels; i++)
		free(metrics.channels[i].name);
	free(metrics.channels);
	memset(&metrics, 0, sizeof metrics);
}

/* FNV-1a over a series' family and labels. */
static size_t
metrics_hash(enum metrics_family family, const char *labels)
{
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)family;

	for (; *labels != '\0'; labels++)
		h = (h ^ (unsigned char)*labels) * 1099511628211ULL;
	return (size_t)h;
}

/* The slot that holds the series of family with labels, or the empty one where it goes. */
static size_t *
metrics_slot(enum metrics_family family, const char *labels)
{
	size_t i = metrics_hash(family, labels) & (metrics.nslots - 1);
	struct metrics_series *s;

	for (;; i = (i + 1) & (metrics.nslots - 1)) {
		if (metrics.slots[i] == 0)
			return &metrics.slots[i];
		s = &metrics.series[metrics.slots[i] - 1];
		if (s->family == family && strcmp(s->labels, labels) == 0)
			return &metrics.slots[i];
	}
}

/* Rebuild the index over every series in nslots slots (after growth or a sort). */
static void
metrics_reindex(size_t nslots)
{
	free(metrics.slots);
	metrics.slots = xcalloc(nslots, sizeof *metrics.slots);
	metrics.nslots = nslots;
	for (size_t i = 0; i < metrics.nseries; i++)
		*metrics_slot(metrics.series[i].family,
		    metrics.series[i].labels) = i + 1;
}

/*
 * Add v to the series of family with these labels (taken), creating it at 0.
 * Found through a hash index: a fan-out to 10,000 schedules counts 20,000
 * series, one look-up per post.
 */
static void
metrics_add(enum metrics_family family, char *labels, double v)
{
	size_t *slot;

	if (2 * (metrics.nseries + 1) > metrics.nslots)
		metrics_reindex(metrics.nslots > 0 ? 2 * metrics.nslots : 64);
	if (*(slot = metrics_slot(family, labels)) != 0) {
		metrics.series[*slot - 1].value += v;
		free(labels);
		return;
	}
	metrics.series = xreallocarray(metrics.series, metrics.nseries + 1,
	    sizeof *metrics.series);
	metrics.series[metrics.nseries++] = (struct metrics_series){ family,
	    labels, v };
	*slot = metrics.nseries;
}

/* A label value as the format wants it: \\, \" and \n escaped. */
static void
metrics_escape(struct strbuf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			strbuf_add(b, "\\\\");
		else if (*v == '"')
			strbuf_add(b, "\\\"");
		else if (*v == '\n')
			strbuf_add(b, "\\n");
		else
			strbuf_addc(b, *v);
	}
}

/* {k1="v1"} or {k1="v1",k2="v2"} (k2 NULL: one label). */
static char *
metrics_labels(const char *k1, const char *v1, const char *k2, const char *v2)
{
	struct strbuf b = { 0 };

	strbuf_addf(&b, "{%s=\"", k1);
	metrics_escape(&b, v1);
	if (k2 != NULL) {
		strbuf_addf(&b, "\",%s=\"", k2);
		metrics_escape(&b, v2);
	}
	strbuf_add(&b, "\"}");
	return strbuf_take(&b);
}

/* The labels of a nudge: its schedule (reminders and digests count as theirs). */
static char *
metrics_schedule_labels(const char *schedule, const char *platform)
{
	char *base = xstrndup(schedule, strcspn(schedule, "/")), *labels;

	labels = metrics_labels("schedule", base, "platform",
	    platform != NULL ? platform : "none");
	free(base);
	return labels;
}

/* n nudges went into the outbox (committed); 0 adds nothing. */
void
metrics_count_enqueued(const char *schedule, const char *platform, int64_t n)
{
	if (n > 0)
		metrics_add(METRICS_ENQUEUED, metrics_schedule_labels(schedule,
		    platform), (double)n);
}

/* n due instants were recorded as skipped (committed). */
void
metrics_count_skipped(const char *schedule, const char *platform, int64_t n)
{
	if (n > 0)
		metrics_add(METRICS_SKIPPED, metrics_schedule_labels(schedule,
		    platform), (double)n);
}

/* A post ended; a sent one adds its latency (due instant to sent) to the histogram. */
void
metrics_count_delivery(const char *schedule, const char *platform,
    enum metrics_outcome outcome, double latency_seconds)
{
	enum metrics_family f = outcome == METRICS_SENT ? METRICS_SENT_TOTAL :
	    outcome == METRICS_FAILED ? METRICS_FAILED_TOTAL : METRICS_RETRIES;

	metrics_add(f, metrics_schedule_labels(schedule, platform), 1);
	if (outcome != METRICS_SENT)
		return;
	if (latency_seconds < 0)
		latency_seconds = 0;
	for (size_t i = 0; i < METRICS_NBUCKETS; i++) {
		if (latency_seconds <= metrics_buckets[i])
			metrics.buckets[i]++;
	}
	metrics.latency_count++;
	metrics.latency_sum += latency_seconds;
}

/*
 * A post to channel ended with http_status: 401 or 403 means the platform
 * refused its credentials (a permanent failure until someone fixes them);
 * a sent post clears that.
 */
void
metrics_note_credentials(const char *channel, long http_status, int sent)
{
	int refused = http_status == 401 || http_status == 403;
	struct metrics_channel *c = NULL;

	for (size_t i = 0; i < metrics.nchannels && c == NULL; i++) {
		if (strcmp(metrics.channels[i].name, channel) == 0)
			c = &metrics.channels[i];
	}
	if (c == NULL) {
		if (!refused)
			return;
		metrics.channels = xreallocarray(metrics.channels,
		    metrics.nchannels + 1, sizeof *metrics.channels);
		c = &metrics.channels[metrics.nchannels++];
		c->name = xstrdup(channel);
	}
	if (refused)
		c->refused = 1;
	else if (sent)
		c->refused = 0;
}

/* New configuration, maybe new credentials: no channel counts as refused until it is again. */
void
metrics_forget_credentials(void)
{
	for (size_t i = 0; i < metrics.nchannels; i++)
		metrics.channels[i].refused = 0;
}

/* The i-th channel whose credentials stand refused, or NULL past the last. */
const char *
metrics_credentials_refused(size_t i)
{
	for (size_t k = 0; k < metrics.nchannels; k++) {
		if (metrics.channels[k].refused && i-- == 0)
			return metrics.channels[k].name;
	}
	return NULL;
}

/*
 * The route label of a request URI: the path when it is an answer route
 * (the chat table's or the API's), else "other", so a client can never
 * add series.
 */
static const char *
metrics_route(const char *uri, char *buf, size_t len)
{
	const struct chat_platform *p;
	const struct chat_route *r;

	snprintf(buf, len, "%.*s", (int)strcspn(uri, "?#"), uri);
	if (strcmp(buf, METRICS_API_ROUTE) == 0)
		return buf;
	for (size_t i = 0; (p = chat_platform_at(i)) != NULL; i++) {
		for (r = p->routes; r != NULL && r->path != NULL; r++) {
			if (strcmp(r->path, buf) == 0)
				return r->path;
		}
	}
	return "other";
}

/* The reason label of a refusal, from its status: a small fixed set. */
static const char *
metrics_reason(int status)
{
	switch (status) {
	case 400:
		return "malformed";
	case 401:
		return "unauthenticated";
	case 403:
		return "forbidden";
	case 409:
		return "stale";
	case 415:
		return "content_type";
	case 422:
		return "no_question";
	case 503:
		return "store_unavailable";
	default:
		return "other";
	}
}

/* An answer was stored (after the commit). */
void
metrics_count_answer(const char *uri)
{
	char buf[256];

	metrics_add(METRICS_ACCEPTED, metrics_labels("route", metrics_route(uri,
	    buf, sizeof buf), NULL, NULL), 1);
}

/* An answer was refused with a 4xx or 5xx status. */
void
metrics_count_refused(const char *uri, int status)
{
	char buf[256];

	metrics_add(METRICS_REFUSED, metrics_labels("route", metrics_route(uri,
	    buf, sizeof buf), "reason", metrics_reason(status)), 1);
}

/* qsort order of series: by family, then labels, so a family's samples stay together. */
static int
metrics_series_cmp(const void *a, const void *b)
{
	const struct metrics_series *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	return strcmp(x->labels, y->labels);
}

/* The HELP and TYPE lines of a family. */
static void
metrics_family_head(struct strbuf *b, const char *name, const char *type,
    const char *help)
{
	strbuf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Every counter family, with its series (a family nothing happened to has none). */
static void
metrics_render_counters(struct strbuf *b)
{
	size_t i = 0;

	if (metrics.nseries > 0) {
		qsort(metrics.series, metrics.nseries, sizeof *metrics.series,
		    metrics_series_cmp);
		metrics_reindex(metrics.nslots);
	}
	for (int f = 0; f < METRICS_NFAMILIES; f++) {
		metrics_family_head(b, metrics_families[f].name, "counter",
		    metrics_families[f].help);
		for (; i < metrics.nseries && (int)metrics.series[i].family == f;
		    i++)
			strbuf_addf(b, "%s%s %.15g\n", metrics_families[f].name,
			    metrics.series[i].labels, metrics.series[i].value);
	}
}

/* The delivery latency histogram: cumulative buckets, +Inf, sum and count. */
static void
metrics_render_latency(struct strbuf *b)
{
	const char *n = "nudged_delivery_latency_seconds";

	metrics_family_head(b, n, "histogram", "Seconds from a nudge's due "
	    "instant to the platform accepting it.");
	for (size_t i = 0; i < METRICS_NBUCKETS; i++)
		strbuf_addf(b, "%s_bucket{le=\"%g\"} %llu\n", n,
		    metrics_buckets[i], (unsigned long long)metrics.buckets[i]);
	strbuf_addf(b, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.15g\n"
	    "%s_count %llu\n", n, (unsigned long long)metrics.latency_count, n,
	    metrics.latency_sum, n, (unsigned long long)metrics.latency_count);
}

/* The gauges: queue, loop lag, refused credentials, build info. */
static void
metrics_render_gauges(struct strbuf *b, const struct metrics_gauges *g)
{
	if (g->have_queue) {
		metrics_family_head(b, "nudged_queue_depth", "gauge", "Nudges "
		    "waiting to be sent or in flight.");
		strbuf_addf(b, "nudged_queue_depth %lld\n",
		    (long long)g->queue_depth);
		metrics_family_head(b, "nudged_oldest_pending_age_seconds",
		    "gauge", "Age of the oldest nudge waiting to be sent (0: "
		    "none waits).");
		strbuf_addf(b, "nudged_oldest_pending_age_seconds %lld\n",
		    (long long)g->oldest_pending_age);
	}
	metrics_family_head(b, "nudged_loop_lag_seconds", "gauge", "How late "
	    "the event loop ran its last periodic check.");
	strbuf_addf(b, "nudged_loop_lag_seconds %.3f\n", g->loop_lag_seconds);
	metrics_family_head(b, "nudged_channel_credentials_refused", "gauge",
	    "1 while a channel's platform refuses its credentials (HTTP 401 or "
	    "403).");
	for (size_t i = 0; i < metrics.nchannels; i++) {
		char *labels = metrics_labels("channel", metrics.channels[i].name,
		    NULL, NULL);

		strbuf_addf(b, "nudged_channel_credentials_refused%s %d\n",
		    labels, metrics.channels[i].refused);
		free(labels);
	}
	metrics_family_head(b, "nudged_build_info", "gauge", "Always 1; the "
	    "version label says which nudged runs.");
	strbuf_addf(b, "nudged_build_info{version=\"%s\"} 1\n", NUDGED_VERSION);
}

/* The whole exposition, for GET /metrics. */
char *
metrics_render(const struct metrics_gauges *g)
{
	struct strbuf b = { 0 };

	metrics_render_counters(&b);
	metrics_render_latency(&b);
	metrics_render_gauges(&b, g);
	return strbuf_take(&b);
}
