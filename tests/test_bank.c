/* SPDX-License-Identifier: ISC */
/*
 * The prompt bank: strict validation with positions, each rule of style
 * (prompts/README.md) with its message and position, the shipped bank's
 * size and shape, and selection: no repeat within a cycle on a channel (also
 * across restarts, through the store), reproducible order, themes taking
 * turns, prompts added mid-cycle, retired and private prompts, tracks by id
 * list and shipped tracks with day offsets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bank.h"
#include "config.h"
#include "harness.h"
#include "store.h"

static char dir[] = "/tmp/nudged-test-XXXXXX";

/* Write a theme file with n prompts "<theme>-<i>" of the given audience. */
static void
write_theme(const char *theme, int first, int n, const char *audience)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s.json", dir, theme) < 0)
		abort();
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "{\"theme\": \"%s\", \"title\": \"T\", \"prompts\": [", theme);
	for (int i = first; i < first + n; i++)
		fprintf(f, "%s{\"id\": \"%s-%d\", \"audience\": \"%s\", \"text\": "
		    "\"What did you learn from %s %d this week?\", \"intent\": "
		    "\"%s-%d\"}", i > first ? ", " : "", theme, i, audience, theme,
		    i, theme, i);
	fprintf(f, "]}\n");
	fclose(f);
	free(path);
}

