/* SPDX-License-Identifier: ISC */
/*
 * The dashboard page: a card per channel with its headline numbers, the
 * charts (dashboard_svg.c), the questions that drew most answers and a table
 * of people. One HTML document with inline CSS, no script, no external
 * assets; every text taken from the stats document is HTML-escaped.
 */
#include "dashboard.h"
#include "dashboard_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat/chat.h"
#include "timefmt.h"
#include "xmalloc.h"

/* A count an anonymous channel hides (null: fewer than 3 people or answers). */
#define DASHBOARD_LT3 "<span class=\"lt3\" title=\"fewer than 3\">&lt;3</span>"


static const char dashboard_css[] =
	":root{--bg:#f3f6f4;--card:#fff;--ink:#16221b;--ink2:#34443b;"
	"--muted:#56645c;--line:#e0e7e2;--soft:#f2f6f3;--acc:#1b6e43;"
	"--bar:#3a9461;--accsoft:#e1f0e6;--l0:#e7ede9;--l1:#bfe0c9;"
	"--l2:#80c497;--l3:#3f9a63;--l4:#1b6b40;--na:#edf0ee;--hatch:#cdd5d0;"
	"--dl:#3d4d44;color-scheme:light dark}\n"
	"@media (prefers-color-scheme:dark){:root{--bg:#0d1310;"
	"--card:#141c18;--ink:#e3ebe6;--ink2:#c4d0c9;--muted:#9baba3;"
	"--line:#25302a;--soft:#19231e;--acc:#72c892;--bar:#4fae74;"
	"--accsoft:#1c3327;--l0:#1e2823;--l1:#1b4530;--l2:#276a44;"
	"--l3:#3b9561;--l4:#72c892;--na:#1a221e;--hatch:#34413a;--dl:#c0ccc5}"
	"}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;background:var(--bg);color:var(--ink);"
	"font:15px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,"
	"\"Helvetica Neue\",\"Noto Sans\",\"Liberation Sans\",Arial,"
	"sans-serif;-webkit-text-size-adjust:100%}\n"
	".wrap{max-width:1200px;margin:0 auto;padding:0 24px}\n"
	".defs{position:absolute;width:0;height:0;overflow:hidden}\n"
	".top{background:var(--card);border-bottom:1px solid var(--line)}\n"
	".top .wrap{display:flex;flex-wrap:wrap;align-items:center;"
	"justify-content:space-between;gap:6px 24px;padding-top:16px;"
	"padding-bottom:16px}\n"
	".brand{display:flex;align-items:center;gap:10px;margin:0;"
	"font-size:20px;font-weight:700;letter-spacing:-.01em}\n"
	".brand svg{width:26px;height:26px;fill:var(--acc)}\n"
	".brand span{font-weight:400;color:var(--muted);font-size:16px}\n"
	".meta{margin:0;color:var(--muted);font-size:14px}\n"
	"main.wrap{display:grid;gap:24px;padding-top:24px;"
	"padding-bottom:8px}\n"
	".card{background:var(--card);border:1px solid var(--line);"
	"border-radius:14px;padding:22px 24px 24px;"
	"box-shadow:0 1px 3px rgba(20,50,35,.05)}\n"
	".card-h{display:flex;flex-wrap:wrap;align-items:center;gap:8px 10px;"
	"margin-bottom:16px}\n"
	".card-h .note{flex-basis:100%;margin:0}\n"
	"h2{margin:0 6px 0 0;font-size:21px;letter-spacing:-.01em;"
	"overflow-wrap:anywhere}\n"
	"h2 .hash{color:var(--muted);font-weight:400;margin-right:1px}\n"
	".chip{font-size:12px;font-weight:600;line-height:20px;padding:0 9px;"
	"border-radius:999px;background:var(--soft);color:var(--ink2);"
	"border:1px solid var(--line)}\n"
	".chip.anon{background:var(--accsoft);color:var(--acc);"
	"border-color:transparent}\n"
	".kpis{display:grid;grid-template-columns:repeat(auto-fit,"
	"minmax(170px,1fr));gap:12px;margin:0 0 20px}\n"
	".kpis div{background:var(--soft);border-radius:10px;"
	"padding:12px 16px}\n"
	".kpis dt{font-size:13px;color:var(--muted)}\n"
	".kpis dd{margin:0;font-size:28px;font-weight:650;line-height:1.25;"
	"font-variant-numeric:tabular-nums}\n"
	".kpis small{display:block;font-size:12px;font-weight:400;"
	"color:var(--muted);line-height:1.4}\n"
	".panels{display:grid;grid-template-columns:repeat(12,minmax(0,1fr));"
	"gap:20px}\n"
	".panel{margin:0;min-width:0;border:1px solid var(--line);"
	"border-radius:12px;padding:16px 18px}\n"
	".heat{grid-column:span 7}.trend{grid-column:span 5}.people,.prompts,"
	".wide{grid-column:1/-1}\n"
	".ph{display:flex;flex-wrap:wrap;align-items:baseline;"
	"justify-content:space-between;gap:2px 12px}\n"
	"h3{margin:0;font-size:15px;font-weight:650}\n"
	".sub,.note{color:var(--muted);font-size:13px}\n"
	".note{margin:12px 0 0}\n"
	"svg.hm,svg.tr{display:block;width:100%;height:auto}\n"
	"svg.hm{max-width:620px;margin:14px 0 6px}svg.tr{margin-top:6px}\n"
	".hm text,.tr text{fill:var(--muted);font-size:10px}.tr text{"
	"font-size:12px}\n"
	".hm .l0,.sw.l0{fill:var(--l0);background:var(--l0)}.hm .l1,.sw.l1{"
	"fill:var(--l1);background:var(--l1)}.hm .l2,.sw.l2{fill:var(--l2);"
	"background:var(--l2)}.hm .l3,.sw.l3{fill:var(--l3);"
	"background:var(--l3)}.hm .l4,.sw.l4{fill:var(--l4);"
	"background:var(--l4)}\n"
	".hm .na,.tr .na{fill:url(#nd-hatch)}\n"
	".hm .fut{fill:none;stroke:var(--line);stroke-dasharray:2 2}\n"
	".hb{fill:var(--na)}.hl{fill:var(--hatch)}\n"
	".legend{display:flex;flex-wrap:wrap;justify-content:space-between;"
	"gap:4px 16px;font-size:12px;color:var(--muted)}\n"
	".scale{display:inline-flex;align-items:center;gap:3px}\n"
	".sw,.key{display:inline-block;width:11px;height:11px;"
	"border-radius:2px;vertical-align:-1px}\n"
	".sw.na{background:repeating-linear-gradient(45deg,"
	"var(--hatch) 0 1.6px,var(--na) 1.6px 3.6px)}\n"
	".scale .hid{display:inline-flex;align-items:center;gap:5px;"
	"margin-right:14px}.scale .l0{margin-left:4px}.scale .l4{"
	"margin-right:4px}\n"
	".keys{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12px;"
	"color:var(--muted);margin-top:10px}\n"
	".keys span{display:inline-flex;align-items:center;gap:6px}\n"
	".key.kb{background:var(--bar)}.key.kl{height:2px;width:16px;"
	"border-radius:1px;background:var(--dl)}\n"
	".key.kc{opacity:.5}.tr .dl.cur{stroke-dasharray:3 3}\n"
	".tr .grid{stroke:var(--line)}.tr .base{stroke:var(--hatch)}\n"
	".tr .ay,.hm .wd{text-anchor:end}.tr .ax,.tr .lt{"
	"text-anchor:middle}\n"
	".tr .lt{font-weight:600;fill:var(--ink2)}\n"
	".tr .bar{fill:var(--bar)}.tr .bar.na{fill:url(#nd-hatch)}"
	".tr .bar.cur{opacity:.55}\n"
	".tr .dl{fill:none;stroke:var(--dl);stroke-width:1.6;"
	"stroke-linejoin:round}\n"
	".tr .dot{fill:var(--card);stroke:var(--dl);stroke-width:1.6}\n"
	".prompts ol{list-style:none;margin:12px 0 0;padding:0;display:grid;"
	"grid-template-columns:repeat(auto-fill,minmax(260px,1fr));"
	"gap:12px}\n"
	".prompts li{display:flex;flex-direction:column;"
	"justify-content:space-between;padding:12px 14px;border-radius:10px;"
	"background:var(--soft)}\n"
	".prompts q{display:block;quotes:none;color:var(--ink)}\n"
	".prompts q.gone{color:var(--muted);"
	"font-family:ui-monospace,monospace}\n"
	".spark{display:block;width:84px;height:22px}"
	".spark .on{fill:var(--bar)}.spark .off{fill:var(--hatch)}\n"
	".pm{display:flex;align-items:center;gap:10px;margin-top:6px;"
	"font-size:12px;color:var(--muted);"
	"font-variant-numeric:tabular-nums}\n"
	".pm i{flex:1;height:4px;border-radius:2px;background:var(--l0)}\n"
	".pm i b,.rate i b{display:block;height:100%;border-radius:inherit;"
	"background:var(--bar)}\n"
	"table{width:100%;border-collapse:collapse;margin-top:8px;"
	"font-variant-numeric:tabular-nums}\n"
	"th{font-size:12px;font-weight:600;color:var(--muted);"
	"text-align:left;padding:8px 8px;border-bottom:1px solid var(--line);"
	"white-space:nowrap}\n"
	"td{padding:10px 8px;border-bottom:1px solid var(--line)}\n"
	"tbody tr:last-child td{border-bottom:0}\n"
	"th:first-child,td:first-child{padding-left:0}\n"
	"th:last-child,td:last-child{padding-right:0}\n"
	".num{text-align:right;white-space:nowrap}\n"
	".who b{font-weight:600;overflow-wrap:break-word}\n"
	".who small{display:block;font-size:12px;color:var(--muted)}\n"
	".of{color:var(--muted)}\n"
	".rate{display:flex;align-items:center;gap:8px;min-width:120px}\n"
	".rate i{flex:1;height:6px;border-radius:3px;background:var(--l0)}\n"
	".rate span{width:36px;text-align:right}\n"
	".streak{display:inline-flex;align-items:center;gap:4px;"
	"font-weight:600;white-space:nowrap}\n"
	".streak svg{width:15px;height:15px;fill:var(--bar)}\n"
	".streak.off{color:var(--muted);font-weight:400}\n"
	".best{margin-left:6px;font-size:11px;font-weight:600;"
	"color:var(--acc);background:var(--accsoft);border-radius:999px;"
	"padding:1px 7px}\n"
	".lt3{font-weight:600;color:var(--ink2)}\n"
	".empty{text-align:center;padding:36px 16px;color:var(--muted)}\n"
	".empty svg{width:36px;height:36px;fill:var(--l2)}\n"
	".empty b{display:block;color:var(--ink);font-size:17px;"
	"margin:8px 0 4px}\n"
	".empty p{margin:0 auto;max-width:520px}\n"
	"code{font:.92em ui-monospace,\"SFMono-Regular\",Menlo,Consolas,"
	"\"Liberation Mono\",monospace;background:var(--soft);"
	"border-radius:4px;padding:1px 5px}\n"
	"footer{color:var(--muted);font-size:13px;padding-top:8px;"
	"padding-bottom:32px}\n"
	"@media (max-width:980px){.panels>*{grid-column:1/-1}svg.hm{"
	"max-width:none}}\n"
	"@media (max-width:640px){.wrap{padding:0 12px}.hmw{overflow-x:auto;"
	"direction:rtl}svg.hm{direction:ltr;min-width:400px}.hm text{"
	"font-size:12px}.tr text{font-size:14px}.card{padding:16px 14px;"
	"border-radius:12px}.panel{padding:14px 12px}main.wrap{gap:16px;"
	"padding-top:16px}.panels{gap:14px}.kpis{"
	"grid-template-columns:1fr 1fr;gap:8px}.kpis div{padding:10px 12px}"
	".kpis dd{font-size:22px}.people thead{display:none}.people tbody,"
	".people td{display:block}.people tr{display:grid;"
	"grid-template-columns:repeat(3,1fr);gap:8px 12px;padding:12px 0;"
	"border-bottom:1px solid var(--line)}.people tr:last-child{"
	"border-bottom:0}.people td{border:0;padding:0;text-align:left}"
	".people td.who{grid-column:1/-1}.people td.rt{grid-column:span 2}"
	".people td[data-l]::before{"
	"content:attr(data-l);display:block;font-size:11px;"
	"color:var(--muted)}}\n";

