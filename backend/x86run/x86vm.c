/* SPDX-License-Identifier: GPL-2.0-only */
/* An x86-64 guest binary on the simulated host (see x86vm.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "swsev/abi/vmcb.h"
#include "x86vm.h"

#define POST_PORT 0x80u

static struct hw_vcpu *hw(struct x86vm *x)
{
    return x->r.vcpu->hw;
}

/* ---- guest memory for the backend: the model's guest path ---- */

static int verdict(struct x86vm *x, swsev_rc rc, struct hw_fault *f)
{
    if (rc == SWSEV_OK)
        return UC_VCPU_MEM_OK;
    if (rc != SWSEV_HW_ERR(SWSEV_HW_FAULT)) {
        /* An address the model cannot even decode: #GP, as for a
         * non-canonical one. */
        memset(f, 0, sizeof(*f));
        f->kind = HW_FAULT_GP;
        f->vector = X86_TRAP_GP;
        return UC_VCPU_MEM_FAULT;
    }
    /* A nested fault on a GPA the VMM did not back with memory: MMIO. */
    if (f->kind == HW_FAULT_NPF && !(f->error_code & (PFERR_RMP | PFERR_PRESENT))) {
        f->addr &= ~memsys_cbit_mask(x->r.kvm.ms);
        return UC_VCPU_MEM_MMIO;
    }
    return UC_VCPU_MEM_FAULT;
}

static int mem_read(void *ctx, uint64_t gva, void *buf, size_t len, enum hw_access acc,
                    struct hw_fault *f)
{
    struct x86vm *x = ctx;
    struct memsys *ms = x->r.kvm.ms;
    const struct hw_guest_ctx *g = hw_vcpu_ctx(hw(x));
    swsev_rc rc = SWSEV_OK;
    /* A page the guest is about to write: every check of a write (page
     * tables, dirty bit, RMP), then its bytes as a read sees them. */
    if (acc == HW_ACC_WRITE)
        rc = memsys_guest_check(ms, g, gva, HW_ACC_WRITE, f);
    if (!rc)
        rc = acc == HW_ACC_FETCH ? memsys_guest_fetch(ms, g, gva, buf, len, f)
                                 : memsys_guest_read(ms, g, gva, buf, len, f);
    return verdict(x, rc, f);
}

static int mem_write(void *ctx, uint64_t gva, const void *buf, size_t len, struct hw_fault *f)
{
    struct x86vm *x = ctx;
    return verdict(x, memsys_guest_write(x->r.kvm.ms, hw_vcpu_ctx(hw(x)), gva, buf, len, f), f);
}

static uint64_t mem_generation(void *ctx)
{
    struct x86vm *x = ctx;
    return memsys_generation(x->r.kvm.ms);
}

/* MOV to CR0/CR3/CR4: the model translates with the new value. */
static int mem_write_cr(void *ctx, unsigned cr, uint64_t value, struct hw_fault *f)
{
    struct x86vm *x = ctx;
    struct vcpu_sregs s;
    if (hw_vcpu_get_regs(hw(x), NULL, &s))
        return UC_VCPU_MEM_FAULT;
    bool long_mode = s.efer & X86_EFER_LMA;
    if ((cr == 0 && long_mode && !(value & X86_CR0_PG)) ||
        (cr == 4 && long_mode && !(value & X86_CR4_PAE)) || (cr != 0 && cr != 3 && cr != 4)) {
        /* Leaving long mode this way is #GP, as on the CPU. */
        memset(f, 0, sizeof(*f));
        f->kind = HW_FAULT_GP;
        f->vector = X86_TRAP_GP;
        return UC_VCPU_MEM_FAULT;
    }
    if (cr == 0)
        s.cr0 = value;
    else if (cr == 3)
        s.cr3 = value;
    else
        s.cr4 = value;
    (void)hw_vcpu_set_regs(hw(x), NULL, &s);
    return UC_VCPU_MEM_OK;
}

/* ---- start ---- */

void x86vm_default_config(struct uc_vcpu_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->quantum = 1u << 18;
}

int x86vm_start(struct x86vm *x, const struct ximage *img, enum mrun_mode mode, const char *chip,
                void (*serial)(void *ctx, uint8_t byte), void *ctx)
{
    return x86vm_start_cfg(x, img, mode, chip, 1, NULL, serial, ctx);
}

int x86vm_start_cfg(struct x86vm *x, const struct ximage *img, enum mrun_mode mode,
                    const char *chip, unsigned vcpus, const struct uc_vcpu_config *ucfg,
                    void (*serial)(void *ctx, uint8_t byte), void *ctx)
{
    memset(x, 0, sizeof(*x));
    struct mrun_config mc = {chip, mode, NULL, 0, vcpus, img, serial, ctx};
    if (mrun_start_cfg(&x->r, &mc, x->err, sizeof(x->err)))
        return -1;
    struct uc_vcpu_mem mem = {
        .ctx = x,
        .read = mem_read,
        .write = mem_write,
        .generation = mem_generation,
        .write_cr = mem_write_cr,
    };
    struct uc_vcpu_config cfg;
    if (ucfg)
        cfg = *ucfg;
    else
        x86vm_default_config(&cfg);
    int rc = uc_vcpu_create(&x->u, &mem, &cfg);
    if (rc) {
        snprintf(x->err, sizeof(x->err), "the Unicorn backend did not start: %s",
                 x->u ? uc_vcpu_strerror(x->u) : strerror(-rc));
        return -1;
    }
    /* The state the VMRUN loaded (from the VMSA for SEV-ES and SNP). */
    struct vcpu_regs r;
    struct vcpu_sregs s;
    if (hw_vcpu_get_regs(hw(x), &r, &s) || uc_vcpu_set_sregs(x->u, &s) ||
        uc_vcpu_set_regs(x->u, &r)) {
        snprintf(x->err, sizeof(x->err), "the initial vCPU state did not load");
        return -1;
    }
    return 0;
}

