/* SPDX-License-Identifier: MIT */
/*
 * Chip presets. Identity (family/model/stepping), C-bit position, address
 * reduction and ASID counts follow the public descriptions of each EPYC
 * generation. The Fn8000_001F EAX sets are the capabilities documented for
 * each generation, not a dump of a particular part (see docs/hw.md).
 */
#include <stdio.h>
#include <string.h>

#include "swsev/chip.h"

#define GIB (1ull << 30)

struct preset {
    const char *name;
    uint32_t family, model, stepping;
    uint8_t cbit, reduction, vmpls;
    uint32_t features;
    uint32_t nr_asids;
};

static const struct preset presets[] = {
    /* 1st generation EPYC (Zen 1): SME and SEV only. */
    {"naples", 0x17, 0x01, 2, 47, 5, 0, CPUID_SEV_SME | CPUID_SEV_SEV | CPUID_SEV_PAGE_FLUSH_MSR,
     15},
    /* 2nd generation (Zen 2): SEV-ES, 509 ASIDs. */
    {"rome", 0x17, 0x31, 0, 47, 5, 0,
     CPUID_SEV_SME | CPUID_SEV_SEV | CPUID_SEV_PAGE_FLUSH_MSR | CPUID_SEV_ES |
         CPUID_SEV_64BIT_HOST | CPUID_SEV_VTE,
     509},
    /* 3rd generation (Zen 3): SEV-SNP, four VMPLs, coherent keys. */
    {"milan", 0x19, 0x01, 1, 51, 1, 4,
     CPUID_SEV_SME | CPUID_SEV_SEV | CPUID_SEV_PAGE_FLUSH_MSR | CPUID_SEV_ES | CPUID_SEV_SNP |
         CPUID_SEV_VMPL | CPUID_SEV_RMPQUERY | CPUID_SEV_HW_COHERENCY | CPUID_SEV_64BIT_HOST |
         CPUID_SEV_RESTRICTED_INJ | CPUID_SEV_ALTERNATE_INJ | CPUID_SEV_DEBUG_SWAP |
         CPUID_SEV_PREVENT_HOST_IBS | CPUID_SEV_VTE,
     509},
    /* 4th generation (Zen 4). */
    {"genoa", 0x19, 0x11, 0, 51, 1, 4,
     CPUID_SEV_SME | CPUID_SEV_SEV | CPUID_SEV_PAGE_FLUSH_MSR | CPUID_SEV_ES | CPUID_SEV_SNP |
         CPUID_SEV_VMPL | CPUID_SEV_RMPQUERY | CPUID_SEV_VMPL_SSS | CPUID_SEV_SECURE_TSC |
         CPUID_SEV_TSC_AUX_VIRT | CPUID_SEV_HW_COHERENCY | CPUID_SEV_64BIT_HOST |
         CPUID_SEV_RESTRICTED_INJ | CPUID_SEV_ALTERNATE_INJ | CPUID_SEV_DEBUG_SWAP |
         CPUID_SEV_PREVENT_HOST_IBS | CPUID_SEV_VTE | CPUID_SEV_VMGEXIT_PARAM |
         CPUID_SEV_VIRTUAL_TOM | CPUID_SEV_IBS_VIRT | CPUID_SEV_VMSA_REG_PROT,
     1006},
};

swsev_rc chip_config_preset(struct chip_config *cfg, const char *name)
{
    for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
        const struct preset *p = &presets[i];
        if (strcmp(p->name, name) != 0)
            continue;
        memset(cfg, 0, sizeof(*cfg));
        snprintf(cfg->name, sizeof(cfg->name), "%s", p->name);
        cfg->family = p->family;
        cfg->model = p->model;
        cfg->stepping = p->stepping;
        cfg->phys_addr_bits = 48;
        cfg->cbit = p->cbit;
        cfg->phys_reduction = p->reduction;
        cfg->nr_vmpls = p->vmpls;
        cfg->features = p->features;
        cfg->nr_asids = p->nr_asids;
        /* The BIOS "SEV-ES ASID space limit": ASIDs below it are for
         * SEV-ES/SNP guests. Real firmware defaults vary; 100 leaves room
         * for both kinds of guest. */
        cfg->min_sev_asid = p->nr_asids > 100 ? 100 : (p->features & CPUID_SEV_ES ? 8 : 1);
        cfg->nr_cores = 2;
        cfg->cache_sets = 64; /* 64 x 8 sectors of 4 KiB: 2 MiB */
        cfg->cache_ways = 8;
        cfg->dram_size = 4 * GIB;
        return SWSEV_OK;
    }
    return SWSEV_HW_ERR(SWSEV_HW_INVAL);
}

unsigned chip_effective_pa_bits(const struct chip_config *cfg)
{
    return (unsigned)cfg->phys_addr_bits - cfg->phys_reduction;
}

