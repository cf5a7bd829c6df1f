/* SPDX-License-Identifier: ISC */
/*
 * Signatures on OpenSSL libcrypto: HMAC-SHA256 and Ed25519, strict base64
 * and hex, signed timestamps, and Standard Webhooks signing. Each chat
 * platform's own scheme is in its file under chat/, built on these.
 * Verifiers decode what they were given to raw bytes and compare bytes in
 * constant time; they check the signature first and the clock second.
 */
#include "sig.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "log.h"
#include "xmalloc.h"

/* One piece of a message signed in several parts. */
struct sig_part {
	const void	*p;
	size_t		 len;
};

static void	sig_hmac_parts(const void *, size_t, const struct sig_part *,
		    size_t, unsigned char [32]);
static int	sig_b64_value(unsigned char);
static int	sig_hex_value(unsigned char);
static int	sig_empty(const char *);
static int	sig_webhooks_key(const char *, unsigned char **, size_t *);
static enum sig_result sig_webhooks_match(const unsigned char [32],
		    const char *);

static const char sig_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/*
 * HMAC-SHA256 of the concatenation of parts, without copying them together.
 * HMAC is fetched from libcrypto once: every signed answer is checked here.
 */
static void
sig_hmac_parts(const void *key, size_t keylen, const struct sig_part *parts,
    size_t nparts, unsigned char out[32])
{
	static const unsigned char	 empty[1];
	static EVP_MAC	*mac;
	EVP_MAC_CTX	*ctx;
	OSSL_PARAM	 params[2];
	char		 digest[] = "SHA256";
	size_t		 outlen = 0, i;
	int		 ok;

	if (mac == NULL)
		mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (mac == NULL || (ctx = EVP_MAC_CTX_new(mac)) == NULL)
		fatalx("HMAC-SHA256 is not available in libcrypto");
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	/* A NULL key means "keep the old key" to OpenSSL: pass a real one. */
	ok = EVP_MAC_init(ctx, keylen != 0 ? key : empty, keylen, params);
	for (i = 0; ok && i < nparts; i++) {
		if (parts[i].len != 0)
			ok = EVP_MAC_update(ctx, parts[i].p, parts[i].len);
	}
	if (ok)
		ok = EVP_MAC_final(ctx, out, &outlen, 32);
	EVP_MAC_CTX_free(ctx);
	if (!ok || outlen != 32)
		fatalx("HMAC-SHA256 failed in libcrypto");
}

/* HMAC-SHA256 of one message. */
void
sig_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t len,
    unsigned char out[32])
{
	struct sig_part	 part = { msg, len };

	sig_hmac_parts(key, keylen, &part, 1, out);
}

/* Verify a pure Ed25519 signature with a raw 32-byte public key. */
int
sig_ed25519_verify(const unsigned char pub[32], const unsigned char sig[64],
    const void *msg, size_t len)
{
	static const unsigned char	 empty[1];
	EVP_PKEY	*pkey;
	EVP_MD_CTX	*ctx;
	int		 ok = 0;

	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
	if (pkey == NULL)
		return 0;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatalx("EVP_MD_CTX_new: out of memory");
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1)
		ok = EVP_DigestVerify(ctx, sig, 64, len != 0 ? msg : empty,
		    len) == 1;
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ok;
}

