/* SPDX-License-Identifier: ISC */
/*
 * The connection layer under evhttp (libevent 2.1), for what evhttp does
 * not do itself:
 *
 * - The listener is ours (evconnlistener with an error callback, handed to
 *   evhttp): when accept() fails because the process or the system is out
 *   of descriptors, the listener pauses for a moment instead of retrying at
 *   once, a spare descriptor (/dev/null, opened at start) is given up to
 *   accept and close the waiting connections cleanly, and the condition is
 *   logged at most once a minute. Open connections keep being served.
 * - Each connection's bufferevent is ours (evhttp_set_bevcb), watched by a
 *   timer: a request's headers must arrive within header_timeout of its
 *   start and its body within body_timeout of the headers' end, else the
 *   socket is shut down and evhttp cleans up as for a client that left.
 *   evhttp's own timeout only catches silence, not a client that trickles.
 * - Connections are counted, all together and per client address; past
 *   either cap a request is answered 503.
 *
 * evhttp hands the bufferevent to the connection it creates right after
 * asking for it; the layer learns that connection (the bufferevent's
 * callback argument) on the next loop turn, or when its request arrives.
 *
 * Why a layer and not an embedded server such as GNU libmicrohttpd (which
 * has connection limits and timeouts built in): libevent 2.1's public API
 * (bevcb, bind_listener, bufferevent_getcb, on_complete) is enough for the
 * three missing pieces in ~600 lines, the routes, the asynchronous answers
 * after the turn's commit and every test stay as they are, and nudged keeps
 * one event loop and no new dependency; libmicrohttpd on an external loop
 * would need its descriptors re-polled every turn and its connections
 * suspended and resumed for each answer that waits for the commit.
 */
#include "httpd_conn.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "clock.h"
#include "config.h"
#include "log.h"
#include "xmalloc.h"

/* How long the listener rests after running out of descriptors. */
#define HTTPD_CONN_PAUSE_MS	500
/* Seconds between two messages about the same condition. */
#define HTTPD_CONN_LOG_EVERY	60
/* Waiting connections closed at most per pause. */
#define HTTPD_CONN_SHED_MAX	64

enum httpd_conn_phase {
	HTTPD_CONN_HEADERS,	/* a request started: its headers are due */
	HTTPD_CONN_BODY,	/* headers read: its body is due */
	HTTPD_CONN_HANDLED,	/* complete, with its route: no deadline */
};

struct httpd_conn {
	struct httpd_conns	*layer;
	struct bufferevent	*bev;		/* a reference of ours */
	struct evbuffer_cb_entry *watch;	/* on the input, for the headers' end */
	struct evhttp_connection *evcon;	/* NULL until adopted */
	struct event		*timer;		/* adoption, then the deadline */
	enum httpd_conn_phase	 phase;
	int			 line_empty;	/* the header line so far is empty */
	int			 counted;	/* within the caps */
	char			 addr[64];
	void			(*gone)(void *);
	void			*gone_arg;
	TAILQ_ENTRY(httpd_conn)	 entry;
};
TAILQ_HEAD(httpd_conn_list, httpd_conn);

/* A condition logged at most once every HTTPD_CONN_LOG_EVERY seconds. */
struct httpd_conn_note {
	int64_t		 at;		/* monotonic ms of the last message, 0 */
	unsigned long	 count;		/* times since then */
};

struct httpd_conns {
	struct event_base	*base;
	const struct clock	*clock;
	struct evconnlistener	*listener;	/* evhttp's once bound */
	struct event		*resume;	/* turns the listener back on */
	int			 spare;		/* /dev/null, given up to shed */
	struct config_http	 limits;
	struct httpd_conn_list	 conns;
	long			 open;		/* counted connections */
	unsigned long		 shed;		/* closed unserved since the message */
	struct httpd_conn_note	 no_fds, full;
	struct httpd_conns	*next;
};

/* Every layer, for the listener's error callback (its argument is evhttp's). */
static struct httpd_conns *httpd_conn_layers;

static struct evconnlistener *httpd_conn_listen(struct httpd_conns *,
		    const char *, int, char **);
