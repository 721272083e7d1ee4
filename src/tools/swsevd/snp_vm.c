/* SPDX-License-Identifier: MIT */
/* One SNP guest on a running simulated host (see snp_vm.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swsev/abi/snp_cmd.h"
#include "swsev/fw_status.h"
#include "tools/swsevd/snp_vm.h"

/* Guest RAM, and the shared pages of its message client above what OVMF's
 * metadata sections use. */
#define SNP_VM_RAM  (64ull << 20)
#define SNP_VM_REQ  0x3000000ull
#define SNP_VM_RESP 0x3001000ull

static int transport(void *ctx, uint64_t req, uint64_t resp, uint32_t *fw_error)
{
    struct snp_vm *v = ctx;
    return hv_vm_snp_guest_request(v->vm, req, resp, fw_error);
}

static size_t host_certs(void *ctx, uint8_t *buf, size_t cap)
{
    struct snp_vm *v = ctx;
    if (buf && v->certs_len <= cap)
        memcpy(buf, v->certs, v->certs_len);
    return v->certs_len;
}

static swsev_rc fail(char *err, size_t errlen, const char *what, int e, uint32_t fw)
{
    snprintf(err, errlen, "%s: %s (firmware status 0x%x %s)", what, strerror(e < 0 ? -e : e), fw,
             swsev_fw_status_name(fw));
    return fw ? SWSEV_FW_ERR(fw) : SWSEV_HV_ERR(SWSEV_E_IO);
}

static swsev_rc launch(struct snp_vm *v, struct hv_kvm *kvm, const struct snp_vm_opts *o, char *err,
                       size_t errlen)
{
    struct snp_plan *plan = NULL;
    swsev_rc rc = snp_plan_build(&plan, &o->plan, err, errlen);
    if (rc)
        return rc;
    v->pages = plan->n_pages;
    for (size_t i = 0; i < plan->n_ops; i++)
        if (plan->ops[i].page_type == SNP_PAGE_TYPE_SECRETS)
            v->secrets_gpa = plan->ops[i].gpa;
    rc = snp_plan_digest(plan, v->offline, NULL, NULL);
    if (!rc && !v->secrets_gpa) {
        snprintf(err, errlen, "the image has no SNP secrets page");
        rc = SWSEV_TOOL_ERR(SWSEV_E_FORMAT);
    }
    unsigned vcpus = o->plan.vcpus ? o->plan.vcpus : 1;
    if (!rc)
        rc = hv_vm_create_ex(kvm, SNP_VM_RAM, vcpus, true, &v->vm);
    if (!rc)
        rc = hv_vm_add_rom(v->vm, plan->ops[0].gpa, o->plan.ovmf_len);
    if (rc) {
        if (!err[0])
            snprintf(err, errlen, "VM set-up: %s", swsev_strerror(rc));
        snp_plan_free(plan);
        return rc;
    }
    uint32_t fw = 0;
    size_t failed = 0;
    int e = hv_vm_snp_start(v->vm, o->policy, &fw);
    if (e) {
        snp_plan_free(plan);
        return fail(err, errlen, "SNP_LAUNCH_START", e, fw);
    }
    e = hv_vm_snp_launch_plan(v->vm, plan, &failed, &fw);
    if (e) {
        char what[96];
        snprintf(what, sizeof(what), "SNP_LAUNCH_UPDATE of %s at GPA 0x%llx",
                 plan->ops[failed].what, (unsigned long long)plan->ops[failed].gpa);
        snp_plan_free(plan);
        return fail(err, errlen, what, e, fw);
    }
    snp_plan_free(plan);
    uint64_t flags = (o->id_block ? 1 : 0) | (o->author_key_en ? 2 : 0);
    e = hv_vm_snp_finish(v->vm, o->id_block, o->id_auth, flags, o->host_data, &fw);
    if (e)
        return fail(err, errlen, "SNP_LAUNCH_FINISH", e, fw);
    return SWSEV_OK;
}

swsev_rc snp_vm_launch(struct snp_vm **out, struct hv_kvm *kvm, const struct snp_vm_opts *o,
                       char *err, size_t errlen)
{
    *out = NULL;
    err[0] = 0;
    struct snp_vm *v = calloc(1, sizeof(*v));
    if (!v)
        return SWSEV_SYS_ERR(12);
    if (o->certs_len) {
        v->certs = malloc(o->certs_len);
        if (!v->certs) {
            free(v);
            return SWSEV_SYS_ERR(12);
        }
        memcpy(v->certs, o->certs, o->certs_len);
        v->certs_len = o->certs_len;
    }
    swsev_rc rc = launch(v, kvm, o, err, errlen);
    if (!rc) {
        v->cpu.asid = v->vm->asid;
        v->cpu.sev = v->cpu.es = v->cpu.snp = true;
        v->cpu.np_enable = true;
        v->cpu.ncr3 = hv_npt_ncr3(&v->vm->npt);
        rc = guest_snp_init(&v->guest, kvm->ms, &v->cpu, v->secrets_gpa, 0, SNP_VM_REQ, SNP_VM_RESP,
                            transport, v);
        if (rc)
            snprintf(err, errlen, "the guest cannot read its secrets page: %s", swsev_strerror(rc));
        else
            guest_snp_set_certs(&v->guest, host_certs);
    }
    if (rc) {
        snp_vm_destroy(v);
        return rc;
    }
    *out = v;
    return SWSEV_OK;
}

void snp_vm_destroy(struct snp_vm *v)
{
    if (!v)
        return;
    guest_snp_fini(&v->guest);
    if (v->vm)
        hv_vm_destroy(v->vm);
    free(v->certs);
    free(v);
}
