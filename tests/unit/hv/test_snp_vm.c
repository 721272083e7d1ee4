/* SPDX-License-Identifier: MIT */
/* An SNP guest launched from Debian's OVMF the way KVM and QEMU do it: the
 * launch plan's ops as SNP_LAUNCH_UPDATEs through the PSP driver. The
 * firmware's MEASUREMENT equals the offline calculator's digest; the guest
 * reads its VMPCK from the secrets page and gets a report through the
 * hypervisor's guest-request path that verifies with the chip's VCEK; a
 * replayed request gets no report. */
#include "testsupport.h"

#include <errno.h>
#include <stdio.h>

#include "common/snp_plan.h"
#include "crypto/snp_report.h"
#include "crypto/snp_vcek.h"
#include "guest/snp_msg.h"
#include "hv/vm.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/fw_status.h"

#define RAM    (64ull << 20)
#define REQ    0x3000000ull /* shared message pages, never launched */
#define RESP   0x3001000ull
#define POLICY 0x30000ull

static const char *ovmf_path = "/usr/share/ovmf/OVMF.fd";

static bool load_ovmf(uint8_t **img, size_t *len)
{
    FILE *f = fopen(ovmf_path, "rb");
    if (!f)
        return false;
    fclose(f);
    ts_read_file(ovmf_path, img, len);
    return true;
}

struct rig {
    struct ts_host h;
    struct hv_kvm kvm;
    struct hv_vm *vm;
    struct snp_plan *plan;
    uint8_t *img;
    size_t img_len;
    struct hw_guest_ctx cpu;
};

static int transport(void *ctx, uint64_t req, uint64_t resp, uint32_t *fw_error)
{
    struct rig *r = ctx;
    return hv_vm_snp_guest_request(r->vm, req, resp, fw_error);
}

static void rig_launch(struct rig *r, unsigned vcpus)
{
    ts_host_init(&r->h, "milan", "snp-vm", false);
    assert_int_equal(hv_kvm_init(&r->kvm, machine_sev_dev(r->h.m)), SWSEV_OK);
    struct snp_plan_inputs in;
    memset(&in, 0, sizeof(in));
    in.mode = SNP_PLAN_SNP;
    in.ovmf = r->img;
    in.ovmf_len = r->img_len;
    in.vcpus = vcpus;
    assert_true(snp_plan_cpu_sig_by_name("EPYC-Milan", &in.vcpu_sig));
    in.vmm = VMSA_VMM_QEMU;
    in.guest_features = 1;
    char err[128];
    assert_int_equal(snp_plan_build(&r->plan, &in, err, sizeof(err)), SWSEV_OK);
    assert_int_equal(hv_vm_create_ex(&r->kvm, RAM, vcpus, true, &r->vm), SWSEV_OK);
    const struct snp_plan_op *image = &r->plan->ops[0];
    assert_int_equal(hv_vm_add_rom(r->vm, image->gpa, r->img_len), SWSEV_OK);
    uint32_t fw_error;
    assert_int_equal(hv_vm_snp_start(r->vm, POLICY, &fw_error), 0);
    size_t failed;
    int rc = hv_vm_snp_launch_plan(r->vm, r->plan, &failed, &fw_error);
    if (rc)
        fail_msg("launch op %zu (%s): rc %d fw 0x%x", failed, r->plan->ops[failed].what, rc,
                 fw_error);
    uint8_t hd[32];
    memset(hd, 0x5C, sizeof(hd));
    assert_int_equal(hv_vm_snp_finish(r->vm, NULL, NULL, 0, hd, &fw_error), 0);
    r->cpu.asid = r->vm->asid;
    r->cpu.sev = r->cpu.es = r->cpu.snp = true;
    r->cpu.np_enable = true;
    r->cpu.ncr3 = hv_npt_ncr3(&r->vm->npt);
}

static void rig_fini(struct rig *r)
{
    hv_vm_destroy(r->vm);
    hv_kvm_fini(&r->kvm);
    snp_plan_free(r->plan);
    ts_host_fini(&r->h);
}

static uint64_t secrets_gpa(const struct snp_plan *p)
{
    for (size_t i = 0; i < p->n_ops; i++)
        if (p->ops[i].page_type == SNP_PAGE_TYPE_SECRETS)
            return p->ops[i].gpa;
    fail_msg("no secrets page in the plan");
    return 0;
}

