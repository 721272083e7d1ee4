/* SPDX-License-Identifier: MIT */
/* The VMM's vCPUs (see vcpu_run.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hv/mmio_insn.h"
#include "hv/vcpu_run.h"
#include "swsev/abi/vmcb.h"

static uint64_t vmcb_get(struct hv_vcpu *c, unsigned off)
{
    uint64_t v = 0;
    (void)memsys_host_read(c->vm->kvm->ms, c->vmcb_spa + off, &v, 8);
    return v;
}

static void vmcb_put(struct hv_vcpu *c, unsigned off, uint64_t v, unsigned len)
{
    (void)memsys_host_write(c->vm->kvm->ms, c->vmcb_spa + off, &v, len);
}

swsev_rc hv_vcpu_create(struct hv_vm *vm, struct hv_vmgexit *hx, uint32_t index,
                        struct hv_vcpu **out)
{
    if (index >= vm->nr_vcpus)
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    struct hv_vcpu *c = calloc(1, sizeof(*c));
    if (!c)
        return SWSEV_HV_ERR(SWSEV_E_NOMEM);
    c->vm = vm;
    c->index = index;
    struct memsys *ms = vm->kvm->ms;
    static const uint8_t zero[VMCB_SIZE];
    swsev_rc rc = hv_hostmem_alloc(vm->kvm->hm, 1, 1, &c->vmcb_spa);
    if (!rc)
        rc = memsys_host_write(ms, c->vmcb_spa, zero, sizeof(zero));
    if (!rc)
        rc = hw_vcpu_create(ms, index % memsys_chip(ms)->nr_cores, &c->hw);
    if (rc) {
        hv_vcpu_destroy(c);
        return rc;
    }
    uint64_t nested = VMCB_NP_ENABLE;
    if (vm->sev_active)
        nested |= VMCB_SEV_ENABLE | (vm->es ? VMCB_SEV_ES_ENABLE : 0);
    vmcb_put(c, VMCB_NESTED_CTL, nested, 8);
    /* A guest without SEV runs under an ASID of its own too (KVM gives
     * every VM one); the model wants a non-zero ASID. */
    vmcb_put(c, VMCB_ASID, vm->sev_active ? vm->asid : 1u, 4);
    vmcb_put(c, VMCB_N_CR3, hv_npt_ncr3(&vm->npt), 8);
    vmcb_put(c, VMCB_VMSA_PA, vm->vmsa_spa + 4096ull * index, 8);
    vmcb_put(c, VMCB_INTERCEPT_MISC1,
             VMCB_INTERCEPT_CPUID | VMCB_INTERCEPT_IOIO | VMCB_INTERCEPT_MSR | VMCB_INTERCEPT_HLT,
             4);
    vmcb_put(c, VMCB_INTERCEPT_MISC2, VMCB_INTERCEPT_VMMCALL, 4);
    c->vmpl_vmsa[0] = vm->vmsa_spa + 4096ull * index;
    if (hx) {
        hv_vmgexit_vcpu_init(hx, &c->gx, index);
        vmcb_put(c, VMCB_GHCB_GPA, c->gx.ghcb_msr, 8);
        for (unsigned i = 0; i < HV_VCPU_VMPLS; i++) {
            c->vmpl_gx[i] = c->gx;
            c->vmpl_ghcb_msr[i] = c->gx.ghcb_msr;
        }
    }
    *out = c;
    return SWSEV_OK;
}

void hv_vcpu_destroy(struct hv_vcpu *c)
{
    if (!c)
        return;
    hw_vcpu_destroy(c->hw);
    if (c->vmcb_spa)
        hv_hostmem_free(c->vm->kvm->hm, c->vmcb_spa, 1);
    free(c);
}

void hv_vcpu_set_vmsa(struct hv_vcpu *c, uint64_t vmsa_spa)
{
    c->vmpl_vmsa[c->vmpl] = vmsa_spa;
    vmcb_put(c, VMCB_VMSA_PA, vmsa_spa, 8);
}

/* AP creation for this vCPU's own APIC ID: a VMSA for another VMPL of
 * this vCPU (or a replacement of one), or its removal. */
static void own_vmsa(struct hv_vcpu *c, struct hv_vmgexit *hx)
{
    struct hv_vmgexit_ap ap;
    if (!hv_vmgexit_ap_take(hx, c->index, &ap) || ap.vmpl >= HV_VCPU_VMPLS)
        return;
    if (ap.request == GHCB_AP_DESTROY) {
        if (ap.vmpl != c->vmpl)
            c->vmpl_vmsa[ap.vmpl] = 0;
        return;
    }
    c->vmpl_vmsa[ap.vmpl] = ap.vmsa_spa;
    if (ap.vmpl == c->vmpl)
        vmcb_put(c, VMCB_VMSA_PA, ap.vmsa_spa, 8);
}

/* RUN_VMPL: the world switch to another VMPL's VMSA of this vCPU, each
 * VMPL keeping its own GHCB MSR and GHCB registration. */