static struct bufferevent *httpd_conn_bev_cb(struct event_base *, void *);
static int	 httpd_conn_adopt(struct httpd_conn *);
static long	 httpd_conn_from(struct httpd_conns *, const char *);
static void	 httpd_conn_arm(struct httpd_conn *, enum httpd_conn_phase);
static void	 httpd_conn_timer_cb(evutil_socket_t, short, void *);
static void	 httpd_conn_input_cb(struct evbuffer *,
		    const struct evbuffer_cb_info *, void *);
static void	 httpd_conn_scan(struct httpd_conn *, const char *, size_t);
static void	 httpd_conn_done_cb(struct evhttp_request *, void *);
static void	 httpd_conn_closed_cb(struct evhttp_connection *, void *);
static void	 httpd_conn_free(struct httpd_conn *);
static const char *httpd_conn_framing(struct evhttp_request *);
static void	 httpd_conn_refuse(struct evhttp_request *, int, const char *);
static void	 httpd_conn_accept_error_cb(struct evconnlistener *, void *);
static unsigned long httpd_conn_shed(struct httpd_conns *);
static void	 httpd_conn_resume_cb(evutil_socket_t, short, void *);
static unsigned long httpd_conn_note(struct httpd_conns *,
		    struct httpd_conn_note *);

/* Listen on host:port for evhttp, with the layer in between. */
struct httpd_conns *
httpd_conn_start(struct event_base *base, const struct clock *clock,
    struct evhttp *http, const char *host, int port,
    const struct config_http *limits, char **cause)
{
	struct httpd_conns *l = xcalloc(1, sizeof *l);

	l->base = base;
	l->clock = clock;
	l->limits = *limits;
	TAILQ_INIT(&l->conns);
	if ((l->listener = httpd_conn_listen(l, host, port, cause)) == NULL) {
		free(l);
		return NULL;
	}
	if (evhttp_bind_listener(http, l->listener) == NULL) {
		xasprintf(cause, "cannot listen on %s:%d", host, port);
		evconnlistener_free(l->listener);
		free(l);
		return NULL;
	}
	evconnlistener_set_error_cb(l->listener, httpd_conn_accept_error_cb);
	l->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	l->resume = evtimer_new(base, httpd_conn_resume_cb, l);
	evhttp_set_bevcb(http, httpd_conn_bev_cb, l);
	l->next = httpd_conn_layers;
	httpd_conn_layers = l;
	return l;
}

/* A bound, listening socket for host:port, or NULL with a cause. */
static struct evconnlistener *
httpd_conn_listen(struct httpd_conns *l, const char *host, int port,
    char **cause)
{
	struct evutil_addrinfo hints = { 0 }, *ai = NULL;
	struct evconnlistener *lev = NULL;
	char service[16];

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = EVUTIL_AI_PASSIVE;
	snprintf(service, sizeof service, "%d", port);
	if (evutil_getaddrinfo(host, service, &hints, &ai) == 0)
		lev = evconnlistener_new_bind(l->base, NULL, NULL,
		    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC |
		    LEV_OPT_CLOSE_ON_FREE, 128, ai->ai_addr,
		    (int)ai->ai_addrlen);
	if (ai != NULL)
		evutil_freeaddrinfo(ai);
	if (lev == NULL)
		xasprintf(cause, "cannot listen on %s:%d (in use, or not an "
		    "address of this machine)", host, port);
	return lev;
}

/* Use new limits from now on (open connections keep their place). */
void
httpd_conn_reload(struct httpd_conns *l, const struct config_http *limits)
{
	l->limits = *limits;
}

