/* SPDX-License-Identifier: ISC */
/*
 * Where nudged reads the time. The daemon runs on the system's clocks; tests
 * hold a clock_fake and move it by hand, so schedules, retries and answer
 * windows are tested in milliseconds without waiting.
 */
#ifndef NUDGED_CLOCK_H
#define NUDGED_CLOCK_H

#include <stdint.h>

struct clock {
	/* Wall-clock time: UTC milliseconds since 1970. */
	int64_t	(*realtime_ms)(void *arg);
	/* Time that never jumps, for intervals and deadlines. */
	int64_t	(*monotonic_ms)(void *arg);
	void	*arg;
};

/* The system's CLOCK_REALTIME and CLOCK_MONOTONIC. */
const struct clock *clock_system(void);

/* UTC seconds since 1970. */
int64_t	clock_now(const struct clock *);
int64_t	clock_now_ms(const struct clock *);
int64_t	clock_mono_ms(const struct clock *);
/*
 * How far the clock's wall time is ahead of the system's (negative when
 * behind); 0 for clock_system(). For kernel timers that count on the
 * system's wall clock, such as the scheduler's timerfd.
 */
int64_t	clock_offset_ms(const struct clock *);

/* A clock a test sets and advances; both readings move together. */
struct clock_fake {
	struct clock	clock;
	int64_t		real_ms;
	int64_t		mono_ms;
};

void	clock_fake_init(struct clock_fake *, int64_t real_ms);
void	clock_fake_set(struct clock_fake *, int64_t real_ms);
void	clock_fake_advance(struct clock_fake *, int64_t ms);

#endif
