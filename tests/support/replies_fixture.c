/* SPDX-License-Identifier: ISC */
/*
 * The reply tests' world: a webhook sink, a config with a channel for every
 * platform that can answer (each with its secret), nudges sent on them with
 * `nudged send` (so each has a reply code), and `nudged serve` running.
 */
#include "replies_fixture.h"

#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int	fixture_send(struct replies_fixture *, const char *, char *);
static char	*fixture_public_key_hex(EVP_PKEY *);

/* The Ed25519 public key as 64 hex digits, as Discord's portal shows it. */
static char *
fixture_public_key_hex(EVP_PKEY *key)
{
	unsigned char raw[32];
	size_t len = sizeof raw;
	char *hex = calloc(1, 65);

	if (EVP_PKEY_get_raw_public_key(key, raw, &len) != 1 || len != 32)
		abort();
	for (size_t i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	return hex;
}

/* nudged send SCHEDULE; copies the reply code it printed into code. */
static int
fixture_send(struct replies_fixture *f, const char *schedule, char *code)
{
	char *out, *at;
	int rc = harness_run((const char *[]){ harness_bin(), "send", "-c",
	    f->config, schedule, NULL }, &out);

	if (rc != 0 || (at = strstr(out, "(reply code ")) == NULL) {
		fprintf(stderr, "send %s failed (%d):\n%s\n", schedule, rc, out);
		free(out);
		return -1;
	}
	memcpy(code, at + 12, 4);
	code[4] = '\0';
	free(out);
	return 0;
}

/* Build the world and start the daemon. */
int
replies_fixture_setup(void **state)
{
	struct replies_fixture *f = calloc(1, sizeof *f);
	EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	char *log, *cwd = getcwd(NULL, 0), *hex, *text;

	f->dir = harness_tmpdir();
	f->config = harness_format("%s/nudged.json", f->dir);
	f->port = harness_free_port();
	log = harness_format("%s/sink.log", f->dir);
	if (sink_start(&f->sink, log, 1) != 0 || kctx == NULL ||
	    EVP_PKEY_keygen_init(kctx) != 1 ||
	    EVP_PKEY_keygen(kctx, &f->discord_key) != 1)
		return -1;
	EVP_PKEY_CTX_free(kctx);
	hex = fixture_public_key_hex(f->discord_key);
	text = harness_format("{\"state_dir\": \"state\", \"listen\": "
	    "\"127.0.0.1:%d\", \"prompts\": \"%s/prompts\", \"channels\": {"
	    "\"team\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/team\", \"api_token\": \"tok-team\"},"
	    "\"other\": {\"platform\": \"webhook\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/other\", \"api_token\": \"tok-other\"},"
	    "\"leaders\": {\"platform\": \"slack\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/slack\", \"signing_secret\": \"%s\", "
	    "\"slack_channel_id\": \"C0LEADERS\"},"
	    "\"eng\": {\"platform\": \"teams\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/teams\", \"hmac_secret\": \"%s\"},"
	    "\"play\": {\"platform\": \"discord\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/discord\", \"public_key\": \"%s\"},"
	    "\"mm\": {\"platform\": \"mattermost\", \"webhook\": "
	    "\"http://127.0.0.1:%d/ok/mm\", \"token\": \"%s\"}},"
	    "\"schedules\": ["
	    "{\"name\": \"s-team\", \"cron\": \"0 0 1 1 *\", \"channel\": \"team\"},"
	    "{\"name\": \"s-leaders\", \"cron\": \"0 0 1 1 *\", \"channel\": "
	    "\"leaders\"},"
	    "{\"name\": \"s-eng\", \"cron\": \"0 0 1 1 *\", \"channel\": \"eng\"},"
	    "{\"name\": \"s-play\", \"cron\": \"0 0 1 1 *\", \"channel\": \"play\"},"
	    "{\"name\": \"s-mm\", \"cron\": \"0 0 1 1 *\", \"channel\": \"mm\"}]}",
	    f->port, cwd, f->sink.port, f->sink.port, f->sink.port,
	    FIXTURE_SLACK_SECRET, f->sink.port, FIXTURE_TEAMS_SECRET,
	    f->sink.port, hex, f->sink.port, FIXTURE_MM_TOKEN);
	harness_write(f->config, text);
	free(text);
	free(hex);
	free(cwd);
	free(log);
	if (fixture_send(f, "s-team", f->code[0]) == -1 ||
	    fixture_send(f, "s-team", f->code[1]) == -1 ||
	    fixture_send(f, "s-leaders", f->slack_code) == -1 ||
	    fixture_send(f, "s-eng", f->teams_code) == -1 ||
	    fixture_send(f, "s-play", f->discord_code) == -1 ||
	    fixture_send(f, "s-mm", f->mm_code) == -1)
		return -1;
	if (harness_spawn(&f->serve, (const char *[]){ harness_bin(), "serve",
	    "-c", f->config, NULL }) != 0 ||
	    harness_wait_output(&f->serve, "started: config", 10000) != 0)
		return -1;
	f->running = 1;
	*state = f;
	return 0;
}

/* Stop the daemon cleanly (SIGTERM, exit 0 expected). */
void
replies_fixture_stop(struct replies_fixture *f)
{
	if (!f->running)
		return;
	kill(f->serve.pid, SIGTERM);
	if (harness_wait_exit(&f->serve, 10000) != 0)
		fprintf(stderr, "nudged serve did not stop cleanly:\n%s\n",
		    f->serve.out);
	harness_kill(&f->serve);
	f->running = 0;
}

/* nudged export --format json, parsed. */
cJSON *
replies_fixture_export(struct replies_fixture *f)
{
	char *out;
	cJSON *root;

	if (harness_run((const char *[]){ harness_bin(), "export", "-c",
	    f->config, NULL }, &out) != 0)
		abort();
	root = cJSON_Parse(out);
	free(out);
	return root;
}

/* Answers stored so far, counted through nudged export. */
int
replies_fixture_count(struct replies_fixture *f)
{
	cJSON *root = replies_fixture_export(f), *d;
	int n = 0;

	cJSON_ArrayForEach(d, cJSON_GetObjectItem(root, "deliveries"))
		n += cJSON_GetArraySize(cJSON_GetObjectItem(d, "replies"));
	cJSON_Delete(root);
	return n;
}

/* Stop everything by PID and remove the folder. */
int
replies_fixture_teardown(void **state)
{
	struct replies_fixture *f = *state;

	replies_fixture_stop(f);
	sink_stop(&f->sink);
	EVP_PKEY_free(f->discord_key);
	harness_rmdir(f->dir);
	free(f->config);
	free(f->dir);
	free(f);
	return 0;
}
