/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Unicorn vCPU (see uc_vcpu.h): engine set-up and the hooks; the run
 * loop and event completion are in uc_run.c.
 *
 * Events are recognised in a code hook that runs before the instruction:
 * stopping there leaves RIP on the instruction with nothing of it executed,
 * which is what the model needs (for #VC the frame's RIP must be the
 * instruction's; for IN the value comes later, from uc_vcpu_complete).
 * Unicorn 2.0.1's own instruction hooks cannot do this: IN/OUT hooks run in
 * the middle of the instruction, must return the value at once, and see a
 * stale RIP; RDMSR, WRMSR, RDTSC and HLT have no hook at all. By default
 * the code hook is bounded to the instructions the block scan found
 * (uc_blocks.c); with UC_VCPU_F_HOOK_EVERY_INSN it sees every instruction.
 * The same hook keeps the guest's control registers: Unicorn's CR0/CR3/CR4
 * are the backend's (paging on, shadow tables), so MOV to and from CRs are
 * emulated against the values the guest set.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uc_internal.h"

#define RFLAGS_CF  1ull
#define RFLAGS_DF  (1ull << 10)
#define X86_CR0_TS (1ull << 3)

/* Unicorn's own control state: long mode with paging on the shadow
 * tables; WP so that read-only shadow PTEs stop supervisor writes. */
#define UC_CR0 0x80010031ull /* PG | WP | NE | ET | PE */
#define UC_CR4 0x620ull      /* OSXMMEXCPT | OSFXSR | PAE */

void uc_set_error(struct uc_vcpu *v, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->errmsg, sizeof(v->errmsg), fmt, ap);
    va_end(ap);
    v->err = err;
}

uint64_t uc_get(struct uc_vcpu *v, int reg)
{
    uint64_t x = 0;
    uc_reg_read(v->uc, reg, &x);
    return x;
}

void uc_put(struct uc_vcpu *v, int reg, uint64_t val)
{
    uc_reg_write(v->uc, reg, &val);
}

const char *uc_vcpu_strerror(const struct uc_vcpu *v)
{
    return v->errmsg[0] ? v->errmsg : "no error";
}

/* Stop with a fault for the model. */
void uc_block_stop(struct uc_vcpu *v, uint64_t addr)
{
    v->block_stop = true;
    v->block_stop_rip = addr;
    uc_emu_stop(v->uc);
}

void uc_block_stop_fix(struct uc_vcpu *v)
{
    if (v->block_stop)
        uc_put(v, UC_X86_REG_RIP, v->block_stop_rip);
    v->block_stop = false;
}

void uc_stop_event(struct uc_vcpu *v, const struct hw_fault *f)
{
    memset(&v->ev, 0, sizeof(v->ev));
    v->ev.kind = VCPU_EV_FAULT;
    v->ev.fault = *f;
    v->stop = UC_STOP_EVENT;
    uc_emu_stop(v->uc);
}

static void on_code(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    struct uc_vcpu *v = user;
    if (addr - UCM_RSV_BASE < UCM_RSV_SIZE)
        return; /* the backend's own stub */
    if (v->stepping) {
        /* uc_step(): the one instruction runs, the next one stops. */
        if (v->step_left-- == 0) {
            v->stop = UC_STOP_STEPPED;
            uc_emu_stop(uc);
        } else {
            v->last_insn = addr;
            v->last_size = (uint8_t)size;
        }
        return;
    }
    v->last_insn = addr;
    if (!v->block_mode) {
        v->stats.insns++;
        if (--v->budget == 0 || atomic_load_explicit(&v->kick, memory_order_relaxed)) {
            v->stop = UC_STOP_QUANTUM;
            uc_emu_stop(uc);
            return;
        }
    }
    /* size is Unicorn's length, except for instructions it finds invalid
     * (PVALIDATE and friends among them), where it is a placeholder. */
    size_t n = size >= 1 && size <= 15 ? size : 15;
    uint64_t off = addr & (UCM_PAGE - 1);
    const uint8_t *p;
    uint8_t buf[16];
    if ((addr & UCM_PAGE_MASK) == v->m.code_page && off + n <= UCM_PAGE) {
        p = v->m.code_ptr + off;
    } else {
        struct hw_fault f;
        int got = ucm_code(v, addr, buf, n, &f);
        if (got < 0) {
            v->stop = UC_STOP_ERROR;
            uc_emu_stop(uc);
            return;
        }
        if (got == 0 || (size <= 15 && (uint32_t)got < size)) {
            uc_stop_event(v, &f); /* instruction fetch refused by the model */
            return;
        }
        p = buf;
        n = (size_t)got;
    }
    if ((v->cfg.flags & UC_VCPU_F_CHECK_LENGTHS) && size >= 1 && size <= 15 &&
        uc_insn_length(p, n) != (int)size)
        v->stats.len_mismatch++;
    if (!uc_decode_candidate(p, n))
        return;
    struct uc_insn in;
    int op = uc_decode(p, n, &in);
    if (op == UCI_NONE)
        return;
    if (op == UCI_CLTS) {
        v->cr0 &= ~X86_CR0_TS; /* and Unicorn clears its own */
        return;
    }
    v->insn = in;
    v->ev_rip = addr;
    v->stop = op == UCI_EVENT ? UC_STOP_EVENT : UC_STOP_INTERNAL;
    memset(&v->ev, 0, sizeof(v->ev));
    uc_emu_stop(uc);
}

