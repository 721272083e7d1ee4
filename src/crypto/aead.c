/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/aead.h"

static const EVP_CIPHER *gcm_for(size_t keylen)
{
    return keylen == 16 ? EVP_aes_128_gcm() : keylen == 32 ? EVP_aes_256_gcm() : NULL;
}

swsev_rc crypto_gcm_encrypt(const uint8_t *key, size_t keylen, const uint8_t iv[12],
                            const void *aad, size_t aad_len, const void *in, size_t len, void *out,
                            uint8_t tag[16])
{
    const EVP_CIPHER *c = gcm_for(keylen);
    if (!c || len > INT_MAX || aad_len > INT_MAX)
        return SWSEV_CRYPTO_ERR(2);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, fin = 0;
    int ok = ctx && EVP_EncryptInit_ex(ctx, c, NULL, key, iv) &&
             (aad_len == 0 || EVP_EncryptUpdate(ctx, NULL, &outl, aad, (int)aad_len)) &&
             (len == 0 || EVP_EncryptUpdate(ctx, out, &outl, in, (int)len)) &&
             EVP_EncryptFinal_ex(ctx, (uint8_t *)out + (len ? outl : 0), &fin) &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(ctx);
    return ok ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}

swsev_rc crypto_gcm_decrypt(const uint8_t *key, size_t keylen, const uint8_t iv[12],
                            const void *aad, size_t aad_len, const void *in, size_t len, void *out,
                            const uint8_t tag[16])
{
    const EVP_CIPHER *c = gcm_for(keylen);
    if (!c || len > INT_MAX || aad_len > INT_MAX)
        return SWSEV_CRYPTO_ERR(2);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl = 0, fin = 0;
    uint8_t t[16];
    memcpy(t, tag, 16);
    int ok = ctx && EVP_DecryptInit_ex(ctx, c, NULL, key, iv) &&
             (aad_len == 0 || EVP_DecryptUpdate(ctx, NULL, &outl, aad, (int)aad_len)) &&
             (len == 0 || EVP_DecryptUpdate(ctx, out, &outl, in, (int)len)) &&
             EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, t);
    int verified = ok && EVP_DecryptFinal_ex(ctx, (uint8_t *)out + (len ? outl : 0), &fin) > 0;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok)
        return SWSEV_CRYPTO_ERR(1);
    if (!verified) {
        if (len)
            memset(out, 0, len);
        return SWSEV_TOOL_ERR(SWSEV_E_VERIFY);
    }
    return SWSEV_OK;
}
