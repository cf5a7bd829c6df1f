/* SPDX-License-Identifier: ISC */
/*
 * Cron expressions. Each field is a bitmask, so finding the next matching
 * wall-clock minute skips whole months, days and hours at a time. Wall time
 * becomes UTC under nudged's DST rules: fixed-hour schedules fire once per
 * wall-clock match (a time in a spring-forward gap fires at the end of the
 * gap, a repeated time at its first occurrence), while frequent schedules
 * (hour field `*` or stepped) fire at every real instant whose wall-clock
 * time matches.
 */
#include "cron.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timefmt.h"
#include "tz.h"
#include "xmalloc.h"

/* Instants cron_next accepts: years 1 to 9999. */
#define CRON_TIME_MIN	(-62135596800LL)
#define CRON_TIME_MAX	253402300799LL
/* Wall time and UTC never differ by more than this (RFC 8536 bounds). */
#define CRON_SLACK	93600LL

enum cron_field_id {
	CRON_MINUTE,
	CRON_HOUR,
	CRON_MDAY,
	CRON_MONTH,
	CRON_WDAY,
};

struct cron {
	uint64_t	 minutes;	/* bits 0-59 */
	uint32_t	 hours;		/* bits 0-23 */
	uint32_t	 mdays;		/* bits 1-31 */
	uint16_t	 months;	/* bits 1-12 */
	uint8_t		 wdays;		/* bits 0-6, 0 = Sunday */
	uint8_t		 wdays_last;	/* "5L": last one in the month */
	uint64_t	 wdays_nth;	/* "1#1": bit wday * 5 + n - 1 */
	uint64_t	 mdays_nth;	/* the same, written in day-of-month */
	int		 mday_last;	/* "L" */
	int		 mday_star;	/* day-of-month starts with "*" */
	int		 wday_star;	/* day-of-week starts with "*" */
	int		 frequent;
};

/* The range and names of one field. */
struct cron_field {
	const char		*name;
	int			 lo, hi;
	const char *const	*names;	/* names[i] is value lo + i */
};

/* The values one field selects. */
struct cron_set {
	uint64_t	 bits;
	uint8_t		 last;
	uint64_t	 nth;
	int		 mday_last;
};

/* Where error messages go while parsing. */
struct cron_parser {
	const char	*expr;
	char		**cause;
	int		*column;
	int		 field;
};

static const char *const cron_month_names[] = {
	"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
	"JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL
};
static const char *const cron_day_names[] = {
	"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL
};
static const struct cron_field cron_fields[5] = {
	{ "minute", 0, 59, NULL },
	{ "hour", 0, 23, NULL },
	{ "day-of-month", 1, 31, NULL },
	{ "month", 1, 12, cron_month_names },
	{ "day-of-week", 0, 7, cron_day_names },
};
static const struct {
	const char	*name;
	const char	*expr;
} cron_macros[] = {
	{ "yearly", "0 0 1 1 *" },
	{ "annually", "0 0 1 1 *" },
	{ "monthly", "0 0 1 * *" },
	{ "weekly", "0 0 * * 0" },
	{ "daily", "0 0 * * *" },
	{ "midnight", "0 0 * * *" },
	{ "hourly", "0 * * * *" },
};

static void	cron_error(struct cron_parser *, const char *, const char *,
		    ...) __attribute__((format(printf, 3, 4)));
static struct cron *cron_parse_macro(struct cron_parser *, const char *);
static int	cron_parse_field(struct cron_parser *, const char *,
		    const char *, struct cron_set *);
static int	cron_parse_item(struct cron_parser *, const char **,
		    const char *, struct cron_set *);
static int	cron_parse_value(struct cron_parser *, const char **,
		    const char *, const struct cron_field *, int, int *);
static int	cron_parse_nth(struct cron_parser *, const char **,
		    const char *, struct cron_set *);
static int	cron_can_fire(const struct cron *);
static int	cron_day(const struct cron *, int, int, int);
static int	cron_find(const struct cron *, int64_t, int64_t, int64_t *);

