/* SPDX-License-Identifier: MIT */
/*
 * crypto/amdcert.h - AMD signing-key certificates (ARK, ASK) in the legacy
 * SEV format: a 0x40-byte header, then public exponent, modulus and
 * RSA-PSS signature, each modulus_size / 8 bytes little-endian (0x340 bytes
 * for 2048-bit Naples keys, 0x640 for 4096-bit keys). The signature covers
 * header, exponent and modulus with SHA-256 (2048-bit) or SHA-384
 * (4096-bit). The Naples ARK is also distributed without its signature.
 *
 * A test root made by amdcert_create_root is marked in its KEY_IDs: they
 * start with "swsev test" and it is never AMD's.
 */
#ifndef SWSEV_CRYPTO_AMDCERT_H
#define SWSEV_CRYPTO_AMDCERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "swsev/abi/sev_cert.h"
#include "swsev/drbg.h"
#include "swsev/status.h"

#define AMD_CERT_MAX       0x640
#define AMD_TEST_ROOT_MARK "swsev test"

struct amd_cert {
    uint8_t raw[AMD_CERT_MAX];
    size_t len;       /* bytes used in raw */
    size_t key_bytes; /* modulus_size / 8 */
    bool has_sig;
    struct amd_cert_hdr hdr;
};

/* Strict parse; a certificate without the trailing signature is accepted
 * only when allow_unsigned is set. */
swsev_rc amdcert_parse(const void *buf, size_t len, bool allow_unsigned, struct amd_cert *out);
swsev_rc amdcert_pubkey(const struct amd_cert *c, EVP_PKEY **out);
/* Verify c's signature with issuer's key (the ARK verifies itself). The
 * ASK must name the ARK as its certifier. */
swsev_rc amdcert_verify(const struct amd_cert *c, const struct amd_cert *issuer);
/* Signed bytes of c. */
size_t amdcert_signed_len(const struct amd_cert *c);
bool amdcert_is_test_root(const struct amd_cert *c);

/* Make a certificate for pub with usage, signed by signer (the ARK signs
 * itself: pass its own private key). key_id and certifying_id are 16 bytes. */
swsev_rc amdcert_create(struct amd_cert *c, uint32_t usage, const uint8_t key_id[16],
                        const uint8_t certifying_id[16], EVP_PKEY *pub, EVP_PKEY *signer);
/* A new RSA-4096 test root: ARK (self-signed) and ASK (signed by the ARK). */
swsev_rc amdcert_create_root(struct crypto_drbg *rng, EVP_PKEY **ark_key, struct amd_cert *ark,
                             EVP_PKEY **ask_key, struct amd_cert *ask);

#endif
