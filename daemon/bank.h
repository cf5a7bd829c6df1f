/* The prompt bank: coaching and reflection questions, and which one comes next. */
#ifndef NUDGED_BANK_H
#define NUDGED_BANK_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define BANK_MAX_TEXT	280	/* characters, for text and follow_up */

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
};

struct bank {
	char			*dir;
	struct bank_theme	*themes;
	size_t			 nthemes;
	struct bank_prompt	*prompts;
	size_t			 nprompts;
};

/* What a channel (and, for tracks, a schedule) has been sent so far. */
struct bank_history {
	int64_t	  cycle;	/* the channel's current cycle, 0 before any */
	char	**used;		/* prompt ids sent on the channel in that cycle */
	size_t	  nused;
	char	 *last;		/* the newest prompt id sent on the channel */
	char	**track_done;	/* prompt ids the schedule has sent, any cycle */
	size_t	  ntrack_done;
};

struct bank	*bank_load(const char *dir, char **cause);
struct bank	*bank_load_for(const struct config *, char **cause);
void		 bank_free(struct bank *);
int		 bank_check_config(const struct bank *, const struct config *,
		    char **cause);
const struct bank_prompt *bank_find(const struct bank *, const char *id);
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
