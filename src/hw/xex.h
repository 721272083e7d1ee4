/* SPDX-License-Identifier: MIT */
/*
 * hw/xex.h - the memory encryption engine's cipher mode.
 *
 * Every 16-byte block at system physical address pa (C-bit stripped) is
 *     C = E_K(P xor T(pa)) xor T(pa)
 * with T linear in the address bits: T(pa) = xor of t_i over the set bits
 * i in [4, 51] of pa. The t_i are drawn at power-on, so they differ from
 * boot to boot (the Zen 2 XEX model of sev-reference section 7). The mode
 * is deterministic, block-granular and position-dependent, with no
 * integrity: the properties the SEV attacks rely on. The AES itself is
 * OpenSSL's.
 */
#ifndef SWSEV_HW_XEX_H
#define SWSEV_HW_XEX_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/aes_ecb.h"
#include "swsev/status.h"

#define XEX_FIRST_BIT 4
#define XEX_LAST_BIT  51
#define XEX_NR_BITS   (XEX_LAST_BIT - XEX_FIRST_BIT + 1)

struct xex_tweak {
    uint64_t t[64][2];        /* t_i per address bit (bits outside [4, 51] are 0) */
    uint64_t in_page[256][2]; /* T of the block offsets inside a page (bits 4..11) */
};

/* rnd holds XEX_NR_BITS * 16 random bytes. */
void xex_tweak_init(struct xex_tweak *tw, const uint8_t *rnd);
/* T(pa) for one 16-byte-aligned address. */
void xex_tweak_of(const struct xex_tweak *tw, uint64_t pa, uint64_t out[2]);

/* Encrypt / decrypt len bytes (multiple of 16) located at pa (16-aligned).
 * in and out may alias. */
swsev_rc xex_encrypt(const struct xex_tweak *tw, struct crypto_aes_ecb *aes, uint64_t pa,
                     const uint8_t *in, uint8_t *out, size_t len);
swsev_rc xex_decrypt(const struct xex_tweak *tw, struct crypto_aes_ecb *aes, uint64_t pa,
                     const uint8_t *in, uint8_t *out, size_t len);

#endif
