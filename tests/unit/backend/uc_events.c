/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Events of the Unicorn backend, one instruction at a time: the kind, RIP on
 * the instruction, its length, the operands where the model finds them
 * (CPUID leaf in RAX/RCX, port/size/direction, MSR number, PVALIDATE's
 * RAX/RCX/RDX), and what uc_vcpu_complete() writes back. Also the
 * instructions the backend keeps to itself (MOV CR, INVLPG), exceptions,
 * MMIO, and the quantum.
 */
#include <string.h>

#include "uc_testmem.h"

#define HLT 0xF4

static struct ut t;

static void set(size_t off, uint64_t val)
{
    struct vcpu_regs r;
    assert_int_equal(uc_vcpu_get_regs(t.v, &r), 0);
    memcpy((uint8_t *)&r + off, &val, 8);
    assert_int_equal(uc_vcpu_set_regs(t.v, &r), 0);
}

/* Put code at UT_CODE and run to the first event. */
static struct vcpu_event go(const uint8_t *code, size_t n)
{
    ut_code(&t, UT_CODE, code, n);
    ut_set_rip(&t, UT_CODE);
    struct vcpu_event ev;
    ut_run(&t, &ev);
    return ev;
}

static struct vcpu_event next(void)
{
    struct vcpu_event ev;
    ut_run(&t, &ev);
    return ev;
}

static void expect(const struct vcpu_event *ev, enum vcpu_event_kind kind, uint64_t rip,
                   unsigned len)
{
    assert_int_equal(ev->kind, kind);
    assert_int_equal(ut_reg(&t, UT_RIP), rip);
    assert_int_equal(ev->insn_len, len);
}

static void cpuid(void **state)
{
    (void)state;
    /* mov eax, 0x80000001; mov ecx, 5; cpuid; hlt */
    static const uint8_t c[] = {0xB8, 0x01, 0x00, 0x00, 0x80, 0xB9, 5, 0, 0, 0, 0x0F, 0xA2, HLT};
    struct vcpu_event ev = go(c, sizeof(c));
    expect(&ev, VCPU_EV_CPUID, UT_CODE + 10, 2);
    assert_int_equal(ut_reg(&t, UT_RAX), 0x80000001u);
    assert_int_equal(ut_reg(&t, UT_RCX), 5);
    struct uc_vcpu_result res = {.set = UC_RES_RAX | UC_RES_RBX | UC_RES_RCX | UC_RES_RDX,
                                 .rax = 1,
                                 .rbx = 2,
                                 .rcx = 3,
                                 .rdx = 4};
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    assert_int_equal(ut_reg(&t, UT_RBX), 2);
    assert_int_equal(ut_reg(&t, UT_RDX), 4);
    ev = next();
    expect(&ev, VCPU_EV_HLT, UT_CODE + 12, 1);
    /* Completing twice is refused. */
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    assert_int_equal(uc_vcpu_complete(t.v, NULL), -22);
}

static void cpuid_rex(void **state)
{
    (void)state;
    static const uint8_t c[] = {0x48, 0x0F, 0xA2, HLT}; /* REX.W CPUID */
    struct vcpu_event ev = go(c, sizeof(c));
    expect(&ev, VCPU_EV_CPUID, UT_CODE, 3);
}

