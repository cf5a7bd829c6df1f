/* SPDX-License-Identifier: ISC */
/* The prompt bank: coaching and reflection questions, and which one comes next. */
#ifndef NUDGED_BANK_H
#define NUDGED_BANK_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define BANK_MAX_TEXT	280	/* characters, for text and follow_up */
/*
 * Theme and track titles head a message: 150 characters is the shortest
 * heading block a chat platform allows, so a title that fits here is shown
 * whole everywhere.
 */
#define BANK_MAX_TITLE	150
#define BANK_MAX_DAY	366	/* the latest day offset of a track step */

struct bank_theme {
	char	*slug;		/* "coaching", also the file name */
	char	*title;		/* "Coaching" */
	char	*description;
};

struct bank_prompt {
	char			*id;
	size_t			 theme;		/* index into bank.themes */
	enum config_audience	 audience;
	char			*text;
	char			*follow_up;	/* NULL when none */
	char			*source_model;	/* NULL when none */
	int			 follow_up_later; /* sent at the next instant */
	char			*intent;	/* unique tag of what it asks */
	int			 public_ok;	/* 0: direct or anonymous only */
	int			 track_only;	/* only sent as a track's step */
	char			*merged_into;	/* retired into this id, or NULL */
	char			*where;		/* "FILE:LINE:COL" of its text */
};

/* One step of a track: a prompt, sent on or after a day since the first step. */
struct bank_step {
	char	*prompt;
	int	 day;
};

/* A track that ships with the bank (prompts/tracks/<id>.json). */
struct bank_track {
	char			*id;
	char			*title;
	enum config_audience	 audience;
	struct bank_step	*steps;
	size_t			 nsteps;
};

struct bank {
	char			*dir;
	struct bank_theme	*themes;
	size_t			 nthemes;
	struct bank_prompt	*prompts;
	size_t			 nprompts;
	size_t			*by_id;		/* prompts' indexes in id order */
	struct bank_track	*tracks;
	size_t			 ntracks;
	char			**warnings;	/* "FILE:LINE:COL: warning: ..." */
	size_t			 nwarnings;
};

/* What a channel (and, for tracks, a schedule) has been sent so far. */
struct bank_history {
	int64_t	  cycle;	/* the channel's current cycle, 0 before any */
	char	**used;		/* prompt ids sent on the channel in that cycle */
	size_t	  nused;
	char	 *last;		/* the newest prompt id sent on the channel */
	char	**track_done;	/* prompt ids the schedule has sent, any cycle */
	size_t	  ntrack_done;
	int64_t	  track_start;	/* when the schedule sent its first prompt, or 0 */
	int64_t	  at;		/* the instant being picked for, or 0: unknown */
};

struct bank	*bank_load(const char *dir, char **cause);
struct bank	*bank_load_for(const struct config *, char **cause);
void		 bank_free(struct bank *);
int		 bank_check_config(const struct bank *, const struct config *,
		    char **cause);
const struct bank_prompt *bank_find(const struct bank *, const char *id);
const struct bank_track *bank_find_track(const struct bank *, const char *id);
int		 bank_retired(const struct bank_prompt *);
int		 bank_eligible(const struct bank *, const struct bank_prompt *,
		    const struct config_schedule *);
const struct bank_theme *bank_theme_of(const struct bank *,
		    const struct bank_prompt *);
const struct bank_prompt *bank_pick(const struct bank *,
		    const struct config_schedule *, struct bank_history *,
		    int64_t *cycle, char **cause);
void		 bank_history_add(struct bank_history *, const char *id,
		    int64_t cycle);
void		 bank_history_add_track(struct bank_history *, const char *id);
void		 bank_history_clear(struct bank_history *);

#endif
