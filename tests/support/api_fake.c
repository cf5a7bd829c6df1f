/* SPDX-License-Identifier: ISC */
/*
 * The loopback child behind the platforms' fake APIs: it reads each
 * request, lets the platform's function answer it, records it, and sends
 * the answer (late when asked). The port goes back through a pipe.
 */
#include "api_fake.h"
#include "loopback.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct api_fake_child {
	struct event_base	*base;
	FILE			*log;
	int			 slow_ms;
	struct timespec		 started;
	void			(*answer)(struct api_fake_call *);
	void			*state;
	size_t			 state_len;
	const char		*logpath;
	int			 record;
};

/* A call waiting to be answered. */
struct api_fake_pending {
	struct api_fake_call	 call;
	struct event		*ev;
};

static void	api_fake_request_cb(struct evhttp_request *, void *);
static void	api_fake_send(struct api_fake_pending *);
static void	api_fake_later_cb(evutil_socket_t, short, void *);
static void	api_fake_record(struct api_fake_child *,
		    const struct api_fake_call *, const char *);
static const char *api_fake_method(struct evhttp_request *);
static void	api_fake_init(struct event_base *, struct evhttp *, void *);

/* Add a header to the answer. */
void
api_fake_header(struct api_fake_call *c, const char *name, const char *fmt,
    ...)
{
	va_list ap;
	char *value;

	va_start(ap, fmt);
	if (vasprintf(&value, fmt, ap) == -1)
		abort();
	va_end(ap);
	evhttp_add_header(evhttp_request_get_output_headers(c->req), name,
	    value);
	free(value);
}

/* The request's method as a word. */
static const char *
api_fake_method(struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_POST:
		return "POST";
	case EVHTTP_REQ_GET:
		return "GET";
	case EVHTTP_REQ_PUT:
		return "PUT";
	case EVHTTP_REQ_PATCH:
		return "PATCH";
	default:
		return "OTHER";
	}
}

/* Append the call as one JSON line. */
static void
api_fake_record(struct api_fake_child *s, const struct api_fake_call *c,
    const char *agent)
{
	struct timespec now;
	cJSON *o = cJSON_CreateObject();
	char *line;

	clock_gettime(CLOCK_MONOTONIC, &now);
	cJSON_AddNumberToObject(o, "ms", (double)(now.tv_sec -
	    s->started.tv_sec) * 1000 + (double)(now.tv_nsec -
	    s->started.tv_nsec) / 1e6);
	cJSON_AddStringToObject(o, "method", c->method);
	cJSON_AddStringToObject(o, "path", c->path);
	cJSON_AddStringToObject(o, "auth", c->auth != NULL ? c->auth : "");
	cJSON_AddStringToObject(o, "agent", agent != NULL ? agent : "");
	cJSON_AddNumberToObject(o, "status", c->status);
	cJSON_AddItemToObject(o, "body", c->body != NULL ?
	    cJSON_Duplicate(c->body, 1) : cJSON_CreateNull());
	line = cJSON_PrintUnformatted(o);
	fprintf(s->log, "%s\n", line);
	fflush(s->log);
	free(line);
	cJSON_Delete(o);
}

/* Send the answer and free the call. */
static void
api_fake_send(struct api_fake_pending *p)
{
	struct evbuffer *buf = evbuffer_new();
	const char *a = p->call.answer != NULL ? p->call.answer : "";

	evhttp_add_header(evhttp_request_get_output_headers(p->call.req),
	    "Content-Type", "application/json");
	evbuffer_add(buf, a, strlen(a));
	evhttp_send_reply(p->call.req, p->call.status, NULL, buf);
	evbuffer_free(buf);
	if (p->ev != NULL)
		event_free(p->ev);
	cJSON_Delete(p->call.body);
	free(p->call.answer);
	free((char *)p->call.path);
	free(p);
}

/* A late answer's time has come. */
static void
api_fake_later_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	api_fake_send(arg);
}

/* Every request: read it, let the platform answer, record, send. */
static void
api_fake_request_cb(struct evhttp_request *req, void *arg)
{
	struct api_fake_child *s = arg;
	struct api_fake_pending *p = calloc(1, sizeof *p);
	struct evkeyvalq *in = evhttp_request_get_input_headers(req);
	struct evbuffer *body = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(body);
	const char *uri = evhttp_request_get_uri(req);
	char *raw = calloc(1, len + 1);

	evbuffer_copyout(body, raw, len);
	p->call.req = req;
	p->call.method = api_fake_method(req);
	p->call.path = strndup(uri, strcspn(uri, "?"));
	p->call.auth = evhttp_find_header(in, "Authorization");
	p->call.body = len != 0 ? cJSON_Parse(raw) : NULL;
	p->call.state = s->state;
	p->call.status = 200;
	free(raw);
	s->answer(&p->call);
	if (s->log != NULL)
		api_fake_record(s, &p->call, evhttp_find_header(in,
		    "User-Agent"));
	if (s->slow_ms > 0) {
		struct timeval tv = { s->slow_ms / 1000,
		    (s->slow_ms % 1000) * 1000 };

		p->ev = evtimer_new(s->base, api_fake_later_cb, p);
		evtimer_add(p->ev, &tv);
	} else
		api_fake_send(p);
}

/* The child's setup: its state, its log, the methods it takes. */
static void
api_fake_init(struct event_base *base, struct evhttp *http, void *arg)
{
	struct api_fake_child *s = arg;
	void *state = calloc(1, s->state_len + 1);

	clock_gettime(CLOCK_MONOTONIC, &s->started);
	memcpy(state, s->state, s->state_len);
	s->state = state;
	s->base = base;
	if (s->record && (s->log = fopen(s->logpath, "a")) == NULL)
		_exit(3);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(http, api_fake_request_cb, s);
}

/* Start the child; its base URL is http://127.0.0.1:PORT. */
int
api_fake_start(struct api_fake *f, const char *log, int record, int slow_ms,
    void (*answer)(struct api_fake_call *), const void *state,
    size_t state_len)
{
	struct api_fake_child s = { .slow_ms = slow_ms, .answer = answer,
	    .state = (void *)state, .state_len = state_len, .logpath = log,
	    .record = record };

	memset(f, 0, sizeof *f);
	f->log = strdup(log);
	return loopback_start(&f->pid, &f->port, api_fake_init, &s);
}

/* Stop the child by PID. */
void
api_fake_stop(struct api_fake *f)
{
	loopback_stop(&f->pid);
	free(f->log);
	f->log = NULL;
}

/* The recorded calls whose path starts with prefix, oldest first. */
cJSON *
api_fake_calls(const struct api_fake *f, const char *prefix)
{
	return loopback_calls(f->log, "path", prefix, 1);
}

/* How many calls under prefix arrived. */
int
api_fake_count(const struct api_fake *f, const char *prefix)
{
	return loopback_count(api_fake_calls(f, prefix));
}