/* Write one file with exact text. */
static void
write_file(const char *name, const char *text)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* Empty the bank folder. */
static int
clean(void **state)
{
	char *cmd;

	(void)state;
	if (asprintf(&cmd, "rm -rf %s/*.json %s/tracks", dir, dir) < 0 ||
	    system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

/* A schedule on channel "team" with the given themes and audience. */
struct fixture_schedule {
	struct config_channel	 channel;
	struct config_schedule	 sc;
	char			*themes[4];
	char			*at[4];		/* where each theme or track entry is */
};

static void
make_schedule(struct fixture_schedule *f, const char *channel,
    enum config_audience audience, const char *t1, const char *t2)
{
	memset(f, 0, sizeof *f);
	f->channel.name = (char *)(uintptr_t)channel;
	f->sc.name = (char *)(uintptr_t)"weekly";
	f->sc.channel = &f->channel;
	f->sc.audience = audience;
	f->sc.themes = f->themes;
	for (size_t i = 0; i < 4; i++)
		f->at[i] = (char *)(uintptr_t)"nudged.json:7:13";
	f->sc.themes_at = f->sc.track_at = f->at;
	if (t1 != NULL)
		f->themes[f->sc.nthemes++] = (char *)(uintptr_t)t1;
	if (t2 != NULL)
		f->themes[f->sc.nthemes++] = (char *)(uintptr_t)t2;
}

/* Assert loading fails with want among the errors. */
static void
assert_bank_error(const char *want)
{
	char *cause = NULL;
	struct bank *b = bank_load(dir, &cause);

	assert_null(b);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("expected \"%s\" in:\n%s", want, cause);
	free(cause);
}

static void
test_validation_errors(void **state)
{
	(void)state;
	write_file("feedback.json", "{\"theme\": \"feedback\", \"title\": \"F\", "
	    "\"prompts\": [\n"
	    "  {\"id\": \"feedback-1\", \"audience\": \"team\", \"text\": "
	    "\"What went well?\", \"colour\": 1},\n"
	    "  {\"id\": \"feedback-2\", \"audience\": \"managers\", \"text\": "
	    "\"What went well?\"},\n"
	    "  {\"id\": \"feedback-3\", \"audience\": \"team\", \"text\": "
	    "\"Tell us what went well.\"},\n"
	    "  {\"id\": \"feedback-4\", \"audience\": \"team\", \"text\": \"\"},\n"
	    "  {\"id\": \"feedback-5\", \"audience\": \"team\", \"text\": "
	    "\"What?\", \"source_model\": \"astrology\"}\n"
	    "]}\n");
	write_file("coaching.json", "{\"theme\": \"coaching\", \"title\": \"C\", "
	    "\"prompts\": [\n"
	    "  {\"id\": \"feedback-5\", \"audience\": \"leader\", \"text\": "
	    "\"What did you ask today?\", \"intent\": \"ask\"}\n]}\n");
	write_file("wrong-name.json", "{\"theme\": \"purpose\", \"title\": \"P\", "
	    "\"prompts\": [{\"id\": \"p-1\", \"audience\": \"any\", \"text\": "
	    "\"Why?\"}]}");
	/* Files load in name order, so the second one seen is feedback.json. */
	assert_bank_error("/feedback.json:6:10: duplicate prompt id "
	    "\"feedback-5\" (also in coaching.json)");
	assert_bank_error("/feedback.json:2:71: unknown key \"colour\"");
	assert_bank_error("/feedback.json:3:36: unknown audience \"managers\"");
	assert_bank_error("/feedback.json:4:52: text must be a question ending "
	    "with \"?\"");
	assert_bank_error("/feedback.json:5:52: text is empty");
	assert_bank_error("/feedback.json:6:77: unknown source_model "
	    "\"astrology\"");
	assert_bank_error("/wrong-name.json:1:11: the theme must be a lowercase "
	    "name matching the file name");
}

static void
test_overlong_text_and_syntax_error(void **state)
{
	char text[400], *json;

	(void)state;
	memset(text, 'a', 280);
	strcpy(text + 280, "?");
	if (asprintf(&json, "{\"theme\": \"purpose\", \"title\": \"P\", "
	    "\"prompts\": [{\"id\": \"p-1\", \"audience\": \"any\", \"text\": "
	    "\"%s\"}]}", text) < 0)
		abort();
	write_file("purpose.json", json);
	free(json);
	assert_bank_error("/purpose.json:1:89: text is 281 characters, more "
	    "than 280");
	write_file("purpose.json", "{\"theme\": \"purpose\",, }");
	assert_bank_error("/purpose.json:1:21: JSON syntax error near ','");
}

static void
test_shipped_bank_is_valid_and_complete(void **state)
{
	static const char *const themes[] = { "learning-by-example",
	    "psychological-safety", "knowledge-sharing", "coaching", "feedback",
	    "purpose", "facilitation", "empowerment", "reflection", "tensions",
	    "experiments", "customers", "remote-work", "onboarding", "conflict",
	    "recognition", "sustainable-pace" };
	const size_t nthemes = sizeof themes / sizeof *themes;
	char *cause = NULL;
	struct bank *b = bank_load("prompts", &cause);
	size_t sendable = 0;

	(void)state;
	if (b == NULL)
		fail_msg("%s", cause);
	for (size_t i = 0; i < b->nwarnings; i++)
		print_message("%s\n", b->warnings[i]);
	assert_int_equal(b->nwarnings, 0);
	assert_int_equal(b->nthemes, nthemes);
	assert_true(b->ntracks >= 7);
	for (size_t t = 0; t < nthemes; t++) {
		size_t n = 0, leader = 0, team = 0, k;

		for (k = 0; k < b->nthemes; k++) {
			if (strcmp(b->themes[k].slug, themes[t]) == 0)
				break;
		}
		assert_true(k < b->nthemes);
		for (size_t i = 0; i < b->nprompts; i++) {
			if (b->prompts[i].theme != k || bank_retired(&b->prompts[i]))
				continue;
			n++;
			leader += b->prompts[i].audience == CONFIG_AUDIENCE_LEADER;
			team += b->prompts[i].audience == CONFIG_AUDIENCE_TEAM;
			sendable += !b->prompts[i].track_only;
		}
		/* The ten first themes keep 16; the seven new ones have 18. */
		if (n < (t < 10 ? 16u : 18u) || leader < 8 || team < 6)
			fail_msg("theme %s: %zu prompts, %zu leader, %zu team",
			    themes[t], n, leader, team);
	}
	/* 300 questions a theme schedule can send, besides track-only ones. */
	assert_true(sendable >= 300);
	/* No two prompts say the same thing, word for word. */
	for (size_t i = 0; i < b->nprompts; i++) {
		for (size_t j = i + 1; j < b->nprompts; j++)
			assert_string_not_equal(b->prompts[i].text,
			    b->prompts[j].text);
	}
	bank_free(b);
}

/* Pick n prompts; assert none repeats within each cycle of size cycle_len. */
static void
pick_cycles(const struct bank *b, const struct config_schedule *sc,
    struct bank_history *h, int cycles, size_t cycle_len)
{
	char **seen = calloc(cycle_len, sizeof *seen);
	int64_t cycle = 0;
	char *cause = NULL;

	for (int c = 0; c < cycles; c++) {
		for (size_t i = 0; i < cycle_len; i++) {
			const struct bank_prompt *p = bank_pick(b, sc, h, &cycle,
			    &cause);

			assert_non_null(p);
			for (size_t j = 0; j < i; j++)
				assert_string_not_equal(seen[j], p->id);
			seen[i] = p->id;
		}
		assert_int_equal(cycle, c + 1);
	}
	free(seen);
}

static void
test_no_repeat_within_cycles(void **state)
{
	struct fixture_schedule f;
	struct bank_history h = { 0 };
	char *cause = NULL;
	struct bank *b;

	(void)state;
	write_theme("coaching", 1, 5, "leader");
	write_theme("feedback", 1, 3, "any");
	write_theme("purpose", 1, 4, "team");
	b = bank_load(dir, &cause);
	assert_non_null(b);
	make_schedule(&f, "leaders", CONFIG_AUDIENCE_LEADER, NULL, NULL);
	/* Leaders see leader and any prompts: 5 + 3, never team ones. */
	pick_cycles(b, &f.sc, &h, 4, 8);
	for (size_t i = 0; i < h.nused; i++)
		assert_null(strstr(h.used[i], "purpose"));
	bank_history_clear(&h);
	bank_free(b);
}

static void
test_added_prompts_join_the_current_cycle(void **state)
{
	struct fixture_schedule f;
	struct bank_history h = { 0 };
	const struct bank_prompt *p;
	char *cause = NULL;
	struct bank *b;
	int64_t cycle;
	int new_seen = 0;

	(void)state;
	write_theme("coaching", 1, 4, "any");
	b = bank_load(dir, &cause);
	make_schedule(&f, "c", CONFIG_AUDIENCE_ANY, NULL, NULL);
	for (int i = 0; i < 2; i++)
		assert_non_null(bank_pick(b, &f.sc, &h, &cycle, &cause));
	bank_free(b);
	/* Two more prompts arrive mid-cycle: the cycle now has four to go. */
	write_theme("coaching", 1, 6, "any");
	b = bank_load(dir, &cause);
	for (int i = 0; i < 4; i++) {
		p = bank_pick(b, &f.sc, &h, &cycle, &cause);
		assert_int_equal(cycle, 1);
		new_seen += strcmp(p->id, "coaching-5") == 0 ||
		    strcmp(p->id, "coaching-6") == 0;
	}
	assert_int_equal(new_seen, 2);
	assert_int_equal(h.nused, 6);
	bank_pick(b, &f.sc, &h, &cycle, &cause);
	assert_int_equal(cycle, 2);
	bank_history_clear(&h);
	bank_free(b);
}

static void
test_order_is_reproducible_per_channel(void **state)
{
	struct fixture_schedule f1, f2;
	struct bank_history h1 = { 0 }, h2 = { 0 }, h3 = { 0 };
	char *cause = NULL, a[16][32], c[16][32];
	struct bank *b;
	int64_t cycle;
	int differs = 0;

	(void)state;
	write_theme("coaching", 1, 16, "any");
	b = bank_load(dir, &cause);
	make_schedule(&f1, "team-a", CONFIG_AUDIENCE_ANY, NULL, NULL);
	make_schedule(&f2, "team-b", CONFIG_AUDIENCE_ANY, NULL, NULL);
	for (int i = 0; i < 16; i++) {
		snprintf(a[i], sizeof a[i], "%s",
		    bank_pick(b, &f1.sc, &h1, &cycle, &cause)->id);
		/* The same channel from scratch gives the same order. */
		assert_string_equal(a[i],
		    bank_pick(b, &f1.sc, &h3, &cycle, &cause)->id);
		snprintf(c[i], sizeof c[i], "%s",
		    bank_pick(b, &f2.sc, &h2, &cycle, &cause)->id);
		differs += strcmp(a[i], c[i]) != 0;
	}
	/* Another channel gets another shuffle, and not the file's order. */
	assert_true(differs > 8);
	assert_false(strcmp(a[0], "coaching-1") == 0 &&
	    strcmp(a[1], "coaching-2") == 0 && strcmp(a[2], "coaching-3") == 0);
	bank_history_clear(&h1);
	bank_history_clear(&h2);
	bank_history_clear(&h3);
	bank_free(b);
}

static void
test_themes_take_turns(void **state)
{
	struct fixture_schedule f;
	struct bank_history h = { 0 };
	char *cause = NULL;
	struct bank *b;
	int64_t cycle;
	int coaching = 0, feedback = 0;

	(void)state;
	write_theme("coaching", 1, 10, "any");
	write_theme("feedback", 1, 4, "any");
	write_theme("purpose", 1, 10, "any");
	b = bank_load(dir, &cause);
	make_schedule(&f, "c", CONFIG_AUDIENCE_ANY, "coaching", "feedback");
	/* While both themes have prompts left they alternate strictly. */
	for (int i = 0; i < 8; i++) {
		const struct bank_prompt *p = bank_pick(b, &f.sc, &h, &cycle,
		    &cause);

		assert_null(strstr(p->id, "purpose"));
		coaching += strstr(p->id, "coaching") != NULL;
		feedback += strstr(p->id, "feedback") != NULL;
		assert_true(abs(coaching - feedback) <= 1);
	}
	assert_int_equal(coaching, 4);
	assert_int_equal(feedback, 4);
	bank_history_clear(&h);
	bank_free(b);
}

static void
test_history_survives_a_restart_through_the_store(void **state)
{
	struct fixture_schedule f;
	struct bank_history h = { 0 };
	struct store_delivery d = { .schedule = "weekly", .channel = "c",
	    .state = STORE_SENT };
	char *cause = NULL, *state_dir, ids[6][32];
	const struct bank_prompt *p;
	struct store *st;
	struct bank *b;

	(void)state;
	write_theme("coaching", 1, 6, "any");
	b = bank_load(dir, &cause);
	make_schedule(&f, "c", CONFIG_AUDIENCE_ANY, NULL, NULL);
	if (asprintf(&state_dir, "%s/state", dir) < 0)
		abort();
	/* Each pick is stored, then the history is read back as after a restart. */
	for (int i = 0; i < 6; i++) {
		st = store_open(state_dir, &cause);
		assert_non_null(st);
		assert_int_equal(store_load_history(st, "c", "", "weekly", &h), 0);
		p = bank_pick(b, &f.sc, &h, &d.cycle, &cause);
		snprintf(ids[i], sizeof ids[i], "%s", p->id);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(ids[j], ids[i]);
		d.prompt_id = p->id;
		d.due_at = 1000 + i;
		assert_int_equal(store_enqueue(st, &d, NULL), 1);
		store_close(st);
		bank_history_clear(&h);
	}
	st = store_open(state_dir, &cause);
	assert_int_equal(store_load_history(st, "c", "", "weekly", &h), 0);
	assert_int_equal(h.cycle, 1);
	assert_int_equal(h.nused, 6);
	assert_string_equal(h.last, ids[5]);
	p = bank_pick(b, &f.sc, &h, &d.cycle, &cause);
	assert_int_equal(d.cycle, 2);
	assert_string_not_equal(p->id, ids[5]);
	store_close(st);
	bank_history_clear(&h);
	bank_free(b);
	free(state_dir);
}

static void
test_track_walks_in_order_once(void **state)
{
	struct fixture_schedule f;
	struct bank_history h = { 0 };
	char c1[] = "coaching-3", c2[] = "coaching-1", c3[] = "coaching-2";
	char *cause = NULL, *track[] = { c1, c2, c3 };
	struct bank *b;
	int64_t cycle;

	(void)state;
	write_theme("coaching", 1, 4, "any");
	b = bank_load(dir, &cause);
	make_schedule(&f, "new-leaders", CONFIG_AUDIENCE_ANY, NULL, NULL);
	f.sc.track = track;
	f.sc.ntrack = 3;
	for (int i = 0; i < 3; i++)
		assert_string_equal(bank_pick(b, &f.sc, &h, &cycle, &cause)->id,
		    track[i]);
	assert_null(bank_pick(b, &f.sc, &h, &cycle, &cause));
	assert_non_null(strstr(cause, "track finished"));
	free(cause);
	bank_history_clear(&h);
	bank_free(b);
}

static void
test_config_cross_check(void **state)
{
	struct fixture_schedule f;
	struct config cfg = { .path = (char *)(uintptr_t)"nudged.json" };
	char c9[] = "coaching-9", *cause = NULL, *track[] = { c9 };
	struct bank *b;

	(void)state;
	write_theme("coaching", 1, 2, "leader");
	b = bank_load(dir, &cause);
	make_schedule(&f, "c", CONFIG_AUDIENCE_ANY, "coaching", "reflection");
	cfg.schedules = &f.sc;
	cfg.nschedules = 1;
	assert_int_equal(bank_check_config(b, &cfg, &cause), -1);
	assert_non_null(strstr(cause, "nudged.json:7:13: schedule \"weekly\": "
	    "no theme \"reflection\" in the prompt bank"));
	free(cause);
	make_schedule(&f, "c", CONFIG_AUDIENCE_TEAM, "coaching", NULL);
	cfg.schedules = &f.sc;
	assert_int_equal(bank_check_config(b, &cfg, &cause), -1);
	assert_non_null(strstr(cause, "no prompt in the bank fits its themes "
	    "and audience \"team\""));
	free(cause);
	make_schedule(&f, "c", CONFIG_AUDIENCE_ANY, NULL, NULL);
	f.sc.track = track;
	f.sc.ntrack = 1;
	cfg.schedules = &f.sc;
	assert_int_equal(bank_check_config(b, &cfg, &cause), -1);
	assert_non_null(strstr(cause, "nudged.json:7:13: schedule \"weekly\": "
	    "track prompt \"coaching-9\" is not in the prompt bank"));
	free(cause);
	bank_free(b);
}

/* A rules.json theme file holding the given prompt lines from line 2 on. */
#define RULES(lines) "{\"theme\": \"rules\", \"title\": \"R\", \"prompts\": [\n" \
	lines "\n]}\n"
/* The start of a prompt line: its text value begins at column 59. */
#define TEAM(n) "{\"id\": \"r-" #n "\", \"audience\": \"team\", " \
	"\"intent\": \"i" #n "\", \"text\": "

/* Assert the bank loads, with want among its warnings. */
static struct bank *
assert_bank_warning(const char *want)
{
	char *cause = NULL;
	struct bank *b = bank_load(dir, &cause);

	if (b == NULL)
		fail_msg("bank did not load:\n%s", cause);
	for (size_t i = 0; i < b->nwarnings; i++) {
		if (strstr(b->warnings[i], want) != NULL)
			return b;
	}
	for (size_t i = 0; i < b->nwarnings; i++)
		print_message("warning: %s\n", b->warnings[i]);
	fail_msg("expected the warning \"%s\"", want);
	return NULL;
}

static void
test_rule_one_sentence_one_question_mark(void **state)
{
	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"What went well this week? What did not?\"},\n"
	    TEAM(2) "\"Think about this week. What helped you most?\"}"));
	assert_bank_error("/rules.json:2:59: text must be one sentence with "
	    "one \"?\"");
	assert_bank_error("/rules.json:3:59: text must be one sentence with "
	    "one \"?\"");
}

