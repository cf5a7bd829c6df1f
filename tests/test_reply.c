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
#include "replycode.h"
#include "store.h"

/* 2026-06-01 06:00:00Z: the newer nudge is due then, the older a day before. */
#define NEWER_DUE	1780293600LL
#define OLDER_DUE	(NEWER_DUE - 86400)

/* What the pipeline answered one request. */
struct answer {
	int	 calls;
	int	 status;
	char	*type;
	char	*body;
};

struct fixture {
	char			*dir;
	char			*state;
	struct clock_fake	 clock;
	struct event_base	*base;
	struct config		*cfg;
	struct bank		*bank;
	struct store		*st;
	struct replies		*r;
	int64_t			 older, newer;	/* delivery ids */
	char			 older_code[REPLYCODE_LEN + 1];
	struct answer		 a[2];
};

/* The waiter's callback: keep a copy of the answer. */
static void
answer_cb(void *arg, const struct reply_response *resp)
{
	struct answer *a = arg;

	a->calls++;
	a->status = resp->status;
	free(a->type);
	free(a->body);
	a->type = strdup(resp->content_type);
	a->body = strdup(resp->body);
}

/* No request headers: the API's token comes as the bearer, Mattermost's in the body. */
static const char *
no_header(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL;
}

/* Add a sent prompt on "team"; its id. */
static int64_t
sent(struct fixture *f, int64_t due)
{
	struct store_delivery d = { .schedule = "s", .channel = "team",
	    .prompt_id = f->bank->prompts[0].id, .due_at = due,
	    .state = STORE_SENT, .cycle = 1 };
	int64_t id = 0;

	assert_int_equal(store_enqueue(f->st, &d, &id), 1);
	return id;
}

/* POST /api/v1/replies with a JSON body and a bearer token. */
static void
api(struct fixture *f, const char *json, const char *bearer, struct answer *a)
{
	struct reply_request req = { .path = "/api/v1/replies",
	    .content_type = "application/json", .body = json,
	    .len = strlen(json), .bearer = bearer, .header = no_header };

	replies_handle_api(f->r, &req, (struct reply_waiter){ answer_cb, a });
}

/* An API answer on "team" with the right token; code may be NULL. */
static void
api_answer(struct fixture *f, const char *code, const char *id,
    struct answer *a)
{
	char *json = harness_format("{\"channel\": \"team\", \"user\": \"U1\", "
	    "\"text\": \"a good week\"%s%s%s%s%s%s}",
	    code ? ", \"code\": \"" : "", code ? code : "", code ? "\"" : "",
	    id ? ", \"id\": \"" : "", id ? id : "", id ? "\"" : "");

	api(f, json, "tok-team", a);
	free(json);
}

/* Let the loop turn once: the batch is committed and answered. */
static void
turn(struct fixture *f)
{
	event_base_loop(f->base, EVLOOP_NONBLOCK);
}

/* A count from the store. */
static long long
count(struct fixture *f, const char *sql)
{
	return harness_db_int(f->state, "%s", sql);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *cwd = getcwd(NULL, 0), *cause = NULL, *path, *text;

	f->dir = harness_tmpdir();
	f->state = harness_format("%s/state", f->dir);
	path = harness_format("%s/nudged.json", f->dir);
	text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:1\", \"prompts\": \"%s/prompts\", \"channels\": {"
	    "\"team\": {\"platform\": \"console\", \"api_token\": \"tok-team\"},"
	    "\"mm\": {\"platform\": \"mattermost\", \"webhook\": "
	    "\"http://127.0.0.1:1/mm\", \"token\": \"mm-token\"}},"
	    "\"schedules\": [{\"name\": \"s\", \"cron\": \"0 6 * * *\", "
	    "\"channel\": \"team\", \"answer_window\": \"1d\"},"
	    "{\"name\": \"s-mm\", \"cron\": \"0 6 * * *\", \"channel\": "
	    "\"mm\"}]}", cwd);
	harness_write(path, text);
	if ((f->cfg = config_load(path, &cause)) == NULL ||
	    (f->bank = bank_load_for(f->cfg, &cause)) == NULL ||
	    (f->st = store_open(f->cfg->state_dir, &cause)) == NULL)
		fail_msg("%s", cause);
	f->base = event_base_new();
	clock_fake_init(&f->clock, (NEWER_DUE + 3600) * 1000);
	f->r = replies_new(f->base, &f->clock.clock, f->st, f->cfg, f->bank);
	f->older = sent(f, OLDER_DUE);
	f->newer = sent(f, NEWER_DUE);
	replycode_for(f->older, f->older_code);
	free(text);
	free(path);
	free(cwd);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	replies_free(f->r);
	store_close(f->st);
	bank_free(f->bank);
	config_free(f->cfg);
	event_base_free(f->base);
	harness_rmdir(f->dir);
	for (size_t i = 0; i < 2; i++) {
		free(f->a[i].type);
		free(f->a[i].body);
	}
	free(f->state);
	free(f->dir);
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
	clock_fake_set(&f->clock, (OLDER_DUE + 23 * 3600) * 1000);
	api_answer(f, f->older_code, NULL, &f->a[0]);
	turn(f);
	assert_int_equal(f->a[0].calls, 1);
	assert_int_equal(f->a[0].status, 200);
	assert_non_null(strstr(f->a[0].body, "\"status\":\"stored\""));
	if (asprintf(&want, "\"delivery_id\":%lld", (long long)f->older) < 0)
		fail();
	assert_non_null(strstr(f->a[0].body, want));
	free(want);
	assert_int_equal(count(f, "SELECT count(*) FROM replies r JOIN "
	    "deliveries d ON d.id = r.delivery_id WHERE d.due_at = 1780207200 "
	    "AND r.text = 'a good week'"), 1);
}

