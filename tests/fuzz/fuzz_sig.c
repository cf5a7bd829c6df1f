/* SPDX-License-Identifier: ISC */
/*
 * Signatures: the verifiers of Slack, Teams, Discord and Standard Webhooks
 * on fuzzed secrets, headers and bodies. The input is NUL-separated fields:
 * secret (or Discord public key), timestamp, signature header, message id,
 * then the body (the rest). Checks:
 *  - no verifier ever says SIG_OK unless the header carries the signature
 *    computed here from the same secret, timestamp and body;
 *  - Slack's verdict matches the documented contract exactly (missing,
 *    malformed, bad, stale, ok);
 *  - a request signed here with the fuzzed secret (and, for Discord, a key
 *    derived from it) verifies, and turns stale outside the window;
 *  - base64 and hex decoding are strict: what decodes encodes back to the
 *    very same text.
 */
#include "fuzz.h"

#include <ctype.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "chat/chat_int.h"
#include "sig.h"

#define FUZZ_SIG_MAX_LEN	8192
#define FUZZ_SIG_NOW		1774742400	/* used when the timestamp is not a number */

/* The fields of one input. */
struct fuzz_sig_input {
	char		*secret;
	char		*ts;
	char		*header;
	char		*msg_id;
	char		*body;
	size_t		 len;
	int64_t		 now;	/* the timestamp's value when it has one */
	int		 ts_ok;	/* the timestamp is ASCII digits, no overflow */
};

static void	fuzz_sig_codecs(const char *);
static char	*fuzz_sig_concat(const char *, const char *, const char *,
		    const char *, size_t, size_t *);
static void	fuzz_sig_slack(const struct fuzz_sig_input *);
static void	fuzz_sig_teams(const struct fuzz_sig_input *);
static void	fuzz_sig_discord(const struct fuzz_sig_input *);
static void	fuzz_sig_webhooks(const struct fuzz_sig_input *);

/* Nothing to set up. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Strict codecs: whatever decodes must encode back to the same text. */
static void
fuzz_sig_codecs(const char *s)
{
	unsigned char *raw, hex[64];
	size_t n, len = strlen(s);
	char *again, lower[129];

	if (sig_base64_decode(s, &raw, &n) == 0) {
		again = sig_base64_encode(raw, n);
		if (strcmp(again, s) != 0)
			fuzz_fail("base64 \"%s\" decodes to %zu bytes that encode "
			    "as \"%s\"", s, n, again);
		free(again);
		free(raw);
	} else if (raw != NULL)
		fuzz_fail("base64 \"%s\" refused but left a buffer", s);
	if (len % 2 != 0 || len > 128)
		return;
	if (sig_hex_decode(s, hex, len / 2) == 0) {
		for (size_t i = 0; i <= len; i++)
			lower[i] = (char)tolower((unsigned char)s[i]);
		again = sig_hex_encode(hex, len / 2);
		if (strcmp(again, lower) != 0)
			fuzz_fail("hex \"%s\" decodes to bytes that encode as "
			    "\"%s\"", s, again);
		free(again);
	}
}

/* a b c then len bytes of d, concatenated, in a new buffer of *out bytes. */
static char *
fuzz_sig_concat(const char *a, const char *b, const char *c, const char *d,
    size_t len, size_t *out)
{
	size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
	char *buf = malloc(na + nb + nc + len + 1);

	if (buf == NULL)
		abort();
	memcpy(buf, a, na);
	memcpy(buf + na, b, nb);
	memcpy(buf + na + nb, c, nc);
	if (len != 0)
		memcpy(buf + na + nb + nc, d, len);
	*out = na + nb + nc + len;
	return buf;
}

