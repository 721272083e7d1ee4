/* SPDX-License-Identifier: MIT */
/* The GHCB protocol, both sides, without vCPUs: the guest's client
 * (guest/ghcb.c) writes its GHCB through the memory system's guest path and
 * "executes VMGEXIT" by calling the hypervisor's handler (hv/vmgexit.c)
 * with the GHCB MSR value. An SEV-ES guest and an SNP guest on a milan host:
 * every MSR-protocol request, every NAE event, the serial console and the
 * debug-exit port, attestation through GHCB guest requests, extended
 * requests with certificates, and the malicious guest's cases, each with
 * its architectural answer. */
#include "testsupport.h"

#include <errno.h>
#include <linux/kvm.h>

#include "common/snp_pageinfo.h"
#include "crypto/snp_report.h"
#include "crypto/snp_vcek.h"
#include "guest/ghcb.h"
#include "guest/snp_msg.h"
#include "hv/devices.h"
#include "hv/vm.h"
#include "hv/vmgexit.h"
#include "swsev/abi/sev_cmd.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/fw_status.h"

#define RAM        (16ull << 20)
#define SECRETS    0x1000ull  /* SNP: launched as the secrets page (private) */
#define LAUNCHED   0x2000ull  /* SNP: launched as a normal page (private) */
#define GHCB_GPA   0x10000ull /* shared: never launched */
#define GHCB2      0x11000ull
#define REQ        0x20000ull
#define RESP       0x21000ull
#define CERTS      0x30000ull /* four pages */
#define PRIV       0x40000ull /* made private through the PSC protocol */
#define VMSA_PG    0x41000ull
#define V1SCR      0x50000ull /* a version-1 scratch area outside the GHCB */
#define MMIO_GPA   0x40000000ull
#define SNP_POLICY 0x30000ull

struct rig {
    struct ts_host h;
    struct hv_kvm kvm;
    struct hv_vm *vm;
    struct hv_devices dev;
    struct hv_vmgexit hx;
    struct hv_vmgexit_vcpu vcpu[2];
    struct hw_guest_ctx cpu;
    struct ghcb_client c;
    struct hv_vmgexit_result last; /* the handler's last result */
    unsigned exits;
    bool wake_on_hlt; /* the "VMM" sends the SIPI at once */
    bool snp;
};

/* VMGEXIT of vCPU 0: the hypervisor's handler, then what the VMM does. */
static uint64_t vmgexit(void *ctx, uint64_t msr)
{
    struct rig *r = ctx;
    struct hv_vmgexit_vcpu *v = &r->vcpu[0];
    v->ghcb_msr = msr;
    hv_vmgexit_handle(&r->hx, v, &r->last);
    r->exits++;
    if (r->last.kind == HV_VMGEXIT_HLT && r->wake_on_hlt)
        assert_int_equal(hv_vmgexit_ap_wake(&r->hx, v), SWSEV_OK);
    return v->ghcb_msr;
}

static int pvalidate(void *ctx, uint64_t gpa, bool size_2m, bool validate, bool *no_update)
{
    struct rig *r = ctx;
    struct hw_fault f;
    /* Paging is off: the guest's virtual address is the GPA, private. */
    return memsys_pvalidate(r->h.ms, &r->cpu, gpa, size_2m, validate, no_update, &f);
}

static int op(struct hv_vm *vm, uint32_t cmd, void *data)
{
    uint32_t err;
    return hv_vm_sev_op(vm, cmd, (uint64_t)(uintptr_t)data, &err, &ts_uaccess_self);
}

static void rig_common(struct rig *r)
{
    assert_int_equal(hv_dev_init(&r->dev, MMIO_GPA, 4096), SWSEV_OK);
    assert_int_equal(hv_vmgexit_init(&r->hx, r->vm, &r->dev, NULL), SWSEV_OK);
    hv_vmgexit_vcpu_init(&r->hx, &r->vcpu[0], 0);
    hv_vmgexit_vcpu_init(&r->hx, &r->vcpu[1], 1);
    r->cpu.asid = r->vm->asid;
    r->cpu.sev = r->cpu.es = true;
    r->cpu.snp = r->snp;
    r->cpu.np_enable = true;
    r->cpu.ncr3 = hv_npt_ncr3(&r->vm->npt);
    assert_int_equal(ghcb_client_init(&r->c, r->h.ms, &r->cpu, GHCB_GPA, vmgexit, r), SWSEV_OK);
    ghcb_set_pvalidate(&r->c, pvalidate, r);
}

/* An SEV-ES guest: ES_INIT, LAUNCH_START with the ES policy bit, the
 * VMSAs, MEASURE, FINISH. */
static void rig_es(struct rig *r, const char *tag)
{
    memset(r, 0, sizeof(*r));
    ts_host_init(&r->h, "milan", tag, false);
    assert_int_equal(hv_kvm_init(&r->kvm, machine_sev_dev(r->h.m)), SWSEV_OK);
    assert_int_equal(hv_vm_create(&r->kvm, RAM, 2, &r->vm), SWSEV_OK);
    assert_int_equal(op(r->vm, KVM_SEV_ES_INIT, NULL), 0);
    struct kvm_sev_launch_start ls = {0, SEV_POLICY_ES, 0, 0, 0, 0};
    assert_int_equal(op(r->vm, KVM_SEV_LAUNCH_START, &ls), 0);
    assert_int_equal(op(r->vm, KVM_SEV_LAUNCH_UPDATE_VMSA, NULL), 0);
    uint8_t m[64];
    struct kvm_sev_launch_measure lm = {(uintptr_t)m, sizeof(m)};
    assert_int_equal(op(r->vm, KVM_SEV_LAUNCH_MEASURE, &lm), 0);
    assert_int_equal(op(r->vm, KVM_SEV_LAUNCH_FINISH, NULL), 0);
    rig_common(r);
}

/* An SNP guest with a secrets page and one normal page; the GHCB is a page
 * the hypervisor never assigned. */
static void rig_snp(struct rig *r, const char *tag)
{
    memset(r, 0, sizeof(*r));
    r->snp = true;
    ts_host_init(&r->h, "milan", tag, false);
    assert_int_equal(hv_kvm_init(&r->kvm, machine_sev_dev(r->h.m)), SWSEV_OK);
    assert_int_equal(hv_vm_create_ex(&r->kvm, RAM, 2, true, &r->vm), SWSEV_OK);
    uint32_t err;
    assert_int_equal(hv_vm_snp_start(r->vm, SNP_POLICY, &err), 0);
    assert_int_equal(hv_vm_snp_update(r->vm, SECRETS, NULL, 4096, SNP_PAGE_TYPE_SECRETS, &err), 0);
    uint8_t page[4096];
    memset(page, 0x77, sizeof(page));
    assert_int_equal(hv_vm_snp_update(r->vm, LAUNCHED, page, 4096, SNP_PAGE_TYPE_NORMAL, &err), 0);
    uint8_t hd[32] = {0};
    assert_int_equal(hv_vm_snp_finish(r->vm, NULL, NULL, 0, hd, &err), 0);
    rig_common(r);
    assert_int_equal(ghcb_negotiate(&r->c), SWSEV_OK);
    assert_int_equal(ghcb_msr_register(&r->c), SWSEV_OK);
}

static void rig_fini(struct rig *r)
{
    hv_vmgexit_fini(&r->hx);
    hv_dev_fini(&r->dev);
    hv_vm_destroy(r->vm);
    hv_kvm_fini(&r->kvm);
    ts_host_fini(&r->h);
}

/* The hypervisor answered SW_EXITINFO1 = 2 with reason. */
static void expect_error(struct rig *r, swsev_rc rc, uint32_t reason)
{
    assert_int_equal(rc, SWSEV_HV_ERR(SWSEV_E_IO));
    assert_int_equal(r->c.last.outcome, GHCB_OUT_VMM_ERROR);
    assert_int_equal((uint32_t)r->c.last.info1, GHCB_RET_ERROR);
    assert_int_equal(r->c.last.info2, reason);
    assert_int_equal(r->last.ghcb_error, reason);
    assert_non_null(r->last.why);
}

static void expect_exception(struct rig *r, swsev_rc rc, uint8_t vector)
{
    assert_int_equal(rc, SWSEV_HV_ERR(SWSEV_E_IO));
    assert_int_equal(r->c.last.outcome, GHCB_OUT_EXCEPTION);
    assert_int_equal(r->c.last.vector, vector);
}

/* A crafted GHCB written by the guest (C=0) at gpa, then VMGEXIT. */
static void raw_exit(struct rig *r, uint64_t gpa, const struct ghcb *g, struct ghcb *back)
{
    struct hw_fault f;
    assert_int_equal(memsys_guest_phys_write(r->h.ms, &r->cpu, gpa, g, sizeof(*g), &f), SWSEV_OK);
    r->vcpu[0].ghcb_msr = gpa;
    hv_vmgexit_handle(&r->hx, &r->vcpu[0], &r->last);
    if (back)
        assert_int_equal(memsys_guest_phys_read(r->h.ms, &r->cpu, gpa, back, sizeof(*back), &f),
                         SWSEV_OK);
}

static void raw_ghcb(struct ghcb *g, uint16_t version, uint64_t code, uint64_t i1, uint64_t i2)
{
    memset(g, 0, sizeof(*g));
    g->protocol_version = version;
    ghcb_set64(g, GHCB_OFF_SW_EXIT_CODE, code);
    ghcb_set64(g, GHCB_OFF_SW_EXIT_INFO1, i1);
    ghcb_set64(g, GHCB_OFF_SW_EXIT_INFO2, i2);
}

/* ---- the MSR protocol ---- */

