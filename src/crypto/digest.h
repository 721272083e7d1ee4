/* SPDX-License-Identifier: MIT */
/*
 * crypto/digest.h - SHA-256 / SHA-384 / SHA-512 with caller-allocated,
 * cloneable contexts (a resumable launch digest copies a running state),
 * HMAC-SHA256, and a constant-time compare. OpenSSL EVP does the work.
 */
#ifndef SWSEV_CRYPTO_DIGEST_H
#define SWSEV_CRYPTO_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "swsev/status.h"

enum crypto_md { CRYPTO_SHA256 = 1, CRYPTO_SHA384 = 2, CRYPTO_SHA512 = 3 };

struct crypto_digest {
    void *ctx; /* EVP_MD_CTX *, NULL when not started */
    enum crypto_md md;
};

size_t crypto_md_len(enum crypto_md md);
swsev_rc crypto_digest_init(struct crypto_digest *d, enum crypto_md md);
swsev_rc crypto_digest_update(struct crypto_digest *d, const void *p, size_t len);
/* Writes crypto_md_len(md) bytes and releases the context. */
swsev_rc crypto_digest_final(struct crypto_digest *d, uint8_t *out);
/* dst becomes an independent copy of src's running state. */
swsev_rc crypto_digest_clone(struct crypto_digest *dst, const struct crypto_digest *src);
void crypto_digest_clear(struct crypto_digest *d);
/* One shot. */
swsev_rc crypto_hash(enum crypto_md md, const void *p, size_t len, uint8_t *out);

/* HMAC-SHA256 over the concatenation of n pieces. */
struct crypto_iov {
    const void *p;
    size_t len;
};
swsev_rc crypto_hmac_sha256(const uint8_t *key, size_t keylen, const struct crypto_iov *iov,
                            size_t n, uint8_t out[32]);

/* Constant-time equality. */
bool crypto_equal(const void *a, const void *b, size_t len);

#endif
