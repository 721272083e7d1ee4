/* SPDX-License-Identifier: MIT */
/*
 * The CPUID a VM sees, whichever way it asks: an intercepted CPUID of a
 * plain guest, or the GHCB (MSR protocol or NAE event) of an SEV-ES/SNP
 * guest. As KVM and QEMU do, the chip's values with the vCPU's APIC ID,
 * the hypervisor bit, the reduced MAXPHYADDR, and a memory-encryption leaf
 * that says only what this VM is.
 */
#include "hv/vm.h"
#include "swsev/chip.h"

void hv_cpuid(const struct hv_vm *vm, uint32_t apic_id, uint32_t leaf, uint32_t subleaf,
              uint32_t regs[4])
{
    const struct chip_config *cfg = memsys_chip(vm->kvm->ms);
    chip_cpuid(cfg, leaf, subleaf, regs);
    switch (leaf) {
    case 0x1:
        regs[1] = (regs[1] & 0x00FFFFFFu) | apic_id << 24; /* the vCPU's APIC ID */
        regs[2] |= 1u << 31;                               /* running under a hypervisor */
        break;
    case 0x80000008:
        /* MAXPHYADDR as the guest can use it (KVM reports it reduced). */
        regs[0] = (regs[0] & ~0xFFu) | chip_effective_pa_bits(cfg);
        break;
    case 0x8000001F: {
        /* What KVM exposes to an SEV VM: SEV, SEV-ES, SNP as the VM is,
         * coherency; no VMPL count, no PA reduction (it is in 0x8000_0008).
         * A VM without SEV sees nothing (QEMU clears the leaf). */
        uint32_t keep = vm->sev_active
                            ? CPUID_SEV_SEV | CPUID_SEV_HW_COHERENCY | (vm->es ? CPUID_SEV_ES : 0) |
                                  (vm->snp ? CPUID_SEV_SNP : 0)
                            : 0;
        regs[0] &= keep;
        regs[1] = vm->sev_active ? regs[1] & 0x3Fu : 0;
        regs[2] = regs[3] = 0;
        if (vm->sev_active) {
            uint32_t raw[4];
            chip_cpuid(cfg, leaf, subleaf, raw);
            regs[2] = raw[2]; /* the number of ASIDs and the first SEV-only one */
            regs[3] = raw[3];
        }
        break;
    }
    default:
        break;
    }
}
