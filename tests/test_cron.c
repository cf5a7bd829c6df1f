/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for cron.c: the grammar, its error messages and columns, and
 * next-fire known answers across month ends, leap days and DST changes.
 * Expected instants were worked out from the zones' real offsets and
 * cross-checked with `zdump -v` and an independent Python model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "cron.h"
#include "timefmt.h"
#include "tz.h"

/* Up to this many expected fire times per case. */
#define TEST_CRON_MAX 6

/* An expression, a zone, a start, and the fire times that must follow. */
struct test_cron_case {
	const char	*expr;
	const char	*zone;
	const char	*after;
	const char	*want[TEST_CRON_MAX];
};

static struct cron *test_cron_parse(const char *);
static void	test_cron_walk(const struct test_cron_case *);
static void	test_cron_run(const struct test_cron_case *, size_t);
static void	test_cron_grammar(void **);
static void	test_cron_macros(void **);
static void	test_cron_frequent(void **);
static void	test_cron_errors(void **);
static void	test_cron_never(void **);
static void	test_cron_month_ends(void **);
static void	test_cron_weekdays(void **);
static void	test_cron_dst_berlin(void **);
static void	test_cron_dst_new_york(void **);
static void	test_cron_dst_sydney(void **);
static void	test_cron_dst_half_hour(void **);
static void	test_cron_bounds(void **);

/* Parse an expression that must be valid. */
static struct cron *
test_cron_parse(const char *expr)
{
	struct cron	*c;
	char		*cause = NULL;
	int		 column = -1;

	if ((c = cron_parse(expr, &cause, &column)) == NULL)
		fail_msg("\"%s\": %s", expr, cause);
	assert_null(cause);
	assert_int_equal(column, 0);
	return c;
}

/* Walk one case forward with cron_next and compare every fire time. */
static void
test_cron_walk(const struct test_cron_case *tc)
{
	struct cron	*c = test_cron_parse(tc->expr);
	struct tz	*tz;
	char		*cause = NULL, buf[TIMEFMT_ISO_LEN];
	int64_t		 t, next;
	size_t		 j;

	if ((tz = tz_load(tc->zone, &cause)) == NULL)
		fail_msg("%s: %s", tc->zone, cause);
	if (timefmt_parse_iso8601(tc->after, &t, &cause) != 0)
		fail_msg("%s", cause);
	for (j = 0; j < TEST_CRON_MAX && tc->want[j] != NULL; j++) {
		if (cron_next(c, tz, t, &next) != 0)
			fail_msg("\"%s\" in %s after %s: no fire, want %s",
			    tc->expr, tc->zone, tc->after, tc->want[j]);
		timefmt_utc(next, buf, sizeof buf);
		if (strcmp(buf, tc->want[j]) != 0)
			fail_msg("\"%s\" in %s after %s: fire %zu is %s, "
			    "want %s", tc->expr, tc->zone, tc->after, j + 1,
			    buf, tc->want[j]);
		t = next;
	}
	tz_free(tz);
	cron_free(c);
}

/* Walk every case of a table. */
static void
test_cron_run(const struct test_cron_case *cases, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		test_cron_walk(&cases[i]);
}

