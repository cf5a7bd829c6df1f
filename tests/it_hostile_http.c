/* SPDX-License-Identifier: ISC */
/*
 * The real daemon against hostile HTTP clients, over raw sockets: a table of
 * requests on every route (wrong methods, ambiguous lengths, bodies the
 * answer pipeline must refuse, tokens in query strings, control characters
 * in headers), each with the status it must get and whether it may store
 * an answer; then clients that trickle, the connection caps, and a flood
 * that runs the daemon out of descriptors. HOSTILE_LONG=1 (make
 * hostile-long) makes the flood thousands of connections for a minute.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* The dashboard token: it must never reach the log. */
#define HOSTILE_SECRET	"tok-REAL-9d3f71"

struct fixture {
	char			*dir;
	char			*config;
	char			*state;
	int			 port;
	struct harness_proc	 serve;
};

/* One hostile request and what nudged must answer. */
struct hostile_case {
	const char	*name;
	const char	*method;
	const char	*path;
	const char	*headers;	/* extra lines, each ending \r\n */
	const char	*body;		/* NULL: none */
	size_t		 body_len;	/* 0: strlen(body) */
	int		 status;
	int		 may_store;
};

static const char hostile_config[] =
    "{\"state_dir\": \"state\", \"listen\": \"127.0.0.1:%d\", "
    "\"prompts\": \"%s/prompts\", \"dashboard_token\": \"" HOSTILE_SECRET "\", "
    "\"http\": {%s}, "
    "\"channels\": {"
    "\"team\": {\"platform\": \"console\", \"api_token\": \"tok-team\"},"
    "\"leaders\": {\"platform\": \"slack\", \"webhook\": "
    "\"http://127.0.0.1:9/x\", \"signing_secret\": \"slack-secret\"},"
    "\"eng\": {\"platform\": \"teams\", \"webhook\": \"http://127.0.0.1:9/x\", "
    "\"hmac_secret\": \"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyISE=\"},"
    "\"gamers\": {\"platform\": \"discord\", \"webhook\": "
    "\"http://127.0.0.1:9/x\", \"public_key\": "
    "\"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c\"},"
    "\"ops\": {\"platform\": \"mattermost\", \"webhook\": "
    "\"http://127.0.0.1:9/x\", \"token\": \"mm-token\"}},"
    "\"schedules\": [{\"name\": \"s\", \"cron\": \"0 0 1 1 *\", "
    "\"channel\": \"team\"}]}";

#define API_HEADERS	"Content-Type: application/json\r\n" \
			"Authorization: Bearer tok-team\r\n"
#define FORM		"Content-Type: application/x-www-form-urlencoded\r\n"
#define JSON		"Content-Type: application/json\r\n"
#define BEARER		"Authorization: Bearer " HOSTILE_SECRET "\r\n"
#define VALID_ANSWER	"{\"channel\": \"team\", \"user\": \"U1\", \"text\": " \
			"\"We learned to ask earlier.\"}"

static char long_text[4100 * 2 + 64];	/* 4,001 two-byte characters */
static char long_user[1100];
static char long_name[60064];
static char big_body[70000];
static char big_header[9000];
static char long_path[9000];
static char deep_json[5000];	/* 2,400 nested arrays */

