/* SPDX-License-Identifier: ISC */
/*
 * Unit tests for tz.c against the system zoneinfo (tzdata 2025b). Expected
 * values were read off `zdump -v` and cross-checked with Python's zoneinfo.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timefmt.h"
#include "tz.h"

/* One local time type for the TZif builder. */
struct test_tz_type {
	int32_t		 utoff;
	int		 isdst;
	const char	*abbr;
};

static struct tz *test_tz_load(const char *);
static int64_t	test_tz_at(const char *);
static void	test_tz_expect(const struct tz *, const char *, int32_t,
		    const char *, int);
static void	test_tz_expect_next(const struct tz *, const char *,
		    const char *);
static void	test_tz_expect_wall(const struct tz *, int, int, int, int,
		    int, const char *);
static size_t	test_tz_put(unsigned char *, uint64_t, size_t);
static size_t	test_tz_build(unsigned char *, int, const int64_t *,
		    const unsigned char *, size_t, const struct test_tz_type *,
		    size_t, const char *);
static void	test_tz_berlin(void **);
static void	test_tz_new_york(void **);
static void	test_tz_sydney(void **);
static void	test_tz_half_hours(void **);
static void	test_tz_lord_howe(void **);
static void	test_tz_rule_changes(void **);
static void	test_tz_dublin(void **);
static void	test_tz_far_future(void **);
static void	test_tz_from_local(void **);
static void	test_tz_slim(void **);
static void	test_tz_version1(void **);
static void	test_tz_utc(void **);
static void	test_tz_errors(void **);
static void	test_tz_tzdir(void **);

/* Load a zone that must exist. */
static struct tz *
test_tz_load(const char *name)
{
	struct tz	*tz;
	char		*cause = NULL;

	if ((tz = tz_load(name, &cause)) == NULL)
		fail_msg("%s: %s", name, cause);
	assert_string_equal(tz_name(tz), name);
	return tz;
}

/* An instant written as ISO 8601. */
static int64_t
test_tz_at(const char *iso)
{
	int64_t	 t;
	char	*cause = NULL;

	if (timefmt_parse_iso8601(iso, &t, &cause) != 0)
		fail_msg("%s: %s", iso, cause);
	return t;
}

/* Offset, abbreviation and DST flag at an instant. */
static void
test_tz_expect(const struct tz *tz, const char *iso, int32_t utoff,
    const char *abbr, int isdst)
{
	struct tz_local	 l;
	const char	*a = NULL;

	assert_int_equal(tz_offset(tz, test_tz_at(iso), &a), utoff);
	assert_string_equal(a, abbr);
	assert_int_equal(tz_offset(tz, test_tz_at(iso), NULL), utoff);
	tz_to_local(tz, test_tz_at(iso), &l);
	assert_int_equal(l.utoff, utoff);
	assert_string_equal(l.abbr, abbr);
	assert_int_equal(l.isdst, isdst);
}

/* The next change of offset after `from` is at `want` ("" for none). */
static void
test_tz_expect_next(const struct tz *tz, const char *from, const char *want)
{
	char	 buf[TIMEFMT_ISO_LEN];
	int64_t	 at;

	if (*want == '\0') {
		assert_int_equal(tz_next_transition(tz, test_tz_at(from), &at),
		    -1);
		return;
	}
	assert_int_equal(tz_next_transition(tz, test_tz_at(from), &at), 0);
	timefmt_utc(at, buf, sizeof buf);
	assert_string_equal(buf, want);
}

/* Wall time y-m-d h:m:00 maps to the UTC instant want. */
static void
test_tz_expect_wall(const struct tz *tz, int y, int m, int d, int h, int mi,
    const char *want)
{
	char	 buf[TIMEFMT_ISO_LEN];

	timefmt_utc(tz_from_local(tz, y, m, d, h, mi, 0), buf, sizeof buf);
	assert_string_equal(buf, want);
}

/* Store v big-endian in n bytes. */
static size_t
test_tz_put(unsigned char *p, uint64_t v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * (n - 1 - i)));
	return n;
}

