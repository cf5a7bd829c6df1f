/* SPDX-License-Identifier: ISC */
/*
 * The README's reverse proxy works: Debian's nginx runs config/nginx.conf (with
 * a throw-away certificate and free loopback ports) in front of nudged, and a
 * signed Slack slash command sent over https is stored with its text intact;
 * a forged one is still refused, only the reply routes and the dashboard are
 * reachable, and bodies over 64 KiB or headers over 8 KiB stop at nginx.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "replies_fixture.h"

#define NGINX	"/usr/sbin/nginx"
#define OPENSSL	"/usr/bin/openssl"
#define FORM	"application/x-www-form-urlencoded"

struct proxy {
	struct replies_fixture	*f;
	char			*dir;
	char			*cert;
	int			 port;
	struct harness_proc	 nginx;
};

static int	proxy_teardown(void **);

/* Every occurrence of from in text replaced by to (at least one). */
static char *
replace_all(char *text, const char *from, const char *to)
{
	text = harness_replace(text, from, to);
	while (strstr(text, from) != NULL)
		text = harness_replace(text, from, to);
	return text;
}

/* The shipped site config, pointed at this test's ports and certificate. */
static void
proxy_write_config(struct proxy *p)
{
	char *site = harness_read("config/nginx.conf"), *s;

	site = harness_replace(site, "listen 443 ssl http2;",
	    s = harness_format("listen 127.0.0.1:%d ssl http2;", p->port));
	free(s);
	/* This test stays on IPv4 loopback, which every machine has. */
	site = harness_replace(site, "listen [::]:443 ssl http2;", "");
	site = harness_replace(site,
	    "/etc/letsencrypt/live/nudged.example.org/fullchain.pem", p->cert);
	site = harness_replace(site,
	    "/etc/letsencrypt/live/nudged.example.org/privkey.pem",
	    s = harness_format("%s/key.pem", p->dir));
	free(s);
	site = replace_all(site, "127.0.0.1:8470",
	    s = harness_format("127.0.0.1:%d", p->f->port));
	free(s);
	harness_write(s = harness_format("%s/site.conf", p->dir), site);
	free(s);
	free(site);
	s = harness_format("daemon off;\nworker_processes 1;\npid %s/nginx.pid;\n"
	    "error_log %s/error.log;\nevents { worker_connections 64; }\n"
	    "http {\n  access_log %s/access.log;\n"
	    "  client_body_temp_path %s/body;\n  proxy_temp_path %s/proxy;\n"
	    "  fastcgi_temp_path %s/fastcgi;\n  uwsgi_temp_path %s/uwsgi;\n"
	    "  scgi_temp_path %s/scgi;\n  include %s/site.conf;\n}\n", p->dir,
	    p->dir, p->dir, p->dir, p->dir, p->dir, p->dir, p->dir, p->dir);
	site = harness_format("%s/nginx.conf", p->dir);
	harness_write(site, s);
	free(site);
	free(s);
}

/* POST path through nginx over https; the status. */
static int
proxy_post(struct proxy *p, const char *path, const char *const *headers,
    const char *body, size_t len, char **out)
{
	char *url = harness_format("https://127.0.0.1:%d%s", p->port, path);
	int status = harness_post_url(url, p->cert, headers, body, len, out);

	free(url);
	return status;
}

/* A throw-away certificate, nginx started by PID, and nudged behind it. */
static int
proxy_start(struct proxy *p)
{
	char *out, *key, *conf, *err;
	int status = -1;

	if (access(NGINX, X_OK) != 0 || access(OPENSSL, X_OK) != 0) {
		fprintf(stderr, "nginx or openssl missing: make check-deps "
		    "installs nginx-light and openssl\n");
		return -1;
	}
	if (replies_fixture_setup((void **)&p->f) != 0)
		return -1;
	p->dir = harness_tmpdir();
	chmod(p->dir, 0755);	/* nginx's workers run as nobody */
	p->cert = harness_format("%s/cert.pem", p->dir);
	key = harness_format("%s/key.pem", p->dir);
	if (harness_run((const char *[]){ OPENSSL, "req", "-x509", "-newkey",
	    "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
	    "-keyout", key, "-out", p->cert, "-days", "1", "-subj",
	    "/CN=nudged.example.org", "-addext",
	    "subjectAltName=DNS:nudged.example.org,IP:127.0.0.1", NULL },
	    &out) != 0) {
		fprintf(stderr, "openssl req failed:\n%s\n", out);
		return -1;
	}
	free(out);
	free(key);
	p->port = harness_free_port();
	proxy_write_config(p);
	conf = harness_format("%s/nginx.conf", p->dir);
	err = harness_format("%s/error.log", p->dir);
	if (harness_spawn(&p->nginx, (const char *[]){ NGINX, "-p", p->dir,
	    "-c", conf, "-e", err, NULL }) != 0)
		return -1;
	free(conf);
	free(err);
	/* Ready once it answers: everything but the routes is a 404. */
	for (int i = 0; i < 100 && status == -1; i++) {
		status = proxy_post(p, "/nothing", NULL, "", 0, &out);
		free(out);
		if (status == -1)
			usleep(50000);
	}
	if (status != 404) {
		fprintf(stderr, "nginx did not come up (%d):\n%s\n", status,
		    p->nginx.out);
		return -1;
	}
	return 0;
}

