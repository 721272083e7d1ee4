/* SPDX-License-Identifier: MIT */
/* The sectored, key-tagged write-back cache, over a fake backend that keeps
 * one plaintext copy of "DRAM" per key selector and counts requests. */
#include <string.h>

#include "testsupport.h"
#include "hw/cache.h"

#define MEM (1u << 20)

struct fake {
    uint8_t mem[2][MEM]; /* [0] for keysel 1, [1] for everything else */
    unsigned fills, writebacks;
    size_t fill_bytes, wb_bytes;
    uint32_t fail_keysel;
    struct cache c;
};

static uint8_t *plane(struct fake *f, uint32_t k)
{
    return f->mem[k == 1 ? 0 : 1];
}

static swsev_rc fake_fill(void *ctx, uint32_t k, uint64_t pa, uint8_t *buf, size_t len)
{
    struct fake *f = ctx;
    if (k == f->fail_keysel)
        return SWSEV_HW_ERR(SWSEV_HW_NOKEY);
    assert_true(len % 64 == 0 && pa % 64 == 0 && pa / 4096 == (pa + len - 1) / 4096);
    f->fills++;
    f->fill_bytes += len;
    memcpy(buf, plane(f, k) + pa, len);
    return SWSEV_OK;
}

static swsev_rc fake_wb(void *ctx, uint32_t k, uint64_t pa, const uint8_t *buf, size_t len)
{
    struct fake *f = ctx;
    assert_true(len % 64 == 0 && pa % 64 == 0 && pa / 4096 == (pa + len - 1) / 4096);
    f->writebacks++;
    f->wb_bytes += len;
    memcpy(plane(f, k) + pa, buf, len);
    return SWSEV_OK;
}

static struct fake *make(uint32_t sets, uint32_t ways, bool coherent)
{
    struct fake *f = calloc(1, sizeof(*f));
    f->fail_keysel = 0xdead;
    struct cache_backend be = {f, fake_fill, fake_wb};
    assert_int_equal(cache_init(&f->c, sets, ways, coherent, &be), SWSEV_OK);
    return f;
}

static void destroy(struct fake *f)
{
    cache_fini(&f->c);
    free(f);
}

static void miss_then_hit(void **state)
{
    (void)state;
    struct fake *f = make(4, 2, false);
    memset(plane(f, 1) + 0x1000, 0xab, 4096);
    uint8_t b[100];
    assert_int_equal(cache_read(&f->c, 1, 0x1010, b, 100), SWSEV_OK);
    assert_int_equal(f->fills, 1); /* lines 0..1 of the page in one request */
    assert_int_equal(f->fill_bytes, 128);
    assert_int_equal(cache_read(&f->c, 1, 0x1000, b, 64), SWSEV_OK);
    assert_int_equal(f->fills, 1); /* hit */
    assert_int_equal(cache_read(&f->c, 1, 0x1000, b, 100), SWSEV_OK);
    assert_int_equal(f->fills, 1);
    assert_int_equal(cache_read(&f->c, 1, 0x1000, b, 4096 > 100 ? 100 : 0), SWSEV_OK);
    uint8_t page[4096];
    assert_int_equal(cache_read(&f->c, 1, 0x1000, page, 4096), SWSEV_OK);
    assert_int_equal(f->fills, 2); /* only the missing run was filled */
    assert_int_equal(f->fill_bytes, 4096);
    assert_int_equal(page[4095], 0xab);
    assert_true(f->c.stats.hits > 0 && f->c.stats.misses == 64);
    destroy(f);
}

