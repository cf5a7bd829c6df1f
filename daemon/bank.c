/* SPDX-License-Identifier: ISC */
/*
 * The prompt bank. Every JSON file in the bank's folder holds one theme; loading checks
 * each prompt strictly (FILE:LINE:COL errors, all of them at once) because
 * the questions are what people see every day.
 *
 * Choosing the next prompt for a schedule is pure: it reads the channel's
 * history (from the store) and never repeats a prompt on a channel until every
 * eligible prompt has been sent there once (a cycle). Within a cycle the order
 * is a shuffle keyed by SHA-256 of channel, cycle and prompt id: different per
 * channel and cycle, the same on every run, and stable when prompts are added.
 * Themes take turns: the next prompt comes from the theme used least so far in
 * the cycle.
 */
#include "bank_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonc.h"
#include "log.h"
#include "xmalloc.h"

static const char *const bank_file_keys[] = { "theme", "title", "description",
	"prompts", NULL };
static const char *const bank_prompt_keys[] = { "id", "audience", "text",
	"follow_up", "follow_up_when", "source_model", "intent", "public_ok",
	"track_only", "merged_into", NULL };
static const char *const bank_source_models[] = { "after-action-review",
	"grow", "kolb", "sbi", "feedforward", "appreciative-inquiry",
	"start-stop-continue", "pre-mortem", "double-loop", "five-whys", NULL };

static int	 bank_name_cmp(const void *, const void *);
static void	 bank_load_file(struct bank *, const char *, const char *,
		    struct bank_errors *);
static void	 bank_load_rules(struct bank *, struct jsonc_doc *,
		    const cJSON *, const char *, enum config_audience);
static void	 bank_load_prompt(struct bank *, struct jsonc_doc *,
		    const cJSON *, size_t);
static int	 bank_check_text(struct jsonc_doc *, const cJSON *,
		    const char *);
static int	 bank_valid_slug(const char *);
static size_t	 bank_id_slot(const struct bank *, const char *, int *);
static void	 bank_index_last(struct bank *);
static size_t	 bank_utf8_length(const char *);
static uint64_t	 bank_key(const char *, int64_t, const char *);
static int	 bank_candidate(const struct bank *, const struct bank_prompt *,
		    const struct config_schedule *, const struct bank_history *,
		    size_t);
static size_t	 bank_pick_theme(const struct bank *,
		    const struct config_schedule *, const struct bank_history *,
		    size_t);
static const struct bank_prompt *bank_pick_track(const struct bank *,
		    const struct config_schedule *, struct bank_history *,
		    char **);
static char	*bank_join(char *, char *);

