/* SPDX-License-Identifier: ISC */
/* Signatures: every official vector, tampering, clocks, headers and encodings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "chat/chat_int.h"
#include "sig.h"

/* Slack's worked example (signature-vectors.md section 1). */
#define SLACK_SECRET	"8f742231b10e8888abcd99yyyzzz85a5"
#define SLACK_TS	"1531420618"
#define SLACK_TS_NUM	INT64_C(1531420618)
#define SLACK_SIG	"v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
static const char slack_body[] =
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA"
    "&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J"
    "%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

/* Teams outgoing webhook, reconstructed vector (section 2). */
#define TEAMS_SECRET	"vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaA="
#define TEAMS_AUTH	"HMAC 03TCao0i55H1eVKUusZOTZRjtvYTs+mO41mPL+R1e1U="
static const char teams_body_b64[] =
    "ewogICAgInR5cGUiOiAibWVzc2FnZSIsCiAgICAiaWQiOiAiMTQ4NTk4MzQwODUx"
    "MSIsCiAgICAidGltZXN0YW1wIjogIjIwMTctMDItMDFUMjE6MTA6MDcuNDM3WiIs"
    "CiAgICAibG9jYWxUaW1lc3RhbXAiOiAiMjAxNy0wMi0wMVQxNDoxMDowNy40Mzct"
    "MDc6MDAiLAogICAgInNlcnZpY2VVcmwiOiAiaHR0cHM6Ly9zbWJhLnRyYWZmaWNt"
    "YW5hZ2VyLm5ldC9hbWVyLWNsaWVudC1zcy5tc2cvIiwKICAgICJjaGFubmVsSWQi"
    "OiAibXN0ZWFtcyIsCiAgICAiZnJvbSI6IHsKICAgICAgICAiaWQiOiAiMjk6MVhK"
    "S0pNdmM1R0J0YzJKd1pxMG9qOHRIWm16clFnRm1CMzlBVGlRV0E4NWdRdEhpZVZr"
    "SGlsQlo5WEhvcTlqN1phcXQ3Q1otTkpXaTdtZTJrSFRMM0J3IiwKICAgICAgICAi"
    "bmFtZSI6ICJUaW0gSm9uZXMiCiAgICB9LAogICAgImNvbnZlcnNhdGlvbiI6IHsK"
    "ICAgICAgICAiaWQiOiAiMTk6MjUzYjFmMzQxNjcwNDA4ZmI2ZmU1MTA1MGI2ZTVj"
    "ZWJAdGhyZWFkLnNreXBlO21lc3NhZ2VpZD0xNDg1OTgzMTk0ODM5IgogICAgfSwK"
    "ICAgICJyZWNpcGllbnQiOiB7CiAgICAgICAgImlkIjogIm51bGwiLAogICAgICAg"
    "ICJuYW1lIjogIm51bGwiCiAgICB9LAogICAgInRleHRGb3JtYXQiOiAicGxhaW4i"
    "LAogICAgInRleHQiOiAiPGF0Pk15Q3VzdG9tQm90PC9hdD4gSGVsbG8gPGF0Pkxh"
    "cnJ5IEJyb3duPC9hdD4iLAogICAgImF0dGFjaG1lbnRzIjogW3sKICAgICAgICAi"
    "Y29udGVudFR5cGUiOiAidGV4dC9odG1sIiwKICAgICAgICAiY29udGVudCI6ICI8"
    "ZGl2PjxzcGFuIGNvbnRlbnRlZGl0YWJsZT1cImZhbHNlXCIgaXRlbXNjb3BlPVwi"
    "XCIgaXRlbXR5cGU9XCJodHRwOi8vc2NoZW1hLnNreXBlLmNvbS9NZW50aW9uXCIg"
    "aXRlbWlkPVwiMFwiPk15V2ViSG9vayA8L3NwYW4+IEhlbGxvIDxzcGFuIGNvbnRl"
    "bnRlZGl0YWJsZT1cImZhbHNlXCIgaXRlbXNjb3BlPVwiXCIgaXRlbXR5cGU9XCJo"
    "dHRwOi8vc2NoZW1hLnNreXBlLmNvbS9NZW50aW9uXCIgaXRlbWlkPVwiMVwiPkxh"
    "cnJ5IEJyb3duIDwvc3Bhbj48L2Rpdj4iCiAgICB9XSwKICAgICJlbnRpdGllcyI6"
    "IFsKICAgICAgewogICAgICAgICJ0eXBlIjogIm1lbnRpb24iLAogICAgICAgICJt"
    "ZW50aW9uZWQiOiB7CiAgICAgICAgICAgICJpZCI6ICIyODpjOWU4YzA0Ny0yYTc0"
    "LTQwYTItYjI4YS1iMTYyZDVmNTMyN2MiLCAKICAgICAgICAgICAgIm5hbWUiOiAi"
    "TXlXZWJIb29rIgogICAgICAgIH0sCiAgICAgICAgInRleHQiOiAiPGF0Pk15V2Vi"
    "SG9vazwvYXQ+IgogICAgICB9LAogICAgICB7CiAgICAgICAgInR5cGUiOiAibWVu"
    "dGlvbiIsCiAgICAgICAgIm1lbnRpb25lZCI6IHsKICAgICAgICAgICAgImlkIjog"
    "IjI5OjFqbkZiWllzMHFYTUxILU80Uzktc0RMTmMzTlZFSU1XTW5DLXEwdFZkRWEt"
    "OEJSb3Nmb2pJMzVRZE5vQi15VzhpdXRXTEp6SFVtX21xRVpTU1U4c2kwUSIsCiAg"
    "ICAgICAgICAgICJuYW1lIjogIkxhcnJ5IEJyb3duIgogICAgICAgIH0sCiAgICAg"
    "ICAgInRleHQiOiAiPGF0PkxhcnJ5IEJyb3duPC9hdD4iCiAgICAgIH0sCiAgICAg"
    "IHsgCiAgICAgICAgImxvY2FsZSI6ICJlbi1VUyIsCiAgICAgICAgImNvdW50cnki"
    "OiAiVVMiLAogICAgICAgICJwbGF0Zm9ybSI6ICJXaW5kb3dzIiwKICAgICAgICAi"
    "dGltZXpvbmUiOiAiQW1lcmljYS9Mb3NfQW5nZWxlcyIsCiAgICAgICAgInR5cGUi"
    "OiAiY2xpZW50SW5mbyIKICAgICAgfQogICAgXSwKICAgICJjaGFubmVsRGF0YSI6"
    "IHsKICAgICAgICAidGVhbXNDaGFubmVsSWQiOiAiMTk6MjUzYjFmMzQxNjcwNDA4"
    "ZmI2ZmU1MTA1MGI2ZTVjZWJAdGhyZWFkLnNreXBlIiwKICAgICAgICAidGVhbXNU"
    "ZWFtSWQiOiAiMTk6NzEyYzYxZDBlZjM4NGU1ZmE2ODFiYTkwY2E5NDMzOThAdGhy"
    "ZWFkLnNreXBlIgogICAgfSAKfQ==";

