/*
 * nudged's HTTP server on libevent's evhttp: one listener, hard limits on
 * headers, bodies and time so a slow or oversized client cannot stall the
 * loop (evhttp answers 413 past the limits itself). The reply routes hand
 * requests to the answer pipeline (reply.c) with their platform; operators
 * get GET /healthz.
 */
#include "httpd.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

#include "chat/chat.h"
#include "log.h"
#include "reply.h"
#include "xmalloc.h"

#define HTTPD_MAX_HEADERS	(8 * 1024)
#define HTTPD_MAX_BODY		(64 * 1024)
#define HTTPD_TIMEOUT_SECONDS	10

/* A reply route: the path a platform posts answers to. */
struct httpd_route {
	const char			*path;
	const struct chat_platform	*platform;	/* NULL: the JSON API */
};

static const struct httpd_route httpd_routes[] = {
	{ "/slack/commands", &chat_slack },
	{ "/slack/events", &chat_slack },
	{ "/teams", &chat_teams },
	{ "/discord/interactions", &chat_discord },
	{ "/mattermost", &chat_mattermost },
	{ "/api/v1/replies", NULL },
};

#define HTTPD_NROUTES	(sizeof httpd_routes / sizeof httpd_routes[0])

/* What a route callback needs. */
struct httpd_route_arg {
	struct httpd			*h;
	const struct httpd_route	*route;
};

struct httpd {
	struct evhttp		*http;
	struct replies		*replies;
	struct httpd_route_arg	 args[HTTPD_NROUTES];
};

static void	httpd_healthz_cb(struct evhttp_request *, void *);
static void	httpd_route_cb(struct evhttp_request *, void *);
static void	httpd_fallback_cb(struct evhttp_request *, void *);
static void	httpd_reply(struct evhttp_request *, int, const char *,
		    const char *);

/* Bind host:port and register the routes; NULL with a cause on failure. */
struct httpd *
httpd_start(struct event_base *base, const char *host, int port,
    struct replies *replies, char **cause)
{
	struct httpd *h = xcalloc(1, sizeof *h);

	h->replies = replies;
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
	for (size_t i = 0; i < HTTPD_NROUTES; i++) {
		h->args[i].h = h;
		h->args[i].route = &httpd_routes[i];
		evhttp_set_cb(h->http, httpd_routes[i].path, httpd_route_cb,
		    &h->args[i]);
	}
	evhttp_set_gencb(h->http, httpd_fallback_cb, h);
	if (evhttp_bind_socket_with_handle(h->http, host, (ev_uint16_t)port) ==
	    NULL) {
		xasprintf(cause, "cannot listen on %s:%d (in use, or not an "
		    "address of this machine)", host, port);
		evhttp_free(h->http);
		free(h);
		return NULL;
	}
	return h;
}

/* Close the listener and every connection. */
void
httpd_stop(struct httpd *h)
{
	if (h == NULL)
		return;
	evhttp_free(h->http);
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
	if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
	    evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		httpd_reply(req, 405, "text/plain; charset=utf-8",
		    "method not allowed: use GET\n");
		return;
	}
	httpd_reply(req, 200, "application/json", "{\"status\":\"ok\"}\n");
}

/* A reply route; Slack's certificate check (GET ?ssl_check=1) gets a plain 200. */
static void
httpd_route_cb(struct evhttp_request *req, void *arg)
{
	struct httpd_route_arg *a = arg;
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	struct evkeyvalq params = { 0 };
	int ssl_check = 0;

	if (a->route->platform == &chat_slack && query != NULL &&
	    evhttp_request_get_command(req) == EVHTTP_REQ_GET &&
	    evhttp_parse_query_str(query, &params) == 0) {
		const char *v = evhttp_find_header(&params, "ssl_check");

		ssl_check = v != NULL && strcmp(v, "1") == 0;
		evhttp_clear_headers(&params);
	}
	if (ssl_check) {
		httpd_reply(req, 200, "text/plain; charset=utf-8", "ok\n");
		return;
	}
	if (a->route->platform == NULL)
		replies_handle_api(a->h->replies, req);
	else
		replies_handle_chat(a->h->replies, req, a->route->platform);
}

/* Any other path. */
static void
httpd_fallback_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	httpd_reply(req, 404, "text/plain; charset=utf-8", "not found\n");
}
