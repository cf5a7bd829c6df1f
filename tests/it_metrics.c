/* SPDX-License-Identifier: ISC */
/*
 * What an operator watches, on the real binary against a local sink:
 * GET /metrics passes `promtool check metrics` and counts deliveries and
 * answers; GET /healthz turns 503 when a platform refuses a channel's
 * credentials or the state folder stops taking writes; the next nudge due
 * and what a reload changed appear in the log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "sink.h"
#include "sink_fixture.h"
#include "store.h"

#define TOKEN	"dash-secret-7f3a"
#define API_KEY	"api-secret-91c2"

/*
 * The config: channel "a" posts to the sink's /ok, channel "b" to a sink
 * path answering 401; schedule "s" (never due by itself) on "a", plus extra
 * schedules.
 */
static void
write_config(struct sink_fixture *f, const char *extra)
{
	char *cwd = getcwd(NULL, 0);
	char *text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", \"timezone\": "
	    "\"Europe/Berlin\", \"dashboard_token\": \"" TOKEN "\", "
	    "\"channels\": {"
	    "\"a\": {\"platform\": \"slack\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/a\", \"api_token\": \"" API_KEY "\"}, "
	    "\"b\": {\"platform\": \"discord\", \"webhook\": "
	    "\"http://127.0.0.1:%d/status/401/bad-token\"}}, "
	    "\"delivery\": {\"timeout\": \"1s\", \"connect_timeout\": \"1s\"}, "
	    "\"schedules\": [{\"name\": \"s\", \"cron\": \"0 0 1 1 *\", "
	    "\"channel\": \"a\", \"themes\": [\"coaching\"]}%s]}",
	    f->port, cwd, f->sink.port, f->sink.port, extra);

	harness_write(f->config, text);
	free(text);
	free(cwd);
}

/* Add n pending nudges of a schedule on a channel, due secs_ago seconds ago. */
static void
seed(struct sink_fixture *f, const char *schedule, const char *channel, int n,
    int secs_ago)
{
	char *cause = NULL;
	struct store *st = store_open(f->state, &cause);
	struct store_delivery d = { .schedule = schedule, .channel = channel,
	    .prompt_id = "coaching-001", .state = STORE_PENDING, .cycle = 1 };

	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_begin(st), 0);
	for (int i = 0; i < n; i++) {
		d.due_at = (int64_t)time(NULL) - secs_ago - i;
		assert_int_equal(store_enqueue(st, &d, NULL), 1);
	}
	assert_int_equal(store_commit(st), 0);
	store_close(st);
}

/* Five weeks of sent nudges on "a", one a day, the first one answered. */
static void
seed_history(struct sink_fixture *f)
{
	char *cause = NULL;
	struct store *st = store_open(f->state, &cause);
	struct store_delivery d = { .schedule = "s", .channel = "a",
	    .prompt_id = "coaching-001", .state = STORE_SENT, .cycle = 1,
	    .kind = store_kind_of("prompt") };
	struct store_reply r = { .channel = "a", .user_id = "U1",
	    .user_name = "U1", .text = "an answer", .source = "api",
	    .message_id = "m1" };
	int64_t id;

	if (st == NULL)
		fail_msg("%s", cause);
	for (int i = 35; i > 0; i--) {
		d.due_at = (int64_t)time(NULL) - i * 86400;
		assert_int_equal(store_enqueue(st, &d, &id), 1);
		if (i == 35) {
			r.delivery_id = id;
			r.received_at = d.due_at + 60;
			assert_int_not_equal(store_add_reply(st, &r, NULL), -1);
		}
	}
	store_close(st);
}

/* GET path with the dashboard token; its status, body in *body. */
static int
get_with_token(struct sink_fixture *f, const char *path, char **body)
{
	return harness_http_get_headers(f->port, path, (const char *[]){
	    "Authorization: Bearer " TOKEN, NULL }, body);
}

/* POST an answer to the JSON API with a token; its status. */
static int
post_answer(struct sink_fixture *f, const char *token)
{
	char *auth = harness_format("Authorization: Bearer %s", token), *resp;
	const char *body = "{\"channel\": \"a\", \"user\": \"U1\", \"text\": "
	    "\"We paired on the release.\"}";
	int status = harness_http_post(f->port, "/api/v1/replies",
	    (const char *[]){ "Content-Type: application/json", auth, NULL },
	    body, strlen(body), &resp);

	free(resp);
	free(auth);
	return status;
}

/* Wait until the sink saw n requests under prefix, at most 10 s. */
static void
wait_sink(struct sink_fixture *f, const char *prefix, int n)
{
	for (int waited = 0; sink_count(&f->sink, prefix) < n; waited += 50) {
		if (waited > 10000)
			fail_msg("the sink saw %d of %d requests to %s",
			    sink_count(&f->sink, prefix), n, prefix);
		usleep(50000);
	}
}

/* The value of the sample line that starts with series, or -1 when absent. */
static double
sample(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p != NULL && *p != '\0';
	    p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	}
	return -1;
}

