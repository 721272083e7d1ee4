/* SPDX-License-Identifier: MIT */
/* Chip presets, CPUID and MSR values. */
#include "testsupport.h"

static void presets(void **state)
{
    (void)state;
    struct chip_config c;
    uint32_t r[4];
    assert_int_equal(chip_config_preset(&c, "rome"), SWSEV_OK);
    assert_int_equal(chip_config_check(&c), SWSEV_OK);
    chip_cpuid(&c, 0x8000001F, 0, r);
    assert_int_equal(r[1] & 0x3f, 47);
    assert_int_equal((r[1] >> 6) & 0x3f, 5);
    assert_int_equal(r[2], 509);
    assert_true(r[0] & CPUID_SEV_ES);
    assert_false(r[0] & CPUID_SEV_SNP);
    assert_int_equal(chip_signature(&c), 0x00830F10); /* EPYC-Rome, as QEMU's CPU model */
    chip_cpuid(&c, 0x80000008, 0, r);
    assert_int_equal(r[0] & 0xff, 43);
    chip_cpuid(&c, 0x80000000, 0, r);
    assert_int_equal(r[1], 0x68747541); /* "Auth" */
    chip_cpuid(&c, 0x12345678, 0, r);
    assert_true(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0);

    assert_int_equal(chip_config_preset(&c, "milan"), SWSEV_OK);
    chip_cpuid(&c, 0x8000001F, 0, r);
    assert_int_equal(r[1] & 0x3f, 51);
    assert_int_equal((r[1] >> 12) & 0xf, 4);
    assert_true(r[0] & CPUID_SEV_SNP);
    assert_int_equal(chip_signature(&c), 0x00A00F11);
    assert_int_equal(chip_config_preset(&c, "genoa"), SWSEV_OK);
    assert_int_equal(chip_signature(&c), 0x00A10F10);
    assert_int_equal(chip_config_preset(&c, "naples"), SWSEV_OK);
    assert_int_equal(chip_signature(&c), 0x00800F12);
    assert_int_equal(chip_config_check(&c), SWSEV_OK);
    assert_int_equal(chip_config_preset(&c, "turin-x"), SWSEV_HW_ERR(SWSEV_HW_INVAL));
}

static void check_rejects(void **state)
{
    (void)state;
    struct chip_config base, c;
    assert_int_equal(chip_config_preset(&base, "rome"), SWSEV_OK);
    const swsev_rc bad = SWSEV_HW_ERR(SWSEV_HW_INVAL);
#define REJECT(stmt)                                                                               \
    do {                                                                                           \
        c = base;                                                                                  \
        stmt;                                                                                      \
        assert_int_equal(chip_config_check(&c), bad);                                              \
    } while (0)
    REJECT(c.phys_addr_bits = 31);
    REJECT(c.phys_addr_bits = 53);
    REJECT(c.cbit = 30);
    REJECT(c.cbit = 40); /* inside the usable address bits */
    REJECT(c.phys_reduction = 21);
    REJECT(c.nr_asids = 0);
    REJECT(c.nr_asids = 5000);
    REJECT(c.min_sev_asid = 0);
    REJECT(c.min_sev_asid = 600);
    REJECT(c.nr_vmpls = 5);
    REJECT(c.nr_cores = 0);
    REJECT(c.cache_sets = 3);
    REJECT(c.cache_ways = 0);
    REJECT(c.cache_sets = 1u << 14; c.cache_ways = 8);
    REJECT(c.dram_size = 1ull << 20);
    REJECT(c.dram_size = (4ull << 30) + 4096);
    REJECT(c.dram_size = 16ull << 40); /* beyond 43 address bits */
#undef REJECT
    c = base;
    c.dram_size = 256ull << 30;
    assert_int_equal(chip_config_check(&c), SWSEV_OK);
}

static void msrs(void **state)
{
    (void)state;
    struct chip_config c;
    assert_int_equal(chip_config_preset(&c, "milan"), SWSEV_OK);
    assert_true(chip_syscfg(&c, false) == SYSCFG_MEM_ENCRYPT_MOD_EN);
    assert_true(chip_syscfg(&c, true) ==
                (SYSCFG_MEM_ENCRYPT_MOD_EN | SYSCFG_SNP_EN | SYSCFG_SNP_VMPL_EN | SYSCFG_MFDM));
    assert_int_equal(chip_config_preset(&c, "rome"), SWSEV_OK);
    assert_true(chip_syscfg(&c, true) == SYSCFG_MEM_ENCRYPT_MOD_EN); /* no SNP on rome */
    assert_true(chip_sev_status(false, false, false, 0) == 0);
    assert_true(chip_sev_status(true, false, false, 0) == 1);
    assert_true(chip_sev_status(true, true, false, 0) == 3);
    /* SNP guest with SNPActive | DebugSwap (bit 5) -> bits 2 and 7. */
    assert_true(chip_sev_status(true, true, true, 0x21) == (0x7 | (1ull << 7)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(presets),
        cmocka_unit_test(check_rejects),
        cmocka_unit_test(msrs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
