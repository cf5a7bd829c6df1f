/* SPDX-License-Identifier: ISC */
/*
 * Direct fan-out: N people (default 10,000) due at one instant, each nudged
 * in their own Slack DM through chat.postMessage, against the fake Web API
 * (tests/support/slack_fake.c, recording off), 64 requests in flight. The
 * people's DMs are known (kept from earlier nudges, as on every day but the
 * first), so each nudge is one call. The outbox worker runs in this process
 * on the system clock; at the instant (the next whole second) the rows are
 * enqueued in one transaction and the worker told, as the scheduler does,
 * and a read-only SQLite connection polls every millisecond: the time to
 * the first committed `sent` row (its post has left and been answered) and
 * to the last, both from the instant, enqueueing included.
 *
 * In the same run, `curl --parallel --parallel-max 64` posts the same
 * chat.postMessage bodies with the same headers to the same kind of fake,
 * from exec to exit. Runs alternate (nudged, curl, ...), R times each
 * (default 3), each with a fresh fake and state folder. Last, one run where
 * no DM is known yet (each person's first nudge: conversations.open, then
 * chat.postMessage) is shown for information.
 *
 *   build/release/bench/bench_direct [N] [R] [CURL]
 *
 * The prompt bank is ./prompts (or $NUDGED_PROMPTS).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bank.h"
#include "bench_support.h"
#include "chat/chat_int.h"
#include "clock.h"
#include "config.h"
#include "deliver.h"
#include "harness.h"
#include "log.h"
#include "replycode.h"
#include "slack_fake.h"
#include "store.h"

#define BENCH_TOKEN		"xoxb-bench-direct"
#define BENCH_MAX_IN_FLIGHT	64
#define BENCH_DEADLINE_MS	120000
#define BENCH_MAX_RUNS		15
#define BENCH_FIRST_TARGET_MS	100.0
#define BENCH_CURL_FACTOR	1.25

/* One nudged run: from the instant to the first and the last row sent. */
struct bench_direct_run {
	int64_t		 instant_ms;	/* wall clock; -1 until it comes */
	double		 enqueued_ms;	/* the rows were in the outbox */
	double		 first_ms;
	double		 last_ms;
	sqlite3		*db;		/* read-only, polled: */
	sqlite3_stmt	*any_sent;
	sqlite3_stmt	*any_left;
	struct store	*st;
	struct deliver	*d;
	struct event_base *base;
	struct event	*poll;
	int		 n;
};

static void	 bench_direct_config(const char *, int, int, const char *);
static void	 bench_direct_dms(struct store *, int);
static void	 bench_direct_instant_cb(evutil_socket_t, short, void *);
static int	 bench_direct_exists(sqlite3_stmt *);
static void	 bench_direct_poll_cb(evutil_socket_t, short, void *);
static int	 bench_direct_once(const char *, int, int,
		    struct bench_direct_run *);
static void	 bench_direct_requests(const char *, int, struct chat_request *);
static char	*bench_direct_url(int, void *);
static int	 bench_direct_curl(const char *, int, const struct chat_request *,
		    double *);

/* The config: n people p0.. in group "all", one Slack channel that sends DMs. */
static void
bench_direct_config(const char *path, int n, int port, const char *prompts)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		exit(3);
	fprintf(f, "{\"state_dir\": \"state\", \"prompts\": \"%s\",\n"
	    "\"delivery\": {\"max_in_flight\": %d},\n\"people\": {\n", prompts,
	    BENCH_MAX_IN_FLIGHT);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\"p%d\": {\"slack\": \"U%07d\"}\n", i ? "," : "", i,
		    i);
	fprintf(f, "},\n\"groups\": {\"all\": [");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\"p%d\"", i ? ", " : "", i);
	fprintf(f, "]},\n\"channels\": {\"a\": {\"platform\": \"slack\", "
	    "\"bot_token\": \"%s\", \"api_url\": \"http://127.0.0.1:%d/api/\"}},\n"
	    "\"schedules\": [{\"name\": \"s\", \"cron\": \"0 0 1 1 *\", "
	    "\"channel\": \"a\", \"to\": [\"group:all\"]}]}\n", BENCH_TOKEN,
	    port);
	if (fclose(f) != 0)
		exit(3);
}

