/* SPDX-License-Identifier: ISC */
/* IANA time zones read from the system TZif database (RFC 8536). */
#ifndef NUDGED_TZ_H
#define NUDGED_TZ_H

#include <stddef.h>
#include <stdint.h>

struct tz;

/* A UTC instant seen on a zone's wall clock; yday is 0-365, wday 0 = Sunday. */
struct tz_local {
	int		 year, month, day, hour, min, sec, wday, yday;
	int32_t		 utoff;		/* seconds east of UTC */
	const char	*abbr;		/* owned by the struct tz */
	int		 isdst;
};

/*
 * Load "Europe/Berlin" from $TZDIR or /usr/share/zoneinfo. Names with "..",
 * a leading "/" or characters outside [A-Za-z0-9_+-./] are refused.
 */
struct tz	*tz_load(const char *name, char **cause);
/* Build a zone from TZif bytes already in memory (tests, fuzzing). */
struct tz	*tz_parse(const char *name, const unsigned char *buf,
		    size_t len, char **cause);
void		 tz_free(struct tz *);
const char	*tz_name(const struct tz *);

int32_t		 tz_offset(const struct tz *, int64_t utc, const char **abbr);
void		 tz_to_local(const struct tz *, int64_t utc,
		    struct tz_local *out);
/*
 * Wall-clock time to UTC: a time inside a spring-forward gap maps to the
 * first instant after the gap, a time that occurs twice to its first
 * occurrence.
 */
int64_t		 tz_from_local(const struct tz *, int year, int month, int day,
		    int hour, int min, int sec);
/* The same, for wall time counted in seconds from 1970-01-01T00:00 local. */
int64_t		 tz_from_wall(const struct tz *, int64_t wall);
/*
 * The next change of UTC offset strictly after utc: 0 and *at, or -1 if the
 * offset never changes again. Transitions that change only the abbreviation
 * or the DST flag are not reported.
 */
int		 tz_next_transition(const struct tz *, int64_t utc,
		    int64_t *at);

#endif
