/* SPDX-License-Identifier: ISC */
/*
 * The fake Mattermost API's answers: errors as the server writes them
 * ({"id", "message", "status_code"}), 201 with the created object.
 */
#include "mattermost_fake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The child's copy: the options and what it counted. */
struct mattermost_fake_state {
	struct mattermost_fake_opts opts;
	char		 token[128];
	char		 bot_id[64];
	long		 next_id;
	int		 limited;
};

static void	mattermost_fake_answer(struct api_fake_call *);
static void	mattermost_fake_error(struct api_fake_call *, int,
		    const char *);
static void	mattermost_fake_dm(struct api_fake_call *);
static void	mattermost_fake_post(struct api_fake_call *);
static void	mattermost_fake_dialog(struct api_fake_call *);
static void	mattermost_fake_user(struct api_fake_call *, const char *);
static const char *mattermost_fake_str(const cJSON *, const char *);

/* A string member, or NULL. */
static const char *
mattermost_fake_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* {"id", "message", "status_code"} with status. */
static void
mattermost_fake_error(struct api_fake_call *c, int status, const char *message)
{
	c->status = status;
	if (asprintf(&c->answer, "{\"id\":\"api.fake\",\"message\":\"%s\","
	    "\"status_code\":%d}", message, status) == -1)
		abort();
}

/* Create direct channel: ["BOT", "USER"] → 201 the channel. */
static void
mattermost_fake_dm(struct api_fake_call *c)
{
	struct mattermost_fake_state *s = c->state;
	const cJSON *a = cJSON_GetArrayItem(c->body, 0);
	const cJSON *b = cJSON_GetArrayItem(c->body, 1);
	const char *user;

	if (!cJSON_IsArray(c->body) || cJSON_GetArraySize(c->body) != 2 ||
	    !cJSON_IsString(a) || !cJSON_IsString(b)) {
		mattermost_fake_error(c, 400, "Invalid or missing user_ids in "
		    "request body.");
		return;
	}
	if (strcmp(a->valuestring, s->bot_id) == 0)
		user = b->valuestring;
	else if (strcmp(b->valuestring, s->bot_id) == 0)
		user = a->valuestring;
	else {
		mattermost_fake_error(c, 403, "You do not have the appropriate "
		    "permissions.");
		return;
	}
	if (strncmp(user, "gone", 4) == 0) {
		mattermost_fake_error(c, 404, "Unable to find the user.");
		return;
	}
	if (strncmp(user, "deny", 4) == 0) {
		mattermost_fake_error(c, 403, "You do not have the appropriate "
		    "permissions.");
		return;
	}
	c->status = 201;
	if (asprintf(&c->answer, "{\"id\":\"dm%.24s\",\"type\":\"D\"}",
	    user) == -1)
		abort();
}

/* Create post: channel_id and the attachment's button → 201 the post. */
static void
mattermost_fake_post(struct api_fake_call *c)
{
	struct mattermost_fake_state *s = c->state;
	const char *channel = mattermost_fake_str(c->body, "channel_id");
	const cJSON *att = cJSON_GetArrayItem(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(c->body, "props"), "attachments"), 0);
	const cJSON *button = cJSON_GetArrayItem(cJSON_GetObjectItem(att,
	    "actions"), 0);
	const cJSON *integ = cJSON_GetObjectItem(button, "integration");

	if (s->limited < s->opts.limit_count) {
		s->limited++;
		api_fake_header(c, "X-Ratelimit-Limit", "10");
		api_fake_header(c, "X-Ratelimit-Remaining", "0");
		api_fake_header(c, "X-Ratelimit-Reset", "%d", s->opts.reset);
		c->status = 429;
		c->answer = strdup("limit exceeded");
		return;
	}
	if (channel == NULL || att == NULL || mattermost_fake_str(integ,
	    "url") == NULL || !cJSON_IsObject(cJSON_GetObjectItem(integ,
	    "context"))) {
		mattermost_fake_error(c, 400, "Invalid or missing parameters");
		return;
	}
	s->next_id++;
	c->status = 201;
	if (asprintf(&c->answer, "{\"id\":\"post%022ld\",\"channel_id\":\"%s\"}",
	    s->next_id, channel) == -1)
		abort();
}

