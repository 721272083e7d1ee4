/* SPDX-License-Identifier: MIT */
/*
 * crypto/rsapss.h - RSA-PSS (salt length = digest length) with SHA-256 or
 * SHA-384, the signature scheme of AMD's ARK and ASK, with AMD's
 * little-endian encodings of modulus, exponent and signature.
 */
#ifndef SWSEV_CRYPTO_RSAPSS_H
#define SWSEV_CRYPTO_RSAPSS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "swsev/status.h"

enum crypto_md;

/* A public key from little-endian modulus and exponent. */
swsev_rc crypto_rsa_from_le(const uint8_t *mod_le, size_t mod_len, const uint8_t *exp_le,
                            size_t exp_len, EVP_PKEY **out);
/* Modulus and exponent little-endian, zero-padded to len bytes each. */
swsev_rc crypto_rsa_to_le(const EVP_PKEY *k, uint8_t *mod_le, uint8_t *exp_le, size_t len);
/* New key of bits bits (OpenSSL's RNG), exponent 65537. */
swsev_rc crypto_rsa_generate(unsigned bits, EVP_PKEY **out);
/* Key size in bytes. */
size_t crypto_rsa_size(const EVP_PKEY *k);

/* Signature little-endian, crypto_rsa_size(k) bytes. Verification accepts
 * any PSS salt length (AMD's verifiers "recover" it); signing uses the
 * digest length. */
swsev_rc crypto_rsapss_sign(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                            uint8_t *sig_le);
swsev_rc crypto_rsapss_verify(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                              const uint8_t *sig_le, size_t sig_len);
/* The same with big-endian signatures (X.509 uses them). */
swsev_rc crypto_rsapss_sign_be(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                               uint8_t *sig_be);
swsev_rc crypto_rsapss_verify_be(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                                 const uint8_t *sig_be, size_t sig_len);

#endif
