/* SPDX-License-Identifier: ISC */
/* Slack's Web API: request bodies as the docs specify, answers classified. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/slack_api.h"

#define TOKEN	"xoxb-1-2-s3cr3t"

static struct chat_nudge
fixture(void)
{
	struct chat_nudge n;

	memset(&n, 0, sizeof n);
	n.kind = CHAT_PROMPT;
	n.delivery_id = 4711;
	n.schedule = "daily-coaching";
	n.channel = "acme";
	n.prompt_id = "coaching-002";
	n.theme = "coaching";
	n.theme_title = "Coaching";
	n.text = "Which question <helped> someone think for themselves today?";
	n.follow_up = "What did you hear once you stopped talking?";
	n.due_at = INT64_C(1774623600);
	return n;
}

/* The request's header list holds exactly this line. */
static void
assert_header(const struct chat_request *req, const char *line)
{
	for (size_t i = 0; i < req->nheaders; i++)
		if (strcmp(req->headers[i], line) == 0)
			return;
	fail_msg("no header \"%s\"", line);
}

/* A JSON body's member by a path of up to three keys (array index as "0"). */
static const cJSON *
at(const cJSON *o, const char *a, const char *b, const char *c)
{
	const char *keys[] = { a, b, c };

	for (int i = 0; i < 3 && keys[i] != NULL && o != NULL; i++)
		o = cJSON_IsArray(o) ? cJSON_GetArrayItem(o, atoi(keys[i])) :
		    cJSON_GetObjectItemCaseSensitive(o, keys[i]);
	assert_non_null(o);
	return o;
}

