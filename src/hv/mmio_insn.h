/* SPDX-License-Identifier: MIT */
/*
 * mmio_insn.h - what KVM's instruction emulator does for an MMIO access of
 * a guest without SEV-ES, reduced to the instructions guests use for
 * device registers: MOV to and from memory (88, 89, 8A, 8B), MOV of an
 * immediate (C6 /0, C7 /0) and MOVZX (0F B6, 0F B7), with operand-size,
 * address-size, segment and REX prefixes. The bytes come from the VMCB's
 * decode assist (the CPU fetched them: the hypervisor cannot read an SEV
 * guest's code itself).
 */
#ifndef SWSEV_HV_MMIO_INSN_H
#define SWSEV_HV_MMIO_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hv_mmio_insn {
    uint8_t len;  /* bytes of the instruction */
    uint8_t size; /* bytes accessed: 1, 2, 4 or 8 */
    bool write;   /* the instruction stores to the device */
    bool has_imm; /* ...an immediate (imm, sign-extended for size 8) */
    uint64_t imm;
    uint8_t reg;       /* the register operand, encoding order (RAX = 0 .. R15 = 15) */
    bool high_byte;    /* AH, CH, DH or BH (size 1, no REX, reg 4..7) */
    uint8_t dest_size; /* a load: bytes of the destination register written */
    bool zero_extend;  /* a load zero-extends into dest_size (MOVZX, 32-bit MOV) */
};

/* Decode p[0..n). Returns 0, or -1 for anything else (a register-only
 * form, another opcode, truncated bytes): the VMM then cannot emulate the
 * access and stops the VM, as KVM reports an emulation failure. */
int hv_mmio_decode(const uint8_t *p, size_t n, struct hv_mmio_insn *out);

/* The register file as an array in encoding order, and the effect of the
 * instruction on it: the value a store writes, or a load's result. */
uint64_t hv_mmio_store_value(const struct hv_mmio_insn *in, const uint64_t gpr[16]);
void hv_mmio_load(const struct hv_mmio_insn *in, uint64_t gpr[16], uint64_t value);

#endif
