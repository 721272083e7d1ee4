/* SPDX-License-Identifier: MIT */
/* The VMGEXIT handler's events of SEV-ES and SNP guests alike: port I/O
 * and MMIO to the devices, CPUID from the chip model, the MSRs, the TSC,
 * VMMCALL, the AP jump table (see vmgexit.h, docs/ghcb.md). */
#include <string.h>
#include <time.h>

#include "hv/vmgexit_priv.h"

/* KVM hypercalls answered for VMMCALL (include/uapi/linux/kvm_para.h). */
#define KVM_HC_VAPIC_POLL_IRQ 1u
#define KVM_HC_KICK_CPU       5u
#define KVM_ENOSYS            1000u
#define KVM_EPERM             1u

/* MSRs of the MSR event. */
#define MSR_IA32_TSC         0x10u
#define MSR_IA32_APIC_BASE   0x1Bu
#define MSR_IA32_MISC_ENABLE 0x1A0u
#define MSR_IA32_CR_PAT      0x277u
#define MSR_TSC_AUX          0xC0000103u

void hv_vmgexit_cpuid(struct hv_vmgexit *hx, const struct hv_vmgexit_vcpu *v, uint32_t leaf,
                      uint32_t subleaf, uint32_t regs[4])
{
    hv_cpuid(hx->vm, v->apic_id, leaf, subleaf, regs);
}

uint64_t hv_vmgexit_tsc(const struct hv_vmgexit *hx)
{
    if (hx->cfg.tsc)
        return hx->cfg.tsc(hx->cfg.tsc_ctx);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * hx->cfg.tsc_hz +
           (uint64_t)ts.tv_nsec * hx->cfg.tsc_hz / 1000000000ull;
}

static bool overlaps_guest(const struct hv_vm *vm, uint64_t gpa, uint64_t len)
{
    uint64_t end = gpa + len;
    if (gpa < vm->ram_size)
        return true;
    return vm->rom_size && gpa < vm->rom_gpa + vm->rom_size && end > vm->rom_gpa;
}

void hv_vmgexit_ev_ioio(struct hv_vmgexit_exit *x)
{
    struct hv_vmgexit_result *r = x->r;
    const uint64_t reserved = ~0xFFFF1FFDull; /* bit 1, bits 13-15, bits 32-63 */
    uint64_t i1 = x->info1;
    unsigned size = (i1 & GHCB_IOIO_SZ_MASK) >> 4;
    if ((i1 & reserved) || (size != 1 && size != 2 && size != 4)) {
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "IOIO exit information is malformed");
        return;
    }
    bool in = i1 & GHCB_IOIO_TYPE_IN;
    uint16_t port = GHCB_IOIO_PORT(i1);
    r->kind = HV_VMGEXIT_IO;
    r->io.port = port;
    r->io.size = (uint8_t)size;
    r->io.in = in;
    r->io.count = 1;
    bool exit_written = false;
    uint32_t exit_code = 0;
    if (i1 & GHCB_IOIO_STR) {
        if (x->info2 > 0x7FFFFFFF) {
            hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "string I/O count out of range");
            r->kind = HV_VMGEXIT_RESUME;
            return;
        }
        uint64_t count = x->info2;
        r->io.count = (uint32_t)count;
        if (count == 0)
            return;
        if (!hv_vmgexit_scratch(x, count * size, in)) {
            r->kind = HV_VMGEXIT_RESUME;
            return;
        }
        for (uint64_t i = 0; i < count; i++) {
            uint32_t val = 0;
            if (!in)
                memcpy(&val, x->sa + i * size, size);
            r->io.claim = x->hx->dev ? hv_dev_pio(x->hx->dev, port, (uint8_t)size, in, &val)
                                     : (val = 0xFFFFFFFFu, HV_DEV_NONE);
            if (in)
                memcpy(x->sa + i * size, &val, size);
            if (!in && r->io.claim == HV_DEV_DEBUG_EXIT) {
                exit_written = true;
                exit_code = val & (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1);
            }
        }
    } else {
        if (!in && !HV_VMGEXIT_NEED(x, GHCB_OFF_RAX)) {
            r->kind = HV_VMGEXIT_RESUME;
            return;
        }
        uint32_t val = (uint32_t)x->rax;
        r->io.claim = x->hx->dev ? hv_dev_pio(x->hx->dev, port, (uint8_t)size, in, &val)
                                 : (val = 0xFFFFFFFFu, HV_DEV_NONE);
        if (in) {
            uint64_t mask = size == 4 ? 0xFFFFFFFFull : (1ull << (8 * size)) - 1;
            /* As the processor: IN to AL/AX keeps the rest of RAX, IN to
             * EAX clears the upper half. */
            x->rax = size == 4 ? val : (x->rax & ~mask) | (val & mask);
        } else if (r->io.claim == HV_DEV_DEBUG_EXIT) {
            exit_written = true;
            exit_code = val & (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1);
        }
    }
    if (exit_written) {
        r->kind = HV_VMGEXIT_DEBUG_EXIT;
        r->debug_exit_code = exit_code;
    }
}