static const struct hostile_case hostile_cases[] = {
	/* Methods the README promises 405 for, on every route. */
	{ "PUT api", "PUT", "/api/v1/replies", API_HEADERS, VALID_ANSWER, 0, 405, 0 },
	{ "DELETE api", "DELETE", "/api/v1/replies", API_HEADERS, NULL, 0, 405, 0 },
	{ "PATCH api", "PATCH", "/api/v1/replies", API_HEADERS, VALID_ANSWER, 0, 405, 0 },
	{ "GET api", "GET", "/api/v1/replies", NULL, NULL, 0, 405, 0 },
	{ "TRACE dashboard", "TRACE", "/", NULL, NULL, 0, 405, 0 },
	{ "OPTIONS healthz", "OPTIONS", "/healthz", NULL, NULL, 0, 405, 0 },
	{ "POST healthz", "POST", "/healthz", JSON, "{}", 0, 405, 0 },
	{ "DELETE healthz", "DELETE", "/healthz", NULL, NULL, 0, 405, 0 },
	{ "POST dashboard", "POST", "/", JSON, "{}", 0, 405, 0 },
	{ "PUT stats", "PUT", "/api/v1/stats", BEARER, NULL, 0, 405, 0 },
	{ "POST stats", "POST", "/api/v1/stats", BEARER JSON, "{}", 0, 405, 0 },
	{ "PATCH slack commands", "PATCH", "/slack/commands", FORM, "text=x", 0, 405, 0 },
	{ "DELETE slack events", "DELETE", "/slack/events", NULL, NULL, 0, 405, 0 },
	{ "PUT teams", "PUT", "/teams", JSON, "{}", 0, 405, 0 },
	{ "DELETE discord", "DELETE", "/discord/interactions", NULL, NULL, 0, 405, 0 },
	{ "OPTIONS mattermost", "OPTIONS", "/mattermost", NULL, NULL, 0, 405, 0 },
	{ "GET teams", "GET", "/teams", NULL, NULL, 0, 405, 0 },

	/* Bodies whose length is ambiguous (RFC 9112 section 6.3). */
	{ "two Content-Lengths api", "POST", "/api/v1/replies", API_HEADERS
	    "Content-Length: 71\r\nContent-Length: 2\r\n", VALID_ANSWER, 0, 400,
	    0 },
	{ "two Content-Lengths slack", "POST", "/slack/commands", FORM
	    "Content-Length: 6\r\nContent-Length: 1\r\n", "text=x", 0, 400, 0 },
	{ "two Content-Lengths teams", "POST", "/teams", JSON
	    "Content-Length: 2\r\nContent-Length: 3\r\n", "{}", 0, 400, 0 },
	{ "Content-Length and chunked", "POST", "/api/v1/replies", API_HEADERS
	    "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n",
	    "2\r\n{}\r\n0\r\n\r\n", 0, 400, 0 },
	{ "same Content-Length twice", "POST", "/api/v1/replies", API_HEADERS
	    "Content-Length: 71\r\nContent-Length: 71\r\n", VALID_ANSWER, 0,
	    200, 1 },
	{ "Content-Length not a number", "POST", "/api/v1/replies", API_HEADERS
	    "Content-Length: abc\r\n", "{}", 0, 400, 0 },
	{ "negative Content-Length", "POST", "/api/v1/replies", API_HEADERS
	    "Content-Length: -1\r\n", "{}", 0, 400, 0 },
	{ "body over 64 KiB", "POST", "/api/v1/replies", API_HEADERS, big_body,
	    0, 413, 0 },
	{ "body over 64 KiB announced", "POST", "/api/v1/replies", API_HEADERS
	    "Expect: 100-continue\r\nContent-Length: 1000000\r\n", NULL, 0,
	    413, 0 },
	{ "chunked answer", "POST", "/api/v1/replies", API_HEADERS
	    "Transfer-Encoding: chunked\r\n", "47\r\n" VALID_ANSWER
	    "\r\n0\r\n\r\n", 0, 200, 1 },
	/* evhttp 2.1 answers any broken chunked body with 413. */
	{ "chunked, bad chunk size", "POST", "/api/v1/replies", API_HEADERS
	    "Transfer-Encoding: chunked\r\n", "zz\r\n{}\r\n0\r\n\r\n", 0,
	    413, 0 },
	/* RFC 9110 section 15.6.2: 501 for a method the server does not know. */
	{ "unknown method", "HELLO", "/healthz", NULL, NULL, 0, 501, 0 },
	{ "header without a colon", "GET", "/healthz", "NoColonHere\r\n",
	    NULL, 0, 400, 0 },

	/* The JSON API: one validation with the chat routes. */
	{ "api valid answer", "POST", "/api/v1/replies", API_HEADERS,
	    VALID_ANSWER, 0, 200, 1 },
	{ "api invalid UTF-8 text", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"team\", \"user\": \"U1\", \"text\": \"a\xff\xfe b\"}",
	    0, 400, 0 },
	{ "api invalid UTF-8 user", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"team\", \"user\": \"U\xc3\", \"text\": \"fine\"}",
	    0, 400, 0 },
	{ "api overlong UTF-8", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"team\", \"user\": \"U1\", \"text\": \"\xc0\xaf\"}",
	    0, 400, 0 },
	{ "api \\u0000 in text", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"team\", \"user\": \"U1\", \"text\": \"cut\\u0000 here\"}",
	    0, 400, 0 },
	{ "api \\u0000 in user", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"team\", \"user\": \"U1\\u0000admin\", \"text\": \"x\"}",
	    0, 400, 0 },
	{ "api raw NUL", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"team\", \"user\": \"U1\", \"text\": \"a\0b\"}", 48,
	    400, 0 },
	{ "api duplicate text", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"team\", \"user\": \"U1\", \"text\": \"one\", "
	    "\"text\": \"two\"}", 0, 400, 0 },
	{ "api duplicate channel", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"team\", \"channel\": \"other\", \"user\": \"U1\", "
	    "\"text\": \"x\"}", 0, 400, 0 },
	{ "api text over 4000 characters", "POST", "/api/v1/replies",
	    API_HEADERS, long_text, 0, 400, 0 },
	{ "api user over 1024 bytes", "POST", "/api/v1/replies", API_HEADERS,
	    long_user, 0, 400, 0 },
	{ "api user_name of 60 KB", "POST", "/api/v1/replies", API_HEADERS,
	    long_name, 0, 400, 0 },
	{ "api blank text", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"team\", \"user\": \"U1\", \"text\": \"  \\n \"}", 0,
	    400, 0 },
	{ "api empty user", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"team\", \"user\": \"\", \"text\": \"x\"}", 0, 400, 0 },
	{ "api text a number", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"team\", \"user\": \"U1\", \"text\": 42}", 0, 400, 0 },
	{ "api not JSON", "POST", "/api/v1/replies", API_HEADERS, "channel=team",
	    0, 400, 0 },
	{ "api JSON array", "POST", "/api/v1/replies", API_HEADERS,
	    "[" VALID_ANSWER "]", 0, 400, 0 },
	{ "api trailing bytes", "POST", "/api/v1/replies", API_HEADERS,
	    VALID_ANSWER "{}", 0, 400, 0 },
	/* RFC 8259 section 8.1: a parser may ignore a byte order mark. */
	{ "api byte order mark", "POST", "/api/v1/replies", API_HEADERS,
	    "\xef\xbb\xbf" VALID_ANSWER, 0, 200, 1 },
	{ "api nested 2,400 deep", "POST", "/api/v1/replies", API_HEADERS,
	    deep_json, 0, 400, 0 },
	{ "api query string ignored", "POST", "/api/v1/replies?channel=x",
	    API_HEADERS, VALID_ANSWER, 0, 200, 1 },
	{ "api wrong type", "POST", "/api/v1/replies",
	    "Content-Type: text/plain\r\nAuthorization: Bearer tok-team\r\n",
	    VALID_ANSWER, 0, 415, 0 },
	{ "api control characters in type", "POST", "/api/v1/replies",
	    "Content-Type: text/\x1b[31mred\x07\r\n", VALID_ANSWER, 0, 415, 0 },
	{ "api no bearer", "POST", "/api/v1/replies", JSON, VALID_ANSWER, 0,
	    401, 0 },
	{ "api wrong bearer", "POST", "/api/v1/replies",
	    JSON "Authorization: Bearer tok-wrong\r\n", VALID_ANSWER, 0, 403, 0 },
	{ "api unknown channel", "POST", "/api/v1/replies", API_HEADERS,
	    "{\"channel\": \"nope\", \"user\": \"U1\", \"text\": \"x\"}", 0, 403,
	    0 },

	/* The chat routes. */
	{ "slack unsigned", "POST", "/slack/commands", FORM,
	    "command=%2Freflect&text=hello&user_id=U1&channel_id=C1&"
	    "trigger_id=T1", 0, 401, 0 },
	{ "slack XML command", "POST", "/slack/commands",
	    "Content-Type: text/xml\r\n", "<a/>", 0, 415, 0 },
	{ "slack %00 in a field", "POST", "/slack/commands", FORM,
	    "command=%2Freflect&text=a%00b&user_id=U1", 0, 400, 0 },
	{ "slack raw NUL", "POST", "/slack/commands", FORM,
	    "text=a\0b&user_id=U1", 19, 400, 0 },
	{ "slack events not JSON", "POST", "/slack/events", JSON, "{\"type\":", 0,
	    400, 0 },
	{ "slack events \\u0000", "POST", "/slack/events", JSON,
	    "{\"type\": \"url_verification\", \"challenge\": \"a\\u0000\"}", 0,
	    400, 0 },
	{ "slack events duplicate type", "POST", "/slack/events", JSON,
	    "{\"type\": \"event_callback\", \"type\": \"url_verification\", "
	    "\"challenge\": \"c\"}", 0, 400, 0 },
	{ "teams raw NUL", "POST", "/teams", JSON, "{\"type\": \"m\0\"}", 14,
	    400, 0 },
	{ "teams unsigned", "POST", "/teams", JSON, "{\"type\": \"message\", "
	    "\"id\": \"1\", \"text\": \"<at>nudged</at> hello\", \"from\": "
	    "{\"id\": \"U1\", \"name\": \"A\"}}", 0, 401, 0 },
	{ "teams form", "POST", "/teams", FORM, "text=x", 0, 415, 0 },
	{ "discord unsigned ping", "POST", "/discord/interactions", JSON,
	    "{\"type\": 1}", 0, 401, 0 },
	{ "discord invalid UTF-8", "POST", "/discord/interactions", JSON,
	    "{\"type\": 2, \"id\": \"\xed\xa0\x80\"}", 0, 400, 0 },
	{ "mattermost wrong token", "POST", "/mattermost", FORM,
	    "token=wrong&text=hello&user_id=U1&user_name=a&channel_id=C1&"
	    "post_id=P1", 0, 403, 0 },
	{ "mattermost duplicate token", "POST", "/mattermost", JSON,
	    "{\"token\": \"mm-token\", \"token\": \"x\", \"text\": \"hi\", "
	    "\"user_id\": \"U1\", \"post_id\": \"P1\"}", 0, 400, 0 },
	{ "discord nested 2,400 deep", "POST", "/discord/interactions", JSON,
	    deep_json, 0, 400, 0 },
	{ "slack events nested 2,400 deep", "POST", "/slack/events", JSON,
	    deep_json, 0, 400, 0 },
	{ "mattermost XML", "POST", "/mattermost",
	    "Content-Type: application/xml\r\n", "<a/>", 0, 415, 0 },

	/* The dashboard, its data, health. */
	{ "dashboard token twice", "GET", "/?token=wrong&token=" HOSTILE_SECRET,
	    NULL, NULL, 0, 403, 0 },
	{ "stats without token", "GET", "/api/v1/stats", NULL, NULL, 0, 401, 0 },
	{ "stats token in query", "GET", "/api/v1/stats?token=" HOSTILE_SECRET,
	    NULL, NULL, 0, 401, 0 },
	{ "stats wrong bearer", "GET", "/api/v1/stats",
	    "Authorization: Bearer \x1b]0;owned\x07\r\n", NULL, 0, 403, 0 },
	{ "stats unknown channel", "GET", "/api/v1/stats?channel=%1b%5b2J",
	    BEARER, NULL, 0, 404, 0 },
	{ "stats bad since", "GET", "/api/v1/stats?since=yesterday", BEARER,
	    NULL, 0, 400, 0 },
	{ "stats malformed query", "GET", "/api/v1/stats?a=%zz&=", BEARER, NULL,
	    0, 400, 0 },
	{ "stats", "GET", "/api/v1/stats", BEARER, NULL, 0, 200, 0 },
	{ "healthz", "GET", "/healthz", NULL, NULL, 0, 200, 0 },
	{ "healthz HEAD", "HEAD", "/healthz", NULL, NULL, 0, 200, 0 },
	{ "unknown path", "GET", "/etc/passwd", NULL, NULL, 0, 404, 0 },
	{ "trailing slash", "POST", "/api/v1/replies/", API_HEADERS,
	    VALID_ANSWER, 0, 404, 0 },
	{ "URI over 8 KiB", "GET", long_path, NULL, NULL, 0, 400, 0 },
	{ "lowercase method", "get", "/healthz", NULL, NULL, 0, 501, 0 },
	{ "HTTP/2 preface", "PRI", "*", NULL, NULL, 0, 501, 0 },
	{ "path traversal", "GET", "/../../etc/passwd", NULL, NULL, 0, 404, 0 },
	{ "escape in path", "GET", "/%1b%5b2J", NULL, NULL, 0, 404, 0 },
	{ "headers over 8 KiB", "GET", "/healthz", big_header, NULL, 0, 400, 0 },
};

