/* SPDX-License-Identifier: MIT */
/*
 * swsev bench sev: the legacy SEV firmware's data paths against the limit of
 * their own work, measured in the same run:
 *   LAUNCH_UPDATE_DATA  vs the engine's encryption + SHA-256 of the same bytes
 *   SEND+RECEIVE_UPDATE_DATA per page vs AES-128-CTR + HMAC-SHA256 of the
 *                       page at both ends
 *   PDH_GEN per second  vs OpenSSL P-384 key generation + one ECDSA signature
 */
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "crypto/ctr.h"
#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/sevcert.h"
#include "hv/vm.h"
#include "hw/memsys_priv.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/abi/sev_launch.h"
#include "swsev/machine.h"

#define UPDATE_LEN (1u << 20)

static int op(struct hv_vm *vm, uint32_t cmd, void *data)
{
    uint32_t err;
    return hv_vm_sev_op(vm, cmd, (uint64_t)(uintptr_t)data, &err, &hv_uaccess_self);
}

struct host {
    struct swsev_machine *m;
    struct hv_kvm kvm;
};

static int host_up(struct host *h, const char *chip, const char *tag)
{
    struct machine_config mc;
    struct fw_identity id;
    memset(&id, 0, sizeof(id));
    memcpy(id.chip_secret, tag, strlen(tag));
    machine_config_default(&mc, chip);
    mc.chip.dram_size = 512ull << 20;
    mc.seed = tag;
    mc.seed_len = strlen(tag);
    return machine_create(&h->m, &mc, &id, NULL, 0, NULL) ||
           hv_kvm_init(&h->kvm, machine_sev_dev(h->m));
}

static void host_down(struct host *h)
{
    hv_kvm_fini(&h->kvm);
    machine_destroy(h->m);
}

/* ---- the limits ---- */

struct limit_arg {
    struct memctl *mc;
    uint64_t pa;
    uint8_t buf[64 << 10];
};

/* What LAUNCH_UPDATE_DATA must do per byte at least: encrypt with the
 * engine and hash. */
static long engine_plus_sha(void *p)
{
    struct limit_arg *a = p;
    uint8_t d[32];
    if (memctl_write(a->mc, 1, a->pa, a->buf, sizeof(a->buf)) ||
        crypto_hash(CRYPTO_SHA256, a->buf, sizeof(a->buf), d))
        return -1;
    return sizeof(a->buf);
}

/* What a page in migration costs at least: CTR + HMAC at the sender, HMAC
 * + CTR at the receiver. */
static long ctr_hmac_twice(void *p)
{
    struct limit_arg *a = p;
    uint8_t key[16] = {1}, iv[16] = {2}, mac[32], out[4096];
    for (int side = 0; side < 2; side++) {
        struct crypto_iov iov = {a->buf, 4096};
        if (crypto_aes128_ctr(key, iv, a->buf, out, 4096) ||
            crypto_hmac_sha256(key, 16, &iov, 1, mac))
            return -1;
    }
    return 1;
}

static long keygen_sign(void *p)
{
    struct crypto_drbg *rng = p;
    EVP_PKEY *k = NULL;
    uint8_t r[72], s[72], msg[0x414] = {0};
    if (crypto_ecc_generate(rng, &k) ||
        crypto_ecdsa_sign(k, CRYPTO_SHA256, msg, sizeof(msg), r, s)) {
        EVP_PKEY_free(k);
        return -1;
    }
    EVP_PKEY_free(k);
    return 1;
}

/* ---- the firmware ---- */

/* 8 MiB cycled in 1 MiB commands: more than the simulated cache holds,
 * so the engine encrypts every byte on its way to DRAM. */
#define UPDATE_SPAN (8u << 20)

struct update_arg {
    struct hv_vm *vm;
    uint64_t next;
};

static long launch_update(void *p)
{
    struct update_arg *a = p;
    struct kvm_sev_launch_update_data up = {a->next, UPDATE_LEN};
    a->next = (a->next + UPDATE_LEN) % UPDATE_SPAN;
    return op(a->vm, KVM_SEV_LAUNCH_UPDATE_DATA, &up) ? -1 : (long)UPDATE_LEN;
}