/* Set *cause ("cron: field N (name): ... at column C") and *column. */
static void
cron_error(struct cron_parser *ps, const char *at, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;
	int	 col = at == NULL ? 0 : (int)(at - ps->expr) + 1;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (ps->field >= 0 && at != NULL)
		xasprintf(ps->cause, "cron: field %d (%s): %s at column %d",
		    ps->field + 1, cron_fields[ps->field].name, msg, col);
	else if (at != NULL)
		xasprintf(ps->cause, "cron: %s at column %d", msg, col);
	else
		xasprintf(ps->cause, "cron: %s", msg);
	free(msg);
	if (ps->column != NULL)
		*ps->column = col;
}

/* Parse a cron expression or macro into bitmasks. */
struct cron *
cron_parse(const char *expr, char **cause, int *column)
{
	struct cron_parser	 ps = { expr, cause, column, -1 };
	struct cron_set		 set[5];
	const char		*start[5], *end[5], *p = expr;
	struct cron		*c;
	int			 n = 0, i;

	if (column != NULL)
		*column = 0;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '@')
		return cron_parse_macro(&ps, p);
	for (; *p != '\0'; n++) {
		if (n < 5)
			start[n] = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		if (n < 5)
			end[n] = p;
		while (isspace((unsigned char)*p))
			p++;
	}
	if (n != 5) {
		if (n == 0)
			cron_error(&ps, NULL, "empty expression");
		else
			cron_error(&ps, NULL, "expected 5 fields (minute hour "
			    "day-of-month month day-of-week), found %d", n);
		return NULL;
	}
	for (i = 0; i < 5; i++) {
		ps.field = i;
		if (cron_parse_field(&ps, start[i], end[i], &set[i]) != 0)
			return NULL;
	}

	c = xcalloc(1, sizeof *c);
	c->minutes = set[CRON_MINUTE].bits;
	c->hours = (uint32_t)set[CRON_HOUR].bits;
	c->mdays = (uint32_t)set[CRON_MDAY].bits;
	c->mdays_nth = set[CRON_MDAY].nth;
	c->mday_last = set[CRON_MDAY].mday_last;
	c->months = (uint16_t)set[CRON_MONTH].bits;
	c->wdays = (uint8_t)set[CRON_WDAY].bits;
	c->wdays_last = set[CRON_WDAY].last;
	c->wdays_nth = set[CRON_WDAY].nth;
	/* Like cronie (src/entry.c, load_entry: `if (ch == '*') e->flags |=
	 * DOM_STAR;`), only the field's first character counts: "*\/10" is a
	 * star, "1-31/10" is not. */
	c->mday_star = *start[CRON_MDAY] == '*';
	c->wday_star = *start[CRON_WDAY] == '*';
	c->frequent = (end[CRON_HOUR] - start[CRON_HOUR] == 1 &&
	    *start[CRON_HOUR] == '*') ||
	    memchr(start[CRON_HOUR], '/', (size_t)(end[CRON_HOUR] -
	    start[CRON_HOUR])) != NULL;
	if (!cron_can_fire(c)) {
		ps.field = -1;
		cron_error(&ps, NULL, "expression never fires (no month has "
		    "a matching day)");
		free(c);
		return NULL;
	}
	return c;
}

/* Expand "@daily" and friends (case-insensitive). */
static struct cron *
cron_parse_macro(struct cron_parser *ps, const char *at)
{
	const char	*p = at + 1, *name = p;
	size_t		 len, i;

	while (isalpha((unsigned char)*p))
		p++;
	len = (size_t)(p - name);
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0') {
		cron_error(ps, p, "unexpected \"%s\" after %.*s", p,
		    (int)(len + 1), at);
		return NULL;
	}
	for (i = 0; i < sizeof cron_macros / sizeof cron_macros[0]; i++) {
		if (strlen(cron_macros[i].name) == len &&
		    strncasecmp(cron_macros[i].name, name, len) == 0)
			return cron_parse(cron_macros[i].expr, ps->cause,
			    ps->column);
	}
	cron_error(ps, at, "unknown macro \"%.*s\"", (int)(len + 1), at);
	return NULL;
}