/* Sort order for file names, so loading is reproducible. */
static int
bank_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.json files of dir (not hidden ones), sorted; NULL with a cause. */
char **
bank_list_json(const char *dir, size_t *n, char **cause)
{
	char **names = NULL;
	struct dirent *de;
	DIR *d;

	*n = 0;
	if ((d = opendir(dir)) == NULL) {
		xasprintf(cause, "prompt bank %s: %s", dir, strerror(errno));
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0 &&
		    de->d_name[0] != '.') {
			names = xreallocarray(names, *n + 1, sizeof *names);
			names[(*n)++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	if (*n == 0)
		return xcalloc(1, sizeof *names);
	qsort(names, *n, sizeof *names, bank_name_cmp);
	return names;
}

/*
 * Load and check every *.json file of dir, then the tracks under
 * dir/tracks; NULL with every error on failure. Warnings stay in the bank.
 */
struct bank *
bank_load(const char *dir, char **cause)
{
	struct bank *b = xcalloc(1, sizeof *b);
	struct bank_errors e = { 0 };
	char **names;
	size_t nnames, len = 0;

	b->dir = xstrdup(dir);
	if ((names = bank_list_json(dir, &nnames, cause)) == NULL) {
		bank_free(b);
		return NULL;
	}
	for (size_t i = 0; i < nnames; i++) {
		bank_load_file(b, dir, names[i], &e);
		free(names[i]);
	}
	free(names);
	if (e.n == 0 && b->nprompts > 0) {
		bank_rules_merges(b, &e);
		bank_track_load_all(b, dir, &e);
		bank_rules_openings(b);
	}
	if (e.n == 0 && b->nprompts == 0)
		xasprintf(cause, "prompt bank %s: no prompts (*.json files) found",
		    dir);
	else if (e.n > 0) {
		for (size_t i = 0; i < e.n; i++)
			len += strlen(e.v[i]) + 1;
		*cause = xcalloc(1, len);
		for (size_t i = 0; i < e.n; i++) {
			strcat(*cause, e.v[i]);
			if (i + 1 < e.n)
				strcat(*cause, "\n");
			free(e.v[i]);
		}
		free(e.v);
	}
	if (e.n > 0 || b->nprompts == 0) {
		bank_free(b);
		return NULL;
	}
	return b;
}

/* Free the bank. */
void
bank_free(struct bank *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nthemes; i++) {
		free(b->themes[i].slug);
		free(b->themes[i].title);
		free(b->themes[i].description);
	}
	for (size_t i = 0; i < b->nprompts; i++) {
		free(b->prompts[i].id);
		free(b->prompts[i].text);
		free(b->prompts[i].follow_up);
		free(b->prompts[i].source_model);
		free(b->prompts[i].intent);
		free(b->prompts[i].merged_into);
		free(b->prompts[i].where);
	}
	for (size_t i = 0; i < b->ntracks; i++)
		bank_track_free(&b->tracks[i]);
	for (size_t i = 0; i < b->nwarnings; i++)
		free(b->warnings[i]);
	free(b->tracks);
	free(b->warnings);
	free(b->themes);
	free(b->prompts);
	free(b->by_id);
	free(b->dir);
	free(b);
}

/* Theme slugs and prompt ids: 1-64 of [a-z0-9-], starting with a letter or digit. */
static int
bank_valid_slug(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64 || s[0] == '-')
		return 0;
	for (; *s != '\0'; s++) {
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '-')
			return 0;
	}
	return 1;
}

