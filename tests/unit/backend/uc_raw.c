/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The defects of Unicorn 2.0.1 that the backend works around, reproduced
 * on Unicorn alone (this program does not link libswsev_unicorn). Each test
 * shows the defect; uc_defects.c shows the backend's workaround holding.
 * docs/unicorn.md explains each (ten of them). With another Unicorn version the tests
 * are skipped: they document 2.0.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>
#include <unicorn/unicorn.h>

/* Defect: every store goes through page_collection_lock(). Count the calls
 * (this definition interposes libunicorn's, as the backend's does). */
struct uc_struct;
void *page_collection_lock_x86_64(struct uc_struct *uc, uint64_t start, uint64_t end);
void page_collection_unlock_x86_64(void *set);
static unsigned long collections;
static char dummy_collection;

void *page_collection_lock_x86_64(struct uc_struct *uc, uint64_t start, uint64_t end)
{
    (void)uc;
    (void)start;
    (void)end;
    collections++;
    return &dummy_collection;
}

void page_collection_unlock_x86_64(void *set)
{
    (void)set;
}

#define TABLES 0xFFC0000000ull
#define HLT    0xF4

struct raw {
    uc_engine *uc;
    uint8_t *tables;
    unsigned ntables;
    int intno[8];
    uint64_t cr2[8];
    unsigned nint;
    bool fix;      /* the interrupt hook makes the faulting page present */
    uint64_t code; /* where the next snippet goes */
};

static uint64_t get(uc_engine *uc, int reg)
{
    uint64_t v = 0;
    uc_reg_read(uc, reg, &v);
    return v;
}

static void put(uc_engine *uc, int reg, uint64_t v)
{
    uc_reg_write(uc, reg, &v);
}

/* A 4-level table entry for va (tables allocated in the TABLES region). */
static uint64_t *pte(struct raw *r, uint64_t va)
{
    uint64_t t = TABLES;
    for (int l = 3; l > 0; l--) {
        uint64_t *e = (uint64_t *)(r->tables + (t - TABLES)) + ((va >> (12 + 9 * l)) & 511);
        if (!(*e & 1))
            *e = (TABLES + 4096ull * ++r->ntables) | 7;
        t = *e & 0xFFFFFFFFFF000ull;
    }
    return (uint64_t *)(r->tables + (t - TABLES)) + ((va >> 12) & 511);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
    struct raw *r = user;
    if (r->nint < 8) {
        r->intno[r->nint] = (int)intno;
        r->cr2[r->nint] = get(uc, UC_X86_REG_CR2);
    }
    r->nint++;
    if (r->fix)
        *pte(r, get(uc, UC_X86_REG_CR2)) |= 3;
    else
        uc_emu_stop(uc);
}

/* Long mode with paging on, tables at TABLES, RAM at [0, 4 MiB). */
static void paging(struct raw *r)
{
    memset(r, 0, sizeof(*r));
    assert_int_equal(uc_open(UC_ARCH_X86, UC_MODE_64, &r->uc), UC_ERR_OK);
    r->tables = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(r->tables != MAP_FAILED);
    assert_int_equal(
        uc_mem_map_ptr(r->uc, TABLES, 1 << 20, UC_PROT_READ | UC_PROT_WRITE, r->tables), UC_ERR_OK);
    assert_int_equal(uc_mem_map(r->uc, 0, 4 << 20, UC_PROT_ALL), UC_ERR_OK);
    *pte(r, 0x1000) = 0x1000 | 3;
    put(r->uc, UC_X86_REG_CR3, TABLES);
    put(r->uc, UC_X86_REG_CR4, 0x620);
    put(r->uc, UC_X86_REG_CR0, 0x80010031);
    uc_hook h;
    assert_int_equal(uc_hook_add(r->uc, &h, UC_HOOK_INTR, (void *)on_intr, r, 1, 0), UC_ERR_OK);
}

static void raw_close(struct raw *r)
{
    uc_close(r->uc);
    munmap(r->tables, 1 << 20);
}

/* A harmless 'until': mapped and present, so the end-of-run invalidation
 * does not fault (see until_minus_one). */
#define UNTIL 0x1FF0ull

/* Each snippet at a new address: writing over code Unicorn translated
 * would run the old translation (see mem_write_keeps_old_code). */
