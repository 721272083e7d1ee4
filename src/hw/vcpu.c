/* SPDX-License-Identifier: MIT */
/*
 * The vCPU's world switch and the events of guest mode (see swsev/vcpu.h).
 *
 * SEV-ES and SNP guests keep their registers in the VMSA, encrypted with
 * the guest key: VMRUN decrypts it and checks its seal (hw/vmsa_seal.c),
 * VMEXIT writes it back and reseals it, and in between the hypervisor sees
 * only the VMCB's exit information. Their non-automatic exits (CPUID, I/O,
 * MSRs, RDTSC, VMMCALL, MMIO) become #VC in the guest, with the exit code as
 * error code; VMGEXIT, HLT and shutdown are automatic exits. Plain SEV and
 * non-SEV guests exit to the hypervisor on the events the VMCB intercepts.
 */
#include <stdlib.h>
#include <string.h>

#include "hw/memsys_priv.h"
#include "swsev/abi/vmcb.h"
#include "swsev/abi/vmsa.h"
#include "swsev/vcpu.h"

#define MSR_GHCB_     0xC0010130u
#define MSR_SEV_STAT_ 0xC0010131u
#define RFLAGS_CF     1ull

struct hw_vcpu {
    struct memsys *ms;
    unsigned core;
    bool in_guest;
    uint64_t vmcb_spa;
    uint8_t vmcb[VMCB_SIZE];
    struct vcpu_regs regs;
    struct vcpu_sregs sregs;
    struct hw_guest_ctx ctx;
    bool es, snp;
    uint64_t vmsa_spa, sev_features;
    uint64_t ghcb_msr;
    uint64_t tsc;
    uint8_t insn_len; /* of the instruction being handled, for nRIP */
    uint64_t event;   /* EVENTINJ taken at the last VMRUN, V set until delivered */
};

static uint64_t get64(const uint8_t *p, unsigned off)
{
    uint64_t v;
    memcpy(&v, p + off, 8);
    return v;
}

static void put64(uint8_t *p, unsigned off, uint64_t v)
{
    memcpy(p + off, &v, 8);
}

swsev_rc hw_vcpu_create(struct memsys *ms, unsigned core, struct hw_vcpu **out)
{
    struct hw_vcpu *v = calloc(1, sizeof(*v));
    if (!v)
        return SWSEV_HW_ERR(SWSEV_HW_NOMEM);
    v->ms = ms;
    v->core = core;
    *out = v;
    return SWSEV_OK;
}

void hw_vcpu_destroy(struct hw_vcpu *v)
{
    if (v)
        memset(v, 0, sizeof(*v));
    free(v);
}

bool hw_vcpu_in_guest(const struct hw_vcpu *v)
{
    return v->in_guest;
}

const struct hw_guest_ctx *hw_vcpu_ctx(const struct hw_vcpu *v)
{
    return &v->ctx;
}

/* ---- the VMSA <-> registers ---- */

static void seg_from(const uint8_t *p, unsigned off, struct vcpu_segment *s)
{
    struct vmsa_seg vs;
    memcpy(&vs, p + off, sizeof(vs));
    s->selector = vs.selector;
    s->attrib = vs.attrib;
    s->limit = vs.limit;
    s->base = vs.base;
}

static void seg_to(uint8_t *p, unsigned off, const struct vcpu_segment *s)
{
    struct vmsa_seg vs = {s->selector, s->attrib, s->limit, s->base};
    memcpy(p + off, &vs, sizeof(vs));
}

static const unsigned gpr_off[8] = {VMSA_R8,      VMSA_R8 + 8,  VMSA_R8 + 16, VMSA_R8 + 24,
                                    VMSA_R8 + 32, VMSA_R8 + 40, VMSA_R8 + 48, VMSA_R8 + 56};

