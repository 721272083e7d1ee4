/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "hw/cache.h"

#define LINES_PER_SECTOR (CACHE_SECTOR / CACHE_LINE)
#define TAG_VALID        (1ull << 63)
#define ALL_LINES        (~0ull)

_Static_assert(LINES_PER_SECTOR == 64, "one bit per line in a 64-bit mask");

swsev_rc cache_init(struct cache *c, uint32_t sets, uint32_t ways, bool coherent,
                    const struct cache_backend *be)
{
    memset(c, 0, sizeof(*c));
    if (sets == 0 || (sets & (sets - 1)) != 0 || ways == 0)
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    size_t n = (size_t)sets * ways;
    c->sets = sets;
    c->ways = ways;
    c->coherent = coherent;
    c->be = *be;
    c->tags = calloc(n, sizeof(*c->tags));
    c->valid = calloc(n, sizeof(*c->valid));
    c->dirty = calloc(n, sizeof(*c->dirty));
    c->stamps = calloc(n, sizeof(*c->stamps));
    c->data = malloc(n * CACHE_SECTOR);
    if (!c->tags || !c->valid || !c->dirty || !c->stamps || !c->data) {
        cache_fini(c);
        return SWSEV_HW_ERR(SWSEV_HW_NOMEM);
    }
    return SWSEV_OK;
}

void cache_fini(struct cache *c)
{
    free(c->tags);
    free(c->valid);
    free(c->dirty);
    free(c->stamps);
    free(c->data);
    c->tags = c->valid = c->dirty = NULL;
    c->stamps = NULL;
    c->data = NULL;
}

static inline uint64_t make_tag(uint32_t keysel, uint64_t pa)
{
    return TAG_VALID | ((pa / CACHE_SECTOR) << 16) | (keysel & 0xffffu);
}

static inline uint64_t tag_page(uint64_t tag)
{
    return ((tag & ~TAG_VALID) >> 16) * CACHE_SECTOR;
}

static inline uint32_t tag_keysel(uint64_t tag)
{
    uint32_t k = tag & 0xffffu;
    return k == 0xffffu ? CACHE_KEYSEL_PLAIN : k;
}

static inline bool same_page(uint64_t tag, uint64_t other)
{
    return ((tag ^ other) & ~0xffffull) == 0;
}

static inline size_t set_base(const struct cache *c, uint64_t pa)
{
    return (size_t)((pa / CACHE_SECTOR) & (c->sets - 1)) * c->ways;
}

static inline uint8_t *sector_data(const struct cache *c, size_t idx)
{
    return c->data + idx * CACHE_SECTOR;
}

/* Bits of the lines that [off, off + len) touches inside a sector. */
static inline uint64_t line_mask(uint64_t off, uint64_t len)
{
    unsigned first = (unsigned)(off / CACHE_LINE);
    unsigned last = (unsigned)((off + len - 1) / CACHE_LINE);
    uint64_t hi = last == 63 ? ALL_LINES : ((1ull << (last + 1)) - 1);
    return hi & ~((1ull << first) - 1);
}

static size_t lookup(const struct cache *c, uint32_t keysel, uint64_t pa)
{
    size_t base = set_base(c, pa);
    uint64_t tag = make_tag(keysel, pa);
    for (size_t w = 0; w < c->ways; w++)
        if (c->tags[base + w] == tag)
            return base + w;
    return SIZE_MAX;
}

/* Write back the dirty lines of sector idx selected by mask, in runs of
 * contiguous lines (one engine request per run), and drop the selected
 * lines. A write-back cannot fail on hardware: a write the memory
 * controller cannot encrypt (no key in the slot) is dropped and counted by
 * the controller. */
static void flush_lines(struct cache *c, size_t idx, uint64_t mask)
{
    uint64_t tag = c->tags[idx];
    if (!tag)
        return;
    uint64_t wb = c->dirty[idx] & c->valid[idx] & mask;
    while (wb) {
        unsigned first = (unsigned)__builtin_ctzll(wb);
        uint64_t rest = wb >> first;
        unsigned n = rest == ALL_LINES ? 64 : (unsigned)__builtin_ctzll(~rest);
        uint64_t off = (uint64_t)first * CACHE_LINE;
        (void)c->be.writeback(c->be.ctx, tag_keysel(tag), tag_page(tag) + off,
                              sector_data(c, idx) + off, (size_t)n * CACHE_LINE);
        c->stats.writebacks += n;
        uint64_t run = n == 64 ? ALL_LINES : (((1ull << n) - 1) << first);
        wb &= ~run;
    }
    c->stats.evictions += (uint64_t)__builtin_popcountll(c->valid[idx] & mask);
    c->valid[idx] &= ~mask;
    c->dirty[idx] &= ~mask;
    if (!c->valid[idx])
        c->tags[idx] = 0;
}