/* Lists, ranges, steps, names, 7 = Sunday, whitespace. */
static void
test_cron_grammar(void **state)
{
	static const struct test_cron_case cases[] = {
		{ "*/15 * * * *", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z",
		    "2026-01-01T00:45:00Z", "2026-01-01T01:00:00Z" } },
		{ "1-5/2 * * * *", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-01T00:01:00Z", "2026-01-01T00:03:00Z",
		    "2026-01-01T00:05:00Z", "2026-01-01T01:01:00Z" } },
		{ "10/20 * * * *", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-01T00:10:00Z", "2026-01-01T00:30:00Z",
		    "2026-01-01T00:50:00Z", "2026-01-01T01:10:00Z" } },
		{ "0,30 8-9,17 * * *", "UTC", "2026-01-01T08:30:00Z",
		    { "2026-01-01T09:00:00Z", "2026-01-01T09:30:00Z",
		    "2026-01-01T17:00:00Z", "2026-01-01T17:30:00Z",
		    "2026-01-02T08:00:00Z" } },
		{ "0 9 * * MON-FRI", "UTC", "2026-01-01T09:00:00Z",
		    { "2026-01-02T09:00:00Z", "2026-01-05T09:00:00Z" } },
		{ "0 0 * * 7", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z" } },
		{ "0 0 * * sun", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-04T00:00:00Z" } },
		{ "0 0 * * SAT-SUN", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z",
		    "2026-01-10T00:00:00Z" } },
		{ "0 0 * * 7-1", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-04T00:00:00Z", "2026-01-05T00:00:00Z",
		    "2026-01-11T00:00:00Z" } },
		{ "0 0 * * 1-7/3", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-04T00:00:00Z", "2026-01-05T00:00:00Z",
		    "2026-01-08T00:00:00Z" } },
		{ "0 0 1 jan,Jul *", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z" } },
		{ "0 12 1 FEB-APR/2 *", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-02-01T12:00:00Z", "2026-04-01T12:00:00Z",
		    "2027-02-01T12:00:00Z" } },
		{ " \t0  9\t* *  1 ", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-05T09:00:00Z" } },
	};

	(void)state;
	test_cron_run(cases, sizeof cases / sizeof cases[0]);
}

