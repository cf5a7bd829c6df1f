/* SPDX-License-Identifier: ISC */
/*
 * libcurl multi_socket on libevent, after curl's hiperfifo example: libcurl
 * says which sockets to watch and when to time out; libevent watches; each
 * readiness goes back through curl_multi_socket_action; finished transfers
 * are handed to the owner's done callback, after libcurl has let go of them.
 * Nothing here blocks (Debian's libcurl resolves names in a thread).
 */
#include "curlev.h"

#include <event2/event.h>
#include <stdlib.h>

#include "xmalloc.h"

struct curlev {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;
	void			(*done)(void *, CURL *, CURLcode);
	void			*arg;
};

static int	curlev_socket_cb(CURL *, curl_socket_t, int, void *, void *);
static int	curlev_timer_cb(CURLM *, long, void *);
static void	curlev_event_cb(evutil_socket_t, short, void *);
static void	curlev_timeout_cb(evutil_socket_t, short, void *);
static void	curlev_check_done(struct curlev *);

/* A multi handle on base; done is called once per finished transfer. */
struct curlev *
curlev_new(struct event_base *base, void (*done)(void *, CURL *, CURLcode),
    void *arg)
{
	struct curlev *c = xcalloc(1, sizeof *c);

	if ((c->multi = curl_multi_init()) == NULL) {
		free(c);
		return NULL;
	}
	c->base = base;
	c->done = done;
	c->arg = arg;
	c->timer = evtimer_new(base, curlev_timeout_cb, c);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, curlev_socket_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, curlev_timer_cb);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	return c;
}

/* Keep at most n idle connections for reuse. */
void
curlev_set_max_connections(struct curlev *c, long n)
{
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, n);
}

/* Start a transfer; -1 when libcurl refuses it. */
int
curlev_add(struct curlev *c, CURL *easy)
{
	return curl_multi_add_handle(c->multi, easy) == CURLM_OK ? 0 : -1;
}

/* Abandon a transfer before it finished. */
void
curlev_remove(struct curlev *c, CURL *easy)
{
	curl_multi_remove_handle(c->multi, easy);
}

/* Free the multi handle (transfers must have been removed) and its events. */
void
curlev_free(struct curlev *c)
{
	if (c == NULL)
		return;
	curl_multi_cleanup(c->multi);
	event_free(c->timer);
	free(c);
}

/* libcurl wants a socket watched for what (or no longer): one event per socket. */
static int
curlev_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct curlev *c = userp;
	struct event *ev = socketp;
	short kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (ev != NULL) {
			event_free(ev);
			curl_multi_assign(c->multi, s, NULL);
		}
		return 0;
	}
	kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (ev == NULL) {
		ev = event_new(c->base, s, kind, curlev_event_cb, c);
		curl_multi_assign(c->multi, s, ev);
	} else {
		event_del(ev);
		event_assign(ev, c->base, s, kind, curlev_event_cb, c);
	}
	event_add(ev, NULL);
	return 0;
}

/* libcurl wants one timer: -1 deletes it, 0 means soon (never call libcurl from here). */
static int
curlev_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct curlev *c = userp;
	struct timeval tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(c->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(c->timer, &tv);
	return 0;
}

/* A socket libcurl watches is ready. */
static void
curlev_event_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct curlev *c = arg;
	int running, action = ((kind & EV_READ) ? CURL_CSELECT_IN : 0) |
	    ((kind & EV_WRITE) ? CURL_CSELECT_OUT : 0);

	curl_multi_socket_action(c->multi, fd, action, &running);
	curlev_check_done(c);
}

/* libcurl's timer fired. */
static void
curlev_timeout_cb(evutil_socket_t fd, short kind, void *arg)
{
	struct curlev *c = arg;
	int running;

	(void)fd;
	(void)kind;
	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	curlev_check_done(c);
}

/* Hand every finished transfer to the owner, after removing it from the multi. */
static void
curlev_check_done(struct curlev *c)
{
	CURLMsg *msg;
	CURL *easy;
	CURLcode res;
	int left;

	while ((msg = curl_multi_info_read(c->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		easy = msg->easy_handle;
		res = msg->data.result;
		curl_multi_remove_handle(c->multi, easy);
		c->done(c->arg, easy, res);
	}
}

/*
 * An easy handle that sends body to url (POST, or method) with its content
 * type and extra "Name: value" headers, nudged's user agent, whole-request
 * and connect timeouts, no signals, and http or https only. *list holds the
 * headers: libcurl reads them until the transfer ends, then free it.
 */
CURL *
curlev_request(const char *url, const char *method, const char *content_type,
    const char *body, size_t len, char *const *headers, size_t nheaders,
    long timeout_ms, long connect_ms, struct curl_slist **list)
{
	CURL *easy = curl_easy_init();
	char *line;

	xasprintf(&line, "Content-Type: %s", content_type);
	*list = curl_slist_append(NULL, line);
	free(line);
	/* No "Expect: 100-continue" round trip for small bodies. */
	*list = curl_slist_append(*list, "Expect:");
	for (size_t i = 0; i < nheaders; i++)
		*list = curl_slist_append(*list, headers[i]);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_POST, 1L);
	if (method != NULL)
		curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, *list);
	curl_easy_setopt(easy, CURLOPT_USERAGENT, "nudged/" NUDGED_VERSION);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	return easy;
}
