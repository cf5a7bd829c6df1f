/* SPDX-License-Identifier: ISC */
/*
 * Replies: signed Slack slash commands (/reflect [CODE] answer) posted by
 * wrk to the real `nudged serve` at POST /slack/commands, 64 connections for
 * 10 s (by default), against a Slack Bolt for JavaScript app doing the same
 * with signature verification on and answers kept in memory
 * (bench/replies/bolt_app.js). Everything stays on 127.0.0.1.
 *
 * Each run of nudged: a fresh state folder and config with one Slack
 * channel (signing secret, slack_channel_id); two nudges sent with the
 * daemon's own `nudged send` to a local webhook sink, so each has a real
 * reply code; then `nudged serve`. Just before wrk starts, N distinct
 * requests are made and signed here (v0 HMAC-SHA256 of "v0:TS:BODY", TS =
 * now): each with its own trigger_id (the message id, so each is a new
 * answer), users spread over 200 ids, half the answers with the first
 * nudge's code, a quarter with the second's and a quarter with no code
 * (they go to the newest nudge). wrk's Lua has no HMAC, so
 * bench/replies/post.lua loads the pre-signed requests (one file per wrk
 * thread) and sends each once. After wrk, nudged is stopped with SIGTERM
 * and the rows of its `replies` table are counted: stored answers / wrk's
 * duration is the rate; p99 is wrk's (latency of every request, taken by
 * wrk's own histogram). Bolt gets the same kind of requests (re-signed for
 * its port and a fresh timestamp) and is asked GET /count at the end.
 *
 * Runs alternate (nudged, Bolt, nudged, ...), R of each (default 3); each
 * run prints one line, then the medians and the spread.
 *
 *   build/release/bench/bench_replies [NUDGED] [SECONDS] [RUNS] [CONNECTIONS]
 *
 * Environment: BENCH_WRK (wrk), BENCH_WRK_THREADS (2), BENCH_NODE (node),
 * BENCH_REPLIES_DIR (bench/replies: post.lua, bolt_app.js, node_modules),
 * BENCH_REQUESTS_N (requests made per run; default 40,000 per second of
 * run), BENCH_BOLT=0 (nudged only), NUDGED_PROMPTS (prompts),
 * BENCH_VERBOSE=1 (wrk's own report too), BENCH_PERF=PREFIX (a `perf record
 * --call-graph dwarf -e cpu-clock` profile of the contender during each wrk
 * run, kept as PREFIX.PID.data; perf takes CPU too, so such runs are slower).
 * Exit 0 when every run completed (whatever the figures), 3 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "bench_support.h"
#include "harness.h"
#include "sink.h"

#define BENCH_SECRET		"8f742231b10e8888abcd99yyyzzz85a5"
#define BENCH_SLACK_CHANNEL	"C0BENCH01"
#define BENCH_USERS		200
#define BENCH_MAX_RUNS		15
#define BENCH_MAX_THREADS	16
#define BENCH_PER_SECOND	40000	/* requests made per second of run */
#define BENCH_READY_MS		15000
#define BENCH_STOP_MS		20000
#define BENCH_TARGET_RATE	10000.0
#define BENCH_TARGET_P99_MS	20.0

/* What one run of a contender measured. */
struct bench_result {
	long	 stored;	/* rows in replies, or Bolt's count */
	long	 first;		/* nudged: of them, attached to the first nudge */
	long	 requests;	/* responses wrk read */
	long	 status_errors;	/* of them, 4xx and 5xx */
	long	 socket_errors;
	long	 wrapped;	/* times a wrk thread ran out of requests */
	double	 secs;		/* wrk's duration */
	double	 p50_ms, p90_ms, p99_ms, p999_ms, max_ms;
	double	 cpu;		/* the contender's CPU seconds during wrk */
	double	 wrk_cpu;	/* wrk's CPU seconds, loading included */
	double	 wrk_rss_mib;	/* wrk's peak resident set */
	double	 busy;		/* CPU seconds of the whole machine during wrk */
	double	 rss_mib;	/* the contender's peak resident set */
	double	 gen_ms;	/* making and signing the requests */
	long	 made;		/* requests made and signed */
};

/* What every run shares. */
struct bench {
	const char	*nudged;
	const char	*wrk;
	const char	*node;
	char		 dir[PATH_MAX];		/* bench/replies, absolute */
	char		 prompts[PATH_MAX];
	int		 seconds;
	int		 connections;
	int		 threads;
	long		 n[3];			/* requests per run: nudged, Bolt,
						   the ceiling */
	char		*ceiling;		/* bench_ceiling, beside us */
};