/* Fill the generated bodies of the table. */
static void
hostile_bodies(void)
{
	size_t n;

	n = (size_t)snprintf(long_text, sizeof long_text, "{\"channel\": "
	    "\"team\", \"user\": \"U1\", \"text\": \"");
	for (int i = 0; i < 4001; i++, n += 2)
		memcpy(long_text + n, "\xc3\xa9", 2);
	memcpy(long_text + n, "\"}", 3);
	n = (size_t)snprintf(long_user, sizeof long_user, "{\"channel\": "
	    "\"team\", \"text\": \"x\", \"user\": \"");
	memset(long_user + n, 'u', 1025);
	memcpy(long_user + n + 1025, "\"}", 3);
	n = (size_t)snprintf(long_name, sizeof long_name, "{\"channel\": "
	    "\"team\", \"user\": \"U1\", \"text\": \"x\", \"user_name\": \"");
	memset(long_name + n, 'n', 60000);
	memcpy(long_name + n + 60000, "\"}", 3);
	memset(deep_json, '[', 2400);
	memset(deep_json + 2400, ']', 2400);
	long_path[0] = '/';
	memset(long_path + 1, 'p', sizeof long_path - 2);
	memset(big_body, ' ', sizeof big_body - 1);
	big_body[0] = '{';
	big_body[sizeof big_body - 2] = '}';
	n = (size_t)snprintf(big_header, sizeof big_header, "X-Big: ");
	memset(big_header + n, 'b', 8500);
	memcpy(big_header + n + 8500, "\r\n", 3);
}