/* Slack v0: the verdict against the contract, then a request signed here. */
static void
fuzz_sig_slack(const struct fuzz_sig_input *in)
{
	unsigned char mac[32], got[32];
	enum sig_result r, want;
	size_t n;
	char *msg, *hex, *header;
	int64_t d;

	msg = fuzz_sig_concat("v0:", in->ts, ":", in->body, in->len, &n);
	sig_hmac_sha256(in->secret, strlen(in->secret), msg, n, mac);
	free(msg);
	hex = sig_hex_encode(mac, sizeof mac);
	if (*in->ts == '\0' || *in->header == '\0')
		want = SIG_MISSING;
	else if (!in->ts_ok || strncmp(in->header, "v0=", 3) != 0 ||
	    sig_hex_decode(in->header + 3, got, sizeof got) != 0)
		want = SIG_MALFORMED;
	else if (*in->secret == '\0' || memcmp(got, mac, sizeof mac) != 0)
		want = SIG_BAD;
	else {
		d = FUZZ_SIG_NOW - in->now;
		want = d >= -SIG_TOLERANCE && d <= SIG_TOLERANCE ? SIG_OK :
		    SIG_STALE;
	}
	r = slack_in_signature(in->secret, in->ts, in->header, in->body, in->len,
	    FUZZ_SIG_NOW);
	if (r != want)
		fuzz_fail("slack: \"%s\" at %s says %s, not %s", in->header,
		    in->ts, sig_result_reason(r), sig_result_reason(want));
	if (in->ts_ok && *in->secret != '\0') {
		header = fuzz_sig_concat("v0=", hex, "", "", 0, &n);
		header[n] = '\0';
		if ((r = slack_in_signature(in->secret, in->ts, header, in->body,
		    in->len, in->now)) != SIG_OK)
			fuzz_fail("slack: a request signed here says %s",
			    sig_result_reason(r));
		if (in->now < INT64_MAX - SIG_TOLERANCE &&
		    slack_in_signature(in->secret, in->ts, header, in->body,
		    in->len, in->now + SIG_TOLERANCE + 1) != SIG_STALE)
			fuzz_fail("slack: a late request is not stale");
		free(header);
	}
	free(hex);
}

/* Teams: an Authorization header passes only with the right MAC; one built here passes. */
static void
fuzz_sig_teams(const struct fuzz_sig_input *in)
{
	unsigned char mac[32], *key = NULL;
	size_t keylen = 0, n;
	enum sig_result r;
	char *b64 = NULL, *header;

	if (sig_base64_decode(in->secret, &key, &keylen) == 0 && keylen > 0) {
		sig_hmac_sha256(key, keylen, in->body, in->len, mac);
		b64 = sig_base64_encode(mac, sizeof mac);
	}
	r = teams_signature(in->secret, in->header, in->body, in->len);
	if (r == SIG_OK && (b64 == NULL || strstr(in->header, b64) == NULL))
		fuzz_fail("teams: \"%s\" passes without the MAC", in->header);
	if (b64 != NULL) {
		header = fuzz_sig_concat("hmac\t", b64, "  ", "", 0, &n);
		header[n] = '\0';
		if ((r = teams_signature(in->secret, header, in->body,
		    in->len)) != SIG_OK)
			fuzz_fail("teams: a request signed here says %s",
			    sig_result_reason(r));
		free(header);
	}
	free(b64);
	free(key);
}