/* RFC 8032 section 7.1, tests 1-3 (section 3). */
static const struct {
	const char	*seed;
	const char	*pub;
	const char	*msg;
	const char	*sig;
} rfc8032[] = {
	{ "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
	  "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
	  "",
	  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b" },
	{ "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
	  "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
	  "72",
	  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00" },
	{ "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
	  "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
	  "af82",
	  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a" },
};

/* The derived Discord-shaped vector (section 3), TEST 1 key. */
#define DISCORD_PUB	"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define DISCORD_TS	"1700000000"
#define DISCORD_TS_NUM	INT64_C(1700000000)
#define DISCORD_BODY	"{\"type\":1}"
#define DISCORD_SIG	"1695961a47c91a1ec033b819b7e87e3dbc583dd0cee6d1fd0216f58ac87b6228ae531ddbf91fb7bc28d7edf7f08604da16f54624f38a6bc0614e4dc13cd47f0f"

/* Standard Webhooks library vector (section 5). */
#define SW_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SW_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SW_TS		"1614265330"
#define SW_TS_NUM	INT64_C(1614265330)
#define SW_BODY		"{\"test\": 2432232314}"
#define SW_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
#define SW_SIG_BAD	"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="

/* Hex of the HMAC-SHA256 of msg under key. */
static char *
hmac_hex(const void *key, size_t keylen, const void *msg, size_t len)
{
	unsigned char	 mac[32];

	sig_hmac_sha256(key, keylen, msg, len, mac);
	return sig_hex_encode(mac, sizeof mac);
}

/* Hex of a SHA-256, computed by OpenSSL directly. */
static void
assert_sha256(const void *buf, size_t len, const char *want)
{
	unsigned char	 md[32];
	unsigned int	 n = 0;
	char		*hex;

	assert_int_equal(EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL), 1);
	hex = sig_hex_encode(md, n);
	assert_string_equal(hex, want);
	free(hex);
}

static void
test_hmac_rfc4231(void **state)
{
	unsigned char	 key[131], data[50];
	char		*hex;

	(void)state;
	memset(key, 0x0b, 20);
	hex = hmac_hex(key, 20, "Hi There", 8);
	assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	free(hex);

	hex = hmac_hex("Jefe", 4, "what do ya want for nothing?", 28);
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	free(hex);

	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	hex = hmac_hex(key, 20, data, 50);
	assert_string_equal(hex, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
	free(hex);

	for (int i = 0; i < 25; i++)
		key[i] = (unsigned char)(i + 1);
	memset(data, 0xcd, 50);
	hex = hmac_hex(key, 25, data, 50);
	assert_string_equal(hex, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
	free(hex);

	/* Keys longer than the block are hashed first (cases 6 and 7). */
	memset(key, 0xaa, 131);
	hex = hmac_hex(key, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54);
	assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	free(hex);
	hex = hmac_hex(key, 131, "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.", 152);
	assert_string_equal(hex, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
	free(hex);

	/* Empty key and message (Python hmac agrees). */
	hex = hmac_hex("", 0, "", 0);
	assert_string_equal(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
	free(hex);
}

static void
test_slack_vector(void **state)
{
	size_t	 len = strlen(slack_body);

	(void)state;
	assert_int_equal(len, 362);
	assert_sha256(slack_body, len, "390eeeff8d0cb7c9f6ecf8a88c3df6452fea0914eb02f64844369f3758d8d330");
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS, SLACK_SIG,
	    slack_body, len, SLACK_TS_NUM), SIG_OK);
	/* The SDK's negative case: six dashes appended. */
	{
		char	*tampered;

		assert_true(asprintf(&tampered, "%s------", slack_body) > 0);
		assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS,
		    SLACK_SIG, tampered, strlen(tampered), SLACK_TS_NUM),
		    SIG_BAD);
		free(tampered);
	}
	/* One byte shorter, one secret character off, another timestamp. */
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS, SLACK_SIG,
	    slack_body, len - 1, SLACK_TS_NUM), SIG_BAD);
	assert_int_equal(slack_in_signature("8f742231b10e8888abcd99yyyzzz85a6",
	    SLACK_TS, SLACK_SIG, slack_body, len, SLACK_TS_NUM), SIG_BAD);
	assert_int_equal(slack_in_signature(SLACK_SECRET, "1531420619",
	    SLACK_SIG, slack_body, len, SLACK_TS_NUM), SIG_BAD);
	/* Upper-case hex is the same bytes. */
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS,
	    "v0=A2114D57B48EAC39B9AD189DD8316235A7B4A8D21A10BD27519666489C69B503",
	    slack_body, len, SLACK_TS_NUM), SIG_OK);
	/* No secret configured: fail closed. */
	assert_int_equal(slack_in_signature(NULL, SLACK_TS, SLACK_SIG,
	    slack_body, len, SLACK_TS_NUM), SIG_BAD);
	assert_int_equal(slack_in_signature("", SLACK_TS, SLACK_SIG,
	    slack_body, len, SLACK_TS_NUM), SIG_BAD);
}