struct mig_arg {
    struct hv_vm *src, *dst;
    uint64_t page;
};

static long send_receive(void *p)
{
    struct mig_arg *a = p;
    struct sev_packet_hdr hdr;
    uint8_t trans[4096];
    uint64_t gpa = (a->page++ % 256) * 4096;
    struct kvm_sev_send_update_data su = {(uintptr_t)&hdr,  sizeof(hdr),  gpa, 4096,
                                          (uintptr_t)trans, sizeof(trans)};
    struct kvm_sev_receive_update_data ru = {(uintptr_t)&hdr,  sizeof(hdr),  gpa, 4096,
                                             (uintptr_t)trans, sizeof(trans)};
    return op(a->src, KVM_SEV_SEND_UPDATE_DATA, &su) || op(a->dst, KVM_SEV_RECEIVE_UPDATE_DATA, &ru)
               ? -1
               : 1;
}

struct pdh_arg {
    struct swsev_machine *m;
};

static long pdh_gen(void *p)
{
    struct pdh_arg *a = p;
    uint32_t err;
    return hv_psp_do_cmd(machine_psp_driver(a->m), SEV_CMD_PDH_GEN, NULL, 0, &err) ? -1 : 1;
}

static int export_pdh(struct host *h, uint8_t pdh[0x824], uint8_t chain[3 * 0x824])
{
    struct hv_psp *psp = machine_psp_driver(h->m);
    struct hv_psp_buf a, b;
    uint32_t err;
    if (hv_psp_buf_alloc(psp, 0x824, &a) || hv_psp_buf_alloc(psp, 3 * 0x824, &b))
        return -1;
    struct sev_fw_pdh_cert_export e = {hv_psp_buf_pa(psp, &a), 0x824, 0, hv_psp_buf_pa(psp, &b),
                                       3 * 0x824};
    int rc = hv_psp_do_cmd(psp, SEV_CMD_PDH_CERT_EXPORT, &e, sizeof(e), &err) ||
             hv_psp_buf_read(psp, &a, pdh, 0x824) || hv_psp_buf_read(psp, &b, chain, 3 * 0x824);
    hv_psp_buf_free(psp, &a);
    hv_psp_buf_free(psp, &b);
    return rc;
}

