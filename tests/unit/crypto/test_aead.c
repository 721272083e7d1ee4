/* SPDX-License-Identifier: MIT */
/* AES-GCM wrapper against NIST GCM test vectors (gcmEncryptExtIV256.rsp,
 * Count 0 of [Keylen=256][IVlen=96][PTlen=128][AADlen=128][Taglen=128]) and
 * the McGrew-Viega test case 2 (AES-128, zero key, one zero block). */
#include "testsupport.h"
#include "crypto/aead.h"

static void mcgrew_viega_case2(void **state)
{
    (void)state;
    uint8_t key[16] = {0}, iv[12] = {0}, pt[16] = {0}, ct[16], tag[16], exp_ct[16], exp_tag[16];
    ts_unhex("0388dace60b6a392f328c2b971b2fe78", exp_ct, 16);
    ts_unhex("ab6e47d42cec13bdf53a67b21257bddf", exp_tag, 16);
    assert_int_equal(crypto_gcm_encrypt(key, 16, iv, NULL, 0, pt, 16, ct, tag), SWSEV_OK);
    assert_memory_equal(ct, exp_ct, 16);
    assert_memory_equal(tag, exp_tag, 16);
    uint8_t back[16];
    assert_int_equal(crypto_gcm_decrypt(key, 16, iv, NULL, 0, ct, 16, back, tag), SWSEV_OK);
    assert_memory_equal(back, pt, 16);
}

static void aes256_with_aad(void **state)
{
    (void)state;
    uint8_t key[32], iv[12], pt[16], aad[16], ct[16], tag[16], exp_ct[16], exp_tag[16];
    ts_unhex("92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b", key, 32);
    ts_unhex("ac93a1a6145299bde902f21a", iv, 12);
    ts_unhex("2d71bcfa914e4ac045b2aa60955fad24", pt, 16);
    ts_unhex("1e0889016f67601c8ebea4943bc23ad6", aad, 16);
    ts_unhex("8995ae2e6df3dbf96fac7b7137bae67f", exp_ct, 16);
    ts_unhex("eca5aa77d51d4a0a14d9c51e1da474ab", exp_tag, 16);
    assert_int_equal(crypto_gcm_encrypt(key, 32, iv, aad, 16, pt, 16, ct, tag), SWSEV_OK);
    assert_memory_equal(ct, exp_ct, 16);
    assert_memory_equal(tag, exp_tag, 16);
    /* Any change to tag, AAD or ciphertext is refused and the output wiped. */
    uint8_t out[16];
    tag[3] ^= 1;
    assert_int_equal(crypto_gcm_decrypt(key, 32, iv, aad, 16, ct, 16, out, tag),
                     SWSEV_TOOL_ERR(SWSEV_E_VERIFY));
    uint8_t zero[16] = {0};
    assert_memory_equal(out, zero, 16);
    tag[3] ^= 1;
    aad[0] ^= 1;
    assert_int_equal(crypto_gcm_decrypt(key, 32, iv, aad, 16, ct, 16, out, tag),
                     SWSEV_TOOL_ERR(SWSEV_E_VERIFY));
    aad[0] ^= 1;
    ct[15] ^= 0x80;
    assert_int_equal(crypto_gcm_decrypt(key, 32, iv, aad, 16, ct, 16, out, tag),
                     SWSEV_TOOL_ERR(SWSEV_E_VERIFY));
    assert_int_not_equal(crypto_gcm_encrypt(key, 24, iv, NULL, 0, pt, 16, ct, tag), SWSEV_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mcgrew_viega_case2),
        cmocka_unit_test(aes256_with_aad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
