/* SPDX-License-Identifier: ISC */
/*
 * Several instances: the same fan-out and the same answers with 1, 2 and 3
 * instances sharing one PostgreSQL ($NUDGED_TEST_PG, or a throw-away
 * cluster on this machine: tests/support/pg_cluster.c), next to one
 * instance on SQLite, in one run. Commits reach the disk on both: the
 * throw-away cluster is switched to fsync and synchronous_commit on.
 *
 * Fan-out: the instances start (each its own config, state folder and port,
 * max_in_flight 64, rate limits off), then N nudges (default 10,000) due now
 * are enqueued in one transaction from outside, as an API caller or another
 * instance would; the time counted runs from that commit until every row is
 * `sent` (a count polled every 20 ms). The instances find the rows by their
 * poll (PostgreSQL) or at once (SQLite, where the bench's commit is seen
 * through the daemon's own kick at start: it is started after the seed).
 *
 * Answers: A answers (default 10,000) to POST /api/v1/replies, each with its
 * own message id and the reply code of one of 200 nudges sent, from C
 * client processes (default 32), each on one keep-alive connection to one
 * instance (client i to instance i mod K); answers per second from the
 * first request to the last answer, and every answer must be stored once.
 *
 *   build/release/bench/bench_instances [NUDGED] [N] [A] [C]
 *
 * Each answer is committed before its 200, and an instance commits the
 * answers of one loop turn together, so C sets how many share a commit.
 *
 * The prompt bank is ./prompts (or $NUDGED_PROMPTS). Everything stays on
 * 127.0.0.1; the sink, the clients, PostgreSQL and the instances share the
 * machine's cores, so more instances on one machine show the cost of
 * sharing, not the gain of more machines.
 */
#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_support.h"
#include "db.h"
#include "harness.h"
#include "pg_cluster.h"
#include "sink.h"
#include "store.h"

#define BENCH_MAX_INSTANCES	3
#define BENCH_POLL_MS		20
#define BENCH_DEADLINE_MS	300000
#define BENCH_TOKEN		"bench-token"
/* Nudges the answers quote, spread over them. */
#define BENCH_CODES		200

/* One line of the table: how many instances on which store. */
struct bench_setup {
	const char	*name;
	int		 instances;
	int		 postgresql;
};

struct bench_world {
	const char		*nudged;
	char			*dir;
	char			*conninfo;	/* NULL: SQLite */
	struct sink		 sink;
	int			 k;
	int			 port[BENCH_MAX_INSTANCES];
	struct harness_proc	 p[BENCH_MAX_INSTANCES];
};

static void	 bench_configs(struct bench_world *);
static struct store *bench_store(struct bench_world *);
static long long bench_count(struct bench_world *, const char *);
static void	 bench_seed(struct bench_world *, int);
static int	 bench_start(struct bench_world *);
static void	 bench_stop(struct bench_world *);
static double	 bench_fanout(struct bench_world *, int);
static void	 bench_analyze(struct bench_world *);
static int	 bench_client(int, int, int, int, char **);
static char	**bench_codes(struct bench_world *);
static double	 bench_answers(struct bench_world *, int, int);
static int	 bench_durable(const char *);

/* Each instance's config: its own folder and port, the shared store. */
static void
bench_configs(struct bench_world *w)
{
	const char *prompts = getenv("NUDGED_PROMPTS");
	char *cwd = getcwd(NULL, 0), *store;

	store = w->conninfo != NULL ? harness_format("\"store\": "
	    "{\"postgresql\": \"%s\"}, ", w->conninfo) : strdup("");
	for (int i = 0; i < w->k; i++) {
		char *dir = harness_format("%s/i%d", w->dir, i), *path, *text;

		mkdir(dir, 0700);
		w->port[i] = harness_free_port();
		path = harness_format("%s/nudged.json", dir);
		/* SQLite: one instance, its state folder is the store. */
		text = harness_format("{\"state_dir\": \"%s\", \"listen\": "
		    "\"127.0.0.1:%d\", \"prompts\": \"%s\", %s\"channels\": "
		    "{\"fan\": {\"platform\": \"webhook\", \"rate\": 0, \"webhook\": "
		    "\"http://127.0.0.1:%d/ok/fan\", \"api_token\": \"%s\"}}, "
		    "\"delivery\": {\"max_in_flight\": 64}, \"schedules\": []}",
		    w->conninfo != NULL ? "state" : "../state", w->port[i],
		    prompts != NULL ? prompts : harness_format("%s/prompts", cwd),
		    store, w->sink.port, BENCH_TOKEN);
		harness_write(path, text);
		free(text);
		free(path);
		free(dir);
	}
	free(store);
	free(cwd);
}