/* Every person's DM, as kept from their earlier nudges. */
static void
bench_direct_dms(struct store *st, int n)
{
	char person[32], dm[32];

	if (store_begin(st) == -1)
		exit(3);
	for (int i = 0; i < n; i++) {
		snprintf(person, sizeof person, "p%d", i);
		snprintf(dm, sizeof dm, "D%07d", i);
		if (store_set_person_dm(st, "a", person, dm) == -1)
			exit(3);
	}
	if (store_commit(st) == -1)
		exit(3);
}

/*
 * The instant, as the scheduler meets it: one prompt per person enqueued
 * in one transaction, then the worker told.
 */
static void
bench_direct_instant_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bench_direct_run *r = arg;
	struct store_delivery d = { .schedule = "s", .channel = "a",
	    .prompt_id = "coaching-001", .state = STORE_PENDING, .cycle = 1,
	    .kind = STORE_KIND_PROMPT };
	char person[32];

	(void)fd;
	(void)what;
	r->instant_ms = clock_now_ms(clock_system());
	d.due_at = r->instant_ms / 1000;
	if (store_begin(r->st) == -1)
		exit(3);
	for (int i = 0; i < r->n; i++) {
		snprintf(person, sizeof person, "p%d", i);
		d.person = person;
		if (store_enqueue(r->st, &d, NULL) != 1)
			exit(3);
	}
	if (store_commit(r->st) == -1)
		exit(3);
	r->enqueued_ms = (double)(clock_now_ms(clock_system()) - r->instant_ms);
	deliver_kick(r->d);
}

/* Whether a polling query finds a row: 1, 0, -1. */
static int
bench_direct_exists(sqlite3_stmt *stmt)
{
	int found = sqlite3_step(stmt) == SQLITE_ROW ?
	    sqlite3_column_int(stmt, 0) : -1;

	sqlite3_reset(stmt);
	return found;
}

/* Every millisecond: note the first row sent, and stop once none is left to send. */
static void
bench_direct_poll_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bench_direct_run *r = arg;
	double since = (double)(clock_now_ms(clock_system()) - r->instant_ms);

	(void)fd;
	(void)what;
	if (r->instant_ms < 0)
		return;
	if (r->first_ms < 0 && bench_direct_exists(r->any_sent) == 1)
		r->first_ms = since;
	if (r->first_ms >= 0 && bench_direct_exists(r->any_left) == 0) {
		r->last_ms = since;
		event_base_loopbreak(r->base);
	}
	if (since > BENCH_DEADLINE_MS)
		event_base_loopbreak(r->base);
}

/*
 * One run on a fresh fake and state folder, the rows enqueued at the next
 * whole second; 0 when every row was sent.
 */
static int
bench_direct_once(const char *prompts, int n, int dms,
    struct bench_direct_run *r)
{
	struct slack_fake_opts opts = { .token = BENCH_TOKEN };
	struct timeval every = { 0, 1000 }, until;
	char *dir = harness_tmpdir(), *config, *state, *dbpath, *cause = NULL;
	struct slack_fake fake;
	struct event *instant;
	struct config *cfg;
	struct bank *bank;
	int64_t now_ms;
	int sent, ok, saved, quiet;

