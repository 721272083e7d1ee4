/* SPDX-License-Identifier: MIT */
/*
 * crypto/aead.h - AES-GCM (128- or 256-bit keys, 12-byte IV, 16-byte tag)
 * through OpenSSL EVP: the SNP guest-message channel and the sealing of
 * swsev's own state files use it.
 */
#ifndef SWSEV_CRYPTO_AEAD_H
#define SWSEV_CRYPTO_AEAD_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/status.h"

#define CRYPTO_GCM_IV_LEN  12
#define CRYPTO_GCM_TAG_LEN 16

/* out may equal in. */
swsev_rc crypto_gcm_encrypt(const uint8_t *key, size_t keylen, const uint8_t iv[12],
                            const void *aad, size_t aad_len, const void *in, size_t len, void *out,
                            uint8_t tag[16]);
/* Returns SWSEV_TOOL_ERR(SWSEV_E_VERIFY) when the tag does not match; out
 * is then zeroed. */
swsev_rc crypto_gcm_decrypt(const uint8_t *key, size_t keylen, const uint8_t iv[12],
                            const void *aad, size_t aad_len, const void *in, size_t len, void *out,
                            const uint8_t tag[16]);

#endif