/* Write a TZif file (version 1, or 2 with a footer) into buf. */
static size_t
test_tz_build(unsigned char *buf, int version, const int64_t *trans,
    const unsigned char *idx, size_t ntrans, const struct test_tz_type *types,
    size_t ntypes, const char *footer)
{
	unsigned char	*p = buf;
	char		 chars[64];
	size_t		 nchars = 0, i, ts, pass, at[8];

	for (i = 0; i < ntypes; i++) {
		at[i] = nchars;
		strcpy(chars + nchars, types[i].abbr);
		nchars += strlen(types[i].abbr) + 1;
	}
	for (pass = 0; pass < (version == 1 ? 1u : 2u); pass++) {
		ts = pass == 0 ? 4 : 8;
		memcpy(p, "TZif", 4);
		p[4] = version == 1 ? 0 : '2';
		memset(p + 5, 0, 15);
		p += 20;
		p += test_tz_put(p, 0, 4);		/* isutcnt */
		p += test_tz_put(p, 0, 4);		/* isstdcnt */
		p += test_tz_put(p, 0, 4);		/* leapcnt */
		p += test_tz_put(p, ntrans, 4);
		p += test_tz_put(p, ntypes, 4);
		p += test_tz_put(p, nchars, 4);
		for (i = 0; i < ntrans; i++)
			p += test_tz_put(p, (uint64_t)trans[i], ts);
		for (i = 0; i < ntrans; i++)
			*p++ = idx[i];
		for (i = 0; i < ntypes; i++) {
			p += test_tz_put(p, (uint32_t)types[i].utoff, 4);
			*p++ = (unsigned char)types[i].isdst;
			*p++ = (unsigned char)at[i];
		}
		memcpy(p, chars, nchars);
		p += nchars;
	}
	if (version != 1)
		p += sprintf((char *)p, "\n%s\n", footer);
	return (size_t)(p - buf);
}

/* Central Europe: both 2026 changes, and the walk between them. */
static void
test_tz_berlin(void **state)
{
	struct tz	*tz = test_tz_load("Europe/Berlin");
	struct tz_local	 l;

	(void)state;
	test_tz_expect(tz, "2026-01-15T12:00:00Z", 3600, "CET", 0);
	test_tz_expect(tz, "2026-03-29T00:59:59Z", 3600, "CET", 0);
	test_tz_expect(tz, "2026-03-29T01:00:00Z", 7200, "CEST", 1);
	test_tz_expect(tz, "2026-10-25T00:59:59Z", 7200, "CEST", 1);
	test_tz_expect(tz, "2026-10-25T01:00:00Z", 3600, "CET", 0);
	test_tz_expect_next(tz, "2026-01-01T00:00:00Z", "2026-03-29T01:00:00Z");
	test_tz_expect_next(tz, "2026-03-29T00:59:59Z", "2026-03-29T01:00:00Z");
	test_tz_expect_next(tz, "2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z");
	test_tz_expect_next(tz, "2026-10-25T01:00:00Z", "2027-03-28T01:00:00Z");

	tz_to_local(tz, test_tz_at("2026-03-29T01:00:00Z"), &l);
	assert_int_equal(l.year, 2026);
	assert_int_equal(l.month, 3);
	assert_int_equal(l.day, 29);
	assert_int_equal(l.hour, 3);
	assert_int_equal(l.min, 0);
	assert_int_equal(l.sec, 0);
	assert_int_equal(l.wday, 0);
	assert_int_equal(l.yday, 87);
	tz_to_local(tz, test_tz_at("2026-12-31T23:30:00Z"), &l);
	assert_int_equal(l.year, 2027);
	assert_int_equal(l.yday, 0);
	assert_int_equal(l.hour, 0);
	assert_int_equal(l.min, 30);
	assert_int_equal(l.wday, 5);
	tz_free(tz);
}

