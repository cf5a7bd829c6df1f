/* SPDX-License-Identifier: ISC */
/*
 * Fan-out: N due nudges (default 10,000) to N distinct webhook URLs on a
 * local sink, rate limits off, 64 requests in flight, in one of two modes.
 *
 * seeded: the outbox is seeded in one transaction before the real `nudged
 * serve` starts; the time counted runs from exec until no row is pending or
 * sending any more, as seen by a read-only SQLite connection polling every
 * 10 ms (committed state is what counts), and every row must then be `sent`.
 *
 * burst: N schedules, each to its own channel, all due at one instant (the
 * next whole minute at least BENCH_BURST_LEAD_S away); nudged starts a few
 * seconds before it. The sink timestamps every request: the first and last
 * post are counted from the due instant, and every row must end `sent`.
 * curl is timed the same way, from its exec to the sink's last request.
 *
 * The daemon's peak RSS is its VmHWM just before SIGTERM.
 *
 * In the same run, `curl --parallel --parallel-max 64` posts the same bodies
 * with the same headers to the same kind of sink, from exec to exit. Runs
 * alternate (nudged, curl, nudged, ...), each with a fresh sink and state
 * folder, R times each (default 3); each run, the median and the spread are
 * printed, with the CPU time of the contender and of the sink. The sink is
 * single-threaded: when its CPU time nears the wall time it is the limit,
 * and it is the same limit for both.
 *
 *   build/release/bench/bench_fanout [NUDGED] [N] [R] [CURL]
 *
 * The prompt bank is ./prompts (or $NUDGED_PROMPTS).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bank.h"
#include "bench_support.h"
#include "chat/chat_int.h"
#include "config.h"
#include "harness.h"
#include "replycode.h"
#include "sink.h"
#include "store.h"

#define BENCH_MAX_IN_FLIGHT	64
#define BENCH_POLL_MS		10
#define BENCH_DEADLINE_MS	120000
#define BENCH_STOP_MS		20000
#define BENCH_MAX_RUNS		15
#define BENCH_TARGET_S		3.0
#define BENCH_TARGET_MIB	64.0
/* burst: nudged starts this long before the due instant */
#define BENCH_BURST_LEAD_S	4
/* burst targets: first post after the instant, and all N against curl */
#define BENCH_BURST_FIRST_MS	50.0
#define BENCH_BURST_RATIO	1.25

/* What one run of a contender measured. */
struct bench_result {
	double	 secs;		/* exec to all committed (nudged) or to exit (curl) */
	double	 cpu;		/* the contender's CPU seconds, user + system */
	double	 sink_cpu;	/* the sink's CPU seconds over the same time */
	double	 rss_mib;	/* peak resident set */
	double	 ready_ms;	/* nudged: exec to its start line */
	double	 first_ms;	/* burst: instant (or exec) to the first post */
	int	 done;		/* rows sent, or requests answered 200 */
};

static double	 bench_proc_hwm_mib(pid_t);
static int	 bench_proc_exec_done(pid_t);
static void	 bench_write_config(const char *, int, int, const char *,
		    time_t);
static time_t	 bench_burst_instant(double *);
static int	 bench_sink_span(const char *, double, double *, double *);
static void	 bench_seed(const char *, int, int64_t);
static void	 bench_requests(const char *, int, int64_t,
		    struct chat_request *);
static char	*bench_fanout_url(int, void *);
static int	 bench_db_busy(sqlite3 **, const char *);
static int	 bench_db_count(const char *, const char *);
static void	 bench_collect(int, char *, size_t *, size_t, double,
		    double *);
static int	 bench_nudged_once(const char *, const char *, int, int,
		    struct bench_result *);
static char	**bench_apprise_argv(const char *, const char *, int, int);
static int	 bench_peer_once(const char *, int, int,
		    const struct chat_request *, const char *, int,
		    struct bench_result *);
static void	 bench_summary(const char *, const char *,
		    const struct bench_result *, int, int, double *, double *,
		    double *);

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

