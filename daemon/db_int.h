/* SPDX-License-Identifier: ISC */
/* What an engine behind db.h provides: db.c dispatches to these. */
#ifndef NUDGED_DB_INT_H
#define NUDGED_DB_INT_H

#include "db.h"

struct db_ops {
	enum db_dialect	 dialect;
	void		 (*close)(struct db *);
	const char	*(*error)(struct db *);
	int		 (*exec)(struct db *, const char *);
	struct db_stmt	*(*prepare)(struct db *, const char *, int keep);
	void		 (*reset)(struct db_stmt *);	/* a kept one */
	void		 (*finalize)(struct db_stmt *);
	void		 (*bind_int)(struct db_stmt *, int, int64_t);
	void		 (*bind_text)(struct db_stmt *, int, const char *);
	void		 (*bind_null)(struct db_stmt *, int);
	int		 (*step)(struct db_stmt *);
	int64_t		 (*column_int)(struct db_stmt *, int);
	const char	*(*column_text)(struct db_stmt *, int);
	int		 (*column_is_null)(struct db_stmt *, int);
	int64_t		 (*changes)(struct db *);
	int		 (*begin)(struct db *);
	int		 (*commit)(struct db *);
	void		 (*rollback)(struct db *);
	int		 (*in_transaction)(struct db *);
};

#define DB_CACHE_SIZE	64

/* Every engine's struct db starts with this. */
struct db {
	const struct db_ops	*ops;
	struct {
		const char	*sql;	/* the literal itself: compared by address */
		struct db_stmt	*stmt;
	}			 cache[DB_CACHE_SIZE];
};

/* Every engine's struct db_stmt starts with this. */
struct db_stmt {
	struct db	*db;
	int		 kept;	/* in the cache: reset, not freed, when done */
};

#endif
