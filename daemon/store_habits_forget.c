/* SPDX-License-Identifier: ISC */
/*
 * Forgetting in the kept habit measures (store_habits.c): a channel turned
 * anonymous and `nudged forget` leave no id in them.
 */
#include "store.h"

#include <stdlib.h>

#include "store_int.h"
#include "xmalloc.h"

/*
 * A channel's answers now under pseudonyms: nothing the kept measures hold
 * of it stays under the old ids, and all is built again at the next read.
 */
int
store_habits_forget_channel(struct store *st, const char *channel)
{
	static const char *const tables[] = { "habits_people", "habits_runs",
	    "habits_latency", "habits_active", "habits_prompts",
	    "habits_user_weeks", "habits_channel_weeks", "habits_days",
	    "habits_dirty" };
	struct db_stmt *stmt;
	char *sql;

	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		xasprintf(&sql, "DELETE FROM %s WHERE channel = ?1", tables[i]);
		stmt = store_prepare(st, sql);
		free(sql);
		if (stmt == NULL)
			return -1;
		db_bind_text(stmt, 1, channel);
		if (store_write(st, stmt, NULL) == -1)
			return -1;
	}
	return store_exec(st, "DELETE FROM meta WHERE key = "
	    "'habits_fingerprint'");
}

/*
 * `nudged forget`: nothing kept under the person's id (or pseudonym) on
 * the channel (NULL: all) either. The changes their deleted answers left
 * waiting stay, without their id: everyone on those channels is counted
 * again at the next read.
 */
int
store_habits_forget_person(struct store *st, const char *user,
    const char *pseudonym, const char *channel)
{
	static const char *const tables[] = { "habits_people", "habits_runs",
	    "habits_latency", "habits_active", "habits_prompts",
	    "habits_user_weeks", "habits_channel_weeks", "habits_away" };
	struct db_stmt *stmt;
	char *sql;
	int rc = DB_DONE;

	if (store_begin(st) == -1)
		return -1;
	for (size_t i = 0; i <= sizeof tables / sizeof tables[0] &&
	    rc == DB_DONE; i++) {
		if (i < sizeof tables / sizeof tables[0])
			xasprintf(&sql, "DELETE FROM %s WHERE (user_id = ?1 OR "
			    "user_id = ?2) AND (" STATS_ALL("?3") " OR "
			    "channel = ?3)",
			    tables[i]);
		else
			sql = xstrdup("UPDATE habits_dirty SET user_id = NULL "
			    "WHERE (user_id = ?1 OR user_id = ?2) AND ("
			    STATS_ALL("?3") " OR channel = ?3)");
		stmt = store_prepare(st, sql);
		free(sql);
		rc = DB_ERROR;
		if (stmt != NULL) {
			db_bind_text(stmt, 1, user);
			db_bind_text(stmt, 2, pseudonym);
			db_bind_text(stmt, 3, channel);
			rc = store_write(st, stmt, NULL) == 0 ? DB_DONE :
			    DB_ERROR;
		}
	}
	if (rc != DB_DONE || store_commit(st) == -1) {
		store_rollback(st);
		return -1;
	}
	return 0;
}
