/* SPDX-License-Identifier: ISC */
/*
 * Nudges opened by an event: POST /api/v1/nudges lets a CI pipeline or an
 * incident tool enqueue a schedule's nudge now, with a context line shown
 * above the question, idempotent by the caller's id. Like the answer
 * pipeline (reply.h) it never sees HTTP: httpd hands it a request already
 * read and a waiter it completes once, after the commit.
 */
#ifndef NUDGED_API_NUDGES_H
#define NUDGED_API_NUDGES_H

#include "reply.h"

struct api_nudges;
struct bank;
struct clock;
struct config;
struct deliver;
struct store;

struct api_nudges *api_nudges_new(const struct clock *, struct store *,
		    const struct config *, const struct bank *,
		    struct deliver *);
void		 api_nudges_reload(struct api_nudges *, const struct config *,
		    const struct bank *);
void		 api_nudges_free(struct api_nudges *);
void		 api_nudges_handle(struct api_nudges *,
		    const struct reply_request *, struct reply_waiter);

#endif
