/* SPDX-License-Identifier: ISC */
/*
 * The prompt bank's rules of style, the ones prompts/README.md explains: what
 * makes a nudge one open, concrete, blame-free question that fits its slot.
 * Rules a reader could measure are errors; rules of taste are warnings. Both
 * carry the FILE:LINE:COL of the text they are about.
 */
#include "bank_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define BANK_RULES_WORDS	64	/* words of a text looked at; 280 chars fit */
#define BANK_RULES_WORD_LEN	32
#define BANK_RULES_MAX_ASKS	2
#define BANK_RULES_OPENING_SHARE 25	/* percent of an audience's prompts */
#define BANK_RULES_OPENING_MIN	8	/* prompts an audience needs to be judged */

struct bank_rules_words {
	char	w[BANK_RULES_WORDS][BANK_RULES_WORD_LEN];
	int	comma_before[BANK_RULES_WORDS];	/* a comma ends the word before */
	size_t	n;
};

/* Openers of a question that can be answered with yes or no. */
static const char *const bank_rules_closed[] = { "do", "does", "did", "is",
	"are", "was", "were", "can", "could", "have", "has", "had", "will",
	"would", "should", "shall", "may", "might", NULL };
/* Words that open a question of their own. */
static const char *const bank_rules_asks[] = { "what", "how", "which", "who",
	"whom", "whose", "where", "when", "why", NULL };
/* Words that join a second question to the first. */
static const char *const bank_rules_joins[] = { "and", "or", "then", "but",
	NULL };
/* Words that judge or lead, so the answer is decided before it is given. */
static const char *const bank_rules_judging[] = { "simply", "just",
	"obviously", "of course", "finally", "honestly", "without arguing",
	"once again", "yet again", "again and again", "postpone again",
	"why didn't", "why did you", "should have", "fault", "lazy", "excuse",
	"excuses", "went wrong", "failure", NULL };
/* Words that anchor a question in a time people can look at. */
static const char *const bank_rules_anchors[] = { "today", "tomorrow",
	"tonight", "yesterday", "morning", "afternoon", "day", "days", "week",
	"weeks", "month", "months", "quarter", "sprint", "recently", "lately",
	"now", "next", "last", "past", "since", "upcoming", "soon", "currently",
	NULL };
/* Words of a follow-up that can only be answered after acting. */
static const char *const bank_rules_past[] = { "did", "was", "were", "went",
	"happened", "said", "told", "felt", "found", "made", "got", "came",
	"changed", "noticed", "learned", "learnt", "surprised", "tried",
	"helped", "worked", "turned", "heard", "saw", "took", "gave", "answered",
	"responded", "reacted", "shifted", "moved", "picked", "began", "asked",
	"showed", "kept", "brought", "ended", "recognised", "used", NULL };

static void	 bank_rules_split(const char *, struct bank_rules_words *);
static const char *bank_rules_any(const struct bank_rules_words *,
		    const char *const *);
static int	 bank_rules_in(const char *, const char *const *);
static size_t	 bank_rules_count_asks(const struct bank_rules_words *);
static const char *bank_rules_menu(const char *);
static const char *bank_rules_phrase(const char *, const char *const *);
static int	 bank_rules_sentences(const char *);
static void	 bank_rules_opening(const char *, char *, size_t);

/* Where a node is, "FILE:LINE:COL", allocated. */
char *
bank_where(const struct jsonc_doc *doc, const cJSON *node)
{
	int line, col;
	char *s;

	jsonc_where(doc, node, &line, &col);
	xasprintf(&s, "%s:%d:%d", doc->path, line, col);
	return s;
}

/* Add a warning at a place to the bank. */
void
bank_warn(struct bank *b, const char *where, const char *fmt, ...)
{
	va_list ap;
	char *what, *line;

	va_start(ap, fmt);
	xvasprintf(&what, fmt, ap);
	va_end(ap);
	xasprintf(&line, "%s: warning: %s", where, what);
	free(what);
	b->warnings = xreallocarray(b->warnings, b->nwarnings + 1,
	    sizeof *b->warnings);
	b->warnings[b->nwarnings++] = line;
}

/* Add an error (taking it) to a load's list. */
void
bank_errors_add(struct bank_errors *e, char *line)
{
	e->v = xreallocarray(e->v, e->n + 1, sizeof *e->v);
	e->v[e->n++] = line;
}

/* Lowercase words of a text, and which of them follow a comma. */
static void
bank_rules_split(const char *s, struct bank_rules_words *out)
{
	size_t len = 0;
	int comma = 0;

	memset(out, 0, sizeof *out);
	for (;; s++) {
		int c = (unsigned char)*s;

		if (isalnum(c) || ((c == '\'' || c == '-') && len > 0)) {
			if (len + 1 < BANK_RULES_WORD_LEN)
				out->w[out->n][len++] = (char)tolower(c);
			continue;
		}
		if (len > 0) {
			/* "today's" anchors like "today". */
			if (len > 2 && strcmp(out->w[out->n] + len - 2, "'s") == 0)
				out->w[out->n][len - 2] = '\0';
			out->comma_before[out->n] = comma;
			comma = 0;
			if (++out->n == BANK_RULES_WORDS)
				return;
			len = 0;
		}
		if (c == ',' || c == ';')
			comma = 1;
		if (c == '\0')
			return;
	}
}

