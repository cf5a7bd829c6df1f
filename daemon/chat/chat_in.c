/* SPDX-License-Identifier: ISC */
/*
 * What the platforms that receive answers share: request bodies read with
 * evhttp's query parsing or cJSON (never scanned by hand), typed getters that
 * name the field in every error, HTML entity decoding, and the one rule that
 * splits a reply code off an answer. Nothing here logs, and no cause repeats
 * what a request carried: bodies hold tokens, and causes reach the log.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "chat/chat_int.h"
#include "log.h"
#include "replycode.h"
#include "xmalloc.h"

/* What ASCII whitespace is, for trimming and splitting words. */
#define CHAT_IN_SPACES	" \t\n\r\f\v"

struct chat_in_body {
	struct evkeyvalq	 form;
	cJSON			*json;		/* NULL for a form */
};

/* The named entities HTML text from Teams and Slack uses. */
static const struct {
	const char	*name;
	const char	*text;
} chat_in_entities[] = {
	{ "amp", "&" },
	{ "lt", "<" },
	{ "gt", ">" },
	{ "quot", "\"" },
	{ "apos", "'" },
	{ "nbsp", " " },	/* a plain space, so trimming sees it */
};

static char	*chat_in_name(const char *, const char *);
static const char *chat_in_type_name(const cJSON *);
static int	 chat_in_found(const char *, const char *, const char *, int,
		    size_t, const char **, char **);
static int	 chat_in_item(const cJSON *, const char *, const char *, int,
		    const cJSON **, char **);
static int	 chat_in_entity(const char *, size_t, struct strbuf *);
static void	 chat_in_put_utf8(struct strbuf *, uint32_t);
static char	*chat_in_trim(const char *);
static int	 chat_in_looks_code(const char *, size_t, int);
static int	 chat_in_json_has_nul(const char *, size_t);
static int	 chat_in_event_read(const cJSON *, struct chat_event *, char **);
static int	 chat_in_event_check(const struct chat_event *, char **);

/* Read a form or JSON body, as the content type says. */
struct chat_in_body *
chat_in_body_parse(const struct chat_inbound *in, char **cause)
{
	struct chat_in_body	*b;
	const char		*type, *end = NULL;

	type = in->content_type != NULL ? in->content_type : "";
	if (in->body == NULL) {
		*cause = xstrdup("the request has no body");
		return NULL;
	}
	if (memchr(in->body, '\0', in->len) != NULL) {
		*cause = xstrdup("the body holds a NUL byte");
		return NULL;
	}
	b = xcalloc(1, sizeof *b);
	TAILQ_INIT(&b->form);
	if (strcmp(type, "application/json") == 0) {
		/* cJSON would decode \u0000 to a NUL that cuts a string short. */
		if (chat_in_json_has_nul(in->body, in->len)) {
			*cause = xstrdup("a JSON string holds \\u0000");
			goto fail;
		}
		/* len + 1 takes in the terminator, so trailing bytes fail. */
		b->json = cJSON_ParseWithLengthOpts(in->body, in->len + 1, &end,
		    1);
		if (b->json == NULL) {
			xasprintf(cause, "the body is not valid JSON (at byte "
			    "%zu)", end != NULL && end >= in->body ?
			    (size_t)(end - in->body) : 0);
			goto fail;
		}
		if (!cJSON_IsObject(b->json)) {
			*cause = xstrdup("the body is not a JSON object");
			goto fail;
		}
		return b;
	}
	if (strcmp(type, "application/x-www-form-urlencoded") == 0) {
		/* evhttp would decode %00 to a NUL that cuts a value short. */
		if (strstr(in->body, "%00") != NULL) {
			*cause = xstrdup("a form field holds a NUL byte");
			goto fail;
		}
		/* Values come back decoded, '+' as a space; keys are not. */
		if (evhttp_parse_query_str(in->body, &b->form) == -1) {
			*cause = xstrdup("the form body is malformed");
			goto fail;
		}
		return b;
	}
	*cause = xstrdup("the content type is neither a form nor JSON");
fail:
	chat_in_body_free(b);
	return NULL;
}

