/* SPDX-License-Identifier: MIT */
/* Modelled guests on the vCPU model. A plain SEV guest prints through an
 * intercepted OUT that the hypervisor emulates; an SEV-ES guest's CPUID
 * becomes #VC, its kernel's handler asks the hypervisor through the GHCB
 * MSR protocol and VMGEXIT, and the hypervisor answers from the VMCB - never
 * seeing the guest's registers; its memory is private and its SEV_STATUS
 * says SEV-ES. */
#include "testsupport.h"

#include "backend/mguest.h"
#include "swsev/abi/vmcb.h"
#include "swsev/abi/vmsa.h"

#define ASID 1
#define RAM  (2ull << 20)
#define VA   0x40000000ull

struct vmm {
    struct ts_machine *m;
    uint64_t vmcb;
    char out[128];
    size_t out_len;
    unsigned vmgexits;
    bool saw_regs; /* did any SEV-ES register reach the hypervisor? */
};

static uint64_t vmcb_get(struct vmm *h, unsigned off)
{
    uint64_t v = 0;
    assert_int_equal(memsys_host_read(h->m->ms, h->vmcb + off, &v, 8), SWSEV_OK);
    return v;
}

static void vmcb_set(struct vmm *h, unsigned off, uint64_t v, unsigned len)
{
    assert_int_equal(memsys_host_write(h->m->ms, h->vmcb + off, &v, len), SWSEV_OK);
}

/* The hypervisor's exit handler: emulate, resume. */
static int vmm_exit(void *arg, struct mguest *g)
{
    struct vmm *h = arg;
    uint64_t code = vmcb_get(h, VMCB_EXIT_CODE);
    struct vcpu_regs r;
    if (code == SVM_EXIT_IOIO) {
        uint64_t info = vmcb_get(h, VMCB_EXIT_INFO1);
        /* A plain SEV guest: the hypervisor reads RAX (KVM does). */
        assert_int_equal(hw_vcpu_get_regs(g->vcpu, &r, NULL), SWSEV_OK);
        if ((info >> 16) == 0x3f8 && !(info & 1) && h->out_len < sizeof(h->out) - 1)
            h->out[h->out_len++] = (char)r.rax;
    } else if (code == SVM_EXIT_VMGEXIT) {
        h->vmgexits++;
        h->saw_regs = hw_vcpu_get_regs(g->vcpu, &r, NULL) == SWSEV_OK;
        uint64_t msr = vmcb_get(h, VMCB_GHCB_GPA);
        if ((msr & 0xfff) == 0x004) { /* CPUID request: [31:30] register, [63:32] leaf */
            uint32_t regs[4];
            chip_cpuid(&h->m->cfg, (uint32_t)(msr >> 32), 0, regs);
            unsigned reg = (msr >> 30) & 3;
            vmcb_set(h, VMCB_GHCB_GPA, (uint64_t)regs[reg] << 32 | 0x005, 8);
        } else if ((msr & 0xfff) == 0x100) {
            return 2; /* termination request */
        }
    } else if (code == SVM_EXIT_HLT) {
        return 1;
    } else {
        return 3;
    }
    return hw_vcpu_vmrun(g->vcpu, h->vmcb) ? 4 : 0;
}

/* The SEV-ES guest kernel's #VC handler for CPUID: the GHCB MSR protocol,
 * one register per round trip (as early Linux boot code does). */
static int vc_cpuid(void *kernel, struct mguest *g, uint64_t code, const struct vcpu_event *ev)
{
    (void)kernel;
    (void)ev;
    if (code != SVM_EXIT_CPUID)
        return -1;
    struct vcpu_regs r;
    assert_int_equal(hw_vcpu_get_regs(g->vcpu, &r, NULL), SWSEV_OK);
    uint32_t leaf = (uint32_t)r.rax, out[4];
    uint64_t saved;
    if (mg_rdmsr(g, 0xC0010130, &saved))
        return -1;
    for (unsigned reg = 0; reg < 4; reg++) {
        uint64_t resp;
        if (mg_wrmsr(g, 0xC0010130, (uint64_t)leaf << 32 | (uint64_t)reg << 30 | 0x004) ||
            mg_vmgexit(g) || mg_rdmsr(g, 0xC0010130, &resp) || (resp & 0xfff) != 0x005)
            return -1;
        out[reg] = (uint32_t)(resp >> 32);
    }
    mg_wrmsr(g, 0xC0010130, saved);
    assert_int_equal(hw_vcpu_get_regs(g->vcpu, &r, NULL), SWSEV_OK);
    r.rax = out[0];
    r.rbx = out[1];
    r.rcx = out[2];
    r.rdx = out[3];
    return hw_vcpu_set_regs(g->vcpu, &r, NULL) ? -1 : 0;
}

struct rig {
    struct ts_machine m;
    struct ts_guest g;
    struct hw_vcpu *v;
    struct vmm h;
    struct mguest mg;
    uint64_t vmsa;
};

