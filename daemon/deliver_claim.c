/* SPDX-License-Identifier: ISC */
/*
 * Claims when several instances share one store. A claim holds for a lease;
 * an instance that dies leaves its claims to run out, and any other takes
 * them again, so the lease must outlast every request a delivery can make.
 * On a store only one instance uses (SQLite) nobody else enqueues or
 * abandons rows, so nothing polls.
 */
#include "deliver_claim.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

/*
 * Past the requests themselves: the commit of their outcome (the next loop
 * turn, or a retry a second later) and instances' clocks a little apart.
 */
#define DELIVER_CLAIM_MARGIN_S	5
/*
 * How often an instance on a shared store looks for rows it did not enqueue
 * (the API on another instance, a retry of one that died) and expired
 * claims: short enough that a dead instance's nudges go out within seconds
 * of its lease, long enough to cost the database nothing worth measuring.
 */
#define DELIVER_CLAIM_POLL_MS	2000

/* host:pid:random, unique among live instances and across restarts. */
char *
deliver_claim_instance(void)
{
	char host[256] = "localhost", *id;

	if (gethostname(host, sizeof host) == -1)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	xasprintf(&id, "%s:%ld:%08x", host, (long)getpid(), arc4random());
	return id;
}

/* A direct message makes two calls at most (open the conversation, post). */
int64_t
deliver_claim_lease(const struct config_delivery *cd)
{
	return 2 * cd->timeout + DELIVER_CLAIM_MARGIN_S;
}

/*
 * Claims left by a stop or crash: on a store of its own, every row still
 * `sending` was this instance's; on a shared one, only expired claims are
 * (live instances hold the others).
 */
int
deliver_claim_recover(struct store *st, int64_t now)
{
	int64_t recovered = 0;

	if (store_recover_sending(st, now, &recovered) == -1)
		return -1;
	if (recovered > 0)
		log_notice("deliver: %" PRId64 " deliver%s interrupted by a stop "
		    "or crash will be sent again", recovered,
		    recovered == 1 ? "y" : "ies");
	return 0;
}

int64_t
deliver_claim_poll(struct store *st, int64_t wake_ms)
{
	if (!store_shared(st))
		return wake_ms;
	return wake_ms == -1 || wake_ms > DELIVER_CLAIM_POLL_MS ?
	    DELIVER_CLAIM_POLL_MS : wake_ms;
}
