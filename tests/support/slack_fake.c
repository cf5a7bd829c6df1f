/* SPDX-License-Identifier: ISC */
/*
 * The fake Slack Web API: a forked child running an evhttp server on
 * 127.0.0.1 (port passed back through a pipe). It dies with its parent
 * (PR_SET_PDEATHSIG) and is stopped by PID. What it checks and answers
 * follows Slack's method reference (docs.slack.dev/reference/methods/…).
 */
#include "slack_fake.h"
#include "loopback.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

struct slack_fake_state {
	struct event_base		*base;
	struct slack_fake_opts		 opts;
	FILE				*log;
	struct timespec			 started;
	long				 ts;		/* last message ts, counting up */
	int				 limited;	/* 429s answered so far */
	const char			*logpath;
};

struct slack_fake_call {
	struct slack_fake_state	*s;
	struct evhttp_request	*req;
	const char		*method;
	cJSON			*body;		/* JSON, or the form as an object */
	struct event		*ev;		/* for slow answers */
	char			*answer;
	int			 status;
};

static void	 slack_fake_request_cb(struct evhttp_request *, void *);
static cJSON	*slack_fake_body(struct evhttp_request *, const char **);
static cJSON	*slack_fake_form(const char *);
static char	*slack_fake_dispatch(struct slack_fake_call *);
static char	*slack_fake_error(const char *);
static char	*slack_fake_open(struct slack_fake_call *);
static char	*slack_fake_post(struct slack_fake_call *);
static char	*slack_fake_update(struct slack_fake_call *);
static char	*slack_fake_views_open(struct slack_fake_call *);
static char	*slack_fake_users_info(struct slack_fake_call *);
static const char *slack_fake_str(const cJSON *, const char *);
static void	 slack_fake_record(struct slack_fake_call *, const char *,
		    const char *);
static void	 slack_fake_answer(struct slack_fake_call *);
static void	 slack_fake_later_cb(evutil_socket_t, short, void *);
static void	 slack_fake_init(struct event_base *, struct evhttp *,
		    void *);

/* {"ok":false,"error":E}. */
static char *
slack_fake_error(const char *error)
{
	char *s;

	if (asprintf(&s, "{\"ok\":false,\"error\":\"%s\"}", error) == -1)
		abort();
	return s;
}

/* A string member, or NULL. */
static const char *
slack_fake_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* An application/x-www-form-urlencoded body as a JSON object of strings. */
static cJSON *
slack_fake_form(const char *s)
{
	struct evkeyvalq q;
	struct evkeyval *kv;
	cJSON *o;
	char *uri;

	if (asprintf(&uri, "/?%s", s) == -1)
		abort();
	if (evhttp_parse_query(uri, &q) == -1) {
		free(uri);
		return NULL;
	}
	o = cJSON_CreateObject();
	for (kv = q.tqh_first; kv != NULL; kv = kv->next.tqe_next)
		cJSON_AddStringToObject(o, kv->key, kv->value);
	evhttp_clear_headers(&q);
	free(uri);
	return o;
}