/* Every macro, in any case. */
static void
test_cron_macros(void **state)
{
	static const struct test_cron_case cases[] = {
		{ "@yearly", "UTC", "2026-01-01T00:00:00Z",
		    { "2027-01-01T00:00:00Z" } },
		{ "@annually", "UTC", "2026-06-01T00:00:00Z",
		    { "2027-01-01T00:00:00Z" } },
		{ "@monthly", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z" } },
		{ "@weekly", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z" } },
		{ "@daily", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-02T00:00:00Z" } },
		{ "@Midnight", "UTC", "2026-01-01T12:00:00Z",
		    { "2026-01-02T00:00:00Z" } },
		{ "@HOURLY", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z" } },
		{ "  @daily  ", "Europe/Berlin", "2026-01-01T00:00:00Z",
		    { "2026-01-01T23:00:00Z" } },
	};

	(void)state;
	test_cron_run(cases, sizeof cases / sizeof cases[0]);
}

/* Which schedules follow elapsed time across DST. */
static void
test_cron_frequent(void **state)
{
	static const struct {
		const char	*expr;
		int		 frequent;
	} cases[] = {
		{ "0 * * * *", 1 }, { "*/30 * * * *", 1 }, { "0 */2 * * *", 1 },
		{ "0 1-23/2 * * *", 1 }, { "@hourly", 1 }, { "30 2 * * *", 0 },
		{ "0 9 * * MON-FRI", 0 }, { "0 0-23 * * *", 0 },
		{ "@daily", 0 }, { "* 2,3 * * *", 0 },
	};
	struct cron	*c;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		c = test_cron_parse(cases[i].expr);
		assert_int_equal(cron_is_frequent(c), cases[i].frequent);
		cron_free(c);
	}
}

/* Each kind of error names the field and the column at fault. */
static void
test_cron_errors(void **state)
{
	static const struct {
		const char	*expr, *cause;
		int		 column;
	} cases[] = {
		{ "0 24 * * *", "cron: field 2 (hour): 24 is out of range 0-23 "
		    "at column 3", 3 },
		{ "60 * * * *", "cron: field 1 (minute): 60 is out of range "
		    "0-59 at column 1", 1 },
		{ "0 0 32 * *", "cron: field 3 (day-of-month): 32 is out of "
		    "range 1-31 at column 5", 5 },
		{ "0 0 0 * *", "cron: field 3 (day-of-month): 0 is out of "
		    "range 1-31 at column 5", 5 },
		{ "0 0 * 13 *", "cron: field 4 (month): 13 is out of range "
		    "1-12 at column 7", 7 },
		{ "0 0 * * 8", "cron: field 5 (day-of-week): 8 is out of range "
		    "0-7 at column 9", 9 },
		{ "0 0 * *", "cron: expected 5 fields (minute hour "
		    "day-of-month month day-of-week), found 4", 0 },
		{ "0 0 * * * *", "cron: expected 5 fields (minute hour "
		    "day-of-month month day-of-week), found 6", 0 },
		{ "0 0 * * * 2026 x", "cron: expected 5 fields (minute hour "
		    "day-of-month month day-of-week), found 7", 0 },
		{ "", "cron: empty expression", 0 },
		{ "  ", "cron: empty expression", 0 },
		{ "1,,2 * * * *", "cron: field 1 (minute): empty list item at "
		    "column 3", 3 },
		{ "0 ,1 * * *", "cron: field 2 (hour): empty list item at "
		    "column 3", 3 },
		{ "0 1, * * *", "cron: field 2 (hour): empty list item at "
		    "column 4", 4 },
		{ "*/0 * * * *", "cron: field 1 (minute): step 0 is out of "
		    "range 1-59 at column 3", 3 },
		{ "0 */24 * * *", "cron: field 2 (hour): step 24 is out of "
		    "range 1-23 at column 5", 5 },
		{ "*/ * * * *", "cron: field 1 (minute): missing step after "
		    "\"/\" at column 2", 2 },
		{ "0 5-1 * * *", "cron: field 2 (hour): range 5-1 is reversed "
		    "(wrap-around ranges are not supported) at column 3", 3 },
		{ "0 0 * * FRI-MON", "cron: field 5 (day-of-week): range "
		    "FRI-MON is reversed (wrap-around ranges are not "
		    "supported) at column 9", 9 },
		{ "0 1- * * *", "cron: field 2 (hour): missing value after "
		    "\"-\" at column 4", 4 },
		{ "0 0 * * FRY", "cron: field 5 (day-of-week): unknown name "
		    "\"FRY\" at column 9", 9 },
		{ "0 0 * JANUARY *", "cron: field 4 (month): unknown name "
		    "\"JANUARY\" at column 7", 7 },
		{ "0 0 * * MON-FRIDAY", "cron: field 5 (day-of-week): unknown "
		    "name \"FRIDAY\" at column 13", 13 },
		{ "0 0 * * L", "cron: field 5 (day-of-week): unknown name "
		    "\"L\" at column 9", 9 },
		{ "0 MON * * *", "cron: field 2 (hour): unexpected \"M\" at "
		    "column 3", 3 },
		{ "@often", "cron: unknown macro \"@often\" at column 1", 1 },
		{ "@reboot", "cron: unknown macro \"@reboot\" at column 1", 1 },
		{ "@daily now", "cron: unexpected \"now\" after @daily at "
		    "column 8", 8 },
		{ "5x * * * *", "cron: field 1 (minute): unexpected \"x\" at "
		    "column 2", 2 },
		{ "-5 * * * *", "cron: field 1 (minute): unexpected \"-\" at "
		    "column 1", 1 },
		{ "0 0 L-2 * *", "cron: field 3 (day-of-month): unexpected "
		    "\"-\" after L at column 6", 6 },
		{ "0 0 * * 5L3", "cron: field 5 (day-of-week): unexpected "
		    "\"3\" after 5L at column 11", 11 },
		{ "0 0 * * 1#6", "cron: field 5 (day-of-week): 6 is out of "
		    "range 1-5 at column 11", 11 },
		{ "0 0 * * 1#0", "cron: field 5 (day-of-week): 0 is out of "
		    "range 1-5 at column 11", 11 },
		{ "0 0 * * 1#", "cron: field 5 (day-of-week): missing number "
		    "after \"#\" at column 10", 10 },
		{ "0 0 * * 1-5#2", "cron: field 5 (day-of-week): unexpected "
		    "\"#\" at column 12", 12 },
		{ "0 0 * * *#1", "cron: field 5 (day-of-week): unexpected "
		    "\"#\" at column 10", 10 },
		{ "0 0 9#1 * *", "cron: field 3 (day-of-month): 9 is out of "
		    "range 0-7 at column 5", 5 },
		{ "0 0 * * 1#1/2", "cron: field 5 (day-of-week): unexpected "
		    "\"/\" at column 12", 12 },
	};
	char	*cause;
	size_t	 i;
	int	 column;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		column = -1;
		if (cron_parse(cases[i].expr, &cause, &column) != NULL)
			fail_msg("\"%s\" parsed", cases[i].expr);
		assert_string_equal(cause, cases[i].cause);
		assert_int_equal(column, cases[i].column);
		free(cause);
	}
	/* The column may be left out. */
	assert_null(cron_parse("0 24 * * *", &cause, NULL));
	free(cause);
}

/* Impossible dates are refused at once; rare but possible ones are not. */
static void
test_cron_never(void **state)
{
	static const char *const never[] = {
		"0 0 30 2 *", "0 0 31 4 *", "0 0 30,31 FEB *",
		"0 0 31 2,4,6,9,11 *", "0 0 30-31 2 *",
		/* A star-led field needs both to meet: no 5th Monday on the
		 * 1st, 11th or 21st of February. */
		"0 0 */10 2 1#5", "0 0 30 2 */1", NULL
	};
	static const char *const rare[] = {
		"0 0 29 2 *", "0 0 * 2 1#5", "0 0 30 2 MON", "0 0 L 2 *",
		"0 0 5#5 2 *", "0 0 */4 2 1#5", "0 0 29 2 */7",
	};
	struct cron	*c;
	char		*cause;
	size_t		 i;
	int		 column;

	(void)state;
	for (i = 0; never[i] != NULL; i++) {
		cause = NULL;
		column = -1;
		assert_null(cron_parse(never[i], &cause, &column));
		assert_string_equal(cause, "cron: expression never fires (no "
		    "month has a matching day)");
		assert_int_equal(column, 0);
		free(cause);
	}
	for (i = 0; i < sizeof rare / sizeof rare[0]; i++) {
		c = test_cron_parse(rare[i]);
		cron_free(c);
	}
}

/* 31st, L, and February 29th (2100 is not a leap year). */
static void
test_cron_month_ends(void **state)
{
	static const struct test_cron_case cases[] = {
		{ "0 0 31 * *", "UTC", "2026-01-31T00:00:00Z",
		    { "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z",
		    "2026-07-31T00:00:00Z", "2026-08-31T00:00:00Z",
		    "2026-10-31T00:00:00Z", "2026-12-31T00:00:00Z" } },
		{ "0 0 L * *", "UTC", "2026-01-31T00:00:00Z",
		    { "2026-02-28T00:00:00Z", "2026-03-31T00:00:00Z",
		    "2026-04-30T00:00:00Z" } },
		{ "0 0 L 2 *", "UTC", "2027-03-01T00:00:00Z",
		    { "2028-02-29T00:00:00Z", "2029-02-28T00:00:00Z" } },
		{ "0 0 15,L * *", "UTC", "2026-02-01T00:00:00Z",
		    { "2026-02-15T00:00:00Z", "2026-02-28T00:00:00Z",
		    "2026-03-15T00:00:00Z" } },
		{ "0 0 29 2 *", "UTC", "2026-01-01T00:00:00Z",
		    { "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z" } },
		{ "0 0 29 2 *", "UTC", "2096-03-01T00:00:00Z",
		    { "2104-02-29T00:00:00Z" } },
		{ "0 0 29 2 *", "Europe/Berlin", "2026-01-01T00:00:00Z",
		    { "2028-02-28T23:00:00Z" } },
		{ "0 0 * 2 1#5", "UTC", "2026-01-01T00:00:00Z",
		    { "2044-02-29T00:00:00Z", "2072-02-29T00:00:00Z",
		    "2112-02-29T00:00:00Z" } },
	};

	(void)state;
	test_cron_run(cases, sizeof cases / sizeof cases[0]);
}

/*
 * 5L, 1#1 (in either day field), #5, and cronie's rule for the two day
 * fields: either when both are restricted, both when either starts with `*`.
 */
static void
test_cron_weekdays(void **state)
{
	static const struct test_cron_case cases[] = {
		{ "0 12 * * 5L", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-30T12:00:00Z", "2026-02-27T12:00:00Z",
		    "2026-03-27T12:00:00Z", "2026-04-24T12:00:00Z" } },
		{ "0 12 * * friL", "UTC", "2026-07-01T00:00:00Z",
		    { "2026-07-31T12:00:00Z" } },
		{ "0 9 * * 1#1", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-05T09:00:00Z", "2026-02-02T09:00:00Z",
		    "2026-03-02T09:00:00Z", "2026-04-06T09:00:00Z" } },
		{ "0 9 1#1 * *", "Europe/Berlin", "2026-01-01T00:00:00Z",
		    { "2026-01-05T08:00:00Z", "2026-02-02T08:00:00Z",
		    "2026-03-02T08:00:00Z", "2026-04-06T07:00:00Z" } },
		{ "0 0 * * 5#3", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-16T00:00:00Z", "2026-02-20T00:00:00Z" } },
		{ "0 0 * * MON#5", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-03-30T00:00:00Z", "2026-06-29T00:00:00Z",
		    "2026-08-31T00:00:00Z", "2026-11-30T00:00:00Z" } },
		{ "0 0 * * 1#1,5L", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-05T00:00:00Z", "2026-01-30T00:00:00Z",
		    "2026-02-02T00:00:00Z" } },
		/* Both restricted: either matches. */
		{ "0 0 13 * FRI", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z",
		    "2026-01-13T00:00:00Z", "2026-01-16T00:00:00Z" } },
		{ "0 0 1 * 1#2", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-12T00:00:00Z", "2026-02-01T00:00:00Z",
		    "2026-02-09T00:00:00Z" } },
		/* One is `*`: only the other applies. */
		{ "0 0 13 * *", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-13T00:00:00Z", "2026-02-13T00:00:00Z" } },
		{ "0 0 * * FRI", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z" } },
		/* A field led by `*` is a star even with a step: both must
		 * match (cronie), so the 1st, 11th, 21st or 31st on a Sunday. */
		{ "0 0 */10 * SUN", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-11T00:00:00Z", "2026-02-01T00:00:00Z",
		    "2026-03-01T00:00:00Z", "2026-05-31T00:00:00Z" } },
		{ "0 0 */10 * FRI-SAT", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-31T00:00:00Z", "2026-02-21T00:00:00Z",
		    "2026-03-21T00:00:00Z" } },
		{ "0 0 13 * */2", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-13T00:00:00Z", "2026-06-13T00:00:00Z",
		    "2026-08-13T00:00:00Z" } },
		/* The same days written without a leading `*`: either. */
		{ "0 0 1-31/10 * SUN", "UTC", "2026-01-01T00:00:00Z",
		    { "2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z",
		    "2026-01-18T00:00:00Z", "2026-01-21T00:00:00Z" } },
	};

	(void)state;
	test_cron_run(cases, sizeof cases / sizeof cases[0]);
}