static void
test_slack_clock(void **state)
{
	size_t	 len = strlen(slack_body);

	(void)state;
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS, SLACK_SIG,
	    slack_body, len, SLACK_TS_NUM + 300), SIG_OK);
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS, SLACK_SIG,
	    slack_body, len, SLACK_TS_NUM + 301), SIG_STALE);
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS, SLACK_SIG,
	    slack_body, len, SLACK_TS_NUM - 300), SIG_OK);
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS, SLACK_SIG,
	    slack_body, len, SLACK_TS_NUM - 301), SIG_STALE);
	/* A real clock today: the 2018 request is stale. */
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS, SLACK_SIG,
	    slack_body, len, INT64_C(1774623600)), SIG_STALE);
	/* A forgery is bad, not stale, whatever its timestamp. */
	assert_int_equal(slack_in_signature("other", SLACK_TS, SLACK_SIG,
	    slack_body, len, SLACK_TS_NUM + 301), SIG_BAD);
	/* Extreme clocks do not overflow into "fresh". */
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS, SLACK_SIG,
	    slack_body, len, INT64_MIN), SIG_STALE);
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS, SLACK_SIG,
	    slack_body, len, INT64_MAX), SIG_STALE);
}

static void
test_slack_headers(void **state)
{
	static const char *const bad_ts[] = {
		"+1531420618", " 1531420618", "1531420618 ", "15314206l8",
		"-1531420618", "1531420618.0", "0x5b47", "99999999999999999999",
	};
	static const char *const bad_sig[] = {
		"v1=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
		"a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
		"v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b50",
		"v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b5033",
		"v0=g2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
		"v0=", "v0", "garbage",
	};
	size_t	 len = strlen(slack_body), i;

	(void)state;
	assert_int_equal(slack_in_signature(SLACK_SECRET, NULL, SLACK_SIG,
	    slack_body, len, SLACK_TS_NUM), SIG_MISSING);
	assert_int_equal(slack_in_signature(SLACK_SECRET, "", SLACK_SIG,
	    slack_body, len, SLACK_TS_NUM), SIG_MISSING);
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS, NULL,
	    slack_body, len, SLACK_TS_NUM), SIG_MISSING);
	assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS, "",
	    slack_body, len, SLACK_TS_NUM), SIG_MISSING);
	for (i = 0; i < sizeof bad_ts / sizeof bad_ts[0]; i++)
		assert_int_equal(slack_in_signature(SLACK_SECRET, bad_ts[i],
		    SLACK_SIG, slack_body, len, SLACK_TS_NUM), SIG_MALFORMED);
	for (i = 0; i < sizeof bad_sig / sizeof bad_sig[0]; i++)
		assert_int_equal(slack_in_signature(SLACK_SECRET, SLACK_TS,
		    bad_sig[i], slack_body, len, SLACK_TS_NUM), SIG_MALFORMED);
}

