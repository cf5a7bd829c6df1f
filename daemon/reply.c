/* SPDX-License-Identifier: ISC */
/*
 * The answer pipeline. A request on a reply route, read by httpd.c (which
 * has already refused other methods and oversized bodies), is checked for
 * its content type, parsed by its platform, matched to one of the
 * configured channels by that channel's signature or token, and attached to
 * its nudge: the one its form or thread names, or a person's newest in
 * their direct conversation (reply_people.c), else by the reply code when it
 * carries one, else the newest nudge on the channel, within the schedule's
 * answer window. /reflect sub-commands are done by reply_self.c. Accepted answers wait
 * for the end of the loop turn and are committed together in one
 * transaction; only after the COMMIT does anyone get a 2xx. A platform's
 * retry of the same message is stored once and answered 2xx again.
 *
 * Every refusal is a 4xx with a short reason and a log line, and changes
 * nothing. Secrets never reach a message. Answers go back through the
 * request's waiter (reply.h); this file never sees HTTP, and its time is
 * the injected clock's.
 */
#include "reply.h"
#include "reply_int.h"

#include <event2/event.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "apicall.h"
#include "bank.h"
#include "chat/chat.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "replycode.h"
#include "sig.h"
#include "store.h"
#include "xmalloc.h"


static int		 reply_accepts(const char *, const char *);
static const struct config_channel *reply_choose_channel(struct replies *,
			    const struct chat_platform *,
			    const struct chat_inbound *, const struct chat_answer *,
			    int64_t, int *, const char **);
static int		 reply_attach(struct replies *, const char *,
			    const char *, int64_t, struct store_target *,
			    char **, int *);
static void		 reply_take(struct replies *, const struct reply_request *,
			    const struct chat_platform *,
			    const struct config_channel *, struct chat_answer *,
			    int64_t, struct reply_waiter);
static void		 reply_queue(struct replies *, const struct reply_request *,
			    struct reply_pending *, struct reply_waiter);
static void		 reply_flush_cb(evutil_socket_t, short, void *);
static void		 reply_answer(struct replies *, struct reply_pending *);
static void		 reply_pending_free(struct reply_pending *);
static char		*reply_receipt_text(struct replies *,
			    const struct reply_pending *, int64_t);

/* Start the pipeline; it answers nothing until a route hands it a request. */
struct replies *
replies_new(struct event_base *base, const struct clock *clock,
    struct store *store, const struct config *cfg, const struct bank *bank)
{
	struct replies *r = xcalloc(1, sizeof *r);

	r->base = base;
	r->clock = clock;
	r->store = store;
	r->cfg = cfg;
	r->bank = bank;
	r->flush = evtimer_new(base, reply_flush_cb, r);
	r->api = apicall_new(base);
	return r;
}

/* Use a new configuration and bank from now on. */
void
replies_reload(struct replies *r, const struct config *cfg,
    const struct bank *bank)
{
	r->cfg = cfg;
	r->bank = bank;
}

/* Commit what is waiting (so nothing accepted is lost), then free. */
void
replies_free(struct replies *r)
{
	if (r == NULL)
		return;
	if (r->pending != NULL)
		reply_flush_cb(-1, 0, r);
	apicall_free(r->api);
	event_free(r->flush);
	free(r);
}

/* Whether type is one of the comma-separated accepted types. */
static int
reply_accepts(const char *accepts, const char *type)
{
	size_t n = strlen(type);

	for (const char *p = accepts; n > 0 && p != NULL; ) {
		if (strncmp(p, type, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		if ((p = strchr(p, ',')) != NULL)
			p++;
	}
	return 0;
}

/* Complete a waiter with a status and a body. */
void
reply_send(struct reply_waiter w, int code, const char *type, const char *body)
{
	struct reply_response resp = { code, type, body };

	w.done(w.arg, &resp);
}

/* Refuse with a status and a short reason (JSON for the API), and log it. */
void
reply_refuse(struct reply_waiter w, const char *path, int code, const char *what,
    const char *type, const char *fmt, ...)
{
	char *reason, *body;
	va_list ap;

	va_start(ap, fmt);
	xvasprintf(&reason, fmt, ap);
	va_end(ap);
	log_warnx("reply: %s %s: %d %s", what, path, code, reason);
	metrics_count_refused(path, code);
	if (strncmp(type, "application/json", 16) == 0) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "error", reason);
		body = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
	} else
		xasprintf(&body, "%s\n", reason);
	reply_send(w, code, type, body);
	free(body);
	free(reason);
}

