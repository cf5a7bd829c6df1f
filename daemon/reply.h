/* SPDX-License-Identifier: ISC */
/*
 * Answers coming in over HTTP: verified, attached to their nudge, stored
 * once. The pipeline never sees the HTTP server: httpd hands it a request
 * already read (reply_request) and a waiter, and the pipeline completes the
 * waiter exactly once with a status and a body, at once for a refusal or at
 * the end of the loop turn, after the commit, for an accepted answer.
 */
#ifndef NUDGED_REPLY_H
#define NUDGED_REPLY_H

#include <stddef.h>

struct bank;
struct chat_route;
struct clock;
struct config;
struct event_base;
struct replies;
struct store;

/*
 * An inbound request on a reply route, as the HTTP server read it (a POST);
 * its pointers are valid only during the handler's call.
 */
struct reply_request {
	const char	*path;		/* for log lines: the path, never the query */
	const char	*content_type;	/* lowercase, without parameters; "" */
	const char	*body;		/* NUL-terminated, size already limited */
	size_t		 len;
	const char	*bearer;	/* "Authorization: Bearer <token>"'s token */
	/* A request header by name (case-insensitive), or NULL. */
	const char	*(*header)(void *ctx, const char *name);
	void		*ctx;
};

/* What to answer. */
struct reply_response {
	int		 status;
	const char	*content_type;
	const char	*body;
};

/* Who waits for the answer: done is called exactly once, at once or after the commit. */
struct reply_waiter {
	void	(*done)(void *arg, const struct reply_response *);
	void	*arg;
};

struct replies	*replies_new(struct event_base *, const struct clock *,
		    struct store *, const struct config *, const struct bank *);
void		 replies_reload(struct replies *, const struct config *,
		    const struct bank *);
void		 replies_free(struct replies *);
void		 replies_handle_chat(struct replies *, const struct reply_request *,
		    const struct chat_route *, struct reply_waiter);
void		 replies_handle_api(struct replies *, const struct reply_request *,
		    struct reply_waiter);

#endif
