/*
 * The loopback child behind the platforms' fake APIs: it reads each
 * request, lets the platform's function answer it, records it, and sends
 * the answer (late when asked). The port goes back through a pipe.
 */
#include "api_fake.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct api_fake_child {
	struct event_base	*base;
	FILE			*log;
	int			 slow_ms;
	struct timespec		 started;
	void			(*answer)(struct api_fake_call *);
	void			*state;
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

/* Start the child; its base URL is http://127.0.0.1:PORT. */
int
api_fake_start(struct api_fake *f, const char *log, int record, int slow_ms,
    void (*answer)(struct api_fake_call *), const void *state,
    size_t state_len)
{
	struct api_fake_child s = { 0 };
	struct evhttp_bound_socket *bound;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct evhttp *http;
	int fds[2], port;

	memset(f, 0, sizeof *f);
	f->log = strdup(log);
	if (pipe(fds) == -1)
		return -1;
	if ((f->pid = fork()) != 0) {
		close(fds[1]);
		if (f->pid == -1 || read(fds[0], &f->port, sizeof f->port) !=
		    sizeof f->port) {
			close(fds[0]);
			return -1;
		}
		close(fds[0]);
		return 0;
	}
	close(fds[0]);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	clock_gettime(CLOCK_MONOTONIC, &s.started);
	s.slow_ms = slow_ms;
	s.answer = answer;
	s.state = calloc(1, state_len + 1);
	memcpy(s.state, state, state_len);
	s.base = event_base_new();
	if (record && (s.log = fopen(log, "a")) == NULL)
		_exit(3);
	http = evhttp_new(s.base);
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_PUT | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(http, api_fake_request_cb, &s);
	evhttp_set_timeout(http, 120);
	bound = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	if (bound == NULL || getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &len) == -1)
		_exit(3);
	port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (write(fds[1], &port, sizeof port) != sizeof port)
		_exit(3);
	close(fds[1]);
	event_base_dispatch(s.base);
	_exit(0);
}

/* Stop the child by PID. */
void
api_fake_stop(struct api_fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
		f->pid = 0;
	}
	free(f->log);
	f->log = NULL;
}

/* The recorded calls whose path starts with prefix, oldest first. */
cJSON *
api_fake_calls(const struct api_fake *f, const char *prefix)
{
	cJSON *all = cJSON_CreateArray(), *o;
	FILE *fp = fopen(f->log, "r");
	char *line = NULL;
	size_t cap = 0;

	while (fp != NULL && getline(&line, &cap, fp) != -1) {
		const cJSON *p;

		if ((o = cJSON_Parse(line)) == NULL)
			continue;
		p = cJSON_GetObjectItemCaseSensitive(o, "path");
		if (cJSON_IsString(p) && strncmp(p->valuestring, prefix,
		    strlen(prefix)) == 0)
			cJSON_AddItemToArray(all, o);
		else
			cJSON_Delete(o);
	}
	free(line);
	if (fp != NULL)
		fclose(fp);
	return all;
}

/* How many calls under prefix arrived. */
int
api_fake_count(const struct api_fake *f, const char *prefix)
{
	cJSON *all = api_fake_calls(f, prefix);
	int n = cJSON_GetArraySize(all);

	cJSON_Delete(all);
	return n;
}