static void rig_init(struct rig *r, bool es)
{
    memset(r, 0, sizeof(*r));
    ts_machine_init(&r->m, "milan", 0);
    ts_set_key(&r->m, ASID, 0x21);
    ts_guest_init(&r->m, &r->g, ASID, RAM, true);
    ts_guest_map(&r->g, VA, 0, RAM, PTE_RW | GUEST_PTE_PRIVATE);
    assert_int_equal(hw_vcpu_create(r->m.ms, 0, &r->v), SWSEV_OK);
    r->h.m = &r->m;
    assert_int_equal(hv_hostmem_alloc(&r->m.hm, 1, 1, &r->h.vmcb), SWSEV_OK);
    assert_int_equal(hv_hostmem_alloc(&r->m.hm, 1, 1, &r->vmsa), SWSEV_OK);
    uint8_t z[4096] = {0};
    assert_int_equal(memsys_host_write(r->m.ms, r->h.vmcb, z, sizeof(z)), SWSEV_OK);
    vmcb_set(&r->h, VMCB_NESTED_CTL,
             VMCB_NP_ENABLE | VMCB_SEV_ENABLE | (es ? VMCB_SEV_ES_ENABLE : 0), 8);
    vmcb_set(&r->h, VMCB_ASID, ASID, 4);
    vmcb_set(&r->h, VMCB_N_CR3, r->g.ctx.ncr3, 8);
    vmcb_set(&r->h, VMCB_VMSA_PA, r->vmsa, 8);
    vmcb_set(&r->h, VMCB_INTERCEPT_MISC1, VMCB_INTERCEPT_IOIO | VMCB_INTERCEPT_HLT, 4);
    struct vcpu_sregs s;
    memset(&s, 0, sizeof(s));
    s.cr0 = r->g.ctx.cr0;
    s.cr3 = r->g.ctx.cr3;
    s.cr4 = r->g.ctx.cr4;
    s.efer = r->g.ctx.efer;
    if (es) {
        uint8_t page[4096];
        vmsa_reset_state(page, VMSA_VMM_QEMU, 1, 0, 0x00A00F11, 0);
        memcpy(page + VMSA_CR0, &s.cr0, 8);
        memcpy(page + VMSA_CR3, &s.cr3, 8);
        memcpy(page + VMSA_CR4, &s.cr4, 8);
        memcpy(page + VMSA_EFER, &s.efer, 8);
        assert_int_equal(memsys_fw_write(r->m.fw, ASID, r->vmsa, page, sizeof(page)), SWSEV_OK);
        assert_int_equal(memsys_fw_vmsa_seal(r->m.fw, r->vmsa, ASID), SWSEV_OK);
    }
    assert_int_equal(hw_vcpu_vmrun(r->v, r->h.vmcb), SWSEV_OK);
    if (!es)
        assert_int_equal(hw_vcpu_set_regs(r->v, NULL, &s), SWSEV_OK);
    mguest_init(&r->mg, r->m.ms, r->v, r->h.vmcb, vmm_exit, &r->h);
}

static void rig_fini(struct rig *r)
{
    hw_vcpu_destroy(r->v);
    ts_guest_fini(&r->g);
    ts_machine_fini(&r->m);
}

static void sev_guest_prints_through_intercepts(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r, false);
    const char *msg = "hello";
    for (const char *p = msg; *p; p++)
        assert_int_equal(mg_out(&r.mg, 0x3f8, 1, (uint8_t)*p), 0);
    assert_string_equal(r.h.out, "hello");
    /* Its memory is private: the host sees ciphertext. */
    assert_int_equal(mg_write(&r.mg, VA + 0x1000, "secret!", 8), 0);
    char back[8], host[8];
    assert_int_equal(mg_read(&r.mg, VA + 0x1000, back, 8), 0);
    assert_string_equal(back, "secret!");
    memsys_wbinvd(r.m.ms, 0);
    assert_int_equal(memsys_host_read(r.m.ms, r.g.ram_spa + 0x1000, host, 8), SWSEV_OK);
    assert_memory_not_equal(host, "secret!", 8);
    /* HLT ends the run (the VMM's choice). */
    assert_int_equal(mg_hlt(&r.mg), -1);
    assert_int_equal(r.mg.stopped, 1);
    rig_fini(&r);
}

static void es_guest_cpuid_through_ghcb_msr_protocol(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r, true);
    mguest_set_vc(&r.mg, vc_cpuid, NULL);
    uint32_t out[4], want[4];
    assert_int_equal(mg_cpuid(&r.mg, 0x8000001F, 0, out), 0);
    chip_cpuid(&r.m.cfg, 0x8000001F, 0, want);
    assert_memory_equal(out, want, sizeof(out));
    assert_int_equal(r.h.vmgexits, 4);
    assert_false(r.h.saw_regs);
    uint64_t st;
    assert_int_equal(mg_rdmsr(&r.mg, 0xC0010131, &st), 0);
    assert_int_equal(st & 7, 3);
    /* An event without a handler: the #VC fails the operation. */
    uint32_t v;
    assert_int_equal(mg_in(&r.mg, 0x3f8, 1, &v), -1);
    assert_int_equal(r.mg.fault_vector, 29);
    assert_int_equal(r.mg.fault_code, SVM_EXIT_IOIO);
    /* Termination through the MSR protocol stops the guest. */
    assert_int_equal(mg_wrmsr(&r.mg, 0xC0010130, 0x100), 0);
    assert_int_equal(mg_vmgexit(&r.mg), -1);
    assert_int_equal(r.mg.stopped, 2);
    assert_int_equal(mg_cpuid(&r.mg, 0, 0, out), -1);
    rig_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sev_guest_prints_through_intercepts),
        cmocka_unit_test(es_guest_cpuid_through_ghcb_msr_protocol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
