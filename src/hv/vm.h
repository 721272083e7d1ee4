/* SPDX-License-Identifier: MIT */
/*
 * hv/vm.h - virtual machines and the KVM-style SEV command layer
 * (KVM_MEMORY_ENCRYPT_OP with struct kvm_sev_cmd, Linux
 * arch/x86/kvm/svm/sev.c). The hypervisor is untrusted: it never holds a
 * guest key and reaches the firmware only through the PSP driver.
 *
 * Guest RAM is simulated DRAM owned by the VM (mapped GPA 0.. by its nested
 * page tables). Where KVM takes a userspace address of guest memory
 * (LAUNCH_UPDATE_DATA, LAUNCH_SECRET's guest_uaddr, DBG_*, SEND/RECEIVE's
 * guest_uaddr) this layer takes the GPA; every other uaddr (certificates,
 * session blobs, headers, measurement buffers) is a pointer in the caller's
 * address space reached with the caller's copy_from_user / copy_to_user.
 * The structs are those of <linux/kvm.h>.
 */
#ifndef SWSEV_HV_VM_H
#define SWSEV_HV_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "hv/npt.h"
#include "hv/psp_drv.h"
#include "hv/sev_dev.h"

struct hv_kvm {
    struct hv_psp *psp;
    struct hv_sev_dev *dev;
    struct memsys *ms;
    struct hv_hostmem *hm;
    pthread_mutex_t lock;
    uint32_t nr_asids, min_sev_asid;
    uint8_t *asid_used;    /* bound to a VM */
    uint8_t *asid_reclaim; /* deactivated, waiting for WBINVD + DF_FLUSH */
    uint32_t next_vm_id;
};

struct hv_vm {
    struct hv_kvm *kvm;
    uint32_t id;
    uint64_t ram_size, ram_spa;
    uint32_t nr_vcpus;
    struct hv_npt npt;
    bool sev_active, es;
    uint32_t asid, handle;
    uint64_t vmsa_spa; /* one page per vCPU for SEV-ES */
};

swsev_rc hv_kvm_init(struct hv_kvm *k, struct hv_sev_dev *dev);
void hv_kvm_fini(struct hv_kvm *k);

swsev_rc hv_vm_create(struct hv_kvm *k, uint64_t ram_size, uint32_t nr_vcpus, struct hv_vm **out);
/* Unbind and decommission the SEV guest, free the memory. */
void hv_vm_destroy(struct hv_vm *vm);

/* The VMM's own view of guest RAM (host path: ciphertext where private). */
swsev_rc hv_vm_write(struct hv_vm *vm, uint64_t gpa, const void *buf, size_t len);
swsev_rc hv_vm_read(struct hv_vm *vm, uint64_t gpa, void *buf, size_t len);
/* The same after writing back the guest's cached lines of the range
 * (VM_PAGE_FLUSH with its ASID) and dropping the host's own: what DRAM
 * holds, as a hypervisor that flushes before it looks sees it. */
swsev_rc hv_vm_read_flushed(struct hv_vm *vm, uint64_t gpa, void *buf, size_t len);

/* KVM_MEMORY_ENCRYPT_OP: cmd is a kvm_sev_cmd id (KVM_SEV_*), data the
 * user address of its struct. *fw_error gets the firmware status.
 * Returns 0 or -errno like the ioctl. */
int hv_vm_sev_op(struct hv_vm *vm, uint32_t cmd, uint64_t data, uint32_t *fw_error,
                 const struct hv_uaccess *ua);

#endif