static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    (void)uc;
    struct uc_vcpu *v = user;
    if (addr - UCM_RSV_BASE < UCM_RSV_SIZE)
        return;
    if (v->stepping) {
        /* The stepped instruction jumped here: stop before this block. */
        if (v->step_left == 0) {
            v->stop = UC_STOP_STEPPED;
            uc_block_stop(v, addr);
        }
        return;
    }
    if (atomic_load_explicit(&v->kick, memory_order_relaxed)) {
        v->stop = UC_STOP_QUANTUM;
        uc_block_stop(v, addr);
        return;
    }
    ucb_on_block(v, addr, size);
}

static void on_intr(uc_engine *uc, uint32_t intno, void *user)
{
    struct uc_vcpu *v = user;
    v->stats.exceptions++;
    if (v->calib) {
        uc_quirks_calib_hook(v, intno);
        return;
    }
    uint64_t ec = uc_quirks_after_exception(v);
    uint64_t rip = uc_get(v, UC_X86_REG_RIP);
    struct hw_fault f = {0};
    if (intno == HW_VECTOR_PF) {
        /* Only the shadow tables make Unicorn raise #PF: ask the model. */
        uint64_t cr2 = uc_get(v, UC_X86_REG_CR2);
        int rc = ucm_fault(v, cr2, rip, &f);
        if (rc == 0)
            return; /* Unicorn retries the instruction */
        if (rc == UC_VCPU_MEM_FAULT) {
            uc_stop_event(v, &f);
            return;
        }
        if (rc == UC_VCPU_MEM_MMIO || rc == 3) {
            /* Not memory (or memory again): handled between steps. */
            v->mmio_va = cr2 & UCM_PAGE_MASK;
            v->mmio_gpa = f.addr & UCM_PAGE_MASK;
            v->insn.op = rc == 3 ? UCI_REMAP : UCI_MMIO;
            v->stop = UC_STOP_INTERNAL;
            uc_emu_stop(uc);
            return;
        }
        if (rc == -ENOSPC) {
            /* Out of shadow table pages: retried after a reset. */
            v->m.ntables = UCM_TABLE_PAGES;
            v->insn.op = UCI_RETRY;
            v->stop = UC_STOP_INTERNAL;
            uc_emu_stop(uc);
            return;
        }
        if (!v->err)
            uc_set_error(v, rc, "page %#llx: cannot cache it", (unsigned long long)cr2);
        v->stop = UC_STOP_ERROR;
        uc_emu_stop(uc);
        return;
    }
    /* An exception of the guest's own: #DE, #UD, #GP, INT n, ... RIP is
     * after INT n / INT3 / INTO (the return address the CPU pushes). */
    f.vector = intno;
    f.kind = intno == HW_VECTOR_GP ? HW_FAULT_GP : HW_FAULT_NONE;
    f.error_code = uc_has_error_code(intno) ? ec : 0;
    f.addr = rip;
    uc_stop_event(v, &f);
    v->cpu_exception = true;
}

static bool on_invalid(uc_engine *uc, void *user)
{
    struct uc_vcpu *v = user;
    (void)uc;
    struct hw_fault f = {.kind = HW_FAULT_NONE, .vector = 6};
    f.addr = uc_get(v, UC_X86_REG_RIP);
    uc_stop_event(v, &f);
    v->cpu_exception = true;
    return false;
}

static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                        void *user)
{
    (void)uc;
    (void)type;
    (void)size;
    (void)value;
    /* The first touch of a 2 MiB window: map it; the shadow tables then
     * make the access fault, and the fault fills the page. */
    struct uc_vcpu *v = user;
    if (ucm_map_window(v, addr))
        return true;
    if (!v->err)
        uc_set_error(v, -EFAULT, "guest address %#llx cannot be cached", (unsigned long long)addr);
    v->stop = UC_STOP_ERROR;
    return false;
}

