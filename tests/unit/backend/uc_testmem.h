/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * uc_testmem.h - what the Unicorn backend's tests share: a vCPU on a flat
 * memory (backend/unicorn/uc_flatmem.h), code snippets and guest binaries
 * loaded into it, and a stand-in for the SEV model that answers events the
 * way the tests need: a plain machine (events answered directly), or an
 * SEV-ES machine (CPUID, I/O, MSRs and RDTSC become #VC, the answers come
 * through the GHCB the guest hands over with VMGEXIT).
 */
#ifndef SWSEV_UC_TESTMEM_H
#define SWSEV_UC_TESTMEM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "uc_flatmem.h"

#define UT_BASE     0x0ull
#define UT_SIZE     (8ull << 20)
#define UT_CODE     0x1000ull /* snippets start here */
#define UT_STACK    0x80000ull
#define UT_GUEST    0x100000ull /* guest binaries (guest.ld) */
#define UT_SERIAL   0x3F8
#define UT_EXITPORT 0xF4
#define UT_ECHO     0x510

struct ut {
    struct uc_flatmem fm;
    struct uc_vcpu_mem mem;
    struct uc_vcpu *v;
    /* the stand-in model */
    bool es;           /* SEV-ES: events become #VC */
    uint64_t ghcb_msr; /* the GHCB MSR */
    uint64_t tsc, tsc_aux;
    uint32_t echo;                 /* last value written to the echo port */
    unsigned vmgexits, vc, direct; /* direct: events answered without the GHCB */
    char serial[8192];
    size_t nserial;
    int exit_code; /* -1 while running */
};

/* uc_vcpu_create with cfg (may be NULL), and with SWSEV_UC_EVERY_INSN in
 * the environment: a hook on every instruction and the block scan's
 * instruction lengths checked against Unicorn's (uc_vcpu_destroy through
 * ut_destroy then asserts that none differed). */
int ut_create(struct uc_vcpu **v, const struct uc_vcpu_mem *mem, const struct uc_vcpu_config *cfg);
void ut_destroy(struct uc_vcpu *v);
/* A vCPU on an 8 MiB flat memory at 0, RIP = UT_CODE, RSP = UT_STACK. */
void ut_init(struct ut *t, const struct uc_vcpu_config *cfg);
void ut_fini(struct ut *t);
/* cmocka fixtures around every test of a program that keeps one struct ut:
 * the state is that struct (UT_TEST passes it as the prestate). */
int ut_setup(void **state);
int ut_teardown(void **state);
#define UT_TEST(f, ut) cmocka_unit_test_prestate_setup_teardown(f, ut_setup, ut_teardown, ut)
void ut_code(struct ut *t, uint64_t gva, const void *code, size_t len);
/* Load backend/guests/NAME.bin at UT_GUEST and point RIP at it; skip the
 * test (exit 77 semantics: cmocka skip) when it was not built. */
void ut_guest(struct ut *t, const char *name);
/* Run one event (asserting success). */
void ut_run(struct ut *t, struct vcpu_event *ev);
/* Run the stand-in model until the exit port is written, HLT, or an event
 * it does not handle (returned). Exceptions the guest raises are injected
 * through its IDT. */
int ut_machine(struct ut *t, struct vcpu_event *last, unsigned max_events);
uint64_t ut_reg(struct ut *t, int which);
void ut_set_rip(struct ut *t, uint64_t rip);

/* Register offsets in struct vcpu_regs, for ut_reg. */
#define UT_RAX    offsetof(struct vcpu_regs, rax)
#define UT_RBX    offsetof(struct vcpu_regs, rbx)
#define UT_RCX    offsetof(struct vcpu_regs, rcx)
#define UT_RDX    offsetof(struct vcpu_regs, rdx)
#define UT_RSI    offsetof(struct vcpu_regs, rsi)
#define UT_RDI    offsetof(struct vcpu_regs, rdi)
#define UT_RSP    offsetof(struct vcpu_regs, rsp)
#define UT_RIP    offsetof(struct vcpu_regs, rip)
#define UT_RFLAGS offsetof(struct vcpu_regs, rflags)

/* Write a flat GDT (null, 64-bit code 0x08, data 0x10) at gdt and an IDT at
 * idt whose gate for vector points at handler; load both. */
void ut_tables(struct ut *t, uint64_t gdt, uint64_t idt);
void ut_gate(struct ut *t, uint64_t idt, unsigned vector, uint64_t handler, unsigned ist);

#endif
