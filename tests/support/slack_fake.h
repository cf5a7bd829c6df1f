/* SPDX-License-Identifier: ISC */
/*
 * A fake Slack Web API for tests and benchmarks: a forked child on 127.0.0.1
 * that answers POST /api/METHOD the way Slack does (HTTP 200 with
 * {"ok": true, ...} or {"ok": false, "error": "..."}), after checking what
 * Slack checks: the bearer token, the method, the content type and the
 * fields each method's documentation requires.
 *
 * Methods: conversations.open, chat.postMessage, chat.update, views.open,
 * users.info. Anything else answers {"ok":false,"error":"unknown_method"}.
 *
 * Behaviour chosen by the ids a test uses:
 *   user "UGONE…"      conversations.open / users.info: user_not_found
 *   user "UINACTIVE…"  conversations.open: account_inactive
 *   user "UBOT…"       conversations.open: cannot_dm_bot
 *   user "U…XNY"       users.info tz America/New_York; "U…XTOKYO" Asia/Tokyo;
 *                      any other user Europe/London
 *   a token other than opts.token: invalid_auth; opts.revoked: token_revoked
 * A DM channel is "D" followed by the user id without its "U".
 */
#ifndef NUDGED_TEST_SLACK_FAKE_H
#define NUDGED_TEST_SLACK_FAKE_H

#include <cjson/cJSON.h>
#include <sys/types.h>

struct slack_fake_opts {
	const char	*token;		/* the bot token it accepts */
	const char	*revoked;	/* a token it answers token_revoked, or NULL */
	int		 record;	/* append each request to the log */
	int		 slow_ms;	/* answer every request this late */
	/* Answer 429 with Retry-After to the first limit_count calls of a method. */
	const char	*limit_method;
	int		 limit_count;
	int		 retry_after;	/* seconds */
};

struct slack_fake {
	pid_t	 pid;
	int	 port;
	char	*log;
};

int	 slack_fake_start(struct slack_fake *, const char *log,
	    const struct slack_fake_opts *);
void	 slack_fake_stop(struct slack_fake *);
/* The recorded calls of one method ("chat.postMessage"), as a JSON array of
 * {"ms", "method", "auth", "type", "body"} where body is the parsed JSON or
 * the form as an object. */
cJSON	*slack_fake_calls(const struct slack_fake *, const char *method);
int	 slack_fake_count(const struct slack_fake *, const char *method);
/* Wait up to ms for n calls of method; how many there were. */
int	 slack_fake_await(const struct slack_fake *, const char *method, int n,
	    int ms);

#endif