swsev_rc chip_config_check(const struct chip_config *cfg)
{
    const swsev_rc bad = SWSEV_HW_ERR(SWSEV_HW_INVAL);
    if (cfg->phys_addr_bits < 32 || cfg->phys_addr_bits > 52)
        return bad;
    if (cfg->phys_reduction > 20 || cfg->cbit > 63 || cfg->cbit < 32)
        return bad;
    /* The C-bit must not be an address bit the machine can reach. */
    if (cfg->cbit < chip_effective_pa_bits(cfg))
        return bad;
    if (cfg->nr_asids < 1 || cfg->nr_asids > 4095 || cfg->min_sev_asid < 1 ||
        cfg->min_sev_asid > cfg->nr_asids + 1)
        return bad;
    if (cfg->nr_vmpls > 4 || cfg->nr_cores < 1 || cfg->nr_cores > 256)
        return bad;
    if (cfg->cache_ways < 1 || cfg->cache_ways > 32 || cfg->cache_sets < 1 ||
        (cfg->cache_sets & (cfg->cache_sets - 1)) != 0 ||
        (uint64_t)cfg->cache_sets * cfg->cache_ways > 65536)
        return bad;
    if (cfg->dram_size < (2ull << 20) || cfg->dram_size % (2ull << 20) != 0 ||
        cfg->dram_size > (1ull << chip_effective_pa_bits(cfg)))
        return bad;
    return SWSEV_OK;
}

uint32_t chip_signature(const struct chip_config *cfg)
{
    uint32_t base_family = cfg->family > 0xF ? 0xF : cfg->family;
    uint32_t ext_family = cfg->family > 0xF ? cfg->family - 0xF : 0;
    return (ext_family << 20) | ((cfg->model >> 4) << 16) | (base_family << 8) |
           ((cfg->model & 0xF) << 4) | (cfg->stepping & 0xF);
}

void chip_cpuid(const struct chip_config *cfg, uint32_t leaf, uint32_t subleaf, uint32_t regs[4])
{
    (void)subleaf;
    regs[0] = regs[1] = regs[2] = regs[3] = 0;
    switch (leaf) {
    case 0x00000000:
        regs[0] = 0x10;       /* highest standard leaf of a Zen 3/4 part */
        regs[1] = 0x68747541; /* "AuthenticAMD" in EBX, EDX, ECX */
        regs[3] = 0x69746E65;
        regs[2] = 0x444D4163;
        break;
    case 0x00000001:
        regs[0] = chip_signature(cfg);
        regs[1] = 8u << 8; /* CLFLUSH line size: 8 quadwords, as every Zen part */
        break;
    case 0x80000000:
        regs[0] = 0x80000021; /* highest extended leaf of a Zen part */
        regs[1] = 0x68747541; /* "AuthenticAMD" */
        regs[3] = 0x69746E65;
        regs[2] = 0x444D4163;
        break;
    case 0x80000001:
        regs[0] = chip_signature(cfg);
        regs[2] = 1u << 2;                              /* SVM */
        regs[3] = (1u << 20) | (1u << 29) | (1u << 26); /* NX, LM, 1 GiB pages */
        break;
    case 0x80000008:
        /* Reported MAXPHYADDR already reflects the encryption reduction. */
        regs[0] = chip_effective_pa_bits(cfg) | (48u << 8);
        break;
    case 0x8000001F:
        regs[0] = cfg->features;
        regs[1] = (cfg->cbit & 0x3fu) | ((uint32_t)(cfg->phys_reduction & 0x3f) << 6) |
                  ((uint32_t)(cfg->nr_vmpls & 0xf) << 12);
        regs[2] = cfg->nr_asids;
        regs[3] = cfg->min_sev_asid;
        break;
    default:
        break;
    }
}

uint64_t chip_syscfg(const struct chip_config *cfg, bool snp_enabled)
{
    uint64_t v = SYSCFG_MEM_ENCRYPT_MOD_EN;
    if (snp_enabled && (cfg->features & CPUID_SEV_SNP)) {
        v |= SYSCFG_MFDM | SYSCFG_SNP_EN;
        if (cfg->features & CPUID_SEV_VMPL)
            v |= SYSCFG_SNP_VMPL_EN;
    }
    return v;
}

uint64_t chip_sev_status(bool sev, bool es, bool snp, uint64_t sev_features)
{
    uint64_t v = 0;
    if (sev)
        v |= SEV_STATUS_SEV_ENABLED;
    if (es)
        v |= SEV_STATUS_ES_ENABLED;
    if (snp) {
        /* SEV_FEATURES bit 0 (SNPActive) lands on bit 2, bit n on n + 2. */
        v |= SEV_STATUS_SNP_ENABLED | ((sev_features & ~1ull) << 2);
    }
    return v;
}
