/* SPDX-License-Identifier: ISC */
/*
 * The dashboard page: escaping, anonymous counts, the heatmap's cells, empty
 * states, well-formed markup, and a real render in headless Chromium whose
 * screenshot is kept at build/check/dashboard.png for people to look at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "dashboard.h"
#include "harness.h"

/* How long one Chromium screenshot may take before it is killed. */
#define CHROMIUM_DEADLINE_MS	90000
/* Below this a 1280x2000 screenshot is blank (an empty page is ~12 KB). */
#define SCREENSHOT_MIN_BYTES	(60 * 1024)

/* The folder holding this source, with its slash ("tests/"), for data files. */
static char *
source_dir(void)
{
	const char	*slash = strrchr(__FILE__, '/');
	char		*dir;

	assert_true(asprintf(&dir, "%.*s", slash != NULL ?
	    (int)(slash - __FILE__ + 1) : 0, __FILE__) >= 0);
	return dir;
}

/* A whole file as a string, or NULL. */
static char *
slurp(const char *path, size_t *lenp)
{
	FILE	*f;
	char	*s;
	long	 len;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	s = malloc((size_t)len + 1);
	assert_non_null(s);
	if (fread(s, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(s);
		return NULL;
	}
	s[len] = '\0';
	fclose(f);
	if (lenp != NULL)
		*lenp = (size_t)len;
	return s;
}

/* tests/data/dashboard/sample.json, parsed. */
static cJSON *
sample(void)
{
	char	*dir = source_dir(), *path, *text;
	cJSON	*j;

	assert_true(asprintf(&path, "%sdata/dashboard/sample.json", dir) > 0);
	if ((text = slurp(path, NULL)) == NULL)
		fail_msg("%s: cannot read (run from the source tree)", path);
	j = cJSON_Parse(text);
	assert_non_null(j);
	free(text);
	free(path);
	free(dir);
	return j;
}

/* The page for a stats document given as JSON text. */
static char *
page_for(const char *json)
{
	cJSON	*j = cJSON_Parse(json);
	char	*html;

	assert_non_null(j);
	html = dashboard_html(j);
	cJSON_Delete(j);
	assert_non_null(html);
	return html;
}

/* How many times needle occurs in s. */
static int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* How many times needle occurs from the first `from` in s to the next `to`. */
static int
count_between(const char *s, const char *from, const char *to,
    const char *needle)
{
	const char	*a, *b;
	char		*part;
	int		 n;

	if ((a = strstr(s, from)) == NULL || (b = strstr(a, to)) == NULL)
		return -1;
	part = strndup(a, (size_t)(b - a));
	assert_non_null(part);
	n = count(part, needle);
	free(part);
	return n;
}

/* Tags that never have a closing tag in HTML. */
static int
is_void(const char *name)
{
	static const char *v[] = { "area", "base", "br", "col", "embed", "hr",
	    "img", "input", "link", "meta", "source", "track", "wbr", NULL };
	int i;

	for (i = 0; v[i] != NULL; i++)
		if (strcmp(name, v[i]) == 0)
			return 1;
	return 0;
}

/* Fail unless every tag opened in html is closed, in order (a loose parse). */
static void
assert_well_formed(const char *html)
{
	char		 stack[64][16], name[16];
	const char	*p = html, *end;
	size_t		 n;
	int		 depth = 0, closing;

	while ((p = strchr(p, '<')) != NULL) {
		if (p[1] == '!') {
			p = strchr(p, '>');
			assert_non_null(p);
			continue;
		}
		closing = p[1] == '/';
		p += closing ? 2 : 1;
		for (n = 0; isalnum((unsigned char)p[n]) &&
		    n < sizeof name - 1; n++)
			name[n] = (char)tolower((unsigned char)p[n]);
		name[n] = '\0';
		if (n == 0)
			fail_msg("stray '<' at offset %td", p - html);
		if ((end = strchr(p, '>')) == NULL)
			fail_msg("<%s> never ends", name);
		if (closing) {
			if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
				fail_msg("</%s> at offset %td closes <%s>",
				    name, p - html,
				    depth > 0 ? stack[depth - 1] : "");
			depth--;
		} else if (end[-1] != '/' && !is_void(name)) {
			assert_true(depth < 64);
			memcpy(stack[depth++], name, n + 1);
			/* The style sheet is text: skip to its end tag. */
			if (strcmp(name, "style") == 0)
				end = strstr(end, "</style") - 1;
		}
		p = end + 1;
	}
	if (depth != 0)
		fail_msg("<%s> is never closed", stack[depth - 1]);
}

static void
test_user_text_is_escaped(void **state)
{
	char *html;

	(void)state;
	html = page_for("{\"generated_at\": \"2026-11-24T11:00:00Z\","
	    "\"people\": [{\"channel\": \"a<b\", \"user\": \"U1\","
	    "\"user_name\": \"<script>alert(1)</script>\", \"deliveries\": 2,"
	    "\"answers\": 1, \"response_rate\": 0.5, \"current_streak\": 1,"
	    "\"longest_streak\": 1, \"median_answer_seconds\": 5400,"
	    "\"active_weeks\": 1, \"themes_most\": [\"x\\\"><i>\"]}],"
	    "\"channels\": [{\"channel\": \"a<b\", \"platform\": \"<img>\","
	    "\"anonymous\": false, \"deliveries\": 2, \"answers\": 1,"
	    "\"people\": 1, \"weeks\": [], \"participation\": [],"
	    "\"heatmap\": [{\"date\": \"2026-11-23\\\"/>\", \"answers\": 1}],"
	    "\"top_prompts\": [{\"prompt_id\": \"p\", \"text\":"
	    "\"Fish & \\\"chips\\\" 'n' <b>peas</b>?\", \"answers\": 1}]}]}");
	assert_non_null(strstr(html,
	    "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html,
	    "Fish &amp; &quot;chips&quot; &#39;n&#39; "
	    "&lt;b&gt;peas&lt;/b&gt;?"));
	assert_non_null(strstr(html, "a&lt;b"));
	assert_non_null(strstr(html, "&lt;img&gt;"));
	assert_non_null(strstr(html, "x&quot;&gt;&lt;i&gt;"));
	assert_non_null(strstr(html, "2026-11-23&quot;/&gt;: 1 answer<"));
	/* No script of any kind, no external asset. */
	assert_null(strcasestr(html, "<script"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "<b>peas"));
	assert_well_formed(html);
	free(html);
}

static void
test_anonymous_nulls_read_fewer_than_3(void **state)
{
	cJSON	*stats = sample(), *ch;
	char	*html, *anon;

	(void)state;
	html = dashboard_html(stats);
	/* The anonymous channel's card, from its title on. */
	anon = strstr(html, "platform-team</h2>");
	assert_non_null(anon);
	assert_non_null(strstr(anon, "anonymous</span>"));
	/* A null heatmap day and a null week are "fewer than 3", never 0. */
	assert_true(count_between(anon, "<svg class=\"hm\"", "</svg>",
	    ": fewer than 3 answers</title>") > 100);
	assert_int_equal(count_between(anon, "<svg class=\"hm\"", "</svg>",
	    ": no answers</title>"), 0);
	assert_int_equal(count_between(anon, "<svg class=\"tr\"", "</svg>",
	    ">&lt;3</text>"), 1);
	assert_int_equal(count_between(anon, "<svg class=\"tr\"", "</svg>",
	    "fewer than 3 people answered"), 1);
	assert_int_equal(count_between(anon, "<svg class=\"tr\"", "</svg>",
	    ": 0 people answered"), 0);
	/* Nobody is named in an anonymous channel. */
	assert_null(strstr(anon, "<table"));
	free(html);

	/* Channel totals hidden too: "<3" in the headline numbers, not 0. */
	ch = cJSON_GetArrayItem(cJSON_GetObjectItem(stats, "channels"), 1);
	cJSON_ReplaceItemInObject(ch, "answers", cJSON_CreateNull());
	cJSON_ReplaceItemInObject(ch, "people", cJSON_CreateNull());
	html = dashboard_html(stats);
	anon = strstr(html, "platform-team</h2>");
	assert_int_equal(count_between(anon, "<dl class=\"kpis\">", "</dl>",
	    "title=\"fewer than 3\">&lt;3</span>"), 2);
	assert_int_equal(count_between(anon, "<dl class=\"kpis\">", "</dl>",
	    "<dd>0<"), 0);
	assert_well_formed(html);
	free(html);
	cJSON_Delete(stats);
}

static void
test_heatmap_has_a_cell_per_day(void **state)
{
	cJSON	*stats = sample();
	char	*html, *second;

	(void)state;
	html = dashboard_html(stats);
	/* 182 days, Monday to Sunday: 26 columns of 7, each cell titled. */
	assert_int_equal(count_between(html, "<svg class=\"hm\"", "</svg>",
	    "<rect "), 182);
	assert_int_equal(count_between(html, "<svg class=\"hm\"", "</svg>",
	    "</title></rect>"), 182);
	assert_non_null(strstr(html,
	    "<svg class=\"hm\" viewBox=\"0 0 450 130\""));
	assert_non_null(strstr(html, "<title>2026-06-01: 3 answers</title>"));
	assert_non_null(strstr(html, "<title>2026-06-06: no answers</title>"));
	assert_non_null(strstr(html,
	    "<title>2026-11-29: still to come</title>"));
	second = strstr(strstr(html, "<svg class=\"hm\"") + 1,
	    "<svg class=\"hm\"");
	assert_non_null(second);
	assert_int_equal(count_between(second, "<svg class=\"hm\"", "</svg>",
	    "<rect "), 182);
	/* Month labels and the legend. */
	assert_non_null(strstr(html, ">Jun</text>"));
	assert_non_null(strstr(html, ">Nov</text>"));
	assert_non_null(strstr(html, "Less<i class=\"sw l0\">"));
	free(html);
	cJSON_Delete(stats);
}

static void
test_people_table_and_numbers(void **state)
{
	cJSON	*stats = sample();
	char	*html;

	(void)state;
	html = dashboard_html(stats);
	assert_non_null(strstr(html,
	    "<title>nudged \xe2\x80\x94 reflection habits</title>"));
	assert_non_null(strstr(html, "Tue 24 Nov 2026, 11:00 UTC"));
	assert_int_equal(count_between(html, "<tbody>", "</tbody>",
	    "<tr>"), 5);
	assert_non_null(strstr(html, "Zo\xc3\xab M\xc3\xbcller-L\xc3\xbc"
	    "denscheidt"));
	assert_non_null(strstr(html, "Ravi O&#39;Connor &amp; Sons"));
	assert_non_null(strstr(html, "<span>72%</span>"));
	assert_non_null(strstr(html, "1 h 55 m"));
	assert_non_null(strstr(html, "19</span><span class=\"best\">best"));
	/* Participation is the people's rate combined: 316 of 316 + 309. */
	assert_non_null(strstr(html, "<dd>51%<small>316 answered, 309 missed; "
	    "open nudges count once they close</small>"));
	assert_non_null(strstr(html, "questions posted, 1 still open"));
	assert_int_equal(count(html, "<small>1 open</small>"), 1);
	assert_non_null(strstr(html, "Microsoft Teams"));
	/* Each person's last 12 weeks as a sparkline of 12 bars. */
	assert_int_equal(count(html, "<svg class=\"spark\""), 5);
	assert_int_equal(count_between(html, "<svg class=\"spark\"", "</svg>",
	    "<rect "), 12);
	assert_non_null(strstr(html, "<title>Answers per week, oldest first: "
	    "4, 3, 3, 2, 3, 5, 3, 5, 3, 5, 3, 0</title>"));
	free(html);
	cJSON_Delete(stats);

	/* No display name: the user id; a prompt gone from the bank: its id. */
	html = page_for("{\"channels\": [{\"channel\": \"c\", \"answers\": 2,"
	    "\"top_prompts\": [{\"prompt_id\": \"old-001\", \"text\": \"\","
	    "\"answers\": 2}]}], \"people\": [{\"channel\": \"c\","
	    "\"user\": \"U0XYZ\", \"user_name\": null, \"answers\": 2}]}");
	assert_non_null(strstr(html, "<b>U0XYZ</b>"));
	assert_non_null(strstr(html, "<q class=\"gone\">old-001</q>"));
	assert_non_null(strstr(html, "&mdash;</td>"));
	assert_well_formed(html);
	free(html);

	html = page_for("{\"channels\": [{\"channel\": \"big\", \"deliveries\":"
	    " 1500, \"answers\": 12345, \"people\": 40}], \"people\": [{"
	    "\"channel\": \"big\", \"user_name\": \"A\", \"answers\": 9,"
	    "\"deliveries\": 10, \"median_answer_seconds\": 30},"
	    "{\"channel\": \"big\", \"user_name\": \"B\","
	    "\"median_answer_seconds\": 190000}]}");
	assert_non_null(strstr(html, "12,345"));
	assert_non_null(strstr(html, "1,500"));
	assert_non_null(strstr(html, "&lt;1 m"));
	assert_non_null(strstr(html, "2 d 4 h"));
	assert_well_formed(html);
	free(html);
}

static void
test_empty_states(void **state)
{
	char *html;

	(void)state;
	html = page_for("{\"generated_at\": \"2026-11-24T11:00:00Z\","
	    "\"since\": null, \"people\": [], \"channels\": []}");
	assert_non_null(strstr(html, "No channels to show yet"));
	assert_non_null(strstr(html,
	    "Answers will appear here after the first reply"));
	assert_well_formed(html);
	free(html);

	html = page_for("{}");
	assert_non_null(strstr(html, "No channels to show yet"));
	assert_well_formed(html);
	free(html);

	html = page_for("{\"channels\": [{\"channel\": \"new\","
	    "\"platform\": \"discord\", \"anonymous\": false, "
	    "\"deliveries\": 3,"
	    "\"answers\": 0, \"people\": 0, \"weeks\": [], \"heatmap\": [],"
	    "\"participation\": [], \"top_prompts\": []}], \"people\": []}");
	assert_non_null(strstr(html, "No answers yet"));
	assert_non_null(strstr(html,
	    "Answers will appear here after the first reply"));
	assert_null(strstr(html, "<svg class=\"hm\""));
	assert_well_formed(html);
	free(html);
}

static void
test_odd_documents_still_render(void **state)
{
	static const char *docs[] = {
		"null", "[]", "{\"channels\": {}, \"people\": 3}",
		"{\"channels\": [null, 1, \"x\", {}]}",
		/* Huge, negative and wrongly typed numbers, junk dates. */
		"{\"generated_at\": \"soon\", \"since\": \"2026-01-01\","
		"\"channels\": [{\"channel\": 7, \"deliveries\": 1e300,"
		"\"answers\": -5, \"people\": \"3\", \"weeks\": [{\"start\":"
		"\"x\", \"deliveries\": 1e300, \"people\": -1}],"
		"\"heatmap\": [{\"date\": \"junk\", \"answers\": 1e300},"
		"{\"answers\": null}, {\"date\": \"2026-02-30\"}],"
		"\"top_prompts\": [{\"text\": null, \"answers\": 1e300}]}],"
		"\"people\": [{\"channel\": 7}, {\"user_name\": 5,"
		"\"response_rate\": 9, \"median_answer_seconds\": 1e300,"
		"\"themes_most\": [1]}]}",
		/* A heatmap that starts mid-week and runs past 26 weeks. */
		"{\"generated_at\": \"2026-11-24T11:00:00Z\", \"channels\": "
		"[{\"channel\": \"c\", \"answers\": 4, \"heatmap\": ["
		"{\"date\": \"2026-05-27\", \"answers\": 4},"
		"{\"date\": \"2027-12-31\", \"answers\": 1}]}]}",
	};
	size_t	 i;
	char	*html;

	(void)state;
	for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		html = page_for(docs[i]);
		assert_non_null(strstr(html, "</html>"));
		assert_well_formed(html);
		free(html);
	}
	html = dashboard_html(NULL);
	assert_non_null(strstr(html, "No channels to show yet"));
	free(html);
	/* Channels not in an array are no channels; non-objects are skipped. */
	html = page_for("{\"channels\": {\"x\": {\"channel\": \"x\"}}}");
	assert_non_null(strstr(html, "No channels to show yet"));
	assert_null(strstr(html, "class=\"card-h\""));
	free(html);
	html = page_for(docs[3]);
	assert_non_null(strstr(html, "<p class=\"meta\">1 channel</p>"));
	assert_int_equal(count(html, "class=\"card-h\""), 1);
	free(html);
	/* A Wednesday start goes in the Wednesday row of the first column. */
	html = page_for(docs[5]);
	assert_non_null(strstr(html, "<rect x=\"34\" y=\"50\" width=\"13\" "
	    "height=\"13\" rx=\"2.5\" class=\"l4\"><title>2026-05-27: 4 "
	    "answers</title>"));
	free(html);
}

