/* SPDX-License-Identifier: MIT */
/*
 * crypto/sevcert.h - SEV platform certificates (0x824 bytes): a strict
 * parser, creation, signing and verification.
 *
 * The parser accepts only what AMD's firmware produces: version 1, the
 * known usages and algorithms, a P-384 key on the curve, and zero in every
 * reserved or unused byte (the real Naples, Rome and Milan certificates
 * keep all of them zero). With the signatures covering bytes 0x000-0x413,
 * a one-byte change anywhere in a signed certificate is detected.
 */
#ifndef SWSEV_CRYPTO_SEVCERT_H
#define SWSEV_CRYPTO_SEVCERT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "swsev/abi/sev_cert.h"
#include "swsev/status.h"

/* Parse and validate. SWSEV_TOOL_ERR(SWSEV_E_FORMAT) for anything malformed. */
swsev_rc sevcert_parse(const void *buf, size_t len, struct sev_cert *out);
/* A new certificate for pub (both signature slots empty). */
swsev_rc sevcert_init(struct sev_cert *c, uint32_t usage, uint32_t algo, uint8_t api_major,
                      uint8_t api_minor, EVP_PKEY *pub);
/* Sign bytes 0x000-0x413 into slot (0 or 1) as a signer with usage and algo
 * (ECDSA-SHA256/384 with an EC key, RSA-PSS-SHA256/384 with the ASK). */
swsev_rc sevcert_sign(struct sev_cert *c, int slot, uint32_t signer_usage, uint32_t algo,
                      EVP_PKEY *signer);
/* Verify the slot that carries signer_usage with the signer's public key.
 * SWSEV_TOOL_ERR(SWSEV_E_VERIFY) when absent or wrong. */
swsev_rc sevcert_verify(const struct sev_cert *c, uint32_t signer_usage, EVP_PKEY *signer);
/* The same with the signer given as a certificate. */
swsev_rc sevcert_verify_by(const struct sev_cert *c, const struct sev_cert *signer);
/* The certificate's public key (P-384). */
swsev_rc sevcert_pubkey(const struct sev_cert *c, EVP_PKEY **out);
/* Whether both certificates carry the same public key. */
int sevcert_same_key(const struct sev_cert *a, const struct sev_cert *b);
const char *sevcert_usage_name(uint32_t usage);

#endif
