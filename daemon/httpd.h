/* SPDX-License-Identifier: ISC */
/* The HTTP server (evhttp) on the configured listen address. */
#ifndef NUDGED_HTTPD_H
#define NUDGED_HTTPD_H

struct api_nudges;
struct bank;
struct clock;
struct config;
struct event_base;
struct health;
struct httpd;
struct replies;
struct store;

struct httpd	*httpd_start(struct event_base *, const struct clock *,
		    const struct config *, const struct bank *, struct store *,
		    struct replies *, char **cause);
void		 httpd_set_health(struct httpd *, struct health *);
void		 httpd_set_nudges(struct httpd *, struct api_nudges *);
void		 httpd_reload(struct httpd *, const struct config *,
		    const struct bank *);
void		 httpd_stop(struct httpd *);

#endif
