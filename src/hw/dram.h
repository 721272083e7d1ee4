/* SPDX-License-Identifier: MIT */
/*
 * hw/dram.h - the simulated physical memory: a flat, sparse byte array.
 *
 * DRAM is one anonymous MAP_NORESERVE mapping of dram_size bytes: the host
 * kernel allocates a page only when it is first written, so a 256 GiB
 * machine costs what its guests touch. Untouched memory reads as zero.
 * DRAM holds what the memory controller wrote: ciphertext for encrypted
 * accesses. Only the memory controller and the cache reach it.
 */
#ifndef SWSEV_HW_DRAM_H
#define SWSEV_HW_DRAM_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/status.h"

struct dram {
    uint8_t *base;
    uint64_t size;
};

swsev_rc dram_init(struct dram *d, uint64_t size);
void dram_fini(struct dram *d);

/* SWSEV_OK when [pa, pa + len) lies inside DRAM (len may be 0). */
static inline swsev_rc dram_check(const struct dram *d, uint64_t pa, uint64_t len)
{
    if (pa > d->size || len > d->size - pa)
        return SWSEV_HW_ERR(SWSEV_HW_RANGE);
    return SWSEV_OK;
}

/* Host pointer to DRAM byte pa; the caller has checked the range. */
static inline uint8_t *dram_ptr(const struct dram *d, uint64_t pa)
{
    return d->base + pa;
}

/* Bytes of DRAM the host actually backs (pages touched so far). */
uint64_t dram_resident_bytes(const struct dram *d);

#endif
