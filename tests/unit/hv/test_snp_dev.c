/* SPDX-License-Identifier: MIT */
/* /dev/sev's SNP ioctls as Linux 6.11 serves them (SNP_PLATFORM_STATUS,
 * SNP_COMMIT, SNP_SET_CONFIG, SNP_VLEK_LOAD), the firmware behind them, and
 * a VLEK loaded by the host then signing a guest's report. */
#include "testsupport.h"

#include <errno.h>
#include <linux/ioctl.h>
#include <linux/psp-sev.h>

#include "common/snp_pageinfo.h"
#include "crypto/snp_report.h"
#include "crypto/snp_vcek.h"
#include "guest/snp_msg.h"
#include "hv/sev_dev.h"
#include "hv/vm.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/fw_status.h"

static int ioctl_(struct ts_host *h, uint32_t cmd, void *data, bool writable, uint32_t *error)
{
    struct sev_issue_cmd c = {.cmd = cmd, .data = (uint64_t)(uintptr_t)data, .error = 0};
    int rc = hv_sev_dev_ioctl(machine_sev_dev(h->m), SEV_ISSUE_CMD, (uint64_t)(uintptr_t)&c,
                              writable, &ts_uaccess_self);
    *error = c.error;
    return rc;
}

static void status(struct ts_host *h, struct snp_platform_status *st)
{
    uint32_t err;
    memset(st, 0xEE, sizeof(*st));
    assert_int_equal(ioctl_(h, SEV_SNP_PLATFORM_STATUS, st, false, &err), 0);
}

static void snp_ioctls(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "milan", "snp-dev", false);
    struct fw_params fp;
    fw_params_for_chip(&fp, "milan");
    struct snp_platform_status st;
    status(&h, &st);
    assert_int_equal(st.state, SNP_STATE_INIT);
    assert_int_equal(st.is_rmp_initialized, 1);
    assert_int_equal(st.reported_tcb_version, fp.snp_tcb);
    assert_int_equal(st.api_major, fp.api_major);
    uint32_t err;
    /* data == 0, read-only opens, an unknown command. */
    assert_int_equal(ioctl_(&h, SEV_SNP_PLATFORM_STATUS, NULL, false, &err), -EINVAL);
    struct snp_fw_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(ioctl_(&h, SEV_SNP_SET_CONFIG, &cfg, false, &err), -EPERM);
    assert_int_equal(ioctl_(&h, 13, &cfg, true, &err), -EINVAL);
    /* SET_CONFIG: a TCB above the committed one is the firmware's refusal. */
    cfg.reported_tcb = fp.snp_tcb + (1ull << 56);
    assert_int_equal(ioctl_(&h, SEV_SNP_SET_CONFIG, &cfg, true, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_INVALID_PARAM);
    cfg.reported_tcb = fp.snp_tcb - 1; /* an older boot loader */
    cfg.flags = 1;
    assert_int_equal(ioctl_(&h, SEV_SNP_SET_CONFIG, &cfg, true, &err), 0);
    status(&h, &st);
    assert_int_equal(st.reported_tcb_version, cfg.reported_tcb);
    assert_int_equal(st.flags & 1, 1);
    /* COMMIT needs no write permission and drops the override. */
    assert_int_equal(ioctl_(&h, SEV_SNP_COMMIT, NULL, false, &err), 0);
    status(&h, &st);
    assert_int_equal(st.reported_tcb_version, fp.snp_tcb);
    ts_host_fini(&h);

    /* A host without SNP: the SNP ioctls do not exist for it. */
    ts_host_init(&h, "rome", "snp-dev", false);
    assert_int_equal(ioctl_(&h, SEV_SNP_PLATFORM_STATUS, &st, false, &err), -EINVAL);
    assert_int_equal(ioctl_(&h, SEV_SNP_COMMIT, NULL, true, &err), -EINVAL);
    ts_host_fini(&h);
}

static int transport(void *ctx, uint64_t req, uint64_t resp, uint32_t *fw_error)
{
    return hv_vm_snp_guest_request(ctx, req, resp, fw_error);
}