static uc_err run(struct raw *r, const uint8_t *code, size_t n)
{
    uint64_t at = 0x1000 + r->code;
    r->code += 0x100;
    assert_int_equal(uc_mem_write(r->uc, at, code, n), UC_ERR_OK);
    return uc_emu_start(r->uc, at, UNTIL, 0, 0);
}

static void va_lookup(void **state)
{
    (void)state;
    struct raw r;
    paging(&r);
    /* VA 0x600000 -> frame 0x200000: nothing is mapped at 0x600000, and
     * Unicorn 2.0.1 looks memory regions up by virtual address. */
    *pte(&r, 0x600000) = 0x200000 | 3;
    uint64_t v = 0x1234;
    uc_mem_write(r.uc, 0x200000, &v, 8);
    static const uint8_t c[] = {0x48, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00, HLT};
    assert_int_equal(run(&r, c, sizeof(c)), UC_ERR_READ_UNMAPPED);
    /* With memory at the VA, the load reads it: the frame in the PTE is
     * ignored (the walk maps every VA to itself). */
    assert_int_equal(uc_mem_map(r.uc, 0x600000, 0x1000, UC_PROT_ALL), UC_ERR_OK);
    v = 0x5678;
    uc_mem_write(r.uc, 0x600000, &v, 8);
    assert_int_equal(run(&r, c, sizeof(c)), UC_ERR_OK);
    assert_int_equal(get(r.uc, UC_X86_REG_RAX), 0x5678);
    raw_close(&r);
}

static void efer_nxe(void **state)
{
    (void)state;
    static const int models[] = {UC_CPU_X86_QEMU64, UC_CPU_X86_EPYC, UC_CPU_X86_EPYC_ROME};
    for (unsigned i = 0; i < 3; i++) {
        uc_engine *uc;
        assert_int_equal(uc_open(UC_ARCH_X86, UC_MODE_64, &uc), UC_ERR_OK);
        assert_int_equal(uc_ctl_set_cpu_model(uc, models[i]), UC_ERR_OK);
        uc_x86_msr m = {.rid = 0xC0000080};
        uc_reg_read(uc, UC_X86_REG_MSR, &m);
        m.value |= 1u << 11;
        uc_reg_write(uc, UC_X86_REG_MSR, &m);
        m.value = 0;
        uc_reg_read(uc, UC_X86_REG_MSR, &m);
        assert_int_equal(m.value & (1u << 11), 0); /* NXE dropped */
        /* The guest's own WRMSR drops it too, and CPUID says no NX. */
        static const uint8_t c[] = {0xB9, 0x80, 0x00, 0x00, 0xC0, 0x0F, 0x32, 0x0D, 0x00,
                                    0x08, 0x00, 0x00, 0x0F, 0x30, 0x0F, 0x32, 0x89, 0xC6,
                                    0xB8, 0x01, 0x00, 0x00, 0x80, 0x0F, 0xA2, HLT};
        uc_mem_map(uc, 0x1000, 0x1000, UC_PROT_ALL);
        uc_mem_write(uc, 0x1000, c, sizeof(c));
        assert_int_equal(uc_emu_start(uc, 0x1000, 0, 0, 0), UC_ERR_OK);
        assert_int_equal(get(uc, UC_X86_REG_RSI) & (1u << 11), 0);
        assert_int_equal(get(uc, UC_X86_REG_RDX) & (1u << 20), 0);
        uc_close(uc);
    }
}

static uint64_t io_rip[4];
static unsigned io_n;

static void on_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *user)
{
    (void)port;
    (void)size;
    (void)value;
    (void)user;
    io_rip[io_n++ & 3] = get(uc, UC_X86_REG_RIP);
}

static int on_cpuid(uc_engine *uc, void *user)
{
    (void)user;
    io_rip[io_n++ & 3] = get(uc, UC_X86_REG_RIP);
    return 0;
}

