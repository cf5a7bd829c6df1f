/* SPDX-License-Identifier: ISC */
/* What config.c and config_schedule.c share while reading one file. */
#ifndef NUDGED_CONFIG_INT_H
#define NUDGED_CONFIG_INT_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct config_schedule;
struct jsonc_doc;
struct tz;

/* One load in progress: the document, the config being filled, its folder. */
struct config_reader {
	struct jsonc_doc	*doc;
	struct config		*cfg;
	char			*dir;	/* the config file's folder */
	const cJSON		*calendars;
	int			 leave_secrets;	/* offline: an unset ${NAME} is
						   absent, not an error */
};

int		 config_valid_name(const char *);
char		*config_where(struct config_reader *, const cJSON *);
const struct tz	*config_zone(struct config_reader *, const cJSON *,
		    const char *);
void		 config_duration(struct config_reader *, const cJSON *,
		    const char *, int64_t, int64_t, int64_t *);
size_t		*config_index(struct config_reader *, const void *, size_t,
		    size_t, const cJSON *, const char *);

const void	*config_lookup(const void *, size_t, size_t, const size_t *,
		    const char *);

/* config_people.c */
void		 config_people_parse(struct config_reader *, const cJSON *,
		    const cJSON *);
void		 config_people_parse_to(struct config_reader *, const cJSON *,
		    struct config_schedule *);
void		 config_people_free(struct config *);

/* config_schedule.c */
void		 config_schedule_parse_list(struct config_reader *,
		    const cJSON *);
void		 config_schedule_parse_calendars(struct config_reader *,
		    const cJSON *);
void		 config_schedule_parse_away(struct config_reader *,
		    const cJSON *);

#endif
