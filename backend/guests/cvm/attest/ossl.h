/* SPDX-License-Identifier: MIT */
/*
 * ossl.h - the few functions attest.elf takes from Debian's static
 * libcrypto.a (OpenSSL 3.0): the AES block cipher and the GCM mode over
 * it, both free of the C library. OpenSSL's own headers cannot be used
 * here (they include the host's libc headers, which -nostdinc keeps out),
 * so the prototypes are restated from <openssl/aes.h>, <openssl/modes.h>
 * and <openssl/crypto.h>; ossl_check.c compiles this file next to the real
 * headers at build time, so any difference is a build error.
 */
#ifndef ATTEST_OSSL_H
#define ATTEST_OSSL_H

#include <stddef.h>
#include <stdint.h>

/* AES_KEY: the expanded key schedule, filled by AES_set_encrypt_key. Its
 * layout is public (<openssl/aes.h>, without AES_LONG as on x86-64). */
#ifndef OPENSSL_AES_H
struct aes_key_st {
    unsigned int rd_key[4 * (14 + 1)];
    int rounds;
};
#endif
typedef struct aes_key_st AES_KEY;
#define OSSL_AES_KEY_SIZE 244 /* sizeof(AES_KEY), checked in both builds */
_Static_assert(sizeof(AES_KEY) == OSSL_AES_KEY_SIZE, "AES_KEY");

int AES_set_encrypt_key(const unsigned char *userKey, const int bits, AES_KEY *key);
void AES_encrypt(const unsigned char *in, unsigned char *out, const AES_KEY *key);

/* GCM128_CONTEXT is opaque: its struct (crypto/modes/modes_local.h) is
 * not installed. The caller provides the storage, and aead.c checks at
 * run time that CRYPTO_gcm128_init stayed inside it. */
typedef void (*block128_f)(const unsigned char in[16], unsigned char out[16], const void *key);
typedef struct gcm128_context GCM128_CONTEXT;

void CRYPTO_gcm128_init(GCM128_CONTEXT *ctx, void *key, block128_f block);
void CRYPTO_gcm128_setiv(GCM128_CONTEXT *ctx, const unsigned char *iv, size_t len);
int CRYPTO_gcm128_aad(GCM128_CONTEXT *ctx, const unsigned char *aad, size_t len);
int CRYPTO_gcm128_encrypt(GCM128_CONTEXT *ctx, const unsigned char *in, unsigned char *out,
                          size_t len);
int CRYPTO_gcm128_decrypt(GCM128_CONTEXT *ctx, const unsigned char *in, unsigned char *out,
                          size_t len);
/* 0 when the computed tag equals tag (compared in constant time). */
int CRYPTO_gcm128_finish(GCM128_CONTEXT *ctx, const unsigned char *tag, size_t len);
void CRYPTO_gcm128_tag(GCM128_CONTEXT *ctx, unsigned char *tag, size_t len);

/* Zeroes memory in a way the compiler cannot drop as a dead store. */
void OPENSSL_cleanse(void *ptr, size_t len);

#endif
