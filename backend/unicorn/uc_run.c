/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The run loop of the Unicorn vCPU, the completion of events, the
 * instructions the backend emulates itself (control registers, INVLPG), and
 * the segment/control state (see uc_vcpu.h).
 */
#include <errno.h>
#include <string.h>

#include "uc_internal.h"

#define RFLAGS_CF 1ull
#define RFLAGS_DF (1ull << 10)

static const int gpr_ids[16] = {
    UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX, UC_X86_REG_RSP, UC_X86_REG_RBP,
    UC_X86_REG_RSI, UC_X86_REG_RDI, UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};

static void fault_event(struct uc_vcpu *v, const struct hw_fault *f)
{
    memset(&v->ev, 0, sizeof(v->ev));
    v->ev.kind = VCPU_EV_FAULT;
    v->ev.fault = *f;
}

static int ud(struct uc_vcpu *v)
{
    struct hw_fault f = {.kind = HW_FAULT_NONE, .vector = 6, .addr = v->ev_rip};
    fault_event(v, &f);
    v->cpu_exception = true;
    return 1;
}

/* A register holding an address under the instruction's address size. */
static uint64_t addr_reg(struct uc_vcpu *v, int reg)
{
    uint64_t x = uc_get(v, reg);
    return v->insn.addr32 ? (uint32_t)x : x;
}

static uint64_t seg_base(struct uc_vcpu *v)
{
    if (v->insn.seg == 4)
        return uc_get(v, UC_X86_REG_FS_BASE);
    if (v->insn.seg == 5)
        return uc_get(v, UC_X86_REG_GS_BASE);
    return 0;
}

/* The I/O operands. Returns 0, 1 for a fault reading OUTS data, or 2 for a
 * REP string instruction with a zero count (which does nothing). */
static int io_event(struct uc_vcpu *v)
{
    const struct uc_insn *in = &v->insn;
    struct vcpu_event *ev = &v->ev;
    ev->io.port = in->io_imm ? in->io_port : (uint16_t)uc_get(v, UC_X86_REG_RDX);
    ev->io.size = in->io_size;
    ev->io.in = in->io_in;
    ev->io.count = 1;
    v->io_len = 0;
    if (!in->io_string) {
        if (!in->io_in) {
            uint64_t rax = uc_get(v, UC_X86_REG_RAX);
            memcpy(v->io_buf, &rax, in->io_size);
            v->io_len = in->io_size;
        }
        return 0;
    }
    uint64_t count = in->rep ? addr_reg(v, UC_X86_REG_RCX) : 1;
    if (!count)
        return 2;
    if (count > sizeof(v->io_buf) / in->io_size)
        count = sizeof(v->io_buf) / in->io_size;
    ev->io.count = (uint32_t)count;
    if (in->io_in)
        return 0;
    /* OUTS: the data, as the CPU reads it (DS:RSI, or an FS/GS override). */
    bool down = uc_get(v, UC_X86_REG_RFLAGS) & RFLAGS_DF;
    uint64_t rsi = addr_reg(v, UC_X86_REG_RSI) + seg_base(v);
    for (uint64_t i = 0; i < count; i++) {
        uint64_t a = down ? rsi - i * in->io_size : rsi + i * in->io_size;
        struct hw_fault f;
        if (ucm_read(v, a, v->io_buf + i * in->io_size, in->io_size, HW_ACC_READ, &f)) {
            fault_event(v, &f);
            return 1;
        }
    }
    v->io_len = count * in->io_size;
    return 0;
}

static uint64_t *cr_of(struct uc_vcpu *v, unsigned cr)
{
    switch (cr) {
    case 0:
        return &v->cr0;
    case 2:
        return &v->cr2;
    case 3:
        return &v->cr3;
    case 4:
        return &v->cr4;
    case 8:
        return &v->cr8;
    default:
        return NULL;
    }
}

/* Instructions the backend emulates: 0 = go on, 1 = v->ev is a fault,
 * -errno = backend error. */