/* The Teams vector's body, decoded from its authoritative base64. */
static unsigned char *
teams_body(size_t *len)
{
	unsigned char	*body;

	assert_int_equal(sig_base64_decode(teams_body_b64, &body, len), 0);
	return body;
}

static void
test_teams_vector(void **state)
{
	unsigned char	*body, *key;
	size_t		 len, keylen;
	char		*hex;

	(void)state;
	body = teams_body(&len);
	assert_int_equal(len, 1891);
	assert_sha256(body, len, "01d4915bfdae5e5c3ae70a25dcc0294a44af041ff61762f3f50fa35147d03de6");
	assert_int_equal(sig_base64_decode(TEAMS_SECRET, &key, &keylen), 0);
	hex = sig_hex_encode(key, keylen);
	assert_string_equal(hex, "bea174127f99d2e72e45333fd35a361ae84c1f784a2a4fcdd9b3a694cdf5cda0");
	free(hex);
	hex = hmac_hex(key, keylen, body, len);
	assert_string_equal(hex, "d374c26a8d22e791f5795294bac64e4d9463b6f613b3e98ee3598f2fe4757b55");
	free(hex);
	free(key);

	assert_int_equal(teams_signature(TEAMS_SECRET, TEAMS_AUTH, body, len),
	    SIG_OK);
	/* The scheme is case-insensitive; surrounding blanks are tolerated. */
	assert_int_equal(teams_signature(TEAMS_SECRET,
	    "hmac  03TCao0i55H1eVKUusZOTZRjtvYTs+mO41mPL+R1e1U= ", body, len),
	    SIG_OK);
	/* A trailing newline (CRLF, re-serialisation) is another body. */
	assert_int_equal(teams_signature(TEAMS_SECRET, TEAMS_AUTH, body,
	    len - 1), SIG_BAD);
	body[10] ^= 1;
	assert_int_equal(teams_signature(TEAMS_SECRET, TEAMS_AUTH, body, len),
	    SIG_BAD);
	body[10] ^= 1;
	/* The secret is base64-decoded, not used as text. */
	assert_int_equal(teams_signature("vqF0En+Z0ucuRTM/01o2GuhMH3hKKk/N2bOmlM31zaB=",
	    TEAMS_AUTH, body, len), SIG_BAD);
	assert_int_equal(teams_signature("not base64!", TEAMS_AUTH, body, len),
	    SIG_BAD);
	assert_int_equal(teams_signature(NULL, TEAMS_AUTH, body, len),
	    SIG_BAD);
	assert_int_equal(teams_signature("", TEAMS_AUTH, body, len), SIG_BAD);
	free(body);
}