/* A datagram socket standing in for systemd's $NOTIFY_SOCKET, at dir/notify. */
static int
notify_listen(struct sink_fixture *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { 10, 0 };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd != -1);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/notify", f->dir);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	return fd;
}

/* Read notifications until one holds want (fails after 10 s of silence); a copy of it. */
static char *
notify_expect(int fd, const char *want)
{
	char buf[1024];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof buf - 1, 0)) > 0) {
		buf[n] = '\0';
		if (strstr(buf, want) != NULL)
			return strdup(buf);
	}
	fail_msg("no notification with \"%s\"", want);
	return NULL;
}

/* `promtool check metrics` on text; its exit status, what it said in *out. */
static int
promtool(struct sink_fixture *f, const char *text, char **out)
{
	char *path = harness_format("%s/metrics.txt", f->dir);
	char *cmd = harness_format("promtool check metrics < %s", path);
	int rc;

	harness_write(path, text);
	rc = harness_run((const char *[]){ "/bin/sh", "-c", cmd, NULL }, out);
	free(cmd);
	free(path);
	return rc;
}

static void
test_metrics_pass_promtool_and_count(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;
	char *text, *out;
	double sent;

	write_config(f, "");
	seed(f, "s", "a", 3, 5);
	seed(f, "s", "b", 1, 30);
	harness_serve_start(&p, f->config);
	wait_sink(f, "/ok/a", 3);
	wait_sink(f, "/status/401", 1);
	assert_int_equal(post_answer(f, API_KEY), 200);
	assert_int_equal(post_answer(f, "not-the-key"), 403);
	/* The dashboard token guards the metrics too. */
	assert_int_equal(harness_http_get(f->port, "/metrics", &text), 401);
	free(text);
	for (int waited = 0;; waited += 100) {
		assert_int_equal(get_with_token(f, "/metrics", &text), 200);
		sent = sample(text, "nudged_nudges_sent_total{schedule=\"s\","
		    "platform=\"slack\"}");
		if (sent == 3 || waited > 5000)
			break;
		free(text);
		usleep(100000);
	}
	assert_int_equal(promtool(f, text, &out), 0);
	free(out);
	assert_true(sent == 3);
	assert_true(sample(text, "nudged_nudges_failed_total{schedule=\"s\","
	    "platform=\"discord\"}") == 1);
	assert_true(sample(text, "nudged_delivery_latency_seconds_count") == 3);
	/* Due 5-7 s before: none under 2 s, all within 60 s. */
	assert_true(sample(text, "nudged_delivery_latency_seconds_bucket"
	    "{le=\"2\"}") == 0);
	assert_true(sample(text, "nudged_delivery_latency_seconds_bucket"
	    "{le=\"60\"}") == 3);
	assert_true(sample(text, "nudged_answers_accepted_total{route="
	    "\"/api/v1/replies\"}") == 1);
	assert_true(sample(text, "nudged_answers_refused_total{route="
	    "\"/api/v1/replies\",reason=\"forbidden\"}") == 1);
	assert_true(sample(text, "nudged_queue_depth") == 0);
	assert_true(sample(text, "nudged_channel_credentials_refused"
	    "{channel=\"b\"}") == 1);
	assert_true(sample(text, "nudged_build_info{version=\"0.1.0\"}") == 1);
	/* No secret and no webhook path, ever. */
	assert_null(strstr(text, TOKEN));
	assert_null(strstr(text, API_KEY));
	assert_null(strstr(text, "bad-token"));
	assert_null(strstr(text, "127.0.0.1"));
	free(text);
	harness_serve_stop(&p);
}

static void
test_healthz_refused_credentials_then_reload(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;
	char *body;

	write_config(f, "");
	harness_serve_start(&p, f->config);
	assert_int_equal(harness_http_get(f->port, "/healthz", &body), 200);
	assert_non_null(strstr(body, "\"store_writable\":true"));
	assert_non_null(strstr(body, "\"queue_depth\":0"));
	assert_non_null(strstr(body, "\"next_due\":{\"schedule\":\"s\","
	    "\"channel\":\"a\",\"at\":\""));
	free(body);
	seed(f, "s", "b", 1, 0);
	kill(p.pid, SIGHUP);	/* the reload kicks the outbox */
	wait_sink(f, "/status/401", 1);
	for (int waited = 0;; waited += 100) {
		if (harness_http_get(f->port, "/healthz", &body) == 503 ||
		    waited > 5000)
			break;
		free(body);
		usleep(100000);
	}
	assert_non_null(strstr(body, "\"credentials_refused\":[\"b\"]"));
	assert_non_null(strstr(body, "channel \\\"b\\\": the platform refused "
	    "its credentials"));
	assert_null(strstr(body, "bad-token"));
	free(body);
	/* New credentials may have come with a reload: healthy until refused again. */
	write_config(f, ", {\"name\": \"weekly\", \"cron\": \"0 9 * * MON\", "
	    "\"channel\": \"a\"}");
	kill(p.pid, SIGHUP);
	assert_int_equal(harness_wait_output(&p, "reload: schedules added: "
	    "weekly", 10000), 0);
	assert_int_equal(harness_http_get(f->port, "/healthz", &body), 200);
	free(body);
	harness_serve_stop(&p);
}

