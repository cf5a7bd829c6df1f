/* SPDX-License-Identifier: ISC */
/* Reading /reflect sub-commands: a small, exact grammar. */
#include "selfserve.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timefmt.h"
#include "xmalloc.h"

/* The longest absence one command records; longer is a typo more often than not. */
#define SELFSERVE_AWAY_MAX_DAYS	366
/* Enough words for "away 2026-12-20 2027-01-06". */
#define SELFSERVE_WORDS		4

static size_t	selfserve_split(char *, char **, size_t);
static int	selfserve_day(const char *, int64_t *, char **);
static int	selfserve_away(char **, size_t, struct selfserve *, char **);
static int	selfserve_dates(char **, size_t);

static const struct {
	const char		*word;
	enum selfserve_kind	 kind;
} selfserve_words[] = {
	{ "pause", SELFSERVE_PAUSE },
	{ "resume", SELFSERVE_RESUME },
	{ "streak", SELFSERVE_STREAK },
	{ "edit", SELFSERVE_EDIT },
	{ "help", SELFSERVE_HELP },
};

/* Split s in place at blanks; at most max words, the count (max + 1 when more). */
static size_t
selfserve_split(char *s, char **words, size_t max)
{
	size_t n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(s, " \t\r\n", &save); w != NULL;
	    w = strtok_r(NULL, " \t\r\n", &save)) {
		if (n == max)
			return max + 1;
		words[n++] = w;
	}
	return n;
}

/* "YYYY-MM-DD" as days since 1970-01-01. */
static int
selfserve_day(const char *s, int64_t *day, char **cause)
{
	int y, m, d;

	if (timefmt_parse_date(s, &y, &m, &d, cause) == -1)
		return -1;
	*day = timefmt_days_from_civil(y, m, d);
	return 0;
}

/*
 * Whether the words after "away" are meant as dates ("until" or digits and
 * dashes): "away from home" is an answer, "away 2026-13-01" a typo.
 */
static int
selfserve_dates(char **w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(w[i], "until") != 0 &&
		    strspn(w[i], "0123456789-") != strlen(w[i]))
			return 0;
	return 1;
}

/* away FROM UNTIL | away until UNTIL: both days included. */
static int
selfserve_away(char **w, size_t n, struct selfserve *ss, char **cause)
{
	const char *usage = "use \"away 2026-12-20 2027-01-06\" or \"away "
	    "until 2027-01-06\" (both days included)";

	if (n != 3) {
		xasprintf(cause, "away needs two dates: %s", usage);
		return -1;
	}
	if (strcasecmp(w[1], "until") == 0)
		ss->from_day = -1;
	else if (selfserve_day(w[1], &ss->from_day, cause) == -1)
		return -1;
	if (selfserve_day(w[2], &ss->until_day, cause) == -1)
		return -1;
	if (ss->from_day != -1 && ss->until_day < ss->from_day) {
		xasprintf(cause, "away ends before it starts: %s", usage);
		return -1;
	}
	if (ss->from_day != -1 &&
	    ss->until_day - ss->from_day >= SELFSERVE_AWAY_MAX_DAYS) {
		xasprintf(cause, "away for more than a year: use \"pause\" "
		    "instead, and \"resume\" when you are back");
		return -1;
	}
	ss->kind = SELFSERVE_AWAY;
	return 0;
}

/* Read text as a sub-command, or leave it an answer. */
int
selfserve_parse(const char *text, struct selfserve *ss, char **cause)
{
	char *copy = xstrdup(text), *w[SELFSERVE_WORDS];
	size_t n = selfserve_split(copy, w, SELFSERVE_WORDS), i;
	int rv = 0;

	memset(ss, 0, sizeof *ss);
	if (n == 0 || n > SELFSERVE_WORDS)
		goto out;
	if (strcasecmp(w[0], "away") == 0 && selfserve_dates(w + 1, n - 1))
		rv = selfserve_away(w, n, ss, cause);
	else if (n == 1) {
		for (i = 0; i < sizeof selfserve_words /
		    sizeof selfserve_words[0]; i++)
			if (strcasecmp(w[0], selfserve_words[i].word) == 0)
				ss->kind = selfserve_words[i].kind;
	}
out:
	free(copy);
	return rv;
}

/* What /reflect can do, for "help" and for a sub-command typed wrong. */
const char *
selfserve_help(void)
{
	return "/reflect ANSWER: answer your newest question\n"
	    "/reflect away 2026-12-20 2027-01-06: no questions on those days "
	    "(or \"away until 2027-01-06\")\n"
	    "/reflect pause: no questions until you resume\n"
	    "/reflect resume: questions again\n"
	    "/reflect streak: your streak, response rate and last three "
	    "answers\n"
	    "/reflect edit: change your last answer while it is open\n"
	    "/reflect help: this list";
}
