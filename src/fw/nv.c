/* SPDX-License-Identifier: MIT */
/*
 * The firmware's non-volatile state, sealed to the chip.
 *
 * Blob: "SWSEVNV1" | u32 version (1) | u32 plaintext length | IV[12] |
 * tag[16] | AES-256-GCM ciphertext, the header (first 24 bytes) as AAD,
 * the key derived from the chip secret. A blob sealed by another chip, or
 * changed in any byte, fails authentication and is refused whole.
 *
 * Plaintext: u32 flags (bit 0: externally owned) | OCA, PEK, PDH each as
 * private scalar (48 bytes, big-endian) followed by the certificate
 * (0x824 bytes).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/aead.h"
#include "crypto/ecc.h"
#include "crypto/sev_launch.h"
#include "crypto/sevcert.h"
#include "fw/owner.h"

#define NV_MAGIC   "SWSEVNV1"
#define NV_VERSION 1
#define NV_HDR     24
#define NV_KEYREC  (48 + SEV_CERT_LEN)
#define NV_PLAIN   (4 + 3 * NV_KEYREC)
#define NV_BLOB    (NV_HDR + 12 + 16 + NV_PLAIN)
#define NV_MAX_LEN (32u << 10)

_Static_assert(NV_BLOB <= NV_MAX_LEN, "sealed NV state fits the INIT_EX buffer");

static swsev_rc seal_key(const struct sev_fw *fw, uint8_t key[32])
{
    return sev_kdf(fw->chip_secret, 32, "swsev-nv-seal", NULL, 0, key, 32);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static swsev_rc serialize(const struct sev_fw *fw, uint8_t plain[NV_PLAIN])
{
    EVP_PKEY *keys[3] = {fw->oca, fw->pek, fw->pdh};
    const uint8_t *certs[3] = {fw->oca_cert, fw->pek_cert, fw->pdh_cert};
    put32(plain, fw->owner_external ? 1 : 0);
    for (int i = 0; i < 3; i++) {
        uint8_t *rec = plain + 4 + i * NV_KEYREC;
        /* An externally owned platform keeps no OCA private key. */
        if (keys[i]) {
            swsev_rc rc = crypto_ecc_private(keys[i], rec);
            if (rc)
                return rc;
        } else {
            memset(rec, 0, 48);
        }
        memcpy(rec + 48, certs[i], SEV_CERT_LEN);
    }
    return SWSEV_OK;
}

static swsev_rc seal(const struct sev_fw *fw, uint8_t blob[NV_BLOB])
{
    uint8_t key[32], plain[NV_PLAIN];
    memcpy(blob, NV_MAGIC, 8);
    put32(blob + 8, NV_VERSION);
    put32(blob + 12, NV_PLAIN);
    memset(blob + 16, 0, 8);
    swsev_rc rc = serialize(fw, plain);
    if (!rc)
        rc = crypto_drbg_bytes(fw->rng, blob + NV_HDR, 12);
    if (!rc)
        rc = seal_key(fw, key);
    if (!rc)
        rc = crypto_gcm_encrypt(key, 32, blob + NV_HDR, blob, NV_HDR, plain, NV_PLAIN,
                                blob + NV_HDR + 28, blob + NV_HDR + 12);
    OPENSSL_cleanse(key, sizeof(key));
    OPENSSL_cleanse(plain, sizeof(plain));
    return rc;
}

struct owner_state {
    bool external;
    EVP_PKEY *keys[3];
    uint8_t certs[3][SEV_CERT_LEN];
};

static void state_free(struct owner_state *s)
{
    for (int i = 0; i < 3; i++)
        EVP_PKEY_free(s->keys[i]);
    OPENSSL_cleanse(s, sizeof(*s));
}