/* Discord: Ed25519 with a key derived from the secret; a flipped bit fails. */
static void
fuzz_sig_discord(const struct fuzz_sig_input *in)
{
	unsigned char seed[32], pub[32], sig[64];
	size_t publen = sizeof pub, siglen = sizeof sig, n;
	char *msg, *pubhex, *sighex;
	EVP_PKEY *pkey;
	EVP_MD_CTX *ctx;
	enum sig_result r;

	/* Whatever the fuzzed key and signature, only a real signature passes. */
	r = discord_signature(in->secret, in->ts, in->header, in->body,
	    in->len, FUZZ_SIG_NOW);
	if (r == SIG_OK || r == SIG_STALE) {
		unsigned char k[32], s[64];

		msg = fuzz_sig_concat(in->ts, "", "", in->body, in->len, &n);
		if (sig_hex_decode(in->secret, k, sizeof k) != 0 ||
		    sig_hex_decode(in->header, s, sizeof s) != 0 ||
		    !sig_ed25519_verify(k, s, msg, n))
			fuzz_fail("discord: a signature passes that does not "
			    "verify");
		free(msg);
	}
	if (!in->ts_ok)
		return;
	SHA256((const unsigned char *)in->secret, strlen(in->secret), seed);
	if ((pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    sizeof seed)) == NULL || EVP_PKEY_get_raw_public_key(pkey, pub,
	    &publen) != 1 || (ctx = EVP_MD_CTX_new()) == NULL)
		fuzz_fail("discord: cannot make a key");
	msg = fuzz_sig_concat(in->ts, "", "", in->body, in->len, &n);
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)msg, n) != 1)
		fuzz_fail("discord: cannot sign");
	pubhex = sig_hex_encode(pub, sizeof pub);
	sighex = sig_hex_encode(sig, sizeof sig);
	if ((r = discord_signature(pubhex, in->ts, sighex, in->body, in->len,
	    in->now)) != SIG_OK)
		fuzz_fail("discord: a request signed here says %s",
		    sig_result_reason(r));
	sighex[n % 128] ^= sighex[n % 128] == '0' ? 1 : 2;	/* '0'<->'1', ... */
	if ((r = discord_signature(pubhex, in->ts, sighex, in->body, in->len,
	    in->now)) != SIG_BAD && r != SIG_MALFORMED)
		fuzz_fail("discord: a changed signature says %s",
		    sig_result_reason(r));
	free(sighex);
	free(pubhex);
	free(msg);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
}

/* Standard Webhooks: only the right v1 entry passes; one signed here passes among others. */
static void
fuzz_sig_webhooks(const struct fuzz_sig_input *in)
{
	char *good, *header, ts[24];
	enum sig_result r;
	size_t n;

	snprintf(ts, sizeof ts, "%" PRId64, in->now);
	good = sig_standard_webhooks_sign(in->secret, in->msg_id, in->now,
	    in->body, in->len);
	r = sig_standard_webhooks_verify(in->secret, in->msg_id, in->ts,
	    in->header, in->body, in->len, FUZZ_SIG_NOW);
	if ((r == SIG_OK || r == SIG_STALE) && (good == NULL ||
	    strcmp(ts, in->ts) != 0 || strstr(in->header, good + 3) == NULL))
		fuzz_fail("webhooks: \"%s\" passes without the signature",
		    in->header);
	if (good != NULL && *in->msg_id != '\0' && in->ts_ok) {
		header = fuzz_sig_concat("v1a,AAAA v1,Zm9v ", good, " v2,x", "",
		    0, &n);
		header[n] = '\0';
		if ((r = sig_standard_webhooks_verify(in->secret, in->msg_id, ts,
		    header, in->body, in->len, in->now)) != SIG_OK)
			fuzz_fail("webhooks: a request signed here says %s",
			    sig_result_reason(r));
		free(header);
	}
	free(good);
}

/* One input: secret, timestamp, header, message id, body. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_sig_input in = { 0 };
	const char *p;

	if (size > FUZZ_SIG_MAX_LEN)
		return 0;
	in.secret = fuzz_field(&data, &size);
	in.ts = fuzz_field(&data, &size);
	in.header = fuzz_field(&data, &size);
	in.msg_id = fuzz_field(&data, &size);
	in.body = fuzz_string(data, size);
	in.len = size;
	in.ts_ok = *in.ts != '\0';
	for (p = in.ts; *p != '\0' && in.ts_ok; p++) {
		if (*p < '0' || *p > '9' || in.now > (INT64_MAX - (*p - '0')) / 10)
			in.ts_ok = 0;
		else
			in.now = in.now * 10 + (*p - '0');
	}
	if (!in.ts_ok)
		in.now = FUZZ_SIG_NOW;
	fuzz_sig_codecs(in.secret);
	fuzz_sig_codecs(in.header);
	fuzz_sig_slack(&in);
	fuzz_sig_teams(&in);
	fuzz_sig_discord(&in);
	fuzz_sig_webhooks(&in);
	free(in.secret);
	free(in.ts);
	free(in.header);
	free(in.msg_id);
	free(in.body);
	return 0;
}
