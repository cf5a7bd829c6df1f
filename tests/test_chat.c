/* SPDX-License-Identifier: ISC */
/* Chat platforms: golden payloads, escaping, limits, classify, reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "chat/chat_int.h"
#include "config.h"
#include "sig.h"

#define NOW		INT64_C(1774623605)
#define HOOK	"https://hooks.example.com/services/T000/B000/S3cr3tT0k3n"
#define HOOK_PART	"S3cr3tT0k3n"

static char url_[] = HOOK;
static struct webhook_settings webhook_;
static struct config_channel channel = { .name = NULL,
    .platform = &chat_slack, .webhook = url_ };
/* Each platform's secret for answers, so its messages carry an answer hint. */
static struct slack_settings slack_ = { .signing_secret = (char *)"slack-secret" };
static struct teams_settings teams_ = { (char *)"c2VjcmV0LXNlY3JldA==" };
static struct discord_settings discord_ = { .public_key =
    (char *)"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c" };
static struct mattermost_settings mattermost_ = { .token = (char *)"mm-token" };

/* Put the test channel on platform p, with the secret its answers need. */
static void
channel_on(const struct chat_platform *p)
{
	channel.platform = p;
	if (p == &chat_slack)
		channel.settings = &slack_;
	else if (p == &chat_teams)
		channel.settings = &teams_;
	else if (p == &chat_discord)
		channel.settings = &discord_;
	else if (p == &chat_mattermost)
		channel.settings = &mattermost_;
	else if (channel.settings != &webhook_)
		channel.settings = NULL;
}

/* The nudge every golden payload below is built from. */
static struct chat_nudge
fixture(void)
{
	struct chat_nudge	 n;

	memset(&n, 0, sizeof n);
	n.kind = CHAT_PROMPT;
	n.delivery_id = 12;
	n.schedule = "weekly-reflection";
	n.channel = "team-a";
	n.prompt_id = "reflection-002";
	n.theme = "reflection";
	n.theme_title = "Reflection";
	n.text = "Which outcome this week surprised you?";
	n.follow_up = "What assumption does it expose?";
	n.due_at = INT64_C(1774623600);		/* 2026-03-27T15:00:00Z */
	n.reply_code = "K7QX";
	return n;
}

/* Format n for platform name; the request must be built. */
static struct chat_request
format_ok(const char *name, const struct chat_nudge *n)
{
	const struct chat_platform	*p = chat_find(name);
	struct chat_request		 req;
	char				*cause = NULL;

	assert_non_null(p);
	channel_on(p);
	if (p->format_prompt(n, &channel, NOW, &req, &cause) != 0)
		fail_msg("%s: %s", name, cause);
	assert_null(cause);
	assert_non_null(req.body);
	assert_int_equal(req.body_len, strlen(req.body));
	assert_null(strstr(req.body, HOOK_PART));
	return req;
}