static double	 bench_machine_busy(void);
static int	 bench_have(const char *);
static double	 bench_proc_hwm_mib(pid_t);
static pid_t	 bench_spawn(const char *const [], const char *const [],
		    const char *);
static int	 bench_wait(pid_t, int, struct rusage *);
static void	 bench_stop(pid_t, const char *);
static int	 bench_wait_file(const char *, const char *, pid_t, int);
static void	 bench_form(char *, size_t, const char *);
static int	 bench_generate(const struct bench *, const char *, int,
		    const char *const [2], long, double *);
static int	 bench_wrk(const struct bench *, const char *, const char *,
		    int, struct bench_result *);
static long	 bench_field(const char *, const char *);
static int	 bench_send(const char *, const char *, char *);
static long	 bench_count_rows(const char *, long *);
static int	 bench_nudged_once(struct bench *, struct bench_result *);
static int	 bench_peer_once(struct bench *, const char *,
		    const char *const [], const char *, long *,
		    struct bench_result *);
static void	 bench_print(const char *, const struct bench_result *, int,
		    int);
static double	 bench_summary(const char *, struct bench_result *, int,
		    double *, double *);

/* CPU seconds all cores have spent busy since boot (not idle or iowait). */
static double
bench_machine_busy(void)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (f == NULL)
		return 0;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
	fclose(f);
	if (n != 8)
		return 0;
	/* user nice system idle iowait irq softirq steal */
	return (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
	    (double)sysconf(_SC_CLK_TCK);
}

/* Whether prog (a path, or a name looked up in $PATH) can be run. */
static int
bench_have(const char *prog)
{
	const char *path = getenv("PATH"), *p, *end;
	char full[PATH_MAX];

	if (strchr(prog, '/') != NULL)
		return access(prog, X_OK) == 0;
	for (p = path != NULL ? path : "/usr/bin:/bin"; *p != '\0'; p = end) {
		end = p + strcspn(p, ":");
		snprintf(full, sizeof full, "%.*s/%s", (int)(end - p), p, prog);
		if (end > p && access(full, X_OK) == 0)
			return 1;
		if (*end == ':')
			end++;
	}
	return 0;
}

/* A live process's peak resident set (VmHWM) in MiB, from /proc. */
static double
bench_proc_hwm_mib(pid_t pid)
{
	char path[64], line[256];
	double kib = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (sscanf(line, "VmHWM: %lf kB", &kib) == 1)
			break;
	}
	fclose(f);
	return kib / 1024;
}

/*
 * Start argv with extra NAME=VALUE environment entries (NULL-terminated,
 * may be NULL), stdout and stderr to the file out. The child dies with us.
 */
