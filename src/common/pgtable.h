/* SPDX-License-Identifier: MIT */
/*
 * common/pgtable.h - builds x86-64 4-level page tables (the format both
 * guest page tables and nested page tables use) through caller-supplied
 * memory accessors, so the same code writes host-owned nested tables via
 * the host path and guest tables via the guest path.
 */
#ifndef SWSEV_COMMON_PGTABLE_H
#define SWSEV_COMMON_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "swsev/status.h"

struct pgt_ops {
    void *ctx;
    /* 8-byte accesses at table address addr | access_bits. */
    swsev_rc (*read64)(void *ctx, uint64_t addr, uint64_t *val);
    swsev_rc (*write64)(void *ctx, uint64_t addr, uint64_t val);
    /* A zeroed, 4 KiB-aligned page for a new table (address without access_bits). */
    swsev_rc (*alloc_table)(void *ctx, uint64_t *addr);
    uint64_t access_bits; /* ORed into table addresses when accessing them (e.g. a C-bit) */
    uint64_t table_flags; /* flags of entries that point to tables (P|RW|US and maybe a C-bit) */
    uint64_t addr_mask;   /* address field of an entry (bits 51:12 below MAXPHYADDR) */
};

#define PGT_SIZE_4K (1ull << 12)
#define PGT_SIZE_2M (1ull << 21)

/* Map [va, va + size) to [pa, pa + size) with leaf_flags (P is implied).
 * page_size is PGT_SIZE_4K or PGT_SIZE_2M; va, pa, size must be aligned to it.
 * Existing leaves are replaced; a large leaf in the way is an error. */
swsev_rc pgt_map(const struct pgt_ops *ops, uint64_t root, uint64_t va, uint64_t pa, uint64_t size,
                 uint64_t leaf_flags, uint64_t page_size);
/* Clear the leaf entries of [va, va + size) (4 KiB-aligned). */
swsev_rc pgt_unmap(const struct pgt_ops *ops, uint64_t root, uint64_t va, uint64_t size);
/* The leaf entry mapping va and its level (1 = 4 KiB, 2 = 2 MiB); the
 * entry is 0 when unmapped. */
swsev_rc pgt_lookup(const struct pgt_ops *ops, uint64_t root, uint64_t va, uint64_t *entry,
                    int *level);
/* Replace the leaf entry of va (e.g. to flip a C-bit); it must exist. */
swsev_rc pgt_set_leaf(const struct pgt_ops *ops, uint64_t root, uint64_t va, uint64_t entry);

#endif
