/* SPDX-License-Identifier: ISC */
/* Chat platforms, inbound: signatures and tokens, and the replies shown. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "chat/chat_int.h"
#include "inbound.h"
#include "config.h"
#include "sig.h"

#define FORM	"application/x-www-form-urlencoded"
#define JSON	"application/json"


static void		 assert_respond(const char *, const struct chat_receipt *,
			    const char *, const char *);
static char		*slack_sign(const char *, const char *, const char *);


/* respond() must give exactly want, of type want_type. */
static void
assert_respond(const char *name, const struct chat_receipt *r,
    const char *want, const char *want_type)
{
	const struct chat_platform	*p = chat_find(name);
	const char			*type = NULL;
	char				*out;

	out = p->respond(r, &type);
	assert_non_null(out);
	assert_string_equal(out, want);
	assert_non_null(type);
	assert_string_equal(type, want_type);
	free(out);
}

/* X-Slack-Signature for a body at a timestamp. */
static char *
slack_sign(const char *secret, const char *ts, const char *body)
{
	unsigned char	 mac[32];
	char		*base, *hex, *sig;

	assert_true(asprintf(&base, "v0:%s:%s", ts, body) > 0);
	sig_hmac_sha256(secret, strlen(secret), base, strlen(base), mac);
	hex = sig_hex_encode(mac, sizeof mac);
	assert_true(asprintf(&sig, "v0=%s", hex) > 0);
	free(hex);
	free(base);
	return sig;
}

/* Slack v0 signatures: the official vector, a computed one, the failures. */
static void
test_verify_slack(void **state)
{
	static const char vector[] = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id="
	    "T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&"
	    "channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
	    "command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2F"
	    "hooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F"
	    "96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121."
	    "803a0bc887a14d10d2c447fce8b6703c";
	char	 secret[] = "8f742231b10e8888abcd99yyyzzz85a5";
	char	 other[] = "8f742231b10e8888abcd99yyyzzz85a6";
	struct slack_settings ss = { .signing_secret = secret }, ss_none = { 0 };
	struct config_channel cc = { .settings = &ss };
	struct config_channel none = { .settings = &ss_none };
	struct inbound_request r = { .body = vector, .type = FORM,
	    .names = { "x-slack-request-timestamp", "X-SLACK-SIGNATURE" },
	    .values = { "1531420618", "v0=a2114d57b48eac39b9ad189dd8316235a7b4"
	    "a8d21a10bd27519666489c69b503" } };
	struct chat_inbound in = inbound_of(&r);
	char	*body, *sig;

	(void)state;
	assert_int_equal(strlen(vector), 362);
	assert_true(chat_slack.has_secret(&cc));
	assert_false(chat_slack.has_secret(&none));
	assert_int_equal(chat_slack.verify(&cc, &in, 1531420618 + 60), SIG_OK);
	assert_int_equal(chat_slack.verify(&cc, &in, 1531420618 - 299), SIG_OK);
	assert_int_equal(chat_slack.verify(&cc, &in, 1531420618 + 301),
	    SIG_STALE);
	ss.signing_secret = other;
	assert_int_equal(chat_slack.verify(&cc, &in, 1531420618), SIG_BAD);
	assert_int_equal(chat_slack.verify(&none, &in, 1531420618), SIG_BAD);
	ss.signing_secret = secret;
	r.names[1] = NULL;
	in = inbound_of(&r);
	assert_int_equal(chat_slack.verify(&cc, &in, 1531420618), SIG_MISSING);
	r.names[1] = "X-Slack-Signature";
	r.values[1] = "v1=abcd";
	in = inbound_of(&r);
	assert_int_equal(chat_slack.verify(&cc, &in, 1531420618),
	    SIG_MALFORMED);

	/* A sample event signed here; one byte changed fails. */
	body = inbound_data_file("slack-thread-reply.json");
	sig = slack_sign(secret, "1774623600", body);
	r = (struct inbound_request){ .body = body, .type = JSON,
	    .names = { "X-Slack-Request-Timestamp", "X-Slack-Signature",
	    "X-Slack-Retry-Num" }, .values = { "1774623600", sig, "1" } };
	in = inbound_of(&r);
	assert_int_equal(chat_slack.verify(&cc, &in, 1774623605), SIG_OK);
	body[10] ^= 1;
	assert_int_equal(chat_slack.verify(&cc, &in, 1774623605), SIG_BAD);
	r.names[0] = NULL;
	in = inbound_of(&r);
	assert_int_equal(chat_slack.verify(&cc, &in, 1774623605), SIG_MISSING);
	free(sig);
	free(body);
}