static void stale_rip_in_io_hooks(void **state)
{
    (void)state;
    uc_engine *uc;
    assert_int_equal(uc_open(UC_ARCH_X86, UC_MODE_64, &uc), UC_ERR_OK);
    /* nop; nop; out 0x80, al; cpuid; hlt */
    static const uint8_t c[] = {0x90, 0x90, 0xE6, 0x80, 0x0F, 0xA2, HLT};
    uc_mem_map(uc, 0x1000, 0x1000, UC_PROT_ALL);
    uc_mem_write(uc, 0x1000, c, sizeof(c));
    uc_hook h1, h2;
    uc_hook_add(uc, &h1, UC_HOOK_INSN, (void *)on_out, NULL, 1, 0, UC_X86_INS_OUT);
    uc_hook_add(uc, &h2, UC_HOOK_INSN, (void *)on_cpuid, NULL, 1, 0, UC_X86_INS_CPUID);
    io_n = 0;
    assert_int_equal(uc_emu_start(uc, 0x1000, 0, 0, 0), UC_ERR_OK);
    assert_int_equal(io_n, 2);
    assert_int_equal(io_rip[0], 0x1000); /* the OUT is at 0x1002: stale */
    assert_int_equal(io_rip[1], 0x1004); /* CPUID syncs RIP */
    uc_close(uc);
}

static void stores_take_the_slow_path(void **state)
{
    (void)state;
    uc_engine *uc;
    assert_int_equal(uc_open(UC_ARCH_X86, UC_MODE_64, &uc), UC_ERR_OK);
    uc_mem_map(uc, 0x1000, 0x1000, UC_PROT_ALL);
    uc_mem_map(uc, 0x200000, 0x1000, UC_PROT_READ | UC_PROT_WRITE);
    /* mov ecx, 1000; mov rbx, 0x200000; loop: mov [rbx], rcx; mov rax, [rbx + 8];
     * dec ecx; jnz loop; hlt */
    static const uint8_t c[] = {0xB9, 0xE8, 0x03, 0x00, 0x00, 0x48, 0xC7, 0xC3,
                                0x00, 0x00, 0x20, 0x00, 0x48, 0x89, 0x0B, 0x48,
                                0x8B, 0x43, 0x08, 0xFF, 0xC9, 0x75, 0xF5, HLT};
    uc_mem_write(uc, 0x1000, c, sizeof(c));
    collections = 0;
    assert_int_equal(uc_emu_start(uc, 0x1000, 0, 0, 0), UC_ERR_OK);
    /* One page collection per store (and none for the 1000 loads). */
    assert_true(collections >= 1000 && collections < 1100);
    uc_close(uc);
}

static void exceptions_never_delivered(void **state)
{
    (void)state;
    struct raw r;
    paging(&r);
    r.fix = true;
    /* Three loads from three pages that are not present. */
    static const uint8_t c[] = {0x8A, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, 0x8A, 0x04, 0x25, 0x00,
                                0x10, 0x20, 0x00, 0x8A, 0x04, 0x25, 0x00, 0x20, 0x20, 0x00, HLT};
    *pte(&r, 0x200000) = 0x200000;
    *pte(&r, 0x201000) = 0x201000;
    *pte(&r, 0x202000) = 0x202000;
    assert_int_equal(run(&r, c, sizeof(c)), UC_ERR_OK);
    /* The second #PF arrives as #DF; the third never arrives: the CPU
     * stopped (a "triple fault") at the third load. */
    assert_int_equal(r.nint, 2);
    assert_int_equal(r.intno[0], 14);
    assert_int_equal(r.intno[1], 8);
    assert_int_equal(r.cr2[1], 0x201000);
    assert_int_equal(get(r.uc, UC_X86_REG_RIP), 0x1000 + 14);
    raw_close(&r);
}

static void until_minus_one(void **state)
{
    (void)state;
    struct raw r;
    paging(&r);
    r.fix = true;
    static const uint8_t nop[] = {0x90, HLT};
    /* until = 0x301000, not present: at the end of the run Unicorn drops
     * the translation of until - 1 through the MMU; that page fault is
     * swallowed, but the CPU remembers it. (until = 0 is skipped.) */
    assert_int_equal(uc_mem_write(r.uc, 0x1F00, nop, sizeof(nop)), UC_ERR_OK);
    assert_int_equal(uc_emu_start(r.uc, 0x1F00, 0x301000, 0, 0), UC_ERR_OK);
    assert_int_equal(r.nint, 0);
    *pte(&r, 0x200000) = 0x200000;
    static const uint8_t ld[] = {0x8A, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, HLT};
    assert_int_equal(run(&r, ld, sizeof(ld)), UC_ERR_OK);
    assert_int_equal(r.nint, 1);
    assert_int_equal(r.intno[0], 8); /* the first page fault we see is a #DF */
    raw_close(&r);
}