/* Whether a JSON text escapes a NUL (\u0000) anywhere; "\\u0000" is text. */
static int
chat_in_json_has_nul(const char *s, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (s[i] != '\\')
			continue;
		if (s[i + 1] == 'u' && i + 5 < len && strncmp(s + i + 2, "0000",
		    4) == 0)
			return 1;
		i++;	/* the escaped character, so "\\\\" is not an escape */
	}
	return 0;
}

/* Free a parsed body. */
void
chat_in_body_free(struct chat_in_body *b)
{
	if (b == NULL)
		return;
	evhttp_clear_headers(&b->form);
	cJSON_Delete(b->json);
	free(b);
}

/* The JSON root, or NULL for a form. */
const struct cJSON *
chat_in_body_json(const struct chat_in_body *b)
{
	return b->json;
}

/* "where.key", or "key" at the root, for messages. */
static char *
chat_in_name(const char *where, const char *key)
{
	char	*name;

	if (where == NULL)
		return xstrdup(key);
	xasprintf(&name, "%s.%s", where, key);
	return name;
}

/* A JSON value's type, as a message says it. */
static const char *
chat_in_type_name(const cJSON *item)
{
	if (cJSON_IsString(item))
		return "a string";
	if (cJSON_IsNumber(item))
		return "a number";
	if (cJSON_IsBool(item))
		return "a boolean";
	if (cJSON_IsArray(item))
		return "an array";
	if (cJSON_IsObject(item))
		return "an object";
	return "null";
}

/* Check a string value found under a key (NULL when absent) and hand it out. */
static int
chat_in_found(const char *where, const char *key, const char *value, int need,
    size_t max, const char **out, char **cause)
{
	char	*name;
	size_t	 len;

	*out = NULL;
	if (value == NULL && need == CHAT_IN_OPTIONAL)
		return 0;
	name = chat_in_name(where, key);
	if (value == NULL)
		xasprintf(cause, "missing \"%s\"", name);
	else if (need == CHAT_IN_NONEMPTY && *value == '\0')
		xasprintf(cause, "\"%s\" is empty", name);
	else if ((len = strlen(value)) > max)
		xasprintf(cause, "\"%s\" is too long (%zu bytes, at most %zu)",
		    name, len, max);
	else if (chat_utf8_chars(value) == SIZE_MAX)
		xasprintf(cause, "\"%s\" is not valid UTF-8", name);
	else {
		free(name);
		*out = value;
		return 0;
	}
	free(name);
	return -1;
}

/* A top-level string field of a form or JSON body. */
int
chat_in_field(const struct chat_in_body *b, const char *key, int need,
    size_t max, const char **out, char **cause)
{
	const struct evkeyval	*kv;
	const char		*value = NULL;

	if (b->json != NULL)
		return chat_in_string(b->json, NULL, key, need, max, out,
		    cause);
	*out = NULL;
	TAILQ_FOREACH(kv, &b->form, next) {
		if (strcmp(kv->key, key) != 0)
			continue;
		if (value != NULL) {
			xasprintf(cause, "duplicate field \"%s\"", key);
			return -1;
		}
		value = kv->value;
	}
	return chat_in_found(NULL, key, value, need, max, out, cause);
}

/* obj[key], once only; JSON null counts as absent. */
static int
chat_in_item(const cJSON *obj, const char *where, const char *key, int need,
    const cJSON **out, char **cause)
{
	const cJSON	*c, *item = NULL;
	char		*name;

	*out = NULL;
	for (c = cJSON_IsObject(obj) ? obj->child : NULL; c != NULL;
	    c = c->next) {
		if (c->string == NULL || strcmp(c->string, key) != 0)
			continue;
		if (item != NULL) {
			name = chat_in_name(where, key);
			xasprintf(cause, "duplicate key \"%s\"", name);
			free(name);
			return -1;
		}
		item = c;
	}
	if (item != NULL && cJSON_IsNull(item))
		item = NULL;
	if (item == NULL && need != CHAT_IN_OPTIONAL) {
		name = chat_in_name(where, key);
		xasprintf(cause, "missing \"%s\"", name);
		free(name);
		return -1;
	}
	*out = item;
	return 0;
}