static void	dashboard_add_count(struct strbuf *, double);
static void	dashboard_add_known(struct strbuf *, const cJSON *,
		    const char *);
static void	dashboard_add_instant(struct strbuf *, const char *);
static void	dashboard_add_duration(struct strbuf *, double);
static void	dashboard_add_themes(struct strbuf *, const cJSON *);
static const char *dashboard_platform(const char *);
static void	dashboard_header(struct strbuf *, const cJSON *);
static void	dashboard_channel(struct strbuf *, const cJSON *,
		    const cJSON *, int64_t);
static void	dashboard_kpis(struct strbuf *, const cJSON *,
		    const cJSON *);
static void	dashboard_prompts(struct strbuf *, const cJSON *);
static void	dashboard_people(struct strbuf *, const cJSON *,
		    const char *);
static void	dashboard_person(struct strbuf *, const cJSON *);
static void	dashboard_empty(struct strbuf *, const char *,
		    const char *);

/* A count with thousands separators: 12,345. */
static void
dashboard_add_count(struct strbuf *b, double v)
{
	char	digits[32], out[48];
	int	n, i, o = 0;

	n = snprintf(digits, sizeof digits, "%.0f", v < 0 ? 0 : v);
	if (n < 0 || n >= (int)sizeof digits)
		n = 0;
	for (i = 0; i < n && o < (int)sizeof out - 2; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	strbuf_add(b, out);
}

/* A count member, or "<3" when it is null (an anonymous channel hides it). */
static void
dashboard_add_known(struct strbuf *b, const cJSON *o, const char *key)
{
	double v;

	if (dashboard_num(o, key, &v))
		dashboard_add_count(b, v);
	else
		strbuf_add(b, DASHBOARD_LT3);
}

/* An ISO 8601 instant as "Tue 24 Nov 2026, 11:00 UTC"; anything else as is. */
static void
dashboard_add_instant(struct strbuf *b, const char *s)
{
	static const char *wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat" };
	static const char *mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	char	*cause = NULL;
	int64_t	 t, days, secs;
	int	 y, m, d;

	if (timefmt_parse_iso8601(s, &t, &cause) != 0) {
		free(cause);
		if (dashboard_date(s, &days) && strlen(s) == 10)
			t = days * 86400;
		else {
			dashboard_add_text(b, s);
			return;
		}
	}
	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	secs = t - days * 86400;
	timefmt_civil_from_days(days, &y, &m, &d);
	strbuf_add(b, "<time datetime=\"");
	dashboard_add_text(b, s);
	strbuf_addf(b, "\">%s %d %s %d", wd[timefmt_weekday(days)], d,
	    mon[m - 1], y);
	if (strlen(s) > 10)
		strbuf_addf(b, ", %02d:%02d UTC", (int)(secs / 3600),
		    (int)(secs % 3600 / 60));
	strbuf_add(b, "</time>");
}

/* A median time to answer: "45 m", "1 h 30 m", "2 d 3 h". */
static void
dashboard_add_duration(struct strbuf *b, double secs)
{
	long s = (long)secs;

	if (s < 60)
		strbuf_add(b, "&lt;1 m");
	else if (s < 3600)
		strbuf_addf(b, "%ld m", s / 60);
	else if (s < 86400)
		strbuf_addf(b, "%ld h %ld m", s / 3600, s % 3600 / 60);
	else
		strbuf_addf(b, "%ld d %ld h", s / 86400, s % 86400 / 3600);
}

/* Up to two themes of a list, hyphens as spaces ("psychological safety"). */
static void
dashboard_add_themes(struct strbuf *b, const cJSON *list)
{
	const cJSON	*t;
	char		*s, *p;
	int		 n = 0;

	cJSON_ArrayForEach(t, list) {
		if (!cJSON_IsString(t) || n == 2)
			continue;
		s = xstrdup(t->valuestring);
		for (p = s; *p != '\0'; p++)
			if (*p == '-' || *p == '_')
				*p = ' ';
		if (n++ > 0)
			strbuf_add(b, " and ");
		dashboard_add_text(b, s);
		free(s);
	}
}

/* How a platform is named to people: its row's title. */
static const char *
dashboard_platform(const char *p)
{
	const struct chat_platform *row = chat_find(p);

	return row != NULL ? row->title : p;
}

/* The page's top bar: the name, what it shows and when it was computed. */
static void
dashboard_header(struct strbuf *b, const cJSON *stats)
{
	const cJSON	*channels, *ch;
	const char	*since;
	int		 n = 0;

	channels = cJSON_GetObjectItemCaseSensitive(stats, "channels");
	if (cJSON_IsArray(channels))
		cJSON_ArrayForEach(ch, channels)
			n += cJSON_IsObject(ch);
	strbuf_add(b, "<header class=\"top\"><div class=\"wrap\">"
	    "<h1 class=\"brand\"><svg aria-hidden=\"true\"><use "
	    "href=\"#nd-sprout\"/></svg>nudged <span>reflection habits</span>"
	    "</h1><p class=\"meta\">");
	strbuf_addf(b, "%d channel%s", n, n == 1 ? "" : "s");
	since = dashboard_str(stats, "since");
	if (*since != '\0') {
		strbuf_add(b, " &middot; since ");
		dashboard_add_instant(b, since);
	}
	if (*dashboard_str(stats, "generated_at") != '\0') {
		strbuf_add(b, " &middot; updated ");
		dashboard_add_instant(b, dashboard_str(stats, "generated_at"));
	}
	strbuf_add(b, "</p></div></header>\n");
}

/*
 * The headline numbers of a channel. Participation is the channel's
 * response rate: its people's answers against their answered and missed
 * nudges, as in each person's row; open nudges are shown apart.
 */
static void
dashboard_kpis(struct strbuf *b, const cJSON *stats, const cJSON *ch)
{
	double	rate = 0, open = 0, answers = 0;

	strbuf_add(b, "<dl class=\"kpis\"><div><dt>People reflecting</dt>"
	    "<dd>");
	dashboard_add_known(b, ch, "people");
	strbuf_add(b, "<small>answered at least once</small></dd></div>"
	    "<div><dt>Answers</dt><dd>");
	dashboard_add_known(b, ch, "answers");
	strbuf_add(b, "<small>");
	if (*dashboard_str(stats, "since") != '\0')
		strbuf_add(b, "in this period");
	else
		strbuf_add(b, "since the first nudge");
	strbuf_add(b, "</small></dd></div><div><dt>Nudges sent</dt><dd>");
	dashboard_add_known(b, ch, "deliveries");
	strbuf_add(b, "<small>questions posted");
	if (dashboard_num(ch, "open", &open) && open > 0) {
		strbuf_add(b, ", ");
		dashboard_add_count(b, open);
		strbuf_add(b, " still open");
	}
	strbuf_add(b, "</small></dd></div><div><dt>Participation</dt><dd>");
	/* Answers an anonymous channel hides (null) hide the rate too. */
	if (dashboard_num(ch, "answers", &answers) &&
	    dashboard_num(ch, "response_rate", &rate)) {
		strbuf_addf(b, "%.0f%%", 100.0 * (rate > 1 ? 1 : rate));
		strbuf_add(b, "<small>");
		dashboard_add_known(b, ch, "answers");
		strbuf_add(b, " answered, ");
		dashboard_add_known(b, ch, "missed");
		strbuf_add(b, " missed; open nudges count once they "
		    "close</small>");
	} else
		strbuf_add(b, "&mdash;<small>not enough answers yet"
		    "</small>");
	strbuf_add(b, "</dd></div></dl>\n");
}

/* The questions that drew most answers, with a bar against the first. */
static void
dashboard_prompts(struct strbuf *b, const cJSON *ch)
{
	const cJSON	*top, *p;
	double		 v, max = 0;

	top = cJSON_GetObjectItemCaseSensitive(ch, "top_prompts");
	strbuf_add(b, "<section class=\"panel prompts\"><h3>Questions that "
	    "drew most answers</h3>");
	if (!cJSON_IsArray(top) || top->child == NULL) {
		strbuf_add(b, "<p class=\"note\">None yet.</p></section>\n");
		return;
	}
	cJSON_ArrayForEach(p, top)
		if (dashboard_num(p, "answers", &v) && v > max)
			max = v;
	strbuf_add(b, "<ol>");
	cJSON_ArrayForEach(p, top) {
		/* A prompt since dropped from the bank is named by its id. */
		if (*dashboard_str(p, "text") != '\0') {
			strbuf_add(b, "<li><q>");
			dashboard_add_text(b, dashboard_str(p, "text"));
		} else {
			strbuf_add(b, "<li><q class=\"gone\">");
			dashboard_add_text(b, dashboard_str(p, "prompt_id"));
		}
		strbuf_add(b, "</q><span class=\"pm\"><i>");
		if (dashboard_num(p, "answers", &v) && max > 0)
			strbuf_addf(b, "<b style=\"width:%.0f%%\"></b>",
			    100.0 * v / max);
		strbuf_add(b, "</i><span>");
		dashboard_add_known(b, p, "answers");
		strbuf_add(b, " answers</span></span></li>");
	}
	strbuf_add(b, "</ol></section>\n");
}

/* One row of the people table. */
static void
dashboard_person(struct strbuf *b, const cJSON *p)
{
	const cJSON	*most;
	double		 v, cur = 0, longest = 0;
	const char	*name = dashboard_str(p, "user_name");

	strbuf_add(b, "<tr><td class=\"who\"><b>");
	dashboard_add_text(b, *name != '\0' ? name : dashboard_str(p, "user"));
	strbuf_add(b, "</b>");
	most = cJSON_GetObjectItemCaseSensitive(p, "themes_most");
	if (cJSON_IsArray(most) && cJSON_IsString(most->child)) {
		strbuf_add(b, "<small>often on ");
		dashboard_add_themes(b, most);
		strbuf_add(b, "</small>");
	}
	strbuf_add(b, "</td><td class=\"num\" data-l=\"Answered\">");
	dashboard_add_known(b, p, "answers");
	strbuf_add(b, "<span class=\"of\"> / ");
	dashboard_add_known(b, p, "deliveries");
	strbuf_add(b, "</span>");
	if (dashboard_num(p, "open", &v) && v > 0) {
		strbuf_add(b, "<small>");
		dashboard_add_count(b, v);
		strbuf_add(b, " open</small>");
	}
	strbuf_add(b, "</td><td class=\"rt\" data-l=\"Response "
	    "rate\">");
	if (dashboard_num(p, "response_rate", &v)) {
		v = v < 0 ? 0 : v > 1 ? 1 : v;
		strbuf_addf(b, "<span class=\"rate\"><i><b style=\"width:"
		    "%.0f%%\"></b></i><span>%.0f%%</span></span>", v * 100,
		    v * 100);
	} else
		strbuf_add(b, "&mdash;");
	strbuf_add(b, "</td><td data-l=\"Last 12 weeks\">");
	dashboard_svg_spark(b, cJSON_GetObjectItemCaseSensitive(p, "weeks"));
	strbuf_add(b, "</td><td data-l=\"Current streak\">");
	(void)dashboard_num(p, "current_streak", &cur);
	(void)dashboard_num(p, "longest_streak", &longest);
	if (cur > 0) {
		strbuf_addf(b, "<span class=\"streak\"><svg aria-hidden="
		    "\"true\"><use href=\"#nd-sprout\"/></svg>%.0f</span>",
		    cur);
		if (cur >= longest && cur > 1)
			strbuf_add(b, "<span class=\"best\">best</span>");
	} else
		strbuf_add(b, "<span class=\"streak off\">0</span>");
	strbuf_addf(b, "</td><td class=\"num\" data-l=\"Longest streak\">"
	    "%.0f</td><td class=\"num\" data-l=\"Median reply\">",
	    longest);
	if (dashboard_num(p, "median_answer_seconds", &v))
		dashboard_add_duration(b, v);
	else
		strbuf_add(b, "&mdash;");
	strbuf_add(b, "</td><td class=\"num\" data-l=\"Active weeks\">");
	dashboard_add_known(b, p, "active_weeks");
	strbuf_add(b, "</td></tr>");
}

/* The people of a named channel, or why there are none to show. */
static void
dashboard_people(struct strbuf *b, const cJSON *stats,
    const char *channel)
{
	const cJSON	*people, *p;
	int		 n = 0;

	people = cJSON_GetObjectItemCaseSensitive(stats, "people");
	cJSON_ArrayForEach(p, people) {
		if (strcmp(dashboard_str(p, "channel"), channel) != 0)
			continue;
		if (n++ == 0)
			strbuf_add(b, "<section class=\"panel people\">"
			    "<div class=\"ph\"><h3>People</h3><span "
			    "class=\"sub\">streaks count nudges answered in a "
			    "row</span></div><table><thead><tr><th>Name</th>"
			    "<th class=\"num\">Answered</th><th>Response "
			    "rate</th><th>Last 12 weeks</th><th>Current "
			    "streak</th><th class=\"num\">Longest</th><th "
			    "class=\"num\">Median time to answer</th><th "
			    "class=\"num\">Active weeks</th></tr></thead>"
			    "<tbody>");
		dashboard_person(b, p);
	}
	if (n > 0)
		strbuf_add(b, "</tbody></table></section>\n");
	else
		strbuf_add(b, "<section class=\"panel people\"><h3>People"
		    "</h3><p class=\"note\">Nobody has answered yet.</p>"
		    "</section>\n");
}

/* A friendly placeholder: a headline and what to do next. */
static void
dashboard_empty(struct strbuf *b, const char *title, const char *what)
{
	strbuf_add(b, "<div class=\"empty\"><svg aria-hidden=\"true\"><use "
	    "href=\"#nd-sprout\"/></svg><b>");
	strbuf_add(b, title);
	strbuf_add(b, "</b><p>");
	strbuf_add(b, what);
	strbuf_add(b, "</p></div>\n");
}

/* One channel's card: title, numbers, charts, questions and people. */
static void
dashboard_channel(struct strbuf *b, const cJSON *stats,
    const cJSON *ch, int64_t today)
{
	const char	*name = dashboard_str(ch, "channel");
	int		 anonymous;
	double		 answers;

	anonymous = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ch,
	    "anonymous"));
	strbuf_add(b, "<section class=\"card\"><header class=\"card-h\">"
	    "<h2><span class=\"hash\">#</span>");
	dashboard_add_text(b, name);
	strbuf_add(b, "</h2>");
	if (*dashboard_str(ch, "platform") != '\0') {
		strbuf_add(b, "<span class=\"chip\">");
		dashboard_add_text(b, dashboard_platform(dashboard_str(ch,
		    "platform")));
		strbuf_add(b, "</span>");
	}
	if (anonymous)
		strbuf_add(b, "<span class=\"chip anon\">anonymous</span>"
		    "<p class=\"note\">Answers here are counted, never "
		    "attributed: any count under 3 shows as &lt;3, so that "
		    "nobody can be singled out.</p>");
	strbuf_add(b, "</header>\n");
	dashboard_kpis(b, stats, ch);

	if (dashboard_num(ch, "answers", &answers) && answers <= 0) {
		strbuf_add(b, "<div class=\"panels\"><div class=\"panel "
		    "wide\">");
		dashboard_empty(b, "No answers yet", "Answers will appear here "
		    "after the first reply. Each nudge shows how to answer in "
		    "the channel; the habit builds from the first one.");
		strbuf_add(b, "</div></div></section>\n");
		return;
	}
	strbuf_add(b, "<div class=\"panels\"><figure class=\"panel heat\">"
	    "<figcaption class=\"ph\"><h3>Answers per day</h3><span "
	    "class=\"sub\">last 26 weeks</span></figcaption>\n");
	dashboard_svg_heatmap(b, ch, today);
	strbuf_add(b, "</figure>\n<figure class=\"panel trend\"><figcaption "
	    "class=\"ph\"><h3>Participation</h3><span class=\"sub\">last 12 "
	    "weeks</span></figcaption>\n");
	dashboard_svg_trend(b, ch, today);
	strbuf_add(b, "</figure>\n");
	if (!anonymous)
		dashboard_people(b, stats, name);
	dashboard_prompts(b, ch);
	strbuf_add(b, "</div></section>\n");
}

