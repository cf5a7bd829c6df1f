/* SPDX-License-Identifier: ISC */
/*
 * How many cron_next calls per second for typical schedules in Europe/Berlin:
 * each expression walks forward from 2026-01-01 for about a second, going
 * back to 2026-01-01 whenever it passes 2036-01-01.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_support.h"
#include "cron.h"
#include "timefmt.h"
#include "tz.h"

/* Calls between two looks at the clock. */
#define BENCH_CRON_BATCH 4096

static double	bench_cron_run(const struct cron *, const struct tz *,
		    uint64_t *);

/* Call cron_next for about one second; returns calls per second. */
static double
bench_cron_run(const struct cron *c, const struct tz *tz, uint64_t *calls)
{
	int64_t	 first = timefmt_days_from_civil(2026, 1, 1) * 86400;
	int64_t	 wrap = timefmt_days_from_civil(2036, 1, 1) * 86400;
	int64_t	 t = first, next;
	double	 start = bench_ms() / 1e3, elapsed;
	uint64_t n = 0;
	int	 i;

	do {
		for (i = 0; i < BENCH_CRON_BATCH; i++) {
			if (cron_next(c, tz, t, &next) != 0) {
				fprintf(stderr, "cron_next found nothing\n");
				exit(1);
			}
			t = next >= wrap ? first : next;
		}
		n += BENCH_CRON_BATCH;
		elapsed = bench_ms() / 1e3 - start;
	} while (elapsed < 1.0);
	*calls = n;
	return (double)n / elapsed;
}

/* Run the benchmark over four typical schedules and print the rates. */
int
main(void)
{
	static const char *const exprs[] = {
		"0 9 * * MON-FRI", "*/15 * * * *", "0 15 * * FRI", "0 9 * * 1#1"
	};
	struct tz	*tz;
	struct cron	*c;
	char		*cause;
	double		 rate, seconds = 0;
	uint64_t	 calls, total = 0;
	size_t		 i;
	int		 column;

	if ((tz = tz_load("Europe/Berlin", &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	for (i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
		if ((c = cron_parse(exprs[i], &cause, &column)) == NULL) {
			fprintf(stderr, "%s\n", cause);
			return 1;
		}
		rate = bench_cron_run(c, tz, &calls);
		printf("cron_next %s in Europe/Berlin: %.0f per second\n",
		    exprs[i], rate);
		total += calls;
		seconds += (double)calls / rate;
		cron_free(c);
	}
	printf("cron_next total: %" PRIu64 " calls, %.0f per second (target "
	    "10 M)\n", total, (double)total / seconds);
	bench_table_row("cron: next-fire computations", "M/s",
	    (double)total / seconds / 1e6, NULL, 0, 1e6 * seconds / total, 0);
	tz_free(tz);
	return 0;
}
