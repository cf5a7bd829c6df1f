/* SPDX-License-Identifier: ISC */
/* The sink fixture: a folder, a free port and a recording sink, removed by PID and path. */
#include "sink_fixture.h"

#include <stdlib.h>

#include "harness.h"

/* cmocka setup: make the folder and start the sink. */
int
sink_fixture_setup(void **state)
{
	struct sink_fixture *f = calloc(1, sizeof *f);
	char *log;

	f->dir = harness_tmpdir();
	f->config = harness_format("%s/nudged.json", f->dir);
	f->state = harness_format("%s/state", f->dir);
	f->port = harness_free_port();
	log = harness_format("%s/sink.log", f->dir);
	if (sink_start(&f->sink, log, 1) != 0)
		return -1;
	free(log);
	*state = f;
	return 0;
}

/* cmocka teardown: stop the sink by PID and remove the folder. */
int
sink_fixture_teardown(void **state)
{
	struct sink_fixture *f = *state;

	sink_stop(&f->sink);
	harness_rmdir(f->dir);
	free(f->config);
	free(f->state);
	free(f->dir);
	free(f);
	return 0;
}