static void
test_rule_open_not_yes_or_no(void **state)
{
	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"Did you learn something new this week?\"}"));
	assert_bank_error("/rules.json:2:59: text opens with \"did\": a "
	    "yes-or-no question; ask an open one");
}

static void
test_rule_at_most_two_asks(void **state)
{
	struct bank *b;
	char *cause = NULL;

	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"What did you try this week, what happened, and what will "
	    "you change?\"}"));
	assert_bank_error("/rules.json:2:59: text asks 3 things; at most 2");
	write_file("rules.json", RULES(
	    TEAM(1) "\"What did you try this week, and what will you change?\"}"));
	b = bank_load(dir, &cause);
	if (b == NULL)
		fail_msg("two asks are allowed: %s", cause);
	bank_free(b);
}

static void
test_rule_no_answer_menus(void **state)
{
	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"Which support helped you most this week: advice or "
	    "time?\"},\n"
	    TEAM(2) "\"Which support helped you this week, advice, a question or "
	    "time?\"},\n"
	    TEAM(3) "\"Which way of working suited you this week, or not?\"}"));
	assert_bank_error("/rules.json:2:59: text offers a menu of answers (a "
	    "colon before a list of answers)");
	assert_bank_error("/rules.json:3:59: text offers a menu of answers (a "
	    "list of short answers to pick from)");
	assert_bank_error("/rules.json:4:59: text offers a menu of answers "
	    "(\"or not\")");
}

