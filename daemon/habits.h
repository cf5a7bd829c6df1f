/* SPDX-License-Identifier: ISC */
/* Habits: streaks, response rates, participation, as one stats document. */
#ifndef NUDGED_HABITS_H
#define NUDGED_HABITS_H

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

struct bank;
struct config;
struct store;
struct store_away;

/* Whose habits, from when. */
struct habits_filter {
	const char	*channel;	/* NULL: every channel */
	const char	*user;		/* NULL: everyone */
	int64_t		 since;		/* UTC; 0: from the start */
	const char	*since_date;	/* as given, for the document */
	int		 from_scratch;	/* not from the kept measures (the
					 * reference they are tested against) */
	int		 rebuild;	/* the kept measures built again first */
};

#define HABITS_WEEKS		12	/* the trend */
#define HABITS_HEATMAP_WEEKS	26
#define HABITS_PARTICIPATION	30	/* latest deliveries per channel */
#define HABITS_TOP_PROMPTS	5
#define HABITS_MIN_GROUP	3	/* anonymous channels: no figure below */

cJSON	*habits_stats(struct store *, const struct config *,
	    const struct bank *, const struct habits_filter *, int64_t now,
	    char **cause);
int	 habits_keep(struct store *, const struct config *, int64_t now,
	    int rebuild);
char	*habits_digest(struct store *, const struct config *,
	    const struct bank *, const char *channel, int64_t now,
	    char **cause);
void	 habits_print_table(FILE *, const cJSON *);
void	 habits_print_csv(FILE *, const cJSON *);

/* habits_self.c: people's own pauses and absences (/reflect). */
void	 habits_self_away(struct store *, const struct config *,
	    struct store_away **, size_t *);
void	 habits_self_mark(struct store *, const struct config *, cJSON *);
void	 habits_self_print(FILE *, const cJSON *);

#endif
