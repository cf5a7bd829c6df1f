/*
 * The prompt bank: strict validation with positions, the shipped bank's
 * size and shape, and selection: no repeat within a cycle on a channel (also
 * across restarts, through the store), reproducible order, themes taking
 * turns, prompts added mid-cycle, tracks.
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
		    "\"What did you learn from %s %d?\"}", i > first ? ", " : "",
		    theme, i, audience, theme, i);
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
	if (asprintf(&cmd, "rm -f %s/*.json", dir) < 0 || system(cmd) != 0)
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
	    "\"What did you ask today?\"}\n]}\n");
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
	    "purpose", "facilitation", "empowerment", "reflection", "tensions" };
	char *cause = NULL;
	struct bank *b = bank_load("prompts", &cause);

	(void)state;
	if (b == NULL)
		fail_msg("%s", cause);
	assert_true(b->nprompts >= 150);
	assert_int_equal(b->nthemes, 10);
	for (size_t t = 0; t < 10; t++) {
		size_t n = 0, leader = 0, team = 0, k;

		for (k = 0; k < b->nthemes; k++) {
			if (strcmp(b->themes[k].slug, themes[t]) == 0)
				break;
		}
		assert_true(k < b->nthemes);
		for (size_t i = 0; i < b->nprompts; i++) {
			if (b->prompts[i].theme != k)
				continue;
			n++;
			leader += b->prompts[i].audience == CONFIG_AUDIENCE_LEADER;
			team += b->prompts[i].audience == CONFIG_AUDIENCE_TEAM;
		}
		if (n < 12 || leader == 0 || team == 0)
			fail_msg("theme %s: %zu prompts, %zu leader, %zu team",
			    themes[t], n, leader, team);
	}
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
		assert_int_equal(store_load_history(st, "c", "weekly", &h), 0);
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
	assert_int_equal(store_load_history(st, "c", "weekly", &h), 0);
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
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