static void regs_from_vmsa(struct hw_vcpu *v, const uint8_t *p)
{
    struct vcpu_regs *r = &v->regs;
    struct vcpu_sregs *s = &v->sregs;
    r->rax = get64(p, VMSA_RAX);
    r->rbx = get64(p, VMSA_RBX);
    r->rcx = get64(p, VMSA_RCX);
    r->rdx = get64(p, VMSA_RDX);
    r->rsi = get64(p, VMSA_RSI);
    r->rdi = get64(p, VMSA_RDI);
    r->rsp = get64(p, VMSA_RSP);
    r->rbp = get64(p, VMSA_RBP);
    uint64_t *hi[8] = {&r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15};
    for (int i = 0; i < 8; i++)
        *hi[i] = get64(p, gpr_off[i]);
    r->rip = get64(p, VMSA_RIP);
    r->rflags = get64(p, VMSA_RFLAGS);
    seg_from(p, VMSA_ES, &s->es);
    seg_from(p, VMSA_CS, &s->cs);
    seg_from(p, VMSA_SS, &s->ss);
    seg_from(p, VMSA_DS, &s->ds);
    seg_from(p, VMSA_FS, &s->fs);
    seg_from(p, VMSA_GS, &s->gs);
    seg_from(p, VMSA_LDTR, &s->ldtr);
    seg_from(p, VMSA_TR, &s->tr);
    struct vmsa_seg d;
    memcpy(&d, p + VMSA_GDTR, sizeof(d));
    s->gdtr_base = d.base;
    s->gdtr_limit = d.limit;
    memcpy(&d, p + VMSA_IDTR, sizeof(d));
    s->idtr_base = d.base;
    s->idtr_limit = d.limit;
    s->cr0 = get64(p, VMSA_CR0);
    s->cr2 = get64(p, VMSA_CR2);
    s->cr3 = get64(p, VMSA_CR3);
    s->cr4 = get64(p, VMSA_CR4);
    s->efer = get64(p, VMSA_EFER);
    s->xcr0 = get64(p, VMSA_XCR0);
}

static void regs_to_vmsa(const struct hw_vcpu *v, uint8_t *p)
{
    const struct vcpu_regs *r = &v->regs;
    const struct vcpu_sregs *s = &v->sregs;
    put64(p, VMSA_RAX, r->rax);
    put64(p, VMSA_RBX, r->rbx);
    put64(p, VMSA_RCX, r->rcx);
    put64(p, VMSA_RDX, r->rdx);
    put64(p, VMSA_RSI, r->rsi);
    put64(p, VMSA_RDI, r->rdi);
    put64(p, VMSA_RSP, r->rsp);
    put64(p, VMSA_RBP, r->rbp);
    const uint64_t hi[8] = {r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15};
    for (int i = 0; i < 8; i++)
        put64(p, gpr_off[i], hi[i]);
    put64(p, VMSA_RIP, r->rip);
    put64(p, VMSA_RFLAGS, r->rflags);
    seg_to(p, VMSA_ES, &s->es);
    seg_to(p, VMSA_CS, &s->cs);
    seg_to(p, VMSA_SS, &s->ss);
    seg_to(p, VMSA_DS, &s->ds);
    seg_to(p, VMSA_FS, &s->fs);
    seg_to(p, VMSA_GS, &s->gs);
    seg_to(p, VMSA_LDTR, &s->ldtr);
    seg_to(p, VMSA_TR, &s->tr);
    struct vmsa_seg d = {0, 0, s->gdtr_limit, s->gdtr_base};
    memcpy(p + VMSA_GDTR, &d, sizeof(d));
    struct vmsa_seg i = {0, 0, s->idtr_limit, s->idtr_base};
    memcpy(p + VMSA_IDTR, &i, sizeof(i));
    put64(p, VMSA_CR0, s->cr0);
    put64(p, VMSA_CR2, s->cr2);
    put64(p, VMSA_CR3, s->cr3);
    put64(p, VMSA_CR4, s->cr4);
    put64(p, VMSA_EFER, s->efer);
    put64(p, VMSA_XCR0, s->xcr0);
}

/* ---- VMRUN / VMEXIT ---- */

/* EVENTINJ as VMRUN accepts it: a defined type, an exception vector for
 * an exception (and not 2: NMI has its own type), an error code only with
 * an exception, reserved bits [30:12] clear. */
static bool event_valid(uint64_t inj)
{
    unsigned type = (unsigned)((inj >> 8) & 7), vec = (unsigned)(inj & 0xFF);
    if (inj & 0x7FFFF000ull)
        return false;
    if (type != VMCB_EVENTINJ_INTR && type != VMCB_EVENTINJ_NMI && type != VMCB_EVENTINJ_EXCP &&
        type != VMCB_EVENTINJ_SOFTINT)
        return false;
    if (type == VMCB_EVENTINJ_EXCP && (vec > 31 || vec == 2))
        return false;
    return type == VMCB_EVENTINJ_EXCP || !(inj & VMCB_EVENTINJ_EV);
}

