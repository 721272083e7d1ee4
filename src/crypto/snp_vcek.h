/* SPDX-License-Identifier: MIT */
/*
 * crypto/snp_vcek.h - the versioned chip endorsement key (VCEK): an ECDSA
 * P-384 key that is a function of the chip secret and of a TCB_VERSION.
 *
 * The construction follows the shape of AMD's "hash stick" scheme (the
 * Genoa firmware's vcek_hash_derive): one SHA-384 chain per TCB component,
 * in boot order (FMC on Turin, boot loader, TEE, SNP firmware, microcode).
 * A component at SPL v contributes its stick hashed 255 - v more times, so
 * whoever holds the sticks of a TCB can derive the key of any lower TCB
 * but never of a higher one, and the next component's chain starts from
 * the current one: changing an early SPL changes every later stick.
 *
 *   stick_base_0   = SHA-384("swsev-vcek-root" || chip_secret)
 *   h_i            = SHA-384^(255 - spl_i)(stick_base_i)
 *   stick_base_i+1 = SHA-384(h_i || "next")
 *   vcek_hash      = SHA-384(h_last)
 *   VCEK           = P-384 key d = (k mod (n - 1)) + 1, k = 64 bytes of
 *                    SEV-KDF(vcek_hash, "sev-versioned-chip-endorsement-key")
 *
 * The label is AMD's; the chaining constants and the 64-byte reduction
 * input are our own (the exact AMD constants are not public): docs/firmware.md.
 * The same function serves the firmware (signing, MSG_KEY_REQ) and the
 * local KDS (which, like AMD's, holds every chip's secret).
 */
#ifndef SWSEV_CRYPTO_SNP_VCEK_H
#define SWSEV_CRYPTO_SNP_VCEK_H

#include <stdint.h>

#include <openssl/evp.h>

#include "swsev/abi/snp_report.h"
#include "swsev/status.h"

#define SNP_VCEK_HASH_LEN 48

/* The hash stick of tcb (a TCB_VERSION in p's layout). */
swsev_rc snp_vcek_hash(const uint8_t chip_secret[32], uint64_t tcb, enum snp_product p,
                       uint8_t out[SNP_VCEK_HASH_LEN]);
/* The VCEK of a hash stick. */
swsev_rc snp_vcek_key(const uint8_t hash[SNP_VCEK_HASH_LEN], EVP_PKEY **out);
/* Both steps. */
swsev_rc snp_vcek_derive(const uint8_t chip_secret[32], uint64_t tcb, enum snp_product p,
                         EVP_PKEY **out);
/* The chip ID: GET_ID's output, the SNP report's CHIP_ID and the KDS's
 * hwID. SEV-KDF(chip_secret, "swsev-chip-id"), 64 bytes. */
swsev_rc snp_chip_id(const uint8_t chip_secret[32], uint8_t out[64]);
/* A VLEK from its 48-byte seed (what SNP_VLEK_LOAD unwraps), with AMD's
 * label "sev-versioned-loaded-attestation-key". */
swsev_rc snp_vlek_key(const uint8_t seed[SNP_VCEK_HASH_LEN], EVP_PKEY **out);

/* The wrapped VLEK hash sticks SNP_VLEK_LOAD takes (0x1B0 bytes, SNP ABI
 * and AMD's firmware): IV[12], rsvd[4], the 8 x 48-byte sticks encrypted
 * with AES-256-GCM under SEV-KDF(VCEK hash stick of tcb,
 * "vlek-wrapping-key"), TCB_VERSION, rsvd[8] (both authenticated), tag. */
#define SNP_VLEK_WRAPPED_LEN 0x1B0
#define SNP_VLEK_STICKS_LEN  0x180
swsev_rc snp_vlek_wrapping_key(const uint8_t vcek_hash[SNP_VCEK_HASH_LEN], uint8_t key[32]);
/* What AMD's KDS does for a cloud provider: wrap sticks for the chip at tcb. */
swsev_rc snp_vlek_wrap(const uint8_t chip_secret[32], uint64_t tcb, enum snp_product p,
                       const uint8_t sticks[SNP_VLEK_STICKS_LEN], const uint8_t iv[12],
                       uint8_t out[SNP_VLEK_WRAPPED_LEN]);
/* The firmware's side: SWSEV_TOOL_ERR(SWSEV_E_VERIFY) when the tag fails. */
swsev_rc snp_vlek_unwrap(const uint8_t vcek_hash[SNP_VCEK_HASH_LEN],
                         const uint8_t in[SNP_VLEK_WRAPPED_LEN],
                         uint8_t sticks[SNP_VLEK_STICKS_LEN]);

#endif
