/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "crypto/amdcert.h"
#include "crypto/digest.h"
#include "crypto/rsapss.h"

#define BAD SWSEV_TOOL_ERR(SWSEV_E_FORMAT)

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

size_t amdcert_signed_len(const struct amd_cert *c)
{
    return sizeof(struct amd_cert_hdr) + 2 * c->key_bytes;
}

swsev_rc amdcert_parse(const void *buf, size_t len, bool allow_unsigned, struct amd_cert *out)
{
    struct amd_cert c;
    memset(&c, 0, sizeof(c));
    if (len < sizeof(c.hdr) || len > sizeof(c.raw))
        return BAD;
    memcpy(c.raw, buf, len);
    memcpy(&c.hdr, buf, sizeof(c.hdr));
    if (c.hdr.version != 1 || !all_zero(c.hdr.reserved, sizeof(c.hdr.reserved)))
        return BAD;
    if (c.hdr.key_usage != SEV_USAGE_ARK && c.hdr.key_usage != SEV_USAGE_ASK)
        return BAD;
    if (c.hdr.pubexp_size != c.hdr.modulus_size ||
        (c.hdr.modulus_size != 2048 && c.hdr.modulus_size != 4096))
        return BAD;
    c.key_bytes = c.hdr.modulus_size / 8;
    size_t unsigned_len = sizeof(c.hdr) + 2 * c.key_bytes;
    if (len == unsigned_len + c.key_bytes)
        c.has_sig = true;
    else if (!(allow_unsigned && len == unsigned_len))
        return BAD;
    c.len = len;
    /* The ARK certifies itself; an ASK is certified by another key. */
    bool self = memcmp(c.hdr.key_id, c.hdr.certifying_id, 16) == 0;
    if ((c.hdr.key_usage == SEV_USAGE_ARK) != self)
        return BAD;
    *out = c;
    return SWSEV_OK;
}

swsev_rc amdcert_pubkey(const struct amd_cert *c, EVP_PKEY **out)
{
    const uint8_t *exp = c->raw + sizeof(c->hdr), *mod = exp + c->key_bytes;
    return crypto_rsa_from_le(mod, c->key_bytes, exp, c->key_bytes, out);
}

static enum crypto_md md_for(size_t key_bytes)
{
    return key_bytes == 256 ? CRYPTO_SHA256 : CRYPTO_SHA384;
}

swsev_rc amdcert_verify(const struct amd_cert *c, const struct amd_cert *issuer)
{
    if (!c->has_sig)
        return SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
    if (memcmp(c->hdr.certifying_id, issuer->hdr.key_id, 16) != 0 ||
        issuer->hdr.key_usage != SEV_USAGE_ARK)
        return SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
    EVP_PKEY *k = NULL;
    swsev_rc rc = amdcert_pubkey(issuer, &k);
    if (!rc) {
        if (crypto_rsa_size(k) != c->key_bytes)
            rc = SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
        else
            rc = crypto_rsapss_verify(k, md_for(c->key_bytes), c->raw, amdcert_signed_len(c),
                                      c->raw + amdcert_signed_len(c), c->key_bytes);
    }
    EVP_PKEY_free(k);
    return rc;
}

bool amdcert_is_test_root(const struct amd_cert *c)
{
    return memcmp(c->hdr.key_id, AMD_TEST_ROOT_MARK, strlen(AMD_TEST_ROOT_MARK)) == 0;
}

swsev_rc amdcert_create(struct amd_cert *c, uint32_t usage, const uint8_t key_id[16],
                        const uint8_t certifying_id[16], EVP_PKEY *pub, EVP_PKEY *signer)
{
    memset(c, 0, sizeof(*c));
    size_t n = crypto_rsa_size(pub);
    if ((n != 256 && n != 512) || crypto_rsa_size(signer) != n)
        return SWSEV_TOOL_ERR(SWSEV_E_INVAL);
    c->key_bytes = n;
    c->hdr.version = 1;
    memcpy(c->hdr.key_id, key_id, 16);
    memcpy(c->hdr.certifying_id, certifying_id, 16);
    c->hdr.key_usage = usage;
    c->hdr.pubexp_size = c->hdr.modulus_size = (uint32_t)(n * 8);
    memcpy(c->raw, &c->hdr, sizeof(c->hdr));
    uint8_t *exp = c->raw + sizeof(c->hdr), *mod = exp + n;
    swsev_rc rc = crypto_rsa_to_le(pub, mod, exp, n);
    if (!rc)
        rc = crypto_rsapss_sign(signer, md_for(n), c->raw, amdcert_signed_len(c), mod + n);
    c->len = sizeof(c->hdr) + 3 * n;
    c->has_sig = rc == SWSEV_OK;
    return rc;
}

swsev_rc amdcert_create_root(struct crypto_drbg *rng, EVP_PKEY **ark_key, struct amd_cert *ark,
                             EVP_PKEY **ask_key, struct amd_cert *ask)
{
    uint8_t ark_id[16] = {0}, ask_id[16] = {0};
    memcpy(ark_id, AMD_TEST_ROOT_MARK " ARK", 14);
    memcpy(ask_id, AMD_TEST_ROOT_MARK " ASK", 14);
    swsev_rc rc = crypto_drbg_bytes(rng, ark_id + 14, 2);
    if (!rc)
        rc = crypto_drbg_bytes(rng, ask_id + 14, 2);
    *ark_key = *ask_key = NULL;
    if (!rc)
        rc = crypto_rsa_generate(4096, ark_key);
    if (!rc)
        rc = crypto_rsa_generate(4096, ask_key);
    if (!rc)
        rc = amdcert_create(ark, SEV_USAGE_ARK, ark_id, ark_id, *ark_key, *ark_key);
    if (!rc)
        rc = amdcert_create(ask, SEV_USAGE_ASK, ask_id, ark_id, *ask_key, *ark_key);
    if (rc) {
        EVP_PKEY_free(*ark_key);
        EVP_PKEY_free(*ask_key);
        *ark_key = *ask_key = NULL;
    }
    return rc;
}
