/* SPDX-License-Identifier: ISC */
/*
 * JSON with comments: `//` and `/ * * /` comments are blanked to spaces (newlines
 * kept, so offsets stay true), cJSON parses the rest, and a second pass walks the
 * text beside the tree to record where each node's key and value start.
 */
#include "jsonc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"
#include "xmalloc.h"

struct jsonc_pos {
	const cJSON	*node;
	size_t		 key_off;	/* offset of the key's quote, or value_off */
	size_t		 value_off;
};

static int	 jsonc_blank_comments(char *, size_t, size_t *);
static size_t	 jsonc_skip_space(const char *, size_t, size_t);
static size_t	 jsonc_error_offset(const char *, size_t, size_t);
static size_t	 jsonc_skip_string(const char *, size_t, size_t);
static size_t	 jsonc_index_value(struct jsonc_doc *, const cJSON *, size_t,
		    size_t);
static void	 jsonc_add_pos(struct jsonc_doc *, const cJSON *, size_t,
		    size_t);
static void	 jsonc_line_col(const struct jsonc_doc *, size_t, int *, int *);
static const struct jsonc_pos *jsonc_find_pos(const struct jsonc_doc *,
		    const cJSON *);
static void	 jsonc_verror(struct jsonc_doc *, size_t, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));
static void	 jsonc_error_key(struct jsonc_doc *, const struct jsonc_pos *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));

/* Read a whole file and parse it as JSON with comments. */
struct jsonc_doc *
jsonc_load_file(const char *path, char **cause)
{
	struct jsonc_doc *doc;
	FILE *f;
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	do {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			buf = xreallocarray(buf, 1, cap);
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		xasprintf(cause, "%s: read error", path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	doc = jsonc_parse(path, buf, len, cause);
	free(buf);
	return doc;
}

/* Parse text as JSON with comments; on a syntax error, cause is FILE:LINE:COL: ... */
struct jsonc_doc *
jsonc_parse(const char *path, const char *text, size_t len, char **cause)
{
	struct jsonc_doc *doc = xcalloc(1, sizeof *doc);
	const char *end = NULL;
	size_t bad, off;
	int line, col;

	doc->path = xstrdup(path);
	doc->text = xmalloc(len + 1);
	memcpy(doc->text, text, len);
	doc->text[len] = '\0';
	doc->len = len;
	if (memchr(text, '\0', len) != NULL) {
		xasprintf(cause, "%s: contains a NUL byte", path);
		jsonc_free(doc);
		return NULL;
	}
	if (jsonc_blank_comments(doc->text, len, &bad) == -1) {
		jsonc_line_col(doc, bad, &line, &col);
		xasprintf(cause, "%s:%d:%d: unterminated /* comment", path, line,
		    col);
		jsonc_free(doc);
		return NULL;
	}
	doc->root = cJSON_ParseWithLengthOpts(doc->text, len + 1, &end, 1);
	if (doc->root == NULL) {
		off = jsonc_error_offset(doc->text, len,
		    end != NULL ? (size_t)(end - doc->text) : 0);
		jsonc_line_col(doc, off, &line, &col);
		if (off >= len)
			xasprintf(cause, "%s:%d:%d: JSON syntax error: unexpected "
			    "end of file", path, line, col);
		else
			xasprintf(cause, "%s:%d:%d: JSON syntax error near '%c'",
			    path, line, col, doc->text[off]);
		jsonc_free(doc);
		return NULL;
	}
	off = jsonc_skip_space(doc->text, len, 0);
	jsonc_index_value(doc, doc->root, off, off);
	return doc;
}

/* Free a document and everything it owns. */
void
jsonc_free(struct jsonc_doc *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->nerrors; i++)
		free(doc->errors[i]);
	free(doc->errors);
	cJSON_Delete(doc->root);
	free(doc->pos);
	free(doc->text);
	free(doc->path);
	free(doc);
}

/* Replace comments with spaces in place; -1 and *bad on an unterminated block. */
static int
jsonc_blank_comments(char *s, size_t len, size_t *bad)
{
	size_t i = 0;

	while (i < len) {
		if (s[i] == '"') {
			i = jsonc_skip_string(s, len, i);
			continue;
		}
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				s[i++] = ' ';
			continue;
		}
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			size_t start = i;

			s[i++] = ' ';
			s[i++] = ' ';
			while (i < len && !(s[i] == '*' && i + 1 < len &&
			    s[i + 1] == '/')) {
				if (s[i] != '\n')
					s[i] = ' ';
				i++;
			}
			if (i >= len) {
				*bad = start;
				return -1;
			}
			s[i++] = ' ';
			s[i++] = ' ';
			continue;
		}
		i++;
	}
	return 0;
}