/* Fetches from the non-canonical cover region (see create). */
static bool on_fetch_prot(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                          void *user)
{
    (void)uc;
    (void)type;
    (void)size;
    (void)value;
    struct hw_fault f = {.kind = HW_FAULT_GP, .vector = HW_VECTOR_GP, .addr = addr};
    uc_stop_event(user, &f);
    return false;
}

static uint64_t cover_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
    (void)uc;
    (void)off;
    (void)size;
    (void)user;
    return 0;
}

static void cover_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *user)
{
    (void)uc;
    (void)off;
    (void)size;
    (void)value;
    (void)user;
}

static int setup_engine(struct uc_vcpu *v)
{
    if (uc_open(UC_ARCH_X86, UC_MODE_64, &v->uc)) {
        v->uc = NULL;
        return -ENOMEM;
    }
    /* Non-canonical addresses: Unicorn looks memory regions up by virtual
     * address before its page walk raises #GP, so give it a region there
     * (never accessed: the walk faults first). */
    if (uc_mmio_map(v->uc, 0x0000800000000000ull, 0xFFFF000000000000ull, cover_read, NULL,
                    cover_write, NULL))
        return -ENOMEM;
    int rc = ucm_init(v);
    if (rc)
        return rc;
    uc_put(v, UC_X86_REG_CR3, UCM_RSV_BASE);
    uc_put(v, UC_X86_REG_CR4, UC_CR4);
    uc_put(v, UC_X86_REG_CR0, UC_CR0);
    uc_put(v, UC_X86_REG_RFLAGS, 2);
    v->code_cb = (void *)on_code;
    v->block_mode = !(v->cfg.flags & UC_VCPU_F_HOOK_EVERY_INSN);
    if ((v->block_mode ? uc_hook_add(v->uc, &v->h_block, UC_HOOK_BLOCK, (void *)on_block, v, 1, 0)
                       : uc_hook_add(v->uc, &v->h_code, UC_HOOK_CODE, (void *)on_code, v, 1, 0)) ||
        uc_hook_add(v->uc, &v->h_intr, UC_HOOK_INTR, (void *)on_intr, v, 1, 0) ||
        uc_hook_add(v->uc, &v->h_invalid, UC_HOOK_INSN_INVALID, (void *)on_invalid, v, 1, 0) ||
        uc_hook_add(v->uc, &v->h_unmapped, UC_HOOK_MEM_UNMAPPED, (void *)on_unmapped, v, 1, 0) ||
        uc_hook_add(v->uc, &v->h_fetchprot, UC_HOOK_MEM_FETCH_PROT, (void *)on_fetch_prot, v, 1, 0))
        return -ENOMEM;
    return 0;
}

int uc_vcpu_create(struct uc_vcpu **out, const struct uc_vcpu_mem *mem,
                   const struct uc_vcpu_config *cfg)
{
    *out = NULL;
    if (!mem || !mem->read || !mem->write)
        return -EINVAL;
    struct uc_vcpu *v = calloc(1, sizeof(*v));
    if (!v)
        return -ENOMEM;
    v->mem = *mem;
    if (cfg)
        v->cfg = *cfg;
    if (!v->cfg.quantum)
        v->cfg.quantum = 50000000;
    v->oe_off = v->ec_off = -1;
    atomic_init(&v->kick, false);
    /* The guest-visible state of a CPU that runs 64-bit code. */
    v->cr0 = X86_CR0_PG | 0x33;
    v->cr4 = X86_CR4_PAE;
    v->efer = X86_EFER_LME | X86_EFER_LMA;
    v->xcr0 = 1;
    int rc = setup_engine(v);
    if (!rc)
        rc = uc_quirks_calibrate(v);
    if (rc) {
        if (!v->errmsg[0])
            uc_set_error(v, rc, "Unicorn set-up failed");
        fprintf(stderr, "uc_vcpu: %s\n", v->errmsg);
        uc_vcpu_destroy(v);
        return rc;
    }
    v->err = 0;
    v->errmsg[0] = 0;
    *out = v;
    return 0;
}

void uc_vcpu_destroy(struct uc_vcpu *v)
{
    if (!v)
        return;
    if (v->uc) {
        ucm_fini(v);
        uc_close(v->uc);
    }
    ucb_fini(v);
    if (v->ctx)
        uc_context_free(v->ctx);
    free(v);
}