static swsev_rc entry_failed(struct hw_vcpu *v)
{
    put64(v->vmcb, VMCB_EXIT_CODE, SVM_EXIT_INVALID);
    (void)memsys_host_write(v->ms, v->vmcb_spa, v->vmcb, VMCB_SIZE);
    v->in_guest = false;
    return SWSEV_HW_ERR(SWSEV_HW_FAULT);
}

/* Load and check the VMSA (lock held). An SNP guest's VMSA (SNPActive in
 * its SEV_FEATURES) is protected by the RMP: it must be the guest's RMP
 * VMSA page, which the hypervisor cannot write - and which the guest
 * itself may have created (AP creation). Other SEV-ES VMSAs must match
 * their seal. */
static bool load_vmsa(struct hw_vcpu *v, uint32_t asid)
{
    struct memsys *ms = v->ms;
    uint8_t page[VMSA_SIZE];
    bool ok = !(v->vmsa_spa & 4095) && !dram_check(&ms->dram, v->vmsa_spa, VMSA_SIZE) &&
              memctl_has_key(&ms->mc, asid) &&
              !ms_phys_access(ms, asid, v->vmsa_spa, page, sizeof(page), false);
    if (ok && (get64(page, VMSA_SEV_FEATURES) & 1)) {
        struct rmp_entry e;
        ok = ms->snp_enabled && !ms_rmp_get(ms, v->vmsa_spa, &e) && e.assigned && e.vmsa &&
             e.asid == asid;
    } else if (ok) {
        ok = ms_vmsa_check(ms, v->vmsa_spa, asid, page);
    }
    if (ok) {
        regs_from_vmsa(v, page);
        v->sev_features = get64(page, VMSA_SEV_FEATURES);
        v->ctx.vmpl = page[VMSA_VMPL];
        v->ctx.cpl = page[VMSA_CPL];
    }
    memset(page, 0, sizeof(page));
    return ok;
}

swsev_rc hw_vcpu_vmrun(struct hw_vcpu *v, uint64_t vmcb_spa)
{
    if (v->in_guest)
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    v->vmcb_spa = vmcb_spa & ~memsys_cbit_mask(v->ms);
    if (memsys_host_read(v->ms, vmcb_spa, v->vmcb, VMCB_SIZE))
        return SWSEV_HW_ERR(SWSEV_HW_RANGE);
    uint64_t nested = get64(v->vmcb, VMCB_NESTED_CTL);
    uint32_t asid;
    memcpy(&asid, v->vmcb + VMCB_ASID, 4);
    bool sev = nested & VMCB_SEV_ENABLE, es = nested & VMCB_SEV_ES_ENABLE;
    const struct chip_config *cfg = &v->ms->cfg;
    if (asid == 0 || asid > cfg->nr_asids || (es && !sev) || (sev && !(nested & VMCB_NP_ENABLE)))
        return entry_failed(v);
    uint64_t inj = get64(v->vmcb, VMCB_EVENT_INJ);
    if ((inj & VMCB_EVENTINJ_V) && !event_valid(inj))
        return entry_failed(v);
    memset(&v->ctx, 0, sizeof(v->ctx));
    v->es = es;
    v->ghcb_msr = get64(v->vmcb, VMCB_GHCB_GPA);
    if (es) {
        v->vmsa_spa = get64(v->vmcb, VMCB_VMSA_PA) & ~memsys_cbit_mask(v->ms);
        pthread_mutex_lock(&v->ms->lock);
        bool ok = load_vmsa(v, asid);
        pthread_mutex_unlock(&v->ms->lock);
        if (!ok)
            return entry_failed(v);
        v->snp = v->sev_features & 1;
    }
    v->ctx.asid = asid;
    v->ctx.sev = sev;
    v->ctx.es = es;
    v->ctx.snp = v->snp;
    v->ctx.cr0 = v->sregs.cr0;
    v->ctx.cr3 = v->sregs.cr3;
    v->ctx.cr4 = v->sregs.cr4;
    v->ctx.efer = v->sregs.efer;
    v->ctx.np_enable = nested & VMCB_NP_ENABLE;
    v->ctx.ncr3 = get64(v->vmcb, VMCB_N_CR3);
    put64(v->vmcb, VMCB_EXIT_CODE, 0);
    /* The event is taken at entry: the VMCB no longer asks for it. */
    v->event = inj & VMCB_EVENTINJ_V ? inj : 0;
    put64(v->vmcb, VMCB_EVENT_INJ, 0);
    v->in_guest = true;
    return SWSEV_OK;
}

