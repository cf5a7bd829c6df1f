/* SPDX-License-Identifier: ISC */
/*
 * The configuration file: config_load on any bytes, handed over as a file
 * that lives only in memory (a memfd, opened through /proc/self/fd), so no
 * input touches the disk. A refused file must explain itself on lines that
 * each begin with the file's name; an accepted one must be whole: every
 * channel found again by its name, every schedule with a parsed cron, a
 * zone and a channel of this config, found again by its name, with delays
 * in their documented ranges and skip dates in order, and each schedule's
 * next fire time can be asked for. A plain http:// webhook must go to this
 * machine (127.0.0.1, localhost or [::1]) as libcurl reads the URL, which
 * is what the README promises.
 */
#include "fuzz.h"

#include <curl/curl.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "cron.h"
#include "tz.h"

#define FUZZ_CONFIG_MAX_LEN	(64 * 1024)

static void	fuzz_config_cause(const char *, const char *);
static void	fuzz_config_whole(const struct config *);
static void	fuzz_config_webhook(const struct config_channel *);

/* A known environment: one secret to expand, no systemd folders. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	unsetenv("CREDENTIALS_DIRECTORY");
	unsetenv("STATE_DIRECTORY");
	setenv("NUDGED_FUZZ_SECRET", "s3cret", 1);
	return 0;
}

/* Every line of a refusal begins with the file's name. */
static void
fuzz_config_cause(const char *path, const char *cause)
{
	size_t n = strlen(path);
	const char *line = cause;

	if (cause == NULL || *cause == '\0')
		fuzz_fail("refused without a cause");
	while (line != NULL) {
		if (strncmp(line, path, n) != 0 || line[n] != ':')
			fuzz_fail("a line of the cause does not name the file: "
			    "%.200s", line);
		if ((line = strchr(line, '\n')) != NULL)
			line++;
	}
}

/* A plain-http webhook that libcurl would post to another machine is refused. */
static void
fuzz_config_webhook(const struct config_channel *c)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;

	if (c->webhook == NULL || (u = curl_url()) == NULL)
		return;
	if (curl_url_set(u, CURLUPART_URL, c->webhook, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    strcasecmp(scheme, "http") == 0 && strcmp(host, "127.0.0.1") != 0 &&
	    strcasecmp(host, "localhost") != 0 && strcmp(host, "[::1]") != 0)
		fuzz_fail("channel %s: plain http webhook to host \"%s\" "
		    "accepted", c->name, host);
	curl_free(host);
	curl_free(scheme);
	curl_url_cleanup(u);
}

/* What every accepted configuration holds. */
static void
fuzz_config_whole(const struct config *cfg)
{
	int64_t next;

	if (cfg->state_dir == NULL || cfg->listen_host == NULL ||
	    cfg->listen_port < 1 || cfg->listen_port > 65535 || cfg->tz == NULL ||
	    cfg->prompts_dir == NULL || cfg->nchannels == 0)
		fuzz_fail("accepted without a state_dir, listen, zone, prompts "
		    "or channel");
	if (cfg->delivery.max_in_flight < 1 ||
	    cfg->delivery.max_in_flight > 4096 ||
	    cfg->delivery.retry_max < cfg->delivery.retry_initial)
		fuzz_fail("delivery settings out of range");
	for (size_t i = 0; i < cfg->nchannels; i++) {
		const struct config_channel *c = &cfg->channels[i];

		if (c->name == NULL || c->platform == NULL ||
		    config_find_channel(cfg, c->name) != c)
			fuzz_fail("channel %zu (%s) is not found by its name", i,
			    c->name ? c->name : "unnamed");
		if (c->rate != -1 && (c->rate < 0 || c->rate > 1000))
			fuzz_fail("channel %s: rate %g", c->name, c->rate);
		fuzz_config_webhook(c);
	}
	for (size_t i = 0; i < cfg->nschedules; i++) {
		const struct config_schedule *s = &cfg->schedules[i];

		if (s->name == NULL || s->cron == NULL || s->tz == NULL ||
		    s->channel == NULL || s->channel < cfg->channels ||
		    s->channel >= cfg->channels + cfg->nchannels ||
		    config_find_schedule(cfg, s->name) != s)
			fuzz_fail("schedule %zu (%s) is not whole", i,
			    s->name ? s->name : "unnamed");
		if (s->catch_up < 0 || s->catch_up > 366 * 86400 ||
		    s->expiry < 60 || s->expiry > 30 * 86400)
			fuzz_fail("schedule %s: catch_up %lld, expiry %lld",
			    s->name, (long long)s->catch_up, (long long)s->expiry);
		for (size_t d = 1; d < s->nskip_days; d++) {
			if (s->skip_days[d - 1] > s->skip_days[d])
				fuzz_fail("schedule %s: skip dates out of order",
				    s->name);
		}
		/* 2026-03-29T00:00:00Z, the night Berlin springs forward. */
		if (i < 8 && cron_next(s->cron, s->tz, 1774742400, &next) == 0 &&
		    next <= 1774742400)
			fuzz_fail("schedule %s: next fire %lld is not later",
			    s->name, (long long)next);
	}
}

/* One input: the bytes of a configuration file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg;
	char path[64], *cause = NULL;
	int fd;

	if (size > FUZZ_CONFIG_MAX_LEN)
		return 0;
	if ((fd = memfd_create("nudged-fuzz.json", MFD_CLOEXEC)) == -1 ||
	    write(fd, data, size) != (ssize_t)size)
		fuzz_fail("memfd: cannot hold %zu bytes", size);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if ((cfg = config_load(path, &cause)) == NULL) {
		fuzz_config_cause(path, cause);
		free(cause);
	} else {
		fuzz_config_whole(cfg);
		config_free(cfg);
	}
	close(fd);
	return 0;
}
