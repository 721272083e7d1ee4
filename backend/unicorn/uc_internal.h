/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * uc_internal.h - the parts of the Unicorn backend shared between its files:
 * the vCPU object, the software TLB of guest pages (uc_mem.c), the
 * instruction classifier (uc_decode.c), exception delivery (uc_inject.c)
 * and the workarounds for Unicorn 2.0.1 (uc_quirks.c).
 */
#ifndef SWSEV_UC_INTERNAL_H
#define SWSEV_UC_INTERNAL_H

#include <stdatomic.h>
#include <unicorn/unicorn.h>

#include "uc_decode.h"
#include "uc_vcpu.h"

#define UCM_PAGE        4096u
#define UCM_PAGE_MASK   (~(uint64_t)(UCM_PAGE - 1))
#define UCM_CHUNK_SHIFT 21
#define UCM_CHUNK       (1ull << UCM_CHUNK_SHIFT)
#define UCM_CHUNK_PAGES 512u
#define UCM_SLACK       64u /* windows one run may add beyond max_chunks */

/* The backend's own address range, identity-mapped in Unicorn: its shadow
 * page tables (read by Unicorn's page walker at these physical addresses),
 * the TLB-flush stub and the calibration pages. Below 2^40 because
 * Unicorn's walker refuses table addresses above its 40 physical address
 * bits; guest virtual addresses inside it are not supported. */
#define UCM_RSV_BASE    0xFFC0000000ull
#define UCM_RSV_SIZE    (1ull << 30)
#define UCM_TABLE_PAGES 4096u
#define UCM_STUB_VA     (UCM_RSV_BASE + (uint64_t)UCM_TABLE_PAGES * UCM_PAGE)
#define UCM_CALIB_VA    (UCM_STUB_VA + UCM_PAGE)
/* The 'until' of every uc_emu_start: never reached, and mapped. When a run
 * ends, Unicorn 2.0.1 drops the translation at until - 1, translating that
 * address through the MMU; an address the walk refuses raises an exception
 * nobody sees, which leaves the CPU's exception-in-flight state set (the
 * next #PF then becomes #DF, the one after a triple fault). */
#define UCM_UNTIL (UCM_STUB_VA + 0x800)

/* Per-page state (struct ucm_chunk.state). */
#define UCM_S_FILLED   1u  /* the buffer holds the model's bytes as of the last fill */
#define UCM_S_PRESENT  2u  /* shadow PTE present: Unicorn may access the buffer */
#define UCM_S_WRITABLE 4u  /* shadow PTE writable; pristine[] holds the bytes last synced */
#define UCM_S_FETCH    8u  /* instruction fetch checked with the model since the fill */
#define UCM_S_CODE     16u /* Unicorn may hold translated blocks of this page */
#define UCM_S_MMIO     32u /* the model says it is not memory: an MMIO region is mapped there */
#define UCM_MAX_MMIO   64u /* MMIO pages remembered (their GPAs) */

struct ucm_chunk {
    uint64_t base; /* guest VA of the 2 MiB window; UINT64_MAX: free slot */
    uint8_t *host; /* the window's bytes, mapped into Unicorn at base */
    size_t len;    /* mapped length (the top window of the address space is shorter) */
    uint64_t used; /* run number of the last fill, for eviction */
    uint8_t state[UCM_CHUNK_PAGES];
    uint8_t *pristine[UCM_CHUNK_PAGES];
};

/* The software TLB. */
struct ucm {
    struct ucm_chunk *chunks; /* open addressing on base >> 21 */
    uint32_t nslots, nchunks, max_chunks;
    uint8_t *tables;   /* UCM_TABLE_PAGES pages at UCM_RSV_BASE */
    uint32_t ntables;  /* allocated table pages (0 = the PML4) */
    uint8_t *stub;     /* two pages at UCM_STUB_VA: code, then calibration data */
    uint64_t *present; /* VAs of pages whose shadow PTE is present */
    uint32_t npresent, cap_present;
    uint64_t *dirty; /* VAs of writable pages (pristine copies) */
    uint32_t ndirty, cap_dirty;
    bool tlb_stale;     /* a PTE lost a permission: flush before running */
    bool need_reval;    /* cached pages must be revalidated before running */
    bool have_gen;      /* gen_seen is meaningful */
    uint64_t gen_seen;  /* the model's generation after our last write-back */
    uint64_t code_page; /* last page the code hook read, and its bytes */
    const uint8_t *code_ptr;
    uint8_t scratch[UCM_PAGE];
    struct {
        uint64_t va, gpa;
    } mmio[UCM_MAX_MMIO];
    unsigned nmmio;
};