/* Characters (UTF-8 code points) in s. */
static size_t
bank_utf8_length(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* One file: its theme, then its prompts; errors go to the shared list. */
static void
bank_load_file(struct bank *b, const char *dir, const char *name,
    struct bank_errors *e)
{
	struct jsonc_doc *doc;
	const cJSON *root, *prompts, *p;
	struct bank_theme *t;
	char *path, *cause = NULL, *slug;
	const char *theme, *title, *description;

	xasprintf(&path, "%s/%s", dir, name);
	if ((doc = jsonc_load_file(path, &cause)) == NULL) {
		bank_errors_add(e, cause);
		free(path);
		return;
	}
	root = doc->root;
	slug = xstrndup(name, strlen(name) - 5);
	if (!cJSON_IsObject(root)) {
		jsonc_error(doc, root, "a prompt file must be an object, not %s",
		    jsonc_type_name(root));
		goto done;
	}
	jsonc_check_keys(doc, root, bank_file_keys);
	theme = jsonc_get_string(doc, root, "theme", 1);
	title = jsonc_get_string(doc, root, "title", 1);
	description = jsonc_get_string(doc, root, "description", 0);
	prompts = jsonc_get_array(doc, root, "prompts", 1);
	if (theme != NULL && (!bank_valid_slug(theme) ||
	    strcmp(theme, slug) != 0))
		jsonc_error(doc, jsonc_get(doc, root, "theme", 0), "the theme must "
		    "be a lowercase name matching the file name (\"%s\" in "
		    "%s.json)", theme, slug);
	if (title != NULL)
		bank_rules_title(doc, jsonc_get(doc, root, "title", 0));
	if (prompts != NULL && cJSON_GetArraySize(prompts) == 0)
		jsonc_error(doc, prompts, "no prompts in this theme");
	if (doc->nerrors > 0 || theme == NULL || title == NULL ||
	    prompts == NULL)
		goto done;
	b->themes = xreallocarray(b->themes, b->nthemes + 1, sizeof *b->themes);
	t = &b->themes[b->nthemes++];
	t->slug = xstrdup(theme);
	t->title = xstrdup(title);
	t->description = description ? xstrdup(description) : NULL;
	cJSON_ArrayForEach(p, prompts)
		bank_load_prompt(b, doc, p, b->nthemes - 1);
done:
	for (size_t i = 0; i < doc->nerrors; i++)
		bank_errors_add(e, xstrdup(doc->errors[i]));
	free(slug);
	free(path);
	jsonc_free(doc);
}

/* Check a question: not empty, one line, at most 280 characters, ends with "?". */
static int
bank_check_text(struct jsonc_doc *doc, const cJSON *node, const char *what)
{
	const char *s = node->valuestring;
	size_t n = strlen(s);

	if (n == 0 || isspace((unsigned char)s[0]) ||
	    isspace((unsigned char)s[n - 1])) {
		jsonc_error(doc, node, "%s is empty or starts or ends with a space",
		    what);
		return -1;
	}
	if (strpbrk(s, "\n\r\t") != NULL) {
		jsonc_error(doc, node, "%s must be one line", what);
		return -1;
	}
	if (bank_utf8_length(s) > BANK_MAX_TEXT) {
		jsonc_error(doc, node, "%s is %zu characters, more than %d", what,
		    bank_utf8_length(s), BANK_MAX_TEXT);
		return -1;
	}
	if (s[n - 1] != '?') {
		jsonc_error(doc, node, "%s must be a question ending with \"?\"",
		    what);
		return -1;
	}
	return 0;
}

/* Parse an audience name; -1 when it is none of leader, team, any. */
int
bank_parse_audience(const char *s, enum config_audience *a)
{
	if (strcmp(s, "leader") == 0)
		*a = CONFIG_AUDIENCE_LEADER;
	else if (strcmp(s, "team") == 0)
		*a = CONFIG_AUDIENCE_TEAM;
	else if (strcmp(s, "any") == 0)
		*a = CONFIG_AUDIENCE_ANY;
	else
		return -1;
	return 0;
}

/*
 * The rules of bank_rules.c for a prompt that may be sent (retired ones
 * keep the words they were answered with), and its intent's uniqueness.
 */
static void
bank_load_rules(struct bank *b, struct jsonc_doc *doc, const cJSON *p,
    const char *intent, enum config_audience a)
{
	const cJSON *text = jsonc_get(doc, p, "text", 0);
	const cJSON *follow_up = jsonc_get(doc, p, "follow_up", 0);

	if (intent != NULL && !bank_valid_slug(intent))
		jsonc_error(doc, jsonc_get(doc, p, "intent", 0), "intent \"%s\" "
		    "must be 1-64 of a-z, 0-9 and '-'", intent);
	for (size_t i = 0; intent != NULL && i < b->nprompts; i++) {
		if (strcmp(b->prompts[i].intent, intent) == 0)
			jsonc_error(doc, jsonc_get(doc, p, "intent", 0), "intent "
			    "\"%s\" is also the intent of %s: two prompts ask the "
			    "same thing", intent, b->prompts[i].id);
	}
	bank_rules_follow_up(doc, jsonc_get(doc, p, "follow_up_when", 0),
	    cJSON_IsString(follow_up) ? follow_up : NULL,
	    jsonc_get_string(doc, p, "id", 0));
	if (jsonc_get(doc, p, "merged_into", 0) != NULL)
		return;
	if (cJSON_IsString(text) && bank_check_text(doc, text, "text") == 0)
		bank_rules_text(b, doc, text, "text", a);
	if (cJSON_IsString(follow_up) &&
	    bank_check_text(doc, follow_up, "follow_up") == 0)
		bank_rules_text(b, doc, follow_up, "follow_up", a);
}

/* One prompt object of a theme file. */
static void
bank_load_prompt(struct bank *b, struct jsonc_doc *doc, const cJSON *p,
    size_t theme)
{
	const char *id, *audience, *text, *follow_up, *model, *intent, *merged;
	enum config_audience a = CONFIG_AUDIENCE_ANY;
	const struct bank_prompt *other;
	struct bank_prompt *bp;
	size_t before = doc->nerrors;
	int known = 0, public_ok = 1, track_only = 0;

	if (!cJSON_IsObject(p)) {
		jsonc_error(doc, p, "a prompt must be an object, not %s",
		    jsonc_type_name(p));
		return;
	}
	jsonc_check_keys(doc, p, bank_prompt_keys);
	id = jsonc_get_string(doc, p, "id", 1);
	audience = jsonc_get_string(doc, p, "audience", 1);
	text = jsonc_get_string(doc, p, "text", 1);
	follow_up = jsonc_get_string(doc, p, "follow_up", 0);
	jsonc_get_string(doc, p, "follow_up_when", 0);
	model = jsonc_get_string(doc, p, "source_model", 0);
	intent = jsonc_get_string(doc, p, "intent", 1);
	merged = jsonc_get_string(doc, p, "merged_into", 0);
	jsonc_get_bool(doc, p, "public_ok", 0, &public_ok);
	jsonc_get_bool(doc, p, "track_only", 0, &track_only);
	if (id != NULL && !bank_valid_slug(id))
		jsonc_error(doc, jsonc_get(doc, p, "id", 0), "prompt id \"%s\" "
		    "must be 1-64 of a-z, 0-9 and '-'", id);
	else if (id != NULL && (other = bank_find(b, id)) != NULL)
		jsonc_error(doc, jsonc_get(doc, p, "id", 0), "duplicate prompt id "
		    "\"%s\" (also in %s.json); ids are never reused", id,
		    b->themes[other->theme].slug);
	if (audience != NULL && bank_parse_audience(audience, &a) == -1)
		jsonc_error(doc, jsonc_get(doc, p, "audience", 0),
		    "unknown audience \"%s\" (leader, team or any)", audience);
	bank_load_rules(b, doc, p, intent, a);
	for (size_t i = 0; model != NULL && bank_source_models[i]; i++)
		known |= strcmp(model, bank_source_models[i]) == 0;
	if (model != NULL && !known)
		jsonc_error(doc, jsonc_get(doc, p, "source_model", 0), "unknown "
		    "source_model \"%s\" (see prompts/README.md)", model);
	if (doc->nerrors > before || id == NULL || text == NULL ||
	    audience == NULL || intent == NULL)
		return;
	b->prompts = xreallocarray(b->prompts, b->nprompts + 1,
	    sizeof *b->prompts);
	bp = &b->prompts[b->nprompts++];
	bp->id = xstrdup(id);
	bp->theme = theme;
	bp->audience = a;
	bp->text = xstrdup(text);
	bp->follow_up = follow_up ? xstrdup(follow_up) : NULL;
	bp->follow_up_later = follow_up != NULL &&
	    strcmp(jsonc_get_string(doc, p, "follow_up_when", 0), "later") == 0;
	bp->source_model = model ? xstrdup(model) : NULL;
	bp->intent = xstrdup(intent);
	bp->public_ok = public_ok;
	bp->track_only = track_only;
	bp->merged_into = merged ? xstrdup(merged) : NULL;
	bp->where = bank_where(doc, jsonc_get(doc, p, "text", 0));
	bank_index_last(b);
}

/* Whether a prompt is retired (merged into another): it resolves but is never sent. */
int
bank_retired(const struct bank_prompt *p)
{
	return p->merged_into != NULL;
}

/*
 * Where id is or belongs in the id-ordered index: a binary search, since
 * every answer and every enqueue looks its prompt up by id.
 */
static size_t
bank_id_slot(const struct bank *b, const char *id, int *found)
{
	size_t lo = 0, hi = b->nprompts;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(b->prompts[b->by_id[mid]].id, id);

		if (c == 0) {
			*found = 1;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index the prompt just added (the last one) by its id. */
static void
bank_index_last(struct bank *b)
{
	size_t n = b->nprompts - 1, slot;
	int found;

	b->nprompts = n;	/* search the ones indexed so far */
	slot = bank_id_slot(b, b->prompts[n].id, &found);
	b->nprompts = n + 1;
	b->by_id = xreallocarray(b->by_id, n + 1, sizeof *b->by_id);
	memmove(&b->by_id[slot + 1], &b->by_id[slot],
	    (n - slot) * sizeof *b->by_id);
	b->by_id[slot] = n;
}

/* The prompt with this id, or NULL. */
const struct bank_prompt *
bank_find(const struct bank *b, const char *id)
{
	int found;
	size_t slot = bank_id_slot(b, id, &found);

	return found ? &b->prompts[b->by_id[slot]] : NULL;
}

/* The theme a prompt belongs to. */
const struct bank_theme *
bank_theme_of(const struct bank *b, const struct bank_prompt *p)
{
	return &b->themes[p->theme];
}

/* Join two messages (taking both) with a newline; first may be NULL. */
static char *
bank_join(char *first, char *second)
{
	char *joined;

	if (first == NULL)
		return second;
	xasprintf(&joined, "%s\n%s", first, second);
	free(first);
	free(second);
	return joined;
}

/*
 * Check the config against the bank: every theme and track a schedule names
 * exists, private prompts stay private, and every schedule has at least one
 * prompt to send.
 */
int
bank_check_config(const struct bank *b, const struct config *cfg, char **cause)
{
	char *all = NULL, *line;
	size_t n;
	int found;

	for (size_t i = 0; i < cfg->nschedules; i++) {
		const struct config_schedule *sc = &cfg->schedules[i];

		line = NULL;
		for (size_t t = 0; t < sc->nthemes && line == NULL; t++) {
			found = 0;
			for (size_t k = 0; k < b->nthemes; k++)
				found |= strcmp(b->themes[k].slug, sc->themes[t]) == 0;
			if (!found)
				xasprintf(&line, "%s: schedule \"%s\": no theme "
				    "\"%s\" in the prompt bank %s", sc->themes_at[t],
				    sc->name, sc->themes[t], b->dir);
		}
		if (line == NULL)
			line = bank_track_check_schedule(b, cfg, sc);
		n = 0;
		for (size_t k = 0; k < b->nprompts && line == NULL; k++)
			n += bank_eligible(b, &b->prompts[k], sc);
		if (line == NULL && n == 0 && sc->ntrack == 0 &&
		    sc->track_name == NULL)
			xasprintf(&line, "%s: schedule \"%s\": no prompt in the bank "
			    "fits its themes and audience \"%s\"", cfg->path,
			    sc->name, config_audience_name(sc->audience));
		if (line != NULL)
			all = bank_join(all, line);
	}
	*cause = all;
	return all == NULL ? 0 : -1;
}

/*
 * Whether a prompt may go to a theme schedule: not retired, not kept for
 * tracks, fits its themes and audience, and private prompts only where
 * answers are private.
 */
int
bank_eligible(const struct bank *b, const struct bank_prompt *p,
    const struct config_schedule *sc)
{
	int theme_ok = sc->nthemes == 0;

	if (bank_retired(p) || p->track_only ||
	    (!p->public_ok && !bank_private_schedule(sc)))
		return 0;
	for (size_t t = 0; t < sc->nthemes && !theme_ok; t++)
		theme_ok = strcmp(b->themes[p->theme].slug, sc->themes[t]) == 0;
	if (!theme_ok)
		return 0;
	return sc->audience == CONFIG_AUDIENCE_ANY ||
	    p->audience == CONFIG_AUDIENCE_ANY || p->audience == sc->audience;
}

/* Whether id is in the list. */
int
bank_in(char *const *list, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i], id) == 0)
			return 1;
	}
	return 0;
}

