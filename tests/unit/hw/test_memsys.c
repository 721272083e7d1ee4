/* SPDX-License-Identifier: MIT */
/* The memory system's host and firmware paths, cache control and flushes. */
#include "testsupport.h"

#define C47 (1ull << 47)

static void host_plain_and_sme(void **state)
{
    (void)state;
    struct ts_machine m;
    ts_machine_init(&m, "rome", 0);
    uint8_t msg[64] = "plaintext through a C=0 host mapping", raw[64], back[64];
    assert_int_equal(memsys_host_write(m.ms, 0x2000000, msg, sizeof(msg)), SWSEV_OK);
    memsys_wbinvd(m.ms, 0);
    assert_int_equal(memsys_fw_read(m.fw, MEMSYS_KEYSEL_PLAIN, 0x2000000, raw, 64), SWSEV_OK);
    assert_memory_equal(raw, msg, 64); /* DRAM holds plaintext */

    /* SME: the host's C-bit selects slot 0. */
    assert_int_equal(memsys_host_write(m.ms, 0x2001000 | C47, msg, sizeof(msg)), SWSEV_OK);
    assert_int_equal(memsys_host_read(m.ms, 0x2001000 | C47, back, sizeof(back)), SWSEV_OK);
    assert_memory_equal(back, msg, 64);
    memsys_wbinvd(m.ms, 0);
    assert_int_equal(memsys_host_read(m.ms, 0x2001000, raw, 64), SWSEV_OK);
    assert_memory_not_equal(raw, msg, 64); /* DRAM holds ciphertext */
    assert_int_equal(memsys_fw_read(m.fw, 0, 0x2001000, back, 64), SWSEV_OK);
    assert_memory_equal(back, msg, 64);

    uint64_t v = 0x1122334455667788ull, r = 0;
    assert_int_equal(memsys_host_write64(m.ms, 0x2002008, v), SWSEV_OK);
    assert_int_equal(memsys_host_read64(m.ms, 0x2002008, &r), SWSEV_OK);
    assert_true(r == v);
    /* Unaligned multi-page host access. */
    static uint8_t big[10000], big2[10000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 13);
    assert_int_equal(memsys_host_write(m.ms, 0x2003007 | C47, big, sizeof(big)), SWSEV_OK);
    assert_int_equal(memsys_host_read(m.ms, 0x2003007 | C47, big2, sizeof(big2)), SWSEV_OK);
    assert_memory_equal(big, big2, sizeof(big));
    ts_machine_fini(&m);
}

static void host_bad_input(void **state)
{
    (void)state;
    struct ts_machine m;
    ts_machine_init(&m, "rome", 64ull << 20);
    uint8_t b[16];
    uint64_t v;
    const swsev_rc range = SWSEV_HW_ERR(SWSEV_HW_RANGE), align = SWSEV_HW_ERR(SWSEV_HW_ALIGN);
    assert_int_equal(memsys_host_read(m.ms, 64ull << 20, b, 1), range);
    assert_int_equal(memsys_host_read(m.ms, (64ull << 20) - 8, b, 16), range);
    assert_int_equal(memsys_host_write(m.ms, 1ull << 44, b, 1), range); /* above MAXPHYADDR */
    assert_int_equal(memsys_host_read(m.ms, ~0ull, b, 16), range);
    assert_int_equal(memsys_host_read(m.ms, 0x1000, b, SIZE_MAX), range); /* wraps */
    assert_int_equal(memsys_host_read64(m.ms, 0x1004, &v), align);
    assert_int_equal(memsys_host_write64(m.ms, 0x1001, 1), align);
    assert_int_equal(memsys_clflush(m.ms, 64ull << 20), range);
    assert_int_equal(memsys_vm_page_flush(m.ms, (64ull << 20) | 1), range);
    assert_int_equal(memsys_vm_page_flush(m.ms, 0x1000 | 510), SWSEV_HW_ERR(SWSEV_HW_INVAL));
    assert_int_equal(memsys_host_read(m.ms, 0x1000, b, 0), SWSEV_OK);
    ts_machine_fini(&m);
}