/* The block scan's verdicts (uc_blocks.c). */
struct ucb_entry {
    uint64_t start;
    uint32_t size, epoch;
    uint16_t icount;
    uint8_t state; /* 0 = free slot */
};

struct ucb_range {
    uint64_t lo, hi;
};

struct ucb {
    struct ucb_entry *tab; /* open addressing on the block's start */
    uint32_t cap, n, epoch;
    uint64_t *hooked; /* first addresses of the code hooks added */
    uint32_t nhooked, cap_hooked;
    struct ucb_range *pend; /* code hooks to add before running again */
    uint32_t npend, cap_pend;
    uint64_t drop_lo, drop_hi; /* the block to drop with them */
};

enum uc_stop {
    UC_STOP_NONE = 0, /* emulation ended by itself */
    UC_STOP_EVENT,    /* v->ev is an event for the model */
    UC_STOP_INTERNAL, /* an instruction the backend emulates itself (v->insn) */
    UC_STOP_QUANTUM,  /* budget or kick */
    UC_STOP_ERROR,    /* backend error (v->err) */
    UC_STOP_STEPPED,  /* the single instruction of uc_step() is done */
};

struct uc_vcpu {
    uc_engine *uc;
    struct uc_vcpu_mem mem;
    struct uc_vcpu_config cfg;
    struct ucm m;
    uc_hook h_code, h_block, h_intr, h_invalid, h_unmapped, h_fetchprot;
    bool block_mode; /* block scan (uc_blocks.c) rather than a hook on every instruction */
    void *code_cb;   /* the code hook's function, for hooks added later */
    struct ucb b;

    /* Guest-visible state that Unicorn cannot hold for us (see uc_vcpu.c). */
    uint64_t cr0, cr2, cr3, cr4, cr8, efer, xcr0;
    struct vcpu_sregs shadow_seg; /* descriptor caches as last set */

    /* The current stop. */
    enum uc_stop stop;
    /* A stop asked for in the block hook: the block did not run, and RIP
     * must be set to it afterwards - Unicorn 2.0.1 leaves RIP at the next
     * block when any code hook exists (docs/unicorn.md, defect 10). */
    bool block_stop;
    uint64_t block_stop_rip;
    struct vcpu_event ev;
    struct uc_insn insn; /* decoded instruction of ev / of an internal stop */
    uint64_t ev_rip;
    bool pending;       /* ev waits for uc_vcpu_complete */
    bool cpu_exception; /* ev is an exception Unicorn raised (not the model's fault) */
    uint64_t budget;
    atomic_bool kick;
    uint64_t last_insn, run_no;
    uint8_t io_buf[4096];

    /* Single-stepping and MMIO (uc_mmio.c). */
    bool stepping;
    unsigned step_left;
    enum { UC_MMIO_OFF, UC_MMIO_PROBE, UC_MMIO_REPLAY } mmio_mode;
    uint64_t mmio_va, mmio_gpa;
    bool mmio_seen;    /* the probe saw an access */
    uint64_t mmio_off; /* its offset in the page */
    unsigned mmio_size;
    bool mmio_write;
    uint64_t mmio_value; /* written (probe) or to be read (replay) */
    uint8_t last_size;   /* length of the instruction the code hook saw last */
    size_t io_len;

    /* Workarounds (uc_quirks.c). */
    uc_context *ctx;
    long oe_off, ec_off; /* env offsets of old_exception and error_code, or -1 */
    int calib;           /* calibration step, 0 when running guests */
    int calib_vec[3];
    uint8_t *calib_snap[3];

    struct uc_vcpu_stats stats;
    int err;
    char errmsg[160];
};

static inline bool uc_has_error_code(uint32_t vector)
{
    return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 ||
           vector == 29 || vector == 30;
}

