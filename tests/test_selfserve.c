/* SPDX-License-Identifier: ISC */
/* /reflect sub-commands: exact grammar, clear errors, answers left alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "selfserve.h"
#include "timefmt.h"

static void
test_words(void **state)
{
	static const struct {
		const char		*text;
		enum selfserve_kind	 kind;
	} cases[] = {
		{ "pause", SELFSERVE_PAUSE }, { " Pause\n", SELFSERVE_PAUSE },
		{ "resume", SELFSERVE_RESUME }, { "STREAK", SELFSERVE_STREAK },
		{ "edit", SELFSERVE_EDIT }, { "help", SELFSERVE_HELP },
		/* Answers that start like a sub-command stay answers. */
		{ "pause more often", SELFSERVE_NONE },
		{ "help them ask first", SELFSERVE_NONE },
		{ "away from home, I noticed how much I rely on chat",
		  SELFSERVE_NONE },
		{ "away from home", SELFSERVE_NONE },
		{ "", SELFSERVE_NONE }, { "   ", SELFSERVE_NONE },
		{ "I listened more than I talked", SELFSERVE_NONE },
	};
	struct selfserve ss;
	char *cause = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(selfserve_parse(cases[i].text, &ss, &cause), 0);
		if (ss.kind != cases[i].kind)
			fail_msg("\"%s\": kind %d, want %d", cases[i].text,
			    ss.kind, cases[i].kind);
	}
	assert_null(cause);
}

static void
test_away(void **state)
{
	struct selfserve ss;
	char *cause = NULL;

	(void)state;
	assert_int_equal(selfserve_parse("away 2026-12-20 2027-01-06", &ss,
	    &cause), 0);
	assert_int_equal(ss.kind, SELFSERVE_AWAY);
	assert_int_equal(ss.from_day, timefmt_days_from_civil(2026, 12, 20));
	assert_int_equal(ss.until_day, timefmt_days_from_civil(2027, 1, 6));
	assert_int_equal(selfserve_parse("away until 2027-01-06", &ss, &cause),
	    0);
	assert_int_equal(ss.kind, SELFSERVE_AWAY);
	assert_int_equal(ss.from_day, -1);
	assert_int_equal(ss.until_day, timefmt_days_from_civil(2027, 1, 6));
	assert_int_equal(selfserve_parse("away 2026-12-20 2026-12-20", &ss,
	    &cause), 0);
	assert_int_equal(ss.from_day, ss.until_day);
}

static void
test_away_errors(void **state)
{
	static const struct {
		const char *text, *cause;
	} cases[] = {
		{ "away", "needs two dates" },
		{ "away until", "needs two dates" },
		{ "away 2026-12-20", "needs two dates" },
		{ "away 2026-13-01 2027-01-06", "month" },
		{ "away 2026-02-30 2026-03-01", "day" },
		{ "away 2027-01-06 2026-12-20", "ends before it starts" },
		{ "away 2026-01-01 2027-06-01", "more than a year" },
		{ "away 2026-01-01 2026-01-02 2026-01-03", "needs two dates" },
	};
	struct selfserve ss;
	char *cause;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		if (selfserve_parse(cases[i].text, &ss, &cause) != -1)
			fail_msg("\"%s\" accepted", cases[i].text);
		if (strstr(cause, cases[i].cause) == NULL)
			fail_msg("\"%s\": \"%s\" lacks \"%s\"", cases[i].text,
			    cause, cases[i].cause);
		free(cause);
	}
}

static void
test_help(void **state)
{
	(void)state;
	assert_non_null(strstr(selfserve_help(), "/reflect away"));
	assert_non_null(strstr(selfserve_help(), "/reflect resume"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_away),
		cmocka_unit_test(test_away_errors),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