/* Milliseconds on the monotonic clock. */
static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * A TCP connection to the daemon from source address from (NULL: any);
 * flags SOCK_NONBLOCK leaves it connecting (a full backlog would block).
 */
static int
connect_flags(int port, const char *from, int flags)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);

	if (fd == -1)
		return -1;
	if (from != NULL) {
		inet_pton(AF_INET, from, &sa.sin_addr);
		if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
			close(fd);
			return -1;
		}
	}
	sa.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1 &&
	    errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A TCP connection to the daemon from source address from (NULL: any). */
static int
connect_from(int port, const char *from)
{
	return connect_flags(port, from, 0);
}

/* Send all of buf (the daemon may close early: that is not an error here). */
static void
send_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0 && (n = send(fd, buf, len, MSG_NOSIGNAL)) > 0) {
		buf += n;
		len -= (size_t)n;
	}
}

/* Read a response's status line within timeout_ms; its code, or -1. */
static int
read_status(int fd, int timeout_ms)
{
	char buf[4096];
	size_t have = 0;
	long deadline = now_ms() + timeout_ms;
	int code;

	while (have < sizeof buf - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		if ((n = recv(fd, buf + have, sizeof buf - 1 - have, 0)) <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "\r\n") != NULL)
			break;
	}
	buf[have] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1)
		return -1;
	return code;
}

