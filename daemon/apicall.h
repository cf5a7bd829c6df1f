/* SPDX-License-Identifier: ISC */
/*
 * Calls to a platform's API that nobody waits for on the HTTP side: one
 * POST of a composed request, on the loop through libcurl multi, with
 * timeouts, and a completion callback. The URL and the request's headers
 * (a bearer token) never reach a log.
 */
#ifndef NUDGED_APICALL_H
#define NUDGED_APICALL_H

#include <stddef.h>

struct apicall;
struct chat_request;
struct event_base;

/* How a call ended: an HTTP status and body, or a transport error. */
struct apicall_result {
	long		 status;	/* 0 when no answer came */
	const char	*body;		/* "" when none */
	size_t		 len;
	const char	*error;		/* libcurl's reason when status is 0 */
};

typedef void	(*apicall_cb)(void *arg, const struct apicall_result *);

struct apicall	*apicall_new(struct event_base *);
/* End the calls in flight (each callback hears "nudged is stopping"), then free. */
void		 apicall_free(struct apicall *);
/*
 * POST req (taken over, freed when the call ends) to url within timeout_ms;
 * cb is called exactly once, never before this returns. -1 when libcurl
 * refuses the call (cb is then not called).
 */
int		 apicall_post(struct apicall *, const char *url,
		    struct chat_request *req, long timeout_ms, apicall_cb cb,
		    void *arg);
/* Calls in flight. */
size_t		 apicall_pending(const struct apicall *);

#endif
