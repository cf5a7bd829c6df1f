/* SPDX-License-Identifier: ISC */
/*
 * The fake Discord API's answers: errors as Discord writes them
 * ({"message", "code"}), ids as snowflake strings, rate-limit headers
 * (topics/rate-limits) on every Create Message. Create Message's bucket is
 * counted per channel, its major parameter, as Discord counts it.
 */
#include "discord_fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Create Message's bucket of one channel. */
struct discord_fake_bucket {
	char		 channel[64];
	int		 used;		/* calls on the bucket */
	struct timespec	 spent;		/* when the bucket emptied */
};

/* The child's copy: the options and what it counted. */
struct discord_fake_state {
	struct discord_fake_opts opts;
	char		 token[128];
	long		 next_id;
	int		 globals;	/* global 429s answered */
	struct discord_fake_bucket buckets[8];
};

static void	discord_fake_answer(struct api_fake_call *);
static void	discord_fake_error(struct api_fake_call *, int, const char *,
		    int);
static void	discord_fake_dm(struct api_fake_call *);
static void	discord_fake_message(struct api_fake_call *, const char *);
static int	discord_fake_components_ok(const cJSON *);
static int	discord_fake_bucket(struct api_fake_call *,
		    struct discord_fake_state *, const char *);
static struct discord_fake_bucket *discord_fake_bucket_of(
		    struct discord_fake_state *, const char *);

/* {"message": M, "code": C} with status. */
static void
discord_fake_error(struct api_fake_call *c, int status, const char *message,
    int code)
{
	c->status = status;
	if (asprintf(&c->answer, "{\"message\":\"%s\",\"code\":%d}", message,
	    code) == -1)
		abort();
}

/* Create DM: {"recipient_id"} → a DM channel. */
static void
discord_fake_dm(struct api_fake_call *c)
{
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(c->body,
	    "recipient_id");

	if (!cJSON_IsString(r) || r->valuestring[0] == '\0') {
		discord_fake_error(c, 400, "Invalid Form Body", 50035);
		return;
	}
	if (r->valuestring[0] == '5') {
		discord_fake_error(c, 404, "Unknown User", 10013);
		return;
	}
	if (asprintf(&c->answer, "{\"id\":\"7%s\",\"type\":1,\"recipients\":"
	    "[{\"id\":\"%s\"}]}", r->valuestring + 1, r->valuestring) == -1)
		abort();
}

/* Every button has a custom_id of 1-100 characters; rows hold ≤ 5. */
static int
discord_fake_components_ok(const cJSON *rows)
{
	const cJSON *row, *b, *id;

	if (rows == NULL)
		return 1;
	if (!cJSON_IsArray(rows) || cJSON_GetArraySize(rows) > 5)
		return 0;
	cJSON_ArrayForEach(row, rows) {
		const cJSON *in = cJSON_GetObjectItemCaseSensitive(row,
		    "components");

		if (cJSON_GetObjectItemCaseSensitive(row, "type")->valueint != 1 ||
		    !cJSON_IsArray(in) || cJSON_GetArraySize(in) > 5)
			return 0;
		cJSON_ArrayForEach(b, in) {
			id = cJSON_GetObjectItemCaseSensitive(b, "custom_id");
			if (!cJSON_IsString(id) || strlen(id->valuestring) == 0 ||
			    strlen(id->valuestring) > 100)
				return 0;
		}
	}
	return 1;
}

/* A channel's bucket (the last one stands for channels past the eighth). */
static struct discord_fake_bucket *
discord_fake_bucket_of(struct discord_fake_state *s, const char *channel)
{
	size_t i, n = sizeof s->buckets / sizeof s->buckets[0];

	for (i = 0; i < n - 1 && s->buckets[i].channel[0] != '\0'; i++)
		if (strcmp(s->buckets[i].channel, channel) == 0)
			break;
	snprintf(s->buckets[i].channel, sizeof s->buckets[i].channel, "%s",
	    channel);
	return &s->buckets[i];
}

/*
 * The channel's bucket: 1 when the call may go on (headers set), 0 after a
 * 429.
 */