/* Hardware-coherent parts: an access under one key first writes back and
 * drops the copies of the same lines held under other keys. */
static void coherence_purge(struct cache *c, uint32_t keysel, uint64_t pa, uint64_t mask)
{
    size_t base = set_base(c, pa);
    uint64_t tag = make_tag(keysel, pa);
    for (size_t w = 0; w < c->ways; w++) {
        uint64_t t = c->tags[base + w];
        if (t && t != tag && same_page(t, tag))
            flush_lines(c, base + w, mask);
    }
}

/* The sector for (keysel, page of pa), allocated (evicting the LRU sector
 * of the set) when absent. */
static size_t get_sector(struct cache *c, uint32_t keysel, uint64_t pa)
{
    size_t idx = lookup(c, keysel, pa);
    if (idx != SIZE_MAX)
        return idx;
    size_t base = set_base(c, pa), victim = base;
    for (size_t w = 0; w < c->ways; w++) {
        if (!c->tags[base + w]) {
            victim = base + w;
            break;
        }
        if ((int32_t)(c->stamps[base + w] - c->stamps[victim]) < 0)
            victim = base + w;
    }
    flush_lines(c, victim, ALL_LINES);
    c->tags[victim] = make_tag(keysel, pa);
    c->valid[victim] = 0;
    c->dirty[victim] = 0;
    return victim;
}

/* Fill the lines of mask that are not valid yet, one engine request per
 * contiguous run. */
static swsev_rc fill_lines(struct cache *c, size_t idx, uint64_t mask)
{
    uint64_t need = mask & ~c->valid[idx];
    uint64_t page = tag_page(c->tags[idx]);
    uint32_t keysel = tag_keysel(c->tags[idx]);
    c->stats.hits += (uint64_t)__builtin_popcountll(mask & c->valid[idx]);
    while (need) {
        unsigned first = (unsigned)__builtin_ctzll(need);
        uint64_t rest = need >> first;
        unsigned n = rest == ALL_LINES ? 64 : (unsigned)__builtin_ctzll(~rest);
        uint64_t off = (uint64_t)first * CACHE_LINE;
        swsev_rc rc = c->be.fill(c->be.ctx, keysel, page + off, sector_data(c, idx) + off,
                                 (size_t)n * CACHE_LINE);
        if (rc)
            return rc;
        uint64_t run = n == 64 ? ALL_LINES : (((1ull << n) - 1) << first);
        c->valid[idx] |= run;
        c->stats.misses += n;
        need &= ~run;
    }
    return SWSEV_OK;
}

static bool in_one_page(uint64_t pa, size_t len)
{
    return len == 0 || (pa / CACHE_SECTOR) == ((pa + len - 1) / CACHE_SECTOR);
}

/* Release a sector that an aborted fill left without valid lines. */
static void drop_if_empty(struct cache *c, size_t idx)
{
    if (!c->valid[idx])
        c->tags[idx] = 0;
}

swsev_rc cache_read(struct cache *c, uint32_t keysel, uint64_t pa, void *buf, size_t len)
{
    if (!in_one_page(pa, len))
        return SWSEV_HW_ERR(SWSEV_HW_SIZE);
    if (len == 0)
        return SWSEV_OK;
    uint64_t off = pa % CACHE_SECTOR, mask = line_mask(off, len);
    if (c->coherent)
        coherence_purge(c, keysel, pa, mask);
    size_t idx = get_sector(c, keysel, pa);
    swsev_rc rc = fill_lines(c, idx, mask);
    if (rc) {
        drop_if_empty(c, idx);
        return rc;
    }
    c->stamps[idx] = ++c->clock;
    memcpy(buf, sector_data(c, idx) + off, len);
    return SWSEV_OK;
}

