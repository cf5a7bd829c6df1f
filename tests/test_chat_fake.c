/* SPDX-License-Identifier: ISC */
/*
 * One row is a platform: a fake platform defined here, in the test, and
 * registered at run time, is configured (its own key, its own errors with
 * FILE:LINE:COL), posts a nudge through the real outbox (its payload, its
 * URL hook) to a local sink, and has an answer taken by the real daemon on
 * its own route (parsed, verified, answered in its own format, stored once).
 * Nothing outside this file and the registry knows it exists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bank.h"
#include "chat/chat_int.h"
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "harness.h"
#include "replycode.h"
#include "schedule.h"
#include "server.h"
#include "sig.h"
#include "sink.h"
#include "store.h"
#include "xmalloc.h"

#define FAKE_KEY	"fk_0123456789"

/* The fake platform's settings: one key that both signs and names it. */
struct fake_settings {
	char	*key;
};

static void	*fake_config_parse(struct config_reader *, const cJSON *);
static void	 fake_config_free(void *);
static int	 fake_format(const struct chat_nudge *,
		    const struct config_channel *, int64_t,
		    struct chat_request *, char **);
static char	*fake_post_url(const struct config_channel *);
static enum chat_outcome fake_classify(long, const char *, size_t, char **,
		    int64_t *);
static int	 fake_parse(const struct chat_inbound *, struct chat_answer *,
		    char **);
static int	 fake_read(const cJSON *, struct chat_answer *, char **);
static int	 fake_has_secret(const struct config_channel *);
static enum sig_result fake_verify(const struct config_channel *,
		    const struct chat_inbound *, int64_t);
static char	*fake_respond(const struct chat_receipt *, const char **);

static const char *const fake_keys[] = { "fake_key", NULL };

extern const struct chat_platform fake_platform;

static const struct chat_route fake_routes[] = {
	{ "/fake/answers", "application/json", &fake_platform },
	{ NULL, NULL, NULL },
};

/* The whole platform: one row. */
const struct chat_platform fake_platform = {
	.name = "fake",
	.title = "Fake Chat",
	.posts_http = 1,
	.default_rate = 5,
	.config_keys = fake_keys,
	.config_parse = fake_config_parse,
	.config_free = fake_config_free,
	.format_prompt = fake_format,
	.post_url = fake_post_url,
	.classify = fake_classify,
	.routes = fake_routes,
	.parse = fake_parse,
	.has_secret = fake_has_secret,
	.verify = fake_verify,
	.respond = fake_respond,
};

/* fake_key: required, "fk_" and more. */
static void *
fake_config_parse(struct config_reader *r, const cJSON *channel)
{
	struct fake_settings *s = xcalloc(1, sizeof *s);

	s->key = config_read_string(r, channel, "fake_key", 1);
	if (s->key != NULL && strncmp(s->key, "fk_", 3) != 0)
		config_read_error(r, cJSON_GetObjectItemCaseSensitive(channel,
		    "fake_key"), "fake_key must start with fk_");
	return s;
}

/* Free the settings. */
static void
fake_config_free(void *settings)
{
	struct fake_settings *s = settings;

	if (s != NULL)
		free(s->key);
	free(s);
}

/* "FAKE <code> <question>" as plain text. */
static int
fake_format(const struct chat_nudge *n, const struct config_channel *cc,
    int64_t now, struct chat_request *req, char **cause)
{
	(void)cc;
	(void)now;
	memset(req, 0, sizeof *req);
	if (chat_check_nudge(n, cause) == -1)
		return -1;
	xasprintf(&req->body, "FAKE %s %s", n->reply_code, n->text);
	req->body_len = strlen(req->body);
	req->content_type = xstrdup("text/plain");
	chat_request_add_header(req, "X-Fake-Key: %s",
	    ((const struct fake_settings *)cc->settings)->key);
	return 0;
}

/* The webhook with a path of the platform's own. */
static char *
fake_post_url(const struct config_channel *cc)
{
	char	*url;

	xasprintf(&url, "%s/by-hook", cc->webhook);
	return url;
}

/* 2xx sent, the usual retries. */
static enum chat_outcome
fake_classify(long status, const char *body, size_t len, char **reason,
    int64_t *retry_ms)
{
	(void)body;
	(void)len;
	if (reason != NULL)
		*reason = NULL;
	if (retry_ms != NULL)
		*retry_ms = -1;
	return chat_http_outcome(status);
}

