/* SPDX-License-Identifier: MIT */
/* The vCPU's world switch: an SEV-ES guest's registers live in its
 * encrypted, sealed VMSA (the hypervisor sees ciphertext and cannot read
 * them through the API), VMRUN refuses a tampered or replayed VMSA, #VC for
 * non-automatic exits, VMGEXIT as an automatic exit carrying the GHCB MSR,
 * SEV_STATUS; plain SEV guests exit on what the VMCB intercepts; SNP adds
 * the RMP's VMSA check. */
#include "testsupport.h"

#include "swsev/abi/vmcb.h"
#include "swsev/abi/vmsa.h"
#include "swsev/vcpu.h"

#define ASID 1
#define RAM  (2ull << 20)

struct rig {
    struct ts_machine m;
    struct ts_guest g;
    struct hw_vcpu *v;
    uint64_t vmcb, vmsa;
};

static uint64_t page_alloc(struct rig *r)
{
    uint64_t pa;
    assert_int_equal(hv_hostmem_alloc(&r->m.hm, 1, 1, &pa), SWSEV_OK);
    uint8_t z[4096] = {0};
    assert_int_equal(memsys_host_write(r->m.ms, pa, z, sizeof(z)), SWSEV_OK);
    return pa;
}

static void vmcb_set(struct rig *r, unsigned off, uint64_t v, unsigned len)
{
    assert_int_equal(memsys_host_write(r->m.ms, r->vmcb + off, &v, len), SWSEV_OK);
}

static uint64_t vmcb_get(struct rig *r, unsigned off)
{
    uint64_t v = 0;
    assert_int_equal(memsys_host_read(r->m.ms, r->vmcb + off, &v, 8), SWSEV_OK);
    return v;
}

/* An SEV-ES guest whose VMSA the "firmware" created and sealed. */
static void rig_init(struct rig *r, bool es)
{
    memset(r, 0, sizeof(*r));
    ts_machine_init(&r->m, "milan", 0);
    ts_set_key(&r->m, ASID, 0x33);
    ts_guest_init(&r->m, &r->g, ASID, RAM, true);
    assert_int_equal(hw_vcpu_create(r->m.ms, 0, &r->v), SWSEV_OK);
    r->vmcb = page_alloc(r);
    r->vmsa = page_alloc(r);
    uint64_t nested = VMCB_NP_ENABLE | VMCB_SEV_ENABLE | (es ? VMCB_SEV_ES_ENABLE : 0);
    vmcb_set(r, VMCB_NESTED_CTL, nested, 8);
    vmcb_set(r, VMCB_ASID, ASID, 4);
    vmcb_set(r, VMCB_N_CR3, r->g.ctx.ncr3, 8);
    vmcb_set(r, VMCB_VMSA_PA, r->vmsa, 8);
    uint8_t page[4096];
    vmsa_reset_state(page, VMSA_VMM_QEMU, 1, 0, 0x00A00F11, 0);
    uint64_t rbx = 0x1234, cr0 = r->g.ctx.cr0, cr3 = r->g.ctx.cr3, cr4 = r->g.ctx.cr4,
             efer = r->g.ctx.efer;
    memcpy(page + VMSA_RBX, &rbx, 8);
    memcpy(page + VMSA_CR0, &cr0, 8);
    memcpy(page + VMSA_CR3, &cr3, 8);
    memcpy(page + VMSA_CR4, &cr4, 8);
    memcpy(page + VMSA_EFER, &efer, 8);
    assert_int_equal(memsys_fw_write(r->m.fw, ASID, r->vmsa, page, sizeof(page)), SWSEV_OK);
    assert_int_equal(memsys_fw_vmsa_seal(r->m.fw, r->vmsa, ASID), SWSEV_OK);
}

static void rig_fini(struct rig *r)
{
    hw_vcpu_destroy(r->v);
    ts_guest_fini(&r->g);
    ts_machine_fini(&r->m);
}

static void host_view(struct rig *r, uint8_t out[4096])
{
    memsys_wbinvd(r->m.ms, 0);
    assert_int_equal(memsys_host_read(r->m.ms, r->vmsa, out, 4096), SWSEV_OK);
}

static enum hw_vcpu_disposition event(struct rig *r, uint32_t kind, uint32_t *vec, uint64_t *code)
{
    struct vcpu_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.kind = kind;
    ev.insn_len = 3;
    return hw_vcpu_event(r->v, &ev, vec, code);
}