/* Unseal and check everything before anything is used. */
static swsev_rc unseal(const struct sev_fw *fw, const uint8_t *blob, size_t len,
                       struct owner_state *out)
{
    uint8_t key[32], plain[NV_PLAIN];
    memset(out, 0, sizeof(*out));
    if (len != NV_BLOB || memcmp(blob, NV_MAGIC, 8) || get32(blob + 8) != NV_VERSION ||
        get32(blob + 12) != NV_PLAIN)
        return SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
    swsev_rc rc = seal_key(fw, key);
    if (!rc)
        rc = crypto_gcm_decrypt(key, 32, blob + NV_HDR, blob, NV_HDR, blob + NV_HDR + 28, NV_PLAIN,
                                plain, blob + NV_HDR + 12);
    OPENSSL_cleanse(key, sizeof(key));
    if (rc)
        return SWSEV_TOOL_ERR(SWSEV_E_VERIFY); /* another chip's, or damaged */
    uint32_t flags = get32(plain);
    static const uint32_t usage[3] = {SEV_USAGE_OCA, SEV_USAGE_PEK, SEV_USAGE_PDH};
    out->external = flags & 1;
    rc = (flags & ~1u) ? SWSEV_TOOL_ERR(SWSEV_E_FORMAT) : SWSEV_OK;
    for (int i = 0; i < 3 && !rc; i++) {
        const uint8_t *rec = plain + 4 + i * NV_KEYREC;
        struct sev_cert c, mine;
        memcpy(out->certs[i], rec + 48, SEV_CERT_LEN);
        rc = sevcert_parse(out->certs[i], SEV_CERT_LEN, &c);
        if (!rc && c.pubkey_usage != usage[i])
            rc = SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
        static const uint8_t zero[48];
        if (!rc && i == 0 && out->external && !memcmp(rec, zero, 48))
            continue; /* the owner's OCA key stays with the owner */
        if (!rc)
            rc = crypto_ecc_from_private(rec, &out->keys[i]);
        /* The private key must be the certificate's. */
        if (!rc)
            rc = sevcert_init(&mine, c.pubkey_usage, c.pubkey_algo, 0, 0, out->keys[i]);
        if (!rc && !sevcert_same_key(&c, &mine))
            rc = SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
    }
    OPENSSL_cleanse(plain, sizeof(plain));
    if (rc)
        state_free(out);
    return rc;
}

static void adopt(struct sev_fw *fw, struct owner_state *s)
{
    fw_owner_clear(fw);
    fw->owner_external = s->external;
    fw->oca = s->keys[0];
    fw->pek = s->keys[1];
    fw->pdh = s->keys[2];
    memcpy(fw->oca_cert, s->certs[0], SEV_CERT_LEN);
    memcpy(fw->pek_cert, s->certs[1], SEV_CERT_LEN);
    memcpy(fw->pdh_cert, s->certs[2], SEV_CERT_LEN);
    fw->keys_valid = true;
    memset(s, 0, sizeof(*s));
}

swsev_rc fw_nv_load(struct sev_fw *fw, const void *blob, size_t len)
{
    struct owner_state s;
    swsev_rc rc = unseal(fw, blob, len, &s);
    if (rc)
        return rc;
    adopt(fw, &s);
    return SWSEV_OK;
}

uint16_t fw_nv_commit(struct sev_fw *fw)
{
    uint8_t *blob = calloc(1, NV_MAX_LEN);
    if (!blob)
        return SEV_STATUS_HWERROR_PLATFORM;
    uint16_t st = SEV_STATUS_SUCCESS;
    if (!fw->keys_valid) {
        /* Nothing to keep: an erased store. */
        if (fw->nv_paddr)
            st = fw_mem_write(fw, fw->nv_paddr, blob, fw->nv_len);
        else if (fw->nv.store && fw->nv.store(fw->nv.ctx, NULL, 0))
            st = SEV_STATUS_HWERROR_PLATFORM;
    } else if (seal(fw, blob)) {
        st = SEV_STATUS_HWERROR_PLATFORM;
    } else if (fw->nv_paddr) {
        st = fw_mem_write(fw, fw->nv_paddr, blob, fw->nv_len);
    } else if (fw->nv.store && fw->nv.store(fw->nv.ctx, blob, NV_BLOB)) {
        st = SEV_STATUS_HWERROR_PLATFORM;
    }
    OPENSSL_cleanse(blob, NV_MAX_LEN);
    free(blob);
    return st;
}

uint16_t fw_nv_load_from_memory(struct sev_fw *fw, uint64_t paddr, uint32_t len)
{
    uint8_t *buf = malloc(len);
    if (!buf)
        return SEV_STATUS_HWERROR_PLATFORM;
    uint16_t st = fw_mem_read(fw, paddr, buf, len);
    if (!st) {
        bool erased = true;
        for (uint32_t i = 0; i < len && erased; i++)
            erased = buf[i] == 0 || buf[i] == 0xFF;
        if (erased) {
            fw_owner_clear(fw);
        } else {
            struct owner_state s;
            /* The blob is the head of the buffer; the rest must be padding. */
            if (unseal(fw, buf, NV_BLOB, &s)) {
                /* Like the real firmware: report the bad NV data and start
                 * over (erase it), so that a repeated INIT_EX succeeds. */
                memset(buf, 0, len);
                fw_mem_write(fw, paddr, buf, len);
                fw_owner_clear(fw);
                st = SEV_STATUS_SECURE_DATA_INVALID;
            } else {
                adopt(fw, &s);
            }
        }
    }
    OPENSSL_cleanse(buf, len);
    free(buf);
    return st;
}
