/* SPDX-License-Identifier: ISC */
/*
 * The habit measures agree on both engines: the same history, written
 * through the store's API into an SQLite store and into a PostgreSQL one,
 * gives the same rows from every stats query. The history is random
 * (seeded) and sits on both daylight-saving changes of the configured zone,
 * with nudges and answers near local midnight and near Monday 00:00, so
 * local days and weeks from SQLite's C functions and from PostgreSQL's
 * AT TIME ZONE must agree where they are easiest to get wrong. Zones: Berlin
 * (one-hour changes), Lord Howe Island (half-hour changes) and St John's
 * (a half-hour offset west of UTC).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store.h"
#include "store_engine.h"
#include "strbuf.h"
#include "tz.h"
#include "xmalloc.h"

#define NUSERS		5
#define NCHANNELS	2

/* Columns each query returns (store.h lists them). */
static const int engines_columns[] = {
	[STORE_STATS_PEOPLE] = 6,
	[STORE_STATS_STREAKS] = 5,
	[STORE_STATS_LATENCY] = 3,
	[STORE_STATS_ACTIVE_WEEKS] = 3,
	[STORE_STATS_USER_WEEKS] = 4,
	[STORE_STATS_USER_PROMPTS] = 4,
	[STORE_STATS_CHANNELS] = 6,
	[STORE_STATS_PARTICIPATION] = 7,
	[STORE_STATS_CHANNEL_WEEKS] = 5,
	[STORE_STATS_CHANNEL_DAYS] = 3,
	[STORE_STATS_TOP_PROMPTS] = 4,
};
#define ENGINES_NQUERIES \
	(sizeof engines_columns / sizeof engines_columns[0])

/* The rows of one query, each as one line of text. */
struct engines_rows {
	int	  ncols;
	char	**v;
	size_t	  n;
};

struct engines_world {
	char		*sqlite_dir;
	char		*pg_dir;
	struct store	*sqlite;
	struct store	*pg;
};

static int
engines_setup(void **state)
{
	struct engines_world *w = xcalloc(1, sizeof *w);

	w->sqlite_dir = harness_tmpdir();
	w->pg_dir = harness_tmpdir();
	*state = w;
	if (store_engine_use_pg(w->pg_dir) == -1)
		return -1;
	return 0;
}

static int
engines_teardown(void **state)
{
	struct engines_world *w = *state;
	int rc = 0;

	store_close(w->sqlite);
	store_close(w->pg);
	rc |= harness_rmdir(w->sqlite_dir);
	rc |= harness_rmdir(w->pg_dir);
	store_engine_forget(w->pg_dir);
	free(w->sqlite_dir);
	free(w->pg_dir);
	free(w);
	return rc;
}

static void
engines_open(struct engines_world *w)
{
	char *cause = NULL;

	w->sqlite = store_engine_open(w->sqlite_dir, &cause);
	assert_non_null(w->sqlite);
	w->pg = store_engine_open(w->pg_dir, &cause);
	if (w->pg == NULL)
		fail_msg("PostgreSQL store: %s", cause ? cause : "?");
}

/* One nudge, sent at its instant, into both stores: its id (the same in both). */
static int64_t
engines_nudge(struct engines_world *w, const char *channel,
    const char *schedule, const char *prompt, int64_t at)
{
	struct store_delivery d = {
		.schedule = schedule,
		.channel = channel,
		.prompt_id = prompt,
		.due_at = at,
		.state = STORE_PENDING,
		.cycle = 1,
		.kind = STORE_KIND_PROMPT,
	};
	int64_t a = 0, b = 0;

	assert_int_equal(store_enqueue(w->sqlite, &d, &a), 1);
	assert_int_equal(store_enqueue(w->pg, &d, &b), 1);
	assert_int_equal(a, b);
	assert_int_equal(store_mark_sent(w->sqlite, a, at), 0);
	assert_int_equal(store_mark_sent(w->pg, b, at), 0);
	return a;
}

