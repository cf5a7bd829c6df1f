/* SPDX-License-Identifier: ISC */
/*
 * Anonymous channels in the store: an answer there is kept under a keyed
 * pseudonym, "anon-" and the hex HMAC-SHA256 of the user id under a key
 * made once per installation (a CSPRNG, kept in the meta table), never
 * under the user id or name. The database holds no one's id or name for
 * such a channel, while one person's answers still share one pseudonym, so
 * streaks and counts work; `nudged forget USER` finds the rows through the
 * same key. Rows stored before a channel became anonymous are rewritten
 * when the store learns of it.
 */
#include "store.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sig.h"
#include "store_int.h"
#include "xmalloc.h"

/* Where the key lives in the meta table. */
#define STORE_ANON_META_KEY	"pseudonym_key"
/* What every pseudonym starts with, so none is taken for a user id. */
#define STORE_ANON_PREFIX	"anon-"

static int	 store_anon_key(struct store *, int);
static char	*store_anon_pseudonym(const struct store *, const char *);
static void	 store_anon_sql_cb(sqlite3_context *, int, sqlite3_value **);
static int	 store_anon_channel(const struct store *, const char *);
static int	 store_anon_rewrite(struct store *, const char *);

/*
 * Load the installation's key into st (creating it when create is set and
 * there is none): 1 loaded, 0 there is none, -1 error.
 */
static int
store_anon_key(struct store *st, int create)
{
	int found;

	if (st->anon_loaded)
		return 1;
	if ((found = store_keys_load(st, STORE_ANON_META_KEY, st->anon_key,
	    create)) != 1)
		return found;
	if (sqlite3_create_function(st->db, "nudged_pseudonym", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC, st, store_anon_sql_cb, NULL,
	    NULL) != SQLITE_OK)
		return -1;
	st->anon_loaded = 1;
	return 1;
}

/* The pseudonym of a user id under the loaded key (allocated). */
static char *
store_anon_pseudonym(const struct store *st, const char *user_id)
{
	unsigned char	 mac[32];
	char		*hex, *out;

	sig_hmac_sha256(st->anon_key, sizeof st->anon_key, user_id,
	    strlen(user_id), mac);
	hex = sig_hex_encode(mac, sizeof mac);
	xasprintf(&out, STORE_ANON_PREFIX "%s", hex);
	free(hex);
	return out;
}

/* SQL nudged_pseudonym(user_id), for rewriting rows in place. */
static void
store_anon_sql_cb(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char	*user = sqlite3_value_text(argv[0]);
	char			*p;

	(void)argc;
	if (user == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	p = store_anon_pseudonym(sqlite3_user_data(ctx), (const char *)user);
	sqlite3_result_text(ctx, p, -1, free);
}

/* Whether answers on channel are kept under pseudonyms. */
static int
store_anon_channel(const struct store *st, const char *channel)
{
	for (size_t i = 0; i < st->nanon; i++)
		if (strcmp(st->anon[i], channel) == 0)
			return 1;
	return 0;
}

/*
 * The id an answer on channel is kept under: a pseudonym on an anonymous
 * channel (allocated into *owned), else user_id itself.
 */
const char *
store_anon_user(const struct store *st, const char *channel,
    const char *user_id, char **owned)
{
	*owned = NULL;
	if (user_id == NULL || !store_anon_channel(st, channel))
		return user_id;
	return *owned = store_anon_pseudonym(st, user_id);
}

/* Rewrite a channel's answers kept under user ids, overwriting the old bytes. */
static int
store_anon_rewrite(struct store *st, const char *channel)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	if (store_exec(st, "PRAGMA secure_delete = ON") == -1 ||
	    store_begin(st) == -1)
		return -1;
	if ((stmt = store_prepare(st, "UPDATE replies SET user_id = CASE WHEN "
	    "user_id GLOB '" STORE_ANON_PREFIX "*' THEN user_id ELSE "
	    "nudged_pseudonym(user_id) END, user_name = NULL WHERE channel = ?1 "
	    "AND (user_id NOT GLOB '" STORE_ANON_PREFIX "*' OR user_name IS NOT "
	    "NULL)")) == NULL) {
		store_rollback(st);
		return -1;
	}
	sqlite3_bind_text(stmt, 1, channel, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE || store_commit(st) == -1) {
		log_warnx("store: anonymous channel %s: %s", channel,
		    sqlite3_errmsg(st->db));
		store_rollback(st);
		return -1;
	}
	if (sqlite3_changes(st->db) > 0) {
		log_info("store: channel %s is anonymous: %d answers now kept "
		    "under pseudonyms", channel, sqlite3_changes(st->db));
		store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)");
	}
	return 0;
}

/*
 * The channels whose answers are kept under pseudonyms (replacing the
 * previous list): makes the key on first need and rewrites rows stored
 * under user ids. -1 when the store cannot.
 */
int
store_anon_set(struct store *st, const char *const *channels, size_t n)
{
	for (size_t i = 0; i < st->nanon; i++)
		free(st->anon[i]);
	free(st->anon);
	st->anon = NULL;
	st->nanon = 0;
	if (n == 0)
		return 0;
	if (store_anon_key(st, 1) != 1)
		return -1;
	st->anon = xcalloc(n, sizeof *st->anon);
	for (size_t i = 0; i < n; i++) {
		st->anon[st->nanon++] = xstrdup(channels[i]);
		if (store_anon_rewrite(st, channels[i]) == -1)
			return -1;
	}
	return 0;
}

/*
 * The pseudonym of user_id when this installation has a key (allocated),
 * else NULL: for finding a person's rows on every channel.
 */
char *
store_anon_lookup(struct store *st, const char *user_id)
{
	if (store_anon_key(st, 0) != 1)
		return NULL;
	return store_anon_pseudonym(st, user_id);
}
