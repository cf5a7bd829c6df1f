/* SPDX-License-Identifier: ISC */
/* Follow-through: a prompt's "later" follow-up, asked at the next instant. */
#ifndef NUDGED_FOLLOWUP_H
#define NUDGED_FOLLOWUP_H

#include <stdint.h>

struct bank;
struct config_schedule;
struct store;

/* How much of an answer a follow-up quotes, in characters. */
#define FOLLOWUP_QUOTE_CHARS	200

int	 followup_enqueue(struct store *, const struct bank *,
	    const struct config_schedule *, const char *person, int64_t at);
char	*followup_quote_line(const char *answer, int64_t answered_due,
	    int64_t at);
int	 followup_last_time(struct store *, const struct bank *,
	    const char *schedule, int64_t at, char **line);

#endif
