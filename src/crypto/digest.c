/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/digest.h"

static const EVP_MD *md_of(enum crypto_md md)
{
    switch (md) {
    case CRYPTO_SHA256:
        return EVP_sha256();
    case CRYPTO_SHA384:
        return EVP_sha384();
    case CRYPTO_SHA512:
        return EVP_sha512();
    }
    return NULL;
}

size_t crypto_md_len(enum crypto_md md)
{
    return md == CRYPTO_SHA256 ? 32 : md == CRYPTO_SHA384 ? 48 : md == CRYPTO_SHA512 ? 64 : 0;
}

swsev_rc crypto_digest_init(struct crypto_digest *d, enum crypto_md md)
{
    d->ctx = NULL;
    d->md = md;
    const EVP_MD *m = md_of(md);
    if (!m)
        return SWSEV_CRYPTO_ERR(2);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || !EVP_DigestInit_ex(c, m, NULL)) {
        EVP_MD_CTX_free(c);
        return SWSEV_CRYPTO_ERR(1);
    }
    d->ctx = c;
    return SWSEV_OK;
}

swsev_rc crypto_digest_update(struct crypto_digest *d, const void *p, size_t len)
{
    if (!d->ctx)
        return SWSEV_CRYPTO_ERR(2);
    return EVP_DigestUpdate(d->ctx, p, len) ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}

swsev_rc crypto_digest_final(struct crypto_digest *d, uint8_t *out)
{
    if (!d->ctx)
        return SWSEV_CRYPTO_ERR(2);
    unsigned int n = 0;
    int ok = EVP_DigestFinal_ex(d->ctx, out, &n);
    crypto_digest_clear(d);
    return ok ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}

swsev_rc crypto_digest_clone(struct crypto_digest *dst, const struct crypto_digest *src)
{
    dst->ctx = NULL;
    dst->md = src->md;
    if (!src->ctx)
        return SWSEV_CRYPTO_ERR(2);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || !EVP_MD_CTX_copy_ex(c, src->ctx)) {
        EVP_MD_CTX_free(c);
        return SWSEV_CRYPTO_ERR(1);
    }
    dst->ctx = c;
    return SWSEV_OK;
}

void crypto_digest_clear(struct crypto_digest *d)
{
    EVP_MD_CTX_free(d->ctx);
    d->ctx = NULL;
}

swsev_rc crypto_hash(enum crypto_md md, const void *p, size_t len, uint8_t *out)
{
    const EVP_MD *m = md_of(md);
    if (!m)
        return SWSEV_CRYPTO_ERR(2);
    return EVP_Digest(p, len, out, NULL, m, NULL) ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}

swsev_rc crypto_hmac_sha256(const uint8_t *key, size_t keylen, const struct crypto_iov *iov,
                            size_t n, uint8_t out[32])
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *c = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    size_t outl = 0;
    int ok = c && EVP_MAC_init(c, key, keylen, params);
    for (size_t i = 0; ok && i < n; i++)
        ok = iov[i].len == 0 || EVP_MAC_update(c, iov[i].p, iov[i].len);
    ok = ok && EVP_MAC_final(c, out, &outl, 32) && outl == 32;
    EVP_MAC_CTX_free(c);
    EVP_MAC_free(mac);
    return ok ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}

bool crypto_equal(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}