/*
 * The shuffle key of a name within a channel's cycle. SHA-256 is fetched
 * from libcrypto once: a fetch per digest (what SHA256() does in OpenSSL 3)
 * costs more than the digest, and a pick takes dozens.
 */
static uint64_t
bank_key(const char *channel, int64_t cycle, const char *name)
{
	static EVP_MD *sha256;
	unsigned char md[SHA256_DIGEST_LENGTH];
	char buf[512], *s = buf;
	uint64_t k = 0;
	int n = snprintf(buf, sizeof buf, "%s\n%lld\n%s", channel,
	    (long long)cycle, name);

	if (n < 0 || (size_t)n >= sizeof buf)
		n = xasprintf(&s, "%s\n%lld\n%s", channel, (long long)cycle, name);
	if (sha256 == NULL && (sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) ==
	    NULL)
		fatalx("SHA-256 is not available in libcrypto");
	if (EVP_Digest(s, (size_t)n, md, NULL, sha256, NULL) != 1)
		fatalx("SHA-256 failed in libcrypto");
	if (s != buf)
		free(s);
	for (int i = 0; i < 8; i++)
		k = k << 8 | md[i];
	return k;
}

/*
 * A track schedule's next prompt: a shipped track walks its steps by day,
 * an id list walks its ids in order, once; NULL with a cause when nothing
 * is due or the track is done.
 */
