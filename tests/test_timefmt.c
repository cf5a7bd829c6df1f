/* SPDX-License-Identifier: ISC */
/* Unit tests for timefmt.c: calendar arithmetic, ISO 8601, dates, durations. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

static void	test_timefmt_known_days(void **);
static void	test_timefmt_round_trip(void **);
static void	test_timefmt_leap_years(void **);
static void	test_timefmt_weekday(void **);
static void	test_timefmt_iso_good(void **);
static void	test_timefmt_iso_bad(void **);
static void	test_timefmt_iso_error_text(void **);
static void	test_timefmt_date(void **);
static void	test_timefmt_format(void **);
static void	test_timefmt_duration(void **);
static void	test_timefmt_duration_bad(void **);
static int64_t	test_timefmt_iso(const char *);
static void	test_timefmt_iso_fails(const char *, const char *);

/* Parse a timestamp that must be valid. */
static int64_t
test_timefmt_iso(const char *s)
{
	int64_t	 t = 0;
	char	*cause = NULL;

	if (timefmt_parse_iso8601(s, &t, &cause) != 0)
		fail_msg("%s: %s", s, cause);
	assert_null(cause);
	return t;
}

/* Parse a timestamp that must be refused with a message containing want. */
static void
test_timefmt_iso_fails(const char *s, const char *want)
{
	int64_t	 t = 0;
	char	*cause = NULL;

	assert_int_equal(timefmt_parse_iso8601(s, &t, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("%s: cause \"%s\" lacks \"%s\"", s, cause, want);
	free(cause);
}

/* Day counts checked against Python's datetime.date. */
static void
test_timefmt_known_days(void **state)
{
	(void)state;
	assert_int_equal(timefmt_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(timefmt_days_from_civil(2000, 2, 29), 11016);
	assert_int_equal(timefmt_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(timefmt_days_from_civil(1900, 3, 1), -25508);
	assert_int_equal(timefmt_days_from_civil(2024, 2, 29), 19782);
	assert_int_equal(timefmt_days_from_civil(2026, 3, 29), 20541);
	assert_int_equal(timefmt_days_from_civil(2100, 3, 1), 47541);
	assert_int_equal(timefmt_days_from_civil(1600, 1, 1), -135140);
	assert_int_equal(timefmt_days_from_civil(1, 1, 1), -719162);
	assert_int_equal(timefmt_days_from_civil(9999, 12, 31), 2932896);
}

/* Walking day by day agrees with both conversions, 1600 to 2500. */
static void
test_timefmt_round_trip(void **state)
{
	int64_t	 days = timefmt_days_from_civil(1600, 1, 1);
	int	 y = 1600, m = 1, d = 1, yy, mm, dd;

	(void)state;
	while (y < 2500) {
		assert_int_equal(timefmt_days_from_civil(y, m, d), days);
		timefmt_civil_from_days(days, &yy, &mm, &dd);
		assert_int_equal(yy, y);
		assert_int_equal(mm, m);
		assert_int_equal(dd, d);
		days++;
		if (++d > timefmt_days_in_month(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	assert_int_equal(days, timefmt_days_from_civil(2500, 1, 1));
}

/* Gregorian leap years: 2000 and 2024 yes, 1900 and 2100 no. */
static void
test_timefmt_leap_years(void **state)
{
	(void)state;
	assert_int_equal(timefmt_days_in_month(2000, 2), 29);
	assert_int_equal(timefmt_days_in_month(2024, 2), 29);
	assert_int_equal(timefmt_days_in_month(1900, 2), 28);
	assert_int_equal(timefmt_days_in_month(2100, 2), 28);
	assert_int_equal(timefmt_days_in_month(2026, 2), 28);
	assert_int_equal(timefmt_days_in_month(2026, 4), 30);
	assert_int_equal(timefmt_days_in_month(2026, 12), 31);
	assert_int_equal(timefmt_days_in_month(2026, 13), 0);
	assert_true(timefmt_is_leap(2000));
	assert_false(timefmt_is_leap(1900));
	assert_int_equal(timefmt_days_from_civil(2101, 1, 1) -
	    timefmt_days_from_civil(2100, 1, 1), 365);
	assert_int_equal(timefmt_days_from_civil(2001, 1, 1) -
	    timefmt_days_from_civil(2000, 1, 1), 366);
}

/* Weekdays, including before 1970. */
static void
test_timefmt_weekday(void **state)
{
	(void)state;
	/* 1970-01-01 Thu, 1969-12-31 Wed, 2026-03-29 Sun, 1900-03-01 Thu. */
	assert_int_equal(timefmt_weekday(0), 4);
	assert_int_equal(timefmt_weekday(-1), 3);
	assert_int_equal(timefmt_weekday(20541), 0);
	assert_int_equal(timefmt_weekday(-25508), 4);
	/* 0001-01-01 Mon, 2100-03-01 Mon. */
	assert_int_equal(timefmt_weekday(-719162), 1);
	assert_int_equal(timefmt_weekday(47541), 1);
}

/* Valid ISO 8601 forms: Z, offsets, optional seconds. */
static void
test_timefmt_iso_good(void **state)
{
	(void)state;
	assert_int_equal(test_timefmt_iso("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(test_timefmt_iso("2026-03-29T00:30:00Z"), 1774744200);
	assert_int_equal(test_timefmt_iso("2026-03-29T02:30:00+02:00"),
	    1774744200);
	assert_int_equal(test_timefmt_iso("2026-03-29T00:30Z"), 1774744200);
	assert_int_equal(test_timefmt_iso("2026-03-28T19:30-05:00"),
	    1774744200);
	assert_int_equal(test_timefmt_iso("2026-03-29T06:00:00+0530"),
	    1774744200);
	assert_int_equal(test_timefmt_iso("2026-03-29T01:30:00+01"),
	    1774744200);
	assert_int_equal(test_timefmt_iso("2026-03-29t00:30:00z"), 1774744200);
	assert_int_equal(test_timefmt_iso("1969-12-31T23:59:59Z"), -1);
	assert_int_equal(test_timefmt_iso("2000-02-29T12:00:00Z"),
	    11016 * 86400 + 43200);
}

/* Malformed or impossible timestamps are refused. */
static void
test_timefmt_iso_bad(void **state)
{
	(void)state;
	test_timefmt_iso_fails("2026-13-01T00:00:00Z", "month 13");
	test_timefmt_iso_fails("2026-02-30T00:00:00Z", "day 30");
	test_timefmt_iso_fails("2100-02-29T00:00:00Z", "day 29");
	test_timefmt_iso_fails("2026-03-29T00:30:00", "missing UTC offset");
	test_timefmt_iso_fails("2026-03-29T00:30", "missing UTC offset");
	test_timefmt_iso_fails("garbage", "expected YYYY-MM-DD");
	test_timefmt_iso_fails("", "expected YYYY-MM-DD");
	test_timefmt_iso_fails("2026-03-29", "expected \"T\"");
	test_timefmt_iso_fails("2026-03-29 00:30:00Z", "expected \"T\"");
	test_timefmt_iso_fails("2026-03-29T24:00:00Z", "out of range");
	test_timefmt_iso_fails("2026-03-29T23:60:00Z", "out of range");
	test_timefmt_iso_fails("2026-03-29T23:59:60Z", "out of range");
	test_timefmt_iso_fails("2026-03-29T00:30:00.5Z", "fractional");
	test_timefmt_iso_fails("2026-03-29T00:30:00+25:00", "bad UTC offset");
	test_timefmt_iso_fails("2026-03-29T00:30:00+2", "bad UTC offset");
	test_timefmt_iso_fails("2026-03-29T00:30:00Zjunk", "after the UTC");
	test_timefmt_iso_fails("2026-3-29T00:30:00Z", "expected YYYY-MM-DD");
	test_timefmt_iso_fails("2026-03-29T0:30:00Z", "expected time");
}

/* The exact wording of one message, input quoted. */
static void
test_timefmt_iso_error_text(void **state)
{
	char	*cause = NULL;
	int64_t	 t;

	(void)state;
	assert_int_equal(timefmt_parse_iso8601("2026-13-01T00:00:00Z", &t,
	    &cause), -1);
	assert_string_equal(cause,
	    "bad timestamp \"2026-13-01T00:00:00Z\": month 13 is out of "
	    "range 1-12");
	free(cause);
}

/* Local dates, validated against the month's real length. */
static void
test_timefmt_date(void **state)
{
	char	*cause = NULL;
	int	 y = 0, m = 0, d = 0;

	(void)state;
	assert_int_equal(timefmt_parse_date("2026-12-24", &y, &m, &d, &cause),
	    0);
	assert_int_equal(y, 2026);
	assert_int_equal(m, 12);
	assert_int_equal(d, 24);
	assert_int_equal(timefmt_parse_date("2024-02-29", &y, &m, &d, &cause),
	    0);
	assert_int_equal(d, 29);

	assert_int_equal(timefmt_parse_date("2026-02-30", &y, &m, &d, &cause),
	    -1);
	assert_string_equal(cause, "bad date \"2026-02-30\": day 30 is out of "
	    "range 1-28 for 2026-02");
	free(cause);
	assert_int_equal(timefmt_parse_date("1900-02-29", &y, &m, &d, &cause),
	    -1);
	free(cause);
	assert_int_equal(timefmt_parse_date("2026-04-31", &y, &m, &d, &cause),
	    -1);
	free(cause);
	assert_int_equal(timefmt_parse_date("2026-00-10", &y, &m, &d, &cause),
	    -1);
	free(cause);
	assert_int_equal(timefmt_parse_date("2026-12-24T00:00Z", &y, &m, &d,
	    &cause), -1);
	free(cause);
	assert_int_equal(timefmt_parse_date("24.12.2026", &y, &m, &d, &cause),
	    -1);
	free(cause);
}

/* UTC and offset formatting, including instants before 1970. */
static void
test_timefmt_format(void **state)
{
	char	 buf[TIMEFMT_LOCAL_LEN];
	int64_t	 t;

	(void)state;
	timefmt_utc(0, buf, TIMEFMT_ISO_LEN);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	timefmt_utc(-1, buf, TIMEFMT_ISO_LEN);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	timefmt_utc(1774746000, buf, TIMEFMT_ISO_LEN);
	assert_string_equal(buf, "2026-03-29T01:00:00Z");
	timefmt_utc(timefmt_days_from_civil(2100, 2, 28) * 86400 + 86399, buf,
	    TIMEFMT_ISO_LEN);
	assert_string_equal(buf, "2100-02-28T23:59:59Z");
	assert_int_equal(strlen(buf) + 1, TIMEFMT_ISO_LEN);

	timefmt_local(1774746000, 7200, buf, sizeof buf);
	assert_string_equal(buf, "2026-03-29T03:00:00+02:00");
	timefmt_local(1774746000, -9000, buf, sizeof buf);
	assert_string_equal(buf, "2026-03-28T22:30:00-02:30");
	assert_int_equal(strlen(buf) + 1, TIMEFMT_LOCAL_LEN);

	/* What we print, we read back. */
	for (t = -86400 * 400; t < 86400LL * 365 * 200; t += 7777777) {
		timefmt_utc(t, buf, TIMEFMT_ISO_LEN);
		assert_int_equal(test_timefmt_iso(buf), t);
		timefmt_local(t, 19800, buf, sizeof buf);
		assert_int_equal(test_timefmt_iso(buf), t);
	}
}

/* Durations in every unit and combination. */
static void
test_timefmt_duration(void **state)
{
	char	*cause = NULL;
	int64_t	 s = -1;

	(void)state;
	assert_int_equal(timefmt_parse_duration("90s", &s, &cause), 0);
	assert_int_equal(s, 90);
	assert_int_equal(timefmt_parse_duration("15m", &s, &cause), 0);
	assert_int_equal(s, 900);
	assert_int_equal(timefmt_parse_duration("2h", &s, &cause), 0);
	assert_int_equal(s, 7200);
	assert_int_equal(timefmt_parse_duration("7d", &s, &cause), 0);
	assert_int_equal(s, 604800);
	assert_int_equal(timefmt_parse_duration("1h30m", &s, &cause), 0);
	assert_int_equal(s, 5400);
	assert_int_equal(timefmt_parse_duration("2w1d2h3m4s", &s, &cause), 0);
	assert_int_equal(s, 2 * 604800 + 86400 + 7200 + 180 + 4);
	assert_int_equal(timefmt_parse_duration("0s", &s, &cause), 0);
	assert_int_equal(s, 0);
	assert_null(cause);
}

/* Bad durations say what is wrong. */
static void
test_timefmt_duration_bad(void **state)
{
	static const struct {
		const char	*in, *want;
	} bad[] = {
		{ "", "bad duration \"\": empty" },
		{ "90", "bad duration \"90\": missing unit after 90 "
		    "(w, d, h, m or s)" },
		{ "5x", "bad duration \"5x\": unknown unit \"x\" "
		    "(w, d, h, m or s)" },
		{ "30m1h", "bad duration \"30m1h\": unit \"h\" repeated or out "
		    "of order" },
		{ "1h1h", "bad duration \"1h1h\": unit \"h\" repeated or out "
		    "of order" },
		{ "h", "bad duration \"h\": expected a number at \"h\"" },
		{ "-5m", "bad duration \"-5m\": expected a number at \"-5m\"" },
		{ "1h 30m", "bad duration \"1h 30m\": expected a number at "
		    "\" 30m\"" },
		{ "1.5h", "bad duration \"1.5h\": unknown unit \".\" "
		    "(w, d, h, m or s)" },
		{ "99999999999999999999s", "bad duration "
		    "\"99999999999999999999s\": too large" },
		{ "9999999999999999w", "bad duration \"9999999999999999w\": "
		    "too large" },
	};
	char	*cause;
	int64_t	 s;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_int_equal(timefmt_parse_duration(bad[i].in, &s, &cause),
		    -1);
		assert_string_equal(cause, bad[i].want);
		free(cause);
	}
}

/* Run every timefmt test. */
int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_timefmt_known_days),
		cmocka_unit_test(test_timefmt_round_trip),
		cmocka_unit_test(test_timefmt_leap_years),
		cmocka_unit_test(test_timefmt_weekday),
		cmocka_unit_test(test_timefmt_iso_good),
		cmocka_unit_test(test_timefmt_iso_bad),
		cmocka_unit_test(test_timefmt_iso_error_text),
		cmocka_unit_test(test_timefmt_date),
		cmocka_unit_test(test_timefmt_format),
		cmocka_unit_test(test_timefmt_duration),
		cmocka_unit_test(test_timefmt_duration_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
