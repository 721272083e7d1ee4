/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * guest.h - the runtime of the freestanding x86-64 guests: port and MSR
 * helpers, the serial console (COM1, port 0x3F8), the exit port (0xF4:
 * the byte written is the exit code), traps, and the SEV-ES #VC handler
 * (vc.c) that turns CPUID, IN/OUT, RDMSR/WRMSR and RDTSC into GHCB calls.
 */
#ifndef SWSEV_GUEST_H
#define SWSEV_GUEST_H

#include <stddef.h>
#include <stdint.h>

#define SERIAL_PORT 0x3F8
#define EXIT_PORT   0xF4
#define ECHO_PORT   0x510 /* the test devices answer IN with the last OUT + 1 */

#define MSR_GHCB       0xC0010130u
#define MSR_SEV_STATUS 0xC0010131u
#define MSR_TSC_AUX    0xC0000103u

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (uint64_t)hi << 32 | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void serial_puts(const char *s);
void serial_hex(uint64_t v);
__attribute__((noreturn)) void guest_exit(unsigned code);

/* A guest may take exceptions it expects: return 1 when handled (the
 * frame may be changed, e.g. RIP moved past the instruction). */
extern int (*guest_trap_hook)(struct trap_frame *tf);
void guest_trap(struct trap_frame *tf);

/* SEV-ES (vc.c). */
void vc_handle(struct trap_frame *tf);
int vc_calls(void); /* GHCB calls made so far */

int guest_main(void);

#endif
