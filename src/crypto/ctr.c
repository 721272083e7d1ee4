/* SPDX-License-Identifier: MIT */
#include <limits.h>

#include <openssl/evp.h>

#include "crypto/ctr.h"

swsev_rc crypto_aes128_ctr(const uint8_t key[16], const uint8_t iv[16], const void *in, void *out,
                           size_t len)
{
    if (len > INT_MAX)
        return SWSEV_CRYPTO_ERR(2);
    if (len == 0)
        return SWSEV_OK;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int outl = 0, fin = 0;
    int ok = c && EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) &&
             EVP_EncryptUpdate(c, out, &outl, in, (int)len) &&
             EVP_EncryptFinal_ex(c, (uint8_t *)out + outl, &fin);
    EVP_CIPHER_CTX_free(c);
    return ok ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}