static int switch_vmpl(struct hv_vcpu *c, uint8_t target)
{
    if (target >= HV_VCPU_VMPLS || !c->vmpl_vmsa[target])
        return -1;
    if (target == c->vmpl)
        return 0;
    c->vmpl_gx[c->vmpl] = c->gx;
    c->vmpl_ghcb_msr[c->vmpl] = vmcb_get(c, VMCB_GHCB_GPA);
    c->gx = c->vmpl_gx[target];
    vmcb_put(c, VMCB_GHCB_GPA, c->vmpl_ghcb_msr[target], 8);
    vmcb_put(c, VMCB_VMSA_PA, c->vmpl_vmsa[target], 8);
    c->vmpl = target;
    return 0;
}

swsev_rc hv_vcpu_set_state(struct hv_vcpu *c, const struct vcpu_regs *r, const struct vcpu_sregs *s)
{
    return hw_vcpu_set_regs(c->hw, r, s);
}

void hv_vcpu_inject(struct hv_vcpu *c, uint32_t type, uint8_t vector, bool has_code, uint32_t code)
{
    uint64_t inj = VMCB_EVENTINJ_V | (uint64_t)(type & 7) << 8 | vector |
                   (has_code ? VMCB_EVENTINJ_EV | (uint64_t)code << 32 : 0);
    vmcb_put(c, VMCB_EVENT_INJ, inj, 8);
}

int hv_vcpu_vmrun(struct hv_vcpu *c, struct vcpu_exit *ex)
{
    if (hw_vcpu_vmrun(c->hw, c->vmcb_spa)) {
        memset(ex, 0, sizeof(*ex));
        ex->reason = VCPU_EXIT_FAIL_ENTRY;
        ex->fail_entry_code = vmcb_get(c, VMCB_EXIT_CODE);
        return -EIO;
    }
    return 0;
}

/* Intercepted port I/O of a non-ES guest: the device set, RAX, nRIP. */
static void intercepted_io(struct hv_vcpu *c, struct hv_devices *dev, uint64_t info)
{
    struct vcpu_regs r;
    if (hw_vcpu_get_regs(c->hw, &r, NULL))
        return;
    uint16_t port = (uint16_t)(info >> 16);
    uint8_t size = (uint8_t)((info >> 4) & 7);
    bool in = info & 1;
    uint32_t val = (uint32_t)r.rax;
    if (size != 1 && size != 2 && size != 4)
        size = 1;
    (void)hv_dev_pio(dev, port, size, in, &val);
    if (in) {
        uint64_t mask = size == 4 ? 0xffffffffull : (1ull << (8 * size)) - 1;
        r.rax = (r.rax & ~mask) | (val & mask);
    }
    r.rip = vmcb_get(c, VMCB_NRIP);
    (void)hw_vcpu_set_regs(c->hw, &r, NULL);
}

static void intercepted_cpuid_msr(struct hv_vcpu *c, bool cpuid, uint64_t info1)
{
    struct vcpu_regs r;
    if (hw_vcpu_get_regs(c->hw, &r, NULL))
        return;
    if (cpuid) {
        uint32_t regs[4];
        hv_cpuid(c->vm, c->index, (uint32_t)r.rax, (uint32_t)r.rcx, regs);
        r.rax = regs[0];
        r.rbx = regs[1];
        r.rcx = regs[2];
        r.rdx = regs[3];
    } else if (!info1) {
        /* RDMSR of an MSR the VMM does not emulate: 0 (KVM's ignore_msrs). */
        r.rax = r.rdx = 0;
    }
    r.rip = vmcb_get(c, VMCB_NRIP);
    (void)hw_vcpu_set_regs(c->hw, &r, NULL);
}

/* A nested page fault on a GPA without memory, of a guest without SEV-ES:
 * the access is a device register's. The instruction comes from the
 * VMCB's decode assist; a store's value and a load's result go through
 * the guest's registers (readable here: no SEV-ES). 0 when emulated. */
static int npf_mmio(struct hv_vcpu *c, struct hv_devices *dev, uint64_t info1, uint64_t gpa)
{
    uint8_t bytes[16];
    struct vcpu_regs r;
    struct hv_mmio_insn in;
    if (!dev || (info1 & PFERR_RMP) ||
        memsys_host_read(c->vm->kvm->ms, c->vmcb_spa + VMCB_INSN_LEN, bytes, sizeof(bytes)) ||
        bytes[0] > 15 || hv_mmio_decode(bytes + 1, bytes[0], &in) ||
        hw_vcpu_get_regs(c->hw, &r, NULL))
        return -1;
    uint64_t gpr[16] = {r.rax, r.rcx, r.rdx, r.rbx, r.rsp, r.rbp, r.rsi, r.rdi,
                        r.r8,  r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15};
    uint8_t data[8] = {0};
    gpa &= ~memsys_cbit_mask(c->vm->kvm->ms);
    if (in.write) {
        uint64_t v = hv_mmio_store_value(&in, gpr);
        memcpy(data, &v, in.size);
    }
    (void)hv_dev_mmio(dev, gpa, in.size, in.write, data);
    if (!in.write) {
        uint64_t v = 0;
        memcpy(&v, data, in.size);
        hv_mmio_load(&in, gpr, v);
        r.rax = gpr[0], r.rcx = gpr[1], r.rdx = gpr[2], r.rbx = gpr[3];
        r.rsp = gpr[4], r.rbp = gpr[5], r.rsi = gpr[6], r.rdi = gpr[7];
        r.r8 = gpr[8], r.r9 = gpr[9], r.r10 = gpr[10], r.r11 = gpr[11];
        r.r12 = gpr[12], r.r13 = gpr[13], r.r14 = gpr[14], r.r15 = gpr[15];
    }
    r.rip += in.len;
    return hw_vcpu_set_regs(c->hw, &r, NULL) ? -1 : 0;
}