/* Whether word is in a NULL-ended list. */
static int
bank_rules_in(const char *word, const char *const *list)
{
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcmp(word, list[i]) == 0)
			return 1;
	}
	return 0;
}

/* The first word of the text that is in list, or NULL. */
static const char *
bank_rules_any(const struct bank_rules_words *ws, const char *const *list)
{
	for (size_t i = 0; i < ws->n; i++) {
		if (bank_rules_in(ws->w[i], list))
			return ws->w[i];
	}
	return NULL;
}

/* The first phrase of list found in the text as whole words, any case, or NULL. */
static const char *
bank_rules_phrase(const char *s, const char *const *list)
{
	size_t n;

	for (size_t i = 0; list[i] != NULL; i++) {
		n = strlen(list[i]);
		for (const char *p = s; (p = strcasestr(p, list[i])) != NULL; p++) {
			if ((p == s || !isalpha((unsigned char)p[-1])) &&
			    !isalpha((unsigned char)p[n]))
				return list[i];
		}
	}
	return NULL;
}

/*
 * The questions a text asks: a question word that opens the text, follows
 * a comma, or follows "and", "or", "then" or "but" starts one.
 */
static size_t
bank_rules_count_asks(const struct bank_rules_words *ws)
{
	size_t asks = 0;

	for (size_t i = 0; i < ws->n; i++) {
		if (!bank_rules_in(ws->w[i], bank_rules_asks))
			continue;
		if (i == 0 || ws->comma_before[i] ||
		    bank_rules_in(ws->w[i - 1], bank_rules_joins))
			asks++;
	}
	return asks;
}

/*
 * What makes a text an answer menu, or NULL: a colon or slash before the
 * options, "or not", or a list of short options ("A, B or C").
 */
static const char *
bank_rules_menu(const char *s)
{
	const char *or, *comma, *prev;
	int words;

	if (strchr(s, ':') != NULL)
		return "a colon before a list of answers";
	if (strchr(s, '/') != NULL)
		return "a slash between answers";
	if ((or = strstr(s, " or not")) != NULL && !isalpha((unsigned char)or[7]))
		return "\"or not\"";
	for (or = strstr(s, " or "); or != NULL; or = strstr(or + 1, " or ")) {
		/* The option before "or" and the one before it: both short? */
		for (comma = or; comma > s && *comma != ','; comma--)
			;
		if (comma == s)
			continue;
		words = 0;
		for (const char *p = comma + 1; p < or; p++)
			words += *p == ' ';
		for (prev = comma - 1; prev > s && *prev != ','; prev--)
			;
		if (words <= 3 && prev > s && comma - prev < 30)
			return "a list of short answers to pick from";
	}
	return NULL;
}

/* Sentences in a text: a '.', '!' or '?' followed by a space ends one. */
static int
bank_rules_sentences(const char *s)
{
	int n = 1;

	for (; s[0] != '\0' && s[1] != '\0'; s++)
		n += strchr(".!?", s[0]) != NULL && s[1] == ' ';
	return n;
}

/*
 * The rules for one question (text or follow_up) of a prompt for an
 * audience: errors into doc, warnings into the bank.
 */
void
bank_rules_text(struct bank *b, struct jsonc_doc *doc, const cJSON *node,
    const char *what, enum config_audience audience)
{
	const char *s = node->valuestring, *menu, *word;
	struct bank_rules_words ws;
	char *where;
	size_t asks;

	bank_rules_split(s, &ws);
	if (bank_rules_sentences(s) > 1 || strchr(s, '?') != strrchr(s, '?'))
		jsonc_error(doc, node, "%s must be one sentence with one \"?\"",
		    what);
	if (ws.n > 0 && bank_rules_in(ws.w[0], bank_rules_closed))
		jsonc_error(doc, node, "%s opens with \"%s\": a yes-or-no "
		    "question; ask an open one", what, ws.w[0]);
	if ((asks = bank_rules_count_asks(&ws)) > BANK_RULES_MAX_ASKS)
		jsonc_error(doc, node, "%s asks %zu things; at most %d", what,
		    asks, BANK_RULES_MAX_ASKS);
	if ((menu = bank_rules_menu(s)) != NULL)
		jsonc_error(doc, node, "%s offers a menu of answers (%s); ask "
		    "one open question", what, menu);
	if (strpbrk(s, "<>&@") != NULL)
		jsonc_error(doc, node, "%s holds '%c': no '<', '>', '&' or "
		    "@-mentions, which chat platforms turn into markup", what,
		    *strpbrk(s, "<>&@"));
	if (strcmp(what, "text") == 0 && audience != CONFIG_AUDIENCE_ANY &&
	    bank_rules_any(&ws, bank_rules_anchors) == NULL)
		jsonc_error(doc, node, "text has no time anchor (today, this "
		    "week, next...): %s prompts point at a time; \"any\" ones "
		    "are timeless", config_audience_name(audience));
	if ((word = bank_rules_phrase(s, bank_rules_judging)) != NULL) {
		where = bank_where(doc, node);
		bank_warn(b, where, "%s says \"%s\", which judges or leads the "
		    "answer", what, word);
		free(where);
	}
}

