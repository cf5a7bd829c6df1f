/* SPDX-License-Identifier: ISC */
/* Timing and result helpers every benchmark under bench/ links. */
#include "bench_support.h"

#include "chat/chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void	bench_quote(FILE *, const char *, size_t);
static void	bench_figure(double, const char *);

/* Milliseconds on the monotonic clock, as a double. */
double
bench_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* qsort order for doubles. */
int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sort n doubles in place, smallest first. */
void
bench_sort(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, bench_cmp);
}

/* The median of n values (sorted in place), with the smallest and largest. */
double
bench_median(double *v, int n, double *lo, double *hi)
{
	bench_sort(v, n);
	*lo = v[0];
	*hi = v[n - 1];
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* A whole file as a string ("" when empty), or NULL when it cannot be read. */
char *
bench_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (f == NULL)
		return NULL;
	if (getdelim(&buf, &len, '\0', f) == -1) {
		free(buf);
		buf = strdup("");
	}
	fclose(f);
	return buf;
}

/* CPU seconds (user + system) a live process has used so far, from /proc. */
double
bench_proc_cpu(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields 14 and 15, counted after the command name in parentheses. */
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 2, "%*c %*d %*d %*d "
	    "%*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return 0;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* A figure with the digits that matter: whole above 100, else three significant. */
static void
bench_figure(double v, const char *unit)
{
	if (v >= 100)
		printf("%.0f %s", v, unit);
	else
		printf("%.3g %s", v, unit);
}

/* One tab-separated "TABLE" line of the suite's summary, on stdout. */
void
bench_table_row(const char *scenario, const char *unit, double nudged,
    const char *peer, double peer_value, double cpu_us, double rss_mib)
{
	printf("TABLE\t%s\t", scenario);
	bench_figure(nudged, unit);
	putchar('\t');
	if (peer != NULL) {
		printf("%s: ", peer);
		bench_figure(peer_value, unit);
		printf("\t%.2f\t", nudged / peer_value);
	} else
		printf("-\t-\t");
	if (cpu_us > 0)
		printf("%.1f\t", cpu_us);
	else
		printf("-\t");
	if (rss_mib > 0)
		printf("%.1f\n", rss_mib);
	else
		printf("-\n");
	fflush(stdout);
}

/* Write s as a double-quoted curl config value (backslash escapes quotes and backslashes). */
static void
bench_quote(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"' || s[i] == '\\')
			fputc('\\', f);
		fputc(s[i], f);
	}
	fputc('"', f);
}

/* A curl config: one group per request (separated by `next`), same URL, headers and body as nudged. */
void
bench_write_curl_config(const char *path, int n,
    const struct chat_request *reqs, char *(*url)(int, void *), void *arg)
{
	FILE *f = fopen(path, "w");
	char *u;

	if (f == NULL)
		exit(3);
	for (int i = 0; i < n; i++) {
		const struct chat_request *r = &reqs[i];

		u = url(i, arg);
		fprintf(f, "%surl = ", i ? "next\n" : "");
		bench_quote(f, u, strlen(u));
		free(u);
		fprintf(f, "\nheader = \"Content-Type: %s\"\nheader = \"Expect:\"\n",
		    r->content_type);
		for (size_t h = 0; h < r->nheaders; h++) {
			fputs("header = ", f);
			bench_quote(f, r->headers[h], strlen(r->headers[h]));
			fputc('\n', f);
		}
		fprintf(f, "user-agent = \"nudged/" NUDGED_VERSION "\"\n"
		    "output = \"/dev/null\"\nwrite-out = \"%%{response_code}\\n\"\n"
		    "data-binary = ");
		bench_quote(f, r->body, r->body_len);
		fputc('\n', f);
	}
	if (fclose(f) != 0)
		exit(3);
}