static void tlb_not_flushed_by_cr3_write(void **state)
{
    (void)state;
    struct raw r;
    paging(&r);
    *pte(&r, 0x200000) = 0x200000 | 3;
    static const uint8_t ld[] = {0x8A, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, HLT};
    assert_int_equal(run(&r, ld, sizeof(ld)), UC_ERR_OK);
    /* Not present any more; uc_reg_write(CR3) does not flush the TLB, and
     * neither does uc_ctl_flush_tlb() (a translation-block flush). */
    *pte(&r, 0x200000) = 0;
    put(r.uc, UC_X86_REG_CR3, TABLES);
    uc_ctl_flush_tlb(r.uc);
    assert_int_equal(run(&r, ld, sizeof(ld)), UC_ERR_OK);
    assert_int_equal(r.nint, 0);
    /* MOV CR3 executed by the guest does: movabs rax, TABLES; mov cr3, rax; the load. */
    static const uint8_t movabs[] = {0x48, 0xB8, 0x00, 0x00, 0x00, 0xC0, 0xFF,
                                     0x00, 0x00, 0x00, 0x0F, 0x22, 0xD8, 0x8A,
                                     0x04, 0x25, 0x00, 0x00, 0x20, 0x00, HLT};
    assert_int_equal(run(&r, movabs, sizeof(movabs)), UC_ERR_OK);
    assert_int_equal(r.nint, 1);
    assert_int_equal(r.intno[0], 14);
    raw_close(&r);
}

static void mem_write_keeps_old_code(void **state)
{
    (void)state;
    uc_engine *uc;
    assert_int_equal(uc_open(UC_ARCH_X86, UC_MODE_64, &uc), UC_ERR_OK);
    uc_mem_map(uc, 0x1000, 0x1000, UC_PROT_ALL);
    uint8_t c[] = {0xB0, 0x01, HLT}; /* mov al, 1; hlt */
    uc_mem_write(uc, 0x1000, c, sizeof(c));
    assert_int_equal(uc_emu_start(uc, 0x1000, 0, 0, 0), UC_ERR_OK);
    assert_int_equal(get(uc, UC_X86_REG_RAX) & 0xFF, 1);
    c[1] = 2;
    uc_mem_write(uc, 0x1000, c, sizeof(c));
    assert_int_equal(uc_emu_start(uc, 0x1000, 0, 0, 0), UC_ERR_OK);
    assert_int_equal(get(uc, UC_X86_REG_RAX) & 0xFF, 1); /* the old translation ran */
    uc_ctl_remove_cache(uc, 0x1000, 0x1001);
    assert_int_equal(uc_emu_start(uc, 0x1000, 0, 0, 0), UC_ERR_OK);
    assert_int_equal(get(uc, UC_X86_REG_RAX) & 0xFF, 2);
    uc_close(uc);
}

static uint32_t hook_size;
static void on_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    (void)uc;
    (void)addr;
    (void)user;
    hook_size = size;
}

static void invalid_insn_size(void **state)
{
    (void)state;
    uc_engine *uc;
    assert_int_equal(uc_open(UC_ARCH_X86, UC_MODE_64, &uc), UC_ERR_OK);
    static const uint8_t c[] = {0xF2, 0x0F, 0x01, 0xFF}; /* PVALIDATE */
    uc_mem_map(uc, 0x1000, 0x1000, UC_PROT_ALL);
    uc_mem_write(uc, 0x1000, c, sizeof(c));
    uc_hook h;
    uc_hook_add(uc, &h, UC_HOOK_CODE, (void *)on_code, NULL, 1, 0);
    assert_int_equal(uc_emu_start(uc, 0x1000, 0, 0, 0), UC_ERR_INSN_INVALID);
    assert_int_equal(get(uc, UC_X86_REG_RIP), 0x1000);
    /* The code hook's size is a placeholder for instructions Unicorn
     * does not know: the backend decodes SEV's instructions itself. */
    assert_int_equal(hook_size, 0xF1F1F1F1u);
    uc_close(uc);
}

/* Defect 10: uc_emu_stop in a block hook, with any code hook installed
 * (here one on an address never executed), stops before the block but
 * leaves RIP at the next block: resuming there skips the block. Without a
 * code hook RIP is right; setting RIP to the block's address (what the
 * backend does) is right in both cases. */
