/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>

#include "crypto/digest.h"
#include "crypto/ecc.h"

#define BAD_INPUT SWSEV_TOOL_ERR(SWSEV_E_FORMAT)

void crypto_reverse(uint8_t *dst, const uint8_t *src, size_t len)
{
    /* Works in place (dst == src) and for any length. */
    if (dst != src)
        memmove(dst, src, len);
    for (size_t i = 0, j = len ? len - 1 : 0; i < j; i++, j--) {
        uint8_t t = dst[i];
        dst[i] = dst[j];
        dst[j] = t;
    }
}

static const EVP_MD *evp_md(enum crypto_md md)
{
    return md == CRYPTO_SHA256 ? EVP_sha256() : md == CRYPTO_SHA384 ? EVP_sha384() : NULL;
}

/* Build an EVP_PKEY from a private scalar (may be NULL) and/or a public
 * point given as big-endian x and y. */
static swsev_rc from_parts(const BIGNUM *d, const uint8_t x[48], const uint8_t y[48],
                           EVP_PKEY **out)
{
    EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_secp384r1);
    EC_POINT *pt = grp ? EC_POINT_new(grp) : NULL;
    BN_CTX *bn = BN_CTX_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    uint8_t pub[97];
    swsev_rc rc = SWSEV_CRYPTO_ERR(1);
    *out = NULL;
    if (!grp || !pt || !bn || !bld)
        goto out;
    if (d) {
        if (!EC_POINT_mul(grp, pt, d, NULL, NULL, bn))
            goto out;
    } else {
        BIGNUM *bx = BN_bin2bn(x, 48, NULL), *by = BN_bin2bn(y, 48, NULL);
        int ok = bx && by && EC_POINT_set_affine_coordinates(grp, pt, bx, by, bn) &&
                 EC_POINT_is_on_curve(grp, pt, bn) == 1;
        BN_free(bx);
        BN_free(by);
        if (!ok) {
            rc = BAD_INPUT;
            goto out;
        }
    }
    if (EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), bn) != 97)
        goto out;
    if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "secp384r1", 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof(pub)) ||
        (d && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d)))
        goto out;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, out, d ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) <= 0)
        goto out;
    rc = SWSEV_OK;
out:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_CTX_free(bn);
    EC_POINT_free(pt);
    EC_GROUP_free(grp);
    return rc;
}

swsev_rc crypto_ecc_from_seed(const uint8_t seed[64], EVP_PKEY **out)
{
    /* d = (seed mod (n - 1)) + 1: bias below 2^-128. */
    EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_secp384r1);
    BIGNUM *d = BN_bin2bn(seed, 64, NULL), *nm1 = grp ? BN_dup(EC_GROUP_get0_order(grp)) : NULL;
    BN_CTX *bn = BN_CTX_new();
    swsev_rc rc = SWSEV_CRYPTO_ERR(1);
    if (d && nm1 && bn && BN_sub_word(nm1, 1) && BN_mod(d, d, nm1, bn) && BN_add_word(d, 1))
        rc = from_parts(d, NULL, NULL, out);
    BN_clear_free(d);
    BN_free(nm1);
    BN_CTX_free(bn);
    EC_GROUP_free(grp);
    return rc;
}

swsev_rc crypto_ecc_generate(struct crypto_drbg *rng, EVP_PKEY **out)
{
    uint8_t r[64];
    swsev_rc rc = crypto_drbg_bytes(rng, r, sizeof(r));
    if (!rc)
        rc = crypto_ecc_from_seed(r, out);
    OPENSSL_cleanse(r, sizeof(r));
    return rc;
}

swsev_rc crypto_ecc_from_private(const uint8_t dbytes[48], EVP_PKEY **out)
{
    EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_secp384r1);
    BIGNUM *d = BN_bin2bn(dbytes, 48, NULL);
    swsev_rc rc = SWSEV_CRYPTO_ERR(1);
    if (grp && d) {
        if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0)
            rc = BAD_INPUT;
        else
            rc = from_parts(d, NULL, NULL, out);
    }
    BN_clear_free(d);
    EC_GROUP_free(grp);
    return rc;
}

swsev_rc crypto_ecc_private(const EVP_PKEY *k, uint8_t d[48])
{
    BIGNUM *bd = NULL;
    if (!EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &bd))
        return SWSEV_CRYPTO_ERR(1);
    int ok = BN_bn2binpad(bd, d, 48) == 48;
    BN_clear_free(bd);
    return ok ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}

