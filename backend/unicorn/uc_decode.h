/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * uc_decode.h - recognise the instructions the backend must not let
 * Unicorn execute: the events of swsev/vcpu.h, and the control-register
 * and TLB instructions whose guest-visible state the backend keeps itself.
 * It decodes just enough (prefixes, opcode, ModRM, I/O operands) - the
 * rest of the x86 instruction set is Unicorn's.
 */
#ifndef SWSEV_UC_DECODE_H
#define SWSEV_UC_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum uc_insn_op {
    UCI_NONE = 0,    /* an ordinary instruction: Unicorn executes it */
    UCI_EVENT,       /* .ev is an enum vcpu_event_kind */
    UCI_MOV_FROM_CR, /* MOV r64, CRn */
    UCI_MOV_TO_CR,   /* MOV CRn, r64 */
    UCI_INVLPG,      /* INVLPG m8 */
    UCI_CLTS,        /* clears CR0.TS */
    UCI_RETRY,       /* not an instruction: the backend fixed something, run again */
    UCI_MMIO,        /* not an instruction: an access hit an MMIO page */
    UCI_REMAP,       /* not an instruction: an MMIO page became memory */
    UCI_HOOKS,       /* not an instruction: the block scan wants code hooks */
};

struct uc_insn {
    uint8_t op;  /* enum uc_insn_op */
    uint8_t ev;  /* enum vcpu_event_kind, for UCI_EVENT */
    uint8_t len; /* instruction length */
    bool rep;    /* F2 or F3 prefix */
    bool opsize; /* 66 */
    bool addr32; /* 67 */
    uint8_t rex; /* REX byte, 0 if none */
    uint8_t seg; /* 4 = FS, 5 = GS override, else 0 */
    uint8_t io_size;
    bool io_in, io_string, io_imm;
    uint8_t io_port; /* the immediate port, when io_imm */
    uint8_t cr, gpr; /* MOV CR: control register and GPR (encoding order) */
    /* memory operand (INVLPG) */
    uint8_t modrm, sib;
    bool has_sib, rip_rel;
    int32_t disp;
};

/* GPR numbers in encoding order (RAX=0, RCX=1, ... R15=15). */
enum {
    UC_GPR_RAX,
    UC_GPR_RCX,
    UC_GPR_RDX,
    UC_GPR_RBX,
    UC_GPR_RSP,
    UC_GPR_RBP,
    UC_GPR_RSI,
    UC_GPR_RDI
};

/* False when p[0..n) cannot be one of ours (the fast path of every
 * instruction); true means "decode it". */
bool uc_decode_candidate(const uint8_t *p, size_t n);
/* Classify the instruction in p[0..n). Returns .op; UCI_NONE also when the
 * bytes end before the decoder could tell (n too small). */
int uc_decode(const uint8_t *p, size_t n, struct uc_insn *out);
/* The length of the x86-64 instruction at p (64-bit mode), or -1 when
 * p[0..n) ends first or it is longer than 15 bytes (uc_insnlen.c). */
int uc_insn_length(const uint8_t *p, size_t n);
/* The effective address of the memory operand of in (INVLPG). */
uint64_t uc_decode_ea(const struct uc_insn *in, const uint64_t gpr[16], uint64_t rip_next,
                      uint64_t segbase);

#endif
