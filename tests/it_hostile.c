/* SPDX-License-Identifier: ISC */
/*
 * The hostile suite: requests a hostile or broken client sends, one table
 * row each, against the real daemon over HTTP on every route. Each row says
 * the status it must get and whether anything may be stored; a refused
 * request must leave the database exactly as it was (no answer, no
 * delivery, no meta row), and an accepted one must store exactly one answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "replies_fixture.h"
#include "signed.h"

#define HOSTILE_DASH_TOKEN	"dash-0123456789abcdef"
#define HOSTILE_BIG		(70 * 1024)	/* past the 64 KiB body limit */

/* How a row's request is signed before it is sent. */
enum hostile_sign {
	SIGN_NONE,
	SIGN_SLACK,		/* the channel's secret, now */
	SIGN_SLACK_WRONG,	/* another secret */
	SIGN_SLACK_STALE,	/* 301 s ago */
	SIGN_SLACK_FUTURE,	/* 301 s ahead */
	SIGN_TEAMS,
	SIGN_TEAMS_WRONG,
	SIGN_DISCORD,
	SIGN_DISCORD_WRONG,	/* another key */
	SIGN_DISCORD_STALE,
};

/* One hostile request and what it must get. */
struct hostile_case {
	const char		*name;
	const char		*method;
	const char		*path;
	const char		*headers[3];
	enum hostile_sign	 sign;
	const char		*body;	/* NULL: none; @BIG@: 70 KiB; @...@ codes */
	int			 status;
	int			 stores;	/* 1: exactly one answer is stored */
};

#define FORM	"Content-Type: application/x-www-form-urlencoded"
#define JSON	"Content-Type: application/json"
#define TEXT	"Content-Type: text/plain"
#define BEARER	"Authorization: Bearer tok-team"
#define DASH	"Authorization: Bearer " HOSTILE_DASH_TOKEN

/* A slash command from Slack, with its code. */
#define SLACK_CMD(trigger) "token=x&team_id=T1&channel_id=C0LEADERS&" \
	"user_id=U5&user_name=eve&command=%2Freflect&text=@SLACK@+we+" \
	"listened&trigger_id=" trigger
#define SLACK_EVENT(id) "{\"type\":\"event_callback\",\"event_id\":\"" id \
	"\",\"event\":{\"type\":\"message\",\"channel\":\"C0LEADERS\"," \
	"\"user\":\"U6\",\"text\":\"@SLACK@ trust\",\"ts\":\"2.0\"," \
	"\"thread_ts\":\"1.0\"}}"
#define TEAMS_MSG(id) "{\"type\":\"message\",\"id\":\"" id "\",\"from\":" \
	"{\"id\":\"29:abc\",\"name\":\"Dana\"},\"conversation\":{\"id\":" \
	"\"19:xyz;messageid=1\"},\"text\":\"<at>nudged</at> @TEAMS@ we " \
	"listened\"}"
#define DISCORD_CMD(id) "{\"type\":2,\"id\":\"" id "\",\"application_id\":" \
	"\"9\",\"channel_id\":\"C9\",\"token\":\"tok\",\"member\":{\"user\":" \
	"{\"id\":\"42\",\"username\":\"kai\"}},\"data\":{\"name\":\"reflect\"," \
	"\"options\":[{\"name\":\"code\",\"type\":3,\"value\":\"@DISCORD@\"}," \
	"{\"name\":\"answer\",\"type\":3,\"value\":\"we slowed down\"}]}}"
#define MM_POST(post) "token=" FIXTURE_MM_TOKEN "&team_id=t1&channel_id=ch1&" \
	"user_id=u1&user_name=lee&post_id=" post "&text=@MM@+pairing+helped"
#define API_ANSWER(id) "{\"channel\":\"team\",\"user\":\"U1\",\"text\":" \
	"\"we listened\",\"code\":\"@TEAM@\",\"id\":\"" id "\"}"