/* Open dialog: trigger_id, url, and a dialog Mattermost would show. */
static void
mattermost_fake_dialog(struct api_fake_call *c)
{
	const cJSON *d = cJSON_GetObjectItem(c->body, "dialog");
	const cJSON *el = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "elements"),
	    0);
	const char *title = mattermost_fake_str(d, "title");
	const cJSON *max = cJSON_GetObjectItem(el, "max_length");

	if (mattermost_fake_str(c->body, "trigger_id") == NULL ||
	    mattermost_fake_str(c->body, "url") == NULL ||
	    mattermost_fake_str(d, "callback_id") == NULL || title == NULL ||
	    strlen(title) > 24 || mattermost_fake_str(d, "state") == NULL ||
	    !cJSON_IsNumber(max) || max->valueint > 3000) {
		mattermost_fake_error(c, 400, "Invalid dialog");
		return;
	}
	c->answer = strdup("{\"status\":\"OK\"}");
}

/*
 * Get a user by username: "nobody…" is 404; anyone else's id is their
 * name with every other character as '0', padded with '0' to 26.
 */
static void
mattermost_fake_user(struct api_fake_call *c, const char *name)
{
	char id[27];
	size_t i;

	if (strncmp(name, "nobody", 6) == 0) {
		mattermost_fake_error(c, 404, "Unable to find the user.");
		return;
	}
	for (i = 0; i < 26; i++)
		id[i] = i < strlen(name) && ((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= '0' && name[i] <= '9')) ? name[i] : '0';
	id[26] = '\0';
	if (asprintf(&c->answer, "{\"id\":\"%s\",\"username\":\"%s\"}", id,
	    name) == -1)
		abort();
}

/* Check the token, then route by path. */
static void
mattermost_fake_answer(struct api_fake_call *c)
{
	struct mattermost_fake_state *s = c->state;
	size_t n = strlen(c->path);

	if (c->auth == NULL || strncmp(c->auth, "Bearer ", 7) != 0 ||
	    strcmp(c->auth + 7, s->token) != 0) {
		mattermost_fake_error(c, 401, "Invalid or expired session, "
		    "please login again.");
		return;
	}
	if (strcmp(c->method, "GET") == 0 && strncmp(c->path,
	    MATTERMOST_FAKE_USERS, strlen(MATTERMOST_FAKE_USERS)) == 0) {
		mattermost_fake_user(c, c->path + strlen(MATTERMOST_FAKE_USERS));
		return;
	}
	if (c->body == NULL) {
		mattermost_fake_error(c, 400, "Invalid or missing body");
		return;
	}
	if (strcmp(c->method, "POST") == 0 &&
	    strcmp(c->path, MATTERMOST_FAKE_DM) == 0)
		mattermost_fake_dm(c);
	else if (strcmp(c->method, "POST") == 0 &&
	    strcmp(c->path, MATTERMOST_FAKE_POSTS) == 0)
		mattermost_fake_post(c);
	else if (strcmp(c->method, "POST") == 0 &&
	    strcmp(c->path, MATTERMOST_FAKE_DIALOG) == 0)
		mattermost_fake_dialog(c);
	else if (strcmp(c->method, "PUT") == 0 && n > 6 &&
	    strcmp(c->path + n - 6, "/patch") == 0 &&
	    strncmp(c->path, MATTERMOST_FAKE_POSTS "/", 14) == 0) {
		if (asprintf(&c->answer, "{\"id\":\"%.*s\"}", (int)(n - 20),
		    c->path + 14) == -1)
			abort();
	} else
		mattermost_fake_error(c, 404, "Sorry, we could not find the "
		    "page.");
}

/* Start the fake; its server URL is http://127.0.0.1:PORT. */
int
mattermost_fake_start(struct api_fake *f, const char *log,
    const struct mattermost_fake_opts *opts)
{
	struct mattermost_fake_state s = { .opts = *opts };

	snprintf(s.token, sizeof s.token, "%s", opts->token);
	snprintf(s.bot_id, sizeof s.bot_id, "%s", opts->bot_id);
	s.opts.token = s.opts.bot_id = NULL;
	return api_fake_start(f, log, opts->record, opts->slow_ms,
	    mattermost_fake_answer, &s, sizeof s);
}
