/* SPDX-License-Identifier: MIT */
/* One SNP guest from start to report on its own simulated host (see
 * snp_run.h); the guest itself is tools/swsevd/snp_vm. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv/vm.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/fw_status.h"
#include "tools/swsev/snp_run.h"
#include "tools/swsevd/snp_vm.h"

struct snp_run_priv {
    struct hv_kvm kvm;
    bool kvm_up;
    struct snp_vm *v;
};

swsev_rc snp_run_launch(struct snp_run *r, const struct snp_run_opts *o, char *err, size_t errlen)
{
    memset(r, 0, sizeof(*r));
    err[0] = 0;
    struct snp_run_priv *p = calloc(1, sizeof(*p));
    if (!p)
        return SWSEV_SYS_ERR(12);
    r->priv = p;
    struct machine_config mc;
    swsev_rc rc = machine_config_default(&mc, o->chip);
    if (rc) {
        snprintf(err, errlen, "unknown chip '%s'", o->chip);
        return rc;
    }
    if (!mc.snp) {
        snprintf(err, errlen, "chip %s has no SEV-SNP", o->chip);
        return SWSEV_TOOL_ERR(SWSEV_E_UNSUPPORTED);
    }
    mc.init_on_probe = false;
    mc.seed = o->seed;
    mc.seed_len = o->seed_len;
    rc = machine_create(&r->m, &mc, o->id, NULL, 0, NULL);
    if (rc) {
        snprintf(err, errlen, "the simulated host did not start: %s", swsev_strerror(rc));
        return rc;
    }
    rc = hv_kvm_init(&p->kvm, machine_sev_dev(r->m));
    p->kvm_up = rc == SWSEV_OK;
    if (rc)
        return rc;
    struct snp_vm_opts vo;
    memset(&vo, 0, sizeof(vo));
    vo.plan = o->plan;
    vo.policy = o->policy;
    vo.id_block = o->id_block;
    vo.id_auth = o->id_auth;
    vo.author_key_en = o->author_key_en;
    memcpy(vo.host_data, o->host_data, 32);
    rc = snp_vm_launch(&p->v, &p->kvm, &vo, err, errlen);
    if (rc)
        return rc;
    r->vm = p->v->vm;
    r->pages = p->v->pages;
    memcpy(r->offline, p->v->offline, 48);
    return SWSEV_OK;
}

swsev_rc snp_run_report(struct snp_run *r, const uint8_t report_data[64], uint32_t vmpl, char *err,
                        size_t errlen)
{
    struct snp_run_priv *p = r->priv;
    uint32_t fw = 0;
    swsev_rc rc =
        guest_snp_report(&p->v->guest, report_data, vmpl, r->report, &r->report_status, &fw);
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
    struct guest_snp *g = &p->v->guest;
    uint32_t fw = 0, status = 0;
    uint8_t report[0x4A0], zero[0x4A0];
    memset(report, 0, sizeof(report));
    memset(zero, 0, sizeof(zero));
    if (g->seqno < 2) {
        snprintf(err, errlen, "nothing to replay");
        return false;
    }
    g->seqno -= 2;
    swsev_rc rc = guest_snp_report(g, report_data, 0, report, &status, &fw);
    snprintf(err, errlen, "firmware status 0x%x %s", fw, swsev_fw_status_name(fw));
    if (rc)
        g->seqno += 2; /* the guest moves on */
    return rc == SWSEV_FW_ERR(SEV_STATUS_AEAD_OFLOW) && !memcmp(report, zero, sizeof(zero));
}

void snp_run_free(struct snp_run *r)
{
    struct snp_run_priv *p = r->priv;
    if (p)
        snp_vm_destroy(p->v);
    if (p && p->kvm_up)
        hv_kvm_fini(&p->kvm);
    machine_destroy(r->m);
    free(p);
    memset(r, 0, sizeof(*r));
}
