/* SPDX-License-Identifier: ISC */
/* People's zones from their chat profiles, for schedules on each person's clock. */
#ifndef NUDGED_ZONES_H
#define NUDGED_ZONES_H

struct clock;
struct config;
struct event_base;
struct scheduler;
struct store;
struct zones;

struct zones	*zones_start(struct event_base *, const struct clock *,
		    struct store *, const struct config *, struct scheduler *);
void		 zones_reload(struct zones *, const struct config *);
void		 zones_free(struct zones *);

#endif
