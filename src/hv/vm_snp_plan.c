/* SPDX-License-Identifier: MIT */
/* A VMM's SNP launch of an OVMF plan: the same ops the offline calculator
 * hashes, issued as SNP_LAUNCH_UPDATEs, so the two digests must agree. */
#include <errno.h>
#include <string.h>

#include "common/snp_plan.h"
#include "hv/vm_priv.h"

int hv_vm_snp_launch_plan(struct hv_vm *vm, const struct snp_plan *plan, size_t *failed_op,
                          uint32_t *fw_error)
{
    *fw_error = 0;
    *failed_op = 0;
    if (plan->mode != SNP_PLAN_SNP)
        return -EINVAL;
    uint8_t cpuid[4096];
    hv_snp_cpuid_table(vm->kvm->ms, cpuid);
    for (size_t i = 0; i < plan->n_ops; i++) {
        const struct snp_plan_op *op = &plan->ops[i];
        int rc;
        *failed_op = i;
        if (op->page_type == SNP_PAGE_TYPE_VMSA)
            rc = op->vcpu < 0 ? -EINVAL
                              : hv_vm_snp_update_vmsa(vm, (uint32_t)op->vcpu, op->data, fw_error);
        else if (op->page_type == SNP_PAGE_TYPE_CPUID)
            rc = op->len == 4096
                     ? hv_vm_snp_update(vm, op->gpa, cpuid, 4096, op->page_type, fw_error)
                     : -EINVAL;
        else
            rc = hv_vm_snp_update(vm, op->gpa, op->data, op->len, op->page_type, fw_error);
        if (rc)
            return rc;
    }
    return 0;
}
