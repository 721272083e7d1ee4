/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86-64 instruction lengths (64-bit mode), for the block scan of the
 * Unicorn backend: to find the events inside a translation block without a
 * hook on every instruction, the backend walks the block instruction by
 * instruction. Only the length matters here - prefixes, opcode maps
 * (legacy, 0F, 0F38, 0F3A, VEX, EVEX, XOP), ModRM/SIB/displacement and
 * immediates - and it follows QEMU where the manuals differ (an operand-size
 * prefix shortens relative branches to 16 bits). A block whose lengths do
 * not add up to Unicorn's block size is not trusted (uc_blocks.c).
 */
#include "uc_decode.h"

static bool is_legacy_prefix(uint8_t b)
{
    return b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65 ||
           b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3;
}

static bool modrm_1byte(uint8_t b)
{
    if (b < 0x40)
        return (b & 7) < 4 && b != 0x0F;
    if (b == 0x62 || b == 0x63 || b == 0x69 || b == 0x6B)
        return true;
    if (b >= 0x80 && b <= 0x8F)
        return true;
    if (b == 0xC0 || b == 0xC1 || b == 0xC4 || b == 0xC5 || b == 0xC6 || b == 0xC7)
        return true;
    if ((b >= 0xD0 && b <= 0xD3) || (b >= 0xD8 && b <= 0xDF))
        return true;
    return b == 0xF6 || b == 0xF7 || b == 0xFE || b == 0xFF;
}

static int imm_1byte(uint8_t b, uint8_t modrm, bool o16, bool rexw, bool a32)
{
    int z = o16 ? 2 : 4;
    if (b < 0x40 && (b & 7) == 4)
        return 1;
    if (b < 0x40 && (b & 7) == 5)
        return z;
    if ((b >= 0x70 && b <= 0x7F) || (b >= 0xE0 && b <= 0xE7) || (b >= 0xB0 && b <= 0xB7))
        return 1;
    if (b >= 0xB8 && b <= 0xBF)
        return rexw ? 8 : z;
    if (b >= 0xA0 && b <= 0xA3)
        return a32 ? 4 : 8; /* moffs */
    switch (b) {
    case 0x68:
    case 0x69:
    case 0x81:
    case 0xA9:
    case 0xC7:
    case 0xE8:
    case 0xE9:
        return z;
    case 0x6A:
    case 0x6B:
    case 0x80:
    case 0x82:
    case 0x83:
    case 0xA8:
    case 0xC0:
    case 0xC1:
    case 0xC6:
    case 0xCD:
    case 0xD4:
    case 0xD5:
    case 0xEB:
        return 1;
    case 0xC2:
    case 0xCA:
        return 2;
    case 0xC8:
        return 3; /* ENTER iw, ib */
    case 0xF6:
        return ((modrm >> 3) & 7) < 2 ? 1 : 0;
    case 0xF7:
        return ((modrm >> 3) & 7) < 2 ? z : 0;
    default:
        return 0;
    }
}

static bool modrm_0f(uint8_t b)
{
    switch (b) {
    case 0x04:
    case 0x05:
    case 0x06:
    case 0x07:
    case 0x08:
    case 0x09:
    case 0x0A:
    case 0x0B:
    case 0x0C:
    case 0x0E:
    case 0x30:
    case 0x31:
    case 0x32:
    case 0x33:
    case 0x34:
    case 0x35:
    case 0x36:
    case 0x37:
    case 0x77:
    case 0xA0:
    case 0xA1:
    case 0xA2:
    case 0xA8:
    case 0xA9:
    case 0xAA:
        return false;
    default:
        return !(b >= 0x80 && b <= 0x8F) && !(b >= 0xC8 && b <= 0xCF);
    }
}

static int imm_0f(uint8_t b, bool o16)
{
    if (b >= 0x80 && b <= 0x8F)
        return o16 ? 2 : 4;
    if ((b >= 0x70 && b <= 0x73) || b == 0xA4 || b == 0xAC || b == 0xBA || b == 0xC2 || b == 0xC4 ||
        b == 0xC5 || b == 0xC6)
        return 1;
    return 0;
}

/* ModRM, SIB and displacement starting at p[0]; -1 if past n. */
static int modrm_bytes(const uint8_t *p, size_t n)
{
    if (n < 1)
        return -1;
    uint8_t mod = p[0] >> 6, rm = p[0] & 7;
    int len = 1;
    if (mod != 3 && rm == 4) {
        if (n < 2)
            return -1;
        len = 2;
        if (mod == 0 && (p[1] & 7) == 5)
            len += 4;
    }
    if (mod == 1)
        len += 1;
    else if (mod == 2)
        len += 4;
    else if (mod == 0 && rm == 5)
        len += 4;
    return len;
}

/* After a VEX/EVEX/XOP prefix: opcode, ModRM (all have one but VZEROUPPER
 * and VZEROALL), and an immediate for map 0F3A and the 0F ones with ib. */
static int vex_tail(const uint8_t *p, size_t n, size_t i, unsigned map)
{
    if (i >= n)
        return -1;
    uint8_t op = p[i++];
    if (map == 1 && op == 0x77)
        return (int)i;
    int m = modrm_bytes(p + i, n - i);
    if (m < 0)
        return -1;
    i += (size_t)m;
    if (map == 3 || map == 8 || (map == 1 && imm_0f(op, false) == 1))
        i += 1;
    else if (map == 0xA)
        i += 4;
    return (int)i;
}

int uc_insn_length(const uint8_t *p, size_t n)
{
    size_t i = 0;
    bool o16 = false, a32 = false, rexw = false;
    while (i < n && is_legacy_prefix(p[i])) {
        o16 |= p[i] == 0x66;
        a32 |= p[i] == 0x67;
        i++;
    }
    if (i < n && (p[i] & 0xF0) == 0x40) {
        rexw = p[i] & 8;
        i++;
    }
    if (i >= n)
        return -1;
    uint8_t b = p[i++];
    int len;
    if (b == 0xC4 || b == 0xC5 || b == 0x62 || (b == 0x8F && i < n && (p[i] & 0x1F) >= 8)) {
        size_t extra = b == 0xC5 ? 1 : b == 0x62 ? 3 : 2;
        if (i + extra > n)
            return -1;
        unsigned map = b == 0xC5 ? 1 : (p[i] & (b == 0x62 ? 3 : 0x1F));
        len = vex_tail(p, n, i + extra, map);
    } else if (b == 0x0F) {
        if (i >= n)
            return -1;
        uint8_t b2 = p[i++];
        if (b2 == 0x38 || b2 == 0x3A || b2 == 0x0F) {
            if (b2 != 0x0F)
                i++; /* the third opcode byte */
            int m = modrm_bytes(p + i, n > i ? n - i : 0);
            if (m < 0)
                return -1;
            len = (int)i + m + (b2 == 0x38 ? 0 : 1);
        } else {
            int m = 0;
            if (modrm_0f(b2) && (m = modrm_bytes(p + i, n - i)) < 0)
                return -1;
            len = (int)i + m + imm_0f(b2, o16);
        }
    } else {
        int m = 0;
        uint8_t modrm = 0;
        if (modrm_1byte(b)) {
            if (i >= n || (m = modrm_bytes(p + i, n - i)) < 0)
                return -1;
            modrm = p[i];
        }
        len = (int)i + m + imm_1byte(b, modrm, o16, rexw, a32);
    }
    return len > 15 || (size_t)len > n ? -1 : len;
}
