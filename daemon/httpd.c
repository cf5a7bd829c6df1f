/*
 * nudged's HTTP server on libevent's evhttp: one listener, hard limits on
 * headers, bodies and time so a slow or oversized client cannot stall the
 * loop (evhttp answers 413 past the limits itself). The reply routes hand
 * requests to the answer pipeline (reply.c) with their platform; operators
 * get GET /healthz; people get the dashboard (GET /) and its data
 * (GET /api/v1/stats), behind the optional dashboard_token.
 */
#include "httpd.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include <sys/queue.h>
#include <time.h>

#include "bank.h"
#include "chat/chat.h"
#include "config.h"
#include "dashboard.h"
#include "habits.h"
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

struct httpd {
	struct evhttp		*http;
	struct replies		*replies;
	struct store		*store;
	const struct config	*cfg;
	const struct bank	*bank;
	cJSON			*stats;		/* cached unfiltered document */
	int64_t			 stats_at;
	struct httpd_route_arg	*args;		/* one per platform route */
};

static void	httpd_healthz_cb(struct evhttp_request *, void *);
static void	httpd_add_routes(struct httpd *);
static void	httpd_route_cb(struct evhttp_request *, void *);
static void	httpd_api_cb(struct evhttp_request *, void *);
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

/* Bind host:port and register the routes; NULL with a cause on failure. */
struct httpd *
httpd_start(struct event_base *base, const struct config *cfg,
    const struct bank *bank, struct store *store, struct replies *replies,
    char **cause)
{
	struct httpd *h = xcalloc(1, sizeof *h);
	const char *host = cfg->listen_host;
	int port = cfg->listen_port;

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
	evhttp_set_allowed_methods(h->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST |
	    EVHTTP_REQ_HEAD);
	evhttp_set_cb(h->http, "/healthz", httpd_healthz_cb, h);
	evhttp_set_cb(h->http, "/api/v1/stats", httpd_stats_cb, h);
	evhttp_set_cb(h->http, "/", httpd_dashboard_cb, h);
	evhttp_set_cb(h->http, "/api/v1/replies", httpd_api_cb, h);
	httpd_add_routes(h);
	evhttp_set_gencb(h->http, httpd_fallback_cb, h);
	if (evhttp_bind_socket_with_handle(h->http, host, (ev_uint16_t)port) ==
	    NULL) {
		xasprintf(cause, "cannot listen on %s:%d (in use, or not an "
		    "address of this machine)", host, port);
		evhttp_free(h->http);
		free(h->args);
		free(h);
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
			evhttp_set_cb(h->http, r->path, httpd_route_cb,
			    &h->args[n++]);
		}
	}
}

/* Use a new configuration and bank from now on. */
void
httpd_reload(struct httpd *h, const struct config *cfg, const struct bank *bank)
{
	h->cfg = cfg;
	h->bank = bank;
	cJSON_Delete(h->stats);
	h->stats = NULL;
}

/* Close the listener and every connection. */
void
httpd_stop(struct httpd *h)
{
	if (h == NULL)
		return;
	evhttp_free(h->http);
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

/* GET /healthz: the loop is turning and answering. */
static void
httpd_healthz_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	if (httpd_get_only(req) == -1)
		return;
	httpd_reply(req, 200, "application/json", "{\"status\":\"ok\"}\n");
}

/* A chat platform's answer route. */
static void
httpd_route_cb(struct evhttp_request *req, void *arg)
{
	struct httpd_route_arg *a = arg;

	replies_handle_chat(a->h->replies, req, a->route);
}

/* POST /api/v1/replies: answers from scripts and terminals. */
static void
httpd_api_cb(struct evhttp_request *req, void *arg)
{
	struct httpd *h = arg;

	replies_handle_api(h->replies, req);
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
	got = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (got != NULL && strncmp(got, "Bearer ", 7) == 0)
		got += 7;
	else if (got != NULL)
		got = NULL;
	if (got == NULL && page)
		got = evhttp_find_header(params, "token");
	if (got == NULL) {
		httpd_reply(req, 401, "text/plain; charset=utf-8", "this "
		    "dashboard needs a token: Authorization: Bearer <token>\n");
		return 0;
	}
	if (strlen(got) != strlen(want) || !sig_equal(got, want, strlen(want))) {
		log_warnx("httpd: %s: 403 wrong dashboard token",
		    evhttp_request_get_uri(req));
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
	int64_t now = (int64_t)time(NULL);
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

/* Only GET and HEAD read pages; 0 when it may go on. */
static int
httpd_get_only(struct evhttp_request *req)
{
	enum evhttp_cmd_type c = evhttp_request_get_command(req);

	if (c == EVHTTP_REQ_GET || c == EVHTTP_REQ_HEAD)
		return 0;
	evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
	    "GET, HEAD");
	httpd_reply(req, 405, "text/plain; charset=utf-8", "method not "
	    "allowed: use GET\n");
	return -1;
}

/* Any other path. */
static void
httpd_fallback_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	httpd_reply(req, 404, "text/plain; charset=utf-8", "not found\n");
}
