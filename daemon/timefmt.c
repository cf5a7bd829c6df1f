/* SPDX-License-Identifier: ISC */
/*
 * Calendar arithmetic (proleptic Gregorian, days counted from 1970-01-01) and
 * the few text forms of time nudged reads and writes: ISO 8601 instants with
 * an explicit offset, plain dates, and compact durations such as "1h30m".
 */
#include "timefmt.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Longest input quoted back in an error message. */
#define TIMEFMT_QUOTE_MAX 64

static int	timefmt_digits(const char **, int, int *);
static int	timefmt_parse_ymd(const char **, int *, int *, int *,
		    const char *, const char *, char **);
static int	timefmt_parse_offset(const char **, int32_t *, const char *,
		    char **);
static void	timefmt_error(char **, const char *, const char *,
		    const char *, ...) __attribute__((format(printf, 4, 5)));
static int64_t	timefmt_floor_div(int64_t, int64_t);

/* Days from 1970-01-01 to y-m-d (Howard Hinnant's days_from_civil). */
int64_t
timefmt_days_from_civil(int y, int m, int d)
{
	int64_t	 yy = (int64_t)y - (m <= 2);
	int64_t	 era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t	 yoe = yy - era * 400;
	int64_t	 doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t	 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

/* The civil date of a day count from 1970-01-01 (inverse of the above). */
void
timefmt_civil_from_days(int64_t days, int *y, int *m, int *d)
{
	int64_t	 z = days + 719468;
	int64_t	 era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t	 doe = z - era * 146097;
	int64_t	 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t	 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t	 mp = (5 * doy + 2) / 153;
	int	 mm = (int)(mp < 10 ? mp + 3 : mp - 9);

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = mm;
	*y = (int)(yoe + era * 400 + (mm <= 2));
}

/* Day of the week of a day count, 0 = Sunday (1970-01-01 was a Thursday). */
int
timefmt_weekday(int64_t days)
{
	return (int)((days % 7 + 11) % 7);
}

/* True for Gregorian leap years. */
int
timefmt_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Number of days in month m (1-12) of year y. */
int
timefmt_days_in_month(int y, int m)
{
	static const int	 len[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m < 1 || m > 12)
		return 0;
	if (m == 2 && timefmt_is_leap(y))
		return 29;
	return len[m - 1];
}

/* Floor division, so that times before 1970 land on the right day. */
static int64_t
timefmt_floor_div(int64_t a, int64_t b)
{
	int64_t	 q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

/* Set *cause to "<what> "<input>": <message>". */
static void
timefmt_error(char **cause, const char *what, const char *input,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	xasprintf(cause, "bad %s \"%.*s%s\": %s", what, TIMEFMT_QUOTE_MAX,
	    input, strlen(input) > TIMEFMT_QUOTE_MAX ? "..." : "", msg);
	free(msg);
}

/* Read exactly n decimal digits at *pp; 0 on success. */
static int
timefmt_digits(const char **pp, int n, int *value)
{
	const char	*p = *pp;
	int		 v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	*value = v;
	return 0;
}

/* Read and validate "YYYY-MM-DD" at *pp. */
static int
timefmt_parse_ymd(const char **pp, int *y, int *m, int *d, const char *what,
    const char *input, char **cause)
{
	const char	*p = *pp;

	if (timefmt_digits(&p, 4, y) != 0 || *p++ != '-' ||
	    timefmt_digits(&p, 2, m) != 0 || *p++ != '-' ||
	    timefmt_digits(&p, 2, d) != 0) {
		timefmt_error(cause, what, input, "expected YYYY-MM-DD");
		return -1;
	}
	if (*m < 1 || *m > 12) {
		timefmt_error(cause, what, input,
		    "month %d is out of range 1-12", *m);
		return -1;
	}
	if (*d < 1 || *d > timefmt_days_in_month(*y, *m)) {
		timefmt_error(cause, what, input,
		    "day %d is out of range 1-%d for %04d-%02d", *d,
		    timefmt_days_in_month(*y, *m), *y, *m);
		return -1;
	}
	*pp = p;
	return 0;
}

/* Read "Z" or a numeric UTC offset at *pp into seconds east of UTC. */
static int
timefmt_parse_offset(const char **pp, int32_t *utoff, const char *input,
    char **cause)
{
	const char	*p = *pp;
	int		 sign, hh, mm = 0;

	if (*p == 'Z' || *p == 'z') {
		*utoff = 0;
		*pp = p + 1;
		return 0;
	}
	if (*p != '+' && *p != '-') {
		if (*p == '\0')
			timefmt_error(cause, "timestamp", input,
			    "missing UTC offset (\"Z\" or \"+HH:MM\")");
		else
			timefmt_error(cause, "timestamp", input, "unexpected "
			    "\"%c\" where the UTC offset belongs", *p);
		return -1;
	}
	sign = *p++ == '-' ? -1 : 1;
	if (timefmt_digits(&p, 2, &hh) != 0)
		goto bad;
	if (*p == ':') {
		p++;
		if (timefmt_digits(&p, 2, &mm) != 0)
			goto bad;
	} else if (isdigit((unsigned char)*p)) {
		if (timefmt_digits(&p, 2, &mm) != 0)
			goto bad;
	}
	if (hh > 23 || mm > 59)
		goto bad;
	*utoff = sign * (hh * 3600 + mm * 60);
	*pp = p;
	return 0;

bad:
	timefmt_error(cause, "timestamp", input,
	    "bad UTC offset (expected \"+HH:MM\", \"+HHMM\" or \"+HH\")");
	return -1;
}

/* Parse an ISO 8601 instant with an explicit offset into UTC seconds. */
int
timefmt_parse_iso8601(const char *s, int64_t *t, char **cause)
{
	const char	*p = s;
	int		 y, m, d, hh, mi, ss = 0;
	int32_t		 utoff;

	if (timefmt_parse_ymd(&p, &y, &m, &d, "timestamp", s, cause) != 0)
		return -1;
	if (*p != 'T' && *p != 't') {
		timefmt_error(cause, "timestamp", s,
		    "expected \"T\" between date and time");
		return -1;
	}
	p++;
	if (timefmt_digits(&p, 2, &hh) != 0 || *p++ != ':' ||
	    timefmt_digits(&p, 2, &mi) != 0) {
		timefmt_error(cause, "timestamp", s, "expected time HH:MM");
		return -1;
	}
	if (*p == ':') {
		p++;
		if (timefmt_digits(&p, 2, &ss) != 0) {
			timefmt_error(cause, "timestamp", s,
			    "expected seconds after \"HH:MM:\"");
			return -1;
		}
	}
	if (hh > 23 || mi > 59 || ss > 59) {
		timefmt_error(cause, "timestamp", s,
		    "time %02d:%02d:%02d is out of range", hh, mi, ss);
		return -1;
	}
	if (*p == '.' || *p == ',') {
		timefmt_error(cause, "timestamp", s,
		    "fractional seconds are not supported");
		return -1;
	}
	if (timefmt_parse_offset(&p, &utoff, s, cause) != 0)
		return -1;
	if (*p != '\0') {
		timefmt_error(cause, "timestamp", s,
		    "unexpected \"%s\" after the UTC offset", p);
		return -1;
	}
	*t = timefmt_days_from_civil(y, m, d) * 86400 + hh * 3600 + mi * 60 +
	    ss - utoff;
	return 0;
}

/* Parse a local calendar date "YYYY-MM-DD". */
int
timefmt_parse_date(const char *s, int *y, int *m, int *d, char **cause)
{
	const char	*p = s;
	int		 yy, mm, dd;

	if (timefmt_parse_ymd(&p, &yy, &mm, &dd, "date", s, cause) != 0)
		return -1;
	if (*p != '\0') {
		timefmt_error(cause, "date", s,
		    "unexpected \"%s\" after the date", p);
		return -1;
	}
	*y = yy;
	*m = mm;
	*d = dd;
	return 0;
}

/* Format a UTC instant as "YYYY-MM-DDTHH:MM:SSZ". */
void
timefmt_utc(int64_t t, char *buf, size_t len)
{
	int64_t	 days = timefmt_floor_div(t, 86400);
	int	 sod = (int)(t - days * 86400), y, m, d;

	timefmt_civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
	    sod / 3600, sod / 60 % 60, sod % 60);
}

/* Format an instant as local time at a given offset, with the offset. */
void
timefmt_local(int64_t t, int32_t utoff, char *buf, size_t len)
{
	int64_t	 local = t + utoff;
	int64_t	 days = timefmt_floor_div(local, 86400);
	int	 sod = (int)(local - days * 86400), y, m, d;
	int	 a = utoff < 0 ? -utoff : utoff;

	timefmt_civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", y, m, d,
	    sod / 3600, sod / 60 % 60, sod % 60, utoff < 0 ? '-' : '+',
	    a / 3600, a / 60 % 60);
}