static void
test_page_is_well_formed_and_self_contained(void **state)
{
	cJSON	*stats = sample();
	char	*html;

	(void)state;
	html = dashboard_html(stats);
	assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
	assert_well_formed(html);
	assert_int_equal(count(html, "<svg"), count(html, "</svg>"));
	assert_int_equal(count(html, "<table"), count(html, "</table>"));
	assert_int_equal(count(html, "<section"), count(html, "</section>"));
	/* Self-contained: no script, no link, no fetched URL. */
	assert_null(strcasestr(html, "<script"));
	assert_null(strcasestr(html, "<link"));
	assert_null(strstr(html, "http:"));
	assert_null(strstr(html, "https:"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "@import"));
	free(html);
	cJSON_Delete(stats);
}

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Chromium's screenshot of file://html at width x height; its milliseconds. */
static long long
chromium_screenshot(const char *chromium, const char *dir, const char *html,
    const char *png, int width, int height)
{
	char		*profile, *size, *shot, *url, *log;
	long long	 start = now_ms();
	pid_t		 pid, r;
	int		 status = 0, fd;

	assert_true(asprintf(&profile, "--user-data-dir=%s/profile", dir) > 0);
	assert_true(asprintf(&size, "--window-size=%d,%d", width, height) > 0);
	assert_true(asprintf(&shot, "--screenshot=%s", png) > 0);
	assert_true(asprintf(&url, "file://%s", html) > 0);
	assert_true(asprintf(&log, "%s/chromium.log", dir) > 0);
	(void)unlink(png);
	if ((pid = fork()) == -1)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		char *argv[] = { (char *)chromium, (char *)"--headless",
		    (char *)"--no-sandbox", (char *)"--disable-gpu",
		    (char *)"--disable-quic", (char *)"--no-first-run",
		    (char *)"--disable-background-networking",
		    (char *)"--disable-component-update",
		    (char *)"--disable-sync", (char *)"--hide-scrollbars",
		    (char *)"--force-device-scale-factor=1", profile, size,
		    shot, url, NULL };

		/* Its own process group, so a timeout kills its helpers too. */
		(void)setpgid(0, 0);
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd != -1) {
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
			close(fd);
		}
		if (getenv("HOME") == NULL)
			(void)setenv("HOME", dir, 1);
		execv(chromium, argv);
		fprintf(stderr, "execv %s: %s\n", chromium, strerror(errno));
		_exit(127);
	}
	(void)setpgid(pid, pid);
	while ((r = waitpid(pid, &status, WNOHANG)) == 0) {
		if (now_ms() - start > CHROMIUM_DEADLINE_MS) {
			(void)kill(-pid, SIGKILL);
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, &status, 0);
			fail_msg("%s did not finish within %d s (log: %s)",
			    chromium, CHROMIUM_DEADLINE_MS / 1000, log);
		}
		(void)usleep(20000);
	}
	/* Helpers that outlive the browser process go too. */
	(void)kill(-pid, SIGKILL);
	if (r != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s failed (status %d); its log: %s", chromium, status,
		    log);
	free(profile);
	free(size);
	free(shot);
	free(url);
	free(log);
	return now_ms() - start;
}

