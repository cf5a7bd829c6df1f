/* SPDX-License-Identifier: ISC */
/*
 * Signatures: HMAC-SHA256 and Ed25519 on OpenSSL, the encodings they travel
 * in, signed timestamps and Standard Webhooks. Every comparison is
 * constant time; nothing here logs, so no secret can reach a log.
 */
#ifndef NUDGED_SIG_H
#define NUDGED_SIG_H

#include <stddef.h>
#include <stdint.h>

/* How far a signed timestamp may be from now, either way, in seconds. */
#define SIG_TOLERANCE 300

void	 sig_hmac_sha256(const void *key, size_t keylen, const void *msg,
	    size_t len, unsigned char out[32]);
/* Ed25519 (RFC 8032, pure): 1 when sig is valid for msg under pub, else 0. */
int	 sig_ed25519_verify(const unsigned char pub[32],
	    const unsigned char sig[64], const void *msg, size_t len);

/* Standard alphabet, padded. */
char	*sig_base64_encode(const unsigned char *buf, size_t len);
/*
 * Strict: length a multiple of 4, padding only at the end, no whitespace, no
 * stray bits in the last group. Returns 0 with an allocated *out (free it),
 * or -1 on invalid input.
 */
int	 sig_base64_decode(const char *s, unsigned char **out, size_t *outlen);
/* Lowercase. */
char	*sig_hex_encode(const unsigned char *buf, size_t len);
/* Exactly 2 * outlen hex digits (either case), else -1. */
int	 sig_hex_decode(const char *s, unsigned char *out, size_t outlen);
/* Constant time (CRYPTO_memcmp); 1 when equal. */
int	 sig_equal(const void *a, const void *b, size_t len);
/* Whether a presented token is the configured one (its bytes in constant time); 1 when equal. */
int	 sig_token_equal(const char *got, const char *want);

enum sig_result {
	SIG_OK = 0,
	SIG_MISSING,		/* a signature or timestamp header is absent */
	SIG_MALFORMED,		/* present but not of the scheme's shape */
	SIG_BAD,		/* no match (or no usable secret is set) */
	SIG_STALE,		/* authentic, but the timestamp is too far */
};

/*
 * Verifiers (here and each platform's under chat/) check the signature
 * before the clock, so SIG_STALE is only ever said of an authentic request
 * (clock skew or a replay), never of a forgery. A NULL or unusable secret or
 * key gives SIG_BAD: fail closed.
 */

/* Unix seconds made of ASCII digits only, into *ts; -1 on anything else. */
int	 sig_parse_timestamp(const char *s, int64_t *ts);
/* Whether ts is within SIG_TOLERANCE seconds of now, either way. */
int	 sig_fresh(int64_t ts, int64_t now);

/*
 * Standard Webhooks: "v1,<base64 HMAC-SHA256 of MSGID.TIMESTAMP.BODY>". A
 * "whsec_" secret's base64 part is the key (unpadded base64 accepted, as the
 * official libraries do); any other secret's bytes are the key as they are.
 * NULL when the secret is empty or its whsec_ part is not base64.
 */
char	*sig_standard_webhooks_sign(const char *secret, const char *msg_id,
	    int64_t timestamp, const void *body, size_t len);
/* The bytes of a "whsec_" secret's key; -1 when not that form or not base64. */
long	 sig_standard_webhooks_key_bytes(const char *secret);
/* A webhook-signature header: space-separated entries, any v1 match passes. */
enum sig_result sig_standard_webhooks_verify(const char *secret,
	    const char *msg_id, const char *timestamp, const char *signatures,
	    const void *body, size_t len, int64_t now);

const char *sig_result_reason(enum sig_result);

#endif
