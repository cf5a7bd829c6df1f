/* SPDX-License-Identifier: ISC */
/*
 * Direct fan-out: N people (default 10,000) due at one instant, each nudged
 * in their own DM, against a fake of the platform's API (recording off), 64
 * requests in flight: Slack's chat.postMessage (tests/support/slack_fake.c),
 * Discord's Create Message (discord_fake.c) or Mattermost's Create post
 * (mattermost_fake.c). The
 * people's DMs are known (kept from earlier nudges, as on every day but the
 * first), so each nudge is one call. The outbox worker runs in this process
 * on the system clock; at the instant (the next whole second) the rows are
 * enqueued in one transaction and the worker told, as the scheduler does,
 * and a read-only SQLite connection polls every millisecond: the time to
 * the first committed `sent` row (its post has left and been answered) and
 * to the last, both from the instant, enqueueing included.
 *
 * In the same run, `curl --parallel --parallel-max 64` posts the same
 * bodies with the same headers to the same URLs of the same kind of fake,
 * from exec to exit. Runs alternate (nudged, curl, ...), R times each
 * (default 3), each with a fresh fake and state folder. Last, one run where
 * no DM is known yet (each person's first nudge: conversations.open, then
 * the post) is shown for information.
 *
 * Discord allows a bot 50 requests a second (discord.com/developers/docs/
 * topics/rate-limits) and nudged makes at most 25 deliveries a second
 * there (two calls each at most), so its run cannot be faster than N/25 s
 * whatever curl does; that floor is printed next to it.
 *
 *   build/release/bench/bench_direct [N] [R] [CURL] [slack|discord|mattermost]
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
#include "discord_fake.h"
#include "mattermost_fake.h"
#include "slack_fake.h"
#include "store.h"

#define BENCH_TOKEN		"xoxb-bench-direct"
#define BENCH_BOT_ID		"bbbbbbbbbbbbbbbbbbbbbbbbbb"
#define BENCH_MAX_IN_FLIGHT	64
#define BENCH_DEADLINE_MS	120000
#define BENCH_MAX_RUNS		15
#define BENCH_FIRST_TARGET_MS	100.0
#define BENCH_CURL_FACTOR	1.25

/* A platform's fake, its channel and its people. */
struct bench_direct_kind {
	const char	*name;
	const char	*title;
	const char	*call;		/* the post's name, for the output */
	const char	*id;		/* a person's id: this, then i */
	int		 id_width;	/* zero-padded to this many digits */
	const char	*dm;		/* their DM's id: this, then i */
	int		 dm_width;
	/* Channel "a": the text around the bot's token and the fake's port. */
	const char	*before_token;
	const char	*before_port;
	const char	*after_port;
	/* The post's path: before the DM's id, and after it (NULL: no id). */
	const char	*path;
	const char	*path_after_dm;
	const char	*ok;		/* the post's HTTP status */
};

/* The fake of either kind: Slack's own, or the generic API fake. */
struct bench_direct_fake {
	const struct bench_direct_kind *kind;
	struct slack_fake slack;
	struct api_fake	 api;
	int		 port;
};

/* The platforms benched. */
static const struct bench_direct_kind bench_direct_kinds[] = {
	{ "slack", "Slack", "chat.postMessage", "U", 7, "D", 7,
	    "{\"platform\": \"slack\", \"bot_token\": \"",
	    "\", \"api_url\": \"http://127.0.0.1:", "/api/\"}",
	    "/api/chat.postMessage", NULL, "200" },
	{ "discord", "Discord", "Create Message", "3", 16, "8", 16,
	    "{\"platform\": \"discord\", \"bot_token\": \"",
	    "\", \"public_key\": \"d75a980182b10ab7d54bfed3c964073a0ee172f3"
	    "daa62325af021a68f707511a\", \"api_url\": \"http://127.0.0.1:",
	    "/api/v10\"}", "/api/v10/channels/", "/messages", "200" },
	{ "mattermost", "Mattermost", "Create post", "u", 25, "dm", 24,
	    "{\"platform\": \"mattermost\", \"token\": "
	    "\"slashslashslashslashslash\", \"bot_token\": \"",
	    "\", \"bot_user_id\": \"" BENCH_BOT_ID "\", \"server_url\": "
	    "\"http://127.0.0.1:", "\", \"callback_url\": "
	    "\"https://nudged.example.test\"}", "/api/v4/posts", NULL, "201" },
};

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

