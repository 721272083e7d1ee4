/* SPDX-License-Identifier: MIT */
/*
 * crypto/sev_owner.h - what the guest owner does, offline, around an SEV
 * launch: make a launch session for a platform's PDH, check the
 * LAUNCH_MEASURE the platform returns against the expected launch digest,
 * and package a secret for LAUNCH_SECRET.
 */
#ifndef SWSEV_CRYPTO_SEV_OWNER_H
#define SWSEV_CRYPTO_SEV_OWNER_H

#include <stdbool.h>

#include "crypto/sev_launch.h"
#include "crypto/sevcert.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/drbg.h"

struct sev_owner_session {
    uint32_t policy;
    uint8_t tek[16], tik[16];
    struct sev_cert dh_cert;      /* the owner's ephemeral key, PDH format */
    struct sev_session_blob blob; /* the LAUNCH_START session */
};

/* A session for the platform whose PDH certificate is pdh. */
swsev_rc sev_owner_session_new(struct crypto_drbg *rng, const struct sev_cert *pdh, uint32_t policy,
                               struct sev_owner_session *s);
/* The MEASURE the firmware must return for this digest and MNONCE. */
swsev_rc sev_owner_expected_measure(const struct sev_owner_session *s, uint8_t api_major,
                                    uint8_t api_minor, uint8_t build, const uint8_t digest[32],
                                    const uint8_t mnonce[16], uint8_t out[32]);
/* Whether a LAUNCH_MEASURE blob proves that digest was launched. */
bool sev_owner_measure_ok(const struct sev_owner_session *s, uint8_t api_major, uint8_t api_minor,
                          uint8_t build, const uint8_t digest[32],
                          const struct sev_launch_measure_blob *m);
/* LAUNCH_SECRET packet for secret (len a non-zero multiple of 16), bound
 * to the measurement (firmware API 0.17 and later). */
swsev_rc sev_owner_secret(struct crypto_drbg *rng, const struct sev_owner_session *s,
                          uint8_t api_major, uint8_t api_minor, const uint8_t measure[32],
                          const uint8_t *secret, uint32_t len, struct sev_packet_hdr *hdr,
                          uint8_t *ciphertext);

#endif