static pid_t
bench_spawn(const char *const argv[], const char *const env[],
    const char *out)
{
	pid_t pid = fork();
	int fd;

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		_exit(127);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	dup2(fd, 0);
	close(fd);
	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		putenv((char *)env[i]);
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Wait up to timeout_ms for pid to exit; its status, or -1 (still running). */
static int
bench_wait(pid_t pid, int timeout_ms, struct rusage *ru)
{
	double end = bench_ms() + timeout_ms;
	struct rusage dummy;
	int status;
	pid_t got;

	for (;;) {
		got = wait4(pid, &status, WNOHANG, ru != NULL ? ru : &dummy);
		if (got == pid)
			return status;
		if (got == -1 || bench_ms() > end)
			return -1;
		usleep(20000);
	}
}

/* SIGTERM, then SIGKILL if it does not exit in time. */
static void
bench_stop(pid_t pid, const char *what)
{
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	if ((status = bench_wait(pid, BENCH_STOP_MS, NULL)) == -1) {
		fprintf(stderr, "bench_replies: %s did not stop in %d s; killed\n",
		    what, BENCH_STOP_MS / 1000);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "bench_replies: %s stopped with status %d\n",
		    what, status);
}

/* Wait until the file holds needle; 0, or -1 when pid died or time ran out. */
static int
bench_wait_file(const char *path, const char *needle, pid_t pid,
    int timeout_ms)
{
	double end = bench_ms() + timeout_ms;
	char *text;
	int found;

	while (bench_ms() < end) {
		text = bench_read(path);
		found = text != NULL && strstr(text, needle) != NULL;
		free(text);
		if (found)
			return 0;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(10000);
	}
	return -1;
}

/* Form-encode s (application/x-www-form-urlencoded: space as '+') into out. */
static void
bench_form(char *out, size_t size, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0' && o + 4 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			out[o++] = (char)c;
		else if (c == ' ')
			out[o++] = '+';
		else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
}

/*
 * Make n signed slash-command requests for 127.0.0.1:port, dealt round-robin
 * into prefix.0 .. prefix.(threads-1) as "LENGTH\n" + the raw request.
 * codes[0], codes[1]: the nudges' reply codes. Stamped with the time now.
 */
static int
bench_generate(const struct bench *b, const char *prefix, int port,
    const char *const codes[2], long n, double *ms)
{
	static const char *const answers[] = {
		"We asked what we learned before asking who was at fault.",
		"Pairing on the incident review made the fix everyone's.",
		"I said I did not know, and two people offered to help.",
		"The demo failed & we kept going: <the customer> loved it.",
		"We wrote down the assumption first; it was wrong, cheaply.",
		"Naming the tension out loud made the retro twice as short.",
		"Ich habe zugehört, statt sofort eine Lösung anzubieten.",
		"Asking \"what would you try?\" beat giving the answer.",
	};
	const size_t nanswers = sizeof answers / sizeof answers[0];
	FILE *out[BENCH_MAX_THREADS];
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		    (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};
	char text[512], form[1024], body[2048], base[2200], req[3072], sig[65];
	unsigned char mac_out[32];
	double t0 = bench_ms();
	int64_t ts = (int64_t)time(NULL);
	size_t maclen;
	int rc = 0;

	if (ctx == NULL)
		return -1;
	for (int t = 0; t < b->threads; t++) {
		char *path = harness_format("%s.%d", prefix, t);

		out[t] = fopen(path, "w");
		free(path);
		if (out[t] == NULL)
			return -1;
		setvbuf(out[t], NULL, _IOFBF, 1 << 20);
	}
	for (long i = 0; i < n; i++) {
		int user = (int)((i * 7919) % BENCH_USERS);
		const char *code = i % 4 < 2 ? codes[0] : i % 4 == 2 ?
		    codes[1] : NULL;
		int blen, baselen, rlen;

		snprintf(text, sizeof text, "%s%s%s (#%ld)", code != NULL ? code :
		    "", code != NULL ? " " : "", answers[(size_t)i % nanswers],
		    i);
		bench_form(form, sizeof form, text);
		blen = snprintf(body, sizeof body, "token=gIkuvaNzQIHg97ATvDxqgjtO"
		    "&team_id=T0BENCH01&team_domain=nudged-bench&channel_id="
		    BENCH_SLACK_CHANNEL "&channel_name=leaders&user_id=U%07d"
		    "&user_name=person.%d&command=%%2Freflect&text=%s"
		    "&api_app_id=A0BENCH01&is_enterprise_install=false"
		    "&response_url=https%%3A%%2F%%2Fhooks.slack.com%%2Fcommands"
		    "%%2FT0BENCH01%%2F%ld%%2Fb3nch&trigger_id=%ld.%d.%08lx%08lx",
		    user, user, form, 7000000000L + i, 7000000000L + i, user,
		    (unsigned long)((uint64_t)i * 0x9E3779B97F4A7C15ULL >> 32),
		    (unsigned long)((uint64_t)(i + 1) * 0xBF58476D1CE4E5B9ULL >>
		    32));
		baselen = snprintf(base, sizeof base, "v0:%" PRId64 ":%s", ts,
		    body);
		if (EVP_MAC_init(ctx, (const unsigned char *)BENCH_SECRET,
		    strlen(BENCH_SECRET), params) != 1 ||
		    EVP_MAC_update(ctx, (const unsigned char *)base,
		    (size_t)baselen) != 1 ||
		    EVP_MAC_final(ctx, mac_out, &maclen, sizeof mac_out) != 1) {
			rc = -1;
			break;
		}
		for (size_t k = 0; k < 32; k++)
			snprintf(sig + 2 * k, 3, "%02x", mac_out[k]);
		rlen = snprintf(req, sizeof req, "POST /slack/commands HTTP/1.1\r\n"
		    "Host: 127.0.0.1:%d\r\nUser-Agent: Slackbot 1.0 "
		    "(+https://api.slack.com/robots)\r\nAccept: application/json,"
		    "*/*\r\nContent-Type: application/x-www-form-urlencoded\r\n"
		    "X-Slack-Request-Timestamp: %" PRId64 "\r\nX-Slack-Signature: "
		    "v0=%s\r\nContent-Length: %d\r\n\r\n%s", port, ts, sig, blen,
		    body);
		fprintf(out[i % b->threads], "%d\n", rlen);
		fwrite(req, 1, (size_t)rlen, out[i % b->threads]);
	}
	for (int t = 0; t < b->threads; t++) {
		if (fclose(out[t]) != 0)
			rc = -1;
	}
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	*ms = bench_ms() - t0;
	return rc;
}

/* The integer after "key=" in a line, or -1. */
static long
bench_field(const char *line, const char *key)
{
	const char *p = strstr(line, key);

	return p != NULL ? strtol(p + strlen(key), NULL, 10) : -1;
}

/*
 * wrk -tT -cC -dSs --latency -s post.lua URL against the requests in
 * prefix.*; fills the wrk half of x. pid is the contender, for its CPU.
 */
static int
bench_wrk(const struct bench *b, const char *url, const char *prefix,
    int pid, struct bench_result *x)
{
	char *threads = harness_format("-t%d", b->threads);
	char *conns = harness_format("-c%d", b->connections);
	char *dur = harness_format("-d%ds", b->seconds);
	char *script = harness_format("%s/post.lua", b->dir);
	char *env = harness_format("BENCH_REQUESTS=%s", prefix);
	char *env_threads = harness_format("BENCH_THREADS=%d", b->threads);
	char *log = harness_format("%s.wrk", prefix);
	const char *argv[] = { b->wrk, threads, conns, dur, "--latency", "-s",
	    script, url, NULL };
	const char *envv[] = { env, env_threads, NULL };
	struct rusage ru = { 0 };
	char *text = NULL, *line;
	double cpu0 = bench_proc_cpu(pid), busy0 = bench_machine_busy();
	const char *perf_out;
	char *perf_data = NULL, *perf_pid_s = NULL, *perf_log = NULL;
	pid_t w, perf = -1;
	int status, rc = -1;

	fflush(stdout);
	if ((perf_out = getenv("BENCH_PERF")) != NULL) {
		/* A CPU profile of the contender while wrk runs. */
		perf_data = harness_format("%s.%d.data", perf_out, (int)pid);
		perf_pid_s = harness_format("%d", (int)pid);
		perf_log = harness_format("%s.perf", prefix);
		perf = bench_spawn((const char *[]){ "perf", "record", "-q",
		    "--call-graph", "dwarf,8192", "-e", "cpu-clock", "-F", "499",
		    "-o", perf_data, "-p", perf_pid_s, NULL }, NULL, perf_log);
	}
	w = bench_spawn(argv, envv, log);
	if (w == -1)
		goto out;
	if ((status = bench_wait(w, (b->seconds + 60) * 1000, &ru)) == -1) {
		fprintf(stderr, "bench_replies: wrk did not finish; killed\n");
		kill(w, SIGKILL);
		waitpid(w, NULL, 0);
		goto out;
	}
	x->cpu = bench_proc_cpu(pid) - cpu0;
	x->busy = bench_machine_busy() - busy0;
	if (perf > 0) {
		kill(perf, SIGINT);
		if (bench_wait(perf, BENCH_STOP_MS, NULL) == -1) {
			kill(perf, SIGKILL);
			waitpid(perf, NULL, 0);
		}
		perf = -1;
		printf("replies: profile of pid %d in %s\n", (int)pid, perf_data);
	}
	x->rss_mib = bench_proc_hwm_mib(pid);
	x->wrk_cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	x->wrk_rss_mib = ru.ru_maxrss / 1024.0;
	text = bench_read(log);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || text == NULL ||
	    (line = strstr(text, "bench: ")) == NULL) {
		fprintf(stderr, "bench_replies: wrk failed (status %d):\n%s\n",
		    status, text != NULL ? text : "");
		goto out;
	}
	x->requests = bench_field(line, "requests=");
	x->secs = bench_field(line, "duration_us=") / 1e6;
	x->status_errors = bench_field(line, "status_errors=");
	x->socket_errors = bench_field(line, "socket_errors=");
	x->p50_ms = bench_field(line, "p50_us=") / 1e3;
	x->p90_ms = bench_field(line, "p90_us=") / 1e3;
	x->p99_ms = bench_field(line, "p99_us=") / 1e3;
	x->p999_ms = bench_field(line, "p999_us=") / 1e3;
	x->max_ms = bench_field(line, "max_us=") / 1e3;
	x->wrapped = bench_field(line, "wrapped=");
	if (getenv("BENCH_VERBOSE") != NULL)
		fputs(text, stdout);
	rc = x->secs > 0 ? 0 : -1;
out:
	if (perf > 0) {
		kill(perf, SIGKILL);
		waitpid(perf, NULL, 0);
	}
	free(perf_data);
	free(perf_pid_s);
	free(perf_log);
	free(text);
	free(threads);
	free(conns);
	free(dur);
	free(script);
	free(env);
	free(env_threads);
	free(log);
	return rc;
}

