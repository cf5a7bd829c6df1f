/* SPDX-License-Identifier: ISC */
/*
 * Time zones read straight from TZif files (RFC 8536): the 64-bit data block
 * of version 2+ files (the 32-bit block of version 1 files), and the POSIX TZ
 * footer that governs every instant after the last explicit transition. Each
 * struct tz is self-contained; nothing is cached between zones and the C
 * library's TZ machinery is never touched.
 */
#include "tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "timefmt.h"
#include "xmalloc.h"

#define TZ_DEFAULT_DIR	"/usr/share/zoneinfo"
#define TZ_FILE_MAX	(1024 * 1024)
#define TZ_NAME_MAX	255
#define TZ_ABBR_MAX	15
/* RFC 8536 section 3.2 keeps offsets within 26 hours of UTC. */
#define TZ_UTOFF_MIN	(-93599)
#define TZ_UTOFF_MAX	93599
/* A wall time is at most this far from the UTC instant it names. */
#define TZ_WALK		93600
/* Footer arithmetic is done on instants clamped to about +-2 million years. */
#define TZ_TIME_LIMIT	((int64_t)1 << 46)

/* A local time type: offset, DST flag and abbreviation. */
struct tz_type {
	int32_t		 utoff;
	int		 isdst;
	const char	*abbr;
};

/* A date in a POSIX TZ rule (Jn, n or Mm.w.d) and the local time of day. */
struct tz_date {
	char		 kind;		/* 'J', 'D' (zero-based n) or 'M' */
	int		 n, m, w, d;
	int32_t		 time;
};

/* The footer: standard time, and optionally DST with its two dates. */
struct tz_rule {
	struct tz_type	 std, dst;
	int		 has_dst;
	struct tz_date	 start, end;
	char		 std_abbr[TZ_ABBR_MAX + 1];
	char		 dst_abbr[TZ_ABBR_MAX + 1];
};

struct tz {
	char		*name;
	size_t		 ntrans;
	int64_t		*trans;
	unsigned char	*idx;
	size_t		 ntypes;
	struct tz_type	*types;
	char		*chars;
	int		 has_rule;
	struct tz_rule	 rule;
};

/* The six counts of a TZif header. */
struct tz_counts {
	uint32_t	 isut, isstd, leap, time, type, chars;
};

/* One footer transition: when, and the type in effect from then on. */
struct tz_event {
	int64_t			 at;
	const struct tz_type	*type;
};

static int	tz_name_ok(const char *);
static int	tz_read(const char *, unsigned char **, size_t *);
static struct tz *tz_utc(const char *);
static uint32_t	tz_be32(const unsigned char *);
static int	tz_header(const unsigned char **, const unsigned char *,
		    struct tz_counts *);
static size_t	tz_block_size(const struct tz_counts *, size_t);
static const char *tz_block(struct tz *, const unsigned char *,
		    const struct tz_counts *, size_t);
static int	tz_rule_parse(struct tz_rule *, const char *, const char *);
static int	tz_posix_abbr(const char **, const char *, char *);
static int	tz_posix_hms(const char **, const char *, int, int32_t *);
static int	tz_posix_num(const char **, const char *, int, int, int *);
static int	tz_posix_date(const char **, const char *, struct tz_date *);
static int64_t	tz_rule_day(const struct tz_date *, int);
static int	tz_rule_window(const struct tz_rule *, int64_t,
		    struct tz_event *);
static int	tz_rule_span(const struct tz_rule *, int64_t,
		    const struct tz_type **, int64_t *);
static int64_t	tz_clamp(int64_t);
static long	tz_search(const struct tz *, int64_t);
static const struct tz_type *tz_type_at(const struct tz *, int64_t);
static int	tz_span(const struct tz *, int64_t, int32_t *, int64_t *);

/* True for a zone name that cannot escape the zoneinfo directory. */
static int
tz_name_ok(const char *name)
{
	const char	*p;

	if (*name == '\0' || *name == '/' || strlen(name) > TZ_NAME_MAX ||
	    strstr(name, "..") != NULL)
		return 0;
	for (p = name; *p != '\0'; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("_+-./", *p) != NULL)
			continue;
		return 0;
	}
	return 1;
}

