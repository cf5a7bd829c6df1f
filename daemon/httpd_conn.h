/* SPDX-License-Identifier: ISC */
/*
 * The HTTP server's connection layer, under evhttp: the listener (which
 * backs off instead of spinning when the process runs out of descriptors),
 * a deadline for each request's headers and one for its body, and caps on
 * open connections, all clients and per address.
 */
#ifndef NUDGED_HTTPD_CONN_H
#define NUDGED_HTTPD_CONN_H

struct clock;
struct config_http;
struct event_base;
struct evhttp;
struct evhttp_request;
struct httpd_conn;
struct httpd_conns;

struct httpd_conns *httpd_conn_start(struct event_base *, const struct clock *,
		    struct evhttp *, const char *host, int port,
		    const struct config_http *, char **cause);
void		 httpd_conn_reload(struct httpd_conns *,
		    const struct config_http *);
/* After evhttp_free(), which closes every connection. */
void		 httpd_conn_stop(struct httpd_conns *);
/*
 * A complete request, before its route: 0 when it may go on, -1 when the
 * layer answered it (503 past a cap; 400 for a body whose length is
 * ambiguous: two different Content-Length headers, or one with
 * Transfer-Encoding).
 */
int		 httpd_conn_admit(struct httpd_conns *, struct evhttp_request *);
/* The connection a request came on (one admitted), or NULL. */
struct httpd_conn *httpd_conn_of(struct httpd_conns *, struct evhttp_request *);
/* Call gone(arg) once if the client leaves; a NULL gone stops watching. */
void		 httpd_conn_watch(struct httpd_conn *, void (*gone)(void *),
		    void *arg);

#endif
