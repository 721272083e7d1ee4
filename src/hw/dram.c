/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hw/dram.h"

swsev_rc dram_init(struct dram *d, uint64_t size)
{
    d->base = NULL;
    d->size = 0;
    if (size == 0 || size % 4096 != 0)
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        return SWSEV_HW_ERR(SWSEV_HW_NOMEM);
    d->base = p;
    d->size = size;
    return SWSEV_OK;
}

void dram_fini(struct dram *d)
{
    if (d->base)
        munmap(d->base, d->size);
    d->base = NULL;
    d->size = 0;
}

uint64_t dram_resident_bytes(const struct dram *d)
{
    const uint64_t chunk = 1ull << 30;
    long pg = sysconf(_SC_PAGESIZE);
    unsigned char *vec = malloc(chunk / (uint64_t)pg);
    uint64_t total = 0;
    if (!vec)
        return 0;
    for (uint64_t off = 0; off < d->size; off += chunk) {
        uint64_t len = d->size - off < chunk ? d->size - off : chunk;
        if (mincore(d->base + off, len, vec) != 0)
            break;
        for (uint64_t i = 0; i < len / (uint64_t)pg; i++)
            total += (vec[i] & 1) ? (uint64_t)pg : 0;
    }
    free(vec);
    return total;
}
