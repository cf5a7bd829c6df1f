/* SPDX-License-Identifier: ISC */
/*
 * A thin wrapper over sd_notify(3). Outside systemd ($NOTIFY_SOCKET unset)
 * every call is a no-op, which is what sd_notify itself does.
 */
#include "notify.h"

#include <stdio.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"

/* Ready to serve: database open, listener bound, schedules armed. */
void
notify_ready(const char *status)
{
	if (sd_notifyf(0, "READY=1\nSTATUS=%s", status) < 0)
		log_warnx("sd_notify READY failed");
}

/* A reload began; MONOTONIC_USEC lets newer systemd match it to its request. */
void
notify_reloading(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
}

/* Shutdown began. */
void
notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

/* A one-line human status for systemctl status. */
void
notify_status(const char *status)
{
	sd_notifyf(0, "STATUS=%s", status);
}

/* The loop is alive. */
void
notify_watchdog(void)
{
	sd_notify(0, "WATCHDOG=1");
}

/*
 * Busy on the loop's thread for a while yet (a long build): alive for the
 * watchdog, and the start-up or reload timeout moved on past the next
 * call, which comes well within NOTIFY_BUSY_USEC.
 */
void
notify_busy(void)
{
	sd_notifyf(0, "WATCHDOG=1\nEXTEND_TIMEOUT_USEC=%llu",
	    (unsigned long long)NOTIFY_BUSY_USEC);
}

/* The watchdog interval systemd expects pings within, or 0 when off. */
int64_t
notify_watchdog_usec(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	return (int64_t)usec;
}
