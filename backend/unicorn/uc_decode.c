/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The instruction classifier of the Unicorn backend (see uc_decode.h). It
 * runs before every guest instruction, so the common case - no prefix of
 * interest, an opcode that is not one of ours - returns after a table
 * lookup or two.
 */
#include <string.h>

#include "swsev/vcpu.h"
#include "uc_decode.h"

/* Legacy and REX prefixes. */
static bool is_prefix(uint8_t b)
{
    return b == 0x66 || b == 0x67 || b == 0xF2 || b == 0xF3 || b == 0xF0 || b == 0x2E ||
           b == 0x36 || b == 0x3E || b == 0x26 || b == 0x64 || b == 0x65 || (b & 0xF0) == 0x40;
}

/* Length of a ModRM memory operand starting at the ModRM byte p[0]
 * (64-bit addressing; 0x67 only changes the register width). */
static int modrm_len(const uint8_t *p, size_t n, struct uc_insn *in)
{
    if (n < 1)
        return -1;
    uint8_t modrm = p[0], mod = modrm >> 6, rm = modrm & 7;
    size_t j = 1;
    int disp = 0;
    in->modrm = modrm;
    if (mod != 3 && rm == 4) {
        if (n < 2)
            return -1;
        in->sib = p[1];
        in->has_sib = true;
        j = 2;
        if (mod == 0 && (in->sib & 7) == 5)
            disp = 4;
    }
    if (mod == 1)
        disp = 1;
    else if (mod == 2)
        disp = 4;
    else if (mod == 0 && rm == 5) {
        disp = 4;
        in->rip_rel = true;
    }
    if (j + (size_t)disp > n)
        return -1;
    if (disp == 1)
        in->disp = (int8_t)p[j];
    else if (disp == 4) {
        uint32_t d;
        memcpy(&d, p + j, 4);
        in->disp = (int32_t)d;
    }
    return (int)(j + (size_t)disp);
}

static int event(struct uc_insn *in, enum vcpu_event_kind ev, size_t len)
{
    in->op = UCI_EVENT;
    in->ev = (uint8_t)ev;
    in->len = (uint8_t)len;
    return UCI_EVENT;
}

static int io(struct uc_insn *in, uint8_t op, size_t i, const uint8_t *p, size_t n)
{
    bool wide = op & 1;
    in->io_size = wide ? (in->opsize ? 2 : 4) : 1;
    in->io_in = !(op & 2);
    if (op >= 0xE4 && op <= 0xE7) {
        if (i + 2 > n)
            return UCI_NONE;
        in->io_imm = true;
        in->io_port = p[i + 1];
        return event(in, VCPU_EV_IO, i + 2);
    }
    in->io_string = op < 0x70; /* 6C-6F: INS/OUTS; EC-EF: DX forms */
    return event(in, VCPU_EV_IO, i + 1);
}

/* The 0F 01 group: VMMCALL/VMGEXIT, PVALIDATE, RMPADJUST, RDTSCP, INVLPG. */
static int grp7(struct uc_insn *in, uint8_t last_rep, size_t i, const uint8_t *p, size_t n)
{
    if (i + 3 > n)
        return UCI_NONE;
    uint8_t m = p[i + 2];
    if (m == 0xD9)
        return event(in, last_rep ? VCPU_EV_VMGEXIT : VCPU_EV_VMMCALL, i + 3);
    if (m == 0xFF && last_rep == 0xF2)
        return event(in, VCPU_EV_PVALIDATE, i + 3);
    if (m == 0xFE && last_rep == 0xF3)
        return event(in, VCPU_EV_RMPADJUST, i + 3);
    if (m == 0xF9)
        return event(in, VCPU_EV_RDTSC, i + 3); /* RDTSCP */
    if ((m >> 6) != 3 && ((m >> 3) & 7) == 7) {
        int l = modrm_len(p + i + 2, n - i - 2, in);
        if (l < 0)
            return UCI_NONE;
        in->op = UCI_INVLPG;
        in->len = (uint8_t)(i + 2 + (size_t)l);
        return UCI_INVLPG;
    }
    return UCI_NONE;
}