bool hw_vcpu_take_event(struct hw_vcpu *v, uint32_t *vector, uint32_t *type, uint32_t *code,
                        bool *has_code)
{
    if (!v->in_guest || !(v->event & VMCB_EVENTINJ_V))
        return false;
    *vector = (uint32_t)(v->event & 0xFF);
    *type = (uint32_t)((v->event >> 8) & 7);
    *has_code = v->event & VMCB_EVENTINJ_EV;
    *code = (uint32_t)(v->event >> 32);
    v->event = 0;
    return true;
}

void hw_vcpu_vmexit(struct hw_vcpu *v, uint64_t code, uint64_t info1, uint64_t info2)
{
    if (!v->in_guest)
        return;
    v->sregs.cr0 = v->ctx.cr0;
    v->sregs.cr3 = v->ctx.cr3;
    v->sregs.cr4 = v->ctx.cr4;
    v->sregs.efer = v->ctx.efer;
    if (v->es) {
        struct memsys *ms = v->ms;
        uint8_t page[VMSA_SIZE];
        pthread_mutex_lock(&ms->lock);
        if (!ms_phys_access(ms, v->ctx.asid, v->vmsa_spa, page, sizeof(page), false)) {
            regs_to_vmsa(v, page);
            if (!ms_phys_access(ms, v->ctx.asid, v->vmsa_spa, page, sizeof(page), true))
                (void)ms_vmsa_seal(ms, v->vmsa_spa, v->ctx.asid, page);
        }
        pthread_mutex_unlock(&ms->lock);
        memset(page, 0, sizeof(page));
        /* The hypervisor's copy of the state is gone with the world switch. */
        memset(&v->regs, 0, sizeof(v->regs));
        memset(&v->sregs, 0, sizeof(v->sregs));
    }
    put64(v->vmcb, VMCB_EXIT_CODE, code);
    /* nRIP: where an intercepted instruction continues (SEV-ES guests'
     * RIP is not the hypervisor's to know: left zero). */
    put64(v->vmcb, VMCB_NRIP, v->es ? 0 : v->regs.rip + v->insn_len);
    v->insn_len = 0;
    put64(v->vmcb, VMCB_EXIT_INFO1, info1);
    put64(v->vmcb, VMCB_EXIT_INFO2, info2);
    put64(v->vmcb, VMCB_GHCB_GPA, v->ghcb_msr);
    (void)memsys_host_write(v->ms, v->vmcb_spa, v->vmcb, VMCB_SIZE);
    v->in_guest = false;
}

swsev_rc hw_vcpu_get_regs(struct hw_vcpu *v, struct vcpu_regs *r, struct vcpu_sregs *s)
{
    if (!v->in_guest && v->es)
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    if (r)
        *r = v->regs;
    if (s)
        *s = v->sregs;
    return SWSEV_OK;
}

swsev_rc hw_vcpu_set_regs(struct hw_vcpu *v, const struct vcpu_regs *r, const struct vcpu_sregs *s)
{
    if (!v->in_guest && v->es)
        return SWSEV_HW_ERR(SWSEV_HW_INVAL);
    if (r)
        v->regs = *r;
    if (s) {
        v->sregs = *s;
        v->ctx.cr0 = s->cr0;
        v->ctx.cr3 = s->cr3;
        v->ctx.cr4 = s->cr4;
        v->ctx.efer = s->efer;
    }
    return SWSEV_OK;
}

/* ---- events of guest mode ---- */

static uint32_t intercepts(const struct hw_vcpu *v, unsigned off)
{
    uint32_t x;
    memcpy(&x, v->vmcb + off, 4);
    return x;
}

/* Non-automatic exits: #VC for SEV-ES/SNP, a VMEXIT when intercepted. */
static enum hw_vcpu_disposition nae(struct hw_vcpu *v, uint64_t code, bool intercepted,
                                    uint64_t info1, uint64_t info2, uint32_t *vector, uint64_t *err)
{
    if (v->es) {
        *vector = X86_TRAP_VC;
        *err = code;
        return HW_VCPU_INJECT;
    }
    if (intercepted) {
        hw_vcpu_vmexit(v, code, info1, info2);
        return HW_VCPU_EXITED;
    }
    return HW_VCPU_RESUME;
}