static void msr_common(struct rig *r)
{
    uint16_t max, min;
    uint8_t cbit;
    assert_int_equal(ghcb_msr_sev_info(&r->c, &max, &min, &cbit), SWSEV_OK);
    assert_int_equal(max, 2);
    assert_int_equal(min, 1);
    assert_int_equal(cbit, memsys_chip(r->h.ms)->cbit);
    assert_true(r->last.msr_protocol);
    assert_int_equal(ghcb_negotiate(&r->c), SWSEV_OK);
    assert_int_equal(r->c.version, 2);

    /* CPUID: the SEV leaf filtered as KVM does, the APIC ID in leaf 1. */
    uint32_t regs[4];
    assert_int_equal(ghcb_msr_cpuid(&r->c, 0x8000001F, regs), SWSEV_OK);
    assert_int_equal(regs[1], memsys_chip(r->h.ms)->cbit);
    assert_true(regs[0] & CPUID_SEV_ES);
    assert_false(regs[0] & (CPUID_SEV_SME | CPUID_SEV_VMPL));
    assert_int_equal(!!(regs[0] & CPUID_SEV_SNP), r->snp);
    assert_int_equal(ghcb_msr_cpuid(&r->c, 1, regs), SWSEV_OK);
    assert_int_equal(regs[1] >> 24, 0);
    assert_true(regs[2] & (1u << 31));

    uint64_t f;
    assert_int_equal(ghcb_msr_hv_features(&r->c, &f), SWSEV_OK);
    assert_int_equal(
        f, r->snp ? GHCB_HV_FT_SNP | GHCB_HV_FT_SNP_AP_CREATION | GHCB_HV_FT_SNP_MULTI_VMPL : 0);

    /* AP reset hold: parked until the VMM wakes it. */
    bool released;
    assert_int_equal(ghcb_msr_ap_reset_hold(&r->c, &released), SWSEV_OK);
    assert_int_equal(r->last.kind, HV_VMGEXIT_HLT);
    assert_false(released);
    assert_int_equal(r->vcpu[0].hold, HV_HOLD_MSR);
    assert_int_equal(hv_vmgexit_ap_wake(&r->hx, &r->vcpu[0]), SWSEV_OK);
    assert_int_equal(r->vcpu[0].ghcb_msr, ghcb_msr_gfn(1, GHCB_MSR_AP_RESET_HOLD_RESP));
    assert_int_not_equal(hv_vmgexit_ap_wake(&r->hx, &r->vcpu[0]), SWSEV_OK); /* not parked */
    r->wake_on_hlt = true;
    assert_int_equal(ghcb_msr_ap_reset_hold(&r->c, &released), SWSEV_OK);
    assert_true(released);
    r->wake_on_hlt = false;

    /* An unknown request: the MSR keeps its value, no response code. */
    assert_int_equal(ghcb_msr_exit(&r->c, 0x0FFu), 0x0FFu);
    assert_non_null(r->last.why);
    assert_int_equal(ghcb_msr_exit(&r->c, 0x00Au | (5ull << 32)), 0x00Au | (5ull << 32));

    /* Termination with a reason. */
    ghcb_msr_terminate(&r->c, GHCB_TERM_SET_LINUX, GHCB_TERM_LINUX_PSC);
    assert_int_equal(r->last.kind, HV_VMGEXIT_TERMINATE);
    assert_true(r->last.term.requested);
    assert_int_equal(r->last.term.reason_set, GHCB_TERM_SET_LINUX);
    assert_int_equal(r->last.term.reason_code, GHCB_TERM_LINUX_PSC);
}

static void msr_protocol_es(void **state)
{
    (void)state;
    struct rig r;
    rig_es(&r, "ghcb-msr-es");
    /* Out of RESET the MSR holds the SEV information (KVM puts it there). */
    assert_int_equal(GHCB_MSR_INFO(r.vcpu[0].ghcb_msr), GHCB_MSR_SEV_INFO_RESP);
    msr_common(&r);
    /* SNP-only requests end a guest that is not SNP, as KVM does. */
    uint64_t gpa;
    assert_int_not_equal(ghcb_msr_pref_gpa(&r.c, &gpa), SWSEV_OK);
    assert_int_equal(r.last.kind, HV_VMGEXIT_TERMINATE);
    assert_false(r.last.term.requested);
    assert_int_not_equal(ghcb_msr_register(&r.c), SWSEV_OK);
    assert_int_equal(r.last.kind, HV_VMGEXIT_TERMINATE);
    assert_int_not_equal(ghcb_msr_psc(&r.c, PRIV, GHCB_PSC_OP_PRIVATE), SWSEV_OK);
    assert_int_equal(r.last.kind, HV_VMGEXIT_TERMINATE);
    assert_int_not_equal(ghcb_msr_run_vmpl(&r.c, 0), SWSEV_OK);
    assert_int_equal(r.last.kind, HV_VMGEXIT_TERMINATE);
    rig_fini(&r);
}

static void msr_protocol_snp(void **state)
{
    (void)state;
    struct rig r;
    rig_snp(&r, "ghcb-msr-snp");
    msr_common(&r);
    uint64_t gpa;
    assert_int_equal(ghcb_msr_pref_gpa(&r.c, &gpa), SWSEV_OK);
    assert_int_equal(gpa, GHCB_MSR_GFN_NONE << 12);
    /* Registration echoes the GFN; one outside guest memory is refused. */
    assert_int_equal(ghcb_msr_register(&r.c), SWSEV_OK);
    assert_int_equal(r.vcpu[0].registered_gpa, GHCB_GPA);
    uint64_t v = ghcb_msr_exit(&r.c, ghcb_msr_gfn(RAM >> 12, GHCB_MSR_REG_GPA_REQ));
    assert_int_equal(v, ghcb_msr_gfn(GHCB_MSR_GFN_NONE, GHCB_MSR_REG_GPA_RESP));
    assert_int_equal(r.vcpu[0].registered_gpa, GHCB_GPA);

    /* Page state change through the MSR: private (and validated), the
     * hypervisor sees ciphertext and cannot write; back to shared. */
    struct hw_fault f;
    const char secret[] = "a private page of the guest";
    uint64_t c = memsys_cbit_mask(r.h.ms);
    assert_int_equal(ghcb_msr_page_state(&r.c, PRIV, true), SWSEV_OK);
    assert_true(r.vm->private_pages[PRIV / 4096]);
    assert_int_equal(memsys_guest_phys_write(r.h.ms, &r.cpu, PRIV | c, secret, sizeof(secret), &f),
                     SWSEV_OK);
    char seen[sizeof(secret)];
    assert_int_equal(hv_vm_read_flushed(r.vm, PRIV, seen, sizeof(seen)), SWSEV_OK);
    assert_memory_not_equal(seen, secret, sizeof(secret));
    assert_int_not_equal(hv_vm_write(r.vm, PRIV, "x", 1), SWSEV_OK);
    /* Private twice: nothing to do. PVALIDATE again would be refused. */
    assert_int_equal(ghcb_msr_psc(&r.c, PRIV, GHCB_PSC_OP_PRIVATE), SWSEV_OK);
    assert_int_equal(ghcb_msr_page_state(&r.c, PRIV, false), SWSEV_OK);
    assert_false(r.vm->private_pages[PRIV / 4096]);
    assert_int_equal(hv_vm_write(r.vm, PRIV, "x", 1), SWSEV_OK);
    /* Bad operation, reserved bits, a GFN outside guest memory. */
    assert_int_not_equal(ghcb_msr_psc(&r.c, PRIV, 3), SWSEV_OK);
    assert_int_equal(r.c.last.msr, GHCB_MSR_PSC_RESP | GHCB_MSR_PSC_ERROR);
    v = ghcb_msr_exit(&r.c, ghcb_msr_psc_req(PRIV >> 12, GHCB_PSC_OP_SHARED) | (1ull << 60));
    assert_int_equal(v, GHCB_MSR_PSC_RESP | GHCB_MSR_PSC_ERROR);
    assert_int_not_equal(ghcb_msr_psc(&r.c, RAM, GHCB_PSC_OP_PRIVATE), SWSEV_OK);

    /* Run at VMPL: every VMPL of the chip goes to the VMM (which switches
     * VMSAs, hv/vcpu_run.c); one past the chip's VMPLs does not. */
    assert_int_equal(ghcb_msr_run_vmpl(&r.c, 0), SWSEV_OK);
    assert_int_equal(r.last.kind, HV_VMGEXIT_RUN_VMPL);
    assert_int_equal(r.last.vmpl, 0);
    assert_int_equal(ghcb_msr_run_vmpl(&r.c, 3), SWSEV_OK);
    assert_int_equal(r.last.vmpl, 3);
    assert_int_not_equal(ghcb_msr_run_vmpl(&r.c, 4), SWSEV_OK);
    assert_int_equal(r.c.last.msr, (1ull << 32) | GHCB_MSR_VMPL_RESP);
    rig_fini(&r);
}

/* ---- NAE events ---- */

