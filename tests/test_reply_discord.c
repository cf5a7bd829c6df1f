/* SPDX-License-Identifier: ISC */
/*
 * Discord conversations, inbound, in-process on a hand-held clock:
 * interactions signed with the application's Ed25519 key are handed to
 * reply.c as the HTTP server would. Ada and Ben were asked in their DMs on
 * channel "dc". The Answer button is answered with the modal (type 9)
 * naming its nudge; the modal's submission is stored and answered with the
 * message updated (type 7: the button disabled, "Answered — streak N");
 * someone else's click or submission, a forged or stale signature, or an
 * empty answer store nothing; a replayed submission is one answer; /reflect
 * in the bot's DM answers the person's newest nudge and takes the
 * self-service sub-commands; /reflect edit opens the modal prefilled with
 * the last answer, whose submission (no message: an ephemeral reply)
 * replaces it while its window is open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/event.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bank.h"
#include "chat/chat.h"
#include "clock.h"
#include "config.h"
#include "harness.h"
#include "reply.h"
#include "reply_world.h"
#include "sig.h"
#include "signed.h"
#include "store.h"

#define DUE	1780293600LL		/* 2026-06-01 06:00:00Z */
#define ADA	"30351110224678912"
#define BEN	"31351110224678912"
#define ADA_DM	"70351110224678912"

struct fixture {
	struct reply_world	 w;
	EVP_PKEY		*key;
	int64_t			 ada_old, ada, ben;
	struct reply_answer	 a;
	char			*headers[3];
	cJSON			*json;		/* the last answer, parsed */
};

/* POST an interaction signed by key at ts; the answer, parsed, in f->json. */
static void
post_signed(struct fixture *f, EVP_PKEY *key, int64_t ts, const char *body)
{
	const struct chat_platform *p = chat_find("discord");
	struct reply_request req = { .path = "/discord/interactions",
	    .content_type = "application/json", .body = body,
	    .len = strlen(body), .header = reply_world_header };

	free(f->headers[0]);
	free(f->headers[1]);
	signed_discord(key, ts, body, f->headers);
	req.ctx = f->headers;
	f->a.calls = 0;
	replies_handle_chat(f->w.r, &req, &p->routes[0],
	    reply_world_waiter(&f->a));
	reply_world_turn(&f->w);
	assert_int_equal(f->a.calls, 1);
	cJSON_Delete(f->json);
	f->json = cJSON_Parse(f->a.body);
}

/* POST an interaction signed with the application's key now. */
static void
post(struct fixture *f, const char *body)
{
	post_signed(f, f->key, clock_now(&f->w.clock.clock), body);
}

/* The user object of an interaction: in a DM, or as a server member. */
static char *
who(const char *user, int dm)
{
	return dm ? harness_format("\"user\": {\"id\": \"%s\", \"username\": "
	    "\"u%s\"}", user, user) : harness_format("\"guild_id\": \"1\", "
	    "\"member\": {\"user\": {\"id\": \"%s\"}}", user);
}

/* A click on the Answer button of delivery id by user. */
static void
click(struct fixture *f, const char *user, int64_t id)
{
	char *u = who(user, 1), *body = harness_format("{\"type\": 3, \"id\": "
	    "\"1400000000000000001\", \"token\": \"tok\", \"channel_id\": \""
	    ADA_DM "\", %s, \"message\": {\"id\": \"1300000000000000001\"}, "
	    "\"data\": {\"custom_id\": \"nudged_answer:%lld\", "
	    "\"component_type\": 2}}", u, (long long)id);

	post(f, body);
	free(body);
	free(u);
}

/*
 * The modal of delivery id submitted by user with text (interaction iid);
 * opened by the Answer button, it names the button's message, opened by a
 * command (from_command) it names none.
 */
