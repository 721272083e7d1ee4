/* SPDX-License-Identifier: MIT */
/*
 * hw/cache.h - the shared data cache between the agents (cores, PSP) and
 * the memory controller.
 *
 * Lines are 64 bytes of *plaintext*, tagged by (key selector, PA): the key
 * selector is the ASID whose key encrypts the line on its way to DRAM, or
 * CACHE_KEYSEL_PLAIN for unencrypted (C=0) accesses. Write-back and
 * write-allocate. The same PA cached under two key selectors is two
 * different lines, which is exactly the aliasing that SEV software must
 * flush around; with hardware-enforced coherency (CPUID Fn8000_001F
 * EAX[10]) an access under one key first writes back and drops the lines of
 * the same PA held under other keys.
 *
 * Organisation: a sectored cache. A sector holds the 64 lines of one 4 KiB
 * page for one key selector, each line with its own valid and dirty bit;
 * sets of sectors are indexed by page number, LRU within a set. A line is
 * filled, written back and flushed individually; only replacement is
 * page-granular. This keeps a page access at one tag lookup.
 *
 * The cache reaches DRAM only through its backend (the memory controller).
 * Not thread-safe: the memory system serialises access.
 */
#ifndef SWSEV_HW_CACHE_H
#define SWSEV_HW_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/status.h"

#define CACHE_LINE         64u
#define CACHE_SECTOR       4096u
#define CACHE_KEYSEL_PLAIN 0xFFFFFFFFu

struct cache_backend {
    void *ctx;
    /* Read / write len bytes (multiple of 64, within one 4 KiB page) of DRAM
     * at pa through the engine with key selector keysel. */
    swsev_rc (*fill)(void *ctx, uint32_t keysel, uint64_t pa, uint8_t *buf, size_t len);
    swsev_rc (*writeback)(void *ctx, uint32_t keysel, uint64_t pa, const uint8_t *buf, size_t len);
};

struct cache_stats {
    uint64_t hits, misses, writebacks, evictions; /* in lines */
};

struct cache {
    uint32_t sets, ways; /* of sectors */
    bool coherent;
    uint64_t *tags;   /* sets * ways: valid bit | page number | key selector; 0 = free */
    uint64_t *valid;  /* per-line valid bits of each sector */
    uint64_t *dirty;  /* per-line dirty bits of each sector */
    uint32_t *stamps; /* LRU ages */
    uint8_t *data;    /* sets * ways * 4096 */
    uint32_t clock;
    struct cache_backend be;
    struct cache_stats stats;
};

/* Capacity is sets * ways * 4 KiB. */
swsev_rc cache_init(struct cache *c, uint32_t sets, uint32_t ways, bool coherent,
                    const struct cache_backend *be);
void cache_fini(struct cache *c);

/* Read / write [pa, pa + len) as seen under keysel. Any alignment; the
 * range must not cross a 4 KiB page (callers split). */
swsev_rc cache_read(struct cache *c, uint32_t keysel, uint64_t pa, void *buf, size_t len);
swsev_rc cache_write(struct cache *c, uint32_t keysel, uint64_t pa, const void *buf, size_t len);

/* WBINVD: write back every dirty line and invalidate the whole cache. */
void cache_flush_all(struct cache *c);
/* Write back and invalidate the lines of one 4 KiB page under keysel
 * (VM_PAGE_FLUSH), or under every key selector when all_keys is set. */
void cache_flush_page(struct cache *c, uint32_t keysel, uint64_t page_pa, bool all_keys);
/* Write back and invalidate one line under keysel (CLFLUSH). */
void cache_flush_line(struct cache *c, uint32_t keysel, uint64_t pa);
/* Write back and invalidate the lines of [pa, pa + len) under keysel
 * (CLFLUSH over a range); the range may cross pages. */
void cache_flush_range(struct cache *c, uint32_t keysel, uint64_t pa, uint64_t len);
/* Drop every line tagged keysel without writing it back. */
void cache_invalidate_keysel(struct cache *c, uint32_t keysel);
/* Valid lines tagged with a key selector in [lo, hi] (dirty ones in *dirty). */
unsigned cache_count_keysel_range(const struct cache *c, uint32_t lo, uint32_t hi, unsigned *dirty);
unsigned cache_count_keysel(const struct cache *c, uint32_t keysel, unsigned *dirty);
/* Whether line (keysel, pa) is cached, and dirty. */
bool cache_probe(const struct cache *c, uint32_t keysel, uint64_t pa, bool *dirty);

#endif