/* {"id", "user", "text"} as JSON. */
static int
fake_parse(const struct chat_inbound *in, struct chat_answer *a, char **cause)
{
	return chat_in_parse_json(in, a, cause, fake_read);
}

/* Read the fields of an answer; the code leads the text. */
static int
fake_read(const cJSON *root, struct chat_answer *a, char **cause)
{
	const char	*id, *user, *text;

	if (chat_in_string(root, NULL, "id", CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX,
	    &id, cause) == -1 ||
	    chat_in_string(root, NULL, "user", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &user, cause) == -1 ||
	    chat_in_string(root, NULL, "text", CHAT_IN_NONEMPTY,
	    CHAT_IN_RAW_MAX, &text, cause) == -1)
		return -1;
	a->kind = CHAT_IN_ANSWER;
	a->via = CHAT_VIA_MESSAGE;
	if (chat_in_answer_text(a, text, 1, cause) == -1)
		return -1;
	a->user_id = xstrdup(user);
	a->message_id = xstrdup(id);
	return 0;
}

/* Every fake channel has its key. */
static int
fake_has_secret(const struct config_channel *cc)
{
	const struct fake_settings *s = cc->settings;

	return s != NULL && s->key != NULL;
}

/* The request carries the channel's key in X-Fake-Key. */
static enum sig_result
fake_verify(const struct config_channel *cc, const struct chat_inbound *in,
    int64_t now)
{
	const struct fake_settings *s = cc->settings;
	const char *got = chat_in_header(in, "X-Fake-Key");

	(void)now;
	if (got == NULL)
		return SIG_MISSING;
	return strlen(got) == strlen(s->key) &&
	    sig_equal(got, s->key, strlen(got)) ? SIG_OK : SIG_BAD;
}

/* "fake-ok: <message>" or "fake-no: <message>". */
static char *
fake_respond(const struct chat_receipt *r, const char **content_type)
{
	char	*out;

	*content_type = "text/plain";
	xasprintf(&out, "fake-%s: %s", r->stored ? "ok" : "no",
	    r->message != NULL ? r->message : "");
	return out;
}

/* What the tests share: a folder, a config, a sink. */
struct fake_world {
	char		*dir;
	char		*config;
	char		*state;
	int		 port;
	struct sink	 sink;
	pid_t		 serve;		/* the daemon, while it runs */
};

/* Write text as the config; NULL and *cause when it does not load. */
static struct config *
fake_load(struct fake_world *w, const char *text, char **cause)
{
	harness_write(w->config, text);
	return config_load(w->config, cause);
}

/* The fake platform is in the table, once, from this file. */
static int
fake_setup(void **state)
{
	struct fake_world *w = calloc(1, sizeof *w);
	char *log;

	if (w == NULL)
		return -1;
	if (chat_find("fake") == NULL)
		chat_register(&fake_platform);
	w->dir = harness_tmpdir();
	w->config = harness_format("%s/nudged.json", w->dir);
	w->state = harness_format("%s/state", w->dir);
	w->port = harness_free_port();
	log = harness_format("%s/sink.log", w->dir);
	if (sink_start(&w->sink, log, 1) != 0)
		return -1;
	free(log);
	setenv("NUDGED_FAKE_KEY", FAKE_KEY, 1);
	*state = w;
	return 0;
}

/* Stop the sink and remove the folder. */
static int
fake_teardown(void **state)
{
	struct fake_world *w = *state;

	if (w->serve > 0) {
		kill(w->serve, SIGKILL);
		waitpid(w->serve, NULL, 0);
	}
	sink_stop(&w->sink);
	harness_rmdir(w->dir);
	free(w->dir);
	free(w->config);
	free(w->state);
	free(w);
	return 0;
}

/* The registry: found by name, listed, titled; a route of its own. */
static void
test_registered(void **state)
{
	const struct chat_platform *p, *last = NULL;
	size_t i;

	(void)state;
	assert_ptr_equal(chat_find("fake"), &fake_platform);
	assert_non_null(strstr(chat_platform_names(), ", fake"));
	for (i = 0; (p = chat_platform_at(i)) != NULL; i++)
		last = p;
	assert_ptr_equal(last, &fake_platform);
	assert_string_equal(chat_find("fake")->title, "Fake Chat");
	assert_ptr_equal(fake_platform.routes[0].platform, &fake_platform);
}