/* Read a whole regular file; 0, or an errno value (EISDIR, EFBIG, ...). */
static int
tz_read(const char *path, unsigned char **buf, size_t *len)
{
	struct stat	 st;
	unsigned char	*b;
	size_t		 have = 0;
	ssize_t		 n;
	int		 fd, error;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return errno;
	if (fstat(fd, &st) == -1) {
		error = errno;
		close(fd);
		return error;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > TZ_FILE_MAX) {
		close(fd);
		return S_ISREG(st.st_mode) ? EFBIG : EISDIR;
	}
	b = xmalloc((size_t)st.st_size + 1);
	while (have < (size_t)st.st_size) {
		n = read(fd, b + have, (size_t)st.st_size - have);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			error = n == 0 ? EIO : errno;
			free(b);
			close(fd);
			return error;
		}
		have += (size_t)n;
	}
	close(fd);
	*buf = b;
	*len = have;
	return 0;
}

/* Built-in UTC, for systems whose zoneinfo lacks even that file. */
static struct tz *
tz_utc(const char *name)
{
	struct tz	*tz = xcalloc(1, sizeof *tz);

	tz->name = xstrdup(name);
	tz->chars = xstrdup("UTC");
	tz->ntypes = 1;
	tz->types = xcalloc(1, sizeof *tz->types);
	tz->types[0].abbr = tz->chars;
	return tz;
}

/* Load a zone by IANA name from $TZDIR or the system zoneinfo directory. */
struct tz *
tz_load(const char *name, char **cause)
{
	const char	*dir = getenv("TZDIR");
	unsigned char	*buf = NULL;
	size_t		 len = 0;
	char		*path;
	struct tz	*tz;
	int		 error;

	if (!tz_name_ok(name)) {
		xasprintf(cause, "invalid time zone name \"%.64s\"", name);
		return NULL;
	}
	if (dir == NULL || *dir == '\0')
		dir = TZ_DEFAULT_DIR;
	xasprintf(&path, "%s/%s", dir, name);
	error = tz_read(path, &buf, &len);
	if (error == ENOENT && strcmp(name, "UTC") == 0) {
		free(path);
		return tz_utc(name);
	}
	if (error == ENOENT || error == ENOTDIR || error == EISDIR) {
		xasprintf(cause, "unknown time zone \"%s\"", name);
		free(path);
		return NULL;
	}
	if (error != 0) {
		xasprintf(cause, "time zone \"%s\": %s: %s", name, path,
		    strerror(error));
		free(path);
		return NULL;
	}
	free(path);
	tz = tz_parse(name, buf, len, cause);
	free(buf);
	return tz;
}

/* Build a zone from the bytes of a TZif file. */
struct tz *
tz_parse(const char *name, const unsigned char *buf, size_t len, char **cause)
{
	const unsigned char	*p = buf, *end = buf + len, *nl;
	struct tz_counts	 c;
	size_t			 size, timesize = 4;
	struct tz		*tz;
	const char		*error;

	if (tz_header(&p, end, &c) != 0) {
		xasprintf(cause, "time zone \"%s\": not a TZif file", name);
		return NULL;
	}
	size = tz_block_size(&c, 4);
	if (size > (size_t)(end - p))
		goto truncated;
	if (buf[4] != '\0') {
		/* Version 2+: skip the 32-bit block, use the 64-bit one. */
		p += size;
		if (tz_header(&p, end, &c) != 0)
			goto truncated;
		timesize = 8;
		size = tz_block_size(&c, 8);
		if (size > (size_t)(end - p))
			goto truncated;
	}

	tz = xcalloc(1, sizeof *tz);
	tz->name = xstrdup(name);
	if ((error = tz_block(tz, p, &c, timesize)) != NULL) {
		xasprintf(cause, "time zone \"%s\": bad TZif data: %s", name,
		    error);
		tz_free(tz);
		return NULL;
	}
	if (timesize == 8) {
		p += size;
		if (p >= end || *p != '\n' ||
		    (nl = memchr(p + 1, '\n', (size_t)(end - p - 1))) == NULL) {
			xasprintf(cause,
			    "time zone \"%s\": TZif footer missing", name);
			tz_free(tz);
			return NULL;
		}
		if (tz_rule_parse(&tz->rule, (const char *)p + 1,
		    (const char *)nl) != 0) {
			xasprintf(cause, "time zone \"%s\": bad TZif footer "
			    "\"%.*s\"", name, (int)(nl - p - 1), p + 1);
			tz_free(tz);
			return NULL;
		}
		tz->has_rule = nl > p + 1;
	}
	return tz;

truncated:
	xasprintf(cause, "time zone \"%s\": truncated TZif file", name);
	return NULL;
}

