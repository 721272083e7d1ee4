/* SPDX-License-Identifier: MIT */
/*
 * crypto/ctr.h - AES-128-CTR as AMD's sev-tool and virtee/sev use it: the
 * 16-byte IV is the initial counter block, incremented as a 128-bit
 * big-endian number (OpenSSL's convention).
 */
#ifndef SWSEV_CRYPTO_CTR_H
#define SWSEV_CRYPTO_CTR_H

#include <stddef.h>
#include <stdint.h>

#include "swsev/status.h"

/* out may equal in. */
swsev_rc crypto_aes128_ctr(const uint8_t key[16], const uint8_t iv[16], const void *in, void *out,
                           size_t len);

#endif
