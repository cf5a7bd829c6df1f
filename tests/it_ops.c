/* SPDX-License-Identifier: ISC */
/*
 * What an admin installs: the systemd unit rates 1.5 or better offline and
 * passes `systemd-analyze verify` once installed; `make install` puts every
 * file where the unit and man look, never replaces an edited config, and its
 * config finds the installed prompt bank; `make uninstall` keeps the config;
 * the man pages render without warnings and name every command and key;
 * the bash completion offers exactly what the command line accepts.
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

#include "cli.h"
#include "harness.h"
#include "jsonc.h"

#define ANALYZE	"/usr/bin/systemd-analyze"
#define SH	"/bin/sh"
#define BASH	"/bin/bash"
#define MAKE	"/usr/bin/make"
#define UNIT	"systemd/nudged.service"

/* Fail with a hint when a test tool (or file) of `make check-deps` is missing. */
static void
need(const char *path, const char *package)
{
	if (access(path, R_OK) != 0)
		fail_msg("%s is missing: make check-deps installs %s", path,
		    package);
}

/* The output of a shell command line, and its exit status. */
static int
sh(const char *script, char **out)
{
	return harness_run((const char *[]){ SH, "-c", script, NULL }, out);
}

static void
test_unit_rates_ok(void **state)
{
	char *out, *at;
	double score;

	(void)state;
	need(ANALYZE, "systemd");
	assert_int_equal(harness_run((const char *[]){ ANALYZE, "security",
	    "--offline=yes", UNIT, NULL }, &out), 0);
	if ((at = strstr(out, "Overall exposure level for nudged.service: ")) ==
	    NULL)
		fail_msg("no rating:\n%s", out);
	score = strtod(at + strlen("Overall exposure level for nudged.service: "),
	    NULL);
	if (score > 1.5)
		fail_msg("the unit rates %.1f, more than 1.5:\n%s", score, out);
	free(out);
	/* The same verdict as systemd-analyze's own gate (a 0-100 scale). */
	assert_int_equal(harness_run((const char *[]){ ANALYZE, "security",
	    "--offline=yes", "--threshold=15", UNIT, NULL }, &out), 0);
	free(out);
}

/* `make install-files` (or another target) into root, with the sanitizer build. */
static int
make_install(const char *root, const char *target, char **out)
{
	char *prefix = harness_format("PREFIX=%s/usr", root);
	char *etc = harness_format("SYSCONFDIR=%s/etc", root);
	char *unit = harness_format("UNITDIR=%s/lib/systemd/system", root);
	char *bin = harness_format("INSTALL_BIN=%s", harness_bin());
	int rc;

	rc = harness_run((const char *[]){ MAKE, "--no-print-directory", "-s",
	    target, prefix, etc, unit, bin, NULL }, out);
	free(prefix);
	free(etc);
	free(unit);
	free(bin);
	return rc;
}

