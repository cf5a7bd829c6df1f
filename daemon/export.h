/* SPDX-License-Identifier: ISC */
/* `nudged export`: every delivery and reply, for people's own tools. */
#ifndef NUDGED_EXPORT_H
#define NUDGED_EXPORT_H

#include <stdio.h>

struct store;

int	export_write(struct store *, FILE *, const char *format);

#endif
