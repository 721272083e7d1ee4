/* SPDX-License-Identifier: MIT */
/*
 * SWAP_OUT / SWAP_IN: a guest page leaves guest memory encrypted and
 * authenticated, with a 0x40-byte metadata entry, and comes back only if
 * intact. The SEV API fixes the metadata layout (software data, IV[8],
 * tag[16], flags at 0x3C) but not the cipher; ours (docs/firmware.md):
 *   key   = KDF(VEK, "swsev-swap"), 32 bytes, AES-256-GCM
 *   nonce = IV[8] || 0x00000000, IV random per swap-out
 *   AAD   = software data (8 bytes) || flags (4 bytes)
 * An entry or page that does not authenticate: SECURE_DATA_INVALID.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/aead.h"
#include "crypto/sev_launch.h"
#include "fw/handlers.h"

struct swap_mdata {
    uint64_t software_data;
    uint8_t iv[8];
    uint8_t tag[16];
    uint8_t reserved[28];
    uint32_t flags; /* bit 0 page size, bits 2:1 page type */
} __attribute__((packed));
_Static_assert(sizeof(struct swap_mdata) == 0x40, "swap metadata entry is 0x40 bytes");

#define SWAP_SIZE_2M   1u
#define SWAP_TYPE(f)   (((f) >> 1) & 3u)
#define SWAP_TYPE_DATA 0
#define SWAP_TYPE_VMSA 2
#define SWAP_IN_PLACE  (1u << 3)

static uint16_t swap_common(struct sev_fw *fw, uint32_t handle, uint32_t flags, struct fw_guest **g,
                            uint32_t *len, uint8_t key[32])
{
    *g = fw_guest_find(fw, handle);
    if (!*g)
        return SEV_STATUS_INVALID_GUEST;
    if (!(*g)->active)
        return SEV_STATUS_INACTIVE;
    uint32_t type = SWAP_TYPE(flags);
    if ((type != SWAP_TYPE_DATA && type != SWAP_TYPE_VMSA) ||
        (type == SWAP_TYPE_VMSA && (!(*g)->es || (flags & SWAP_SIZE_2M))))
        return SEV_STATUS_INVALID_PARAM;
    *len = (flags & SWAP_SIZE_2M) ? (2u << 20) : 4096u;
    return sev_kdf((*g)->vek, 16, "swsev-swap", NULL, 0, key, 32) ? SEV_STATUS_HWERROR_PLATFORM
                                                                  : SEV_STATUS_SUCCESS;
}

/* GCM nonce and AAD of an entry. */
static void entry_iv_aad(const struct swap_mdata *m, uint8_t nonce[12], uint8_t aad[12])
{
    memset(nonce, 0, 12);
    memcpy(nonce, m->iv, 8);
    memcpy(aad, &m->software_data, 8);
    memcpy(aad + 8, &m->flags, 4);
}

static bool aligned(struct sev_fw *fw, uint64_t pa, uint32_t len)
{
    return (fw_strip_cbit(fw, pa) & (len - 1)) == 0 && fw_mem_valid(fw, pa, len);
}

FW_HANDLER(swap_out)
{
    struct sev_fw_swap_out *b = c->buf;
    struct fw_guest *g;
    uint32_t len;
    uint8_t key[32];
    uint16_t st = swap_common(fw, b->handle, b->flags & 7u, &g, &len, key);
    if (st)
        return st;
    if (b->flags & ~7u)
        st = SEV_STATUS_INVALID_PARAM;
    else if (!aligned(fw, b->src_paddr, len) || !aligned(fw, b->dst_paddr, len) ||
             !fw_mem_valid(fw, b->mdata_paddr, sizeof(struct swap_mdata)))
        st = SEV_STATUS_INVALID_ADDRESS;
    uint8_t *buf = st ? NULL : malloc(len);
    if (!st && !buf)
        st = SEV_STATUS_RESOURCE_LIMIT;
    struct swap_mdata m;
    memset(&m, 0, sizeof(m));
    m.software_data = b->software_data;
    m.flags = b->flags & 7u;
    if (!st)
        st = fw_random(fw, m.iv, sizeof(m.iv));
    if (!st)
        st = fw_guest_mem_read(fw, g->asid, b->src_paddr, buf, len);
    if (!st) {
        uint8_t nonce[12], aad[12];
        entry_iv_aad(&m, nonce, aad);
        if (crypto_gcm_encrypt(key, 32, nonce, aad, sizeof(aad), buf, len, buf, m.tag))
            st = SEV_STATUS_HWERROR_PLATFORM;
    }
    if (!st)
        st = fw_mem_write(fw, b->dst_paddr, buf, len);
    if (!st)
        st = fw_mem_write(fw, b->mdata_paddr, &m, sizeof(m));
    OPENSSL_cleanse(key, sizeof(key));
    free(buf);
    return st;
}

FW_HANDLER(swap_in)
{
    struct sev_fw_swap_in *b = c->buf;
    struct fw_guest *g;
    uint32_t len;
    uint8_t key[32];
    uint16_t st = swap_common(fw, b->handle, b->flags & 7u, &g, &len, key);
    if (st)
        return st;
    uint64_t dst = (b->flags & SWAP_IN_PLACE) ? b->src_paddr : b->dst_paddr;
    struct swap_mdata m;
    if (b->flags & ~(7u | SWAP_IN_PLACE))
        st = SEV_STATUS_INVALID_PARAM;
    else if (!aligned(fw, b->src_paddr, len) || !aligned(fw, dst, len))
        st = SEV_STATUS_INVALID_ADDRESS;
    if (!st)
        st = fw_mem_read(fw, b->mdata_paddr, &m, sizeof(m));
    if (!st && m.flags != (b->flags & 7u))
        st = SEV_STATUS_INVALID_PARAM; /* not the page the entry describes */
    uint8_t *buf = st ? NULL : malloc(len);
    if (!st && !buf)
        st = SEV_STATUS_RESOURCE_LIMIT;
    if (!st)
        st = fw_mem_read(fw, b->src_paddr, buf, len);
    if (!st) {
        uint8_t nonce[12], aad[12];
        entry_iv_aad(&m, nonce, aad);
        if (crypto_gcm_decrypt(key, 32, nonce, aad, sizeof(aad), buf, len, buf, m.tag))
            st = SEV_STATUS_SECURE_DATA_INVALID;
    }
    if (!st)
        st = fw_guest_mem_write(fw, g->asid, dst, buf, len);
    OPENSSL_cleanse(key, sizeof(key));
    if (buf)
        OPENSSL_cleanse(buf, len);
    free(buf);
    return st;
}