/* Parse one field: a comma-separated list of items. */
static int
cron_parse_field(struct cron_parser *ps, const char *p, const char *end,
    struct cron_set *set)
{
	memset(set, 0, sizeof *set);
	for (;;) {
		if (cron_parse_item(ps, &p, end, set) != 0)
			return -1;
		if (p == end)
			return 0;
		p++;	/* the comma */
	}
}

/* Parse one list item: *, N, N-M, any of those /step, L, NL or N#K. */
static int
cron_parse_item(struct cron_parser *ps, const char **pp, const char *end,
    struct cron_set *set)
{
	const struct cron_field	*f = &cron_fields[ps->field];
	const char		*p = *pp, *item = p, *q;
	int			 lo, hi, step = 1, v;
	int			 wday = ps->field == CRON_WDAY;

	if (p == end || *p == ',') {
		cron_error(ps, p == end ? p - 1 : p, "empty list item");
		return -1;
	}
	/* "1#1" is a weekday even when written in day-of-month. */
	for (q = p; q < end && isalnum((unsigned char)*q); q++)
		;
	if ((wday || ps->field == CRON_MDAY) && q < end && *q == '#')
		return cron_parse_nth(ps, pp, end, set);

	if (*p == '*') {
		p++;
		lo = f->lo;
		hi = wday ? 6 : f->hi;
	} else if (ps->field == CRON_MDAY && (*p == 'L' || *p == 'l')) {
		p++;
		if (p < end && *p != ',') {
			cron_error(ps, p, "unexpected \"%c\" after L", *p);
			return -1;
		}
		set->mday_last = 1;
		*pp = p;
		return 0;
	} else {
		if (cron_parse_value(ps, &p, end, f, wday, &lo) != 0)
			return -1;
		hi = lo;
		if (wday && p < end && (*p == 'L' || *p == 'l')) {
			p++;
			if (p < end && *p != ',') {
				cron_error(ps, p,
				    "unexpected \"%c\" after %.*s", *p,
				    (int)(p - item), item);
				return -1;
			}
			set->last |= 1 << (lo % 7);
			*pp = p;
			return 0;
		}
		if (p < end && *p == '-') {
			p++;
			if (cron_parse_value(ps, &p, end, f, wday, &hi) != 0)
				return -1;
			/* Sunday is 7 at the end of a range (SAT-SUN). */
			if (wday && hi == 0 && lo > 0)
				hi = 7;
			if (wday && lo == 7 && hi < 7)
				lo = 0;
			if (hi < lo) {
				cron_error(ps, item, "range %.*s is reversed "
				    "(wrap-around ranges are not supported)",
				    (int)(p - item), item);
				return -1;
			}
		} else if (p < end && *p == '/')
			hi = wday ? 6 : f->hi;
	}
	if (p < end && *p == '/') {
		q = ++p;
		if (p == end || !isdigit((unsigned char)*p)) {
			cron_error(ps, p - 1, "missing step after \"/\"");
			return -1;
		}
		for (step = 0; p < end && isdigit((unsigned char)*p); p++)
			step = step > 1000 ? step : step * 10 + (*p - '0');
		if (step < 1 || step > f->hi - f->lo) {
			cron_error(ps, q, "step %.*s is out of range 1-%d",
			    (int)(p - q), q, f->hi - f->lo);
			return -1;
		}
	}
	if (p < end && *p != ',') {
		cron_error(ps, p, "unexpected \"%c\"", *p);
		return -1;
	}
	for (v = lo; v <= hi; v += step)
		set->bits |= (uint64_t)1 << (wday ? v % 7 : v);
	*pp = p;
	return 0;
}

