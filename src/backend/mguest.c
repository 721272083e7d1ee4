/* SPDX-License-Identifier: MIT */
/* Modelled guests on the vCPU model (see mguest.h). */
#include <string.h>

#include "backend/mguest.h"
#include "swsev/abi/vmcb.h"

void mguest_init(struct mguest *g, struct memsys *ms, struct hw_vcpu *v, uint64_t vmcb_spa,
                 mguest_exit_fn on_exit, void *vmm)
{
    memset(g, 0, sizeof(*g));
    g->ms = ms;
    g->vcpu = v;
    g->vmcb_spa = vmcb_spa;
    g->on_exit = on_exit;
    g->vmm = vmm;
}

void mguest_set_vc(struct mguest *g, mguest_vc_fn on_vc, void *kernel)
{
    g->on_vc = on_vc;
    g->kernel = kernel;
}

/* The register file the backend works on while the vCPU is in guest mode:
 * a copy synchronised with the model around every event. */
static struct vcpu_regs regs_of(struct mguest *g)
{
    struct vcpu_regs r;
    memset(&r, 0, sizeof(r));
    (void)hw_vcpu_get_regs(g->vcpu, &r, NULL);
    return r;
}

static void set_regs(struct mguest *g, const struct vcpu_regs *r)
{
    (void)hw_vcpu_set_regs(g->vcpu, r, NULL);
}

/* Run one event to completion: #VC handled by the guest kernel, VMEXITs by
 * the hypervisor, then the instruction is done. */
static int step(struct mguest *g, struct vcpu_event *ev)
{
    if (g->stopped)
        return -1;
    g->instructions++;
    for (;;) {
        uint32_t vec;
        uint64_t code;
        enum hw_vcpu_disposition d = hw_vcpu_event(g->vcpu, ev, &vec, &code);
        if (d == HW_VCPU_RESUME)
            return 0;
        if (d == HW_VCPU_INJECT) {
            if (vec == X86_TRAP_VC && g->on_vc && g->vc_depth == 0) {
                g->vc_depth++;
                int rc = g->on_vc(g->kernel, g, code, ev);
                g->vc_depth--;
                if (g->stopped)
                    return -1;
                if (rc == 0)
                    return 0;
            }
            g->fault_vector = vec;
            g->fault_code = code;
            return -1;
        }
        /* VMEXIT: the hypervisor handles it and resumes the guest. An
         * automatic exit that completes the instruction (VMGEXIT, HLT)
         * returns to the program after the VMRUN. */
        int stop = g->on_exit ? g->on_exit(g->vmm, g) : 1;
        if (stop || !hw_vcpu_in_guest(g->vcpu)) {
            g->stopped = stop ? stop : 1;
            return -1;
        }
        /* An event the VMM injected: a modelled kernel has no IDT to take
         * it through, so the operation fails with it. */
        uint32_t type, code32;
        bool has_code;
        if (hw_vcpu_take_event(g->vcpu, &g->fault_vector, &type, &code32, &has_code)) {
            g->fault_code = has_code ? code32 : 0;
            return -1;
        }
        if (ev->kind == VCPU_EV_VMGEXIT || ev->kind == VCPU_EV_HLT)
            return 0;
        /* An intercepted instruction: the hypervisor emulated it. */
        return 0;
    }
}

static int simple(struct mguest *g, uint32_t kind, uint8_t len)
{
    struct vcpu_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = kind;
    ev.insn_len = len;
    return step(g, &ev);
}

int mg_cpuid(struct mguest *g, uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    struct vcpu_regs r = regs_of(g);
    r.rax = leaf;
    r.rcx = subleaf;
    set_regs(g, &r);
    if (simple(g, VCPU_EV_CPUID, 2))
        return -1;
    r = regs_of(g);
    out[0] = (uint32_t)r.rax;
    out[1] = (uint32_t)r.rbx;
    out[2] = (uint32_t)r.rcx;
    out[3] = (uint32_t)r.rdx;
    return 0;
}

static int io(struct mguest *g, uint16_t port, uint8_t size, bool in, uint32_t *value)
{
    struct vcpu_regs r = regs_of(g);
    if (!in)
        r.rax = *value;
    r.rdx = port;
    set_regs(g, &r);
    struct vcpu_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = VCPU_EV_IO;
    ev.insn_len = 1;
    ev.io.port = port;
    ev.io.size = size;
    ev.io.in = in;
    ev.io.count = 1;
    if (step(g, &ev))
        return -1;
    if (in) {
        uint64_t mask = size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
        *value = (uint32_t)(regs_of(g).rax & mask);
    }
    return 0;
}

int mg_out(struct mguest *g, uint16_t port, uint8_t size, uint32_t value)
{
    return io(g, port, size, false, &value);
}

int mg_in(struct mguest *g, uint16_t port, uint8_t size, uint32_t *value)
{
    return io(g, port, size, true, value);
}

