/* SPDX-License-Identifier: ISC */
/*
 * Cron expressions: cron_parse on any string. A refused expression must say
 * why and point at a column inside it; an accepted one is walked with
 * cron_next in UTC and Europe/Berlin from a few instants (the 2026 clock
 * changes among them), and every fire time must be strictly later than the
 * instant asked from, within the search horizon, and the same again when
 * asked from one second before it (the fire times are one fixed set).
 */
#include "fuzz.h"

#include "cron.h"
#include "tz.h"

#define FUZZ_CRON_MAX_LEN	512
#define FUZZ_CRON_STEPS		3
#define FUZZ_CRON_HORIZON	((int64_t)CRON_SEARCH_YEARS * 366 * 86400)

/* Loaded once before the first input and only read afterwards. */
static struct tz *fuzz_cron_zones[2];

static const int64_t fuzz_cron_from[] = {
	1774742400,	/* 2026-03-29T00:00:00Z, the night Berlin springs forward */
	1792886400,	/* 2026-10-25T00:00:00Z, the night Berlin falls back */
	1709164799,	/* 2024-02-28T23:59:59Z, before a leap day */
};

static void	fuzz_cron_walk(const struct cron *, const struct tz *, int64_t,
		    const char *);

/* Load the two zones every input is walked in. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *cause = NULL;

	(void)argc;
	(void)argv;
	if ((fuzz_cron_zones[0] = tz_load("UTC", &cause)) == NULL ||
	    (fuzz_cron_zones[1] = tz_load("Europe/Berlin", &cause)) == NULL)
		fuzz_fail("cannot load the zones: %s", cause);
	return 0;
}

/* Follow an expression's fire times from an instant, checking each. */
static void
fuzz_cron_walk(const struct cron *c, const struct tz *tz, int64_t from,
    const char *expr)
{
	int64_t t = from, next, again;

	for (int i = 0; i < FUZZ_CRON_STEPS; i++) {
		if (cron_next(c, tz, t, &next) != 0)
			return;	/* none within the horizon: allowed */
		if (next <= t || next > t + FUZZ_CRON_HORIZON)
			fuzz_fail("\"%s\" in %s: next after %lld is %lld", expr,
			    tz_name(tz), (long long)t, (long long)next);
		if (cron_next(c, tz, next - 1, &again) != 0 || again != next)
			fuzz_fail("\"%s\" in %s: next after %lld is %lld, but "
			    "after %lld it is %lld", expr, tz_name(tz),
			    (long long)t, (long long)next, (long long)(next - 1),
			    (long long)again);
		t = next;
	}
}

/* One input: an expression. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *expr, *cause = NULL;
	struct cron *c;
	int column = -1;

	if (size > FUZZ_CRON_MAX_LEN)
		return 0;
	expr = fuzz_string(data, size);
	if ((c = cron_parse(expr, &cause, &column)) == NULL) {
		if (cause == NULL || strncmp(cause, "cron: ", 6) != 0 ||
		    column < 0 || (size_t)column > strlen(expr) + 1)
			fuzz_fail("\"%s\" refused without a proper cause (%s) or "
			    "column (%d)", expr, cause ? cause : "none", column);
		free(cause);
		free(expr);
		return 0;
	}
	if (cause != NULL)
		fuzz_fail("\"%s\" accepted with a cause: %s", expr, cause);
	for (size_t z = 0; z < 2; z++) {
		for (size_t i = 0; i < sizeof fuzz_cron_from /
		    sizeof fuzz_cron_from[0]; i++)
			fuzz_cron_walk(c, fuzz_cron_zones[z], fuzz_cron_from[i],
			    expr);
	}
	cron_free(c);
	free(expr);
	return 0;
}