/* Send one case on a fresh connection; the status, or -1. */
static int
hostile_send(int port, const struct hostile_case *c)
{
	size_t len = c->body == NULL ? 0 : c->body_len ? c->body_len :
	    strlen(c->body);
	const char *h = c->headers != NULL ? c->headers : "";
	char *head;
	int fd, status;

	if (c->body != NULL && strstr(h, "Content-Length") == NULL &&
	    strstr(h, "Transfer-Encoding") == NULL)
		head = harness_format("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		    "Connection: close\r\n%sContent-Length: %zu\r\n\r\n",
		    c->method, c->path, h, len);
	else
		head = harness_format("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		    "Connection: close\r\n%s\r\n", c->method, c->path, h);
	if ((fd = connect_from(port, NULL)) == -1) {
		free(head);
		return -1;
	}
	send_all(fd, head, strlen(head));
	if (len > 0)
		send_all(fd, c->body, len);
	status = read_status(fd, 5000);
	close(fd);
	free(head);
	return status;
}

/* Write the config with these "http" settings and start the daemon. */
static void
fixture_start(struct fixture *f, const char *http)
{
	char *cwd = getcwd(NULL, 0);
	char *text = harness_format(hostile_config, f->port, cwd, http);

	harness_write(f->config, text);
	free(text);
	free(cwd);
	harness_serve_start(&f->serve, f->config);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	f->dir = harness_tmpdir();
	f->config = harness_format("%s/nudged.json", f->dir);
	f->state = harness_format("%s/state", f->dir);
	f->port = harness_free_port();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	harness_kill(&f->serve);
	harness_rmdir(f->dir);
	free(f->state);
	free(f->config);
	free(f->dir);
	free(f);
	return 0;
}

/* Answers stored so far. */
static long long
stored(struct fixture *f)
{
	return harness_db_int(f->state, "SELECT count(*) FROM replies");
}

/*
 * Every case of the table gets its status, and a refusal stores nothing;
 * the log holds neither the dashboard token nor a raw control character.
 */
static void
test_hostile_table(void **state)
{
	struct fixture *f = *state;
	const char *const send_argv[] = { harness_bin(), "send", "-c",
	    f->config, "s", NULL };
	size_t n = sizeof hostile_cases / sizeof hostile_cases[0];
	int failures = 0, rc, status;
	long long before, after;
	char *out;

	hostile_bodies();
	fixture_start(f, "");
	rc = harness_run(send_argv, &out);
	assert_int_equal(rc, 0);
	free(out);
	assert_true(n >= 50);
	print_message("%zu hostile requests\n", n);
	for (size_t i = 0; i < n; i++) {
		const struct hostile_case *c = &hostile_cases[i];

		before = stored(f);
		status = hostile_send(f->port, c);
		after = stored(f);
		if (status != c->status || (!c->may_store && after != before)) {
			print_error("case \"%s\": %s %s: got %d (want %d), "
			    "stored %lld -> %lld\n", c->name, c->method, c->path,
			    status, c->status, before, after);
			failures++;
		}
	}
	/* Clients that leave before their answer is committed: nobody to tell. */
	for (int i = 0; i < 20; i++) {
		const char *head = "POST /api/v1/replies HTTP/1.1\r\nHost: x\r\n"
		    API_HEADERS "Content-Length: 71\r\n\r\n" VALID_ANSWER;
		struct linger hard = { 1, 0 };
		int fd = connect_from(f->port, NULL);

		assert_int_not_equal(fd, -1);
		send_all(fd, head, strlen(head));
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
		close(fd);
	}
	if (failures != 0)
		print_error("%s\n", f->serve.out);
	assert_int_equal(failures, 0);
	assert_int_equal(harness_http_get(f->port, "/healthz", &out), 200);
	free(out);
	harness_wait_output(&f->serve, "\\x1b[31mred", 2000);
	assert_null(strstr(f->serve.out, HOSTILE_SECRET));
	assert_null(memchr(f->serve.out, '\x1b', f->serve.out_len));
	assert_null(memchr(f->serve.out, '\x07', f->serve.out_len));
	assert_non_null(strstr(f->serve.out, "\\x1b[31mred\\x07"));
	harness_serve_stop(&f->serve);
}

/* How long until the daemon closes fd, sending step every interval_ms. */
static long
trickle(int fd, const char *step, int interval_ms, long limit_ms)
{
	long start = now_ms();
	char buf[512];

	while (now_ms() - start < limit_ms) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, interval_ms) > 0) {
			ssize_t n = recv(fd, buf, sizeof buf, 0);

			if (n <= 0)
				return now_ms() - start;
			continue;
		}
		if (send(fd, step, strlen(step), MSG_NOSIGNAL) == -1)
			return now_ms() - start;
	}
	return -1;
}

