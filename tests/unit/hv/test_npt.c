/* SPDX-License-Identifier: MIT */
/* Nested page tables written through the host path. */
#include "testsupport.h"

static void map_lookup_unmap(void **state)
{
    (void)state;
    struct ts_machine m;
    struct hv_npt n;
    uint64_t e;
    int lvl;
    ts_machine_init(&m, "rome", 64ull << 20);
    uint64_t used0 = m.hm.used;
    assert_int_equal(hv_npt_init(&n, m.ms, &m.hm, true), SWSEV_OK);
    assert_true(hv_npt_ncr3(&n) & (1ull << 47)); /* tables in SME memory */
    assert_int_equal(hv_npt_map(&n, 0x200000, 0x3000000, 0x2000, NPT_RW | NPT_HOST_C, PGT_SIZE_4K),
                     SWSEV_OK);
    assert_int_equal(hv_npt_lookup(&n, 0x201234, &e, &lvl), SWSEV_OK);
    assert_int_equal(lvl, 1);
    assert_true((e & 0xFFFFFFFFF000ull & ~(1ull << 47)) == 0x3001000);
    assert_true(e & (1ull << 47));
    assert_true((e & (PTE_P | PTE_RW | PTE_US)) == (PTE_P | PTE_RW | PTE_US));
    assert_int_equal(hv_npt_map(&n, 0x400000, 0x3200000, 0x200000, NPT_NX, PGT_SIZE_2M), SWSEV_OK);
    assert_int_equal(hv_npt_lookup(&n, 0x4abcde, &e, &lvl), SWSEV_OK);
    assert_int_equal(lvl, 2);
    assert_true((e & PTE_PS) && (e & PTE_NX) && !(e & PTE_RW));
    /* A 4 KiB mapping cannot go under an existing 2 MiB leaf. */
    assert_int_equal(hv_npt_map(&n, 0x401000, 0x3000000, 0x1000, NPT_RW, PGT_SIZE_4K),
                     SWSEV_HW_ERR(SWSEV_HW_INVAL));
    assert_int_equal(hv_npt_map(&n, 0x401000, 0x3000000, 0x1000, NPT_RW, 12345),
                     SWSEV_HW_ERR(SWSEV_HW_INVAL));
    assert_int_equal(hv_npt_map(&n, 0x401000, 0x3000000, 0x1000, NPT_RW, PGT_SIZE_2M),
                     SWSEV_HW_ERR(SWSEV_HW_ALIGN));
    assert_int_equal(hv_npt_unmap(&n, 0x201000, 0x1000), SWSEV_OK);
    assert_int_equal(hv_npt_lookup(&n, 0x201000, &e, &lvl), SWSEV_OK);
    assert_true(e == 0);
    assert_int_equal(hv_npt_lookup(&n, 0x7f0000000000ull, &e, &lvl), SWSEV_OK);
    assert_true(e == 0 && lvl == 0);
    assert_int_equal(hv_npt_set_leaf(&n, 0x7f0000000000ull, 1), SWSEV_HW_ERR(SWSEV_HW_INVAL));
    assert_int_equal(hv_npt_unmap(&n, 0x201001, 0x1000), SWSEV_HW_ERR(SWSEV_HW_ALIGN));
    hv_npt_fini(&n);
    assert_int_equal(m.hm.used, used0); /* every table returned */
    ts_machine_fini(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_lookup_unmap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
