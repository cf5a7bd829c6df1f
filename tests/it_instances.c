/* SPDX-License-Identifier: ISC */
/*
 * Several instances on one PostgreSQL: three real `nudged serve`, each with
 * its own config, state folder and port, sharing one throw-away cluster and
 * posting to one local sink. Nudges due at one instant (every instance runs
 * the scheduler) are enqueued once and posted exactly once; kill -9 of one
 * instance mid-fan-out loses no nudge and repeats only what was in flight;
 * answers sent to any instance are stored once, the same message sent to
 * several at once too. Integrity is checked by counts and unique keys.
 *
 * NUDGED_INSTANCES_NUDGES (default 1000) and NUDGED_INSTANCES_ROUNDS
 * (default 2) keep it within make check's time (under sanitizers, a round
 * waits for the killed instance's leases); `make instances` runs the
 * issue's 10,000 nudges and 10 rounds. Each test has a schema of its own on the tests' server
 * ($NUDGED_TEST_PG, or a throw-away cluster); without one, every test is
 * skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "harness.h"
#include "pg_cluster.h"
#include "signed.h"
#include "sink.h"
#include "store.h"

#define NINSTANCES	3
#define SLACK_SECRET	"instances-slack-secret"
/* Each instance's cap on requests in flight: the most a kill can repeat. */
#define IN_FLIGHT	8

struct instance {
	char			*config;
	int			 port;
	struct harness_proc	 p;
	int			 running;
};

struct world {
	char			*dir;
	char			*conninfo;	/* this test's own database */
	struct sink		 sink;
	struct instance		 in[NINSTANCES];
};

/* The tests' PostgreSQL server; NULL when none can start. */
static const char *server;

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
env_int(const char *name, int fallback)
{
	const char *v = getenv(name);

	return v != NULL && atoi(v) > 0 ? atoi(v) : fallback;
}

/* The first integer a query returns from the test's database (-1: no row). */
static long long
pg_int(struct world *w, const char *fmt, ...)
{
	char *cause = NULL, *sql;
	struct db *db = db_open_postgresql(w->conninfo, &cause);
	struct db_stmt *s;
	long long v = -1;
	va_list ap;

	if (db == NULL)
		fail_msg("cannot open the test database: %s", cause);
	va_start(ap, fmt);
	if (vasprintf(&sql, fmt, ap) < 0)
		abort();
	va_end(ap);
	if ((s = db_prepare(db, sql)) == NULL)
		fail_msg("%s: %s", sql, db_error(db));
	if (db_step(s) == DB_ROW)
		v = db_int(s, 0);
	db_done(s);
	db_close(db);
	free(sql);
	return v;
}

static int
group_setup(void **state)
{
	(void)state;
	if ((server = pg_cluster_conninfo()) == NULL)
		fprintf(stderr, "it_instances: no PostgreSQL server for the tests "
		    "(neither $NUDGED_TEST_PG nor a throw-away cluster); "
		    "skipping\n");
	return 0;
}

/* A world: a folder, a sink, a fresh database on the cluster. */
static int
world_setup(void **state)
{
	struct world *w;
	char *log;

	if (server == NULL) {
		*state = NULL;
		return 0;
	}
	w = calloc(1, sizeof *w);
	w->dir = harness_tmpdir();
	log = harness_format("%s/sink.log", w->dir);
	if (sink_start(&w->sink, log, 1) != 0)
		return -1;
	free(log);
	if ((w->conninfo = pg_cluster_schema(server)) == NULL)
		return -1;
	*state = w;
	return 0;
}

static int
world_teardown(void **state)
{
	struct world *w = *state;

	if (w == NULL)
		return 0;
	for (int i = 0; i < NINSTANCES; i++) {
		if (w->in[i].running)
			harness_kill(&w->in[i].p);
		free(w->in[i].config);
	}
	sink_stop(&w->sink);
	harness_rmdir(w->dir);
	free(w->dir);
	free(w->conninfo);
	free(w);
	return 0;
}

/* Skip when there is no cluster; the world otherwise. */
static struct world *
world_or_skip(void **state)
{
	if (*state == NULL)
		skip();
	return *state;
}

/*
 * Each instance's config: its own folder and port, the shared database,
 * the channels given (SINK standing for the sink's URL), a Slack channel
 * "leaders" that takes signed answers, the schedules given, and the
 * delivery timeout (a claim's lease is twice that and 5 s).
 */