static const struct bank_prompt *
bank_pick_track(const struct bank *b, const struct config_schedule *sc,
    struct bank_history *h, char **cause)
{
	const struct bank_track *t;

	if (sc->track_name != NULL) {
		if ((t = bank_find_track(b, sc->track_name)) == NULL) {
			xasprintf(cause, "track \"%s\" is no longer in the prompt "
			    "bank", sc->track_name);
			return NULL;
		}
		return bank_track_pick(b, t, h, cause);
	}
	for (size_t i = 0; i < sc->ntrack; i++) {
		if (!bank_in(h->track_done, h->ntrack_done, sc->track[i])) {
			const struct bank_prompt *p = bank_find(b, sc->track[i]);

			if (p == NULL)
				xasprintf(cause, "track prompt \"%s\" is no longer in "
				    "the prompt bank", sc->track[i]);
			return p;
		}
	}
	xasprintf(cause, "track finished: all %zu prompts were sent", sc->ntrack);
	return NULL;
}

/* Whether p may come next: eligible, unused in this cycle, not the last one sent. */
static int
bank_candidate(const struct bank *b, const struct bank_prompt *p,
    const struct config_schedule *sc, const struct bank_history *h,
    size_t eligible)
{
	if (!bank_eligible(b, p, sc) || bank_in(h->used, h->nused, p->id))
		return 0;
	/* Never the same question twice in a row, even across a new cycle. */
	return h->last == NULL || eligible < 2 || strcmp(h->last, p->id) != 0;
}