/* A file's permission bits, or -1 when it is not there. */
static int
mode_of(const char *root, const char *path)
{
	char *full = harness_format("%s%s", root, path);
	struct stat sb;
	int mode = stat(full, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;

	free(full);
	return mode;
}

/* Every file of the source prompt bank, in subfolders too, was installed. */
static void
assert_bank_installed(const char *root)
{
	char *cmd = harness_format("cd prompts && find . -type f \\( -name "
	    "'*.json' -o -name '*.md' \\) | while read -r f; do "
	    "cmp -s \"$f\" '%s/usr/share/nudged/prompts/'\"$f\" || echo \"$f\"; "
	    "done", root), *out;

	assert_int_equal(sh(cmd, &out), 0);
	if (*out != '\0')
		fail_msg("not installed from prompts/:\n%s", out);
	free(out);
	free(cmd);
}

/* The secrets config/nudged.json names, from the environment. */
static void
set_example_secrets(void)
{
	unsetenv("CREDENTIALS_DIRECTORY");
	setenv("SLACK_LEADERS_WEBHOOK", "https://hooks.example.test/slack", 1);
	setenv("SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5", 1);
	setenv("TEAMS_TEAM_A_WEBHOOK", "https://hooks.example.test/teams", 1);
	setenv("TEAMS_TEAM_A_HMAC",
	    "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTMyISE=", 1);
}

static void
test_install_reinstall_uninstall(void **state)
{
	char *root = harness_tmpdir(), *out, *config, *text, *edited, *man;

	(void)state;
	need(MAKE, "make");
	need(ANALYZE, "systemd");
	unsetenv("MAKEFLAGS");
	unsetenv("MAKELEVEL");
	if (make_install(root, "install-files", &out) != 0)
		fail_msg("make install-files failed:\n%s", out);
	free(out);
	assert_int_equal(mode_of(root, "/usr/bin/nudged"), 0755);
	/* Readable by the unit's DynamicUser= account: secrets are not in it. */
	assert_int_equal(mode_of(root, "/etc/nudged/nudged.json"), 0644);
	assert_int_equal(mode_of(root, "/etc/nudged/nudged.json.dist"), -1);
	assert_int_equal(mode_of(root, "/usr/share/man/man8/nudged.8"), 0644);
	assert_int_equal(mode_of(root, "/usr/share/man/man5/nudged.json.5"), 0644);
	assert_int_equal(mode_of(root,
	    "/usr/share/bash-completion/completions/nudged"), 0644);
	assert_int_equal(mode_of(root, "/usr/share/doc/nudged/LICENSE"), 0644);
	assert_int_equal(mode_of(root,
	    "/usr/share/doc/nudged/examples/nginx.conf"), 0644);
	assert_bank_installed(root);

	/* The installed config finds the installed bank. */
	config = harness_format("%s/etc/nudged/nudged.json", root);
	set_example_secrets();
	if (harness_run((const char *[]){ harness_bin(), "check", "-c", config,
	    NULL }, &out) != 0)
		fail_msg("the installed config does not check:\n%s", out);
	free(out);

	/* The installed unit names the installed binary and man pages. */
	text = harness_format("cd '%s' && MANPATH='%s/usr/share/man' %s verify "
	    "lib/systemd/system/nudged.service 2>&1 && grep -x "
	    "'ExecStart=%s/usr/bin/nudged serve -c %s' "
	    "lib/systemd/system/nudged.service", root, root, ANALYZE, root,
	    config);
	if (sh(text, &out) != 0)
		fail_msg("installed unit:\n%s", out);
	free(out);
	free(text);

	/* An edited config survives a second install; the new one goes beside it. */
	text = harness_read(config);
	edited = harness_format("// edited by the admin\n%s", text);
	harness_write(config, edited);
	assert_int_equal(make_install(root, "install-files", &out), 0);
	assert_non_null(strstr(out, "kept "));
	assert_non_null(strstr(out, "nudged.json.dist"));
	free(out);
	free(text);
	text = harness_read(config);
	assert_string_equal(text, edited);
	free(text);
	assert_int_equal(mode_of(root, "/etc/nudged/nudged.json.dist"), 0644);

	assert_int_equal(make_install(root, "uninstall", &out), 0);
	free(out);
	assert_int_equal(mode_of(root, "/usr/bin/nudged"), -1);
	assert_int_equal(mode_of(root, "/usr/share/nudged"), -1);
	assert_int_equal(mode_of(root, "/lib/systemd/system/nudged.service"), -1);
	man = harness_format("%s/usr/share/man/man8/nudged.8", root);
	assert_int_equal(access(man, F_OK), -1);
	text = harness_read(config);
	assert_string_equal(text, edited);
	free(text);
	free(man);
	free(edited);
	free(config);
	harness_rmdir(root);
	free(root);
}

/* The page rendered at 80 columns; fails on any groff or man warning. */
static char *
render(const char *page)
{
	char *cmd = harness_format("MANWIDTH=80 man --warnings -l %s 2>&1 "
	    ">/dev/null", page), *out;

	need("/usr/bin/man", "man-db");
	if (sh(cmd, &out) != 0 || *out != '\0')
		fail_msg("%s: warnings:\n%s", page, out);
	free(out);
	free(cmd);
	cmd = harness_format("MANWIDTH=80 man -l %s | col -b", page);
	assert_int_equal(sh(cmd, &out), 0);
	free(cmd);
	return out;
}

/* Whether a rendered page has an entry (a tag at the indent) for word. */
static int
has_entry(const char *text, const char *word)
{
	char *tag = harness_format("\n       %s", word);
	const char *at;
	int found = 0;

	for (at = strstr(text, tag); at != NULL && !found;
	    at = strstr(at + 1, tag))
		found = strchr(" ,\n", at[strlen(tag)]) != NULL;
	free(tag);
	return found;
}

/* Each key of the schema's objects has an entry in text. */
static void
assert_keys_named(const cJSON *node, const char *text)
{
	const cJSON *child, *props = cJSON_GetObjectItemCaseSensitive(node,
	    "properties");

	if (cJSON_IsObject(node) && cJSON_IsObject(props)) {
		cJSON_ArrayForEach(child, props) {
			if (!has_entry(text, child->string))
				fail_msg("nudged.json(5) has no entry for \"%s\"",
				    child->string);
		}
	}
	if (cJSON_IsObject(node) || cJSON_IsArray(node)) {
		cJSON_ArrayForEach(child, node)
			assert_keys_named(child, text);
	}
}

static void
test_man_pages(void **state)
{
	char *text, *cause = NULL;
	struct jsonc_doc *schema;

	(void)state;
	text = render("man/nudged.8");
	for (int c = CLI_SERVE; c <= CLI_FORGET; c++) {
		if (!has_entry(text, cli_command_name((enum cli_command)c)))
			fail_msg("nudged(8) does not describe \"%s\"",
			    cli_command_name((enum cli_command)c));
	}
	free(text);
	text = render("man/nudged.json.5");
	if ((schema = jsonc_load_file("config/nudged.schema.json", &cause)) ==
	    NULL)
		fail_msg("%s", cause);
	assert_keys_named(schema->root, text);
	jsonc_free(schema);
	free(text);
}

/* What bash completes for the words of line (the last one being completed). */
static char *
complete(const char *line)
{
	char *script = harness_format(". /usr/share/bash-completion/"
	    "bash_completion && . completions/nudged && COMP_LINE='%s' && "
	    "read -ra COMP_WORDS <<< \"$COMP_LINE \" && "
	    "case \"$COMP_LINE\" in *' ') COMP_WORDS+=('');; esac && "
	    "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) && COMP_POINT=${#COMP_LINE} && "
	    "_nudged && printf '%%s\\n' \"${COMPREPLY[@]}\"", line), *out;

	need("/usr/share/bash-completion/bash_completion", "bash-completion");
	if (harness_run((const char *[]){ BASH, "-c", script, NULL }, &out) != 0)
		fail_msg("completing \"%s\":\n%s", line, out);
	free(script);
	return out;
}

/* A value the command line takes for option opt. */
static const char *
sample_value(const char *opt)
{
	static const char *const samples[][2] = {
		{ "--count", "1" }, { "--days", "1" }, { "--tz", "UTC" },
		{ "--from", "2026-01-01T00:00:00Z" }, { "--format", "json" },
		{ "--audience", "any" }, { "--since", "2026-01-01" },
		{ "-c", "x.json" }, { "--config", "x.json" }, { "--theme", "t" },
		{ "--channel", "c" }, { "--user", "u" },
	};

	for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		if (strcmp(samples[i][0], opt) == 0)
			return samples[i][1];
	}
	return NULL;
}