swsev_rc cache_write(struct cache *c, uint32_t keysel, uint64_t pa, const void *buf, size_t len)
{
    if (!in_one_page(pa, len))
        return SWSEV_HW_ERR(SWSEV_HW_SIZE);
    if (len == 0)
        return SWSEV_OK;
    uint64_t off = pa % CACHE_SECTOR, mask = line_mask(off, len);
    if (c->coherent)
        coherence_purge(c, keysel, pa, mask);
    size_t idx = get_sector(c, keysel, pa);
    /* Lines written only in part are read first; whole lines are not. */
    uint64_t partial = 0;
    if (off % CACHE_LINE)
        partial |= line_mask(off, 1);
    if ((off + len) % CACHE_LINE)
        partial |= line_mask(off + len - 1, 1);
    swsev_rc rc = fill_lines(c, idx, partial);
    if (rc) {
        drop_if_empty(c, idx);
        return rc;
    }
    c->stats.misses += (uint64_t)__builtin_popcountll(mask & ~partial & ~c->valid[idx]);
    c->valid[idx] |= mask;
    c->dirty[idx] |= mask;
    c->stamps[idx] = ++c->clock;
    memcpy(sector_data(c, idx) + off, buf, len);
    return SWSEV_OK;
}

void cache_flush_all(struct cache *c)
{
    for (size_t i = 0; i < (size_t)c->sets * c->ways; i++)
        flush_lines(c, i, ALL_LINES);
}

void cache_flush_page(struct cache *c, uint32_t keysel, uint64_t page_pa, bool all_keys)
{
    size_t base = set_base(c, page_pa);
    uint64_t tag = make_tag(keysel, page_pa);
    for (size_t w = 0; w < c->ways; w++) {
        uint64_t t = c->tags[base + w];
        if (t && (all_keys ? same_page(t, tag) : t == tag))
            flush_lines(c, base + w, ALL_LINES);
    }
}

void cache_flush_line(struct cache *c, uint32_t keysel, uint64_t pa)
{
    size_t idx = lookup(c, keysel, pa);
    if (idx != SIZE_MAX)
        flush_lines(c, idx, line_mask(pa % CACHE_SECTOR, 1));
}

void cache_flush_range(struct cache *c, uint32_t keysel, uint64_t pa, uint64_t len)
{
    while (len > 0) {
        uint64_t off = pa % CACHE_SECTOR;
        uint64_t n = CACHE_SECTOR - off < len ? CACHE_SECTOR - off : len;
        size_t idx = lookup(c, keysel, pa);
        if (idx != SIZE_MAX)
            flush_lines(c, idx, line_mask(off, n));
        pa += n;
        len -= n;
    }
}

void cache_invalidate_keysel(struct cache *c, uint32_t keysel)
{
    for (size_t i = 0; i < (size_t)c->sets * c->ways; i++) {
        if (c->tags[i] && tag_keysel(c->tags[i]) == keysel) {
            c->tags[i] = 0;
            c->valid[i] = c->dirty[i] = 0;
        }
    }
}

unsigned cache_count_keysel_range(const struct cache *c, uint32_t lo, uint32_t hi, unsigned *dirty)
{
    unsigned n = 0, d = 0;
    for (size_t i = 0; i < (size_t)c->sets * c->ways; i++) {
        uint32_t k = tag_keysel(c->tags[i]);
        if (c->tags[i] && k >= lo && k <= hi) {
            n += (unsigned)__builtin_popcountll(c->valid[i]);
            d += (unsigned)__builtin_popcountll(c->valid[i] & c->dirty[i]);
        }
    }
    if (dirty)
        *dirty = d;
    return n;
}

unsigned cache_count_keysel(const struct cache *c, uint32_t keysel, unsigned *dirty)
{
    return cache_count_keysel_range(c, keysel, keysel, dirty);
}

bool cache_probe(const struct cache *c, uint32_t keysel, uint64_t pa, bool *dirty)
{
    size_t idx = lookup(c, keysel, pa);
    uint64_t bit = line_mask(pa % CACHE_SECTOR, 1);
    if (idx == SIZE_MAX || !(c->valid[idx] & bit))
        return false;
    if (dirty)
        *dirty = (c->dirty[idx] & bit) != 0;
    return true;
}
