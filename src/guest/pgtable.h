/* SPDX-License-Identifier: MIT */
/*
 * guest/pgtable.h - what a guest kernel does to map its memory: 4-level
 * page tables in its own (private) memory, with the C-bit set in every
 * private mapping and in the table entries, clear in shared ones.
 * Written through the guest-physical path of the vCPU context.
 */
#ifndef SWSEV_GUEST_PGTABLE_H
#define SWSEV_GUEST_PGTABLE_H

#include <stdint.h>

#include "common/pgtable.h"
#include "swsev/memsys.h"

/* Leaf flags: PTE_RW, PTE_US, PTE_NX, and GUEST_PTE_PRIVATE for C=1. */
#define GUEST_PTE_PRIVATE (1ull << 62) /* replaced by the C-bit */

struct guest_pgtable {
    struct memsys *ms;
    const struct hw_guest_ctx *g;
    struct pgt_ops ops;
    uint64_t root;                /* GPA of the PML4 */
    uint64_t pool_next, pool_end; /* GPAs handed out for tables */
};

/* Tables are carved from [pool_gpa, pool_gpa + pool_size) of guest memory. */
swsev_rc guest_pgtable_init(struct guest_pgtable *pt, struct memsys *ms,
                            const struct hw_guest_ctx *g, uint64_t pool_gpa, uint64_t pool_size);
/* The value for CR3. */
uint64_t guest_pgtable_cr3(const struct guest_pgtable *pt);
swsev_rc guest_pgtable_map(struct guest_pgtable *pt, uint64_t gva, uint64_t gpa, uint64_t size,
                           uint64_t flags, uint64_t page_size);
swsev_rc guest_pgtable_lookup(struct guest_pgtable *pt, uint64_t gva, uint64_t *entry, int *level);
/* Rewrite the leaf of gva (e.g. to flip the C-bit when sharing a page). */
swsev_rc guest_pgtable_set_leaf(struct guest_pgtable *pt, uint64_t gva, uint64_t entry);

#endif
