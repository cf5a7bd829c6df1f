/* SPDX-License-Identifier: ISC */
/* The schedules at run time: when each is next due, and what happens then. */
#ifndef NUDGED_SCHEDULE_H
#define NUDGED_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

struct bank;
struct clock;
struct config;
struct config_person;
struct config_schedule;
struct event_base;
struct scheduler;
struct tz;

/* One upcoming nudge, for previews. */
struct schedule_instant {
	int64_t				 at;	/* UTC seconds */
	const struct config_schedule	*schedule;
	const struct config_person	*person; /* asked directly, or NULL */
	const struct tz			*tz;	/* the wall clock it is read on */
	size_t				 slot;	/* its (schedule, person) pair's
						   number, for per-pair state */
	int				 skipped; /* a skip date or calendar */
};

struct scheduler *scheduler_start(struct event_base *, const struct clock *,
		    struct store *, const struct config *, const struct bank *,
		    char **cause);
int		 scheduler_reload(struct scheduler *, const struct config *,
		    const struct bank *);
int		 scheduler_refresh(struct scheduler *);
void		 scheduler_stop(struct scheduler *);
void		 scheduler_wake(struct scheduler *);
void		 scheduler_on_enqueue(struct scheduler *,
		    void (*)(void *), void *);
int		 scheduler_next_due(const struct scheduler *, const char **name,
		    const struct config_schedule **, int64_t *at);

int		 schedule_enqueue(struct store *, const struct bank *,
		    const struct config_schedule *, const char *person,
		    int64_t at, enum store_state, int64_t *id, char **cause);
/* What an event adds to a nudge it opens (POST /api/v1/nudges). */
struct schedule_event {
	const char	*id;		/* the caller's, unique per channel */
	const char	*context;	/* the line above the question, or NULL */
};

int		 schedule_enqueue_now(struct store *, const struct bank *,
		    const struct config_schedule *, const char *person,
		    int64_t now, const struct schedule_event *, int64_t *id,
		    char **cause);
size_t		 schedule_preview(const struct schedule_instant *slots,
		    size_t nslots, int64_t from, int64_t until, size_t max,
		    struct schedule_instant *out);
size_t		 schedule_preview_slots(const struct config *,
		    struct schedule_instant *);
size_t		 schedule_dst_notes(const struct config *, int64_t from,
		    int64_t until, char ***notes);
int		 schedule_skips_instant(const struct config_schedule *,
		    int64_t at);
int		 schedule_skips_in(const struct config_schedule *,
		    const struct tz *, int64_t at);
int64_t		 schedule_local_day(const struct tz *, int64_t at);
int		 schedule_remind(struct store *, const struct config *,
		    int64_t now, int *enqueued);
int64_t		 schedule_next_reminder(const struct config *, int64_t now);

#endif
