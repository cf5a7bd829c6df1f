/*
 * The dashboard page (GET /): one self-contained HTML document with inline
 * CSS and SVG, no script and no external assets, built from a stats document.
 */
#ifndef NUDGED_DASHBOARD_H
#define NUDGED_DASHBOARD_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The dashboard page for a stats document (the same JSON as GET
 * /api/v1/stats). Allocated HTML.
 */
char	*dashboard_html(const cJSON *stats);

/*
 * Shared by dashboard.c and dashboard_svg.c only: the growing buffer the
 * page is written into, typed reads of the stats document, and the charts.
 */
struct dashboard_buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

void	dashboard_add(struct dashboard_buf *, const char *);
void	dashboard_addf(struct dashboard_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	dashboard_add_text(struct dashboard_buf *, const char *);
int	dashboard_num(const cJSON *, const char *, double *);
const char *dashboard_str(const cJSON *, const char *);
int	dashboard_date(const char *, int64_t *);

/* The hatch pattern and the sprout mark, once per page, for every chart. */
void	dashboard_svg_defs(struct dashboard_buf *);
/* A channel's answers per day: 7 rows (Mon-Sun) by one column per week. */
void	dashboard_svg_heatmap(struct dashboard_buf *, const cJSON *channel,
	    int64_t today);
/* A channel's last weeks: people who answered (bars), nudges sent (line). */
void	dashboard_svg_trend(struct dashboard_buf *, const cJSON *channel,
	    int64_t today);
/* A person's answers per week as a small bar sparkline. */
void	dashboard_svg_spark(struct dashboard_buf *, const cJSON *weeks);

#endif