static void es_world_switch(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r, true);
    assert_int_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    assert_true(hw_vcpu_in_guest(r.v));
    struct vcpu_regs regs;
    assert_int_equal(hw_vcpu_get_regs(r.v, &regs, NULL), SWSEV_OK);
    assert_int_equal(regs.rbx, 0x1234);
    assert_int_equal(regs.rdx, 0x00A00F11);
    assert_true(hw_vcpu_ctx(r.v)->es);

    /* Non-automatic exits become #VC with the exit code. */
    uint32_t vec;
    uint64_t code;
    assert_int_equal(event(&r, VCPU_EV_CPUID, &vec, &code), HW_VCPU_INJECT);
    assert_int_equal(vec, X86_TRAP_VC);
    assert_int_equal(code, SVM_EXIT_CPUID);
    assert_int_equal(event(&r, VCPU_EV_IO, &vec, &code), HW_VCPU_INJECT);
    assert_int_equal(code, SVM_EXIT_IOIO);
    regs.rcx = 0x10; /* an ordinary MSR */
    assert_int_equal(hw_vcpu_set_regs(r.v, &regs, NULL), SWSEV_OK);
    assert_int_equal(event(&r, VCPU_EV_RDMSR, &vec, &code), HW_VCPU_INJECT);
    assert_int_equal(code, SVM_EXIT_MSR);
    /* SEV_STATUS and the GHCB MSR are the hardware's. */
    regs.rcx = 0xC0010131;
    hw_vcpu_set_regs(r.v, &regs, NULL);
    assert_int_equal(event(&r, VCPU_EV_RDMSR, &vec, &code), HW_VCPU_RESUME);
    hw_vcpu_get_regs(r.v, &regs, NULL);
    assert_int_equal(regs.rax & 7, 3); /* SEV, SEV-ES */
    regs.rcx = 0xC0010130;
    regs.rax = 0x5000;
    regs.rdx = 0;
    regs.rbx = 0x5678;
    hw_vcpu_set_regs(r.v, &regs, NULL);
    assert_int_equal(event(&r, VCPU_EV_WRMSR, &vec, &code), HW_VCPU_RESUME);

    /* VMGEXIT: an automatic exit; the hypervisor sees the GHCB MSR, not
     * the registers. */
    uint8_t c1[4096], c2[4096];
    host_view(&r, c1);
    assert_int_equal(event(&r, VCPU_EV_VMGEXIT, &vec, &code), HW_VCPU_EXITED);
    assert_false(hw_vcpu_in_guest(r.v));
    assert_int_equal(vmcb_get(&r, VMCB_EXIT_CODE), SVM_EXIT_VMGEXIT);
    assert_int_equal(vmcb_get(&r, VMCB_GHCB_GPA), 0x5000);
    assert_int_not_equal(hw_vcpu_get_regs(r.v, &regs, NULL), SWSEV_OK);
    host_view(&r, c2);
    assert_memory_not_equal(c1, c2, 4096); /* the state was saved */
    uint64_t rbx_ct;
    memcpy(&rbx_ct, c2 + VMSA_RBX, 8);
    assert_int_not_equal(rbx_ct, 0x5678); /* ciphertext */

    /* Back in: the saved state, and the response the VMM left in the VMCB. */
    vmcb_set(&r, VMCB_GHCB_GPA, 0x5001, 8);
    assert_int_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    hw_vcpu_get_regs(r.v, &regs, NULL);
    assert_int_equal(regs.rbx, 0x5678);
    regs.rcx = 0xC0010130;
    hw_vcpu_set_regs(r.v, &regs, NULL);
    event(&r, VCPU_EV_RDMSR, &vec, &code);
    hw_vcpu_get_regs(r.v, &regs, NULL);
    assert_int_equal(regs.rax, 0x5001);
    hw_vcpu_vmexit(r.v, SVM_EXIT_HLT, 0, 0);

    /* Replay: the hypervisor writes back an older VMSA ciphertext. */
    memsys_wbinvd(r.m.ms, 0);
    assert_int_equal(memsys_host_write(r.m.ms, r.vmsa, c2, 4096), SWSEV_OK);
    assert_int_not_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    assert_int_equal(vmcb_get(&r, VMCB_EXIT_CODE), SVM_EXIT_INVALID);
    rig_fini(&r);
}