/*
 * The dashboard page for a stats document (the same JSON as GET
 * /api/v1/stats). Allocated HTML.
 */
char *
dashboard_html(const cJSON *stats)
{
	struct strbuf	 b = { NULL, 0, 0 };
	const cJSON		*channels, *ch;
	char			*cause = NULL;
	int64_t			 t, today = INT64_MAX;

	if (timefmt_parse_iso8601(dashboard_str(stats, "generated_at"), &t,
	    &cause) == 0)
		today = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	free(cause);
	strbuf_add(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n"
	    "<title>nudged \xe2\x80\x94 reflection habits</title>\n<style>\n");
	strbuf_add(&b, dashboard_css);
	strbuf_add(&b, "</style></head>\n<body>\n");
	dashboard_svg_defs(&b);
	dashboard_header(&b, stats);
	strbuf_add(&b, "<main class=\"wrap\">\n");

	channels = cJSON_GetObjectItemCaseSensitive(stats, "channels");
	if (!cJSON_IsArray(channels))
		channels = NULL;
	if (channels == NULL || channels->child == NULL) {
		strbuf_add(&b, "<section class=\"card\">");
		dashboard_empty(&b, "No channels to show yet", "Answers will "
		    "appear here after the first reply. Add a channel and a "
		    "schedule to the configuration, check it with <code>nudged "
		    "check</code>, and the first nudge goes out at its next "
		    "time.");
		strbuf_add(&b, "</section>\n");
	}
	cJSON_ArrayForEach(ch, channels)
		if (cJSON_IsObject(ch))
			dashboard_channel(&b, stats, ch, today);

	strbuf_add(&b, "</main>\n<footer class=\"wrap\">nudged &middot; one "
	    "good question at a time. Streaks count the nudges a person "
	    "answered in a row; in anonymous channels, counts under 3 show as "
	    "&lt;3.</footer>\n</body></html>\n");
	return strbuf_take(&b);
}
