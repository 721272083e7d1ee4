/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * uc_vcpu.h - an x86-64 vCPU backend on Unicorn 2 (libswsev_unicorn).
 *
 * The backend executes real x86-64 machine code and stops, with RIP on the
 * instruction, at everything the SEV model must decide (struct vcpu_event
 * of swsev/vcpu.h): CPUID, IN/OUT/INS/OUTS, RDMSR/WRMSR, RDTSC(P), VMMCALL,
 * VMGEXIT, PVALIDATE, RMPADJUST, HLT, MMIO and faults. Nothing else of the SEV
 * model is linked in: it reaches guest memory only through struct
 * uc_vcpu_mem, by guest VIRTUAL address, so that the model's page walk,
 * C-bit, nested paging, RMP and keys apply to every byte the guest touches.
 *
 * Memory design (docs/unicorn.md has the measurements): guest pages are
 * copied into a software TLB of host pages that Unicorn executes from at
 * full speed. A page enters on the guest's first access to it (read, write
 * or fetch, each checked by the model), guest writes are written back to the
 * model - only the bytes that changed - before every event is returned, and
 * after an event the cached pages are revalidated against the model on
 * their next access (or kept, if the model's generation counter says that
 * nothing changed). Faults are precise: RIP is on the faulting instruction
 * and no register has changed, so the model can inject #PF/#VC and the
 * guest can retry.
 *
 * Licence: this component links Unicorn and is GPL-2.0-only (see LICENSE
 * next to this file). swsev's core library does not link it.
 *
 * Threads: one struct uc_vcpu belongs to one thread, except
 * uc_vcpu_kick(), which any thread may call.
 */
#ifndef SWSEV_UC_VCPU_H
#define SWSEV_UC_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/memsys.h"
#include "swsev/vcpu.h"

struct uc_vcpu;

/* Return values of struct uc_vcpu_mem's accessors. */
#define UC_VCPU_MEM_OK    0
#define UC_VCPU_MEM_FAULT 1 /* *f holds the architectural fault (PF, NPF, GP, VC) */
#define UC_VCPU_MEM_MMIO  2 /* gva is not memory: f->addr = its GPA (C-bit stripped) */

/* The SEV model's side: guest-virtual accesses through its translation.
 * The backend only ever calls read/write for whole pages (4096 bytes at a
 * page-aligned gva), for 1-byte permission probes, and for the exception
 * frames and descriptor reads of uc_vcpu_inject(). */
struct uc_vcpu_mem {
    void *ctx;
    /* acc says which permission to check: HW_ACC_READ (data), HW_ACC_FETCH
     * (instruction fetch: NX, and SEV's always-private fetches) or
     * HW_ACC_WRITE (the page is about to be written: check write
     * permission, set the dirty bit, and still return the bytes). */
    int (*read)(void *ctx, uint64_t gva, void *buf, size_t len, enum hw_access acc,
                struct hw_fault *f);
    int (*write)(void *ctx, uint64_t gva, const void *buf, size_t len, struct hw_fault *f);
    /* Optional. A counter that changes whenever guest memory may have
     * changed other than through this backend (DMA, another vCPU, the
     * hypervisor writing a GHCB, an RMP or page-table change). If it is the
     * same after an event as when the backend last wrote back, the cached
     * pages stay valid; without it every event revalidates them. */
    uint64_t (*generation)(void *ctx);
    /* Optional. The guest wrote CR0, CR3 or CR4 (MOV to CR): the model
     * translates with the new value from now on. Return UC_VCPU_MEM_FAULT
     * (e.g. #GP for a reserved bit) to refuse; the backend then reports the
     * fault and the register keeps its value. */
    int (*write_cr)(void *ctx, unsigned cr, uint64_t value, struct hw_fault *f);
    /* Optional. The guest executed INVLPG (all = false, gva = its operand
     * when the backend could compute it) or something that flushes the whole
     * TLB (all = true). The backend's own cache is flushed either way. */
    void (*invlpg)(void *ctx, uint64_t gva, bool all);
};

/* Flags of struct uc_vcpu_config.
 * DELIVER_EXCEPTIONS: exceptions raised while executing (#DE, #UD, #GP,
 *   INT n, ...) go through the guest's IDT instead of being reported as
 *   VCPU_EV_FAULT.
 * HOOK_EVERY_INSN: look at every instruction instead of scanning blocks
 *   (much slower; the reference the block scan is checked against).
 * CHECK_LENGTHS: with HOOK_EVERY_INSN, compare the block scan's instruction
 *   lengths with Unicorn's (stats.len_mismatch counts differences). */
#define UC_VCPU_F_DELIVER_EXCEPTIONS 1u
#define UC_VCPU_F_HOOK_EVERY_INSN    2u
#define UC_VCPU_F_CHECK_LENGTHS      4u

struct uc_vcpu_config {
    uint32_t max_chunks; /* 2 MiB windows of cached guest memory kept between runs (0: 512) */
    uint64_t quantum;    /* instructions before uc_vcpu_run returns VCPU_EV_NONE (0: 50M); the
                            block scan checks at block boundaries */
    uint32_t flags;      /* UC_VCPU_F_* */
};

/* Results of an event, written back by uc_vcpu_complete(). */
#define UC_RES_RAX 1u
#define UC_RES_RBX 2u
#define UC_RES_RCX 4u
#define UC_RES_RDX 8u
#define UC_RES_CF  16u /* RFLAGS.CF = cf (PVALIDATE: no update happened) */

