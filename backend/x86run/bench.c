/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * swsev-x86 bench FILE: the x86-64 figures of `swsev bench vcpu`. The
 * benchmark guest (backend/guests, docs/x86-guests.md) marks its phases on
 * port 0x80: 1 VMGEXIT round trips, 2 compute, 3 memory copy, 4 done. The
 * same image runs with the SEV model off (no SEV: plain memory, no
 * encryption, intercepts) and on (SEV-SNP: C-bit page tables, encrypted
 * pages, RMP checks, #VC and the GHCB), on the same backend in the same
 * run, so the ratio says what the model costs, whatever the machine.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "x86bench.h"

#define PHASES 5

struct phase_clock {
    struct x86vm *x;
    double t[PHASES];
    uint64_t insns[PHASES];
    bool seen[PHASES];
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void on_post(void *ctx, uint32_t value)
{
    struct phase_clock *c = ctx;
    unsigned p = value & 0xFF;
    if (p >= PHASES)
        return;
    struct uc_vcpu_stats st;
    uc_vcpu_get_stats(c->x->u, &st);
    c->t[p] = now();
    c->insns[p] = st.insns;
    c->seen[p] = true;
}

static void discard(void *ctx, uint8_t b)
{
    (void)ctx;
    (void)b;
}

/* One run of the image under mode: the figures of its phases. */
static int measure(const struct ximage *img, enum mrun_mode mode, const char *chip,
                   struct x86bench_run *out, char *err, size_t errlen)
{
    struct x86vm *x = calloc(1, sizeof(*x));
    struct phase_clock c;
    memset(&c, 0, sizeof(c));
    memset(out, 0, sizeof(*out));
    if (!x) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = -1;
    if (x86vm_start(x, img, mode, chip, discard, NULL)) {
        snprintf(err, errlen, "%s", x->err);
        goto done;
    }
    c.x = x;
    x->post = on_post;
    x->post_ctx = &c;
    int status = x86vm_run(x);
    if (status != 0 || !c.seen[1] || !c.seen[2] || !c.seen[3] || !c.seen[4]) {
        snprintf(err, errlen, "the benchmark guest did not finish (status %d%s%s)", status,
                 status < 0 ? ": " : "", status < 0 ? x->err : "");
        goto done;
    }
    out->roundtrips = x->st.vmgexits;
    out->t_exits = c.t[2] - c.t[1];
    out->insns_compute = c.insns[3] - c.insns[2];
    out->t_compute = c.t[3] - c.t[2];
    out->insns_memory = c.insns[4] - c.insns[3];
    out->t_memory = c.t[4] - c.t[3];
    rc = 0;
done:
    x86vm_free(x);
    free(x);
    return rc;
}

/* The best of each phase over the rounds (a noisy machine only ever
 * makes a phase slower). */
static void keep_best(struct x86bench_run *best, const struct x86bench_run *r, bool first)
{
    if (first || r->t_exits < best->t_exits) {
        best->roundtrips = r->roundtrips;
        best->t_exits = r->t_exits;
    }
    if (first || r->t_compute < best->t_compute) {
        best->insns_compute = r->insns_compute;
        best->t_compute = r->t_compute;
    }
    if (first || r->t_memory < best->t_memory) {
        best->insns_memory = r->insns_memory;
        best->t_memory = r->t_memory;
    }
}

int x86bench_run(const struct ximage *img, const char *chip, enum mrun_mode on,
                 struct x86bench_result *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof(*res));
    /* Alternating rounds, so that a slow spell of the machine hits both. */
    for (int i = 0; i < X86BENCH_ROUNDS; i++) {
        struct x86bench_run off, with;
        if (measure(img, MRUN_NONE, chip, &off, err, errlen) ||
            measure(img, on, chip, &with, err, errlen))
            return -1;
        keep_best(&res->off, &off, i == 0);
        keep_best(&res->on, &with, i == 0);
    }
    return 0;
}
