/* SPDX-License-Identifier: ISC */
/*
 * What the daemon says about its schedules at start and after a reload: the
 * next nudge due, and which schedules a reload added, removed or changed.
 */
#ifndef NUDGED_ANNOUNCE_H
#define NUDGED_ANNOUNCE_H

struct config;
struct scheduler;

char	*announce_next(const struct scheduler *);
char	*announce_changes(const struct config *old, const struct config *new);

#endif