/* One answer to delivery id, into both stores. */
static void
engines_answer(struct engines_world *w, int64_t id, const char *channel,
    const char *user, int64_t at, int n)
{
	char mid[32], name[32];
	struct store_reply r = {
		.delivery_id = id,
		.channel = channel,
		.user_id = user,
		.user_name = name,
		.text = "We learned to ask earlier.",
		.received_at = at,
		.source = "api",
		.message_id = mid,
	};
	int64_t rid;

	snprintf(mid, sizeof mid, "m%d", n);
	snprintf(name, sizeof name, "Name of %s", user);
	assert_int_equal(store_add_reply(w->sqlite, &r, &rid), 1);
	assert_int_equal(store_add_reply(w->pg, &r, &rid), 1);
}

/*
 * A history around the instant pivot (a change of the zone's offset): a
 * nudge every 7 to 17 hours for two weeks either side, instants falling on
 * every hour of the local day, answered by some of the people after a few
 * minutes to a day and a half.
 */
static void
engines_history(struct engines_world *w, int64_t pivot, unsigned seed,
    int *nmsg)
{
	static const char *const prompts[] = { "ask-earlier", "what-surprised",
	    "one-change", "who-helped" };
	char user[16], schedule[32];
	int64_t at = pivot - 14 * 86400;

	srand(seed);
	while (at < pivot + 14 * 86400) {
		const char *channel = rand() % NCHANNELS ? "team" : "leaders";
		int64_t id;

		snprintf(schedule, sizeof schedule, "%s-%d", channel, rand() % 2);
		id = engines_nudge(w, channel, schedule,
		    prompts[rand() % 4], at);
		for (int u = 0; u < NUSERS; u++) {
			if (rand() % 3 == 0)
				continue;
			snprintf(user, sizeof user, "U%d", u);
			engines_answer(w, id, channel, user, at + 60 +
			    rand() % (36 * 3600), (*nmsg)++);
		}
		at += 7 * 3600 + rand() % (10 * 3600) + rand() % 60 * 60;
	}
}

/* Compare strings for qsort. */
static int
engines_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Keep one row as "col|col|...". */
static void
engines_row_cb(void *arg, const struct store_row *row)
{
	struct engines_rows *r = arg;
	struct strbuf b = { 0 };

	for (int c = 0; c < r->ncols; c++) {
		const char *t = store_row_is_null(row, c) ? "NULL" :
		    store_row_text(row, c);

		strbuf_addf(&b, "%s%s", c ? "|" : "", t);
	}
	r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
	r->v[r->n++] = strbuf_take(&b);
}

/* Every query's rows on one store, sorted; what the query orders is kept in the text. */
static void
engines_run(struct store *st, const struct store_stats_scope *scope,
    int64_t first_week, int64_t first_day, struct engines_rows *out)
{
	int64_t from[ENGINES_NQUERIES] = {
		[STORE_STATS_USER_WEEKS] = first_week,
		[STORE_STATS_CHANNEL_WEEKS] = first_week,
		[STORE_STATS_CHANNEL_DAYS] = first_day,
		[STORE_STATS_PARTICIPATION] = 10,
		[STORE_STATS_TOP_PROMPTS] = 3,
	};

	assert_int_equal(store_stats_begin(st, scope), 0);
	for (size_t q = 0; q < ENGINES_NQUERIES; q++) {
		out[q].ncols = engines_columns[q];
		assert_int_equal(store_stats_run(st, (enum store_stats_query)q,
		    from[q], engines_row_cb, &out[q]), 0);
		qsort(out[q].v, out[q].n, sizeof *out[q].v, engines_cmp);
	}
	store_stats_end(st);
}

static void
engines_rows_free(struct engines_rows *r)
{
	for (size_t q = 0; q < ENGINES_NQUERIES; q++) {
		for (size_t i = 0; i < r[q].n; i++)
			free(r[q].v[i]);
		free(r[q].v);
		r[q].v = NULL;
		r[q].n = 0;
	}
}

