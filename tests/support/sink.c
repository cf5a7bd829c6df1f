/* SPDX-License-Identifier: ISC */
/*
 * The webhook sink: a forked child running an evhttp server on 127.0.0.1
 * (port chosen by the kernel and passed back through a pipe). It dies with
 * its parent (PR_SET_PDEATHSIG) and is stopped by PID.
 */
#include "sink.h"
#include "loopback.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/util.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

struct sink_state {
	struct event_base	*base;
	FILE			*log;
	struct timespec		 started;
	char			*paths[4096];	/* for /flaky counts */
	int			 counts[4096];
	int			 npaths;
	const char		*logpath;
	int			 record;
};

struct sink_delayed {
	struct evhttp_request	*req;
	struct event		*ev;
};

static void	sink_request_cb(struct evhttp_request *, void *);
static void	sink_record(struct sink_state *, struct evhttp_request *);
static void	sink_reply(struct evhttp_request *, int, const char *);
static void	sink_delayed_cb(evutil_socket_t, short, void *);
static int	sink_seen(struct sink_state *, const char *);
static void	sink_init(struct event_base *, struct evhttp *, void *);

/* Answer with a status and a plain body. */
static void
sink_reply(struct evhttp_request *req, int code, const char *body)
{
	struct evbuffer *buf = evbuffer_new();

	evbuffer_add(buf, body, strlen(body));
	evhttp_send_reply(req, code, NULL, buf);
	evbuffer_free(buf);
}

/* How many times a path was requested, counting this one. */
static int
sink_seen(struct sink_state *s, const char *path)
{
	for (int i = 0; i < s->npaths; i++) {
		if (strcmp(s->paths[i], path) == 0)
			return ++s->counts[i];
	}
	if (s->npaths == 4096)
		return 1;
	s->paths[s->npaths] = strdup(path);
	s->counts[s->npaths++] = 1;
	return 1;
}

/* Append the request as one JSON line. */
static void
sink_record(struct sink_state *s, struct evhttp_request *req)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct evkeyvalq *headers = evhttp_request_get_input_headers(req);
	struct evkeyval *h;
	struct timespec now;
	size_t len = evbuffer_get_length(in);
	cJSON *o = cJSON_CreateObject(), *hs = cJSON_CreateObject();
	char *body = calloc(1, len + 1), *line;

	clock_gettime(CLOCK_MONOTONIC, &now);
	evbuffer_copyout(in, body, len);
	cJSON_AddNumberToObject(o, "ms", (double)(now.tv_sec - s->started.tv_sec) *
	    1000 + (double)(now.tv_nsec - s->started.tv_nsec) / 1e6);
	/* The monotonic clock itself too, for benches that time from outside. */
	cJSON_AddNumberToObject(o, "mono_ms", (double)now.tv_sec * 1000 +
	    (double)now.tv_nsec / 1e6);
	cJSON_AddStringToObject(o, "path", evhttp_request_get_uri(req));
	for (h = headers->tqh_first; h != NULL; h = h->next.tqe_next)
		cJSON_AddStringToObject(hs, h->key, h->value);
	cJSON_AddItemToObject(o, "headers", hs);
	cJSON_AddStringToObject(o, "body", body);
	line = cJSON_PrintUnformatted(o);
	fprintf(s->log, "%s\n", line);
	fflush(s->log);
	free(line);
	free(body);
	cJSON_Delete(o);
}

/* A /slow request's time has come. */
static void
sink_delayed_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sink_delayed *dl = arg;

	(void)fd;
	(void)what;
	sink_reply(dl->req, 200, "ok");
	event_free(dl->ev);
	free(dl);
}

/* Every request: record it, then behave as its path says. */
static void
sink_request_cb(struct evhttp_request *req, void *arg)
{
	struct sink_state *s = arg;
	const char *path = evhttp_request_get_uri(req);
	char body[256] = "error";
	int n = 0, k = 0;

	if (s->log != NULL)
		sink_record(s, req);
	if (strncmp(path, "/ok", 3) == 0)
		sink_reply(req, 200, "ok");
	else if (sscanf(path, "/status/%d/%255s", &n, body) >= 1)
		sink_reply(req, n, body);
	else if (sscanf(path, "/retry-after/%d/%d", &n, &k) == 2 &&
	    sink_seen(s, path) <= k) {
		snprintf(body, sizeof body, "%d", n);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", body);
		sink_reply(req, 429, "rate_limited");
	} else if (strncmp(path, "/retry-after/", 13) == 0)
		sink_reply(req, 200, "ok");
	else if (sscanf(path, "/retry-header/%d/%255s", &k, body) == 2 &&
	    sink_seen(s, path) <= k) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", body);
		sink_reply(req, 429, "rate_limited");
	} else if (strncmp(path, "/retry-header/", 14) == 0)
		sink_reply(req, 200, "ok");
	else if (sscanf(path, "/flaky/%d", &n) == 1)
		sink_reply(req, sink_seen(s, path) <= n ? 500 : 200, "flaky");
	else if (sscanf(path, "/slow/%d", &n) == 1) {
		struct sink_delayed *dl = calloc(1, sizeof *dl);
		struct timeval tv = { n / 1000, (n % 1000) * 1000 };

		dl->req = req;
		dl->ev = evtimer_new(s->base, sink_delayed_cb, dl);
		evtimer_add(dl->ev, &tv);
	} else if (strncmp(path, "/hang", 5) == 0)
		return;
	else if (strncmp(path, "/reset", 6) == 0) {
		struct evhttp_connection *c = evhttp_request_get_connection(req);
		struct linger lg = { 1, 0 };
		evutil_socket_t fd = bufferevent_getfd(
		    evhttp_connection_get_bufferevent(c));

		/* Linger 0: closing sends RST, as a crashed peer would. */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
		evhttp_connection_free(c);
	} else
		sink_reply(req, 404, "no such sink path");
}

/* The child's setup: its state, its log, its one callback. */
static void
sink_init(struct event_base *base, struct evhttp *http, void *arg)
{
	struct sink_state *s = arg;

	clock_gettime(CLOCK_MONOTONIC, &s->started);
	s->base = base;
	if (s->record && (s->log = fopen(s->logpath, "a")) == NULL)
		_exit(3);
	evhttp_set_gencb(http, sink_request_cb, s);
}

/* Start a sink; its port is in sink->port. 0 on success. */
int
sink_start(struct sink *sink, const char *log, int record)
{
	struct sink_state s = { .logpath = log, .record = record };

	memset(sink, 0, sizeof *sink);
	sink->log = strdup(log);
	return loopback_start(&sink->pid, &sink->port, sink_init, &s);
}

/* Stop the sink by PID. */
void
sink_stop(struct sink *sink)
{
	loopback_stop(&sink->pid);
	free(sink->log);
	sink->log = NULL;
}

/* The recorded requests whose path starts with prefix, as a JSON array. */
cJSON *
sink_requests(const struct sink *sink, const char *prefix)
{
	return loopback_calls(sink->log, "path", prefix, 1);
}

/* How many requests whose path starts with prefix arrived. */
int
sink_count(const struct sink *sink, const char *prefix)
{
	return loopback_count(sink_requests(sink, prefix));
}