/* US Eastern: 2026-03-08 and 2026-11-01. */
static void
test_tz_new_york(void **state)
{
	struct tz	*tz = test_tz_load("America/New_York");

	(void)state;
	test_tz_expect(tz, "2026-03-08T06:59:59Z", -18000, "EST", 0);
	test_tz_expect(tz, "2026-03-08T07:00:00Z", -14400, "EDT", 1);
	test_tz_expect(tz, "2026-11-01T05:59:59Z", -14400, "EDT", 1);
	test_tz_expect(tz, "2026-11-01T06:00:00Z", -18000, "EST", 0);
	test_tz_expect_next(tz, "2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z");
	tz_free(tz);
}

/* Southern hemisphere: DST ends in April, starts in October. */
static void
test_tz_sydney(void **state)
{
	struct tz	*tz = test_tz_load("Australia/Sydney");
	struct tz_local	 l;

	(void)state;
	test_tz_expect(tz, "2026-01-15T00:00:00Z", 39600, "AEDT", 1);
	test_tz_expect(tz, "2026-04-04T15:59:59Z", 39600, "AEDT", 1);
	test_tz_expect(tz, "2026-04-04T16:00:00Z", 36000, "AEST", 0);
	test_tz_expect(tz, "2026-10-03T15:59:59Z", 36000, "AEST", 0);
	test_tz_expect(tz, "2026-10-03T16:00:00Z", 39600, "AEDT", 1);
	test_tz_expect_next(tz, "2026-01-01T00:00:00Z", "2026-04-04T16:00:00Z");
	test_tz_expect_next(tz, "2026-04-04T16:00:00Z", "2026-10-03T16:00:00Z");
	tz_to_local(tz, test_tz_at("2026-04-04T16:00:00Z"), &l);
	assert_int_equal(l.day, 5);
	assert_int_equal(l.hour, 2);
	assert_int_equal(l.wday, 0);
	tz_free(tz);
}

/* Offsets that are not whole hours: Kolkata and Adelaide. */
static void
test_tz_half_hours(void **state)
{
	struct tz	*tz = test_tz_load("Asia/Kolkata");
	struct tz_local	 l;

	(void)state;
	test_tz_expect(tz, "2026-06-01T00:00:00Z", 19800, "IST", 0);
	test_tz_expect(tz, "2100-06-01T00:00:00Z", 19800, "IST", 0);
	test_tz_expect_next(tz, "2026-01-01T00:00:00Z", "");
	tz_to_local(tz, test_tz_at("2026-06-01T20:00:00Z"), &l);
	assert_int_equal(l.day, 2);
	assert_int_equal(l.hour, 1);
	assert_int_equal(l.min, 30);
	tz_free(tz);

	tz = test_tz_load("Australia/Adelaide");
	test_tz_expect(tz, "2026-04-04T16:29:59Z", 37800, "ACDT", 1);
	test_tz_expect(tz, "2026-04-04T16:30:00Z", 34200, "ACST", 0);
	test_tz_expect(tz, "2026-10-03T16:29:59Z", 34200, "ACST", 0);
	test_tz_expect(tz, "2026-10-03T16:30:00Z", 37800, "ACDT", 1);
	test_tz_expect_next(tz, "2026-04-04T16:30:00Z", "2026-10-03T16:30:00Z");
	tz_free(tz);
}

/* Lord Howe Island moves its clocks by 30 minutes. */
static void
test_tz_lord_howe(void **state)
{
	struct tz	*tz = test_tz_load("Australia/Lord_Howe");

	(void)state;
	test_tz_expect(tz, "2026-04-04T14:59:59Z", 39600, "+11", 1);
	test_tz_expect(tz, "2026-04-04T15:00:00Z", 37800, "+1030", 0);
	test_tz_expect(tz, "2026-10-03T15:29:59Z", 37800, "+1030", 0);
	test_tz_expect(tz, "2026-10-03T15:30:00Z", 39600, "+11", 1);
	test_tz_expect_next(tz, "2026-05-01T00:00:00Z", "2026-10-03T15:30:00Z");
	tz_free(tz);
}