static void
test_rule_no_markup_or_mentions(void **state)
{
	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"What did you learn from <b>this week?\"},\n"
	    TEAM(2) "\"What did you learn from @ana this week?\"},\n"
	    TEAM(3) "\"What did you learn this week from R&D?\"}"));
	assert_bank_error("/rules.json:2:59: text holds '<': no '<', '>', '&' "
	    "or @-mentions");
	assert_bank_error("/rules.json:3:59: text holds '@'");
	assert_bank_error("/rules.json:4:59: text holds '&'");
}

static void
test_rule_judging_words_warn(void **state)
{
	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"What did you simply start this week without asking?\"}"));
	bank_free(assert_bank_warning("/rules.json:2:59: warning: text says "
	    "\"simply\", which judges or leads the answer"));
}

static void
test_rule_time_anchor(void **state)
{
	struct bank *b;
	char *cause = NULL;

	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"What helps you think clearly?\"}"));
	assert_bank_error("/rules.json:2:59: text has no time anchor (today, "
	    "this week, next...): team prompts point at a time");
	/* "any" prompts are timeless. */
	write_file("rules.json", RULES(
	    "{\"id\": \"r-1\", \"audience\": \"any\", \"intent\": \"i1\", "
	    "\"text\": \"What helps you think clearly?\"}"));
	b = bank_load(dir, &cause);
	if (b == NULL)
		fail_msg("an any prompt needs no anchor: %s", cause);
	bank_free(b);
}

