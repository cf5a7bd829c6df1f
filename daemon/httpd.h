/* The HTTP server (evhttp) on the configured listen address. */
#ifndef NUDGED_HTTPD_H
#define NUDGED_HTTPD_H

struct event_base;
struct httpd;
struct replies;

struct httpd	*httpd_start(struct event_base *, const char *host, int port,
		    struct replies *, char **cause);
void		 httpd_stop(struct httpd *);

#endif
