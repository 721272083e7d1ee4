/* SPDX-License-Identifier: MIT */
/*
 * crypto/sev_launch.h - the SEV launch/migration channel crypto, shared by
 * the firmware (one end) and the guest-owner tools (other end), so that
 * both directions use one implementation (sev-reference 2.5-2.8):
 *
 *   Z = ECDH x-coordinate (48 bytes, big-endian)
 *   MASTER = KDF(Z, "sev-master-secret", NONCE), KEK/KIK = KDF(MASTER, "sev-kek"/"sev-kik")
 *   KDF = NIST SP 800-108 counter mode, HMAC-SHA256, counter and L (bits) as u32 LE,
 *         label || 0x00 || context
 */
#ifndef SWSEV_CRYPTO_SEV_LAUNCH_H
#define SWSEV_CRYPTO_SEV_LAUNCH_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/abi/sev_launch.h"
#include "swsev/status.h"

swsev_rc sev_kdf(const uint8_t *key, size_t keylen, const char *label, const uint8_t *context,
                 size_t ctxlen, uint8_t *out, size_t outlen);

/* KEK and KIK from Z and the session NONCE. */
swsev_rc sev_channel_keys(const uint8_t *z, size_t zlen, const uint8_t nonce[16], uint8_t kek[16],
                          uint8_t kik[16]);

/* Guest owner (or SEND_START): wrap TEK/TIK for the peer. */
swsev_rc sev_session_wrap(const uint8_t *z, size_t zlen, const uint8_t nonce[16],
                          const uint8_t tek[16], const uint8_t tik[16], const uint8_t wrap_iv[16],
                          uint32_t policy, struct sev_session_blob *blob);
/* Firmware: check and unwrap. WRAP_MAC or POLICY_MAC mismatch is
 * SWSEV_FW_ERR(SEV_STATUS_BAD_MEASUREMENT); tek/tik are untouched then. */
swsev_rc sev_session_unwrap(const uint8_t *z, size_t zlen, const struct sev_session_blob *blob,
                            uint32_t policy, uint8_t tek[16], uint8_t tik[16]);

/* LAUNCH_MEASURE: HMAC(TIK, 0x04 || major || minor || build || policy || digest || mnonce);
 * firmware API < 0.17 omits the first four bytes. */
swsev_rc sev_measure_mac(const uint8_t tik[16], uint8_t api_major, uint8_t api_minor, uint8_t build,
                         uint32_t policy, const uint8_t digest[32], const uint8_t mnonce[16],
                         uint8_t out[32]);

/* Packet MAC: HMAC(TIK, ctx || FLAGS || IV || GUEST_LEN || TRANS_LEN || ciphertext
 * [|| MEASURE]). measure is NULL for SEND/RECEIVE packets and for LAUNCH_SECRET
 * on firmware API < 0.17. */
swsev_rc sev_packet_mac(uint8_t ctx, const uint8_t tik[16], uint32_t flags, const uint8_t iv[16],
                        uint32_t guest_len, uint32_t trans_len, const uint8_t *ciphertext,
                        const uint8_t *measure, uint8_t out[32]);

/* Build a packet: ciphertext = AES-128-CTR(TEK, IV, plaintext), header MAC. */
swsev_rc sev_packet_seal(uint8_t ctx, const uint8_t tek[16], const uint8_t tik[16],
                         const uint8_t iv[16], const uint8_t *plain, uint32_t len,
                         const uint8_t *measure, struct sev_packet_hdr *hdr, uint8_t *ciphertext);
/* Verify and decrypt. BAD_MEASUREMENT on a MAC mismatch, UNSUPPORTED for
 * the COMPRESSED flag (firmware statuses as SWSEV_FW_ERR). */
swsev_rc sev_packet_open(uint8_t ctx, const uint8_t tek[16], const uint8_t tik[16],
                         const struct sev_packet_hdr *hdr, uint32_t guest_len,
                         const uint8_t *ciphertext, uint32_t trans_len, const uint8_t *measure,
                         uint8_t *plain);

#endif