int mg_rdmsr(struct mguest *g, uint32_t msr, uint64_t *value)
{
    struct vcpu_regs r = regs_of(g);
    r.rcx = msr;
    set_regs(g, &r);
    if (simple(g, VCPU_EV_RDMSR, 2))
        return -1;
    r = regs_of(g);
    *value = (r.rdx << 32) | (uint32_t)r.rax;
    return 0;
}

int mg_wrmsr(struct mguest *g, uint32_t msr, uint64_t value)
{
    struct vcpu_regs r = regs_of(g);
    r.rcx = msr;
    r.rax = (uint32_t)value;
    r.rdx = value >> 32;
    set_regs(g, &r);
    return simple(g, VCPU_EV_WRMSR, 2);
}

int mg_rdtsc(struct mguest *g, uint64_t *tsc)
{
    if (simple(g, VCPU_EV_RDTSC, 2))
        return -1;
    struct vcpu_regs r = regs_of(g);
    *tsc = (r.rdx << 32) | (uint32_t)r.rax;
    return 0;
}

int mg_vmmcall(struct mguest *g, uint64_t *rax)
{
    struct vcpu_regs r = regs_of(g);
    r.rax = *rax;
    set_regs(g, &r);
    if (simple(g, VCPU_EV_VMMCALL, 3))
        return -1;
    *rax = regs_of(g).rax;
    return 0;
}

int mg_vmgexit(struct mguest *g)
{
    return simple(g, VCPU_EV_VMGEXIT, 4);
}

int mg_pvalidate(struct mguest *g, uint64_t gva, bool size_2m, bool validate, uint64_t *rc,
                 bool *no_update)
{
    struct vcpu_regs r = regs_of(g);
    r.rax = gva;
    r.rcx = size_2m;
    r.rdx = validate;
    set_regs(g, &r);
    if (simple(g, VCPU_EV_PVALIDATE, 4))
        return -1;
    r = regs_of(g);
    *rc = r.rax;
    *no_update = r.rflags & 1;
    return 0;
}

int mg_rmpadjust(struct mguest *g, uint64_t gva, bool size_2m, uint64_t rdx, uint64_t *rc)
{
    struct vcpu_regs r = regs_of(g);
    r.rax = gva;
    r.rcx = size_2m;
    r.rdx = rdx;
    set_regs(g, &r);
    if (simple(g, VCPU_EV_RMPADJUST, 4))
        return -1;
    *rc = regs_of(g).rax;
    return 0;
}

int mg_hlt(struct mguest *g)
{
    return simple(g, VCPU_EV_HLT, 1);
}

/* An access to a GPA the nested tables do not map: MMIO, one register
 * (up to 8 bytes) at a time, as an MMIO event (#VC under SEV-ES). */
static int mmio(struct mguest *g, uint64_t gpa, void *buf, size_t len, bool write)
{
    if (len > 8)
        return -1;
    struct vcpu_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = VCPU_EV_MMIO;
    ev.mmio.gpa = gpa & ~memsys_cbit_mask(g->ms);
    ev.mmio.len = (uint8_t)len;
    ev.mmio.write = write;
    if (write)
        memcpy(ev.mmio.data, buf, len);
    if (step(g, &ev))
        return -1;
    if (!write) {
        struct vcpu_regs r;
        (void)hw_vcpu_get_regs(g->vcpu, &r, NULL);
        memcpy(buf, &r.rax, len);
    }
    return 0;
}

static int memory(struct mguest *g, uint64_t gva, void *buf, size_t len, bool write)
{
    if (g->stopped)
        return -1;
    struct hw_fault f;
    const struct hw_guest_ctx *ctx = hw_vcpu_ctx(g->vcpu);
    /* Paging off (early boot): addresses are guest-physical, the C-bit an
     * address bit. */
    bool phys = !(ctx->cr0 & X86_CR0_PG);
    swsev_rc rc = phys ? (write ? memsys_guest_phys_write(g->ms, ctx, gva, buf, len, &f)
                                : memsys_guest_phys_read(g->ms, ctx, gva, buf, len, &f))
                       : (write ? memsys_guest_write(g->ms, ctx, gva, buf, len, &f)
                                : memsys_guest_read(g->ms, ctx, gva, buf, len, &f));
    if (!rc)
        return 0;
    if (rc != SWSEV_HW_ERR(SWSEV_HW_FAULT))
        return -1;
    if (f.kind == HW_FAULT_NPF && !(f.error_code & (PFERR_RMP | PFERR_PRESENT)))
        return mmio(g, gva, buf, len, write);
    struct vcpu_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = VCPU_EV_FAULT;
    ev.fault = f;
    if (f.kind == HW_FAULT_VC) {
        /* #VC 0x404 (not validated) is the guest's to handle. */
        g->fault_vector = X86_TRAP_VC;
        g->fault_code = f.error_code;
        return -1;
    }
    step(g, &ev);
    return -1;
}

int mg_read(struct mguest *g, uint64_t gva, void *buf, size_t len)
{
    return memory(g, gva, buf, len, false);
}

int mg_write(struct mguest *g, uint64_t gva, const void *buf, size_t len)
{
    return memory(g, gva, (void *)buf, len, true);
}