/* Whether a child of ours has exec'd already: its program is no longer ours. */
static int
bench_proc_exec_done(pid_t pid)
{
	char path[64], mine[PATH_MAX], its[PATH_MAX];
	ssize_t a, b;

	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	a = readlink("/proc/self/exe", mine, sizeof mine);
	b = readlink(path, its, sizeof its);
	return a > 0 && b > 0 && (a != b || memcmp(mine, its, (size_t)a) != 0);
}

/*
 * The daemon's config: n webhook channels c0..c(n-1), unlimited; one idle
 * schedule, or with burst != 0 one schedule per channel due at that instant.
 */
static void
bench_write_config(const char *path, int n, int sink_port, const char *prompts,
    time_t burst)
{
	struct tm tm;

	FILE *f = fopen(path, "w");

	if (f == NULL)
		exit(3);
	fprintf(f, "{\"state_dir\": \"state\", \"listen\": \"127.0.0.1:%d\",\n"
	    "\"prompts\": \"%s\",\n\"delivery\": {\"max_in_flight\": %d},\n"
	    "\"channels\": {\n", harness_free_port(), prompts,
	    BENCH_MAX_IN_FLIGHT);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\"c%d\": {\"platform\": \"webhook\", \"rate\": 0, "
		    "\"webhook\": \"http://127.0.0.1:%d/ok/%d\"}\n", i ? "," : "",
		    i, sink_port, i);
	fprintf(f, "},\n\"timezone\": \"UTC\",\n\"schedules\": [");
	if (burst == 0)
		fprintf(f, "{\"name\": \"idle\", \"cron\": \"0 0 1 1 *\", "
		    "\"channel\": \"c0\"}");
	for (int i = 0; burst != 0 && i < n; i++) {
		gmtime_r(&burst, &tm);
		fprintf(f, "%s{\"name\": \"s%d\", \"cron\": \"%d %d * * *\", "
		    "\"channel\": \"c%d\"}\n", i ? "," : "", i, tm.tm_min,
		    tm.tm_hour, i);
	}
	fprintf(f, "]}\n");
	if (fclose(f) != 0)
		exit(3);
}

/*
 * The next whole minute at least BENCH_BURST_LEAD_S + 1 s away, and that
 * instant on the monotonic clock (*mono_ms).
 */
static time_t
bench_burst_instant(double *mono_ms)
{
	struct timespec now;
	time_t at;

	clock_gettime(CLOCK_REALTIME, &now);
	at = (now.tv_sec + BENCH_BURST_LEAD_S + 1 + 59) / 60 * 60;
	*mono_ms = bench_ms() + ((double)(at - now.tv_sec) * 1000 -
	    (double)now.tv_nsec / 1e6);
	return at;
}

/*
 * The first and last request the sink logged, in ms after t0 (monotonic):
 * the number of requests, or -1 when the log cannot be read.
 */
static int
bench_sink_span(const char *log, double t0, double *first, double *last)
{
	FILE *f = fopen(log, "r");
	char *line = NULL, *p;
	size_t cap = 0;
	double ms;
	int n = 0;

	if (f == NULL)
		return -1;
	*first = *last = -1;
	while (getline(&line, &cap, f) != -1) {
		if ((p = strstr(line, "\"mono_ms\":")) == NULL)
			continue;
		ms = strtod(p + strlen("\"mono_ms\":"), NULL) - t0;
		if (n++ == 0 || ms < *first)
			*first = ms;
		if (ms > *last)
			*last = ms;
	}
	free(line);
	fclose(f);
	return n;
}

/* Enqueue n pending deliveries, one per channel, due at due, in one transaction. */
static void
bench_seed(const char *state, int n, int64_t due)
{
	struct store_delivery d = { .prompt_id = "coaching-001",
	    .state = STORE_PENDING, .cycle = 1, .due_at = due };
	char schedule[32], channel[32], *cause = NULL;
	struct store *st;

	if ((st = store_open(state, &cause)) == NULL) {
		fprintf(stderr, "bench_fanout: %s\n", cause);
		exit(3);
	}
	if (store_begin(st) == -1)
		exit(3);
	for (int i = 0; i < n; i++) {
		snprintf(schedule, sizeof schedule, "fanout-%d", i);
		snprintf(channel, sizeof channel, "c%d", i);
		d.schedule = schedule;
		d.channel = channel;
		if (store_enqueue(st, &d, NULL) != 1)
			exit(3);
	}
	if (store_commit(st) == -1)
		exit(3);
	store_close(st);
}

