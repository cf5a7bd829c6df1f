/* SPDX-License-Identifier: ISC */
/*
 * Webhook URLs are secrets (the path carries the token). Both questions
 * nudged asks of one, whether it may be posted to and what of it may be
 * logged, are answered from one parse by libcurl's own URL parser, so the
 * host checked is the host libcurl connects to.
 */
#include "url.h"

#include <curl/curl.h>
#include <string.h>

#include "xmalloc.h"

/* A webhook URL's scheme and host as libcurl parses them. */
struct url_parts {
	char	*scheme;
	char	*host;
};

static int	url_parse(const char *, struct url_parts *);
static void	url_parts_free(struct url_parts *);

/* Parse url into its scheme and non-empty host: 0, or -1 when it is not a URL. */
static int
url_parse(const char *url, struct url_parts *p)
{
	CURLU *u = curl_url();
	int rc = -1;

	p->scheme = p->host = NULL;
	if (u != NULL && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &p->scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &p->host, 0) == CURLUE_OK &&
	    *p->host != '\0')
		rc = 0;
	curl_url_cleanup(u);
	return rc;
}

/* Free what url_parse allocated. */
static void
url_parts_free(struct url_parts *p)
{
	curl_free(p->scheme);
	curl_free(p->host);
}

/*
 * Whether a webhook URL may be used: https to any host, or plain http only
 * to this machine, the host compared exactly as libcurl parses it (so
 * "http://127.0.0.1.example.com" and "http://localhost@example.com" fail).
 */
int
url_webhook_allowed(const char *url)
{
	struct url_parts p;
	int ok = 0;

	if (url_parse(url, &p) == 0) {
		if (strcmp(p.scheme, "https") == 0)
			ok = 1;
		else if (strcmp(p.scheme, "http") == 0)
			ok = strcmp(p.host, "127.0.0.1") == 0 ||
			    strcmp(p.host, "localhost") == 0 ||
			    strcmp(p.host, "[::1]") == 0;
	}
	url_parts_free(&p);
	return ok;
}

/* "scheme://host" of a URL, the only part of a webhook that may be logged. */
char *
url_host(const char *url)
{
	struct url_parts p;
	char *out;

	if (url_parse(url, &p) == 0)
		xasprintf(&out, "%s://%s", p.scheme, p.host);
	else
		out = xstrdup("(unparsable URL)");
	url_parts_free(&p);
	return out;
}