/* Free a zone. */
void
tz_free(struct tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->name);
	free(tz->trans);
	free(tz->idx);
	free(tz->types);
	free(tz->chars);
	free(tz);
}

/* The name the zone was loaded under. */
const char *
tz_name(const struct tz *tz)
{
	return tz->name;
}

/* Decode a big-endian 32-bit value. */
static uint32_t
tz_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Check the magic and version of a 44-byte header and read its counts. */
static int
tz_header(const unsigned char **pp, const unsigned char *end,
    struct tz_counts *c)
{
	const unsigned char	*p = *pp;

	if (end - p < 44 || memcmp(p, "TZif", 4) != 0 ||
	    (p[4] != '\0' && p[4] < '2'))
		return -1;
	c->isut = tz_be32(p + 20);
	c->isstd = tz_be32(p + 24);
	c->leap = tz_be32(p + 28);
	c->time = tz_be32(p + 32);
	c->type = tz_be32(p + 36);
	c->chars = tz_be32(p + 40);
	*pp = p + 44;
	return 0;
}

/* Size in bytes of the data block described by a header. */
static size_t
tz_block_size(const struct tz_counts *c, size_t timesize)
{
	return (size_t)c->time * (timesize + 1) + (size_t)c->type * 6 +
	    c->chars + (size_t)c->leap * (timesize + 4) + c->isstd + c->isut;
}

/* Copy and validate one data block into tz; NULL, or what is wrong. */
static const char *
tz_block(struct tz *tz, const unsigned char *p, const struct tz_counts *c,
    size_t timesize)
{
	const unsigned char	*q;
	uint32_t		 i, hi, lo;
	int32_t			 utoff;

	if (c->type == 0 || c->type > 256 || c->chars == 0)
		return "no local time types";
	if ((c->isstd != 0 && c->isstd != c->type) ||
	    (c->isut != 0 && c->isut != c->type))
		return "inconsistent counts";
	if (c->leap != 0)
		return "leap-second (\"right/\") zones are not supported";

	tz->ntrans = c->time;
	tz->trans = xreallocarray(NULL, c->time + 1, sizeof *tz->trans);
	tz->idx = xmalloc((size_t)c->time + 1);
	for (i = 0; i < c->time; i++, p += timesize) {
		hi = tz_be32(p);
		if (timesize == 8) {
			lo = tz_be32(p + 4);
			tz->trans[i] = (int64_t)((uint64_t)hi << 32 | lo);
		} else
			tz->trans[i] = (int32_t)hi;
		if (i > 0 && tz->trans[i] <= tz->trans[i - 1])
			return "transition times out of order";
	}
	for (i = 0; i < c->time; i++, p++) {
		if (*p >= c->type)
			return "transition type out of range";
		tz->idx[i] = *p;
	}

	tz->ntypes = c->type;
	tz->types = xcalloc(c->type, sizeof *tz->types);
	tz->chars = xmalloc((size_t)c->chars + 1);
	q = p + (size_t)c->type * 6;
	memcpy(tz->chars, q, c->chars);
	tz->chars[c->chars] = '\0';
	for (i = 0; i < c->type; i++, p += 6) {
		utoff = (int32_t)tz_be32(p);
		if (utoff < TZ_UTOFF_MIN || utoff > TZ_UTOFF_MAX)
			return "UT offset out of range";
		if (p[4] > 1 || p[5] >= c->chars)
			return "bad local time type";
		tz->types[i].utoff = utoff;
		tz->types[i].isdst = p[4];
		tz->types[i].abbr = tz->chars + p[5];
	}
	return NULL;
}

