/* SPDX-License-Identifier: ISC */
/*
 * config/nudged.schema.json and the config parser agree: every example config
 * is valid by the schema (Draft 2020-12, checked by python3-jsonschema), every
 * key the parser knows is in the schema and no other, a config using every
 * key passes `nudged check`, and an unknown key is refused by both.
 *
 * The parser's keys are taken from the parser itself: this binary is linked
 * with --wrap=jsonc_check_keys, so each list of allowed keys the parser checks
 * an object against is seen here, whichever file the parser keeps it in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "harness.h"
#include "jsonc.h"

#define SCHEMA		"config/nudged.schema.json"
#define EVERY_KEY	"tests/data/config/every-key.json"
#define PYTHON		"/usr/bin/python3"
#define UNKNOWN_KEY	"nudged_no_such_key"

int	__real_jsonc_check_keys(struct jsonc_doc *, const cJSON *,
	    const char *const *);
int	__wrap_jsonc_check_keys(struct jsonc_doc *, const cJSON *,
	    const char *const *);

/* Every allowed-key list the parser used, each as a JSON array of names. */
static cJSON *parser_lists;

/* Record the allowed keys, then let the parser check the object as usual. */
int
__wrap_jsonc_check_keys(struct jsonc_doc *doc, const cJSON *object,
    const char *const *allowed)
{
	cJSON *list = cJSON_CreateArray();

	for (size_t i = 0; allowed[i] != NULL; i++)
		cJSON_AddItemToArray(list, cJSON_CreateString(allowed[i]));
	cJSON_AddItemToArray(parser_lists, list);
	return __real_jsonc_check_keys(doc, object, allowed);
}

/* The secrets every-key.json names, as the environment gives them. */
static void
set_secrets(void)
{
	setenv("NUDGED_TEST_SECRET", "8f742231b10e8888abcd99yyyzzz85a5", 1);
	setenv("NUDGED_TEST_DASHBOARD_TOKEN", "dash-token", 1);
}

/* A config file (comments allowed) as plain JSON, parsed. */
static cJSON *
load_plain(const char *path)
{
	char *cause = NULL;
	struct jsonc_doc *doc = jsonc_load_file(path, &cause);
	cJSON *root;

	if (doc == NULL)
		fail_msg("%s", cause);
	root = cJSON_Duplicate(doc->root, 1);
	jsonc_free(doc);
	return root;
}

/* Validate a JSON document against the schema; python's exit code and output. */
static int
schema_validate(const cJSON *instance, char **out)
{
	static const char script[] =
	    "import json, sys, jsonschema\n"
	    "schema = json.load(open(sys.argv[1]))\n"
	    "jsonschema.Draft202012Validator.check_schema(schema)\n"
	    "v = jsonschema.Draft202012Validator(schema)\n"
	    "errors = list(v.iter_errors(json.load(open(sys.argv[2]))))\n"
	    "for e in errors: print('/'.join(map(str, e.path)) + ': ' + e.message)\n"
	    "sys.exit(1 if errors else 0)\n";
	char *dir = harness_tmpdir(), *path = harness_format("%s/i.json", dir);
	char *text = cJSON_Print(instance);
	int rc;

	if (access(PYTHON, X_OK) != 0)
		fail_msg("%s is missing: make check-deps installs python3-jsonschema",
		    PYTHON);
	harness_write(path, text);
	rc = harness_run((const char *[]){ PYTHON, "-c", script, SCHEMA, path,
	    NULL }, out);
	if (strstr(*out, "ModuleNotFoundError") != NULL)
		fail_msg("python3-jsonschema is missing (make check-deps)");
	harness_rmdir(dir);
	free(path);
	free(dir);
	free(text);
	return rc;
}

/* Every object of the schema that lists properties, anywhere in it. */
static void
schema_sections(const cJSON *node, cJSON *sections)
{
	const cJSON *child, *props;

	if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
		return;
	props = cJSON_GetObjectItemCaseSensitive(node, "properties");
	if (cJSON_IsObject(node) && cJSON_IsObject(props))
		cJSON_AddItemReferenceToArray(sections, (cJSON *)props);
	cJSON_ArrayForEach(child, node)
		schema_sections(child, sections);
}

/* Whether every name of list is a property of section. */
static int
all_in(const cJSON *list, const cJSON *section)
{
	const cJSON *name;

	cJSON_ArrayForEach(name, list) {
		if (!cJSON_HasObjectItem(section, name->valuestring))
			return 0;
	}
	return 1;
}

/* Whether key is in any of the parser's lists. */
static int
parser_knows(const char *key)
{
	const cJSON *list, *name;

	cJSON_ArrayForEach(list, parser_lists) {
		cJSON_ArrayForEach(name, list) {
			if (strcmp(name->valuestring, key) == 0)
				return 1;
		}
	}
	return 0;
}

