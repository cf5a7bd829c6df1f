/* SPDX-License-Identifier: ISC */
/* Test support: a test folder's store on SQLite or on a PostgreSQL schema of its own. */
#include "store_engine.h"

#include <stdlib.h>
#include <string.h>

#include "pg_cluster.h"
#include "store.h"

/* Folders whose store is on PostgreSQL, and their schema's connection string. */
static struct store_engine_pg {
	char	*dir;
	char	*conninfo;
}		*store_engine_pgs;
static size_t	 store_engine_npgs;

/* Put dir's store in a new schema on the tests' server. */
int
store_engine_use_pg(const char *dir)
{
	const char *server = pg_cluster_conninfo();
	char *conninfo;
	struct store_engine_pg *p;

	if (server == NULL || (conninfo = pg_cluster_schema(server)) == NULL)
		return -1;
	p = realloc(store_engine_pgs, (store_engine_npgs + 1) * sizeof *p);
	if (p == NULL || (p[store_engine_npgs].dir = strdup(dir)) == NULL)
		abort();
	p[store_engine_npgs++].conninfo = conninfo;
	store_engine_pgs = p;
	return 0;
}

/* Back to SQLite for dir. */
void
store_engine_forget(const char *dir)
{
	for (size_t i = 0; i < store_engine_npgs; i++) {
		if (strcmp(store_engine_pgs[i].dir, dir) != 0)
			continue;
		free(store_engine_pgs[i].dir);
		free(store_engine_pgs[i].conninfo);
		store_engine_pgs[i] = store_engine_pgs[--store_engine_npgs];
		return;
	}
}

/* dir's schema on PostgreSQL, or NULL. */
const char *
store_engine_pg(const char *dir)
{
	for (size_t i = 0; i < store_engine_npgs; i++)
		if (strcmp(store_engine_pgs[i].dir, dir) == 0)
			return store_engine_pgs[i].conninfo;
	return NULL;
}

/* Open dir's store where it lives. */
struct store *
store_engine_open(const char *dir, char **cause)
{
	const char *all = getenv("NUDGED_TEST_STORE"), *pg;

	if (store_engine_pg(dir) == NULL && all != NULL && strcmp(all,
	    "postgresql") == 0 && store_engine_use_pg(dir) == -1) {
		*cause = strdup("no PostgreSQL server for NUDGED_TEST_STORE");
		return NULL;
	}
	pg = store_engine_pg(dir);

	return pg != NULL ? store_open_postgresql(pg, cause) : store_open(dir,
	    cause);
}
