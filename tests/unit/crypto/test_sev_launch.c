/* SPDX-License-Identifier: MIT */
/* SEV launch channel crypto against the public vectors of sev-reference
 * 2.5 and 2.6 (virtee/sev session unit tests), RFC 4231 HMAC, NIST
 * SP 800-38A AES-128-CTR, and every failure path of the firmware side. */
#include "testsupport.h"
#include "crypto/ctr.h"
#include "crypto/digest.h"
#include "crypto/sev_launch.h"
#include "swsev/fw_status.h"

static void unhex_eq(const uint8_t *got, const char *hex, size_t n)
{
    uint8_t want[64];
    assert_int_equal(ts_unhex(hex, want, sizeof(want)), n);
    assert_memory_equal(got, want, n);
}

static void kdf_vector(void **state)
{
    (void)state;
    uint8_t zero[16] = {0}, out[16];
    assert_int_equal(sev_kdf(zero, 16, "sev-master-secret", zero, 16, out, 16), SWSEV_OK);
    unhex_eq(out, "ab4d269fcc62bedb4511d56c386ce706", 16);
    /* More than one block, truncated. */
    uint8_t long_out[40];
    assert_int_equal(sev_kdf(zero, 16, "x", NULL, 0, long_out, 40), SWSEV_OK);
    uint8_t first[32];
    assert_int_equal(sev_kdf(zero, 16, "x", NULL, 0, first, 32), SWSEV_OK);
    /* L is part of the input: a shorter output is not a prefix. */
    assert_memory_not_equal(long_out, first, 32);
}

static void hmac_vectors(void **state)
{
    (void)state;
    uint8_t key[16] = {0}, msg[4] = {0}, out[32];
    struct crypto_iov iov = {msg, 4};
    assert_int_equal(crypto_hmac_sha256(key, 16, &iov, 1, out), SWSEV_OK);
    unhex_eq(out, "aa7855e13839dd767cd5da7c1ff5036540c9264b7a803029315e55375287b4af", 32);
    /* RFC 4231 test case 2. */
    struct crypto_iov j = {"what do ya want for nothing?", 28};
    assert_int_equal(crypto_hmac_sha256((const uint8_t *)"Jefe", 4, &j, 1, out), SWSEV_OK);
    unhex_eq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", 32);
    uint8_t d[48];
    assert_int_equal(crypto_hash(CRYPTO_SHA384, "abc", 3, d), SWSEV_OK);
    unhex_eq(d,
             "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358bae"
             "ca134c825a7",
             48);
}

static void ctr_vector(void **state)
{
    (void)state;
    uint8_t key[16], iv[16], pt[16], ct[16];
    ts_unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
    ts_unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", iv, 16);
    ts_unhex("6bc1bee22e409f96e93d7e117393172a", pt, 16);
    assert_int_equal(crypto_aes128_ctr(key, iv, pt, ct, 16), SWSEV_OK);
    unhex_eq(ct, "874d6191b620e3261bef6864990db6ce", 16);
}

static void session_vectors(void **state)
{
    (void)state;
    uint8_t z[16] = {0}, nonce[16] = {0}, tek[16] = {0}, tik[16] = {0}, iv[16] = {0};
    struct sev_session_blob b;
    assert_int_equal(sev_session_wrap(z, 16, nonce, tek, tik, iv, 0, &b), SWSEV_OK);
    unhex_eq(b.wrap_tk, "2137bc7f9bb8bd7c3e55a576a15d3454b3856b8ba27afadf46dcfee9f02c02c4", 32);
    unhex_eq(b.wrap_mac, "3176c0752738bd9d5e86689534020f528c088f16238826b000b327dee6aeed7d", 32);
    unhex_eq(b.policy_mac, "aa7855e13839dd767cd5da7c1ff5036540c9264b7a803029315e55375287b4af", 32);
}

static void measure_vector(void **state)
{
    (void)state;
    uint8_t digest[32], tik[16], mnonce[16], out[32];
    ts_unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", digest, 32);
    ts_unhex("66320db73158a35a255d051758e95ed4", tik, 16);
    ts_unhex("4fbe0bedbad6c86ae8f68971d103e554", mnonce, 16);
    assert_int_equal(sev_measure_mac(tik, 0, 18, 0x0f, 0, digest, mnonce, out), SWSEV_OK);
    unhex_eq(out, "6faab2daae389bcd3405a05d6cafe33c0414f7bedd0bae19ba5f38b7fd1664ea", 32);
    /* API < 0.17 drops the context prefix: another MAC. */
    uint8_t legacy[32];
    assert_int_equal(sev_measure_mac(tik, 0, 16, 0x0f, 0, digest, mnonce, legacy), SWSEV_OK);
    assert_memory_not_equal(out, legacy, 32);
}