static void
test_teams_headers(void **state)
{
	static const char *const bad[] = {
		"Bearer 03TCao0i55H1eVKUusZOTZRjtvYTs+mO41mPL+R1e1U=",
		"HMAC", "HMAC ", "HMAC03TCao0i55H1eVKUusZOTZRjtvYTs+mO41mPL+R1e1U=",
		"HMAC 03TCao0i55H1eVKUusZOTZRjtvYTs+mO41mPL+R1e1U",
		"HMAC 03TCao0i55H1eVKUusZOTZRjtvYTs+mO41mPL+R1e1U= extra",
		"HMAC 03TCao0i55H1eVKUusZOTZRjtvYTs+mO41mPL+R1e1U=:",
		"HMAC AAAA",
		"HMAC 03TCao0i55H1eVKUusZOTZRjtvYTs-mO41mPL_R1e1U=",
	};
	unsigned char	*body;
	size_t		 len, i;

	(void)state;
	body = teams_body(&len);
	assert_int_equal(teams_signature(TEAMS_SECRET, NULL, body, len),
	    SIG_MISSING);
	assert_int_equal(teams_signature(TEAMS_SECRET, "", body, len),
	    SIG_MISSING);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(teams_signature(TEAMS_SECRET, bad[i], body,
		    len), SIG_MALFORMED);
	free(body);
}

/* Sign msg with an Ed25519 seed through OpenSSL, as hex. */
static char *
ed25519_sign_hex(const unsigned char seed[32], const void *msg, size_t len)
{
	unsigned char	 sig[64];
	size_t		 siglen = sizeof sig;
	EVP_PKEY	*pkey;
	EVP_MD_CTX	*ctx;

	pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	assert_non_null(pkey);
	ctx = EVP_MD_CTX_new();
	assert_non_null(ctx);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &siglen,
	    len != 0 ? msg : (const void *)"", len), 1);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	assert_int_equal(siglen, 64);
	return sig_hex_encode(sig, siglen);
}

static void
test_ed25519_rfc8032(void **state)
{
	unsigned char	 seed[32], pub[32], sig[64], msg[3];
	size_t		 i, mlen;
	char		*hex;

	(void)state;
	for (i = 0; i < sizeof rfc8032 / sizeof rfc8032[0]; i++) {
		mlen = strlen(rfc8032[i].msg) / 2;
		assert_int_equal(sig_hex_decode(rfc8032[i].seed, seed, 32), 0);
		assert_int_equal(sig_hex_decode(rfc8032[i].pub, pub, 32), 0);
		assert_int_equal(sig_hex_decode(rfc8032[i].sig, sig, 64), 0);
		assert_int_equal(sig_hex_decode(rfc8032[i].msg, msg, mlen), 0);
		/* Deterministic: signing reproduces the published signature. */
		hex = ed25519_sign_hex(seed, msg, mlen);
		assert_string_equal(hex, rfc8032[i].sig);
		free(hex);
		assert_int_equal(sig_ed25519_verify(pub, sig, msg, mlen), 1);
		sig[63] ^= 0x01;
		assert_int_equal(sig_ed25519_verify(pub, sig, msg, mlen), 0);
		sig[63] ^= 0x01;
		/* One more byte of message, or another key. */
		msg[mlen] = 'x';
		assert_int_equal(sig_ed25519_verify(pub, sig, msg, mlen + 1),
		    0);
		assert_int_equal(sig_hex_decode(rfc8032[(i + 1) % 3].pub, pub,
		    32), 0);
		assert_int_equal(sig_ed25519_verify(pub, sig, msg, mlen), 0);
	}
}

static void
test_discord_vector(void **state)
{
	const char	*body = DISCORD_BODY;
	size_t		 len = strlen(body);
	unsigned char	 seed[32];
	char		*hex, *msg, *flipped;

	(void)state;
	/* The derived vector is what OpenSSL signs with the TEST 1 seed. */
	assert_int_equal(sig_hex_decode(rfc8032[0].seed, seed, 32), 0);
	assert_true(asprintf(&msg, "%s%s", DISCORD_TS, body) == 20);
	hex = ed25519_sign_hex(seed, msg, 20);
	assert_string_equal(hex, DISCORD_SIG);
	free(hex);
	free(msg);

	assert_int_equal(discord_signature(DISCORD_PUB, DISCORD_TS,
	    DISCORD_SIG, body, len, DISCORD_TS_NUM), SIG_OK);
	/* Flip a byte of body, timestamp, signature: 401 each. */
	assert_int_equal(discord_signature(DISCORD_PUB, DISCORD_TS,
	    DISCORD_SIG, "{\"type\":2}", len, DISCORD_TS_NUM), SIG_BAD);
	assert_int_equal(discord_signature(DISCORD_PUB, "1700000001",
	    DISCORD_SIG, body, len, DISCORD_TS_NUM), SIG_BAD);
	flipped = strdup(DISCORD_SIG);
	flipped[0] = '0';
	assert_int_equal(discord_signature(DISCORD_PUB, DISCORD_TS, flipped,
	    body, len, DISCORD_TS_NUM), SIG_BAD);
	free(flipped);
	/* Another application's key. */
	assert_int_equal(discord_signature(rfc8032[1].pub, DISCORD_TS,
	    DISCORD_SIG, body, len, DISCORD_TS_NUM), SIG_BAD);
	/* An unusable configured key fails closed. */
	assert_int_equal(discord_signature("d75a98", DISCORD_TS, DISCORD_SIG,
	    body, len, DISCORD_TS_NUM), SIG_BAD);
	assert_int_equal(discord_signature(NULL, DISCORD_TS, DISCORD_SIG,
	    body, len, DISCORD_TS_NUM), SIG_BAD);
}