/* Europe/Berlin: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00. */
static void
test_cron_dst_berlin(void **state)
{
	static const struct test_cron_case cases[] = {
		/* 02:30 does not exist: once, when the gap ends. */
		{ "30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z",
		    { "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z" } },
		/* 02:30 happens twice: once, at the first (CEST). */
		{ "30 2 * * *", "Europe/Berlin", "2026-10-24T12:00:00Z",
		    { "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z" } },
		{ "30 2 * * *", "Europe/Berlin", "2026-10-25T00:45:00Z",
		    { "2026-10-26T01:30:00Z" } },
		/* Two wall times, one instant: one fire. */
		{ "0,30 2 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z",
		    { "2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z" } },
		{ "0 2,3 * * *", "Europe/Berlin", "2026-03-28T12:00:00Z",
		    { "2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z",
		    "2026-03-30T01:00:00Z" } },
		{ "0 9 * * MON-FRI", "Europe/Berlin", "2026-03-27T08:00:00Z",
		    { "2026-03-30T07:00:00Z", "2026-03-31T07:00:00Z" } },
		{ "0 9 * * MON-FRI", "Europe/Berlin", "2026-10-23T07:00:00Z",
		    { "2026-10-26T08:00:00Z" } },
		/* Frequent: every real hour, none doubled, none lost. */
		{ "0 * * * *", "Europe/Berlin", "2026-03-28T22:30:00Z",
		    { "2026-03-28T23:00:00Z", "2026-03-29T00:00:00Z",
		    "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z" } },
		{ "0 * * * *", "Europe/Berlin", "2026-10-24T22:30:00Z",
		    { "2026-10-24T23:00:00Z", "2026-10-25T00:00:00Z",
		    "2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z" } },
		{ "*/30 * * * *", "Europe/Berlin", "2026-10-24T23:45:00Z",
		    { "2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z",
		    "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z",
		    "2026-10-25T02:00:00Z" } },
		{ "*/30 * * * *", "Europe/Berlin", "2026-03-29T00:15:00Z",
		    { "2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z",
		    "2026-03-29T01:30:00Z" } },
		/* A stepped hour is frequent: no 02:30 on the gap day. */
		{ "30 */1 * * *", "Europe/Berlin", "2026-03-29T00:15:00Z",
		    { "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z" } },
	};

	(void)state;
	test_cron_run(cases, sizeof cases / sizeof cases[0]);
}