void hv_vmgexit_ev_mmio(struct hv_vmgexit_exit *x, bool write)
{
    struct hv_vmgexit_result *r = x->r;
    uint64_t gpa = x->info1, len = x->info2;
    if (!HV_VMGEXIT_NEED(x, GHCB_OFF_SW_SCRATCH))
        return;
    if (len == 0)
        return;
    if (len > 8 || gpa >= hv_vmgexit_max_gpa(x->vm) || len > hv_vmgexit_max_gpa(x->vm) - gpa) {
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "MMIO length or address out of range");
        return;
    }
    if (overlaps_guest(x->vm, gpa, len)) {
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "MMIO event for guest memory");
        return;
    }
    if (!hv_vmgexit_scratch(x, len, !write))
        return;
    uint8_t data[8];
    if (write)
        memcpy(data, x->sa, len);
    r->kind = HV_VMGEXIT_MMIO;
    r->mmio.gpa = gpa;
    r->mmio.len = (uint32_t)len;
    r->mmio.write = write;
    if (x->hx->dev) {
        r->mmio.claim = hv_dev_mmio(x->hx->dev, gpa, (uint32_t)len, write, data);
    } else {
        r->mmio.claim = HV_DEV_NONE;
        memset(data, 0xFF, sizeof(data));
    }
    if (!write)
        memcpy(x->sa, data, len);
}

static bool pat_valid(uint64_t pat)
{
    for (int i = 0; i < 8; i++) {
        unsigned t = (pat >> (8 * i)) & 0xFF;
        if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6 && t != 7)
            return false;
    }
    return true;
}

void hv_vmgexit_ev_msr(struct hv_vmgexit_exit *x)
{
    struct hv_vmgexit_vcpu *v = x->v;
    if (!HV_VMGEXIT_NEED(x, GHCB_OFF_RCX))
        return;
    if (x->info1 > GHCB_MSR_WRITE) {
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "MSR exit information is neither read nor write");
        return;
    }
    bool write = x->info1 == GHCB_MSR_WRITE;
    if (write && !HV_VMGEXIT_NEED(x, GHCB_OFF_RAX, GHCB_OFF_RDX))
        return;
    uint32_t msr = (uint32_t)x->rcx;
    uint64_t val = x->rdx << 32 | (uint32_t)x->rax;
    bool ok = true;
    if (!write) {
        switch (msr) {
        case MSR_IA32_TSC:
            val = hv_vmgexit_tsc(x->hx);
            break;
        case MSR_IA32_APIC_BASE:
            val = v->apic_base;
            break;
        case MSR_IA32_MISC_ENABLE:
            val = v->misc_enable;
            break;
        case MSR_IA32_CR_PAT:
            val = v->pat;
            break;
        case MSR_TSC_AUX:
            val = v->tsc_aux;
            break;
        default:
            ok = false;
        }
        x->rax = (uint32_t)val;
        x->rdx = val >> 32;
    } else {
        switch (msr) {
        case MSR_IA32_MISC_ENABLE:
            v->misc_enable = val;
            break;
        case MSR_IA32_CR_PAT:
            ok = pat_valid(val);
            if (ok)
                v->pat = val;
            break;
        case MSR_TSC_AUX:
            ok = (val >> 32) == 0;
            if (ok)
                v->tsc_aux = val;
            break;
        default:
            ok = false; /* TSC and APIC base are not writable here */
        }
    }
    if (!ok)
        hv_vmgexit_inject(x, GHCB_VECTOR_GP, "MSR not emulated or value refused: #GP");
}

void hv_vmgexit_ev_vmmcall(struct hv_vmgexit_exit *x)
{
    if (!HV_VMGEXIT_NEED(x, GHCB_OFF_RAX, GHCB_OFF_CPL))
        return;
    if (x->cpl != 0)
        x->rax = (uint64_t) - (int64_t)KVM_EPERM;
    else if (x->rax == KVM_HC_VAPIC_POLL_IRQ || x->rax == KVM_HC_KICK_CPU)
        x->rax = 0;
    else
        x->rax = (uint64_t) - (int64_t)KVM_ENOSYS;
}

void hv_vmgexit_ev_cpuid(struct hv_vmgexit_exit *x)
{
    if (!HV_VMGEXIT_NEED(x, GHCB_OFF_RAX, GHCB_OFF_RCX))
        return;
    if ((uint32_t)x->rax == 0xD && !HV_VMGEXIT_NEED(x, GHCB_OFF_XCR0))
        return;
    uint32_t regs[4];
    hv_vmgexit_cpuid(x->hx, x->v, (uint32_t)x->rax, (uint32_t)x->rcx, regs);
    x->rax = regs[0];
    x->rbx = regs[1];
    x->rcx = regs[2];
    x->rdx = regs[3];
}

void hv_vmgexit_ev_jump_table(struct hv_vmgexit_exit *x)
{
    if (x->info1 == GHCB_AP_JUMP_TABLE_SET) {
        if (!hv_vmgexit_guest_range(x->vm, x->info2, 4)) {
            hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "AP jump table outside guest memory");
            return;
        }
        x->hx->ap_jump_table = x->info2;
    } else if (x->info1 == GHCB_AP_JUMP_TABLE_GET) {
        hv_vmgexit_answer(x, 0, x->hx->ap_jump_table);
    } else {
        hv_vmgexit_bad(x, GHCB_ERR_INVALID_INPUT, "AP jump table request is neither set nor get");
    }
}
