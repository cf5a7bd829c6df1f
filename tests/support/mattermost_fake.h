/* SPDX-License-Identifier: ISC */
/*
 * A fake Mattermost REST API (api_fake.c underneath) that checks what the
 * server checks (api/v4): "Authorization: Bearer TOKEN"; Create direct
 * channel (POST /api/v4/channels/direct, exactly two user ids, the bot's
 * among them); Create post (POST /api/v4/posts: channel_id, an attachment
 * whose button has an integration url and context); Open dialog (POST
 * /api/v4/actions/dialogs/open: trigger_id, url, a dialog with a
 * callback_id, a title of at most 24 characters, a textarea of at most
 * 3,000, state); Patch post (PUT /api/v4/posts/{id}/patch).
 *
 * Get a user by username (GET /api/v4/users/username/{name}): "nobody…" is
 * 404, anyone else's id is their name, non-alphanumerics as '0', padded
 * with '0' to 26.
 *
 * Behaviour chosen by the ids a test uses:
 *   user "gone…"   Create direct channel: 404
 *   user "deny…"   Create direct channel: 403
 *   a token other than opts.token: 401
 * A DM channel is "dm" followed by the user id's first 24 characters.
 */
#ifndef NUDGED_TEST_MATTERMOST_FAKE_H
#define NUDGED_TEST_MATTERMOST_FAKE_H

#include "api_fake.h"

struct mattermost_fake_opts {
	const char	*token;
	const char	*bot_id;
	int		 record;
	int		 slow_ms;
	/* Answer the first limit_count posts 429 with X-Ratelimit-Reset. */
	int		 limit_count;
	int		 reset;		/* seconds */
};

#define MATTERMOST_FAKE_DM	"/api/v4/channels/direct"
#define MATTERMOST_FAKE_POSTS	"/api/v4/posts"
#define MATTERMOST_FAKE_DIALOG	"/api/v4/actions/dialogs/open"
#define MATTERMOST_FAKE_USERS	"/api/v4/users/username/"

int	 mattermost_fake_start(struct api_fake *, const char *log,
	    const struct mattermost_fake_opts *);

#endif