static void io_port_forms(void **state)
{
    (void)state;
    /* in al, 0x60 | mov dx, 0x3F8; out dx, al | in ax, dx | in eax, dx |
     * out 0x80, ax | in eax, 0x71 */
    static const uint8_t c[] = {0xE4, 0x60, 0x66, 0xBA, 0xF8, 0x03, 0xEE, 0x66,
                                0xED, 0xED, 0x66, 0xE7, 0x80, 0xE5, 0x71, HLT};
    set(UT_RAX, 0xFFFFFFFFFFFFFF41ull);
    struct vcpu_event ev = go(c, sizeof(c));
    expect(&ev, VCPU_EV_IO, UT_CODE, 2);
    assert_int_equal(ev.io.port, 0x60);
    assert_int_equal(ev.io.size, 1);
    assert_true(ev.io.in);
    assert_int_equal(ev.io.count, 1);
    uint32_t in = 0x99;
    struct uc_vcpu_result res = {.data = &in, .len = 4};
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    /* IN AL keeps the rest of RAX. */
    assert_int_equal(ut_reg(&t, UT_RAX), 0xFFFFFFFFFFFFFF99ull);

    ev = next();
    expect(&ev, VCPU_EV_IO, UT_CODE + 6, 1);
    assert_int_equal(ev.io.port, 0x3F8);
    assert_false(ev.io.in);
    size_t len;
    const uint8_t *d = uc_vcpu_io_data(t.v, &len);
    assert_int_equal(len, 1);
    assert_int_equal(d[0], 0x99);
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);

    ev = next();
    expect(&ev, VCPU_EV_IO, UT_CODE + 7, 2);
    assert_int_equal(ev.io.size, 2);
    assert_int_equal(ev.io.port, 0x3F8);
    in = 0xBEEF;
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    assert_int_equal(ut_reg(&t, UT_RAX), 0xFFFFFFFFFFFFBEEFull);

    ev = next();
    expect(&ev, VCPU_EV_IO, UT_CODE + 9, 1);
    assert_int_equal(ev.io.size, 4);
    in = 0x12345678;
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    /* A 32-bit destination zero-extends. */
    assert_int_equal(ut_reg(&t, UT_RAX), 0x12345678);

    ev = next();
    expect(&ev, VCPU_EV_IO, UT_CODE + 10, 3);
    assert_int_equal(ev.io.port, 0x80);
    assert_int_equal(ev.io.size, 2);
    assert_false(ev.io.in);
    d = uc_vcpu_io_data(t.v, &len);
    assert_int_equal(len, 2);
    assert_int_equal(d[0] | d[1] << 8, 0x5678);
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);

    ev = next();
    expect(&ev, VCPU_EV_IO, UT_CODE + 13, 2);
    assert_int_equal(ev.io.port, 0x71);
    assert_int_equal(ev.io.size, 4);
    assert_true(ev.io.in);
    /* IN without data is refused. */
    assert_int_equal(uc_vcpu_complete(t.v, NULL), -22);
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    ev = next();
    assert_int_equal(ev.kind, VCPU_EV_HLT);
}