/*
 * Where a syntax error really is, from the offset cJSON reports. cJSON steps
 * one character past the culprit when an object key was expected but no '"'
 * came (`{"a": 1,}`), so in that case the character before is the one.
 */
static size_t
jsonc_error_offset(const char *s, size_t len, size_t off)
{
	size_t prev;

	if (off > len)
		off = len;
	if (off > 0 && s[off - 1] != '"' && strchr(" \t\r\n", s[off - 1]) == NULL) {
		prev = off - 1;
		while (prev > 0 && strchr(" \t\r\n", s[prev - 1]) != NULL)
			prev--;
		if (prev > 0 && (s[prev - 1] == '{' || s[prev - 1] == ','))
			return off - 1;
	}
	return jsonc_skip_space(s, len, off);
}

/* Offset of the first non-space character at or after off. */
static size_t
jsonc_skip_space(const char *s, size_t len, size_t off)
{
	while (off < len && (s[off] == ' ' || s[off] == '\t' ||
	    s[off] == '\n' || s[off] == '\r'))
		off++;
	return off;
}

/* Offset just past the string literal whose opening quote is at off. */
static size_t
jsonc_skip_string(const char *s, size_t len, size_t off)
{
	off++;
	while (off < len && s[off] != '"') {
		if (s[off] == '\\' && off + 1 < len)
			off++;
		off++;
	}
	return off < len ? off + 1 : len;
}

/* Remember where a node's key and value start. */
static void
jsonc_add_pos(struct jsonc_doc *doc, const cJSON *node, size_t key_off,
    size_t value_off)
{
	if ((doc->npos & (doc->npos - 1)) == 0)
		doc->pos = xreallocarray(doc->pos, doc->npos ? doc->npos * 2 : 16,
		    sizeof *doc->pos);
	doc->pos[doc->npos].node = node;
	doc->pos[doc->npos].key_off = key_off;
	doc->pos[doc->npos].value_off = value_off;
	doc->npos++;
}

/*
 * Record the value starting at off (cJSON already accepted the text, so it is
 * well-formed) and return the offset just past it. Children appear in the text
 * in the same order as in the tree.
 */
static size_t
jsonc_index_value(struct jsonc_doc *doc, const cJSON *node, size_t key_off,
    size_t off)
{
	const char *s = doc->text;
	size_t len = doc->len, child_key;
	const cJSON *child;

	jsonc_add_pos(doc, node, key_off, off);
	if (off >= len)
		return off;
	if (s[off] == '"')
		return jsonc_skip_string(s, len, off);
	if (s[off] != '{' && s[off] != '[') {
		while (off < len && strchr(",}] \t\r\n", s[off]) == NULL)
			off++;
		return off;
	}
	off++;
	for (child = node->child; child != NULL; child = child->next) {
		off = jsonc_skip_space(s, len, off);
		child_key = off;
		if (cJSON_IsObject(node)) {
			off = jsonc_skip_string(s, len, off);
			off = jsonc_skip_space(s, len, off) + 1; /* the ':' */
			off = jsonc_skip_space(s, len, off);
		}
		off = jsonc_index_value(doc, child, child_key, off);
		off = jsonc_skip_space(s, len, off);
		if (off < len && s[off] == ',')
			off++;
	}
	off = jsonc_skip_space(s, len, off);
	return off < len ? off + 1 : len;
}

/* Turn a byte offset into a 1-based line and column (columns count characters). */
static void
jsonc_line_col(const struct jsonc_doc *doc, size_t off, int *line, int *col)
{
	int l = 1, c = 1;

	for (size_t i = 0; i < off && i < doc->len; i++) {
		if (doc->text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)doc->text[i] & 0xc0) != 0x80)
			c++;
	}
	*line = l;
	*col = c;
}

/* The recorded position of a node, or NULL for a node not in this document. */
static const struct jsonc_pos *
jsonc_find_pos(const struct jsonc_doc *doc, const cJSON *node)
{
	for (size_t i = 0; i < doc->npos; i++) {
		if (doc->pos[i].node == node)
			return &doc->pos[i];
	}
	return NULL;
}