/* A client that trickles its headers, or its body, is cut at the deadline. */
static void
test_trickling_clients_are_cut(void **state)
{
	struct fixture *f = *state;
	const char *head = "POST /api/v1/replies HTTP/1.1\r\nHost: x\r\n"
	    "Content-Type: application/json\r\nContent-Length: 500\r\n\r\n";
	long took;
	int fd;

	fixture_start(f, "\"header_timeout\": \"1s\", \"body_timeout\": \"2s\"");
	/* Headers, one byte every 300 ms: evhttp's idle timeout never fires. */
	assert_int_not_equal(fd = connect_from(f->port, NULL), -1);
	send_all(fd, "GET /healthz HTTP/1.1\r\n", 23);
	took = trickle(fd, "X", 300, 8000);
	close(fd);
	assert_true(took >= 700 && took < 4000);
	/* The body, a byte every 300 ms after complete headers. */
	assert_int_not_equal(fd = connect_from(f->port, NULL), -1);
	send_all(fd, head, strlen(head));
	took = trickle(fd, " ", 300, 8000);
	close(fd);
	assert_true(took >= 1700 && took < 5000);
	harness_serve_stop(&f->serve);
}

/* Past the cap per address, then past the cap for all, requests get 503. */
static void
test_connection_caps_answer_503(void **state)
{
	struct fixture *f = *state;
	const struct hostile_case health = { "healthz", "GET", "/healthz", NULL,
	    NULL, 0, 200, 0 };
	const char *get = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
	    "Connection: close\r\n\r\n";
	int idle[3], fd;

	fixture_start(f, "\"max_connections\": 3, "
	    "\"max_connections_per_address\": 2");
	assert_int_not_equal(idle[0] = connect_from(f->port, "127.0.0.1"), -1);
	assert_int_not_equal(idle[1] = connect_from(f->port, "127.0.0.1"), -1);
	usleep(200 * 1000);
	/* A third from 127.0.0.1 is past its address's cap. */
	assert_int_not_equal(fd = connect_from(f->port, "127.0.0.1"), -1);
	send_all(fd, get, strlen(get));
	assert_int_equal(read_status(fd, 5000), 503);
	close(fd);
	/* Another address still gets in, and fills the server. */
	assert_int_not_equal(idle[2] = connect_from(f->port, "127.0.0.2"), -1);
	usleep(200 * 1000);
	assert_int_not_equal(fd = connect_from(f->port, "127.0.0.3"), -1);
	send_all(fd, get, strlen(get));
	assert_int_equal(read_status(fd, 5000), 503);
	close(fd);
	/* Closing idle connections makes room again. */
	for (int i = 0; i < 3; i++)
		close(idle[i]);
	usleep(300 * 1000);
	assert_int_equal(hostile_send(f->port, &health), 200);
	harness_serve_stop(&f->serve);
}

