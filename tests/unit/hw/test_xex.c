/* SPDX-License-Identifier: MIT */
/* The memory encryption engine's XEX mode. */
#include <string.h>

#include <openssl/evp.h>

#include "testsupport.h"
#include "hw/xex.h"

struct fix {
    struct xex_tweak tw;
    struct crypto_aes_ecb k1, k2;
};

static int setup(void **state)
{
    struct fix *f = calloc(1, sizeof(*f));
    uint8_t rnd[XEX_NR_BITS * 16];
    for (size_t i = 0; i < sizeof(rnd); i++)
        rnd[i] = (uint8_t)(i * 37 + 11);
    xex_tweak_init(&f->tw, rnd);
    uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    assert_int_equal(crypto_aes_ecb_init(&f->k1, key, 16), SWSEV_OK);
    key[0] ^= 0x80;
    assert_int_equal(crypto_aes_ecb_init(&f->k2, key, 16), SWSEV_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fix *f = *state;
    crypto_aes_ecb_clear(&f->k1);
    crypto_aes_ecb_clear(&f->k2);
    free(f);
    return 0;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 7);
}

static void deterministic_and_bound(void **state)
{
    struct fix *f = *state;
    uint8_t pt[4096], c1[4096], c2[4096], c3[4096], c4[4096];
    fill(pt, sizeof(pt), 3);
    assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x123000, pt, c1, 4096), SWSEV_OK);
    assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x123000, pt, c2, 4096), SWSEV_OK);
    assert_memory_equal(c1, c2, 4096); /* same key, PA, data */
    assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x124000, pt, c3, 4096), SWSEV_OK);
    assert_int_equal(xex_encrypt(&f->tw, &f->k2, 0x123000, pt, c4, 4096), SWSEV_OK);
    for (size_t b = 0; b < 4096; b += 16) {
        assert_memory_not_equal(c1 + b, c3 + b, 16); /* another PA */
        assert_memory_not_equal(c1 + b, c4 + b, 16); /* another key */
        assert_memory_not_equal(c1 + b, pt + b, 16);
    }
    /* Identical plaintext blocks at different offsets encrypt differently. */
    uint8_t zeros[64] = {0}, cz[64];
    assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x5000, zeros, cz, 64), SWSEV_OK);
    assert_memory_not_equal(cz, cz + 16, 16);
    assert_int_equal(xex_decrypt(&f->tw, &f->k1, 0x123000, c1, c2, 4096), SWSEV_OK);
    assert_memory_equal(c2, pt, 4096);
}

static void one_byte_one_block(void **state)
{
    struct fix *f = *state;
    uint8_t pt[256], c1[256], c2[256];
    fill(pt, sizeof(pt), 9);
    assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x7f00, pt, c1, sizeof(pt)), SWSEV_OK);
    for (size_t pos = 0; pos < sizeof(pt); pos += 13) {
        uint8_t p2[256];
        memcpy(p2, pt, sizeof(pt));
        p2[pos] ^= 0x01;
        assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x7f00, p2, c2, sizeof(pt)), SWSEV_OK);
        for (size_t b = 0; b < sizeof(pt); b += 16) {
            if (b == (pos & ~15ul))
                assert_memory_not_equal(c1 + b, c2 + b, 16);
            else
                assert_memory_equal(c1 + b, c2 + b, 16);
        }
    }
}

static void moved_block_is_garbage(void **state)
{
    struct fix *f = *state;
    uint8_t pt[32], ct[32], out[16];
    fill(pt, sizeof(pt), 77);
    assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x40000, pt, ct, 32), SWSEV_OK);
    /* The first ciphertext block, replayed 16 bytes further on. */
    assert_int_equal(xex_decrypt(&f->tw, &f->k1, 0x40010, ct, out, 16), SWSEV_OK);
    assert_memory_not_equal(out, pt, 16);
    assert_memory_not_equal(out, pt + 16, 16);
    /* ...and on another page. */
    assert_int_equal(xex_decrypt(&f->tw, &f->k1, 0x80000, ct, out, 16), SWSEV_OK);
    assert_memory_not_equal(out, pt, 16);
    assert_int_equal(xex_decrypt(&f->tw, &f->k1, 0x40000, ct, out, 16), SWSEV_OK);
    assert_memory_equal(out, pt, 16);
}