/* nudged send -c config schedule; the reply code it printed into code. */
static int
bench_send(const char *bin, const char *config, char *code)
{
	char *out, *at;
	int rc = harness_run((const char *[]){ bin, "send", "-c", config,
	    "s-leaders", NULL }, &out);

	if (rc != 0 || (at = strstr(out, "(reply code ")) == NULL) {
		fprintf(stderr, "bench_replies: nudged send failed (%d):\n%s\n",
		    rc, out);
		free(out);
		return -1;
	}
	memcpy(code, at + 12, 4);
	code[4] = '\0';
	free(out);
	return 0;
}

/*
 * Rows in the replies table of a stopped daemon's database, or -1; *first:
 * how many of them belong to the first nudge (half of them should: the
 * other half carry the second nudge's code or none).
 */
static long
bench_count_rows(const char *db, long *first)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long n = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, "SELECT count(*), sum(delivery_id = (SELECT "
	    "min(id) FROM deliveries)) FROM replies WHERE source = 'slack'", -1,
	    &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		n = (long)sqlite3_column_int64(st, 0);
		*first = (long)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* One run against nudged. */
static int
bench_nudged_once(struct bench *b, struct bench_result *x)
{
	char *dir = harness_tmpdir();
	char *config = harness_format("%s/nudged.json", dir);
	char *slog = harness_format("%s/sink.log", dir);
	char *serve_log = harness_format("%s/serve.log", dir);
	char *prefix = harness_format("%s/requests", dir);
	char *db = harness_format("%s/state/nudged.db", dir);
	char *url = NULL, *text, codes[2][8];
	const char *code_ptrs[2] = { codes[0], codes[1] };
	struct sink sink;
	int port = harness_free_port(), rc = -1;
	pid_t pid = -1;

	memset(x, 0, sizeof *x);
	if (sink_start(&sink, slog, 0) != 0) {
		fprintf(stderr, "bench_replies: cannot start the sink\n");
		goto out;
	}
	text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s\", \"channels\": {"
	    "\"leaders\": {\"platform\": \"slack\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/slack\", \"signing_secret\": \"%s\", "
	    "\"slack_channel_id\": \"%s\"}}, \"schedules\": ["
	    "{\"name\": \"s-leaders\", \"cron\": \"0 0 1 1 *\", \"channel\": "
	    "\"leaders\"}]}", port, b->prompts, sink.port, BENCH_SECRET,
	    BENCH_SLACK_CHANNEL);
	harness_write(config, text);
	free(text);
	if (bench_send(b->nudged, config, codes[0]) != 0 ||
	    bench_send(b->nudged, config, codes[1]) != 0) {
		sink_stop(&sink);
		goto out;
	}
	sink_stop(&sink);	/* both nudges are sent; nothing else posts */
	pid = bench_spawn((const char *[]){ b->nudged, "serve", "-c", config,
	    NULL }, NULL, serve_log);
	if (pid == -1 || bench_wait_file(serve_log, "started: config", pid,
	    BENCH_READY_MS) != 0) {
		text = bench_read(serve_log);
		fprintf(stderr, "bench_replies: nudged serve did not start:\n%s\n",
		    text != NULL ? text : "");
		free(text);
		goto out;
	}
	x->made = b->n[0];
	if (bench_generate(b, prefix, port, code_ptrs, b->n[0], &x->gen_ms) !=
	    0) {
		fprintf(stderr, "bench_replies: cannot make the requests\n");
		goto out;
	}
	url = harness_format("http://127.0.0.1:%d/slack/commands", port);
	if (bench_wrk(b, url, prefix, pid, x) != 0)
		goto out;
	bench_stop(pid, "nudged serve");
	pid = -1;
	if ((x->stored = bench_count_rows(db, &x->first)) < 0) {
		fprintf(stderr, "bench_replies: cannot count the rows of %s\n", db);
		goto out;
	}
	rc = 0;
