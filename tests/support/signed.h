/* SPDX-License-Identifier: ISC */
/* Test support: the signature headers each chat platform puts on a request. */
#ifndef NUDGED_TEST_SIGNED_H
#define NUDGED_TEST_SIGNED_H

#include <stdint.h>

#include <openssl/evp.h>

/* Two allocated header lines (free each): the timestamp and the signature. */
void	 signed_slack(const char *secret, int64_t ts, const char *body,
	    char *headers[2]);
/* POST body to 127.0.0.1:port at path signed as Slack signs; the status. */
int	 signed_slack_post(int port, const char *secret, int64_t ts,
	    const char *path, const char *type, const char *body, char **out);
/* One allocated "Authorization: HMAC ..." line; secret is base64. */
char	*signed_teams(const char *secret, const char *body);
void	 signed_discord(EVP_PKEY *key, int64_t ts, const char *body,
	    char *headers[2]);

#endif
