/* SPDX-License-Identifier: ISC */
/* libcurl's multi_socket interface driven by a libevent loop. */
#ifndef NUDGED_CURLEV_H
#define NUDGED_CURLEV_H

#include <curl/curl.h>

struct event_base;
struct curlev;

struct curlev	*curlev_new(struct event_base *,
		    void (*done)(void *, CURL *, CURLcode), void *arg);
int		 curlev_add(struct curlev *, CURL *);
CURL		*curlev_request(const char *url, const char *method,
		    const char *content_type, const char *body, size_t len,
		    char *const *headers, size_t nheaders, long timeout_ms,
		    long connect_ms, struct curl_slist **list);
void		 curlev_remove(struct curlev *, CURL *);
void		 curlev_set_max_connections(struct curlev *, long);
void		 curlev_free(struct curlev *);

#endif
