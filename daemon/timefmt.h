/* SPDX-License-Identifier: ISC */
/* ISO 8601 timestamps, dates, durations and Gregorian day arithmetic. */
#ifndef NUDGED_TIMEFMT_H
#define NUDGED_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* "2026-03-29T01:00:00Z" plus the terminating NUL. */
#define TIMEFMT_ISO_LEN 21
/* "2026-03-29T03:00:00+02:00" plus the terminating NUL. */
#define TIMEFMT_LOCAL_LEN 26

int64_t	timefmt_days_from_civil(int y, int m, int d);
void	timefmt_civil_from_days(int64_t days, int *y, int *m, int *d);
int	timefmt_weekday(int64_t days);
int	timefmt_days_in_month(int y, int m);
int	timefmt_is_leap(int y);

/*
 * "YYYY-MM-DDTHH:MM[:SS]" followed by "Z" or an offset "+HH:MM", "+HHMM" or
 * "+HH" ('T' and 'Z' may be lower case). Fractional seconds and leap seconds
 * are rejected, not truncated. Returns 0 and UTC seconds in *t, or -1 and
 * an allocated *cause.
 */
int	timefmt_parse_iso8601(const char *s, int64_t *t, char **cause);
/* "YYYY-MM-DD", validated against the real length of the month. */
int	timefmt_parse_date(const char *s, int *y, int *m, int *d,
	    char **cause);
void	timefmt_utc(int64_t t, char *buf, size_t len);
/* t shown as local time at offset utoff, e.g. "2026-03-29T03:00:00+02:00". */
void	timefmt_local(int64_t t, int32_t utoff, char *buf, size_t len);
/*
 * One or more <digits><unit> groups, units w d h m s, each at most once and
 * largest first ("1h30m", "90s", "7d"); a bare number is an error.
 */
int	timefmt_parse_duration(const char *s, int64_t *seconds, char **cause);

#endif