static void io_strings(void **state)
{
    (void)state;
    /* rep outsb | rep insd | rep outsb with RCX = 0 | std; rep outsb */
    static const uint8_t c[] = {0xF3, 0x6E, 0xF3, 0x6D, 0xF3, 0x6E, 0xFD, 0xF3, 0x6E, HLT};
    ut_code(&t, 0x3000, "abcdef", 6);
    set(UT_RDX, 0x3F8);
    set(UT_RSI, 0x3000);
    set(UT_RCX, 3);
    set(UT_RDI, 0x4000);
    struct vcpu_event ev = go(c, sizeof(c));
    expect(&ev, VCPU_EV_IO, UT_CODE, 2);
    assert_int_equal(ev.io.count, 3);
    assert_false(ev.io.in);
    size_t len;
    const uint8_t *d = uc_vcpu_io_data(t.v, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(d, "abc", 3);
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    assert_int_equal(ut_reg(&t, UT_RSI), 0x3003);
    assert_int_equal(ut_reg(&t, UT_RCX), 0);

    set(UT_RCX, 2);
    ev = next();
    expect(&ev, VCPU_EV_IO, UT_CODE + 2, 2);
    assert_int_equal(ev.io.size, 4);
    assert_int_equal(ev.io.count, 2);
    assert_true(ev.io.in);
    static const uint32_t words[2] = {0x11111111, 0x22222222};
    struct uc_vcpu_result res = {.data = words, .len = 8};
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    assert_int_equal(ut_reg(&t, UT_RDI), 0x4008);
    /* The data is in guest memory (after the write-back of the next event). */

    /* RCX is 0 now: both REP OUTSB do nothing - no event - up to the HLT. */
    ev = next();
    expect(&ev, VCPU_EV_HLT, UT_CODE + 9, 1);
    uint32_t got[2];
    assert_int_equal(uc_flatmem_read(&t.fm, 0x4000, got, 8), 0);
    assert_memory_equal(got, words, 8);
}

static void io_string_backwards(void **state)
{
    (void)state;
    static const uint8_t c[] = {0xFD, 0xF3, 0x6E, HLT}; /* std; rep outsb */
    ut_code(&t, 0x3000, "abcdef", 6);
    set(UT_RDX, 0x3F8);
    set(UT_RSI, 0x3004);
    set(UT_RCX, 3);
    struct vcpu_event ev = go(c, sizeof(c));
    assert_int_equal(ev.io.count, 3);
    size_t len;
    const uint8_t *d = uc_vcpu_io_data(t.v, &len);
    assert_memory_equal(d, "edc", 3);
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    assert_int_equal(ut_reg(&t, UT_RSI), 0x3001);
}

static void msrs_and_tsc(void **state)
{
    (void)state;
    /* mov ecx, 0xC0000080; rdmsr; wrmsr; rdtsc; rdtscp; hlt */
    static const uint8_t c[] = {0xB9, 0x80, 0x00, 0x00, 0xC0, 0x0F, 0x32, 0x0F,
                                0x30, 0x0F, 0x31, 0x0F, 0x01, 0xF9, HLT};
    struct vcpu_event ev = go(c, sizeof(c));
    expect(&ev, VCPU_EV_RDMSR, UT_CODE + 5, 2);
    assert_int_equal(ut_reg(&t, UT_RCX), 0xC0000080u);
    struct uc_vcpu_result res = {.set = UC_RES_RAX | UC_RES_RDX, .rax = 0xD01, .rdx = 0};
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    ev = next();
    expect(&ev, VCPU_EV_WRMSR, UT_CODE + 7, 2);
    assert_int_equal(ut_reg(&t, UT_RAX), 0xD01);
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    ev = next();
    expect(&ev, VCPU_EV_RDTSC, UT_CODE + 9, 2);
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    ev = next();
    expect(&ev, VCPU_EV_RDTSC, UT_CODE + 11, 3); /* RDTSCP: length 3 */
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    ev = next();
    expect(&ev, VCPU_EV_HLT, UT_CODE + 14, 1);
}

static void sev_instructions(void **state)
{
    (void)state;
    /* vmmcall | rep vmmcall (VMGEXIT) | repne vmmcall | pvalidate | rmpadjust */
    static const uint8_t c[] = {0x0F, 0x01, 0xD9, 0xF3, 0x0F, 0x01, 0xD9, 0xF2, 0x0F, 0x01,
                                0xD9, 0xF2, 0x0F, 0x01, 0xFF, 0xF3, 0x0F, 0x01, 0xFE, HLT};
    struct vcpu_event ev = go(c, sizeof(c));
    expect(&ev, VCPU_EV_VMMCALL, UT_CODE, 3);
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    ev = next();
    expect(&ev, VCPU_EV_VMGEXIT, UT_CODE + 3, 4);
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    ev = next();
    expect(&ev, VCPU_EV_VMGEXIT, UT_CODE + 7, 4);
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    set(UT_RAX, 0x7000);
    set(UT_RCX, 1);
    set(UT_RDX, 1);
    ev = next();
    expect(&ev, VCPU_EV_PVALIDATE, UT_CODE + 11, 4);
    assert_int_equal(ut_reg(&t, UT_RAX), 0x7000);
    assert_int_equal(ut_reg(&t, UT_RCX), 1);
    assert_int_equal(ut_reg(&t, UT_RDX), 1);
    struct uc_vcpu_result res = {.set = UC_RES_RAX | UC_RES_CF, .rax = 0, .cf = true};
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    assert_int_equal(ut_reg(&t, UT_RAX), 0);
    assert_true(ut_reg(&t, UT_RFLAGS) & 1);
    ev = next();
    expect(&ev, VCPU_EV_RMPADJUST, UT_CODE + 15, 4);
    res = (struct uc_vcpu_result){.set = UC_RES_RAX | UC_RES_CF, .rax = 2, .cf = false};
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    assert_false(ut_reg(&t, UT_RFLAGS) & 1);
    ev = next();
    expect(&ev, VCPU_EV_HLT, UT_CODE + 19, 1);
}

/* A model that sees control-register writes and INVLPG. */
static unsigned cr_seen, cr_refuse;
static uint64_t cr_val, inv_gva;
static int write_cr(void *ctx, unsigned cr, uint64_t value, struct hw_fault *f)
{
    (void)ctx;
    if (cr_refuse) {
        f->kind = HW_FAULT_GP;
        f->vector = HW_VECTOR_GP;
        return UC_VCPU_MEM_FAULT;
    }
    cr_seen = cr;
    cr_val = value;
    return 0;
}
static void invlpg(void *ctx, uint64_t gva, bool all)
{
    (void)ctx;
    inv_gva = all ? ~0ull : gva;
}

static void control_registers(void **state)
{
    (void)state;
    ut_fini(&t);
    memset(&t, 0, sizeof(t));
    t.exit_code = -1;
    assert_int_equal(uc_flatmem_init(&t.fm, UT_BASE, UT_SIZE), 0);
    uc_flatmem_vtable(&t.fm, &t.mem);
    t.mem.write_cr = write_cr;
    t.mem.invlpg = invlpg;
    assert_int_equal(ut_create(&t.v, &t.mem, NULL), 0);
    struct vcpu_sregs s;
    assert_int_equal(uc_vcpu_get_sregs(t.v, &s), 0);
    s.cr3 = 0x123000;
    s.cr4 |= 1u << 7; /* PGE */
    s.efer |= X86_EFER_NXE;
    assert_int_equal(uc_vcpu_set_sregs(t.v, &s), 0);
    /* mov rax, cr3 | mov r8, cr4 | mov cr3, rbx | mov rcx, cr8 (REX.R) |
     * invlpg [rax + 8] | mov rdx, cr2 | hlt */
    static const uint8_t c[] = {0x0F, 0x20, 0xD8, 0x41, 0x0F, 0x20, 0xE0, 0x0F, 0x22, 0xDB, 0x44,
                                0x0F, 0x20, 0xC1, 0x0F, 0x01, 0x78, 0x08, 0x0F, 0x20, 0xD2, HLT};
    set(UT_RBX, 0x456000);
    assert_int_equal(uc_vcpu_set_cr2(t.v, 0xABC), 0);
    struct vcpu_event ev = go(c, sizeof(c));
    /* None of them is an event: the backend keeps the guest's CRs. */
    expect(&ev, VCPU_EV_HLT, UT_CODE + sizeof(c) - 1, 1);
    assert_int_equal(ut_reg(&t, UT_RAX), 0x123000);
    struct vcpu_regs r;
    assert_int_equal(uc_vcpu_get_regs(t.v, &r), 0);
    assert_int_equal(r.r8, s.cr4);
    assert_int_equal(r.rdx, 0xABC);
    assert_int_equal(cr_seen, 3);
    assert_int_equal(cr_val, 0x456000);
    assert_int_equal(inv_gva, 0x123008);
    assert_int_equal(uc_vcpu_get_sregs(t.v, &s), 0);
    assert_int_equal(s.cr3, 0x456000);
    assert_true(s.efer & X86_EFER_NXE); /* Unicorn's own EFER could not hold NXE */
    /* A refused CR write is a fault at the MOV, nothing changed. */
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);
    cr_refuse = 1;
    static const uint8_t c2[] = {0x0F, 0x22, 0xD8, HLT}; /* mov cr3, rax */
    ev = go(c2, sizeof(c2));
    cr_refuse = 0;
    expect(&ev, VCPU_EV_FAULT, UT_CODE, 0);
    assert_int_equal(ev.fault.vector, HW_VECTOR_GP);
    assert_int_equal(uc_vcpu_get_sregs(t.v, &s), 0);
    assert_int_equal(s.cr3, 0x456000);
}

