/* SPDX-License-Identifier: ISC */
/*
 * A full disk: the daemon's state folder on a small tmpfs the test mounts
 * (so it runs as root; otherwise it is skipped, saying why). A filler file
 * takes every free byte; answers then get 503 and change nothing, and every
 * answer acknowledged (2xx) before, during and after is stored exactly once.
 * When the filler is removed, answers are taken again at once and the WAL
 * is cut back, so the store keeps working on the space it had: the cycle
 * repeats with the WAL never growing back. One cycle by default; `make
 * diskfull` runs NUDGED_DISKFULL_ROUNDS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "replies_fixture.h"

#define DISK_SIZE	"4m"		/* the tmpfs */
#define DISK_WAL_MAX	(1536 * 1024)	/* 1 MiB limit plus a checkpoint's worth */
#define DISK_FULL_POSTS	200		/* answers tried while the disk is full */
#define DISK_FREE_POSTS	300		/* answers after the space returns */

/* What the disk test keeps besides the fixture. */
struct disk {
	struct replies_fixture	*f;
	char			*state;		/* the mount point */
	char			*filler;
	long			 next;		/* the next answer's id */
	long			 acked;
	long			 refused;	/* 503s */
};

static long	 disk_env(const char *, long);
static int	 disk_post(struct disk *);
static void	 disk_fill(struct disk *);
static long	 disk_size(const char *, const char *);
static void	 disk_check_acked(struct disk *);

/* A positive number from the environment, or def. */
static long
disk_env(const char *name, long def)
{
	const char *v = getenv(name);
	long n = v != NULL ? strtol(v, NULL, 10) : 0;

	return n > 0 ? n : def;
}

/* The size of a file in the state folder (0 when absent). */
static long
disk_size(const char *state, const char *name)
{
	char *path = harness_format("%s/%s", state, name);
	struct stat sb;
	long n = stat(path, &sb) == 0 ? (long)sb.st_size : 0;

	free(path);
	return n;
}

/*
 * Post the next answer (id "d<n>") through the API; 2xx counts it as
 * acknowledged, 503 as refused, anything else fails the test.
 */
static int
disk_post(struct disk *d)
{
	char *body = harness_format("{\"channel\":\"team\",\"user\":\"U1\","
	    "\"text\":\"an answer long enough to take some room on the disk, "
	    "answer %ld\",\"code\":\"%s\",\"id\":\"d%ld\"}", d->next,
	    d->f->code[1], d->next), *out;
	int status;

	harness_drain(&d->f->serve);
	status = harness_http_post(d->f->port, "/api/v1/replies",
	    (const char *[]){ "Content-Type: application/json",
	    "Authorization: Bearer tok-team", NULL }, body, strlen(body), &out);
	if (status >= 200 && status < 300)
		d->acked++;
	else if (status == 503)
		d->refused++;
	else {
		harness_drain(&d->f->serve);
		fail_msg("answer d%ld: status %d: %s\nthe daemon said:\n%s",
		    d->next, status, out, d->f->serve.out);
	}
	d->next++;
	free(out);
	free(body);
	return status;
}

/* Take every free byte of the tmpfs with the filler file. */
static void
disk_fill(struct disk *d)
{
	static char chunk[4096];
	int fd = open(d->filler, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd != -1);
	while (write(fd, chunk, sizeof chunk) == (ssize_t)sizeof chunk)
		;
	while (write(fd, chunk, 1) == 1)
		;
	assert_int_equal(errno, ENOSPC);
	close(fd);
}

/* Every acknowledged answer is stored exactly once, and nothing else is. */
static void
disk_check_acked(struct disk *d)
{
	long long stored;

	for (long i = 0; i < d->next; i++) {
		long long n = harness_db_int(d->state, "SELECT count(*) FROM "
		    "replies WHERE source = 'api' AND message_id = 'team:d%ld'", i);

		if (n > 1)
			fail_msg("answer d%ld is stored %lld times", i, n);
	}
	stored = harness_db_int(d->state, "SELECT count(*) FROM replies WHERE "
	    "source = 'api' AND message_id LIKE 'team:d%%'");
	if (stored != d->acked)
		fail_msg("%ld answers acknowledged, %lld stored", d->acked,
		    stored);
}

