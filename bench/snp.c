/* SPDX-License-Identifier: MIT */
/*
 * swsev bench snp: the SNP firmware's two hot paths against the limit of
 * their own cryptography, measured in the same run:
 *   attestation reports per second, end to end (the guest seals MSG_REPORT_REQ
 *   with AES-256-GCM, the hypervisor carries it, the firmware opens it,
 *   fills and signs the report, seals the response, the guest opens it)
 *   vs raw OpenSSL ECDSA P-384 signatures per second;
 *   SNP_LAUNCH_UPDATE bytes per second (RMPUPDATE to Pre-Guest, the
 *   command, SHA-384 of the page, PAGE_INFO step, encryption into guest
 *   memory) vs raw SHA-384 throughput.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "common/snp_pageinfo.h"
#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "guest/snp_msg.h"
#include "hv/vm.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/machine.h"

#define LAUNCH_SPAN (32ull << 20) /* bytes launched per round */
#define RAM         (LAUNCH_SPAN + (4ull << 20))
#define SECRETS     (LAUNCH_SPAN + 0x1000)
#define REQ         (LAUNCH_SPAN + 0x2000)
#define RESP        (LAUNCH_SPAN + 0x3000)

struct snp_host {
    struct swsev_machine *m;
    struct hv_kvm kvm;
};

static int host_up(struct snp_host *h)
{
    struct machine_config mc;
    struct fw_identity id;
    memset(&id, 0, sizeof(id));
    memcpy(id.chip_secret, "bench-snp", 9);
    machine_config_default(&mc, "milan");
    mc.chip.dram_size = 1ull << 30;
    mc.init_on_probe = false;
    mc.seed = "bench-snp";
    mc.seed_len = 9;
    return machine_create(&h->m, &mc, &id, NULL, 0, NULL) ||
           hv_kvm_init(&h->kvm, machine_sev_dev(h->m));
}

static void host_down(struct snp_host *h)
{
    hv_kvm_fini(&h->kvm);
    machine_destroy(h->m);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the limits ---- */

struct sign_arg {
    EVP_PKEY *k;
    uint8_t msg[0x2A0];
};

static long ecdsa_sign(void *p)
{
    struct sign_arg *a = p;
    uint8_t r[72], s[72];
    return crypto_ecdsa_sign(a->k, CRYPTO_SHA384, a->msg, sizeof(a->msg), r, s) ? -1 : 1;
}

static long sha384_page(void *p)
{
    uint8_t d[48];
    const uint8_t *buf = p;
    for (int i = 0; i < 256; i++)
        if (crypto_hash(CRYPTO_SHA384, buf, 4096, d))
            return -1;
    return 256 * 4096;
}

/* ---- the firmware ---- */

struct report_arg {
    struct guest_snp *g;
    uint8_t report[0x4A0];
};

static long report(void *p)
{
    struct report_arg *a = p;
    uint8_t rd[64] = {1};
    uint32_t status, fw;
    if (guest_snp_report(a->g, rd, 0, a->report, &status, &fw) || status)
        return -1;
    return 1;
}

static int transport(void *ctx, uint64_t req, uint64_t resp, uint32_t *fw_error)
{
    return hv_vm_snp_guest_request(ctx, req, resp, fw_error);
}

/* A fresh SNP guest; launched pages of LAUNCH_SPAN are timed when
 * launch_secs is non-NULL. */
static int guest(struct snp_host *h, struct hv_vm **vm, double *launch_secs)
{
    uint32_t fw;
    if (hv_vm_create_ex(&h->kvm, RAM, 1, true, vm) || hv_vm_snp_start(*vm, 0x30000, &fw))
        return -1;
    if (launch_secs) {
        double t0 = now();
        for (uint64_t off = 0; off < LAUNCH_SPAN; off += 1u << 20)
            if (hv_vm_snp_update(*vm, off, NULL, 1u << 20, SNP_PAGE_TYPE_NORMAL, &fw))
                return -1;
        *launch_secs = now() - t0;
    }
    uint8_t hd[32] = {0};
    if (hv_vm_snp_update(*vm, SECRETS, NULL, 4096, SNP_PAGE_TYPE_SECRETS, &fw) ||
        hv_vm_snp_finish(*vm, NULL, NULL, 0, hd, &fw))
        return -1;
    return 0;
}

int bench_snp(const struct bench_opts *opts)
{
    struct snp_host h;
    memset(&h, 0, sizeof(h));
    if (host_up(&h)) {
        fprintf(stderr, "bench snp: the simulated host did not start\n");
        return 1;
    }
    printf("swsev bench snp (simulated milan; best of %d rounds)\n\n", opts->rounds);
    int rc = 1;
    struct sign_arg sa;
    memset(&sa, 0, sizeof(sa));
    uint8_t seed[64] = {7}, page[4096];
    memset(page, 0x3C, sizeof(page));
    struct hv_vm *vm = NULL;
    double best_launch = 0;
    if (crypto_ecc_from_seed(seed, &sa.k))
        goto out;
    double signs = bench_rate(opts, ecdsa_sign, &sa);
    double sha = bench_rate(opts, sha384_page, page);

    /* SNP_LAUNCH_UPDATE: best of rounds, each on a fresh guest. */
    for (int r = 0; r < opts->rounds; r++) {
        double secs;
        if (guest(&h, &vm, &secs))
            goto out;
        if (LAUNCH_SPAN / secs > best_launch)
            best_launch = LAUNCH_SPAN / secs;
        if (r + 1 < opts->rounds) {
            hv_vm_destroy(vm);
            vm = NULL;
        }
    }
    /* Reports from the last guest. */
    struct hw_guest_ctx cpu;
    memset(&cpu, 0, sizeof(cpu));
    cpu.asid = vm->asid;
    cpu.sev = cpu.es = cpu.snp = cpu.np_enable = true;
    cpu.ncr3 = hv_npt_ncr3(&vm->npt);
    struct guest_snp g;
    if (guest_snp_init(&g, machine_memsys(h.m), &cpu, SECRETS, 0, REQ, RESP, transport, vm))
        goto out;
    struct report_arg ra = {&g, {0}};
    double reports = bench_rate(opts, report, &ra);
    guest_snp_fini(&g);
    /* The limits again, now that the machine is warm: the better of the
     * two measurements is the limit (a figure must not beat a cold limit). */
    double signs2 = bench_rate(opts, ecdsa_sign, &sa), sha2 = bench_rate(opts, sha384_page, page);
    signs = signs2 > signs ? signs2 : signs;
    sha = sha2 > sha ? sha2 : sha;
    if (signs <= 0 || sha <= 0 || reports <= 0)
        goto out;

    bench_row("OpenSSL ECDSA P-384 sign (limit)", signs, "ops/s", NULL);
    bench_row("attestation reports, guest to guest", reports, "ops/s",
              "seal, VMGEXIT path, firmware, sign, open");
    bench_row("OpenSSL SHA-384 (limit)", sha / 1e6, "MB/s", NULL);
    bench_row("SNP_LAUNCH_UPDATE (RMPUPDATE + command)", best_launch / 1e6, "MB/s",
              "32 MiB in 1 MiB updates, fresh guest");
    printf("\n");
    bench_ratio("snp_report", reports / signs);
    bench_ratio("snp_launch_update", best_launch / sha);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "bench snp: a step failed\n");
    if (vm)
        hv_vm_destroy(vm);
    EVP_PKEY_free(sa.k);
    host_down(&h);
    return rc;
}