/* America/New_York: 2026-03-08 02:00 -> 03:00, 2026-11-01 02:00 -> 01:00. */
static void
test_cron_dst_new_york(void **state)
{
	static const struct test_cron_case cases[] = {
		{ "30 1 * * *", "America/New_York", "2026-10-31T12:00:00Z",
		    { "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z" } },
		{ "30 2 * * *", "America/New_York", "2026-03-07T12:00:00Z",
		    { "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z" } },
		{ "0 9 * * MON-FRI", "America/New_York", "2026-03-06T14:00:00Z",
		    { "2026-03-09T13:00:00Z" } },
		{ "0 * * * *", "America/New_York", "2026-11-01T04:30:00Z",
		    { "2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z",
		    "2026-11-01T07:00:00Z" } },
		{ "0 * * * *", "America/New_York", "2026-03-08T05:30:00Z",
		    { "2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z",
		    "2026-03-08T08:00:00Z" } },
	};

	(void)state;
	test_cron_run(cases, sizeof cases / sizeof cases[0]);
}

/* Australia/Sydney: back on 2026-04-05 03:00, forward 2026-10-04 02:00. */
static void
test_cron_dst_sydney(void **state)
{
	static const struct test_cron_case cases[] = {
		{ "30 2 * * *", "Australia/Sydney", "2026-04-04T00:00:00Z",
		    { "2026-04-04T15:30:00Z", "2026-04-05T16:30:00Z" } },
		{ "30 2 * * *", "Australia/Sydney", "2026-10-03T00:00:00Z",
		    { "2026-10-03T16:00:00Z", "2026-10-04T15:30:00Z" } },
		{ "0 9 * * MON-FRI", "Australia/Sydney", "2026-04-02T22:00:00Z",
		    { "2026-04-05T23:00:00Z" } },
		{ "0 * * * *", "Australia/Sydney", "2026-04-04T14:30:00Z",
		    { "2026-04-04T15:00:00Z", "2026-04-04T16:00:00Z",
		    "2026-04-04T17:00:00Z" } },
		{ "0 * * * *", "Australia/Sydney", "2026-10-03T14:30:00Z",
		    { "2026-10-03T15:00:00Z", "2026-10-03T16:00:00Z",
		    "2026-10-03T17:00:00Z" } },
	};

	(void)state;
	test_cron_run(cases, sizeof cases / sizeof cases[0]);
}