out:
	if (rc != 0 && pid > 0) {
		text = bench_read(serve_log);
		if (text != NULL) {
			size_t len = strlen(text);

			/* The end of the log says most about what went wrong. */
			fprintf(stderr, "bench_replies: nudged's log ends:\n%s\n",
			    len > 2000 ? text + len - 2000 : text);
			free(text);
		}
	}
	bench_stop(pid, "nudged serve");
	harness_rmdir(dir);
	free(dir);
	free(config);
	free(slog);
	free(serve_log);
	free(prefix);
	free(db);
	free(url);
	return rc;
}

/*
 * One run against a peer that takes PORT and SLACK_SIGNING_SECRET from its
 * environment, prints ready when it listens and answers GET /count (the
 * Bolt app, the C ceiling); *n requests are made for it.
 */
static int
bench_peer_once(struct bench *b, const char *name, const char *const argv[],
    const char *ready, long *n, struct bench_result *x)
{
	char *dir = harness_tmpdir();
	char *log = harness_format("%s/peer.log", dir);
	char *prefix = harness_format("%s/requests", dir);
	int port = harness_free_port(), rc = -1;
	char *env_port = harness_format("PORT=%d", port);
	char *url = harness_format("http://127.0.0.1:%d/slack/commands", port);
	/* Peers have no codes to check: any well-formed ones do. */
	const char *codes[2] = { "X39Q", "K7MP" };
	const char *envv[] = { env_port, "SLACK_SIGNING_SECRET=" BENCH_SECRET,
	    "NODE_ENV=production", NULL };
	char *out = NULL, *text;
	pid_t pid;

	memset(x, 0, sizeof *x);
	pid = bench_spawn(argv, envv, log);
	if (pid == -1 || bench_wait_file(log, ready, pid, BENCH_READY_MS) != 0) {
		text = bench_read(log);
		fprintf(stderr, "bench_replies: %s did not start:\n%s\n", name,
		    text != NULL ? text : "");
		free(text);
		goto out;
	}
	x->made = *n;
	if (bench_generate(b, prefix, port, codes, *n, &x->gen_ms) != 0) {
		fprintf(stderr, "bench_replies: cannot make the requests\n");
		goto out;
	}
	if (bench_wrk(b, url, prefix, pid, x) != 0)
		goto out;
	if (harness_http_get(port, "/count", &out) != 200 ||
	    (text = strstr(out, "\"stored\":")) == NULL) {
		fprintf(stderr, "bench_replies: GET /count failed: %s\n", out);
		goto out;
	}
	x->stored = strtol(text + 9, NULL, 10);
	/* Ran out: make enough for the next run. */
	if (x->wrapped && x->requests * 3 / 2 > *n)
		*n = x->requests * 3 / 2;
	rc = 0;
out:
	bench_stop(pid, name);
	harness_rmdir(dir);
	free(dir);
	free(log);
	free(prefix);
	free(env_port);
	free(url);
	free(out);
	return rc;
}

