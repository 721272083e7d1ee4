/* SPDX-License-Identifier: MIT */
/* The hypervisor's host-page allocator. */
#include "testsupport.h"

static void alloc_free(void **state)
{
    (void)state;
    struct hv_hostmem hm;
    uint64_t a, b, c;
    assert_int_equal(hv_hostmem_init(&hm, 0x100000, 64 * 4096), SWSEV_OK);
    assert_int_equal(hv_hostmem_alloc(&hm, 1, 1, &a), SWSEV_OK);
    assert_true(a == 0x100000);
    assert_int_equal(hv_hostmem_alloc(&hm, 8, 8, &b), SWSEV_OK);
    assert_true(b % (8 * 4096) == 0 && b > a);
    assert_int_equal(hv_hostmem_alloc(&hm, 64, 1, &c), SWSEV_HV_ERR(SWSEV_E_NOMEM));
    assert_int_equal(hv_hostmem_free(&hm, b, 8), SWSEV_OK);
    assert_int_equal(hv_hostmem_free(&hm, b, 8), SWSEV_HV_ERR(SWSEV_E_INVAL)); /* double free */
    assert_int_equal(hv_hostmem_alloc(&hm, 63, 1, &c), SWSEV_OK);
    assert_true(c == 0x101000);
    assert_int_equal(hm.used, 64);
    assert_int_equal(hv_hostmem_alloc(&hm, 1, 1, &c), SWSEV_HV_ERR(SWSEV_E_NOMEM));
    hv_hostmem_fini(&hm);
}

static void bad_arguments(void **state)
{
    (void)state;
    struct hv_hostmem hm;
    uint64_t a;
    const swsev_rc inval = SWSEV_HV_ERR(SWSEV_E_INVAL);
    assert_int_equal(hv_hostmem_init(&hm, 0x1001, 4096), inval);
    assert_int_equal(hv_hostmem_init(&hm, 0x1000, 0), inval);
    assert_int_equal(hv_hostmem_init(&hm, 0x200000, 16 * 4096), SWSEV_OK);
    assert_int_equal(hv_hostmem_alloc(&hm, 0, 1, &a), inval);
    assert_int_equal(hv_hostmem_alloc(&hm, 1, 3, &a), inval);
    assert_int_equal(hv_hostmem_alloc(&hm, 17, 1, &a), inval);
    assert_int_equal(hv_hostmem_alloc(&hm, 1, 1024, &a), inval); /* base not that aligned */
    assert_int_equal(hv_hostmem_free(&hm, 0x1000, 1), inval);
    assert_int_equal(hv_hostmem_free(&hm, 0x200001, 1), inval);
    assert_int_equal(hv_hostmem_free(&hm, 0x200000, 17), inval);
    assert_int_equal(hv_hostmem_free(&hm, 0x200000, 0), inval);
    hv_hostmem_fini(&hm);
    hv_hostmem_fini(&hm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alloc_free),
        cmocka_unit_test(bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