static void	 bench_direct_fake_start(struct bench_direct_fake *,
		    const struct bench_direct_kind *);
static void	 bench_direct_fake_stop(struct bench_direct_fake *);
static void	 bench_direct_config(const char *, int, int, const char *,
		    const struct bench_direct_kind *);
static void	 bench_direct_dms(struct store *, int,
		    const struct bench_direct_kind *);
static void	 bench_direct_instant_cb(evutil_socket_t, short, void *);
static int	 bench_direct_exists(sqlite3_stmt *);
static void	 bench_direct_poll_cb(evutil_socket_t, short, void *);
static int	 bench_direct_once(const char *, int, int,
		    const struct bench_direct_kind *, struct bench_direct_run *);
static void	 bench_direct_requests(const char *, int,
		    const struct bench_direct_kind *, struct chat_request *);
static char	*bench_direct_url(int, void *);
static int	 bench_direct_curl(const char *, int, const struct chat_request *,
		    const struct bench_direct_kind *, double *);
static const struct bench_direct_kind *bench_direct_kind(const char *);

/* Start the platform's fake; exit 3 when it does not start. */
static void
bench_direct_fake_start(struct bench_direct_fake *f,
    const struct bench_direct_kind *k)
{
	struct slack_fake_opts so = { .token = BENCH_TOKEN };
	struct discord_fake_opts dopts = { .token = BENCH_TOKEN };
	struct mattermost_fake_opts mo = { .token = BENCH_TOKEN,
	    .bot_id = BENCH_BOT_ID };
	int rc;

	memset(f, 0, sizeof *f);
	f->kind = k;
	if (strcmp(k->name, "slack") == 0)
		rc = slack_fake_start(&f->slack, "/dev/null", &so);
	else if (strcmp(k->name, "discord") == 0)
		rc = discord_fake_start(&f->api, "/dev/null", &dopts);
	else
		rc = mattermost_fake_start(&f->api, "/dev/null", &mo);
	if (rc != 0)
		exit(3);
	f->port = strcmp(k->name, "slack") == 0 ? f->slack.port : f->api.port;
}

/* Stop the fake by its PID. */
static void
bench_direct_fake_stop(struct bench_direct_fake *f)
{
	if (strcmp(f->kind->name, "slack") == 0)
		slack_fake_stop(&f->slack);
	else
		api_fake_stop(&f->api);
}

/* The config: n people p0.. in group "all", one channel that sends DMs. */
static void
bench_direct_config(const char *path, int n, int port, const char *prompts,
    const struct bench_direct_kind *k)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		exit(3);
	fprintf(f, "{\"state_dir\": \"state\", \"prompts\": \"%s\",\n"
	    "\"delivery\": {\"max_in_flight\": %d},\n\"people\": {\n", prompts,
	    BENCH_MAX_IN_FLIGHT);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\"p%d\": {\"%s\": \"%s%0*d\"}\n", i ? "," : "",
		    i, k->name, k->id, k->id_width, i);
	fprintf(f, "},\n\"groups\": {\"all\": [");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s\"p%d\"", i ? ", " : "", i);
	fprintf(f, "]},\n\"channels\": {\"a\": %s%s%s%d%s", k->before_token,
	    BENCH_TOKEN, k->before_port, port, k->after_port);
	fprintf(f, "},\n\"schedules\": [{\"name\": \"s\", \"cron\": "
	    "\"0 0 1 1 *\", \"channel\": \"a\", \"to\": [\"group:all\"]}]}\n");
	if (fclose(f) != 0)
		exit(3);
}

