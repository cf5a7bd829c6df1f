/* SPDX-License-Identifier: ISC */
/*
 * Calls to a platform's API made on the loop: each is a libcurl easy handle
 * on its own multi (curlev.c), with connect and total timeouts, no signals
 * and HTTP(S) only; the answer's body is kept up to a limit and handed to
 * the caller's callback when the transfer ends. Nothing here blocks, and
 * nothing logs the URL or the headers: they carry tokens.
 */
#include "apicall.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "chat/chat.h"
#include "curlev.h"
#include "log.h"
#include "xmalloc.h"

/* An API's answer is a small JSON object; more than this is not read. */
#define APICALL_MAX_RESPONSE	(64 * 1024)
/* Connecting takes at most this long, whatever the call's timeout. */
#define APICALL_CONNECT_MS	5000L

/* One call in flight. */
struct apicall_call {
	struct apicall		*owner;
	CURL			*easy;
	struct curl_slist	*headers;
	struct chat_request	 req;
	char			*resp;
	size_t			 len;
	apicall_cb		 cb;
	void			*arg;
	struct apicall_call	*prev, *next;
};

struct apicall {
	struct curlev		*curl;
	struct apicall_call	*calls;
	size_t			 ncalls;
};

static void	apicall_done_cb(void *, CURL *, CURLcode);
static size_t	apicall_write_cb(char *, size_t, size_t, void *);
static void	apicall_finish(struct apicall_call *, long, const char *);

/* A caller of APIs on base. */
struct apicall *
apicall_new(struct event_base *base)
{
	struct apicall *a = xcalloc(1, sizeof *a);

	if ((a->curl = curlev_new(base, apicall_done_cb, a)) == NULL)
		fatalx("apicall: libcurl could not start a multi handle");
	return a;
}

/* End every call in flight, telling each caller, then free. */
void
apicall_free(struct apicall *a)
{
	if (a == NULL)
		return;
	while (a->calls != NULL) {
		curlev_remove(a->curl, a->calls->easy);
		apicall_finish(a->calls, 0, "nudged is stopping");
	}
	curlev_free(a->curl);
	free(a);
}

/* How many calls are in flight. */
size_t
apicall_pending(const struct apicall *a)
{
	return a->ncalls;
}

/* Start a POST of req to url; cb hears how it ended. */
int
apicall_post(struct apicall *a, const char *url, struct chat_request *req,
    long timeout_ms, apicall_cb cb, void *arg)
{
	struct apicall_call *c = xcalloc(1, sizeof *c);

	c->owner = a;
	c->req = *req;
	memset(req, 0, sizeof *req);
	c->cb = cb;
	c->arg = arg;
	c->easy = curlev_request(url, c->req.method, c->req.content_type,
	    c->req.body, c->req.body_len, c->req.headers, c->req.nheaders,
	    timeout_ms, timeout_ms < APICALL_CONNECT_MS ? timeout_ms :
	    APICALL_CONNECT_MS, &c->headers);
	curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, apicall_write_cb);
	curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
	if (curlev_add(a->curl, c->easy) == -1) {
		curl_slist_free_all(c->headers);
		curl_easy_cleanup(c->easy);
		chat_request_free(&c->req);
		free(c);
		return -1;
	}
	c->next = a->calls;
	if (a->calls != NULL)
		a->calls->prev = c;
	a->calls = c;
	a->ncalls++;
	return 0;
}

/* Keep the answer's body, up to a limit. */
static size_t
apicall_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct apicall_call *c = arg;
	size_t len = size * n, room = APICALL_MAX_RESPONSE - c->len;

	if (len > room)
		len = room;
	c->resp = xreallocarray(c->resp, c->len + len + 1, 1);
	memcpy(c->resp + c->len, data, len);
	c->len += len;
	c->resp[c->len] = '\0';
	return size * n;
}

/* A transfer ended (libcurl has let go of it): tell its caller. */
static void
apicall_done_cb(void *arg, CURL *easy, CURLcode res)
{
	struct apicall_call *c = NULL;
	long status = 0;

	(void)arg;
	curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
	if (res == CURLE_OK)
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
	apicall_finish(c, status, res == CURLE_OK ? NULL :
	    curl_easy_strerror(res));
}

/* Hand a call's outcome to its caller and free it. */
static void
apicall_finish(struct apicall_call *c, long status, const char *error)
{
	struct apicall *a = c->owner;
	struct apicall_result r = { status, c->resp != NULL ? c->resp : "",
	    c->len, error };

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		a->calls = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	a->ncalls--;
	c->cb(c->arg, &r);
	curl_slist_free_all(c->headers);
	curl_easy_cleanup(c->easy);
	chat_request_free(&c->req);
	free(c->resp);
	free(c);
}