/* The theme that goes next: least used in this cycle, ties by shuffle key. */
static size_t
bank_pick_theme(const struct bank *b, const struct config_schedule *sc,
    const struct bank_history *h, size_t eligible)
{
	size_t *uses = xcalloc(b->nthemes, sizeof *uses), best = SIZE_MAX;
	uint64_t *keys = xcalloc(b->nthemes, sizeof *keys), best_key = 0, k;
	unsigned char *keyed = xcalloc(b->nthemes, 1);
	const struct bank_prompt *p;

	for (size_t i = 0; i < h->nused; i++) {
		if ((p = bank_find(b, h->used[i])) != NULL)
			uses[p->theme]++;
	}
	for (size_t i = 0; i < b->nprompts; i++) {
		p = &b->prompts[i];
		if (p->theme == best ||
		    !bank_candidate(b, p, sc, h, eligible))
			continue;
		/* One key per theme, not one per prompt of it. */
		if (!keyed[p->theme]) {
			keys[p->theme] = bank_key(sc->channel->name, h->cycle,
			    b->themes[p->theme].slug);
			keyed[p->theme] = 1;
		}
		k = keys[p->theme];
		if (best == SIZE_MAX || uses[p->theme] < uses[best] ||
		    (uses[p->theme] == uses[best] && k < best_key)) {
			best = p->theme;
			best_key = k;
		}
	}
	free(uses);
	free(keys);
	free(keyed);
	return best;
}

/*
 * The next prompt for a schedule on its channel, given the history; records
 * the choice in the history and sets *cycle. NULL with a cause when nothing
 * fits, or when a track is finished.
 */