static int
discord_fake_bucket(struct api_fake_call *c, struct discord_fake_state *s,
    const char *channel)
{
	struct discord_fake_bucket *b;
	struct timespec now;
	long ms;

	if (s->globals < s->opts.global_429) {
		s->globals++;
		api_fake_header(c, "X-RateLimit-Global", "true");
		api_fake_header(c, "X-RateLimit-Scope", "global");
		c->status = 429;
		if (asprintf(&c->answer, "{\"message\":\"You are being rate "
		    "limited.\",\"retry_after\":%.3f,\"global\":true}",
		    s->opts.retry_after) == -1)
			abort();
		return 0;
	}
	if (s->opts.bucket_size <= 0)
		return 1;
	b = discord_fake_bucket_of(s, channel);
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - b->spent.tv_sec) * 1000 + (now.tv_nsec -
	    b->spent.tv_nsec) / 1000000;
	if (b->used >= s->opts.bucket_size && ms >= s->opts.refill_ms)
		b->used = 0;
	api_fake_header(c, "X-RateLimit-Bucket", "fakebucketmessages");
	api_fake_header(c, "X-RateLimit-Limit", "%d", s->opts.bucket_size);
	if (b->used >= s->opts.bucket_size) {
		api_fake_header(c, "X-RateLimit-Remaining", "0");
		api_fake_header(c, "X-RateLimit-Reset-After", "%.3f",
		    s->opts.reset_after);
		api_fake_header(c, "X-RateLimit-Scope", "user");
		c->status = 429;
		if (asprintf(&c->answer, "{\"message\":\"You are being rate "
		    "limited.\",\"retry_after\":%.3f,\"global\":false}",
		    s->opts.reset_after) == -1)
			abort();
		return 0;
	}
	if (++b->used == s->opts.bucket_size)
		b->spent = now;
	api_fake_header(c, "X-RateLimit-Remaining", "%d",
	    s->opts.bucket_size - b->used);
	api_fake_header(c, "X-RateLimit-Reset-After", "%.3f",
	    s->opts.reset_after);
	return 1;
}

/* Create Message in channel: content, embeds, allowed_mentions, buttons. */
static void
discord_fake_message(struct api_fake_call *c, const char *channel)
{
	struct discord_fake_state *s = c->state;
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(c->body,
	    "content");

	if (!discord_fake_bucket(c, s, channel))
		return;
	if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(c->body,
	    "allowed_mentions")) || (content != NULL &&
	    (!cJSON_IsString(content) || strlen(content->valuestring) > 2000)) ||
	    !discord_fake_components_ok(cJSON_GetObjectItemCaseSensitive(
	    c->body, "components"))) {
		discord_fake_error(c, 400, "Invalid Form Body", 50035);
		return;
	}
	if (channel[0] == '7' && channel[1] == '6') {
		discord_fake_error(c, 403, "Cannot send messages to this user",
		    50007);
		return;
	}
	s->next_id++;
	if (asprintf(&c->answer, "{\"id\":\"1300000000000%06ld\",\"channel_id\":"
	    "\"%s\",\"type\":0}", s->next_id, channel) == -1)
		abort();
}

/* Check the token, then route by path. */
static void
discord_fake_answer(struct api_fake_call *c)
{
	struct discord_fake_state *s = c->state;
	const char *p = c->path;
	size_t n = strlen(DISCORD_FAKE_MESSAGES);
	char channel[64];

	if (c->auth == NULL || strncmp(c->auth, "Bot ", 4) != 0 ||
	    strcmp(c->auth + 4, s->token) != 0) {
		discord_fake_error(c, 401, "401: Unauthorized", 0);
		return;
	}
	if (strcmp(c->method, "POST") != 0 || c->body == NULL) {
		discord_fake_error(c, 405, "405: Method Not Allowed", 0);
		return;
	}
	if (strcmp(p, DISCORD_FAKE_DM) == 0)
		discord_fake_dm(c);
	else if (strncmp(p, DISCORD_FAKE_MESSAGES, n) == 0 &&
	    sscanf(p + n, "%63[0-9]/messages", channel) == 1 &&
	    strcmp(p + n + strlen(channel), "/messages") == 0)
		discord_fake_message(c, channel);
	else
		discord_fake_error(c, 404, "404: Not Found", 0);
}

/* Start the fake; its API base is http://127.0.0.1:PORT/api/v10. */
int
discord_fake_start(struct api_fake *f, const char *log,
    const struct discord_fake_opts *opts)
{
	struct discord_fake_state s = { .opts = *opts };

	snprintf(s.token, sizeof s.token, "%s", opts->token);
	s.opts.token = NULL;
	return api_fake_start(f, log, opts->record, opts->slow_ms,
	    discord_fake_answer, &s, sizeof s);
}