/* A string member of a JSON object. */
int
chat_in_string(const struct cJSON *obj, const char *where, const char *key,
    int need, size_t max, const char **out, char **cause)
{
	const cJSON	*item;
	char		*name;

	*out = NULL;
	if (chat_in_item(obj, where, key, need, &item, cause) == -1)
		return -1;
	if (item != NULL && !cJSON_IsString(item)) {
		name = chat_in_name(where, key);
		xasprintf(cause, "\"%s\" must be a string, not %s", name,
		    chat_in_type_name(item));
		free(name);
		return -1;
	}
	return chat_in_found(where, key, item != NULL ? item->valuestring :
	    NULL, need, max, out, cause);
}

/* An object member of a JSON object. */
int
chat_in_object(const struct cJSON *obj, const char *where, const char *key,
    int need, const struct cJSON **out, char **cause)
{
	const cJSON	*item;
	char		*name;

	*out = NULL;
	if (chat_in_item(obj, where, key, need, &item, cause) == -1)
		return -1;
	if (item != NULL && !cJSON_IsObject(item)) {
		name = chat_in_name(where, key);
		xasprintf(cause, "\"%s\" must be an object, not %s", name,
		    chat_in_type_name(item));
		free(name);
		return -1;
	}
	*out = item;
	return 0;
}

/* An integer member of a JSON object, within [min, max]; absent leaves *out. */
int
chat_in_int(const struct cJSON *obj, const char *where, const char *key,
    int need, long min, long max, long *out, char **cause)
{
	const cJSON	*item;
	char		*name;
	double		 d;

	if (chat_in_item(obj, where, key, need, &item, cause) == -1)
		return -1;
	if (item == NULL)
		return 0;
	name = chat_in_name(where, key);
	d = item->valuedouble;
	if (!cJSON_IsNumber(item))
		xasprintf(cause, "\"%s\" must be a number, not %s", name,
		    chat_in_type_name(item));
	else if (!(d >= (double)min && d <= (double)max))
		xasprintf(cause, "\"%s\" is out of range (%ld to %ld)", name,
		    min, max);
	else if ((double)(long)d != d)
		xasprintf(cause, "\"%s\" must be a whole number", name);
	else {
		free(name);
		*out = (long)d;
		return 0;
	}
	free(name);
	return -1;
}

/* Whether a form's key is value (evhttp decodes it); 0 when malformed. */
int
chat_in_form_has(const char *form, const char *key, const char *value)
{
	struct evkeyvalq	 params;
	const char		*v;
	int			 rv = 0;

	TAILQ_INIT(&params);
	if (evhttp_parse_query_str(form, &params) == 0) {
		v = evhttp_find_header(&params, key);
		rv = v != NULL && strcmp(v, value) == 0;
	}
	evhttp_clear_headers(&params);
	return rv;
}

/* A request header through the server's callback. */
const char *
chat_in_header(const struct chat_inbound *in, const char *name)
{
	if (in->header == NULL)
		return NULL;
	return in->header(in->ctx, name);
}