/*
 * The configured channel a verified request belongs to. Every channel of the
 * platform whose secret verifies the request is a candidate (several
 * channels may share one app's signing secret); among them the one the
 * platform channel id matches wins, else the one holding the reply code,
 * else the first. NULL with *status and *why when none verifies.
 */
static const struct config_channel *
reply_choose_channel(struct replies *r, const struct chat_platform *p,
    const struct chat_inbound *in, const struct chat_answer *a, int64_t now,
    int *status, const char **why)
{
	const struct config_channel *best = NULL, *c;
	struct store_target t;
	enum sig_result v, worst = SIG_MISSING;
	char code[REPLYCODE_LEN + 1];
	int secrets = 0, rank, best_rank = -1;

	for (size_t i = 0; i < r->cfg->nchannels; i++) {
		c = &r->cfg->channels[i];
		if (c->platform != p || !p->has_secret(c))
			continue;
		secrets++;
		if ((v = p->verify(c, in, now)) != SIG_OK) {
			/* A stale but authentic request says more than a bad one. */
			if (v == SIG_STALE || worst == SIG_MISSING)
				worst = v;
			continue;
		}
		rank = 0;
		if (p->names_channel != NULL && p->names_channel(c, a))
			rank = 2;
		else if (a->code != NULL && replycode_normalize(a->code, code) ==
		    0 && store_find_target(r->store, c->name, code, now -
		    CONFIG_MAX_ANSWER_WINDOW, &t) == 1) {
			rank = 1;
			store_target_clear(&t);
		}
		if (rank > best_rank) {
			best = c;
			best_rank = rank;
		}
	}
	if (best != NULL)
		return best;
	if (secrets == 0) {
		*status = 403;
		*why = "no channel of this platform has a secret set, so none "
		    "accepts answers";
	} else if (worst == SIG_STALE) {
		*status = 409;
		*why = sig_result_reason(worst);
	} else if (p->token_secret && worst == SIG_BAD) {
		*status = 403;	/* a token, not a signature: a wrong one is forbidden */
		*why = "the token matches no channel";
	} else {
		*status = 401;
		*why = sig_result_reason(worst);
	}
	return NULL;
}

/*
 * Find the nudge an answer belongs to on channel: by code, or the newest,
 * within its schedule's answer window. 0 and *t, or -1 with a reason (422).
 */
static int
reply_attach(struct replies *r, const char *channel, const char *typed_code,
    int64_t now, struct store_target *t, char **why, int *not_found)
{
	char code[REPLYCODE_LEN + 1];
	int found;

	*not_found = 0;
	if (typed_code != NULL && replycode_normalize(typed_code, code) == -1) {
		xasprintf(why, "\"%s\" is not a reply code; codes are the four "
		    "characters shown with the question", typed_code);
		*not_found = 1;
		return -1;
	}
	found = store_find_target(r->store, channel, typed_code ? code : NULL,
	    now - CONFIG_MAX_ANSWER_WINDOW, t);
	if (found == -1) {
		xasprintf(why, "could not look up the question; try again");
		return -1;
	}
	if (found == 0) {
		*not_found = 1;
		if (typed_code != NULL)
			xasprintf(why, "no question with code %s was sent on this "
			    "channel recently", code);
		else
			xasprintf(why, "no question was sent on this channel "
			    "recently; answer with the code shown with the question");
		return -1;
	}
	return reply_window_open(r, t, now, typed_code ? code : NULL, why);
}

/*
 * Whether answers to t are still taken at now (its schedule's answer
 * window); -1 with the reason, t cleared, when it closed.
 */
int
reply_window_open(struct replies *r, struct store_target *t, int64_t now,
    const char *code, char **why)
{
	const struct config_schedule *sc = config_find_schedule(r->cfg,
	    t->schedule);
	int64_t window = sc != NULL ? sc->answer_window :
	    CONFIG_DEFAULT_ANSWER_WINDOW;

	if (now - t->due_at <= window)
		return 0;
	xasprintf(why, "the question%s%s closed for answers %" PRId64
	    " day(s) ago", code ? " with code " : "", code ? code : "",
	    (now - t->due_at - window) / 86400 + 1);
	store_target_clear(t);
	return -1;
}

