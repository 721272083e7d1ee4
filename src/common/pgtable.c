/* SPDX-License-Identifier: MIT */
#include "common/pgtable.h"
#include "swsev/memsys.h"

static unsigned index_of(uint64_t va, int lvl)
{
    return (unsigned)(va >> (12 + 9 * (lvl - 1))) & 511;
}

/* Find (creating tables when create is set) the entry address of va at
 * level want. */
static swsev_rc walk_to(const struct pgt_ops *ops, uint64_t root, uint64_t va, int want,
                        bool create, uint64_t *entry_addr, int *stopped_large)
{
    uint64_t table = root & ops->addr_mask;
    *stopped_large = 0;
    for (int lvl = 4; lvl > want; lvl--) {
        uint64_t ea = table + index_of(va, lvl) * 8ull;
        uint64_t e;
        swsev_rc rc = ops->read64(ops->ctx, ea | ops->access_bits, &e);
        if (rc)
            return rc;
        if (!(e & PTE_P)) {
            if (!create) {
                *entry_addr = 0;
                return SWSEV_OK;
            }
            uint64_t t;
            rc = ops->alloc_table(ops->ctx, &t);
            if (!rc)
                rc = ops->write64(ops->ctx, ea | ops->access_bits, t | ops->table_flags | PTE_P);
            if (rc)
                return rc;
            e = t | ops->table_flags | PTE_P;
        } else if ((e & PTE_PS) && lvl <= 3) {
            *stopped_large = lvl;
            *entry_addr = ea;
            return SWSEV_OK;
        }
        table = e & ops->addr_mask;
    }
    *entry_addr = table + index_of(va, want) * 8ull;
    return SWSEV_OK;
}

swsev_rc pgt_map(const struct pgt_ops *ops, uint64_t root, uint64_t va, uint64_t pa, uint64_t size,
                 uint64_t leaf_flags, uint64_t page_size)
{
    if (page_size != PGT_SIZE_4K && page_size != PGT_SIZE_2M)
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    if ((va | pa | size) & (page_size - 1))
        return SWSEV_HW_ERR(SWSEV_HW_ALIGN);
    int lvl = page_size == PGT_SIZE_2M ? 2 : 1;
    uint64_t flags = leaf_flags | PTE_P | (lvl == 2 ? PTE_PS : 0);
    for (uint64_t off = 0; off < size; off += page_size) {
        uint64_t ea;
        int large;
        swsev_rc rc = walk_to(ops, root, va + off, lvl, true, &ea, &large);
        if (rc)
            return rc;
        if (large)
            return SWSEV_HW_ERR(SWSEV_HW_INVAL);
        rc = ops->write64(ops->ctx, ea | ops->access_bits, ((pa + off) & ops->addr_mask) | flags);
        if (rc)
            return rc;
    }
    return SWSEV_OK;
}

swsev_rc pgt_lookup(const struct pgt_ops *ops, uint64_t root, uint64_t va, uint64_t *entry,
                    int *level)
{
    *entry = 0;
    *level = 0;
    uint64_t ea;
    int large;
    swsev_rc rc = walk_to(ops, root, va, 1, false, &ea, &large);
    if (rc || ea == 0)
        return rc;
    rc = ops->read64(ops->ctx, ea | ops->access_bits, entry);
    *level = large ? large : 1;
    if (!rc && !(*entry & PTE_P))
        *entry = 0;
    return rc;
}

static swsev_rc leaf_addr(const struct pgt_ops *ops, uint64_t root, uint64_t va, uint64_t *ea)
{
    int large;
    swsev_rc rc = walk_to(ops, root, va, 1, false, ea, &large);
    if (!rc && *ea == 0)
        rc = SWSEV_HW_ERR(SWSEV_HW_INVAL);
    return rc;
}

swsev_rc pgt_set_leaf(const struct pgt_ops *ops, uint64_t root, uint64_t va, uint64_t entry)
{
    uint64_t ea;
    swsev_rc rc = leaf_addr(ops, root, va, &ea);
    return rc ? rc : ops->write64(ops->ctx, ea | ops->access_bits, entry);
}

swsev_rc pgt_unmap(const struct pgt_ops *ops, uint64_t root, uint64_t va, uint64_t size)
{
    if ((va | size) & (PGT_SIZE_4K - 1))
        return SWSEV_HW_ERR(SWSEV_HW_ALIGN);
    for (uint64_t off = 0; off < size; off += PGT_SIZE_4K) {
        uint64_t ea;
        int large;
        swsev_rc rc = walk_to(ops, root, va + off, 1, false, &ea, &large);
        if (rc)
            return rc;
        if (ea && (rc = ops->write64(ops->ctx, ea | ops->access_bits, 0)))
            return rc;
    }
    return SWSEV_OK;
}
