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
    /* SEV-SNP */
    bool snp;
    uint64_t gctx_spa; /* the guest context (a firmware page), 0 = none */
    uint64_t policy;
    bool *private_pages; /* RMP-assigned to the guest, per 4 KiB of RAM then ROM */
    /* A second region below 4 GiB for the firmware image (OVMF sits at the
     * top of the 32-bit space), 0 = none. */
    uint64_t rom_gpa, rom_size, rom_spa;
};

swsev_rc hv_kvm_init(struct hv_kvm *k, struct hv_sev_dev *dev);
void hv_kvm_fini(struct hv_kvm *k);

swsev_rc hv_vm_create(struct hv_kvm *k, uint64_t ram_size, uint32_t nr_vcpus, struct hv_vm **out);
/* snp: nested mappings in 4 KiB pages, as an SNP guest's RMP entries. */
/* The CPUID the VM sees (hv/cpuid.c): the chip's, filtered as KVM does. */
void hv_cpuid(const struct hv_vm *vm, uint32_t apic_id, uint32_t leaf, uint32_t subleaf,
              uint32_t regs[4]);
swsev_rc hv_vm_create_ex(struct hv_kvm *k, uint64_t ram_size, uint32_t nr_vcpus, bool snp,
                         struct hv_vm **out);
/* Unbind and decommission the SEV guest, free the memory. */
void hv_vm_destroy(struct hv_vm *vm);

/* Map a firmware-image region [gpa, gpa + size) (4 KiB multiples, above
 * RAM, below 4 GiB), before any SNP launch step. */
swsev_rc hv_vm_add_rom(struct hv_vm *vm, uint64_t gpa, uint64_t size);
/* The host SPA of a guest page, or 0 when gpa is not guest memory. */
uint64_t hv_vm_spa(const struct hv_vm *vm, uint64_t gpa);

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

/* ---- SEV-SNP guests (vm_snp.c), the steps KVM's SNP launch takes ---- */
/* GCTX_CREATE on a firmware page, SNP_LAUNCH_START with policy, an ASID and
 * SNP_ACTIVATE. Returns 0 or -errno; *fw_error the firmware status. */
int hv_vm_snp_start(struct hv_vm *vm, uint64_t policy, uint32_t *fw_error);
/* SNP_LAUNCH_UPDATE of [gpa, gpa + len) (4 KiB multiples) with a page type.
 * data (may be NULL: the RAM's current contents) is written in plaintext
 * first; each page is made Pre-Guest (RMPUPDATE) before the command. For
 * CPUID pages a failed validation leaves the firmware's corrected table in
 * data's place (read it back with hv_vm_read). */
int hv_vm_snp_update(struct hv_vm *vm, uint64_t gpa, const void *data, uint64_t len,
                     uint8_t page_type, uint32_t *fw_error);
/* The VMSA of vCPU i (4 KiB) at KVM's VMSA GPA. */
int hv_vm_snp_update_vmsa(struct hv_vm *vm, uint32_t vcpu, const void *vmsa, uint32_t *fw_error);
/* SNP_LAUNCH_FINISH; id_block (0x60) and id_auth (0x1000) may be NULL. */
int hv_vm_snp_finish(struct hv_vm *vm, const void *id_block, const void *id_auth, uint64_t flags,
                     const uint8_t host_data[32], uint32_t *fw_error);
/* A guest request as KVM serves it: the guest's message from its shared
 * page at req_gpa into a bounce page, SNP_GUEST_REQUEST with a firmware
 * response page, the response copied to the guest's shared page resp_gpa. */
int hv_vm_snp_guest_request(struct hv_vm *vm, uint64_t req_gpa, uint64_t resp_gpa,
                            uint32_t *fw_error);
/* Launch a whole plan (common/snp_plan.h) as QEMU does: the image into the
 * ROM region (which must be mapped), each section with its page type, the
 * CPUID page from hv_snp_cpuid_table, one VMSA per vCPU. *failed_op gets
 * the index of the op that failed. */
struct snp_plan;
int hv_vm_snp_launch_plan(struct hv_vm *vm, const struct snp_plan *plan, size_t *failed_op,
                          uint32_t *fw_error);
/* The SEV firmware's CPUID table a VMM gives the CPUID page (count
 * entries from the chip model). */
void hv_snp_cpuid_table(const struct memsys *ms, uint8_t page[4096]);

#endif
