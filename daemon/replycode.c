/* SPDX-License-Identifier: ISC */
/*
 * Reply codes: four characters from an alphabet without look-alikes (no 0/O,
 * 1/I/L, U/V), so a code read off a phone is typed right. The code is a
 * bijection of the delivery id modulo 29^4 (707,281): consecutive nudges get
 * codes that look unrelated, and a code repeats only after 707,281
 * deliveries, long after the answer window that resolves it has closed.
 */
#include "replycode.h"

#include <ctype.h>
#include <string.h>

static const char replycode_alphabet[] = "ABCDEFGHJKMNPQRSTWXYZ23456789";
#define REPLYCODE_BASE	29
#define REPLYCODE_SPACE	(29LL * 29 * 29 * 29)
/* Multiplier coprime with 29^4, so id -> id * M mod 29^4 is a bijection. */
#define REPLYCODE_MUL	458329LL

/* The code shown with delivery id. */
void
replycode_for(int64_t delivery_id, char out[REPLYCODE_LEN + 1])
{
	int64_t v = ((delivery_id % REPLYCODE_SPACE) * REPLYCODE_MUL) %
	    REPLYCODE_SPACE;

	for (int i = REPLYCODE_LEN - 1; i >= 0; i--) {
		out[i] = replycode_alphabet[v % REPLYCODE_BASE];
		v /= REPLYCODE_BASE;
	}
	out[REPLYCODE_LEN] = '\0';
}

/* Uppercase a code someone typed and check it could be one; 0 ok, -1 not a code. */
int
replycode_normalize(const char *in, char out[REPLYCODE_LEN + 1])
{
	if (strlen(in) != REPLYCODE_LEN)
		return -1;
	for (int i = 0; i < REPLYCODE_LEN; i++) {
		char c = (char)toupper((unsigned char)in[i]);

		if (strchr(replycode_alphabet, c) == NULL)
			return -1;
		out[i] = c;
	}
	out[REPLYCODE_LEN] = '\0';
	return 0;
}