static void cpu_exceptions(void **state)
{
    (void)state;
    /* ud2 */
    static const uint8_t ud[] = {0x0F, 0x0B};
    struct vcpu_event ev = go(ud, sizeof(ud));
    expect(&ev, VCPU_EV_FAULT, UT_CODE, 0);
    assert_int_equal(ev.fault.vector, 6);
    /* xor ecx, ecx; div ecx: #DE at the DIV */
    static const uint8_t de[] = {0x31, 0xC9, 0xF7, 0xF1};
    ev = go(de, sizeof(de));
    expect(&ev, VCPU_EV_FAULT, UT_CODE + 2, 0);
    assert_int_equal(ev.fault.vector, 0);
    /* int3: RIP after it, as the CPU pushes it */
    static const uint8_t bp[] = {0x90, 0xCC};
    ev = go(bp, sizeof(bp));
    expect(&ev, VCPU_EV_FAULT, UT_CODE + 2, 0);
    assert_int_equal(ev.fault.vector, 3);
    /* int 0x80 */
    static const uint8_t sw[] = {0xCD, 0x80};
    ev = go(sw, sizeof(sw));
    expect(&ev, VCPU_EV_FAULT, UT_CODE + 2, 0);
    assert_int_equal(ev.fault.vector, 0x80);
    /* A non-canonical access: #GP(0) at the load, RAX untouched. */
    static const uint8_t nc[] = {0x48, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x48, 0x8B, 0x00};
    ev = go(nc, sizeof(nc));
    expect(&ev, VCPU_EV_FAULT, UT_CODE + 10, 0);
    assert_int_equal(ev.fault.vector, HW_VECTOR_GP);
    assert_int_equal(ev.fault.kind, HW_FAULT_GP);
    assert_int_equal(ev.fault.error_code, 0);
    assert_int_equal(ut_reg(&t, UT_RAX), 0x8000000000000000ull);
}