/* Parse "W#N": the Nth (1-5) weekday W of the month. */
static int
cron_parse_nth(struct cron_parser *ps, const char **pp, const char *end,
    struct cron_set *set)
{
	const char	*p = *pp, *q;
	int		 wd, n;

	if (cron_parse_value(ps, &p, end, &cron_fields[CRON_WDAY], 0, &wd) != 0)
		return -1;
	if (p == end || *p != '#') {
		cron_error(ps, p, "unexpected \"%c\"", p == end ? '#' : *p);
		return -1;
	}
	q = ++p;
	for (n = 0; p < end && isdigit((unsigned char)*p); p++)
		n = n > 1000 ? n : n * 10 + (*p - '0');
	if (p == q) {
		cron_error(ps, q - 1, "missing number after \"#\"");
		return -1;
	}
	if (n < 1 || n > 5) {
		cron_error(ps, q, "%.*s is out of range 1-5", (int)(p - q), q);
		return -1;
	}
	if (p < end && *p != ',') {
		cron_error(ps, p, "unexpected \"%c\"", *p);
		return -1;
	}
	set->nth |= (uint64_t)1 << ((wd % 7) * 5 + n - 1);
	*pp = p;
	return 0;
}

/* Parse a number or name within the field's range (NL: stop before L). */
static int
cron_parse_value(struct cron_parser *ps, const char **pp, const char *end,
    const struct cron_field *f, int suffix_l, int *value)
{
	const char	*p = *pp, *s = p;
	size_t		 len;
	int		 v = 0, i;

	if (p < end && isdigit((unsigned char)*p)) {
		for (; p < end && isdigit((unsigned char)*p); p++)
			v = v > 1000 ? v : v * 10 + (*p - '0');
		if (v < f->lo || v > f->hi) {
			cron_error(ps, s, "%.*s is out of range %d-%d",
			    (int)(p - s), s, f->lo, f->hi);
			return -1;
		}
		*value = v;
		*pp = p;
		return 0;
	}
	if (p == end || !isalpha((unsigned char)*p) || f->names == NULL) {
		if (p == end)
			cron_error(ps, p - 1, "missing value after \"%c\"",
			    p[-1]);
		else
			cron_error(ps, p, "unexpected \"%c\"", *p);
		return -1;
	}
	while (p < end && isalpha((unsigned char)*p))
		p++;
	len = (size_t)(p - s);
	if (suffix_l && len == 4 && (s[3] == 'L' || s[3] == 'l'))
		len = 3;
	for (i = 0; len == 3 && f->names[i] != NULL; i++) {
		if (strncasecmp(f->names[i], s, 3) == 0) {
			*value = f->lo + i;
			*pp = s + len;
			return 0;
		}
	}
	cron_error(ps, s, "unknown name \"%.*s\"", (int)(p - s), s);
	return -1;
}

/* True if some month allowed by the expression has a matching day. */
static int
cron_can_fire(const struct cron *c)
{
	int		 m, dim, first, d;

	/* Every month length starts on every weekday within CRON_SEARCH_YEARS
	 * (29-day Februaries included), so trying each start is exact. */
	for (m = 1; m <= 12; m++) {
		if (!(c->months >> m & 1))
			continue;
		for (dim = m == 2 ? 28 : timefmt_days_in_month(2001, m);
		    dim <= timefmt_days_in_month(2000, m); dim++)
			for (first = 0; first < 7; first++)
				for (d = 1; d <= dim; d++)
					if (cron_day(c, d, (first + d - 1) % 7,
					    dim))
						return 1;
	}
	return 0;
}

/*
 * True if day d (weekday wd, month of dim days) matches. cronie's rule
 * (src/cron.c, find_jobs): `((e->flags & DOM_STAR) || (e->flags & DOW_STAR))
 * ? (bit_test(e->dow, dow) && bit_test(e->dom, dom)) : (... || ...)`: both
 * day fields must match when either starts with "*", either one otherwise.
 */