/* The daemon's user + system CPU time in seconds, from /proc/PID/stat. */
static double
cpu_seconds(pid_t pid)
{
	char *path = harness_format("/proc/%d/stat", (int)pid), *text, *p;
	unsigned long long ut = 0, st = 0;

	text = harness_read(path);
	free(path);
	if (text == NULL)
		return -1;
	/* Fields after the command's closing parenthesis; utime is the 14th. */
	p = strrchr(text, ')');
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
	    "%*u %*u %llu %llu", &ut, &st) != 2) {
		free(text);
		return -1;
	}
	free(text);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * Read the daemon's output for ms milliseconds without keeping it (a
 * spinning daemon writes hundreds of megabytes); the lines it wrote, and
 * whether it said it ran out of descriptors.
 */
static long
drain_lines(struct fixture *f, int ms, int *out_of_fds)
{
	long deadline = now_ms() + ms, lines = 0;
	char buf[65536];

	while (f->serve.out_fd != -1 && now_ms() < deadline) {
		struct pollfd pfd = { .fd = f->serve.out_fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		if ((n = read(f->serve.out_fd, buf, sizeof buf - 1)) <= 0)
			break;
		buf[n] = '\0';
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
		if (strstr(buf, "Too many open files") != NULL)
			*out_of_fds = 1;
	}
	return lines;
}

/*
 * GET /healthz on an open keep-alive connection; the status, or -1. The
 * whole response is read, so the connection is ready for the next one.
 */
static int
healthz_on(int fd)
{
	const char *get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
	char buf[4096], *end, *cl;
	size_t have = 0;
	long deadline = now_ms() + 5000;
	int code = -1;

	send_all(fd, get, strlen(get));
	while (have < sizeof buf - 1) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0 ||
		    (n = recv(fd, buf + have, sizeof buf - 1 - have, 0)) <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL ||
		    (cl = strcasestr(buf, "\r\nContent-Length: ")) == NULL)
			continue;
		if ((size_t)(end + 4 - buf) + strtoul(cl + 18, NULL, 10) <= have)
			break;
	}
	if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1)
		return -1;
	return code;
}