static void nae_common(struct rig *r)
{
    /* CPUID through the GHCB (leaf 0xD takes XCR0 along). */
    uint32_t regs[4];
    assert_int_equal(ghcb_cpuid(&r->c, 0x8000001F, 0, 1, regs), SWSEV_OK);
    assert_int_equal(regs[1], memsys_chip(r->h.ms)->cbit);
    assert_int_equal(ghcb_cpuid(&r->c, 0xD, 0, 3, regs), SWSEV_OK);
    assert_int_equal(r->last.exit_code, GHCB_NAE_CPUID);
    assert_int_equal(r->last.kind, HV_VMGEXIT_RESUME);

    /* After use the GHCB in memory has no exit code and no valid bits. */
    struct ghcb mem;
    struct hw_fault hf;
    assert_int_equal(memsys_guest_phys_read(r->h.ms, &r->cpu, GHCB_GPA, &mem, sizeof(mem), &hf),
                     SWSEV_OK);
    assert_int_equal(mem.save.sw_exit_code, 0);
    uint8_t none[16] = {0};
    assert_memory_equal(mem.save.valid_bitmap, none, 16);

    /* MSRs: TSC_AUX round trip into RDTSCP, PAT, #GP for the unknown. */
    uint64_t val;
    assert_int_equal(ghcb_wrmsr(&r->c, 0xC0000103, 7), SWSEV_OK);
    uint64_t t1, t2;
    uint32_t aux;
    assert_int_equal(ghcb_rdtscp(&r->c, &t1, &aux), SWSEV_OK);
    assert_int_equal(aux, 7);
    assert_int_equal(ghcb_rdtsc(&r->c, &t2), SWSEV_OK);
    assert_true(t2 >= t1);
    assert_int_equal(ghcb_rdmsr(&r->c, 0x277, &val), SWSEV_OK);
    assert_int_equal(val, 0x0007040600070406ull);
    assert_int_equal(ghcb_rdmsr(&r->c, 0x1B, &val), SWSEV_OK);
    assert_int_equal(val, 0xFEE00900ull);
    expect_exception(r, ghcb_rdmsr(&r->c, 0xC0011234, &val), GHCB_VECTOR_GP);
    assert_true(r->c.last.has_error_code);
    expect_exception(r, ghcb_wrmsr(&r->c, 0x277, 0x0202020202020202ull), GHCB_VECTOR_GP);
    expect_exception(r, ghcb_wrmsr(&r->c, 0xC0000103, 1ull << 32), GHCB_VECTOR_GP);

    /* VMMCALL with KVM's conventions. */
    uint64_t ret;
    assert_int_equal(ghcb_vmmcall(&r->c, 1, NULL, &ret), SWSEV_OK);
    assert_int_equal(ret, 0);
    uint64_t a[4] = {1, 2, 3, 4};
    assert_int_equal(ghcb_vmmcall(&r->c, 99, a, &ret), SWSEV_OK);
    assert_int_equal(ret, (uint64_t)-1000);

    /* DR7, WBINVD, INVD, NMI complete, RDPMC (#GP), MONITOR/MWAIT (#UD). */
    ghcb_invalidate(&r->c);
    ghcb_set(&r->c, GHCB_OFF_RAX, 0x4FF);
    assert_int_equal(ghcb_call(&r->c, GHCB_NAE_DR7_WRITE, 0, 0), SWSEV_OK);
    ghcb_invalidate(&r->c);
    assert_int_equal(ghcb_call(&r->c, GHCB_NAE_DR7_READ, 0, 0), SWSEV_OK);
    assert_int_equal(ghcb_get(&r->c, GHCB_OFF_RAX), 0x4FF);
    ghcb_invalidate(&r->c);
    assert_int_equal(ghcb_call(&r->c, GHCB_NAE_WBINVD, 0, 0), SWSEV_OK);
    ghcb_invalidate(&r->c);
    assert_int_equal(ghcb_call(&r->c, GHCB_NAE_INVD, 0, 0), SWSEV_OK);
    ghcb_invalidate(&r->c);
    assert_int_equal(ghcb_call(&r->c, GHCB_NAE_NMI_COMPLETE, 0, 0), SWSEV_OK);
    ghcb_invalidate(&r->c);
    ghcb_set(&r->c, GHCB_OFF_RCX, 0);
    expect_exception(r, ghcb_call(&r->c, GHCB_NAE_RDPMC, 0, 0), GHCB_VECTOR_GP);
    ghcb_invalidate(&r->c);
    ghcb_set(&r->c, GHCB_OFF_RAX, 0);
    ghcb_set(&r->c, GHCB_OFF_RCX, 0);
    ghcb_set(&r->c, GHCB_OFF_RDX, 0);
    expect_exception(r, ghcb_call(&r->c, GHCB_NAE_MONITOR, 0, 0), GHCB_VECTOR_UD);
    ghcb_invalidate(&r->c);
    ghcb_set(&r->c, GHCB_OFF_RAX, 0);
    ghcb_set(&r->c, GHCB_OFF_RCX, 0);
    expect_exception(r, ghcb_call(&r->c, GHCB_NAE_MWAIT, 0, 0), GHCB_VECTOR_UD);

    /* Port I/O: the UART's LSR, an unclaimed port, REP INS from it. */
    uint32_t in;
    assert_int_equal(ghcb_io_in(&r->c, HV_DEV_SERIAL_PORT + HV_UART_LSR, 1, &in), SWSEV_OK);
    assert_int_equal(in, HV_UART_LSR_THRE | HV_UART_LSR_TEMT);
    assert_int_equal(r->last.kind, HV_VMGEXIT_IO);
    assert_int_equal(r->last.io.claim, HV_DEV_SERIAL);
    assert_true(r->last.io.in);
    assert_int_equal(ghcb_io_in(&r->c, 0x80, 2, &in), SWSEV_OK);
    assert_int_equal(in, 0xFFFF);
    assert_int_equal(r->last.io.claim, HV_DEV_NONE);
    uint8_t ins[3000];
    assert_int_equal(ghcb_io_ins(&r->c, 0x81, 1, ins, sizeof(ins)), SWSEV_OK);
    assert_int_equal(ins[0], 0xFF);
    assert_int_equal(ins[sizeof(ins) - 1], 0xFF);
    assert_int_equal(r->last.io.count, sizeof(ins) - GHCB_SHARED_BUF_SIZE);

    /* MMIO: the test region keeps what is written; nothing else answers. */
    uint64_t w = 0x1122334455667788ull, rd = 0;
    assert_int_equal(ghcb_mmio_write(&r->c, MMIO_GPA + 8, &w, 8), SWSEV_OK);
    assert_int_equal(r->last.kind, HV_VMGEXIT_MMIO);
    assert_int_equal(r->last.mmio.claim, HV_DEV_MMIO_REGION);
    assert_true(r->last.mmio.write);
    assert_int_equal(ghcb_mmio_read(&r->c, MMIO_GPA + 8, &rd, 8), SWSEV_OK);
    assert_int_equal(rd, w);
    assert_int_equal(ghcb_mmio_read(&r->c, MMIO_GPA + 10, &rd, 2), SWSEV_OK);
    assert_int_equal(rd & 0xFFFF, 0x5566);
    assert_int_equal(ghcb_mmio_read(&r->c, MMIO_GPA + 0x10000, &rd, 4), SWSEV_OK);
    assert_int_equal((uint32_t)rd, 0xFFFFFFFFu);
    assert_int_equal(r->last.mmio.claim, HV_DEV_NONE);

    /* AP HLT loop: parked, then woken. */
    bool woken;
    assert_int_equal(ghcb_ap_hlt(&r->c, &woken), SWSEV_OK);
    assert_false(woken);
    assert_int_equal(r->last.kind, HV_VMGEXIT_HLT);
    assert_int_equal(r->vcpu[0].hold, HV_HOLD_NAE);
    r->wake_on_hlt = true;
    unsigned before = r->exits;
    assert_int_equal(ghcb_ap_hlt_loop(&r->c, 5, &woken), SWSEV_OK);
    assert_true(woken);
    assert_int_equal(r->exits, before + 1);
    r->wake_on_hlt = false;

    /* AP jump table. */
    uint64_t jt;
    assert_int_equal(ghcb_ap_jump_table_set(&r->c, 0x9F000), SWSEV_OK);
    assert_int_equal(ghcb_ap_jump_table_get(&r->c, &jt), SWSEV_OK);
    assert_int_equal(jt, 0x9F000);

    uint64_t f;
    assert_int_equal(ghcb_hv_features(&r->c, &f), SWSEV_OK);
    assert_int_equal(f, r->hx.cfg.hv_features);

    /* The guest's "unsupported event" report goes to the VMM, which stops
     * the guest: nothing is answered. */
    ghcb_invalidate(&r->c);
    assert_int_not_equal(ghcb_call(&r->c, GHCB_NAE_UNSUPPORTED, 0x29, 0x1234), SWSEV_OK);
    assert_int_equal(r->last.kind, HV_VMGEXIT_UNSUPPORTED);
    assert_int_equal(r->last.info1, 0x29);
    assert_int_equal(r->last.info2, 0x1234);

    assert_int_equal(ghcb_terminate(&r->c, GHCB_TERM_SET_GHCB, GHCB_TERM_PROTOCOL), SWSEV_OK);
    assert_int_equal(r->last.kind, HV_VMGEXIT_TERMINATE);
    assert_true(r->last.term.requested);
    assert_int_equal(r->last.term.reason_set, GHCB_TERM_SET_GHCB);
    assert_int_equal(r->last.term.reason_code, GHCB_TERM_PROTOCOL);
}

