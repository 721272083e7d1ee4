/* SPDX-License-Identifier: MIT */
/*
 * crypto/aes_ecb.h - raw AES block encryption (ECB over whole 16-byte
 * blocks) through OpenSSL EVP. The memory encryption engine builds its XEX
 * mode on top of it; OpenSSL does every AES round.
 *
 * A context is not safe for concurrent use: callers serialise.
 */
#ifndef SWSEV_CRYPTO_AES_ECB_H
#define SWSEV_CRYPTO_AES_ECB_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/status.h"

struct crypto_aes_ecb {
    void *enc; /* EVP_CIPHER_CTX * */
    void *dec; /* EVP_CIPHER_CTX * */
};

/* keylen is 16 (AES-128) or 32 (AES-256). */
swsev_rc crypto_aes_ecb_init(struct crypto_aes_ecb *c, const uint8_t *key, size_t keylen);
void crypto_aes_ecb_clear(struct crypto_aes_ecb *c);
/* len must be a multiple of 16; in and out may be the same buffer. */
swsev_rc crypto_aes_ecb_encrypt(struct crypto_aes_ecb *c, const void *in, void *out, size_t len);
swsev_rc crypto_aes_ecb_decrypt(struct crypto_aes_ecb *c, const void *in, void *out, size_t len);

#endif