/* The store the instances share, opened as they open it. */
static struct store *
bench_store(struct bench_world *w)
{
	char *cause = NULL, *state = harness_format("%s/state", w->dir);
	struct store *st = NULL;
	struct db *db;

	mkdir(state, 0700);
	if (w->conninfo == NULL)
		st = store_open(state, &cause);
	else if ((db = db_open_postgresql(w->conninfo, &cause)) != NULL)
		st = store_open_db(db, "the bench's schema", &cause);
	if (st == NULL) {
		fprintf(stderr, "bench_instances: %s\n", cause);
		exit(1);
	}
	free(state);
	return st;
}

/* The first integer of a query on the shared store. */
static long long
bench_count(struct bench_world *w, const char *sql)
{
	char *cause = NULL, *path = harness_format("%s/state/%s", w->dir,
	    STORE_FILE);
	struct db *db = w->conninfo != NULL ? db_open_postgresql(w->conninfo,
	    &cause) : db_open_sqlite(path, 1, &cause);
	struct db_stmt *s;
	long long v = -1;

	free(path);
	if (db == NULL) {
		free(cause);
		return -1;
	}
	if ((s = db_prepare(db, sql)) != NULL && db_step(s) == DB_ROW)
		v = db_int(s, 0);
	db_done(s);
	db_close(db);
	return v;
}

/* n deliveries due now on channel fan, in one transaction. */
static void
bench_seed(struct bench_world *w, int n)
{
	struct store *st = bench_store(w);
	struct store_delivery d = { .channel = "fan", .prompt_id =
	    "coaching-001", .state = STORE_PENDING, .cycle = 1, .due_at =
	    (int64_t)time(NULL) };
	char schedule[32];

	store_begin(st);
	for (int i = 0; i < n; i++) {
		snprintf(schedule, sizeof schedule, "b%d", i);
		d.schedule = schedule;
		store_enqueue(st, &d, NULL);
	}
	if (store_commit(st) == -1) {
		fprintf(stderr, "bench_instances: cannot seed\n");
		exit(1);
	}
	store_close(st);
}

/* Start the instances; 0 when every one printed its start line. */
static int
bench_start(struct bench_world *w)
{
	for (int i = 0; i < w->k; i++) {
		char *config = harness_format("%s/i%d/nudged.json", w->dir, i);

		if (harness_spawn(&w->p[i], (const char *[]){ w->nudged, "serve",
		    "-c", config, NULL }) != 0)
			return -1;
		free(config);
	}
	for (int i = 0; i < w->k; i++) {
		if (harness_wait_output(&w->p[i], "started: config", 20000)) {
			fprintf(stderr, "instance %d did not start:\n%s\n", i,
			    w->p[i].out);
			return -1;
		}
	}
	return 0;
}

static void
bench_stop(struct bench_world *w)
{
	for (int i = 0; i < w->k; i++) {
		kill(w->p[i].pid, SIGTERM);
		harness_wait_exit(&w->p[i], 20000);
		harness_kill(&w->p[i]);
	}
}

/*
 * Seconds from the seed's commit to every row sent; -1 past the deadline.
 * SQLite's single instance starts after the seed (no poll to find it).
 */
static double
bench_fanout(struct bench_world *w, int n)
{
	double t0;

	if (w->conninfo == NULL) {
		t0 = bench_ms();
		bench_seed(w, n);
		if (bench_start(w) != 0)
			return -1;
	} else {
		if (bench_start(w) != 0)
			return -1;
		t0 = bench_ms();
		bench_seed(w, n);
	}
	while (bench_count(w, "SELECT count(*) FROM deliveries WHERE state = "
	    "'sent'") < n) {
		for (int i = 0; i < w->k; i++)
			harness_drain(&w->p[i]);
		if (bench_ms() - t0 > BENCH_DEADLINE_MS)
			return -1;
		usleep(BENCH_POLL_MS * 1000);
	}
	return (bench_ms() - t0) / 1000;
}

