/* SPDX-License-Identifier: ISC */
/*
 * One post over HTTP: the request composed for a channel goes out through a
 * libcurl easy handle with timeouts, the platform's headers and no signals;
 * the answer's body (up to a limit: it only ever holds a reason) and its
 * Retry-After are kept for the platform to judge. Only the URL's scheme and
 * host are kept for logs: the rest of a webhook URL is a secret.
 */
#include "deliver_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "config.h"
#include "curlev.h"
#include "deliver_rate.h"
#include "store.h"
#include "url.h"
#include "xmalloc.h"

#define DELIVER_MAX_RESPONSE	(64 * 1024)
/* Header lines kept for the platform (rate-limit headers are short). */
#define DELIVER_MAX_HEADERS	(16 * 1024)

static size_t	deliver_http_write_cb(char *, size_t, size_t, void *);
static size_t	deliver_http_header_cb(char *, size_t, size_t, void *);

/*
 * Post a composed request to channel c: 1 when it is done already (a console
 * channel prints it), 0 when it is in flight on curl, -1 when libcurl
 * refused it.
 */
int
deliver_http_post(struct deliver_transfer *t, struct curlev *curl,
    const struct config_channel *c, const struct config_delivery *cd)
{
	char *url;

	if (!t->platform->posts_http) {
		fwrite(t->req.body, 1, t->req.body_len, stdout);
		fflush(stdout);
		t->host = xstrdup("stdout");
		return 1;
	}
	url = t->url != NULL ? xstrdup(t->url) : chat_post_url(c);
	t->host = url_host(url);
	t->easy = curlev_request(url, t->req.method, t->req.content_type,
	    t->req.body, t->req.body_len, t->req.headers, t->req.nheaders,
	    (long)cd->timeout * 1000, (long)cd->connect_timeout * 1000,
	    &t->headers);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, deliver_http_write_cb);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_HEADERFUNCTION, deliver_http_header_cb);
	curl_easy_setopt(t->easy, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	free(url);	/* libcurl copied the URL string */
	return curlev_add(curl, t->easy);
}

/* Collect the response body, up to a limit (it only ever holds a reason). */
static size_t
deliver_http_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct deliver_transfer *t = arg;
	size_t len = size * n, keep = len;

	if (t->resp_len + keep > DELIVER_MAX_RESPONSE)
		keep = DELIVER_MAX_RESPONSE - t->resp_len;
	t->resp = xreallocarray(t->resp, t->resp_len + keep + 1, 1);
	memcpy(t->resp + t->resp_len, data, keep);
	t->resp_len += keep;
	t->resp[t->resp_len] = '\0';
	return len;
}

/*
 * Catch Retry-After (RFC 9110 section 10.2.3), in seconds or as an HTTP
 * date, and keep the final answer's header lines for the platform to read.
 */
static size_t
deliver_http_header_cb(char *data, size_t size, size_t n, void *arg)
{
	struct deliver_transfer *t = arg;
	size_t len = size * n;
	char *value;

	if (len > 5 && strncmp(data, "HTTP/", 5) == 0)
		free(strbuf_take(&t->resp_headers));
	if (t->resp_headers.len + len <= DELIVER_MAX_HEADERS)
		strbuf_addn(&t->resp_headers, data, len);

	if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
		value = xstrndup(data + 12, len - 12);
		if (deliver_rate_retry_after(value, clock_now_ms(t->clock),
		    &t->retry_after_ms) == -1)
			t->retry_after_ms = -1;
		free(value);
	}
	return len;
}

/* What a finished post came to: the text to log and store, the platform's verdict and delay hint. */
char *
deliver_http_verdict(struct deliver_transfer *t, CURLcode res,
    enum chat_outcome *outcome, int64_t *hint_ms)
{
	char *reason = NULL, *text;
	long status = 0;

	t->status = 0;
	*outcome = CHAT_RETRY;
	*hint_ms = -1;
	if (res != CURLE_OK) {
		xasprintf(&text, "%s: %s", t->host, curl_easy_strerror(res));
		return text;
	}
	if (t->easy != NULL)
		curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	t->status = status;
	*outcome = t->platform->classify(status, t->resp ? t->resp : "",
	    t->resp_len, &reason, hint_ms);
	if (*hint_ms < 0)
		*hint_ms = t->retry_after_ms;
	xasprintf(&text, "%s: HTTP %ld%s%s", t->host, status, reason ? ": " :
	    "", reason ? reason : "");
	free(reason);
	return text;
}

/* Make a finished transfer ready to carry its next request, keeping whose it is. */
void
deliver_http_rewind(struct deliver_transfer *t)
{
	if (t->easy != NULL)
		curl_easy_cleanup(t->easy);
	t->easy = NULL;
	curl_slist_free_all(t->headers);
	t->headers = NULL;
	chat_request_free(&t->req);
	free(t->url);
	free(t->host);
	free(t->resp);
	t->url = t->host = t->resp = NULL;
	t->resp_len = 0;
	t->retry_after_ms = -1;
	free(strbuf_take(&t->resp_headers));
	chat_direct_answer_free(&t->answer);
}

/* Free a transfer and everything libcurl needed kept alive for it. */
void
deliver_http_free(struct deliver_transfer *t)
{
	deliver_http_rewind(t);
	free(t->channel);
	free(t->schedule);
	free(t->person);
	free(t->thread);
	free(t->major);
	if (t->row != NULL)
		store_outbox_free(t->row, 1);
	free(t);
}