/* Without a code the answer goes to the newest nudge within its window. */
static void
test_attach_to_the_newest(void **state)
{
	struct fixture *f = *state;

	api_answer(f, NULL, NULL, &f->a[0]);
	turn(f);
	assert_int_equal(f->a[0].status, 200);
	assert_int_equal(count(f, "SELECT count(*) FROM replies r JOIN "
	    "deliveries d ON d.id = r.delivery_id WHERE d.due_at = 1780293600"),
	    1);
	assert_int_equal(count(f, "SELECT count(*) FROM replies"), 1);
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

	clock_fake_set(&f->clock, (NEWER_DUE + 86400 + 1) * 1000);
	api_answer(f, NULL, NULL, &f->a[0]);
	assert_int_equal(f->a[0].calls, 1);
	assert_int_equal(f->a[0].status, 422);
	assert_non_null(strstr(f->a[0].body, "closed for answers"));
	turn(f);
	assert_int_equal(count(f, "SELECT count(*) FROM replies"), 0);

	clock_fake_set(&f->clock, (NEWER_DUE + 86400) * 1000);
	api_answer(f, NULL, NULL, &f->a[1]);
	turn(f);
	assert_int_equal(f->a[1].status, 200);
	assert_int_equal(count(f, "SELECT count(*) FROM replies"), 1);
}

/* The same API id twice: stored once, both answered 200, the second as a duplicate. */
static void
test_duplicate_api_id_answered_again(void **state)
{
	struct fixture *f = *state;

	api_answer(f, NULL, "retry-1", &f->a[0]);
	turn(f);
	api_answer(f, NULL, "retry-1", &f->a[1]);
	turn(f);
	assert_int_equal(f->a[0].status, 200);
	assert_non_null(strstr(f->a[0].body, "\"status\":\"stored\""));
	assert_int_equal(f->a[1].status, 200);
	assert_non_null(strstr(f->a[1].body, "\"status\":\"duplicate\""));
	assert_int_equal(count(f, "SELECT count(*) FROM replies"), 1);
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
	    .len = strlen(form), .header = no_header };
	struct store_delivery d = { .schedule = "s-mm", .channel = "mm",
	    .prompt_id = f->bank->prompts[0].id, .due_at = NEWER_DUE,
	    .state = STORE_SENT, .cycle = 1 };

	assert_int_equal(store_enqueue(f->st, &d, NULL), 1);
	for (size_t i = 0; i < 2; i++) {
		replies_handle_chat(f->r, &req,
		    &chat_find("mattermost")->routes[0],
		    (struct reply_waiter){ answer_cb, &f->a[i] });
		turn(f);
		assert_int_equal(f->a[i].calls, 1);
		assert_int_equal(f->a[i].status, 200);
	}
	assert_non_null(strstr(f->a[1].body, "Already saved"));
	assert_null(strstr(f->a[0].body, "Already saved"));
	assert_int_equal(count(f, "SELECT count(*) FROM replies WHERE "
	    "channel = 'mm' AND message_id = 'P1'"), 1);
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
	assert_int_equal(count(f, "SELECT count(*) FROM replies"), 0);
	turn(f);
	assert_int_equal(f->a[0].status, 200);
	assert_int_equal(f->a[1].status, 200);
	assert_int_equal(count(f, "SELECT count(*) FROM replies"), 2);
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
	    .bearer = "tok-team", .header = no_header };

	api(f, json, NULL, &f->a[0]);
	assert_int_equal(f->a[0].status, 401);
	api(f, json, "tok-other", &f->a[1]);
	assert_int_equal(f->a[1].status, 403);
	assert_string_equal(f->a[1].type, "application/json");
	replies_handle_api(f->r, &form, (struct reply_waiter){ answer_cb,
	    &f->a[0] });
	assert_int_equal(f->a[0].status, 415);
	turn(f);
	assert_int_equal(count(f, "SELECT count(*) FROM replies"), 0);
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