static void unwrap_round_trip_and_failures(void **state)
{
    (void)state;
    uint8_t z[48], nonce[16], tek[16], tik[16], iv[16], t1[16], t2[16];
    for (int i = 0; i < 48; i++)
        z[i] = (uint8_t)(i * 5 + 1);
    memset(nonce, 0x11, 16);
    memset(tek, 0x22, 16);
    memset(tik, 0x33, 16);
    memset(iv, 0x44, 16);
    struct sev_session_blob b, bad;
    assert_int_equal(sev_session_wrap(z, 48, nonce, tek, tik, iv, 0x5, &b), SWSEV_OK);
    assert_int_equal(sev_session_unwrap(z, 48, &b, 0x5, t1, t2), SWSEV_OK);
    assert_memory_equal(t1, tek, 16);
    assert_memory_equal(t2, tik, 16);
    const swsev_rc badm = SWSEV_FW_ERR(SEV_STATUS_BAD_MEASUREMENT);
    memset(t1, 0, 16);
    assert_int_equal(sev_session_unwrap(z, 48, &b, 0x7, t1, t2), badm); /* other policy */
    uint8_t zero[16] = {0};
    assert_memory_equal(t1, zero, 16); /* untouched */
    z[0] ^= 1;
    assert_int_equal(sev_session_unwrap(z, 48, &b, 0x5, t1, t2), badm); /* other Z */
    z[0] ^= 1;
    for (size_t off = 0; off < sizeof(b); off += 7) {
        bad = b;
        ((uint8_t *)&bad)[off] ^= 0x80;
        assert_int_equal(sev_session_unwrap(z, 48, &bad, 0x5, t1, t2), badm);
    }
}

static void packets(void **state)
{
    (void)state;
    uint8_t tek[16], tik[16], iv[16], measure[32], secret[64], ct[64], back[64];
    memset(tek, 1, 16);
    memset(tik, 2, 16);
    memset(iv, 3, 16);
    memset(measure, 4, 32);
    for (int i = 0; i < 64; i++)
        secret[i] = (uint8_t)i;
    struct sev_packet_hdr h;
    assert_int_equal(sev_packet_seal(SEV_MAC_CTX_SECRET, tek, tik, iv, secret, 64, measure, &h, ct),
                     SWSEV_OK);
    assert_int_equal(sev_packet_open(SEV_MAC_CTX_SECRET, tek, tik, &h, 64, ct, 64, measure, back),
                     SWSEV_OK);
    assert_memory_equal(back, secret, 64);
    const swsev_rc badm = SWSEV_FW_ERR(SEV_STATUS_BAD_MEASUREMENT);
    /* Another context byte, measurement, length, ciphertext or header. */
    assert_int_equal(sev_packet_open(SEV_MAC_CTX_PACKET, tek, tik, &h, 64, ct, 64, measure, back),
                     badm);
    assert_int_equal(sev_packet_open(SEV_MAC_CTX_SECRET, tek, tik, &h, 64, ct, 64, NULL, back),
                     badm);
    assert_int_equal(sev_packet_open(SEV_MAC_CTX_SECRET, tek, tik, &h, 48, ct, 64, measure, back),
                     badm);
    ct[5] ^= 1;
    assert_int_equal(sev_packet_open(SEV_MAC_CTX_SECRET, tek, tik, &h, 64, ct, 64, measure, back),
                     badm);
    ct[5] ^= 1;
    h.iv[0] ^= 1;
    assert_int_equal(sev_packet_open(SEV_MAC_CTX_SECRET, tek, tik, &h, 64, ct, 64, measure, back),
                     badm);
    h.iv[0] ^= 1;
    h.flags = SEV_PACKET_FLAG_COMPRESSED;
    assert_int_equal(sev_packet_open(SEV_MAC_CTX_SECRET, tek, tik, &h, 64, ct, 64, measure, back),
                     SWSEV_FW_ERR(SEV_STATUS_UNSUPPORTED));
}

static void digest_clone(void **state)
{
    (void)state;
    struct crypto_digest a, b;
    uint8_t d1[32], d2[32], d3[32];
    assert_int_equal(crypto_digest_init(&a, CRYPTO_SHA256), SWSEV_OK);
    assert_int_equal(crypto_digest_update(&a, "ab", 2), SWSEV_OK);
    assert_int_equal(crypto_digest_clone(&b, &a), SWSEV_OK);
    assert_int_equal(crypto_digest_update(&a, "c", 1), SWSEV_OK);
    assert_int_equal(crypto_digest_final(&a, d1), SWSEV_OK);
    assert_int_equal(crypto_digest_final(&b, d2), SWSEV_OK);
    assert_int_equal(crypto_hash(CRYPTO_SHA256, "abc", 3, d3), SWSEV_OK);
    assert_memory_equal(d1, d3, 32);
    assert_memory_not_equal(d1, d2, 32);
    assert_int_not_equal(crypto_digest_update(&a, "x", 1), SWSEV_OK); /* finished */
    assert_int_not_equal(crypto_digest_init(&a, (enum crypto_md)9), SWSEV_OK);
    crypto_digest_clear(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kdf_vector),     cmocka_unit_test(hmac_vectors),
        cmocka_unit_test(ctr_vector),     cmocka_unit_test(session_vectors),
        cmocka_unit_test(measure_vector), cmocka_unit_test(unwrap_round_trip_and_failures),
        cmocka_unit_test(packets),        cmocka_unit_test(digest_clone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
