/* SPDX-License-Identifier: ISC */
/*
 * The signature headers of Slack (v0 HMAC-SHA256 over "v0:ts:body"), Teams
 * outgoing webhooks (HMAC-SHA256 of the body under the base64 secret) and
 * Discord interactions (Ed25519 over ts and body), as the platforms send
 * them, for tests that play the platform.
 */
#include "signed.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sig.h"

/* X-Slack-Request-Timestamp and X-Slack-Signature for body at ts. */
void
signed_slack(const char *secret, int64_t ts, const char *body,
    char *headers[2])
{
	unsigned char mac[32];
	char *base = harness_format("v0:%lld:%s", (long long)ts, body), *hex;

	sig_hmac_sha256(secret, strlen(secret), base, strlen(base), mac);
	hex = sig_hex_encode(mac, sizeof mac);
	headers[0] = harness_format("X-Slack-Request-Timestamp: %lld",
	    (long long)ts);
	headers[1] = harness_format("X-Slack-Signature: v0=%s", hex);
	free(base);
	free(hex);
}

/* POST body of type to 127.0.0.1:port at path, signed with secret at ts. */
int
signed_slack_post(int port, const char *secret, int64_t ts, const char *path,
    const char *type, const char *body, char **out)
{
	char **h = harness_slack_headers(secret, (long long)ts, type, body);
	int status = harness_http_post(port, path, (const char *const *)h,
	    body, strlen(body), out);

	harness_headers_free(h);
	return status;
}

/* Authorization: HMAC <base64 HMAC-SHA256 of body under the decoded secret>. */
char *
signed_teams(const char *secret, const char *body)
{
	unsigned char *key, mac[32];
	size_t keylen;
	char *b64, *auth;

	assert_int_equal(sig_base64_decode(secret, &key, &keylen), 0);
	sig_hmac_sha256(key, keylen, body, strlen(body), mac);
	b64 = sig_base64_encode(mac, sizeof mac);
	auth = harness_format("Authorization: HMAC %s", b64);
	free(key);
	free(b64);
	return auth;
}

/* X-Signature-Ed25519 and X-Signature-Timestamp for body at ts. */
void
signed_discord(EVP_PKEY *key, int64_t ts, const char *body, char *headers[2])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char *msg = harness_format("%lld%s", (long long)ts, body), *hex;
	unsigned char sig[64];
	size_t len = sizeof sig;

	if (EVP_DigestSignInit(md, NULL, NULL, NULL, key) != 1 ||
	    EVP_DigestSign(md, sig, &len, (unsigned char *)msg, strlen(msg)) != 1)
		fail_msg("could not sign");
	hex = sig_hex_encode(sig, len);
	headers[0] = harness_format("X-Signature-Ed25519: %s", hex);
	headers[1] = harness_format("X-Signature-Timestamp: %lld",
	    (long long)ts);
	EVP_MD_CTX_free(md);
	free(msg);
	free(hex);
}