static void nae_events_es(void **state)
{
    (void)state;
    struct rig r;
    rig_es(&r, "ghcb-nae-es");
    assert_int_equal(ghcb_negotiate(&r.c), SWSEV_OK);
    nae_common(&r);
    /* SNP's events are refused to an SEV-ES guest. */
    uint64_t e2, np = 1, err;
    expect_error(&r, ghcb_snp_guest_request(&r.c, REQ, RESP, &e2), GHCB_ERR_INVALID_EVENT);
    expect_error(&r, ghcb_snp_ext_guest_request(&r.c, REQ, RESP, CERTS, &np, &e2),
                 GHCB_ERR_INVALID_EVENT);
    uint64_t e = ghcb_psc_entry(PRIV >> 12, GHCB_PSC_OP_PRIVATE, 0, 0);
    expect_error(&r, ghcb_psc(&r.c, &e, 1, &err), GHCB_ERR_INVALID_EVENT);
    expect_error(&r, ghcb_snp_ap_create(&r.c, 1, 0, GHCB_AP_CREATE, VMSA_PG, 1),
                 GHCB_ERR_INVALID_EVENT);
    expect_error(&r, ghcb_snp_run_vmpl(&r.c, 0), GHCB_ERR_INVALID_EVENT);

    /* A version-1 guest may keep its string I/O buffer elsewhere in (shared)
     * guest memory; version 2 may not. */
    r.c.version = 1;
    uint8_t buf[16];
    memset(buf, 'v', sizeof(buf));
    struct hw_fault f;
    assert_int_equal(memsys_guest_phys_write(r.h.ms, &r.cpu, V1SCR, buf, sizeof(buf), &f),
                     SWSEV_OK);
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, V1SCR);
    uint64_t io = GHCB_IOIO_STR | GHCB_IOIO_REP | GHCB_IOIO_SZ8 | GHCB_IOIO_A64 |
                  (uint64_t)HV_DEV_SERIAL_PORT << GHCB_IOIO_PORT_SHIFT;
    assert_int_equal(ghcb_call(&r.c, GHCB_NAE_IOIO, io, sizeof(buf)), SWSEV_OK);
    char out[64];
    assert_int_equal(hv_dev_serial_output(&r.dev, out, sizeof(out)), sizeof(buf));
    assert_string_equal(out, "vvvvvvvvvvvvvvvv");
    /* IN into it is written back. */
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, V1SCR);
    assert_int_equal(ghcb_call(&r.c, GHCB_NAE_IOIO, io | GHCB_IOIO_TYPE_IN, 4), SWSEV_OK);
    assert_int_equal(memsys_guest_phys_read(r.h.ms, &r.cpu, V1SCR, buf, sizeof(buf), &f), SWSEV_OK);
    assert_int_equal(buf[0], 0); /* the UART's RBR: no input */
    assert_int_equal(buf[4], 'v');
    /* More than 16 pages, or outside guest memory: refused. */
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, V1SCR);
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_IOIO, io, 17 * 4096), GHCB_ERR_INVALID_SCRATCH_AREA);
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, RAM - 8);
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_IOIO, io, 16), GHCB_ERR_INVALID_SCRATCH_AREA);
    r.c.version = 2;
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, V1SCR);
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_IOIO, io, 4), GHCB_ERR_INVALID_SCRATCH_AREA);
    rig_fini(&r);
}

static void nae_events_snp(void **state)
{
    (void)state;
    struct rig r;
    rig_snp(&r, "ghcb-nae-snp");
    nae_common(&r);
    struct hw_fault f;
    uint64_t c = memsys_cbit_mask(r.h.ms);

    /* PSC through the GHCB, PVALIDATE with it, then back. */
    assert_int_equal(ghcb_page_state_change(&r.c, PRIV, 2, true), SWSEV_OK);
    assert_int_equal(r.last.exit_code, GHCB_NAE_PSC);
    assert_true(r.vm->private_pages[PRIV / 4096] && r.vm->private_pages[PRIV / 4096 + 1]);
    struct rmp_state st;
    assert_int_equal(memsys_rmpread(r.h.ms, hv_vm_spa(r.vm, PRIV), &st), RMP_SUCCESS);
    assert_int_equal(st.assigned, 1);
    assert_int_equal(st.asid, r.vm->asid);
    assert_int_equal(st.immutable, 0);
    assert_int_equal(memsys_guest_phys_write(r.h.ms, &r.cpu, (PRIV + 4096) | c, "p", 1, &f),
                     SWSEV_OK);
    assert_int_equal(ghcb_page_state_change(&r.c, PRIV + 4096, 1, false), SWSEV_OK);
    assert_false(r.vm->private_pages[PRIV / 4096 + 1]);
    /* A launched page can be shared too (it is the guest's). */
    uint64_t e = ghcb_psc_entry(LAUNCHED >> 12, GHCB_PSC_OP_SHARED, 0, 0), err;
    assert_int_equal(ghcb_psc(&r.c, &e, 1, &err), SWSEV_OK);
    assert_false(r.vm->private_pages[LAUNCHED / 4096]);
    /* ...and then serve as a GHCB, once registered. */
    struct ghcb_client lc;
    assert_int_equal(ghcb_client_init(&lc, r.h.ms, &r.cpu, LAUNCHED, vmgexit, &r), SWSEV_OK);
    assert_int_equal(ghcb_msr_register(&lc), SWSEV_OK);
    uint64_t tsc;
    assert_int_equal(ghcb_rdtsc(&lc, &tsc), SWSEV_OK);
    assert_int_equal(ghcb_msr_register(&r.c), SWSEV_OK);
    /* PSMASH and UNSMASH of 4 KiB entries have nothing to do. */
    uint64_t two[2] = {ghcb_psc_entry(0, GHCB_PSC_OP_PSMASH, 1, 0),
                       ghcb_psc_entry(0, GHCB_PSC_OP_UNSMASH, 1, 0)};
    assert_int_equal(ghcb_psc(&r.c, two, 2, &err), SWSEV_OK);

    /* AP creation: a VMSA page made by RMPADJUST, recorded for APIC ID 1. */
    assert_int_equal(ghcb_page_state_change(&r.c, VMSA_PG, 1, true), SWSEV_OK);
    expect_error(&r, ghcb_snp_ap_create(&r.c, 1, 0, GHCB_AP_CREATE, VMSA_PG, 1),
                 GHCB_ERR_INVALID_INPUT); /* not a VMSA yet */
    assert_int_equal(memsys_rmpadjust(r.h.ms, &r.cpu, VMSA_PG, false, 1 | (1u << 16), &f),
                     RMP_SUCCESS);
    assert_int_equal(ghcb_snp_ap_create(&r.c, 1, 0, GHCB_AP_CREATE, VMSA_PG, 1), SWSEV_OK);
    assert_int_equal(r.last.kind, HV_VMGEXIT_AP_CREATE);
    assert_int_equal(r.last.ap_apic_id, 1);
    struct hv_vmgexit_ap ap;
    assert_true(hv_vmgexit_ap_take(&r.hx, 1, &ap));
    assert_int_equal(ap.request, GHCB_AP_CREATE);
    assert_int_equal(ap.vmsa_gpa, VMSA_PG);
    assert_int_equal(ap.vmsa_spa, hv_vm_spa(r.vm, VMSA_PG));
    assert_int_equal(ap.sev_features, 1);
    assert_false(hv_vmgexit_ap_take(&r.hx, 1, &ap)); /* taken */
    /* Wrong features, APIC ID, VMPL, a 2 MiB-aligned VMSA. */
    expect_error(&r, ghcb_snp_ap_create(&r.c, 1, 0, GHCB_AP_CREATE, VMSA_PG, 5),
                 GHCB_ERR_INVALID_INPUT);
    expect_error(&r, ghcb_snp_ap_create(&r.c, 2, 0, GHCB_AP_CREATE, VMSA_PG, 1),
                 GHCB_ERR_INVALID_INPUT);
    expect_error(&r, ghcb_snp_ap_create(&r.c, 1, 4, GHCB_AP_CREATE, VMSA_PG, 1),
                 GHCB_ERR_INVALID_INPUT); /* the chip has VMPLs 0-3 */
    expect_error(&r, ghcb_snp_ap_create(&r.c, 1, 0, GHCB_AP_CREATE_ON_INIT, 0x200000, 1),
                 GHCB_ERR_INVALID_INPUT);
    assert_int_equal(ghcb_snp_ap_destroy(&r.c, 1, 0), SWSEV_OK);
    assert_true(hv_vmgexit_ap_take(&r.hx, 1, &ap));
    assert_int_equal(ap.request, GHCB_AP_DESTROY);
    assert_int_equal(ap.vmsa_gpa, HV_VMGEXIT_NO_GPA);

    /* Run at VMPL 0 and 2; there is no VMPL 4. */
    assert_int_equal(ghcb_snp_run_vmpl(&r.c, 0), SWSEV_OK);
    assert_int_equal(r.last.kind, HV_VMGEXIT_RUN_VMPL);
    assert_int_equal(ghcb_snp_run_vmpl(&r.c, 2), SWSEV_OK);
    assert_int_equal(r.last.vmpl, 2);
    expect_error(&r, ghcb_snp_run_vmpl(&r.c, 4), GHCB_ERR_INVALID_INPUT);
    rig_fini(&r);
}

static void serial_console_hello(void **state)
{
    (void)state;
    struct rig r;
    rig_snp(&r, "ghcb-serial");
    /* What an early console does: wait for THRE, write THR. */
    for (const char *p = "hel"; *p; p++) {
        uint32_t lsr;
        assert_int_equal(ghcb_io_in(&r.c, HV_DEV_SERIAL_PORT + HV_UART_LSR, 1, &lsr), SWSEV_OK);
        assert_true(lsr & HV_UART_LSR_THRE);
        assert_int_equal(ghcb_io_out(&r.c, HV_DEV_SERIAL_PORT, 1, (uint8_t)*p), SWSEV_OK);
        assert_int_equal(r.last.kind, HV_VMGEXIT_IO);
        assert_int_equal(r.last.io.claim, HV_DEV_SERIAL);
        assert_int_equal(r.last.io.port, HV_DEV_SERIAL_PORT);
    }
    /* REP OUTSB through the shared buffer. */
    assert_int_equal(ghcb_io_outs(&r.c, HV_DEV_SERIAL_PORT, 1, "lo", 2), SWSEV_OK);
    assert_int_equal(r.last.io.count, 2);
    char out[16];
    assert_int_equal(hv_dev_serial_output(&r.dev, out, sizeof(out)), 5);
    assert_string_equal(out, "hello");
    /* The divisor latch does not print. */
    assert_int_equal(ghcb_io_out(&r.c, HV_DEV_SERIAL_PORT + HV_UART_LCR, 1, 0x83), SWSEV_OK);
    assert_int_equal(ghcb_io_out(&r.c, HV_DEV_SERIAL_PORT, 2, 0x0001), SWSEV_OK);
    assert_int_equal(ghcb_io_out(&r.c, HV_DEV_SERIAL_PORT + HV_UART_LCR, 1, 0x03), SWSEV_OK);
    assert_int_equal(hv_dev_serial_output(&r.dev, out, sizeof(out)), 5);
    rig_fini(&r);
}

