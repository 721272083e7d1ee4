/* SPDX-License-Identifier: MIT */
/*
 * swsev bench vcpu: VMGEXIT round trips of a modelled SEV-ES guest (CPUID:
 * #VC, the GHCB page protocol, the world switch out and back in, the
 * hypervisor's handler) against the limit of the world switch's own
 * cryptography measured in the same run: every round trip must at least
 * re-encrypt the VMSA (4 KiB out, 4 KiB in, AES through the memory
 * engine) and hash it for the seal (SHA-256 of 4 KiB at exit and at entry).
 * Then the x86-64 guest bench.elf in swsev-x86: VMGEXIT round trips,
 * instructions and memory copy throughput with the SEV model off and on,
 * on the same backend in the same run (ratio x86_sev_on_off).
 */
#include <stdio.h>
#include <string.h>

#include "backend/mrun.h"
#include "bench.h"
#include "crypto/digest.h"
#include "hw/memsys_priv.h"
#include "tools/common/x86tool.h"

struct limit_arg {
    struct memctl *mc;
    uint64_t pa;
    uint8_t page[4096];
};

/* One round trip's unavoidable work: VMSA written and read under the
 * guest key, and hashed twice. */
static long world_switch_crypto(void *p)
{
    struct limit_arg *a = p;
    uint8_t d[32];
    if (memctl_write(a->mc, 1, a->pa, a->page, sizeof(a->page)) ||
        memctl_read(a->mc, 1, a->pa, a->page, sizeof(a->page)) ||
        crypto_hash(CRYPTO_SHA256, a->page, sizeof(a->page), d) ||
        crypto_hash(CRYPTO_SHA256, a->page, sizeof(a->page), d))
        return -1;
    return 1;
}

static long cpuid_roundtrip(void *p)
{
    struct mrun *r = p;
    uint32_t regs[4];
    for (int i = 0; i < 16; i++)
        if (mg_cpuid(&r->g, 0x8000001F, 0, regs))
            return -1;
    return 16;
}

int bench_vcpu(const struct bench_opts *opts)
{
    struct mrun r;
    char err[256];
    if (mrun_start(&r, "milan", MRUN_SEV_ES, "bench", 5, NULL, NULL, err, sizeof(err))) {
        fprintf(stderr, "bench vcpu: %s\n", err);
        mrun_free(&r);
        return 1;
    }
    printf("swsev bench vcpu (simulated milan; best of %d rounds)\n\n", opts->rounds);
    struct limit_arg la;
    memset(&la, 0x5A, sizeof(la));
    la.mc = &r.kvm.ms->mc;
    la.pa = r.vm->vmsa_spa;
    double limit = bench_rate(opts, world_switch_crypto, &la);
    double trips = bench_rate(opts, cpuid_roundtrip, &r);
    double limit2 = bench_rate(opts, world_switch_crypto, &la);
    limit = limit2 > limit ? limit2 : limit;
    mrun_free(&r);
    if (limit <= 0 || trips <= 0) {
        fprintf(stderr, "bench vcpu: a step failed\n");
        return 1;
    }
    bench_row("VMSA AES 4 KiB out+in, SHA-256 x2 (limit)", limit, "ops/s", NULL);
    bench_row("VMGEXIT round trips, modelled SEV-ES guest", trips, "ops/s",
              "CPUID: #VC, GHCB, VMEXIT, handler, VMRUN");
    printf("\n");
    bench_ratio("vmgexit_modelled", trips / limit);
    /* The x86-64 part runs in swsev-x86 (GPL-2.0: it links Unicorn). */
    char guest[4096];
    printf("\n");
    if (x86tool_guest("bench.elf", guest, sizeof(guest))) {
        printf("x86-64 guest: skipped (no swsev-x86 guests: build with libunicorn-dev)\n");
        return 0;
    }
    char *args[] = {"swsev-x86", "bench", guest, NULL};
    int st = x86tool_run(args);
    if (st != 0) {
        fprintf(stderr, "bench vcpu: swsev-x86 bench failed (%d)\n", st);
        return 1;
    }
    return 0;
}
