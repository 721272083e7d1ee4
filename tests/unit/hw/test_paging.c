/* SPDX-License-Identifier: MIT */
/* The guest access path: guest and nested walks, C-bit, faults. */
#include "testsupport.h"

#define RAM  (2ull << 20)
#define C47  (1ull << 47)
#define GV   0x400000ull /* a private mapping of GPA 0x10000 */
#define GVS  0x401000ull /* a shared mapping of GPA 0x11000 */
#define GVRO 0x402000ull /* read-only, private, GPA 0x12000 */
#define GVU  0x403000ull /* user-accessible, GPA 0x13000 */

struct fx {
    struct ts_machine m;
    struct ts_guest g;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    ts_machine_init(&f->m, "rome", 256ull << 20);
    ts_set_key(&f->m, 1, 0x10);
    ts_guest_init(&f->m, &f->g, 1, RAM, true);
    ts_guest_map(&f->g, GV, 0x10000, 4096, PTE_RW | PTE_NX | GUEST_PTE_PRIVATE);
    ts_guest_map(&f->g, GVS, 0x11000, 4096, PTE_RW | PTE_NX);
    ts_guest_map(&f->g, GVRO, 0x12000, 4096, GUEST_PTE_PRIVATE);
    ts_guest_map(&f->g, GVU, 0x13000, 4096, PTE_RW | PTE_US | GUEST_PTE_PRIVATE);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    ts_guest_fini(&f->g);
    ts_machine_fini(&f->m);
    free(f);
    return 0;
}

static void private_and_shared(void **state)
{
    struct fx *f = *state;
    struct memsys *ms = f->m.ms;
    struct hw_fault fl;
    uint8_t secret[32] = "a private page of ASID 1", b[32];
    assert_int_equal(memsys_guest_write(ms, &f->g.ctx, GV, secret, 32, &fl), SWSEV_OK);
    assert_int_equal(fl.kind, HW_FAULT_NONE);
    memsys_wbinvd(ms, 0);
    assert_int_equal(memsys_host_read(ms, f->g.ram_spa + 0x10000, b, 32), SWSEV_OK);
    assert_memory_not_equal(b, secret, 32);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, GV, b, 32, &fl), SWSEV_OK);
    assert_memory_equal(b, secret, 32);
    /* Guest-physical view with the C-bit as an address bit. */
    assert_int_equal(memsys_guest_phys_read(ms, &f->g.ctx, 0x10000 | C47, b, 32, &fl), SWSEV_OK);
    assert_memory_equal(b, secret, 32);
    assert_int_equal(memsys_guest_phys_read(ms, &f->g.ctx, 0x10000, b, 32, &fl), SWSEV_OK);
    assert_memory_not_equal(b, secret, 32);

    uint8_t msg[16] = "shared page";
    assert_int_equal(memsys_guest_write(ms, &f->g.ctx, GVS, msg, 16, &fl), SWSEV_OK);
    assert_int_equal(memsys_host_read(ms, f->g.ram_spa + 0x11000, b, 16), SWSEV_OK);
    assert_memory_equal(b, msg, 16);

    struct hw_xlate x;
    assert_int_equal(memsys_guest_translate(ms, &f->g.ctx, GV + 5, HW_ACC_READ, &x, &fl), SWSEV_OK);
    assert_true(x.gpa == 0x10005 && x.spa == f->g.ram_spa + 0x10005);
    assert_true(x.guest_c && x.private_ && x.keysel == 1 && x.npt_level == 1);
    assert_int_equal(memsys_guest_translate(ms, &f->g.ctx, GVS, HW_ACC_READ, &x, &fl), SWSEV_OK);
    assert_true(!x.guest_c && !x.private_ && x.keysel == MEMSYS_KEYSEL_PLAIN);
}

/* Instruction fetches of an SEV guest always use its key, even through a
 * C=0 mapping. */
