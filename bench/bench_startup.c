/* SPDX-License-Identifier: ISC */
/*
 * Startup with many schedules: writes a config with N schedules (default
 * 10,000) over a mix of zones and expressions, starts the real
 * `nudged serve`, and measures the time from exec to its start line (the
 * moment it tells systemd READY=1). Runs the start R times (default 5):
 * the first on a new database (every schedule is recorded), the rest on the
 * existing one; prints each and the median of the warm starts.
 *
 *   build/release/bench/bench_startup [NUDGED] [N] [R]
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_support.h"
#include "harness.h"

static const char *const zones[] = { "Europe/Berlin", "America/New_York",
	"Australia/Sydney", "Asia/Kolkata", "UTC", "America/Sao_Paulo" };
static const char *const exprs[] = { "0 9 * * MON-FRI", "0 15 * * FRI",
	"*/15 9-17 * * *", "30 8 * * 1#1", "0 10 L * *", "0 16 * * 5L" };

/* Write the config with n schedules into dir. */
static void
bench_write_config(const char *path, int n)
{
	FILE *f = fopen(path, "w");
	char *cwd;

	if (f == NULL)
		exit(3);
	cwd = getcwd(NULL, 0);
	fprintf(f, "{\"state_dir\": \"state\", \"listen\": \"127.0.0.1:%d\", "
	    "\"prompts\": \"%s/prompts\", \"channels\": {\"demo\": "
	    "{\"platform\": \"console\"}},\n\"schedules\": [\n",
	    harness_free_port(), cwd);
	free(cwd);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s{\"name\": \"s%d\", \"cron\": \"%s\", \"timezone\": "
		    "\"%s\", \"channel\": \"demo\"}\n", i ? "," : "", i,
		    exprs[i % 6], zones[i % 6]);
	fprintf(f, "]}\n");
	fclose(f);
}

/* Start nudged, wait for its start line; the milliseconds it took, or -1. */
static double
bench_start_once(const char *bin, const char *config)
{
	char buf[65536], *all = calloc(1, 1);
	size_t len = 0;
	double t0 = bench_ms(), took = -1;
	int fds[2];
	pid_t pid;

	if (pipe(fds) == -1)
		exit(3);
	if ((pid = fork()) == 0) {
		dup2(fds[1], 2);
		dup2(fds[1], 1);
		close(fds[0]);
		execl(bin, bin, "serve", "-c", config, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (bench_ms() - t0 < 30000) {
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if ((n = read(fds[0], buf, sizeof buf)) <= 0)
			break;
		all = realloc(all, len + (size_t)n + 1);
		memcpy(all + len, buf, (size_t)n);
		len += (size_t)n;
		all[len] = '\0';
		if (strstr(all, "started: config") != NULL) {
			took = bench_ms() - t0;
			break;
		}
	}
	if (took < 0)
		fprintf(stderr, "nudged did not start:\n%s\n", all);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	close(fds[0]);
	free(all);
	return took;
}

int
main(int argc, char **argv)
{
	const char *bin = argc > 1 ? argv[1] : "./nudged";
	int n = argc > 2 ? atoi(argv[2]) : 10000;
	int runs = argc > 3 ? atoi(argv[3]) : 5;
	char dir[] = "/tmp/nudged-test-XXXXXX", config[64], what[64];
	double warm[64], t;
	int nwarm = 0;

	if (mkdtemp(dir) == NULL || runs < 2 || runs > 64)
		return 2;
	snprintf(config, sizeof config, "%s/nudged.json", dir);
	bench_write_config(config, n);
	for (int r = 0; r < runs; r++) {
		if ((t = bench_start_once(bin, config)) < 0)
			return 3;
		printf("startup with %d schedules (%s database): %.1f ms\n", n,
		    r == 0 ? "new" : "existing", t);
		if (r > 0)
			warm[nwarm++] = t;
	}
	bench_sort(warm, nwarm);
	printf("startup with %d schedules: median %.1f ms over %d starts on an "
	    "existing database (target 100 ms)\n", n, warm[nwarm / 2], nwarm);
	snprintf(what, sizeof what, "start-up to READY, %d schedules", n);
	bench_table_row(what, "ms", warm[nwarm / 2], NULL, 0, 0, 0);
	return harness_rmdir(dir) == 0 ? 0 : 3;
}