/* Pages 0x200000-0x200FFF are a device at GPA 0xFED00000. */
static int mmio_check(struct uc_flatmem *fm, uint64_t gva, size_t len, enum hw_access acc,
                      struct hw_fault *f)
{
    (void)fm;
    (void)len;
    (void)acc;
    if (gva >> 12 != 0x200)
        return 0;
    memset(f, 0, sizeof(*f));
    f->addr = 0xFED00000ull | (gva & 0xFFF);
    return UC_VCPU_MEM_MMIO;
}

static void mmio(void **state)
{
    (void)state;
    t.fm.check = mmio_check;
    /* mov eax, [0x200010] | mov dword [0x200020], 0x11223344 | mov bx, [0x200002] | hlt */
    static const uint8_t c[] = {0x8B, 0x04, 0x25, 0x10, 0x00, 0x20, 0x00, 0xC7, 0x04,
                                0x25, 0x20, 0x00, 0x20, 0x00, 0x44, 0x33, 0x22, 0x11,
                                0x66, 0x8B, 0x1C, 0x25, 0x02, 0x00, 0x20, 0x00, HLT};
    set(UT_RAX, ~0ull);
    struct vcpu_event ev = go(c, sizeof(c));
    expect(&ev, VCPU_EV_MMIO, UT_CODE, 7);
    assert_int_equal(ev.mmio.gpa, 0xFED00010ull);
    assert_int_equal(ev.mmio.len, 4);
    assert_false(ev.mmio.write);
    /* Nothing of the instruction happened. */
    assert_int_equal(ut_reg(&t, UT_RAX), ~0ull);
    uint32_t val = 0xAABBCCDD;
    struct uc_vcpu_result res = {.data = &val, .len = 4};
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    assert_int_equal(ut_reg(&t, UT_RAX), 0xAABBCCDD);
    assert_int_equal(ut_reg(&t, UT_RIP), UT_CODE + 7);

    ev = next();
    expect(&ev, VCPU_EV_MMIO, UT_CODE + 7, 11);
    assert_int_equal(ev.mmio.gpa, 0xFED00020ull);
    assert_int_equal(ev.mmio.len, 4);
    assert_true(ev.mmio.write);
    uint32_t w;
    memcpy(&w, ev.mmio.data, 4);
    assert_int_equal(w, 0x11223344);
    assert_int_equal(uc_vcpu_complete(t.v, NULL), 0);

    ev = next();
    expect(&ev, VCPU_EV_MMIO, UT_CODE + 18, 8);
    assert_int_equal(ev.mmio.gpa, 0xFED00002ull);
    assert_int_equal(ev.mmio.len, 2);
    val = 0x7777;
    assert_int_equal(uc_vcpu_complete(t.v, &res), 0);
    assert_int_equal(ut_reg(&t, UT_RBX) & 0xFFFF, 0x7777);
    ev = next();
    assert_int_equal(ev.kind, VCPU_EV_HLT);
    t.fm.check = NULL;
}

static void quantum_and_kick(void **state)
{
    (void)state;
    ut_fini(&t);
    struct uc_vcpu_config cfg = {.quantum = 10000};
    ut_init(&t, &cfg);
    static const uint8_t spin[] = {0xEB, 0xFE}; /* jmp $ */
    struct vcpu_event ev = go(spin, sizeof(spin));
    assert_int_equal(ev.kind, VCPU_EV_NONE);
    assert_int_equal(ut_reg(&t, UT_RIP), UT_CODE);
    struct uc_vcpu_stats st;
    uc_vcpu_get_stats(t.v, &st);
    assert_true(st.insns >= 10000);
    uc_vcpu_kick(t.v);
    ev = next();
    assert_int_equal(ev.kind, VCPU_EV_NONE);
    uc_vcpu_get_stats(t.v, &st);
    assert_true(st.insns < 20000 + 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        UT_TEST(cpuid, &t),
        UT_TEST(cpuid_rex, &t),
        UT_TEST(io_port_forms, &t),
        UT_TEST(io_strings, &t),
        UT_TEST(io_string_backwards, &t),
        UT_TEST(msrs_and_tsc, &t),
        UT_TEST(sev_instructions, &t),
        UT_TEST(control_registers, &t),
        UT_TEST(cpu_exceptions, &t),
        UT_TEST(mmio, &t),
        UT_TEST(quantum_and_kick, &t),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