static void
test_rule_varied_openings_warn(void **state)
{
	struct bank *b;

	(void)state;
	/* 3 of 8 team prompts open "what did you": more than 25 %. */
	write_file("rules.json", RULES(
	    TEAM(1) "\"What did you learn this week?\"},\n"
	    TEAM(2) "\"What did you try this week?\"},\n"
	    TEAM(3) "\"Which meeting helped you this week?\"},\n"
	    TEAM(4) "\"Where did you get stuck this week?\"},\n"
	    TEAM(5) "\"Who helped you this week?\"},\n"
	    TEAM(6) "\"How did the team decide this week?\"},\n"
	    TEAM(7) "\"When did you feel heard this week?\"},\n"
	    TEAM(8) "\"What did you finish this week?\"}"));
	b = assert_bank_warning("/rules.json:9:59: warning: \"what did you...\" "
	    "opens more than 25 % of the 8 team prompts");
	assert_int_equal(b->nwarnings, 1);
	bank_free(b);
}

static void
test_rule_unique_intent(void **state)
{
	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"What did you learn this week?\"},\n"
	    "{\"id\": \"r-2\", \"audience\": \"team\", \"intent\": \"i1\", "
	    "\"text\": \"What did you pick up this week?\"}"));
	assert_bank_error("/rules.json:3:45: intent \"i1\" is also the intent "
	    "of r-1: two prompts ask the same thing");
}

static void
test_rule_follow_up_when(void **state)
{
	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"What will you try this week?\", \"follow_up\": \"What did "
	    "you notice?\", \"follow_up_when\": \"with\"},\n"
	    TEAM(2) "\"What will you try this week?\", \"follow_up\": \"Who could "
	    "help?\"},\n"
	    TEAM(3) "\"What will you try this week?\", \"follow_up\": \"Who could "
	    "help?\", \"follow_up_when\": \"soon\"},\n"
	    TEAM(4) "\"What will you try this week?\", \"follow_up_when\": "
	    "\"later\"}"));
	assert_bank_error("/rules.json:2:146: the follow_up is in the past "
	    "tense (\"did\"): it can only be answered after acting, so it must "
	    "be \"later\"");
	assert_bank_error("/rules.json:3:104: prompt \"r-2\" has a follow_up but "
	    "no follow_up_when (\"with\" or \"later\")");
	assert_bank_error("/rules.json:4:141: follow_up_when must be \"with\" or "
	    "\"later\", not \"soon\"");
	assert_bank_error("/rules.json:5:109: follow_up_when without a "
	    "follow_up");
}

