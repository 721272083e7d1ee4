/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/sev_owner.h"

swsev_rc sev_owner_session_new(struct crypto_drbg *rng, const struct sev_cert *pdh, uint32_t policy,
                               struct sev_owner_session *s)
{
    memset(s, 0, sizeof(*s));
    s->policy = policy;
    EVP_PKEY *mine = NULL, *peer = NULL;
    uint8_t z[48], nonce[16], iv[16];
    if (pdh->pubkey_usage != SEV_USAGE_PDH)
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    swsev_rc rc = sevcert_pubkey(pdh, &peer);
    if (!rc)
        rc = crypto_ecc_generate(rng, &mine);
    /* The owner's DH key travels as an (unsigned) PDH-format certificate. */
    if (!rc)
        rc = sevcert_init(&s->dh_cert, SEV_USAGE_PDH, SEV_ALGO_ECDH_SHA256, 0, 0, mine);
    if (!rc)
        rc = crypto_ecdh(mine, peer, z);
    if (!rc)
        rc = crypto_drbg_bytes(rng, nonce, 16);
    if (!rc)
        rc = crypto_drbg_bytes(rng, iv, 16);
    if (!rc)
        rc = crypto_drbg_bytes(rng, s->tek, 16);
    if (!rc)
        rc = crypto_drbg_bytes(rng, s->tik, 16);
    if (!rc)
        rc = sev_session_wrap(z, 48, nonce, s->tek, s->tik, iv, policy, &s->blob);
    OPENSSL_cleanse(z, sizeof(z));
    EVP_PKEY_free(mine);
    EVP_PKEY_free(peer);
    return rc;
}

swsev_rc sev_owner_expected_measure(const struct sev_owner_session *s, uint8_t api_major,
                                    uint8_t api_minor, uint8_t build, const uint8_t digest[32],
                                    const uint8_t mnonce[16], uint8_t out[32])
{
    return sev_measure_mac(s->tik, api_major, api_minor, build, s->policy, digest, mnonce, out);
}

bool sev_owner_measure_ok(const struct sev_owner_session *s, uint8_t api_major, uint8_t api_minor,
                          uint8_t build, const uint8_t digest[32],
                          const struct sev_launch_measure_blob *m)
{
    uint8_t want[32];
    return sev_owner_expected_measure(s, api_major, api_minor, build, digest, m->mnonce, want) ==
               SWSEV_OK &&
           crypto_equal(want, m->measure, 32);
}

swsev_rc sev_owner_secret(struct crypto_drbg *rng, const struct sev_owner_session *s,
                          uint8_t api_major, uint8_t api_minor, const uint8_t measure[32],
                          const uint8_t *secret, uint32_t len, struct sev_packet_hdr *hdr,
                          uint8_t *ciphertext)
{
    if (len == 0 || len % 16)
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    uint8_t iv[16];
    swsev_rc rc = crypto_drbg_bytes(rng, iv, sizeof(iv));
    bool legacy = api_major == 0 && api_minor < 17;
    return rc ? rc
              : sev_packet_seal(SEV_MAC_CTX_SECRET, s->tek, s->tik, iv, secret, len,
                                legacy ? NULL : measure, hdr, ciphertext);
}