/* Parse a compact duration such as "1h30m" into seconds. */
int
timefmt_parse_duration(const char *s, int64_t *seconds, char **cause)
{
	static const char	 units[] = "wdhms";
	static const int64_t	 scale[] = { 604800, 86400, 3600, 60, 1 };
	const char		*p = s, *u;
	int64_t			 total = 0, n;
	int			 last = -1;

	if (*p == '\0') {
		timefmt_error(cause, "duration", s, "empty");
		return -1;
	}
	while (*p != '\0') {
		if (!isdigit((unsigned char)*p)) {
			timefmt_error(cause, "duration", s,
			    "expected a number at \"%s\"", p);
			return -1;
		}
		for (n = 0; isdigit((unsigned char)*p); p++) {
			if (n > (INT64_MAX - 9) / 10)
				goto overflow;
			n = n * 10 + (*p - '0');
		}
		if (*p == '\0') {
			timefmt_error(cause, "duration", s,
			    "missing unit after %" PRId64 " (w, d, h, m or s)",
			    n);
			return -1;
		}
		if ((u = strchr(units, *p)) == NULL) {
			timefmt_error(cause, "duration", s,
			    "unknown unit \"%c\" (w, d, h, m or s)", *p);
			return -1;
		}
		if (u - units <= last) {
			timefmt_error(cause, "duration", s,
			    "unit \"%c\" repeated or out of order", *p);
			return -1;
		}
		last = (int)(u - units);
		if (n > (INT64_MAX - total) / scale[last])
			goto overflow;
		total += n * scale[last];
		p++;
	}
	*seconds = total;
	return 0;

overflow:
	timefmt_error(cause, "duration", s, "too large");
	return -1;
}
