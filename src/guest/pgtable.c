/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "guest/pgtable.h"

static swsev_rc g_read64(void *ctx, uint64_t addr, uint64_t *val)
{
    struct guest_pgtable *pt = ctx;
    return memsys_guest_phys_read(pt->ms, pt->g, addr, val, sizeof(*val), NULL);
}

static swsev_rc g_write64(void *ctx, uint64_t addr, uint64_t val)
{
    struct guest_pgtable *pt = ctx;
    return memsys_guest_phys_write(pt->ms, pt->g, addr, &val, sizeof(val), NULL);
}

static swsev_rc g_alloc_table(void *ctx, uint64_t *addr)
{
    static const uint8_t zero[4096];
    struct guest_pgtable *pt = ctx;
    if (pt->pool_next >= pt->pool_end)
        return SWSEV_HW_ERR(SWSEV_HW_NOMEM);
    *addr = pt->pool_next;
    pt->pool_next += 4096;
    return memsys_guest_phys_write(pt->ms, pt->g, *addr | pt->ops.access_bits, zero, sizeof(zero),
                                   NULL);
}

swsev_rc guest_pgtable_init(struct guest_pgtable *pt, struct memsys *ms,
                            const struct hw_guest_ctx *g, uint64_t pool_gpa, uint64_t pool_size)
{
    memset(pt, 0, sizeof(*pt));
    if ((pool_gpa | pool_size) & 4095 || pool_size < 4096)
        return SWSEV_HW_ERR(SWSEV_HW_ALIGN);
    pt->ms = ms;
    pt->g = g;
    pt->pool_next = pool_gpa;
    pt->pool_end = pool_gpa + pool_size;
    /* An SEV guest keeps its tables private and marks table entries C=1. */
    uint64_t c = g->sev ? memsys_cbit_mask(ms) : 0;
    uint64_t limit = (1ull << chip_effective_pa_bits(memsys_chip(ms))) - 1;
    pt->ops = (struct pgt_ops){
        .ctx = pt,
        .read64 = g_read64,
        .write64 = g_write64,
        .alloc_table = g_alloc_table,
        .access_bits = c,
        .table_flags = PTE_P | PTE_RW | PTE_US | c,
        .addr_mask = 0x000FFFFFFFFFF000ull & limit,
    };
    return g_alloc_table(pt, &pt->root);
}

uint64_t guest_pgtable_cr3(const struct guest_pgtable *pt)
{
    return pt->root | pt->ops.access_bits;
}

swsev_rc guest_pgtable_map(struct guest_pgtable *pt, uint64_t gva, uint64_t gpa, uint64_t size,
                           uint64_t flags, uint64_t page_size)
{
    uint64_t leaf = flags & (PTE_RW | PTE_US | PTE_NX);
    if (flags & GUEST_PTE_PRIVATE)
        leaf |= memsys_cbit_mask(pt->ms);
    return pgt_map(&pt->ops, pt->root, gva, gpa, size, leaf, page_size);
}

swsev_rc guest_pgtable_lookup(struct guest_pgtable *pt, uint64_t gva, uint64_t *entry, int *level)
{
    return pgt_lookup(&pt->ops, pt->root, gva, entry, level);
}

swsev_rc guest_pgtable_set_leaf(struct guest_pgtable *pt, uint64_t gva, uint64_t entry)
{
    return pgt_set_leaf(&pt->ops, pt->root, gva, entry);
}