static void
test_discord_clock_and_headers(void **state)
{
	const char	*body = DISCORD_BODY;
	size_t		 len = strlen(body);

	(void)state;
	assert_int_equal(discord_signature(DISCORD_PUB, DISCORD_TS,
	    DISCORD_SIG, body, len, DISCORD_TS_NUM + 300), SIG_OK);
	assert_int_equal(discord_signature(DISCORD_PUB, DISCORD_TS,
	    DISCORD_SIG, body, len, DISCORD_TS_NUM + 301), SIG_STALE);
	assert_int_equal(discord_signature(DISCORD_PUB, DISCORD_TS,
	    DISCORD_SIG, body, len, DISCORD_TS_NUM - 300), SIG_OK);
	assert_int_equal(discord_signature(DISCORD_PUB, DISCORD_TS,
	    DISCORD_SIG, body, len, DISCORD_TS_NUM - 301), SIG_STALE);
	assert_int_equal(discord_signature(DISCORD_PUB, NULL, DISCORD_SIG,
	    body, len, DISCORD_TS_NUM), SIG_MISSING);
	assert_int_equal(discord_signature(DISCORD_PUB, DISCORD_TS, "",
	    body, len, DISCORD_TS_NUM), SIG_MISSING);
	assert_int_equal(discord_signature(DISCORD_PUB, "1700000000.5",
	    DISCORD_SIG, body, len, DISCORD_TS_NUM), SIG_MALFORMED);
	/* 127 digits, and a non-hex digit. */
	assert_int_equal(discord_signature(DISCORD_PUB, DISCORD_TS,
	    &DISCORD_SIG[1], body, len, DISCORD_TS_NUM), SIG_MALFORMED);
	{
		char	*s = strdup(DISCORD_SIG);

		s[5] = 'x';
		assert_int_equal(discord_signature(DISCORD_PUB, DISCORD_TS, s,
		    body, len, DISCORD_TS_NUM), SIG_MALFORMED);
		free(s);
	}
}

static void
test_standard_webhooks_vector(void **state)
{
	const char	*body = SW_BODY;
	size_t		 len = strlen(body);
	char		*sig;

	(void)state;
	sig = sig_standard_webhooks_sign(SW_SECRET, SW_ID, SW_TS_NUM, body,
	    len);
	assert_non_null(sig);
	assert_string_equal(sig, SW_SIG);
	free(sig);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    SW_SIG, body, len, SW_TS_NUM), SIG_OK);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    SW_SIG_BAD, body, len, SW_TS_NUM), SIG_BAD);
	/* Rotation: any v1 entry may match; other versions are skipped. */
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    SW_SIG_BAD " " SW_SIG, body, len, SW_TS_NUM), SIG_OK);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    "v1a,AAAA  " SW_SIG, body, len, SW_TS_NUM), SIG_OK);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", body, len,
	    SW_TS_NUM), SIG_BAD);
	/* Every signed part matters. */
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET,
	    "msg_p5jXN8AQM9LWM0D4loKWxJeK", SW_TS, SW_SIG, body, len,
	    SW_TS_NUM), SIG_BAD);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID,
	    "1614265331", SW_SIG, body, len, SW_TS_NUM), SIG_BAD);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    SW_SIG, "{\"test\":2432232314}", len - 1, SW_TS_NUM), SIG_BAD);
	assert_int_equal(sig_standard_webhooks_verify(
	    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx", SW_ID, SW_TS, SW_SIG,
	    body, len, SW_TS_NUM), SIG_BAD);
}

