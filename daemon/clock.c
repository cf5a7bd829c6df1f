/* SPDX-License-Identifier: ISC */
/* The system's clocks, and a hand-held one for tests. */
#include "clock.h"

#include <time.h>

static int64_t	clock_system_real_cb(void *);
static int64_t	clock_system_mono_cb(void *);
static int64_t	clock_fake_real_cb(void *);
static int64_t	clock_fake_mono_cb(void *);

static const struct clock clock_sys = {
	.realtime_ms = clock_system_real_cb,
	.monotonic_ms = clock_system_mono_cb,
	.arg = NULL,
};

/* Milliseconds of a POSIX clock. */
static int64_t
clock_read_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
clock_system_real_cb(void *arg)
{
	(void)arg;
	return clock_read_ms(CLOCK_REALTIME);
}

static int64_t
clock_system_mono_cb(void *arg)
{
	(void)arg;
	return clock_read_ms(CLOCK_MONOTONIC);
}

/* The clock the daemon runs on. */
const struct clock *
clock_system(void)
{
	return &clock_sys;
}

/* UTC seconds since 1970, rounded down (also before 1970). */
int64_t
clock_now(const struct clock *c)
{
	int64_t ms = clock_now_ms(c);

	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

/* UTC milliseconds since 1970. */
int64_t
clock_now_ms(const struct clock *c)
{
	return c->realtime_ms(c->arg);
}

/* Milliseconds of a clock that never jumps. */
int64_t
clock_mono_ms(const struct clock *c)
{
	return c->monotonic_ms(c->arg);
}

/* The clock's wall time minus the system's; exactly 0 for the system clock. */
int64_t
clock_offset_ms(const struct clock *c)
{
	if (c == &clock_sys)
		return 0;
	return clock_now_ms(c) - clock_read_ms(CLOCK_REALTIME);
}

static int64_t
clock_fake_real_cb(void *arg)
{
	return ((const struct clock_fake *)arg)->real_ms;
}

static int64_t
clock_fake_mono_cb(void *arg)
{
	return ((const struct clock_fake *)arg)->mono_ms;
}

/* A test clock at real_ms; its monotonic reading starts at one second. */
void
clock_fake_init(struct clock_fake *f, int64_t real_ms)
{
	f->clock.realtime_ms = clock_fake_real_cb;
	f->clock.monotonic_ms = clock_fake_mono_cb;
	f->clock.arg = f;
	f->real_ms = real_ms;
	f->mono_ms = 1000;
}

/* Jump the wall clock (as an admin or NTP would); monotonic time is untouched. */
void
clock_fake_set(struct clock_fake *f, int64_t real_ms)
{
	f->real_ms = real_ms;
}

/* Let ms pass on both clocks. */
void
clock_fake_advance(struct clock_fake *f, int64_t ms)
{
	f->real_ms += ms;
	f->mono_ms += ms;
}