/* The requests nudged builds for the seeded rows (ids 1..n), by its own webhook code. */
static void
bench_requests(const char *prompts, int n, int64_t due,
    struct chat_request *reqs)
{
	const struct bank_prompt *p;
	struct bank *b;
	char *cause = NULL, code[REPLYCODE_LEN + 1], name[32];

	if ((b = bank_load(prompts, &cause)) == NULL ||
	    (p = bank_find(b, "coaching-001")) == NULL) {
		fprintf(stderr, "bench_fanout: %s\n", cause ? cause :
		    "no prompt coaching-001");
		exit(3);
	}
	for (int i = 0; i < n; i++) {
		struct config_channel cc = { .name = name, .platform = &chat_webhook,
		    .rate = 0 };
		char schedule[32];
		struct chat_nudge nudge = {
			.kind = CHAT_PROMPT,
			.delivery_id = i + 1,
			.schedule = schedule,
			.channel = name,
			.prompt_id = p->id,
			.theme = bank_theme_of(b, p)->slug,
			.theme_title = bank_theme_of(b, p)->title,
			.text = p->text,
			.follow_up = p->follow_up,
			.due_at = due,
			.reply_code = code,
		};

		snprintf(name, sizeof name, "c%d", i);
		snprintf(schedule, sizeof schedule, "fanout-%d", i);
		replycode_for(i + 1, code);
		if (chat_webhook.format_prompt(&nudge, &cc, (int64_t)time(NULL),
		    &reqs[i], &cause) == -1) {
			fprintf(stderr, "bench_fanout: %s\n", cause);
			exit(3);
		}
	}
	bank_free(b);
}

/* Request i's URL on the sink whose port arg points to: /ok/i. */
static char *
bench_fanout_url(int i, void *arg)
{
	return harness_format("http://127.0.0.1:%d/ok/%d", *(int *)arg, i);
}

/* Whether any row is still pending or sending: 1 yes, 0 no, -1 not readable yet. */
static int
bench_db_busy(sqlite3 **db, const char *path)
{
	sqlite3_stmt *stmt;
	int busy = -1;

	if (*db == NULL && sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY,
	    NULL) != SQLITE_OK) {
		sqlite3_close(*db);
		*db = NULL;
		return -1;
	}
	if (sqlite3_prepare_v2(*db, "SELECT EXISTS (SELECT 1 FROM deliveries "
	    "WHERE state IN ('pending', 'sending'))", -1, &stmt, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_step(stmt) == SQLITE_ROW)
		busy = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	return busy;
}

/* How many rows are in a state, on a fresh read-only connection. */
static int
bench_db_count(const char *path, const char *state)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *stmt;
	int n = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(db, "SELECT count(*) FROM "
	    "deliveries WHERE state = ?", -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, state, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			n = sqlite3_column_int(stmt, 0);
		sqlite3_finalize(stmt);
	}
	sqlite3_close(db);
	return n;
}

/*
 * Read what the daemon wrote, keeping the first cap bytes for messages, and
 * note when its start line appeared (*ready_ms, relative to t0).
 */
static void
bench_collect(int fd, char *head, size_t *len, size_t cap, double t0,
    double *ready_ms)
{
	char buf[65536];
	ssize_t n;
	size_t take;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		take = *len + (size_t)n < cap ? (size_t)n : cap - *len;
		memcpy(head + *len, buf, take);
		*len += take;
		head[*len] = '\0';
		if (*ready_ms < 0 && strstr(head, "started: config") != NULL)
			*ready_ms = bench_ms() - t0;
	}
}

/*
 * One nudged run on a fresh sink and state folder, seeded or (burst) from
 * the due instant; 0 when every row was sent.
 */