/* Every person's DM, as kept from their earlier nudges. */
static void
bench_direct_dms(struct store *st, int n, const struct bench_direct_kind *k)
{
	char person[32], dm[32];

	if (store_begin(st) == -1)
		exit(3);
	for (int i = 0; i < n; i++) {
		snprintf(person, sizeof person, "p%d", i);
		snprintf(dm, sizeof dm, "%s%0*d", k->dm, k->dm_width, i);
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
    const struct bench_direct_kind *k, struct bench_direct_run *r)
{
	struct timeval every = { 0, 1000 }, until;
	char *dir = harness_tmpdir(), *config, *state, *dbpath, *cause = NULL;
	struct bench_direct_fake fake;
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
	bench_direct_fake_start(&fake, k);
	bench_direct_config(config, n, fake.port, prompts, k);
	if ((cfg = config_load(config, &cause)) == NULL ||
	    (bank = bank_load_for(cfg, &cause)) == NULL ||
	    (r->st = store_open(state, &cause)) == NULL) {
		fprintf(stderr, "bench_direct: %s\n", cause);
		exit(3);
	}
	if (dms)
		bench_direct_dms(r->st, n, k);
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
	bench_direct_fake_stop(&fake);
	harness_rmdir(dir);
	free(dbpath);
	free(state);
	free(config);
	free(dir);
	return ok;
}

/*
 * The posts nudged makes for the seeded rows (ids 1..n), by the channel of
 * the same config (its fake's port aside).
 */
static void
bench_direct_requests(const char *prompts, int n,
    const struct bench_direct_kind *k, struct chat_request *reqs)
{
	char *dir = harness_tmpdir(), *path, *cause = NULL;
	char code[REPLYCODE_LEN + 1], dm[32], person[32];
	const struct bank_prompt *p;
	const struct config_channel *cc;
	struct config *cfg;
	struct bank *b;

	path = harness_format("%s/nudged.json", dir);
	bench_direct_config(path, 1, 9, prompts, k);
	if ((cfg = config_load(path, &cause)) == NULL ||
	    (b = bank_load(prompts, &cause)) == NULL ||
	    (p = bank_find(b, "coaching-001")) == NULL) {
		fprintf(stderr, "bench_direct: %s\n", cause ? cause :
		    "no prompt coaching-001");
		exit(3);
	}
	cc = &cfg->channels[0];
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
			.person = person,
			/* The size of the HMAC-SHA256 nudged writes there. */
			.proof = "0123456789abcdef0123456789abcdef"
			    "0123456789abcdef0123456789abcdef",
		};

		snprintf(person, sizeof person, "p%d", i);
		snprintf(dm, sizeof dm, "%s%0*d", k->dm, k->dm_width, i);
		replycode_for(i + 1, code);
		if (cc->platform->direct->post(&nudge, cc, dm, NULL, &reqs[i],
		    &cause) == -1) {
			fprintf(stderr, "bench_direct: %s\n", cause);
			exit(3);
		}
	}
	bank_free(b);
	config_free(cfg);
	harness_rmdir(dir);
	free(path);
	free(dir);
}

/* The post of person i on the fake arg points to. */
static char *
bench_direct_url(int i, void *arg)
{
	const struct bench_direct_fake *f = arg;
	char dm[32];

	snprintf(dm, sizeof dm, "%s%0*d", f->kind->dm, f->kind->dm_width, i);
	return harness_format("http://127.0.0.1:%d%s%s%s", f->port,
	    f->kind->path, f->kind->path_after_dm != NULL ? dm : "",
	    f->kind->path_after_dm != NULL ? f->kind->path_after_dm : "");
}