static int internal(struct uc_vcpu *v)
{
    const struct uc_insn *in = &v->insn;
    uint64_t next = v->ev_rip + in->len;
    int rc = 0;
    switch (in->op) {
    case UCI_RETRY:
        return 0; /* shadow tables were full: prepare resets them */
    case UCI_MMIO:
        return uc_mmio_probe(v, v->mmio_va, v->mmio_gpa);
    case UCI_REMAP:
        return uc_mmio_unmap(v, v->mmio_va);
    case UCI_HOOKS:
        return ucb_apply(v, v->code_cb);
    case UCI_MOV_FROM_CR: {
        uint64_t *cr = cr_of(v, in->cr);
        if (!cr)
            return ud(v);
        uc_put(v, gpr_ids[in->gpr], *cr);
        break;
    }
    case UCI_MOV_TO_CR: {
        uint64_t *cr = cr_of(v, in->cr), val = uc_get(v, gpr_ids[in->gpr]);
        if (!cr)
            return ud(v);
        if (in->cr == 0 || in->cr == 3 || in->cr == 4) {
            /* The old translation writes the guest's bytes back first. */
            rc = ucm_writeback(v, true);
            if (rc)
                return rc;
            if (v->mem.write_cr) {
                struct hw_fault f = {0};
                if (v->mem.write_cr(v->mem.ctx, in->cr, val, &f) != UC_VCPU_MEM_OK) {
                    fault_event(v, &f);
                    return 1;
                }
            }
            *cr = val;
            rc = ucm_invalidate(v);
        } else {
            *cr = in->cr == 8 ? (val & 15) : val;
        }
        break;
    }
    case UCI_INVLPG: {
        uint64_t gpr[16];
        for (int i = 0; i < 16; i++)
            gpr[i] = uc_get(v, gpr_ids[i]);
        uint64_t ea = uc_decode_ea(in, gpr, next, seg_base(v));
        rc = ucm_invalidate(v);
        if (v->mem.invlpg)
            v->mem.invlpg(v->mem.ctx, ea, false);
        break;
    }
    default:
        return ud(v);
    }
    uc_put(v, UC_X86_REG_RIP, next);
    return rc;
}

/* What the code hook stopped at: complete v->ev, or say to go on. */
static int hook_event(struct uc_vcpu *v, bool *go_on)
{
    *go_on = false;
    v->ev.kind = v->insn.ev;
    v->ev.insn_len = v->insn.len;
    if (v->ev.kind == VCPU_EV_IO) {
        int r = io_event(v);
        if (r == 2) {
            uc_put(v, UC_X86_REG_RIP, v->ev_rip + v->insn.len);
            *go_on = true;
            return 0;
        }
        if (r == 1)
            return 0;
    }
    v->pending = true;
    return 0;
}

int uc_vcpu_run(struct uc_vcpu *v, struct vcpu_event *ev)
{
    int rc = 0;
    memset(ev, 0, sizeof(*ev));
    v->stats.runs++;
    v->pending = false;
    v->budget = v->cfg.quantum;
    v->err = 0;
    v->errmsg[0] = 0;
    for (;;) {
        rc = ucm_prepare(v);
        if (rc)
            return rc;
        v->stop = UC_STOP_NONE;
        v->cpu_exception = false;
        memset(&v->ev, 0, sizeof(v->ev));
        v->block_stop = false;
        uc_err e = uc_emu_start(v->uc, uc_get(v, UC_X86_REG_RIP), UCM_UNTIL, 0, 0);
        uc_block_stop_fix(v);
        bool go_on = false;
        switch (v->stop) {
        case UC_STOP_INTERNAL:
            rc = internal(v);
            if (rc < 0)
                return rc;
            go_on = rc == 0;
            break;
        case UC_STOP_EVENT:
            if (v->ev.kind == VCPU_EV_NONE)
                hook_event(v, &go_on);
            if (!go_on && v->cpu_exception && (v->cfg.flags & UC_VCPU_F_DELIVER_EXCEPTIONS)) {
                struct hw_fault f;
                const struct hw_fault *x = &v->ev.fault;
                if (uc_deliver(v, x->vector, uc_has_error_code(x->vector), x->error_code, &f) == 0)
                    go_on = true;
                else
                    fault_event(v, &f);
            }
            break;
        case UC_STOP_QUANTUM:
            atomic_store(&v->kick, false);
            /* Flush Unicorn's TLB before the next run: QEMU resizes it to
             * the working set only at a flush, and an exit-heavy phase
             * (every exit flushes it while few pages are in use) leaves
             * it at 64 entries - a long exit-free phase after that would
             * run on a thrashing TLB, 5-6 times slower. */
            v->m.tlb_stale = true;
            break;
        case UC_STOP_STEPPED:
            go_on = true; /* only uc_step() stops so, and it does not come here */
            break;
        case UC_STOP_ERROR:
            rc = ucm_writeback(v, true);
            return v->err ? v->err : -EIO;
        case UC_STOP_NONE:
            if (e != UC_ERR_OK) {
                uc_set_error(v, -EIO, "Unicorn stopped: %s", uc_strerror(e));
                return -EIO;
            }
            /* The CPU stopped by itself: what Unicorn does on a triple fault. */
            v->ev.kind = VCPU_EV_SHUTDOWN;
            break;
        }
        if (go_on)
            continue;
        rc = ucm_writeback(v, true);
        *ev = v->ev;
        return rc;
    }
}