const struct bank_prompt *
bank_pick(const struct bank *b, const struct config_schedule *sc,
    struct bank_history *h, int64_t *cycle, char **cause)
{
	const struct bank_prompt *best = NULL, *p;
	size_t eligible = 0, left = 0, theme;
	uint64_t best_key = 0, k;

	if (sc->ntrack > 0 || sc->track_name != NULL) {
		if ((p = bank_pick_track(b, sc, h, cause)) != NULL) {
			*cycle = h->cycle > 0 ? h->cycle : 1;
			if (h->ntrack_done == 0)
				h->track_start = h->at;
			bank_history_add(h, p->id, *cycle);
			bank_history_add_track(h, p->id);
		}
		return p;
	}
	for (size_t i = 0; i < b->nprompts; i++) {
		if (bank_eligible(b, &b->prompts[i], sc)) {
			eligible++;
			left += !bank_in(h->used, h->nused, b->prompts[i].id);
		}
	}
	if (eligible == 0) {
		xasprintf(cause, "no prompt in the bank fits schedule \"%s\"",
		    sc->name);
		return NULL;
	}
	if (left == 0 || h->cycle == 0) {
		/* A new cycle: every eligible prompt may come again. */
		for (size_t i = 0; i < h->nused; i++)
			free(h->used[i]);
		h->nused = 0;
		h->cycle++;
	}
	theme = bank_pick_theme(b, sc, h, eligible);
	for (size_t i = 0; i < b->nprompts; i++) {
		p = &b->prompts[i];
		if (p->theme != theme || !bank_candidate(b, p, sc, h, eligible))
			continue;
		k = bank_key(sc->channel->name, h->cycle, p->id);
		if (best == NULL || k < best_key) {
			best = p;
			best_key = k;
		}
	}
	if (best == NULL) {
		/* Unreachable: a new cycle always leaves a candidate. */
		xasprintf(cause, "no prompt left for schedule \"%s\"", sc->name);
		return NULL;
	}
	*cycle = h->cycle;
	bank_history_add(h, best->id, h->cycle);
	return best;
}

/* Record that id was sent on the channel in cycle. */
void
bank_history_add(struct bank_history *h, const char *id, int64_t cycle)
{
	if (cycle > h->cycle) {
		for (size_t i = 0; i < h->nused; i++)
			free(h->used[i]);
		h->nused = 0;
		h->cycle = cycle;
	}
	if (cycle == h->cycle && !bank_in(h->used, h->nused, id)) {
		h->used = xreallocarray(h->used, h->nused + 1, sizeof *h->used);
		h->used[h->nused++] = xstrdup(id);
	}
	free(h->last);
	h->last = xstrdup(id);
}

/* Record that a track schedule has sent id. */
void
bank_history_add_track(struct bank_history *h, const char *id)
{
	if (bank_in(h->track_done, h->ntrack_done, id))
		return;
	h->track_done = xreallocarray(h->track_done, h->ntrack_done + 1,
	    sizeof *h->track_done);
	h->track_done[h->ntrack_done++] = xstrdup(id);
}

/* Free what a history holds and reset it. */
void
bank_history_clear(struct bank_history *h)
{
	for (size_t i = 0; i < h->nused; i++)
		free(h->used[i]);
	for (size_t i = 0; i < h->ntrack_done; i++)
		free(h->track_done[i]);
	free(h->used);
	free(h->track_done);
	free(h->last);
	memset(h, 0, sizeof *h);
}

/* The bank a config names, checked against that config; NULL with every error. */
struct bank *
bank_load_for(const struct config *cfg, char **cause)
{
	struct bank *b;

	if (access(cfg->prompts_dir, F_OK) == -1) {
		xasprintf(cause, "%s: \"prompts\": there is no prompt bank folder "
		    "%s", cfg->prompts_at, cfg->prompts_dir);
		return NULL;
	}
	b = bank_load(cfg->prompts_dir, cause);
	if (b != NULL && bank_check_config(b, cfg, cause) == -1) {
		bank_free(b);
		return NULL;
	}
	return b;
}