int bench_sev(const struct bench_opts *opts)
{
    struct host a = {0}, b = {0};
    struct hv_vm *vm = NULL, *src = NULL, *dst = NULL;
    static struct limit_arg la;
    struct crypto_drbg *rng = NULL;
    int ret = 1;
    if (host_up(&a, "rome", "bench-a") || host_up(&b, "rome", "bench-b") ||
        crypto_drbg_new(&rng, "bench", 5)) {
        fprintf(stderr, "swsev: bench: cannot set up the hosts\n");
        goto out;
    }
    struct memsys *ms = machine_memsys(a.m);
    la.mc = &ms->mc;
    la.pa = 0x2000000;
    for (size_t i = 0; i < sizeof(la.buf); i++)
        la.buf[i] = (uint8_t)i;
    /* The limit uses the engine directly, on slot 1 (SEV guests get 100+). */
    uint8_t key[16] = {9};
    if (memctl_set_key(&ms->mc, 1, key, 16))
        goto out;

    /* A guest in LUPDATE for LAUNCH_UPDATE_DATA. */
    struct kvm_sev_launch_start ls = {0};
    if (hv_vm_create(&a.kvm, UPDATE_SPAN, 1, &vm) || op(vm, KVM_SEV_INIT, NULL) ||
        op(vm, KVM_SEV_LAUNCH_START, &ls))
        goto out;
    /* A running guest on A migrating to B. */
    uint8_t pdh[0x824], chain[3 * 0x824], apdh[0x824], achain[3 * 0x824];
    struct sev_session_blob session;
    struct kvm_sev_launch_update_data up = {0, 1u << 20};
    struct sev_launch_measure_blob mb;
    struct kvm_sev_launch_measure lm = {(uintptr_t)&mb, sizeof(mb)};
    if (hv_vm_create(&a.kvm, 4ull << 20, 1, &src) || op(src, KVM_SEV_INIT, NULL) ||
        op(src, KVM_SEV_LAUNCH_START, &ls) || op(src, KVM_SEV_LAUNCH_UPDATE_DATA, &up) ||
        op(src, KVM_SEV_LAUNCH_MEASURE, &lm) || op(src, KVM_SEV_LAUNCH_FINISH, NULL) ||
        export_pdh(&b, pdh, chain) || export_pdh(&a, apdh, achain))
        goto out;
    static uint8_t amd[2];
    struct kvm_sev_send_start ss = {0,
                                    (uintptr_t)pdh,
                                    sizeof(pdh),
                                    (uintptr_t)chain,
                                    sizeof(chain),
                                    (uintptr_t)amd,
                                    sizeof(amd),
                                    (uintptr_t)&session,
                                    sizeof(session)};
    struct kvm_sev_receive_start rs = {
        0, 0, (uintptr_t)apdh, sizeof(apdh), (uintptr_t)&session, sizeof(session)};
    if (op(src, KVM_SEV_SEND_START, &ss) || hv_vm_create(&b.kvm, 4ull << 20, 1, &dst) ||
        op(dst, KVM_SEV_INIT, NULL) || op(dst, KVM_SEV_RECEIVE_START, &rs)) {
        fprintf(stderr, "swsev: bench: cannot start the migration\n");
        goto out;
    }

    printf("sev: SEV firmware data paths (best of %d x %.2fs)\n", opts->rounds, opts->seconds);
    struct update_arg ua = {vm, 0};
    struct mig_arg ma = {src, dst, 0};
    struct pdh_arg pa = {a.m};
    double lim_update = bench_rate(opts, engine_plus_sha, &la);
    double update = bench_rate(opts, launch_update, &ua);
    double lim_mig = bench_rate(opts, ctr_hmac_twice, &la);
    double mig = bench_rate(opts, send_receive, &ma);
    double lim_pdh = bench_rate(opts, keygen_sign, rng);
    double pdh_rate = bench_rate(opts, pdh_gen, &pa);
    if (lim_update <= 0 || update <= 0 || lim_mig <= 0 || mig <= 0 || lim_pdh <= 0 ||
        pdh_rate <= 0) {
        fprintf(stderr, "swsev: bench: a measurement failed\n");
        goto out;
    }
    char note[32];
    bench_row("engine encrypt + SHA-256 (limit)", lim_update / 1e6, "MB/s", "1.000");
    snprintf(note, sizeof(note), "%.3f", update / lim_update);
    bench_row("LAUNCH_UPDATE_DATA, 1 MiB commands over 8 MiB", update / 1e6, "MB/s", note);
    bench_row("AES-128-CTR + HMAC-SHA256, both ends (limit)", lim_mig, "pages/s", "1.000");
    snprintf(note, sizeof(note), "%.3f", mig / lim_mig);
    bench_row("SEND_UPDATE_DATA + RECEIVE_UPDATE_DATA", mig, "pages/s", note);
    bench_row("P-384 keygen + ECDSA sign (limit)", lim_pdh, "ops/s", "1.000");
    snprintf(note, sizeof(note), "%.3f", pdh_rate / lim_pdh);
    bench_row("PDH_GEN (key, certificate, sealed NV)", pdh_rate, "ops/s", note);
    bench_ratio("launch_update_data", update / lim_update);
    bench_ratio("send_receive", mig / lim_mig);
    bench_ratio("pdh_gen", pdh_rate / lim_pdh);
    ret = 0;
out:
    if (vm)
        hv_vm_destroy(vm);
    if (src)
        hv_vm_destroy(src);
    if (dst)
        hv_vm_destroy(dst);
    if (a.m)
        host_down(&a);
    if (b.m)
        host_down(&b);
    crypto_drbg_free(rng);
    return ret;
}
