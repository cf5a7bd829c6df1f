/* SPDX-License-Identifier: ISC */
/*
 * The pauses of a channel's API calls. A pause of a kind of call holds it
 * on every route (a platform that counts per call and token, or a global
 * limit). Discord counts per route instead: "rate limits are applied on a
 * per-route basis" and routes share a bucket named by X-RateLimit-Bucket,
 * counted per major parameter such as a channel id
 * (discord.com/developers/docs/topics/rate-limits). So a spent bucket holds
 * only the calls whose route is in it, for the same major parameter: a post
 * to one person's DM waits while another person's DM takes posts.
 */
#include <stdlib.h>
#include <string.h>

#include "deliver_pause.h"
#include "xmalloc.h"

static void	deliver_pause_prune(struct deliver_pause *, int64_t);

/* How long a call on a route (major: its channel id, or "") waits (ms). */
int64_t
deliver_pause_wait(const struct deliver_pause *p, enum chat_direct_call call,
    const char *major, int64_t now)
{
	const char *bucket = p->route[call];
	int64_t wait = p->call_ms[call] - now;

	if (bucket == NULL)
		return wait > 0 ? wait : 0;
	for (size_t i = 0; i < p->nspent; i++)
		if (strcmp(p->spent[i].bucket, bucket) == 0 &&
		    strcmp(p->spent[i].major, major != NULL ? major : "") == 0 &&
		    p->spent[i].until - now > wait)
			wait = p->spent[i].until - now;
	return wait > 0 ? wait : 0;
}

/*
 * The platform put a call's route in a bucket; with until later than now,
 * that bucket is spent for the major parameter until then.
 */
void
deliver_pause_bucket(struct deliver_pause *p, enum chat_direct_call call,
    const char *major, const char *bucket, int64_t until, int64_t now)
{
	struct deliver_pause_bucket *b;

	if (major == NULL)
		major = "";
	if (p->route[call] == NULL || strcmp(p->route[call], bucket) != 0) {
		free(p->route[call]);
		p->route[call] = xstrdup(bucket);
	}
	deliver_pause_prune(p, now);
	if (until <= now)
		return;
	for (size_t i = 0; i < p->nspent; i++) {
		b = &p->spent[i];
		if (strcmp(b->bucket, bucket) == 0 &&
		    strcmp(b->major, major) == 0) {
			if (b->until < until)
				b->until = until;
			return;
		}
	}
	p->spent = xreallocarray(p->spent, p->nspent + 1, sizeof *p->spent);
	b = &p->spent[p->nspent++];
	b->bucket = xstrdup(bucket);
	b->major = xstrdup(major);
	b->until = until;
}

/* Forget the buckets that have refilled. */
static void
deliver_pause_prune(struct deliver_pause *p, int64_t now)
{
	size_t kept = 0;

	for (size_t i = 0; i < p->nspent; i++) {
		if (p->spent[i].until > now) {
			p->spent[kept++] = p->spent[i];
			continue;
		}
		free(p->spent[i].bucket);
		free(p->spent[i].major);
	}
	p->nspent = kept;
}

/* Move a channel's pauses to its rebuilt self (from is left empty). */
void
deliver_pause_keep(struct deliver_pause *to, struct deliver_pause *from)
{
	deliver_pause_free(to);
	*to = *from;
	memset(from, 0, sizeof *from);
}

/* Free a channel's pauses. */
void
deliver_pause_free(struct deliver_pause *p)
{
	for (int call = 0; call < CHAT_DIRECT_NCALLS; call++)
		free(p->route[call]);
	for (size_t i = 0; i < p->nspent; i++) {
		free(p->spent[i].bucket);
		free(p->spent[i].major);
	}
	free(p->spent);
	memset(p, 0, sizeof *p);
}
