/* SPDX-License-Identifier: MIT */
/*
 * crypto/ecc.h - ECDSA and ECDH on NIST P-384 in AMD's encodings:
 * coordinates and signature values as 72-byte little-endian fields
 * (zero-padded), the ECDH secret as the 48-byte big-endian x-coordinate
 * that EVP_PKEY_derive returns. OpenSSL 3 does the arithmetic.
 *
 * Keys made by crypto_ecc_generate come from the platform DRBG, so a
 * seeded run makes the same keys; ECDSA signatures use OpenSSL's nonce and
 * are not reproducible.
 */
#ifndef SWSEV_CRYPTO_ECC_H
#define SWSEV_CRYPTO_ECC_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "swsev/drbg.h"
#include "swsev/status.h"

#define ECC_P384_LEN  48
#define ECC_FIELD_LEN 72 /* AMD's zero-padded field width */

enum crypto_md;

swsev_rc crypto_ecc_generate(struct crypto_drbg *rng, EVP_PKEY **out);
/* A key derived deterministically from 64 seed bytes. */
swsev_rc crypto_ecc_from_seed(const uint8_t seed[64], EVP_PKEY **out);
/* A private key from its 48-byte big-endian scalar (public part derived). */
swsev_rc crypto_ecc_from_private(const uint8_t d[48], EVP_PKEY **out);
swsev_rc crypto_ecc_private(const EVP_PKEY *k, uint8_t d[48]);
/* Public key from AMD little-endian coordinates; the point must be on the
 * curve (SWSEV_TOOL_ERR(SWSEV_E_FORMAT) otherwise). */
swsev_rc crypto_ecc_from_le(const uint8_t qx[72], const uint8_t qy[72], EVP_PKEY **out);
swsev_rc crypto_ecc_to_le(const EVP_PKEY *k, uint8_t qx[72], uint8_t qy[72]);

/* ECDSA over msg hashed with md. r and s little-endian, 72 bytes. */
swsev_rc crypto_ecdsa_sign(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                           uint8_t r[72], uint8_t s[72]);
/* SWSEV_OK, or SWSEV_TOOL_ERR(SWSEV_E_VERIFY). */
swsev_rc crypto_ecdsa_verify(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                             const uint8_t r[72], const uint8_t s[72]);
/* Z = x-coordinate of priv * peer, big-endian. */
swsev_rc crypto_ecdh(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t z[48]);

/* Little-endian <-> big-endian byte order. */
void crypto_reverse(uint8_t *dst, const uint8_t *src, size_t len);

#endif
