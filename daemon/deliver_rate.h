/* SPDX-License-Identifier: ISC */
/*
 * How fast and how often the outbox posts: token buckets per channel, retry
 * backoff with full jitter, and the delays platforms ask for (Retry-After,
 * or a number of seconds in the body). Pure functions: the time is always an argument.
 */
#ifndef NUDGED_DELIVER_RATE_H
#define NUDGED_DELIVER_RATE_H

#include <stdint.h>

/* One channel's token bucket: rate tokens a second, at most one saved up. */
struct deliver_bucket {
	double	 rate;		/* tokens per second; 0: no limit */
	double	 tokens;
	int64_t	 refilled_ms;	/* monotonic */
};

/* The limits every retry obeys (the delivery settings of the config). */
struct deliver_retry {
	int64_t	  initial_ms;	/* the first backoff's ceiling */
	int64_t	  max_ms;	/* no wait is ever longer */
	/* A uniform random number in [0, bound); arc4random_uniform in the daemon. */
	uint32_t (*uniform)(uint32_t bound);
};

void	 deliver_bucket_init(struct deliver_bucket *, double rate,
	    int64_t now_ms);
void	 deliver_bucket_keep(struct deliver_bucket *,
	    const struct deliver_bucket *old);
int	 deliver_bucket_take(struct deliver_bucket *, int64_t now_ms,
	    int64_t *ready_ms);
void	 deliver_bucket_give_back(struct deliver_bucket *);

int64_t	 deliver_rate_backoff_ms(const struct deliver_retry *,
	    int64_t attempts);
int64_t	 deliver_rate_wait_ms(const struct deliver_retry *, int64_t hint_ms,
	    int64_t attempts);
int64_t	 deliver_rate_retry_at(const struct deliver_retry *, int64_t now_ms,
	    int64_t hint_ms, int64_t attempts, int64_t deadline);
int	 deliver_rate_retry_after(const char *value, int64_t now_ms,
	    int64_t *delay_ms);
int64_t	 deliver_rate_seconds_ms(double seconds);

#endif
