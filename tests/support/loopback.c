/* SPDX-License-Identifier: ISC */
/*
 * The loopback child (loopback.h): the port goes back through a pipe once
 * the socket is bound, PR_SET_PDEATHSIG kills it when the test dies, and
 * the parent stops it by PID.
 */
#include "loopback.h"

#include <event2/event.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void	loopback_child(int, void (*)(struct event_base *,
		    struct evhttp *, void *), void *);

/* The child: serve until killed, after telling the parent the port. */
static void
loopback_child(int out, void (*init)(struct event_base *, struct evhttp *,
    void *), void *arg)
{
	struct evhttp_bound_socket *bound;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	struct event_base *base;
	struct evhttp *http;
	int port;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	base = event_base_new();
	http = evhttp_new(base);
	evhttp_set_timeout(http, 120);
	init(base, http, arg);
	bound = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	if (bound == NULL || getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &len) == -1)
		_exit(3);
	port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (write(out, &port, sizeof port) != sizeof port)
		_exit(3);
	close(out);
	event_base_dispatch(base);
	_exit(0);
}

/* Fork the child and read its port. */
int
loopback_start(pid_t *pid, int *port, void (*init)(struct event_base *,
    struct evhttp *, void *), void *arg)
{
	int fds[2];

	if (pipe(fds) == -1)
		return -1;
	if ((*pid = fork()) == 0) {
		close(fds[0]);
		loopback_child(fds[1], init, arg);
	}
	close(fds[1]);
	if (*pid == -1 || read(fds[0], port, sizeof *port) != sizeof *port) {
		close(fds[0]);
		return -1;
	}
	close(fds[0]);
	return 0;
}

/* Stop the child by PID. */
void
loopback_stop(pid_t *pid)
{
	if (*pid > 0) {
		kill(*pid, SIGKILL);
		waitpid(*pid, NULL, 0);
		*pid = 0;
	}
}

/* The recorded lines whose key starts with value (prefix) or equals it. */
cJSON *
loopback_calls(const char *log, const char *key, const char *value,
    int prefix)
{
	cJSON *all = cJSON_CreateArray(), *o;
	FILE *fp = fopen(log, "r");
	char *line = NULL;
	size_t cap = 0;

	while (fp != NULL && getline(&line, &cap, fp) != -1) {
		const cJSON *v;

		if ((o = cJSON_Parse(line)) == NULL)
			continue;
		v = cJSON_GetObjectItemCaseSensitive(o, key);
		if (cJSON_IsString(v) && (prefix ? strncmp(v->valuestring,
		    value, strlen(value)) : strcmp(v->valuestring, value)) == 0)
			cJSON_AddItemToArray(all, o);
		else
			cJSON_Delete(o);
	}
	free(line);
	if (fp != NULL)
		fclose(fp);
	return all;
}

/* How many calls there are; frees them. */
int
loopback_count(cJSON *calls)
{
	int n = cJSON_GetArraySize(calls);

	cJSON_Delete(calls);
	return n;
}
