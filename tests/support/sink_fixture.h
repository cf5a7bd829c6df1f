/* SPDX-License-Identifier: ISC */
/* A test world with a webhook sink: a private folder, a config path, a port. */
#ifndef NUDGED_TEST_SINK_FIXTURE_H
#define NUDGED_TEST_SINK_FIXTURE_H

#include "sink.h"

struct sink_fixture {
	char		*dir;
	char		*config;	/* dir/nudged.json, written by each test */
	char		*state;		/* dir/state */
	int		 port;		/* for nudged's own listener */
	struct sink	 sink;		/* recording to dir/sink.log */
};

int	sink_fixture_setup(void **state);
int	sink_fixture_teardown(void **state);

#endif
