/* SPDX-License-Identifier: MIT */
/* The modelled guests' kernel (see mkernel.h). */
#include <string.h>

#include "backend/mkernel.h"
#include "swsev/abi/vmcb.h"

#define MSR_GHCB 0xC0010130u

/* VMGEXIT as the kernel executes it: the value into the GHCB MSR, the
 * instruction, the MSR read back. */
static uint64_t vmgexit(void *ctx, uint64_t msr)
{
    struct mkernel *k = ctx;
    uint64_t out = 0;
    if (mg_wrmsr(k->g, MSR_GHCB, msr) || mg_vmgexit(k->g) || mg_rdmsr(k->g, MSR_GHCB, &out))
        return 0;
    return out;
}

static int pvalidate(void *ctx, uint64_t gpa, bool size_2m, bool validate, bool *no_update)
{
    struct mkernel *k = ctx;
    uint64_t rc;
    /* Paging is off: the operand's address is the GPA itself (every
     * access of a paging-off SEV guest is private). */
    if (mg_pvalidate(k->g, gpa & ~k->cbit, size_2m, validate, &rc, no_update))
        return -1;
    return (int)rc;
}

swsev_rc mkernel_boot(struct mkernel *k, struct mguest *g, uint64_t ghcb_gpa)
{
    memset(k, 0, sizeof(*k));
    k->g = g;
    k->cbit = memsys_cbit_mask(g->ms);
    k->snp = hw_vcpu_ctx(g->vcpu)->snp;
    swsev_rc rc = ghcb_client_init(&k->ghcb, g->ms, hw_vcpu_ctx(g->vcpu), ghcb_gpa, vmgexit, k);
    if (!rc) {
        ghcb_set_pvalidate(&k->ghcb, pvalidate, k);
        rc = ghcb_negotiate(&k->ghcb);
    }
    if (!rc && k->snp)
        rc = ghcb_msr_register(&k->ghcb);
    if (!rc)
        mguest_set_vc(g, mkernel_vc, k);
    return rc;
}

int mkernel_vc(void *kernel, struct mguest *g, uint64_t code, const struct vcpu_event *ev)
{
    struct mkernel *k = kernel;
    struct vcpu_regs r;
    if (hw_vcpu_get_regs(g->vcpu, &r, NULL))
        return -1;
    swsev_rc rc;
    switch (code) {
    case SVM_EXIT_CPUID: {
        uint32_t out[4];
        rc = ghcb_cpuid(&k->ghcb, (uint32_t)r.rax, (uint32_t)r.rcx, 1, out);
        r.rax = out[0];
        r.rbx = out[1];
        r.rcx = out[2];
        r.rdx = out[3];
        break;
    }
    case SVM_EXIT_IOIO: {
        uint32_t v = (uint32_t)r.rax;
        rc = ev->io.in ? ghcb_io_in(&k->ghcb, ev->io.port, ev->io.size, &v)
                       : ghcb_io_out(&k->ghcb, ev->io.port, ev->io.size, v);
        if (ev->io.in)
            r.rax = v;
        break;
    }
    case SVM_EXIT_MSR: {
        bool write = ev->kind == VCPU_EV_WRMSR;
        uint64_t v = (r.rdx << 32) | (uint32_t)r.rax;
        rc = write ? ghcb_wrmsr(&k->ghcb, (uint32_t)r.rcx, v)
                   : ghcb_rdmsr(&k->ghcb, (uint32_t)r.rcx, &v);
        if (!write) {
            r.rax = (uint32_t)v;
            r.rdx = v >> 32;
        }
        break;
    }
    case SVM_EXIT_RDTSC: {
        uint64_t t = 0;
        rc = ghcb_rdtsc(&k->ghcb, &t);
        r.rax = (uint32_t)t;
        r.rdx = t >> 32;
        break;
    }
    case SVM_EXIT_VMMCALL: {
        /* KVM's hypercall convention: RAX the number, RBX/RCX/RDX/RSI
         * the arguments, RAX the result. */
        const uint64_t a[4] = {r.rbx, r.rcx, r.rdx, r.rsi};
        uint64_t ret = 0;
        rc = ghcb_vmmcall(&k->ghcb, r.rax, a, &ret);
        r.rax = ret;
        break;
    }
    case SVM_EXIT_NPF: {
        uint8_t data[8];
        memcpy(data, ev->mmio.data, sizeof(data));
        rc = ev->mmio.write ? ghcb_mmio_write(&k->ghcb, ev->mmio.gpa, data, ev->mmio.len)
                            : ghcb_mmio_read(&k->ghcb, ev->mmio.gpa, data, ev->mmio.len);
        if (!rc && !ev->mmio.write) {
            uint64_t v = 0;
            memcpy(&v, data, ev->mmio.len < 8 ? ev->mmio.len : 8);
            r.rax = v;
        }
        break;
    }
    default:
        /* Nothing this kernel can emulate (e.g. #VC 0x404 for memory it
         * never validated): Linux terminates the guest the same way. */
        ghcb_msr_terminate(&k->ghcb, GHCB_TERM_SET_GHCB, GHCB_TERM_GENERAL);
        return -1;
    }
    if (rc)
        return -1;
    return hw_vcpu_set_regs(g->vcpu, &r, NULL) ? -1 : 0;
}

int mk_puts(struct mkernel *k, const char *s)
{
    for (; *s; s++)
        if (mg_out(k->g, 0x3F8, 1, (uint8_t)*s))
            return -1;
    return 0;
}

int mk_exit(struct mkernel *k, uint32_t code)
{
    return mg_out(k->g, 0xF4, 4, code);
}

int mk_read(struct mkernel *k, uint64_t gpa, bool private_, void *buf, size_t len)
{
    return mg_read(k->g, gpa | (private_ ? k->cbit : 0), buf, len);
}

int mk_write(struct mkernel *k, uint64_t gpa, bool private_, const void *buf, size_t len)
{
    return mg_write(k->g, gpa | (private_ ? k->cbit : 0), buf, len);
}