/* Both stores, one scope (everyone, or one person on one channel): the same rows. */
static void
engines_compare(struct engines_world *w, struct store_stats_scope *scope,
    int64_t pivot, size_t at_least)
{
	struct engines_rows a[ENGINES_NQUERIES] = { 0 };
	struct engines_rows b[ENGINES_NQUERIES] = { 0 };
	/* Weeks and days numbered from the epoch's; two weeks before the pivot. */
	int64_t first_day = (pivot - 16 * 86400) / 86400;
	int64_t first_week = (first_day + 3) / 7;
	size_t total = 0;

	engines_run(w->sqlite, scope, first_week, first_day, a);
	engines_run(w->pg, scope, first_week, first_day, b);
	for (size_t q = 0; q < ENGINES_NQUERIES; q++) {
		for (size_t i = 0; i < a[q].n && i < b[q].n; i++)
			if (strcmp(a[q].v[i], b[q].v[i]) != 0)
				fail_msg("query %zu row %zu: SQLite \"%s\", "
				    "PostgreSQL \"%s\"", q, i, a[q].v[i],
				    b[q].v[i]);
		if (a[q].n != b[q].n)
			fail_msg("query %zu: %zu rows on SQLite, %zu on "
			    "PostgreSQL", q, a[q].n, b[q].n);
		total += a[q].n;
	}
	/* Something was compared. */
	assert_true(total >= at_least);
	engines_rows_free(a);
	engines_rows_free(b);
}

/* A zone's history around pivot compared for everyone and for one person. */
static void
engines_zone(void **state, const char *zone, int64_t pivot, unsigned seed)
{
	struct engines_world *w = *state;
	struct store_away away = { .user = "U2", .channel = NULL,
	    .from = pivot - 3 * 86400, .until = pivot + 2 * 86400 };
	struct store_window window = { .schedule = "team-1",
	    .seconds = 6 * 3600 };
	struct store_stats_scope scope = {
		.now = pivot + 15 * 86400,
		.away = &away,
		.naway = 1,
		.windows = &window,
		.nwindows = 1,
		.default_window = 86400,
	};
	char *cause = NULL;
	struct tz *tz = tz_load(zone, &cause);
	int nmsg = 0;

	if (tz == NULL)
		fail_msg("%s: %s", zone, cause);
	engines_open(w);
	engines_history(w, pivot, seed, &nmsg);
	scope.tz = tz;
	engines_compare(w, &scope, pivot, 150);
	scope.channel = "team";
	scope.user = "U1";
	scope.since = pivot - 7 * 86400;
	engines_compare(w, &scope, pivot, 20);
	tz_free(tz);
}

/* Berlin springs forward at 2026-03-29 01:00Z. */
static void
test_berlin_spring(void **state)
{
	engines_zone(state, "Europe/Berlin", 1774746000, 1);
}

/* Berlin falls back at 2026-10-25 01:00Z. */
static void
test_berlin_autumn(void **state)
{
	engines_zone(state, "Europe/Berlin", 1792890000, 2);
}

/* Lord Howe Island moves back half an hour at 2026-04-04 15:00Z. */
static void
test_lord_howe(void **state)
{
	engines_zone(state, "Australia/Lord_Howe", 1775314800, 3);
}

/* St John's is UTC-3:30 in winter; it springs forward at 2026-03-08 05:30Z. */
static void
test_st_johns(void **state)
{
	engines_zone(state, "America/St_Johns", 1772947800, 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_berlin_spring,
		    engines_setup, engines_teardown),
		cmocka_unit_test_setup_teardown(test_berlin_autumn,
		    engines_setup, engines_teardown),
		cmocka_unit_test_setup_teardown(test_lord_howe,
		    engines_setup, engines_teardown),
		cmocka_unit_test_setup_teardown(test_st_johns,
		    engines_setup, engines_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