/* Append code point cp as UTF-8. */
static void
chat_in_put_utf8(struct strbuf *b, uint32_t cp)
{
	char	 s[4];
	size_t	 n;

	if (cp < 0x80) {
		s[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		s[0] = (char)(0xc0 | cp >> 6);
		s[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		s[0] = (char)(0xe0 | cp >> 12);
		s[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		s[0] = (char)(0xf0 | cp >> 18);
		s[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		s[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		s[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	strbuf_addn(b, s, n);
}

/* Append what entity name[0..n) (between '&' and ';') means; -1 if unknown. */
static int
chat_in_entity(const char *name, size_t n, struct strbuf *b)
{
	uint32_t	 cp = 0;
	size_t		 i, j;
	int		 hex, d;

	for (i = 0; i < sizeof chat_in_entities / sizeof chat_in_entities[0];
	    i++) {
		if (strlen(chat_in_entities[i].name) == n &&
		    memcmp(chat_in_entities[i].name, name, n) == 0) {
			strbuf_add(b, chat_in_entities[i].text);
			return 0;
		}
	}
	if (n < 2 || name[0] != '#')
		return -1;
	hex = name[1] == 'x' || name[1] == 'X';
	if ((j = hex ? 2 : 1) == n)
		return -1;
	for (; j < n; j++) {
		if (name[j] >= '0' && name[j] <= '9')
			d = name[j] - '0';
		else if (hex && name[j] >= 'a' && name[j] <= 'f')
			d = name[j] - 'a' + 10;
		else if (hex && name[j] >= 'A' && name[j] <= 'F')
			d = name[j] - 'A' + 10;
		else
			return -1;
		if ((cp = cp * (hex ? 16 : 10) + (uint32_t)d) > 0x10ffff)
			return -1;
	}
	/* No NULs or other controls, no surrogates: keep the text clean. */
	if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
	    (cp >= 0x7f && cp < 0xa0) || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	chat_in_put_utf8(b, cp);
	return 0;
}

/* Decode HTML entities in one pass; unknown ones stay as they are. */
char *
chat_in_unescape_html(const char *s)
{
	struct strbuf	 b = { NULL, 0, 0 };
	size_t		 n;

	while (*s != '\0') {
		/* The longest entity decoded is "#x10FFFF" or "#1114111". */
		if (*s == '&' && (n = strcspn(s + 1, ";& \t\n")) <= 8 &&
		    s[1 + n] == ';' && chat_in_entity(s + 1, n, &b) == 0) {
			s += n + 2;
			continue;
		}
		strbuf_addc(&b, *s++);
	}
	return strbuf_take(&b);
}

/* A copy of s without leading and trailing ASCII whitespace. */
static char *
chat_in_trim(const char *s)
{
	size_t	 n;

	s += strspn(s, CHAT_IN_SPACES);
	n = strlen(s);
	while (n != 0 && strchr(CHAT_IN_SPACES, s[n - 1]) != NULL)
		n--;
	return xstrndup(s, n);
}

/*
 * Whether the first word (len bytes) is a reply code. Any word the code
 * alphabet can spell counts when more text follows: the server puts it back
 * with chat_answer_restore_code() when no delivery has it. A word alone is a
 * code with no answer only when it has a digit or is all capitals ("K7QX",
 * "KXQZ"); "calm" or "Same" alone is a one-word answer.
 */
static int
chat_in_looks_code(const char *word, size_t len, int more)
{
	char	 typed[REPLYCODE_LEN + 1], norm[REPLYCODE_LEN + 1];
	size_t	 i;
	int	 digit = 0, lower = 0;

	if (len != REPLYCODE_LEN)
		return 0;
	memcpy(typed, word, len);
	typed[len] = '\0';
	if (replycode_normalize(typed, norm) == -1)
		return 0;
	if (more)
		return 1;
	for (i = 0; i < len; i++) {
		digit |= typed[i] >= '0' && typed[i] <= '9';
		lower |= typed[i] >= 'a' && typed[i] <= 'z';
	}
	return digit || !lower;
}

/* Trim what was typed, split a leading code off, check what is left. */
int
chat_in_answer_text(struct chat_answer *a, const char *typed, int find_code,
    char **cause)
{
	const char	*word, *rest;
	char		*code = NULL, *text;
	size_t		 len, chars;

	word = typed + strspn(typed, CHAT_IN_SPACES);
	len = strcspn(word, CHAT_IN_SPACES);
	rest = word + len + strspn(word + len, CHAT_IN_SPACES);
	if (find_code && chat_in_looks_code(word, len, *rest != '\0')) {
		code = xstrndup(word, len);
		typed = rest;
	}
	text = chat_in_trim(typed);
	if (*text == '\0')
		*cause = xstrdup(code != NULL ? "empty answer: type it after "
		    "the reply code" : "empty answer");
	else if ((chars = chat_utf8_chars(text)) == SIZE_MAX)
		*cause = xstrdup("the answer is not valid UTF-8");
	else if (chars > CHAT_IN_TEXT_MAX)
		xasprintf(cause, "the answer is %zu characters long; nudged "
		    "keeps answers of up to %d", chars, CHAT_IN_TEXT_MAX);
	else {
		free(a->text);
		free(a->code);
		a->text = text;
		a->code = code;
		return 0;
	}
	free(text);
	free(code);
	return -1;
}

/* Print a reply body and free its JSON. */
char *
chat_in_print(struct cJSON *root)
{
	char	*s;

	if ((s = cJSON_PrintUnformatted(root)) == NULL)
		fatalx("cJSON: out of memory");
	cJSON_Delete(root);
	return s;
}

/* An empty reply: what IGNORE and Slack events answer with. */
char *
chat_in_empty(const char **content_type)
{
	*content_type = "text/plain";
	return xstrdup("");
}

/*
 * Parse a JSON-only platform's request: the body must be a JSON object,
 * which read turns into the answer. -1 with a cause when it is not, or when
 * read refuses it (the answer is then freed).
 */
int
chat_in_parse_json(const struct chat_inbound *in, struct chat_answer *a,
    char **cause, int (*read)(const cJSON *, struct chat_answer *, char **))
{
	struct chat_in_body	*body;
	const cJSON		*root;
	int			 rv = -1;

	memset(a, 0, sizeof *a);
	if ((body = chat_in_body_parse(in, cause)) == NULL)
		return -1;
	if ((root = chat_in_body_json(body)) == NULL)
		*cause = xstrdup("the body is not JSON");
	else
		rv = read(root, a, cause);
	chat_in_body_free(body);
	if (rv == -1)
		chat_answer_free(a);
	return rv;
}

/*
 * Read an answer to the JSON API, {"channel", "user", "text", "code"?,
 * "user_name"?, "id"?}, with the getters and limits of every platform:
 * route_key is the channel, message_id the caller's "id" (or NULL).
 */
int
chat_in_api_parse(const struct chat_inbound *in, struct chat_answer *a,
    char **cause)
{
	struct chat_in_body	*body;
	const char		*channel, *user, *text, *code, *name, *id;
	int			 rv = -1;

	memset(a, 0, sizeof *a);
	if ((body = chat_in_body_parse(in, cause)) == NULL)
		return -1;
	if (chat_in_body_json(body) == NULL)
		*cause = xstrdup("the body is not JSON");
	else if (chat_in_field(body, "channel", CHAT_IN_NONEMPTY,
	    CHAT_IN_ID_MAX, &channel, cause) == 0 &&
	    chat_in_field(body, "user", CHAT_IN_NONEMPTY, CHAT_IN_ID_MAX, &user,
	    cause) == 0 &&
	    chat_in_field(body, "text", CHAT_IN_REQUIRED, CHAT_IN_RAW_MAX,
	    &text, cause) == 0 &&
	    chat_in_field(body, "code", CHAT_IN_OPTIONAL, CHAT_IN_ID_MAX, &code,
	    cause) == 0 &&
	    chat_in_field(body, "user_name", CHAT_IN_OPTIONAL, CHAT_IN_ID_MAX,
	    &name, cause) == 0 &&
	    chat_in_field(body, "id", CHAT_IN_OPTIONAL, CHAT_IN_ID_MAX, &id,
	    cause) == 0 &&
	    chat_in_answer_text(a, text, 0, cause) == 0) {
		a->kind = CHAT_IN_ANSWER;
		a->via = CHAT_VIA_COMMAND;
		a->route_key = xstrdup(channel);
		a->user_id = xstrdup(user);
		a->user_name = name != NULL ? xstrdup(name) : NULL;
		a->code = code != NULL ? xstrdup(code) : NULL;
		a->message_id = id != NULL ? xstrdup(id) : NULL;
		rv = 0;
	}
	chat_in_body_free(body);
	if (rv == -1)
		chat_answer_free(a);
	return rv;
}

/* The keys a request to open a nudge may have. */
static const char *const chat_in_event_keys[] = {
	"id", "schedule", "track", "to", "context", NULL,
};

/* Read a request to open a nudge now, {"id", "schedule" | "track", "to"?, "context"?}. */
int
chat_in_event_parse(const struct chat_inbound *in, struct chat_event *ev,
    char **cause)
{
	struct chat_in_body	*body;
	const cJSON		*root;
	int			 rv = -1;

	memset(ev, 0, sizeof *ev);
	if ((body = chat_in_body_parse(in, cause)) == NULL)
		return -1;
	if ((root = chat_in_body_json(body)) == NULL)
		*cause = xstrdup("the body is not JSON");
	else if (chat_in_event_read(root, ev, cause) == 0 &&
	    chat_in_event_check(ev, cause) == 0)
		rv = 0;
	chat_in_body_free(body);
	if (rv == -1)
		chat_event_free(ev);
	return rv;
}

/* Copy the request's fields out, refusing a key it cannot have. */
static int
chat_in_event_read(const cJSON *root, struct chat_event *ev, char **cause)
{
	const char	*id, *schedule, *track, *to, *context;
	const cJSON	*c;
	size_t		 i;

	for (c = root->child; c != NULL; c = c->next) {
		for (i = 0; chat_in_event_keys[i] != NULL &&
		    strcmp(chat_in_event_keys[i], c->string) != 0; i++)
			;
		if (chat_in_event_keys[i] == NULL) {
			xasprintf(cause, "unknown key \"%.64s\" (expected id, "
			    "schedule or track, to, context)", c->string);
			return -1;
		}
	}
	if (chat_in_string(root, NULL, "id", CHAT_IN_NONEMPTY,
	    CHAT_EVENT_ID_MAX, &id, cause) == -1 ||
	    chat_in_string(root, NULL, "schedule", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &schedule, cause) == -1 ||
	    chat_in_string(root, NULL, "track", CHAT_IN_OPTIONAL,
	    CHAT_IN_ID_MAX, &track, cause) == -1 ||
	    chat_in_string(root, NULL, "to", CHAT_IN_OPTIONAL, CHAT_IN_ID_MAX,
	    &to, cause) == -1 ||
	    chat_in_string(root, NULL, "context", CHAT_IN_OPTIONAL,
	    CHAT_IN_RAW_MAX, &context, cause) == -1)
		return -1;
	ev->id = xstrdup(id);
	ev->schedule = schedule != NULL ? xstrdup(schedule) : NULL;
	ev->track = track != NULL ? xstrdup(track) : NULL;
	ev->to = to != NULL ? xstrdup(to) : NULL;
	if (context != NULL && context[strspn(context, CHAT_IN_SPACES)] != '\0')
		ev->context = chat_in_trim(context);
	return 0;
}

/* The rules a request's fields follow beyond their types. */
static int
chat_in_event_check(const struct chat_event *ev, char **cause)
{
	size_t	 chars;

	if ((ev->schedule == NULL) == (ev->track == NULL)) {
		*cause = xstrdup("name either a \"schedule\" or a \"track\"");
		return -1;
	}
	for (const char *p = ev->id; *p != '\0'; p++) {
		if (*p <= ' ' || *p > '~') {
			*cause = xstrdup("\"id\" may hold only printable ASCII "
			    "without spaces");
			return -1;
		}
	}
	if (ev->context == NULL)
		return 0;
	for (const unsigned char *p = (const unsigned char *)ev->context;
	    *p != '\0'; p++) {
		if (*p < ' ' || *p == 0x7f) {
			*cause = xstrdup("\"context\" must be one line without "
			    "control characters");
			return -1;
		}
	}
	if ((chars = chat_utf8_chars(ev->context)) > CHAT_EVENT_CONTEXT_MAX) {
		xasprintf(cause, "\"context\" is %zu characters long; at most "
		    "%d", chars, CHAT_EVENT_CONTEXT_MAX);
		return -1;
	}
	return 0;
}

/* Free what a request to open a nudge holds. */
void
chat_event_free(struct chat_event *ev)
{
	free(ev->id);
	free(ev->schedule);
	free(ev->track);
	free(ev->to);
	free(ev->context);
	memset(ev, 0, sizeof *ev);
}