static const struct hostile_case hostile_cases[] = {
	/* /slack/commands */
	{ "slack command, genuine", "POST", "/slack/commands", { FORM },
	    SIGN_SLACK, SLACK_CMD("h-1"), 200, 1 },
	{ "slack command, wrong secret", "POST", "/slack/commands", { FORM },
	    SIGN_SLACK_WRONG, SLACK_CMD("h-2"), 401, 0 },
	{ "slack command, stale timestamp", "POST", "/slack/commands", { FORM },
	    SIGN_SLACK_STALE, SLACK_CMD("h-3"), 409, 0 },
	{ "slack command, timestamp ahead", "POST", "/slack/commands", { FORM },
	    SIGN_SLACK_FUTURE, SLACK_CMD("h-4"), 409, 0 },
	{ "slack command, unsigned", "POST", "/slack/commands", { FORM },
	    SIGN_NONE, SLACK_CMD("h-5"), 401, 0 },
	{ "slack command, signature only", "POST", "/slack/commands", { FORM,
	    "X-Slack-Signature: v0=00" }, SIGN_NONE, SLACK_CMD("h-6"), 401, 0 },
	{ "slack command, timestamp not a number", "POST", "/slack/commands",
	    { FORM, "X-Slack-Request-Timestamp: soon", "X-Slack-Signature: "
	    "v0=0000000000000000000000000000000000000000000000000000000000000000" },
	    SIGN_NONE, SLACK_CMD("h-7"), 401, 0 },
	{ "slack command, v1 signature", "POST", "/slack/commands", { FORM,
	    "X-Slack-Request-Timestamp: 1", "X-Slack-Signature: v1=abc" },
	    SIGN_NONE, SLACK_CMD("h-8"), 401, 0 },
	{ "slack command, plain text", "POST", "/slack/commands", { TEXT },
	    SIGN_SLACK, SLACK_CMD("h-9"), 415, 0 },
	/* Slack's platform takes JSON too (events): a form body then is
	 * malformed JSON. */
	{ "slack command, JSON type", "POST", "/slack/commands", { JSON },
	    SIGN_SLACK, SLACK_CMD("h-10"), 400, 0 },
	{ "slack command, no user", "POST", "/slack/commands", { FORM },
	    SIGN_SLACK, "user_name=eve&text=hi&trigger_id=h-11", 400, 0 },
	{ "slack command, empty body", "POST", "/slack/commands", { FORM },
	    SIGN_SLACK, "", 400, 0 },
	{ "slack command, GET", "GET", "/slack/commands", { 0 }, SIGN_NONE,
	    NULL, 405, 0 },
	{ "slack command, oversize", "POST", "/slack/commands", { FORM },
	    SIGN_SLACK, "@BIG@", 413, 0 },

	/* /slack/events */
	{ "slack events, url_verification", "POST", "/slack/events", { JSON },
	    SIGN_SLACK, "{\"token\":\"x\",\"challenge\":\"c-1\",\"type\":"
	    "\"url_verification\"}", 200, 0 },
	{ "slack events, challenge unsigned", "POST", "/slack/events", { JSON },
	    SIGN_NONE, "{\"challenge\":\"c-2\",\"type\":\"url_verification\"}",
	    401, 0 },
	{ "slack events, genuine", "POST", "/slack/events", { JSON },
	    SIGN_SLACK, SLACK_EVENT("EvH1"), 200, 1 },
	{ "slack events, wrong secret", "POST", "/slack/events", { JSON },
	    SIGN_SLACK_WRONG, SLACK_EVENT("EvH2"), 401, 0 },
	{ "slack events, stale", "POST", "/slack/events", { JSON },
	    SIGN_SLACK_STALE, SLACK_EVENT("EvH3"), 409, 0 },
	{ "slack events, malformed JSON", "POST", "/slack/events", { JSON },
	    SIGN_SLACK, "{\"type\":\"event_callback\",", 400, 0 },
	{ "slack events, JSON array", "POST", "/slack/events", { JSON },
	    SIGN_SLACK, "[1,2,3]", 400, 0 },
	{ "slack events, form type", "POST", "/slack/events", { FORM },
	    SIGN_SLACK, SLACK_EVENT("EvH4"), 400, 0 },
	{ "slack events, a bot's message", "POST", "/slack/events", { JSON },
	    SIGN_SLACK, "{\"type\":\"event_callback\",\"event_id\":\"EvH5\","
	    "\"event\":{\"type\":\"message\",\"bot_id\":\"B1\",\"channel\":"
	    "\"C0LEADERS\",\"text\":\"@SLACK@ hi\",\"ts\":\"4.0\",\"thread_ts\":"
	    "\"1.0\"}}", 200, 0 },
	{ "slack events, thread reply without code", "POST", "/slack/events",
	    { JSON }, SIGN_SLACK, "{\"type\":\"event_callback\",\"event_id\":"
	    "\"EvH6\",\"event\":{\"type\":\"message\",\"channel\":\"C0LEADERS\","
	    "\"user\":\"U7\",\"text\":\"nice\",\"ts\":\"3.0\",\"thread_ts\":"
	    "\"1.0\"}}", 200, 0 },
	{ "slack events, GET", "GET", "/slack/events", { 0 }, SIGN_NONE, NULL,
	    405, 0 },
	{ "slack events, oversize", "POST", "/slack/events", { JSON },
	    SIGN_SLACK, "@BIG@", 413, 0 },

	/* /teams */
	{ "teams, genuine", "POST", "/teams", { JSON }, SIGN_TEAMS,
	    TEAMS_MSG("t-1"), 200, 1 },
	{ "teams, wrong secret", "POST", "/teams", { JSON }, SIGN_TEAMS_WRONG,
	    TEAMS_MSG("t-2"), 401, 0 },
	{ "teams, no authorization", "POST", "/teams", { JSON }, SIGN_NONE,
	    TEAMS_MSG("t-3"), 401, 0 },
	{ "teams, bearer instead of HMAC", "POST", "/teams", { JSON,
	    "Authorization: Bearer abc" }, SIGN_NONE, TEAMS_MSG("t-4"), 401, 0 },
	{ "teams, HMAC not base64", "POST", "/teams", { JSON,
	    "Authorization: HMAC !!!not-base64!!!" }, SIGN_NONE,
	    TEAMS_MSG("t-5"), 401, 0 },
	{ "teams, malformed JSON", "POST", "/teams", { JSON }, SIGN_TEAMS,
	    "{\"type\":\"message\",", 400, 0 },
	{ "teams, form type", "POST", "/teams", { FORM }, SIGN_TEAMS,
	    TEAMS_MSG("t-6"), 415, 0 },
	{ "teams, GET", "GET", "/teams", { 0 }, SIGN_NONE, NULL, 405, 0 },
	{ "teams, oversize", "POST", "/teams", { JSON }, SIGN_TEAMS, "@BIG@",
	    413, 0 },

	/* /discord/interactions */
	{ "discord, ping", "POST", "/discord/interactions", { JSON },
	    SIGN_DISCORD, "{\"type\":1}", 200, 0 },
	{ "discord, genuine", "POST", "/discord/interactions", { JSON },
	    SIGN_DISCORD, DISCORD_CMD("d-1"), 200, 1 },
	{ "discord, another key", "POST", "/discord/interactions", { JSON },
	    SIGN_DISCORD_WRONG, DISCORD_CMD("d-2"), 401, 0 },
	{ "discord, stale", "POST", "/discord/interactions", { JSON },
	    SIGN_DISCORD_STALE, DISCORD_CMD("d-3"), 409, 0 },
	{ "discord, unsigned", "POST", "/discord/interactions", { JSON },
	    SIGN_NONE, DISCORD_CMD("d-4"), 401, 0 },
	{ "discord, signature not hex", "POST", "/discord/interactions", { JSON,
	    "X-Signature-Ed25519: zz", "X-Signature-Timestamp: 1" }, SIGN_NONE,
	    DISCORD_CMD("d-5"), 401, 0 },
	{ "discord, ping unsigned", "POST", "/discord/interactions", { JSON },
	    SIGN_NONE, "{\"type\":1}", 401, 0 },
	{ "discord, malformed JSON", "POST", "/discord/interactions", { JSON },
	    SIGN_DISCORD, "{\"type\":2,", 400, 0 },
	{ "discord, plain text", "POST", "/discord/interactions", { TEXT },
	    SIGN_DISCORD, DISCORD_CMD("d-6"), 415, 0 },
	{ "discord, GET", "GET", "/discord/interactions", { 0 }, SIGN_NONE,
	    NULL, 405, 0 },
	{ "discord, oversize", "POST", "/discord/interactions", { JSON },
	    SIGN_DISCORD, "@BIG@", 413, 0 },

	/* /mattermost */
	{ "mattermost, genuine", "POST", "/mattermost", { FORM }, SIGN_NONE,
	    MM_POST("p-1"), 200, 1 },
	{ "mattermost, wrong token", "POST", "/mattermost", { FORM }, SIGN_NONE,
	    "token=wrong&user_id=u1&post_id=p-2&text=@MM@+hi&channel_id=c", 403,
	    0 },
	{ "mattermost, no token", "POST", "/mattermost", { FORM }, SIGN_NONE,
	    "user_id=u1&post_id=p-3&text=@MM@+hi&channel_id=c", 401, 0 },
	/* Mattermost posts JSON or a form, by the webhook's setting. */
	{ "mattermost, JSON type", "POST", "/mattermost", { JSON }, SIGN_NONE,
	    MM_POST("p-4"), 400, 0 },
	{ "mattermost, GET", "GET", "/mattermost", { 0 }, SIGN_NONE, NULL, 405,
	    0 },
	{ "mattermost, oversize", "POST", "/mattermost", { FORM }, SIGN_NONE,
	    "@BIG@", 413, 0 },

	/* /api/v1/replies */
	{ "api, genuine", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, API_ANSWER("a-1"), 200, 1 },
	{ "api, no authorization", "POST", "/api/v1/replies", { JSON },
	    SIGN_NONE, API_ANSWER("a-2"), 401, 0 },
	{ "api, basic authorization", "POST", "/api/v1/replies", { JSON,
	    "Authorization: Basic dG9rLXRlYW06" }, SIGN_NONE, API_ANSWER("a-3"),
	    401, 0 },
	{ "api, wrong token", "POST", "/api/v1/replies", { JSON,
	    "Authorization: Bearer tok-wrong" }, SIGN_NONE, API_ANSWER("a-4"),
	    403, 0 },
	{ "api, another channel's token", "POST", "/api/v1/replies", { JSON,
	    "Authorization: Bearer tok-other" }, SIGN_NONE, API_ANSWER("a-5"),
	    403, 0 },
	{ "api, empty token", "POST", "/api/v1/replies", { JSON,
	    "Authorization: Bearer " }, SIGN_NONE, API_ANSWER("a-6"), 401, 0 },
	{ "api, unknown channel", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "{\"channel\":\"nope\",\"user\":\"U1\",\"text\":\"hi\"}",
	    403, 0 },
	{ "api, plain text", "POST", "/api/v1/replies", { TEXT, BEARER },
	    SIGN_NONE, API_ANSWER("a-7"), 415, 0 },
	{ "api, form type", "POST", "/api/v1/replies", { FORM, BEARER },
	    SIGN_NONE, "channel=team&user=U1&text=hi", 415, 0 },
	{ "api, no content type", "POST", "/api/v1/replies", { BEARER,
	    "Content-Type:" }, SIGN_NONE, API_ANSWER("a-8"), 415, 0 },
	{ "api, malformed JSON", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "{\"channel\":\"team\",", 400, 0 },
	{ "api, JSON array", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "[\"team\",\"U1\",\"hi\"]", 400, 0 },
	{ "api, JSON string", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "\"hi\"", 400, 0 },
	{ "api, empty body", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "", 400, 0 },
	{ "api, no text", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "{\"channel\":\"team\",\"user\":\"U1\"}", 400, 0 },
	{ "api, no user", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "{\"channel\":\"team\",\"text\":\"hi\"}", 400, 0 },
	{ "api, no channel", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "{\"user\":\"U1\",\"text\":\"hi\"}", 400, 0 },
	{ "api, empty user", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "{\"channel\":\"team\",\"user\":\"\",\"text\":\"hi\"}",
	    400, 0 },
	{ "api, blank text", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "{\"channel\":\"team\",\"user\":\"U1\",\"text\":\" \\t "
	    "\"}", 400, 0 },
	{ "api, text a number", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "{\"channel\":\"team\",\"user\":\"U1\",\"text\":42}", 400,
	    0 },
	{ "api, user an object", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "{\"channel\":\"team\",\"user\":{},\"text\":\"hi\"}", 400,
	    0 },
	{ "api, unknown code", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "{\"channel\":\"team\",\"user\":\"U1\",\"text\":\"hi\","
	    "\"code\":\"ZZZZ\"}", 422, 0 },
	{ "api, text past 16,000 bytes", "POST", "/api/v1/replies", { JSON,
	    BEARER }, SIGN_NONE, "@BIGTEXT@", 400, 0 },
	{ "api, oversize", "POST", "/api/v1/replies", { JSON, BEARER },
	    SIGN_NONE, "@BIG@", 413, 0 },
	{ "api, GET", "GET", "/api/v1/replies", { BEARER }, SIGN_NONE, NULL,
	    405, 0 },
	{ "api, the same answer again", "POST", "/api/v1/replies", { JSON,
	    BEARER }, SIGN_NONE, API_ANSWER("a-1"), 200, 0 },

	/* /api/v1/stats (a dashboard_token is set) */
	{ "stats, no token", "GET", "/api/v1/stats", { 0 }, SIGN_NONE, NULL,
	    401, 0 },
	{ "stats, wrong token", "GET", "/api/v1/stats", {
	    "Authorization: Bearer wrong" }, SIGN_NONE, NULL, 403, 0 },
	{ "stats, token of the right length", "GET", "/api/v1/stats", {
	    "Authorization: Bearer dash-0123456789abcdeF" }, SIGN_NONE, NULL,
	    403, 0 },
	{ "stats, token in the query", "GET", "/api/v1/stats?token="
	    HOSTILE_DASH_TOKEN, { 0 }, SIGN_NONE, NULL, 401, 0 },
	{ "stats, basic authorization", "GET", "/api/v1/stats", {
	    "Authorization: Basic " HOSTILE_DASH_TOKEN }, SIGN_NONE, NULL, 401,
	    0 },
	{ "stats, genuine", "GET", "/api/v1/stats", { DASH }, SIGN_NONE, NULL,
	    200, 0 },
	{ "stats, unknown channel", "GET", "/api/v1/stats?channel=nope", {
	    DASH }, SIGN_NONE, NULL, 404, 0 },
	{ "stats, impossible date", "GET", "/api/v1/stats?since=2026-13-45", {
	    DASH }, SIGN_NONE, NULL, 400, 0 },
	{ "stats, since not a date", "GET", "/api/v1/stats?since=yesterday", {
	    DASH }, SIGN_NONE, NULL, 400, 0 },
	{ "stats, POST", "POST", "/api/v1/stats", { DASH, JSON }, SIGN_NONE,
	    "{}", 405, 0 },

	/* / */
	{ "dashboard, no token", "GET", "/", { 0 }, SIGN_NONE, NULL, 401, 0 },
	{ "dashboard, wrong query token", "GET", "/?token=wrong", { 0 },
	    SIGN_NONE, NULL, 403, 0 },
	{ "dashboard, wrong bearer", "GET", "/", {
	    "Authorization: Bearer wrong" }, SIGN_NONE, NULL, 403, 0 },
	{ "dashboard, query token", "GET", "/?token=" HOSTILE_DASH_TOKEN,
	    { 0 }, SIGN_NONE, NULL, 200, 0 },
	{ "dashboard, bearer", "GET", "/", { DASH }, SIGN_NONE, NULL, 200, 0 },
	{ "dashboard, HEAD", "HEAD", "/", { DASH }, SIGN_NONE, NULL, 200, 0 },
	{ "dashboard, unknown channel", "GET", "/?channel=nope", { DASH },
	    SIGN_NONE, NULL, 404, 0 },
	{ "dashboard, bad date", "GET", "/?since=2026-02-30", { DASH },
	    SIGN_NONE, NULL, 400, 0 },
	{ "dashboard, POST", "POST", "/", { DASH, FORM }, SIGN_NONE, "a=b", 405,
	    0 },

	/* /healthz and elsewhere */
	{ "healthz", "GET", "/healthz", { 0 }, SIGN_NONE, NULL, 200, 0 },
	{ "healthz, HEAD", "HEAD", "/healthz", { 0 }, SIGN_NONE, NULL, 200, 0 },
	{ "unknown path", "GET", "/admin", { 0 }, SIGN_NONE, NULL, 404, 0 },
	{ "unknown path, POST", "POST", "/slack", { FORM }, SIGN_SLACK,
	    SLACK_CMD("h-99"), 404, 0 },
	{ "path below a route", "GET", "/teams/x", { 0 }, SIGN_NONE, NULL, 404,
	    0 },
	{ "a dotted path", "GET", "/../nudged.db", { 0 }, SIGN_NONE, NULL, 404,
	    0 },
};

