/* SPDX-License-Identifier: MIT */
/* One SNP guest from start to report (see snp_run.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest/snp_msg.h"
#include "hv/vm.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/fw_status.h"
#include "tools/swsev/snp_run.h"

/* Shared message pages of the guest: RAM above what OVMF's sections use. */
#define SNP_RUN_RAM  (64ull << 20)
#define SNP_RUN_REQ  0x3000000ull
#define SNP_RUN_RESP 0x3001000ull

struct snp_run_priv {
    struct hv_kvm kvm;
    bool kvm_up;
    struct hw_guest_ctx cpu;
    struct guest_snp g;
    bool guest_up;
};

static int transport(void *ctx, uint64_t req, uint64_t resp, uint32_t *fw_error)
{
    struct snp_run *r = ctx;
    return hv_vm_snp_guest_request(r->vm, req, resp, fw_error);
}

swsev_rc snp_run_launch(struct snp_run *r, const struct snp_run_opts *o, char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    struct snp_run_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return SWSEV_SYS_ERR(12);
    r->priv = p;
    struct machine_config mc;
    swsev_rc rc = machine_config_default(&mc, o->chip);
    if (!rc && !mc.snp) {
        snprintf(err, errlen, "chip %s has no SEV-SNP", o->chip);
        return SWSEV_TOOL_ERR(SWSEV_E_UNSUPPORTED);
    }
    if (rc) {
        snprintf(err, errlen, "unknown chip '%s'", o->chip);
        return rc;
    }
    mc.init_on_probe = false;
    mc.seed = o->seed;
    mc.seed_len = o->seed_len;
    rc = machine_create(&r->m, &mc, o->id, NULL, 0, NULL);
    if (rc) {
        snprintf(err, errlen, "the simulated host did not start: %s", swsev_strerror(rc));
        return rc;
    }
    rc = snp_plan_build(&r->plan, &o->plan, err, errlen);
    if (rc)
        return rc;
    if ((rc = snp_plan_digest(r->plan, r->offline, NULL, NULL))) {
        snprintf(err, errlen, "digest of the plan: %s", swsev_strerror(rc));
        return rc;
    }
    rc = hv_kvm_init(&p->kvm, machine_sev_dev(r->m));
    p->kvm_up = rc == SWSEV_OK;
    unsigned vcpus = o->plan.vcpus ? o->plan.vcpus : 1;
    if (!rc)
        rc = hv_vm_create_ex(&p->kvm, SNP_RUN_RAM, vcpus, true, &r->vm);
    if (!rc)
        rc = hv_vm_add_rom(r->vm, r->plan->ops[0].gpa, o->plan.ovmf_len);
    if (rc) {
        snprintf(err, errlen, "VM set-up: %s", swsev_strerror(rc));
        return rc;
    }
    uint32_t fw;
    size_t failed = 0;
    int e = hv_vm_snp_start(r->vm, o->policy, &fw);
    if (e) {
        snprintf(err, errlen, "SNP_LAUNCH_START: %s (firmware status 0x%x %s)", strerror(-e), fw,
                 swsev_fw_status_name(fw));
        return SWSEV_FW_ERR(fw);
    }
    e = hv_vm_snp_launch_plan(r->vm, r->plan, &failed, &fw);
    if (e) {
        snprintf(err, errlen, "SNP_LAUNCH_UPDATE of %s at GPA 0x%llx: %s (firmware status 0x%x %s)",
                 r->plan->ops[failed].what, (unsigned long long)r->plan->ops[failed].gpa,
                 strerror(-e), fw, swsev_fw_status_name(fw));
        return SWSEV_FW_ERR(fw);
    }
    uint64_t flags = (o->id_block ? 1 : 0) | (o->author_key_en ? 2 : 0);
    e = hv_vm_snp_finish(r->vm, o->id_block, o->id_auth, flags, o->host_data, &fw);
    if (e) {
        snprintf(err, errlen, "SNP_LAUNCH_FINISH: %s (firmware status 0x%x %s)", strerror(-e), fw,
                 swsev_fw_status_name(fw));
        return SWSEV_FW_ERR(fw);
    }
    for (size_t i = 0; i < r->plan->n_ops; i++)
        if (r->plan->ops[i].page_type == SNP_PAGE_TYPE_SECRETS)
            r->report_gpa_secrets = r->plan->ops[i].gpa;
    p->cpu.asid = r->vm->asid;
    p->cpu.sev = p->cpu.es = p->cpu.snp = true;
    p->cpu.np_enable = true;
    p->cpu.ncr3 = hv_npt_ncr3(&r->vm->npt);
    if (!r->report_gpa_secrets) {
        snprintf(err, errlen, "the image has no SNP secrets page");
        return SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
    }
    rc = guest_snp_init(&p->g, machine_memsys(r->m), &p->cpu, r->report_gpa_secrets, 0, SNP_RUN_REQ,
                        SNP_RUN_RESP, transport, r);
    p->guest_up = rc == SWSEV_OK;
    if (rc)
        snprintf(err, errlen, "the guest could not read its secrets page: %s", swsev_strerror(rc));
    return rc;
}

swsev_rc snp_run_report(struct snp_run *r, const uint8_t report_data[64], uint32_t vmpl, char *err,
                        size_t errlen)
{
    struct snp_run_priv *p = r->priv;
    uint32_t fw = 0;
    swsev_rc rc = guest_snp_report(&p->g, report_data, vmpl, r->report, &r->report_status, &fw);
    if (rc)
        snprintf(err, errlen, "guest request: %s (firmware status 0x%x %s)", swsev_strerror(rc), fw,
                 swsev_fw_status_name(fw));
    else if (r->report_status)
        snprintf(err, errlen, "the firmware refused the report: status 0x%x %s", r->report_status,
                 swsev_fw_status_name(r->report_status));
    return rc ? rc : r->report_status ? SWSEV_FW_ERR(r->report_status) : SWSEV_OK;
}

bool snp_run_replay(struct snp_run *r, const uint8_t report_data[64], char *err, size_t errlen)
{
    struct snp_run_priv *p = r->priv;
    uint32_t fw = 0, status = 0;
    uint8_t report[0x4A0], zero[0x4A0];
    memset(report, 0, sizeof(report));
    memset(zero, 0, sizeof(zero));
    if (p->g.seqno < 2) {
        snprintf(err, errlen, "nothing to replay");
        return false;
    }
    p->g.seqno -= 2;
    swsev_rc rc = guest_snp_report(&p->g, report_data, 0, report, &status, &fw);
    snprintf(err, errlen, "firmware status 0x%x %s", fw, swsev_fw_status_name(fw));
    if (rc)
        p->g.seqno += 2; /* the guest moves on */
    return rc == SWSEV_FW_ERR(SEV_STATUS_AEAD_OFLOW) && !memcmp(report, zero, sizeof(zero));
}

void snp_run_free(struct snp_run *r)
{
    struct snp_run_priv *p = r->priv;
    if (p && p->guest_up)
        guest_snp_fini(&p->g);
    if (r->vm)
        hv_vm_destroy(r->vm);
    if (p && p->kvm_up)
        hv_kvm_fini(&p->kvm);
    snp_plan_free(r->plan);
    machine_destroy(r->m);
    free(p);
    memset(r, 0, sizeof(*r));
}
