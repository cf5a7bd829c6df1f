/* SPDX-License-Identifier: ISC */
/* A running daemon with nudges already sent on a channel of every platform. */
#ifndef NUDGED_TEST_REPLIES_FIXTURE_H
#define NUDGED_TEST_REPLIES_FIXTURE_H

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "harness.h"
#include "sink.h"

#define FIXTURE_SLACK_SECRET	"8f742231b10e8888abcd99yyyzzz85a5"
/* base64 of 32 bytes, as Teams shows an outgoing webhook's security token. */
#define FIXTURE_TEAMS_SECRET	"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyISE="
#define FIXTURE_MM_TOKEN	"mm-token-1234"

struct replies_fixture {
	char			*dir;
	char			*config;
	int			 port;
	struct sink		 sink;
	struct harness_proc	 serve;
	int			 running;
	char			 code[2][8];	/* two nudges on "team" */
	char			 slack_code[8];
	char			 teams_code[8];
	char			 discord_code[8];
	char			 mm_code[8];
	EVP_PKEY		*discord_key;	/* the "application" key */
};

int	 replies_fixture_setup(void **state);
int	 replies_fixture_teardown(void **state);
void	 replies_fixture_stop(struct replies_fixture *);
cJSON	*replies_fixture_export(struct replies_fixture *);
int	 replies_fixture_count(struct replies_fixture *);

#endif