static void debug_exit_code(void **state)
{
    (void)state;
    struct rig r;
    rig_es(&r, "ghcb-exit");
    uint32_t code;
    assert_false(hv_dev_exit_code(&r.dev, &code));
    assert_int_equal(ghcb_io_out(&r.c, HV_DEV_DEBUG_EXIT_PORT, 4, 0x31), SWSEV_OK);
    assert_int_equal(r.last.kind, HV_VMGEXIT_DEBUG_EXIT);
    assert_int_equal(r.last.debug_exit_code, 0x31);
    assert_true(hv_dev_exit_code(&r.dev, &code));
    assert_int_equal(code, 0x31);
    assert_int_equal(ghcb_io_out(&r.c, HV_DEV_DEBUG_EXIT_PORT, 1, 0x1FF), SWSEV_OK);
    assert_int_equal(r.last.debug_exit_code, 0xFF);
    rig_fini(&r);
}

/* ---- attestation through GHCB guest requests ---- */

static void verify_report(struct rig *r, const uint8_t raw[0x4A0], const uint8_t rd[64])
{
    struct snp_report rep;
    assert_int_equal(snp_report_parse(raw, 0x4A0, &rep), SWSEV_OK);
    assert_memory_equal(rep.report_data, rd, 64);
    struct fw_params fp;
    fw_params_for_chip(&fp, "milan");
    EVP_PKEY *vcek = NULL;
    assert_int_equal(snp_vcek_derive(r->h.id.chip_secret, fp.snp_tcb, SNP_MILAN, &vcek), SWSEV_OK);
    assert_int_equal(snp_report_verify(&rep, vcek), SWSEV_OK);
    EVP_PKEY_free(vcek);
}

static void attestation_over_ghcb(void **state)
{
    (void)state;
    struct rig r;
    rig_snp(&r, "ghcb-attest");
    struct guest_snp g;
    assert_int_equal(
        guest_snp_init(&g, r.h.ms, &r.cpu, SECRETS, 0, REQ, RESP, ghcb_snp_transport, &r.c),
        SWSEV_OK);
    uint8_t rd[64], raw[0x4A0];
    memset(rd, 0xA5, sizeof(rd));
    uint32_t status, fw_error;
    assert_int_equal(guest_snp_report(&g, rd, 0, raw, &status, &fw_error), SWSEV_OK);
    assert_int_equal(status, 0);
    assert_int_equal(r.last.exit_code, GHCB_NAE_GUEST_REQUEST);
    verify_report(&r, raw, rd);
    /* A replayed sequence number: the firmware's error comes back through
     * SW_EXITINFO2 (VMM error 0) and no report. */
    g.seqno -= 2;
    assert_int_equal(guest_snp_report(&g, rd, 0, raw, &status, &fw_error),
                     SWSEV_FW_ERR(SEV_STATUS_AEAD_OFLOW));
    assert_int_equal(r.c.last.info2, SEV_STATUS_AEAD_OFLOW);
    g.seqno += 2;
    assert_int_equal(guest_snp_report(&g, rd, 0, raw, &status, &fw_error), SWSEV_OK);
    guest_snp_fini(&g);
    rig_fini(&r);
}

static void ext_request_certs(void **state)
{
    (void)state;
    struct rig r;
    rig_snp(&r, "ghcb-ext");
    uint8_t blob[5000];
    for (size_t i = 0; i < sizeof(blob); i++)
        blob[i] = (uint8_t)(i * 13 + 1);
    assert_int_equal(hv_vmgexit_set_certs(&r.hx, blob, sizeof(blob)), SWSEV_OK);
    struct guest_snp g;
    assert_int_equal(
        guest_snp_init(&g, r.h.ms, &r.cpu, SECRETS, 0, REQ, RESP, ghcb_snp_transport, &r.c),
        SWSEV_OK);
    uint8_t rd[64], raw[0x4A0];
    memset(rd, 0x3C, sizeof(rd));
    uint32_t status, fw_error, vmm_error;

    /* Too small: INVALID_LEN and the page count; the message still went to
     * the firmware as a plain request, so the sequence number moved on. */
    uint64_t np = 1, seq = g.seqno;
    assert_int_equal(
        ghcb_snp_ext_report(&r.c, &g, rd, 0, raw, &status, CERTS, &np, &fw_error, &vmm_error),
        SWSEV_HV_ERR(SWSEV_E_INVAL));
    assert_int_equal(vmm_error, GHCB_SNP_VMM_ERR_INVALID_LEN);
    assert_int_equal(np, 2);
    assert_int_equal(g.seqno, seq + 2);
    verify_report(&r, raw, rd);
    /* The raw event says the same. */
    uint64_t e2, one = 1;
    assert_int_equal(ghcb_snp_ext_guest_request(&r.c, REQ, RESP, CERTS, &one, &e2),
                     SWSEV_HV_ERR(SWSEV_E_IO));
    assert_int_equal(e2, GHCB_SNP_ERR(GHCB_SNP_VMM_ERR_INVALID_LEN, 0));
    assert_int_equal(one, 2);

    /* Enough pages: the table lands in them and the report verifies. */
    np = 4;
    assert_int_equal(
        ghcb_snp_ext_report(&r.c, &g, rd, 0, raw, &status, CERTS, &np, &fw_error, &vmm_error),
        SWSEV_OK);
    assert_int_equal(vmm_error, 0);
    assert_int_equal(r.last.exit_code, GHCB_NAE_EXT_GUEST_REQUEST);
    verify_report(&r, raw, rd);
    uint8_t got[sizeof(blob)];
    struct hw_fault f;
    assert_int_equal(memsys_guest_phys_read(r.h.ms, &r.cpu, CERTS, got, 4096, &f), SWSEV_OK);
    assert_int_equal(
        memsys_guest_phys_read(r.h.ms, &r.cpu, CERTS + 4096, got + 4096, sizeof(blob) - 4096, &f),
        SWSEV_OK);
    assert_memory_equal(got, blob, sizeof(blob));

    /* A certificate buffer that is private, or not aligned: INVALID_INPUT. */
    np = 4;
    assert_int_not_equal(
        ghcb_snp_ext_report(&r.c, &g, rd, 0, raw, &status, SECRETS, &np, &fw_error, &vmm_error),
        SWSEV_OK);
    assert_int_equal(r.last.ghcb_error, GHCB_ERR_INVALID_INPUT);
    np = 4;
    assert_int_not_equal(
        ghcb_snp_ext_report(&r.c, &g, rd, 0, raw, &status, CERTS + 8, &np, &fw_error, &vmm_error),
        SWSEV_OK);
    assert_int_equal(r.last.ghcb_error, GHCB_ERR_INVALID_INPUT);
    /* No certificates at all: an empty table (a zeroed entry). */
    assert_int_equal(hv_vmgexit_set_certs(&r.hx, NULL, 0), SWSEV_OK);
    np = 1;
    assert_int_equal(
        ghcb_snp_ext_report(&r.c, &g, rd, 0, raw, &status, CERTS, &np, &fw_error, &vmm_error),
        SWSEV_OK);
    assert_int_equal(memsys_guest_phys_read(r.h.ms, &r.cpu, CERTS, got, 24, &f), SWSEV_OK);
    uint8_t zero[24] = {0};
    assert_memory_equal(got, zero, 24);
    guest_snp_fini(&g);
    rig_fini(&r);
}

/* ---- the malicious guest ---- */