static int
bench_nudged_once(const char *bin, const char *prompts, int n, int burst,
    struct bench_result *r)
{
	char *dir = harness_tmpdir(), *config, *state, *dbpath, *sinklog;
	char head[65537] = "";
	size_t len = 0;
	struct sink sink;
	sqlite3 *db = NULL;
	double t0, sink0, last = 0, now, instant = 0, lead;
	int fds[2], busy = 1, status = 0, ok = -1;
	pid_t pid;

	memset(r, 0, sizeof *r);
	r->ready_ms = -1;
	config = harness_format("%s/nudged.json", dir);
	state = harness_format("%s/state", dir);
	dbpath = harness_format("%s/%s", state, STORE_FILE);
	sinklog = harness_format("%s/sink.log", dir);
	if (sink_start(&sink, burst ? sinklog : "/dev/null", burst) != 0)
		exit(3);
	if (burst) {
		bench_write_config(config, n, sink.port, prompts,
		    bench_burst_instant(&instant));
		if ((lead = instant - BENCH_BURST_LEAD_S * 1000 - bench_ms()) > 0)
			poll(NULL, 0, (int)lead);
	} else {
		bench_write_config(config, n, sink.port, prompts, 0);
		bench_seed(state, n, (int64_t)time(NULL));
	}
	if (pipe2(fds, O_CLOEXEC) == -1)
		exit(3);
	sink0 = bench_proc_cpu(sink.pid);
	t0 = bench_ms();
	if ((pid = fork()) == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		execl(bin, bin, "serve", "-c", config, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	while ((now = bench_ms()) - t0 < BENCH_DEADLINE_MS) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		int wait = BENCH_POLL_MS - (int)(now - last);

		if (poll(&pfd, 1, wait > 0 ? wait : 0) > 0)
			bench_collect(fds[0], head, &len, sizeof head - 1, t0,
			    &r->ready_ms);
		if (bench_ms() - last < BENCH_POLL_MS)
			continue;
		last = bench_ms();
		if (burst && last > instant)
			busy = bench_db_count(dbpath, "sent") != n;
		else if (!burst)
			busy = bench_db_busy(&db, dbpath);
		if (busy == 0) {
			r->secs = (bench_ms() - t0) / 1000;
			break;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pid = -1;
			break;
		}
	}
	sqlite3_close(db);
	if (pid > 0) {
		r->rss_mib = bench_proc_hwm_mib(pid);
		r->cpu = bench_proc_cpu(pid);
		r->sink_cpu = bench_proc_cpu(sink.pid) - sink0;
		kill(pid, SIGTERM);
	}
	/* Read to the end, so a stopping daemon never blocks on its log. */
	for (now = bench_ms(); pid > 0; ) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };

		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (bench_ms() - now > BENCH_STOP_MS) {
			fprintf(stderr, "bench_fanout: nudged did not stop within "
			    "%d ms of SIGTERM\n", BENCH_STOP_MS);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			break;
		}
		if (poll(&pfd, 1, BENCH_POLL_MS) > 0)
			bench_collect(fds[0], head, &len, sizeof head - 1, t0,
			    &r->ready_ms);
	}
	bench_collect(fds[0], head, &len, sizeof head - 1, t0, &r->ready_ms);
	r->done = bench_db_count(dbpath, "sent");
	if (burst && bench_sink_span(sinklog, instant, &r->first_ms,
	    &now) == n)
		r->secs = now / 1000;
	else if (burst)
		busy = 1;
	if (busy == 0 && r->done == n && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0)
		ok = 0;
	else
		fprintf(stderr, "bench_fanout: nudged run failed (exit status %d; "
		    "%d of %d sent, %d failed, %d pending, %d sending); its output "
		    "began:\n%.2048s\n", status, r->done, n,
		    bench_db_count(dbpath, "failed"),
		    bench_db_count(dbpath, "pending"),
		    bench_db_count(dbpath, "sending"), head);
	close(fds[0]);
	sink_stop(&sink);
	harness_rmdir(dir);
	free(sinklog);
	free(dbpath);
	free(state);
	free(config);
	free(dir);
	return ok;
}

