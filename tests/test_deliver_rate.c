/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for deliver_rate.c on a fake clock: token buckets, full-jitter
 * backoff, Retry-After in both forms, Discord's retry_after, and the clamps
 * that keep a hostile delay from overflowing or stalling a delivery.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "clock.h"
#include "deliver_rate.h"

static uint32_t	test_uniform_top(uint32_t);
static uint32_t	test_uniform_zero(uint32_t);
static int64_t	test_retry_after_ok(const char *, int64_t);

/* 2026-12-03T12:00:00Z, in ms. */
#define NOW_MS	1796299200000LL

/* A random source that always draws its largest value. */
static uint32_t
test_uniform_top(uint32_t bound)
{
	return bound - 1;
}

/* A random source that always draws 0. */
static uint32_t
test_uniform_zero(uint32_t bound)
{
	(void)bound;
	return 0;
}

static const struct deliver_retry retry_top = { 1000, 600000,
    test_uniform_top };

/* Parse a Retry-After that must be accepted; its delay in ms. */
static int64_t
test_retry_after_ok(const char *value, int64_t now_ms)
{
	int64_t ms = -7;

	if (deliver_rate_retry_after(value, now_ms, &ms) != 0)
		fail_msg("Retry-After \"%s\" refused", value);
	return ms;
}

/* A bucket of 2/s spends its one token, then is ready 500 ms later. */
static void
test_bucket_spaces_posts(void **state)
{
	struct clock_fake c;
	struct deliver_bucket b;
	int64_t ready = -1;

	(void)state;
	clock_fake_init(&c, NOW_MS);
	deliver_bucket_init(&b, 2, clock_mono_ms(&c.clock));
	assert_int_equal(deliver_bucket_take(&b, clock_mono_ms(&c.clock),
	    &ready), 1);
	assert_int_equal(deliver_bucket_take(&b, clock_mono_ms(&c.clock),
	    &ready), 0);
	assert_int_equal(ready, 500);
	clock_fake_advance(&c, 250);
	assert_int_equal(deliver_bucket_take(&b, clock_mono_ms(&c.clock),
	    &ready), 0);
	assert_int_equal(ready, 250);
	clock_fake_advance(&c, 250);
	assert_int_equal(deliver_bucket_take(&b, clock_mono_ms(&c.clock),
	    &ready), 1);
	/* A long idle saves one token, never a burst. */
	clock_fake_advance(&c, 60000);
	assert_int_equal(deliver_bucket_take(&b, clock_mono_ms(&c.clock),
	    &ready), 1);
	assert_int_equal(deliver_bucket_take(&b, clock_mono_ms(&c.clock),
	    &ready), 0);
}

/* Rate 0 never holds anything back; a reload keeps what was saved. */
static void
test_bucket_unlimited_and_kept(void **state)
{
	struct deliver_bucket b, old;
	int64_t ready = -1;

	(void)state;
	deliver_bucket_init(&b, 0, 0);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(deliver_bucket_take(&b, 0, &ready), 1);
	deliver_bucket_init(&old, 1, 0);
	assert_int_equal(deliver_bucket_take(&old, 0, &ready), 1);
	deliver_bucket_init(&b, 1, 5000);
	deliver_bucket_keep(&b, &old);
	assert_int_equal(deliver_bucket_take(&b, 0, &ready), 0);
	assert_int_equal(ready, 1000);
	/* A token given back is there at once, still never more than one. */
	deliver_bucket_give_back(&b);
	deliver_bucket_give_back(&b);
	assert_int_equal(deliver_bucket_take(&b, 0, &ready), 1);
	assert_int_equal(deliver_bucket_take(&b, 0, &ready), 0);
}

/* The backoff ceiling doubles per attempt up to retry_max; jitter spans [0, ceiling]. */
static void
test_backoff_full_jitter(void **state)
{
	struct deliver_retry zero = retry_top;

	(void)state;
	zero.uniform = test_uniform_zero;
	assert_int_equal(deliver_rate_backoff_ms(&retry_top, 1), 1000);
	assert_int_equal(deliver_rate_backoff_ms(&retry_top, 2), 2000);
	assert_int_equal(deliver_rate_backoff_ms(&retry_top, 4), 8000);
	assert_int_equal(deliver_rate_backoff_ms(&retry_top, 10), 512000);
	assert_int_equal(deliver_rate_backoff_ms(&retry_top, 11), 600000);
	assert_int_equal(deliver_rate_backoff_ms(&retry_top, INT64_MAX),
	    600000);
	assert_int_equal(deliver_rate_backoff_ms(&zero, 5), 0);
}

/* A retry lands on the whole second after the wait, or gives up at the deadline. */
static void
test_retry_at_rounds_up_and_expires(void **state)
{
	int64_t now_s = NOW_MS / 1000;

	(void)state;
	/* 1,500 ms after a time 200 ms into a second: 1.7 s later, so +2. */
	assert_int_equal(deliver_rate_retry_at(&retry_top, NOW_MS + 200, 1500,
	    1, now_s + 100), now_s + 2);
	/* Backoff of attempt 3 draws its top: 4 s. */
	assert_int_equal(deliver_rate_retry_at(&retry_top, NOW_MS, -1, 3,
	    now_s + 100), now_s + 4);
	assert_int_equal(deliver_rate_retry_at(&retry_top, NOW_MS, 4000, 1,
	    now_s + 4), -1);
	assert_int_equal(deliver_rate_retry_at(&retry_top, NOW_MS, 4000, 1,
	    now_s + 5), now_s + 4);
}

