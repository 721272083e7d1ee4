/* SPDX-License-Identifier: MIT */
/*
 * swsev/drbg.h - the platform's random-bit generator.
 *
 * One instance per simulated platform. Without a seed it is an OpenSSL
 * CTR-DRBG (AES-256) chained to OpenSSL's primary DRBG, i.e. real entropy.
 * With a seed it is a deterministic AES-256-CTR keystream keyed by
 * SHA-256("swsev-drbg-v1" || seed): every run with the same seed produces
 * the same bytes in the same order, which makes whole runs reproducible for
 * tests and bug reports. The seeded mode is for testing only.
 *
 * Thread-safe: calls are serialised internally.
 */
#ifndef SWSEV_DRBG_H
#define SWSEV_DRBG_H

#include <stddef.h>

#include "swsev/status.h"

struct crypto_drbg;

/* seed == NULL (and seed_len == 0) selects real entropy. */
swsev_rc crypto_drbg_new(struct crypto_drbg **out, const void *seed, size_t seed_len);
void crypto_drbg_free(struct crypto_drbg *d);
swsev_rc crypto_drbg_bytes(struct crypto_drbg *d, void *out, size_t len);
/* 1 when the generator is the deterministic (seeded) kind. */
int crypto_drbg_is_deterministic(const struct crypto_drbg *d);

#endif