struct uc_vcpu_result {
    uint32_t set; /* UC_RES_* */
    uint64_t rax, rbx, rcx, rdx;
    bool cf;
    const void *data; /* IN/INS: size * count bytes; MMIO read: len bytes */
    size_t len;
};

struct uc_vcpu_stats {
    uint64_t insns;        /* guest instructions executed */
    uint64_t runs;         /* uc_vcpu_run calls */
    uint64_t fills;        /* pages read from the model */
    uint64_t refills;      /* of those, revalidations of a cached page */
    uint64_t changed;      /* revalidations that found new bytes */
    uint64_t upgrades;     /* first writes to a clean page */
    uint64_t writebacks;   /* pages whose changed bytes went back to the model */
    uint64_t flushes;      /* TLB flushes of the backend's shadow tables */
    uint64_t exceptions;   /* exceptions Unicorn raised (including the cache's own) */
    uint64_t scans;        /* translation blocks the block scan looked at */
    uint64_t hooks;        /* code hooks it added */
    uint64_t len_mismatch; /* UC_VCPU_F_CHECK_LENGTHS: instructions measured differently */
};

/* Create a vCPU. mem is copied (its ctx is borrowed); cfg may be NULL. The
 * initial state: 64-bit mode, CPL0, flat segments, RIP 0, CR0/CR4/EFER
 * as long mode needs them. Returns 0 or -errno (-ENOTSUP: this Unicorn
 * lacks what the backend needs; the reason is in uc_vcpu_strerror()). */
int uc_vcpu_create(struct uc_vcpu **out, const struct uc_vcpu_mem *mem,
                   const struct uc_vcpu_config *cfg);
void uc_vcpu_destroy(struct uc_vcpu *v);

int uc_vcpu_get_regs(struct uc_vcpu *v, struct vcpu_regs *r);
int uc_vcpu_set_regs(struct uc_vcpu *v, const struct vcpu_regs *r);
/* Segment selectors other than 0 are loaded from the guest's GDT (Unicorn
 * 2.0.1 has no way to set a hidden descriptor cache): the GDT must be in
 * guest memory. CS = 0 keeps the built-in flat 64-bit code segment. */
int uc_vcpu_get_sregs(struct uc_vcpu *v, struct vcpu_sregs *s);
int uc_vcpu_set_sregs(struct uc_vcpu *v, const struct vcpu_sregs *s);
int uc_vcpu_set_cr2(struct uc_vcpu *v, uint64_t cr2);

/* Run until an event. Returns 0 with *ev filled (VCPU_EV_NONE: the quantum
 * ran out or uc_vcpu_kick() was called), or -errno for a backend error.
 * RIP is on the instruction of the event; ev->insn_len is its length. For
 * VCPU_EV_FAULT, RIP is on the faulting instruction (after it for INT n,
 * INT3 and INTO, as the CPU pushes it). An event that is neither completed
 * nor overtaken by uc_vcpu_inject() happens again on the next run. */
int uc_vcpu_run(struct uc_vcpu *v, struct vcpu_event *ev);
/* Finish the last event's instruction: write res (may be NULL) as the event
 * kind says and move RIP past the instruction. IN: data (size bytes) to
 * AL/AX/EAX; INS: data to ES:RDI (count elements); OUTS/INS advance
 * RSI/RDI and clear RCX when REP; MMIO read: data is what the load gets. */
int uc_vcpu_complete(struct uc_vcpu *v, const struct uc_vcpu_result *res);
/* The bytes an OUT/OUTS event writes (AL/AX/EAX, or the OUTS source read
 * from guest memory), valid until the next call on v; *len = size * count. */
const uint8_t *uc_vcpu_io_data(struct uc_vcpu *v, size_t *len);
/* Deliver exception vector through the guest's IDT as the CPU does in long
 * mode (interrupt or trap gate, IST stacks, error code for the vectors that
 * have one), with the current RIP as the return address. #PF does not
 * touch CR2: set it first (uc_vcpu_set_cr2). Returns 0, -EFAULT if the
 * delivery itself faulted (*f, when not NULL, says how: the model turns
 * that into #DF or a shutdown), -EINVAL for a vector above 255. */
int uc_vcpu_inject(struct uc_vcpu *v, uint32_t vector, uint64_t error_code);
int uc_vcpu_inject_f(struct uc_vcpu *v, uint32_t vector, uint64_t error_code, struct hw_fault *f);
/* Make a running uc_vcpu_run return VCPU_EV_NONE soon (any thread). */
void uc_vcpu_kick(struct uc_vcpu *v);
/* Drop every cached page (after the model changed guest memory behind the
 * backend's back without a generation counter, e.g. in a test). */
void uc_vcpu_flush(struct uc_vcpu *v);

void uc_vcpu_get_stats(const struct uc_vcpu *v, struct uc_vcpu_stats *st);
/* Why the last call failed, for -ENOTSUP and -EIO. */
const char *uc_vcpu_strerror(const struct uc_vcpu *v);

/* Workarounds for defects of the Unicorn this was built against
 * (docs/unicorn.md), as UC_QUIRK_* bits. */
#define UC_QUIRK_STORE_FASTPATH 1u /* page_collection_lock interposed (2.0.1 only) */
#define UC_QUIRK_OLD_EXCEPTION  2u /* hooked exceptions are "delivered" after each hook */
#define UC_QUIRK_ERROR_CODE     4u /* the error code of Unicorn's exceptions is readable */
unsigned uc_vcpu_quirks(const struct uc_vcpu *v);
/* "major.minor.patch" of the Unicorn library in use. */
const char *uc_vcpu_unicorn_version(void);

#endif
