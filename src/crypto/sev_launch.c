/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/ctr.h"
#include "crypto/digest.h"
#include "crypto/sev_launch.h"
#include "swsev/fw_status.h"

static void le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

swsev_rc sev_kdf(const uint8_t *key, size_t keylen, const char *label, const uint8_t *context,
                 size_t ctxlen, uint8_t *out, size_t outlen)
{
    uint8_t counter[4], bits[4], sep = 0, block[32];
    if (outlen > 0xFFFFFFF)
        return SWSEV_CRYPTO_ERR(2);
    le32(bits, (uint32_t)(outlen * 8));
    for (uint32_t i = 1, done = 0; done < outlen; i++) {
        le32(counter, i);
        struct crypto_iov iov[] = {
            {counter, 4}, {label, strlen(label)}, {&sep, 1}, {context, ctxlen}, {bits, 4},
        };
        swsev_rc rc = crypto_hmac_sha256(key, keylen, iov, 5, block);
        if (rc)
            return rc;
        size_t n = outlen - done < 32 ? outlen - done : 32;
        memcpy(out + done, block, n);
        done += (uint32_t)n;
    }
    OPENSSL_cleanse(block, sizeof(block));
    return SWSEV_OK;
}

swsev_rc sev_channel_keys(const uint8_t *z, size_t zlen, const uint8_t nonce[16], uint8_t kek[16],
                          uint8_t kik[16])
{
    uint8_t master[16];
    swsev_rc rc = sev_kdf(z, zlen, "sev-master-secret", nonce, 16, master, 16);
    if (!rc)
        rc = sev_kdf(master, 16, "sev-kek", NULL, 0, kek, 16);
    if (!rc)
        rc = sev_kdf(master, 16, "sev-kik", NULL, 0, kik, 16);
    OPENSSL_cleanse(master, sizeof(master));
    return rc;
}

static swsev_rc policy_mac(const uint8_t tik[16], uint32_t policy, uint8_t out[32])
{
    uint8_t p[4];
    le32(p, policy);
    struct crypto_iov iov = {p, 4};
    return crypto_hmac_sha256(tik, 16, &iov, 1, out);
}

swsev_rc sev_session_wrap(const uint8_t *z, size_t zlen, const uint8_t nonce[16],
                          const uint8_t tek[16], const uint8_t tik[16], const uint8_t wrap_iv[16],
                          uint32_t policy, struct sev_session_blob *blob)
{
    uint8_t kek[16], kik[16], tk[32];
    memcpy(tk, tek, 16);
    memcpy(tk + 16, tik, 16);
    memcpy(blob->nonce, nonce, 16);
    memcpy(blob->wrap_iv, wrap_iv, 16);
    swsev_rc rc = sev_channel_keys(z, zlen, nonce, kek, kik);
    if (!rc)
        rc = crypto_aes128_ctr(kek, wrap_iv, tk, blob->wrap_tk, 32);
    struct crypto_iov iov = {blob->wrap_tk, 32};
    if (!rc)
        rc = crypto_hmac_sha256(kik, 16, &iov, 1, blob->wrap_mac);
    if (!rc)
        rc = policy_mac(tik, policy, blob->policy_mac);
    OPENSSL_cleanse(kek, 16);
    OPENSSL_cleanse(kik, 16);
    OPENSSL_cleanse(tk, 32);
    return rc;
}