static void fetch_is_private(void **state)
{
    struct fx *f = *state;
    struct memsys *ms = f->m.ms;
    struct hw_fault fl;
    uint8_t code[16] = {0x90, 0x90, 0xc3}, b[16];
    ts_guest_map(&f->g, 0x500000, 0x20000, 4096, PTE_RW | GUEST_PTE_PRIVATE);
    ts_guest_map(&f->g, 0x501000, 0x20000, 4096, 0); /* same GPA, C=0, executable */
    assert_int_equal(memsys_guest_write(ms, &f->g.ctx, 0x500000, code, 16, &fl), SWSEV_OK);
    assert_int_equal(memsys_guest_fetch(ms, &f->g.ctx, 0x501000, b, 16, &fl), SWSEV_OK);
    assert_memory_equal(b, code, 16);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, 0x501000, b, 16, &fl), SWSEV_OK);
    assert_memory_not_equal(b, code, 16);
}

static void expect_fault(swsev_rc rc, const struct hw_fault *fl, uint32_t kind, uint64_t ec,
                         uint64_t addr)
{
    assert_int_equal(rc, SWSEV_HW_ERR(SWSEV_HW_FAULT));
    assert_int_equal(fl->kind, kind);
    assert_true(fl->error_code == ec);
    assert_true(fl->addr == addr);
}

static void guest_page_faults(void **state)
{
    struct fx *f = *state;
    struct memsys *ms = f->m.ms;
    struct hw_fault fl;
    uint8_t b[8] = {0};
    struct hw_guest_ctx g = f->g.ctx;
    expect_fault(memsys_guest_read(ms, &g, 0x7000000, b, 8, &fl), &fl, HW_FAULT_PF, 0, 0x7000000);
    assert_int_equal(fl.vector, HW_VECTOR_PF);
    expect_fault(memsys_guest_write(ms, &g, 0x7000000, b, 8, &fl), &fl, HW_FAULT_PF, PFERR_WRITE,
                 0x7000000);
    /* Write to a read-only page: allowed for supervisor only when CR0.WP = 0. */
    expect_fault(memsys_guest_write(ms, &g, GVRO, b, 8, &fl), &fl, HW_FAULT_PF,
                 PFERR_PRESENT | PFERR_WRITE, GVRO);
    g.cr0 &= ~X86_CR0_WP;
    assert_int_equal(memsys_guest_write(ms, &g, GVRO, b, 8, &fl), SWSEV_OK);
    g = f->g.ctx;
    /* User access to a supervisor page; user access to a user page. */
    g.cpl = 3;
    expect_fault(memsys_guest_read(ms, &g, GV, b, 8, &fl), &fl, HW_FAULT_PF,
                 PFERR_PRESENT | PFERR_USER, GV);
    expect_fault(memsys_guest_read(ms, &g, 0x7000000, b, 8, &fl), &fl, HW_FAULT_PF, PFERR_USER,
                 0x7000000);
    assert_int_equal(memsys_guest_read(ms, &g, GVU, b, 8, &fl), SWSEV_OK);
    g.cpl = 0;
    /* Fetch from an NX page. */
    expect_fault(memsys_guest_fetch(ms, &g, GV, b, 8, &fl), &fl, HW_FAULT_PF,
                 PFERR_PRESENT | PFERR_FETCH, GV);
    /* Non-canonical address. */
    expect_fault(memsys_guest_read(ms, &g, 0x0000800000000000ull, b, 8, &fl), &fl, HW_FAULT_GP, 0,
                 0x0000800000000000ull);
    assert_int_equal(fl.vector, HW_VECTOR_GP);
}