static void
test_standard_webhooks_secrets(void **state)
{
	const char	*body = SW_BODY;
	size_t		 len = strlen(body);
	unsigned char	 key[32];
	char		*sig, *b64, *secret;

	(void)state;
	/* Without the prefix the secret's bytes are the key (Python agrees). */
	sig = sig_standard_webhooks_sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
	    SW_ID, SW_TS_NUM, body, len);
	assert_string_equal(sig, "v1,ELhqG0Ku1gwOc1f4jyKdp3SFGFLAOdJ9bvpWLciCakI=");
	assert_int_equal(sig_standard_webhooks_verify(
	    "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", SW_ID, SW_TS, sig, body, len,
	    SW_TS_NUM), SIG_OK);
	free(sig);
	/* whsec_ with and without base64 padding is the same key. */
	memset(key, 0x42, sizeof key);
	b64 = sig_base64_encode(key, sizeof key);
	assert_int_equal(strlen(b64), 44);
	assert_int_equal(b64[43], '=');
	assert_true(asprintf(&secret, "whsec_%s", b64) > 0);
	sig = sig_standard_webhooks_sign(secret, SW_ID, SW_TS_NUM, body, len);
	secret[strlen(secret) - 1] = '\0';
	assert_int_equal(sig_standard_webhooks_verify(secret, SW_ID, SW_TS,
	    sig, body, len, SW_TS_NUM), SIG_OK);
	free(sig);
	free(secret);
	free(b64);
	/* And with two padding characters missing (a 31-byte key). */
	b64 = sig_base64_encode(key, 31);
	assert_string_equal(b64 + 40, "Qg==");
	assert_true(asprintf(&secret, "whsec_%s", b64) > 0);
	sig = sig_standard_webhooks_sign(secret, SW_ID, SW_TS_NUM, body, len);
	secret[strlen(secret) - 2] = '\0';
	assert_int_equal(sig_standard_webhooks_verify(secret, SW_ID, SW_TS,
	    sig, body, len, SW_TS_NUM), SIG_OK);
	free(sig);
	free(secret);
	free(b64);
	/* Unusable secrets: no signature, and nothing verifies. */
	assert_null(sig_standard_webhooks_sign("whsec_not*base64", SW_ID,
	    SW_TS_NUM, body, len));
	assert_null(sig_standard_webhooks_sign("whsec_", SW_ID, SW_TS_NUM,
	    body, len));
	assert_null(sig_standard_webhooks_sign("", SW_ID, SW_TS_NUM, body,
	    len));
	assert_null(sig_standard_webhooks_sign(NULL, SW_ID, SW_TS_NUM, body,
	    len));
	assert_int_equal(sig_standard_webhooks_verify("whsec_not*base64", SW_ID,
	    SW_TS, SW_SIG, body, len, SW_TS_NUM), SIG_BAD);
	assert_int_equal(sig_standard_webhooks_verify(NULL, SW_ID, SW_TS,
	    SW_SIG, body, len, SW_TS_NUM), SIG_BAD);
}

static void
test_standard_webhooks_clock_and_headers(void **state)
{
	const char	*body = SW_BODY;
	size_t		 len = strlen(body);

	(void)state;
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    SW_SIG, body, len, SW_TS_NUM + 300), SIG_OK);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    SW_SIG, body, len, SW_TS_NUM + 301), SIG_STALE);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    SW_SIG, body, len, SW_TS_NUM - 300), SIG_OK);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    SW_SIG, body, len, SW_TS_NUM - 301), SIG_STALE);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, NULL, SW_TS,
	    SW_SIG, body, len, SW_TS_NUM), SIG_MISSING);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, "",
	    SW_SIG, body, len, SW_TS_NUM), SIG_MISSING);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    NULL, body, len, SW_TS_NUM), SIG_MISSING);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID,
	    "1614265330.0", SW_SIG, body, len, SW_TS_NUM), SIG_MALFORMED);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    "garbage", body, len, SW_TS_NUM), SIG_MALFORMED);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    "v1,", body, len, SW_TS_NUM), SIG_MALFORMED);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    "v1,not-base64", body, len, SW_TS_NUM), SIG_MALFORMED);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, SW_TS,
	    "   ", body, len, SW_TS_NUM), SIG_MALFORMED);
}

static void
test_clock_extremes(void **state)
{
	const char	*body = SW_BODY;
	size_t		 len = strlen(body);
	char		*sig;

	(void)state;
	/* now - ts would wrap around to 101 s: must still be stale. */
	sig = sig_standard_webhooks_sign(SW_SECRET, SW_ID, INT64_MAX, body,
	    len);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID,
	    "9223372036854775807", sig, body, len, INT64_MAX), SIG_OK);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID,
	    "9223372036854775807", sig, body, len, INT64_MIN + 100),
	    SIG_STALE);
	/* One more and the timestamp no longer fits: malformed. */
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID,
	    "9223372036854775808", sig, body, len, INT64_MAX), SIG_MALFORMED);
	free(sig);
	sig = sig_standard_webhooks_sign(SW_SECRET, SW_ID, 0, body, len);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID, "0",
	    sig, body, len, 300), SIG_OK);
	assert_int_equal(sig_standard_webhooks_verify(SW_SECRET, SW_ID,
	    "0000", sig, body, len, 300), SIG_BAD);
	free(sig);
}

