/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The backend's workarounds for Unicorn 2.0.1's defects hold (uc_raw.c
 * shows the defects themselves; docs/unicorn.md explains both):
 *  - memory looked up by virtual address / the walk's identity mapping: a
 *    model whose translation is not the identity is what the guest sees;
 *  - EFER.NXE: kept by the backend, RDMSR EFER is the model's, NX checked
 *    by the model (uc_memory.c: fetch_checked);
 *  - stale RIP in IN/OUT hooks: I/O events carry the exact RIP;
 *  - slow stores: the page-collection fast path is in place;
 *  - exceptions never delivered, and the swallowed fault of 'until': page
 *    after page fills in one run, runs after runs, and the CPU's error code
 *    is readable;
 *  - and with all of them, many more faults than 2.0.1 tolerates.
 */
#include <string.h>

#include "uc_testmem.h"

#define HLT 0xF4

static struct ut t;

/* VA 0x600000-0x600FFF is flat offset 0x200000 (else identity). */
static uint64_t shift(uint64_t gva)
{
    return gva >> 12 == 0x600 ? gva - 0x400000 : gva;
}

static int sh_read(void *ctx, uint64_t gva, void *buf, size_t len, enum hw_access acc,
                   struct hw_fault *f)
{
    return t.mem.read(ctx, shift(gva), buf, len, acc, f);
}

static int sh_write(void *ctx, uint64_t gva, const void *buf, size_t len, struct hw_fault *f)
{
    return t.mem.write(ctx, shift(gva), buf, len, f);
}

static void translation_not_identity(void **state)
{
    (void)state;
    ut_destroy(t.v);
    struct uc_vcpu_mem mem = t.mem;
    mem.read = sh_read;
    mem.write = sh_write;
    assert_int_equal(ut_create(&t.v, &mem, NULL), 0);
    ut_set_rip(&t, UT_CODE);
    uint64_t v = 0x1234;
    ut_code(&t, 0x200000, &v, 8);
    /* mov rax, [0x600000]; mov qword [0x600008], 0x77; out 0x80, al; hlt */
    static const uint8_t c[] = {0x48, 0x8B, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00,
                                0x48, 0xC7, 0x04, 0x25, 0x08, 0x00, 0x60, 0x00,
                                0x77, 0x00, 0x00, 0x00, 0xE6, 0x80, HLT};
    ut_code(&t, UT_CODE, c, sizeof(c));
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_IO);
    assert_int_equal(ut_reg(&t, UT_RAX), 0x1234);
    assert_int_equal(uc_flatmem_read(&t.fm, 0x200008, &v, 8), 0);
    assert_int_equal(v, 0x77);
    assert_int_equal(uc_flatmem_read(&t.fm, 0x600008, &v, 8), 0);
    assert_int_equal(v, 0);
}

static void efer_is_the_models(void **state)
{
    (void)state;
    struct vcpu_sregs s;
    assert_int_equal(uc_vcpu_get_sregs(t.v, &s), 0);
    s.efer |= X86_EFER_NXE | 1; /* and SCE */
    assert_int_equal(uc_vcpu_set_sregs(t.v, &s), 0);
    assert_int_equal(uc_vcpu_get_sregs(t.v, &s), 0);
    assert_int_equal(s.efer & (X86_EFER_NXE | 1), X86_EFER_NXE | 1);
    /* mov ecx, EFER; rdmsr; hlt: the model answers, not Unicorn. */
    static const uint8_t c[] = {0xB9, 0x80, 0x00, 0x00, 0xC0, 0x0F, 0x32, HLT};
    ut_code(&t, UT_CODE, c, sizeof(c));
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_RDMSR);
    struct uc_vcpu_result res = {.set = UC_RES_RAX | UC_RES_RDX, .rax = s.efer};
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    assert_int_equal(ut_reg(&t, UT_RAX), s.efer);
}

static void exact_rip_for_io(void **state)
{
    (void)state;
    /* nop; nop; out 0x80, al (Unicorn's OUT hook would say 0x1000) */
    static const uint8_t c[] = {0x90, 0x90, 0xE6, 0x80, HLT};
    ut_code(&t, UT_CODE, c, sizeof(c));
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_IO);
    assert_int_equal(ut_reg(&t, UT_RIP), UT_CODE + 2);
    assert_int_equal(ev.insn_len, 2);
}