static const char *
str(const cJSON *o, const char *a, const char *b, const char *c)
{
	const cJSON *v = at(o, a, b, c);

	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static void
test_url(void **state)
{
	char *u;

	(void)state;
	u = slack_api_url(SLACK_API_BASE, "chat.postMessage");
	assert_string_equal(u, "https://slack.com/api/chat.postMessage");
	free(u);
	u = slack_api_url("http://127.0.0.1:9/api", "views.open");
	assert_string_equal(u, "http://127.0.0.1:9/api/views.open");
	free(u);
}

static void
test_open_dm(void **state)
{
	struct chat_request req;
	cJSON *body;

	(void)state;
	slack_api_open_dm("U01ADA", TOKEN, &req);
	assert_string_equal(req.content_type, "application/json; charset=utf-8");
	assert_header(&req, "Authorization: Bearer " TOKEN);
	body = cJSON_Parse(req.body);
	assert_string_equal(str(body, "users", NULL, NULL), "U01ADA");
	assert_int_equal(cJSON_GetArraySize(body), 1);
	cJSON_Delete(body);
	chat_request_free(&req);
}

static void
test_post_nudge(void **state)
{
	struct chat_nudge n = fixture();
	struct chat_request req;
	char *cause = NULL;
	cJSON *body, *blocks;

	(void)state;
	assert_int_equal(slack_api_post_nudge(&n, "D01ADA", NULL, TOKEN, &req,
	    &cause), 0);
	assert_header(&req, "Authorization: Bearer " TOKEN);
	body = cJSON_Parse(req.body);
	assert_string_equal(str(body, "channel", NULL, NULL), "D01ADA");
	assert_null(cJSON_GetObjectItem(body, "thread_ts"));
	assert_true(cJSON_IsFalse(at(body, "unfurl_links", NULL, NULL)));
	/* The notification fallback and the section escape < > as Slack asks. */
	assert_non_null(strstr(str(body, "text", NULL, NULL), "&lt;helped&gt;"));
	blocks = cJSON_GetObjectItem(body, "blocks");
	assert_int_equal(cJSON_GetArraySize(blocks), 4);
	assert_string_equal(str(blocks, "0", "type", NULL), "section");
	assert_non_null(strstr(str(blocks, "0", "text", "text"),
	    "&lt;helped&gt;"));
	assert_string_equal(str(blocks, "1", "type", NULL), "context");
	assert_string_equal(str(blocks, "2", "type", NULL), "actions");
	assert_string_equal(str(at(blocks, "2", "elements", "0"), "action_id",
	    NULL, NULL), SLACK_ACTION_ANSWER);
	assert_string_equal(str(at(blocks, "2", "elements", "0"), "value", NULL,
	    NULL), "4711");
	assert_string_equal(str(at(blocks, "2", "elements", "0"), "text",
	    "text", NULL), "Answer");
	cJSON_Delete(body);
	chat_request_free(&req);

	/* A follow-up goes in the answered nudge's thread. */
	assert_int_equal(slack_api_post_nudge(&n, "D01ADA", "1700000000.000100",
	    TOKEN, &req, &cause), 0);
	body = cJSON_Parse(req.body);
	assert_string_equal(str(body, "thread_ts", NULL, NULL),
	    "1700000000.000100");
	cJSON_Delete(body);
	chat_request_free(&req);
}

static void
test_post_context_and_limits(void **state)
{
	struct chat_nudge n = fixture();
	struct chat_request req;
	char *cause = NULL, *big;
	cJSON *body;

	(void)state;
	n.context = "release 4.2 shipped";
	assert_int_equal(slack_api_post_nudge(&n, "C1", NULL, TOKEN, &req,
	    &cause), 0);
	body = cJSON_Parse(req.body);
	assert_non_null(strstr(str(at(body, "blocks", "0", "text"), "text", NULL,
	    NULL), "_release 4.2 shipped_\n"));
	cJSON_Delete(body);
	chat_request_free(&req);

	big = malloc(3100);
	memset(big, 'a', 3099);
	big[3099] = '\0';
	n.context = NULL;
	n.text = big;
	assert_int_equal(slack_api_post_nudge(&n, "C1", NULL, TOKEN, &req,
	    &cause), -1);
	assert_non_null(strstr(cause, "at most 3000"));
	assert_null(req.body);
	free(cause);
	free(big);
}

static void
test_modal(void **state)
{
	struct chat_nudge n = fixture();
	struct chat_request req;
	char *cause = NULL;
	cJSON *body, *view;

	(void)state;
	assert_int_equal(slack_api_open_modal(&n, "123.456.abc", "My last try",
	    TOKEN, &req, &cause), 0);
	body = cJSON_Parse(req.body);
	assert_string_equal(str(body, "trigger_id", NULL, NULL), "123.456.abc");
	view = cJSON_GetObjectItem(body, "view");
	assert_string_equal(str(view, "type", NULL, NULL), "modal");
	assert_string_equal(str(view, "callback_id", NULL, NULL),
	    SLACK_VIEW_ANSWER);
	assert_string_equal(str(view, "private_metadata", NULL, NULL), "4711");
	assert_true(strlen(str(view, "title", "text", NULL)) <= 24);
	assert_non_null(cJSON_GetObjectItem(view, "submit"));
	assert_string_equal(str(view, "blocks", "1", "type"), "input");
	assert_true(cJSON_IsTrue(at(at(view, "blocks", "1", "element"),
	    "multiline", NULL, NULL)));
	assert_int_equal(at(at(view, "blocks", "1", "element"), "max_length",
	    NULL, NULL)->valueint, SLACK_INPUT_MAX);
	assert_string_equal(str(at(view, "blocks", "1", "element"),
	    "initial_value", NULL, NULL), "My last try");
	cJSON_Delete(body);
	chat_request_free(&req);
}

static void
test_update_and_users_info(void **state)
{
	struct chat_nudge n = fixture();
	struct chat_request req;
	char *cause = NULL;
	cJSON *body;

	(void)state;
	assert_int_equal(slack_api_update_answered(&n, "D01ADA",
	    "1700000000.000100", "Answered \xe2\x80\x94 streak 5", TOKEN, &req,
	    &cause), 0);
	body = cJSON_Parse(req.body);
	assert_string_equal(str(body, "ts", NULL, NULL), "1700000000.000100");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(body,
	    "blocks")), 2);
	assert_string_equal(str(at(body, "blocks", "1", "elements"), "0", "text",
	    NULL), "Answered \xe2\x80\x94 streak 5");
	cJSON_Delete(body);
	chat_request_free(&req);

	slack_api_users_info("U01 ADA&x", TOKEN, &req);
	assert_string_equal(req.content_type,
	    "application/x-www-form-urlencoded");
	assert_string_equal(req.body, "user=U01%20ADA%26x");
	assert_header(&req, "Authorization: Bearer " TOKEN);
	chat_request_free(&req);
}

/* Read one answer and check its class and error. */
static void
read_case(const char *method, long status, const char *body, int64_t retry,
    enum slack_api_class cls, const char *error, int64_t want_retry)
{
	struct slack_api_answer a;

