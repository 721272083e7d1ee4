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
};

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