static void tampered_vmsa_refused(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r, true);
    uint8_t ct[4096];
    host_view(&r, ct);
    ct[VMSA_RIP] ^= 1;
    assert_int_equal(memsys_host_write(r.m.ms, r.vmsa, ct, sizeof(ct)), SWSEV_OK);
    assert_int_not_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    assert_int_equal(vmcb_get(&r, VMCB_EXIT_CODE), SVM_EXIT_INVALID);
    /* Restoring the exact ciphertext makes it runnable again. */
    ct[VMSA_RIP] ^= 1;
    assert_int_equal(memsys_host_write(r.m.ms, r.vmsa, ct, sizeof(ct)), SWSEV_OK);
    assert_int_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    hw_vcpu_vmexit(r.v, SVM_EXIT_HLT, 0, 0);
    /* An unsealed page, a bad VMCB. */
    uint8_t z[4096] = {0};
    memsys_fw_vmsa_unseal(r.m.fw, r.vmsa);
    assert_int_not_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    assert_int_equal(memsys_fw_write(r.m.fw, ASID, r.vmsa, z, sizeof(z)), SWSEV_OK);
    assert_int_equal(memsys_fw_vmsa_seal(r.m.fw, r.vmsa, ASID), SWSEV_OK);
    vmcb_set(&r, VMCB_ASID, 0, 4);
    assert_int_not_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    vmcb_set(&r, VMCB_ASID, ASID, 4);
    vmcb_set(&r, VMCB_NESTED_CTL, VMCB_NP_ENABLE | VMCB_SEV_ES_ENABLE, 8);
    assert_int_not_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    rig_fini(&r);
}

static void sev_guest_intercepts(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r, false);
    vmcb_set(&r, VMCB_INTERCEPT_MISC1, VMCB_INTERCEPT_CPUID | VMCB_INTERCEPT_IOIO, 4);
    assert_int_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    struct vcpu_regs regs;
    memset(&regs, 0, sizeof(regs));
    regs.rax = 0x8000001F;
    hw_vcpu_set_regs(r.v, &regs, NULL);
    uint32_t vec;
    uint64_t code;
    assert_int_equal(event(&r, VCPU_EV_CPUID, &vec, &code), HW_VCPU_EXITED);
    assert_int_equal(vmcb_get(&r, VMCB_EXIT_CODE), SVM_EXIT_CPUID);
    /* A plain SEV guest's registers stay the hypervisor's to read. */
    assert_int_equal(hw_vcpu_get_regs(r.v, &regs, NULL), SWSEV_OK);
    assert_int_equal(regs.rax, 0x8000001F);
    vmcb_set(&r, VMCB_INTERCEPT_MISC1, 0, 4);
    assert_int_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    assert_int_equal(event(&r, VCPU_EV_CPUID, &vec, &code), HW_VCPU_RESUME);
    hw_vcpu_get_regs(r.v, &regs, NULL);
    uint32_t want[4];
    chip_cpuid(&r.m.cfg, 0x8000001F, 0, want);
    assert_int_equal(regs.rbx, want[1]);
    /* VMGEXIT outside SEV-ES is #UD; SEV_STATUS says SEV only. */
    assert_int_equal(event(&r, VCPU_EV_VMGEXIT, &vec, &code), HW_VCPU_INJECT);
    assert_int_equal(vec, 6);
    regs.rcx = 0xC0010131;
    hw_vcpu_set_regs(r.v, &regs, NULL);
    assert_int_equal(event(&r, VCPU_EV_RDMSR, &vec, &code), HW_VCPU_RESUME);
    hw_vcpu_get_regs(r.v, &regs, NULL);
    assert_int_equal(regs.rax & 7, 1);
    rig_fini(&r);
}

/* VMCB EVENTINJ: a valid event is taken at VMRUN (once, the VMCB no longer
 * asks for it) and handed to the backend; VMRUN refuses the invalid ones
 * as the CPU does (SVM_EXIT_INVALID). */
