/* SPDX-License-Identifier: ISC */
/*
 * Suggestions for names typed wrong: config keys, channel names, time
 * zones. The distance is the optimal string alignment variant of
 * Damerau-Levenshtein (insert, delete, substitute, swap two neighbours),
 * computed on lowercase letters, so "chanels", "Europe/Berln" and
 * "europe/berlin" all find their name. Zones are the names tzdata.zi lists
 * (zones and links), read only when a zone was not found.
 */
#include "suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* Longer words are never close enough to anything to be worth comparing. */
#define SUGGEST_MAX_LEN	128

static size_t	 suggest_min3(size_t, size_t, size_t);

/* The smallest of three. */
static size_t
suggest_min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* The edit distance of a and b, case folded (SIZE_MAX for overlong words). */
size_t
suggest_distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), d, cost;
	size_t (*m)[SUGGEST_MAX_LEN + 1];

	if (na > SUGGEST_MAX_LEN || nb > SUGGEST_MAX_LEN)
		return (size_t)-1;
	m = xcalloc(na + 1, sizeof *m);
	for (size_t i = 0; i <= na; i++)
		m[i][0] = i;
	for (size_t j = 0; j <= nb; j++)
		m[0][j] = j;
	for (size_t i = 1; i <= na; i++) {
		for (size_t j = 1; j <= nb; j++) {
			cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			m[i][j] = suggest_min3(m[i - 1][j] + 1, m[i][j - 1] + 1,
			    m[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) ==
			    tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) ==
			    tolower((unsigned char)b[j - 1]) &&
			    m[i - 2][j - 2] + 1 < m[i][j])
				m[i][j] = m[i - 2][j - 2] + 1;
		}
	}
	d = m[na][nb];
	free(m);
	return d;
}

/* Start looking for the name closest to word. */
void
suggest_init(struct suggest *s, const char *word)
{
	memset(s, 0, sizeof *s);
	s->word = word;
	s->distance = (size_t)-1;
}

/* Consider one known name; the first of equally close ones is kept. */
void
suggest_offer(struct suggest *s, const char *candidate)
{
	size_t d;

	if (strcmp(candidate, s->word) == 0)
		return;
	d = suggest_distance(s->word, candidate);
	/* Two edits to a two-letter word would suggest anything. */
	if (d > SUGGEST_MAX_DISTANCE || d >= strlen(s->word) || d >= s->distance)
		return;
	free(s->best);
	s->best = xstrdup(candidate);
	s->distance = d;
}

/* Consider every zone and link name of the system's time zone database. */
void
suggest_offer_zones(struct suggest *s)
{
	const char *dir = getenv("TZDIR");
	char *path, line[512], name[256];
	FILE *f;

	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	xasprintf(&path, "%s/tzdata.zi", dir);
	f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return;
	/* "Z Europe/Berlin ..." names a zone, "L Europe/Zurich Europe/Busingen" a link. */
	while (fgets(line, sizeof line, f) != NULL) {
		if ((line[0] == 'Z' && sscanf(line, "Z %255s", name) == 1) ||
		    (line[0] == 'L' && sscanf(line, "L %*s %255s", name) == 1))
			suggest_offer(s, name);
	}
	fclose(f);
	suggest_offer(s, "UTC");
}

/* Search the zones for a zone name that was not found; its hint (see suggest_hint). */
const char *
suggest_zone(struct suggest *s, const char *name)
{
	suggest_init(s, name);
	suggest_offer_zones(s);
	return suggest_hint(s);
}

/* " (did you mean \"NAME\"?)", or "" when nothing is close; valid until cleared. */
const char *
suggest_hint(struct suggest *s)
{
	if (s->best == NULL)
		return "";
	free(s->hint);
	xasprintf(&s->hint, " (did you mean \"%s\"?)", s->best);
	return s->hint;
}

/* Free what the search kept. */
void
suggest_clear(struct suggest *s)
{
	free(s->best);
	free(s->hint);
	s->best = s->hint = NULL;
}
