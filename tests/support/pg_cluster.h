/* SPDX-License-Identifier: ISC */
/*
 * A PostgreSQL server for tests: the one `make check` started (its
 * connection string in $NUDGED_TEST_PG) or a throw-away cluster started
 * here (tests/pg_cluster.sh), and a fresh schema per test on it.
 */
#ifndef NUDGED_TEST_PG_CLUSTER_H
#define NUDGED_TEST_PG_CLUSTER_H

/*
 * Start a throw-away cluster; its connection string (as the superuser
 * nudged), and in *dir its folder for pg_cluster_stop. NULL if it failed.
 */
char		*pg_cluster_start(char **dir);
/* Stop a cluster pg_cluster_start started (by its postmaster's PID) and remove it. */
void		 pg_cluster_stop(const char *dir);
/* Shut its server down keeping the data ("halt"), or start it again ("resume"); 0 or -1. */
int		 pg_cluster_ctl(const char *dir, const char *verb);
/*
 * The tests' server: $NUDGED_TEST_PG, else a cluster started on first use
 * and stopped when the process exits. NULL when none can start.
 */
const char	*pg_cluster_conninfo(void);
/*
 * A new, empty schema on the server at conninfo and the connection string
 * whose search_path is that schema alone; NULL (and why on stderr) on failure.
 */
char		*pg_cluster_schema(const char *conninfo);
/* The first column of the first row a query returns as an integer (a boolean as 0 or 1); -1 without a row. */
long long	 pg_cluster_int(const char *conninfo, const char *sql);

#endif
