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
const char	*store_text_or_empty(struct db_stmt *, int);
const char	*store_anon_user(const struct store *, const char *,
		    const char *, char **);
char		*store_anon_lookup(struct store *, const char *);
int		 store_keys_load(struct store *, const char *, unsigned char *,
		    int);

#endif
