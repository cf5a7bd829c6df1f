/* SPDX-License-Identifier: ISC */
/*
 * The dashboard's charts as inline SVG: the calendar heatmap of answers per
 * day and the weekly participation trend. Colours come from the page's CSS
 * classes, so dark mode restyles the charts too. In anonymous channels a
 * null count means "fewer than 3": it is drawn hatched, never as zero.
 */
#include "dashboard_int.h"

#include <stdio.h>
#include <string.h>

#include "timefmt.h"

/* Heatmap geometry in SVG units: a cell, the step between cells, margins. */
#define HM_CELL		13
#define HM_PITCH	16
#define HM_LEFT		34
#define HM_TOP		18
#define HM_MAXCOLS	60

/* Sparkline geometry: a bar per week, this wide, this far apart, this high. */
#define SP_BAR		5
#define SP_PITCH	7
#define SP_H		22
#define SP_WEEKS	12

/* Trend chart geometry in SVG units: the view and the plot's margins. */
#define TR_W		440
#define TR_H		210
#define TR_L		30
#define TR_R		14
#define TR_T		12
#define TR_B		26
#define TR_WEEKS	12

/* A null count is at most this, so a hidden week's bar is drawn this high. */
#define DASHBOARD_HIDDEN_MAX 2

/* One week of the trend, read once. */
struct dashboard_week {
	const cJSON	*w;
	double		 deliveries;
	double		 people;
	int		 known;		/* people is a number, not null */
	int		 current;	/* the week in progress */
};

