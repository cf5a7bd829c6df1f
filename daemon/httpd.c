/* SPDX-License-Identifier: ISC */
/*
 * nudged's HTTP server on libevent's evhttp: one listener, hard limits on
 * headers, bodies and time so a slow or oversized client cannot stall the
 * loop (evhttp answers 413 past the limits itself). With its connection
 * layer (httpd_conn.c), this is the one file that speaks evhttp; new paths
 * go through httpd_on(), never evhttp_set_cb() directly, so the layer's
 * checks hold for them too. The reply routes read each request (body, content
 * type, headers, bearer token) and hand it to the answer pipeline (reply.c)
 * with their platform and a waiter the pipeline completes with a status and
 * a body, at once or after the turn's commit; POST /api/v1/nudges goes the
 * same way to the events' handler (api_nudges.c); operators
 * get GET /healthz and GET /metrics (health.c, metrics.c); people get the dashboard (GET /) and its data
 * (GET /api/v1/stats), behind the optional dashboard_token.
 *
 * Every path is registered through httpd_on(), so each request passes the
 * connection layer (httpd_conn.c: deadlines, connection caps, an
 * unambiguous body length) before its handler; every method evhttp knows
 * reaches the handlers, which answer 405 with an Allow header. Log lines
 * carry a request's path, never its query string (?token=).
 */
#include "httpd.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "api_nudges.h"
#include "bank.h"
#include "chat/chat.h"
#include "clock.h"
#include "config.h"
#include "dashboard.h"
#include "habits.h"
#include "health.h"
#include "httpd_conn.h"
#include "log.h"
#include "reply.h"
#include "sig.h"
#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

/* How long the unfiltered stats document is reused: a dashboard is not a ticker. */
#define HTTPD_STATS_CACHE_SECONDS	30

#define HTTPD_MAX_HEADERS	(8 * 1024)
#define HTTPD_MAX_BODY		(64 * 1024)
#define HTTPD_TIMEOUT_SECONDS	10

/* What a chat route's callback needs. */
struct httpd_route_arg {
	struct httpd			*h;
	const struct chat_route		*route;
};

/* A path's handler, behind the connection layer's checks. */
struct httpd_path {
	struct httpd			*h;
	void				(*cb)(struct evhttp_request *, void *);
	void				*arg;
	struct httpd_path		*next;
};

/* A request handed to the answer pipeline, until it is answered. */
struct httpd_waiting {
	struct evhttp_request		*req;	/* NULL once the client is gone */
	struct httpd_conn		*conn;
};

struct httpd {
	struct evhttp		*http;
	struct httpd_conns	*conns;
	struct httpd_path	*paths;
	const struct clock	*clock;
	struct replies		*replies;
	struct store		*store;
	const struct config	*cfg;
	const struct bank	*bank;
	cJSON			*stats;		/* cached unfiltered document */
	int64_t			 stats_at;
	struct httpd_route_arg	*args;		/* one per platform route */
	struct health		*health;
	struct api_nudges	*nudges;	/* NULL: not taking events */
};

static void	httpd_on(struct httpd *, const char *,
		    void (*)(struct evhttp_request *, void *), void *);
static void	httpd_admit_cb(struct evhttp_request *, void *);
static void	httpd_healthz_cb(struct evhttp_request *, void *);
static void	httpd_metrics_cb(struct evhttp_request *, void *);
static void	httpd_add_routes(struct httpd *);
static void	httpd_route_cb(struct evhttp_request *, void *);
static void	httpd_api_cb(struct evhttp_request *, void *);
static void	httpd_nudges_cb(struct evhttp_request *, void *);
static void	httpd_to_replies(struct httpd *, const struct reply_request *,
		    struct reply_waiter);
static void	httpd_to_nudges(struct httpd *, const struct reply_request *,
		    struct reply_waiter);