static void event_injection(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r, true);
    uint32_t vec, type, code;
    bool has;
    uint64_t gp =
        VMCB_EVENTINJ_V | VMCB_EVENTINJ_EV | (uint64_t)VMCB_EVENTINJ_EXCP << 8 | 13 | 0x10ull << 32;
    vmcb_set(&r, VMCB_EVENT_INJ, gp, 8);
    assert_int_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    assert_true(hw_vcpu_take_event(r.v, &vec, &type, &code, &has));
    assert_int_equal(vec, 13);
    assert_int_equal(type, VMCB_EVENTINJ_EXCP);
    assert_true(has);
    assert_int_equal(code, 0x10);
    assert_false(hw_vcpu_take_event(r.v, &vec, &type, &code, &has)); /* once */
    hw_vcpu_vmexit(r.v, SVM_EXIT_HLT, 0, 0);
    assert_int_equal(vmcb_get(&r, VMCB_EVENT_INJ), 0);
    /* An external interrupt, no error code. */
    vmcb_set(&r, VMCB_EVENT_INJ, VMCB_EVENTINJ_V | 0x30, 8);
    assert_int_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    assert_true(hw_vcpu_take_event(r.v, &vec, &type, &code, &has));
    assert_int_equal(vec, 0x30);
    assert_int_equal(type, VMCB_EVENTINJ_INTR);
    assert_false(has);
    hw_vcpu_vmexit(r.v, SVM_EXIT_HLT, 0, 0);
    static const uint64_t bad[] = {
        VMCB_EVENTINJ_V | 1u << 8 | 13,                           /* type 1 is reserved */
        VMCB_EVENTINJ_V | 5u << 8 | 13,                           /* and 5 */
        VMCB_EVENTINJ_V | (uint64_t)VMCB_EVENTINJ_EXCP << 8 | 32, /* not an exception vector */
        VMCB_EVENTINJ_V | (uint64_t)VMCB_EVENTINJ_EXCP << 8 | 2,  /* NMI has its own type */
        VMCB_EVENTINJ_V | VMCB_EVENTINJ_EV | 0x30,                /* an error code with INTR */
        VMCB_EVENTINJ_V | 1u << 12 | (uint64_t)VMCB_EVENTINJ_EXCP << 8 | 6, /* reserved bit */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        vmcb_set(&r, VMCB_EVENT_INJ, bad[i], 8);
        assert_int_not_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
        assert_int_equal(vmcb_get(&r, VMCB_EXIT_CODE), SVM_EXIT_INVALID);
        assert_false(hw_vcpu_in_guest(r.v));
    }
    rig_fini(&r);
}

static void snp_vmsa_must_be_rmp_vmsa(void **state)
{
    (void)state;
    struct rig r;
    rig_init(&r, true);
    /* Turn SNP on and make the VMSA an RMP VMSA page of the guest. */
    uint64_t size = RMP_BOOKKEEPING + (r.m.cfg.dram_size >> 12) * RMP_ENTRY_SIZE, base;
    size = (size + 0xfffff) & ~0xfffffull;
    assert_int_equal(hv_hostmem_alloc(&r.m.hm, size / 4096, 256, &base), SWSEV_OK);
    assert_int_equal(memsys_rmp_configure(r.m.ms, base, base + size - 1), SWSEV_OK);
    assert_int_equal(memsys_snp_enable(r.m.ms), SWSEV_OK);
    struct rmp_entry e;
    memset(&e, 0, sizeof(e));
    e.assigned = e.validated = true;
    e.asid = ASID;
    e.gpa = 0xFFFFFFFFF000ull;
    assert_int_equal(memsys_fw_rmp_write(r.m.fw, r.vmsa, &e), SWSEV_OK);
    /* A legacy SEV-ES VMSA needs no RMP entry; an SNP one (SNPActive in
     * SEV_FEATURES) must be a VMSA page. */
    assert_int_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    hw_vcpu_vmexit(r.v, SVM_EXIT_HLT, 0, 0);
    uint8_t page[4096];
    assert_int_equal(memsys_fw_read(r.m.fw, ASID, r.vmsa, page, sizeof(page)), SWSEV_OK);
    uint64_t snp_active = 1;
    memcpy(page + VMSA_SEV_FEATURES, &snp_active, 8);
    assert_int_equal(memsys_fw_write(r.m.fw, ASID, r.vmsa, page, sizeof(page)), SWSEV_OK);
    assert_int_equal(memsys_fw_vmsa_seal(r.m.fw, r.vmsa, ASID), SWSEV_OK);
    assert_int_not_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK); /* not a VMSA page */
    e.vmsa = true;
    assert_int_equal(memsys_fw_rmp_write(r.m.fw, r.vmsa, &e), SWSEV_OK);
    assert_int_equal(hw_vcpu_vmrun(r.v, r.vmcb), SWSEV_OK);
    hw_vcpu_vmexit(r.v, SVM_EXIT_HLT, 0, 0);
    /* The hypervisor cannot write it, even to replay. */
    uint8_t junk[16] = {0};
    assert_int_equal(memsys_host_write(r.m.ms, r.vmsa, junk, sizeof(junk)),
                     SWSEV_HW_ERR(SWSEV_HW_FAULT));
    rig_fini(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(es_world_switch),      cmocka_unit_test(tampered_vmsa_refused),
        cmocka_unit_test(sev_guest_intercepts), cmocka_unit_test(snp_vmsa_must_be_rmp_vmsa),
        cmocka_unit_test(event_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