/*
 * Out of descriptors (a low RLIMIT_NOFILE, many idle clients), the daemon
 * neither spins nor floods the log, keeps serving a connection it already
 * had, and answers /healthz on new ones once the clients are gone.
 */
static void
test_descriptor_flood_is_bounded(void **state)
{
	struct fixture *f = *state;
	int long_form = getenv("HOSTILE_LONG") != NULL;
	int nconns = long_form ? 4300 : 200, seconds = long_form ? 60 : 4;
	static int fds[4300];
	struct rlimit old, low, raised;
	int keep, out_of_fds = 0, served = 0;
	long lines = 0;
	double cpu0, cpu;
	char *out;

	getrlimit(RLIMIT_NOFILE, &old);
	raised = (struct rlimit){ old.rlim_max, old.rlim_max };
	low = (struct rlimit){ long_form ? 1024 : 64, old.rlim_max };
	/* The daemon inherits the low limit; the test keeps its own. */
	setrlimit(RLIMIT_NOFILE, &low);
	fixture_start(f, "\"header_timeout\": \"120s\"");
	setrlimit(RLIMIT_NOFILE, long_form ? &raised : &old);
	assert_int_not_equal(keep = connect_from(f->port, NULL), -1);
	assert_int_equal(healthz_on(keep), 200);
	for (int i = 0; i < nconns; i++)
		fds[i] = connect_flags(f->port, NULL, SOCK_NONBLOCK);
	drain_lines(f, 300, &out_of_fds);
	cpu0 = cpu_seconds(f->serve.pid);
	/* Every 2 s the connection it already had is served (evhttp's idle cut is 10 s). */
	for (int t = 0; t < seconds; t += 2) {
		lines += drain_lines(f, 2000, &out_of_fds);
		served += healthz_on(keep) == 200;
	}
	cpu = cpu_seconds(f->serve.pid) - cpu0;
	print_message("flood: %d connections, %d s: %.2f CPU seconds, %ld log "
	    "lines, /healthz %d of %d\n", nconns, seconds, cpu, lines, served,
	    seconds / 2);
	/* The daemon did run out of descriptors, and said so. */
	assert_true(out_of_fds);
	assert_true(cpu >= 0 && cpu < 0.2 * seconds);
	assert_true(lines <= 2 + seconds / 60);
	assert_int_equal(served, seconds / 2);
	close(keep);
	for (int i = 0; i < nconns; i++) {
		if (fds[i] != -1)
			close(fds[i]);
	}
	usleep(1000 * 1000);
	assert_int_equal(harness_http_get(f->port, "/healthz", &out), 200);
	free(out);
	harness_serve_stop(&f->serve);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hostile_table, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_trickling_clients_are_cut,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_caps_answer_503,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_descriptor_flood_is_bounded,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