static const char *dashboard_month_names[12] = { "Jan", "Feb", "Mar", "Apr",
    "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static int	dashboard_level(double, double);
static int64_t	dashboard_heat_day(const cJSON *, int, int64_t);
static void	dashboard_heat_labels(struct strbuf *, const cJSON *,
		    int64_t, int64_t);
static void	dashboard_heat_legend(struct strbuf *, const cJSON *,
		    int);
static void	dashboard_short_date(struct strbuf *, const char *);
static int	dashboard_nice_step(int);
static void	dashboard_trend_bar(struct strbuf *,
		    const struct dashboard_week *, double, double, double);
static void	dashboard_trend_keys(struct strbuf *, int, int);

/* The hatch pattern and the sprout mark, once per page, for every chart. */
void
dashboard_svg_defs(struct strbuf *b)
{
	strbuf_add(b, "<svg class=\"defs\" aria-hidden=\"true\" "
	    "focusable=\"false\"><defs>"
	    "<pattern id=\"nd-hatch\" width=\"5\" height=\"5\" "
	    "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	    "<rect class=\"hb\" width=\"5\" height=\"5\"/>"
	    "<rect class=\"hl\" width=\"1.6\" height=\"5\"/></pattern>"
	    "<symbol id=\"nd-sprout\" viewBox=\"0 0 16 16\">"
	    "<path d=\"M7.25 8.5h1.5V15h-1.5z\"/>"
	    "<path d=\"M7.7 9.6C7.5 6.4 5.5 4.4 1.6 4.4c0 3.4 2.3 5.4 6.1 "
	    "5.2z\"/><path d=\"M8.3 7.6C8.5 4 10.7 1.6 14.4 1.6c0 3.8-2.3 "
	    "6.1-6.1 6z\"/>"
	    "</symbol></defs></svg>\n");
}

/* The colour step (1-4) of a day's count against the busiest day's. */
static int
dashboard_level(double v, double max)
{
	if (v <= 0 || max <= 0)
		return 0;
	if (v <= max * 0.25)
		return 1;
	if (v <= max * 0.5)
		return 2;
	if (v <= max * 0.75)
		return 3;
	return 4;
}

/* The day number of heatmap entry i; an unreadable date follows its place. */
static int64_t
dashboard_heat_day(const cJSON *entry, int i, int64_t first)
{
	int64_t d;

	if (dashboard_date(dashboard_str(entry, "date"), &d))
		return d;
	return first + i;
}

/* Month names above the columns where a month starts, weekdays on the left. */
static void
dashboard_heat_labels(struct strbuf *b, const cJSON *heat,
    int64_t first, int64_t monday)
{
	const cJSON	*e;
	int64_t		 d, next;
	int		 i = 0, col, last = -9, y, m, dd;

	cJSON_ArrayForEach(e, heat) {
		d = dashboard_heat_day(e, i++, first);
		if (d < monday || (col = (int)((d - monday) / 7)) >= HM_MAXCOLS)
			continue;
		timefmt_civil_from_days(d, &y, &m, &dd);
		if (i == 1 && dd != 1) {
			/* Named only if the next month starts 3 columns on. */
			next = d + timefmt_days_in_month(y, m) - dd + 1;
			if ((next - monday) / 7 < 3)
				continue;
		} else if (dd != 1 || col - last < 3)
			continue;
		strbuf_addf(b, "<text x=\"%d\" y=\"%d\">%s</text>",
		    HM_LEFT + col * HM_PITCH, HM_TOP - 6,
		    dashboard_month_names[m - 1]);
		last = col;
	}
	strbuf_addf(b, "<text class=\"wd\" x=\"%d\" y=\"%d\">Mon</text>"
	    "<text class=\"wd\" x=\"%d\" y=\"%d\">Wed</text>"
	    "<text class=\"wd\" x=\"%d\" y=\"%d\">Fri</text>",
	    HM_LEFT - 6, HM_TOP + 10, HM_LEFT - 6, HM_TOP + 2 * HM_PITCH + 10,
	    HM_LEFT - 6, HM_TOP + 4 * HM_PITCH + 10);
}

/* A channel's answers per day: 7 rows (Mon-Sun) by one column per week. */
void
dashboard_svg_heatmap(struct strbuf *b, const cJSON *channel,
    int64_t today)
{
	const cJSON	*heat, *e;
	int64_t		 first, monday, d;
	double		 v, max = 0;
	int		 i, col, ncols = 0, level, known;

	heat = cJSON_GetObjectItemCaseSensitive(channel, "heatmap");
	if (!cJSON_IsArray(heat) || heat->child == NULL)
		return;
	if (!dashboard_date(dashboard_str(heat->child, "date"), &first))
		first = today == INT64_MAX ? 0 :
		    today - cJSON_GetArraySize(heat) + 1;
	monday = first - (timefmt_weekday(first) + 6) % 7;
	i = 0;
	cJSON_ArrayForEach(e, heat) {
		d = dashboard_heat_day(e, i++, first);
		col = d >= monday ? (int)((d - monday) / 7) : HM_MAXCOLS;
		if (col < HM_MAXCOLS && col + 1 > ncols)
			ncols = col + 1;
		if (dashboard_num(e, "answers", &v) && v > max)
			max = v;
	}

	/* On a phone it scrolls sideways, opening on the latest weeks (rtl). */
	strbuf_addf(b, "<div class=\"hmw\"><svg class=\"hm\" viewBox=\"0 0 "
	    "%d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label="
	    "\"Answers per day, one column per week\">",
	    HM_LEFT + ncols * HM_PITCH, HM_TOP + 7 * HM_PITCH,
	    HM_LEFT + ncols * HM_PITCH, HM_TOP + 7 * HM_PITCH);
	dashboard_heat_labels(b, heat, first, monday);
	i = 0;
	cJSON_ArrayForEach(e, heat) {
		d = dashboard_heat_day(e, i++, first);
		if (d < monday || (col = (int)((d - monday) / 7)) >= HM_MAXCOLS)
			continue;
		strbuf_addf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
		    "height=\"%d\" rx=\"2.5\" ", HM_LEFT + col * HM_PITCH,
		    HM_TOP + (int)((d - monday) % 7) * HM_PITCH, HM_CELL,
		    HM_CELL);
		/* Local days may run ahead of UTC: answered is not future. */
		known = dashboard_num(e, "answers", &v);
		if (d > today && !(known && v > 0)) {
			strbuf_add(b, "class=\"fut\"><title>");
			dashboard_add_text(b, dashboard_str(e, "date"));
			strbuf_add(b, ": still to come</title></rect>");
			continue;
		}
		if (!known) {
			strbuf_add(b, "class=\"na\"><title>");
			dashboard_add_text(b, dashboard_str(e, "date"));
			strbuf_add(b, ": fewer than 3 answers</title>"
			    "</rect>");
			continue;
		}
		level = dashboard_level(v, max);
		strbuf_addf(b, "class=\"l%d\"><title>", level);
		dashboard_add_text(b, dashboard_str(e, "date"));
		if (v == 0)
			strbuf_add(b, ": no answers</title></rect>");
		else
			strbuf_addf(b, ": %.0f answer%s</title></rect>", v,
			    v == 1 ? "" : "s");
	}
	strbuf_add(b, "</svg></div>\n");
	dashboard_heat_legend(b, heat, max > 0);
}

/* Under the heatmap: answers on how many days, and the colour scale. */
static void
dashboard_heat_legend(struct strbuf *b, const cJSON *heat, int any)
{
	const cJSON	*e;
	double		 v, sum = 0;
	int		 days = 0, hidden = 0;

	cJSON_ArrayForEach(e, heat) {
		if (!dashboard_num(e, "answers", &v))
			hidden++;
		else if (v > 0) {
			sum += v;
			days++;
		}
	}
	strbuf_add(b, "<div class=\"legend\"><span>");
	if (hidden > 0)
		strbuf_addf(b, "%d day%s with 3 or more answers", days,
		    days == 1 ? "" : "s");
	else if (any)
		strbuf_addf(b, "%.0f answer%s on %d day%s", sum,
		    sum == 1 ? "" : "s", days, days == 1 ? "" : "s");
	else
		strbuf_add(b, "No answers in these weeks");
	strbuf_add(b, "</span><span class=\"scale\">");
	if (hidden > 0)
		strbuf_add(b, "<span class=\"hid\"><i class=\"sw na\">"
		    "</i>fewer than 3</span>");
	strbuf_add(b, "Less<i class=\"sw l0\"></i><i class=\"sw l1\"></i>"
	    "<i class=\"sw l2\"></i><i class=\"sw l3\"></i><i class=\"sw l4\">"
	    "</i>More</span></div>\n");
}