static int blk_n, blk_stop_at;
static uint64_t blk_addr;

static void on_block_stop(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    (void)size;
    (void)user;
    if (++blk_n == blk_stop_at) {
        blk_addr = addr;
        uc_emu_stop(uc);
    }
}

static void on_code_nothing(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    (void)uc;
    (void)addr;
    (void)size;
    (void)user;
}

/* A loop whose result depends on every block running exactly once:
 * mov ecx, 300; l: add rax, rcx; imul rax, rax, 3; test cl, 1; jz m;
 * xor rax, 0x55; m: dec ecx; jnz l; hlt */
static uint64_t stopped_loop(int stop_at, bool code_hook, bool fix_rip)
{
    static const uint8_t c[] = {0xB9, 0x2C, 0x01, 0x00, 0x00, 0x48, 0x01, 0xC8, 0x48,
                                0x6B, 0xC0, 0x03, 0xF6, 0xC1, 0x01, 0x74, 0x04, 0x48,
                                0x83, 0xF0, 0x55, 0xFF, 0xC9, 0x75, 0xEC, HLT};
    const uint64_t end = 0x1000 + sizeof(c) - 1;
    uc_engine *uc;
    assert_int_equal(uc_open(UC_ARCH_X86, UC_MODE_64, &uc), UC_ERR_OK);
    uc_mem_map(uc, 0x1000, 0x1000, UC_PROT_ALL);
    uc_mem_write(uc, 0x1000, c, sizeof(c));
    uc_hook hb, hc;
    uc_hook_add(uc, &hb, UC_HOOK_BLOCK, (void *)on_block_stop, NULL, 1, 0);
    if (code_hook)
        uc_hook_add(uc, &hc, UC_HOOK_CODE, (void *)on_code_nothing, NULL, 0x1800, 0x1800);
    blk_n = 0;
    blk_stop_at = stop_at;
    assert_int_equal(uc_emu_start(uc, 0x1000, end, 0, 0), UC_ERR_OK);
    uint64_t rip = get(uc, UC_X86_REG_RIP);
    if (rip != end) {
        if (fix_rip)
            put(uc, UC_X86_REG_RIP, rip = blk_addr);
        blk_stop_at = 0;
        assert_int_equal(uc_emu_start(uc, rip, end, 0, 0), UC_ERR_OK);
    }
    uint64_t rax = get(uc, UC_X86_REG_RAX);
    uc_close(uc);
    return rax;
}

static void block_hook_stop_rip(void **state)
{
    (void)state;
    uint64_t truth = stopped_loop(0, true, false);
    unsigned wrong = 0, wrong_fixed = 0, wrong_no_hook = 0;
    for (int n = 1; n < 700; n++) {
        wrong += stopped_loop(n, true, false) != truth;
        wrong_fixed += stopped_loop(n, true, true) != truth;
        wrong_no_hook += stopped_loop(n, false, false) != truth;
    }
    assert_true(wrong > 100); /* the defect: 446 of 699 on 2.0.1 */
    assert_int_equal(wrong_fixed, 0);
    assert_int_equal(wrong_no_hook, 0);
}

static int only_201(void **state)
{
    (void)state;
    unsigned major, minor;
    uc_version(&major, &minor);
    if (UC_VERSION_MAJOR != 2 || UC_VERSION_MINOR != 0 || UC_VERSION_PATCH != 1 || major != 2 ||
        minor != 0) {
        print_message("these tests document Unicorn 2.0.1\n");
        skip();
    }
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(va_lookup, only_201),
        cmocka_unit_test_setup(efer_nxe, only_201),
        cmocka_unit_test_setup(stale_rip_in_io_hooks, only_201),
        cmocka_unit_test_setup(stores_take_the_slow_path, only_201),
        cmocka_unit_test_setup(exceptions_never_delivered, only_201),
        cmocka_unit_test_setup(until_minus_one, only_201),
        cmocka_unit_test_setup(tlb_not_flushed_by_cr3_write, only_201),
        cmocka_unit_test_setup(mem_write_keeps_old_code, only_201),
        cmocka_unit_test_setup(invalid_insn_size, only_201),
        cmocka_unit_test_setup(block_hook_stop_rip, only_201),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
