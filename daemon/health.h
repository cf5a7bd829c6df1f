/* SPDX-License-Identifier: ISC */
/*
 * How the running daemon is doing, for operators: GET /healthz (a JSON
 * verdict, 200 or 503 with the reasons) and the gauges of GET /metrics.
 */
#ifndef NUDGED_HEALTH_H
#define NUDGED_HEALTH_H

struct clock;
struct event_base;
struct health;
struct scheduler;
struct store;

struct health	*health_new(struct event_base *, const struct clock *,
		    struct store *, const char *state_dir);
void		 health_watch(struct health *, const struct scheduler *);
void		 health_free(struct health *);
char		*health_json(struct health *, int *status);
char		*health_metrics(struct health *);

#endif
