/* SPDX-License-Identifier: ISC */
/*
 * Integration-test support: run the real nudged binary (path in $NUDGED_BIN),
 * read its output without blocking forever, and always reap it by PID. All
 * waits have deadlines; all network traffic goes to 127.0.0.1.
 */
#include "harness.h"
#include "signed.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <sqlite3.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pg_cluster.h"
#include "sig.h"
#include "store_engine.h"

static long	harness_ms(void);
static void	harness_read_some(struct harness_proc *, int);
static size_t	harness_curl_write(char *, size_t, size_t, void *);
static int	harness_url_request(const char *, const char *, const char *,
		    const char *const *, const char *, size_t, char **);

/* The binary under test. */
const char *
harness_bin(void)
{
	const char *bin = getenv("NUDGED_BIN");

	return bin != NULL ? bin : "./nudged";
}

/* Milliseconds on the monotonic clock. */
static long
harness_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* A fresh private folder under /tmp. */
char *
harness_tmpdir(void)
{
	char *dir = strdup("/tmp/nudged-test-XXXXXX");

	if (dir == NULL || mkdtemp(dir) == NULL)
		abort();
	return dir;
}

/* Remove a test folder (made by harness_tmpdir) and everything in it; -1 if not. */
int
harness_rmdir(const char *dir)
{
	char *cmd = harness_format("rm -rf '%s'", dir);
	int rc = 0;

	if (strncmp(dir, "/tmp/nudged-test-", 17) != 0 || system(cmd) != 0) {
		fprintf(stderr, "could not remove %s\n", dir);
		rc = -1;
	}
	free(cmd);
	return rc;
}

/* Write a whole file. */
void
harness_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		abort();
}

/* A whole file as a string. */
char *
harness_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (f == NULL || getdelim(&buf, &len, '\0', f) == -1)
		abort();
	fclose(f);
	return buf;
}

/* Replace the first occurrence of from in text (which is freed); a new string. */
char *
harness_replace(char *text, const char *from, const char *to)
{
	char *at = strstr(text, from), *out;

	if (at == NULL)
		abort();
	out = harness_format("%.*s%s%s", (int)(at - text), text, to,
	    at + strlen(from));
	free(text);
	return out;
}

/* Whether a file holds a byte string anywhere (0 when it cannot be read). */
int
harness_file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "rb"), *mem;
	char *buf = NULL, chunk[65536];
	size_t len = 0, n;
	int found;

	if (f == NULL)
		return 0;
	mem = open_memstream(&buf, &len);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(f);
	fclose(mem);
	found = memmem(buf, len, needle, strlen(needle)) != NULL;
	free(buf);
	return found;
}

/* printf into a new string. */
char *
harness_format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