static enum hw_vcpu_disposition msr(struct hw_vcpu *v, bool write, uint32_t *vector, uint64_t *err)
{
    struct vcpu_regs *r = &v->regs;
    uint32_t n = (uint32_t)r->rcx;
    if (n == MSR_GHCB_ && v->ctx.sev) {
        if (write)
            v->ghcb_msr = (r->rdx << 32) | (uint32_t)r->rax;
        else {
            r->rax = (uint32_t)v->ghcb_msr;
            r->rdx = v->ghcb_msr >> 32;
        }
        return HW_VCPU_RESUME;
    }
    if (n == MSR_SEV_STAT_) {
        if (write) {
            *vector = X86_TRAP_GP;
            *err = 0;
            return HW_VCPU_INJECT;
        }
        uint64_t st = chip_sev_status(v->ctx.sev, v->es, v->snp, v->sev_features);
        r->rax = (uint32_t)st;
        r->rdx = st >> 32;
        return HW_VCPU_RESUME;
    }
    bool icpt = intercepts(v, VMCB_INTERCEPT_MISC1) & VMCB_INTERCEPT_MSR;
    enum hw_vcpu_disposition d = nae(v, SVM_EXIT_MSR, icpt, write, 0, vector, err);
    if (d == HW_VCPU_RESUME) {
        /* Not intercepted: the model has no other MSRs to give. */
        *vector = X86_TRAP_GP;
        *err = 0;
        return HW_VCPU_INJECT;
    }
    return d;
}

static enum hw_vcpu_disposition rmp_insn(struct hw_vcpu *v, bool pvalidate, uint32_t *vector,
                                         uint64_t *err)
{
    struct vcpu_regs *r = &v->regs;
    struct hw_fault f;
    bool no_update = false;
    int rc = pvalidate
                 ? memsys_pvalidate(v->ms, &v->ctx, r->rax, r->rcx & 1, r->rdx & 1, &no_update, &f)
                 : memsys_rmpadjust(v->ms, &v->ctx, r->rax, r->rcx & 1, r->rdx, &f);
    if (rc != RMP_FAULT) {
        r->rax = (uint64_t)rc;
        r->rflags = no_update ? r->rflags | RFLAGS_CF : r->rflags & ~RFLAGS_CF;
        return HW_VCPU_RESUME;
    }
    if (f.kind == HW_FAULT_NPF) {
        hw_vcpu_vmexit(v, SVM_EXIT_NPF, f.error_code, f.addr);
        return HW_VCPU_EXITED;
    }
    *vector = f.kind == HW_FAULT_GP ? X86_TRAP_UD : f.vector;
    *err = f.error_code;
    return HW_VCPU_INJECT;
}

/* Decode assist for a nested page fault: the bytes of the instruction at
 * RIP, as far as they can be fetched (a page boundary into a page the
 * guest cannot execute ends them). Only for guests whose memory the CPU
 * may show the hypervisor this way: never for SEV-ES, whose exits the
 * guest describes itself through the GHCB. */
static void npf_insn_bytes(struct hw_vcpu *v)
{
    uint8_t n = 0, b[15];
    if (!v->es) {
        uint64_t rip = v->regs.rip;
        struct hw_fault f;
        size_t first = 4096 - (rip & 4095);
        if (first > sizeof(b))
            first = sizeof(b);
        if (!memsys_guest_fetch(v->ms, &v->ctx, rip, b, first, &f)) {
            n = (uint8_t)first;
            if (n < sizeof(b) &&
                !memsys_guest_fetch(v->ms, &v->ctx, rip + n, b + n, sizeof(b) - n, &f))
                n = sizeof(b);
        }
    }
    memset(v->vmcb + VMCB_INSN_LEN, 0, 16);
    v->vmcb[VMCB_INSN_LEN] = n;
    memcpy(v->vmcb + VMCB_INSN_BYTES, b, n);
}