swsev_rc crypto_ecc_from_le(const uint8_t qx[72], const uint8_t qy[72], EVP_PKEY **out)
{
    uint8_t x[48], y[48];
    *out = NULL;
    /* AMD pads to 72 bytes; a P-384 coordinate uses the first 48. */
    for (int i = 48; i < 72; i++)
        if (qx[i] || qy[i])
            return BAD_INPUT;
    crypto_reverse(x, qx, 48);
    crypto_reverse(y, qy, 48);
    return from_parts(NULL, x, y, out);
}

swsev_rc crypto_ecc_to_le(const EVP_PKEY *k, uint8_t qx[72], uint8_t qy[72])
{
    BIGNUM *x = NULL, *y = NULL;
    uint8_t bx[48], by[48];
    int ok = EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x) &&
             EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y) &&
             BN_bn2binpad(x, bx, 48) == 48 && BN_bn2binpad(y, by, 48) == 48;
    BN_free(x);
    BN_free(y);
    if (!ok)
        return SWSEV_CRYPTO_ERR(1);
    memset(qx, 0, 72);
    memset(qy, 0, 72);
    crypto_reverse(qx, bx, 48);
    crypto_reverse(qy, by, 48);
    return SWSEV_OK;
}

swsev_rc crypto_ecdsa_sign(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                           uint8_t r[72], uint8_t s[72])
{
    const EVP_MD *m = evp_md(md);
    if (!m)
        return SWSEV_CRYPTO_ERR(2);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    uint8_t der[160];
    size_t dlen = sizeof(der);
    int ok = c && EVP_DigestSignInit(c, NULL, m, NULL, k) > 0 &&
             EVP_DigestSign(c, der, &dlen, msg, len) > 0;
    EVP_MD_CTX_free(c);
    if (!ok)
        return SWSEV_CRYPTO_ERR(1);
    const uint8_t *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
    uint8_t br[48], bs[48];
    ok = sig && BN_bn2binpad(ECDSA_SIG_get0_r(sig), br, 48) == 48 &&
         BN_bn2binpad(ECDSA_SIG_get0_s(sig), bs, 48) == 48;
    ECDSA_SIG_free(sig);
    if (!ok)
        return SWSEV_CRYPTO_ERR(1);
    memset(r, 0, 72);
    memset(s, 0, 72);
    crypto_reverse(r, br, 48);
    crypto_reverse(s, bs, 48);
    return SWSEV_OK;
}

swsev_rc crypto_ecdsa_verify(EVP_PKEY *k, enum crypto_md md, const void *msg, size_t len,
                             const uint8_t r[72], const uint8_t s[72])
{
    const EVP_MD *m = evp_md(md);
    if (!m)
        return SWSEV_CRYPTO_ERR(2);
    for (int i = 48; i < 72; i++)
        if (r[i] || s[i])
            return SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
    uint8_t br[48], bs[48];
    crypto_reverse(br, r, 48);
    crypto_reverse(bs, s, 48);
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *R = BN_bin2bn(br, 48, NULL), *S = BN_bin2bn(bs, 48, NULL);
    if (!sig || !R || !S || !ECDSA_SIG_set0(sig, R, S)) {
        BN_free(R);
        BN_free(S);
        ECDSA_SIG_free(sig);
        return SWSEV_CRYPTO_ERR(1);
    }
    uint8_t *der = NULL;
    int dlen = i2d_ECDSA_SIG(sig, &der);
    ECDSA_SIG_free(sig);
    if (dlen <= 0)
        return SWSEV_CRYPTO_ERR(1);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int v = c && EVP_DigestVerifyInit(c, NULL, m, NULL, k) > 0
                ? EVP_DigestVerify(c, der, (size_t)dlen, msg, len)
                : -1;
    EVP_MD_CTX_free(c);
    OPENSSL_free(der);
    if (v < 0 && !c)
        return SWSEV_CRYPTO_ERR(1);
    return v == 1 ? SWSEV_OK : SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
}

swsev_rc crypto_ecdh(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t z[48])
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(priv, NULL);
    size_t len = 48;
    int ok = c && EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_derive_set_peer(c, peer) > 0 &&
             EVP_PKEY_derive(c, z, &len) > 0 && len == 48;
    EVP_PKEY_CTX_free(c);
    return ok ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}