/* Move the fixture's state folder onto a fresh tmpfs; skipped unless root. */
static int
disk_setup(void **state)
{
	struct disk *d = calloc(1, sizeof *d);
	char *moved, *cmd;

	if (getuid() != 0) {
		fprintf(stderr, "skipped: mounting a small tmpfs needs root\n");
		*state = NULL;
		return 0;
	}
	if (replies_fixture_setup(state) != 0)
		return -1;
	d->f = *state;
	replies_fixture_stop(d->f);
	d->state = harness_format("%s/state", d->f->dir);
	d->filler = harness_format("%s/filler", d->state);
	moved = harness_format("%s/state.before", d->f->dir);
	if (rename(d->state, moved) != 0 || mkdir(d->state, 0700) != 0)
		return -1;
	if (mount("tmpfs", d->state, "tmpfs", 0, "size=" DISK_SIZE
	    ",mode=0700") != 0) {
		fprintf(stderr, "skipped: cannot mount a tmpfs: %s\n",
		    strerror(errno));
		rmdir(d->state);
		rename(moved, d->state);
		free(moved);
		d->f->running = 0;
		*state = d;
		d->state[0] = '\0';
		return 0;
	}
	cmd = harness_format("cp -a %s/. %s/", moved, d->state);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	free(moved);
	harness_serve_start(&d->f->serve, d->f->config);
	d->f->running = 1;
	*state = d;
	return 0;
}

/* Stop the daemon, unmount, then the fixture's own teardown. */
static int
disk_teardown(void **state)
{
	struct disk *d = *state;
	void *f;

	if (d == NULL)
		return 0;
	replies_fixture_stop(d->f);
	if (d->state[0] != '\0' && umount2(d->state, MNT_DETACH) != 0)
		fprintf(stderr, "umount %s: %s\n", d->state, strerror(errno));
	f = d->f;
	free(d->state);
	free(d->filler);
	free(d);
	return replies_fixture_teardown(&f);
}

/* Fill, refuse with 503, free, recover; the WAL bounded throughout. */
static void
test_full_disk(void **state)
{
	struct disk *d = *state;
	long rounds = disk_env("NUDGED_DISKFULL_ROUNDS", 1), wal_full, wal_back;
	long refused;
	char *out;

	if (d == NULL || d->state[0] == '\0')
		skip();
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < 50; i++)
			assert_int_equal(disk_post(d) / 100, 2);
		disk_fill(d);
		refused = d->refused;
		for (int i = 0; i < DISK_FULL_POSTS; i++)
			disk_post(d);
		wal_full = disk_size(d->state, "nudged.db-wal");
		/* Some may fit in pages SQLite had already; most cannot. */
		assert_true(d->refused - refused > DISK_FULL_POSTS / 2);
		/* Health keeps answering, and says the store cannot write. */
		assert_int_equal(harness_http_get(d->f->port, "/healthz", &out),
		    503);
		assert_non_null(strstr(out, "\"store_writable\":false"));
		free(out);
		assert_int_equal(unlink(d->filler), 0);
		/* The space is back: every answer is taken again. */
		for (int i = 0; i < DISK_FREE_POSTS; i++)
			if (disk_post(d) / 100 != 2)
				fail_msg("round %d: space is back, yet answer %d "
				    "after it was refused; WAL %ld bytes, database "
				    "%ld bytes", r, i, disk_size(d->state,
				    "nudged.db-wal"), disk_size(d->state,
				    "nudged.db"));
		wal_back = disk_size(d->state, "nudged.db-wal");
		fprintf(stderr, "round %d: %ld acknowledged, %ld refused (503) in "
		    "all; WAL %ld bytes while full, %ld after %d answers more; "
		    "database %ld bytes\n", r, d->acked, d->refused, wal_full,
		    wal_back, DISK_FREE_POSTS, disk_size(d->state, "nudged.db"));
		assert_true(wal_back <= DISK_WAL_MAX);
	}
	disk_check_acked(d);
	/* And after a restart, the same. */
	replies_fixture_stop(d->f);
	harness_serve_start(&d->f->serve, d->f->config);
	d->f->running = 1;
	disk_check_acked(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_disk, disk_setup,
		    disk_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