/* The request's arguments by its content type; NULL when unreadable. */
static cJSON *
slack_fake_body(struct evhttp_request *req, const char **type)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t len = evbuffer_get_length(in);
	char *raw = calloc(1, len + 1);
	cJSON *o;

	evbuffer_copyout(in, raw, len);
	*type = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type");
	if (*type == NULL)
		o = NULL;
	else if (strncasecmp(*type, "application/json", 16) == 0)
		o = cJSON_Parse(raw);
	else if (strncasecmp(*type, "application/x-www-form-urlencoded", 33) == 0)
		o = slack_fake_form(raw);
	else
		o = NULL;
	free(raw);
	if (o != NULL && !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

/* conversations.open: users=U… (one id: a 1:1 DM) → channel D…. */
static char *
slack_fake_open(struct slack_fake_call *c)
{
	const char *user = slack_fake_str(c->body, "users");
	char *s;

	if (user == NULL || user[0] != 'U' || strchr(user, ',') != NULL)
		return slack_fake_error(user == NULL ? "users_list_not_supplied" :
		    "user_not_found");
	if (strncmp(user, "UGONE", 5) == 0)
		return slack_fake_error("user_not_found");
	if (strncmp(user, "UINACTIVE", 9) == 0)
		return slack_fake_error("account_inactive");
	if (strncmp(user, "UBOT", 4) == 0)
		return slack_fake_error("cannot_dm_bot");
	if (asprintf(&s, "{\"ok\":true,\"channel\":{\"id\":\"D%s\"}}",
	    user + 1) == -1)
		abort();
	return s;
}

/* chat.postMessage: channel plus text or blocks → ts. */
static char *
slack_fake_post(struct slack_fake_call *c)
{
	const char *channel = slack_fake_str(c->body, "channel");
	const char *text = slack_fake_str(c->body, "text");
	const cJSON *blocks = cJSON_GetObjectItemCaseSensitive(c->body, "blocks");
	char *s;

	if (channel == NULL || channel[0] == '\0')
		return slack_fake_error("channel_not_found");
	if (text == NULL && !cJSON_IsArray(blocks))
		return slack_fake_error("no_text");
	if (blocks != NULL && (!cJSON_IsArray(blocks) ||
	    cJSON_GetArraySize(blocks) > 50))
		return slack_fake_error("invalid_blocks");
	if (text != NULL && strlen(text) > 40000)
		return slack_fake_error("msg_too_long");
	if (strncmp(channel, "DGONE", 5) == 0)
		return slack_fake_error("channel_not_found");
	c->s->ts++;
	if (asprintf(&s, "{\"ok\":true,\"channel\":\"%s\",\"ts\":\"%ld.%06ld\"}",
	    channel, 1700000000L + c->s->ts / 1000000, c->s->ts % 1000000) == -1)
		abort();
	return s;
}

/* chat.update: channel (a D… id, not U…) and the ts of a message. */
static char *
slack_fake_update(struct slack_fake_call *c)
{
	const char *channel = slack_fake_str(c->body, "channel");
	const char *ts = slack_fake_str(c->body, "ts");
	char *s;

	if (channel == NULL || channel[0] == 'U')
		return slack_fake_error("channel_not_found");
	if (ts == NULL || strchr(ts, '.') == NULL)
		return slack_fake_error("message_not_found");
	if (asprintf(&s, "{\"ok\":true,\"channel\":\"%s\",\"ts\":\"%s\"}",
	    channel, ts) == -1)
		abort();
	return s;
}

/*
 * views.open: a trigger_id and a modal view. A modal's title is at most 24
 * characters, callback_id 255, private_metadata 3,000, and a view with input
 * blocks needs a submit button (docs.slack.dev/reference/views/modal-views).
 */
static char *
slack_fake_views_open(struct slack_fake_call *c)
{
	const cJSON *view = cJSON_GetObjectItemCaseSensitive(c->body, "view");
	const cJSON *title = cJSON_GetObjectItemCaseSensitive(view, "title");
	const char *type = slack_fake_str(view, "type");
	const char *meta = slack_fake_str(view, "private_metadata");
	const char *cb = slack_fake_str(view, "callback_id");
	const char *ttext = slack_fake_str(title, "text");

	if (slack_fake_str(c->body, "trigger_id") == NULL)
		return slack_fake_error("invalid_trigger_id");
	if (!cJSON_IsObject(view) || type == NULL || strcmp(type, "modal") != 0)
		return slack_fake_error("invalid_arguments");
	if (ttext == NULL || strlen(ttext) > 24 ||
	    cJSON_GetObjectItemCaseSensitive(view, "submit") == NULL ||
	    (cb != NULL && strlen(cb) > 255) ||
	    (meta != NULL && strlen(meta) > 3000))
		return slack_fake_error("invalid_arguments");
	return strdup("{\"ok\":true,\"view\":{\"id\":\"V0001\"}}");
}

/* users.info: user=U… → the user with a tz. Form or query only, no JSON. */
static char *
slack_fake_users_info(struct slack_fake_call *c)
{
	const char *user = slack_fake_str(c->body, "user");
	const char *tz = "Europe/London";
	size_t n;
	char *s;

	if (user == NULL || user[0] != 'U' || strncmp(user, "UGONE", 5) == 0)
		return slack_fake_error("user_not_found");
	n = strlen(user);
	/* Slack ids are capitals and digits: the config takes no "_". */
	if (n > 3 && strcmp(user + n - 3, "XNY") == 0)
		tz = "America/New_York";
	else if (n > 6 && strcmp(user + n - 6, "XTOKYO") == 0)
		tz = "Asia/Tokyo";
	if (asprintf(&s, "{\"ok\":true,\"user\":{\"id\":\"%s\",\"deleted\":false,"
	    "\"is_bot\":false,\"tz\":\"%s\"}}", user, tz) == -1)
		abort();
	return s;
}

/* The answer to a well-formed, authorised call of c->method. */
static char *
slack_fake_dispatch(struct slack_fake_call *c)
{
	static const struct {
		const char	*name;
		char		*(*fn)(struct slack_fake_call *);
		int		 json_ok;	/* takes a JSON body */
	} methods[] = {
		{ "conversations.open", slack_fake_open, 1 },
		{ "chat.postMessage", slack_fake_post, 1 },
		{ "chat.update", slack_fake_update, 1 },
		{ "views.open", slack_fake_views_open, 1 },
		{ "users.info", slack_fake_users_info, 0 },
	};

	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		if (strcmp(methods[i].name, c->method) == 0)
			return methods[i].fn(c);
	}
	return slack_fake_error("unknown_method");
}