static void firmware_port(void **state)
{
    (void)state;
    struct ts_machine m;
    ts_machine_init(&m, "rome", 64ull << 20);
    struct memsys_fw_port *again;
    assert_int_equal(memsys_claim_fw_port(m.ms, &again), SWSEV_HW_ERR(SWSEV_HW_BUSY));
    uint8_t key[32] = {0}, b[32];
    const swsev_rc inval = SWSEV_HW_ERR(SWSEV_HW_INVAL);
    assert_int_equal(memsys_fw_set_key(m.fw, 510, key, 16), inval); /* rome: 509 ASIDs */
    assert_int_equal(memsys_fw_set_key(m.fw, 5, key, 24), inval);
    assert_int_equal(memsys_fw_set_key(m.fw, 5, key, 0), inval);
    assert_int_equal(memsys_fw_read(m.fw, 510, 0x1000, b, 16), inval);
    assert_false(memsys_fw_has_key(m.fw, 5));
    assert_int_equal(memsys_fw_read(m.fw, 5, 0x1000, b, 16), SWSEV_HW_ERR(SWSEV_HW_NOKEY));
    assert_int_equal(memsys_fw_set_key(m.fw, 5, key, 32), SWSEV_OK); /* AES-256 slot */
    assert_true(memsys_fw_has_key(m.fw, 5));
    assert_int_equal(memsys_fw_write(m.fw, 5, 0x1000, "abc", 3), SWSEV_OK);
    assert_int_equal(memsys_fw_read(m.fw, 5, 0x1000, b, 3), SWSEV_OK);
    assert_memory_equal(b, "abc", 3);
    assert_int_equal(memsys_fw_clear_key(m.fw, 5), SWSEV_OK);
    assert_false(memsys_fw_has_key(m.fw, 5));
    assert_int_equal(memsys_fw_clear_key(m.fw, 600), inval);
    assert_int_equal(memsys_fw_read(m.fw, 5, 0x1000, b, 3), SWSEV_HW_ERR(SWSEV_HW_NOKEY));
    /* The dirty line of the cleared key cannot be encrypted: the write is dropped. */
    memsys_wbinvd(m.ms, 0);
    struct memsys_stats st;
    memsys_get_stats(m.ms, &st);
    assert_true(st.dropped_writes >= 1);
    assert_int_equal(memsys_fw_read(m.fw, MEMSYS_KEYSEL_PLAIN, 0x1000, b, 3), SWSEV_OK);
    assert_memory_not_equal(b, "abc", 3);
    ts_machine_fini(&m);
}

/* What hardware does when an ASID is reused with a new key and nobody
 * flushed: the old guest's lines are still tagged with that ASID. */
static void asid_reuse_without_flush(void **state)
{
    (void)state;
    struct ts_machine m;
    ts_machine_init(&m, "rome", 64ull << 20);
    const char secret[32] = "old guest's secret in ASID 7";
    uint8_t b[32];
    ts_set_key(&m, 7, 0x11);
    assert_int_equal(memsys_fw_write(m.fw, 7, 0x300000, secret, 32), SWSEV_OK);
    unsigned dirty = 0;
    assert_int_equal(memsys_cached_lines(m.ms, 7, &dirty), 1);
    assert_int_equal(dirty, 1);
    /* DEACTIVATE + ACTIVATE of a new guest on ASID 7, no WBINVD, no DF_FLUSH. */
    ts_set_key(&m, 7, 0x22);
    assert_int_equal(memsys_fw_read(m.fw, 7, 0x300000, b, 32), SWSEV_OK);
    assert_memory_equal(b, secret, 32); /* the new owner reads the old plaintext */
    /* And the old line is written back under the new key. */
    memsys_wbinvd(m.ms, 0);
    assert_int_equal(memsys_fw_read(m.fw, 7, 0x300000, b, 32), SWSEV_OK);
    assert_memory_equal(b, secret, 32);

    /* Done right: flush before the key changes. */
    assert_int_equal(memsys_fw_write(m.fw, 7, 0x301000, secret, 32), SWSEV_OK);
    memsys_wbinvd(m.ms, 0);
    memsys_wbinvd(m.ms, 1);
    assert_int_equal(memsys_fw_df_flush(m.fw), 0);
    ts_set_key(&m, 7, 0x33);
    assert_int_equal(memsys_fw_read(m.fw, 7, 0x301000, b, 32), SWSEV_OK);
    assert_memory_not_equal(b, secret, 32);
    ts_machine_fini(&m);
}