/* Parse a POSIX TZ string (RFC 8536 section 3.3) into r; "" means none. */
static int
tz_rule_parse(struct tz_rule *r, const char *p, const char *end)
{
	int32_t	 off;

	memset(r, 0, sizeof *r);
	r->std.abbr = r->std_abbr;
	r->dst.abbr = r->dst_abbr;
	r->dst.isdst = 1;
	if (p == end)
		return 0;
	/* POSIX offsets count hours west of Greenwich; ours count east. */
	if (tz_posix_abbr(&p, end, r->std_abbr) != 0 ||
	    tz_posix_hms(&p, end, 24, &off) != 0)
		return -1;
	r->std.utoff = -off;
	if (p == end)
		return 0;
	if (tz_posix_abbr(&p, end, r->dst_abbr) != 0)
		return -1;
	r->has_dst = 1;
	r->dst.utoff = r->std.utoff + 3600;
	if (p != end && *p != ',') {
		if (tz_posix_hms(&p, end, 24, &off) != 0)
			return -1;
		r->dst.utoff = -off;
	}
	if (p == end) {
		/* No dates: glibc's default, the US rules. */
		r->start = (struct tz_date){ 'M', 0, 3, 2, 0, 7200 };
		r->end = (struct tz_date){ 'M', 0, 11, 1, 0, 7200 };
		return 0;
	}
	if (*p++ != ',' || tz_posix_date(&p, end, &r->start) != 0 ||
	    p == end || *p++ != ',' || tz_posix_date(&p, end, &r->end) != 0)
		return -1;
	return p == end ? 0 : -1;
}

/* Read an abbreviation, bare ("CET") or quoted ("<+1030>"). */
static int
tz_posix_abbr(const char **pp, const char *end, char *out)
{
	const char	*p = *pp, *s;
	size_t		 n;

	if (p < end && *p == '<') {
		for (s = ++p; p < end && *p != '>'; p++) {
			if (!(*p >= 'A' && *p <= 'Z') &&
			    !(*p >= 'a' && *p <= 'z') &&
			    !(*p >= '0' && *p <= '9') && *p != '+' && *p != '-')
				return -1;
		}
		if (p == end)
			return -1;
		n = (size_t)(p++ - s);
	} else {
		for (s = p; p < end && ((*p >= 'A' && *p <= 'Z') ||
		    (*p >= 'a' && *p <= 'z')); p++)
			;
		n = (size_t)(p - s);
	}
	if (n < 3 || n > TZ_ABBR_MAX)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	*pp = p;
	return 0;
}

/* Read 1 to 3 decimal digits no larger than max. */
static int
tz_posix_num(const char **pp, const char *end, int ndigits, int max, int *v)
{
	const char	*p = *pp;
	int		 n = 0;

	*v = 0;
	while (p < end && *p >= '0' && *p <= '9' && n < ndigits) {
		*v = *v * 10 + (*p++ - '0');
		n++;
	}
	if (n == 0 || *v > max)
		return -1;
	*pp = p;
	return 0;
}

/* Read [+-]hh[:mm[:ss]] with hh at most maxh; returns signed seconds. */
static int
tz_posix_hms(const char **pp, const char *end, int maxh, int32_t *secs)
{
	const char	*p = *pp;
	int		 sign = 1, h, m = 0, s = 0;

	if (p < end && (*p == '+' || *p == '-'))
		sign = *p++ == '-' ? -1 : 1;
	if (tz_posix_num(&p, end, 3, maxh, &h) != 0)
		return -1;
	if (p < end && *p == ':') {
		p++;
		if (tz_posix_num(&p, end, 2, 59, &m) != 0)
			return -1;
		if (p < end && *p == ':') {
			p++;
			if (tz_posix_num(&p, end, 2, 59, &s) != 0)
				return -1;
		}
	}
	*secs = sign * (h * 3600 + m * 60 + s);
	*pp = p;
	return 0;
}

/* Read a rule date Jn, n or Mm.w.d and its optional /time (default 02:00). */
static int
tz_posix_date(const char **pp, const char *end, struct tz_date *d)
{
	const char	*p = *pp;

	memset(d, 0, sizeof *d);
	d->time = 7200;
	if (p < end && *p == 'J') {
		p++;
		d->kind = 'J';
		if (tz_posix_num(&p, end, 3, 365, &d->n) != 0 || d->n < 1)
			return -1;
	} else if (p < end && *p == 'M') {
		p++;
		d->kind = 'M';
		if (tz_posix_num(&p, end, 2, 12, &d->m) != 0 || d->m < 1 ||
		    p == end || *p++ != '.' ||
		    tz_posix_num(&p, end, 1, 5, &d->w) != 0 || d->w < 1 ||
		    p == end || *p++ != '.' ||
		    tz_posix_num(&p, end, 1, 6, &d->d) != 0)
			return -1;
	} else {
		d->kind = 'D';
		if (tz_posix_num(&p, end, 3, 365, &d->n) != 0)
			return -1;
	}
	/* RFC 8536 section 3.3.1 extends the time to -167..167 hours. */
	if (p < end && *p == '/') {
		p++;
		if (tz_posix_hms(&p, end, 167, &d->time) != 0)
			return -1;
	}
	*pp = p;
	return 0;
}

