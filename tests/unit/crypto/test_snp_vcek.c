/* SPDX-License-Identifier: MIT */
/* VCEK derivation: a function of the chip secret and of every SPL of the
 * TCB (and of nothing else), reproducible, and a valid P-384 key. */
#include "testsupport.h"

#include <openssl/evp.h>

#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/snp_vcek.h"

static void pub(EVP_PKEY *k, uint8_t qx[72])
{
    uint8_t qy[72];
    assert_int_equal(crypto_ecc_to_le(k, qx, qy), SWSEV_OK);
}

static void deterministic_and_tcb_bound(void **state)
{
    (void)state;
    uint8_t secret[32], h0[48], h1[48], h2[48];
    memset(secret, 7, sizeof(secret));
    struct snp_tcb t = {0, 3, 0, 8, 115};
    uint64_t tcb = snp_tcb_encode(t, SNP_MILAN);
    assert_int_equal(snp_vcek_hash(secret, tcb, SNP_MILAN, h0), SWSEV_OK);
    assert_int_equal(snp_vcek_hash(secret, tcb, SNP_MILAN, h1), SWSEV_OK);
    assert_memory_equal(h0, h1, 48);
    /* Each SPL changes the key. */
    uint8_t *fields[4] = {&t.bootloader, &t.tee, &t.snp, &t.microcode};
    for (int i = 0; i < 4; i++) {
        (*fields[i])++;
        assert_int_equal(snp_vcek_hash(secret, snp_tcb_encode(t, SNP_MILAN), SNP_MILAN, h2),
                         SWSEV_OK);
        assert_memory_not_equal(h0, h2, 48);
        (*fields[i])--;
    }
    /* Bits outside the SPL fields do not (they are reserved). */
    assert_int_equal(snp_vcek_hash(secret, tcb | 0x0000ffffffff0000ull, SNP_MILAN, h2), SWSEV_OK);
    assert_memory_equal(h0, h2, 48);
    /* Another chip. */
    secret[0] ^= 1;
    assert_int_equal(snp_vcek_hash(secret, tcb, SNP_MILAN, h2), SWSEV_OK);
    assert_memory_not_equal(h0, h2, 48);
}

static void keys_are_distinct_and_valid(void **state)
{
    (void)state;
    uint8_t secret[32], seed[48], a[72], b[72], c[72];
    memset(secret, 9, sizeof(secret));
    memset(seed, 9, sizeof(seed));
    EVP_PKEY *vcek = NULL, *vcek2 = NULL, *vlek = NULL;
    assert_int_equal(snp_vcek_derive(secret, 0x7308000000000003ull, SNP_MILAN, &vcek), SWSEV_OK);
    assert_int_equal(snp_vcek_derive(secret, 0x7308000000000003ull, SNP_MILAN, &vcek2), SWSEV_OK);
    assert_int_equal(snp_vlek_key(seed, &vlek), SWSEV_OK);
    pub(vcek, a);
    pub(vcek2, b);
    pub(vlek, c);
    assert_memory_equal(a, b, 72);
    assert_memory_not_equal(a, c, 72);
    /* It signs and verifies. */
    uint8_t r[72], s[72];
    assert_int_equal(crypto_ecdsa_sign(vcek, CRYPTO_SHA384, "m", 1, r, s), SWSEV_OK);
    assert_int_equal(crypto_ecdsa_verify(vcek2, CRYPTO_SHA384, "m", 1, r, s), SWSEV_OK);
    assert_int_not_equal(crypto_ecdsa_verify(vlek, CRYPTO_SHA384, "m", 1, r, s), SWSEV_OK);
    EVP_PKEY_free(vcek);
    EVP_PKEY_free(vcek2);
    EVP_PKEY_free(vlek);
}

static void turin_includes_fmc(void **state)
{
    (void)state;
    uint8_t secret[32], h0[48], h1[48];
    memset(secret, 5, sizeof(secret));
    struct snp_tcb t = {1, 2, 3, 4, 5};
    assert_int_equal(snp_vcek_hash(secret, snp_tcb_encode(t, SNP_TURIN), SNP_TURIN, h0), SWSEV_OK);
    t.fmc = 2;
    assert_int_equal(snp_vcek_hash(secret, snp_tcb_encode(t, SNP_TURIN), SNP_TURIN, h1), SWSEV_OK);
    assert_memory_not_equal(h0, h1, 48);
}

static void chip_id_is_stable(void **state)
{
    (void)state;
    uint8_t secret[32], a[64], b[64];
    memset(secret, 1, sizeof(secret));
    assert_int_equal(snp_chip_id(secret, a), SWSEV_OK);
    assert_int_equal(snp_chip_id(secret, b), SWSEV_OK);
    assert_memory_equal(a, b, 64);
    secret[31] ^= 0x80;
    assert_int_equal(snp_chip_id(secret, b), SWSEV_OK);
    assert_memory_not_equal(a, b, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(deterministic_and_tcb_bound),
        cmocka_unit_test(keys_are_distinct_and_valid),
        cmocka_unit_test(turin_includes_fmc),
        cmocka_unit_test(chip_id_is_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