/* Answer a platform's request with a receipt in its own form. */
void
reply_respond(struct reply_waiter w, const struct chat_platform *p,
    enum chat_via via, int stored, const char *message)
{
	struct chat_receipt receipt = { .stored = stored, .message = message,
	    .via = via };
	const char *type = "text/plain; charset=utf-8";
	char *out = p->respond(&receipt, &type);

	reply_send(w, 200, type, out);
	free(out);
}

/*
 * Refuse: a form's submission hears why in the form (a 200 that keeps it
 * open), everything else a status and the reason as text.
 */
void
reply_decline(struct reply_waiter w, const char *path,
    const struct chat_platform *p, enum chat_via via, int status,
    const char *why)
{
	if (via != CHAT_VIA_FORM) {
		reply_refuse(w, path, status, p->name, "text/plain; "
		    "charset=utf-8", "%s", why);
		return;
	}
	log_warnx("reply: %s %s: %d %s (in the form)", p->name, path, status,
	    why);
	reply_respond(w, p, via, 0, why);
}

/* A chat platform's reply route. */
void
replies_handle_chat(struct replies *r, const struct reply_request *req,
    const struct chat_route *route, struct reply_waiter w)
{
	const struct chat_platform *p = route->platform;
	struct chat_answer a = { 0 };
	struct chat_inbound in = { .body = req->body, .len = req->len,
	    .content_type = req->content_type, .header = req->header,
	    .ctx = req->ctx };
	const struct config_channel *c;
	const char *type = "text/plain; charset=utf-8", *why = NULL;
	char *cause = NULL;
	int64_t now = clock_now(r->clock);
	int status = 0;

	if (!reply_accepts(route->accepts, req->content_type)) {
		reply_refuse(w, req->path, 415, p->name, type, "unsupported "
		    "content type \"%s\" (expected %s)", req->content_type,
		    route->accepts);
		return;
	}
	if (p->parse(&in, &a, &cause) == -1) {
		reply_refuse(w, req->path, 400, p->name, type, "malformed "
		    "request: %s", cause);
		goto done;
	}
	if ((c = reply_choose_channel(r, p, &in, &a, now, &status, &why)) ==
	    NULL) {
		reply_refuse(w, req->path, status, p->name, type, "%s", why);
		goto done;
	}
	if (a.kind == CHAT_IN_HANDSHAKE)
		reply_send(w, 200, a.handshake_type, a.handshake);
	else if (a.kind == CHAT_IN_OPEN)
		reply_people_open(r, req, p, &a, now, w);
	else if (a.kind == CHAT_IN_IGNORE)
		reply_respond(w, p, a.via, 0, NULL);
	else if (a.via != CHAT_VIA_COMMAND ||
	    !reply_self_handle(r, p, c, &a, now, w))
		reply_take(r, req, p, c, &a, now, w);
done:
	chat_answer_free(&a);
	free(cause);
}

/*
 * Attach an answer to its nudge and queue it for the turn's commit: the
 * nudge its form or thread names, the person's newest in a direct
 * conversation, else by code or the channel's newest.
 */
static void
reply_take(struct replies *r, const struct reply_request *req,
    const struct chat_platform *p, const struct config_channel *c,
    struct chat_answer *a, int64_t now, struct reply_waiter w)
{
	struct reply_pending *pe = xcalloc(1, sizeof *pe);
	char *cause = NULL;
	int rc, status = 422, not_found;