/* A TCP port on 127.0.0.1 that was free a moment ago. */
int
harness_free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		abort();
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Start argv[0]... with stdout and stderr captured; 0 on success. */
int
harness_spawn(struct harness_proc *p, const char *const argv[])
{
	int fds[2];

	memset(p, 0, sizeof *p);
	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	p->pid = fork();
	if (p->pid == -1)
		return -1;
	if (p->pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		/* execv takes char *const[], but never writes through it. */
		execv(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(fds[1]);
	p->out_fd = fds[0];
	fcntl(p->out_fd, F_SETFL, O_NONBLOCK);
	p->out = calloc(1, 1);
	return 0;
}

/* Append whatever the child has written, waiting at most timeout_ms. */
static void
harness_read_some(struct harness_proc *p, int timeout_ms)
{
	struct pollfd pfd = { .fd = p->out_fd, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (p->out_fd == -1 || poll(&pfd, 1, timeout_ms) <= 0)
		return;
	while ((n = read(p->out_fd, buf, sizeof buf)) > 0) {
		p->out = realloc(p->out, p->out_len + (size_t)n + 1);
		memcpy(p->out + p->out_len, buf, (size_t)n);
		p->out_len += (size_t)n;
		p->out[p->out_len] = '\0';
	}
	if (n == 0) {
		close(p->out_fd);
		p->out_fd = -1;
	}
}

/* Wait until the output contains needle; 0 when it does, -1 at the deadline. */
int
harness_wait_output(struct harness_proc *p, const char *needle, int timeout_ms)
{
	long deadline = harness_ms() + timeout_ms;

	while (strstr(p->out, needle) == NULL) {
		long left = deadline - harness_ms();

		if (left <= 0 || (p->out_fd == -1))
			return strstr(p->out, needle) ? 0 : -1;
		harness_read_some(p, left > 100 ? 100 : (int)left);
	}
	return 0;
}

/* Read what the child has written so far, so it never blocks on a full pipe. */
void
harness_drain(struct harness_proc *p)
{
	if (p->out_fd != -1)
		harness_read_some(p, 0);
}

/* Wait until needle occurs at least n times; 0 when it does, -1 at the deadline. */
int
harness_wait_count(struct harness_proc *p, const char *needle, int n,
    int timeout_ms)
{
	long deadline = harness_ms() + timeout_ms;

	while (harness_count(p, needle) < n) {
		long left = deadline - harness_ms();

		if (left <= 0 || p->out_fd == -1)
			return harness_count(p, needle) >= n ? 0 : -1;
		harness_read_some(p, left > 100 ? 100 : (int)left);
	}
	return 0;
}

/* How many times needle occurs in the output so far. */
int
harness_count(const struct harness_proc *p, const char *needle)
{
	int n = 0;

	for (const char *s = p->out; (s = strstr(s, needle)) != NULL;
	    s += strlen(needle))
		n++;
	return n;
}

/* Wait for the child to exit; its exit code, 128+signal, or -1 at the deadline. */
int
harness_wait_exit(struct harness_proc *p, int timeout_ms)
{
	long deadline = harness_ms() + timeout_ms;
	int status;

	while (harness_ms() < deadline) {
		pid_t r = waitpid(p->pid, &status, WNOHANG);

		if (r == p->pid) {
			while (p->out_fd != -1)
				harness_read_some(p, 100);
			p->pid = 0;
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			    128 + WTERMSIG(status);
		}
		harness_read_some(p, 50);
	}
	return -1;
}

/* Kill the child (if still running) by PID, reap it and free its output. */
void
harness_kill(struct harness_proc *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
	if (p->out_fd != -1)
		close(p->out_fd);
	p->out_fd = -1;
	free(p->out);
	p->out = NULL;
}

/* Run a command to completion (30 s at most); its exit code, output in *output. */
int
harness_run(const char *const argv[], char **output)
{
	struct harness_proc p;
	int rc;

	if (harness_spawn(&p, argv) == -1)
		return -1;
	rc = harness_wait_exit(&p, 30000);
	if (rc == -1)
		harness_kill(&p);
	*output = p.out;
	p.out = NULL;
	if (p.out_fd != -1)
		close(p.out_fd);
	return rc;
}

/* curl write callback collecting the body. */
static size_t
harness_curl_write(char *data, size_t size, size_t n, void *arg)
{
	char **body = arg;
	size_t old = *body ? strlen(*body) : 0;

	*body = realloc(*body, old + size * n + 1);
	memcpy(*body + old, data, size * n);
	(*body)[old + size * n] = '\0';
	return size * n;
}

/* GET http://127.0.0.1:port/path; the status code, or -1 when unreachable. */
int
harness_http_get(int port, const char *path, char **body)
{
	return harness_http_get_headers(port, path, NULL, body);
}

/* GET with extra "Name: value" headers (NULL-terminated). */
int
harness_http_get_headers(int port, const char *path,
    const char *const *headers, char **body)
{
	return harness_http_request(port, "GET", path, headers, NULL, 0, body);
}

/*
 * Any method to url (http, or https trusting only the PEM certificate cafile
 * when it is not NULL), with extra headers and a body (NULL: none); the
 * status code, or -1 when nothing came back.
 */
static int
harness_url_request(const char *method, const char *url, const char *cafile,
    const char *const *headers, const char *body, size_t len,
    char **response)
{
	CURL *c = curl_easy_init();
	struct curl_slist *list = curl_slist_append(NULL, "Expect:");
	long code = -1;

	*response = NULL;
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i++)
		list = curl_slist_append(list, headers[i]);
	curl_easy_setopt(c, CURLOPT_URL, url);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, body != NULL ? "POST" : "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, harness_curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, response);
	if (cafile != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, cafile);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(c);
	curl_slist_free_all(list);
	if (*response == NULL)
		*response = strdup("");
	return (int)code;
}

/*
 * POST to url (http, or https trusting only the PEM certificate cafile when
 * it is not NULL); the status, or -1 when nothing came back.
 */
int
harness_post_url(const char *url, const char *cafile,
    const char *const *headers, const char *body, size_t len, char **response)
{
	return harness_url_request("POST", url, cafile, headers, body, len,
	    response);
}

/*
 * Any method to http://127.0.0.1:port/path, with extra headers and a body
 * (NULL: none); the status code, or -1 when unreachable.
 */
int
harness_http_request(int port, const char *method, const char *path,
    const char *const *headers, const char *body, size_t len,
    char **response)
{
	char *url = harness_format("http://127.0.0.1:%d%s", port, path);
	int status = harness_url_request(method, url, NULL, headers, body, len,
	    response);

	free(url);
	return status;
}

/* POST to http://127.0.0.1:port/path; the status, or -1 when nothing came back. */
int
harness_http_post(int port, const char *path, const char *const *headers,
    const char *body, size_t len, char **response)
{
	return harness_http_request(port, "POST", path, headers, body, len,
	    response);
}

/*
 * The headers of a Slack request signed with secret at ts (v0 HMAC-SHA256 of
 * "v0:TS:BODY"), with its Content-Type; NULL-terminated, free with
 * harness_headers_free.
 */
char **
harness_slack_headers(const char *secret, long long ts, const char *type,
    const char *body)
{
	char **h = calloc(4, sizeof *h);

	h[0] = harness_format("Content-Type: %s", type);
	signed_slack(secret, ts, body, &h[1]);
	return h;
}

/* s percent-encoded as a form value (RFC 3986 unreserved bytes kept). */
char *
harness_form_encode(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1), *o = out;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

/* Free a header list of harness_slack_headers. */
void
harness_headers_free(char **h)
{
	for (size_t i = 0; h[i] != NULL; i++)
		free(h[i]);
	free(h);
}

/* Start `nudged serve -c config` and wait for its start line (a test failure if none). */
void
harness_serve_start(struct harness_proc *p, const char *config)
{
	if (harness_spawn(p, (const char *[]){ harness_bin(), "serve", "-c",
	    config, NULL }) != 0)
		fail_msg("cannot start %s", harness_bin());
	if (harness_wait_output(p, "started: config", 10000) != 0)
		fail_msg("no start line:\n%s", p->out);
}

/* SIGTERM the daemon and expect a clean exit 0 (a test failure otherwise). */
void
harness_serve_stop(struct harness_proc *p)
{
	int rc;

	kill(p->pid, SIGTERM);
	if ((rc = harness_wait_exit(p, 10000)) != 0)
		fail_msg("nudged serve exited %d:\n%s", rc, p->out);
	harness_kill(p);
}

/* The first integer a query returns from the daemon's database (-1: no row). */
long long
harness_db_int(const char *state_dir, const char *fmt, ...)
{
	char *path = harness_format("%s/nudged.db", state_dir), *sql;
	sqlite3_stmt *stmt;
	long long v = -1;
	sqlite3 *db;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&sql, fmt, ap) < 0)
		abort();
	va_end(ap);
	if (store_engine_pg(state_dir) != NULL) {
		v = pg_cluster_int(store_engine_pg(state_dir), sql);
		free(path);
		free(sql);
		return v;
	}
	if (sqlite3_open(path, &db) != SQLITE_OK)
		fail_msg("cannot open %s", path);
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(stmt) == SQLITE_ROW)
		v = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	sqlite3_close(db);
	free(path);
	free(sql);
	return v;
}
