/* SPDX-License-Identifier: ISC */
/*
 * The delivery worker's test world (deliver_fixture.h): deliver runs in the
 * test's process on its own loop and a fake clock that the test moves and
 * kicks the worker about, so no test waits for real time to pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bank.h"
#include "config.h"
#include "deliver.h"
#include "deliver_fixture.h"
#include "harness.h"
#include "store_engine.h"

/* Empty fx and give it a private folder with nudged.json and state in it. */
void
deliver_fixture_init(struct deliver_fixture *fx)
{
	memset(fx, 0, sizeof *fx);
	fx->dir = harness_tmpdir();
	fx->config = harness_format("%s/nudged.json", fx->dir);
	fx->state = harness_format("%s/state", fx->dir);
}

/* Write and load the config text, its bank and the store; clock at now s. */
void
deliver_fixture_load(struct deliver_fixture *fx, const char *text,
    int64_t now)
{
	char *cause = NULL;

	harness_write(fx->config, text);
	if ((fx->cfg = config_load(fx->config, &cause)) == NULL ||
	    (fx->bank = bank_load_for(fx->cfg, &cause)) == NULL ||
	    (fx->st = store_engine_open(fx->state, &cause)) == NULL)
		fail_msg("%s", cause);
	fx->now = now;
	clock_fake_init(&fx->clock, now * 1000);
	fx->base = event_base_new();
}

/* Start the daemon's worker on the fake clock. */
void
deliver_fixture_start(struct deliver_fixture *fx)
{
	char *cause = NULL;

	if ((fx->d = deliver_start(fx->base, fx->st, fx->cfg, fx->bank,
	    &fx->clock.clock, &cause)) == NULL)
		fail_msg("%s", cause);
}

/* Free the worker and what it ran on; remove the folder if fx made one. */
void
deliver_fixture_close(struct deliver_fixture *fx)
{
	deliver_free(fx->d);
	event_base_free(fx->base);
	store_close(fx->st);
	store_engine_forget(fx->state);
	bank_free(fx->bank);
	config_free(fx->cfg);
	if (fx->dir != NULL)
		harness_rmdir(fx->dir);
	free(fx->dir);
	free(fx->config);
	free(fx->state);
}

/* Add one pending row d as the scheduler would; its id. */
int64_t
deliver_fixture_seed(struct deliver_fixture *fx, const struct store_delivery *d)
{
	int64_t id = 0;

	assert_int_equal(store_begin(fx->st), 0);
	assert_int_equal(store_enqueue(fx->st, d, &id), 1);
	assert_int_equal(store_commit(fx->st), 0);
	return id;
}

/* Run the loop for about ms of real time (the fake clock stands still). */
void
deliver_fixture_tick(struct deliver_fixture *fx, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	event_base_loopexit(fx->base, &tv);
	event_base_dispatch(fx->base);
}

/*
 * Run the loop until a query of the store gives want (5 s at most); with a
 * drift the fake clock moves that many ms a step, so a per-second cap lets
 * rows through.
 */
void
deliver_fixture_wait(struct deliver_fixture *fx, long long want,
    const char *fmt, ...)
{
	char *sql;
	va_list ap;
	long long got = -1;

	va_start(ap, fmt);
	if (vasprintf(&sql, fmt, ap) < 0)
		abort();
	va_end(ap);
	for (int i = 0; i < 500; i++) {
		if ((got = harness_db_int(fx->state, "%s", sql)) == want)
			break;
		if (fx->drift > 0)
			deliver_fixture_advance(fx, fx->drift);
		deliver_fixture_tick(fx, 10);
	}
	if (got != want)
		fail_msg("%s gives %lld, not %lld", sql, got, want);
	free(sql);
}

/* Move the fake clock on and tell the worker to look. */
void
deliver_fixture_advance(struct deliver_fixture *fx, int64_t ms)
{
	clock_fake_advance(&fx->clock, ms);
	deliver_kick(fx->d);
}

/* How many recorded calls have body key equal to value; frees calls. */
int
deliver_fixture_count(cJSON *calls, const char *key, const char *value)
{
	cJSON *c;
	int n = 0;

	cJSON_ArrayForEach(c, calls) {
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(
		    cJSON_GetObjectItem(c, "body"), key));

		n += v != NULL && strcmp(v, value) == 0;
	}
	cJSON_Delete(calls);
	return n;
}

/* Send stderr to dir/stderr.log until deliver_fixture_release; the old one. */
int
deliver_fixture_capture(struct deliver_fixture *fx)
{
	char *path = harness_format("%s/stderr.log", fx->dir);
	int saved, fd;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, STDERR_FILENO);
	close(fd);
	free(path);
	return saved;
}

/* Give stderr back (saved from deliver_fixture_capture); what was logged. */
char *
deliver_fixture_release(struct deliver_fixture *fx, int saved)
{
	char *path = harness_format("%s/stderr.log", fx->dir), *logged;

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	logged = harness_read(path);
	free(path);
	return logged;
}

/*
 * A channel's refused credentials were logged once, never the token, and
 * nobody was marked unreachable for the channel's fault.
 */
void
deliver_fixture_refused_once(struct deliver_fixture *fx, const char *logged,
    const char *token)
{
	assert_non_null(strstr(logged, "refused its credentials"));
	assert_null(strstr(strstr(logged, "refused its credentials") + 1,
	    "refused its credentials"));
	assert_null(strstr(logged, token));
	assert_int_equal(harness_db_int(fx->state, "SELECT count(*) FROM "
	    "person_channels WHERE inactive IS NOT NULL"), 0);
}