/* Free what evhttp_free() left: connections it never showed, the spare. */
void
httpd_conn_stop(struct httpd_conns *l)
{
	struct httpd_conns **pp;
	struct httpd_conn *c;

	if (l == NULL)
		return;
	while ((c = TAILQ_FIRST(&l->conns)) != NULL)
		httpd_conn_free(c);
	for (pp = &httpd_conn_layers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	event_free(l->resume);
	if (l->spare != -1)
		close(l->spare);
	free(l);
}

/* evhttp wants a bufferevent for a connection it accepted: ours, watched. */
static struct bufferevent *
httpd_conn_bev_cb(struct event_base *base, void *arg)
{
	struct httpd_conns *l = arg;
	struct httpd_conn *c = xcalloc(1, sizeof *c);
	struct timeval now = { 0, 0 };

	/* Only memory can fail here: the allocation policy's fatal error. */
	if ((c->bev = bufferevent_socket_new(base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("httpd: out of memory for a connection");
	/* Ours until the connection closes, even if evhttp gives up on it first. */
	bufferevent_incref(c->bev);
	c->layer = l;
	c->phase = HTTPD_CONN_HEADERS;
	c->watch = evbuffer_add_cb(bufferevent_get_input(c->bev),
	    httpd_conn_input_cb, c);
	c->timer = evtimer_new(base, httpd_conn_timer_cb, c);
	TAILQ_INSERT_TAIL(&l->conns, c, entry);
	evtimer_add(c->timer, &now);
	return c->bev;
}

/*
 * Learn the connection evhttp built on the bufferevent, its client's
 * address, and whether it is within the caps; -1 (and c is freed) when
 * evhttp has already let it go.
 */
static int
httpd_conn_adopt(struct httpd_conn *c)
{
	struct httpd_conns *l = c->layer;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	void *evcon = NULL;
	const void *ip = NULL;

	bufferevent_getcb(c->bev, NULL, NULL, NULL, &evcon);
	if (evcon == NULL) {
		httpd_conn_free(c);
		return -1;
	}
	c->evcon = evcon;
	evhttp_connection_set_closecb(c->evcon, httpd_conn_closed_cb, c);
	if (getpeername(bufferevent_getfd(c->bev), (struct sockaddr *)&ss,
	    &len) == 0) {
		if (ss.ss_family == AF_INET)
			ip = &((struct sockaddr_in *)&ss)->sin_addr;
		else if (ss.ss_family == AF_INET6)
			ip = &((struct sockaddr_in6 *)&ss)->sin6_addr;
	}
	if (ip == NULL || evutil_inet_ntop(ss.ss_family, ip, c->addr,
	    sizeof c->addr) == NULL)
		snprintf(c->addr, sizeof c->addr, "unknown");
	c->counted = l->open < l->limits.max_connections &&
	    httpd_conn_from(l, c->addr) < l->limits.max_per_address;
	if (c->counted)
		l->open++;
	return 0;
}

/* Counted connections from addr. */
static long
httpd_conn_from(struct httpd_conns *l, const char *addr)
{
	struct httpd_conn *c;
	long n = 0;

	TAILQ_FOREACH(c, &l->conns, entry) {
		if (c->counted && strcmp(c->addr, addr) == 0)
			n++;
	}
	return n;
}

/* Enter a phase and arm its deadline (none once the request is complete). */
static void
httpd_conn_arm(struct httpd_conn *c, enum httpd_conn_phase phase)
{
	struct timeval tv = { 0, 0 };

	c->phase = phase;
	c->line_empty = 0;
	if (phase == HTTPD_CONN_HANDLED) {
		evtimer_del(c->timer);
		return;
	}
	tv.tv_sec = (time_t)(phase == HTTPD_CONN_HEADERS ?
	    c->layer->limits.header_timeout : c->layer->limits.body_timeout);
	evtimer_add(c->timer, &tv);
}

/* Adopt a new connection, or cut one whose request is late. */
static void
httpd_conn_timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpd_conn *c = arg;

	(void)fd;
	(void)what;
	if (c->evcon == NULL) {
		if (httpd_conn_adopt(c) == 0 && c->phase != HTTPD_CONN_HANDLED)
			httpd_conn_arm(c, c->phase);
		return;
	}
	if (c->phase == HTTPD_CONN_HANDLED)
		return;
	log_debug("httpd: %s: the request's %s did not arrive in time; "
	    "connection closed", c->addr, c->phase == HTTPD_CONN_HEADERS ?
	    "headers" : "body");
	/* evhttp sees the end of the stream and frees the connection itself. */
	shutdown(bufferevent_getfd(c->bev), SHUT_RDWR);
}

/* Bytes came in: while the headers are due, look for their end. */
static void
httpd_conn_input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info,
    void *arg)
{
	struct httpd_conn *c = arg;
	struct evbuffer_ptr pos;
	size_t left = info->n_added, len = evbuffer_get_length(buf);
	char chunk[512];
	ev_ssize_t got;

	if (c->phase != HTTPD_CONN_HEADERS || left == 0 || left > len ||
	    evbuffer_ptr_set(buf, &pos, len - left, EVBUFFER_PTR_SET) == -1)
		return;
	while (left > 0 && c->phase == HTTPD_CONN_HEADERS) {
		got = evbuffer_copyout_from(buf, &pos, chunk, left < sizeof chunk ?
		    left : sizeof chunk);
		if (got <= 0)
			return;
		httpd_conn_scan(c, chunk, (size_t)got);
		left -= (size_t)got;
		if (evbuffer_ptr_set(buf, &pos, (size_t)got, EVBUFFER_PTR_ADD) ==
		    -1)
			return;
	}
}

/* Follow the header lines; an empty one ends them and starts the body's deadline. */
static void
httpd_conn_scan(struct httpd_conn *c, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			if (c->line_empty) {
				if (c->evcon != NULL)
					httpd_conn_arm(c, HTTPD_CONN_BODY);
				else
					c->phase = HTTPD_CONN_BODY;
				return;
			}
			c->line_empty = 1;
		} else if (s[i] != '\r')
			c->line_empty = 0;
	}
}

