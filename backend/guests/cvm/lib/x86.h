/* SPDX-License-Identifier: MIT */
/*
 * x86.h - the x86-64 instructions the guests execute, as inline assembly.
 * The encodings matter: the #VC handler (vc.c) decodes the instruction
 * bytes it faulted on, so each wrapper pins the form it emits (noted per
 * function). Instructions older assemblers may not know (PVALIDATE,
 * VMGEXIT) are emitted as bytes.
 */
#ifndef GUEST_X86_H
#define GUEST_X86_H

#include <stdint.h>

/* OUT DX,AL (EE). */
static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ __volatile__("outb %%al, %%dx" : : "a"(v), "d"(port) : "memory");
}

/* OUT DX,EAX (EF). */
static inline void outl(uint16_t port, uint32_t v)
{
    __asm__ __volatile__("outl %%eax, %%dx" : : "a"(v), "d"(port) : "memory");
}

/* IN AL,DX (EC). */
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ __volatile__("inb %%dx, %%al" : "=a"(v) : "d"(port) : "memory");
    return v;
}

/* OUT imm8,AL (E6 ib): the bench's phase markers on port 0x80, one fixed
 * port so the instruction is two bytes with nothing in DX. */
static inline void out80(uint8_t v)
{
    __asm__ __volatile__("outb %%al, $0x80" : : "a"(v) : "memory");
}

/* CPUID (0F A2). */
static inline void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
    __asm__ __volatile__("cpuid"
                         : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                         : "a"(leaf), "c"(subleaf)
                         : "memory");
}

/* RDMSR (0F 32). */
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
    return (uint64_t)hi << 32 | lo;
}

/* WRMSR (0F 30). */
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ __volatile__("wrmsr"
                         :
                         : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
                         : "memory");
}

/* RDTSC (0F 31). */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return (uint64_t)hi << 32 | lo;
}

/* VMMCALL (0F 01 D9): RAX in, RAX out (KVM's hypercall convention). */
static inline uint64_t vmmcall(uint64_t rax)
{
    __asm__ __volatile__(".byte 0x0f, 0x01, 0xd9" : "+a"(rax) : : "memory");
    return rax;
}

/* VMGEXIT (F3 0F 01 D9, REP VMMCALL). The "memory" clobber makes the
 * compiler write the GHCB before and re-read it after. */
static inline void vmgexit(void)
{
    __asm__ __volatile__(".byte 0xf3, 0x0f, 0x01, 0xd9" : : : "memory");
}

/* PVALIDATE (F2 0F 01 FF): RAX = VA, RCX = page size (0 4 KiB, 1 2 MiB),
 * RDX = 1 validate / 0 rescind. Returns RAX (0 success) and sets
 * *no_update from CF (the RMP entry already had that state). */
static inline uint32_t pvalidate(uint64_t va, int size_2m, int validate, int *no_update)
{
    uint64_t rax = va;
    uint8_t cf;
    __asm__ __volatile__(".byte 0xf2, 0x0f, 0x01, 0xff\n\tsetc %1"
                         : "+a"(rax), "=qm"(cf)
                         : "c"((uint64_t)(size_2m ? 1 : 0)), "d"((uint64_t)(validate ? 1 : 0))
                         : "memory", "cc");
    *no_update = cf;
    return (uint32_t)rax;
}

/* MMIO, 32 bits: MOV [RDI],EAX (89 07) and MOV EAX,[RDI] (8B 07). Under
 * SEV-ES and SNP these fault with #VC (NPF) and vc.c emulates exactly
 * these two forms, so the address is pinned to RDI and the data to EAX. */
static inline void mmio_write32(uint64_t addr, uint32_t v)
{
    __asm__ __volatile__("movl %%eax, (%%rdi)" : : "D"(addr), "a"(v) : "memory");
}

static inline uint32_t mmio_read32(uint64_t addr)
{
    uint32_t v;
    __asm__ __volatile__("movl (%%rdi), %%eax" : "=a"(v) : "D"(addr) : "memory");
    return v;
}

static inline void invlpg(uint64_t va)
{
    __asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void hlt(void)
{
    __asm__ __volatile__("hlt" : : : "memory");
}

#endif