/* One curl run on a fresh fake, exec to exit; 0 when every post was taken. */
static int
bench_direct_curl(const char *curl, int n, const struct chat_request *reqs,
    const struct bench_direct_kind *k, double *secs)
{
	char *dir = harness_tmpdir(), *cfg, *out, *codes, *line, *save;
	struct bench_direct_fake fake;
	char max[16];
	double t0;
	int status, fd, done = 0;
	pid_t pid;

	cfg = harness_format("%s/curl.cfg", dir);
	out = harness_format("%s/codes", dir);
	bench_direct_fake_start(&fake, k);
	bench_write_curl_config(cfg, n, reqs, bench_direct_url, &fake);
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
		done += strcmp(line, k->ok) == 0;
	free(codes);
	bench_direct_fake_stop(&fake);
	harness_rmdir(dir);
	free(out);
	free(cfg);
	free(dir);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && done == n)
		return 0;
	fprintf(stderr, "bench_direct: curl run failed (%d of %d answered %s)\n",
	    done, n, k->ok);
	return -1;
}

/* The platform named, or NULL. */
static const struct bench_direct_kind *
bench_direct_kind(const char *name)
{
	for (size_t i = 0; i < sizeof bench_direct_kinds /
	    sizeof bench_direct_kinds[0]; i++)
		if (strcmp(bench_direct_kinds[i].name, name) == 0)
			return &bench_direct_kinds[i];
	return NULL;
}

/* Alternate nudged and curl runs, then print the medians against the targets. */
int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10000;
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	const char *curl = argc > 3 ? argv[3] : "curl";
	const char *env = getenv("NUDGED_PROMPTS");
	const struct bench_direct_kind *k = bench_direct_kind(argc > 4 ?
	    argv[4] : "slack");
	double first[BENCH_MAX_RUNS], last[BENCH_MAX_RUNS], cs[BENCH_MAX_RUNS];
	double fmed, lmed, cmed, lo, hi;
	struct bench_direct_run r;
	struct chat_request *reqs;
	char prompts[PATH_MAX], what[80];
	double floor_s;

	if (n < 1 || runs < 1 || runs > BENCH_MAX_RUNS || k == NULL) {
		fprintf(stderr, "usage: bench_direct [N] [RUNS 1-%d] [CURL] "
		    "[slack|discord|mattermost]\n", BENCH_MAX_RUNS);
		return 2;
	}
	if (realpath(env != NULL ? env : "prompts", prompts) == NULL) {
		fprintf(stderr, "bench_direct: prompts: %s\n", strerror(errno));
		return 3;
	}
	signal(SIGPIPE, SIG_IGN);
	log_init(0);
	reqs = calloc((size_t)n, sizeof *reqs);
	bench_direct_requests(prompts, n, k, reqs);
	printf("direct: %d people due at one instant, each in their own DM by "
	    "%s on a fake %s API, %d in flight; body %zu bytes\n", n, k->call,
	    k->title, BENCH_MAX_IN_FLIGHT, reqs[0].body_len);
	for (int i = 0; i < runs; i++) {
		if (bench_direct_once(prompts, n, 1, k, &r) != 0 ||
		    bench_direct_curl(curl, n, reqs, k, &cs[i]) != 0)
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
	floor_s = k->name[0] == 'd' ? (double)n / 25 : 0;
	if (floor_s > 0)
		printf("direct nudged: %s's cap of 25 deliveries a second "
		    "allows all %d in %.2f s at best; nudged took %.2f times "
		    "that\n", k->title, n, floor_s, lmed / floor_s);
	snprintf(what, sizeof what, "direct: %d %s DMs (in-process), all", n,
	    k->title);
	bench_table_row(what, "s", lmed, "curl --parallel-max 64", cmed, 0, 0);
	snprintf(what, sizeof what, "direct: first %s DM after the instant",
	    k->title);
	bench_table_row(what, "ms", fmed, NULL, 0, 0, 0);
	if (bench_direct_once(prompts, n, 0, k, &r) != 0)
		return 3;
	printf("direct nudged, no DM known yet (the DM opened first): "
	    "first DM %.0f ms, all %d in %.2f s\n", r.first_ms, n,
	    r.last_ms / 1000);
	for (int i = 0; i < n; i++)
		chat_request_free(&reqs[i]);
	free(reqs);
	return 0;
}