/* The day (from 1970-01-01) a rule date falls on in a given year. */
static int64_t
tz_rule_day(const struct tz_date *d, int year)
{
	int64_t	 first;
	int	 dim;

	switch (d->kind) {
	case 'J':
		/* Jn never counts February 29. */
		return timefmt_days_from_civil(year, 1, 1) + d->n - 1 +
		    (timefmt_is_leap(year) && d->n >= 60);
	case 'D':
		return timefmt_days_from_civil(year, 1, 1) + d->n;
	default:
		first = timefmt_days_from_civil(year, d->m, 1);
		dim = timefmt_days_in_month(year, d->m);
		first += (d->d - timefmt_weekday(first) + 7) % 7 +
		    (d->w - 1) * 7;
		if (d->w == 5 && first >= timefmt_days_from_civil(year, d->m,
		    1) + dim)
			first -= 7;
		return first;
	}
}

/* The footer's transitions for the years around t, in time order. */
static int
tz_rule_window(const struct tz_rule *r, int64_t t, struct tz_event *ev)
{
	struct tz_event	 e;
	int64_t		 local;
	int		 y, m, d, i, j, n = 0;

	local = t + r->std.utoff;
	timefmt_civil_from_days(local / 86400 - (local % 86400 < 0), &y, &m,
	    &d);
	/* Two years back: rule times up to 167 h and large offsets cross years. */
	for (i = y - 2; i <= y + 2; i++) {
		/* Start is given in standard time, end in DST (POSIX). */
		ev[n].at = tz_rule_day(&r->start, i) * 86400 + r->start.time -
		    r->std.utoff;
		ev[n++].type = &r->dst;
		ev[n].at = tz_rule_day(&r->end, i) * 86400 + r->end.time -
		    r->dst.utoff;
		ev[n++].type = &r->std;
	}
	/* Ties (all-year DST, "0/0,J365/25"): the end sorts first. */
	for (i = 1; i < n; i++) {
		e = ev[i];
		for (j = i; j > 0 && (ev[j - 1].at > e.at ||
		    (ev[j - 1].at == e.at && e.type == &r->std)); j--)
			ev[j] = ev[j - 1];
		ev[j] = e;
	}
	return n;
}

/* The footer's type at t and its next change of offset (1 if any). */
static int
tz_rule_span(const struct tz_rule *r, int64_t t, const struct tz_type **type,
    int64_t *next)
{
	struct tz_event		 ev[10];
	const struct tz_type	*cur = NULL;
	int			 i, n;

	if (!r->has_dst) {
		*type = &r->std;
		return 0;
	}
	t = tz_clamp(t);
	n = tz_rule_window(r, t, ev);
	for (i = 0; i < n && ev[i].at <= t; i++)
		cur = ev[i].type;
	if (cur == NULL)
		cur = ev[0].type == &r->dst ? &r->std : &r->dst;
	*type = cur;
	for (; i < n; i++) {
		if (ev[i].type->utoff != cur->utoff) {
			*next = ev[i].at;
			return t < TZ_TIME_LIMIT;
		}
	}
	return 0;
}

/* Keep footer arithmetic far from int64_t overflow. */
static int64_t
tz_clamp(int64_t t)
{
	if (t > TZ_TIME_LIMIT)
		return TZ_TIME_LIMIT;
	if (t < -TZ_TIME_LIMIT)
		return -TZ_TIME_LIMIT;
	return t;
}

