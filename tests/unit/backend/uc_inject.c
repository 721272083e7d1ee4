/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exceptions: uc_vcpu_inject() delivers through the guest's IDT as a
 * long-mode CPU does (frame, error code, IST stack, IF cleared), the guest
 * handler returns with IRETQ; faults the model reports are precise (RIP on
 * the instruction, nothing changed), so the model can inject #PF and the
 * guest can retry.
 */
#include <string.h>

#include "uc_testmem.h"

#define GDT     0x5000ull
#define IDT     0x6000ull
#define OUT     0x7000ull /* what the handlers record */
#define HANDLER 0x2000ull
#define TSS     0x8000ull
#define IST1    0x90000ull
#define HLT     0xF4

static struct ut t;

static int setup(void **state)
{
    (void)state;
    ut_init(&t, NULL);
    ut_tables(&t, GDT, IDT);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ut_fini(&t);
    return 0;
}

static uint64_t peek(uint64_t gva)
{
    uint64_t v;
    assert_int_equal(uc_flatmem_read(&t.fm, gva, &v, 8), 0);
    return v;
}

static void set(size_t off, uint64_t val)
{
    struct vcpu_regs r;
    assert_int_equal(uc_vcpu_get_regs(t.v, &r), 0);
    memcpy((uint8_t *)&r + off, &val, 8);
    assert_int_equal(uc_vcpu_set_regs(t.v, &r), 0);
}

/* A handler with an error code: record it, the return RIP, RSP, RFLAGS
 * and CR2; step over `skip` bytes of the interrupted instruction; IRETQ. */
static void handler(uint8_t skip)
{
    const uint8_t h[] = {
        0x58,                                     /* pop rax (error code) */
        0x48, 0x89, 0x04, 0x25, 0x00, 0x70, 0, 0, /* mov [OUT], rax */
        0x48, 0x8B, 0x04, 0x24,                   /* mov rax, [rsp] (RIP) */
        0x48, 0x89, 0x04, 0x25, 0x08, 0x70, 0, 0, /* mov [OUT+8], rax */
        0x48, 0x89, 0x24, 0x25, 0x10, 0x70, 0, 0, /* mov [OUT+16], rsp */
        0x48, 0x8B, 0x44, 0x24, 0x10,             /* mov rax, [rsp+16] (RFLAGS) */
        0x48, 0x89, 0x04, 0x25, 0x18, 0x70, 0, 0, /* mov [OUT+24], rax */
        0x0F, 0x20, 0xD0,                         /* mov rax, cr2 */
        0x48, 0x89, 0x04, 0x25, 0x20, 0x70, 0, 0, /* mov [OUT+32], rax */
        0x48, 0x83, 0x04, 0x24, skip,             /* add qword [rsp], skip */
        0x48, 0xCF,                               /* iretq */
    };
    ut_code(&t, HANDLER, h, sizeof(h));
}

static void vc_round_trip(void **state)
{
    (void)state;
    handler(2);
    ut_gate(&t, IDT, HW_VECTOR_VC, HANDLER, 0);
    static const uint8_t c[] = {0x90, 0xFB, 0x0F, 0xA2, HLT}; /* nop; sti; cpuid; hlt */
    ut_code(&t, UT_CODE, c, sizeof(c));
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_CPUID);
    assert_int_equal(ut_reg(&t, UT_RIP), UT_CODE + 2);
    uint64_t rflags = ut_reg(&t, UT_RFLAGS);
    assert_true(rflags & (1u << 9));
    /* The model decides #VC: the frame's RIP is the CPUID itself. */
    assert_int_equal(uc_vcpu_inject(t.v, HW_VECTOR_VC, 0x72), 0);
    assert_int_equal(ut_reg(&t, UT_RIP), HANDLER);
    assert_false(ut_reg(&t, UT_RFLAGS) & (1u << 9)); /* interrupt gate: IF clear */
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_HLT);
    assert_int_equal(ut_reg(&t, UT_RIP), UT_CODE + 4);
    assert_int_equal(peek(OUT), 0x72);
    assert_int_equal(peek(OUT + 8), UT_CODE + 2);
    /* RSP was aligned to 16 and six qwords pushed; the handler popped one. */
    assert_int_equal(peek(OUT + 16), UT_STACK - 48 + 8);
    assert_int_equal(peek(OUT + 24), rflags);
    /* IRETQ restored RSP and RFLAGS. */
    assert_int_equal(ut_reg(&t, UT_RSP), UT_STACK);
    assert_int_equal(ut_reg(&t, UT_RFLAGS), rflags);
}