/* Format n for platform name; it must fail with a cause containing want. */
static void
format_fails(const char *name, const struct chat_nudge *n, const char *want)
{
	const struct chat_platform	*p = chat_find(name);
	struct chat_request		 req;
	char				*cause = NULL;

	assert_non_null(p);
	channel_on(p);
	assert_int_equal(p->format_prompt(n, &channel, NOW, &req, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("%s: cause \"%s\" lacks \"%s\"", name, cause, want);
	assert_null(strstr(cause, HOOK_PART));
	assert_null(req.body);
	assert_int_equal(req.nheaders, 0);
	free(cause);
}

/* The contents of a file under tests/data/chat/, found next to this source. */
static char *
data_file(const char *file)
{
	const char	*slash = strrchr(__FILE__, '/');
	char		*path, *text;
	size_t		 len;
	FILE		*f;

	assert_true(asprintf(&path, "%.*sdata/chat/%s", slash != NULL ?
	    (int)(slash - __FILE__ + 1) : 0, __FILE__, file) > 0);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open (run from the source tree)", path);
	text = calloc(1, 65536);
	assert_non_null(text);
	len = fread(text, 1, 65535, f);
	assert_true(len < 65535);
	fclose(f);
	free(path);
	return text;
}

/*
 * A golden payload. JSON goldens are pretty-printed for reading and come
 * back in cJSON's unformatted form, so comparing is exact, key order too.
 */
static const char *
golden(const char *file)
{
	static char	*text;
	cJSON		*json;

	free(text);
	text = data_file(file);
	if (strstr(file, ".json") == NULL)
		return text;
	if ((json = cJSON_Parse(text)) == NULL)
		fail_msg("%s: not JSON", file);
	free(text);
	text = cJSON_PrintUnformatted(json);
	cJSON_Delete(json);
	return text;
}

/* The body of a formatted nudge, which must equal a golden file exactly. */
static void
assert_golden(const char *name, const struct chat_nudge *n, const char *file,
    const char *content_type)
{
	struct chat_request	 req = format_ok(name, n);

	assert_string_equal(req.body, golden(file));
	assert_string_equal(req.content_type, content_type);
	chat_request_free(&req);
}

/* Parse a formatted body as JSON. */
static cJSON *
format_json(const char *name, const struct chat_nudge *n)
{
	struct chat_request	 req = format_ok(name, n);
	cJSON			*json;

	json = cJSON_Parse(req.body);
	assert_non_null(json);
	chat_request_free(&req);
	return json;
}

/* The node at a path of object keys and array indexes ("#0"). */
static const cJSON *
json_node(const cJSON *json, const char *path)
{
	char		*copy = strdup(path), *save = NULL, *key;
	const cJSON	*item = json;

	for (key = strtok_r(copy, ".", &save); key != NULL && item != NULL;
	    key = strtok_r(NULL, ".", &save)) {
		if (key[0] == '#')
			item = cJSON_GetArrayItem(item, atoi(key + 1));
		else
			item = cJSON_GetObjectItemCaseSensitive(item, key);
	}
	free(copy);
	return item;
}

/* The string at a path, or NULL. */
static const char *
json_at(const cJSON *json, const char *path)
{
	const cJSON	*item = json_node(json, path);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* A string of n copies of unit. */
static char *
repeat(const char *unit, size_t n)
{
	size_t	 len = strlen(unit), i;
	char	*s = malloc(len * n + 1);

	assert_non_null(s);
	for (i = 0; i < n; i++)
		memcpy(s + i * len, unit, len);
	s[len * n] = '\0';
	return s;
}

/* A question of count copies of unit must format (want NULL) or fail. */
static void
check_length(const char *name, struct chat_nudge n, const char *unit,
    size_t count, const char *want)
{
	struct chat_request	 req;
	char			*s = repeat(unit, count);

	n.text = s;
	if (want == NULL) {
		req = format_ok(name, &n);
		chat_request_free(&req);
	} else
		format_fails(name, &n, want);
	free(s);
}

/* chat_reason() of len bytes of detail must be want (NULL: nothing). */
static void
assert_reason(const char *detail, size_t len, const char *want)
{
	char	*r = chat_reason(detail, len);

	if (want == NULL)
		assert_null(r);
	else
		assert_string_equal(r, want);
	free(r);
}

/* Stands for "any reason" in assert_classify(). */
static const char any_reason[] = "-";

/* Classify with platform name; the outcome, reason and delay must match. */
static void
assert_classify(const char *name, long status, const char *body,
    enum chat_outcome want, const char *want_reason, int64_t want_ms)
{
	const struct chat_platform	*p = chat_find(name);
	int64_t				 ms = -7;
	char				*reason = NULL;

	assert_non_null(p);
	assert_int_equal(p->classify(status, body, body != NULL ?
	    strlen(body) : 0, &reason, &ms), want);
	if (reason != NULL)
		assert_null(strstr(reason, "hooks.example.com"));
	if (want_reason == NULL && reason != NULL)
		fail_msg("%s %ld: reason \"%s\", want none", name, status,
		    reason);
	if (want_reason != NULL && want_reason != any_reason &&
	    (reason == NULL || strcmp(reason, want_reason) != 0))
		fail_msg("%s %ld: reason \"%s\", want \"%s\"", name, status,
		    reason != NULL ? reason : "(none)", want_reason);
	assert_int_equal(ms, want_ms);
	free(reason);
}

static void
test_table(void **state)
{
	const char	*names = chat_platform_names(), *p;
	struct chat_request req;
	char		 name[32];
	size_t		 n, count = 0;

	(void)state;
	for (p = names; *p != '\0'; p += n + strspn(p + n, ", ")) {
		n = strcspn(p, ", ");
		assert_true(n < sizeof name);
		memcpy(name, p, n);
		name[n] = '\0';
		assert_non_null(chat_find(name));
		assert_string_equal(chat_find(name)->name, name);
		assert_non_null(chat_find(name)->format_prompt);
		assert_non_null(chat_find(name)->classify);
		count++;
	}
	assert_int_equal(count, 7);
	assert_null(chat_find("Slack"));
	assert_null(chat_find("zulip"));
	assert_null(chat_find(""));
	assert_null(chat_find(NULL));
	assert_int_equal(chat_find("console")->posts_http, 0);
	assert_true(chat_find("console")->default_rate == 0);
	assert_int_equal(chat_find("slack")->posts_http, 1);
	assert_true(chat_find("slack")->default_rate == 1.0);
	assert_true(chat_find("discord")->default_rate == 0.5);
	assert_true(chat_find("webhook")->default_rate == 10.0);
	assert_true(chat_find("teams")->default_rate > 0);
	assert_true(chat_find("googlechat")->default_rate > 0 &&
	    chat_find("googlechat")->default_rate <= 1.0);
	assert_string_equal(chat_googlechat_url_suffix(),
	    "messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");

	memset(&req, 0, sizeof req);
	chat_request_add_header(&req, "X-One: %d", 1);
	chat_request_add_header(&req, "X-Two: %s", "two");
	assert_int_equal(req.nheaders, 2);
	assert_string_equal(req.headers[0], "X-One: 1");
	assert_string_equal(req.headers[1], "X-Two: two");
	chat_request_free(&req);
	assert_null(req.headers);
	assert_int_equal(req.nheaders, 0);
	chat_request_free(&req);
	chat_request_free(NULL);
}

static void
test_helpers(void **state)
{
	char	*s, *r, *long_text;

	(void)state;
	assert_int_equal(chat_utf8_chars(""), 0);
	assert_int_equal(chat_utf8_chars("abc"), 3);
	assert_int_equal(chat_utf8_chars("\xc3\xa9t\xc3\xa9"), 3);
	assert_int_equal(chat_utf8_chars("\xf0\x9f\x8c\xb1"), 1);
	assert_int_equal(chat_utf8_chars("\xc3"), SIZE_MAX);
	assert_int_equal(chat_utf8_chars("\xc0\xaf"), SIZE_MAX);
	assert_int_equal(chat_utf8_chars("\xe0\x80\xaf"), SIZE_MAX);
	assert_int_equal(chat_utf8_chars("\xed\xa0\x80"), SIZE_MAX);
	assert_int_equal(chat_utf8_chars("\xf4\x90\x80\x80"), SIZE_MAX);
	assert_int_equal(chat_utf8_chars("a\x80"), SIZE_MAX);

	s = chat_escape_html("a<b>&c");
	assert_string_equal(s, "a&lt;b&gt;&amp;c");
	free(s);
	s = chat_escape_markdown("# h\n  - x *y* 3-2\n+z", "*");
	assert_string_equal(s, "\\# h\n  \\- x \\*y\\* 3-2\n\\+z");
	free(s);
	s = chat_escape_terminal("ok\x1b[31mred\x07\ttab\nline\xc2\x9b"
	    "x\xff");
	assert_string_equal(s, "ok?[31mred?\ttab\nline?x?");
	free(s);

	assert_reason("no_service\n", 11, "no_service");
	assert_reason(NULL, 0, NULL);
	assert_reason("  \r\n ", 5, NULL);
	/* Only len bytes are read; controls fold into single spaces. */
	assert_reason("a\t\tb\x1b" "c|not this", 6, "a b c");
	/* URLs go, whatever their case or JSON escaping. */
	long_text = strdup("bad hook " HOOK ", try again");
	assert_reason(long_text, strlen(long_text),
	    "bad hook [url] try again");
	free(long_text);
	long_text = strdup("{\"u\":\"HTTPS:\\/\\/x.test\\/" HOOK_PART "\"}");
	r = chat_reason(long_text, strlen(long_text));
	free(long_text);
	assert_null(strstr(r, HOOK_PART));
	assert_non_null(strstr(r, "[url]"));
	free(r);
	/* Cut at 200 bytes, never inside a character. */
	long_text = repeat("\xc3\xa9", 150);
	long_text[0] = 'a';
	long_text[1] = 'b';
	r = chat_reason(long_text, strlen(long_text));
	assert_int_equal(strlen(r), strlen("") + 200 + 3);
	free(r);
	r = chat_reason(long_text + 1, strlen(long_text + 1));
	assert_int_equal(strlen(r), strlen("") + 199 + 3);
	assert_string_equal(r + strlen(r) - 3, "...");
	assert_int_equal(chat_utf8_chars(r), 1 + 99 + 3);
	free(r);
	free(long_text);
	/* A character cut by len is not read past len. */
	assert_reason("ab\xc3\xa9", 3, "ab?");
	assert_reason("\xff\xfe", 2, "??");
}

static void
test_slack_golden(void **state)
{
	struct chat_nudge	 n = fixture();

	(void)state;
	assert_golden("slack", &n, "slack.json", "application/json");

	n.follow_up = NULL;
	n.kind = CHAT_REMINDER;
	assert_golden("slack", &n, "slack-reminder.json", "application/json");
}

static void
test_slack_escaping(void **state)
{
	struct chat_nudge	 n = fixture();
	cJSON			*json;

	(void)state;
	n.text = "Is <script>&amp; fine? <!channel> <@U123>";
	n.follow_up = "Say \"why\"\nthen *stop*";
	json = format_json("slack", &n);
	assert_string_equal(json_at(json, "blocks.#0.text.text"),
	    "*Is &lt;script&gt;&amp;amp; fine? &lt;!channel&gt; &lt;@U123&gt;*");
	assert_string_equal(json_at(json, "text"),
	    "Reflection: Is &lt;script&gt;&amp;amp; fine? &lt;!channel&gt; "
	    "&lt;@U123&gt;");
	assert_string_equal(json_at(json, "blocks.#1.elements.#0.text"),
	    "Say \"why\"\nthen *stop*");
	cJSON_Delete(json);

	/* Bold would break on an inner '*' or a line break: plain then. */
	n.text = "What is *really* the goal?";
	json = format_json("slack", &n);
	assert_string_equal(json_at(json, "blocks.#0.text.text"),
	    "What is *really* the goal?");
	cJSON_Delete(json);
	n.text = "Two\nlines?";
	json = format_json("slack", &n);
	assert_string_equal(json_at(json, "blocks.#0.text.text"),
	    "Two\nlines?");
	cJSON_Delete(json);
}

static void
test_slack_limits(void **state)
{
	struct chat_nudge	 n = fixture();
	char			*s;

	(void)state;
	/* 2998 characters plus the two '*' fill a section exactly. */
	check_length("slack", n, "\xc3\xa9", 2998, NULL);
	check_length("slack", n, "a", 2999, "Slack allows at most 3000");
	/* Counted after escaping: 600 '&' are 3000 characters. */
	check_length("slack", n, "&", 600, "3000");
	s = repeat("b", 3001);
	n.text = "Short?";
	n.follow_up = s;
	format_fails("slack", &n, "follow-up");
	free(s);
}

static void
test_teams_golden(void **state)
{
	struct chat_nudge	 n = fixture();
	cJSON			*json;

	(void)state;
	assert_golden("teams", &n, "teams.json", "application/json");

	n.follow_up = NULL;
	n.kind = CHAT_REMINDER;
	json = format_json("teams", &n);
	assert_int_equal(cJSON_GetArraySize(json_node(json,
	    "attachments.#0.content.body")), 4);
	assert_string_equal(json_at(json, "attachments.#0.content.body.#1.text"),
	    "A gentle reminder: this question is still open.");
	assert_string_equal(json_at(json, "attachments.#0.content.body.#2.text"),
	    n.text);
	assert_string_equal(json_at(json, "attachments.#0.content.body.#3.text"),
	    "Reply with /reflect K7QX your answer");
	cJSON_Delete(json);
	check_length("teams", n, "x", 27000, NULL);
	check_length("teams", n, "x", 28000, "about 28 KB");
}

static void
test_discord_golden(void **state)
{
	struct chat_nudge	 n = fixture();
	cJSON			*json;

	(void)state;
	assert_golden("discord", &n, "discord.json", "application/json");

	n.follow_up = NULL;
	n.kind = CHAT_REMINDER;
	json = format_json("discord", &n);
	assert_string_equal(json_at(json, "content"),
	    "A gentle reminder: this question is still open.");
	assert_string_equal(json_at(json, "embeds.#0.description"),
	    "**Which outcome this week surprised you?**");
	cJSON_Delete(json);
}

static void
test_discord_escaping(void **state)
{
	struct chat_nudge	 n = fixture();
	cJSON			*json;
	char			*mentions;

	(void)state;
	n.text = "@everyone look at *bold*, __under__, `code`, ||spoiler||, "
	    "~~gone~~, a > b and C:\\path";
	n.follow_up = "# Not a heading\n- not a list";
	n.theme_title = "Time_for *learning*";
	json = format_json("discord", &n);
	assert_string_equal(json_at(json, "embeds.#0.description"),
	    "**@everyone look at \\*bold\\*, \\_\\_under\\_\\_, \\`code\\`, "
	    "\\|\\|spoiler\\|\\|, \\~\\~gone\\~\\~, a \\> b and C:\\\\path**"
	    "\n\n*\\# Not a heading\n\\- not a list*");
	assert_string_equal(json_at(json, "embeds.#0.title"),
	    "Time\\_for \\*learning\\*");
	/* The footer is plain text in Discord: left alone. */
	assert_string_equal(json_at(json, "embeds.#0.footer.text"),
	    "Reply with /reflect K7QX your answer");
	/* Nothing can ping: parse is present and empty. */
	mentions = cJSON_PrintUnformatted(json_node(json, "allowed_mentions"));
	assert_string_equal(mentions, "{\"parse\":[]}");
	free(mentions);
	cJSON_Delete(json);
}

/* Links, headings and lists in prompts reach Discord and Teams as text. */
static void
test_markup_in_prompts_is_literal(void **state)
{
	struct chat_nudge	 n = fixture();
	cJSON			*json;

	(void)state;
	n.text = "Read [this](http://evil.example/x) first?";
	n.follow_up = "# Heading\n1. first\n- item\n**bold** and _it_";
	n.theme_title = "[Click](http://evil.example)";
	json = format_json("discord", &n);
	assert_string_equal(json_at(json, "embeds.#0.description"),
	    "**Read \\[this\\]\\(http://evil.example/x\\) first?**\n\n"
	    "*\\# Heading\n1\\. first\n\\- item\n\\*\\*bold\\*\\* and "
	    "\\_it\\_*");
	assert_string_equal(json_at(json, "embeds.#0.title"),
	    "\\[Click\\]\\(http://evil.example\\)");
	cJSON_Delete(json);
	json = format_json("teams", &n);
	assert_string_equal(json_at(json, "attachments.#0.content.body.#0.text"),
	    "\\[Click\\](http://evil.example)");
	assert_string_equal(json_at(json, "attachments.#0.content.body.#1.text"),
	    "Read \\[this\\](http://evil.example/x) first?");
	assert_string_equal(json_at(json, "attachments.#0.content.body.#2.text"),
	    "\\# Heading\n1\\. first\n\\- item\n\\*\\*bold\\*\\* and "
	    "\\_it\\_");
	cJSON_Delete(json);
}

/* A message names a way to answer only where the channel can take answers. */
static void
test_answer_hint_only_where_answers_go(void **state)
{
	struct chat_nudge	 n = fixture();
	struct chat_request	 req;
	char			*cause = NULL;

	(void)state;
	/* Google Chat's webhooks are one-way. */
	channel_on(&chat_googlechat);
	assert_non_null(chat_answer_gap(&channel));
	req = format_ok("googlechat", &n);
	assert_null(strstr(req.body, "/reflect"));
	chat_request_free(&req);
	/* Slack without the signing secret its answer route checks. */
	channel_on(&chat_slack);
	assert_null(chat_answer_gap(&channel));
	channel.settings = NULL;
	assert_non_null(chat_answer_gap(&channel));
	assert_int_equal(chat_slack.format_prompt(&n, &channel, NOW, &req,
	    &cause), 0);
	assert_null(strstr(req.body, "/reflect"));
	assert_null(strstr(req.body, "K7QX"));
	chat_request_free(&req);
	/* The same for Teams, Discord and Mattermost. */
	for (size_t i = 0; i < 3; i++) {
		const struct chat_platform *p = i == 0 ? &chat_teams : i == 1 ?
		    &chat_discord : &chat_mattermost;

		channel.platform = p;
		channel.settings = NULL;
		assert_non_null(chat_answer_gap(&channel));
		assert_int_equal(p->format_prompt(&n, &channel, NOW, &req,
		    &cause), 0);
		assert_null(strstr(req.body, "/reflect"));
		chat_request_free(&req);
		req = format_ok(p->name, &n);
		assert_non_null(strstr(req.body, "/reflect K7QX"));
		chat_request_free(&req);
	}
}

static void
test_discord_limits(void **state)
{
	struct chat_nudge	 n = fixture();
	char			*s, *t;

	(void)state;
	n.follow_up = NULL;
	check_length("discord", n, "q", 4092, NULL);	/* and "**" twice */
	check_length("discord", n, "q", 4093, "at most 4096");
	/* Escaping counts: 2047 '*' become 4094 characters. */
	check_length("discord", n, "*", 2047, "embed description");
	n.text = "Short?";
	s = repeat("T", 257);
	n.theme_title = s;
	format_fails("discord", &n, "256");
	free(s);
	/* Each field fits, all of them together do not. */
	s = repeat("T", 256);
	t = repeat("K", 1900);		/* footer 1932, description 4004 */
	n.theme_title = s;
	n.reply_code = t;
	n.text = repeat("q", 4000);
	format_fails("discord", &n, "6000");
	free((char *)n.text);
	free(s);
	free(t);
}

static void
test_mattermost(void **state)
{
	struct chat_nudge	 n = fixture();
	cJSON			*json;
	const char		*text;

	(void)state;
	assert_golden("mattermost", &n, "mattermost.json", "application/json");

	/* Mentions and Slack announcements are broken by a zero width space. */
	n.text = "<!channel> and @all, see *this* [link](x)";
	n.follow_up = NULL;
	n.kind = CHAT_REMINDER;
	json = format_json("mattermost", &n);
	text = json_at(json, "attachments.#0.text");
	assert_string_equal(text, "**<\xe2\x80\x8b!channel\\> and "
	    "@\xe2\x80\x8b" "all, see \\*this\\* \\[link\\](x)**");
	assert_null(strstr(json_at(json, "attachments.#0.fallback"),
	    "<!channel>"));
	assert_null(strstr(json_at(json, "attachments.#0.fallback"), "@all"));
	assert_string_equal(json_at(json, "text"),
	    "A gentle reminder: this question is still open.");
	cJSON_Delete(json);

	check_length("mattermost", n, "m", 16379, NULL);	/* and "****" */
	check_length("mattermost", n, "m", 16380, "at most 16383");
}

static void
test_googlechat(void **state)
{
	struct chat_nudge	 n = fixture();
	cJSON			*json;

	(void)state;
	assert_golden("googlechat", &n, "googlechat.json",
	    "application/json; charset=UTF-8");

	n.text = "Ping <users/all> & <b>you</b>?\nReally?";
	n.theme_title = "Time & learning";
	n.follow_up = NULL;
	n.kind = CHAT_REMINDER;
	json = format_json("googlechat", &n);
	assert_string_equal(json_at(json,
	    "cardsV2.#0.card.sections.#0.widgets.#0.textParagraph.text"),
	    "<b>Ping &lt;users/all&gt; &amp; &lt;b&gt;you&lt;/b&gt;?<br>"
	    "Really?</b>");
	/* The header is plain text: no entities. */
	assert_string_equal(json_at(json, "cardsV2.#0.card.header.title"),
	    "Time & learning");
	assert_string_equal(json_at(json, "text"),
	    "A gentle reminder: this question is still open.");
	/* The question alone: no follow-up, and no hint on a one-way webhook. */
	assert_int_equal(cJSON_GetArraySize(json_node(json,
	    "cardsV2.#0.card.sections.#0.widgets")), 1);
	cJSON_Delete(json);

	n.schedule = NULL;
	json = format_json("googlechat", &n);
	assert_null(cJSON_GetObjectItem(json, "thread"));
	cJSON_Delete(json);

	/* The question is there twice: card and fallbackText. */
	check_length("googlechat", n, "g", 15000, NULL);
	check_length("googlechat", n, "g", 16000, "at most 32000 bytes");
}

static void
test_webhook(void **state)
{
	struct chat_nudge	 n = fixture();
	struct chat_request	 req;
	cJSON			*json;

	(void)state;
	req = format_ok("webhook", &n);
	assert_string_equal(req.body, golden("webhook.json"));
	assert_string_equal(req.content_type, "application/json");
	/* No signing_secret: no signature, the other headers all the same. */
	assert_int_equal(req.nheaders, 3);
	assert_string_equal(req.headers[0], "webhook-id: msg_12");
	assert_string_equal(req.headers[1], "webhook-timestamp: 1774623605");
	assert_string_equal(req.headers[2], "Idempotency-Key: msg_12");
	chat_request_free(&req);

	n.follow_up = "";
	n.kind = CHAT_REMINDER;
	n.text = "Quotes \" and\nnewlines \\ survive?";
	json = format_json("webhook", &n);
	assert_string_equal(json_at(json, "type"), "nudge.reminder");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(json, "follow_up")));
	assert_string_equal(json_at(json, "text"),
	    "Quotes \" and\nnewlines \\ survive?");
	cJSON_Delete(json);
}

static void
test_webhook_signed(void **state)
{
	struct chat_nudge	 n = fixture();
	struct chat_request	 req;
	const char		*secrets[] = {
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "a raw passphrase",
	};
	const char		*v;
	char			*cause = NULL;
	size_t			 i;

	(void)state;
	for (i = 0; i < 2; i++) {
		channel.settings = &webhook_;
		webhook_.signing_secret = (char *)secrets[i];
		req = format_ok("webhook", &n);
		assert_int_equal(req.nheaders, 4);
		assert_string_equal(req.headers[0], "webhook-id: msg_12");
		assert_string_equal(req.headers[1],
		    "webhook-timestamp: 1774623605");
		assert_string_equal(req.headers[3], "Idempotency-Key: msg_12");
		v = req.headers[2] + strlen("webhook-signature: ");
		assert_int_equal(strncmp(v, "v1,", 3), 0);
		assert_null(strstr(v, secrets[i]));
#define VERIFY(secret, len, now) sig_standard_webhooks_verify(secret, \
	    "msg_12", "1774623605", v, req.body, len, now)
		assert_int_equal(VERIFY(secrets[i], req.body_len, NOW), SIG_OK);
		assert_int_equal(VERIFY(secrets[i], req.body_len - 1, NOW),
		    SIG_BAD);
		assert_int_equal(VERIFY(secrets[1 - i], req.body_len, NOW),
		    SIG_BAD);
		assert_int_equal(VERIFY(secrets[i], req.body_len, NOW + 301),
		    SIG_STALE);
#undef VERIFY
		chat_request_free(&req);
	}
	webhook_.signing_secret = (char *)"whsec_%%%";
	assert_int_equal(chat_find("webhook")->format_prompt(&n, &channel,
	    NOW, &req, &cause), -1);
	assert_non_null(strstr(cause, "signing_secret"));
	assert_null(strstr(cause, "%%%"));
	assert_null(req.body);
	free(cause);
	webhook_.signing_secret = NULL;
	channel.settings = NULL;
}