static void
test_rule_title_fits_every_platform(void **state)
{
	char title[200], *json;

	(void)state;
	memset(title, 'T', 151);
	title[151] = '\0';
	if (asprintf(&json, "{\"theme\": \"rules\", \"title\": \"%s\", \"prompts\": "
	    "[]}", title) < 0)
		abort();
	write_file("rules.json", json);
	free(json);
	assert_bank_error("/rules.json:1:29: title is 151 characters, more than "
	    "150 (the shortest heading a chat platform shows)");
}

static void
test_retired_prompts_resolve_but_are_never_sent(void **state)
{
	struct fixture_schedule f;
	struct bank_history h = { 0 };
	const struct bank_prompt *p;
	char *cause = NULL;
	struct bank *b;
	int64_t cycle;

	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"What did you learn this week?\"},\n"
	    TEAM(2) "\"What did you learn, what did you try?\", "
	    "\"merged_into\": \"r-1\"},\n"
	    TEAM(3) "\"Who helped you this week?\"}"));
	b = bank_load(dir, &cause);
	if (b == NULL)
		fail_msg("%s", cause);
	/* r-2 breaks the rules, but retired prompts keep the words answered. */
	p = bank_find(b, "r-2");
	assert_non_null(p);
	assert_true(bank_retired(p));
	make_schedule(&f, "c", CONFIG_AUDIENCE_ANY, NULL, NULL);
	for (int i = 0; i < 6; i++)
		assert_string_not_equal(bank_pick(b, &f.sc, &h, &cycle, &cause)->id,
		    "r-2");
	assert_int_equal(cycle, 3);
	bank_history_clear(&h);
	bank_free(b);
	write_file("rules.json", RULES(
	    TEAM(1) "\"What did you learn this week?\", \"merged_into\": "
	    "\"r-2\"},\n"
	    TEAM(2) "\"Who helped you this week?\", \"merged_into\": \"r-9\"}"));
	assert_bank_error("/rules.json:2:59: prompt \"r-1\" is merged into "
	    "\"r-2\", which is retired itself");
	assert_bank_error("/rules.json:3:59: prompt \"r-2\" is merged into "
	    "\"r-9\", which is not in the prompt bank");
}

static void
test_track_files_are_checked(void **state)
{
	char *path;

	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"What did you learn this week?\"},\n"
	    "{\"id\": \"r-2\", \"audience\": \"leader\", \"intent\": \"i2\", "
	    "\"text\": \"Whom will you ask today?\"},\n"
	    TEAM(3) "\"Who helped you this week?\", \"merged_into\": \"r-1\"}"));
	if (asprintf(&path, "%s/tracks", dir) < 0 || mkdir(path, 0700) == -1)
		abort();
	free(path);
	write_file("tracks/loop.json", "{\"id\": \"cycle\", \"title\": \"L\", "
	    "\"audience\": \"team\", \"steps\": [\n"
	    "{\"prompt\": \"r-1\", \"day\": 0},\n"
	    "{\"prompt\": \"r-2\", \"day\": 1},\n"
	    "{\"prompt\": \"r-9\", \"day\": 2},\n"
	    "{\"prompt\": \"r-3\", \"day\": 3},\n"
	    "{\"prompt\": \"r-1\", \"day\": 1}\n]}\n");
	assert_bank_error("/tracks/loop.json:1:8: the track id must match the "
	    "file name (\"cycle\" in loop.json)");
	write_file("tracks/loop.json", "{\"id\": \"loop\", \"title\": \"L\", "
	    "\"audience\": \"team\", \"steps\": [\n"
	    "{\"prompt\": \"r-1\", \"day\": 0},\n"
	    "{\"prompt\": \"r-2\", \"day\": 1},\n"
	    "{\"prompt\": \"r-9\", \"day\": 2},\n"
	    "{\"prompt\": \"r-3\", \"day\": 3},\n"
	    "{\"prompt\": \"r-1\", \"day\": 1}\n]}\n");
	assert_bank_error("/tracks/loop.json:3:12: prompt \"r-2\" is for the "
	    "leader, but this track is for the team: a track shares one audience");
	assert_bank_error("/tracks/loop.json:4:12: no prompt \"r-9\" in the "
	    "prompt bank");
	assert_bank_error("/tracks/loop.json:5:12: prompt \"r-3\" is retired; "
	    "use \"r-1\"");
	assert_bank_error("/tracks/loop.json:6:12: prompt \"r-1\" is already step "
	    "1 of this track");
	assert_bank_error("/tracks/loop.json:6:26: day 1 comes before the step "
	    "above it (day 3)");
}

/* Pick for a track schedule at an instant; the id, or NULL with the cause in why. */
static const char *
pick_at(const struct bank *b, const struct config_schedule *sc,
    struct bank_history *h, int64_t at, char *why, size_t size)
{
	const struct bank_prompt *p;
	char *cause = NULL;
	int64_t cycle;

