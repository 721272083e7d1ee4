/* SPDX-License-Identifier: MIT */
/*
 * tools/common/ops.h - swsevd's management calls (PROTO_CALL). Arguments
 * and results are packed little-endian structs. Pointers inside KVM-style
 * command structs are addresses in the caller, reached by the daemon with
 * the protocol's user-memory round trips, like the kernel's.
 */
#ifndef SWSEV_TOOLS_OPS_H
#define SWSEV_TOOLS_OPS_H

#include <stdint.h>

enum swsevd_op {
    OP_INFO = 1,        /* -> struct op_info */
    OP_AMD_CHAIN = 2,   /* -> ASK cert || ARK cert (AMD format) */
    OP_VM_CREATE = 10,  /* struct op_vm_create -> u32 vm id */
    OP_VM_DESTROY = 11, /* u32 vm id */
    OP_VM_WRITE = 12,   /* struct op_vm_mem + bytes */
    OP_VM_READ = 13,    /* struct op_vm_mem -> bytes (host view) */
    OP_VM_SEV = 14,     /* struct op_vm_sev -> struct op_vm_sev_result */
    OP_VM_LIST = 15,    /* -> u32 count, struct op_vm_info[count] */
    /* SEV-SNP guests behind /dev/sev-guest (SWSEV_GUEST names one). */
    OP_SNP_GUEST_START = 20, /* struct op_snp_guest_start -> struct op_snp_guest_started */
    OP_SNP_GUEST_STOP = 21,  /* char name[32] */
    OP_SNP_GUEST_LIST = 22,  /* -> u32 count, struct op_snp_guest_info[count] */
};

#define SWSEVD_GUEST_NAME 32

struct op_snp_guest_start {
    char name[SWSEVD_GUEST_NAME]; /* NUL-terminated, [A-Za-z0-9._-] */
    uint64_t ovmf_addr;           /* the OVMF image in the caller's memory */
    uint32_t ovmf_len;
    uint32_t vcpus;
    uint32_t vcpu_sig; /* CPUID 1 EAX of the vCPUs */
    uint32_t vmm;      /* enum vmsa_vmm */
    uint64_t guest_features;
    uint64_t policy;
    uint8_t host_data[32];
} __attribute__((packed));

struct op_snp_guest_started {
    uint8_t measurement[48]; /* the launch digest the firmware computed */
    uint64_t pages;
} __attribute__((packed));

struct op_snp_guest_info {
    char name[SWSEVD_GUEST_NAME];
    uint32_t asid;
    uint64_t policy;
    uint8_t measurement[48];
} __attribute__((packed));

#define SWSEVD_MAX_SNP_GUESTS 16

struct op_info {
    char chip[16];
    uint8_t api_major, api_minor, build, reserved;
    uint32_t nr_asids, min_sev_asid;
    uint64_t dram_size;
    uint8_t test_root; /* the ARK is swsev's generated test root */
} __attribute__((packed));

struct op_vm_create {
    uint64_t ram_size;
    uint32_t vcpus;
} __attribute__((packed));

struct op_vm_mem {
    uint32_t vm;
    uint64_t gpa;
    uint32_t len;
} __attribute__((packed));

struct op_vm_sev {
    uint32_t vm;
    uint32_t cmd;  /* KVM_SEV_* */
    uint64_t data; /* address of the command's struct in the caller */
} __attribute__((packed));

struct op_vm_sev_result {
    int32_t ret; /* 0 or -errno */
    uint32_t fw_error;
} __attribute__((packed));

struct op_vm_info {
    uint32_t vm;
    uint32_t asid, handle;
    uint8_t sev, es, state, reserved;
    uint64_t ram_size;
} __attribute__((packed));

#define SWSEVD_MAX_VMS 64

#endif
