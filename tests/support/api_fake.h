/* SPDX-License-Identifier: ISC */
/*
 * A fake chat API for tests: a forked child on 127.0.0.1 running an evhttp
 * server whose answers a platform's fake decides (discord_fake.c,
 * mattermost_fake.c). It records every request as one JSON line
 * {"ms", "method", "path", "auth", "agent", "body"} when asked, can answer
 * late, dies with its parent and is stopped by PID.
 */
#ifndef NUDGED_TEST_API_FAKE_H
#define NUDGED_TEST_API_FAKE_H

#include <cjson/cJSON.h>
#include <sys/types.h>

struct evhttp_request;

/* One request, for the platform's answer function. */
struct api_fake_call {
	const char	*method;	/* "POST", "GET", "PUT" */
	const char	*path;		/* without the query */
	const char	*auth;		/* Authorization, or NULL */
	cJSON		*body;		/* parsed JSON, or NULL */
	void		*state;		/* the platform's, kept across calls */
	/* Set by the answer function. */
	int		 status;
	char		*answer;	/* JSON, allocated */
	struct evhttp_request *req;	/* for extra headers */
};

/* Add a header to the answer. */
void	 api_fake_header(struct api_fake_call *, const char *name,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

struct api_fake {
	pid_t	 pid;
	int	 port;
	char	*log;
};

/*
 * Start a child answering with answer(call); state is its own copy of
 * state_len bytes at state. record: log each request; slow_ms: answer late.
 */
int	 api_fake_start(struct api_fake *, const char *log, int record,
	    int slow_ms, void (*answer)(struct api_fake_call *),
	    const void *state, size_t state_len);
void	 api_fake_stop(struct api_fake *);
/* The recorded calls whose path starts with prefix, oldest first. */
cJSON	*api_fake_calls(const struct api_fake *, const char *prefix);
int	 api_fake_count(const struct api_fake *, const char *prefix);

#endif
