/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/rsapss.h"
#include "crypto/sevcert.h"

#define BAD      SWSEV_TOOL_ERR(SWSEV_E_FORMAT)
#define NOVERIFY SWSEV_TOOL_ERR(SWSEV_E_VERIFY)

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

const char *sevcert_usage_name(uint32_t usage)
{
    switch (usage) {
    case SEV_USAGE_ARK:
        return "ARK";
    case SEV_USAGE_ASK:
        return "ASK";
    case SEV_USAGE_OCA:
        return "OCA";
    case SEV_USAGE_PEK:
        return "PEK";
    case SEV_USAGE_PDH:
        return "PDH";
    case SEV_USAGE_CEK:
        return "CEK";
    case SEV_USAGE_INVALID:
        return "none";
    }
    return "unknown";
}

static int is_ecdsa(uint32_t algo)
{
    return algo == SEV_ALGO_ECDSA_SHA256 || algo == SEV_ALGO_ECDSA_SHA384;
}

static int is_rsa(uint32_t algo)
{
    return algo == SEV_ALGO_RSA_SHA256 || algo == SEV_ALGO_RSA_SHA384;
}

static enum crypto_md md_of(uint32_t algo)
{
    return (algo & 0x100) ? CRYPTO_SHA384 : CRYPTO_SHA256;
}

/* Which algorithm a signer of a given usage may use. */
static int signer_algo_ok(uint32_t usage, uint32_t algo)
{
    if (usage == SEV_USAGE_ARK || usage == SEV_USAGE_ASK)
        return is_rsa(algo);
    if (usage == SEV_USAGE_OCA || usage == SEV_USAGE_PEK || usage == SEV_USAGE_CEK)
        return is_ecdsa(algo);
    return 0;
}

static swsev_rc check_slot(const struct sev_cert_sig *s)
{
    if (s->usage == SEV_USAGE_INVALID)
        return s->algo == SEV_ALGO_INVALID && all_zero(s->sig, sizeof(s->sig)) ? SWSEV_OK : BAD;
    if (!signer_algo_ok(s->usage, s->algo))
        return BAD;
    if (is_ecdsa(s->algo)) {
        const struct sev_ecdsa_sig *e = (const void *)s->sig;
        /* P-384 values use 48 of the 72 bytes; the rest of the slot is reserved. */
        if (!all_zero(e->r + 48, 24) || !all_zero(e->s + 48, 24) ||
            !all_zero(e->reserved, sizeof(e->reserved)))
            return BAD;
    }
    return SWSEV_OK;
}

swsev_rc sevcert_parse(const void *buf, size_t len, struct sev_cert *out)
{
    if (len != SEV_CERT_SIZE)
        return BAD;
    struct sev_cert c;
    memcpy(&c, buf, sizeof(c));
    if (c.version != 1 || c.reserved[0] || c.reserved[1])
        return BAD;
    switch (c.pubkey_usage) {
    case SEV_USAGE_OCA:
    case SEV_USAGE_PEK:
    case SEV_USAGE_CEK:
        if (!is_ecdsa(c.pubkey_algo))
            return BAD;
        break;
    case SEV_USAGE_PDH:
        if (c.pubkey_algo != SEV_ALGO_ECDH_SHA256 && c.pubkey_algo != SEV_ALGO_ECDH_SHA384)
            return BAD;
        break;
    default:
        return BAD;
    }
    const struct sev_ec_pubkey *k = (const void *)c.pubkey;
    if (k->curve != SEV_EC_CURVE_P384 || !all_zero(k->reserved, sizeof(k->reserved)))
        return BAD;
    EVP_PKEY *pk = NULL;
    swsev_rc rc = crypto_ecc_from_le(k->qx, k->qy, &pk); /* on the curve */
    EVP_PKEY_free(pk);
    if (rc)
        return BAD;
    if (check_slot(&c.sig[0]) || check_slot(&c.sig[1]))
        return BAD;
    if (c.sig[0].usage != SEV_USAGE_INVALID && c.sig[0].usage == c.sig[1].usage)
        return BAD;
    *out = c;
    return SWSEV_OK;
}

