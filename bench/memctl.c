/* SPDX-License-Identifier: MIT */
/*
 * swsev bench memctl: the memory encryption engine and the guest access
 * path against OpenSSL's AES-128-XTS on 4 KiB buffers, the fastest way this
 * machine can encrypt a page with a tweak.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bench.h"
#include "crypto/drbg.h"
#include "guest/pgtable.h"
#include "hv/hostmem.h"
#include "hv/npt.h"
#include "hw/memsys_fw.h"
#include "hw/memsys_priv.h"

#define REGION   (64ull << 20) /* larger than the cache: every read misses */
#define PAGES    (REGION / 4096)
#define GVA_BASE 0x40000000ull
/* The engine runs over a 2 MiB window so that it is measured, not the host's
 * DRAM bandwidth; the guest path uses the whole region (it misses the
 * simulated cache on every page). */
#define ENGINE_WINDOW (2ull << 20)

struct xts_arg {
    EVP_CIPHER_CTX *ctx;
    uint8_t buf[4096], out[4096];
};

static long xts_page(void *p)
{
    struct xts_arg *a = p;
    uint8_t iv[16] = {0};
    int outl;
    for (int i = 0; i < 64; i++) {
        iv[0] = (uint8_t)i;
        if (!EVP_EncryptInit_ex(a->ctx, NULL, NULL, NULL, iv) ||
            !EVP_EncryptUpdate(a->ctx, a->out, &outl, a->buf, 4096))
            return -1;
    }
    return 64;
}

struct eng_arg {
    struct memctl *mc;
    uint64_t base, next;
    size_t unit;
    int write;
    uint8_t buf[4096];
};

/* The engine between cache and DRAM: whole pages or single lines. */
static long engine_op(void *p)
{
    struct eng_arg *a = p;
    for (int i = 0; i < 64; i++) {
        uint64_t pa = a->base + a->next;
        swsev_rc rc = a->write ? memctl_write(a->mc, 1, pa, a->buf, a->unit)
                               : memctl_read(a->mc, 1, pa, a->buf, a->unit);
        if (rc)
            return -1;
        a->next = (a->next + a->unit) % ENGINE_WINDOW;
    }
    return 64;
}

struct guest_arg {
    struct memsys *ms;
    struct hw_guest_ctx *g;
    uint64_t next;
    uint8_t buf[4096];
};

/* A guest reading its private memory sequentially, page by page:
 * translation (guest + nested walk), cache, engine. */
static long guest_seq(void *p)
{
    struct guest_arg *a = p;
    struct hw_fault f;
    for (int i = 0; i < 64; i++) {
        if (memsys_guest_read(a->ms, a->g, GVA_BASE + a->next, a->buf, 4096, &f))
            return -1;
        a->next = (a->next + 4096) % REGION;
    }
    return 64;
}