static char *
submission(const char *user, int64_t id, const char *text, const char *iid,
    int from_command)
{
	cJSON *o = cJSON_CreateObject(), *data, *rows, *label, *input, *u;
	char custom[64], *s;

	cJSON_AddNumberToObject(o, "type", 5);
	cJSON_AddStringToObject(o, "id", iid);
	cJSON_AddStringToObject(o, "channel_id", ADA_DM);
	u = cJSON_AddObjectToObject(o, "user");
	cJSON_AddStringToObject(u, "id", user);
	if (!from_command)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "message"),
		    "id", "1300000000000000001");
	data = cJSON_AddObjectToObject(o, "data");
	snprintf(custom, sizeof custom, "nudged_answer:%lld", (long long)id);
	cJSON_AddStringToObject(data, "custom_id", custom);
	rows = cJSON_AddArrayToObject(data, "components");
	label = cJSON_CreateObject();
	cJSON_AddNumberToObject(label, "type", 18);
	input = cJSON_AddObjectToObject(label, "component");
	cJSON_AddNumberToObject(input, "type", 4);
	cJSON_AddStringToObject(input, "custom_id", "answer");
	cJSON_AddStringToObject(input, "value", text);
	cJSON_AddItemToArray(rows, label);
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* Submit the modal. */
static void
submit(struct fixture *f, const char *user, int64_t id, const char *text,
    const char *iid)
{
	char *body = submission(user, id, text, iid, 0);

	post(f, body);
	free(body);
}

/* /reflect answer:TEXT by user, in the bot's DM. */
static void
command(struct fixture *f, const char *user, const char *text)
{
	static int seq;
	cJSON *o = cJSON_CreateObject(), *data, *opts, *opt, *u;
	char id[32], *body;

	snprintf(id, sizeof id, "15000000000000%05d", ++seq);
	cJSON_AddNumberToObject(o, "type", 2);
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "channel_id", ADA_DM);
	cJSON_AddNumberToObject(o, "context", 1);
	u = cJSON_AddObjectToObject(o, "user");
	cJSON_AddStringToObject(u, "id", user);
	data = cJSON_AddObjectToObject(o, "data");
	cJSON_AddStringToObject(data, "name", "reflect");
	opts = cJSON_AddArrayToObject(data, "options");
	opt = cJSON_CreateObject();
	cJSON_AddStringToObject(opt, "name", "answer");
	cJSON_AddNumberToObject(opt, "type", 3);
	cJSON_AddStringToObject(opt, "value", text);
	cJSON_AddItemToArray(opts, opt);
	body = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	post(f, body);
	free(body);
}

/* A sent nudge asked of person and where it landed. */
static int64_t
sent(struct fixture *f, const char *person, int64_t due, const char *msg)
{
	struct store_delivery d = { .schedule = "daily", .channel = "dc",
	    .prompt_id = f->w.bank->prompts[0].id, .due_at = due,
	    .state = STORE_SENT, .cycle = 1, .person = person };

	return reply_world_sent(&f->w, &d, ADA_DM, msg);
}

/* A fresh Ed25519 key. */
static EVP_PKEY *
keygen(void)
{
	EVP_PKEY_CTX *k = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	EVP_PKEY *key = NULL;

	assert_int_equal(EVP_PKEY_keygen_init(k), 1);
	assert_int_equal(EVP_PKEY_keygen(k, &key), 1);
	EVP_PKEY_CTX_free(k);
	return key;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char *cwd = getcwd(NULL, 0), *text, *hex;
	unsigned char pub[32];
	size_t len = sizeof pub;

	reply_world_init(&f->w);
	f->key = keygen();
	assert_int_equal(EVP_PKEY_get_raw_public_key(f->key, pub, &len), 1);
	hex = sig_hex_encode(pub, len);
	text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:1\", \"prompts\": \"%s/prompts\", \"timezone\": "
	    "\"UTC\", \"people\": {\"ada\": {\"discord\": \"" ADA "\"}, "
	    "\"ben\": {\"discord\": \"" BEN "\"}}, \"channels\": {\"dc\": "
	    "{\"platform\": \"discord\", \"public_key\": \"%s\", \"bot_token\": "
	    "\"bot-token\", \"api_url\": \"http://127.0.0.1:1/api/v10\"}}, "
	    "\"schedules\": [{\"name\": \"daily\", \"cron\": \"0 6 * * *\", "
	    "\"channel\": \"dc\", \"to\": [\"ada\", \"ben\"], "
	    "\"answer_window\": \"1d\"}]}", cwd, hex);
	reply_world_load(&f->w, text, DUE + 3600);
	f->ada_old = sent(f, "ada", DUE - 43200, "1300000000000000000");
	f->ada = sent(f, "ada", DUE, "1300000000000000001");
	f->ben = sent(f, "ben", DUE + 60, "1300000000000000002");
	free(hex);
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
	EVP_PKEY_free(f->key);
	free(f->headers[0]);
	free(f->headers[1]);
	cJSON_Delete(f->json);
	reply_answer_free(&f->a);
	free(f);
	return 0;
}

