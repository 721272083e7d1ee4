/* SPDX-License-Identifier: MIT */
/* The host's SNP set-up and page bookkeeping (see snp_host.h). */
#include <string.h>

#include "hv/snp_host.h"
#include "swsev/abi/snp_cmd.h"
#include "swsev/fw_status.h"

#define PAGE_4K 0x1000ull
#define MIB     0x100000ull

swsev_rc hv_snp_host_init(struct hv_psp *drv, uint32_t *fw_error)
{
    const struct chip_config *cfg = memsys_chip(drv->ms);
    *fw_error = 0;
    if (!(cfg->features & CPUID_SEV_SNP))
        return SWSEV_HV_ERR(SWSEV_E_INVAL);
    /* The table covers all of DRAM; the bookkeeping area is zeroed by the
     * OS before SNPEn is set (fresh host pages are zero already). */
    uint64_t size = RMP_BOOKKEEPING + (cfg->dram_size / PAGE_4K) * RMP_ENTRY_SIZE;
    size = (size + MIB - 1) & ~(MIB - 1);
    uint64_t base;
    swsev_rc rc = hv_hostmem_alloc(drv->hm, size / PAGE_4K, MIB / PAGE_4K, &base);
    if (!rc)
        rc = memsys_rmp_configure(drv->ms, base, base + size - 1);
    if (!rc)
        rc = memsys_snp_enable(drv->ms);
    if (rc)
        return rc;
    hv_psp_lock(drv);
    int r = hv_psp_do_cmd_locked(drv, SNP_CMD_INIT, NULL, 0, fw_error);
    if (!r) {
        for (unsigned c = 0; c < cfg->nr_cores; c++)
            memsys_wbinvd(drv->ms, c);
        r = hv_psp_do_cmd_locked(drv, SNP_CMD_DF_FLUSH, NULL, 0, fw_error);
    }
    hv_psp_unlock(drv);
    return r ? SWSEV_FW_ERR(*fw_error) : SWSEV_OK;
}

static swsev_rc rmpupdate(struct hv_psp *drv, uint64_t spa, const struct rmp_state *st)
{
    int r = memsys_rmpupdate(drv->ms, spa, st);
    return r == RMP_SUCCESS ? SWSEV_OK : SWSEV_HW_ERR(SWSEV_HW_FAULT);
}

swsev_rc hv_snp_fw_page_alloc(struct hv_psp *drv, uint64_t *spa)
{
    static const uint8_t zero[PAGE_4K];
    swsev_rc rc = hv_hostmem_alloc(drv->hm, 1, 1, spa);
    if (!rc)
        rc = memsys_host_write(drv->ms, hv_psp_pa(drv, *spa), zero, sizeof(zero));
    /* Write back the host's lines before the page changes hands. */
    if (!rc)
        rc = memsys_clflush_range(drv->ms, hv_psp_pa(drv, *spa), PAGE_4K);
    struct rmp_state st = {0, 1, 0, 1, 0, 0};
    if (!rc)
        rc = rmpupdate(drv, *spa, &st);
    return rc;
}

swsev_rc hv_snp_page_reclaim(struct hv_psp *drv, uint64_t spa)
{
    struct snp_fw_addr a = {spa};
    uint32_t err;
    if (hv_psp_do_cmd(drv, SNP_CMD_PAGE_RECLAIM, &a, sizeof(a), &err))
        return SWSEV_FW_ERR(err);
    return hv_snp_make_shared(drv, spa);
}

void hv_snp_fw_page_free(struct hv_psp *drv, uint64_t spa)
{
    /* A page that cannot be reclaimed is leaked, as Linux does: handing
     * it out again would fault its next owner. */
    if (!hv_snp_page_reclaim(drv, spa))
        hv_hostmem_free(drv->hm, spa, 1);
}

swsev_rc hv_snp_make_private(struct hv_psp *drv, uint64_t spa, uint64_t gpa, uint32_t asid)
{
    struct rmp_state st = {gpa, 1, 0, 1, 0, asid};
    return rmpupdate(drv, spa, &st);
}

swsev_rc hv_snp_make_shared(struct hv_psp *drv, uint64_t spa)
{
    struct rmp_state st = {0, 0, 0, 0, 0, 0};
    return rmpupdate(drv, spa, &st);
}
