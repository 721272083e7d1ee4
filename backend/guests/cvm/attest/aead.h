/* SPDX-License-Identifier: MIT */
/*
 * aead.h - AES-256-GCM with a 96-bit IV and a 128-bit tag, the one AEAD
 * the SNP guest messages use (algo 1), under one key at a time. All the
 * cryptography is OpenSSL's (ossl.h); this only drives it.
 */
#ifndef ATTEST_AEAD_H
#define ATTEST_AEAD_H

#include <stddef.h>
#include <stdint.h>

#define AEAD_KEY_LEN 32
#define AEAD_IV_LEN  12
#define AEAD_TAG_LEN 16

/* Expand key and set up GHASH. 0, or -1 when OpenSSL refuses the key or
 * its GCM context outgrew the space set aside for it. */
int aead_init(const uint8_t key[AEAD_KEY_LEN]);

/* Encrypt len bytes of in into out (they may be the same) and produce the
 * tag over aad and the ciphertext. 0 or -1. */
int aead_seal(const uint8_t iv[AEAD_IV_LEN], const uint8_t *aad, size_t aad_len, const uint8_t *in,
              uint8_t *out, size_t len, uint8_t tag[AEAD_TAG_LEN]);

/* Decrypt and check the tag: 0, or -1 with out wiped (nothing of a forged
 * message may be used). */
int aead_open(const uint8_t iv[AEAD_IV_LEN], const uint8_t *aad, size_t aad_len, const uint8_t *in,
              uint8_t *out, size_t len, const uint8_t tag[AEAD_TAG_LEN]);

/* Forget the key: the schedule and GHASH's key-dependent tables. */
void aead_wipe(void);

#endif