/* Teams HMAC: Microsoft's reconstructed vector, a computed one, failures. */
static void
test_verify_teams(void **state)
{
	char	 token[] = "vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=";
	char	 wrong[] = "AAF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA=";
	struct teams_settings ts = { .hmac_secret = token }, ts_none = { 0 };
	struct config_channel cc = { .settings = &ts };
	struct config_channel none = { .settings = &ts_none };
	unsigned char	*raw, *key, mac[32];
	size_t		 rawlen, keylen;
	struct inbound_request	 r;
	struct chat_inbound in;
	struct chat_answer a;
	char		*body, *b64, *auth;

	(void)state;
	/* signature-vectors.md 2: the 1891-byte body, base64 on one line. */
	b64 = inbound_data_file("teams-vector.b64");
	assert_int_equal(sig_base64_decode(b64, &raw, &rawlen), 0);
	free(b64);
	assert_int_equal(rawlen, 1891);
	body = calloc(1, rawlen + 1);
	assert_non_null(body);
	memcpy(body, raw, rawlen);
	free(raw);
	r = (struct inbound_request){ .body = body, .len = rawlen, .type = JSON,
	    .names = { "authorization" }, .values = { "HMAC 03TCao0i55H1eVKUus"
	    "ZOTZRjtvYTs+mO41mPL+R1e1U=" } };
	in = inbound_of(&r);
	assert_true(chat_teams.has_secret(&cc));
	assert_false(chat_teams.has_secret(&none));
	assert_int_equal(chat_teams.verify(&cc, &in, 0), SIG_OK);
	ts.hmac_secret = wrong;
	assert_int_equal(chat_teams.verify(&cc, &in, 0), SIG_BAD);
	ts.hmac_secret = token;

	/* The same vector parses: both mentions' markup goes. */
	inbound_parse_ok("teams", JSON, body, &a);
	assert_string_equal(a.text, "Hello Larry Brown");
	assert_string_equal(a.user_name, "Tim Jones");
	assert_string_equal(a.message_id, "1485983408511");
	assert_string_equal(a.route_key,
	    "19:253b1f341670408fb6fe51050b6e5ceb@thread.skype");
	assert_string_equal(a.thread, "1485983194839");
	chat_answer_free(&a);
	free(body);

	/* A sample message signed here. */
	body = inbound_data_file("teams-mention.json");
	assert_int_equal(sig_base64_decode(token, &key, &keylen), 0);
	sig_hmac_sha256(key, keylen, body, strlen(body), mac);
	free(key);
	b64 = sig_base64_encode(mac, sizeof mac);
	assert_true(asprintf(&auth, "HMAC %s", b64) > 0);
	r = (struct inbound_request){ .body = body, .type = JSON,
	    .names = { "Authorization" }, .values = { auth } };
	in = inbound_of(&r);
	assert_int_equal(chat_teams.verify(&cc, &in, 0), SIG_OK);
	body[strlen(body) - 2] = ' ';
	assert_int_equal(chat_teams.verify(&cc, &in, 0), SIG_BAD);
	r.values[0] = "Bearer abc";
	in = inbound_of(&r);
	assert_int_equal(chat_teams.verify(&cc, &in, 0), SIG_MALFORMED);
	r.names[0] = NULL;
	in = inbound_of(&r);
	assert_int_equal(chat_teams.verify(&cc, &in, 0), SIG_MISSING);
	free(auth);
	free(b64);
	free(body);
}

