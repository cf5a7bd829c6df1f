/* SPDX-License-Identifier: ISC */
/*
 * The answer pipeline on a hand-held clock, without HTTP: requests are
 * handed to reply.c as the HTTP server would, and a waiter records the
 * answer. Channel "team" (answer_window 1d) has two nudges sent, a day
 * apart; an answer attaches by its code, else to the newest nudge within
 * the window; once the window closes it is refused (422) and nothing is
 * stored; a platform's retry of the same message is stored once and
 * answered 2xx again; no one hears 2xx before the turn's commit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bank.h"
#include "chat/chat.h"
#include "clock.h"
#include "config.h"
#include "harness.h"
#include "reply.h"
#include "reply_world.h"
#include "replycode.h"
#include "store.h"

/* 2026-06-01 06:00:00Z: the newer nudge is due then, the older a day before. */
#define NEWER_DUE	1780293600LL
#define OLDER_DUE	(NEWER_DUE - 86400)

struct fixture {
	struct reply_world	 w;
	int64_t			 older, newer;	/* delivery ids */
	char			 older_code[REPLYCODE_LEN + 1];
	struct reply_answer	 a[2];
};

/* Add a sent prompt on "team"; its id. */
static int64_t
sent(struct fixture *f, int64_t due)
{
	struct store_delivery d = { .schedule = "s", .channel = "team",
	    .prompt_id = f->w.bank->prompts[0].id, .due_at = due,
	    .state = STORE_SENT, .cycle = 1 };

	return reply_world_sent(&f->w, &d, NULL, NULL);
}

/* POST /api/v1/replies with a JSON body and a bearer token. */
static void
api(struct fixture *f, const char *json, const char *bearer,
    struct reply_answer *a)
{
	struct reply_request req = { .path = "/api/v1/replies",
	    .content_type = "application/json", .body = json,
	    .len = strlen(json), .bearer = bearer,
	    .header = reply_world_header };

	replies_handle_api(f->w.r, &req, reply_world_waiter(a));
}

/* An API answer on "team" with the right token; code may be NULL. */
static void
api_answer(struct fixture *f, const char *code, const char *id,
    struct reply_answer *a)
{
	char *json = harness_format("{\"channel\": \"team\", \"user\": \"U1\", "
	    "\"text\": \"a good week\"%s%s%s%s%s%s}",
	    code ? ", \"code\": \"" : "", code ? code : "", code ? "\"" : "",
	    id ? ", \"id\": \"" : "", id ? id : "", id ? "\"" : "");

	api(f, json, "tok-team", a);
	free(json);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *cwd = getcwd(NULL, 0), *text;

	reply_world_init(&f->w);
	text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:1\", \"prompts\": \"%s/prompts\", \"channels\": {"
	    "\"team\": {\"platform\": \"console\", \"api_token\": \"tok-team\"},"
	    "\"mm\": {\"platform\": \"mattermost\", \"webhook\": "
	    "\"http://127.0.0.1:1/mm\", \"token\": \"mm-token\"}},"
	    "\"schedules\": [{\"name\": \"s\", \"cron\": \"0 6 * * *\", "
	    "\"channel\": \"team\", \"answer_window\": \"1d\"},"
	    "{\"name\": \"s-mm\", \"cron\": \"0 6 * * *\", \"channel\": "
	    "\"mm\"}]}", cwd);
	reply_world_load(&f->w, text, NEWER_DUE + 3600);
	f->older = sent(f, OLDER_DUE);
	f->newer = sent(f, NEWER_DUE);
	replycode_for(f->older, f->older_code);
	free(text);
	free(cwd);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	reply_world_close(&f->w);
	for (size_t i = 0; i < 2; i++)
		reply_answer_free(&f->a[i]);
	free(f);
	return 0;
}

/* The code names the older nudge: the answer is stored on it, not the newest. */
static void
test_attach_by_code(void **state)
{
	struct fixture *f = *state;
	char *want = NULL;

	/* Within the older nudge's window (1 d): 23 h after it. */
	clock_fake_set(&f->w.clock, (OLDER_DUE + 23 * 3600) * 1000);
	api_answer(f, f->older_code, NULL, &f->a[0]);
	reply_world_turn(&f->w);
	assert_int_equal(f->a[0].calls, 1);
	assert_int_equal(f->a[0].status, 200);
	assert_non_null(strstr(f->a[0].body, "\"status\":\"stored\""));
	if (asprintf(&want, "\"delivery_id\":%lld", (long long)f->older) < 0)
		fail();
	assert_non_null(strstr(f->a[0].body, want));
	free(want);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies r JOIN deliveries d ON d.id = r.delivery_id WHERE "
	    "d.due_at = 1780207200 AND r.text = 'a good week'"), 1);
}

