/* SPDX-License-Identifier: ISC */
/* What the benchmarks share: timing, ordering results, a process's CPU time. */
#ifndef NUDGED_BENCH_SUPPORT_H
#define NUDGED_BENCH_SUPPORT_H

#include <sys/types.h>

struct chat_request;

/* Milliseconds on the monotonic clock. */
double	bench_ms(void);
/* qsort order for doubles. */
int	bench_cmp(const void *, const void *);
/* Sort n doubles in place. */
void	bench_sort(double *, int n);
/* The median of n values (sorted in place), with the smallest and largest. */
double	bench_median(double *, int n, double *lo, double *hi);
/* A whole file as a string ("" when empty), or NULL when it cannot be read. */
char	*bench_read(const char *);
/* CPU seconds (user + system) a live process has used so far, from /proc. */
double	bench_proc_cpu(pid_t);

/*
 * One row of the suite's table (bench/run.sh gathers them): the scenario,
 * nudged's median in unit, a peer's median in the same run (NULL: none), the
 * ratio nudged/peer, nudged's CPU µs per item and peak RSS (0: not measured).
 */
void	bench_table_row(const char *scenario, const char *unit, double nudged,
	    const char *peer, double peer_value, double cpu_us, double rss_mib);

/*
 * A curl config (-K) with one group per request, separated by `next`: the
 * URL url(i, arg) gives (allocated), the headers and body nudged sends, the
 * answer's status written out one per line.
 */
void	bench_write_curl_config(const char *path, int n,
	    const struct chat_request *, char *(*url)(int, void *), void *arg);

#endif
