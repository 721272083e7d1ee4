/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Block scan: how the Unicorn backend finds events without a hook on every
 * instruction (the default; UC_VCPU_F_HOOK_EVERY_INSN turns it off).
 *
 * A code hook on every instruction costs Unicorn a helper call and an
 * eager EFLAGS computation per instruction (about 15x slower than no hook).
 * A block hook costs one call per translation block. So a block hook looks
 * at every block when it first runs: it walks the block instruction by
 * instruction (uc_insnlen.c), checks its pages for instruction fetch with
 * the model, and remembers the verdict:
 *  - clean: nothing of ours inside - later runs of the block cost a table
 *    lookup;
 *  - hooked: code hooks bounded to exactly the instructions the backend must
 *    stop at are added, the block is dropped, and its retranslation stops
 *    there (uc_vcpu.c's code hook does the rest). Blocks whose lengths do not
 *    add up to Unicorn's block size, that run on a writable page
 *    (self-modifying code could add an instruction of ours), or that span a
 *    page the model does not let the guest execute get a hook on every one
 *    of their instructions instead.
 * Stopping in the block hook happens before any instruction of the block
 * runs, so verdicts are reached with nothing executed.
 *
 * Verdicts hold for one epoch: changing code (a refill with new bytes, an
 * eviction, a code page becoming writable) and the revalidation after an
 * event (fetch permissions may have changed) start a new one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uc_internal.h"

#define UCB_CLEAN  1
#define UCB_HOOKED 2

static uint32_t slot(const struct ucb *b, uint64_t start)
{
    return (uint32_t)((start * 0x9E3779B97F4A7C15ull) >> 32) & (b->cap - 1);
}

static struct ucb_entry *lookup(struct ucb *b, uint64_t start, uint32_t size)
{
    if (!b->cap)
        return NULL;
    for (uint32_t i = slot(b, start);; i = (i + 1) & (b->cap - 1)) {
        struct ucb_entry *e = &b->tab[i];
        if (!e->state)
            return NULL;
        if (e->start == start && e->size == size)
            return e;
    }
}

static int grow(struct ucb *b)
{
    struct ucb old = *b;
    b->cap = old.cap ? old.cap * 2 : 4096;
    b->tab = calloc(b->cap, sizeof(*b->tab));
    if (!b->tab) {
        *b = old;
        return -ENOMEM;
    }
    b->n = 0;
    for (uint32_t i = 0; i < old.cap; i++) {
        if (!old.tab[i].state || old.tab[i].epoch != b->epoch)
            continue;
        uint32_t j = slot(b, old.tab[i].start);
        while (b->tab[j].state)
            j = (j + 1) & (b->cap - 1);
        b->tab[j] = old.tab[i];
        b->n++;
    }
    free(old.tab);
    return 0;
}

static struct ucb_entry *insert(struct ucb *b, uint64_t start, uint32_t size)
{
    if ((b->n + 1) * 2 > b->cap && grow(b))
        return NULL;
    struct ucb_entry *e = lookup(b, start, size);
    if (e)
        return e;
    uint32_t i = slot(b, start);
    while (b->tab[i].state)
        i = (i + 1) & (b->cap - 1);
    b->n++;
    b->tab[i].start = start;
    b->tab[i].size = size;
    return &b->tab[i];
}

void ucb_new_epoch(struct uc_vcpu *v)
{
    v->b.epoch++;
}

void ucb_fini(struct uc_vcpu *v)
{
    free(v->b.tab);
    free(v->b.hooked);
    free(v->b.pend);
}

/* A code hook for [lo, hi] unless there is one for lo already. */
static int want_hook(struct uc_vcpu *v, uint64_t lo, uint64_t hi)
{
    struct ucb *b = &v->b;
    for (uint32_t i = 0; i < b->nhooked; i++)
        if (b->hooked[i] == lo)
            return 0;
    for (uint32_t i = 0; i < b->npend; i++)
        if (b->pend[i].lo == lo)
            return 0;
    if (b->npend == b->cap_pend) {
        uint32_t cap = b->cap_pend ? 2 * b->cap_pend : 16;
        void *p = realloc(b->pend, cap * sizeof(*b->pend));
        if (!p)
            return -ENOMEM;
        b->pend = p;
        b->cap_pend = cap;
    }
    b->pend[b->npend].lo = lo;
    b->pend[b->npend].hi = hi;
    b->npend++;
    return 0;
}

int ucb_apply(struct uc_vcpu *v, void *on_code)
{
    struct ucb *b = &v->b;
    for (uint32_t i = 0; i < b->npend; i++) {
        uc_hook h;
        if (uc_hook_add(v->uc, &h, UC_HOOK_CODE, on_code, v, b->pend[i].lo, b->pend[i].hi)) {
            uc_set_error(v, -ENOMEM, "cannot add a code hook");
            return -ENOMEM;
        }
        if (b->nhooked == b->cap_hooked) {
            uint32_t cap = b->cap_hooked ? 2 * b->cap_hooked : 64;
            void *p = realloc(b->hooked, cap * sizeof(*b->hooked));
            if (!p)
                return -ENOMEM;
            b->hooked = p;
            b->cap_hooked = cap;
        }
        b->hooked[b->nhooked++] = b->pend[i].lo;
        v->stats.hooks++;
    }
    b->npend = 0;
    /* Unicorn instruments blocks when it translates them: drop the one
     * that brought us here. */
    uc_ctl_remove_cache(v->uc, b->drop_lo, b->drop_hi);
    return 0;
}

static bool page_writable(struct uc_vcpu *v, uint64_t va)
{
    uint64_t *pte = ucm_pte(&v->m, va, false);
    return pte && (*pte & PTE_RW);
}

/* Walk the block: 1 = hook it (v->b.pend filled), 0 = clean, 2 = the first
 * instruction's fetch is refused (*f), -errno. */
static int scan(struct uc_vcpu *v, uint64_t start, uint32_t size, uint16_t *icount,
                struct hw_fault *f)
{
    uint64_t a = start, end = start + size;
    bool whole = page_writable(v, start) || page_writable(v, end - 1);
    bool special = false;
    *icount = 0;
    while (a < end && !whole) {
        uint8_t buf[16];
        int got = ucm_code(v, a, buf, end - a < 15 ? end - a : 15, f);
        if (got < 0)
            return got;
        if (got == 0) {
            if (a == start)
                return 2;
            whole = true;
            break;
        }
        int len = uc_insn_length(buf, (size_t)got);
        if (len < 0) {
            whole = true;
            break;
        }
        struct uc_insn in;
        if (uc_decode_candidate(buf, (size_t)len) && uc_decode(buf, (size_t)len, &in) != UCI_NONE) {
            int rc = want_hook(v, a, a);
            if (rc)
                return rc;
            special = true;
        }
        a += (uint64_t)len;
        (*icount)++;
    }
    if (!whole && a != end)
        whole = true; /* our lengths and Unicorn's disagree */
    if (whole) {
        int rc = want_hook(v, start, end - 1);
        if (rc)
            return rc;
    }
    return whole || special;
}

void ucb_on_block(struct uc_vcpu *v, uint64_t addr, uint32_t size)
{
    struct ucb *b = &v->b;
    struct ucb_entry *e = lookup(b, addr, size);
    if (e && e->epoch == b->epoch) {
        v->stats.insns += e->icount;
        if (v->budget <= e->icount) {
            v->stop = UC_STOP_QUANTUM;
            uc_block_stop(v, addr);
        }
        v->budget -= e->icount;
        return;
    }
    v->stats.scans++;
    struct hw_fault f;
    uint16_t icount;
    b->npend = 0;
    int rc = scan(v, addr, size, &icount, &f);
    if (rc < 0) {
        if (!v->err)
            uc_set_error(v, rc, "block at %#llx: cannot scan it", (unsigned long long)addr);
        v->stop = UC_STOP_ERROR;
        uc_emu_stop(v->uc);
        return;
    }
    if (rc == 2) {
        uc_stop_event(v, &f); /* the model refuses to execute the block's first byte */
        v->block_stop = true;
        v->block_stop_rip = addr;
        return;
    }
    e = insert(b, addr, size);
    if (!e) {
        uc_set_error(v, -ENOMEM, "block cache");
        v->stop = UC_STOP_ERROR;
        uc_emu_stop(v->uc);
        return;
    }
    e->epoch = b->epoch;
    e->icount = icount;
    e->state = rc ? UCB_HOOKED : UCB_CLEAN;
    v->stats.insns += icount;
    if (rc && b->npend) {
        b->drop_lo = addr;
        b->drop_hi = addr + size;
        v->insn.op = UCI_HOOKS;
        v->stop = UC_STOP_INTERNAL;
        uc_block_stop(v, addr);
    }
}