static void	httpd_stats_cb(struct evhttp_request *, void *);
static void	httpd_dashboard_cb(struct evhttp_request *, void *);
static int	httpd_allowed(struct httpd *, struct evhttp_request *,
		    struct evkeyvalq *, int);
static cJSON	*httpd_stats(struct httpd *, struct evkeyvalq *, int *,
		    char **);
static int	httpd_query(struct evhttp_request *, struct evkeyvalq *);
static int	httpd_get_only(struct evhttp_request *);
static void	httpd_fallback_cb(struct evhttp_request *, void *);
static void	httpd_reply(struct evhttp_request *, int, const char *,
		    const char *);
static int	httpd_method_only(struct evhttp_request *, int, const char *,
		    const char *);
static const char *httpd_header(void *, const char *);
static const char *httpd_bearer(struct evhttp_request *);
static char	*httpd_content_type(struct evhttp_request *);
static char	*httpd_body(struct evhttp_request *, size_t *);
static int	httpd_probe(struct evhttp_request *, const struct chat_route *,
		    const char *, const char *, size_t);
static void	httpd_hand_over(struct httpd *, struct evhttp_request *,
		    const struct chat_route *, void (*)(struct httpd *,
		    const struct reply_request *, struct reply_waiter));
static void	httpd_answer_cb(void *, const struct reply_response *);
static void	httpd_gone_cb(void *);
static const char *httpd_path_of(struct evhttp_request *);

/* Bind host:port and register the routes; NULL with a cause on failure. */
struct httpd *
httpd_start(struct event_base *base, const struct clock *clock,
    const struct config *cfg, const struct bank *bank, struct store *store,
    struct replies *replies, char **cause)
{
	struct httpd *h = xcalloc(1, sizeof *h);
	const char *host = cfg->listen_host;
	int port = cfg->listen_port;

	h->clock = clock;
	h->replies = replies;
	h->store = store;
	h->cfg = cfg;
	h->bank = bank;
	if ((h->http = evhttp_new(base)) == NULL) {
		xasprintf(cause, "cannot create the HTTP server");
		free(h);
		return NULL;
	}
	evhttp_set_max_headers_size(h->http, HTTPD_MAX_HEADERS);
	evhttp_set_max_body_size(h->http, HTTPD_MAX_BODY);
	evhttp_set_timeout(h->http, HTTPD_TIMEOUT_SECONDS);
	/* The handlers answer 405 with Allow; evhttp alone would say 501. */
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
	    EVHTTP_REQ_PATCH);
	httpd_on(h, "/healthz", httpd_healthz_cb, h);
	httpd_on(h, "/metrics", httpd_metrics_cb, h);
	httpd_on(h, "/api/v1/stats", httpd_stats_cb, h);
	httpd_on(h, "/", httpd_dashboard_cb, h);
	httpd_on(h, "/api/v1/replies", httpd_api_cb, h);
	httpd_on(h, "/api/v1/nudges", httpd_nudges_cb, h);
	httpd_add_routes(h);
	httpd_on(h, NULL, httpd_fallback_cb, h);
	if ((h->conns = httpd_conn_start(base, clock, h->http, host, port,
	    &cfg->http, cause)) == NULL) {
		httpd_stop(h);
		return NULL;
	}
	return h;
}

/* Register every chat platform's answer routes, as the table lists them. */
static void
httpd_add_routes(struct httpd *h)
{
	const struct chat_platform *p;
	const struct chat_route *r;
	size_t n = 0;

	for (size_t i = 0; (p = chat_platform_at(i)) != NULL; i++) {
		for (r = p->routes; r != NULL && r->path != NULL; r++)
			n++;
	}
	h->args = xcalloc(n + 1, sizeof *h->args);
	n = 0;
	for (size_t i = 0; (p = chat_platform_at(i)) != NULL; i++) {
		for (r = p->routes; r != NULL && r->path != NULL; r++) {
			h->args[n] = (struct httpd_route_arg){ h, r };
			httpd_on(h, r->path, httpd_route_cb, &h->args[n++]);
		}
	}
}