/* ---- run ---- */

/* An event the VMM injected (VMCB EVENTINJ) at the VMRUN that just
 * happened: delivered through the guest's IDT before its next
 * instruction. 0, or 1 when the delivery failed and the vCPU shut down. */
static int injected(struct x86vm *x)
{
    uint32_t vec, type, code;
    bool has_code;
    if (!hw_vcpu_take_event(hw(x), &vec, &type, &code, &has_code))
        return 0;
    struct hw_fault f;
    if (uc_vcpu_inject_f(x->u, vec, has_code ? code : 0, &f) == 0) {
        x->st.injected++;
        return 0;
    }
    hw_vcpu_vmexit(hw(x), SVM_EXIT_SHUTDOWN, 0, 0);
    return 1;
}

static const char *event_name(uint32_t kind)
{
    static const char *names[] = {"none",  "cpuid",   "io",      "rdmsr",     "wrmsr",
                                  "rdtsc", "vmmcall", "vmgexit", "pvalidate", "rmpadjust",
                                  "hlt",   "mmio",    "fault",   "shutdown"};
    return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

/* The VMM stopped the guest, or the guest cannot go on. */
static int stopped(struct x86vm *x)
{
    x->r.exited = true;
    return mrun_exit_status(&x->r);
}

/* Deliver an exception the model decided on through the guest's IDT. */
static int inject(struct x86vm *x, const struct vcpu_event *ev, uint32_t vec, uint64_t code)
{
    struct vcpu_regs r;
    (void)hw_vcpu_get_regs(hw(x), &r, NULL);
    (void)uc_vcpu_set_regs(x->u, &r);
    if (vec == X86_TRAP_PF) {
        struct vcpu_sregs s;
        (void)hw_vcpu_get_regs(hw(x), NULL, &s);
        s.cr2 = ev->fault.addr;
        (void)hw_vcpu_set_regs(hw(x), NULL, &s);
        (void)uc_vcpu_set_cr2(x->u, ev->fault.addr);
    }
    struct hw_fault f;
    if (uc_vcpu_inject_f(x->u, vec, code, &f) == 0) {
        x->st.injected++;
        x->st.vc += vec == X86_TRAP_VC;
        return 0;
    }
    /* The delivery itself faulted (no IDT, a bad gate, the stack): with
     * no #DF handling of our own, the vCPU shuts down, as a triple fault
     * does. */
    hw_vcpu_vmexit(hw(x), SVM_EXIT_SHUTDOWN, 0, 0);
    return 1;
}

int x86vm_run(struct x86vm *x)
{
    for (;;) {
        struct vcpu_event ev;
        int rc = uc_vcpu_run(x->u, &ev);
        if (rc < 0) {
            snprintf(x->err, sizeof(x->err), "backend error: %s", uc_vcpu_strerror(x->u));
            return -1;
        }
        if (ev.kind == VCPU_EV_NONE)
            continue; /* a quantum ended */
        x->st.events++;
        struct vcpu_regs r;
        (void)uc_vcpu_get_regs(x->u, &r);
        uint64_t ev_rip = r.rip;
        if (x->trace)
            fprintf(x->trace, "event %-9s rip %#llx rax %#llx rcx %#llx\n", event_name(ev.kind),
                    (unsigned long long)r.rip, (unsigned long long)r.rax,
                    (unsigned long long)r.rcx);
        (void)hw_vcpu_set_regs(hw(x), &r, NULL);
        if (ev.kind == VCPU_EV_IO && !ev.io.in && ev.io.port == POST_PORT && x->post)
            x->post(x->post_ctx, (uint32_t)r.rax);
        uint32_t vec;
        uint64_t code;
        enum hw_vcpu_disposition d = hw_vcpu_event(hw(x), &ev, &vec, &code);
        if (d == HW_VCPU_RESUME) {
            /* The model completed the instruction in the registers. */
            (void)hw_vcpu_get_regs(hw(x), &r, NULL);
            r.rip = ev_rip + ev.insn_len;
            (void)uc_vcpu_set_regs(x->u, &r);
            continue;
        }
        if (d == HW_VCPU_INJECT) {
            if (inject(x, &ev, vec, code) == 0)
                continue;
        }
        /* A VMEXIT: the VMM handles it and VMRUNs again, or stops. */
        x->st.vmexits++;
        x->st.vmgexits += ev.kind == VCPU_EV_VMGEXIT;
        if (x->inject.armed) {
            hv_vcpu_inject(x->r.vcpu, VMCB_EVENTINJ_EXCP, x->inject.vector, x->inject.has_code,
                           x->inject.code);
            x->inject.armed = false;
        }
        if (hv_vcpu_handle_exit(x->r.vcpu, x->r.hx_up ? &x->r.hx : NULL, &x->r.dev, &x->r.exit))
            return stopped(x);
        if (hw_vcpu_get_regs(hw(x), &r, NULL)) {
            snprintf(x->err, sizeof(x->err), "the vCPU state is gone after a VMEXIT");
            return -1;
        }
        /* (VMGEXIT saved the next instruction's address in the VMSA.) */
        (void)uc_vcpu_set_regs(x->u, &r);
        if (injected(x) &&
            hv_vcpu_handle_exit(x->r.vcpu, x->r.hx_up ? &x->r.hx : NULL, &x->r.dev, &x->r.exit))
            return stopped(x);
    }
}

void x86vm_free(struct x86vm *x)
{
    if (x->u)
        uc_vcpu_destroy(x->u);
    mrun_free(&x->r);
    x->u = NULL;
}