/* Index of the last explicit transition at or before t, or -1. */
static long
tz_search(const struct tz *tz, int64_t t)
{
	size_t	 lo = 0, hi = tz->ntrans, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* The local time type in effect at t. */
static const struct tz_type *
tz_type_at(const struct tz *tz, int64_t t)
{
	const struct tz_type	*type;
	int64_t			 next;
	long			 i;

	if (tz->has_rule &&
	    (tz->ntrans == 0 || t >= tz->trans[tz->ntrans - 1])) {
		tz_rule_span(&tz->rule, t, &type, &next);
		return type;
	}
	/* Before the first transition: type 0 (RFC 8536 section 3.2). */
	if ((i = tz_search(tz, t)) < 0)
		return &tz->types[0];
	return &tz->types[tz->idx[i]];
}

/* Offset at t and the next instant the offset changes (1 if there is one). */
static int
tz_span(const struct tz *tz, int64_t t, int32_t *utoff, int64_t *next)
{
	const struct tz_type	*cur, *rt;
	size_t			 j, last;
	long			 i;
	int64_t			 rnext;
	int			 more;

	if (tz->has_rule &&
	    (tz->ntrans == 0 || t >= tz->trans[tz->ntrans - 1])) {
		more = tz_rule_span(&tz->rule, t, &cur, next);
		*utoff = cur->utoff;
		return more;
	}
	i = tz_search(tz, t);
	cur = i < 0 ? &tz->types[0] : &tz->types[tz->idx[i]];
	*utoff = cur->utoff;
	/* With a footer, the last transition hands over to the footer. */
	last = tz->has_rule ? tz->ntrans - 1 : tz->ntrans;
	for (j = (size_t)(i + 1); j < last; j++) {
		if (tz->types[tz->idx[j]].utoff != cur->utoff) {
			*next = tz->trans[j];
			return 1;
		}
	}
	if (!tz->has_rule)
		return 0;
	more = tz_rule_span(&tz->rule, tz->trans[last], &rt, &rnext);
	if (rt->utoff != cur->utoff) {
		*next = tz->trans[last];
		return 1;
	}
	*next = rnext;
	return more;
}

/* Seconds east of UTC at instant utc, and optionally the abbreviation. */
int32_t
tz_offset(const struct tz *tz, int64_t utc, const char **abbr)
{
	const struct tz_type	*type = tz_type_at(tz, utc);

	if (abbr != NULL)
		*abbr = type->abbr;
	return type->utoff;
}

/* Break an instant down into the zone's wall-clock fields. */
void
tz_to_local(const struct tz *tz, int64_t utc, struct tz_local *out)
{
	const struct tz_type	*type = tz_type_at(tz, utc);
	int64_t			 local = tz_clamp(utc) + type->utoff;
	int64_t			 days = local / 86400 - (local % 86400 < 0);
	int			 sod = (int)(local - days * 86400);

	timefmt_civil_from_days(days, &out->year, &out->month, &out->day);
	out->hour = sod / 3600;
	out->min = sod / 60 % 60;
	out->sec = sod % 60;
	out->wday = timefmt_weekday(days);
	out->yday = (int)(days - timefmt_days_from_civil(out->year, 1, 1));
	out->utoff = type->utoff;
	out->abbr = type->abbr;
	out->isdst = type->isdst;
}

/* Wall-clock fields to UTC (gap: first instant after; overlap: first). */
int64_t
tz_from_local(const struct tz *tz, int year, int month, int day, int hour,
    int min, int sec)
{
	return tz_from_wall(tz, timefmt_days_from_civil(year, month, day) *
	    86400 + (int64_t)hour * 3600 + min * 60 + sec);
}

/* Wall seconds to UTC, walking the spans of constant offset around it. */
int64_t
tz_from_wall(const struct tz *tz, int64_t wall)
{
	int64_t	 t, next, next2;
	int32_t	 off, noff;
	int	 more, more2;

	wall = tz_clamp(wall);
	more = tz_span(tz, wall - TZ_WALK, &off, &next);
	for (;;) {
		t = wall - off;
		if (!more || t < next)
			return t;
		more2 = tz_span(tz, next, &noff, &next2);
		/* Not reached before the change and skipped by it: a gap. */
		if (wall - noff < next)
			return next;
		off = noff;
		next = next2;
		more = more2;
	}
}

/* The next change of UTC offset strictly after utc. */
int
tz_next_transition(const struct tz *tz, int64_t utc, int64_t *at)
{
	int32_t	 off;

	return tz_span(tz, utc, &off, at) ? 0 : -1;
}