/* Its key is read through config's reader: expanded, checked, placed. */
static void
test_config(void **state)
{
	struct fake_world *w = *state;
	struct config *cfg;
	const struct fake_settings *s;
	char *cause = NULL, *want;

	cfg = fake_load(w, "{\"state_dir\": \"state\", \"channels\": {\"f\": "
	    "{\"platform\": \"fake\", \"webhook\": \"https://h.test/x\", "
	    "\"fake_key\": \"${NUDGED_FAKE_KEY}\"}}, \"schedules\": []}",
	    &cause);
	if (cfg == NULL)
		fail_msg("%s", cause);
	assert_ptr_equal(cfg->channels[0].platform, &fake_platform);
	s = cfg->channels[0].settings;
	assert_string_equal(s->key, FAKE_KEY);
	config_free(cfg);

	/* Its own rule, at its value's position. */
	assert_null(fake_load(w, "{\"state_dir\": \"state\", \"channels\": "
	    "{\"f\": {\"platform\": \"fake\", \"webhook\": \"https://h.test/x\", "
	    "\"fake_key\": \"nope\"}}, \"schedules\": []}", &cause));
	want = harness_format("%s:1:106: fake_key must start with fk_",
	    w->config);
	assert_non_null(strstr(cause, want));
	free(want);
	free(cause);

	/* Required, an unknown key, and the generic webhook rule, all named. */
	assert_null(fake_load(w, "{\"state_dir\": \"state\", \"channels\": "
	    "{\"f\": {\"platform\": \"fake\", \"fake_keys\": \"fk_1\"}}, "
	    "\"schedules\": []}", &cause));
	want = harness_format("%s:1:63: unknown key \"fake_keys\"", w->config);
	assert_non_null(strstr(cause, want));
	free(want);
	want = harness_format("%s:1:42: missing required key \"fake_key\"",
	    w->config);
	assert_non_null(strstr(cause, want));
	free(want);
	assert_non_null(strstr(cause, "channel \"f\" (fake) needs a "
	    "\"webhook\""));
	free(cause);

	/* Its key belongs to it: another platform refuses it. */
	assert_null(fake_load(w, "{\"state_dir\": \"state\", \"channels\": "
	    "{\"c\": {\"platform\": \"console\", \"fake_key\": \"fk_1\"}}, "
	    "\"schedules\": []}", &cause));
	assert_non_null(strstr(cause, "unknown key \"fake_key\""));
	free(cause);

	/* An unknown platform's message lists it with the others. */
	assert_null(fake_load(w, "{\"state_dir\": \"state\", \"channels\": "
	    "{\"c\": {\"platform\": \"zulip\"}}, \"schedules\": []}", &cause));
	assert_non_null(strstr(cause, "unknown platform \"zulip\" (one of "
	    "slack, teams, discord, mattermost, googlechat, webhook, console, "
	    "fake)"));
	free(cause);
}

/* What `nudged send` sees when the one delivery ends. */
struct fake_sent {
	struct event_base	*base;
	enum deliver_result	 result;
	int			 done;
};

/* The delivery ended: stop the loop. */
static void
fake_sent_cb(void *arg, enum deliver_result result, const char *reason)
{
	struct fake_sent *s = arg;

	(void)reason;
	s->result = result;
	s->done = 1;
	event_base_loopexit(s->base, NULL);
}

