/* SPDX-License-Identifier: ISC */
/*
 * The dashboard page (GET /): one self-contained HTML document with inline
 * CSS and SVG, no script and no external assets, built from a stats document.
 */
#ifndef NUDGED_DASHBOARD_H
#define NUDGED_DASHBOARD_H

#include <cjson/cJSON.h>

/*
 * The dashboard page for a stats document (the same JSON as GET
 * /api/v1/stats). Allocated HTML.
 */
char	*dashboard_html(const cJSON *stats);

#endif