static int
cron_day(const struct cron *c, int d, int wd, int dim)
{
	uint64_t	 nth = (uint64_t)1 << (wd * 5 + (d - 1) / 7);
	int		 dom, dow;

	dom = (c->mdays >> d & 1) || (c->mday_last && d == dim) ||
	    (c->mdays_nth & nth) != 0;
	dow = (c->wdays >> wd & 1) || ((c->wdays_last >> wd & 1) &&
	    d + 7 > dim) || (c->wdays_nth & nth) != 0;
	if (c->mday_star || c->wday_star)
		return dom && dow;
	return dom || dow;
}

/* The first matching wall time (seconds, local) in [from, limit]. */
static int
cron_find(const struct cron *c, int64_t from, int64_t limit, int64_t *out)
{
	int64_t		 days = from / 86400 - (from % 86400 < 0);
	int		 sod = (int)(from - days * 86400);
	int		 h = sod / 3600, m = (sod % 3600 + 59) / 60;
	int		 y, mo, d, wd, dim, skip;
	uint64_t	 mbits;
	uint32_t	 hbits;

	timefmt_civil_from_days(days, &y, &mo, &d);
	wd = timefmt_weekday(days);
	dim = timefmt_days_in_month(y, mo);
	if (m == 60) {
		m = 0;
		h++;
	}
	while (days * 86400 <= limit) {
		if (!(c->months >> mo & 1)) {
			skip = dim - d + 1;
			goto next_day;
		}
		skip = 1;
		if (!cron_day(c, d, wd, dim))
			goto next_day;
		for (; h < 24; h++, m = 0) {
			if ((hbits = c->hours >> h) == 0)
				break;
			if ((hbits & 1) == 0) {
				h += __builtin_ctz(hbits);
				m = 0;
			}
			if (m < 60 && (mbits = c->minutes >> m) != 0) {
				m += __builtin_ctzll(mbits);
				*out = days * 86400 + h * 3600 + m * 60;
				return *out <= limit ? 0 : -1;
			}
		}
next_day:
		days += skip;
		wd = (wd + skip) % 7;
		d += skip;
		h = m = 0;
		if (d > dim) {
			d = 1;
			if (++mo > 12) {
				mo = 1;
				y++;
			}
			dim = timefmt_days_in_month(y, mo);
		}
	}
	return -1;
}

/* The next fire instant strictly after `after` in zone tz. */
int
cron_next(const struct cron *c, const struct tz *tz, int64_t after,
    int64_t *next)
{
	int64_t	 limit, wall, cand, t, end;
	int32_t	 off;

	if (after < CRON_TIME_MIN || after > CRON_TIME_MAX)
		return -1;
	limit = after + (int64_t)CRON_SEARCH_YEARS * 366 * 86400;

	if (!c->frequent) {
		/*
		 * Every match at or before after's own wall time maps to an
		 * instant at or before after (the mapping never goes back in
		 * time), so start just past it and map each match in turn.
		 */
		wall = after + tz_offset(tz, after, NULL) + 1;
		for (;;) {
			if (cron_find(c, wall, limit + CRON_SLACK, &cand) != 0)
				return -1;
			t = tz_from_wall(tz, cand);
			if (t > after) {
				if (t > limit)
					return -1;
				*next = t;
				return 0;
			}
			wall = cand + 60;
		}
	}

	/* Frequent: walk spans of constant offset in real time. */
	for (t = after + 1; t <= limit; t = end) {
		off = tz_offset(tz, t, NULL);
		if (tz_next_transition(tz, t, &end) != 0 || end > limit)
			end = limit + 1;
		if (cron_find(c, t + off, end - 1 + off, &cand) == 0) {
			*next = cand - off;
			return 0;
		}
	}
	return -1;
}

/* True when the schedule follows elapsed time across DST changes. */
int
cron_is_frequent(const struct cron *c)
{
	return c->frequent;
}

/* Free a parsed expression. */
void
cron_free(struct cron *c)
{
	free(c);
}