static void malformed_ghcb(void **state)
{
    (void)state;
    struct rig r;
    struct ghcb g, back;
    rig_snp(&r, "ghcb-malformed");
    /* Usage other than 0, unknown versions, version 1 on SNP. */
    raw_ghcb(&g, 2, GHCB_NAE_RDTSC, 0, 0);
    g.ghcb_usage = 1;
    raw_exit(&r, GHCB_GPA, &g, &back);
    assert_int_equal(back.save.sw_exit_info_1, GHCB_RET_ERROR);
    assert_int_equal(back.save.sw_exit_info_2, GHCB_ERR_INVALID_USAGE);
    assert_true(ghcb_is_valid(&back, GHCB_OFF_SW_EXIT_INFO2));
    for (uint16_t v = 0; v < 5; v += (v == 0 ? 1 : 2)) { /* 0, 1, 3 */
        raw_ghcb(&g, v, GHCB_NAE_RDTSC, 0, 0);
        raw_exit(&r, GHCB_GPA, &g, &back);
        assert_int_equal(back.save.sw_exit_info_2, GHCB_ERR_INVALID_USAGE);
    }
    /* Exit code, EXITINFO1, EXITINFO2 must all be marked valid. */
    unsigned offs[3] = {GHCB_OFF_SW_EXIT_CODE, GHCB_OFF_SW_EXIT_INFO1, GHCB_OFF_SW_EXIT_INFO2};
    for (int i = 0; i < 3; i++) {
        raw_ghcb(&g, 2, GHCB_NAE_RDTSC, 0, 0);
        unsigned bit = offs[i] / 8;
        g.save.valid_bitmap[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
        raw_exit(&r, GHCB_GPA, &g, &back);
        assert_int_equal(back.save.sw_exit_info_1, GHCB_RET_ERROR);
        assert_int_equal(back.save.sw_exit_info_2, GHCB_ERR_MISSING_INPUT);
    }
    /* A page of noise, many times over: answered, never a crash. */
    uint64_t s = 0x9E3779B97F4A7C15ull;
    for (int i = 0; i < 200; i++) {
        uint8_t *p = (uint8_t *)&g;
        for (size_t k = 0; k < sizeof(g); k++) {
            s ^= s << 13, s ^= s >> 7, s ^= s << 17;
            p[k] = (uint8_t)s;
        }
        raw_exit(&r, GHCB_GPA, &g, &back);
        assert_int_equal(r.last.kind, HV_VMGEXIT_RESUME);
        assert_int_equal(back.save.sw_exit_info_1, GHCB_RET_ERROR);
        assert_int_equal(back.save.sw_exit_info_2, GHCB_ERR_INVALID_USAGE);
    }
    /* Malformed event fields: IOIO with no size or reserved bits, MSR
     * exit information 2, AP jump table request 2, MMIO of 9 bytes. */
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_RAX, 0);
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_IOIO, 0x3F8ull << 16, 0), GHCB_ERR_INVALID_INPUT);
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_RAX, 0);
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_IOIO, (0x3F8ull << 16) | GHCB_IOIO_SZ8 | 2, 0),
                 GHCB_ERR_INVALID_INPUT);
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_RAX, 0);
    expect_error(
        &r, ghcb_call(&r.c, GHCB_NAE_IOIO, (0x3F8ull << 16) | GHCB_IOIO_SZ8 | GHCB_IOIO_SZ16, 0),
        GHCB_ERR_INVALID_INPUT);
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, ghcb_shared_gpa(&r.c));
    expect_error(&r,
                 ghcb_call(&r.c, GHCB_NAE_IOIO, (0x3F8ull << 16) | GHCB_IOIO_SZ8 | GHCB_IOIO_STR,
                           0x80000000ull),
                 GHCB_ERR_INVALID_INPUT);
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_RCX, 0x10);
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_MSR, 2, 0), GHCB_ERR_INVALID_INPUT);
    ghcb_invalidate(&r.c);
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_AP_JUMP_TABLE, 2, 0), GHCB_ERR_INVALID_INPUT);
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, ghcb_shared_gpa(&r.c));
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_MMIO_READ, MMIO_GPA, 9), GHCB_ERR_INVALID_INPUT);
    rig_fini(&r);
}

static void missing_valid_bits(void **state)
{
    (void)state;
    struct rig r;
    rig_snp(&r, "ghcb-valid");
    struct {
        uint64_t code, info1, info2;
        unsigned set[3]; /* inputs given (0 = none) */
    } cases[] = {
        {GHCB_NAE_CPUID, 0, 0, {GHCB_OFF_RAX}},                    /* no RCX */
        {GHCB_NAE_CPUID, 0, 0, {GHCB_OFF_RCX}},                    /* no RAX */
        {GHCB_NAE_DR7_WRITE, 0, 0, {0}},                           /* no RAX */
        {GHCB_NAE_RDPMC, 0, 0, {0}},                               /* no RCX */
        {GHCB_NAE_IOIO, (0x3F8ull << 16) | GHCB_IOIO_SZ8, 0, {0}}, /* OUT without RAX */
        {GHCB_NAE_IOIO, (0x3F8ull << 16) | GHCB_IOIO_SZ8 | GHCB_IOIO_STR, 1, {0}}, /* no scratch */
        {GHCB_NAE_MSR, 0, 0, {0}},                                                 /* no RCX */
        {GHCB_NAE_MSR, 1, 0, {GHCB_OFF_RCX, GHCB_OFF_RAX}},     /* WRMSR without RDX */
        {GHCB_NAE_VMMCALL, 0, 0, {GHCB_OFF_RAX}},               /* no CPL */
        {GHCB_NAE_MONITOR, 0, 0, {GHCB_OFF_RAX, GHCB_OFF_RCX}}, /* no RDX */
        {GHCB_NAE_MWAIT, 0, 0, {GHCB_OFF_RAX}},                 /* no RCX */
        {GHCB_NAE_MMIO_WRITE, MMIO_GPA, 4, {0}},                /* no scratch */
        {GHCB_NAE_PSC, 0, 0, {0}},                              /* no scratch */
        {GHCB_NAE_AP_CREATION, ghcb_ap_info1(1, 0, GHCB_AP_CREATE), VMSA_PG, {0}}, /* no RAX */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ghcb_invalidate(&r.c);
        for (int k = 0; k < 3 && cases[i].set[k]; k++)
            ghcb_set(&r.c, cases[i].set[k], 0);
        expect_error(&r, ghcb_call(&r.c, cases[i].code, cases[i].info1, cases[i].info2),
                     GHCB_ERR_MISSING_INPUT);
    }
    /* CPUID leaf 0xD needs XCR0. */
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_RAX, 0xD);
    ghcb_set(&r.c, GHCB_OFF_RCX, 0);
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_CPUID, 0, 0), GHCB_ERR_MISSING_INPUT);
    /* An extended report request without RAX/RBX. */
    struct guest_snp g;
    assert_int_equal(
        guest_snp_init(&g, r.h.ms, &r.cpu, SECRETS, 0, REQ, RESP, ghcb_snp_transport, &r.c),
        SWSEV_OK);
    uint8_t rd[64] = {0}, raw[0x4A0];
    uint32_t status, fw;
    assert_int_equal(guest_snp_report(&g, rd, 0, raw, &status, &fw), SWSEV_OK); /* REQ holds one */
    ghcb_invalidate(&r.c);
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_EXT_GUEST_REQUEST, REQ, RESP),
                 GHCB_ERR_MISSING_INPUT);
    guest_snp_fini(&g);
    rig_fini(&r);
}

static void invalid_exit_codes(void **state)
{
    (void)state;
    struct rig r;
    rig_es(&r, "ghcb-invalid");
    const uint64_t codes[] = {
        0,          0x12345,    GHCB_NAE_HV_DOORBELL, GHCB_NAE_HV_IPI, GHCB_NAE_GET_APIC_IDS,
        0x80000019, 0x8000001A, 0x8000FFFC,           0x403,           0x400,
        ~0ull};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        ghcb_invalidate(&r.c);
        expect_error(&r, ghcb_call(&r.c, codes[i], 0, 0), GHCB_ERR_INVALID_EVENT);
        assert_int_equal(r.last.kind, HV_VMGEXIT_RESUME);
    }
    rig_fini(&r);
}

static void out_of_range_gpas(void **state)
{
    (void)state;
    struct rig r;
    rig_snp(&r, "ghcb-range");
    uint64_t rd;
    /* MMIO to guest memory, beyond the physical address width, wrapping. */
    expect_error(&r, ghcb_mmio_read(&r.c, REQ, &rd, 8), GHCB_ERR_INVALID_INPUT);
    expect_error(&r, ghcb_mmio_read(&r.c, 1ull << 52, &rd, 8), GHCB_ERR_INVALID_INPUT);
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, ghcb_shared_gpa(&r.c));
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_MMIO_READ, ~0ull - 2, 8), GHCB_ERR_INVALID_INPUT);
    /* AP jump table outside guest memory. */
    expect_error(&r, ghcb_ap_jump_table_set(&r.c, RAM), GHCB_ERR_INVALID_INPUT);
    /* Guest request pages: outside, unaligned, the same page, private. */
    uint64_t e2;
    expect_error(&r, ghcb_snp_guest_request(&r.c, RAM, RESP, &e2), GHCB_ERR_INVALID_INPUT);
    expect_error(&r, ghcb_snp_guest_request(&r.c, REQ + 8, RESP, &e2), GHCB_ERR_INVALID_INPUT);
    expect_error(&r, ghcb_snp_guest_request(&r.c, REQ, REQ, &e2), GHCB_ERR_INVALID_INPUT);
    expect_error(&r, ghcb_snp_guest_request(&r.c, REQ, SECRETS, &e2), GHCB_ERR_INVALID_INPUT);
    /* A GHCB outside guest memory: there is nowhere to answer. */
    uint64_t v = ghcb_msr_exit(&r.c, RAM + 0x1000);
    assert_int_equal(v, RAM + 0x1000);
    assert_int_equal(r.last.kind, HV_VMGEXIT_BAD_GHCB);
    ghcb_msr_exit(&r.c, 0);
    assert_int_equal(r.last.kind, HV_VMGEXIT_BAD_GHCB);
    rig_fini(&r);
}