/* One run's line. */
static void
bench_print(const char *who, const struct bench_result *x, int run, int runs)
{
	/* Everyone else's CPU time (the two clocks tick apart: about 0). */
	double others = x->busy - x->cpu - x->wrk_cpu;

	printf("replies %s: %ld stored in %.1f s = %.0f/s, p99 %.1f ms "
	    "[run %d/%d; wrk: %ld answered, %ld non-2xx, %ld socket errors%s; "
	    "p50 %.2f, p90 %.2f, p99.9 %.1f, max %.1f ms; CPU %s %.1f s "
	    "(%.0f%% of a core, %.0f us an answer), wrk %.1f s, others %.1f s; "
	    "peak RSS %s %.0f MiB, wrk %.0f MiB; %ld requests signed in "
	    "%.0f ms]\n", who, x->stored, x->secs, x->stored / x->secs,
	    x->p99_ms, run, runs, x->requests, x->status_errors,
	    x->socket_errors, x->wrapped ? ", RAN OUT OF REQUESTS: raise "
	    "BENCH_REQUESTS_N" : "", x->p50_ms, x->p90_ms, x->p999_ms,
	    x->max_ms, who, x->cpu, 100 * x->cpu / x->secs,
	    x->stored > 0 ? 1e6 * x->cpu / x->stored : 0, x->wrk_cpu,
	    others > 0 ? others : 0, who, x->rss_mib, x->wrk_rss_mib, x->made,
	    x->gen_ms);
	/* Builds, tests or fuzzers of others on this 2-core machine skew it. */
	if (others > 0.1 * x->secs)
		printf("replies %s: NOTE: other processes used %.1f s of CPU "
		    "during this run; the figures are not from a quiet machine\n",
		    who, others);
	if (x->first > 0 && (x->first < x->stored * 45 / 100 ||
	    x->first > x->stored * 55 / 100))
		printf("replies %s: WARNING: %ld of %ld answers went to the "
		    "first nudge; half carry its code\n", who, x->first,
		    x->stored);
	if (x->stored + 64 < x->requests - x->status_errors && !x->wrapped)
		printf("replies %s: WARNING: %ld answered 2xx but only %ld stored\n",
		    who, x->requests - x->status_errors, x->stored);
	fflush(stdout);
}

