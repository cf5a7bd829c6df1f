/* SPDX-License-Identifier: ISC */
/*
 * Time zones from raw TZif bytes: tz_parse on any input. A refused input
 * must say why; an accepted zone is walked from 1900 through its changes of
 * offset (explicit transitions, then the POSIX TZ footer), and at each step
 * the answers must hold together: offsets within RFC 8536's bounds, the
 * local breakdown agreeing with the offset, the next change strictly later
 * with no change before it, an existing wall time mapping back to its first
 * occurrence (or to the end of an earlier gap that skipped it), and, at a
 * change far from any other, a wall time in the gap mapping to the end of
 * the gap. Two cron expressions are walked in the zone
 * too, since that is what the zone is for.
 */
#include "fuzz.h"

#include "cron.h"
#include "tz.h"

#define FUZZ_TZ_MAX_LEN		(64 * 1024)
#define FUZZ_TZ_STEPS		64
#define FUZZ_TZ_OFF_MAX		93599
#define FUZZ_TZ_LIMIT		((int64_t)1 << 40)
#define FUZZ_TZ_APART		(2 * 93600)

static void	fuzz_tz_instant(const struct tz *, int64_t);
static void	fuzz_tz_change(const struct tz *, int64_t, int64_t, int64_t);
static void	fuzz_tz_cron(const struct tz *, const char *);

/* Nothing to set up: every input builds its own zone. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* What must hold at one instant. */
static void
fuzz_tz_instant(const struct tz *tz, int64_t t)
{
	struct tz_local l;
	const char *abbr = NULL;
	int32_t off = tz_offset(tz, t, &abbr);
	int64_t wall = t + off, u;

	if (off < -FUZZ_TZ_OFF_MAX || off > FUZZ_TZ_OFF_MAX || abbr == NULL)
		fuzz_fail("offset %d at %lld", off, (long long)t);
	tz_to_local(tz, t, &l);
	if (l.utoff != off || l.month < 1 || l.month > 12 || l.day < 1 ||
	    l.day > 31 || l.hour < 0 || l.hour > 23 || l.min < 0 || l.min > 59 ||
	    l.sec < 0 || l.sec > 59 || l.wday < 0 || l.wday > 6 || l.yday < 0 ||
	    l.yday > 365)
		fuzz_fail("local time of %lld is out of range", (long long)t);
	/*
	 * The first instant showing this wall time, t itself or earlier; or,
	 * when an earlier change skipped this wall time (a gap, even one a
	 * later change makes up for), the end of that gap.
	 */
	u = tz_from_wall(tz, wall);
	if (u > t || (u + tz_offset(tz, u, NULL) != wall &&
	    !(wall >= u + tz_offset(tz, u - 1, NULL) &&
	    wall < u + tz_offset(tz, u, NULL))))
		fuzz_fail("wall time %lld of %lld (offset %d) maps to %lld "
		    "(offset %d)", (long long)wall, (long long)t, off,
		    (long long)u, tz_offset(tz, u, NULL));
}

/* What must hold at a change of offset at `at`, between changes prev and next. */
static void
fuzz_tz_change(const struct tz *tz, int64_t prev, int64_t at, int64_t next)
{
	int32_t before = tz_offset(tz, at - 1, NULL);
	int32_t after = tz_offset(tz, at, NULL);
	int64_t want, got;

	if (before == after)
		fuzz_fail("a change at %lld keeps offset %d", (long long)at,
		    after);
	if (at - prev < FUZZ_TZ_APART || next - at < FUZZ_TZ_APART)
		return;
	if (after > before) {
		/* Forward: the first wall time of the gap maps to its end. */
		got = tz_from_wall(tz, at + before);
		want = at;
	} else {
		/* Back: the first repeated wall time maps to its first occurrence. */
		got = tz_from_wall(tz, at + after);
		want = at + after - before;
	}
	if (got != want)
		fuzz_fail("change at %lld from offset %d to %d: wall time maps "
		    "to %lld, not %lld", (long long)at, before, after,
		    (long long)got, (long long)want);
}

/* Walk a cron expression in the zone and check each fire time. */
static void
fuzz_tz_cron(const struct tz *tz, const char *expr)
{
	struct cron *c = cron_parse(expr, NULL, NULL);
	int64_t t = 1774742400, next, again;	/* 2026-03-29T00:00:00Z */

	if (c == NULL)
		fuzz_fail("cannot parse \"%s\"", expr);
	for (int i = 0; i < 3 && cron_next(c, tz, t, &next) == 0; i++) {
		if (next <= t || cron_next(c, tz, next - 1, &again) != 0 ||
		    again != next)
			fuzz_fail("\"%s\": next after %lld is %lld, but after "
			    "%lld it is %lld", expr, (long long)t,
			    (long long)next, (long long)(next - 1),
			    (long long)again);
		t = next;
	}
	cron_free(c);
}

/* One input: the bytes of a TZif file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tz *tz;
	char *cause = NULL;
	int64_t t = -2208988800, prev = t, at, next;	/* from 1900 */
	static const int64_t fixed[] = { 0, 1774742400, 1792886400,
	    4102444800, (int64_t)1 << 35, -((int64_t)1 << 35) };

	if (size > FUZZ_TZ_MAX_LEN)
		return 0;
	if ((tz = tz_parse("Fuzz/Zone", data, size, &cause)) == NULL) {
		if (cause == NULL || strstr(cause, "Fuzz/Zone") == NULL)
			fuzz_fail("refused without a cause naming the zone: %s",
			    cause ? cause : "none");
		free(cause);
		return 0;
	}
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
		fuzz_tz_instant(tz, fixed[i]);
	for (int i = 0; i < FUZZ_TZ_STEPS && t < FUZZ_TZ_LIMIT; i++) {
		fuzz_tz_instant(tz, t);
		/* Instants are clamped to about 2 million years: stay inside. */
		if (tz_next_transition(tz, t, &at) != 0 || at >= FUZZ_TZ_LIMIT)
			break;
		if (at <= t || tz_offset(tz, at - 1, NULL) != tz_offset(tz, t,
		    NULL))
			fuzz_fail("next change after %lld (offset %d) is %lld "
			    "(offset just before it %d)", (long long)t,
			    tz_offset(tz, t, NULL), (long long)at,
			    tz_offset(tz, at - 1, NULL));
		if (tz_next_transition(tz, at, &next) != 0 ||
		    next > FUZZ_TZ_LIMIT)
			next = FUZZ_TZ_LIMIT;
		/* The first change's predecessor is unknown: not isolated. */
		fuzz_tz_change(tz, i > 0 ? prev : at, at, next);
		prev = at;
		t = at;
	}
	fuzz_tz_cron(tz, "30 2 * * *");
	fuzz_tz_cron(tz, "*/30 * * * *");
	tz_free(tz);
	return 0;
}