static void guest_reserved_bits(void **state)
{
    struct fx *f = *state;
    struct memsys *ms = f->m.ms;
    struct hw_fault fl;
    uint8_t b[8];
    uint64_t e;
    int lvl;
    /* A physical-address bit above the reduced MAXPHYADDR (43 on rome). */
    assert_int_equal(guest_pgtable_lookup(&f->g.pt, GV, &e, &lvl), SWSEV_OK);
    assert_int_equal(guest_pgtable_set_leaf(&f->g.pt, GV, e | (1ull << 44)), SWSEV_OK);
    expect_fault(memsys_guest_read(ms, &f->g.ctx, GV, b, 8, &fl), &fl, HW_FAULT_PF,
                 PFERR_PRESENT | PFERR_RSVD, GV);
    /* NX bit with EFER.NXE clear is reserved. */
    struct hw_guest_ctx g = f->g.ctx;
    g.efer &= ~X86_EFER_NXE;
    expect_fault(memsys_guest_read(ms, &g, GVS, b, 8, &fl), &fl, HW_FAULT_PF,
                 PFERR_PRESENT | PFERR_RSVD, GVS);
    /* Restore and check that the new translation is used at once. */
    assert_int_equal(guest_pgtable_set_leaf(&f->g.pt, GV, e), SWSEV_OK);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, GV, b, 8, &fl), SWSEV_OK);
}

/* For a guest without SEV the C-bit position is just a reserved bit. */
static void non_sev_guest(void **state)
{
    (void)state;
    struct ts_machine m;
    struct ts_guest g;
    struct hw_fault fl;
    uint8_t b[16] = "plain guest";
    ts_machine_init(&m, "rome", 64ull << 20);
    ts_guest_init(&m, &g, 1, RAM, false);
    ts_guest_map(&g, 0x400000, 0x10000, 4096, PTE_RW);
    assert_int_equal(memsys_guest_write(m.ms, &g.ctx, 0x400000, b, 16, &fl), SWSEV_OK);
    uint8_t h[16];
    assert_int_equal(memsys_host_read(m.ms, g.ram_spa + 0x10000, h, 16), SWSEV_OK);
    assert_memory_equal(h, b, 16);
    uint64_t e;
    int lvl;
    assert_int_equal(guest_pgtable_lookup(&g.pt, 0x400000, &e, &lvl), SWSEV_OK);
    assert_int_equal(guest_pgtable_set_leaf(&g.pt, 0x400000, e | C47), SWSEV_OK);
    expect_fault(memsys_guest_read(m.ms, &g.ctx, 0x400000, h, 16, &fl), &fl, HW_FAULT_PF,
                 PFERR_PRESENT | PFERR_RSVD, 0x400000);
    assert_int_equal(memsys_guest_phys_read(m.ms, &g.ctx, 0x10000 | C47, h, 16, &fl),
                     SWSEV_HW_ERR(SWSEV_HW_RANGE));
    ts_guest_fini(&g);
    ts_machine_fini(&m);
}