enum hw_vcpu_disposition hw_vcpu_event(struct hw_vcpu *v, const struct vcpu_event *ev,
                                       uint32_t *vector, uint64_t *code)
{
    *vector = 0;
    *code = 0;
    if (!v->in_guest)
        return HW_VCPU_EXITED;
    struct vcpu_regs *r = &v->regs;
    uint32_t misc1 = intercepts(v, VMCB_INTERCEPT_MISC1);
    v->insn_len = ev->insn_len;
    switch (ev->kind) {
    case VCPU_EV_CPUID: {
        enum hw_vcpu_disposition d =
            nae(v, SVM_EXIT_CPUID, misc1 & VMCB_INTERCEPT_CPUID, 0, 0, vector, code);
        if (d == HW_VCPU_RESUME) {
            uint32_t regs[4];
            chip_cpuid(&v->ms->cfg, (uint32_t)r->rax, (uint32_t)r->rcx, regs);
            r->rax = regs[0];
            r->rbx = regs[1];
            r->rcx = regs[2];
            r->rdx = regs[3];
        }
        return d;
    }
    case VCPU_EV_IO: {
        /* EXITINFO1: the IOIO information of the APM. */
        uint64_t info = (uint64_t)ev->io.port << 16 | (ev->io.in ? 1u : 0u) |
                        (ev->io.count > 1 ? 0xCu : 0u) | ((uint64_t)ev->io.size << 4);
        enum hw_vcpu_disposition d = nae(v, SVM_EXIT_IOIO, misc1 & VMCB_INTERCEPT_IOIO, info,
                                         r->rip + ev->insn_len, vector, code);
        return d == HW_VCPU_RESUME ? (*vector = X86_TRAP_GP, HW_VCPU_INJECT) : d;
    }
    case VCPU_EV_RDMSR:
    case VCPU_EV_WRMSR:
        return msr(v, ev->kind == VCPU_EV_WRMSR, vector, code);
    case VCPU_EV_RDTSC: {
        enum hw_vcpu_disposition d =
            nae(v, SVM_EXIT_RDTSC, misc1 & VMCB_INTERCEPT_RDTSC, 0, 0, vector, code);
        if (d == HW_VCPU_RESUME) {
            v->tsc += 1000;
            r->rax = (uint32_t)v->tsc;
            r->rdx = v->tsc >> 32;
        }
        return d;
    }
    case VCPU_EV_VMMCALL: {
        bool icpt = intercepts(v, VMCB_INTERCEPT_MISC2) & VMCB_INTERCEPT_VMMCALL;
        enum hw_vcpu_disposition d = nae(v, SVM_EXIT_VMMCALL, icpt, 0, 0, vector, code);
        return d == HW_VCPU_RESUME ? (*vector = X86_TRAP_UD, HW_VCPU_INJECT) : d;
    }
    case VCPU_EV_VMGEXIT:
        if (!v->es) {
            *vector = X86_TRAP_UD;
            return HW_VCPU_INJECT;
        }
        /* An automatic exit the hypervisor cannot step over (it cannot
         * write RIP): the VMSA keeps the address of the next instruction,
         * where the guest resumes - after an AP HLT loop, a run-VMPL
         * switch, or any other VMGEXIT. */
        r->rip += ev->insn_len;
        hw_vcpu_vmexit(v, SVM_EXIT_VMGEXIT, 0, 0);
        return HW_VCPU_EXITED;
    case VCPU_EV_PVALIDATE:
    case VCPU_EV_RMPADJUST:
        return rmp_insn(v, ev->kind == VCPU_EV_PVALIDATE, vector, code);
    case VCPU_EV_HLT:
        hw_vcpu_vmexit(v, SVM_EXIT_HLT, 0, 0);
        return HW_VCPU_EXITED;
    case VCPU_EV_MMIO:
        /* A nested fault on a GPA that is not memory: #VC (NPF) under
         * SEV-ES, a VMEXIT the hypervisor emulates otherwise. */
        if (v->es) {
            *vector = X86_TRAP_VC;
            *code = SVM_EXIT_NPF;
            return HW_VCPU_INJECT;
        }
        npf_insn_bytes(v);
        hw_vcpu_vmexit(v, SVM_EXIT_NPF, PFERR_PRESENT | (ev->mmio.write ? PFERR_WRITE : 0),
                       ev->mmio.gpa);
        return HW_VCPU_EXITED;
    case VCPU_EV_FAULT:
        if (ev->fault.kind == HW_FAULT_NPF) {
            npf_insn_bytes(v);
            hw_vcpu_vmexit(v, SVM_EXIT_NPF, ev->fault.error_code, ev->fault.addr);
            return HW_VCPU_EXITED;
        }
        *vector = ev->fault.vector;
        *code = ev->fault.error_code;
        return HW_VCPU_INJECT;
    case VCPU_EV_SHUTDOWN:
    default:
        hw_vcpu_vmexit(v, SVM_EXIT_SHUTDOWN, 0, 0);
        return HW_VCPU_EXITED;
    }
}
