/* SPDX-License-Identifier: ISC */
/* Telling systemd where nudged is: ready, reloading, stopping, alive. */
#ifndef NUDGED_NOTIFY_H
#define NUDGED_NOTIFY_H

#include <stdint.h>

/* How long systemd waits for the next notify_busy. */
#define NOTIFY_BUSY_USEC	60000000

void	notify_ready(const char *status);
void	notify_reloading(void);
void	notify_stopping(void);
void	notify_status(const char *status);
void	notify_watchdog(void);
void	notify_busy(void);
int64_t	notify_watchdog_usec(void);

#endif
