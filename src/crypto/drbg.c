/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/drbg.h"

struct crypto_drbg {
    pthread_mutex_t lock;
    EVP_RAND_CTX *rand;        /* entropy mode */
    EVP_CIPHER_CTX *keystream; /* deterministic mode */
};

static const unsigned char zeros[256];

static swsev_rc init_entropy(struct crypto_drbg *d)
{
    EVP_RAND *alg = EVP_RAND_fetch(NULL, "CTR-DRBG", NULL);
    if (!alg)
        return SWSEV_CRYPTO_ERR(1);
    d->rand = EVP_RAND_CTX_new(alg, RAND_get0_primary(NULL));
    EVP_RAND_free(alg);
    if (!d->rand)
        return SWSEV_CRYPTO_ERR(1);
    OSSL_PARAM params[2] = {
        OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_CIPHER, (char *)"AES-256-CTR", 0),
        OSSL_PARAM_construct_end(),
    };
    static const unsigned char pers[] = "swsev platform drbg";
    if (!EVP_RAND_instantiate(d->rand, 256, 0, pers, sizeof(pers) - 1, params))
        return SWSEV_CRYPTO_ERR(1);
    return SWSEV_OK;
}

static swsev_rc init_seeded(struct crypto_drbg *d, const void *seed, size_t seed_len)
{
    static const char label[] = "swsev-drbg-v1";
    unsigned char key[32], iv[16] = {0};
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned int klen = 0;
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(md, label, sizeof(label) - 1) &&
             EVP_DigestUpdate(md, seed, seed_len) && EVP_DigestFinal_ex(md, key, &klen);
    EVP_MD_CTX_free(md);
    if (!ok)
        return SWSEV_CRYPTO_ERR(1);
    d->keystream = EVP_CIPHER_CTX_new();
    ok = d->keystream && EVP_EncryptInit_ex(d->keystream, EVP_aes_256_ctr(), NULL, key, iv);
    OPENSSL_cleanse(key, sizeof(key));
    return ok ? SWSEV_OK : SWSEV_CRYPTO_ERR(1);
}

swsev_rc crypto_drbg_new(struct crypto_drbg **out, const void *seed, size_t seed_len)
{
    struct crypto_drbg *d = calloc(1, sizeof(*d));
    if (!d)
        return SWSEV_SYS_ERR(12);
    pthread_mutex_init(&d->lock, NULL);
    swsev_rc rc = seed ? init_seeded(d, seed, seed_len) : init_entropy(d);
    if (rc) {
        crypto_drbg_free(d);
        return rc;
    }
    *out = d;
    return SWSEV_OK;
}

void crypto_drbg_free(struct crypto_drbg *d)
{
    if (!d)
        return;
    EVP_RAND_CTX_free(d->rand);
    EVP_CIPHER_CTX_free(d->keystream);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

int crypto_drbg_is_deterministic(const struct crypto_drbg *d)
{
    return d->keystream != NULL;
}

swsev_rc crypto_drbg_bytes(struct crypto_drbg *d, void *out, size_t len)
{
    swsev_rc rc = SWSEV_OK;
    unsigned char *p = out;
    pthread_mutex_lock(&d->lock);
    while (len > 0 && rc == SWSEV_OK) {
        size_t n = len < sizeof(zeros) ? len : sizeof(zeros);
        int outl = 0;
        if (d->keystream) {
            if (!EVP_EncryptUpdate(d->keystream, p, &outl, zeros, (int)n) || (size_t)outl != n)
                rc = SWSEV_CRYPTO_ERR(1);
        } else if (!EVP_RAND_generate(d->rand, p, n, 256, 0, NULL, 0)) {
            rc = SWSEV_CRYPTO_ERR(1);
        }
        p += n;
        len -= n;
    }
    pthread_mutex_unlock(&d->lock);
    return rc;
}