/* Append the call as one JSON line. */
static void
slack_fake_record(struct slack_fake_call *c, const char *auth, const char *type)
{
	struct slack_fake_state *s = c->s;
	struct timespec now;
	cJSON *o = cJSON_CreateObject();
	char *line;

	clock_gettime(CLOCK_MONOTONIC, &now);
	cJSON_AddNumberToObject(o, "ms", (double)(now.tv_sec - s->started.tv_sec) *
	    1000 + (double)(now.tv_nsec - s->started.tv_nsec) / 1e6);
	cJSON_AddStringToObject(o, "method", c->method);
	cJSON_AddStringToObject(o, "auth", auth != NULL ? auth : "");
	cJSON_AddStringToObject(o, "type", type != NULL ? type : "");
	cJSON_AddItemToObject(o, "body", c->body != NULL ?
	    cJSON_Duplicate(c->body, 1) : cJSON_CreateNull());
	line = cJSON_PrintUnformatted(o);
	fprintf(s->log, "%s\n", line);
	fflush(s->log);
	free(line);
	cJSON_Delete(o);
}

/* Send the prepared answer and free the call. */
static void
slack_fake_answer(struct slack_fake_call *c)
{
	struct evbuffer *buf = evbuffer_new();

	evhttp_add_header(evhttp_request_get_output_headers(c->req),
	    "Content-Type", "application/json; charset=utf-8");
	evbuffer_add(buf, c->answer, strlen(c->answer));
	evhttp_send_reply(c->req, c->status, NULL, buf);
	evbuffer_free(buf);
	if (c->ev != NULL)
		event_free(c->ev);
	cJSON_Delete(c->body);
	free(c->answer);
	free(c);
}

/* A slow answer's time has come. */
static void
slack_fake_later_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	slack_fake_answer(arg);
}

/* Every request: check it as Slack would, record it, answer. */
static void
slack_fake_request_cb(struct evhttp_request *req, void *arg)
{
	struct slack_fake_state *s = arg;
	struct slack_fake_call *c = calloc(1, sizeof *c);
	const char *uri = evhttp_request_get_uri(req), *type = NULL;
	const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");

	c->s = s;
	c->req = req;
	c->status = 200;
	c->method = strncmp(uri, "/api/", 5) == 0 ? uri + 5 : "";
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST)
		c->body = slack_fake_body(req, &type);
	if (s->log != NULL)
		slack_fake_record(c, auth, type);
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		c->status = 405;
		c->answer = slack_fake_error("method_not_supported_for_channel_type");
	} else if (auth == NULL || strncmp(auth, "Bearer ", 7) != 0)
		c->answer = slack_fake_error("not_authed");
	else if (s->opts.revoked != NULL && strcmp(auth + 7, s->opts.revoked) == 0)
		c->answer = slack_fake_error("token_revoked");
	else if (strcmp(auth + 7, s->opts.token) != 0)
		c->answer = slack_fake_error("invalid_auth");
	else if (c->body == NULL)
		c->answer = slack_fake_error("invalid_form_data");
	else if (s->opts.limit_method != NULL &&
	    strcmp(c->method, s->opts.limit_method) == 0 &&
	    s->limited < s->opts.limit_count) {
		char secs[16];

		s->limited++;
		snprintf(secs, sizeof secs, "%d", s->opts.retry_after);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Retry-After", secs);
		c->status = 429;
		c->answer = slack_fake_error("ratelimited");
	} else
		c->answer = slack_fake_dispatch(c);
	if (s->opts.slow_ms > 0) {
		struct timeval tv = { s->opts.slow_ms / 1000,
		    (s->opts.slow_ms % 1000) * 1000 };

		c->ev = evtimer_new(s->base, slack_fake_later_cb, c);
		evtimer_add(c->ev, &tv);
	} else
		slack_fake_answer(c);
}

/* The child's setup: its options, its log, its one callback. */
static void
slack_fake_init(struct event_base *base, struct evhttp *http, void *arg)
{
	struct slack_fake_state *s = arg;

	clock_gettime(CLOCK_MONOTONIC, &s->started);
	s->base = base;
	if (s->opts.record && (s->log = fopen(s->logpath, "a")) == NULL)
		_exit(3);
	evhttp_set_gencb(http, slack_fake_request_cb, s);
}

/* Start the fake API; its base URL is http://127.0.0.1:PORT/api/. */
int
slack_fake_start(struct slack_fake *f, const char *log,
    const struct slack_fake_opts *opts)
{
	struct slack_fake_state s = { .opts = *opts, .logpath = log };

	memset(f, 0, sizeof *f);
	f->log = strdup(log);
	return loopback_start(&f->pid, &f->port, slack_fake_init, &s);
}

/* Stop the fake by PID. */
void
slack_fake_stop(struct slack_fake *f)
{
	loopback_stop(&f->pid);
	free(f->log);
	f->log = NULL;
}

/* The recorded calls of one method, oldest first. */
cJSON *
slack_fake_calls(const struct slack_fake *f, const char *method)
{
	return loopback_calls(f->log, "method", method, 0);
}

/* How many calls of one method arrived. */
int
slack_fake_count(const struct slack_fake *f, const char *method)
{
	return loopback_count(slack_fake_calls(f, method));
}

/* Wait up to ms for the fake to have taken n calls of method; how many. */
int
slack_fake_await(const struct slack_fake *f, const char *method, int n,
    int ms)
{
	for (int waited = 0; waited < ms &&
	    slack_fake_count(f, method) < n; waited += 10)
		usleep(10000);
	return slack_fake_count(f, method);
}
