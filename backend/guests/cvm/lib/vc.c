/* SPDX-License-Identifier: MIT */
/*
 * vc.c - the #VC handler (vector 29) of SEV-ES and SNP guests. The error
 * code is the SVM exit code of the event; RIP points at the instruction,
 * whose bytes we decode ourselves (the hypervisor must not be trusted to
 * tell us what we executed), emulate through the GHCB, and step over.
 *
 * Only the encodings x86.h emits are decoded (no prefixes):
 *   CPUID 0F A2; RDMSR 0F 32; WRMSR 0F 30; RDTSC 0F 31; VMMCALL 0F 01 D9;
 *   IN/OUT E4-E7 ib and EC-EF (AL or EAX, imm8 or DX port);
 *   MMIO (exit code NPF 0x400): MOV [RDI],EAX 89 07 and MOV EAX,[RDI] 8B 07.
 * Anything else, or an instruction that does not match the exit code,
 * ends the guest (FAIL_VC_DECODE).
 */
#include "ghcb_client.h"
#include "guest.h"

#define SVM_EXIT_RDTSC   0x6E
#define SVM_EXIT_CPUID   0x72
#define SVM_EXIT_IOIO    0x7B
#define SVM_EXIT_MSR     0x7C
#define SVM_EXIT_VMMCALL 0x81
#define SVM_EXIT_NPF     0x400

/* Each returns the instruction's length, 0 when it is not one we know, or
 * -1 when the GHCB event failed. */

static int vc_cpuid(struct exc_frame *f, const uint8_t *ip)
{
    if (ip[0] != 0x0F || ip[1] != 0xA2)
        return 0;
    uint32_t r[4];
    if (ghcb_cpuid((uint32_t)f->rax, (uint32_t)f->rcx, r))
        return -1;
    /* 32-bit results zero-extend into the 64-bit registers. */
    f->rax = r[0];
    f->rbx = r[1];
    f->rcx = r[2];
    f->rdx = r[3];
    return 2;
}

static int vc_ioio(struct exc_frame *f, const uint8_t *ip)
{
    uint8_t op = ip[0];
    if ((op & 0xF4) != 0xE4) /* E4-E7, EC-EF */
        return 0;
    /* Bit 3: port in DX (1 byte long) or imm8 (2 bytes); bit 0: EAX or
     * AL; bit 1: OUT or IN. */
    int len = op & 0x08 ? 1 : 2;
    uint16_t port = op & 0x08 ? (uint16_t)f->rdx : ip[1];
    unsigned size = op & 0x01 ? 4 : 1;
    int in = !(op & 0x02);
    uint32_t v = (uint32_t)f->rax;
    if (ghcb_ioio(port, size, in, &v))
        return -1;
    if (in)
        f->rax = size == 4 ? v : (f->rax & ~0xFFull) | (v & 0xFF);
    return len;
}

static int vc_msr(struct exc_frame *f, const uint8_t *ip)
{
    if (ip[0] != 0x0F || (ip[1] != 0x32 && ip[1] != 0x30))
        return 0;
    uint32_t msr = (uint32_t)f->rcx;
    if (ip[1] == 0x30)
        return ghcb_wrmsr(msr, (f->rdx & 0xFFFFFFFFull) << 32 | (uint32_t)f->rax) ? -1 : 2;
    uint64_t v;
    if (ghcb_rdmsr(msr, &v))
        return -1;
    f->rax = (uint32_t)v;
    f->rdx = v >> 32;
    return 2;
}

static int vc_rdtsc(struct exc_frame *f, const uint8_t *ip)
{
    if (ip[0] != 0x0F || ip[1] != 0x31)
        return 0;
    uint64_t t;
    if (ghcb_rdtsc(&t))
        return -1;
    f->rax = (uint32_t)t;
    f->rdx = t >> 32;
    return 2;
}

static int vc_vmmcall(struct exc_frame *f, const uint8_t *ip)
{
    if (ip[0] != 0x0F || ip[1] != 0x01 || ip[2] != 0xD9)
        return 0;
    uint64_t rax = f->rax;
    if (ghcb_vmmcall(&rax))
        return -1;
    f->rax = rax;
    return 3;
}

static int vc_mmio(struct exc_frame *f, const uint8_t *ip)
{
    if ((ip[0] != 0x89 && ip[0] != 0x8B) || ip[1] != 0x07)
        return 0;
    /* The identity map makes the address in RDI the GPA. */
    uint64_t gpa = f->rdi;
    uint32_t v = (uint32_t)f->rax;
    if (ip[0] == 0x89)
        return ghcb_mmio(gpa, &v, 4, 1) ? -1 : 2;
    if (ghcb_mmio(gpa, &v, 4, 0))
        return -1;
    f->rax = v;
    return 2;
}

void vc_handle(struct exc_frame *f)
{
    /* The handler itself raises no #VC (it talks to the hypervisor only
     * through the GHCB); one arriving now means the GHCB is in use. */
    static int busy;
    if (busy)
        guest_fail(FAIL_NESTED);
    busy = 1;
    const uint8_t *ip = (const uint8_t *)(uintptr_t)f->rip;
    int len = 0;
    switch (f->error) {
    case SVM_EXIT_CPUID:
        len = vc_cpuid(f, ip);
        break;
    case SVM_EXIT_IOIO:
        len = vc_ioio(f, ip);
        break;
    case SVM_EXIT_MSR:
        len = vc_msr(f, ip);
        break;
    case SVM_EXIT_RDTSC:
        len = vc_rdtsc(f, ip);
        break;
    case SVM_EXIT_VMMCALL:
        len = vc_vmmcall(f, ip);
        break;
    case SVM_EXIT_NPF:
        len = vc_mmio(f, ip);
        break;
    default:
        break;
    }
    if (len == 0)
        guest_fail(FAIL_VC_DECODE);
    if (len < 0)
        guest_fail(FAIL_GHCB_CALL);
    f->rip += (uint64_t)len;
    busy = 0;
}
