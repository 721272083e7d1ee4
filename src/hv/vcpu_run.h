/* SPDX-License-Identifier: MIT */
/*
 * hv/vcpu_run.h - the VMM's vCPUs: a VMCB per vCPU set up for the VM's
 * kind (plain, SEV, SEV-ES, SNP), VMRUN, and the handling of every VMEXIT
 * as KVM's svm_handle_exit does: VMGEXIT through the GHCB handler
 * (hv/vmgexit.h), intercepted port I/O, CPUID and MSRs of non-ES guests
 * against the device set and the chip model, HLT and shutdown. What the
 * VMM must act on comes back as a struct vcpu_exit (swsev/vcpu.h).
 */
#ifndef SWSEV_HV_VCPU_RUN_H
#define SWSEV_HV_VCPU_RUN_H

#include "hv/devices.h"
#include "hv/vm.h"
#include "hv/vmgexit.h"
#include "swsev/vcpu.h"

#define HV_VCPU_VMPLS 4

struct hv_vcpu {
    struct hv_vm *vm;
    uint32_t index;
    struct hw_vcpu *hw;
    uint64_t vmcb_spa;
    struct hv_vmgexit_vcpu gx; /* the GHCB state of the running VMPL */
    /* SNP VMPLs: one VMSA per VMPL on this vCPU (0 = none), each with its
     * own GHCB MSR and GHCB state while another VMPL runs; RUN_VMPL
     * switches between them, AP creation for this vCPU's own APIC ID adds
     * or removes them (as an SVSM at VMPL0 does for the OS at VMPL1+). */
    uint8_t vmpl;
    uint64_t vmpl_vmsa[HV_VCPU_VMPLS];
    uint64_t vmpl_ghcb_msr[HV_VCPU_VMPLS];
    struct hv_vmgexit_vcpu vmpl_gx[HV_VCPU_VMPLS];
};

/* A vCPU of vm (its VMSA, for SEV-ES/SNP, is vm->vmsa_spa + 4 KiB * index). */
swsev_rc hv_vcpu_create(struct hv_vm *vm, struct hv_vmgexit *hx, uint32_t index,
                        struct hv_vcpu **out);
void hv_vcpu_destroy(struct hv_vcpu *c);
/* Point the vCPU at another VMSA (SNP AP creation: the guest's page). */
void hv_vcpu_set_vmsa(struct hv_vcpu *c, uint64_t vmsa_spa);
/* Non-ES guests: the initial registers (the VMM's to set). */
swsev_rc hv_vcpu_set_state(struct hv_vcpu *c, const struct vcpu_regs *r,
                           const struct vcpu_sregs *s);
/* VMRUN: 0, or -EIO with ex->reason = VCPU_EXIT_FAIL_ENTRY. */
int hv_vcpu_vmrun(struct hv_vcpu *c, struct vcpu_exit *ex);
/* Have the next VMRUN inject an event (VMCB EVENTINJ): type is one of
 * VMCB_EVENTINJ_*, vector its vector (NMI: 2), an error code with
 * has_code (exceptions only). VMRUN refuses what the architecture does. */
void hv_vcpu_inject(struct hv_vcpu *c, uint32_t type, uint8_t vector, bool has_code, uint32_t code);
/* After a VMEXIT: handle it and VMRUN again (returns 0), or say why the VMM
 * must take over (returns 1, ex filled). */
int hv_vcpu_handle_exit(struct hv_vcpu *c, struct hv_vmgexit *hx, struct hv_devices *dev,
                        struct vcpu_exit *ex);

#endif
