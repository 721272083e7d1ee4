/* SPDX-License-Identifier: MIT */
/*
 * hv/npt.h - nested page tables, owned and written by the hypervisor in host
 * memory through the host path. The tables may live in SME-encrypted host
 * memory (the nCR3 then carries the host C-bit), as a Linux host with SME
 * active does.
 */
#ifndef SWSEV_HV_NPT_H
#define SWSEV_HV_NPT_H

#include <stdbool.h>
#include <stdint.h>

#include "common/pgtable.h"
#include "hv/hostmem.h"
#include "swsev/memsys.h"

/* Leaf flags for hv_npt_map. */
#define NPT_RW     PTE_RW
#define NPT_NX     PTE_NX
#define NPT_HOST_C (1ull << 62) /* placeholder: replaced by the chip's C-bit */

struct hv_npt {
    struct memsys *ms;
    struct hv_hostmem *mem;
    struct pgt_ops ops;
    uint64_t root; /* SPA of the PML4 */
    bool encrypted;
};

swsev_rc hv_npt_init(struct hv_npt *n, struct memsys *ms, struct hv_hostmem *mem, bool encrypted);
/* Tables are not freed page by page; this returns them all. */
void hv_npt_fini(struct hv_npt *n);
/* The value for the VMCB's N_CR3. */
uint64_t hv_npt_ncr3(const struct hv_npt *n);
/* Map GPA range to SPA range; flags from NPT_*; user access is always
 * allowed (nested walks are user accesses). page_size PGT_SIZE_4K/2M. */
swsev_rc hv_npt_map(struct hv_npt *n, uint64_t gpa, uint64_t spa, uint64_t size, uint64_t flags,
                    uint64_t page_size);
swsev_rc hv_npt_unmap(struct hv_npt *n, uint64_t gpa, uint64_t size);
swsev_rc hv_npt_lookup(struct hv_npt *n, uint64_t gpa, uint64_t *entry, int *level);
swsev_rc hv_npt_set_leaf(struct hv_npt *n, uint64_t gpa, uint64_t entry);

#endif
