/* SPDX-License-Identifier: ISC */
/*
 * The answer pipeline's in-process test world (reply_world.h): the config
 * each test writes, its bank and store, a loop, a fake clock, and reply.c's
 * replies on them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bank.h"
#include "config.h"
#include "harness.h"
#include "reply_world.h"
#include "store_engine.h"

static void	reply_world_answer_cb(void *, const struct reply_response *);

/* Empty w and give it a private folder for its config and state. */
void
reply_world_init(struct reply_world *w)
{
	memset(w, 0, sizeof *w);
	w->dir = harness_tmpdir();
	w->config = harness_format("%s/nudged.json", w->dir);
	w->state = harness_format("%s/state", w->dir);
}

/* Write and load the config text, its bank and store; replies at now s. */
void
reply_world_load(struct reply_world *w, const char *text, int64_t now)
{
	char *cause = NULL;

	harness_write(w->config, text);
	if ((w->cfg = config_load(w->config, &cause)) == NULL ||
	    (w->bank = bank_load_for(w->cfg, &cause)) == NULL ||
	    (w->st = store_engine_open(w->cfg->state_dir, &cause)) == NULL)
		fail_msg("%s", cause);
	w->base = event_base_new();
	clock_fake_init(&w->clock, now * 1000);
	w->r = replies_new(w->base, &w->clock.clock, w->st, w->cfg, w->bank);
}

/* Free the replies and what they ran on; remove the folder. */
void
reply_world_close(struct reply_world *w)
{
	replies_free(w->r);
	store_close(w->st);
	if (w->cfg != NULL)
		store_engine_forget(w->cfg->state_dir);
	bank_free(w->bank);
	config_free(w->cfg);
	event_base_free(w->base);
	harness_rmdir(w->dir);
	free(w->config);
	free(w->state);
	free(w->dir);
}

/* Let the loop turn once: the batch is committed and answered. */
void
reply_world_turn(struct reply_world *w)
{
	event_base_loop(w->base, EVLOOP_NONBLOCK);
}

/* A count from the store. */
long long
reply_world_count(struct reply_world *w, const char *sql)
{
	return harness_db_int(w->state, "%s", sql);
}

/* Add a sent delivery d, and where it landed when conv is not NULL; its id. */
int64_t
reply_world_sent(struct reply_world *w, const struct store_delivery *d,
    const char *conv, const char *ts)
{
	int64_t id = 0;

	assert_int_equal(store_enqueue(w->st, d, &id), 1);
	if (conv != NULL)
		assert_int_equal(store_set_message(w->st, id, conv, ts), 0);
	return id;
}

/* The waiter's callback: keep a copy of the answer. */
static void
reply_world_answer_cb(void *arg, const struct reply_response *resp)
{
	struct reply_answer *a = arg;

	a->calls++;
	a->status = resp->status;
	free(a->type);
	free(a->body);
	a->type = strdup(resp->content_type);
	a->body = strdup(resp->body);
}

/* A waiter that keeps what was answered in a. */
struct reply_waiter
reply_world_waiter(struct reply_answer *a)
{
	return (struct reply_waiter){ reply_world_answer_cb, a };
}

/* A request header by name from ctx, "Name: value" lines ending in NULL. */
const char *
reply_world_header(void *ctx, const char *name)
{
	char **h = ctx;
	size_t n = strlen(name);

	for (; h != NULL && *h != NULL; h++)
		if (strncasecmp(*h, name, n) == 0 && (*h)[n] == ':')
			return *h + n + 2;
	return NULL;
}

/* Free what a kept. */
void
reply_answer_free(struct reply_answer *a)
{
	free(a->type);
	free(a->body);
}
