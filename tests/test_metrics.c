/* SPDX-License-Identifier: ISC */
/*
 * The metrics registry on its own: label values escaped as the text format
 * wants, routes a client cannot invent, refusal reasons from a fixed set,
 * cumulative histogram buckets, refused credentials cleared by a success.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* The rendered exposition with empty gauges. */
static char *
render(void)
{
	struct metrics_gauges g = { 0 };

	return metrics_render(&g);
}

static int
reset(void **state)
{
	(void)state;
	metrics_reset();
	return 0;
}

static void
test_label_values_are_escaped(void **state)
{
	char *text;

	(void)state;
	metrics_count_enqueued("a\"b\\c\nd/reminder", "slack", 1);
	metrics_count_enqueued("a\"b\\c\nd", "slack", 1);
	metrics_count_skipped("a\"b\\c\nd", "slack", 0);
	text = render();
	/* Reminders count under their schedule; one series, two nudges. */
	assert_non_null(strstr(text, "nudged_nudges_enqueued_total{schedule="
	    "\"a\\\"b\\\\c\\nd\",platform=\"slack\"} 2\n"));
	/* Nothing skipped: no series. */
	assert_null(strstr(text, "nudged_nudges_skipped_total{"));
	free(text);
}

static void
test_routes_and_reasons_are_a_fixed_set(void **state)
{
	char *text;

	(void)state;
	metrics_count_refused("/api/v1/replies?x=1", 422);
	metrics_count_refused("/whatever/a-client/chose", 401);
	metrics_count_refused("/api/v1/replies", 418);
	metrics_count_answer("/api/v1/replies");
	text = render();
	assert_non_null(strstr(text, "nudged_answers_refused_total{route="
	    "\"/api/v1/replies\",reason=\"no_question\"} 1\n"));
	assert_non_null(strstr(text, "nudged_answers_refused_total{route="
	    "\"other\",reason=\"unauthenticated\"} 1\n"));
	assert_non_null(strstr(text, "nudged_answers_refused_total{route="
	    "\"/api/v1/replies\",reason=\"other\"} 1\n"));
	assert_non_null(strstr(text, "nudged_answers_accepted_total{route="
	    "\"/api/v1/replies\"} 1\n"));
	assert_null(strstr(text, "a-client"));
	free(text);
}

static void
test_latency_buckets_are_cumulative(void **state)
{
	char *text;

	(void)state;
	metrics_count_delivery("s", "slack", METRICS_SENT, 0.2);
	metrics_count_delivery("s", "slack", METRICS_SENT, 45);
	metrics_count_delivery("s", "slack", METRICS_SENT, 7200);
	metrics_count_delivery("s", "slack", METRICS_RETRY, 0);
	text = render();
	assert_non_null(strstr(text, "_bucket{le=\"0.5\"} 1\n"));
	assert_non_null(strstr(text, "_bucket{le=\"30\"} 1\n"));
	assert_non_null(strstr(text, "_bucket{le=\"60\"} 2\n"));
	assert_non_null(strstr(text, "_bucket{le=\"3600\"} 2\n"));
	assert_non_null(strstr(text, "_bucket{le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(text, "nudged_delivery_latency_seconds_sum "
	    "7245.2\n"));
	assert_non_null(strstr(text, "nudged_delivery_latency_seconds_count 3\n"));
	assert_non_null(strstr(text, "nudged_delivery_retries_total{schedule="
	    "\"s\",platform=\"slack\"} 1\n"));
	free(text);
}

static void
test_refused_credentials_until_a_success(void **state)
{
	(void)state;
	metrics_note_credentials("a", 200, 1);
	metrics_note_credentials("b", 500, 0);
	assert_null(metrics_credentials_refused(0));
	metrics_note_credentials("a", 403, 0);
	metrics_note_credentials("b", 401, 0);
	assert_string_equal(metrics_credentials_refused(0), "a");
	assert_string_equal(metrics_credentials_refused(1), "b");
	/* A retryable failure says nothing about credentials; a success does. */
	metrics_note_credentials("a", 503, 0);
	assert_string_equal(metrics_credentials_refused(0), "a");
	metrics_note_credentials("a", 200, 1);
	assert_string_equal(metrics_credentials_refused(0), "b");
	assert_null(metrics_credentials_refused(1));
	metrics_forget_credentials();
	assert_null(metrics_credentials_refused(0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_label_values_are_escaped,
		    reset, reset),
		cmocka_unit_test_setup_teardown(
		    test_routes_and_reasons_are_a_fixed_set, reset, reset),
		cmocka_unit_test_setup_teardown(
		    test_latency_buckets_are_cumulative, reset, reset),
		cmocka_unit_test_setup_teardown(
		    test_refused_credentials_until_a_success, reset, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