/*
 * PostgreSQL's statistics as autovacuum leaves them within a minute of the
 * fan-out. Right after it they still say no nudge is sent, and the planner
 * finds an answer's nudge through deliveries_by_state, reading every sent
 * one (docs/scaling.md); the bench measures the steady state.
 */
static void
bench_analyze(struct bench_world *w)
{
	char *cause = NULL;
	struct db *db;

	if (w->conninfo == NULL)
		return;
	if ((db = db_open_postgresql(w->conninfo, &cause)) == NULL ||
	    db_exec(db, "ANALYZE deliveries") == -1) {
		fprintf(stderr, "bench_instances: ANALYZE: %s\n", db != NULL ?
		    db_error(db) : cause);
		exit(1);
	}
	db_close(db);
}

/* BENCH_CODES reply codes of sent nudges, as people quote them. */
static char **
bench_codes(struct bench_world *w)
{
	char *cause = NULL, *path = harness_format("%s/state/%s", w->dir,
	    STORE_FILE);
	struct db *db = w->conninfo != NULL ? db_open_postgresql(w->conninfo,
	    &cause) : db_open_sqlite(path, 1, &cause);
	char **codes = calloc(BENCH_CODES, sizeof *codes);
	struct db_stmt *s = db != NULL ? db_prepare(db, "SELECT reply_code "
	    "FROM deliveries ORDER BY id LIMIT ?") : NULL;
	int n = 0;

	if (s != NULL)
		db_bind_int(s, 1, BENCH_CODES);
	while (s != NULL && n < BENCH_CODES && db_step(s) == DB_ROW)
		codes[n++] = strdup(db_text(s, 0));
	db_done(s);
	db_close(db);
	free(path);
	free(cause);
	if (n < BENCH_CODES) {
		fprintf(stderr, "bench_instances: no reply codes to answer\n");
		exit(1);
	}
	return codes;
}

/* A client process: answers [from, from + n) to one port on one connection; 0 when all stored. */
static int
bench_client(int port, int from, int n, int client, char **codes)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Authorization: Bearer "
	    BENCH_TOKEN);
	char url[64], body[256];
	long code = 0;
	FILE *devnull = fopen("/dev/null", "w");
	int failed = 0;

	h = curl_slist_append(h, "Content-Type: application/json");
	snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/replies", port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, devnull);
	for (int i = from; i < from + n; i++) {
		snprintf(body, sizeof body, "{\"channel\": \"fan\", \"user\": "
		    "\"U%d\", \"text\": \"What we learned, %d\", \"id\": "
		    "\"m%d\", \"code\": \"%s\"}", client * 1000 + i % 200, i,
		    i, codes[i % BENCH_CODES]);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		if (curl_easy_perform(c) != CURLE_OK ||
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) !=
		    CURLE_OK || code != 200)
			failed++;
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	fclose(devnull);
	return failed == 0 ? 0 : 1;
}

