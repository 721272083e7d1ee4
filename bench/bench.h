/* SPDX-License-Identifier: MIT */
/*
 * bench/bench.h - benchmark plumbing. Every figure is measured against a
 * physical limit measured in the same run (OpenSSL's raw primitive), and
 * each benchmark ends with machine-readable lines "ratio NAME VALUE".
 */
#ifndef SWSEV_BENCH_H
#define SWSEV_BENCH_H

#include <stdint.h>

struct bench_opts {
    double seconds; /* time budget per measurement round */
    int rounds;     /* best-of rounds */
};

/* Run fn(arg) repeatedly for opts->seconds, best of opts->rounds; returns
 * operations per second. fn returns the number of operations it did, or a
 * negative value on failure (then the result is negative). */
double bench_rate(const struct bench_opts *opts, long (*fn)(void *arg), void *arg);

void bench_row(const char *name, double value, const char *unit, const char *note);
void bench_ratio(const char *name, double value);

int bench_memctl(const struct bench_opts *opts);
int bench_sev(const struct bench_opts *opts);
int bench_snp(const struct bench_opts *opts);
int bench_vcpu(const struct bench_opts *opts);

#endif
