/* SPDX-License-Identifier: ISC */
/*
 * The ceiling for bench_replies: a single-threaded libevent evhttp server
 * that takes the same signed /reflect slash commands at POST
 * /slack/commands as `nudged serve`, checks them with nudged's own Slack v0
 * signature check (slack_in_signature), splits an optional reply code off
 * the answer and counts it in memory, then answers the same ephemeral JSON.
 * Nothing is durable and nothing is looked up: what it reaches is what HTTP
 * parsing and the HMAC cost on this machine, so nudged's rate against it is
 * the share of that ceiling nudged keeps while committing every answer.
 *
 *   PORT=N SLACK_SIGNING_SECRET=... build/release/bench/bench_ceiling
 *
 * Listens on 127.0.0.1 only. GET /count answers {"stored": N}. Prints
 * "ceiling listening on 127.0.0.1:PORT" when ready; SIGTERM ends it.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chat/chat_int.h"
#include "sig.h"

/* Largest body taken, as nudged's default http limit. */
#define CEILING_MAX_BODY	65536

/* The server's state. */
struct ceiling {
	struct event_base	*base;
	const char		*secret;
	long			 stored;
};

static void	 ceiling_command_cb(struct evhttp_request *, void *);
static void	 ceiling_count_cb(struct evhttp_request *, void *);
static void	 ceiling_stop_cb(evutil_socket_t, short, void *);
static void	 ceiling_reply(struct evhttp_request *, int, const char *,
		    const char *);

/* Answer with a status and a body of a content type. */
static void
ceiling_reply(struct evhttp_request *req, int status, const char *type,
    const char *body)
{
	struct evbuffer *out = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", type);
	evbuffer_add(out, body, strlen(body));
	evhttp_send_reply(req, status, status == 200 ? "OK" : "Error", out);
	evbuffer_free(out);
}

/* A signed slash command: check, parse the form, keep the answer in memory. */
static void
ceiling_command_cb(struct evhttp_request *req, void *arg)
{
	struct ceiling *c = arg;
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evbuffer *buf = evhttp_request_get_input_buffer(req);
	struct evkeyvalq form = { 0 };
	size_t len = evbuffer_get_length(buf);
	const char *text;
	char *body;

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		ceiling_reply(req, 405, "text/plain", "POST only\n");
		return;
	}
	body = (char *)evbuffer_pullup(buf, -1);
	if (slack_in_signature(c->secret, evhttp_find_header(in,
	    "X-Slack-Request-Timestamp"), evhttp_find_header(in,
	    "X-Slack-Signature"), body, len, (int64_t)time(NULL)) != SIG_OK) {
		ceiling_reply(req, 401, "text/plain", "bad signature\n");
		return;
	}
	body = strndup(body, len);
	if (evhttp_parse_query_str(body, &form) != 0 ||
	    evhttp_find_header(&form, "trigger_id") == NULL ||
	    (text = evhttp_find_header(&form, "text")) == NULL) {
		ceiling_reply(req, 400, "text/plain", "not a slash command\n");
	} else {
		/* A four-character code first is the nudge's; the rest answers. */
		if (strlen(text) > 5 && text[4] == ' ')
			text += 5;
		if (*text != '\0')
			c->stored++;
		ceiling_reply(req, 200, "application/json", "{\"response_type\":"
		    "\"ephemeral\",\"text\":\"Thanks, your answer is saved.\"}");
	}
	evhttp_clear_headers(&form);
	free(body);
}

/* GET /count: how many answers were kept. */
static void
ceiling_count_cb(struct evhttp_request *req, void *arg)
{
	struct ceiling *c = arg;
	char body[64];

	snprintf(body, sizeof body, "{\"stored\": %ld}", c->stored);
	ceiling_reply(req, 200, "application/json", body);
}

/* SIGTERM or SIGINT: leave the loop. */
static void
ceiling_stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Serve until SIGTERM. */
int
main(void)
{
	struct ceiling c = { 0 };
	const char *port = getenv("PORT");
	struct evhttp *http;
	struct event *term, *intr;

	if ((c.secret = getenv("SLACK_SIGNING_SECRET")) == NULL || port == NULL) {
		fprintf(stderr, "bench_ceiling: set PORT and SLACK_SIGNING_SECRET\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	c.base = event_base_new();
	http = evhttp_new(c.base);
	evhttp_set_max_body_size(http, CEILING_MAX_BODY);
	evhttp_set_cb(http, "/slack/commands", ceiling_command_cb, &c);
	evhttp_set_cb(http, "/count", ceiling_count_cb, &c);
	if (evhttp_bind_socket(http, "127.0.0.1", (ev_uint16_t)atoi(port)) != 0) {
		fprintf(stderr, "bench_ceiling: cannot listen on 127.0.0.1:%s\n",
		    port);
		return 3;
	}
	term = evsignal_new(c.base, SIGTERM, ceiling_stop_cb, c.base);
	intr = evsignal_new(c.base, SIGINT, ceiling_stop_cb, c.base);
	event_add(term, NULL);
	event_add(intr, NULL);
	printf("ceiling listening on 127.0.0.1:%s\n", port);
	fflush(stdout);
	event_base_dispatch(c.base);
	event_free(term);
	event_free(intr);
	evhttp_free(http);
	event_base_free(c.base);
	return 0;
}