/* Discord Ed25519: a key made here, the RFC 8032 derived vector, failures. */
static void
test_verify_discord(void **state)
{
	static const char rfc_pub[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3"
	    "daa62325af021a68f707511a";
	EVP_PKEY_CTX	*kctx;
	EVP_PKEY	*pkey = NULL;
	EVP_MD_CTX	*md;
	unsigned char	 pub[32], sig[64];
	size_t		 publen = sizeof pub, siglen = sizeof sig;
	struct discord_settings ds = { 0 }, ds_none = { 0 };
	struct config_channel cc, none = { .settings = &ds_none };
	struct inbound_request	 r;
	struct chat_inbound in;
	char		*body, *msg, *pubhex, *sighex;
	char		 rfc[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325"
	    "af021a68f707511a";

	(void)state;
	assert_true(strcmp(rfc, rfc_pub) == 0);
	kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	assert_non_null(kctx);
	assert_int_equal(EVP_PKEY_keygen_init(kctx), 1);
	assert_int_equal(EVP_PKEY_keygen(kctx, &pkey), 1);
	EVP_PKEY_CTX_free(kctx);
	assert_int_equal(EVP_PKEY_get_raw_public_key(pkey, pub, &publen), 1);
	pubhex = sig_hex_encode(pub, sizeof pub);

	body = inbound_data_file("discord-command.json");
	assert_true(asprintf(&msg, "1774623600%s", body) > 0);
	md = EVP_MD_CTX_new();
	assert_non_null(md);
	assert_int_equal(EVP_DigestSignInit(md, NULL, NULL, NULL, pkey), 1);
	assert_int_equal(EVP_DigestSign(md, sig, &siglen,
	    (unsigned char *)msg, strlen(msg)), 1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pkey);
	sighex = sig_hex_encode(sig, sizeof sig);

	ds.public_key = pubhex;
	cc = (struct config_channel){ .settings = &ds };
	assert_true(chat_discord.has_secret(&cc));
	assert_false(chat_discord.has_secret(&none));
	r = (struct inbound_request){ .body = body, .type = JSON,
	    .names = { "X-Signature-Ed25519", "X-Signature-Timestamp" },
	    .values = { sighex, "1774623600" } };
	in = inbound_of(&r);
	assert_int_equal(chat_discord.verify(&cc, &in, 1774623605), SIG_OK);
	assert_int_equal(chat_discord.verify(&cc, &in, 1774623600 + 3600),
	    SIG_STALE);
	ds.public_key = rfc;
	assert_int_equal(chat_discord.verify(&cc, &in, 1774623605), SIG_BAD);
	assert_int_equal(chat_discord.verify(&none, &in, 1774623605), SIG_BAD);
	ds.public_key = pubhex;
	r.values[1] = "1774623601";
	in = inbound_of(&r);
	assert_int_equal(chat_discord.verify(&cc, &in, 1774623605), SIG_BAD);
	r.values[0] = "zz";
	in = inbound_of(&r);
	assert_int_equal(chat_discord.verify(&cc, &in, 1774623605),
	    SIG_MALFORMED);
	r.names[1] = NULL;
	in = inbound_of(&r);
	assert_int_equal(chat_discord.verify(&cc, &in, 1774623605),
	    SIG_MISSING);

	/* signature-vectors.md 3, the Discord-shaped RFC 8032 vector. */
	ds.public_key = rfc;
	r = (struct inbound_request){ .body = "{\"type\":1}", .type = JSON,
	    .names = { "X-Signature-Timestamp", "X-Signature-Ed25519" },
	    .values = { "1700000000", "1695961a47c91a1ec033b819b7e87e3dbc583dd"
	    "0cee6d1fd0216f58ac87b6228ae531ddbf91fb7bc28d7edf7f08604da16f546"
	    "24f38a6bc0614e4dc13cd47f0f" } };
	in = inbound_of(&r);
	assert_int_equal(chat_discord.verify(&cc, &in, 1700000000), SIG_OK);

	free(sighex);
	free(msg);
	free(body);
	free(pubhex);
}

/* Mattermost tokens: body field (form, JSON) or Authorization header. */
static void
test_verify_mattermost(void **state)
{
	char	 outgoing[] = "9f3x8kq1ojbw7mcyzwa1tuupcr";
	char	 slash[] = "u5nq8wz1eb7fdtx3kjrc9yma4h";
	char	 shorter[] = "u5nq8wz1eb7fdtx3kjrc9yma4";
	struct mattermost_settings ms = { .token = outgoing }, ms_none = { 0 };
	struct config_channel cc = { .settings = &ms };
	struct config_channel none = { .settings = &ms_none };
	struct inbound_request	 r;
	struct chat_inbound in;
	char		*body;

	(void)state;
	assert_true(chat_mattermost.has_secret(&cc));
	assert_false(chat_mattermost.has_secret(&none));

	body = inbound_data_file("mattermost-outgoing.txt");
	r = (struct inbound_request){ .body = body, .type = FORM };
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_OK);
	assert_int_equal(chat_mattermost.verify(&none, &in, 0), SIG_BAD);
	ms.token = slash;
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_BAD);
	free(body);

	ms.token = outgoing;
	body = inbound_data_file("mattermost-outgoing.json");
	r = (struct inbound_request){ .body = body, .type = JSON };
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_OK);
	free(body);

	/* The slash command: header and body agree. */
	ms.token = slash;
	body = inbound_data_file("mattermost-slash.txt");
	r = (struct inbound_request){ .body = body, .type = FORM,
	    .names = { "Authorization" },
	    .values = { "Token u5nq8wz1eb7fdtx3kjrc9yma4h" } };
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_OK);
	ms.token = shorter;
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_BAD);
	ms.token = slash;
	/* The header decides when it is of the Token scheme. */
	r.values[0] = "token  u5nq8wz1eb7fdtx3kjrc9yma4x";
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_BAD);
	r.values[0] = "Bearer u5nq8wz1eb7fdtx3kjrc9yma4h ";
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_OK);
	r.values[0] = "Token ";
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_MALFORMED);
	r.values[0] = "Token a b";
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_MALFORMED);
	/* Another scheme (a proxy's) leaves the body's token to decide. */
	r.values[0] = "Basic dXNlcjpwYXNz";
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_OK);
	free(body);

	/* Token only in the header; none at all. */
	r = (struct inbound_request){ .body = "user_id=u&channel_id=c&command=%2Fr&"
	    "trigger_id=t&text=hi", .type = FORM, .names = { "Authorization" },
	    .values = { "Token u5nq8wz1eb7fdtx3kjrc9yma4h" } };
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_OK);
	r.names[0] = NULL;
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_MISSING);
	r.body = "token=&user_id=u";
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_MISSING);
	r.body = "token=a&token=b";
	in = inbound_of(&r);
	assert_int_equal(chat_mattermost.verify(&cc, &in, 0), SIG_MALFORMED);
}