/* Rules that changed: Brazil dropped DST in 2019, Moscow moved in 2011/14. */
static void
test_tz_rule_changes(void **state)
{
	struct tz	*tz = test_tz_load("America/Sao_Paulo");

	(void)state;
	test_tz_expect(tz, "2018-11-04T02:59:59Z", -10800, "-03", 0);
	test_tz_expect(tz, "2018-11-04T03:00:00Z", -7200, "-02", 1);
	test_tz_expect(tz, "2019-02-17T01:59:59Z", -7200, "-02", 1);
	test_tz_expect(tz, "2019-02-17T02:00:00Z", -10800, "-03", 0);
	test_tz_expect(tz, "2026-01-15T12:00:00Z", -10800, "-03", 0);
	test_tz_expect_next(tz, "2018-06-01T00:00:00Z", "2018-11-04T03:00:00Z");
	test_tz_expect_next(tz, "2019-02-17T02:00:00Z", "");
	/* Brazil changed at midnight: 00:30 did not exist on 2018-11-04. */
	test_tz_expect_wall(tz, 2018, 11, 4, 0, 30, "2018-11-04T03:00:00Z");
	tz_free(tz);

	tz = test_tz_load("Europe/Moscow");
	test_tz_expect(tz, "2011-03-26T22:59:59Z", 10800, "MSK", 0);
	test_tz_expect(tz, "2011-03-26T23:00:00Z", 14400, "MSK", 0);
	test_tz_expect(tz, "2014-10-25T21:59:59Z", 14400, "MSK", 0);
	test_tz_expect(tz, "2014-10-25T22:00:00Z", 10800, "MSK", 0);
	test_tz_expect_next(tz, "2011-01-01T00:00:00Z", "2011-03-26T23:00:00Z");
	test_tz_expect_next(tz, "2011-03-26T23:00:00Z", "2014-10-25T22:00:00Z");
	test_tz_expect_next(tz, "2014-10-25T22:00:00Z", "");
	tz_free(tz);
}

/* Dublin's "negative DST": winter GMT is the flagged period. */
static void
test_tz_dublin(void **state)
{
	struct tz	*tz = test_tz_load("Europe/Dublin");

	(void)state;
	test_tz_expect(tz, "2026-03-29T00:59:59Z", 0, "GMT", 1);
	test_tz_expect(tz, "2026-03-29T01:00:00Z", 3600, "IST", 0);
	test_tz_expect(tz, "2026-10-25T01:00:00Z", 0, "GMT", 1);
	test_tz_expect(tz, "2100-03-28T00:59:59Z", 0, "GMT", 1);
	test_tz_expect(tz, "2100-03-28T01:00:00Z", 3600, "IST", 0);
	test_tz_expect(tz, "2100-10-31T00:59:59Z", 3600, "IST", 0);
	test_tz_expect(tz, "2100-10-31T01:00:00Z", 0, "GMT", 1);
	tz_free(tz);
}

/* After the last explicit transition only the POSIX footer rule applies. */
static void
test_tz_far_future(void **state)
{
	struct tz	*tz = test_tz_load("Europe/Berlin");

	(void)state;
	test_tz_expect(tz, "2100-03-28T00:59:59Z", 3600, "CET", 0);
	test_tz_expect(tz, "2100-03-28T01:00:00Z", 7200, "CEST", 1);
	test_tz_expect(tz, "2100-10-31T00:59:59Z", 7200, "CEST", 1);
	test_tz_expect(tz, "2100-10-31T01:00:00Z", 3600, "CET", 0);
	test_tz_expect_next(tz, "2100-01-01T00:00:00Z", "2100-03-28T01:00:00Z");
	test_tz_expect_next(tz, "2100-03-28T01:00:00Z", "2100-10-31T01:00:00Z");
	test_tz_expect_next(tz, "2499-12-01T00:00:00Z", "2500-03-28T01:00:00Z");
	test_tz_expect_next(tz, "3000-04-01T00:00:00Z", "3000-10-26T01:00:00Z");
	test_tz_expect_wall(tz, 2100, 3, 28, 2, 30, "2100-03-28T01:00:00Z");
	test_tz_expect_wall(tz, 2100, 10, 31, 2, 30, "2100-10-31T00:30:00Z");
	tz_free(tz);

	tz = test_tz_load("America/New_York");
	test_tz_expect(tz, "2100-03-14T06:59:59Z", -18000, "EST", 0);
	test_tz_expect(tz, "2100-03-14T07:00:00Z", -14400, "EDT", 1);
	test_tz_expect(tz, "2100-11-07T06:00:00Z", -18000, "EST", 0);
	tz_free(tz);

	tz = test_tz_load("Australia/Lord_Howe");
	test_tz_expect(tz, "2100-04-03T15:00:00Z", 37800, "+1030", 0);
	test_tz_expect(tz, "2100-10-02T15:29:59Z", 37800, "+1030", 0);
	test_tz_expect(tz, "2100-10-02T15:30:00Z", 39600, "+11", 1);
	tz_free(tz);
}