/* Line and column where a node's value starts (1:1 when unknown). */
void
jsonc_where(const struct jsonc_doc *doc, const cJSON *node, int *line, int *col)
{
	const struct jsonc_pos *p = node ? jsonc_find_pos(doc, node) : NULL;

	jsonc_line_col(doc, p ? p->value_off : 0, line, col);
}

/* Append one "FILE:LINE:COL: message" for the text at offset off. */
static void
jsonc_verror(struct jsonc_doc *doc, size_t off, const char *fmt, va_list ap)
{
	char *msg;
	int line, col;

	jsonc_line_col(doc, off, &line, &col);
	xvasprintf(&msg, fmt, ap);
	/* One error, one line: a quoted value cannot start a fake error line. */
	for (char *p = msg; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	doc->errors = xreallocarray(doc->errors, doc->nerrors + 1,
	    sizeof *doc->errors);
	xasprintf(&doc->errors[doc->nerrors++], "%s:%d:%d: %s", doc->path, line,
	    col, msg);
	free(msg);
}

/* Record an error at a member's key (unknown or repeated keys). */
static void
jsonc_error_key(struct jsonc_doc *doc, const struct jsonc_pos *p,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	jsonc_verror(doc, p ? p->key_off : 0, fmt, ap);
	va_end(ap);
}

/* Record an error at a node's value. */
void
jsonc_error(struct jsonc_doc *doc, const cJSON *node, const char *fmt, ...)
{
	const struct jsonc_pos *p = node ? jsonc_find_pos(doc, node) : NULL;
	va_list ap;

	va_start(ap, fmt);
	jsonc_verror(doc, p ? p->value_off : 0, fmt, ap);
	va_end(ap);
}

/*
 * Record an error at a character inside a string node: column_offset is the
 * 1-based position within the string's content (as for a cron expression).
 */
void
jsonc_error_at(struct jsonc_doc *doc, const cJSON *node, int column_offset,
    const char *fmt, ...)
{
	const struct jsonc_pos *p = node ? jsonc_find_pos(doc, node) : NULL;
	size_t off = p ? p->value_off : 0;
	va_list ap;

	if (p != NULL && column_offset > 0 && cJSON_IsString(node)) {
		/* Step over the quote, then characters (escapes count as one). */
		off++;
		for (int n = 1; n < column_offset && off < doc->len &&
		    doc->text[off] != '"'; n++) {
			if (doc->text[off] == '\\')
				off++;
			off++;
			while (off < doc->len &&
			    ((unsigned char)doc->text[off] & 0xc0) == 0x80)
				off++;
		}
	}
	va_start(ap, fmt);
	jsonc_verror(doc, off, fmt, ap);
	va_end(ap);
}

/* All collected errors as one newline-separated string, or NULL if none. */
char *
jsonc_errors_join(const struct jsonc_doc *doc)
{
	size_t total = 0, at = 0;
	char *out;

	if (doc->nerrors == 0)
		return NULL;
	for (size_t i = 0; i < doc->nerrors; i++)
		total += strlen(doc->errors[i]) + 1;
	out = xmalloc(total);
	for (size_t i = 0; i < doc->nerrors; i++) {
		size_t n = strlen(doc->errors[i]);

		memcpy(out + at, doc->errors[i], n);
		at += n;
		out[at++] = '\n';
	}
	out[total - 1] = '\0';
	return out;
}

/* A word for a node's JSON type, for "expected a string, got a number". */
const char *
jsonc_type_name(const cJSON *node)
{
	if (cJSON_IsString(node))
		return "a string";
	if (cJSON_IsNumber(node))
		return "a number";
	if (cJSON_IsBool(node))
		return "a boolean";
	if (cJSON_IsNull(node))
		return "null";
	if (cJSON_IsArray(node))
		return "an array";
	if (cJSON_IsObject(node))
		return "an object";
	return "an invalid value";
}

/* Report keys that are not in allowed (NULL-terminated) and repeated keys. */
int
jsonc_check_keys(struct jsonc_doc *doc, const cJSON *object,
    const char *const *allowed)
{
	const struct jsonc_pos *p;
	const cJSON *a, *b;
	size_t before = doc->nerrors;
	int known;

	for (a = object->child; a != NULL; a = a->next) {
		known = 0;
		for (size_t i = 0; allowed[i] != NULL; i++) {
			if (strcmp(allowed[i], a->string) == 0)
				known = 1;
		}
		if (!known) {
			struct suggest sg;

			suggest_init(&sg, a->string);
			for (size_t i = 0; allowed[i] != NULL; i++)
				suggest_offer(&sg, allowed[i]);
			p = jsonc_find_pos(doc, a);
			jsonc_error_key(doc, p, "unknown key \"%s\"%s", a->string,
			    suggest_hint(&sg));
			suggest_clear(&sg);
			continue;
		}
		/* Objects checked here have a handful of known keys: this stays short. */
		for (b = object->child; b != a; b = b->next) {
			if (strcmp(b->string, a->string) == 0) {
				p = jsonc_find_pos(doc, a);
				jsonc_error_key(doc, p, "duplicate key \"%s\"",
				    a->string);
				break;
			}
		}
	}
	return doc->nerrors == before ? 0 : -1;
}

/* The member key of object, or NULL; a missing required key is an error at the object. */
const cJSON *
jsonc_get(struct jsonc_doc *doc, const cJSON *object, const char *key,
    int required)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);

	if (item == NULL && required)
		jsonc_error(doc, object, "missing required key \"%s\"", key);
	return item;
}

