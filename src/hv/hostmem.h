/* SPDX-License-Identifier: MIT */
/*
 * hv/hostmem.h - the hypervisor's allocator of host physical pages: a
 * first-fit bitmap over a range of simulated DRAM. Guest memory, nested
 * page tables and firmware command buffers all come from it.
 * Thread-safe.
 */
#ifndef SWSEV_HV_HOSTMEM_H
#define SWSEV_HV_HOSTMEM_H

#include <pthread.h>
#include <stdint.h>

#include "swsev/status.h"

struct hv_hostmem {
    pthread_mutex_t lock;
    uint64_t base;   /* first managed SPA */
    uint64_t npages; /* managed 4 KiB pages */
    uint64_t *bitmap;
    uint64_t hint;
    uint64_t used;
};

swsev_rc hv_hostmem_init(struct hv_hostmem *hm, uint64_t base, uint64_t size);
void hv_hostmem_fini(struct hv_hostmem *hm);
/* npages contiguous pages aligned to align_pages (a power of two). */
swsev_rc hv_hostmem_alloc(struct hv_hostmem *hm, uint64_t npages, uint64_t align_pages,
                          uint64_t *pa);
/* Return pages; freeing pages that are not allocated is an error. */
swsev_rc hv_hostmem_free(struct hv_hostmem *hm, uint64_t pa, uint64_t npages);

#endif