	rc = reply_people_attach(r, p, &c, a, now, &pe->target, &cause,
	    &status);
	/* In a thread nudged did not start, a code decides. */
	if (rc == 0 && a->thread != NULL && a->code == NULL && !a->direct &&
	    a->via == CHAT_VIA_MESSAGE && p->thread_needs_code) {
		log_debug("reply: %s thread reply without a code: ignored",
		    p->name);
		reply_respond(w, p, a->via, 0, NULL);
		free(pe);
		return;
	}
	if (rc == 0) {
		rc = reply_attach(r, c->name, a->code, now, &pe->target, &cause,
		    &not_found);
		/*
		 * A first word that looks like a code but matches no nudge
		 * ("What a week") is part of the answer: give it back and use
		 * the newest nudge (the person's own, in a direct conversation).
		 */
		if (rc == -1 && not_found && a->code != NULL) {
			free(cause);
			cause = NULL;
			chat_answer_restore_code(a);
			rc = reply_people_attach(r, p, &c, a, now, &pe->target,
			    &cause, &status);
			if (rc == 0)
				rc = reply_attach(r, c->name, NULL, now,
				    &pe->target, &cause, &not_found);
		}
		if (rc != -1 && reply_people_check(r, p, &pe->target,
		    a->user_id, &cause) == -1) {
			store_target_clear(&pe->target);
			status = 403;
			rc = -1;
		}
	}
	if (rc == -1) {
		reply_decline(w, req->path, p, a->via, status, cause);
		free(cause);
		free(pe);
		return;
	}
	pe->platform = p;
	pe->via = a->via;
	pe->no_message = a->no_message;
	pe->replaces = a->via == CHAT_VIA_FORM;
	pe->source = p->name;
	pe->channel = xstrdup(c->name);
	pe->user_id = a->user_id;
	pe->user_name = a->user_name;
	pe->text = a->text;
	pe->message_id = a->message_id;
	a->user_id = a->user_name = a->text = a->message_id = NULL;
	pe->received_at = now;
	reply_queue(r, req, pe, w);
}

/*
 * POST /api/v1/replies: {"channel", "user", "text", "code"?, "user_name"?,
 * "id"?} with "Authorization: Bearer <the channel's api_token>", read with
 * the platforms' getters and limits (chat_in_api_parse). "id" makes a retry
 * idempotent; without it each request is a new answer.
 */
void
replies_handle_api(struct replies *r, const struct reply_request *req,
    struct reply_waiter w)
{
	const char *json = "application/json";
	struct chat_inbound in = { .body = req->body, .len = req->len,
	    .content_type = req->content_type, .header = req->header,
	    .ctx = req->ctx };
	struct chat_answer a = { 0 };
	const struct config_channel *c;
	struct reply_pending *pe;
	char *cause = NULL;
	int64_t now = clock_now(r->clock);
	int not_found;

	if (strcmp(req->content_type, "application/json") != 0) {
		reply_refuse(w, req->path, 415, "api", json, "unsupported content "
		    "type \"%s\" (expected application/json)", req->content_type);
		return;
	}
	if (chat_in_api_parse(&in, &a, &cause) == -1) {
		reply_refuse(w, req->path, 400, "api", json, "%s", cause);
		goto done;
	}
	if (req->bearer == NULL) {
		reply_refuse(w, req->path, 401, "api", json, "missing "
		    "\"Authorization: Bearer <token>\"");
		goto done;
	}
	c = config_find_channel(r->cfg, a.route_key);
	if (c == NULL || c->api_token == NULL ||
	    !sig_token_equal(req->bearer, c->api_token)) {
		reply_refuse(w, req->path, 403, "api", json, "unknown channel, or "
		    "a token that is not this channel's api_token");
		goto done;
	}
	pe = xcalloc(1, sizeof *pe);
	if (reply_attach(r, c->name, a.code, now, &pe->target, &cause,
	    &not_found) == -1) {
		reply_refuse(w, req->path, 422, "api", json, "%s", cause);
		free(pe);
		goto done;
	}
	pe->source = "api";
	pe->channel = xstrdup(c->name);
	pe->user_id = a.user_id;
	pe->user_name = a.user_name;
	pe->text = a.text;
	a.user_id = a.user_name = a.text = NULL;
	if (a.message_id != NULL)
		xasprintf(&pe->message_id, "%s:%s", c->name, a.message_id);
	else
		xasprintf(&pe->message_id, "%s:%08x%08x", c->name, arc4random(),
		    arc4random());
	pe->received_at = now;
	reply_queue(r, req, pe, w);
done:
	chat_answer_free(&a);
	free(cause);
}

/* Hold an accepted answer for this turn's commit. */
static void
reply_queue(struct replies *r, const struct reply_request *req,
    struct reply_pending *pe, struct reply_waiter w)
{
	struct timeval soon = { 0, 0 };

	pe->waiter = w;
	pe->path = xstrdup(req->path);
	pe->next = r->pending;
	r->pending = pe;
	r->npending++;
	if (!evtimer_pending(r->flush, NULL))
		evtimer_add(r->flush, &soon);
}