static int twobyte(struct uc_insn *in, uint8_t last_rep, bool lock, size_t i, const uint8_t *p,
                   size_t n)
{
    if (i + 2 > n)
        return UCI_NONE;
    switch (p[i + 1]) {
    case 0xA2:
        return event(in, VCPU_EV_CPUID, i + 2);
    case 0x30:
        return event(in, VCPU_EV_WRMSR, i + 2);
    case 0x31:
        return event(in, VCPU_EV_RDTSC, i + 2);
    case 0x32:
        return event(in, VCPU_EV_RDMSR, i + 2);
    case 0x06:
        in->op = UCI_CLTS;
        in->len = (uint8_t)(i + 2);
        return UCI_CLTS;
    case 0x20:
    case 0x22: {
        if (i + 3 > n)
            return UCI_NONE;
        uint8_t m = p[i + 2];
        in->op = p[i + 1] == 0x20 ? UCI_MOV_FROM_CR : UCI_MOV_TO_CR;
        /* The register form is implied whatever mod says; LOCK MOV CR0 is
         * AMD's alternative encoding of CR8. */
        in->cr = (uint8_t)(((m >> 3) & 7) | ((in->rex & 4) ? 8 : 0) | (lock ? 8 : 0));
        in->gpr = (uint8_t)((m & 7) | ((in->rex & 1) ? 8 : 0));
        in->len = (uint8_t)(i + 3);
        return in->op;
    }
    case 0x01:
        return grp7(in, last_rep, i, p, n);
    default:
        return UCI_NONE;
    }
}

/* The quick test the code hook makes before every instruction: after the
 * prefixes, an opcode byte one of ours can start with. */
static const uint8_t prefix_tab[256] = {
    [0x26] = 1, [0x2E] = 1, [0x36] = 1, [0x3E] = 1, [0x40] = 1, [0x41] = 1, [0x42] = 1,
    [0x43] = 1, [0x44] = 1, [0x45] = 1, [0x46] = 1, [0x47] = 1, [0x48] = 1, [0x49] = 1,
    [0x4A] = 1, [0x4B] = 1, [0x4C] = 1, [0x4D] = 1, [0x4E] = 1, [0x4F] = 1, [0x64] = 1,
    [0x65] = 1, [0x66] = 1, [0x67] = 1, [0xF0] = 1, [0xF2] = 1, [0xF3] = 1,
};
static const uint8_t op_tab[256] = {
    [0x0F] = 1, [0x6C] = 1, [0x6D] = 1, [0x6E] = 1, [0x6F] = 1, [0xE4] = 1, [0xE5] = 1,
    [0xE6] = 1, [0xE7] = 1, [0xEC] = 1, [0xED] = 1, [0xEE] = 1, [0xEF] = 1, [0xF4] = 1,
};
static const uint8_t op0f_tab[256] = {
    [0x01] = 1, [0x06] = 1, [0x20] = 1, [0x22] = 1, [0x30] = 1, [0x31] = 1, [0x32] = 1, [0xA2] = 1,
};

bool uc_decode_candidate(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && prefix_tab[p[i]])
        i++;
    if (i >= n || !op_tab[p[i]])
        return false;
    return p[i] != 0x0F || (i + 1 < n && op0f_tab[p[i + 1]]);
}

int uc_decode(const uint8_t *p, size_t n, struct uc_insn *in)
{
    memset(in, 0, sizeof(*in));
    size_t i = 0;
    uint8_t last_rep = 0;
    bool lock = false;
    while (i < n && i < 15 && is_prefix(p[i])) {
        uint8_t b = p[i++];
        if ((b & 0xF0) == 0x40) {
            in->rex = b;
            continue;
        }
        in->rex = 0; /* a legacy prefix after REX cancels it */
        if (b == 0x66)
            in->opsize = true;
        else if (b == 0x67)
            in->addr32 = true;
        else if (b == 0xF2 || b == 0xF3) {
            in->rep = true;
            last_rep = b;
        } else if (b == 0xF0)
            lock = true;
        else if (b == 0x64 || b == 0x65)
            in->seg = b == 0x64 ? 4 : 5;
    }
    if (i >= n)
        return UCI_NONE;
    uint8_t op = p[i];
    if (op == 0xF4)
        return event(in, VCPU_EV_HLT, i + 1);
    if ((op >= 0xE4 && op <= 0xE7) || (op >= 0xEC && op <= 0xEF) || (op >= 0x6C && op <= 0x6F))
        return io(in, op, i, p, n);
    if (op == 0x0F)
        return twobyte(in, last_rep, lock, i, p, n);
    return UCI_NONE;
}

uint64_t uc_decode_ea(const struct uc_insn *in, const uint64_t gpr[16], uint64_t rip_next,
                      uint64_t segbase)
{
    uint64_t ea = (uint64_t)(int64_t)in->disp;
    uint8_t mod = in->modrm >> 6, rm = in->modrm & 7;
    if (in->rip_rel) {
        ea += rip_next;
    } else if (in->has_sib) {
        uint8_t base = (uint8_t)((in->sib & 7) | ((in->rex & 1) ? 8 : 0));
        uint8_t index = (uint8_t)(((in->sib >> 3) & 7) | ((in->rex & 2) ? 8 : 0));
        if (!(mod == 0 && (in->sib & 7) == 5))
            ea += gpr[base];
        if (index != 4)
            ea += gpr[index] << (in->sib >> 6);
    } else {
        ea += gpr[rm | ((in->rex & 1) ? 8 : 0)];
    }
    if (in->addr32)
        ea = (uint32_t)ea;
    return ea + segbase;
}
