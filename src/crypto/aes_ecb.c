/* SPDX-License-Identifier: MIT */
#include <limits.h>

#include <openssl/evp.h>

#include "crypto/aes_ecb.h"

static const EVP_CIPHER *cipher_for(size_t keylen)
{
    if (keylen == 16)
        return EVP_aes_128_ecb();
    if (keylen == 32)
        return EVP_aes_256_ecb();
    return NULL;
}

swsev_rc crypto_aes_ecb_init(struct crypto_aes_ecb *c, const uint8_t *key, size_t keylen)
{
    const EVP_CIPHER *ciph = cipher_for(keylen);
    c->enc = c->dec = NULL;
    if (!ciph)
        return SWSEV_CRYPTO_ERR(2);
    EVP_CIPHER_CTX *e = EVP_CIPHER_CTX_new(), *d = EVP_CIPHER_CTX_new();
    c->enc = e;
    c->dec = d;
    if (!e || !d || !EVP_EncryptInit_ex(e, ciph, NULL, key, NULL) ||
        !EVP_DecryptInit_ex(d, ciph, NULL, key, NULL) || !EVP_CIPHER_CTX_set_padding(e, 0) ||
        !EVP_CIPHER_CTX_set_padding(d, 0)) {
        crypto_aes_ecb_clear(c);
        return SWSEV_CRYPTO_ERR(1);
    }
    return SWSEV_OK;
}

void crypto_aes_ecb_clear(struct crypto_aes_ecb *c)
{
    EVP_CIPHER_CTX_free(c->enc);
    EVP_CIPHER_CTX_free(c->dec);
    c->enc = c->dec = NULL;
}

static swsev_rc run(void *ctx, int enc, const void *in, void *out, size_t len)
{
    if (len % 16 != 0 || len > INT_MAX)
        return SWSEV_CRYPTO_ERR(2);
    int outl = 0;
    int ok = enc ? EVP_EncryptUpdate(ctx, out, &outl, in, (int)len)
                 : EVP_DecryptUpdate(ctx, out, &outl, in, (int)len);
    return ok && (size_t)outl == len ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}

swsev_rc crypto_aes_ecb_encrypt(struct crypto_aes_ecb *c, const void *in, void *out, size_t len)
{
    return run(c->enc, 1, in, out, len);
}

swsev_rc crypto_aes_ecb_decrypt(struct crypto_aes_ecb *c, const void *in, void *out, size_t len)
{
    return run(c->dec, 0, in, out, len);
}