	h->at = at;
	if ((p = bank_pick(b, sc, h, &cycle, &cause)) == NULL) {
		snprintf(why, size, "%s", cause);
		free(cause);
		return NULL;
	}
	return p->id;
}

static void
test_shipped_track_steps_come_on_their_days(void **state)
{
	struct fixture_schedule f;
	struct bank_history h = { 0 };
	int64_t day = 86400, t0 = 1767258000;	/* 2026-01-01 09:00 UTC */
	char *cause = NULL, *path, why[200];
	struct bank *b;

	(void)state;
	write_theme("coaching", 1, 4, "team");
	if (asprintf(&path, "%s/tracks", dir) < 0 || mkdir(path, 0700) == -1)
		abort();
	free(path);
	write_file("tracks/joiner.json", "{\"id\": \"joiner\", \"title\": \"J\", "
	    "\"audience\": \"team\", \"steps\": [{\"prompt\": \"coaching-3\", "
	    "\"day\": 1}, {\"prompt\": \"coaching-1\", \"day\": 5}, {\"prompt\": "
	    "\"coaching-2\", \"day\": 5}]}");
	b = bank_load(dir, &cause);
	if (b == NULL)
		fail_msg("%s", cause);
	assert_int_equal(b->ntracks, 1);
	make_schedule(&f, "c", CONFIG_AUDIENCE_TEAM, NULL, NULL);
	f.sc.nthemes = 0;
	f.sc.track_name = (char *)(uintptr_t)"joiner";
	/* Day 1 is the first instant; day 5 comes four days later. */
	assert_string_equal(pick_at(b, &f.sc, &h, t0, why, sizeof why),
	    "coaching-3");
	assert_int_equal(h.track_start, t0);
	for (int d = 1; d < 4; d++) {
		assert_null(pick_at(b, &f.sc, &h, t0 + d * day, why, sizeof why));
		assert_string_equal(why, "track \"joiner\": step 2 (coaching-1) "
		    "comes on day 5");
	}
	/* An hour early (a daylight-saving shift) still counts as the day. */
	assert_string_equal(pick_at(b, &f.sc, &h, t0 + 4 * day - 3600, why,
	    sizeof why), "coaching-1");
	assert_string_equal(pick_at(b, &f.sc, &h, t0 + 4 * day + 60, why,
	    sizeof why), "coaching-2");
	assert_null(pick_at(b, &f.sc, &h, t0 + 9 * day, why, sizeof why));
	assert_string_equal(why, "track \"joiner\" finished: all 3 steps were "
	    "sent");
	bank_history_clear(&h);
	bank_free(b);
}

static void
test_private_prompts_only_where_answers_are_private(void **state)
{
	struct fixture_schedule f;
	struct config cfg = { .path = (char *)(uintptr_t)"nudged.json" };
	struct bank_history h = { 0 };
	char r2[] = "r-2", *track[] = { r2 }, *cause = NULL;
	struct bank *b;
	int64_t cycle;
	int seen = 0;

	(void)state;
	write_file("rules.json", RULES(
	    TEAM(1) "\"What did you learn this week?\"},\n"
	    TEAM(2) "\"Which concern did you keep to yourself this week?\", "
	    "\"public_ok\": false}"));
	b = bank_load(dir, &cause);
	if (b == NULL)
		fail_msg("%s", cause);
	make_schedule(&f, "team", CONFIG_AUDIENCE_TEAM, NULL, NULL);
	for (int i = 0; i < 4; i++)
		assert_string_equal(bank_pick(b, &f.sc, &h, &cycle, &cause)->id,
		    "r-1");
	bank_history_clear(&h);
	f.channel.anonymous = 1;
	for (int i = 0; i < 4; i++)
		seen += strcmp(bank_pick(b, &f.sc, &h, &cycle, &cause)->id,
		    "r-2") == 0;
	assert_int_equal(seen, 2);
	bank_history_clear(&h);
	/* A track may name it only for an anonymous channel. */
	f.sc.nthemes = 0;
	f.sc.track = track;
	f.sc.ntrack = 1;
	cfg.schedules = &f.sc;
	cfg.nschedules = 1;
	assert_int_equal(bank_check_config(b, &cfg, &cause), 0);
	f.channel.anonymous = 0;
	assert_int_equal(bank_check_config(b, &cfg, &cause), -1);
	assert_string_equal(cause, "nudged.json:7:13: schedule \"weekly\": prompt "
	    "\"r-2\" has \"public_ok\": false; it goes only to an anonymous "
	    "channel");
	free(cause);
	bank_free(b);
}

