/* SPDX-License-Identifier: MIT */
/*
 * aead.c - AES-256-GCM on libcrypto's low-level AES and GCM128 functions
 * (see aead.h). They need no allocator and no C library, and with
 * OPENSSL_ia32cap_P left at 0 they take the generic x86-64 code (see
 * ossl_stubs.c). That code may use SSE registers, which the exception
 * path does not save; nothing in it raises #VC, so no handler runs
 * while it does.
 */
#include <string.h>

#include "aead.h"
#include "ossl.h"

/* GCM128_CONTEXT is opaque; OpenSSL 3.0's is 440 bytes (the size
 * CRYPTO_gcm128_new allocates). CRYPTO_gcm128_init starts by zeroing
 * exactly sizeof(*ctx), so a canary in the last part of a larger buffer
 * tells whether a future libcrypto's context still fits. */
#define GCM_SPACE  1024
#define GCM_GUARD  256 /* the tail that must stay untouched */
#define GCM_CANARY 0xA5

static AES_KEY aes_key;
static unsigned char gcm_space[GCM_SPACE] __attribute__((aligned(64)));

static GCM128_CONTEXT *gcm(void)
{
    return (GCM128_CONTEXT *)gcm_space;
}

/* The block128_f GCM calls for every block: AES_encrypt itself, behind a
 * signature that matches without casting function pointers. */
static void aes_block(const unsigned char in[16], unsigned char out[16], const void *key)
{
    AES_encrypt(in, out, key);
}

int aead_init(const uint8_t key[AEAD_KEY_LEN])
{
    if (AES_set_encrypt_key(key, 8 * AEAD_KEY_LEN, &aes_key))
        return -1;
    memset(gcm_space, GCM_CANARY, sizeof(gcm_space));
    CRYPTO_gcm128_init(gcm(), &aes_key, aes_block);
    for (unsigned i = GCM_SPACE - GCM_GUARD; i < GCM_SPACE; i++) {
        if (gcm_space[i] != GCM_CANARY) {
            aead_wipe();
            return -1;
        }
    }
    return 0;
}

/* setiv restarts the context: GHASH state, lengths and counter. */
static int start(const uint8_t iv[AEAD_IV_LEN], const uint8_t *aad, size_t aad_len)
{
    CRYPTO_gcm128_setiv(gcm(), iv, AEAD_IV_LEN);
    return CRYPTO_gcm128_aad(gcm(), aad, aad_len) ? -1 : 0;
}

int aead_seal(const uint8_t iv[AEAD_IV_LEN], const uint8_t *aad, size_t aad_len, const uint8_t *in,
              uint8_t *out, size_t len, uint8_t tag[AEAD_TAG_LEN])
{
    if (start(iv, aad, aad_len) || CRYPTO_gcm128_encrypt(gcm(), in, out, len))
        return -1;
    CRYPTO_gcm128_tag(gcm(), tag, AEAD_TAG_LEN);
    return 0;
}

int aead_open(const uint8_t iv[AEAD_IV_LEN], const uint8_t *aad, size_t aad_len, const uint8_t *in,
              uint8_t *out, size_t len, const uint8_t tag[AEAD_TAG_LEN])
{
    if (start(iv, aad, aad_len) || CRYPTO_gcm128_decrypt(gcm(), in, out, len) ||
        CRYPTO_gcm128_finish(gcm(), tag, AEAD_TAG_LEN)) {
        OPENSSL_cleanse(out, len);
        return -1;
    }
    return 0;
}

void aead_wipe(void)
{
    OPENSSL_cleanse(&aes_key, sizeof(aes_key));
    OPENSSL_cleanse(gcm_space, sizeof(gcm_space));
}
