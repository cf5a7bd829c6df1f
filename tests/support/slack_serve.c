/* SPDX-License-Identifier: ISC */
/*
 * The Slack end-to-end world (slack_serve.h): a folder, a free port for
 * nudged and the fake Web API; the daemon is started by the test once it
 * has written its config, and everything is stopped by PID and removed.
 */
#include "slack_serve.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signed.h"

/* Empty s, make its folder, pick nudged's port and start the fake with opts. */
void
slack_serve_open(struct slack_serve *s, const struct slack_fake_opts *opts)
{
	char *log;

	memset(s, 0, sizeof *s);
	s->dir = harness_tmpdir();
	s->state = harness_format("%s/state", s->dir);
	s->config = harness_format("%s/nudged.json", s->dir);
	s->port = harness_free_port();
	log = harness_format("%s/slack.log", s->dir);
	assert_int_equal(slack_fake_start(&s->fake, log, opts), 0);
	free(log);
}

/* Stop the daemon and the fake by PID and remove the folder. */
void
slack_serve_close(struct slack_serve *s)
{
	harness_serve_stop(&s->serve);
	slack_fake_stop(&s->fake);
	harness_rmdir(s->dir);
	free(s->config);
	free(s->state);
	free(s->dir);
}

/* Write the config text and start `nudged serve` on it. */
void
slack_serve_run(struct slack_serve *s, const char *text)
{
	harness_write(s->config, text);
	harness_serve_start(&s->serve, s->config);
}

/* cmocka teardown of an allocated slack_serve: close and free it. */
int
slack_serve_teardown(void **state)
{
	struct slack_serve *s = *state;

	slack_serve_close(s);
	free(s);
	return 0;
}

/* POST body of type to path on nudged, signed now with secret; the status. */
int
slack_serve_post(struct slack_serve *s, const char *secret, const char *path,
    const char *type, const char *body, char **out)
{
	return signed_slack_post(s->port, secret, (int64_t)time(NULL), path,
	    type, body, out);
}

/*
 * POST an interaction payload as Slack's form, signed now with secret; the
 * status, and the answer in out unless out is NULL.
 */
int
slack_serve_interact(struct slack_serve *s, const char *secret,
    const char *payload, char **out)
{
	char *enc = harness_form_encode(payload), *answer = NULL;
	char *body = harness_format("payload=%s", enc);
	int status = slack_serve_post(s, secret, "/slack/interactions",
	    "application/x-www-form-urlencoded", body, &answer);

	if (out != NULL)
		*out = answer;
	else
		free(answer);
	free(body);
	free(enc);
	return status;
}