/* The answer went out and the connection stays: the next request has begun. */
static void
httpd_conn_done_cb(struct evhttp_request *req, void *arg)
{
	(void)req;
	httpd_conn_arm(arg, HTTPD_CONN_HEADERS);
}

/* evhttp is freeing the connection: tell the watcher, forget it. */
static void
httpd_conn_closed_cb(struct evhttp_connection *evcon, void *arg)
{
	struct httpd_conn *c = arg;

	(void)evcon;
	if (c->gone != NULL)
		c->gone(c->gone_arg);
	httpd_conn_free(c);
}

/* Drop a connection's state and our reference to its bufferevent. */
static void
httpd_conn_free(struct httpd_conn *c)
{
	if (c->counted)
		c->layer->open--;
	TAILQ_REMOVE(&c->layer->conns, c, entry);
	event_free(c->timer);
	evbuffer_remove_cb_entry(bufferevent_get_input(c->bev), c->watch);
	bufferevent_decref(c->bev);
	free(c);
}

/* The layer's state for the connection a request came on, or NULL. */
struct httpd_conn *
httpd_conn_of(struct httpd_conns *l, struct evhttp_request *req)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	struct bufferevent *bev;
	struct httpd_conn *c;

	if (evcon == NULL)
		return NULL;
	bev = evhttp_connection_get_bufferevent(evcon);
	TAILQ_FOREACH(c, &l->conns, entry) {
		if (c->bev == bev)
			return c;
	}
	return NULL;
}

/* Check a complete request before its route sees it. */
int
httpd_conn_admit(struct httpd_conns *l, struct evhttp_request *req)
{
	struct httpd_conn *c = httpd_conn_of(l, req);
	const char *why;
	unsigned long times;

	if (c != NULL && (c->evcon != NULL || httpd_conn_adopt(c) == 0)) {
		httpd_conn_arm(c, HTTPD_CONN_HANDLED);
		evhttp_request_set_on_complete_cb(req, httpd_conn_done_cb, c);
		if (!c->counted) {
			if ((times = httpd_conn_note(l, &l->full)) != 0)
				log_warnx("httpd: too many connections (at most "
				    "%ld, %ld per address): answered 503 %lu "
				    "time%s since the last message",
				    l->limits.max_connections,
				    l->limits.max_per_address, times,
				    times == 1 ? "" : "s");
			httpd_conn_refuse(req, 503, "too many connections; try "
			    "again in a moment");
			return -1;
		}
	}
	if ((why = httpd_conn_framing(req)) != NULL) {
		log_warnx("httpd: %s: 400 %s", evhttp_uri_get_path(
		    evhttp_request_get_evhttp_uri(req)), why);
		httpd_conn_refuse(req, 400, why);
		return -1;
	}
	return 0;
}

/*
 * Why the request's body length is ambiguous (RFC 9112 section 6.3: two
 * different Content-Length values, or one with Transfer-Encoding), or NULL.
 * evhttp would use the first and read the rest as another request.
 */