static void
test_config_names_a_shipped_track(void **state)
{
	char *path, *cwd = getcwd(NULL, 0), *cause = NULL;
	struct config *cfg;
	struct bank *b;
	FILE *f;

	(void)state;
	if (asprintf(&path, "%s/nudged.json", dir) < 0)
		abort();
	for (int pass = 0; pass < 3; pass++) {
		f = fopen(path, "w");
		fprintf(f, "{\"state_dir\": \"state\", \"prompts\": \"%s/prompts\", "
		    "\"channels\": {\"team\": {\"platform\": \"console\"}}, "
		    "\"schedules\": [{\"name\": \"new\", \"cron\": \"0 9 * * *\", "
		    "\"channel\": \"team\", \"audience\": \"%s\", \"track\": "
		    "\"%s\"}]}", cwd, pass == 2 ? "team" : "leader",
		    pass == 1 ? "no-such" : "new-manager");
		fclose(f);
		cfg = config_load(path, &cause);
		if (cfg == NULL)
			fail_msg("%s", cause);
		assert_string_equal(cfg->schedules[0].track_name,
		    pass == 1 ? "no-such" : "new-manager");
		b = bank_load_for(cfg, &cause);
		if (pass == 0 && b == NULL)
			fail_msg("%s", cause);
		if (pass == 1)
			assert_non_null(strstr(cause, "schedule \"new\": no track "
			    "\"no-such\" in "));
		if (pass == 2)
			assert_non_null(strstr(cause, "schedule \"new\": track "
			    "\"new-manager\" is for the leader, the schedule for the "
			    "team"));
		if (pass > 0) {
			assert_null(b);
			free(cause);
		}
		bank_free(b);
		config_free(cfg);
	}
	free(path);
	free(cwd);
}

/* Run the nudged binary with arguments; its stdout, and its exit status in *rc. */
static char *
run_nudged(const char *args, int *rc)
{
	const char *bin = getenv("NUDGED_BIN");
	char *cmd, *out = NULL;
	size_t len = 0, n;
	char buf[8192];
	FILE *p;

	if (asprintf(&cmd, "%s %s", bin != NULL ? bin : "./nudged", args) < 0)
		abort();
	p = popen(cmd, "r");
	assert_non_null(p);
	while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
		out = realloc(out, len + n + 1);
		memcpy(out + len, buf, n);
		len += n;
	}
	*rc = pclose(p);
	free(cmd);
	if (out == NULL)
		out = calloc(1, 1);
	out[len] = '\0';
	return out;
}

static void
test_nudged_check_and_prompts_json(void **state)
{
	char *out;
	cJSON *root;
	const cJSON *p;
	int rc, prompts = 0;

	(void)state;
	/* The shipped bank passes nudged check without one warning. */
	out = run_nudged("check -c config/demo.json 2>&1", &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "ok\n");
	free(out);
	out = run_nudged("prompts -c config/demo.json --format json", &rc);
	assert_int_equal(rc, 0);
	root = cJSON_Parse(out);
	assert_non_null(root);
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(root, "prompts"))
		prompts += cJSON_GetObjectItem(p, "merged_into") == NULL;
	assert_true(prompts >= 300);
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(root, "tracks")) >= 7);
	cJSON_Delete(root);
	free(out);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return harness_rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_validation_errors, clean),
		cmocka_unit_test_setup(test_overlong_text_and_syntax_error, clean),
		cmocka_unit_test(test_shipped_bank_is_valid_and_complete),
		cmocka_unit_test_setup(test_no_repeat_within_cycles, clean),
		cmocka_unit_test_setup(test_added_prompts_join_the_current_cycle,
		    clean),
		cmocka_unit_test_setup(test_order_is_reproducible_per_channel,
		    clean),
		cmocka_unit_test_setup(test_themes_take_turns, clean),
		cmocka_unit_test_setup(
		    test_history_survives_a_restart_through_the_store, clean),
		cmocka_unit_test_setup(test_track_walks_in_order_once, clean),
		cmocka_unit_test_setup(test_config_cross_check, clean),
		cmocka_unit_test_setup(test_rule_one_sentence_one_question_mark,
		    clean),
		cmocka_unit_test_setup(test_rule_open_not_yes_or_no, clean),
		cmocka_unit_test_setup(test_rule_at_most_two_asks, clean),
		cmocka_unit_test_setup(test_rule_no_answer_menus, clean),
		cmocka_unit_test_setup(test_rule_no_markup_or_mentions, clean),
		cmocka_unit_test_setup(test_rule_judging_words_warn, clean),
		cmocka_unit_test_setup(test_rule_time_anchor, clean),
		cmocka_unit_test_setup(test_rule_varied_openings_warn, clean),
		cmocka_unit_test_setup(test_rule_unique_intent, clean),
		cmocka_unit_test_setup(test_rule_follow_up_when, clean),
		cmocka_unit_test_setup(test_rule_title_fits_every_platform, clean),
		cmocka_unit_test_setup(
		    test_retired_prompts_resolve_but_are_never_sent, clean),
		cmocka_unit_test_setup(test_track_files_are_checked, clean),
		cmocka_unit_test_setup(test_shipped_track_steps_come_on_their_days,
		    clean),
		cmocka_unit_test_setup(
		    test_private_prompts_only_where_answers_are_private, clean),
		cmocka_unit_test_setup(test_config_names_a_shipped_track, clean),
		cmocka_unit_test(test_nudged_check_and_prompts_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
