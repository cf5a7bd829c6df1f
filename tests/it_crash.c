/* SPDX-License-Identifier: ISC */
/*
 * kill -9 during a load of signed answers: several clients post Slack-signed
 * answers as fast as the daemon takes them, the daemon is killed with
 * SIGKILL mid-load, restarted, and every answer it acknowledged (2xx) must
 * be in the database exactly once. Short by default (one round); `make
 * crash` runs the long form (NUDGED_CRASH_ROUNDS, NUDGED_CRASH_ACKS).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "replies_fixture.h"
#include "signed.h"

#define CRASH_CLIENTS	4
#define CRASH_MAX_MS	60000	/* one round's load, at most */

static long	 crash_env(const char *, long);
static void	 crash_client(struct replies_fixture *, int, int, const char *);
static long	 crash_each_acked(const char *, int,
		    void (*)(void *, const char *), void *);
static void	 crash_check_cb(void *, const char *);

/* A positive number from the environment, or def. */
static long
crash_env(const char *name, long def)
{
	const char *v = getenv(name);
	long n = v != NULL ? strtol(v, NULL, 10) : 0;

	return n > 0 ? n : def;
}

/*
 * One client (a child process): post signed slash commands, each with its
 * own trigger id, and append the id of each one answered 2xx to its file,
 * until the daemon stops answering.
 */
static void
crash_client(struct replies_fixture *f, int round, int client,
    const char *dir)
{
	char *path = harness_format("%s/acked-%d-%d", dir, round, client);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	const char *form = "Content-Type: application/x-www-form-urlencoded";

	for (long i = 0; fd != -1; i++) {
		char *id = harness_format("r%d-c%d-%ld", round, client, i);
		char *body = harness_format("token=x&team_id=T1&channel_id="
		    "C0LEADERS&user_id=U%d&user_name=u&command=%%2Freflect&text="
		    "%s+answer+%s&trigger_id=%s", client, f->slack_code, id, id);
		char *h[2], *out, *line;
		int status;

		signed_slack(FIXTURE_SLACK_SECRET, time(NULL), body, h);
		status = harness_http_post(f->port, "/slack/commands",
		    (const char *[]){ form, h[0], h[1], NULL }, body,
		    strlen(body), &out);
		if (status >= 200 && status < 300) {
			line = harness_format("%s\n", id);
			if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
				_exit(2);
			free(line);
		}
		free(out);
		free(h[0]);
		free(h[1]);
		free(body);
		free(id);
		if (status == -1)
			break;
	}
	_exit(0);
}

/* Call cb with each acknowledged id of rounds 0..rounds-1; how many there are. */
static long
crash_each_acked(const char *dir, int rounds, void (*cb)(void *, const char *),
    void *arg)
{
	char line[128], *path;
	long n = 0;
	FILE *fp;

	for (int r = 0; r < rounds; r++) {
		for (int c = 0; c < CRASH_CLIENTS; c++) {
			path = harness_format("%s/acked-%d-%d", dir, r, c);
			if ((fp = fopen(path, "r")) != NULL) {
				while (fgets(line, sizeof line, fp) != NULL &&
				    strchr(line, '\n') != NULL) {
					*strchr(line, '\n') = '\0';
					if (cb != NULL)
						cb(arg, line);
					n++;
				}
				fclose(fp);
			}
			free(path);
		}
	}
	return n;
}

/* One acknowledged answer must be stored exactly once. */
static void
crash_check_cb(void *arg, const char *id)
{
	long long n = harness_db_int(arg, "SELECT count(*) FROM replies WHERE "
	    "source = 'slack' AND message_id = '%s'", id);

	if (n != 1)
		fail_msg("answer %s was acknowledged; stored %lld times", id, n);
}

/* Load, kill -9, restart, check: once per round. */
static void
test_kill_during_signed_answers(void **state)
{
	struct replies_fixture *f = *state;
	long rounds = crash_env("NUDGED_CRASH_ROUNDS", 1);
	long target = crash_env("NUDGED_CRASH_ACKS", 300);
	char *dir = harness_format("%s/acks", f->dir);
	char *state_dir = harness_format("%s/state", f->dir);
	long acked = 0, stored = 0;
	pid_t kids[CRASH_CLIENTS];

	assert_int_equal(mkdir(dir, 0700), 0);
	for (int r = 0; r < rounds; r++) {
		for (int c = 0; c < CRASH_CLIENTS; c++) {
			if ((kids[c] = fork()) == 0)
				crash_client(f, r, c, dir);
			assert_true(kids[c] > 0);
		}
		/* Kill while the clients are still posting. */
		for (int ms = 0; crash_each_acked(dir, r + 1, NULL, NULL) -
		    acked < target; ms += 20) {
			if (ms > CRASH_MAX_MS)
				fail_msg("round %d: only %ld answers in %d s", r,
				    crash_each_acked(dir, r + 1, NULL, NULL) - acked,
				    CRASH_MAX_MS / 1000);
			usleep(20000);
			harness_drain(&f->serve);
		}
		kill(f->serve.pid, SIGKILL);
		assert_int_equal(harness_wait_exit(&f->serve, 10000), 128 + SIGKILL);
		harness_kill(&f->serve);
		for (int c = 0; c < CRASH_CLIENTS; c++) {
			int st;

			assert_int_equal(waitpid(kids[c], &st, 0), kids[c]);
			assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		}
		harness_serve_start(&f->serve, f->config);
		acked = crash_each_acked(dir, r + 1, crash_check_cb, state_dir);
		stored = (long)harness_db_int(state_dir, "SELECT count(*) FROM "
		    "replies");
		fprintf(stderr, "round %d: %ld answers acknowledged in all, each "
		    "stored once; %ld stored (the rest were in flight)\n", r,
		    acked, stored);
		assert_true(stored >= acked);
	}
	free(dir);
	free(state_dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kill_during_signed_answers,
		    replies_fixture_setup, replies_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
