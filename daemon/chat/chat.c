/* SPDX-License-Identifier: ISC */
/*
 * The table of chat platforms and what their files share: the wording every
 * platform uses, escaping, UTF-8 lengths, failure reasons that can never
 * carry a webhook URL, and cJSON builders that treat out-of-memory as fatal.
 */
#include "chat/chat_int.h"

#include <ctype.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "log.h"
#include "xmalloc.h"

/* What the answer hint tells people to type. */
#define CHAT_COMMAND		"/reflect"
#define CHAT_PROMPT_LEAD	"Here's a question to reflect on."
#define CHAT_REMINDER_LEAD \
	"A gentle reminder: this question is still open."
/* Bytes of platform text kept in a reason. */
#define CHAT_REASON_MAX		200

/* The table: the built-in rows, then any registered at run time. */
static const struct chat_platform *chat_builtin[] = {
	&chat_slack,
	&chat_teams,
	&chat_discord,
	&chat_mattermost,
	&chat_googlechat,
	&chat_webhook,
	&chat_console,
};
#define CHAT_NBUILTIN (sizeof chat_builtin / sizeof chat_builtin[0])

static const struct chat_platform **chat_added;
static size_t	 chat_nadded;
static char	*chat_names;	/* chat_platform_names(), made once */

static char	*chat_names_of(void);
static size_t	chat_utf8_seq(const unsigned char *, size_t);
static int	chat_check_string(const char *, const char *, char **);
static size_t	chat_url_len(const char *, size_t);
static cJSON	*chat_json_attach(cJSON *, const char *, cJSON *);

/* Row i of the table, or NULL past its end. */
const struct chat_platform *
chat_platform_at(size_t i)
{
	if (i < CHAT_NBUILTIN)
		return chat_builtin[i];
	if (i - CHAT_NBUILTIN < chat_nadded)
		return chat_added[i - CHAT_NBUILTIN];
	return NULL;
}