static void write_back_not_through(void **state)
{
    (void)state;
    struct fake *f = make(4, 2, false);
    uint8_t b[64];
    memset(b, 0x5a, sizeof(b));
    assert_int_equal(cache_write(&f->c, 1, 0x2000, b, 64), SWSEV_OK);
    assert_int_equal(f->fills, 0);            /* whole line: no read */
    assert_int_equal(plane(f, 1)[0x2000], 0); /* still only in the cache */
    bool dirty = false;
    assert_true(cache_probe(&f->c, 1, 0x2000, &dirty));
    assert_true(dirty);
    /* A partial line is read first. */
    assert_int_equal(cache_write(&f->c, 1, 0x2045, b, 3), SWSEV_OK);
    assert_int_equal(f->fills, 1);
    cache_flush_all(&f->c);
    assert_int_equal(plane(f, 1)[0x2000], 0x5a);
    assert_int_equal(plane(f, 1)[0x2046], 0x5a);
    assert_int_equal(plane(f, 1)[0x2048], 0);
    assert_false(cache_probe(&f->c, 1, 0x2000, NULL));
    assert_int_equal(cache_count_keysel(&f->c, 1, NULL), 0);
    destroy(f);
}

static void lru_eviction_writes_back(void **state)
{
    (void)state;
    struct fake *f = make(1, 2, false); /* two sectors in all */
    uint8_t b[64] = {1};
    assert_int_equal(cache_write(&f->c, 1, 0x0000, b, 64), SWSEV_OK);
    assert_int_equal(cache_read(&f->c, 1, 0x1000, b, 8), SWSEV_OK);
    assert_int_equal(cache_read(&f->c, 1, 0x0000, b, 8), SWSEV_OK); /* 0x0000 most recent */
    assert_int_equal(cache_read(&f->c, 1, 0x2000, b, 8), SWSEV_OK); /* evicts 0x1000 */
    assert_true(cache_probe(&f->c, 1, 0x0000, NULL));
    assert_false(cache_probe(&f->c, 1, 0x1000, NULL));
    assert_int_equal(f->writebacks, 0);
    assert_int_equal(cache_read(&f->c, 1, 0x3000, b, 8), SWSEV_OK); /* evicts dirty 0x0000 */
    assert_int_equal(f->writebacks, 1);
    assert_int_equal(plane(f, 1)[0], 1);
    destroy(f);
}

static void dirty_runs_merge(void **state)
{
    (void)state;
    struct fake *f = make(4, 2, false);
    uint8_t page[4096];
    memset(page, 7, sizeof(page));
    assert_int_equal(cache_write(&f->c, 1, 0x4000, page, 4096), SWSEV_OK);
    cache_flush_page(&f->c, 1, 0x4000, false);
    assert_int_equal(f->writebacks, 1); /* one request for the whole page */
    assert_int_equal(f->wb_bytes, 4096);
    assert_int_equal(cache_write(&f->c, 1, 0x4000, page, 64), SWSEV_OK);
    assert_int_equal(cache_write(&f->c, 1, 0x4100, page, 64), SWSEV_OK);
    cache_flush_all(&f->c);
    assert_int_equal(f->writebacks, 3); /* two separate runs */
    destroy(f);
}

static void keys_are_separate_lines(void **state)
{
    (void)state;
    struct fake *f = make(4, 4, false);
    uint8_t a[64], b[64], r[64];
    memset(a, 0xaa, 64);
    memset(b, 0xbb, 64);
    assert_int_equal(cache_write(&f->c, 1, 0x8000, a, 64), SWSEV_OK);
    assert_int_equal(cache_write(&f->c, 2, 0x8000, b, 64), SWSEV_OK);
    assert_int_equal(cache_read(&f->c, 1, 0x8000, r, 64), SWSEV_OK);
    assert_memory_equal(r, a, 64);
    assert_int_equal(cache_read(&f->c, 2, 0x8000, r, 64), SWSEV_OK);
    assert_memory_equal(r, b, 64);
    assert_int_equal(cache_count_keysel(&f->c, 1, NULL), 1);
    /* Flush of one key leaves the other. */
    cache_flush_page(&f->c, 2, 0x8000, false);
    assert_true(cache_probe(&f->c, 1, 0x8000, NULL));
    assert_false(cache_probe(&f->c, 2, 0x8000, NULL));
    cache_flush_page(&f->c, 0, 0x8000, true);
    assert_false(cache_probe(&f->c, 1, 0x8000, NULL));
    destroy(f);
}

