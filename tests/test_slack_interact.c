/* SPDX-License-Identifier: ISC */
/* Slack interactivity: the Answer button and the modal's submission, read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>

#include "chat/slack_interact.h"

#define CLICK \
	"{\"type\":\"block_actions\",\"user\":{\"id\":\"U01ADA\"," \
	"\"username\":\"ada\"},\"trigger_id\":\"123.456.abc\"," \
	"\"container\":{\"type\":\"message\",\"channel_id\":\"D01ADA\"," \
	"\"message_ts\":\"1700000000.000100\"},\"actions\":[{\"action_id\":" \
	"\"nudged_answer\",\"block_id\":\"nudged\",\"value\":\"4711\"}]}"
#define SUBMIT \
	"{\"type\":\"view_submission\",\"user\":{\"id\":\"U01ADA\"," \
	"\"name\":\"ada\"},\"view\":{\"id\":\"V0001\",\"callback_id\":" \
	"\"nudged_answer\",\"private_metadata\":\"4711\",\"state\":{\"values\":" \
	"{\"answer\":{\"text\":{\"type\":\"plain_text_input\",\"value\":" \
	"\"I asked & listened\"}}}}}}"

/* Parse a form whose payload field is json; returns parse's result. */
static int
parse(const char *json, struct slack_interaction *si, char **cause)
{
	char *enc = evhttp_uriencode(json, -1, 0), *body;
	struct chat_inbound in;
	int rv;

	if (asprintf(&body, "payload=%s", enc) == -1)
		abort();
	memset(&in, 0, sizeof in);
	in.body = body;
	in.len = strlen(body);
	in.content_type = "application/x-www-form-urlencoded";
	rv = slack_interaction_parse(&in, si, cause);
	free(body);
	free(enc);
	return rv;
}

static void
test_click(void **state)
{
	struct slack_interaction si;
	char *cause = NULL;

	(void)state;
	assert_int_equal(parse(CLICK, &si, &cause), 0);
	assert_int_equal(si.kind, SLACK_INTERACT_OPEN);
	assert_int_equal(si.delivery_id, 4711);
	assert_string_equal(si.user_id, "U01ADA");
	assert_string_equal(si.user_name, "ada");
	assert_string_equal(si.trigger_id, "123.456.abc");
	assert_string_equal(si.channel_id, "D01ADA");
	assert_string_equal(si.message_ts, "1700000000.000100");
	slack_interaction_free(&si);
}

static void
test_submit(void **state)
{
	struct slack_interaction si;
	char *cause = NULL;

	(void)state;
	assert_int_equal(parse(SUBMIT, &si, &cause), 0);
	assert_int_equal(si.kind, SLACK_INTERACT_SUBMIT);
	assert_int_equal(si.delivery_id, 4711);
	assert_string_equal(si.user_id, "U01ADA");
	assert_string_equal(si.user_name, "ada");
	assert_string_equal(si.view_id, "V0001");
	assert_string_equal(si.text, "I asked & listened");
	slack_interaction_free(&si);
}

static void
test_ignored(void **state)
{
	struct slack_interaction si;
	char *cause = NULL;

	(void)state;
	assert_int_equal(parse("{\"type\":\"view_closed\"}", &si, &cause), 0);
	assert_int_equal(si.kind, SLACK_INTERACT_IGNORE);
	assert_int_equal(parse("{\"type\":\"block_actions\",\"actions\":[{"
	    "\"action_id\":\"someone_elses\"}]}", &si, &cause), 0);
	assert_int_equal(si.kind, SLACK_INTERACT_IGNORE);
	assert_int_equal(parse("{\"type\":\"view_submission\",\"view\":{"
	    "\"callback_id\":\"other\"}}", &si, &cause), 0);
	assert_int_equal(si.kind, SLACK_INTERACT_IGNORE);
}

/* Each malformed payload is refused with a cause naming what is wrong. */
static void
test_malformed(void **state)
{
	static const struct {
		const char *json, *cause;
	} cases[] = {
		{ "[1]", "not a JSON object" },
		{ "{\"type\":1}", "type" },
		{ "{\"type\":\"block_actions\"}", "actions" },
		{ "{\"type\":\"block_actions\",\"actions\":[{\"action_id\":"
		  "\"nudged_answer\",\"value\":\"12x\"}]}", "not a nudge's id" },
		{ "{\"type\":\"block_actions\",\"actions\":[{\"action_id\":"
		  "\"nudged_answer\",\"value\":\"-4\"}]}", "not a nudge's id" },
		{ "{\"type\":\"block_actions\",\"actions\":[{\"action_id\":"
		  "\"nudged_answer\",\"value\":\"99999999999999999999\"}]}",
		  "not a nudge's id" },
		{ "{\"type\":\"block_actions\",\"actions\":[{\"action_id\":"
		  "\"nudged_answer\",\"value\":\"4\"}]}", "trigger_id" },
		{ "{\"type\":\"view_submission\",\"view\":{\"id\":\"V1\","
		  "\"callback_id\":\"nudged_answer\",\"private_metadata\":\"4\"}}",
		  "state" },
		{ "{\"type\":\"view_submission\",\"user\":{\"id\":\"U1\"},"
		  "\"view\":{\"id\":\"V1\",\"callback_id\":\"nudged_answer\","
		  "\"private_metadata\":\"4\",\"state\":{\"values\":{\"answer\":"
		  "{\"text\":{\"value\":\"\xff\"}}}}}}", "UTF-8" },
	};
	struct slack_interaction si;
	char *cause;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		if (parse(cases[i].json, &si, &cause) != -1)
			fail_msg("case %zu accepted", i);
		if (cause == NULL || strstr(cause, cases[i].cause) == NULL)
			fail_msg("case %zu: cause \"%s\" lacks \"%s\"", i,
			    cause != NULL ? cause : "(null)", cases[i].cause);
		assert_null(si.user_id);
		free(cause);
	}
}

static void
test_not_a_form(void **state)
{
	struct slack_interaction si;
	struct chat_inbound in;
	char *cause = NULL;

	(void)state;
	memset(&in, 0, sizeof in);
	in.body = SUBMIT;
	in.len = strlen(SUBMIT);
	in.content_type = "application/json";
	assert_int_equal(slack_interaction_parse(&in, &si, &cause), -1);
	assert_non_null(strstr(cause, "payload"));
	free(cause);
}

static void
test_reply(void **state)
{
	const char *type = NULL;
	char *body;

	(void)state;
	body = slack_interaction_reply(NULL, &type);
	assert_string_equal(body, "");
	free(body);
	body = slack_interaction_reply("Answers are at most 4,000 characters",
	    &type);
	assert_string_equal(type, "application/json");
	assert_string_equal(body, "{\"response_action\":\"errors\",\"errors\":"
	    "{\"answer\":\"Answers are at most 4,000 characters\"}}");
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_click),
		cmocka_unit_test(test_submit),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_not_a_form),
		cmocka_unit_test(test_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