static void nested_faults(void **state)
{
    struct fx *f = *state;
    struct memsys *ms = f->m.ms;
    struct hw_fault fl;
    uint8_t b[8] = {0};
    /* Guest maps a GPA the hypervisor did not back. */
    ts_guest_map(&f->g, 0x600000, 0x300000, 4096, PTE_RW | GUEST_PTE_PRIVATE);
    expect_fault(memsys_guest_read(ms, &f->g.ctx, 0x600000, b, 8, &fl), &fl, HW_FAULT_NPF,
                 PFERR_USER | PFERR_GUEST_FINAL, 0x300000);
    assert_int_equal(fl.vector, 0);
    expect_fault(memsys_guest_write(ms, &f->g.ctx, 0x600000, b, 8, &fl), &fl, HW_FAULT_NPF,
                 PFERR_USER | PFERR_WRITE | PFERR_GUEST_FINAL, 0x300000);
    /* Read-only in the nested tables. */
    uint64_t e;
    int lvl;
    assert_int_equal(hv_npt_lookup(&f->g.npt, 0x10000, &e, &lvl), SWSEV_OK);
    assert_int_equal(hv_npt_set_leaf(&f->g.npt, 0x10000, e & ~PTE_RW), SWSEV_OK);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, GV, b, 8, &fl), SWSEV_OK);
    expect_fault(memsys_guest_write(ms, &f->g.ctx, GV, b, 8, &fl), &fl, HW_FAULT_NPF,
                 PFERR_PRESENT | PFERR_USER | PFERR_WRITE | PFERR_GUEST_FINAL, 0x10000);
    /* Reserved bit in a nested entry. */
    assert_int_equal(hv_npt_set_leaf(&f->g.npt, 0x10000, e | (1ull << 45)), SWSEV_OK);
    expect_fault(memsys_guest_read(ms, &f->g.ctx, GV, b, 8, &fl), &fl, HW_FAULT_NPF,
                 PFERR_PRESENT | PFERR_USER | PFERR_RSVD | PFERR_GUEST_FINAL, 0x10000);
    /* User bit clear: nested walks are user accesses. */
    assert_int_equal(hv_npt_set_leaf(&f->g.npt, 0x10000, e & ~PTE_US), SWSEV_OK);
    expect_fault(memsys_guest_read(ms, &f->g.ctx, GV, b, 8, &fl), &fl, HW_FAULT_NPF,
                 PFERR_PRESENT | PFERR_USER | PFERR_GUEST_FINAL, 0x10000);
    assert_int_equal(hv_npt_set_leaf(&f->g.npt, 0x10000, e), SWSEV_OK);
    /* The guest's own page-table page unmapped by the hypervisor: fault
     * during the guest walk (bit 33), at the table's GPA. */
    assert_int_equal(hv_npt_unmap(&f->g.npt, TS_GUEST_PT_POOL, 4096), SWSEV_OK);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, GV, b, 8, &fl), SWSEV_HW_ERR(SWSEV_HW_FAULT));
    assert_int_equal(fl.kind, HW_FAULT_NPF);
    assert_true(fl.error_code == (PFERR_USER | PFERR_GUEST_PAGE));
    assert_true((fl.addr & ~0xfffull) == TS_GUEST_PT_POOL);
}

static void large_pages_and_ad_bits(void **state)
{
    (void)state;
    struct ts_machine m;
    struct ts_guest g;
    struct hw_fault fl;
    ts_machine_init(&m, "milan", 64ull << 20);
    ts_set_key(&m, 2, 3);
    memset(&g, 0, sizeof(g));
    assert_int_equal(hv_hostmem_alloc(&m.hm, 1024, 512, &g.ram_spa), SWSEV_OK);
    assert_int_equal(hv_npt_init(&g.npt, m.ms, &m.hm, true), SWSEV_OK);
    assert_int_equal(hv_npt_map(&g.npt, 0, g.ram_spa, 4ull << 20, NPT_RW, PGT_SIZE_2M), SWSEV_OK);
    g.ctx.asid = 2;
    g.ctx.sev = true;
    g.ctx.np_enable = true;
    g.ctx.ncr3 = hv_npt_ncr3(&g.npt);
    assert_int_equal(guest_pgtable_init(&g.pt, m.ms, &g.ctx, 0x200000, 0x10000), SWSEV_OK);
    g.ctx.cr0 = X86_CR0_PG | 1;
    g.ctx.cr4 = X86_CR4_PAE;
    g.ctx.efer = X86_EFER_LMA | X86_EFER_LME | X86_EFER_NXE;
    g.ctx.cr3 = guest_pgtable_cr3(&g.pt);
    assert_int_equal(guest_pgtable_map(&g.pt, 0x40000000, 0, 2ull << 20, PTE_RW | GUEST_PTE_PRIVATE,
                                       PGT_SIZE_2M),
                     SWSEV_OK);
    uint8_t b[64] = "large pages";
    assert_int_equal(memsys_guest_write(m.ms, &g.ctx, 0x40123450, b, 64, &fl), SWSEV_OK);
    struct hw_xlate x;
    assert_int_equal(memsys_guest_translate(m.ms, &g.ctx, 0x40123450, HW_ACC_READ, &x, &fl),
                     SWSEV_OK);
    assert_true(x.gpa == 0x123450 && x.spa == g.ram_spa + 0x123450 && x.npt_level == 2);
    uint64_t e;
    int lvl;
    assert_int_equal(guest_pgtable_lookup(&g.pt, 0x40000000, &e, &lvl), SWSEV_OK);
    assert_int_equal(lvl, 2);
    assert_true((e & (PTE_A | PTE_D | PTE_PS)) == (PTE_A | PTE_D | PTE_PS));
    assert_int_equal(hv_npt_lookup(&g.npt, 0x123000, &e, &lvl), SWSEV_OK);
    assert_true((e & (PTE_A | PTE_D)) == (PTE_A | PTE_D));
    /* A read leaves a fresh entry clean. */
    assert_int_equal(
        guest_pgtable_map(&g.pt, 0x50000000, 0x1000, 4096, PTE_RW | GUEST_PTE_PRIVATE, PGT_SIZE_4K),
        SWSEV_OK);
    assert_int_equal(memsys_guest_read(m.ms, &g.ctx, 0x50000000, b, 8, &fl), SWSEV_OK);
    assert_int_equal(guest_pgtable_lookup(&g.pt, 0x50000000, &e, &lvl), SWSEV_OK);
    assert_true((e & PTE_A) && !(e & PTE_D));
    assert_int_equal(memsys_guest_write(m.ms, &g.ctx, 0x50000000, b, 8, &fl), SWSEV_OK);
    assert_int_equal(guest_pgtable_lookup(&g.pt, 0x50000000, &e, &lvl), SWSEV_OK);
    assert_true(e & PTE_D);
    hv_npt_fini(&g.npt);
    ts_machine_fini(&m);
}