/* proxy_start, or everything it started stopped again. */
static int
proxy_setup(void **state)
{
	struct proxy *p = calloc(1, sizeof *p);

	*state = p;
	if (proxy_start(p) == 0)
		return 0;
	proxy_teardown(state);
	return -1;
}

/* Stop nginx by PID (its master stops the workers), then nudged. */
static int
proxy_teardown(void **state)
{
	struct proxy *p = *state;

	if (p == NULL)
		return 0;
	if (p->nginx.pid > 0) {
		kill(p->nginx.pid, SIGTERM);
		harness_wait_exit(&p->nginx, 10000);
		harness_kill(&p->nginx);
	}
	if (p->f != NULL)
		replies_fixture_teardown((void **)&p->f);
	if (p->dir != NULL)
		harness_rmdir(p->dir);
	free(p->dir);
	free(p->cert);
	free(p);
	return 0;
}

/* A /reflect command: "+", "%2B", "&" and UTF-8 must arrive as Slack signed them. */
static char *
command_body(const char *code)
{
	return harness_format("token=legacy&team_id=T1&channel_id=C0LEADERS&"
	    "channel_name=leaders&user_id=U5&user_name=eve&command=%%2Freflect&"
	    "text=%s+Trust+%%26+1%%2B1+%%E2%%80%%94+first&response_url=https%%3A"
	    "%%2F%%2Fhooks.example.test%%2Fx&trigger_id=proxy-1", code);
}

/* The text of the one answer stored, through nudged export. */
static char *
stored_answer(struct replies_fixture *f)
{
	cJSON *root = replies_fixture_export(f), *d, *r;
	char *text = NULL;

	cJSON_ArrayForEach(d, cJSON_GetObjectItem(root, "deliveries")) {
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(d, "replies")) {
			assert_null(text);
			text = strdup(cJSON_GetObjectItem(r, "text")->valuestring);
		}
	}
	cJSON_Delete(root);
	return text;
}

static void
test_signed_command_through_nginx(void **state)
{
	struct proxy *p = *state;
	long long now = (long long)time(NULL);
	char *body, **h, *out, *text;

	body = command_body(p->f->slack_code);
	h = harness_slack_headers("not-the-secret", now, FORM, body);
	assert_int_equal(proxy_post(p, "/slack/commands",
	    (const char *const *)h, body, strlen(body), &out), 401);
	free(out);
	harness_headers_free(h);
	h = harness_slack_headers(FIXTURE_SLACK_SECRET, now, FORM, body);
	if (proxy_post(p, "/slack/commands", (const char *const *)h, body,
	    strlen(body), &out) != 200)
		fail_msg("not stored through nginx: %s\n%s", out, p->f->serve.out);
	assert_non_null(strstr(out, "Streak: 1 in a row"));
	free(out);
	harness_headers_free(h);
	free(body);
	replies_fixture_stop(p->f);
	text = stored_answer(p->f);
	assert_non_null(text);
	assert_string_equal(text, "Trust & 1+1 \xe2\x80\x94 first");
	free(text);
}

static void
test_only_reply_routes_and_limits(void **state)
{
	struct proxy *p = *state;
	char *big = calloc(1, 70 * 1024), *pad, *out;
	char *body = command_body(p->f->slack_code);
	const char *headers[2];
	int status;

	/* Health stays local; a reply route reaches nudged (it asks for a signature). */
	assert_int_equal(proxy_post(p, "/healthz", NULL, "", 0, &out), 404);
	free(out);
	assert_int_equal(proxy_post(p, "/slack/commands", (const char *[]){
	    "Content-Type: " FORM, NULL }, body, strlen(body), &out), 401);
	free(out);
	free(body);
	/* Past nudged's own limits, nginx answers first. */
	memset(big, 'a', 70 * 1024 - 1);
	assert_int_equal(proxy_post(p, "/slack/commands", (const char *[]){
	    "Content-Type: " FORM, NULL }, big, strlen(big), &out), 413);
	free(out);
	pad = calloc(1, 9 * 1024);
	memcpy(pad, "X-Pad: ", 7);
	memset(pad + 7, 'p', 9 * 1024 - 8);
	headers[0] = pad;
	headers[1] = NULL;
	status = proxy_post(p, "/slack/commands", headers, "a=b", 3, &out);
	assert_int_equal(status, 400);	/* nginx: "Request Header Too Large" */
	free(out);
	free(pad);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_signed_command_through_nginx,
		    proxy_setup, proxy_teardown),
		cmocka_unit_test_setup_teardown(test_only_reply_routes_and_limits,
		    proxy_setup, proxy_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
