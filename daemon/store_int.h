/* SPDX-License-Identifier: ISC */
/* The store's private parts, shared by its files (store*.c) and no one else. */
#ifndef NUDGED_STORE_INT_H
#define NUDGED_STORE_INT_H

#include <stdint.h>

#include "db.h"
#include "store.h"

struct store {
	struct db			*db;
	char				*where;	/* the file, or the database's
						 * name without secrets */
	const struct store_stats_scope	*stats;	/* between stats_begin and _end */
	int				 stats_kept;	/* ...read from the kept
							 * aggregates */
	int				 readonly;	/* opened for previews */
	int64_t				 habits_horizon; /* kept up to here */
	int64_t				 habits_redone;	/* people the last
							 * refresh rebuilt */
	void				(*busy)(void *); /* between parts of a */
	void				*busy_arg;	/* long build */
	char				**anon;	/* anonymous channels */
	size_t				 nanon;
	unsigned char			 anon_key[STORE_KEY_LEN]; /* pseudonym key, */
	int				 anon_loaded;	/* once loaded */
	unsigned char			 callback_key[STORE_KEY_LEN];
	int				 callback_loaded;
	char				 claimant[STORE_CLAIMANT_LEN]; /* who */
	int64_t				 lease;	/* seconds a claim holds */
};

const char *const *store_migrations(enum db_dialect, int *n);
/* An INSERT's texts by engine, for store_insert: PostgreSQL's returns the new id. */
#define STORE_INSERT_SQL(sql) \
	{ [DB_SQLITE] = sql, [DB_POSTGRESQL] = sql " RETURNING id" }

int		 store_exec(struct store *, const char *);
struct db_stmt	*store_prepare(struct store *, const char *);
struct db_stmt	*store_cached(struct store *, const char *);
int		 store_insert(struct store *, struct db_stmt *, int64_t *id);
int		 store_write(struct store *, struct db_stmt *, const char *);
int		 store_update(struct store *, const char *, int64_t, int64_t,
		    const char *);
char		*store_column_strdup(struct db_stmt *, int);
void		 store_read_target(struct db_stmt *, struct store_target *);
int		 store_step_target(struct store *, struct db_stmt *,
		    struct store_target *);
const char	*store_text_or_empty(struct db_stmt *, int);
const char	*store_anon_user(const struct store *, const char *,
		    const char *, char **);
char		*store_anon_lookup(struct store *, const char *);
extern const char store_habits_schema[];	/* migration 11, SQLite */
extern const char store_habits_schema_pg[];	/* migration 11, PostgreSQL */
int		 store_habits_begin(struct store *);
int		 store_habits_forget_channel(struct store *, const char *);
int		 store_habits_forget_person(struct store *, const char *,
		    const char *, const char *);
int		 store_habits_away_changed(struct store *, int *);
int		 store_habits_away_note(struct store *);
const char	*store_habits_sql(struct store *, enum store_stats_query);
const char	*store_habits_recent_sql(struct store *,
		    enum store_stats_query);
int		 store_habits_recent_build(struct store *, int64_t, int64_t,
		    int);
int		 store_habits_recent_catch_up(struct store *, int64_t);
int		 store_keys_load(struct store *, const char *, unsigned char *,
		    int);

/* Shared by the from-scratch measures and the kept ones (store_habits.c). */

/*
 * Whether parameter p (a channel or user) is NULL, every one: typed, as
 * PostgreSQL infers no type for a parameter only tested for NULL.
 */
#define STATS_ALL(p) "CAST(" p " AS TEXT) IS NULL"

/* Person x in the stats scope (?1 channel, ?2 user). */
#define HABITS_WHO(x) \
	"(" STATS_ALL("?1") " OR " x ".channel = ?1) AND (" STATS_ALL("?2") \
	" OR " x ".user_id = ?2)"

/* The longest answer window: nothing due earlier is still open. */
#define HABITS_LONGEST "(SELECT max(seconds) FROM temp.stats_windows)"

/* The local day of an instant column x, and its Monday-based week. */
#define STATS_DAY(x) "nudged_local_day(" x ")"
#define STATS_WEEK(x) "nudged_local_week(" x ")"

/* The answer window of delivery (or grid row) x's schedule, in seconds. */
#define STATS_WINDOW(x) \
	"coalesce((SELECT w.seconds FROM temp.stats_windows w WHERE " \
	"  w.schedule = " x ".schedule), (SELECT w.seconds FROM " \
	"  temp.stats_windows w WHERE w.schedule IS NULL))"

/* Whether person u was away when delivery (or grid row) x came due. */
#define STATS_AWAY(u, x) \
	"EXISTS (SELECT 1 FROM temp.stats_away a WHERE a.user_id = " u " AND " \
	"  (a.channel IS NULL OR a.channel = " x ".channel) AND " x ".due_at >= " \
	"  a.from_at AND " x ".due_at < a.until_at)"

#endif