static void cross_page_and_sizes(void **state)
{
    struct fx *f = *state;
    struct memsys *ms = f->m.ms;
    struct hw_fault fl;
    uint8_t b[4096], r[4096];
    for (size_t i = 0; i < sizeof(b); i++)
        b[i] = (uint8_t)i;
    /* GV and GVS are adjacent: one write straddles private and shared. */
    assert_int_equal(memsys_guest_write(ms, &f->g.ctx, GV + 2048, b, 4096, &fl), SWSEV_OK);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, GV + 2048, r, 4096, &fl), SWSEV_OK);
    assert_memory_equal(b, r, 4096);
    /* A fault on the second page: nothing written on the first. */
    uint8_t before[64], after[64];
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, GVU + 4096 - 64, before, 64, &fl), SWSEV_OK);
    expect_fault(memsys_guest_write(ms, &f->g.ctx, GVU + 4096 - 64, b, 128, &fl), &fl, HW_FAULT_PF,
                 PFERR_WRITE, GVU + 4096);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, GVU + 4096 - 64, after, 64, &fl), SWSEV_OK);
    assert_memory_equal(before, after, 64);
    const swsev_rc size = SWSEV_HW_ERR(SWSEV_HW_SIZE);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, GV, b, 0, &fl), size);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, GV, b, 4097, &fl), size);
    assert_int_equal(memsys_guest_phys_write(ms, &f->g.ctx, 0x10000, b, 5000, &fl), size);
}

