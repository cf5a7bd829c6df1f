/* SPDX-License-Identifier: ISC */
/*
 * A delivery worker under test on a hand-held clock: its config, bank,
 * store and loop, the steps a test takes (seed a row, turn the loop, wait
 * for the store, move the clock), and counting a fake API's calls.
 */
#ifndef NUDGED_TEST_DELIVER_FIXTURE_H
#define NUDGED_TEST_DELIVER_FIXTURE_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "store.h"

struct deliver_fixture {
	char			*dir;		/* removed at close when set */
	char			*config;	/* the config file's path */
	char			*state;		/* the state folder's path */
	struct config		*cfg;
	struct bank		*bank;
	struct store		*st;
	struct event_base	*base;
	struct clock_fake	 clock;
	int64_t			 now;	/* the fake clock's start, in seconds */
	struct deliver		*d;
	int			 drift;	/* fake ms a wait step moves, or 0 */
};

void	deliver_fixture_init(struct deliver_fixture *);
void	deliver_fixture_load(struct deliver_fixture *, const char *, int64_t);
void	deliver_fixture_start(struct deliver_fixture *);
void	deliver_fixture_close(struct deliver_fixture *);
int64_t	deliver_fixture_seed(struct deliver_fixture *,
	    const struct store_delivery *);
void	deliver_fixture_tick(struct deliver_fixture *, int);
void	deliver_fixture_wait(struct deliver_fixture *, long long,
	    const char *, ...) __attribute__((format(printf, 3, 4)));
void	deliver_fixture_advance(struct deliver_fixture *, int64_t);
int	deliver_fixture_count(cJSON *, const char *, const char *);
int	deliver_fixture_capture(struct deliver_fixture *);
char	*deliver_fixture_release(struct deliver_fixture *, int);
void	deliver_fixture_refused_once(struct deliver_fixture *, const char *,
	    const char *);

#endif
