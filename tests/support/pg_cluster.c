/* SPDX-License-Identifier: ISC */
/*
 * Test support: a PostgreSQL server to run the store on. Starting and
 * stopping a cluster is tests/pg_cluster.sh's job (the Makefile's check
 * target uses it too); this file calls it, and gives each test a schema of
 * its own so tests stay independent on one server.
 */
#include "pg_cluster.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

/* The script, relative to the source tree where tests run. */
#define PG_CLUSTER_SCRIPT	"tests/pg_cluster.sh"

static char	*pg_cluster_dir;	/* the cluster this process started */
static char	*pg_cluster_info;

static void	 pg_cluster_atexit(void);

/* Start a throw-away cluster; its connection string, or NULL. */
char *
pg_cluster_start(char **dir)
{
	char line[512], *info, *cmd;
	size_t len;
	FILE *p;

	*dir = NULL;
	/* Stopped with this process, even one that crashes. */
	if (asprintf(&cmd, "sh " PG_CLUSTER_SCRIPT " start %ld", (long)getpid())
	    == -1)
		abort();
	p = popen(cmd, "r");
	free(cmd);
	if (p == NULL)
		return NULL;
	if (fgets(line, sizeof line, p) == NULL)
		line[0] = '\0';
	if (pclose(p) != 0 || (len = strcspn(line, "\n")) == 0) {
		fprintf(stderr, "pg_cluster: %s start failed\n", PG_CLUSTER_SCRIPT);
		return NULL;
	}
	line[len] = '\0';
	if ((*dir = strdup(line)) == NULL || asprintf(&info, "host=%s "
	    "user=nudged dbname=postgres", line) == -1)
		abort();
	return info;
}

/* Stop and remove a cluster pg_cluster_start started. */
void
pg_cluster_stop(const char *dir)
{
	if (dir != NULL && pg_cluster_ctl(dir, "stop") == -1)
		fprintf(stderr, "pg_cluster: could not stop %s\n", dir);
}

/* Run the script's verb on a cluster it started. */
int
pg_cluster_ctl(const char *dir, const char *verb)
{
	char *cmd;
	int rc;

	if (asprintf(&cmd, "sh " PG_CLUSTER_SCRIPT " %s '%s'", verb, dir) == -1)
		abort();
	rc = system(cmd) == 0 ? 0 : -1;
	free(cmd);
	return rc;
}

/* Stop the cluster this process started, once it exits. */
static void
pg_cluster_atexit(void)
{
	pg_cluster_stop(pg_cluster_dir);
	free(pg_cluster_dir);
	free(pg_cluster_info);
	pg_cluster_dir = pg_cluster_info = NULL;
}

/* The tests' server: $NUDGED_TEST_PG or one started here on first use. */
const char *
pg_cluster_conninfo(void)
{
	const char *env = getenv("NUDGED_TEST_PG");

	if (env != NULL && *env != '\0')
		return env;
	if (pg_cluster_info == NULL &&
	    (pg_cluster_info = pg_cluster_start(&pg_cluster_dir)) != NULL)
		atexit(pg_cluster_atexit);
	return pg_cluster_info;
}

/* One integer from a query; a failed query ends the test. */
long long
pg_cluster_int(const char *conninfo, const char *sql)
{
	PGconn *conn = PQconnectdb(conninfo);
	PGresult *res = PQexec(conn, sql);
	long long v = -1;
	const char *text;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "pg_cluster: %s: %s", sql, PQerrorMessage(conn));
		abort();
	}
	if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
		text = PQgetvalue(res, 0, 0);
		v = strcmp(text, "t") == 0 ? 1 : strcmp(text, "f") == 0 ? 0 :
		    strtoll(text, NULL, 10);
	}
	PQclear(res);
	PQfinish(conn);
	return v;
}

/* A fresh schema and the connection string that works in it alone. */
char *
pg_cluster_schema(const char *conninfo)
{
	static unsigned n;
	PGconn *conn = PQconnectdb(conninfo);
	PGresult *res;
	char *sql, *out, name[64];
	int ok;

	snprintf(name, sizeof name, "test_%ld_%u", (long)getpid(), ++n);
	if (asprintf(&sql, "CREATE SCHEMA %s", name) == -1)
		abort();
	res = PQexec(conn, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "pg_cluster: %s", PQerrorMessage(conn));
	PQclear(res);
	PQfinish(conn);
	free(sql);
	if (!ok)
		return NULL;
	/* A URI takes options as a query parameter, a key=value string as a pair. */
	if (strstr(conninfo, "://") != NULL) {
		if (asprintf(&out, "%s%coptions=-csearch_path%%3D%s", conninfo,
		    strchr(conninfo, '?') != NULL ? '&' : '?', name) == -1)
			abort();
	} else if (asprintf(&out, "%s options=-csearch_path=%s", conninfo,
	    name) == -1)
		abort();
	return out;
}
