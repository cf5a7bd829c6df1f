/* SPDX-License-Identifier: ISC */
/* Cron expressions: parsing, and the next fire instant in a time zone. */
#ifndef NUDGED_CRON_H
#define NUDGED_CRON_H

#include <stdint.h>

struct cron;
struct tz;

/* How far ahead cron_next looks: the rarest valid schedule, the fifth
 * weekday of February, can be 40 years apart. */
#define CRON_SEARCH_YEARS 50

/*
 * Parse "min hour dom month dow" or a macro (@yearly @annually @monthly
 * @weekly @daily @midnight @hourly). NULL on error with *cause, and
 * *column the 1-based column at fault (0: the whole expression).
 */
struct cron	*cron_parse(const char *expr, char **cause, int *column);
void		 cron_free(struct cron *);
/*
 * The first fire instant strictly after `after` (UTC seconds) in zone tz:
 * 0 and *next, or -1 if there is none within CRON_SEARCH_YEARS.
 */
int		 cron_next(const struct cron *, const struct tz *,
		    int64_t after, int64_t *next);
/* True when the hour field is `*` or has a step (follows elapsed time). */
int		 cron_is_frequent(const struct cron *);

#endif