static void store_fast_path(void **state)
{
    (void)state;
    unsigned q = uc_vcpu_quirks(t.v);
    if (!strcmp(uc_vcpu_unicorn_version(), "2.0.1"))
        assert_true(q & UC_QUIRK_STORE_FASTPATH);
    /* 1000 stores land, with the fast path in place. */
    static const uint8_t c[] = {0xB9, 0xE8, 0x03, 0x00, 0x00, 0x48, 0xC7, 0xC3, 0x00, 0x00, 0x20,
                                0x00, 0x48, 0x89, 0x0C, 0xCB, 0xFF, 0xC9, 0x75, 0xF8, HLT};
    /* mov ecx, 1000; mov rbx, 0x200000; loop: mov [rbx + rcx*8], rcx; dec ecx; jnz loop */
    ut_code(&t, UT_CODE, c, sizeof(c));
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_HLT);
    for (uint64_t i = 1; i <= 1000; i++) {
        uint64_t v;
        assert_int_equal(uc_flatmem_read(&t.fm, 0x200000 + 8 * i, &v, 8), 0);
        assert_int_equal(v, i);
    }
}

static void many_faults_in_one_run(void **state)
{
    (void)state;
    unsigned q = uc_vcpu_quirks(t.v);
    assert_true(q & UC_QUIRK_OLD_EXCEPTION);
    assert_true(q & UC_QUIRK_ERROR_CODE);
    /* mov ecx, 300; mov rbx, 0x300000; loop: mov [rbx], ecx; add rbx, 4096;
     * dec ecx; jnz loop; hlt - 300 fills and 300 write upgrades in one run,
     * where Unicorn alone stops at the third fault. */
    static const uint8_t c[] = {0xB9, 0x2C, 0x01, 0x00, 0x00, 0x48, 0xC7, 0xC3, 0x00,
                                0x00, 0x30, 0x00, 0x89, 0x0B, 0x48, 0x81, 0xC3, 0x00,
                                0x10, 0x00, 0x00, 0xFF, 0xC9, 0x75, 0xF3, HLT};
    ut_code(&t, UT_CODE, c, sizeof(c));
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_HLT);
    struct uc_vcpu_stats st;
    uc_vcpu_get_stats(t.v, &st);
    assert_true(st.fills >= 300);
    assert_true(st.upgrades >= 300);
    uint32_t v;
    assert_int_equal(uc_flatmem_read(&t.fm, 0x300000 + 299 * 4096, &v, 4), 0);
    assert_int_equal(v, 1);
}

static void faults_across_runs(void **state)
{
    (void)state;
    /* loop: mov [rbx], al; add rbx, 4096; out 0x80, al; jmp loop - each run
     * fills a page, ends with an event, and the next run starts again. */
    static const uint8_t c[] = {0x88, 0x03, 0x48, 0x81, 0xC3, 0x00, 0x10,
                                0x00, 0x00, 0xE6, 0x80, 0xEB, 0xF3};
    ut_code(&t, UT_CODE, c, sizeof(c));
    struct vcpu_regs r;
    assert_int_equal(uc_vcpu_get_regs(t.v, &r), 0);
    r.rbx = 0x400000;
    assert_int_equal(uc_vcpu_set_regs(t.v, &r), 0);
    for (int i = 0; i < 100; i++) {
        struct vcpu_event ev;
        ut_run(&t, &ev);
        assert_int_equal(ev.kind, VCPU_EV_IO);
        assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    }
    struct uc_vcpu_stats st;
    uc_vcpu_get_stats(t.v, &st);
    assert_true(st.exceptions >= 200);
}

static void error_code_of_cpu_exceptions(void **state)
{
    (void)state;
    ut_tables(&t, 0x5000, 0x6000);
    /* mov ax, 0x28; mov ds, ax - a selector past the GDT: #GP(0x28). */
    static const uint8_t c[] = {0x66, 0xB8, 0x28, 0x00, 0x8E, 0xD8, HLT};
    ut_code(&t, UT_CODE, c, sizeof(c));
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_FAULT);
    assert_int_equal(ev.fault.vector, HW_VECTOR_GP);
    assert_int_equal(ev.fault.error_code, 0x28);
    assert_int_equal(ut_reg(&t, UT_RIP), UT_CODE + 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UT_TEST(translation_not_identity, &t),
        UT_TEST(efer_is_the_models, &t),
        UT_TEST(exact_rip_for_io, &t),
        UT_TEST(store_fast_path, &t),
        UT_TEST(many_faults_in_one_run, &t),
        UT_TEST(faults_across_runs, &t),
        UT_TEST(error_code_of_cpu_exceptions, &t),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
