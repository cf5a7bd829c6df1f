/* SPDX-License-Identifier: ISC */
/*
 * The habit measures the store keeps (store_habits.c) against the same
 * measures computed from scratch, on random histories: after every step,
 * the everyone-document and several narrower ones read from the kept
 * measures equal, byte for byte, the ones computed from every answer.
 *
 * Each history is seeded and runs some weeks across a daylight-saving
 * change in Europe/Berlin (spring, then autumn), the clock moving on a few
 * hours per step: nudges come due and are sent (some only later, some
 * skipped or failed), people answer (on time, late, twice, to reminders),
 * and now and then one is forgotten, old answers expire, someone gives,
 * moves or ends their own absence (after which that person alone is built
 * again), or the config swaps to one with other away ranges and answer
 * windows. At the end each history is built again from scratch, a week at
 * a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bank.h"
#include "config.h"
#include "habits.h"
#include "harness.h"
#include "store.h"
#include "store_engine.h"
#include "timefmt.h"

#define STEPS		90
#define NCONFIGS	2

static char dir[] = "/tmp/nudged-test-XXXXXX";
static struct config *cfgs[NCONFIGS];
static struct bank *bank;
static struct store *st;
static int	 on_pg;		/* the stores are on PostgreSQL */

/* What a history has sent so far, to answer to. */
struct world {
	struct config	*cfg;
	unsigned	 seed;
	int64_t		 now;
	int64_t		 ids[512];
	int64_t		 dues[512];
	const char	*channels[512];
	size_t		 n;
	int		 messages;
};

static const char *const schedules[][2] = {
	{ "daily", "team" }, { "evening", "team" }, { "weekly", "team" },
	{ "w-anon", "anon" },
};
static const char *const users[][2] = {
	{ "U01", "team" }, { "U02", "team" }, { "U03", "team" },
	{ "U04", "team" }, { "UA1", "anon" }, { "UA2", "anon" },
	{ "UA3", "anon" },
};
/* The configured people who can give their own absence (U01, U03, UA2). */
static const char *const people[] = { "ann", "bea", "cat" };
/* Own absences after which one person alone was built again. */
static int rebuilt_alone;

/* A random number in [0, n). */
static int
pick(struct world *w, int n)
{
	return (int)(rand_r(&w->seed) % (unsigned)n);
}

/* One config: away ranges and windows differ between them (which = 0, 1). */
static struct config *
load(int which)
{
	char *path, *cause = NULL, *cwd = getcwd(NULL, 0);
	struct config *c;
	FILE *f;

	if (asprintf(&path, "%s/nudged-%d.json", dir, which) < 0)
		return NULL;
	f = fopen(path, "w");
	fprintf(f, "{\"state_dir\": \"state\", \"timezone\": \"Europe/Berlin\", "
	    "\"prompts\": \"%s/prompts\", \"channels\": {"
	    "\"team\": {\"platform\": \"console\"}, \"anon\": {\"platform\": "
	    "\"console\", \"anonymous\": true}}, \"away\": [%s], "
	    "\"people\": {\"ann\": {\"slack\": \"U01\"}, \"bea\": "
	    "{\"slack\": \"U03\"}, \"cat\": {\"slack\": \"UA2\"}}, "
	    "\"schedules\": ["
	    "{\"name\": \"daily\", \"cron\": \"0 9 * * *\", \"channel\": \"team\", "
	    "\"answer_window\": \"%s\"},"
	    "{\"name\": \"evening\", \"cron\": \"0 18 * * *\", \"channel\": "
	    "\"team\", \"answer_window\": \"3h\"},"
	    "{\"name\": \"weekly\", \"cron\": \"0 15 * * FRI\", \"channel\": "
	    "\"team\"},"
	    "{\"name\": \"w-anon\", \"cron\": \"0 10 * * MON\", \"channel\": "
	    "\"anon\", \"answer_window\": \"2d\"}]}", cwd, which == 0 ?
	    "{\"user\": \"U02\", \"from\": \"2026-03-27\", \"to\": \"2026-03-30\"}, "
	    "{\"user\": \"U02\", \"from\": \"2026-10-23\", \"to\": \"2026-10-26\"}, "
	    "{\"user\": \"UA1\", \"channel\": \"anon\", \"from\": \"2026-03-20\", "
	    "\"to\": \"2026-04-05\"}" :
	    "{\"user\": \"U03\", \"from\": \"2026-03-20\", \"to\": \"2026-04-02\"}, "
	    "{\"user\": \"U04\", \"channel\": \"team\", \"from\": \"2026-10-20\", "
	    "\"to\": \"2026-10-28\"}", which == 0 ? "1d" : "6h");
	fclose(f);
	free(cwd);
	if ((c = config_load(path, &cause)) == NULL)
		fprintf(stderr, "%s\n", cause);
	free(path);
	return c;
}

