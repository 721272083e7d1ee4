/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "hw/tlb.h"

void tlb_init(struct tlb *t)
{
    memset(t, 0, sizeof(*t));
}

void tlb_flush(struct tlb *t)
{
    for (unsigned i = 0; i < TLB_ENTRIES; i++)
        t->e[i].valid = 0;
    memset(t->ptset, 0, sizeof(t->ptset));
    t->ptcount = 0;
    t->flushes++;
}

static unsigned slot_of(const struct hw_guest_ctx *g, uint64_t gva)
{
    return (unsigned)(((gva >> 12) ^ ((uint64_t)g->asid * 0x9E37u)) % TLB_ENTRIES);
}

static bool same_state(const struct tlb_entry *e, const struct hw_guest_ctx *g)
{
    return e->asid == g->asid && e->cr3 == g->cr3 && e->ncr3 == g->ncr3 && e->cr0 == g->cr0 &&
           e->cr4 == g->cr4 && e->efer == g->efer && e->sev == g->sev &&
           e->np_enable == g->np_enable;
}

const struct tlb_entry *tlb_lookup(struct tlb *t, const struct hw_guest_ctx *g, uint64_t gva)
{
    const struct tlb_entry *e = &t->e[slot_of(g, gva)];
    if (e->valid && e->gva_page == gva >> 12 && same_state(e, g)) {
        t->hits++;
        return e;
    }
    t->misses++;
    return NULL;
}

void tlb_insert(struct tlb *t, const struct hw_guest_ctx *g, uint64_t gva, const struct hw_xlate *x,
                bool npt_c, bool dirty)
{
    struct tlb_entry *e = &t->e[slot_of(g, gva)];
    e->gva_page = gva >> 12;
    e->cr0 = g->cr0;
    e->cr3 = g->cr3;
    e->cr4 = g->cr4;
    e->efer = g->efer;
    e->ncr3 = g->ncr3;
    e->asid = g->asid;
    e->sev = g->sev;
    e->np_enable = g->np_enable;
    e->perms = x->perms;
    e->dirty = dirty;
    e->guest_c = x->guest_c;
    e->npt_c = npt_c;
    e->npt_level = x->npt_level;
    e->gpa_page = x->gpa & ~0xfffull;
    e->spa_page = x->spa & ~0xfffull;
    e->valid = 1;
}

static unsigned ptset_slot(uint64_t page)
{
    return (unsigned)((page * 0x9E3779B97F4A7C15ull) >> 40) & (TLB_PTSET - 1);
}

void tlb_note_pt_page(struct tlb *t, uint64_t spa)
{
    uint64_t key = (spa >> 12) + 1;
    unsigned i = ptset_slot(key);
    for (;;) {
        if (t->ptset[i] == key)
            return;
        if (t->ptset[i] == 0)
            break;
        i = (i + 1) & (TLB_PTSET - 1);
    }
    if (t->ptcount >= TLB_PTSET * 3 / 4) {
        /* Too many table pages to track: start over. */
        tlb_flush(t);
        i = ptset_slot(key);
    }
    t->ptset[i] = key;
    t->ptcount++;
}

static bool ptset_has(const struct tlb *t, uint64_t page)
{
    uint64_t key = page + 1;
    for (unsigned i = ptset_slot(key);; i = (i + 1) & (TLB_PTSET - 1)) {
        if (t->ptset[i] == key)
            return true;
        if (t->ptset[i] == 0)
            return false;
    }
}

void tlb_write_hook(struct tlb *t, uint64_t spa, uint64_t len)
{
    if (t->ptcount == 0 || len == 0)
        return;
    for (uint64_t p = spa >> 12; p <= (spa + len - 1) >> 12; p++) {
        if (ptset_has(t, p)) {
            tlb_flush(t);
            return;
        }
    }
}