/* A hint longer than retry_max waits retry_max, not longer. */
static void
test_wait_clamped_to_retry_max(void **state)
{
	(void)state;
	assert_int_equal(deliver_rate_wait_ms(&retry_top, 5000, 1), 5000);
	assert_int_equal(deliver_rate_wait_ms(&retry_top, 600001, 1), 600000);
	assert_int_equal(deliver_rate_wait_ms(&retry_top, INT64_MAX, 1),
	    600000);
	assert_int_equal(deliver_rate_retry_at(&retry_top, NOW_MS, INT64_MAX,
	    1, INT64_MAX), NOW_MS / 1000 + 600);
}

/* delta-seconds, with surrounding blanks. */
static void
test_retry_after_seconds(void **state)
{
	(void)state;
	assert_int_equal(test_retry_after_ok("0", NOW_MS), 0);
	assert_int_equal(test_retry_after_ok("120", NOW_MS), 120000);
	assert_int_equal(test_retry_after_ok(" 7\r\n", NOW_MS), 7000);
	assert_int_equal(test_retry_after_ok("007", NOW_MS), 7000);
}

/* An HTTP-date, in each of RFC 9110's three forms, read against now. */
static void
test_retry_after_date(void **state)
{
	(void)state;
	assert_int_equal(test_retry_after_ok("Thu, 03 Dec 2026 12:00:30 GMT",
	    NOW_MS), 30000);
	assert_int_equal(test_retry_after_ok("Thursday, 03-Dec-26 12:01:00 GMT",
	    NOW_MS + 500), 59500);
	assert_int_equal(test_retry_after_ok("Thu Dec  3 12:00:10 2026",
	    NOW_MS), 10000);
	/* A date already past: try now. */
	assert_int_equal(test_retry_after_ok("Wed, 02 Dec 2026 12:00:00 GMT",
	    NOW_MS), 0);
}

/* Issue 14's hostile values: saturate (then clamp), or refuse; never overflow. */
static void
test_retry_after_hostile(void **state)
{
	static const char *const refused[] = { "-5", "-9223372036854775808",
	    "1.5", "soon", "", "   ", "12abc", "0x10", "+3", "1 2" };
	int64_t ms = 0;

	(void)state;
	assert_int_equal(test_retry_after_ok("9223372036854775", NOW_MS),
	    INT64_MAX);
	assert_int_equal(test_retry_after_ok("99999999999999999999", NOW_MS),
	    INT64_MAX);
	assert_int_equal(test_retry_after_ok(
	    "999999999999999999999999999999999999999999", NOW_MS), INT64_MAX);
	assert_int_equal(test_retry_after_ok("9223372036854", NOW_MS),
	    9223372036854000LL);
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
		if (deliver_rate_retry_after(refused[i], NOW_MS, &ms) != -1)
			fail_msg("Retry-After \"%s\" accepted", refused[i]);
	/* Whatever was read, the wait is retry_max at most. */
	ms = test_retry_after_ok("9223372036854775", NOW_MS);
	assert_int_equal(deliver_rate_wait_ms(&retry_top, ms, 1), 600000);
	assert_int_equal(deliver_rate_retry_at(&retry_top, NOW_MS, ms, 1,
	    NOW_MS / 1000 + 3600), NOW_MS / 1000 + 600);
	assert_int_equal(deliver_rate_retry_at(&retry_top, NOW_MS, ms, 1,
	    NOW_MS / 1000 + 600), -1);
}

/* Discord's float seconds: rounded up, saturating, refused when negative or not finite. */
static void
test_seconds_float(void **state)
{
	(void)state;
	assert_int_equal(deliver_rate_seconds_ms(0), 0);
	assert_int_equal(deliver_rate_seconds_ms(1.5), 1500);
	assert_int_equal(deliver_rate_seconds_ms(0.0001), 1);
	assert_int_equal(deliver_rate_seconds_ms(2.0011), 2002);
	assert_int_equal(deliver_rate_seconds_ms(1e300), INT64_MAX);
	assert_int_equal(deliver_rate_seconds_ms(9223372036854775.0),
	    INT64_MAX);
	assert_int_equal(deliver_rate_seconds_ms(INFINITY), -1);
	assert_int_equal(deliver_rate_seconds_ms(NAN), -1);
	assert_int_equal(deliver_rate_seconds_ms(-1), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_spaces_posts),
		cmocka_unit_test(test_bucket_unlimited_and_kept),
		cmocka_unit_test(test_backoff_full_jitter),
		cmocka_unit_test(test_retry_at_rounds_up_and_expires),
		cmocka_unit_test(test_wait_clamped_to_retry_max),
		cmocka_unit_test(test_retry_after_seconds),
		cmocka_unit_test(test_retry_after_date),
		cmocka_unit_test(test_retry_after_hostile),
		cmocka_unit_test(test_seconds_float),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