/*
 * Apprise's command line: the text, then one json:// URL to the sink's /ok/i
 * per request (its config files stop at 128 KB; arguments do not).
 */
static char **
bench_apprise_argv(const char *prog, const char *text, int n, int port)
{
	char **argv = calloc((size_t)n + 4, sizeof *argv);

	argv[0] = strdup(prog);
	argv[1] = strdup("-b");
	argv[2] = strdup(text);
	for (int i = 0; i < n; i++)
		argv[3 + i] = harness_format("json://127.0.0.1:%d/ok/%d", port, i);
	return argv;
}

/*
 * One run of a peer on a fresh sink: curl (every request answered 200) or,
 * with apprise set, Apprise's CLI sending the prompt's text to n json://
 * URLs in one process, as its users run it (every request reached the
 * sink); 0 when all n got through. With burst the time runs to the sink's
 * last request, as nudged's does.
 */
static int
bench_peer_once(const char *prog, int apprise, int n,
    const struct chat_request *reqs, const char *text, int burst,
    struct bench_result *r)
{
	char *dir = harness_tmpdir(), *cfg, *out, *err, *codes, *line, *save;
	char *sinklog, **args = NULL;
	char max[16];
	struct rusage ru;
	struct sink sink;
	double t0, sink0, hwm, lastms;
	int status, fd, efd, ok = -1, got;
	pid_t pid;

	memset(r, 0, sizeof *r);
	r->ready_ms = -1;
	cfg = harness_format("%s/peer.cfg", dir);
	out = harness_format("%s/codes", dir);
	err = harness_format("%s/errors", dir);
	sinklog = harness_format("%s/sink.log", dir);
	if (sink_start(&sink, burst || apprise ? sinklog : "/dev/null",
	    burst || apprise) != 0)
		exit(3);
	if (apprise)
		args = bench_apprise_argv(prog, text, n, sink.port);
	else
		bench_write_curl_config(cfg, n, reqs, bench_fanout_url,
		    &sink.port);
	snprintf(max, sizeof max, "%d", BENCH_MAX_IN_FLIGHT);
	sink0 = bench_proc_cpu(sink.pid);
	t0 = bench_ms();
	if ((pid = fork()) == 0) {
		if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
		    (efd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
			_exit(127);
		dup2(fd, 1);
		dup2(efd, 2);
		if (apprise)
			execvp(prog, args);
		else
			execlp(prog, prog, "--silent", "--show-error",
			    "--parallel", "--parallel-max", max, "-K", cfg,
			    (char *)NULL);
		_exit(127);
	}
	/*
	 * Sample VmHWM while it runs: it covers curl's own memory only, where
	 * ru_maxrss would include this process's pages from before the exec.
	 */
	while (wait4(pid, &status, WNOHANG, &ru) == 0) {
		if (bench_proc_exec_done(pid) &&
		    (hwm = bench_proc_hwm_mib(pid)) > r->rss_mib)
			r->rss_mib = hwm;
		poll(NULL, 0, 2);
	}
	r->secs = (bench_ms() - t0) / 1000;
	r->sink_cpu = bench_proc_cpu(sink.pid) - sink0;
	r->cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	codes = apprise ? NULL : bench_read(out);
	for (line = codes != NULL ? strtok_r(codes, "\n", &save) : NULL;
	    line != NULL; line = strtok_r(NULL, "\n", &save))
		r->done += strcmp(line, "200") == 0;
	free(codes);
	if ((burst || apprise) && (got = bench_sink_span(sinklog, t0,
	    &r->first_ms, &lastms)) >= 0) {
		if (burst)
			r->secs = lastms / 1000;
		if (apprise)
			r->done = got;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && r->done == n)
		ok = 0;
	else {
		codes = bench_read(err);
		fprintf(stderr, "bench_fanout: %s run failed (exit %d, %d of %d "
		    "through):\n%.4096s\n", prog, WIFEXITED(status) ?
		    WEXITSTATUS(status) : -1, r->done, n, codes != NULL ? codes :
		    "");
		free(codes);
	}
	sink_stop(&sink);
	harness_rmdir(dir);
	for (int i = 0; args != NULL && args[i] != NULL; i++)
		free(args[i]);
	free(args);
	free(sinklog);
	free(err);
	free(out);
	free(cfg);
	free(dir);
	return ok;
}

/* Print the median and spread of a contender's runs; its median seconds in *median. */
static void
bench_summary(const char *who, const char *what, const struct bench_result *r,
    int runs, int n, double *median, double *cpu_median, double *rss_median)
{
	double secs[BENCH_MAX_RUNS], rss[BENCH_MAX_RUNS], cpu[BENCH_MAX_RUNS];
	double sink[BENCH_MAX_RUNS], first[BENCH_MAX_RUNS];

	for (int i = 0; i < runs; i++) {
		secs[i] = r[i].secs;
		rss[i] = r[i].rss_mib;
		cpu[i] = r[i].cpu;
		sink[i] = r[i].sink_cpu;
		first[i] = r[i].first_ms;
	}
	bench_sort(secs, runs);
	bench_sort(rss, runs);
	bench_sort(cpu, runs);
	bench_sort(sink, runs);
	bench_sort(first, runs);
	*median = secs[runs / 2];
	*cpu_median = cpu[runs / 2];
	*rss_median = rss[runs / 2];
	printf("fanout %s: median %d %s in %.2f s (%.0f/s) over %d runs, spread "
	    "%.2f-%.2f s; first post median %.0f ms; peak RSS median %.1f MiB "
	    "(max %.1f); CPU median %.2f s, sink CPU median %.2f s\n", who, n,
	    what, *median, n / *median, runs, secs[0], secs[runs - 1],
	    first[runs / 2], rss[runs / 2], rss[runs - 1], cpu[runs / 2],
	    sink[runs / 2]);
}

/* Alternate nudged and curl runs, then print each side's median and spread. */
int
main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : "./nudged";
	int n = argc > 2 ? atoi(argv[2]) : 10000;
	int runs = argc > 3 ? atoi(argv[3]) : 3;
	const char *curl = argc > 4 ? argv[4] : "curl";
	const char *mode = argc > 5 ? argv[5] : "seeded";
	const char *env = getenv("NUDGED_PROMPTS");
	int burst = strcmp(mode, "burst") == 0;
	const char *apprise = getenv("BENCH_APPRISE");
	struct bench_result nr[BENCH_MAX_RUNS], cr[BENCH_MAX_RUNS], *x;
	struct bench_result ar[BENCH_MAX_RUNS];
	struct chat_request *reqs;
	char prompts[PATH_MAX];
	double nmed, cmed, amed, ncpu, ccpu, nrss, crss, first[BENCH_MAX_RUNS];
	double rss_max = 0;
	char scenario[64];