static void
write_configs(struct world *w, const char *channels, const char *schedules,
    const char *timeout)
{
	char *cwd = getcwd(NULL, 0), *sink = harness_format(
	    "http://127.0.0.1:%d", w->sink.port);
	char *ch = strdup(channels);

	while (strstr(ch, "SINK") != NULL)
		ch = harness_replace(ch, "SINK", sink);

	for (int i = 0; i < NINSTANCES; i++) {
		struct instance *in = &w->in[i];
		char *dir = harness_format("%s/i%d", w->dir, i), *text;

		mkdir(dir, 0700);
		free(in->config);
		in->config = harness_format("%s/nudged.json", dir);
		in->port = harness_free_port();
		text = harness_format("{\"state_dir\": \"state\", \"listen\": "
		    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", "
		    "\"timezone\": \"UTC\", \"store\": {\"postgresql\": \"%s\"}, "
		    "\"channels\": {%s\"leaders\": {\"platform\": \"slack\", "
		    "\"webhook\": \"%s/ok/slack\", \"signing_secret\": \"%s\", "
		    "\"slack_channel_id\": \"C0LEADERS\"}}, \"delivery\": {"
		    "\"timeout\": \"%s\", \"connect_timeout\": \"1s\", "
		    "\"retry_initial\": \"1s\", \"retry_max\": \"2s\", "
		    "\"stop_grace\": \"1s\", \"max_in_flight\": %d}, "
		    "\"schedules\": [%s]}", in->port, cwd, w->conninfo, ch, sink,
		    SLACK_SECRET, timeout, IN_FLIGHT, schedules);
		harness_write(in->config, text);
		free(text);
		free(dir);
	}
	free(ch);
	free(sink);
	free(cwd);
}

/* Start instance i and wait for its start line. */
static void
instance_start(struct world *w, int i)
{
	harness_serve_start(&w->in[i].p, w->in[i].config);
	w->in[i].running = 1;
}

/* Read what every running instance wrote, so none blocks on a full pipe. */
static void
instances_drain(struct world *w)
{
	for (int i = 0; i < NINSTANCES; i++)
		if (w->in[i].running)
			harness_drain(&w->in[i].p);
}

static void
instances_stop(struct world *w)
{
	for (int i = 0; i < NINSTANCES; i++) {
		if (w->in[i].running)
			harness_serve_stop(&w->in[i].p);
		w->in[i].running = 0;
	}
}

/* Wait until a count query returns want, at most ms; the last value. */
static long long
wait_count(struct world *w, long long want, int ms, const char *sql)
{
	long long v = -1;

	for (int waited = 0; waited <= ms; waited += 100) {
		if ((v = pg_int(w, "%s", sql)) == want)
			break;
		instances_drain(w);
		usleep(100000);
	}
	return v;
}

/* The store, opened as an instance opens it. */
static struct store *
store_of(struct world *w)
{
	char *cause = NULL;
	struct db *db = db_open_postgresql(w->conninfo, &cause);
	struct store *st = db != NULL ? store_open_db(db, "the tests' schema",
	    &cause) : NULL;

	if (st == NULL)
		fail_msg("cannot open the shared store: %s", cause);
	return st;
}

/* Add n pending deliveries on a channel, due now, named PREFIX-i. */
static void
seed(struct world *w, const char *channel, const char *prefix, int n)
{
	struct store *st = store_of(w);
	struct store_delivery d = { .channel = channel, .prompt_id =
	    "coaching-001", .state = STORE_PENDING, .cycle = 1, .due_at =
	    (int64_t)time(NULL) };
	char schedule[64];

	assert_int_equal(store_begin(st), 0);
	for (int i = 0; i < n; i++) {
		snprintf(schedule, sizeof schedule, "%s-%d", prefix, i);
		d.schedule = schedule;
		assert_int_equal(store_enqueue(st, &d, NULL), 1);
	}
	assert_int_equal(store_commit(st), 0);
	store_close(st);
}

/*
 * The sink's requests under prefix against the deliveries of channel: each
 * must have come at least once, and nothing else; only ids marked in
 * may_repeat (NULL: none) more than once. The number of repeats.
 */