static int
setup(void **state)
{
	char *cause = NULL;

	(void)state;
	/* The template again: each group has a folder of its own. */
	memcpy(dir + sizeof dir - 7, "XXXXXX", 6);
	if (mkdtemp(dir) == NULL)
		return -1;
	for (int i = 0; i < NCONFIGS; i++)
		if ((cfgs[i] = load(i)) == NULL)
			return -1;
	if ((bank = bank_load_for(cfgs[0], &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	for (int i = 0; i < NCONFIGS; i++)
		config_free(cfgs[i]);
	bank_free(bank);
	return harness_rmdir(dir);
}

/* A fresh store for one history. */
static void
open_store(void)
{
	char *cause = NULL, *path;

	assert_true(asprintf(&path, "rm -rf %s/state", dir) > 0);
	assert_int_equal(system(path), 0);
	free(path);
	/* On PostgreSQL, a fresh schema of its own. */
	store_engine_forget(cfgs[0]->state_dir);
	if (on_pg && store_engine_use_pg(cfgs[0]->state_dir) == -1)
		fail_msg("no PostgreSQL server for the store");
	if ((st = store_engine_open(cfgs[0]->state_dir, &cause)) == NULL)
		fail_msg("%s", cause);
}

/* One delivery due at due on schedule s, in state state; kept to answer. */
static void
deliver(struct world *w, int s, int64_t due, enum store_state state,
    const char *kind)
{
	char prompt[32];
	struct store_delivery d = { .schedule = schedules[s][0],
	    .channel = schedules[s][1], .prompt_id = prompt, .due_at = due,
	    .state = state, .cycle = 1, .kind = store_kind_of(kind) };
	int64_t id = 0;

	snprintf(prompt, sizeof prompt, "coaching-%03d", 1 + pick(w, 4));
	if (store_enqueue(st, &d, &id) != 1 || w->n == 512)
		return;	/* the same instant again: nothing new */
	w->ids[w->n] = id;
	w->dues[w->n] = due;
	w->channels[w->n++] = schedules[s][1];
}

/* Someone answers a delivery (recent mostly, sometimes an old one). */
static void
answer(struct world *w)
{
	size_t i;
	int u = pick(w, 7);
	char mid[32];
	struct store_reply r = { .channel = NULL, .user_id = users[u][0],
	    .user_name = users[u][0], .text = "an answer", .source = "api",
	    .message_id = mid };

	if (w->n == 0)
		return;
	i = pick(w, 4) == 0 ? (size_t)pick(w, (int)w->n) : w->n - 1 -
	    (size_t)pick(w, w->n < 6 ? (int)w->n : 6);
	if (strcmp(w->channels[i], users[u][1]) != 0)
		return;
	r.delivery_id = w->ids[i];
	r.channel = w->channels[i];
	r.received_at = w->now - pick(w, 3600);
	if (r.received_at < w->dues[i])
		r.received_at = w->dues[i] + pick(w, 600);
	snprintf(mid, sizeof mid, "m%d", ++w->messages);
	assert_int_not_equal(store_add_reply(st, &r, NULL), -1);
}

/* The kept and the from-scratch documents for one filter, compared. */
static void
compare(struct world *w, const char *channel, const char *user, int step)
{
	struct habits_filter kept = { .channel = channel, .user = user };
	struct habits_filter scratch = { .channel = channel, .user = user,
	    .from_scratch = 1 };
	char *cause = NULL, *a, *b;
	cJSON *dk = habits_stats(st, w->cfg, bank, &kept, w->now, &cause);
	cJSON *ds;

	if (dk == NULL)
		fail_msg("%s", cause);
	ds = habits_stats(st, w->cfg, bank, &scratch, w->now, &cause);
	if (ds == NULL)
		fail_msg("%s", cause);
	a = cJSON_PrintUnformatted(dk);
	b = cJSON_PrintUnformatted(ds);
	if (strcmp(a, b) != 0) {
		fprintf(stderr, "step %d, channel %s, user %s:\nkept:    %s\n"
		    "scratch: %s\n", step, channel ? channel : "-", user ? user :
		    "-", a, b);
		fail_msg("the kept measures differ from the computation from "
		    "scratch");
	}
	free(a);
	free(b);
	cJSON_Delete(dk);
	cJSON_Delete(ds);
}

/*
 * Someone gives, moves or ends their own absence (`/reflect away`), with
 * every other change caught up first: the kept measures build that person
 * again (or no one, when nothing kept is theirs), not everyone.
 */
static void
own_away(struct world *w)
{
	int64_t from = w->now / 86400 - pick(w, 20), redone;
	int ends = pick(w, 4) == 0;

	assert_int_equal(habits_keep(st, w->cfg, w->now, 0), 0);
	assert_int_equal(store_set_away(st, people[pick(w, 3)], ends ? -1 :
	    from, ends ? -1 : from + pick(w, 10)), 0);
	assert_int_equal(habits_keep(st, w->cfg, w->now, 0), 0);
	redone = store_habits_redone(st);
	assert_true(redone == 0 || redone == 1);
	rebuilt_alone += redone == 1;
}

/* Count the busy callback's calls. */
static void
count_busy(void *arg)
{
	(*(int *)arg)++;
}

/* One step: time passes, things happen, then every document is compared. */
static void
step(struct world *w, int k)
{
	int64_t n;
	int what = pick(w, 40);

	w->now += 3600 * (1 + pick(w, 14));
	/* Nudges that came due: most sent, some skipped or failed, some
	 * pending and sent later (a late one lands behind the horizon). */
	for (int s = 0; s < 4; s++) {
		int64_t due = w->now - pick(w, 3 * 3600);
		int r = pick(w, 10);

		if (pick(w, s == 2 || s == 3 ? 6 : 2) != 0)
			continue;
		deliver(w, s, due, r == 0 ? STORE_SKIPPED : r == 1 ?
		    STORE_FAILED : r == 2 ? STORE_PENDING : STORE_SENT, r == 3 ?
		    "reminder" : "prompt");
	}
	if (what == 0 && w->n > 0)
		assert_int_equal(store_mark_sent(st, w->ids[pick(w, (int)w->n)],
		    w->now), 0);
	for (int a = pick(w, 6); a > 0; a--)
		answer(w);
	if (what == 1)
		assert_int_equal(store_forget(st, users[pick(w, 7)][0],
		    pick(w, 2) ? "team" : NULL, &n), 0);
	if (what == 2)
		assert_int_equal(store_expire_replies(st, w->now - 86400 *
		    (5 + pick(w, 20)), &n), 0);
	if (what == 3)
		w->cfg = cfgs[pick(w, NCONFIGS)];
	if (what >= 4 && what < 8)
		own_away(w);
	compare(w, NULL, NULL, k);
	compare(w, "team", NULL, k);
	compare(w, NULL, users[k % 7][0], k);
	compare(w, "anon", users[4 + k % 3][0], k);
}

/* One seeded history from a start date, STEPS steps long. */
static void
history(unsigned seed, int y, int m, int d)
{
	struct world w = { .cfg = cfgs[0], .seed = seed,
	    .now = timefmt_days_from_civil(y, m, d) * 86400 };

	int busy = 0;

	open_store();
	for (int k = 0; k < STEPS; k++)
		step(&w, k);
	store_on_busy(st, count_busy, &busy);
	assert_int_equal(habits_keep(st, w.cfg, w.now, 1), 0);
	assert_int_equal(store_habits_redone(st), -1);
	assert_true(busy >= 3);		/* a history is weeks long */
	compare(&w, NULL, NULL, STEPS);
	compare(&w, "team", "U02", STEPS);
	store_close(st);
	st = NULL;
}

/* Spring forward in Berlin: 2026-03-29. */
static void
test_spring(void **state)
{
	(void)state;
	rebuilt_alone = 0;
	history(1, 2026, 3, 12);
	history(7, 2026, 3, 20);
	assert_true(rebuilt_alone > 0);
}

/* Fall back in Berlin: 2026-10-25. */
static void
test_autumn(void **state)
{
	(void)state;
	rebuilt_alone = 0;
	history(3, 2026, 10, 8);
	history(11, 2026, 10, 18);
	assert_true(rebuilt_alone > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spring),
		cmocka_unit_test(test_autumn),
	};

	int rc = cmocka_run_group_tests_name("sqlite", tests, setup, teardown);

	on_pg = 1;
	return rc | cmocka_run_group_tests_name("postgresql", tests, setup,
	    teardown);
}
