/* SPDX-License-Identifier: ISC */
/*
 * What nudged counts while it runs, for GET /metrics (Prometheus text format
 * 0.0.4): nudges by schedule and platform, retries, delivery latency,
 * answers by route, and which channels' credentials a platform refused.
 * One registry per process; the code where an event happens counts it with
 * one call. Labels are names from the config and the route table, never
 * URLs, tokens or anything a request chose.
 */
#ifndef NUDGED_METRICS_H
#define NUDGED_METRICS_H

#include <stddef.h>
#include <stdint.h>

/* How a post to a platform ended. */
enum metrics_outcome {
	METRICS_SENT,
	METRICS_FAILED,
	METRICS_RETRY,
};

/* What is read at scrape time rather than counted. */
struct metrics_gauges {
	int		 have_queue;	/* 0: the store could not be read */
	int64_t		 queue_depth;	/* pending and sending nudges */
	int64_t		 oldest_pending_age;	/* seconds; 0 when none */
	double		 loop_lag_seconds;
};

void	 metrics_reset(void);
void	 metrics_count_enqueued(const char *schedule, const char *platform,
	    int64_t n);
void	 metrics_count_skipped(const char *schedule, const char *platform,
	    int64_t n);
void	 metrics_count_delivery(const char *schedule, const char *platform,
	    enum metrics_outcome, double latency_seconds);
void	 metrics_note_credentials(const char *channel, long http_status,
	    int sent);
void	 metrics_forget_credentials(void);
const char *metrics_credentials_refused(size_t i);
void	 metrics_count_answer(const char *uri);
void	 metrics_count_refused(const char *uri, int status);
char	*metrics_render(const struct metrics_gauges *);

#endif
