/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exception delivery through the guest's IDT, as a long-mode CPU does it.
 * Unicorn 2.0.1 hands every exception to a hook instead of delivering it,
 * so the backend builds the frame itself: the model uses this for #VC (the
 * exit code as error code), #PF and #GP, and the backend for the
 * exceptions Unicorn raises when the vCPU is configured to deliver them.
 *
 * Only what a CPL0 guest needs: 64-bit interrupt and trap gates, IST
 * stacks, no privilege change (a CPL3 guest would need the TSS RSP0 switch
 * and an SS reload, which is not done).
 */
#include <errno.h>
#include <string.h>

#include "uc_internal.h"

#define RFLAGS_TF (1ull << 8)
#define RFLAGS_IF (1ull << 9)
#define RFLAGS_NT (1ull << 14)
#define RFLAGS_RF (1ull << 16)
#define RFLAGS_VM (1ull << 17)

static void gp(struct hw_fault *f, uint32_t vector, uint64_t ec)
{
    memset(f, 0, sizeof(*f));
    f->kind = HW_FAULT_GP;
    f->vector = vector;
    f->error_code = ec;
}

int uc_deliver(struct uc_vcpu *v, uint32_t vector, bool has_ec, uint64_t ec, struct hw_fault *f)
{
    uc_x86_mmr idtr = {0}, tr = {0};
    uc_reg_read(v->uc, UC_X86_REG_IDTR, &idtr);
    /* IDT limit and gate checks fault with the IDT flag (bit 1) and the
     * vector as selector index, as the CPU does. */
    uint64_t idt_ec = ((uint64_t)vector << 3) | 2;
    if ((uint64_t)vector * 16 + 15 > idtr.limit) {
        gp(f, HW_VECTOR_GP, idt_ec);
        return -EFAULT;
    }
    uint8_t g[16];
    if (ucm_read(v, idtr.base + (uint64_t)vector * 16, g, sizeof(g), HW_ACC_READ, f))
        return -EFAULT;
    unsigned type = g[5] & 0x1F;
    if (!(g[5] & 0x80)) {
        gp(f, 11, idt_ec); /* #NP */
        return -EFAULT;
    }
    if (type != 0xE && type != 0xF) {
        gp(f, HW_VECTOR_GP, idt_ec);
        return -EFAULT;
    }
    uint64_t target =
        (uint64_t)g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[6] << 16 | (uint64_t)g[7] << 24;
    uint32_t hi;
    memcpy(&hi, g + 8, 4);
    target |= (uint64_t)hi << 32;
    uint16_t sel = (uint16_t)(g[2] | g[3] << 8);
    unsigned ist = g[4] & 7;

    uint64_t rip = uc_get(v, UC_X86_REG_RIP), rsp = uc_get(v, UC_X86_REG_RSP);
    uint64_t rflags = uc_get(v, UC_X86_REG_RFLAGS);
    uint64_t cs = uc_get(v, UC_X86_REG_CS) & 0xFFFF, ss = uc_get(v, UC_X86_REG_SS) & 0xFFFF;
    uint64_t sp = rsp;
    if (ist) {
        uc_reg_read(v->uc, UC_X86_REG_TR, &tr);
        if (ucm_read(v, tr.base + 0x24 + 8 * (ist - 1), &sp, 8, HW_ACC_READ, f))
            return -EFAULT;
    }
    sp &= ~15ull;
    /* From the top: SS, RSP, RFLAGS, CS, RIP, error code. */
    uint64_t frame[6] = {ec, rip, cs, rflags, rsp, ss};
    unsigned n = has_ec ? 6 : 5;
    const uint64_t *from = has_ec ? frame : frame + 1;
    sp -= 8 * (uint64_t)n;
    if (ucm_write(v, sp, from, 8 * (size_t)n, f))
        return -EFAULT;
    rflags &= ~(RFLAGS_TF | RFLAGS_NT | RFLAGS_RF | RFLAGS_VM);
    if (type == 0xE)
        rflags &= ~RFLAGS_IF;
    uc_put(v, UC_X86_REG_RSP, sp);
    uc_put(v, UC_X86_REG_RFLAGS, rflags);
    uc_put(v, UC_X86_REG_RIP, target);
    /* In 64-bit mode Unicorn sets only the selector; the descriptor cache
     * (a 64-bit code segment) stays, which is what a CPL0 kernel's code
     * selector describes. */
    if (sel != cs)
        uc_put(v, UC_X86_REG_CS, sel);
    return 0;
}