static void scratch_outside_buffer(void **state)
{
    (void)state;
    struct rig r;
    rig_snp(&r, "ghcb-scratch");
    uint64_t g = GHCB_GPA, io = GHCB_IOIO_STR | GHCB_IOIO_SZ8 | (0x3F8ull << 16);
    const struct {
        uint64_t scratch, count;
    } cases[] = {
        {g + 0x390, 4},                        /* the save area */
        {g + 0x7FF, 4},                        /* one byte before the buffer */
        {g + 0xFEE, 4},                        /* runs into the reserved tail */
        {g + 0x800, GHCB_SHARED_BUF_SIZE + 1}, /* longer than the buffer */
        {REQ, 4},                              /* version 2: only in the GHCB */
        {~0ull - 1, 4},                        /* wraps around */
        {0, 4},                                /* nothing */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ghcb_invalidate(&r.c);
        ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, cases[i].scratch);
        expect_error(&r, ghcb_call(&r.c, GHCB_NAE_IOIO, io, cases[i].count),
                     GHCB_ERR_INVALID_SCRATCH_AREA);
    }
    /* The same for MMIO and PSC. */
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, g + 0xFEC);
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_MMIO_READ, MMIO_GPA, 8),
                 GHCB_ERR_INVALID_SCRATCH_AREA);
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, g + 0xFEC);
    expect_error(&r, ghcb_call(&r.c, GHCB_NAE_PSC, 0, 0), GHCB_ERR_INVALID_SCRATCH_AREA);
    /* At the very end of the buffer: 8 bytes fit exactly. */
    ghcb_invalidate(&r.c);
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, g + 0xFE8);
    assert_int_equal(ghcb_call(&r.c, GHCB_NAE_MMIO_READ, MMIO_GPA, 8), SWSEV_OK);
    rig_fini(&r);
}

static void private_ghcb(void **state)
{
    (void)state;
    struct rig r;
    /* SNP: the GHCB turned private (RMP-assigned) is refused untouched. */
    rig_snp(&r, "ghcb-private");
    uint64_t c = memsys_cbit_mask(r.h.ms);
    assert_int_equal(ghcb_msr_page_state(&r.c, GHCB_GPA, true), SWSEV_OK);
    struct ghcb_client pc;
    assert_int_equal(ghcb_client_init(&pc, r.h.ms, &r.cpu, GHCB_GPA | c, vmgexit, &r), SWSEV_OK);
    uint64_t tsc;
    assert_int_not_equal(ghcb_rdtsc(&pc, &tsc), SWSEV_OK);
    assert_int_equal(r.last.kind, HV_VMGEXIT_BAD_GHCB);
    /* Nothing was written into it: the guest reads back its own request. */
    assert_int_equal(pc.last.outcome, GHCB_OUT_BAD_RESPONSE);
    assert_int_equal(pc.last.info1, 0);
    assert_int_equal(pc.last.info2, 0);
    /* Made shared again, it works. */
    assert_int_equal(ghcb_msr_page_state(&r.c, GHCB_GPA, false), SWSEV_OK);
    assert_int_equal(ghcb_rdtsc(&r.c, &tsc), SWSEV_OK);
    /* A guest cannot turn the GHCB it is talking through private. */
    uint64_t e = ghcb_psc_entry(GHCB_GPA >> 12, GHCB_PSC_OP_PRIVATE, 0, 0), err;
    assert_int_not_equal(ghcb_psc(&r.c, &e, 1, &err), SWSEV_OK);
    assert_int_equal(err, GHCB_PSC_ERR_INVALID_ENTRY);
    rig_fini(&r);

    /* SEV-ES: the hypervisor reads ciphertext, which carries no usable
     * usage or version: INVALID_USAGE, and nothing of the event is done. */
    rig_es(&r, "ghcb-private-es");
    c = memsys_cbit_mask(r.h.ms);
    assert_int_equal(ghcb_client_init(&pc, r.h.ms, &r.cpu, GHCB_GPA | c, vmgexit, &r), SWSEV_OK);
    assert_int_not_equal(ghcb_io_out(&pc, HV_DEV_DEBUG_EXIT_PORT, 1, 5), SWSEV_OK);
    assert_int_equal(r.last.kind, HV_VMGEXIT_RESUME);
    assert_int_equal(r.last.ghcb_error, GHCB_ERR_INVALID_USAGE);
    uint32_t code;
    assert_false(hv_dev_exit_code(&r.dev, &code));
    rig_fini(&r);
}

static void psc_not_owned(void **state)
{
    (void)state;
    struct rig r;
    rig_snp(&r, "ghcb-psc");
    uint64_t err;
    const struct {
        uint64_t entry, error;
    } cases[] = {
        {ghcb_psc_entry(RAM >> 12, GHCB_PSC_OP_PRIVATE, 0, 0), GHCB_PSC_ERR_INVALID_ENTRY},
        {ghcb_psc_entry(SNP_VMSA_GPA >> 12, GHCB_PSC_OP_SHARED, 0, 0), GHCB_PSC_ERR_INVALID_ENTRY},
        {ghcb_psc_entry(MMIO_GPA >> 12, GHCB_PSC_OP_PRIVATE, 0, 0), GHCB_PSC_ERR_INVALID_ENTRY},
        {ghcb_psc_entry(PRIV >> 12, 0, 0, 0), GHCB_PSC_ERR_INVALID_ENTRY},
        {ghcb_psc_entry(PRIV >> 12, 5, 0, 0), GHCB_PSC_ERR_INVALID_ENTRY},
        {ghcb_psc_entry(PRIV >> 12, GHCB_PSC_OP_PRIVATE, 0, 0) | (1ull << 60),
         GHCB_PSC_ERR_INVALID_ENTRY},
        {ghcb_psc_entry(PRIV >> 12, GHCB_PSC_OP_PRIVATE, 0, 2), GHCB_PSC_ERR_INVALID_ENTRY},
        {ghcb_psc_entry((PRIV >> 12) + 1, GHCB_PSC_OP_PRIVATE, 1, 0), GHCB_PSC_ERR_INVALID_ENTRY},
        {ghcb_psc_entry(RAM >> 12, GHCB_PSC_OP_SHARED, 1, 0), GHCB_PSC_ERR_INVALID_ENTRY},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(ghcb_psc(&r.c, &cases[i].entry, 1, &err), SWSEV_HV_ERR(SWSEV_E_IO));
        assert_int_equal(err, cases[i].error);
    }
    assert_false(r.vm->private_pages[PRIV / 4096]);
    /* Headers: end beyond the buffer, reserved bits. */
    struct ghcb_psc_hdr h = {0, GHCB_PSC_MAX_ENTRIES, 0};
    ghcb_invalidate(&r.c);
    memcpy(r.c.page.shared_buffer, &h, sizeof(h));
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, ghcb_shared_gpa(&r.c));
    assert_int_equal(ghcb_call(&r.c, GHCB_NAE_PSC, 0, 0), SWSEV_OK);
    assert_int_equal(r.c.last.info2, GHCB_PSC_ERR_INVALID_HDR);
    struct ghcb_psc_hdr h2 = {0, 0, 1};
    ghcb_invalidate(&r.c);
    memcpy(r.c.page.shared_buffer, &h2, sizeof(h2));
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, ghcb_shared_gpa(&r.c));
    assert_int_equal(ghcb_call(&r.c, GHCB_NAE_PSC, 0, 0), SWSEV_OK);
    assert_int_equal(r.c.last.info2, GHCB_PSC_ERR_INVALID_HDR);
    /* A scratch area near the end of the buffer holds fewer entries. */
    struct ghcb_psc_hdr h3 = {0, 2, 0};
    ghcb_invalidate(&r.c);
    memcpy(r.c.page.shared_buffer + GHCB_SHARED_BUF_SIZE - 16, &h3, sizeof(h3));
    ghcb_set(&r.c, GHCB_OFF_SW_SCRATCH, ghcb_shared_gpa(&r.c) + GHCB_SHARED_BUF_SIZE - 16);
    assert_int_equal(ghcb_call(&r.c, GHCB_NAE_PSC, 0, 0), SWSEV_OK);
    assert_int_equal(r.c.last.info2, GHCB_PSC_ERR_INVALID_HDR);

    /* Progress is reported: the second entry fails, the first stays done. */
    uint64_t two[2] = {ghcb_psc_entry(PRIV >> 12, GHCB_PSC_OP_PRIVATE, 0, 0),
                       ghcb_psc_entry(RAM >> 12, GHCB_PSC_OP_PRIVATE, 0, 0)};
    assert_int_not_equal(ghcb_psc(&r.c, two, 2, &err), SWSEV_OK);
    struct ghcb_psc_hdr back;
    memcpy(&back, r.c.page.shared_buffer, sizeof(back));
    assert_int_equal(back.cur_entry, 1);
    assert_true(r.vm->private_pages[PRIV / 4096]);
    uint64_t e0;
    memcpy(&e0, r.c.page.shared_buffer + 8, 8);
    assert_int_equal(GHCB_PSC_CUR_PAGE(e0), 1);
    rig_fini(&r);
}

static void unregistered_ghcb(void **state)
{
    (void)state;
    struct rig r;
    rig_snp(&r, "ghcb-unreg");
    /* A second GHCB the vCPU never registered: NOT_REGISTERED, nothing done. */
    struct ghcb_client other;
    assert_int_equal(ghcb_client_init(&other, r.h.ms, &r.cpu, GHCB2, vmgexit, &r), SWSEV_OK);
    assert_int_not_equal(ghcb_io_out(&other, HV_DEV_DEBUG_EXIT_PORT, 1, 9), SWSEV_OK);
    assert_int_equal(other.last.outcome, GHCB_OUT_VMM_ERROR);
    assert_int_equal(other.last.info2, GHCB_ERR_NOT_REGISTERED);
    assert_int_equal(r.last.kind, HV_VMGEXIT_RESUME);
    uint32_t code;
    assert_false(hv_dev_exit_code(&r.dev, &code));
    /* Registering it moves the registration: now the first one is refused. */
    assert_int_equal(ghcb_msr_register(&other), SWSEV_OK);
    uint64_t tsc;
    assert_int_equal(ghcb_rdtsc(&other, &tsc), SWSEV_OK);
    expect_error(&r, ghcb_rdtsc(&r.c, &tsc), GHCB_ERR_NOT_REGISTERED);
    /* The other vCPU has registered nothing at all. */
    struct ghcb g, back;
    raw_ghcb(&g, 2, GHCB_NAE_RDTSC, 0, 0);
    struct hw_fault f;
    assert_int_equal(memsys_guest_phys_write(r.h.ms, &r.cpu, GHCB_GPA, &g, sizeof(g), &f),
                     SWSEV_OK);
    struct hv_vmgexit_result res;
    r.vcpu[1].ghcb_msr = GHCB_GPA;
    hv_vmgexit_handle(&r.hx, &r.vcpu[1], &res);
    assert_int_equal(res.ghcb_error, GHCB_ERR_NOT_REGISTERED);
    assert_int_equal(memsys_guest_phys_read(r.h.ms, &r.cpu, GHCB_GPA, &back, sizeof(back), &f),
                     SWSEV_OK);
    assert_int_equal(back.save.sw_exit_info_1, GHCB_RET_ERROR);
    assert_int_equal(back.save.sw_exit_info_2, GHCB_ERR_NOT_REGISTERED);
    rig_fini(&r);
}