static int complete_io(struct uc_vcpu *v, const struct uc_vcpu_result *res, uint64_t *next)
{
    const struct uc_insn *in = &v->insn;
    unsigned size = in->io_size;
    if (!in->io_string) {
        if (!in->io_in)
            return 0;
        if (!res->data || res->len < size)
            return -EINVAL;
        uint64_t rax = uc_get(v, UC_X86_REG_RAX), val = 0;
        memcpy(&val, res->data, size);
        if (size == 4)
            rax = val; /* a 32-bit destination zero-extends */
        else
            rax = (rax & ~((1ull << (8 * size)) - 1)) | val;
        uc_put(v, UC_X86_REG_RAX, rax);
        return 0;
    }
    uint64_t count = v->ev.io.count, step = count * size;
    bool down = uc_get(v, UC_X86_REG_RFLAGS) & RFLAGS_DF;
    int reg = in->io_in ? UC_X86_REG_RDI : UC_X86_REG_RSI;
    uint64_t ptr = addr_reg(v, reg);
    if (in->io_in) {
        if (!res->data || res->len < step)
            return -EINVAL;
        const uint8_t *d = res->data;
        for (uint64_t i = 0; i < count; i++) {
            struct hw_fault f;
            uint64_t a = down ? ptr - i * size : ptr + i * size;
            if (ucm_write(v, a, d + i * size, size, &f))
                return -EFAULT;
        }
    }
    ptr = down ? ptr - step : ptr + step;
    uc_put(v, reg, in->addr32 ? (uint32_t)ptr : ptr);
    if (in->rep) {
        uint64_t rcx = addr_reg(v, UC_X86_REG_RCX) - count;
        uc_put(v, UC_X86_REG_RCX, rcx);
        if (rcx)
            *next = v->ev_rip; /* the rest of the REP runs next time */
    }
    return 0;
}

int uc_vcpu_complete(struct uc_vcpu *v, const struct uc_vcpu_result *res)
{
    static const struct uc_vcpu_result none;
    if (!v->pending)
        return -EINVAL;
    if (!res)
        res = &none;
    uint64_t next = v->ev_rip + v->ev.insn_len;
    switch (v->ev.kind) {
    case VCPU_EV_IO: {
        int rc = complete_io(v, res, &next);
        if (rc)
            return rc;
        break;
    }
    case VCPU_EV_MMIO:
        return uc_mmio_complete(v, res);
    default:
        break;
    }
    if (res->set & UC_RES_RAX)
        uc_put(v, UC_X86_REG_RAX, res->rax);
    if (res->set & UC_RES_RBX)
        uc_put(v, UC_X86_REG_RBX, res->rbx);
    if (res->set & UC_RES_RCX)
        uc_put(v, UC_X86_REG_RCX, res->rcx);
    if (res->set & UC_RES_RDX)
        uc_put(v, UC_X86_REG_RDX, res->rdx);
    if (res->set & UC_RES_CF) {
        uint64_t fl = uc_get(v, UC_X86_REG_RFLAGS);
        uc_put(v, UC_X86_REG_RFLAGS, res->cf ? fl | RFLAGS_CF : fl & ~RFLAGS_CF);
    }
    uc_put(v, UC_X86_REG_RIP, next);
    v->pending = false;
    return 0;
}

const uint8_t *uc_vcpu_io_data(struct uc_vcpu *v, size_t *len)
{
    *len = v->io_len;
    return v->io_buf;
}

/* ---- segment and control state ---- */

static const int seg_ids[6] = {UC_X86_REG_CS, UC_X86_REG_DS, UC_X86_REG_ES,
                               UC_X86_REG_FS, UC_X86_REG_GS, UC_X86_REG_SS};

static struct vcpu_segment *seg_at(struct vcpu_sregs *s, int i)
{
    struct vcpu_segment *t[6] = {&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss};
    return t[i];
}

/* A descriptor cache as the CPU loaded it (the GDT may have changed since:
 * Unicorn 2.0.1 does not let us read its hidden copy). */
static void seg_from_gdt(struct uc_vcpu *v, const uc_x86_mmr *gdt, struct vcpu_segment *sg)
{
    uint8_t d[8];
    struct hw_fault f;
    if (!(sg->selector & ~3u) || (sg->selector | 7u) > gdt->limit ||
        ucm_read(v, gdt->base + (sg->selector & ~7u), d, 8, HW_ACC_READ, &f))
        return;
    sg->base = (uint64_t)d[2] | (uint64_t)d[3] << 8 | (uint64_t)d[4] << 16 | (uint64_t)d[7] << 24;
    sg->limit = (uint32_t)(d[0] | d[1] << 8 | (d[6] & 0xF) << 16);
    if (d[6] & 0x80)
        sg->limit = sg->limit << 12 | 0xFFF;
    sg->attrib = (uint16_t)(d[5] | (d[6] & 0xF0) << 4);
}