static int
sink_repeats(struct world *w, const char *prefix, const char *channel,
    const unsigned char *may_repeat)
{
	cJSON *reqs = sink_requests(&w->sink, prefix), *r;
	long long hi = pg_int(w, "SELECT coalesce(max(id), 0) FROM deliveries");
	unsigned char *seen = calloc((size_t)hi + 1, 1);
	char *cause = NULL;
	struct db *db = db_open_postgresql(w->conninfo, &cause);
	struct db_stmt *s;
	int total = 0, distinct = 0, want = 0;

	cJSON_ArrayForEach(r, reqs) {
		cJSON *body = cJSON_Parse(cJSON_GetObjectItem(r,
		    "body")->valuestring);
		long long id = (long long)cJSON_GetObjectItem(body,
		    "delivery_id")->valuedouble;

		cJSON_Delete(body);
		if (id < 1 || id > hi)
			fail_msg("%s: delivery %lld is no delivery", prefix, id);
		total++;
		distinct += !seen[id];
		if (seen[id] && (may_repeat == NULL || !may_repeat[id]))
			fail_msg("%s: delivery %lld came again, though it was "
			    "not in flight at the kill", prefix, id);
		seen[id] = 1;
	}
	cJSON_Delete(reqs);
	assert_non_null(db);
	assert_non_null(s = db_prepare(db, "SELECT id FROM deliveries WHERE "
	    "channel = ?"));
	db_bind_text(s, 1, channel);
	while (db_step(s) == DB_ROW) {
		if (!seen[db_int(s, 0)])
			fail_msg("%s: delivery %lld never reached the sink",
			    prefix, (long long)db_int(s, 0));
		want++;
	}
	db_done(s);
	db_close(db);
	free(seen);
	if (distinct != want)
		fail_msg("%s: %d deliveries reached the sink, %d expected",
		    prefix, distinct, want);
	return total - distinct;
}

/* The ids a query returns, marked in an array indexed by id (up to the highest). */
static unsigned char *
marked_ids(struct world *w, const char *sql)
{
	long long hi = pg_int(w, "SELECT coalesce(max(id), 0) FROM deliveries");
	unsigned char *marked = calloc((size_t)hi + 1, 1);
	char *cause = NULL;
	struct db *db = db_open_postgresql(w->conninfo, &cause);
	struct db_stmt *s;

	assert_non_null(db);
	assert_non_null(s = db_prepare(db, sql));
	while (db_step(s) == DB_ROW)
		if (db_int(s, 0) <= hi)
			marked[db_int(s, 0)] = 1;
	db_done(s);
	db_close(db);
	return marked;
}

/* Every delivery's unique key is unique, and no two replies share a message. */
static void
check_unique_keys(struct world *w)
{
	assert_int_equal(pg_int(w, "SELECT count(*) - count(DISTINCT (schedule, "
	    "person, kind, due_at)) FROM deliveries"), 0);
	assert_int_equal(pg_int(w, "SELECT count(*) - count(DISTINCT (source, "
	    "message_id)) FROM replies WHERE message_id IS NOT NULL"), 0);
}

/*
 * N schedules due at this very minute, seen by three instances starting at
 * once: each enqueues what is due (the same instants), each claims what it
 * can; every nudge is enqueued once and posted exactly once.
 */
static void
test_one_instant_posted_once(void **state)
{
	struct world *w = world_or_skip(state);
	int n = env_int("NUDGED_INSTANCES_NUDGES", 1000);
	int64_t now = (int64_t)time(NULL), minute = now / 60 * 60;
	struct tm tm;
	/* Each entry is under 120 bytes. */
	char *schedules = calloc((size_t)n + 1, 120);
	struct store *st;
	time_t at = (time_t)minute;
	double t0, up, done;

	/* One instant only: this minute of this day of the year. */
	gmtime_r(&at, &tm);
	for (int i = 0, len = 0; i < n; i++)
		len += sprintf(schedules + len, "%s{\"name\": \"s%d\", "
		    "\"cron\": \"%d %d %d %d *\", \"channel\": \"fan\", "
		    "\"themes\": [\"coaching\"]}", i == 0 ? "" : ", ", i,
		    tm.tm_min, tm.tm_hour, tm.tm_mday, tm.tm_mon + 1);
	write_configs(w, "\"fan\": {\"platform\": \"webhook\", \"rate\": 0, "
	    "\"webhook\": \"SINK/ok/fan/\"}, ", schedules, "20s");
	free(schedules);
	/* Each schedule last ran just before the instant: it is due at start. */
	st = store_of(w);
	assert_int_equal(store_begin(st), 0);
	for (int i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof name, "s%d", i);
		assert_int_equal(store_set_last_instant(st, name, minute - 1), 0);
	}
	assert_int_equal(store_commit(st), 0);
	store_close(st);
	t0 = now_ms();
	for (int i = 0; i < NINSTANCES; i++)
		assert_int_equal(harness_spawn(&w->in[i].p, (const char *[]){
		    harness_bin(), "serve", "-c", w->in[i].config, NULL }), 0);
	for (int i = 0; i < NINSTANCES; i++) {
		/* Under sanitizers, each schedule's state is read at start. */
		if (harness_wait_output(&w->in[i].p, "started: config", 20000 +
		    n * 12))
			fail_msg("instance %d did not start:\n%s", i,
			    w->in[i].p.out);
		w->in[i].running = 1;
	}
	up = now_ms();
	if (wait_count(w, n, 240000, "SELECT count(*) FROM deliveries WHERE "
	    "state = 'sent'") != n)
		fail_msg("not all %d sent: %lld", n, pg_int(w, "SELECT count(*) "
		    "FROM deliveries WHERE state = 'sent'"));
	done = now_ms();
	instances_stop(w);
	assert_int_equal(pg_int(w, "SELECT count(*) FROM deliveries"), n);
	assert_int_equal(pg_int(w, "SELECT count(*) FROM deliveries WHERE "
	    "due_at = %lld", (long long)minute), n);
	check_unique_keys(w);
	assert_int_equal(sink_repeats(w, "/ok/fan/", "fan", NULL), 0);
	print_message("%d nudges: 3 instances up in %.1f s, every nudge posted "
	    "once %.1f s later, by %lld of them\n", n, (up - t0) / 1000,
	    (done - up) / 1000, pg_int(w, "SELECT count(DISTINCT claimed_by) "
	    "FROM deliveries"));
}