	slack_api_read(method, status, body, body != NULL ? strlen(body) : 0,
	    retry, &a);
	if (a.cls != cls)
		fail_msg("%s %ld %s: class %d, want %d", method, status,
		    body != NULL ? body : "(null)", a.cls, cls);
	if (error == NULL)
		assert_null(a.error);
	else
		assert_string_equal(a.error, error);
	assert_int_equal(a.retry_ms, want_retry);
	slack_api_answer_free(&a);
}

static void
test_read(void **state)
{
	struct slack_api_answer a;
	const char *ok = "{\"ok\":true,\"channel\":{\"id\":\"D0456\"}}";

	(void)state;
	slack_api_read("conversations.open", 200, ok, strlen(ok), -1, &a);
	assert_int_equal(a.cls, SLACK_API_OK);
	assert_string_equal(a.channel, "D0456");
	slack_api_answer_free(&a);
	ok = "{\"ok\":true,\"channel\":\"D0456\",\"ts\":\"1700000000.000200\"}";
	slack_api_read("chat.postMessage", 200, ok, strlen(ok), -1, &a);
	assert_string_equal(a.channel, "D0456");
	assert_string_equal(a.ts, "1700000000.000200");
	slack_api_answer_free(&a);
	ok = "{\"ok\":true,\"user\":{\"id\":\"U1\",\"tz\":\"Asia/Tokyo\"}}";
	slack_api_read("users.info", 200, ok, strlen(ok), -1, &a);
	assert_string_equal(a.tz, "Asia/Tokyo");
	slack_api_answer_free(&a);

	read_case("conversations.open", 200,
	    "{\"ok\":false,\"error\":\"user_not_found\"}", -1, SLACK_API_PERSON,
	    "user_not_found", -1);
	read_case("conversations.open", 200,
	    "{\"ok\":false,\"error\":\"account_inactive\"}", -1,
	    SLACK_API_PERSON, "account_inactive", -1);
	read_case("conversations.open", 200,
	    "{\"ok\":false,\"error\":\"cannot_dm_bot\"}", -1, SLACK_API_PERSON,
	    "cannot_dm_bot", -1);
	/* From chat.postMessage, account_inactive is the token's own user. */
	read_case("chat.postMessage", 200,
	    "{\"ok\":false,\"error\":\"account_inactive\"}", -1, SLACK_API_AUTH,
	    "account_inactive", -1);
	read_case("chat.postMessage", 200,
	    "{\"ok\":false,\"error\":\"invalid_auth\"}", -1, SLACK_API_AUTH,
	    "invalid_auth", -1);
	read_case("views.open", 200, "{\"ok\":false,\"error\":\"token_revoked\"}",
	    -1, SLACK_API_AUTH, "token_revoked", -1);
	read_case("chat.postMessage", 200,
	    "{\"ok\":false,\"error\":\"missing_scope\"}", -1, SLACK_API_AUTH,
	    "missing_scope", -1);
	read_case("chat.postMessage", 200,
	    "{\"ok\":false,\"error\":\"ratelimited\"}", 3000, SLACK_API_RETRY,
	    "ratelimited", 3000);
	read_case("chat.postMessage", 429, "", 30000, SLACK_API_RETRY,
	    "ratelimited", 30000);
	read_case("chat.postMessage", 503, "<html>", -1, SLACK_API_RETRY,
	    "Slack answered with a server error", -1);
	read_case("chat.postMessage", 200,
	    "{\"ok\":false,\"error\":\"msg_too_long\"}", -1, SLACK_API_FAIL,
	    "msg_too_long", -1);
	read_case("chat.postMessage", 200, "{\"ok\":false}", -1, SLACK_API_FAIL,
	    "unknown_error", -1);
	read_case("chat.postMessage", 200, "<html>proxy</html>", -1,
	    SLACK_API_RETRY, "Slack's answer was not a Web API answer", -1);
	read_case("chat.postMessage", 404, "not found", -1, SLACK_API_FAIL,
	    "Slack's answer was not a Web API answer", -1);
	read_case("chat.postMessage", 200, NULL, -1, SLACK_API_RETRY,
	    "Slack's answer was not a Web API answer", -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_open_dm),
		cmocka_unit_test(test_post_nudge),
		cmocka_unit_test(test_post_context_and_limits),
		cmocka_unit_test(test_modal),
		cmocka_unit_test(test_update_and_users_info),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
