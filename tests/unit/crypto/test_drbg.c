/* SPDX-License-Identifier: MIT */
/* The platform DRBG: reproducible with a seed, random without. */
#include "testsupport.h"

static void seeded_is_reproducible(void **state)
{
    (void)state;
    struct crypto_drbg *a, *b, *c;
    uint8_t x[300], y[300], z[300];
    assert_int_equal(crypto_drbg_new(&a, "seed-1", 6), SWSEV_OK);
    assert_int_equal(crypto_drbg_new(&b, "seed-1", 6), SWSEV_OK);
    assert_int_equal(crypto_drbg_new(&c, "seed-2", 6), SWSEV_OK);
    assert_true(crypto_drbg_is_deterministic(a));
    assert_int_equal(crypto_drbg_bytes(a, x, 100), SWSEV_OK);
    assert_int_equal(crypto_drbg_bytes(a, x + 100, 200), SWSEV_OK);
    assert_int_equal(crypto_drbg_bytes(b, y, 300), SWSEV_OK); /* same stream in one call */
    assert_int_equal(crypto_drbg_bytes(c, z, 300), SWSEV_OK);
    assert_memory_equal(x, y, 300);
    assert_memory_not_equal(x, z, 300);
    assert_int_equal(crypto_drbg_bytes(a, x, 0), SWSEV_OK);
    crypto_drbg_free(a);
    crypto_drbg_free(b);
    crypto_drbg_free(c);
    crypto_drbg_free(NULL);
}

static void entropy_differs(void **state)
{
    (void)state;
    struct crypto_drbg *a, *b;
    uint8_t x[64], y[64];
    assert_int_equal(crypto_drbg_new(&a, NULL, 0), SWSEV_OK);
    assert_int_equal(crypto_drbg_new(&b, NULL, 0), SWSEV_OK);
    assert_false(crypto_drbg_is_deterministic(a));
    assert_int_equal(crypto_drbg_bytes(a, x, sizeof(x)), SWSEV_OK);
    assert_int_equal(crypto_drbg_bytes(b, y, sizeof(y)), SWSEV_OK);
    assert_memory_not_equal(x, y, sizeof(x));
    static uint8_t big[100000];
    assert_int_equal(crypto_drbg_bytes(a, big, sizeof(big)), SWSEV_OK);
    crypto_drbg_free(a);
    crypto_drbg_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seeded_is_reproducible),
        cmocka_unit_test(entropy_differs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
