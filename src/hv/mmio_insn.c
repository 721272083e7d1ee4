/* SPDX-License-Identifier: MIT */
/* The MMIO instructions the VMM emulates (see mmio_insn.h). */
#include <string.h>

#include "hv/mmio_insn.h"

/* Bytes of a ModRM memory operand from the ModRM byte on: -1 for a
 * register operand or truncated bytes. */
static int modrm_len(const uint8_t *p, size_t n, bool addr32)
{
    (void)addr32; /* 32-bit addressing in long mode has the same layout */
    if (n < 1)
        return -1;
    uint8_t mod = p[0] >> 6, rm = p[0] & 7;
    if (mod == 3)
        return -1;
    int len = 1;
    if (rm == 4) {
        if (n < 2)
            return -1;
        if (mod == 0 && (p[1] & 7) == 5)
            len += 4;
        len += 1;
    } else if (mod == 0 && rm == 5) {
        len += 4; /* RIP-relative */
    }
    len += mod == 1 ? 1 : mod == 2 ? 4 : 0;
    return (size_t)len <= n ? len : -1;
}

int hv_mmio_decode(const uint8_t *p, size_t n, struct hv_mmio_insn *out)
{
    memset(out, 0, sizeof(*out));
    size_t i = 0;
    bool opsize = false, addr32 = false;
    uint8_t rex = 0;
    for (; i < n && i < 14; i++) {
        uint8_t b = p[i];
        if (b == 0x66)
            opsize = true;
        else if (b == 0x67)
            addr32 = true;
        else if (b == 0x2E || b == 0x36 || b == 0x3E || b == 0x26 || b == 0x64 || b == 0x65)
            continue;
        else
            break;
        rex = 0;
    }
    if (i < n && (p[i] & 0xF0) == 0x40)
        rex = p[i++];
    if (i >= n)
        return -1;
    uint8_t op = p[i++];
    bool movzx = false;
    if (op == 0x0F) {
        if (i >= n || (p[i] != 0xB6 && p[i] != 0xB7))
            return -1;
        op = p[i++];
        movzx = true;
    }
    bool w = rex & 8;
    uint8_t wide = w ? 8 : opsize ? 2 : 4;
    switch (op) {
    case 0x88:
        out->write = true, out->size = 1;
        break;
    case 0x89:
        out->write = true, out->size = wide;
        break;
    case 0x8A:
        out->size = 1;
        break;
    case 0x8B:
        out->size = wide;
        break;
    case 0xC6:
        out->write = out->has_imm = true, out->size = 1;
        break;
    case 0xC7:
        out->write = out->has_imm = true, out->size = wide;
        break;
    case 0xB6:
        out->size = 1;
        break;
    case 0xB7:
        out->size = 2;
        break;
    default:
        return -1;
    }
    if (i >= n)
        return -1;
    uint8_t modrm = p[i];
    int ml = modrm_len(p + i, n - i, addr32);
    if (ml < 0)
        return -1;
    if (out->has_imm && ((modrm >> 3) & 7) != 0)
        return -1; /* C6/C7 with another /digit is not a MOV */
    i += (size_t)ml;
    out->reg = (uint8_t)(((modrm >> 3) & 7) | ((rex & 4) ? 8 : 0));
    out->high_byte = out->size == 1 && !rex && !movzx ? (modrm >> 3 & 7) >= 4 : false;
    if (out->high_byte)
        out->reg -= 4;
    if (movzx) {
        out->high_byte = false;
        out->dest_size = wide;
        out->zero_extend = true;
    } else if (!out->write) {
        out->dest_size = out->size;
        out->zero_extend = out->size == 4; /* a 32-bit destination clears bits 63:32 */
    }
    if (out->has_imm) {
        unsigned isz = out->size == 1 ? 1 : out->size == 2 ? 2 : 4;
        if (i + isz > n)
            return -1;
        uint32_t v = 0;
        memcpy(&v, p + i, isz);
        i += isz;
        out->imm = isz == 4 ? (uint64_t)(int64_t)(int32_t)v : v; /* imm32 sign-extends */
        if (out->size == 4)
            out->imm &= 0xFFFFFFFFull;
    }
    out->len = (uint8_t)i;
    return 0;
}

uint64_t hv_mmio_store_value(const struct hv_mmio_insn *in, const uint64_t gpr[16])
{
    if (in->has_imm)
        return in->imm;
    uint64_t v = gpr[in->reg];
    return in->high_byte ? (v >> 8) & 0xFF : v;
}

void hv_mmio_load(const struct hv_mmio_insn *in, uint64_t gpr[16], uint64_t value)
{
    uint64_t *r = &gpr[in->reg];
    unsigned bits = 8u * in->size;
    if (bits < 64)
        value &= (1ull << bits) - 1;
    if (in->high_byte) {
        *r = (*r & ~0xFF00ull) | value << 8;
    } else if (in->zero_extend) {
        *r = in->dest_size == 2 ? (*r & ~0xFFFFull) | value : value;
    } else if (in->size < 4) {
        uint64_t mask = (1ull << bits) - 1;
        *r = (*r & ~mask) | value;
    } else {
        *r = value;
    }
}