/* Wall time to UTC: gaps go to the end of the gap, repeats to the first. */
static void
test_tz_from_local(void **state)
{
	struct tz	*tz = test_tz_load("Europe/Berlin");

	(void)state;
	test_tz_expect_wall(tz, 2026, 3, 29, 1, 59, "2026-03-29T00:59:00Z");
	test_tz_expect_wall(tz, 2026, 3, 29, 2, 0, "2026-03-29T01:00:00Z");
	test_tz_expect_wall(tz, 2026, 3, 29, 2, 30, "2026-03-29T01:00:00Z");
	test_tz_expect_wall(tz, 2026, 3, 29, 3, 0, "2026-03-29T01:00:00Z");
	test_tz_expect_wall(tz, 2026, 3, 29, 3, 1, "2026-03-29T01:01:00Z");
	test_tz_expect_wall(tz, 2026, 10, 25, 1, 59, "2026-10-24T23:59:00Z");
	test_tz_expect_wall(tz, 2026, 10, 25, 2, 0, "2026-10-25T00:00:00Z");
	test_tz_expect_wall(tz, 2026, 10, 25, 2, 30, "2026-10-25T00:30:00Z");
	test_tz_expect_wall(tz, 2026, 10, 25, 3, 0, "2026-10-25T02:00:00Z");
	test_tz_expect_wall(tz, 2026, 7, 1, 12, 0, "2026-07-01T10:00:00Z");
	assert_int_equal(tz_from_local(tz, 2026, 3, 29, 2, 59, 59),
	    test_tz_at("2026-03-29T01:00:00Z"));
	assert_int_equal(tz_from_wall(tz, test_tz_at("2026-10-25T02:30:00Z")),
	    test_tz_at("2026-10-25T00:30:00Z"));
	tz_free(tz);

	tz = test_tz_load("America/New_York");
	test_tz_expect_wall(tz, 2026, 3, 8, 2, 30, "2026-03-08T07:00:00Z");
	test_tz_expect_wall(tz, 2026, 11, 1, 1, 30, "2026-11-01T05:30:00Z");
	test_tz_expect_wall(tz, 2026, 11, 1, 2, 0, "2026-11-01T07:00:00Z");
	tz_free(tz);

	tz = test_tz_load("Australia/Sydney");
	test_tz_expect_wall(tz, 2026, 10, 4, 2, 30, "2026-10-03T16:00:00Z");
	test_tz_expect_wall(tz, 2026, 4, 5, 2, 30, "2026-04-04T15:30:00Z");
	tz_free(tz);

	tz = test_tz_load("Australia/Lord_Howe");
	test_tz_expect_wall(tz, 2026, 10, 4, 2, 15, "2026-10-03T15:30:00Z");
	test_tz_expect_wall(tz, 2026, 10, 4, 2, 30, "2026-10-03T15:30:00Z");
	test_tz_expect_wall(tz, 2026, 4, 5, 1, 45, "2026-04-04T14:45:00Z");
	test_tz_expect_wall(tz, 2026, 4, 5, 2, 0, "2026-04-04T15:30:00Z");
	tz_free(tz);
}

