/* SPDX-License-Identifier: ISC */
/* Shared by the prompt bank's files: collected errors, warnings, rules and tracks. */
#ifndef NUDGED_BANK_INT_H
#define NUDGED_BANK_INT_H

#include "bank.h"
#include "jsonc.h"

/* Every error of a load, in order, each "FILE:LINE:COL: what". */
struct bank_errors {
	char	**v;
	size_t	  n;
};

void	bank_errors_add(struct bank_errors *, char *);
char	*bank_where(const struct jsonc_doc *, const cJSON *);
void	bank_warn(struct bank *, const char *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

char	**bank_list_json(const char *, size_t *, char **);
int	 bank_parse_audience(const char *, enum config_audience *);
int	 bank_in(char *const *, size_t, const char *);

void	bank_rules_text(struct bank *, struct jsonc_doc *, const cJSON *,
	    const char *, enum config_audience);
void	bank_rules_follow_up(struct jsonc_doc *, const cJSON *, const cJSON *,
	    const char *);
void	bank_rules_title(struct jsonc_doc *, const cJSON *);
void	bank_rules_openings(struct bank *);
void	bank_rules_merges(struct bank *, struct bank_errors *);

void	bank_track_load_all(struct bank *, const char *,
	    struct bank_errors *);
void	bank_track_free(struct bank_track *);
const struct bank_prompt *bank_track_pick(const struct bank *,
	    const struct bank_track *, struct bank_history *, char **);
char	*bank_track_check_schedule(const struct bank *,
	    const struct config *, const struct config_schedule *);
int	 bank_private_schedule(const struct config_schedule *);

#endif