/*
 * Rounds of a fan-out that one instance is killed in (-9), restarted every
 * other round: its claims run out and the others send them. Every nudge
 * reaches the sink; only those in flight at the kill come twice.
 */
static void
test_kill9_mid_fanout(void **state)
{
	struct world *w = world_or_skip(state);
	int rounds = env_int("NUDGED_INSTANCES_ROUNDS", 2), per = 200;
	char *channels = strdup(""), *next, *sql, prefix[32], path[32];

	for (int r = 0; r < rounds; r++) {
		next = harness_format("%s\"r%02d\": {\"platform\": \"webhook\", "
		    "\"rate\": 0, \"webhook\": \"SINK/slow/30/r%02d/\"}, ",
		    channels, r, r);
		free(channels);
		channels = next;
	}
	write_configs(w, channels, "", "2s");
	free(channels);
	/* The schema exists before the instances start. */
	store_close(store_of(w));
	for (int i = 0; i < NINSTANCES; i++)
		instance_start(w, i);
	for (int r = 0; r < rounds; r++) {
		struct instance *victim = &w->in[r % NINSTANCES];
		unsigned char *inflight;
		int repeats;

		for (int i = 0; i < NINSTANCES; i++)
			if (!w->in[i].running)
				instance_start(w, i);
		snprintf(prefix, sizeof prefix, "r%02d", r);
		snprintf(path, sizeof path, "/slow/30/r%02d/", r);
		/* Enqueued from outside: the instances find them by polling. */
		seed(w, prefix, prefix, per);
		while (sink_count(&w->sink, path) < per / 4) {
			instances_drain(w);
			usleep(20000);
		}
		kill(victim->p.pid, SIGKILL);
		assert_int_equal(harness_wait_exit(&victim->p, 5000),
		    128 + SIGKILL);
		harness_kill(&victim->p);
		victim->running = 0;
		inflight = marked_ids(w, "SELECT id FROM deliveries WHERE state = "
		    "'sending'");
		if (r % 2 == 1)
			instance_start(w, r % NINSTANCES);
		sql = harness_format("SELECT count(*) FROM deliveries WHERE "
		    "state = 'sent' AND channel = '%s'", prefix);
		assert_int_equal(wait_count(w, per, 60000, sql), per);
		free(sql);
		repeats = sink_repeats(w, path, prefix, inflight);
		free(inflight);
		print_message("round %d: %d repeated of %d\n", r, repeats, per);
		assert_true(repeats <= IN_FLIGHT);
	}
	instances_stop(w);
	check_unique_keys(w);
}

/* POST a signed slash command to instance i; the status. */
static int
answer(struct world *w, int i, const char *code, const char *trigger,
    const char *words)
{
	char *body = harness_format("token=x&team_id=T1&channel_id=C0LEADERS&"
	    "channel_name=leaders&user_id=U5&user_name=eve&command=%%2Freflect&"
	    "text=%s+%s&response_url=https%%3A%%2F%%2Fhooks.example.test%%2Fx&"
	    "trigger_id=%s", code, words, trigger), *out;
	int status = signed_slack_post(w->in[i].port, SLACK_SECRET,
	    (int64_t)time(NULL), "/slack/commands",
	    "application/x-www-form-urlencoded", body, &out);

	free(out);
	free(body);
	return status;
}