#define HOSTILE_NCASES	(sizeof hostile_cases / sizeof hostile_cases[0])

static char	*hostile_body(const struct replies_fixture *, const char *);
static int	 hostile_send(struct replies_fixture *,
		    const struct hostile_case *);
static long long hostile_rows(const struct replies_fixture *);

/* The body a row stands for: its placeholders filled in (allocated). */
static char *
hostile_body(const struct replies_fixture *f, const char *spec)
{
	const struct {
		const char	*name;
		const char	*code;
	} codes[] = { { "@SLACK@", f->slack_code }, { "@TEAMS@",
	    f->teams_code }, { "@DISCORD@", f->discord_code }, { "@MM@",
	    f->mm_code }, { "@TEAM@", f->code[1] } };
	char *body, *text;

	if (strcmp(spec, "@BIG@") == 0) {
		body = malloc(HOSTILE_BIG + 1);
		assert_non_null(body);
		memset(body, 'a', HOSTILE_BIG);
		body[HOSTILE_BIG] = '\0';
		return body;
	}
	if (strcmp(spec, "@BIGTEXT@") == 0) {
		text = calloc(1, 16002);
		assert_non_null(text);
		memset(text, 'a', 16001);
		body = harness_format("{\"channel\":\"team\",\"user\":\"U1\","
		    "\"text\":\"%s\"}", text);
		free(text);
		return body;
	}
	body = strdup(spec);
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (strstr(body, codes[i].name) != NULL)
			body = harness_replace(body, codes[i].name, codes[i].code);
	return body;
}