static void ist_stack(void **state)
{
    (void)state;
    handler(0);
    ut_gate(&t, IDT, 13, HANDLER, 1);
    uint64_t ist1 = IST1;
    ut_code(&t, TSS + 0x24, &ist1, 8);
    struct vcpu_sregs s;
    assert_int_equal(uc_vcpu_get_sregs(t.v, &s), 0);
    s.tr.base = TSS;
    s.tr.limit = 0x67;
    s.tr.selector = 0x18;
    s.tr.attrib = 0x8B;
    assert_int_equal(uc_vcpu_set_sregs(t.v, &s), 0);
    static const uint8_t c[] = {0x90, HLT};
    ut_code(&t, UT_CODE, c, sizeof(c));
    assert_int_equal(uc_vcpu_inject(t.v, 13, 0x18), 0);
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_HLT);
    assert_int_equal(peek(OUT), 0x18);
    assert_int_equal(peek(OUT + 16), IST1 - 48 + 8);
    assert_int_equal(ut_reg(&t, UT_RSP), UT_STACK);
}

/* Page 0x30000 is not mapped until `mapped`; its first write faults. */
static bool mapped, ro;
static int pf_check(struct uc_flatmem *fm, uint64_t gva, size_t len, enum hw_access acc,
                    struct hw_fault *f)
{
    (void)fm;
    (void)len;
    uint64_t stack_page = (UT_STACK - 8) >> 12;
    if (gva >> 12 != 0x30 && gva >> 12 != stack_page)
        return 0;
    bool deny = gva >> 12 == 0x30 ? !mapped : (ro && acc == HW_ACC_WRITE);
    if (!deny)
        return 0;
    memset(f, 0, sizeof(*f));
    f->kind = HW_FAULT_PF;
    f->vector = HW_VECTOR_PF;
    f->error_code = (acc == HW_ACC_WRITE ? PFERR_WRITE : 0) | (mapped ? PFERR_PRESENT : 0);
    f->addr = gva;
    return UC_VCPU_MEM_FAULT;
}

static void page_fault_retry(void **state)
{
    (void)state;
    handler(0);
    ut_gate(&t, IDT, HW_VECTOR_PF, HANDLER, 0);
    uint64_t val = 0x5151;
    ut_code(&t, 0x30008, &val, 8);
    t.fm.check = pf_check;
    mapped = false;
    /* mov rcx, 7; mov rax, [0x30008]; hlt */
    static const uint8_t c[] = {0x48, 0xC7, 0xC1, 7,    0,    0,    0,    0x48,
                                0x8B, 0x04, 0x25, 0x08, 0x00, 0x03, 0x00, HLT};
    set(UT_RAX, 0xDEAD);
    ut_code(&t, UT_CODE, c, sizeof(c));
    struct vcpu_event ev;
    ut_run(&t, &ev);
    /* Precise: RIP on the load, RAX untouched, the MOV before it done. */
    assert_int_equal(ev.kind, VCPU_EV_FAULT);
    assert_int_equal(ev.fault.kind, HW_FAULT_PF);
    assert_int_equal(ev.fault.addr, 0x30000);
    assert_int_equal(ut_reg(&t, UT_RIP), UT_CODE + 7);
    assert_int_equal(ut_reg(&t, UT_RAX), 0xDEAD);
    assert_int_equal(ut_reg(&t, UT_RCX), 7);
    /* The model "maps" the page and injects #PF; the handler returns to
     * the load, which now succeeds. */
    mapped = true;
    assert_int_equal(uc_vcpu_set_cr2(t.v, 0x30008), 0);
    assert_int_equal(uc_vcpu_inject(t.v, HW_VECTOR_PF, ev.fault.error_code), 0);
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_HLT);
    assert_int_equal(ut_reg(&t, UT_RAX), 0x5151);
    assert_int_equal(peek(OUT), 0);
    assert_int_equal(peek(OUT + 8), UT_CODE + 7);
    assert_int_equal(peek(OUT + 32), 0x30008);
    t.fm.check = NULL;
}

