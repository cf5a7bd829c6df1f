/* SPDX-License-Identifier: ISC */
/*
 * What the dashboard's page and charts share: typed reads of the stats
 * document, and user text escaped for HTML.
 */
#include "dashboard_int.h"

#include <stdlib.h>
#include <string.h>

#include "timefmt.h"

/* The largest number read from a stats document. */
#define DASHBOARD_NUM_MAX 1e9

/* Append text escaped for HTML content and quoted attribute values. */
void
dashboard_add_text(struct strbuf *b, const char *s)
{
	const char *rep;

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			/* Control characters but tab and newline go. */
			if ((unsigned char)*s < 0x20 && *s != '\t' &&
			    *s != '\n')
				continue;
			strbuf_addc(b, *s);
			continue;
		}
		strbuf_add(b, rep);
	}
}

/*
 * A number member (key NULL: o itself): 1 and its value, or 0 if null,
 * missing or not a number. Every number in a stats document is a count, a
 * rate or seconds: it is kept within 0..1e9, which no real one reaches, so
 * conversions to int are safe.
 */
int
dashboard_num(const cJSON *o, const char *key, double *v)
{
	const cJSON *item;

	item = key != NULL ? cJSON_GetObjectItemCaseSensitive(o, key) : o;
	if (!cJSON_IsNumber(item))
		return 0;
	*v = item->valuedouble;
	if (!(*v >= 0))
		*v = 0;
	else if (*v > DASHBOARD_NUM_MAX)
		*v = DASHBOARD_NUM_MAX;
	return 1;
}

/* A string member, or "" when it is null, missing or not a string. */
const char *
dashboard_str(const cJSON *o, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(item) ? item->valuestring : "";
}

/* "YYYY-MM-DD" (or an instant's date) as a day number; 0 if it is not one. */
int
dashboard_date(const char *s, int64_t *days)
{
	char	 date[11];
	char	*cause = NULL;
	int	 y, m, d;

	if (strlen(s) < 10)
		return 0;
	memcpy(date, s, 10);
	date[10] = '\0';
	if (timefmt_parse_date(date, &y, &m, &d, &cause) != 0) {
		free(cause);
		return 0;
	}
	*days = timefmt_days_from_civil(y, m, d);
	return 1;
}