static void
test_completion_matches_command_line(void **state)
{
	char *offered, *all, *line, *opt, *save, *out;
	const char *name, *value;

	(void)state;
	offered = complete("nudged ");
	all = harness_format("\n%s", offered);
	for (int c = CLI_SERVE; c <= CLI_FORGET; c++) {
		name = cli_command_name((enum cli_command)c);
		line = harness_format("\n%s\n", name);
		if (strstr(all, line) == NULL)
			fail_msg("completion lacks \"%s\":\n%s", name, offered);
		free(line);
	}
	assert_non_null(strstr(all, "\nversion\n"));
	free(all);
	free(offered);
	/* Each option offered for a command is one that command accepts. */
	for (int c = CLI_SERVE; c <= CLI_FORGET; c++) {
		name = cli_command_name((enum cli_command)c);
		line = harness_format("nudged %s -", name);
		offered = complete(line);
		free(line);
		assert_non_null(strstr(offered, "--help"));
		for (opt = strtok_r(offered, "\n", &save); opt != NULL;
		    opt = strtok_r(NULL, "\n", &save)) {
			value = sample_value(opt);
			if (harness_run((const char *[]){ harness_bin(), name, opt,
			    value != NULL ? value : "--help",
			    value != NULL ? "--help" : NULL, NULL }, &out) != 0)
				fail_msg("completion offers %s for %s, which "
				    "refuses it:\n%s", opt, name, out);
			free(out);
		}
		free(offered);
	}
	offered = complete("nudged stats --format ");
	assert_string_equal(offered, "table\njson\ncsv\n");
	free(offered);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unit_rates_ok),
		cmocka_unit_test(test_install_reinstall_uninstall),
		cmocka_unit_test(test_man_pages),
		cmocka_unit_test(test_completion_matches_command_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