/* What each platform answers the person with. */
static void
test_respond(void **state)
{
	struct chat_receipt	 r = { .stored = 1, .message = "Saved your "
	    "answer to \"Which conversation today <mattered>?\" Streak: 3 in a "
	    "row.", .via = CHAT_VIA_COMMAND };
	struct chat_receipt	 quiet = { .stored = 0, .message = NULL };
	struct chat_receipt	 refuse = { .stored = 0, .message = "No "
	    "question with code K7QX was sent here @here *recently*." };
	const char		*type;
	char			*out, *big;
	cJSON			*json;
	const cJSON		*content;

	(void)state;
	assert_respond("slack", &r, "{\"response_type\":\"ephemeral\",\"text\":"
	    "\"Saved your answer to \\\"Which conversation today "
	    "&lt;mattered&gt;?\\\" Streak: 3 in a row.\"}", "application/json");
	r.via = CHAT_VIA_MESSAGE;
	assert_respond("slack", &r, "", "text/plain");
	assert_respond("teams", &r, "{\"type\":\"message\",\"text\":\"Saved "
	    "your answer to \\\"Which conversation today &lt;mattered&gt;?\\\" "
	    "Streak: 3 in a row.\"}", "application/json");
	assert_respond("discord", &refuse, "{\"type\":4,\"data\":{\"content\":"
	    "\"No question with code K7QX was sent here @here \\\\*recently"
	    "\\\\*.\",\"flags\":64,\"allowed_mentions\":{\"parse\":[]}}}",
	    "application/json");
	refuse.via = CHAT_VIA_COMMAND;
	assert_respond("mattermost", &refuse, "{\"text\":\"No question with "
	    "code K7QX was sent here @\xe2\x80\x8bhere \\\\*recently\\\\*.\","
	    "\"response_type\":\"ephemeral\"}", "application/json");
	refuse.via = CHAT_VIA_MESSAGE;
	assert_respond("mattermost", &refuse, "{\"text\":\"No question with "
	    "code K7QX was sent here @\xe2\x80\x8bhere \\\\*recently\\\\*.\","
	    "\"response_type\":\"comment\"}", "application/json");

	/* Nothing to say (IGNORE): an empty body everywhere. */
	assert_respond("slack", &quiet, "", "text/plain");
	assert_respond("teams", &quiet, "", "text/plain");
	assert_respond("discord", &quiet, "", "text/plain");
	assert_respond("mattermost", &quiet, "", "text/plain");

	/* Discord content holds 2000 characters: longer is cut. */
	big = malloc(3 * 2500 + 1);
	assert_non_null(big);
	for (size_t i = 0; i < 2500; i++)
		memcpy(big + 3 * i, "\xe2\x9c\x85", 3);
	big[3 * 2500] = '\0';
	r.message = big;
	out = chat_discord.respond(&r, &type);
	json = cJSON_Parse(out);
	assert_non_null(json);
	content = cJSON_GetObjectItem(cJSON_GetObjectItem(json, "data"),
	    "content");
	assert_true(cJSON_IsString(content));
	assert_int_equal(chat_utf8_chars(content->valuestring), 2000);
	assert_non_null(strstr(content->valuestring, "\xe2\x80\xa6"));
	cJSON_Delete(json);
	free(out);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_slack),
		cmocka_unit_test(test_verify_teams),
		cmocka_unit_test(test_verify_discord),
		cmocka_unit_test(test_verify_mattermost),
		cmocka_unit_test(test_respond),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