/*
 * follow_up_when: "with" (sent with the question) or "later" (at the next
 * instant); required with a follow_up, and "later" when the follow-up
 * asks about what happened after acting.
 */
void
bank_rules_follow_up(struct jsonc_doc *doc, const cJSON *when,
    const cJSON *follow_up, const char *id)
{
	struct bank_rules_words ws;
	const char *past;

	if (follow_up == NULL) {
		if (when != NULL)
			jsonc_error(doc, when, "follow_up_when without a follow_up");
		return;
	}
	if (when == NULL) {
		jsonc_error(doc, follow_up, "prompt \"%s\" has a follow_up but no "
		    "follow_up_when (\"with\" or \"later\")", id);
		return;
	}
	if (strcmp(when->valuestring, "with") != 0 &&
	    strcmp(when->valuestring, "later") != 0) {
		jsonc_error(doc, when, "follow_up_when must be \"with\" or "
		    "\"later\", not \"%s\"", when->valuestring);
		return;
	}
	bank_rules_split(follow_up->valuestring, &ws);
	if (strcmp(when->valuestring, "with") == 0 &&
	    (past = bank_rules_any(&ws, bank_rules_past)) != NULL)
		jsonc_error(doc, when, "the follow_up is in the past tense "
		    "(\"%s\"): it can only be answered after acting, so it "
		    "must be \"later\"", past);
}

/* A theme or track title: short enough for every platform's message header. */
void
bank_rules_title(struct jsonc_doc *doc, const cJSON *title)
{
	size_t n = 0;

	for (const char *s = title->valuestring; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	if (n == 0)
		jsonc_error(doc, title, "empty title");
	else if (n > BANK_MAX_TITLE)
		jsonc_error(doc, title, "title is %zu characters, more than %d "
		    "(the shortest heading a chat platform shows)", n,
		    BANK_MAX_TITLE);
}

/* The first three words of a text, lowercase, without punctuation. */
static void
bank_rules_opening(const char *s, char *out, size_t size)
{
	struct bank_rules_words ws;

	bank_rules_split(s, &ws);
	snprintf(out, size, "%s %s %s", ws.w[0], ws.n > 1 ? ws.w[1] : "",
	    ws.n > 2 ? ws.w[2] : "");
}

/*
 * No three-word opening begins more than a quarter of an audience's prompts
 * (retired ones aside): a warning at the prompt that crosses the line.
 */
void
bank_rules_openings(struct bank *b)
{
	char (*open)[3 * BANK_RULES_WORD_LEN] = xcalloc(b->nprompts + 1,
	    sizeof *open);
	size_t total[3] = { 0 }, same, a;

	for (size_t i = 0; i < b->nprompts; i++) {
		bank_rules_opening(b->prompts[i].text, open[i], sizeof open[i]);
		total[b->prompts[i].audience] += !bank_retired(&b->prompts[i]);
	}
	for (size_t i = 0; i < b->nprompts; i++) {
		a = b->prompts[i].audience;
		if (bank_retired(&b->prompts[i]) ||
		    total[a] < BANK_RULES_OPENING_MIN)
			continue;
		same = 0;
		for (size_t j = 0; j <= i; j++)
			same += b->prompts[j].audience == a &&
			    !bank_retired(&b->prompts[j]) &&
			    strcmp(open[i], open[j]) == 0;
		if (same * 100 > total[a] * BANK_RULES_OPENING_SHARE &&
		    (same - 1) * 100 <= total[a] * BANK_RULES_OPENING_SHARE)
			bank_warn(b, b->prompts[i].where, "\"%s...\" opens more "
			    "than %d %% of the %zu %s prompts; vary the openings",
			    open[i], BANK_RULES_OPENING_SHARE, total[a],
			    config_audience_name((enum config_audience)a));
	}
	free(open);
}

/* A merged-away prompt points at a prompt that exists and is not retired itself. */
void
bank_rules_merges(struct bank *b, struct bank_errors *e)
{
	const struct bank_prompt *to;
	char *line;

	for (size_t i = 0; i < b->nprompts; i++) {
		const struct bank_prompt *p = &b->prompts[i];

		if (!bank_retired(p))
			continue;
		to = bank_find(b, p->merged_into);
		if (to != NULL && !bank_retired(to) && to != p)
			continue;
		xasprintf(&line, "%s: prompt \"%s\" is merged into \"%s\", which %s",
		    p->where, p->id, p->merged_into, to == NULL ? "is not in "
		    "the prompt bank" : "is retired itself");
		bank_errors_add(e, line);
	}
}