static void
test_console(void **state)
{
	struct chat_nudge	 n = fixture();

	(void)state;
	assert_golden("console", &n, "console.txt", "text/plain");

	n.kind = CHAT_REMINDER;
	n.follow_up = NULL;
	n.text = "Still \x1b[2Jthere?";
	n.reply_code = NULL;
	assert_golden("console", &n, "console-reminder.txt", "text/plain");
}

/* The context line of an event, escaped per platform, above the question. */
static void
test_context_above_the_question(void **state)
{
	struct chat_nudge	 n = fixture();
	static const char *const golden_of[][3] = {
		{ "slack", "slack-context.json", "application/json" },
		{ "teams", "teams-context.json", "application/json" },
		{ "discord", "discord-context.json", "application/json" },
		{ "mattermost", "mattermost-context.json", "application/json" },
		{ "googlechat", "googlechat-context.json",
		    "application/json; charset=UTF-8" },
		{ "webhook", "webhook-context.json", "application/json" },
		{ "console", "console-context.txt", "text/plain" },
	};
	struct chat_request	 req;

	(void)state;
	n.context = "Release 4.2 <shipped> & *done* @channel";
	for (size_t i = 0; i < sizeof golden_of / sizeof golden_of[0]; i++)
		assert_golden(golden_of[i][0], &n, golden_of[i][1],
		    golden_of[i][2]);
	/* Slack's Web API posts lead with it too. */
	channel_on(&chat_slack);
	assert_int_equal(chat_slack.direct->post(&n, &channel, "D01ADA", NULL,
	    &req, NULL), 0);
	assert_non_null(strstr(req.body, "_Release 4.2 &lt;shipped&gt; &amp; "
	    "*done* @channel_\\n"));
	chat_request_free(&req);
	n.context = "not \xff UTF-8";
	format_fails("slack", &n, "the context line is not valid UTF-8");
}