/* A "slim" file (one transition, then the footer) matches the full one. */
static void
test_tz_slim(void **state)
{
	static const struct test_tz_type types[] = {
		{ 3600, 0, "CET" }, { 7200, 1, "CEST" }
	};
	/* 1996-10-27T01:00:00Z, the last change before the current rule. */
	static const int64_t		 trans[] = { 846378000 };
	static const unsigned char	 idx[] = { 0 };
	unsigned char			 buf[512];
	struct tz			*slim, *full;
	char				*cause = NULL;
	int64_t				 a, b, t, end;
	size_t				 len;
	int				 n = 0;

	(void)state;
	full = test_tz_load("Europe/Berlin");
	len = test_tz_build(buf, 2, trans, idx, 1, types, 2,
	    "CET-1CEST,M3.5.0,M10.5.0/3");
	if ((slim = tz_parse("Slim/Berlin", buf, len, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_string_equal(tz_name(slim), "Slim/Berlin");

	t = test_tz_at("1997-01-01T00:00:00Z");
	end = test_tz_at("2040-01-01T00:00:00Z");
	for (;;) {
		assert_int_equal(tz_next_transition(full, t, &a), 0);
		assert_int_equal(tz_next_transition(slim, t, &b), 0);
		assert_int_equal(a, b);
		if (a >= end)
			break;
		assert_int_equal(tz_offset(slim, b - 1, NULL),
		    tz_offset(full, a - 1, NULL));
		assert_int_equal(tz_offset(slim, b, NULL),
		    tz_offset(full, a, NULL));
		assert_int_equal(tz_from_wall(slim, b + 3600 + 1800),
		    tz_from_wall(full, a + 3600 + 1800));
		t = a;
		n++;
	}
	assert_int_equal(n, 86);	/* two a year, 1997 to 2039 */
	test_tz_expect(slim, "2026-03-29T01:00:00Z", 7200, "CEST", 1);
	test_tz_expect(slim, "1990-06-01T00:00:00Z", 3600, "CET", 0);
	tz_free(slim);
	tz_free(full);
}

/* Version 1 files: 32-bit times, no footer; the last type lasts forever. */
static void
test_tz_version1(void **state)
{
	static const struct test_tz_type types[] = {
		{ -18000, 0, "EST" }, { -14400, 1, "EDT" }
	};
	static const int64_t		 trans[] = { 1772953200, 1793512800 };
	static const unsigned char	 idx[] = { 1, 0 };
	unsigned char			 buf[512];
	struct tz			*tz;
	char				*cause = NULL;
	size_t				 len;

	(void)state;
	len = test_tz_build(buf, 1, trans, idx, 2, types, 2, NULL);
	if ((tz = tz_parse("V1", buf, len, &cause)) == NULL)
		fail_msg("%s", cause);
	test_tz_expect(tz, "2026-01-01T00:00:00Z", -18000, "EST", 0);
	test_tz_expect(tz, "2026-03-08T07:00:00Z", -14400, "EDT", 1);
	test_tz_expect(tz, "2026-11-01T06:00:00Z", -18000, "EST", 0);
	test_tz_expect(tz, "2030-07-01T00:00:00Z", -18000, "EST", 0);
	test_tz_expect_next(tz, "2026-01-01T00:00:00Z", "2026-03-08T07:00:00Z");
	test_tz_expect_next(tz, "2026-11-01T06:00:00Z", "");
	tz_free(tz);
}

/* UTC exists and never changes. */
static void
test_tz_utc(void **state)
{
	struct tz	*tz = test_tz_load("UTC");

	(void)state;
	test_tz_expect(tz, "2026-03-29T01:00:00Z", 0, "UTC", 0);
	test_tz_expect(tz, "1900-01-01T00:00:00Z", 0, "UTC", 0);
	test_tz_expect_next(tz, "2026-01-01T00:00:00Z", "");
	test_tz_expect_wall(tz, 2026, 3, 29, 2, 30, "2026-03-29T02:30:00Z");
	tz_free(tz);
	tz = test_tz_load("Etc/UTC");
	test_tz_expect(tz, "2026-03-29T01:00:00Z", 0, "UTC", 0);
	tz_free(tz);
}

/* Unknown, unsafe and malformed zones are refused with a clear cause. */
static void
test_tz_errors(void **state)
{
	static const struct {
		const char	*name, *want;
	} bad[] = {
		{ "Europe/Berln", "unknown time zone \"Europe/Berln\"" },
		{ "Europe", "unknown time zone \"Europe\"" },
		{ "../etc/passwd", "invalid time zone name \"../etc/passwd\"" },
		{ "Europe/../../etc/passwd",
		    "invalid time zone name \"Europe/../../etc/passwd\"" },
		{ "/etc/passwd", "invalid time zone name \"/etc/passwd\"" },
		{ "", "invalid time zone name \"\"" },
		{ "Europe/Berlin ",
		    "invalid time zone name \"Europe/Berlin \"" },
		{ "zone.tab", "time zone \"zone.tab\": not a TZif file" },
	};
	static const struct test_tz_type types[] = { { 3600, 0, "CET" } };
	unsigned char	 buf[512];
	struct tz	*tz;
	char		*cause;
	size_t		 i, len;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_null(tz_load(bad[i].name, &cause));
		assert_string_equal(cause, bad[i].want);
		free(cause);
	}

	len = test_tz_build(buf, 2, NULL, NULL, 0, types, 1, "CET-1");
	for (i = 0; i < len; i++) {
		cause = NULL;
		assert_null(tz_parse("Cut", buf, i, &cause));
		assert_non_null(cause);
		free(cause);
	}
	assert_non_null(tz = tz_parse("Whole", buf, len, &cause));
	test_tz_expect(tz, "2026-06-01T00:00:00Z", 3600, "CET", 0);
	tz_free(tz);

	len = test_tz_build(buf, 2, NULL, NULL, 0, types, 1,
	    "CET-1CEST,M13.5.0");
	assert_null(tz_parse("Footer", buf, len, &cause));
	assert_string_equal(cause, "time zone \"Footer\": bad TZif footer "
	    "\"CET-1CEST,M13.5.0\"");
	free(cause);
}

/* $TZDIR points tz_load at another database. */
static void
test_tz_tzdir(void **state)
{
	static const struct test_tz_type types[] = { { 19800, 0, "IST" } };
	unsigned char	 buf[512];
	char		 dir[] = "/tmp/test_tz.XXXXXX", path[64];
	struct tz	*tz;
	FILE		*f;
	size_t		 len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/Custom", dir);
	len = test_tz_build(buf, 2, NULL, NULL, 0, types, 1, "IST-5:30");
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);

	setenv("TZDIR", dir, 1);
	tz = test_tz_load("Custom");
	unsetenv("TZDIR");
	test_tz_expect(tz, "2026-06-01T00:00:00Z", 19800, "IST", 0);
	tz_free(tz);
	unlink(path);
	rmdir(dir);
}

/* Run every tz test. */
int
main(void)
{
	const struct CMUnitTest	 tests[] = {
		cmocka_unit_test(test_tz_berlin),
		cmocka_unit_test(test_tz_new_york),
		cmocka_unit_test(test_tz_sydney),
		cmocka_unit_test(test_tz_half_hours),
		cmocka_unit_test(test_tz_lord_howe),
		cmocka_unit_test(test_tz_rule_changes),
		cmocka_unit_test(test_tz_dublin),
		cmocka_unit_test(test_tz_far_future),
		cmocka_unit_test(test_tz_from_local),
		cmocka_unit_test(test_tz_slim),
		cmocka_unit_test(test_tz_version1),
		cmocka_unit_test(test_tz_utc),
		cmocka_unit_test(test_tz_errors),
		cmocka_unit_test(test_tz_tzdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