/* Structured noise: a well-formed header, any exit code the handler knows
 * (and some it does not), random inputs, valid bits and scratch pointers. */
static void fuzz(struct rig *r, unsigned rounds, uint64_t seed)
{
    static const uint64_t codes[] = {GHCB_NAE_DR7_READ,
                                     GHCB_NAE_DR7_WRITE,
                                     GHCB_NAE_RDTSC,
                                     GHCB_NAE_RDPMC,
                                     GHCB_NAE_CPUID,
                                     GHCB_NAE_INVD,
                                     GHCB_NAE_IOIO,
                                     GHCB_NAE_MSR,
                                     GHCB_NAE_VMMCALL,
                                     GHCB_NAE_RDTSCP,
                                     GHCB_NAE_WBINVD,
                                     GHCB_NAE_MONITOR,
                                     GHCB_NAE_MWAIT,
                                     GHCB_NAE_MMIO_READ,
                                     GHCB_NAE_MMIO_WRITE,
                                     GHCB_NAE_NMI_COMPLETE,
                                     GHCB_NAE_AP_HLT_LOOP,
                                     GHCB_NAE_AP_JUMP_TABLE,
                                     GHCB_NAE_PSC,
                                     GHCB_NAE_GUEST_REQUEST,
                                     GHCB_NAE_EXT_GUEST_REQUEST,
                                     GHCB_NAE_AP_CREATION,
                                     GHCB_NAE_RUN_VMPL,
                                     GHCB_NAE_HV_FEATURES,
                                     GHCB_NAE_TERM_REQUEST,
                                     GHCB_NAE_UNSUPPORTED,
                                     0x8000FFF0,
                                     0x99};
    uint64_t s = seed;
#define RND() (s ^= s << 13, s ^= s >> 7, s ^= s << 17, s)
    struct ghcb g;
    for (unsigned i = 0; i < rounds; i++) {
        uint8_t *p = (uint8_t *)&g;
        for (size_t k = 0; k < sizeof(g); k += 8) {
            uint64_t v = RND();
            memcpy(p + k, &v, 8);
        }
        g.ghcb_usage = 0;
        g.protocol_version = (uint16_t)(r->snp ? 2 : 1 + RND() % 2);
        g.save.sw_exit_code = codes[RND() % (sizeof(codes) / sizeof(codes[0]))];
        uint64_t pick = RND();
        /* Small values and in-buffer pointers make the checks pass more often. */
        if (pick & 1)
            g.save.sw_exit_info_1 &= 0xFFFF00FFull;
        if (pick & 2)
            g.save.sw_exit_info_2 &= 0x3FF;
        if (pick & 4)
            g.save.sw_scratch = GHCB_GPA + 0x800 + (RND() % 0x7F0);
        if (pick & 8)
            g.save.sw_exit_info_1 = (g.save.sw_exit_info_1 & ~0xFFFull) % RAM;
        if (pick & 16) {
            struct ghcb_psc_hdr h = {(uint16_t)(RND() % 4), (uint16_t)(RND() % 8), 0};
            memcpy(g.shared_buffer, &h, sizeof(h));
        }
        if (pick & 0x300) /* mostly: everything valid */
            memset(g.save.valid_bitmap, 0xFF, sizeof(g.save.valid_bitmap));
        raw_exit(r, GHCB_GPA, &g, NULL);
        assert_true(r->last.kind <= HV_VMGEXIT_UNSUPPORTED);
        if (r->last.kind == HV_VMGEXIT_HLT && (RND() & 1))
            (void)hv_vmgexit_ap_wake(&r->hx, &r->vcpu[0]);
    }
#undef RND
}

static void fuzzed_ghcb_contents(void **state)
{
    (void)state;
    struct rig r;
    rig_snp(&r, "ghcb-fuzz-snp");
    fuzz(&r, 3000, 0x1234567887654321ull);
    /* Still answering properly afterwards. */
    uint64_t tsc;
    assert_int_equal(ghcb_rdtsc(&r.c, &tsc), SWSEV_OK);
    rig_fini(&r);
    rig_es(&r, "ghcb-fuzz-es");
    fuzz(&r, 3000, 0xCAFEF00DDEADBEEFull);
    assert_int_equal(ghcb_rdtsc(&r.c, &tsc), SWSEV_OK);
    rig_fini(&r);
}

/* ---- the device set on its own ---- */

static void count_byte(void *ctx, uint8_t b)
{
    unsigned *n = ctx;
    *n += b;
}

static void devices_direct(void **state)
{
    (void)state;
    struct hv_devices d;
    assert_int_not_equal(hv_dev_init(&d, 0x1004, 64), SWSEV_OK); /* misaligned */
    assert_int_not_equal(hv_dev_init(&d, 0x1000, HV_DEV_MMIO_MAX + 8), SWSEV_OK);
    assert_int_not_equal(hv_dev_init(&d, ~0ull - 7, 64), SWSEV_OK); /* wraps */
    assert_int_equal(hv_dev_init(&d, 0x1000, 64), SWSEV_OK);
    unsigned sum = 0;
    hv_dev_set_serial_out(&d, count_byte, &sum);
    uint32_t v = 0x41424344;
    /* A 4-byte OUT at 0x3F8 writes THR, IER, FCR, LCR: one byte printed. */
    assert_int_equal(hv_dev_pio(&d, HV_DEV_SERIAL_PORT, 4, false, &v), HV_DEV_SERIAL);
    assert_int_equal(sum, 0x44);
    /* LCR got 0x41: DLAB clear, so THR still prints. */
    v = 'z';
    assert_int_equal(hv_dev_pio(&d, HV_DEV_SERIAL_PORT, 1, false, &v), HV_DEV_SERIAL);
    char out[4];
    assert_int_equal(hv_dev_serial_output(&d, out, 2), 2);
    assert_string_equal(out, "D");
    /* Straddling the UART's end: its byte answers, the rest reads ones. */
    assert_int_equal(hv_dev_pio(&d, HV_DEV_SERIAL_PORT + 6, 4, true, &v), HV_DEV_SERIAL);
    assert_int_equal(v >> 16, 0xFFFF);
    /* Loopback: MSR mirrors MCR. */
    v = 0x1F;
    hv_dev_pio(&d, HV_DEV_SERIAL_PORT + HV_UART_MCR, 1, false, &v);
    hv_dev_pio(&d, HV_DEV_SERIAL_PORT + HV_UART_MSR, 1, true, &v);
    assert_int_equal(v, 0xF0);
    /* Bad sizes, unclaimed ports, reads of the debug-exit port. */
    assert_int_equal(hv_dev_pio(&d, HV_DEV_SERIAL_PORT, 3, true, &v), HV_DEV_NONE);
    assert_int_equal(v, 0xFFFFFFFFu);
    assert_int_equal(hv_dev_pio(&d, 0x60, 1, true, &v), HV_DEV_NONE);
    assert_int_equal(v, 0xFF);
    assert_int_equal(hv_dev_pio(&d, HV_DEV_DEBUG_EXIT_PORT, 2, true, &v), HV_DEV_DEBUG_EXIT);
    assert_int_equal(v, 0xFFFF);
    /* MMIO: inside, across the end, too long. */
    uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(hv_dev_mmio(&d, 0x1038, 8, true, b), HV_DEV_MMIO_REGION);
    assert_int_equal(hv_dev_mmio(&d, 0x103C, 8, false, b), HV_DEV_NONE);
    assert_int_equal(b[0], 0xFF);
    assert_int_equal(hv_dev_mmio(&d, 0x1000, 9, false, b), HV_DEV_NONE);
    assert_int_equal(hv_dev_mmio(&d, 0x103C, 4, false, b), HV_DEV_MMIO_REGION);
    assert_int_equal(b[0], 5);
    hv_dev_fini(&d);
    hv_dev_fini(&d); /* twice is harmless */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(msr_protocol_es),        cmocka_unit_test(msr_protocol_snp),
        cmocka_unit_test(nae_events_es),          cmocka_unit_test(nae_events_snp),
        cmocka_unit_test(serial_console_hello),   cmocka_unit_test(debug_exit_code),
        cmocka_unit_test(attestation_over_ghcb),  cmocka_unit_test(ext_request_certs),
        cmocka_unit_test(malformed_ghcb),         cmocka_unit_test(missing_valid_bits),
        cmocka_unit_test(invalid_exit_codes),     cmocka_unit_test(out_of_range_gpas),
        cmocka_unit_test(scratch_outside_buffer), cmocka_unit_test(private_ghcb),
        cmocka_unit_test(psc_not_owned),          cmocka_unit_test(unregistered_ghcb),
        cmocka_unit_test(fuzzed_ghcb_contents),   cmocka_unit_test(devices_direct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