/* Without a code the answer goes to the newest nudge within its window. */
static void
test_attach_to_the_newest(void **state)
{
	struct fixture *f = *state;

	api_answer(f, NULL, NULL, &f->a[0]);
	reply_world_turn(&f->w);
	assert_int_equal(f->a[0].status, 200);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies r JOIN deliveries d ON d.id = r.delivery_id WHERE "
	    "d.due_at = 1780293600"),
	    1);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 1);
}

/*
 * A day and a second after the newest nudge, its window (1 d) is closed:
 * 422 with the reason, at once, and nothing stored. A second earlier it was
 * open.
 */
static void
test_window_closed(void **state)
{
	struct fixture *f = *state;

	clock_fake_set(&f->w.clock, (NEWER_DUE + 86400 + 1) * 1000);
	api_answer(f, NULL, NULL, &f->a[0]);
	assert_int_equal(f->a[0].calls, 1);
	assert_int_equal(f->a[0].status, 422);
	assert_non_null(strstr(f->a[0].body, "closed for answers"));
	reply_world_turn(&f->w);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 0);

	clock_fake_set(&f->w.clock, (NEWER_DUE + 86400) * 1000);
	api_answer(f, NULL, NULL, &f->a[1]);
	reply_world_turn(&f->w);
	assert_int_equal(f->a[1].status, 200);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 1);
}

/* The same API id twice: stored once, both answered 200, the second as a duplicate. */
static void
test_duplicate_api_id_answered_again(void **state)
{
	struct fixture *f = *state;

	api_answer(f, NULL, "retry-1", &f->a[0]);
	reply_world_turn(&f->w);
	api_answer(f, NULL, "retry-1", &f->a[1]);
	reply_world_turn(&f->w);
	assert_int_equal(f->a[0].status, 200);
	assert_non_null(strstr(f->a[0].body, "\"status\":\"stored\""));
	assert_int_equal(f->a[1].status, 200);
	assert_non_null(strstr(f->a[1].body, "\"status\":\"duplicate\""));
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 1);
}

/* Mattermost retries a post with the same post_id: one row, 2xx both times. */
static void
test_duplicate_platform_message_answered_again(void **state)
{
	struct fixture *f = *state;
	const char *form = "token=mm-token&user_id=U9&user_name=ada&"
	    "channel_id=C1&post_id=P1&text=busy+but+good";
	struct reply_request req = { .path = "/mattermost",
	    .content_type = "application/x-www-form-urlencoded", .body = form,
	    .len = strlen(form), .header = reply_world_header };
	struct store_delivery d = { .schedule = "s-mm", .channel = "mm",
	    .prompt_id = f->w.bank->prompts[0].id, .due_at = NEWER_DUE,
	    .state = STORE_SENT, .cycle = 1 };

	assert_int_equal(store_enqueue(f->w.st, &d, NULL), 1);
	for (size_t i = 0; i < 2; i++) {
		replies_handle_chat(f->w.r, &req,
		    &chat_find("mattermost")->routes[0],
		    reply_world_waiter(&f->a[i]));
		reply_world_turn(&f->w);
		assert_int_equal(f->a[i].calls, 1);
		assert_int_equal(f->a[i].status, 200);
	}
	assert_non_null(strstr(f->a[1].body, "Already saved"));
	assert_null(strstr(f->a[0].body, "Already saved"));
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies WHERE channel = 'mm' AND message_id = 'P1'"), 1);
}

/* Accepted answers hear nothing until the loop turns and commits them. */
static void
test_no_2xx_before_the_commit(void **state)
{
	struct fixture *f = *state;

	api_answer(f, NULL, "a", &f->a[0]);
	api_answer(f, NULL, "b", &f->a[1]);
	assert_int_equal(f->a[0].calls, 0);
	assert_int_equal(f->a[1].calls, 0);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 0);
	reply_world_turn(&f->w);
	assert_int_equal(f->a[0].status, 200);
	assert_int_equal(f->a[1].status, 200);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 2);
}

/* No token, a wrong one, or a wrong content type: refused at once, nothing stored. */
static void
test_refusals(void **state)
{
	struct fixture *f = *state;
	const char *json = "{\"channel\": \"team\", \"user\": \"U1\", "
	    "\"text\": \"hi\"}";
	struct reply_request form = { .path = "/api/v1/replies",
	    .content_type = "text/plain", .body = json, .len = strlen(json),
	    .bearer = "tok-team", .header = reply_world_header };

	api(f, json, NULL, &f->a[0]);
	assert_int_equal(f->a[0].status, 401);
	api(f, json, "tok-other", &f->a[1]);
	assert_int_equal(f->a[1].status, 403);
	assert_string_equal(f->a[1].type, "application/json");
	replies_handle_api(f->w.r, &form, reply_world_waiter(&f->a[0]));
	assert_int_equal(f->a[0].status, 415);
	reply_world_turn(&f->w);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attach_by_code, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_attach_to_the_newest, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_window_closed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_duplicate_api_id_answered_again, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_duplicate_platform_message_answered_again, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_2xx_before_the_commit,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