/* Half-hour offsets (Adelaide) and a half-hour DST shift (Lord Howe). */
static void
test_cron_dst_half_hour(void **state)
{
	static const struct test_cron_case cases[] = {
		{ "30 2 * * *", "Australia/Adelaide", "2026-10-03T00:00:00Z",
		    { "2026-10-03T16:30:00Z", "2026-10-04T16:00:00Z" } },
		{ "0 * * * *", "Australia/Adelaide", "2026-04-04T15:00:00Z",
		    { "2026-04-04T15:30:00Z", "2026-04-04T16:30:00Z",
		    "2026-04-04T17:30:00Z" } },
		{ "*/30 * * * *", "Australia/Adelaide", "2026-10-03T15:50:00Z",
		    { "2026-10-03T16:00:00Z", "2026-10-03T16:30:00Z",
		    "2026-10-03T17:00:00Z" } },
		{ "0 9 * * *", "Asia/Kolkata", "2026-01-01T00:00:00Z",
		    { "2026-01-01T03:30:00Z", "2026-01-02T03:30:00Z" } },
		/* 02:00-02:29 does not exist on 2026-10-04. */
		{ "0 2 * * *", "Australia/Lord_Howe", "2026-10-03T00:00:00Z",
		    { "2026-10-03T15:30:00Z", "2026-10-04T15:00:00Z" } },
		/* 01:30-01:59 happens twice on 2026-04-05. */
		{ "45 1 * * *", "Australia/Lord_Howe", "2026-04-04T00:00:00Z",
		    { "2026-04-04T14:45:00Z", "2026-04-05T15:15:00Z" } },
		{ "0,30 * * * *", "Australia/Lord_Howe", "2026-10-03T14:50:00Z",
		    { "2026-10-03T15:00:00Z", "2026-10-03T15:30:00Z",
		    "2026-10-03T16:00:00Z" } },
		{ "*/30 * * * *", "Australia/Lord_Howe", "2026-04-04T14:20:00Z",
		    { "2026-04-04T14:30:00Z", "2026-04-04T15:00:00Z",
		    "2026-04-04T15:30:00Z", "2026-04-04T16:00:00Z" } },
	};

	(void)state;
	test_cron_run(cases, sizeof cases / sizeof cases[0]);
}