/* Enqueue one nudge of schedule "s" and post it as `nudged send` does. */
static void
fake_send(const char *config, char code[REPLYCODE_LEN + 1])
{
	struct fake_sent sent = { 0 };
	struct config *cfg;
	struct bank *bank = NULL;
	struct store *st = NULL;
	struct deliver *d;
	char *cause = NULL;
	int64_t id = 0;

	cfg = config_load(config, &cause);
	if (cfg == NULL || (bank = bank_load_for(cfg, &cause)) == NULL ||
	    (st = store_open(cfg->state_dir, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(schedule_enqueue(st, bank, config_find_schedule(cfg,
	    "s"), NULL, (int64_t)time(NULL), STORE_SENDING, &id, &cause), 1);
	assert_int_equal(store_commit(st), 0);
	replycode_for(id, code);
	sent.base = event_base_new();
	d = deliver_start_one(sent.base, st, cfg, bank, clock_system(), id,
	    fake_sent_cb, &sent, &cause);
	assert_non_null(d);
	event_base_dispatch(sent.base);
	assert_true(sent.done);
	assert_int_equal(sent.result, DELIVER_SENT);
	deliver_free(d);
	event_base_free(sent.base);
	store_close(st);
	bank_free(bank);
	config_free(cfg);
}

/* POST an answer to the fake route with a key (NULL: none); the status. */
static int
fake_answer(int port, const char *key, const char *body, char **out)
{
	char *h_key = key != NULL ? harness_format("X-Fake-Key: %s", key) : NULL;
	const char *headers[] = { "Content-Type: application/json", h_key,
	    NULL };
	int status;

	status = harness_http_post(port, "/fake/answers", headers, body,
	    strlen(body), out);
	free(h_key);
	return status;
}

/* Start the real daemon in a child, with the fake platform registered. */
static pid_t
fake_serve(struct fake_world *w)
{
	pid_t pid = fork();
	char *out;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(server_run(w->config, clock_system()));
	for (int i = 0; i < 200; i++) {
		out = NULL;
		if (harness_http_get(w->port, "/healthz", &out) == 200) {
			free(out);
			return pid;
		}
		free(out);
		usleep(50 * 1000);
	}
	kill(pid, SIGKILL);
	fail_msg("the daemon did not start");
	return -1;
}

/* Config, payload and URL out, an answer in: end to end on one row. */
static void
test_end_to_end(void **state)
{
	struct fake_world *w = *state;
	char code[REPLYCODE_LEN + 1], *text, *cwd = getcwd(NULL, 0), *out;
	char *body;
	cJSON *reqs, *r;
	pid_t pid;
	int status;

	text = harness_format("{\"state_dir\": \"%s\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", \"channels\": "
	    "{\"f\": {\"platform\": \"fake\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/fake\", \"fake_key\": "
	    "\"${NUDGED_FAKE_KEY}\"}}, \"schedules\": [{\"name\": \"s\", "
	    "\"cron\": \"0 0 1 1 *\", \"channel\": \"f\"}]}", w->state,
	    w->port, cwd, w->sink.port);
	harness_write(w->config, text);
	free(text);
	free(cwd);

	/* Out: the platform's payload, at the URL its hook built. */
	fake_send(w->config, code);
	reqs = sink_requests(&w->sink, "/ok/fake");
	assert_int_equal(cJSON_GetArraySize(reqs), 1);
	r = cJSON_GetArrayItem(reqs, 0);
	assert_string_equal(cJSON_GetObjectItem(r, "path")->valuestring,
	    "/ok/fake/by-hook");
	body = cJSON_GetObjectItem(r, "body")->valuestring;
	assert_int_equal(strncmp(body, "FAKE ", 5), 0);
	assert_int_equal(strncmp(body + 5, code, REPLYCODE_LEN), 0);
	cJSON_Delete(reqs);

	/* In: the daemon routes /fake/answers to the row, which verifies. */
	pid = w->serve = fake_serve(w);
	text = harness_format("{\"id\": \"m1\", \"user\": \"u1\", \"text\": "
	    "\"%s We shipped on time\"}", code);
	assert_int_equal(fake_answer(w->port, "fk_wrong", text, &out), 401);
	free(out);
	assert_int_equal(fake_answer(w->port, NULL, text, &out), 401);
	free(out);
	assert_int_equal(fake_answer(w->port, FAKE_KEY, "{\"id\": 1}", &out),
	    400);
	free(out);
	assert_int_equal(fake_answer(w->port, FAKE_KEY, text, &out), 200);
	assert_int_equal(strncmp(out, "fake-ok: ", 9), 0);
	free(out);
	/* The platform's retry: answered, stored once. */
	assert_int_equal(fake_answer(w->port, FAKE_KEY, text, &out), 200);
	free(out);
	free(text);
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	w->serve = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(harness_db_int(w->state, "SELECT count(*) FROM "
	    "replies WHERE text = 'We shipped on time' AND user_id = 'u1'"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_end_to_end),
	};

	return cmocka_run_group_tests(tests, fake_setup, fake_teardown);
}