/* Where POST /api/v1/nudges goes; NULL while nudged starts or stops (503). */
void
httpd_set_nudges(struct httpd *h, struct api_nudges *nudges)
{
	h->nudges = nudges;
}

/* Where /healthz and /metrics read the daemon's state. */
void
httpd_set_health(struct httpd *h, struct health *health)
{
	h->health = health;
}

/* Serve path (NULL: every other path) with cb, behind the connection layer. */
static void
httpd_on(struct httpd *h, const char *path,
    void (*cb)(struct evhttp_request *, void *), void *arg)
{
	struct httpd_path *p = xcalloc(1, sizeof *p);

	*p = (struct httpd_path){ h, cb, arg, h->paths };
	h->paths = p;
	if (path == NULL)
		evhttp_set_gencb(h->http, httpd_admit_cb, p);
	else
		evhttp_set_cb(h->http, path, httpd_admit_cb, p);
}

/* A complete request: the connection layer's checks, then its path's handler. */
static void
httpd_admit_cb(struct evhttp_request *req, void *arg)
{
	struct httpd_path *p = arg;

	if (httpd_conn_admit(p->h->conns, req) == 0)
		p->cb(req, p->arg);
}

/* The request's path, without the query string: what log lines may show. */
static const char *
httpd_path_of(struct evhttp_request *req)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(
	    req));

	return path != NULL && *path != '\0' ? path : "/";
}

/* Use a new configuration and bank from now on. */
void
httpd_reload(struct httpd *h, const struct config *cfg, const struct bank *bank)
{
	httpd_conn_reload(h->conns, &cfg->http);
	h->cfg = cfg;
	h->bank = bank;
	cJSON_Delete(h->stats);
	h->stats = NULL;
}

/* Close the listener and every connection. */
void
httpd_stop(struct httpd *h)
{
	struct httpd_path *p;

	if (h == NULL)
		return;
	evhttp_free(h->http);
	httpd_conn_stop(h->conns);
	while ((p = h->paths) != NULL) {
		h->paths = p->next;
		free(p);
	}
	cJSON_Delete(h->stats);
	free(h->args);
	free(h);
}