/* An int member of the last answer by a path of keys. */
static const cJSON *
at(const cJSON *o, const char *k1, const char *k2)
{
	o = cJSON_GetObjectItem(o, k1);
	return k2 != NULL ? cJSON_GetObjectItem(o, k2) : o;
}

/*
 * Ada's click answers with the modal naming her nudge: a Label holding a
 * paragraph input of at most 4,000 characters. Nothing is stored.
 */
static void
test_click_opens_modal(void **state)
{
	struct fixture *f = *state;
	const cJSON *label, *input;
	char *want = harness_format("nudged_answer:%lld", (long long)f->ada);

	click(f, ADA, f->ada);
	assert_int_equal(f->a.status, 200);
	assert_int_equal(at(f->json, "type", NULL)->valueint, 9);
	assert_string_equal(at(f->json, "data", "custom_id")->valuestring, want);
	assert_true(strlen(at(f->json, "data", "title")->valuestring) <= 45);
	label = cJSON_GetArrayItem(at(f->json, "data", "components"), 0);
	assert_int_equal(cJSON_GetObjectItem(label, "type")->valueint, 18);
	input = cJSON_GetObjectItem(label, "component");
	assert_int_equal(cJSON_GetObjectItem(input, "type")->valueint, 4);
	assert_int_equal(cJSON_GetObjectItem(input, "style")->valueint, 2);
	assert_int_equal(cJSON_GetObjectItem(input, "max_length")->valueint,
	    4000);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 0);
	free(want);
}

/*
 * The submission is stored on its nudge, answered with the message
 * updated: the button disabled, the streak on it. Sent again (Discord
 * retried, or someone replayed it), it is still one answer.
 */
static void
test_submit_stored_and_message_updated(void **state)
{
	struct fixture *f = *state;
	const cJSON *button;
	char *sql;

	submit(f, ADA, f->ada, "I shipped the migration", "1400000000000000002");
	assert_int_equal(f->a.status, 200);
	assert_int_equal(at(f->json, "type", NULL)->valueint, 7);
	button = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    at(f->json, "data", "components"), 0), "components"), 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(button, "disabled")));
	assert_string_equal(cJSON_GetObjectItem(button, "label")->valuestring,
	    "Answered \xe2\x80\x94 streak 1");
	sql = harness_format("SELECT count(*) FROM replies WHERE delivery_id = "
	    "%lld AND user_id = '" ADA "' AND text = 'I shipped the migration' "
	    "AND source = 'discord'", (long long)f->ada);
	assert_int_equal(reply_world_count(&f->w, sql), 1);
	submit(f, ADA, f->ada, "I shipped the migration", "1400000000000000002");
	assert_int_equal(f->a.status, 200);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 1);
	free(sql);
}

/*
 * Ben's click on Ada's button is refused, and so is his submission of her
 * modal: nothing is stored.
 */
static void
test_someone_else_refused(void **state)
{
	struct fixture *f = *state;

	click(f, BEN, f->ada);
	assert_int_equal(f->a.status, 403);
	submit(f, BEN, f->ada, "not mine to answer", "1400000000000000003");
	assert_int_equal(at(f->json, "type", NULL)->valueint, 4);
	assert_int_equal(at(f->json, "data", "flags")->valueint, 64);
	assert_non_null(strstr(at(f->json, "data", "content")->valuestring,
	    "someone else"));
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 0);
}

/*
 * A submission signed by another key is 401, one signed ten minutes ago
 * (a replay) 409 as for every platform; an empty answer is told to the person. Nothing is stored.
 */
static void
test_forged_stale_and_empty_refused(void **state)
{
	struct fixture *f = *state;
	EVP_PKEY *other = keygen();
	char *body = submission(ADA, f->ada, "forged", "1400000000000000004",
	    0);

	post_signed(f, other, clock_now(&f->w.clock.clock), body);
	assert_int_equal(f->a.status, 401);
	post_signed(f, f->key, clock_now(&f->w.clock.clock) - 600, body);
	assert_int_equal(f->a.status, 409);
	submit(f, ADA, f->ada, "   ", "1400000000000000005");
	assert_int_equal(at(f->json, "type", NULL)->valueint, 4);
	assert_int_equal(at(f->json, "data", "flags")->valueint, 64);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 0);
	EVP_PKEY_free(other);
	free(body);
}

