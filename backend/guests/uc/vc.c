/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guests' #VC handler: what an SEV-ES guest kernel does when CPUID,
 * IN/OUT, RDMSR/WRMSR or RDTSC raise #VC (error code = the exit code):
 * fill the GHCB (include/swsev/abi/ghcb.h) with the instruction's inputs,
 * mark them valid, write the GHCB's address to the GHCB MSR, VMGEXIT, take
 * the outputs back into the interrupted registers and step over the
 * instruction. The first #VC negotiates the protocol version over the GHCB
 * MSR protocol.
 *
 * What it expects from the loader: the GHCB page (ghcb_page, page-aligned
 * in the image) is shared - mapped with C=0 - and its guest virtual address
 * equals its guest physical address (the guests do not set up paging of
 * their own). RDMSR/WRMSR of the GHCB MSR and VMGEXIT do not raise #VC.
 * String I/O is not handled (the guests do not use it under SEV-ES): the
 * handler asks for termination instead, as it does for any GHCB error.
 */
#include "guest.h"
#include "swsev/abi/ghcb.h"

static struct ghcb ghcb_page __attribute__((aligned(4096)));
static uint16_t ghcb_version;
static int ghcb_calls;

int vc_calls(void)
{
    return ghcb_calls;
}

static void vmgexit(void)
{
    __asm__ volatile("rep; vmmcall" : : : "memory");
}

__attribute__((noreturn)) static void terminate(uint8_t code)
{
    wrmsr(MSR_GHCB, ghcb_msr_term_req(0, code));
    vmgexit();
    for (;;)
        __asm__ volatile("hlt");
}

static void negotiate(void)
{
    wrmsr(MSR_GHCB, GHCB_MSR_SEV_INFO_REQ);
    vmgexit();
    uint64_t r = rdmsr(MSR_GHCB);
    if (GHCB_MSR_INFO(r) != GHCB_MSR_SEV_INFO_RESP || GHCB_MSR_PROTO_MAX(r) < GHCB_PROTOCOL_MIN ||
        GHCB_MSR_PROTO_MIN(r) > GHCB_PROTOCOL_MAX)
        terminate(1);
    ghcb_version =
        GHCB_MSR_PROTO_MAX(r) < GHCB_PROTOCOL_MAX ? GHCB_MSR_PROTO_MAX(r) : GHCB_PROTOCOL_MAX;
}

static void call(struct ghcb *g, uint64_t code, uint64_t info1)
{
    ghcb_set64(g, GHCB_OFF_SW_EXIT_CODE, code);
    ghcb_set64(g, GHCB_OFF_SW_EXIT_INFO1, info1);
    ghcb_set64(g, GHCB_OFF_SW_EXIT_INFO2, 0);
    g->protocol_version = ghcb_version;
    g->ghcb_usage = GHCB_DEFAULT_USAGE;
    wrmsr(MSR_GHCB, (uint64_t)(uintptr_t)g);
    vmgexit();
    ghcb_calls++;
    if ((uint32_t)ghcb_get64(g, GHCB_OFF_SW_EXIT_INFO1) != GHCB_RET_OK)
        terminate(2);
}

static uint64_t out(const struct ghcb *g, unsigned off)
{
    if (!ghcb_is_valid(g, off))
        terminate(3);
    return ghcb_get64(g, off);
}

/* IN/OUT with an immediate or DX port, 8/16/32 bits. */
static uint64_t ioio(const struct trap_frame *tf, unsigned *len, unsigned *size, int *in)
{
    const uint8_t *ip = (const uint8_t *)(uintptr_t)tf->rip;
    unsigned i = 0;
    int opsize = 0;
    while (ip[i] == 0x66) {
        opsize = 1;
        i++;
    }
    uint8_t op = ip[i];
    uint16_t port;
    if (op >= 0xE4 && op <= 0xE7) {
        port = ip[i + 1];
        *len = i + 2;
    } else if (op >= 0xEC && op <= 0xEF) {
        port = (uint16_t)tf->rdx;
        *len = i + 1;
    } else {
        terminate(4);
    }
    *size = (op & 1) ? (opsize ? 2 : 4) : 1;
    *in = !(op & 2);
    uint64_t sz = *size == 1 ? GHCB_IOIO_SZ8 : *size == 2 ? GHCB_IOIO_SZ16 : GHCB_IOIO_SZ32;
    return (uint64_t)port << GHCB_IOIO_PORT_SHIFT | (*in ? GHCB_IOIO_TYPE_IN : 0) | sz |
           GHCB_IOIO_A64;
}

void vc_handle(struct trap_frame *tf)
{
    struct ghcb *g = &ghcb_page;
    const uint8_t *ip = (const uint8_t *)(uintptr_t)tf->rip;
    if (!ghcb_version)
        negotiate();
    ghcb_clear_valid(g);
    switch (tf->error_code) {
    case GHCB_NAE_CPUID:
        ghcb_set64(g, GHCB_OFF_RAX, tf->rax);
        ghcb_set64(g, GHCB_OFF_RCX, tf->rcx);
        call(g, GHCB_NAE_CPUID, 0);
        tf->rax = out(g, GHCB_OFF_RAX);
        tf->rbx = out(g, GHCB_OFF_RBX);
        tf->rcx = out(g, GHCB_OFF_RCX);
        tf->rdx = out(g, GHCB_OFF_RDX);
        tf->rip += 2;
        return;
    case GHCB_NAE_MSR: {
        int write = ip[1] == 0x30;
        ghcb_set64(g, GHCB_OFF_RCX, tf->rcx);
        if (write) {
            ghcb_set64(g, GHCB_OFF_RAX, (uint32_t)tf->rax);
            ghcb_set64(g, GHCB_OFF_RDX, (uint32_t)tf->rdx);
        }
        call(g, GHCB_NAE_MSR, write ? GHCB_MSR_WRITE : GHCB_MSR_READ);
        if (!write) {
            tf->rax = (uint32_t)out(g, GHCB_OFF_RAX);
            tf->rdx = (uint32_t)out(g, GHCB_OFF_RDX);
        }
        tf->rip += 2;
        return;
    }
    case GHCB_NAE_RDTSC:
        call(g, GHCB_NAE_RDTSC, 0);
        tf->rax = (uint32_t)out(g, GHCB_OFF_RAX);
        tf->rdx = (uint32_t)out(g, GHCB_OFF_RDX);
        tf->rip += 2;
        return;
    case GHCB_NAE_IOIO: {
        unsigned len, size;
        int in;
        uint64_t info = ioio(tf, &len, &size, &in);
        uint64_t mask = size == 4 ? 0xFFFFFFFFull : (1ull << (8 * size)) - 1;
        ghcb_set64(g, GHCB_OFF_RAX, in ? 0 : tf->rax & mask);
        call(g, GHCB_NAE_IOIO, info);
        if (in)
            tf->rax = size == 4 ? (uint32_t)out(g, GHCB_OFF_RAX)
                                : (tf->rax & ~mask) | (out(g, GHCB_OFF_RAX) & mask);
        tf->rip += len;
        return;
    }
    default:
        terminate(5);
    }
}