static int stop(struct vcpu_exit *ex, uint32_t reason)
{
    ex->reason = reason;
    return 1;
}

int hv_vcpu_handle_exit(struct hv_vcpu *c, struct hv_vmgexit *hx, struct hv_devices *dev,
                        struct vcpu_exit *ex)
{
    memset(ex, 0, sizeof(*ex));
    uint64_t code = vmcb_get(c, VMCB_EXIT_CODE), info1 = vmcb_get(c, VMCB_EXIT_INFO1);
    ex->vmexit.code = code;
    ex->vmexit.info1 = info1;
    ex->vmexit.info2 = vmcb_get(c, VMCB_EXIT_INFO2);
    switch (code) {
    case SVM_EXIT_VMGEXIT: {
        if (!hx)
            return stop(ex, VCPU_EXIT_SHUTDOWN);
        struct hv_vmgexit_result r;
        c->gx.ghcb_msr = vmcb_get(c, VMCB_GHCB_GPA);
        hv_vmgexit_handle(hx, &c->gx, &r);
        vmcb_put(c, VMCB_GHCB_GPA, c->gx.ghcb_msr, 8);
        switch (r.kind) {
        case HV_VMGEXIT_TERMINATE:
            ex->system_event.type = 6; /* KVM_SYSTEM_EVENT_SEV_TERM */
            ex->system_event.reason_set = r.term.reason_set;
            ex->system_event.reason_code = r.term.reason_code;
            return stop(ex, VCPU_EXIT_SYSTEM_EVENT);
        case HV_VMGEXIT_DEBUG_EXIT:
            ex->system_event.type = VCPU_SYSTEM_EVENT_DEBUG_EXIT;
            ex->system_event.reason_code = r.debug_exit_code;
            return stop(ex, VCPU_EXIT_SYSTEM_EVENT);
        case HV_VMGEXIT_HLT:
            return stop(ex, VCPU_EXIT_HLT);
        case HV_VMGEXIT_AP_CREATE:
            if (r.ap_apic_id == c->index)
                own_vmsa(c, hx);
            break;
        case HV_VMGEXIT_RUN_VMPL:
            /* No VMSA for that VMPL on this vCPU: KVM fails the vCPU. */
            if (switch_vmpl(c, r.vmpl))
                return stop(ex, VCPU_EXIT_SHUTDOWN);
            break;
        case HV_VMGEXIT_BAD_GHCB:
        case HV_VMGEXIT_UNSUPPORTED:
            return stop(ex, VCPU_EXIT_SHUTDOWN);
        default:
            break;
        }
        break;
    }
    case SVM_EXIT_IOIO: {
        intercepted_io(c, dev, info1);
        uint32_t exit_code;
        if ((uint16_t)(info1 >> 16) == HV_DEV_DEBUG_EXIT_PORT && dev &&
            hv_dev_exit_code(dev, &exit_code)) {
            ex->system_event.type = VCPU_SYSTEM_EVENT_DEBUG_EXIT;
            ex->system_event.reason_code = exit_code;
            return stop(ex, VCPU_EXIT_SYSTEM_EVENT);
        }
        break;
    }
    case SVM_EXIT_CPUID:
    case SVM_EXIT_MSR:
        intercepted_cpuid_msr(c, code == SVM_EXIT_CPUID, info1);
        break;
    case SVM_EXIT_VMMCALL: {
        struct vcpu_regs r;
        if (!hw_vcpu_get_regs(c->hw, &r, NULL)) {
            r.rax = (uint64_t)-1000; /* -KVM_ENOSYS: no hypercalls here */
            r.rip = vmcb_get(c, VMCB_NRIP);
            (void)hw_vcpu_set_regs(c->hw, &r, NULL);
        }
        break;
    }
    case SVM_EXIT_HLT:
        return stop(ex, VCPU_EXIT_HLT);
    case SVM_EXIT_NPF:
        if (npf_mmio(c, dev, info1, vmcb_get(c, VMCB_EXIT_INFO2)))
            return stop(ex, VCPU_EXIT_SHUTDOWN);
        break;
    default:
        return stop(ex, VCPU_EXIT_SHUTDOWN);
    }
    return hv_vcpu_vmrun(c, ex) ? 1 : 0;
}
