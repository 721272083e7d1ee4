/* SPDX-License-Identifier: MIT */
/*
 * hw/tlb.h - a translation cache for the guest path.
 *
 * Entries map (vCPU translation state, GVA page) to (GPA, SPA, C-bits,
 * combined permissions). Unlike a hardware TLB this one is kept coherent:
 * every page read as a guest or nested page-table page is remembered, and
 * any write to such a page (other than the walker's own accessed/dirty
 * updates), any key change and any cache flush drops all entries. Software
 * that flushes its TLB correctly sees no difference; software that forgets
 * to flush sees fresh translations instead of stale ones (see docs/hw.md).
 */
#ifndef SWSEV_HW_TLB_H
#define SWSEV_HW_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "swsev/memsys.h"

#define TLB_ENTRIES 512
#define TLB_PTSET   2048 /* slots of the page-table-page set (power of two) */

struct tlb_entry {
    uint64_t gva_page; /* GVA >> 12 */
    uint64_t cr0, cr3, cr4, efer, ncr3;
    uint32_t asid;
    uint8_t valid, sev, np_enable;
    uint8_t perms; /* HW_PERM_* */
    uint8_t dirty; /* guest and nested leaves have D set */
    uint8_t guest_c, npt_c, npt_level;
    uint64_t gpa_page, spa_page;
};

struct tlb {
    struct tlb_entry e[TLB_ENTRIES];
    uint64_t ptset[TLB_PTSET]; /* page number + 1, 0 = empty */
    unsigned ptcount;
    uint64_t hits, misses, flushes;
};

void tlb_init(struct tlb *t);
void tlb_flush(struct tlb *t);
/* The entry for gva under g, or NULL. */
const struct tlb_entry *tlb_lookup(struct tlb *t, const struct hw_guest_ctx *g, uint64_t gva);
void tlb_insert(struct tlb *t, const struct hw_guest_ctx *g, uint64_t gva, const struct hw_xlate *x,
                bool npt_c, bool dirty);
/* Remember that the page holding spa is a page-table page. */
void tlb_note_pt_page(struct tlb *t, uint64_t spa);
/* A write to [spa, spa + len) is about to happen: drop translations that
 * may depend on it. */
void tlb_write_hook(struct tlb *t, uint64_t spa, uint64_t len);

#endif
