/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <time.h>

#include "bench.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double bench_rate(const struct bench_opts *opts, long (*fn)(void *arg), void *arg)
{
    double best = 0;
    for (int r = 0; r < opts->rounds; r++) {
        double t0 = now(), t;
        long ops = 0;
        do {
            long n = fn(arg);
            if (n < 0)
                return -1;
            ops += n;
            t = now();
        } while (t - t0 < opts->seconds);
        double rate = (double)ops / (t - t0);
        if (rate > best)
            best = rate;
    }
    return best;
}

void bench_row(const char *name, double value, const char *unit, const char *note)
{
    printf("  %-44s %12.1f %-8s %s\n", name, value, unit, note ? note : "");
}

void bench_ratio(const char *name, double value)
{
    printf("ratio %s %.3f\n", name, value);
}