int bench_memctl(const struct bench_opts *opts)
{
    struct chip_config cfg;
    struct crypto_drbg *rng = NULL;
    struct memsys *ms = NULL;
    struct memsys_fw_port *fw;
    struct hv_hostmem hm = {0};
    struct hv_npt npt;
    struct guest_pgtable pt;
    struct hw_guest_ctx g = {0};
    static struct xts_arg xa;
    static struct eng_arg ea;
    static struct guest_arg ga;
    uint8_t key[32] = {1, 2, 3};
    uint64_t ram;
    int ret = 1;

    chip_config_preset(&cfg, "rome");
    cfg.dram_size = 1ull << 30;
    if (crypto_drbg_new(&rng, "bench", 5) || memsys_create(&ms, &cfg, rng) ||
        memsys_claim_fw_port(ms, &fw) || memsys_fw_set_key(fw, 1, key, 16) ||
        hv_hostmem_init(&hm, 16ull << 20, cfg.dram_size - (16ull << 20)) ||
        hv_hostmem_alloc(&hm, PAGES, 512, &ram) || hv_npt_init(&npt, ms, &hm, true) ||
        hv_npt_map(&npt, 0, ram, REGION, NPT_RW, PGT_SIZE_2M)) {
        fprintf(stderr, "swsev: bench: cannot set up the simulated machine\n");
        goto out;
    }
    uint64_t tables;
    if (hv_hostmem_alloc(&hm, 512, 512, &tables) ||
        hv_npt_map(&npt, REGION, tables, 2ull << 20, NPT_RW, PGT_SIZE_2M))
        goto out;
    g.asid = 1;
    g.sev = true;
    g.np_enable = true;
    g.ncr3 = hv_npt_ncr3(&npt);
    if (guest_pgtable_init(&pt, ms, &g, REGION, 2ull << 20) ||
        guest_pgtable_map(&pt, GVA_BASE, 0, REGION, PTE_RW | GUEST_PTE_PRIVATE, PGT_SIZE_4K))
        goto out;
    g.cr0 = X86_CR0_PG | X86_CR0_WP | 1;
    g.cr4 = X86_CR4_PAE;
    g.efer = X86_EFER_LMA | X86_EFER_LME | X86_EFER_NXE;
    g.cr3 = guest_pgtable_cr3(&pt);

    xa.ctx = EVP_CIPHER_CTX_new();
    if (!xa.ctx || !EVP_EncryptInit_ex(xa.ctx, EVP_aes_128_xts(), NULL, key, NULL))
        goto out;
    ea.mc = &ms->mc;
    ea.base = ram;
    ga.ms = ms;
    ga.g = &g;

    printf("memctl: memory encryption engine and guest access path (best of %d x %.2fs)\n",
           opts->rounds, opts->seconds);
    double xts = bench_rate(opts, xts_page, &xa) * 4096;
    ea.unit = 4096;
    ea.write = 1;
    double enc_page = bench_rate(opts, engine_op, &ea) * 4096;
    ea.write = 0;
    double dec_page = bench_rate(opts, engine_op, &ea) * 4096;
    ea.unit = 64;
    ea.write = 1;
    double enc_line = bench_rate(opts, engine_op, &ea) * 64;
    ea.write = 0;
    double dec_line = bench_rate(opts, engine_op, &ea) * 64;
    double guest = bench_rate(opts, guest_seq, &ga) * 4096;
    if (xts <= 0 || enc_page <= 0 || dec_page <= 0 || enc_line <= 0 || dec_line <= 0 ||
        guest <= 0) {
        fprintf(stderr, "swsev: bench: a measurement failed\n");
        goto out;
    }
    const double mb = 1e6;
    bench_row("OpenSSL AES-128-XTS, 4 KiB buffers (limit)", xts / mb, "MB/s", "1.000");
    char note[32];
    snprintf(note, sizeof(note), "%.3f", enc_page / xts);
    bench_row("engine encrypt, 4 KiB pages", enc_page / mb, "MB/s", note);
    snprintf(note, sizeof(note), "%.3f", dec_page / xts);
    bench_row("engine decrypt, 4 KiB pages", dec_page / mb, "MB/s", note);
    snprintf(note, sizeof(note), "%.3f", enc_line / xts);
    bench_row("engine encrypt, 64-byte lines", enc_line / mb, "MB/s", note);
    snprintf(note, sizeof(note), "%.3f", dec_line / xts);
    bench_row("engine decrypt, 64-byte lines", dec_line / mb, "MB/s", note);
    snprintf(note, sizeof(note), "%.3f", guest / xts);
    bench_row("guest sequential 4 KiB reads (walk+cache+engine)", guest / mb, "MB/s", note);
    double page = enc_page < dec_page ? enc_page : dec_page;
    bench_ratio("engine_page", page / xts);
    bench_ratio("guest_seq_read", guest / xts);
    ret = 0;
out:
    EVP_CIPHER_CTX_free(xa.ctx);
    xa.ctx = NULL;
    if (ms) {
        hv_hostmem_fini(&hm);
        memsys_destroy(ms);
    }
    crypto_drbg_free(rng);
    return ret;
}
