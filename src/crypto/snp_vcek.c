/* SPDX-License-Identifier: MIT */
/* crypto/snp_vcek.c - VCEK and VLEK derivation (see snp_vcek.h). */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/aead.h"
#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/sev_launch.h"
#include "crypto/snp_vcek.h"

static swsev_rc sha384_2(const void *a, size_t alen, const void *b, size_t blen, uint8_t out[48])
{
    struct crypto_digest d;
    swsev_rc rc = crypto_digest_init(&d, CRYPTO_SHA384);
    if (!rc)
        rc = crypto_digest_update(&d, a, alen);
    if (!rc && blen)
        rc = crypto_digest_update(&d, b, blen);
    if (!rc)
        rc = crypto_digest_final(&d, out);
    crypto_digest_clear(&d);
    return rc;
}

swsev_rc snp_vcek_hash(const uint8_t chip_secret[32], uint64_t tcb, enum snp_product p,
                       uint8_t out[SNP_VCEK_HASH_LEN])
{
    static const char root[] = "swsev-vcek-root", next[] = "next";
    struct snp_tcb t = snp_tcb_decode(tcb, p);
    /* Boot order: each later component is loaded by the earlier ones. */
    uint8_t spl[5];
    size_t n = 0;
    if (p == SNP_TURIN)
        spl[n++] = t.fmc;
    spl[n++] = t.bootloader;
    spl[n++] = t.tee;
    spl[n++] = t.snp;
    spl[n++] = t.microcode;

    uint8_t h[48];
    swsev_rc rc = sha384_2(root, sizeof(root) - 1, chip_secret, 32, h);
    for (size_t i = 0; i < n && !rc; i++) {
        for (unsigned k = 255; k > spl[i] && !rc; k--)
            rc = sha384_2(h, 48, NULL, 0, h);
        if (!rc && i + 1 < n)
            rc = sha384_2(h, 48, next, sizeof(next) - 1, h);
    }
    if (!rc)
        rc = sha384_2(h, 48, NULL, 0, out);
    OPENSSL_cleanse(h, sizeof(h));
    return rc;
}

static swsev_rc key_from_hash(const uint8_t hash[48], const char *label, EVP_PKEY **out)
{
    uint8_t k[64];
    swsev_rc rc = sev_kdf(hash, SNP_VCEK_HASH_LEN, label, NULL, 0, k, sizeof(k));
    if (!rc)
        rc = crypto_ecc_from_seed(k, out);
    OPENSSL_cleanse(k, sizeof(k));
    return rc;
}

swsev_rc snp_vcek_key(const uint8_t hash[SNP_VCEK_HASH_LEN], EVP_PKEY **out)
{
    return key_from_hash(hash, "sev-versioned-chip-endorsement-key", out);
}

swsev_rc snp_vlek_key(const uint8_t seed[SNP_VCEK_HASH_LEN], EVP_PKEY **out)
{
    return key_from_hash(seed, "sev-versioned-loaded-attestation-key", out);
}

swsev_rc snp_chip_id(const uint8_t chip_secret[32], uint8_t out[64])
{
    return sev_kdf(chip_secret, 32, "swsev-chip-id", NULL, 0, out, 64);
}

swsev_rc snp_vcek_derive(const uint8_t chip_secret[32], uint64_t tcb, enum snp_product p,
                         EVP_PKEY **out)
{
    uint8_t h[SNP_VCEK_HASH_LEN];
    swsev_rc rc = snp_vcek_hash(chip_secret, tcb, p, h);
    if (!rc)
        rc = snp_vcek_key(h, out);
    OPENSSL_cleanse(h, sizeof(h));
    return rc;
}

swsev_rc snp_vlek_wrapping_key(const uint8_t vcek_hash[SNP_VCEK_HASH_LEN], uint8_t key[32])
{
    return sev_kdf(vcek_hash, SNP_VCEK_HASH_LEN, "vlek-wrapping-key", NULL, 0, key, 32);
}

swsev_rc snp_vlek_wrap(const uint8_t chip_secret[32], uint64_t tcb, enum snp_product p,
                       const uint8_t sticks[SNP_VLEK_STICKS_LEN], const uint8_t iv[12],
                       uint8_t out[SNP_VLEK_WRAPPED_LEN])
{
    uint8_t h[SNP_VCEK_HASH_LEN], key[32];
    memset(out, 0, SNP_VLEK_WRAPPED_LEN);
    memcpy(out, iv, 12);
    for (int i = 0; i < 8; i++)
        out[0x190 + i] = (uint8_t)(tcb >> (8 * i));
    swsev_rc rc = snp_vcek_hash(chip_secret, tcb, p, h);
    if (!rc)
        rc = snp_vlek_wrapping_key(h, key);
    if (!rc)
        rc = crypto_gcm_encrypt(key, 32, iv, out + 0x190, 16, sticks, SNP_VLEK_STICKS_LEN,
                                out + 0x10, out + 0x1A0);
    OPENSSL_cleanse(h, sizeof(h));
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}

swsev_rc snp_vlek_unwrap(const uint8_t vcek_hash[SNP_VCEK_HASH_LEN],
                         const uint8_t in[SNP_VLEK_WRAPPED_LEN],
                         uint8_t sticks[SNP_VLEK_STICKS_LEN])
{
    uint8_t key[32];
    swsev_rc rc = snp_vlek_wrapping_key(vcek_hash, key);
    if (!rc)
        rc = crypto_gcm_decrypt(key, 32, in, in + 0x190, 16, in + 0x10, SNP_VLEK_STICKS_LEN, sticks,
                                in + 0x1A0);
    OPENSSL_cleanse(key, sizeof(key));
    return rc;
}