/*
 * Answers spread over the three instances are each stored once; the same
 * message sent to all three at the same moment is stored once, and every
 * instance says so with a 200.
 */
static void
test_answers_on_any_instance(void **state)
{
	struct world *w = world_or_skip(state);
	int n = 60, status[NINSTANCES];
	char code[8] = "", trigger[32];
	struct db *db;
	struct db_stmt *s;
	char *cause = NULL;
	pid_t kids[NINSTANCES];

	write_configs(w, "", "", "5s");
	seed(w, "leaders", "asked", 3);
	for (int i = 0; i < NINSTANCES; i++)
		instance_start(w, i);
	assert_int_equal(wait_count(w, 3, 20000, "SELECT count(*) FROM "
	    "deliveries WHERE state = 'sent'"), 3);
	assert_non_null(db = db_open_postgresql(w->conninfo, &cause));
	assert_non_null(s = db_prepare(db, "SELECT reply_code FROM deliveries "
	    "ORDER BY id LIMIT 1"));
	assert_int_equal(db_step(s), DB_ROW);
	snprintf(code, sizeof code, "%s", db_text(s, 0));
	db_done(s);
	db_close(db);
	for (int k = 0; k < n; k++) {
		snprintf(trigger, sizeof trigger, "trig-%d", k);
		assert_int_equal(answer(w, k % NINSTANCES, code, trigger,
		    "We+listened+first"), 200);
	}
	/* One message, three instances, at once. */
	for (int i = 0; i < NINSTANCES; i++) {
		if ((kids[i] = fork()) == 0)
			_exit(answer(w, i, code, "trig-same", "Said+once") == 200 ?
			    0 : 1);
	}
	for (int i = 0; i < NINSTANCES; i++) {
		assert_int_equal(waitpid(kids[i], &status[i], 0), kids[i]);
		assert_true(WIFEXITED(status[i]) && WEXITSTATUS(status[i]) == 0);
	}
	instances_stop(w);
	assert_int_equal(pg_int(w, "SELECT count(*) FROM replies"), n + 1);
	assert_int_equal(pg_int(w, "SELECT count(*) FROM replies WHERE "
	    "message_id = 'trig-same'"), 1);
	check_unique_keys(w);
}

/* How often a process went to sleep waiting, from /proc. */
static long
sleeps(pid_t pid)
{
	char *path = harness_format("/proc/%d/status", (int)pid), *text, *at;
	long n = -1;

	text = harness_read(path);
	if (text != NULL && (at = strstr(text, "voluntary_ctxt_switches:")) !=
	    NULL)
		n = atol(at + strlen("voluntary_ctxt_switches:"));
	free(text);
	free(path);
	return n;
}

/* The wake-ups of an idle `nudged serve` (store: "" or a "store" key) in 4 s. */
static long
idle_wakeups(const char *store)
{
	char *dir = harness_tmpdir(), *config = harness_format(
	    "%s/nudged.json", dir), *cwd = getcwd(NULL, 0), *text;
	struct harness_proc p;
	long before;

	text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", %s\"channels\": "
	    "{\"a\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"http://127.0.0.1:9/x\"}}, \"schedules\": []}", harness_free_port(),
	    cwd, store);
	harness_write(config, text);
	harness_serve_start(&p, config);
	sleep(1);
	before = sleeps(p.pid);
	sleep(4);
	before = sleeps(p.pid) - before;
	harness_serve_stop(&p);
	harness_rmdir(dir);
	free(text);
	free(cwd);
	free(config);
	free(dir);
	return before;
}

/*
 * An idle instance on SQLite never wakes (it enqueues all there is, and
 * nobody else does); on PostgreSQL it looks every 2 s for work others left.
 */
static void
test_only_a_shared_store_polls(void **state)
{
	long sqlite, shared;
	char *store, *schema;

	(void)state;
	sqlite = idle_wakeups("");
	print_message("idle on SQLite: %ld wake-ups in 4 s\n", sqlite);
	assert_true(sqlite <= 1);
	if (server == NULL)
		skip();
	assert_non_null(schema = pg_cluster_schema(server));
	store = harness_format("\"store\": {\"postgresql\": \"%s\"}, ",
	    schema);
	shared = idle_wakeups(store);
	free(store);
	free(schema);
	print_message("idle on PostgreSQL: %ld wake-ups in 4 s\n", shared);
	assert_true(shared >= 2);
}

