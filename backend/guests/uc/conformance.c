/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * conformance: the instructions the SEV model handles and the memory paths
 * of the backend, checked from inside the guest. Each check prints "ok" or
 * "FAIL" and its name on the serial port; the exit code is the number of
 * failures. Under SEV-ES (SEV_STATUS bit 1) the same instructions go
 * through #VC and the GHCB (vc.c), and the guest checks that they did.
 *
 * What the host must provide: CPUID leaf 0 with AMD's vendor string, an
 * echo device on port 0x510 (IN returns the last value written + 1, in the
 * access's width), TSC_AUX (0xC0000103) as a read/write MSR, a TSC that
 * moves, and the injection of the exceptions the guest raises (#UD, #BP)
 * through its IDT.
 */
#include "guest.h"

static unsigned fails;
static int traps_seen[32];
static uint8_t area[3 * 4096 + 64] __attribute__((aligned(4096)));
static volatile uint64_t untouched[512] __attribute__((aligned(4096)));

static void check(int ok, const char *name)
{
    serial_puts(ok ? "ok   " : "FAIL ");
    serial_puts(name);
    serial_puts("\n");
    fails += !ok;
}

/* #UD (UD2) and #BP (INT3): count them and step over UD2. */
static int on_trap(struct trap_frame *tf)
{
    if (tf->vector != 6 && tf->vector != 3)
        return 0;
    traps_seen[tf->vector]++;
    if (tf->vector == 6)
        tf->rip += 2;
    return 1;
}

static void check_cpuid(void)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    char vendor[13];
    memcpy(vendor, &r[1], 4);
    memcpy(vendor + 4, &r[3], 4);
    memcpy(vendor + 8, &r[2], 4);
    vendor[12] = 0;
    check(!memcmp(vendor, "AuthenticAMD", 12) && r[0] >= 1, "cpuid 0: AuthenticAMD");
    cpuid(0x80000000u, 0, r);
    check(r[0] >= 0x80000001u, "cpuid 0x80000000: extended leaves");
}

static void check_io(void)
{
    outb(ECHO_PORT, 0x41);
    check(inb(ECHO_PORT) == 0x42, "in/out 8-bit, DX port");
    outw(ECHO_PORT, 0x1234);
    check(inw(ECHO_PORT) == 0x1235, "in/out 16-bit, DX port");
    outl(ECHO_PORT, 0xCAFEF00Du);
    check(inl(ECHO_PORT) == 0xCAFEF00Eu, "in/out 32-bit, DX port");
    uint8_t v;
    __asm__ volatile("movb $0x7f, %%al; outb %%al, $0x80; inb $0x80, %%al" : "=a"(v));
    (void)v;
    check(1, "in/out immediate port 0x80");
}

static void check_msr(void)
{
    wrmsr(MSR_TSC_AUX, 0x5A5A);
    check(rdmsr(MSR_TSC_AUX) == 0x5A5A, "wrmsr/rdmsr TSC_AUX");
    uint64_t t1 = rdtsc(), t2 = rdtsc();
    check(t2 > t1, "rdtsc moves");
}

static void check_memory(void)
{
    for (unsigned i = 0; i < sizeof(area); i++)
        area[i] = (uint8_t)(i * 7 + 3);
    unsigned bad = 0;
    for (unsigned i = 0; i < sizeof(area); i++)
        bad += area[i] != (uint8_t)(i * 7 + 3);
    check(!bad, "byte stores and loads over three pages");
    /* A qword across each page boundary. */
    for (unsigned p = 1; p < 3; p++) {
        volatile uint64_t *q = (volatile uint64_t *)(uintptr_t)(area + 4096 * p - 3);
        *q = 0x1122334455667788ull + p;
        bad += *q != 0x1122334455667788ull + p;
    }
    check(!bad && area[4096 - 3] == 0x89 && area[4096 + 4] == 0x11,
          "unaligned qword across page boundaries");
    /* REP STOSB / MOVSB over page boundaries. */
    void *d = area + 100;
    size_t n = 2 * 4096;
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(0xAB) : "memory");
    bad = 0;
    for (unsigned i = 100; i < 100 + 2 * 4096; i++)
        bad += area[i] != 0xAB;
    area[2 * 4096 + 200] = 0x5C;
    const void *s = area + 4096;
    d = area;
    n = 2 * 4096;
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    check(!bad && area[4096 + 200] == 0x5C && area[99 + 4096] == 0xAB, "rep stosb / movsb");
    /* A page touched first by a store. */
    untouched[7] = 0xFEEDull;
    check(untouched[7] == 0xFEEDull && untouched[6] == 0, "first access is a store");
}

static void check_traps(void)
{
    guest_trap_hook = on_trap;
    __asm__ volatile("ud2");
    __asm__ volatile("int3");
    check(traps_seen[6] == 1, "#UD reaches the IDT and returns");
    check(traps_seen[3] == 1, "#BP reaches the IDT and returns");
    guest_trap_hook = 0;
}

int guest_main(void)
{
    serial_puts("conformance\n");
    uint64_t status = rdmsr(MSR_SEV_STATUS);
    int es = (status >> 1) & 1;
    serial_puts(es ? "SEV-ES: on\n" : "SEV-ES: off\n");
    check_cpuid();
    check_io();
    check_msr();
    check_memory();
    check_traps();
    if (es)
        check(vc_calls() >= 10, "events went through #VC and the GHCB");
    serial_puts(fails ? "conformance: FAILED\n" : "conformance: passed\n");
    return (int)fails;
}