	if (n < 1 || runs < 1 || runs > BENCH_MAX_RUNS || (!burst &&
	    strcmp(mode, "seeded") != 0)) {
		fprintf(stderr, "usage: bench_fanout [NUDGED] [N] [RUNS 1-%d] "
		    "[CURL] [seeded|burst]\n", BENCH_MAX_RUNS);
		return 2;
	}
	if (realpath(env != NULL ? env : "prompts", prompts) == NULL) {
		fprintf(stderr, "bench_fanout: prompts: %s\n", strerror(errno));
		return 3;
	}
	/* Apprise sends to fixed URLs, not a due instant: the seeded mode only. */
	if (apprise == NULL)
		apprise = "apprise";
	if (burst || strcmp(apprise, "0") == 0)
		apprise = NULL;
	else if (system("command -v apprise >/dev/null 2>&1") != 0) {
		printf("fanout apprise: skipped: not installed (apt-get install "
		    "apprise)\n");
		apprise = NULL;
	}
	signal(SIGPIPE, SIG_IGN);
	reqs = calloc((size_t)n, sizeof *reqs);
	bench_requests(prompts, n, (int64_t)time(NULL), reqs);
	printf("fanout (%s): %d nudges to %d distinct webhook URLs on a local "
	    "sink, rate limits off, %d in flight; body %zu bytes\n", mode, n, n,
	    BENCH_MAX_IN_FLIGHT, reqs[0].body_len);
	for (int i = 0; i < runs; i++) {
		x = &nr[i];
		if (bench_nudged_once(bin, prompts, n, burst, x) != 0)
			return 3;
		first[i] = x->first_ms;
		printf("fanout nudged: %d sent and committed in %.2f s (%.0f/s)%s, "
		    "first post %.0f ms, peak RSS %.1f MiB [started after %.0f ms; "
		    "CPU %.2f s; sink CPU %.2f s, %.0f%% busy]\n", x->done, x->secs,
		    x->done / x->secs, burst ? " from the due instant" : "",
		    x->first_ms, x->rss_mib, x->ready_ms, x->cpu,
		    x->sink_cpu, 100 * x->sink_cpu / x->secs);
		if (x->rss_mib > rss_max)
			rss_max = x->rss_mib;
		x = &cr[i];
		if (bench_peer_once(curl, 0, n, reqs, NULL, burst, x) != 0)
			return 3;
		printf("fanout curl --parallel-max %d: %d posted in %.2f s "
		    "(%.0f/s) [peak RSS %.1f MiB; CPU %.2f s; sink CPU %.2f s, "
		    "%.0f%% busy]\n", BENCH_MAX_IN_FLIGHT, x->done, x->secs,
		    x->done / x->secs, x->rss_mib, x->cpu, x->sink_cpu,
		    100 * x->sink_cpu / x->secs);
		fflush(stdout);
		x = &ar[i];
		if (apprise == NULL)
			continue;
		if (bench_peer_once(apprise, 1, n, NULL, "What did you learn "
		    "this week that changed how you lead?", 0, x) != 0)
			return 3;
		printf("fanout apprise: %d posted in %.2f s (%.0f/s) [peak RSS "
		    "%.1f MiB; CPU %.2f s; sink CPU %.2f s]\n", x->done, x->secs,
		    x->done / x->secs, x->rss_mib, x->cpu, x->sink_cpu);
		fflush(stdout);
	}
	bench_summary("nudged", "sent and committed", nr, runs, n, &nmed, &ncpu,
	    &nrss);
	bench_summary("curl --parallel-max 64", "posted", cr, runs, n, &cmed,
	    &ccpu, &crss);
	printf("fanout: nudged %s (median %.2f s, target %.0f s), peak RSS %s "
	    "(max %.1f MiB, target %.0f MiB), %s than curl (%.2fx curl's "
	    "time)\n", nmed < BENCH_TARGET_S ? "meets the time target" :
	    "MISSES the time target", nmed, BENCH_TARGET_S,
	    rss_max < BENCH_TARGET_MIB ? "within target" : "OVER target",
	    rss_max, BENCH_TARGET_MIB, nmed <= cmed ? "no slower" : "SLOWER",
	    nmed / cmed);
	snprintf(scenario, sizeof scenario, "fan-out %d, %s", n, mode);
	bench_table_row(scenario, "s", nmed, "curl --parallel-max 64", cmed,
	    1e6 * ncpu / n, nrss);
	if (apprise != NULL) {
		bench_summary("apprise", "posted", ar, runs, n, &amed, &ccpu,
		    &crss);
		bench_table_row(scenario, "s", nmed, "Apprise (one process)",
		    amed, 1e6 * ncpu / n, nrss);
	}
	if (burst) {
		bench_sort(first, runs);
		printf("burst: first post median %.0f ms after the instant "
		    "(target %.0f ms): %s; all %d in %.2fx curl's time (target "
		    "%.2fx): %s\n", first[runs / 2], BENCH_BURST_FIRST_MS,
		    first[runs / 2] <= BENCH_BURST_FIRST_MS ? "met" : "MISSED",
		    n, nmed / cmed, BENCH_BURST_RATIO, nmed / cmed <=
		    BENCH_BURST_RATIO ? "met" : "MISSED");
		bench_table_row("burst: first post after the instant", "ms",
		    first[runs / 2], NULL, 0, 0, 0);
	}
	for (int i = 0; i < n; i++)
		chat_request_free(&reqs[i]);
	free(reqs);
	return 0;
}