/* Send one row's request; its status. */
static int
hostile_send(struct replies_fixture *f, const struct hostile_case *c)
{
	const char *headers[8] = { 0 };
	char *body = c->body ? hostile_body(f, c->body) : NULL, *out, *sig[2] = {
	    NULL, NULL };
	int64_t now = time(NULL);
	size_t n = 0;
	int status;

	for (size_t i = 0; i < 3 && c->headers[i] != NULL; i++)
		headers[n++] = c->headers[i];
	switch (c->sign) {
	case SIGN_SLACK:
	case SIGN_SLACK_WRONG:
	case SIGN_SLACK_STALE:
	case SIGN_SLACK_FUTURE:
		signed_slack(c->sign == SIGN_SLACK_WRONG ? "not-the-secret" :
		    FIXTURE_SLACK_SECRET, c->sign == SIGN_SLACK_STALE ? now - 301 :
		    c->sign == SIGN_SLACK_FUTURE ? now + 301 : now, body, sig);
		break;
	case SIGN_TEAMS:
	case SIGN_TEAMS_WRONG:
		sig[0] = signed_teams(c->sign == SIGN_TEAMS ? FIXTURE_TEAMS_SECRET :
		    "d3JvbmctLXNlY3JldC0tLS0tLS0tLS0tLS0tLS0tLTMyISE=", body);
		break;
	case SIGN_DISCORD:
	case SIGN_DISCORD_STALE:
		signed_discord(f->discord_key, c->sign == SIGN_DISCORD_STALE ?
		    now - 400 : now, body, sig);
		break;
	case SIGN_DISCORD_WRONG: {
		EVP_PKEY_CTX *k = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
		EVP_PKEY *other = NULL;

		assert_int_equal(EVP_PKEY_keygen_init(k), 1);
		assert_int_equal(EVP_PKEY_keygen(k, &other), 1);
		signed_discord(other, now, body, sig);
		EVP_PKEY_free(other);
		EVP_PKEY_CTX_free(k);
		break;
	}
	case SIGN_NONE:
		break;
	}
	for (int i = 0; i < 2; i++)
		if (sig[i] != NULL)
			headers[n++] = sig[i];
	status = harness_http_request(f->port, c->method, c->path, headers, body,
	    body ? strlen(body) : 0, &out);
	free(out);
	free(body);
	free(sig[0]);
	free(sig[1]);
	return status;
}