static void
test_next_due_in_the_log_and_reload_changes(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;
	char *text;
	int notify;

	write_config(f, ", {\"name\": \"gone\", \"cron\": \"0 9 * * *\", "
	    "\"channel\": \"a\"}");
	notify = notify_listen(f);
	harness_serve_start(&p, f->config);
	unsetenv("NOTIFY_SOCKET");
	/* systemctl status shows the same line. */
	text = harness_format("READY=1\nSTATUS=serving 2 schedules on "
	    "127.0.0.1:%d; next nudge: schedule gone (channel a) at ", f->port);
	free(notify_expect(notify, text));
	free(text);
	/* 09:00 in Berlin is 08:00 UTC in winter and 07:00 in summer. */
	assert_int_equal(harness_wait_output(&p, "next nudge: schedule gone "
	    "(channel a) at ", 5000), 0);
	assert_non_null(strstr(p.out, ":00:00Z, "));
	assert_non_null(strstr(p.out, " 09:00 "));
	assert_non_null(strstr(p.out, " in Europe/Berlin"));
	write_config(f, ", {\"name\": \"new\", \"cron\": \"30 6 * * *\", "
	    "\"channel\": \"b\"}");
	text = harness_replace(harness_read(f->config), "\"cron\": \"0 0 1 1 *\"",
	    "\"cron\": \"0 0 2 1 *\"");
	harness_write(f->config, text);
	free(text);
	kill(p.pid, SIGHUP);
	assert_int_equal(harness_wait_output(&p, "reload: schedules added: new; "
	    "removed: gone; changed: s", 10000), 0);
	assert_non_null(strstr(p.out, "next nudge: schedule new (channel b) at "));
	/* Reload's status line carries the next nudge and what changed. */
	text = notify_expect(notify, "; reload: schedules added: new; removed: "
	    "gone; changed: s");
	assert_non_null(strstr(text, "STATUS=serving 2 schedules on 127.0.0.1:"));
	assert_non_null(strstr(text, "; next nudge: schedule new (channel b) at "));
	free(text);
	harness_serve_stop(&p);
	close(notify);
}

/*
 * The kept habit measures are built on the first turn after start-up, a
 * week of history at a time; between weeks systemd hears the daemon is
 * alive (a rebuild at a million answers outlasts WatchdogSec).
 */
static void
test_long_rebuild_tells_systemd_it_is_alive(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;
	int notify;

	write_config(f, "");
	seed_history(f);
	notify = notify_listen(f);
	harness_serve_start(&p, f->config);
	unsetenv("NOTIFY_SOCKET");
	free(notify_expect(notify, "READY=1"));
	free(notify_expect(notify, "WATCHDOG=1\nEXTEND_TIMEOUT_USEC="));
	harness_serve_stop(&p);
	close(notify);
}

/*
 * The state folder stops taking writes: a tiny tmpfs filled up (as root),
 * or a folder without write permission (as anyone else).
 */
static void
test_healthz_503_when_the_store_cannot_write(void **state)
{
	struct sink_fixture *f = *state;
	struct harness_proc p;
	char *body, *filler = harness_format("%s/filler", f->state), *out;
	int root = geteuid() == 0;

	mkdir(f->state, 0700);
	if (root && mount("tmpfs", f->state, "tmpfs", 0, "size=2m") != 0)
		skip();
	write_config(f, "");
	harness_serve_start(&p, f->config);
	assert_int_equal(harness_http_get(f->port, "/healthz", &body), 200);
	free(body);
	if (root) {
		char *cmd = harness_format("dd if=/dev/zero of=%s bs=4k "
		    "2>/dev/null; true", filler);

		harness_run((const char *[]){ "/bin/sh", "-c", cmd, NULL }, &out);
		free(out);
		free(cmd);
	} else
		chmod(f->state, 0500);
	assert_int_equal(harness_http_get(f->port, "/healthz", &body), 503);
	assert_non_null(strstr(body, "\"store_writable\":false"));
	assert_non_null(strstr(body, "cannot be written: "));
	free(body);
	if (root)
		unlink(filler);
	else
		chmod(f->state, 0700);
	assert_int_equal(harness_http_get(f->port, "/healthz", &body), 200);
	free(body);
	harness_serve_stop(&p);
	if (root)
		umount(f->state);
	free(filler);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_metrics_pass_promtool_and_count,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_healthz_refused_credentials_then_reload,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_next_due_in_the_log_and_reload_changes,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_healthz_503_when_the_store_cannot_write,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_long_rebuild_tells_systemd_it_is_alive,
		    sink_fixture_setup, sink_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
