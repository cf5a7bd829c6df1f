/* SPDX-License-Identifier: ISC */
/*
 * A `nudged serve` on a free loopback port whose Slack channel talks to the
 * fake Web API (slack_fake.h), in a private folder, and requests to it
 * signed as Slack signs them.
 */
#ifndef NUDGED_TEST_SLACK_SERVE_H
#define NUDGED_TEST_SLACK_SERVE_H

#include "harness.h"
#include "slack_fake.h"

struct slack_serve {
	char			*dir;
	char			*state;		/* dir/state */
	char			*config;	/* dir/nudged.json */
	int			 port;		/* nudged's listener */
	struct slack_fake	 fake;		/* recording to dir/slack.log */
	struct harness_proc	 serve;
};

void	slack_serve_open(struct slack_serve *, const struct slack_fake_opts *);
void	slack_serve_close(struct slack_serve *);
void	slack_serve_run(struct slack_serve *, const char *);
int	slack_serve_teardown(void **);
int	slack_serve_post(struct slack_serve *, const char *, const char *,
	    const char *, const char *, char **);
int	slack_serve_interact(struct slack_serve *, const char *, const char *,
	    char **);

#endif
