/* SPDX-License-Identifier: MIT */
/* hv/vm_priv.h - pieces of the VM layer shared by its files. */
#ifndef SWSEV_HV_VM_PRIV_H
#define SWSEV_HV_VM_PRIV_H

#include "hv/vm.h"

/* The PSP-visible address of guest RAM (host C-bit when host SME is on). */
uint64_t hv_vm_host_pa(const struct hv_vm *vm, uint64_t gpa);
/* Flush the host's cache lines of a guest range before the firmware
 * rewrites it under the guest key. */
void hv_vm_clflush(struct hv_vm *vm, uint64_t gpa, uint64_t len);
/* KVM_SEV_INIT / KVM_SEV_ES_INIT. */
int hv_vm_sev_init(struct hv_vm *vm, bool es, uint32_t *fw_error);

/* ASIDs (KVM's allocator with reclaim): SEV-ES and SNP guests below the
 * minimum SEV ASID. */
int hv_kvm_asid_new(struct hv_kvm *k, bool es, uint32_t *asid);
void hv_kvm_asid_free(struct hv_kvm *k, uint32_t asid);
/* SNP guests: decommission, reclaim the context page, give every guest
 * page back to the hypervisor (vm_snp.c). */
void hv_vm_snp_teardown(struct hv_vm *vm);

#endif
