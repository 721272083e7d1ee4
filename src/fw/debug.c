/* SPDX-License-Identifier: MIT */
/*
 * DBG_DECRYPT / DBG_ENCRYPT: guest memory in the clear for a debugger,
 * refused when the guest's policy says NODBG. 16-byte granular (the
 * engine's block). No guest-state check (AMD's firmware has none).
 */
#include <string.h>

#include <openssl/crypto.h>

#include "fw/handlers.h"

static uint16_t dbg(struct sev_fw *fw, struct fw_call *c, bool decrypt)
{
    struct sev_fw_dbg *b = c->buf;
    struct fw_guest *g = fw_guest_find(fw, b->handle);
    if (!g)
        return SEV_STATUS_INVALID_GUEST;
    if (g->policy & SEV_POLICY_NODBG)
        return SEV_STATUS_POLICY_FAILURE;
    if (!g->active)
        return SEV_STATUS_INACTIVE;
    if ((fw_strip_cbit(fw, b->src_paddr) & 15) || (fw_strip_cbit(fw, b->dst_paddr) & 15) ||
        (b->len & 15) || b->len == 0)
        return SEV_STATUS_INVALID_PARAM;
    if (!fw_mem_valid(fw, b->src_paddr, b->len) || !fw_mem_valid(fw, b->dst_paddr, b->len))
        return SEV_STATUS_INVALID_ADDRESS;
    uint8_t buf[4096];
    uint16_t st = SEV_STATUS_SUCCESS;
    for (uint32_t off = 0; off < b->len && !st; off += sizeof(buf)) {
        uint32_t n = b->len - off < sizeof(buf) ? b->len - off : (uint32_t)sizeof(buf);
        if (decrypt) {
            st = fw_guest_mem_read(fw, g->asid, b->src_paddr + off, buf, n);
            if (!st)
                st = fw_mem_write(fw, b->dst_paddr + off, buf, n);
        } else {
            st = fw_mem_read(fw, b->src_paddr + off, buf, n);
            if (!st)
                st = fw_guest_mem_write(fw, g->asid, b->dst_paddr + off, buf, n);
        }
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return st;
}

FW_HANDLER(dbg_decrypt)
{
    return dbg(fw, c, true);
}

FW_HANDLER(dbg_encrypt)
{
    return dbg(fw, c, false);
}

/* COPY: move guest pages to another place in memory, re-encrypted for the
 * new address (the engine's tweak binds ciphertext to the address). */
FW_HANDLER(copy)
{
    struct sev_fw_copy *b = c->buf;
    struct fw_guest *g = fw_guest_find(fw, b->handle);
    if (!g)
        return SEV_STATUS_INVALID_GUEST;
    if (!g->active)
        return SEV_STATUS_INACTIVE;
    uint64_t src = fw_strip_cbit(fw, b->src_paddr), dst = fw_strip_cbit(fw, b->dst_paddr);
    if ((src & 4095) || (dst & 4095) || (b->length & 4095) || b->length == 0)
        return SEV_STATUS_INVALID_PARAM;
    if (!fw_mem_valid(fw, src, b->length) || !fw_mem_valid(fw, dst, b->length))
        return SEV_STATUS_INVALID_ADDRESS;
    if (src < dst + b->length && dst < src + b->length)
        return SEV_STATUS_INVALID_PARAM; /* overlapping ranges */
    uint8_t buf[4096];
    uint16_t st = SEV_STATUS_SUCCESS;
    for (uint32_t off = 0; off < b->length && !st; off += 4096) {
        st = fw_guest_mem_read(fw, g->asid, src + off, buf, 4096);
        if (!st)
            st = fw_guest_mem_write(fw, g->asid, dst + off, buf, 4096);
    }
    OPENSSL_cleanse(buf, sizeof(buf));
    return st;
}