/* Answers, deliveries and meta rows in the database: what a request could add. */
static long long
hostile_rows(const struct replies_fixture *f)
{
	char *state = harness_format("%s/state", f->dir);
	long long n = harness_db_int(state, "SELECT (SELECT count(*) FROM "
	    "replies) * 1000000 + (SELECT count(*) FROM deliveries) * 1000 + "
	    "(SELECT count(*) FROM meta)");

	free(state);
	return n;
}

/* The daemon as the fixture starts it, with a dashboard token set. */
static int
hostile_setup(void **state)
{
	struct replies_fixture *f;
	char *cfg;

	if (replies_fixture_setup(state) != 0)
		return -1;
	f = *state;
	cfg = harness_replace(harness_read(f->config), "{\"state_dir\"",
	    "{\"dashboard_token\": \"" HOSTILE_DASH_TOKEN "\", \"state_dir\"");
	harness_write(f->config, cfg);
	free(cfg);
	kill(f->serve.pid, SIGHUP);
	return harness_wait_count(&f->serve, "applied,", 1, 10000);
}

/* Every row: its status, and stored rows only where the row allows one answer. */
static void
test_hostile_requests(void **state)
{
	struct replies_fixture *f = *state;
	long long before, after;
	int status, failed = 0;

	for (size_t i = 0; i < HOSTILE_NCASES; i++) {
		const struct hostile_case *c = &hostile_cases[i];

		before = hostile_rows(f);
		status = hostile_send(f, c);
		after = hostile_rows(f);
		if (status != c->status) {
			fprintf(stderr, "%s: %s %s: status %d, expected %d\n",
			    c->name, c->method, c->path, status, c->status);
			failed++;
		}
		if (after - before != (c->stores ? 1000000 : 0)) {
			fprintf(stderr, "%s: %s %s: %s\n", c->name, c->method,
			    c->path, c->stores ? "not stored exactly once" :
			    "refused, yet the database changed");
			failed++;
		}
	}
	fprintf(stderr, "%zu hostile requests, %d wrong\n", HOSTILE_NCASES,
	    failed);
	assert_int_equal(failed, 0);
	/* Still serving after all of it. */
	assert_int_equal(hostile_send(f, &(struct hostile_case){ "healthz",
	    "GET", "/healthz", { 0 }, SIGN_NONE, NULL, 200, 0 }), 200);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_requests),
	};

	return cmocka_run_group_tests(tests, hostile_setup,
	    replies_fixture_teardown);
}