/* uc_vcpu.c */
/* Stop before the block at addr, from the block hook (see block_stop). */
void uc_block_stop(struct uc_vcpu *v, uint64_t addr);
/* After uc_emu_start: RIP as a block-hook stop left it. */
void uc_block_stop_fix(struct uc_vcpu *v);
void uc_set_error(struct uc_vcpu *v, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void uc_stop_event(struct uc_vcpu *v, const struct hw_fault *f);
uint64_t uc_get(struct uc_vcpu *v, int reg);
void uc_put(struct uc_vcpu *v, int reg, uint64_t val);

/* uc_mem.c */
int ucm_init(struct uc_vcpu *v);
void ucm_fini(struct uc_vcpu *v);
/* Before uc_emu_start: revalidation and TLB flush as needed, eviction. */
int ucm_prepare(struct uc_vcpu *v);
/* Guest writes back to the model: at_exit between runs (the pages then
 * track new writes), else from inside a run (before asking for a page). */
int ucm_writeback(struct uc_vcpu *v, bool at_exit);
/* Forget every cached translation (CR3, INVLPG, set_sregs, flush). */
int ucm_invalidate(struct uc_vcpu *v);
/* Hook bodies. ucm_fault: 0 = retry the access, 1 = guest fault (*f),
 * 2 = MMIO (f->addr), -errno = backend error. */
bool ucm_map_window(struct uc_vcpu *v, uint64_t va);
int ucm_fault(struct uc_vcpu *v, uint64_t cr2, uint64_t rip, struct hw_fault *f);
/* The bytes of the instruction at va (up to 16, fewer at a page the model
 * does not let us fetch from): returns how many, 0 and *f on a fault. */
int ucm_code(struct uc_vcpu *v, uint64_t va, uint8_t *buf, size_t want, struct hw_fault *f);
/* Guest-virtual accesses outside of Unicorn, coherent with the cache. */
int ucm_read(struct uc_vcpu *v, uint64_t gva, void *buf, size_t len, enum hw_access acc,
             struct hw_fault *f);
int ucm_write(struct uc_vcpu *v, uint64_t gva, const void *buf, size_t len, struct hw_fault *f);
/* Flush Unicorn's TLB (uc_reg_write of CR3 does not in 2.0.1). */
int ucm_tlb_flush(struct uc_vcpu *v);
/* Shadow PTE for va (allocating tables), or NULL when out of table pages. */
uint64_t *ucm_pte(struct ucm *m, uint64_t va, bool alloc);

/* uc_blocks.c */
void ucb_on_block(struct uc_vcpu *v, uint64_t addr, uint32_t size);
/* Add the code hooks the last scan asked for and drop its block. */
int ucb_apply(struct uc_vcpu *v, void *on_code);
/* Code may have changed: every block is scanned again when it runs. */
void ucb_new_epoch(struct uc_vcpu *v);
void ucb_fini(struct uc_vcpu *v);

/* uc_mmio.c */
/* Run exactly one instruction (events and faults still stop it). */
int uc_step(struct uc_vcpu *v);
/* The page at va is MMIO at gpa: map it so, probe the instruction at RIP
 * for its access, and make v->ev the MMIO event (returns 1), or -errno. */
int uc_mmio_probe(struct uc_vcpu *v, uint64_t va, uint64_t gpa);
/* Finish the MMIO event: run the instruction with the read data. */
int uc_mmio_complete(struct uc_vcpu *v, const struct uc_vcpu_result *res);
/* The page at va is memory again: give it back to its window. */
int uc_mmio_unmap(struct uc_vcpu *v, uint64_t va);
/* The host bytes of the page at va in its window, or NULL. */
uint8_t *ucm_host(struct uc_vcpu *v, uint64_t va);

/* uc_inject.c */
int uc_deliver(struct uc_vcpu *v, uint32_t vector, bool has_ec, uint64_t ec, struct hw_fault *f);

/* uc_quirks.c */
int uc_quirks_calibrate(struct uc_vcpu *v);
/* In an interrupt hook: read the error code and mark the exception as
 * delivered so that the next one is not turned into #DF. */
uint64_t uc_quirks_after_exception(struct uc_vcpu *v);
/* The interrupt hook while uc_quirks_calibrate() provokes its faults. */
void uc_quirks_calib_hook(struct uc_vcpu *v, uint32_t intno);
unsigned uc_quirks_static(void);

#endif