/* C = AES_K(P ^ T) ^ T, checked against a raw OpenSSL AES call, and T linear
 * in the address bits. */
static void construction_matches_raw_aes(void **state)
{
    struct fix *f = *state;
    uint8_t key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    uint64_t pa = 0x3fedcba9870ull, t[2], ta[2], tb[2], t0[2];
    uint8_t pt[16], ct[16], x[16], y[16];
    fill(pt, 16, 5);
    assert_int_equal(xex_encrypt(&f->tw, &f->k1, pa, pt, ct, 16), SWSEV_OK);
    xex_tweak_of(&f->tw, pa, t);
    memcpy(x, pt, 16);
    for (int i = 0; i < 16; i++)
        x[i] ^= ((const uint8_t *)t)[i];
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int outl;
    assert_true(EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, key, NULL));
    EVP_CIPHER_CTX_set_padding(c, 0);
    assert_true(EVP_EncryptUpdate(c, y, &outl, x, 16));
    EVP_CIPHER_CTX_free(c);
    for (int i = 0; i < 16; i++)
        y[i] ^= ((const uint8_t *)t)[i];
    assert_memory_equal(y, ct, 16);

    xex_tweak_of(&f->tw, 0, t0);
    assert_true(t0[0] == 0 && t0[1] == 0);
    xex_tweak_of(&f->tw, 0x3fedcba0000ull, ta);
    xex_tweak_of(&f->tw, 0x9870ull, tb);
    assert_true((ta[0] ^ tb[0]) == t[0] && (ta[1] ^ tb[1]) == t[1]);
    /* Bits below 4 and above 51 do not take part. */
    xex_tweak_of(&f->tw, pa | 0xF | (0xFFFull << 52), ta);
    assert_true(ta[0] == t[0] && ta[1] == t[1]);
}

static void range_spanning_pages(void **state)
{
    struct fix *f = *state;
    static uint8_t pt[3 * 4096], whole[3 * 4096], parts[3 * 4096];
    fill(pt, sizeof(pt), 1);
    assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x10800, pt, whole, sizeof(pt)), SWSEV_OK);
    for (size_t off = 0; off < sizeof(pt); off += 1024)
        assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x10800 + off, pt + off, parts + off, 1024),
                         SWSEV_OK);
    assert_memory_equal(whole, parts, sizeof(pt));
    /* in place */
    memcpy(parts, pt, sizeof(pt));
    assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x10800, parts, parts, sizeof(pt)), SWSEV_OK);
    assert_memory_equal(whole, parts, sizeof(pt));
}

static void misaligned_refused(void **state)
{
    struct fix *f = *state;
    uint8_t b[48] = {0}, o[48];
    assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x1008, b, o, 16), SWSEV_HW_ERR(SWSEV_HW_ALIGN));
    assert_int_equal(xex_encrypt(&f->tw, &f->k1, 0x1000, b, o, 17), SWSEV_HW_ERR(SWSEV_HW_ALIGN));
    assert_int_equal(xex_decrypt(&f->tw, &f->k1, 0x1001, b, o, 32), SWSEV_HW_ERR(SWSEV_HW_ALIGN));
    struct crypto_aes_ecb bad;
    assert_int_not_equal(crypto_aes_ecb_init(&bad, b, 24), SWSEV_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(deterministic_and_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(one_byte_one_block, setup, teardown),
        cmocka_unit_test_setup_teardown(moved_block_is_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(construction_matches_raw_aes, setup, teardown),
        cmocka_unit_test_setup_teardown(range_spanning_pages, setup, teardown),
        cmocka_unit_test_setup_teardown(misaligned_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
