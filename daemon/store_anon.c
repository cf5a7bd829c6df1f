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
static int	 store_anon_rewrite_user(struct store *, const char *,
		    const char *, int64_t *);
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

/* A channel's answers that still name someone: kept under a user id or with a name. */
#define STORE_ANON_EXPOSED \
	"channel = ?1 AND (substr(user_id, 1, 5) <> '" STORE_ANON_PREFIX "' " \
	"OR user_name IS NOT NULL)"

/* Rewrite one user id's exposed answers on a channel; adds to *changed. */
static int
store_anon_rewrite_user(struct store *st, const char *channel,
    const char *user_id, int64_t *changed)
{
	struct db_stmt	*stmt = store_cached(st, "UPDATE replies SET user_id = "
	    "?3, user_name = NULL WHERE user_id = ?2 AND " STORE_ANON_EXPOSED);
	char		*pseudonym = NULL;
	int		 rc;

	if (stmt == NULL)
		return -1;
	/* An id that is a pseudonym already only loses its name. */
	if (strncmp(user_id, STORE_ANON_PREFIX, strlen(STORE_ANON_PREFIX)) != 0)
		pseudonym = store_anon_pseudonym(st, user_id);
	db_bind_text(stmt, 1, channel);
	db_bind_text(stmt, 2, user_id);
	db_bind_text(stmt, 3, pseudonym != NULL ? pseudonym : user_id);
	rc = db_step(stmt);
	db_done(stmt);
	free(pseudonym);
	if (rc != DB_DONE)
		return -1;
	*changed += db_changes(st->db);
	return 0;
}

/*
 * Rewrite a channel's answers kept under user ids, overwriting the old
 * bytes: pseudonyms are made here in C, so every engine stores the same.
 */
static int
store_anon_rewrite(struct store *st, const char *channel)
{
	int		 sqlite = db_dialect(st->db) == DB_SQLITE;
	struct db_stmt	*stmt;
	char		**users = NULL;
	size_t		 n = 0;
	int64_t		 changed = 0;
	int		 rc, failed = 0;

	if ((sqlite && store_exec(st, "PRAGMA secure_delete = ON") == -1) ||
	    store_begin(st) == -1)
		return -1;
	if ((stmt = store_prepare(st, "SELECT DISTINCT user_id FROM replies "
	    "WHERE " STORE_ANON_EXPOSED)) == NULL) {
		store_rollback(st);
		return -1;
	}
	db_bind_text(stmt, 1, channel);
	while ((rc = db_step(stmt)) == DB_ROW) {
		users = xreallocarray(users, n + 1, sizeof *users);
		users[n++] = xstrdup(store_text_or_empty(stmt, 0));
	}
	db_done(stmt);
	failed = rc != DB_DONE;
	for (size_t i = 0; i < n; i++) {
		if (!failed)
			failed = store_anon_rewrite_user(st, channel, users[i],
			    &changed) == -1;
		free(users[i]);
	}
	free(users);
	/* Nothing kept under the old ids: the kept measures start again. */
	if (!failed && changed > 0)
		failed = store_habits_forget_channel(st, channel) == -1;
	if (failed || store_commit(st) == -1) {
		log_warnx("store: anonymous channel %s: %s", channel,
		    db_error(st->db));
		store_rollback(st);
		return -1;
	}
	if (changed > 0) {
		log_info("store: channel %s is anonymous: %lld answers now kept "
		    "under pseudonyms", channel, (long long)changed);
		if (sqlite)
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
