/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "hw/xex.h"

void xex_tweak_init(struct xex_tweak *tw, const uint8_t *rnd)
{
    memset(tw, 0, sizeof(*tw));
    for (int i = XEX_FIRST_BIT; i <= XEX_LAST_BIT; i++)
        memcpy(tw->t[i], rnd + (size_t)(i - XEX_FIRST_BIT) * 16, 16);
    for (unsigned j = 0; j < 256; j++) {
        uint64_t a = 0, b = 0;
        for (unsigned bit = 0; bit < 8; bit++) {
            if (j & (1u << bit)) {
                a ^= tw->t[XEX_FIRST_BIT + bit][0];
                b ^= tw->t[XEX_FIRST_BIT + bit][1];
            }
        }
        tw->in_page[j][0] = a;
        tw->in_page[j][1] = b;
    }
}

/* T of the page-number bits [12, 51] of pa. */
static void page_tweak(const struct xex_tweak *tw, uint64_t pa, uint64_t out[2])
{
    uint64_t a = 0, b = 0;
    uint64_t bits = (pa >> 12) & ((1ull << (XEX_LAST_BIT - 11)) - 1);
    while (bits) {
        int i = __builtin_ctzll(bits) + 12;
        a ^= tw->t[i][0];
        b ^= tw->t[i][1];
        bits &= bits - 1;
    }
    out[0] = a;
    out[1] = b;
}

void xex_tweak_of(const struct xex_tweak *tw, uint64_t pa, uint64_t out[2])
{
    page_tweak(tw, pa, out);
    out[0] ^= tw->in_page[(pa >> 4) & 0xff][0];
    out[1] ^= tw->in_page[(pa >> 4) & 0xff][1];
}

/* dst = src ^ T for n blocks, T given per block. Written so that the
 * compiler vectorises it (this file is built with -O3). */
static void xor_blocks(uint8_t *dst, const uint8_t *src, const uint64_t (*t)[2], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t a, b;
        memcpy(&a, src + 16 * i, 8);
        memcpy(&b, src + 16 * i + 8, 8);
        a ^= t[i][0];
        b ^= t[i][1];
        memcpy(dst + 16 * i, &a, 8);
        memcpy(dst + 16 * i + 8, &b, 8);
    }
}

static swsev_rc run(const struct xex_tweak *tw, struct crypto_aes_ecb *aes, uint64_t pa,
                    const uint8_t *in, uint8_t *out, size_t len, int enc)
{
    if ((pa | len) & 15)
        return SWSEV_HW_ERR(SWSEV_HW_ALIGN);
    uint64_t t[256][2];
    while (len > 0) {
        size_t chunk = 4096 - (pa & 4095);
        if (chunk > len)
            chunk = len;
        size_t n = chunk / 16;
        unsigned first = (unsigned)(pa >> 4) & 0xff;
        uint64_t pt[2];
        page_tweak(tw, pa, pt);
        for (size_t i = 0; i < n; i++) {
            t[i][0] = pt[0] ^ tw->in_page[first + i][0];
            t[i][1] = pt[1] ^ tw->in_page[first + i][1];
        }
        xor_blocks(out, in, t, n);
        swsev_rc rc = enc ? crypto_aes_ecb_encrypt(aes, out, out, chunk)
                          : crypto_aes_ecb_decrypt(aes, out, out, chunk);
        if (rc)
            return rc;
        xor_blocks(out, out, t, n);
        pa += chunk;
        in += chunk;
        out += chunk;
        len -= chunk;
    }
    return SWSEV_OK;
}

swsev_rc xex_encrypt(const struct xex_tweak *tw, struct crypto_aes_ecb *aes, uint64_t pa,
                     const uint8_t *in, uint8_t *out, size_t len)
{
    return run(tw, aes, pa, in, out, len, 1);
}

swsev_rc xex_decrypt(const struct xex_tweak *tw, struct crypto_aes_ecb *aes, uint64_t pa,
                     const uint8_t *in, uint8_t *out, size_t len)
{
    return run(tw, aes, pa, in, out, len, 0);
}