/* An SQLite store with deliveries (a gap in their ids), answers and a schedule's state. */
static void
sqlite_store(const char *state)
{
	char *cause = NULL;
	struct store *st = store_open(state, &cause);
	struct store_delivery d = { .channel = "leaders", .prompt_id =
	    "coaching-001", .state = STORE_PENDING, .cycle = 1 };
	struct store_reply r = { .channel = "leaders", .user_id = "U5",
	    .user_name = "eve", .text = "We listened first", .received_at =
	    1774746600, .source = "api" };
	char name[32], mid[32];
	int64_t id;

	if (st == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_begin(st), 0);
	for (int i = 0; i < 12; i++) {
		snprintf(name, sizeof name, "copied-%d", i);
		d.schedule = name;
		d.due_at = 1774742400 + i * 86400;
		assert_int_equal(store_enqueue(st, &d, &id), 1);
		assert_int_equal(store_mark_sent(st, id, d.due_at + 1), 0);
		snprintf(mid, sizeof mid, "m%d", i);
		r.delivery_id = id;
		r.message_id = mid;
		if (i % 3 == 0)
			assert_int_equal(store_add_reply(st, &r, NULL), 1);
		assert_int_equal(store_set_last_instant(st, name, d.due_at), 0);
	}
	assert_int_equal(store_commit(st), 0);
	store_close(st);
	harness_db_int(state, "DELETE FROM deliveries WHERE schedule = "
	    "'copied-5'");
}

/*
 * `nudged store copy --from STATE_DIR` fills an empty PostgreSQL store with
 * every row, ids kept; the next id comes after them; a second copy into
 * the now full store is refused and changes nothing.
 */
static void
test_store_copy(void **state)
{
	struct world *w = world_or_skip(state);
	char *from = harness_format("%s/sqlite", w->dir), *out;
	struct store *st;
	struct store_delivery d = { .schedule = "after-copy", .channel =
	    "leaders", .state = STORE_PENDING, .due_at = 1800000000 };
	int64_t id = 0;

	sqlite_store(from);
	write_configs(w, "", "", "5s");
	assert_int_equal(harness_run((const char *[]){ harness_bin(), "store",
	    "copy", "--from", from, "-c", w->in[0].config, NULL }, &out), 0);
	assert_non_null(strstr(out, "copied"));
	free(out);
	assert_int_equal(pg_int(w, "SELECT count(*) FROM deliveries"), 11);
	assert_int_equal(pg_int(w, "SELECT max(id) FROM deliveries"), 12);
	assert_int_equal(pg_int(w, "SELECT count(*) FROM deliveries WHERE id = "
	    "6"), 0);
	assert_int_equal(pg_int(w, "SELECT count(*) FROM replies"), 4);
	assert_int_equal(pg_int(w, "SELECT count(*) FROM schedule_state"), 12);
	assert_int_equal(pg_int(w, "SELECT count(*) FROM deliveries d JOIN "
	    "replies r ON r.delivery_id = d.id WHERE d.schedule = 'copied-9' "
	    "AND r.message_id = 'm9'"), 1);
	assert_int_equal(pg_int(w, "SELECT count(*) FROM deliveries WHERE "
	    "reply_code IS NULL"), 0);
	check_unique_keys(w);
	/* The next delivery's id follows the copied ones. */
	st = store_of(w);
	assert_int_equal(store_enqueue(st, &d, &id), 1);
	store_close(st);
	assert_int_equal(id, 13);
	assert_int_equal(harness_run((const char *[]){ harness_bin(), "store",
	    "copy", "--from", from, "-c", w->in[0].config, NULL }, &out), 1);
	assert_non_null(strstr(out, "not empty"));
	free(out);
	assert_int_equal(pg_int(w, "SELECT count(*) FROM deliveries"), 12);
	free(from);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_one_instant_posted_once,
		    world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_kill9_mid_fanout,
		    world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_answers_on_any_instance,
		    world_setup, world_teardown),
		cmocka_unit_test_setup_teardown(test_store_copy, world_setup,
		    world_teardown),
		cmocka_unit_test(test_only_a_shared_store_polls),
	};

	/* One test alone while working on it: NUDGED_TEST_FILTER=test_store_copy. */
	if (getenv("NUDGED_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("NUDGED_TEST_FILTER"));
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
