/* SPDX-License-Identifier: ISC */
/* A local webhook sink for tests and benchmarks: a child process on 127.0.0.1. */
#ifndef NUDGED_TEST_SINK_H
#define NUDGED_TEST_SINK_H

#include <cjson/cJSON.h>
#include <sys/types.h>

/*
 * What the sink answers depends on the path:
 *   /ok                 200 "ok"
 *   /status/NNN[/BODY]  status NNN with body BODY (default "error")
 *   /retry-after/N/K    429 with "Retry-After: N" for the first K requests, then 200
 *   /retry-header/K/V   429 with "Retry-After: V" (V as given) for the first K, then 200
 *   /flaky/K/...        500 for the first K requests to that path, then 200
 *   /slow/MS/...        200 after MS milliseconds
 *   /hang/...           never answers
 *   /reset/...          resets the connection
 * Every request is appended to LOG as one JSON line: {"ms", "mono_ms", "path",
 * "headers": {...}, "body"}. With record = 0 nothing is written (benchmarks).
 */
struct sink {
	pid_t	 pid;
	int	 port;
	char	*log;
};

int	 sink_start(struct sink *, const char *log, int record);
void	 sink_stop(struct sink *);
cJSON	*sink_requests(const struct sink *, const char *path_prefix);
int	 sink_count(const struct sink *, const char *path_prefix);

#endif