/* "2026-11-09" as "9 Nov"; anything else as it is. */
static void
dashboard_short_date(struct strbuf *b, const char *s)
{
	int64_t	d;
	int	y, m, dd;

	if (!dashboard_date(s, &d)) {
		dashboard_add_text(b, s);
		return;
	}
	timefmt_civil_from_days(d, &y, &m, &dd);
	strbuf_addf(b, "%d %s", dd, dashboard_month_names[m - 1]);
}

/* A step of 1, 2 or 5 times a power of ten that cuts 0..max in at most 5. */
static int
dashboard_nice_step(int max)
{
	int	mag, k;
	static const int mult[] = { 1, 2, 5 };

	for (mag = 1; mag < 100000000; mag *= 10)
		for (k = 0; k < 3; k++)
			if (mult[k] * mag * 5 >= max)
				return mult[k] * mag;
	return mag;
}

/* One week's bar: people who answered, hatched with "<3" when hidden. */
static void
dashboard_trend_bar(struct strbuf *b, const struct dashboard_week *wk,
    double x, double slot, double scale)
{
	double	h, answers;

	h = (wk->known ? wk->people : DASHBOARD_HIDDEN_MAX) * scale;
	strbuf_addf(b, "<rect class=\"bar%s%s\" x=\"%.1f\" y=\"%.1f\" "
	    "width=\"%.1f\" height=\"%.1f\" rx=\"2\"><title>Week of ",
	    wk->known ? "" : " na", wk->current ? " cur" : "", x + slot * 0.2,
	    TR_H - TR_B - h, slot * 0.6, h);
	dashboard_short_date(b, dashboard_str(wk->w, "start"));
	if (wk->current)
		strbuf_add(b, " (so far)");
	if (wk->known)
		strbuf_addf(b, ": %.0f %s answered", wk->people,
		    wk->people == 1 ? "person" : "people");
	else
		strbuf_add(b, ": fewer than 3 people answered");
	strbuf_addf(b, ", %.0f nudge%s sent", wk->deliveries,
	    wk->deliveries == 1 ? "" : "s");
	if (dashboard_num(wk->w, "answers", &answers))
		strbuf_addf(b, ", %.0f answer%s", answers,
		    answers == 1 ? "" : "s");
	strbuf_add(b, "</title></rect>");
	if (!wk->known)
		strbuf_addf(b, "<text class=\"lt\" x=\"%.1f\" y=\"%.1f\">"
		    "&lt;3</text>", x + slot / 2, TR_H - TR_B - h - 4);
}

/* The chart's keys; the hatch and the week in progress only when shown. */
static void
dashboard_trend_keys(struct strbuf *b, int hidden, int current)
{
	strbuf_add(b, "<div class=\"keys\"><span><i class=\"key kb\"></i>"
	    "People who answered</span><span><i class=\"key kl\"></i>"
	    "Nudges sent</span>");
	if (hidden)
		strbuf_add(b, "<span><i class=\"sw na\"></i>fewer than 3"
		    "</span>");
	if (current)
		strbuf_add(b, "<span><i class=\"key kb kc\"></i>week so far"
		    "</span>");
	strbuf_add(b, "</div>\n");
}