/* Standard base64 with padding. */
char *
sig_base64_encode(const unsigned char *buf, size_t len)
{
	char	*out, *o;
	size_t	 i;
	uint32_t v;

	out = o = xmalloc((len + 2) / 3 * 4 + 1);
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)buf[i] << 16 | (uint32_t)buf[i + 1] << 8 |
		    buf[i + 2];
		*o++ = sig_b64_alphabet[v >> 18 & 63];
		*o++ = sig_b64_alphabet[v >> 12 & 63];
		*o++ = sig_b64_alphabet[v >> 6 & 63];
		*o++ = sig_b64_alphabet[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)buf[i] << 16;
		*o++ = sig_b64_alphabet[v >> 18 & 63];
		*o++ = sig_b64_alphabet[v >> 12 & 63];
		*o++ = '=';
		*o++ = '=';
	} else if (len - i == 2) {
		v = (uint32_t)buf[i] << 16 | (uint32_t)buf[i + 1] << 8;
		*o++ = sig_b64_alphabet[v >> 18 & 63];
		*o++ = sig_b64_alphabet[v >> 12 & 63];
		*o++ = sig_b64_alphabet[v >> 6 & 63];
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* The 6-bit value of a base64 character, or -1. */
static int
sig_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode strict, padded, canonical base64. */
int
sig_base64_decode(const char *s, unsigned char **out, size_t *outlen)
{
	unsigned char	*buf;
	size_t		 n, i, o = 0, pad = 0, j;
	int		 v[4] = { 0, 0, 0, 0 };
	uint32_t	 w;

	*out = NULL;
	*outlen = 0;
	if (s == NULL)
		return -1;
	n = strlen(s);
	if (n % 4 != 0)
		return -1;
	if (n != 0 && s[n - 1] == '=') {
		pad = 1;
		if (s[n - 2] == '=')
			pad = 2;
	}
	buf = xmalloc(n / 4 * 3 + 1);
	for (i = 0; i < n; i += 4) {
		for (j = 0; j < 4; j++) {
			if (i + 4 == n && j >= 4 - pad)
				v[j] = 0;
			else if ((v[j] = sig_b64_value(
			    (unsigned char)s[i + j])) < 0)
				goto fail;
		}
		w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		buf[o++] = w >> 16 & 0xff;
		if (i + 4 < n || pad < 2)
			buf[o++] = w >> 8 & 0xff;
		if (i + 4 < n || pad < 1)
			buf[o++] = w & 0xff;
	}
	/* Bits past the last byte must be zero, or two strings decode alike. */
	if ((pad == 2 && (v[1] & 0x0f) != 0) ||
	    (pad == 1 && (v[2] & 0x03) != 0))
		goto fail;
	*out = buf;
	*outlen = o;
	return 0;

fail:
	free(buf);
	return -1;
}

/* Lowercase hex. */
char *
sig_hex_encode(const unsigned char *buf, size_t len)
{
	static const char	 digits[] = "0123456789abcdef";
	char			*out;
	size_t			 i;

	out = xmalloc(len * 2 + 1);
	for (i = 0; i < len; i++) {
		out[i * 2] = digits[buf[i] >> 4];
		out[i * 2 + 1] = digits[buf[i] & 15];
	}
	out[len * 2] = '\0';
	return out;
}

/* The value of a hex digit, or -1. */
static int
sig_hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode exactly outlen bytes of hex. */
int
sig_hex_decode(const char *s, unsigned char *out, size_t outlen)
{
	size_t	 i;
	int	 hi, lo;

	if (s == NULL || strlen(s) != outlen * 2)
		return -1;
	for (i = 0; i < outlen; i++) {
		hi = sig_hex_value((unsigned char)s[i * 2]);
		lo = sig_hex_value((unsigned char)s[i * 2 + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* Compare two buffers in time that depends only on their length. */
int
sig_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

/* Whether a bearer token is the configured secret, comparing the bytes in constant time. */
int
sig_token_equal(const char *got, const char *want)
{
	size_t len = strlen(want);

	return strlen(got) == len && sig_equal(got, want, len);
}

/* Parse Unix seconds made of ASCII digits only; -1 on anything else. */
int
sig_parse_timestamp(const char *s, int64_t *ts)
{
	int64_t	 v = 0;
	int	 d;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		d = *s - '0';
		if (v > (INT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*ts = v;
	return 0;
}

/* True when ts is within SIG_TOLERANCE seconds of now, either way. */
int
sig_fresh(int64_t ts, int64_t now)
{
	int64_t	 d;

	if (__builtin_sub_overflow(now, ts, &d))
		return 0;
	return d >= -SIG_TOLERANCE && d <= SIG_TOLERANCE;
}

/* True for an absent or empty header value. */
static int
sig_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* The HMAC key of a Standard Webhooks secret; -1 when unusable. */
static int
sig_webhooks_key(const char *secret, unsigned char **key, size_t *keylen)
{
	char	*padded;
	size_t	 n;
	int	 rv;

	*key = NULL;
	*keylen = 0;
	if (sig_empty(secret))
		return -1;
	if (strncmp(secret, "whsec_", 6) != 0) {
		*keylen = strlen(secret);
		*key = xmalloc(*keylen);
		memcpy(*key, secret, *keylen);
		return 0;
	}
	/* The official libraries accept the base64 part without padding. */
	n = strlen(secret + 6);
	xasprintf(&padded, "%s%s", secret + 6, n % 4 == 2 ? "==" :
	    n % 4 == 3 ? "=" : "");
	rv = sig_base64_decode(padded, key, keylen);
	OPENSSL_cleanse(padded, strlen(padded));
	free(padded);
	if (rv == 0 && *keylen == 0) {
		free(*key);
		*key = NULL;
		rv = -1;
	}
	return rv;
}

/* How long the key of a "whsec_" secret is, for checking a config. */
long
sig_standard_webhooks_key_bytes(const char *secret)
{
	unsigned char	*key;
	size_t		 keylen;

	if (secret == NULL || strncmp(secret, "whsec_", 6) != 0 ||
	    sig_webhooks_key(secret, &key, &keylen) == -1)
		return -1;
	OPENSSL_cleanse(key, keylen);
	free(key);
	return (long)keylen;
}

/* Sign a Standard Webhooks message: "v1,<base64>". */
char *
sig_standard_webhooks_sign(const char *secret, const char *msg_id,
    int64_t timestamp, const void *body, size_t len)
{
	unsigned char	 mac[32], *key;
	struct sig_part	 parts[5];
	size_t		 keylen;
	char		 ts[24], *b64, *out;

	if (sig_webhooks_key(secret, &key, &keylen) == -1)
		return NULL;
	if (msg_id == NULL)
		msg_id = "";
	snprintf(ts, sizeof ts, "%" PRId64, timestamp);
	parts[0] = (struct sig_part){ msg_id, strlen(msg_id) };
	parts[1] = (struct sig_part){ ".", 1 };
	parts[2] = (struct sig_part){ ts, strlen(ts) };
	parts[3] = (struct sig_part){ ".", 1 };
	parts[4] = (struct sig_part){ body, len };
	sig_hmac_parts(key, keylen, parts, 5, mac);
	OPENSSL_cleanse(key, keylen);
	free(key);
	b64 = sig_base64_encode(mac, sizeof mac);
	xasprintf(&out, "v1,%s", b64);
	free(b64);
	return out;
}

/*
 * Look for want among the entries of a webhook-signature header: SIG_OK on a
 * match, SIG_BAD when there were usable entries but none matched, and
 * SIG_MALFORMED when no entry had the "version,signature" shape at all.
 */
static enum sig_result
sig_webhooks_match(const unsigned char want[32], const char *signatures)
{
	const char	*p = signatures, *comma;
	unsigned char	*got;
	size_t		 n, gotlen;
	char		*b64;
	int		 shaped = 0, matched = 0;

	for (;; p += n) {
		p += strspn(p, " ");
		if ((n = strcspn(p, " ")) == 0)
			break;
		comma = memchr(p, ',', n);
		if (comma == NULL || comma == p || comma + 1 == p + n)
			continue;
		if (comma - p != 2 || strncmp(p, "v1", 2) != 0) {
			shaped = 1;	/* another scheme, e.g. v1a */
			continue;
		}
		b64 = xstrndup(comma + 1, n - 3);
		if (sig_base64_decode(b64, &got, &gotlen) == 0) {
			/* Every entry is compared: no early exit. */
			if (gotlen == 32) {
				shaped = 1;
				matched |= sig_equal(want, got, 32);
			}
			free(got);
		}
		free(b64);
	}
	if (matched)
		return SIG_OK;
	return shaped ? SIG_BAD : SIG_MALFORMED;
}

/* Verify a Standard Webhooks request. */
enum sig_result
sig_standard_webhooks_verify(const char *secret, const char *msg_id,
    const char *timestamp, const char *signatures, const void *body,
    size_t len, int64_t now)
{
	unsigned char	 want[32], *key;
	struct sig_part	 parts[5];
	size_t		 keylen;
	int64_t		 ts;
	enum sig_result	 rv;

	if (sig_empty(msg_id) || sig_empty(timestamp) || sig_empty(signatures))
		return SIG_MISSING;
	if (sig_parse_timestamp(timestamp, &ts) == -1)
		return SIG_MALFORMED;
	if (sig_webhooks_key(secret, &key, &keylen) == -1)
		return SIG_BAD;
	parts[0] = (struct sig_part){ msg_id, strlen(msg_id) };
	parts[1] = (struct sig_part){ ".", 1 };
	parts[2] = (struct sig_part){ timestamp, strlen(timestamp) };
	parts[3] = (struct sig_part){ ".", 1 };
	parts[4] = (struct sig_part){ body, len };
	sig_hmac_parts(key, keylen, parts, 5, want);
	OPENSSL_cleanse(key, keylen);
	free(key);
	rv = sig_webhooks_match(want, signatures);
	if (rv != SIG_OK)
		return rv;
	return sig_fresh(ts, now) ? SIG_OK : SIG_STALE;
}

/* A short reason for logs and 401 bodies; never names a secret. */
const char *
sig_result_reason(enum sig_result r)
{
	switch (r) {
	case SIG_OK:
		return "valid signature";
	case SIG_MISSING:
		return "missing signature";
	case SIG_MALFORMED:
		return "malformed signature";
	case SIG_BAD:
		return "bad signature";
	case SIG_STALE:
		return "stale timestamp";
	}
	return "unknown signature result";
}
