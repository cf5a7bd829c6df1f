/* What the benchmarks share: timing, ordering results, a process's CPU time. */
#ifndef NUDGED_BENCH_SUPPORT_H
#define NUDGED_BENCH_SUPPORT_H

#include <sys/types.h>

/* Milliseconds on the monotonic clock. */
double	bench_ms(void);
/* qsort order for doubles. */
int	bench_cmp(const void *, const void *);
/* Sort n doubles in place. */
void	bench_sort(double *, int n);
/* The median of n values (sorted in place), with the smallest and largest. */
double	bench_median(double *, int n, double *lo, double *hi);
/* CPU seconds (user + system) a live process has used so far, from /proc. */
double	bench_proc_cpu(pid_t);

#endif