/*
 * Once per loop turn: every answer that arrived is committed in one
 * transaction, then each sender is answered. When the store refuses, nobody
 * gets a 2xx and nothing was stored: the platforms will retry.
 */
static void
reply_flush_cb(evutil_socket_t fd, short what, void *arg)
{
	struct replies *r = arg;
	struct reply_pending *pe, *next;
	int failed = store_begin(r->store) == -1;

	(void)fd;
	(void)what;
	for (pe = r->pending; pe != NULL && !failed; pe = pe->next) {
		struct store_reply sr = {
			.delivery_id = pe->target.id,
			.channel = pe->channel,
			.user_id = pe->user_id,
			.user_name = pe->user_name,
			.text = pe->text,
			.received_at = pe->received_at,
			.source = pe->source,
			.message_id = pe->message_id,
		};

		pe->result = pe->replaces ? store_put_reply(r->store, &sr) :
		    store_add_reply(r->store, &sr, NULL);
		failed = pe->result == -1;
	}
	if (failed || (failed = store_commit(r->store) == -1)) {
		store_rollback(r->store);
		log_warnx("reply: the store refused %zu answer%s; answering 503",
		    r->npending, r->npending == 1 ? "" : "s");
	}
	if (!failed)
		log_info("reply: committed %zu answer%s", r->npending,
		    r->npending == 1 ? "" : "s");
	for (pe = r->pending; pe != NULL; pe = next) {
		next = pe->next;
		if (failed)
			reply_refuse(pe->waiter, pe->path, 503, pe->source,
			    "text/plain; charset=utf-8", "could not store the "
			    "answer now; please try again");
		else {
			metrics_count_answer(pe->path);
			reply_answer(r, pe);
		}
		reply_pending_free(pe);
	}
	r->pending = NULL;
	r->npending = 0;
}

/* The sentence the person sees: which question, and their streak. */
static char *
reply_receipt_text(struct replies *r, const struct reply_pending *pe,
    int64_t streak)
{
	const struct bank_prompt *p = bank_find(r->bank, pe->target.prompt_id);
	char *s;

	xasprintf(&s, "%s your answer to \"%s\"%s%" PRId64 " in a row.",
	    pe->result == 0 ? "Already saved:" : "Saved",
	    p != NULL ? p->text : pe->target.prompt_id, " Streak: ", streak);
	return s;
}

/* Tell the sender the answer is stored, in the platform's own form. */
static void
reply_answer(struct replies *r, struct reply_pending *pe)
{
	struct chat_receipt receipt = { 0 };
	const char *type = "application/json";
	int64_t streak = 0;
	char *text, *out;
	cJSON *o;

	streak = reply_people_streak(r, pe);
	text = reply_receipt_text(r, pe, streak);
	log_debug("reply: %s answer of %s to delivery %" PRId64 " on channel %s%s",
	    pe->source, pe->user_id, pe->target.id, pe->channel,
	    pe->result == 0 ? " (already stored)" : "");
	if (pe->platform != NULL) {
		receipt.via = pe->via;
		receipt.no_message = pe->no_message;
		receipt.stored = 1;
		receipt.duplicate = pe->result == 0;
		receipt.message = text;
		receipt.streak = streak;
		out = pe->platform->respond(&receipt, &type);
	} else {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "status", pe->result == 0 ?
		    "duplicate" : "stored");
		cJSON_AddNumberToObject(o, "delivery_id", (double)pe->target.id);
		cJSON_AddStringToObject(o, "prompt_id", pe->target.prompt_id);
		cJSON_AddNumberToObject(o, "streak", (double)streak);
		cJSON_AddStringToObject(o, "message", text);
		out = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
	}
	reply_send(pe->waiter, 200, type, out);
	if (pe->platform != NULL && pe->result == 1)
		reply_people_answered(r, pe, streak);
	free(out);
	free(text);
}

/* Free a pending answer. */
static void
reply_pending_free(struct reply_pending *pe)
{
	store_target_clear(&pe->target);
	free(pe->path);
	free(pe->channel);
	free(pe->user_id);
	free(pe->user_name);
	free(pe->text);
	free(pe->message_id);
	free(pe);
}
