/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "hv/npt.h"

static swsev_rc npt_read64(void *ctx, uint64_t addr, uint64_t *val)
{
    struct hv_npt *n = ctx;
    return memsys_host_read64(n->ms, addr, val);
}

static swsev_rc npt_write64(void *ctx, uint64_t addr, uint64_t val)
{
    struct hv_npt *n = ctx;
    return memsys_host_write64(n->ms, addr, val);
}

static swsev_rc npt_alloc_table(void *ctx, uint64_t *addr)
{
    static const uint8_t zero[4096];
    struct hv_npt *n = ctx;
    swsev_rc rc = hv_hostmem_alloc(n->mem, 1, 1, addr);
    if (!rc)
        rc = memsys_host_write(n->ms, *addr | n->ops.access_bits, zero, sizeof(zero));
    return rc;
}

swsev_rc hv_npt_init(struct hv_npt *n, struct memsys *ms, struct hv_hostmem *mem, bool encrypted)
{
    memset(n, 0, sizeof(*n));
    n->ms = ms;
    n->mem = mem;
    n->encrypted = encrypted;
    uint64_t c = encrypted ? memsys_cbit_mask(ms) : 0;
    uint64_t limit = (1ull << chip_effective_pa_bits(memsys_chip(ms))) - 1;
    n->ops = (struct pgt_ops){
        .ctx = n,
        .read64 = npt_read64,
        .write64 = npt_write64,
        .alloc_table = npt_alloc_table,
        .access_bits = c,
        .table_flags = PTE_P | PTE_RW | PTE_US | c,
        .addr_mask = 0x000FFFFFFFFFF000ull & limit,
    };
    return npt_alloc_table(n, &n->root);
}

void hv_npt_fini(struct hv_npt *n)
{
    /* Free every table reachable from the root. */
    if (!n->ms)
        return;
    for (unsigned i4 = 0; i4 < 512; i4++) {
        uint64_t e4;
        if (npt_read64(n, (n->root + i4 * 8) | n->ops.access_bits, &e4) || !(e4 & PTE_P))
            continue;
        uint64_t t3 = e4 & n->ops.addr_mask;
        for (unsigned i3 = 0; i3 < 512; i3++) {
            uint64_t e3;
            if (npt_read64(n, (t3 + i3 * 8) | n->ops.access_bits, &e3) || !(e3 & PTE_P) ||
                (e3 & PTE_PS))
                continue;
            uint64_t t2 = e3 & n->ops.addr_mask;
            for (unsigned i2 = 0; i2 < 512; i2++) {
                uint64_t e2;
                if (npt_read64(n, (t2 + i2 * 8) | n->ops.access_bits, &e2) || !(e2 & PTE_P) ||
                    (e2 & PTE_PS))
                    continue;
                hv_hostmem_free(n->mem, e2 & n->ops.addr_mask, 1);
            }
            hv_hostmem_free(n->mem, t2, 1);
        }
        hv_hostmem_free(n->mem, t3, 1);
    }
    hv_hostmem_free(n->mem, n->root, 1);
    n->ms = NULL;
}

uint64_t hv_npt_ncr3(const struct hv_npt *n)
{
    return n->root | n->ops.access_bits;
}

swsev_rc hv_npt_map(struct hv_npt *n, uint64_t gpa, uint64_t spa, uint64_t size, uint64_t flags,
                    uint64_t page_size)
{
    uint64_t leaf = PTE_US | (flags & (NPT_RW | NPT_NX));
    if (flags & NPT_HOST_C)
        leaf |= memsys_cbit_mask(n->ms);
    return pgt_map(&n->ops, n->root, gpa, spa, size, leaf, page_size);
}

swsev_rc hv_npt_unmap(struct hv_npt *n, uint64_t gpa, uint64_t size)
{
    return pgt_unmap(&n->ops, n->root, gpa, size);
}

swsev_rc hv_npt_lookup(struct hv_npt *n, uint64_t gpa, uint64_t *entry, int *level)
{
    return pgt_lookup(&n->ops, n->root, gpa, entry, level);
}

swsev_rc hv_npt_set_leaf(struct hv_npt *n, uint64_t gpa, uint64_t entry)
{
    return pgt_set_leaf(&n->ops, n->root, gpa, entry);
}
