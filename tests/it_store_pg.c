/* SPDX-License-Identifier: ISC */
/*
 * The real binary on a PostgreSQL store (a schema of this test's own on the
 * tests' server): serve migrates it and posts a pending nudge from it, no
 * database file appears in the state folder, /healthz turns 503 while the
 * daemon's connection is gone and 200 once it reconnected, stats and export
 * read it, and the connection string's password is never printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "harness.h"
#include "pg_cluster.h"
#include "sink.h"
#include "sink_fixture.h"
#include "store.h"

#define PASSWORD	"pw-never-printed-5e1c"

/* The store's connection string, as the daemon gets it from the environment. */
static char *
schema_conninfo(const char *name)
{
	const char *server = pg_cluster_conninfo();
	char *schema, *out;

	if (server == NULL || (schema = pg_cluster_schema(server)) == NULL)
		fail_msg("no PostgreSQL server for the test");
	out = harness_format("%s application_name=%s password=" PASSWORD,
	    schema, name);
	free(schema);
	return out;
}

/* End every session the daemon has open (its application_name says which). */
static void
terminate(const char *name)
{
	PGconn *conn = PQconnectdb(pg_cluster_conninfo());
	const char *values[] = { name };
	PGresult *res = PQexecParams(conn, "SELECT count(pg_terminate_backend("
	    "pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> "
	    "pg_backend_pid()", 1, NULL,
	    values, NULL, NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s", PQerrorMessage(conn));
	assert_true(atoi(PQgetvalue(res, 0, 0)) >= 1);
	PQclear(res);
	PQfinish(conn);
}

/* Wait (at most 10 s) until /healthz answers want; the last body. */
static char *
wait_health(struct sink_fixture *f, int want)
{
	char *body = NULL;

	for (int waited = 0; waited <= 10000; waited += 100) {
		free(body);
		body = NULL;
		if (harness_http_get(f->port, "/healthz", &body) == want)
			return body;
		usleep(100000);
	}
	fail_msg("/healthz never answered %d; last: %s", want, body);
	return NULL;
}

static void
test_serve_on_postgresql(void **state)
{
	struct sink_fixture *f = *state;
	char *name = harness_format("nudged-it-%ld", (long)getpid());
	char *conninfo = schema_conninfo(name), *cause = NULL, *out, *body;
	char *cwd = getcwd(NULL, 0), *path, *text;
	struct store_delivery d = { .schedule = "s", .channel = "a",
	    .prompt_id = "coaching-001", .state = STORE_PENDING, .cycle = 1,
	    .due_at = (int64_t)time(NULL) - 5 };
	struct harness_proc p;
	struct store *st;
	struct stat sb;
	int64_t n = -1;

	text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", \"store\": "
	    "{\"postgresql\": \"${NUDGED_IT_PG}\"}, \"channels\": {\"a\": "
	    "{\"platform\": \"slack\", \"webhook\": \"http://127.0.0.1:%d/ok/a\"}}, "
	    "\"schedules\": [{\"name\": \"s\", \"cron\": \"0 0 1 1 *\", "
	    "\"channel\": \"a\", \"themes\": [\"coaching\"]}]}", f->port, cwd,
	    f->sink.port);
	harness_write(f->config, text);
	setenv("NUDGED_IT_PG", conninfo, 1);

	/* A nudge already due, put in the shared store by another instance. */
	if ((st = store_open_postgresql(conninfo, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_enqueue(st, &d, NULL), 1);
	store_close(st);

	harness_serve_start(&p, f->config);
	for (int waited = 0; sink_count(&f->sink, "/ok/a") < 1; waited += 50) {
		if (waited > 10000)
			fail_msg("the nudge was not posted:\n%s", p.out);
		usleep(50000);
	}
	body = wait_health(f, 200);
	assert_non_null(strstr(body, "\"store_connected\":true"));
	free(body);
	path = harness_format("%s/%s", f->state, STORE_FILE);
	assert_int_equal(stat(path, &sb), -1);
	free(path);

	/* The server ends the daemon's session: 503 with the reason, then back. */
	terminate(name);
	body = wait_health(f, 503);
	if (strstr(body, "\"store_connected\":false") == NULL)
		fail_msg("%s\n%s", body, p.out);
	assert_non_null(strstr(body, "cannot be reached"));
	free(body);
	free(wait_health(f, 200));
	assert_int_equal(harness_wait_output(&p, "reconnected to PostgreSQL",
	    5000), 0);
	assert_null(strstr(p.out, PASSWORD));
	harness_serve_stop(&p);

	if ((st = store_open_postgresql(conninfo, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_count_deliveries(st, "s", STORE_SENT, &n), 0);
	assert_int_equal(n, 1);
	store_close(st);

	/* Reports read the same store. */
	assert_int_equal(harness_run((const char *[]){ harness_bin(), "stats",
	    "-c", f->config, "--format", "json", NULL }, &out), 0);
	assert_non_null(strstr(out, "\"a\""));
	assert_null(strstr(out, PASSWORD));
	free(out);
	assert_int_equal(harness_run((const char *[]){ harness_bin(), "export",
	    "-c", f->config, NULL }, &out), 0);
	assert_non_null(strstr(out, "coaching-001"));
	free(out);

	unsetenv("NUDGED_IT_PG");
	free(text);
	free(cwd);
	free(conninfo);
	free(name);
}

/* An unreachable database stops serve with a clear message and no password. */
static void
test_unreachable_database_is_a_clear_error(void **state)
{
	struct sink_fixture *f = *state;
	char *cwd = getcwd(NULL, 0), *out;
	char *text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", \"store\": "
	    "{\"postgresql\": \"host=%s/none password=" PASSWORD "\"}, "
	    "\"channels\": {\"a\": {\"platform\": \"console\"}}, "
	    "\"schedules\": []}", f->port, cwd, f->dir);

	harness_write(f->config, text);
	assert_int_not_equal(harness_run((const char *[]){ harness_bin(),
	    "serve", "-c", f->config, NULL }, &out), 0);
	if (strstr(out, "PostgreSQL") == NULL)
		fail_msg("%s", out);
	assert_null(strstr(out, PASSWORD));
	free(out);
	free(text);
	free(cwd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_serve_on_postgresql,
		    sink_fixture_setup, sink_fixture_teardown),
		cmocka_unit_test_setup_teardown(
		    test_unreachable_database_is_a_clear_error,
		    sink_fixture_setup, sink_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