static void launch_digest_matches_offline(void **state)
{
    (void)state;
    struct rig r;
    memset(&r, 0, sizeof(r));
    if (!load_ovmf(&r.img, &r.img_len))
        skip();
    rig_launch(&r, 2);
    uint8_t offline[48];
    assert_int_equal(snp_plan_digest(r.plan, offline, NULL, NULL), SWSEV_OK);

    struct guest_snp g;
    assert_int_equal(
        guest_snp_init(&g, r.h.ms, &r.cpu, secrets_gpa(r.plan), 0, REQ, RESP, transport, &r),
        SWSEV_OK);
    uint8_t rd[64], raw[0x4A0];
    memset(rd, 0x3E, sizeof(rd));
    uint32_t status, fw_error;
    assert_int_equal(guest_snp_report(&g, rd, 0, raw, &status, &fw_error), SWSEV_OK);
    assert_int_equal(status, 0);
    struct snp_report rep;
    assert_int_equal(snp_report_parse(raw, sizeof(raw), &rep), SWSEV_OK);
    assert_memory_equal(rep.measurement, offline, 48);
    assert_memory_equal(rep.report_data, rd, 64);
    EVP_PKEY *vcek = NULL;
    struct fw_params fp;
    fw_params_for_chip(&fp, "milan");
    assert_int_equal(snp_vcek_derive(r.h.id.chip_secret, fp.snp_tcb, SNP_MILAN, &vcek), SWSEV_OK);
    assert_int_equal(snp_report_verify(&rep, vcek), SWSEV_OK);
    EVP_PKEY_free(vcek);

    /* A second report with VMPCK0 works; a replayed sequence number does
     * not, and no report comes back. */
    assert_int_equal(guest_snp_report(&g, rd, 0, raw, &status, &fw_error), SWSEV_OK);
    g.seqno -= 2;
    memset(raw, 0, sizeof(raw));
    assert_int_equal(guest_snp_report(&g, rd, 0, raw, &status, &fw_error),
                     SWSEV_FW_ERR(SEV_STATUS_AEAD_OFLOW));
    uint8_t zero[0x4A0] = {0};
    assert_memory_equal(raw, zero, sizeof(zero));
    guest_snp_fini(&g);

    /* The hypervisor cannot write the launched image any more... */
    uint8_t b[8] = {0};
    assert_int_not_equal(hv_vm_write(r.vm, r.plan->ops[0].gpa, b, sizeof(b)), SWSEV_OK);
    /* ...nor hand a private page to the guest-request path. */
    assert_int_equal(hv_vm_snp_guest_request(r.vm, secrets_gpa(r.plan), RESP, &fw_error), -EINVAL);
    free(r.img);
    rig_fini(&r);
}

static void vm_layer_refusals(void **state)
{
    (void)state;
    struct rig r;
    memset(&r, 0, sizeof(r));
    ts_host_init(&r.h, "milan", "snp-vm2", false);
    assert_int_equal(hv_kvm_init(&r.kvm, machine_sev_dev(r.h.m)), SWSEV_OK);
    assert_int_equal(hv_vm_create_ex(&r.kvm, RAM, 1, true, &r.vm), SWSEV_OK);
    uint32_t fw_error;
    uint8_t page[4096] = {0};
    /* Nothing before LAUNCH_START. */
    assert_int_equal(hv_vm_snp_update(r.vm, 0, page, 4096, SNP_PAGE_TYPE_NORMAL, &fw_error),
                     -EINVAL);
    /* A policy the firmware refuses: the error comes back. */
    assert_int_equal(hv_vm_snp_start(r.vm, 0x20000, &fw_error), -EIO);
    assert_int_equal(fw_error, SEV_STATUS_POLICY_FAILURE);
    hv_vm_destroy(r.vm);
    assert_int_equal(hv_vm_create_ex(&r.kvm, RAM, 1, true, &r.vm), SWSEV_OK);
    assert_int_equal(hv_vm_snp_start(r.vm, POLICY, &fw_error), 0);
    /* Misaligned, outside guest memory, bad page type, twice the same page. */
    assert_int_equal(hv_vm_snp_update(r.vm, 8, page, 4096, SNP_PAGE_TYPE_NORMAL, &fw_error),
                     -EINVAL);
    assert_int_equal(hv_vm_snp_update(r.vm, RAM, page, 4096, SNP_PAGE_TYPE_NORMAL, &fw_error),
                     -EINVAL);
    assert_int_equal(hv_vm_snp_update(r.vm, 0, page, 4096, 7, &fw_error), -EINVAL);
    assert_int_equal(hv_vm_snp_update(r.vm, 0, page, 4096, SNP_PAGE_TYPE_NORMAL, &fw_error), 0);
    assert_int_equal(hv_vm_snp_update(r.vm, 0, page, 4096, SNP_PAGE_TYPE_NORMAL, &fw_error),
                     -EINVAL);
    /* The guest is not running: its requests are refused by the firmware. */
    assert_int_equal(hv_vm_snp_guest_request(r.vm, REQ, RESP, &fw_error), -EIO);
    assert_int_equal(fw_error, SEV_STATUS_INVALID_GUEST_STATE);
    /* Destroying gives every page back: the host can write them again. */
    uint64_t spa = hv_vm_spa(r.vm, 0);
    hv_vm_destroy(r.vm);
    assert_int_equal(memsys_host_write(r.h.ms, spa, page, 8), SWSEV_OK);
    hv_kvm_fini(&r.kvm);
    ts_host_fini(&r.h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(launch_digest_matches_offline),
        cmocka_unit_test(vm_layer_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