/* `nudged check` on a config given as JSON text, in a folder beside the bank. */
static int
check_config(const cJSON *root, char **out)
{
	char *dir = harness_tmpdir(), *path = harness_format("%s/n.json", dir);
	char *cwd = getcwd(NULL, 0), *prompts = harness_format("%s/prompts", cwd);
	cJSON *copy = cJSON_Duplicate(root, 1);
	char *text;
	int rc;

	cJSON_ReplaceItemInObjectCaseSensitive(copy, "prompts",
	    cJSON_CreateString(prompts));
	text = cJSON_Print(copy);
	harness_write(path, text);
	rc = harness_run((const char *[]){ harness_bin(), "check", "-c", path,
	    NULL }, out);
	harness_rmdir(dir);
	cJSON_Delete(copy);
	free(text);
	free(prompts);
	free(cwd);
	free(path);
	free(dir);
	return rc;
}

static void
test_examples_are_valid(void **state)
{
	glob_t g;
	char *out;
	cJSON *root;
	size_t checked = 0;

	(void)state;
	assert_int_equal(glob("config/*.json", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		root = load_plain(g.gl_pathv[i]);
		/* Only nudged configs: the schema itself and the Slack manifest are not. */
		if (cJSON_HasObjectItem(root, "schedules")) {
			if (schema_validate(root, &out) != 0)
				fail_msg("%s: %s", g.gl_pathv[i], out);
			free(out);
			checked++;
		}
		cJSON_Delete(root);
	}
	globfree(&g);
	assert_true(checked >= 2);	/* nudged.json and demo.json */
	root = load_plain(EVERY_KEY);
	if (schema_validate(root, &out) != 0)
		fail_msg("%s: %s", EVERY_KEY, out);
	free(out);
	cJSON_Delete(root);
}

static void
test_parser_and_schema_know_the_same_keys(void **state)
{
	cJSON *schema = load_plain(SCHEMA), *sections = cJSON_CreateArray();
	const cJSON *list, *section, *key;
	char *cause = NULL;
	struct config *cfg;
	int found;

	(void)state;
	parser_lists = cJSON_CreateArray();
	set_secrets();
	if ((cfg = config_load(EVERY_KEY, &cause)) == NULL)
		fail_msg("%s", cause);
	config_free(cfg);
	assert_true(cJSON_GetArraySize(parser_lists) >= 5);
	schema_sections(schema, sections);
	/* Each object the parser checks is one the schema describes... */
	cJSON_ArrayForEach(list, parser_lists) {
		found = 0;
		cJSON_ArrayForEach(section, sections)
			found |= all_in(list, section);
		if (!found)
			fail_msg("the parser accepts keys the schema lacks: %s",
			    cJSON_PrintUnformatted(list));
	}
	/* ...and the schema knows no key the parser refuses. */
	cJSON_ArrayForEach(section, sections) {
		cJSON_ArrayForEach(key, section) {
			if (!parser_knows(key->string))
				fail_msg("the schema has \"%s\", the parser does not",
				    key->string);
		}
	}
	cJSON_Delete(sections);
	cJSON_Delete(parser_lists);
	cJSON_Delete(schema);
}

static void
test_every_key_passes_check(void **state)
{
	cJSON *root = load_plain(EVERY_KEY);
	char *out;

	(void)state;
	set_secrets();
	if (check_config(root, &out) != 0)
		fail_msg("nudged check refused every-key.json:\n%s", out);
	assert_string_equal(out, "ok\n");
	free(out);
	cJSON_Delete(root);
}

/* Add the unknown key to object and expect the schema and `nudged check` to refuse it. */
static void
assert_unknown_refused(cJSON *root, cJSON *object, const char *where)
{
	char *out;

	cJSON_AddNumberToObject(object, UNKNOWN_KEY, 1);
	if (schema_validate(root, &out) == 0)
		fail_msg("the schema accepts an unknown key in %s", where);
	free(out);
	if (check_config(root, &out) != 1 ||
	    strstr(out, "unknown key \"" UNKNOWN_KEY "\"") == NULL)
		fail_msg("nudged check accepts an unknown key in %s:\n%s", where,
		    out);
	free(out);
	cJSON_DeleteItemFromObjectCaseSensitive(object, UNKNOWN_KEY);
}

static void
test_unknown_keys_are_refused(void **state)
{
	cJSON *root = load_plain(EVERY_KEY);

	(void)state;
	set_secrets();
	assert_unknown_refused(root, root, "the top level");
	assert_unknown_refused(root, cJSON_GetObjectItem(root, "delivery"),
	    "delivery");
	assert_unknown_refused(root, cJSON_GetArrayItem(cJSON_GetObjectItem(root,
	    "away"), 0), "away");
	assert_unknown_refused(root, cJSON_GetObjectItem(cJSON_GetObjectItem(root,
	    "channels"), "leaders"), "a channel");
	assert_unknown_refused(root, cJSON_GetArrayItem(cJSON_GetObjectItem(root,
	    "schedules"), 0), "a schedule");
	cJSON_Delete(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_are_valid),
		cmocka_unit_test(test_parser_and_schema_know_the_same_keys),
		cmocka_unit_test(test_every_key_passes_check),
		cmocka_unit_test(test_unknown_keys_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
