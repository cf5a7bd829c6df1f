/* SPDX-License-Identifier: ISC */
/*
 * Away ranges and the kept habit measures (store_habits.c). An unanswered
 * nudge due while someone was away does not count, so the kept part
 * depends on the away ranges: the config's and each person's own
 * (`/reflect away`), as store_stats_begin put them in temp.stats_away.
 * Those the kept part was built under are in habits_away. When they
 * differ, only the people whose ranges differ are built again: each is
 * noted in habits_dirty on every channel they are kept on (the range's
 * own channel, when it has one), due from the earliest changed range, so
 * one person typing `/reflect away` does not rebuild everyone.
 */
#include "store.h"

#include <stdint.h>

#include "store_int.h"

#define AWAY_COLS	"user_id, channel, from_at, until_at"

/* The ranges only one side has: today's, or those the kept part was built under. */
#define AWAY_CHANGED \
	"SELECT " AWAY_COLS " FROM (SELECT " AWAY_COLS " FROM temp.stats_away " \
	"EXCEPT SELECT " AWAY_COLS " FROM habits_away) added UNION ALL " \
	"SELECT " AWAY_COLS " FROM (SELECT " AWAY_COLS " FROM habits_away " \
	"EXCEPT SELECT " AWAY_COLS " FROM temp.stats_away) removed"

/* Whether today's away ranges differ from those the kept part was built under. */
int
store_habits_away_changed(struct store *st, int *changed)
{
	struct db_stmt *stmt = store_prepare(st, "SELECT EXISTS ("
	    AWAY_CHANGED ")");
	int rc = stmt != NULL ? db_step(stmt) : DB_ERROR;

	*changed = rc == DB_ROW && db_int(stmt, 0) != 0;
	db_done(stmt);
	return rc == DB_ROW ? 0 : -1;
}

/*
 * Note the kept people whose away ranges changed as touched (due from the
 * earliest changed range: a change wholly after the horizon rebuilds no
 * one), then keep today's ranges as those the kept part is built under.
 */
int
store_habits_away_note(struct store *st)
{
	return store_exec(st, "INSERT INTO habits_dirty (channel, user_id, "
	    "due_at) SELECT p.channel, p.user_id, min(c.from_at) FROM ("
	    AWAY_CHANGED ") c JOIN habits_people p ON p.user_id = c.user_id AND "
	    "(c.channel IS NULL OR c.channel = p.channel) GROUP BY p.channel, "
	    "p.user_id;"
	    "DELETE FROM habits_away;"
	    "INSERT INTO habits_away (" AWAY_COLS ") SELECT DISTINCT " AWAY_COLS
	    " FROM temp.stats_away");
}
