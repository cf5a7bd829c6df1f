/* SPDX-License-Identifier: ISC */
/*
 * Rates and waits for the outbox. A channel's bucket refills at its rate and
 * holds at most one token, so posts are spaced evenly, never in bursts. A
 * transient failure waits a random time in [0, min(retry_max, retry_initial *
 * 2^(attempt-1))] ("full jitter"), or what the platform asked for; whatever
 * the platform says, no wait is longer than retry_max, and every delay read
 * from the network saturates instead of overflowing.
 */
#include "deliver_rate.h"

#include <ctype.h>
#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Seconds that still fit in int64_t milliseconds. */
#define DELIVER_RATE_MAX_SECONDS	(INT64_MAX / 1000)

static int64_t	deliver_rate_ms_of_seconds(int64_t);

/* A full bucket of a channel posting rate times a second (0: no limit). */
void
deliver_bucket_init(struct deliver_bucket *b, double rate, int64_t now_ms)
{
	b->rate = rate;
	b->tokens = 1;
	b->refilled_ms = now_ms;
}

/* After a reload: carry over what the channel's old bucket had saved. */
void
deliver_bucket_keep(struct deliver_bucket *b, const struct deliver_bucket *old)
{
	b->tokens = fmin(old->tokens, 1);
	b->refilled_ms = old->refilled_ms;
}

/* Take a token: 1 when taken, else 0 and *ready_ms until the next one. */
int
deliver_bucket_take(struct deliver_bucket *b, int64_t now_ms,
    int64_t *ready_ms)
{
	int64_t elapsed = now_ms - b->refilled_ms;

	if (b->rate <= 0)
		return 1;
	if (elapsed > 0) {
		b->tokens = fmin(1, b->tokens + (double)elapsed * b->rate /
		    1000.0);
		b->refilled_ms = now_ms;
	}
	if (b->tokens >= 1) {
		b->tokens -= 1;
		return 1;
	}
	*ready_ms = (int64_t)ceil((1 - b->tokens) * 1000.0 / b->rate);
	return 0;
}

/* Return a token taken for a post that did not go out after all. */
void
deliver_bucket_give_back(struct deliver_bucket *b)
{
	if (b->rate > 0)
		b->tokens = fmin(1, b->tokens + 1);
}

/* Full-jitter backoff for an attempt: random in [0, min(max, initial * 2^(n-1))]. */
int64_t
deliver_rate_backoff_ms(const struct deliver_retry *r, int64_t attempts)
{
	int64_t cap = r->initial_ms;

	for (int64_t i = 1; i < attempts && cap < r->max_ms; i++)
		cap *= 2;
	if (cap > r->max_ms)
		cap = r->max_ms;
	/* The random source draws below a 32-bit bound (49 days). */
	if (cap >= (int64_t)UINT32_MAX)
		cap = (int64_t)UINT32_MAX - 1;
	return cap <= 0 ? 0 : (int64_t)r->uniform((uint32_t)cap + 1);
}

/* How long to wait before the next attempt: the hint (>= 0) or a backoff, never over max. */
int64_t
deliver_rate_wait_ms(const struct deliver_retry *r, int64_t hint_ms,
    int64_t attempts)
{
	int64_t wait = hint_ms >= 0 ? hint_ms : deliver_rate_backoff_ms(r,
	    attempts);

	return wait > r->max_ms ? r->max_ms : wait;
}

/*
 * The next attempt of a delivery that failed transiently at now_ms, in whole
 * UTC seconds rounded up (the store's unit: never before the wait is over),
 * or -1 when that would be at or after deadline (its expiry): give up.
 */
int64_t
deliver_rate_retry_at(const struct deliver_retry *r, int64_t now_ms,
    int64_t hint_ms, int64_t attempts, int64_t deadline)
{
	int64_t wait = deliver_rate_wait_ms(r, hint_ms, attempts), at;

	if (wait > INT64_MAX - 999 - now_ms)
		return -1;
	at = (now_ms + wait + 999) / 1000;
	return at >= deadline ? -1 : at;
}

/* Milliseconds of a count of seconds, saturating at INT64_MAX. */
static int64_t
deliver_rate_ms_of_seconds(int64_t seconds)
{
	if (seconds >= DELIVER_RATE_MAX_SECONDS)
		return INT64_MAX;
	return seconds <= 0 ? 0 : seconds * 1000;
}

/*
 * A Retry-After value (RFC 9110 section 10.2.3: delta-seconds, 1*DIGIT, or
 * an HTTP-date) as a delay from now_ms: 0 and *delay_ms (0 for a date past,
 * INT64_MAX for more than fits), or -1 for anything else (negative numbers,
 * fractions, garbage), which the caller treats as no hint.
 */
int
deliver_rate_retry_after(const char *value, int64_t now_ms, int64_t *delay_ms)
{
	size_t len, digits;
	int64_t seconds = 0;
	char *v;
	time_t when;

	value += strspn(value, " \t");
	len = strlen(value);
	while (len > 0 && strchr(" \t\r\n", value[len - 1]) != NULL)
		len--;
	digits = strspn(value, "0123456789");
	if (len > 0 && digits == len) {
		for (size_t i = 0; i < len && seconds < DELIVER_RATE_MAX_SECONDS;
		    i++)
			seconds = seconds * 10 + (value[i] - '0');
		*delay_ms = deliver_rate_ms_of_seconds(seconds);
		return 0;
	}
	/* Every HTTP-date form starts with a day name. */
	if (len == 0 || !isalpha((unsigned char)value[0]))
		return -1;
	v = xstrndup(value, len);
	when = curl_getdate(v, NULL);
	free(v);
	if (when == -1)
		return -1;
	if ((int64_t)when >= DELIVER_RATE_MAX_SECONDS)
		*delay_ms = INT64_MAX;
	else
		*delay_ms = (int64_t)when * 1000 <= now_ms ? 0 :
		    (int64_t)when * 1000 - now_ms;
	return 0;
}

/*
 * A delay given in seconds as a JSON number (a platform's retry_after, a
 * float), in milliseconds rounded up (a little long is fine, a little short
 * is not) and saturating at INT64_MAX; -1 for a negative or not finite one.
 */
int64_t
deliver_rate_seconds_ms(double seconds)
{
	double ms;
	int64_t v;

	if (!isfinite(seconds) || seconds < 0)
		return -1;
	ms = seconds * 1000.0;
	/* 2^63 is exact as a double; anything from there on saturates. */
	if (ms >= 9223372036854775808.0)
		return INT64_MAX;
	v = (int64_t)ms;
	return (double)v < ms && v < INT64_MAX ? v + 1 : v;
}
