/* SPDX-License-Identifier: MIT */
/*
 * Demo part 1: the SoC memory system. Two SEV guests and a hypervisor on a
 * simulated chip; the firmware's role (installing keys) is played through
 * the memory system's firmware port, as the firmware itself will do.
 */
#include <stdio.h>
#include <string.h>

#include "crypto/drbg.h"
#include "guest/pgtable.h"
#include "hv/hostmem.h"
#include "hv/npt.h"
#include "hw/memsys_fw.h"
#include "tools/swsev/cli.h"

#define GUEST_RAM  (2ull << 20)
#define GVA_SECRET 0x400000ull
#define GVA_SHARED 0x401000ull
#define GPA_SECRET 0x10000ull
#define GPA_SHARED 0x11000ull
#define GPA_TABLES 0x100000ull
#define GPA_ALIAS  0x200000ull /* where guest 2's hypervisor maps guest 1's page */

struct demo_guest {
    struct hw_guest_ctx ctx;
    struct hv_npt npt;
    struct guest_pgtable pt;
    uint64_t ram_spa;
};

static void hex(const char *label, const uint8_t *p, size_t n)
{
    printf("      %-22s", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

static swsev_rc guest_boot(struct demo_guest *g, struct memsys *ms, struct hv_hostmem *hm,
                           uint32_t asid)
{
    memset(g, 0, sizeof(*g));
    swsev_rc rc = hv_hostmem_alloc(hm, GUEST_RAM / 4096, 512, &g->ram_spa);
    if (!rc)
        rc = hv_npt_init(&g->npt, ms, hm, true);
    if (!rc)
        rc = hv_npt_map(&g->npt, 0, g->ram_spa, GUEST_RAM, NPT_RW, PGT_SIZE_4K);
    if (rc)
        return rc;
    g->ctx.asid = asid;
    g->ctx.sev = true;
    g->ctx.np_enable = true;
    g->ctx.ncr3 = hv_npt_ncr3(&g->npt);
    rc = guest_pgtable_init(&g->pt, ms, &g->ctx, GPA_TABLES, 64 * 4096);
    if (rc)
        return rc;
    /* Long mode with paging, as the guest kernel runs. */
    g->ctx.cr0 = X86_CR0_PG | X86_CR0_WP | 1;
    g->ctx.cr4 = X86_CR4_PAE;
    g->ctx.efer = X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE;
    g->ctx.cr3 = guest_pgtable_cr3(&g->pt);
    return SWSEV_OK;
}

int demo_memsys(struct demo_ctx *d, const char *chip, const uint8_t *seed, size_t seed_len)
{
    struct chip_config cfg;
    struct crypto_drbg *rng = NULL;
    struct memsys *ms = NULL;
    struct memsys_fw_port *fw = NULL;
    struct hv_hostmem hm = {0};
    struct demo_guest g1, g2;
    uint8_t key[16];
    swsev_rc rc;

    chip_config_preset(&cfg, chip);
    rc = crypto_drbg_new(&rng, seed_len ? seed : NULL, seed_len);
    if (!rc)
        rc = memsys_create(&ms, &cfg, rng);
    if (!rc)
        rc = memsys_claim_fw_port(ms, &fw);
    uint32_t r[4];
    chip_cpuid(&cfg, 0x8000001F, 0, r);
    demo_step(d, rc == SWSEV_OK && (r[1] & 0x3f) == cfg.cbit && r[2] == cfg.nr_asids,
              "power on a %s SoC with %llu GiB of DRAM: CPUID 0x8000001F EAX=%08x EBX=%08x "
              "(C-bit %u) ECX=%u EDX=%u",
              cfg.name, (unsigned long long)(cfg.dram_size >> 30), r[0], r[1], r[1] & 0x3f, r[2],
              r[3]);
    if (rc)
        goto out;

    /* The firmware's part: a fresh key in the slots of ASIDs 1 and 2. */
    rc = hv_hostmem_init(&hm, 16ull << 20, cfg.dram_size - (16ull << 20));
    for (uint32_t asid = 1; asid <= 2 && !rc; asid++) {
        rc = crypto_drbg_bytes(rng, key, sizeof(key));
        if (!rc)
            rc = memsys_fw_set_key(fw, asid, key, sizeof(key));
    }
    demo_step(d, rc == SWSEV_OK, "firmware installs a random AES-128 key for ASID 1 and ASID 2");
    if (rc)
        goto out;

    rc = guest_boot(&g1, ms, &hm, 1);
    if (!rc)
        rc = guest_pgtable_map(&g1.pt, GVA_SECRET, GPA_SECRET, 4096,
                               PTE_RW | PTE_NX | GUEST_PTE_PRIVATE, PGT_SIZE_4K);
    if (!rc)
        rc = guest_pgtable_map(&g1.pt, GVA_SHARED, GPA_SHARED, 4096, PTE_RW | PTE_NX, PGT_SIZE_4K);
    demo_step(d, rc == SWSEV_OK,
              "guest 1 (ASID 1): hypervisor maps 2 MiB of RAM at SPA 0x%llx; guest maps "
              "GVA 0x%llx private (C=1) and GVA 0x%llx shared (C=0)",
              (unsigned long long)g1.ram_spa, (unsigned long long)GVA_SECRET,
              (unsigned long long)GVA_SHARED);
    if (rc)
        goto out;

    static const char secret[48] = "swsev: guest 1's secret, for its eyes only";
    struct hw_fault f;
    rc = memsys_guest_write(ms, &g1.ctx, GVA_SECRET, secret, sizeof(secret), &f);
    demo_step(d, rc == SWSEV_OK, "guest 1 writes its secret through the C=1 mapping");

    /* The guest's dirty lines reach DRAM when they are written back. */
    memsys_wbinvd(ms, 0);
    uint8_t host_view[48], guest_view[48];
    rc = memsys_host_read(ms, g1.ram_spa + GPA_SECRET, host_view, sizeof(host_view));
    bool cipher = rc == SWSEV_OK && memcmp(host_view, secret, sizeof(secret)) != 0;
    demo_step(d, cipher, "the host reads the same DRAM (after WBINVD) and sees ciphertext");
    hex("plaintext:", (const uint8_t *)secret, 32);
    hex("host view:", host_view, 32);

    rc = memsys_guest_read(ms, &g1.ctx, GVA_SECRET, guest_view, sizeof(guest_view), &f);
    demo_step(d, rc == SWSEV_OK && !memcmp(guest_view, secret, sizeof(secret)),
              "guest 1 reads its page back as plaintext: \"%.42s\"", guest_view);

    static const char hello[32] = "hello from guest 1 (shared)";
    static const char reply[32] = "hello from the hypervisor";
    uint8_t buf[32];
    rc = memsys_guest_write(ms, &g1.ctx, GVA_SHARED, hello, sizeof(hello), &f);
    if (!rc)
        rc = memsys_host_read(ms, g1.ram_spa + GPA_SHARED, buf, sizeof(buf));
    bool ok = rc == SWSEV_OK && !memcmp(buf, hello, sizeof(hello));
    if (!rc)
        rc = memsys_host_write(ms, g1.ram_spa + GPA_SHARED, reply, sizeof(reply));
    if (!rc)
        rc = memsys_guest_read(ms, &g1.ctx, GVA_SHARED, buf, sizeof(buf), &f);
    ok = ok && rc == SWSEV_OK && !memcmp(buf, reply, sizeof(reply));
    demo_step(d, ok,
              "the shared (C=0) page is plaintext to both: host read \"%s\", guest read "
              "\"%s\"",
              hello, reply);

    /* A second guest whose hypervisor maps guest 1's page into it. */
    rc = guest_boot(&g2, ms, &hm, 2);
    if (!rc)
        rc = hv_npt_map(&g2.npt, GPA_ALIAS, g1.ram_spa + GPA_SECRET, 4096, NPT_RW, PGT_SIZE_4K);
    if (!rc)
        rc = guest_pgtable_map(&g2.pt, GVA_SECRET, GPA_ALIAS, 4096,
                               PTE_RW | PTE_NX | GUEST_PTE_PRIVATE, PGT_SIZE_4K);
    if (!rc)
        rc = memsys_guest_read(ms, &g2.ctx, GVA_SECRET, guest_view, sizeof(guest_view), &f);
    ok = rc == SWSEV_OK && memcmp(guest_view, secret, sizeof(secret)) &&
         memcmp(guest_view, host_view, sizeof(host_view));
    demo_step(d, ok,
              "guest 2 (ASID 2), given the same SPA by its hypervisor, reads garbage "
              "under its own key");
    hex("guest 2 view:", guest_view, 32);

    /* Architectural faults instead of crashes. */
    rc = memsys_guest_read(ms, &g1.ctx, 0x7000000ull, buf, 8, &f);
    ok = rc == SWSEV_HW_ERR(SWSEV_HW_FAULT) && f.kind == HW_FAULT_PF && f.addr == 0x7000000ull;
    demo_step(d, ok, "guest 1 touches an unmapped address: #PF, error code 0x%llx, CR2 0x%llx",
              (unsigned long long)f.error_code, (unsigned long long)f.addr);
    rc = guest_pgtable_map(&g1.pt, 0x500000, 0x300000, 4096, PTE_RW | GUEST_PTE_PRIVATE,
                           PGT_SIZE_4K);
    if (!rc)
        rc = memsys_guest_read(ms, &g1.ctx, 0x500000, buf, 8, &f);
    ok = rc == SWSEV_HW_ERR(SWSEV_HW_FAULT) && f.kind == HW_FAULT_NPF && f.addr == 0x300000;
    demo_step(d, ok,
              "guest 1 maps a GPA the hypervisor never backed: #VMEXIT(NPF), EXITINFO1 "
              "0x%llx, EXITINFO2 0x%llx",
              (unsigned long long)f.error_code, (unsigned long long)f.addr);

    /* ASID reuse without a flush: the cache still holds guest 1's lines. */
    rc = memsys_guest_read(ms, &g1.ctx, GVA_SECRET, guest_view, sizeof(guest_view), &f);
    unsigned stale = memsys_cached_lines(ms, 1, NULL);
    if (!rc)
        rc = crypto_drbg_bytes(rng, key, sizeof(key));
    if (!rc)
        rc = memsys_fw_set_key(fw, 1, key, sizeof(key)); /* a new guest gets ASID 1 */
    /* The new owner's page tables are not built yet: read guest-physically. */
    uint64_t private_gpa = GPA_SECRET | memsys_cbit_mask(ms);
    if (!rc)
        rc = memsys_guest_phys_read(ms, &g1.ctx, private_gpa, guest_view, sizeof(guest_view), &f);
    ok = rc == SWSEV_OK && stale > 0 && !memcmp(guest_view, secret, sizeof(secret));
    demo_step(d, ok,
              "ASID 1 reused with a new key but no flush: %u cached lines still carry "
              "the old guest's plaintext, which the new owner reads",
              stale);
    memsys_wbinvd(ms, 0);
    memsys_wbinvd(ms, 1);
    rc = memsys_guest_phys_read(ms, &g1.ctx, private_gpa, guest_view, sizeof(guest_view), &f);
    ok = rc == SWSEV_OK && memcmp(guest_view, secret, sizeof(secret)) != 0;
    demo_step(d, ok,
              "after WBINVD on every core the old lines are gone: the new key reads "
              "garbage (why the firmware demands WBINVD + DF_FLUSH before reuse)");
    rc = SWSEV_OK;
out:
    if (rc)
        demo_step(d, false, "memory-system demo aborted: %s", swsev_strerror(rc));
    if (ms) {
        hv_hostmem_fini(&hm);
        memsys_destroy(ms);
    }
    crypto_drbg_free(rng);
    return d->failed;
}
