/* SPDX-License-Identifier: ISC */
/*
 * Keys made once per installation and kept in the store's meta table as
 * hex: 32 bytes from a CSPRNG, never logged. The pseudonym key of
 * anonymous channels (store_anon.c) and the key that signs what nudged
 * puts into a platform's callbacks which the platform does not sign
 * (a button's context, a dialog's state).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "log.h"
#include "sig.h"
#include "store_int.h"
#include "xmalloc.h"

/* Where the callback key lives in the meta table. */
#define STORE_KEYS_CALLBACK	"callback_key"

static int	store_keys_make(struct store *, const char *);

/* Make the key called name unless there is one (another process may race). */
static int
store_keys_make(struct store *st, const char *name)
{
	unsigned char	 key[STORE_KEY_LEN];
	struct db_stmt	*stmt;
	char		*hex;
	int		 rc;

	if (RAND_bytes(key, sizeof key) != 1) {
		log_warnx("store: no random bytes for the %s", name);
		return -1;
	}
	hex = sig_hex_encode(key, sizeof key);
	explicit_bzero(key, sizeof key);
	if ((stmt = store_prepare(st, "INSERT INTO meta (key, value) VALUES "
	    "(?1, ?2) ON CONFLICT (key) DO NOTHING")) == NULL) {
		free(hex);
		return -1;
	}
	db_bind_text(stmt, 1, name);
	db_bind_text(stmt, 2, hex);
	rc = db_step(stmt);
	db_done(stmt);
	explicit_bzero(hex, strlen(hex));
	free(hex);
	return rc == DB_DONE ? 0 : -1;
}

/*
 * Load the key called name into out, making it first when create is set:
 * 1 loaded, 0 there is none, -1 error.
 */
int
store_keys_load(struct store *st, const char *name, unsigned char *out,
    int create)
{
	struct db_stmt	*stmt;
	int		 rc, found = 0;

	if (create && store_keys_make(st, name) == -1)
		return -1;
	if ((stmt = store_prepare(st, "SELECT value FROM meta WHERE key = ?1"))
	    == NULL)
		return -1;
	db_bind_text(stmt, 1, name);
	if ((rc = db_step(stmt)) == DB_ROW) {
		if (sig_hex_decode(store_text_or_empty(stmt, 0), out,
		    STORE_KEY_LEN) == -1) {
			log_warnx("store: the %s in %s is damaged", name,
			    st->where);
			db_done(stmt);
			return -1;
		}
		found = 1;
	}
	db_done(stmt);
	if (rc != DB_ROW && rc != DB_DONE)
		return -1;
	return found;
}

/*
 * The proof that nudged made a callback naming delivery id and person: the
 * hex HMAC-SHA256 of "ID:PERSON" under the callback key (allocated), or
 * NULL when the key cannot be had.
 */
char *
store_callback_proof(struct store *st, int64_t id, const char *person)
{
	unsigned char key[STORE_KEY_LEN], mac[32];
	char *msg;

	if (store_callback_key(st, key) == -1)
		return NULL;
	xasprintf(&msg, "%lld:%s", (long long)id, person);
	sig_hmac_sha256(key, sizeof key, msg, strlen(msg), mac);
	explicit_bzero(key, sizeof key);
	free(msg);
	return sig_hex_encode(mac, sizeof mac);
}

/* The installation's callback key (made on first need); 0, or -1. */
int
store_callback_key(struct store *st, unsigned char *out)
{
	if (!st->callback_loaded) {
		if (store_keys_load(st, STORE_KEYS_CALLBACK, st->callback_key,
		    1) != 1)
			return -1;
		st->callback_loaded = 1;
	}
	memcpy(out, st->callback_key, STORE_KEY_LEN);
	return 0;
}