/* A channel's last weeks: people who answered (bars), nudges sent (line). */
void
dashboard_svg_trend(struct strbuf *b, const cJSON *channel,
    int64_t today)
{
	struct dashboard_week	 wk[TR_WEEKS];
	const cJSON		*weeks, *w;
	const double		 ph = TR_H - TR_T - TR_B;
	double			 slot, scale, y, x;
	int64_t			 start;
	int			 n = 0, k, max = 1, step, top, hidden = 0;

	weeks = cJSON_GetObjectItemCaseSensitive(channel, "weeks");
	k = cJSON_GetArraySize(weeks) - TR_WEEKS;
	cJSON_ArrayForEach(w, weeks) {
		if (k-- > 0)
			continue;
		wk[n].w = w;
		wk[n].deliveries = 0;
		(void)dashboard_num(w, "deliveries", &wk[n].deliveries);
		wk[n].known = dashboard_num(w, "people", &wk[n].people);
		wk[n].current = dashboard_date(dashboard_str(w, "start"),
		    &start) && today >= start && today < start + 7;
		if (wk[n].deliveries > max)
			max = (int)wk[n].deliveries;
		if (!wk[n].known)
			hidden = 1;
		if ((wk[n].known ? wk[n].people : DASHBOARD_HIDDEN_MAX) > max)
			max = wk[n].known ? (int)wk[n].people :
			    DASHBOARD_HIDDEN_MAX;
		n++;
	}
	if (n == 0)
		return;
	step = dashboard_nice_step(max);
	top = (max + step - 1) / step * step;
	scale = ph / top;
	slot = (double)(TR_W - TR_L - TR_R) / n;

	dashboard_trend_keys(b, hidden, wk[n - 1].current);
	strbuf_addf(b, "<svg class=\"tr\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"People "
	    "who answered and nudges sent per week\">", TR_W, TR_H, TR_W,
	    TR_H);
	for (k = 0; k <= top; k += step) {
		y = TR_T + ph - k * scale;
		strbuf_addf(b, "<line class=\"%s\" x1=\"%d\" x2=\"%d\" "
		    "y1=\"%.1f\" y2=\"%.1f\"/><text class=\"ay\" x=\"%d\" "
		    "y=\"%.1f\">%d</text>", k == 0 ? "base" : "grid", TR_L,
		    TR_W - TR_R, y, y, TR_L - 7, y + 3.5, k);
	}
	for (k = 0; k < n; k++)
		dashboard_trend_bar(b, &wk[k], TR_L + slot * k, slot, scale);

	/* Nudges sent: solid through whole weeks, dashed into this one. */
	strbuf_add(b, "<polyline class=\"dl\" points=\"");
	for (k = 0; k < n; k++) {
		if (k == n - 1 && wk[k].current && k > 0) {
			strbuf_addf(b, "\"/><polyline class=\"dl cur\" "
			    "points=\"%.1f,%.1f", TR_L + slot * (k - 0.5),
			    TR_T + ph - wk[k - 1].deliveries * scale);
		}
		strbuf_addf(b, "%s%.1f,%.1f", k > 0 ? " " : "",
		    TR_L + slot * (k + 0.5),
		    TR_T + ph - wk[k].deliveries * scale);
	}
	strbuf_add(b, "\"/>");
	for (k = 0; k < n; k++) {
		x = TR_L + slot * (k + 0.5);
		strbuf_addf(b, "<circle class=\"dot\" cx=\"%.1f\" "
		    "cy=\"%.1f\" r=\"3\"><title>%.0f nudge%s sent</title>"
		    "</circle>", x, TR_T + ph - wk[k].deliveries * scale,
		    wk[k].deliveries, wk[k].deliveries == 1 ? "" : "s");
		/* Every other week is named, always the latest. */
		if ((n - 1 - k) % 2 != 0)
			continue;
		strbuf_addf(b, "<text class=\"ax\" x=\"%.1f\" y=\"%d\">", x,
		    TR_H - 8);
		dashboard_short_date(b, dashboard_str(wk[k].w, "start"));
		strbuf_add(b, "</text>");
	}
	strbuf_add(b, "</svg>\n");
}

/* A person's answers per week as a small bar sparkline. */
void
dashboard_svg_spark(struct strbuf *b, const cJSON *weeks)
{
	const cJSON	*w;
	double		 v[SP_WEEKS], max = 1, h;
	int		 n = 0, k;

	k = cJSON_GetArraySize(weeks) - SP_WEEKS;
	cJSON_ArrayForEach(w, weeks) {
		if (k-- > 0)
			continue;
		v[n] = 0;
		(void)dashboard_num(w, NULL, &v[n]);
		if (v[n] > max)
			max = v[n];
		n++;
	}
	if (n == 0) {
		strbuf_add(b, "&mdash;");
		return;
	}
	strbuf_addf(b, "<svg class=\"spark\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" role=\"img\"><title>Answers per "
	    "week, oldest first:", n * SP_PITCH, SP_H, n * SP_PITCH, SP_H);
	for (k = 0; k < n; k++)
		strbuf_addf(b, "%s %.0f", k > 0 ? "," : "", v[k]);
	strbuf_add(b, "</title>");
	for (k = 0; k < n; k++) {
		/* An empty week is a flat tick, so the rhythm stays visible. */
		h = v[k] > 0 ? 2 + (SP_H - 2) * v[k] / max : 1.5;
		strbuf_addf(b, "<rect class=\"%s\" x=\"%d\" y=\"%.1f\" "
		    "width=\"%d\" height=\"%.1f\" rx=\"1\"/>",
		    v[k] > 0 ? "on" : "off", k * SP_PITCH, SP_H - h, SP_BAR, h);
	}
	strbuf_add(b, "</svg>");
}
