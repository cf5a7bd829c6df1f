/* SPDX-License-Identifier: ISC */
/*
 * Self-service: what a person asks of nudged by a /reflect sub-command
 * (away, pause, resume, streak, edit, help), the same on every platform.
 * A text is a sub-command only when all of it fits one exactly: "pause
 * more often" stays an answer.
 */
#ifndef NUDGED_SELFSERVE_H
#define NUDGED_SELFSERVE_H

#include <stdint.h>

enum selfserve_kind {
	SELFSERVE_NONE,		/* not a sub-command: an answer */
	SELFSERVE_AWAY,		/* away FROM UNTIL, or away until UNTIL */
	SELFSERVE_PAUSE,	/* no nudges until resume */
	SELFSERVE_RESUME,
	SELFSERVE_STREAK,	/* their streak, rate and last three answers */
	SELFSERVE_EDIT,		/* change their last answer while its window is open */
	SELFSERVE_HELP,
};

struct selfserve {
	enum selfserve_kind kind;
	int64_t	 from_day;	/* AWAY: local days since 1970-01-01, inclusive; */
	int64_t	 until_day;	/* -1 for from_day means "from today" */
};

/*
 * Read text as a sub-command. 0 with kind NONE when it is an answer; 0 with
 * the request; -1 and a cause when it is a sub-command with bad arguments
 * ("away 2026-13-01", an end before the start, more than a year away).
 */
int		 selfserve_parse(const char *text, struct selfserve *, char **cause);
/* The help text, one line per sub-command. */
const char	*selfserve_help(void);

#endif
