/* SPDX-License-Identifier: MIT */
/*
 * swsev/chip.h - what a simulated AMD EPYC part is: its identity, its
 * memory-encryption capabilities and the CPUID / MSR values it reports.
 *
 * A chip_config is plain data. Start from a preset (chip_config_preset)
 * and change fields; chip_config_check says whether the result is a
 * machine swsev can model.
 */
#ifndef SWSEV_CHIP_H
#define SWSEV_CHIP_H

#include <stdbool.h>
#include <stdint.h>

#include "swsev/status.h"

/* CPUID Fn8000_001F EAX feature bits (APM vol. 3, "Encrypted Memory Capabilities"). */
#define CPUID_SEV_SME              (1u << 0)
#define CPUID_SEV_SEV              (1u << 1)
#define CPUID_SEV_PAGE_FLUSH_MSR   (1u << 2)
#define CPUID_SEV_ES               (1u << 3)
#define CPUID_SEV_SNP              (1u << 4)
#define CPUID_SEV_VMPL             (1u << 5)
#define CPUID_SEV_RMPQUERY         (1u << 6)
#define CPUID_SEV_VMPL_SSS         (1u << 7)
#define CPUID_SEV_SECURE_TSC       (1u << 8)
#define CPUID_SEV_TSC_AUX_VIRT     (1u << 9)
#define CPUID_SEV_HW_COHERENCY     (1u << 10)
#define CPUID_SEV_64BIT_HOST       (1u << 11)
#define CPUID_SEV_RESTRICTED_INJ   (1u << 12)
#define CPUID_SEV_ALTERNATE_INJ    (1u << 13)
#define CPUID_SEV_DEBUG_SWAP       (1u << 14)
#define CPUID_SEV_PREVENT_HOST_IBS (1u << 15)
#define CPUID_SEV_VTE              (1u << 16)
#define CPUID_SEV_VMGEXIT_PARAM    (1u << 17)
#define CPUID_SEV_VIRTUAL_TOM      (1u << 18)
#define CPUID_SEV_IBS_VIRT         (1u << 19)
#define CPUID_SEV_RMPREAD          (1u << 21)
#define CPUID_SEV_VMSA_REG_PROT    (1u << 24)

/* MSR numbers the model answers. */
#define MSR_SYSCFG        0xC0010010u
#define MSR_VM_PAGE_FLUSH 0xC001011Eu
#define MSR_SEV_ES_GHCB   0xC0010130u
#define MSR_SEV_STATUS    0xC0010131u

/* SYSCFG bits. */
#define SYSCFG_MFDM               (1ull << 19)
#define SYSCFG_MEM_ENCRYPT_MOD_EN (1ull << 23)
#define SYSCFG_SNP_EN             (1ull << 24)
#define SYSCFG_SNP_VMPL_EN        (1ull << 25)

/* SEV_STATUS bits; SEV_FEATURES bit n (n >= 1) is reported at bit n + 2. */
#define SEV_STATUS_SEV_ENABLED (1ull << 0)
#define SEV_STATUS_ES_ENABLED  (1ull << 1)
#define SEV_STATUS_SNP_ENABLED (1ull << 2)

struct chip_config {
    char name[16]; /* "naples", "rome", "milan", "genoa" */
    uint32_t family, model, stepping;
    uint8_t phys_addr_bits; /* CPUID Fn8000_0008 EAX[7:0] before reduction */
    uint8_t cbit;           /* Fn8000_001F EBX[5:0] */
    uint8_t phys_reduction; /* Fn8000_001F EBX[11:6] */
    uint8_t nr_vmpls;       /* Fn8000_001F EBX[15:12] */
    uint32_t features;      /* Fn8000_001F EAX */
    uint32_t nr_asids;      /* Fn8000_001F ECX: highest usable ASID */
    uint32_t min_sev_asid;  /* Fn8000_001F EDX: ASIDs below it are SEV-ES/SNP only */
    uint32_t nr_cores;      /* cores that can run vCPUs and must WBINVD */
    uint32_t cache_sets;    /* shared cache: sets (power of two) of 4 KiB sectors */
    uint32_t cache_ways;    /* sectors per set; capacity = sets * ways * 4 KiB */
    uint64_t dram_size;     /* bytes of simulated DRAM, multiple of 2 MiB */
};

/* Fill cfg with a preset ("naples", "rome", "milan", "genoa"). */
swsev_rc chip_config_preset(struct chip_config *cfg, const char *name);
/* SWSEV_OK if cfg describes a machine swsev can model. */
swsev_rc chip_config_check(const struct chip_config *cfg);

/* CPUID as the host sees it, for the leaves the model defines
 * (0x1, 0x80000000, 0x80000001, 0x80000008, 0x8000001F); others read 0. */
void chip_cpuid(const struct chip_config *cfg, uint32_t leaf, uint32_t subleaf, uint32_t regs[4]);
/* The processor signature of CPUID Fn0000_0001 EAX. */
uint32_t chip_signature(const struct chip_config *cfg);
/* Usable physical address bits when memory encryption is on. */
unsigned chip_effective_pa_bits(const struct chip_config *cfg);
/* SYSCFG after the BIOS enabled SME (and SNP if snp_enabled). */
uint64_t chip_syscfg(const struct chip_config *cfg, bool snp_enabled);
/* SEV_STATUS as a guest with these properties reads it. sev_features is
 * the VMSA SEV_FEATURES field (SNP guests only). */
uint64_t chip_sev_status(bool sev, bool es, bool snp, uint64_t sev_features);

#endif