/* The platform called name, or NULL. */
const struct chat_platform *
chat_find(const char *name)
{
	const struct chat_platform *p;

	if (name == NULL)
		return NULL;
	for (size_t i = 0; (p = chat_platform_at(i)) != NULL; i++) {
		if (strcmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

/* Add a platform to the table for the rest of the process. */
void
chat_register(const struct chat_platform *p)
{
	if (chat_find(p->name) != NULL)
		fatalx("chat: platform \"%s\" registered twice", p->name);
	chat_added = xreallocarray(chat_added, chat_nadded + 1,
	    sizeof *chat_added);
	chat_added[chat_nadded++] = p;
	free(chat_names);
	chat_names = NULL;
}

/* Every row's name, comma-separated. */
static char *
chat_names_of(void)
{
	const struct chat_platform *p;
	struct strbuf b = { NULL, 0, 0 };

	for (size_t i = 0; (p = chat_platform_at(i)) != NULL; i++) {
		if (b.len != 0)
			strbuf_add(&b, ", ");
		strbuf_add(&b, p->name);
	}
	return b.s != NULL ? strbuf_take(&b) : xstrdup("none");
}

/* Whether a channel can send direct messages as configured. */
int
chat_direct_ready(const struct config_channel *c)
{
	char *why = NULL;
	int ok;

	if (c->platform == NULL || c->platform->direct == NULL)
		return 0;
	ok = c->platform->direct->ready(c, &why);
	free(why);
	return ok;
}

/* Whether a channel's own posts go through its platform's API. */
int
chat_channel_api(const struct config_channel *c)
{
	const struct chat_direct *d = c->platform != NULL ?
	    c->platform->direct : NULL;

	return d != NULL && d->channel_api != NULL && d->channel_api(c);
}

/* Every platform name, comma-separated, for error messages. */
const char *
chat_platform_names(void)
{
	if (chat_names == NULL)
		chat_names = chat_names_of();
	return chat_names;
}

/* The URL a channel posts to: its platform's, else the webhook as configured. */
char *
chat_post_url(const struct config_channel *c)
{
	if (c->platform->post_url != NULL)
		return c->platform->post_url(c);
	return xstrdup(c->webhook);
}

/* Free what a request holds and leave it empty (not the struct itself). */
void
chat_request_free(struct chat_request *req)
{
	size_t	 i;

	if (req == NULL)
		return;
	free(req->body);
	free(req->content_type);
	for (i = 0; i < req->nheaders; i++)
		free(req->headers[i]);
	free(req->headers);
	memset(req, 0, sizeof *req);	/* method is a literal */
}

/* Free what an answer holds and leave it empty (not the struct itself). */
void
chat_answer_free(struct chat_answer *a)
{
	if (a == NULL)
		return;
	free(a->user_id);
	free(a->user_name);
	free(a->text);
	free(a->code);
	free(a->message_id);
	free(a->route_key);
	free(a->thread);
	free(a->trigger);
	free(a->handshake);
	free(a->handshake_type);
	free(a->proof);
	memset(a, 0, sizeof *a);
}

/* Free what an API answer holds and leave it empty (not the struct itself). */
void
chat_direct_answer_free(struct chat_direct_answer *a)
{
	free(a->error);
	free(a->conversation);
	free(a->message_id);
	free(a->tz);
	free(a->user);
	free(a->bucket);
	memset(a, 0, sizeof *a);
}

/* Make a code that resolved to no delivery the first word of the text again. */
void
chat_answer_restore_code(struct chat_answer *a)
{
	char	*text;

	if (a->code == NULL)
		return;
	if (a->text != NULL && a->text[0] != '\0')
		xasprintf(&text, "%s %s", a->code, a->text);
	else
		text = xstrdup(a->code);
	free(a->text);
	free(a->code);
	a->text = text;
	a->code = NULL;
}

/* Append one "Name: value" header line to a request. */
void
chat_request_add_header(struct chat_request *req, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	va_start(ap, fmt);
	xvasprintf(&line, fmt, ap);
	va_end(ap);
	req->headers = xreallocarray(req->headers, req->nheaders + 1,
	    sizeof *req->headers);
	req->headers[req->nheaders++] = line;
}

/* Length of the valid UTF-8 sequence at s (at most avail bytes), or 0. */
static size_t
chat_utf8_seq(const unsigned char *s, size_t avail)
{
	uint32_t	 cp;
	size_t		 n, i;

	if (avail == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* Count code points; SIZE_MAX when s is not valid UTF-8. */
size_t
chat_utf8_chars(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 left = strlen(s), n, count = 0;

	while (left != 0) {
		if ((n = chat_utf8_seq(p, left)) == 0)
			return SIZE_MAX;
		p += n;
		left -= n;
		count++;
	}
	return count;
}

/* Refuse a string of a nudge that is not UTF-8, naming which one. */
static int
chat_check_string(const char *what, const char *s, char **cause)
{
	if (s != NULL && chat_utf8_chars(s) == SIZE_MAX) {
		xasprintf(cause, "the %s is not valid UTF-8", what);
		return -1;
	}
	return 0;
}

/* Check a nudge before any platform formats it. */
int
chat_check_nudge(const struct chat_nudge *n, char **cause)
{
	if (n->text == NULL || n->text[0] == '\0') {
		*cause = xstrdup("the nudge has no question text");
		return -1;
	}
	if (chat_check_string("question", n->text, cause) == -1 ||
	    chat_check_string("follow-up", n->follow_up, cause) == -1 ||
	    chat_check_string("context line", n->context, cause) == -1 ||
	    chat_check_string("theme title", n->theme_title, cause) == -1 ||
	    chat_check_string("theme", n->theme, cause) == -1 ||
	    chat_check_string("schedule name", n->schedule, cause) == -1 ||
	    chat_check_string("channel name", n->channel, cause) == -1 ||
	    chat_check_string("prompt id", n->prompt_id, cause) == -1 ||
	    chat_check_string("reply code", n->reply_code, cause) == -1)
		return -1;
	return 0;
}

/* The theme as people read it. */
const char *
chat_title(const struct chat_nudge *n)
{
	if (n->theme_title != NULL && n->theme_title[0] != '\0')
		return n->theme_title;
	if (n->theme != NULL && n->theme[0] != '\0')
		return n->theme;
	return "Reflection";
}

/* The opening line of a message. */
const char *
chat_lead(const struct chat_nudge *n)
{
	if (n->kind == CHAT_DIGEST)
		return "This week in reflection.";
	return n->kind == CHAT_REMINDER ? CHAT_REMINDER_LEAD : CHAT_PROMPT_LEAD;
}

/* One plain line that stands for the whole message in a notification. */
char *
chat_one_line(const struct chat_nudge *n)
{
	char	*s;

	if (n->kind == CHAT_REMINDER)
		xasprintf(&s, "A gentle reminder: this question is still open "
		    "\xe2\x80\x94 %s", n->text);
	else if (n->kind == CHAT_DIGEST)
		xasprintf(&s, "This week in reflection: %.*s", (int)strcspn(n->text,
		    "\n"), n->text);
	else
		xasprintf(&s, "%s: %s", chat_title(n), n->text);
	return s;
}

/* The command that answers this nudge. */
char *
chat_reply_command(const struct chat_nudge *n, const struct config_channel *cc)
{
	char	*s;

	if (chat_answer_gap(cc) != NULL)
		return NULL;
	if (n->reply_code != NULL && n->reply_code[0] != '\0')
		xasprintf(&s, CHAT_COMMAND " %s your answer", n->reply_code);
	else
		s = xstrdup(CHAT_COMMAND " your answer");
	return s;
}

/*
 * Why people cannot answer on a channel as configured, or NULL when they
 * can: the row must have an answer route and the channel the secret that
 * route checks answers with.
 */
const char *
chat_answer_gap(const struct config_channel *cc)
{
	const struct chat_platform *p = cc != NULL ? cc->platform : NULL;

	if (p == NULL || p->routes == NULL || p->routes[0].path == NULL ||
	    p->has_secret == NULL)
		return "its platform sends nudged no answers (its webhooks are "
		    "one-way), so its messages carry no answer hint";
	if (!p->has_secret(cc))
		return "it has no secret set for its answer route, so answers "
		    "would be refused and its messages carry no answer hint";
	return NULL;
}

/* Escape the three characters HTML-like markup gives meaning to. */
char *
chat_escape_html(const char *s)
{
	struct strbuf	 b = { NULL, 0, 0 };

	for (; *s != '\0'; s++) {
		if (*s == '&')
			strbuf_add(&b, "&amp;");
		else if (*s == '<')
			strbuf_add(&b, "&lt;");
		else if (*s == '>')
			strbuf_add(&b, "&gt;");
		else
			strbuf_addc(&b, *s);
	}
	return strbuf_take(&b);
}

/* Make Markdown specials literal with backslashes. */
char *
chat_escape_markdown(const char *s, const char *specials)
{
	struct strbuf	 b = { NULL, 0, 0 };
	int		 line_start = 1;
	size_t		 digits;

	for (; *s != '\0'; s++) {
		/* Headings and list items only open at the start of a line. */
		if (strchr(specials, *s) != NULL ||
		    (line_start && strchr("#-+", *s) != NULL))
			strbuf_addc(&b, '\\');
		/* "1." or "1)" opening a line starts an ordered list. */
		if (line_start && (digits = strspn(s, "0123456789")) > 0 &&
		    (s[digits] == '.' || s[digits] == ')')) {
			strbuf_addn(&b, s, digits);
			strbuf_addc(&b, '\\');
			s += digits;
		}
		strbuf_addc(&b, *s);
		if (*s == '\n')
			line_start = 1;
		else if (*s != ' ' && *s != '\t')
			line_start = 0;
	}
	return strbuf_take(&b);
}

/* Replace what a terminal would interpret (ESC, C1 controls) with '?'. */
char *
chat_escape_terminal(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct strbuf		 b = { NULL, 0, 0 };
	size_t			 left = strlen(s), n;

	while (left != 0) {
		n = chat_utf8_seq(p, left);
		if (n == 0 || (n == 1 && ((*p < 0x20 && *p != '\n' &&
		    *p != '\t') || *p == 0x7f)) ||
		    (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)) {
			strbuf_addc(&b, '?');
			n = n != 0 ? n : 1;
		} else
			strbuf_addn(&b, (const char *)p, n);
		p += n;
		left -= n;
	}
	return strbuf_take(&b);
}

/* The usual meaning of an HTTP status for a post. */
enum chat_outcome
chat_http_outcome(long status)
{
	if (status >= 200 && status <= 299)
		return CHAT_SENT;
	/* No status at all (transport failure), timeouts, throttling. */
	if (status < 100 || status == 408 || status == 425 || status == 429 ||
	    status >= 500)
		return CHAT_RETRY;
	return CHAT_PERMANENT;
}

/* Length of the URL starting at s (0 if none): scheme to a delimiter. */
static size_t
chat_url_len(const char *s, size_t len)
{
	size_t	 n;

	if (len >= 5 && strncasecmp(s, "http:", 5) == 0)
		n = 5;
	else if (len >= 6 && strncasecmp(s, "https:", 6) == 0)
		n = 6;
	else
		return 0;
	/* Also "https:\/\/..." as JSON may write it. */
	while (n < len && s[n] != '\0' && strchr(" \t\r\n\"'<>", s[n]) == NULL)
		n++;
	return n;
}

/* A reason for the log and the store: sanitised platform text, or NULL. */
char *
chat_reason(const char *detail, size_t len)
{
	const unsigned char	*p = (const unsigned char *)detail;
	struct strbuf		 b = { NULL, 0, 0 };
	size_t			 i = 0, n, kept = 0;
	int			 space = 0;

	while (detail != NULL && i < len && detail[i] != '\0') {
		if ((n = chat_url_len(detail + i, len - i)) != 0) {
			if (space && b.len != 0)
				strbuf_addc(&b, ' ');
			strbuf_add(&b, "[url]");
			space = 0;
			i += n;
			continue;
		}
		n = chat_utf8_seq(p + i, len - i);
		/* Controls, C1 controls and blanks fold into one space. */
		if ((n == 1 && (p[i] <= ' ' || p[i] == 0x7f)) ||
		    (n == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)) {
			space = 1;
			i += n;
			continue;
		}
		if (kept + (n != 0 ? n : 1) > CHAT_REASON_MAX) {
			strbuf_add(&b, "...");
			break;
		}
		if (space && b.len != 0)
			strbuf_addc(&b, ' ');
		space = 0;
		if (n == 0) {
			strbuf_addc(&b, '?');
			n = 1;
		} else
			strbuf_addn(&b, detail + i, n);
		kept += n;
		i += n;
	}
	return b.s;
}

/* Attach item to parent under key (or at the end of an array), if any. */
static cJSON *
chat_json_attach(cJSON *parent, const char *key, cJSON *item)
{
	int	 ok;

	if (item == NULL)
		fatalx("cJSON: out of memory");
	if (parent == NULL)
		return item;
	if (key == NULL)
		ok = cJSON_AddItemToArray(parent, item);
	else
		ok = cJSON_AddItemToObject(parent, key, item);
	if (!ok)
		fatalx("cJSON: out of memory");
	return item;
}

/* A new object inside parent, or a new root when parent is NULL. */
struct cJSON *
chat_json_object(struct cJSON *parent, const char *key)
{
	return chat_json_attach(parent, key, cJSON_CreateObject());
}

/* A new array inside parent. */
struct cJSON *
chat_json_array(struct cJSON *parent, const char *key)
{
	return chat_json_attach(parent, key, cJSON_CreateArray());
}

/* A string member; NULL becomes JSON null. */
void
chat_json_string(struct cJSON *parent, const char *key, const char *value)
{
	chat_json_attach(parent, key, value != NULL ?
	    cJSON_CreateString(value) : cJSON_CreateNull());
}

/* A number member. */
void
chat_json_number(struct cJSON *parent, const char *key, double value)
{
	chat_json_attach(parent, key, cJSON_CreateNumber(value));
}

/* A boolean member. */
void
chat_json_bool(struct cJSON *parent, const char *key, int value)
{
	chat_json_attach(parent, key, cJSON_CreateBool(value));
}

/* Print root as the request's body and free it. */
void
chat_json_finish(struct cJSON *root, struct chat_request *req,
    const char *content_type)
{
	char	*s;

	if ((s = cJSON_PrintUnformatted(root)) == NULL)
		fatalx("cJSON: out of memory");
	cJSON_Delete(root);
	req->body = s;
	req->body_len = strlen(s);
	req->content_type = xstrdup(content_type);
}

/* root[key] or root[key][subkey] when it is a string, else NULL. */
const char *
chat_json_find(const struct cJSON *root, const char *key, const char *subkey)
{
	const cJSON	*item;

	if (!cJSON_IsObject(root))
		return NULL;
	item = cJSON_GetObjectItemCaseSensitive(root, key);
	if (subkey != NULL)
		item = cJSON_IsObject(item) ?
		    cJSON_GetObjectItemCaseSensitive(item, subkey) : NULL;
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* A header's value in lines "Name: value\r\n" (allocated), or NULL. */
char *
chat_header_value(const char *headers, const char *name)
{
	size_t n = strlen(name), len;
	const char *line = headers, *v;

	while (line != NULL && *line != '\0') {
		if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
			v = line + n + 1;
			v += strspn(v, " \t");
			len = strcspn(v, "\r\n");
			while (len != 0 && isspace((unsigned char)v[len - 1]))
				len--;
			return xstrndup(v, len);
		}
		if ((line = strchr(line, '\n')) != NULL)
			line++;
	}
	return NULL;
}