swsev_rc sevcert_init(struct sev_cert *c, uint32_t usage, uint32_t algo, uint8_t api_major,
                      uint8_t api_minor, EVP_PKEY *pub)
{
    memset(c, 0, sizeof(*c));
    c->version = 1;
    c->api_major = api_major;
    c->api_minor = api_minor;
    c->pubkey_usage = usage;
    c->pubkey_algo = algo;
    struct sev_ec_pubkey k;
    memset(&k, 0, sizeof(k));
    k.curve = SEV_EC_CURVE_P384;
    swsev_rc rc = crypto_ecc_to_le(pub, k.qx, k.qy);
    memcpy(c->pubkey, &k, sizeof(k));
    c->sig[0].usage = c->sig[1].usage = SEV_USAGE_INVALID;
    return rc;
}

swsev_rc sevcert_sign(struct sev_cert *c, int slot, uint32_t signer_usage, uint32_t algo,
                      EVP_PKEY *signer)
{
    if (slot < 0 || slot > 1 || !signer_algo_ok(signer_usage, algo))
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    struct sev_cert_sig s;
    memset(&s, 0, sizeof(s));
    s.usage = signer_usage;
    s.algo = algo;
    swsev_rc rc;
    if (is_ecdsa(algo)) {
        struct sev_ecdsa_sig e;
        memset(&e, 0, sizeof(e));
        rc = crypto_ecdsa_sign(signer, md_of(algo), c, SEV_CERT_SIGNED_LEN, e.r, e.s);
        memcpy(s.sig, &e, sizeof(e));
    } else {
        if (crypto_rsa_size(signer) > sizeof(s.sig))
            return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
        rc = crypto_rsapss_sign(signer, md_of(algo), c, SEV_CERT_SIGNED_LEN, s.sig);
    }
    if (!rc)
        c->sig[slot] = s;
    return rc;
}

swsev_rc sevcert_verify(const struct sev_cert *c, uint32_t signer_usage, EVP_PKEY *signer)
{
    for (int i = 0; i < 2; i++) {
        const struct sev_cert_sig *s = &c->sig[i];
        if (s->usage != signer_usage || s->usage == SEV_USAGE_INVALID)
            continue;
        if (is_ecdsa(s->algo)) {
            const struct sev_ecdsa_sig *e = (const void *)s->sig;
            return crypto_ecdsa_verify(signer, md_of(s->algo), c, SEV_CERT_SIGNED_LEN, e->r, e->s);
        }
        if (is_rsa(s->algo)) {
            size_t n = crypto_rsa_size(signer);
            /* A 2048-bit signer fills half of the slot; the rest is zero. */
            if (n > sizeof(s->sig) || !all_zero(s->sig + n, sizeof(s->sig) - n))
                return NOVERIFY;
            return crypto_rsapss_verify(signer, md_of(s->algo), c, SEV_CERT_SIGNED_LEN, s->sig, n);
        }
        return NOVERIFY;
    }
    return NOVERIFY;
}

swsev_rc sevcert_pubkey(const struct sev_cert *c, EVP_PKEY **out)
{
    const struct sev_ec_pubkey *k = (const void *)c->pubkey;
    if (k->curve != SEV_EC_CURVE_P384)
        return BAD;
    return crypto_ecc_from_le(k->qx, k->qy, out);
}

swsev_rc sevcert_verify_by(const struct sev_cert *c, const struct sev_cert *signer)
{
    EVP_PKEY *k = NULL;
    swsev_rc rc = sevcert_pubkey(signer, &k);
    if (!rc)
        rc = sevcert_verify(c, signer->pubkey_usage, k);
    EVP_PKEY_free(k);
    return rc;
}

int sevcert_same_key(const struct sev_cert *a, const struct sev_cert *b)
{
    return memcmp(a->pubkey, b->pubkey, sizeof(a->pubkey)) == 0;
}
