/* SPDX-License-Identifier: ISC */
/* Short reply codes that tie an answer to its nudge ("K7QX"). */
#ifndef NUDGED_REPLYCODE_H
#define NUDGED_REPLYCODE_H

#include <stdint.h>

#define REPLYCODE_LEN	4

void	replycode_for(int64_t delivery_id, char out[REPLYCODE_LEN + 1]);
int	replycode_normalize(const char *in, char out[REPLYCODE_LEN + 1]);

#endif