/* Send a complete response with a content type and body. */
static void
httpd_reply(struct evhttp_request *req, int code, const char *type,
    const char *body)
{
	struct evbuffer *buf = evbuffer_new();

	if (buf == NULL) {
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", type);
	evbuffer_add(buf, body, strlen(body));
	evhttp_send_reply(req, code, NULL, buf);
	evbuffer_free(buf);
}

/* GET /healthz: 200 when nudged can do its work, else 503 with the reasons. */
static void
httpd_healthz_cb(struct evhttp_request *req, void *arg)
{
	struct httpd *h = arg;
	char *json;
	int status;

	if (httpd_get_only(req) == -1)
		return;
	json = health_json(h->health, &status);
	httpd_reply(req, status, "application/json", json);
	free(json);
}

/* GET /metrics: Prometheus text format, behind the dashboard token when set. */
static void
httpd_metrics_cb(struct evhttp_request *req, void *arg)
{
	struct httpd *h = arg;
	char *text;

	if (httpd_get_only(req) == -1 || !httpd_allowed(h, req, NULL, 0))
		return;
	text = health_metrics(h->health);
	httpd_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", text);
	free(text);
}

/* A request header by name, for the platforms' parsers and verifiers. */
static const char *
httpd_header(void *ctx, const char *name)
{
	return evhttp_find_header(evhttp_request_get_input_headers(ctx), name);
}

/* The token of "Authorization: Bearer <token>", or NULL. */
static const char *
httpd_bearer(struct evhttp_request *req)
{
	const char *v = httpd_header(req, "Authorization");

	return v != NULL && strncmp(v, "Bearer ", 7) == 0 ? v + 7 : NULL;
}

/* The request's media type, lowercase, without parameters; "" when none. */
static char *
httpd_content_type(struct evhttp_request *req)
{
	const char *v = httpd_header(req, "Content-Type");
	char *t = xstrdup(v != NULL ? v : "");

	t[strcspn(t, "; \t")] = '\0';
	for (char *p = t; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return t;
}

/* The body as a NUL-terminated copy (evhttp already enforced the size limit). */
static char *
httpd_body(struct evhttp_request *req, size_t *len)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	char *body;

	*len = evbuffer_get_length(in);
	body = xmalloc(*len + 1);
	evbuffer_copyout(in, body, *len);
	body[*len] = '\0';
	return body;
}

/* A chat platform's answer route. */
static void
httpd_route_cb(struct evhttp_request *req, void *arg)
{
	struct httpd_route_arg *a = arg;

	httpd_hand_over(a->h, req, a->route, NULL);
}

/* POST /api/v1/replies: answers from scripts and terminals. */
static void
httpd_api_cb(struct evhttp_request *req, void *arg)
{
	httpd_hand_over(arg, req, NULL, httpd_to_replies);
}

/* POST /api/v1/nudges: nudges opened by an event. */
static void
httpd_nudges_cb(struct evhttp_request *req, void *arg)
{
	if (httpd_method_only(req, EVHTTP_REQ_POST, "POST", "method not "
	    "allowed: nudges are POSTed") == 0)
		httpd_hand_over(arg, req, NULL, httpd_to_nudges);
}

/* Hand an answer of the JSON API to the answer pipeline. */
static void
httpd_to_replies(struct httpd *h, const struct reply_request *in,
    struct reply_waiter w)
{
	replies_handle_api(h->replies, in, w);
}

/* Hand an event to its handler, or refuse it while nudged starts or stops. */
static void
httpd_to_nudges(struct httpd *h, const struct reply_request *in,
    struct reply_waiter w)
{
	struct reply_response resp = { 503, "application/json", "{\"error\": "
	    "\"nudged is starting or stopping; try again\"}" };

	if (h->nudges != NULL)
		api_nudges_handle(h->nudges, in, w);
	else
		w.done(w.arg, &resp);
}

/*
 * The platform checking that its URL answers (a certificate check): 200
 * before any other rule, as the row's probe decides.
 */
static int
httpd_probe(struct evhttp_request *req, const struct chat_route *route,
    const char *ctype, const char *body, size_t len)
{
	const struct chat_platform *p = route->platform;
	struct chat_inbound in = { .body = body, .len = len,
	    .content_type = ctype, .header = httpd_header, .ctx = req };

	if (p->probe == NULL || !p->probe(evhttp_request_get_command(req) ==
	    EVHTTP_REQ_GET, evhttp_uri_get_query(evhttp_request_get_evhttp_uri(
	    req)), &in))
		return 0;
	httpd_reply(req, 200, "text/plain; charset=utf-8", "ok\n");
	return 1;
}

/*
 * Read a request on a reply route and hand it to the answer pipeline with a
 * waiter that answers the client: a chat platform's route, or (route NULL)
 * a JSON API route's handler api.
 */
static void
httpd_hand_over(struct httpd *h, struct evhttp_request *req,
    const struct chat_route *route, void (*api)(struct httpd *,
    const struct reply_request *, struct reply_waiter))
{
	struct httpd_waiting *w;
	struct reply_request in;
	struct reply_waiter waiter;
	char *ctype, *body;
	size_t len;

	ctype = httpd_content_type(req);
	body = httpd_body(req, &len);
	if (route != NULL && httpd_probe(req, route, ctype, body, len))
		goto done;
	if (httpd_method_only(req, EVHTTP_REQ_POST, "POST", "method not "
	    "allowed: answers are POSTed") == -1) {
		log_warnx("reply: %s: 405 method not allowed: answers are "
		    "POSTed", httpd_path_of(req));
		goto done;
	}
	w = xcalloc(1, sizeof *w);
	w->req = req;
	if ((w->conn = httpd_conn_of(h->conns, req)) != NULL)
		httpd_conn_watch(w->conn, httpd_gone_cb, w);
	waiter = (struct reply_waiter){ httpd_answer_cb, w };
	in = (struct reply_request){ .path = httpd_path_of(req),
	    .content_type = ctype, .body = body, .len = len,
	    .bearer = httpd_bearer(req), .header = httpd_header, .ctx = req };
	if (route == NULL)
		api(h, &in, waiter);
	else
		replies_handle_chat(h->replies, &in, route, waiter);
done:
	free(body);
	free(ctype);
}

/* The answer pipeline's verdict on a request: send it, unless the client left. */
static void
httpd_answer_cb(void *arg, const struct reply_response *resp)
{
	struct httpd_waiting *w = arg;

	if (w->conn != NULL)
		httpd_conn_watch(w->conn, NULL, NULL);
	if (w->req != NULL)
		httpd_reply(w->req, resp->status, resp->content_type, resp->body);
	free(w);
}

/* The client went away before its answer was ready: the answer goes to no one. */
static void
httpd_gone_cb(void *arg)
{
	struct httpd_waiting *w = arg;

	w->req = NULL;
	w->conn = NULL;
}

/*
 * Whether the request may see stats: always without a dashboard_token, else
 * with "Authorization: Bearer <token>" or (for the page, opened in a
 * browser) ?token=. Answers 401/403 itself when not.
 */
static int
httpd_allowed(struct httpd *h, struct evhttp_request *req,
    struct evkeyvalq *params, int page)
{
	const char *want = h->cfg->dashboard_token, *got;

	if (want == NULL)
		return 1;
	got = httpd_bearer(req);
	if (got == NULL && page)
		got = evhttp_find_header(params, "token");
	if (got == NULL) {
		httpd_reply(req, 401, "text/plain; charset=utf-8", "this "
		    "dashboard needs a token: Authorization: Bearer <token>\n");
		return 0;
	}
	if (!sig_token_equal(got, want)) {
		log_warnx("httpd: %s: 403 wrong dashboard token",
		    httpd_path_of(req));
		httpd_reply(req, 403, "text/plain; charset=utf-8", "wrong "
		    "token\n");
		return 0;
	}
	return 1;
}

/*
 * The stats document for the query's filters (channel, user, since); the
 * unfiltered one is cached for a short while. NULL with a status and cause.
 */
static cJSON *
httpd_stats(struct httpd *h, struct evkeyvalq *params, int *status,
    char **cause)
{
	struct habits_filter f = { 0 };
	int64_t now = clock_now(h->clock);
	int y, m, d;
	cJSON *doc;

	f.channel = evhttp_find_header(params, "channel");
	f.user = evhttp_find_header(params, "user");
	f.since_date = evhttp_find_header(params, "since");
	if (f.channel != NULL && config_find_channel(h->cfg, f.channel) == NULL) {
		*status = 404;
		xasprintf(cause, "no channel called \"%s\"", f.channel);
		return NULL;
	}
	if (f.since_date != NULL) {
		if (timefmt_parse_date(f.since_date, &y, &m, &d, cause) == -1) {
			*status = 400;
			return NULL;
		}
		f.since = tz_from_local(h->cfg->tz, y, m, d, 0, 0, 0);
	}
	if (f.channel == NULL && f.user == NULL && f.since_date == NULL &&
	    h->stats != NULL && now - h->stats_at < HTTPD_STATS_CACHE_SECONDS)
		return cJSON_Duplicate(h->stats, 1);
	*status = 503;
	if ((doc = habits_stats(h->store, h->cfg, h->bank, &f, now, cause)) ==
	    NULL)
		return NULL;
	if (f.channel == NULL && f.user == NULL && f.since_date == NULL) {
		cJSON_Delete(h->stats);
		h->stats = cJSON_Duplicate(doc, 1);
		h->stats_at = now;
	}
	return doc;
}

/* Parse the query string of a GET into params; 0 when it could be read. */
static int
httpd_query(struct evhttp_request *req, struct evkeyvalq *params)
{
	const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));

	TAILQ_INIT(params);
	return q == NULL ? 0 : evhttp_parse_query_str(q, params);
}