/* Medians and spread over the runs; the median rate and p99 out, CPU µs an answer back. */
static double
bench_summary(const char *who, struct bench_result *r, int runs,
    double *rate, double *p99)
{
	double v[BENCH_MAX_RUNS], p[BENCH_MAX_RUNS], c[BENCH_MAX_RUNS];
	double lo, hi, plo, phi, clo, chi, cpu;

	for (int i = 0; i < runs; i++) {
		v[i] = r[i].stored / r[i].secs;
		p[i] = r[i].p99_ms;
		c[i] = r[i].stored > 0 ? 1e6 * r[i].cpu / r[i].stored : 0;
	}
	*rate = bench_median(v, runs, &lo, &hi);
	*p99 = bench_median(p, runs, &plo, &phi);
	cpu = bench_median(c, runs, &clo, &chi);
	/* CPU per answer hardly depends on what else the machine runs. */
	printf("replies %s: median %.0f/s (%.0f-%.0f), p99 median %.1f ms "
	    "(%.1f-%.1f), CPU %.0f us an answer (%.0f-%.0f) over %d runs\n",
	    who, *rate, lo, hi, *p99, plo, phi, cpu, clo, chi, runs);
	return cpu;
}

int
main(int argc, char **argv)
{
	struct bench b = { 0 };
	struct bench_result nr[BENCH_MAX_RUNS], br[BENCH_MAX_RUNS];
	struct bench_result cr[BENCH_MAX_RUNS];
	const char *env;
	char *app, *slash;
	int runs, bolt;
	double nrate, np99, brate = 0, bp99, crate, cp99, ncpu = 0;

	b.nudged = argc > 1 ? argv[1] : "./nudged";
	b.seconds = argc > 2 ? atoi(argv[2]) : 10;
	runs = argc > 3 ? atoi(argv[3]) : 3;
	b.connections = argc > 4 ? atoi(argv[4]) : 64;
	b.wrk = (env = getenv("BENCH_WRK")) != NULL ? env : "wrk";
	b.node = (env = getenv("BENCH_NODE")) != NULL ? env : "node";
	b.threads = (env = getenv("BENCH_WRK_THREADS")) != NULL ? atoi(env) : 2;
	bolt = (env = getenv("BENCH_BOLT")) == NULL || strcmp(env, "0") != 0;
	if (b.seconds < 1 || b.seconds > 600 || runs < 1 ||
	    runs > BENCH_MAX_RUNS || b.threads < 1 ||
	    b.threads > BENCH_MAX_THREADS || b.connections < b.threads ||
	    b.connections > 10000) {
		fprintf(stderr, "usage: bench_replies [NUDGED] [SECONDS 1-600] "
		    "[RUNS 1-%d] [CONNECTIONS]\n", BENCH_MAX_RUNS);
		return 2;
	}
	b.n[0] = b.n[1] = b.n[2] = (env = getenv("BENCH_REQUESTS_N")) != NULL ?
	    atol(env) : (long)b.seconds * BENCH_PER_SECOND;
	/* The ceiling answers several times faster: make more for it. */
	b.n[2] = 2 * b.n[0];
	slash = strrchr(argv[0], '/');
	b.ceiling = harness_format("%.*sbench_ceiling", slash != NULL ?
	    (int)(slash - argv[0] + 1) : 0, argv[0]);
	if (b.n[0] < 1) {
		fprintf(stderr, "bench_replies: BENCH_REQUESTS_N must be > 0\n");
		return 2;
	}
	env = getenv("NUDGED_PROMPTS");
	if (realpath(env != NULL ? env : "prompts", b.prompts) == NULL) {
		fprintf(stderr, "bench_replies: prompts: %s\n", strerror(errno));
		return 3;
	}
	env = getenv("BENCH_REPLIES_DIR");
	if (realpath(env != NULL ? env : "bench/replies", b.dir) == NULL) {
		fprintf(stderr, "bench_replies: bench/replies: %s\n",
		    strerror(errno));
		return 3;
	}
	if (!bench_have(b.wrk)) {
		printf("replies: skipped: %s is not installed (apt-get install "
		    "wrk)\n", b.wrk);
		return 0;
	}
	if (bolt && !bench_have(b.node)) {
		printf("replies bolt: skipped: %s is not installed (apt-get "
		    "install nodejs npm, then npm ci in bench/replies)\n", b.node);
		bolt = 0;
	}
	if (bolt) {
		char *mod = harness_format("%s/node_modules/@slack/bolt", b.dir);
		struct stat sb;

		if (stat(mod, &sb) != 0) {
			printf("replies bolt: skipped: %s is missing (run `npm ci` "
			    "in %s)\n", mod, b.dir);
			bolt = 0;
		}
		free(mod);
	}
	signal(SIGPIPE, SIG_IGN);
	printf("replies: signed Slack /reflect slash commands, wrk -t%d -c%d "
	    "-d%ds, %ld distinct requests made per run, %d users; nudged "
	    "stores to SQLite (WAL, synchronous=FULL)%s, the C ceiling "
	    "(bench_ceiling) counts in memory\n", b.threads, b.connections,
	    b.seconds, b.n[0], BENCH_USERS, bolt ? ", Bolt to memory" : "");
	app = harness_format("%s/bolt_app.js", b.dir);
	for (int i = 0; i < runs; i++) {
		if (bench_nudged_once(&b, &nr[i]) != 0)
			return 3;
		bench_print("nudged", &nr[i], i + 1, runs);
		/* Ran out: make enough for the next run. */
		if (nr[i].wrapped && nr[i].requests * 3 / 2 > b.n[0])
			b.n[0] = nr[i].requests * 3 / 2;
		if (bench_peer_once(&b, "the C ceiling", (const char *[]){
		    b.ceiling, NULL }, "ceiling listening", &b.n[2], &cr[i]) != 0)
			return 3;
		bench_print("ceiling", &cr[i], i + 1, runs);
		if (!bolt)
			continue;
		if (bench_peer_once(&b, "the Bolt app", (const char *[]){ b.node,
		    app, NULL }, "bolt listening", &b.n[1], &br[i]) != 0)
			return 3;
		bench_print("bolt", &br[i], i + 1, runs);
	}
	ncpu = bench_summary("nudged", nr, runs, &nrate, &np99);
	bench_summary("ceiling", cr, runs, &crate, &cp99);
	if (bolt)
		bench_summary("bolt", br, runs, &brate, &bp99);
	printf("replies: nudged %s the target (>= %.0f stored/s: %.0f/s; p99 < "
	    "%.0f ms: %.1f ms)", nrate >= BENCH_TARGET_RATE && np99 <
	    BENCH_TARGET_P99_MS ? "MEETS" : "MISSES", BENCH_TARGET_RATE, nrate,
	    BENCH_TARGET_P99_MS, np99);
	if (bolt && brate > 0)
		printf("; %.1fx Bolt's rate (target 3x), p99 %.1fx Bolt's",
		    nrate / brate, np99 / bp99);
	printf("; %.0f%% of the C ceiling's rate (target 50%%)\n",
	    100 * nrate / crate);
	bench_table_row("answers/s at 64 connections", "/s", nrate,
	    "C ceiling (evhttp, in memory)", crate, ncpu, nr[runs / 2].rss_mib);
	if (bolt)
		bench_table_row("answers/s at 64 connections", "/s", nrate,
		    "Bolt for JavaScript", brate, ncpu, nr[runs / 2].rss_mib);
	bench_table_row("answers: p99 at 64 connections", "ms", np99, NULL, 0,
	    0, 0);
	free(app);
	free(b.ceiling);
	return 0;
}
