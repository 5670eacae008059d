/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * median.h - the median of a few timings: the benchmarks report medians of
 * interleaved rounds, because these machines drift.
 */
#ifndef TCFLOWD_BENCH_MEDIAN_H
#define TCFLOWD_BENCH_MEDIAN_H

#include <stdlib.h>

static int median_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v in place. */
static inline double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), median_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif /* TCFLOWD_BENCH_MEDIAN_H */