/* Answers per second over a clients of n answers; -1 when one was not stored. */
static double
bench_answers(struct bench_world *w, int n, int clients)
{
	pid_t kids[64];
	char **codes = bench_codes(w);
	double t0 = bench_ms(), secs;
	int st, ok = 1, per = n / clients;

	for (int c = 0; c < clients; c++) {
		if ((kids[c] = fork()) == 0)
			_exit(bench_client(w->port[c % w->k], c * per, per, c,
			    codes));
	}
	for (int c = 0; c < clients; c++) {
		while (waitpid(kids[c], &st, WNOHANG) == 0) {
			for (int i = 0; i < w->k; i++)
				harness_drain(&w->p[i]);
			usleep(10000);
		}
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	secs = (bench_ms() - t0) / 1000;
	for (int i = 0; i < BENCH_CODES; i++)
		free(codes[i]);
	free(codes);
	if (!ok || bench_count(w, "SELECT count(*) FROM replies") !=
	    (long long)per * clients)
		return -1;
	return per * clients / secs;
}

/*
 * The throw-away cluster runs without fsync (tests throw its data away);
 * commits here must reach the disk as SQLite's do, or the answers compare
 * nothing. A server given in $NUDGED_TEST_PG is left as it is.
 */
static int
bench_durable(const char *server)
{
	char *cause = NULL;
	struct db_stmt *s = NULL;
	struct db *db;
	int rc;

	if (getenv("NUDGED_TEST_PG") != NULL) {
		printf("PostgreSQL: the server of $NUDGED_TEST_PG, its fsync and "
		    "synchronous_commit as they are\n");
		return 0;
	}
	if ((db = db_open_postgresql(server, &cause)) == NULL) {
		fprintf(stderr, "bench_instances: %s\n", cause);
		free(cause);
		return -1;
	}
	/* One statement each: ALTER SYSTEM runs outside any transaction. */
	rc = db_exec(db, "ALTER SYSTEM SET fsync = on") == -1 ||
	    db_exec(db, "ALTER SYSTEM SET synchronous_commit = on") == -1 ||
	    (s = db_prepare(db, "SELECT pg_reload_conf()")) == NULL ||
	    db_step(s) != DB_ROW ? -1 : 0;
	db_done(s);
	if (rc == -1)
		fprintf(stderr, "bench_instances: %s\n", db_error(db));
	db_close(db);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct bench_setup setups[] = {
		{ "1 instance, SQLite", 1, 0 },
		{ "1 instance, PostgreSQL", 1, 1 },
		{ "2 instances, PostgreSQL", 2, 1 },
		{ "3 instances, PostgreSQL", 3, 1 },
	};
	const char *nudged = argc > 1 ? argv[1] : "build/release/nudged";
	int n = argc > 2 ? atoi(argv[2]) : 10000;
	int answers = argc > 3 ? atoi(argv[3]) : 10000;
	int clients = argc > 4 ? atoi(argv[4]) : 32;
	const char *server;
	double fan[4], rate[4];
	char scenario[160];
	int failed = 0;

	if (clients < 1 || clients > 64 || n < 1 || answers < clients) {
		fprintf(stderr, "usage: bench_instances [NUDGED] [N] [ANSWERS] "
		    "[CLIENTS 1-64]\n");
		return 2;
	}
	if ((server = pg_cluster_conninfo()) == NULL) {
		fprintf(stderr, "bench_instances: no PostgreSQL server (set "
		    "$NUDGED_TEST_PG, or install PostgreSQL's server)\n");
		return 3;
	}
	if (bench_durable(server) == -1)
		return 3;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (size_t s = 0; s < sizeof setups / sizeof *setups; s++) {
		struct bench_world w = { .nudged = nudged, .k =
		    setups[s].instances };
		char *log;

		w.dir = harness_tmpdir();
		log = harness_format("%s/sink.log", w.dir);
		if (sink_start(&w.sink, log, 0) != 0)
			return 3;
		w.conninfo = setups[s].postgresql ? pg_cluster_schema(server) :
		    NULL;
		bench_configs(&w);
		fan[s] = bench_fanout(&w, n);
		if (fan[s] > 0)
			bench_analyze(&w);
		rate[s] = fan[s] > 0 ? bench_answers(&w, answers, clients) : -1;
		bench_stop(&w);
		printf("%s: fan-out of %d in %.2f s; %d answers at %.0f/s\n",
		    setups[s].name, n, fan[s], answers, rate[s]);
		fflush(stdout);
		failed |= fan[s] < 0 || rate[s] < 0;
		sink_stop(&w.sink);
		harness_rmdir(w.dir);
		free(w.dir);
		free(w.conninfo);
		free(log);
	}
	for (size_t s = 0; s < sizeof setups / sizeof *setups; s++) {
		snprintf(scenario, sizeof scenario, "instances: fan-out of %d, %s",
		    n, setups[s].name);
		bench_table_row(scenario, "s", fan[s], s > 0 ?
		    "1 on SQLite" : NULL, fan[0], 0, 0);
	}
	for (size_t s = 0; s < sizeof setups / sizeof *setups; s++) {
		snprintf(scenario, sizeof scenario, "instances: answers (%d "
		    "clients), %s", clients, setups[s].name);
		bench_table_row(scenario, "/s", rate[s], s > 0 ?
		    "1 on SQLite" : NULL, rate[0], 0, 0);
	}
	curl_global_cleanup();
	return failed ? 3 : 0;
}