	memset(r, 0, sizeof *r);
	r->instant_ms = -1;
	r->first_ms = r->last_ms = -1;
	r->n = n;
	config = harness_format("%s/nudged.json", dir);
	state = harness_format("%s/state", dir);
	dbpath = harness_format("%s/%s", state, STORE_FILE);
	if (slack_fake_start(&fake, "/dev/null", &opts) != 0)
		exit(3);
	bench_direct_config(config, n, fake.port, prompts);
	if ((cfg = config_load(config, &cause)) == NULL ||
	    (bank = bank_load_for(cfg, &cause)) == NULL ||
	    (r->st = store_open(state, &cause)) == NULL) {
		fprintf(stderr, "bench_direct: %s\n", cause);
		exit(3);
	}
	if (dms)
		bench_direct_dms(r->st, n);
	if (sqlite3_open_v2(dbpath, &r->db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(r->db, "SELECT EXISTS (SELECT 1 "
	    "FROM deliveries WHERE state = 'sent')", -1, &r->any_sent, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(r->db, "SELECT EXISTS (SELECT 1 "
	    "FROM deliveries WHERE state IN ('pending', 'sending'))", -1,
	    &r->any_left, NULL) != SQLITE_OK)
		exit(3);
	r->base = event_base_new();
	r->poll = event_new(r->base, -1, EV_PERSIST, bench_direct_poll_cb, r);
	event_add(r->poll, &every);
	if ((r->d = deliver_start(r->base, r->st, cfg, bank, clock_system(),
	    &cause)) == NULL) {
		fprintf(stderr, "bench_direct: %s\n", cause);
		exit(3);
	}
	now_ms = clock_now_ms(clock_system());
	until.tv_sec = 1;
	until.tv_usec = (1000 - now_ms % 1000) * 1000;
	instant = evtimer_new(r->base, bench_direct_instant_cb, r);
	evtimer_add(instant, &until);
	/* A line per nudge on stderr, as the daemon's journal gets: not here. */
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	quiet = open("/dev/null", O_WRONLY);
	dup2(quiet, STDERR_FILENO);
	close(quiet);
	event_base_dispatch(r->base);
	dup2(saved, STDERR_FILENO);
	close(saved);
	deliver_free(r->d);
	event_free(instant);
	event_free(r->poll);
	event_base_free(r->base);
	sqlite3_finalize(r->any_sent);
	sqlite3_finalize(r->any_left);
	sqlite3_close(r->db);
	store_close(r->st);
	sent = harness_db_int(state, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'");
	ok = sent == n && r->last_ms >= 0 ? 0 : -1;
	if (ok != 0)
		fprintf(stderr, "bench_direct: nudged run failed: %d of %d sent\n",
		    sent, n);
	bank_free(bank);
	config_free(cfg);
	slack_fake_stop(&fake);
	harness_rmdir(dir);
	free(dbpath);
	free(state);
	free(config);
	free(dir);
	return ok;
}

/* The chat.postMessage requests nudged makes for the seeded rows (ids 1..n). */
static void
bench_direct_requests(const char *prompts, int n, struct chat_request *reqs)
{
	char token[] = BENCH_TOKEN, name[] = "a";
	struct slack_settings ss = { .bot_token = token };
	struct config_channel cc = { .name = name, .platform = &chat_slack,
	    .settings = &ss, .rate = -1 };
	const struct bank_prompt *p;
	struct bank *b;
	char *cause = NULL, code[REPLYCODE_LEN + 1], dm[32];

	if ((b = bank_load(prompts, &cause)) == NULL ||
	    (p = bank_find(b, "coaching-001")) == NULL) {
		fprintf(stderr, "bench_direct: %s\n", cause ? cause :
		    "no prompt coaching-001");
		exit(3);
	}
	for (int i = 0; i < n; i++) {
		struct chat_nudge nudge = {
			.kind = CHAT_PROMPT,
			.delivery_id = i + 1,
			.schedule = "s",
			.channel = "a",
			.prompt_id = p->id,
			.theme = bank_theme_of(b, p)->slug,
			.theme_title = bank_theme_of(b, p)->title,
			.text = p->text,
			.follow_up = p->follow_up,
			.due_at = (int64_t)time(NULL),
			.reply_code = code,
		};

		snprintf(dm, sizeof dm, "D%07d", i);
		replycode_for(i + 1, code);
		if (chat_slack.direct->post(&nudge, &cc, dm, NULL, &reqs[i],
		    &cause) == -1) {
			fprintf(stderr, "bench_direct: %s\n", cause);
			exit(3);
		}
	}
	bank_free(b);
}

/* chat.postMessage on the fake whose port arg points to. */
static char *
bench_direct_url(int i, void *arg)
{
	(void)i;
	return harness_format("http://127.0.0.1:%d/api/chat.postMessage",
	    *(int *)arg);
}

/* One curl run on a fresh fake, exec to exit; 0 when every answer was 200. */
static int
bench_direct_curl(const char *curl, int n, const struct chat_request *reqs,
    double *secs)
{
	struct slack_fake_opts opts = { .token = BENCH_TOKEN };
	char *dir = harness_tmpdir(), *cfg, *out, *codes, *line, *save;
	struct slack_fake fake;
	char max[16];
	double t0;
	int status, fd, done = 0;
	pid_t pid;

	cfg = harness_format("%s/curl.cfg", dir);
	out = harness_format("%s/codes", dir);
	if (slack_fake_start(&fake, "/dev/null", &opts) != 0)
		exit(3);
	bench_write_curl_config(cfg, n, reqs, bench_direct_url, &fake.port);
	snprintf(max, sizeof max, "%d", BENCH_MAX_IN_FLIGHT);
	t0 = bench_ms();
	if ((pid = fork()) == 0) {
		if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
			_exit(127);
		dup2(fd, 1);
		execlp(curl, curl, "--silent", "--show-error", "--parallel",
		    "--parallel-max", max, "-K", cfg, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	*secs = (bench_ms() - t0) / 1000;
	codes = harness_read(out);
	for (line = strtok_r(codes, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		done += strcmp(line, "200") == 0;
	free(codes);
	slack_fake_stop(&fake);
	harness_rmdir(dir);
	free(out);
	free(cfg);
	free(dir);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && done == n)
		return 0;
	fprintf(stderr, "bench_direct: curl run failed (%d of %d answered 200)\n",
	    done, n);
	return -1;
}

/* Alternate nudged and curl runs, then print the medians against the targets. */
int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	const char *curl = argc > 3 ? argv[3] : "curl";
	const char *env = getenv("NUDGED_PROMPTS");
	double first[BENCH_MAX_RUNS], last[BENCH_MAX_RUNS], cs[BENCH_MAX_RUNS];
	double fmed, lmed, cmed, lo, hi;
	struct bench_direct_run r;
	struct chat_request *reqs;
	char prompts[PATH_MAX], what[64];

	if (n < 1 || runs < 1 || runs > BENCH_MAX_RUNS) {
		fprintf(stderr, "usage: bench_direct [N] [RUNS 1-%d] [CURL]\n",
		    BENCH_MAX_RUNS);
		return 2;
	}
	if (realpath(env != NULL ? env : "prompts", prompts) == NULL) {
		fprintf(stderr, "bench_direct: prompts: %s\n", strerror(errno));
		return 3;
	}
	signal(SIGPIPE, SIG_IGN);
	log_init(0);
	reqs = calloc((size_t)n, sizeof *reqs);
	bench_direct_requests(prompts, n, reqs);
	printf("direct: %d people due at one instant, each in their own DM by "
	    "chat.postMessage on a fake Slack Web API, %d in flight; body %zu "
	    "bytes\n", n, BENCH_MAX_IN_FLIGHT, reqs[0].body_len);
	for (int i = 0; i < runs; i++) {
		if (bench_direct_once(prompts, n, 1, &r) != 0 ||
		    bench_direct_curl(curl, n, reqs, &cs[i]) != 0)
			return 3;
		first[i] = r.first_ms;
		last[i] = r.last_ms;
		printf("direct run %d: enqueued in %.0f ms, first DM sent %.0f ms "
		    "after the instant, all %d in %.2f s; curl --parallel-max %d: "
		    "%.2f s\n", i + 1, r.enqueued_ms, first[i], n, last[i] / 1000,
		    BENCH_MAX_IN_FLIGHT, cs[i]);
	}
	fmed = bench_median(first, runs, &lo, &hi);
	printf("direct nudged: first DM median %.0f ms (%.0f-%.0f) after the "
	    "instant; target %.0f ms: %s\n", fmed, lo, hi, BENCH_FIRST_TARGET_MS,
	    fmed <= BENCH_FIRST_TARGET_MS ? "met" : "NOT met");
	lmed = bench_median(last, runs, &lo, &hi) / 1000;
	cmed = bench_median(cs, runs, &lo, &hi);
	printf("direct nudged: all %d median %.2f s; curl median %.2f s; ratio "
	    "%.2f, target %.2f: %s\n", n, lmed, cmed, lmed / cmed,
	    BENCH_CURL_FACTOR, lmed <= BENCH_CURL_FACTOR * cmed ? "met" :
	    "NOT met");
	snprintf(what, sizeof what, "direct: %d Slack DMs (in-process), all",
	    n);
	bench_table_row(what, "s", lmed, "curl --parallel-max 64", cmed, 0, 0);
	bench_table_row("direct: first DM after the instant", "ms", fmed, NULL,
	    0, 0, 0);
	if (bench_direct_once(prompts, n, 0, &r) != 0)
		return 3;
	printf("direct nudged, no DM known yet (conversations.open first): "
	    "first DM %.0f ms, all %d in %.2f s\n", r.first_ms, n,
	    r.last_ms / 1000);
	for (int i = 0; i < n; i++)
		chat_request_free(&reqs[i]);
	free(reqs);
	return 0;
}