static void precise_store_fault(void **state)
{
    (void)state;
    /* The stack page refuses writes: PUSH faults with RSP unchanged. */
    static const uint8_t c[] = {0x50, HLT}; /* push rax; hlt */
    ut_code(&t, UT_CODE, c, sizeof(c));
    t.fm.check = pf_check;
    mapped = true;
    ro = true;
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_FAULT);
    assert_int_equal(ev.fault.kind, HW_FAULT_PF);
    assert_true(ev.fault.error_code & PFERR_WRITE);
    assert_int_equal(ut_reg(&t, UT_RIP), UT_CODE);
    assert_int_equal(ut_reg(&t, UT_RSP), UT_STACK);
    ro = false;
    set(UT_RAX, 0x4242);
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_HLT);
    assert_int_equal(ut_reg(&t, UT_RSP), UT_STACK - 8);
    assert_int_equal(peek(UT_STACK - 8), 0x4242);
    t.fm.check = NULL;
}

static void delivered_by_backend(void **state)
{
    (void)state;
    ut_fini(&t);
    struct uc_vcpu_config cfg = {.flags = UC_VCPU_F_DELIVER_EXCEPTIONS};
    ut_init(&t, &cfg);
    ut_tables(&t, GDT, IDT);
    /* #UD handler without error code: step over the UD2. */
    static const uint8_t h[] = {0x48, 0x83, 0x04, 0x24, 0x02, 0x48, 0xCF};
    ut_code(&t, HANDLER, h, sizeof(h));
    ut_gate(&t, IDT, 6, HANDLER, 0);
    static const uint8_t c[] = {0x0F, 0x0B, HLT};
    ut_code(&t, UT_CODE, c, sizeof(c));
    struct vcpu_event ev;
    ut_run(&t, &ev);
    assert_int_equal(ev.kind, VCPU_EV_HLT);
    assert_int_equal(ut_reg(&t, UT_RIP), UT_CODE + 2);
}

static void delivery_faults(void **state)
{
    (void)state;
    struct hw_fault f;
    assert_int_equal(uc_vcpu_inject(t.v, 256, 0), -22);
    /* No gate for vector 40: #NP with the IDT selector. */
    assert_int_equal(uc_vcpu_inject_f(t.v, 40, 0, &f), -14);
    assert_int_equal(f.vector, 11);
    assert_int_equal(f.error_code, 40 * 8 + 2);
    /* Beyond the IDT limit: #GP. */
    struct vcpu_sregs s;
    assert_int_equal(uc_vcpu_get_sregs(t.v, &s), 0);
    s.idtr_limit = 16 * 10 - 1;
    assert_int_equal(uc_vcpu_set_sregs(t.v, &s), 0);
    assert_int_equal(uc_vcpu_inject_f(t.v, 10, 0, &f), -14);
    assert_int_equal(f.vector, HW_VECTOR_GP);
    assert_int_equal(f.error_code, 10 * 8 + 2);
    assert_int_equal(ut_reg(&t, UT_RIP), UT_CODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(vc_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(ist_stack, setup, teardown),
        cmocka_unit_test_setup_teardown(page_fault_retry, setup, teardown),
        cmocka_unit_test_setup_teardown(precise_store_fault, setup, teardown),
        cmocka_unit_test_setup_teardown(delivered_by_backend, setup, teardown),
        cmocka_unit_test_setup_teardown(delivery_faults, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
