/* SPDX-License-Identifier: ISC */
/*
 * Times in text: the same string through timefmt_parse_iso8601,
 * timefmt_parse_date and timefmt_parse_duration. A refusal must come with a
 * cause; an accepted instant must come back unchanged through timefmt_utc
 * and timefmt_local (in the years the format can show), an accepted date
 * must be exactly its own canonical form and survive the day arithmetic, and
 * an accepted duration must be non-negative and equal to the duration its
 * canonical form ("1w2d3h4m5s") parses to. A string that is a plain integer
 * is also taken as a day count for the calendar arithmetic.
 */
#include "fuzz.h"

#include <errno.h>

#include "timefmt.h"

#define FUZZ_TIMEFMT_MAX_LEN	256
#define FUZZ_TIMEFMT_DAYS	((int64_t)1 << 31)

static void	fuzz_timefmt_instant(const char *);
static void	fuzz_timefmt_date(const char *);
static void	fuzz_timefmt_duration(const char *);
static void	fuzz_timefmt_days(const char *);

/* Nothing to set up. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* An ISO 8601 instant, and the round trips through both formatters. */
static void
fuzz_timefmt_instant(const char *s)
{
	static const int32_t offsets[] = { 0, 3600, -18000, 19800, -34200,
	    86340, -86340 };
	char buf[64], *cause = NULL;
	int64_t t, back;
	/* The instants whose date, at any offset, has four digits. */
	const int64_t lo = timefmt_days_from_civil(0, 1, 2) * 86400;
	const int64_t hi = timefmt_days_from_civil(9999, 12, 31) * 86400;

	if (timefmt_parse_iso8601(s, &t, &cause) != 0) {
		if (cause == NULL || strncmp(cause, "bad timestamp", 13) != 0)
			fuzz_fail("\"%s\" refused without a cause", s);
		free(cause);
		return;
	}
	if (strspn(s, "0123456789-:TtZz+") != strlen(s))
		fuzz_fail("\"%s\" accepted as an instant", s);
	if (t < lo || t > hi)
		return;
	timefmt_utc(t, buf, sizeof buf);
	if (timefmt_parse_iso8601(buf, &back, &cause) != 0 || back != t)
		fuzz_fail("\"%s\" is %lld, shown as \"%s\", read back as %lld",
		    s, (long long)t, buf, (long long)back);
	for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
		timefmt_local(t, offsets[i], buf, sizeof buf);
		if (timefmt_parse_iso8601(buf, &back, &cause) != 0 || back != t)
			fuzz_fail("\"%s\" is %lld, shown at offset %d as \"%s\", "
			    "read back as %lld", s, (long long)t, offsets[i], buf,
			    (long long)back);
	}
}

/* A calendar date, which has exactly one spelling. */
static void
fuzz_timefmt_date(const char *s)
{
	char buf[64], *cause = NULL;
	int y, m, d, y2, m2, d2;
	int64_t days;

	if (timefmt_parse_date(s, &y, &m, &d, &cause) != 0) {
		if (cause == NULL || strncmp(cause, "bad date", 8) != 0)
			fuzz_fail("\"%s\" refused without a cause", s);
		free(cause);
		return;
	}
	snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
	if (strcmp(buf, s) != 0 || d > timefmt_days_in_month(y, m))
		fuzz_fail("\"%s\" accepted as %s", s, buf);
	days = timefmt_days_from_civil(y, m, d);
	timefmt_civil_from_days(days, &y2, &m2, &d2);
	if (y2 != y || m2 != m || d2 != d)
		fuzz_fail("\"%s\" is day %lld, which is %04d-%02d-%02d", s,
		    (long long)days, y2, m2, d2);
}

/* A duration, against its canonical spelling. */
static void
fuzz_timefmt_duration(const char *s)
{
	static const char units[] = "wdhms";
	static const int64_t scale[] = { 604800, 86400, 3600, 60, 1 };
	char buf[160], *cause = NULL;
	int64_t secs, left, back;
	size_t len = 0;

	if (timefmt_parse_duration(s, &secs, &cause) != 0) {
		if (cause == NULL || strncmp(cause, "bad duration", 12) != 0)
			fuzz_fail("\"%s\" refused without a cause", s);
		free(cause);
		return;
	}
	if (secs < 0 || strspn(s, "0123456789wdhms") != strlen(s))
		fuzz_fail("\"%s\" accepted as %lld s", s, (long long)secs);
	left = secs;
	for (int i = 0; i < 5; i++) {
		if (left / scale[i] > 0 || (i == 4 && len == 0))
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			    "%lld%c", (long long)(left / scale[i]), units[i]);
		left %= scale[i];
	}
	if (timefmt_parse_duration(buf, &back, &cause) != 0 || back != secs)
		fuzz_fail("\"%s\" is %lld s, spelled \"%s\", read back as %lld",
		    s, (long long)secs, buf, (long long)back);
}

/* A plain integer as a day count: the calendar arithmetic must invert. */
static void
fuzz_timefmt_days(const char *s)
{
	char *end;
	long long v;
	int64_t days;
	int y, m, d;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < -FUZZ_TIMEFMT_DAYS ||
	    v > FUZZ_TIMEFMT_DAYS)
		return;
	days = v;
	timefmt_civil_from_days(days, &y, &m, &d);
	if (m < 1 || m > 12 || d < 1 || d > timefmt_days_in_month(y, m) ||
	    timefmt_days_from_civil(y, m, d) != days)
		fuzz_fail("day %lld is %d-%d-%d", (long long)days, y, m, d);
	if (timefmt_weekday(days + 1) != (timefmt_weekday(days) + 1) % 7)
		fuzz_fail("day %lld: weekdays do not follow", (long long)days);
}

/* One input: a string, read every way. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > FUZZ_TIMEFMT_MAX_LEN)
		return 0;
	s = fuzz_string(data, size);
	fuzz_timefmt_instant(s);
	fuzz_timefmt_date(s);
	fuzz_timefmt_duration(s);
	fuzz_timefmt_days(s);
	free(s);
	return 0;
}
