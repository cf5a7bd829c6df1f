/* SPDX-License-Identifier: ISC */
/*
 * Habit measures at a million answers: seeds a store with C channels x P
 * people x D daily nudges (default 10 x 100 x 1000, every person answering
 * every nudge but a few, so about a million answers), rebuilds the measures
 * nudged keeps (the history was written behind its back) and times that,
 * then times the whole `nudged stats --format json` process, and one
 * person's stats, R times each; last, everyone's stats after one person
 * (U17) gave their own absence, which builds that person again alone.
 *
 *   build/release/bench/bench_stats [NUDGED] [CHANNELS] [PEOPLE] [DAYS] [RUNS]
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_support.h"
#include "harness.h"
#include "store.h"

/* Bulk-insert the history in one transaction with two prepared statements. */
static void
bench_seed(const char *db_path, int channels, int people, int days)
{
	sqlite3 *db;
	sqlite3_stmt *d, *r;
	int64_t now = time(NULL), id = 0;
	char ch[16], user[16];

	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		exit(3);
	sqlite3_exec(db, "PRAGMA synchronous = OFF; BEGIN", NULL, NULL, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO deliveries (id, schedule, channel, "
	    "prompt_id, due_at, state, attempts, sent_at, created_at, cycle, "
	    "reply_code, kind) VALUES (?1, ?2, ?3, 'coaching-001', ?4, 'sent', 1, "
	    "?4, ?4, 1, 'ABCD', 'prompt')", -1, &d, NULL);
	sqlite3_prepare_v2(db, "INSERT INTO replies (delivery_id, channel, "
	    "user_id, user_name, text, received_at, source, message_id) VALUES "
	    "(?1, ?2, ?3, ?3, 'an answer of a few words, as people write them', "
	    "?4, 'api', ?5)", -1, &r, NULL);
	for (int c = 0; c < channels; c++) {
		snprintf(ch, sizeof ch, "c%d", c);
		for (int day = days; day > 0; day--) {
			int64_t due = now - (int64_t)day * 86400;

			sqlite3_bind_int64(d, 1, ++id);
			sqlite3_bind_text(d, 2, ch, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(d, 3, ch, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(d, 4, due);
			sqlite3_step(d);
			sqlite3_reset(d);
			for (int p = 0; p < people; p++) {
				/* Everyone misses now and then: streaks break. */
				if ((p * 7 + day) % 13 == 0)
					continue;
				snprintf(user, sizeof user, "U%d", p);
				sqlite3_bind_int64(r, 1, id);
				sqlite3_bind_text(r, 2, ch, -1, SQLITE_TRANSIENT);
				sqlite3_bind_text(r, 3, user, -1, SQLITE_TRANSIENT);
				sqlite3_bind_int64(r, 4, due + 600 + p * 60);
				sqlite3_bind_int64(r, 5, id * 1000 + p);
				sqlite3_step(r);
				sqlite3_reset(r);
			}
		}
	}
	sqlite3_finalize(d);
	sqlite3_finalize(r);
	sqlite3_exec(db, "COMMIT; ANALYZE", NULL, NULL, NULL);
	sqlite3_close(db);
}

/*
 * Run nudged stats, output discarded; milliseconds. user: one person's
 * document; rebuild: the kept measures built again instead.
 */
static double
bench_stats_once(const char *bin, const char *config, const char *user,
    int rebuild)
{
	double t0;
	int status;
	pid_t pid;

	fflush(stdout);	/* the child must not print our buffer again */
	t0 = bench_ms();
	pid = fork();

	if (pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		if (rebuild)
			execl(bin, bin, "stats", "-c", config, "--rebuild",
			    (char *)NULL);
		else if (user != NULL)
			execl(bin, bin, "stats", "-c", config, "--format", "json",
			    "--user", user, (char *)NULL);
		else
			execl(bin, bin, "stats", "-c", config, "--format", "json",
			    (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "nudged stats failed\n");
		exit(3);
	}
	return bench_ms() - t0;
}

int
main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : "./nudged";
	int channels = argc > 2 ? atoi(argv[2]) : 10;
	int people = argc > 3 ? atoi(argv[3]) : 100;
	int days = argc > 4 ? atoi(argv[4]) : 1000;
	int runs = argc > 5 ? atoi(argv[5]) : 3;
	char dir[] = "/tmp/nudged-test-XXXXXX", path[128], cmd[160];
	char *cwd = getcwd(NULL, 0), *cause = NULL;
	double all[16], one[16], t0, rebuilt, away;
	struct store *st;
	FILE *f;

	if (mkdtemp(dir) == NULL || runs < 1 || runs > 16)
		return 2;
	snprintf(path, sizeof path, "%s/nudged.json", dir);
	f = fopen(path, "w");
	fprintf(f, "{\"state_dir\": \"state\", \"timezone\": \"Europe/Berlin\", "
	    "\"prompts\": \"%s/prompts\", \"channels\": {", cwd);
	for (int c = 0; c < channels; c++)
		fprintf(f, "%s\"c%d\": {\"platform\": \"console\"}", c ? ", " : "",
		    c);
	fprintf(f, "}, \"people\": {\"ann\": {\"slack\": \"U17\"}}, "
	    "\"schedules\": [");
	for (int c = 0; c < channels; c++)
		fprintf(f, "%s{\"name\": \"c%d\", \"cron\": \"0 9 * * *\", "
		    "\"channel\": \"c%d\"}", c ? ", " : "", c, c);
	fprintf(f, "]}\n");
	fclose(f);
	snprintf(cmd, sizeof cmd, "%s/state", dir);
	if ((st = store_open(cmd, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return 3;
	}
	store_close(st);
	snprintf(cmd, sizeof cmd, "%s/state/%s", dir, STORE_FILE);
	t0 = bench_ms();
	bench_seed(cmd, channels, people, days);
	printf("stats: seeded %d channels x %d people x %d days in %.1f s\n",
	    channels, people, days, (bench_ms() - t0) / 1e3);
	/* Seeded behind nudged's back: the kept measures start from scratch. */
	rebuilt = bench_stats_once(bin, path, NULL, 1);
	printf("stats: kept measures rebuilt from every answer in %.1f s\n",
	    rebuilt / 1e3);
	for (int i = 0; i < runs; i++) {
		all[i] = bench_stats_once(bin, path, NULL, 0);
		one[i] = bench_stats_once(bin, path, "U7", 0);
		printf("stats run %d: everyone %.0f ms, one person %.0f ms\n", i + 1,
		    all[i], one[i]);
	}
	/* Ann's own absence (`/reflect away`), a month ago for ten days. */
	snprintf(cmd, sizeof cmd, "%s/state", dir);
	if ((st = store_open(cmd, &cause)) == NULL ||
	    store_set_away(st, "ann", time(NULL) / 86400 - 30, time(NULL) /
	    86400 - 20) == -1) {
		fprintf(stderr, "%s\n", cause != NULL ? cause : "store_set_away");
		return 3;
	}
	store_close(st);
	away = bench_stats_once(bin, path, NULL, 0);
	printf("stats: everyone %.0f ms after one person's own absence changed "
	    "(ann, U17, on every channel)\n", away);
	bench_sort(all, runs);
	bench_sort(one, runs);
	printf("stats over about %d answers: everyone %.0f ms, one person %.0f "
	    "ms (median of %d, whole process)\n", channels * people * days * 12 /
	    13, all[runs / 2], one[runs / 2], runs);
	bench_table_row("stats: everyone's document", "ms", all[runs / 2], NULL,
	    0, 0, 0);
	bench_table_row("stats: one person's document", "ms", one[runs / 2],
	    NULL, 0, 0, 0);
	bench_table_row("stats: kept measures rebuilt", "ms", rebuilt, NULL, 0,
	    0, 0);
	bench_table_row("stats: everyone's, one person's absence changed", "ms",
	    away, NULL, 0, 0, 0);
	free(cwd);
	return harness_rmdir(dir) == 0 ? 0 : 3;
}
