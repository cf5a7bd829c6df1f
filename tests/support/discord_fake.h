/* SPDX-License-Identifier: ISC */
/*
 * A fake Discord API (api_fake.c underneath) that checks what Discord
 * checks (discord.com/developers/docs): "Authorization: Bot TOKEN", a
 * DiscordBot User-Agent, the JSON of Create DM (POST /api/v10/users/@me/
 * channels {"recipient_id"}) and Create Message (POST /api/v10/channels/
 * {id}/messages: content ≤ 2,000 characters, allowed_mentions, buttons with
 * a custom_id of 1-100 characters), and answers with ids and rate-limit
 * headers.
 *
 * Behaviour chosen by the ids a test uses:
 *   user "5…"   Create DM: 404 Unknown User (10013)
 *   user "6…"   Create DM works; Create Message: 403 Cannot send messages
 *               to this user (50007)
 *   a token other than opts.token: 401
 * A DM channel is "7" followed by the user id without its first digit.
 */
#ifndef NUDGED_TEST_DISCORD_FAKE_H
#define NUDGED_TEST_DISCORD_FAKE_H

#include "api_fake.h"

struct discord_fake_opts {
	const char	*token;
	int		 record;
	int		 slow_ms;
	/*
	 * Create Message's bucket, one per channel (its major parameter, so
	 * the same X-RateLimit-Bucket): bucket_size calls, then Remaining 0 with
	 * Reset-After reset_after seconds; the fake itself refills after
	 * refill_ms of real time. A call on an empty bucket is a 429.
	 */
	int		 bucket_size;
	double		 reset_after;
	int		 refill_ms;
	/* Answer the first global_429 Create Messages with a global 429. */
	int		 global_429;
	double		 retry_after;
};

#define DISCORD_FAKE_DM		"/api/v10/users/@me/channels"
#define DISCORD_FAKE_MESSAGES	"/api/v10/channels/"

int	 discord_fake_start(struct api_fake *, const char *log,
	    const struct discord_fake_opts *);

#endif