/* GET /api/v1/stats: the same document as `nudged stats --format json`. */
static void
httpd_stats_cb(struct evhttp_request *req, void *arg)
{
	struct httpd *h = arg;
	struct evkeyvalq params;
	char *cause = NULL, *json;
	int status = 500;
	cJSON *doc;

	if (httpd_get_only(req) == -1)
		return;
	if (httpd_query(req, &params) == -1) {
		httpd_reply(req, 400, "text/plain; charset=utf-8", "malformed "
		    "query string\n");
		return;
	}
	if (httpd_allowed(h, req, &params, 0)) {
		if ((doc = httpd_stats(h, &params, &status, &cause)) == NULL) {
			xasprintf(&json, "{\"error\": \"%s\"}\n", status == 503 ?
			    "the store could not be read" : "bad query");
			log_warnx("httpd: stats: %d %s", status, cause);
			httpd_reply(req, status, "application/json", json);
		} else {
			json = cJSON_Print(doc);
			httpd_reply(req, 200, "application/json", json);
			cJSON_Delete(doc);
		}
		free(json);
		free(cause);
	}
	evhttp_clear_headers(&params);
}

/* GET /: the dashboard page. */
static void
httpd_dashboard_cb(struct evhttp_request *req, void *arg)
{
	struct httpd *h = arg;
	struct evkeyvalq params;
	char *cause = NULL, *html;
	int status = 500;
	cJSON *doc;

	if (httpd_get_only(req) == -1)
		return;
	if (strcmp(evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req)),
	    "/") != 0) {
		httpd_fallback_cb(req, h);
		return;
	}
	if (httpd_query(req, &params) == -1) {
		httpd_reply(req, 400, "text/plain; charset=utf-8", "malformed "
		    "query string\n");
		return;
	}
	if (httpd_allowed(h, req, &params, 1)) {
		if ((doc = httpd_stats(h, &params, &status, &cause)) == NULL) {
			log_warnx("httpd: dashboard: %d %s", status, cause);
			httpd_reply(req, status, "text/plain; charset=utf-8",
			    status == 503 ? "the store could not be read; try "
			    "again\n" : "bad query\n");
		} else {
			html = dashboard_html(doc);
			evhttp_add_header(evhttp_request_get_output_headers(req),
			    "Cache-Control", "no-store");
			httpd_reply(req, 200, "text/html; charset=utf-8", html);
			free(html);
			cJSON_Delete(doc);
		}
		free(cause);
	}
	evhttp_clear_headers(&params);
}

/* Only the methods in allowed may go on (0); else 405 with an Allow header. */
static int
httpd_method_only(struct evhttp_request *req, int allowed, const char *allow,
    const char *why)
{
	char *body;

	if ((evhttp_request_get_command(req) & allowed) != 0)
		return 0;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	    allow);
	xasprintf(&body, "%s\n", why);
	httpd_reply(req, 405, "text/plain; charset=utf-8", body);
	free(body);
	return -1;
}

/* Only GET and HEAD read pages; 0 when it may go on. */
static int
httpd_get_only(struct evhttp_request *req)
{
	return httpd_method_only(req, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD,
	    "GET, HEAD", "method not allowed: use GET");
}

/* Any other path. */
static void
httpd_fallback_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	httpd_reply(req, 404, "text/plain; charset=utf-8", "not found\n");
}
