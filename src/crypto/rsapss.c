/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "crypto/digest.h"
#include "crypto/ecc.h"
#include "crypto/rsapss.h"

static const EVP_MD *evp_md(enum crypto_md md)
{
    return md == CRYPTO_SHA256 ? EVP_sha256() : md == CRYPTO_SHA384 ? EVP_sha384() : NULL;
}

swsev_rc crypto_rsa_from_le(const uint8_t *mod_le, size_t mod_len, const uint8_t *exp_le,
                            size_t exp_len, EVP_PKEY **out)
{
    *out = NULL;
    BIGNUM *n = BN_lebin2bn(mod_le, (int)mod_len, NULL),
           *e = BN_lebin2bn(exp_le, (int)exp_len, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    swsev_rc rc = SWSEV_CRYPTO_ERR(1);
    if (!n || !e || !bld)
        goto out;
    if (BN_is_zero(n) || BN_is_zero(e) || !BN_is_odd(n)) {
        rc = SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
        goto out;
    }
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) > 0 &&
        EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) > 0)
        rc = SWSEV_OK;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return rc;
}

swsev_rc crypto_rsa_to_le(const EVP_PKEY *k, uint8_t *mod_le, uint8_t *exp_le, size_t len)
{
    BIGNUM *n = NULL, *e = NULL;
    int ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) &&
             EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) &&
             BN_bn2lebinpad(n, mod_le, (int)len) == (int)len &&
             BN_bn2lebinpad(e, exp_le, (int)len) == (int)len;
    BN_free(n);
    BN_free(e);
    return ok ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}

swsev_rc crypto_rsa_generate(unsigned bits, EVP_PKEY **out)
{
    *out = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    return *out ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}

size_t crypto_rsa_size(const EVP_PKEY *k)
{
    return (size_t)EVP_PKEY_get_size(k);
}

static int pss_ctx(EVP_MD_CTX *c, EVP_PKEY *k, const EVP_MD *m, int sign)
{
    EVP_PKEY_CTX *pctx = NULL;
    int ok = sign ? EVP_DigestSignInit(c, &pctx, m, NULL, k) > 0
                  : EVP_DigestVerifyInit(c, &pctx, m, NULL, k) > 0;
    return ok && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, sign ? RSA_PSS_SALTLEN_DIGEST
                                                       : RSA_PSS_SALTLEN_AUTO) > 0 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, m) > 0;
}

swsev_rc crypto_rsapss_sign_be(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                               uint8_t *sig_be)
{
    const EVP_MD *m = evp_md(md);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t slen = crypto_rsa_size(k);
    int ok = m && c && pss_ctx(c, k, m, 1) && EVP_DigestSign(c, sig_be, &slen, msg, len) > 0;
    EVP_MD_CTX_free(c);
    return ok ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}

swsev_rc crypto_rsapss_verify_be(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                                 const uint8_t *sig_be, size_t sig_len)
{
    const EVP_MD *m = evp_md(md);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!m || !c) {
        EVP_MD_CTX_free(c);
        return SWSEV_CRYPTO_ERR(2);
    }
    int v = pss_ctx(c, k, m, 0) ? EVP_DigestVerify(c, sig_be, sig_len, msg, len) : -1;
    EVP_MD_CTX_free(c);
    return v == 1 ? SWSEV_OK : SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
}

swsev_rc crypto_rsapss_sign(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                            uint8_t *sig_le)
{
    size_t n = crypto_rsa_size(k);
    swsev_rc rc = crypto_rsapss_sign_be(k, md, msg, len, sig_le);
    if (!rc)
        crypto_reverse(sig_le, sig_le, n);
    return rc;
}

swsev_rc crypto_rsapss_verify(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                              const uint8_t *sig_le, size_t sig_len)
{
    size_t n = crypto_rsa_size(k);
    if (sig_len < n)
        return SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
    uint8_t *be = malloc(n);
    if (!be)
        return SWSEV_CRYPTO_ERR(1);
    crypto_reverse(be, sig_le, n);
    swsev_rc rc = crypto_rsapss_verify_be(k, md, msg, len, be, n);
    free(be);
    return rc;
}