static const char *
httpd_conn_framing(struct evhttp_request *req)
{
	struct evkeyvalq *headers = evhttp_request_get_input_headers(req);
	const struct evkeyval *kv;
	const char *length = NULL;
	int chunked = 0;

	TAILQ_FOREACH(kv, headers, next) {
		if (strcasecmp(kv->key, "Transfer-Encoding") == 0)
			chunked = 1;
		else if (strcasecmp(kv->key, "Content-Length") == 0) {
			if (length != NULL && strcmp(length, kv->value) != 0)
				return "two different Content-Length headers";
			length = kv->value;
		}
	}
	if (chunked && length != NULL)
		return "both Transfer-Encoding and Content-Length";
	return NULL;
}

/* Answer with a status and reason, and close the connection after it. */
static void
httpd_conn_refuse(struct evhttp_request *req, int code, const char *reason)
{
	struct evkeyvalq *out = evhttp_request_get_output_headers(req);
	struct evbuffer *buf = evbuffer_new();

	if (buf == NULL) {
		evhttp_send_error(req, code, NULL);
		return;
	}
	evhttp_add_header(out, "Content-Type", "text/plain; charset=utf-8");
	evhttp_add_header(out, "Connection", "close");
	if (code == 503)
		evhttp_add_header(out, "Retry-After", "5");
	evbuffer_add_printf(buf, "%s\n", reason);
	evhttp_send_reply(req, code, NULL, buf);
	evbuffer_free(buf);
}

/* Call gone(arg) once if the connection closes; NULL stops watching. */
void
httpd_conn_watch(struct httpd_conn *c, void (*gone)(void *), void *arg)
{
	c->gone = gone;
	c->gone_arg = arg;
}

/*
 * accept() failed with more than a passing error: rest the listener for a
 * moment rather than retry at once. Out of descriptors, close what waits
 * to be accepted (through the spare descriptor), so clients are not left
 * hanging, and say so once a while.
 */
static void
httpd_conn_accept_error_cb(struct evconnlistener *lev, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	struct timeval pause = { 0, HTTPD_CONN_PAUSE_MS * 1000 };
	struct httpd_conns *l;
	unsigned long times;

	(void)arg;
	for (l = httpd_conn_layers; l != NULL && l->listener != lev;
	    l = l->next)
		;
	evconnlistener_disable(lev);
	if (l == NULL)
		return;
	evtimer_add(l->resume, &pause);
	if (err == EMFILE || err == ENFILE)
		l->shed += httpd_conn_shed(l);
	if ((times = httpd_conn_note(l, &l->no_fds)) == 0)
		return;
	log_warnx("httpd: cannot accept connections: %s; pausing %d ms at a "
	    "time (%lu time%s since the last message, %lu waiting "
	    "connection%s closed unserved)", strerror(err),
	    HTTPD_CONN_PAUSE_MS, times, times == 1 ? "" : "s", l->shed,
	    l->shed == 1 ? "" : "s");
	l->shed = 0;
}

/* Give up the spare descriptor to accept and close waiting connections. */
static unsigned long
httpd_conn_shed(struct httpd_conns *l)
{
	int fd, lfd = evconnlistener_get_fd(l->listener);
	unsigned long n = 0;

	if (l->spare == -1)
		l->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (l->spare == -1)
		return 0;
	close(l->spare);
	while (n < HTTPD_CONN_SHED_MAX && (fd = accept4(lfd, NULL, NULL,
	    SOCK_CLOEXEC)) != -1) {
		close(fd);
		n++;
	}
	l->spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return n;
}

/* The pause is over: accept again. */
static void
httpd_conn_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct httpd_conns *l = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(l->listener);
}

/*
 * Count one more occurrence. When it is time to log (the first, or a
 * minute after the last message): the occurrences since that message,
 * this one included, and a new count starts; else 0.
 */
static unsigned long
httpd_conn_note(struct httpd_conns *l, struct httpd_conn_note *n)
{
	int64_t now = clock_mono_ms(l->clock);
	unsigned long count = ++n->count;

	if (n->at != 0 && now - n->at < HTTPD_CONN_LOG_EVERY * 1000)
		return 0;
	n->at = now;
	n->count = 0;
	return count;
}