static void modes_and_keys(void **state)
{
    struct fx *f = *state;
    struct memsys *ms = f->m.ms;
    struct hw_fault fl;
    uint8_t b[16] = "paging off", r[16];
    struct hw_guest_ctx g = f->g.ctx;
    /* Paging off: GVA = GPA and every access of an SEV guest is private. */
    g.cr0 = 1;
    assert_int_equal(memsys_guest_write(ms, &g, 0x30000, b, 16, &fl), SWSEV_OK);
    assert_int_equal(memsys_guest_phys_read(ms, &g, 0x30000 | C47, r, 16, &fl), SWSEV_OK);
    assert_memory_equal(b, r, 16);
    expect_fault(memsys_guest_read(ms, &g, 1ull << 50, r, 16, &fl), &fl, HW_FAULT_GP, 0,
                 1ull << 50);
    /* 32-bit / PAE-legacy paging is not modelled. */
    g = f->g.ctx;
    g.efer &= ~X86_EFER_LMA;
    assert_int_equal(memsys_guest_read(ms, &g, GV, r, 16, &fl), SWSEV_HW_ERR(SWSEV_HW_INVAL));
    /* An ASID without a key, and an impossible ASID. */
    g = f->g.ctx;
    g.asid = 9;
    assert_int_equal(memsys_guest_read(ms, &g, GV, r, 16, &fl), SWSEV_HW_ERR(SWSEV_HW_NOKEY));
    g.asid = 4000;
    assert_int_equal(memsys_guest_read(ms, &g, GV, r, 16, &fl), SWSEV_HW_ERR(SWSEV_HW_INVAL));
    g = f->g.ctx;
    assert_int_equal(memsys_guest_phys_read(ms, &g, 1ull << 45, r, 16, &fl),
                     SWSEV_HW_ERR(SWSEV_HW_RANGE));
    /* A nested table outside DRAM reads as all ones: reserved-bit NPF. */
    g.ncr3 = 1ull << 40;
    assert_int_equal(memsys_guest_phys_read(ms, &g, 0x10000 | C47, r, 16, &fl),
                     SWSEV_HW_ERR(SWSEV_HW_FAULT));
    assert_int_equal(fl.kind, HW_FAULT_NPF);
    assert_true(fl.error_code & PFERR_RSVD);
}

/* Page-table changes take effect without explicit TLB maintenance (the
 * model's TLB is coherent), including changes made by the hypervisor. */
static void translation_follows_table_writes(void **state)
{
    struct fx *f = *state;
    struct memsys *ms = f->m.ms;
    struct hw_fault fl;
    uint8_t a[8] = "page A", b[8] = "page B", r[8];
    assert_int_equal(memsys_guest_phys_write(ms, &f->g.ctx, 0x40000 | C47, a, 8, &fl), SWSEV_OK);
    assert_int_equal(memsys_guest_phys_write(ms, &f->g.ctx, 0x41000 | C47, b, 8, &fl), SWSEV_OK);
    ts_guest_map(&f->g, 0x700000, 0x40000, 4096, PTE_RW | GUEST_PTE_PRIVATE);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, 0x700000, r, 8, &fl), SWSEV_OK);
    assert_memory_equal(r, a, 8);
    ts_guest_map(&f->g, 0x700000, 0x41000, 4096, PTE_RW | GUEST_PTE_PRIVATE);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, 0x700000, r, 8, &fl), SWSEV_OK);
    assert_memory_equal(r, b, 8);
    /* The hypervisor remaps GPA 0x41000 to the SPA of 0x40000. */
    assert_int_equal(
        hv_npt_map(&f->g.npt, 0x41000, f->g.ram_spa + 0x40000, 4096, NPT_RW, PGT_SIZE_4K),
        SWSEV_OK);
    assert_int_equal(memsys_guest_read(ms, &f->g.ctx, 0x700000, r, 8, &fl), SWSEV_OK);
    /* The tweak binds ciphertext to the SPA, not the GPA: the guest now reads
     * page A's plaintext at page B's address and cannot tell (the remapping
     * attack on plain SEV that SNP's RMP stops). */
    assert_memory_equal(r, a, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(private_and_shared, setup, teardown),
        cmocka_unit_test_setup_teardown(fetch_is_private, setup, teardown),
        cmocka_unit_test_setup_teardown(guest_page_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(guest_reserved_bits, setup, teardown),
        cmocka_unit_test(non_sev_guest),
        cmocka_unit_test_setup_teardown(nested_faults, setup, teardown),
        cmocka_unit_test(large_pages_and_ad_bits),
        cmocka_unit_test_setup_teardown(cross_page_and_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(modes_and_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(translation_follows_table_writes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
