/* SPDX-License-Identifier: ISC */
/*
 * The machinery under the loopback fakes (sink.c, api_fake.c,
 * slack_fake.c): a forked child serving HTTP on 127.0.0.1 at a port the
 * kernel picks and the pipe passes back, dying with its parent and stopped
 * by PID; and reading back the JSON lines it recorded.
 */
#ifndef NUDGED_TEST_LOOPBACK_H
#define NUDGED_TEST_LOOPBACK_H

#include <cjson/cJSON.h>
#include <sys/types.h>

struct event_base;
struct evhttp;

/*
 * Fork a child that calls init(base, http, arg) (set callbacks, open its
 * log; _exit(3) on failure), binds http and serves until killed. 0 with
 * *pid and *port set, or -1.
 */
int	 loopback_start(pid_t *pid, int *port,
	    void (*init)(struct event_base *, struct evhttp *, void *),
	    void *arg);
void	 loopback_stop(pid_t *pid);
/* The JSON lines of log whose string key starts with (or equals) value. */
cJSON	*loopback_calls(const char *log, const char *key, const char *value,
	    int prefix);
/* The size of calls, which it frees. */
int	 loopback_count(cJSON *calls);

#endif
