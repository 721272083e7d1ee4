/* SPDX-License-Identifier: GPL-2.0-only */
/* x86bench.h - the x86-64 figures of `swsev bench vcpu` (bench.c). */
#ifndef SWSEV_X86BENCH_H
#define SWSEV_X86BENCH_H

#include "x86vm.h"

/* What the benchmark guest copies in its memory phase (backend/guests). */
#define X86BENCH_COPY_BYTES (64ull * 512 * 1024)
/* Runs of each mode; each phase's best counts. */
#define X86BENCH_ROUNDS 3

struct x86bench_run {
    uint64_t roundtrips; /* VMGEXITs in phase 1 (0 without SEV-ES) */
    double t_exits;
    uint64_t insns_compute, insns_memory;
    double t_compute, t_memory;
};

struct x86bench_result {
    struct x86bench_run off; /* no SEV */
    struct x86bench_run on;  /* with SEV (SNP unless asked otherwise) */
};

int x86bench_run(const struct ximage *img, const char *chip, enum mrun_mode on,
                 struct x86bench_result *res, char *err, size_t errlen);

#endif