/* Searches stay inside years 1-9999 and stop when nothing can follow. */
static void
test_cron_bounds(void **state)
{
	struct cron	*c = test_cron_parse("0 0 * * *");
	struct tz	*tz;
	char		*cause = NULL;
	int64_t		 next;

	(void)state;
	assert_non_null(tz = tz_load("UTC", &cause));
	assert_int_equal(cron_next(c, tz, INT64_MAX, &next), -1);
	assert_int_equal(cron_next(c, tz, INT64_MIN, &next), -1);
	assert_int_equal(cron_next(c, tz, 253402300800LL, &next), -1);
	assert_int_equal(cron_next(c, tz, 253402300799LL - 86400, &next), 0);
	assert_int_equal(next, 253402214400LL);	/* 9999-12-31 */
	cron_free(c);
	tz_free(tz);
}

/* Run every cron test. */
int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_cron_grammar),
		cmocka_unit_test(test_cron_macros),
		cmocka_unit_test(test_cron_frequent),
		cmocka_unit_test(test_cron_errors),
		cmocka_unit_test(test_cron_never),
		cmocka_unit_test(test_cron_month_ends),
		cmocka_unit_test(test_cron_weekdays),
		cmocka_unit_test(test_cron_dst_berlin),
		cmocka_unit_test(test_cron_dst_new_york),
		cmocka_unit_test(test_cron_dst_sydney),
		cmocka_unit_test(test_cron_dst_half_hour),
		cmocka_unit_test(test_cron_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