swsev_rc sev_session_unwrap(const uint8_t *z, size_t zlen, const struct sev_session_blob *blob,
                            uint32_t policy, uint8_t tek[16], uint8_t tik[16])
{
    uint8_t kek[16], kik[16], mac[32], tk[32], pmac[32];
    swsev_rc rc = sev_channel_keys(z, zlen, blob->nonce, kek, kik);
    struct crypto_iov iov = {blob->wrap_tk, 32};
    if (!rc)
        rc = crypto_hmac_sha256(kik, 16, &iov, 1, mac);
    if (!rc && !crypto_equal(mac, blob->wrap_mac, 32))
        rc = SWSEV_FW_ERR(SEV_STATUS_BAD_MEASUREMENT);
    if (!rc)
        rc = crypto_aes128_ctr(kek, blob->wrap_iv, blob->wrap_tk, tk, 32);
    if (!rc)
        rc = policy_mac(tk + 16, policy, pmac);
    if (!rc && !crypto_equal(pmac, blob->policy_mac, 32))
        rc = SWSEV_FW_ERR(SEV_STATUS_BAD_MEASUREMENT);
    if (!rc) {
        memcpy(tek, tk, 16);
        memcpy(tik, tk + 16, 16);
    }
    OPENSSL_cleanse(kek, 16);
    OPENSSL_cleanse(kik, 16);
    OPENSSL_cleanse(tk, 32);
    return rc;
}

swsev_rc sev_measure_mac(const uint8_t tik[16], uint8_t api_major, uint8_t api_minor, uint8_t build,
                         uint32_t policy, const uint8_t digest[32], const uint8_t mnonce[16],
                         uint8_t out[32])
{
    uint8_t head[4] = {SEV_MAC_CTX_MEASURE, api_major, api_minor, build}, p[4];
    le32(p, policy);
    bool legacy = api_major == 0 && api_minor < 17;
    struct crypto_iov iov[] = {{head, legacy ? 0 : 4}, {p, 4}, {digest, 32}, {mnonce, 16}};
    return crypto_hmac_sha256(tik, 16, iov, 4, out);
}

swsev_rc sev_packet_mac(uint8_t ctx, const uint8_t tik[16], uint32_t flags, const uint8_t iv[16],
                        uint32_t guest_len, uint32_t trans_len, const uint8_t *ciphertext,
                        const uint8_t *measure, uint8_t out[32])
{
    uint8_t f[4], g[4], t[4];
    le32(f, flags);
    le32(g, guest_len);
    le32(t, trans_len);
    struct crypto_iov iov[] = {
        {&ctx, 1},
        {f, 4},
        {iv, 16},
        {g, 4},
        {t, 4},
        {ciphertext, trans_len},
        {measure, measure ? 32 : 0},
    };
    return crypto_hmac_sha256(tik, 16, iov, 7, out);
}

swsev_rc sev_packet_seal(uint8_t ctx, const uint8_t tek[16], const uint8_t tik[16],
                         const uint8_t iv[16], const uint8_t *plain, uint32_t len,
                         const uint8_t *measure, struct sev_packet_hdr *hdr, uint8_t *ciphertext)
{
    hdr->flags = 0;
    memcpy(hdr->iv, iv, 16);
    swsev_rc rc = crypto_aes128_ctr(tek, iv, plain, ciphertext, len);
    return rc ? rc : sev_packet_mac(ctx, tik, 0, iv, len, len, ciphertext, measure, hdr->mac);
}

swsev_rc sev_packet_open(uint8_t ctx, const uint8_t tek[16], const uint8_t tik[16],
                         const struct sev_packet_hdr *hdr, uint32_t guest_len,
                         const uint8_t *ciphertext, uint32_t trans_len, const uint8_t *measure,
                         uint8_t *plain)
{
    if (hdr->flags & SEV_PACKET_FLAG_COMPRESSED)
        return SWSEV_FW_ERR(SEV_STATUS_UNSUPPORTED);
    uint8_t mac[32];
    swsev_rc rc = sev_packet_mac(ctx, tik, hdr->flags, hdr->iv, guest_len, trans_len, ciphertext,
                                 measure, mac);
    if (rc)
        return rc;
    if (!crypto_equal(mac, hdr->mac, 32))
        return SWSEV_FW_ERR(SEV_STATUS_BAD_MEASUREMENT);
    return crypto_aes128_ctr(tek, hdr->iv, ciphertext, plain, trans_len);
}