/*
 * /reflect in the bot's DM: a plain answer goes to Ada's newest nudge;
 * pause and resume change her state; streak and help answer her alone.
 */
static void
test_reflect_in_dm(void **state)
{
	struct fixture *f = *state;
	char *sql;

	command(f, ADA, "A calm week, mostly reviews");
	assert_int_equal(f->a.status, 200);
	sql = harness_format("SELECT count(*) FROM replies WHERE delivery_id = "
	    "%lld AND text = 'A calm week, mostly reviews'", (long long)f->ada);
	assert_int_equal(reply_world_count(&f->w, sql), 1);
	free(sql);
	command(f, ADA, "pause");
	assert_int_equal(at(f->json, "data", "flags")->valueint, 64);
	assert_non_null(strstr(at(f->json, "data", "content")->valuestring,
	    "Paused"));
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "person_state WHERE person = 'ada' AND paused_at IS NOT NULL"), 1);
	command(f, ADA, "resume");
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "person_state WHERE person = 'ada' AND paused_at IS NULL"), 1);
	command(f, ADA, "streak");
	assert_non_null(strstr(at(f->json, "data", "content")->valuestring,
	    "Your streak: 1 in a row"));
	command(f, ADA, "help");
	assert_non_null(strstr(at(f->json, "data", "content")->valuestring,
	    "pause"));
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 1);
}

/*
 * /reflect edit answers with the modal of Ada's last answer, prefilled
 * with it; its submission (no message to update) replaces that answer and
 * is told in an ephemeral message: one answer stored, the new text.
 */
static void
test_edit_opens_prefilled_modal_and_replaces(void **state)
{
	struct fixture *f = *state;
	const cJSON *input;
	char *want = harness_format("nudged_answer:%lld", (long long)f->ada);
	char *body, *sql;

	command(f, ADA, "A calm week, mostly reviews");
	command(f, ADA, "edit");
	assert_int_equal(f->a.status, 200);
	assert_int_equal(at(f->json, "type", NULL)->valueint, 9);
	assert_string_equal(at(f->json, "data", "custom_id")->valuestring, want);
	input = cJSON_GetObjectItem(cJSON_GetArrayItem(at(f->json, "data",
	    "components"), 0), "component");
	assert_string_equal(cJSON_GetObjectItem(input, "value")->valuestring,
	    "A calm week, mostly reviews");
	body = submission(ADA, f->ada, "A busy week after all",
	    "1400000000000000006", 1);
	post(f, body);
	assert_int_equal(f->a.status, 200);
	assert_int_equal(at(f->json, "type", NULL)->valueint, 4);
	assert_int_equal(at(f->json, "data", "flags")->valueint, 64);
	assert_non_null(strstr(at(f->json, "data", "content")->valuestring,
	    "Saved"));
	sql = harness_format("SELECT count(*) FROM replies WHERE delivery_id = "
	    "%lld AND user_id = '" ADA "' AND text = 'A busy week after all'",
	    (long long)f->ada);
	assert_int_equal(reply_world_count(&f->w, sql), 1);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 1);
	free(sql);
	free(body);
	free(want);
}

/*
 * Once the answer's window closed, /reflect edit says so instead of
 * opening the modal, and a late submission changes nothing.
 */
static void
test_edit_refused_after_window(void **state)
{
	struct fixture *f = *state;
	char *body;

	command(f, ADA, "A calm week, mostly reviews");
	clock_fake_set(&f->w.clock, (DUE + 2 * 86400) * 1000LL);
	command(f, ADA, "edit");
	assert_int_equal(f->a.status, 200);
	assert_int_equal(at(f->json, "type", NULL)->valueint, 4);
	assert_int_equal(at(f->json, "data", "flags")->valueint, 64);
	assert_non_null(strstr(at(f->json, "data", "content")->valuestring,
	    "closed"));
	body = submission(ADA, f->ada, "Too late", "1400000000000000007", 1);
	post(f, body);
	assert_int_equal(at(f->json, "type", NULL)->valueint, 4);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies WHERE text = 'A calm week, mostly reviews'"), 1);
	assert_int_equal(reply_world_count(&f->w, "SELECT count(*) FROM "
	    "replies"), 1);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_click_opens_modal, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_submit_stored_and_message_updated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_someone_else_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_forged_stale_and_empty_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reflect_in_dm, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_edit_opens_prefilled_modal_and_replaces, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_edit_refused_after_window,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