static void coherent_purges_other_keys(void **state)
{
    (void)state;
    struct fake *f = make(4, 4, true);
    uint8_t a[64], r[64];
    memset(a, 0xaa, 64);
    assert_int_equal(cache_write(&f->c, 1, 0x8000, a, 64), SWSEV_OK);
    assert_int_equal(cache_read(&f->c, 2, 0x8000, r, 64), SWSEV_OK);
    /* key 1's dirty line was written back and dropped first */
    assert_int_equal(f->writebacks, 1);
    assert_false(cache_probe(&f->c, 1, 0x8000, NULL));
    assert_true(cache_probe(&f->c, 2, 0x8000, NULL));
    /* only the lines touched are purged */
    assert_int_equal(cache_write(&f->c, 1, 0x9000, a, 64), SWSEV_OK);
    assert_int_equal(cache_write(&f->c, 1, 0x9040, a, 64), SWSEV_OK);
    assert_int_equal(cache_read(&f->c, 2, 0x9000, r, 16), SWSEV_OK);
    assert_false(cache_probe(&f->c, 1, 0x9000, NULL));
    assert_true(cache_probe(&f->c, 1, 0x9040, NULL));
    destroy(f);
}

static void flush_line_and_invalidate(void **state)
{
    (void)state;
    struct fake *f = make(4, 2, false);
    uint8_t a[128];
    memset(a, 3, sizeof(a));
    assert_int_equal(cache_write(&f->c, 5, 0xa000, a, 128), SWSEV_OK);
    cache_flush_line(&f->c, 5, 0xa040);
    assert_int_equal(plane(f, 5)[0xa040], 3);
    assert_int_equal(plane(f, 5)[0xa000], 0);
    assert_true(cache_probe(&f->c, 5, 0xa000, NULL));
    cache_invalidate_keysel(&f->c, 5); /* dropped, not written */
    assert_false(cache_probe(&f->c, 5, 0xa000, NULL));
    cache_flush_all(&f->c);
    assert_int_equal(plane(f, 5)[0xa000], 0);
    destroy(f);
}

static void errors_leave_no_state(void **state)
{
    (void)state;
    struct fake *f = make(4, 2, false);
    uint8_t b[64];
    assert_int_equal(cache_read(&f->c, 1, 0xff0, b, 32), SWSEV_HW_ERR(SWSEV_HW_SIZE));
    assert_int_equal(cache_write(&f->c, 1, 0xff0, b, 32), SWSEV_HW_ERR(SWSEV_HW_SIZE));
    f->fail_keysel = 9;
    assert_int_equal(cache_read(&f->c, 9, 0x1000, b, 8), SWSEV_HW_ERR(SWSEV_HW_NOKEY));
    assert_int_equal(cache_write(&f->c, 9, 0x1004, b, 8), SWSEV_HW_ERR(SWSEV_HW_NOKEY));
    assert_int_equal(cache_count_keysel(&f->c, 9, NULL), 0);
    assert_int_equal(cache_read(&f->c, 1, 0x1000, b, 0), SWSEV_OK);
    struct cache c2;
    struct cache_backend be = {f, fake_fill, fake_wb};
    assert_int_equal(cache_init(&c2, 3, 2, false, &be), SWSEV_HW_ERR(SWSEV_HW_INVAL));
    assert_int_equal(cache_init(&c2, 4, 0, false, &be), SWSEV_HW_ERR(SWSEV_HW_INVAL));
    destroy(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(miss_then_hit),
        cmocka_unit_test(write_back_not_through),
        cmocka_unit_test(lru_eviction_writes_back),
        cmocka_unit_test(dirty_runs_merge),
        cmocka_unit_test(keys_are_separate_lines),
        cmocka_unit_test(coherent_purges_other_keys),
        cmocka_unit_test(flush_line_and_invalidate),
        cmocka_unit_test(errors_leave_no_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
