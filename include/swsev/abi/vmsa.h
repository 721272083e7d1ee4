/* SPDX-License-Identifier: MIT */
/*
 * swsev/abi/vmsa.h - the SEV-ES / SNP VM save area (VMSA), APM vol. 2
 * "VMSA layout" (sev-reference 5.2): field offsets within the 4 KiB page,
 * and the reset state a VMM gives a vCPU before LAUNCH_UPDATE_VMSA
 * (sev-reference 9.5, the values QEMU, EC2 and GCE use).
 */
#ifndef SWSEV_ABI_VMSA_H
#define SWSEV_ABI_VMSA_H

#include <stdint.h>

#define VMSA_ES             0x000
#define VMSA_CS             0x010
#define VMSA_SS             0x020
#define VMSA_DS             0x030
#define VMSA_FS             0x040
#define VMSA_GS             0x050
#define VMSA_GDTR           0x060
#define VMSA_LDTR           0x070
#define VMSA_IDTR           0x080
#define VMSA_TR             0x090
#define VMSA_VMPL           0x0CA
#define VMSA_CPL            0x0CB
#define VMSA_EFER           0x0D0
#define VMSA_XSS            0x140
#define VMSA_CR4            0x148
#define VMSA_CR3            0x150
#define VMSA_CR0            0x158
#define VMSA_DR7            0x160
#define VMSA_DR6            0x168
#define VMSA_RFLAGS         0x170
#define VMSA_RIP            0x178
#define VMSA_RSP            0x1D8
#define VMSA_RAX            0x1F8
#define VMSA_CR2            0x240
#define VMSA_G_PAT          0x268
#define VMSA_TSC_SCALE      0x2F0
#define VMSA_TSC_OFFSET     0x2F8
#define VMSA_REG_PROT_NONCE 0x300
#define VMSA_RCX            0x308
#define VMSA_RDX            0x310
#define VMSA_RBX            0x318
#define VMSA_RBP            0x328
#define VMSA_RSI            0x330
#define VMSA_RDI            0x338
#define VMSA_R8             0x340 /* R8..R15 follow, 8 bytes each */
#define VMSA_SEV_FEATURES   0x3B0
#define VMSA_XCR0           0x3E8
#define VMSA_MXCSR          0x408
#define VMSA_X87_FCW        0x410
#define VMSA_SIZE           4096

/* A segment register in the VMSA: 16 bytes. */
struct vmsa_seg {
    uint16_t selector;
    uint16_t attrib;
    uint32_t limit;
    uint64_t base;
} __attribute__((packed));
_Static_assert(sizeof(struct vmsa_seg) == 16, "VMSA segment is 16 bytes");

enum vmsa_vmm { VMSA_VMM_QEMU = 0, VMSA_VMM_EC2 = 1, VMSA_VMM_GCE = 2 };

/* Write the reset-state VMSA of a vCPU into page (4096 bytes): the BSP
 * starts at the reset vector (EIP 0xFFFFFFF0), an AP at eip (the SEV-ES
 * reset block's address). vcpu_sig is CPUID Fn0000_0001 EAX (QEMU puts it
 * in RDX); sev_features goes to 0x3B0. */
void vmsa_reset_state(uint8_t page[VMSA_SIZE], enum vmsa_vmm vmm, int is_bsp, uint32_t eip,
                      uint32_t vcpu_sig, uint64_t sev_features);

#endif
