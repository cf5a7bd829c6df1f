/* SPDX-License-Identifier: ISC */
/*
 * One post of the outbox: the libcurl easy handle that carries a composed
 * request to a channel's webhook (or the text a console channel prints), and
 * the platform's verdict on it. deliver.c keeps the list and the outbox.
 */
#ifndef NUDGED_DELIVER_HTTP_H
#define NUDGED_DELIVER_HTTP_H

#include <curl/curl.h>
#include <stddef.h>
#include <stdint.h>

#include "chat/chat.h"
#include "strbuf.h"

struct clock;
struct config_channel;
struct config_delivery;
struct curlev;
struct deliver;
struct store_outbox_row;

/* One post in flight. */
struct deliver_transfer {
	struct deliver		*d;		/* the worker that started it */
	CURL			*easy;
	struct curl_slist	*headers;
	struct chat_request	 req;
	const struct chat_platform *platform;
	int64_t			 id;
	char			*schedule;	/* for metrics */
	int64_t			 due_at;
	int64_t			 expiry;
	int64_t			 attempts;
	char			*channel;
	char			*host;		/* scheme://host, safe to log */
	char			*resp;
	size_t			 resp_len;
	const struct clock	*clock;		/* to read Retry-After dates */
	int64_t			 retry_after_ms;	/* from the header, or -1 */
	struct strbuf		 resp_headers;	/* the answer's header lines */
	long			 status;	/* the HTTP status, 0: none came */
	int			 counted;	/* in its channel's in_flight */
	int			 quiet;		/* its failure was told already */
	/* A call of the platform's API rather than a webhook post. */
	int			 api;
	enum chat_direct_call	 call;
	char			*url;		/* secret; NULL: the webhook */
	char			*person;	/* "" for the channel's own post */
	char			*thread;	/* message to answer in, or NULL */
	char			*major;		/* POST: the conversation */
	struct store_outbox_row	*row;		/* to compose the post once open */
	struct chat_direct_answer answer;
	struct deliver_transfer	*next;
};

int	 deliver_http_post(struct deliver_transfer *, struct curlev *,
	    const struct config_channel *, const struct config_delivery *);
char	*deliver_http_verdict(struct deliver_transfer *, CURLcode,
	    enum chat_outcome *, int64_t *hint_ms);
void	 deliver_http_rewind(struct deliver_transfer *);
void	 deliver_http_free(struct deliver_transfer *);

#endif