static void flush_bookkeeping(void **state)
{
    (void)state;
    struct ts_machine m;
    ts_machine_init(&m, "rome", 64ull << 20);
    ts_set_key(&m, 3, 1);
    assert_int_equal(memsys_fw_wbinvd_count(m.fw, 0), 0);
    memsys_wbinvd(m.ms, 1);
    assert_int_equal(memsys_fw_wbinvd_count(m.fw, 0), 0);
    assert_int_equal(memsys_fw_wbinvd_count(m.fw, 1), 1);
    assert_int_equal(memsys_fw_wbinvd_count(m.fw, 99), 0);
    assert_int_equal(memsys_fw_write(m.fw, 3, 0x5000, "x", 1), SWSEV_OK);
    assert_int_equal(memsys_fw_df_flush(m.fw), 1); /* one guest line still cached */
    /* VM_PAGE_FLUSH of another page or ASID leaves it; of this one removes it. */
    assert_int_equal(memsys_vm_page_flush(m.ms, 0x6000 | 3), SWSEV_OK);
    assert_int_equal(memsys_vm_page_flush(m.ms, 0x5000 | 4), SWSEV_OK);
    assert_int_equal(memsys_cached_lines(m.ms, 3, NULL), 1);
    assert_int_equal(memsys_vm_page_flush(m.ms, 0x5000 | 3), SWSEV_OK);
    assert_int_equal(memsys_cached_lines(m.ms, 3, NULL), 0);
    /* CLFLUSH by host address: C-bit picks the SME line. */
    assert_int_equal(memsys_host_write(m.ms, 0x7000 | C47, "y", 1), SWSEV_OK);
    assert_int_equal(memsys_clflush(m.ms, 0x7000), SWSEV_OK);
    assert_int_equal(memsys_cached_lines(m.ms, 0, NULL), 1);
    assert_int_equal(memsys_clflush(m.ms, 0x7000 | C47), SWSEV_OK);
    assert_int_equal(memsys_cached_lines(m.ms, 0, NULL), 0);
    ts_machine_fini(&m);
}

/* Before the write-back, DRAM still holds the old bytes; on a part with
 * cross-key coherency, another key's access forces the write-back. */
static void coherency_by_generation(void **state)
{
    (void)state;
    const char *chips[] = {"rome", "milan"};
    for (int i = 0; i < 2; i++) {
        struct ts_machine m;
        ts_machine_init(&m, chips[i], 64ull << 20);
        ts_set_key(&m, 1, 9);
        uint8_t pt[64], host[64], zero[64] = {0};
        memset(pt, 0x42, sizeof(pt));
        assert_int_equal(memsys_fw_write(m.fw, 1, 0x400000, pt, 64), SWSEV_OK);
        assert_int_equal(memsys_host_read(m.ms, 0x400000, host, 64), SWSEV_OK);
        if (i == 0) {
            assert_memory_equal(host, zero, 64); /* rome: stale DRAM */
            /* Flushing only the guest's page is not enough: the host keeps
             * its own stale C=0 line until that is flushed too. */
            assert_int_equal(memsys_vm_page_flush(m.ms, 0x400000 | 1), SWSEV_OK);
            assert_int_equal(memsys_host_read(m.ms, 0x400000, host, 64), SWSEV_OK);
            assert_memory_equal(host, zero, 64);
            assert_int_equal(memsys_clflush(m.ms, 0x400000), SWSEV_OK);
            assert_int_equal(memsys_host_read(m.ms, 0x400000, host, 64), SWSEV_OK);
        }
        assert_memory_not_equal(host, zero, 64); /* ciphertext */
        assert_memory_not_equal(host, pt, 64);
        ts_machine_fini(&m);
    }
}

static void sparse_large_dram(void **state)
{
    (void)state;
    struct ts_machine m;
    ts_machine_init(&m, "rome", 256ull << 30);
    uint64_t before = memsys_resident_bytes(m.ms);
    uint64_t top = (256ull << 30) - 4096;
    assert_int_equal(memsys_host_write(m.ms, top, "end of a 256 GiB machine", 24), SWSEV_OK);
    memsys_wbinvd(m.ms, 0);
    uint8_t b[24];
    assert_int_equal(memsys_host_read(m.ms, top, b, 24), SWSEV_OK);
    assert_memory_equal(b, "end of a 256 GiB machine", 24);
    uint64_t after = memsys_resident_bytes(m.ms);
    assert_true(after - before <= 64 * 4096);
    assert_true(after < (64ull << 20));
    ts_machine_fini(&m);
}

static void bad_configurations(void **state)
{
    (void)state;
    struct chip_config cfg;
    struct crypto_drbg *rng;
    struct memsys *ms = NULL;
    assert_int_equal(crypto_drbg_new(&rng, "x", 1), SWSEV_OK);
    assert_int_equal(chip_config_preset(&cfg, "rome"), SWSEV_OK);
    cfg.dram_size = 3ull << 20; /* not a multiple of 2 MiB */
    assert_int_equal(memsys_create(&ms, &cfg, rng), SWSEV_HW_ERR(SWSEV_HW_INVAL));
    assert_null(ms);
    crypto_drbg_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(host_plain_and_sme), cmocka_unit_test(host_bad_input),
        cmocka_unit_test(firmware_port),      cmocka_unit_test(asid_reuse_without_flush),
        cmocka_unit_test(flush_bookkeeping),  cmocka_unit_test(coherency_by_generation),
        cmocka_unit_test(sparse_large_dram),  cmocka_unit_test(bad_configurations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