int uc_vcpu_get_regs(struct uc_vcpu *v, struct vcpu_regs *r)
{
    int ids[18];
    void *ptrs[18];
    uint64_t *dst[18] = {&r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi,
                         &r->rsp, &r->rbp, &r->r8,  &r->r9,  &r->r10, &r->r11,
                         &r->r12, &r->r13, &r->r14, &r->r15, &r->rip, &r->rflags};
    static const int regs[18] = {UC_X86_REG_RAX, UC_X86_REG_RBX,   UC_X86_REG_RCX, UC_X86_REG_RDX,
                                 UC_X86_REG_RSI, UC_X86_REG_RDI,   UC_X86_REG_RSP, UC_X86_REG_RBP,
                                 UC_X86_REG_R8,  UC_X86_REG_R9,    UC_X86_REG_R10, UC_X86_REG_R11,
                                 UC_X86_REG_R12, UC_X86_REG_R13,   UC_X86_REG_R14, UC_X86_REG_R15,
                                 UC_X86_REG_RIP, UC_X86_REG_RFLAGS};
    for (int i = 0; i < 18; i++) {
        ids[i] = regs[i];
        ptrs[i] = dst[i];
        *dst[i] = 0;
    }
    return uc_reg_read_batch(v->uc, ids, ptrs, 18) ? -EIO : 0;
}

int uc_vcpu_set_regs(struct uc_vcpu *v, const struct vcpu_regs *r)
{
    static const int regs[18] = {UC_X86_REG_RAX, UC_X86_REG_RBX,   UC_X86_REG_RCX, UC_X86_REG_RDX,
                                 UC_X86_REG_RSI, UC_X86_REG_RDI,   UC_X86_REG_RSP, UC_X86_REG_RBP,
                                 UC_X86_REG_R8,  UC_X86_REG_R9,    UC_X86_REG_R10, UC_X86_REG_R11,
                                 UC_X86_REG_R12, UC_X86_REG_R13,   UC_X86_REG_R14, UC_X86_REG_R15,
                                 UC_X86_REG_RIP, UC_X86_REG_RFLAGS};
    const uint64_t *src[18] = {&r->rax, &r->rbx, &r->rcx, &r->rdx, &r->rsi, &r->rdi,
                               &r->rsp, &r->rbp, &r->r8,  &r->r9,  &r->r10, &r->r11,
                               &r->r12, &r->r13, &r->r14, &r->r15, &r->rip, &r->rflags};
    int ids[18];
    void *ptrs[18];
    for (int i = 0; i < 18; i++) {
        ids[i] = regs[i];
        ptrs[i] = (void *)src[i];
    }
    return uc_reg_write_batch(v->uc, ids, ptrs, 18) ? -EIO : 0;
}

int uc_vcpu_set_cr2(struct uc_vcpu *v, uint64_t cr2)
{
    v->cr2 = cr2;
    return 0;
}

void uc_vcpu_kick(struct uc_vcpu *v)
{
    atomic_store(&v->kick, true);
}

void uc_vcpu_flush(struct uc_vcpu *v)
{
    ucm_invalidate(v);
    v->m.need_reval = true;
}

void uc_vcpu_get_stats(const struct uc_vcpu *v, struct uc_vcpu_stats *st)
{
    *st = v->stats;
}

unsigned uc_vcpu_quirks(const struct uc_vcpu *v)
{
    unsigned q = uc_quirks_static();
    if (v && v->oe_off >= 0)
        q |= UC_QUIRK_OLD_EXCEPTION;
    if (v && v->ec_off >= 0)
        q |= UC_QUIRK_ERROR_CODE;
    return q;
}

#define STR2(x) #x
#define STR(x)  STR2(x)

const char *uc_vcpu_unicorn_version(void)
{
    return STR(UC_VERSION_MAJOR) "." STR(UC_VERSION_MINOR) "." STR(UC_VERSION_PATCH);
}

int uc_vcpu_inject(struct uc_vcpu *v, uint32_t vector, uint64_t error_code)
{
    struct hw_fault f;
    return uc_vcpu_inject_f(v, vector, error_code, &f);
}

int uc_vcpu_inject_f(struct uc_vcpu *v, uint32_t vector, uint64_t error_code, struct hw_fault *f)
{
    struct hw_fault tmp;
    if (!f)
        f = &tmp;
    memset(f, 0, sizeof(*f));
    if (vector > 255)
        return -EINVAL;
    /* An event overtaken by an exception is not completed: the frame's RIP
     * is the instruction's, as for #VC. */
    v->pending = false;
    return uc_deliver(v, vector, uc_has_error_code(vector), error_code, f);
}