static void
test_bad_nudges(void **state)
{
	const char	*names[] = { "slack", "teams", "discord", "mattermost",
	    "googlechat", "webhook", "console" };
	struct chat_nudge n = fixture();
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		n = fixture();
		n.text = NULL;
		format_fails(names[i], &n, "no question text");
		n.text = "";
		format_fails(names[i], &n, "no question text");
		n.text = "caf\xe9?";
		format_fails(names[i], &n, "question is not valid UTF-8");
		n.text = "ok?";
		n.follow_up = "\xc0\xaf";
		format_fails(names[i], &n, "follow-up is not valid UTF-8");
	}
}

/* Undo the two escapes of classify.tsv in place; "NULL" is no body. */
static char *
tsv_field(char *s)
{
	char	*r = s, *w = s;

	if (strcmp(s, "NULL") == 0)
		return NULL;
	if (strcmp(s, "\"\"") == 0)
		return strcpy(s, "");
	for (; *r != '\0'; r++)
		*w++ = *r == '\\' && r[1] != '\0' ?
		    (*++r == 'n' ? '\n' : *r) : *r;
	*w = '\0';
	return s;
}

static void
test_classify_table(void **state)
{
	char		*text = data_file("classify.tsv"), *line, *save = NULL;
	char		*f[6];
	size_t		 i, rows = 0;
	enum chat_outcome want;

	(void)state;
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		for (i = 0; i < 6; i++) {
			f[i] = line;
			line += strcspn(line, "\t");
			assert_true(*line != '\0' || i == 5);
			if (*line != '\0')
				*line++ = '\0';
		}
		want = strcmp(f[2], "SENT") == 0 ? CHAT_SENT :
		    strcmp(f[2], "RETRY") == 0 ? CHAT_RETRY : CHAT_PERMANENT;
		assert_true(want != CHAT_PERMANENT ||
		    strcmp(f[2], "PERMANENT") == 0);
		assert_classify(f[0], atol(f[1]), tsv_field(f[5]), want,
		    strcmp(f[4], "-") == 0 ? any_reason : tsv_field(f[4]),
		    atoll(f[3]));
		rows++;
	}
	assert_true(rows >= 72);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_slack_golden),
		cmocka_unit_test(test_slack_escaping),
		cmocka_unit_test(test_slack_limits),
		cmocka_unit_test(test_teams_golden),
		cmocka_unit_test(test_discord_golden),
		cmocka_unit_test(test_discord_escaping),
		cmocka_unit_test(test_markup_in_prompts_is_literal),
		cmocka_unit_test(test_answer_hint_only_where_answers_go),
		cmocka_unit_test(test_discord_limits),
		cmocka_unit_test(test_mattermost),
		cmocka_unit_test(test_googlechat),
		cmocka_unit_test(test_webhook),
		cmocka_unit_test(test_webhook_signed),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_context_above_the_question),
		cmocka_unit_test(test_bad_nudges),
		cmocka_unit_test(test_classify_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