/* Fail unless png is a PNG this wide of min_bytes or more; its height. */
static unsigned
assert_png(const char *png, unsigned width, size_t min_bytes)
{
	unsigned char	*p;
	size_t		 len;
	unsigned	 w, h;

	if ((p = (unsigned char *)slurp(png, &len)) == NULL)
		fail_msg("%s: no screenshot written", png);
	assert_true(len > 33);
	assert_memory_equal(p, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(p + 12, "IHDR", 4);
	w = (unsigned)p[16] << 24 | (unsigned)p[17] << 16 |
	    (unsigned)p[18] << 8 | p[19];
	h = (unsigned)p[20] << 24 | (unsigned)p[21] << 16 |
	    (unsigned)p[22] << 8 | p[23];
	assert_int_equal(w, width);
	if (len < min_bytes)
		fail_msg("%s: %zu bytes, a blank page? (want > %zu)", png, len,
		    min_bytes);
	free(p);
	return h;
}

/* Copy a file, for the screenshots kept under build/check/. */
static void
copy_file(const char *from, const char *to)
{
	size_t	 len;
	char	*s = slurp(from, &len);
	FILE	*f;

	assert_non_null(s);
	if ((f = fopen(to, "wb")) == NULL)
		fail_msg("%s: %s", to, strerror(errno));
	assert_int_equal(fwrite(s, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(s);
}

static void
test_renders_in_chromium(void **state)
{
	const char	*chromium = getenv("CHROMIUM");
	char		 dir[] = "/tmp/nudged-test-XXXXXX";
	char		*html, *path, *png, *keep, *root;
	cJSON		*stats = sample();
	FILE		*f;
	long long	 ms;

	(void)state;
	if (chromium == NULL)
		chromium = "/usr/bin/chromium";
	if (access(chromium, X_OK) != 0)
		fail_msg("%s: %s; install it: apt-get install chromium (make "
		    "deps does), or set CHROMIUM to the browser's path",
		    chromium, strerror(errno));
	assert_non_null(mkdtemp(dir));
	html = dashboard_html(stats);
	assert_true(asprintf(&path, "%s/dash.html", dir) > 0);
	assert_non_null(f = fopen(path, "w"));
	assert_true(fputs(html, f) >= 0);
	assert_int_equal(fclose(f), 0);

	/* Kept next to the sanitizer build for people to look at. */
	root = source_dir();
	assert_true(asprintf(&keep, "%s../build", root) > 0);
	(void)mkdir(keep, 0755);
	free(keep);
	assert_true(asprintf(&keep, "%s../build/check", root) > 0);
	(void)mkdir(keep, 0755);
	free(keep);

	assert_true(asprintf(&png, "%s/dash.png", dir) > 0);
	ms = chromium_screenshot(chromium, dir, path, png, 1280, 2000);
	assert_int_equal(assert_png(png, 1280, SCREENSHOT_MIN_BYTES), 2000);
	print_message("chromium: 1280x2000 screenshot in %lld ms\n", ms);
	assert_true(asprintf(&keep, "%s../build/check/dashboard.png",
	    root) > 0);
	copy_file(png, keep);
	print_message("kept %s\n", keep);
	free(keep);

	/* A phone: the same page at 390 wide, people's rows stacked. */
	ms = chromium_screenshot(chromium, dir, path, png, 390, 3200);
	(void)assert_png(png, 390, SCREENSHOT_MIN_BYTES / 2);
	print_message("chromium: 390x3200 screenshot in %lld ms\n", ms);
	assert_true(asprintf(&keep, "%s../build/check/dashboard-390.png",
	    root) > 0);
	copy_file(png, keep);
	free(keep);

	assert_int_equal(harness_rmdir(dir), 0);
	free(png);
	free(path);
	free(root);
	free(html);
	cJSON_Delete(stats);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_text_is_escaped),
		cmocka_unit_test(test_anonymous_nulls_read_fewer_than_3),
		cmocka_unit_test(test_heatmap_has_a_cell_per_day),
		cmocka_unit_test(test_people_table_and_numbers),
		cmocka_unit_test(test_empty_states),
		cmocka_unit_test(test_odd_documents_still_render),
		cmocka_unit_test(test_page_is_well_formed_and_self_contained),
		cmocka_unit_test(test_renders_in_chromium),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