static void vlek_load_and_sign(void **state)
{
    (void)state;
    struct ts_host h;
    ts_host_init(&h, "milan", "snp-vlek", false);
    struct fw_params fp;
    fw_params_for_chip(&fp, "milan");
    uint8_t sticks[SNP_VLEK_STICKS_LEN], iv[12], w[SNP_VLEK_WRAPPED_LEN];
    for (size_t i = 0; i < sizeof(sticks); i++)
        sticks[i] = (uint8_t)(i * 7 + 3);
    memset(iv, 0x21, sizeof(iv));
    assert_int_equal(snp_vlek_wrap(h.id.chip_secret, fp.snp_tcb, SNP_MILAN, sticks, iv, w),
                     SWSEV_OK);
    struct hv_user_snp_vlek_load in = {sizeof(in), 0, {0}, (uint64_t)(uintptr_t)w};
    uint32_t err;
    /* Bad length, version, address; a blob for another TCB; a bad tag. */
    in.len = 12;
    assert_int_equal(ioctl_(&h, SEV_SNP_VLEK_LOAD, &in, true, &err), -EINVAL);
    in.len = sizeof(in);
    in.vlek_wrapped_version = 1;
    assert_int_equal(ioctl_(&h, SEV_SNP_VLEK_LOAD, &in, true, &err), -EINVAL);
    in.vlek_wrapped_version = 0;
    in.vlek_wrapped_address = 0;
    assert_int_equal(ioctl_(&h, SEV_SNP_VLEK_LOAD, &in, true, &err), -EINVAL);
    in.vlek_wrapped_address = (uint64_t)(uintptr_t)w;
    assert_int_equal(ioctl_(&h, SEV_SNP_VLEK_LOAD, &in, false, &err), -EPERM);
    uint8_t other[SNP_VLEK_WRAPPED_LEN];
    assert_int_equal(snp_vlek_wrap(h.id.chip_secret, fp.snp_tcb - 1, SNP_MILAN, sticks, iv, other),
                     SWSEV_OK);
    in.vlek_wrapped_address = (uint64_t)(uintptr_t)other;
    assert_int_equal(ioctl_(&h, SEV_SNP_VLEK_LOAD, &in, true, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_BAD_SVN);
    memcpy(other, w, sizeof(other));
    other[0x20] ^= 1;
    assert_int_equal(ioctl_(&h, SEV_SNP_VLEK_LOAD, &in, true, &err), -EIO);
    assert_int_equal(err, SEV_STATUS_BAD_MEASUREMENT);
    struct snp_platform_status st;
    status(&h, &st);
    assert_int_equal(st.flags & 4, 0);
    in.vlek_wrapped_address = (uint64_t)(uintptr_t)w;
    assert_int_equal(ioctl_(&h, SEV_SNP_VLEK_LOAD, &in, true, &err), 0);
    status(&h, &st);
    assert_int_equal(st.flags & 4, 4);

    /* A guest's report (KEY_SEL 0) is now signed by the VLEK. */
    struct hv_kvm kvm;
    struct hv_vm *vm;
    assert_int_equal(hv_kvm_init(&kvm, machine_sev_dev(h.m)), SWSEV_OK);
    assert_int_equal(hv_vm_create_ex(&kvm, 16ull << 20, 1, true, &vm), SWSEV_OK);
    assert_int_equal(hv_vm_snp_start(vm, 0x30000, &err), 0);
    assert_int_equal(hv_vm_snp_update(vm, 0x1000, NULL, 4096, SNP_PAGE_TYPE_SECRETS, &err), 0);
    uint8_t hd[32] = {0};
    assert_int_equal(hv_vm_snp_finish(vm, NULL, NULL, 0, hd, &err), 0);
    struct hw_guest_ctx cpu;
    memset(&cpu, 0, sizeof(cpu));
    cpu.asid = vm->asid;
    cpu.sev = cpu.es = cpu.snp = cpu.np_enable = true;
    cpu.ncr3 = hv_npt_ncr3(&vm->npt);
    struct guest_snp g;
    assert_int_equal(guest_snp_init(&g, h.ms, &cpu, 0x1000, 0, 0x4000, 0x5000, transport, vm),
                     SWSEV_OK);
    uint8_t rd[64] = {9}, raw[0x4A0];
    uint32_t rs;
    assert_int_equal(guest_snp_report(&g, rd, 0, raw, &rs, &err), SWSEV_OK);
    assert_int_equal(rs, 0);
    struct snp_report r;
    assert_int_equal(snp_report_parse(raw, sizeof(raw), &r), SWSEV_OK);
    assert_int_equal(SNP_KEY_INFO_SIGNING_KEY(r.key_info), 1);
    EVP_PKEY *vlek = NULL;
    assert_int_equal(snp_vlek_key(sticks + 7 * 48, &vlek), SWSEV_OK);
    assert_int_equal(snp_report_verify(&r, vlek), SWSEV_OK);
    EVP_PKEY_free(vlek);
    guest_snp_fini(&g);
    hv_vm_destroy(vm);
    hv_kvm_fini(&kvm);
    ts_host_fini(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(snp_ioctls),
        cmocka_unit_test(vlek_load_and_sign),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
