/* SPDX-License-Identifier: ISC */
/*
 * Prompt bank files: bank_load on a private folder holding one file. The
 * input's first line is the file's name without ".json" (the theme must
 * match it), the rest is the file. A refused file must say why, naming the
 * file; an accepted bank is drawn from as a schedule would (all themes, the
 * audience taken from the name's length; banks of up to 60 prompts), and the rotation must hold: every
 * draw succeeds, no prompt comes twice within a cycle, a cycle holds every
 * eligible prompt once, and never the same prompt twice in a row.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bank.h"
#include "chat/chat.h"
#include "config.h"

#define FUZZ_BANK_MAX_LEN	(64 * 1024)
#define FUZZ_BANK_MAX_NAME	64
#define FUZZ_BANK_MAX_DRAWN	60	/* drawing costs a SHA-256 per prompt */

/* The private folder, made once; it is empty between inputs. */
static char fuzz_bank_dir[64];

static void	fuzz_bank_rmdir(void);
static void	fuzz_bank_draw(const struct bank *, enum config_audience);

/* Remove the private folder when the fuzzer exits. */
static void
fuzz_bank_rmdir(void)
{
	rmdir(fuzz_bank_dir);
}

/* Make the private folder, in memory when /dev/shm is there. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(fuzz_bank_dir, sizeof fuzz_bank_dir, "%s/nudged-fuzz-XXXXXX",
	    access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	if (mkdtemp(fuzz_bank_dir) == NULL)
		fuzz_fail("mkdtemp: %s", strerror(errno));
	atexit(fuzz_bank_rmdir);
	return 0;
}

/* Draw from the bank as a schedule with no theme filter would, checking the rotation. */
static void
fuzz_bank_draw(const struct bank *b, enum config_audience audience)
{
	char name[] = "fuzz";
	struct config_channel channel = { .name = name,
	    .platform = chat_find("webhook") };
	struct config_schedule sc = { .name = name, .channel = &channel,
	    .audience = audience };
	struct bank_history h = { 0 };
	const struct bank_prompt *p, *last = NULL;
	size_t eligible = 0, in_cycle = 0;
	int64_t cycle = 0, now_cycle = 0;
	char *cause = NULL;
	unsigned char *seen = calloc(b->nprompts, 1);

	for (size_t i = 0; i < b->nprompts; i++)
		eligible += bank_eligible(b, &b->prompts[i], &sc);
	for (size_t i = 0; i < 2 * b->nprompts + 2; i++) {
		if ((p = bank_pick(b, &sc, &h, &cycle, &cause)) == NULL) {
			if (eligible != 0)
				fuzz_fail("draw %zu failed with %zu eligible: %s", i,
				    eligible, cause);
			free(cause);
			break;
		}
		if (cycle != now_cycle) {
			if (now_cycle != 0 && in_cycle != eligible)
				fuzz_fail("cycle %lld held %zu of %zu prompts",
				    (long long)now_cycle, in_cycle, eligible);
			memset(seen, 0, b->nprompts);
			in_cycle = 0;
			now_cycle = cycle;
		}
		if (seen[p - b->prompts]++)
			fuzz_fail("\"%s\" twice in cycle %lld", p->id,
			    (long long)cycle);
		if (p == last && eligible > 1)
			fuzz_fail("\"%s\" twice in a row", p->id);
		in_cycle++;
		last = p;
	}
	bank_history_clear(&h);
	free(seen);
}

/* One input: a file name line, then the file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl;
	char stem[FUZZ_BANK_MAX_NAME + 1], path[160], *cause = NULL;
	size_t n;
	struct bank *b;
	int fd;

	if (size > FUZZ_BANK_MAX_LEN ||
	    (nl = memchr(data, '\n', size < FUZZ_BANK_MAX_NAME + 1 ? size :
	    FUZZ_BANK_MAX_NAME + 1)) == NULL)
		return 0;
	n = (size_t)(nl - data);
	memcpy(stem, data, n);
	stem[n] = '\0';
	/* Only names a folder can hold, not hidden ones: bank_load skips those. */
	if (n == 0 || stem[0] == '.' || strchr(stem, '/') != NULL ||
	    memchr(stem, '\0', n) != NULL)
		return 0;
	snprintf(path, sizeof path, "%s/%s.json", fuzz_bank_dir, stem);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		fuzz_fail("%s: %s", path, strerror(errno));
	if (write(fd, nl + 1, size - n - 1) != (ssize_t)(size - n - 1))
		fuzz_fail("%s: short write", path);
	close(fd);
	b = bank_load(fuzz_bank_dir, &cause);
	unlink(path);
	if (b == NULL) {
		if (cause == NULL || strstr(cause, fuzz_bank_dir) == NULL)
			fuzz_fail("refused without a cause naming the file: %s",
			    cause ? cause : "none");
		free(cause);
		return 0;
	}
	if (b->nthemes != 1 || b->nprompts == 0)
		fuzz_fail("one file gave %zu themes and %zu prompts", b->nthemes,
		    b->nprompts);
	if (b->nprompts <= FUZZ_BANK_MAX_DRAWN)
		fuzz_bank_draw(b, (enum config_audience)(n % 3));
	bank_free(b);
	return 0;
}
