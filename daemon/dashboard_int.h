/* SPDX-License-Identifier: ISC */
/*
 * Private to the dashboard's files: typed reads of the stats document and
 * HTML text (dashboard_doc.c), and the charts (dashboard_svg.c), all written
 * into a strbuf. dashboard.c uses both; neither uses dashboard.c.
 */
#ifndef NUDGED_DASHBOARD_INT_H
#define NUDGED_DASHBOARD_INT_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "strbuf.h"

void	dashboard_add_text(struct strbuf *, const char *);
int	dashboard_num(const cJSON *, const char *, double *);
const char *dashboard_str(const cJSON *, const char *);
int	dashboard_date(const char *, int64_t *);

/* The hatch pattern and the sprout mark, once per page, for every chart. */
void	dashboard_svg_defs(struct strbuf *);
/* A channel's answers per day: 7 rows (Mon-Sun) by one column per week. */
void	dashboard_svg_heatmap(struct strbuf *, const cJSON *channel,
	    int64_t today);
/* A channel's last weeks: people who answered (bars), nudges sent (line). */
void	dashboard_svg_trend(struct strbuf *, const cJSON *channel,
	    int64_t today);
/* A person's answers per week as a small bar sparkline. */
void	dashboard_svg_spark(struct strbuf *, const cJSON *weeks);

#endif