/* A string member (NULL when absent or of the wrong type, which is an error). */
const char *
jsonc_get_string(struct jsonc_doc *doc, const cJSON *object, const char *key,
    int required)
{
	const cJSON *item = jsonc_get(doc, object, key, required);

	if (item == NULL)
		return NULL;
	if (!cJSON_IsString(item)) {
		jsonc_error(doc, item, "\"%s\" must be a string, not %s", key,
		    jsonc_type_name(item));
		return NULL;
	}
	return item->valuestring;
}

/* An object member (NULL when absent or of the wrong type, which is an error). */
const cJSON *
jsonc_get_object(struct jsonc_doc *doc, const cJSON *object, const char *key,
    int required)
{
	const cJSON *item = jsonc_get(doc, object, key, required);

	if (item != NULL && !cJSON_IsObject(item)) {
		jsonc_error(doc, item, "\"%s\" must be an object, not %s", key,
		    jsonc_type_name(item));
		return NULL;
	}
	return item;
}

/* An array member (NULL when absent or of the wrong type, which is an error). */
const cJSON *
jsonc_get_array(struct jsonc_doc *doc, const cJSON *object, const char *key,
    int required)
{
	const cJSON *item = jsonc_get(doc, object, key, required);

	if (item != NULL && !cJSON_IsArray(item)) {
		jsonc_error(doc, item, "\"%s\" must be an array, not %s", key,
		    jsonc_type_name(item));
		return NULL;
	}
	return item;
}

/* An integer member within [min, max]; 1 when set, 0 when absent, -1 on error. */
int
jsonc_get_int(struct jsonc_doc *doc, const cJSON *object, const char *key,
    int required, long min, long max, long *out)
{
	const cJSON *item = jsonc_get(doc, object, key, required);
	double v;

	if (item == NULL)
		return required ? -1 : 0;
	if (!cJSON_IsNumber(item)) {
		jsonc_error(doc, item, "\"%s\" must be a number, not %s", key,
		    jsonc_type_name(item));
		return -1;
	}
	v = item->valuedouble;
	/* Range first: converting a double a long cannot hold is undefined. */
	if (!(v >= (double)min && v <= (double)max)) {
		jsonc_error(doc, item, "\"%s\" is %g, outside %ld-%ld", key, v,
		    min, max);
		return -1;
	}
	if (v != (double)(long)v) {
		jsonc_error(doc, item, "\"%s\" must be a whole number", key);
		return -1;
	}
	*out = (long)v;
	return 1;
}

/* A boolean member; 1 when set, 0 when absent, -1 on error. */
int
jsonc_get_bool(struct jsonc_doc *doc, const cJSON *object, const char *key,
    int required, int *out)
{
	const cJSON *item = jsonc_get(doc, object, key, required);

	if (item == NULL)
		return required ? -1 : 0;
	if (!cJSON_IsBool(item)) {
		jsonc_error(doc, item, "\"%s\" must be true or false, not %s",
		    key, jsonc_type_name(item));
		return -1;
	}
	*out = cJSON_IsTrue(item);
	return 1;
}