static void
test_base64(void **state)
{
	static const struct {
		const char	*plain;
		const char	*b64;
	} rfc4648[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const char *const bad[] = {
		"Zg=", "Zg", "Z===", "====", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n",
		"Zm=v", "=Zm9", "-_==", "Zm9v====", "Zg==Zg==",
	};
	unsigned char	*out, bin[3] = { 0xfb, 0xff, 0xbf };
	size_t		 outlen, i;
	char		*s;

	(void)state;
	for (i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
		s = sig_base64_encode((const unsigned char *)rfc4648[i].plain,
		    strlen(rfc4648[i].plain));
		assert_string_equal(s, rfc4648[i].b64);
		free(s);
		assert_int_equal(sig_base64_decode(rfc4648[i].b64, &out,
		    &outlen), 0);
		assert_int_equal(outlen, strlen(rfc4648[i].plain));
		assert_memory_equal(out, rfc4648[i].plain, outlen);
		free(out);
	}
	/* The last two letters of the alphabet. */
	s = sig_base64_encode(bin, 3);
	assert_string_equal(s, "+/+/");
	assert_int_equal(sig_base64_decode(s, &out, &outlen), 0);
	assert_int_equal(outlen, 3);
	assert_memory_equal(out, bin, 3);
	free(out);
	free(s);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		out = (unsigned char *)"sentinel";
		assert_int_equal(sig_base64_decode(bad[i], &out, &outlen), -1);
		assert_null(out);
	}
	assert_int_equal(sig_base64_decode(NULL, &out, &outlen), -1);
}

static void
test_hex(void **state)
{
	unsigned char	 buf[4], bin[4] = { 0x00, 0x9f, 0xa0, 0xff };
	char		*s;

	(void)state;
	s = sig_hex_encode(bin, 4);
	assert_string_equal(s, "009fa0ff");
	free(s);
	assert_int_equal(sig_hex_decode("009fA0fF", buf, 4), 0);
	assert_memory_equal(buf, bin, 4);
	assert_int_equal(sig_hex_decode("009fa0f", buf, 4), -1);
	assert_int_equal(sig_hex_decode("009fa0ff0", buf, 4), -1);
	assert_int_equal(sig_hex_decode("009fa0fg", buf, 4), -1);
	assert_int_equal(sig_hex_decode(" 09fa0ff", buf, 4), -1);
	assert_int_equal(sig_hex_decode(NULL, buf, 4), -1);
	assert_int_equal(sig_hex_decode("", buf, 0), 0);
	s = sig_hex_encode(bin, 0);
	assert_string_equal(s, "");
	free(s);
}

static void
test_equal_and_reasons(void **state)
{
	(void)state;
	assert_int_equal(sig_equal("abcd", "abcd", 4), 1);
	assert_int_equal(sig_equal("abcd", "abce", 4), 0);
	assert_int_equal(sig_equal("xbcd", "abcd", 4), 0);
	assert_int_equal(sig_equal("a", "b", 0), 1);
	assert_string_equal(sig_result_reason(SIG_OK), "valid signature");
	assert_string_equal(sig_result_reason(SIG_MISSING),
	    "missing signature");
	assert_string_equal(sig_result_reason(SIG_MALFORMED),
	    "malformed signature");
	assert_string_equal(sig_result_reason(SIG_BAD), "bad signature");
	assert_string_equal(sig_result_reason(SIG_STALE), "stale timestamp");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_slack_vector),
		cmocka_unit_test(test_slack_clock),
		cmocka_unit_test(test_slack_headers),
		cmocka_unit_test(test_teams_vector),
		cmocka_unit_test(test_teams_headers),
		cmocka_unit_test(test_ed25519_rfc8032),
		cmocka_unit_test(test_discord_vector),
		cmocka_unit_test(test_discord_clock_and_headers),
		cmocka_unit_test(test_standard_webhooks_vector),
		cmocka_unit_test(test_standard_webhooks_secrets),
		cmocka_unit_test(test_standard_webhooks_clock_and_headers),
		cmocka_unit_test(test_clock_extremes),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_equal_and_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