static void mmr_to_seg(const uc_x86_mmr *m, struct vcpu_segment *sg)
{
    sg->selector = m->selector;
    sg->base = m->base;
    sg->limit = m->limit;
    /* QEMU keeps descriptor bits 8-23 of the second dword; VMCB attributes
     * pack bits 8-15 and 20-23. */
    sg->attrib = (uint16_t)(((m->flags >> 8) & 0xFF) | ((m->flags >> 12) & 0xF00));
}

static uc_x86_mmr seg_to_mmr(const struct vcpu_segment *sg)
{
    uc_x86_mmr m = {.selector = sg->selector, .base = sg->base, .limit = sg->limit};
    m.flags = ((uint32_t)(sg->attrib & 0xFF) << 8) | ((uint32_t)(sg->attrib & 0xF00) << 12);
    return m;
}

int uc_vcpu_get_sregs(struct uc_vcpu *v, struct vcpu_sregs *s)
{
    uc_x86_mmr gdt = {0}, idt = {0}, tr = {0}, ldt = {0};
    *s = v->shadow_seg;
    uc_reg_read(v->uc, UC_X86_REG_GDTR, &gdt);
    uc_reg_read(v->uc, UC_X86_REG_IDTR, &idt);
    uc_reg_read(v->uc, UC_X86_REG_TR, &tr);
    uc_reg_read(v->uc, UC_X86_REG_LDTR, &ldt);
    for (int i = 0; i < 6; i++) {
        struct vcpu_segment *sg = seg_at(s, i);
        uint16_t sel = (uint16_t)uc_get(v, seg_ids[i]);
        if (sel != sg->selector) {
            sg->selector = sel;
            seg_from_gdt(v, &gdt, sg);
        }
    }
    s->fs.base = uc_get(v, UC_X86_REG_FS_BASE);
    s->gs.base = uc_get(v, UC_X86_REG_GS_BASE);
    s->gdtr_base = gdt.base;
    s->gdtr_limit = gdt.limit;
    s->idtr_base = idt.base;
    s->idtr_limit = idt.limit;
    mmr_to_seg(&tr, &s->tr);
    mmr_to_seg(&ldt, &s->ldtr);
    s->cr0 = v->cr0;
    s->cr2 = v->cr2;
    s->cr3 = v->cr3;
    s->cr4 = v->cr4;
    s->efer = v->efer;
    s->xcr0 = v->xcr0;
    return 0;
}

int uc_vcpu_set_sregs(struct uc_vcpu *v, const struct vcpu_sregs *s)
{
    int rc = 0;
    if (s->cr0 != v->cr0 || s->cr3 != v->cr3 || s->cr4 != v->cr4 || s->efer != v->efer) {
        rc = ucm_invalidate(v);
        v->m.need_reval = true;
    }
    v->cr0 = s->cr0;
    v->cr2 = s->cr2;
    v->cr3 = s->cr3;
    v->cr4 = s->cr4;
    v->efer = s->efer;
    v->xcr0 = s->xcr0;
    /* In 64-bit mode Unicorn 2.0.1 stores selectors without loading the
     * descriptor: CS keeps the flat 64-bit code segment it starts with. */
    struct vcpu_sregs tmp = *s;
    for (int i = 0; i < 6; i++)
        uc_put(v, seg_ids[i], seg_at(&tmp, i)->selector);
    uc_put(v, UC_X86_REG_FS_BASE, s->fs.base);
    uc_put(v, UC_X86_REG_GS_BASE, s->gs.base);
    uc_x86_mmr gdt = {.base = s->gdtr_base, .limit = s->gdtr_limit};
    uc_x86_mmr idt = {.base = s->idtr_base, .limit = s->idtr_limit};
    uc_x86_mmr tr = seg_to_mmr(&s->tr), ldt = seg_to_mmr(&s->ldtr);
    if (uc_reg_write(v->uc, UC_X86_REG_GDTR, &gdt) || uc_reg_write(v->uc, UC_X86_REG_IDTR, &idt) ||
        uc_reg_write(v->uc, UC_X86_REG_TR, &tr) || uc_reg_write(v->uc, UC_X86_REG_LDTR, &ldt))
        return -EIO;
    v->shadow_seg = *s;
    return rc;
}
