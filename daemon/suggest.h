/* SPDX-License-Identifier: ISC */
/*
 * "Did you mean": the closest of a set of known names to a word typed
 * wrong, by Damerau-Levenshtein distance (optimal string alignment, case
 * folded), when it is at most 2 edits away.
 */
#ifndef NUDGED_SUGGEST_H
#define NUDGED_SUGGEST_H

#include <stddef.h>

#define SUGGEST_MAX_DISTANCE	2

/* A search in progress: offer each known name, then ask for the hint. */
struct suggest {
	const char	*word;
	char		*best;
	size_t		 distance;
	char		*hint;
};

size_t	 suggest_distance(const char *, const char *);
void	 suggest_init(struct suggest *, const char *word);
void	 suggest_offer(struct suggest *, const char *candidate);
void	 suggest_offer_zones(struct suggest *);
const char *suggest_zone(struct suggest *, const char *name);
const char *suggest_hint(struct suggest *);
void	 suggest_clear(struct suggest *);

#endif
